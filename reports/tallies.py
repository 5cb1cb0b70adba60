"""The dashboards' tallies (reports.models.Tally): kept in step with every status change, merged
every few minutes, recounted from the records on demand.

Writes, in the transaction of the change (hooks connected in ReportsConfig.ready()):
- `portal.workflow.transitioned`: an application, award or payment moved: −1 in the state it
  left, +1 in the state it reached (amounts with their sign);
- `portal.workflow.created`: an application offered from a list, an award committed, payments
  in a new batch: +1 where they start;
- `applications.hooks.stage_ended`: a timed stage ended (a StageRecord): +1 with its duration and
  whether it ended within its time limit, and +1 on the day's activity (as a submission is).

Only inserts: two officials moving applications of the same incentive never wait on a shared
counter row. `tallies_compact()` (Celery beat) merges the deltas into one row per key;
`tallies_rebuild()` replaces every tally by a recount of the records, under a table lock that
holds back the writers' inserts for its duration (about 30 s at a million applications): after
bulk loads (`manage.py rebuild_tallies`) and in the migration that introduced them.
`tallies_check()` (nightly) recounts without the lock and rebuilds only a tally that differs, so
that a record changed outside the workflow (a data fix in the database) is counted right again.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from applications.models import Application, StageRecord, Status
from awards.models import Award
from disbursement.models import Payment
from portal.workflow import Workflow

from .models import ApplicationTally, AwardTally, DailyTally, PaymentTally, StageTally, Tally

logger = logging.getLogger(__name__)

TALLIES: tuple[type[Tally], ...] = (ApplicationTally, AwardTally, PaymentTally, StageTally, DailyTally)
COMPACT_BATCH = 5000


# ── deltas, written by the hooks ───────────────────────────────────────────────────────────────


def _application_key(application: Application) -> dict[str, Any]:
    return {"fiscal_year": application.fiscal_year, "incentive_id": application.incentive_id}


def _award_key(award: Award) -> dict[str, Any]:
    application = award.application
    return {**_application_key(application), "city": application.applicant.city}


def _payment_key(payment: Payment) -> dict[str, Any]:
    return _application_key(payment.award.application)


def _deltas(record: Any, source: str | None, target: str) -> list[Tally]:
    """The rows that move `record` from `source` (None: it was just created) to `target`."""
    moves = [(target, 1)] if source is None else [(source, -1), (target, 1)]
    if isinstance(record, Application):
        key = _application_key(record)
        return [ApplicationTally(**key, status=s, count=n) for s, n in moves if s != Status.DRAFT]
    if isinstance(record, Award):
        key = _award_key(record)
        return [AwardTally(**key, status=s, count=n, amount=n * record.amount) for s, n in moves]
    if isinstance(record, Payment):
        key = _payment_key(record)
        return [PaymentTally(**key, status=s, count=n, amount=n * record.amount) for s, n in moves]
    return []


def _insert(rows: list[Tally]) -> None:
    by_model: dict[type[Tally], list[Tally]] = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    for model, model_rows in by_model.items():
        model.objects.bulk_create(model_rows)


def tally_transitioned(*, workflow: Workflow[Any], record: Any, source: str, rule: Any, **_: Any) -> None:
    """Connected to `portal.workflow.transitioned`."""
    rows = _deltas(record, source, rule.target) if source != rule.target else []
    if isinstance(record, Application) and rule.action == "submit":
        rows.append(_day(record, timezone.localdate(record.submitted_at), "submit"))
    _insert(rows)


def _day(application: Application | StageRecord, day: dt.date, action: str) -> DailyTally:
    return DailyTally(
        day=day, fiscal_year=application.fiscal_year, incentive_id=application.incentive_id, action=action, count=1
    )


def tally_created(*, workflow: Workflow[Any], records: list[Any], **_: Any) -> None:
    """Connected to `portal.workflow.created`."""
    _insert([row for record in records for row in _deltas(record, None, getattr(record, workflow.status_field))])


def tally_stage_ended(*, record: StageRecord, **_: Any) -> None:
    """Connected to `applications.hooks.stage_ended`."""
    StageTally.objects.create(
        fiscal_year=record.fiscal_year,
        incentive_id=record.incentive_id,
        status=record.status,
        action=record.action,
        count=1,
        timed=int(record.in_time is not None),
        in_time=int(bool(record.in_time)),
        seconds=record.seconds,
    )
    _day(record, timezone.localdate(record.left_at), record.action).save()


# ── recount and rebuild ────────────────────────────────────────────────────────────────────────


def recount(model: type[Tally], apps: Any = global_apps) -> Iterator[dict[str, Any]]:
    """What `model`'s rows must sum to, counted from the records: one dict per key. `apps`: the
    registry to read the records through (a migration passes its historical one)."""
    name = model._meta.model_name
    if name == "applicationtally":
        yield from (
            apps.get_model("applications", "Application")
            .objects.exclude(status=Status.DRAFT)
            .order_by()
            .values("fiscal_year", "incentive_id", "status")
            .annotate(count=Count("pk"))
        )
    elif name == "awardtally":
        yield from (
            apps.get_model("awards", "Award")
            .objects.order_by()
            .values(
                "status",
                fiscal_year=F("application__fiscal_year"),
                incentive_id=F("application__incentive_id"),
                city=F("application__applicant__city"),
            )
            .annotate(count=Count("pk"), amount=Sum("amount"))
        )
    elif name == "paymenttally":
        yield from (
            apps.get_model("disbursement", "Payment")
            .objects.order_by()
            .values(
                "status",
                fiscal_year=F("award__application__fiscal_year"),
                incentive_id=F("award__application__incentive_id"),
            )
            .annotate(count=Count("pk"), amount=Sum("amount"))
        )
    elif name == "stagetally":
        rows = (
            apps.get_model("applications", "StageRecord")
            .objects.order_by()
            .values("fiscal_year", "incentive_id", "status", "action")
            .annotate(
                n=Count("pk"),
                n_timed=Count("pk", filter=Q(in_time__isnull=False)),
                n_in_time=Count("pk", filter=Q(in_time=True)),
                total_seconds=Sum("seconds"),
            )
        )
        for row in rows:
            yield {
                **{k: row[k] for k in StageTally.KEY},
                "count": row["n"],
                "timed": row["n_timed"],
                "in_time": row["n_in_time"],
                "seconds": row["total_seconds"] or 0,
            }
    elif name == "dailytally":
        zone = timezone.get_current_timezone()  # the days of the portal's time zone, as localdate()
        submitted = (
            apps.get_model("applications", "Application")
            .objects.exclude(status=Status.DRAFT)
            .filter(submitted_at__isnull=False)
            .order_by()
            .values("fiscal_year", "incentive_id", on=TruncDate("submitted_at", tzinfo=zone))
            .annotate(count=Count("pk"))
        )
        for row in submitted:
            yield {"day": row["on"], "fiscal_year": row["fiscal_year"], "incentive_id": row["incentive_id"],
                   "action": "submit", "count": row["count"]}  # fmt: skip
        ended = (
            apps.get_model("applications", "StageRecord")
            .objects.order_by()
            .values("fiscal_year", "incentive_id", "action", on=TruncDate("left_at", tzinfo=zone))
            .annotate(count=Count("pk"))
        )
        for row in ended:
            yield {"day": row["on"], **{k: row[k] for k in ("fiscal_year", "incentive_id", "action", "count")}}
    else:  # pragma: no cover - every tally is listed above
        raise ValueError(model)


def totals(model: type[Tally], rows: Iterable[Any] | None = None) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """{key: sums} over `rows` (model instances or dicts; default: the table), keys whose sums are
    all zero left out: what the tally says, comparable with `recount`."""
    found: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(model.SUMS))
    if rows is None:
        rows = model.objects.values(*model.KEY, *model.SUMS)
    for row in rows:
        get = row.get if isinstance(row, dict) else row.__dict__.get
        sums = found[tuple(get(k) for k in model.KEY)]
        for i, name in enumerate(model.SUMS):
            sums[i] += get(name) or 0
    return {key: tuple(sums) for key, sums in found.items() if any(sums)}


def _lock(models: Iterable[type[Tally]]) -> None:
    """Holds back the hooks' inserts until the transaction ends (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def tallies_rebuild(apps: Any = global_apps, *, only: Iterable[type[Tally]] = TALLIES) -> dict[str, int]:
    """Replaces the tallies (every one, or `only` those) by a recount of the records, holding back
    the hooks' inserts meanwhile (about 30 seconds for all of them at a million applications);
    returns the rows written per tally."""
    written = {}
    models = [apps.get_model("reports", m.__name__) for m in only]
    with transaction.atomic():
        _lock(models)
        for model in models:
            model.objects.all().delete()
            rows = [model(merged=True, **row) for row in recount(model, apps)]
            model.objects.bulk_create(rows, batch_size=2000)
            written[model.__name__] = len(rows)
    logger.info("tallies rebuilt: %s", written)
    return written


