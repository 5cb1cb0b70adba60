"""Pages of expert review.

Experts: /experts/ (their assignments), /experts/assignments/<id>/ (the application read-only,
its documents, the score form). Department officials: /experts/calls/<id>/panel/ (draw, the
assignments and progress, close, then the ranking), with POSTs to draw, close and record an
assignment as missing. Views parse input, call one service and render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import signed_in_user
from applications.document_views import document_file_response
from applications.models import Application
from applications.presentation import answers
from audit.services import audit_record
from portal.http import client_ip

from .forms import DrawForm, MissingForm, ScoreForm
from .permissions import is_expert
from .ranking import PanelNotClosed, panel_ranking
from .selectors import (
    access_assignment,
    access_panel_call,
    assignment_document,
    assignment_totals,
    assignments_listed,
    criteria_for,
    expert_review_state,
    own_points,
    panel_application_ids,
    panel_assignment,
    panel_counts,
    panel_of,
    panel_progress,
    ranked_applications,
    scores_of_application,
)
from .services import (
    ExpertReviewError,
    applications_to_review,
    assignment_mark_missing,
    assignment_score,
    panel_close,
    panel_draw,
)

PANEL_PAGE_SIZE = 50  # applications per page of a panel's assignments
REVIEW_LABEL = gettext_lazy("Expert review")
STATES = {
    "under_way": gettext_lazy("Under way: experts are reviewing the application."),
    "done": gettext_lazy("Done: the experts' review is complete; the department decides next."),
}


def expert_review_fact(*, application: Application) -> list[tuple[Any, Any]]:
    """The applicant's page: whether the expert review is under way or done (applications' hook)."""
    state = expert_review_state(application)
    return [(REVIEW_LABEL, STATES[state])] if state else []


def _require_expert(request: HttpRequest) -> None:
    if not is_expert(request.user):
        raise PermissionDenied


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    _require_expert(request)
    rows = list(assignments_listed(request.user))
    return render(request, "experts/workspace.html", {"assignments": rows})


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_assignment(request.user, pk)
    application = found.application
    criteria = criteria_for(application)
    panel = found.panel
    form = ScoreForm(
        request.POST or None, criteria=criteria, initial_points=own_points(found), initial={"comment": found.comment}
    )
    problem = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                assignment_score(
                    actor=signed_in_user(request),
                    assignment=found,
                    points=form.points(),
                    comment=form.cleaned_data["comment"],
                    ip_address=client_ip(request),
                )
            except ExpertReviewError as refused:
                for name, problems in refused.problems.items():
                    for message in problems:
                        form.add_error(name if name in form.fields else None, message)
                if not refused.problems:
                    problem = refused.message
                status = 409 if refused.code == "conflict" else 400
            else:
                messages.success(request, _("Your score is saved. You may change it until the panel closes."))
                return redirect("experts:assignment", found.pk)
        else:
            status = 400
    error_links = [
        (f"#{form[name].auto_id}" if name in form.fields else "#", message)
        for name, errors in form.errors.items()
        for message in errors
    ]
    return render(
        request,
        "experts/assignment.html",
        {
            "assignment": found,
            "application": application,
            "panel": panel,
            "answers": answers(application),
            "documents": list(application.documents.order_by("pk")),
            "criteria": criteria,
            "form": form,
            "editable": not panel.is_closed and not found.missing_reason,
            # Only once the panel closed: every expert's scores on this application.
            "all_scores": scores_of_application(panel, application.pk) if panel.is_closed else [],
            "problem": problem,
            "error_links": error_links,
        },
        status=status,
    )


@login_required
def assignment_file(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    found = access_assignment(request.user, pk)
    document = assignment_document(found, document_id)
    audit_record(
        actor=request.user,
        action="document.view",
        obj=document.application,
        after={"document": document.pk, "by": "expert"},
        ip_address=client_ip(request),
        visible_to_applicant=False,
    )
    return document_file_response(document)


# ── officials ──────────────────────────────────────────────────────────────────────────────────


def _panel_page(
    request: HttpRequest,
    pk: int,
    *,
    draw_form: DrawForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    call = access_panel_call(request.user, pk)
    panel = panel_of(call)
    context: dict[str, Any] = {"call": call, "panel": panel, "problem": problem}
    if panel is None:
        context["draw_form"] = draw_form or DrawForm()
        context["to_review"] = applications_to_review(call) if call.expert_review else []
    else:
        # The assignments a page at a time: a provincial round has thousands of applications with
        # five experts each (a 2,000-application round's page took 1.2 s listing them all).
        page = Paginator(panel_application_ids(panel), PANEL_PAGE_SIZE).get_page(request.GET.get("page"))
        progress = panel_progress(panel, list(page.object_list))
        context |= {"progress": progress, "page": page, **panel_counts(panel), "missing_form": MissingForm()}
        if panel.is_closed:
            # Closed: each expert's total and comment show beside their name.
            totals = assignment_totals(panel)
            for row in progress:
                for item in row.assignments:
                    item.total = totals.get(item.pk)  # type: ignore[attr-defined]
            try:
                ranking = panel_ranking(call)
            except PanelNotClosed:  # pragma: no cover - closed just above
                ranking = []
            by_id = ranked_applications(ranking)
            context["ranking"] = [(result, by_id.get(result.application_id)) for result in ranking]
    return render(request, "experts/panel.html", context, status=status)


@login_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel_page(request, pk)


@login_required
@require_POST
def panel_draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    call = access_panel_call(request.user, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _panel_page(request, pk, draw_form=form, status=400)
    try:
        panel_draw(
            actor=signed_in_user(request),
            call=call,
            fields=form.cleaned_data["fields_of_expertise"],
            ip_address=client_ip(request),
        )
    except ExpertReviewError as refused:
        return _panel_page(
            request, pk, draw_form=form, problem=refused.message, status=409 if refused.code == "conflict" else 400
        )
    messages.success(request, _("The panel is drawn."))
    return redirect("experts:panel", call.pk)


@login_required
@require_POST
def panel_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    call = access_panel_call(request.user, pk)
    found = panel_of(call)
    if found is None:
        raise Http404
    try:
        panel_close(actor=signed_in_user(request), panel=found, ip_address=client_ip(request))
    except ExpertReviewError as refused:
        return _panel_page(request, pk, problem=refused.message, status=409)
    messages.success(request, _("The panel is closed: the scores are final."))
    return redirect("experts:panel", call.pk)


@login_required
@require_POST
def assignment_missing(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    call = access_panel_call(request.user, pk)
    found = panel_assignment(call, assignment_id)
    form = MissingForm(request.POST)
    if not form.is_valid():
        return _panel_page(request, pk, problem=_("Say why this assignment is not scored."), status=400)
    try:
        assignment_mark_missing(
            actor=signed_in_user(request),
            assignment=found,
            reason=form.cleaned_data["reason"],
            ip_address=client_ip(request),
        )
    except ExpertReviewError as refused:
        return _panel_page(request, pk, problem=refused.message, status=409 if refused.code == "conflict" else 400)
    messages.success(request, _("The assignment is recorded as not scored."))
    return redirect("experts:panel", call.pk)
