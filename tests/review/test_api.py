"""The officials' API: the queue with its filters, and the review actions with the error format of
API.md — 400 with `errors` for refused input, 409 for a state that does not allow the action or a
stale `version` (saying who changed it), 404 for what the caller may not see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.request import Request
from rest_framework.test import APIClient

from applications import review
from applications.models import Application, Notice, Status
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory
from tests.support.auth import api_key

from .conftest import fund, submit_new

pytestmark = pytest.mark.django_db


def _url(application: Application, action: str) -> str:
    return f"/api/v1/applications/{application.reference}/{action}/"


def test_the_queue_with_filters_and_the_row_shape(handler, api_client) -> None:
    shenzhen = submit_new(EnterpriseUserFactory(applicant__city="shenzhen"))
    late = review.application_accept(actor=handler, application=submit_new())
    Application.objects.filter(pk=late.pk).update(stage_due_on=dt.date(2020, 1, 2))
    api = api_client(handler)
    body = api.get("/api/v1/queue/").json()
    assert len(body["results"]) == 2 and body["next"] is None
    first = body["results"][0]
    assert first["reference"] == late.reference  # deadline first
    assert first["overdue"] is True
    assert first["assigned_to"] == handler.username
    assert first["measure"] == 17 and first["incentive"] == "m17-china-quality-award-org"
    assert first["estimated_amount"] == "3000000.00"
    assert first["url"] == f"/review/{late.reference}/"
    assert body["results"][1]["overdue"] is False
    assert [r["reference"] for r in api.get("/api/v1/queue/?city=shenzhen").json()["results"]] == [shenzhen.reference]
    assert [r["reference"] for r in api.get("/api/v1/queue/?overdue=true").json()["results"]] == [late.reference]
    assert [r["reference"] for r in api.get("/api/v1/queue/?status=submitted").json()["results"]] == [
        shenzhen.reference
    ]
    assert api.get("/api/v1/queue/?measure=15").json()["results"] == []
    assert len(api.get("/api/v1/queue/?incentive=m17-china-quality-award-org&mine=true").json()["results"]) == 1
    assert [r["reference"] for r in api.get("/api/v1/queue/?sort=-submitted").json()["results"]] == [
        late.reference,
        shenzhen.reference,
    ]
    one = api.get("/api/v1/queue/?page_size=1").json()
    assert "count" not in one and one["previous"] is None  # no count of the whole queue
    following = api.get(one["next"]).json()
    assert [r["reference"] for r in one["results"] + following["results"]] == [late.reference, shenzhen.reference]
    assert following["next"] is None and api.get(following["previous"]).json()["results"] == one["results"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_queue_row_built_directly_is_the_generic_serializers_row(handler, language) -> None:
    """QueueItemSerializer builds its rows by hand for speed (issue 10): they must be exactly what
    REST framework's generic field walk makes of the declared fields, in every state a row shows."""
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from applications.review_api import QueueItemSerializer, ReviewedApplicationSerializer

    fund()
    submitted = submit_new(EnterpriseUserFactory(applicant__city="shenzhen"))
    accepted = review.application_accept(actor=handler, application=submit_new())
    proposed = review.application_propose(actor=handler, application=_under_review(handler), support=True, reasons="")
    rows = Application.objects.filter(pk__in=[submitted.pk, accepted.pk, proposed.pk])
    request = APIRequestFactory().get("/api/v1/queue/")
    request.user = handler
    context = {"request": request, "today": dt.date(2099, 1, 1)}  # all overdue: the flag is compared too
    with translation.override(language):
        for serializer_class in (QueueItemSerializer, ReviewedApplicationSerializer):
            for application in rows:
                serializer = serializer_class(application, context={**context, "request": Request(request)})
                fast = serializer.data
                generic = serializers.ModelSerializer.to_representation(serializer, application)
                assert fast == generic and list(fast) == list(generic)
    assert {row.assigned_to_id is None for row in rows} == {True, False}
    assert {row.proposed_amount is None for row in rows} == {True, False}


def test_a_queue_cursor_that_was_edited_is_a_400(handler, submitted, api_client) -> None:
    api = api_client(handler)
    cursor = api.get("/api/v1/queue/?page_size=1&sort=submitted").json()
    response = api.get("/api/v1/queue/", {"cursor": "x" + "abc", "page_size": 1})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]
    assert cursor["next"] is None  # one application: one page


