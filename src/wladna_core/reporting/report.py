"""What a report is: tables of figures by dimension, with totals and suppressed cells marked.

A :class:`Report` holds one :class:`ReportTable` per indicator asked for.  A table's rows start
with the values of its dimensions (``province``, ``month``...) followed by the values of its
measures (``count``, or ``made``/``accepted``/``rate``...); its :attr:`ReportTable.totals` hold
each measure over all rows.  A table is a :class:`~wladna_core.renderers.Tabular`, so every
renderer writes it; :attr:`ReportTable.rows` shows suppressed cells as :data:`SUPPRESSED` and
ends with the totals row.

>>> from datetime import date
>>> table = ReportTable(
...     indicator="cases_opened",
...     title="Cases opened",
...     dimensions=("province",),
...     measures=("count",),
...     body=(("MA-RAB", 12), ("MA-SAL", None)),
...     totals=(15,),
...     suppressed=frozenset({(1, 0)}),
... )
>>> table.columns
('province', 'count')
>>> table.rows
(('MA-RAB', 12), ('MA-SAL', '[c]'), ('Total', 15))
>>> report = Report(
...     title="Dashboard", tables=(table,), period=Period(date(2026, 1, 1), date(2026, 12, 31))
... )
>>> report.table("cases_opened").value(("MA-RAB",), "count")
12
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

import attrs

__all__ = [
    "SUPPRESSED",
    "TOTAL_LABEL",
    "Period",
    "Privacy",
    "Report",
    "ReportTable",
]

#: How a suppressed cell is shown in :attr:`ReportTable.rows` ("confidential"): the value is
#: withheld, whether it was small itself or withheld so that a small one cannot be recovered.
SUPPRESSED: Final = "[c]"

#: The label of the totals row in :attr:`ReportTable.rows`.
TOTAL_LABEL: Final = "Total"


class Privacy(enum.StrEnum):
    """Who a report is for, which decides whether small cells are suppressed."""

    #: Inside the body that holds the records: figures are shown as they are.
    INTERNAL = "internal"
    #: Leaving the body (national analysts, publications): small cells are suppressed.
    PUBLIC = "public"


def _a_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date):
        msg = f"{attribute.name} must be a date, got {type(value).__name__}"
        raise TypeError(msg)


@attrs.frozen
class Period:
    """The days a report covers, both ends included.

    :raises ValueError: if ``end`` is before ``start``.
    """

    start: date = attrs.field(validator=_a_date)
    end: date = attrs.field(validator=_a_date)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            msg = f"a period ends on or after its start, got {self.start} to {self.end}"
            raise ValueError(msg)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


def _rows(value: Any) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(row) for row in value)


def _positions(value: Any) -> frozenset[tuple[int, int]]:
    return frozenset((int(row), int(measure)) for row, measure in value)


def _text_mapping(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


def _optional_tuple(value: Any) -> tuple[object, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen
class ReportTable:
    """One indicator's figures, by the dimensions asked for.

    :param indicator: the indicator's stable name, e.g. ``cases_opened``.
    :param title: a one-line title for people, e.g. ``Cases opened``.
    :param dimensions: the names of the dimensions the figures are broken down by, in order.
    :param measures: the names of the values each row carries, e.g. ``("count",)``.
    :param body: the rows: the dimensions' values, then the measures' values; a suppressed
        measure holds ``None``.
    :param totals: each measure over all rows (``None`` where suppressed), or ``None`` when a
        total makes no sense for the indicator (e.g. a median).
    :param suppressed: the (row, measure) positions withheld for privacy, counted from 0 in
        ``body`` and ``measures``; ``(-1, m)`` marks a suppressed total.
    :param unit: what the measures are: ``count``, ``share`` (0 to 1) or ``days``.
    :param definition: one paragraph saying exactly what is counted.
    :raises ValueError: if a row does not have one value per dimension and measure, or a
        suppressed position is outside the table.
    """

    indicator: str
    title: str
    dimensions: tuple[str, ...] = attrs.field(converter=_tuple)
    measures: tuple[str, ...] = attrs.field(converter=_tuple)
    body: tuple[tuple[object, ...], ...] = attrs.field(converter=_rows, default=())
    totals: tuple[object, ...] | None = attrs.field(converter=_optional_tuple, default=None)
    suppressed: frozenset[tuple[int, int]] = attrs.field(converter=_positions, default=frozenset())
    unit: str = "count"
    definition: str = ""

    def __attrs_post_init__(self) -> None:
        width = len(self.dimensions) + len(self.measures)
        for number, row in enumerate(self.body):
            if len(row) != width:
                msg = (
                    f"table {self.indicator!r}: row {number} has {len(row)} values for "
                    f"{width} columns"
                )
                raise ValueError(msg)
        if self.totals is not None and len(self.totals) != len(self.measures):
            msg = (
                f"table {self.indicator!r}: {len(self.totals)} totals for "
                f"{len(self.measures)} measures"
            )
            raise ValueError(msg)
        for position, measure in self.suppressed:
            if not (-1 <= position < len(self.body) and 0 <= measure < len(self.measures)):
                msg = (
                    f"table {self.indicator!r}: suppressed cell {(position, measure)} is outside it"
                )
                raise ValueError(msg)

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names: the dimensions, then the measures."""
        return self.dimensions + self.measures

    @property
    def rows(self) -> tuple[tuple[object, ...], ...]:
        """The rows to show: suppressed cells as :data:`SUPPRESSED`, then the totals row."""
        keys = len(self.dimensions)
        shown: list[tuple[object, ...]] = []
        for number, row in enumerate(self.body):
            values = tuple(
                SUPPRESSED if (number, index) in self.suppressed else value
                for index, value in enumerate(row[keys:])
            )
            shown.append(row[:keys] + values)
        if self.totals is not None:
            label: tuple[object, ...] = (TOTAL_LABEL,) + ("",) * (keys - 1) if keys else ()
            totals = tuple(
                SUPPRESSED if (-1, index) in self.suppressed else value
                for index, value in enumerate(self.totals)
            )
            shown.append(label + totals)
        return tuple(shown)

    def keys(self) -> tuple[tuple[object, ...], ...]:
        """Return the dimension values of each row of :attr:`body`, in order."""
        keys = len(self.dimensions)
        return tuple(row[:keys] for row in self.body)

    def value(self, key: tuple[object, ...], measure: str | None = None) -> object:
        """Return the value of ``measure`` (the first when omitted) in the row keyed ``key``.

        :raises KeyError: if no row has that key or the table has no such measure.
        """
        index = 0 if measure is None else self._measure_index(measure)
        keys = len(self.dimensions)
        for row in self.body:
            if row[:keys] == tuple(key):
                return row[keys + index]
        msg = f"table {self.indicator!r} has no row {key!r}"
        raise KeyError(msg)

    def _measure_index(self, measure: str) -> int:
        try:
            return self.measures.index(measure)
        except ValueError:
            msg = f"table {self.indicator!r} has no measure {measure!r}; it has {self.measures}"
            raise KeyError(msg) from None


