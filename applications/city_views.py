"""The city bureau's recommendation pages (地市初审推荐, issue 12), under /review/:

    /review/city/                          the calls reviewed by the city first (city and provincial officials)
    /review/calls/<call_id>/city/          a call: the city's ranked list and its letters (a city official),
                                           or every city's letters (the call's provincial officials)
    /review/calls/<call_id>/city/letter/   POST: the city approver issues the letter (推荐函)
    /review/city-letters/<pk>/pdf/         the letter's PDF

Views parse input, call one service (applications.city_letters) and render; what an official may
see comes from applications.city_selectors (anything else: 404).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import OfficialRole
from accounts.permissions import signed_in_user
from calls.models import Call
from portal.http import client_ip

from .city_letters import CityLetterError, city_letter_issue
from .city_selectors import (
    city_applications,
    city_first_calls_for,
    forwarded_ranking,
    is_city_official_for,
    letter_visible_to,
    letters_of,
    may_see_city_recommendations,
)


@login_required
def city_calls(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user.official_role and not user.is_superuser:
        raise PermissionDenied
    calls = list(city_first_calls_for(user)[:200])
    return render(request, "review/city_calls.html", {"calls": calls})


def _call_for(request: HttpRequest, call_id: int) -> Call:
    call = get_object_or_404(Call, pk=call_id)
    if not may_see_city_recommendations(request.user, call):
        raise Http404  # the same answer as for a call that does not exist
    return call


def _page(
    request: HttpRequest, call: Call, *, problem: str = "", ranks: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, Any] = {"call": call, "problem": problem}
    if is_city_official_for(user, call):
        forwarded = forwarded_ranking(call, user.city)
        given = ranks or {}
        context.update(
            {
                "city_label": user.get_city_display(),
                "applications": city_applications(call, user.city),
                "forwarded": [(a, given.get(a.pk, str(position))) for position, a in enumerate(forwarded, 1)],
                "can_issue": user.official_role == OfficialRole.CITY_APPROVER and bool(forwarded),
                "letters": letters_of(call, user.city),
                "for_city": True,
            }
        )
    else:
        context.update({"letters": letters_of(call), "for_city": False})
    return render(request, "review/city_call.html", context, status=status)


@login_required
def city_call(request: HttpRequest, call_id: int) -> HttpResponse:
    return _page(request, _call_for(request, call_id))


@login_required
@require_POST
def city_letter_issue_view(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _call_for(request, call_id)
    user = signed_in_user(request)
    raw = {
        int(key[5:]): str(request.POST.get(key, "")).strip()
        for key in request.POST
        if key.startswith("rank-") and key[5:].isdigit() and len(key) < 25
    }
    try:
        ranks = {pk: int(value) for pk, value in raw.items()} if raw else None
    except ValueError:
        return _page(request, call, problem=_("A rank is a whole number: 1, 2, 3 …"), ranks=raw, status=400)
    try:
        letter = city_letter_issue(actor=user, call=call, ranks=ranks, ip_address=client_ip(request))
    except CityLetterError as refused:
        return _page(request, call, problem=refused.message, ranks=raw, status=400)
    messages.success(request, _("Recommendation letter %(number)s is issued.") % {"number": letter.number})
    return redirect("review:city_call", call.pk)


def letter_pdf_response(letter: Any) -> FileResponse:
    if not letter.pdf:
        raise Http404
    try:
        handle = letter.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", filename=f"{letter.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def city_letter_pdf(request: HttpRequest, pk: int) -> FileResponse:
    letter = letter_visible_to(request.user, pk)
    if letter is None:
        raise Http404
    return letter_pdf_response(letter)
