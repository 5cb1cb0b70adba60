"""Two workers issuing the same notice at the same moment (a duplicated task): the unique
constraint lets one insert; the other returns that notice and keeps no file of its own."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from applications import notices
from applications.models import Notice
from applications.notices import issue_notice
from tests.notices.conftest import application_for_notice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_make_one_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    application, event = application_for_notice(Notice.Kind.ACCEPTANCE)
    rendered: list[int] = []
    render_pdf = notices.render_pdf

    def counting_render_pdf(html: str, **kwargs: object) -> bytes:
        rendered.append(1)
        return render_pdf(html, **kwargs)

    monkeypatch.setattr(notices, "render_pdf", counting_render_pdf)
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            notice = issue_notice(
                application_id=application.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=event.sequence
            )
            results.append(notice.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(rendered) >= 2, "the runs did not overlap: nothing was proved"
    assert len(results) == workers and len(set(results)) == 1
    notice = Notice.objects.get()
    assert sorted(Path(settings.MEDIA_ROOT).glob("notices/**/*.pdf")) == [Path(notice.pdf.path)]
