"""Small-cell suppression of reports that leave a body.

A report that leaves the body holding the records (for national analysts, or a publication)
must not let a reader single out a few children.  :func:`suppress` withholds every count below a
threshold (5 by default), then withholds other cells too, so that no withheld count can be worked
out from the figures that are published:

Primary suppression
    Every count ``c`` with ``0 < c < threshold`` is withheld, in the body and in the totals.
    **Zeros are shown**: a zero tells of no child, and official statistics publish them.  In a
    table with totals alone, a zero may still be withheld as a complementary cell (below), so
    that a reader can never take a withheld cell to be non-zero; with ``sums`` zeros are never
    withheld, since a zero on a longer cycle of withheld cells could pin the others down.
Complementary (secondary) suppression
    The published figures are the cells shown and the table's :attr:`~.ReportTable.totals`; each
    total of a count is a linear equation ``cell_1 + ... + cell_n = total``, and so is each
    count that is the sum of others in every row (``sums``, e.g. cases closed and their bands of
    duration).  A withheld cell is *protected* when some change of the withheld cells keeps
    every equation true and changes that cell; otherwise the equations give it back.  As each
    count takes part in at most two equations (its column's total, one row sum), the equations
    form a graph whose edges are the counts, and a withheld count is protected exactly when its
    edge lies on a cycle of withheld edges.  While one does not, the published cells that close
    the cheapest such cycle are withheld too: body cells before totals, then the least total
    value, then the fewest cells, then the first by row and measure.  With totals alone this is
    the smallest other cell of the column.  Sums a reader forms by adding published cells (per
    province over months, say) hold no withheld cell, and so reveal nothing more.
Measures that are not counts
    A share, a rate or a median over few cases tells of those cases as surely as their count.
    Such a *derived* measure is withheld in every row (and in the totals) where a count behind it
    is withheld.  Which counts are behind which measure is given by ``counts_behind``; without it,
    a derived measure stands behind every count of its row (the whole row's derived measures go
    when one of its counts goes).

Which measures are counts: in a table whose :attr:`~.ReportTable.unit` is ``count``, every
measure not named as a key of ``counts_behind``; in a table of ``share`` or ``days``, only the
measures named as values of ``counts_behind``.  A count must be a whole number; a table of shares
or days with no count to protect its figures is refused with a :class:`PrivacyError`, since
nothing would tell whether its figures rest on few cases.

>>> from wladna_core.reporting import ReportTable
>>> table = ReportTable(
...     indicator="cases_opened",
...     title="Cases opened",
...     dimensions=("province",),
...     measures=("count",),
...     body=(("MA-RAB", 12), ("MA-SAL", 3), ("MA-AGD", 8), ("MA-TNG", 20)),
...     totals=(43,),
... )
>>> for row in suppress(table).rows:
...     print(row)
('MA-RAB', 12)
('MA-SAL', '[c]')
('MA-AGD', '[c]')
('MA-TNG', 20)
('Total', 43)

The 3 cases of Salé are below the threshold; had Agadir's 8 been shown, 43 - 12 - 8 - 20 would
give them back, so Agadir, the smallest figure left, is withheld as well.

Limits: each table is protected on its own.  Two tables of one report that break down the same
cases differently (by province, and by province and month) can be set against each other; ask
for the finest breakdown a reader needs, or check such combinations before publishing.
"""

from __future__ import annotations

import heapq
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, TypeAlias

import attrs

from wladna_core.errors import WladnaError
from wladna_core.reporting.report import Privacy, Report, ReportTable

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence, Set

__all__ = [
    "DEFAULT_THRESHOLD",
    "PrivacyError",
    "count_measures",
    "suppress",
    "suppress_report",
]

#: The smallest count a public report shows (counts from 1 to 4 are withheld).
DEFAULT_THRESHOLD: Final = 5

#: Position of a total in :attr:`~.ReportTable.suppressed` (its "row").
_TOTAL_ROW: Final = -1


_Position: TypeAlias = tuple[int, int]
#: One published equation: the positions it adds up, each with its coefficient, equal to zero.
_Equation: TypeAlias = dict[_Position, int]


