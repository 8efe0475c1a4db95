"""A document of a case as a FHIR R4 ``DocumentReference``, and back.

:func:`document_reference` writes a :class:`~wladna_core.casefile.documents.Document` as a
``DocumentReference`` of status ``current``: its category in ``type`` (code system
:data:`DOCUMENT_CATEGORY`), its title in ``description``, its sensitivity in ``securityLabel``
(HL7 v3 Confidentiality: ``N``, ``R``, ``V``), its case in ``context.encounter`` (R4 allows an
``EpisodeOfCare`` there, which is how :func:`wladna_fhir.to_bundle` writes a case), and the
file in ``content[0].attachment``: ``contentType``, ``size``, ``title`` and ``url`` (the
document's location, an opaque reference that only the deployment's document store resolves).

**The digest.** FHIR R4 defines ``Attachment.hash`` as the *SHA-1* of the data, base64
encoded; a document's record keeps its *SHA-256* only, and the bytes are not read to export
it.  So the SHA-256 travels, as 64 hexadecimal digits, in the extension
:data:`SHA256_EXTENSION` of the attachment, and ``hash`` is written only when the caller hands
the bytes (``content=``): they are checked against the record's SHA-256 first, then their
SHA-1 is computed for receivers that check ``hash``.  SHA-1 is not collision-resistant: a
receiver that can should check the SHA-256.

The day the document was added and who added it, which ``DocumentReference`` has no exact
element for (``date`` is an instant, ``author`` a reference to a resource), travel in
extensions named by :func:`wladna_fhir.naming.field_extension`.

**A withdrawn document** (:class:`~wladna_core.casefile.documents.Withdrawal`) is written with
the status ``entered-in-error``, as FHIR marks a reference that should never have been made,
and the day, the person and the reason of its withdrawal in three extensions of the same kind.

>>> from datetime import date
>>> from wladna_core.casefile.documents import Document, DocumentCategory
>>> document = Document(
...     case_id="0193a2b4-0000-7000-8000-000000000001", title="Jugement de kafala",
...     category=DocumentCategory.COURT_DECISION, media_type="application/pdf", size=8,
...     sha256="5" * 64, location="sha256:" + "5" * 64, added_on=date(2026, 3, 2),
...     added_by="worker.sale",
... )
>>> resource = document_reference(document)
>>> resource["resourceType"], resource["context"]["encounter"][0]["reference"]
('DocumentReference', 'EpisodeOfCare/0193a2b4-0000-7000-8000-000000000001')
>>> "hash" in resource["content"][0]["attachment"]
False
>>> document_from_reference(resource) == document
True
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Final

import attrs
from wladna_core.casefile.documents import Document, Sensitivity
from wladna_core.convert import structure
from wladna_core.errors import InvalidRecord

from wladna_fhir import naming as uri
from wladna_fhir._reader import Node
from wladna_fhir.errors import InvalidBundle

__all__ = [
    "CONFIDENTIALITY",
    "DOCUMENT_CATEGORY",
    "SHA256_EXTENSION",
    "document_from_reference",
    "document_reference",
]

#: The code system of a document's category (``court_decision``, ``medical_report``...).
DOCUMENT_CATEGORY: Final = f"{uri.BASE}/CodeSystem/document-category"
#: The extension of an ``Attachment`` carrying the SHA-256 of its data, in hexadecimal.
SHA256_EXTENSION: Final = f"{uri.BASE}/StructureDefinition/attachment-sha256"
#: HL7 v3 Confidentiality, the code system of ``securityLabel``.
CONFIDENTIALITY: Final = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

_LABELS: Final = {
    Sensitivity.NORMAL: "N",
    Sensitivity.RESTRICTED: "R",
    Sensitivity.VERY_RESTRICTED: "V",
}
_SENSITIVITIES: Final = {code: sensitivity for sensitivity, code in _LABELS.items()}
_ADDED_ON: Final = uri.field_extension("document", "added_on")
_ADDED_BY: Final = uri.field_extension("document", "added_by")
_WITHDRAWN_ON: Final = uri.field_extension("document", "withdrawn_on")
_WITHDRAWN_BY: Final = uri.field_extension("document", "withdrawn_by")
_WITHDRAWAL_REASON: Final = uri.field_extension("document", "withdrawal_reason")
#: The status of a document withdrawn from its case.
_WITHDRAWN: Final = "entered-in-error"


def document_reference(document: Document, *, content: bytes | None = None) -> dict[str, Any]:
    """Return ``document`` as the JSON of a FHIR R4 ``DocumentReference``.

    :param content: the document's bytes, to write ``Attachment.hash`` (their SHA-1, base64);
        without them there is no ``hash``, and the SHA-256 extension alone identifies the data.
    :raises ValueError: when ``content`` is not the bytes the record describes.
    """
    attachment: dict[str, Any] = {
        "extension": [{"url": SHA256_EXTENSION, "valueString": document.sha256}],
        "contentType": document.media_type,
        "url": document.location,
        "size": document.size,
        "title": document.title,
    }
    if content is not None:
        if hashlib.sha256(content).hexdigest() != document.sha256:
            msg = f"the bytes given are not those of Document {document.id} (SHA-256 differs)"
            raise ValueError(msg)
        attachment["hash"] = base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 (FHIR R4 defines hash as SHA-1)
    extensions: list[dict[str, Any]] = [
        {"url": _ADDED_ON, "valueDate": document.added_on.isoformat()},
        {"url": _ADDED_BY, "valueString": document.added_by},
    ]
    withdrawal = document.withdrawal
    if withdrawal is not None:
        extensions += [
            {"url": _WITHDRAWN_ON, "valueDate": withdrawal.on.isoformat()},
            {"url": _WITHDRAWN_BY, "valueString": withdrawal.by},
            {"url": _WITHDRAWAL_REASON, "valueString": withdrawal.reason},
        ]
    return {
        "resourceType": "DocumentReference",
        "id": document.id,
        "meta": {"versionId": str(document.version)},
        "extension": extensions,
        "status": "current" if withdrawal is None else _WITHDRAWN,
        "type": {"coding": [{"system": DOCUMENT_CATEGORY, "code": document.category.value}]},
        "description": document.title,
        "securityLabel": [
            {"coding": [{"system": CONFIDENTIALITY, "code": _LABELS[document.sensitivity]}]}
        ],
        "content": [{"attachment": attachment}],
        "context": {"encounter": [{"reference": f"EpisodeOfCare/{document.case_id}"}]},
    }


def _extension(node: Node, url: str, key: str) -> str:
    found = next((item for item in node.nodes("extension") if item.data.get("url") == url), None)
    if found is None:
        node.fail(
            "fhir.missing",
            f"the extension {url} is missing",
            "give it; a DocumentReference written by wladna_fhir always has it",
            "extension",
        )
    return found.required_text(key)


def _code(concept: Node, system: str) -> str | None:
    """Return the code of ``system`` in a CodeableConcept, ``None`` when it has none."""
    for coding in concept.nodes("coding"):
        if coding.data.get("system") == system:
            return coding.required_text("code")
    return None


def document_from_reference(resource: dict[str, Any]) -> Document:
    """Read back a ``DocumentReference`` that :func:`document_reference` wrote.

    :raises InvalidBundle: naming the resource, the path and a code — ``fhir.*`` for what FHIR
        data lacks, the record's own (``document.sha256_format``, ``input.enum``...) for what
        the document may not hold.
    """
    node = Node(resource, "$", f"DocumentReference/{resource.get('id')}")
    if node.required_text("resourceType") != "DocumentReference":
        node.fail(
            "fhir.type", "the resource is not a DocumentReference", "give one", "resourceType"
        )
    contents = node.nodes("content")
    if not contents:
        node.fail("fhir.missing", "content is missing", "give the attachment", "content")
    attachment = contents[0].required_node("attachment")
    labels = [_code(label, CONFIDENTIALITY) for label in node.nodes("securityLabel")]
    encounters = node.required_node("context").nodes("encounter")
    if not encounters:
        node.fail("fhir.missing", "context.encounter is missing", "give the case", "context")
    case_type, _, case_id = encounters[0].required_text("reference").partition("/")
    if case_type != "EpisodeOfCare":
        encounters[0].fail(
            "fhir.reference",
            f"the document's case is a {case_type}, not an EpisodeOfCare",
            "refer to the case as EpisodeOfCare/<case id>",
            "reference",
        )
    version = node.required_node("meta").required_text("versionId")
    label = next((code for code in labels if code is not None), "N")
    status = node.required_text("status")
    if status not in {"current", _WITHDRAWN}:
        node.fail(
            "fhir.status",
            f"the status {status!r} is not one wladna_fhir writes",
            f"write 'current', or '{_WITHDRAWN}' for a document withdrawn from its case",
            "status",
        )
    withdrawal = None
    if status == _WITHDRAWN:
        withdrawal = {
            "on": _extension(node, _WITHDRAWN_ON, "valueDate"),
            "by": _extension(node, _WITHDRAWN_BY, "valueString"),
            "reason": _extension(node, _WITHDRAWAL_REASON, "valueString"),
        }
    plain = {
        "id": node.required_text("id"),
        "version": int(version) if version.isdigit() else version,
        "case_id": case_id,
        "title": node.required_text("description"),
        "category": _code(node.required_node("type"), DOCUMENT_CATEGORY),
        "media_type": attachment.required_text("contentType"),
        "size": attachment.data.get("size"),
        "sha256": _extension(attachment, SHA256_EXTENSION, "valueString"),
        "location": attachment.required_text("url"),
        "added_on": _extension(node, _ADDED_ON, "valueDate"),
        "added_by": _extension(node, _ADDED_BY, "valueString"),
        "sensitivity": _SENSITIVITIES.get(label, label),
        "withdrawal": withdrawal,
    }
    try:
        return structure(plain, Document)
    except InvalidRecord as refused:
        raise InvalidBundle(
            attrs.evolve(violation, record=node.record) for violation in refused.violations
        ) from None
