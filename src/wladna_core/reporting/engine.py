"""How indicators are computed: the same definition run in Python and compiled to SQL.

An indicator declared with :func:`declared` is made of *parts*: each :class:`Part` selects cases
or referrals (its :class:`Condition`), groups them by the dimensions asked for, and computes
measures over each group (:class:`Count`, :class:`Median`); :class:`PerWorker` counts the
workers of each group by the size of their caseload.  Measures computed from the others after
grouping (:class:`Share`, :class:`Sum`) come last.

Every condition is written twice, side by side: as a Python function of a case's or referral's
*fields*, and as a SQL expression of the same fields (see
:mod:`wladna_core.storage.sql.reporting`).  The memory store (and any store without SQL) runs
the Python half over the records it streams; the SQL store runs the SQL half as grouped
statements and fetches only grouped rows.  The reporting tests check on any data drawn that the
two halves give the same rows.

The fields of a case: ``id``, ``body``, ``region``, ``province``, ``risk``, ``status``,
``sex`` and ``age_band`` (of its child), ``worker``, ``opened_on``, ``closed_on``,
``assessed_on``, ``closure_reason``, ``days_to_assessment``, ``days_open`` and ``concern`` (a
set).  The fields of a referral: ``id``, ``body`` (the body that made it), ``status``,
``service``, ``programme``, ``target_kind``, ``made_on``, ``response_due``, ``responded_on``,
``closed_on``, ``days_to_response``, and those of its case: ``region``, ``province``,
``risk``, ``sex``, ``age_band``, ``concern``, ``case_opened_on``, ``case_closed_on`` and
``case_status``.  Codes are the enumerations' string values; a missing value is ``None``.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import sqlalchemy as sa

from wladna_core.deadlines import Deadlines
from wladna_core.model import CaseStatus, Gazetteer
from wladna_core.reporting.cellkey import MODULUS, CellKeyMethod
from wladna_core.storage.sql.reporting import (
    AGE_BANDS,
    AGE_OVER,
    Source,
    case_report_columns,
    period_grouping,
    period_partition,
    referral_report_columns,
)

if TYPE_CHECKING:
    from wladna_core.model import Case, Referral
    from wladna_core.storage.ports import UnitOfWork
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = [
    "CASES",
    "PERIOD_DIMENSIONS",
    "REFERRALS",
    "Columns",
    "Condition",
    "Count",
    "Declared",
    "Facts",
    "Grouping",
    "Median",
    "Part",
    "PerWorker",
    "Records",
    "Row",
    "Share",
    "Sum",
    "Window",
    "age_band",
    "declared",
    "happened",
    "is_one_of",
    "lower_median",
    "open_on_end",
    "period_key",
    "sql_fields",
]

#: The subjects a part counts.
CASES: Final = "cases"
REFERRALS: Final = "referrals"
#: The dimensions that bucket an event's date; their keys are numbers (see :func:`period_key`).
PERIOD_DIMENSIONS: Final = ("month", "quarter", "year")
#: Cases no longer counted anywhere once transferred (the receiving case counts) or duplicate.
_GONE: Final = frozenset({CaseStatus.TRANSFERRED.value, CaseStatus.DUPLICATE.value})

#: One case's or referral's fields, by name.
Facts = Mapping[str, Any]
#: The SQL expressions of the same fields.
Columns = Mapping[str, sa.ColumnElement[Any]]
#: A row of an indicator's result: the dimensions' keys, then the measures' values.
Row = tuple[object, ...]


@attrs.frozen
class Window:
    """The days a computation looks at, and what it needs to judge deadlines.

    :param start: the first day of events counted (``None``: from the beginning).
    :param end: the last day of events counted, and the day stocks (open cases, overdue work)
        are counted on.
    :param deadlines: the deadlines of the deployment.
    """

    start: date | None
    end: date
    deadlines: Deadlines

    def holds(self, day: date | None) -> bool:
        """Return whether ``day`` is in the window."""
        return day is not None and (self.start is None or day >= self.start) and day <= self.end

    def holds_sql(self, day: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        """Return the SQL condition that ``day`` is in the window."""
        upper = day <= self.end
        return upper if self.start is None else sa.and_(day >= self.start, upper)


@attrs.frozen
class Condition:
    """A condition on a case's or referral's fields, in Python and in SQL.

    :param python: ``(fields, window) -> bool``.
    :param sql: ``(columns, window) -> SQL condition``, true exactly when ``python`` is.
    """

    python: Callable[[Facts, Window], bool]
    sql: Callable[[Columns, Window], sa.ColumnElement[bool]]

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            lambda facts, window: self.python(facts, window) and other.python(facts, window),
            lambda columns, window: sa.and_(self.sql(columns, window), other.sql(columns, window)),
        )


@attrs.frozen
class Count:
    """A measure: how many of the group's cases or referrals meet ``when`` (all when ``None``)."""

    name: str
    when: Condition | None = None


