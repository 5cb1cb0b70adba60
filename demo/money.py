"""Demo money for `make run`: an objection on the running announcement (and a dismissed one on
an ended one) and progress on some of the policy's targets. Batches and payments come from the
disbursement demo. Every step goes through the services, so the audit trail is real."""

import datetime as dt

from django.utils import timezone

from accounts.models import OfficialRole, User
from announcements.models import Announcement, Objection
from announcements.services import objection_lodge, objection_resolve
from measures.models import Target
from reports.models import TargetProgress
from reports.services import target_progress_record

# (target code, count, days ago, evidence)
DEMO_PROGRESS = [
    ("m15-international-standards", 120, 400, "2025年底统计：主导或参与国际标准、国外先进标准累计120项。"),
    ("m15-international-standards", 186, 60, "2026年三季度统计：累计186项。"),
    ("m10-technical-transformation", 31500, 330, "“十四五”技改推进情况通报（2025年）。"),
    ("m28-outstanding-entrepreneurs", 140, 90, "制造业优秀企业家培训班结业名单。"),
]


def ensure_demo_objections() -> None:
    today = timezone.localdate()
    running = Announcement.objects.filter(ends_on__gte=today).order_by("pk").first()
    ended = Announcement.objects.filter(ends_on__lt=today).order_by("pk").first()
    if running is not None and not running.objections.exists():
        objection_lodge(
            actor=None,
            announcement=running,
            entry=running.entries.first(),
            name="李先生",
            contact="13900000000",
            reason="据了解该企业获奖证书所载名称与申报主体不一致，请核实。",
        )
    if ended is not None and not ended.objections.exists():
        objection = objection_lodge(
            actor=None,
            announcement=ended,
            entry=ended.entries.first(),
            name="王女士",
            contact="wang@example.com",
            reason="对支持金额有疑问。",
            today=ended.ends_on,
        )
        approver = User.objects.filter(official_role=OfficialRole.APPROVER, department_id=ended.department_id).first()
        if approver is not None and objection.status == Objection.Status.OPEN:
            objection_resolve(
                actor=approver,
                objection=objection,
                upheld=False,
                resolution="经核实，支持金额按第17条定额标准确定，异议不成立。",
            )


def ensure_demo_target_progress() -> None:
    today = timezone.localdate()
    for code, count, days_ago, evidence in DEMO_PROGRESS:
        target = Target.objects.filter(code=code).select_related("department").first()
        if target is None:
            continue
        as_of = today - dt.timedelta(days=days_ago)
        if TargetProgress.objects.filter(target=target, as_of=as_of).exists():
            continue
        official = User.objects.filter(department_id=target.department_id).exclude(official_role="").first()
        if official is None:
            official = User.objects.filter(official_role=OfficialRole.ADMINISTRATOR).first()
        if official is not None:
            target_progress_record(actor=official, target=target, count=count, as_of=as_of, evidence=evidence)
