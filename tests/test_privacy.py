"""Small-cell suppression: no small count is published, and none can be worked back from totals."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.errors import WladnaError
from wladna_core.reporting import SUPPRESSED, Period, Privacy, Report, ReportTable
from wladna_core.reporting.privacy import (
    DEFAULT_THRESHOLD,
    PrivacyError,
    count_measures,
    suppress,
    suppress_report,
)

TOTAL = -1
PROVINCES = ("MA-RAB", "MA-SAL", "MA-AGD", "MA-CAS", "MA-TNG", "MA-MAR")
MONTHS = ("2026-01", "2026-02", "2026-03")
SEXES = ("female", "male")


def one_column(*values: int, total: bool = True) -> ReportTable:
    return ReportTable(
        indicator="cases_opened",
        title="Cases opened",
        dimensions=("province",),
        measures=("count",),
        body=tuple(zip(PROVINCES, values, strict=False)),
        totals=(sum(values),) if total else None,
    )


@st.composite
def count_tables(draw: st.DrawFn) -> ReportTable:
    """Tables of counts with 1 or 2 dimensions, up to 6 rows, 1 or 2 measures, values 0..12."""
    if draw(st.booleans()):
        dimensions: tuple[str, ...] = ("province",)
        keys: list[tuple[str, ...]] = [(province,) for province in PROVINCES]
    else:
        dimensions = ("province", "month")
        keys = list(itertools.product(PROVINCES[:3], MONTHS[:2]))
    keys = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=6, unique=True))
    measures = ("made", "accepted")[: draw(st.integers(1, 2))]
    counts = [[draw(st.integers(0, 12)) for _ in measures] for _ in keys]
    body = [(*key, *row) for key, row in zip(keys, counts, strict=True)]
    totals = tuple(sum(row[m] for row in counts) for m in range(len(measures)))
    return ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=dimensions,
        measures=measures,
        body=body,
        totals=totals if draw(st.booleans()) or len(body) > 1 else None,
    )


def cell(table: ReportTable, position: tuple[int, int]) -> object:
    row, measure = position
    if row == TOTAL:
        assert table.totals is not None
        return table.totals[measure]
    return table.body[row][len(table.dimensions) + measure]


def positions_of(table: ReportTable) -> list[tuple[int, int]]:
    rows = list(range(len(table.body))) + ([TOTAL] if table.totals is not None else [])
    return [(row, measure) for row in rows for measure in range(len(table.measures))]


def equations_of(
    published: ReportTable, sums: dict[str, tuple[str, ...]] | None = None
) -> list[dict[tuple[int, int], int]]:
    """What a reader adds up: each total is its column's sum; each of ``sums`` in every row."""
    equations: list[dict[tuple[int, int], int]] = []
    rows = list(range(len(published.body)))
    if published.totals is not None:
        for measure in range(len(published.measures)):
            equation = {(row, measure): 1 for row in rows}
            equation[TOTAL, measure] = -1
            equations.append(equation)
        rows.append(TOTAL)
    for whole, parts in (sums or {}).items():
        for row in rows:
            equation = {(row, published.measures.index(part)): 1 for part in parts}
            equation[row, published.measures.index(whole)] = -1
            equations.append(equation)
    return equations


