"""The reports pages, under /reports/ (app_name "reports"); see awards.report_views."""

from django.urls import path

from . import views as report_views

app_name = "reports"


urlpatterns = [
    path("", report_views.index, name="index"),
    path("download/<slug:name>/", report_views.download, name="download"),
    path("exports/", report_views.export_list, name="exports"),
    path("exports/new/", report_views.export_create, name="export_create"),
    path("exports/<int:job_id>/", report_views.export_detail, name="export"),
    path("exports/<int:job_id>/download/", report_views.export_download, name="export_download"),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("targets/", report_views.targets, name="targets"),
    path("targets/<slug:code>/", report_views.target_detail, name="target"),
    path("targets/<slug:code>/record/", report_views.target_record, name="target_record"),
    path("audit-heads/", report_views.audit_heads, name="audit_heads"),
]
