"""Pages of public announcements (公示) and objections (异议), under /announcements/.

Public: the list (current and past), an announcement with its entries and, while the period
runs, the objection form (no sign-in; 5 an hour per address, shared with the API), and the
confirmation with the tracking number. Officials of the department: publish, resolve
objections, finalise what is due. Views parse, call one service (awards.announcements), render.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import OfficialRole, User
from accounts.permissions import signed_in_user
from applications.workflow import TransitionNotAllowed
from portal.http import client_ip

from .api import ObjectionRateThrottle
from .forms import ObjectionForm, PublishForm, ResolveForm
from .models import Announcement, Objection
from .permissions import is_department_official
from .selectors import (
    announceable_applications,
    announcement_entries,
    announcement_objections,
    announcements_current,
    announcements_past,
    announcements_with_totals,
    objection_period_problem,
    open_objection_count,
    period_is_provisional,
)
from .services import (
    AnnouncementConflict,
    AnnouncementError,
    AnnouncementNotAllowed,
    announcement_finalise,
    announcement_publish,
    objection_lodge,
    objection_resolve,
)

PAST_PAGE_SIZE = 20


RECEIVED_KEY = "objection_received"


def _announcement(pk: int) -> Announcement:
    return get_object_or_404(announcements_with_totals(), pk=pk)


def _error_links(form: Any) -> list[tuple[str, str]]:
    links = [("", str(m)) for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            # A group of radios is reached through its first option.
            radios = getattr(form.fields[name].widget, "input_type", "") == "radio"
            target = f"#{form[name].auto_id}{'_0' if radios else ''}"
            links += [(target, str(m)) for m in errors]
    return links


def _add_problems(form: Any, error: AnnouncementError) -> None:
    if not error.problems:
        form.add_error(None, error.message)
    for field, problems in error.problems.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def announcement_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    past = Paginator(announcements_past(today), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "announcements/list.html",
        {
            "current": list(announcements_current(today)),
            "past": past,
            "today": today,
            "can_publish": is_department_official(user, getattr(user, "department_id", None)),
        },
    )


def _render_detail(
    request: HttpRequest,
    announcement: Announcement,
    *,
    form: ObjectionForm | None = None,
    entries: list[Any] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    entries = entries if entries is not None else list(announcement_entries(announcement))
    closed = objection_period_problem(announcement)
    user = request.user
    official = is_department_official(user, announcement.department_id)
    return render(
        request,
        "announcements/detail.html",
        {
            "announcement": announcement,
            "entries": entries,
            "objections_open": not closed,
            "closed_message": closed,
            "form": form or ObjectionForm(entries=entries),
            "error_links": _error_links(form) if form is not None else [],
            "problem": problem,
            "official": official,
            "is_approver": official and isinstance(user, User) and user.official_role == OfficialRole.APPROVER,
            "open_objections": open_objection_count(announcement) if official else 0,
            "provisional": period_is_provisional(announcement),
            "period_over": timezone.localdate() > announcement.ends_on,
        },
        status=status,
    )


def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _announcement(pk))


@require_POST
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Lodges an objection from the announcement's page; the throttle counts complete ones only."""
    announcement = _announcement(pk)
    closed = objection_period_problem(announcement)
    if closed:
        return _render_detail(request, announcement, problem=closed, status=409)
    entries = list(announcement_entries(announcement))
    form = ObjectionForm(request.POST, entries=entries)
    if not form.is_valid():
        return _render_detail(request, announcement, form=form, entries=entries, status=400)
    throttle = ObjectionRateThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # a page, no APIView: the throttle reads META
        wait = int(throttle.wait() or 3600)
        minutes = max(1, -(-wait // 60))
        response = render(
            request, "announcements/throttled.html", {"announcement": announcement, "minutes": minutes}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        objection = objection_lodge(
            actor=request.user,
            announcement=announcement,
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
            reason=form.cleaned_data["reason"],
            entry=form.chosen_entry(),
            ip_address=client_ip(request),
        )
    except AnnouncementConflict as exc:
        return _render_detail(request, announcement, problem=exc.message, status=409)
    except AnnouncementError as exc:
        _add_problems(form, exc)
        return _render_detail(request, announcement, form=form, entries=entries, status=400)
    request.session[RECEIVED_KEY] = {"announcement": announcement.pk, "number": objection.tracking_number}
    return redirect("announcements:objection_received", pk=announcement.pk)


def objection_received(request: HttpRequest, pk: int) -> HttpResponse:
    received = request.session.get(RECEIVED_KEY) or {}
    if received.get("announcement") != pk:
        return redirect("announcements:detail", pk=pk)
    announcement = _announcement(pk)
    return render(
        request, "announcements/objection_received.html", {"announcement": announcement, "number": received["number"]}
    )


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not is_department_official(user, user.department_id):
        raise PermissionDenied
    department = user.department
    assert department is not None, "is_department_official: an official of a department"
    candidates = list(announceable_applications(user))
    initial = {
        "title": _("%(department)s: proposed awards for public announcement (%(day)s)")
        % {"department": department.localized("name"), "day": timezone.localdate().isoformat()}
    }
    form = PublishForm(request.POST or None, candidates=candidates, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = set(form.cleaned_data["applications"])
            try:
                announcement = announcement_publish(
                    actor=user,
                    department=department,
                    applications=[c for c in candidates if c.reference in chosen],
                    title=form.cleaned_data["title"],
                    period_days=form.cleaned_data["period_days"],
                )
            except AnnouncementNotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except (AnnouncementError, TransitionNotAllowed) as exc:
                _add_problems(form, exc if isinstance(exc, AnnouncementError) else AnnouncementError(str(exc)))
            else:
                messages.success(
                    request,
                    _("The announcement is published. Objections are accepted until %(day)s.")
                    % {"day": announcement.ends_on.isoformat()},
                )
                return redirect("announcements:detail", pk=announcement.pk)
        status = 400
    chosen = set(form["applications"].value() or [])
    return render(
        request,
        "announcements/publish.html",
        {"form": form, "candidates": candidates, "chosen": chosen, "error_links": _error_links(form)},
        status=status,
    )


def _require_department_official(request: HttpRequest, announcement: Announcement) -> User:
    """The signed-in official of the announcement's department; PermissionDenied for anyone else."""
    user = request.user
    if not isinstance(user, User) or not is_department_official(user, announcement.department_id):
        raise PermissionDenied
    return user


def _render_objections(
    request: HttpRequest,
    announcement: Announcement,
    *,
    bound: dict[int, ResolveForm] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    can_uphold = signed_in_user(request).official_role == OfficialRole.APPROVER
    rows = []
    for objection in announcement_objections(announcement):
        form = None
        if objection.status == Objection.Status.OPEN:
            form = bound.get(objection.pk) or ResolveForm(prefix=f"objection-{objection.pk}", can_uphold=can_uphold)
        rows.append({"objection": objection, "form": form})
    error_links = [link for form in bound.values() for link in _error_links(form)]
    return render(
        request,
        "announcements/objections.html",
        {
            "announcement": announcement,
            "rows": rows,
            "open_count": sum(1 for r in rows if r["form"] is not None),
            "can_uphold": can_uphold,
            "problem": problem,
            "error_links": error_links,
        },
        status=status,
    )


@login_required
def objections(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(pk)
    _require_department_official(request, announcement)
    return _render_objections(request, announcement)


@login_required
@require_POST
def objection_resolve_view(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    announcement = _announcement(pk)
    official = _require_department_official(request, announcement)
    objection = get_object_or_404(
        Objection.objects.select_related("announcement"), pk=objection_id, announcement=announcement
    )
    can_uphold = official.official_role == OfficialRole.APPROVER
    form = ResolveForm(request.POST, prefix=f"objection-{objection.pk}", can_uphold=can_uphold)
    if not form.is_valid():
        return _render_objections(request, announcement, bound={objection.pk: form}, status=400)
    upheld = form.cleaned_data["decision"] == "upheld"
    try:
        objection_resolve(
            actor=official,
            objection=objection,
            upheld=upheld,
            resolution=form.cleaned_data["resolution"],
            ip_address=client_ip(request),
        )
    except AnnouncementNotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except AnnouncementConflict as exc:
        return _render_objections(request, announcement, problem=exc.message, status=409)
    except TransitionNotAllowed as exc:
        return _render_objections(request, announcement, problem=str(exc), status=409)
    except AnnouncementError as exc:
        _add_problems(form, exc)
        return _render_objections(request, announcement, bound={objection.pk: form}, status=400)
    if upheld:
        message = _("Objection %(number)s is upheld: the award is withdrawn and the applicant informed.")
    else:
        message = _("Objection %(number)s is dismissed; your reasons are recorded.")
    messages.success(request, message % {"number": objection.tracking_number})
    return redirect("announcements:objections", pk=announcement.pk)


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(pk)
    official = _require_department_official(request, announcement)
    try:
        done = announcement_finalise(actor=official, announcement=announcement)
    except AnnouncementNotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except AnnouncementConflict as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s award is now final: %(references)s",
                    "%(count)s awards are now final: %(references)s",
                    len(done),
                )
                % {"count": len(done), "references": ", ".join(done)},
            )
        else:
            messages.info(request, _("No award is due: each is already final or withdrawn, or has an open objection."))
    return redirect("announcements:detail", pk=announcement.pk)