def values_a_reader_can_give(
    published: ReportTable, bound: int, sums: dict[str, tuple[str, ...]] | None = None
) -> dict[tuple[int, int], set[int]]:
    """Brute force: the values each withheld count can take, given everything published.

    The reader knows every published cell and total, that counts are whole numbers from 0 to
    ``bound``, and the equations of :func:`equations_of`.  For each withheld cell and each value
    in 0..bound, search (depth first; an equation with one unknown left fixes it, and the range
    each equation can still reach prunes the rest) for an assignment of all withheld cells
    consistent with every published figure.  The search stops at two values per cell: that is
    all the property needs.
    """
    unknown = sorted(published.suppressed)
    equations: list[tuple[dict[tuple[int, int], int], int]] = []  # coefficients, constant
    for equation in equations_of(published, sums):
        coefficients: dict[tuple[int, int], int] = {}
        constant = 0
        for position, sign in equation.items():
            if position in published.suppressed:
                coefficients[position] = sign
            else:
                value = cell(published, position)
                assert isinstance(value, int)
                constant -= sign * value
        equations.append((coefficients, constant))

    def consistent(fixed: dict[tuple[int, int], int]) -> bool:
        for coefficients, constant in equations:
            low = high = 0
            for position, sign in coefficients.items():
                if position in fixed:
                    low += sign * fixed[position]
                    high += sign * fixed[position]
                elif sign > 0:
                    high += bound
                else:
                    low -= bound
            if not low <= constant <= high:
                return False
        return True

    def solvable(fixed: dict[tuple[int, int], int]) -> bool:
        if not consistent(fixed):
            return False
        for coefficients, constant in equations:
            free = [position for position in coefficients if position not in fixed]
            if len(free) == 1:
                (last,) = free
                rest = sum(sign * fixed[p] for p, sign in coefficients.items() if p != last)
                value = (constant - rest) * coefficients[last]
                return 0 <= value <= bound and solvable({**fixed, last: value})
        free = [position for position in unknown if position not in fixed]
        if not free:
            return True
        return any(solvable({**fixed, free[0]: value}) for value in range(bound + 1))

    found: dict[tuple[int, int], set[int]] = {}
    for position in unknown:
        found[position] = set()
        for value in range(bound + 1):
            if solvable({position: value}):
                found[position].add(value)
                if len(found[position]) == 2:
                    break
    return found


@st.composite
def tables_with_a_sum(draw: st.DrawFn) -> tuple[ReportTable, dict[str, tuple[str, ...]]]:
    """Tables whose first measure is, in every row, the sum of the others (closures by band)."""
    parts = ("days_0_30", "days_31_90", "days_over_90")[: draw(st.integers(2, 3))]
    keys = draw(st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=4, unique=True))
    counts = []
    for _ in keys:
        bands = [draw(st.integers(0, 9)) for _ in parts]
        counts.append([sum(bands), *bands])
    body = [(key, *row) for key, row in zip(keys, counts, strict=True)]
    totals = tuple(sum(row[m] for row in counts) for m in range(len(parts) + 1))
    table = ReportTable(
        indicator="time_to_closure",
        title="Time to closure",
        dimensions=("province",),
        measures=("closed", *parts),
        body=body,
        totals=totals,
    )
    return table, {"closed": parts}


# --- the brute force itself can find a disclosure ---------------------------------------------


def test_brute_force_finds_a_small_cell_left_alone_behind_its_total() -> None:
    table = one_column(12, 3, 8)
    unsafe = ReportTable(
        indicator=table.indicator,
        title=table.title,
        dimensions=table.dimensions,
        measures=table.measures,
        body=(("MA-RAB", 12), ("MA-SAL", None), ("MA-AGD", 8)),
        totals=table.totals,
        suppressed={(1, 0)},
    )
    assert values_a_reader_can_give(unsafe, bound=46) == {(1, 0): {3}}


# --- properties -----------------------------------------------------------------------------


@given(count_tables(), st.integers(2, 6))
def test_no_withheld_count_can_be_worked_back_from_the_published_figures(
    table: ReportTable, threshold: int
) -> None:
    published = suppress(table, threshold)
    every = [cell(table, position) for position in positions_of(table)]
    bound = 2 * sum(value for value in every if isinstance(value, int))
    for position, values in values_a_reader_can_give(published, bound).items():
        assert len(values) >= 2, f"{position} is recoverable: it can only be {values}"


