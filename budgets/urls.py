from django.urls import path

from . import ceiling_views

app_name = "budgets"

urlpatterns = [
    path("", ceiling_views.ceilings, name="ceilings"),
]
