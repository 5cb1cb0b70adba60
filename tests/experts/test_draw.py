"""The panel's draw: who may draw, every kind of conflict left out, reproducible from the seed."""

import pytest

from accounts.models import OfficialRole
from applications.models import Status
from audit.models import AuditEvent
from experts.models import Assignment, Expert, ExpertConflict, Panel
from experts.services import ExpertReviewError, NotAllowed, WrongState, panel_draw, panel_verify
from tests.factories import ApplicantFactory, EnterpriseUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def drawn_for(application_id: int) -> set[int]:
    return set(Assignment.objects.filter(application_id=application_id).values_list("expert_id", flat=True))


def test_a_draw_assigns_the_experts_per_application_and_records_the_seed(
    handler, call, make_application, pool, quality
) -> None:
    first, second = make_application(), make_application(status=Status.UNDER_REVIEW)
    make_application(status=Status.SUBMITTED)  # not accepted yet: not drawn
    panel = panel_draw(actor=handler, call=call, fields=[quality], seed=12345)
    assert panel.seed == 12345
    assert len(drawn_for(first.pk)) == 3 and len(drawn_for(second.pk)) == 3
    assert Assignment.objects.filter(panel=panel).count() == 6
    event = AuditEvent.objects.get(action="expert.panel_draw")
    assert event.after["seed"] == "12345" and event.actor == handler


def test_the_seed_comes_from_secrets_when_not_given(handler, call, make_application, pool, quality) -> None:
    make_application()
    panel = panel_draw(actor=handler, call=call, fields=[quality])
    assert panel.seed > 0 and Panel.objects.get(pk=panel.pk).seed == panel.seed


def test_only_experts_of_the_chosen_fields_and_active_are_drawn(
    handler, call, make_application, make_expert, quality
) -> None:
    from experts.models import ExpertiseField

    other = ExpertiseField.objects.get(code="finance")
    right = [make_expert() for _ in range(3)]
    make_expert(fields=[other])
    make_expert(active=False)
    application = make_application()
    panel_draw(actor=handler, call=call, fields=[quality], seed=1)
    assert drawn_for(application.pk) == {e.pk for e in right}


# ── each kind of conflict: the one conflicted expert is never drawn, whatever the seed ──────────


def _never_drawn(handler, call, application, quality, conflicted: Expert) -> None:
    for seed in range(8):
        Panel.objects.filter(call=call).delete()
        panel_draw(actor=handler, call=call, fields=[quality], seed=seed)
        assert conflicted.pk not in drawn_for(application.pk), seed
    # With three others in the pool, the conflicted one was the only one left out.
    assert len(drawn_for(application.pk)) == 3


def test_an_expert_of_the_applicants_employer_is_not_drawn(handler, call, make_application, make_expert, quality):
    application = make_application()
    [make_expert() for _ in range(3)]
    conflicted = make_expert(employer_uscc=application.applicant.uscc)
    _never_drawn(handler, call, application, quality, conflicted)


def test_an_expert_of_an_individuals_employer_is_not_drawn(handler, call, make_application, make_expert, quality):
    person = ApplicantFactory(individual=True, employer_uscc="91440300MA5DKQ8L3X", city="shenzhen")
    application = make_application(applicant=person)
    [make_expert() for _ in range(3)]
    conflicted = make_expert(employer_uscc="91440300MA5DKQ8L3X")
    _never_drawn(handler, call, application, quality, conflicted)


def test_an_expert_of_the_applicants_city_is_not_drawn(handler, call, make_application, make_expert, quality):
    application = make_application(city="foshan")
    [make_expert(city="guangzhou") for _ in range(3)]
    conflicted = make_expert(city="foshan")
    _never_drawn(handler, call, application, quality, conflicted)


def test_an_expert_who_declared_a_conflict_is_not_drawn(handler, call, make_application, make_expert, quality):
    application = make_application()
    [make_expert() for _ in range(3)]
    conflicted = make_expert()
    ExpertConflict.objects.create(expert=conflicted, applicant=application.applicant, note="曾任该企业顾问")
    _never_drawn(handler, call, application, quality, conflicted)


def test_a_user_of_the_applicant_is_not_drawn(handler, call, make_application, make_expert, quality):
    application = make_application()
    [make_expert() for _ in range(3)]
    staff = EnterpriseUserFactory(applicant=application.applicant, is_applicant_admin=False)
    conflicted = make_expert(user=staff)  # made directly: the admin's check would refuse this account
    _never_drawn(handler, call, application, quality, conflicted)


# ── reproducible, verifiable ───────────────────────────────────────────────────────────────────


