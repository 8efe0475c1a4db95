"""The state machines of the Case and the Referral: allowed transitions, refusals, events."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from wladna_core import workflow
from wladna_core.errors import InvariantError, WladnaError
from wladna_core.model import (
    Approval,
    Assessment,
    Case,
    CasePlan,
    CaseStatus,
    Closure,
    ClosureReason,
    Consent,
    ConsentGiver,
    ConsentWithdrawal,
    FollowUp,
    FollowUpKind,
    Goal,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    RiskLevel,
    ServiceType,
    SocialProgramme,
    TransitionPlan,
    Urgency,
)
from wladna_core.model._checks import text_problem
from wladna_core.testing import strategies as ws
from wladna_core.workflow import (
    CASE_TRANSITIONS,
    REFERRAL_TRANSITIONS,
    CaseEvent,
    DateOutOfOrder,
    Event,
    IllegalTransition,
    PlanNotApproved,
    ReasonRequired,
    ReferralEvent,
    ReferralsStillOpen,
    StepMissing,
    TransitionRefused,
)

OPENED = date(2026, 3, 2)
CASE_ID = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
CHILD_ID = "0193a7e2-5c1d-7b3e-9f00-000000000001"
BODY_ID = "0193a7e2-5c1d-7b3e-9f00-000000000002"
OTHER_BODY_ID = "0193a7e2-5c1d-7b3e-9f00-000000000003"
OTHER_CASE_ID = "0193a7e2-5c1d-7b3e-9f00-000000000004"
REFERRAL_ID = "0193a7e2-5c1d-7b3e-9f00-000000000005"
SECOND_REFERRAL_ID = "0193a7e2-5c1d-7b3e-9f00-000000000006"

C = CaseStatus
ASSESSED = frozenset({C.ASSESSMENT, C.CASE_PLAN, C.IMPLEMENTATION, C.FOLLOW_UP})
PLANNED = frozenset({C.CASE_PLAN, C.IMPLEMENTATION, C.FOLLOW_UP})
PLAN_IN_FORCE = frozenset({C.IMPLEMENTATION, C.FOLLOW_UP})


# --- building records ---------------------------------------------------------------------------


def registered_case(**changes: Any) -> Case:
    case, _events = workflow.open_case(
        child_id=CHILD_ID,
        body_id=BODY_ID,
        territory="MA-SAL",
        identification=Identification(IdentificationSource.SCHOOL, OPENED),
        on=OPENED,
        concerns=[ProtectionConcern.NEGLECT],
        case_id=CASE_ID,
    )
    return attrs.evolve(case, **changes)


def assessed_case(risk: RiskLevel = RiskLevel.MEDIUM) -> Case:
    case, _ = workflow.record_assessment(
        registered_case(), Assessment(OPENED, "assessor", risk), OPENED
    )
    return case


def planned_case(risk: RiskLevel = RiskLevel.MEDIUM, *, approved: bool = False) -> Case:
    approval = Approval("supervisor", OPENED) if approved else None
    case, _ = workflow.record_plan(assessed_case(risk), CasePlan(OPENED, approval=approval), OPENED)
    return case


def implemented_case(risk: RiskLevel = RiskLevel.MEDIUM) -> Case:
    case, _ = workflow.start_implementation(planned_case(risk, approved=True), OPENED)
    return case


def closed_case() -> Case:
    case, _ = workflow.close(
        registered_case(), Closure(OPENED, ClosureReason.RISK_RESOLVED), OPENED, referrals=()
    )
    return case


def a_referral(case: Case | None = None, referral_id: str = REFERRAL_ID) -> Referral:
    referral, _ = workflow.make_referral(
        case or registered_case(),
        target=ReferralTarget.to_body(OTHER_BODY_ID),
        service=ServiceType.MEDICAL,
        on=OPENED,
        referral_id=referral_id,
    )
    return referral


def accepted_referral(referral_id: str = REFERRAL_ID) -> Referral:
    referral, _ = workflow.accept(a_referral(referral_id=referral_id), OPENED)
    return referral


# --- strategies ---------------------------------------------------------------------------------

ids = st.uuids().map(str)
names = st.sampled_from(["Amina Alaoui", "Youssef Bennani", "supervisor-12", "ts-rabat-04"])
# Reasons are notes: any text but what no text may hold (control characters but tabs and line
# breaks, noncharacters).
note_characters = st.characters(exclude_categories=["Cs"]).filter(
    lambda character: text_problem(character) is None
)
reasons = st.text(note_characters, min_size=1, max_size=40).filter(str.strip)


# Transitions happen on or after the date of validation of the drawn records (no date in them is
# after it), so that every date a transition checks is in order.
days_after_reference = st.integers(0, 30).map(lambda days: ws.REFERENCE_DATE + timedelta(days))
versions = st.integers(0, 5)


def expected_refusal(action: str, case: Case) -> type[TransitionRefused] | None:
    """Predict, from the table and what the case holds, how ``action`` is refused (or not)."""
    if not CASE_TRANSITIONS[action].allows(case.status):
        return IllegalTransition
    if action == "record_plan" and case.assessment is None:
        return StepMissing
    if action in {"approve_plan", "start_implementation"}:
        if case.plan is None:
            return StepMissing
        if action == "approve_plan" and case.plan.approved:
            return TransitionRefused
        if action == "start_implementation" and case.risk is RiskLevel.HIGH:
            return None if case.plan.approved else PlanNotApproved
    if action == "request_closure" and case.pending_closure_request is not None:
        return TransitionRefused
    if action in {"approve_closure", "decline_closure"} and case.pending_closure_request is None:
        return StepMissing
    if action == "record_transition_plan" and case.plan is None:
        return StepMissing
    return None


# How each case action is called with arguments valid for a case in one of its sources.
CaseCall = Callable[[Case, date, st.DataObject], tuple[Any, tuple[Event, ...]]]
CASE_CALLS: dict[str, CaseCall] = {
    "record_assessment": lambda case, on, data: workflow.record_assessment(
        case,
        Assessment(on, data.draw(names), data.draw(st.sampled_from(RiskLevel))),
        on,
        concerns=data.draw(st.frozensets(st.sampled_from(ProtectionConcern), min_size=1)),
    ),
    "record_plan": lambda case, on, data: workflow.record_plan(
        case, CasePlan(on, goals=[Goal("Return to school", "ts-rabat-04", on)]), on
    ),
    "approve_plan": lambda case, on, data: workflow.approve_plan(
        case, Approval(data.draw(names), on), on
    ),
    "start_implementation": lambda case, on, data: workflow.start_implementation(case, on),
    "record_follow_up": lambda case, on, data: workflow.record_follow_up(
        case, FollowUp(on, data.draw(names), data.draw(st.sampled_from(FollowUpKind))), on
    ),
    "close": lambda case, on, data: workflow.close(
        case, Closure(on, data.draw(st.sampled_from(ClosureReason))), on, referrals=()
    ),
    "reopen": lambda case, on, data: workflow.reopen(case, on, data.draw(reasons)),
    "request_closure": lambda case, on, data: workflow.request_closure(
        case,
        reason=data.draw(st.sampled_from(ClosureReason)),
        requested_by=data.draw(names),
        on=on,
        referrals=(),
    ),
    "approve_closure": lambda case, on, data: workflow.approve_closure(
        case, by=data.draw(names), on=on, referrals=()
    ),
    "decline_closure": lambda case, on, data: workflow.decline_closure(
        case, by=data.draw(names), on=on, comment=data.draw(reasons)
    ),
    "record_transition_plan": lambda case, on, data: workflow.record_transition_plan(
        case, TransitionPlan(on, "Lives with an aunt; vocational training"), on
    ),
    "transfer": lambda case, on, data: workflow.transfer(
        case,
        to_body=data.draw(ids.filter(lambda body: body != case.body_id)),
        new_case_id=data.draw(ids.filter(lambda other: other != case.id)),
        on=on,
        referrals=(),
    ),
    "mark_duplicate": lambda case, on, data: workflow.mark_duplicate(
        case, data.draw(ids.filter(lambda other: other != case.id)), on, referrals=()
    ),
    "make_referral": lambda case, on, data: workflow.make_referral(
        case,
        target=ReferralTarget.to_programme(data.draw(st.sampled_from(SocialProgramme))),
        service=data.draw(st.sampled_from(ServiceType)),
        on=on,
    ),
}

ReferralCall = Callable[[Referral, date, st.DataObject], tuple[Referral, tuple[Event, ...]]]
REFERRAL_CALLS: dict[str, ReferralCall] = {
    "accept": lambda referral, on, data: workflow.accept(referral, on),
    "reject": lambda referral, on, data: workflow.reject(referral, data.draw(reasons), on),
    "cancel": lambda referral, on, data: workflow.cancel(
        referral, on, data.draw(st.none() | reasons)
    ),
    "complete": lambda referral, on, data: workflow.complete(
        referral, on, data.draw(st.none() | reasons)
    ),
}

# --- the tables ---------------------------------------------------------------------------------


def test_every_action_of_the_tables_is_a_function_of_the_same_name() -> None:
    for action in (*CASE_TRANSITIONS, *REFERRAL_TRANSITIONS):
        assert inspect.isfunction(getattr(workflow, action)), action
        assert action in workflow.__all__
    assert set(CASE_CALLS) == set(CASE_TRANSITIONS)
    assert set(REFERRAL_CALLS) == set(REFERRAL_TRANSITIONS)


def test_the_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        CASE_TRANSITIONS["close"] = CASE_TRANSITIONS["reopen"]  # type: ignore[index]
    with pytest.raises(TypeError):
        REFERRAL_TRANSITIONS["accept"] = REFERRAL_TRANSITIONS["reject"]  # type: ignore[index]


def test_every_case_status_is_reachable_from_registered() -> None:
    reached = {CaseStatus.REGISTERED}
    frontier = [CaseStatus.REGISTERED]
    while frontier:
        status = frontier.pop()
        for transition in CASE_TRANSITIONS.values():
            if transition.allows(status) and transition.result(status) not in reached:
                reached.add(transition.result(status))
                frontier.append(transition.result(status))
    assert reached == set(CaseStatus)


def test_every_referral_status_is_reachable_from_pending() -> None:
    reached = {ReferralStatus.PENDING} | {
        transition.result(ReferralStatus.PENDING)
        for transition in REFERRAL_TRANSITIONS.values()
        if transition.allows(ReferralStatus.PENDING)
    }
    reached |= {
        transition.result(ReferralStatus.ACCEPTED)
        for transition in REFERRAL_TRANSITIONS.values()
        if transition.allows(ReferralStatus.ACCEPTED)
    }
    assert reached == set(ReferralStatus)


def test_transferred_and_duplicate_cases_allow_no_action() -> None:
    for status in (CaseStatus.TRANSFERRED, CaseStatus.DUPLICATE):
        assert not any(item.allows(status) for item in CASE_TRANSITIONS.values())


def test_only_reopen_leads_out_of_closed() -> None:
    allowed = {action for action, item in CASE_TRANSITIONS.items() if item.allows(C.CLOSED)}
    assert allowed == {"reopen"}


def test_a_case_leaves_the_active_statuses_only_by_close_transfer_or_duplicate() -> None:
    leaving = {
        action
        for action, item in CASE_TRANSITIONS.items()
        if item.target is not None and not item.target.is_active
    }
    assert leaving == {"close", "approve_closure", "transfer", "mark_duplicate"}
    for action in leaving:
        assert CASE_TRANSITIONS[action].sources == {s for s in CaseStatus if s.is_active}


def test_finished_referrals_allow_no_action() -> None:
    finished = {ReferralStatus.REJECTED, ReferralStatus.CANCELLED, ReferralStatus.COMPLETED}
    for status in finished:
        assert not any(item.allows(status) for item in REFERRAL_TRANSITIONS.values())


def test_every_event_kind_has_its_own_dotted_name() -> None:
    kinds = [
        value
        for value in vars(workflow).values()
        if isinstance(value, type) and issubclass(value, Event)
    ]
    concrete = [kind for kind in kinds if kind not in {Event, CaseEvent, ReferralEvent}]
    assert len(concrete) == 20
    names_ = [kind.name for kind in concrete]
    assert len(set(names_)) == len(names_)
    for kind in concrete:
        prefix = "case." if issubclass(kind, CaseEvent) else "referral."
        assert kind.name.startswith(prefix), kind


def test_every_refusal_is_a_wladna_error() -> None:
    for kind in (
        IllegalTransition,
        StepMissing,
        PlanNotApproved,
        ReasonRequired,
        DateOutOfOrder,
        ReferralsStillOpen,
    ):
        assert issubclass(kind, TransitionRefused)
    assert issubclass(TransitionRefused, WladnaError)


# --- properties: each transition succeeds exactly from its sources -----------------------------


@pytest.mark.parametrize("action", sorted(CASE_TRANSITIONS))
@given(data=st.data())
def test_a_case_action_leads_to_its_target_from_its_sources_and_is_refused_elsewhere(
    action: str, data: st.DataObject
) -> None:
    transition = CASE_TRANSITIONS[action]
    # Half the statuses from the action's sources, so that both outcomes are drawn often.
    status = data.draw(st.sampled_from(sorted(transition.sources)) | st.sampled_from(CaseStatus))
    case = attrs.evolve(data.draw(ws.cases(status=status)), version=data.draw(versions))
    on = data.draw(days_after_reference)
    call = CASE_CALLS[action]
    expected = expected_refusal(action, case)
    event(expected.__name__ if expected else "succeeds")
    if expected is not None:
        with pytest.raises(expected) as refused:
            call(case, on, data)
        assert type(refused.value) is expected
        assert refused.value.action == action
        assert str(refused.value).startswith(f"cannot {action} Case {case.id}: ")
        if isinstance(refused.value, IllegalTransition):
            assert refused.value.status == case.status.value
            assert set(refused.value.allowed) == {status.value for status in transition.sources}
            assert str(refused.value).startswith(
                f"cannot {action} Case {case.id}: it is {case.status.value!r}; {action} is "
                "allowed from "
            )
        return
    new, events = call(case, on, data)
    if action == "approve_closure":
        # The approval, then the closure it brings about.
        assert [event.name for event in events] == ["case.closure_approved", "case.closed"]
        events = events[1:]
    (happened,) = events
    assert happened.on == on
    if action == "make_referral":
        assert isinstance(new, Referral)
        assert new.status is ReferralStatus.PENDING
        assert isinstance(happened, ReferralEvent)
        assert (happened.record_id, happened.case_id) == (new.id, case.id)
        return
    assert isinstance(new, Case)
    assert new.status is transition.result(case.status)
    assert (new.id, new.version) == (case.id, case.version)
    assert isinstance(happened, CaseEvent)
    assert happened.record_id == case.id


@pytest.mark.parametrize("action", sorted(REFERRAL_TRANSITIONS))
@given(data=st.data())
def test_a_referral_action_leads_to_its_target_from_its_sources_and_is_refused_elsewhere(
    action: str, data: st.DataObject
) -> None:
    transition = REFERRAL_TRANSITIONS[action]
    status = data.draw(
        st.sampled_from(sorted(transition.sources)) | st.sampled_from(ReferralStatus)
    )
    referral = attrs.evolve(data.draw(ws.referrals(status=status)), version=data.draw(versions))
    on = data.draw(days_after_reference)
    call = REFERRAL_CALLS[action]
    event("succeeds" if transition.allows(referral.status) else "IllegalTransition")
    if not transition.allows(referral.status):
        with pytest.raises(IllegalTransition) as refused:
            call(referral, on, data)
        assert refused.value.status == referral.status.value
        assert str(refused.value).startswith(
            f"cannot {action} Referral {referral.id}: it is {referral.status.value!r}"
        )
        return
    new, events = call(referral, on, data)
    (happened,) = events
    assert new.status is transition.result(referral.status)
    assert (new.id, new.version, new.case_id) == (referral.id, referral.version, referral.case_id)
    assert isinstance(happened, ReferralEvent)
    assert (happened.record_id, happened.case_id, happened.on) == (
        referral.id,
        referral.case_id,
        on,
    )
    assert not new.is_open or action == "accept"


@given(ws.cases(status=C.CASE_PLAN), st.sampled_from(RiskLevel))
def test_only_a_high_risk_case_needs_an_approved_plan_to_start_implementation(
    case: Case, risk: RiskLevel
) -> None:
    case = attrs.evolve(case, risk=risk, plan=CasePlan(case.opened_on))
    on = ws.REFERENCE_DATE
    if risk is RiskLevel.HIGH:
        with pytest.raises(PlanNotApproved):
            workflow.start_implementation(case, on)
    else:
        started, _ = workflow.start_implementation(case, on)
        assert started.status is C.IMPLEMENTATION


@given(
    ws.cases(),
    st.lists(ws.referrals(), min_size=1, max_size=4, unique_by=lambda referral: referral.id),
)
def test_a_case_with_an_open_referral_cannot_be_closed_transferred_or_marked_duplicate(
    case: Case, drawn: list[Referral]
) -> None:
    on = ws.REFERENCE_DATE
    referrals = [attrs.evolve(referral, case_id=case.id) for referral in drawn]
    still_open = [referral.id for referral in referrals if referral.is_open]
    attempts: dict[str, Callable[[], tuple[Case, tuple[CaseEvent, ...]]]] = {
        "close": lambda: workflow.close(
            case, Closure(on, ClosureReason.OTHER), on, referrals=referrals
        ),
        "transfer": lambda: workflow.transfer(
            case, to_body=OTHER_BODY_ID, new_case_id=OTHER_CASE_ID, on=on, referrals=referrals
        ),
        "mark_duplicate": lambda: workflow.mark_duplicate(
            case, OTHER_CASE_ID, on, referrals=referrals
        ),
    }
    for action, attempt in attempts.items():
        if not CASE_TRANSITIONS[action].allows(case.status):
            with pytest.raises(IllegalTransition):
                attempt()
        elif still_open:
            with pytest.raises(ReferralsStillOpen) as refused:
                attempt()
            assert list(refused.value.referral_ids) == still_open
        else:
            new, _ = attempt()
            assert not new.is_active


@given(ws.cases(), st.integers(1, 400))
def test_no_action_may_be_dated_before_the_case_was_opened(case: Case, days: int) -> None:
    before = case.opened_on - timedelta(days=days)
    data_free: dict[str, Callable[[], object]] = {
        "start_implementation": lambda: workflow.start_implementation(case, before),
        "reopen": lambda: workflow.reopen(case, before, "new report"),
        "make_referral": lambda: workflow.make_referral(
            case,
            target=ReferralTarget.to_judicial_authority(),
            service=ServiceType.LEGAL_AID,
            on=before,
        ),
    }
    for action, attempt in data_free.items():
        expected = (
            DateOutOfOrder if CASE_TRANSITIONS[action].allows(case.status) else IllegalTransition
        )
        with pytest.raises(expected):
            attempt()


# --- examples: the path of a case ---------------------------------------------------------------


def test_a_case_goes_through_every_step_on_the_day_it_was_opened() -> None:
    case, events = workflow.open_case(
        child_id=CHILD_ID,
        body_id=BODY_ID,
        territory="MA-SAL",
        identification=Identification(IdentificationSource.POLICE, OPENED),
        on=OPENED,
        case_id=CASE_ID,
    )
    names_ = [event.name for event in events]
    assert (case.status, case.opened_on, case.risk) == (C.REGISTERED, OPENED, RiskLevel.MEDIUM)
    steps: list[Callable[[Case], tuple[Case, tuple[CaseEvent, ...]]]] = [
        lambda c: workflow.record_assessment(
            c,
            Assessment(OPENED, "assessor", RiskLevel.HIGH),
            OPENED,
            concerns=[ProtectionConcern.CHILD_LABOUR],
        ),
        lambda c: workflow.record_plan(c, CasePlan(OPENED), OPENED),
        lambda c: workflow.approve_plan(c, Approval("supervisor", OPENED), OPENED),
        lambda c: workflow.start_implementation(c, OPENED),
        lambda c: workflow.record_follow_up(
            c, FollowUp(OPENED, "ts-rabat-04", FollowUpKind.HOME_VISIT), OPENED
        ),
        lambda c: workflow.close(
            c, Closure(OPENED, ClosureReason.GOALS_ACHIEVED), OPENED, referrals=()
        ),
        lambda c: workflow.reopen(c, OPENED, "the child was found working again"),
    ]
    statuses = []
    for step in steps:
        case, events = step(case)
        statuses.append(case.status)
        names_.extend(event.name for event in events)
    assert statuses == [
        C.ASSESSMENT,
        C.CASE_PLAN,
        C.CASE_PLAN,
        C.IMPLEMENTATION,
        C.FOLLOW_UP,
        C.CLOSED,
        C.REOPENED,
    ]
    assert names_ == [
        "case.opened",
        "case.assessed",
        "case.plan_recorded",
        "case.plan_approved",
        "case.implementation_started",
        "case.follow_up_recorded",
        "case.closed",
        "case.reopened",
    ]
    assert case.version == 0


def test_open_case_starts_registered_and_says_so_in_its_event() -> None:
    case, (event,) = workflow.open_case(
        child_id=CHILD_ID,
        body_id=BODY_ID,
        territory="MA-RAB",
        identification=Identification(IdentificationSource.HOTLINE, OPENED - timedelta(days=2)),
        on=OPENED,
        risk=RiskLevel.HIGH,
        concerns={ProtectionConcern.BEGGING},
    )
    assert case.status is C.REGISTERED
    assert case.concerns == {ProtectionConcern.BEGGING}
    assert event == workflow.CaseOpened(
        record_id=case.id,
        on=OPENED,
        child_id=CHILD_ID,
        body_id=BODY_ID,
        territory="MA-RAB",
        risk=RiskLevel.HIGH,
    )


def test_open_case_refuses_an_identification_after_the_opening_day() -> None:
    with pytest.raises(InvariantError, match=r"case\.identified_after_opening"):
        workflow.open_case(
            child_id=CHILD_ID,
            body_id=BODY_ID,
            territory="MA-SAL",
            identification=Identification(IdentificationSource.SCHOOL, OPENED + timedelta(1)),
            on=OPENED,
        )


def test_the_assessment_sets_the_risk_and_may_replace_the_concerns() -> None:
    case = registered_case(risk=RiskLevel.LOW)
    assessment = Assessment(OPENED, "assessor", RiskLevel.HIGH)
    kept, (event,) = workflow.record_assessment(case, assessment, OPENED)
    assert (kept.risk, kept.assessment, kept.concerns) == (
        RiskLevel.HIGH,
        assessment,
        frozenset({ProtectionConcern.NEGLECT}),
    )
    assert event == workflow.CaseAssessed(
        record_id=CASE_ID, on=OPENED, risk=RiskLevel.HIGH, previous_risk=RiskLevel.LOW
    )
    replaced, _ = workflow.record_assessment(
        case, assessment, OPENED, concerns=[ProtectionConcern.TRAFFICKING]
    )
    assert replaced.concerns == {ProtectionConcern.TRAFFICKING}


def test_a_reopened_case_is_assessed_again() -> None:
    reopened, _ = workflow.reopen(closed_case(), OPENED + timedelta(30), "new report")
    assessment = Assessment(OPENED + timedelta(31), "assessor", RiskLevel.HIGH)
    case, _ = workflow.record_assessment(reopened, assessment, OPENED + timedelta(31))
    assert (case.status, case.assessment) == (C.ASSESSMENT, assessment)


def test_a_new_plan_replaces_the_previous_one() -> None:
    case = planned_case(approved=True)
    newer = CasePlan(OPENED + timedelta(3), goals=[Goal("Birth act", "ts", OPENED)])
    replanned, (event,) = workflow.record_plan(case, newer, OPENED + timedelta(3))
    assert replanned.plan == newer
    assert event == workflow.CasePlanRecorded(
        record_id=CASE_ID, on=OPENED + timedelta(3), goals=1, review_on=None, approved=False
    )


def test_a_plan_may_be_approved_while_it_is_carried_out() -> None:
    started, _ = workflow.start_implementation(planned_case(RiskLevel.LOW), OPENED)
    approved, (event,) = workflow.approve_plan(started, Approval("sup", OPENED), OPENED)
    assert approved.status is C.IMPLEMENTATION
    assert approved.plan is not None
    assert approved.plan.approval == Approval("sup", OPENED)
    assert event == workflow.CasePlanApproved(record_id=CASE_ID, on=OPENED, by="sup")


def test_follow_ups_accumulate_in_order() -> None:
    case = implemented_case()
    first = FollowUp(OPENED + timedelta(7), "ts", FollowUpKind.PHONE_CALL)
    second = FollowUp(OPENED + timedelta(14), "ts", FollowUpKind.PLAN_REVIEW)
    case, _ = workflow.record_follow_up(case, first, OPENED + timedelta(7))
    case, (event,) = workflow.record_follow_up(case, second, OPENED + timedelta(15))
    assert case.follow_ups == (first, second)
    assert event == workflow.FollowUpRecorded(
        record_id=CASE_ID, on=OPENED + timedelta(15), kind=FollowUpKind.PLAN_REVIEW, by="ts"
    )


def test_a_registered_case_found_not_to_need_protection_may_be_closed_at_once() -> None:
    closure = Closure(OPENED, ClosureReason.RISK_RESOLVED, note="Report unfounded.")
    case, (event,) = workflow.close(registered_case(), closure, OPENED, referrals=())
    assert (case.status, case.closure) == (C.CLOSED, closure)
    assert event == workflow.CaseClosed(
        record_id=CASE_ID, on=OPENED, reason=ClosureReason.RISK_RESOLVED
    )


def test_a_case_closes_once_its_referrals_are_finished() -> None:
    case = registered_case()
    done, _ = workflow.complete(accepted_referral(), OPENED, "seen by the doctor")
    withdrawn, _ = workflow.cancel(a_referral(referral_id=SECOND_REFERRAL_ID), OPENED)
    closed, _ = workflow.close(
        case, Closure(OPENED, ClosureReason.GOALS_ACHIEVED), OPENED, referrals=[done, withdrawn]
    )
    assert closed.status is C.CLOSED


def test_reopening_removes_the_closure_and_the_event_keeps_it() -> None:
    reopened, (event,) = workflow.reopen(closed_case(), OPENED, "new report")
    assert (reopened.status, reopened.closure) == (C.REOPENED, None)
    assert event == workflow.CaseReopened(
        record_id=CASE_ID,
        on=OPENED,
        reason="new report",
        closed_on=OPENED,
        previous_closure_reason=ClosureReason.RISK_RESOLVED,
    )


def test_a_transfer_names_the_case_that_continues_it() -> None:
    case, (event,) = workflow.transfer(
        assessed_case(), to_body=OTHER_BODY_ID, new_case_id=OTHER_CASE_ID, on=OPENED, referrals=()
    )
    assert (case.status, case.transferred_to, case.body_id) == (
        C.TRANSFERRED,
        OTHER_CASE_ID,
        BODY_ID,
    )
    assert event == workflow.CaseTransferred(
        record_id=CASE_ID,
        on=OPENED,
        from_body=BODY_ID,
        to_body=OTHER_BODY_ID,
        new_case_id=OTHER_CASE_ID,
    )


def test_a_duplicate_names_the_case_it_duplicates() -> None:
    case, (event,) = workflow.mark_duplicate(registered_case(), OTHER_CASE_ID, OPENED, referrals=())
    assert (case.status, case.duplicate_of) == (C.DUPLICATE, OTHER_CASE_ID)
    assert event == workflow.CaseMarkedDuplicate(
        record_id=CASE_ID, on=OPENED, of_case_id=OTHER_CASE_ID
    )


# --- examples: the path of a referral -----------------------------------------------------------


def test_a_referral_is_pending_and_sent_by_the_case_body_unless_told_otherwise() -> None:
    target = ReferralTarget.to_body(OTHER_BODY_ID)
    referral, (event,) = workflow.make_referral(
        registered_case(),
        target=target,
        service=ServiceType.PSYCHOSOCIAL,
        on=OPENED,
        urgency=Urgency.URGENT,
        response_due=OPENED + timedelta(2),
        referral_id=REFERRAL_ID,
    )
    assert (referral.status, referral.from_body, referral.made_on, referral.case_id) == (
        ReferralStatus.PENDING,
        BODY_ID,
        OPENED,
        CASE_ID,
    )
    assert event == workflow.ReferralMade(
        record_id=REFERRAL_ID,
        on=OPENED,
        case_id=CASE_ID,
        from_body=BODY_ID,
        target=target,
        service=ServiceType.PSYCHOSOCIAL,
        urgency=Urgency.URGENT,
    )
    other, _ = workflow.make_referral(
        registered_case(),
        target=ReferralTarget.to_judicial_authority(),
        service=ServiceType.JUDICIAL_PROTECTION,
        on=OPENED,
        from_body=OTHER_BODY_ID,
    )
    assert other.from_body == OTHER_BODY_ID


def test_answering_a_referral_records_the_day_of_the_answer() -> None:
    day = OPENED + timedelta(3)
    accepted, (event,) = workflow.accept(a_referral(), day)
    assert (accepted.status, accepted.responded_on, accepted.closed_on) == (
        ReferralStatus.ACCEPTED,
        day,
        None,
    )
    assert event == workflow.ReferralAccepted(record_id=REFERRAL_ID, on=day, case_id=CASE_ID)
    rejected, (event,) = workflow.reject(a_referral(), "service full", day)
    assert (rejected.status, rejected.responded_on, rejected.closed_on) == (
        ReferralStatus.REJECTED,
        day,
        day,
    )
    assert rejected.rejection_reason == "service full"
    assert event == workflow.ReferralRejected(
        record_id=REFERRAL_ID, on=day, case_id=CASE_ID, reason="service full"
    )


def test_completing_a_referral_keeps_its_outcome() -> None:
    completed, (event,) = workflow.complete(accepted_referral(), OPENED, "Service délivré.")
    assert (completed.status, completed.closed_on, completed.outcome) == (
        ReferralStatus.COMPLETED,
        OPENED,
        "Service délivré.",
    )
    assert event == workflow.ReferralCompleted(
        record_id=REFERRAL_ID, on=OPENED, case_id=CASE_ID, outcome="Service délivré."
    )
    silent, (event,) = workflow.complete(accepted_referral(), OPENED, "  ")
    assert silent.outcome is None
    assert isinstance(event, workflow.ReferralCompleted)
    assert event.outcome is None


def test_cancelling_keeps_the_reason_in_the_event_only() -> None:
    cancelled, (event,) = workflow.cancel(accepted_referral(), OPENED, "child moved away")
    assert (cancelled.status, cancelled.closed_on) == (ReferralStatus.CANCELLED, OPENED)
    assert event == workflow.ReferralCancelled(
        record_id=REFERRAL_ID, on=OPENED, case_id=CASE_ID, reason="child moved away"
    )
    _, (silent,) = workflow.cancel(a_referral(), OPENED, " ")
    assert isinstance(silent, workflow.ReferralCancelled)
    assert silent.reason is None


# --- examples: refusals and their messages ------------------------------------------------------


def test_an_illegal_transition_names_the_case_its_status_and_the_allowed_ones() -> None:
    with pytest.raises(IllegalTransition) as refused:
        workflow.start_implementation(registered_case(), OPENED)
    assert str(refused.value) == (
        f"cannot start_implementation Case {CASE_ID}: it is 'registered'; "
        "start_implementation is allowed from case_plan"
    )
    with pytest.raises(IllegalTransition) as refused:
        workflow.close(closed_case(), Closure(OPENED, ClosureReason.OTHER), OPENED, referrals=())
    assert str(refused.value) == (
        f"cannot close Case {CASE_ID}: it is 'closed'; close is allowed from registered, "
        "assessment, case_plan, implementation, follow_up, reopened"
    )
    assert refused.value.allowed == (
        "registered",
        "assessment",
        "case_plan",
        "implementation",
        "follow_up",
        "reopened",
    )


def test_an_illegal_referral_transition_names_the_referral() -> None:
    with pytest.raises(IllegalTransition) as refused:
        workflow.complete(a_referral(), OPENED)
    assert str(refused.value) == (
        f"cannot complete Referral {REFERRAL_ID}: it is 'pending'; complete is allowed from "
        "accepted"
    )


def test_a_closed_case_takes_no_new_referral() -> None:
    with pytest.raises(IllegalTransition, match=r"cannot make_referral Case .*: it is 'closed'"):
        a_referral(closed_case())


def test_a_high_risk_case_needs_an_approved_plan_before_implementation() -> None:
    with pytest.raises(PlanNotApproved) as refused:
        workflow.start_implementation(planned_case(RiskLevel.HIGH), OPENED)
    assert str(refused.value) == (
        f"cannot start_implementation Case {CASE_ID}: it is high risk and no supervisor has "
        "approved its case plan; record the approval (approve_plan) first"
    )
    started, _ = workflow.start_implementation(planned_case(RiskLevel.HIGH, approved=True), OPENED)
    assert started.status is C.IMPLEMENTATION


def test_closure_without_a_reason_is_refused_naming_the_reasons_to_choose_from() -> None:
    with pytest.raises(ReasonRequired) as refused:
        workflow.close(registered_case(), Closure(OPENED), OPENED, referrals=())
    assert str(refused.value) == (
        f"cannot close Case {CASE_ID}: the closure has no reason; give one of goals_achieved, "
        "risk_resolved, reached_majority, moved_away, lost_contact, services_refused, death, "
        "other"
    )


def test_closure_with_open_referrals_is_refused_naming_them() -> None:
    closure = Closure(OPENED, ClosureReason.MOVED_AWAY)
    with pytest.raises(ReferralsStillOpen) as refused:
        workflow.close(registered_case(), closure, OPENED, referrals=[a_referral()])
    assert str(refused.value) == (
        f"cannot close Case {CASE_ID}: referral {REFERRAL_ID} (pending) is still open; "
        "complete or cancel it first"
    )
    both = [a_referral(), accepted_referral(SECOND_REFERRAL_ID)]
    with pytest.raises(ReferralsStillOpen) as refused:
        workflow.close(registered_case(), closure, OPENED, referrals=both)
    assert str(refused.value) == (
        f"cannot close Case {CASE_ID}: referrals {REFERRAL_ID} (pending), "
        f"{SECOND_REFERRAL_ID} (accepted) are still open; complete or cancel them first"
    )
    assert refused.value.referral_ids == (REFERRAL_ID, SECOND_REFERRAL_ID)


def test_the_referrals_passed_must_be_those_of_the_case() -> None:
    stranger = attrs.evolve(a_referral(), case_id=OTHER_CASE_ID, status=ReferralStatus.COMPLETED)
    with pytest.raises(ValueError, match=f"referral {REFERRAL_ID} belongs to case"):
        workflow.close(
            registered_case(), Closure(OPENED, ClosureReason.OTHER), OPENED, referrals=[stranger]
        )


def test_a_plan_needs_an_assessment_first() -> None:
    unassessed = registered_case(status=C.ASSESSMENT)
    with pytest.raises(StepMissing) as refused:
        workflow.record_plan(unassessed, CasePlan(OPENED), OPENED)
    assert str(refused.value) == (
        f"cannot record_plan Case {CASE_ID}: it has no assessment; record the assessment first"
    )


def test_approval_and_implementation_need_a_plan_first() -> None:
    unplanned = assessed_case()
    unplanned = attrs.evolve(unplanned, status=C.CASE_PLAN)
    with pytest.raises(StepMissing, match="it has no case plan"):
        workflow.approve_plan(unplanned, Approval("sup", OPENED), OPENED)
    with pytest.raises(StepMissing, match="it has no case plan"):
        workflow.start_implementation(unplanned, OPENED)


def test_an_approved_plan_is_not_approved_twice() -> None:
    with pytest.raises(TransitionRefused, match="already approved by supervisor on 2026-03-02"):
        workflow.approve_plan(planned_case(approved=True), Approval("other", OPENED), OPENED)


def test_an_approval_before_the_plan_names_the_case_and_the_invariant() -> None:
    case, _ = workflow.record_plan(
        assessed_case(), CasePlan(OPENED + timedelta(5)), OPENED + timedelta(5)
    )
    with pytest.raises(InvariantError) as broken:
        workflow.approve_plan(case, Approval("sup", OPENED + timedelta(1)), OPENED + timedelta(5))
    assert broken.value.code == "plan.approved_before_drawn_up"
    assert f"cannot approve_plan Case {CASE_ID}:" in str(broken.value)


def test_a_reason_is_required_to_reopen_or_to_reject() -> None:
    with pytest.raises(ReasonRequired, match="say why the case is reopened"):
        workflow.reopen(closed_case(), OPENED, "   ")
    with pytest.raises(ReasonRequired) as refused:
        workflow.reject(a_referral(), "", OPENED)
    assert str(refused.value) == (
        f"cannot reject Referral {REFERRAL_ID}: say why the referral is rejected (the reason is "
        "blank)"
    )


def test_a_case_is_transferred_to_another_body_and_continued_by_another_case() -> None:
    with pytest.raises(TransitionRefused, match="is already its responsible body"):
        workflow.transfer(
            registered_case(), to_body=BODY_ID, new_case_id=OTHER_CASE_ID, on=OPENED, referrals=()
        )
    with pytest.raises(TransitionRefused, match="must be another case"):
        workflow.transfer(
            registered_case(), to_body=OTHER_BODY_ID, new_case_id=CASE_ID, on=OPENED, referrals=()
        )


def test_a_case_cannot_be_marked_a_duplicate_of_itself() -> None:
    with pytest.raises(TransitionRefused, match="a case cannot duplicate itself"):
        workflow.mark_duplicate(registered_case(), CASE_ID, OPENED, referrals=())


def test_a_transfer_or_duplicate_waits_for_the_open_referrals() -> None:
    with pytest.raises(ReferralsStillOpen, match=f"cannot transfer Case {CASE_ID}: referral"):
        workflow.transfer(
            registered_case(),
            to_body=OTHER_BODY_ID,
            new_case_id=OTHER_CASE_ID,
            on=OPENED,
            referrals=[accepted_referral()],
        )
    with pytest.raises(ReferralsStillOpen, match=f"cannot mark_duplicate Case {CASE_ID}"):
        workflow.mark_duplicate(registered_case(), OTHER_CASE_ID, OPENED, referrals=[a_referral()])


# --- examples: dates ----------------------------------------------------------------------------


def test_an_action_the_day_before_opening_is_refused() -> None:
    with pytest.raises(DateOutOfOrder) as refused:
        workflow.start_implementation(planned_case(), OPENED - timedelta(1))
    assert str(refused.value) == (
        f"cannot start_implementation Case {CASE_ID}: on 2026-03-01 is before the case was "
        "opened on 2026-03-02"
    )


def test_what_is_recorded_cannot_be_dated_after_the_day_it_is_recorded() -> None:
    tomorrow = OPENED + timedelta(1)
    with pytest.raises(DateOutOfOrder) as refused:
        workflow.record_assessment(
            registered_case(), Assessment(tomorrow, "assessor", RiskLevel.LOW), OPENED
        )
    assert str(refused.value) == (
        f"cannot record_assessment Case {CASE_ID}: the assessment is dated 2026-03-03, after "
        "the day it is recorded (2026-03-02)"
    )
    with pytest.raises(DateOutOfOrder, match="the plan is dated 2026-03-03"):
        workflow.record_plan(assessed_case(), CasePlan(tomorrow), OPENED)
    with pytest.raises(DateOutOfOrder, match="the approval is dated 2026-03-03"):
        workflow.approve_plan(planned_case(), Approval("sup", tomorrow), OPENED)
    with pytest.raises(DateOutOfOrder, match="the closure is dated 2026-03-03"):
        workflow.close(
            registered_case(), Closure(tomorrow, ClosureReason.OTHER), OPENED, referrals=()
        )
    with pytest.raises(DateOutOfOrder, match="the follow-up is dated 2026-03-03"):
        workflow.record_follow_up(
            implemented_case(), FollowUp(tomorrow, "ts", FollowUpKind.HOME_VISIT), OPENED
        )


def test_a_follow_up_cannot_precede_the_opening_of_the_case() -> None:
    with pytest.raises(DateOutOfOrder) as refused:
        workflow.record_follow_up(
            implemented_case(),
            FollowUp(OPENED - timedelta(1), "ts", FollowUpKind.HOME_VISIT),
            OPENED,
        )
    assert str(refused.value) == (
        f"cannot record_follow_up Case {CASE_ID}: the follow-up is dated 2026-03-01, before "
        "the case was opened on 2026-03-02"
    )


def test_a_case_is_reopened_on_or_after_the_day_it_was_closed() -> None:
    case, _ = workflow.close(
        registered_case(),
        Closure(OPENED + timedelta(10), ClosureReason.OTHER),
        OPENED + timedelta(10),
        referrals=(),
    )
    with pytest.raises(DateOutOfOrder, match="before the case was closed on 2026-03-12"):
        workflow.reopen(case, OPENED + timedelta(9), "new report")
    reopened, _ = workflow.reopen(case, OPENED + timedelta(10), "new report")
    assert reopened.status is C.REOPENED


def test_a_referral_is_answered_on_or_after_the_day_it_was_made() -> None:
    day_before = OPENED - timedelta(1)
    with pytest.raises(DateOutOfOrder) as refused:
        workflow.accept(a_referral(), day_before)
    assert str(refused.value) == (
        f"cannot accept Referral {REFERRAL_ID}: on 2026-03-01 is before the referral was made "
        "on 2026-03-02"
    )
    with pytest.raises(DateOutOfOrder):
        workflow.reject(a_referral(), "full", day_before)
    with pytest.raises(DateOutOfOrder):
        workflow.cancel(a_referral(), day_before)
    late, _ = workflow.accept(a_referral(), OPENED + timedelta(4))
    with pytest.raises(DateOutOfOrder, match="before the referral was accepted on 2026-03-06"):
        workflow.complete(late, OPENED + timedelta(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda on: workflow.start_implementation(planned_case(), on),
        lambda on: workflow.accept(a_referral(), on),
        lambda on: workflow.reopen(closed_case(), on, "reason"),
    ],
)
def test_on_must_be_a_date_not_a_datetime(call: Callable[[object], object]) -> None:
    with pytest.raises(TypeError, match="on must be a date, got datetime"):
        call(datetime(2026, 3, 2, 9, 0))


# --- errors -------------------------------------------------------------------------------------


def test_refusals_survive_pickling_with_their_details() -> None:
    refusals: list[TransitionRefused] = [
        IllegalTransition("Case x", "close", "closed", ["registered", "assessment"]),
        ReferralsStillOpen("Case x", "close", [("r1", "pending"), ("r2", "accepted")]),
        PlanNotApproved("Case x", "start_implementation", "it is high risk"),
        ReasonRequired("Referral y", "reject", "say why"),
        StepMissing("Case x", "record_plan", "it has no assessment"),
        DateOutOfOrder("Case x", "close", "too early"),
        TransitionRefused("Case x", "transfer", "same body"),
    ]
    for refusal in refusals:
        copy = pickle.loads(pickle.dumps(refusal))
        assert type(copy) is type(refusal)
        assert str(copy) == str(refusal)
        assert vars(copy) == vars(refusal)


# --- withdrawal of consent: any status, the status unchanged -------------------------------------


@given(
    case=ws.cases(),
    services=st.booleans(),
    sharing=st.booleans(),
    reporting=st.booleans(),
    by=names,
)
def test_withdrawing_consent_removes_exactly_what_was_withdrawn_and_keeps_the_rest(
    case: Case, services: bool, sharing: bool, reporting: bool, by: str
) -> None:
    if not (services or sharing or reporting):
        with pytest.raises(InvariantError, match="withdraw consent to services, sharing"):
            ConsentWithdrawal(on=ws.REFERENCE_DATE, recorded_by=by, sharing=False)
        return
    withdrawal = ConsentWithdrawal(
        on=ws.REFERENCE_DATE,
        recorded_by=by,
        services=services,
        sharing=sharing,
        reporting=reporting,
    )
    consent = case.consent
    if consent is None or not (consent.services or consent.sharing or consent.reporting):
        with pytest.raises(StepMissing, match="holds no consent"):
            workflow.withdraw_consent(case, withdrawal, ws.REFERENCE_DATE)
        return
    new, (happened,) = workflow.withdraw_consent(case, withdrawal, ws.REFERENCE_DATE)
    assert new.consent is not None
    assert new.consent.services == (consent.services and not services)
    assert new.consent.sharing == (consent.sharing and not sharing)
    assert new.consent.reporting == (consent.reporting and not reporting)
    assert (new.consent.override, new.consent.given_by) == (consent.override, consent.given_by)
    assert new.consent_withdrawals == (*case.consent_withdrawals, withdrawal)
    assert (new.status, new.version) == (case.status, case.version)
    assert happened.name == "case.consent_withdrawn"
    assert (happened.record_id, happened.sharing) == (case.id, sharing)


def test_a_withdrawal_dated_before_the_consent_is_refused() -> None:
    case = registered_case()
    consent = Consent(OPENED + timedelta(days=3), ConsentGiver.CAREGIVER, sharing=True)
    case = attrs.evolve(case, consent=consent)
    early = ConsentWithdrawal(on=OPENED + timedelta(days=1), recorded_by="w")
    with pytest.raises(DateOutOfOrder, match="before the consent was recorded"):
        workflow.withdraw_consent(case, early, OPENED + timedelta(days=5))
