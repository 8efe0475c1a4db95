"""The storage ports: what every store offers, and what every store does the same way.

A :class:`Store` is opened from a URL by :func:`open_store`.  Work on it happens in a
:class:`UnitOfWork`, a context manager whose repositories (``bodies``, ``children``,
``families``, ``cases``, ``referrals``) add, read, update and search records; when the ``with``
block ends normally everything is committed, when it raises nothing is::

    with open_store("memory://") as store:
        with store.unit_of_work() as uow:
            child = uow.children.add(child)
            case = uow.cases.add(case)  # number assigned, e.g. "SAL-2026-000001"

What must not differ between stores lives here, in the base classes, so that adapters stay thin
and cannot diverge: the version checks of optimistic concurrency, validation of every record on
its way in (:func:`wladna_core.rules.validate` with a context that sees the stored records and
those added earlier in the same unit of work), case numbering, the single-use life of a unit of
work, and rolling everything back after any refused write.  An adapter implements the few
``_``-prefixed abstract methods (:meth:`Repository._insert`, :meth:`Repository._load`,
:meth:`Repository._replace`, :meth:`Repository._select`, ...) and nothing else.

Records travel through :mod:`wladna_core.convert`: what a store keeps is exactly what
:func:`~wladna_core.convert.unstructure` produces, and what it returns is structured back from it.
"""

from __future__ import annotations

import abc
import contextlib
import enum
import functools
import types
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, Self, TypeVar, cast, overload

import attrs

from wladna_core.audit import AuditDraft, AuditEntry, chain, check_drafts, entry_text
from wladna_core.convert import json_payload, structure, unstructure
from wladna_core.errors import InvalidRecord, InvariantError, Severity, Violation, WladnaError
from wladna_core.model import Case, Child, Family, Gazetteer, Referral, TerritorialBody
from wladna_core.model._checks import text_problem
from wladna_core.rules import RuleSet, Validator, catalogue, record_label
from wladna_core.storage.builtin_kinds import BUILTIN_KINDS
from wladna_core.storage.kinds import KindRegistry, RecordKind
from wladna_core.storage.query import CaseQuery, Query

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Sequence
    from types import TracebackType

    import pluggy

    from wladna_core.storage.context import StoreContext

__all__ = [
    "ALLOW_RESET",
    "KNOWN_SCHEMES",
    "REPOSITORY_NAMES",
    "Aggregate",
    "AuditLog",
    "ConcurrencyConflict",
    "NotFound",
    "Record",
    "Repository",
    "Row",
    "Store",
    "StoreEnvironment",
    "StoreError",
    "UnitOfWork",
    "UnsupportedStoreURL",
    "redact_url",
]


class Record(Protocol):
    """What the ports need of a stored record: an id and a version (all model entities)."""

    @property
    def id(self) -> str:
        """The record's identifier."""

    @property
    def version(self) -> int:
        """How many times the record was saved (0 before its first save)."""


#: A record type a store keeps: TerritorialBody, Child, Family, Case or Referral.
T = TypeVar("T", bound=Record)

#: What an aggregate query computes (for reports: grouped rows).
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Aggregate(Protocol[R_co]):
    """A computation over a store's records, for :meth:`Store.aggregate` (reports).

    :meth:`compute` is the reference path: plain Python over the records that
    :meth:`Repository.iter` streams, which every store can run.  A store may compute the same
    result its own way: the SQL store compiles queries that also offer ``compute_sql`` (see
    :class:`wladna_core.storage.sql.reporting.SqlAggregate`) into grouped SQL.
    """

    def compute(self, unit_of_work: UnitOfWork) -> R_co:
        """Return the result, reading the records through ``unit_of_work``'s repositories."""


#: The URL shapes of the stores shipped with wladna_core.  The error for a URL no store opens
#: lists those every installed store declares (``wladna_store_schemes``), these included.
KNOWN_SCHEMES: Final[tuple[str, ...]] = (
    "memory://",
    "sqlite:///<path>",
    "sqlite://",
    "postgresql+psycopg://<user>@<host>/<database>",
)

#: The setting that allows :meth:`Store.reset`; never set it on a store holding real records.
ALLOW_RESET: Final = "allow_reset"

#: The unit of work's attribute holding each built-in record type's repository (its table's
#: name); other kinds are reached with :meth:`UnitOfWork.repository`.
REPOSITORY_NAMES: Final[Mapping[type, str]] = types.MappingProxyType(
    {kind.record_type: kind.table for kind in BUILTIN_KINDS}
)


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``, fit for messages and logs."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username or ''}:***@{host}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


# Errors --------------------------------------------------------------------------------------


class StoreError(WladnaError):
    """A store could not do what was asked; the message names the record and what to do."""


# Characters of an id quoted in an error message; a longer one is cut.
_ID_SHOWN: Final = 100


class NotFound(StoreError, LookupError):
    """No record of this type has this id in the store.

    :param record_type: the record class's name, e.g. ``Case``.
    :param record_id: the id that was looked up.
    """

    def __init__(self, record_type: str, record_id: str) -> None:
        self.record_type = record_type
        self.record_id = record_id
        shown = repr(record_id if len(record_id) <= _ID_SHOWN else record_id[:_ID_SHOWN] + "…")
        super().__init__(
            f"no {record_type} with id {shown} is stored; check the id, or add the "
            f"{record_type} before reading or updating it"
        )

    def __reduce__(self) -> tuple[type[NotFound], tuple[str, str]]:
        return (type(self), (self.record_type, self.record_id))


