"""Forms of the officials' pages: the queue's filters and one form per review action.

They check what a form can (required texts, numbers, the cap); the services check everything
again, so the API, which does not use these forms, cannot skip a rule.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from measures.amounts import money
from measures.models import Incentive
from measures.vocabulary import EnterpriseSize, GuangdongCity
from portal.money import MoneyField

from .models import Status
from .review_selectors import QueueFilters

SORT_CHOICES = [
    ("deadline", _("Deadline, soonest first")),
    ("submitted", _("Submitted, oldest first")),
    ("-submitted", _("Submitted, newest first")),
]


# The longest text an official types into a review action, in the pages and the API alike.
TEXT_MAX = 4000


def _text(label: Any, *, required: Any = None, help_text: Any = "", rows: int = 4) -> forms.CharField:
    """A text area; `required` is the message shown when it is left empty (None: optional)."""
    return forms.CharField(
        label=label,
        required=required is not None,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required} if required is not None else None,
    )


class QueueFilterForm(forms.Form):
    """GET parameters of the queue page and `/api/v1/queue/`; invalid values are ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    incentive = forms.ChoiceField(label=_("Incentive"), required=False)
    measure = forms.IntegerField(label=_("Measure number"), required=False, min_value=1, max_value=99)
    city = forms.ChoiceField(label=_("City"), required=False, choices=[("", _("Any city")), *GuangdongCity.choices])
    size = forms.ChoiceField(
        label=_("Enterprise size"), required=False, choices=[("", _("Any size")), *EnterpriseSize.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, incentives: list[Incentive] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False
        status, incentive = self.fields["status"], self.fields["incentive"]
        assert isinstance(status, forms.ChoiceField) and isinstance(incentive, forms.ChoiceField)
        status.choices = [("", _("Any status")), *[c for c in Status.choices if c[0] != Status.DRAFT]]
        incentive.choices = [("", _("Any incentive"))] + [
            (i.code, f"{i.measure.number}. {i.localized('name')}") for i in (incentives or [])
        ]
        self.fields["measure"].widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def filters(self) -> QueueFilters:
        """The valid filters; a field that does not validate is left out rather than refused."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            status=data.get("status") or "",
            incentive=data.get("incentive") or "",
            measure=data.get("measure"),
            city=data.get("city") or "",
            size=data.get("size") or "",
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
            sort=data.get("sort") or "deadline",
        )


class VersionForm(forms.Form):
    """Every action form carries the version of the application the official saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False


class AcceptForm(VersionForm):
    pass


class StartReviewForm(VersionForm):
    pass


class ApproveForm(VersionForm):
    pass


class ReturnForm(VersionForm):
    missing = _text(
        _("What the applicant must supply"),
        required=_("Say what the applicant must supply."),
        help_text=_("List each missing document or answer. The deadline is set in working days when you send it."),
    )


class RefuseForm(VersionForm):
    reasons = _text(
        _("Reasons for not accepting"),
        required=_("Give the reasons for refusing to accept."),
        help_text=_("The notice gives these reasons and the applicant's rights."),
    )


class HandleForm(VersionForm):
    note = _text(_("What was done"), rows=3)


class ProposeForm(VersionForm):
    """拟支持: the engine's amount by default; another amount within the cap needs a reason."""

    amount = MoneyField(label=_("Amount to propose (CNY)"), required=False)
    override_reason = _text(
        _("Reason for changing the computed amount"),
        rows=3,
        help_text=_("Needed only when the amount differs from the computed one."),
    )
    reasons = _text(_("Grounds for the proposal"), rows=3)

    def __init__(self, *args: Any, engine: Decimal | None = None, cap: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine, self.cap = engine, cap
        if engine is not None:
            self.initial.setdefault("amount", engine)
            self.fields["amount"].help_text = _("Computed by the amount engine: %(amount)s CNY.") % {
                "amount": money(engine)
            }
        if cap is not None:
            extra = _("The cap is %(cap)s CNY.") % {"cap": money(cap)}
            self.fields["amount"].help_text = f"{self.fields['amount'].help_text} {extra}".strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        amount = data.get("amount")
        if "amount" in self.errors:
            return data
        if amount is None:
            if self.engine is None:
                self.add_error("amount", _("Enter the amount: the amount engine has no figure for this claim."))
            return data
        if amount <= 0:
            self.add_error("amount", _("The amount must be more than zero."))
        elif self.cap is not None and amount > self.cap:
            self.add_error("amount", _("The amount may not exceed the cap of %(cap)s CNY.") % {"cap": money(self.cap)})
        elif amount != self.engine and not (data.get("override_reason") or "").strip():
            self.add_error(
                "override_reason",
                _("Give the reason for changing the computed amount of %(engine)s CNY.")
                % {"engine": money(self.engine) if self.engine is not None else "—"},
            )
        return data


class RejectForm(VersionForm):
    reasons = _text(
        _("Reasons for not supporting"),
        required=_("Give the reasons for not supporting the application."),
        help_text=_("The decision notice gives these reasons and the applicant's rights of appeal."),
    )


class SendBackForm(VersionForm):
    reason = _text(_("Why the proposal goes back"), required=_("Say why the proposal goes back."), rows=3)


class RecommendForm(VersionForm):
    """The city bureau's proposal (地市初审推荐), to recommend or not: the reasons go with it."""

    reasons = _text(
        _("Reasons for the recommendation"),
        required=_("Give the reasons for the recommendation."),
        help_text=_("When the application is not recommended, the applicant is told these reasons."),
        rows=3,
    )


# The action name in the workflow table → its form (the page renders one per allowed action).
ACTION_FORMS: dict[str, type[VersionForm]] = {
    "accept": AcceptForm,
    "return": ReturnForm,
    "refuse": RefuseForm,
    "review": StartReviewForm,
    "handle": HandleForm,
    "propose": ProposeForm,
    "reject": RejectForm,
    "approve": ApproveForm,
    "confirm_rejection": ApproveForm,
    "send_back": SendBackForm,
    "city_return": ReturnForm,
    "recommend": RecommendForm,
    "not_recommend": RecommendForm,
    "forward": ApproveForm,
    "confirm_not_recommended": ApproveForm,
    "city_send_back": SendBackForm,
}


class CommentForm(forms.Form):
    text = _text(
        _("Internal comment"),
        required=_("The comment is empty."),
        rows=3,
        help_text=_("Seen by officials only, never by the applicant."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False


class ChecklistForm(forms.Form):
    """One checkbox per item of the incentive's review checklist, keyed by the item's position."""

    def __init__(self, *args: Any, items: list[str], ticked: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, label in enumerate(items):
            self.fields[f"item_{index}"] = forms.BooleanField(
                label=label, required=False, initial=bool(ticked.get(str(index)))
            )

    def ticked(self) -> dict[str, bool]:
        return {name.removeprefix("item_"): bool(value) for name, value in self.cleaned_data.items()}


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=User.objects.none(), empty_label=None, to_field_name="pk"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, handlers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler = self.fields["handler"]
        assert isinstance(handler, forms.ModelChoiceField)
        handler.queryset = handlers  # labelled by str(user), ModelChoiceField's own label


class RevealForm(forms.Form):
    what = forms.ChoiceField(choices=[("resident_id", _("Resident ID")), ("bank_account", _("Bank account number"))])
