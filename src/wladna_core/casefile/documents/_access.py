"""The documents group's plumbing: :class:`RecordAccess` and :func:`made`.

:class:`~wladna_core.casefile.base.CaseFileBase` reaches records through their case; the
services that take a record's id (resolving a concern, reading a document's content) read the
record, then its case, and refuse as unseen — naming the record asked for — an actor who does
not see the case at all, exactly as a record that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from wladna_core.access import View, refused_unseen
from wladna_core.casefile.base import CaseFileBase
from wladna_core.convert import structure, unstructure
from wladna_core.storage import NotFound
from wladna_core.storage.ports import Record

if TYPE_CHECKING:
    from wladna_core.access import Action
    from wladna_core.model import Case
    from wladna_core.storage import UnitOfWork

__all__ = ["RecordAccess", "changed", "made"]

_R = TypeVar("_R", bound=Record)


class RecordAccess(CaseFileBase):
    """The step "read the record and its case, check access" of the services taking an id."""

    def _record_of_case(
        self, uow: UnitOfWork, record_type: type[_R], record_id: str, action: Action
    ) -> tuple[_R, Case, View]:
        """Return the record, its case and the actor's view, once ``action`` is allowed."""
        record = self._stored(uow, record_type, record_id, action)
        case_id = str(getattr(record, "case_id", ""))
        try:
            case = uow.cases.get(case_id)
        except NotFound:  # a record whose case is gone: as unseen as one that never was
            raise self._unseen(action, record_type.__name__, record.id) from None
        view = self.work._view(uow, case)
        if refused_unseen(action, view):
            raise self._unseen(action, record_type.__name__, record.id)
        self._allow(action, case, view)
        self._allow(action, record, view)
        return record, case, view


def made(record_type: type[_R], **fields: Any) -> _R:
    """Make a record from a service's arguments through the converter.

    Arguments of the wrong shape (an unknown code, a blank title, a media type in capitals)
    are refused together as one :class:`~wladna_core.errors.InvalidRecord` naming each path
    and code, as records read from JSON are.
    """
    plain = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in fields.items()
        if value is not None
    }
    return structure(plain, record_type)


def changed(record: _R, **changes: Any) -> _R:
    """Return ``record`` with ``changes``, refused as :func:`made` refuses bad arguments."""
    plain = unstructure(record)
    plain.update(
        {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in changes.items()
        }
    )
    return structure(
        {name: value for name, value in plain.items() if value is not None}, type(record)
    )
