"""How long one notice takes and how large its PDF is.

    .venv/bin/python bench/notices.py [N]        (N acceptance notices, default 20)

Builds N submitted applications in a throwaway test database (in memory on SQLite, or a test
database beside DATABASE_URL's), issues their acceptance notices one after another through
applications.notices.issue_notice (the Celery task's body: template, WeasyPrint, file, row) into
a temporary media directory, and prints seconds per notice and the PDF size. The first notice
is a warm-up (imports, font discovery) and is reported apart.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(n: int) -> list[tuple[int, int]]:
    from accounts.models import OfficialRole, User
    from applications.models import Application, Status
    from audit.services import audit_record
    from tests.factories import EnterpriseUserFactory, incentive_by_code

    incentive = incentive_by_code("m17-china-quality-award-org")
    handler = User.objects.create_user(
        username="bench-handler", official_role=OfficialRole.HANDLER, department=incentive.handling_department
    )
    year = timezone.localdate().year
    made = []
    for i in range(n):
        user = EnterpriseUserFactory()
        application = Application.objects.create(
            applicant=user.applicant,
            created_by=user,
            incentive=incentive,
            fiscal_year=year,
            status=Status.ACCEPTED,
            reference=f"QB-{year}-17-{i + 1:06d}",
            submitted_at=timezone.now(),
            stage_due_on=timezone.localdate(),
        )
        event = audit_record(
            actor=handler,
            action="application.accept",
            obj=application,
            before={"status": Status.SUBMITTED},
            after={"status": Status.ACCEPTED, "stage_due_on": application.stage_due_on},
        )
        made.append((application.pk, event.sequence))
    return made


def pages(path: str) -> str:
    try:
        info = subprocess.run(["pdfinfo", path], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            from applications import notices
            from applications.models import Notice
            from applications.notices import issue_notice

            rendering: list[float] = []
            render_pdf = notices.render_pdf

            def timed_render_pdf(html: str, **kwargs: object) -> bytes:
                started = time.perf_counter()
                try:
                    return render_pdf(html, **kwargs)
                finally:
                    rendering.append(time.perf_counter() - started)

            notices.render_pdf = timed_render_pdf

            targets = build(n + 1)
            started = time.perf_counter()
            first = issue_notice(
                application_id=targets[0][0], kind=Notice.Kind.ACCEPTANCE, event_sequence=targets[0][1]
            )
            warm_up = time.perf_counter() - started
            times, cpu_times, sizes = [], [], []
            for application_id, sequence in targets[1:]:
                started, cpu_started = time.perf_counter(), time.process_time()
                notice = issue_notice(
                    application_id=application_id, kind=Notice.Kind.ACCEPTANCE, event_sequence=sequence
                )
                times.append(time.perf_counter() - started)
                cpu_times.append(time.process_time() - cpu_started)
                sizes.append(notice.pdf.size)
            print(f"acceptance notices: {n} (+1 warm-up: {warm_up:.2f} s), {pages(first.pdf.path)} page(s) each")
            print(
                f"seconds per notice: mean {statistics.mean(times):.3f}, median {statistics.median(times):.3f}, "
                f"min {min(times):.3f}, max {max(times):.3f}  ({n / sum(times):.1f} notices/s in one process)"
            )
            print(
                f"CPU seconds per notice: mean {statistics.mean(cpu_times):.3f}, "
                f"median {statistics.median(cpu_times):.3f}"
                f" (wall time grows when other processes share the cores; load average {os.getloadavg()[0]:.1f}"
                f" on {os.cpu_count()} cores)"
            )
            print(f"of which WeasyPrint (HTML to PDF): mean {statistics.mean(rendering[1:]):.3f} s")
            print(f"PDF size: mean {statistics.mean(sizes) / 1024:.0f} KiB (min {min(sizes)}, max {max(sizes)} bytes)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
