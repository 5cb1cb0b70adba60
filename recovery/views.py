"""The recovery pages (追回), under /recovery/ (app_name "recovery").

    /recovery/                                  recoveries the user may see; finance: those awaiting refunds first
    /recovery/applications/<reference>/         an approver decides to recover (the form is also on the
                                                officials' application page, which posts here)
    /recovery/<number>/                         one recovery: the decision, its refunds, finance's refund form
    /recovery/<number>/refunds/                 POST: finance records a refund

Views parse input, call one service and render; who sees what is recovery.selectors'.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import is_finance, signed_in_user
from applications.models import Application, Notice
from applications.review_selectors import access_for_review, is_official
from applications.workflow import ApplicationChanged, TransitionNotAllowed, allowed_actions
from measures.amounts import money
from portal.http import client_ip

from .forms import RecoverForm, RefundForm
from .models import Recovery
from .selectors import recoverable, recoveries_list, recovery_for, recovery_refunds
from .services import RecoveryError, recovery_decide, refund_record

RECOVERIES_PAGE_SIZE = 50


@login_required
def recoveries(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    shown = request.GET.get("show") or ""
    awaiting = {"awaiting": True, "refunded": False}.get(shown)
    page = Paginator(recoveries_list(user, awaiting=awaiting), RECOVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        {"value": value, "label": label, "current": shown == value}
        for value, label in (("", _("All")), ("awaiting", _("Awaiting refunds")), ("refunded", _("Refunded in full")))
    ]
    return render(
        request,
        "recovery/list.html",
        {
            "page": page,
            "tabs": tabs,
            "page_query": f"show={shown}" if shown else "",
            "is_finance": is_finance(user),
            "section": "recoveries",
        },
    )


def _decide_page(
    request: HttpRequest, application: Application, form: RecoverForm, *, problem: str = "", status: int = 200
) -> HttpResponse:
    # The form only where the workflow lets this official recover now (the service checks again).
    may_recover = any(rule.action == "recover" for rule in allowed_actions(application, request.user))
    if not may_recover and not problem:
        problem = _("You may not recover money paid on this application now.")
    return render(
        request,
        "recovery/decide.html",
        {
            "application": application,
            "form": form if may_recover else None,
            "recoverable": recoverable(application),
            "problem": problem,
        },
        status=status,
    )


@login_required
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """An approver of the responsible department decides to recover money paid (追回)."""
    if not is_official(request.user):
        raise Http404
    application = access_for_review(request.user, reference)
    if request.method != "POST":
        most = recoverable(application)
        return _decide_page(request, application, RecoverForm(initial={"version": application.version, "amount": most}))
    form = RecoverForm(request.POST)
    if not form.is_valid():
        return _decide_page(request, application, form, status=400)
    data = form.cleaned_data
    try:
        recovery = recovery_decide(
            actor=signed_in_user(request),
            application=application,
            amount=data["amount"],
            reasons=data["reasons"],
            ban_years=data["ban_years"],
            expected_version=data.get("version"),
            ip_address=client_ip(request),
        )
    except RecoveryError as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _decide_page(request, application, form, status=400)
    except TransitionNotAllowed as refused:
        fresh = access_for_review(request.user, reference)
        status = 409
        if isinstance(refused, ApplicationChanged):
            form = RecoverForm(initial={**data, "version": fresh.version})
        return _decide_page(request, fresh, form, problem=str(refused), status=status)
    messages.success(
        request,
        _("Recovery %(number)s of %(amount)s CNY is decided. The applicant receives the recovery notice.")
        % {"number": recovery.number, "amount": money(recovery.amount)},
    )
    return redirect("recovery:detail", recovery.number)


def _detail_page(
    request: HttpRequest, recovery: Recovery, *, refund_form: RefundForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    can_refund = is_finance(user) and not recovery.is_complete
    notice = Notice.objects.filter(
        application_id=recovery.application_id, kind=Notice.Kind.RECOVERY, event_sequence=recovery.event_sequence
    ).first()
    return render(
        request,
        "recovery/detail.html",
        {
            "recovery": recovery,
            "application": recovery.application,
            "refunds": list(recovery_refunds(recovery)),
            "notice": notice,
            "is_applicant": bool(user.applicant_id),
            "refund_form": (refund_form or RefundForm(initial={"amount": recovery.outstanding}))
            if can_refund
            else None,
            "section": "recoveries",
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail_page(request, recovery_for(request.user, number))


@login_required
def refund(request: HttpRequest, number: str) -> HttpResponse:
    """Finance records a refund; the page shows it again with the problem otherwise."""
    recovery = recovery_for(request.user, number)
    if request.method != "POST":
        return redirect("recovery:detail", recovery.number)
    if not is_finance(request.user):
        raise PermissionDenied
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, recovery, refund_form=form, status=400)
    data: dict[str, Any] = form.cleaned_data
    try:
        recorded = refund_record(
            actor=signed_in_user(request),
            recovery=recovery,
            amount=data["amount"],
            received_on=data["received_on"],
            bank_reference=data["bank_reference"],
            ip_address=client_ip(request),
        )
    except RecoveryError as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        fresh = recovery_for(request.user, number)
        return _detail_page(request, fresh, refund_form=form, status=400)
    messages.success(
        request,
        _("A refund of %(amount)s CNY is recorded on %(number)s.")
        % {"amount": money(recorded.amount), "number": recovery.number},
    )
    return redirect("recovery:detail", recovery.number)