@given(tables_with_a_sum(), st.integers(2, 6))
def test_no_withheld_count_can_be_worked_back_from_totals_and_row_sums(
    drawn: tuple[ReportTable, dict[str, tuple[str, ...]]], threshold: int
) -> None:
    table, sums = drawn
    published = suppress(table, threshold, sums=sums)
    for position in positions_of(published):
        value = cell(published, position)
        assert value is None or not 0 < value < threshold  # type: ignore[operator]
    bound = max(cell(table, position) for position in positions_of(table))  # type: ignore[type-var]
    assert isinstance(bound, int)
    for position, values in values_a_reader_can_give(published, bound, sums).items():
        assert len(values) >= 2, f"{position} is recoverable: it can only be {values}"
    for position in positions_of(table):
        if position not in published.suppressed:
            assert cell(published, position) == cell(table, position)
    assert suppress(published, threshold, sums=sums) == published


@given(count_tables(), st.integers(1, 6))
def test_no_published_count_is_between_zero_and_the_threshold(
    table: ReportTable, threshold: int
) -> None:
    published = suppress(table, threshold)
    for position in positions_of(published):
        value = cell(published, position)
        if position in published.suppressed:
            assert value is None
        else:
            assert isinstance(value, int)
            assert not 0 < value < threshold


@given(count_tables(), st.integers(1, 6))
def test_cells_not_withheld_are_unchanged(table: ReportTable, threshold: int) -> None:
    published = suppress(table, threshold)
    assert published.keys() == table.keys()
    assert published.dimensions == table.dimensions
    assert published.measures == table.measures
    for position in positions_of(table):
        if position not in published.suppressed:
            assert cell(published, position) == cell(table, position)


@given(count_tables(), st.integers(2, 6))
def test_complements_are_few_and_the_smallest_published_cells(
    table: ReportTable, threshold: int
) -> None:
    published = suppress(table, threshold)
    for measure in range(len(table.measures)):
        column = [p for p in positions_of(table) if p[1] == measure]
        small = {p for p in column if 0 < cell(table, p) < threshold}  # type: ignore[operator]
        complements = {p for p in column if p in published.suppressed} - small
        if table.totals is None or len(small) != 1:
            assert not complements
        else:
            # one small cell: exactly one more, the least valuable body cell left
            assert len(complements) == 1
            (chosen,) = complements
            shown = [p for p in column if p not in small and p[0] != TOTAL]
            assert chosen == min(shown, key=lambda p: (cell(table, p), p))


@given(count_tables(), st.integers(1, 6))
def test_suppressing_twice_changes_nothing_more(table: ReportTable, threshold: int) -> None:
    once = suppress(table, threshold)
    assert suppress(once, threshold) == once


@given(count_tables())
def test_a_threshold_of_one_withholds_nothing(table: ReportTable) -> None:
    assert suppress(table, 1) == table


@given(count_tables(), st.integers(2, 6))
def test_a_rate_is_withheld_wherever_a_count_behind_it_is(
    table: ReportTable, threshold: int
) -> None:
    width = len(table.dimensions)
    with_rate = ReportTable(
        indicator=table.indicator,
        title=table.title,
        dimensions=table.dimensions,
        measures=(*table.measures, "rate"),
        body=[(*row, 0.5) for row in table.body],
        totals=None if table.totals is None else (*table.totals, 0.5),
    )
    published = suppress(with_rate, threshold, counts_behind={"rate": table.measures})
    rate = len(table.measures)
    for row in [*range(len(table.body)), *([TOTAL] if table.totals is not None else [])]:
        counts_withheld = any((row, m) in published.suppressed for m in range(rate))
        assert ((row, rate) in published.suppressed) == counts_withheld
        shown = published.totals if row == TOTAL else published.body[row][width:]
        assert shown is not None
        assert (shown[rate] is None) == counts_withheld


# --- examples -------------------------------------------------------------------------------


def test_a_small_count_takes_the_smallest_other_count_with_it() -> None:
    published = suppress(one_column(12, 3, 8, 20))
    assert published.rows == (
        ("MA-RAB", 12),
        ("MA-SAL", SUPPRESSED),
        ("MA-AGD", SUPPRESSED),
        ("MA-CAS", 20),
        ("Total", 43),
    )
    assert published.body[1] == ("MA-SAL", None)
    assert published.suppressed == {(1, 0), (2, 0)}


