"""Pages of proactive awards (免申即享), mounted at /proactive/ by portal/urls.py."""

from django.urls import path

from . import views

app_name = "proactive"


urlpatterns = [
    path("lists/", views.list_page, name="lists"),
    path("lists/import/", views.import_page, name="import"),
    path("lists/import/confirm/", views.import_confirm, name="import_confirm"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/rematch/", views.list_rematch, name="rematch"),
    path("offers/<str:reference>/", views.offer_page, name="offer"),
    path("offers/<str:reference>/confirm/", views.offer_confirm, name="offer_confirm"),
    path("offers/<str:reference>/decline/", views.offer_decline, name="offer_decline"),
]
