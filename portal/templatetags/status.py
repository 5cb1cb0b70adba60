"""`{% status_tag obj %}`: a record's status as a tag, in the words and tone of its workflow's table.

The tag finds the workflow whose model is the record's (portal/workflow.py's REGISTRY) and renders
`_status_tag.html` with the status's label and the state's tone; templates show the tag, they do
not decide its colour. Each app registers its table when its `workflow` module is imported; the
first lookup that finds nothing imports every installed app's `workflow` module (as the admin
discovers `admin` modules), so portal never names a domain app.

`{% status_tag obj public=True %}` uses the state's `public_label` where the table gives one (the
public announcement shows an award as "Announced" rather than the office's "Committed").
"""

from typing import Any

from django import template
from django.db import models
from django.utils.module_loading import autodiscover_modules

from portal.choices import choice_label
from portal.workflow import REGISTRY, Workflow

register = template.Library()


def workflow_for(model: type[models.Model]) -> Workflow[Any]:
    """The workflow whose table holds `model`'s statuses (LookupError when none has)."""
    concrete = model._meta.concrete_model
    for attempt in range(2):
        for workflow in REGISTRY.values():
            if workflow.model._meta.concrete_model is concrete:
                return workflow
        if attempt == 0:
            autodiscover_modules("workflow")
    raise LookupError(f"No workflow in portal.workflow.REGISTRY for {model._meta.label}")


def status_context(obj: models.Model, *, public: bool = False) -> dict[str, Any]:
    workflow = workflow_for(type(obj))
    status = getattr(obj, workflow.status_field)
    state = workflow.states[status]
    label = choice_label(obj, workflow.status_field)
    if public and state.public_label:
        label = state.public_label
    return {"status": status, "label": label, "tone": state.tone}


@register.filter
def label(record: models.Model, field_name: str) -> Any:
    """`{{ applicant|label:"city" }}`: what `get_city_display` gives, from a table (portal/choices.py)."""
    return choice_label(record, field_name)


@register.inclusion_tag("_status_tag.html")
def status_tag(obj: models.Model, public: bool = False) -> dict[str, Any]:
    """`{% status_tag application %}`, `{% status_tag entry.award public=True %}`."""
    return status_context(obj, public=public)
