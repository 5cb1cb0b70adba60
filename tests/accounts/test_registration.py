"""Registering an enterprise or a person, by page and API: validation, one code one enterprise,
password rules, the verification email and signing in."""

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from rest_framework.test import APIClient

from accounts import registration
from accounts.models import Applicant, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, ApplicantFactory, make_resident_id, make_uscc

from .test_identifiers import full_width, wrong_check

pytestmark = pytest.mark.django_db

ENTERPRISE = {
    "uscc": make_uscc(1001),
    "name": "广州精工制造有限公司",
    "city": "guangzhou",
    "industry": "34",
    "size": "small",
    "username": "jinggong",
    "email": "admin@jinggong.example.com",
    "password": PASSWORD,
}
PERSON = {
    "resident_id": make_resident_id(501),
    "name": "林质量",
    "username": "linzl",
    "email": "lin@example.com",
    "password": PASSWORD,
}


def post_enterprise(api: APIClient, **changes: str) -> object:
    return api.post("/api/v1/register/enterprise/", {**ENTERPRISE, **changes}, format="json")


# --- API ---------------------------------------------------------------------------------------


def test_api_registers_an_enterprise_whose_first_user_administers_it(
    api: APIClient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_enterprise(api, district="天河区", contact_person="陈工", contact_phone="020-1234")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["applicant"]["identifier"] == ENTERPRISE["uscc"]
    assert body["applicant"]["kind"] == "organisation"
    assert body["user"] == {
        "username": "jinggong",
        "display_name": "",
        "email": "admin@jinggong.example.com",
        "email_verified": False,
        "is_applicant_admin": True,
    }
    applicant = Applicant.objects.get(uscc=ENTERPRISE["uscc"])
    assert (applicant.city, applicant.industry, applicant.size) == ("guangzhou", "34", "small")
    assert (applicant.district, applicant.contact_person, applicant.contact_phone) == ("天河区", "陈工", "020-1234")
    user = User.objects.get(username="jinggong")
    assert user.applicant == applicant and user.is_applicant_admin
    assert user.check_password(PASSWORD) and user.password.startswith("md5$")  # test hasher; Argon2 in production
    assert AuditEvent.objects.filter(action="applicant.register", object_id=str(applicant.pk)).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin@jinggong.example.com"]
    assert "/accounts/verify-email/" in mail.outbox[0].body


def test_argon2_is_the_production_hasher() -> None:
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    "typed",
    [make_uscc(1001).lower(), full_width(make_uscc(1001)), " ".join(make_uscc(1001))],
    ids=["lower case", "full-width", "spaces"],
)
def test_api_stores_the_credit_code_normalised(api: APIClient, typed: str) -> None:
    response = post_enterprise(api, uscc=typed)
    assert response.status_code == 201, response.json()
    assert Applicant.objects.get().uscc == make_uscc(1001)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        (wrong_check(make_uscc(1001)), "The check character (the 18th) does not match"),
        (make_uscc(1001)[:17], "A unified social credit code has 18 characters."),
        (make_uscc(1001) + "0", "A unified social credit code has 18 characters."),
    ],
    ids=["wrong check character", "too short", "too long"],
)
def test_api_refuses_a_bad_credit_code_with_its_message(api: APIClient, typed: str, words: str) -> None:
    response = post_enterprise(api, uscc=typed)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert words in body["errors"]["uscc"][0]
    assert not Applicant.objects.exists() and not User.objects.exists()


def test_api_refuses_a_code_already_registered_with_a_friendly_message(api: APIClient) -> None:
    ApplicantFactory(uscc=make_uscc(1001))
    response = post_enterprise(api, uscc=make_uscc(1001).lower())
    assert response.status_code == 400
    assert response.json()["errors"]["uscc"] == [
        "This credit code is already registered — ask your enterprise's administrator to invite you. "
        "If nobody at your enterprise registered it, claim the enterprise with its business licence."
    ]
    assert not User.objects.filter(username="jinggong").exists()


