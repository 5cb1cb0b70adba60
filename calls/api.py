"""Public API of calls: /api/v1/calls/ (filters `status`, `incentive`) and /api/v1/calls/{id}/."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api import ErrorSerializer

from .models import Call, CallStatus
from .selectors import call_list, call_queryset
from .serializers import CallSerializer


class CallListView(generics.ListAPIView):
    serializer_class = CallSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Call]:
        status = self.request.query_params.get("status", "")
        if status and status not in CallStatus.values:
            raise exceptions.ValidationError(
                {"status": [_("Choose one of: %(values)s.") % {"values": ", ".join(CallStatus.values)}]}
            )
        return call_list(status=status, incentive_code=self.request.query_params.get("incentive", "").strip()[:60])

    @extend_schema(
        summary="Calls for applications (申报通知), newest first",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CallStatus.values, description="As of now."),
            OpenApiParameter("incentive", OpenApiTypes.STR, description="An incentive's code."),
        ],
        responses={200: CallSerializer(many=True), 400: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CallDetailView(generics.RetrieveAPIView):
    serializer_class = CallSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Call]:
        return call_queryset()

    @extend_schema(summary="One call", responses={200: CallSerializer, 404: OpenApiResponse(ErrorSerializer)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


api_urlpatterns = [
    path("calls/", CallListView.as_view(), name="api-calls"),
    path("calls/<int:pk>/", CallDetailView.as_view(), name="api-call"),
]
