"""The rules' context of the case file: the other records of the same case.

A rule on a case-file record may need the case's other records of a kind (a care arrangement
must not overlap the others of its case; a reunification follows a tracing action).  It names
the need ``"casefile"`` and asks :meth:`CaseFileContext.records_of_case`:

After a transfer, the case that continues a case at another body is the same child's history:
:meth:`CaseFileContext.records_of_history` answers with the records of every case linked to
the record's case by transfers (a care arrangement must not overlap one of the case before).

* :class:`CaseFileContext` answers from the records it is given (pure validation, tests);
* :class:`CaseFileStoreContext` answers from a store's unit of work: the stored records, those
  written earlier in the same unit of work and those before the current one in an ``add_many``
  call.  Every case-file kind names it as its ``context`` (:func:`wladna_core.casefile.kinds.
  case_kind`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

from wladna_core.model import Case
from wladna_core.rules import Context
from wladna_core.rules.context import NEEDS
from wladna_core.storage.context import StoreContext
from wladna_core.storage.ports import Record
from wladna_core.storage.query import CaseQuery

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from wladna_core.storage.ports import UnitOfWork

__all__ = ["CASEFILE_NEEDS", "CaseFileContext", "CaseFileStoreContext"]

#: What a case-file context provides beyond :data:`wladna_core.rules.NEEDS`.
CASEFILE_NEEDS: Final[frozenset[str]] = frozenset({"casefile"})

_R = TypeVar("_R", bound=Record)


def _case_of(record: object) -> str | None:
    case_id = getattr(record, "case_id", None)
    return case_id if isinstance(case_id, str) else None


class CaseFileContext(Context):
    """A rules' context that knows the case-file records it is given.

    :param casefile: the case-file records that exist (of any kind); ``None`` when not known,
        in which case the rules needing them are not run.
    :param kwargs: what :class:`~wladna_core.rules.Context` takes (cases, children...).
    """

    def __init__(self, *, casefile: Iterable[object] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._casefile: dict[tuple[type, str], object] | None = None
        if casefile is not None:
            self._casefile = {}
            for record in casefile:
                self._casefile[(type(record), str(getattr(record, "id", "")))] = record

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is known: ``casefile`` when records were given."""
        if need in CASEFILE_NEEDS:
            return self._casefile is not None
        return super().provides(need)

    def records_of_case(self, record_type: type[_R], case_id: str) -> Sequence[_R]:
        """Return the records of ``record_type`` of the case ``case_id``, in order of id."""
        found = {
            record_id: record
            for (kind, record_id), record in (self._casefile or {}).items()
            if kind is record_type and _case_of(record) == case_id
        }
        return tuple(found[key] for key in sorted(found))  # type: ignore[misc]

    def cases_of_child(self, child_id: str) -> Sequence[Case]:
        """Return the cases of the child, as far as this context knows them."""
        return tuple(case for case in (self._cases or {}).values() if case.child_id == child_id)

    def lineage(self, case_id: str) -> tuple[str, ...]:
        """Return ``case_id`` and the ids of the cases linked to it by transfers, in order of id.

        The cases it continues (transferred to it, and before them) and those continuing it.
        """
        case = self.case(case_id)
        if case is None:
            return (case_id,)
        cases = {other.id: other for other in self.cases_of_child(case.child_id)}
        cases[case.id] = case
        linked = {case.id}
        grew = True
        while grew:
            grew = False
            for other in cases.values():
                if other.id in linked and other.transferred_to in cases:
                    grew = grew or other.transferred_to not in linked
                    linked.add(str(other.transferred_to))
                elif other.id not in linked and other.transferred_to in linked:
                    linked.add(other.id)
                    grew = True
        return tuple(sorted(linked))

    def records_of_history(self, record_type: type[_R], case_id: str) -> Sequence[_R]:
        """Return the records of ``record_type`` of the case and its transfers, in order of id.

        The cases linked to it by transfers are those of :meth:`lineage`.
        """
        found = {
            record.id: record
            for linked in self.lineage(case_id)
            for record in self.records_of_case(record_type, linked)
        }
        return tuple(found[key] for key in sorted(found))


class CaseFileStoreContext(StoreContext, CaseFileContext):
    """A case-file context reading a unit of work (see :class:`CaseFileContext`).

    :param unit_of_work: the active unit of work to read through.
    :param pending: records about to be written with the one being validated.
    """

    def __init__(self, unit_of_work: UnitOfWork, *, pending: Iterable[object] = ()) -> None:
        super().__init__(unit_of_work, pending=pending)

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is a store need or ``casefile``."""
        return need in NEEDS or need in CASEFILE_NEEDS

    def cases_of_child(self, child_id: str) -> Sequence[Case]:
        """Return the stored and pending cases of the child."""
        found: dict[str, Case] = {
            case.id: case for case in self._unit_of_work.cases.find(CaseQuery(child_id=child_id))
        }
        for (pending_type, record_id), record in self._pending.items():
            if pending_type is Case and isinstance(record, Case) and record.child_id == child_id:
                found[record_id] = record
        return tuple(found.values())

    def records_of_case(self, record_type: type[_R], case_id: str) -> Sequence[_R]:
        """Return the stored and pending records of ``record_type`` of the case ``case_id``."""
        kind = self._unit_of_work.store.kinds[record_type]
        repository: Any = self._unit_of_work.repository(record_type)
        stored: dict[str, Any] = {
            record.id: record for record in repository.find(kind.query(case_id=case_id))
        }
        for (pending_type, record_id), record in self._pending.items():
            if pending_type is record_type and _case_of(record) == case_id:
                stored[record_id] = record
        return tuple(stored[key] for key in sorted(stored))
