"""Seeding for bench/scale.py: a province's worth of applications, written with COPY.

    seed(applications=1_000_000, enterprises=50_000, officials=Officials, random_seed=10) -> dict of row counts

What it writes (after `migrate`, which loads the catalog), every row through PostgreSQL's COPY
(psycopg2's `copy_expert`, the driver Django uses here) into the tables the models name:

- applicants: `enterprises` enterprises with valid unified social credit codes (python-stdnum's
  check character; the registration area is their city's), a city of Guangdong (weighted as the
  province's industry is: Shenzhen, Guangzhou, Dongguan and Foshan first), a size and an industry
  division; one individual per twenty enterprises (valid resident ID numbers) for the incentives
  that go to people. Each has a user (its administrator: applications need a creator) and a bank
  account.
- applications: each applicant claims a skewed number of distinct (incentive, fiscal year) pairs,
  so the "one open application per applicant, incentive and year" constraint holds; fiscal years
  2019 to this year, more each year; incentives weighted (the upscaling reward and the cost-share
  subsidies are claimed far more often than the China Quality Award). Statuses follow the year:
  earlier years are closed (paid, handled, not supported, refused, withdrawn, lapsed), the current
  year's round is in progress, so about 5% are open. Ids and references (QB-<year>-<measure>-<n>,
  unique, numbering sequences moved past them) follow the order of creation; submitted_at,
  stage_due_on (set only while a time limit runs), supplement deadlines, assignments, proposals
  and decisions agree with the status. Answers (`data`) and the amount's trace are as long as
  real ones.
- money: a budget per grant incentive and year (allocation above committed + paid), an award for
  every approved one (amount within its policy ceiling), payments for the paid and failed ones in
  closed disbursement batches of 200, claim keys (funded once) for incentives that have them.
- audit: one event per workflow transition of each application (submit, accept, return,
  supplement, review, propose, approve, announce, finalise, pay, ...), as `transition()` records
  them (same actions, before/after, reasons, visibility), chained and sealed as the audit app
  does (audit/macs.py), so `verify_audit` passes;
  the stage records the workflow writes as each timed stage ends (made from the same moves by
  applications.stages.stages_from_moves) and when each application entered its status.
  Not seeded: the events of drafts' edits, documents, budgets, awards and payments, notices,
  announcements and objections.

Then the id sequences and numbering sequences are moved past the seeded rows, the dashboards'
tallies are counted again from the records (`manage.py rebuild_tallies`), and VACUUM ANALYZE runs.
Columns this module does not know (added by a later migration) get their field's default.
"""

import bisect
import contextlib
import datetime as dt
import io
import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

# ── the province ───────────────────────────────────────────────────────────────────────────────

# City → (administrative division code of its registration authority, weight among enterprises).
CITIES: dict[str, tuple[str, float]] = {
    "shenzhen": ("440300", 20),
    "guangzhou": ("440100", 14),
    "dongguan": ("441900", 14),
    "foshan": ("440600", 14),
    "huizhou": ("441300", 5),
    "zhongshan": ("442000", 5),
    "jiangmen": ("440700", 4),
    "zhuhai": ("440400", 4),
    "shantou": ("440500", 4),
    "zhaoqing": ("441200", 2),
    "jieyang": ("445200", 2),
    "qingyuan": ("441800", 1.5),
    "zhanjiang": ("440800", 1.5),
    "maoming": ("440900", 1.5),
    "chaozhou": ("445100", 1.5),
    "meizhou": ("441400", 1),
    "shaoguan": ("440200", 1),
    "heyuan": ("441600", 1),
    "shanwei": ("441500", 1),
    "yangjiang": ("441700", 1),
    "yunfu": ("445300", 1),
}
SIZES = {"large": 5, "medium": 20, "small": 45, "micro": 30}
INDUSTRIES = [str(n) for n in range(13, 44)]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "广发银行", "交通银行"]
DISTRICTS = ["中心区", "高新区", "经济开发区", "南区", "北区", "东区", "西区"]
NAME_PARTS = (
    ["华", "粤", "鹏", "海", "南", "新", "宏", "正", "信", "达", "远", "通", "精", "創", "美", "科"],
    ["智造", "电子", "精密", "电器", "材料", "机械", "光电", "新能源", "医疗器械", "汽车部件", "家居", "纺织"],
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "华"]

YEAR_WEIGHTS_BACK = [18, 17, 15, 14, 12, 10, 8, 6]  # this year, last year, … (eight fiscal years)

# Incentive weights by code fragment (first match), else by kind: how often each is claimed.
CODE_WEIGHTS = (
    ("small-micro-upscaling", 6.0),
    ("cloud-platform", 5.0),
    ("digitalisation-subsidy", 4.0),
    ("little-giant", 3.0),
    ("china-quality-award-nomination", 0.1),
    ("china-quality-award", 0.05),
    ("provincial-quality-award", 0.3),
    ("demonstration-zone", 0.2),
)
KIND_WEIGHTS = {"financing": 2.0, "tax_fee": 2.0, "fast_track": 1.5, "recognition": 1.0}
# Amounts where the catalog names none (set by the department): (typical amount, ceiling).
DEPARTMENT_AMOUNTS = (
    ("national-single-champion", 1_000_000),
    ("little-giant", 500_000),
    ("small-micro-upscaling", 100_000),
    ("dual-carbon", 2_000_000),
    ("cloud-platform", 500_000),
    ("digitalisation", 1_000_000),
    ("standardisation-award", 200_000),
    ("demonstration-zone", 5_000_000),
)

