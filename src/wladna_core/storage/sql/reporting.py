"""Reports on the SQL store: the columns reports read, and the context indicators compile in.

Indicators computed on a SQL store run grouped statements (``SELECT ... GROUP BY``) and fetch
only grouped rows, never one row per case.  This module gives them what they need:

- :func:`case_report_columns` and :func:`referral_report_columns`: the columns derived from a
  record at every write for reports (the assessment's date, the closure's reason, days between
  two dates), so that no statement computes with dates, which SQLite and PostgreSQL do
  differently;
- :class:`SqlReport`: the unit of work's connection, and the *fields* of cases and referrals as
  SQL expressions over the store's tables (:meth:`SqlReport.case_fields`,
  :meth:`SqlReport.referral_fields`), with the expressions of the age band and of period
  buckets, written so that both databases give the same values;
- :class:`SqlAggregate`: what an aggregate query offers to be computed this way;
- :meth:`SqlReport.lower_median`: the lower median as one aggregate function of the database
  (``percentile_disc`` on PostgreSQL, :class:`SqliteLowerMedian` registered on SQLite), in
  place of ranking every row with a window function.

The names of the fields are those of :mod:`wladna_core.reporting.engine`, which computes the
same values in Python for the memory store; the reporting tests check that both agree on any
data drawn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, runtime_checkable

import attrs
import sqlalchemy as sa

from wladna_core.storage.sql import tables

if TYPE_CHECKING:
    from wladna_core.model import Case, Referral
    from wladna_core.storage.sql.store import SqlStore, SqlUnitOfWork

__all__ = [
    "AGE_BANDS",
    "Join",
    "Source",
    "SqlAggregate",
    "SqlReport",
    "SqliteLowerMedian",
    "age_band",
    "case_report_columns",
    "case_source",
    "period_bucket",
    "period_grouping",
    "period_partition",
    "referral_report_columns",
    "referral_source",
]

R_co = TypeVar("R_co", covariant=True)

#: The age bands of reports, as ``(label, first age, last age)``: the child's age on the day
#: the case opened.
AGE_BANDS: Final = (("0-5", 0, 5), ("6-11", 6, 11), ("12-17", 12, 17))
#: The label of an age outside the bands (an adult: the rules refuse such cases).
AGE_OVER: Final = "18+"


def case_report_columns(case: Case) -> dict[str, Any]:
    """Return the report columns of a case's row, derived from the case."""
    assessed_on = None if case.assessment is None else case.assessment.on
    closure = case.closure
    return {
        "assessed_on": assessed_on,
        "closure_reason": None
        if closure is None or closure.reason is None
        else closure.reason.value,
        "days_to_assessment": None if assessed_on is None else (assessed_on - case.opened_on).days,
        "days_open": None if closure is None else (closure.on - case.opened_on).days,
    }


def referral_report_columns(referral: Referral) -> dict[str, Any]:
    """Return the report columns of a referral's row, derived from the referral."""
    answered = referral.responded_on
    return {
        "days_to_response": None if answered is None else (answered - referral.made_on).days,
    }


@runtime_checkable
class SqlAggregate(Protocol[R_co]):
    """An aggregate query the SQL store can compute with SQL (see ``Store.aggregate``).

    It is also an :class:`~wladna_core.storage.ports.Aggregate`: a store without SQL computes
    it with ``compute``, and gets the same result.
    """

    def compute_sql(self, sql: SqlReport) -> R_co:
        """Return the result, running grouped statements through ``sql``."""


