"""Factories for accounts objects: applicants (enterprises and individuals), their users, and
officials.

Credit codes and resident IDs are generated valid (check characters computed by python-stdnum),
so every factory-built applicant passes the same validation registration applies.

    enterprise_user = EnterpriseUserFactory()            # admin of a new enterprise
    colleague = EnterpriseUserFactory(applicant=enterprise_user.applicant, is_applicant_admin=False)
    person = IndividualUserFactory()
    applicant = ApplicantFactory(city="shenzhen", size="medium")
    ApplicantFactory(individual=True)                    # an individual applicant

Officials: `role` (an OfficialRole, handler by default) and `department` (a Department's code, a
Department, or None). The department follows the role unless given: handlers and approvers
belong to amr (measure 17's quality awards), finance officers to "finance", administrators to none.

    OfficialFactory()                                    # a handler of amr
    OfficialFactory(role=OfficialRole.APPROVER, department="amr")
    OfficialFactory(role=OfficialRole.FINANCE)           # of the "finance" department
    OfficialFactory(role=OfficialRole.ADMINISTRATOR)     # no department
    OfficialFactory(username="miit-handler")             # the display name follows the username
    ConflictOfInterestFactory(official=handler, applicant=application.applicant)

Every user signs in with PASSWORD (`client.login(request=HttpRequest(), username=user.username,
password=PASSWORD)`: django-axes' backend needs a request, which Client.login does not pass).
Applicants' users have a confirmed email address (`email_verified_at=None` for one who has not).
Users are got or created by username: a username already taken returns that user unchanged.
"""

import datetime as dt

import factory
from django.utils import timezone
from stdnum.cn import ric, uscc

from accounts.models import Applicant, ApplicantQualification, BankAccount, ConflictOfInterest, OfficialRole, User
from measures.models import Department
from measures.vocabulary import ApplicantType

PASSWORD = "correct-Horse-battery-9"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int) -> str:
    """A valid unified social credit code, distinct for each n (Shenzhen registration authority)."""
    body = "91440300" + f"{n:09d}"
    return body + uscc.calc_check_digit(body)


def make_resident_id(n: int, *, area: str = "440305", birth: dt.date = dt.date(1985, 3, 12)) -> str:
    """A valid resident ID number, distinct for each n < 1000 per birth date (the sequence code)."""
    birth = birth + dt.timedelta(days=n // 1000)
    body = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class ApplicantFactory(factory.django.DjangoModelFactory):
    """An enterprise by default; `ApplicantFactory(individual=True)` builds a person."""

    class Meta:
        model = Applicant

    class Params:
        individual = factory.Trait(
            kind=ApplicantType.INDIVIDUAL,
            uscc=None,
            resident_id=factory.Sequence(lambda n: make_resident_id(n + 1)),
            name=factory.Sequence(lambda n: f"张三{n}"),
            industry="",
            size="",
            identity_verified_at=None,
            identity_verified_via="",
        )

    kind = ApplicantType.ORGANISATION
    name = factory.Sequence(lambda n: f"广东示例制造有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    resident_id = None
    city = "guangzhou"
    district = "天河区"
    industry = "39"
    size = "medium"
    contact_person = "李四"
    contact_phone = "020-12345678"
    # Enterprises' identity is verified unless a test says otherwise (identity_verified_at=None):
    # submission refuses an unverified one (applications.services.EnterpriseUnverified).
    identity_verified_at = factory.LazyFunction(timezone.now)
    identity_verified_via = "official"


class _UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    # Submission needs a confirmed address (applications.services.EmailUnverified).
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)
    is_applicant_admin = False


class EnterpriseUserFactory(_UserFactory):
    """The administrator of a new enterprise, unless given `applicant=` and `is_applicant_admin=False`."""

    username = factory.Sequence(lambda n: f"enterprise{n}")
    applicant = factory.SubFactory(ApplicantFactory)
    is_applicant_admin = True


class IndividualUserFactory(_UserFactory):
    username = factory.Sequence(lambda n: f"person{n}")
    applicant = factory.SubFactory(ApplicantFactory, individual=True)


# The department an official belongs to when none is given.
OFFICIAL_DEPARTMENT = {
    # 省市场监管局, which handles measure 17's quality awards (the incentives most tests claim).
    OfficialRole.HANDLER: "amr",
    OfficialRole.APPROVER: "amr",
    OfficialRole.FINANCE: "finance",
    OfficialRole.ADMINISTRATOR: None,
    # City bureaus are not provincial departments: their officials have a city instead.
    OfficialRole.CITY_HANDLER: None,
    OfficialRole.CITY_APPROVER: None,
}


class OfficialFactory(_UserFactory):
    """A department's official: `role` and `department` (a code) as the module docstring shows."""

    class Params:
        role = OfficialRole.HANDLER

    username = factory.LazyAttributeSequence(lambda u, n: f"{u.official_role}.{n}")
    display_name = factory.LazyAttribute(lambda u: u.username)
    official_role = factory.SelfAttribute("role")
    department = factory.LazyAttribute(lambda u: OFFICIAL_DEPARTMENT[u.official_role])

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict[str, object]:
        if isinstance(kwargs.get("department"), str):
            kwargs["department"] = Department.objects.get(code=kwargs["department"])
        return kwargs


class ConflictOfInterestFactory(factory.django.DjangoModelFactory):
    """An official's declared conflict with an applicant (a miit handler and a new enterprise)."""

    class Meta:
        model = ConflictOfInterest

    official = factory.SubFactory(OfficialFactory)
    applicant = factory.SubFactory(ApplicantFactory)
    note = "亲属"


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantQualification

    applicant = factory.SubFactory(ApplicantFactory)
    qualification = "little_giant"
    level = "national"
    year = factory.Sequence(lambda n: 2000 + n % 25)
    certificate_number = factory.Sequence(lambda n: f"CERT-{n:05d}")


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    applicant = factory.SubFactory(ApplicantFactory)
    account_name = factory.LazyAttribute(lambda b: b.applicant.name)
    bank_name = "中国工商银行广州天河支行"
    account_number = "6222020200112233445"


# ── applications (factories for applications; added by the applications engineer) ───────────────


def incentive_by_code(code: str = "m17-china-quality-award-org"):  # -> measures.models.Incentive
    from measures.models import Incentive

    return Incentive.objects.get(code=code)


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft for the China Quality Award (organisation) this year, by a new enterprise's user.

    ApplicationFactory(incentive=incentive_by_code("m15-international-standard-lead"), data={...})
    """

    class Meta:
        model = "applications.Application"

    created_by = factory.SubFactory(EnterpriseUserFactory)
    applicant = factory.LazyAttribute(lambda a: a.created_by.applicant)
    incentive = factory.LazyFunction(incentive_by_code)
    fiscal_year = factory.LazyFunction(_this_year)
    data = factory.LazyFunction(dict)


# ── credit (the list of seriously dishonest entities) ─────────────────────────────────────────────


class CreditListEntryFactory(factory.django.DjangoModelFactory):
    """An entry in force today for a new credit code; `CreditListEntryFactory(uscc=applicant.uscc)`
    lists an enterprise. Made directly (no audit, no re-screening): the services' tests use the services."""

    class Meta:
        model = "credit.CreditListEntry"

    uscc = factory.Sequence(lambda n: make_uscc(900000 + n))
    name = factory.Sequence(lambda n: f"失信示例有限公司{n}")
    list_name = "严重失信主体名单"
    listed_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=30))
    until = None
    source = "manual"
    added_by = factory.SubFactory(OfficialFactory, role=OfficialRole.ADMINISTRATOR)


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
