"""Reference numbers under concurrent submissions: unique and without gaps (PostgreSQL row locks)."""

import re
import threading

import pytest
from django.db import connection

from applications.models import Application
from applications.services import application_submit
from measures.models import Incentive
from tests.factories import EnterpriseUserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "claim": {"summary": "主导制定国际标准", "certificate_number": "CQA-2025-001", "award_date": "2025-09-01"},
    "contact": {"contact_name": "王五", "contact_phone": "13800000000"},
}


def test_concurrent_submissions_get_unique_gapless_references() -> None:
    incentive = Incentive.objects.get(code="m17-china-quality-award-org")
    incentive.required_documents.update(is_mandatory=False)
    drafts = []
    for _ in range(12):
        user = EnterpriseUserFactory()
        drafts.append(
            (
                user,
                Application.objects.create(
                    applicant=user.applicant, incentive=incentive, fiscal_year=2026, data=ANSWERS, created_by=user
                ),
            )
        )
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(user, application) -> None:
        try:
            barrier.wait(timeout=30)
            application_submit(actor=user, application=application, credit_commitment=True)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    references = sorted(Application.objects.filter(incentive=incentive).values_list("reference", flat=True))
    assert all(re.fullmatch(r"QB-2026-17-\d{6}", r) for r in references)
    assert [int(r[-6:]) for r in references] == list(range(1, 13))
