"""Who an enterprise really is: its credit code (统一社会信用代码) and name, verified before its first
submission, so that registering someone else's code no longer locks the real company out.

Three ways, one result (`Applicant.identity_verified_at` and `identity_verified_via`):

- government single sign-on (accounts/oidc.py calls `sso_sign_in`): the identity provider asserts
  the credit code and name; the user joins that enterprise, verified at once;
- an official's check of the business licence (营业执照) the enterprise's user uploads
  (`identity_verification_request`, then `identity_check_approve` or `identity_check_reject`);
- a claim (`enterprise_claim`) by a real company on a code someone else registered: an official
  decides on its licence too.

Where a verified identity replaces an unverified one (single sign-on, an approved claim), the
previous users lose the enterprise (they are detached from it and told), its pending invitations
are withdrawn and its bank account, chosen by them, is removed; its applications stay with it.
Each service runs in one transaction with its permission check and audit events; an identity
check's status moves only through accounts/workflow.py.
"""

import os
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from measures.vocabulary import ApplicantType
from portal.uploads import UploadRefused, clean_name, file_format
from portal.workflow import TransitionNotAllowed

from .cleaning import invalid
from .hooks import applicant_registered
from .identifiers import validate_uscc
from .models import Applicant, BankAccount, IdentityCheck, IdentityMethod, Invitation, User
from .permissions import may_verify_enterprises
from .registration import _clean_credentials, email_taken, email_verification_send
from .services import notification_send
from .workflow import WORKFLOW

Status = IdentityCheck.Status
Kind = IdentityCheck.Kind

NAME_MAX = 200
REASON_MAX = 1000


# --- reads ------------------------------------------------------------------------------------


def pending_checks() -> QuerySet[IdentityCheck]:
    """The officials' queue: oldest first, with what each row shows."""
    return (
        IdentityCheck.objects.filter(status=Status.PENDING)
        .select_related("applicant", "requested_by")
        .order_by("created_at", "pk")
    )


def checks_of(user: User) -> QuerySet[IdentityCheck]:
    """What the user sent, newest first."""
    return IdentityCheck.objects.filter(requested_by=user).select_related("applicant", "decided_by").order_by("-pk")


def access_check(user: Any, pk: int | str) -> IdentityCheck:
    """One identity check for its requester or an official who verifies enterprises; the same 404 for
    a missing one and anybody else's, so ids cannot be probed."""
    try:
        check = IdentityCheck.objects.select_related("applicant", "requested_by", "decided_by").get(pk=int(pk))
    except (IdentityCheck.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if getattr(user, "pk", None) != check.requested_by_id and not may_verify_enterprises(user):
        raise Http404
    return check


# --- cleaning ---------------------------------------------------------------------------------


def licence_check(file: UploadedFile | None) -> tuple[str, str]:
    """The business licence: PDF, JPEG or PNG by its bytes (portal/uploads.py); (clean name, format)."""
    if file is None:
        raise invalid("licence", _("Upload the business licence (PDF, JPEG or PNG)."), "required")
    try:
        fmt = file_format(
            file,
            accepted=("pdf", "jpeg", "png"),
            refused_message=_("Only PDF, JPEG and PNG files are accepted (this file's content is not one of them)."),
        )
    except UploadRefused as refused:
        raise invalid("licence", refused.message, refused.code) from None
    return clean_name(file.name or "", fmt, default="licence"), fmt


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("Enter the enterprise's name exactly as on its business licence."), "required")
    if len(name) > NAME_MAX:
        raise invalid("name", _("At most %(n)d characters.") % {"n": NAME_MAX}, "max_length")
    return name


def _collect(errors: dict[str, list[ValidationError]], check: Any) -> Any:
    try:
        return check()
    except ValidationError as error:
        errors.update(error.error_dict)
        return None


def _new_check(
    *, kind: str, applicant: Applicant, user: User, name: str, licence: UploadedFile, shown: str
) -> IdentityCheck:
    if IdentityCheck.objects.filter(applicant=applicant, requested_by=user, status=Status.PENDING).exists():
        raise invalid(
            "licence",
            _("You have already sent a licence for this enterprise: wait for the decision, or withdraw it first."),
            "pending",
        )
    check = IdentityCheck(kind=kind, applicant=applicant, requested_by=user, name=name, licence_name=shown)
    check.licence.save(f"{uuid.uuid4().hex}{os.path.splitext(shown)[1]}", licence, save=False)
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:  # the same request twice at once
        check.licence.delete(save=False)
        raise invalid("licence", _("You have already sent a licence for this enterprise."), "pending") from None
    return check