def test_two_registrations_racing_for_one_code_end_in_the_same_friendly_message(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ApplicantFactory(uscc=make_uscc(1001))
    # The other request committed between our check and our insert: the database refuses.
    monkeypatch.setattr(registration, "_uscc_taken", lambda code: False)
    response = post_enterprise(api)
    assert response.status_code == 400
    assert "already registered" in response.json()["errors"]["uscc"][0]
    assert Applicant.objects.count() == 1 and not User.objects.exists()


def test_service_turns_the_integrity_error_into_a_validation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    ApplicantFactory(uscc=make_uscc(1001))
    monkeypatch.setattr(registration, "_uscc_taken", lambda code: False)
    with pytest.raises(registration.ValidationError) as refused:
        registration.enterprise_register(**ENTERPRISE)
    assert not isinstance(refused.value, IntegrityError)
    assert refused.value.message_dict["uscc"][0].startswith("This credit code is already registered")


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short1A", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password1234", "too common"),
        ("jinggong-2026", "too similar"),
    ],
)
def test_api_refuses_a_weak_password(api: APIClient, password: str, words: str) -> None:
    response = post_enterprise(api, password=password)
    assert response.status_code == 400
    assert any(words in message for message in response.json()["errors"]["password"])
    assert not Applicant.objects.exists()


def test_api_reports_every_problem_at_once_and_refuses_unknown_choices(api: APIClient) -> None:
    response = post_enterprise(api, city="beijing", industry="12", size="huge", email="nope", username="")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"city", "industry", "size", "email", "username"}


def test_api_refuses_a_taken_username_whatever_its_case(api: APIClient) -> None:
    User.objects.create_user("JingGong", password=PASSWORD)
    response = post_enterprise(api)
    assert response.status_code == 400
    assert response.json()["errors"]["username"] == ["This username is taken: please choose another."]


def test_api_registers_an_individual_with_the_id_masked_in_the_answer(api: APIClient) -> None:
    response = api.post(
        "/api/v1/register/individual/", {**PERSON, "employer_uscc": make_uscc(77).lower()}, format="json"
    )
    assert response.status_code == 201, response.json()
    number = PERSON["resident_id"]
    assert number not in response.content.decode()
    assert response.json()["applicant"]["identifier"] == number[:6] + "********" + number[-4:]
    applicant = Applicant.objects.get()
    assert applicant.kind == "individual" and applicant.resident_id == number and applicant.uscc is None
    assert applicant.employer_uscc == make_uscc(77)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"resident_id": wrong_check(make_resident_id(501))}, "resident_id", "check digit"),
        ({"resident_id": make_resident_id(501)[:-1]}, "resident_id", "18 characters"),
        ({"employer_uscc": wrong_check(make_uscc(77))}, "employer_uscc", "check character"),
        ({"password": "12345678901"}, "password", "entirely numeric"),
    ],
)
def test_api_refuses_bad_individual_registrations(api: APIClient, changes: dict, field: str, words: str) -> None:
    response = api.post("/api/v1/register/individual/", {**PERSON, **changes}, format="json")
    assert response.status_code == 400
    assert any(words in message for message in response.json()["errors"][field])
    assert not Applicant.objects.exists()


def test_api_refuses_a_resident_id_already_registered(api: APIClient) -> None:
    ApplicantFactory(individual=True, resident_id=PERSON["resident_id"])
    response = api.post("/api/v1/register/individual/", PERSON, format="json")
    assert response.status_code == 400
    assert "already registered" in response.json()["errors"]["resident_id"][0]


def test_api_errors_follow_the_request_language(api: APIClient) -> None:
    response = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/api/v1/register/enterprise/", {**ENTERPRISE, "uscc": wrong_check(ENTERPRISE["uscc"])}, format="json"
    )
    assert response.status_code == 400
    assert "校验" in response.json()["errors"]["uscc"][0]


