"""The main navigation for the signed-in user's role: decided here, shown by base.html."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import (
    is_administrator,
    is_department_official,
    is_finance,
    is_official,
    may_verify_enterprises,
)
from experts.permissions import is_expert


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
        elif not is_official(user) and is_expert(user):  # officials are never experts: no query for them
            items.append((reverse("experts:workspace"), _("Expert reviews")))
        elif not is_official(user):
            # Someone who claimed an enterprise and waits for the official's decision.
            items.append((reverse("accounts:identity"), _("Enterprise identity")))
        if is_department_official(user):
            items.append((reverse("review:queue"), _("Review queue")))
        if getattr(user, "is_city_official", False):
            # A city bureau (地市初审推荐): its first review, and its recommendation lists and letters.
            items.append((reverse("review:queue"), _("Review queue")))
            items.append((reverse("review:city_calls"), _("City recommendations")))
        if is_department_official(user) or is_administrator(user):
            items.append((reverse("calls:manage"), _("Calls for applications")))
            items.append((reverse("budgets:ceilings"), _("Ceilings")))
        if is_finance(user) or is_administrator(user):
            items.append((reverse("disbursement:batches"), _("Finance")))
        if is_administrator(user):
            items.append((reverse("proactive:lists"), _("Proactive awards")))
            items.append((reverse("credit:list"), _("Dishonest entities")))
        if may_verify_enterprises(user):
            items.append((reverse("accounts:verifications"), _("Enterprise verification")))
        if is_official(user):
            items.append((reverse("reports:dashboard"), _("Reports")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("Administration")))
    # The reports' sub-navigation links the audit trail's heads for those who audit it.
    return {"navigation": items, "may_audit_trail": is_administrator(user)}