def test_zeros_are_shown_but_may_be_withheld_to_protect_a_small_count() -> None:
    assert suppress(one_column(0, 9, 0, 7)).rows[:4] == (
        ("MA-RAB", 0),
        ("MA-SAL", 9),
        ("MA-AGD", 0),
        ("MA-CAS", 7),
    )
    published = suppress(one_column(12, 3, 0, 20))
    assert published.suppressed == {(1, 0), (2, 0)}


def test_two_small_counts_protect_each_other() -> None:
    published = suppress(one_column(12, 3, 2, 20))
    assert published.suppressed == {(1, 0), (2, 0)}
    assert published.totals == (37,)


def test_a_small_total_is_withheld_with_its_small_cells() -> None:
    published = suppress(one_column(1, 2, 0))
    assert published.rows == (
        ("MA-RAB", SUPPRESSED),
        ("MA-SAL", SUPPRESSED),
        ("MA-AGD", 0),
        ("Total", SUPPRESSED),
    )


def test_a_single_row_withholds_its_total_with_its_small_cell() -> None:
    assert suppress(one_column(4)).suppressed == {(0, 0), (TOTAL, 0)}


def test_without_totals_a_small_count_needs_no_complement() -> None:
    published = suppress(one_column(12, 3, 8, total=False))
    assert published.suppressed == {(1, 0)}
    assert published.totals is None


def test_each_measure_is_protected_on_its_own() -> None:
    table = ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=("province", "month"),
        measures=("made", "accepted"),
        body=(
            ("MA-RAB", "2026-01", 10, 2),
            ("MA-RAB", "2026-02", 9, 7),
            ("MA-SAL", "2026-01", 3, 6),
            ("MA-SAL", "2026-02", 11, 8),
        ),
        totals=(33, 23),
    )
    assert suppress(table).suppressed == {(2, 0), (1, 0), (0, 1), (2, 1)}


def test_a_band_is_protected_from_its_row_sum_as_well_as_its_column_total() -> None:
    table = ReportTable(
        indicator="time_to_closure",
        title="Time to closure",
        dimensions=("province",),
        measures=("closed", "days_0_30", "days_over_30"),
        body=(("MA-RAB", 20, 12, 8), ("MA-SAL", 15, 3, 12), ("MA-AGD", 30, 10, 20)),
        totals=(65, 25, 40),
    )
    # Without the sum, Salé's 3 is hidden in its column only: 15 - 12 gives it back.
    assert suppress(table).suppressed == {(1, 1), (2, 1)}
    # With it, a rectangle of four cells: Salé's 3 and 12, and the same bands in Rabat,
    # whose 12 + 8 cost less than Agadir's 10 + 20.
    published = suppress(table, sums={"closed": ("days_0_30", "days_over_30")})
    assert published.rows == (
        ("MA-RAB", 20, SUPPRESSED, SUPPRESSED),
        ("MA-SAL", 15, SUPPRESSED, SUPPRESSED),
        ("MA-AGD", 30, 10, 20),
        ("Total", 65, 25, 40),
    )


@pytest.mark.parametrize(
    ("sums", "message"),
    [
        ({"closed": ("days", "x")}, "sums names the measure 'days', which is not a count"),
        ({"closed": ("closed", "a")}, "sums makes 'closed' the sum of ('closed', 'a')"),
        ({"closed": ("a", "a")}, "name each part once, and not the whole among them"),
        ({"closed": ()}, "sums makes 'closed' the sum of ()"),
        ({"closed": ("a",), "a": ("b",)}, "sums puts a measure in two sums ('a' of ('b',))"),
    ],
)
def test_sums_must_name_distinct_counts_of_the_table(
    sums: dict[str, tuple[str, ...]], message: str
) -> None:
    table = ReportTable("t", "T", ("province",), ("closed", "a", "b"), (("MA-RAB", 3, 1, 2),))
    with pytest.raises(PrivacyError, match=re.escape(message)):
        suppress(table, sums=sums)


