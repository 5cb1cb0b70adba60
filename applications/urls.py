"""The applying pages, under /applications/ (names are used by the dashboard and the browser journey)."""

from django.urls import path

from . import document_views, views

app_name = "applications"

urlpatterns = [
    path("", views.application_list_page, name="list"),
    path("start/<slug:incentive_code>/", views.start, name="start"),
    path("<str:key>/", views.detail, name="detail"),
    path("<str:key>/sections/<slug:section_key>/", views.section, name="section"),
    path("<str:key>/documents/", document_views.documents, name="documents"),
    path("<str:key>/documents/<int:document_id>/", document_views.document, name="document"),
    path("<str:key>/documents/<int:document_id>/delete/", document_views.document_delete, name="document_delete"),
    path("<str:key>/check/", views.check, name="check"),
    path("<str:key>/submit/", views.submit, name="submit"),
    path("<str:key>/confirmation/", views.confirmation, name="confirmation"),
    path("<str:key>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:key>/supplement/", views.supplement, name="supplement"),
]
