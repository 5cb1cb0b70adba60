"""The catalog API: shapes as in API.md, filters, errors, languages, query counts, the schema."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from measures.models import AmountParameter, Department, Incentive, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_measure_nests_chapter_departments_lead_first_incentives_and_targets(api: APIClient) -> None:
    response = api.get("/api/v1/measures/17/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 17
    assert body["title"] == "支持企业打造卓越质量品牌"
    assert body["chapter"]["number"] == 4
    assert [d["name"] for d in body["departments"]] == ["省工业和信息化厅", "省市场监管局"]
    assert [d["is_lead"] for d in body["departments"]] == [True, False]
    amounts = {i["code"]: i["amount_parameters"][0]["value"] for i in body["incentives"] if i["kind"] == "fixed_grant"}
    assert amounts["m17-china-quality-award-org"] == "3000000.00"
    award = next(i for i in body["incentives"] if i["code"] == "m17-china-quality-award-org")
    assert award["estimate"]["amount"] == "3000000.00"
    assert award["criteria"][0]["rule"] == "qualification_any"
    assert award["handling_department"]["code"]
    assert body["targets"] == [] or {"code", "quantity", "unit"} <= set(body["targets"][0])


def test_measures_list_is_paginated_and_complete(api: APIClient) -> None:
    body = api.get("/api/v1/measures/?page_size=200").json()
    assert body["count"] == 31
    assert [m["number"] for m in body["results"]] == list(range(1, 32))
    assert body["next"] is None and body["previous"] is None
    page = api.get("/api/v1/measures/?page_size=10&page=2").json()
    assert [m["number"] for m in page["results"]] == list(range(11, 21))


def test_measure_search_in_chinese_and_english(api: APIClient) -> None:
    chinese = api.get("/api/v1/measures/", {"q": "国际标准"}).json()
    assert 15 in [m["number"] for m in chinese["results"]]
    english = api.get("/api/v1/measures/", {"q": "quality award"}).json()
    assert 17 in [m["number"] for m in english["results"]]
    assert 1 not in [m["number"] for m in english["results"]]


def test_measure_filters_by_department_kind_and_applicant(api: APIClient) -> None:
    financing = api.get("/api/v1/measures/", {"kind": "financing"}).json()
    assert 11 in [m["number"] for m in financing["results"]]
    assert 17 not in [m["number"] for m in financing["results"]]
    individuals = [
        m["number"] for m in api.get("/api/v1/measures/", {"applicant_type": "individual"}).json()["results"]
    ]
    assert 17 in individuals and 15 not in individuals
    hr = Department.objects.get(name="省人力资源社会保障厅")
    numbers = [m["number"] for m in api.get("/api/v1/measures/", {"department": hr.code}).json()["results"]]
    assert numbers == sorted(Measure.objects.filter(departments=hr).values_list("number", flat=True))


def test_an_unknown_filter_value_is_a_400_in_the_documented_shape(api: APIClient) -> None:
    response = api.get("/api/v1/measures/", {"kind": "lottery"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "kind" in body["errors"]


def test_not_found_follows_the_error_format_in_the_request_language(api: APIClient) -> None:
    english = api.get("/api/v1/measures/99/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert english.json()["code"] == "not_found"
    assert english.json()["detail"].isascii()
    assert english.json()["errors"] == {}
    chinese = api.get("/api/v1/incentives/no-such-thing/")
    assert chinese.status_code == 404
    assert chinese.json()["code"] == "not_found"
    assert not chinese.json()["detail"].isascii()


def test_incentive_detail_and_filters(api: APIClient) -> None:
    body = api.get("/api/v1/incentives/m17-china-quality-award-ind/").json()
    assert body["applicant_type"] == "individual"
    assert body["estimate"]["amount"] == "1000000.00"
    per_unit = api.get("/api/v1/incentives/", {"kind": "per_unit_grant", "measure": 15}).json()["results"]
    assert per_unit and per_unit[0]["amount_parameters"] == [
        {
            "key": "unit_cap",
            "value": "500000.00",
            "valid_from": "2023-01-01",
            "valid_to": None,
            "note": per_unit[0]["amount_parameters"][0]["note"],
            "note_en": per_unit[0]["amount_parameters"][0]["note_en"],
        }
    ]


def test_amounts_in_force_follow_the_date_of_the_request(api: APIClient) -> None:
    incentive = Incentive.objects.get(code="m17-china-quality-award-org")
    AmountParameter.objects.create(
        incentive=incentive, key="amount", value=Decimal("3500000"), valid_from=dt.date(2099, 1, 1)
    )
    body = api.get("/api/v1/incentives/m17-china-quality-award-org/").json()
    assert [p["value"] for p in body["amount_parameters"]] == ["3000000.00"]


def test_departments_list(api: APIClient) -> None:
    body = api.get("/api/v1/departments/?page_size=200").json()
    names = [d["name"] for d in body["results"]]
    assert "省市场监管局" in names and "省有关行业主管部门" in names
    assert body["count"] == Department.objects.count()


def test_responses_follow_accept_language(api: APIClient) -> None:
    english = api.get("/api/v1/incentives/m17-china-quality-award-org/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api.get("/api/v1/incentives/m17-china-quality-award-org/").json()
    assert english["kind_display"] == "Fixed grant"
    assert chinese["kind_display"] != "Fixed grant"
    assert english["estimate"]["trace"] != chinese["estimate"]["trace"]


def _count_queries(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def _grow_catalog() -> None:
    """Ten more incentives, with parameters and criteria, spread over existing measures."""
    department = Department.objects.first()
    for n in range(10):
        incentive = Incentive.objects.create(
            code=f"extra-{n}",
            measure=Measure.objects.get(number=n + 1),
            name=f"附加事项{n}",
            kind=Incentive.Kind.FIXED_GRANT,
            handling_department=department,
        )
        AmountParameter.objects.create(
            incentive=incentive, key="amount", value=1000 + n, valid_from=dt.date(2023, 1, 1)
        )
        incentive.criteria.create(rule="size_in", params={"sizes": ["small"]})


@pytest.mark.parametrize(
    "url",
    ["/api/v1/measures/?page_size=200", "/api/v1/incentives/?page_size=200", "/api/v1/departments/?page_size=200"],
)
def test_list_endpoints_use_a_fixed_number_of_queries(api: APIClient, url: str) -> None:
    before = _count_queries(api, url)
    _grow_catalog()
    assert _count_queries(api, url) == before
    assert before <= 10


def test_measure_list_query_count_is_exact(api: APIClient, django_assert_num_queries) -> None:
    # count + measures(+chapter) + responsibilities + targets + incentives + parameters + criteria + documents
    with django_assert_num_queries(8):
        api.get("/api/v1/measures/?page_size=200")


def test_schema_documents_errors_and_docs_load_no_cdn(api: APIClient) -> None:
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    detail = paths["/api/v1/measures/{number}/"]["get"]["responses"]
    assert {"200", "404"} <= set(detail)
    assert "ErrorResponse" in str(detail["404"]) or "Error" in str(detail["404"])
    assert "/api/v1/incentives/{code}/" in paths
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html
