"""The admin: every registered model's list and add pages open for an administrator (no 500),
and the grants and conflicts the review issue relies on are editable there."""

import pytest
from django.contrib import admin
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    User.objects.create_superuser("root", password="x-Admin-2026")
    client.login(request=HttpRequest(), username="root", password="x-Admin-2026")
    return client


def test_every_changelist_opens(staff: Client) -> None:
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert staff.get(url).status_code == 200, url


def test_grants_and_conflicts_are_editable(staff: Client) -> None:
    assert staff.get(reverse("admin:accounts_conflictofinterest_add")).status_code == 200
    html = staff.get(reverse("admin:measures_incentive_change", args=[1])).content.decode()
    assert "access_grants" in html