def _year(day: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    return sa.cast(sa.extract("year", day), sa.Integer)


def _month(day: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    return sa.cast(sa.extract("month", day), sa.Integer)


def _day(day: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    return sa.cast(sa.extract("day", day), sa.Integer)


def _text_part(day: sa.ColumnElement[Any], start: int, length: int) -> sa.ColumnElement[int]:
    return sa.cast(sa.func.substr(day, start, length, type_=sa.String), sa.Integer)


def period_bucket(
    dimension: str, day: sa.ColumnElement[Any], dialect: str | None = None
) -> sa.ColumnElement[int]:
    """Return the bucket of ``day`` for a period dimension, as a whole number.

    ``month``: ``year * 100 + month`` (202601); ``quarter``: ``year * 10 + quarter`` (20261);
    ``year``: the year.  Integers, so that SQLite and PostgreSQL give the same values; the
    reporting layer turns them into labels.

    :param dimension: ``month``, ``quarter`` or ``year``.
    :param day: a date column.
    :param dialect: the database's kind.  SQLite keeps dates as ISO text (``2026-01-31``): for
        ``"sqlite"`` the bucket is cut out of the text (one ``substr`` and one cast for a
        month), cheaper per row than extracting the year and the month; any other dialect
        (and ``None``) extracts them.
    :raises ValueError: for any other dimension.
    """
    text = dialect == "sqlite"
    if dimension == "year":
        return _text_part(day, 1, 4) if text else _year(day)
    if dimension == "month":
        if text:
            year_month = sa.func.substr(day, 1, 4, type_=sa.String) + sa.func.substr(
                day, 6, 2, type_=sa.String
            )
            return sa.cast(year_month, sa.Integer)
        return _year(day) * 100 + _month(day)
    if dimension == "quarter":
        month = _text_part(day, 6, 2) if text else _month(day)
        quarter = sa.case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)
        return (_text_part(day, 1, 4) if text else _year(day)) * 10 + quarter
    msg = f"{dimension!r} is not a period dimension (month, quarter, year)"
    raise ValueError(msg)


def period_partition(
    dimension: str, day: sa.ColumnElement[Any], dialect: str | None = None
) -> sa.ColumnElement[Any]:
    """Return an expression that parts rows as :func:`period_bucket` does, as cheap as can be.

    For window functions, which only compare the key: on SQLite the month's or year's ISO text
    (``2026-01``, ``2026``), without a cast; anywhere else the bucket itself.

    :param dimension: ``month``, ``quarter`` or ``year``.
    :param day: a date column.
    :param dialect: the database's kind.
    :raises ValueError: for any other dimension.
    """
    if dialect == "sqlite" and dimension in ("month", "year"):
        return sa.func.substr(day, 1, 7 if dimension == "month" else 4, type_=sa.String)
    return period_bucket(dimension, day, dialect)


# A report reads a few distinct periods, once per group: each is worked out once.
@functools.lru_cache(maxsize=4096)
def _month_of_text(text: object) -> int | None:
    return None if text is None else int(str(text)[:7].replace("-", ""))


@functools.lru_cache(maxsize=4096)
def _year_of_text(text: object) -> int | None:
    return None if text is None else int(str(text)[:4])


#: What turns a period's text, as :func:`period_grouping` groups by it on SQLite, into its key.
_FROM_TEXT: Final[Mapping[str, Callable[[object], int | None]]] = {
    "month": _month_of_text,
    "year": _year_of_text,
}


@functools.lru_cache(maxsize=4096)
def _month_of_start(start: Any) -> int | None:
    return None if start is None else int(start.year) * 100 + int(start.month)


@functools.lru_cache(maxsize=4096)
def _quarter_of_start(start: Any) -> int | None:
    return None if start is None else int(start.year) * 10 + (int(start.month) - 1) // 3 + 1


@functools.lru_cache(maxsize=4096)
def _year_of_start(start: Any) -> int | None:
    return None if start is None else int(start.year)


#: What turns the first moment of a period, as ``date_trunc`` gives it, into its key.
_FROM_START: Final[Mapping[str, Callable[[object], int | None]]] = {
    "month": _month_of_start,
    "quarter": _quarter_of_start,
    "year": _year_of_start,
}


def period_grouping(
    dimension: str, day: sa.ColumnElement[Any], dialect: str | None = None
) -> tuple[sa.ColumnElement[Any], Callable[[object], int | None] | None]:
    """Return what to group rows by for a period dimension, and how to read its values as keys.

    On SQLite a month or a year is grouped by the date's ISO text cut down (``2026-01``,
    ``2026``), one ``substr`` per row and nothing else; on PostgreSQL by the period's first
    moment, ``date_trunc`` of the date as a timestamp (cheaper than extracting the year and the
    month, which PostgreSQL computes as decimal numbers).  The few grouped values are turned into
    the keys of :func:`period_bucket` (202601, 20261, 2026) in Python, by the function
    returned.  Anywhere else (and for a quarter on SQLite) rows are grouped by the bucket
    itself, and the function is ``None``: the values fetched are the keys.

    >>> import sqlalchemy as sa
    >>> from datetime import datetime
    >>> grouped, key = period_grouping("month", sa.column("day", sa.Date), "sqlite")
    >>> print(grouped, key("2026-03"))
    substr(day, :substr_1, :substr_2) 202603
    >>> _grouped, key = period_grouping("quarter", sa.column("day", sa.Date), "postgresql")
    >>> key(datetime(2026, 4, 1))
    20262

    :param dimension: ``month``, ``quarter`` or ``year``.
    :param day: a date column.
    :param dialect: the database's kind.
    :raises ValueError: for any other dimension.
    """
    if dialect == "sqlite" and dimension in _FROM_TEXT:
        return period_partition(dimension, day, dialect), _FROM_TEXT[dimension]
    if dialect == "postgresql" and dimension in _FROM_START:
        start = sa.func.date_trunc(dimension, sa.cast(day, sa.DateTime()), type_=sa.DateTime())
        return start, _FROM_START[dimension]
    return period_bucket(dimension, day, dialect), None


class SqliteLowerMedian(list[int | None]):
    """The lower median of whole numbers as a SQLite aggregate function (``NULL`` left out).

    The ``(n + 1) // 2``-th smallest of the ``n`` values, as
    :func:`wladna_core.reporting.engine.lower_median` computes it; ``NULL`` when there is none.
    SQLite has no such function: :meth:`SqlReport.lower_median` registers this one on the
    connection, which keeps each group's values and sorts them once, where ranking every row
    with ``row_number()`` sorts and scans all the rows again.  Each row's value is appended by
    ``list.append`` itself, with no Python code run per row.
    """

    __slots__ = ()

    #: Take one row's value.
    step = list.append

    def finalize(self) -> int | None:
        """Return the lower median of the values taken."""
        values = [value for value in self if value is not None] if None in self else self
        if not values:
            return None
        values.sort()
        return values[(len(values) - 1) // 2]


#: The name :class:`SqliteLowerMedian` is registered under on SQLite connections.
_SQLITE_MEDIAN: Final = "wladna_lower_median"


def age_band(birth_date: sa.ColumnElement[Any], on: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """Return the age band (``0-5``, ``6-11``, ``12-17``, ``18+``) of someone born on a day.

    The age is counted as :func:`wladna_core.model.age_on` counts it: whole years, one more on
    each birthday (29 February birthdays on 1 March in common years).
    """
    before_birthday = sa.case(
        (_month(on) * 100 + _day(on) < _month(birth_date) * 100 + _day(birth_date), 1), else_=0
    )
    age = _year(on) - _year(birth_date) - before_birthday
    bands = [(age <= last, label) for label, _first, last in AGE_BANDS]
    return sa.case(
        (birth_date.is_(None), sa.null()),
        *bands,
        else_=sa.literal(AGE_OVER),
    )


_cases, _children, _referrals = tables.cases, tables.children, tables.referrals


#: A join a source adds only when a field it gives is read: ``(the fields, join)``.
Join = tuple[frozenset[str], Callable[[sa.FromClause], sa.FromClause]]


@attrs.frozen
class Source:
    """Rows to aggregate: a ``FROM`` clause and the fields of its rows as SQL expressions.

    :param from_clause: the tables, all joined.
    :param fields: each field's expression, by the field names of the reporting engine.
    :param case_id: the id of the case each row is about, for the ``concern`` dimension.
    :param base: the table each row comes from (``from_clause`` when omitted).
    :param joins: the outer joins of ``from_clause`` on a unique key (one row at most each, so
        that leaving one out never changes the rows), with the fields each gives, in order.
    """

    from_clause: sa.FromClause
    fields: Mapping[str, sa.ColumnElement[Any]]
    case_id: sa.ColumnElement[str]
    base: sa.FromClause | None = None
    joins: tuple[Join, ...] = ()

    def from_for(self, names: Iterable[str]) -> sa.FromClause:
        """Return the ``FROM`` clause of a statement reading only the fields ``names``.

        The joins no field of ``names`` needs are left out: SQLite does not drop an unused
        outer join by itself, and reads the joined table for every row.

        >>> source = case_source()
        >>> source.from_for(["province", "opened_on"]) is tables.cases
        True
        >>> print(source.from_for(["province", "sex"]))
        cases LEFT OUTER JOIN children ON children.id = cases.child_id
        """
        if self.base is None:
            return self.from_clause
        wanted = set(names)
        from_clause = self.base
        for gives, join in self.joins:
            if gives & wanted:
                from_clause = join(from_clause)
        return from_clause


#: The fields read from a case's child.
_CHILD_FIELDS: Final = frozenset({"sex", "age_band"})
#: The fields of a referral read from its case (or through it, from the child).
_CASE_FIELDS: Final = (
    frozenset({"region", "province", "risk", "case_opened_on", "case_closed_on", "case_status"})
    | _CHILD_FIELDS
)


def _join_children(from_clause: sa.FromClause) -> sa.FromClause:
    return from_clause.outerjoin(_children, _children.c.id == _cases.c.child_id)


def _join_cases(from_clause: sa.FromClause) -> sa.FromClause:
    return from_clause.outerjoin(_cases, _cases.c.id == _referrals.c.case_id)


def case_source() -> Source:
    """Return the fields of cases (see :meth:`SqlReport.case_fields`)."""
    c = _cases.c
    fields: dict[str, sa.ColumnElement[Any]] = {
        "id": c.id,
        "body": c.body_id,
        "region": c.region,
        "province": c.province,
        "risk": c.risk,
        "status": c.status,
        "sex": _children.c.sex,
        "age_band": age_band(_children.c.birth_date, c.opened_on),
        "worker": c.worker_id,
        "opened_on": c.opened_on,
        "closed_on": c.closed_on,
        "assessed_on": c.assessed_on,
        "closure_reason": c.closure_reason,
        "days_to_assessment": c.days_to_assessment,
        "days_open": c.days_open,
    }
    return Source(
        _join_children(_cases), fields, c.id, base=_cases, joins=((_CHILD_FIELDS, _join_children),)
    )


def referral_source() -> Source:
    """Return the fields of referrals (see :meth:`SqlReport.referral_fields`)."""
    r = _referrals.c
    fields: dict[str, sa.ColumnElement[Any]] = {
        "id": r.id,
        "body": r.from_body,
        "region": _cases.c.region,
        "province": _cases.c.province,
        "risk": _cases.c.risk,
        "sex": _children.c.sex,
        "age_band": age_band(_children.c.birth_date, _cases.c.opened_on),
        "status": r.status,
        "service": r.service,
        "programme": r.programme,
        "target_kind": r.target_kind,
        "made_on": r.made_on,
        "response_due": r.response_due,
        "responded_on": r.responded_on,
        "closed_on": r.closed_on,
        "days_to_response": r.days_to_response,
        "case_opened_on": _cases.c.opened_on,
        "case_closed_on": _cases.c.closed_on,
        "case_status": _cases.c.status,
    }
    return Source(
        _join_children(_join_cases(_referrals)),
        fields,
        r.case_id,
        base=_referrals,
        joins=((_CASE_FIELDS, _join_cases), (_CHILD_FIELDS, _join_children)),
    )


class SqlReport:
    """What an indicator computed in SQL works with: a connection and the fields of records.

    :param unit_of_work: the read-only unit of work the statements run in.
    :param store: the SQL store.
    """

    def __init__(self, unit_of_work: SqlUnitOfWork, store: SqlStore) -> None:
        self.unit_of_work = unit_of_work
        self.store = store

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite`` or ``postgresql``."""
        return self.store.dialect

    @property
    def has_lower_median(self) -> bool:
        """Whether :meth:`lower_median` gives an aggregate on this database."""
        return self.dialect in ("sqlite", "postgresql")

    def lower_median(self, value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any] | None:
        """Return the aggregate computing the lower median of ``value`` over a group.

        The ``(n + 1) // 2``-th smallest of the group's ``n`` values that are not ``NULL``
        (``NULL`` when there is none): ``percentile_disc(0.5)`` on PostgreSQL (its first value
        whose cumulative share reaches one half is exactly that one); on SQLite the function
        :class:`SqliteLowerMedian`, registered on the unit of work's connection.  ``None`` on
        another database, where the caller ranks the rows itself.
        """
        if self.dialect == "postgresql":
            return sa.func.percentile_disc(0.5).within_group(value)
        if self.dialect == "sqlite":
            driver = self.unit_of_work.connection.connection.driver_connection
            driver.create_aggregate(_SQLITE_MEDIAN, 1, SqliteLowerMedian)  # type: ignore[union-attr]
            return sa.func.wladna_lower_median(value, type_=sa.Integer)
        return None

    def execute(self, statement: sa.Select[Any]) -> list[sa.Row[Any]]:
        """Run a grouped ``statement`` and return its rows."""
        with self.unit_of_work._translating():
            return list(self.unit_of_work.connection.execute(statement).all())

    def case_fields(self) -> Source:
        """Return the fields of cases: one row per case, with its child's sex and age band."""
        return case_source()

    def referral_fields(self) -> Source:
        """Return the fields of referrals: one row per referral, with its case's fields.

        ``body`` is the body that made the referral; ``region``, ``province``, ``risk``,
        ``sex``, ``age_band`` and the ``case_``-prefixed fields are those of the case referred
        (``None`` if it is missing).
        """
        return referral_source()

    @staticmethod
    def concerns() -> sa.Table:
        """Return the table of the cases' protection concerns (``case_id``, ``concern``)."""
        return tables.case_concerns
