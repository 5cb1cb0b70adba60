"""The demo's expert pool: listed by `demo_data --json` with role `expert`, signing in with the
password alone (like handlers), and enough of them for a draw with each kind of exclusion."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Applicant, User
from accounts.two_factor import second_factor_required
from demo.experts import DEMO_EXPERT_PASSWORD, DEMO_EXPERTS
from experts.models import Expert, ExpertConflict
from experts.selectors import assignments_of

pytestmark = pytest.mark.django_db


def test_the_demo_lists_its_experts_and_they_sign_in_with_a_password(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data", "--json")
    accounts = json.loads(capsys.readouterr().out)
    experts = [a for a in accounts if a["role"] == "expert"]
    assert len(experts) == len(DEMO_EXPERTS) == 9
    assert all(a["password"] == DEMO_EXPERT_PASSWORD and "totp_secret" not in a for a in experts)
    assert Expert.objects.filter(active=True).count() == 9
    assert {e.city for e in Expert.objects.all()} >= {"guangzhou", "shenzhen", "foshan"}
    # One works for the demo enterprise; one declared a conflict with the second enterprise.
    assert Expert.objects.filter(employer_uscc="91440300MA5DKQ8L3X").exists()
    assert ExpertConflict.objects.filter(applicant=Applicant.objects.get(uscc="91440604MA4UR7N2X6")).exists()
    user = User.objects.get(username=experts[0]["username"])
    assert not user.official_role and user.applicant_id is None and not second_factor_required(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed = client.post(reverse("login"), {"username": user.username, "password": DEMO_EXPERT_PASSWORD})
    assert signed.status_code == 302
    assert client.get(reverse("experts:workspace")).status_code == 200
    # demo-expert-1 sits on measure 17's closed panel (demo/rounds.py): scored, nothing left to do.
    assert assignments_of(user).exists() and not assignments_of(user).filter(scored_at__isnull=True).exists()
    call_command("demo_data", "--json")
    assert Expert.objects.count() == 9
