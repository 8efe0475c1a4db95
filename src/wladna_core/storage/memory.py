"""The memory store (``memory://``): the reference implementation of the storage ports.

It keeps every record as the JSON text of the converter's form, exactly what a SQL store keeps
in its ``record`` column, so that it refuses and returns what the SQL stores do.  It is safe to
share between threads: one lock guards the committed records, and each unit of work writes to a
private overlay that is applied at commit in one step, after checking that no record it changes
was saved by someone else meanwhile.

Searches test every record with :meth:`Query.matches <wladna_core.storage.Query.matches>`,
except those the rules make for each record written (a child's identifiers, a case's number, a
case's referrals) and those by any of several items of a declared set (``Match.CONTAINS_ANY``:
the children under a child's blocking keys), which an index narrows down first, as a SQL
store's indexes do.

``memory://`` opens a new, empty store.  ``memory://name`` opens the store of that name in this
process: every store opened with the same name sees the same records while one of them is
referenced.  Nothing survives the process.

The audit trail lives with the records: a unit of work stages the entries it appends and
publishes them when it commits.  The first append of a unit of work takes the store's audit
lock until it ends, so that units of work append one after the other (a unit of work appending
while another one of the same thread holds the lock is refused at once, as it would wait for
itself).
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import threading
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final, Generic

import attrs

from wladna_core.hookspecs import hookimpl
from wladna_core.model import Case, Child, Referral
from wladna_core.storage.kinds import Match, RecordQuery
from wladna_core.storage.ports import (
    ConcurrencyConflict,
    Repository,
    Row,
    Store,
    StoreError,
    T,
    UnitOfWork,
    UnsupportedStoreURL,
)
from wladna_core.storage.query import CaseQuery, ChildQuery, ReferralQuery

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

    import pluggy

    from wladna_core.audit import AuditEntry
    from wladna_core.storage.kinds import RecordKind
    from wladna_core.storage.ports import StoreEnvironment
    from wladna_core.storage.query import Query

__all__ = [
    "SCHEME",
    "URL_SHAPES",
    "MemoryRepository",
    "MemoryStore",
    "MemoryUnitOfWork",
    "is_open",
    "wladna_open_store",
    "wladna_store_schemes",
]

#: The URL scheme of the memory store.
SCHEME: Final = "memory"
#: The shapes of the URLs the memory store opens.
URL_SHAPES: Final = (f"{SCHEME}://", f"{SCHEME}://<name>")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{0,100}$")
# Seconds a unit of work waits for another one's audit lock before it gives up.
_AUDIT_WAIT_SECONDS: Final = 30.0


def _record_keys(record: object) -> Iterator[Hashable]:
    """Yield the index keys of ``record``: what the rules' lookups search it by."""
    if isinstance(record, Child):
        for identifier in record.identifiers:
            yield ("identifier", identifier.scheme, identifier.value)
    elif isinstance(record, Case):
        if record.number is not None:
            yield ("number", record.number)
    elif isinstance(record, Referral):
        yield ("case", record.case_id)


def _item_keys(kind: RecordKind[Any], record: object) -> tuple[Hashable, ...]:
    """Return the index keys of the items ``CONTAINS_ANY`` filters of ``kind`` look up."""
    keys: list[Hashable] = []
    for item in kind.filters.values():
        if item.match is Match.CONTAINS_ANY:
            field = kind.many_field(item.field)
            keys.extend(("item", field.name, values[0]) for values in field.items(record))
    return tuple(keys)


def _query_keys(query: Query[Any] | None) -> list[Hashable] | None:
    """Return the index keys that narrow ``query`` down, or ``None`` to test every record."""
    if isinstance(query, RecordQuery):
        for name, value in query.values.items():
            item = query.kind.filters[name]
            if item.match is Match.CONTAINS_ANY:
                return [("item", item.field, member) for member in sorted(value)]  # type: ignore[call-overload]
    key = _query_key(query)
    return None if key is None else [key]


