"""Forms of the announcement pages: publishing, lodging an objection, resolving one.

They only check shapes and lengths; the services (awards.announcements) decide the rest.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Application

from .models import AnnouncementEntry
from .services import CONTACT_MAX, DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, NAME_MAX, REASON_MAX, RESOLUTION_MAX


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False  # the server's messages, in the error summary, not the browser's


class PublishForm(_Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_days = forms.IntegerField(
        label=_("Period in working days"),
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        initial=DEFAULT_PERIOD_DAYS,
        help_text=_("Counted in Chinese working days from the day after publication; holidays are skipped."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
    )
    applications = forms.MultipleChoiceField(
        label=_("Approved applications"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one approved application.")},
    )

    def __init__(self, *args: Any, candidates: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applications"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.reference, a.reference) for a in candidates]


class ObjectionForm(_Form):
    name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact = forms.CharField(
        label=_("How we can reach you"),
        max_length=CONTACT_MAX,
        help_text=_("A telephone number or an email address. It is not published."),
    )
    entry = forms.TypedChoiceField(
        label=_("Which entry you object to"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Leave it empty if your objection concerns the whole announcement."),
    )
    reason = forms.CharField(
        label=_("Your reasons"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say what is wrong and, if you can, how the department can check it."),
    )

    def __init__(self, *args: Any, entries: list[AnnouncementEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = {e.pk: e for e in entries}
        field = self.fields["entry"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The whole announcement"))] + [
            (e.pk, f"{n}. {e.display_name} · {e.incentive_name} · {e.amount:,.2f}") for n, e in enumerate(entries, 1)
        ]

    def chosen_entry(self) -> AnnouncementEntry | None:
        value = self.cleaned_data.get("entry")
        return self.entries.get(value) if value is not None else None


class ResolveForm(_Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    resolution = forms.CharField(
        label=_("Reasons for the decision"),
        max_length=RESOLUTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Recorded; if the objection is upheld, the applicant receives them."),
    )

    def __init__(self, *args: Any, can_uphold: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("dismissed", _("Dismiss: the award stands"))]
        if can_uphold:
            choices.insert(0, ("upheld", _("Uphold: the award is withdrawn and its budget released")))
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
