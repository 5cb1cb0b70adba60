"""The demo's calls for applications: measure 15's international-standard subsidy open now (a week
ago until a month ahead; standards published from last July to this June), and the China Quality
Award round of measure 17, closed last month (expert material review, then the department's vote).
City first review and expert panels come with the later parts of issue 12."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from calls.models import Call
from calls.services import call_save
from measures.models import Incentive

from .applications import DEMO_PDF, ensure_demo_officials

STANDARDS = ["m15-international-standard-lead"]
QUALITY_AWARD = ["m17-china-quality-award-org", "m17-china-quality-award-ind"]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _ensure(actor: User, codes: list[str], call: Call) -> Call:
    existing = Call.objects.filter(title=call.title, fiscal_year=call.fiscal_year).first()
    if existing is not None:
        return existing
    return call_save(
        actor=actor,
        call=call,
        incentives=Incentive.objects.filter(code__in=codes),
        notice_pdf=SimpleUploadedFile("申报通知.pdf", DEMO_PDF, content_type="application/pdf"),
    )


def ensure_demo_calls() -> list[Call]:
    ensure_demo_officials()
    today = timezone.localdate()
    year = today.year
    amr = User.objects.get(username="demo-approver-amr")
    standards = Call(
        fiscal_year=year,
        title=f"关于组织申报{year}年度主导制修订国际标准资助项目的通知",
        title_en=f"Call for applications: funding for leading international standards, {year}",
        guidance=(
            "申报范围：申报单位主导制修订、且于参考期内正式发布的ISO、IEC、ITU国际标准。"
            "每项标准资助不超过50万元，资金总额用完为止，按专家评审得分排序支持。"
            "逾期不再受理。"
        ),
        guidance_en=(
            "Open to international standards (ISO, IEC, ITU) whose drafting or revision the applicant led and "
            "which were published within the reference period. Up to CNY 500,000 per standard, ranked by the "
            "experts' scores until the money runs out. Late applications are not accepted."
        ),
        opens_at=_at(today - dt.timedelta(days=7), 9),
        closes_at=_at(today + dt.timedelta(days=30), 17),
        reference_from=dt.date(year - 1, 7, 1),
        reference_to=dt.date(year, 6, 30),
        reference_date_field="claim.standards[].published_on",
        review_path=Call.ReviewPath.CITY_FIRST,
        expert_review=True,
        site_check=False,
        experts_per_application=3,
        money_available=Decimal("10000000.00"),
        max_awards=20,
        allocation=Call.Allocation.RANK,
        contact_name="省市场监管局标准化处 陈科长",
        contact_phone="020-83330000",
        payment_days=60,
    )
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    closes = last_month_end.replace(day=15)
    quality_award = Call(
        fiscal_year=year,
        title=f"关于申报{year}年度中国质量奖获奖组织和个人资助金的通知",
        title_en=f"Call for applications: China Quality Award grants, {year}",
        guidance=(
            "申报对象：获得中国质量奖（含提名奖）的本省组织和个人。"
            "程序：形式审查 → 专家材料评审 → 局务会集体审议 → 公示 → 拨付。"
        ),
        guidance_en=(
            "For organisations and individuals of the province that won the China Quality Award. Steps: form "
            "check, expert material review, the department's collective decision, public announcement, payment."
        ),
        opens_at=_at(closes - dt.timedelta(days=30), 9),
        closes_at=_at(closes, 17),
        reference_from=dt.date(year - 1, 1, 1),
        reference_to=dt.date(year - 1, 12, 31),
        review_path=Call.ReviewPath.PROVINCE,
        expert_review=True,
        site_check=True,
        experts_per_application=5,
        money_available=Decimal("8000000.00"),
        max_awards=3,
        allocation=Call.Allocation.RANK,
        contact_name="省市场监管局质量发展处 黄处长",
        contact_phone="020-83330000",
        payment_days=90,
    )
    # Both are 省市场监管局's: it handles measure 17's quality awards too.
    return [_ensure(amr, STANDARDS, standards), _ensure(amr, QUALITY_AWARD, quality_award)]
