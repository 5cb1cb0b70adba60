"""A call's expert panel drawn, scored and closed through the experts app's own services, for tests
of what comes after it (the collective decision meeting)."""

from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from calls.models import Call
from experts.models import Expert, ExpertiseField, Panel, ScoreSheet
from experts.services import assignment_score, panel_close, panel_draw

_serial = count(1)


def closed_panel(call: Call, ranking: Sequence[Application] = ()) -> Panel:
    """Draws the call's panel from experts made for it (in Shanwei, a city no test applicant is in),
    has every expert score, the applications in `ranking` best first and the others after them, and
    closes it, as a handler of the department that handles the call's incentives."""
    from tests.factories import OfficialFactory

    incentive = call.incentives.select_related("handling_department").first()
    assert incentive is not None
    official = OfficialFactory(role=OfficialRole.HANDLER, department=incentive.handling_department.code)
    field = ExpertiseField.objects.order_by("pk").first()
    assert field is not None, "the experts' seed (experts/seed.py) loads fields of expertise after migrate"
    for _ in range(call.experts_per_application):
        serial = next(_serial)
        user = User.objects.create_user(username=f"panel-expert-{serial}", display_name=f"评审专家{serial}")
        expert = Expert.objects.create(user=user, city="shanwei", employer_name=f"汕尾评审单位{serial}")
        expert.fields.set([field])
    panel = panel_draw(actor=official, call=call, fields=[field], seed=20261204)

    others = Application.objects.filter(call=call, status__in=[Status.ACCEPTED, Status.UNDER_REVIEW]).exclude(
        pk__in=[a.pk for a in ranking]
    )
    order = [a.pk for a in ranking] + list(others.order_by("pk").values_list("pk", flat=True))
    for assignment in panel.assignments.select_related("application", "expert__user"):
        # The first gets 90% of every criterion's points, each next one a little less.
        share = Decimal("0.9") - Decimal("0.05") * order.index(assignment.application_id)
        sheet = ScoreSheet.objects.get(incentive_id=assignment.application.incentive_id)
        points = {c.pk: (c.max_points * share).quantize(Decimal("0.01")) for c in sheet.criteria.all()}
        assignment_score(
            actor=assignment.expert.user, assignment=assignment, points=points, comment="材料完整，评分如上。"
        )
    return panel_close(actor=official, panel=panel)
