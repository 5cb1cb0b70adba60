"""Pages of enterprise identity (accounts/identity.py): the applicant's verification page, claiming
a registered credit code, the officials' queue of business licences and their decision page.

    /accounts/identity/                       the user's enterprise identity: status, licence upload
    /accounts/identity/<id>/withdraw/         the requester withdraws a pending request
    /accounts/identity/<id>/licence/          the licence file (requester and verifying officials)
    /accounts/claim/                          claim a credit code someone else registered
    /accounts/verifications/                  officials: pending licences, oldest first
    /accounts/verifications/<id>/             officials: check one, approve or reject with a reason
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.http import client_ip
from portal.workflow import TransitionNotAllowed

from . import identity
from .forms import _AccountFields, _PasswordMixin, apply_service_errors
from .identifiers import validate_uscc
from .models import IdentityCheck, User
from .oidc import sso_enabled
from .permissions import may_verify_enterprises, signed_in_user
from .throttling import registration_throttled, registration_throttled_message
from .workflow import WORKFLOW

BACKEND = "django.contrib.auth.backends.ModelBackend"
LICENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _licence_field() -> forms.FileField:
    return forms.FileField(
        label=gettext_lazy("Business licence (营业执照)"),
        required=False,  # the service says what is missing, in its words
        allow_empty_file=True,
        help_text=gettext_lazy("A scan or photo of the whole licence: PDF, JPEG or PNG, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": LICENCE_ACCEPT}),
    )


class VerificationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Enterprise name"),
        max_length=200,
        help_text=gettext_lazy("Exactly as on the business licence; it replaces the registered name."),
    )
    licence = _licence_field()


class ClaimForm(forms.Form):
    uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=40,
        help_text=gettext_lazy("18 characters, as on the business licence (统一社会信用代码)."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Enterprise name"), max_length=200, help_text=gettext_lazy("As on the business licence.")
    )
    licence = _licence_field()

    def clean_uscc(self) -> str:
        return validate_uscc(self.cleaned_data["uscc"])


class ClaimWithAccountForm(ClaimForm, _AccountFields, _PasswordMixin):
    """Someone not signed in makes their own account with the claim."""

    field_order = ["uscc", "name", "licence", "username", "email", "password", "password_confirm"]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        required=False,
        max_length=identity.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the requester: what the licence shows, or what is missing."),
    )


def verifier_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of officials who verify enterprises: others signed in get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_verify_enterprises(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- the applicant's side ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def identity_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.is_official or user.is_superuser:
        if may_verify_enterprises(user):
            return redirect("accounts:verifications")
        raise Http404
    applicant = user.applicant
    checks = list(identity.checks_of(user))
    pending = any(c.status == IdentityCheck.Status.PENDING and c.applicant_id == user.applicant_id for c in checks)
    may_request = applicant is not None and not applicant.identity_verified and not pending
    form = VerificationForm(
        request.POST or None, request.FILES or None, initial={"name": applicant.name if applicant else ""}
    )
    if request.method == "POST":
        if not may_request:
            raise PermissionDenied
        if form.is_valid():
            try:
                identity.identity_verification_request(
                    actor=user,
                    name=form.cleaned_data["name"],
                    licence=form.cleaned_data.get("licence") or None,
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Your business licence is sent. An official will check it."))
                return redirect("accounts:identity")
    return render(
        request,
        "accounts/identity_status.html",
        {
            "applicant": applicant,
            "checks": checks,
            "may_request": may_request,
            "form": form,
            "sso_enabled": sso_enabled(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def identity_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    check = identity.access_check(user, pk)
    if check.requested_by_id != user.pk:
        raise Http404
    try:
        identity.identity_check_withdraw(actor=user, check=check)
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("accounts:identity")


@login_required
def identity_licence(request: HttpRequest, pk: int) -> FileResponse:
    """The licence file, to its sender and the officials who check it (never served directly)."""
    check = identity.access_check(request.user, pk)
    try:
        handle = check.licence.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=check.licence_name or "licence")


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """A real company claims a credit code registered by someone else. Anonymous visitors make an
    account with the claim; a signed-in user who acts for no enterprise claims with theirs."""
    user = request.user if request.user.is_authenticated else None
    if isinstance(user, User) and (user.is_official or user.applicant_id or user.is_superuser):
        return render(request, "accounts/identity_claim.html", {"acting_for": user.applicant}, status=403)
    form_class = ClaimForm if user is not None else ClaimWithAccountForm
    form = form_class(request.POST or None, request.FILES or None, initial={"uscc": request.GET.get("uscc", "")[:40]})
    if request.method == "POST" and form.is_valid():
        # Counted with registration (one bucket per address): the answer says whether a code is registered.
        wait = registration_throttled(request)
        if wait is not None:
            form.add_error(None, registration_throttled_message(wait))
            response = render(request, "accounts/identity_claim.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
        data = form.cleaned_data
        try:
            check = identity.enterprise_claim(
                actor=user if isinstance(user, User) else None,
                uscc=data["uscc"],
                name=data["name"],
                licence=data.get("licence") or None,
                username=data.get("username", ""),
                email=data.get("email", ""),
                password=data.get("password", ""),
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if user is None:
                login(request, check.requested_by, backend=BACKEND)
            messages.success(
                request,
                _("Your claim is sent. An official will check the business licence and tell you the decision."),
            )
            return redirect("accounts:identity")
    return render(
        request,
        "accounts/identity_claim.html",
        {"form": form, "sso_enabled": sso_enabled()},
        status=400 if form.errors else 200,
    )


# --- the officials' side ----------------------------------------------------------------------


@verifier_required
def verifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(identity.pending_checks(), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/identity_queue.html", {"page": page})


@verifier_required
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest, pk: int) -> HttpResponse:
    official = signed_in_user(request)
    check = identity.access_check(official, pk)
    form = DecisionForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "approve":
                identity.identity_check_approve(actor=official, check=check, ip_address=client_ip(request))
                messages.success(request, _("Approved: the enterprise is verified."))
            elif action == "reject":
                identity.identity_check_reject(
                    actor=official, check=check, reason=form.cleaned_data["reason"], ip_address=client_ip(request)
                )
                messages.success(request, _("Rejected: the requester is told why."))
            else:
                raise Http404
        except ValidationError as error:
            apply_service_errors(form, error)
        except TransitionNotAllowed as refused:
            problem = str(refused)
        else:
            return redirect("accounts:verifications")
    actions = {rule.action: refusal for rule, refusal in WORKFLOW.actions(check, official)}
    return render(
        request,
        "accounts/identity_check.html",
        {
            "check": check,
            "applicant": check.applicant,
            "form": form,
            "problem": problem or next((r for r in actions.values() if r), ""),
            "may_decide": {a for a, refusal in actions.items() if refusal is None} >= {"approve", "reject"},
            "current_users": list(check.applicant.users.order_by("username")) if check.kind == "claim" else [],
            "tone": WORKFLOW.tone(check.status),
        },
        status=409 if problem else 400 if form.errors else 200,
    )
