"""The training and case-file indicators under the cell-key method, on every store.

These indicators are declared with :class:`~wladna_core.training.indicators.Measured`; under
the cell-key method of the reports for aggregate-only actors, every count is rounded by the
sum of the record keys of what it counts, the same way on memory, SQLite and PostgreSQL; a
sum is withheld, a mean shown (to whole units) only where its facts surely number the
threshold.  A national analyst, refused these indicators before, now gets them so protected.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile_support import case_with_a_full_file
from casework import STORES, deployed, store_url
from test_training_indicators import _allowing, _fill, _programme, _report
from wladna_core.casefile.care.indicators import CARE_INDICATORS
from wladna_core.casefile.care.model import CareArrangement
from wladna_core.casefile.outreach.contacts import OutreachContact
from wladna_core.casefile.outreach.indicators import OUTREACH_INDICATORS
from wladna_core.casefile.tracing.indicators import TRACING_INDICATORS
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period
from wladna_core.reporting.cellkey import CellKeyMethod, RecordKeys
from wladna_core.storage import open_store
from wladna_core.training import strategies as tst
from wladna_core.training.indicators import TRAINING_INDICATORS, How, Measured

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.reporting import ReportTable
    from wladna_core.storage import Store

PM = make_plugin_manager(load_entrypoints=False)
ON = date(2026, 3, 2)
METHOD = CellKeyMethod.default(RecordKeys(b"a deployment's secret, 32 bytes!"))
KEYED = (*TRAINING_INDICATORS, *CARE_INDICATORS, *OUTREACH_INDICATORS, *TRACING_INDICATORS)


def _declaration(name: str) -> Measured:
    [indicator] = [indicator for indicator in KEYED if indicator.name == name]
    measured = indicator.compute.__self__  # type: ignore[attr-defined]
    assert isinstance(measured, Measured)
    return measured


def _hows(table: ReportTable) -> list[How]:
    by_name = {measure.name: measure.how for measure in _declaration(table.indicator).measures}
    return [by_name[name] for name in table.measures]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, plugins=PM, settings={"allow_reset": True}, clock=lambda: ON) as opened,
    ):
        yield opened


@pytest.fixture(scope="module")
def reference() -> Iterator[Store]:
    with open_store("memory://keyed-indicators", plugins=PM, clock=lambda: ON) as opened:
        opened.settings = {"allow_reset": True}
        yield opened


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file=tst.training_files(on=ON, max_participants=8),
    by=st.sampled_from([(), ("region",), ("province", "mode"), ("body_kind",), ("unit",)]),
    period=st.sampled_from([None, Period(date(2025, 1, 1), ON)]),
)
def test_protected_training_figures_are_the_same_on_every_store_and_hide_small_counts(
    store: Store,
    reference: Store,
    file: tst.TrainingFile,
    by: tuple[str, ...],
    period: Period | None,
) -> None:
    names = _allowing(by)
    _fill(store, file)
    _fill(reference, file)
    protected = _report(store, names, by, period=period, protection=METHOD)
    assert (
        protected.tables == _report(reference, names, by, period=period, protection=METHOD).tables
    )
    exact = _report(reference, names, by, period=period)
    for table, plain in zip(protected.tables, exact.tables, strict=True):
        hows = _hows(table)
        exact_rows = {row[: len(by)]: row[len(by) :] for row in plain.body}
        pairs = [(row[len(by) :], exact_rows[row[: len(by)]]) for row in table.body]
        if table.totals is not None and plain.totals is not None:
            pairs.append((table.totals, plain.totals))
        for values, exact_values in pairs:
            for how, value, true in zip(hows, values, exact_values, strict=True):
                if how in {How.COUNT, How.COUNT_TRUE, How.DISTINCT} and value is not None:
                    # A count is a multiple of the base, within a base of the true count.
                    assert isinstance(value, int)
                    assert value % METHOD.base == 0
                    assert isinstance(true, int)
                    assert true in METHOD.could_be(value)
                elif how is How.SUM:
                    assert value is None  # a record's part would show in a difference
                elif how is How.MEAN and value is not None:
                    # Shown where it rests on enough facts, to whole units.
                    assert isinstance(true, float)
                    assert value == float(round(true))
        if by:
            for row in table.body:
                counts = [
                    value
                    for how, value in zip(hows, row[len(by) :], strict=True)
                    if how in {How.COUNT, How.COUNT_TRUE, How.DISTINCT}
                ]
                # A group is shown only with a count published above 0 (or withheld): a row
                # rounded to nothing would tell that its group holds a few records.
                assert any(value != 0 for value in counts)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=tst.training_files(on=ON, max_participants=8))
def test_a_protected_count_is_its_records_count_rounded_by_their_keys(
    reference: Store, file: tst.TrainingFile
) -> None:
    _fill(reference, file)
    [table] = _report(reference, ["training_sessions"], ("mode",), protection=METHOD).tables
    held = [session for session in file.sessions if session.first_day <= ON]
    shown = dict(table.body)
    for mode in {session.mode.value for session in held}:
        ids = [session.id for session in held if session.mode.value == mode]
        published = METHOD.perturb(len(ids), METHOD.keys.cell(ids))
        # A mode whose sessions are rounded to none is not shown at all, as a mode without any.
        assert shown.get(mode) == (published or None)
    assert set(shown) <= {session.mode.value for session in held}
    assert table.totals == (METHOD.perturb(len(held), METHOD.keys.cell(s.id for s in held)),)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=tst.training_files(on=ON, max_participants=8))
def test_the_same_sessions_give_the_same_figure_in_any_table(
    reference: Store, file: tst.TrainingFile
) -> None:
    # Asking for a population another way tells nothing new: its figure does not change.
    _fill(reference, file)
    [by_province] = _report(
        reference, ["training_sessions"], ("province",), protection=METHOD
    ).tables
    for province, count in by_province.body:
        if province is None:
            continue
        [alone] = _report(
            reference, ["training_sessions"], (), where={"province": province}, protection=METHOD
        ).tables
        assert alone.body == ((count,),)


def test_evaluation_scores_show_only_where_the_rounded_count_proves_enough(
    reference: Store,
) -> None:
    reference.reset()
    file = _file_with_evaluations(reference, {"BI-01": 3, "BI-02": 14})
    [table] = _report(
        reference, ["training_evaluation_scores"], ("unit",), protection=METHOD
    ).tables
    rows = {row[0]: row[1:] for row in table.body}
    # Three evaluations may be rounded to 0 or 5: nothing shown, neither count nor means (and
    # rounded to 0, not even the row).
    assert all(value is None for value in rows.get("BI-01", ()))
    # Fourteen are published as 10 or 15, which proves at least 5 and 6: the means show.
    count, *means = rows["BI-02"]
    assert count in {10, 15}
    assert means[0] == float(round(file["BI-02"]))


def _file_with_evaluations(store: Store, evaluations: dict[str, int]) -> dict[str, float]:
    """Store one session per unit, evaluated ``evaluations[code]`` times; return mean content."""
    _programme(store, evaluations)
    return {
        code: round(sum(1 + n % 5 for n in range(count)) / count, 2)
        for code, count in evaluations.items()
    }


@pytest.mark.parametrize("store_kind", STORES)
def test_a_national_analyst_gets_case_file_and_training_indicators_rounded(
    store_kind: str, tmp_path: Path
) -> None:
    names = ["children_in_care", "outreach_contacts", "training_sessions"]
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(store_kind, tmp_path, settings=options) as dep:
        for _ in range(3):
            case_with_a_full_file(dep)
        report = dep.as_(dep.analyst).report(names, by=["province"])
        exact = dep.wl.report(names, by=["province"])
        keys = RecordKeys.from_settings(dep.wl.settings)
        with dep.wl.store.unit_of_work(read_only=True) as uow:
            arrangements = uow.repository(CareArrangement).iter()
            in_care = [a.case_id for a in arrangements if a.ended_on is None]
            contacts = [contact.id for contact in uow.repository(OutreachContact).iter()]
    assert report.rounding == METHOD.base
    for table, plain in zip(report.tables, exact.tables, strict=True):
        exact_rows = {true[0]: true[1:] for true in plain.body}
        for row in table.body:
            true = exact_rows[row[0]]
            assert all(value % METHOD.base == 0 for value in row[1:] if isinstance(value, int))
            assert all(t in METHOD.could_be(v) for v, t in zip(row[1:], true, strict=True))
    [care] = exact.tables[:1]
    assert sum(row[1] for row in care.body) == 3  # three children in care, shown as 0 or 5
    # Each count is its records' count rounded by their keys: the cases of the children in
    # care, the contacts; computed here from the records, in SQL by the store.
    method = CellKeyMethod.default(keys)
    rounded = {table.indicator: table for table in report.tables}
    assert rounded["children_in_care"].totals == (method.perturb(len(in_care), keys.cell(in_care)),)
    assert rounded["outreach_contacts"].totals[0] == method.perturb(
        len(contacts), keys.cell(contacts)
    )


@pytest.mark.parametrize("store_kind", STORES)
def test_a_higher_threshold_withholds_the_same_figures_and_tells_nothing_new(
    store_kind: str, tmp_path: Path
) -> None:
    # Rounding to each threshold as a base, with one cell key per cell, told a count exactly
    # from the answers at a few thresholds.  Every figure at a higher threshold is now the
    # figure at the deployment's, or withheld: asking again at any threshold tells nothing new.
    names = ["cases_opened", "children_in_care", "training_sessions"]
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(store_kind, tmp_path, settings=options) as dep:
        for _ in range(7):
            case_with_a_full_file(dep)
        analyst = dep.as_(dep.analyst)
        base = analyst.report(names, by=["province"])
        for threshold in (6, 9, 10, 11, 15, 23, 40):
            higher = analyst.report(names, by=["province"], threshold=threshold)
            for table, first in zip(higher.tables, base.tables, strict=True):
                rows = [*table.body, *([table.totals] if table.totals is not None else [])]
                firsts = [*first.body, *([first.totals] if first.totals is not None else [])]
                assert len(rows) == len(firsts)
                for row, kept in zip(rows, firsts, strict=True):
                    for value, was in zip(row, kept, strict=True):
                        if value is None:
                            # Withheld: a count shown at the base below the threshold, or what
                            # rests on one.
                            continue
                        assert value == was
                        if isinstance(value, int) and not isinstance(value, bool):
                            assert value == 0 or value >= threshold


@pytest.mark.parametrize("store_kind", STORES)
def test_no_group_is_shown_with_every_count_rounded_to_nothing(
    store_kind: str, tmp_path: Path
) -> None:
    # A row exists only for a group holding a record: shown as 0, it told the analyst that the
    # group held 1 to 4 records, and with a total of 0 over four such rows, exactly 1 each.
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(store_kind, tmp_path, settings=options) as dep:
        for _ in range(6):
            case_with_a_full_file(dep)
        tables = []
        for names, by in (
            (["cases_opened", "referrals"], ["province", "risk", "sex", "age_band", "month"]),
            (["children_in_care", "services_delivered_in_time"], ["province", "body"]),
        ):
            rounded = dep.as_(dep.analyst).report(names, by=by)
            exact = dep.wl.report(names, by=by)
            tables.extend(zip(rounded.tables, exact.tables, strict=True))
    for table, plain in tables:
        counts = [
            index
            for index, name in enumerate(table.measures)
            if name not in dict(_counts_behind(table.indicator))
        ]
        exact_keys = {row[: len(table.dimensions)] for row in plain.body}
        for row in table.body:
            assert row[: len(table.dimensions)] in exact_keys
            values = row[len(table.dimensions) :]
            assert any(values[index] not in (0, None) for index in counts), row


def _counts_behind(name: str) -> dict[str, tuple[str, ...]]:
    from wladna_core.reporting import available_indicators  # noqa: PLC0415

    return dict(available_indicators(PM)[name].counts_behind)