class PrivacyError(WladnaError, ValueError):
    """A table cannot be protected as asked: a bad threshold, or a measure of unknown basis.

    The message names the table, the measure (and row) at fault, and what to do.
    """


def _check_threshold(threshold: object) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        msg = (
            f"the suppression threshold must be a whole number of at least 1, got {threshold!r}; "
            f"the default is {DEFAULT_THRESHOLD}"
        )
        raise PrivacyError(msg)
    return threshold


def _behind_mapping(
    table: ReportTable, counts_behind: Mapping[str, str | Sequence[str]] | None
) -> dict[str, tuple[str, ...]]:
    """Return ``counts_behind`` with tuple values, checked against the table's measures."""
    behind: dict[str, tuple[str, ...]] = {}
    for derived, counts in (counts_behind or {}).items():
        names = (counts,) if isinstance(counts, str) else tuple(counts)
        for name in (derived, *names):
            if name not in table.measures:
                msg = (
                    f"table {table.indicator!r}: counts_behind names the measure {name!r}, "
                    f"which the table does not have; its measures are {table.measures}"
                )
                raise PrivacyError(msg)
        if derived in names:
            msg = (
                f"table {table.indicator!r}: counts_behind puts the measure {derived!r} behind "
                "itself; name the counts it is computed from"
            )
            raise PrivacyError(msg)
        behind[derived] = names
    return behind


def count_measures(
    table: ReportTable, counts_behind: Mapping[str, str | Sequence[str]] | None = None
) -> tuple[str, ...]:
    """Return the names of the measures of ``table`` that :func:`suppress` treats as counts.

    :param table: the table.
    :param counts_behind: as for :func:`suppress`.
    :raises PrivacyError: if ``counts_behind`` names a measure the table does not have.

    >>> from wladna_core.reporting import ReportTable
    >>> table = ReportTable("referrals", "Referrals", ("province",), ("made", "accepted", "rate"))
    >>> count_measures(table, {"rate": ("made", "accepted")})
    ('made', 'accepted')
    """
    behind = _behind_mapping(table, counts_behind)
    named_counts = {name for names in behind.values() for name in names}
    if table.unit == "count":
        return tuple(m for m in table.measures if m not in behind or m in named_counts)
    return tuple(m for m in table.measures if m in named_counts)


@attrs.frozen
class _Plan:
    """What :func:`suppress` needs to know about a table's measures."""

    counts: tuple[int, ...]  # indexes of the count measures
    derived: dict[int, tuple[int, ...]]  # derived measure index -> indexes of its counts
    sums: tuple[tuple[int, tuple[int, ...]], ...]  # (whole, parts) in every row


def _plan(
    table: ReportTable,
    counts_behind: Mapping[str, str | Sequence[str]] | None,
    sums: Mapping[str, Sequence[str]] | None,
) -> _Plan:
    behind = _behind_mapping(table, counts_behind)
    counts = count_measures(table, counts_behind)
    index = {name: number for number, name in enumerate(table.measures)}
    derived: dict[int, tuple[int, ...]] = {}
    for name in table.measures:
        if name in counts:
            continue
        basis = behind.get(name, counts)
        if not basis:
            msg = (
                f"table {table.indicator!r}: the measure {name!r} ({table.unit}) has no count "
                "behind it, so whether it rests on few cases cannot be told; add the count it "
                "is computed from to the table and name it with "
                f"counts_behind={{{name!r}: 'that count'}}"
            )
            raise PrivacyError(msg)
        derived[index[name]] = tuple(index[count] for count in basis)
    identities: list[tuple[int, tuple[int, ...]]] = []
    for whole, parts in (sums or {}).items():
        names = (parts,) if isinstance(parts, str) else tuple(parts)
        for name in (whole, *names):
            if name not in counts:
                msg = (
                    f"table {table.indicator!r}: sums names the measure {name!r}, which is not "
                    f"a count of the table; its counts are {counts}"
                )
                raise PrivacyError(msg)
        if whole in names or len(set(names)) != len(names) or not names:
            msg = (
                f"table {table.indicator!r}: sums makes {whole!r} the sum of {names}; name "
                "each part once, and not the whole among them"
            )
            raise PrivacyError(msg)
        taken = {measure for whole_, parts_ in identities for measure in (whole_, *parts_)}
        if taken & {index[name] for name in (whole, *names)}:
            msg = (
                f"table {table.indicator!r}: sums puts a measure in two sums ({whole!r} of "
                f"{names}); a count may take part in one sum only, as a whole or as a part"
            )
            raise PrivacyError(msg)
        identities.append((index[whole], tuple(index[name] for name in names)))
    return _Plan(
        counts=tuple(index[name] for name in counts), derived=derived, sums=tuple(identities)
    )


