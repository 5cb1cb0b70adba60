"""The summary report as a PDF with charts: its text holds the Chinese department names and the
amounts, a CJK font is embedded, and WeasyPrint fetches nothing from outside the portal."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from awards.models import Award
from portal.pdf import render_pdf, static_files_only_fetcher
from reports.exports import REPORTS, summary_context
from reports.scope import ReportScope
from tests.support.reports import AMR_GRANT, MIIT_GRANT, award_at, finance, official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def awards() -> list[Award]:
    return [
        award_at("paid", code=MIIT_GRANT, amount="3000000", city="guangzhou"),
        award_at("final", code=MIIT_GRANT, amount="3000000", city="shenzhen"),
        award_at("paid", code=AMR_GRANT, amount="1500000", city="foshan"),
    ]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout


def test_summary_pdf_holds_chinese_names_amounts_and_an_embedded_cjk_font(awards: list[Award], tmp_path: Path) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(finance())
    response = client.get("/reports/download/summary/?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)
    text = re.sub(r"[ \t]+", " ", pdf_text(pdf))
    assert "省工业和信息化厅" in text and "省市场监管局" in text
    assert "小巨人" in text  # an incentive's name
    assert "广州" in text or "Guangzhou" in text
    assert "7,500,000.00" in text  # committed and paid, all departments
    assert "4,500,000.00" in text  # paid
    assert "3,000,000.00" in text  # committed
    fonts = pdf_fonts(pdf)
    cjk = [line for line in fonts.splitlines() if re.search(r"CJK|WenQuanYi|wqy", line, re.IGNORECASE)]
    assert cjk, fonts
    # pdffonts columns: name type encoding emb sub uni object ID; "emb" must be yes.
    assert any(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", line) for line in cjk), fonts


def test_summary_pdf_for_a_department_shows_only_its_figures(tmp_path: Path, awards: list[Award]) -> None:
    amr = official("amr-handler", "handler", "amr")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(amr)
    response = client.get("/api/v1/reports/by-department/?format=pdf")
    assert response.status_code == 200
    pdf = tmp_path / "amr.pdf"
    pdf.write_bytes(response.content)
    text = pdf_text(pdf)
    assert "省市场监管局" in text and "1,500,000.00" in text
    assert "省工业和信息化厅" not in text


def test_the_pdf_charts_are_inline_svg_and_nothing_is_fetched(awards: list[Award]) -> None:
    context = summary_context(REPORTS["summary"], ReportScope("administrator"), None)
    html = render_to_string("reports/summary_pdf.html", context)
    assert html.count("<svg") == 6  # budgets and five dimensions
    assert "Noto Sans CJK SC" in html and "@page" in html
    fetcher = static_files_only_fetcher()
    render_pdf(html, fetcher=fetcher)
    assert fetcher.fetched == [] and fetcher.refused == []
