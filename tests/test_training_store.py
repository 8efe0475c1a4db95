"""The training kinds of record, kept, searched and validated by every store."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings

from casework import STORES, store_url
from wladna_core.errors import InvalidRecord
from wladna_core.model import BodyKind, TerritorialBody
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import open_store
from wladna_core.storage.sql import head_revision
from wladna_core.storage.sql.migrate import current_revisions
from wladna_core.training import (
    Criterion,
    Enrolment,
    Evaluation,
    NeedCode,
    Participant,
    Rating,
    Sector,
    SessionMode,
    StaffRole,
    Subject,
    TrainingSession,
    TrainingUnit,
)
from wladna_core.training import strategies as tst
from wladna_core.training.kinds import (
    ENROLMENT,
    EVALUATION,
    PARTICIPANT,
    SESSION,
    TRAINING_KINDS,
    UNIT,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.storage import Store

DAY = date(2026, 3, 2)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, settings={"allow_reset": True}, clock=lambda: DAY) as opened,
    ):
        yield opened


def _body(store: Store, territory: str = "MA-SAL") -> TerritorialBody:
    with store.unit_of_work() as uow:
        return uow.bodies.add(
            TerritorialBody(kind=BodyKind.CAPE, name=f"CAPE {territory}", territory=territory)
        )


def _unit(**changes: object) -> TrainingUnit:
    fields: dict[str, object] = {
        "code": "BI-01",
        "title_ar": "استعمال قاعدة المعطيات",
        "title_fr": "Utilisation de la base d'information",
        "duration_hours": 6,
        "subjects": {Subject.INFORMATION_BASE},
    }
    fields.update(changes)
    return TrainingUnit(**fields)  # type: ignore[arg-type]


def _session(unit: TrainingUnit, **changes: object) -> TrainingSession:
    fields: dict[str, object] = {
        "units": [unit.id],
        "mode": SessionMode.REMOTE,
        "days": [date(2026, 2, 9), date(2026, 2, 10)],
        "territory": "MA-SAL",
        "capacity": 2,
    }
    fields.update(changes)
    return TrainingSession(**fields)  # type: ignore[arg-type]


def _participant(body: TerritorialBody, person: str) -> Participant:
    return Participant(person, body.id, StaffRole.CASE_WORKER, Sector.ENTRAIDE_NATIONALE)


def test_every_training_kind_is_declared_by_the_builtin_plugin() -> None:
    from wladna_core.plugins import kinds_from  # noqa: PLC0415

    kinds = kinds_from(make_plugin_manager(load_entrypoints=False))
    assert {kind.name for kind in TRAINING_KINDS} <= set(kinds.names)
    assert all(kind.migrations == "wladna_core.training.migrations" for kind in TRAINING_KINDS)


def test_training_records_are_kept_and_searched_on_declared_fields(store: Store) -> None:
    body = _body(store)
    rabat = _body(store, "MA-RAB")
    with store.unit_of_work() as uow:
        unit = uow.repository(UNIT).add(_unit())
        remote = uow.repository(SESSION).add(_session(unit))
        in_person = uow.repository(SESSION).add(_session(unit, territory="MA-RAB", capacity=30))
        people = uow.repository(PARTICIPANT).add_many(
            [_participant(body, "fz.alaoui"), _participant(rabat, "y.idrissi")]
        )
        uow.repository(ENROLMENT).add_many(
            [
                Enrolment(people[0].id, remote.id, date(2026, 2, 1), attended=[date(2026, 2, 9)]),
                Enrolment(people[1].id, in_person.id, date(2026, 2, 1)),
            ]
        )
    with store.unit_of_work(read_only=True) as uow:
        sessions = uow.repository(SESSION)
        assert sessions.get(remote.id) == remote
        assert [s.id for s in sessions.find(SESSION.query(territory="MA-SAL"))] == [remote.id]
        # Salé and Rabat are both in the region Rabat-Salé-Kénitra (MA-04).
        assert sessions.count(SESSION.query(territory="MA-04", unit=unit.id)) == 2
        assert sessions.count(SESSION.query(mode={SessionMode.IN_PERSON})) == 0
        assert uow.repository(UNIT).find(UNIT.query(subject=Subject.INFORMATION_BASE)) == [unit]
        found = uow.repository(PARTICIPANT).find(PARTICIPANT.query(person_id="fz.alaoui"))
        assert [p.id for p in found] == [people[0].id]
        mine = uow.repository(ENROLMENT).find(ENROLMENT.query(participant_id=people[0].id))
        assert [e.attended for e in mine] == [frozenset({date(2026, 2, 9)})]


def test_the_training_rules_run_on_the_way_in_with_the_stored_records(store: Store) -> None:
    body = _body(store)
    with store.unit_of_work() as uow:
        unit = uow.repository(UNIT).add(_unit())
        session = uow.repository(SESSION).add(_session(unit, capacity=1))
        first, second = uow.repository(PARTICIPANT).add_many(
            [_participant(body, "a"), _participant(body, "b")]
        )
        uow.repository(ENROLMENT).add(Enrolment(first.id, session.id, date(2026, 2, 1)))
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(ENROLMENT).add_many(
            [
                # Attended a day the session is not held, and one enrolment too many.
                Enrolment(second.id, session.id, date(2026, 2, 2), attended=[date(2026, 2, 11)]),
            ]
        )
    codes = {violation.code for violation in refused.value.violations}
    assert codes == {"training.enrolment_over_capacity", "training.attendance_outside_session"}
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(ENROLMENT).count() == 1


def test_records_earlier_in_an_add_many_count_for_the_rules(store: Store) -> None:
    body = _body(store)
    with store.unit_of_work() as uow:
        unit = uow.repository(UNIT).add(_unit())
        session = uow.repository(SESSION).add(_session(unit, capacity=1))
        person = uow.repository(PARTICIPANT).add(_participant(body, "a"))
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(ENROLMENT).add_many(
            [
                Enrolment(person.id, session.id, date(2026, 2, 1)),
                Enrolment(person.id, session.id, date(2026, 2, 2)),
            ]
        )
    codes = {violation.code for violation in refused.value.violations}
    assert "training.enrolment_duplicate" in codes


def test_an_anonymous_evaluation_keeps_no_participant_in_the_store(store: Store) -> None:
    body = _body(store)
    with store.unit_of_work() as uow:
        unit = uow.repository(UNIT).add(_unit())
        session = uow.repository(SESSION).add(_session(unit))
        person = uow.repository(PARTICIPANT).add(_participant(body, "a"))
        uow.repository(ENROLMENT).add(Enrolment(person.id, session.id, date(2026, 2, 1)))
        evaluation = uow.repository(EVALUATION).add(
            Evaluation(
                session.id,
                date(2026, 2, 10),
                ratings=[Rating(Criterion.CONTENT, 4)],
                needs={NeedCode.MORE_PRACTICE},
            )
        )
    with store.unit_of_work(read_only=True) as uow:
        evaluations = uow.repository(EVALUATION)
        assert evaluations.get(evaluation.id).participant_id is None
        assert evaluations.count(EVALUATION.query(participant_id=person.id)) == 0
        assert evaluations.find(EVALUATION.query(need=NeedCode.MORE_PRACTICE)) == [evaluation]


def test_a_signed_evaluation_by_someone_not_enrolled_is_refused(store: Store) -> None:
    body = _body(store)
    with store.unit_of_work() as uow:
        unit = uow.repository(UNIT).add(_unit())
        session = uow.repository(SESSION).add(_session(unit))
        person = uow.repository(PARTICIPANT).add(_participant(body, "a"))
    refused = pytest.raises(InvalidRecord, match=r"training\.evaluation_not_enrolled")
    with refused, store.unit_of_work() as uow:
        uow.repository(EVALUATION).add(
            Evaluation(session.id, date(2026, 2, 10), participant_id=person.id)
        )


@pytest.mark.parametrize("kind", TRAINING_KINDS, ids=lambda kind: kind.name)
def test_queries_match_the_memory_semantics(kind: object) -> None:
    # Every declared filter has a column or a side table: the declaration is complete.
    from wladna_core.storage.sql.kinds import tables_of  # noqa: PLC0415

    tables = tables_of(kind)  # type: ignore[arg-type]
    columns = set(tables.table.columns.keys())
    for item in kind.filters.values():  # type: ignore[attr-defined]
        assert item.field in columns or item.field in tables.side


# No deadline: store.reset() empties the table of every kind installed, and the case file
# adds kinds; on PostgreSQL an example then takes longer than the default 200 ms.
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(file=tst.training_files(on=DAY))
def test_a_whole_programme_drawn_by_the_strategies_is_kept_whole(
    store: Store, file: tst.TrainingFile
) -> None:
    store.reset()
    with store.unit_of_work() as uow:
        uow.bodies.add_many(file.bodies)
        saved = [uow.repository(type(record)).add(record) for record in file.records]
    with store.unit_of_work(read_only=True) as uow:
        for record in saved:
            assert uow.repository(type(record)).get(record.id) == record
        for kind in TRAINING_KINDS:
            expected = [r for r in saved if isinstance(r, kind.record_type)]
            assert uow.repository(kind).count() == len(expected)


def test_sql_databases_get_the_training_branch_with_the_cores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    assert {head_revision(), "training_0001"} <= set(current_revisions(url))