OPEN = ("submitted", "accepted", "returned", "under_review", "proposed", "rejection_proposed")
# Status → weight, by (how many years ago, pays money). Earlier years are closed; this year's
# round is under way.
STATUS_WEIGHTS: dict[tuple[str, bool], dict[str, float]] = {
    ("old", True): {"paid": 66, "rejected": 13, "refused": 6, "withdrawn": 10, "lapsed": 5},
    ("old", False): {"handled": 76, "refused": 7, "withdrawn": 12, "lapsed": 5},
    ("last", True): {
        "paid": 60, "final": 3, "payment_failed": 0.5, "rejected": 13, "refused": 6, "withdrawn": 10,
        "lapsed": 5, "under_review": 1, "proposed": 1, "accepted": 0.5,
    },
    ("last", False): {"handled": 74, "refused": 7, "withdrawn": 12, "lapsed": 5, "accepted": 1.5, "submitted": 0.5},
    ("this", True): {
        "draft": 3, "submitted": 7, "accepted": 5, "returned": 3, "under_review": 8, "proposed": 3,
        "rejection_proposed": 1.5, "approved": 3, "announced": 3, "final": 6, "payment_failed": 0.5,
        "paid": 28, "rejected": 8, "refused": 5, "withdrawn": 8, "lapsed": 2,
    },
    ("this", False): {
        "draft": 3, "submitted": 8, "accepted": 8, "returned": 4, "handled": 55, "refused": 6,
        "withdrawn": 10, "lapsed": 3,
    },
}  # fmt: skip

# Days after the previous step (uniform between the two).
STEP_DAYS: dict[str, tuple[float, float]] = {
    "submit": (0, 10),
    "return": (1, 5),
    "supplement": (2, 12),
    "accept": (1, 5),
    "refuse": (1, 5),
    "review": (0, 3),
    "propose": (5, 32),  # the review deadline is 20 working days after acceptance: some are late
    "reject": (5, 32),
    "handle": (3, 25),
    "approve": (1, 7),
    "confirm_rejection": (1, 7),
    "announce": (3, 20),
    "finalise": (7, 7),
    "pay": (10, 40),
    "payment_fail": (10, 40),
    "withdraw": (1, 20),
    "lapse": (15, 15),
}
TARGET = {
    "submit": "submitted",
    "return": "returned",
    "supplement": "submitted",
    "accept": "accepted",
    "refuse": "refused",
    "review": "under_review",
    "propose": "proposed",
    "reject": "rejection_proposed",
    "handle": "handled",
    "approve": "approved",
    "confirm_rejection": "rejected",
    "announce": "announced",
    "finalise": "final",
    "pay": "paid",
    "payment_fail": "payment_failed",
    "withdraw": "withdrawn",
    "lapse": "lapsed",
}
HANDLER_ACTIONS = {"accept", "return", "refuse", "review", "propose", "reject", "handle", "announce"}
APPROVER_ACTIONS = {"approve", "confirm_rejection"}
APPLICANT_ACTIONS = {"submit", "supplement", "withdraw"}
FINANCE_ACTIONS = {"pay", "payment_fail"}
HIDDEN_ACTIONS = {"propose", "reject"}  # visible_to_applicant=False, as the services record them
SUPPLEMENT_REQUEST = "请补充加盖公章的获奖证书复印件及近三年经审计的财务报表。"
REASONS = {
    "refuse": "申报事项不属于本措施支持范围。",
    "reject": "经审核，申报材料不足以证明符合支持条件。",
    "confirm_rejection": "经审核，申报材料不足以证明符合支持条件。",
    "withdraw": "企业决定暂不申报。",
    "handle": "已按规定办理。",
    "propose": "材料齐全，符合支持条件。",
    "payment_fail": "户名与账号不符，银行退票。",
}
BATCH_SIZE = 200  # payments per disbursement batch


@dataclass
class Officials:
    """The officials the seeded work is attributed to (made by bench/scale.py before seeding)."""

    handlers: dict[int, list[tuple[int, str]]]  # department id → [(user id, label)]
    approvers: dict[int, list[tuple[int, str]]]
    finance: list[tuple[int, str]]


@dataclass
class IncentiveInfo:
    pk: int
    code: str
    measure: int
    department: int
    kind: str
    pays_money: bool
    for_individuals: bool
    weight: float
    ceiling: int
    claim_key: bool
    repeats_yearly: bool


@dataclass
class ApplicantInfo:
    pk: int
    user: int
    name: str
    bank: str
    account: str
    individual: bool


@dataclass
class Totals:
    """What the budgets must hold when seeding ends, per (incentive id, year)."""

    committed: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    paid: dict[tuple[int, int], Decimal] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    """One application to write: when it was created, by whom, for what, and the steps it took."""

    created: float  # a timestamp
    person: int  # index into Seeder.people
    incentive: int  # index into Seeder.incentives
    year: int
    status: str
    path: list[str]
    offsets: list[float]  # days after creation of each step


@dataclass
class Walk:
    """An application's fields as its steps set them."""

    status: str = "draft"
    due: dt.date | None = None
    deadline: dt.date | None = None
    submitted: dt.datetime | None = None
    last: dt.datetime | None = None
    assigned: tuple[int, str] | None = None
    proposed_by: tuple[int, str] | None = None
    decided_by: tuple[int, str] | None = None
    proposed: int | None = None
    award: str | None = None  # the award's status
    times: dict[str, dt.datetime] = field(default_factory=dict)
    events: list[tuple[Any, ...]] = field(default_factory=list)


# ── COPY ───────────────────────────────────────────────────────────────────────────────────────

NULL = r"\N"


