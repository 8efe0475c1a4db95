"""The plumbing the case file's services share, built on the casework services' own.

:class:`CaseFileBase` is the root of :class:`~wladna_core.casefile.CaseFile`: each group of
kinds (services delivered, approvals, incidents...) adds its services as a mixin over it.  It
holds the :class:`~wladna_core.services.CaseWork` of the actor and does every step through it,
so that the case file's services follow the casework's order and guarantees exactly:

1. open a unit of work and read the case (:meth:`CaseFileBase._case`) or the record
   (:meth:`CaseFileBase._stored`) — an id that does not exist and one the actor does not see
   are refused alike (:func:`~wladna_core.access.unseen_refusal`);
2. check access against the built-in roles and views (:data:`~wladna_core.access.
   ROLE_ACTIONS`), then the ``wladna_authorize`` plug-ins;
3. store the record (the store runs the rules and refuses it whole);
4. append the audit entries — one per record written (:meth:`CaseFileBase._add`,
   :meth:`CaseFileBase._update`) and one per record of personal data read
   (:meth:`CaseFileBase._audit_reads`) — in the same unit of work, and commit.

A refusal raises :class:`~wladna_core.access.AccessDenied` and is audited.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Final, TypeVar

from wladna_core.access import Action, View, may, unseen_refusal, works_on
from wladna_core.convert import structure, unstructure
from wladna_core.errors import InvalidRecord
from wladna_core.model import Case
from wladna_core.rules import Validator
from wladna_core.storage import CaseQuery, ConcurrencyConflict, NotFound
from wladna_core.storage.ports import Record

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from wladna_core.access import AccessDenied, Actor
    from wladna_core.app import Wladna
    from wladna_core.services import CaseWork, Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["WORKED_ONLY", "CaseFileBase", "changed", "made"]

#: The actions on records that only those who work the case may see (its incidents): for them,
#: seeing the case in full is not enough; the actor must work it (:func:`~wladna_core.access.
#: works_on`).
WORKED_ONLY: Final = frozenset({Action.INCIDENT_READ, Action.INCIDENT_RECORD})

T = TypeVar("T")
_R = TypeVar("_R", bound=Record)


class CaseFileBase:
    """The services of the case file for one actor; get them as ``work.casefile``.

    :param work: the actor's casework services (:meth:`wladna_core.Wladna.as_actor`).
    """

    def __init__(self, work: CaseWork) -> None:
        self.work = work

    def __repr__(self) -> str:
        return f"<CaseFile for {self.actor}>"

    @property
    def wladna(self) -> Wladna:
        """The application."""
        return self.work.wladna

    @property
    def actor(self) -> Actor:
        """Who acts."""
        return self.work.actor

    # --- plumbing, for the mixins ------------------------------------------------------------

    def _on(self, on: date | None) -> date:
        return self.wladna.today() if on is None else on

    def _write(self, body: Callable[[UnitOfWork, _Work], T]) -> Outcome[T]:
        """Run ``body`` in a unit of work, audit and commit; return the outcome."""
        return self.work._write(body)

    def _read(self, body: Callable[[UnitOfWork, _Work], T]) -> T:
        """Run ``body`` in a unit of work, audit and commit; return what it returns."""
        return self.work._run(body)[0]

    def _unseen(self, action: Action, kind: str, record_id: str) -> AccessDenied:
        return unseen_refusal(self.actor.id, action.value, kind, record_id)

    def _stored(self, uow: UnitOfWork, record_type: type[_R], record_id: str, action: Action) -> _R:
        """Return the stored record; an unknown id is refused like one out of scope."""
        try:
            return uow.repository(record_type).get(record_id)
        except NotFound:
            raise self._unseen(action, record_type.__name__, record_id) from None
        except (TypeError, ValueError):  # an id of the wrong shape: no such record either
            raise self._unseen(action, record_type.__name__, str(record_id)) from None

    def _case(self, uow: UnitOfWork, case_id: str, action: Action) -> tuple[Case, View]:
        """Return the case and the actor's view of it, once ``action`` is allowed on it."""
        case = self._stored(uow, Case, case_id, action)
        view = self.work._view(uow, case)
        self.work._require(action, case, view)
        return case, view

    def _allow(self, action: Action, record: object, view: View) -> None:
        """Check ``action`` on ``record`` (a case-file record) seen with ``view``."""
        self.work._require(action, record, view)

    def _require_works_on(
        self, action: Action, case: Case, record_type: str, record_id: str
    ) -> None:
        """Refuse, as an unseen record, an actor who does not work ``case`` (its body's team)."""
        if not works_on(self.actor, case):
            raise self._unseen(action, record_type, record_id)

    def _sees(self, read: Action, case: Case, view: View) -> bool:
        """Return whether the actor may see the records ``read`` reads on ``case``.

        Any refusal to an actor who may not is the refusal of a record that does not exist,
        whatever else they may do with the case.
        """
        if not may(self.actor, read, view):
            return False
        return read not in WORKED_ONLY or works_on(self.actor, case)

    def _case_for(
        self, uow: UnitOfWork, case_id: str, action: Action, *, read: Action
    ) -> tuple[Case, View]:
        """Return the case and the view, once ``action`` is allowed; refuse as unseen else.

        :param read: the action reading this kind of record on the case: an actor who may not
            read them is refused as if the case did not exist, so that no refusal tells more.
        """
        case = self._stored(uow, Case, case_id, action)
        view = self.work._view(uow, case)
        if not self._sees(read, case, view):
            raise self._unseen(action, "Case", case_id)
        self._allow(action, case, view)
        return case, view

    def _record_of_case(
        self,
        uow: UnitOfWork,
        record_type: type[_R],
        record_id: str,
        action: Action,
        *,
        read: Action,
        through_transfers: bool = True,
        shown: Callable[[_R, Case], bool] | None = None,
    ) -> tuple[_R, Case, View]:
        """Return a record, the case it is seen through and the view, once ``action`` is allowed.

        The record is seen through its own case or, after transfers, through a case that
        continues it (:meth:`_seen_through`); ``through_transfers=False`` asks for its own case.
        An actor who may not read records of this kind on either (``read``), or to whom
        ``shown`` says the record is not shown (a very restricted document), is refused exactly
        as for a record that does not exist, naming the record asked for — before anything
        else is checked, so that no other refusal tells the record exists.
        """
        record = self._stored(uow, record_type, record_id, action)
        try:
            own = uow.cases.get(str(getattr(record, "case_id", "")))
        except NotFound:  # a record whose case is gone: as unseen as one that never was
            raise self._unseen(action, record_type.__name__, record_id) from None
        seen = self._seen_through(uow, own, read, through_transfers=through_transfers)
        if seen is None:
            raise self._unseen(action, record_type.__name__, record_id)
        case, view = seen
        if shown is not None and not shown(record, case):
            raise self._unseen(action, record_type.__name__, record_id)
        self._allow(action, case, view)
        self._allow(action, record, view)
        return record, case, view

    @staticmethod
    def _at_version(record: _R, expected_version: int | None) -> _R:
        """Return ``record`` if it is at ``expected_version`` (``None``: any version).

        :raises TypeError: if ``expected_version`` is not a whole number.
        :raises ConcurrencyConflict: if the record is at another version.
        """
        if expected_version is not None and (
            not isinstance(expected_version, int) or isinstance(expected_version, bool)
        ):
            msg = (
                "expected_version is the version the record was read at, a whole number; "
                f"got {type(expected_version).__name__}"
            )
            raise TypeError(msg)
        if expected_version is not None and record.version != expected_version:
            raise ConcurrencyConflict(
                type(record).__name__, record.id, expected_version, record.version
            )
        return record

    @staticmethod
    def _argument(value: object, record_type: type[_R], name: str) -> _R:
        """Return ``value`` if it is a ``record_type``; raise a clear :class:`TypeError` else."""
        if not isinstance(value, record_type):
            msg = (
                f"{name} must be a {record_type.__name__}, got {type(value).__name__}; "
                f"make one with {record_type.__name__}(...)"
            )
            raise TypeError(msg)
        return value

    def _precheck(self, uow: UnitOfWork, record: object) -> None:
        """Run the store's rules on ``record`` before anything outside the store is done.

        For a service that writes somewhere else first (a document's bytes): a record the
        store would refuse is refused before, so that nothing is left behind.

        :raises InvalidRecord: if a rule of error severity fails.
        """
        store = self.wladna.store
        context = uow._context(type(record))
        checker = Validator(type(record), on=store.today(), context=context, rules=store.rules)
        errors = [violation for violation in checker.check(record) if violation.is_error]
        if errors:
            raise InvalidRecord(type(record).__name__, errors)

    def _add(self, uow: UnitOfWork, work: _Work, action: Action, record: _R) -> _R:
        """Store a new record and audit it."""
        saved = uow.repository(type(record)).add(record)
        work.drafts.append(self.work._draft(action, saved))
        return saved

    def _update(self, uow: UnitOfWork, work: _Work, action: Action, record: _R) -> _R:
        """Store a new version of a record and audit it."""
        saved = uow.repository(type(record)).update(record)
        work.drafts.append(self.work._draft(action, saved))
        return saved

    def _continued_by(self, uow: UnitOfWork, case: Case) -> Iterator[Case]:
        """Yield the cases that continue ``case`` after transfers, the nearest first."""
        seen = {case.id}
        while case.transferred_to is not None and case.transferred_to not in seen:
            try:
                case = uow.cases.get(case.transferred_to)
            except NotFound:
                return
            seen.add(case.id)
            yield case

    def _continues(self, uow: UnitOfWork, case: Case) -> list[Case]:
        """Return ``case``, then the cases it continues after transfers, the nearest first.

        A transfer opens a new case at the receiving body; the case file of the case before it
        (care, incidents, services, documents...) is the child's history, and stays readable
        through the case that continues it.
        """
        earlier = {
            before.transferred_to: before
            for before in uow.cases.find(CaseQuery(child_id=case.child_id))
            if before.transferred_to is not None
        }
        chain, seen = [case], {case.id}
        while (before := earlier.get(chain[-1].id)) is not None and before.id not in seen:
            chain.append(before)
            seen.add(before.id)
        return chain

    def _seen_through(
        self, uow: UnitOfWork, case: Case, read: Action, *, through_transfers: bool = True
    ) -> tuple[Case, View] | None:
        """Return the case through which the actor may ``read`` records of ``case``, and its view.

        ``case`` itself if the actor may; else, after transfers, the nearest case continuing it
        that the actor may; ``None`` if none.
        """
        view = self.work._view(uow, case)
        if self._sees(read, case, view):
            return case, view
        if through_transfers:
            for later in self._continued_by(uow, case):
                view = self.work._view(uow, later)
                if self._sees(read, later, view):
                    return later, view
        return None

    def _of_case(self, uow: UnitOfWork, record_type: type[_R], case_id: str) -> list[_R]:
        """Return the records of ``record_type`` of a case, in order of id."""
        kind = self.wladna.store.kinds[record_type]
        found: list[Any] = uow.repository(record_type).find(kind.query(case_id=case_id))
        return sorted(found, key=lambda record: record.id)

    def _read_of_case(
        self,
        uow: UnitOfWork,
        work: _Work,
        record_type: type[_R],
        case_id: str,
        read: Action,
        *,
        order: Callable[[_R], Any],
        keep: Callable[[_R, Case, View], bool] | None = None,
    ) -> list[_R]:
        """Return the records of ``record_type`` of a case the actor may read, each audited.

        The records of the cases it continues after transfers are the case's too
        (:meth:`_continues`).  The case is refused as unseen to an actor who may not ``read``
        them; the records ``keep`` leaves out (when given) are neither checked nor audited;
        each record kept goes through the access plug-ins, and they come back sorted by
        ``order``.
        """
        case, view = self._case_for(uow, case_id, read, read=read)
        found = [
            record
            for each in self._continues(uow, case)
            for record in self._of_case(uow, record_type, each.id)
            if keep is None or keep(record, case, view)
        ]
        for record in found:
            self._allow(read, record, view)
        self._audit_reads(work, read, found)
        return sorted(found, key=order)

    def _audit_reads(self, work: _Work, action: Action, records: Iterable[object]) -> None:
        """Audit the reading of each record of personal data shown to the actor."""
        work.drafts.extend(self.work._draft(action, record) for record in records)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def made(record_type: type[_R], **fields: Any) -> _R:
    """Make a record from a service's arguments through the converter.

    Arguments of the wrong shape (an unknown code, a blank title, a date of text, a megabyte
    of text, a NUL character) are refused together as one
    :class:`~wladna_core.errors.InvalidRecord` naming each path and code, as records read from
    JSON are.  Arguments left ``None`` take the record's defaults.
    """
    plain = {name: _plain(value) for name, value in fields.items() if value is not None}
    return structure(plain, record_type)


def changed(record: _R, **changes: Any) -> _R:
    """Return ``record`` with ``changes``, refused as :func:`made` refuses bad arguments."""
    plain = unstructure(record)
    plain.update({name: _plain(value) for name, value in changes.items()})
    return structure(
        {name: value for name, value in plain.items() if value is not None}, type(record)
    )
