"""Pages of site checks and collective decision meetings. Views parse input, call one service of
decisions.services and render; what an official may see and do comes from decisions.permissions.

    /review/<reference>/site-check/            record a site check (现场核查)
    /site-checks/photos/<id>/                  one photo, for the department's officials
    /calls/manage/<id>/meetings/               the call's meetings
    /calls/manage/<id>/meetings/new/           the meeting page: rank, decide, preview, record
    /calls/manage/meetings/<id>/               one meeting's record
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_department_official, signed_in_user
from applications.review_selectors import access_for_review, is_official
from applications.workflow import TransitionNotAllowed
from calls.models import Call
from experts.ranking import PanelNotClosed
from portal.http import client_ip
from portal.uploads import CONTENT_TYPES, UploadRefused

from .forms import DECISION_CHOICES, TEXT_MAX, DecisionRowForm, MeetingForm, SiteCheckForm
from .models import Meeting, SiteCheckPhoto
from .permissions import (
    department_of_call,
    may_read_meetings,
    may_read_site_checks,
    may_record_meeting,
    may_record_site_check,
)
from .selectors import (
    Candidate,
    allocation_preview,
    department_officials,
    meeting_candidates,
    meetings_listed,
    meetings_of,
)
from .services import DecisionError, meeting_record, site_check_record

# ── site checks ──────────────────────────────────────────────────────────────────────────────


def _refusal_on(form: Any, refused: DecisionError) -> tuple[str, int]:
    """A service's refusal on the page: on its field when the form has it, else as the page's problem
    (returned); the status is 409 for a conflict, else 400."""
    problem = ""
    if refused.field in form.fields:
        form.add_error(refused.field, refused.message)
    else:
        problem = refused.message
    return problem, 409 if refused.conflict else 400


@login_required
@require_http_methods(["GET", "POST"])
def site_check(request: HttpRequest, reference: str) -> HttpResponse:
    if not is_official(request.user):
        raise Http404
    application = access_for_review(request.user, reference)
    if application.call is None or not application.call.site_check:
        raise Http404  # only calls with site checks have this page
    user = signed_in_user(request)
    if not may_record_site_check(user, application):
        raise PermissionDenied
    officials = department_officials(application.incentive.handling_department_id)
    posted = request.method == "POST"
    form = SiteCheckForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        officials=officials,
        initial={"checked_on": timezone.localdate(), "officials": [user.pk]},
    )
    problem, status = "", 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                site_check_record(
                    actor=user,
                    application=application,
                    checked_on=data["checked_on"],
                    official_ids=[o.pk for o in data["officials"]],
                    others_present=data["others_present"],
                    findings=data["findings"],
                    outcome=data["outcome"],
                    photos=data["photos"] or [],
                    ip_address=client_ip(request),
                )
            except UploadRefused as refused:
                form.add_error("photos", refused.message)
                status = 413 if refused.too_large else 400
            except DecisionError as refused:
                problem, status = _refusal_on(form, refused)
            except TransitionNotAllowed as refused:
                problem, status = str(refused), 409
            else:
                messages.success(request, _("The site check is recorded."))
                return redirect("review:application", application.reference)
        else:
            status = 400
    return render(
        request,
        "decisions/site_check_form.html",
        {"application": application, "form": form, "problem": problem},
        status=status,
    )


@login_required
def site_check_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(
        SiteCheckPhoto.objects.select_related("site_check__application__incentive", "site_check__application__call"),
        pk=pk,
    )
    if not may_read_site_checks(request.user, photo.site_check.application):
        raise Http404  # the same answer as a photo that does not exist
    response = FileResponse(photo.file.open("rb"), content_type=CONTENT_TYPES[photo.format])
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ── meetings ─────────────────────────────────────────────────────────────────────────────────


def _call_for(request: HttpRequest, pk: int) -> Call:
    """The call, for an official of its department: other officials get 404, everyone else 403."""
    if not is_department_official(request.user):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.prefetch_related("incentives"), pk=pk)
    if not may_read_meetings(request.user, call):
        raise Http404
    return call


@login_required
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    return render(
        request,
        "decisions/meetings.html",
        {
            "call": call,
            "meetings": list(meetings_listed(call)),
            "may_record": may_record_meeting(request.user, call),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_department_official(request.user):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting.objects.select_related("call"), pk=pk)
    if not may_read_meetings(request.user, meeting.call):
        raise Http404
    meeting = meetings_of(meeting.call).get(pk=pk)
    return render(request, "decisions/meeting.html", {"call": meeting.call, "meeting": meeting})


def _rows(
    candidates: list[Candidate], data: Any
) -> tuple[list[dict[str, Any]], list[tuple[Candidate, bool, str]], bool]:
    """The candidates' row forms; when bound and valid, the decided ones in rank order (rank
    number, then the order shown) as (candidate, support, reasons)."""
    rows: list[dict[str, Any]] = []
    for position, candidate in enumerate(candidates, start=1):
        form = DecisionRowForm(
            data, prefix=f"a{candidate.application.pk}", initial={"rank": position, "decision": "support"}
        )
        rows.append({"candidate": candidate, "form": form, "position": position})
    if data is None:
        return rows, [(r["candidate"], True, "") for r in rows], True
    valid = all(r["form"].is_valid() for r in rows)
    if not valid:
        return rows, [], False
    decided = sorted(
        (r for r in rows if r["form"].cleaned_data["decision"]),
        key=lambda r: (r["form"].cleaned_data["rank"], r["position"]),
    )
    ranked = [
        (r["candidate"], r["form"].cleaned_data["decision"] == "support", r["form"].cleaned_data["reasons"])
        for r in decided
    ]
    return rows, ranked, True


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    user = signed_in_user(request)
    if not may_record_meeting(user, call):
        raise PermissionDenied
    department = department_of_call(call)
    officials = department_officials(department) if department else department_officials(0)
    try:
        candidates = meeting_candidates(call)
    except PanelNotClosed as not_closed:
        # The meeting ranks on the experts' scores: it waits for the panel to close.
        messages.error(request, not_closed.message)
        return redirect("experts:panel", call.pk)
    posted = request.method == "POST"
    data = request.POST if posted else None
    form = MeetingForm(
        data,
        officials=officials,
        initial={"held_on": timezone.localdate(), "chaired_by": user.pk, "attendees": [user.pk]},
    )
    rows, ranked, rows_valid = _rows(candidates, data)
    problem, status = "", 200
    if posted and not (form.is_valid() and rows_valid):
        status = 400
    elif posted and "record" in request.POST:
        scores = {c.application.pk: c.score for c in candidates}
        try:
            meeting = meeting_record(
                actor=user,
                call=call,
                held_on=form.cleaned_data["held_on"],
                chaired_by_id=form.cleaned_data["chaired_by"].pk,
                attendee_ids=[a.pk for a in form.cleaned_data["attendees"]],
                other_attendees=form.cleaned_data["other_attendees"],
                minutes=form.cleaned_data["minutes"],
                decisions=[(c.application, support, reasons) for c, support, reasons in ranked],
                scores=scores,
                ip_address=client_ip(request),
            )
        except DecisionError as refused:
            problem, status = _refusal_on(form, refused)
        except TransitionNotAllowed as refused:
            problem, status = str(refused), 409
        else:
            messages.success(
                request,
                _("Meeting %(number)s is recorded: its proposals now wait for an approver.")
                % {"number": meeting.number},
            )
            return redirect("decisions:meeting", meeting.pk)
    preview = allocation_preview(call, [(c, support) for c, support, _r in ranked]) if ranked else {}
    order = {c.application.pk: i for i, (c, _s, _r) in enumerate(ranked, start=1)}
    for row in rows:
        pk_ = row["candidate"].application.pk
        row["preview"] = preview.get(pk_)
        row["preview_rank"] = order.get(pk_)
    return render(
        request,
        "decisions/meeting_form.html",
        {
            "call": call,
            "form": form,
            "rows": rows,
            "problem": problem,
            "previewed": posted,
            "total_preview": sum(preview.values()) if preview else None,
            "decision_choices": DECISION_CHOICES,
            "reasons_max": TEXT_MAX,
        },
        status=status,
    )
