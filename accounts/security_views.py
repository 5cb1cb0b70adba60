"""The account's security page (/accounts/security/): the second factor (set up, the code step,
recovery codes, removal) and the user's API keys (listed, revoked; issued by administrators).
The rules live in accounts/two_factor.py and accounts/tokens.py; these views parse and render."""

from base64 import b32encode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from knox.models import AuthToken

from . import tokens, two_factor
from .forms import apply_service_errors
from .models import User
from .permissions import is_administrator, signed_in_user


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class IssueTokenForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, required=False)


def _next(request: HttpRequest, default: str = "accounts:security") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(default)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": two_factor.has_second_factor(user),
            "required": two_factor.second_factor_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "tokens": tokens.tokens_of(user),
            "issue_form": IssueTokenForm() if is_administrator(user) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then confirm with a code. Replacing an authenticator
    needs a session that passed the code step already: a password alone never re-binds it."""
    user = signed_in_user(request)
    if two_factor.has_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_verify")
    device = two_factor.authenticator_setup_start(actor=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.authenticator_setup_confirm(actor=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_code_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
            "required": two_factor.second_factor_required(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from the authenticator or a recovery code."""
    user = signed_in_user(request)
    if two_factor.second_factor_due(request) != "verify":
        return redirect(_next(request, "accounts:landing"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.second_factor_verify(request=request, user=user, code=form.cleaned_data["code"]):
            return redirect(_next(request, "accounts:landing"))
        form.add_error("code", _("That code is not correct, or was used already. Wait a moment and try again."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.recovery_codes_regenerate(actor=signed_in_user(request))
    except PermissionDenied:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.second_factor_disable(actor=signed_in_user(request))
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("You may not do that."))
    else:
        messages.success(request, _("The second factor is removed."))
    return redirect("accounts:security")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        token = tokens.token_of(user, token_id)
    except AuthToken.DoesNotExist:
        raise Http404 from None
    tokens.token_revoke(actor=user, token=token)
    messages.success(request, _("The API key is revoked."))
    return redirect("accounts:security")


@login_required
@require_POST
def token_issue(request: HttpRequest) -> HttpResponse:
    """An administrator issues a key to a user; the key is shown on this answer only."""
    actor = signed_in_user(request)
    if not is_administrator(actor):
        raise PermissionDenied
    form = IssueTokenForm(request.POST)
    if form.is_valid():
        holder = User.objects.filter(username=form.cleaned_data["username"]).first()
        if holder is None:
            form.add_error("username", _("There is no user with this username."))
        else:
            try:
                token, key = tokens.token_issue(actor=actor, user=holder, days=form.cleaned_data["days"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return render(request, "accounts/token_issued.html", {"token": token, "key": key, "holder": holder})
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": two_factor.has_second_factor(actor),
            "required": two_factor.second_factor_required(actor),
            "codes_left": two_factor.recovery_codes_left(actor),
            "tokens": tokens.tokens_of(actor),
            "issue_form": form,
        },
        status=400,
    )
