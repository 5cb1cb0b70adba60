"""The outbox (发件箱): what must happen after a change is written as a row in the change's own
transaction, then handed to Celery; nothing waits on the broker and nothing is lost when it is down.

    enqueue(task, {"application_id": 12, ...}, key="notice:12:acceptance:345")   inside the transaction
    dispatch_after_commit(pks)   (registered by enqueue) hands the rows over once the transaction commits
    sweep()                       the beat task `portal.tasks.dispatch_outbox`, every minute: hands over
                                  what is still waiting (the broker was down, a process died)
    purge_done()                  daily (`portal.tasks.purge_outbox`): rows done a month ago go

A rollback loses the change and its rows together; a commit keeps both. Handing over never makes a
request wait on the broker: one connection attempt with short timeouts and no retries, errors
logged and kept on the row (`last_error`), and after a failure this process leaves the hand-over to
the sweeper for BROKER_BACKOFF seconds. Rows are locked with SKIP LOCKED while they are handed
over, so two sweepers (or a sweeper and a request) never hand the same row over twice.

Exactly once in effect: a row is handed over again only when it is not done an hour after its last
hand-over (a message lost by the broker, a task that failed), at most MAX_HANDOVERS times, and the
tasks themselves are idempotent (a notice is keyed by application, kind and audit event; an email
is marked sent in the database under a row lock: `Notification.emailed_at`, or `once()` below).
Without a broker (CELERY_TASK_ALWAYS_EAGER: `make run`, the test suite) the task runs in this
process right after commit, as before.
"""

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from importlib import import_module
from typing import Any

from celery import Task
from celery.signals import task_failure, task_success
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 2.0  # seconds: connecting to the broker and each socket operation of a hand-over
BROKER_BACKOFF = 30.0  # seconds without hand-overs from requests after the broker refused one
REDISPATCH_AFTER = dt.timedelta(hours=1)  # a row handed over but not done is handed over again
MAX_HANDOVERS = 5
KEEP_DONE = dt.timedelta(days=30)  # then a done row is deleted (the beat task `portal.tasks.purge_outbox`)
BATCH = 100
TASK_ID_PREFIX = "outbox-"

# time.monotonic() before which requests of this process leave hand-overs to the sweeper.
_broker = {"down_until": 0.0}


def _app() -> Any:
    from .celery import app

    return app


def _task(name: str) -> Task:
    app = _app()
    if name not in app.tasks:
        import_module(name.rsplit(".", 1)[0])  # the task's module, when nothing imported it yet
    return app.tasks[name]  # type: ignore[no-any-return]


# ── writing ──────────────────────────────────────────────────────────────────────────────────


def enqueue(task: Task | str, kwargs: Mapping[str, Any] | None = None, *, key: str = "") -> OutboxMessage:
    """Records that `task(**kwargs)` must run, in the caller's transaction, and hands it to Celery
    after commit. With a `key`, the work is recorded once: a second request returns the first row."""
    name = task if isinstance(task, str) else task.name
    arguments = dict(kwargs or {})
    if key:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults={"task": name, "kwargs": arguments})
        if not created:
            return message
    else:
        message = OutboxMessage.objects.create(task=name, kwargs=arguments)
    pk = message.pk
    transaction.on_commit(lambda: dispatch_after_commit([pk]), robust=True)
    return message


