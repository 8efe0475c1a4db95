"""The memory store: named stores, isolation of units of work, and many threads at once."""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from wladna_core.errors import InvalidRecord
from wladna_core.model import BodyKind, Case, TerritorialBody
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import (
    BodyQuery,
    ConcurrencyConflict,
    Store,
    StoreEnvironment,
    StoreError,
    UnitOfWork,
    UnsupportedStoreURL,
    open_store,
)
from wladna_core.storage.memory import MemoryStore, wladna_open_store
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import example_case_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import date

    import pluggy


def _today() -> date:
    return ws.REFERENCE_DATE


@pytest.fixture
def pm() -> pluggy.PluginManager:
    return make_plugin_manager(load_entrypoints=False)


@pytest.fixture
def store(pm: pluggy.PluginManager) -> Iterator[Store]:
    with open_store("memory://", plugins=pm, clock=_today) as opened:
        yield opened


def _body(name: str = "UPE de Salé") -> TerritorialBody:
    return TerritorialBody(name=name, kind=BodyKind.UPE, territory="MA-SAL")


def _save(store: Store, records: Iterable[Any]) -> list[Any]:
    with store.unit_of_work() as uow:
        return [uow.repository(type(record)).add(record) for record in records]


def _within(uow: UnitOfWork, step: Callable[[UnitOfWork], object]) -> None:
    with uow:
        step(uow)


def test_the_memory_plugin_opens_only_memory_urls(pm: pluggy.PluginManager) -> None:
    environment = StoreEnvironment.builtin()
    assert (
        wladna_open_store(url="sqlite://", settings={}, plugins=pm, environment=environment) is None
    )
    opened = wladna_open_store(url="memory://", settings={}, plugins=pm, environment=environment)
    assert isinstance(opened, MemoryStore)


def test_each_unnamed_memory_store_is_a_store_of_its_own(pm: pluggy.PluginManager) -> None:
    with open_store("memory://", plugins=pm) as first, open_store("memory://", plugins=pm) as other:
        with first.unit_of_work() as uow:
            uow.bodies.add(_body())
        with other.unit_of_work() as uow:
            assert uow.bodies.count() == 0


def test_memory_stores_of_one_name_share_their_records(pm: pluggy.PluginManager) -> None:
    with (
        open_store("memory://tests-shared", plugins=pm) as first,
        open_store("memory://tests-shared", plugins=pm) as same,
        open_store("memory://tests-other", plugins=pm) as other,
    ):
        with first.unit_of_work() as uow:
            body = uow.bodies.add(_body())
        with same.unit_of_work() as uow:
            assert uow.bodies.get(body.id) == body
        with other.unit_of_work() as uow:
            assert uow.bodies.count() == 0


def test_a_named_memory_store_is_forgotten_once_no_store_holds_it(
    pm: pluggy.PluginManager,
) -> None:
    with open_store("memory://tests-forgotten", plugins=pm) as first:
        _save(first, [_body()])
    del first
    gc.collect()
    with open_store("memory://tests-forgotten", plugins=pm) as again, again.unit_of_work() as uow:
        assert uow.bodies.count() == 0


@pytest.mark.parametrize("url", ["memory://a/b", "memory://é", "memory://" + "x" * 101])
def test_a_memory_store_name_with_other_characters_is_refused(
    pm: pluggy.PluginManager, url: str
) -> None:
    with pytest.raises(StoreError, match="letters, digits"):
        open_store(url, plugins=pm)


def test_a_memory_store_built_for_another_url_is_refused(pm: pluggy.PluginManager) -> None:
    with pytest.raises(UnsupportedStoreURL):
        MemoryStore("sqlite://", plugins=pm)


def test_writes_are_invisible_to_other_units_of_work_until_commit(store: Store) -> None:
    with store.unit_of_work() as writer:
        body = writer.bodies.add(_body())
        with store.unit_of_work() as reader:
            assert reader.bodies.count() == 0
            assert reader.bodies.find(BodyQuery(territory="MA-SAL")) == []
    with store.unit_of_work() as reader:
        assert reader.bodies.find() == [body]


def test_a_unit_of_work_sees_its_own_writes_merged_with_the_stored_records_in_order(
    store: Store,
) -> None:
    bodies = [_body(f"UPE {serial}") for serial in range(6)]
    with store.unit_of_work() as uow:
        uow.bodies.add_many(bodies[::2])
    with store.unit_of_work() as uow:
        uow.bodies.add_many(bodies[1::2])
        first = uow.bodies.find(limit=1)[0]
        uow.bodies.update(attrs.evolve(first, active=False))
        seen = list(uow.bodies.iter(batch_size=2))
    assert [body.id for body in seen] == sorted(body.id for body in bodies)
    assert [body.version for body in seen] == [2, 1, 1, 1, 1, 1]