def _count_value(table: ReportTable, position: _Position, value: object) -> int | None:
    """Return a count cell's value, ``None`` for a total not given; refuse anything else."""
    if value is None and position[0] == _TOTAL_ROW:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        row, measure = position
        where = "the total" if row == _TOTAL_ROW else f"row {row}"
        msg = (
            f"table {table.indicator!r}: {where} holds {value!r} for the count "
            f"{table.measures[measure]!r}, not a whole number of at least 0; if this measure "
            "is a share, a rate or a number of days, say which count it is computed from with "
            f"counts_behind={{{table.measures[measure]!r}: 'that count'}}"
        )
        raise PrivacyError(msg)
    return int(value)


def _measure_value(table: ReportTable, position: _Position) -> object:
    row, measure = position
    if row == _TOTAL_ROW:
        return None if table.totals is None else table.totals[measure]
    return table.body[row][len(table.dimensions) + measure]


def _equations(table: ReportTable, plan: _Plan) -> list[_Equation]:
    """Return the equations a reader has.

    Each published total of a count is the sum of its column; each of ``sums`` holds in every
    row, and in the totals.  An equation with a value not given (a total left empty) is not one.
    """

    def given(position: _Position) -> bool:
        return position in table.suppressed or _measure_value(table, position) is not None

    equations: list[_Equation] = []
    rows = list(range(len(table.body)))
    if table.totals is not None:
        for measure in plan.counts:
            if given((_TOTAL_ROW, measure)):
                equation: _Equation = {(row, measure): 1 for row in rows}
                equation[_TOTAL_ROW, measure] = -1
                equations.append(equation)
        rows.append(_TOTAL_ROW)
    for whole, parts in plan.sums:
        for row in rows:
            if all(given((row, measure)) for measure in (whole, *parts)):
                equation = {(row, part): 1 for part in parts}
                equation[row, whole] = -1
                equations.append(equation)
    return equations


# What withholding a path of cells costs: totals among them, the sum of values, the cells.
_Cost: TypeAlias = tuple[int, int, int]

# A node of the graph of equations: an equation's index, or _FREE for "no equation".
_FREE: Final = -1


