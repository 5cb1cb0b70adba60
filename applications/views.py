"""The applicant's applying pages: start, task list, sections, documents, check, submit,
confirmation, withdraw, supplement and the list of their applications.

Views only parse input, call one service and render: every rule lives in services.py, every
read that decides who may see what in selectors.py (others' applications are a 404).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypedDict, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import signed_in_user
from calls.models import Call
from credit.selectors import commitment_for
from measures.amounts import compute_amount
from measures.models import Incentive, RequiredDocument
from portal.http import client_ip

from . import form_definitions
from .claim_keys import claimed_before
from .forms import StartForm, SupplementForm, WithdrawForm
from .hooks import applicant_facts, panels_for_application
from .matching import claim_verdict
from .models import CLOSED_STATUSES, Application, ApplicationDocument, Status
from .presentation import answers, decision, live_estimate, stage_outcomes, stored_trace, timeline
from .selectors import access_application, application_list
from .services import (
    CREDIT_COMMITMENT,
    EDITABLE,
    ApplicationError,
    DuplicateApplication,
    TransitionNotAllowed,
    application_create,
    application_save_section,
    application_submit,
    application_supplement,
    application_withdraw,
)
from .states import RETURNED_STATUSES
from .workflow import NEXT_STEP_FOR_APPLICANT, allowed_actions

# ── helpers ──────────────────────────────────────────────────────────────────────────────────

PENDING_POST = "applications.pending_post"
PENDING_POST_MAX_CHARS = 100_000


def login_required_keeping_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a form POSTed after the session expired is kept in the (new,
    anonymous) session and offered again on the same page after signing in: nothing typed is
    lost. Signing in keeps anonymous session data (django.contrib.auth.login cycles the key)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
            if sum(len(v) for values in data.values() for v in values) <= PENDING_POST_MAX_CHARS:
                request.session[PENDING_POST] = {"path": request.path, "data": data}
        return redirect_to_login(request.get_full_path())

    return wrapper


def _pop_pending_post(request: HttpRequest) -> QueryDict | None:
    pending = request.session.get(PENDING_POST)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_POST]
    posted = QueryDict(mutable=True)
    for key, values in pending["data"].items():
        posted.setlist(key, values)
    return posted


def page_key(application: Application) -> str:
    return str(application.reference or application.pk)


def detail_redirect(application: Application) -> HttpResponse:
    return redirect("applications:detail", page_key(application))


def _section_or_404(application: Application, section_key: str) -> form_definitions.Section:
    for section in form_definitions.sections(application.incentive):
        if section.key == section_key:
            return section
    raise Http404


def _section_state(application: Application, section: form_definitions.Section) -> str:
    if section.key not in application.data:
        return "not_started"
    if form_definitions.section_is_complete(application.incentive, application.data, section):
        return "completed"
    return "in_progress"


class DocumentRow(TypedDict):
    required: RequiredDocument
    documents: list[ApplicationDocument]


def document_rows(application: Application) -> tuple[list[DocumentRow], list[ApplicationDocument], str]:
    """Each required document with the files provided for it; other files; the task's state."""
    documents = list(application.documents.all())
    rows: list[DocumentRow] = []
    for required in application.incentive.required_documents.all():
        provided = [d for d in documents if d.required_document_id == required.pk]
        rows.append({"required": required, "documents": provided})
    others = [d for d in documents if d.required_document_id is None]
    missing = [r for r in rows if r["required"].is_mandatory and not r["documents"]]
    state = "completed" if not missing else ("in_progress" if documents else "not_started")
    return rows, others, state


def _answers_with_state(application: Application) -> list[dict[str, Any]]:
    """The answers for check-your-answers pages, each section with its task-list state."""
    return [{**block, "state": _section_state(application, block["section"])} for block in answers(application)]