def text(value: str) -> str:
    """A string for COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def jtext(value: Any) -> str:
    return text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def copy_value(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return jtext(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return text(str(value))


class CopyTable:
    """Rows of one model's table, buffered and sent with COPY. A row gives its values by attname as
    COPY text; every other column gets its field's default (auto_now fields: now), so a column
    added by a later migration does not break seeding."""

    def __init__(self, model: type[models.Model], writer: "CopyWriter") -> None:
        self.model, self.table, self.writer = model, model._meta.db_table, writer
        now = copy_value(timezone.now())
        self.slots: list[tuple[str, str]] = []  # (attname, default)
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
            elif f.has_default() or not f.null:
                default = copy_value(f.get_default())
            else:
                default = NULL
            self.slots.append((f.attname, default))
        self.columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
        self.buffer, self.rows, self.pending, self.seconds = io.StringIO(), 0, 0, 0.0

    def add(self, **values: str) -> None:
        if not self.rows and not self.pending:
            unknown = set(values) - {attname for attname, _ in self.slots}
            if unknown:
                raise RuntimeError(f"{self.table} has no columns {sorted(unknown)}: update bench/scale_seed.py")
        self.buffer.write("\t".join([values.get(attname, default) for attname, default in self.slots]))
        self.buffer.write("\n")
        self.pending += 1

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        self.writer.put(self, self.buffer)
        self.rows, self.pending, self.buffer = self.rows + self.pending, 0, io.StringIO()

    def copy(self, buffer: io.StringIO) -> None:
        """In the writer's thread."""
        started = time.perf_counter()
        with connection.cursor() as cursor:  # psycopg2's own cursor does COPY … FROM STDIN
            cursor.cursor.copy_expert(f'COPY "{self.table}" ({self.columns}) FROM STDIN', buffer)
        self.seconds += time.perf_counter() - started

    def next_id(self) -> int:
        pk = self.model._meta.pk.column  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) + 1 FROM "{self.table}"')
            return int(cursor.fetchone()[0])

    def move_id_sequence(self) -> None:
        pk = self.model._meta.pk.column  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE((SELECT MAX("{pk}") FROM "{self.table}"), 0) + 1, false)',
                [f'"{self.table}"', pk],
            )


class CopyWriter:
    """Sends the buffers to PostgreSQL from a thread of its own (and its own connection), in the
    order they come: the database loads one chunk while Python makes the next."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[CopyTable, io.StringIO] | None] = queue.Queue(maxsize=12)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-writer", daemon=True)
        self.thread.start()

    def put(self, table: CopyTable, buffer: io.StringIO) -> None:
        if self.error is not None:
            raise RuntimeError(f"COPY failed: {self.error}") from self.error
        self.queue.put((table, buffer))

    def _run(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        while (item := self.queue.get()) is not None:
            if self.error is None:  # after a failure, only drain the queue (nobody waits forever)
                try:
                    item[0].copy(item[1])
                except BaseException as error:
                    self.error = error
        connection.close()

    def close(self) -> None:
        """Waits for every buffer to be written."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise RuntimeError(f"COPY failed: {self.error}") from self.error


@contextlib.contextmanager
def built_after_loading(tables: Iterable[CopyTable]) -> Iterator[None]:
    """Drops these tables' foreign keys, unique constraints and indexes (not their primary keys or
    checks) while they are loaded, and makes them again after: an index built in one sort and a
    key validated in one join take a fraction of keeping them up to date row by row (a foreign key
    checked per row even locks the row it references). Left dropped on failure: bench/scale.py
    then seeds a new database."""
    names = [f'"{t.table}"' for t in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]) ORDER BY contype DESC",
            [names],
        )
        constraints = cursor.fetchall()  # unique ones first: a foreign key may need one to be added back
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [names],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _kind in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# ── the audit chain, as the audit app keeps it ─────────────────────────────────────────────────


class AuditChain:
    """Seeded events chained as the audit app keeps them (audit/macs.py): each with its content MAC,
    and sealed: its position in the chain, the previous event's MAC and its own, the head moved to
    the last one. `verify_audit` checks them like any other."""

    def __init__(self, writer: CopyWriter) -> None:
        from audit import macs
        from audit.models import AuditChainHead, AuditEvent

        self.macs, self.head_model, self.table = macs, AuditChainHead, CopyTable(AuditEvent, writer)
        head = AuditChainHead.objects.filter(pk=1).first()
        self.position = head.last_position if head else 0
        self.previous = head.last_mac if head else macs.GENESIS
        self.sequence = self.table.next_id() - 1  # the primary key: the database's insertion number
        self.before: dict[str, str] = {}

    def add(self, *, at: dt.datetime, actor: tuple[int, str] | None, action: str, object_type: str,
            object_id: int, before: str, after: dict[str, Any], reason: str, visible: bool) -> int:  # fmt: skip
        self.sequence += 1
        self.position += 1
        event = SimpleNamespace(
            sequence=self.sequence, at=at, actor_id=actor[0] if actor else None,
            actor_label=actor[1] if actor else "system", action=action, object_type=object_type,
            object_id=str(object_id), before={"status": before}, after=after, reason=reason, ip_address=None,
            visible_to_applicant=visible,
        )  # fmt: skip
        content = self.macs.content_mac(event)
        mac = self.macs.chain_mac(
            position=self.position, sequence=self.sequence, previous_mac=self.previous, content_mac=content
        )
        before_text = self.before.get(before) or self.before.setdefault(before, jtext(event.before))
        self.table.add(
            sequence=str(self.sequence), at=at.isoformat(), actor_id=NULL if actor is None else str(actor[0]),
            actor_label=text(event.actor_label), action=action, object_type=object_type, object_id=event.object_id,
            before=before_text, after=jtext(after), reason=text(reason), visible_to_applicant="t" if visible else "f",
            content_mac=content, position=str(self.position), previous_mac=self.previous, mac=mac,
        )  # fmt: skip
        self.previous = mac
        return self.sequence

    def finish(self) -> None:
        """After the events are written: the chain's head."""
        self.head_model.objects.update_or_create(
            pk=1, defaults={"last_position": self.position, "last_mac": self.previous}
        )
        self.table.move_id_sequence()


