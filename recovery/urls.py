"""The recovery pages, under /recovery/ (app_name "recovery")."""

from django.urls import path

from . import views

app_name = "recovery"

urlpatterns = [
    path("", views.recoveries, name="list"),
    path("applications/<str:reference>/", views.decide, name="decide"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/refunds/", views.refund, name="refund"),
]