class ConcurrencyConflict(StoreError):
    """Someone else saved the record since it was read: the change would overwrite theirs.

    :param record_type: the record class's name, e.g. ``Case``.
    :param record_id: the record's id.
    :param expected_version: the version the change was made on.
    :param stored_version: the version in the store now (``None`` if it has disappeared).
    """

    def __init__(
        self,
        record_type: str,
        record_id: str,
        expected_version: int,
        stored_version: int | None,
    ) -> None:
        self.record_type = record_type
        self.record_id = record_id
        self.expected_version = expected_version
        self.stored_version = stored_version
        noun = record_type.lower()
        super().__init__(
            f"{record_type} {record_id} was changed by someone else: your change was made on "
            f"version {expected_version}, the stored version is {stored_version}; nothing was "
            f"saved. Reload the {noun} and apply your change again."
        )

    def __reduce__(self) -> tuple[type[ConcurrencyConflict], tuple[str, str, int, int | None]]:
        return (
            type(self),
            (self.record_type, self.record_id, self.expected_version, self.stored_version),
        )


class UnsupportedStoreURL(StoreError, ValueError):
    """No installed store recognises the URL's scheme.

    :param url: the URL asked for (a password in it is never repeated in the message).
    :param known_schemes: the URL shapes that are known to work.
    """

    def __init__(self, url: str, known_schemes: Iterable[str]) -> None:
        self.url = url
        self.known_schemes = tuple(known_schemes)
        meant = _meant_url(url)
        hint = f" (did you mean {redact_url(meant)!r}?)" if meant is not None else ""
        super().__init__(
            f"no installed store opens {redact_url(url)!r}{hint}; use one of "
            f"{', '.join(self.known_schemes)}, or install the plug-in for this scheme"
        )

    def __reduce__(self) -> tuple[type[UnsupportedStoreURL], tuple[str, tuple[str, ...]]]:
        return (type(self), (self.url, self.known_schemes))


