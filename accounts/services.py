"""Writes about identities: registration, email verification, profiles, qualifications, bank
accounts, invitations and notifications.

Each service runs in one transaction, records an audit event for each change and sends email
only after commit, through the outbox and Celery (portal/outbox.py, accounts.tasks). Pages and
the API call the same functions; a refused input raises django.core.exceptions.ValidationError
keyed by field name, a refused action PermissionDenied.
"""

import os
import re
import unicodedata
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import audit_record
from measures.models import EligibilityCriterion
from measures.vocabulary import EnterpriseSize, GuangdongCity, IndustryDivision, Qualification
from portal.outbox import enqueue
from portal.uploads import CONTENT_TYPES, UploadRefused, clean_name, file_format

from .cleaning import APPLICANT_EDITABLE, USER_EDITABLE, clean_choice, invalid
from .identifiers import mask_account_number, validate_uscc
from .models import Applicant, ApplicantDeclaration, ApplicantQualification, BankAccount, Notification, User
from .registration import email_taken, email_verification_send
from .tasks import send_notification_email

FIRST_QUALIFICATION_YEAR = 1990


# --- notifications ----------------------------------------------------------------------------


@transaction.atomic
def notification_send(
    *, user: User, subject: str, body: str, link: str = "", facts: Sequence[tuple[Any, Any]] = ()
) -> Notification:
    """Puts a message in the user's inbox and emails it once: the notification and its outbox row are
    written in the caller's transaction, the email is sent by Celery after commit.

    `subject` says what happened, `body` the rest, `facts` the (label, value) pairs the email lists
    (reference, incentive …); all in the current language, which the email's greeting and signature follow."""
    notification = Notification.objects.create(
        user=user,
        subject=str(subject)[:200],
        body=str(body),
        link=link,
        facts=[[str(label), str(value)] for label, value in facts],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue(send_notification_email, {"notification_id": notification.pk}, key=f"notification-email:{notification.pk}")
    return notification


# --- officials' access (changed in the Django admin) ------------------------------------------


def official_access(user: User) -> dict[str, Any]:
    """What a user may do as an official: the role, the department (its code) and the admin flags."""
    return {
        "official_role": user.official_role,
        "department": user.department.code if user.department is not None else None,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
    }


# What a new user may do before anyone gives them a role.
NEW_USER_ACCESS = {"official_role": "", "department": None, "is_staff": False, "is_superuser": False, "is_active": True}


@transaction.atomic
def official_access_change_record(
    *, actor: User, user: User, before: dict[str, Any] | None, ip_address: str | None = None
) -> AuditEvent | None:
    """Audits a change to an official's role, department or admin flags, made by `actor` in the
    Django admin (which checked the permission): what changed, before and after. Call it in the
    admin's transaction, after saving `user`; `before` is official_access() of the stored user,
    None for a new one. Nothing is recorded when none of them changed."""
    after = official_access(user)
    before = before or NEW_USER_ACCESS
    changed = [field for field, value in after.items() if before.get(field) != value]
    if not changed:
        return None
    return audit_record(
        actor=actor,
        action="user.access_change",
        obj=user,
        before={field: before.get(field) for field in changed},
        after={field: after[field] for field in changed},
        ip_address=ip_address,
        visible_to_applicant=False,
    )


# --- profile ----------------------------------------------------------------------------------


def _clean_decimal(field: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise invalid(field, _("Enter an amount in CNY, for example 125000000.00."), "invalid") from None
    if not number.is_finite():
        raise invalid(field, _("Enter an amount in CNY, for example 125000000.00."), "invalid")
    if number < 0:
        raise invalid(field, _("The amount cannot be negative."), "min_value")
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if isinstance(exponent, int) and exponent < -2:
        raise invalid(field, _("At most 2 decimal places."), "max_decimal_places")
    if number >= Decimal(10) ** 16:
        raise invalid(field, _("The amount is too large."), "max_digits")
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
                cleaned[field] = clean_choice(field, value, GuangdongCity, required=False)
            elif field == "industry":
                cleaned[field] = clean_choice(field, value, IndustryDivision, required=False)
            elif field == "size":
                cleaned[field] = clean_choice(field, value, EnterpriseSize, required=False)
            elif field in ("revenue_cn", "revenue_world"):
                cleaned[field] = _clean_decimal(field, value)
            elif field == "revenue_year":
                cleaned[field] = _clean_year(field, value, required=False)
            elif field == "employer_uscc":
                if applicant.is_enterprise and value:
                    raise invalid(field, _("Only individuals name an employer."), "read_only")
                cleaned[field] = validate_uscc(value) if (value or "").strip() else ""
            else:
                model_field = Applicant._meta.get_field(field)
                assert isinstance(model_field, models.Field), "the editable applicant fields are its own columns"
                limit = model_field.max_length
                text = str(value or "").strip()
                if limit and len(text) > limit:
                    raise invalid(field, _("At most %(n)d characters.") % {"n": limit}, "max_length")
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
            raise invalid(field, _("Enter the year."), "required")
        return None
    this_year = timezone.localdate().year
    try:
        year = int(str(value).strip())
    except ValueError:
        raise invalid(field, _("Enter a year like 2024."), "invalid") from None
    if not FIRST_QUALIFICATION_YEAR <= year <= this_year:
        raise invalid(
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
            raise invalid("display_name", _("At most %(n)d characters.") % {"n": 100}, "max_length")
        cleaned["display_name"] = text
    if "email" in changes:
        email = str(changes["email"] or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise invalid("email", _("Enter an email address like name@example.com."), "invalid") from None
        if email_taken(email, exclude_user=user.pk):
            raise invalid(
                "email", _("This email address belongs to another account: use an address of your own."), "unique"
            )
        cleaned["email"] = email
    return cleaned


@transaction.atomic
def profile_update(
    *,
    actor: User,
    applicant: Applicant,
    applicant_changes: dict[str, Any] | None = None,
    user_changes: dict[str, Any] | None = None,
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
        try:
            with transaction.atomic():
                actor.save(update_fields=fields)
        except IntegrityError:  # the address was taken meanwhile (the database compares without case)
            raise invalid(
                "email", _("This email address belongs to another account: use an address of your own."), "unique"
            ) from None
        audit_record(actor=actor, action="user.update", obj=actor, before=before, after=user_changed)
        if "email" in user_changed:
            email_verification_send(user=actor)
    return applicant


# --- qualifications and their evidence --------------------------------------------------------


def evidence_check(file: UploadedFile) -> tuple[str, str]:
    """Refuses empty, oversized and disguised files; returns (clean name, content type)."""
    try:
        fmt = file_format(
            file,
            accepted=("pdf", "jpeg", "png"),
            refused_message=str(
                _("Only PDF, JPEG and PNG files are accepted (this file's content is not one of them).")
            ),
        )
    except UploadRefused as refused:
        raise invalid("evidence", refused.message, refused.code) from None
    return clean_name(file.name or "", fmt, default="evidence"), CONTENT_TYPES[fmt]


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
        ("qualification", lambda: clean_choice("qualification", qualification, Qualification, required=True)),
        ("level", lambda: clean_choice("level", level, ApplicantQualification.Level, required=True)),
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
        raise invalid("qualification", duplicate, "unique") from None
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


# --- declarations -----------------------------------------------------------------------------


@transaction.atomic
def declaration_answer(*, actor: User, applicant: Applicant, criterion_id: Any, holds: Any) -> ApplicantDeclaration:
    """The applicant declares that a declaration criterion holds (or not); the latest answer counts,
    dated and signed by the actor, and officials see it as the applicant's declaration."""
    if actor.applicant_id != applicant.pk:
        raise PermissionDenied
    try:
        criterion = EligibilityCriterion.objects.select_related("incentive").get(
            pk=int(criterion_id), rule=EligibilityCriterion.Rule.DECLARATION
        )
    except (EligibilityCriterion.DoesNotExist, ValueError, TypeError):
        raise invalid("criterion", _("Choose a condition of the catalog to declare."), "invalid") from None
    if criterion.incentive.applicant_type != applicant.kind:
        raise invalid(
            "criterion", _("This condition belongs to an incentive your applicant type cannot claim."), "invalid"
        )
    answer = {"yes": True, "no": False, True: True, False: False, "true": True, "false": False}.get(holds)
    if answer is None:
        raise invalid("holds", _("Answer yes or no."), "invalid")
    existing = ApplicantDeclaration.objects.select_for_update().filter(applicant=applicant, criterion=criterion).first()
    before = {"holds": existing.holds, "text": existing.text} if existing is not None else None
    declaration, _created = ApplicantDeclaration.objects.update_or_create(
        applicant=applicant,
        criterion=criterion,
        defaults={"holds": answer, "text": criterion.text[:300], "declared_by": actor, "declared_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        action="declaration.answer",
        obj=declaration,
        before=before,
        after={
            "incentive": criterion.incentive.code,
            "criterion": criterion.pk,
            "holds": answer,
            "text": criterion.text,
        },
    )
    return declaration


# --- bank account -----------------------------------------------------------------------------


def _clean_account_number(value: str) -> str:
    number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if not number.isdigit() or not number.isascii() or not 8 <= len(number) <= 30:
        raise invalid("account_number", _("An account number has 8 to 30 digits, and digits only."), "invalid")
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
