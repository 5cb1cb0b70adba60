"""The experts' and the officials' pages and the API: each expert sees only their own
assignments, nobody sees scores before the panel closes, the applicant sees only the state."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from applications.models import ApplicationDocument
from experts.models import Assignment, Panel, ScoreCriterion
from experts.services import assignment_score, panel_close, panel_draw
from tests.factories import OfficialFactory
from tests.support.auth import api_key

pytestmark = pytest.mark.django_db

COMMENT_A = "甲专家：质量管理体系成熟"
COMMENT_B = "乙专家：创新成效一般"


@pytest.fixture
def panel(handler, call, make_application, pool, quality) -> Panel:
    make_application()
    make_application()
    return panel_draw(actor=handler, call=call, fields=[quality], seed=42)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def marks(assignment: Assignment, fraction: str) -> dict[int, Decimal]:
    return {
        c.pk: (c.max_points * Decimal(fraction)).quantize(Decimal("0.01"))
        for c in ScoreCriterion.objects.filter(sheet__incentive=assignment.application.incentive)
    }


def two_on_one_application(panel: Panel) -> tuple[Assignment, Assignment]:
    first = panel.assignments.first()
    assert first is not None
    second = panel.assignments.filter(application=first.application).exclude(pk=first.pk).first()
    assert second is not None
    return first, second


def score_all(panel: Panel) -> None:
    for assignment in panel.assignments.all():
        assignment_score(
            actor=assignment.expert.user, assignment=assignment, points=marks(assignment, "0.7"), comment="评审意见"
        )


# ── the expert's pages ─────────────────────────────────────────────────────────────────────────


def test_an_expert_sees_only_their_own_assignments(panel: Panel) -> None:
    mine, theirs = two_on_one_application(panel)
    client = signed_in(mine.expert.user)
    page = client.get(reverse("experts:workspace"))
    assert page.status_code == 200
    own = set(Assignment.objects.filter(expert=mine.expert).values_list("pk", flat=True))
    shown = {a.pk for a in page.context["assignments"]}
    assert shown == own
    assert client.get(reverse("experts:assignment", args=[mine.pk])).status_code == 200
    assert client.get(reverse("experts:assignment", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("experts:assignment", args=[999_999])).status_code == 404


def test_the_assignment_page_shows_the_answers_and_serves_only_its_documents(panel: Panel, make_application) -> None:
    from django.core.files.base import ContentFile

    mine, _theirs = two_on_one_application(panel)
    document = ApplicationDocument.objects.create(
        application=mine.application,
        original_name="证书.pdf",
        format="pdf",
        size=4,
        sha256="0" * 64,
        file=ContentFile(b"%PDF", name="cert.pdf"),
        stored_name="cert.pdf",
        uploaded_by=mine.application.created_by,
    )
    elsewhere = make_application(status="submitted")
    foreign = ApplicationDocument.objects.create(
        application=elsewhere,
        original_name="其他.pdf",
        format="pdf",
        size=4,
        sha256="1" * 64,
        file=ContentFile(b"%PDF", name="other.pdf"),
        stored_name="other.pdf",
        uploaded_by=elsewhere.created_by,
    )
    client = signed_in(mine.expert.user)
    page = client.get(reverse("experts:assignment", args=[mine.pk]))
    assert "证书.pdf" in page.content.decode()
    assert client.get(reverse("experts:assignment_document", args=[mine.pk, document.pk])).status_code == 200
    assert client.get(reverse("experts:assignment_document", args=[mine.pk, foreign.pk])).status_code == 404


def test_the_score_form_saves_and_refuses_bad_points(panel: Panel) -> None:
    mine, _theirs = two_on_one_application(panel)
    client = signed_in(mine.expert.user)
    url = reverse("experts:assignment", args=[mine.pk])
    points = marks(mine, "0.5")
    data = {f"criterion_{pk}": str(v) for pk, v in points.items()}
    bad = {**data, next(iter(data)): "500", "comment": "意见"}
    refused = client.post(url, bad)
    assert refused.status_code == 400 and "between 0" in refused.content.decode()
    assert Assignment.objects.get(pk=mine.pk).scored_at is None
    assert client.post(url, {**data, "comment": ""}).status_code == 400
    saved = client.post(url, {**data, "comment": "意见"})
    assert saved.status_code == 302
    assert Assignment.objects.get(pk=mine.pk).scored_at is not None


def test_experts_do_not_see_each_others_scores_until_the_panel_closes(panel: Panel, handler) -> None:
    mine, theirs = two_on_one_application(panel)
    assignment_score(actor=mine.expert.user, assignment=mine, points=marks(mine, "0.9"), comment=COMMENT_A)
    assignment_score(actor=theirs.expert.user, assignment=theirs, points=marks(theirs, "0.4"), comment=COMMENT_B)
    client = signed_in(mine.expert.user)
    before = client.get(reverse("experts:assignment", args=[mine.pk])).content.decode()
    assert COMMENT_A in before and COMMENT_B not in before
    # The officials see the progress, not the points or the comments.
    official = signed_in(handler).get(reverse("experts:panel", args=[panel.call_id])).content.decode()
    assert "2 of 6 scored" in official and COMMENT_A not in official and "36.00" not in official
    score_all_others(panel, mine, theirs)
    panel_close(actor=handler, panel=panel)
    after = client.get(reverse("experts:assignment", args=[mine.pk])).content.decode()
    assert COMMENT_A in after and COMMENT_B in after
    closed = signed_in(handler).get(reverse("experts:panel", args=[panel.call_id]))
    assert closed.status_code == 200 and len(closed.context["ranking"]) == 2
    assert COMMENT_A in closed.content.decode() and "90.00" in closed.content.decode()  # 0.9 × 100, weights 1


def score_all_others(panel: Panel, *done: Assignment) -> None:
    for assignment in panel.assignments.exclude(pk__in=[a.pk for a in done]):
        assignment_score(
            actor=assignment.expert.user, assignment=assignment, points=marks(assignment, "0.7"), comment="评审意见"
        )


def test_experts_get_no_officials_pages(panel: Panel) -> None:
    client = signed_in(panel.assignments.first().expert.user)  # type: ignore[union-attr]
    assert client.get(reverse("experts:panel", args=[panel.call_id])).status_code == 404
    assert client.get(reverse("review:queue")).status_code in (403, 404)
    assert client.get(reverse("calls:manage")).status_code == 403
    assert client.post(reverse("experts:panel_close", args=[panel.call_id])).status_code == 404


def test_non_experts_have_no_workspace(handler, panel: Panel) -> None:
    assert signed_in(handler).get(reverse("experts:workspace")).status_code == 403
    application = panel.assignments.first().application  # type: ignore[union-attr]
    assert signed_in(application.created_by).get(reverse("experts:workspace")).status_code == 403
    assert Client().get(reverse("experts:workspace")).status_code == 302


# ── the officials' pages ───────────────────────────────────────────────────────────────────────


def test_the_department_draws_from_the_panel_page(handler, call, make_application, pool, quality) -> None:
    make_application()
    client = signed_in(handler)
    page = client.get(reverse("experts:panel", args=[call.pk]))
    assert page.status_code == 200 and "Draw the panel" in page.content.decode()
    assert client.post(reverse("experts:panel_draw", args=[call.pk]), {}).status_code == 400
    drawn = client.post(reverse("experts:panel_draw", args=[call.pk]), {"fields_of_expertise": [quality.pk]})
    assert drawn.status_code == 302
    assert Panel.objects.get(call=call).assignments.count() == 3


def test_a_draw_with_too_few_experts_says_which_application(handler, call, make_application, make_expert, quality):
    application = make_application()
    make_expert()
    client = signed_in(handler)
    refused = client.post(reverse("experts:panel_draw", args=[call.pk]), {"fields_of_expertise": [quality.pk]})
    assert refused.status_code == 400 and application.reference in refused.content.decode()
    assert not Panel.objects.exists()


def test_another_departments_official_gets_404(panel: Panel) -> None:
    other = OfficialFactory(role=OfficialRole.HANDLER, department="miit")
    assert signed_in(other).get(reverse("experts:panel", args=[panel.call_id])).status_code == 404


def test_closing_from_the_page_needs_complete_scoring(handler, panel: Panel) -> None:
    client = signed_in(handler)
    refused = client.post(reverse("experts:panel_close", args=[panel.call_id]))
    assert refused.status_code == 409
    missing = panel.assignments.first()
    assert missing is not None
    assert (
        client.post(
            reverse("experts:assignment_missing", args=[panel.call_id, missing.pk]), {"reason": "专家回避"}
        ).status_code
        == 302
    )
    score_all_others(panel, missing)
    assert client.post(reverse("experts:panel_close", args=[panel.call_id])).status_code == 302
    assert Panel.objects.get(pk=panel.pk).closed_at is not None


def test_the_applicant_page_says_expert_review_under_way_without_names(panel: Panel, handler) -> None:
    assignment = panel.assignments.first()
    assert assignment is not None
    application = assignment.application
    client = signed_in(application.created_by)
    page = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert "Expert review" in page and "Under way" in page
    assert str(assignment.expert) not in page


# ── the API ────────────────────────────────────────────────────────────────────────────────────


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def test_the_api_lists_only_the_experts_own_assignments(panel: Panel, handler) -> None:
    mine, _theirs = two_on_one_application(panel)
    answer = api(mine.expert.user).get("/api/v1/expert/assignments/")
    assert answer.status_code == 200
    ids = {row["id"] for row in answer.json()["results"]}
    assert ids == set(Assignment.objects.filter(expert=mine.expert).values_list("pk", flat=True))
    row = next(r for r in answer.json()["results"] if r["id"] == mine.pk)
    assert row["application"] == mine.application.reference and len(row["criteria"]) == 4
    assert api(handler).get("/api/v1/expert/assignments/").status_code == 403
    assert api(None).get("/api/v1/expert/assignments/").status_code == 401


def test_the_api_scores_own_assignments_only(panel: Panel, handler) -> None:
    mine, theirs = two_on_one_application(panel)
    body = {"points": [{"criterion": k, "points": str(v)} for k, v in marks(mine, "0.8").items()], "comment": "良好"}
    client = api(mine.expert.user)
    assert client.post(f"/api/v1/expert/assignments/{theirs.pk}/score/", body, format="json").status_code == 404
    bad = {**body, "points": [{**body["points"][0], "points": "-3"}, *body["points"][1:]]}
    refused = client.post(f"/api/v1/expert/assignments/{mine.pk}/score/", bad, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    saved = client.post(f"/api/v1/expert/assignments/{mine.pk}/score/", body, format="json")
    assert saved.status_code == 200 and saved.json()["scored_at"]
    assert {c["points"] for c in saved.json()["criteria"]} == {"16.00", "20.00", "24.00"}
    score_all_others(panel, mine)
    panel_close(actor=handler, panel=panel)
    assert client.post(f"/api/v1/expert/assignments/{mine.pk}/score/", body, format="json").status_code == 409


def test_the_api_gives_the_ranking_to_the_department_once_closed(panel: Panel, handler) -> None:
    url = f"/api/v1/calls/{panel.call_id}/panel/results/"
    assert api(handler).get(url).status_code == 409
    score_all(panel)
    panel_close(actor=handler, panel=panel)
    answer = api(handler).get(url)
    assert answer.status_code == 200
    assert [row["rank"] for row in answer.json()] == [1, 2]
    assert answer.json()[0]["score"] == "70.00"
    expert = panel.assignments.first().expert.user  # type: ignore[union-attr]
    assert api(expert).get(url).status_code == 404
    assert api(OfficialFactory(role=OfficialRole.HANDLER, department="miit")).get(url).status_code == 404


def test_an_expert_obtains_an_api_key_with_the_password(panel: Panel) -> None:
    from tests.factories import PASSWORD

    expert = panel.assignments.first().expert.user  # type: ignore[union-attr]
    answer = APIClient().post("/api/v1/auth/token/", {"username": expert.username, "password": PASSWORD}, format="json")
    assert answer.status_code in (200, 201), answer.content
    token = answer.json().get("token") or answer.json().get("key")
    listed = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/expert/assignments/")
    assert listed.status_code == 200 and listed.json()["count"] >= 1