@attrs.frozen
class _Graph:
    """The published equations as a graph: each count cell is an edge between its equations.

    Every count appears in at most two equations: its column's total, and the row sum it takes
    part in (``sums``); a count in fewer is tied to :data:`_FREE`.  Multiplying some equations
    by -1 gives every edge a +1 at one end and a -1 at the other (row equations against column
    equations), so the system is the incidence matrix of this graph: the changes of the
    withheld counts that keep every equation true are the flows around its cycles.  A withheld
    count is therefore determined exactly when its edge is a *bridge* of the graph of withheld
    edges: on no cycle of them.
    """

    ends: Mapping[_Position, tuple[int, int]]

    @classmethod
    def of(cls, equations: Sequence[_Equation], positions: Iterable[_Position]) -> _Graph:
        """Return the graph of ``equations`` over the count ``positions``."""
        found: dict[_Position, list[int]] = {position: [] for position in positions}
        for number, equation in enumerate(equations):
            for position in equation:
                found[position].append(number)
        ends: dict[_Position, tuple[int, int]] = {}
        for position, nodes in found.items():
            if len(nodes) > 2:  # pragma: no cover - _plan lets a count into one sum at most
                msg = f"the count at {position} takes part in {len(nodes)} published equations"
                raise PrivacyError(msg)
            padded = [*nodes, _FREE, _FREE]
            ends[position] = (padded[0], padded[1])
        return cls(ends)

    def bridges(self, edges: Set[_Position]) -> list[_Position]:
        """Return the edges among ``edges`` that lie on no cycle of ``edges``, in order."""
        around: dict[int, list[tuple[int, _Position]]] = {}
        for edge in sorted(edges):
            first, second = self.ends[edge]
            around.setdefault(first, []).append((second, edge))
            around.setdefault(second, []).append((first, edge))
        order: dict[int, int] = {}
        low: dict[int, int] = {}
        found: list[_Position] = []
        for root in sorted(around):
            if root in order:
                continue
            order[root] = low[root] = len(order)
            stack: list[tuple[int, _Position | None, int]] = [(root, None, 0)]
            while stack:  # depth-first search without recursion (Tarjan's bridges)
                node, via, index = stack[-1]
                if index < len(around[node]):
                    stack[-1] = (node, via, index + 1)
                    other, edge = around[node][index]
                    if edge == via:
                        continue
                    if other in order:
                        low[node] = min(low[node], order[other])
                    else:
                        order[other] = low[other] = len(order)
                        stack.append((other, edge, 0))
                    continue
                stack.pop()
                if stack and via is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
        return sorted(found)

    def cheapest_cycle(
        self,
        bridge: _Position,
        withheld: Set[_Position],
        values: Mapping[_Position, int],
        *,
        zeros: bool,
    ) -> list[_Position]:
        """Return the published counts whose withholding puts ``bridge`` on a cycle.

        The path between the bridge's ends, not through it, of least cost: withheld edges are
        free; a published count costs first whether it is a total, then its value, then one
        cell more.  Ties go to the path found first, visiting edges in order.  Published zeros
        are left out unless ``zeros``: a cycle can only move its values both ways if none of
        them is zero, which matters as soon as a cycle has more than two cells.
        """
        start, goal = self.ends[bridge]
        around: dict[int, list[tuple[int, _Position]]] = {}
        usable = {position for position, value in values.items() if value or zeros}
        for edge in sorted({*withheld, *usable} - {bridge}):
            first, second = self.ends[edge]
            around.setdefault(first, []).append((second, edge))
            around.setdefault(second, []).append((first, edge))
        best: dict[int, _Cost] = {start: (0, 0, 0)}
        came: dict[int, tuple[int, _Position]] = {}
        queue: list[tuple[_Cost, int]] = [((0, 0, 0), start)]
        done: set[int] = set()
        while queue:
            cost, node = heapq.heappop(queue)
            if node in done:
                continue
            done.add(node)
            if node == goal:
                break
            for other, edge in around.get(node, ()):
                step = (
                    (0, 0, 0) if edge in withheld else (int(edge[0] == _TOTAL_ROW), values[edge], 1)
                )
                total = (cost[0] + step[0], cost[1] + step[1], cost[2] + step[2])
                if other not in best or total < best[other]:
                    best[other] = total
                    came[other] = (node, edge)
                    heapq.heappush(queue, (total, other))
        if goal not in done:  # pragma: no cover - every count's column has its total
            msg = f"no published cell is left to protect the withheld cell {bridge}"
            raise PrivacyError(msg)
        path: list[_Position] = []
        node = goal
        while node != start:
            node, edge = came[node]
            if edge not in withheld:
                path.append(edge)
        return path


