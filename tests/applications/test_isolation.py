"""One applicant can never read or change another's application or its documents, in the pages or
the API; a user without an applicant (an official, before the review issue) sees none either.
Others' objects are a 404, exactly like missing ones, never a 403.

The table below names every URL of applications.urls and applications.api_urls that takes an
application: a new URL without a row fails `test_every_application_url_is_in_the_table`.
"""

import pytest
from django.test import Client
from django.urls import URLPattern
from django.urls import reverse as django_reverse
from rest_framework.test import APIClient

from accounts.models import User
from applications import api_urls, urls
from applications.models import Application, ApplicationDocument, Status
from applications.services import application_submit
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory

from .helpers import CONTACT, FIXED, PDF, complete_draft, upload

pytestmark = pytest.mark.django_db

# name → (method, extra args, body); "api" rows go through APIClient with JSON or multipart.
PAGES: dict[str, tuple[str, dict]] = {
    "detail": ("get", {}),
    "section": ("post", {**CONTACT, "contact_name": "attacker"}),
    "documents": ("post", {"kind": "other"}),
    "document": ("get", {}),
    "document_delete": ("post", {}),
    "check": ("get", {}),
    "submit": ("post", {}),
    "confirmation": ("get", {}),
    "withdraw": ("post", {"reason": "x"}),
    "supplement": ("post", {"note": "x"}),
}
PAGE_READS = {"section": "get", "documents": "get", "withdraw": "get"}  # pages also read with GET
API: dict[str, tuple[str, dict]] = {
    "api-application": ("patch", {"data": {"contact": {"contact_name": "attacker"}}}),
    "api-application-documents": ("post", {}),
    "api-application-document-file": ("get", {}),
    "api-application-submit": ("post", {}),
    "api-application-withdraw": ("post", {"reason": "x"}),
    "api-application-supplement": ("post", {"note": "x"}),
    "api-application-history": ("get", {}),
}
API_READS = {"api-application": "get", "api-application-documents": "get"}


def _args(name: str, key: str, application: Application) -> list:
    if name in {"section"}:
        return [key, "contact"]
    if name in {"document", "document_delete", "api-application-document-file"}:
        return [key, application.documents.first().pk]
    return [key]


def reverse(name: str, args: list) -> str:
    return django_reverse(name if name.startswith("api-") else f"applications:{name}", args=args)


@pytest.fixture
def victim() -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def victims_applications(victim: User) -> dict[str, tuple[str, Application]]:
    """A draft (reached by its id) and one returned for supplement (by its reference): the two
    states in which an owner may change things."""
    draft = complete_draft(victim, FIXED)
    returned = application_submit(
        actor=victim,
        application=complete_draft(victim, "m17-china-quality-award-nomination-org"),
        credit_commitment=True,
    )
    Application.objects.filter(pk=returned.pk).update(status=Status.RETURNED, supplement_request="补充")
    return {"draft": (str(draft.pk), draft), "returned": (returned.reference, Application.objects.get(pk=returned.pk))}


@pytest.fixture(params=["other_applicant", "official"])
def intruder(request: pytest.FixtureRequest) -> User:
    if request.param == "official":
        return User.objects.create_user(username="official1", password="x-Official-passw0rd")
    return EnterpriseUserFactory()


def _snapshot() -> tuple:
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "data", "version", "reference")),
        list(ApplicationDocument.objects.order_by("pk").values_list("pk", "original_name")),
        AuditEvent.objects.count(),
    )


def _page_calls() -> list[tuple[str, str, dict]]:
    calls = [(name, method, body) for name, (method, body) in PAGES.items()]
    return calls + [(name, method, {}) for name, method in PAGE_READS.items()]


def _api_calls() -> list[tuple[str, str, dict]]:
    calls = [(name, method, body) for name, (method, body) in API.items()]
    return calls + [(name, method, {}) for name, method in API_READS.items()]


