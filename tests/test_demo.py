"""``wladna demo``: synthetic casework of the pilot cities, made through the casework services."""

from __future__ import annotations

import re
import sys
import types
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wladna_core import Actor, Role, Wladna
from wladna_core import demo as demo_module
from wladna_core.cli import ExitCode, main
from wladna_core.cli.demo import HTML_PLUGIN, html_report_path
from wladna_core.demo import (
    HISTORY_DAYS,
    PILOT_CITIES,
    DemoStoreNotEmpty,
    plan_demo,
    run_demo,
)
from wladna_core.model import Case, CaseStatus, Child, Family, Referral, ReferralStatus, Sex
from wladna_core.rules import validate
from wladna_core.storage import CaseQuery, open_store
from wladna_core.storage.context import StoreContext

if TYPE_CHECKING:
    from pathlib import Path

    from wladna_core.reporting import Report

TODAY = date(2026, 3, 31)
SMALL = ("--cases", "60", "--city", "MA-SAL", "--city", "MA-AGD", "--seed", "11")
SMALL_ARGS = (*SMALL, "--today", TODAY.isoformat())
ACTIVE = (
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSMENT,
    CaseStatus.CASE_PLAN,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.FOLLOW_UP,
)
FEW = settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, ["demo", *args], catch_exceptions=True)
    # A user's mistake never shows a traceback, and leaves through SystemExit alone.
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Result]:
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    return url, run("--db", url, *SMALL_ARGS)


def test_the_demo_command_fills_the_database_and_prints_the_summary(
    small_demo: tuple[str, Result],
) -> None:
    _, result = small_demo
    assert result.exit_code == ExitCode.OK, result.output
    assert "60 case files opened in Salé, Agadir, 2024-10-07 to 2026-03-31" in result.stdout
    for heading in ("Cases by status", "Referrals by status", "Indicators by city"):
        assert heading in result.stdout
    assert "Audit trail verified:" in result.stdout
    assert "chain intact" in result.stdout
    # The progress bar only goes to a terminal: stdout carries the summary alone.
    assert "Casework" not in result.stdout


def test_the_database_holds_every_case_file_with_its_duplicates_and_successors(
    small_demo: tuple[str, Result],
) -> None:
    url, _ = small_demo
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            total = uow.cases.count()
            moved = uow.cases.count(CaseQuery(status={CaseStatus.TRANSFERRED}))
            duplicates = uow.cases.count(CaseQuery(status={CaseStatus.DUPLICATE}))
            children = uow.children.count()
            bodies = uow.bodies.count()
    finally:
        store.close()
    assert total == 60 + moved + duplicates
    assert children == 60
    assert bodies == 2 * 5
    stored = " ".join(small_demo[1].stdout.split())  # as printed, wrapped or not
    assert (
        f"Stored: {total} cases (the 60 opened, {moved} more opened where a case was transferred "
        f"to another city, {duplicates} more opened twice and marked duplicate), 60 children"
    ) in stored


def test_every_stored_record_passes_the_rules(small_demo: tuple[str, Result]) -> None:
    url, _ = small_demo
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            context = StoreContext(uow)
            for kind in (Child, Family, Case, Referral):
                for record in uow.repository(kind).iter():
                    found = validate(record, on=TODAY, context=context, rules=store.rules)
                    assert [v for v in found if v.is_error] == [], record
    finally:
        store.close()


def test_the_cases_cover_the_whole_circuit(small_demo: tuple[str, Result]) -> None:
    url, _ = small_demo
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            cases = {status: uow.cases.count(CaseQuery(status={status})) for status in CaseStatus}
            closed = [case for case in uow.cases.iter() if case.status is CaseStatus.CLOSED]
            referrals = {ref.status for ref in uow.referrals.iter()}
    finally:
        store.close()
    assert cases[CaseStatus.CLOSED] > 0
    assert all(cases[status] > 0 for status in ACTIVE), cases
    assert cases[CaseStatus.TRANSFERRED] > 0
    assert cases[CaseStatus.DUPLICATE] > 0
    assert all(case.closure is not None and case.closure.reason for case in closed)
    assert referrals == set(ReferralStatus)


