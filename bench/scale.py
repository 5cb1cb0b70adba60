"""How the portal's pages and APIs hold up at provincial scale (issue 10): seeded with N applications
on PostgreSQL, each measured beside an anchor in the same run.

    .venv/bin/python bench/scale.py --database-url postgres://portal:portal@127.0.0.1:5432/portal_bench
    .venv/bin/python bench/scale.py --database-url … --applications 200000 --reuse
    .venv/bin/python bench/scale.py --database-url … --applications 20000 --quick     (what CI runs)

The database (its name must contain "bench": it is dropped and made again) is created when
missing, migrated (which loads the catalog) and seeded with COPY by bench/scale_seed.py: N
applications (default 1,000,000) of N/20 enterprises, ~5% open, with their awards, payments and
audit events. `--reuse` keeps a database already seeded with the same N and enterprises (its
comment records them); migrations still run on it.

Then it measures, in this process, the portal's own code: pages through Django's test Client, the
API through DRF's APIClient with a token, the export job and the notice task as Celery runs them
(in-process). Each metric runs once to count its queries (CaptureQueriesContext), then up to
`--repeat` times, fewer when the runs exceed `--budget` seconds; median and p95 are of those runs.
Each sits beside an anchor, timed in the same run: what the same answer costs in hand-written SQL
or the bare library:

- queue pages and API (first, middle and last page; filtered by city and size, by status; sorted):
  a keyset query (`WHERE (sort key, id) > (…) ORDER BY … LIMIT page`) over the same department's
  applications and filters, selecting only what a row shows. Depth follows the code's pagination:
  page numbers are requested directly, cursors are followed through `next` links (the depth
  reached is reported). The OFFSET query of the last page is reported too.
- the Django admin's changelist of applications searched by an enterprise's name: the keyset query
  of that enterprise's applications found by name.
- the administrator's, a department's and finance's dashboards: `SELECT COUNT(*)` of the
  applications (the department's) or of the payments.
- the applicant's own list and "what can I claim": the keyset query of the applicant's applications.
- the ledger CSV download (the view's streamed response, read to the end) and the XLSX export job:
  a raw `values_list().iterator()` of the same columns through csv.writer, and xlsxwriter's
  constant-memory mode writing the same rows.
- notices through the Celery task (in-process): bare WeasyPrint on the same HTML.
- a funding round's pages (bench/scale_round.py builds it once per database, 1% of the
  applications, 200 to 2,000, or `--round-size`): the expert's workspace and assignments API, the
  panel page and results API, the city bureau's list (city and province) and its API, the calls
  reviewed by the city first, the meetings list and API, a meeting's record and the new meeting's
  candidates: SQL selecting what each shows of the same rows (the assignments, their totals and
  the ranking; the city's applications and letters; the meetings and their decisions).

Throughput: gunicorn with 2 sync workers and production settings (persistent connections;
CACHE_URL `--cache-url`, Redis db 5, when Redis answers), wrk with 16 connections for
`--load-seconds` each, on the health check (the anchor), the authenticated queue API, and the
public measures and departments APIs: requests/s, p50 and p99 (after each, what wrk left queued
is served before the next starts). wrk is installed with bin/apt-ensure when missing. Audit
writes per second: 16 threads each recording events with audit_record in their own
transactions, beside one thread alone. `--parts` chooses among pages, exports, notices, load and
audit (default: all).

It prints a table, and as its last line JSON: {"metric": {"median_ms", "p95_ms", "anchor_ms",
"ratio", "queries", …}, …}. It fails (exit status 1) when a page or API does not answer 200 or the
seeded audit chain does not verify (`--verify-audit`), never on a time.
"""

import argparse
import contextlib
import csv
import html
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = ("pages", "exports", "notices", "load", "audit")
SEED_VERSION = 2  # bump when bench/scale_seed.py writes different data: --reuse then seeds again
QUEUE_PAGE = 25  # rows of the queue page (applications.queue_views.QUEUE_PAGE_SIZE)


# ── the database ───────────────────────────────────────────────────────────────────────────────


def _maintenance(settings: dict[str, Any]) -> Any:
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    connection.autocommit = True
    return connection


