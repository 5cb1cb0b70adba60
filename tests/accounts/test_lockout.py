"""Password guessing (django-axes, accounts/throttling.py): failures count per account and per
address, past the limit even the right password is refused with 429 (`locked_out` in the API), the
address is portal.http.client_ip's, every failure is audited without the password, and nothing
says whether an account exists."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from tests.factories import PASSWORD, EnterpriseUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-Password-1"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings: object) -> None:
    settings.AXES_FAILURE_LIMIT = 3  # type: ignore[attr-defined]
    settings.LOGIN_FAILURES_PER_ADDRESS = 6  # type: ignore[attr-defined]


def page(address: str = "192.0.2.10", **headers: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address, **headers)


def api(address: str = "192.0.2.10", **headers: str) -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address, **headers)


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def token(client: APIClient, username: str, password: str) -> object:
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def test_the_login_page_locks_the_account_after_repeated_failures() -> None:
    victim, bystander = EnterpriseUserFactory(), EnterpriseUserFactory()
    attacker = page("192.0.2.10")
    assert [sign_in(attacker, victim.username, WRONG) for _ in range(2)] == [200, 200]
    response = attacker.post(LOGIN, {"username": victim.username, "password": WRONG})
    assert response.status_code == 429
    assert "Too many unsuccessful sign-in attempts" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    # The right password no longer helps, from any address: the account is locked.
    owner = page("198.51.100.7")
    response = owner.post(LOGIN, {"username": victim.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in owner.session
    # Another account from another address is unaffected.
    other = page("198.51.100.8")
    assert other.post(LOGIN, {"username": bystander.username, "password": PASSWORD}).status_code == 302
    assert other.session["_auth_user_id"] == str(bystander.pk)


def test_the_lockout_page_is_in_chinese_by_default() -> None:
    victim = EnterpriseUserFactory()
    client = Client(REMOTE_ADDR="192.0.2.11")
    for _ in range(3):
        response = client.post(LOGIN, {"username": victim.username, "password": WRONG})
    assert response.status_code == 429
    assert '<html lang="zh-Hans"' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_the_token_endpoint_locks_the_account_and_answers_in_the_api_format() -> None:
    victim, bystander = EnterpriseUserFactory(), EnterpriseUserFactory()
    attacker = api("192.0.2.20")
    assert [token(attacker, victim.username, WRONG).status_code for _ in range(2)] == [400, 400]  # type: ignore[attr-defined]
    response = token(attacker, victim.username, WRONG)
    assert response.status_code == 429  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "locked_out" and body["errors"] == {}
    assert "Too many unsuccessful sign-in attempts" in body["detail"]
    assert int(response["Retry-After"]) == 15 * 60  # type: ignore[index]
    # Locked from everywhere, even with the right password; the page and the API share the count.
    assert token(api("198.51.100.20"), victim.username, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert sign_in(page("198.51.100.21"), victim.username, PASSWORD) == 429
    # Another account from another address still gets its token.
    response = token(api("198.51.100.22"), bystander.username, PASSWORD)
    assert response.status_code == 200 and response.json()["token"]  # type: ignore[attr-defined]


def test_the_lockout_answer_follows_the_requests_language() -> None:
    victim = EnterpriseUserFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR="192.0.2.21")
    for _ in range(3):
        response = token(client, victim.username, WRONG)
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 429 and body["code"] == "locked_out"  # type: ignore[attr-defined]
    assert response["Content-Language"] == "zh-hans"  # type: ignore[index]


def test_one_address_guessing_many_accounts_is_locked_out() -> None:
    users = [EnterpriseUserFactory() for _ in range(4)]
    attacker = api("192.0.2.30")
    statuses = [token(attacker, user.username, WRONG).status_code for user in users for _ in range(2)]  # type: ignore[attr-defined]
    # Two failures per account stay under its limit (3); the address's sixth failure locks it.
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429, 429]
    # The address is locked even for an account it never tried; the accounts themselves are not.
    fresh = EnterpriseUserFactory()
    assert token(attacker, fresh.username, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert token(api("198.51.100.30"), users[0].username, PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(settings: object) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": None}  # type: ignore[attr-defined]
    users = [EnterpriseUserFactory() for _ in range(4)]
    statuses = [
        token(api("192.0.2.40", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), user.username, WRONG).status_code  # type: ignore[attr-defined]
        for n, user in enumerate(u for u in users for _ in range(2))
    ]
    # Each request claimed another address: all were counted against the one that sent them.
    assert statuses[5:] == [429, 429, 429]
    assert AuditEvent.objects.filter(action="user.login_failed", ip_address="192.0.2.40").count() == 8
    assert not AuditEvent.objects.filter(action="user.login_failed", ip_address__startswith="203.0.113.").exists()


def test_behind_one_trusted_proxy_the_clients_hop_is_counted(settings: object) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # type: ignore[attr-defined]
    victim = EnterpriseUserFactory()
    proxy = "10.0.0.5"
    # The client forged a first hop; the proxy appended the real one.
    for _ in range(2):
        attacker = api(proxy, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
        assert token(attacker, victim.username, WRONG).status_code == 400  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(action="user.login_failed").latest("sequence")
    assert event.ip_address == "203.0.113.9"
    # Another client behind the same proxy is another address: its account works.
    other = EnterpriseUserFactory()
    neighbour = api(proxy, HTTP_X_FORWARDED_FOR="198.51.100.50")
    assert token(neighbour, other.username, PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_a_failed_sign_in_is_audited_with_the_username_and_address_but_not_the_password() -> None:
    user = EnterpriseUserFactory()
    sign_in(page("192.0.2.60"), user.username, WRONG)
    token(api("192.0.2.61"), "nobody-has-this-name", WRONG)
    known, unknown = AuditEvent.objects.filter(action="user.login_failed").order_by("sequence")
    assert (known.object_type, known.object_id) == ("accounts.user", str(user.pk))
    assert known.after == {"username": user.username, "path": LOGIN, "locked_out": False}
    assert known.ip_address == "192.0.2.60" and known.actor is None
    assert (unknown.object_type, unknown.object_id) == ("accounts.user", "")
    assert unknown.after["username"] == "nobody-has-this-name" and unknown.ip_address == "192.0.2.61"
    for event in (known, unknown):
        assert WRONG not in str(event.after) + str(event.before) + event.reason
        assert not event.visible_to_applicant


def test_the_refusal_during_lockout_is_audited_as_locked_out() -> None:
    user = EnterpriseUserFactory()
    client = page("192.0.2.62")
    for _ in range(4):
        sign_in(client, user.username, PASSWORD if _ == 3 else WRONG)
    flags = list(
        AuditEvent.objects.filter(action="user.login_failed")
        .order_by("sequence")
        .values_list("after__locked_out", flat=True)
    )
    assert flags == [False, False, True, True]


def test_an_unknown_username_and_a_wrong_password_get_the_same_answer() -> None:
    user = EnterpriseUserFactory()
    wrong = page("192.0.2.70").post(LOGIN, {"username": user.username, "password": WRONG})
    unknown = page("192.0.2.71").post(LOGIN, {"username": "no-such-user", "password": WRONG})
    assert wrong.status_code == unknown.status_code == 200
    assert "The username or password is not correct." in wrong.content.decode()
    strip = lambda response, name: response.content.decode().replace(name, "NAME")  # noqa: E731
    assert _without_csrf(strip(wrong, user.username)) == _without_csrf(strip(unknown, "no-such-user"))
    wrong_api = token(api("192.0.2.72"), user.username, WRONG)
    unknown_api = token(api("192.0.2.73"), "no-such-user", WRONG)
    assert wrong_api.status_code == unknown_api.status_code == 400  # type: ignore[attr-defined]
    assert wrong_api.json() == unknown_api.json()  # type: ignore[attr-defined]
    # An unknown username locks like a real one: the lockout says nothing about existence either.
    for _ in range(3):
        locked = token(api("192.0.2.74"), "no-such-user", WRONG)
    assert locked.status_code == 429  # type: ignore[attr-defined]


def _without_csrf(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_admin_login_is_locked_too() -> None:
    administrator = OfficialFactory(role="administrator", is_staff=True, is_superuser=True)
    client = page("192.0.2.80")
    for _ in range(3):
        response = client.post("/admin/login/?next=/admin/", {"username": administrator.username, "password": WRONG})
    assert response.status_code == 429
    response = page("198.51.100.80").post(
        "/admin/login/?next=/admin/", {"username": administrator.username, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_failures_past_the_cool_off_no_longer_count(settings: object) -> None:
    import datetime as dt

    from axes.models import AccessAttempt

    user = EnterpriseUserFactory()
    client = api("192.0.2.90")
    for _ in range(2):
        token(client, user.username, WRONG)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - dt.timedelta(minutes=16))
    assert token(client, user.username, WRONG).status_code == 400  # type: ignore[attr-defined]
    assert token(client, user.username, PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_a_successful_sign_in_is_not_refused_below_the_limit() -> None:
    user: User = EnterpriseUserFactory()
    client = page("192.0.2.91")
    sign_in(client, user.username, WRONG)
    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