# --- pages -------------------------------------------------------------------------------------


def page_data(**changes: str) -> dict[str, str]:
    return {**ENTERPRISE, "password_confirm": ENTERPRISE["password"], "district": "", **changes}


def test_register_choice_page_links_both_kinds(anon: Client) -> None:
    html = anon.get("/accounts/register/").content.decode()
    assert "/accounts/register/enterprise/" in html and "/accounts/register/individual/" in html


def test_registration_page_labels_every_field(anon: Client) -> None:
    html = anon.get("/accounts/register/enterprise/").content.decode()
    for name in ("uscc", "name", "city", "district", "industry", "size", "username", "email", "password"):
        assert f'<label for="id_{name}">' in html
    assert "Shenzhen" in html and "39 Computers" in html


def test_registration_page_signs_the_new_user_in_and_sends_the_verification_email(
    anon: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post("/accounts/register/enterprise/", page_data(uscc=ENTERPRISE["uscc"].lower()))
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    user = User.objects.get(username="jinggong")
    assert user.is_applicant_admin and user.applicant.uscc == ENTERPRISE["uscc"]
    assert len(mail.outbox) == 1
    profile = anon.get("/accounts/profile/")
    assert profile.status_code == 200 and "广州精工制造有限公司" in profile.content.decode()


def test_registration_page_with_errors_keeps_what_was_typed_and_links_each_error(anon: Client) -> None:
    typed = page_data(uscc=wrong_check(ENTERPRISE["uscc"]), password="123", password_confirm="1234", district="越秀区")
    response = anon.post("/accounts/register/enterprise/", typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    assert 'href="#id_uscc"' in html and 'href="#id_password"' in html and 'href="#id_password_confirm"' in html
    assert "The check character (the 18th) does not match" in html
    assert f'value="{typed["uscc"]}"' in html and 'value="越秀区"' in html and 'value="广州精工制造有限公司"' in html
    assert '<option value="guangzhou" selected>' in html
    assert 'aria-invalid="true"' in html
    assert not Applicant.objects.exists()


def test_registration_page_refuses_a_duplicate_code_with_the_invitation_hint(anon: Client) -> None:
    ApplicantFactory(uscc=ENTERPRISE["uscc"])
    response = anon.post("/accounts/register/enterprise/", page_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "ask your enterprise&#x27;s administrator to invite you" in html
    assert not User.objects.filter(username="jinggong").exists()


def test_registration_page_refuses_a_weak_password(anon: Client) -> None:
    response = anon.post("/accounts/register/enterprise/", page_data(password="password", password_confirm="password"))
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not Applicant.objects.exists()


def test_registration_page_for_a_person(anon: Client, django_capture_on_commit_callbacks) -> None:
    data = {**PERSON, "resident_id": PERSON["resident_id"].lower(), "password_confirm": PASSWORD, "employer_uscc": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post("/accounts/register/individual/", data)
    assert response.status_code == 302
    applicant = Applicant.objects.get()
    assert applicant.kind == "individual" and applicant.resident_id == PERSON["resident_id"]
    assert len(mail.outbox) == 1
    html = anon.get("/accounts/profile/").content.decode()
    assert PERSON["resident_id"] not in html
    assert PERSON["resident_id"][:6] + "********" + PERSON["resident_id"][-4:] in html


def test_registration_page_for_a_person_refuses_a_wrong_check_digit(anon: Client) -> None:
    data = {**PERSON, "resident_id": wrong_check(PERSON["resident_id"]), "password_confirm": PASSWORD}
    html = anon.post("/accounts/register/individual/", data).content.decode()
    assert "The check digit (the 18th character) does not match" in html and 'href="#id_resident_id"' in html
    assert not Applicant.objects.exists()


def test_a_signed_in_applicant_asked_to_register_goes_to_the_profile(enterprise_client: Client) -> None:
    response = enterprise_client.get("/accounts/register/")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
