"""The services log and the approvals: unseen records refused alike, and bad input refused clearly.

Whoever may not read the services or the approvals of a case (another body, an analyst, the
target of a referral for what its limited view does not show) is refused a real id exactly as
an id that does not exist; arguments of the wrong shape are an :class:`InvalidRecord` naming
the path and the code, a record argument of the wrong type a clear :class:`TypeError`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deployed, examples
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE
from wladna_core.casefile import ServiceStatus
from wladna_core.casefile.approvals import ApprovalDecision
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    Assessment,
    CasePlan,
    ClosureReason,
    RiskLevel,
    ServiceType,
)
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from wladna_core.model import Case
    from wladna_core.services import CaseWork

MEGABYTE = "x" * 1_000_000


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


def _codes(refused: pytest.ExceptionInfo[InvalidRecord]) -> set[tuple[str, str]]:
    return {(violation.path, violation.code) for violation in refused.value.violations}


def _assessed(dep: Deployment, risk: RiskLevel = RiskLevel.MEDIUM) -> Case:
    case = dep.case(risk=risk)
    dep.as_(dep.worker).record_assessment(
        case.id, Assessment(on=TODAY, by=dep.worker.id, risk=risk)
    )
    return case


# --- a real id the actor may not read is refused as an unknown one -----------------------


def _actors(dep: Deployment) -> dict[str, tuple[Actor, bool, bool]]:
    """Return who acts, and whether they may read the services / the approvals of the case.

    A referral of the case is open to the CAPE: its provider and case worker have the
    limited view.
    """
    return {
        "worker": (dep.worker, True, True),
        "supervisor": (dep.supervisor, True, True),
        "own coordinator": (
            Actor("coordinator.upe", {Role.BODY_COORDINATOR}, {dep.upe.id}),
            True,
            True,
        ),
        "covering coordinator": (dep.coordinator, True, True),
        "provider (limited view)": (dep.provider, True, False),
        "cape worker (limited view)": (
            Actor("worker.cape", {Role.CASE_WORKER}, {dep.cape.id}),
            True,
            False,
        ),
        "other body": (dep.outsider, False, False),
        "analyst": (dep.analyst, False, False),
    }


def test_a_record_the_actor_may_not_read_is_refused_as_an_unknown_one(
    request: pytest.FixtureRequest, tmp_path: Path, dep: Deployment
) -> None:
    store = request.node.callspec.params["dep"]
    case = _assessed(dep)
    worker = dep.as_(dep.worker)
    worker.refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id)
    team_service = worker.casefile.record_service(
        case.id, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id
    ).record
    asked = worker.casefile.request_approval(case.id, "assessment").record
    actors = _actors(dep)
    # (service, the real id, whether the actor may read what it asks given both flags)
    calls: dict[str, tuple[Callable[[CaseWork, str], object], str, int]] = {
        "service": (lambda w, i: w.casefile.service(i), team_service.id, 2),
        "update_service": (lambda w, i: w.casefile.update_service(i, note="n"), team_service.id, 2),
        "services": (lambda w, i: w.casefile.services(i), case.id, 0),
        "record_service": (
            lambda w, i: w.casefile.record_service(
                i, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id
            ),
            case.id,
            0,
        ),
        "request_approval": (lambda w, i: w.casefile.request_approval(i, "assessment"), case.id, 1),
        "approvals": (lambda w, i: w.casefile.approvals(i), case.id, 1),
        "decide_approval": (
            lambda w, i: w.casefile.decide_approval(i, approved=True),
            asked.id,
            1,
        ),
    }

    def may_read(who: str, which: int) -> bool:
        _, services, approvals = actors[who]
        if which == 2:  # one service of the team: the limited view does not show it
            return services and "limited" not in who
        return services if which == 0 else approvals

    pairs = sorted(
        (who, call)
        for who in actors
        for call, (_, _, which) in calls.items()
        if not may_read(who, which)
    )
    assert {who for who, _ in pairs} == set(actors) - {
        "worker",
        "supervisor",
        "own coordinator",
        "covering coordinator",
    }

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
    # Nothing was changed by the refusals.
    assert worker.casefile.service(team_service.id) == team_service
    assert [a.decision for a in worker.casefile.approvals(case.id)] == [ApprovalDecision.PENDING]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"service": "bogus"}, "$.service", "input.enum"),
        ({"urgency": "bogus"}, "$.urgency", "input.enum"),
        ({"note": MEGABYTE}, "$.note", "input.too_long"),
        ({"note": "a\x00b"}, "$.note", "input.invalid_character"),
        ({"note": "a\ud800b"}, "$.note", "input.encoding"),
        ({"provider_body_id": "upe\x00"}, "$.provider_body_id", "input.invalid_character"),
        ({"delivered_on": TODAY - timedelta(days=3)}, "$.delivered_on", None),
    ],
)
def test_a_service_of_bad_arguments_is_an_invalid_record_with_its_path(
    dep: Deployment, changes: dict[str, Any], path: str, code: str | None
) -> None:
    case = dep.case()
    arguments: dict[str, Any] = {"service": ServiceType.MEDICAL, "provider_body_id": dep.upe.id}
    arguments |= changes
    with pytest.raises(InvalidRecord) as refused:
        dep.as_(dep.worker).casefile.record_service(case.id, **arguments)
    assert path in {found for found, _ in _codes(refused)}
    if code is not None:
        assert (path, code) in _codes(refused)
    assert dep.as_(dep.worker).casefile.services(case.id) == []


def test_a_service_updated_with_bad_arguments_is_refused_clearly(dep: Deployment) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    saved = files.record_service(
        case.id, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id
    ).record
    with pytest.raises(InvalidRecord) as refused:
        files.update_service(saved.id, status="bogus")  # type: ignore[arg-type]
    assert ("$.status", "input.enum") in _codes(refused)
    with pytest.raises(InvalidRecord) as refused:
        files.update_service(saved.id, note=MEGABYTE)
    assert ("$.note", "input.too_long") in _codes(refused)
    with pytest.raises(InvalidRecord) as refused:
        files.update_service(saved.id, status=ServiceStatus.MISSED, on=TODAY - timedelta(days=1))
    assert "$.ended_on" in {path for path, _ in _codes(refused)}
    # Planned again: refused, saying what to give instead.
    for planned in (ServiceStatus.PLANNED, "planned"):
        with pytest.raises(TransitionRefused, match="planned already"):
            files.update_service(saved.id, status=planned)  # type: ignore[arg-type]
    assert files.service(saved.id) == saved
    # The appointment and note are kept when only the status changes.
    noted = files.update_service(
        saved.id, note="rendez-vous pris", appointment_on=TODAY + timedelta(days=2)
    ).record
    done = files.update_service(saved.id, status="delivered", expected_version=2).record  # type: ignore[arg-type]
    assert (done.status, done.delivered_on, done.note, done.appointment_on) == (
        ServiceStatus.DELIVERED,
        TODAY,
        noted.note,
        noted.appointment_on,
    )


@pytest.mark.parametrize(
    ("subject", "note", "path", "code"),
    [
        ("assess\x00ment", None, "$.subject", "input.invalid_character"),
        ("a" * 1_000_000, None, "$.subject", None),
        ("assessment", "a\ud800", "$.note", "input.encoding"),
        ("assessment", MEGABYTE, "$.note", "input.too_long"),
    ],
)
def test_a_request_of_bad_arguments_is_an_invalid_record_with_its_path(
    dep: Deployment, subject: str, note: str | None, path: str, code: str | None
) -> None:
    case = _assessed(dep)
    with pytest.raises(InvalidRecord) as refused:
        dep.as_(dep.worker).casefile.request_approval(case.id, subject, note=note)
    assert path in {found for found, _ in _codes(refused)}
    if code is not None:
        assert (path, code) in _codes(refused)


def test_a_decision_of_bad_comment_is_an_invalid_record_and_versions_are_checked(
    dep: Deployment,
) -> None:
    case = _assessed(dep)
    asked = dep.as_(dep.worker).casefile.request_approval(case.id, "assessment").record
    files = dep.as_(dep.supervisor).casefile
    with pytest.raises(InvalidRecord) as refused:
        files.decide_approval(asked.id, approved=False, comment="non\x00")
    assert ("$.comment", "input.invalid_character") in _codes(refused)
    with pytest.raises(ConcurrencyConflict):
        files.decide_approval(asked.id, approved=True, expected_version=asked.version + 1)
    decided = files.decide_approval(asked.id, approved=True, expected_version=asked.version)
    assert decided.record.decision is ApprovalDecision.APPROVED
    with pytest.raises(TransitionRefused, match="already approved"):
        files.decide_approval(asked.id, approved=True)


# --- the casework's side of a decision --------------------------------------------------


def test_a_closure_decided_here_returns_the_caseworks_events(dep: Deployment) -> None:
    case = _assessed(dep, RiskLevel.HIGH)
    dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED)
    [asked] = dep.as_(dep.supervisor).casefile.approvals(case.id)
    done = dep.as_(dep.supervisor).casefile.decide_approval(asked.id, approved=True)
    assert done.record.decision is ApprovalDecision.APPROVED
    assert done.events  # the case closed: the casework's event comes back
    assert {type(event).__name__ for event in done.events} >= {"CaseClosed"}


def test_a_request_decided_meanwhile_is_not_decided_again_by_the_casework(
    dep: Deployment,
) -> None:
    case = _assessed(dep, RiskLevel.HIGH)
    worker = dep.as_(dep.worker)
    worker.record_plan(case.id, CasePlan(drawn_up_on=TODAY))
    asked = worker.casefile.request_approval(case.id, "case_plan").record
    other = dep.as_(Actor("supervisor.two", {Role.SUPERVISOR}, {dep.upe.id}))
    work = dep.as_(dep.supervisor)
    approve_plan = work.approve_plan

    def racing(*args: Any, **kwargs: Any) -> Any:
        # Another supervisor declines the request between the read and the decision.
        other.casefile.decide_approval(asked.id, approved=False, comment="le plan est vague")
        return approve_plan(*args, **kwargs)

    work.approve_plan = racing  # type: ignore[method-assign]
    with pytest.raises((ConcurrencyConflict, TransitionRefused)):
        work.casefile.decide_approval(asked.id, approved=True)
    seen = work.case(case.id)
    assert seen.plan is not None  # type: ignore[union-attr]
    assert seen.plan.approval is None  # type: ignore[union-attr]
    [declined] = work.casefile.approvals(case.id)
    assert declined.decision is ApprovalDecision.DECLINED
