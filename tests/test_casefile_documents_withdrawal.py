"""Withdrawing a document from its case, and erasing its bytes, on every store.

A document attached to the wrong case, or the wrong file, is a record shown to people who
should not see it: its case's team withdraws it (no longer listed nor read; the record kept
with who, when and why; audited), and a supervisor may erase its bytes from the document store
too, unless another document in force holds the same bytes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deployed
from wladna_core.access import AccessDenied
from wladna_core.casefile.documents import (
    DOCUMENT_RULES,
    Document,
    DocumentCategory,
    DocumentContext,
    DocumentMissing,
    DocumentStoreError,
    Sensitivity,
    Withdrawal,
)
from wladna_core.casefile.documents.files import FileDocumentStore
from wladna_core.casefile.documents.services import DocumentWithdrawn
from wladna_core.casefile.documents.strategies import documents
from wladna_core.casefile.participation.strategies import REFERENCE_DATE
from wladna_core.errors import InvalidRecord
from wladna_core.hookspecs import hookimpl
from wladna_core.plugins import make_plugin_manager
from wladna_core.rules import RuleSet, validate
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

UNKNOWN = "0193a2b4-0000-7000-8000-000000000404"
PDF = b"%PDF-1.7\n% a medical report of another child\n"
WRONG_CASE = "attached to the wrong case"


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    settings = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(str(request.param), tmp_path, settings=settings) as deployment:
        yield deployment


def _attach(dep: Deployment, content: bytes = PDF, **options: Any) -> Document:
    case = options.pop("case", None) or dep.case()
    return (
        dep.as_(dep.worker)
        .casefile.attach_document(
            case.id,
            content,
            title="Certificat médical",
            category=DocumentCategory.MEDICAL_REPORT,
            media_type="application/pdf",
            **options,
        )
        .record
    )


def _files(tmp_path: Path) -> list[Path]:
    return [path for path in (tmp_path / "documents").rglob("*") if path.is_file()]


def _refusal(call: Any) -> tuple[str, str | None]:
    with pytest.raises(AccessDenied) as refused:
        call()
    return refused.value.reason, refused.value.record_type


def test_a_withdrawn_document_is_no_longer_listed_nor_read_and_is_audited(
    dep: Deployment,
) -> None:
    document = _attach(dep)
    team = dep.as_(dep.worker).casefile
    withdrawn = team.withdraw_document(document.id, reason=WRONG_CASE).record
    assert withdrawn.withdrawal == Withdrawal(TODAY, dep.worker.id, WRONG_CASE)
    assert withdrawn.version == document.version + 1
    assert team.documents(document.case_id) == []
    assert team.documents(document.case_id, withdrawn=True) == [withdrawn]
    with pytest.raises(DocumentWithdrawn) as refused:
        team.document_content(document.id)
    assert str(refused.value) == (
        f"Document {document.id} was withdrawn from its case on {TODAY.isoformat()} by "
        f"{dep.worker.id} ({WRONG_CASE}): it is no longer read. Attach the right document if "
        "one is needed."
    )
    actions = [
        (entry.actor_id, entry.action, entry.outcome)
        for entry in dep.wl.store.audit_entries()
        if entry.record_id == document.id
    ]
    assert (dep.worker.id, "case.document.withdraw", "done") in actions
    # Withdrawn without erasure, the bytes stay where the store keeps them.
    with dep.wl.store.unit_of_work(read_only=True) as uow:
        assert uow.repository(Document).get(document.id) == withdrawn


def test_withdrawing_again_is_refused_and_a_stale_version_is_a_conflict(dep: Deployment) -> None:
    document = _attach(dep)
    team = dep.as_(dep.worker).casefile
    with pytest.raises(ConcurrencyConflict):
        team.withdraw_document(document.id, reason=WRONG_CASE, expected_version=0)
    team.withdraw_document(document.id, reason=WRONG_CASE, expected_version=document.version)
    with pytest.raises(TransitionRefused, match=r"it was withdrawn on .*erase=True"):
        team.withdraw_document(document.id, reason="again")


@pytest.mark.parametrize(
    ("reason", "code"), [("", "input.blank"), ("  ", "input.blank"), ("x" * 501, "input.too_long")]
)
def test_a_bad_reason_is_refused_at_its_path_and_nothing_changes(
    dep: Deployment, reason: str, code: str
) -> None:
    document = _attach(dep)
    team = dep.as_(dep.worker).casefile
    with pytest.raises(InvalidRecord) as refused:
        team.withdraw_document(document.id, reason=reason)
    assert [(v.code, v.path) for v in refused.value.violations] == [(code, "$.withdrawal.reason")]
    assert team.documents(document.case_id) == [document]


def test_a_withdrawal_before_the_attachment_or_to_come_is_refused(dep: Deployment) -> None:
    document = _attach(dep)
    team = dep.as_(dep.worker).casefile
    for day, code in (
        (TODAY - timedelta(days=1), "document.withdrawn_before_added"),
        (TODAY + timedelta(days=1), "document.withdrawn_in_future"),
    ):
        with pytest.raises(InvalidRecord) as refused:
            team.withdraw_document(document.id, reason=WRONG_CASE, on=day)
        assert [(v.code, v.path) for v in refused.value.violations] == [(code, "$.withdrawal.on")]
    assert team.documents(document.case_id) == [document]


def test_who_may_withdraw_and_erase(dep: Deployment) -> None:
    document = _attach(dep)
    # Outside the case's body: refused exactly as a document that does not exist.
    outsider = dep.as_(dep.outsider).casefile
    unseen = _refusal(lambda: outsider.withdraw_document(document.id, reason=WRONG_CASE))
    unknown = _refusal(lambda: outsider.withdraw_document(UNKNOWN, reason=WRONG_CASE))
    assert unseen == unknown == ("no such record in the actor's scope", "Document")
    # A coordinator sees the case's documents but does not withdraw them.
    with pytest.raises(AccessDenied, match="case_worker"):
        dep.as_(dep.coordinator).casefile.withdraw_document(document.id, reason=WRONG_CASE)
    # A case worker withdraws, but erasing bytes is for supervisors: nothing is done.
    with pytest.raises(AccessDenied, match="supervisor"):
        dep.as_(dep.worker).casefile.withdraw_document(document.id, reason=WRONG_CASE, erase=True)
    assert dep.as_(dep.worker).casefile.documents(document.case_id) == [document]


def test_a_very_restricted_document_is_withdrawn_only_by_those_who_work_the_case(
    dep: Deployment,
) -> None:
    hidden = _attach(dep, sensitivity=Sensitivity.VERY_RESTRICTED)
    refused = _refusal(
        lambda: dep.as_(dep.coordinator).casefile.withdraw_document(hidden.id, reason=WRONG_CASE)
    )
    assert refused == ("no such record in the actor's scope", "Document")


def test_a_supervisor_erases_the_bytes_unless_another_document_holds_them(
    dep: Deployment, tmp_path: Path
) -> None:
    first = _attach(dep)
    second = _attach(dep, PDF)  # the same bytes on another case: one file
    assert len(_files(tmp_path)) == 1
    supervisor = dep.as_(dep.supervisor).casefile
    supervisor.withdraw_document(first.id, reason=WRONG_CASE, erase=True)
    # The other document is in force: its bytes stay, and it reads as before.
    assert supervisor.document_content(second.id) == PDF
    erased = [e for e in dep.wl.store.audit_entries() if e.action == "case.document.erase"]
    assert [(e.record_id, e.detail) for e in erased] == [
        (first.id, "bytes kept: another document in force holds them")
    ]
    supervisor.withdraw_document(second.id, reason="a copy made in error", erase=True)
    assert _files(tmp_path) == []
    # Asked again with erase=True, a withdrawn document's bytes are erased (nothing left: done).
    supervisor.withdraw_document(first.id, reason=WRONG_CASE, erase=True)
    erased = [e for e in dep.wl.store.audit_entries() if e.action == "case.document.erase"]
    assert [(e.record_id, e.detail) for e in erased][1:] == [(second.id, None), (first.id, None)]
    with pytest.raises(DocumentWithdrawn):
        supervisor.document_content(second.id)


def test_a_document_withdrawn_without_erasure_is_erased_when_asked_again(
    dep: Deployment, tmp_path: Path
) -> None:
    document = _attach(dep)
    dep.as_(dep.worker).casefile.withdraw_document(document.id, reason=WRONG_CASE)
    assert len(_files(tmp_path)) == 1
    outcome = dep.as_(dep.supervisor).casefile.withdraw_document(
        document.id, reason="ignored: it is withdrawn already", erase=True
    )
    assert outcome.record.withdrawal == Withdrawal(TODAY, dep.worker.id, WRONG_CASE)
    assert _files(tmp_path) == []


class _KeepingStore:
    """A partner's document store without ``delete``: it cannot erase."""

    scheme = "keep"

    def __init__(self, root: Path) -> None:
        self.files = FileDocumentStore(root)

    def put(self, content: bytes) -> str:
        return self.files.put(content)

    def get(self, location: str) -> bytes:
        return self.files.get(location)


