"""Reports on hand-made records (``reporting_data``): every indicator's figures, worked out by hand.

Each example runs on the memory store and on SQLite; the errors name the indicator, the
dimension and what to do.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import reporting_data
from wladna_core.casefile.care.indicators import CARE_INDICATORS
from wladna_core.deadlines import Deadlines
from wladna_core.hookspecs import hookimpl
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import (
    DimensionNotAllowed,
    Indicator,
    Period,
    Privacy,
    ReportError,
    ReportFilter,
    UnknownIndicator,
    build_report,
)
from wladna_core.reporting.build import available_indicators
from wladna_core.reporting.builtin import BUILTIN_INDICATORS
from wladna_core.reporting.engine import CASES, Count, Part, PerWorker, declared, happened
from wladna_core.storage import open_store
from wladna_core.testing.conformance import example_case_file
from wladna_core.training.indicators import TRAINING_INDICATORS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import pluggy

    from wladna_core.reporting import Report
    from wladna_core.reporting.engine import Records, Row
    from wladna_core.storage import Store

ON = reporting_data.ON
PM = make_plugin_manager(load_entrypoints=False)


def _store(url: str, records: Iterable[Any]) -> Store:
    store = open_store(url, plugins=PM, clock=lambda: ON)
    with store.unit_of_work() as uow:
        for record in records:
            uow.repository(type(record)).add(record)
    return store


@pytest.fixture(params=["memory://", "sqlite://"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """The hand-made records, in the memory store and in SQLite."""
    with _store(request.param, reporting_data.records()) as opened:
        yield opened


def report(store: Store, name: str, **options: Any) -> Report:
    options.setdefault("on", ON)
    options.setdefault("plugins", PM)
    return build_report(store, [name], **options)


def rows(store: Store, name: str, **options: Any) -> tuple[tuple[object, ...], ...]:
    return report(store, name, **options).table(name).rows


def test_cases_opened_by_province_and_by_quarter(store: Store) -> None:
    assert rows(store, "cases_opened", by=["province"]) == (
        ("MA-RAB", 1),
        ("MA-SAL", 2),
        ("Total", 3),
    )
    assert rows(store, "cases_opened", by=["quarter"]) == (
        ("2025-Q2", 1),
        ("2025-Q4", 2),
        ("Total", 3),
    )


def test_cases_opened_by_age_band_on_the_day_of_opening_and_by_sex(store: Store) -> None:
    assert rows(store, "cases_opened", by=["age_band", "sex"]) == (
        ("0-5", "male", 1),
        ("12-17", "female", 1),
        ("6-11", "female", 1),
        ("Total", "", 3),
    )


def test_cases_opened_by_concern_counts_a_case_under_each_of_its_concerns(store: Store) -> None:
    assert rows(store, "cases_opened", by=["concern"]) == (
        ("begging", 1),
        ("child_labour", 1),
        ("neglect", 2),
        ("Total", 3),  # three cases, four concerns
    )
    assert rows(store, "cases_opened", by=["concern"], where={"concern": "neglect"}) == (
        ("neglect", 2),
        ("Total", 2),
    )


def test_cases_opened_in_a_period(store: Store) -> None:
    autumn = Period(date(2025, 10, 1), date(2025, 10, 31))
    assert rows(store, "cases_opened", by=["month"], period=autumn) == (
        ("2025-10", 1),
        ("Total", 1),
    )


def test_open_caseload_on_the_report_date_and_at_the_end_of_a_period(store: Store) -> None:
    assert rows(store, "open_caseload", by=["status"]) == (
        ("assessment", 1),
        ("registered", 1),
        ("Total", 2),
    )
    november = Period(date(2025, 11, 1), date(2025, 11, 30))
    assert rows(store, "open_caseload", period=november) == ((3,),)  # C closed 1 Dec


def test_closures_by_reason(store: Store) -> None:
    table = report(store, "closures_by_reason", by=["province"]).table("closures_by_reason")
    assert table.measures[:3] == ("count", "goals_achieved", "risk_resolved")
    assert table.value(("MA-RAB",), "count") == 1
    assert table.value(("MA-RAB",), "goals_achieved") == 1
    totals = table.totals
    assert totals is not None
    assert sum(totals[1:]) == totals[0] == 1  # type: ignore[arg-type]


def test_time_to_first_assessment_and_share_within_deadline(store: Store) -> None:
    # B: 1 day at high risk (1 allowed): within; C: 10 days at medium risk (3 allowed): late.
    assert rows(store, "time_to_first_assessment") == (
        (
            2,
            1,
            1,
            0.5,
        ),
    )
    patient = Deadlines(first_assessment={"high": 1, "medium": 10, "low": 7, "none": 14})
    assert rows(store, "time_to_first_assessment", deadlines=patient) == (
        (
            2,
            1,
            2,
            1.0,
        ),
    )


def test_time_from_opening_to_closure_in_bands(store: Store) -> None:
    table = report(store, "time_to_closure").table("time_to_closure")
    assert table.measures == ("closed", "days_0_30", "days_31_90", "days_91_180", "days_over_180")
    assert table.body == ((1, 0, 0, 0, 1),)  # 183 days


def test_overdue_actions_on_the_report_date(store: Store) -> None:
    # A is not assessed 3 days after opening; R1 was due 5 days after 13 November.
    assert rows(store, "overdue_actions", by=["province"]) == (
        ("MA-SAL", 1, 1, 2),
        ("Total", 1, 1, 2),
    )
    # On 5 November, A's assessment (due 6 November) is not overdue yet; R1 was not sent.
    early = Period(date(2025, 11, 1), date(2025, 11, 5))
    assert rows(store, "overdue_actions", period=early) == (
        (
            0,
            0,
            0,
        ),
    )


def test_referrals_made_accepted_rejected_completed_and_acceptance_rate(store: Store) -> None:
    assert rows(store, "referrals", by=["programme"]) == (
        ("asd", 1, 0, 1, 0, 0.0),
        ("tayssir", 1, 0, 0, 0, None),
        (None, 1, 1, 0, 0, 1.0),
        ("Total", 3, 1, 1, 0, 0.5),
    )


def test_median_referral_response_time(store: Store) -> None:
    # 3 and 10 days: the lower of the two middle values.
    assert rows(store, "referral_response_time") == (
        (
            2,
            3,
        ),
    )


def test_referrals_to_social_programmes(store: Store) -> None:
    assert rows(store, "programme_referrals", by=["programme"]) == (
        ("asd", 1),
        ("tayssir", 1),
        ("Total", 2),
    )


def test_caseload_per_worker(store: Store) -> None:
    # w1 holds A and B, both open; w2's case C is closed.
    assert rows(store, "caseload_per_worker") == (
        (
            1,
            1,
            0,
            0,
            0,
        ),
    )


@pytest.mark.parametrize("url", ["memory://", "sqlite://"])
def test_caseload_per_worker_in_bands(url: str) -> None:
    files = [example_case_file(idcs=f"30000000{n:02d}") for n in range(33)]
    workers = ["busy"] * 30 + ["calm"] * 2 + [None]
    records: list[Any] = []
    for file, worker in zip(files, workers, strict=True):
        case = reporting_data.with_worker(file.case, worker)
        records.extend((file.body, file.child, file.family, case))
    with _store(url, records) as opened:
        assert rows(opened, "caseload_per_worker") == (
            (
                2,
                1,
                0,
                0,
                1,
            ),
        )


def test_a_public_report_withholds_small_counts() -> None:
    with _store("memory://", reporting_data.records()) as opened:
        public = report(opened, "cases_opened", by=["province"], privacy=Privacy.PUBLIC)
    assert public.privacy is Privacy.PUBLIC
    assert public.threshold == 5
    assert public.table("cases_opened").rows == (
        ("MA-RAB", "[c]"),
        ("MA-SAL", "[c]"),
        ("Total", "[c]"),
    )


def test_a_report_carries_its_period_filters_date_and_each_indicator_s_definition() -> None:
    with _store("memory://", reporting_data.records()) as opened:
        made = build_report(
            opened,
            ["cases_opened", "referrals"],
            by=["province"],
            where=ReportFilter(risk={"high", "medium"}),
            period=Period(date(2025, 1, 1), date(2025, 12, 31)),
            on=ON,
            plugins=PM,
            title="Salé and Rabat, 2025",
        )
    assert made.title == "Salé and Rabat, 2025"
    assert made.filters == {"risk": "high, medium"}
    assert made.generated_on == ON
    assert [table.indicator for table in made.tables] == ["cases_opened", "referrals"]
    assert made.table("referrals").unit == "count"
    assert made.table("cases_opened").definition.startswith("The number of cases opened")


def test_the_body_filter_restricts_the_report_to_those_bodies(store: Store) -> None:
    with store.unit_of_work() as uow:
        [rabat] = [body for body in uow.bodies.find() if body.territory == "MA-RAB"]
    assert rows(store, "cases_opened", where={"bodies": [rabat.id]}) == ((1,),)
    assert rows(store, "referrals", where={"body": rabat.id}) == (
        (
            1,
            0,
            1,
            0,
            0.0,
        ),
    )
    assert rows(store, "cases_opened", where={"bodies": []}) == ((0,),)


# Errors --------------------------------------------------------------------------------------


def test_an_unknown_indicator_is_refused_with_the_known_names(store: Store) -> None:
    with pytest.raises(UnknownIndicator, match=r"no indicator 'cases_open'.*cases_opened"):
        report(store, "cases_open")


def test_a_dimension_an_indicator_does_not_allow_is_refused_naming_both(store: Store) -> None:
    with pytest.raises(DimensionNotAllowed) as raised:
        report(store, "open_caseload", by=["month"])
    error = raised.value
    assert (error.indicator, error.dimension) == ("open_caseload", "month")
    assert "province" in error.allowed
    assert "cannot be broken down by 'month'; it allows region, province" in str(error)


def test_a_filter_an_indicator_does_not_allow_is_refused(store: Store) -> None:
    with pytest.raises(
        DimensionNotAllowed, match=r"'cases_opened' cannot be filtered on 'service'"
    ):
        report(store, "cases_opened", where={"service": "medical"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"period": (date(2025, 1, 1), date(2025, 2, 1))}, r"period= takes a Period"),
        ({"period": Period(date(2025, 1, 1), date(2026, 2, 1))}, r"ends after the report's date"),
        ({"on": "2026-01-01"}, r"on= is the report's date"),
        ({"by": ["province", "province"]}, r"'province' asked for twice|province are asked"),
        ({"where": {"risk": "urgent"}}, r"risk got 'urgent', which is not one of high"),
        ({"where": {"colour": "red"}}, r"cannot be filtered on 'colour'"),
        ({"where": {"region": "MA-SAL"}}, r"'MA-SAL', which is a prefecture, not a region"),
        ({"where": {"province": "MA-XX"}}, r"'MA-XX', which is unknown"),
        ({"deadlines": {"high": 1}}, r"deadlines= takes a Deadlines"),
    ],
)
def test_a_bad_request_is_refused_with_what_to_ask_instead(
    store: Store, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ReportError, match=message):
        report(store, "cases_opened", **options)


def test_a_report_needs_an_indicator(store: Store) -> None:
    with pytest.raises(ReportError, match="at least one indicator"):
        build_report(store, [], on=ON, plugins=PM)


# Plug-in indicators ---------------------------------------------------------------------------


def _opened_by_worker(records: Records, query: Any) -> list[Row]:
    """Python only: cases opened with a worker assigned, in plain Python over the records."""
    count = sum(
        1 for case in records.cases() if case.worker_id and query.window.holds(case.opened_on)
    )
    return [(count,)]


class _PluginIndicators:
    @hookimpl
    def wladna_indicators(self) -> Sequence[Indicator]:
        return [
            Indicator(
                name="cases_with_worker",
                title="Cases opened with a worker",
                definition="The number of cases opened with a worker assigned.",
                unit="count",
                measures=("count",),
                dimensions=(),
                counts="cases",
                compute=_opened_by_worker,
            ),
            Indicator.declare(
                declared(
                    Part(CASES, happened("opened_on"), "opened_on", (Count("count"),)),
                ),
                name="cases_opened_again",
                title="Cases opened (declared by a plug-in)",
                definition="The number of cases opened, declared by a plug-in.",
                unit="count",
                dimensions=("province",),
                counts="cases",
            ),
        ]


@pytest.fixture
def plugin_pm() -> Iterator[pluggy.PluginManager]:
    pm = make_plugin_manager(load_entrypoints=False)
    plugin = _PluginIndicators()
    pm.register(plugin, name="test-indicators")
    try:
        yield pm
    finally:
        pm.unregister(plugin)


def test_a_plug_in_indicator_without_sql_is_computed_in_python_on_every_store(
    store: Store, plugin_pm: pluggy.PluginManager
) -> None:
    made = build_report(store, ["cases_with_worker"], on=ON, plugins=plugin_pm)
    assert made.table("cases_with_worker").rows == ((3,),)


def test_a_declared_plug_in_indicator_is_computed_like_a_built_in_one(
    store: Store, plugin_pm: pluggy.PluginManager
) -> None:
    made = build_report(store, ["cases_opened_again"], by=["province"], on=ON, plugins=plugin_pm)
    assert made.table("cases_opened_again").rows == (("MA-RAB", 1), ("MA-SAL", 2), ("Total", 3))


def test_a_plug_in_indicator_that_returns_malformed_rows_is_named() -> None:
    class Broken:
        @hookimpl
        def wladna_indicators(self) -> Sequence[Indicator]:
            return [
                Indicator(
                    name="broken",
                    title="Broken",
                    definition="Returns two values where one is due.",
                    unit="count",
                    measures=("count",),
                    dimensions=(),
                    counts="cases",
                    compute=lambda _records, _query: [(1, 2)],
                )
            ]

    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(Broken(), name="broken")
    with _store("memory://", []) as opened, pytest.raises(ReportError, match="'broken' returned"):
        build_report(opened, ["broken"], on=ON, plugins=pm)


def test_an_indicator_is_checked_when_it_is_made() -> None:
    with pytest.raises(ValueError, match="lower-case letters"):
        Indicator.declare(
            declared(PerWorker(happened("opened_on"), "workers", ())),
            name="Caseload",
            title="Caseload",
            definition="Workers.",
            unit="count",
            dimensions=(),
            counts="cases",
        )
    with pytest.raises(ValueError, match="counts_behind names 'rate'"):
        Indicator.declare(
            declared(Part(CASES, happened("opened_on"), "opened_on", (Count("count"),))),
            name="opened",
            title="Opened",
            definition="Cases opened.",
            unit="count",
            dimensions=(),
            counts="cases",
            counts_behind={"rate": ("count",)},
        )


def test_the_indicator_reference_page_documents_every_built_in_indicator() -> None:
    page = " ".join((Path(__file__).parents[1] / "docs" / "indicators.md").read_text().split())
    for indicator in BUILTIN_INDICATORS:
        assert f"## `{indicator.name}`: {indicator.title}" in page
        assert " ".join(indicator.definition.split()) in page
        assert "**Dimensions**: " + ", ".join(f"`{d}`" for d in indicator.dimensions) in page
        assert "**Measures**: " + ", ".join(f"`{m}`" for m in indicator.measures) in page
        assert f'show("{indicator.name}"' in page


def test_every_built_in_indicator_is_offered_through_the_hook() -> None:
    from wladna_core.plugins import indicators_from  # noqa: PLC0415

    assert set(indicators_from(PM)) == {
        "cases_opened",
        "open_caseload",
        "closures_by_reason",
        "time_to_first_assessment",
        "time_to_closure",
        "overdue_actions",
        "referrals",
        "referral_response_time",
        "programme_referrals",
        "caseload_per_worker",
    } | {indicator.name for indicator in (*TRAINING_INDICATORS, *CARE_INDICATORS)} | {
        "services_delivered_in_time"
    }


@pytest.mark.parametrize("name", ["closures_by_reason", "time_to_closure", "overdue_actions"])
def test_the_sums_an_indicator_declares_hold_in_every_row(store: Store, name: str) -> None:
    # Privacy suppression relies on them: a reader could subtract the parts from the whole.
    indicator = available_indicators(PM)[name]
    assert indicator.sums
    table = report(store, name, by=["province"]).table(name)
    keys = len(table.dimensions)
    for row in (*table.body, (None,) * keys + tuple(table.totals or ())):
        values = dict(zip(table.measures, row[keys:], strict=True))
        for whole, parts in indicator.sums.items():
            assert values[whole] == sum(values[part] for part in parts)


def test_a_public_report_hides_a_small_band_with_another_of_its_row() -> None:
    with _store("memory://", reporting_data.records()) as opened:
        public = report(opened, "time_to_closure", privacy=Privacy.PUBLIC, threshold=2)
    table = public.table("time_to_closure")
    hidden = {table.measures[measure] for row, measure in table.suppressed if row == 0}
    # The row's whole is published with its bands: a band withheld alone could be recovered.
    assert hidden
    assert len(hidden) >= 2
