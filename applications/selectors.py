"""Reads of applications that pages and the API share; access checks that hide what is not yours."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from audit.models import AuditEvent

from .models import Application, ApplicationDocument
from .permissions import applications_visible_to


def application_list(user: Any) -> QuerySet[Application]:
    return (
        applications_visible_to(user)
        .select_related("incentive", "incentive__measure", "applicant")
        .order_by("-updated_at")
    )


def access_application(user: Any, key: str | int) -> Application:
    """The application by reference (or draft id), if the user may see it; otherwise 404, the same
    answer for "missing" and "not yours", so nobody can probe for others' references."""
    queryset = application_list(user).prefetch_related(
        Prefetch("documents", queryset=ApplicationDocument.objects.select_related("required_document")),
        "incentive__required_documents",
        "incentive__amount_parameters",
    )
    lookup: dict[str, Any] = {"reference": key} if not str(key).isdigit() else {"pk": int(key)}
    try:
        return queryset.get(**lookup)
    except Application.DoesNotExist:
        raise Http404 from None


def application_timeline(application: Application, *, for_applicant: bool) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(
        object_type=application._meta.label_lower, object_id=str(application.pk)
    ).order_by("sequence")
    if for_applicant:
        events = events.filter(visible_to_applicant=True)
    return events
