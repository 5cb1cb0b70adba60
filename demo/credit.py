"""The demo's list of seriously dishonest entities (idempotent): a few fictitious entities, one of
them the second demo enterprise, whose open applications and unpaid awards then carry the
credit warning for officials (and whose draft is refused at submission)."""

import datetime as dt

from django.utils import timezone

from accounts.models import Applicant, OfficialRole, User
from credit.models import CreditListEntry
from credit.services import credit_entry_add, credit_entry_end

from .accounts import DEMO_ENTERPRISE_2, ensure_demo_accounts

SERIOUS = "严重失信主体名单"
ENFORCEMENT = "失信被执行人名单"


def _entries(year: int) -> list[tuple[str, str, str, dt.date, dt.date | None, str]]:
    """(credit code, name, list, listed on, until, end reason): dates fixed within the year, so a
    run on another day finds the same entries."""
    listed = dt.date(year - 1, 11, 20)
    return [
        ("91440300MA5G8K2P7R", "深圳市某某电子科技有限公司", SERIOUS, listed, dt.date(year + 2, 11, 19), ""),
        ("91440101MA9XQ3T6RY", "广州某某新材料有限公司", ENFORCEMENT, dt.date(year - 1, 6, 3), None, ""),
        (
            "91441900MA55CJ8W02",
            "东莞市某某五金制品有限公司",
            SERIOUS,
            dt.date(year - 2, 4, 8),
            None,
            "已完成信用修复，经核实移出名单。",
        ),
    ]


def ensure_demo_credit_list() -> list[CreditListEntry]:
    """The demo entries (adds only those missing, by credit code and list); returns them."""
    ensure_demo_accounts()
    admin = User.objects.filter(official_role=OfficialRole.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None:
        return []
    year = timezone.localdate().year
    enterprise = Applicant.objects.get(name=DEMO_ENTERPRISE_2)
    specs = [
        *_entries(year),
        (enterprise.uscc or "", enterprise.name, SERIOUS, dt.date(year - 1, 12, 1), dt.date(year + 2, 11, 30), ""),
    ]
    entries = []
    for code, name, list_name, listed_on, until, end_reason in specs:
        entry = CreditListEntry.objects.filter(uscc=code, list_name=list_name).first()
        if entry is None:
            entry = credit_entry_add(
                actor=admin, uscc=code, name=name, list_name=list_name, listed_on=listed_on, until=until
            )
            if end_reason:
                entry = credit_entry_end(actor=admin, entry=entry, reason=end_reason)
        entries.append(entry)
    return entries