def test_the_audit_trail_of_the_demo_verifies(small_demo: tuple[str, Result]) -> None:
    url, _ = small_demo
    with Wladna.open(url) as wladna:
        verification = wladna.audit.verify()
    assert verification.ok
    assert f"Audit trail verified: {verification.checked} entries" in small_demo[1].stdout


def test_the_html_report_is_written_next_to_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plug-in is a distribution of its own (tested by `nox -s plugins`); here a stand-in
    # with its function `render_report(report, lang)` shows what the demo hands it.
    rendered: list[tuple[Report, str]] = []

    def render_report(report: Report, lang: str = "fr") -> bytes:
        rendered.append((report, lang))
        titles = "".join(f"<h2>{table.title}</h2>" for table in report.tables)
        return f"<!DOCTYPE html><html lang={lang}>{titles}</html>".encode()

    monkeypatch.setitem(
        sys.modules, HTML_PLUGIN, types.SimpleNamespace(render_report=render_report)
    )
    url = f"sqlite:///{tmp_path / 'with-html.db'}"
    result = run("--db", url, "--cases", "3", "--city", "MA-SAL", "--today", "2026-03-31")
    assert result.exit_code == ExitCode.OK, result.output
    path = html_report_path(url)
    assert f"HTML report written to {path}" in result.stdout
    [(report, lang)] = rendered
    assert lang == "fr"
    assert report.tables
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_without_the_html_plugin_no_report_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, HTML_PLUGIN, None)  # the import then fails
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    result = run("--db", url, "--cases", "3", "--city", "MA-LAA", "--today", "2026-03-31")
    assert result.exit_code == ExitCode.OK, result.output
    assert "HTML report" not in result.stdout
    assert not html_report_path(url).exists()


def test_a_non_empty_database_is_refused_unless_forced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    args = ("--db", url, "--cases", "4", "--city", "MA-MEK", "--today", "2026-03-31")
    assert run(*args, "--seed", "1").exit_code == ExitCode.OK
    with Wladna.open(url) as wladna, wladna.store.unit_of_work() as uow:
        before = uow.cases.count()
    refused = run(*args, "--seed", "2")
    assert refused.exit_code == ExitCode.USAGE
    assert "already holds records" in refused.stderr
    assert "--force" in refused.stderr
    with Wladna.open(url) as wladna, wladna.store.unit_of_work() as uow:
        assert uow.cases.count() == before
    forced = run(*args, "--seed", "2", "--force")
    assert forced.exit_code == ExitCode.OK, forced.output
    with Wladna.open(url) as wladna:
        assert wladna.audit.verify().ok
        with wladna.store.unit_of_work() as uow:
            assert uow.children.count() == 4


