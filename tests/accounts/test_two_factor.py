"""The second factor: required for approvers, finance officers and administrators (and the Django
admin), offered to everyone else. Every test signs in through the login page, as a person does
(tests/conftest.py finishes `client.login` with the second factor, which these tests must not)."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, EnterpriseUserFactory
from tests.support.auth import authenticator, current_code

pytestmark = pytest.mark.django_db

SETUP = "/accounts/security/setup/"
CODE_STEP = "/accounts/security/code/"


def password_sign_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step signs in"
    return client


def set_up(client: Client, user: User) -> list[str]:
    """Goes through the setup page with the code the app would show; returns the recovery codes."""
    page = client.get(SETUP)
    assert page.status_code == 200 and b"<svg" in page.content
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert secret  # the key, for typing into the app
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())


@pytest.mark.parametrize("role", [OfficialRole.APPROVER, OfficialRole.FINANCE, OfficialRole.ADMINISTRATOR])
def test_the_three_roles_are_sent_to_the_setup_and_nowhere_else(make_official: Callable[..., User], role) -> None:
    user = make_official(role)
    client = password_sign_in(user)
    for url in ["/", "/reports/dashboard/", "/accounts/security/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), url
    assert client.get("/api/v1/queue/").status_code == 401  # a half sign-in is no sign-in for the API
    assert client.get(SETUP).status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_a_handler_is_not_required_to(handler: User) -> None:
    assert password_sign_in(handler).get("/review/").status_code == 200


def test_setup_refuses_a_wrong_code_then_shows_ten_recovery_codes_once(approver: User) -> None:
    client = password_sign_in(approver)
    client.get(SETUP)
    refused = client.post(SETUP, {"code": "000000"})
    assert refused.status_code == 200 and b"That code is not correct" in refused.content
    assert not TOTPDevice.objects.filter(user=approver, confirmed=True).exists()
    codes = set_up(client, approver)
    assert len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)) == set(codes)
    assert AuditEvent.objects.filter(action="second_factor.setup", object_id=str(approver.pk)).exists()
    # The session that set it up may go on; the codes are not shown again.
    assert client.get("/review/").status_code == 200
    assert codes[0] not in client.get("/accounts/security/").content.decode()


def test_after_setup_the_password_leads_to_the_code_step(approver: User) -> None:
    codes = set_up(password_sign_in(approver), approver)
    client = password_sign_in(approver)
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith(CODE_STEP)
    # A password alone cannot bind another authenticator.
    assert client.get(SETUP)["Location"].startswith(CODE_STEP)
    wrong = client.post(CODE_STEP, {"code": "123456", "next": "/review/"})
    assert wrong.status_code == 400 and b"That code is not correct" in wrong.content
    assert wrong.content.count(codes[0].encode()) == 0
    assert client.get("/review/").status_code == 302
    device = TOTPDevice.objects.get(user=approver, confirmed=True)
    assert device.throttling_failure_count == 1  # each failure makes the next try wait longer
    assert client.post(CODE_STEP, {"code": current_code(device, offset=1)}).status_code == 400  # too soon
    # The wait is over (django-otp's throttle: 2^(failures-1) seconds).
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1)
    )
    right = client.post(CODE_STEP, {"code": current_code(device, offset=1), "next": "/review/"})
    assert right.status_code == 302 and right["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    assert client.get("/api/v1/queue/").status_code == 200


def test_a_recovery_code_works_once(finance_officer: User) -> None:
    codes = set_up(password_sign_in(finance_officer), finance_officer)
    first = password_sign_in(finance_officer)
    assert first.post(CODE_STEP, {"code": codes[3].upper()})["Location"] == "/accounts/start/"
    assert first.get("/finance/").status_code == 200
    second = password_sign_in(finance_officer)
    again = second.post(CODE_STEP, {"code": codes[3]})
    assert again.status_code == 400
    assert second.get("/finance/").status_code == 302
    assert StaticToken.objects.filter(device__user=finance_officer).count() == 9


def test_the_admin_requires_it(administrator: User) -> None:
    administrator.is_staff = True
    administrator.save()
    client = password_sign_in(administrator)
    assert client.get("/admin/")["Location"].startswith(SETUP)
    set_up(client, administrator)
    assert client.get("/admin/").status_code == 200
    later = password_sign_in(administrator)
    assert later.get("/admin/accounts/user/")["Location"].startswith(CODE_STEP)


def test_a_superuser_is_required_to() -> None:
    root = User.objects.create_superuser("root-2fa", "root@example.com", PASSWORD)
    assert password_sign_in(root).get("/admin/")["Location"].startswith(SETUP)


def test_applicants_are_offered_it_and_may_remove_it() -> None:
    user = EnterpriseUserFactory()
    client = password_sign_in(user)
    page = client.get("/accounts/security/")
    assert page.status_code == 200 and b"Set up the second factor" in page.content
    assert client.get("/me/").status_code == 200  # not required
    set_up(client, user)
    later = password_sign_in(user)
    assert later.get("/me/")["Location"].startswith(CODE_STEP)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert later.post(CODE_STEP, {"code": current_code(device, offset=1)}).status_code == 302
    assert later.post("/accounts/security/remove-second-factor/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert password_sign_in(user).get("/me/").status_code == 200


def test_a_required_role_cannot_remove_it(approver: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)  # verified (tests/conftest.py)
    client.post("/accounts/security/remove-second-factor/")
    assert TOTPDevice.objects.filter(user=approver, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old(approver: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)
    old = StaticToken.objects.create(device=_recovery_device(approver), token="oldcode1")
    response = client.post("/accounts/security/recovery-codes/")
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10 and not StaticToken.objects.filter(pk=old.pk).exists()


def _recovery_device(user: User):
    from django_otp.plugins.otp_static.models import StaticDevice

    authenticator(user)
    return StaticDevice.objects.get_or_create(user=user, name="recovery codes")[0]