# ── the seeding ────────────────────────────────────────────────────────────────────────────────


def seed(
    *,
    applications: int,
    enterprises: int,
    officials: Officials,
    random_seed: int = 10,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """Writes what the module's docstring describes; returns the rows written per table."""
    started = time.perf_counter()
    seeder = Seeder(officials, random_seed)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    with built_after_loading(seeder.tables):
        seeder.applicants(enterprises)
        progress(f"  {len(seeder.people):,} applicants (enterprises and individuals), their users and bank accounts")
        plans = seeder.plan(applications)
        progress(f"  planned {len(plans):,} applications in {time.perf_counter() - started:.0f} s")
        chunk = 20_000
        for start in range(0, len(plans), chunk):
            for plan in plans[start : start + chunk]:
                seeder.application(plan)
            seeder.flush()
            done = min(start + chunk, len(plans))
            rate = done / (time.perf_counter() - started)
            progress(f"  {done:,} applications, {seeder.chain.table.rows:,} audit events ({rate:,.0f}/s)")
        seeder.writer.close()
        seeder.chain.finish()
        checked = time.perf_counter()
    progress(f"  indexes, unique constraints and foreign keys made again in {time.perf_counter() - checked:.0f} s")
    copying = sum(t.seconds for t in seeder.tables)
    progress(f"  COPY took {copying:.0f} s: " + ", ".join(f"{t.table} {t.seconds:.1f} s" for t in seeder.tables))
    seeder.finish()
    # The dashboards read tallies that the workflow keeps (reports/tallies.py); COPY bypassed it,
    # so they are counted from the seeded records (stage records included), as `manage.py
    # rebuild_tallies` does.
    from reports.tallies import tallies_rebuild

    tallied = time.perf_counter()
    tallies_rebuild()
    progress(f"  dashboards' tallies counted in {time.perf_counter() - tallied:.0f} s")
    analyzed = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    progress(f"  VACUUM ANALYZE in {time.perf_counter() - analyzed:.0f} s")
    return {t.table: t.rows for t in seeder.tables}


class Seeder:
    def __init__(self, officials: Officials, random_seed: int) -> None:
        from accounts.models import Applicant, BankAccount, User
        from applications.models import Application, ClaimKey, StageRecord
        from awards.models import Award
        from disbursement.models import DisbursementBatch, Payment

        self.officials, self.rng = officials, random.Random(random_seed)
        self.now = timezone.now().replace(microsecond=0)
        self.this_year = timezone.localdate().year
        self.years = [self.this_year - back for back in range(len(YEAR_WEIGHTS_BACK))]
        self.incentives = _incentives()
        self.people: list[ApplicantInfo] = []
        self.writer = writer = CopyWriter()
        self.applicant_t, self.user_t, self.bank_t = (CopyTable(m, writer) for m in (Applicant, User, BankAccount))
        self.application_t, self.claim_t, self.award_t = (CopyTable(m, writer) for m in (Application, ClaimKey, Award))
        self.batch_t, self.payment_t = CopyTable(DisbursementBatch, writer), CopyTable(Payment, writer)
        self.stage_t = CopyTable(StageRecord, writer)
        self.chain = AuditChain(writer)
        self.tables = [
            self.applicant_t, self.user_t, self.bank_t, self.application_t, self.claim_t, self.award_t,
            self.batch_t, self.payment_t, self.stage_t, self.chain.table,
        ]  # fmt: skip
        self.ids = {t.table: t.next_id() for t in self.tables if t is not self.chain.table}
        self.kind = Application._meta.label_lower
        self.budgets = self._budgets()
        self.totals = Totals()
        self.references: dict[tuple[int, int], int] = {}
        self.batch_numbers: dict[int, int] = {}
        self.open_batches: dict[tuple[int, int], list[Any]] = {}  # (incentive, year) → [id, number, payments]
        self.traces: dict[tuple[int, dt.date], str] = {}

    def take_id(self, table: CopyTable) -> int:
        taken = self.ids[table.table]
        self.ids[table.table] = taken + 1
        return taken

    def flush(self) -> None:
        for table in self.tables:
            table.flush()

    def _budgets(self) -> dict[tuple[int, int], int]:
        """A budget per grant incentive and year; its figures are set at the end, from the awards."""
        from budgets.models import Budget

        Budget.objects.bulk_create(
            [
                Budget(incentive_id=i.pk, fiscal_year=y, allocation=Decimal("9" * 15))
                for i in self.incentives
                if i.pays_money
                for y in self.years
            ],
            ignore_conflicts=True,
        )
        return {(b.incentive_id, b.fiscal_year): b.pk for b in Budget.objects.filter(fiscal_year__in=self.years)}

    def applicants(self, enterprises: int) -> None:
        rng = self.rng
        individuals = enterprises // 20 if any(i.for_individuals for i in self.incentives) else 0
        cities, city_weights = list(CITIES), _cumulative(w for _area, w in CITIES.values())
        sizes, size_weights = list(SIZES), _cumulative(SIZES.values())
        password = make_password(None)  # unusable: the bench signs its applicants in without one
        for n in range(enterprises + individuals):
            individual = n >= enterprises
            city = cities[_bisect(city_weights, rng.random() * city_weights[-1])]
            pk, user, bank_id = self.take_id(self.applicant_t), self.take_id(self.user_t), self.take_id(self.bank_t)
            phone = f"0{rng.randint(20, 769)}-{rng.randint(20000000, 89999999)}"
            if individual:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                ids = {"kind": "individual", "resident_id": _resident_id(n)}
            else:
                brand = rng.choice(NAME_PARTS[0]) + rng.choice(NAME_PARTS[0]) + rng.choice(NAME_PARTS[1])
                name = f"{CITY_ZH[city]}{brand}有限公司{n}"
                size = sizes[_bisect(size_weights, rng.random() * size_weights[-1])]
                ids = {"kind": "organisation", "uscc": _uscc(CITIES[city][0], n), "size": size,
                       "district": rng.choice(DISTRICTS), "industry": rng.choice(INDUSTRIES)}  # fmt: skip
            self.applicant_t.add(
                id=str(pk), name=name, city=city, contact_person=rng.choice(SURNAMES) + "经理", contact_phone=phone,
                **{"uscc": NULL, "resident_id": NULL} | ids,
            )  # fmt: skip
            username = f"bench-{'person' if individual else 'enterprise'}-{n}"
            self.user_t.add(
                id=str(user), password=password, username=username, email=f"{username}@example.com",
                display_name=name, applicant_id=str(pk), is_applicant_admin="t",
            )  # fmt: skip
            bank, account = f"{rng.choice(BANKS)}{CITY_ZH[city]}分行", f"6222{pk:015d}"
            self.bank_t.add(
                id=str(bank_id), applicant_id=str(pk), account_name=name, bank_name=bank, account_number=account
            )
            self.people.append(ApplicantInfo(pk, user, name, bank, account, individual))
        self.flush()

    def plan(self, applications: int) -> list[Plan]:
        """Which applicant claims which incentive in which year, and how far it got: sorted by
        creation, so that ids and references follow time as they do in the portal."""
        rng, incentives = self.rng, self.incentives
        year_weight = dict(zip(self.years, YEAR_WEIGHTS_BACK, strict=True))
        combos = {
            people: [(n, y) for n, i in enumerate(incentives) if i.for_individuals == people for y in self.years]
            for people in (False, True)
        }
        weights = {k: _cumulative(incentives[n].weight * year_weight[y] for n, y in c) for k, c in combos.items()}
        caps = [len(combos[p.individual]) // 2 for p in self.people]
        statuses = {key: (list(w), _cumulative(w.values())) for key, w in STATUS_WEIGHTS.items()}
        plans = []
        for index, count in enumerate(_spread(rng, applications, caps)):
            individual = self.people[index].individual
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.add(_bisect(weights[individual], rng.random() * weights[individual][-1]))
            for c in chosen:
                incentive_index, year = combos[individual][c]
                pays = incentives[incentive_index].pays_money
                bucket = "this" if year == self.this_year else "last" if year == self.this_year - 1 else "old"
                names, cumulative = statuses[(bucket, pays)]
                status = names[_bisect(cumulative, rng.random() * cumulative[-1])]
                path = _path(status, rng)
                offsets, total = [], 0.0
                for action in path:
                    total += rng.uniform(*STEP_DAYS[action])
                    offsets.append(total)
                latest = (self.now - dt.timedelta(days=total + 1)).timestamp()
                if bucket == "this" and (status in OPEN or status in IN_PROGRESS):
                    # This round's work in progress: its last step was days ago.
                    created = latest - rng.uniform(0, 6 if status in ("submitted", "draft") else 12) * 86400
                else:
                    created = _in_year(rng, year, latest)
                plans.append(Plan(created, index, incentive_index, year, status, path, offsets))
        plans.sort(key=lambda p: p.created)
        return plans

    def application(self, p: Plan) -> None:
        rng = self.rng
        person, incentive = self.people[p.person], self.incentives[p.incentive]
        app_id = self.take_id(self.application_t)
        created = dt.datetime.fromtimestamp(p.created, tz=dt.UTC).replace(microsecond=0)
        handler = rng.choice(self.officials.handlers[incentive.department])
        approver = rng.choice(self.officials.approvers[incentive.department])
        amount, ceiling = _amount(rng, incentive)
        reference = None
        if p.path:
            number = self.references[(p.year, incentive.measure)] = (
                self.references.get((p.year, incentive.measure), 0) + 1
            )
            reference = f"QB-{p.year}-{incentive.measure:02d}-{number:06d}"
        walk = Walk(last=created)
        for action, offset in zip(p.path, p.offsets, strict=True):
            at = created + dt.timedelta(days=offset, seconds=rng.randint(0, 3600))
            after = self._step(walk, action, at, reference, amount, handler, approver, rng)
            actor = (
                handler if action in HANDLER_ACTIONS else approver if action in APPROVER_ACTIONS
                else (person.user, person.name) if action in APPLICANT_ACTIONS
                else rng.choice(self.officials.finance) if action in FINANCE_ACTIONS else None
            )  # fmt: skip
            walk.events.append((at, actor, action, walk.status, after))
            walk.status, walk.last, walk.times[action] = TARGET[action], at, at
            if walk.status not in OPEN:
                walk.due = None
        assert walk.status == p.status or not p.path, (walk.status, p)
        payment = self._money(app_id, p, person, incentive, amount, ceiling, walk)
        self._stages(app_id, p, incentive, walk)
        data = _claim_data(rng, incentive, p.year, app_id)
        if incentive.claim_key and p.path:
            claim = data["claim"]
            key = claim.get("certificate_number") or claim["standards"][0]["number"]
            self.claim_t.add(
                id=str(self.take_id(self.claim_t)), application_id=str(app_id), incentive_id=str(incentive.pk),
                key=text(key), period=str(p.year) if incentive.repeats_yearly else "",
                funded="t" if walk.award else "f",
            )  # fmt: skip
        trace = "{}"
        if amount is not None and walk.submitted is not None:
            on = walk.submitted.date()
            trace = self.traces.get((amount, on)) or self.traces.setdefault((amount, on), jtext(_trace(amount, on)))
        money = "" if amount is None else f"{amount}.00"
        self.application_t.add(
            id=str(app_id), applicant_id=str(person.pk), incentive_id=str(incentive.pk), fiscal_year=str(p.year),
            status=p.status, reference=reference or NULL, data=jtext(data),
            estimated_amount=money if money and p.path else NULL, amount_trace=trace,
            supplement_request=SUPPLEMENT_REQUEST if walk.deadline else "",
            supplement_deadline=_iso(walk.deadline), assigned_to_id=_pk(walk.assigned), stage_due_on=_iso(walk.due),
            proposed_amount=money if walk.proposed else NULL,
            decision_reasons=REASONS["propose"] if walk.proposed else REASONS["reject"] if walk.proposed_by else "",
            proposed_by_id=_pk(walk.proposed_by), decided_by_id=_pk(walk.decided_by), created_by_id=str(person.user),
            created_at=created.isoformat(), updated_at=walk.last.isoformat(), submitted_at=_iso(walk.submitted),
            status_changed_at=walk.last.isoformat() if p.path else NULL, version=str(len(p.path) + 1),
        )  # fmt: skip
        for at, actor, action, before, after in walk.events:
            reason = after.pop("_reason")
            if action in FINANCE_ACTIONS:
                after |= payment
            self.chain.add(
                at=at, actor=actor, action=f"application.{action}", object_type=self.kind, object_id=app_id,
                before=before, after=after, reason=reason, visible=action not in HIDDEN_ACTIONS,
            )  # fmt: skip

    def _step(self, walk: Walk, action: str, at: dt.datetime, reference: str | None, amount: int | None,
              handler: tuple[int, str], approver: tuple[int, str], rng: random.Random) -> dict[str, Any]:  # fmt: skip
        """What one step changes on the application, and the audit event's "after" (with its reason
        under "_reason", taken out before the event is written)."""
        day, money = at.date(), f"{amount}.00" if amount is not None else None
        after: dict[str, Any] = {"status": TARGET[action], "_reason": REASONS.get(action, "")}
        if action == "submit":
            walk.submitted, walk.due = at, day + dt.timedelta(days=7)
            after |= {"reference": reference, "estimated_amount": money, "stage_due_on": walk.due.isoformat()}
        elif action == "supplement":
            walk.due = day + dt.timedelta(days=7)
            after |= {"supplement_request": SUPPLEMENT_REQUEST, "stage_due_on": walk.due.isoformat()}
        elif action == "return":
            walk.deadline = walk.due = day + dt.timedelta(days=14)
            after |= {"supplement_request": SUPPLEMENT_REQUEST, "supplement_deadline": walk.due.isoformat(),
                      "deadline_provisional": False, "_reason": SUPPLEMENT_REQUEST}  # fmt: skip
        elif action == "accept":
            walk.due = day + dt.timedelta(days=28)
            after["stage_due_on"] = walk.due.isoformat()
            walk.assigned = handler if rng.random() < 0.85 else None
        elif action == "refuse":
            after["reasons"] = after["_reason"]
        elif action == "propose":
            walk.proposed, walk.proposed_by = amount, handler
            after |= {"proposed_amount": money, "engine_amount": money, "override_reason": "",
                      "trace": _trace(amount or 0, day)["zh"]}  # fmt: skip
        elif action == "reject":
            walk.proposed_by = handler
            after |= {"decision": "not_supported", "reasons": after["_reason"]}
        elif action == "approve":
            walk.decided_by, walk.award = approver, "committed"
            after["approved_amount"] = money
        elif action == "confirm_rejection":
            walk.decided_by = approver
            after |= {"decision": "not_supported", "reasons": after["_reason"]}
        elif action == "announce":
            after |= {"announcement": None, "ends_on": (day + dt.timedelta(days=7)).isoformat(), "amount": money}
        elif action == "finalise":
            after |= {"award": self.ids[self.award_t.table], "announcement": None, "ends_on": day.isoformat()}
            walk.award = "final"
        elif action == "pay":
            walk.award = "paid"
        return after

    def _stages(self, app_id: int, p: Plan, incentive: IncentiveInfo, walk: Walk) -> None:
        """The stage records the workflow writes as each timed stage ends, made by the function the
        portal rebuilds them with from the audit trail (applications.stages)."""
        from applications.stages import Move, duration_seconds, ended_in_time, stages_from_moves

        moves = [Move(at, action, before, TARGET[action], after) for at, _actor, action, before, after in walk.events]
        for stage in stages_from_moves(moves):
            self.stage_t.add(
                id=str(self.take_id(self.stage_t)), application_id=str(app_id), status=stage.status,
                action=stage.action, entered_at=stage.entered_at.isoformat(), left_at=stage.left_at.isoformat(),
                due_on=_iso(stage.due_on), in_time=copy_value(ended_in_time(stage.left_at, stage.due_on)),
                seconds=str(duration_seconds(stage.entered_at, stage.left_at)), fiscal_year=str(p.year),
                incentive_id=str(incentive.pk), department_id=str(incentive.department),
            )  # fmt: skip

    def _money(self, app_id: int, p: Plan, person: ApplicantInfo, incentive: IncentiveInfo, amount: int | None,
               ceiling: int, walk: Walk) -> dict[str, Any]:  # fmt: skip
        """The award, its payment (in a batch) and the budget's totals; the payment's audit facts."""
        if walk.award is None or amount is None:
            return {}
        budget = (incentive.pk, p.year)
        totals = self.totals.paid if walk.award == "paid" else self.totals.committed
        totals[budget] = totals.get(budget, Decimal(0)) + amount
        award_id = self.take_id(self.award_t)
        self.award_t.add(
            id=str(award_id), application_id=str(app_id), budget_id=str(self.budgets[budget]), amount=f"{amount}.00",
            ceiling=f"{ceiling}.00", status=walk.award, created_at=walk.times["approve"].isoformat(),
            finalised_at=_iso(walk.times.get("finalise")), paid_at=_iso(walk.times.get("pay")),
        )  # fmt: skip
        paid_at = walk.times.get("pay") or walk.times.get("payment_fail")
        if paid_at is None:
            return {}
        batch = self.open_batches.get(budget)
        if batch is None or batch[2] >= BATCH_SIZE:
            self.batch_numbers[paid_at.year] = self.batch_numbers.get(paid_at.year, 0) + 1
            batch = self.open_batches[budget] = [
                self.take_id(self.batch_t),
                f"PF-{paid_at.year}-{self.batch_numbers[paid_at.year]:04d}",
                0,
            ]
            made = paid_at - dt.timedelta(days=3)
            self.batch_t.add(
                id=str(batch[0]), number=batch[1], incentive_id=str(incentive.pk), status="closed",
                created_by_id=str(self.officials.finance[0][0]), approved_by_id=str(self.officials.finance[-1][0]),
                created_at=made.isoformat(), approved_at=(made + dt.timedelta(days=1)).isoformat(),
            )  # fmt: skip
        batch[2] += 1
        payment_id, reference, paid = self.take_id(self.payment_t), f"{batch[1]}-{batch[2]:05d}", "pay" in walk.times
        masked = "*" * (len(person.account) - 4) + person.account[-4:]
        facts = {"payment_reference": reference, "batch": batch[1], "amount": f"{amount}.00", "payee": person.name,
                 "bank_name": person.bank, "account_masked": masked}  # fmt: skip
        if paid:
            facts |= {"paid_on": paid_at.date().isoformat(), "bank_reference": f"BR{payment_id:012d}"}
        else:
            facts |= {"failure_reason": REASONS["payment_fail"]}
        self.payment_t.add(
            id=str(payment_id), batch_id=str(batch[0]), award_id=str(award_id), reference=reference,
            amount=f"{amount}.00", payee_name=text(person.name), bank_name=text(person.bank),
            account_number=person.account, status="paid" if paid else "failed",
            paid_on=_iso(paid_at.date()) if paid else NULL, bank_reference=facts.get("bank_reference", ""),
            failure_reason=facts.get("failure_reason", ""),
        )  # fmt: skip
        return facts

    def finish(self) -> None:
        """Budgets' figures from the awards (allocation above committed + paid); numbering and id
        sequences past the seeded rows."""
        from budgets.models import Budget
        from portal.models import Sequence

        with transaction.atomic():
            for (incentive, year), pk in self.budgets.items():
                committed = self.totals.committed.get((incentive, year), Decimal(0))
                paid = self.totals.paid.get((incentive, year), Decimal(0))
                allocation = max(Decimal(1_000_000), ((committed + paid) * Decimal("1.25")).quantize(Decimal(1)))
                Budget.objects.filter(pk=pk).update(allocation=allocation, committed=committed, paid=paid)
            for (year, measure), last in self.references.items():
                Sequence.objects.update_or_create(series=f"application:{year}:{measure:02d}", defaults={"last": last})
            for year, last in self.batch_numbers.items():
                Sequence.objects.update_or_create(series=f"disbursement-batch:{year}", defaults={"last": last})
            for table in self.tables:
                table.move_id_sequence()


IN_PROGRESS = ("draft", "approved", "announced", "final", "payment_failed")


def _pk(actor: tuple[int, str] | None) -> str:
    return NULL if actor is None else str(actor[0])


def _iso(value: dt.date | None) -> str:
    return NULL if value is None else value.isoformat()


def _uscc(area: str, n: int) -> str:
    from stdnum.cn import uscc

    body = f"91{area}MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def _resident_id(n: int) -> str:
    from stdnum.cn import ric

    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(n * 7919) % 12000)
    body = f"440106{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _incentives() -> list[IncentiveInfo]:
    from measures.models import AmountParameter, Incentive

    figures: dict[int, int] = {}
    for p in AmountParameter.objects.filter(key__in=("amount", "cap", "unit_cap"), value__isnull=False):
        figures.setdefault(p.incentive_id, int(p.value or 0))
    found = []
    for i in Incentive.objects.select_related("measure").order_by("pk"):
        weight = next((w for part, w in CODE_WEIGHTS if part in i.code), None)
        if weight is None:
            weight = 2.0 if i.pays_money else KIND_WEIGHTS.get(i.kind, 1.0)
        ceiling = figures.get(i.pk) or next((a for part, a in DEPARTMENT_AMOUNTS if part in i.code), 300_000)
        found.append(
            IncentiveInfo(
                pk=i.pk, code=i.code, measure=i.measure.number, department=i.handling_department_id, kind=i.kind,
                pays_money=i.pays_money, for_individuals=i.applicant_type == "individual", weight=weight,
                ceiling=ceiling, claim_key=bool(i.claim_key), repeats_yearly=i.claim_key_repeats_yearly,
            )
        )  # fmt: skip
    return found


def _amount(rng: random.Random, incentive: IncentiveInfo) -> tuple[int | None, int]:
    """(the amount decided, the policy ceiling of the claim); no amount for incentives paying none."""
    if not incentive.pays_money:
        return None, 0
    if incentive.kind == "fixed_grant":
        return incentive.ceiling, incentive.ceiling
    if incentive.kind == "per_unit_grant":  # one to three standards led
        ceiling = incentive.ceiling * rng.randint(1, 3)
        return ceiling, ceiling
    return max(1000, int(round(incentive.ceiling * rng.uniform(0.3, 1.0), -3))), incentive.ceiling


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _bisect(cumulative: list[float], x: float) -> int:
    return min(bisect.bisect_right(cumulative, x), len(cumulative) - 1)


def _spread(rng: random.Random, total: int, caps: list[int]) -> list[int]:
    """`total` applications over applicants, skewed (log-normal: a few claim a lot), each within its cap."""
    weights = [rng.lognormvariate(0, 0.8) for _ in caps]
    scale = total / sum(weights)
    counts = [min(cap, max(1, int(w * scale))) for w, cap in zip(weights, caps, strict=True)]
    missing = total - sum(counts)
    while missing:
        i = rng.randrange(len(counts))
        if missing > 0 and counts[i] < caps[i]:
            counts[i] += 1
            missing -= 1
        elif missing < 0 and counts[i] > 1:
            counts[i] -= 1
            missing += 1
    return counts


def _path(status: str, rng: random.Random) -> list[str]:
    """The workflow actions that took an application to `status`; some were returned for a
    supplement before they were accepted."""
    intake = ["submit", "return", "supplement"] if rng.random() < 0.12 else ["submit"]
    review = [*intake, "accept", "review"]
    approved = [*review, "propose", "approve"]
    return {
        "draft": [],
        "submitted": intake,
        "returned": ["submit", "return"],
        "accepted": [*intake, "accept"],
        "under_review": review,
        "proposed": [*review, "propose"],
        "rejection_proposed": [*review, "reject"],
        "rejected": [*review, "reject", "confirm_rejection"],
        "approved": approved,
        "announced": [*approved, "announce"],
        "final": [*approved, "announce", "finalise"],
        "paid": [*approved, "announce", "finalise", "pay"],
        "payment_failed": [*approved, "announce", "finalise", "payment_fail"],
        "handled": [*intake, "accept", "handle"],
        "refused": ["submit", "refuse"],
        "withdrawn": [*intake, *(["accept"] if rng.random() < 0.4 else []), "withdraw"],
        "lapsed": ["submit", "return", "lapse"],
    }[status]


def _claim_data(rng: random.Random, incentive: IncentiveInfo, year: int, app_id: int) -> dict[str, Any]:
    """Answers as long as a real form's: a summary, the claim's identifying facts, a contact."""
    claim: dict[str, Any] = {
        "summary": "本企业获得相应奖项或完成相应工作，现依据政策申报。"
        "项目实施期间，企业在质量管理、标准制定和品牌建设方面持续投入，相关材料已按申报指南要求上传。",
        "requested_amount": "",
    }
    if "international-standard" in incentive.code:
        claim["standards"] = [
            {"number": f"ISO {20000 + app_id % 9000}:{year - 1}-{app_id}", "organisation": "iso",
             "title": "Smart manufacturing — Quality data exchange", "published_on": f"{year - 1}-05-01"}
        ]  # fmt: skip
    elif incentive.claim_key:
        claim |= {"certificate_number": f"ZS-{year}-{app_id:08d}", "award_date": f"{year - 1}-09-16"}
    phone = f"0{rng.randint(20, 769)}-{rng.randint(20000000, 89999999)}"
    return {"claim": claim, "contact": {"contact_name": rng.choice(SURNAMES) + "经理", "contact_phone": phone}}


def _trace(amount: int, on: dt.date) -> dict[str, Any]:
    figure, day = f"{amount:,.2f}", on.isoformat()
    return {
        "zh": [f"{day} 适用的金额（元）（自 2023-01-01 起施行）：{figure} 元", f"资助金额：{figure} 元。"],
        "en": [f"Amount (CNY) in force on {day} (since 2023-01-01): {figure} CNY", f"Grant: {figure} CNY."],
        "on": day,
    }


def _in_year(rng: random.Random, year: int, latest: float) -> float:
    """A creation time in the year's round (March to November), no later than `latest`."""
    first = dt.datetime(year, 3, 1, tzinfo=dt.UTC).timestamp()
    last = min(dt.datetime(year, 11, 30, tzinfo=dt.UTC).timestamp(), latest)
    if last < first:
        first = last - 30 * 86400
    return rng.uniform(first, last)


CITY_ZH = {
    "guangzhou": "广州", "shenzhen": "深圳", "zhuhai": "珠海", "shantou": "汕头", "foshan": "佛山", "shaoguan": "韶关",
    "heyuan": "河源", "meizhou": "梅州", "huizhou": "惠州", "shanwei": "汕尾", "dongguan": "东莞", "zhongshan": "中山",
    "jiangmen": "江门", "yangjiang": "阳江", "zhanjiang": "湛江", "maoming": "茂名", "zhaoqing": "肇庆",
    "qingyuan": "清远", "chaozhou": "潮州", "jieyang": "揭阳", "yunfu": "云浮",
}  # fmt: skip
