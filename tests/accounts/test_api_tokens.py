"""API keys (API.md, "Authentication"): applicants get their own with a password, officials' come
from an administrator; stored as hashes; they expire, die with a password or role change, and
their owner lists and revokes them."""

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, EnterpriseUserFactory
from tests.support.auth import api_key

pytestmark = pytest.mark.django_db

OBTAIN = "/api/v1/auth/token/"
TOKENS = "/api/v1/tokens/"


def with_key(key: str) -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {key}")


def test_an_applicant_gets_its_own_key_with_its_password() -> None:
    user = EnterpriseUserFactory()
    response = APIClient().post(OBTAIN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["key"]
    assert response.json()["token"] == key
    assert with_key(key).get("/api/v1/me/").status_code == 200
    expiry = AuthToken.objects.get(user=user).expiry
    assert dt.timedelta(days=89) < expiry - timezone.now() <= dt.timedelta(days=90)


def test_a_wrong_password_gets_no_key() -> None:
    user = EnterpriseUserFactory()
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        OBTAIN, {"username": user.username, "password": "wrong-Password-1"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("role", list(OfficialRole))
def test_an_official_cannot_get_a_key_with_a_password(make_official: Callable[..., User], role: str) -> None:
    official = make_official(role)
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        OBTAIN, {"username": official.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Officials' API keys are issued by an administrator.",
        "code": "issued_by_administrator",
        "errors": {},
    }
    assert not AuthToken.objects.filter(user=official).exists()


def test_the_database_holds_only_a_hash_of_the_key() -> None:
    user = EnterpriseUserFactory()
    key = APIClient().post(OBTAIN, {"username": user.username, "password": PASSWORD}, format="json").json()["key"]
    row = AuthToken.objects.values().get(user=user)
    assert key not in [str(value) for value in row.values()]
    assert row["digest"] == hashlib.sha512(key.encode()).hexdigest()
    assert row["token_key"] == key[:15]


def test_an_administrator_issues_a_key_to_an_official(administrator: User, handler: User) -> None:
    admin = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(administrator)  # a browser session that passed the second factor
    response = admin.post(TOKENS, {"user": handler.username, "days": 30}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["user"] == handler.username and body["id"] == body["key"][:15]
    assert with_key(body["key"]).get("/api/v1/queue/").status_code == 200
    expiry = AuthToken.objects.get(user=handler).expiry
    assert dt.timedelta(days=29) < expiry - timezone.now() <= dt.timedelta(days=30)
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor == administrator and event.object_id == str(handler.pk)


def test_issuing_needs_an_administrators_session(administrator: User, handler: User, approver: User) -> None:
    by_key = with_key(api_key(administrator)).post(TOKENS, {"user": handler.username}, format="json")
    assert by_key.status_code == 403 and by_key.json()["code"] == "issued_by_administrator"
    approver_session = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    approver_session.force_login(approver)
    assert approver_session.post(TOKENS, {"user": approver.username}, format="json").status_code == 403
    assert with_key(api_key(handler)).post(TOKENS, {"user": handler.username}, format="json").status_code == 403
    assert AuthToken.objects.filter(user=handler).count() == 1  # only the one made above


def test_issuing_refuses_a_lifetime_out_of_range(administrator: User, handler: User) -> None:
    admin = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(administrator)
    response = admin.post(TOKENS, {"user": handler.username, "days": 5000}, format="json")
    assert response.status_code == 400 and "days" in response.json()["errors"]
    unknown = admin.post(TOKENS, {"user": "nobody"}, format="json")
    assert unknown.status_code == 400 and "user" in unknown.json()["errors"]


def test_the_issue_token_command_prints_the_key_last(handler: User) -> None:
    out = io.StringIO()
    call_command("issue_token", handler.username, "--days", "7", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert with_key(key).get("/api/v1/queue/").status_code == 200
    assert AuthToken.objects.get(user=handler).expiry < timezone.now() + dt.timedelta(days=8)


def test_an_expired_key_is_refused(handler: User) -> None:
    key = api_key(handler, expiry=dt.timedelta(days=1))
    AuthToken.objects.filter(user=handler).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = with_key(key).get("/api/v1/queue/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert response.json()["detail"] == "The API key is not valid or has expired."
    assert not AuthToken.objects.filter(user=handler).exists()  # deleted on its use


def test_a_key_is_checked_alone_and_beat_deletes_the_expired_ones(handler: User, settings: Any) -> None:
    """Using a key reads that key only (one query with its user), not the user's other keys; the
    expired ones go when beat runs accounts.tasks.delete_expired_api_keys."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tasks import delete_expired_api_keys

    old = api_key(handler, expiry=dt.timedelta(days=1))
    AuthToken.objects.filter(user=handler).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    key = api_key(handler)
    with CaptureQueriesContext(connection) as queries:
        assert with_key(key).get("/api/v1/queue/").status_code == 200
    keys_read = [q["sql"] for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
    assert len(keys_read) == 1, keys_read
    assert AuthToken.objects.filter(user=handler).count() == 2  # the expired one is still there
    assert delete_expired_api_keys() == 1
    assert settings.CELERY_BEAT_SCHEDULE["delete-expired-api-keys"]["task"] == delete_expired_api_keys.name
    assert with_key(key).get("/api/v1/queue/").status_code == 200
    assert with_key(old).get("/api/v1/queue/").status_code == 401


def test_a_password_change_revokes_the_keys(handler: User) -> None:
    key = api_key(handler)
    assert with_key(key).get("/api/v1/queue/").status_code == 200
    handler.set_password("another-Password-2026")
    handler.save()
    assert with_key(key).get("/api/v1/queue/").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke_all", object_id=str(handler.pk)).exists()


def test_a_password_reset_revokes_the_keys(make_official: Callable[..., User]) -> None:
    """Through Django's own reset page, not a service of ours."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = EnterpriseUserFactory()
    key = api_key(user)
    client = Client()
    url = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form = client.get(url, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "fresh-Password-2026", "new_password2": "fresh-Password-2026"}
    )
    user.refresh_from_db()
    assert user.check_password("fresh-Password-2026")
    assert with_key(key).get("/api/v1/me/").status_code == 401


def test_a_role_change_revokes_the_keys(handler: User) -> None:
    key = api_key(handler)
    handler.official_role = OfficialRole.APPROVER
    handler.save(update_fields=["official_role"])
    assert with_key(key).get("/api/v1/queue/").status_code == 401


def test_signing_in_or_an_unrelated_change_keeps_the_keys(handler: User) -> None:
    key = api_key(handler)
    Client().login(request=HttpRequest(), username=handler.username, password=PASSWORD)  # saves last_login
    handler.display_name = "新名字"
    handler.save()
    assert with_key(key).get("/api/v1/queue/").status_code == 200


def test_the_owner_lists_and_revokes_its_keys(handler: User, handler2: User) -> None:
    mine, spare = api_key(handler), api_key(handler)
    theirs = api_key(handler2)
    listed = with_key(mine).get(TOKENS)
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["results"]} == {mine[:15], spare[:15]}
    assert "key" not in listed.json()["results"][0]
    assert with_key(mine).delete(f"{TOKENS}{theirs[:15]}/").status_code == 404
    assert with_key(mine).delete(f"{TOKENS}{spare[:15]}/").status_code == 204
    assert with_key(spare).get(TOKENS).status_code == 401
    assert with_key(theirs).get(TOKENS).status_code == 200
    assert with_key(mine).delete(f"{TOKENS}{mine[:15]}/").status_code == 204
    assert with_key(mine).get(TOKENS).status_code == 401


def test_the_security_page_lists_and_revokes_keys(approver: User) -> None:
    key = api_key(approver)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)
    page = client.get("/accounts/security/").content.decode()
    assert key[:15] in page and key not in page
    assert client.post(f"/accounts/security/keys/{key[:15]}/revoke/").status_code == 302
    assert not AuthToken.objects.filter(user=approver).exists()


def test_an_administrator_issues_a_key_on_the_security_page(administrator: User, handler: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    response = client.post("/accounts/security/keys/", {"username": handler.username, "days": "10"})
    assert response.status_code == 200
    key = response.content.decode().split('id="api-key">')[1].split("<")[0]
    assert with_key(key).get("/api/v1/queue/").status_code == 200
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(handler)
    assert other.post("/accounts/security/keys/", {"username": handler.username}).status_code == 403
