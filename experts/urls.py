from django.urls import path

from . import views

app_name = "experts"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("assignments/<int:pk>/documents/<int:document_id>/", views.assignment_file, name="assignment_document"),
    path("calls/<int:pk>/panel/", views.panel, name="panel"),
    path("calls/<int:pk>/panel/draw/", views.panel_draw_view, name="panel_draw"),
    path("calls/<int:pk>/panel/close/", views.panel_close_view, name="panel_close"),
    path(
        "calls/<int:pk>/panel/assignments/<int:assignment_id>/missing/",
        views.assignment_missing,
        name="assignment_missing",
    ),
]
