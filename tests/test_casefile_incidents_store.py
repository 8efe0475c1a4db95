"""Incidents and care arrangements kept, searched and validated by every store."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from casework import EXAMPLES, STORES, store_url
from wladna_core.casefile.care import CareArrangement, CareType, KafalaDecision
from wladna_core.casefile.care.kinds import CARE_ARRANGEMENT
from wladna_core.casefile.care.strategies import care_histories
from wladna_core.casefile.incidents import (
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.casefile.incidents.kinds import INCIDENT, MIGRATIONS
from wladna_core.casefile.incidents.strategies import incidents
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Identification,
    IdentificationSource,
    Institution,
    Sex,
    TerritorialBody,
    new_id,
)
from wladna_core.plugins import kinds_from, make_plugin_manager, rules_from
from wladna_core.storage import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.storage import Store

TODAY = date(2026, 3, 2)
BORN = date(2014, 2, 1)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, settings={"allow_reset": True}, clock=lambda: TODAY) as opened,
    ):
        yield opened


def _setting(
    store: Store, ids: tuple[str, str] | None = None, territory: str = "MA-SAL"
) -> tuple[TerritorialBody, Case, Case]:
    """Store a body and two cases (two siblings) in ``territory``; return them."""
    case_ids = ids or (new_id(), new_id())
    with store.unit_of_work() as uow:
        body = uow.bodies.add(
            TerritorialBody(kind=BodyKind.UPE, name=f"UPE {territory}", territory=territory)
        )
        cases = []
        for name, case_id in zip(("Salma", "Yassine"), case_ids, strict=True):
            child = uow.children.add(Child(sex=Sex.FEMALE, birth_date=BORN, given_name=name))
            cases.append(
                uow.cases.add(
                    Case(
                        child_id=child.id,
                        body_id=body.id,
                        territory=territory,
                        opened_on=date(2026, 1, 5),
                        identification=Identification(
                            IdentificationSource.SCHOOL, date(2026, 1, 5)
                        ),
                        id=case_id,
                    )
                )
            )
    return body, cases[0], cases[1]


def test_both_kinds_are_declared_by_builtin_plugins_with_the_group_migrations() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    kinds = kinds_from(pm)
    assert kinds.named("incident") is INCIDENT
    assert kinds.named("care_arrangement") is CARE_ARRANGEMENT
    assert INCIDENT.migrations == CARE_ARRANGEMENT.migrations == MIGRATIONS
    codes = {item.code for item in rules_from(pm)}
    assert {"incident.case_unknown", "care.overlap"} <= codes


def test_an_incident_of_two_siblings_is_found_by_either_case(store: Store) -> None:
    body, first, second = _setting(store)
    incident = Incident(
        case_ids=[first.id, second.id],
        type=IncidentType.PHYSICAL_VIOLENCE,
        occurred_on=date(2026, 1, 2),
        place="home",
        territory="MA-SAL",
        perpetrator=Perpetrator.STEP_PARENT,
        disclosure=Disclosure(
            date(2026, 1, 4), DisclosedBy.PROFESSIONAL, Institution.EDUCATION, body.id
        ),
        actions={IncidentAction.MEDICAL_CARE, IncidentAction.REPORT_TO_PROSECUTOR},
        note="Bleus constatés par l'enseignante.\nCertificat médical établi.",
    )
    with store.unit_of_work() as uow:
        incident = uow.repository(Incident).add(incident)
    assert incident.version == 1
    with store.unit_of_work(read_only=True) as uow:
        incidents_ = uow.repository(Incident)
        assert incidents_.get(incident.id) == incident
        for case in (first, second):
            assert incidents_.find(INCIDENT.query(linked_case=case.id)) == [incident]
        assert incidents_.find(INCIDENT.query(case_id=second.id)) == []
        assert incidents_.count(INCIDENT.query(linked_cases={second.id, new_id()})) == 1
        assert incidents_.count(INCIDENT.query(territory="MA-04")) == 1
        assert incidents_.count(INCIDENT.query(type={IncidentType.NEGLECT})) == 0
        assert incidents_.count(INCIDENT.query(action=IncidentAction.MEDICAL_CARE)) == 1
        assert incidents_.count(INCIDENT.query(occurred_from=date(2026, 1, 3))) == 0


def test_an_incident_with_one_unknown_case_is_refused_with_its_batch(store: Store) -> None:
    _body, first, second = _setting(store)
    good = Incident(case_ids=[first.id], type=IncidentType.NEGLECT, occurred_on=date(2026, 1, 1))
    unknown = new_id()
    bad = Incident(
        case_ids=[second.id, unknown], type=IncidentType.NEGLECT, occurred_on=date(2026, 1, 1)
    )
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(Incident).add_many([good, bad])
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == ("incident.case_unknown", "$.case_ids[1]")
    assert violation.record == f"Incident {bad.id}"
    assert violation.remedy
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(Incident).count() == 0


def test_a_care_history_is_kept_in_order_and_checked_against_itself(store: Store) -> None:
    _body, case, _sibling = _setting(store)
    home = CareArrangement(
        case_id=case.id, type=CareType.PARENTS, started_on=BORN, ended_on=date(2020, 9, 1)
    )
    kafala = CareArrangement(
        case_id=case.id,
        type=CareType.KAFALA,
        started_on=date(2020, 9, 1),
        kafala=KafalaDecision(
            "Tribunal de première instance de Salé", "415/2020", date(2020, 8, 3)
        ),
    )
    with store.unit_of_work() as uow:
        # The second sees the first, earlier in the same batch.
        home, kafala = uow.repository(CareArrangement).add_many([home, kafala])
    with store.unit_of_work(read_only=True) as uow:
        repository = uow.repository(CareArrangement)
        assert repository.find(CARE_ARRANGEMENT.query(case_id=case.id)) == sorted(
            [home, kafala], key=lambda item: item.id
        )
        assert repository.find(CARE_ARRANGEMENT.query(open=True)) == [kafala]
        assert repository.count(CARE_ARRANGEMENT.query(type={CareType.KAFALA})) == 1
    centre = CareArrangement(
        case_id=case.id,
        type=CareType.RESIDENTIAL,
        started_on=date(2026, 1, 10),
        establishment_name="EPS Dar Al Atfal",
    )
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(CareArrangement).add(centre)
    assert {v.code for v in refused.value.violations} == {"care.more_than_one_open"}
    with store.unit_of_work() as uow:
        ended = uow.repository(CareArrangement).update(
            attrs.evolve(kafala, ended_on=date(2026, 1, 10))
        )
        uow.repository(CareArrangement).add(centre)
    assert ended.version == kafala.version + 1
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(CareArrangement).count(CARE_ARRANGEMENT.query(open=True)) == 1


CASE_IDS = ("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e21", "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e22")


@pytest.mark.parametrize("kind", STORES)
def test_drawn_incidents_and_histories_round_trip_in_every_store(kind: str, tmp_path: Path) -> None:
    with (
        store_url(kind, tmp_path) as url,
        open_store(url, settings={"allow_reset": True}, clock=lambda: TODAY) as opened,
    ):

        @settings(
            max_examples=max(3, round(15 * EXAMPLES[kind])),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            incident=incidents(case_ids=CASE_IDS, born=BORN, on=TODAY),
            history=care_histories(case_id=CASE_IDS[0], born=BORN, on=TODAY),
        )
        def round_trip(incident: Incident, history: list[CareArrangement]) -> None:
            opened.reset()
            _setting(opened, CASE_IDS)
            with opened.unit_of_work() as uow:
                incident = uow.repository(Incident).add(incident)
                history = uow.repository(CareArrangement).add_many(history)
            with opened.unit_of_work(read_only=True) as uow:
                assert uow.repository(Incident).get(incident.id) == incident
                for case_id in CASE_IDS:
                    found = uow.repository(Incident).find(INCIDENT.query(linked_case=case_id))
                    assert found == [incident]
                stored = uow.repository(CareArrangement).find(
                    CARE_ARRANGEMENT.query(case_id=CASE_IDS[0])
                )
                assert stored == sorted(history, key=lambda arrangement: arrangement.id)

        round_trip()