@attrs.frozen
class Report:
    """Tables of figures, one per indicator, over one period.

    :param title: the report's title.
    :param tables: one table per indicator, in the order asked for.
    :param period: the days covered, or ``None`` for all records.
    :param privacy: :attr:`Privacy.PUBLIC` when small cells were suppressed.
    :param threshold: the smallest count shown in a public report (cells below it suppressed).
    :param filters: the filters applied (``where``), as text, for the reader.
    :param generated_on: the day the report was computed.
    :param rounding: the base every count was rounded to by the cell-key method
        (:mod:`wladna_core.reporting.cellkey`), or ``None`` when counts are as computed (with
        small cells suppressed in a public report).
    """

    title: str
    tables: tuple[ReportTable, ...] = attrs.field(converter=_tuple)
    period: Period | None = None
    privacy: Privacy = Privacy.INTERNAL
    threshold: int | None = None
    filters: Mapping[str, str] = attrs.field(factory=dict, converter=_text_mapping)
    generated_on: date | None = None
    rounding: int | None = None

    def table(self, indicator: str) -> ReportTable:
        """Return the table of ``indicator``.

        :raises KeyError: if the report has no table for it.
        """
        for table in self.tables:
            if table.indicator == indicator:
                return table
        names = ", ".join(table.indicator for table in self.tables)
        msg = f"the report has no table {indicator!r}; it has {names}"
        raise KeyError(msg)
