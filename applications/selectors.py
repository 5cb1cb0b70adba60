"""Reads of applications that pages and the API share; access checks that hide what is not yours."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from audit.models import AuditEvent

from .models import Application, ApplicationDocument
from .permissions import applications_visible_to


def application_list(user: Any, *, own_only: bool = False) -> QuerySet[Application]:
    """What the user may see; `own_only` for the applicant's own pages, which officials never use."""
    visible = applications_visible_to(user)
    if own_only:
        visible = visible.filter(applicant_id=getattr(user, "applicant_id", None) or -1)
    return visible.select_related("incentive", "incentive__measure", "applicant").order_by("-updated_at")


def access_application(user: Any, key: str | int, *, own_only: bool = False) -> Application:
    """The application by reference (or draft id), if the user may see it; otherwise 404, the same
    answer for "missing" and "not yours", so nobody can probe for others' references."""
    queryset = (
        application_list(user, own_only=own_only)
        .select_related("call")
        .prefetch_related(
            Prefetch("documents", queryset=ApplicationDocument.objects.select_related("required_document")),
            "incentive__required_documents",
            "incentive__amount_parameters",
        )
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