def tallies_check() -> dict[str, int]:
    """Recounts every tally without holding anything back and rebuilds, under the lock, only
    those that differ (a record changed outside the workflow, or writes during the check); the
    nightly job. Returns the rows rebuilt per tally that differed."""
    drifted = [model for model in TALLIES if totals(model) != totals(model, recount(model))]
    if not drifted:
        return {}
    logger.warning("tallies differ from a recount, rebuilt: %s", [m.__name__ for m in drifted])
    return tallies_rebuild(only=drifted)


# ── compaction ─────────────────────────────────────────────────────────────────────────────────


class CompactionRace(Exception):
    """Rows to merge were deleted meanwhile (another compaction): this one rolls back."""


def _compact(model: type[Tally]) -> int:
    with transaction.atomic():
        fresh = list(
            model.objects.select_for_update(skip_locked=True).filter(merged=False).order_by("pk")[:COMPACT_BATCH]
        )
        if not fresh:
            return 0

        def key_of(row: Tally) -> tuple[Any, ...]:
            return tuple(getattr(row, k) for k in model.KEY)

        keys = {key_of(row) for row in fresh}
        # Every key field among the fresh rows' values: a superset of their merged rows, sifted below.
        near = {f"{name}__in": {key[i] for key in keys} for i, name in enumerate(model.KEY)}
        candidates = model.objects.select_for_update().filter(merged=True, **near)
        old = [row for row in candidates if key_of(row) in keys]
        merged = totals(model, [*old, *fresh])
        gone = [row.pk for row in (*old, *fresh)]
        deleted, _ = model.objects.filter(pk__in=gone).delete()
        if deleted != len(gone):
            raise CompactionRace(model.__name__)
        model.objects.bulk_create(
            [
                model(merged=True, **dict(zip(model.KEY, key, strict=True)), **dict(zip(model.SUMS, sums, strict=True)))
                for key, sums in merged.items()
            ]
        )
        return len(fresh)


def tallies_compact() -> int:
    """Merges the deltas written since the last run into one row per key; returns how many."""
    done = 0
    for model in TALLIES:
        while True:
            try:
                n = _compact(model)
            except CompactionRace:
                logger.info("tally compaction of %s raced another one: left for the next run", model.__name__)
                break
            done += n
            if n < COMPACT_BATCH:
                break
    return done
