"""Deadlines of case work and the overdue work of a body on a date."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wladna_core.deadlines import (
    DEFAULT_FIRST_ASSESSMENT,
    DEFAULT_PLAN_REVIEW,
    DEFAULT_REFERRAL_RESPONSE,
    Deadlines,
    DeadlineSettingsError,
    Due,
    DueKind,
    OverdueItem,
    due_dates,
    overdue,
    response_due,
)
from wladna_core.errors import WladnaError
from wladna_core.model import (
    Assessment,
    Case,
    CasePlan,
    CaseStatus,
    FollowUp,
    FollowUpKind,
    Identification,
    IdentificationSource,
    Referral,
    ReferralStatus,
    ReferralTarget,
    RiskLevel,
    ServiceType,
    SocialProgramme,
    new_id,
)
from wladna_core.testing import strategies as ws

BODY = new_id()
PARTNER = new_id()
DEFAULTS = Deadlines()

# --- builders -----------------------------------------------------------------------------------


def a_case(
    opened_on: date = date(2026, 3, 2),
    *,
    risk: RiskLevel = RiskLevel.HIGH,
    status: CaseStatus = CaseStatus.REGISTERED,
    **changes: Any,
) -> Case:
    case = Case(
        child_id=new_id(),
        body_id=BODY,
        territory="MA-SAL",
        opened_on=opened_on,
        identification=Identification(IdentificationSource.SCHOOL, opened_on),
        risk=risk,
        status=status,
        number="SAL-2026-000001",
    )
    return attrs.evolve(case, **changes)


def assessed(case: Case, on: date) -> Case:
    return attrs.evolve(case, assessment=Assessment(on=on, by="worker-01", risk=case.risk))


def with_plan(
    case: Case, drawn_up_on: date, *, review_on: date | None = None, reviews: tuple[date, ...] = ()
) -> Case:
    case = assessed(case, case.opened_on)
    follow_ups = tuple(
        FollowUp(on=day, by="worker-01", kind=FollowUpKind.PLAN_REVIEW) for day in reviews
    )
    return attrs.evolve(
        case,
        status=CaseStatus.IMPLEMENTATION,
        plan=CasePlan(drawn_up_on=drawn_up_on, review_on=review_on),
        follow_ups=follow_ups,
    )


def a_referral(case: Case, made_on: date, **changes: Any) -> Referral:
    referral = Referral(
        case_id=case.id,
        from_body=BODY,
        target=ReferralTarget.to_body(PARTNER),
        service=ServiceType.PSYCHOSOCIAL,
        made_on=made_on,
    )
    return attrs.evolve(referral, **changes)


def keys(items: list[OverdueItem]) -> set[tuple[DueKind, str, str | None]]:
    return {(item.kind, item.case_id, item.referral_id) for item in items}


def longer(deadlines: Deadlines, extra: int) -> Deadlines:
    def add(days: Mapping[RiskLevel, int]) -> dict[RiskLevel, int]:
        return {level: value + extra for level, value in days.items()}

    return Deadlines(
        first_assessment=add(deadlines.first_assessment),
        referral_response=add(deadlines.referral_response),
        plan_review=add(deadlines.plan_review),
    )


# --- strategies ---------------------------------------------------------------------------------

# Distinct ids across files, as in one store; drawing case files is slow, so allow for it.
FILES = ws.many_case_files(max_size=4)
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DAYS = st.integers(0, 400)
DEADLINE_DAYS = st.fixed_dictionaries({level: st.integers(0, 60) for level in RiskLevel})
DEADLINES = st.builds(
    Deadlines,
    first_assessment=DEADLINE_DAYS,
    referral_response=DEADLINE_DAYS,
    plan_review=DEADLINE_DAYS,
)


def records(files: tuple[ws.CaseFile, ...]) -> tuple[list[Case], list[Referral]]:
    return [f.case for f in files], [r for f in files for r in f.referrals]


# --- properties ---------------------------------------------------------------------------------


@PROPERTY
@given(FILES, DAYS, DEADLINES)
def test_overdue_never_lists_a_closed_transferred_or_duplicate_case(
    files: tuple[ws.CaseFile, ...], later: int, deadlines: Deadlines
) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    inactive = {case.id for case in cases if not case.is_active}
    items = overdue(cases, referrals, on=on, deadlines=deadlines)
    assert not {item.case_id for item in items} & inactive


@PROPERTY
@given(FILES, DAYS, DEADLINES)
def test_overdue_work_is_at_least_one_day_late_counted_from_its_due_date(
    files: tuple[ws.CaseFile, ...], later: int, deadlines: Deadlines
) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    items = overdue(cases, referrals, on=on, deadlines=deadlines)
    for item in items:
        assert item.days_overdue >= 1
        assert item.due_on + timedelta(days=item.days_overdue) == on
    assert [item.days_overdue for item in items] == sorted(
        (item.days_overdue for item in items), reverse=True
    )


@PROPERTY
@given(FILES, DAYS, st.integers(0, 400), DEADLINES)
def test_moving_the_date_forward_never_removes_overdue_work(
    files: tuple[ws.CaseFile, ...], later: int, more: int, deadlines: Deadlines
) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    before = overdue(cases, referrals, on=on, deadlines=deadlines)
    after = overdue(cases, referrals, on=on + timedelta(days=more), deadlines=deadlines)
    assert keys(before) <= keys(after)


@PROPERTY
@given(FILES, DAYS, DEADLINES, st.integers(0, 30))
def test_longer_deadlines_never_make_more_work_overdue(
    files: tuple[ws.CaseFile, ...], later: int, deadlines: Deadlines, extra: int
) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    strict = overdue(cases, referrals, on=on, deadlines=deadlines)
    lenient = overdue(cases, referrals, on=on, deadlines=longer(deadlines, extra))
    assert keys(lenient) <= keys(strict)
    late = {(i.kind, i.case_id, i.referral_id): i.days_overdue for i in strict}
    for item in lenient:
        assert item.days_overdue <= late[item.kind, item.case_id, item.referral_id]


@PROPERTY
@given(FILES, DAYS)
def test_a_body_sees_exactly_the_work_it_owes(files: tuple[ws.CaseFile, ...], later: int) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    everything = overdue(cases, referrals, on=on, deadlines=DEFAULTS)
    for f in files:
        for body in f.bodies:
            mine = overdue(cases, referrals, on=on, deadlines=DEFAULTS, body_id=body.id)
            assert mine == [item for item in everything if item.body_id == body.id]


@PROPERTY
@given(FILES, DAYS)
def test_doing_the_work_removes_it_from_the_overdue_list(
    files: tuple[ws.CaseFile, ...], later: int
) -> None:
    cases, referrals = records(files)
    on = ws.REFERENCE_DATE + timedelta(days=later)
    items = overdue(cases, referrals, on=on, deadlines=DEFAULTS)
    done_cases = [
        case if case.assessment else assessed(case, max(case.opened_on, ws.REFERENCE_DATE))
        for case in cases
    ]
    answered = [
        attrs.evolve(r, status=ReferralStatus.ACCEPTED, responded_on=on)
        if r.status is ReferralStatus.PENDING
        else r
        for r in referrals
    ]
    remaining = overdue(done_cases, answered, on=on, deadlines=DEFAULTS)
    assert {item.kind for item in remaining} <= {DueKind.PLAN_REVIEW}
    assert keys(remaining) == {k for k in keys(items) if k[0] is DueKind.PLAN_REVIEW}


@PROPERTY
@given(ws.case_files(max_referrals=3), DEADLINES)
def test_due_dates_list_work_only_for_an_active_case(
    case_file: ws.CaseFile, deadlines: Deadlines
) -> None:
    due = due_dates(case_file.case, case_file.referrals, deadlines)
    if not case_file.case.is_active:
        assert due == []
    pending = {r.id for r in case_file.referrals if r.status is ReferralStatus.PENDING}
    assert {d.referral_id for d in due if d.kind is DueKind.REFERRAL_RESPONSE} == pending or (
        not case_file.case.is_active
    )
    assert [d.due_on for d in due] == sorted(d.due_on for d in due)


# --- first assessment at edge dates ---------------------------------------------------------------


def test_work_due_today_is_not_overdue() -> None:
    case = a_case(date(2026, 3, 2), risk=RiskLevel.MEDIUM)  # due 3 days later
    assert overdue([case], [], on=date(2026, 3, 5), deadlines=DEFAULTS) == []


def test_work_due_yesterday_is_one_day_overdue() -> None:
    case = a_case(date(2026, 3, 2), risk=RiskLevel.MEDIUM)
    assert overdue([case], [], on=date(2026, 3, 6), deadlines=DEFAULTS) == [
        OverdueItem(
            kind=DueKind.FIRST_ASSESSMENT,
            case_id=case.id,
            case_number="SAL-2026-000001",
            body_id=BODY,
            referral_id=None,
            due_on=date(2026, 3, 5),
            days_overdue=1,
        )
    ]


def test_a_deadline_can_fall_on_a_leap_day() -> None:
    case = a_case(date(2028, 2, 28), risk=RiskLevel.HIGH)
    [due] = due_dates(case, [], DEFAULTS)
    assert due.due_on == date(2028, 2, 29)
    assert overdue([case], [], on=date(2028, 2, 29), deadlines=DEFAULTS) == []
    [item] = overdue([case], [], on=date(2028, 3, 1), deadlines=DEFAULTS)
    assert item.days_overdue == 1


def test_the_days_overdue_count_across_the_end_of_a_year() -> None:
    case = a_case(date(2025, 12, 30), risk=RiskLevel.HIGH)
    [item] = overdue([case], [], on=date(2026, 1, 2), deadlines=DEFAULTS)
    assert (item.due_on, item.days_overdue) == (date(2025, 12, 31), 2)


def test_an_assessed_case_owes_no_first_assessment() -> None:
    case = assessed(a_case(date(2026, 3, 2)), date(2026, 3, 10))
    assert due_dates(case, [], DEFAULTS) == []


@pytest.mark.parametrize(
    "status", [CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.DUPLICATE]
)
def test_a_case_no_longer_active_owes_nothing(status: CaseStatus) -> None:
    case = a_case(date(2026, 3, 2), status=status)
    referral = a_referral(case, date(2026, 3, 2))
    assert due_dates(case, [referral], DEFAULTS) == []
    assert overdue([case], [referral], on=date(2027, 1, 1), deadlines=DEFAULTS) == []


# --- referrals ----------------------------------------------------------------------------------


def test_a_pending_referral_is_the_target_bodys_work() -> None:
    case = assessed(a_case(date(2026, 3, 2), risk=RiskLevel.HIGH), date(2026, 3, 2))
    referral = a_referral(case, date(2026, 3, 3))
    [item] = overdue([case], [referral], on=date(2026, 3, 7), deadlines=DEFAULTS)
    assert item == OverdueItem(
        kind=DueKind.REFERRAL_RESPONSE,
        case_id=case.id,
        case_number=case.number,
        body_id=PARTNER,
        referral_id=referral.id,
        due_on=date(2026, 3, 5),
        days_overdue=2,
    )
    assert overdue([case], [referral], on=date(2026, 3, 7), deadlines=DEFAULTS, body_id=BODY) == []


def test_a_referral_is_due_by_its_own_response_date_when_it_has_one() -> None:
    case = assessed(a_case(date(2026, 3, 2), risk=RiskLevel.HIGH), date(2026, 3, 2))
    referral = a_referral(case, date(2026, 3, 3), response_due=date(2026, 3, 20))
    [due] = due_dates(case, [referral], DEFAULTS)
    assert due.due_on == date(2026, 3, 20)


def test_an_answered_referral_owes_nothing() -> None:
    case = assessed(a_case(date(2026, 3, 2)), date(2026, 3, 2))
    referral = a_referral(
        case, date(2026, 3, 3), status=ReferralStatus.REJECTED, rejection_reason="full"
    )
    assert due_dates(case, [referral], DEFAULTS) == []


def test_a_referral_to_a_programme_is_owed_by_no_body() -> None:
    case = assessed(a_case(date(2026, 3, 2)), date(2026, 3, 2))
    referral = a_referral(
        case,
        date(2026, 3, 3),
        target=ReferralTarget.to_programme(SocialProgramme.ASD),
        service=ServiceType.SOCIAL_ASSISTANCE,
    )
    [item] = overdue([case], [referral], on=date(2026, 4, 1), deadlines=DEFAULTS)
    assert item.body_id is None
    assert overdue([case], [referral], on=date(2026, 4, 1), deadlines=DEFAULTS, body_id=BODY) == []


def test_a_referral_whose_case_is_not_given_is_left_out() -> None:
    case = assessed(a_case(date(2026, 3, 2)), date(2026, 3, 2))
    referral = a_referral(case, date(2026, 3, 3))
    assert overdue([], [referral], on=date(2027, 1, 1), deadlines=DEFAULTS) == []


def test_due_dates_refuse_a_referral_of_another_case() -> None:
    case = a_case()
    other = a_referral(a_case(), date(2026, 3, 3))
    with pytest.raises(ValueError, match=f"referral {other.id} belongs to case"):
        due_dates(case, [other], DEFAULTS)


@pytest.mark.parametrize(
    ("risk", "days"), [(RiskLevel.HIGH, 2), (RiskLevel.MEDIUM, 5), (RiskLevel.LOW, 10)]
)
def test_response_due_counts_the_days_of_the_case_risk(risk: RiskLevel, days: int) -> None:
    case = a_case(risk=risk)
    assert response_due(case, date(2026, 3, 3), DEFAULTS) == date(2026, 3, 3) + timedelta(days)


# --- plan reviews -------------------------------------------------------------------------------


def test_a_plan_is_due_for_review_on_its_review_date() -> None:
    case = with_plan(a_case(date(2026, 1, 5)), date(2026, 1, 10), review_on=date(2026, 2, 1))
    assert due_dates(case, [], DEFAULTS) == [
        Due(DueKind.PLAN_REVIEW, case.id, case.number, BODY, date(2026, 2, 1))
    ]


def test_a_plan_without_review_date_is_due_the_risk_days_after_it_was_drawn_up() -> None:
    case = with_plan(a_case(date(2026, 1, 5), risk=RiskLevel.LOW), date(2026, 1, 10))
    [due] = due_dates(case, [], DEFAULTS)
    assert due.due_on == date(2026, 1, 10) + timedelta(days=90)


def test_after_a_review_the_next_is_due_the_risk_days_after_the_latest() -> None:
    case = with_plan(
        a_case(date(2026, 1, 5), risk=RiskLevel.HIGH),
        date(2026, 1, 10),
        review_on=date(2026, 2, 1),
        reviews=(date(2026, 2, 3), date(2026, 3, 1)),
    )
    [due] = due_dates(case, [], DEFAULTS)
    assert due.due_on == date(2026, 3, 31)


def test_follow_ups_other_than_reviews_do_not_count_as_a_review() -> None:
    case = with_plan(a_case(date(2026, 1, 5)), date(2026, 1, 10), review_on=date(2026, 2, 1))
    visit = FollowUp(on=date(2026, 2, 5), by="worker-01", kind=FollowUpKind.HOME_VISIT)
    case = attrs.evolve(case, follow_ups=(visit,))
    [due] = due_dates(case, [], DEFAULTS)
    assert due.due_on == date(2026, 2, 1)


def test_a_plan_not_yet_carried_out_is_not_due_for_review() -> None:
    case = attrs.evolve(
        with_plan(a_case(date(2026, 1, 5)), date(2026, 1, 10)), status=CaseStatus.CASE_PLAN
    )
    assert due_dates(case, [], DEFAULTS) == []


# --- settings -----------------------------------------------------------------------------------


def test_the_defaults_cover_every_risk_level_and_grow_as_risk_falls() -> None:
    for defaults in (DEFAULT_FIRST_ASSESSMENT, DEFAULT_REFERRAL_RESPONSE, DEFAULT_PLAN_REVIEW):
        assert set(defaults) == set(RiskLevel)
        order = [defaults[level] for level in RiskLevel]  # high, medium, low, none
        assert order == sorted(order)
    assert DEFAULTS.days(DueKind.FIRST_ASSESSMENT, RiskLevel.HIGH) == 1


def test_settings_replace_the_kinds_they_name_and_keep_the_others() -> None:
    settings = {"deadlines": {"referral_response": {"high": 1, "medium": 2, "low": 3, "none": 4}}}
    deadlines = Deadlines.from_settings(settings)
    assert dict(deadlines.referral_response) == {
        RiskLevel.HIGH: 1,
        RiskLevel.MEDIUM: 2,
        RiskLevel.LOW: 3,
        RiskLevel.NONE: 4,
    }
    assert deadlines.first_assessment == DEFAULTS.first_assessment
    assert Deadlines.from_settings({}) == DEFAULTS
    assert Deadlines.from_settings({"other": 1}) == DEFAULTS


@pytest.mark.parametrize(
    ("section", "key", "words"),
    [
        (
            {"plan_review": {"high": -1, "medium": 1, "low": 1, "none": 1}},
            "deadlines.plan_review.high",
            "cannot be negative",
        ),
        (
            {"plan_review": {"high": 1, "medium": 1}},
            "deadlines.plan_review",
            "risk level(s) low, none",
        ),
        (
            {"plan_review": {"high": 1.5, "medium": 1, "low": 1, "none": 1}},
            "deadlines.plan_review.high",
            "whole number",
        ),
        (
            {"plan_review": {"high": True, "medium": 1, "low": 1, "none": 1}},
            "deadlines.plan_review.high",
            "whole number",
        ),
        ({"plan_review": {"urgent": 1}}, "deadlines.plan_review.urgent", "not a risk level"),
        ({"plan_review": [1, 2]}, "deadlines.plan_review", "every risk level"),
        ({"first_visit": {}}, "deadlines.first_visit", "not a kind of work"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(
    section: dict[str, object], key: str, words: str
) -> None:
    with pytest.raises(DeadlineSettingsError) as caught:
        Deadlines.from_settings({"deadlines": section})
    assert caught.value.key == key
    assert words in str(caught.value)
    assert isinstance(caught.value, WladnaError)
    assert isinstance(caught.value, ValueError)


def test_a_deadlines_section_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(DeadlineSettingsError, match="setting deadlines = 3: it must map kinds"):
        Deadlines.from_settings({"deadlines": 3})


def test_deadlines_built_in_code_are_checked_too() -> None:
    with pytest.raises(DeadlineSettingsError, match=r"deadlines\.first_assessment\.low"):
        Deadlines(first_assessment={**DEFAULT_FIRST_ASSESSMENT, RiskLevel.LOW: -3})


def test_a_settings_error_survives_pickling() -> None:
    error = DeadlineSettingsError("deadlines.x", 1, "reason", "Remedy.")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_deadlines_are_equal_and_hashable_by_value() -> None:
    assert Deadlines() == Deadlines.from_settings({"deadlines": {}})
    assert hash(Deadlines()) == hash(Deadlines())


def test_overdue_wants_a_date() -> None:
    with pytest.raises(TypeError, match="on must be a date"):
        overdue([], [], on="2026-03-02", deadlines=DEFAULTS)  # type: ignore[arg-type]
