"""What an application shows, in plain words: its answers, its history and its amount, the same
for the applicant's pages, the officials' pages and the API (each shows what it may: the
timeline leaves out what the applicant does not see)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.amounts import AmountInputError, AmountResult, Claim, compute_amount, money
from portal.languages import trace_lines

from . import form_definitions
from .models import Application, Status
from .selectors import application_timeline
from .workflow import BY_ACTION

# Timeline labels for events that are not workflow transitions.
EVENT_LABELS = {
    "application.create": gettext_lazy("Draft started"),
    "application.save": gettext_lazy("Answers saved"),
    "application.offer": gettext_lazy("Award offered from an official list"),
    "application.assign": gettext_lazy("Assigned"),
    "application.comment": gettext_lazy("Internal comment"),
    "application.checklist": gettext_lazy("Review checklist updated"),
    "application.credit_flag": gettext_lazy("Applicant put on a list of seriously dishonest entities"),
    "document.add": gettext_lazy("Document added"),
    "document.remove": gettext_lazy("Document removed"),
    "document.view": gettext_lazy("Document viewed by an official"),
    "personal_data.view": gettext_lazy("Personal data shown unmasked"),
    "application.site_check": gettext_lazy("Site check (现场核查) recorded"),
}
# Personal data an official may show unmasked (each time on the record).
REVEALABLE = {"resident_id": gettext_lazy("resident ID"), "bank_account": gettext_lazy("bank account number")}


def display_value(spec: dict[str, Any], value: Any) -> str:
    """An answer as the applicant chose or typed it: an option's label, money with separators."""
    if value in (None, ""):
        return ""
    if spec.get("type") == "choice":
        for option in spec.get("options", []):
            if str(option["value"]) == str(value):
                return form_definitions.localized(option, "label")
    if spec.get("type") == "money":
        try:
            return money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            pass  # shown as typed: the check page lists it as a problem
    return str(value)


def answers(application: Application) -> list[dict[str, Any]]:
    """Each section of the form with its questions labelled as the applicant saw them."""
    blocks = []
    for section in form_definitions.sections(application.incentive):
        stored = application.data.get(section.key, {})
        items = []
        for spec in section.fields:
            value = stored.get(spec["key"])
            item: dict[str, Any] = {"spec": spec, "label": form_definitions.localized(spec, "label"), "rows": None}
            if spec["type"] == "rows":
                item["headers"] = [form_definitions.localized(sub, "label") for sub in spec["fields"]]
                item["rows"] = [
                    [
                        (form_definitions.localized(sub, "label"), display_value(sub, row.get(sub["key"])))
                        for sub in spec["fields"]
                    ]
                    for row in (value if isinstance(value, list) else [])
                    if isinstance(row, dict)
                ]
                item["value"] = ""
            else:
                item["value"] = display_value(spec, value)
            items.append(item)
        blocks.append({"section": section, "title": section.title, "key": section.key, "items": items})
    return blocks


def status_label(value: Any) -> str:
    if not value:
        return ""
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _detail(application: Application, event: Any, verb: str, documents: dict[int, str]) -> str:
    if event.action == "application.comment":
        comment: str = event.after.get("comment", "")
        return comment
    if event.action == "document.view":
        return documents.get(event.after.get("document"), "")
    if event.action == "personal_data.view":
        return str(REVEALABLE.get(event.after.get("field"), event.after.get("field", "")))
    if event.action in ("document.add", "document.remove"):
        return event.after.get("name") or event.before.get("name") or ""
    if "proposed_amount" in event.after:
        return _("%(amount)s CNY") % {"amount": money(Decimal(str(event.after["proposed_amount"])))}
    if event.after.get("supplement_deadline") and verb == "return":
        return _("answer by %(deadline)s") % {"deadline": event.after["supplement_deadline"]}
    return ""


