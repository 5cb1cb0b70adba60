"""Writes about identities: registration, email verification, profiles, qualifications, bank
accounts, invitations and notifications.

Each service runs in one transaction, records an audit event for each change and sends email
only after commit, through Celery (accounts.tasks). Pages and the API call the same functions;
a refused input raises django.core.exceptions.ValidationError keyed by field name, a refused
action PermissionDenied.
"""

import datetime as dt
import os
import re
import secrets
import unicodedata
import uuid
from decimal import Decimal
from typing import Any

import magic
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from measures.vocabulary import ApplicantType, EnterpriseSize, GuangdongCity, IndustryDivision, Qualification

from .hooks import applicant_registered
from .identifiers import mask_account_number, mask_resident_id, validate_resident_id, validate_uscc
from .models import Applicant, ApplicantQualification, BankAccount, Invitation, Notification, User
from .tasks import send_email_task, send_notification_email

EMAIL_VERIFICATION_SALT = "accounts.email-verification"
EMAIL_VERIFICATION_MAX_AGE = dt.timedelta(days=3)
INVITATION_VALID_FOR = dt.timedelta(days=14)
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# Judged by content (libmagic), never by the name or the browser's claim.
EVIDENCE_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
EVIDENCE_EXTENSIONS = {"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}
FIRST_QUALIFICATION_YEAR = 1990

# What a profile edit may change; the identifiers and the registered name are not among them.
APPLICANT_EDITABLE = (
    "city",
    "district",
    "industry",
    "size",
    "contact_person",
    "contact_phone",
    "revenue_year",
    "revenue_cn",
    "revenue_world",
    "employer_uscc",
)
USER_EDITABLE = ("display_name", "email")

USCC_TAKEN = _("This credit code is already registered — ask your enterprise's administrator to invite you.")
RESIDENT_ID_TAKEN = _("This resident identity card number is already registered. Sign in, or reset your password.")
USERNAME_TAKEN = _("This username is taken: please choose another.")


def _invalid(field: str, message: Any, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- registration -----------------------------------------------------------------------------


def _clean_credentials(*, username: str, email: str, password: str, display_name: str = "") -> dict[str, str]:
    """The username, email and password rules shared by registration and invitations."""
    errors: dict[str, list[ValidationError]] = {}
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        errors.setdefault("username", []).append(ValidationError(_("Enter a username."), code="required"))
    else:
        try:
            User.username_validator(username)
        except ValidationError as error:
            errors.setdefault("username", []).extend(error.error_list)
        if len(username) > 150:
            errors.setdefault("username", []).append(ValidationError(_("At most 150 characters."), code="max_length"))
        elif User.objects.filter(username__iexact=username).exists():
            errors.setdefault("username", []).append(ValidationError(USERNAME_TAKEN, code="unique"))
    try:
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", []).append(
            ValidationError(_("Enter an email address like name@example.com."), code="invalid")
        )
    try:
        password_validation.validate_password(
            password or "", user=User(username=username, email=email, display_name=display_name)
        )
    except ValidationError as error:
        errors.setdefault("password", []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return {"username": username, "email": email}


def _clean_choice(field: str, value: str, choices: type, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise _invalid(field, _("This field is required."), "required")
        return ""
    if value not in choices.values:  # type: ignore[attr-defined]
        raise _invalid(field, _("Choose one of the listed options."), "invalid_choice")
    return value


def _create_user(
    *,
    applicant: Applicant,
    username: str,
    email: str,
    password: str,
    is_admin: bool,
    display_name: str = "",
    email_verified: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        applicant=applicant,
        is_applicant_admin=is_admin,
        display_name=display_name,
        email_verified_at=timezone.now() if email_verified else None,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _invalid("username", USERNAME_TAKEN, "unique") from None
    return user


def _uscc_taken(code: str) -> bool:
    return Applicant.objects.filter(uscc=code).exists()


def _resident_id_taken(number: str) -> bool:
    return Applicant.objects.filter(resident_id=number).exists()


def _applicant_audit_view(applicant: Applicant) -> dict[str, Any]:
    """What an audit event keeps of an applicant: the resident ID masked."""
    fields = ["kind", "name", "uscc", *APPLICANT_EDITABLE]
    values = {name: getattr(applicant, name) for name in fields}
    if applicant.resident_id:
        values["resident_id"] = mask_resident_id(applicant.resident_id)
    return values


@transaction.atomic
def enterprise_register(
    *,
    uscc: str,
    name: str,
    city: str,
    industry: str,
    size: str,
    username: str,
    email: str,
    password: str,
    district: str = "",
    contact_person: str = "",
    contact_phone: str = "",
    base_url: str = "",
) -> User:
    """Creates the enterprise and its first user, who administers it; sends the verification email."""
    errors: dict[str, list[ValidationError]] = {}
    code = ""
    try:
        code = validate_uscc(uscc)
    except ValidationError as error:
        errors["uscc"] = error.error_list
    if code and _uscc_taken(code):
        errors["uscc"] = [ValidationError(USCC_TAKEN, code="unique")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("Enter the enterprise's registered name."), code="required")]
    for field, value, choices in (
        ("city", city, GuangdongCity),
        ("industry", industry, IndustryDivision),
        ("size", size, EnterpriseSize),
    ):
        try:
            _clean_choice(field, value, choices, required=True)
        except ValidationError as error:
            errors.update(error.error_dict)
    try:
        credentials = _clean_credentials(username=username, email=email, password=password)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    applicant = Applicant(
        kind=ApplicantType.ORGANISATION,
        name=name,
        uscc=code,
        city=city,
        district=(district or "").strip(),
        industry=industry,
        size=size,
        contact_person=(contact_person or "").strip(),
        contact_phone=(contact_phone or "").strip(),
    )
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:  # two registrations of one code at once: the other one won
        raise _invalid("uscc", USCC_TAKEN, "unique") from None
    # 免申即享: rows of official lists imported before the enterprise registered become its offers.
    transaction.on_commit(lambda: applicant_registered.send(applicant=applicant), robust=True)
    user = _create_user(applicant=applicant, is_admin=True, password=password, **credentials)
    audit_record(actor=user, action="applicant.register", obj=applicant, after=_applicant_audit_view(applicant))
    audit_record(actor=user, action="user.register", obj=user, after={"username": user.username, "email": user.email})
    email_verification_send(user=user, base_url=base_url)
    return user


@transaction.atomic
def individual_register(
    *,
    resident_id: str,
    name: str,
    username: str,
    email: str,
    password: str,
    employer_uscc: str = "",
    base_url: str = "",
) -> User:
    """Creates an individual applicant (kind "individual") and its user; sends the verification email."""
    errors: dict[str, list[ValidationError]] = {}
    number = ""
    try:
        number = validate_resident_id(resident_id)
    except ValidationError as error:
        errors["resident_id"] = error.error_list
    if number and _resident_id_taken(number):
        errors["resident_id"] = [ValidationError(RESIDENT_ID_TAKEN, code="unique")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("Enter your name as on your identity card."), code="required")]
    employer = ""
    if (employer_uscc or "").strip():
        try:
            employer = validate_uscc(employer_uscc)
        except ValidationError as error:
            errors["employer_uscc"] = error.error_list
    try:
        credentials = _clean_credentials(username=username, email=email, password=password, display_name=name)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    applicant = Applicant(kind=ApplicantType.INDIVIDUAL, name=name, resident_id=number, employer_uscc=employer)
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:
        raise _invalid("resident_id", RESIDENT_ID_TAKEN, "unique") from None
    user = _create_user(applicant=applicant, is_admin=True, password=password, display_name=name, **credentials)
    audit_record(actor=user, action="applicant.register", obj=applicant, after=_applicant_audit_view(applicant))
    audit_record(actor=user, action="user.register", obj=user, after={"username": user.username, "email": user.email})
    email_verification_send(user=user, base_url=base_url)
    return user


# --- email verification -----------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=EMAIL_VERIFICATION_SALT)


def email_verification_token(user: User) -> str:
    """Signs the user and the address: changing the address invalidates earlier links."""
    return _signer().sign_object({"user": user.pk, "email": user.email.lower()})


def _absolute(base_url: str, path: str) -> str:
    return f"{(base_url or '').rstrip('/')}{path}"


def email_verification_send(*, user: User, base_url: str = "") -> None:
    """Queues the verification email (after commit)."""
    if not user.email:
        return
    token = email_verification_token(user)
    link = _absolute(base_url, reverse("accounts:verify_email", args=[token]))
    subject = str(_("Confirm your email address"))
    body = render_to_string("accounts/email/verify_email.txt", {"user": user, "link": link, "days": 3})
    key = f"verify-email:{user.pk}:{token}"
    to = user.email
    transaction.on_commit(lambda: send_email_task.delay(to=to, subject=subject, body=body, key=key), robust=True)


@transaction.atomic
def email_verification_resend(*, actor: User, base_url: str = "") -> None:
    if actor.email_verified_at is not None:
        raise _invalid("email", _("Your email address is already confirmed."), "already_verified")
    email_verification_send(user=actor, base_url=base_url)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Confirms the address a signed link (valid 3 days) was sent to."""
    try:
        payload = _signer().unsign_object(token, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise _invalid(
            "token", _("This confirmation link has expired: sign in and ask for a new one."), "expired"
        ) from None
    except signing.BadSignature:
        raise _invalid("token", _("This confirmation link is not valid."), "invalid") from None
    user = User.objects.select_for_update().filter(pk=payload.get("user")).first()
    if user is None or user.email.lower() != payload.get("email"):
        raise _invalid("token", _("This confirmation link is for an address your account no longer uses."), "stale")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(actor=user, action="user.verify_email", obj=user, after={"email": user.email})
    return user


# --- notifications ----------------------------------------------------------------------------


@transaction.atomic
def notification_send(*, user: User, subject: str, body: str, link: str = "") -> Notification:
    """Puts a message in the user's inbox and emails it once, after commit, through Celery."""
    notification = Notification.objects.create(user=user, subject=str(subject)[:200], body=str(body), link=link)
    notification_id = notification.pk
    transaction.on_commit(lambda: send_notification_email.delay(notification_id), robust=True)
    return notification


# --- profile ----------------------------------------------------------------------------------


def _clean_decimal(field: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise _invalid(field, _("Enter an amount in CNY, for example 125000000.00."), "invalid") from None
    if not number.is_finite():
        raise _invalid(field, _("Enter an amount in CNY, for example 125000000.00."), "invalid")
    if number < 0:
        raise _invalid(field, _("The amount cannot be negative."), "min_value")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _invalid(field, _("At most 2 decimal places."), "max_decimal_places")
    if number >= Decimal(10) ** 16:
        raise _invalid(field, _("The amount is too large."), "max_digits")
    return number


def _clean_applicant_changes(applicant: Applicant, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(APPLICANT_EDITABLE)
    errors: dict[str, list[ValidationError]] = {
        field: [ValidationError(_("This field cannot be changed here."), code="read_only")] for field in unknown
    }
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field in unknown:
            continue
        try:
            if field == "city":
                cleaned[field] = _clean_choice(field, value, GuangdongCity, required=False)
            elif field == "industry":
                cleaned[field] = _clean_choice(field, value, IndustryDivision, required=False)
            elif field == "size":
                cleaned[field] = _clean_choice(field, value, EnterpriseSize, required=False)
            elif field in ("revenue_cn", "revenue_world"):
                cleaned[field] = _clean_decimal(field, value)
            elif field == "revenue_year":
                cleaned[field] = _clean_year(field, value, required=False)
            elif field == "employer_uscc":
                if applicant.is_enterprise and value:
                    raise _invalid(field, _("Only individuals name an employer."), "read_only")
                cleaned[field] = validate_uscc(value) if (value or "").strip() else ""
            else:
                limit = Applicant._meta.get_field(field).max_length
                text = str(value or "").strip()
                if limit and len(text) > limit:
                    raise _invalid(field, _("At most %(n)d characters.") % {"n": limit}, "max_length")
                cleaned[field] = text
        except ValidationError as error:
            messages = error.error_dict.get(field, []) if hasattr(error, "error_dict") else error.error_list
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_year(field: str, value: Any, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise _invalid(field, _("Enter the year."), "required")
        return None
    this_year = timezone.localdate().year
    try:
        year = int(str(value).strip())
    except ValueError:
        raise _invalid(field, _("Enter a year like 2024."), "invalid") from None
    if not FIRST_QUALIFICATION_YEAR <= year <= this_year:
        raise _invalid(
            field,
            _("Enter a year from %(first)d to %(last)d.") % {"first": FIRST_QUALIFICATION_YEAR, "last": this_year},
            "out_of_range",
        )
    return year


def _clean_user_changes(user: User, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(USER_EDITABLE)
    if unknown:
        raise ValidationError(
            {field: ValidationError(_("This field cannot be changed here."), code="read_only") for field in unknown}
        )
    cleaned: dict[str, Any] = {}
    if "display_name" in changes:
        text = str(changes["display_name"] or "").strip()
        if len(text) > 100:
            raise _invalid("display_name", _("At most %(n)d characters.") % {"n": 100}, "max_length")
        cleaned["display_name"] = text
    if "email" in changes:
        email = str(changes["email"] or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise _invalid("email", _("Enter an email address like name@example.com."), "invalid") from None
        cleaned["email"] = email
    return cleaned


@transaction.atomic
def profile_update(
    *,
    actor: User,
    applicant: Applicant,
    applicant_changes: dict[str, Any] | None = None,
    user_changes: dict[str, Any] | None = None,
    base_url: str = "",
) -> Applicant:
    """Changes the applicant's profile and the acting user's own details together.

    Only the applicant's own users may do it; the identifiers and the registered name stay as
    registered. A new email address must be confirmed again.
    """
    if actor.applicant_id != applicant.pk:
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    applicant_cleaned: dict[str, Any] = {}
    user_cleaned: dict[str, Any] = {}
    try:
        applicant_cleaned = _clean_applicant_changes(applicant, applicant_changes or {})
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        user_cleaned = _clean_user_changes(actor, user_changes or {})
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    changed = {f: v for f, v in applicant_cleaned.items() if getattr(applicant, f) != v}
    if changed:
        before = {f: getattr(applicant, f) for f in changed}
        for field, value in changed.items():
            setattr(applicant, field, value)
        applicant.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="applicant.update", obj=applicant, before=before, after=changed)

    user_changed = {f: v for f, v in user_cleaned.items() if getattr(actor, f) != v}
    if user_changed:
        before = {f: getattr(actor, f) for f in user_changed}
        for field, value in user_changed.items():
            setattr(actor, field, value)
        fields = list(user_changed)
        if "email" in user_changed:
            actor.email_verified_at = None
            fields.append("email_verified_at")
        actor.save(update_fields=fields)
        audit_record(actor=actor, action="user.update", obj=actor, before=before, after=user_changed)
        if "email" in user_changed:
            email_verification_send(user=actor, base_url=base_url)
    return applicant


# --- qualifications and their evidence --------------------------------------------------------


def evidence_clean_name(name: str) -> str:
    """The file's own name: no directories, no control characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = os.path.basename(name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*/]', "_", name).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    return (stem[:140] + ext[:10]) or "evidence"


def evidence_check(file: UploadedFile) -> tuple[str, str]:
    """Refuses empty, oversized and disguised files; returns (clean name, content type)."""
    size = file.size or 0
    if size == 0:
        raise _invalid("evidence", _("The file is empty."), "empty")
    if size > EVIDENCE_MAX_BYTES:
        raise _invalid("evidence", _("The file is larger than 20 MB."), "too_large")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    content_type = magic.from_buffer(head, mime=True)
    if content_type not in EVIDENCE_TYPES:
        raise _invalid(
            "evidence",
            _("Only PDF, JPEG and PNG files are accepted (this file's content is not one of them)."),
            "file_type",
        )
    name = evidence_clean_name(file.name or "")
    stem, ext = os.path.splitext(name)
    if ext.lower() not in EVIDENCE_EXTENSIONS[content_type]:
        name = f"{stem or 'evidence'}{EVIDENCE_TYPES[content_type]}"
    return name, content_type


@transaction.atomic
def qualification_add(
    *,
    actor: User,
    applicant: Applicant,
    qualification: str,
    year: Any,
    level: str = ApplicantQualification.Level.NATIONAL,
    certificate_number: str = "",
    evidence: UploadedFile | None = None,
) -> ApplicantQualification:
    if actor.applicant_id != applicant.pk:
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    checks = (
        ("qualification", lambda: _clean_choice("qualification", qualification, Qualification, required=True)),
        ("level", lambda: _clean_choice("level", level, ApplicantQualification.Level, required=True)),
        ("year", lambda: _clean_year("year", year, required=True)),
    )
    for field, check in checks:
        try:
            cleaned[field] = check()
        except ValidationError as error:
            errors.update(error.error_dict)
    certificate_number = (certificate_number or "").strip()
    if len(certificate_number) > 80:
        errors["certificate_number"] = [ValidationError(_("At most %(n)d characters.") % {"n": 80})]
    evidence_name = ""
    if evidence is not None:
        try:
            evidence_name, _content_type = evidence_check(evidence)
        except ValidationError as error:
            errors.update(error.error_dict)
    duplicate = _("You have already recorded this qualification for that year.")
    if (
        not errors
        and applicant.qualifications.filter(qualification=cleaned["qualification"], year=cleaned["year"]).exists()
    ):
        errors["qualification"] = [ValidationError(duplicate, code="unique")]
    if errors:
        raise ValidationError(errors)

    record = ApplicantQualification(
        applicant=applicant,
        certificate_number=certificate_number,
        evidence_name=evidence_name,
        **cleaned,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise _invalid("qualification", duplicate, "unique") from None
    if evidence is not None:
        stored_as = f"{uuid.uuid4().hex}{os.path.splitext(evidence_name)[1]}"
        record.evidence.save(stored_as, evidence, save=False)
        record.save(update_fields=["evidence"])
    audit_record(
        actor=actor,
        action="qualification.add",
        obj=record,
        after={**cleaned, "certificate_number": certificate_number, "evidence_name": evidence_name},
    )
    return record


@transaction.atomic
def qualification_delete(*, actor: User, qualification: ApplicantQualification) -> None:
    if actor.applicant_id != qualification.applicant_id:
        raise PermissionDenied
    before = {
        "qualification": qualification.qualification,
        "year": qualification.year,
        "level": qualification.level,
        "certificate_number": qualification.certificate_number,
        "evidence_name": qualification.evidence_name,
    }
    audit_record(actor=actor, action="qualification.delete", obj=qualification, before=before)
    file_name = qualification.evidence.name if qualification.evidence else ""
    storage = qualification.evidence.storage
    qualification.delete()
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name), robust=True)


# --- bank account -----------------------------------------------------------------------------


def _clean_account_number(value: str) -> str:
    number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if not number.isdigit() or not number.isascii() or not 8 <= len(number) <= 30:
        raise _invalid("account_number", _("An account number has 8 to 30 digits, and digits only."), "invalid")
    return number


@transaction.atomic
def bank_account_set(
    *, actor: User, applicant: Applicant, account_name: str, bank_name: str, account_number: str
) -> BankAccount:
    """Records (or replaces) where awards are paid; the account must be in the applicant's own name."""
    if actor.applicant_id != applicant.pk:
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    account_name = (account_name or "").strip()
    bank_name = (bank_name or "").strip()
    if account_name != applicant.name:
        errors["account_name"] = [
            ValidationError(
                _("The account name must be exactly the applicant's name, “%(name)s”.") % {"name": applicant.name},
                code="name_mismatch",
            )
        ]
    if not bank_name:
        errors["bank_name"] = [ValidationError(_("Enter the bank and branch."), code="required")]
    elif len(bank_name) > 200:
        errors["bank_name"] = [ValidationError(_("At most %(n)d characters.") % {"n": 200}, code="max_length")]
    try:
        account_number = _clean_account_number(account_number)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    existing = BankAccount.objects.select_for_update().filter(applicant=applicant).first()
    before = {"bank_name": existing.bank_name, "account_number": existing.account_number_masked} if existing else None
    account = existing or BankAccount(applicant=applicant)
    account.account_name, account.bank_name, account.account_number = account_name, bank_name, account_number
    account.save()
    audit_record(
        actor=actor,
        action="bank_account.update" if existing else "bank_account.add",
        obj=account,
        before=before,
        after={
            "account_name": account_name,
            "bank_name": bank_name,
            "account_number": mask_account_number(account_number),
        },
    )
    return account


@transaction.atomic
def bank_account_delete(*, actor: User, applicant: Applicant) -> bool:
    if actor.applicant_id != applicant.pk:
        raise PermissionDenied
    account = BankAccount.objects.select_for_update().filter(applicant=applicant).first()
    if account is None:
        return False
    audit_record(
        actor=actor,
        action="bank_account.delete",
        obj=account,
        before={"bank_name": account.bank_name, "account_number": account.account_number_masked},
    )
    account.delete()
    return True


# --- invitations ------------------------------------------------------------------------------


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation cannot be used, in words; None when it can."""
    if invitation is None:
        return str(_("This invitation link is not valid. Ask your enterprise's administrator for a new one."))
    if invitation.accepted_at is not None:
        return str(_("This invitation has already been used. Sign in, or ask your administrator for a new one."))
    if invitation.created_at + INVITATION_VALID_FOR < timezone.now():
        return str(_("This invitation has expired (after 14 days). Ask your administrator for a new one."))
    return None


@transaction.atomic
def invitation_create(*, actor: User, email: str, base_url: str = "") -> Invitation:
    """The enterprise's administrator invites a colleague by email."""
    applicant = actor.applicant
    if applicant is None or not applicant.is_enterprise or not actor.is_applicant_admin:
        raise PermissionDenied
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise _invalid("email", _("Enter an email address like name@example.com."), "invalid") from None
    if applicant.users.filter(email__iexact=email).exists():
        raise _invalid("email", _("Someone with this email address already uses your enterprise's account."), "unique")
    invitation = Invitation.objects.create(
        applicant=applicant, email=email, token=secrets.token_urlsafe(32), invited_by=actor
    )
    audit_record(actor=actor, action="invitation.create", obj=invitation, after={"email": email})
    link = _absolute(base_url, reverse("accounts:accept_invitation", args=[invitation.token]))
    subject = str(_("You are invited to %(name)s's account on the incentives portal") % {"name": applicant.name})
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"inviter": actor, "applicant": applicant, "link": link, "days": INVITATION_VALID_FOR.days},
    )
    key = f"invitation:{invitation.pk}"
    transaction.on_commit(lambda: send_email_task.delay(to=email, subject=subject, body=body, key=key), robust=True)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, display_name: str = "") -> User:
    """Creates the invitee's user in the inviting enterprise (not an administrator); once only."""
    invitation = Invitation.objects.select_for_update().select_related("applicant").filter(token=token).first()
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        raise _invalid("token", problem, "invitation")
    credentials = _clean_credentials(
        username=username, email=invitation.email, password=password, display_name=display_name
    )
    user = _create_user(
        applicant=invitation.applicant,
        is_admin=False,
        password=password,
        display_name=(display_name or "").strip()[:100],
        email_verified=True,  # the link reached this address
        **credentials,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="invitation.accept", obj=invitation, after={"user": user.username})
    return user