# --- requests ---------------------------------------------------------------------------------


@transaction.atomic
def identity_verification_request(
    *, actor: User, name: str, licence: UploadedFile | None, ip_address: str | None = None
) -> IdentityCheck:
    """The enterprise's user asks an official to check its business licence against its credit code
    and `name` (as on the licence; the registered name is replaced by it on approval)."""
    applicant = actor.applicant
    if applicant is None or not applicant.is_enterprise:
        raise PermissionDenied
    if applicant.identity_verified:
        raise invalid("licence", _("Your enterprise's identity is already verified."), "already_verified")
    errors: dict[str, list[ValidationError]] = {}
    name = _collect(errors, lambda: _clean_name(name))
    found = _collect(errors, lambda: licence_check(licence))
    if errors:
        raise ValidationError(errors)
    assert licence is not None
    check = _new_check(
        kind=Kind.VERIFICATION, applicant=applicant, user=actor, name=name, licence=licence, shown=found[0]
    )
    audit_record(
        actor=actor,
        action="identity_check.request",
        obj=check,
        after={"kind": check.kind, "uscc": applicant.uscc, "name": name, "licence_name": check.licence_name},
        ip_address=ip_address,
    )
    return check


@transaction.atomic
def enterprise_claim(
    *,
    actor: User | None,
    uscc: str,
    name: str,
    licence: UploadedFile | None,
    username: str = "",
    email: str = "",
    password: str = "",
    ip_address: str | None = None,
) -> IdentityCheck:
    """A real company claims a credit code someone else registered: it sends the business licence,
    and an official decides (`identity_check_approve`). Someone not signed in gets an account of
    their own here (with no enterprise until the claim is approved). Callers throttle it as they
    throttle registration, since it says whether a code is registered."""
    if actor is not None and (actor.is_official or actor.applicant_id or actor.is_superuser):
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    code = _collect(errors, lambda: validate_uscc(uscc))
    applicant = Applicant.objects.filter(uscc=code, kind=ApplicantType.ORGANISATION).first() if code else None
    if code and applicant is None:
        errors["uscc"] = [
            ValidationError(
                _("No enterprise is registered with this credit code: register it instead."), code="unknown"
            )
        ]
    name = _collect(errors, lambda: _clean_name(name))
    found = _collect(errors, lambda: licence_check(licence))
    credentials = None
    if actor is None:
        credentials = _collect(errors, lambda: _clean_credentials(username=username, email=email, password=password))
    if errors:
        raise ValidationError(errors)
    assert applicant is not None and licence is not None
    user = actor
    if user is None:
        assert credentials is not None
        user = User(username=credentials["username"], email=credentials["email"])
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise invalid("username", _("This username is taken: please choose another."), "unique") from None
        audit_record(
            actor=user, action="user.register", obj=user, after={"username": user.username, "email": user.email}
        )
        email_verification_send(user=user)
    check = _new_check(kind=Kind.CLAIM, applicant=applicant, user=user, name=name, licence=licence, shown=found[0])
    # Not on the enterprise's own timeline: its current users are the ones whose access is in question.
    audit_record(
        actor=user,
        action="identity_check.request",
        obj=check,
        after={"kind": check.kind, "uscc": applicant.uscc, "name": name, "licence_name": check.licence_name},
        ip_address=ip_address,
        visible_to_applicant=False,
    )
    return check


# --- what verification changes ---------------------------------------------------------------


def _verify(applicant: Applicant, *, actor: User | None, via: str, name: str, ip_address: str | None = None) -> None:
    """Marks the (locked) enterprise verified, under the name the licence or the provider gave."""
    before = {
        "identity_verified_via": applicant.identity_verified_via,
        "identity_verified_at": applicant.identity_verified_at,
        "name": applicant.name,
    }
    applicant.identity_verified_at = timezone.now()
    applicant.identity_verified_via = via
    applicant.name = name
    applicant.save(update_fields=["identity_verified_at", "identity_verified_via", "name", "updated_at"])
    audit_record(
        actor=actor,
        action="applicant.verify_identity",
        obj=applicant,
        before=before,
        after={"identity_verified_via": via, "identity_verified_at": applicant.identity_verified_at, "name": name},
        ip_address=ip_address,
    )


