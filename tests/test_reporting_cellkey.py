"""Reports for aggregate-only actors resist the differencing attack (the cell-key method).

The attack: two public reports whose filters differ by one value (``province=p``, then
``province=p`` and every value of a dimension but ``r``) give two figures; subtracting them gives
the count of records with ``r`` exactly, however each table was protected on its own.  Under the
cell-key method every count is rounded by a key drawn from its records, the same way in every
report; the attacker below knows the method and its perturbation table, and every figure it is
given, and must still be left with at least two possible counts.

The attacker's reasoning is written here from the method's public description (a published
count ``y`` stands for a count within ``base - 1`` of it), independently of
``wladna_core.reporting.cellkey``.  The reports are computed on the memory store, on SQLite and
on PostgreSQL, which must give the same figures.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postgres import private_schema, server_url
from wladna_core import Actor, Role, Wladna, hookimpl
from wladna_core.access import AccessDenied
from wladna_core.model import (
    Case,
    CaseStatus,
    Child,
    Family,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Indicator, Period, Privacy, ReportError
from wladna_core.reporting.builtin import BUILTIN_INDICATORS
from wladna_core.reporting.cellkey import (
    MODULUS,
    SMALLEST_BASE,
    CellKeyMethod,
    RecordKeys,
)
from wladna_core.reporting.privacy import PrivacyError
from wladna_core.storage import ALLOW_RESET, open_store
from wladna_core.storage.sql.reporting import SqlReport
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import example_case_file

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from wladna_core.storage import Store
    from wladna_core.testing.strategies import CaseFile

ON = ws.REFERENCE_DATE
PM = make_plugin_manager(load_entrypoints=False)
KEY = "5c" * 32
SETTINGS: dict[str, object] = {"report_key": KEY}
ANALYST = Actor("analyst", {Role.NATIONAL_ANALYST})
RECORD_TYPES = (TerritorialBody, Child, Family, Case, Referral)

#: The counts a report can be asked for, by indicator: every count whose records, under a
#: narrower filter, are among those under a wider one (not the caseload bands: a worker can
#: change band when fewer of their cases are kept).
COUNTS: tuple[tuple[str, str], ...] = (
    ("cases_opened", "count"),
    ("open_caseload", "count"),
    ("closures_by_reason", "count"),
    ("closures_by_reason", "goals_achieved"),
    ("time_to_first_assessment", "assessed"),
    ("time_to_first_assessment", "within_deadline"),
    ("time_to_closure", "closed"),
    ("time_to_closure", "days_0_30"),
    ("overdue_actions", "first_assessments"),
    ("overdue_actions", "referral_responses"),
    ("referrals", "made"),
    ("referrals", "accepted"),
    ("referrals", "rejected"),
    ("referral_response_time", "answered"),
    ("programme_referrals", "count"),
    ("caseload_per_worker", "workers"),
)


def _codes(*kinds: Any) -> list[str]:
    return [member.value for kind in kinds for member in kind]


_UNIVERSE: dict[str, list[str]] = {
    "risk": _codes(RiskLevel),
    "concern": _codes(ProtectionConcern),
    "sex": _codes(Sex),
    "age_band": ["0-5", "6-11", "12-17"],
    "status": _codes(CaseStatus, ReferralStatus),
    "service": _codes(ServiceType),
    "programme": _codes(SocialProgramme),
}


def _open(url: str) -> Store:
    return open_store(url, plugins=PM, settings={ALLOW_RESET: True}, clock=lambda: ON)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def sql_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A SQLite (in memory) or PostgreSQL (private schema) store, for the whole test."""
    if request.param == "sqlite":
        with _open("sqlite://") as store:
            yield store
        return
    with private_schema(server_url()) as url, _open(url) as store:
        yield store


@pytest.fixture
def memory_store() -> Iterator[Store]:
    with _open("memory://") as store:
        yield store


def fill(store: Store, files: Sequence[Any]) -> None:
    """Empty ``store``, then add every record of ``files``, type by type."""
    store.reset()
    by_type: dict[type, list[Any]] = {kind: [] for kind in RECORD_TYPES}
    for file in files:
        for record in file.records:
            by_type[type(record)].append(record)
    with store.unit_of_work() as uow:
        for kind in RECORD_TYPES:
            uow.repository(kind).add_many(by_type[kind])


