"""What higher apps add to the public catalog's pages (see portal/hooks.py).

`incentive_panels`: incentives=list[Incentive], user=the visitor (maybe anonymous) -> a dict of
incentive id -> list of IncentivePanel. The measure and department pages show each panel under its
incentive (the calls app: the open and next calls with the "apply" button). Asked on every request,
outside the cached catalog data: panels change with the time and the visitor.
"""

from dataclasses import dataclass, field
from typing import Any

from portal.hooks import Hook

incentive_panels = Hook("incentive_panels")


@dataclass(frozen=True)
class IncentivePanel:
    template: str  # included under the incentive, with `panel` = this panel
    context: dict[str, Any] = field(default_factory=dict)


def panels_for(incentives: list[Any], user: Any) -> dict[int, list[IncentivePanel]]:
    panels: dict[int, list[IncentivePanel]] = {}
    if not incentives:
        return panels
    for answer in incentive_panels.send(incentives=incentives, user=user):
        for incentive_id, items in (answer or {}).items():
            panels.setdefault(incentive_id, []).extend(items)
    return panels
