"""Who someone is: registering an enterprise (credit code) or an individual (resident ID) with its first
user, verifying e-mail addresses, and inviting colleagues into an enterprise.
"""

import datetime as dt
import secrets
from typing import Any, TypedDict

from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from measures.vocabulary import ApplicantType, EnterpriseSize, GuangdongCity, IndustryDivision
from portal.links import site_url
from portal.outbox import enqueue

from .cleaning import APPLICANT_EDITABLE, clean_choice, invalid
from .hooks import applicant_registered
from .identifiers import mask_resident_id, validate_resident_id, validate_uscc
from .models import Applicant, Invitation, User
from .tasks import send_email_task

EMAIL_VERIFICATION_SALT = "accounts.email-verification"


EMAIL_VERIFICATION_MAX_AGE = dt.timedelta(days=3)


INVITATION_VALID_FOR = dt.timedelta(days=14)


# Registration is throttled per address (accounts/throttling.py), so codes cannot be tried in bulk.
USCC_TAKEN = _(
    "This credit code is already registered — ask your enterprise's administrator to invite you. "
    "If nobody at your enterprise registered it, claim the enterprise with its business licence."
)


RESIDENT_ID_TAKEN = _("This resident identity card number is already registered. Sign in, or reset your password.")


USERNAME_TAKEN = _("This username is taken: please choose another.")


# Says no more than that the address cannot be used here; registration is throttled per address
# (accounts/throttling.py), so addresses cannot be tried in bulk.
EMAIL_TAKEN = _("This email address cannot be used for a new account. If it is yours, sign in or reset your password.")


def email_taken(email: str, *, exclude_user: int | None = None) -> bool:
    """Whether another user has this address, compared without regard to case (as the database's
    unique constraint compares)."""
    users = User.objects.filter(email__iexact=(email or "").strip())
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user)
    return bool(email) and users.exists()


class Credentials(TypedDict):
    username: str
    email: str


def _clean_credentials(*, username: str, email: str, password: str, display_name: str = "") -> Credentials:
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
    else:
        if email_taken(email):
            errors.setdefault("email", []).append(ValidationError(EMAIL_TAKEN, code="unique"))
    try:
        password_validation.validate_password(
            password or "", user=User(username=username, email=email, display_name=display_name)
        )
    except ValidationError as error:
        errors.setdefault("password", []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return {"username": username, "email": email}


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
    except IntegrityError:  # registered meanwhile by a request that committed first
        if email_taken(email):
            raise invalid("email", EMAIL_TAKEN, "unique") from None
        raise invalid("username", USERNAME_TAKEN, "unique") from None
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
            clean_choice(field, value, choices, required=True)
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
        raise invalid("uscc", USCC_TAKEN, "unique") from None
    # 免申即享: rows of official lists imported before the enterprise registered become its offers.
    transaction.on_commit(lambda: applicant_registered.send(applicant=applicant), robust=True)
    user = _create_user(applicant=applicant, is_admin=True, password=password, **credentials)
    audit_record(actor=user, action="applicant.register", obj=applicant, after=_applicant_audit_view(applicant))
    audit_record(actor=user, action="user.register", obj=user, after={"username": user.username, "email": user.email})
    email_verification_send(user=user)
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
        raise invalid("resident_id", RESIDENT_ID_TAKEN, "unique") from None
    user = _create_user(applicant=applicant, is_admin=True, password=password, display_name=name, **credentials)
    audit_record(actor=user, action="applicant.register", obj=applicant, after=_applicant_audit_view(applicant))
    audit_record(actor=user, action="user.register", obj=user, after={"username": user.username, "email": user.email})
    email_verification_send(user=user)
    return user


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=EMAIL_VERIFICATION_SALT)


def email_verification_token(user: User) -> str:
    """Signs the user and the address: changing the address invalidates earlier links."""
    return _signer().sign_object({"user": user.pk, "email": user.email.lower()})


def email_verification_send(*, user: User) -> None:
    """Queues the verification email (an outbox row in the caller's transaction; sent after commit)."""
    if not user.email:
        return
    token = email_verification_token(user)
    link = site_url(reverse("accounts:verify_email", args=[token]))
    subject = str(_("Confirm your email address"))
    body = render_to_string("accounts/email/verify_email.txt", {"user": user, "link": link, "days": 3})
    key = f"verify-email:{user.pk}:{token}"
    to = user.email
    enqueue(send_email_task, {"to": to, "subject": subject, "body": body, "key": key}, key=key)


@transaction.atomic
def email_verification_resend(*, actor: User) -> None:
    if actor.email_verified_at is not None:
        raise invalid("email", _("Your email address is already confirmed."), "already_verified")
    email_verification_send(user=actor)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Confirms the address a signed link (valid 3 days) was sent to."""
    try:
        payload = _signer().unsign_object(token, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise invalid(
            "token", _("This confirmation link has expired: sign in and ask for a new one."), "expired"
        ) from None
    except signing.BadSignature:
        raise invalid("token", _("This confirmation link is not valid."), "invalid") from None
    user = User.objects.select_for_update().filter(pk=payload.get("user")).first()
    if user is None or user.email.lower() != payload.get("email"):
        raise invalid("token", _("This confirmation link is for an address your account no longer uses."), "stale")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(actor=user, action="user.verify_email", obj=user, after={"email": user.email})
    return user


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
def invitation_create(*, actor: User, email: str) -> Invitation:
    """The enterprise's administrator invites a colleague by email."""
    applicant = actor.applicant
    if applicant is None or not applicant.is_enterprise or not actor.is_applicant_admin:
        raise PermissionDenied
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise invalid("email", _("Enter an email address like name@example.com."), "invalid") from None
    if applicant.users.filter(email__iexact=email).exists():
        raise invalid("email", _("Someone with this email address already uses your enterprise's account."), "unique")
    if email_taken(email):
        # The colleague could not accept: each address belongs to one account.
        raise invalid("email", _("This email address already belongs to an account: invite another address."), "unique")
    invitation = Invitation.objects.create(
        applicant=applicant, email=email, token=secrets.token_urlsafe(32), invited_by=actor
    )
    audit_record(actor=actor, action="invitation.create", obj=invitation, after={"email": email})
    link = site_url(reverse("accounts:accept_invitation", args=[invitation.token]))
    subject = str(_("You are invited to %(name)s's account on the incentives portal") % {"name": applicant.name})
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"inviter": actor, "applicant": applicant, "link": link, "days": INVITATION_VALID_FOR.days},
    )
    key = f"invitation:{invitation.pk}"
    enqueue(send_email_task, {"to": email, "subject": subject, "body": body, "key": key}, key=key)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, display_name: str = "") -> User:
    """Creates the invitee's user in the inviting enterprise (not an administrator); once only."""
    # The invitation's row only (of="self"): locking the applicant too would block its other users' writes.
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("applicant").filter(token=token).first()
    )
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        raise invalid("token", problem, "invitation")
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
