"""After a transfer, the case file goes with the child, on every store.

A transfer closes the case at one body and opens the case that continues it at another. The
child's history — care, incidents, services delivered, documents, tracing, concerns, their
participation, the approvals — is read through the new case by the body that now works it:
nothing is lost to the team that takes the child on. The body that held the case keeps what it
recorded, and sees nothing the new body adds; any other body sees nothing, refused as for a
record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from casefile_support import case_with_a_full_file
from casework import STORES, TODAY, Deployment, deployed
from wladna_core.access import AccessDenied, Actor, Role
from wladna_core.casefile.care import CareArrangement, CareType
from wladna_core.casefile.tracing import TracingResult
from wladna_core.errors import InvalidRecord
from wladna_core.model import ProtectionConcern

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@dataclass
class Transferred:
    """A case of Salé with a full case file, transferred to Rabat."""

    dep: Deployment
    old: str
    new: str
    ids: dict[str, str]
    rabat: Actor  # a case worker of the UPE of Rabat, who now works the case

    def rabat_file(self) -> object:
        return self.dep.as_(self.rabat).casefile


#: The records of the case file the tests follow, by the short names they use.
_SHORT = {
    "care_arrangement": "care",
    "service_delivery": "service",
    "document": "document",
    "tracing_action": "tracing",
    "concern_detail": "concern",
    "participation": "participation",
    "incident": "incident",
    "approval": "approval",
}


@pytest.fixture(params=STORES)
def moved(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Transferred]:
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(str(request.param), tmp_path, settings=options) as dep:
        case_id, recorded = case_with_a_full_file(dep)  # its closure awaits approval
        ids = {short: recorded[kind] for kind, short in _SHORT.items()}
        dep.as_(dep.supervisor).decline_closure(case_id, comment="Father not yet traced")
        new = dep.as_(dep.supervisor).transfer(case_id, dep.rabat.id, on=TODAY).record
        rabat = Actor("worker.rabat.new", {Role.CASE_WORKER}, {dep.rabat.id})
        yield Transferred(dep, case_id, new.id, ids, rabat)


def _lists(cf: object, case_id: str) -> dict[str, set[str]]:
    tracing = cf.tracing(case_id)  # type: ignore[attr-defined]
    return {
        "care": {item.id for item in cf.care_history(case_id)},  # type: ignore[attr-defined]
        "service": {item.id for item in cf.services(case_id)},  # type: ignore[attr-defined]
        "document": {item.id for item in cf.documents(case_id)},  # type: ignore[attr-defined]
        "tracing": {item.id for item in tracing.actions},
        "concern": {item.id for item in cf.concern_details(case_id)},  # type: ignore[attr-defined]
        "participation": {item.id for item in cf.participation(case_id)},  # type: ignore[attr-defined]
        "incident": {item.id for item in cf.incidents(case_id)},  # type: ignore[attr-defined]
        "approval": {item.id for item in cf.approvals(case_id)},  # type: ignore[attr-defined]
    }


def test_the_receiving_body_reads_the_childs_history_through_the_new_case(
    moved: Transferred,
) -> None:
    cf = moved.rabat_file()
    assert _lists(cf, moved.new) == {kind: {record_id} for kind, record_id in moved.ids.items()}
    assert cf.current_care(moved.new).id == moved.ids["care"]  # type: ignore[attr-defined]
    assert cf.document_content(moved.ids["document"]) == b"%PDF jugement"  # type: ignore[attr-defined]
    assert cf.incident(moved.ids["incident"]).id == moved.ids["incident"]  # type: ignore[attr-defined]
    read = {
        entry.record_id
        for entry in moved.dep.wl.audit.entries()
        if entry.actor_id == moved.rabat.id and entry.outcome == "done"
    }
    assert set(moved.ids.values()) <= read  # every record of the child's shown is audited


def test_the_receiving_body_carries_on_the_work_left_open(moved: Transferred) -> None:
    cf = moved.rabat_file()
    ended = cf.end_care(moved.ids["care"], on=TODAY).record  # type: ignore[attr-defined]
    assert ended.ended_on == TODAY
    traced = cf.record_tracing_result(  # type: ignore[attr-defined]
        moved.ids["tracing"], TracingResult.FOUND
    ).record
    assert traced.result is TracingResult.FOUND
    resolved = cf.resolve_concern(moved.ids["concern"], resolution="Placed with his aunt").record  # type: ignore[attr-defined]
    assert resolved.resolved_on is not None


def test_an_approval_of_the_case_before_is_not_decided_by_the_receiving_body(
    moved: Transferred,
) -> None:
    supervisor = Actor("supervisor.rabat.new", {Role.SUPERVISOR}, {moved.dep.rabat.id})
    cf = moved.dep.as_(supervisor).casefile
    with pytest.raises(AccessDenied) as denied:
        cf.decide_approval(moved.ids["approval"], approved=True)
    with pytest.raises(AccessDenied) as unknown:
        cf.decide_approval("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", approved=True)
    assert str(denied.value).replace(moved.ids["approval"], "<id>") == str(unknown.value).replace(
        "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", "<id>"
    )


def test_the_body_that_held_the_case_keeps_its_records_and_sees_none_added_after(
    moved: Transferred,
) -> None:
    moved.rabat_file().record_concern_detail(  # type: ignore[attr-defined]
        moved.new, ProtectionConcern.NEGLECT
    )
    cf = moved.dep.as_(moved.dep.worker).casefile
    assert _lists(cf, moved.old) == {kind: {record_id} for kind, record_id in moved.ids.items()}
    with pytest.raises(AccessDenied):
        cf.concern_details(moved.new)


def test_another_body_sees_none_of_it(moved: Transferred) -> None:
    stranger = Actor("worker.cape", {Role.CASE_WORKER}, {moved.dep.cape.id})
    cf = moved.dep.as_(stranger).casefile
    for case_id in (moved.old, moved.new):
        with pytest.raises(AccessDenied):
            cf.care_history(case_id)
    with pytest.raises(AccessDenied) as seen:
        cf.incident(moved.ids["incident"])
    with pytest.raises(AccessDenied) as unknown:
        cf.incident("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f")
    assert str(seen.value).replace(moved.ids["incident"], "<id>") == str(unknown.value).replace(
        "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", "<id>"
    )


def test_the_receiving_body_ends_the_care_before_recording_the_next(moved: Transferred) -> None:
    cf = moved.rabat_file()
    aunt = CareArrangement(case_id=moved.new, type=CareType.KINSHIP, started_on=TODAY)
    with pytest.raises(InvalidRecord) as refused:
        cf.record_care(aunt)  # type: ignore[attr-defined]
    assert refused.value.codes == {"care.more_than_one_open"}
    assert moved.ids["care"] in str(refused.value)
    assert cf.current_care(moved.new).id == moved.ids["care"]  # type: ignore[attr-defined]
    cf.end_care(moved.ids["care"], on=TODAY)  # type: ignore[attr-defined]
    recorded = cf.record_care(aunt).record  # type: ignore[attr-defined]
    assert cf.current_care(moved.new).id == recorded.id  # type: ignore[attr-defined]
    assert [item.id for item in cf.care_history(moved.new)] == [moved.ids["care"], recorded.id]  # type: ignore[attr-defined]
