"""Incidents and care arrangements: unseen records refused alike, bad input refused clearly.

Whoever may not read the incidents (all but the case's casework team: not even a coordinator
of the case's own body) or the care arrangements of a case is refused a real id exactly as an
id that does not exist; record arguments of the wrong type are a clear :class:`TypeError`, and
arguments of the wrong shape an :class:`InvalidRecord` naming the path and the code.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deployed, examples
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE
from wladna_core.casefile import CareArrangement, Incident
from wladna_core.casefile.care import CareType, KafalaDecision
from wladna_core.casefile.incidents import IncidentType
from wladna_core.convert import unstructure
from wladna_core.errors import InvalidRecord
from wladna_core.model import ServiceType

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from wladna_core.services import CaseWork


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def _shape(call: Callable[[], object], asked: str) -> tuple[str, str | None, str]:
    try:
        call()
    except Exception as error:
        return (
            type(error).__name__,
            getattr(error, "reason", None),
            str(error).replace(asked, "<id>"),
        )
    return ("no error", None, "")


def _kafala(case_id: str) -> CareArrangement:
    return CareArrangement(
        case_id=case_id,
        type=CareType.KAFALA,
        started_on=date(2024, 9, 1),
        kafala=KafalaDecision("Tribunal de première instance de Salé", "88/2024", date(2024, 7, 2)),
    )


def _incident(case_id: str) -> Incident:
    return Incident(case_ids=(case_id,), type=IncidentType.NEGLECT, occurred_on=date(2026, 1, 5))


def _actors(dep: Deployment) -> dict[str, tuple[Actor, bool, bool]]:
    """Return who acts, and whether they may read the incidents / the care of the case.

    A referral of the case is open to the CAPE: its provider and case worker have the
    limited view.
    """
    return {
        "worker": (dep.worker, True, True),
        "supervisor": (dep.supervisor, True, True),
        "own coordinator": (
            Actor("coordinator.upe", {Role.BODY_COORDINATOR}, {dep.upe.id}),
            False,
            True,
        ),
        "covering coordinator": (dep.coordinator, False, True),
        "provider (limited view)": (dep.provider, False, False),
        "cape worker (limited view)": (
            Actor("worker.cape", {Role.CASE_WORKER}, {dep.cape.id}),
            False,
            False,
        ),
        "other body": (dep.outsider, False, False),
        "analyst": (dep.analyst, False, False),
    }


def test_a_record_the_actor_may_not_read_is_refused_as_an_unknown_one(
    request: pytest.FixtureRequest, dep: Deployment
) -> None:
    store = request.node.callspec.params["dep"]
    case = dep.case()
    worker = dep.as_(dep.worker)
    worker.refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id)
    care = worker.casefile.record_care(_kafala(case.id)).record
    incident = worker.casefile.record_incident(_incident(case.id)).record
    actors = _actors(dep)
    # (service, the real id, 0: reads incidents, 1: reads care)
    calls: dict[str, tuple[Callable[[CaseWork, str], object], str, int]] = {
        "incident": (lambda w, i: w.casefile.incident(i), incident.id, 0),
        "incidents": (lambda w, i: w.casefile.incidents(i), case.id, 0),
        "record_incident": (lambda w, i: w.casefile.record_incident(_incident(i)), case.id, 0),
        "end_care": (lambda w, i: w.casefile.end_care(i), care.id, 1),
        "care_history": (lambda w, i: w.casefile.care_history(i), case.id, 1),
        "current_care": (lambda w, i: w.casefile.current_care(i), case.id, 1),
        "record_care": (lambda w, i: w.casefile.record_care(_kafala(i)), case.id, 1),
    }
    pairs = sorted(
        (who, call)
        for who, (_, incidents, cares) in actors.items()
        for call, (_, _, which) in calls.items()
        if not (incidents, cares)[which]
    )
    assert ("own coordinator", "incident") in pairs

    @settings(
        max_examples=examples(store, 40),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(pair=st.sampled_from(pairs), unknown=st.uuids().map(str))
    def check(pair: tuple[str, str], unknown: str) -> None:
        who, name = pair
        call, real, _ = calls[name]
        work = dep.as_(actors[who][0])
        seen = _shape(lambda: call(work, real), real)
        assert seen[0] == "AccessDenied", (who, name, seen)
        assert seen[1] == NOT_IN_SCOPE
        assert seen == _shape(lambda: call(work, unknown), unknown), (who, name)

    check()
    assert worker.casefile.care_history(case.id) == [care]
    assert worker.casefile.incidents(case.id) == [incident]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("given_", [None, {"case_id": "x"}, "incident", 1])
def test_a_record_argument_of_the_wrong_type_is_a_clear_type_error(
    dep: Deployment, given_: object
) -> None:
    files = dep.as_(dep.worker).casefile
    with pytest.raises(TypeError, match=r"incident must be a Incident, got \w+; make one"):
        files.record_incident(given_)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"arrangement must be a CareArrangement, got \w+"):
        files.record_care(given_)  # type: ignore[arg-type]


def test_a_record_as_json_is_not_taken_for_a_record(dep: Deployment) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    plain: dict[str, Any] = unstructure(_kafala(case.id))
    with pytest.raises(TypeError, match="got dict"):
        files.record_care(plain)  # type: ignore[arg-type]
    assert files.care_history(case.id) == []


@pytest.mark.parametrize(
    ("on", "code"),
    [
        ("2026-13-45", None),
        ("soon", None),
        (date(2024, 8, 1), "care.ended_before_started"),
    ],
)
def test_an_end_of_care_of_a_bad_day_is_an_invalid_record_at_ended_on(
    dep: Deployment, on: object, code: str | None
) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    kafala = files.record_care(_kafala(case.id)).record
    with pytest.raises(InvalidRecord) as refused:
        files.end_care(kafala.id, on=on)  # type: ignore[arg-type]
    found = {(violation.path, violation.code) for violation in refused.value.violations}
    assert "$.ended_on" in {path for path, _ in found}
    if code is not None:
        assert ("$.ended_on", code) in found
    assert files.current_care(case.id) == kafala


def test_an_arrangement_ends_without_a_version_given(dep: Deployment) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    kafala = files.record_care(_kafala(case.id)).record
    ended = files.end_care(kafala.id).record
    assert (ended.ended_on, ended.version) == (TODAY, kafala.version + 1)


def test_an_incident_recorded_is_the_actors_and_keeps_its_fields(dep: Deployment) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    asked = _incident(case.id)
    saved = files.record_incident(asked).record
    assert saved.recorded_by == dep.worker.id
    assert (saved.case_ids, saved.type, saved.occurred_on) == (
        asked.case_ids,
        asked.type,
        asked.occurred_on,
    )
