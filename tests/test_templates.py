"""The shared partials every page uses: the status tag (from the workflow tables), the error
summary, the field and the pagination."""

import re
from pathlib import Path

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from portal.templatetags.status import workflow_for
from portal.workflow import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = {"application", "award", "objection", "disbursement", "payment", "export_job"}


def _registry() -> dict:
    autodiscover_modules("workflow")
    assert set(REGISTRY) >= WORKFLOWS
    return REGISTRY


def _tag(obj: object, *, public: bool = False) -> str:
    source = "{% load status %}{% status_tag obj public=public %}"
    return Template(source).render(Context({"obj": obj, "public": public})).strip()


# ── the status tag ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_the_status_tag_shows_each_state_in_its_tables_tone(name: str) -> None:
    workflow = _registry()[name]
    assert workflow_for(workflow.model) is workflow
    for status, state in workflow.states.items():
        obj = workflow.model(**{workflow.status_field: status})
        with translation.override("en"):
            html = _tag(obj)
            label = getattr(obj, f"get_{workflow.status_field}_display")()
        assert html == f'<strong class="tag tag-{state.tone}">{label}</strong>', (name, status)


def test_every_tone_of_the_tables_has_a_class_in_the_stylesheet() -> None:
    css = (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    styled = set(re.findall(r"\.tag-([a-z]+) \{[^}]*background:[^}]*color:", css))
    tones = {state.tone for workflow in _registry().values() for state in workflow.states.values()}
    assert tones <= styled, f"tones without a .tag-<tone> class: {sorted(tones - styled)}"


def test_the_public_announcement_words_an_awards_state_for_the_public() -> None:
    from awards.models import Award

    expected = {
        Award.Status.COMMITTED: "Announced",
        Award.Status.FINAL: "Final",
        Award.Status.PAID: "Paid",
        Award.Status.WITHDRAWN: "Withdrawn after an objection",
        Award.Status.CANCELLED: "Payment cancelled",
    }
    with translation.override("en"):
        for status, words in expected.items():
            assert f">{words}</strong>" in _tag(Award(status=status), public=True)
        # Office pages keep the model's own label.
        assert ">Committed</strong>" in _tag(Award(status=Award.Status.COMMITTED))


def test_a_model_without_a_workflow_is_refused() -> None:
    from accounts.models import User

    with pytest.raises(LookupError):
        workflow_for(User)


# ── the error summary ────────────────────────────────────────────────────────────────────────


class _NameForm(forms.Form):
    name = forms.CharField(label="Name")
    note = forms.CharField(label="Note", required=False)

    def clean(self) -> dict:
        raise forms.ValidationError("Something is wrong with the whole form.")


def _summary(**context: object) -> str:
    with translation.override("en"):
        return render_to_string("_error_summary.html", context)


def test_the_error_summary_lists_a_forms_errors_linking_to_each_field() -> None:
    form = _NameForm(data={})
    html = _summary(form=form)
    assert '<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">' in html
    assert '<h2 id="error-summary-title">There is a problem</h2>' in html
    assert "<li>Something is wrong with the whole form.</li>" in html
    assert '<li><a href="#id_name">Name: This field is required.</a></li>' in html
    assert "autofocus" not in html and "#id_note" not in html


def test_the_error_summary_lists_error_links_and_a_problem() -> None:
    html = _summary(error_links=[("#id_amount", "Enter an amount"), ("", "The file is empty")], focus=True)
    assert 'id="error-summary" autofocus' in html
    assert '<li><a href="#id_amount">Enter an amount</a></li>' in html and "<li>The file is empty</li>" in html

    html = _summary(problem="The code is not known", problem_href="#code")
    assert '<li><a href="#code">The code is not known</a></li>' in html
    html = _summary(problem="Closed", link_href="/elsewhere", link_text="Go there", title="Cannot start")
    assert "<p>Closed</p>" in html and '<p><a href="/elsewhere">Go there</a></p>' in html
    assert '<h2 id="error-summary-title">Cannot start</h2>' in html and "<ul" not in html


def test_the_error_summary_is_absent_without_errors() -> None:
    assert _summary(form=_NameForm(), error_links=[], problem="").strip() == ""


# ── the field ────────────────────────────────────────────────────────────────────────────────


class _ChoiceForm(forms.Form):
    answer = forms.ChoiceField(label="Answer", choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, help_text="A few words")


def _field(**context: object) -> str:
    with translation.override("en"):
        return render_to_string("_field.html", context)


def test_the_field_shows_label_hint_error_input_in_that_order() -> None:
    html = _field(field=_NameForm(data={})["name"])
    assert 'class="field field-with-error"' in html
    assert html.index("<label") < html.index('class="error-message"') < html.index("<input")
    html = _field(field=_ChoiceForm(data={})["note"])
    assert '<span class="optional">(optional)</span>' in html
    assert html.index("<label") < html.index('class="hint"') < html.index("<input")
    assert "(optional)" not in _field(field=_ChoiceForm(data={})["note"], optional_marker=False)


def test_radios_are_a_fieldset_with_a_legend() -> None:
    html = _field(field=_ChoiceForm(data={})["answer"])
    assert '<legend class="app-legend">Answer</legend>' in html and html.count('type="radio"') == 2
    assert "This field is required." in html


def test_a_section_before_its_first_save_hides_the_errors() -> None:
    html = _field(field=_NameForm(data={})["name"], show_errors=False)
    assert "field-with-error" not in html and "error-message" not in html


# ── pagination ───────────────────────────────────────────────────────────────────────────────


def _pagination(**context: object) -> str:
    with translation.override("en"):
        return render_to_string("_pagination.html", context)


def test_pagination_keeps_the_query_on_both_links() -> None:
    page = Paginator(range(50), 10).get_page(2)
    html = _pagination(page=page, query="status=draft&year=2025")
    assert '<a href="?status=draft&amp;year=2025&amp;page=1" rel="prev">Previous page</a>' in html
    assert '<a href="?status=draft&amp;year=2025&amp;page=3" rel="next">Next page</a>' in html
    assert "Page 2 of 5" in html


def test_pagination_without_a_query_and_with_an_anchor() -> None:
    page = Paginator(range(50), 10).get_page(1)
    html = _pagination(page=page, anchor="past")
    assert '<a href="?page=2#past" rel="next">Next page</a>' in html and 'rel="prev"' not in html
    assert _pagination(page=Paginator(range(5), 10).get_page(1)).strip() == ""