def test_a_rate_goes_with_the_counts_it_is_computed_from() -> None:
    table = ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=("province",),
        measures=("made", "accepted", "acceptance_rate"),
        body=(("MA-RAB", 10, 8, 0.8), ("MA-SAL", 6, 3, 0.5), ("MA-AGD", 20, 10, 0.5)),
        totals=(36, 21, 21 / 36),
    )
    published = suppress(table, counts_behind={"acceptance_rate": ("made", "accepted")})
    assert published.rows == (
        ("MA-RAB", 10, SUPPRESSED, SUPPRESSED),
        ("MA-SAL", 6, SUPPRESSED, SUPPRESSED),
        ("MA-AGD", 20, 10, 0.5),
        ("Total", 36, 21, 21 / 36),
    )


def test_a_median_goes_with_the_count_it_is_computed_from() -> None:
    table = ReportTable(
        indicator="first_assessment",
        title="Time to first assessment",
        dimensions=("province",),
        measures=("cases", "median_days"),
        body=(("MA-RAB", 10, 12), ("MA-SAL", 2, 40), ("MA-AGD", 7, 9)),
        totals=(19, None),
        unit="days",
    )
    published = suppress(table, counts_behind={"median_days": "cases"})
    assert published.rows == (
        ("MA-RAB", 10, 12),
        ("MA-SAL", SUPPRESSED, SUPPRESSED),
        ("MA-AGD", SUPPRESSED, SUPPRESSED),
        ("Total", 19, None),
    )
    # in a table of counts, a measure named as a key of counts_behind is derived
    counts = ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=("province",),
        measures=("made", "accepted", "rate"),
        unit="count",
    )
    assert count_measures(counts) == ("made", "accepted", "rate")
    assert count_measures(counts, {"rate": "made"}) == ("made", "accepted")
    assert count_measures(table, {"median_days": "cases"}) == ("cases",)


def test_a_derived_measure_not_in_counts_behind_goes_with_any_count_of_its_row() -> None:
    table = ReportTable(
        indicator="time_to_close",
        title="Time from opening to closure",
        dimensions=("province",),
        measures=("closed", "reopened", "median_days", "mean_days"),
        body=(("MA-RAB", 10, 3, 12, 14.5), ("MA-SAL", 6, 9, 40, 38.0), ("MA-AGD", 7, 12, 9, 9.5)),
        totals=(23, 24, None, None),
        unit="days",
    )
    published = suppress(table, counts_behind={"median_days": ("closed", "reopened")})
    assert count_measures(table, {"median_days": ("closed", "reopened")}) == ("closed", "reopened")
    # reopened: 3 is small, 9 the smallest other; closed shows in full
    assert published.rows == (
        ("MA-RAB", 10, SUPPRESSED, SUPPRESSED, SUPPRESSED),
        ("MA-SAL", 6, SUPPRESSED, SUPPRESSED, SUPPRESSED),
        ("MA-AGD", 7, 12, 9, 9.5),
        ("Total", 23, 24, None, None),
    )


def test_a_share_without_a_count_behind_it_is_refused() -> None:
    table = ReportTable(
        indicator="within_deadline",
        title="Share assessed within the deadline",
        dimensions=("province",),
        measures=("share",),
        body=(("MA-RAB", 0.5),),
        unit="share",
    )
    with pytest.raises(PrivacyError) as caught:
        suppress(table)
    assert str(caught.value) == (
        "table 'within_deadline': the measure 'share' (share) has no count behind it, so "
        "whether it rests on few cases cannot be told; add the count it is computed from to "
        "the table and name it with counts_behind={'share': 'that count'}"
    )
    assert isinstance(caught.value, WladnaError)


