"""Expert review's actions, one function each, in a transaction with the permission check and
the audit record: the draw of a call's panel, an expert's score, an assignment recorded as
missing, and the panel's closing.

The draw (`panel_draw`) is reproducible: one random.Random(seed) walks the applications in id
order and, for each, samples `call.experts_per_application` experts from the eligible ones in id
order. The seed (from `secrets` unless given) and each application's eligible experts are stored
with the panel, so `panel_verify` draws again and compares with the assignments.
"""

import random
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.models import Application, Status
from audit.services import audit_record
from calls.models import Call

from .models import Assignment, Expert, ExpertConflict, ExpertiseField, Panel, Score, ScoreCriterion, ScoreSheet
from .permissions import expert_of, may_run_panel

# Applications at the province that the panel reviews (accepted, or already under review).
DRAWN_STATUSES = (Status.ACCEPTED, Status.UNDER_REVIEW)
SEED_BITS = 62  # fits a signed 64-bit column
COMMENT_MAX = 4000
REASON_MAX = 2000


class ExpertReviewError(Exception):
    """A refused action: `message` for the user, `problems` by field, `code` for the API."""

    def __init__(self, message: str, *, problems: dict[str, list[str]] | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or {}
        self.code = code


class NotAllowed(ExpertReviewError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("You may not take this action."), code="permission_denied")


class WrongState(ExpertReviewError):
    """The action is not allowed in the panel's current state (409 in the API)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


# ── the draw ───────────────────────────────────────────────────────────────────────────────────


def applications_to_review(call: Call) -> list[Application]:
    return list(
        Application.objects.filter(call=call, status__in=DRAWN_STATUSES)
        .select_related("applicant", "incentive")
        .order_by("pk")
    )


def _conflicted(expert: Expert, application: Application, declared: set[tuple[int, int]]) -> bool:
    applicant = application.applicant
    employer = expert.employer_uscc.strip().upper()
    return bool(
        (employer and employer in {(applicant.uscc or "").upper(), applicant.employer_uscc.upper()})
        or (expert.city and expert.city == applicant.city)
        or (expert.pk, applicant.pk) in declared
        or (expert.user.applicant_id is not None and expert.user.applicant_id == applicant.pk)
    )


def eligible_experts(application: Application, pool: list[Expert], declared: set[tuple[int, int]]) -> list[int]:
    """The ids, ascending, of the pool's experts without a conflict with the application's applicant."""
    return [e.pk for e in pool if not _conflicted(e, application, declared)]


def draw(seed: int, candidates: Mapping[str, list[int]], per_application: int) -> dict[str, list[int]]:
    """The pure draw: for each application id (ascending), `per_application` of its candidates."""
    rng = random.Random(seed)  # noqa: S311 - reproducible from the recorded seed; the seed comes from secrets
    return {key: sorted(rng.sample(candidates[key], per_application)) for key in sorted(candidates, key=int)}


def _pool(fields: Iterable[ExpertiseField]) -> list[Expert]:
    return list(
        Expert.objects.filter(active=True, user__is_active=True, fields__in=list(fields))
        .distinct()
        .select_related("user")
        .order_by("pk")
    )


@transaction.atomic
def panel_draw(
    *,
    actor: User,
    call: Call,
    fields: Iterable[ExpertiseField],
    seed: int | None = None,
    ip_address: str | None = None,
) -> Panel:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not may_run_panel(actor, call):
        raise NotAllowed(_("Only the officials of the department that handles the call's incentives draw its panel."))
    if not call.expert_review:
        raise WrongState(_("This call has no expert review."))
    if Panel.objects.filter(call=call).exists():
        raise WrongState(_("The panel of this call is already drawn."))
    chosen = list(fields)
    if not chosen:
        raise ExpertReviewError(
            _("Choose at least one field of expertise."), problems={"fields": [_("Choose at least one field.")]}
        )
    applications = applications_to_review(call)
    if not applications:
        raise WrongState(_("No application of this call is accepted at the province yet: there is nothing to review."))
    sheets = set(
        ScoreSheet.objects.filter(incentive__in={a.incentive_id for a in applications}).values_list(
            "incentive_id", flat=True
        )
    )
    for application in applications:
        if application.incentive_id not in sheets:
            raise ExpertReviewError(
                _("The incentive “%(incentive)s” has no score sheet: an administrator adds one first.")
                % {"incentive": application.incentive.localized("name")}
            )
    pool = _pool(chosen)
    declared = set(
        ExpertConflict.objects.filter(
            expert__in=pool, applicant__in={a.applicant_id for a in applications}
        ).values_list("expert_id", "applicant_id")
    )
    need = call.experts_per_application
    candidates: dict[str, list[int]] = {}
    for application in applications:
        eligible = eligible_experts(application, pool, declared)
        if len(eligible) < need:
            raise ExpertReviewError(
                _(
                    "Too few eligible experts for application %(reference)s (%(applicant)s): %(found)d without "
                    "a conflict in the chosen fields, %(need)d needed. Choose more fields or add experts."
                )
                % {
                    "reference": application.reference or application.pk,
                    "applicant": application.applicant.name,
                    "found": len(eligible),
                    "need": need,
                },
                code="too_few_experts",
            )
        candidates[str(application.pk)] = eligible
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    drawn = draw(seed, candidates, need)
    panel = Panel.objects.create(call=call, seed=seed, candidates=candidates, drawn_at=timezone.now(), drawn_by=actor)
    panel.fields.set(chosen)
    Assignment.objects.bulk_create(
        Assignment(panel=panel, application_id=int(key), expert_id=expert_id)
        for key, experts in drawn.items()
        for expert_id in experts
    )
    audit_record(
        actor=actor,
        action="expert.panel_draw",
        obj=panel,
        after={
            "call": call.pk,
            "seed": str(seed),
            "fields": sorted(f.code for f in chosen),
            "applications": len(applications),
            "experts_per_application": need,
            "assignments": dict(drawn.items()),
        },
        ip_address=ip_address,
        visible_to_applicant=False,
    )
    return panel


def panel_verify(panel: Panel) -> bool:
    """Draws again from the panel's seed and recorded candidates; True when the assignments match."""
    expected = draw(panel.seed, panel.candidates, panel.call.experts_per_application)
    actual: dict[str, list[int]] = {}
    for application_id, expert_id in panel.assignments.order_by("expert_id").values_list("application_id", "expert_id"):
        actual.setdefault(str(application_id), []).append(expert_id)
    return expected == actual


# ── scoring ────────────────────────────────────────────────────────────────────────────────────


def _parse_points(criterion: ScoreCriterion, raw: Any) -> tuple[Decimal | None, str]:
    if raw is None or str(raw).strip() == "":
        return None, _("Give points for this criterion.")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None, _("Enter a number.")
    if not value.is_finite():
        return None, _("Enter a number.")
    if value < 0 or value > criterion.max_points:
        return None, _("Give between 0 and %(max)s points.") % {"max": format(criterion.max_points.normalize(), "f")}
    if value != value.quantize(Decimal("0.01")):
        return None, _("Use at most two decimal places.")
    return value, ""


@transaction.atomic
def assignment_score(
    *,
    actor: User,
    assignment: Assignment,
    points: Mapping[int, Any],
    comment: str,
    ip_address: str | None = None,
) -> Assignment:
    """The expert's points per criterion (criterion id → points) and comment; again until the panel closes."""
    locked = Assignment.objects.select_for_update().select_related("panel", "expert").get(pk=assignment.pk)
    expert = expert_of(actor)
    if expert is None or locked.expert_id != expert.pk:
        raise NotAllowed(_("Only the assigned expert scores this application."))
    panel = Panel.objects.select_for_update().get(pk=locked.panel_id)
    if panel.is_closed:
        raise WrongState(_("The panel is closed: scores can no longer change."))
    if locked.missing_reason:
        raise WrongState(_("This assignment was recorded as not scored: ask the department."))
    sheet = ScoreSheet.objects.filter(incentive_id=locked.application.incentive_id).first()
    criteria = list(sheet.criteria.all()) if sheet else []
    if not criteria:
        raise WrongState(_("This incentive's score sheet has no criteria."))
    problems: dict[str, list[str]] = {}
    parsed: dict[int, Decimal] = {}
    for criterion in criteria:
        value, problem = _parse_points(criterion, points.get(criterion.pk))
        if problem:
            problems[f"criterion_{criterion.pk}"] = [problem]
        elif value is not None:
            parsed[criterion.pk] = value
    unknown = {str(k) for k in points} - {str(c.pk) for c in criteria}
    if unknown:
        problems["points"] = [
            _("Points for criteria that are not on this sheet: %(ids)s.") % {"ids": ", ".join(sorted(unknown))}
        ]
    comment = (comment or "").strip()
    if not comment:
        problems["comment"] = [_("Write a comment: what the score rests on.")]
    elif len(comment) > COMMENT_MAX:
        problems["comment"] = [_("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX}]
    if problems:
        raise ExpertReviewError(_("The score is not saved: correct the problems below."), problems=problems)
    before = {str(s.criterion_id): str(s.points) for s in locked.scores.all()}
    for criterion in criteria:
        Score.objects.update_or_create(
            assignment=locked, criterion=criterion, defaults={"points": parsed[criterion.pk]}
        )
    locked.comment = comment
    locked.scored_at = timezone.now()
    locked.save(update_fields=["comment", "scored_at"])
    total = sum((parsed[c.pk] * c.weight for c in criteria), Decimal(0))
    audit_record(
        actor=actor,
        action="expert.score",
        obj=locked,
        before={"points": before} if before else None,
        after={"points": {str(k): str(v) for k, v in parsed.items()}, "total": str(total)},
        ip_address=ip_address,
        visible_to_applicant=False,
    )
    return locked


@transaction.atomic
def assignment_mark_missing(
    *, actor: User, assignment: Assignment, reason: str, ip_address: str | None = None
) -> Assignment:
    """An official records that an assignment will not be scored, and why (the expert withdrew)."""
    locked = Assignment.objects.select_for_update().select_related("panel__call").get(pk=assignment.pk)
    if not may_run_panel(actor, locked.panel.call):
        raise NotAllowed()
    if locked.panel.is_closed:
        raise WrongState(_("The panel is closed."))
    if locked.scored_at is not None:
        raise WrongState(_("This assignment is scored already."))
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ExpertReviewError(
            _("Say why this assignment is not scored."),
            problems={"reason": [_("Say why this assignment is not scored.")]},
        )
    locked.missing_reason = reason
    locked.save(update_fields=["missing_reason"])
    audit_record(
        actor=actor,
        action="expert.assignment_missing",
        obj=locked,
        after={"expert": locked.expert_id, "application": locked.application_id},
        reason=reason,
        ip_address=ip_address,
        visible_to_applicant=False,
    )
    return locked


@transaction.atomic
def panel_close(*, actor: User, panel: Panel, ip_address: str | None = None) -> Panel:
    """Closes the panel once every assignment is scored or recorded as missing, and every
    application has at least one score; then the scores are final and visible."""
    locked = Panel.objects.select_for_update().select_related("call").get(pk=panel.pk)
    if not may_run_panel(actor, locked.call):
        raise NotAllowed()
    if locked.is_closed:
        raise WrongState(_("The panel is closed already."))
    open_assignments = locked.assignments.filter(scored_at__isnull=True, missing_reason="")
    if open_assignments.exists():
        raise WrongState(
            _("%(count)d assignments are neither scored nor recorded as missing: the panel cannot close yet.")
            % {"count": open_assignments.count()}
        )
    unscored = (
        locked.assignments.values("application_id")
        .exclude(application_id__in=locked.assignments.filter(scored_at__isnull=False).values("application_id"))
        .distinct()
    )
    if unscored.exists():
        references = Application.objects.filter(pk__in=unscored).values_list("reference", flat=True)
        raise WrongState(
            _("No expert scored %(references)s: the panel cannot close without a score for every application.")
            % {"references": ", ".join(r or "—" for r in references)}
        )
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="expert.panel_close",
        obj=locked,
        after={"call": locked.call_id, "scored": locked.assignments.filter(scored_at__isnull=False).count()},
        ip_address=ip_address,
        visible_to_applicant=False,
    )
    return locked
