"""Reads about applicants that pages, the API and other apps share.

`applicant_of` and `qualification_of` fetch and check access in one call and raise the same 404
for "missing" and "not yours", so nobody can probe ids.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from measures.eligibility import ApplicantFacts, QualificationHeld

from .models import Applicant, ApplicantDeclaration, ApplicantQualification, BankAccount, Invitation, User


def applicant_of(user: User) -> Applicant:
    """The applicant the signed-in user acts for; 404 for anonymous users and officials."""
    applicant = user.applicant if getattr(user, "is_authenticated", False) else None
    if applicant is None:
        raise Http404
    return applicant


def qualification_list(applicant: Applicant) -> QuerySet[ApplicantQualification]:
    return ApplicantQualification.objects.filter(applicant=applicant).order_by("-year", "qualification", "pk")


def qualification_of(user: User, pk: int | str) -> ApplicantQualification:
    """One of the user's applicant's qualifications; 404 for anybody else's."""
    applicant = applicant_of(user)
    try:
        return ApplicantQualification.objects.get(pk=int(pk), applicant=applicant)
    except (ApplicantQualification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def bank_account_of(applicant: Applicant) -> BankAccount | None:
    return BankAccount.objects.filter(applicant=applicant).first()


def invitation_list(applicant: Applicant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(applicant=applicant).select_related("invited_by").order_by("-created_at")


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("applicant").filter(token=token).first()


def colleagues(applicant: Applicant) -> QuerySet[User]:
    return User.objects.filter(applicant=applicant).order_by("-is_applicant_admin", "username")


COMPLETENESS_LABELS = {
    "city": _("City"),
    "industry": _("Industry"),
    "size": _("Enterprise size"),
    "contact_person": _("Contact person"),
    "revenue": _("Last year's revenue"),
    "qualification": _("At least one qualification"),
    "bank_account": _("Bank account for payments"),
}


def profile_items(applicant: Applicant) -> list[tuple[str, bool]]:
    """(item, done) for each part of a complete profile; enterprises have more parts than people."""
    items = [("city", bool(applicant.city))]
    if applicant.is_enterprise:
        items += [("industry", bool(applicant.industry)), ("size", bool(applicant.size))]
    items.append(("contact_person", bool(applicant.contact_person)))
    if applicant.is_enterprise:
        items.append(("revenue", applicant.revenue_cn is not None and applicant.revenue_world is not None))
    if "qualifications" in getattr(applicant, "_prefetched_objects_cache", {}):
        has_qualification = bool(applicant.qualifications.all())
    else:
        has_qualification = ApplicantQualification.objects.filter(applicant=applicant).exists()
    items.append(("qualification", has_qualification))
    items.append(("bank_account", BankAccount.objects.filter(applicant=applicant).exists()))
    return items


def profile_completeness(applicant: Applicant) -> tuple[int, list[str]]:
    """(percent complete, the missing parts in words, in the active language). Two queries at most."""
    items = profile_items(applicant)
    done = sum(1 for _key, ok in items if ok)
    missing = [str(COMPLETENESS_LABELS[key]) for key, ok in items if not ok]
    return round(100 * done / len(items)), missing


def applicant_facts(applicant: Applicant) -> ApplicantFacts:
    """What eligibility rules may know of the applicant; None where the profile says nothing yet."""
    if "qualifications" in getattr(applicant, "_prefetched_objects_cache", {}):
        records = [(q.qualification, q.year, q.level) for q in applicant.qualifications.all()]
    else:
        records = list(
            ApplicantQualification.objects.filter(applicant=applicant).values_list("qualification", "year", "level")
        )
    codes = frozenset(code for code, _year, _level in records)
    held = tuple(QualificationHeld(code=code, year=year, level=level) for code, year, level in records)
    if "declarations" in getattr(applicant, "_prefetched_objects_cache", {}):
        answers = [(d.criterion_id, d.holds) for d in applicant.declarations.all()]
    else:
        answers = list(ApplicantDeclaration.objects.filter(applicant=applicant).values_list("criterion_id", "holds"))
    return ApplicantFacts(
        applicant_type=applicant.kind,
        declarations=frozenset(str(pk) for pk, holds in answers if holds),
        declared_not=frozenset(str(pk) for pk, holds in answers if not holds),
        qualifications=codes,
        held=held,
        size=applicant.size or None,
        city=applicant.city or None,
        industry_division=applicant.industry or None,
        revenue_cn=applicant.revenue_cn,
        revenue_world=applicant.revenue_world,
    )


def declaration_list(applicant: Applicant) -> QuerySet[ApplicantDeclaration]:
    """The applicant's answers to declaration criteria, with who answered."""
    return ApplicantDeclaration.objects.filter(applicant=applicant).select_related("declared_by")
