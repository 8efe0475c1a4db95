"""A document of a case, kept by reference: what it is, and how to check its bytes.

A :class:`Document` describes a file attached to a case (an identity paper, a court decision, a
medical report...) and says where its bytes are kept: a ``location`` that only the document
store that gave it understands (:mod:`wladna_core.casefile.documents.storage`).  Its size and
SHA-256 digest (FIPS 180-4) let anyone who reads the bytes check they are the ones described;
:meth:`~wladna_core.casefile.documents.services.DocumentServices.document_content` refuses
bytes that do not match.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any, Final

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model import new_id

__all__ = ["Document", "DocumentCategory", "Sensitivity", "Withdrawal"]

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
# RFC 6838: type "/" subtype, restricted-name characters, in lower case; no parameters.
_MEDIA_TYPE: Final = re.compile(
    r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
)
# A reference such as "sha256:<hex>" or "s3://bucket/key": a scheme, then no white space.
_LOCATION: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


class DocumentCategory(enum.StrEnum):
    """What a document is."""

    #: An identity paper: civil-status act, family booklet, national identity card, passport.
    IDENTITY_PAPER = "identity_paper"
    #: A decision of a court or of the public prosecutor (kafala, placement, protection order).
    COURT_DECISION = "court_decision"
    #: A medical report or certificate.
    MEDICAL_REPORT = "medical_report"
    #: A school record: enrolment, report card, certificate of schooling.
    SCHOOL_RECORD = "school_record"
    #: A social enquiry report (*enquête sociale*).
    SOCIAL_ENQUIRY = "social_enquiry"
    #: A signed form of consent (or the child's assent).
    CONSENT_FORM = "consent_form"
    #: A photograph.
    PHOTO = "photo"
    #: Anything else.
    OTHER = "other"


class Sensitivity(enum.StrEnum):
    """How closely a document is held (after HL7's confidentiality codes N, R, V)."""

    #: Read by the members of the case's body who see the case in full.
    NORMAL = "normal"
    #: As :attr:`NORMAL`; flagged for care in exports and sharing.
    RESTRICTED = "restricted"
    #: Read only by those who work the case: its body's case workers, supervisors and
    #: coordinators (:func:`~wladna_core.access.works_on`); not listed to anyone else.
    VERY_RESTRICTED = "very_restricted"


def _sha256(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    if not _SHA256.fullmatch(value):
        raise InvariantError(
            "document.sha256_format",
            f"{attribute.name} must be a SHA-256 digest: 64 lower-case hexadecimal digits",
            attribute.name,
        )


def _media_type(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    if not _MEDIA_TYPE.fullmatch(value):
        raise InvariantError(
            "document.media_type_format",
            f"{attribute.name} must be a media type in lower case, without parameters, such "
            "as 'application/pdf' or 'image/jpeg'",
            attribute.name,
        )


def _size(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.count(_instance, attribute, value)
    if value == 0:
        raise InvariantError(
            "document.empty", f"{attribute.name} must be 1 or more: a document has bytes", "size"
        )


def _location(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text(2000)(_instance, attribute, value)
    if not _LOCATION.fullmatch(str(value)):
        raise InvariantError(
            "document.location_format",
            f"{attribute.name} must be a reference with a scheme and no spaces, as a "
            "document store gives it (such as 'sha256:<digest>')",
            attribute.name,
        )


@attrs.frozen
class Withdrawal:
    """Why, when and by whom a document was withdrawn from its case.

    A withdrawn document (attached to the wrong case, the wrong file, a copy made in error) is
    no longer listed nor read; its record stays, with this, for the audit.

    :param on: the day it was withdrawn.
    :param by: who withdrew it (an actor's id).
    :param reason: why, in a few words a reviewer will read.
    """

    on: date = attrs.field(validator=check.a_date)
    by: str = attrs.field(validator=check.text(100))
    reason: str = attrs.field(validator=check.text(500))


@attrs.frozen
class Document:
    """A document of a case: its metadata and the reference to its bytes.

    :param case_id: the case.
    :param title: what a person reads in the list of the case's documents.
    :param category: what it is.
    :param media_type: its media type (RFC 6838), lower case: ``application/pdf``,
        ``image/jpeg``.
    :param size: its size in bytes, 1 or more (rule ``document.too_large`` caps it).
    :param sha256: the SHA-256 digest of its bytes, 64 lower-case hexadecimal digits.
    :param location: where its bytes are kept: an opaque reference that the deployment's
        document store gave (``sha256:<digest>`` for the built-in file store).
    :param added_on: the day it was attached.
    :param added_by: who attached it (an actor's id).
    :param sensitivity: how closely it is held.
    :param withdrawal: set once the document is withdrawn from the case
        (:meth:`~wladna_core.casefile.documents.services.DocumentServices.withdraw_document`).
    """

    case_id: str = attrs.field(validator=check.identifier)
    title: str = attrs.field(validator=check.text(500))
    category: DocumentCategory = attrs.field(validator=check.member_of(DocumentCategory))
    media_type: str = attrs.field(validator=_media_type)
    size: int = attrs.field(validator=_size)
    sha256: str = attrs.field(validator=_sha256)
    location: str = attrs.field(validator=_location)
    added_on: date = attrs.field(validator=check.a_date)
    added_by: str = attrs.field(validator=check.text(100))
    sensitivity: Sensitivity = attrs.field(
        default=Sensitivity.NORMAL, validator=check.member_of(Sensitivity)
    )
    withdrawal: Withdrawal | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Withdrawal))
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
