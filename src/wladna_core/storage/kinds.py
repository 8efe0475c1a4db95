"""Kinds of record: what a store keeps, declared once and kept alike by every store.

A :class:`RecordKind` names a record class (a frozen attrs class with ``id`` and ``version``)
and says which of its values searches filter on and reports group by.  Plug-ins declare kinds
through the hook ``wladna_record_kinds``; the five kinds of the information base (bodies,
children, families, cases, referrals) are declared by the core's built-in plug-in
(:mod:`wladna_core.storage.builtin_kinds`) through the same hook.  The composition root
(:meth:`wladna_core.Wladna.open`, :func:`wladna_core.storage.open_store`) collects them into a
:class:`KindRegistry` and hands it to the store, which keeps every kind with the same
guarantees: validation by every rule on the way in, units of work, optimistic versions, the
audit trail, ``find``/``iter``/``count``/``add_many``.  An adapter holds no code per kind: the
memory store evaluates the declared fields, the SQL store makes one table per kind with one
indexed column per declared :class:`Field` and one side table per :class:`ManyField`.

A kind of record in five lines (the record class, the fields, the searches)::

    SESSION = RecordKind(
        name="training_session", record_type=TrainingSession, table="training_sessions",
        fields=(Field("site_id", FieldType.TEXT, lambda s: s.site_id),
                Field("starts_on", FieldType.DATE, lambda s: s.starts_on)),
        filters={"site_id": Filter("site_id", Match.EQUAL),
                 "starts_from": Filter("starts_on", Match.FROM)},
    )

and ``uow.repository(TrainingSession).find(SESSION.query(site_id=...))`` searches it.  SQL
stores create a plug-in kind's table through the plug-in's migrations (``migrations`` below),
which :func:`wladna_core.storage.upgrade` applies with the core's.
"""

from __future__ import annotations

import enum
import keyword
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import attrs

from wladna_core.storage.query import Query, territory_subtree

if TYPE_CHECKING:
    from wladna_core.model import Gazetteer

__all__ = [
    "Field",
    "FieldType",
    "Filter",
    "Index",
    "KindRegistry",
    "ManyField",
    "Match",
    "RecordKind",
    "RecordQuery",
]

R = TypeVar("R")

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Longest text kept in a TEXT column when a field does not say.
DEFAULT_TEXT_LENGTH: Final = 100


class FieldType(enum.Enum):
    """What a declared field holds, and so the column a SQL store gives it."""

    #: A string of at most ``length`` characters (an id, a name, a number).
    TEXT = "text"
    #: An enumeration member, kept as its value (``"high"``, ``"cape"``).
    CODE = "code"
    #: A date.
    DATE = "date"
    #: A whole number.
    INTEGER = "integer"
    #: True or false.
    BOOLEAN = "boolean"
    #: A territory code (ISO 3166-2:MA or a plug-in's); kept with its province and region, so
    #: that "everything in region MA-04" is an indexed equality.
    TERRITORY = "territory"