def test_a_rate_in_a_table_of_counts_is_refused_with_the_remedy() -> None:
    table = ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=("province",),
        measures=("made", "rate"),
        body=(("MA-RAB", 10, 0.8),),
        totals=(10, 0.8),
    )
    with pytest.raises(PrivacyError) as caught:
        suppress(table)
    assert str(caught.value) == (
        "table 'referrals': row 0 holds 0.8 for the count 'rate', not a whole number of at "
        "least 0; if this measure is a share, a rate or a number of days, say which count it "
        "is computed from with counts_behind={'rate': 'that count'}"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(-1, "-1"), (True, "True"), (None, "None"), ("3", "'3'")],
)
def test_a_count_that_is_not_a_whole_number_is_refused(value: object, shown: str) -> None:
    table = ReportTable("cases_opened", "Cases opened", ("province",), ("count",), ((None, value),))
    with pytest.raises(PrivacyError, match=rf"row 0 holds {shown} for the count 'count'"):
        suppress(table)


def test_a_total_that_is_not_a_whole_number_is_refused() -> None:
    table = one_column(12, 3)
    bad = ReportTable(
        table.indicator, table.title, table.dimensions, table.measures, table.body, (15.5,)
    )
    with pytest.raises(PrivacyError, match=r"the total holds 15\.5 for the count 'count'"):
        suppress(bad)


@pytest.mark.parametrize("threshold", [0, -5, 2.5, True, "5"])
def test_a_threshold_must_be_a_whole_number_of_at_least_one(threshold: object) -> None:
    with pytest.raises(PrivacyError, match="the suppression threshold must be a whole number"):
        suppress(one_column(3, 4), threshold)  # type: ignore[arg-type]


def test_counts_behind_must_name_measures_of_the_table() -> None:
    table = one_column(12, 3)
    with pytest.raises(PrivacyError) as caught:
        suppress(table, counts_behind={"rate": "count"})
    assert str(caught.value) == (
        "table 'cases_opened': counts_behind names the measure 'rate', which the table does "
        "not have; its measures are ('count',)"
    )
    with pytest.raises(PrivacyError, match="puts the measure 'count' behind itself"):
        suppress(table, counts_behind={"count": "count"})


def test_a_report_leaving_its_body_is_public_with_every_table_protected() -> None:
    rates = ReportTable(
        indicator="referrals",
        title="Referrals",
        dimensions=("province",),
        measures=("made", "rate"),
        body=(("MA-RAB", 10, 0.8), ("MA-SAL", 2, 0.5)),
        totals=(12, 0.75),
    )
    report = Report(
        title="Dashboard",
        tables=(one_column(12, 3, 8), rates),
        period=Period(date(2026, 1, 1), date(2026, 3, 31)),
        filters={"region": "MA-04"},
    )
    public = suppress_report(report, 3, counts_behind={"referrals": {"rate": "made"}})
    assert public.privacy is Privacy.PUBLIC
    assert public.threshold == 3
    assert public.period == report.period
    assert public.filters == {"region": "MA-04"}
    assert public.table("cases_opened") == suppress(one_column(12, 3, 8), 3)
    assert public.table("referrals").rows == (
        ("MA-RAB", SUPPRESSED, SUPPRESSED),
        ("MA-SAL", SUPPRESSED, SUPPRESSED),
        ("Total", 12, 0.75),
    )
    assert suppress_report(report, counts_behind={"referrals": {"rate": "made"}}).threshold == (
        DEFAULT_THRESHOLD
    )


def test_a_report_with_a_table_that_cannot_be_protected_is_refused() -> None:
    shares = ReportTable(
        "share", "Share", ("province",), ("share",), (("MA-RAB", 0.5),), unit="share"
    )
    report = Report(title="Dashboard", tables=(one_column(12, 3), shares))
    with pytest.raises(PrivacyError, match="table 'share'"):
        suppress_report(report)
    with pytest.raises(PrivacyError, match="threshold"):
        suppress_report(Report(title="Dashboard", tables=()), 0)
