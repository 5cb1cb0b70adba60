"""The policy's quantified targets (20 clusters, 500 standards, …) and the progress recorded on them."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery

from measures.models import Target

from .models import TargetProgress


@dataclass
class TargetRow:
    target: Target
    latest: int | None
    latest_as_of: dt.date | None
    entries: list[TargetProgress] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        if self.latest is None or not self.target.quantity:
            return None
        return round(100 * self.latest / self.target.quantity, 1)

    @property
    def bar_percent(self) -> float:
        return min(100.0, self.percent or 0.0)


def targets_with_progress(*, department_id: int | None = None, with_entries: bool = False) -> list[TargetRow]:
    """Each catalog target with its latest recorded count (one query; two with every entry)."""
    latest = TargetProgress.objects.filter(target=OuterRef("pk")).order_by("-as_of", "-pk")
    targets = (
        Target.objects.select_related("measure", "department")
        .annotate(
            latest_count=Subquery(latest.values("count")[:1]),
            latest_as_of=Subquery(latest.values("as_of")[:1]),
        )
        .order_by("measure__number", "code")
    )
    if department_id is not None:
        targets = targets.filter(department_id=department_id)
    if with_entries:
        targets = targets.prefetch_related(
            Prefetch("progress", queryset=TargetProgress.objects.order_by("as_of", "pk"), to_attr="entries")
        )
    return [TargetRow(t, t.latest_count, t.latest_as_of, list(getattr(t, "entries", []))) for t in targets]


def target_by_code(code: str) -> TargetRow:
    """One target with its entries (and who recorded them); Target.DoesNotExist when unknown."""
    target = (
        Target.objects.select_related("measure", "department")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=TargetProgress.objects.select_related("recorded_by").order_by("as_of", "pk"),
                to_attr="entries",
            )
        )
        .get(code=code)
    )
    entries = list(target.entries)
    last = max(entries, key=lambda e: (e.as_of, e.pk)) if entries else None
    return TargetRow(target, last.count if last else None, last.as_of if last else None, entries)
