"""A search filters only on what the actor may see: never an oracle for a hidden field.

For any actor and any :class:`CaseQuery`, ``cases(query)`` must return exactly the cases the
actor sees (``cases()``), filtered as they are seen: a whole case on its fields, a limited view
on the fields it shows.  Which filters the limited view answers is restated here from the
access-control guide, independently of ``wladna_core.access``: the status, risk, concerns,
opening day, child, number and province; never the responsible body, the worker nor the
household, whose filters select no limited view.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import TODAY, Deployment, deploy
from postgres import private_schema, server_url
from wladna_core import Actor, Role
from wladna_core.access import LimitedCase
from wladna_core.model import (
    Case,
    CaseStatus,
    Consent,
    ConsentGiver,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    RiskLevel,
    ServiceType,
)
from wladna_core.storage import CaseQuery
from wladna_core.storage.query import territory_subtree

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.model import Gazetteer

_CONSENT = Consent(recorded_on=TODAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True)
_CONCERNS = (ProtectionConcern.NEGLECT, ProtectionConcern.BEGGING, ProtectionConcern.CHILD_LABOUR)


@attrs.frozen
class World:
    """A deployment with cases of Salé and Rabat, some referred across bodies."""

    dep: Deployment
    cases: tuple[Case, ...]


def _world(dep: Deployment) -> World:
    worker = dep.as_(dep.worker)
    supervisor = dep.as_(dep.supervisor)
    opened: list[Case] = []
    plans = [
        (RiskLevel.HIGH, "worker.sale", 0, _CONCERNS[:1], True, dep.cape.id),
        (RiskLevel.MEDIUM, "worker.other", 3, _CONCERNS[:2], False, dep.cape.id),
        (RiskLevel.LOW, "worker.sale", 10, _CONCERNS[1:], True, dep.rabat.id),
        (RiskLevel.HIGH, "worker.other", 20, _CONCERNS[2:], True, None),
        (RiskLevel.MEDIUM, "worker.sale", 30, (), False, dep.cape.id),
    ]
    for risk, worker_id, days_ago, concerns, with_family, referred_to in plans:
        child = dep.child()
        family = dep.family(child) if with_family else None
        case = worker.open_case(
            child_id=child.id,
            body_id=dep.upe.id,
            identification=Identification(
                IdentificationSource.SCHOOL, TODAY - timedelta(days=days_ago)
            ),
            risk=risk,
            concerns=concerns,
            family_id=None if family is None else family.id,
            consent=_CONSENT,
            worker_id=worker_id,
            on=TODAY - timedelta(days=days_ago),
        ).record
        if referred_to is not None:
            supervisor.refer(case.id, to_body=referred_to, service=ServiceType.PSYCHOSOCIAL)
        opened.append(case)
    rabat_child = dep.child(by=dep.outsider, residence="MA-RAB")
    rabat_case = (
        dep.as_(dep.outsider)
        .open_case(
            child_id=rabat_child.id,
            body_id=dep.rabat.id,
            identification=Identification(IdentificationSource.POLICE, TODAY),
            risk=RiskLevel.LOW,
            concerns=_CONCERNS[:1],
            consent=_CONSENT,
        )
        .record
    )
    dep.as_(dep.outsider).refer(rabat_case.id, to_body=dep.cape.id, service=ServiceType.MEDICAL)
    opened.append(rabat_case)
    with dep.wl.store.unit_of_work() as uow:
        stored = tuple(uow.cases.get(case.id) for case in opened)
    return World(dep, stored)


@pytest.fixture(
    scope="module",
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The same world on the memory store, on SQLite (in memory) and on PostgreSQL."""
    if request.param == "postgresql":
        with private_schema(server_url()) as url:
            dep = deploy(url)
            try:
                yield _world(dep)
            finally:
                dep.wl.close()
        return
    dep = deploy(None if request.param == "memory" else "sqlite://")
    try:
        yield _world(dep)
    finally:
        dep.wl.close()


def _seen_selects(query: CaseQuery, seen: Case | LimitedCase, gazetteer: Gazetteer) -> bool:
    """The guide, restated: a whole case on its fields, a limited view on what it shows."""
    if isinstance(seen, Case):
        return query.matches(seen, gazetteer)
    if query.body_id is not None or query.worker_id is not None or query.family_id is not None:
        return False
    return (
        (query.territory is None or seen.province in territory_subtree(gazetteer, query.territory))
        and (query.status is None or seen.status in query.status)
        and (query.risk is None or seen.risk in query.risk)
        and (query.concern is None or query.concern in seen.concerns)
        and (query.opened_from is None or seen.opened_on >= query.opened_from)
        and (query.opened_to is None or seen.opened_on <= query.opened_to)
        and (query.child_id is None or query.child_id == seen.child.id)
        and (query.number is None or query.number == seen.number)
    )


