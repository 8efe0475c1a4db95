"""The rules' context inside a store: lookups read through a unit of work.

Cross-record rules (``case.child_unknown``, ``child.identifier_duplicate``...) ask their
:class:`~wladna_core.rules.Context` about other records.  A :class:`StoreContext` answers from
the unit of work that is writing, so it sees the stored records, the records added or changed
earlier in the same unit of work, and the records before the current one in an ``add_many``
call (``pending``), which are not written yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.rules import Context
from wladna_core.rules.context import NEEDS
from wladna_core.storage.ports import NotFound
from wladna_core.storage.query import ChildQuery, Query, ReferralQuery

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from wladna_core.model import (
        Case,
        Child,
        Family,
        IdentifierScheme,
        Referral,
        TerritorialBody,
    )
    from wladna_core.storage.ports import Repository, T, UnitOfWork

__all__ = ["StoreContext"]


class StoreContext(Context):
    """A :class:`~wladna_core.rules.Context` that reads a unit of work's repositories.

    Every need of :data:`~wladna_core.rules.context.NEEDS` is provided.

    :param unit_of_work: the active unit of work to read through.
    :param pending: records about to be written with the one being validated (earlier items
        of an ``add_many`` call); they count as stored.
    """

    def __init__(self, unit_of_work: UnitOfWork, *, pending: Sequence[object] = ()) -> None:
        super().__init__(gazetteer=unit_of_work.store.gazetteer)
        self._unit_of_work = unit_of_work
        self._pending = tuple(pending)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._unit_of_work!r}, {len(self._pending)} pending>"

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is one of :data:`~wladna_core.rules.context.NEEDS`."""
        return need in NEEDS

    def child(self, child_id: str) -> Child | None:
        """Return the child with this id, or ``None``."""
        return self._lookup(self._unit_of_work.children, child_id)

    def family(self, family_id: str) -> Family | None:
        """Return the family with this id, or ``None``."""
        return self._lookup(self._unit_of_work.families, family_id)

    def body(self, body_id: str) -> TerritorialBody | None:
        """Return the territorial body with this id, or ``None``."""
        return self._lookup(self._unit_of_work.bodies, body_id)

    def case(self, case_id: str) -> Case | None:
        """Return the case with this id, or ``None``."""
        return self._lookup(self._unit_of_work.cases, case_id)

    def children_with_identifier(self, scheme: IdentifierScheme, value: str) -> Sequence[Child]:
        """Return the children carrying ``value`` in ``scheme`` (as written), in order of id."""
        return self._merged(self._unit_of_work.children, ChildQuery(identifier=(scheme, value)))

    def referrals_of_case(self, case_id: str) -> Sequence[Referral]:
        """Return the referrals of the case with this id, in order of id."""
        return self._merged(self._unit_of_work.referrals, ReferralQuery(case_id=case_id))

    def _pending_of(self, record_type: type[T]) -> Iterator[T]:
        for record in self._pending:
            if isinstance(record, record_type):
                yield record

    def _lookup(self, repository: Repository[T], record_id: str) -> T | None:
        for record in self._pending_of(repository.record_type):
            if record.id == record_id:
                return record
        try:
            return repository.get(record_id)
        except NotFound:
            return None

    def _merged(self, repository: Repository[T], query: Query[T]) -> tuple[T, ...]:
        by_id = {record.id: record for record in repository.find(query)}
        gazetteer = self.gazetteer
        for record in self._pending_of(repository.record_type):
            if query.matches(record, gazetteer):
                by_id[record.id] = record
        return tuple(by_id[key] for key in sorted(by_id))
