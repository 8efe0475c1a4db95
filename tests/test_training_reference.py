"""The reference programme: shaped like the 2020 programme, valid, and saying its sources."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis.errors import InvalidArgument

from wladna_core.convert import structure, unstructure
from wladna_core.model import Gazetteer, TerritoryLevel
from wladna_core.rules import validate
from wladna_core.training import (
    Delivery,
    SessionMode,
    TrainingContext,
    reference_programme,
    training_rules,
)
from wladna_core.training import reference as reference_module
from wladna_core.training import strategies as ts

GAZETTEER = Gazetteer.morocco()


def test_the_reference_programme_has_the_shape_of_the_2020_programme() -> None:
    reference = reference_programme()
    programme = reference.programme
    assert programme.starts_on == date(2020, 6, 8)
    assert programme.partners == ("European Union", "UNICEF")
    assert len(reference.sessions) == 13
    assert sum(len(session.days) for session in reference.sessions) == 26
    assert {session.capacity for session in reference.sessions} == {80}
    assert {session.mode for session in reference.sessions} == {SessionMode.REMOTE}
    by_unit = Counter(session.units[0] for session in reference.sessions)
    protection, steering, _ = reference.units
    assert by_unit == {protection.id: 10, steering.id: 3}
    assert reference.sessions[-1].last_day < date(2021, 4, 2)


def test_the_rollout_goes_from_sale_to_the_pilot_cities_to_ten_regions() -> None:
    test_phase, pilots, regions = reference_programme().programme.phases
    assert test_phase.territories == {"MA-SAL"}
    assert pilots.territories == set(reference_module.PILOT_PROVINCES)
    assert len(pilots.territories) == 8
    assert all(GAZETTEER.get(code).level.is_provincial for code in pilots.territories)
    assert len(regions.territories) == 10
    assert all(GAZETTEER.get(code).level is TerritoryLevel.REGION for code in regions.territories)
    assert regions.starts_on.year == 2021


def test_every_record_of_the_reference_programme_passes_the_training_rules() -> None:
    reference = reference_programme()
    context = TrainingContext(units=reference.units, sessions=reference.sessions)
    on = date(2022, 1, 1)
    for record in (reference.programme, *reference.units, *reference.sessions):
        assert validate(record, on=on, context=context, rules=training_rules()) == []


def test_the_reference_programme_is_the_same_at_every_call_and_converts() -> None:
    first, second = reference_programme(), reference_programme()
    assert first == second
    for record in (first.programme, *first.units, *first.sessions):
        assert structure(unstructure(record), type(record)) == record


def test_the_reference_programme_says_what_is_sourced_and_what_is_not() -> None:
    note = reference_programme().programme.note or ""
    assert "Unverified" in note
    for source in reference_module.SOURCES:
        assert source in note
        assert source.startswith("https://")
    docstring = reference_module.__doc__ or ""
    assert "**Unverified**" in docstring
    assert "8 June 2020" in docstring


def test_the_information_base_unit_is_remote_capable_and_hands_on() -> None:
    unit = reference_programme().units[2]
    assert unit.delivery is Delivery.REMOTE_CAPABLE
    assert unit.hands_on


# --- strategies' knobs --------------------------------------------------------------------------


def test_a_session_strategy_refuses_a_physical_unit_without_a_room() -> None:
    unit = reference_programme().units[0]
    physical = unit.__class__(
        code="RUE",
        title_ar="الشارع",
        title_fr="Rue",
        duration_hours=6,
        delivery=Delivery.PHYSICAL_ONLY,
        physical_reason="Visite de terrain",
    )
    with pytest.raises(InvalidArgument, match="site with seats"):
        ts.training_sessions(units=[physical])
    with pytest.raises(InvalidArgument, match="at least one unit"):
        ts.training_sessions(units=[])


def test_strategies_refuse_what_cannot_be_valid() -> None:
    session = reference_programme().sessions[0]
    with pytest.raises(InvalidArgument, match="cannot be evaluated yet"):
        ts.evaluations(session=session, on=date(2020, 1, 1))
    with pytest.raises(InvalidArgument, match="on must be a date"):
        ts.training_programmes(on="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="max_participants"):
        ts.training_files(max_participants=0)


@given(ts.training_files(full=True))
def test_no_two_records_of_a_drawn_programme_share_an_id(file: ts.TrainingFile) -> None:
    # Across kinds too, as new ids never meet: a participant's id that is also a unit's would
    # let a test that a report "names no participant" fail on the unit it rightly names.
    ids = [record.id for record in file.records] + [body.id for body in file.bodies]
    assert len(ids) == len(set(ids))


@given(ts.training_files(on=date(2021, 6, 30)))
def test_no_date_of_a_drawn_programme_is_after_its_day(file: ts.TrainingFile) -> None:
    on = date(2021, 6, 30)
    assert file.on == on
    assert file.programme.starts_on <= on
    assert all(day <= on for session in file.sessions for day in session.days)
    assert all(e.submitted_on <= on for e in file.evaluations)
    assert all(r.opened_on <= on for r in file.support_requests)