def suppress(
    table: ReportTable,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    counts_behind: Mapping[str, str | Sequence[str]] | None = None,
    sums: Mapping[str, Sequence[str]] | None = None,
) -> ReportTable:
    """Return ``table`` with small counts withheld, and whatever would give them back.

    Withheld cells hold ``None`` in :attr:`~.ReportTable.body` (and in
    :attr:`~.ReportTable.totals`) and their positions are added to
    :attr:`~.ReportTable.suppressed`; every other cell is unchanged.  Cells already marked
    suppressed stay so, which makes the function idempotent.  The same table and threshold
    always give the same result.

    :param table: the table as computed, with every figure.
    :param threshold: the smallest count shown; counts from 1 to ``threshold - 1`` are withheld
        (zeros are shown).
    :param counts_behind: for each measure that is not a count (a share, a rate, days), the
        count measure(s) it is computed from, e.g. ``{"acceptance_rate": ("made", "accepted")}``.
        A derived measure is withheld wherever one of its counts is.
    :param sums: for each count that is, in every row, the sum of other counts of the table,
        those counts, e.g. ``{"closed": ("days_0_30", "days_31_90", "days_over_90")}``.  A reader
        can subtract the parts shown from the whole, so these sums are published equations too.
    :raises PrivacyError: if ``threshold`` is not a whole number of at least 1, a count is not a
        whole number, ``counts_behind`` or ``sums`` names an unknown measure, or a table of
        shares or days has no count to tell how many cases its figures rest on.
    """
    threshold = _check_threshold(threshold)
    plan = _plan(table, counts_behind, sums)
    equations = _equations(table, plan)
    rows = range(len(table.body))

    values: dict[_Position, int] = {}
    withheld: set[_Position] = set(table.suppressed)
    for measure in plan.counts:
        positions = [(row, measure) for row in rows]
        if table.totals is not None:
            positions.append((_TOTAL_ROW, measure))
        for position in positions:
            if position in withheld:
                continue
            value = _count_value(table, position, _measure_value(table, position))
            if value is None:
                continue
            values[position] = value
            if 0 < value < threshold:
                withheld.add(position)

    graph = _Graph.of(equations, {*values, *withheld})
    while bridges := graph.bridges(withheld):
        # With column totals alone, a cycle is two cells of one column: a zero there can
        # protect a small count (the count can go down as the zero goes up).  With row sums,
        # cycles are longer and a zero on one could freeze it, so zeros are not withheld.
        cycle = graph.cheapest_cycle(bridges[0], withheld, values, zeros=not plan.sums)
        withheld.update(cycle)

    derived_rows = [*rows, _TOTAL_ROW] if table.totals is not None else list(rows)
    for measure, basis in plan.derived.items():
        for row in derived_rows:
            if any((row, count) in withheld for count in basis):
                withheld.add((row, measure))
    return _withhold(table, frozenset(withheld))


def _withhold(table: ReportTable, withheld: frozenset[_Position]) -> ReportTable:
    """Return ``table`` with the values at ``withheld`` (row, measure) left out, marked so.

    The totals row is row ``-1``; ``withheld`` becomes the table's ``suppressed``.
    """
    keys = len(table.dimensions)
    body = tuple(
        row[:keys]
        + tuple(
            None if (number, measure) in withheld else value
            for measure, value in enumerate(row[keys:])
        )
        for number, row in enumerate(table.body)
    )
    totals = (
        None
        if table.totals is None
        else tuple(
            None if (_TOTAL_ROW, measure) in withheld else value
            for measure, value in enumerate(table.totals)
        )
    )
    return attrs.evolve(table, body=body, totals=totals, suppressed=withheld)


def suppress_report(
    report: Report,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    counts_behind: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None,
    sums: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> Report:
    """Return ``report`` made fit to leave its body: every table passed through :func:`suppress`.

    The result has :attr:`~.Report.privacy` :attr:`~.Privacy.PUBLIC` and its
    :attr:`~.Report.threshold` set.

    :param report: the report as computed.
    :param threshold: the smallest count shown.
    :param counts_behind: per indicator name, the ``counts_behind`` of its table.
    :param sums: per indicator name, the ``sums`` of its table.
    :raises PrivacyError: as :func:`suppress` does, for the first table that cannot be
        protected.

    >>> from wladna_core.reporting import Report, ReportTable
    >>> table = ReportTable("cases_opened", "Cases opened", ("sex",), ("count",),
    ...                     body=(("female", 2), ("male", 9)), totals=(11,))
    >>> public = suppress_report(Report(title="National", tables=(table,)))
    >>> public.privacy, public.threshold, public.table("cases_opened").rows
    (<Privacy.PUBLIC: 'public'>, 5, (('female', '[c]'), ('male', '[c]'), ('Total', 11)))
    """
    threshold = _check_threshold(threshold)
    behind, identities = counts_behind or {}, sums or {}
    tables = tuple(
        suppress(
            table,
            threshold,
            counts_behind=behind.get(table.indicator),
            sums=identities.get(table.indicator),
        )
        for table in report.tables
    )
    return attrs.evolve(report, tables=tables, privacy=Privacy.PUBLIC, threshold=threshold)
