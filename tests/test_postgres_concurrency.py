"""Several writers on one PostgreSQL database: no update is lost, no case number is repeated."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from postgres import backend_of, private_schema, release_once_blocked, server_url
from wladna_core.model import Case, FollowUp, FollowUpKind
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import ConcurrencyConflict, Store, open_store
from wladna_core.testing.conformance import example_case_file
from wladna_core.testing.strategies import REFERENCE_DATE

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.postgresql

WRITERS = 4
ROUNDS = 5
SHARED_CASES = 3
NEW_CASES_PER_WRITER = 5
# Retries of one update before a writer gives up: far above what 4 writers ever need.
MAX_ATTEMPTS = 200
TIMEOUT_SECONDS = 120
OPENED_ON = date(2025, 11, 3)


def _open(url: str) -> Store:
    return open_store(
        url,
        plugins=make_plugin_manager(load_entrypoints=False),
        clock=lambda: REFERENCE_DATE,
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with private_schema(server_url()) as url:
        yield url


def _seed(url: str, cases: int, first_idcs: int) -> list[Case]:
    """Store ``cases`` cases of Salé (with their body, child and family); return the cases."""
    stored: list[Case] = []
    with _open(url) as store, store.unit_of_work() as uow:
        for serial in range(cases):
            file = example_case_file(opened_on=OPENED_ON, idcs=f"{first_idcs + serial:010d}")
            uow.bodies.add(file.body)
            uow.children.add(file.child)
            uow.families.add(file.family)
            stored.append(uow.cases.add(file.case))
    return stored


def _follow_up(writer: int, round_: int) -> FollowUp:
    return FollowUp(
        on=OPENED_ON + timedelta(days=1 + round_),
        by=f"worker {writer}",
        kind=FollowUpKind.PHONE_CALL,
        note=f"writer {writer} round {round_}",
    )


def _write(url: str, writer: int, case_ids: list[str], start: Any, results: Any) -> None:
    """One writer process: append a follow-up to every shared case each round; add new cases."""
    conflicts = 0
    try:
        start.wait(timeout=TIMEOUT_SECONDS)
        with _open(url) as store:
            for round_ in range(ROUNDS):
                for case_id in case_ids:
                    for _attempt in range(MAX_ATTEMPTS):
                        try:
                            with store.unit_of_work() as uow:
                                case = uow.cases.get(case_id)
                                follow_ups = (*case.follow_ups, _follow_up(writer, round_))
                                uow.cases.update(attrs.evolve(case, follow_ups=follow_ups))
                            break
                        except ConcurrencyConflict:
                            conflicts += 1
                    else:
                        results.put(("gave up", writer, case_id))
                        return
            numbers = [
                case.number
                for case in _seed(url, NEW_CASES_PER_WRITER, first_idcs=1_000_000 * (writer + 1))
            ]
        results.put(("done", writer, conflicts, numbers))
    except BaseException as exc:
        results.put(("failed", writer, repr(exc)))


def test_concurrent_writers_lose_no_update_and_never_share_a_case_number(
    postgres_url: str,
) -> None:
    shared = _seed(postgres_url, SHARED_CASES, first_idcs=1)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    results = context.Queue()
    writers = [
        context.Process(
            target=_write,
            args=(postgres_url, writer, [case.id for case in shared], start, results),
        )
        for writer in range(WRITERS)
    ]
    for process in writers:
        process.start()
    reports: list[Any] = []
    try:
        reports.extend(results.get(timeout=TIMEOUT_SECONDS) for _ in writers)
    except queue.Empty:
        pytest.fail(f"the writers did not finish within {TIMEOUT_SECONDS} s: {reports}")
    finally:
        for process in writers:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    assert sorted(report[0] for report in reports) == ["done"] * WRITERS, reports
    with _open(postgres_url) as store, store.unit_of_work() as uow:
        for original in shared:
            case = uow.cases.get(original.id)
            notes = Counter(follow_up.note for follow_up in case.follow_ups)
            expected = {
                f"writer {writer} round {round_}": 1
                for writer in range(WRITERS)
                for round_ in range(ROUNDS)
            }
            assert notes == expected
            assert case.version == 1 + WRITERS * ROUNDS
        numbers = [case.number for case in uow.cases.find()]
    created = [number for report in reports for number in report[3]]
    assert len(created) == WRITERS * NEW_CASES_PER_WRITER
    assert len(set(numbers)) == len(numbers) == SHARED_CASES + len(created)
    assert set(created) <= set(numbers)


def test_an_update_waiting_on_a_concurrent_one_is_refused_once_it_commits(
    postgres_url: str,
) -> None:
    (case,) = _seed(postgres_url, 1, first_idcs=1)
    with _open(postgres_url) as store:
        holding = threading.Event()
        release = threading.Event()
        failures: list[BaseException] = []
        holder: list[int] = []

        def theirs() -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.cases.update(attrs.evolve(case, worker_id="Amina Benali"))
                    holder.append(backend_of(uow))
                    holding.set()  # their row lock is held until they commit
                    release.wait(timeout=TIMEOUT_SECONDS)
            except BaseException as exc:
                failures.append(exc)
                holding.set()

        other = threading.Thread(target=theirs)
        other.start()
        assert holding.wait(timeout=TIMEOUT_SECONDS)
        # Our update reads version 1 (theirs is not committed), then waits on their lock; once
        # they commit, the version-checked UPDATE matches no row.
        assert failures == []
        release_once_blocked(postgres_url, holder[0], release)
        with pytest.raises(ConcurrencyConflict) as conflict, store.unit_of_work() as uow:
            uow.cases.update(attrs.evolve(case, worker_id="Youssef El Idrissi"))
        other.join(timeout=TIMEOUT_SECONDS)

        assert failures == []
        assert (conflict.value.record_id, conflict.value.expected_version) == (case.id, 1)
        assert conflict.value.stored_version == 2
        with store.unit_of_work() as uow:
            stored = uow.cases.get(case.id)
        assert (stored.version, stored.worker_id) == (2, "Amina Benali")
