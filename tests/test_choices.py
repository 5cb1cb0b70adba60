"""portal.choices.choice_label gives what Django's get_<field>_display gives, in each language."""

import pytest
from django.utils import translation

from accounts.models import Applicant
from applications.models import Application, Status
from portal.choices import choice_label


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("model", "field_name"), [(Applicant, "city"), (Applicant, "size"), (Application, "status")])
def test_a_choice_label_is_the_display_of_every_value_and_of_a_value_outside_the_choices(
    model, field_name: str, language: str
) -> None:
    values = [value for value, _label in model._meta.get_field(field_name).flatchoices] + ["not-a-choice"]
    with translation.override(language):
        for value in values:
            record = model(**{field_name: value})
            assert choice_label(record, field_name) == getattr(record, f"get_{field_name}_display")()


def test_the_table_follows_the_language() -> None:
    record = Application(status=Status.SUBMITTED)
    with translation.override("en"):
        english = choice_label(record, "status")
        assert english == str(Status.SUBMITTED.label)
    with translation.override("zh-hans"):
        chinese = choice_label(record, "status")
        assert chinese == str(Status.SUBMITTED.label)
    assert english != chinese