def _take_over(applicant: Applicant, *, keep: User, actor: User | None, how: str) -> list[User]:
    """The enterprise's previous users lose it (told why); its pending invitations and the bank
    account they chose go. Its applications stay with it. Returns the detached users."""
    detached = list(User.objects.select_for_update().filter(applicant=applicant).exclude(pk=keep.pk).order_by("pk"))
    for user in detached:
        user.applicant = None
        user.is_applicant_admin = False
        user.save(update_fields=["applicant", "is_applicant_admin"])
        audit_record(
            actor=actor,
            action="user.detach",
            obj=user,
            before={"applicant": applicant.pk, "uscc": applicant.uscc},
            after={"applicant": None},
            reason=how,
            visible_to_applicant=False,
        )
        notification_send(
            user=user,
            subject=_("You no longer act for %(name)s") % {"name": applicant.name},
            body=_(
                "The enterprise with the credit code %(uscc)s has proved its identity (%(how)s). Your account "
                "no longer acts for it. If you work there, ask its administrator to invite you."
            )
            % {"uscc": applicant.uscc, "how": how},
        )
    for invitation in Invitation.objects.filter(applicant=applicant, accepted_at__isnull=True):
        audit_record(
            actor=actor, action="invitation.withdraw", obj=invitation, before={"email": invitation.email}, reason=how
        )
        invitation.delete()
    account = BankAccount.objects.select_for_update().filter(applicant=applicant).first()
    if account is not None:
        audit_record(
            actor=actor,
            action="bank_account.delete",
            obj=account,
            before={"bank_name": account.bank_name, "account_number": account.account_number_masked},
            reason=how,
        )
        account.delete()
    return detached


def _withdraw_others(applicant: Applicant, *, except_pk: int | None, reason: str) -> None:
    """Pending requests about an enterprise whose identity is now settled are withdrawn (by the system)."""
    others = IdentityCheck.objects.filter(applicant=applicant, status=Status.PENDING)
    if except_pk is not None:
        others = others.exclude(pk=except_pk)

    def notify(check: IdentityCheck) -> None:
        notification_send(
            user=check.requested_by,
            subject=_("Your request about %(uscc)s is closed") % {"uscc": check.applicant.uscc},
            body=reason,
            link=reverse("accounts:identity"),
        )

    for other in others:
        WORKFLOW.transition(
            other,
            "withdraw",
            actor=None,
            reason=reason,
            visible_to_applicant=False,
            notify=notify,
        )


# --- officials' decisions ---------------------------------------------------------------------


@transaction.atomic
def identity_check_approve(*, actor: User, check: IdentityCheck, ip_address: str | None = None) -> IdentityCheck:
    """The licence shows the enterprise's credit code and the name given: the enterprise is verified
    under that name. For a claim, the claimant becomes its administrator and its previous users lose it."""
    detached: list[User] = []

    def changes(locked: IdentityCheck) -> dict[str, Any]:
        applicant = Applicant.objects.select_for_update().get(pk=locked.applicant_id)
        requester = User.objects.select_for_update().get(pk=locked.requested_by_id)
        if locked.kind == Kind.VERIFICATION:
            if requester.applicant_id != applicant.pk:
                raise TransitionNotAllowed(
                    _("The person who sent this licence no longer acts for the enterprise: reject the request.")
                )
        else:
            if requester.applicant_id not in (None, applicant.pk) or requester.is_official:
                raise TransitionNotAllowed(
                    _("The claimant's account now acts for another enterprise: reject the request.")
                )
            how = _("an official checked its business licence")
            detached.extend(_take_over(applicant, keep=requester, actor=actor, how=how))
            if requester.applicant_id != applicant.pk:
                requester.applicant = applicant
                requester.is_applicant_admin = True
                requester.save(update_fields=["applicant", "is_applicant_admin"])
                audit_record(
                    actor=actor,
                    action="user.attach",
                    obj=requester,
                    before={"applicant": None},
                    after={"applicant": applicant.pk, "is_applicant_admin": True},
                )
        _verify(applicant, actor=actor, via=IdentityMethod.OFFICIAL, name=locked.name, ip_address=ip_address)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        return {"kind": locked.kind, "name": locked.name, "detached": [u.username for u in detached]}

    def notify(locked: IdentityCheck) -> None:
        notification_send(
            user=locked.requested_by,
            subject=_("%(name)s is verified") % {"name": locked.name},
            body=_(
                "An official checked the business licence: %(name)s (%(uscc)s) is verified, and you act for it. "
                "Applications can be submitted now."
            )
            % {"name": locked.name, "uscc": locked.applicant.uscc},
            link=reverse("accounts:identity"),
        )

    approved = WORKFLOW.transition(check, "approve", actor=actor, changes=changes, ip_address=ip_address, notify=notify)
    _withdraw_others(
        approved.applicant,
        except_pk=approved.pk,
        reason=_("An official decided another request about this enterprise: it is verified."),
    )
    return approved


