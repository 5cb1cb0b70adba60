"""Credit fixtures: English messages, list files built in memory, submitted applications.
The officials (administrator, handler, approver, finance_officer, make_official) are
tests/conftest.py's."""

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import User
from applications.models import Application
from applications.services import application_submit
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory

CHINESE_HEADINGS = ["序号", "统一社会信用代码", "主体名称", "名单名称", "列入日期", "移出日期"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def csv_upload(
    rows: list[list[Any]], headings: list[str] | None = None, name: str = "失信名单.csv"
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings or CHINESE_HEADINGS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def submit_new(user: User | None = None, code: str = FIXED) -> Application:
    """A complete application submitted through the services, with the credit commitment."""
    user = user or EnterpriseUserFactory()
    return application_submit(actor=user, application=complete_draft(user, code), credit_commitment=True)
