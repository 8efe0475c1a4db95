"""The services of outreach, tracing and reunification: access, refusals, audit, on every store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from casework import STORES, TODAY, Deployment, deployed
from wladna_core.access import AccessDenied
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.errors import InvalidRecord
from wladna_core.model import Relation, ServiceType, Sex
from wladna_core.storage import ConcurrencyConflict

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

UNKNOWN = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def _contact(dep: Deployment, **changes: object) -> OutreachContact:
    fields: dict[str, object] = {
        "body_id": dep.upe.id,
        "territory": "MA-SAL",
        "place": "Bab Lamrissa",
        "on": TODAY,
        "team": "Équipe mobile",
        "child": ChildAsMet(alias="Simo", approximate_age=12, sex=Sex.MALE),
        "offered": {OutreachOffer.FOOD, OutreachOffer.LISTENING},
        "agreed": True,
    }
    fields.update(changes)
    return OutreachContact(**fields)  # type: ignore[arg-type]


def _entries(dep: Deployment, after: int = 0) -> list[tuple[str, str, str | None, str]]:
    return [
        (entry.actor_id, entry.action, entry.record_id, entry.outcome)
        for entry in dep.wl.audit.entries()[after:]
    ]


def _refusal(call: object, *args: object) -> str:
    with pytest.raises(AccessDenied) as caught:
        call(*args)  # type: ignore[operator]
    return str(caught.value)


# --- outreach ---------------------------------------------------------------------------------


def test_a_member_records_a_contact_and_the_write_is_audited(dep: Deployment) -> None:
    before = len(dep.wl.audit.entries())
    outcome = dep.as_(dep.worker).casefile.record_outreach(_contact(dep))
    assert outcome.record.version == 1
    assert outcome.warnings == ()
    assert _entries(dep, before) == [("worker.sale", "outreach.record", outcome.record.id, "done")]
    assert dep.wl.audit.verify().ok


def test_only_members_of_the_contacts_body_record_it(dep: Deployment) -> None:
    contact = _contact(dep)
    for actor in (dep.outsider, dep.provider, dep.coordinator, dep.analyst):
        message = _refusal(dep.as_(actor).casefile.record_outreach, contact)
        assert message.endswith(
            f"OutreachContact {contact.id}: no such record in the actor's scope"
        )
    with dep.wl.store.unit_of_work(read_only=True) as uow:
        assert uow.repository(OutreachContact).count() == 0
    denied = [entry for entry in dep.wl.audit.entries() if entry.outcome == "denied"]
    assert {entry.action for entry in denied} == {"outreach.record"}


def test_a_contact_not_seen_is_refused_exactly_as_an_unknown_one(dep: Deployment) -> None:
    contact = dep.as_(dep.worker).casefile.record_outreach(_contact(dep)).record
    outsider = dep.as_(dep.outsider).casefile
    for call in (outsider.outreach_contact, lambda i: outsider.link_outreach(i, UNKNOWN)):
        seen = _refusal(call, contact.id).replace(contact.id, "<id>")
        unknown = _refusal(call, UNKNOWN).replace(UNKNOWN, "<id>")
        assert seen == unknown
        assert "Bab Lamrissa" not in seen


def test_members_read_their_bodys_contacts_each_read_audited(dep: Deployment) -> None:
    worker = dep.as_(dep.worker).casefile
    later = worker.record_outreach(_contact(dep, agreed=False)).record
    earlier = worker.record_outreach(_contact(dep, on=TODAY - timedelta(days=3))).record
    before = len(dep.wl.audit.entries())
    supervisor = dep.as_(dep.supervisor).casefile
    assert supervisor.outreach(dep.upe.id) == [earlier, later]
    assert supervisor.outreach(dep.upe.id, agreed=False) == [later]
    assert supervisor.outreach(dep.upe.id, territory="MA-RAB") == []
    assert supervisor.outreach(dep.upe.id, on_to=TODAY - timedelta(days=1)) == [earlier]
    assert supervisor.outreach_contact(later.id) == later
    assert _entries(dep, before) == [
        ("supervisor.sale", "outreach.read", earlier.id, "done"),
        ("supervisor.sale", "outreach.read", later.id, "done"),
        ("supervisor.sale", "outreach.read", later.id, "done"),
        ("supervisor.sale", "outreach.read", earlier.id, "done"),
        ("supervisor.sale", "outreach.read", later.id, "done"),
    ]


def test_a_body_one_is_not_a_member_of_is_refused_as_unknown(dep: Deployment) -> None:
    outsider = dep.as_(dep.outsider).casefile
    seen = _refusal(outsider.outreach, dep.upe.id).replace(dep.upe.id, "<id>")
    unknown = _refusal(outsider.outreach, UNKNOWN).replace(UNKNOWN, "<id>")
    assert seen == unknown
    assert "TerritorialBody <id>: no such record" in seen


def test_a_case_opened_from_a_contact_is_linked_to_it(dep: Deployment) -> None:
    worker = dep.as_(dep.worker).casefile
    contact = worker.record_outreach(_contact(dep)).record
    case = dep.case()
    linked = worker.link_outreach(contact.id, case.id, expected_version=1).record
    assert (linked.case_id, linked.version) == (case.id, 2)
    assert worker.outreach_contact(contact.id).case_id == case.id
    with pytest.raises(ConcurrencyConflict):
        worker.link_outreach(contact.id, case.id, expected_version=1)
    assert ("worker.sale", "outreach.record", contact.id, "done") in _entries(dep)


def test_a_contact_is_linked_only_to_its_childs_case_seen_in_full(dep: Deployment) -> None:
    worker = dep.as_(dep.worker).casefile
    case = dep.case()
    other_child = dep.child()
    contact = worker.record_outreach(
        _contact(dep, child=ChildAsMet(child_id=other_child.id))
    ).record
    with pytest.raises(InvalidRecord, match=r"outreach\.case_of_another_child"):
        worker.link_outreach(contact.id, case.id)
    message = _refusal(worker.link_outreach, contact.id, UNKNOWN)
    assert message.endswith(f"Case {UNKNOWN}: no such record in the actor's scope")
    assert worker.outreach_contact(contact.id).case_id is None


def test_the_indicator_counts_contacts_agreed_and_cases_opened(dep: Deployment) -> None:
    worker = dep.as_(dep.worker).casefile
    contact = worker.record_outreach(_contact(dep)).record
    worker.record_outreach(_contact(dep, agreed=False))
    worker.record_outreach(_contact(dep, territory="MA-RAB", on=date(2026, 2, 27)))
    worker.link_outreach(contact.id, dep.case().id)
    report = dep.as_(dep.supervisor).report(["outreach_contacts"], by=["month", "province"])
    table = report.table("outreach_contacts")
    assert table.measures == ("contacts", "agreed", "cases_opened")
    assert set(table.body) == {("2026-02", "MA-RAB", 1, 1, 0), ("2026-03", "MA-SAL", 2, 1, 1)}
    assert table.totals == (3, 2, 1)


# --- tracing and reunification ----------------------------------------------------------------


def _action(case_id: str, **changes: object) -> TracingAction:
    fields: dict[str, object] = {
        "case_id": case_id,
        "on": TODAY,
        "method": TracingMethod.CHILD_INTERVIEW,
        "sought": "la mère, quartier Tabriquet",
        "result": TracingResult.LEAD,
    }
    fields.update(changes)
    return TracingAction(**fields)  # type: ignore[arg-type]


def _reunification(case_id: str, **changes: object) -> Reunification:
    fields: dict[str, object] = {
        "case_id": case_id,
        "on": TODAY,
        "with_whom": Relation.MOTHER,
        "where": "MA-SAL",
        "verified": True,
    }
    fields.update(changes)
    return Reunification(**fields)  # type: ignore[arg-type]


def test_tracing_reunification_and_follow_up_of_a_case(dep: Deployment) -> None:
    case = dep.case(on=TODAY - timedelta(days=30))
    worker = dep.as_(dep.worker).casefile
    lead = worker.record_tracing(_action(case.id, on=TODAY - timedelta(days=20))).record
    found = worker.record_tracing_result(
        lead.id, TracingResult.FOUND, expected_version=1, note="Mère retrouvée"
    ).record
    assert (found.result, found.version, found.note) == (TracingResult.FOUND, 2, "Mère retrouvée")
    outcome = worker.record_reunification(_reunification(case.id, on=TODAY - timedelta(days=10)))
    assert outcome.warnings == ()
    reunification = outcome.record
    visited = worker.record_reunification_follow_up(
        reunification.id,
        FollowUpVisit(TODAY, VisitOutcome.WELL),
        expected_version=1,
        outcome=ReunificationOutcome.SUSTAINED,
    ).record
    assert visited.version == 2
    assert visited.outcome is ReunificationOutcome.SUSTAINED
    with pytest.raises(ConcurrencyConflict):
        worker.record_reunification_follow_up(
            reunification.id, FollowUpVisit(TODAY, VisitOutcome.WELL), expected_version=1
        )
    before = len(dep.wl.audit.entries())
    file = dep.as_(dep.coordinator).casefile.tracing(case.id)
    assert file.actions == (found,)
    assert file.reunifications == (visited,)
    assert _entries(dep, before) == [
        ("coordinator.region", "case.tracing.read", found.id, "done"),
        ("coordinator.region", "case.tracing.read", visited.id, "done"),
    ]
    assert dep.wl.audit.verify().ok


def test_a_reunification_without_check_or_trace_is_let_in_with_warnings(dep: Deployment) -> None:
    case = dep.case()
    outcome = dep.as_(dep.worker).casefile.record_reunification(
        _reunification(case.id, verified=False)
    )
    assert {warning.code for warning in outcome.warnings} == {
        "reunification.not_verified",
        "reunification.without_trace",
    }


def test_a_follow_up_before_the_reunification_is_refused(dep: Deployment) -> None:
    case = dep.case(on=TODAY - timedelta(days=5))
    worker = dep.as_(dep.worker).casefile
    reunification = worker.record_reunification(_reunification(case.id)).record
    with pytest.raises(InvalidRecord) as refused:
        worker.record_reunification_follow_up(
            reunification.id,
            FollowUpVisit(TODAY - timedelta(days=1), VisitOutcome.CONCERNS),
            expected_version=1,
        )
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == (
        "reunification.follow_up_before",
        "$.follow_ups[0].on",
    )


def test_tracing_is_recorded_by_the_cases_team_only(dep: Deployment) -> None:
    case = dep.case()
    action = _action(case.id)
    outsider = dep.as_(dep.outsider).casefile
    seen = _refusal(outsider.record_tracing, action).replace(case.id, "<id>")
    unknown = _refusal(outsider.record_tracing, _action(UNKNOWN)).replace(UNKNOWN, "<id>")
    assert seen == unknown
    coordinator = dep.as_(dep.coordinator).casefile
    assert "needs one of the roles" in _refusal(coordinator.record_tracing, action)
    with dep.wl.store.unit_of_work(read_only=True) as uow:
        assert uow.repository(TracingAction).count() == 0


def test_a_reunification_not_seen_is_refused_as_an_unknown_one(dep: Deployment) -> None:
    case = dep.case()
    worker = dep.as_(dep.worker)
    reunification = worker.casefile.record_reunification(_reunification(case.id)).record
    # The CAPE, target of an open referral, sees the case limited: not its reunifications.
    worker.refer(case.id, to_body=dep.cape.id, service=ServiceType.FAMILY_TRACING)
    visit = FollowUpVisit(TODAY, VisitOutcome.WELL)
    for actor in (dep.outsider, dep.provider):
        services = dep.as_(actor).casefile

        def follow(record_id: str, services: object = services) -> object:
            return services.record_reunification_follow_up(  # type: ignore[attr-defined]
                record_id, visit, expected_version=1
            )

        seen = _refusal(follow, reunification.id).replace(reunification.id, "<id>")
        unknown = _refusal(follow, UNKNOWN).replace(UNKNOWN, "<id>")
        assert seen == unknown
        assert seen.endswith("Reunification <id>: no such record in the actor's scope")
    assert "no such record" in _refusal(dep.as_(dep.outsider).casefile.tracing, case.id)


@pytest.mark.parametrize("hostile", ["x" * 5000, "../../etc", "", "\x00", "é" * 40])
def test_a_hostile_id_is_refused_as_an_unknown_record(dep: Deployment, hostile: str) -> None:
    services = dep.as_(dep.worker).casefile
    visit = FollowUpVisit(TODAY, VisitOutcome.WELL)
    calls = (
        services.outreach_contact,
        services.outreach,
        services.tracing,
        lambda i: services.link_outreach(i, i),
        lambda i: services.record_tracing_result(i, TracingResult.FOUND, expected_version=1),
        lambda i: services.record_reunification_follow_up(i, visit, expected_version=1),
    )
    for call in calls:
        assert "no such record in the actor's scope" in _refusal(call, hostile)
