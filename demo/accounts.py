"""Demo accounts for `make run`: created once, printed every time.

Later issues add officials and finance officers here, so one command shows every login a
visitor can try. The passwords are public: the command refuses to run in production.

The demo applicants are real-looking: their credit codes and the resident ID carry correct
check characters (tests/accounts/test_demo.py checks them), and their qualifications make them
eligible for several incentives.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Applicant, ApplicantQualification, BankAccount, IdentityMethod, User
from measures.vocabulary import ApplicantType


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    department: str | None = None
    # City bureau officials (地市初审推荐): the city whose applicants they review first.
    city: str | None = None
    enterprise: str | None = None
    employer: str | None = None  # experts (demo/experts.py): where the expert works
    # The second factor of the roles that require one (demo/two_factor.py): the authenticator's key
    # and a recovery code.
    totp_secret: str | None = None
    recovery_code: str | None = None
    # Only for applicants' users: the applicant's administrator (enterprises' first user).
    applicant_admin: bool = field(default=False, compare=False)

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None and k not in ("display_name", "applicant_admin")}


@dataclass(frozen=True)
class DemoApplicant:
    name: str
    kind: str
    identifier: str  # credit code or resident ID
    fields: dict
    qualifications: tuple[tuple[str, str, int, str], ...] = ()  # (code, level, year, certificate number)
    bank: tuple[str, str] | None = None  # (bank and branch, account number)


DEMO_ENTERPRISE = "深圳市鹏城智造电子科技有限公司"
DEMO_ENTERPRISE_2 = "佛山市顺德区美匠电器有限公司"
DEMO_INDIVIDUAL = "陈质量"
# Two Foshan enterprises applying in measure 15's call, reviewed by the Foshan bureau first (demo/city.py).
DEMO_FOSHAN_ENTERPRISE = "佛山市南海区华标智能装备有限公司"
DEMO_FOSHAN_ENTERPRISE_2 = "佛山市禅城区陶瓷标准化技术有限公司"
DEMO_FOSHAN_ENTERPRISES = (DEMO_FOSHAN_ENTERPRISE, DEMO_FOSHAN_ENTERPRISE_2)

DEMO_APPLICANTS = [
    DemoApplicant(
        name=DEMO_ENTERPRISE,
        kind=ApplicantType.ORGANISATION,
        identifier="91440300MA5DKQ8L3X",
        fields={
            "city": "shenzhen",
            "district": "南山区",
            "industry": "39",
            "size": "medium",
            "contact_person": "王经理",
            "contact_phone": "0755-26880000",
            "revenue_year": 2025,
            "revenue_cn": Decimal("1250000000.00"),
            "revenue_world": Decimal("1830000000.00"),
        },
        qualifications=(
            ("national_single_champion", "national", 2024, "GXB-DXGJ-2024-0417"),
            ("little_giant", "national", 2023, "ZJTX-XJR-2023-1185"),
            ("china_quality_award", "national", 2025, "ZGZLJ-2025-012"),
        ),
        bank=("中国工商银行深圳南山支行", "4000023409200123456"),
    ),
    DemoApplicant(
        name=DEMO_ENTERPRISE_2,
        kind=ApplicantType.ORGANISATION,
        identifier="91440604MA4UR7N2X6",
        fields={
            "city": "foshan",
            "district": "顺德区",
            "industry": "38",
            "size": "small",
            "contact_person": "李主任",
            "contact_phone": "0757-22330000",
            "revenue_year": 2025,
            "revenue_cn": Decimal("86000000.00"),
            "revenue_world": Decimal("97000000.00"),
        },
        qualifications=(
            ("specialised_sme", "provincial", 2024, "GDZJTX-2024-3321"),
            ("provincial_quality_award", "provincial", 2023, "GDSZFZLJ-2023-045"),
        ),
        bank=("中国建设银行佛山顺德支行", "44050166870800001234"),
    ),
    DemoApplicant(
        name=DEMO_FOSHAN_ENTERPRISE,
        kind=ApplicantType.ORGANISATION,
        identifier="91440605MA4WHB8K0E",
        fields={
            "city": "foshan",
            "district": "南海区",
            "industry": "35",
            "size": "medium",
            "contact_person": "梁工",
            "contact_phone": "0757-86220000",
            "revenue_year": 2025,
            "revenue_cn": Decimal("420000000.00"),
            "revenue_world": Decimal("510000000.00"),
        },
        bank=("中国农业银行佛山南海支行", "44501001040012345"),
    ),
    DemoApplicant(
        name=DEMO_FOSHAN_ENTERPRISE_2,
        kind=ApplicantType.ORGANISATION,
        identifier="91440604MA51QX3N0F",
        fields={
            "city": "foshan",
            "district": "禅城区",
            "industry": "30",
            "size": "small",
            "contact_person": "冯经理",
            "contact_phone": "0757-82660000",
            "revenue_year": 2025,
            "revenue_cn": Decimal("156000000.00"),
            "revenue_world": Decimal("173000000.00"),
        },
        bank=("中国银行佛山禅城支行", "71285800012345"),
    ),
    DemoApplicant(
        name=DEMO_INDIVIDUAL,
        kind=ApplicantType.INDIVIDUAL,
        identifier="440305199003150014",
        fields={"city": "shenzhen", "contact_person": DEMO_INDIVIDUAL, "employer_uscc": "91440300MA5DKQ8L3X"},
        qualifications=(("china_quality_award", "national", 2025, "ZGZLJ-GR-2025-003"),),
        bank=("招商银行深圳分行", "6225880212345678"),
    ),
]

DEMO_ACCOUNTS = [
    DemoAccount("admin", "demo-Admin-2026", "administrator", "平台管理员"),
    DemoAccount(
        "demo-enterprise",
        "demo-Enterprise-2026",
        "enterprise",
        "王经理",
        enterprise=DEMO_ENTERPRISE,
        applicant_admin=True,
    ),
    DemoAccount("demo-colleague", "demo-Colleague-2026", "enterprise", "赵专员", enterprise=DEMO_ENTERPRISE),
    DemoAccount(
        "demo-enterprise2",
        "demo-Enterprise2-2026",
        "enterprise",
        "李主任",
        enterprise=DEMO_ENTERPRISE_2,
        applicant_admin=True,
    ),
    DemoAccount(
        "demo-enterprise-foshan",
        "demo-Foshan-2026",
        "enterprise",
        "梁工",
        enterprise=DEMO_FOSHAN_ENTERPRISE,
        applicant_admin=True,
    ),
    DemoAccount(
        "demo-enterprise-foshan2",
        "demo-Foshan2-2026",
        "enterprise",
        "冯经理",
        enterprise=DEMO_FOSHAN_ENTERPRISE_2,
        applicant_admin=True,
    ),
    DemoAccount(
        "demo-individual",
        "demo-Individual-2026",
        "individual",
        DEMO_INDIVIDUAL,
        enterprise=DEMO_INDIVIDUAL,
        applicant_admin=True,
    ),
]


def ensure_demo_applicants() -> dict[str, Applicant]:
    """The demo enterprises and individual, by identifier; adds only what is missing."""
    applicants: dict[str, Applicant] = {}
    for spec in DEMO_APPLICANTS:
        key = "uscc" if spec.kind == ApplicantType.ORGANISATION else "resident_id"
        # The demo enterprises' licences count as checked, so their users can submit at once.
        verified = (
            {"identity_verified_at": timezone.now(), "identity_verified_via": IdentityMethod.OFFICIAL}
            if spec.kind == ApplicantType.ORGANISATION
            else {}
        )
        applicant, _created = Applicant.objects.get_or_create(
            **{key: spec.identifier}, defaults={"kind": spec.kind, "name": spec.name, **spec.fields, **verified}
        )
        for code, level, year, certificate in spec.qualifications:
            ApplicantQualification.objects.get_or_create(
                applicant=applicant,
                qualification=code,
                year=year,
                defaults={"level": level, "certificate_number": certificate},
            )
        if spec.bank:
            BankAccount.objects.get_or_create(
                applicant=applicant,
                defaults={"account_name": applicant.name, "bank_name": spec.bank[0], "account_number": spec.bank[1]},
            )
        applicants[spec.name] = applicant
    return applicants


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Creates the demo accounts that are missing; resets nothing an earlier run created."""
    applicants = ensure_demo_applicants()
    for account in DEMO_ACCOUNTS:
        applicant = applicants.get(account.enterprise or "") if account.role in ("enterprise", "individual") else None
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "display_name": account.display_name,
                "applicant": applicant,
                "is_applicant_admin": account.applicant_admin,
                "email": f"{account.username}@example.com" if applicant else "",
                "email_verified_at": timezone.now() if applicant else None,
            },
        )
        if created:
            user.set_password(account.password)
            if account.role == "administrator":
                user.is_staff = user.is_superuser = True
            user.save()
    return DEMO_ACCOUNTS