def test_erasure_from_a_store_that_cannot_erase_is_refused_before_anything(
    tmp_path: Path,
) -> None:
    class Plugin:
        @hookimpl
        def wladna_open_document_store(self, url: str) -> _KeepingStore | None:
            return _KeepingStore(tmp_path / "kept") if url.startswith("keep:") else None

    plugins = make_plugin_manager(load_entrypoints=False)
    plugins.register(Plugin(), name="keeping-store")
    options = {"documents": {"url": "keep://archive"}}
    with deployed("sqlite", tmp_path, settings=options, plugins=plugins) as dep:
        document = _attach(dep)
        supervisor = dep.as_(dep.supervisor).casefile
        with pytest.raises(DocumentStoreError, match="cannot erase bytes"):
            supervisor.withdraw_document(document.id, reason=WRONG_CASE, erase=True)
        assert supervisor.documents(document.case_id) == [document]
        # Withdrawn without erasure, it is hidden all the same.
        supervisor.withdraw_document(document.id, reason=WRONG_CASE)
        assert supervisor.documents(document.case_id) == []


def test_bytes_that_cannot_be_erased_leave_the_withdrawal_and_say_to_ask_again(
    dep: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _attach(dep)

    def failing(_store: FileDocumentStore, location: str) -> None:
        msg = f"the document store cannot erase {location}: Read-only file system"
        raise DocumentStoreError(msg)

    monkeypatch.setattr(FileDocumentStore, "delete", failing)
    supervisor = dep.as_(dep.supervisor).casefile
    with pytest.raises(DocumentStoreError, match="is withdrawn, but its bytes could not be erased"):
        supervisor.withdraw_document(document.id, reason=WRONG_CASE, erase=True)
    assert supervisor.documents(document.case_id) == []
    assert len(_files(tmp_path)) == 1
    monkeypatch.undo()
    supervisor.withdraw_document(document.id, reason=WRONG_CASE, erase=True)
    assert _files(tmp_path) == []


def test_the_file_store_erases_only_its_own_locations(tmp_path: Path) -> None:
    store = FileDocumentStore(tmp_path)
    location = store.put(PDF)
    store.delete("sha256:../../etc/passwd")  # not one of its locations: nothing is touched
    store.delete("s3://bucket/key")
    assert store.get(location) == PDF
    store.delete(location)
    store.delete(location)  # nothing kept there is no error
    with pytest.raises(DocumentMissing):
        store.get(location)


# --- the rules, over drawn documents ------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(document=documents(withdrawn=None), shift=st.integers(-400, 400))
def test_the_withdrawal_day_rules_hold_for_any_day(document: Document, shift: int) -> None:
    on = REFERENCE_DATE
    withdrawal = Withdrawal(document.added_on + timedelta(days=shift), "supervisor.sale", "x")
    moved = attrs.evolve(document, withdrawal=withdrawal)
    found = {
        v.code
        for v in validate(moved, on=on, context=DocumentContext(), rules=RuleSet(DOCUMENT_RULES))
    }
    assert ("document.withdrawn_before_added" in found) == (shift < 0)
    assert ("document.withdrawn_in_future" in found) == (withdrawal.on > on)


@given(document=documents(withdrawn=None))
def test_drawn_documents_pass_the_rules_withdrawn_or_not(document: Document) -> None:
    found = validate(
        document, on=REFERENCE_DATE, context=DocumentContext(), rules=RuleSet(DOCUMENT_RULES)
    )
    assert [v for v in found if v.is_error] == []
