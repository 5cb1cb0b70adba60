"""How fast the ledger exports are, and whether their memory stays flat as the ledger grows.

    .venv/bin/python bench/exports.py                 # 100,000 ledger rows
    .venv/bin/python bench/exports.py --rows 20000

Runs on a throwaway database made with the test settings (a temporary SQLite file, or a
`test_…` database beside the one DATABASE_URL names; dropped at the end). It loads a tenth of
the rows and measures, then half, then all of them:

- the streamed CSV: the StreamingHttpResponse the download view returns, consumed to the end
  (rows from `values_list().iterator(chunk_size=2000)`);
- the XLSX: openpyxl's write-only workbook written to a temporary file, as the export job does.

Each export runs twice: once timed as it is, once under tracemalloc for the peak of Python
memory it allocated (tracemalloc slows Python down, so its run is not the one timed). Flat memory
means the peak stays the same from a tenth of the rows to all of them: it is bounded by two
chunks of 2,000 rows (the one being written and the next one fetched), not by the ledger.
"""

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"


def seed(first: int, last: int) -> None:
    """Payments number first … last-1, each for its own paid award, application and (shared) applicant."""
    from django.utils import timezone

    from accounts.models import Applicant, User
    from applications.models import Application, Status
    from awards.models import Award
    from budgets.models import Budget
    from disbursement.models import DisbursementBatch, Payment
    from measures.models import Incentive
    from measures.vocabulary import GuangdongCity

    grants = list(Incentive.objects.filter(kind__in=Incentive.GRANT_KINDS).order_by("pk"))
    years = list(range(2020, 2027))
    combos = len(grants) * len(years)  # applications one applicant may have open at once
    cities = list(GuangdongCity.values)
    user, _ = User.objects.get_or_create(username="bench", defaults={"official_role": "finance"})
    today = timezone.localdate()

    budgets = {(b.incentive_id, b.fiscal_year): b.pk for b in Budget.objects.all()}
    new_budgets = [
        Budget(incentive=g, fiscal_year=y, allocation=Decimal("9000000000000000"))
        for g in grants
        for y in years
        if (g.pk, y) not in budgets
    ]
    Budget.objects.bulk_create(new_budgets)
    budgets |= {(b.incentive_id, b.fiscal_year): b.pk for b in new_budgets}

    applicants = {a.uscc: a.pk for a in Applicant.objects.all()}
    wanted = range(first // combos, (last - 1) // combos + 1)
    missing = [
        Applicant(kind="organisation", name=f"基准测试制造有限公司{i}", uscc=f"B{i:017d}", city=cities[i % len(cities)])
        for i in wanted
        if f"B{i:017d}" not in applicants
    ]
    Applicant.objects.bulk_create(missing, batch_size=5000)
    applicants |= {a.uscc: a.pk for a in missing}

    step = 5000
    for start in range(first, last, step):
        stop = min(start + step, last)
        batch = DisbursementBatch.objects.create(number=f"BENCH-{start:08d}", status="closed", created_by=user)
        applications = []
        for i in range(start, stop):
            grant, year = grants[i % len(grants)], years[(i // len(grants)) % len(years)]
            applications.append(
                Application(
                    applicant_id=applicants[f"B{i // combos:017d}"],
                    incentive=grant,
                    fiscal_year=year,
                    status=Status.PAID,
                    reference=f"QB-{year}-{grant.measure_id:02d}-{i:07d}",
                    created_by=user,
                )
            )
        Application.objects.bulk_create(applications)
        awards = [
            Award(
                application=a,
                budget_id=budgets[(a.incentive_id, a.fiscal_year)],
                amount=Decimal(100000 + (i % 97) * 1000),
                ceiling=Decimal(100000 + (i % 97) * 1000),
                status="paid",
            )
            for i, a in zip(range(start, stop), applications, strict=True)
        ]
        Award.objects.bulk_create(awards)
        Payment.objects.bulk_create(
            Payment(
                batch=batch,
                award=award,
                reference=f"PAY-{i:08d}",
                amount=award.amount,
                payee_name=f"基准测试制造有限公司{i // combos}",
                bank_name="中国工商银行广州天河支行",
                account_number="6222020200112233445",
                status="paid",
                paid_on=today,
                bank_reference=f"BR{i:010d}",
            )
            for i, award in zip(range(start, stop), awards, strict=True)
        )


def csv_export() -> int:
    from reports.exports import REPORTS, export_response
    from reports.scope import ReportScope

    response = export_response(REPORTS["ledger"], "csv", ReportScope("administrator"), None)
    size = 0
    for chunk in response.streaming_content:  # what the WSGI server sends, block by block
        size += len(chunk)
    response.close()
    return size


def xlsx_export() -> int:
    from reports.exports import REPORTS, write_xlsx
    from reports.scope import ReportScope

    with tempfile.TemporaryFile() as scratch:
        write_xlsx(scratch, REPORTS["ledger"], ReportScope("administrator"), None)
        return scratch.tell()


def measure(run: Callable[[], int]) -> tuple[float, float, int]:
    """(seconds, peak MiB allocated by Python during the run, bytes written)."""
    gc.collect()
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="ledger rows (payments) at the end")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from disbursement.models import Payment

    scratch_dir = tempfile.mkdtemp(prefix="bench-exports-")
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch_dir) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    print(f"creating a throwaway {connection.vendor} database (migrations, catalog)…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{'rows':>8}  {'export':<6}  {'seconds':>8}  {'peak MiB':>9}  {'file MiB':>9}")
        loaded = 0
        for rows in sorted({max(args.rows // 10, 1), max(args.rows // 2, 1), args.rows}):
            started = time.perf_counter()
            seed(loaded, rows)
            loaded = rows
            assert Payment.objects.count() == rows
            print(f"  (loaded {rows:,} ledger rows in {time.perf_counter() - started:.1f} s)", flush=True)
            for name, run in (("csv", csv_export), ("xlsx", xlsx_export)):
                seconds, peak, size = measure(run)
                print(f"{rows:>8,}  {name:<6}  {seconds:>8.2f}  {peak:>9.2f}  {size / 2**20:>9.2f}", flush=True)
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak resident memory (everything above, seeding included): {maxrss:.0f} MiB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