def _app(store: Store, settings: dict[str, object] | None = None) -> Wladna:
    moment = datetime(ON.year, ON.month, ON.day, 12, tzinfo=UTC)
    return Wladna(store, plugins=PM, settings=settings or SETTINGS, clock=lambda: moment)


def _figure(wl: Wladna, indicator: str, measure: str, where: dict[str, Any]) -> object:
    """The figure an analyst is given: a report without dimension has one row."""
    table = wl.as_actor(ANALYST).report([indicator], where=where, on=ON).table(indicator)
    return table.value((), measure)


def _exact(wl: Wladna, indicator: str, measure: str, where: dict[str, Any]) -> int:
    """The count itself: the operator's own report."""
    value = wl.report([indicator], where=where, on=ON).table(indicator).value((), measure)
    assert isinstance(value, int)
    return value


def _could_be(published: int, base: int) -> range:
    """The attacker's knowledge of one figure: rounded up or down to a multiple of ``base``."""
    return range(max(0, published - base + 1), published + base)


def _attack(wider: int, narrower: int, base: int) -> set[int]:
    """Every count of records between the two populations consistent with the two figures.

    The narrower population is part of the wider one; if they are the same records, their
    figures are the same (the cell-key method gives one figure to one set of records), so
    different figures mean at least one record between them.
    """
    return {
        whole - part
        for whole in _could_be(wider, base)
        for part in _could_be(narrower, base)
        if part <= whole and (whole != part or wider == narrower)
    }


@st.composite
def _attacks(draw: st.DrawFn, files: Sequence[CaseFile]) -> tuple[str, str, str, list[str]]:
    indicator, measure = draw(st.sampled_from(COUNTS), label="count")
    allowed = next(i for i in BUILTIN_INDICATORS if i.name == indicator).dimensions
    dimensions = [d for d in ("body", *_UNIVERSE) if d in allowed]
    dimension = draw(st.sampled_from(dimensions), label="dimension")
    universe = (
        sorted({body.id for file in files for body in file.bodies})
        if dimension == "body"
        else _UNIVERSE[dimension]
    )
    # A rounded report filters a dimension on one value (overlapping sets of values would add
    # up to equations): the narrower population is that of one value.
    return indicator, measure, dimension, [draw(st.sampled_from(universe), label="value")]


_EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@_EXAMPLES
@given(files=ws.many_case_files(min_size=1, max_size=8, territory="MA-SAL"), data=st.data())
def test_two_public_reports_never_give_a_count_away_by_difference(
    memory_store: Store, sql_store: Store, files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    fill(memory_store, files)
    fill(sql_store, files)
    indicator, measure, dimension, kept = data.draw(_attacks(files), label="attack")
    wider = {"province": ["MA-SAL"]}
    narrower = {"province": ["MA-SAL"], dimension: kept}
    apps = (_app(memory_store), _app(sql_store))
    base = CellKeyMethod.default(RecordKeys()).base

    figures = [
        [_figure(wl, indicator, measure, where) for where in (wider, narrower)] for wl in apps
    ]
    assert figures[0] == figures[1]  # every store gives the same figures
    published_wider, published_narrower = figures[0]
    assert isinstance(published_wider, int)
    assert isinstance(published_narrower, int)
    exact_wider, exact_narrower = (
        _exact(apps[0], indicator, measure, where) for where in (wider, narrower)
    )
    for published, exact in ((published_wider, exact_wider), (published_narrower, exact_narrower)):
        assert published % base == 0  # nothing from 1 to base - 1 is ever shown
        assert exact in _could_be(published, base)
    if exact_wider == exact_narrower:
        assert published_wider == published_narrower  # the same records, the same figure

    between = exact_wider - exact_narrower
    candidates = _attack(published_wider, published_narrower, base)
    assert between in candidates
    assert len(candidates) >= 2, (
        f"the difference of {published_wider} and {published_narrower} gives the count "
        f"{between} away"
    )


def _seven_cases_one_at_high_risk(store: Store) -> Wladna:
    files = [
        attrs.evolve(file, case=attrs.evolve(file.case, risk=RiskLevel.HIGH)) if n == 0 else file
        for n, file in enumerate([_example_file(n) for n in range(7)])
    ]
    fill(store, files)  # type: ignore[arg-type]
    return _app(store)


def test_the_attack_recovers_a_count_from_tables_protected_one_at_a_time(
    memory_store: Store,
) -> None:
    """Why aggregate-only actors need the cell-key method: per-table suppression falls."""
    wl = _seven_cases_one_at_high_risk(memory_store)
    wider = {"province": ["MA-SAL"]}
    narrower = {"province": ["MA-SAL"], "risk": ["medium", "low", "none"]}

    def suppressed(where: dict[str, Any]) -> object:
        report = wl.report(["cases_opened"], where=where, on=ON, privacy=Privacy.PUBLIC)
        return report.table("cases_opened").value(())

    assert (suppressed(wider), suppressed(narrower)) == (7, 6)  # each safe on its own: 7 - 6 = 1
    # An aggregate-only actor is not given the narrower figure (a set of values), and the
    # refusal is audited; one value at a time, two figures leave at least two counts possible.
    with pytest.raises(AccessDenied, match="filters risk on one value, not 3"):
        _figure(wl, "cases_opened", "count", narrower)
    assert wl.audit.entries()[-1].outcome == "denied"
    high = {"province": ["MA-SAL"], "risk": ["high"]}
    published = [_figure(wl, "cases_opened", "count", where) for where in (wider, high)]
    assert all(isinstance(figure, int) and figure % 5 == 0 for figure in published)
    candidates = _attack(*published, 5)  # type: ignore[arg-type]
    assert 6 in candidates
    assert len(candidates) >= 2


@_EXAMPLES
@given(files=ws.many_case_files(min_size=0, max_size=8), data=st.data())
def test_every_store_publishes_the_same_protected_report(
    memory_store: Store, sql_store: Store, files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    fill(memory_store, files)
    fill(sql_store, files)
    for indicator in BUILTIN_INDICATORS:
        by = data.draw(
            st.lists(st.sampled_from(indicator.dimensions), max_size=2, unique=True),
            label=f"{indicator.name} by",
        )
        reports = [
            _app(store).as_actor(ANALYST).report([indicator.name], by=by, on=ON)
            for store in (memory_store, sql_store)
        ]
        assert reports[0] == reports[1], indicator.name
        table = reports[0].table(indicator.name)
        counts = [m for m in table.measures if m not in indicator.counts_behind]
        for row in (*table.body, *([table.totals] if table.totals is not None else [])):
            values = row[-len(table.measures) :]
            for measure in counts:
                value = values[table.measures.index(measure)]
                assert isinstance(value, int), (indicator.name, measure, value)
                assert value % 5 == 0, (indicator.name, measure, value)


@_EXAMPLES
@given(files=ws.many_case_files(min_size=1, max_size=8), data=st.data())
def test_the_same_records_get_the_same_figure_in_every_table(
    memory_store: Store, files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    fill(memory_store, files)
    wl = _app(memory_store)
    indicator, measure = data.draw(st.sampled_from(COUNTS), label="count")
    by_province = wl.as_actor(ANALYST).report([indicator], by=["province"], on=ON)
    table = by_province.table(indicator)
    for key in table.keys():  # noqa: SIM118 (a table's keys, not a mapping's)
        (province,) = key
        if province is None:
            continue
        alone = _figure(wl, indicator, measure, {"province": [province]})
        assert table.value(key, measure) == alone
    whole = _figure(wl, indicator, measure, {})
    assert table.totals is not None
    assert table.totals[table.measures.index(measure)] == whole
    again = wl.as_actor(ANALYST).report([indicator], by=["province"], on=ON)
    assert again == by_province


# --- the perturbation table itself, exhaustively ----------------------------------------------


@pytest.mark.parametrize("base", [4, 5, 6, 10])
def test_rounding_is_unbiased_and_never_shows_a_small_count(base: int) -> None:
    method = CellKeyMethod(base=base, threshold=base, keys=RecordKeys())
    for count in range(4 * base):
        row = method.ptable(count)
        assert sum(value * chance for value, chance in row) == count
        assert sum(chance for _value, chance in row) == 1
        for value, _chance in row:
            assert value % base == 0
            assert count in method.could_be(value)
        # The keys below rest/base of the key range round up, the others down.
        rest = count % base
        up = -(-rest * MODULUS // base)  # how many keys k have k * base < rest * MODULUS
        if rest:
            assert method.perturb(count, up - 1) == count - rest + base
        assert method.perturb(count, up) == count - rest


@pytest.mark.parametrize("base", [SMALLEST_BASE, 5, 7])
def test_no_pair_of_figures_pins_the_count_between_them(base: int) -> None:
    method = CellKeyMethod(base=base, threshold=base, keys=RecordKeys())
    for whole, part in itertools.product(range(5 * base), repeat=2):
        if part > whole:
            continue
        pairs = (
            {(value, value) for value, _chance in method.ptable(whole)}
            if whole == part
            else {
                (a, b)
                for (a, _x), (b, _y) in itertools.product(method.ptable(whole), method.ptable(part))
            }
        )
        for published_whole, published_part in pairs:
            candidates = _attack(published_whole, published_part, base)
            assert whole - part in candidates
            assert len(candidates) >= 2, (whole, part, published_whole, published_part)


def test_rounding_to_three_would_pin_a_count_of_one() -> None:
    # Why the base is at least 4: 3 and 4 records, rounded to 3 and 6, leave only 1 between.
    assert _attack(3, 6, 3) == {1}
    with pytest.raises(PrivacyError, match="base must be a whole number of at least 4"):
        CellKeyMethod(base=3, threshold=3, keys=RecordKeys())


# --- record keys --------------------------------------------------------------------------------


def test_record_keys_are_the_same_in_python_and_in_the_database(sql_store: Store) -> None:
    keys = RecordKeys.from_settings(SETTINGS)
    identifiers = ["0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", "worker.sale", "é-ü-ك"]
    with sql_store._open_unit_of_work() as uow:  # type: ignore[attr-defined]
        sql = SqlReport(uow, sql_store)  # type: ignore[arg-type]
        for identifier in identifiers:
            literal = sa.literal(identifier, sa.String)
            (row,) = sql.execute(sa.select(keys.sql(literal, sql), keys.sql_worker(literal, sql)))
            assert tuple(int(value) for value in row) == (
                keys.of(identifier),
                keys.of_worker(identifier),
            )
        uow.rollback()


def test_the_keys_depend_on_the_deployments_secret() -> None:
    one = RecordKeys.from_settings({"report_key": "01" * 32})
    other = RecordKeys.from_settings({"report_key": bytes(32)})
    plain = RecordKeys.from_settings({})
    identifier = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"
    assert len({one.of(identifier), other.of(identifier), plain.of(identifier)}) == 3
    assert (one.keyed, plain.keyed) == (True, False)
    assert KEY not in repr(RecordKeys.from_settings(SETTINGS))
    assert "01" * 32 not in repr(CellKeyMethod.default(one))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("zz" * 32, "the setting 'report_key' does not hold a key in hexadecimal digits"),
        ("ab" * 8, "needs at least 32 bytes, this one has 8"),
        (12345, "the setting 'report_key' holds a int, not bytes or text"),
    ],
)
def test_a_bad_report_key_is_refused_without_showing_it(value: object, message: str) -> None:
    with pytest.raises(PrivacyError, match=message) as caught:
        RecordKeys.from_settings({"report_key": value})
    assert str(value) not in str(caught.value)


# --- who may lower the threshold ------------------------------------------------------------


def _two_cases(store: Store) -> Wladna:
    fill(store, _example_files())
    return _app(store)


def _example_file(number: int) -> Any:
    return example_case_file(idcs=f"30000000{number:02d}")


def _example_files() -> list[Any]:
    return [_example_file(number) for number in range(2)]


@pytest.mark.parametrize(
    "actor",
    [
        ANALYST,
        Actor("admin", {Role.ADMIN}),
    ],
)
def test_a_lower_threshold_is_refused_to_every_actor_and_audited(
    memory_store: Store, actor: Actor
) -> None:
    wl = _two_cases(memory_store)
    with pytest.raises(AccessDenied) as caught:
        wl.as_actor(actor).report(["cases_opened"], threshold=1, on=ON)
    assert str(caught.value) == (
        f"{actor.id} may not report.aggregate a report: a threshold below the deployment's (5) "
        "is for the deployment's operator alone; ask with threshold=5 or more, or leave it out"
    )
    entry = wl.audit.entries()[-1]
    assert (entry.actor_id, entry.action, entry.record_type, entry.outcome) == (
        actor.id,
        "report.aggregate",
        "Report",
        "denied",
    )
    assert entry.detail == caught.value.reason
    # The operator's own path is unchanged: exact figures, or suppression at any threshold.
    assert wl.report(["cases_opened"], on=ON).table("cases_opened").body == ((2,),)
    public = wl.report(["cases_opened"], on=ON, privacy=Privacy.PUBLIC, threshold=1)
    assert public.table("cases_opened").body == ((2,),)


def test_a_member_may_not_lower_the_threshold_either(memory_store: Store) -> None:
    wl = _two_cases(memory_store)
    with memory_store.unit_of_work() as uow:
        body = next(iter(uow.bodies.iter()))
    supervisor = Actor("supervisor", {Role.SUPERVISOR}, {body.id})
    with pytest.raises(AccessDenied, match="operator alone"):
        wl.as_actor(supervisor).report(["cases_opened"], threshold=2, on=ON)
    # Their own body's figure (one case of the two), as it is, without a lower threshold.
    mine = wl.as_actor(supervisor).report(["cases_opened"], on=ON)
    assert (mine.privacy, mine.table("cases_opened").body) == (Privacy.INTERNAL, ((1,),))


def test_a_higher_threshold_withholds_below_it_and_keeps_the_deployments_rounding(
    memory_store: Store,
) -> None:
    # Rounded to each threshold as a base with the same cell keys, the answers at a few
    # thresholds told a count exactly; a higher threshold only withholds published figures.
    wl = _two_cases(memory_store)
    [at_base] = wl.as_actor(ANALYST).report(["cases_opened"], on=ON).table("cases_opened").body
    report = wl.as_actor(ANALYST).report(["cases_opened"], threshold=10, on=ON)
    assert (report.threshold, report.rounding) == (10, 5)
    [figure] = report.table("cases_opened").body
    assert figure == ((None,) if at_base == (5,) else at_base)
    for threshold in range(5, 40):
        higher = wl.as_actor(ANALYST).report(["cases_opened"], threshold=threshold, on=ON)
        [(value,)] = higher.table("cases_opened").body
        assert value is None or (value,) == at_base


def test_the_deployments_threshold_is_the_floor(memory_store: Store) -> None:
    fill(memory_store, _example_files())
    wl = _app(memory_store, {**SETTINGS, "report_threshold": 8})
    with pytest.raises(AccessDenied, match=r"below the deployment's \(8\)"):
        wl.as_actor(ANALYST).report(["cases_opened"], threshold=5, on=ON)
    report = wl.as_actor(ANALYST).report(["cases_opened"], on=ON)
    assert (report.threshold, report.rounding) == (8, 8)


@pytest.mark.parametrize("threshold", [0, -1, True, "5", 2.5])
def test_a_threshold_that_is_not_a_count_is_refused(memory_store: Store, threshold: object) -> None:
    wl = _two_cases(memory_store)
    with pytest.raises(ReportError, match="threshold= is the smallest count a public report shows"):
        wl.as_actor(ANALYST).report(["cases_opened"], threshold=threshold, on=ON)  # type: ignore[arg-type]


# --- what else a public report withholds ------------------------------------------------------


def test_a_median_is_shown_only_where_its_count_proves_enough_records(memory_store: Store) -> None:
    fill(memory_store, _example_files())
    wl = _app(memory_store)
    method = CellKeyMethod.default(RecordKeys())
    for indicator in ("time_to_first_assessment", "referral_response_time"):
        table = wl.as_actor(ANALYST).report([indicator], on=ON).table(indicator)
        count = table.measures[0]
        median = table.measures.index("median_days")
        published = table.value((), count)
        assert isinstance(published, int)
        # Two cases at most: never proven, so the median is withheld and marked so.
        assert not method.proves_threshold(published)
        assert table.body[0][median] is None
        assert (0, median) in table.suppressed


def test_an_indicator_not_declared_is_refused_to_aggregate_only_actors(
    memory_store: Store,
) -> None:
    fill(memory_store, _example_files())

    def compute(_records: object, _query: object) -> list[tuple[object, ...]]:
        return [(2,)]

    plain = Indicator(
        name="plain",
        title="Plain",
        definition="Counts computed by hand.",
        unit="count",
        measures=("count",),
        dimensions=(),
        counts="cases",
        compute=compute,  # type: ignore[arg-type]
    )

    class Plugin:
        @hookimpl
        def wladna_indicators(self) -> list[Indicator]:
            return [plain]

    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(Plugin(), name="plain-indicator")
    moment = datetime(ON.year, ON.month, ON.day, 12, tzinfo=UTC)
    wl = Wladna(memory_store, plugins=pm, settings=SETTINGS, clock=lambda: moment)
    with pytest.raises(PrivacyError, match="'plain' is not declared"):
        wl.as_actor(ANALYST).report(["plain"], on=ON)
    assert wl.report(["plain"], on=ON).table("plain").body == ((2,),)


# --- what a rounded report may ask ------------------------------------------------------------


def _calendar(start: date, end: date) -> bool:
    """A calendar month, quarter or year, worked out another way than the services do."""
    for unit in (1, 3, 12):
        for first in range(1, 13, unit):
            last_month = first + unit - 1
            following = date(start.year + last_month // 12, last_month % 12 + 1, 1)
            if start == date(start.year, first, 1) and end == following - timedelta(days=1):
                return True
    return False


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    start=st.dates(date(2024, 1, 1), ON),
    length=st.one_of(st.integers(0, 400), st.sampled_from([27, 28, 29, 30, 89, 90, 91, 364, 365])),
    aligned=st.booleans(),
)
def test_a_rounded_report_counts_calendar_months_quarters_and_years_only(
    memory_store: Store, start: date, length: int, aligned: bool
) -> None:
    # Periods sliding day by day told most daily counts exactly, one rounded figure each.
    if aligned:
        start = start.replace(day=1)
    end = min(start + timedelta(days=length), ON)
    memory_store.reset()
    wl = _two_cases(memory_store)
    ask = lambda: wl.as_actor(ANALYST).report(  # noqa: E731
        ["cases_opened"], period=Period(start, end), on=ON
    )
    if _calendar(start, end):
        assert ask().table("cases_opened").body[0][0] % 5 == 0
        assert wl.audit.entries()[-1].outcome == "done"
    else:
        with pytest.raises(AccessDenied, match="is not a calendar month, quarter or year"):
            ask()
        assert wl.audit.entries()[-1].outcome == "denied"


def test_a_rounded_report_counts_up_to_today_or_a_month_end(memory_store: Store) -> None:
    wl = _two_cases(memory_store)
    analyst = wl.as_actor(ANALYST)
    with pytest.raises(AccessDenied, match=r"not to 2025-06-14: .* give 2025-06-30"):
        analyst.report(["cases_opened"], on=date(2025, 6, 14))
    assert analyst.report(["cases_opened"], on=date(2025, 6, 30)).table("cases_opened")
    assert analyst.report(["cases_opened"], on=ON).table("cases_opened")
    assert analyst.report(["cases_opened"]).table("cases_opened")
    # The operator asks for any day, and a body's people for their own figures as they are.
    assert wl.report(["cases_opened"], on=date(2025, 6, 14)).table("cases_opened")


def test_a_public_report_of_a_body_is_asked_the_same_way_and_its_own_figures_are_not(
    memory_store: Store,
) -> None:
    wl = _two_cases(memory_store)
    with memory_store.unit_of_work() as uow:
        body = next(iter(uow.bodies.iter()))
    supervisor = wl.as_actor(Actor("supervisor", {Role.SUPERVISOR}, {body.id}))
    week = Period(date(2025, 6, 2), date(2025, 6, 8))
    with pytest.raises(AccessDenied, match="not a calendar month"):
        supervisor.report(["cases_opened"], period=week, on=ON, privacy=Privacy.PUBLIC)
    with pytest.raises(AccessDenied, match="filters risk on one value, not 2"):
        supervisor.report(
            ["cases_opened"], where={"risk": ["high", "low"]}, on=ON, privacy=Privacy.PUBLIC
        )
    inside = supervisor.report(["cases_opened"], period=week, where={"risk": ["high", "low"]})
    assert inside.privacy is Privacy.INTERNAL


def test_every_report_is_audited_with_what_was_asked_and_no_figure(memory_store: Store) -> None:
    wl = _two_cases(memory_store)
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    wl.as_actor(ANALYST).report(
        ["cases_opened", "referrals"], by=["province"], where={"risk": "high"}, period=march
    )
    entry = wl.audit.entries()[-1]
    assert (entry.actor_id, entry.action, entry.outcome, entry.record_type) == (
        ANALYST.id,
        "report.aggregate",
        "done",
        "Report",
    )
    assert entry.detail == (
        "cases_opened,referrals by province where risk=high period 2025-03-01/2025-03-31 "
        f"on {ON.isoformat()} public"
    )
