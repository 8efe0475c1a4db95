"""For random actors, bodies and cases, no service returns or changes a record out of scope.

The scope is restated here from the access-control guide, independently of
``wladna_core.access``: members of a case's body see it whole; coordinators of a body whose
territory contains it see it whole; the people of a body an open referral is addressed to see
the limited view; nobody else sees anything, and national analysts never see a case.

It runs on the memory store, on a SQLite file and on PostgreSQL (fewer examples on the SQL
stores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deploy, examples, store_url
from wladna_core import Actor, Role
from wladna_core.access import AccessDenied, LimitedCase
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    Assessment,
    Case,
    ClosureReason,
    Identification,
    IdentificationSource,
    Referral,
    ReferralStatus,
    RiskLevel,
    ServiceType,
)
from wladna_core.services import ConsentRequired
from wladna_core.workflow import TransitionRefused

_OPEN = {ReferralStatus.PENDING, ReferralStatus.ACCEPTED}
_MEMBERS = {Role.CASE_WORKER, Role.SUPERVISOR, Role.BODY_COORDINATOR}
_RESPONDERS = _MEMBERS | {Role.SERVICE_PROVIDER}
_CASEWORK = {Role.CASE_WORKER, Role.SUPERVISOR}

if TYPE_CHECKING:
    from pathlib import Path


def _covers(body_territory: str, case_territory: str) -> bool:
    # The bodies of the deployment: in Salé (MA-SAL), Rabat (MA-RAB) and the region (MA-04).
    return body_territory in {case_territory, "MA-04"}


def _expected_view(dep: Deployment, actor: Actor, case: Case, referrals: list[Referral]) -> str:
    if actor.roles == {Role.NATIONAL_ANALYST} or not actor.roles & _RESPONDERS:
        return "none"
    bodies = {body.id: body for body in (dep.upe, dep.cape, dep.cppe, dep.region, dep.rabat)}
    if actor.roles & _MEMBERS and case.body_id in actor.bodies:
        return "full"
    if Role.BODY_COORDINATOR in actor.roles and any(
        _covers(bodies[body].territory, case.territory) for body in actor.bodies
    ):
        return "full"
    if any(
        ref.case_id == case.id and ref.status in _OPEN and ref.target.body_id in actor.bodies
        for ref in referrals
    ):
        return "limited"
    return "none"


def _snapshot(dep: Deployment) -> dict[str, tuple[int, str]]:
    with dep.wl.store.unit_of_work() as uow:
        cases = {case.id: (case.version, case.status.value) for case in uow.cases.iter()}
        cases.update({ref.id: (ref.version, ref.status.value) for ref in uow.referrals.iter()})
    return cases


def _state(dep: Deployment) -> tuple[list[Case], list[Referral]]:
    with dep.wl.store.unit_of_work() as uow:
        return list(uow.cases.iter()), list(uow.referrals.iter())


@st.composite
def actors(draw: st.DrawFn, dep: Deployment) -> Actor:
    roles = draw(st.sets(st.sampled_from(list(Role)), min_size=1, max_size=3))
    bodies = draw(
        st.sets(
            st.sampled_from([dep.upe.id, dep.cape.id, dep.cppe.id, dep.region.id, dep.rabat.id]),
            max_size=2,
        )
    )
    return Actor("actor-under-test", roles, bodies)


_OPERATIONS = ("read", "list", "assess", "close", "refer", "accept", "cancel", "child", "register")


@pytest.mark.parametrize("store", STORES)
def test_no_service_call_reaches_outside_the_actors_scope(store: str, tmp_path: Path) -> None:
    with store_url(store, tmp_path) as url:

        @settings(
            max_examples=examples(store, 25),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=st.data())
        def calls_stay_in_scope(data: st.DataObject) -> None:
            _scenario(deploy(url, fresh=True), data)

        calls_stay_in_scope()


def _scenario(dep: Deployment, data: st.DataObject) -> None:
    try:
        for _ in range(data.draw(st.integers(1, 3), label="cases")):
            consent = data.draw(st.booleans(), label="consent")
            case = dep.case(consent=consent)
            if consent and data.draw(st.booleans(), label="referred"):
                target = data.draw(st.sampled_from([dep.cape.id, dep.rabat.id]), label="target")
                dep.as_(dep.supervisor).refer(case.id, to_body=target, service=ServiceType.MEDICAL)
        if data.draw(st.booleans(), label="rabat case"):
            rabat_worker = Actor("worker.rabat", {Role.CASE_WORKER}, {dep.rabat.id})
            child = dep.child(by=rabat_worker, residence="MA-RAB")
            dep.as_(rabat_worker).open_case(
                child_id=child.id,
                body_id=dep.rabat.id,
                identification=Identification(IdentificationSource.POLICE, TODAY),
                concerns=(),
            )
        actor = data.draw(actors(dep), label="actor")
        services = dep.as_(actor)
        for _ in range(data.draw(st.integers(1, 4), label="calls")):
            cases, referrals = _state(dep)
            case = data.draw(st.sampled_from(cases), label="case")
            view = _expected_view(dep, actor, case, referrals)
            operation = data.draw(st.sampled_from(_OPERATIONS), label="operation")
            before = _snapshot(dep)
            _check(dep, actor, services, operation, case, referrals, view, before)
    finally:
        dep.wl.close()


def _check(
    dep: Deployment,
    actor: Actor,
    services: object,
    operation: str,
    case: Case,
    referrals: list[Referral],
    view: str,
    before: dict[str, tuple[int, str]],
) -> None:
    from wladna_core.services import CaseWork  # noqa: PLC0415

    assert isinstance(services, CaseWork)
    writes_case = bool(actor.roles & _CASEWORK) and view == "full"
    try:
        if operation == "read":
            seen = services.case(case.id)
            assert view != "none"
            assert isinstance(seen, LimitedCase) == (view == "limited")
            assert seen.id == case.id
        elif operation == "child":
            child = services.child(case.child_id)
            assert child.id == case.child_id
        elif operation == "register":
            # No case refers to them yet: only the actor who registered them sees them.
            child = dep.child(by=actor)
            family = dep.family(child, by=actor)
            assert actor.roles & _MEMBERS
            assert services.child(child.id) == child
            assert services.family(family.id) == family
            for other in (dep.worker, dep.supervisor, dep.outsider):
                with pytest.raises(AccessDenied):
                    dep.as_(other).child(child.id)
                with pytest.raises(AccessDenied):
                    dep.as_(other).family(family.id)
        elif operation == "list":
            cases, referrals_now = _state(dep)
            for seen in services.cases():
                stored = next(c for c in cases if c.id == seen.id)
                expected = _expected_view(dep, actor, stored, referrals_now)
                assert expected != "none"
                assert isinstance(seen, LimitedCase) == (expected == "limited")
        elif operation == "assess":
            saved = services.record_assessment(
                case.id, Assessment(on=TODAY, by=actor.id, risk=RiskLevel.LOW)
            ).record
            assert writes_case
            assert saved.id == case.id
        elif operation == "close":
            services.close(case.id, ClosureReason.RISK_RESOLVED)
            assert writes_case
        elif operation == "refer":
            services.refer(case.id, to_body=dep.cape.id, service=ServiceType.EDUCATION)
            assert writes_case
        elif operation in {"accept", "cancel"}:
            mine = [ref for ref in referrals if ref.case_id == case.id]
            if not mine:
                return
            referral = mine[0]
            if operation == "accept":
                services.accept(referral.id)
                assert referral.target.body_id in actor.bodies
                assert actor.roles & _RESPONDERS
            else:
                services.cancel(referral.id)
                assert referral.from_body in actor.bodies
                assert actor.roles & _CASEWORK
    except AccessDenied as denied:
        assert denied.actor == actor.id  # noqa: PT017 (the refusal must name the actor)
        assert _snapshot(dep) == before
        if operation in {"assess", "close", "refer"}:
            assert not writes_case
        if operation == "read":
            assert view == "none" or not actor.roles & _RESPONDERS
        if operation == "register":
            assert not actor.roles & _MEMBERS
    except (TransitionRefused, ConsentRequired, InvalidRecord):
        # A legal refusal of another kind (illegal transition, missing consent...): nothing
        # changed either.  Any other error (a store's, say) fails the test.
        assert _snapshot(dep) == before
