"""Notices fixtures: private media in a temporary directory, a clean throttle cache, and
applications built directly in the state each notice needs, with the real audit event."""

import datetime as dt
import itertools
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.models import Application, Notice, Status
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import EnterpriseUserFactory, OfficialFactory, incentive_by_code

ORG_AWARD = "m17-china-quality-award-org"
IND_AWARD = "m17-china-quality-award-ind"

_references = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_and_throttle(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://portal.example.gov.cn"
    cache.clear()  # the verification throttle counts in the cache
    yield
    cache.clear()


def official_for(incentive_code: str = ORG_AWARD, role: str = OfficialRole.HANDLER, **extra: Any) -> User:
    """An official of the department that handles the incentive."""
    return OfficialFactory(role=role, department=incentive_by_code(incentive_code).handling_department, **extra)


# What each notice kind needs: the state reached, the transition's audit action and its "after".
def _state(kind: str, reasons: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    today = timezone.localdate()
    due = today + dt.timedelta(days=28)
    if kind == Notice.Kind.ACCEPTANCE:
        return Status.ACCEPTED, "accept", {"stage_due_on": due}, {"stage_due_on": due.isoformat()}
    if kind == Notice.Kind.SUPPLEMENT:
        items = reasons or "1. 中国质量奖获奖证书扫描件（加盖公章）\n2. 近三年质量工作情况说明"
        deadline = today + dt.timedelta(days=14)
        return (
            Status.RETURNED,
            "return",
            {"supplement_request": items, "supplement_deadline": deadline, "stage_due_on": deadline},
            {"supplement_request": items, "supplement_deadline": deadline.isoformat(), "deadline_provisional": False},
        )
    if kind == Notice.Kind.REFUSAL:
        reasons = reasons or "申报主体不属于本事项的支持对象。"
        return Status.REFUSED, "refuse", {"decision_reasons": reasons}, {"reasons": reasons}
    if kind == Notice.Kind.DECISION_SUPPORT:
        return Status.APPROVED, "approve", {}, {"approved_amount": "3000000.00"}
    if kind == Notice.Kind.DECISION_REJECT:
        reasons = reasons or "获奖证明材料与公布名单不一致。"
        return (
            Status.REJECTED,
            "reject",
            {"decision_reasons": reasons},
            {"decision": "not_supported", "reasons": reasons},
        )
    if kind == Notice.Kind.LAPSE:
        deadline = today - dt.timedelta(days=1)
        return (
            Status.LAPSED,
            "lapse",
            {"supplement_request": "近三年质量工作情况说明", "supplement_deadline": deadline},
            {},
        )
    raise ValueError(kind)


def application_for_notice(
    kind: str,
    *,
    user: User | None = None,
    incentive_code: str = ORG_AWARD,
    amount: Decimal = Decimal("3000000.00"),
    reasons: str = "",
) -> tuple[Application, AuditEvent]:
    """An application in the state `kind` announces, and the audit event of that transition."""
    user = user or EnterpriseUserFactory()
    status, action, fields, after = _state(kind, reasons)
    if kind == Notice.Kind.DECISION_SUPPORT:
        fields |= {"proposed_amount": amount}
        after = {"approved_amount": str(amount)}
    year = timezone.localdate().year
    application = Application.objects.create(
        applicant=user.applicant,
        created_by=user,
        incentive=incentive_by_code(incentive_code),
        fiscal_year=year,
        status=status,
        reference=f"QB-{year}-17-{next(_references):06d}",
        submitted_at=timezone.now() - dt.timedelta(days=3),
        **fields,
    )
    actor = None if kind == Notice.Kind.LAPSE else official_for(incentive_code)
    event = audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        before={"status": "submitted"},
        after={"status": status, **after},
        reason=reasons,
    )
    return application, event


@pytest.fixture
def build() -> Callable[..., tuple[Application, AuditEvent]]:
    return application_for_notice


def pdftotext(path: str | Path) -> str:
    """The PDF's text as poppler extracts it (layout kept, so table rows stay on one line)."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdffonts(path: str | Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, encoding, emb, sub, uni per font."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cells = line.split()
        # name type... encoding emb sub uni object ID: the last six columns are fixed.
        rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3]})
    return rows
