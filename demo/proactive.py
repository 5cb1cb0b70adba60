"""The demo proactive list of `make run`: this year's national single champions (idempotent)."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from budgets.models import Budget
from measures.models import Incentive
from measures.vocabulary import ApplicantType, Qualification
from proactive.list_file import ListFile
from proactive.models import ProactiveList
from proactive.offers import offer_bank_problem, proactive_offer_confirm
from proactive.selectors import offer_bank_account
from proactive.services import proactive_list_import

DEMO_INCENTIVE = "m3-national-single-champion"


DEMO_TITLE = "{year}年国家级制造业单项冠军企业名单（广东）"


DEMO_AMOUNT = Decimal("500000.00")


DEMO_BUDGET = Decimal("10000000.00")


# On the list but not registered: matched when it registers (its code carries a valid check character).
DEMO_UNMATCHED = ("91440101MA9W5LQ47Y", "广州粤芯精密仪器股份有限公司")


def ensure_demo_proactive_list() -> ProactiveList:
    """The demo's list: the two demo enterprises (offers) and one enterprise not yet registered.

    Idempotent: a second call returns the list made by the first. Sets the incentive's budget
    for the year when none is set, so the demo enterprises can confirm; the second demo
    enterprise confirms its offer, so the list shows an offer on its way to announcement.
    """
    from budgets.services import budget_set

    from .accounts import DEMO_APPLICANTS, DEMO_ENTERPRISE_2, DEMO_FOSHAN_ENTERPRISES, ensure_demo_accounts

    year = timezone.localdate().year
    title = DEMO_TITLE.format(year=year)
    incentive = Incentive.objects.get(code=DEMO_INCENTIVE)
    existing = ProactiveList.objects.filter(title=title, incentive=incentive, year=year).first()
    if existing is not None:
        return existing
    ensure_demo_accounts()
    admin = User.objects.get(username="admin")
    if not Budget.objects.filter(incentive=incentive, fiscal_year=year).exists():
        budget_set(actor=admin, incentive=incentive, fiscal_year=year, allocation=DEMO_BUDGET)
    # Not the Foshan enterprises of the city's first review (demo/city.py): the list names the first two.
    enterprises = [
        (a.identifier, a.name)
        for a in DEMO_APPLICANTS
        if a.kind == ApplicantType.ORGANISATION and a.name not in DEMO_FOSHAN_ENTERPRISES
    ]
    list_file = ListFile.from_rows(
        ["序号", "统一社会信用代码", "企业名称", "年度", "称号"],
        [
            [n, code, name, year, "国家级制造业单项冠军企业"]
            for n, (code, name) in enumerate([*enterprises, DEMO_UNMATCHED], 1)
        ],
        name="demo.csv",
    )
    outcome = proactive_list_import(
        actor=admin,
        incentive=incentive,
        qualification=Qualification.NATIONAL_SINGLE_CHAMPION,
        year=year,
        list_file=list_file,
        amount=DEMO_AMOUNT,
        title=title,
        dry_run=False,
    )
    if not outcome.ok or outcome.award_list is None:
        raise RuntimeError("; ".join(str(p) for p in outcome.problems))
    for offer in outcome.offers:
        if offer.applicant.name == DEMO_ENTERPRISE_2:
            user = User.objects.filter(applicant=offer.applicant, is_applicant_admin=True).first()
            if user is not None and offer_bank_problem(offer.applicant, offer_bank_account(offer)) is None:
                proactive_offer_confirm(actor=user, application=offer)
    return outcome.award_list