def _query_key(query: Query[Any] | None) -> Hashable | None:
    """Return the index key that narrows ``query`` down, or ``None`` to test every record."""
    if isinstance(query, ChildQuery) and query.identifier is not None:
        return ("identifier", *query.identifier)
    if isinstance(query, CaseQuery) and query.number is not None:
        return ("number", query.number)
    if isinstance(query, ReferralQuery) and query.case_id is not None:
        return ("case", query.case_id)
    return None


@attrs.frozen
class _Entry(Generic[T]):
    """One stored version of a record: its JSON text, and the record read back from it."""

    text: str
    record: T
    #: Index keys of the record's items that ``CONTAINS_ANY`` filters look up.
    items: tuple[Hashable, ...] = ()

    @property
    def version(self) -> int:
        return self.record.version


class _Table:
    """Records of one type: by id, their ids in ascending order, and their ids by index key.

    The index may list ids whose record no longer has the key (a record changed since); readers
    test every candidate with the query, so it only ever narrows the search.
    """

    def __init__(self) -> None:
        self.rows: dict[str, _Entry[Any]] = {}
        self.order: list[str] = []
        self.keyed: dict[Hashable, set[str]] = {}

    def put(self, record_id: str, entry: _Entry[Any]) -> None:
        if record_id not in self.rows:
            bisect.insort(self.order, record_id)
        self.rows[record_id] = entry
        for key in (*_record_keys(entry.record), *entry.items):
            self.keyed.setdefault(key, set()).add(record_id)

    def ids(self, keys: Iterable[Hashable] | None, after: str | None) -> Iterator[str]:
        """Yield the ids (of records under any of ``keys``, if given) above ``after``, in order."""
        if keys is None:
            chosen = self.order
        else:
            chosen = sorted({found for key in keys for found in self.keyed.get(key, ())})
        start = 0 if after is None else bisect.bisect_right(chosen, after)
        return (chosen[index] for index in range(start, len(chosen)))


