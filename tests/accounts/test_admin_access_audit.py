"""An official's role, department and admin flags changed in the Django admin are audit events:
who changed them, what they were before and after, in the chain."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from audit.services import audit_verify
from measures.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client: Client) -> User:
    user = User.objects.create_superuser("root", email="root@example.com", password="x-Admin-2026")
    client.force_login(user)
    return user


def change_form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin's change form for `user` as posted unchanged, then with `changes`."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "display_name": user.display_name,
        "applicant": user.applicant_id or "",
        "email_verified_at_0": "",
        "email_verified_at_1": "",
        "department": user.department_id or "",
        "official_role": user.official_role,
    }
    data |= {flag: "on" for flag in ("is_active", "is_staff", "is_superuser") if getattr(user, flag)}
    for field, value in changes.items():
        if value is False:
            data.pop(field, None)
        else:
            data[field] = "on" if value is True else value
    return data


def post(client: Client, user: User, **changes: Any) -> None:
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), change_form(user, **changes), REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_role_and_department_changed_in_the_admin_are_audited(client: Client, root: User, handler: User) -> None:
    miit = Department.objects.get(code="miit")
    post(client, handler, official_role=OfficialRole.APPROVER, department=miit.pk, is_staff=True)

    handler.refresh_from_db()
    assert (handler.official_role, handler.department, handler.is_staff) == (OfficialRole.APPROVER, miit, True)
    event = AuditEvent.objects.get(action="user.access_change")
    assert (event.actor, event.object_type, event.object_id) == (root, "accounts.user", str(handler.pk))
    assert event.before == {"official_role": "handler", "department": "amr", "is_staff": False}
    assert event.after == {"official_role": "approver", "department": "miit", "is_staff": True}
    assert (event.ip_address, event.visible_to_applicant) == ("10.0.0.7", False)
    assert audit_verify() is None


def test_taking_a_role_away_and_deactivating_are_audited(client: Client, root: User, approver: User) -> None:
    post(client, approver, official_role="", department="", is_active=False)
    event = AuditEvent.objects.get(action="user.access_change")
    assert event.before == {"official_role": "approver", "department": "amr", "is_active": True}
    assert event.after == {"official_role": "", "department": None, "is_active": False}


def test_other_changes_in_the_admin_record_no_access_event(client: Client, root: User, handler: User) -> None:
    post(client, handler, display_name="新名字", email="new@example.com")
    handler.refresh_from_db()
    assert handler.display_name == "新名字"
    assert not AuditEvent.objects.filter(action="user.access_change").exists()
