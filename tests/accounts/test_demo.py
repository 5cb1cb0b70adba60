"""Demo data: valid identifiers, eligible enterprises, printed logins, idempotent."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.identifiers import validate_resident_id, validate_uscc
from accounts.models import Applicant, ApplicantQualification, BankAccount, User
from accounts.selectors import applicant_facts, profile_completeness
from demo.accounts import DEMO_ACCOUNTS, DEMO_APPLICANTS
from demo.applications import DEMO_OFFICIAL_PASSWORD
from demo.two_factor import DEMO_RECOVERY_CODE, DEMO_TOTP_SECRET
from measures.eligibility import judge
from measures.models import Incentive


@pytest.fixture(autouse=True)
def _media_cache_language() -> None:
    """Replaces the package's fixture: these tests upload nothing."""


@pytest.mark.parametrize("spec", DEMO_APPLICANTS, ids=lambda s: s.name)
def test_demo_identifiers_are_valid(spec: object) -> None:
    validate = validate_uscc if spec.kind == "organisation" else validate_resident_id  # type: ignore[attr-defined]
    assert validate(spec.identifier) == spec.identifier  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_demo_data_creates_applicants_once_and_prints_their_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data", "--json")
    first = json.loads(capsys.readouterr().out)
    counts = (Applicant.objects.count(), ApplicantQualification.objects.count(), BankAccount.objects.count())
    call_command("demo_data", "--json")
    assert json.loads(capsys.readouterr().out) == first
    assert (Applicant.objects.count(), ApplicantQualification.objects.count(), BankAccount.objects.count()) == counts
    # Eight applicants, five with bank accounts (two Foshan enterprises in the city's first review,
    # demo/city.py; three in measure 17's closed round, demo/rounds.py, which have no login nor account);
    # six qualifications of their own, plus this year's title that the proactive list (免申即享) records for
    # each of the two enterprises it names.
    assert counts == (8, 8, 5)
    roles = {a["username"]: a for a in first}
    assert roles["demo-enterprise"]["role"] == "enterprise"
    assert roles["demo-enterprise"]["enterprise"] == "深圳市鹏城智造电子科技有限公司"
    assert roles["demo-individual"]["role"] == "individual"
    # The roles that must use a second factor get the demo's, printed with their logins.
    for username in ("admin", "demo-approver-amr", "demo-finance"):
        assert roles[username]["totp_secret"] == DEMO_TOTP_SECRET, username
        assert roles[username]["recovery_code"] == DEMO_RECOVERY_CODE, username
    assert "totp_secret" not in roles["demo-handler-amr"] and "totp_secret" not in roles["demo-enterprise"]
    # The city bureaus' officials (地市初审推荐), with their city; their approvers sign, with a second factor.
    for city in ("guangzhou", "shenzhen", "foshan"):
        handler, approver = roles[f"demo-city-handler-{city}"], roles[f"demo-city-approver-{city}"]
        assert (handler["role"], handler["city"]) == ("city_handler", city)
        assert (approver["role"], approver["city"]) == ("city_approver", city)
        assert approver["totp_secret"] == DEMO_TOTP_SECRET and "totp_secret" not in handler
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
    admin = User.objects.get(username="demo-enterprise")
    colleague = User.objects.get(username="demo-colleague")
    assert admin.is_applicant_admin and not colleague.is_applicant_admin
    assert admin.applicant == colleague.applicant
    assert admin.applicant.city == "shenzhen" and admin.applicant.industry == "39" and admin.applicant.size == "medium"
    assert profile_completeness(admin.applicant)[0] == 100


@pytest.mark.django_db
def test_demo_applicants_are_eligible_for_several_incentives() -> None:
    call_command("demo_data", "--json")
    today = timezone.localdate()
    incentives = list(Incentive.objects.prefetch_related("criteria"))
    assert incentives, "the catalog is loaded by migrations"
    for username, at_least in (("demo-enterprise", 3), ("demo-individual", 1)):
        facts = applicant_facts(User.objects.get(username=username).applicant)
        eligible = [i.code for i in incentives if judge(i, facts).eligible]
        assert len(eligible) >= at_least, (username, eligible, today)


@pytest.mark.django_db
def test_demo_data_prints_the_enterprise_beside_its_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data")
    out = capsys.readouterr().out
    assert "demo-enterprise" in out and "深圳市鹏城智造电子科技有限公司" in out and "individual" in out


@pytest.mark.django_db
def test_a_reviewer_signs_in_as_the_demo_approver_with_the_printed_second_factor() -> None:
    from django.test import Client

    call_command("demo_data", "--json")
    code = io.StringIO()
    call_command("demo_otp_code", stdout=code)
    for second_factor in (code.getvalue().strip(), DEMO_RECOVERY_CODE):
        client = Client()
        client.post("/accounts/login/", {"username": "demo-approver-miit", "password": DEMO_OFFICIAL_PASSWORD})
        assert client.get("/review/").status_code == 302
        assert client.post("/accounts/security/code/", {"code": second_factor, "next": "/review/"}).status_code == 302
        assert client.get("/review/").status_code == 200


@pytest.mark.django_db
def test_the_demo_enterprise_has_a_verdict_for_nearly_every_incentive_it_can_claim() -> None:
    from accounts.models import ApplicantDeclaration

    call_command("demo_data", "--json")
    call_command("demo_data", "--json")  # idempotent: one answer per declaration
    applicant = User.objects.get(username="demo-enterprise").applicant
    facts = applicant_facts(applicant)
    own = [i for i in Incentive.objects.prefetch_related("criteria") if i.applicant_type == applicant.kind]
    open_verdicts = [i.code for i in own if judge(i, facts).eligible is None]
    assert len(open_verdicts) <= 3, open_verdicts
    answered = list(ApplicantDeclaration.objects.filter(applicant=applicant).values_list("criterion_id", flat=True))
    assert len(answered) == len(set(answered)) > 15
