"""/verify/<code>/ and /api/v1/verify/<code>/: anyone holding a copy can check it is genuine."""

import os
from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from applications.models import Notice
from applications.notices import issue_notice
from applications.verify import VerifyRateThrottle
from tests.factories import IndividualUserFactory
from tests.notices.conftest import IND_AWARD, application_for_notice

pytestmark = pytest.mark.django_db

UNKNOWN = "ABCDEFGHJKMN"


def issued(kind: str = Notice.Kind.DECISION_SUPPORT, **kwargs: object) -> Notice:
    application, event = application_for_notice(kind, **kwargs)  # type: ignore[arg-type]
    return issue_notice(application_id=application.pk, kind=kind, event_sequence=event.sequence)


@pytest.fixture
def page() -> Callable[[str], Client]:
    return lambda language="en": Client(HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def api() -> Callable[[str], APIClient]:
    return lambda language="en": APIClient(HTTP_ACCEPT_LANGUAGE=language)


def test_the_page_shows_the_essentials_and_says_genuine(page: Callable[..., Client]) -> None:
    notice = issued()
    response = page().get(f"/verify/{notice.verification_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This notice is genuine" in html
    assert notice.number in html
    assert "Decision notice: supported" in html
    assert "Guangdong Administration for Market Regulation" in html  # English name for English readers
    assert notice.essentials["applicant_name"] in html
    assert notice.essentials["applicant_identifier"] in html
    assert "China Quality Award" in html or notice.essentials["incentive"] in html
    assert notice.essentials["reference"] in html
    assert "3,000,000.00" in html
    assert notice.essentials["date"] in html
    assert notice.essentials["pdf_sha256"] in html


def test_the_page_in_chinese_shows_the_chinese_names(page: Callable[..., Client]) -> None:
    notice = issued()
    html = page("zh-hans").get(f"/verify/{notice.verification_code}/").content.decode()
    assert "支持决定通知书" in html
    assert "广东省市场监督管理局" in html
    assert "中国质量奖获奖组织质量工作资助金" in html


def test_an_individuals_resident_id_is_shown_masked(page: Callable[..., Client], api: Callable[..., APIClient]) -> None:
    person = IndividualUserFactory()
    notice = issued(user=person, incentive_code=IND_AWARD)
    resident_id = person.applicant.resident_id
    masked = resident_id[:6] + "********" + resident_id[-4:]
    html = page().get(f"/verify/{notice.verification_code}/").content.decode()
    body = api().get(f"/api/v1/verify/{notice.verification_code}/").content.decode()
    for shown in (html, body):
        assert masked in shown
        assert resident_id not in shown


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "{hyphenated}", "{fullwidth}"])
def test_the_code_is_case_insensitive_and_tolerates_spaces(page: Callable[..., Client], typed: str) -> None:
    notice = issued(Notice.Kind.ACCEPTANCE)
    code = notice.verification_code
    variants = {
        "code": code,
        "lower": code.lower(),
        "spaced": f" {code[:4]} {code[4:8]} {code[8:]} ",
        "hyphenated": f"{code[:4]}-{code[4:8]}-{code[8:]}",
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in code.lower()),
    }
    response = page().get("/verify/", {"code": typed.format(**variants)})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}/"
    assert page().get(f"/verify/{variants[typed.strip('{}')]}/").status_code == 200


def test_the_form_explains_a_malformed_or_empty_code(page: Callable[..., Client]) -> None:
    assert page().get("/verify/").status_code == 200
    response = page().get("/verify/", {"code": "12345"})
    assert response.status_code == 400
    assert "A verification code has 12 letters and digits" in response.content.decode()
    response = page().get("/verify/", {"code": "  "})
    assert response.status_code == 400
    assert "Enter the verification code" in response.content.decode()


@pytest.mark.parametrize("code", [UNKNOWN, "not-a-code", "0000000000000"])
def test_an_unknown_code_is_a_404_page_in_the_users_language(page: Callable[..., Client], code: str) -> None:
    issued(Notice.Kind.ACCEPTANCE)
    response = page().get(f"/verify/{code}/")
    assert response.status_code == 404
    assert "No notice has this verification code." in response.content.decode()


def test_the_api_returns_the_essentials(api: Callable[..., APIClient]) -> None:
    notice = issued()
    response = api().get(f"/api/v1/verify/{notice.verification_code.lower()}/")
    assert response.status_code == 200
    data = response.json()
    assert data["genuine"] is True
    assert data["number"] == notice.number
    assert data["kind"] == "decision_support"
    assert data["title"] == "Decision notice: supported"
    assert data["department"].startswith("Guangdong Administration for Market Regulation")
    assert data["applicant_name"] == notice.essentials["applicant_name"]
    assert data["reference"] == notice.essentials["reference"]
    assert data["amount"] == "3000000.00"
    assert data["date"] == notice.essentials["date"]
    assert data["measure_number"] == 17
    assert data["pdf_sha256"] == notice.essentials["pdf_sha256"]
    assert "reasons" not in data and "supplement_items" not in data
    chinese = api("zh-hans").get(f"/api/v1/verify/{notice.verification_code}/").json()
    assert chinese["title"] == "支持决定通知书"
    assert chinese["department"] == "广东省市场监督管理局"


def test_the_api_shows_no_amount_where_none_applies(api: Callable[..., APIClient]) -> None:
    notice = issued(Notice.Kind.SUPPLEMENT)
    data = api().get(f"/api/v1/verify/{notice.verification_code}/").json()
    assert data["amount"] is None
    assert data["supplement_deadline"] == notice.essentials["supplement_deadline"]


def test_an_unknown_code_is_a_404_in_the_api_error_format(api: Callable[..., APIClient]) -> None:
    response = api().get(f"/api/v1/verify/{UNKNOWN}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No notice has this verification code.", "code": "not_found", "errors": {}}


def test_lookups_are_throttled_per_address_for_page_and_api_together(
    monkeypatch: pytest.MonkeyPatch, page: Callable[..., Client], api: Callable[..., APIClient]
) -> None:
    monkeypatch.setattr(VerifyRateThrottle, "rate", "3/min")
    notice = issued(Notice.Kind.ACCEPTANCE)
    url = f"/verify/{notice.verification_code}/"
    assert page().get(url).status_code == 200
    assert api().get(f"/api/v1{url}").status_code == 200
    assert api().get(f"/api/v1/verify/{UNKNOWN}/").status_code == 404
    refused = api().get(f"/api/v1{url}")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    refused_page = page().get(url)
    assert refused_page.status_code == 429
    assert int(refused_page["Retry-After"]) > 0
    # Another address has its own allowance.
    assert Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.9").get(url).status_code == 200


def test_the_api_is_in_the_schema(api: Callable[..., APIClient]) -> None:
    schema = api().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/verify/{code}/"]["get"]
    assert {"200", "404", "429"} <= set(operation["responses"])


def test_a_forged_forwarded_for_header_opens_no_new_allowance(
    monkeypatch: pytest.MonkeyPatch, api: Callable[..., APIClient]
) -> None:
    monkeypatch.setattr(VerifyRateThrottle, "rate", "2/min")
    url = f"/api/v1/verify/{UNKNOWN}/"
    for n in range(2):
        assert api().get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 404
    # No proxy is configured (NUM_PROXIES unset): the header is the client's own claim, ignored.
    assert api().get(url, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_the_trusted_proxies_come_from_the_environment() -> None:
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    for value, expected in (("1", "1"), ("", "None")):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "NUM_PROXIES": value}
        found = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
        )
        assert found.stdout.strip() == expected, found.stderr