def timeline(application: Application, *, for_official: bool) -> list[dict[str, Any]]:
    """The application's events in plain words: all of them for officials, for the applicant those
    they may see."""
    documents = {d.pk: d.original_name for d in application.documents.all()} if for_official else {}
    events = application_timeline(application, for_applicant=not for_official)
    entries = []
    for event in events.select_related("actor") if for_official else events:
        noun, _dot, verb = event.action.partition(".")
        label = BY_ACTION[verb].label if noun == "application" and verb in BY_ACTION else EVENT_LABELS.get(event.action)
        entries.append(
            {
                "event": event,
                "label": label or event.action,
                "detail": _detail(application, event, verb, documents),
                "status_before": status_label(event.before.get("status")),
                "status_after": status_label(event.after.get("status")),
                "internal": not event.visible_to_applicant,
            }
        )
    return entries


def live_estimate(application: Application) -> AmountResult:
    """The amount the answers give today; answers not yet valid count as not given."""
    try:
        claim = form_definitions.claim_from_answers(application.incentive, application.data)
    except (InvalidOperation, ValueError, AmountInputError):
        claim = Claim()
    return compute_amount(application.incentive, on=timezone.localdate(), claim=claim)


def stored_trace(application: Application) -> list[str]:
    """How the amount stored at submission was reached, in the reader's language."""
    return trace_lines(application.amount_trace)


# The stage each workflow move belongs to, as the applicant reads it (the outcome is the status the
# move leads to). Moves missing here (an official's internal steps) are not listed as stages.
STAGE_OF_ACTION = {
    "submit": gettext_lazy("Submission"),
    "submit_to_city": gettext_lazy("Submission"),
    "supplement": gettext_lazy("Supplement"),
    "city_supplement": gettext_lazy("Supplement"),
    "city_return": gettext_lazy("City first review"),
    "forward": gettext_lazy("City first review"),
    "confirm_not_recommended": gettext_lazy("City first review"),
    "accept": gettext_lazy("Acceptance"),
    "refuse": gettext_lazy("Acceptance"),
    "return": gettext_lazy("Acceptance and review"),
    "review": gettext_lazy("Review"),
    "handle": gettext_lazy("Review"),
    "approve": gettext_lazy("Decision"),
    "confirm_rejection": gettext_lazy("Decision"),
    "confirm_offer": gettext_lazy("Decision"),
    "decline_offer": gettext_lazy("Decision"),
    "announce": gettext_lazy("Public announcement"),
    "finalise": gettext_lazy("Public announcement"),
    "uphold_objection": gettext_lazy("Public announcement"),
    "pay": gettext_lazy("Payment"),
    "payment_fail": gettext_lazy("Payment"),
    "payment_cancel": gettext_lazy("Payment"),
    "recover": gettext_lazy("Recovery"),
    "recovered": gettext_lazy("Recovery"),
    "withdraw": gettext_lazy("Withdrawal"),
    "lapse": gettext_lazy("Supplement"),
}
# Statuses in which the department has decided to support the claim (the amount is decided).
SUPPORTED = frozenset(
    {
        Status.APPROVED,
        Status.ANNOUNCED,
        Status.FINAL,
        Status.PAID,
        Status.PAYMENT_FAILED,
        Status.PAYMENT_CANCELLED,
        Status.RECOVERING,
        Status.RECOVERED,
    }
)


def stage_outcomes(application: Application) -> list[dict[str, Any]]:
    """Each stage the application went through, with its outcome and date, from the moves the
    applicant may see (the same audit trail as the timeline), oldest first."""
    rows = []
    for event in application_timeline(application, for_applicant=True):
        noun, _dot, verb = event.action.partition(".")
        if noun != "application" or verb not in STAGE_OF_ACTION:
            continue
        rows.append(
            {
                "stage": str(STAGE_OF_ACTION[verb]),
                "outcome": status_label(event.after.get("status")) or str(BY_ACTION[verb].label),
                "at": event.at,
            }
        )
    return rows


def decision(application: Application) -> dict[str, Any] | None:
    """What the department decided, for the applicant: the amount decided beside the estimate, why
    the amount changed, and the reasons given; None before a decision."""
    if application.status == Status.REJECTED:
        return {"supported": False, "reasons": application.decision_reasons}
    if application.status not in SUPPORTED:
        return None
    amount = application.proposed_amount
    estimate = application.estimated_amount
    changed = amount is not None and estimate is not None and amount != estimate
    return {
        "supported": True,
        "amount": amount,
        "estimate": estimate,
        "changed": changed,
        "change_reason": application.amount_override_reason if changed else "",
        "reasons": application.decision_reasons,
    }
