"""The demo's city first review (地市初审推荐, issue 12), idempotent, for `make run`:

    ensure_demo_city_officials()   a handler and an approver of the Guangzhou, Shenzhen and Foshan bureaus
    ensure_demo_city_review()      in measure 15's open call (reviewed by the city first): one Foshan
                                   enterprise's application at the Foshan bureau's first review, and
                                   another's recommended, signed and listed on the bureau's letter (推荐函)

Made through the real services (submission, the city's proposal and sign-off, the letter), so the
audit trail, notifications and the letter's PDF are real.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.city_letters import city_letter_issue
from applications.city_review import city_approve, city_propose
from applications.models import Application, CityRecommendationLetter
from applications.services import application_create, application_save_section, application_submit
from applications.services import document_add as _document_add
from calls.models import Call
from measures.models import Incentive
from measures.vocabulary import GuangdongCity

from .accounts import DEMO_FOSHAN_ENTERPRISE, DEMO_FOSHAN_ENTERPRISE_2, DemoAccount, ensure_demo_accounts
from .applications import DEMO_OFFICIAL_PASSWORD, DEMO_PDF, STANDARDS, _answers
from .calls import ensure_demo_calls

DEMO_CITY_OFFICIALS = [
    # (username, role, city, display name)
    ("demo-city-handler-guangzhou", OfficialRole.CITY_HANDLER, GuangdongCity.GUANGZHOU, "广州市市场监管局经办人 何静"),
    (
        "demo-city-approver-guangzhou",
        OfficialRole.CITY_APPROVER,
        GuangdongCity.GUANGZHOU,
        "广州市市场监管局审核人 罗军",
    ),
    ("demo-city-handler-shenzhen", OfficialRole.CITY_HANDLER, GuangdongCity.SHENZHEN, "深圳市市场监管局经办人 邓丽"),
    ("demo-city-approver-shenzhen", OfficialRole.CITY_APPROVER, GuangdongCity.SHENZHEN, "深圳市市场监管局审核人 曾宏"),
    ("demo-city-handler-foshan", OfficialRole.CITY_HANDLER, GuangdongCity.FOSHAN, "佛山市市场监管局经办人 梁敏"),
    ("demo-city-approver-foshan", OfficialRole.CITY_APPROVER, GuangdongCity.FOSHAN, "佛山市市场监管局审核人 潘涛"),
]


@dataclass(frozen=True)
class DemoCityApplication:
    user: str  # the enterprise's demo login
    standard: str  # the international standard it led: each claim is funded once, so each its own
    forwarded: bool  # recommended by the Foshan bureau and signed; else still at its first review
    reasons: str = ""


DEMO_CITY_APPLICATIONS = [
    DemoCityApplication("demo-enterprise-foshan", "ISO 23981:2025", forwarded=False),
    DemoCityApplication(
        "demo-enterprise-foshan2",
        "ISO 23982:2025",
        forwarded=True,
        reasons="企业主导制定陶瓷砖国际标准，材料齐全、真实，符合申报条件，同意推荐。",
    ),
]
_ENTERPRISES = {"demo-enterprise-foshan": DEMO_FOSHAN_ENTERPRISE, "demo-enterprise-foshan2": DEMO_FOSHAN_ENTERPRISE_2}


def ensure_demo_city_officials() -> list[DemoAccount]:
    """The demo city bureau officials (created once; an existing account is left as it is)."""
    accounts = []
    for username, role, city, display_name in DEMO_CITY_OFFICIALS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display_name, "official_role": role, "city": city}
        )
        if created:
            user.set_password(DEMO_OFFICIAL_PASSWORD)
            user.save(update_fields=["password"])
        accounts.append(DemoAccount(username, DEMO_OFFICIAL_PASSWORD, role, display_name, city=city))
    return accounts


def _standards_call() -> Call | None:
    return (
        Call.objects.filter(review_path=Call.ReviewPath.CITY_FIRST, incentives__code=STANDARDS)
        .order_by("-opens_at", "-pk")
        .first()
    )


def _draft(user: User, incentive: Incentive, year: int, standard: str) -> Application:
    application = application_create(actor=user, incentive=incentive, fiscal_year=year)
    for section_key, answers in _answers(incentive).items():
        for value in answers.values():
            for row in value if isinstance(value, list) else []:
                if isinstance(row, dict) and "number" in row:
                    row["number"] = standard
        application = application_save_section(
            actor=user, application=application, section_key=section_key, answers=answers
        )
    for required in incentive.required_documents.filter(is_mandatory=True):
        _document_add(
            actor=user,
            application=application,
            upload=SimpleUploadedFile("材料.pdf", DEMO_PDF, content_type="application/pdf"),
            required_document=required,
        )
    return Application.objects.get(pk=application.pk)


def ensure_demo_city_review() -> list[Application]:
    """The Foshan applications of measure 15's call and the bureau's letter (adds only what is missing)."""
    ensure_demo_accounts()
    ensure_demo_city_officials()
    ensure_demo_calls()
    call = _standards_call()
    if call is None or not call.is_open():
        return []
    incentive = Incentive.objects.get(code=STANDARDS)
    handler = User.objects.get(username="demo-city-handler-foshan")
    approver = User.objects.get(username="demo-city-approver-foshan")
    made = []
    for spec in DEMO_CITY_APPLICATIONS:
        user = User.objects.select_related("applicant").get(username=spec.user)
        assert user.applicant is not None and user.applicant.name == _ENTERPRISES[spec.user]
        existing = Application.objects.filter(applicant=user.applicant, incentive=incentive, call=call).first()
        if existing is not None:
            made.append(existing)
            continue
        with transaction.atomic():
            application = _draft(user, incentive, call.fiscal_year or timezone.localdate().year, spec.standard)
            application = application_submit(actor=user, application=application, credit_commitment=True)
            if spec.forwarded:
                application = city_propose(actor=handler, application=application, recommend=True, reasons=spec.reasons)
                application = city_approve(actor=approver, application=application)
        made.append(application)
    if not CityRecommendationLetter.objects.filter(call=call, city=GuangdongCity.FOSHAN).exists() and any(
        a.city_recommended and a.city_decided_at for a in made
    ):
        city_letter_issue(actor=approver, call=call)
    return made
