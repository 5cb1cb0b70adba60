"""Account pages: registration, email confirmation, the profile, qualifications, the bank account
and invitations. Views parse the form, call one service and render; a refused input re-renders
the page with what was typed and an error summary at the top."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import cleaning, registration, selectors, services
from .forms import (
    AcceptInvitationForm,
    BankAccountForm,
    EnterpriseRegistrationForm,
    IndividualRegistrationForm,
    InvitationForm,
    ProfileForm,
    QualificationForm,
    QueuedPasswordResetForm,
    apply_service_errors,
)
from .models import Applicant, User
from .permissions import landing_url_name, signed_in_user
from .throttling import registration_throttled, registration_throttled_message

BACKEND = "django.contrib.auth.backends.ModelBackend"


def landing(request: HttpRequest) -> HttpResponse:
    """After signing in (LOGIN_REDIRECT_URL, when no `next` is given): each role's workspace."""
    return redirect(landing_url_name(request.user))


def register(request: HttpRequest) -> HttpResponse:
    """Who is registering: an enterprise or a person."""
    if request.user.is_authenticated and getattr(request.user, "applicant_id", None):
        return redirect("accounts:profile")
    return render(request, "accounts/register.html")


def _register(
    request: HttpRequest, form_class: type[forms.Form], service: Callable[..., User], template: str
) -> HttpResponse:
    form = form_class(request.POST or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        # Counted before the service says whether the username or code is taken (one bucket per
        # address with the API), so that cannot be asked in bulk.
        wait = registration_throttled(request)
        if wait is not None:
            form.add_error(None, registration_throttled_message(wait))
            response = render(request, template, {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
        data = {k: v for k, v in form.cleaned_data.items() if k != "password_confirm"}
        try:
            user = service(**data)
        except ValidationError as error:
            apply_service_errors(form, error)
            if any(e.code == "unique" for e in getattr(error, "error_dict", {}).get("uscc", [])):
                # A real company whose code someone else registered claims it (accounts/identity.py).
                context["claim_href"] = f"{reverse('accounts:claim')}?{urlencode({'uscc': data['uscc']})}"
        else:
            login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Your account is ready. We have sent a link to %(email)s: open it to confirm your email address.")
                % {"email": user.email},
            )
            return redirect("accounts:profile")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def register_enterprise(request: HttpRequest) -> HttpResponse:
    return _register(
        request, EnterpriseRegistrationForm, registration.enterprise_register, "accounts/register_enterprise.html"
    )


@require_http_methods(["GET", "POST"])
def register_individual(request: HttpRequest) -> HttpResponse:
    return _register(
        request, IndividualRegistrationForm, registration.individual_register, "accounts/register_individual.html"
    )


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = registration.email_verify(token=token)
    except ValidationError as error:
        return render(request, "accounts/verify_email.html", {"problem": error.message_dict["token"][0]}, status=400)
    return render(request, "accounts/verify_email.html", {"verified_user": user})


@login_required
@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    """The page that sends a new confirmation link (GET shows the address and the button)."""
    user = signed_in_user(request)
    if request.method == "GET":
        return render(request, "accounts/resend_verification.html", {"verified": user.email_verified_at is not None})
    try:
        registration.email_verification_resend(actor=user)
    except ValidationError as error:
        messages.info(request, error.message_dict["email"][0])
    else:
        messages.success(request, _("We have sent a new confirmation link to %(email)s.") % {"email": user.email})
    return redirect(url_has_allowed_host_and_scheme_or(request, request.POST.get("next"), "accounts:profile"))


def url_has_allowed_host_and_scheme_or(request: HttpRequest, target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site (the page the button was on), else the named fallback."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(fallback)


def _profile_initial(applicant: Applicant, user: User) -> dict[str, object]:
    fields = [*cleaning.APPLICANT_EDITABLE]
    initial: dict[str, object] = {name: getattr(applicant, name) for name in fields}
    initial.update(display_name=user.display_name, email=user.email)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    applicant = selectors.applicant_of(user)
    form = ProfileForm(
        request.POST or None, initial=_profile_initial(applicant, user), is_enterprise=applicant.is_enterprise
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                actor=user,
                applicant=applicant,
                applicant_changes=form.applicant_changes(),
                user_changes=form.user_changes(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    applicant = (
        Applicant.objects.filter(pk=applicant.pk)
        .prefetch_related(Prefetch("qualifications", queryset=selectors.qualification_list(applicant)))
        .get()
    )
    percent, missing = selectors.profile_completeness(applicant)
    return render(
        request,
        "accounts/profile.html",
        {
            "applicant": applicant,
            "form": form,
            "percent": percent,
            "missing": missing,
            "qualifications": applicant.qualifications.all(),
            "bank_account": selectors.bank_account_of(applicant),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualifications(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    applicant = selectors.applicant_of(user)
    form = QualificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.qualification_add(
                actor=user,
                applicant=applicant,
                qualification=data["qualification"],
                level=data["level"],
                year=data["year"],
                certificate_number=data["certificate_number"],
                evidence=data.get("evidence") or None,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The qualification is added."))
            return redirect("accounts:qualifications")
    return render(
        request,
        "accounts/qualifications.html",
        {"applicant": applicant, "form": form, "qualifications": selectors.qualification_list(applicant)},
    )


@login_required
@require_POST
def qualification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    qualification = selectors.qualification_of(user, pk)
    services.qualification_delete(actor=user, qualification=qualification)
    messages.success(request, _("The qualification is removed."))
    return redirect("accounts:qualifications")


@login_required
def qualification_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to its owner only (never served by the web server directly)."""
    user = signed_in_user(request)
    qualification = selectors.qualification_of(user, pk)
    if not qualification.evidence:
        raise Http404
    try:
        handle = qualification.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=qualification.evidence_name or "evidence")


@login_required
@require_http_methods(["GET", "POST"])
def bank_account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    applicant = selectors.applicant_of(user)
    account = selectors.bank_account_of(applicant)
    initial = (
        {"account_name": account.account_name, "bank_name": account.bank_name, "account_number": account.account_number}
        if account
        else {"account_name": applicant.name}
    )
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_set(actor=user, applicant=applicant, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The bank account is saved."))
            return redirect("accounts:bank_account")
    return render(
        request,
        "accounts/bank_account.html",
        {"applicant": applicant, "form": form, "bank_account": account},
    )


@login_required
@require_POST
def bank_account_delete(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    applicant = selectors.applicant_of(user)
    if services.bank_account_delete(actor=user, applicant=applicant):
        messages.success(request, _("The bank account is removed."))
    return redirect("accounts:bank_account")


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    applicant = selectors.applicant_of(user)
    if not applicant.is_enterprise or not user.is_applicant_admin:
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = registration.invitation_create(
                actor=user,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("We have emailed an invitation to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invite")
    return render(
        request,
        "accounts/invite.html",
        {
            "applicant": applicant,
            "form": form,
            "invitations": selectors.invitation_list(applicant),
            "colleagues": selectors.colleagues(applicant),
        },
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token)
    problem = registration.invitation_problem(invitation)
    if problem or invitation is None:
        return render(request, "accounts/accept_invitation.html", {"problem": problem}, status=400)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as error:
            if "token" in error.message_dict:
                problem = error.message_dict["token"][0]
                return render(request, "accounts/accept_invitation.html", {"problem": problem}, status=400)
            apply_service_errors(form, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(
                request, _("Welcome: you now use %(name)s's account.") % {"name": invitation.applicant.name}
            )
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"invitation": invitation, "form": form},
    )


# Django's password reset, inside the "accounts" namespace: each success URL is named explicitly.
password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
