"""Department isolation: an official sees and acts only on the applications of the incentives their
department handles (or was granted). Others' applications are a 404 on every officials' page and
API endpoint — exactly like a missing reference — and never appear in their queue. A read grant
shows an application but cannot act on it; a review grant acts.

The tables name every URL of applications.review_urls and review_api.api_urlpatterns that takes an
application: a new URL without a row fails `test_every_url_is_in_the_table`.
"""

import pytest
from django.urls import URLPattern, reverse

from applications import review_api, review_urls
from applications.models import Application, Status
from audit.models import AuditEvent
from measures.models import IncentiveAccess

from .conftest import submit_new

pytestmark = pytest.mark.django_db

# name → (method, body); page forms are prefixed by their action.
PAGES = {
    "application": ("get", {}),
    "act": ("post", {"accept-version": "5"}),
    "assign": ("post", {"handler": "0"}),
    "comment": ("post", {"text": "a note"}),
    "checklist": ("post", {"item_0": "on"}),
    "reveal": ("post", {"what": "bank_account"}),
    "document": ("get", {}),
}
API = {
    name: ("post", {"missing": "x", "reasons": "x", "reason": "x", "decision": "support"})
    for name in review_api.ACTION_VIEWS
}
# The city recommendation pages take a call or a letter, not an application: tests/review/test_city_letters.py.
NOT_PER_APPLICATION = {
    "queue",
    "accept_many",
    "api-queue",
    "city_calls",
    "city_call",
    "city_letter_issue",
    "city_letter_pdf",
}


def _page_url(name: str, application: Application) -> str:
    if name == "act":
        return reverse("review:act", args=[application.reference, "accept"])
    if name == "document":
        return reverse("review:document", args=[application.reference, application.documents.first().pk])
    return reverse(f"review:{name}", args=[application.reference])


def test_every_url_is_in_the_table() -> None:
    pages = {p.name for p in review_urls.urlpatterns if isinstance(p, URLPattern)}
    apis = {p.name for p in review_api.api_urlpatterns}
    assert pages - NOT_PER_APPLICATION == set(PAGES)
    assert apis - NOT_PER_APPLICATION == {f"api-review-{name}" for name in API}


@pytest.fixture
def application(submitted: Application) -> Application:
    return submitted


def _unchanged(application: Application, events: int) -> None:
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.status, fresh.version, fresh.assigned_to_id) == (application.status, application.version, None)
    assert AuditEvent.objects.count() == events


def test_another_department_gets_404_everywhere(application, miit_handler, page_client, api_client) -> None:
    events = AuditEvent.objects.count()
    client, api = page_client(miit_handler), api_client(miit_handler)
    for name, (method, body) in PAGES.items():
        response = getattr(client, method)(_page_url(name, application), body)
        assert response.status_code == 404, name
    for name, (method, body) in API.items():
        response = getattr(api, method)(f"/api/v1/applications/{application.reference}/{name}/", body, format="json")
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found"
    # The applicants' API detail and history, which officials read, answer the same.
    assert api.get(f"/api/v1/applications/{application.reference}/").status_code == 404
    # A reference that does not exist answers exactly like one that is not theirs.
    missing = api.post("/api/v1/applications/QB-2026-17-999999/accept/", {}, format="json")
    assert (
        missing.status_code == 404
        and missing.json()
        == api.post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json").json()
    )
    assert application.reference not in client.get("/review/").content.decode()
    assert api.get("/api/v1/queue/").json()["results"] == []
    _unchanged(application, events)


def test_the_handling_department_sees_and_acts(application, handler, page_client, api_client) -> None:
    client, api = page_client(handler), api_client(handler)
    assert client.get(_page_url("application", application)).status_code == 200
    assert application.reference in client.get("/review/").content.decode()
    assert [r["reference"] for r in api.get("/api/v1/queue/").json()["results"]] == [application.reference]
    assert api.get(f"/api/v1/applications/{application.reference}/").status_code == 200
    response = api.post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.ACCEPTED


def test_a_read_grant_shows_but_cannot_act(application, miit_handler, page_client, api_client) -> None:
    IncentiveAccess.objects.create(
        incentive=application.incentive, department=miit_handler.department, level=IncentiveAccess.Level.READ
    )
    events = AuditEvent.objects.count()
    client, api = page_client(miit_handler), api_client(miit_handler)
    page = client.get(_page_url("application", application))
    assert page.status_code == 200
    assert 'class="review-action"' not in page.content.decode()
    assert application.reference in client.get("/review/").content.decode()
    assert [r["reference"] for r in api.get("/api/v1/queue/").json()["results"]] == [application.reference]
    assert client.post(_page_url("act", application), {"accept-version": application.version}).status_code == 409
    assert client.post(_page_url("comment", application), {"text": "x"}).status_code == 409
    response = api.post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed"
    _unchanged(application, events)


def test_a_review_grant_acts(application, miit_handler, api_client) -> None:
    IncentiveAccess.objects.create(
        incentive=application.incentive, department=miit_handler.department, level=IncentiveAccess.Level.REVIEW
    )
    response = api_client(miit_handler).post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json")
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).assigned_to == miit_handler


def test_applicants_never_reach_the_officials_pages(application, enterprise_user, page_client, api_client) -> None:
    client = page_client(enterprise_user)  # the owner of the application
    assert client.get("/review/").status_code == 403
    assert client.post(reverse("review:accept_many"), {"references": [application.reference]}).status_code == 403
    for name, (method, body) in PAGES.items():
        assert getattr(client, method)(_page_url(name, application), body).status_code == 404, name
    api = api_client(enterprise_user)
    assert api.get("/api/v1/queue/").status_code == 403
    # The review actions on their own application: not theirs to take (409, nothing changes).
    events = AuditEvent.objects.count()
    assert api.post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json").status_code == 409
    _unchanged(application, events)
    # Another applicant does not even learn it exists.
    other = api_client(submit_new().created_by)
    assert other.post(f"/api/v1/applications/{application.reference}/accept/", {}, format="json").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(application, client) -> None:
    response = client.get(_page_url("application", application))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/review/").status_code == 302
    assert client.get("/api/v1/queue/").status_code == 401
    assert client.post(f"/api/v1/applications/{application.reference}/accept/").status_code == 401


def test_finance_sees_only_approved_and_later(application, finance_officer, page_client, api_client) -> None:
    client = page_client(finance_officer)
    assert client.get(_page_url("application", application)).status_code == 404
    assert api_client(finance_officer).get("/api/v1/queue/").json()["results"] == []
    Application.objects.filter(pk=application.pk).update(status=Status.APPROVED)
    page = client.get(_page_url("application", application))
    assert page.status_code == 200
    assert 'class="review-action"' not in page.content.decode()


def test_drafts_are_never_shown_to_officials(handler, enterprise_user, page_client) -> None:
    from tests.applications.helpers import FIXED, complete_draft

    draft = complete_draft(enterprise_user, FIXED)
    Application.objects.filter(pk=draft.pk).update(reference="QB-2026-17-000777")  # even with a reference
    assert page_client(handler).get("/review/QB-2026-17-000777/").status_code == 404
    assert "QB-2026-17-000777" not in page_client(handler).get("/review/?status=draft").content.decode()


def test_an_official_can_assign_only_to_handlers_of_their_department(
    application, handler, miit_handler, page_client
) -> None:
    client = page_client(handler)
    client.post(_page_url("assign", application), {"handler": miit_handler.pk})
    assert Application.objects.get(pk=application.pk).assigned_to is None
    client.post(_page_url("assign", application), {"handler": handler.pk})
    assert Application.objects.get(pk=application.pk).assigned_to == handler
