"""Forms of the site check and the meeting pages: they parse input; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DateBox

from .models import SiteCheck
from .services import MAX_PHOTOS

TEXT_MAX = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; each is checked by the service (portal/uploads.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class SiteCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("Date of the site check"), widget=DateBox())
    officials: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Officials present"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    others_present = forms.CharField(
        label=_("Others present"),
        help_text=_("For example the enterprise's representatives, experts, the city bureau's staff."),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    findings = forms.CharField(label=_("Findings"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SiteCheck.Outcome.choices, widget=forms.RadioSelect)
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG or PNG, up to %(count)s photos of 20 MB each.") % {"count": MAX_PHOTOS},
        required=False,
    )

    def __init__(self, *args: Any, officials: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officials"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = officials


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=DateBox())
    chaired_by: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Chaired by"), queryset=None)
    attendees: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Officials attending"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    other_attendees = forms.CharField(
        label=_("Other attendees"),
        help_text=_("For example the department's leaders, the discipline inspection office, experts."),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, officials: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chair = self.fields["chaired_by"]
        attendees = self.fields["attendees"]
        assert isinstance(chair, forms.ModelChoiceField)
        assert isinstance(attendees, forms.ModelMultipleChoiceField)
        chair.queryset = officials
        attendees.queryset = officials


DECISION_CHOICES = [
    ("support", _("Support")),
    ("not_support", _("Do not support")),
    ("", _("Not decided at this meeting")),
]


class DecisionRowForm(forms.Form):
    """One candidate's row of the meeting page (prefixed by the application's id)."""

    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=100000)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, required=False)
    reasons = forms.CharField(
        label=_("Reasons"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
