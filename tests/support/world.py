"""One populated portal for the suite-wide tables (tests/test_authorization_table.py, tests/test_api_contract.py):
the demo world (`manage.py demo_data`: applications in every state, announcements, batches, recoveries,
a proactive list, targets) plus what the demo leaves out (a credit-list entry, a notice, an export job
and a bank-results job), and an API token for each persona.

Built once per test module, inside a transaction that is rolled back when the module ends, because the
demo takes about a second and a half; each test still runs in its own savepoint (pytest-django's `db`),
so whatever one test changes the next never sees.

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker, tmp_path_factory): yield from build_world(...)

    @pytest.fixture(autouse=True)
    def _private_media_in_a_temporary_directory(settings, world): settings.MEDIA_ROOT = world.media_root
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Applicant, ApplicantQualification, User
from announcements.models import Announcement, Objection
from applications.models import Application, ApplicationDocument, Notice, Status
from applications.notices import issue_notice
from audit.models import AuditEvent
from credit.models import CreditListEntry
from disbursement.models import DisbursementBatch, Payment, ResultsJob
from measures.models import Incentive
from measures.vocabulary import ApplicantType
from proactive.models import ProactiveList
from recovery.models import Recovery
from reports.models import ExportJob, TargetProgress
from reports.services import export_job_create, export_job_run
from tests.factories import ApplicationFactory, make_uscc
from tests.support.auth import api_key

# Who asks: None is an anonymous visitor. The applicant owns the demo's applications; the other
# applicant (a person) owns none of them; the officials are miit's, where most demo claims go.
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "applicant": "demo-enterprise",
    "other_applicant": "demo-individual",
    "handler": "demo-handler-miit",
    "approver": "demo-approver-miit",
    "finance": "demo-finance",
    "administrator": "admin",
}


@dataclass
class World:
    media_root: Path
    users: dict[str, User | None]
    tokens: dict[str, str | None]
    # Real values for URL parameters, by what they name.
    ids: dict[str, Any] = field(default_factory=dict)

    def headers(self, persona: str) -> dict[str, str]:
        token = self.tokens[persona]
        return {"Authorization": f"Token {token}"} if token else {}


def build_world(django_db_blocker: Any, media_root: Path) -> Iterator[World]:
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        cache.clear()
        call_command("demo_data", "--json", stdout=_Discard())
        yield _world(media_root)
        transaction.set_rollback(True)


class _Discard:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _world(media_root: Path) -> World:
    users = {name: (User.objects.get(username=username) if username else None) for name, username in PERSONAS.items()}
    tokens = {name: (api_key(user) if user else None) for name, user in users.items()}
    applicant = users["applicant"]
    assert applicant is not None and applicant.applicant is not None
    own = Application.objects.filter(applicant=applicant.applicant)
    administrator = users["administrator"]
    assert administrator is not None

    CreditListEntry.objects.create(
        uscc=make_uscc(990001),
        name="失信示例有限公司",
        list_name="严重失信主体名单",
        listed_on=dt.date.today() - dt.timedelta(days=30),
        source="manual",
        added_by=administrator,
    )
    accepted = own.exclude(status__in=[Status.DRAFT, Status.SUBMITTED]).filter(reference__isnull=False).first()
    assert accepted is not None
    event = AuditEvent.objects.filter(object_type="applications.application", object_id=str(accepted.pk)).last()
    assert event is not None
    notice = issue_notice(application_id=accepted.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=event.sequence)
    export = export_job_run(job_id=export_job_create(actor=administrator, report="ledger", fmt="csv").pk)
    batch = DisbursementBatch.objects.order_by("pk").last()
    assert batch is not None
    results_job = ResultsJob.objects.create(batch=batch, file_name="results.csv", requested_by=users["finance"])
    draft = own.filter(status=Status.DRAFT).first() or ApplicationFactory(
        created_by=applicant,
        incentive=Incentive.objects.filter(applicant_type=ApplicantType.ORGANISATION)
        .exclude(pk__in=own.values("incentive"))
        .first(),
    )
    document = ApplicationDocument.objects.filter(application__in=own, application__reference__isnull=False).first()
    assert document is not None
    announcement = Announcement.objects.order_by("pk").first()
    objection = Objection.objects.order_by("pk").first()
    recovery = Recovery.objects.order_by("pk").first()
    payment = Payment.objects.filter(batch=batch).first()
    qualification = ApplicantQualification.objects.filter(applicant=applicant.applicant).first()
    progress = TargetProgress.objects.select_related("target").first()
    assert announcement and objection and recovery and payment and qualification and progress
    proactive_list = ProactiveList.objects.first()
    assert proactive_list is not None
    offer = own.filter(proactive_row__isnull=False, reference__isnull=False).first()
    return World(
        media_root=media_root,
        users=users,
        tokens=tokens,
        ids={
            "application": accepted,
            "draft": draft,
            "document": document,
            "notice": notice,
            "export": export,
            "batch": batch,
            "results_job": results_job,
            "payment": payment,
            "announcement": announcement,
            "objection": objection,
            "recovery": recovery,
            "qualification": qualification,
            "target": progress.target,
            "proactive_list": proactive_list,
            "offer": offer,
            "credit_entry": CreditListEntry.objects.order_by("pk").first(),
            "applicants": Applicant.objects.count(),
            "export_job": ExportJob.objects.get(pk=export.pk),
        },
    )