@attrs.frozen
class Median:
    """A measure: the lower median of a whole-number field over the group (``None`` left out).

    The lower median of ``n`` values is the ``(n + 1) // 2``-th smallest: the middle value for
    an odd ``n``, the lower of the two middle values for an even ``n``; always a value that
    occurs.  ``None`` when the group has no value.
    """

    name: str
    field: str


@attrs.frozen
class Share:
    """A measure computed after grouping: ``numerator / sum(denominators)``, ``None`` over 0."""

    name: str
    numerator: str
    denominators: tuple[str, ...]

    def value(self, measures: Mapping[str, object]) -> object:
        """Return the share from the group's other measures."""
        numerator = _number(measures[self.numerator])
        denominator = sum(_number(measures[name]) for name in self.denominators)
        return None if denominator == 0 else numerator / denominator


@attrs.frozen
class Sum:
    """A measure computed after grouping: the sum of other count measures."""

    name: str
    terms: tuple[str, ...]

    def value(self, measures: Mapping[str, object]) -> object:
        """Return the sum from the group's other measures."""
        return sum(_number(measures[name]) for name in self.terms)


def _number(value: object) -> int:
    return value if isinstance(value, int) else 0


def _total(values: Sequence[object]) -> int:
    """Return the sum of counts (any value not a whole number counts as 0)."""
    try:
        return sum(cast("Sequence[int]", values))
    except TypeError:
        return sum(map(_number, values))


@attrs.frozen
class _Cell:
    """A count and its cell key (the sum of its records' keys), before it is published."""

    count: int
    key: int


@attrs.frozen
class Part:
    """Cases or referrals selected by a condition, grouped, and measured.

    :param subject: :data:`CASES` or :data:`REFERRALS`.
    :param select: which of them count.
    :param period_field: the date field the period dimensions bucket (``None`` for a stock
        counted on one day, which then has no period dimension).
    :param measures: what is computed over each group.
    """

    subject: str
    select: Condition
    period_field: str | None
    measures: tuple[Count | Median, ...]


@attrs.frozen
class PerWorker:
    """Open cases counted per worker, then workers counted by the size of their caseload.

    :param select: which cases count (those without a worker never do).
    :param total: the name of the measure counting every worker with a case.
    :param bands: ``(measure name, fewest cases, most cases or None)`` for each band.
    """

    select: Condition
    total: str
    bands: tuple[tuple[str, int, int | None], ...]

    @property
    def measure_names(self) -> tuple[str, ...]:
        """The names of the measures, the total first."""
        return (self.total, *(name for name, _low, _high in self.bands))

    def band_counts(self, caseloads: Iterable[int]) -> tuple[int, ...]:
        """Return the number of workers in total and in each band."""
        loads = list(caseloads)
        return (
            len(loads),
            *(
                sum(1 for load in loads if low <= load and (high is None or load <= high))
                for _name, low, high in self.bands
            ),
        )


# Keys ---------------------------------------------------------------------------------------


def period_key(dimension: str, day: date | None) -> int | None:
    """Return the key of ``day`` for a period dimension: 202601, 20261 (a quarter) or 2026.

    >>> period_key("month", date(2026, 3, 9)), period_key("quarter", date(2026, 3, 9))
    (202603, 20261)
    """
    if day is None:
        return None
    if dimension == "year":
        return day.year
    if dimension == "month":
        return day.year * 100 + day.month
    if dimension == "quarter":
        return day.year * 10 + (day.month - 1) // 3 + 1
    msg = f"{dimension!r} is not a period dimension (month, quarter, year)"
    raise ValueError(msg)