def prepare_database(url: str, want: dict[str, int], reuse: bool) -> bool:
    """Creates the database when missing (or when it must be seeded again); True when it already
    holds what `want` describes and --reuse was given."""
    import dj_database_url

    settings = dj_database_url.parse(url)
    name = settings["NAME"]
    if "postgresql" not in settings["ENGINE"]:
        sys.exit("--database-url must be a PostgreSQL URL (postgres://…)")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: its name must contain 'bench' (it may be dropped)")
    with contextlib.closing(_maintenance(settings)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone()
        if found is not None and reuse:
            try:
                marker = json.loads(found[0] or "{}").get("bench_scale", {})
            except ValueError:
                marker = {}
            if marker == want:
                return True
            print(f"database {name} holds {marker or 'something else'}, not {want}: seeding it again")
        if found is not None:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    return False


def mark_database(want: dict[str, int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        comment = json.dumps({"bench_scale": want}).replace("'", "''")
        cursor.execute(f"COMMENT ON DATABASE \"{connection.settings_dict['NAME']}\" IS '{comment}'")


# ── who measures ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Cast:
    handler: Any  # of the department with the most applications
    finance: Any
    administrator: Any
    applicant_user: Any  # of the applicant with the most applications
    department_id: int
    incentive_ids: list[int]


def make_officials() -> Any:
    """Handlers and approvers for every department that handles an incentive, two finance officers
    and an administrator (got or created: the same on a reused database)."""
    from scale_seed import Officials

    from accounts.models import OfficialRole, User
    from measures.models import Department, Incentive

    def official(username: str, role: str, department: Any, label: str, **extra: Any) -> tuple[int, str]:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"official_role": role, "department": department, "display_name": label, **extra},
        )
        return user.pk, str(user)

    handlers: dict[int, list[tuple[int, str]]] = {}
    approvers: dict[int, list[tuple[int, str]]] = {}
    for department in Department.objects.filter(pk__in=Incentive.objects.values("handling_department_id")).order_by(
        "pk"
    ):
        short = department.name.removeprefix("省")[:6]
        handlers[department.pk] = [
            official(f"bench-handler-{department.code}-{n}", OfficialRole.HANDLER, department, f"{short}经办人{n}")
            for n in range(1, 5)
        ]
        approvers[department.pk] = [
            official(f"bench-approver-{department.code}-{n}", OfficialRole.APPROVER, department, f"{short}审核人{n}")
            for n in range(1, 3)
        ]
    finance_department = Department.objects.filter(code="finance").first()
    finance = [
        official(f"bench-finance-{n}", OfficialRole.FINANCE, finance_department, f"财政厅{n}") for n in range(1, 3)
    ]
    official("bench-admin", OfficialRole.ADMINISTRATOR, None, "平台管理员", is_staff=True, is_superuser=True)
    return Officials(handlers, approvers, finance)


def cast() -> Cast:
    from django.db.models import Count

    from accounts.models import User
    from applications.models import Application
    from measures.models import Incentive

    busiest = (
        Application.objects.values("incentive__handling_department_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    assert busiest is not None, "no applications were seeded"
    department_id = busiest["incentive__handling_department_id"]
    code = User.objects.filter(department_id=department_id).values_list("department__code", flat=True).first()
    heaviest = Application.objects.values("applicant_id").annotate(n=Count("pk")).order_by("-n", "applicant_id").first()
    assert heaviest is not None
    return Cast(
        handler=User.objects.get(username=f"bench-handler-{code}-1"),
        finance=User.objects.get(username="bench-finance-1"),
        administrator=User.objects.get(username="bench-admin"),
        applicant_user=User.objects.filter(applicant_id=heaviest["applicant_id"]).order_by("pk").first(),
        department_id=department_id,
        incentive_ids=list(Incentive.objects.filter(handling_department_id=department_id).values_list("pk", flat=True)),
    )


def mark_second_factor_passed(client: Any, user: Any) -> None:
    """Approvers, finance officers and administrators sign in with a second factor (accounts/two_factor.py):
    the session is marked as having passed it with the user's authenticator, as after the code step."""
    try:
        from accounts.two_factor import AUTHENTICATOR, second_factor_required
    except ImportError:
        return  # a portal without a second factor
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not second_factor_required(user):
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name=AUTHENTICATOR, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def api_token(user: Any) -> str:
    """The user's API key: from the `issue_token` management command when the portal has one
    (API.md), else a DRF Token."""
    import io

    from django.core.management import call_command, get_commands

    if "issue_token" in get_commands():
        out = io.StringIO()
        call_command("issue_token", user.username, stdout=out)
        return out.getvalue().strip().splitlines()[-1].strip()
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return str(token.key)


# ── measuring ──────────────────────────────────────────────────────────────────────────────────


@dataclass
class Metric:
    name: str
    times: list[float] = field(default_factory=list)  # seconds
    queries: int | None = None
    anchor: list[float] = field(default_factory=list)
    anchor_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def anchor_median(self) -> float | None:
        return statistics.median(self.anchor) if self.anchor else None

    def summary(self) -> dict[str, Any]:
        anchor = self.anchor_median
        out: dict[str, Any] = {
            "median_ms": round(self.median * 1000, 2),
            "p95_ms": round(self.p95 * 1000, 2),
            "runs": len(self.times),
            "queries": self.queries,
        }
        if anchor is not None:
            out |= {
                "anchor": self.anchor_name,
                "anchor_ms": round(anchor * 1000, 3),
                "ratio": round(self.median / anchor, 1) if anchor > 0 else None,
            }
        return out | self.extra


class Bench:
    def __init__(self, repeat: int, budget: float) -> None:
        self.repeat, self.budget = repeat, budget
        self.metrics: dict[str, Metric] = {}

    def measure(
        self,
        name: str,
        run: Callable[[], Any],
        anchor: Callable[[], Any] | None = None,
        anchor_name: str = "",
        **extra: Any,
    ) -> Metric:
        """One run counting queries, then timed runs within the budget; the anchor as many times."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        metric = Metric(name, anchor_name=anchor_name, extra=extra)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            first = time.perf_counter() - started
        metric.queries = len(captured.captured_queries)
        spent = first
        if first * 2 > self.budget:
            metric.times.append(first)  # too slow to repeat: the counted run is the one sample
        while len(metric.times) < self.repeat and spent < self.budget:
            started = time.perf_counter()
            run()
            metric.times.append(time.perf_counter() - started)
            spent += metric.times[-1]
        if anchor is not None:
            if isinstance(anchor, SQL):
                metric.extra["anchor_plan"] = anchor.plan()
            anchor()  # warm-up
            for _ in range(max(3, len(metric.times))):
                started = time.perf_counter()
                anchor()
                metric.anchor.append(time.perf_counter() - started)
        self.metrics[name] = metric
        print(_row(name, metric), flush=True)
        return metric


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds:,.1f} s"


HEADER = (
    f"{'metric':<26} {'runs':>4} {'median ms':>11} {'p95 ms':>11} {'queries':>7} {'anchor ms':>10} {'plan':>5}"
    f" {'ratio':>7}"
)


def _row(name: str, m: Metric) -> str:
    anchor = m.anchor_median
    ratio = (
        "—" if not anchor else f"{m.median / anchor:.1f}×" if m.median < 10 * anchor else f"{m.median / anchor:,.0f}×"
    )
    queries = "—" if m.queries is None else str(m.queries)
    depth = f"  (depth {m.extra['depth']})" if "depth" in m.extra else ""
    plan = m.extra.get("anchor_plan", "")
    return (
        f"{name:<26} {len(m.times):>4} {_ms(m.median):>11} {_ms(m.p95):>11} {queries:>7} {_ms(anchor):>10} {plan:>5}"
        f" {ratio:>7}{depth}"
    )


# ── what a page costs in plain SQL (the anchors) ───────────────────────────────────────────────


class SQL:
    """An anchor: hand-written SQL, run as it is. `plan()` says how PostgreSQL runs it: with the
    present schema a keyset query may have no index to follow (then it scans and sorts), which the
    table marks, so that its time is read as the schema's, not as what a keyset page can cost."""

    def __init__(self, sql: str, params: list[Any]) -> None:
        self.sql, self.params = sql, params

    def __call__(self) -> list[tuple]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return cursor.fetchall()

    def plan(self) -> str:
        """ "sorts" when it sorts more than a thousand rows, "scans" when it reads more than a thousand
        rows of a table from start to end, "index" otherwise (from EXPLAIN ANALYZE's actual rows)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {self.sql}", self.params)
            found = cursor.fetchone()[0]
        plans = json.loads(found) if isinstance(found, str) else found
        nodes, kinds = [plans[0]["Plan"]], set()
        while nodes:
            node = nodes.pop()
            children = node.get("Plans", [])
            nodes.extend(children)
            if node["Node Type"] in ("Sort", "Incremental Sort") and sum(c["Actual Rows"] for c in children) > 1000:
                kinds.add("sorts")
            elif (
                node["Node Type"] == "Seq Scan"
                and node["Actual Loops"] * (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) > 1000
            ):
                kinds.add("scans")
        return "sorts" if "sorts" in kinds else "scans" if "scans" in kinds else "index"


class SQLs(SQL):
    """An anchor of several statements, run one after the other (a page showing two lists); its plan
    is the worst of theirs."""

    def __init__(self, *parts: SQL) -> None:
        self.parts = parts

    def __call__(self) -> list[tuple]:
        return [row for part in self.parts for row in part()]

    def plan(self) -> str:
        plans = {part.plan() for part in self.parts}
        return next(kind for kind in ("sorts", "scans", "index") if kind in plans)


class Anchors:
    """Hand-written SQL over the same rows, selecting what a row shows, in the queue's orders: by
    deadline (open applications by their due date, the rest after them; then by id) or by arrival
    (submitted, or made for an offer; then by id)."""

    def __init__(self, who: Cast) -> None:
        from accounts.models import Applicant, User
        from applications.models import Application
        from applications.states import OPEN_STATUSES
        from measures.models import Incentive, Measure

        self.who = who
        self.applications, self.applicants = Application._meta.db_table, Applicant._meta.db_table
        self.columns = (
            "SELECT a.id, a.reference, a.status, a.fiscal_year, a.stage_due_on, a.submitted_at, a.estimated_amount, "
            "a.proposed_amount, i.code, i.name, m.number, p.name, p.city, p.size, u.username "
        )
        self.joins = (
            f'JOIN "{Incentive._meta.db_table}" i ON i.id = a.incentive_id '
            f'JOIN "{Measure._meta.db_table}" m ON m.id = i.measure_id '
            f'JOIN "{self.applicants}" p ON p.id = a.applicant_id '
            f'LEFT JOIN "{User._meta.db_table}" u ON u.id = a.assigned_to_id '
        )
        self.rows = f'{self.columns} FROM "{self.applications}" a {self.joins}'

        listed = ", ".join(f"'{status}'" for status in OPEN_STATUSES)  # the states' own names: no quoting needed
        self.due = (
            f"CASE WHEN a.stage_due_on IS NOT NULL AND a.status IN ({listed}) THEN a.stage_due_on "
            "ELSE DATE '9999-12-31' END"
        )
        self.arrival = "COALESCE(a.submitted_at, a.created_at)"
        self.mine = "a.incentive_id = ANY(%s) AND a.status <> 'draft'"

    def fetch(self, sql: str, params: list[Any]) -> list[tuple]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def page(self, limit: int, where: str = "", params: tuple = (), order: str = "") -> SQL:
        """A page of the department's queue, by deadline unless `order` says otherwise: the page's
        ids first (the order's index walked, the filters' tables joined), then what a row shows."""
        order = order or f"{self.due}, a.id"
        sql = (
            f'{self.columns} FROM (SELECT a.id FROM "{self.applications}" a JOIN "{self.applicants}" p '
            f"ON p.id = a.applicant_id WHERE {self.mine} {where} ORDER BY {order} LIMIT %s) page "
            f'JOIN "{self.applications}" a ON a.id = page.id {self.joins} ORDER BY {order}'
        )
        return SQL(sql, [self.who.incentive_ids, *params, limit])

    def key_at(self, offset: int) -> tuple[Any, int]:
        """The deadline order's key of the row `offset` rows into the department's queue."""
        return self.fetch(
            f'SELECT {self.due}, a.id FROM "{self.applications}" a WHERE {self.mine} '
            f"ORDER BY {self.due}, a.id OFFSET %s LIMIT 1",
            [self.who.incentive_ids, max(0, offset)],
        )[0]

    def after(self, key: tuple[Any, int], limit: int) -> SQL:
        """The keyset page that starts after `key`."""
        return self.page(limit, f"AND ({self.due}, a.id) > (%s, %s)", key)

    def offset(self, offset: int, limit: int) -> SQL:
        """The same page with OFFSET, as pages with numbers fetch it."""
        sql = f"{self.rows} WHERE {self.mine} ORDER BY {self.due}, a.id OFFSET %s LIMIT %s"
        return SQL(sql, [self.who.incentive_ids, offset, limit])

    def count(self, table: str, where: str = "", params: tuple = ()) -> SQL:
        return SQL(f'SELECT COUNT(*) FROM "{table}" {where}', list(params))

    def visible_counts(self) -> tuple[int, int]:
        """(the department's applications in its queue, of which open)."""
        from applications.states import OPEN_STATUSES

        total, open_ = self.fetch(
            f'SELECT COUNT(*), COUNT(*) FILTER (WHERE status = ANY(%s)) FROM "{self.applications}" a WHERE {self.mine}',
            [list(OPEN_STATUSES), self.who.incentive_ids],
        )[0]
        return int(total), int(open_)


# ── pages and API through the portal's own code ────────────────────────────────────────────────

NEXT_LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*rel="next"|<a\s[^>]*rel="next"[^>]*href="([^"]*)"')


class Visitor:
    """A signed-in browser (the test Client) or API client (APIClient with a token)."""

    def __init__(self, user: Any, *, api: bool = False) -> None:
        from django.test import Client
        from rest_framework.test import APIClient

        self.api, self.user = api, user
        if api:
            self.client: Any = APIClient()
            self.client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        else:
            self.client = Client()
            self.client.force_login(user)
            mark_second_factor_passed(self.client, user)

    def get(self, url: str) -> Any:
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {_body(response)[:300]}")
        if getattr(response, "streaming", False):
            size = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
            response.bench_size = size
        return response

    def page(self, url: str, *, cached: bool = False) -> Callable[[], Any]:
        """The queue API keeps its answers (applications/queue_cache.py): unless `cached`, each run
        starts from an empty cache, so it times the answer being built."""
        if not self.api or cached:
            return lambda: self.get(url)
        from django.core.cache import cache

        def built() -> Any:
            cache.clear()
            return self.get(url)

        return built


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return "(streamed)"
    return response.content.decode(errors="replace")


def _next_link(response: Any) -> str | None:
    if response.get("Content-Type", "").startswith("application/json"):
        link = response.json().get("next")
        return str(link) if link else None
    match = NEXT_LINK.search(response.content.decode())
    if not match:
        return None
    link = html.unescape(match.group(1) or match.group(2))
    return link


def _path_of(link: str, base: str) -> str:
    """A next link (absolute, or a query like "?page=2") as a path the test client takes."""
    parts = urlsplit(link)
    if link.startswith("?"):
        return base.split("?", 1)[0] + link
    return parts.path + (f"?{parts.query}" if parts.query else "")


def cursors_at(visitor: Visitor, offsets: list[int], time_limit: float) -> dict[int, tuple[str, int]]:
    """For each row offset, the cursor of the queue's page that starts there (or just before) and the
    offset it starts at, found by following the API's `next` links 200 rows at a time for
    `time_limit` seconds at most: beyond, the deepest cursor reached stands in."""
    url, seen, cursor = "/api/v1/queue/?page_size=200", 0, ""
    found: dict[int, tuple[str, int]] = {}
    started, wanted = time.perf_counter(), sorted(set(offsets))
    while wanted:
        response = visitor.get(url)
        answer = response.json()  # the queue API answers stored bytes (applications/queue_cache.py)
        rows, link = len(answer["results"]), answer.get("next")
        out_of_time = time.perf_counter() - started > time_limit
        while wanted and (wanted[0] < seen + rows or not link or out_of_time):
            found[wanted.pop(0)] = (cursor, seen)
        if not link:
            break
        seen += rows
        cursor = parse_qs(urlsplit(link).query)["cursor"][0]
        url = _path_of(link, url)
    print(f"  (walked {seen:,} rows of the queue through `next` links in {time.perf_counter() - started:.0f} s)")
    return found


def measure_queue(bench: Bench, who: Cast, anchors: Anchors, *, walk_seconds: float) -> None:
    """The queue's first, middle and last page, as a page and through the API. Page numbers are
    jumped to; cursors are followed (the page and the API share them: one walk serves both)."""
    total, _open = anchors.visible_counts()
    page, api = Visitor(who.handler), Visitor(who.handler, api=True)
    sizes = {"page": QUEUE_PAGE, "api": len(api.get("/api/v1/queue/").json()["results"])}
    bases = {"page": "/review/", "api": "/api/v1/queue/"}
    wanted = {kind: {"middle": total // 2, "last": max(0, total - size)} for kind, size in sizes.items()}
    cursors = None
    if "cursor=" in (_next_link(api.get(bases["api"])) or ""):
        cursors = cursors_at(api, [o for w in wanted.values() for o in w.values()], walk_seconds)
    for kind, visitor in (("page", page), ("api", api)):
        base, size = bases[kind], sizes[kind]
        bench.measure(f"queue.{kind}.first", visitor.page(base), anchors.page(size), "keyset, first page")
        for name, offset in wanted[kind].items():
            if cursors is not None:
                cursor, offset = cursors[offset]
                url = f"{base}?cursor={quote(cursor)}" if cursor else base
            else:  # page numbers
                offset -= offset % size
                url = f"{base}?page={offset // size + 1}"
            anchor = anchors.after(anchors.key_at(offset - 1), size) if offset else anchors.page(size)
            depth = {"depth": offset // size + 1, "rows_before": offset}
            bench.measure(f"queue.{kind}.{name}", visitor.page(url), anchor, "keyset at the same row", **depth)
            if kind == "page" and name == "last":
                bench.measure("queue.sql.offset_last", anchors.offset(offset, size), anchor, "keyset", **depth)
    api = Visitor(who.handler, api=True)
    size = len(api.get("/api/v1/queue/").json()["results"])
    bench.measure(
        "queue.api.first_cached",
        api.page("/api/v1/queue/", cached=True),
        anchors.page(size),
        "keyset, first page",
    )
    bench.measure(
        "queue.api.city_size",
        api.page("/api/v1/queue/?city=shenzhen&size=small"),
        anchors.page(size, "AND p.city = %s AND p.size = %s", ("shenzhen", "small")),
        "keyset, same filters",
    )
    bench.measure(
        "queue.api.status",
        api.page("/api/v1/queue/?status=under_review"),
        anchors.page(size, "AND a.status = %s", ("under_review",)),
        "keyset, same filter",
    )
    # A closed status: its applications lie behind every open one in the deadline order, so the
    # anchor walks the status's own rows by id (the due date is the same for all of them).
    bench.measure(
        "queue.api.status_closed",
        api.page("/api/v1/queue/?status=paid"),
        anchors.page(size, "AND a.status = %s", ("paid",), order="a.id"),
        "keyset, same filter",
    )
    bench.measure(
        "queue.page.status_closed",
        Visitor(who.handler).page("/review/?status=paid"),
        anchors.page(size, "AND a.status = %s", ("paid",), order="a.id"),
        "keyset, same filter",
    )
    bench.measure(
        "queue.api.sorted",
        api.page("/api/v1/queue/?sort=-submitted"),
        anchors.page(size, order=f"{anchors.arrival} DESC, a.id DESC"),
        "keyset, same order",
    )


def measure_admin_and_dashboards(bench: Bench, who: Cast, anchors: Anchors) -> None:
    from accounts.models import Applicant
    from disbursement.models import Payment

    admin = Visitor(who.administrator)
    name = Applicant.objects.get(pk=who.applicant_user.applicant_id).name

    bench.measure(
        "admin.applications.search",
        admin.page(f"/admin/applications/application/?q={quote(name)}"),
        _search_anchor(anchors, name),
        "the enterprise's applications by name",
    )
    bench.measure(
        "dashboard.administrator",
        admin.page("/reports/dashboard/"),
        anchors.count(anchors.applications),
        "COUNT(*) applications",
    )
    department = Visitor(who.handler)
    bench.measure(
        "dashboard.department",
        department.page("/reports/dashboard/"),
        anchors.count(anchors.applications, "WHERE incentive_id = ANY(%s)", (who.incentive_ids,)),
        "COUNT(*) of its applications",
    )
    finance = Visitor(who.finance)
    bench.measure(
        "dashboard.finance",
        finance.page("/reports/dashboard/"),
        anchors.count(Payment._meta.db_table),
        "COUNT(*) payments",
    )


def _search_anchor(anchors: Anchors, name: str) -> Callable[[], list[tuple]]:
    return SQL(f"{anchors.rows} WHERE p.name ILIKE %s ORDER BY a.updated_at DESC, a.id DESC LIMIT 100", [f"%{name}%"])


def measure_applicant(bench: Bench, who: Cast, anchors: Anchors) -> None:
    applicant = Visitor(who.applicant_user)
    api = Visitor(who.applicant_user, api=True)
    anchor = SQL(
        f"{anchors.rows} WHERE a.applicant_id = %s ORDER BY a.updated_at DESC, a.id DESC LIMIT 50",
        [who.applicant_user.applicant_id],
    )

    bench.measure("applicant.list.page", applicant.page("/applications/"), anchor, "keyset of its applications")
    bench.measure("applicant.list.api", api.page("/api/v1/applications/"), anchor, "keyset of its applications")
    bench.measure("applicant.home", applicant.page("/me/"), anchor, "keyset of its applications")
    bench.measure("applicant.matches.page", applicant.page("/me/matches/"), anchor, "keyset of its applications")
    bench.measure("applicant.matches.api", api.page("/api/v1/me/matches/"), anchor, "keyset of its applications")


def _tables() -> dict[str, str]:
    from accounts.models import Applicant, User
    from applications.models import Application, CityLetterEntry, CityRecommendationLetter
    from calls.models import Call
    from decisions.models import Meeting, MeetingDecision
    from experts.models import Assignment, Expert, Panel, Score, ScoreCriterion
    from measures.models import Incentive

    models = {
        "application": Application, "applicant": Applicant, "user": User, "call": Call, "incentive": Incentive,
        "assignment": Assignment, "expert": Expert, "panel": Panel, "score": Score, "criterion": ScoreCriterion,
        "letter": CityRecommendationLetter, "entry": CityLetterEntry, "meeting": Meeting, "decision": MeetingDecision,
    }  # fmt: skip
    return {name: f'"{model._meta.db_table}"' for name, model in models.items()}


def measure_round(bench: Bench, size: int) -> None:
    """One funding round's pages (bench/scale_round.py builds it once): the expert's workspace and
    assignments API, the panel page and results API, the city bureau's list (city and province) and
    its API, the calls reviewed by the city first, the meetings list and API, a meeting's record and
    the new meeting's candidates. Each anchor selects what the page shows of the same rows."""
    from scale_round import build_round

    started = time.perf_counter()
    made = build_round(size)
    call, expert_id = made.call.pk, made.expert.expert.pk
    t = _tables()
    applications = SQL(f"SELECT COUNT(*) FROM {t['application']} WHERE call_id = %s", [call])()
    print(
        f"  (the round: call #{call}, {applications[0][0]:,} applications, ready in "
        f"{time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    assignments = (
        f"SELECT s.id, s.scored_at, s.missing_reason, a.reference, i.name, c.title, p.closed_at "
        f"FROM {t['assignment']} s JOIN {t['panel']} p ON p.id = s.panel_id JOIN {t['call']} c ON c.id = p.call_id "
        f"JOIN {t['application']} a ON a.id = s.application_id JOIN {t['incentive']} i ON i.id = a.incentive_id "
        "WHERE s.expert_id = %s ORDER BY p.closed_at, p.drawn_at DESC, s.application_id"
    )
    expert = Visitor(made.expert)
    bench.measure(
        "round.expert.page", expert.page("/experts/"), SQL(assignments, [expert_id]), "the expert's assignments"
    )
    points = (
        f"(SELECT array_agg(sc.points ORDER BY sc.criterion_id) FROM {t['score']} sc WHERE sc.assignment_id = s.id)"
    )
    bench.measure(
        "round.expert.api",
        Visitor(made.expert, api=True).page("/api/v1/expert/assignments/"),
        SQL(assignments.replace(", p.closed_at ", f", p.closed_at, {points} ") + " LIMIT 50", [expert_id]),
        "a page of them, with points",
    )
    total = (
        f"(SELECT SUM(sc.points * cr.weight) FROM {t['score']} sc JOIN {t['criterion']} cr ON cr.id = sc.criterion_id "
        "WHERE sc.assignment_id = s.id)"
    )
    progress = SQL(
        f"SELECT s.id, a.reference, ap.name, u.display_name, s.scored_at, s.comment, s.missing_reason, {total} "
        f"FROM {t['assignment']} s JOIN {t['panel']} p ON p.id = s.panel_id "
        f"JOIN {t['application']} a ON a.id = s.application_id JOIN {t['applicant']} ap ON ap.id = a.applicant_id "
        f"JOIN {t['expert']} e ON e.id = s.expert_id JOIN {t['user']} u ON u.id = e.user_id "
        "WHERE p.call_id = %s ORDER BY s.application_id, s.id",
        [call],
    )
    ranking = SQL(
        f"SELECT a.id, a.reference, ROUND(AVG(x.total), 2) AS score, COUNT(*) FROM (SELECT s.id, s.application_id, "
        f"{total} AS total FROM {t['assignment']} s JOIN {t['panel']} p ON p.id = s.panel_id "
        "WHERE p.call_id = %s AND s.scored_at IS NOT NULL) x "
        f"JOIN {t['application']} a ON a.id = x.application_id "
        "GROUP BY a.id ORDER BY score DESC, a.submitted_at, a.id",
        [call],
    )
    official = Visitor(made.handler)
    bench.measure(
        "round.panel.page",
        official.page(f"/experts/calls/{call}/panel/"),
        SQLs(progress, ranking),
        "assignments with totals, ranking",
    )
    bench.measure(
        "round.panel.api",
        Visitor(made.handler, api=True).page(f"/api/v1/calls/{call}/panel/results/"),
        ranking,
        "the ranking",
    )

    city = made.city_approver.city
    listed = SQL(
        "SELECT a.id, a.reference, a.status, a.estimated_amount, a.city_recommended, a.city_decided_at, "
        f"a.city_reasons, ap.name FROM {t['application']} a JOIN {t['applicant']} ap ON ap.id = a.applicant_id "
        "WHERE a.call_id = %s AND ap.city = %s AND a.status <> 'draft' "
        "ORDER BY a.estimated_amount DESC NULLS LAST, COALESCE(a.submitted_at, a.created_at), a.id",
        [call, city],
    )
    letters = (
        f"SELECT l.id, l.number, l.city, l.issued_at, e.rank, e.amount_asked, e.reasons, a.reference, ap.name "
        f"FROM {t['letter']} l JOIN {t['entry']} e ON e.letter_id = l.id "
        f"JOIN {t['application']} a ON a.id = e.application_id JOIN {t['applicant']} ap ON ap.id = a.applicant_id "
        "WHERE l.call_id = %s {city} ORDER BY l.city, l.ordinal DESC, e.rank"
    )
    own_letters = SQL(letters.format(city="AND l.city = %s"), [call, city])
    bureau = Visitor(made.city_approver)
    city_anchor = SQLs(listed, listed, own_letters)  # the city's list, its forwarded ones, its letters
    bench.measure("round.city.page", bureau.page(f"/review/calls/{call}/city/"), city_anchor, "list, letters")
    bench.measure(
        "round.city.api",
        Visitor(made.city_approver, api=True).page(f"/api/v1/calls/{call}/city-recommendations/"),
        city_anchor,
        "list, letters",
    )
    bench.measure(
        "round.city.province",
        official.page(f"/review/calls/{call}/city/"),
        SQL(letters.format(city=""), [call]),
        "every city's letters",
    )
    bench.measure(
        "round.city.calls",
        bureau.page("/review/city/"),
        SQL(
            f"SELECT id, title, fiscal_year, opens_at, closes_at FROM {t['call']} WHERE review_path = 'city_first' "
            "ORDER BY opens_at DESC, id DESC LIMIT 200",
            [],
        ),
        "the calls, keyset",
    )

    meetings = SQL(
        f"SELECT m.id, m.held_on, u.display_name, COUNT(d.id) FROM {t['meeting']} m "
        f"JOIN {t['user']} u ON u.id = m.chaired_by_id LEFT JOIN {t['decision']} d ON d.meeting_id = m.id "
        "WHERE m.call_id = %s GROUP BY m.id, u.display_name ORDER BY m.held_on DESC, m.id DESC",
        [call],
    )
    decisions = (
        f"SELECT d.rank, d.score, d.amount_asked, d.support, d.amount_allocated, d.reasons, a.reference, ap.name "
        f"FROM {t['meeting']} m JOIN {t['decision']} d ON d.meeting_id = m.id "
        f"JOIN {t['application']} a ON a.id = d.application_id JOIN {t['applicant']} ap ON ap.id = a.applicant_id "
        "WHERE {where} ORDER BY m.held_on DESC, m.id DESC, d.rank"
    )
    bench.measure(
        "round.meetings.page", official.page(f"/calls/manage/{call}/meetings/"), meetings, "meetings, decisions counted"
    )
    bench.measure(
        "round.meetings.api",
        Visitor(made.handler, api=True).page(f"/api/v1/calls/{call}/meetings/"),
        SQL(decisions.format(where="m.call_id = %s"), [call]),
        "meetings with decisions",
    )
    bench.measure(
        "round.meeting.page",
        official.page(f"/calls/manage/meetings/{made.meeting.pk}/"),
        SQL(decisions.format(where="m.id = %s"), [made.meeting.pk]),
        "its decisions",
    )
    candidates = SQL(
        f"SELECT a.id, a.reference, a.estimated_amount, a.data, ap.name FROM {t['application']} a "
        f"JOIN {t['applicant']} ap ON ap.id = a.applicant_id "
        "WHERE a.call_id = %s AND a.status = 'under_review' ORDER BY a.submitted_at, a.id",
        [call],
    )
    bench.measure(
        "round.meeting_new.page",
        official.page(f"/calls/manage/{call}/meetings/new/"),
        SQLs(candidates, ranking),
        "candidates, ranking",
    )


class _Sink:
    def write(self, data: str) -> int:
        return len(data)


def measure_exports(bench: Bench, who: Cast, media: str) -> None:
    from django.test import override_settings

    from disbursement.models import Payment
    from reports.models import ExportJob
    from reports.scope import ReportScope
    from reports.selectors import LEDGER_FIELDS, LEDGER_HEADERS, ledger_queryset
    from reports.services import export_job_create

    rows = Payment.objects.count()

    def raw_rows() -> Iterator[tuple]:
        """The ledger's own queryset and columns, as they come from the database."""
        return ledger_queryset(ReportScope("finance")).values_list(*LEDGER_FIELDS).iterator(chunk_size=2000)

    def raw_csv() -> None:
        writer = csv.writer(_Sink())
        writer.writerow([str(h) for h in LEDGER_HEADERS])
        for row in raw_rows():
            writer.writerow(row)

    finance = Visitor(who.finance)
    bench.measure(
        "export.ledger.csv",
        finance.page("/reports/download/ledger/?format=csv"),
        raw_csv,
        "raw values_list → csv.writer",
        rows=rows,
    )

    def xlsx_job() -> None:
        with override_settings(MEDIA_ROOT=media):
            job = export_job_create(actor=who.finance, report="ledger", fmt="xlsx")
            job.refresh_from_db()
        if job.status != ExportJob.Status.DONE:
            raise RuntimeError(f"the XLSX export job ended {job.status}: {getattr(job, 'error', '')}")

    def xlsxwriter_anchor() -> None:
        import xlsxwriter

        with tempfile.TemporaryDirectory(dir=media) as scratch:
            workbook = xlsxwriter.Workbook(f"{scratch}/ledger.xlsx", {"constant_memory": True})
            sheet = workbook.add_worksheet()
            sheet.write_row(0, 0, [str(h) for h in LEDGER_HEADERS])
            for n, row in enumerate(raw_rows(), start=1):
                sheet.write_row(n, 0, row)
            workbook.close()

    bench.measure("export.ledger.xlsx", xlsx_job, xlsxwriter_anchor, "xlsxwriter constant_memory", rows=rows)


def measure_notices(bench: Bench, count: int, media: str) -> None:
    from django.test import override_settings

    from applications.models import Application, Notice
    from applications.notices import render_notice_html
    from applications.tasks import generate_notice
    from audit.models import AuditEvent
    from portal.pdf import base_url, static_files_only_fetcher

    noticed = Notice.objects.filter(kind=Notice.Kind.ACCEPTANCE).values("application_id")
    targets = list(
        Application.objects.filter(status="accepted")
        .exclude(pk__in=noticed)
        .order_by("pk")
        .values_list("pk", flat=True)[: count + 1]
    )
    if len(targets) < 2:
        print("  (no accepted applications left without a notice: notices not measured)")
        return
    kind = Application._meta.label_lower
    events = {
        int(e.object_id): e.sequence
        for e in AuditEvent.objects.filter(
            object_type=kind, object_id__in=[str(t) for t in targets], action="application.accept"
        )
    }
    queue = iter(targets)
    issued: list[str] = []

    def notice() -> None:
        application_id = next(queue)
        with override_settings(MEDIA_ROOT=media):
            issued.append(generate_notice.apply(args=(application_id, "acceptance", events[application_id])).get())

    def bare() -> None:
        from weasyprint import HTML

        made = Notice.objects.filter(number=issued[-1]).get()
        html = render_notice_html(made.essentials, made.verification_code)
        HTML(string=html, base_url=base_url(), url_fetcher=static_files_only_fetcher()).write_pdf()

    repeat, bench.repeat = bench.repeat, min(bench.repeat, len(targets) - 1)
    bench.measure("notice.acceptance", notice, bare, "bare WeasyPrint, same HTML")
    bench.repeat = repeat


# ── throughput: gunicorn and wrk ───────────────────────────────────────────────────────────────

WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run([str(ROOT / "bin" / "apt-ensure"), "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed")
    return found


# wrk's script for requests that differ (a page size of 40 to 60, one of 21 cities, one of 3 sorts):
# 1,323 different queries, so most requests miss the queue's cache and build their answer.
VARIED_QUERIES = """
local sorts = {"deadline", "submitted", "-submitted"}
local cities = {"guangzhou", "shenzhen", "zhuhai", "shantou", "foshan", "shaoguan", "heyuan", "meizhou",
  "huizhou", "shanwei", "dongguan", "zhongshan", "jiangmen", "yangjiang", "zhanjiang", "maoming",
  "zhaoqing", "qingyuan", "chaozhou", "jieyang", "yunfu"}
math.randomseed(os.time())
request = function()
  local path = wrk.path .. "?page_size=" .. math.random(40, 60) .. "&city=" .. cities[math.random(#cities)]
    .. "&sort=" .. sorts[math.random(#sorts)]
  return wrk.format(nil, path)
end
"""


def _wrk_run(wrk: str, url: str, seconds: float, headers: dict[str, str], script: str = "") -> dict[str, Any]:
    command = [wrk, "-t2", "-c16", f"-d{max(1, round(seconds))}s", "--timeout", "120s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        scratch = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115 - wrk reads it by name
        with scratch:
            scratch.write(script)
        command += ["-s", scratch.name]
    try:
        out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    finally:
        if script:
            os.unlink(scratch.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[unit] for p, v, unit in WRK_LATENCY.findall(out)}
    return {
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": round(latency.get("50", float("nan")), 2),
        "p99_ms": round(latency.get("99", float("nan")), 2),
        "non_2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def measure_throughput(url: str, who: Cast, seconds: float, cache: str) -> dict[str, dict[str, Any]]:
    """gunicorn (2 workers, production settings) under wrk (16 connections) on each endpoint."""
    wrk = _wrk()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "60",
        "SECRET_KEY": os.urandom(32).hex(),
        "AUDIT_HMAC_KEY": os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Production settings refuse to start without these (issue 11); nothing here sends mail or
        # notices, and the endpoints measured enqueue no task.
        "SITE_URL": "https://portal.example.gov.cn",
        "EMAIL_HOST": "smtp.example.invalid",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5",
        "CACHE_URL": cache,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    if not _redis_answers(cache):
        raise RuntimeError(f"the load test runs production settings, which need Redis at {cache}")
    token = api_token(who.handler)
    # The catalog page needs the collected static files' manifest (production storage).
    # (make's own settings: this process runs the test settings, whose storage writes no manifest)
    make_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    subprocess.run(["make", "--no-print-directory", "collectstatic"], cwd=ROOT, env=make_env, check=True)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, Any]] = {}
    try:
        _wait_for(f"{base}/healthz/", server)
        key = {"Authorization": f"Token {token}"}
        endpoints = {
            "load.healthz": ("/healthz/", {}, ""),
            "load.health_full": ("/health/?format=json", {}, ""),
            "load.api.queue": ("/api/v1/queue/", key, ""),
            "load.api.queue_varied": ("/api/v1/queue/", key, VARIED_QUERIES),
            "load.api.measures": ("/api/v1/measures/", {}, ""),
            "load.api.departments": ("/api/v1/departments/", {}, ""),
            "load.page.catalog": ("/", {}, ""),
        }
        for name, (path, headers, script) in endpoints.items():
            request = urllib.request.Request(base + path, headers=headers)
            with urllib.request.urlopen(request, timeout=600) as answer:  # the first request: it answers 200
                if answer.status != 200:
                    raise RuntimeError(f"GET {path} under gunicorn answered {answer.status}")
            results[name] = _wrk_run(wrk, base + path, seconds, headers, script)
            _drain(base)
            anchor = results["load.healthz"]["requests_per_s"]
            results[name] |= {
                "anchor": "health check",
                "anchor_rps": anchor,
                "ratio": round(results[name]["requests_per_s"] / anchor, 3) if anchor else None,
            }
            r = results[name]
            print(
                f"{name:<34} {r['requests']:>6} requests  {r['requests_per_s']:>8.1f}/s  p50 {r['p50_ms']:>9.1f} ms  "
                f"p99 {r['p99_ms']:>9.1f} ms  non-2xx {r['non_2xx']}  errors {r['socket_errors']}",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def _drain(base: str) -> None:
    """Waits until gunicorn has answered what wrk left behind (requests still queued when it stopped
    are served all the same): a health check answered at once means nothing is queued."""
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}/healthz/", timeout=600) as answer:
            answer.read()
        if time.perf_counter() - started < 0.2:
            return


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 60 s")


# ── audit writes ───────────────────────────────────────────────────────────────────────────────


def measure_audit_writes(who: Cast, seconds: float) -> dict[str, Any]:
    """Events recorded per second by 16 threads, each in its own transactions, and by one alone."""
    from django.db import connections, transaction

    from audit.services import audit_record

    def rate(clients: int) -> float:
        stop = time.perf_counter() + seconds
        written = [0] * clients
        failures: list[BaseException] = []

        def client(n: int) -> None:
            try:
                while time.perf_counter() < stop:
                    with transaction.atomic():
                        audit_record(
                            actor=who.administrator,
                            action="bench.audit_write",
                            obj=who.administrator,
                            after={"client": n, "n": written[n]},
                            visible_to_applicant=False,
                        )
                    written[n] += 1
            except BaseException as error:  # reported below: a failed write fails the benchmark
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
        return sum(written) / (time.perf_counter() - started)

    one = rate(1)
    many = rate(16)
    result = {
        "writes_per_s": round(many, 1),
        "clients": 16,
        "anchor": "one client",
        "anchor_writes_per_s": round(one, 1),
        "ratio": round(many / one, 2) if one else None,
    }
    print(f"{'audit.writes':<34} {many:>8.1f}/s with 16 clients, {one:.1f}/s with one", flush=True)
    return result


# ── the run ────────────────────────────────────────────────────────────────────────────────────


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://…/<a name containing 'bench'>")
    parser.add_argument("--applications", type=int, default=1_000_000, help="applications to seed")
    parser.add_argument("--enterprises", type=int, help="enterprises to seed (default: applications / 20)")
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded with the same numbers")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each metric (default 5)")
    parser.add_argument("--budget", type=float, default=60, help="seconds a metric's runs may take (default 60)")
    parser.add_argument(
        "--walk-seconds", type=float, default=600, help="time to follow cursors to the queue's depth (default 600)"
    )
    parser.add_argument("--load-seconds", type=float, default=10, help="wrk's duration per endpoint (default 10)")
    parser.add_argument("--notices", type=int, default=5, help="notices to issue (default 5)")
    parser.add_argument("--seed", type=int, default=10, help="the random seed of the data")
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/5", help="gunicorn's CACHE_URL, when Redis answers there"
    )
    parser.add_argument("--quick", action="store_true", help="CI: 3 runs, 2 s of load, 2 notices")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"what to measure, comma-separated (default: {','.join(PARTS)})"
    )
    parser.add_argument(
        "--round-size", type=int, help="applications of the funding round (default: 1%% of them, 200 to 2,000)"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed (or reuse), then stop")
    parser.add_argument("--verify-audit", action="store_true", help="check the seeded audit chain (verify_audit)")
    args = parser.parse_args()
    if set(args.parts.split(",")) - set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    if args.quick:
        args.repeat, args.load_seconds, args.notices = min(args.repeat, 3), min(args.load_seconds, 2), 2
    enterprises = args.enterprises or max(1, args.applications // 20)
    want = {"applications": args.applications, "enterprises": enterprises, "seed": args.seed, "version": SEED_VERSION}

    started = time.perf_counter()
    reused = prepare_database(args.database_url, want, args.reuse)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("DATABASE_CONN_MAX_AGE", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    print(f"migrating {'the reused' if reused else 'a new'} database…", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    officials = make_officials()
    if not reused:
        from scale_seed import seed

        print(f"seeding {args.applications:,} applications of {enterprises:,} enterprises…", flush=True)
        seeded = time.perf_counter()
        counts = seed(
            applications=args.applications, enterprises=enterprises, officials=officials, random_seed=args.seed
        )
        print(
            f"seeded in {time.perf_counter() - seeded:.0f} s: "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items()),
            flush=True,
        )
        mark_database(want)
    if args.verify_audit:
        from audit.services import audit_verify

        problem = audit_verify()
        if problem is not None:
            sys.exit(f"the seeded audit chain does not verify: {problem}")
        print("the audit chain verifies", flush=True)
    if args.seed_only:
        return

    import logging

    from django.test.utils import setup_test_environment

    logging.getLogger("celery").setLevel(logging.WARNING)  # each eager task logs its success
    logging.getLogger("kombu").setLevel(logging.ERROR)  # "no hostname" of the in-memory broker
    setup_test_environment()  # the test Client's environment (locmem email, testserver host)
    who = cast()
    anchors = Anchors(who)
    bench = Bench(args.repeat, args.budget)
    parts = set(args.parts.split(","))
    if parts & {"pages", "exports", "notices"}:
        total, open_ = anchors.visible_counts()
        applicant = who.applicant_user.applicant_id
        own = anchors.fetch(f'SELECT COUNT(*) FROM "{anchors.applications}" WHERE applicant_id = %s', [applicant])
        print(
            f"\nqueue and dashboard of department #{who.department_id}: {total:,} applications ({open_:,} "
            f"open); applicant #{applicant}: {own[0][0]} applications.\nAnchors' plan: index (follows an index), "
            "sorts (sorts over 1,000 rows: no index for its order), scans (reads over 1,000 rows of a table).\n"
        )
        print(HEADER)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as media:
        if "pages" in parts:
            measure_queue(bench, who, anchors, walk_seconds=args.walk_seconds)
            measure_admin_and_dashboards(bench, who, anchors)
            measure_applicant(bench, who, anchors)
            measure_round(bench, args.round_size or min(2000, max(200, args.applications // 100)))
        if "exports" in parts:
            measure_exports(bench, who, media)
        if "notices" in parts:
            measure_notices(bench, args.notices, media)
    report: dict[str, Any] = {name: m.summary() for name, m in bench.metrics.items()}
    if "load" in parts:
        report |= measure_throughput(args.database_url, who, args.load_seconds, args.cache_url)
    if "audit" in parts:
        report["audit.writes"] = measure_audit_writes(who, args.load_seconds)
    print(
        f"\n{args.applications:,} applications; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s in all"
    )
    print(json.dumps(report, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
