"""The transition table itself: every target exists, end states have no exits, all reachable."""

from applications.models import Status
from applications.workflow import BY_ACTION, END_STATES, NEXT_STEP_FOR_APPLICANT, START_STATES, TRANSITIONS, Role


def test_every_state_and_target_is_a_status() -> None:
    statuses = set(Status.values)
    for rule in TRANSITIONS:
        assert rule.target in statuses
        assert rule.sources <= statuses


def test_end_states_have_no_exits() -> None:
    for rule in TRANSITIONS:
        assert not (rule.sources & END_STATES), rule.action


def test_every_state_is_reachable_from_a_start_state() -> None:
    reached, frontier = set(START_STATES), list(START_STATES)
    while frontier:
        state = frontier.pop()
        for rule in TRANSITIONS:
            if state in rule.sources and rule.target not in reached:
                reached.add(rule.target)
                frontier.append(rule.target)
    assert reached == set(Status.values)


def test_every_state_tells_the_applicant_what_comes_next() -> None:
    assert set(NEXT_STEP_FOR_APPLICANT) == set(Status.values)


def test_applicants_act_only_on_their_own_steps() -> None:
    applicant_actions = {r.action for r in TRANSITIONS if Role.APPLICANT in r.roles}
    assert applicant_actions == {
        "submit",
        "submit_to_city",  # a call reviewed by the city first (地市初审推荐)
        "withdraw",
        "supplement",
        "city_supplement",
        "confirm_offer",
        "decline_offer",
    }
    assert Role.APPLICANT not in BY_ACTION["approve"].roles
    assert BY_ACTION["approve"].roles == {Role.APPROVER}
