"""Formal documents carry a department's full name (广东省市场监督管理局), pages its short one (省市场监管局)."""

import re

import pytest

from applications.models import Notice
from applications.notices import issue_notice
from measures.catalog_loader import load_catalog
from measures.models import Department
from tests.notices.conftest import application_for_notice, pdftotext

pytestmark = pytest.mark.django_db

STANDARDS = "m15-international-standard-lead"  # handled by amr


def test_every_catalog_department_has_a_full_name_for_formal_documents() -> None:
    amr = Department.objects.get(code="amr")
    assert (amr.name, amr.full_name, amr.formal_name) == (
        "省市场监管局",
        "广东省市场监督管理局",
        "广东省市场监督管理局",
    )
    missing = Department.objects.filter(full_name="", is_generic=False)
    assert not missing.exists(), list(missing.values_list("code", flat=True))


def test_a_notice_names_the_market_regulator_in_full() -> None:
    application, event = application_for_notice(Notice.Kind.ACCEPTANCE, incentive_code=STANDARDS)
    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=event.sequence)
    flat = re.sub(r"\s+", "", pdftotext(notice.pdf.path))
    assert "广东省市场监督管理局" in flat
    assert "市场监管局" not in flat
    assert notice.department_name == notice.essentials["department"] == "广东省市场监督管理局"


def test_without_a_full_name_the_province_goes_in_front_of_the_short_name() -> None:
    Department.objects.filter(code="amr").update(full_name="")
    assert Department.objects.get(code="amr").formal_name == "广东省市场监管局"
    assert Department(name="国家税务总局广东省税务局").formal_name == "国家税务总局广东省税务局"


def test_the_catalog_fills_an_empty_full_name_and_keeps_an_edited_one() -> None:
    Department.objects.filter(code="amr").update(full_name="")
    Department.objects.filter(code="miit").update(full_name="广东省工业和信息化厅（编辑）")
    load_catalog()
    assert Department.objects.get(code="amr").full_name == "广东省市场监督管理局"
    assert Department.objects.get(code="miit").full_name == "广东省工业和信息化厅（编辑）"
