"""The training half of ``wladna demo``: a programme shaped like the ministry's 2020 one."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs
import pytest

from wladna_core.demo import PILOT_CITIES, plan_demo, run_demo
from wladna_core.errors import Severity
from wladna_core.plugins import make_plugin_manager
from wladna_core.rules import validate
from wladna_core.storage import open_store
from wladna_core.training import (
    Enrolment,
    Evaluation,
    Material,
    SessionMode,
    TrainingContext,
    TrainingSession,
    material_path,
    training_rules,
)
from wladna_core.training_demo import (
    DEMO_COORDINATOR,
    SESSION_PLACES,
    SESSIONS,
    materials_folder,
    plan_training,
    summarise_training,
)

if TYPE_CHECKING:
    from pathlib import Path

    from wladna_core.training_demo import TrainingDemo

TODAY = date(2026, 3, 31)


EIGHT_CITIES = plan_demo(cases=300, seed=3, today=TODAY)


@pytest.fixture(scope="module")
def eight_cities() -> TrainingDemo:
    return plan_training(EIGHT_CITIES)


def test_thirteen_remote_sessions_over_26_days_of_about_80_participants(
    eight_cities: TrainingDemo,
) -> None:
    sessions = eight_cities.sessions
    assert len(sessions) == SESSIONS == 13
    assert sum(len(session.days) for session in sessions) == 26
    assert {session.mode for session in sessions} == {SessionMode.REMOTE}
    sizes = Counter(enrolment.session_id for enrolment in eight_cities.enrolments)
    # Salé's test phase takes Salé's staff; then every session is full, as in 2020.
    assert all(sizes[session.id] <= SESSION_PLACES for session in sessions)
    assert [sizes[session.id] for session in sessions[3:]] == [SESSION_PLACES] * 10


def test_the_rollout_goes_from_sale_to_the_pilot_cities_to_ten_regions(
    eight_cities: TrainingDemo,
) -> None:
    test_phase, pilots, regions = eight_cities.programme.phases
    assert test_phase.territories == {"MA-SAL"}
    assert pilots.territories == {city.code for city in PILOT_CITIES}
    assert len(regions.territories) == 10
    assert test_phase.starts_on < pilots.starts_on < regions.starts_on
    body_of = {person.id: person.body_id for person in eight_cities.participants}
    territory = {site.body_id: site for site in eight_cities.sites}
    assert set(territory) == set(body_of.values())
    for session in eight_cities.sessions[:3]:
        assert test_phase.starts_on <= session.first_day < pilots.starts_on
        assert session.territory == "MA-SAL"


def test_the_first_sessions_train_the_staff_of_sale_only(eight_cities: TrainingDemo) -> None:
    sale = {body.id for body in EIGHT_CITIES.bodies if body.territory == "MA-SAL"}
    by_id = {person.id: person for person in eight_cities.participants}
    first = {session.id for session in eight_cities.sessions[:3]}
    enrolled = {e.participant_id for e in eight_cities.enrolments if e.session_id in first}
    assert enrolled
    assert {by_id[pid].body_id for pid in enrolled} <= sale


def test_every_record_of_the_programme_is_well_formed_and_consistent(
    eight_cities: TrainingDemo,
) -> None:
    sessions = {session.id: session for session in eight_cities.sessions}
    for enrolment in eight_cities.enrolments:
        session = sessions[enrolment.session_id]
        assert enrolment.attended <= set(session.days)
        assert enrolment.completed == (len(enrolment.attended) == len(session.days))
        assert enrolment.enrolled_on < session.first_day
    for evaluation in eight_cities.evaluations:
        assert evaluation.is_anonymous
        assert evaluation.submitted_on >= sessions[evaluation.session_id].last_day
    units = {unit.id: unit for unit in eight_cities.units}
    materials = {material.id for material in eight_cities.materials}
    assert all(set(unit.materials) <= materials for unit in units.values())
    assert set(eight_cities.files) == materials
    for record_type, records in eight_cities.records():
        for record in records:
            assert isinstance(record, record_type)


def test_the_information_base_unit_is_left_for_the_next_cycle(eight_cities: TrainingDemo) -> None:
    given = {unit_id for session in eight_cities.sessions for unit_id in session.units}
    codes = {unit.id: unit.code for unit in eight_cities.units}
    assert sorted(codes[unit_id] for unit_id in given) == ["DTIPE-PIL", "PE-RUE"]


def test_a_short_demonstration_holds_the_sessions_it_has_days_for() -> None:
    short = plan_demo(cases=5, cities=["MA-AGD"], seed=1, today=TODAY)
    training = plan_training(attrs.evolve(short, start=TODAY - timedelta(days=200)))
    assert 0 < len(training.sessions) < SESSIONS
    assert all(session.last_day <= TODAY for session in training.sessions)
    # Without Salé, the test phase is the first city's.
    assert training.programme.phases[0].territories == {"MA-AGD"}


def test_the_same_seed_gives_the_same_programme() -> None:
    def drawn(seed: int) -> tuple[object, ...]:
        training = plan_training(plan_demo(cases=40, cities=["MA-SAL"], seed=seed, today=TODAY))
        summary = summarise_training(training)
        people = sorted(person.person_id for person in training.participants)
        return (summary, people, [session.days for session in training.sessions])

    assert drawn(4) == drawn(4)
    assert drawn(4) != drawn(5)


def test_the_materials_live_next_to_a_sqlite_database() -> None:
    assert str(materials_folder("sqlite:///demo/wladna-demo.db")) == "demo/wladna-demo-materials"
    assert materials_folder("sqlite://") is None
    assert materials_folder("postgresql+psycopg://db/wladna") is None


def test_the_rules_accept_the_programme(eight_cities: TrainingDemo) -> None:
    context = TrainingContext(
        units=eight_cities.units,
        materials=eight_cities.materials,
        sites=eight_cities.sites,
        sessions=eight_cities.sessions,
        participants=eight_cities.participants,
        enrolments=eight_cities.enrolments,
    )
    rules = training_rules()
    found = [
        (type(record).__name__, violation.code)
        for _record_type, records in eight_cities.records()
        for record in records
        for violation in validate(record, on=TODAY, context=context, rules=rules)
        if violation.severity is Severity.ERROR
    ]
    assert found == []


def test_the_demonstration_records_the_programme_through_the_services(tmp_path: Path) -> None:
    plan = plan_demo(cases=15, cities=["MA-SAL"], seed=2, today=TODAY)
    url = f"memory://demo-training-{uuid.uuid4().hex}"
    summary = run_demo(plan, url, materials=tmp_path / "materials")
    training = summary.training
    assert training is not None
    assert (training.sessions, training.days) == (13, 26)
    assert summary.audit_ok
    with open_store(url) as store:
        with store.unit_of_work() as uow:
            assert uow.repository(TrainingSession).count() == 13
            assert uow.repository(Enrolment).count() == training.enrolments
            evaluations = uow.repository(Evaluation).find()
        assert len(evaluations) == training.evaluations
        assert all(evaluation.participant_id is None for evaluation in evaluations)
        entries = list(store.audit_entries())
    # An anonymous evaluation's entry names no one, no record and no moment of the day.
    handed_in = [entry for entry in entries if entry.action == "training.evaluation.submit"]
    assert len(handed_in) == training.evaluations
    assert {(entry.actor_id, entry.record_id) for entry in handed_in} == {("anonymous", None)}
    recorded = {entry.actor_id for entry in entries if entry.action == "training.session.record"}
    assert recorded == {DEMO_COORDINATOR.id}
    # The files of the bags are where the materials say, and match them.
    with open_store(url) as store, store.unit_of_work() as uow:
        materials = uow.repository(Material).find()
    assert materials
    for material in materials:
        content = material_path(material).read_bytes()
        assert hashlib.sha256(content).hexdigest() == material.sha256


def test_a_store_without_the_training_kinds_gets_the_casework_only() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.unregister(name="wladna_core.training.kinds")
    plan = plan_demo(cases=5, cities=["MA-SAL"], seed=2, today=TODAY)
    summary = run_demo(plan, f"memory://demo-casework-{uuid.uuid4().hex}", plugins=pm)
    assert summary.training is None
    assert summary.audit_ok
