"""Checking that a notice is genuine, and the applicant's download of their notices.

    GET /verify/                      a form to type a verification code (public)
    GET /verify/<code>/               the notice's essentials, or a 404 page (public, throttled)
    GET /api/v1/verify/<code>/        the same as JSON, or a 404 in the API's error format (throttled)
    GET /notices/<id>/pdf/            the PDF, for whoever may see the application; others 404

A code is case-insensitive and may be typed with spaces or hyphens. Lookups are limited per
address (30 a minute, page and API together) so nobody can try codes in bulk.

portal/urls.py includes `urlpatterns` at the root (it names its own paths) and
`api_urlpatterns` under /api/v1/.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import signed_in_user
from portal.api import AddressRateThrottle
from portal.http import client_ip

from .models import Notice
from .notices import format_code, normalise_code, notice_by_code, public_essentials
from .review import document_viewed
from .selectors import access_application


class VerifyRateThrottle(AddressRateThrottle):
    """Per address, signed in or not: verification needs no account, so an account must not lift
    the limit. Shared by the page and the API (one bucket per address)."""

    scope = "notice_verify"
    rate = "30/min"


# ---- pages ----------------------------------------------------------------------------------------


def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code")
    if typed is not None:
        code = normalise_code(typed)
        if code is not None:
            return redirect("verify:notice", code=code)
        problem = (
            _("Enter the verification code printed at the foot of the notice.")
            if not typed.strip()
            else _("A verification code has 12 letters and digits, like ABCD EFGH JKMN.")
        )
        return render(request, "verify/form.html", {"problem": problem, "typed": typed}, status=400)
    return render(request, "verify/form.html", {})


def verify_notice(request: HttpRequest, code: str) -> HttpResponse:
    throttle = VerifyRateThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # a page, no APIView: the throttle reads META
        wait = throttle.wait()
        response = render(request, "verify/throttled.html", {"wait": int(wait or 60)}, status=429)
        response["Retry-After"] = str(int(wait or 60))
        return response
    notice = notice_by_code(code)
    if notice is None:
        return render(request, "verify/not_found.html", {"typed": code}, status=404)
    facts = public_essentials(notice)
    return render(
        request,
        "verify/notice.html",
        {
            "notice": notice,
            "facts": facts,
            "code_display": format_code(notice.verification_code),
            "amount_display": f"{Decimal(facts['amount']):,.2f}" if facts["amount"] else "",
        },
    )


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The notice's PDF for the application's owner and the officials who may see it; the same 404
    for a missing notice and for someone else's."""
    notice = Notice.objects.filter(pk=pk).only("pk", "application_id", "number", "pdf").first()
    if notice is None or not notice.pdf:
        raise Http404
    application = access_application(request.user, notice.application_id)  # 404 unless the user may see it
    # Officials' reads of an applicant's papers are on the record, like their document views.
    document_viewed(
        actor=signed_in_user(request),
        application=application,
        document_id=notice.pk,
        ip_address=client_ip(request),
        kind="notice",
    )
    try:
        handle = notice.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", filename=f"{notice.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- API ------------------------------------------------------------------------------------------


class NoticeVerificationSerializer(serializers.Serializer):
    genuine = serializers.BooleanField(help_text="Always true: unknown codes are a 404.")
    number = serializers.CharField(help_text="The notice number, e.g. 粤质品〔2026〕QB-2026-17-000123-SL.")
    kind = serializers.ChoiceField(choices=Notice.Kind.choices)
    title = serializers.CharField(help_text="The notice's title in the request's language.")
    department = serializers.CharField(help_text="The issuing department, in the request's language.")
    date = serializers.DateField(help_text="The date the notice bears (the decision's date).")
    issued_at = serializers.DateTimeField()
    reference = serializers.CharField(help_text="The application's reference number.")
    applicant_name = serializers.CharField()
    applicant_identifier = serializers.CharField(
        help_text="The enterprise's credit code, or an individual's resident ID masked (440305********1234)."
    )
    incentive = serializers.CharField(help_text="The incentive, in the request's language.")
    measure_number = serializers.IntegerField()
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text="CNY, for decisions to support; else null."
    )
    supplement_deadline = serializers.DateField(allow_null=True, help_text="For supplement requests; else null.")
    pdf_sha256 = serializers.CharField(help_text="SHA-256 of the PDF as issued: compare with a copy's.")


class NoticeVerifyView(APIView):
    authentication_classes: list[Any] = []  # anyone; no session, so no CSRF
    permission_classes = [permissions.AllowAny]
    throttle_classes = [VerifyRateThrottle]

    @extend_schema(
        operation_id="verify_notice",
        summary="What a notice says, to check that a copy is genuine",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The verification code on the notice (12 characters; case and spaces do not matter).",
            )
        ],
        responses={200: NoticeVerificationSerializer},
        tags=["verify"],
    )
    def get(self, request: Request, code: str) -> Response:
        notice = notice_by_code(code)
        if notice is None:
            raise exceptions.NotFound(_("No notice has this verification code."))
        return Response(NoticeVerificationSerializer({"genuine": True, **public_essentials(notice)}).data)


app_name = "verify"

urlpatterns = [
    path("verify/", verify_form, name="form"),
    path("verify/<str:code>/", verify_notice, name="notice"),
    path("notices/<int:pk>/pdf/", notice_pdf, name="notice_pdf"),
]

api_urlpatterns = [
    path("verify/<str:code>/", NoticeVerifyView.as_view(), name="api-verify"),
]
