"""Make a :class:`~wladna_core.reporting.Report`: indicators computed by the store, by dimension.

:func:`build_report` checks the request (indicators known, dimensions and filters allowed,
period sound), asks the store to compute each indicator through
:meth:`Store.aggregate <wladna_core.storage.Store.aggregate>` (by the dimensions asked for, and
once more without dimension for the totals, unless they are the sums of the rows), and, for a
report leaving its body, withholds small cells (:func:`wladna_core.reporting.privacy.suppress`)
— or, under the cell-key method (``protection=``, :mod:`wladna_core.reporting.cellkey`), has
every count rounded in the store by its cell key, the totals as cells of their own, and
withholds the medians whose counts do not prove enough records.

A table broken down by dimensions has one row per group and a totals row computed over every
record kept: a case with two concerns is in two rows of a table by concern, and once in its
total.  The totals of a declared indicator whose measures are all counts (and the shares and
sums of counts), broken down by dimensions that put each record in one row, are the sums of
the rows: they are added up from the rows, without a second computation.  A table without
dimensions has one row and no totals.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import attrs

from wladna_core.deadlines import Deadlines
from wladna_core.model import TerritoryLevel
from wladna_core.plugins import indicators_from
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, Declared, Median, Part, Row, Window
from wladna_core.reporting.indicators import (
    DimensionNotAllowed,
    Indicator,
    IndicatorQuery,
    ReportError,
    ReportFilter,
    UnknownIndicator,
)
from wladna_core.reporting.privacy import (
    PrivacyError,
    _withhold,
    count_measures,
    suppress,
)
from wladna_core.reporting.report import Period, Privacy, Report, ReportTable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pluggy

    from wladna_core.model import Gazetteer
    from wladna_core.reporting.cellkey import CellKeyMethod
    from wladna_core.storage.ports import Store

__all__ = ["DEFAULT_TITLE", "available_indicators", "build_report", "period_label"]

#: The title of a report not given one.
DEFAULT_TITLE: Final = "Report"


def available_indicators(plugins: pluggy.PluginManager) -> dict[str, Indicator]:
    """Return the indicators the plug-ins of ``plugins`` offer, by name.

    :raises PluginHookError: if a plug-in's hook fails, offers something that is not an
        :class:`Indicator` (which no store could compute), or two offer the same name; the
        message names the plug-in.
    """
    return indicators_from(plugins)


def period_label(dimension: str, key: object) -> object:
    """Return how a period dimension's key is shown: ``2026-01``, ``2026-Q1``, ``2026``.

    >>> period_label("month", 202601), period_label("quarter", 20261), period_label("year", 2026)
    ('2026-01', '2026-Q1', '2026')
    """
    if not isinstance(key, int):
        return key
    if dimension == "month":
        return f"{key // 100:04d}-{key % 100:02d}"
    if dimension == "quarter":
        return f"{key // 10:04d}-Q{key % 10}"
    return f"{key:04d}"


def _names(indicators: Sequence[str] | str) -> tuple[str, ...]:
    names = (indicators,) if isinstance(indicators, str) else tuple(indicators)
    if not names:
        msg = "a report needs at least one indicator; name one, e.g. 'cases_opened'"
        raise ReportError(msg)
    return names


def _check_request(
    chosen: Sequence[Indicator], by: tuple[str, ...], where: Mapping[str, frozenset[str]]
) -> None:
    repeated = sorted({dimension for dimension in by if by.count(dimension) > 1})
    if repeated:
        msg = f"the dimension(s) {', '.join(repeated)} are asked for twice in by=; name each once"
        raise ReportError(msg)
    for indicator in chosen:
        for dimension in by:
            if dimension not in indicator.dimensions:
                raise DimensionNotAllowed(indicator.name, dimension, indicator.dimensions)
        for dimension in where:
            if dimension not in indicator.dimensions or dimension in PERIOD_DIMENSIONS:
                allowed = [name for name in indicator.dimensions if name not in PERIOD_DIMENSIONS]
                raise DimensionNotAllowed(indicator.name, dimension, allowed, "filtered on")


def _check_territories(gazetteer: Gazetteer, where: Mapping[str, frozenset[str]]) -> None:
    for dimension, wanted in (("region", "a region"), ("province", "a province or prefecture")):
        for code in sorted(where.get(dimension, ())):
            level = gazetteer.get(code).level if code in gazetteer else None
            fits = (
                level is TerritoryLevel.REGION
                if dimension == "region"
                else level is not None and level.is_provincial
            )
            if not fits:
                shown = "unknown" if level is None else f"a {level.value}"
                msg = (
                    f"the report filter {dimension} got {code!r}, which is {shown}, not "
                    f"{wanted}; give ISO 3166-2 codes such as "
                    f"{'MA-04' if dimension == 'region' else 'MA-SAL'}"
                )
                raise ReportError(msg)


def _window(period: object, on: object, deadlines: object) -> Window:
    if not isinstance(on, date) or isinstance(on, datetime):
        msg = f"on= is the report's date, a datetime.date; got {type(on).__name__}"
        raise ReportError(msg)
    if period is not None and not isinstance(period, Period):
        msg = (
            f"period= takes a Period (start and end dates, both included), got "
            f"{type(period).__name__}; e.g. Period(date(2026, 1, 1), date(2026, 3, 31))"
        )
        raise ReportError(msg)
    if period is not None and period.end > on:
        msg = (
            f"the period {period} ends after the report's date {on.isoformat()}: nothing is "
            "known of those days yet; end the period on or before on="
        )
        raise ReportError(msg)
    if deadlines is not None and not isinstance(deadlines, Deadlines):
        msg = f"deadlines= takes a Deadlines, got {type(deadlines).__name__}"
        raise ReportError(msg)
    return Window(
        start=None if period is None else period.start,
        end=on if period is None else period.end,
        deadlines=deadlines if deadlines is not None else Deadlines(),
    )


def _declared(indicator: Indicator) -> Declared | None:
    """Return the declared computation behind an indicator, ``None`` if it has none.

    :meth:`Indicator.declare` makes both its functions over one :class:`Declared` (in their
    closures); an indicator made otherwise, or whose two functions disagree, has none.
    """
    found: list[Declared] = []
    for function in (indicator.compute, indicator.sql):
        cells = getattr(function, "__closure__", None) or ()
        computations = [
            cell.cell_contents for cell in cells if isinstance(cell.cell_contents, Declared)
        ]
        if len(computations) != 1:
            return None
        found.extend(computations)
    computation = found[0]
    if found[1] is not computation or computation.measures != indicator.measures:
        return None
    return computation


def _totals(
    store: Store, indicator: Indicator, query: IndicatorQuery, body: Sequence[Row]
) -> Row | None:
    """Return the totals row of a table: added up from ``body`` when it may be, else computed.

    Under the cell-key method the totals are cells of their own, always computed: the sum of
    rounded rows would be another figure for the same records.
    """
    if not query.by:
        # Without dimensions the one row is the whole figure: a totals row would repeat it.
        return None
    computation = _declared(indicator)
    if query.protection is None and computation is not None and computation.additive(query.by):
        return computation.totals(body, len(query.by), indicator.measures)
    whole = IndicatorQuery(indicator, (), query.where, query.window, query.protection)
    return store.aggregate(whole)[0]


def _protected(indicator: Indicator) -> Declared | None:
    """Return the declared computation of an indicator reported under the cell-key method.

    ``None`` for a keyed indicator made otherwise (:attr:`Indicator.keyed`), which protects its
    rows itself.

    :raises PrivacyError: for an indicator neither made with :meth:`Indicator.declare` nor
        keyed, whose computation cannot key its counts.
    """
    computation = _declared(indicator)
    if computation is None and not indicator.keyed:
        msg = (
            f"the indicator {indicator.name!r} is not declared (Indicator.declare), so its "
            "counts cannot be protected by the cell-key method that reports for aggregate-only "
            "actors use; ask the deployment's operator for it, or declare it in its plug-in"
        )
        raise PrivacyError(msg)
    return computation


def _withhold_medians(
    table: ReportTable, indicator: Indicator, computation: Declared, method: CellKeyMethod
) -> ReportTable:
    """Withhold each median whose counts, as published, do not prove ``threshold`` records."""
    counts = count_measures(table, indicator.counts_behind)
    index = {name: number for number, name in enumerate(table.measures)}
    medians = {
        measure.name: indicator.counts_behind.get(measure.name, counts)
        for part in computation.parts
        if isinstance(part, Part)
        for measure in part.measures
        if isinstance(measure, Median)
    }
    keys = len(table.dimensions)
    rows = [row[keys:] for row in table.body]
    positions = list(enumerate(rows))
    if table.totals is not None:
        positions.append((-1, table.totals))
    withheld: set[tuple[int, int]] = set(table.suppressed)
    for number, values in positions:
        for name, basis in medians.items():
            published = [values[index[count]] for count in basis]
            proven = all(
                isinstance(value, int) and method.proves_threshold(value) for value in published
            )
            if not proven:
                withheld.add((number, index[name]))
    if withheld == set(table.suppressed):
        return table
    return _withhold(table, frozenset(withheld))


def _without_empty_groups(table: ReportTable, indicator: Indicator) -> ReportTable:
    """Leave out the rows whose counts are all published as 0.

    A row exists only for a group of at least one record: shown with its counts rounded down
    to 0, it would tell that the group holds from 1 to ``base - 1`` records, which the rounding
    hides — and, with a total, how many.  Without them, which rows a table has follows from the
    published figures alone.  The totals row stays.
    """
    counts = count_measures(table, indicator.counts_behind)
    if not table.dimensions or not counts:
        return table
    index = {name: number for number, name in enumerate(table.measures)}
    keys = len(table.dimensions)
    body = tuple(row for row in table.body if any(row[keys + index[name]] != 0 for name in counts))
    return table if len(body) == len(table.body) else attrs.evolve(table, body=body)


def _withhold_below_threshold(
    table: ReportTable, indicator: Indicator, method: CellKeyMethod
) -> ReportTable:
    """Withhold each published count from 1 to ``threshold - 1``, and what rests on it.

    Counts are rounded to the deployment's base whatever threshold is asked: a higher threshold
    only withholds more of the same published figures, so that asking again with other
    thresholds tells nothing new (rounding to each threshold as a base, with one cell key,
    would tell a count exactly from enough answers).
    """
    counts = set(count_measures(table, indicator.counts_behind))
    index = {name: number for number, name in enumerate(table.measures)}
    keys = len(table.dimensions)
    positions: list[tuple[int, Row]] = [
        (number, row[keys:]) for number, row in enumerate(table.body)
    ]
    if table.totals is not None:
        positions.append((-1, table.totals))
    withheld: set[tuple[int, int]] = set(table.suppressed)
    for number, values in positions:
        small = {
            name
            for name in counts
            if isinstance(value := values[index[name]], int) and 0 < value < method.threshold
        }
        for name in small:
            withheld.add((number, index[name]))
        for name, basis in indicator.counts_behind.items():
            if small & set(basis):
                withheld.add((number, index[name]))
    if withheld == set(table.suppressed):
        return table
    return _withhold(table, frozenset(withheld))


#: Labels of period keys, each worked out once (a table repeats a few periods in many rows).
_period_label = functools.lru_cache(maxsize=4096)(period_label)


def _shown(by: tuple[str, ...], rows: Sequence[Row]) -> list[Row]:
    keys = len(by)
    periods = [index for index, dimension in enumerate(by) if dimension in PERIOD_DIMENSIONS]
    labelled: Sequence[Row] = rows
    if periods:
        labelled = []
        for row in rows:
            shown = list(row)
            for index in periods:
                shown[index] = _period_label(by[index], shown[index])
            labelled.append(tuple(shown))
    try:
        # Without a missing key, the keys themselves sort as below, and much faster; a missing
        # key compared with a present one stops this at once.
        return sorted(labelled, key=lambda row: row[:keys])
    except TypeError:
        return sorted(labelled, key=lambda row: [(value is None, value) for value in row[:keys]])


def build_report(
    store: Store,
    indicators: Sequence[str],
    *,
    by: Sequence[str] = (),
    where: ReportFilter | Mapping[str, object] | None = None,
    period: Period | None = None,
    on: date,
    privacy: Privacy = Privacy.INTERNAL,
    threshold: int = 5,
    plugins: pluggy.PluginManager,
    deadlines: Deadlines | None = None,
    title: str | None = None,
    protection: CellKeyMethod | None = None,
) -> Report:
    """Compute ``indicators`` on ``store``, broken down ``by`` dimensions, into a report.

    :param store: the store whose records are counted; it computes (SQL stores in the database).
    :param indicators: indicator names, e.g. ``["cases_opened", "referrals"]``; one table each.
    :param by: the dimensions of every table, in order (e.g. ``["province", "month"]``); each
        must be allowed by every indicator asked for.
    :param where: filters (:class:`ReportFilter`, or a mapping of filter or dimension names).
    :param period: the days whose events are counted; stocks are counted on its last day.
        Without it, every event up to ``on`` is counted and stocks on ``on``.
    :param on: the report's date.
    :param privacy: :attr:`Privacy.PUBLIC` withholds small cells (:func:`suppress`).
    :param threshold: the smallest count shown in a public report.
    :param plugins: the plug-in manager that offers the indicators.
    :param deadlines: the deadlines that overdue work is judged by; the defaults when omitted.
    :param title: the report's title.
    :param protection: the cell-key method (:mod:`wladna_core.reporting.cellkey`): every count
        is rounded by its cell key, consistently across tables and reports, in place of
        ``privacy`` and ``threshold`` (the report is public, its threshold the method's).
    :raises UnknownIndicator: for a name no plug-in offers.
    :raises DimensionNotAllowed: for a dimension (or filter) an indicator does not allow.
    :raises ReportError: for a bad period, date, filter or request.
    :raises PrivacyError: under ``protection``, for an indicator that is not declared.
    """
    window = _window(period, on, deadlines)
    try:
        privacy = Privacy(privacy)
    except ValueError:
        shown = ", ".join(repr(member.value) for member in Privacy)
        msg = f"privacy= is one of {shown}, got {privacy!r}"
        raise ReportError(msg) from None
    names = _names(indicators)
    known = available_indicators(plugins)
    for name in names:
        if name not in known:
            raise UnknownIndicator(name, known)
    chosen = [known[name] for name in names]
    dimensions = (by,) if isinstance(by, str) else tuple(by)
    conditions = ReportFilter.of(where).conditions()
    _check_request(chosen, dimensions, conditions)
    _check_territories(store.gazetteer, conditions)
    if protection is not None:
        privacy, threshold = Privacy.PUBLIC, protection.threshold
        computations = {indicator.name: _protected(indicator) for indicator in chosen}
    tables: list[ReportTable] = []
    for indicator in chosen:
        query = IndicatorQuery(indicator, dimensions, conditions, window, protection)
        body = store.aggregate(query)
        totals = _totals(store, indicator, query, body)
        table = ReportTable(
            indicator=indicator.name,
            title=indicator.title,
            dimensions=dimensions,
            measures=indicator.measures,
            body=_shown(dimensions, body),
            totals=totals,
            unit=indicator.unit,
            definition=indicator.definition,
        )
        if protection is not None:
            table = _without_empty_groups(table, indicator)
            computation = computations[indicator.name]
            if computation is not None:
                table = _withhold_medians(table, indicator, computation, protection)
            table = _withhold_below_threshold(table, indicator, protection)
        elif privacy is Privacy.PUBLIC:
            table = suppress(
                table,
                threshold,
                counts_behind=indicator.counts_behind,
                sums=indicator.sums or None,
            )
        tables.append(table)
    shown_filters: Mapping[str, str] = {
        dimension: ", ".join(sorted(values)) for dimension, values in conditions.items()
    }
    return Report(
        title=title or DEFAULT_TITLE,
        tables=tables,
        period=period,
        privacy=privacy,
        threshold=threshold if privacy is Privacy.PUBLIC else None,
        filters=shown_filters,
        generated_on=on,
        rounding=None if protection is None else protection.base,
    )