def _meant_url(url: str) -> str | None:
    """Return the URL that ``url`` probably meant, for the two slips most often made.

    A bare file path (``wladna.db``, ``/srv/wladna.db``) is a SQLite file; ``postgres://`` and
    ``postgresql://`` name PostgreSQL without the driver the store uses (psycopg 3).
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        if url.strip() and not any(character in url for character in ":?#"):
            return f"sqlite:///{url}"
        return None
    if scheme.lower() in {"postgres", "postgresql", "postgresql+psycopg2", "psql", "pg"}:
        return f"postgresql+psycopg://{rest}"
    return None


# What a store is given -------------------------------------------------------------------------


def _no_case_number(_case: Case, _province: str, _year: int, _sequence: int) -> str | None:
    return None


@attrs.frozen
class StoreEnvironment:
    """What a store needs of the deployment, handed to it by the composition root.

    The store never asks the plug-in manager: :func:`wladna_core.storage.open_store` (or
    :meth:`wladna_core.Wladna.open`) collects these from the plug-ins
    (:func:`wladna_core.plugins.store_environment`) and gives them to the adapter.

    :param rules: the rules every record is validated against on its way in.
    :param gazetteer: the territories that territory filters and columns are resolved in.
    :param kinds: the kinds of record the store keeps.
    :param case_number: returns a new case's number from ``(case, province, year, sequence)``,
        or ``None`` for the default format (the ``wladna_case_number`` hook).
    """

    rules: RuleSet
    gazetteer: Gazetteer
    kinds: KindRegistry
    case_number: Callable[[Case, str, int, int], str | None] = attrs.field(
        default=_no_case_number, eq=False
    )

    @classmethod
    def builtin(cls) -> StoreEnvironment:
        """Return the environment of a store without plug-ins: the built-in rules, kinds, places."""
        return cls(RuleSet(catalogue()), Gazetteer.morocco(), KindRegistry(BUILTIN_KINDS))

    @property
    def migrations(self) -> tuple[str, ...]:
        """The modules holding the migrations of the kinds that bring their own."""
        return tuple(sorted({kind.migrations for kind in self.kinds.values() if kind.migrations}))


# Stores ----------------------------------------------------------------------------------------


class Store(abc.ABC):
    """A place where records are kept: the memory store, a SQL database, or a plug-in's.

    Adapters subclass it and implement :meth:`_open_unit_of_work` and :meth:`_reset`, and
    :meth:`_close` when they hold resources.  A store is a context manager that closes itself.

    :param url: the URL the store was opened from.
    :param environment: the rules, territories, kinds of record and case numbering of the
        deployment (:class:`StoreEnvironment`); :func:`~wladna_core.storage.open_store` gives
        it to the adapter's ``wladna_open_store``.  A store made without one has the built-in
        ones (:meth:`StoreEnvironment.builtin`), until ``open_store`` sets it.
    :param plugins: the plug-in manager that opened the store, for an adapter's own use; the
        ports never read it.
    :param settings: deployment settings; :data:`ALLOW_RESET` enables :meth:`reset`.
    :param clock: gives "today" for validation; :meth:`datetime.date.today` when omitted.
    """

    def __init__(
        self,
        url: str,
        *,
        environment: StoreEnvironment | None = None,
        plugins: pluggy.PluginManager | None = None,
        settings: Mapping[str, object] | None = None,
        clock: Callable[[], date] | None = None,
    ) -> None:
        self.url = url
        self.plugins = plugins
        self._environment = environment
        self.settings: Mapping[str, object] = types.MappingProxyType(dict(settings or {}))
        #: Gives the date of validation; :func:`open_store` sets it from its ``clock``.
        self.clock: Callable[[], date] = clock if clock is not None else date.today
        self._closed = False

    def __repr__(self) -> str:
        state = " (closed)" if self._closed else ""
        return f"<{type(self).__name__} {redact_url(self.url)}{state}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def environment(self) -> StoreEnvironment:
        """What the deployment gave the store: rules, territories, kinds, case numbering."""
        if self._environment is None:
            self._environment = StoreEnvironment.builtin()
        return self._environment

    @environment.setter
    def environment(self, environment: StoreEnvironment) -> None:
        self._environment = environment

    @property
    def gazetteer(self) -> Gazetteer:
        """The territories: the shipped gazetteer plus those of ``wladna_territories`` hooks."""
        return self.environment.gazetteer

    @property
    def rules(self) -> RuleSet:
        """The rules every record is validated against: built-in and ``wladna_rules`` hooks."""
        return self.environment.rules

    @property
    def kinds(self) -> KindRegistry:
        """The kinds of record the store keeps: the built-in ones and the plug-ins'."""
        return self.environment.kinds

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def today(self) -> date:
        """Return the date of validation, from :attr:`clock`."""
        today = self.clock()
        if not isinstance(today, date) or isinstance(today, datetime):
            msg = f"the store's clock must return a date, got {type(today).__name__}"
            raise TypeError(msg)
        return today

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """Return a new unit of work, to use once as ``with store.unit_of_work() as uow:``.

        :param read_only: the unit of work only reads; writing in it raises
            :class:`StoreError`.  An adapter may run it as a read transaction: on SQLite it
            never waits for a writer and may be open while the same thread writes in another
            unit of work; on PostgreSQL it reads one snapshot (``REPEATABLE READ``).
        :raises StoreError: if the store is closed.
        """
        self._check_open()
        unit = self._open_unit_of_work()
        unit.read_only = read_only
        return unit

    def aggregate(self, query: Aggregate[R]) -> R:
        """Compute ``query`` (e.g. a report's indicator) over the stored records.

        The reference implementation runs :meth:`Aggregate.compute` in a unit of work that
        writes nothing; adapters override it to compute in the database where they can.

        :raises StoreError: if the store is closed.
        """
        self._check_open()
        with self.unit_of_work(read_only=True) as uow:
            result = query.compute(uow)
            uow.rollback()
        return result

    def audit_entries(
        self,
        after_seq: int = 0,
        *,
        record_id: str | None = None,
        actor_id: str | None = None,
        batch_size: int = 500,
    ) -> Iterator[AuditEntry]:
        """Yield the committed audit entries in order of seq, ``batch_size`` at a time.

        Each batch is read in a short unit of work of its own, so that any number of entries
        can be streamed; entries committed while the iterator is consumed are yielded too.  On
        a SQLite store, do not consume it inside another unit of work of the same thread.

        :param after_seq: only entries whose seq is greater.
        :param record_id: only the entries about this record.
        :param actor_id: only the entries of this actor.
        :param batch_size: entries read at a time (1 or more).
        :raises ValueError: if ``after_seq`` is negative or ``batch_size`` below 1.
        """
        _check_whole("after_seq", after_seq, least=0)
        _check_whole("batch_size", batch_size, least=1)
        self._check_open()
        return self._stream_audit(after_seq, record_id, actor_id, batch_size)

    def _stream_audit(
        self, after_seq: int, record_id: str | None, actor_id: str | None, batch_size: int
    ) -> Iterator[AuditEntry]:
        # Entries whose seq was damaged in the database (1.5, text...) and were given already:
        # a batch starts after a whole seq, so it may read them again; it reads that many more.
        given: set[tuple[str, str]] = set()
        extra = 0
        while True:
            limit = batch_size + extra
            with self.unit_of_work(read_only=True) as uow:
                batch = uow.audit.entries(
                    after_seq, record_id=record_id, actor_id=actor_id, limit=limit
                )
            fresh = [entry for entry in batch if _damaged_key(entry) not in given]
            given.update(key for entry in fresh if (key := _damaged_key(entry)) is not None)
            yield from fresh
            if len(batch) < limit or not fresh:
                return
            wholes = [
                index
                for index, entry in enumerate(batch)
                if type(entry.seq) is int and entry.seq > after_seq
            ]
            if not wholes:
                extra = len(batch)  # every entry read is damaged: read past them next time
                continue
            after_seq = batch[wholes[-1]].seq
            # The entries after the last whole seq are damaged ones, read again next time.
            extra = len(batch) - wholes[-1] - 1

    def close(self) -> None:
        """Release what the store holds (connections, files); calling it again does nothing."""
        if not self._closed:
            self._closed = True
            self._close()

    def reset(self) -> None:
        """Delete every record, case-number counter and audit entry; for test suites only.

        :raises StoreError: unless the store was opened with ``settings={"allow_reset": True}``,
            so that a store holding real records can never be emptied by mistake.
        """
        self._check_open()
        if self.settings.get(ALLOW_RESET) is not True:
            msg = (
                f"{self!r} refuses reset(): it deletes every record, and is allowed only on a "
                f"store opened with settings={{{ALLOW_RESET!r}: True}} (test stores, never real "
                "records)"
            )
            raise StoreError(msg)
        self._reset()

    def _check_open(self) -> None:
        if self._closed:
            msg = f"{self!r} is closed; open the store again with open_store(url)"
            raise StoreError(msg)

    @abc.abstractmethod
    def _open_unit_of_work(self) -> UnitOfWork:
        """Return a new, not yet started, unit of work of this adapter."""

    @abc.abstractmethod
    def _reset(self) -> None:
        """Delete every record, case-number counter and audit entry, at once.

        Called by :meth:`reset` once it has checked :data:`ALLOW_RESET`; the store stays open
        and usable, its audit trail starting again from seq 1.
        """

    def _close(self) -> None:  # noqa: B027 (optional hook: stores without resources keep it)
        """Release the adapter's resources; called once."""


# Units of work ---------------------------------------------------------------------------------


class _State(enum.Enum):
    NEW = "not started"
    ACTIVE = "active"
    COMMITTED = "committed"
    ROLLED_BACK = "rolled back"
    FAILED = "rolled back after an error"


