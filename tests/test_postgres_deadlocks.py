"""Units of work numbering cases of several provinces at once on PostgreSQL never deadlock.

A case's number is drawn from a counter row per province and year, locked until the unit of
work ends (so that no number is lost).  Two units of work that each number cases of Salé and of
Rabat, in opposite orders, would each hold one counter and wait for the other's: the store
draws the counters of a batch in one order whatever the order of the cases.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

import pytest

from postgres import private_schema, server_url
from wladna_core import hookimpl
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import Store, StoreError, open_store
from wladna_core.testing.conformance import example_case_file
from wladna_core.testing.strategies import REFERENCE_DATE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.model import Case

pytestmark = pytest.mark.postgresql

TIMEOUT_SECONDS = 60
# How long a unit of work that has drawn waits for the other to draw too.
PAUSE_SECONDS = 3


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with private_schema(server_url()) as url:
        yield url


def _open(url: str) -> Store:
    return open_store(
        url, plugins=make_plugin_manager(load_entrypoints=False), clock=lambda: REFERENCE_DATE
    )


def _cases(url: str, territories: list[str]) -> list[Case]:
    """Store the body, child and household of a new case in each territory; return the cases."""
    files = [
        example_case_file(territory=territory, idcs=f"{serial + 1:010d}")
        for serial, territory in enumerate(territories)
    ]
    with _open(url) as store, store.unit_of_work() as uow:
        for file in files:
            uow.bodies.add(file.body)
            uow.children.add(file.child)
            uow.families.add(file.family)
    return [file.case for file in files]


class PauseAfterFirstDraw:
    """A numbering plug-in that lets each unit of work draw once, then waits for the other.

    Each unit of work then holds the counter of its first draw while it draws the second: with
    counters taken in the order of the cases, two batches in opposite orders would deadlock.
    When one unit of work waits for the other's counter instead, the pause ends after a while.
    """

    def __init__(self) -> None:
        self.both_drew = threading.Barrier(2, timeout=PAUSE_SECONDS)
        self.drawn = threading.local()

    @hookimpl
    def wladna_case_number(self, case: Case, province: str, year: int, sequence: int) -> None:
        """Pause after the first draw of the calling thread; leave the format to the default."""
        del case, province, year, sequence
        if getattr(self.drawn, "once", False):
            return
        self.drawn.once = True
        with contextlib.suppress(threading.BrokenBarrierError):
            self.both_drew.wait()


def test_batches_of_cases_of_two_provinces_in_opposite_orders_never_deadlock(
    postgres_url: str,
) -> None:
    sale, rabat, other_rabat, other_sale = _cases(
        postgres_url, ["MA-SAL", "MA-RAB", "MA-RAB", "MA-SAL"]
    )
    plugins = make_plugin_manager(load_entrypoints=False)
    plugins.register(PauseAfterFirstDraw())
    failures: list[BaseException] = []
    with open_store(postgres_url, plugins=plugins, clock=lambda: REFERENCE_DATE) as store:

        def add(batch: list[Case]) -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.cases.add_many(batch)
            except BaseException as exc:
                failures.append(exc)

        threads = [
            threading.Thread(target=add, args=([sale, rabat],)),
            threading.Thread(target=add, args=([other_rabat, other_sale],)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT_SECONDS)

        assert failures == []
        with store.unit_of_work(read_only=True) as uow:
            numbers = sorted(case.number or "" for case in uow.cases.find())
    assert numbers == ["RAB-2025-000001", "RAB-2025-000002", "SAL-2025-000001", "SAL-2025-000002"]


def test_a_deadlock_the_database_breaks_is_refused_as_work_to_do_again(
    postgres_url: str,
) -> None:
    # Units of work that take the counters one add at a time, in opposite orders, can still
    # deadlock (as any two transactions locking rows in opposite orders): PostgreSQL undoes
    # one, and the store says to do the work again, not to check the server.
    url = postgres_url
    sale, rabat, other_rabat, other_sale = _cases(url, ["MA-SAL", "MA-RAB", "MA-RAB", "MA-SAL"])
    failures: list[BaseException] = []
    both = threading.Barrier(2, timeout=TIMEOUT_SECONDS)
    with _open(url) as store:

        def add(first: Case, second: Case) -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.cases.add(first)
                    both.wait()
                    uow.cases.add(second)
            except BaseException as exc:
                failures.append(exc)

        threads = [
            threading.Thread(target=add, args=(sale, rabat)),
            threading.Thread(target=add, args=(other_rabat, other_sale)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT_SECONDS)

    assert len(failures) == 1
    (failure,) = failures
    assert isinstance(failure, StoreError)
    assert "deadlock detected" in str(failure)
    assert str(failure).endswith("Do the work again")
    assert "Check the database server" not in str(failure)