@pytest.mark.parametrize("audited", [True, False], ids=["registered", "loaded without audit"])
def test_force_never_empties_a_store_the_demonstration_did_not_fill(
    tmp_path: Path, audited: bool
) -> None:
    """A store of real children is not a demonstration's: --force refuses it, deleting nothing."""
    url = f"sqlite:///{tmp_path / 'real.db'}"
    child = Child(
        sex=Sex.FEMALE, birth_date=date(2014, 2, 3), given_name="Amina", family_name="Idrissi"
    )
    with Wladna.open(url) as wladna:
        if audited:
            worker = Actor("worker.sale", {Role.CASE_WORKER}, {"upe-sale"})
            wladna.as_actor(worker).register_child(child)
        else:
            with wladna.store.unit_of_work() as uow:
                uow.children.add(child)
    args = ("--db", url, "--cases", "4", "--city", "MA-MEK", "--today", "2026-03-31")
    refused = run(*args, "--force")
    assert refused.exit_code == ExitCode.USAGE
    assert "did not make" in refused.stderr
    assert "never deletes them" in refused.stderr
    with Wladna.open(url) as wladna, wladna.store.unit_of_work() as uow:
        assert [found.id for found in uow.children.iter()] == [child.id]
        assert uow.cases.count() == 0
        # The registration and its lookup for possible duplicates.
        assert len(uow.audit.entries()) == (2 if audited else 0)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--cases", "0"), "Invalid value for '--cases'"),
        (("--cases", "many"), "Invalid value for '--cases'"),
        (("--city", "MA-FES"), "Invalid value for '--city'"),
        (("--today", "31/03/2026"), "Invalid value for '--today'"),
    ],
)
def test_a_bad_option_is_a_usage_error_without_traceback(
    tmp_path: Path, args: tuple[str, ...], complaint: str
) -> None:
    result = run("--db", f"sqlite:///{tmp_path / 'bad.db'}", *args)
    assert result.exit_code == ExitCode.USAGE
    assert complaint in result.stderr
    assert not (tmp_path / "bad.db").exists()


def test_the_same_seed_gives_the_same_data() -> None:
    first = run_demo(plan_demo(cases=25, seed=5, today=TODAY), "memory://demo-seed-a")
    again = run_demo(plan_demo(cases=25, seed=5, today=TODAY), "memory://demo-seed-b")
    assert first == again
    other = run_demo(plan_demo(cases=25, seed=6, today=TODAY), "memory://demo-seed-c")
    assert other.steps != first.steps or other.cases != first.cases


def test_a_store_with_records_is_refused_by_the_library() -> None:
    plan = plan_demo(cases=2, cities=["MA-RAB"], seed=1, today=TODAY)
    url = "memory://demo-refused"
    store = open_store(url)
    try:
        run_demo(plan, url)
        with pytest.raises(DemoStoreNotEmpty, match="already holds records"):
            run_demo(plan, url)
    finally:
        store.close()


def test_the_plan_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="1 case or more"):
        plan_demo(cases=0)
    with pytest.raises(ValueError, match="not a pilot city"):
        plan_demo(cases=1, cities=["MA-FES"])
    with pytest.raises(ValueError, match="at least one pilot city"):
        plan_demo(cases=1, cities=[])


def test_the_pilot_cities_are_the_eight_of_the_programme() -> None:
    codes = [city.code for city in PILOT_CITIES]
    assert codes == ["MA-RAB", "MA-SAL", "MA-AGD", "MA-CAS", "MA-TNG", "MA-MAR", "MA-MEK", "MA-LAA"]


@FEW
@given(
    seed=st.integers(0, 2**32),
    cases=st.integers(1, 40),
    cities=st.lists(st.sampled_from([city.code for city in PILOT_CITIES]), max_size=3),
)
def test_a_plan_is_dated_within_its_period_in_order_and_reproducible(
    seed: int, cases: int, cities: list[str]
) -> None:
    plan = plan_demo(cases=cases, cities=cities or None, seed=seed, today=TODAY)
    moments = [step.when for step in plan.steps]
    assert moments == sorted(moments)
    assert all(plan.start <= moment.date() <= TODAY for moment in moments)
    assert (TODAY - plan.start).days == HISTORY_DAYS
    assert {step.case for step in plan.steps if step.name == "open the case"} == set(range(cases))
    again = plan_demo(cases=cases, cities=cities or None, seed=seed, today=TODAY)
    assert [(s.when, s.case, s.name) for s in again.steps] == [
        (s.when, s.case, s.name) for s in plan.steps
    ]


