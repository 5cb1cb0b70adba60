"""Page forms: they parse what people type and show it back with errors; the services decide.

Field names equal the services' keyword arguments, so a ValidationError a service raises lands
on the field it names (see `apply_service_errors`).
"""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.vocabulary import EnterpriseSize, GuangdongCity, IndustryDivision, Qualification
from portal.links import site_url
from portal.money import MoneyField
from portal.outbox import enqueue

from .identifiers import validate_resident_id, validate_uscc
from .models import PASSWORD_MAX, ApplicantQualification, User
from .services import FIRST_QUALIFICATION_YEAR
from .tasks import send_email_task


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's errors on the form's fields (unknown fields go to the top of the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class _PasswordMixin(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits, not a common password, not like your username."),
    )
    password_confirm = forms.CharField(
        label=_("Confirm the password"),
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        if password:
            user = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, user=user)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class _AccountFields(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; you sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send a link to confirm it, and notices about your applications."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EnterpriseRegistrationForm(_AccountFields, _PasswordMixin):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence (统一社会信用代码)."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Enterprise name"), max_length=200, help_text=_("As on the business licence."))
    city = forms.ChoiceField(label=_("City"), choices=_blank(_("Choose a city")) + GuangdongCity.choices)
    district = forms.CharField(label=_("District or county"), max_length=50, required=False)
    industry = forms.ChoiceField(
        label=_("Industry (GB/T 4754 division)"), choices=_blank(_("Choose an industry")) + IndustryDivision.choices
    )
    size = forms.ChoiceField(label=_("Enterprise size"), choices=_blank(_("Choose a size")) + EnterpriseSize.choices)
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )

    field_order = [
        "uscc", "name", "city", "district", "industry", "size", "contact_person", "contact_phone",
        "username", "email", "password", "password_confirm",
    ]  # fmt: skip

    def clean_uscc(self) -> str:
        return validate_uscc(self.cleaned_data["uscc"])


class IndividualRegistrationForm(_AccountFields, _PasswordMixin):
    resident_id = forms.CharField(
        label=_("Resident identity card number"),
        max_length=40,
        help_text=_("18 characters. It is personal information: the portal shows it masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Full name"), max_length=200, help_text=_("As on your identity card."))
    employer_uscc = forms.CharField(
        label=_("Your employer's unified social credit code"), max_length=40, required=False
    )

    field_order = ["resident_id", "name", "employer_uscc", "username", "email", "password", "password_confirm"]

    def clean_resident_id(self) -> str:
        return validate_resident_id(self.cleaned_data["resident_id"])

    def clean_employer_uscc(self) -> str:
        value = self.cleaned_data.get("employer_uscc", "")
        return validate_uscc(value) if value.strip() else ""


def _current_year() -> int:
    return timezone.localdate().year


class ProfileForm(forms.Form):
    """The applicant's facts (the identifiers and the registered name are not editable)."""

    city = forms.ChoiceField(label=_("City"), required=False, choices=_blank(_("Not given")) + GuangdongCity.choices)
    district = forms.CharField(label=_("District or county"), max_length=50, required=False)
    industry = forms.ChoiceField(
        label=_("Industry (GB/T 4754 division)"),
        required=False,
        choices=_blank(_("Not given")) + IndustryDivision.choices,
    )
    size = forms.ChoiceField(
        label=_("Enterprise size"), required=False, choices=_blank(_("Not given")) + EnterpriseSize.choices
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    revenue_year = forms.IntegerField(
        label=_("Financial year of the revenue figures"), required=False, min_value=FIRST_QUALIFICATION_YEAR
    )
    revenue_cn = MoneyField(label=_("Revenue in China last year (CNY)"), required=False)
    revenue_world = MoneyField(label=_("Worldwide revenue last year (CNY)"), required=False)
    employer_uscc = forms.CharField(
        label=_("Your employer's unified social credit code"), max_length=40, required=False
    )
    display_name = forms.CharField(label=_("Your name as shown in the portal"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Your email address"), help_text=_("A new address must be confirmed again."), required=True
    )

    ENTERPRISE_ONLY = ("industry", "size", "revenue_year", "revenue_cn", "revenue_world")
    INDIVIDUAL_ONLY = ("employer_uscc",)
    USER_FIELDS = ("display_name", "email")

    def __init__(self, *args: Any, is_enterprise: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revenue_year"].validators.append(MaxValueValidator(_current_year()))
        self.fields["revenue_year"].widget.attrs.update({"max": _current_year(), "inputmode": "numeric"})
        for name in self.INDIVIDUAL_ONLY if is_enterprise else self.ENTERPRISE_ONLY:
            del self.fields[name]

    def applicant_changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.USER_FIELDS}

    def user_changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self.USER_FIELDS}


class QualificationForm(forms.Form):
    qualification = forms.ChoiceField(
        label=_("Qualification"), choices=_blank(_("Choose a qualification")) + Qualification.choices
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=ApplicantQualification.Level.choices, initial=ApplicantQualification.Level.NATIONAL
    )
    year = forms.IntegerField(label=_("Year obtained"), min_value=FIRST_QUALIFICATION_YEAR)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=80, required=False)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        allow_empty_file=True,  # the service refuses it, with its own message
        help_text=_("The certificate or award document: PDF, JPEG or PNG, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(MaxValueValidator(_current_year()))
        self.fields["year"].widget.attrs.update({"max": _current_year(), "inputmode": "numeric"})


class BankAccountForm(forms.Form):
    account_name = forms.CharField(
        label=_("Account name"), max_length=200, help_text=_("Must be exactly the applicant's name.")
    )
    bank_name = forms.CharField(label=_("Bank and branch"), max_length=200)
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("8 to 30 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Your colleague's email address"))


class AcceptInvitationForm(_PasswordMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; you sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )

    field_order = ["display_name", "username", "password", "password_confirm"]

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        self.cleaned_data.setdefault("email", self.email)
        return super().clean()


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email sent by Celery through the outbox (once per link)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The link is built from SITE_URL, never from the request's Host header (Django's default).
        context["reset_url"] = site_url(
            reverse("accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        )
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        key = f"password-reset:{context.get('uid')}:{context.get('token')}"
        enqueue(send_email_task, {"to": to_email, "subject": subject, "body": body, "key": key}, key=key)