class UnitOfWork(abc.ABC):
    """One all-or-nothing piece of work on a store: everything in it is saved, or nothing is.

    Use it once, as a context manager: when the ``with`` block ends normally the work is
    committed, when it raises everything is rolled back.  :meth:`commit` may be called inside the
    block (the end of the block then commits nothing more).  A write that is refused
    (:class:`~wladna_core.errors.InvalidRecord`, :class:`ConcurrencyConflict`, :class:`NotFound`
    on update) rolls the whole unit of work back at once, including earlier writes: if the block
    catches the error and ends normally anyway, leaving it raises :class:`StoreError`, so that a
    partial piece of work is never taken for a saved one.

    A unit of work belongs to one thread.  Adapters subclass it and implement
    :meth:`_repository`, :meth:`_commit`, :meth:`_rollback`, :meth:`_next_case_sequence`, the
    audit trail's :meth:`_audit_lock`, :meth:`_audit_last`, :meth:`_audit_insert` and
    :meth:`_audit_select`, and :meth:`_begin` when they start a transaction.  ``__init__`` calls
    :meth:`_repository` once per record type, in the order of :data:`REPOSITORY_NAMES`, before
    anything else of the adapter: set up what it needs before calling ``super().__init__``.

    :ivar warnings: the warning-level violations of the records written so far; they did not
        refuse the records, but a person should look at them.
    :ivar audit: the audit log (:class:`AuditLog`): entries appended to it are committed or
        rolled back with the rest of the unit of work.
    :ivar read_only: whether the unit of work only reads (``store.unit_of_work(read_only=True)``);
        an adapter reads it in :meth:`_begin`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.warnings: list[Violation] = []
        self.read_only = False
        self._state = _State.NEW
        self._failure: BaseException | None = None
        self._repositories: dict[type, Repository[Any]] = {}
        self.audit = AuditLog(self)

    @property
    def bodies(self) -> Repository[TerritorialBody]:
        """The territorial bodies."""
        return self.repository(TerritorialBody)

    @property
    def children(self) -> Repository[Child]:
        """The children."""
        return self.repository(Child)

    @property
    def families(self) -> Repository[Family]:
        """The families (households)."""
        return self.repository(Family)

    @property
    def cases(self) -> Repository[Case]:
        """The cases."""
        return self.repository(Case)

    @property
    def referrals(self) -> Repository[Referral]:
        """The referrals."""
        return self.repository(Referral)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} on {redact_url(self.store.url)}: {self._state.value}>"

    def __enter__(self) -> Self:
        if self._state is not _State.NEW:
            msg = f"{self!r} was already used; a unit of work is single use: open a new one"
            raise StoreError(msg)
        self._state = _State.ACTIVE
        with self._guard():
            self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None:
            if self._state is _State.ACTIVE:
                self._fail(exc)
            return
        if self._state is _State.ACTIVE:
            self.commit()
        elif self._state is _State.FAILED:
            msg = (
                f"the unit of work was rolled back because of an earlier error ({self._failure}); "
                "nothing in it was saved. Mend the cause and do the whole piece of work again "
                "in a new unit of work."
            )
            raise StoreError(msg) from self._failure

    @overload
    def repository(self, record_type: type[T]) -> Repository[T]: ...

    @overload
    def repository(self, record_type: RecordKind[T]) -> Repository[T]: ...

    def repository(self, record_type: type[T] | RecordKind[T]) -> Repository[T]:
        """Return the repository of a kind of record, by its class or its declaration.

        ``uow.repository(Case) is uow.cases``; a plug-in's kind is reached the same way
        (``uow.repository(TrainingSession)``).

        :raises TypeError: if the store keeps no such kind (no plug-in declares it).
        """
        wanted = record_type.record_type if isinstance(record_type, RecordKind) else record_type
        found = self._repositories.get(wanted)
        if found is None:
            kinds = self.store.kinds
            if wanted not in kinds or (
                isinstance(record_type, RecordKind) and kinds[wanted] != record_type
            ):
                known = ", ".join(kind.__name__ for kind in kinds)
                msg = (
                    f"a store keeps {known}; it has no repository of {wanted!r}: declare the "
                    "kind with the wladna_record_kinds hook of an installed plug-in"
                )
                raise TypeError(msg)
            found = self._repositories[wanted] = self._repository(wanted)
        return cast("Repository[T]", found)

    @property
    def active(self) -> bool:
        """Whether the unit of work has started and is neither committed nor rolled back."""
        return self._state is _State.ACTIVE

    def commit(self) -> None:
        """Save everything done in this unit of work, at once.

        :raises StoreError: if the unit of work is not active.
        :raises ConcurrencyConflict: if another unit of work saved a record this one changes
            (stores that detect it at commit); nothing is saved then.
        """
        self._require_active()
        with self._guard():
            self._commit()
        self._state = _State.COMMITTED

    def rollback(self) -> None:
        """Undo everything done in this unit of work; does nothing once it has ended."""
        if self._state is _State.ACTIVE:
            self._state = _State.ROLLED_BACK
            self._rollback()

    def _require_active(self) -> None:
        if self._state is _State.ACTIVE:
            return
        if self._state is _State.NEW:
            msg = "start the unit of work first: with store.unit_of_work() as uow: ..."
        elif self._state is _State.FAILED:
            msg = (
                f"the unit of work was rolled back because of an earlier error "
                f"({self._failure}); open a new unit of work and do the work again"
            )
        else:
            msg = f"the unit of work is {self._state.value}; a unit of work is single use"
        raise StoreError(msg)

    def _require_writable(self) -> None:
        if self.read_only:
            msg = (
                "this unit of work was opened with read_only=True and cannot write; open "
                "store.unit_of_work() without it to add, update or audit"
            )
            raise StoreError(msg)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Run adapter work; any error rolls the whole unit of work back before it propagates."""
        self._require_active()
        try:
            yield
        except BaseException as exc:
            self._fail(exc)
            raise

    def _fail(self, exc: BaseException) -> None:
        if self._state is not _State.ACTIVE:
            return
        self._state = _State.FAILED
        self._failure = exc
        try:
            self._rollback()
        except Exception as rollback_error:
            exc.add_note(f"rolling the unit of work back failed too: {rollback_error!r}")

    def _context(self, record_type: type | None = None) -> StoreContext:
        """Return the rules' context reading this unit of work, for records of ``record_type``.

        A kind that declares its own context (:attr:`RecordKind.context`) gets it, so that its
        rules can look up the records of related kinds; every other kind gets the store's.
        """
        from wladna_core.storage.context import StoreContext  # noqa: PLC0415 (imports us)

        kind = None if record_type is None else self.store.kinds.get(record_type)
        if kind is not None and kind.context is not None:
            made = kind.context(self)
            if not isinstance(made, StoreContext):
                msg = (
                    f"the context of the kind of record {kind.name!r} must be a StoreContext, "
                    f"got {type(made).__name__}; fix the plug-in's RecordKind(context=...)"
                )
                raise TypeError(msg)
            return made
        return StoreContext(self)

    def _begin(self) -> None:  # noqa: B027 (optional hook: stores without transactions keep it)
        """Start the adapter's transaction; called once, when the ``with`` block is entered."""

    @abc.abstractmethod
    def _repository(self, record_type: type[T]) -> Repository[T]:
        """Return this adapter's repository of ``record_type``, bound to this unit of work."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Make every write of this unit of work durable and visible, at once, and release it."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Discard every write of this unit of work and release it; also after a failed commit."""

    @abc.abstractmethod
    def _next_case_sequence(self, province: str, year: int) -> int:
        """Draw the next case sequence number (from 1) for ``province`` and ``year``.

        Two units of work never draw the same number, even concurrently; a number drawn by a
        unit of work that is rolled back may be lost (gaps are allowed, duplicates never).
        """

    def lock(self, record_type: type[Any], record_id: str) -> None:
        """Make the other units of work that lock the same record wait until this one ends.

        Version checks refuse two changes of one record made at once; they cannot see a change
        that depends on other records changing meanwhile: a referral made on a case while
        another unit of work closes it (the closure saw no open referral, the referral saw an
        active case).  A write that depends on what it reads about a record locks the record
        first, then reads it: the casework services lock the case before they refer it, close
        it, transfer it or mark it a duplicate.  A unit of work locking several records locks
        them in one order (e.g. by id), as any two locking in opposite orders would wait for
        each other.

        :raises StoreError: if the unit of work is read-only, or the lock cannot be had.
        """
        with self._guard():
            self._require_writable()
            self._lock(self.store.kinds[record_type].name, record_id)

    def _lock(self, kind: str, record_id: str) -> None:  # noqa: B027 (a hook, empty by default)
        """Hold a lock on the record ``kind``/``record_id`` until this unit of work ends.

        Adapter hook of :meth:`lock`.  The default does nothing, which is right only for an
        adapter whose units of work that write run one at a time (SQLite's ``BEGIN
        IMMEDIATE``); an adapter whose writers run concurrently overrides it.
        """

    @abc.abstractmethod
    def _audit_lock(self) -> None:
        """Make sure no other unit of work appends audit entries until this one ends.

        Called before every append, ahead of :meth:`_audit_last`; the second call in a unit
        of work does nothing.  Without it two units of work would chain entries after the
        same last entry and fork the trail.
        """

    @abc.abstractmethod
    def _audit_last(self) -> AuditEntry | None:
        """Return the last audit entry as this unit of work sees it (its own appends too)."""

    @abc.abstractmethod
    def _audit_insert(self, entries: Sequence[AuditEntry]) -> None:
        """Write new entries (numbered and hashed already) in this unit of work's transaction.

        They become visible to others when the unit of work commits, and vanish if it rolls
        back.  An adapter never changes nor deletes a written entry.
        """

    @abc.abstractmethod
    def _audit_select(
        self,
        after_seq: int,
        *,
        record_id: str | None,
        actor_id: str | None,
        limit: int | None,
    ) -> Sequence[AuditEntry]:
        """Return the entries with seq greater than ``after_seq``, in ascending order of seq.

        Only those of ``record_id`` and of ``actor_id`` when given; at most ``limit`` of them
        (all when ``None``).  Entries are returned as stored, without any check.
        """