@transaction.atomic
def identity_check_reject(
    *, actor: User, check: IdentityCheck, reason: str, ip_address: str | None = None
) -> IdentityCheck:
    """The licence does not show the code and name (or cannot be read): the requester is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Say why, so the enterprise can put it right."), "required")
    if len(reason) > REASON_MAX:
        raise invalid("reason", _("At most %(n)d characters.") % {"n": REASON_MAX}, "max_length")

    def changes(locked: IdentityCheck) -> dict[str, Any]:
        locked.decided_by, locked.decided_at, locked.reason = actor, timezone.now(), reason
        return {"kind": locked.kind}

    def notify(locked: IdentityCheck) -> None:
        notification_send(
            user=locked.requested_by,
            subject=_("Your business licence was not accepted"),
            body=_("An official could not verify %(uscc)s with the licence you sent: %(reason)s")
            % {"uscc": locked.applicant.uscc, "reason": reason},
            link=reverse("accounts:identity"),
        )

    return WORKFLOW.transition(
        check,
        "reject",
        actor=actor,
        changes=changes,
        reason=reason,
        ip_address=ip_address,
        notify=notify,
        visible_to_applicant=check.kind == Kind.VERIFICATION,
    )


@transaction.atomic
def identity_check_withdraw(*, actor: User, check: IdentityCheck) -> IdentityCheck:
    return WORKFLOW.transition(check, "withdraw", actor=actor, visible_to_applicant=check.kind == Kind.VERIFICATION)


# --- government single sign-on ----------------------------------------------------------------


def _sso_username(code: str) -> str:
    base = f"sso-{code.lower()}"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def sso_sign_in(*, subject: str, uscc: str, name: str, email: str = "", email_verified: bool = False) -> User:
    """The user the government identity provider vouched for: `subject` (its "sub") acts for the
    enterprise with credit code `uscc`, named `name`. Creates the enterprise or links to the one
    registered with that code; an unverified one is taken over from whoever registered it. Raises
    ValidationError for claims that are not a valid code and name, PermissionDenied for an official."""
    subject = (subject or "").strip()
    if not subject or len(subject) > 255:
        raise invalid("sub", _("The identity provider sent no usable subject."), "invalid")
    code = validate_uscc(uscc)
    name = _clean_name(name)
    user = User.objects.select_for_update().filter(sso_subject=subject).first()
    if user is not None and (user.is_official or user.is_superuser):
        raise PermissionDenied
    applicant = Applicant.objects.select_for_update().filter(uscc=code).first()
    created = applicant is None
    if applicant is None:
        applicant = Applicant(kind=ApplicantType.ORGANISATION, name=name, uscc=code)
        applicant.save()
        registered = applicant
        transaction.on_commit(lambda: applicant_registered.send(applicant=registered), robust=True)
    if user is None:
        email = (email or "").strip()
        usable = bool(email) and len(email) <= 254 and not email_taken(email)
        user = User(
            username=_sso_username(code),
            sso_subject=subject,
            email=email if usable else "",
            email_verified_at=timezone.now() if usable and email_verified else None,
            display_name=name[:100],
            applicant=applicant,
            is_applicant_admin=True,
        )
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        audit_record(
            actor=user,
            action="user.register",
            obj=user,
            after={"username": user.username, "email": user.email, "via": IdentityMethod.SSO},
        )
    elif user.applicant_id != applicant.pk:
        before = {"applicant": user.applicant_id}
        user.applicant, user.is_applicant_admin = applicant, True
        user.save(update_fields=["applicant", "is_applicant_admin"])
        audit_record(actor=user, action="user.attach", obj=user, before=before, after={"applicant": applicant.pk})
    if created:
        audit_record(
            actor=user, action="applicant.register", obj=applicant, after={"kind": applicant.kind, "uscc": code}
        )
    if not applicant.identity_verified:
        _take_over(applicant, keep=user, actor=user, how=_("its legal person signed in with the government identity"))
    if not applicant.identity_verified or applicant.name != name:
        _verify(applicant, actor=user, via=IdentityMethod.SSO, name=name)
        _withdraw_others(
            applicant,
            except_pk=None,
            reason=_("The enterprise proved its identity by the government single sign-on: no licence is needed."),
        )
    return user
