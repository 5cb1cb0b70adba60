"""The officials' pages: the review queue and an application's page with its actions.

Views parse input, call one service (applications.review) and render. What an official may see
comes from applications.review_selectors (others' applications are a 404); what they may do
comes from the workflow table (`allowed_actions`), and the services check it again.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.identifiers import mask_resident_id
from accounts.models import BankAccount, OfficialRole
from accounts.permissions import is_administrator, is_finance, signed_in_user
from credit.screening import listed_reason
from credit.selectors import listing_for
from measures.amounts import AmountInputError, money
from portal.http import client_ip
from portal.languages import is_english

from .city_review import city_approve, city_propose, city_return, city_send_back
from .city_selectors import city_ranking
from .claim_keys import claims_elsewhere
from .document_views import document_file_response
from .hooks import REVIEW_STEPS, panels_for_application
from .matching import claim_verdict
from .models import Application
from .permissions import roles_for
from .presentation import answers, timeline
from .review import (
    BudgetRefused,
    application_accept,
    application_approve,
    application_assign,
    application_confirm_rejection,
    application_handle,
    application_propose,
    application_refuse,
    application_return,
    application_send_back,
    application_start_review,
    checklist_set,
    comment_add,
    decided_by_meeting,
    document_viewed,
    engine_amount,
    meeting_decides_message,
    personal_data_shown,
)
from .review_forms import (
    ACTION_FORMS,
    AssignForm,
    ChecklistForm,
    CommentForm,
    ProposeForm,
    RevealForm,
    VersionForm,
)
from .review_selectors import (
    OPEN_STATUSES,
    access_for_review,
    declaration_rows,
    department_handlers,
    is_official,
    is_overdue,
)
from .services import ApplicationError
from .workflow import WORKFLOW, ApplicationChanged, Role, TransitionNotAllowed

# Timeline labels for events that are not workflow transitions.
ERROR_FIELD = {
    "return": "missing",
    "refuse": "reasons",
    "handle": "note",
    "propose": "amount",
    "reject": "reasons",
    "send_back": "reason",
    "city_return": "missing",
    "recommend": "reasons",
    "not_recommend": "reasons",
    "city_send_back": "reason",
}
ACTION_HINTS = {
    "recommend": gettext_lazy("Propose to recommend it to the provincial department. A second official signs it."),
    "not_recommend": gettext_lazy(
        "Propose not to recommend it, with reasons. A second official signs it; then the applicant is told the reasons."
    ),
    "forward": gettext_lazy("Sign the recommendation: the application goes to the provincial department."),
    "confirm_not_recommended": gettext_lazy("Sign: not recommended. The applicant is told the reasons."),
    "accept": gettext_lazy("The application is complete: accept it for review. The applicant receives a notice."),
    "return": gettext_lazy(
        "Ask for missing documents or answers. The applicant has a number of working days to answer, "
        "or the application lapses."
    ),
    "refuse": gettext_lazy("Refuse to accept (不予受理) an application that does not qualify for this incentive."),
    "review": gettext_lazy("Start the review (初审) of an accepted application."),
    "handle": gettext_lazy("Record that the department has provided the service or recognition."),
    "propose": gettext_lazy("Propose support (拟支持) with an amount. A second official approves it."),
    "reject": gettext_lazy(
        "Propose not to support (不予支持) with reasons. A second official confirms it; then the applicant "
        "receives the decision notice."
    ),
    "approve": gettext_lazy("Confirm the handler's proposal. You may not approve your own proposal."),
    "confirm_rejection": gettext_lazy(
        "Confirm the proposal not to support: the applicant receives the decision notice with its reasons. "
        "You may not confirm your own proposal."
    ),
    "send_back": gettext_lazy("Send the proposal back to the handler with your reasons."),
}


def _access(request: HttpRequest, reference: str, *, for_page: bool = False) -> Application:
    """Officials only (an applicant's own page is under /applications/); others' applications 404."""
    if not is_official(request.user):
        raise Http404
    return access_for_review(request.user, reference, for_page=for_page)


def _to_page(application: Application) -> HttpResponse:
    return redirect("review:application", application.reference)


def _next_or(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# ── the queue ────────────────────────────────────────────────────────────────────────────────


@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Claim (the handler is the official) or assign to another handler of the department."""
    application = _access(request, reference)
    form = AssignForm(request.POST, handlers=department_handlers(request.user))
    back = _next_or(request, reverse("review:application", args=[application.reference]))
    if not form.is_valid():
        messages.error(request, _("Choose a handler of your department."))
        return redirect(back)
    handler = form.cleaned_data["handler"]
    try:
        application_assign(actor=signed_in_user(request), application=application, handler=handler)
    except (ApplicationError, TransitionNotAllowed) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        if handler.pk == request.user.pk:
            messages.success(request, _("%(reference)s is assigned to you.") % {"reference": application.reference})
        else:
            messages.success(
                request,
                _("%(reference)s is assigned to %(handler)s.")
                % {"reference": application.reference, "handler": handler},
            )
    return redirect(back)


# ── the application page ─────────────────────────────────────────────────────────────────────


def _engine(application: Application) -> tuple[Decimal | None, Decimal | None, list[str]]:
    try:
        return engine_amount(application)
    except (AmountInputError, InvalidOperation, ValueError, ArithmeticError):
        return None, None, []


def _checklist_items(application: Application) -> list[str]:
    """The incentive's checklist as labels: an item is text, or {"text"/"zh", "text_en"/"en"}."""
    english = is_english()
    labels = []
    for item in application.incentive.review_checklist or []:
        if isinstance(item, dict):
            chinese = item.get("text") or item.get("zh") or item.get("label") or ""
            other = item.get("text_en") or item.get("en") or item.get("label_en") or ""
            labels.append(str(other if english and other else chinese))
        else:
            labels.append(str(item))
    return labels


def _notices(application: Application) -> list[dict[str, Any]]:
    """The notices issued, each with its PDF link when the notices module provides one."""
    rows = []
    for notice in application.notices.all():
        try:
            url = reverse("verify:notice_pdf", args=[notice.pk])
        except NoReverseMatch:
            url = ""
        rows.append({"notice": notice, "url": url})
    return rows


def _document_rows(application: Application) -> list[dict[str, Any]]:
    documents = list(application.documents.all())
    rows = [
        {
            "name": required.localized("name"),
            "mandatory": required.is_mandatory,
            "documents": [d for d in documents if d.required_document_id == required.pk],
        }
        for required in application.incentive.required_documents.all()
    ]
    others = [d for d in documents if d.required_document_id is None]
    if others:
        rows.append({"name": _("Other supporting documents"), "mandatory": False, "documents": others})
    return rows


def _action_form(
    action: str,
    application: Application,
    engine: Decimal | None,
    cap: Decimal | None,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> VersionForm:
    form_class = ACTION_FORMS[action]
    # Prefixed by the action: several action forms share a page (and field names such as "reasons").
    kwargs: dict[str, Any] = {"initial": {**(initial or {}), "version": application.version}, "prefix": action}
    if form_class is ProposeForm:
        kwargs.update(engine=engine, cap=cap)
    return form_class(data, **kwargs)


def _render_page(
    request: HttpRequest,
    application: Application,
    *,
    bound: dict[str, VersionForm] | None = None,
    kept: dict[str, dict[str, Any]] | None = None,
    comment_form: CommentForm | None = None,
    checklist_form: ChecklistForm | None = None,
    problem: str = "",
    budget_problem: dict[str, Any] | None = None,
    changed: bool = False,
    revealed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    bound, kept = bound or {}, kept or {}
    roles = roles_for(user, application)
    engine, cap, trace = _engine(application)
    actions = []
    # A step whose guard refuses it (four-eyes: the official who proposed or handles it) is not
    # offered; the page says why. The transition checks it again.
    four_eyes = False
    meeting_decides = ""
    for rule, refusal in WORKFLOW.actions(application, user):
        step = REVIEW_STEPS.get(rule.action)  # a higher app's step (recovery): its form posts to its page
        if rule.action not in ACTION_FORMS and step is None:
            continue  # steps of later stages (announcement, payment) have their own pages
        if rule.action in ("propose", "reject") and decided_by_meeting(application):
            meeting_decides = meeting_decides_message()  # the decisions app's meeting proposes
            continue
        if refusal is not None:
            four_eyes = True
            continue
        if step is not None:
            actions.append(
                {
                    "action": rule.action,
                    "label": rule.label,
                    "hint": step.hint,
                    "form": step.form(application, user),
                    "url": step.post_url(application),
                }
            )
            continue
        form = bound.get(rule.action) or _action_form(
            rule.action, application, engine, cap, initial=kept.get(rule.action)
        )
        actions.append(
            {"action": rule.action, "label": rule.label, "hint": ACTION_HINTS.get(rule.action), "form": form}
        )
    items = _checklist_items(application)
    can_handle = Role.HANDLER in roles
    checklist_form = checklist_form or ChecklistForm(items=items, ticked=application.checklist or {})
    error_links = [
        (f"#{form[name].auto_id}" if name in form.fields else f"#action-{name}", message)
        for form in bound.values()
        for name, errors in form.errors.items()
        for message in errors
    ]
    if comment_form is not None:
        error_links += [(f"#{comment_form['text'].auto_id}", m) for m in comment_form.errors.get("text", [])]
    applicant = application.applicant
    try:
        bank: BankAccount | None = applicant.bank_account
    except BankAccount.DoesNotExist:
        bank = None
    revealed = revealed or {}
    listing = listing_for(applicant)  # 信用审查, live: a listing added or ended shows at once
    response = render(
        request,
        "review/application.html",
        {
            "application": application,
            "applicant": applicant,
            "roles": roles,
            "read_only": not roles & {Role.HANDLER, Role.APPROVER, Role.CITY_HANDLER, Role.CITY_APPROVER},
            "overdue": is_overdue(application),
            "is_open": application.status in OPEN_STATUSES,
            "answers": answers(application),
            "document_rows": _document_rows(application),
            "engine": engine,
            "cap": cap,
            "trace": trace,
            "actions": actions,
            "checklist_items": items,
            "checklist_form": checklist_form,
            "can_tick": can_handle,
            "comments": list(application.comments.all()),
            "comment_form": comment_form or CommentForm(),
            "can_comment": bool(roles & {Role.HANDLER, Role.APPROVER}),
            "can_assign": can_handle and application.status in OPEN_STATUSES,
            "handlers": list(department_handlers(user)) if can_handle else [],
            "timeline": timeline(application, for_official=True),
            "same_claim": list(claims_elsewhere(application)),
            "declarations": declaration_rows(application),
            "conditions": claim_verdict(application),
            "notices": _notices(application),
            "qualifications": list(applicant.qualifications.all()),
            "resident_id_masked": mask_resident_id(applicant.resident_id or "") if applicant.resident_id else "",
            "resident_id_full": revealed.get("resident_id", ""),
            "bank": bank,
            "bank_number_full": revealed.get("bank_account", ""),
            "problem": problem,
            "budget_problem": budget_problem,
            "changed": changed,
            "error_links": error_links,
            "is_approver": user.official_role == OfficialRole.APPROVER,
            "four_eyes": four_eyes,
            "meeting_decides": meeting_decides,
            "panels": panels_for_application(application, user, for_official=True),
            "credit_warning": listed_reason(listing) if listing else "",
            # 地市初审推荐: the city's recommendation and its rank on the city's latest letter.
            "city_ranking": city_ranking(application) if application.city_decided_at else None,
        },
        status=status,
    )
    if revealed:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
def application_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_page(request, _access(request, reference, for_page=True))


def _perform(action: str, request: HttpRequest, application: Application, data: dict[str, Any]) -> Application:
    common: dict[str, Any] = {
        "actor": request.user,
        "application": application,
        "expected_version": data.get("version"),
        "ip_address": client_ip(request),
    }
    if action == "accept":
        return application_accept(**common)
    if action == "return":
        return application_return(missing=data["missing"], **common)
    if action == "refuse":
        return application_refuse(reasons=data["reasons"], **common)
    if action == "review":
        return application_start_review(**common)
    if action == "handle":
        return application_handle(note=data.get("note", ""), **common)
    if action == "propose":
        return application_propose(
            support=True,
            amount=data.get("amount"),
            override_reason=data.get("override_reason", ""),
            reasons=data.get("reasons", ""),
            **common,
        )
    if action == "reject":
        return application_propose(support=False, reasons=data["reasons"], **common)
    if action == "approve":
        return application_approve(**common)
    if action == "confirm_rejection":
        return application_confirm_rejection(**common)
    if action == "send_back":
        return application_send_back(reason=data["reason"], **common)
    if action == "city_return":
        return city_return(missing=data["missing"], **common)
    if action in ("recommend", "not_recommend"):
        return city_propose(recommend=action == "recommend", reasons=data["reasons"], **common)
    if action in ("forward", "confirm_not_recommended"):
        return city_approve(**common)
    if action == "city_send_back":
        return city_send_back(reason=data["reason"], **common)
    raise Http404


def _done_message(action: str, application: Application) -> str:
    reference = application.reference
    if action == "accept":
        return _("%(reference)s is accepted. The review is due by %(due)s.") % {
            "reference": reference,
            "due": application.stage_due_on,
        }
    if action == "return":
        message = _("%(reference)s is returned for supplement. The applicant must answer by %(deadline)s.") % {
            "reference": reference,
            "deadline": application.supplement_deadline,
        }
        event = getattr(application, "audit_event", None)
        if event is not None and event.after.get("deadline_provisional"):
            message += " " + _(
                "The deadline falls in a year without an official holiday schedule yet: check it against the "
                "published calendar."
            )
        return message
    if action == "refuse":
        return _("%(reference)s is not accepted. The applicant receives a notice with your reasons.") % {
            "reference": reference
        }
    if action == "review":
        return _("The review of %(reference)s has started.") % {"reference": reference}
    if action == "handle":
        return _("%(reference)s is marked as handled.") % {"reference": reference}
    if action == "propose":
        return _("Support with %(amount)s CNY is proposed. It now waits for a second official's approval.") % {
            "amount": money(application.proposed_amount) if application.proposed_amount is not None else "—"
        }
    if action == "reject":
        return _("Not supporting %(reference)s is proposed. It now waits for a second official's sign-off.") % {
            "reference": reference
        }
    if action == "confirm_rejection":
        return _("%(reference)s is not supported. The applicant receives the decision notice.") % {
            "reference": reference
        }
    if action == "approve":
        return _("The proposal for %(reference)s is approved.") % {"reference": reference}
    if action == "city_return":
        return _("%(reference)s is returned for supplement. The applicant must answer by %(deadline)s.") % {
            "reference": reference,
            "deadline": application.supplement_deadline,
        }
    if action in ("recommend", "not_recommend"):
        return _("The recommendation for %(reference)s is proposed. It now waits for a second official's sign-off.") % {
            "reference": reference
        }
    if action == "forward":
        return _("%(reference)s is recommended to the provincial department.") % {"reference": reference}
    if action == "confirm_not_recommended":
        return _("%(reference)s is not recommended. The applicant is told the reasons.") % {"reference": reference}
    return _("The proposal for %(reference)s is sent back to the handler.") % {"reference": reference}


def _budget_problem(request: HttpRequest, application: Application, refused: BudgetRefused) -> dict[str, Any]:
    """What the page says when the budget refuses an approval: finance officers and administrators
    (who set budgets) get a link to the year's budgets; other officials are told to ask finance."""
    user = signed_in_user(request)
    may_set = is_finance(user) or is_administrator(user)  # budgets.permissions.may_manage_budgets (a higher app)
    year = application.fiscal_year
    return {
        "not_set": refused.code == "budget_not_set",
        "message": refused.message,
        "year": year,
        "incentive": application.incentive.localized("name"),
        "budgets_url": f"{reverse('disbursement:budgets')}?year={year}" if may_set else "",
    }


@login_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One review action, from its form on the application page; the version seen goes with it."""
    if action not in ACTION_FORMS:
        raise Http404
    application = _access(request, reference, for_page=True)
    engine, cap, _trace = _engine(application)
    form = _action_form(action, application, engine, cap, data=request.POST)
    if not form.is_valid():
        return _render_page(request, application, bound={action: form}, status=400)
    try:
        done = _perform(action, request, application, form.cleaned_data)
    except BudgetRefused as exc:
        # Not a mistake in the form: the budget cannot take the amount (or finance has set none).
        # The page says so, what is left, and who can fix it; nothing changed.
        return _render_page(request, application, budget_problem=_budget_problem(request, application, exc), status=400)
    except ApplicationError as exc:
        form.add_error(ERROR_FIELD.get(action), exc.message)
        return _render_page(request, application, bound={action: form}, status=409 if exc.conflict else 400)
    except TransitionNotAllowed as exc:
        # Show the application as it is now; what was typed is kept, with the version now current.
        fresh = _access(request, reference, for_page=True)
        kept = {action: {k: v for k, v in form.cleaned_data.items() if k != "version"}}
        changed = isinstance(exc, ApplicationChanged)
        return _render_page(request, fresh, kept=kept, problem=str(exc), changed=changed, status=409)
    messages.success(request, _done_message(action, done))
    return _to_page(done)


@login_required
@require_POST
def comment(request: HttpRequest, reference: str) -> HttpResponse:
    application = _access(request, reference, for_page=True)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_page(request, application, comment_form=form, status=400)
    try:
        comment_add(actor=signed_in_user(request), application=application, text=form.cleaned_data["text"])
    except ApplicationError as exc:
        form.add_error("text", exc.message)
        return _render_page(request, application, comment_form=form, status=400)
    except TransitionNotAllowed as exc:
        return _render_page(request, application, problem=str(exc), status=409)
    messages.success(request, _("Your internal comment is added."))
    return redirect(reverse("review:application", args=[application.reference]) + "#comments")


@login_required
@require_POST
def checklist(request: HttpRequest, reference: str) -> HttpResponse:
    application = _access(request, reference, for_page=True)
    form = ChecklistForm(request.POST, items=_checklist_items(application), ticked={})
    form.is_valid()  # checkboxes: every combination is valid
    try:
        checklist_set(actor=signed_in_user(request), application=application, ticked=form.ticked())
    except TransitionNotAllowed as exc:
        return _render_page(request, application, problem=str(exc), status=409)
    messages.success(request, _("The review checklist is saved."))
    return redirect(reverse("review:application", args=[application.reference]) + "#checklist")


@login_required
@require_POST
@never_cache
def reveal(request: HttpRequest, reference: str) -> HttpResponse:
    """Shows the unmasked resident ID or bank account number once, and records that it was shown."""
    application = _access(request, reference, for_page=True)
    form = RevealForm(request.POST)
    if not form.is_valid():
        raise Http404
    what = form.cleaned_data["what"]
    applicant = application.applicant
    if what == "resident_id":
        value = applicant.resident_id or ""
    else:
        value = getattr(getattr(applicant, "bank_account", None), "account_number", "") or ""
    if not value:
        raise Http404
    personal_data_shown(
        actor=signed_in_user(request), application=application, what=what, ip_address=client_ip(request)
    )
    return _render_page(request, application, revealed={what: value})


@login_required
def document(request: HttpRequest, reference: str, document_id: int) -> FileResponse:
    """The applicant's document, shown inline; every view by an official is an audit event."""
    application = _access(request, reference, for_page=True)
    found = next((d for d in application.documents.all() if d.pk == document_id), None)
    if found is None:
        raise Http404
    response = document_file_response(found)
    document_viewed(
        actor=signed_in_user(request), application=application, document_id=found.pk, ip_address=client_ip(request)
    )
    return response