def _check_name(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _NAME.match(value) or keyword.iskeyword(value):
        msg = (
            f"{attribute.name} must be a lower-case name of letters, digits and underscores "
            f"starting with a letter (at most 63 characters), got {value!r}"
        )
        raise ValueError(msg)


def _column_tuple(value: Iterable[tuple[str, FieldType]]) -> tuple[tuple[str, FieldType], ...]:
    return tuple(value)


def _name_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _field_tuple(value: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(value)


def _many_tuple(value: Iterable[ManyField]) -> tuple[ManyField, ...]:
    return tuple(value)


def _index_tuple(value: Iterable[Index]) -> tuple[Index, ...]:
    return tuple(value)


def _plain(value: object) -> object:
    """Return what a field's value is compared and stored as: an enum member's value."""
    return value.value if isinstance(value, enum.Enum) else value


@attrs.frozen
class Field:
    """A value of a record that searches filter on and reports group by.

    A SQL store keeps it in a column of its own, named ``name`` and indexed; a
    :attr:`FieldType.TERRITORY` field adds the columns ``province`` and ``region``.

    :param name: the column's name (lower case; ``id``, ``version`` and ``record`` are taken).
    :param type: what it holds.
    :param get: returns the value from a record (``None`` when the record has none).
    :param length: the longest text a TEXT field holds (default 100).
    :param nullable: whether a record may have no value.
    :param index: whether a SQL store indexes the column (searches on it need one).
    :param unique: whether two records may not share a value.
    """

    name: str = attrs.field(validator=_check_name)
    type: FieldType = attrs.field(validator=attrs.validators.instance_of(FieldType))
    get: Callable[[Any], object] = attrs.field(eq=False)
    length: int | None = None
    nullable: bool = True
    index: bool = True
    unique: bool = False

    def value(self, record: object) -> object:
        """Return this field's value in ``record`` as it is stored (enum members as values)."""
        return _plain(self.get(record))


@attrs.frozen
class ManyField:
    """A set of values a record holds many of (a case's protection concerns).

    A SQL store keeps them in a side table, one row per item: the owner's id, the item's
    position when ``positional``, and one column per entry of ``columns``.

    :param name: the name filters refer to.
    :param columns: the name and type of each value in an item.
    :param get: returns the items of a record, each a tuple with one value per column.
    :param table: the side table's name (default ``<kind table>_<name>``).
    :param owner: the column holding the owner's id (default ``record_id``).
    :param positional: whether items are kept in order, with repeats (``position`` column);
        otherwise each item appears once and the key is the owner and the values.
    :param length: the longest text of TEXT columns (default 100).
    """

    name: str = attrs.field(validator=_check_name)
    columns: tuple[tuple[str, FieldType], ...] = attrs.field(converter=_column_tuple)
    get: Callable[[Any], Iterable[tuple[object, ...]]] = attrs.field(eq=False)
    table: str | None = None
    owner: str = "record_id"
    positional: bool = False
    length: int | None = None

    def items(self, record: object) -> list[tuple[object, ...]]:
        """Return the items of ``record`` as stored (enum members as values)."""
        return [tuple(_plain(value) for value in item) for item in self.get(record)]


class Match(enum.Enum):
    """How a search filter compares a field with the value asked for."""

    #: The field equals the value.
    EQUAL = "equal"
    #: The field is one of the values (a set; an empty set selects nothing).
    ONE_OF = "one_of"
    #: The field is on or after the value (a date, a number).
    FROM = "from"
    #: The field is on or before the value.
    TO = "to"
    #: The territory field is the value or inside it.
    WITHIN = "within"
    #: One of the items of a :class:`ManyField` equals the value (a tuple for several columns).
    CONTAINS = "contains"
    #: One of the items of a one-column :class:`ManyField` is one of the values (a set; an
    #: empty set selects nothing): "the children under any of these blocking keys", an indexed
    #: lookup per value.
    CONTAINS_ANY = "contains_any"


@attrs.frozen
class Filter:
    """A search filter: which declared field it reads, and how it compares.

    :param field: the name of a :class:`Field` (or of a :class:`ManyField` for ``CONTAINS``
        and ``CONTAINS_ANY``).
    :param match: how the field is compared with the value asked for.
    """

    field: str
    match: Match = attrs.field(validator=attrs.validators.instance_of(Match))


@attrs.frozen
class Index:
    """An extra SQL index over several columns of a kind's table, for reports.

    :param columns: the columns, in order (declared fields, ``id``, ``province``, ``region``).
    :param name: the index's name; by default ``ix_<table>_<columns>``.
    """

    columns: tuple[str, ...] = attrs.field(converter=_name_tuple)
    name: str | None = None


#: The matches that read a :class:`ManyField`.
_MANY_MATCHES: Final = frozenset({Match.CONTAINS, Match.CONTAINS_ANY})


def _no_references(_record: object) -> Iterable[tuple[type, str | None]]:
    return ()


def _frozen_filters(value: Mapping[str, Filter]) -> Mapping[str, Filter]:
    return types.MappingProxyType(dict(value))


@attrs.frozen(cache_hash=True)
class RecordKind(Generic[R]):
    """A kind of record a store keeps, as a plug-in declares it.

    :param name: the kind's stable name (``case``, ``training_session``); unique among plug-ins.
    :param record_type: the record class: a frozen attrs class with ``id`` and ``version``
        that the converter structures (:mod:`wladna_core.convert`).
    :param table: the SQL table of its records; unique among kinds.
    :param fields: the values searches filter on and reports group by.
    :param many: the sets of values it holds many of.
    :param filters: the search filters, by the name a query gives them.
    :param query_type: the query class searches take (the built-in kinds' ``CaseQuery``...);
        ``None`` for :class:`RecordQuery`, made by :meth:`query`.
    :param indexes: extra SQL indexes over several columns (for reports).
    :param references: returns the records a record refers to, as ``(record class, id)``
        pairs, which a store reads ahead for the rules when many records are added.
    :param migrations: where the SQL migrations creating its table live, as
        ``"package.module"`` whose directory holds Alembic scripts (see
        :mod:`wladna_core.storage.sql.kinds`); ``None`` for the core's own kinds.
    :param description: one sentence for people: what a record of this kind is.
    :param context: makes the rules' context for records of this kind, from the unit of work
        that validates them: a :class:`~wladna_core.storage.context.StoreContext` subclass
        whose lookups read the kind's related records (``TrainingStoreContext`` for the
        training kinds); ``None`` for the store's own context.
    :param exported: whether ``wladna export`` writes its records to a file; ``False`` for the
        most sensitive (the incidents of violence), which leave a store only for another store
        (``wladna db copy``).
    """

    name: str = attrs.field(validator=_check_name)
    record_type: type[R]
    table: str = attrs.field(validator=_check_name)
    fields: tuple[Field, ...] = attrs.field(default=(), converter=_field_tuple)
    many: tuple[ManyField, ...] = attrs.field(default=(), converter=_many_tuple)
    filters: Mapping[str, Filter] = attrs.field(factory=dict, converter=_frozen_filters, eq=False)
    query_type: type[Query[R]] | None = None
    indexes: tuple[Index, ...] = attrs.field(default=(), converter=_index_tuple)
    references: Callable[[R], Iterable[tuple[type, str | None]]] = attrs.field(
        default=_no_references, eq=False
    )
    migrations: str | None = None
    description: str = ""
    context: Callable[[Any], Any] | None = attrs.field(default=None, eq=False)
    exported: bool = True

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            msg = f"the kind of record {self.name!r} is badly declared: " + "; ".join(problems)
            raise ValueError(msg)

    def _problems(self) -> Iterator[str]:  # noqa: PLR0912 (one check per line of the contract)
        if not attrs.has(self.record_type):
            yield f"its record_type {self.record_type!r} is not an attrs class"
        else:
            names = {field.name for field in attrs.fields(self.record_type)}
            if not {"id", "version"} <= names:
                yield f"{self.record_type.__name__} has no id and version attributes"
        columns = ["id", "version", "record"]
        for field in self.fields:
            columns.append(field.name)
            if field.type is FieldType.TERRITORY:
                columns.extend(("province", "region"))
        repeated = sorted({name for name in columns if columns.count(name) > 1})
        if repeated:
            yield f"columns named more than once: {', '.join(repeated)}"
        fields = {field.name: field for field in self.fields}
        many = {item.name: item for item in self.many}
        for name, item in self.filters.items():
            if item.match in _MANY_MATCHES:
                if item.field not in many:
                    yield f"filter {name!r} reads {item.field!r}, which is no ManyField"
                elif item.match is Match.CONTAINS_ANY and len(many[item.field].columns) != 1:
                    yield f"filter {name!r}: CONTAINS_ANY reads a ManyField of one column"
            elif item.field not in fields:
                yield f"filter {name!r} reads {item.field!r}, which is no Field"
            elif (item.match is Match.WITHIN) != (fields[item.field].type is FieldType.TERRITORY):
                yield f"filter {name!r}: WITHIN goes with TERRITORY fields, and only with them"
        known = set(columns)
        for index in self.indexes:
            unknown = [name for name in index.columns if name not in known]
            if unknown:
                yield f"index {index.columns} names unknown columns {', '.join(unknown)}"

    @property
    def label(self) -> str:
        """The record class's name, as messages and the audit trail name records."""
        return self.record_type.__name__

    def field(self, name: str) -> Field:
        """Return the declared field called ``name``.

        :raises KeyError: if there is none.
        """
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def many_field(self, name: str) -> ManyField:
        """Return the declared set of values called ``name``.

        :raises KeyError: if there is none.
        """
        for item in self.many:
            if item.name == name:
                return item
        raise KeyError(name)

    def side_table(self, item: ManyField) -> str:
        """Return the name of the side table of ``item``."""
        return item.table or f"{self.table}_{item.name}"

    def query(self, **filters: object) -> RecordQuery[R]:
        """Return a search among records of this kind: ``kind.query(site_id="...")``.

        :raises ValueError: if a filter is not declared, or a value does not fit it.
        """
        return RecordQuery(self, filters)

    def matches(self, record: R, filters: Mapping[str, object], gazetteer: Gazetteer) -> bool:
        """Return whether ``record`` passes every filter of ``filters`` (name -> value)."""
        for name, wanted in filters.items():
            item = self.filters[name]
            if item.match is Match.CONTAINS:
                target = wanted if isinstance(wanted, tuple) else (wanted,)
                items = self.many_field(item.field).items(record)
                if tuple(_plain(value) for value in target) not in items:
                    return False
                continue
            if item.match is Match.CONTAINS_ANY:
                held = {values[0] for values in self.many_field(item.field).items(record)}
                if held.isdisjoint(_plain(value) for value in _as_set(wanted)):
                    return False
                continue
            value = self.field(item.field).value(record)
            if not _compare(item.match, value, wanted, gazetteer):
                return False
        return True


def _compare(match: Match, value: object, wanted: object, gazetteer: Gazetteer) -> bool:
    if match is Match.EQUAL:
        return value == _plain(wanted)
    if match is Match.ONE_OF:
        return value in {_plain(item) for item in _as_set(wanted)}
    if match is Match.WITHIN:
        return isinstance(value, str) and value in territory_subtree(gazetteer, str(wanted))
    if value is None:
        return False
    if match is Match.FROM:
        return bool(value >= wanted)  # type: ignore[operator]
    return bool(value <= wanted)  # type: ignore[operator]


def _as_set(value: object) -> frozenset[object]:
    if isinstance(value, (str, enum.Enum)) or not isinstance(value, Iterable):
        return frozenset({value})
    return frozenset(value)


def _check_value(kind: RecordKind[Any], name: str, value: object) -> object:
    """Return ``value`` in the form filter ``name`` of ``kind`` compares, or raise ValueError."""
    item = kind.filters.get(name)
    if item is None:
        known = ", ".join(sorted(kind.filters)) or "none"
        msg = f"{kind.label} records have no search filter {name!r}; the filters are: {known}"
        raise ValueError(msg)
    if item.match in (Match.ONE_OF, Match.CONTAINS_ANY):
        return frozenset(_as_set(value))
    if item.match is Match.CONTAINS:
        return value if isinstance(value, tuple) else (value,)
    field = kind.field(item.field)
    expected: tuple[type, ...] = {
        FieldType.TEXT: (str,),
        FieldType.CODE: (str, enum.Enum),
        FieldType.DATE: (date,),
        FieldType.INTEGER: (int,),
        FieldType.BOOLEAN: (bool,),
        FieldType.TERRITORY: (str,),
    }[field.type]
    if not isinstance(value, expected) or (
        field.type is FieldType.DATE and isinstance(value, datetime)
    ):
        msg = (
            f"the filter {name!r} of {kind.label} records compares a {field.type.value}, got "
            f"{value!r}"
        )
        raise ValueError(msg)
    return value


@attrs.frozen(init=False)
class RecordQuery(Query[R]):
    """A search among the records of a declared kind: the filters set, by name.

    Made by :meth:`RecordKind.query`; a filter left out does not filter, and every filter set
    must hold.

    :param kind: the kind of record searched.
    :param values: the filters set, by name, with the value each compares with.
    """

    kind: RecordKind[R]
    values: Mapping[str, object] = attrs.field(eq=False)
    _key: tuple[tuple[str, object], ...] = attrs.field(repr=False)

    def __init__(self, kind: RecordKind[R], values: Mapping[str, object]) -> None:
        checked = {
            name: _check_value(kind, name, value)
            for name, value in values.items()
            if value is not None
        }
        self.__attrs_init__(
            kind, types.MappingProxyType(checked), tuple(sorted(checked.items(), key=_first))
        )

    @property
    def record_type(self) -> type[R]:  # type: ignore[override]
        """The record class searched: the kind's."""
        return self.kind.record_type

    def set_filters(self) -> Iterator[tuple[str, object]]:
        """Yield the filters that are set, with their values."""
        yield from self.values.items()

    def matches(self, record: R, gazetteer: Gazetteer) -> bool:
        """Return whether ``record`` passes every filter."""
        return self.kind.matches(record, self.values, gazetteer)


def _first(item: tuple[str, object]) -> str:
    return item[0]


class KindRegistry(Mapping[type, RecordKind[Any]]):
    """The kinds of record a store keeps, by record class; what the composition root hands it.

    :param kinds: the declared kinds (the built-in ones and the plug-ins').
    :raises ValueError: if two kinds share a name, a record class or a table.
    """

    def __init__(self, kinds: Iterable[RecordKind[Any]]) -> None:
        by_type: dict[type, RecordKind[Any]] = {}
        by_name: dict[str, RecordKind[Any]] = {}
        tables: dict[str, str] = {}
        for kind in kinds:
            earlier = by_type.get(kind.record_type) or by_name.get(kind.name)
            if earlier is not None:
                msg = (
                    f"the kinds of record {earlier.name!r} and {kind.name!r} share a name or "
                    f"the record class {kind.record_type.__name__}; a plug-in declares each "
                    "kind once"
                )
                raise ValueError(msg)
            by_type[kind.record_type] = kind
            by_name[kind.name] = kind
            for table in (kind.table, *(kind.side_table(item) for item in kind.many)):
                if table in tables:
                    msg = (
                        f"the kinds {tables[table]!r} and {kind.name!r} both declare the table "
                        f"{table!r}; give each kind its own tables"
                    )
                    raise ValueError(msg)
                tables[table] = kind.name
        self._by_type = types.MappingProxyType(by_type)
        self._by_name = types.MappingProxyType(by_name)

    def __getitem__(self, record_type: type) -> RecordKind[Any]:
        return self._by_type[record_type]

    def __iter__(self) -> Iterator[type]:
        return iter(self._by_type)

    def __len__(self) -> int:
        return len(self._by_type)

    def __repr__(self) -> str:
        return f"<KindRegistry {', '.join(self._by_name)}>"

    def named(self, name: str) -> RecordKind[Any]:
        """Return the kind called ``name``.

        :raises KeyError: if no kind has that name.
        """
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the kinds, in the order they were declared."""
        return tuple(self._by_name)
