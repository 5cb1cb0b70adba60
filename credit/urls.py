from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.list_page, name="list"),
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("add/", views.add_page, name="add"),
    path("<int:pk>/", views.entry_page, name="entry"),
]
