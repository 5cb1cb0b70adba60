"""The profile page and /api/v1/me/: the applicant's facts and the user's details."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Applicant, User
from audit.models import AuditEvent
from tests.factories import ApplicantFactory, BankAccountFactory, EnterpriseUserFactory, QualificationFactory

from .conftest import api_as, signed_in

pytestmark = pytest.mark.django_db


def test_profile_page_shows_details_completeness_and_a_labelled_form(
    enterprise_client: Client, enterprise_user: User
) -> None:
    response = enterprise_client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    applicant = enterprise_user.applicant
    assert applicant.name in html and applicant.uscc in html
    assert "% complete" in html and "Last year&#x27;s revenue" in html  # missing, in words
    for name in ("city", "district", "industry", "size", "contact_person", "revenue_cn", "revenue_world", "email"):
        assert f'<label for="id_{name}">' in html
    assert 'name="uscc"' not in html and 'name="name"' not in html  # not editable


def test_profile_page_saves_the_facts_and_records_who_changed_them(
    enterprise_client: Client, enterprise_user: User
) -> None:
    data = {
        "city": "shenzhen",
        "district": "南山区",
        "industry": "39",
        "size": "large",
        "contact_person": "王经理",
        "contact_phone": "0755-1",
        "revenue_year": "2025",
        "revenue_cn": "1250000000.50",
        "revenue_world": "1830000000",
        "display_name": "王经理",
        "email": enterprise_user.email,
    }
    response = enterprise_client.post("/accounts/profile/", data)
    assert response.status_code == 302
    applicant = Applicant.objects.get(pk=enterprise_user.applicant_id)
    assert (applicant.city, applicant.size, applicant.revenue_cn) == ("shenzhen", "large", Decimal("1250000000.50"))
    event = AuditEvent.objects.get(action="applicant.update")
    assert (
        event.actor_id == enterprise_user.pk
        and event.after["city"] == "shenzhen"
        and event.before["city"] == "guangzhou"
    )
    enterprise_user.refresh_from_db()
    assert enterprise_user.display_name == "王经理"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("revenue_cn", "-1"),
        ("revenue_cn", "abc"),
        ("revenue_world", "1.234"),
        ("revenue_year", "1980"),
        ("city", "beijing"),
    ],
)
def test_profile_page_refuses_bad_values_keeping_what_was_typed(
    enterprise_client: Client, enterprise_user: User, field: str, value: str
) -> None:
    data = {"city": "foshan", "district": "顺德区", "email": enterprise_user.email, field: value}
    response = enterprise_client.post("/accounts/profile/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="error-summary" role="alert"' in html and f'href="#id_{field}"' in html
    assert 'value="顺德区"' in html
    if field != "city":
        assert f'value="{value}"' in html
    assert Applicant.objects.get(pk=enterprise_user.applicant_id).district == "天河区"


def test_individual_profile_has_no_enterprise_fields_and_shows_the_id_masked(
    individual_client: Client, individual_user: User
) -> None:
    html = individual_client.get("/accounts/profile/").content.decode()
    number = individual_user.applicant.resident_id
    assert number not in html
    assert number[:6] + "********" + number[-4:] in html
    assert 'name="size"' not in html and 'name="revenue_cn"' not in html and 'name="employer_uscc"' in html


def test_anonymous_visitors_are_sent_to_sign_in(anon: Client) -> None:
    for url in (
        "/accounts/profile/",
        "/accounts/profile/qualifications/",
        "/accounts/profile/bank-account/",
        "/accounts/profile/invite/",
    ):
        response = anon.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url


def test_an_official_without_applicant_gets_404_not_a_500(db: None) -> None:
    official = User.objects.create_user("official", password="x")
    client = signed_in(official)
    assert client.get("/accounts/profile/").status_code == 404
    assert api_as(official).get("/api/v1/me/").status_code == 404


def test_profile_page_queries_do_not_grow_with_qualifications(enterprise_client: Client, enterprise_user: User) -> None:
    QualificationFactory(applicant=enterprise_user.applicant)
    BankAccountFactory(applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as before:
        assert enterprise_client.get("/accounts/profile/").status_code == 200
    QualificationFactory.create_batch(8, applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as after:
        assert enterprise_client.get("/accounts/profile/").status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


# --- API ---------------------------------------------------------------------------------------


def test_me_returns_user_applicant_and_completeness(enterprise_user: User) -> None:
    BankAccountFactory(applicant=enterprise_user.applicant)
    response = api_as(enterprise_user).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == enterprise_user.username and body["user"]["is_applicant_admin"] is True
    assert body["applicant"]["identifier"] == enterprise_user.applicant.uscc
    assert body["applicant"]["revenue_cn"] is None
    assert body["completeness"]["percent"] == 71  # 5 of 7: revenue and a qualification missing
    assert body["completeness"]["missing"] == ["Last year's revenue", "At least one qualification"]


def test_me_never_shows_the_resident_id_unmasked(individual_user: User) -> None:
    response = api_as(individual_user).get("/api/v1/me/")
    number = individual_user.applicant.resident_id
    assert number not in response.content.decode()
    assert response.json()["applicant"]["identifier"] == number[:6] + "********" + number[-4:]


def test_me_patch_changes_the_profile_with_decimal_strings(enterprise_user: User) -> None:
    api = api_as(enterprise_user)
    response = api.patch(
        "/api/v1/me/",
        {
            "applicant": {"revenue_cn": "1250000000.00", "revenue_world": "0", "revenue_year": 2025, "city": "zhuhai"},
            "user": {"display_name": "王经理"},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applicant"]["revenue_cn"] == "1250000000.00" and body["applicant"]["city"] == "zhuhai"
    assert body["user"]["display_name"] == "王经理"
    assert Applicant.objects.get(pk=enterprise_user.applicant_id).revenue_world == Decimal("0")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"applicant": {"revenue_cn": "-5"}}, "revenue_cn"),
        ({"applicant": {"revenue_cn": "1.001"}}, "revenue_cn"),
        ({"applicant": {"revenue_year": 1800}}, "revenue_year"),
        ({"applicant": {"industry": "99"}}, "industry"),
        ({"applicant": {"city": "beijing"}}, "city"),
        ({"applicant": {"uscc": "91440300MA5DKQ8L3X"}}, "uscc"),
        ({"applicant": {"name": "Another name"}}, "name"),
        ({"user": {"email": "not-an-address"}}, "email"),
        ({"user": {"is_applicant_admin": False}}, "is_applicant_admin"),
    ],
)
def test_me_patch_refuses_bad_or_read_only_fields(enterprise_user: User, payload: dict, field: str) -> None:
    before = Applicant.objects.get(pk=enterprise_user.applicant_id)
    response = api_as(enterprise_user).patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors, errors
    after = Applicant.objects.get(pk=enterprise_user.applicant_id)
    assert (after.uscc, after.name, after.city, after.revenue_cn) == (
        before.uscc,
        before.name,
        before.city,
        before.revenue_cn,
    )


def test_me_anonymous_is_401_in_the_portal_error_format(api: object) -> None:
    response = api.get("/api/v1/me/")  # type: ignore[attr-defined]
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and set(response.json()) == {"detail", "code", "errors"}


def test_me_with_a_token(enterprise_user: User, api: object) -> None:
    from tests.support.auth import api_key

    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {api_key(enterprise_user)}")  # type: ignore[attr-defined]
    assert response.status_code == 200


def test_a_colleague_sees_and_edits_the_same_enterprise(enterprise_user: User) -> None:
    colleague = EnterpriseUserFactory(applicant=enterprise_user.applicant, is_applicant_admin=False)
    response = api_as(colleague).patch("/api/v1/me/", {"applicant": {"contact_person": "赵"}}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["is_applicant_admin"] is False
    assert Applicant.objects.get(pk=enterprise_user.applicant_id).contact_person == "赵"


def test_an_individual_cannot_set_enterprise_only_facts_to_an_employer_code(individual_user: User) -> None:
    enterprise = ApplicantFactory()
    response = api_as(individual_user).patch(
        "/api/v1/me/", {"applicant": {"employer_uscc": enterprise.uscc.lower()}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["applicant"]["employer_uscc"] == enterprise.uscc


def test_profile_changes_are_json_only(enterprise_user: User) -> None:
    """A form's flat fields cannot carry the nested changes: refused (415), not silently ignored."""
    response = api_as(enterprise_user).patch("/api/v1/me/", {"applicant": '{"contact_phone": {}}'}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
