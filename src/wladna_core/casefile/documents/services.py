"""The services of the documents of cases: :class:`DocumentServices`.

A mixin of :class:`~wladna_core.casefile.CaseFile` (``work.casefile``):

* :meth:`~DocumentServices.attach_document` — case workers and supervisors of the case's body
  (``case.document.attach``): computes the size and SHA-256 of the bytes, refuses a document
  larger than ``documents.max_size`` before keeping any byte, puts the bytes in the
  deployment's document store (``documents.url``), stores the record and audits it;
* :meth:`~DocumentServices.documents` — the members of the body who see the case in full
  (``case.document.read``): the metadata, each record audited;
* :meth:`~DocumentServices.document_content` — the same: the bytes, checked against the
  record's size and SHA-256 (:class:`~wladna_core.casefile.documents.storage.
  DocumentIntegrityError` when they differ, audited as a refusal), audited as a read of
  personal data;
* :meth:`~DocumentServices.withdraw_document` — case workers and supervisors of the case's
  body (``case.document.withdraw``): the document is no longer listed nor read, its record
  kept with who withdrew it, when and why; with ``erase=True``, supervisors alone
  (``case.document.erase``) also erase its bytes from the document store.

A document of :attr:`~wladna_core.casefile.documents.Sensitivity.VERY_RESTRICTED` sensitivity is
for those who work the case (:func:`~wladna_core.access.works_on`) alone: it is not listed to
anyone else, and its content is refused to them as a document that does not exist.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import attrs

from wladna_core.access import Action, works_on
from wladna_core.audit import DENIED, AuditDraft
from wladna_core.casefile.base import CaseFileBase, changed, made
from wladna_core.casefile.documents.context import DocumentContext
from wladna_core.casefile.documents.kinds import DOCUMENT
from wladna_core.casefile.documents.model import (
    Document,
    DocumentCategory,
    Sensitivity,
    Withdrawal,
)
from wladna_core.casefile.documents.rules import TOO_LARGE
from wladna_core.casefile.documents.settings import DocumentSettings
from wladna_core.casefile.documents.storage import (
    DocumentIntegrityError,
    DocumentStore,
    DocumentStoreError,
    ErasingDocumentStore,
    open_document_store,
)
from wladna_core.errors import InvalidRecord, InvariantError, WladnaError
from wladna_core.rules import RuleSet, validate
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.model import Case
    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["DocumentServices", "DocumentWithdrawn"]

# The location a document has before its bytes are kept (never stored).
_PENDING = "pending:"


class DocumentWithdrawn(WladnaError):
    """The content of a withdrawn document was asked for: it is no longer read.

    Told only to an actor who may read the document; anyone else is refused as for a document
    that does not exist.

    :param document: ``Document <id>``.
    :param withdrawal: when, by whom and why it was withdrawn.
    """

    def __init__(self, document: str, withdrawal: Withdrawal) -> None:
        self.document = document
        self.withdrawal = withdrawal
        super().__init__(
            f"{document} was withdrawn from its case on {withdrawal.on.isoformat()} by "
            f"{withdrawal.by} ({withdrawal.reason}): it is no longer read. Attach the right "
            "document if one is needed."
        )

    def __reduce__(self) -> tuple[type[DocumentWithdrawn], tuple[str, Withdrawal]]:
        return (type(self), (self.document, self.withdrawal))


class DocumentServices(CaseFileBase):
    """Attach documents to a case, list them and read their content."""

    @property
    def document_settings(self) -> DocumentSettings:
        """The deployment's document settings (its ``documents`` setting)."""
        return DocumentSettings.from_settings(self.wladna.settings)

    def _document_store(self) -> DocumentStore:
        """Return the deployment's document store (setting ``documents.url``).

        :raises DocumentStoreUnavailable: when none is set, or no plug-in opens its URL.
        """
        return open_document_store(
            self.wladna.plugins, self.document_settings.url, clock=self.wladna.now
        )

    def attach_document(
        self,
        case_id: str,
        content: bytes,
        *,
        title: str,
        category: DocumentCategory,
        media_type: str,
        sensitivity: Sensitivity = Sensitivity.NORMAL,
        on: date | None = None,
    ) -> Outcome[Document]:
        """Attach ``content`` to the case as a document, and return its record.

        :param case_id: the case.
        :param content: the document's bytes.
        :param title: what a person reads in the list of the case's documents.
        :param category: what it is.
        :param media_type: its media type, such as ``application/pdf``.
        :param sensitivity: how closely it is held.
        :param on: the day it is attached; today when omitted.
        :raises AccessDenied: for a case the actor may not attach to, or does not see.
        :raises InvalidRecord: for a record refused: empty content (``document.empty``), a
            media type of the wrong shape, a document too large (``document.too_large``,
            checked before any byte is kept), a rule of the store.
        :raises DocumentStoreError: when no document store is set or it cannot keep the bytes.
        """
        if not isinstance(content, bytes | bytearray | memoryview):  # for callers without types
            msg = f"a document's content is bytes, got {type(content).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        data = bytes(content)
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> Document:
            case, view = self._case_for(
                uow, case_id, Action.DOCUMENT_ATTACH, read=Action.DOCUMENT_READ
            )
            digest = hashlib.sha256(data).hexdigest()
            draft = made(
                Document,
                case_id=case.id,
                title=title,
                category=category,
                media_type=media_type,
                size=len(data),
                sha256=digest,
                location=_PENDING + digest,
                added_on=day,
                added_by=self.actor.id,
                sensitivity=sensitivity,
            )
            self._allow(Action.DOCUMENT_ATTACH, draft, view)
            self._refuse_too_large(draft)
            # The store's rules first: bytes of a record it would refuse are never written.
            self._precheck(uow, draft)
            location = self._document_store().put(data)
            try:
                record = attrs.evolve(draft, location=location)
            except (InvariantError, TypeError) as error:
                msg = f"the document store gave the location {location!r}, unusable: {error}"
                raise DocumentStoreError(msg) from error
            return self._add(uow, work, Action.DOCUMENT_ATTACH, record)

        return self._write(run)

    def documents(self, case_id: str, *, withdrawn: bool = False) -> list[Document]:
        """Return the records of the case's documents (not their bytes), oldest first.

        Very restricted documents are left out for an actor who does not work the case.  Each
        record returned is audited as a read of personal data.

        :param withdrawn: whether the withdrawn documents are listed too (with their
            :class:`~wladna_core.casefile.documents.Withdrawal`), for a review; left out by
            default.
        :raises AccessDenied: for a case the actor does not see in full.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[Document]:
            return self._read_of_case(
                uow,
                work,
                Document,
                case_id,
                Action.DOCUMENT_READ,
                order=lambda document: (document.added_on, document.id),
                keep=lambda document, case, _view: (
                    self._document_shown(document, case)
                    and (withdrawn or document.withdrawal is None)
                ),
            )

        return self._read(run)

    def document_content(self, document_id: str) -> bytes:
        """Return the bytes of a document, once checked against its record's size and SHA-256.

        The read is audited as a read of personal data; bytes that do not match are refused
        and the refusal audited.

        :raises AccessDenied: for a document that does not exist or that the actor may not
            read (alike).
        :raises DocumentIntegrityError: when the bytes kept are not those the record describes.
        :raises DocumentMissing: when the document store holds no bytes at its location.
        """

        def run(uow: UnitOfWork, work: _Work) -> bytes | DocumentIntegrityError:
            document, case, _view = self._record_of_case(
                uow, Document, document_id, Action.DOCUMENT_READ, read=Action.DOCUMENT_READ
            )
            if not self._document_shown(document, case):
                raise self._unseen(Action.DOCUMENT_READ, "Document", document.id)
            if document.withdrawal is not None:
                raise DocumentWithdrawn(f"Document {document.id}", document.withdrawal)
            data = self._document_store().get(document.location)
            found = hashlib.sha256(data).hexdigest()
            if found != document.sha256 or len(data) != document.size:
                error = DocumentIntegrityError(
                    f"Document {document.id}",
                    f"SHA-256 {document.sha256}, {document.size} bytes",
                    f"SHA-256 {found}, {len(data)} bytes",
                )
                work.drafts.append(self._refused_read(document, error))
                return error
            self._audit_reads(work, Action.DOCUMENT_READ, [document])
            return data

        answer = self._read(run)
        if isinstance(answer, DocumentIntegrityError):
            raise answer
        return answer

    def withdraw_document(
        self,
        document_id: str,
        *,
        reason: str,
        erase: bool = False,
        expected_version: int | None = None,
        on: date | None = None,
    ) -> Outcome[Document]:
        """Withdraw a document from its case: it is no longer listed nor read.

        For a document attached to the wrong case, the wrong file, a copy made in error.  The
        record stays, with who withdrew it, when and why (:class:`~wladna_core.casefile.
        documents.Withdrawal`), and the withdrawal is audited (``case.document.withdraw``).

        With ``erase=True`` (supervisors of the case's body alone, ``case.document.erase``),
        the bytes are erased from the document store too, once the withdrawal is committed —
        unless another document in force holds the same bytes (a content-addressed store keeps
        identical files once), when they stay until that one is withdrawn and erased in turn.
        The erasure is audited before it is done.  A document already withdrawn may be asked
        again with ``erase=True``, to erase its bytes then.

        :param reason: why, in a few words a reviewer will read (up to 500 characters).
        :param erase: whether its bytes are erased from the document store as well.
        :param expected_version: the version the actor read (``None``: any); another change
            since is a :class:`~wladna_core.storage.ConcurrencyConflict`.
        :param on: the day of the withdrawal; today when omitted.
        :raises AccessDenied: for a document the actor may not see or that does not exist
            (alike), or may not withdraw or erase.
        :raises TransitionRefused: if it is already withdrawn (and no erasure is asked).
        :raises InvalidRecord: for a blank or too long reason (at ``$.withdrawal.reason``), a
            day before the document was attached (``document.withdrawn_before_added``) or to
            come (``document.withdrawn_in_future``).
        :raises DocumentStoreError: when erasure is asked of a document store that cannot
            erase (before anything is done), or the bytes cannot be erased (the withdrawal
            stays; ask again with ``erase=True``).
        """
        if not isinstance(erase, bool):  # for callers without types
            msg = f"erase is True or False, got {type(erase).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        day = self._on(on)
        eraser = self._erasing_store() if erase else None
        kept: list[bool] = []

        def run(uow: UnitOfWork, work: _Work) -> Document:
            stored, _case, view = self._record_of_case(
                uow,
                Document,
                document_id,
                Action.DOCUMENT_WITHDRAW,
                read=Action.DOCUMENT_READ,
                shown=self._document_shown,
            )
            if erase:
                self._allow(Action.DOCUMENT_ERASE, stored, view)
            self._at_version(stored, expected_version)
            record = stored
            if stored.withdrawal is None:
                withdrawn = changed(
                    stored,
                    withdrawal={"on": day.isoformat(), "by": self.actor.id, "reason": reason},
                )
                record = self._update(uow, work, Action.DOCUMENT_WITHDRAW, withdrawn)
            elif not erase:
                raise TransitionRefused(
                    f"Document {stored.id}",
                    "withdraw",
                    f"it was withdrawn on {stored.withdrawal.on.isoformat()}; ask with "
                    "erase=True to erase its bytes",
                )
            if erase:
                held = self._held_elsewhere(uow, record)
                kept.append(held)
                detail = "bytes kept: another document in force holds them" if held else None
                work.drafts.append(self.work._draft(Action.DOCUMENT_ERASE, record, detail=detail))
            return record

        outcome = self._write(run)
        if eraser is not None and not kept[0]:
            try:
                eraser.delete(outcome.record.location)
            except DocumentStoreError as error:
                msg = (
                    f"Document {outcome.record.id} is withdrawn, but its bytes could not be "
                    f"erased: {error}. Ask again with erase=True once the document store is "
                    "back"
                )
                raise DocumentStoreError(msg) from error
        return outcome

    # --- plumbing ------------------------------------------------------------------------------

    def _erasing_store(self) -> ErasingDocumentStore:
        """Return the deployment's document store, if it can erase bytes.

        :raises DocumentStoreError: if it cannot (or none is set).
        """
        store = self._document_store()
        if not isinstance(store, ErasingDocumentStore):
            msg = (
                f"the document store {type(store).__name__} cannot erase bytes (it has no "
                "delete): withdraw the document without erase=True, and erase its bytes where "
                "the store keeps them"
            )
            raise DocumentStoreError(msg)
        return store

    @staticmethod
    def _held_elsewhere(uow: UnitOfWork, document: Document) -> bool:
        """Return whether another document in force, of any case, has the same bytes kept."""
        return any(
            other.id != document.id
            and other.withdrawal is None
            and other.location == document.location
            for other in uow.repository(Document).find(DOCUMENT.query(sha256=document.sha256))
        )

    def _document_shown(self, document: Document, case: Case) -> bool:
        return document.sensitivity is not Sensitivity.VERY_RESTRICTED or works_on(self.actor, case)

    def _refuse_too_large(self, draft: Document) -> None:
        """Refuse a document too large before keeping any of its bytes (``document.too_large``)."""
        context = DocumentContext(documents=self.document_settings)
        found = validate(draft, on=draft.added_on, context=context, rules=RuleSet([TOO_LARGE]))
        if found:
            raise InvalidRecord("Document", found)

    def _refused_read(self, document: Document, error: DocumentIntegrityError) -> AuditDraft:
        return AuditDraft(
            actor_id=self.actor.id,
            action=Action.DOCUMENT_READ.value,
            record_type="Document",
            record_id=document.id,
            version=document.version,
            outcome=DENIED,
            detail=f"{error.code}: the bytes do not match the record",
        )
