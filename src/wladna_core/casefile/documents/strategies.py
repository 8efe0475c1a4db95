"""Hypothesis strategies for the documents of cases, valid by construction.

:func:`documents` draws records that pass every rule of
:data:`~wladna_core.casefile.documents.DOCUMENT_RULES` on the day ``on``, with a context that
knows their case (:func:`~wladna_core.casefile.participation.strategies.case_settings`) and the
default document settings; :func:`contents` draws bytes to attach.

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from hypothesis import strategies as st

from wladna_core.casefile.documents.model import (
    Document,
    DocumentCategory,
    Sensitivity,
    Withdrawal,
)
from wladna_core.casefile.documents.settings import DEFAULT_MAX_SIZE
from wladna_core.casefile.participation.strategies import REFERENCE_DATE, notes
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from wladna_core.model import Case

__all__ = ["MEDIA_TYPES", "contents", "documents"]

#: Media types of the documents drawn.
MEDIA_TYPES: Final = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "application/vnd.oasis.opendocument.text",
)


def contents(max_size: int = 2048) -> st.SearchStrategy[bytes]:
    """Draw the bytes of a document: 1 to ``max_size`` bytes."""
    return st.binary(min_size=1, max_size=max_size)


@st.composite
def documents(
    draw: st.DrawFn,
    case: Case | None = None,
    *,
    on: date = REFERENCE_DATE,
    content: bytes | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    withdrawn: bool | None = False,
) -> Document:
    """Draw records of documents, valid on ``on``.

    :param case: the case; its opening day bounds the day the document was added.
    :param content: the bytes described: the size and SHA-256 are theirs.  By default a size
        up to ``max_size`` and a digest are drawn (no bytes exist).
    :param max_size: the largest size drawn.
    :param withdrawn: ``True`` for documents withdrawn from their case (on a day from the day
        they were added to ``on``), ``None`` for either; documents in force by default.
    """
    if content is None:
        size = draw(st.integers(1, max_size))
        digest = draw(st.binary(min_size=32, max_size=32)).hex()
    else:
        size, digest = len(content), hashlib.sha256(content).hexdigest()
    first = on - timedelta(days=3 * 365) if case is None else case.opened_on
    span = max(0, (on - first).days)
    added_on = first + timedelta(days=draw(st.integers(0, span)))
    withdrawal = None
    if withdrawn or (withdrawn is None and draw(st.booleans())):
        withdrawal = Withdrawal(
            on=added_on + timedelta(days=draw(st.integers(0, max(0, (on - added_on).days)))),
            by=draw(st.sampled_from(["worker.sale", "supervisor.sale"])),
            reason=draw(notes(200)),
        )
    return Document(
        case_id=draw(ws.record_ids()) if case is None else case.id,
        title=draw(notes(120)),
        category=draw(st.sampled_from(DocumentCategory)),
        media_type=draw(st.sampled_from(MEDIA_TYPES)),
        size=size,
        sha256=digest,
        location="sha256:" + digest,
        added_on=added_on,
        added_by=draw(st.sampled_from(["worker.sale", "supervisor.sale"])),
        sensitivity=draw(st.sampled_from(Sensitivity)),
        withdrawal=withdrawal,
    )
