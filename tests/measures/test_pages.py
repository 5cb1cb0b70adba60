"""Catalog pages in both languages, search and filters, and query counts that do not grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from measures.models import AmountParameter, Department, Incentive, Measure

pytestmark = pytest.mark.django_db


def get(client: Client, url: str, language: str = "zh-hans", **params: str) -> str:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_catalog_lists_every_chapter_and_measure_in_chinese_by_default(client: Client) -> None:
    html = get(client, "/")
    assert '<html lang="zh-Hans">' in html
    assert "广东省全面提升制造业质量品牌水平的若干政策措施" in html
    for measure in Measure.objects.all():
        assert f"{measure.number}. {measure.title}" in html
    assert "31 项措施" in html or "31" in html
    assert "政策目录" in html  # the navigation, translated


def test_catalog_in_english(client: Client) -> None:
    html = get(client, "/", language="en")
    assert '<html lang="en">' in html
    assert "Policy catalog" in html
    assert Measure.objects.get(number=17).title_en in html
    assert "31 measures" in html


def test_catalog_search_in_chinese_and_english(client: Client) -> None:
    html = get(client, "/", q="粤品融")
    assert "11. 提供制造业质量增信支持" in html
    assert "17. " not in html
    html = get(client, "/", language="en", q="international standard")
    assert Measure.objects.get(number=15).title_en in html


def test_catalog_filters(client: Client) -> None:
    html = get(client, "/", kind="per_unit_grant")
    assert "15. 支持企业参与国际标准化活动" in html
    assert "1. 支持制造业知识产权创造运用" not in html
    hr = Department.objects.get(name="省人力资源社会保障厅")
    html = get(client, "/", department=hr.code)
    assert "30. 建立职称评审“快捷通道”" in html
    assert "11. 提供制造业质量增信支持" not in html


def test_a_bad_filter_value_is_explained_and_not_a_500(client: Client) -> None:
    html = get(client, "/", kind="lottery")
    assert "error-summary" in html


def test_no_result_says_so(client: Client) -> None:
    html = get(client, "/", q="不存在的关键词xyz")
    assert "没有符合条件的措施" in html


def test_measure_page_shows_text_departments_lead_incentives_amounts_and_targets(client: Client) -> None:
    measure = Measure.objects.get(number=15)
    html = get(client, "/measures/15/")
    assert measure.text in html
    assert "牵头单位" in html
    assert "500,000.00" in html
    target = measure.targets.first()
    assert target is not None and target.description in html
    english = get(client, "/measures/15/", language="en")
    assert measure.summary_en in english
    assert "lead department" in english
    assert "500,000.00" in english


def test_an_incentive_without_a_figure_says_the_department_sets_it(client: Client) -> None:
    html = get(client, "/measures/19/")
    assert "金额由主管部门确定" in html
    assert "Amount set by the department" in get(client, "/measures/19/", language="en")


def test_department_page_lists_measures_and_incentives(client: Client) -> None:
    department = Department.objects.get(name="省市场监管局")
    html = get(client, f"/departments/{department.code}/")
    for number in department.measures.values_list("number", flat=True):
        assert f"/measures/{number}/" in html
    for incentive in department.handled_incentives.all():
        assert incentive.name in html


def test_unknown_measure_and_department_are_404(client: Client) -> None:
    assert client.get("/measures/32/").status_code == 404
    assert client.get("/departments/nobody/").status_code == 404


def test_language_switch_sets_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/measures/17/"})
    assert response.status_code == 302
    assert "Responsible departments" in client.get("/measures/17/").content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("url", ["/", "/?q=质量", "/measures/17/", "/departments/amr/", "/departments/"])
def test_pages_use_a_fixed_number_of_queries(client: Client, url: str) -> None:
    before = _queries(client, url)
    department = Department.objects.get(code="amr")
    for n in range(8):
        incentive = Incentive.objects.create(
            code=f"more-{n}",
            measure=Measure.objects.get(number=17 if n % 2 else n + 1),
            name=f"质量附加事项{n}",
            kind=Incentive.Kind.FIXED_GRANT,
            handling_department=department,
        )
        AmountParameter.objects.create(incentive=incentive, key="amount", value=10 + n, valid_from=dt.date(2023, 1, 1))
        incentive.criteria.create(rule="size_in", params={"sizes": ["small"]})
        incentive.required_documents.create(name="证明材料")
    assert _queries(client, url) == before


def test_healthz(client: Client) -> None:
    assert client.get("/healthz/").json() == {"status": "ok"}
