"""A case's document as a FHIR R4 DocumentReference: written, checked, read back equal."""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from wladna_core.casefile.documents import Document, DocumentCategory, Sensitivity, Withdrawal
from wladna_core.casefile.documents.strategies import documents

from wladna_fhir import InvalidBundle
from wladna_fhir.documents import (
    CONFIDENTIALITY,
    SHA256_EXTENSION,
    document_from_reference,
    document_reference,
)

PDF = b"%PDF-1.7 jugement de kafala"


def _document(**changes: Any) -> Document:
    fields: dict[str, Any] = {
        "case_id": "0193a2b4-0000-7000-8000-000000000001",
        "title": "Jugement de kafala",
        "category": DocumentCategory.COURT_DECISION,
        "media_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "location": "sha256:" + hashlib.sha256(PDF).hexdigest(),
        "added_on": date(2026, 3, 2),
        "added_by": "worker.sale",
        "sensitivity": Sensitivity.VERY_RESTRICTED,
    }
    fields.update(changes)
    return Document(**fields)


@given(documents(withdrawn=None))
def test_every_document_is_read_back_equal(document: Document) -> None:
    resource = document_reference(document)
    assert resource["status"] == ("current" if document.withdrawal is None else "entered-in-error")
    assert document_from_reference(resource) == document


def test_a_withdrawn_document_is_entered_in_error_and_another_status_is_refused() -> None:
    withdrawn = _document(
        withdrawal=Withdrawal(date(2026, 3, 3), "supervisor.sale", "attached to the wrong case")
    )
    resource = document_reference(withdrawn)
    assert resource["status"] == "entered-in-error"
    assert document_from_reference(resource) == withdrawn
    with pytest.raises(InvalidBundle) as refused:
        document_from_reference({**resource, "status": "superseded"})
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == ("fhir.status", "$.status")
    # Entered in error without the withdrawal's extensions: which one is missing is named.
    resource["extension"] = resource["extension"][:2]
    with pytest.raises(InvalidBundle) as missing:
        document_from_reference(resource)
    assert "withdrawn-on" in str(missing.value)


def test_the_sha256_travels_in_an_extension_and_hash_is_the_sha1_of_bytes_given() -> None:
    document = _document()
    resource = document_reference(document)
    attachment = resource["content"][0]["attachment"]
    assert attachment["extension"] == [{"url": SHA256_EXTENSION, "valueString": document.sha256}]
    assert "hash" not in attachment  # R4's hash is a SHA-1, which the record does not keep
    assert (attachment["size"], attachment["contentType"], attachment["url"]) == (
        len(PDF),
        "application/pdf",
        document.location,
    )
    assert resource["securityLabel"] == [{"coding": [{"system": CONFIDENTIALITY, "code": "V"}]}]
    with_bytes = document_reference(document, content=PDF)["content"][0]["attachment"]
    assert base64.b64decode(with_bytes["hash"]) == hashlib.sha1(PDF).digest()
    with pytest.raises(ValueError, match="SHA-256 differs"):
        document_reference(document, content=PDF + b"!")


def test_a_document_reference_that_cannot_be_a_document_names_the_path_and_code() -> None:
    resource = document_reference(_document())
    broken = copy.deepcopy(resource)
    broken["content"][0]["attachment"]["extension"] = []
    with pytest.raises(InvalidBundle) as missing:
        document_from_reference(broken)
    [violation] = missing.value.violations
    assert (violation.code, violation.path) == ("fhir.missing", "$.content[0].attachment.extension")
    broken = copy.deepcopy(resource)
    broken["content"][0]["attachment"]["extension"][0]["valueString"] = "not a digest"
    with pytest.raises(InvalidBundle) as shape:
        document_from_reference(broken)
    [violation] = shape.value.violations
    assert violation.code == "document.sha256_format"
    assert violation.record == f"DocumentReference/{resource['id']}"
    broken = copy.deepcopy(resource)
    broken["context"]["encounter"][0]["reference"] = "Encounter/x"
    with pytest.raises(InvalidBundle, match="not an EpisodeOfCare"):
        document_from_reference(broken)


def test_the_resource_is_a_valid_r4_document_reference() -> None:
    models = pytest.importorskip("fhir.resources.R4B.documentreference")
    models.DocumentReference.model_validate(document_reference(_document(), content=PDF))
