"""API routes of applications, included under /api/v1/ by portal/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("applications/", api.ApplicationListView.as_view(), name="api-applications"),
    path("applications/<str:reference>/", api.ApplicationDetailView.as_view(), name="api-application"),
    path(
        "applications/<str:reference>/documents/",
        api.ApplicationDocumentsView.as_view(),
        name="api-application-documents",
    ),
    path(
        "applications/<str:reference>/documents/<int:document_id>/",
        api.ApplicationDocumentFileView.as_view(),
        name="api-application-document-file",
    ),
    path("applications/<str:reference>/submit/", api.ApplicationSubmitView.as_view(), name="api-application-submit"),
    path(
        "applications/<str:reference>/withdraw/", api.ApplicationWithdrawView.as_view(), name="api-application-withdraw"
    ),
    path(
        "applications/<str:reference>/supplement/",
        api.ApplicationSupplementView.as_view(),
        name="api-application-supplement",
    ),
    path("applications/<str:reference>/history/", api.ApplicationHistoryView.as_view(), name="api-application-history"),
]
