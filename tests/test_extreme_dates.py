"""Any date a ``datetime.date`` can hold, 0001-01-01 to 9999-12-31, is answered, never overflowed.

Reports, overdue work, deadlines and ages take a date from outside (``--on 0001-01-01``, a
period, a record dated at the end of the calendar).  Their date arithmetic counts in day numbers,
so that no intermediate date falls outside the calendar; a deadline after 9999-12-31 is given as
that day (:func:`wladna_core.deadlines.days_after`).  On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import Clock, Deployment, deploy
from postgres import private_schema, server_url
from wladna_core.deadlines import Deadlines, DueKind, days_after, due_dates, overdue, response_due
from wladna_core.model import (
    Case,
    CasePlan,
    CaseStatus,
    Consent,
    ConsentGiver,
    Identification,
    IdentificationSource,
    Referral,
    ReferralTarget,
    RiskLevel,
    ServiceType,
    age_on,
    new_id,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period
from wladna_core.reporting.build import available_indicators
from wladna_core.reporting.engine import AGE_BANDS, AGE_OVER, age_band

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

any_day = st.dates(min_value=date.min, max_value=date.max)
# The edges of the calendar, drawn often.
edges = st.sampled_from(
    [date.min, date.min + timedelta(days=1), date(1, 3, 1), date.max - timedelta(days=1), date.max]
)
days = any_day | edges
# Deadlines of any length a setting may give, up to absurd ones.
allowed = st.integers(0, 30) | st.integers(0, 10**7)


def deadlines_of(first: int, response: int, review: int) -> Deadlines:
    return Deadlines.from_settings(
        {
            "deadlines": {
                kind: dict.fromkeys(("high", "medium", "low", "none"), value)
                for kind, value in (
                    ("first_assessment", first),
                    ("referral_response", response),
                    ("plan_review", review),
                )
            }
        }
    )


def a_case(opened_on: date, *, risk: RiskLevel, plan: bool) -> Case:
    return Case(
        child_id=new_id(),
        body_id=new_id(),
        territory="MA-SAL",
        opened_on=opened_on,
        identification=Identification(IdentificationSource.SCHOOL, opened_on),
        risk=risk,
        status=CaseStatus.IMPLEMENTATION if plan else CaseStatus.REGISTERED,
        plan=CasePlan(drawn_up_on=opened_on) if plan else None,
    )


# --- pure functions ---------------------------------------------------------------------------


@given(day=days, count=allowed)
def test_days_after_is_the_day_count_later_or_the_last_day(day: date, count: int) -> None:
    later = days_after(day, count)
    if day.toordinal() + count <= date.max.toordinal():
        assert later == day + timedelta(days=count)
    else:
        assert later == date.max


@settings(max_examples=200)
@given(
    opened=days,
    on=days,
    made=days,
    risk=st.sampled_from(RiskLevel),
    plan=st.booleans(),
    first=allowed,
    response=allowed,
    review=allowed,
)
def test_overdue_work_and_deadlines_are_answered_for_any_dates(
    opened: date,
    on: date,
    made: date,
    risk: RiskLevel,
    plan: bool,
    first: int,
    response: int,
    review: int,
) -> None:
    deadlines = deadlines_of(first, response, review)
    case = a_case(opened, risk=risk, plan=plan)
    made = max(made, opened)
    referral = Referral(
        case_id=case.id,
        from_body=case.body_id,
        target=ReferralTarget.to_body(new_id()),
        service=ServiceType.PSYCHOSOCIAL,
        made_on=made,
    )
    assert response_due(case, made, deadlines) == days_after(made, response)
    due = {item.kind: item.due_on for item in due_dates(case, [referral], deadlines)}
    assert due[DueKind.REFERRAL_RESPONSE] == days_after(made, response)
    if plan:
        assert due[DueKind.PLAN_REVIEW] == days_after(opened, review)
    else:
        assert due[DueKind.FIRST_ASSESSMENT] == days_after(opened, first)
    late = overdue([case], [referral], on=on, deadlines=deadlines)
    assert {item.kind for item in late} == {kind for kind, when in due.items() if when < on}
    for item in late:
        assert item.days_overdue == on.toordinal() - item.due_on.toordinal() > 0


@given(born=days, on=days)
def test_an_age_and_its_band_are_answered_for_any_dates(born: date, on: date) -> None:
    age = age_on(born, on)
    assert on.year - born.year - 1 <= age <= on.year - born.year
    band = age_band(born, on)
    bands = {label: (low, high) for label, low, high in AGE_BANDS}
    if age > max(high for _, high in bands.values()):
        assert band == AGE_OVER
    else:
        assert band in bands
        assert age <= bands[band][1]


# --- reports and overdue work in every store ----------------------------------------------------


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
    scope="module",
)
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://extreme-dates"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('dates') / 'dates.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


@pytest.fixture(scope="module")
def dep(store_url: str) -> Iterator[Deployment]:
    deployment = deploy(store_url)
    try:
        high = deployment.case(risk=RiskLevel.HIGH, with_family=True)
        deployment.case(risk=RiskLevel.LOW)
        worker = deployment.as_(deployment.worker)
        worker.refer(high.id, service=ServiceType.PSYCHOSOCIAL, to_body=deployment.cape.id)
        yield deployment
    finally:
        deployment.wl.close()


INDICATORS = sorted(available_indicators(make_plugin_manager(load_entrypoints=False)).items())


@st.composite
def report_requests(draw: st.DrawFn) -> tuple[list[str], list[str], Period | None, date]:
    name, indicator = draw(st.sampled_from(INDICATORS))
    by = (
        draw(st.lists(st.sampled_from(indicator.dimensions), max_size=1, unique=True))
        if indicator.dimensions
        else []
    )
    on = draw(days)
    period = None
    if draw(st.booleans()):
        start, end = sorted((draw(days), draw(days)))
        end = min(end, on)
        period = Period(min(start, end), end)
    return [name], by, period, on


_PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_PROPERTY
@given(request=report_requests())
def test_a_report_is_made_on_any_date_and_for_any_period(
    dep: Deployment, request: tuple[list[str], list[str], Period | None, date]
) -> None:
    names, by, period, on = request
    report = dep.wl.report(names, by=by, period=period, on=on)
    assert [table.indicator for table in report.tables] == names
    if on < date(2026, 1, 1):  # before anything happened: nothing to count
        for table in report.tables:
            # The bodies a coverage is measured over have no date: only they may be counted.
            counted = (
                value
                for measure, value in zip(table.measures, table.totals or (), strict=False)
                if measure != "bodies"
            )
            assert all(not value for value in counted)


@_PROPERTY
@given(on=days)
def test_a_body_s_overdue_work_is_listed_on_any_date(dep: Deployment, on: date) -> None:
    items = dep.as_(dep.worker).overdue(dep.upe.id, on=on)
    assert all(item.due_on < on for item in items)


def test_a_deployment_at_the_end_of_the_calendar_keeps_working(tmp_path: Path) -> None:
    """Records dated 9999-12-30 have deadlines after the calendar: given as its last day."""
    last = date(9999, 12, 30)
    dep = deploy(f"sqlite:///{tmp_path / 'last.db'}", clock=Clock(last))
    try:
        child = dep.child(birth_date=date(9990, 6, 1))
        case = (
            dep.as_(dep.worker)
            .open_case(
                child_id=child.id,
                body_id=dep.upe.id,
                identification=Identification(IdentificationSource.SCHOOL, last),
                risk=RiskLevel.LOW,
                consent=Consent(
                    recorded_on=last,
                    given_by=ConsentGiver.CAREGIVER,
                    services=True,
                    sharing=True,
                ),
                on=last,
            )
            .record
        )
        referral = (
            dep.as_(dep.worker)
            .refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id, on=last)
            .record
        )
        assert referral.response_due == date.max
        assert dep.as_(dep.worker).overdue(dep.upe.id, on=date.max) == []
        names = [name for name, _ in INDICATORS]
        report = dep.wl.report(names, period=Period(date.min, date.max), on=date.max)
        assert [table.indicator for table in report.tables] == names
    finally:
        dep.wl.close()
