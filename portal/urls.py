from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from announcements import api as announcement_api
from applications import city_api, dashboard, review_api, verify
from budgets import api as budget_api
from calls import api as calls_api
from credit import api as credit_api
from decisions import api as decisions_api
from disbursement import api as disbursement_api
from experts import api as experts_api
from measures import api as measures_api
from proactive import api as proactive_api
from recovery import api as recovery_api
from reports import api as report_api

from . import views
from .health import HealthView

router = DefaultRouter(trailing_slash=True)
router.register("measures", measures_api.MeasureViewSet, basename="measure")
router.register("departments", measures_api.DepartmentViewSet, basename="department")
router.register("incentives", measures_api.IncentiveViewSet, basename="incentive")

urlpatterns = [
    path("", include("measures.urls")),
    path("accounts/", include("accounts.urls")),
    path("applications/", include("applications.urls")),
    path("me/", include("applications.dashboard")),
    path("review/", include("applications.review_urls")),
    path("", include("applications.verify")),  # /verify/, /verify/<code>/, /notices/<id>/pdf/
    path("announcements/", include("announcements.urls")),
    path("proactive/", include("proactive.urls")),
    path("credit/", include("credit.urls")),
    path("calls/", include("calls.urls")),
    path("experts/", include("experts.urls")),
    path("", include("decisions.urls")),  # site checks beside the review, meetings under calls/manage/
    path("finance/", include("disbursement.urls")),
    path("ceilings/", include("budgets.urls")),
    path("recovery/", include("recovery.urls")),
    path("reports/", include("reports.urls")),
    # Without a CSRF check: the switch is on pages kept whole for every anonymous visitor, who
    # cannot share one token; it sets only the language cookie (see base.html).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("health/", HealthView.as_view(), name="health"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("applications.api_urls")),
    path("api/v1/", include(dashboard.api_urlpatterns)),
    path("api/v1/", include(review_api.api_urlpatterns)),
    path("api/v1/", include(review_api.step_urlpatterns())),  # e.g. recover, from the recovery app
    path("api/v1/", include(verify.api_urlpatterns)),
    path("api/v1/", include(city_api.api_urlpatterns)),
    path("api/v1/", include(announcement_api.api_urlpatterns)),
    path("api/v1/", include(proactive_api.api_urlpatterns)),
    path("api/v1/", include(budget_api.api_urlpatterns)),
    path("api/v1/", include(credit_api.api_urlpatterns)),
    path("api/v1/", include(calls_api.api_urlpatterns)),
    path("api/v1/", include(experts_api.api_urlpatterns)),
    path("api/v1/", include(decisions_api.api_urlpatterns)),
    path("api/v1/", include(disbursement_api.api_urlpatterns)),
    path("api/v1/", include(recovery_api.api_urlpatterns)),
    path("api/v1/", include(report_api.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads Swagger UI's start-up script from ?script= instead of inlining it (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]

# Branded pages in the reader's language, and the API's error JSON for every /api/ path.
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

if settings.DEBUG:
    urlpatterns.append(path("api/", include("rest_framework.urls")))