class _Data:
    """The committed records of one memory store, its case-number counters and audit trail."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[type, _Table] = {}
        self.counters: dict[tuple[str, int], int] = {}
        # The committed audit entries in order of seq; appended to, never changed.
        self.audit: list[AuditEntry] = []
        # Held by the unit of work that appends audit entries, from its first append to its end.
        self.audit_lock = threading.Lock()
        self.audit_holder: int | None = None
        # Locks of records (UnitOfWork.lock), by kind and id, and the thread holding each.
        self.record_locks: dict[tuple[str, str], threading.Lock] = {}
        self.record_holders: dict[tuple[str, str], int] = {}

    def table(self, record_type: type) -> _Table:
        return self.tables.setdefault(record_type, _Table())

    def clear(self) -> None:
        with self.lock:
            self.tables.clear()
            self.counters.clear()
            self.audit.clear()


_named: weakref.WeakValueDictionary[str, _Data] = weakref.WeakValueDictionary()
_named_lock = threading.Lock()


def _data_for(name: str) -> _Data:
    if not name:
        return _Data()
    with _named_lock:
        data = _named.get(name)
        if data is None:
            data = _Data()
            _named[name] = data
        return data


def is_open(url: str) -> bool:
    """Return whether the memory store ``url`` names is open in this process already.

    An unnamed store (``memory://``) never is: each one is new.

    :raises UnsupportedStoreURL: if ``url`` is not a memory store URL.
    :raises StoreError: if its name is not a valid one.
    """
    name = _store_name(url)
    with _named_lock:
        return bool(name) and name in _named


class MemoryStore(Store):
    """A store in this process's memory, for tests, demonstrations and small tools.

    Open it with :func:`~wladna_core.storage.open_store` (``memory://`` or ``memory://name``).
    It reads the :data:`~wladna_core.storage.ports.ALLOW_RESET` setting and no other.
    """

    def __init__(
        self,
        url: str,
        *,
        environment: StoreEnvironment | None = None,
        plugins: pluggy.PluginManager | None = None,
        settings: Mapping[str, object] | None = None,
    ) -> None:
        name = _store_name(url)
        super().__init__(url, environment=environment, plugins=plugins, settings=settings)
        self._data = _data_for(name)

    def _open_unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    def _reset(self) -> None:
        self._data.clear()


def _store_name(url: str) -> str:
    scheme, separator, name = url.partition("://")
    if scheme != SCHEME or not separator:
        raise UnsupportedStoreURL(url, URL_SHAPES)
    if not _NAME.match(name):
        msg = (
            f"{url!r} is not a memory store URL: the name after memory:// may hold only "
            "letters, digits, '_', '.' and '-' (at most 100), e.g. memory://tests"
        )
        raise StoreError(msg)
    return name


class MemoryUnitOfWork(UnitOfWork):
    """A unit of work on a :class:`MemoryStore`: writes go to an overlay until commit."""

    store: MemoryStore

    def __init__(self, store: MemoryStore) -> None:
        self._data = store._data
        # Records written by this unit of work.
        self._overlay: dict[type, _Table] = {}
        # The committed version each written record had when first written here (None: new).
        self._based_on: dict[tuple[type, str], int | None] = {}
        # Audit entries appended by this unit of work; whether it holds the audit lock.
        self._audit_staged: list[AuditEntry] = []
        self._audit_locked = False
        # The records this unit of work has locked (UnitOfWork.lock), until it ends.
        self._locked: list[tuple[str, str]] = []
        super().__init__(store)

    def _repository(self, record_type: type[T]) -> MemoryRepository[T]:
        return MemoryRepository(self, record_type)

    def _written(self, record_type: type) -> _Table:
        return self._overlay.setdefault(record_type, _Table())

    def _next_case_sequence(self, province: str, year: int) -> int:
        # Drawn at once in the shared counters, never undone: gaps, but never duplicates.
        with self._data.lock:
            sequence = self._data.counters.get((province, year), 0) + 1
            self._data.counters[(province, year)] = sequence
            return sequence

    def _commit(self) -> None:
        with self._data.lock:
            self._check_nothing_moved()
            self._check_case_numbers_free()
            self._check_audit_follows()
            for record_type, written in self._overlay.items():
                table = self._data.table(record_type)
                for record_id, entry in written.rows.items():
                    table.put(record_id, entry)
            self._data.audit.extend(self._audit_staged)
        self._rollback()

    def _check_audit_follows(self) -> None:
        """Refuse staged audit entries that no longer follow the committed trail (a reset)."""
        if not self._audit_staged:
            return
        trail = self._data.audit
        last_seq = trail[-1].seq if trail else 0
        if self._audit_staged[0].seq != last_seq + 1:
            msg = (
                f"the audit trail of {self.store!r} changed while this unit of work held its "
                "lock (the store was reset); nothing was saved. Do the work again"
            )
            raise StoreError(msg)

    def _lock(self, kind: str, record_id: str) -> None:
        key = (kind, record_id)
        if key in self._locked:
            return
        data = self._data
        with data.lock:
            lock = data.record_locks.setdefault(key, threading.Lock())
            if data.record_holders.get(key) == threading.get_ident():
                msg = (
                    f"another unit of work of this thread on {self.store!r} holds the lock of "
                    f"{kind} {record_id} and is still open; this one would wait for it forever. "
                    "Finish the first unit of work before the next"
                )
                raise StoreError(msg)
        if not lock.acquire(timeout=_AUDIT_WAIT_SECONDS):
            msg = (
                f"{self.store!r} is busy: another unit of work has held {kind} {record_id} for "
                f"more than {_AUDIT_WAIT_SECONDS:g} s; nothing was saved. Try again, or keep "
                "units of work short"
            )
            raise StoreError(msg)
        with data.lock:
            data.record_holders[key] = threading.get_ident()
        self._locked.append(key)

    def _release_records(self) -> None:
        data = self._data
        with data.lock:
            for key in self._locked:
                data.record_holders.pop(key, None)
                data.record_locks[key].release()
        self._locked.clear()

    def _audit_lock(self) -> None:
        if self._audit_locked:
            return
        data = self._data
        if data.audit_holder == threading.get_ident():
            msg = (
                f"another unit of work of this thread on {self.store!r} has appended audit "
                "entries and is still open; it holds the audit trail until it ends, so this one "
                "would wait for it forever. Finish the first unit of work before the next"
            )
            raise StoreError(msg)
        if not data.audit_lock.acquire(timeout=_AUDIT_WAIT_SECONDS):
            msg = (
                f"{self.store!r} is busy: another unit of work has held its audit trail for "
                f"more than {_AUDIT_WAIT_SECONDS:g} s; nothing was saved. Try again, or keep "
                "units of work short"
            )
            raise StoreError(msg)
        data.audit_holder = threading.get_ident()
        self._audit_locked = True

    def _audit_last(self) -> AuditEntry | None:
        if self._audit_staged:
            return self._audit_staged[-1]
        with self._data.lock:
            return self._data.audit[-1] if self._data.audit else None

    def _audit_insert(self, entries: Sequence[AuditEntry]) -> None:
        self._audit_staged.extend(entries)

    def _audit_select(
        self,
        after_seq: int,
        *,
        record_id: str | None,
        actor_id: str | None,
        limit: int | None,
    ) -> list[AuditEntry]:
        found: list[AuditEntry] = []
        if limit == 0:
            return found
        with self._data.lock:
            committed = self._data.audit
            start = _first_after(committed, after_seq)
            tail = (committed[index] for index in range(start, len(committed)))
            for entry in _chained(tail, self._audit_staged, after_seq):
                if (record_id is None or entry.record_id == record_id) and (
                    actor_id is None or entry.actor_id == actor_id
                ):
                    found.append(entry)
                    if len(found) == limit:
                        break
        return found

    def _check_nothing_moved(self) -> None:
        for (record_type, record_id), based_on in self._based_on.items():
            current = self._data.table(record_type).rows.get(record_id)
            if based_on is None and current is not None:
                msg = (
                    f"another unit of work stored a {record_type.__name__} with id "
                    f"{record_id} first; nothing was saved. Give the new record a new id"
                )
                raise StoreError(msg)
            if based_on is not None and (current is None or current.version != based_on):
                raise ConcurrencyConflict(
                    record_type.__name__,
                    record_id,
                    based_on,
                    None if current is None else current.version,
                )

    def _check_case_numbers_free(self) -> None:
        """Refuse a number that a unit of work committed meanwhile gave to another case."""
        stored = self._data.table(Case)
        for record_id, entry in self._written(Case).rows.items():
            number = entry.record.number
            for holder in stored.keyed.get(("number", number), ()):
                if holder != record_id and stored.rows[holder].record.number == number:
                    msg = (
                        f"the case number {number} was given to another case by a unit of "
                        "work that committed first; nothing was saved. Do the work again"
                    )
                    raise StoreError(msg)

    def _rollback(self) -> None:
        self._overlay.clear()
        self._based_on.clear()
        self._audit_staged.clear()
        self._release_records()
        if self._audit_locked:
            self._audit_locked = False
            self._data.audit_holder = None
            self._data.audit_lock.release()


def _first_after(trail: list[AuditEntry], after_seq: int) -> int:
    """Return the index of the first committed entry whose seq is greater than ``after_seq``.

    An entry changed behind the store's back may hold a seq that is not a number, or one out
    of order: from the start (``after_seq`` 0) every entry is read as it stands, and past it
    such an entry is read with the entries after it, for verification to report.
    """
    if after_seq <= 0:
        return 0
    try:
        return bisect.bisect_right(trail, after_seq, key=lambda entry: entry.seq)
    except TypeError:
        for index, entry in enumerate(trail):
            seq = entry.seq
            if type(seq) is not int or seq > after_seq:
                return index
        return len(trail)


def _chained(
    committed: Iterable[AuditEntry], staged: Iterable[AuditEntry], after_seq: int
) -> Iterator[AuditEntry]:
    """Yield committed entries, then staged ones, whose seq is greater than ``after_seq``."""
    yield from committed
    yield from (entry for entry in staged if entry.seq > after_seq)


class MemoryRepository(Repository[T]):
    """The records of one type in a :class:`MemoryUnitOfWork`."""

    unit_of_work: MemoryUnitOfWork

    def _written(self) -> _Table:
        return self.unit_of_work._written(self.record_type)

    def _committed(self) -> _Table:
        return self.unit_of_work._data.table(self.record_type)

    def _entry(self, record_id: str) -> _Entry[T] | None:
        written = self._written().rows.get(record_id)
        if written is not None:
            return written
        with self.unit_of_work._data.lock:
            return self._committed().rows.get(record_id)

    def _existing_ids(self, record_ids: Collection[str]) -> Collection[str]:
        written = self._written().rows
        with self.unit_of_work._data.lock:
            committed = self._committed().rows
            return {key for key in record_ids if key in written or key in committed}

    def _insert(self, rows: Sequence[Row[T]]) -> None:
        entries = [(row.id, self._entry_of(row)) for row in rows]
        written = self._written()
        for record_id, entry in entries:
            written.put(record_id, entry)
            self.unit_of_work._based_on.setdefault((self.record_type, record_id), None)

    def _load(self, record_id: str) -> T | None:
        entry = self._entry(record_id)
        return None if entry is None else entry.record

    def _replace(self, row: Row[T], expected_version: int) -> bool:
        current = self._entry(row.id)
        if current is None or current.version != expected_version:
            return False
        entry = self._entry_of(row)
        self.unit_of_work._based_on.setdefault((self.record_type, row.id), expected_version)
        self._written().put(row.id, entry)
        return True

    def _select(self, query: Query[T] | None, *, after: str | None, limit: int | None) -> list[T]:
        gazetteer = self.store.gazetteer
        found: list[T] = []
        if limit == 0:
            return found
        with self.unit_of_work._data.lock:
            for record in self._in_order(query, after):
                if query is None or query.matches(record, gazetteer):
                    found.append(record)
                    if len(found) == limit:
                        break
        return found

    def _count(self, query: Query[T] | None) -> int:
        gazetteer = self.store.gazetteer
        with self.unit_of_work._data.lock:
            return sum(
                1
                for record in self._in_order(query, None)
                if query is None or query.matches(record, gazetteer)
            )

    def _in_order(self, query: Query[T] | None, after: str | None) -> Iterator[T]:
        """Yield the records this unit of work sees with id > ``after``, in order of id.

        Only candidates for ``query``; the caller tests them, and holds the store's lock while
        it consumes the iterator.
        """
        key = _query_keys(query)
        written, committed = self._written(), self._committed()
        previous: str | None = None
        for record_id in heapq.merge(committed.ids(key, after), written.ids(key, after)):
            if record_id == previous:
                continue
            previous = record_id
            entry = written.rows.get(record_id) or committed.rows[record_id]
            yield entry.record

    def _entry_of(self, row: Row[T]) -> _Entry[T]:
        """Keep ``row`` as the SQL stores do: JSON text, read back through the converter."""
        try:
            text = json.dumps(row.data, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            msg = (
                f"the converter's form of {self.record_type.__name__} {row.id} is not JSON "
                f"({exc}); the converter must produce JSON data"
            )
            raise StoreError(msg) from exc
        record = self._structure(json.loads(text))
        kind = self.unit_of_work.store.kinds.get(self.record_type)
        return _Entry(text, record, () if kind is None else _item_keys(kind, record))


@hookimpl
def wladna_open_store(
    url: str,
    settings: Mapping[str, object],
    plugins: pluggy.PluginManager,
    environment: StoreEnvironment,
) -> MemoryStore | None:
    """Open a :class:`MemoryStore` for ``memory://`` URLs; leave other URLs to other plug-ins."""
    if not url.startswith(f"{SCHEME}://"):
        return None
    return MemoryStore(url, environment=environment, plugins=plugins, settings=settings)


@hookimpl
def wladna_store_schemes() -> tuple[str, ...]:
    """Declare the memory store's URLs: ``memory://`` and ``memory://<name>``."""
    return URL_SHAPES