class AuditLog:
    """The audit trail as a unit of work writes it: ``uow.audit``.

    Entries are appended after the last stored one, numbered and hashed by
    :func:`wladna_core.audit.chain` (the same for every store), in the unit of work's
    transaction: they are committed with its records, or rolled back with them.  Two units of
    work appending at once take turns, so the chain never forks.  There is no way to change or
    delete an entry.

    :param unit_of_work: the unit of work the entries are written in.
    """

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def __repr__(self) -> str:
        return f"<AuditLog of {self.unit_of_work!r}>"

    def append(self, drafts: Iterable[AuditDraft], at: datetime) -> list[AuditEntry]:
        """Record ``drafts``, in order, as the next entries of the trail.

        :param drafts: the actions to record (:class:`~wladna_core.audit.AuditDraft`).
        :param at: when they happened: a timezone-aware datetime, kept in UTC.
        :returns: the entries as they will be stored once the unit of work commits.
        :raises InvariantError: if ``at`` is not timezone-aware; the unit of work is rolled
            back.
        :raises TypeError: if an item is not an ``AuditDraft``; the unit of work is rolled back.
        """
        uow = self.unit_of_work
        with uow._guard():
            uow._require_writable()
            # Checked before taking the lock, so that a bad call never makes others wait.
            batch = check_drafts(drafts, at)
            if not batch:
                return []
            uow._audit_lock()
            entries = chain(batch, at, after=uow._audit_last())
            uow._audit_insert(entries)
        return entries

    def last(self) -> AuditEntry | None:
        """Return the last entry of the trail as this unit of work sees it, or ``None``."""
        with self.unit_of_work._guard():
            return self.unit_of_work._audit_last()

    def entries(
        self,
        after_seq: int = 0,
        *,
        record_id: str | None = None,
        actor_id: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Return the entries this unit of work sees (its own appends too), in order of seq.

        :param after_seq: only entries whose seq is greater.
        :param record_id: only the entries about this record.
        :param actor_id: only the entries of this actor.
        :param limit: at most this many (all when ``None``).
        :raises ValueError: if ``after_seq`` or ``limit`` is negative.
        """
        _check_whole("after_seq", after_seq, least=0)
        if limit is not None:
            _check_whole("limit", limit, least=0)
            if limit == 0:
                return []
        if not (entry_text(record_id) and entry_text(actor_id)):
            return []  # no entry holds such text: a database could not even look it up
        with self.unit_of_work._guard():
            return list(
                self.unit_of_work._audit_select(
                    after_seq, record_id=record_id, actor_id=actor_id, limit=limit
                )
            )


def _check_whole(name: str, value: object, *, least: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        msg = f"{name} must be a whole number >= {least}, got {value!r}"
        raise ValueError(msg)


# Repositories ----------------------------------------------------------------------------------


class Row(Generic[T]):
    """A record on its way into storage: the record and its converted form.

    :param record: the record, with the version it is stored at.
    :param data: ``wladna_core.convert.unstructure(record)``: exactly what the store keeps;
        computed when first asked for when not given (an adapter writing JSON may encode
        :attr:`record` directly, see :meth:`json_payload`).
    """

    __slots__ = ("_data", "record")

    def __init__(self, record: T, data: Mapping[str, Any] | None = None) -> None:
        self.record = record
        self._data = data

    def __repr__(self) -> str:
        return f"Row({self.record!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return bool(self.record == other.record)

    __hash__ = None  # type: ignore[assignment]

    @property
    def data(self) -> Mapping[str, Any]:
        """The converter's form of the record (``unstructure``): exactly what the store keeps."""
        if self._data is None:
            self._data = unstructure(self.record)
        return self._data

    def json_payload(self) -> Any:
        """Return what a msgspec JSON encoder writes as the JSON of :attr:`data`, quickly.

        The same JSON as encoding :attr:`data` (``wladna_core.convert.dumps``), without
        building the dictionary first.
        """
        if self._data is not None:
            return self._data
        return json_payload(self.record)

    @property
    def id(self) -> str:
        """The record's id."""
        return self.record.id

    @property
    def version(self) -> int:
        """The version the record is stored at."""
        return self.record.version


def _possible_id(record_type: type, record_id: str) -> bool:
    """Whether a record of ``record_type`` could have ``record_id``: its ``id`` field accepts it."""
    if text_problem(record_id, lines=False) is not None:
        return False  # whatever the record type, no store can look such text up
    field = _id_field(record_type)
    if field is None or field.validator is None:
        return True
    try:
        field.validator(None, field, record_id)
    except (InvariantError, TypeError, ValueError):
        return False
    except Exception:  # a validator that needs the record cannot say: look the id up
        return True
    return True


@functools.cache
def _id_field(record_type: type) -> attrs.Attribute[Any] | None:
    if not attrs.has(record_type):
        return None
    return attrs.fields_dict(record_type).get("id")


def _at_version(record: T, version: int) -> T:
    """Return ``record`` as stored at ``version`` (every record type is a frozen attrs class)."""
    return with_field(record, "version", version)


def with_field(record: T, name: str, value: object) -> T:
    """Return ``record`` with the field ``name`` set to ``value``, checked by its validator.

    For what a store sets on a record it stores (its version, a case's number).  The record was
    checked when it was made: only the new value is checked (``attrs.evolve`` would run every
    validator of the record again, for each record a bulk load stores).  The field must be one
    that no check across fields (``__attrs_post_init__``) reads.
    """
    record_type = type(record)
    names = _copied_fields(record_type)
    field = None if names is None else _fields_by_name(record_type).get(name)
    if names is None or field is None or field.converter is not None:
        return cast("T", attrs.evolve(cast("Any", record), **{name: value}))
    if field.validator is not None:
        field.validator(record, field, value)
    copy: T = _copier(record_type)(record)
    object.__setattr__(copy, name, value)
    return copy


@functools.cache
def _copier(record_type: type) -> Callable[[Any], Any]:
    """Return a function copying a record of a slotted attrs class field by field.

    One statement per field, made once per class: a bulk load copies every record it stores.
    """
    names = _copied_fields(record_type) or ()
    lines = ["def copy(record):", "    new = _new(_cls)"]
    lines += [f"    _set(new, {name!r}, record.{name})" for name in names]
    lines.append("    return new")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": record_type}
    namespace["_set"] = object.__setattr__
    exec(compile("\n".join(lines), f"<wladna copy {record_type.__qualname__}>", "exec"), namespace)  # noqa: S102 (code made from the class's own field names)
    return cast("Callable[[Any], Any]", namespace["copy"])


@functools.cache
def _fields_by_name(record_type: type) -> Mapping[str, attrs.Attribute[Any]]:
    return attrs.fields_dict(cast("Any", record_type))


@functools.cache
def _copied_fields(record_type: type) -> tuple[str, ...] | None:
    """Return the fields of a slotted attrs class to copy, or ``None`` to use attrs.evolve."""
    slots = getattr(record_type, "__slots__", None)
    if not attrs.has(record_type) or slots is None or "__dict__" in slots:
        return None
    if any("cached_hash" in slot for slot in slots):
        return None
    return tuple(field.name for field in attrs.fields(record_type))


def _store_violation(code: str, path: str, record: object, message: str, remedy: str) -> Violation:
    return Violation(
        code=code,
        path=path,
        message=message,
        severity=Severity.ERROR,
        record=record_label(record),
        remedy=remedy,
    )


class Repository(abc.ABC, Generic[T]):
    """The records of one type in one unit of work: add, read, update and search them.

    Adapters subclass it and implement :meth:`_existing_ids`, :meth:`_insert`, :meth:`_load`,
    :meth:`_replace`, :meth:`_select` and :meth:`_count`; the public methods, with their checks,
    are the same for every store.

    :param unit_of_work: the unit of work the repository reads and writes in.
    :param record_type: the class of the records.
    """

    def __init__(self, unit_of_work: UnitOfWork, record_type: type[T]) -> None:
        self.unit_of_work = unit_of_work
        self.record_type: type[T] = record_type

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.record_type.__name__}>"

    @property
    def store(self) -> Store:
        """The store of the unit of work."""
        return self.unit_of_work.store

    # Writing -----------------------------------------------------------------------------------

    def add(self, record: T) -> T:
        """Store a new record and return it as stored (version 1; a case gets its number).

        :raises InvalidRecord: if the record breaks an error-level rule, has a version other
            than 0, or has the id of a stored record; the unit of work is rolled back.
        """
        return self.add_many((record,))[0]

    def add_many(self, records: Iterable[T]) -> list[T]:
        """Store new records together and return them as stored, in the same order.

        Each record is checked as by :meth:`add`, seeing the records before it in ``records``;
        the violations of every refused record are reported together.

        :raises InvalidRecord: if any record is refused; none is stored and the unit of work
            is rolled back.
        """
        with self.unit_of_work._guard():
            self.unit_of_work._require_writable()
            batch = list(records)
            for record in batch:
                self._check_type(record)
            errors = self._identity_violations(batch)
            valid: list[T] = []
            warnings: list[Violation] = []
            # The date of validation is read once for the batch, and the context dated once.
            on = self.store.today()
            context = self.unit_of_work._context(self.record_type).as_of(on)
            validator = self._validator(context, on)
            for record in batch:
                if record.version != 0:
                    continue
                refusals, cautions = self._validate(record, validator)
                warnings.extend(cautions)
                if refusals:
                    errors.extend(refusals)
                    continue
                saved = _at_version(record, 1)
                valid.append(saved)
                context.add_pending(saved)
            # New cases are numbered together once validated: the numbers are looked up at once.
            stored, refused = self._numbered(valid)
            errors.extend(refused)
            if errors:
                raise InvalidRecord(self.record_type.__name__, errors)
            if stored:
                self._insert([Row(record) for record in stored])
            self.unit_of_work.warnings.extend(warnings)
        return stored

    def update(self, record: T) -> T:
        """Save a changed record and return it as stored, one version higher.

        ``record.version`` must be the stored version: the version the change was made on.  A
        case keeps the number it was given at its first save.

        :raises NotFound: if no such record is stored.
        :raises ConcurrencyConflict: if the stored version is not ``record.version``.
        :raises InvalidRecord: if the record breaks an error-level rule.
        Any of them rolls the unit of work back.
        """
        with self.unit_of_work._guard():
            self.unit_of_work._require_writable()
            self._check_type(record)
            stored = self._load(record.id)
            if stored is None:
                raise NotFound(self.record_type.__name__, record.id)
            if stored.version != record.version:
                raise ConcurrencyConflict(
                    self.record_type.__name__, record.id, record.version, stored.version
                )
            record, refused = self._number_kept(record, stored)
            if refused is not None:
                raise InvalidRecord(self.record_type.__name__, [refused])
            on = self.store.today()
            context = self.unit_of_work._context(self.record_type).as_of(on)
            errors, warnings = self._validate(record, self._validator(context, on))
            if errors:
                raise InvalidRecord(self.record_type.__name__, errors)
            saved = _at_version(record, record.version + 1)
            if not self._replace(Row(saved), record.version):
                now = self._load(record.id)
                raise ConcurrencyConflict(
                    self.record_type.__name__,
                    record.id,
                    record.version,
                    None if now is None else now.version,
                )
            self.unit_of_work.warnings.extend(warnings)
        return saved

    # Reading -----------------------------------------------------------------------------------

    def get(self, record_id: str) -> T:
        """Return the stored record with this id.

        An id no record of this type can have (text its ``id`` field refuses: a NUL character,
        a lone surrogate, a megabyte of text) is not stored, and is answered so without asking
        the adapter, whose database might fail on it.

        :raises NotFound: if there is none (the unit of work goes on).
        """
        checked = self._checked_id(record_id)
        if not _possible_id(self.record_type, checked):
            raise NotFound(self.record_type.__name__, checked)
        with self.unit_of_work._guard():
            record = self._load(checked)
        if record is None:
            raise NotFound(self.record_type.__name__, record_id)
        return record

    def get_many(self, record_ids: Iterable[str]) -> list[T]:
        """Return the stored records with these ids, in the same order.

        :raises NotFound: for the first id that is not stored.
        """
        return [self.get(record_id) for record_id in record_ids]

    def find(self, query: Query[T] | None = None, *, limit: int | None = None) -> list[T]:
        """Return the records ``query`` selects (all when ``None``), in order of id.

        :param limit: return at most this many (the first ones in order of id).
        """
        self._check_query(query)
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            msg = f"limit must be a whole number >= 0 or None, got {limit!r}"
            raise ValueError(msg)
        if limit == 0:
            return []
        with self.unit_of_work._guard():
            return list(self._select(query, after=None, limit=limit))

    def iter(self, query: Query[T] | None = None, *, batch_size: int = 500) -> Iterator[T]:
        """Yield the records ``query`` selects, in order of id, reading ``batch_size`` at a time.

        Only one batch is held in memory at a time, so any number of records can be streamed.
        The unit of work must stay active while the iterator is consumed.
        """
        self._check_query(query)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            msg = f"batch_size must be a whole number >= 1, got {batch_size!r}"
            raise ValueError(msg)
        return self._stream(query, batch_size)

    def count(self, query: Query[T] | None = None) -> int:
        """Return how many records ``query`` selects (all when ``None``)."""
        self._check_query(query)
        with self.unit_of_work._guard():
            return self._count(query)

    def _stream(self, query: Query[T] | None, batch_size: int) -> Iterator[T]:
        after: str | None = None
        while True:
            with self.unit_of_work._guard():
                batch = list(self._select(query, after=after, limit=batch_size))
            yield from batch
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    # Shared checks -----------------------------------------------------------------------------

    def _check_type(self, record: object) -> None:
        if type(record) is not self.record_type:
            name = self.record_type.__name__
            msg = f"the {name} repository stores {name} records, got {type(record).__name__}"
            raise TypeError(msg)

    def _checked_id(self, record_id: object) -> str:
        if not isinstance(record_id, str):
            msg = f"a record id is a string, got {type(record_id).__name__}"
            raise TypeError(msg)
        return record_id

    def _check_query(self, query: object) -> None:
        if query is None:
            return
        if not isinstance(query, Query) or query.record_type is not self.record_type:
            name = self.record_type.__name__
            msg = f"the {name} repository is searched with a {name}Query, got {query!r}"
            raise TypeError(msg)

    def _identity_violations(self, batch: Sequence[T]) -> list[Violation]:
        """Refuse records whose version is not 0 or whose id is already stored or repeated."""
        name = self.record_type.__name__
        errors: list[Violation] = []
        seen: set[str] = set()
        repeated: set[str] = set()
        for record in batch:
            if record.id in seen:
                repeated.add(record.id)
            seen.add(record.id)
        taken = set(self._existing_ids(seen)) if seen else set()
        reported: set[str] = set()
        for record in batch:
            if record.version != 0:
                errors.append(
                    _store_violation(
                        "store.version_not_new",
                        "$.version",
                        record,
                        f"a new {name} is added at version 0; this one has version "
                        f"{record.version}",
                        "use update() to save a change to a stored record, or add a new "
                        "record made without a version",
                    )
                )
            elif (record.id in taken or record.id in repeated) and record.id not in reported:
                reported.add(record.id)
                errors.append(
                    _store_violation(
                        "store.id_taken",
                        "$.id",
                        record,
                        f"a {name} with id {record.id} is already stored or added twice",
                        "use update() to change the stored record, or give the new record a new id",
                    )
                )
        return errors

    def _numbered(self, records: Sequence[T]) -> tuple[list[T], list[Violation]]:
        """Give new cases their numbers (see :mod:`wladna_core.storage.numbers`).

        :returns: the records that may be stored, and the violations refusing the others.
        """
        if self.record_type is not Case or not records:
            return list(records), []
        from wladna_core.storage.numbers import number_new_cases  # noqa: PLC0415 (imports us)

        cases = cast("Sequence[Case]", records)
        numbered: list[T] = []
        refused: list[Violation] = []
        for case, refusal in number_new_cases(cases, self.unit_of_work):
            if refusal is None:
                numbered.append(cast("T", case))
            else:
                refused.append(refusal)
        return numbered, refused

    def _numbers_taken(self, numbers: Collection[str]) -> Collection[str]:
        """Return those of ``numbers`` that stored cases carry, as this unit of work sees them.

        Called on the case repository when new cases are numbered.  This default asks
        :meth:`_count` about each number; an adapter may look them all up at once.
        """
        return {
            number
            for number in numbers
            if self._count(cast("Query[T]", CaseQuery(number=number))) > 0
        }

    def _number_kept(self, record: T, stored: T) -> tuple[T, Violation | None]:
        """Keep a stored case's number on update."""
        if not isinstance(record, Case) or not isinstance(stored, Case):
            return record, None
        from wladna_core.storage.numbers import keep_case_number  # noqa: PLC0415 (imports us)

        kept, refused = keep_case_number(record, stored)
        return cast("T", kept), refused

    def _validator(self, context: StoreContext, on: date) -> Validator | None:
        """Return the store's rules for this kind, ready to run on ``on`` with ``context``.

        ``None`` for a plug-in's kind without rules: its attrs validators are all there is to
        check.  A batch makes one and checks each of its records with it.
        """
        rules = self.store.rules
        if not rules.for_entity(self.record_type) and self.record_type not in REPOSITORY_NAMES:
            return None
        return Validator(self.record_type, on=on, context=context, rules=rules)

    def _validate(
        self, record: T, validator: Validator | None
    ) -> tuple[list[Violation], list[Violation]]:
        """Run the store's rules (``validator``) on ``record``; return ``(errors, warnings)``."""
        if validator is None:
            return [], []
        found = validator.check(record)
        if not found:
            return found, []
        errors = [violation for violation in found if violation.is_error]
        warnings = [violation for violation in found if not violation.is_error]
        return errors, warnings

    def _structure(self, data: Mapping[str, Any]) -> T:
        """Return the record a store kept as ``data``; for adapters reading rows back.

        :raises StoreError: if the stored data is no longer a valid record (names the record).
        """
        try:
            return structure(data, self.record_type)
        except InvalidRecord as exc:
            record_id = data.get("id", "?")
            msg = (
                f"the stored {self.record_type.__name__} {record_id} cannot be read back: {exc}. "
                "The store holds data this version of wladna_core does not accept; check the "
                "database's migrations (wladna db upgrade)"
            )
            raise StoreError(msg) from exc

    def _exists(self, record_id: str) -> bool:
        """Return whether the record with this id is stored, as this unit of work sees it.

        For the rules' context (:meth:`~wladna_core.rules.Context.has_family`); this default
        asks :meth:`_existing_ids`, and an adapter may answer from what it read ahead.
        """
        return bool(self._existing_ids((record_id,)))

    # What an adapter implements -------------------------------------------------------------

    @abc.abstractmethod
    def _existing_ids(self, record_ids: Collection[str]) -> Collection[str]:
        """Return those of ``record_ids`` that are stored (as seen by this unit of work)."""

    @abc.abstractmethod
    def _insert(self, rows: Sequence[Row[T]]) -> None:
        """Write new rows (checked already: new ids, version 1, valid), in one bulk statement."""

    @abc.abstractmethod
    def _load(self, record_id: str) -> T | None:
        """Return the record with this id as this unit of work sees it, or ``None``."""

    @abc.abstractmethod
    def _replace(self, row: Row[T], expected_version: int) -> bool:
        """Overwrite the stored record if its version is still ``expected_version``.

        :returns: whether it was overwritten; ``False`` when the stored version moved (or the
            record disappeared) since it was loaded.
        """

    @abc.abstractmethod
    def _select(
        self, query: Query[T] | None, *, after: str | None, limit: int | None
    ) -> Iterable[T]:
        """Return the records ``query`` selects whose id is greater than ``after``.

        In ascending order of id, at most ``limit`` of them (all when ``None``); ``query``
        selects exactly what its :meth:`Query.matches` accepts.
        """

    @abc.abstractmethod
    def _count(self, query: Query[T] | None) -> int:
        """Return how many records ``query`` selects."""


def _damaged_key(entry: AuditEntry) -> tuple[str, str] | None:
    """Name an entry whose seq is not a whole number (damaged in the database), else ``None``."""
    if type(entry.seq) is int:
        return None
    return (repr(entry.seq), repr(entry.hash))
