"""The rules' context inside a store: lookups read through a unit of work.

Cross-record rules (``case.child_unknown``, ``child.identifier_duplicate``...) ask their
:class:`~wladna_core.rules.Context` about other records.  A :class:`StoreContext` answers from
the unit of work that is writing, so it sees the stored records, the records added or changed
earlier in the same unit of work, and the records before the current one in an ``add_many``
call (``pending``), which are not written yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from wladna_core.model import Child, Family, Referral
from wladna_core.programmes import EligibilitySettings
from wladna_core.rules import Context
from wladna_core.rules.context import NEEDS
from wladna_core.rules.settings import CaseRuleSettings
from wladna_core.storage.query import ChildQuery, ReferralQuery

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from wladna_core.model import Case, IdentifierScheme, TerritorialBody
    from wladna_core.storage.ports import Repository, T, UnitOfWork

__all__ = ["StoreContext"]

R = TypeVar("R", Child, Referral)


class StoreContext(Context):
    """A :class:`~wladna_core.rules.Context` that reads a unit of work's repositories.

    Every need of :data:`~wladna_core.rules.context.NEEDS` is provided.

    :param unit_of_work: the active unit of work to read through.
    :param pending: records about to be written with the one being validated (earlier items
        of an ``add_many`` call); they count as stored.  :meth:`add_pending` adds more.
    """

    def __init__(self, unit_of_work: UnitOfWork, *, pending: Iterable[object] = ()) -> None:
        settings = unit_of_work.store.settings
        super().__init__(
            gazetteer=unit_of_work.store.gazetteer,
            case_rules=CaseRuleSettings.from_settings(settings),
            # The deployment's dates of the social programmes (programme_periods), which the
            # rules on referrals judge a programme's period by.
            programmes=EligibilitySettings.from_settings(settings).calendar,
        )
        self._unit_of_work = unit_of_work
        self._pending: dict[tuple[type, str], object] = {}
        self._pending_by_identifier: dict[tuple[IdentifierScheme, str], dict[str, Child]] = {}
        self._pending_by_case: dict[str, dict[str, Referral]] = {}
        self._last: dict[type, tuple[str, object]] = {}
        for record in pending:
            self.add_pending(record)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._unit_of_work!r}, {len(self._pending)} pending>"

    def add_pending(self, record: object) -> None:
        """Count ``record`` as stored from now on (it is about to be written)."""
        record_id = getattr(record, "id", None)
        if not isinstance(record_id, str):
            msg = f"a pending record needs an id, got {type(record).__name__}"
            raise TypeError(msg)
        self._pending[(type(record), record_id)] = record
        if isinstance(record, Child):
            for identifier in record.identifiers:
                key = (identifier.scheme, identifier.value)
                self._pending_by_identifier.setdefault(key, {})[record_id] = record
        elif isinstance(record, Referral):
            self._pending_by_case.setdefault(record.case_id, {})[record_id] = record

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is one of :data:`~wladna_core.rules.context.NEEDS`."""
        return need in NEEDS

    def child(self, child_id: str) -> Child | None:
        """Return the child with this id, or ``None``."""
        return self._lookup(self._unit_of_work.children, child_id)

    def family(self, family_id: str) -> Family | None:
        """Return the family with this id, or ``None``."""
        return self._lookup(self._unit_of_work.families, family_id)

    def has_family(self, family_id: str) -> bool:
        """Return whether the family with this id is stored, without reading it if need be."""
        if isinstance(self._pending.get((Family, family_id)), Family):
            return True
        self._unit_of_work._require_active()
        return self._unit_of_work.families._exists(family_id)

    def body(self, body_id: str) -> TerritorialBody | None:
        """Return the territorial body with this id, or ``None``."""
        return self._lookup(self._unit_of_work.bodies, body_id)

    def case(self, case_id: str) -> Case | None:
        """Return the case with this id, or ``None``."""
        return self._lookup(self._unit_of_work.cases, case_id)

    def children_with_identifier(self, scheme: IdentifierScheme, value: str) -> Sequence[Child]:
        """Return the children carrying ``value`` in ``scheme`` (as written), in order of id."""
        stored = self._unit_of_work.children.find(ChildQuery(identifier=(scheme, value)))
        return _merged(stored, self._pending_by_identifier.get((scheme, value), {}))

    def referrals_of_case(self, case_id: str) -> Sequence[Referral]:
        """Return the referrals of the case with this id, in order of id."""
        stored = self._unit_of_work.referrals.find(ReferralQuery(case_id=case_id))
        return _merged(stored, self._pending_by_case.get(case_id, {}))

    def _lookup(self, repository: Repository[T], record_id: str) -> T | None:
        record_type = repository.record_type
        pending = self._pending.get((record_type, record_id))
        if isinstance(pending, record_type):
            return pending
        # The rules of one record ask for the same child (or case, or body) several times:
        # the last answer of each kind is kept while the records of one kind are checked.
        last = self._last.get(record_type)
        if last is not None and last[0] == record_id:
            return cast("T | None", last[1])
        # The rules run while the unit of work validates a write, inside its guard: read
        # the adapter directly, without a NotFound raised and caught for each unknown id.
        self._unit_of_work._require_active()
        found = repository._load(record_id)
        self._last[record_type] = (record_id, found)
        return found


def _merged(stored: Iterable[R], pending: Mapping[str, R]) -> tuple[R, ...]:
    """Return the stored records with the pending ones (which replace them), in order of id."""
    by_id = {record.id: record for record in stored}
    by_id.update(pending)
    return tuple(by_id[key] for key in sorted(by_id))