def test_invalid_queue_filters_are_a_400(handler, api_client) -> None:
    response = api_client(handler).get("/api/v1/queue/?status=nonsense&sort=random&measure=x")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"status", "sort", "measure"}


def test_a_token_works_like_the_session(handler, submitted) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(handler)}")
    assert len(api.get("/api/v1/queue/").json()["results"]) == 1
    response = api.post(_url(submitted, "accept"), {"version": submitted.version}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == Status.ACCEPTED and body["version"] == submitted.version + 1
    assert body["allowed_actions"] == ["review"]


def test_return_needs_what_is_missing(handler, submitted, api_client) -> None:
    api = api_client(handler)
    response = api.post(_url(submitted, "return"), {}, format="json")
    assert response.status_code == 400 and "missing" in response.json()["errors"]
    response = api.post(_url(submitted, "return"), {"missing": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["missing"]
    response = api.post(_url(submitted, "return"), {"missing": "获奖证书"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == Status.RETURNED and body["supplement_request"] == "获奖证书"
    assert body["supplement_deadline"] == body["stage_due_on"]


def test_reject_is_the_refusal_at_acceptance(handler, submitted, api_client) -> None:
    api = api_client(handler)
    assert api.post(_url(submitted, "reject"), {"reasons": ""}, format="json").status_code == 400
    response = api.post(_url(submitted, "reject"), {"reasons": "不属于支持范围"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.REFUSED
    assert Application.objects.get(pk=submitted.pk).decision_reasons == "不属于支持范围"


def _under_review(handler) -> Application:
    accepted = review.application_accept(actor=handler, application=submit_new())
    return review.application_start_review(actor=handler, application=accepted)


def test_propose_support_with_the_engines_amount_or_a_justified_other(handler, api_client) -> None:
    api = api_client(handler)
    application = _under_review(handler)
    changed = api.post(_url(application, "propose"), {"decision": "support", "amount": "2000000.00"}, format="json")
    assert changed.status_code == 400
    assert "give the reason" in changed.json()["errors"]["amount"][0]
    over = api.post(
        _url(application, "propose"),
        {"decision": "support", "amount": "3000000.01", "override_reason": "x"},
        format="json",
    )
    assert over.status_code == 400 and "cap" in over.json()["errors"]["amount"][0]
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW
    default = api.post(_url(application, "propose"), {"decision": "support", "reasons": "ok"}, format="json")
    assert default.status_code == 200
    assert default.json()["proposed_amount"] == "3000000.00"
    assert default.json()["allowed_actions"] == []  # the approver's turn
    event = AuditEvent.objects.get(action="application.propose")
    assert event.after["proposed_amount"] == "3000000.00" and event.after["trace"]
    assert not event.visible_to_applicant

    other = _under_review(handler)
    response = api.post(
        _url(other, "propose"),
        {"decision": "support", "amount": "1500000", "override_reason": "half the work was done elsewhere"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["proposed_amount"] == "1500000.00"
    assert response.json()["amount_override_reason"] == "half the work was done elsewhere"


def test_propose_not_support_needs_reasons(handler, api_client) -> None:
    api = api_client(handler)
    application = _under_review(handler)
    assert api.post(_url(application, "propose"), {"decision": "maybe"}, format="json").status_code == 400
    missing = api.post(_url(application, "propose"), {"decision": "not_support"}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["reasons"]
    response = api.post(_url(application, "propose"), {"decision": "not_support", "reasons": "不符"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.REJECTION_PROPOSED


def test_not_supporting_needs_an_approvers_sign_off(
    handler, approver, api_client, django_capture_on_commit_callbacks
) -> None:
    application = _under_review(handler)
    proposed = api_client(handler).post(
        _url(application, "propose"), {"decision": "not_support", "reasons": "不符"}, format="json"
    )
    assert "approve" not in proposed.json()["allowed_actions"]
    # The handler cannot sign their own proposal, through the API's approve either.
    own = api_client(handler).post(_url(application, "approve"), {}, format="json")
    assert own.status_code == 409 and own.json()["code"] == "not_allowed"
    approver_api = api_client(approver)
    seen = approver_api.get(f"/api/v1/applications/{application.reference}/").json()
    assert seen["status"] == Status.REJECTION_PROPOSED and not Notice.objects.filter(application=application).exists()
    with django_capture_on_commit_callbacks(execute=True):
        signed = approver_api.post(_url(application, "approve"), {"version": seen["version"]}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == Status.REJECTED
    decided = Application.objects.get(pk=application.pk)
    assert decided.decided_by == approver and decided.notices.get().kind == Notice.Kind.DECISION_REJECT


def test_a_proposal_not_to_support_can_be_sent_back(handler, approver, api_client) -> None:
    proposed = review.application_propose(actor=handler, application=_under_review(handler), support=False, reasons="x")
    back = api_client(approver).post(_url(proposed, "send-back"), {"reason": "再核实证书"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == Status.UNDER_REVIEW


def test_approve_and_send_back(handler, approver, api_client) -> None:
    fund()
    api = api_client(approver)
    proposed = review.application_propose(actor=handler, application=_under_review(handler), support=True, reasons="")
    assert api.post(_url(proposed, "send-back"), {"reason": ""}, format="json").status_code == 400
    back = api.post(_url(proposed, "send-back"), {"reason": "金额需复核"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == Status.UNDER_REVIEW
    again = review.application_propose(
        actor=handler, application=Application.objects.get(pk=proposed.pk), support=True, reasons=""
    )
    response = api.post(_url(again, "approve"), {"version": again.version}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.APPROVED
    assert Application.objects.get(pk=again.pk).decided_by == approver


def test_a_stale_version_is_a_409_naming_who_changed_it(handler, handler2, submitted, api_client) -> None:
    seen = submitted.version
    review.application_refuse(actor=handler2, application=submitted, reasons="x")
    response = api_client(handler).post(_url(submitted, "accept"), {"version": seen}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "changed"
    assert "changed by award-handler-2" in body["detail"]
    assert AuditEvent.objects.filter(action="application.accept").count() == 0


def test_an_action_the_state_does_not_allow_is_a_409_saying_why(handler, submitted, api_client) -> None:
    response = api_client(handler).post(_url(submitted, "approve"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed"
    assert response.json()["detail"] == "You may not take this action on this application."
    response = api_client(handler).post(_url(submitted, "review"), {}, format="json")
    assert response.json()["detail"] == "“Start review” is not possible while the application is “Submitted”."


def test_messages_follow_the_request_language(handler, submitted) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(handler)
    response = api.post(_url(submitted, "review"), {}, format="json")
    assert response.status_code == 409
    assert "不能执行“开始审核”操作" in response.json()["detail"]


def test_handle_a_non_monetary_application(handler, api_client) -> None:
    application = review.application_accept(actor=handler, application=submit_new(code="m20-guangdong-famous-brand"))
    response = api_client(handler).post(_url(application, "handle"), {"note": "done"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.HANDLED
    assert response.json()["proposed_amount"] is None


def test_the_schema_documents_each_action_with_its_body_and_errors(api_client) -> None:
    schema = api_client().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/queue/" in paths
    for action in ("accept", "return", "reject", "review", "handle", "propose", "approve", "send-back"):
        post = paths[f"/api/v1/applications/{{reference}}/{action}/"]["post"]
        assert set(post["responses"]) >= {"200", "400", "404", "409"}, action
        assert "requestBody" in post, action
    propose = paths["/api/v1/applications/{reference}/propose/"]["post"]
    reference = propose["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][reference]["properties"]) >= {"decision", "amount", "reasons"}
    parameters = {p["name"] for p in paths["/api/v1/queue/"]["get"]["parameters"]}
    assert parameters >= {
        "status",
        "incentive",
        "measure",
        "city",
        "size",
        "overdue",
        "mine",
        "sort",
        "cursor",
        "page_size",
    }


def test_money_is_a_decimal_string(handler, api_client) -> None:
    application = _under_review(handler)
    response = api_client(handler).post(
        _url(application, "propose"),
        {"decision": "support", "amount": 2999999.5, "override_reason": "x"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["proposed_amount"] == "2999999.50"
    assert Application.objects.get(pk=application.pk).proposed_amount == Decimal("2999999.50")


def test_an_officials_view_of_a_document_through_the_api_is_recorded_like_the_pages(
    handler, submitted, api_client
) -> None:
    document = submitted.documents.first()
    url = reverse("api-application-document-file", args=[submitted.reference, document.pk])
    response = api_client(handler).get(url, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="document.view")
    assert (event.actor, event.object_id, event.after) == (handler, str(submitted.pk), {"document": document.pk})
    assert event.ip_address == "198.51.100.4" and not event.visible_to_applicant
    # The applicant reading their own document leaves no such event.
    owner = api_client(submitted.created_by)
    assert owner.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="document.view").count() == 1
