"""The adapter contract suite, run as an adapter author runs it: a separate pytest session.

The memory store, the reference implementation, must pass it whole.  Stores with one flaw each
(a find that ignores its query, a rollback that keeps writes...) must fail it, which shows that
the suite checks what it claims to.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SUITE = "wladna_core.testing.conformance"

# A conftest with a plug-in whose stores are memory stores with one flaw each, named in the URL (flawed://<flaw>),
# and a wladna_pm fixture that registers it, overriding the pytest plug-in's.
FLAWED_STORES = """
import pytest
from hypothesis import Phase, settings

from wladna_core.hookspecs import hookimpl
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage.memory import MemoryRepository, MemoryStore, MemoryUnitOfWork
from wladna_core.storage.ports import REPOSITORY_NAMES as BUILTIN


class FlawedRepository(MemoryRepository):
    def _select(self, query, *, after, limit):
        flaw = self.store.flaw
        found = super()._select(None if flaw == "find-ignores-query" else query, after=after,
                                limit=limit)
        if flaw == "iter-skips-a-record-per-batch" and after is not None:
            return found[1:]
        return found

    def _insert(self, rows):
        if self.store.flaw == "keeps-only-builtin-kinds" and self.record_type not in BUILTIN:
            return  # an adapter written for the five built-in kinds, blind to the others
        super()._insert(rows[:1] if self.store.flaw == "bulk-keeps-first-row" else rows)


class FlawedUnitOfWork(MemoryUnitOfWork):
    def _repository(self, record_type):
        return FlawedRepository(self, record_type)

    def _rollback(self):
        if self.store.flaw == "rollback-keeps-writes":
            self._commit()
        else:
            super()._rollback()


class FlawedStore(MemoryStore):
    def __init__(self, url, *, plugins, settings):
        self.flaw = url.removeprefix("flawed://")
        super().__init__("memory://", plugins=plugins, settings=settings)

    def _open_unit_of_work(self):
        return FlawedUnitOfWork(self)


class Flawed:
    @hookimpl
    def wladna_open_store(self, url, settings, plugins):
        if url.startswith("flawed://"):
            return FlawedStore(url, plugins=plugins, settings=settings)
        return None


# Finding a flaw is enough: no time spent shrinking the example that shows it.
settings.register_profile("flaw-hunt", max_examples=10, phases=[Phase.generate])


@pytest.fixture
def wladna_pm():
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(Flawed())
    return pm
"""


def _run_suite(pytester: pytest.Pytester, url: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "--pyargs", SUITE, "--wladna-store", url, "-p", "no:cacheprovider", "-W", "error", *args
    )


@pytest.mark.parametrize("url", ["memory://", "memory://conformance"])
def test_the_memory_store_passes_the_whole_contract_suite(
    pytester: pytest.Pytester, url: str
) -> None:
    result = _run_suite(pytester, url)
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert outcomes.get("passed", 0) >= 40
    assert set(outcomes) == {"passed"}


def test_the_store_url_comes_from_the_environment_without_the_option(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(FLAWED_STORES)
    monkeypatch.setenv("WLADNA_STORE_URL", "flawed://rollback-keeps-writes")
    result = pytester.runpytest_subprocess(
        "--pyargs", SUITE, "-p", "no:cacheprovider", "-k", "all_or_nothing"
    )
    result.assert_outcomes(failed=1)


@pytest.mark.parametrize(
    ("flaw", "caught_by"),
    [
        ("find-ignores-query", "test_find_count_and_iter_select_exactly_what_the_query_matches"),
        ("iter-skips-a-record-per-batch", "test_iter_streams_every_record_in_order_of_id"),
        ("rollback-keeps-writes", "test_unit_of_work_is_all_or_nothing"),
        ("bulk-keeps-first-row", "test_add_many_stores_a_thousand_children_in_one_go"),
        ("keeps-only-builtin-kinds", "test_a_kind_declared_by_a_plugin_is_kept_read_and_updated"),
    ],
)
def test_the_contract_suite_fails_a_store_with_a_flaw(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, flaw: str, caught_by: str
) -> None:
    monkeypatch.setenv("WLADNA_HYPOTHESIS_PROFILE", "flaw-hunt")
    pytester.makeconftest(FLAWED_STORES)
    result = _run_suite(pytester, f"flawed://{flaw}", "-x", "-k", caught_by)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    result.stdout.fnmatch_lines([f"FAILED *{caught_by}*"])
