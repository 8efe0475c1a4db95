"""Bad input to the services of participation, concern details and documents, on every store.

Arguments of the wrong shape are refused with an :class:`~wladna_core.errors.InvalidRecord`
naming the path and the code, or a clear :class:`TypeError`; a refused document leaves no byte
in the document store; a resolved concern is final (:class:`~wladna_core.workflow.
TransitionRefused`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from casework import STORES, TODAY, Deployment, deployed
from wladna_core.casefile.documents import Document, DocumentCategory
from wladna_core.casefile.participation import Decision, Hearing
from wladna_core.errors import InvalidRecord
from wladna_core.model import ProtectionConcern
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

BIG = "x" * 1_000_000


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    settings = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(str(request.param), tmp_path, settings=settings) as deployment:
        yield deployment


def _refused(call: Callable[[], object]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as refused:
        call()
    return [(violation.path, violation.code) for violation in refused.value.violations]


def _kept(tmp_path: Path) -> list[Path]:
    return [path for path in (tmp_path / "documents").rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"decision": "bogus"}, ("$.decision", "input.enum")),
        ({"heard": "bogus"}, ("$.heard", "input.enum")),
        ({"views": BIG}, ("$.views", "input.too_long")),
        ({"about": "a\x00b"}, ("$.about", "input.invalid_character")),
        ({"taken_into_account": "\ud800"}, ("$.taken_into_account", "input.encoding")),
        ({"on": TODAY + timedelta(days=1)}, ("$.on", "participation.in_future")),
    ],
)
def test_bad_participation_is_an_invalid_record_with_its_path(
    dep: Deployment, changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    case = dep.case()
    cf = dep.as_(dep.worker).casefile
    arguments: dict[str, Any] = {
        "decision": Decision.CASE_PLAN,
        "heard": Hearing.IN_PERSON,
        "views": "Rester chez sa tante.",
        **changes,
    }
    assert _refused(lambda: cf.record_participation(case.id, **arguments)) == [expected]
    assert cf.participation(case.id) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"concern": "bogus"}, ("$.concern", "input.enum")),
        ({"identified_by": "\ud800"}, ("$.identified_by", "input.encoding")),
        ({"notes": BIG}, ("$.notes", "input.too_long")),
        ({"notes": "a\x00"}, ("$.notes", "input.invalid_character")),
    ],
)
def test_a_bad_concern_detail_is_an_invalid_record_with_its_path(
    dep: Deployment, changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    case = dep.case()
    cf = dep.as_(dep.worker).casefile
    arguments = dict(changes)  # the parameters are shared by every store
    concern = arguments.pop("concern", ProtectionConcern.NEGLECT)
    assert _refused(lambda: cf.record_concern_detail(case.id, concern, **arguments)) == [expected]
    assert cf.concern_details(case.id) == []


def test_a_bad_resolution_is_an_invalid_record_and_a_resolved_concern_is_final(
    dep: Deployment,
) -> None:
    case = dep.case(on=TODAY - timedelta(days=5))
    cf = dep.as_(dep.worker).casefile
    detail = cf.record_concern_detail(
        case.id, ProtectionConcern.NEGLECT, identified_on=TODAY - timedelta(days=2)
    ).record
    assert _refused(lambda: cf.resolve_concern(detail.id, resolution="a\x00")) == [
        ("$.resolution", "input.invalid_character")
    ]
    assert _refused(lambda: cf.resolve_concern(detail.id, resolution=BIG)) == [
        ("$.resolution", "input.too_long")
    ]
    assert _refused(lambda: cf.resolve_concern(detail.id, on=TODAY - timedelta(days=3))) == [
        ("$.resolved_on", "concern.resolved_before_identified")
    ]
    with pytest.raises(ConcurrencyConflict):
        cf.resolve_concern(detail.id, expected_version=2)
    resolved = cf.resolve_concern(detail.id).record
    with pytest.raises(TransitionRefused) as final:
        cf.resolve_concern(detail.id, resolution="again")
    assert (final.value.record, final.value.action) == (f"ConcernDetail {detail.id}", "resolve")
    assert cf.concern_details(case.id) == [resolved]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"on": TODAY + timedelta(days=1)}, ("$.added_on", "document.in_future")),
        ({"on": date(2025, 1, 1)}, ("$.added_on", "document.before_case_opened")),
        ({"category": "bogus"}, ("$.category", "input.enum")),
        ({"sensitivity": "bogus"}, ("$.sensitivity", "input.enum")),
        ({"title": BIG}, ("$.title", "input.too_long")),
        ({"title": "t\x00"}, ("$.title", "input.invalid_character")),
        ({"title": "\ud800"}, ("$.title", "input.encoding")),
        ({"media_type": "a/b\x00"}, ("$.media_type", "input.invalid_character")),
    ],
)
def test_a_refused_document_leaves_no_byte_in_the_document_store(
    dep: Deployment, tmp_path: Path, changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    case = dep.case()
    cf = dep.as_(dep.worker).casefile
    arguments: dict[str, Any] = {
        "title": "Acte de naissance",
        "category": DocumentCategory.IDENTITY_PAPER,
        "media_type": "application/pdf",
        **changes,
    }
    assert expected in _refused(lambda: cf.attach_document(case.id, b"%PDF-1.7", **arguments))
    assert not (tmp_path / "documents").exists() or _kept(tmp_path) == []
    with dep.wl.store.unit_of_work(read_only=True) as uow:
        assert uow.repository(Document).count() == 0
    # The same bytes, attached rightly, are kept once.
    cf.attach_document(
        case.id,
        b"%PDF-1.7",
        title="Acte de naissance",
        category=DocumentCategory.IDENTITY_PAPER,
        media_type="application/pdf",
    )
    assert len(_kept(tmp_path)) == 1


@pytest.mark.parametrize("content", ["text", None, 12, ["b"]])
def test_content_other_than_bytes_is_a_clear_type_error(dep: Deployment, content: Any) -> None:
    case = dep.case()
    with pytest.raises(TypeError, match=r"a document's content is bytes, got"):
        dep.as_(dep.worker).casefile.attach_document(
            case.id, content, title="t", category=DocumentCategory.OTHER, media_type="a/b"
        )


@pytest.mark.parametrize(
    "documents",
    [{"url": "/srv/wladna/documents"}, {"url": 42}, {"max_size": -1}, "file:///srv/documents"],
)
def test_a_malformed_documents_setting_is_refused_when_the_deployment_opens(
    documents: object,
) -> None:
    from wladna_core import Wladna  # noqa: PLC0415
    from wladna_core.casefile.documents import DocumentSettingsError  # noqa: PLC0415

    with pytest.raises(DocumentSettingsError, match="setting documents"):
        Wladna.open("memory://", settings={"documents": documents})
