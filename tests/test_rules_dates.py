"""Nothing happens in a case before its child was born, nor in a referral before its case opened.

``case.before_birth`` (error) and ``case.before_estimated_birth`` (warning, the birth date being
an estimate) look at the dates of a case that may come before its opening: the identification
and the opening itself; every other date of a case is on or after its opening (the case's own
invariant ``case.date_before_opening``, which covers follow-ups too).
``referral.before_case_opened`` refuses a referral made before its case was opened.  Every
store refuses such records whole.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework import deploy
from postgres import private_schema, server_url
from rules_helpers import ON, a_case, a_child, a_referral, dates, findings_of, fires
from wladna_core import InvalidRecord, InvariantError
from wladna_core.convert import structure, unstructure
from wladna_core.errors import Severity
from wladna_core.model import (
    Case,
    FollowUp,
    FollowUpKind,
    Identification,
    IdentificationSource,
)
from wladna_core.rules import Context, validate

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BORN = date(2015, 6, 1)


def case_for(
    born: date, opened_on: date, identified_on: date | None = None, **changes: object
) -> tuple[Case, Context]:
    child = a_child(birth_date=born, **changes)
    case = a_case(
        child_id=child.id,
        opened_on=opened_on,
        identification=Identification(IdentificationSource.SCHOOL, identified_on or opened_on),
    )
    return case, Context(children=[child])


# --- examples -----------------------------------------------------------------------------------


def test_a_case_opened_before_its_child_was_born_is_refused_with_both_dates() -> None:
    case, context = case_for(BORN, BORN - timedelta(days=1))
    found = findings_of("case.before_birth", case, context=context)
    assert [(v.path, v.severity) for v in found] == [
        ("$.identification.on", Severity.ERROR),
        ("$.opened_on", Severity.ERROR),
    ]
    assert (
        found[1].message == "The case is dated 2015-05-31, before the child's birth on 2015-06-01."
    )
    assert found[1].remedy.startswith("Correct this date or the child's birth date")
    french = [
        v.message
        for v in validate(case, on=ON, context=context, lang="fr")
        if v.code == "case.before_birth"
    ]
    assert (
        french[1]
        == "Le dossier est daté du 2015-05-31, avant la naissance de l'enfant le 2015-06-01."
    )


def test_a_case_identified_before_birth_and_opened_after_is_refused_at_the_identification() -> None:
    case, context = case_for(BORN, BORN + timedelta(days=3), identified_on=BORN - timedelta(days=2))
    assert [v.path for v in findings_of("case.before_birth", case, context=context)] == [
        "$.identification.on"
    ]


def test_a_case_opened_on_the_day_of_birth_is_accepted() -> None:
    case, context = case_for(BORN, BORN)
    assert not fires("case.before_birth", case, context=context)
    assert not fires("case.before_estimated_birth", case, context=context)


def test_a_case_dated_before_an_estimated_birth_date_is_a_warning_to_check_the_estimate() -> None:
    case, context = case_for(BORN, BORN - timedelta(days=30), birth_date_estimated=True)
    assert not fires("case.before_birth", case, context=context)
    found = findings_of("case.before_estimated_birth", case, context=context)
    assert [(v.path, v.severity) for v in found] == [
        ("$.identification.on", Severity.WARNING),
        ("$.opened_on", Severity.WARNING),
    ]
    assert "estimated birth date (2015-06-01)" in found[0].message


def test_the_birth_rules_wait_for_the_child_to_be_known() -> None:
    case, _ = case_for(BORN, BORN - timedelta(days=1))
    assert not fires("case.before_birth", case, context=Context(children=[]))
    assert not fires("case.before_birth", case, context=Context(bodies=[]))


def test_a_referral_made_before_its_case_was_opened_is_refused() -> None:
    case = a_case(opened_on=ON)
    referral = a_referral(case_id=case.id, made_on=ON - timedelta(days=1))
    [found] = findings_of("referral.before_case_opened", referral, context=Context(cases=[case]))
    assert found.path == "$.made_on"
    assert found.message == (
        "The referral is made on 2026-03-01, before its case was opened on 2026-03-02."
    )
    on_the_day = a_referral(case_id=case.id, made_on=ON)
    assert not fires("referral.before_case_opened", on_the_day, context=Context(cases=[case]))


def test_a_follow_up_before_the_case_was_opened_is_refused_where_it_is() -> None:
    case = a_case(opened_on=ON)
    data = unstructure(case)
    follow_up = unstructure(FollowUp(ON, "worker-7", FollowUpKind.HOME_VISIT))
    data["follow_ups"] = [follow_up, {**follow_up, "on": "2026-03-01"}]
    with pytest.raises(InvalidRecord) as refused:
        structure(data, Case)
    assert [(v.path, v.code) for v in refused.value.violations] == [
        ("$.follow_ups[1].on", "case.date_before_opening")
    ]
    with pytest.raises(InvariantError, match=r"follow_ups\[0\]\.on"):
        Case(
            **{
                **{name: getattr(case, name) for name in ("child_id", "body_id", "territory")},
                "opened_on": ON,
                "identification": case.identification,
                "follow_ups": (FollowUp(ON - timedelta(days=1), "w", FollowUpKind.HOME_VISIT),),
            }
        )


# --- properties ---------------------------------------------------------------------------------


@given(born=dates, identified=dates, opened=dates, estimated=st.booleans())
def test_the_birth_rules_fire_exactly_for_the_dates_before_birth(
    born: date, identified: date, opened: date, estimated: bool
) -> None:
    identified, opened = min(identified, opened), max(identified, opened)
    case, context = case_for(born, opened, identified, birth_date_estimated=estimated)
    expected = [
        path
        for path, when in (("$.identification.on", identified), ("$.opened_on", opened))
        if when < born
    ]
    exact = [
        v.path for v in findings_of("case.before_birth", case, on=max(opened, ON), context=context)
    ]
    guessed = [
        v.path
        for v in findings_of(
            "case.before_estimated_birth", case, on=max(opened, ON), context=context
        )
    ]
    assert (exact, guessed) == (([], expected) if estimated else (expected, []))


@given(opened=dates, made=dates)
def test_a_referral_is_refused_iff_it_is_made_before_its_case_opened(
    opened: date, made: date
) -> None:
    case = a_case(opened_on=opened)
    referral = a_referral(case_id=case.id, made_on=made)
    fired = fires(
        "referral.before_case_opened", referral, on=max(made, ON), context=Context(cases=[case])
    )
    assert fired == (made < opened)


# --- every store refuses such a case ------------------------------------------------------------


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "memory":
        yield f"memory://dates-{id(tmp_path)}"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dates.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


def test_every_store_refuses_a_case_opened_before_its_child_was_born(store_url: str) -> None:
    dep = deploy(store_url)
    try:
        child = dep.child(birth_date=date(2026, 2, 1))
        worker = dep.as_(dep.worker)
        with pytest.raises(InvalidRecord) as refused:
            worker.open_case(
                child_id=child.id,
                body_id=dep.upe.id,
                identification=Identification(IdentificationSource.SCHOOL, date(2026, 1, 20)),
                on=date(2026, 1, 25),
            )
        assert {(v.path, v.code) for v in refused.value.violations} == {
            ("$.identification.on", "case.before_birth"),
            ("$.opened_on", "case.before_birth"),
        }
        with dep.wl.store.unit_of_work() as uow:
            assert uow.cases.count() == 0
        case = worker.open_case(
            child_id=child.id,
            body_id=dep.upe.id,
            identification=Identification(IdentificationSource.SCHOOL, date(2026, 2, 1)),
            on=date(2026, 2, 2),
        ).record
        assert case.opened_on == date(2026, 2, 2)
    finally:
        dep.wl.close()
