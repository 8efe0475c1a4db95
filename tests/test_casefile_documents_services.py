"""The services of the documents group: participation, concern details, documents.

Access is checked as the casework's (the case's body records; its members and the territory's
coordinators read; an unseen case or record is refused exactly as one that does not exist),
every write and every read of personal data is audited, and documents' bytes are kept by the
deployment's document store and checked against their SHA-256 when read.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from casework import STORES, TODAY, Deployment, deployed
from wladna_core.access import AccessDenied, Actor, Role
from wladna_core.casefile.documents import (
    DocumentCategory,
    DocumentIntegrityError,
    DocumentMissing,
    DocumentStoreUnavailable,
    Sensitivity,
)
from wladna_core.casefile.documents.files import FileDocumentStore
from wladna_core.casefile.participation import Decision, Hearing
from wladna_core.errors import InvalidRecord
from wladna_core.model import ProtectionConcern, ServiceType
from wladna_core.plugins import PluginHookError
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.casefile import CaseFile

UNKNOWN = "0193a2b4-0000-7000-8000-000000000404"
PDF = b"%PDF-1.7\n% a judgment of kafala\n"


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    settings = {"documents": {"url": (tmp_path / "documents").as_uri(), "max_size": 4096}}
    with deployed(str(request.param), tmp_path, settings=settings) as deployment:
        yield deployment


def casefile(dep: Deployment, actor: Actor) -> CaseFile:
    return dep.as_(actor).casefile


def entries(dep: Deployment, prefix: str = "case.") -> list[Any]:
    return [e for e in dep.wl.store.audit_entries() if e.action.startswith(prefix)]


def refusal(call: Any) -> tuple[str, str, str | None]:
    with pytest.raises(AccessDenied) as refused:
        call()
    denied = refused.value
    return (str(denied), denied.reason, denied.record_type)


# --- participation ------------------------------------------------------------------------------


def test_the_childs_views_are_recorded_read_and_audited(dep: Deployment) -> None:
    case = dep.case()
    worker = casefile(dep, dep.worker)
    outcome = worker.record_participation(
        case.id,
        decision=Decision.CARE_ARRANGEMENT,
        heard=Hearing.WITH_TRUSTED_ADULT,
        views="Je veux vivre chez ma tante à Salé.",
    )
    assert [w.code for w in outcome.warnings] == ["participation.weight_not_recorded"]
    record = outcome.record
    assert (record.recorded_by, record.on, record.version) == (dep.worker.id, TODAY, 1)
    assert casefile(dep, dep.supervisor).participation(case.id) == [record]
    assert casefile(dep, dep.coordinator).participation(case.id) == [record]
    written = entries(dep, "case.participation")
    assert [(e.actor_id, e.action, e.record_id) for e in written] == [
        (dep.worker.id, "case.participation.record", record.id),
        (dep.supervisor.id, "case.participation.read", record.id),
        (dep.coordinator.id, "case.participation.read", record.id),
    ]


def test_a_child_not_heard_without_a_reason_is_refused_and_nothing_is_written(
    dep: Deployment,
) -> None:
    case = dep.case()
    with pytest.raises(InvalidRecord) as refused:
        casefile(dep, dep.worker).record_participation(
            case.id, decision=Decision.ASSESSMENT, heard=Hearing.NOT_HEARD
        )
    assert [v.code for v in refused.value.violations] == ["participation.not_heard_without_reason"]
    assert casefile(dep, dep.worker).participation(case.id) == []
    with pytest.raises(InvalidRecord) as bad:
        casefile(dep, dep.worker).record_participation(
            case.id,
            decision="appeal",  # type: ignore[arg-type]
            heard=Hearing.IN_PERSON,
            views="Non.",
        )
    assert [(v.code, v.path) for v in bad.value.violations] == [("input.enum", "$.decision")]


def test_recording_and_reading_views_is_refused_to_others_and_audited(dep: Deployment) -> None:
    case = dep.case()
    views = {"decision": Decision.CLOSURE, "heard": Hearing.IN_PERSON, "views": "Oui."}
    # Someone of another body does not see the case: refused as a case that does not exist.
    unseen = refusal(lambda: casefile(dep, dep.outsider).record_participation(case.id, **views))
    unknown = refusal(lambda: casefile(dep, dep.outsider).record_participation(UNKNOWN, **views))
    assert unseen[1:] == unknown[1:] == ("no such record in the actor's scope", "Case")
    # A coordinator sees the case but does not record on it.
    with pytest.raises(AccessDenied, match="case_worker"):
        casefile(dep, dep.coordinator).record_participation(case.id, **views)
    assert [e.outcome for e in entries(dep, "case.participation")] == ["denied"] * 3


# --- concern details ----------------------------------------------------------------------------


def test_a_concern_is_detailed_resolved_and_detailed_again(dep: Deployment) -> None:
    case = dep.case()
    worker = casefile(dep, dep.worker)
    first = worker.record_concern_detail(
        case.id, ProtectionConcern.NEGLECT, identified_by="school teacher", notes="Absent often."
    ).record
    with pytest.raises(InvalidRecord, match=r"concern\.already_open"):
        worker.record_concern_detail(case.id, ProtectionConcern.NEGLECT)
    resolved = worker.resolve_concern(first.id, resolution="Back at school.").record
    assert (resolved.resolved_on, resolved.version) == (TODAY, 2)
    with pytest.raises(TransitionRefused, match=r"resolved already"):
        worker.resolve_concern(first.id)
    again = worker.record_concern_detail(case.id, ProtectionConcern.NEGLECT).record
    assert again.identified_by == dep.worker.id
    assert casefile(dep, dep.supervisor).concern_details(case.id) == [resolved, again]
    actions = [(e.action, e.record_id) for e in entries(dep, "case.concern")]
    assert actions == [
        ("case.concern.record", first.id),
        ("case.concern.record", first.id),
        ("case.concern.record", again.id),
        ("case.concern.read", first.id),
        ("case.concern.read", again.id),
    ]


def test_resolving_is_checked_like_any_write(dep: Deployment) -> None:
    case = dep.case()
    worker = casefile(dep, dep.worker)
    detail = worker.record_concern_detail(case.id, ProtectionConcern.NEGLECT).record
    with pytest.raises(InvalidRecord) as early:
        worker.resolve_concern(detail.id, on=date(2026, 3, 1))
    assert [(v.code, v.path) for v in early.value.violations] == [
        ("concern.resolved_before_identified", "$.resolved_on")
    ]
    with pytest.raises(ConcurrencyConflict):
        worker.resolve_concern(detail.id, expected_version=detail.version + 1)
    assert worker.resolve_concern(detail.id, expected_version=detail.version).record.version == 2
    with pytest.raises(TransitionRefused) as twice:
        worker.resolve_concern(detail.id)
    assert twice.value.action == "resolve"
    assert "record the concern again (record_concern_detail)" in twice.value.reason


def test_a_concern_not_of_the_case_is_refused_naming_the_remedy(dep: Deployment) -> None:
    case = dep.case()
    with pytest.raises(InvalidRecord) as refused:
        casefile(dep, dep.worker).record_concern_detail(case.id, ProtectionConcern.BEGGING)
    [violation] = refused.value.violations
    assert violation.code == "concern.not_in_case"
    assert "Add the concern to the case first" in violation.remedy


def test_resolving_a_detail_unseen_is_refused_as_one_that_does_not_exist(dep: Deployment) -> None:
    case = dep.case()
    detail = casefile(dep, dep.worker).record_concern_detail(case.id, ProtectionConcern.NEGLECT)
    outsider = casefile(dep, dep.outsider)
    seen = refusal(lambda: outsider.resolve_concern(detail.record.id))
    unknown = refusal(lambda: outsider.resolve_concern(UNKNOWN))
    assert seen[1:] == unknown[1:] == ("no such record in the actor's scope", "ConcernDetail")
    assert seen[0].replace(detail.record.id, UNKNOWN) == unknown[0]


# --- documents ----------------------------------------------------------------------------------


def test_a_document_is_attached_listed_and_read_back_checked(
    dep: Deployment, tmp_path: Path
) -> None:
    case = dep.case()
    worker = casefile(dep, dep.worker)
    document = worker.attach_document(
        case.id,
        PDF,
        title="Jugement de kafala",
        category=DocumentCategory.COURT_DECISION,
        media_type="application/pdf",
    ).record
    digest = hashlib.sha256(PDF).hexdigest()
    assert (document.size, document.sha256, document.location) == (
        len(PDF),
        digest,
        f"sha256:{digest}",
    )
    kept = tmp_path / "documents" / digest[:2] / digest
    assert kept.read_bytes() == PDF
    assert oct(kept.stat().st_mode & 0o777) == oct(0o600)
    assert casefile(dep, dep.supervisor).documents(case.id) == [document]
    assert casefile(dep, dep.coordinator).document_content(document.id) == PDF
    assert [(e.actor_id, e.action, e.record_id, e.outcome) for e in entries(dep, "case.doc")] == [
        (dep.worker.id, "case.document.attach", document.id, "done"),
        (dep.supervisor.id, "case.document.read", document.id, "done"),
        (dep.coordinator.id, "case.document.read", document.id, "done"),
    ]
    assert dep.wl.audit.verify().ok


def test_bytes_altered_in_the_store_are_refused_and_the_refusal_audited(
    dep: Deployment, tmp_path: Path
) -> None:
    case = dep.case()
    document = (
        casefile(dep, dep.worker)
        .attach_document(
            case.id,
            PDF,
            title="Acte",
            category=DocumentCategory.IDENTITY_PAPER,
            media_type="application/pdf",
        )
        .record
    )
    kept = tmp_path / "documents" / document.sha256[:2] / document.sha256
    kept.write_bytes(PDF.replace(b"kafala", b"kafalA"))
    with pytest.raises(DocumentIntegrityError) as refused:
        casefile(dep, dep.supervisor).document_content(document.id)
    assert refused.value.code == "document.integrity"
    assert f"Document {document.id}" in str(refused.value)
    assert "restore the document store from its backup" in str(refused.value)
    last = entries(dep, "case.document")[-1]
    assert (last.actor_id, last.action, last.outcome, last.detail) == (
        dep.supervisor.id,
        "case.document.read",
        "denied",
        "document.integrity: the bytes do not match the record",
    )
    kept.unlink()
    with pytest.raises(DocumentMissing):
        casefile(dep, dep.supervisor).document_content(document.id)


def test_a_document_too_large_is_refused_before_any_byte_is_kept(
    dep: Deployment, tmp_path: Path
) -> None:
    case = dep.case()
    with pytest.raises(InvalidRecord) as refused:
        casefile(dep, dep.worker).attach_document(
            case.id,
            b"x" * 4097,
            title="Scan",
            category=DocumentCategory.OTHER,
            media_type="image/tiff",
        )
    assert [v.code for v in refused.value.violations] == ["document.too_large"]
    assert not (tmp_path / "documents").exists()
    with pytest.raises(InvalidRecord) as empty:
        casefile(dep, dep.worker).attach_document(
            case.id, b"", title="Scan", category=DocumentCategory.OTHER, media_type="Image/TIFF"
        )
    assert sorted(v.code for v in empty.value.violations) == [
        "document.empty",
        "document.media_type_format",
    ]
    assert casefile(dep, dep.worker).documents(case.id) == []


def test_a_very_restricted_document_is_for_those_who_work_the_case(dep: Deployment) -> None:
    case = dep.case()
    photo = (
        casefile(dep, dep.worker)
        .attach_document(
            case.id,
            b"\xff\xd8\xff a photo",
            title="Photo des blessures",
            category=DocumentCategory.PHOTO,
            media_type="image/jpeg",
            sensitivity=Sensitivity.VERY_RESTRICTED,
        )
        .record
    )
    assert casefile(dep, dep.supervisor).documents(case.id) == [photo]
    # The region's coordinator sees the case, not this document.
    assert casefile(dep, dep.coordinator).documents(case.id) == []
    hidden = refusal(lambda: casefile(dep, dep.coordinator).document_content(photo.id))
    unknown = refusal(lambda: casefile(dep, dep.coordinator).document_content(UNKNOWN))
    assert hidden[1:] == unknown[1:] == ("no such record in the actor's scope", "Document")


def test_documents_are_refused_to_those_who_do_not_see_the_case_in_full(dep: Deployment) -> None:
    case = dep.case()
    document = (
        casefile(dep, dep.worker)
        .attach_document(
            case.id,
            PDF,
            title="Acte",
            category=DocumentCategory.OTHER,
            media_type="application/pdf",
        )
        .record
    )
    outsider = casefile(dep, dep.outsider)
    seen = refusal(lambda: outsider.document_content(document.id))
    unknown = refusal(lambda: outsider.document_content(UNKNOWN))
    assert seen[1:] == unknown[1:] == ("no such record in the actor's scope", "Document")
    # The target of an open referral sees the case limited, and not its documents: refused as
    # for a case that does not exist, so that it learns nothing of them.
    dep.as_(dep.worker).refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id)
    provider = casefile(dep, dep.provider)
    limited = refusal(lambda: provider.documents(case.id))
    assert limited[1:] == refusal(lambda: provider.documents(UNKNOWN))[1:]
    assert limited[1] == "no such record in the actor's scope"
    analyst = Actor("analyst.national", {Role.NATIONAL_ANALYST})
    assert refusal(lambda: casefile(dep, analyst).documents(case.id))[1] == (
        "no such record in the actor's scope"
    )


def test_attaching_without_a_document_store_says_which_setting_to_write(tmp_path: Path) -> None:
    with deployed("memory", tmp_path) as dep:
        case = dep.case()
        with pytest.raises(DocumentStoreUnavailable, match=r"Set documents\.url"):
            casefile(dep, dep.worker).attach_document(
                case.id,
                PDF,
                title="Acte",
                category=DocumentCategory.OTHER,
                media_type="application/pdf",
            )
    settings = {"documents": {"url": "s3://bucket/documents"}}
    with deployed("memory", tmp_path, settings=settings) as dep:
        case = dep.case()
        with pytest.raises(DocumentStoreUnavailable, match="no installed document store opens"):
            casefile(dep, dep.worker).attach_document(
                case.id,
                PDF,
                title="Acte",
                category=DocumentCategory.OTHER,
                media_type="application/pdf",
            )
    with deployed("memory", tmp_path, settings={"documents": {"url": "file://host/x"}}) as dep:
        case = dep.case()
        with pytest.raises(PluginHookError, match="not a local directory"):
            casefile(dep, dep.worker).attach_document(
                case.id,
                PDF,
                title="Acte",
                category=DocumentCategory.OTHER,
                media_type="application/pdf",
            )


# --- the file store -----------------------------------------------------------------------------


def test_the_file_store_keeps_bytes_once_by_digest_and_atomically(tmp_path: Path) -> None:
    store = FileDocumentStore(tmp_path / "docs")
    location = store.put(PDF)
    assert store.put(bytearray(PDF)) == location
    digest = location.removeprefix("sha256:")
    folder = tmp_path / "docs" / digest[:2]
    assert os.listdir(folder) == [digest]  # no temporary file left behind
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    # A file that no longer holds its bytes is replaced when they are put again.
    (folder / digest).write_bytes(b"damaged")
    assert store.put(PDF) == location
    assert store.get(location) == PDF
    assert store.url == (tmp_path / "docs").as_uri()


@pytest.mark.parametrize(
    "location",
    ["sha256:../../etc/passwd", "sha256:" + "A" * 64, "file:///etc/passwd", "sha256:" + "0" * 64],
)
def test_the_file_store_reads_only_its_own_locations(tmp_path: Path, location: str) -> None:
    with pytest.raises(DocumentMissing, match="Restore the document store"):
        FileDocumentStore(tmp_path).get(location)


def test_a_failed_write_leaves_nothing_under_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wladna_core.casefile.documents.storage import DocumentStoreError  # noqa: PLC0415

    def full_disk(_source: object, _target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    store = FileDocumentStore(tmp_path)
    with pytest.raises(DocumentStoreError, match="No space left on device"):
        store.put(PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    assert os.listdir(tmp_path / digest[:2]) == []