def once(key: str, effect: Callable[[], object], *, task: str = "") -> bool:
    """Runs `effect` at most once for the outbox row `key` (made when missing): the row is locked,
    `effect` runs and the row is marked done in one transaction. A redelivered task waits for the
    lock, then finds the row done; an `effect` that raises leaves it to be done by the retry.
    True when `effect` ran."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(key=key).first()
        if message is None:
            message, _created = OutboxMessage.objects.get_or_create(
                key=key, defaults={"task": task, "dispatched_at": timezone.now(), "attempts": 1}
            )
            message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.done_at is not None:
            return False
        effect()
        message.done_at = timezone.now()
        message.save(update_fields=["done_at"])
    return True


# ── handing over ─────────────────────────────────────────────────────────────────────────────


def pending(pks: Collection[int] | None = None) -> "QuerySet[OutboxMessage]":
    """Rows to hand over: never handed over, or handed over long ago and still not done."""
    stale = timezone.now() - REDISPATCH_AFTER
    rows = OutboxMessage.objects.filter(done_at__isnull=True).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale, attempts__lt=MAX_HANDOVERS)
    )
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    return rows.order_by("pk")


def dispatch_after_commit(pks: Collection[int]) -> int:
    """After the transaction that wrote the rows: hand them over now, unless the broker refused a
    hand-over from this process moments ago (then the sweeper will). Never raises."""
    if not _app().conf.task_always_eager and time.monotonic() < _broker["down_until"]:
        logger.info("outbox: broker down recently, %d message(s) left for the sweeper", len(pks))
        return 0
    try:
        return dispatch(pks)
    except Exception:
        logger.exception("outbox: hand-over failed, left for the sweeper")
        return 0


def dispatch(pks: Collection[int] | None = None, *, limit: int = BATCH) -> int:
    """Hands these rows (or the oldest pending ones) to Celery; returns how many were handed over."""
    if _app().conf.task_always_eager:
        return _run_here(pks, limit)
    return _publish(pks, limit)


def sweep(*, rounds: int = 20) -> int:
    """Hands over everything pending, BATCH rows at a time (the beat task; also after an outage)."""
    total = 0
    for _round in range(rounds):
        handed = dispatch(limit=BATCH)
        total += handed
        if handed < BATCH:
            break
    return total


def purge_done() -> int:
    """Deletes the rows done more than KEEP_DONE ago; a row not done is never deleted."""
    deleted, _by_model = OutboxMessage.objects.filter(done_at__lt=timezone.now() - KEEP_DONE).delete()
    return deleted


def _task_id(message: OutboxMessage) -> str:
    return f"{TASK_ID_PREFIX}{message.pk}-{uuid.uuid4().hex[:12]}"


def _message_pk(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    number = task_id[len(TASK_ID_PREFIX) :].split("-", 1)[0]
    return int(number) if number.isdigit() else None


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _publish(pks: Collection[int] | None, limit: int) -> int:
    """Publishes the rows while they are locked, then records the hand-over in the same transaction."""
    with transaction.atomic():
        messages = list(pending(pks).select_for_update(skip_locked=True)[:limit])
        if not messages:
            return 0
        sent: list[int] = []
        error = ""
        app = _app()
        try:
            # One attempt, short timeouts: a broker that is down costs a request milliseconds
            # (refused) or PUBLISH_TIMEOUT (unreachable), never Celery's minute of retries.
            with app.connection_for_write(
                connect_timeout=PUBLISH_TIMEOUT,
                transport_options={
                    "max_retries": 0,
                    "socket_connect_timeout": PUBLISH_TIMEOUT,
                    "socket_timeout": PUBLISH_TIMEOUT,
                },
            ) as connection:
                producer = app.amqp.Producer(connection)
                for message in messages:
                    _task(message.task).apply_async(
                        kwargs=message.kwargs,
                        task_id=_task_id(message),
                        producer=producer,
                        retry=False,
                        ignore_result=True,
                    )
                    sent.append(message.pk)
        except Exception as exc:  # the broker is down or refused: the rows wait for the sweeper
            error = _error(exc)
            _broker["down_until"] = time.monotonic() + BROKER_BACKOFF
            logger.warning("outbox: %d message(s) not handed over: %s", len(messages) - len(sent), error)
        else:
            _broker["down_until"] = 0.0
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
        if error:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages if m.pk not in sent]).update(last_error=error)
    return len(sent)


def _run_here(pks: Collection[int] | None, limit: int) -> int:
    """Without a broker: the rows are claimed (marked handed over), then each task runs here, as a
    worker would run it; a failure is kept on the row and the row is tried again later."""
    with transaction.atomic():
        messages = list(pending(pks).select_for_update(skip_locked=True)[:limit])
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            dispatched_at=timezone.now(), attempts=F("attempts") + 1
        )
    for message in messages:
        try:
            _task(message.task).apply(kwargs=message.kwargs, task_id=_task_id(message), throw=True)
        except Exception as exc:
            logger.exception("outbox: %s failed", message)
            OutboxMessage.objects.filter(pk=message.pk).update(last_error=_error(exc))
        else:
            _mark_done(message.pk)
    return len(messages)


def _mark_done(pk: int) -> None:
    OutboxMessage.objects.filter(pk=pk, done_at__isnull=True).update(done_at=timezone.now(), last_error="")


# ── what the workers report ──────────────────────────────────────────────────────────────────


@task_success.connect
def _on_task_success(sender: Task | None = None, **kwargs: Any) -> None:
    pk = _message_pk(getattr(getattr(sender, "request", None), "id", None))
    if pk is not None:
        _mark_done(pk)


@task_failure.connect
def _on_task_failure(task_id: str | None = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    pk = _message_pk(task_id)
    if pk is not None and exception is not None:
        OutboxMessage.objects.filter(pk=pk).update(last_error=_error(exception))
