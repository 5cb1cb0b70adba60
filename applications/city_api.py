"""API of the city bureau's recommendations (地市初审推荐, issue 12), read only:

    GET /api/v1/calls/{call_id}/city-recommendations/   a city official: their city's applications in the
                                                        call (ranked, with amounts asked) and its letters;
                                                        the call's provincial officials: every city's letters
    GET /api/v1/city-letters/{id}/pdf/                  a letter's PDF, for those who may see it

Anyone else gets 404, as for a call or letter that does not exist. Letters are issued on the page.
"""

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import signed_in_user
from calls.models import Call
from portal.api import ErrorSerializer

from .api import ApplicantAPIMixin
from .city_selectors import (
    LetterView,
    city_applications,
    forwarded_ranking,
    is_city_official_for,
    letter_visible_to,
    letters_of,
    may_see_city_recommendations,
)
from .city_views import letter_pdf_response
from .models import Application


class CityApplicationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    applicant = serializers.CharField(source="applicant.name")
    status = serializers.CharField()
    city_recommended = serializers.BooleanField(allow_null=True)
    city_signed_at = serializers.DateTimeField(source="city_decided_at", allow_null=True)
    city_reasons = serializers.CharField()
    amount_asked = serializers.DecimalField(source="estimated_amount", max_digits=18, decimal_places=2, allow_null=True)


class LetterEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    reference = serializers.CharField(source="application.reference")
    applicant = serializers.CharField(source="application.applicant.name")
    amount_asked = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    reasons = serializers.CharField()


class LetterSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="letter.pk")
    number = serializers.CharField(source="letter.number")
    city = serializers.CharField(source="letter.city")
    issued_at = serializers.DateTimeField(source="letter.issued_at")
    issued_by = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()
    total_asked = serializers.DecimalField(source="total", max_digits=18, decimal_places=2)
    pdf = serializers.SerializerMethodField()
    entries = LetterEntrySerializer(many=True)

    def get_issued_by(self, view: LetterView) -> str:
        return str(view.letter.issued_by)

    def get_superseded_by(self, view: LetterView) -> str | None:
        return view.superseded_by.number if view.superseded_by else None

    def get_pdf(self, view: LetterView) -> str:
        return reverse("api-city-letter-pdf", args=[view.letter.pk])


class CityRecommendationsSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    city = serializers.CharField(allow_null=True, help_text="The city official's city; null for provincial officials.")
    applications = CityApplicationSerializer(many=True, help_text="City officials only: the city's applications.")
    proposed_ranking = serializers.ListField(
        child=serializers.CharField(), help_text="City officials only: the forwarded references, in the letter's order."
    )
    letters = LetterSerializer(many=True)


class CityRecommendationsView(ApplicantAPIMixin, APIView):
    @extend_schema(
        summary="A call's city recommendation list and letters (地市初审推荐, 推荐函)",
        responses={200: CityRecommendationsSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, call_id: int) -> Response:
        user = signed_in_user(request)
        call = get_object_or_404(Call, pk=call_id)
        if not may_see_city_recommendations(user, call):
            raise Http404
        applications: list[Application] = []
        ranking: list[str] = []
        city: str | None = None
        if is_city_official_for(user, call):
            city = user.city
            applications = city_applications(call, city)
            ranking = [a.reference or "" for a in forwarded_ranking(call, city)]
        data: dict[str, Any] = {
            "call": call.pk,
            "city": city,
            "applications": applications,
            "proposed_ranking": ranking,
            "letters": letters_of(call, city),
        }
        return Response(CityRecommendationsSerializer(data).data)


class CityLetterPdfView(ApplicantAPIMixin, APIView):
    @extend_schema(
        summary="A city recommendation letter's PDF",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        letter = letter_visible_to(signed_in_user(request), pk)
        if letter is None:
            raise Http404
        return letter_pdf_response(letter)


api_urlpatterns = [
    path(
        "calls/<int:call_id>/city-recommendations/",
        CityRecommendationsView.as_view(),
        name="api-city-recommendations",
    ),
    path("city-letters/<int:pk>/pdf/", CityLetterPdfView.as_view(), name="api-city-letter-pdf"),
]
