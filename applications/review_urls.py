"""The officials' pages, under /review/ (app_name "review")."""

from django.urls import path

from . import city_views, queue_views, review_views

app_name = "review"

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("accept/", queue_views.accept_many, name="accept_many"),
    # The city bureau's recommendation list and letters (推荐函): before "<reference>/", which "city/" would match.
    path("city/", city_views.city_calls, name="city_calls"),
    path("calls/<int:call_id>/city/", city_views.city_call, name="city_call"),
    path("calls/<int:call_id>/city/letter/", city_views.city_letter_issue_view, name="city_letter_issue"),
    path("city-letters/<int:pk>/pdf/", city_views.city_letter_pdf, name="city_letter_pdf"),
    path("<str:reference>/", review_views.application_page, name="application"),
    path("<str:reference>/actions/<slug:action>/", review_views.act, name="act"),
    path("<str:reference>/assign/", review_views.assign, name="assign"),
    path("<str:reference>/comments/", review_views.comment, name="comment"),
    path("<str:reference>/checklist/", review_views.checklist, name="checklist"),
    path("<str:reference>/reveal/", review_views.reveal, name="reveal"),
    path("<str:reference>/documents/<int:document_id>/", review_views.document, name="document"),
]
