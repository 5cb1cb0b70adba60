"""Pages of calls: the public page of one call, and the officials' list and form under /calls/manage/.

Views parse input, call one service of calls.services and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_administrator, signed_in_user
from portal.http import client_ip

from .forms import CallForm
from .models import Call
from .permissions import may_manage_call_for, may_manage_calls
from .selectors import call_queryset, calls_managed_by
from .services import CallError, call_save


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(call_queryset(), pk=pk)
    return render(request, "calls/detail.html", {"call": call, "incentives": list(call.incentives.all())})


def notice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    call = get_object_or_404(Call, pk=pk)
    if not call.notice_pdf:
        raise Http404
    return FileResponse(call.notice_pdf.open("rb"), content_type="application/pdf", filename=f"call-{call.pk}.pdf")


def _require_manager(request: HttpRequest) -> None:
    if not may_manage_calls(request.user):
        raise PermissionDenied


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    user = signed_in_user(request)
    calls = calls_managed_by(None if is_administrator(user) else user.department_id)
    return render(request, "calls/manage_list.html", {"calls": list(calls[:200])})


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    user = signed_in_user(request)
    call = get_object_or_404(Call.objects.prefetch_related("incentives"), pk=pk) if pk is not None else Call()
    if pk is not None and not may_manage_call_for(user, call.incentives.all()):
        raise Http404  # not theirs: the same answer as a call that does not exist
    stored_pdf = call.notice_pdf.name if pk is not None else ""
    form = CallForm(request.POST or None, request.FILES or None, instance=call, user=user)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        upload = request.FILES.get("notice_pdf")
        edited.notice_pdf = stored_pdf  # a new file goes through the service's check
        try:
            saved = call_save(
                actor=user,
                call=edited,
                incentives=form.cleaned_data["incentives"],
                notice_pdf=upload,
                ip_address=client_ip(request),
            )
        except CallError as refused:
            for field, problems in refused.problems.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not refused.problems:
                form.add_error(None, refused.message)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("calls:manage_edit", saved.pk)
    return render(
        request,
        "calls/manage_form.html",
        {"form": form, "call": call if pk is not None else None},
        status=400 if form.errors else 200,
    )
