"""The access plug-ins see each record a case-file list returns, on every store.

A ``wladna_authorize`` plug-in that refuses to let a kind of record be read refuses the list of
that kind on a case (``AccessDenied``, naming the plug-in's refusal, audited), and leaves the
other kinds alone: reading a list is no way around a plug-in that refuses the single record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from casefile_support import case_with_a_full_file
from casework import STORES, deployed
from wladna_core import hookimpl
from wladna_core.access import AccessDenied, Action
from wladna_core.casefile.approvals import ApprovalRequest
from wladna_core.casefile.care import CareArrangement
from wladna_core.casefile.delivery import ServiceDelivery
from wladna_core.casefile.documents import Document
from wladna_core.casefile.incidents import (
    Incident,
)
from wladna_core.casefile.tracing import (
    Reunification,
    TracingAction,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from wladna_core.casefile import CaseFile


@dataclass(frozen=True)
class Read:
    """One list read of the case file, the kind it returns and the action it is checked as."""

    name: str
    kind: type[Any]
    action: Action
    read: Callable[[CaseFile, str], object]


READS = [
    Read("care_history", CareArrangement, Action.CARE_READ, lambda cf, case: cf.care_history(case)),
    Read("current_care", CareArrangement, Action.CARE_READ, lambda cf, case: cf.current_care(case)),
    Read("approvals", ApprovalRequest, Action.APPROVAL_READ, lambda cf, case: cf.approvals(case)),
    Read("services", ServiceDelivery, Action.SERVICE_READ, lambda cf, case: cf.services(case)),
    Read("documents", Document, Action.DOCUMENT_READ, lambda cf, case: cf.documents(case)),
    Read("tracing", TracingAction, Action.TRACING_READ, lambda cf, case: cf.tracing(case)),
    Read("reunifications", Reunification, Action.TRACING_READ, lambda cf, case: cf.tracing(case)),
    Read("incidents", Incident, Action.INCIDENT_READ, lambda cf, case: cf.incidents(case)),
]


class RefuseKind:
    """Refuse ``action`` on records of ``kind``, and nothing else."""

    def __init__(self, kind: type[Any], action: Action) -> None:
        self.kind, self.action = kind, action

    @hookimpl
    def wladna_authorize(self, actor: object, action: str, resource: object) -> bool | None:
        return not (action == self.action.value and isinstance(resource, self.kind))


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("refused", READS, ids=lambda read: read.name)
def test_a_plugin_refusing_a_kind_refuses_its_list_and_no_other(
    store: str, tmp_path: Path, refused: Read
) -> None:
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(store, tmp_path, settings=options) as dep:
        case_id, _ids = case_with_a_full_file(dep)
        cf = dep.as_(dep.worker).casefile
        for read in READS:  # with no plug-in, every list carries its record
            assert read.read(cf, case_id) not in (None, [], ())
        dep.wl.plugins.register(RefuseKind(refused.kind, refused.action), name="refuse-kind")
        with pytest.raises(AccessDenied, match="plug-in") as denied:
            refused.read(cf, case_id)
        assert denied.value.action == refused.action
        for read in READS:
            if read.action != refused.action:
                read.read(cf, case_id)
        refusals = [
            entry
            for entry in dep.wl.audit.entries()
            if entry.action == refused.action and entry.outcome == "denied"
        ]
        assert refusals