@pytest.mark.parametrize("state", ["draft", "returned"])
@pytest.mark.parametrize(("name", "method", "body"), _page_calls())
def test_pages_of_another_applicants_application_are_404(
    victims_applications, intruder, state: str, name: str, method: str, body: dict
) -> None:
    key, application = victims_applications[state]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(intruder)
    before = _snapshot()
    if name == "documents" and method == "post":
        body = {**body, "file": upload("x.pdf", PDF)}
    response = getattr(client, method)(reverse(name, _args(name, key, application)), body)
    assert response.status_code == 404, (name, method, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("state", ["draft", "returned"])
@pytest.mark.parametrize(("name", "method", "body"), _api_calls())
def test_api_of_another_applicants_application_is_404(
    victims_applications, intruder, state: str, name: str, method: str, body: dict
) -> None:
    key, application = victims_applications[state]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(intruder)
    before = _snapshot()
    url = reverse(name, _args(name, key, application))
    if name == "api-application-documents" and method == "post":
        response = client.post(url, {"file": upload("x.pdf", PDF)}, format="multipart")
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 404, (name, method, response.status_code)
    assert response.json()["code"] == "not_found"
    assert _snapshot() == before


def test_the_list_page_and_api_list_show_only_ones_own(victims_applications, intruder) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(intruder)
    page = client.get(django_reverse("applications:list")).content.decode()
    for key, application in victims_applications.values():
        assert django_reverse("applications:detail", args=[key]) not in page
        assert application.incentive.name_en not in page
    api = APIClient()
    api.force_authenticate(intruder)
    assert api.get("/api/v1/applications/").json()["count"] == 0


def test_a_document_id_of_another_application_is_404_even_with_ones_own_key(victims_applications) -> None:
    owner = EnterpriseUserFactory()
    own = complete_draft(owner, FIXED)
    _key, theirs = victims_applications["draft"]
    foreign_document = theirs.documents.first()
    client = Client()
    client.force_login(owner)
    assert client.get(django_reverse("applications:document", args=[own.pk, foreign_document.pk])).status_code == 404
    response = client.post(django_reverse("applications:document_delete", args=[own.pk, foreign_document.pk]))
    assert response.status_code == 404
    api = APIClient()
    api.force_authenticate(owner)
    assert api.get(f"/api/v1/applications/{own.pk}/documents/{foreign_document.pk}/").status_code == 404
    assert ApplicationDocument.objects.filter(pk=foreign_document.pk).exists()


def test_unknown_keys_are_the_same_404(enterprise_user) -> None:
    client = Client()
    client.force_login(enterprise_user)
    for key in ("999999", "QB-2026-17-999999", "not-a-key"):
        assert client.get(django_reverse("applications:detail", args=[key])).status_code == 404
    api = APIClient()
    api.force_authenticate(enterprise_user)
    assert api.get("/api/v1/applications/QB-2026-17-999999/").status_code == 404


def _names(patterns: list[URLPattern], keyword: str) -> set[str]:
    return {p.name for p in patterns if keyword in p.pattern.converters}


@pytest.mark.parametrize(
    ("patterns", "keyword", "table"),
    [
        (urls.urlpatterns, "key", {**PAGES}),
        (api_urls.urlpatterns, "reference", {**API}),
    ],
)
def test_every_application_url_is_in_the_table(patterns: list, keyword: str, table: dict) -> None:
    assert _names(patterns, keyword) == set(table)


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_control_the_owner_reaches_every_read_in_the_table(victim, victims_applications, state: str) -> None:
    """The 404s above come from the access check, not from broken URLs."""
    key, application = victims_applications[state]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(victim)
    for name in ("detail", "section", "documents", "document", "check", "confirmation", "withdraw"):
        response = client.get(reverse(name, _args(name, key, application)))
        assert response.status_code in {200, 302}, (name, response.status_code)
    api = APIClient()
    api.force_authenticate(victim)
    for name in (
        "api-application",
        "api-application-documents",
        "api-application-document-file",
        "api-application-history",
    ):
        assert api.get(reverse(name, _args(name, key, application))).status_code == 200, name