def _problem_links(application: Application, problems: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(href, message) for an error summary on the check page: each links to where to fix it."""
    links = []
    for section_key, items in problems.items():
        if section_key == CREDIT_COMMITMENT:
            links += [("#credit-commitment", message) for _field, message in items]
            continue
        if section_key == "documents":
            href = reverse("applications:documents", args=[page_key(application)])
            links += [(href, message) for _field, message in items]
            continue
        base = reverse("applications:section", args=[page_key(application), section_key])
        links += [(f"{base}?return=check#{field}" if field else base, message) for field, message in items]
    return links


# ── section forms ────────────────────────────────────────────────────────────────────────────


def _for_people(form: forms.Form) -> forms.Form:
    """Text inputs for numbers (a browser's number input drops what it cannot parse, and GOV.UK
    advises against it), and no `required` attribute: a draft may be saved half-filled."""
    form.use_required_attribute = False
    for field in form.fields.values():
        if isinstance(field, forms.DecimalField):
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        elif isinstance(field, forms.IntegerField):
            field.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    return form


def _display_binding(
    section: form_definitions.Section, answers: dict[str, Any], *, add_row_to: str = ""
) -> form_definitions.SectionResult:
    """Binds stored answers for showing them again, with at least one row in each rows field
    (one more in `add_row_to`)."""
    posted: dict[str, Any] = {k: v for k, v in answers.items() if not isinstance(v, list)}
    for spec in section.fields:
        if spec["type"] != "rows":
            continue
        rows = answers.get(spec["key"]) or []
        rows = rows if isinstance(rows, list) else []
        spare = 1 if spec["key"] == add_row_to else 0
        spare = max(spare, spec.get("min_rows", 0) - len(rows), 1 - len(rows), 0)
        posted.update(form_definitions.rows_as_formset_data(spec["key"], rows, spare=spare))
    return form_definitions.bind_section(section, None, posted=posted)


def _section_items(section: form_definitions.Section, result: form_definitions.SectionResult) -> list[dict[str, Any]]:
    """The section's questions in the definition's order, each a field or a group of rows."""
    _for_people(result.form)
    items = []
    for spec in section.fields:
        if spec["type"] == "rows":
            formset = result.formsets[spec["key"]]
            for row_form in formset.forms:
                _for_people(row_form)
            items.append(
                {
                    "rows": True,
                    "key": spec["key"],
                    "label": form_definitions.localized(spec, "label"),
                    "help": form_definitions.localized(spec, "help"),
                    "formset": formset,
                    "max_rows": spec.get("max_rows", 50),
                }
            )
        else:
            items.append({"rows": False, "field": result.form[spec["key"]]})
    return items


def _summary_links(result: form_definitions.SectionResult) -> list[tuple[str, str]]:
    """(href, message) for the error summary: each problem links to its field; a row's problem
    names its row and its field."""
    rows = {
        (f"id_{key}-{index}-{name}", str(message)): _("Row %(n)s, %(label)s: %(message)s")
        % {"n": index + 1, "label": formset.forms[index].fields[name].label, "message": message}
        for key, formset in result.formsets.items()
        for index, row_errors in enumerate(cast(list[ErrorDict], formset.errors))  # the stubs: ErrorList
        for name, messages in row_errors.items()
        if name in formset.forms[index].fields
        for message in messages
    }
    links = []
    for field_id, message in result.errors():
        if field_id.endswith("-TOTAL_FORMS"):
            field_id = field_id.removeprefix("id_").removesuffix("-TOTAL_FORMS") + "-rows"
        for (row_id, row_message), text in rows.items():
            if row_id == field_id and message.endswith(row_message):
                message = text
                break
        links.append((f"#{field_id}" if field_id else "", message))
    return links


# ── pages ────────────────────────────────────────────────────────────────────────────────────


@login_required
def application_list_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(application_list(request.user, own_only=True), 50).get_page(request.GET.get("page"))
    rows = [(a, NEXT_STEP_FOR_APPLICANT.get(a.status, "")) for a in page.object_list]
    return render(request, "applications/list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, incentive_code: str) -> HttpResponse:
    incentive = get_object_or_404(
        Incentive.objects.select_related("measure", "handling_department").prefetch_related(
            "amount_parameters", "criteria", "required_documents"
        ),
        code=incentive_code,
    )
    # From the catalog's "apply" button: the call it was pressed under.
    call_id = (request.POST if request.method == "POST" else request.GET).get("call", "")
    call = Call.objects.filter(pk=int(call_id), incentives=incentive).first() if call_id.isdigit() else None
    form = StartForm(request.POST if request.method == "POST" else None, call=call)
    problem = ""
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create(
                actor=signed_in_user(request),
                incentive=incentive,
                fiscal_year=form.cleaned_data["fiscal_year"],
                call=call,
            )
        except DuplicateApplication as exc:
            problem, existing = exc.message, exc.existing
        except ApplicationError as exc:
            problem = exc.message
        else:
            messages.success(request, _("Your draft application is started. Answer each section, then submit."))
            return detail_redirect(application)
    open_ones = list(
        application_list(request.user, own_only=True).filter(incentive=incentive).exclude(status__in=CLOSED_STATUSES)
    )
    return render(
        request,
        "applications/start.html",
        {
            "incentive": incentive,
            "call": call,
            "estimate": compute_amount(incentive, on=timezone.localdate()),
            "form": form,
            "problem": problem,
            "existing": existing,
            "open_applications": open_ones,
            "form_error_links": [(f"#{form['fiscal_year'].auto_id}_0", m) for m in form.errors.get("fiscal_year", [])],
        },
        status=409 if existing else 400 if problem or form.errors else 200,
    )


@login_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    if application.status == Status.DRAFT:
        return _task_list(request, application)
    return _submitted_detail(request, application)


def _task_list(request: HttpRequest, application: Application) -> HttpResponse:
    sections = form_definitions.sections(application.incentive)
    tasks = [{"section": s, "state": _section_state(application, s)} for s in sections]
    _rows, _others, documents_state = document_rows(application)
    done = sum(1 for t in tasks if t["state"] == "completed") + (documents_state == "completed")
    return render(
        request,
        "applications/task_list.html",
        {
            "application": application,
            "key": page_key(application),
            "tasks": tasks,
            "documents_state": documents_state,
            "done": done,
            "total": len(tasks) + 1,
            "ready": done == len(tasks) + 1,
        },
    )


def _submitted_detail(
    request: HttpRequest,
    application: Application,
    *,
    supplement_form: SupplementForm | None = None,
    problem: str = "",
    problems: dict[str, list[tuple[str, str]]] | None = None,
    status: int = 200,
) -> HttpResponse:
    returned = application.status in RETURNED_STATUSES
    rows, others, _state = document_rows(application)
    actions = {t.action for t in allowed_actions(application, request.user)}
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "key": page_key(application),
            "next_step": NEXT_STEP_FOR_APPLICANT.get(application.status, ""),
            "trace": stored_trace(application),
            "answers": _answers_with_state(application),
            "document_rows": rows,
            "other_documents": others,
            "timeline": timeline(application, for_official=False),
            "stages": stage_outcomes(application),
            "decision": decision(application),
            "panels": panels_for_application(application, request.user, for_official=False),
            "notices": list(application.notices.order_by("issued_at")),
            "can_withdraw": "withdraw" in actions,
            "can_supplement": bool({"supplement", "city_supplement"} & actions),
            "returned": returned,
            "supplement_form": supplement_form or SupplementForm(),
            "problem": problem,
            "problem_links": _problem_links(application, problems or {}),
            "commitment": commitment_for(application.incentive),
            "commitment_error": next((m for _f, m in (problems or {}).get(CREDIT_COMMITMENT, [])), ""),
            # Submission refuses an unconfirmed address (EmailUnverified): said before the button too.
            "email_unverified": getattr(request.user, "email_verified_at", None) is None,
            "extra_facts": [fact for facts in applicant_facts.send(application=application) for fact in facts],
        },
        status=status,
    )


@login_required_keeping_post
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, key: str, section_key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    current = _section_or_404(application, section_key)
    if application.status not in EDITABLE:
        messages.info(request, _("This application can no longer be changed."))
        return detail_redirect(application)
    return_to_check = request.GET.get("return") == "check"
    posted = request.POST if request.method == "POST" else _pop_pending_post(request)
    restored = request.method == "GET" and posted is not None
    show_errors = False
    problem = ""
    if posted is None:
        stored = application.data.get(current.key)
        if stored is None:
            result = form_definitions.bind_section(current, None)
        else:
            result = _display_binding(current, stored)
            show_errors = not result.is_valid()
    else:
        result = form_definitions.bind_section(current, None, posted=posted)
        answers = result.raw()
        try:
            application = application_save_section(
                actor=signed_in_user(request), application=application, section_key=current.key, answers=answers
            )
        except TransitionNotAllowed as exc:
            # Nothing saved (changed meanwhile, or no longer editable): show what was typed.
            problem = str(exc)
        else:
            if restored:
                messages.warning(
                    request,
                    _("You were signed out before your answers were saved. We kept what you typed and saved it now."),
                )
            add_row_to = posted.get("add_row", "")
            if add_row_to in result.formsets:
                result = _display_binding(current, answers, add_row_to=add_row_to)
            elif "later" in posted:
                messages.success(request, _("Your answers are saved as a draft. You can come back to them later."))
                return detail_redirect(application)
            elif result.is_valid() and not restored:
                if return_to_check and application.status == Status.DRAFT:
                    return redirect("applications:check", page_key(application))
                return detail_redirect(application)
            else:
                show_errors = not result.is_valid()
    sections = form_definitions.sections(application.incentive)
    position = next(i for i, s in enumerate(sections) if s.key == current.key)
    return render(
        request,
        "applications/section.html",
        {
            "application": application,
            "key": page_key(application),
            "section": current,
            "position": position + 1,
            "section_count": len(sections),
            "items": _section_items(current, result),
            "non_field_errors": result.form.non_field_errors() if show_errors else [],
            "show_errors": show_errors,
            "error_links": _summary_links(result) if show_errors else [],
            "problem": problem,
            "return_to_check": return_to_check,
        },
        status=200,
    )


def _check_page(
    request: HttpRequest,
    application: Application,
    *,
    problem: str = "",
    problems: dict[str, list[tuple[str, str]]] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows, others, _state = document_rows(application)
    return render(
        request,
        "applications/check.html",
        {
            "application": application,
            "key": page_key(application),
            "answers": _answers_with_state(application),
            "document_rows": rows,
            "other_documents": others,
            "estimate": live_estimate(application),
            "conditions": claim_verdict(application),
            # Once only: say that an item was claimed or funded before, never by whom.
            "claimed_before": claimed_before(application),
            "problem": problem,
            "problem_links": _problem_links(application, problems or {}),
            "commitment": commitment_for(application.incentive),
            "commitment_error": next((m for _f, m in (problems or {}).get(CREDIT_COMMITMENT, [])), ""),
            # Submission refuses an unconfirmed address (EmailUnverified): said before the button too.
            "email_unverified": getattr(request.user, "email_verified_at", None) is None,
            # And an enterprise whose identity is not verified (EnterpriseUnverified).
            "enterprise_unverified": not application.applicant.identity_verified,
        },
        status=status,
    )


@login_required
def check(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    if application.status != Status.DRAFT:
        return detail_redirect(application)
    return _check_page(request, application)


@login_required
@require_POST
def submit(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    try:
        submitted = application_submit(
            actor=signed_in_user(request),
            application=application,
            credit_commitment=request.POST.get("credit_commitment") == "yes",
            commitment_version=request.POST.get("commitment_version") or None,
            ip_address=client_ip(request),
        )
    except ApplicationError as exc:
        # A missing commitment alone is said once, by its link to the box.
        problem = "" if list(exc.problems) == [CREDIT_COMMITMENT] else exc.message
        status = 409 if exc.conflict else 400
        return _check_page(request, application, problem=problem, problems=exc.problems, status=status)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return detail_redirect(application)
    return redirect("applications:confirmation", page_key(submitted))


@login_required
def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    if not application.reference:
        return detail_redirect(application)
    return render(
        request,
        "applications/confirmation.html",
        {"application": application, "next_step": NEXT_STEP_FOR_APPLICANT.get(application.status, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                actor=signed_in_user(request),
                application=application,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Your application %(reference)s is withdrawn.") % {"reference": page_key(application)}
            )
        return detail_redirect(application)
    if "withdraw" not in {t.action for t in allowed_actions(application, request.user)}:
        messages.info(request, _("This application cannot be withdrawn now."))
        return detail_redirect(application)
    return render(
        request, "applications/withdraw.html", {"application": application, "key": page_key(application), "form": form}
    )


@login_required
@require_POST
def supplement(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    form = SupplementForm(request.POST)
    if not form.is_valid():
        return _submitted_detail(request, application, supplement_form=form, status=400)
    try:
        application_supplement(
            actor=signed_in_user(request),
            application=application,
            note=form.cleaned_data["note"],
            ip_address=client_ip(request),
        )
    except ApplicationError as exc:
        return _submitted_detail(
            request, application, supplement_form=form, problem=exc.message, problems=exc.problems, status=400
        )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return detail_redirect(application)
    messages.success(request, _("Your supplement is sent to the department."))
    return detail_redirect(application)
