"""Forms of expert review's pages; the rules are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExpertiseField, ScoreCriterion
from .services import COMMENT_MAX, REASON_MAX


class DrawForm(forms.Form):
    fields_of_expertise = forms.ModelMultipleChoiceField(
        label=_("Fields of expertise"),
        help_text=_("Experts with at least one of these fields may be drawn."),
        queryset=ExpertiseField.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one field.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields_of_expertise"].label_from_instance = lambda f: f.localized("name")  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    """One box per criterion (criterion_<id>), and the comment; the service checks the values."""

    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("What your score rests on. Required."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=COMMENT_MAX,
        required=False,
    )

    def __init__(self, *args: Any, criteria: list[ScoreCriterion], initial_points: dict[int, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.localized('name')} (0–{criterion.max_points.normalize():f})",
                help_text=criterion.localized("guidance"),
                required=False,
                initial=initial_points.get(criterion.pk),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-short"}),
            )
        self.order_fields([*(f"criterion_{c.pk}" for c in criteria), "comment"])

    def points(self) -> dict[int, Any]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}", "") for c in self.criteria}


class MissingForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this assignment will not be scored"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