@FEW
@given(seed=st.integers(0, 2**32), cases=st.integers(1, 15))
# A plan ending between a second opening of a child's case and its marking as a duplicate.
@example(seed=3517665, cases=7)
def test_every_step_of_any_plan_is_accepted_by_the_services(seed: int, cases: int) -> None:
    plan = plan_demo(cases=cases, cities=["MA-CAS", "MA-TNG"], seed=seed, today=TODAY)
    summary = run_demo(plan, f"memory://demo-{seed}-{cases}")
    # Every case the plan opens is stored: the files, their second opening (marked a duplicate
    # unless the plan ends first) and the cases continuing a transferred one.
    opening = {
        "open the case",
        "open the same child's case again",
        "transfer the case to another city",
    }
    assert summary.case_total == sum(step.name in opening for step in plan.steps)
    assert summary.case_total >= cases + summary.transferred + summary.duplicates
    assert summary.children == cases
    assert summary.audit_ok
    assert summary.steps == len(plan)


def test_a_demo_written_to_a_log_says_how_far_it_has_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Standard error is not a terminal here, as in a log; a line every LOG_EVERY seconds.
    monkeypatch.setattr("wladna_core.cli.progress.LOG_EVERY", 0.0)
    result = run("--db", f"sqlite:///{tmp_path / 'logged.db'}", *SMALL_ARGS)
    assert result.exit_code == ExitCode.OK, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Casework: ")]
    assert len(lines) > 10
    assert all(
        re.fullmatch(r"Casework: \d+ of \d+ steps \(\d+%\), \d+:\d\d:\d\d", line) for line in lines
    )
    assert re.match(r"Casework: (\d+) of \1 steps \(100%\)", lines[-1])
    assert "Casework" not in result.stdout


def test_the_summary_says_how_to_read_the_demonstration(small_demo: tuple[str, Result]) -> None:
    url, result = small_demo
    assert f"Read it with --db {url} (or WLADNA_DB={url})" in result.stdout
    assert (
        f"  wladna report cases_opened referrals --by province --on 2026-03-31 --db {url}"
        in result.stdout.splitlines()
    )
    assert f"  wladna audit verify --db {url}" in result.stdout.splitlines()


def test_after_the_demo_the_commands_it_names_read_it_and_a_plain_report_says_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WLADNA_DB", raising=False)
    demo = run(*SMALL_ARGS)
    assert demo.exit_code == ExitCode.OK, demo.output
    assert (tmp_path / "wladna-demo.db").is_file()
    plain = CliRunner().invoke(main, ["report", "cases_opened"])
    assert plain.exit_code == ExitCode.STORE
    assert "give --db sqlite:///wladna-demo.db" in plain.stderr
    assert not (tmp_path / "wladna.db").exists()
    named = [line.split() for line in demo.stdout.splitlines() if line.startswith("  wladna ")]
    # The casework's commands, then the training programme's.
    assert [command[1] for command in named[:2]] == ["report", "audit"]
    assert {command[1] for command in named[2:]} == {"training"}
    for command in named:
        done = CliRunner().invoke(main, command[1:])
        assert done.exit_code == 0, done.output
    assert "MA-SAL" in CliRunner().invoke(main, named[0][1:]).stdout


@pytest.mark.parametrize(
    ("city", "written"),
    [("Agadir", "d'Agadir"), ("Salé", "de Salé"), ("Oujda", "d'Oujda"), ("Rabat", "de Rabat")],
)
def test_the_demonstrations_french_names_elide_before_a_vowel(city: str, written: str) -> None:
    assert demo_module._of(city) == written


@given(
    opened=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    days_before=st.sampled_from((0, 1, 3)),
    age_days=st.integers(0, 18 * 366),
)
def test_a_child_is_identified_before_the_opening_and_never_before_birth(
    opened: date, days_before: int, age_days: int
) -> None:
    # The default demonstration of 7 December 2026 drew a child born three days before their
    # case opened and identified before their birth: its store refused the case.
    birth = opened - timedelta(days=age_days)
    identified = demo_module._identified_on(opened, days_before, birth)
    assert birth <= identified <= opened
    assert identified == opened - timedelta(days=days_before) or identified == birth