@st.composite
def _actors(draw: st.DrawFn, dep: Deployment) -> Actor:
    named = [dep.worker, dep.supervisor, dep.provider, dep.coordinator, dep.outsider, dep.analyst]
    if draw(st.booleans()):
        return draw(st.sampled_from(named))
    roles = draw(st.sets(st.sampled_from(list(Role)), min_size=1, max_size=3))
    bodies = [dep.upe.id, dep.cape.id, dep.cppe.id, dep.region.id, dep.rabat.id]
    return Actor("actor-under-test", roles, draw(st.sets(st.sampled_from(bodies), max_size=2)))


def _maybe(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), values)


@st.composite
def _queries(draw: st.DrawFn, world: World) -> CaseQuery:
    dep, cases = world.dep, world.cases
    days = [case.opened_on + timedelta(days=shift) for case in cases for shift in (-1, 0, 1)]
    fields: dict[str, object] = {
        "territory": draw(_maybe(st.sampled_from(["MA-SAL", "MA-RAB", "MA-04", "MA-06"]))),
        "body_id": draw(_maybe(st.sampled_from([dep.upe.id, dep.cape.id, dep.rabat.id]))),
        "status": draw(_maybe(st.sets(st.sampled_from(list(CaseStatus)), max_size=3))),
        "risk": draw(_maybe(st.sets(st.sampled_from(list(RiskLevel)), max_size=3))),
        "concern": draw(_maybe(st.sampled_from(_CONCERNS))),
        "opened_from": draw(_maybe(st.sampled_from(days))),
        "opened_to": draw(_maybe(st.sampled_from(days))),
        "child_id": draw(_maybe(st.sampled_from([case.child_id for case in cases]))),
        "worker_id": draw(_maybe(st.sampled_from(["worker.sale", "worker.other", "nobody"]))),
        "number": draw(_maybe(st.sampled_from([str(case.number) for case in cases]))),
        "family_id": draw(
            _maybe(st.sampled_from([case.family_id for case in cases if case.family_id]))
        ),
    }
    # Most filters left out, so that queries select something often.
    kept = draw(st.sets(st.sampled_from(sorted(fields)), max_size=3))
    return CaseQuery(**{name: value for name, value in fields.items() if name in kept})  # type: ignore[arg-type]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_search_returns_the_actors_view_filtered_on_what_it_shows(
    world: World, data: st.DataObject
) -> None:
    actor = data.draw(_actors(world.dep), label="actor")
    query = data.draw(_queries(world), label="query")
    services = world.dep.as_(actor)
    gazetteer = world.dep.wl.store.gazetteer
    everything = services.cases()
    expected = [
        (type(seen), seen.id) for seen in everything if _seen_selects(query, seen, gazetteer)
    ]
    found = services.cases(query)
    assert [(type(seen), seen.id) for seen in found] == expected
    assert found == [seen for seen in everything if (type(seen), seen.id) in expected]


def test_a_service_provider_cannot_confirm_a_guess_of_the_worker_or_household(
    world: World,
) -> None:
    dep = world.dep
    provider = dep.as_(dep.provider)
    limited = [seen for seen in provider.cases() if isinstance(seen, LimitedCase)]
    referred = {case.id: case for case in world.cases if case.id in {s.id for s in limited}}
    assert referred  # the CAPE sees cases of Salé and of Rabat, limited
    for case in referred.values():
        for guess in (
            CaseQuery(worker_id=str(case.worker_id)),
            CaseQuery(body_id=case.body_id),
            CaseQuery(family_id=case.family_id or "no-household"),
        ):
            assert provider.cases(guess) == []
        assert [seen.id for seen in provider.cases(CaseQuery(child_id=case.child_id))] == [case.id]


def test_a_coordinators_search_of_a_wider_territory_is_not_crowded_out() -> None:
    dep = deploy()
    try:
        for _ in range(3):
            child = dep.child(by=dep.outsider, residence="MA-RAB")
            dep.as_(dep.outsider).open_case(
                child_id=child.id,
                body_id=dep.rabat.id,
                identification=Identification(IdentificationSource.POLICE, TODAY),
            )
        mine = dep.case()
        coordinator = Actor("coordinator.sale", {Role.BODY_COORDINATOR}, {dep.cppe.id})
        found = dep.as_(coordinator).cases(CaseQuery(territory="MA-04"), limit=1)
        assert [seen.id for seen in found] == [mine.id]
    finally:
        dep.wl.close()