def test_the_same_seed_draws_the_same_panel(handler, call, make_application, make_expert, quality) -> None:
    applications = [make_application() for _ in range(4)]
    [make_expert() for _ in range(9)]
    panel_draw(actor=handler, call=call, fields=[quality], seed=2026)
    first = {a.pk: drawn_for(a.pk) for a in applications}
    Panel.objects.filter(call=call).delete()
    panel_draw(actor=handler, call=call, fields=[quality], seed=2026)
    assert {a.pk: drawn_for(a.pk) for a in applications} == first
    Panel.objects.filter(call=call).delete()
    panel_draw(actor=handler, call=call, fields=[quality], seed=7)
    assert {a.pk: drawn_for(a.pk) for a in applications} != first  # another seed: another panel (9 choose 3)


def test_verify_confirms_a_panel_and_detects_tampering(handler, call, make_application, make_expert, quality) -> None:
    application = make_application()
    experts = [make_expert() for _ in range(6)]
    panel = panel_draw(actor=handler, call=call, fields=[quality], seed=99)
    assert panel_verify(panel) is True
    assignment = Assignment.objects.filter(application=application).first()
    assert assignment is not None
    replacement = next(e for e in experts if e.pk not in drawn_for(application.pk))
    Assignment.objects.filter(pk=assignment.pk).update(expert=replacement)
    assert panel_verify(Panel.objects.get(pk=panel.pk)) is False


def test_verify_detects_a_changed_seed(handler, call, make_application, make_expert, quality) -> None:
    make_application()
    [make_expert() for _ in range(8)]
    panel = panel_draw(actor=handler, call=call, fields=[quality], seed=5)
    Panel.objects.filter(pk=panel.pk).update(seed=6)
    assert panel_verify(Panel.objects.get(pk=panel.pk)) is False


# ── refusals: nothing saved ────────────────────────────────────────────────────────────────────


def test_too_few_eligible_experts_is_refused_naming_the_application(
    handler, call, make_application, make_expert, quality
) -> None:
    lacking = make_application(city="guangzhou")
    fine = make_application(city="foshan")
    [make_expert(city="guangzhou") for _ in range(3)]  # enough for Foshan, none for Guangzhou
    make_expert(city="foshan")
    with pytest.raises(ExpertReviewError) as refused:
        panel_draw(actor=handler, call=call, fields=[quality], seed=1)
    assert refused.value.code == "too_few_experts"
    assert lacking.reference in refused.value.message  # the one that lacks experts is named
    assert fine.reference not in refused.value.message
    assert not Panel.objects.exists() and not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(action="expert.panel_draw").exists()


@pytest.mark.parametrize(
    ("role", "department"),
    [
        (OfficialRole.HANDLER, "miit"),  # another department
        (OfficialRole.FINANCE, "finance"),
        (OfficialRole.ADMINISTRATOR, None),
        (OfficialRole.CITY_HANDLER, None),
    ],
)
def test_only_the_departments_officials_draw(call, make_application, pool, quality, role, department) -> None:
    make_application()
    other = OfficialFactory(role=role, department=department)
    with pytest.raises(NotAllowed):
        panel_draw(actor=other, call=call, fields=[quality], seed=1)
    assert not Panel.objects.exists()


def test_an_approver_of_the_department_draws(call, make_application, pool, quality) -> None:
    make_application()
    approver = OfficialFactory(role=OfficialRole.APPROVER, department="amr")
    assert panel_draw(actor=approver, call=call, fields=[quality], seed=1).drawn_by == approver


def test_an_expert_or_an_applicant_does_not_draw(call, make_application, pool, quality) -> None:
    application = make_application()
    for actor in (pool[0].user, application.created_by):
        with pytest.raises(NotAllowed):
            panel_draw(actor=actor, call=call, fields=[quality], seed=1)


def test_only_calls_with_expert_review_and_only_once(handler, call, make_application, pool, quality) -> None:
    make_application()
    call.expert_review = False
    call.save()
    with pytest.raises(WrongState):
        panel_draw(actor=handler, call=call, fields=[quality], seed=1)
    call.expert_review = True
    call.save()
    panel_draw(actor=handler, call=call, fields=[quality], seed=1)
    with pytest.raises(WrongState):
        panel_draw(actor=handler, call=call, fields=[quality], seed=2)
    assert Panel.objects.count() == 1


def test_no_field_chosen_is_refused(handler, call, make_application, pool) -> None:
    make_application()
    with pytest.raises(ExpertReviewError) as refused:
        panel_draw(actor=handler, call=call, fields=[], seed=1)
    assert "fields" in refused.value.problems
