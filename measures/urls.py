from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("measures/<int:number>/", views.measure_detail, name="measure"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<slug:code>/", views.department_detail, name="department"),
]
