"""The demo's pool of experts (专家库): nine experts in Guangzhou, Shenzhen, Foshan and other
cities, with their fields of expertise and employers, signing in with a password like the
handlers (experts are not among the roles that need a second factor, accounts/two_factor.py).
One of them works for the demo enterprise and one declared a conflict with the second demo
enterprise, so a draw shows both exclusions. No panel is drawn here."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Applicant, User
from experts.models import Expert, ExpertConflict, ExpertiseField
from experts.seed import load_expert_seed

from .accounts import DemoAccount

DEMO_EXPERT_PASSWORD = "demo-Expert-2026"  # noqa: S105 - public demo password (README)

# (username, name, employer, employer's credit code, city, fields)
DEMO_EXPERTS = [
    (
        "demo-expert-1",
        "林标准",
        "广东省标准化研究院",
        "124400004558600011",
        "guangzhou",
        ("standardisation", "quality-management"),
    ),
    ("demo-expert-2", "黄质量", "华南理工大学", "91440101MA59ABC10X", "guangzhou", ("quality-management", "brand")),
    (
        "demo-expert-3",
        "周电子",
        "深圳市计量质量检测研究院",
        "12440300455870008X",
        "shenzhen",
        ("electronics", "measurement"),
    ),
    (
        "demo-expert-4",
        "吴装备",
        "佛山市智能装备研究所",
        "91440604MA4EXP030H",
        "foshan",
        ("equipment", "standardisation"),
    ),
    (
        "demo-expert-5",
        "郑材料",
        "汕头市新材料检测中心",
        "91440400MA4EXP050F",
        "shantou",
        ("materials", "quality-management"),
    ),
    (
        "demo-expert-6",
        "冯品牌",
        "东莞市品牌发展促进会",
        "91441900MA4EXP070P",
        "dongguan",
        ("brand", "quality-management"),
    ),
    (
        "demo-expert-7",
        "陈审计",
        "江门市诚信会计师事务所",
        "91440700MA4EXP0903",
        "jiangmen",
        ("finance", "standardisation"),
    ),
    # Works for the demo enterprise (深圳市鹏城智造): never drawn for its applications.
    (
        "demo-expert-8",
        "孙工程",
        "深圳市鹏城智造电子科技有限公司",
        "91440300MA5DKQ8L3X",
        "shenzhen",
        ("electronics", "standardisation"),
    ),
    (
        "demo-expert-9",
        "何计量",
        "广州计量检测技术研究院",
        "91440101MA59QX7706",
        "guangzhou",
        ("measurement", "standardisation", "quality-management"),
    ),
]
# username → the demo applicant's credit code the expert declared a conflict with.
DEMO_CONFLICTS = {"demo-expert-9": ("91440604MA4UR7N2X6", "曾为该企业提供计量咨询服务")}


@transaction.atomic
def ensure_demo_experts() -> list[DemoAccount]:
    """Creates the missing demo experts (an existing account is left as it is)."""
    load_expert_seed()
    fields = {f.code: f for f in ExpertiseField.objects.all()}
    accounts = []
    for username, name, employer, uscc, city, codes in DEMO_EXPERTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": name,
                "email": f"{username}@example.com",
                "email_verified_at": timezone.now(),
            },
        )
        if created:
            user.set_password(DEMO_EXPERT_PASSWORD)
            user.save(update_fields=["password"])
        expert, made = Expert.objects.get_or_create(
            user=user, defaults={"employer_name": employer, "employer_uscc": uscc, "city": city}
        )
        if made:
            expert.fields.set([fields[code] for code in codes if code in fields])
        conflict = DEMO_CONFLICTS.get(username)
        applicant = Applicant.objects.filter(uscc=conflict[0]).first() if conflict else None
        if conflict and applicant is not None:
            ExpertConflict.objects.get_or_create(expert=expert, applicant=applicant, defaults={"note": conflict[1]})
        accounts.append(DemoAccount(username, DEMO_EXPERT_PASSWORD, "expert", name, employer=employer))
    return accounts
