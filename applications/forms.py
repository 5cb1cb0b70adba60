"""The fixed forms of the applying pages. An incentive's own questions are data
(see form_definitions); these are the few forms every application shares."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import Incentive, RequiredDocument

OTHER_DOCUMENT = "other"


def fiscal_year_choices() -> list[tuple[int, str]]:
    """The years the service accepts: last year, this year and next year."""
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in (this_year - 1, this_year, this_year + 1)]


class StartForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(
        label=_("Which fiscal year do you apply for?"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Usually the current year."),
    )

    def __init__(self, *args: Any, call: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fiscal_year = self.fields["fiscal_year"]
        assert isinstance(fiscal_year, forms.ChoiceField)
        if call is not None:  # started from a call: its year
            fiscal_year.choices = [(call.fiscal_year, str(call.fiscal_year))]
            fiscal_year.initial = call.fiscal_year
            fiscal_year.help_text = _("The call for applications is for this fiscal year.")
            return
        fiscal_year.choices = fiscal_year_choices()
        fiscal_year.initial = timezone.localdate().year


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which document is this?"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG or OFD, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.ofd"}),
    )

    def __init__(self, *args: Any, incentive: Incentive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_documents = {str(d.pk): d for d in incentive.required_documents.all()}
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            ("", _("Choose the document type")),
            *[(pk, d.localized("name")) for pk, d in self.required_documents.items()],
            (OTHER_DOCUMENT, _("Other supporting document")),
        ]

    def required_document(self) -> RequiredDocument | None:
        return self.required_documents.get(self.cleaned_data["kind"])


class SupplementForm(forms.Form):
    note = forms.CharField(
        label=_("What did you change or add?"),
        help_text=_("The department reads this with your changes."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