def test_concurrent_updates_of_one_record_refuse_the_later_commit_whole(store: Store) -> None:
    (body,) = _save(store, [_body()])
    first, second = store.unit_of_work(), store.unit_of_work()

    def change_it_too(uow: UnitOfWork) -> None:
        uow.bodies.add(_body("UPE written with the conflicting change"))
        uow.bodies.update(attrs.evolve(body, name="UPE B"))
        first.commit()

    with first:
        first.bodies.update(attrs.evolve(body, name="UPE A"))
        with pytest.raises(ConcurrencyConflict) as conflict:
            _within(second, change_it_too)
    assert (conflict.value.expected_version, conflict.value.stored_version) == (1, 2)
    with store.unit_of_work() as uow:
        assert [stored.name for stored in uow.bodies.find()] == ["UPE A"]


def test_a_record_added_by_two_units_of_work_at_once_is_stored_once(store: Store) -> None:
    body = _body()
    first, second = store.unit_of_work(), store.unit_of_work()

    def add_it_too(uow: UnitOfWork) -> None:
        uow.bodies.add(body)
        first.commit()

    with first:
        first.bodies.add(body)
        with pytest.raises(StoreError, match="first"):
            _within(second, add_it_too)
    with store.unit_of_work() as uow:
        assert uow.bodies.count() == 1


def test_a_case_number_taken_by_a_concurrent_commit_refuses_the_later_one(store: Store) -> None:
    file, other = example_case_file(idcs="1000000001"), example_case_file(idcs="1000000002")
    _save(store, [*file.records[:3], *other.records[:3]])
    first, second = store.unit_of_work(), store.unit_of_work()

    def number_another_case_alike(uow: UnitOfWork) -> None:
        uow.cases.add(attrs.evolve(other.case, number="IMPORTED-1"))
        first.commit()

    with first:
        first.cases.add(attrs.evolve(file.case, number="IMPORTED-1"))
        with pytest.raises(StoreError, match="IMPORTED-1"):
            _within(second, number_another_case_alike)
    with store.unit_of_work() as uow:
        assert [case.id for case in uow.cases.find()] == [file.case.id]


def test_many_threads_writing_at_once_lose_nothing_and_never_share_a_case_number(
    store: Store,
) -> None:
    threads_count, cases_each = 8, 12
    errors: list[BaseException] = []
    numbers: list[str] = []
    lock = threading.Lock()

    def work(serial: int) -> None:
        try:
            for item in range(cases_each):
                file = example_case_file(idcs=f"{serial:02d}{item:08d}")
                case = _save(store, file.records)[3]
                assert isinstance(case, Case)
                with lock:
                    numbers.append(str(case.number))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(serial,)) for serial in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    total = threads_count * cases_each
    assert sorted(numbers) == [f"SAL-2025-{sequence:06d}" for sequence in range(1, total + 1)]
    with store.unit_of_work() as uow:
        assert uow.cases.count() == total
        assert uow.children.count() == total


def test_a_rolled_back_unit_of_work_leaves_a_gap_in_case_numbers_never_a_duplicate(
    store: Store,
) -> None:
    first, second = example_case_file(idcs="1000000001"), example_case_file(idcs="1000000002")
    misdirected = attrs.evolve(first.referral, case_id=first.child.id)
    with pytest.raises(InvalidRecord):
        _save(store, [*first.records[:4], misdirected])
    case = _save(store, second.records)[3]
    assert isinstance(case, Case)
    assert case.number == "SAL-2025-000002"


def test_returned_records_are_read_back_from_what_is_stored(store: Store) -> None:
    body = _body()
    with store.unit_of_work() as uow:
        saved = uow.bodies.add(body)
    with store.unit_of_work() as uow:
        again = uow.bodies.get(body.id)
    assert again == saved
    assert again is not saved


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("wladna.db", "sqlite:///wladna.db"),
        ("/srv/wladna/cases.db", "sqlite:////srv/wladna/cases.db"),
        ("postgres://ana:secret@db/wladna", "postgresql+psycopg://ana:***@db/wladna"),
        ("postgresql+psycopg2://db/wladna", "postgresql+psycopg://db/wladna"),
    ],
)
def test_an_unknown_url_that_is_a_common_slip_is_answered_with_what_was_meant(
    given: str, meant: str
) -> None:
    with pytest.raises(UnsupportedStoreURL) as refused:
        open_store(given)
    assert f"(did you mean {meant!r}?)" in str(refused.value)
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize("given", ["mysql://db/wladna", "couchdb://db", "a:b", ""])
def test_an_unknown_url_with_no_likely_meaning_gets_no_guess(given: str) -> None:
    with pytest.raises(UnsupportedStoreURL) as refused:
        open_store(given)
    assert "did you mean" not in str(refused.value)
