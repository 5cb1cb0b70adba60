from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.manage_edit, name="manage_new"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
