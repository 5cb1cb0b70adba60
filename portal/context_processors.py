"""The main navigation for the signed-in user's role: decided here, shown by base.html."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import OfficialRole


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, Any]] = [
        (reverse("measures:catalog"), _("Policy catalog")),
        (reverse("measures:departments"), _("Departments")),
        (reverse("announcements:list"), _("Announcements")),
        (reverse("reports:targets"), _("Policy targets")),
    ]
    if user is not None and user.is_authenticated:
        if user.applicant_id:
            items += [
                (reverse("dashboard:home"), _("My portal")),
                (reverse("dashboard:matches"), _("What can I claim")),
            ]
        role = user.official_role
        if role in (OfficialRole.HANDLER, OfficialRole.APPROVER):
            items.append((reverse("review:queue"), _("Review queue")))
        if role in (OfficialRole.FINANCE, OfficialRole.ADMINISTRATOR) or user.is_superuser:
            items.append((reverse("disbursement:batches"), _("Finance")))
        if role == OfficialRole.ADMINISTRATOR or user.is_superuser:
            items.append((reverse("proactive:lists"), _("Proactive awards")))
        if role or user.is_superuser:
            items.append((reverse("reports:dashboard"), _("Reports")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("Administration")))
    return {"navigation": items}
