"""Public announcements (公示) and objections (异议), under /announcements/ (app_name "announcements")."""

from django.urls import path

from . import views

app_name = "announcements"


urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.publish, name="publish"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/object/", views.objection_new, name="object"),
    path("<int:pk>/object/received/", views.objection_received, name="objection_received"),
    path("<int:pk>/objections/", views.objections, name="objections"),
    path("<int:pk>/objections/<int:objection_id>/resolve/", views.objection_resolve_view, name="resolve"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
]
