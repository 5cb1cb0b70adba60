from django.urls import path

from . import views

app_name = "decisions"

# Mounted at the site's root (portal/urls.py): the site check beside the review page, the meetings
# under the calls' management area.
urlpatterns = [
    path("review/<str:reference>/site-check/", views.site_check, name="site_check"),
    path("site-checks/photos/<int:pk>/", views.site_check_photo, name="site_check_photo"),
    path("calls/manage/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("calls/manage/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("calls/manage/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