def age_band(birth_date: date | None, on: date) -> str | None:
    """Return the age band (``0-5``, ``6-11``, ``12-17``, ``18+``) on ``on`` of someone born then.

    >>> age_band(date(2014, 3, 2), date(2026, 3, 1)), age_band(date(2014, 3, 2), date(2026, 3, 2))
    ('6-11', '12-17')
    """
    if birth_date is None:
        return None
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    age = on.year - birth_date.year - (0 if had_birthday else 1)
    for label, _first, last in AGE_BANDS:
        if age <= last:
            return label
    return AGE_OVER


def lower_median(values: Iterable[int]) -> int | None:
    """Return the lower median of ``values`` (see :class:`Median`), ``None`` if there is none.

    >>> lower_median([4, 1, 9]), lower_median([4, 1, 9, 7]), lower_median([])
    (4, 4, None)
    """
    ordered = sorted(values)
    return ordered[(len(ordered) + 1) // 2 - 1] if ordered else None


# The records, as fields (Python) ------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _places(gazetteer: Gazetteer, code: str) -> tuple[str | None, str | None]:
    if code not in gazetteer:
        return (None, None)
    province = gazetteer.province_of(code)
    region = gazetteer.region_of(code)
    return (None if province is None else province.code, None if region is None else region.code)


class Records:
    """The records a Python computation reads, streamed from a unit of work.

    A plug-in indicator's ``compute`` function receives one.  The fields of every case (and
    referral) are worked out once per computation and kept, for the parts of one indicator.

    :param unit_of_work: the unit of work to read through.
    """

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work
        self.gazetteer: Gazetteer = unit_of_work.store.gazetteer
        self._cases: list[dict[str, Any]] | None = None
        self._referrals: list[dict[str, Any]] | None = None

    def cases(self) -> Iterator[Case]:
        """Stream every stored case."""
        return self.unit_of_work.cases.iter()

    def referrals(self) -> Iterator[Referral]:
        """Stream every stored referral."""
        return self.unit_of_work.referrals.iter()

    def case_facts(self) -> list[dict[str, Any]]:
        """Return the fields of every case (see the module's documentation)."""
        if self._cases is None:
            children = {
                child.id: (child.sex.value, child.birth_date)
                for child in self.unit_of_work.children.iter()
            }
            self._cases = [self._case(case, children) for case in self.cases()]
        return self._cases

    def referral_facts(self) -> list[dict[str, Any]]:
        """Return the fields of every referral, with those of its case."""
        if self._referrals is None:
            by_id = {facts["id"]: facts for facts in self.case_facts()}
            self._referrals = [self._referral(item, by_id) for item in self.referrals()]
        return self._referrals

    def facts(self, subject: str) -> list[dict[str, Any]]:
        """Return the fields of every case (:data:`CASES`) or referral (:data:`REFERRALS`)."""
        return self.case_facts() if subject == CASES else self.referral_facts()

    def _case(self, case: Case, children: Mapping[str, tuple[str, date]]) -> dict[str, Any]:
        province, region = _places(self.gazetteer, case.territory)
        sex, birth_date = children.get(case.child_id, (None, None))
        return {
            "id": case.id,
            "body": case.body_id,
            "region": region,
            "province": province,
            "risk": case.risk.value,
            "status": case.status.value,
            "sex": sex,
            "age_band": age_band(birth_date, case.opened_on),
            "worker": case.worker_id,
            "opened_on": case.opened_on,
            "closed_on": None if case.closure is None else case.closure.on,
            "concern": frozenset(concern.value for concern in case.concerns),
            **case_report_columns(case),
        }

    def _referral(self, referral: Referral, cases: Mapping[str, Facts]) -> dict[str, Any]:
        case: Facts = cases.get(referral.case_id, {})
        programme = referral.target.programme
        return {
            "id": referral.id,
            "body": referral.from_body,
            "region": case.get("region"),
            "province": case.get("province"),
            "risk": case.get("risk"),
            "sex": case.get("sex"),
            "age_band": case.get("age_band"),
            "concern": case.get("concern", frozenset()),
            "case_opened_on": case.get("opened_on"),
            "case_closed_on": case.get("closed_on"),
            "case_status": case.get("status"),
            "status": referral.status.value,
            "service": referral.service.value,
            "programme": None if programme is None else programme.value,
            "target_kind": referral.target.kind.value,
            "made_on": referral.made_on,
            "response_due": referral.response_due,
            "responded_on": referral.responded_on,
            "closed_on": referral.closed_on,
            **referral_report_columns(referral),
        }


def sql_fields(sql: SqlReport, subject: str) -> Source:
    """Return the SQL fields of cases or referrals (with the case fields of a referral)."""
    return sql.case_fields() if subject == CASES else sql.referral_fields()


# Grouping -----------------------------------------------------------------------------------


@attrs.frozen
class Grouping:
    """What a computation groups by and keeps: the dimensions asked for and the filters.

    :param by: the dimensions, in order.
    :param where: for each filtered dimension, the values kept (a set of codes).
    :param window: the days looked at.
    :param protection: the cell-key method every count is published by (``None``: counts as
        they are); shares and sums are then worked out from the published counts.
    """

    by: tuple[str, ...]
    where: Mapping[str, frozenset[str]]
    window: Window
    protection: CellKeyMethod | None = None

    def keeps(self, facts: Facts) -> bool:
        """Return whether the filters keep a case or referral with these fields."""
        for dimension, values in self.where.items():
            value = facts.get(dimension)
            if dimension == "concern":
                if not (value or frozenset()) & values:
                    return False
            elif value not in values:
                return False
        return True

    def keys(self, facts: Facts, period_field: str | None) -> Iterator[tuple[object, ...]]:
        """Yield the keys of the groups a case or referral belongs to (several for concerns)."""
        choices: list[Sequence[object]] = []
        for dimension in self.by:
            if dimension in PERIOD_DIMENSIONS:
                day = None if period_field is None else facts.get(period_field)
                choices.append((period_key(dimension, day),))
            elif dimension == "concern":
                concerns: frozenset[str] = facts.get("concern", frozenset())
                kept = self.where.get("concern")
                chosen = sorted(concerns if kept is None else concerns & kept)
                choices.append(chosen or [None])
            else:
                choices.append((facts.get(dimension),))
        return itertools.product(*choices)


def _python_part(part: Part, records: Records, grouping: Grouping) -> dict[tuple[object, ...], Row]:
    window = grouping.window
    groups: dict[tuple[object, ...], list[Facts]] = defaultdict(list)
    if not grouping.by:
        groups[()] = []
    for facts in records.facts(part.subject):
        if part.select.python(facts, window) and grouping.keeps(facts):
            for key in grouping.keys(facts, part.period_field):
                groups[key].append(facts)
    found: dict[tuple[object, ...], Row] = {}
    protection = grouping.protection
    for key, members in groups.items():
        values: list[object] = []
        for measure in part.measures:
            if isinstance(measure, Count):
                when = measure.when
                counted = [facts for facts in members if when is None or when.python(facts, window)]
                values.append(
                    len(counted)
                    if protection is None
                    else _Cell(len(counted), protection.keys.cell(f["id"] for f in counted))
                )
            else:
                values.append(
                    lower_median(
                        facts[measure.field]
                        for facts in members
                        if facts[measure.field] is not None
                    )
                )
        found[key] = tuple(values)
    return found


def _python_per_worker(
    part: PerWorker, records: Records, grouping: Grouping
) -> dict[tuple[object, ...], Row]:
    window = grouping.window
    caseloads: dict[tuple[object, ...], Counter[str]] = defaultdict(Counter)
    if not grouping.by:
        caseloads[()] = Counter()
    for facts in records.case_facts():
        worker = facts["worker"]
        if worker is None or not part.select.python(facts, window) or not grouping.keeps(facts):
            continue
        for key in grouping.keys(facts, None):
            caseloads[key][worker] += 1
    protection = grouping.protection
    if protection is None:
        return {key: part.band_counts(loads.values()) for key, loads in caseloads.items()}
    keys = protection.keys
    found: dict[tuple[object, ...], Row] = {}
    for group, loads in caseloads.items():
        counted = [list(loads), *([] for _ in part.bands)]
        for worker, load in loads.items():
            for band, (_name, low, high) in enumerate(part.bands, start=1):
                if low <= load and (high is None or load <= high):
                    counted[band].append(worker)
        found[group] = tuple(
            _Cell(len(workers), sum(map(keys.of_worker, workers)) % MODULUS) for workers in counted
        )
    return found


# Grouping in SQL ----------------------------------------------------------------------------


class _Read(dict[str, sa.ColumnElement[Any]]):
    """The SQL fields of a statement, remembering which were read (to leave out joins)."""

    def __init__(self, fields: Mapping[str, sa.ColumnElement[Any]]) -> None:
        super().__init__(fields)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> sa.ColumnElement[Any]:
        self.read.add(name)
        return super().__getitem__(name)


@attrs.frozen
class _SqlSource:
    """A part's rows in SQL: the fields (read ones remembered) and the filter conditions."""

    source: Source
    fields: _Read
    conditions: list[sa.ColumnElement[Any]]
    concern_join: Callable[[sa.FromClause], sa.FromClause] | None
    #: For each period dimension, a cheaper expression that parts rows as its bucket does.
    partitions: dict[str, sa.ColumnElement[Any]]
    #: For each period dimension grouped by text, what turns a fetched value into its key.
    readers: dict[str, Callable[[object], int | None]]

    def from_clause(self) -> sa.FromClause:
        """Return the ``FROM`` clause, with only the joins the fields read so far need."""
        from_clause = self.source.from_for(self.fields.read)
        return from_clause if self.concern_join is None else self.concern_join(from_clause)

    def key_reader(self, by: Sequence[str]) -> Callable[[Sequence[Any]], tuple[object, ...]]:
        """Return what turns the first values of a fetched row into a group's key."""
        width = len(by)
        readers = [
            (index, self.readers[dimension])
            for index, dimension in enumerate(by)
            if dimension in self.readers
        ]
        if not readers:
            return lambda row: tuple(row[:width])

        def read(row: Sequence[Any]) -> tuple[object, ...]:
            key = list(row[:width])
            for index, reader in readers:
                key[index] = reader(key[index])
            return tuple(key)

        return read


def _sql_source(
    sql: SqlReport, subject: str, grouping: Grouping, period_field: str | None
) -> _SqlSource:
    """Return the fields and the filter conditions of a part; ask for its ``FROM`` last."""
    source = sql_fields(sql, subject)
    fields = _Read(source.fields)
    conditions: list[sa.ColumnElement[Any]] = []
    concerns = sql.concerns()
    kept_concerns = grouping.where.get("concern")
    concern_join: Callable[[sa.FromClause], sa.FromClause] | None = None
    if "concern" in grouping.by:
        alias = concerns.alias("report_concern")
        on: sa.ColumnElement[bool] = alias.c.case_id == source.case_id
        if kept_concerns is not None:
            on = sa.and_(on, alias.c.concern.in_(sorted(kept_concerns)))
            conditions.append(alias.c.concern.is_not(None))

        def concern_join(from_clause: sa.FromClause) -> sa.FromClause:
            return from_clause.outerjoin(alias, on)

        fields["concern"] = alias.c.concern
    elif kept_concerns is not None:
        conditions.append(
            sa.select(concerns.c.case_id)
            .where(
                concerns.c.case_id == source.case_id,
                concerns.c.concern.in_(sorted(kept_concerns)),
            )
            .exists()
        )
    for dimension, values in grouping.where.items():
        if dimension != "concern":
            conditions.append(fields[dimension].in_(sorted(values)))
    partitions: dict[str, sa.ColumnElement[Any]] = {}
    readers: dict[str, Callable[[object], int | None]] = {}
    for dimension in grouping.by:
        if dimension in PERIOD_DIMENSIONS:
            if period_field is None:
                fields[dimension] = sa.null()
            else:
                day = fields[period_field]
                fields[dimension], reader = period_grouping(dimension, day, sql.dialect)
                partitions[dimension] = period_partition(dimension, day, sql.dialect)
                if reader is not None:
                    readers[dimension] = reader
    return _SqlSource(source, fields, conditions, concern_join, partitions, readers)


def _sql_part(part: Part, sql: SqlReport, grouping: Grouping) -> dict[tuple[object, ...], Row]:
    window = grouping.window
    rows = _sql_source(sql, part.subject, grouping, part.period_field)
    fields = rows.fields
    dims = [fields[dimension].label(f"d{index}") for index, dimension in enumerate(grouping.by)]
    partition = [rows.partitions.get(dimension, fields[dimension]) for dimension in grouping.by]
    inner: list[sa.ColumnElement[Any]] = list(dims)
    # The lower median as one aggregate of the database where it has one (or is given one),
    # else from each row's rank in its group.
    direct = sql.has_lower_median
    protection = grouping.protection
    if protection is not None:
        inner.append(protection.keys.sql(fields["id"], sql).label("k"))
    for index, measure in enumerate(part.measures):
        if isinstance(measure, Count):
            when = measure.when
            # 1 for a record counted, NULL for one not: counted with count(), which gives whole
            # numbers (0 for none) on every database, where sum() gives NULL for none.
            flag = sa.literal(1) if when is None else sa.case((when.sql(fields, window), 1))
            inner.append(flag.label(f"m{index}"))
        else:
            value = fields[measure.field]
            inner.append(value.label(f"v{index}"))
            if not direct:
                inner.extend(
                    (
                        sa.func.row_number()
                        .over(partition_by=partition or None, order_by=value.asc().nulls_last())
                        .label(f"r{index}"),
                        sa.func.count(value)
                        .over(partition_by=partition or None)
                        .label(f"n{index}"),
                    )
                )
    where = part.select.sql(fields, window)
    statement = sa.select(*inner).select_from(rows.from_clause()).where(where, *rows.conditions)
    if protection is not None:
        # OFFSET 0 keeps the database from merging the subquery into the outer one, which
        # would compute each row's key once per count instead of once.
        statement = statement.offset(0)
    selected = statement.subquery("report_rows")
    columns = selected.c
    outer: list[sa.ColumnElement[Any]] = [columns[f"d{index}"] for index in range(len(dims))]
    outer.extend(_grouped_measures(part, columns, sql, keyed=protection is not None))
    statement = sa.select(*outer)
    if dims:
        statement = statement.group_by(*outer[: len(dims)])
    key = rows.key_reader(grouping.by)
    width = len(dims)
    if protection is None:
        # Counts are whole numbers and medians whole numbers or NULL, as fetched.
        return {key(row): tuple(row[width:]) for row in sql.execute(statement)}
    counts = [isinstance(measure, Count) for measure in part.measures]
    return {key(row): _sql_measures(counts, row[width:]) for row in sql.execute(statement)}


def _grouped_measures(
    part: Part, columns: Any, sql: SqlReport, *, keyed: bool
) -> list[sa.ColumnElement[Any]]:
    """Return the aggregates of a part's measures over its rows' ``columns`` (``m``, ``v``...).

    A count is followed by the sum of its records' keys when ``keyed``.
    """
    found: list[sa.ColumnElement[Any]] = []
    for index, measure in enumerate(part.measures):
        if isinstance(measure, Count):
            found.append(sa.func.count(columns[f"m{index}"]))
            if keyed:
                found.append(sa.func.sum(columns[f"m{index}"] * columns.k))
            continue
        median = sql.lower_median(columns[f"v{index}"])
        if median is None:
            rank, size = columns[f"r{index}"], columns[f"n{index}"]
            middle = sa.or_(rank * 2 == size, rank * 2 == size + 1)
            median = sa.func.min(sa.case((middle, columns[f"v{index}"]), else_=sa.null()))
        found.append(median)
    return found


def _sql_measures(counts: Sequence[bool], values: Sequence[object]) -> Row:
    """Return the measures of a grouped row under protection: each count with its cell key.

    The statement gave each count followed by the sum of its records' keys.
    """
    fetched = iter(values)
    measures: list[object] = []
    for count in counts:
        value = next(fetched)
        if not count:
            measures.append(value)
            continue
        number = 0 if value is None else int(cast("int", value))
        key_sum = next(fetched)
        total = 0 if key_sum is None else int(cast("int", key_sum))
        measures.append(_Cell(number, total % MODULUS))
    return tuple(measures)


def _sql_per_worker(
    part: PerWorker, sql: SqlReport, grouping: Grouping
) -> dict[tuple[object, ...], Row]:
    window = grouping.window
    rows = _sql_source(sql, CASES, grouping, None)
    fields = rows.fields
    dims = [fields[dimension].label(f"d{index}") for index, dimension in enumerate(grouping.by)]
    worker = fields["worker"]
    where = part.select.sql(fields, window)
    per_worker = (
        sa.select(*dims, worker.label("worker"), sa.func.count().label("caseload"))
        .select_from(rows.from_clause())
        .where(worker.is_not(None), where, *rows.conditions)
        .group_by(*[fields[dimension] for dimension in grouping.by], worker)
        .subquery("report_workers")
    )
    columns = per_worker.c
    keys = [columns[f"d{index}"] for index in range(len(dims))]
    load = columns.caseload
    bands = [
        sa.func.sum(sa.case((load >= low if high is None else load.between(low, high), 1), else_=0))
        for _name, low, high in part.bands
    ]
    protection = grouping.protection
    key = rows.key_reader(grouping.by)
    if protection is None:
        statement = sa.select(*keys, sa.func.count(), *bands)
        if keys:
            statement = statement.group_by(*keys)
        return {
            key(row): tuple(0 if value is None else int(value) for value in row[len(keys) :])
            for row in sql.execute(statement)
        }
    worker_key = protection.keys.sql_worker(columns.worker, sql)
    key_sums = [
        sa.func.sum(
            sa.case((load >= low if high is None else load.between(low, high), worker_key), else_=0)
        )
        for _name, low, high in part.bands
    ]
    statement = sa.select(*keys, sa.func.count(), sa.func.sum(worker_key), *bands, *key_sums)
    if keys:
        statement = statement.group_by(*keys)
    found: dict[tuple[object, ...], Row] = {}
    for row in sql.execute(statement):
        values = [0 if value is None else int(value) for value in row[len(keys) :]]
        counts = [values[0], *values[2 : 2 + len(bands)]]
        key_sum = [values[1], *values[2 + len(bands) :]]
        found[key(row)] = tuple(
            _Cell(count, total % MODULUS) for count, total in zip(counts, key_sum, strict=True)
        )
    return found


# Declared indicators -----------------------------------------------------------------------


@attrs.frozen
class Declared:
    """An indicator's computation, declared once and run in Python or compiled to SQL.

    :param parts: what is grouped and measured; parts' rows are merged by key (a count missing
        from a part's rows is 0, a median ``None``).
    :param derived: measures computed from the others in each row (:class:`Share`,
        :class:`Sum`).
    """

    parts: tuple[Part | PerWorker, ...]
    derived: tuple[Share | Sum, ...] = ()

    @property
    def measures(self) -> tuple[str, ...]:
        """The names of every measure, in the order the parts and derived measures give them."""
        names: list[str] = []
        for part in self.parts:
            if isinstance(part, PerWorker):
                names.extend(part.measure_names)
            else:
                names.extend(measure.name for measure in part.measures)
        names.extend(measure.name for measure in self.derived)
        return tuple(names)

    def compute(self, records: Records, grouping: Grouping, order: Sequence[str]) -> list[Row]:
        """Return the rows computed in Python, measures in the order ``order``."""
        found = [
            _python_per_worker(part, records, grouping)
            if isinstance(part, PerWorker)
            else _python_part(part, records, grouping)
            for part in self.parts
        ]
        return self._merge(found, order, grouping.protection)

    def compute_sql(self, sql: SqlReport, grouping: Grouping, order: Sequence[str]) -> list[Row]:
        """Return the same rows computed by grouped SQL statements, one per part."""
        found = [
            _sql_per_worker(part, sql, grouping)
            if isinstance(part, PerWorker)
            else _sql_part(part, sql, grouping)
            for part in self.parts
        ]
        return self._merge(found, order, grouping.protection)

    def additive(self, by: Sequence[str]) -> bool:
        """Return whether the totals of a table by ``by`` are the sums of its rows.

        They are when every measure is a :class:`Count` (the derived :class:`Share` and
        :class:`Sum` are then worked out again from the summed counts) and no dimension puts a
        record in several rows (``concern``).  A :class:`Median` or a :class:`PerWorker` band is
        not the sum of its groups' values.
        """
        return "concern" not in by and all(
            isinstance(part, Part) and all(isinstance(m, Count) for m in part.measures)
            for part in self.parts
        )

    def totals(self, rows: Iterable[Row], dimensions: int, order: Sequence[str]) -> Row:
        """Return the totals row of ``rows`` (each with ``dimensions`` keys) by adding them up.

        Only for tables whose totals are sums (see :meth:`additive`); the measures come in the
        order ``order``, as in the rows.

        >>> from wladna_core.reporting.engine import happened
        >>> made = Part(REFERRALS, happened("made_on"), "made_on", (Count("made"), Count("ok")))
        >>> computation = declared(made, derived=[Share("rate", "ok", ("made",))])
        >>> rows = [("MA-RAB", 3, 1, 1 / 3), ("MA-SAL", 1, 1, 1.0)]
        >>> computation.totals(rows, 1, computation.measures)
        (4, 2, 0.5)
        """
        derived = {measure.name for measure in self.derived}
        columns = list(zip(*rows, strict=True)) or [() for _ in range(dimensions + len(order))]
        values: dict[str, object] = {
            name: _total(columns[dimensions + index])
            for index, name in enumerate(order)
            if name not in derived
        }
        for measure in self.derived:
            values[measure.name] = measure.value(values)
        return tuple(values[name] for name in order)

    def _merge(
        self,
        found: Sequence[Mapping[tuple[object, ...], Row]],
        order: Sequence[str],
        protection: CellKeyMethod | None = None,
    ) -> list[Row]:
        if protection is not None:
            # Counts are published first; shares and sums are worked out from what is published.
            found = [
                {
                    key: tuple(
                        protection.perturb(value.count, value.key)
                        if isinstance(value, _Cell)
                        else value
                        for value in row
                    )
                    for key, row in rows.items()
                }
                for rows in found
            ]
        if len(found) == 1 and not self.derived and tuple(order) == self.measures:
            # One part, measured as asked: its rows as they are.
            return [key + row for key, row in found[0].items()]
        keys: dict[tuple[object, ...], None] = {}
        for rows in found:
            keys.update(dict.fromkeys(rows))
        # Each part's measure names, and its values for a group it has no row for.
        shapes: list[tuple[Sequence[str], Row]] = []
        for part in self.parts:
            if isinstance(part, PerWorker):
                shapes.append((part.measure_names, (0,) * len(part.measure_names)))
            else:
                shapes.append(
                    (
                        [measure.name for measure in part.measures],
                        tuple(0 if isinstance(m, Count) else None for m in part.measures),
                    )
                )
        merged: list[Row] = []
        for key in keys:
            values: dict[str, object] = {}
            for (names, missing), rows in zip(shapes, found, strict=True):
                values.update(zip(names, rows.get(key, missing), strict=True))
            for measure in self.derived:
                value = measure.value(values)
                if protection is not None and isinstance(measure, Share) and value is not None:
                    # Rounded counts can put more above the line than below it.
                    value = min(1.0, cast("float", value))
                values[measure.name] = value
            merged.append(key + tuple(values[name] for name in order))
        return merged


def declared(*parts: Part | PerWorker, derived: Iterable[Share | Sum] = ()) -> Declared:
    """Return the :class:`Declared` computation of ``parts`` and ``derived`` measures."""
    return Declared(tuple(parts), tuple(derived))


# Conditions used by the built-in indicators, and by plug-ins that wish to --------------------


def happened(field: str) -> Condition:
    """Return the condition "the date ``field`` is in the window"."""
    return Condition(
        lambda facts, window: window.holds(facts[field]),
        lambda columns, window: window.holds_sql(columns[field]),
    )


def is_one_of(field: str, *values: str) -> Condition:
    """Return the condition "``field`` is one of ``values``"."""
    kept = frozenset(values)
    return Condition(
        lambda facts, _window: facts[field] in kept,
        lambda columns, _window: columns[field].in_(sorted(kept)),
    )


def open_on_end(prefix: str = "") -> Condition:
    """Return "the case is open on the window's last day": opened by then, not closed by then.

    A transferred or duplicate case is never open: the case continuing it is counted instead.
    ``prefix`` is ``"case_"`` for the case of a referral.
    """
    opened, closed, status = f"{prefix}opened_on", f"{prefix}closed_on", f"{prefix}status"

    def python(facts: Facts, window: Window) -> bool:
        closed_on = facts[closed]
        return (
            facts[opened] is not None
            and facts[opened] <= window.end
            and (closed_on is None or closed_on > window.end)
            and facts[status] not in _GONE
        )

    def sql(columns: Columns, window: Window) -> sa.ColumnElement[bool]:
        return sa.and_(
            columns[opened] <= window.end,
            sa.or_(columns[closed].is_(None), columns[closed] > window.end),
            columns[status].not_in(sorted(_GONE)),
        )

    return Condition(python, sql)
