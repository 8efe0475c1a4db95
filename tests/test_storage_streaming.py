"""Streaming holds one batch in memory: ``Repository.iter`` is flat in the number of records.

Measured with :mod:`tracemalloc` on every store as a ratio, never with a clock: the peak of
memory allocated while streaming ten times as many records must stay about the same.
"""

from __future__ import annotations

import contextlib
import tracemalloc
from datetime import date
from typing import TYPE_CHECKING, Final

import pytest

from postgres import private_schema, server_url
from wladna_core.model import Child, Sex
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import Store, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TODAY: Final = date(2026, 3, 2)
BATCH: Final = 100
FEW: Final = 6 * BATCH
MANY: Final = 10 * FEW
# What the interpreter may allocate on its own meanwhile (caches warming up, a statement
# compiled on the second batch); a store keeping what it streams holds megabytes by then.
NOISE: Final = 64 * 1024


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    # The rules are left out: they check records on the way in, and this is about reading.
    plugins = make_plugin_manager(load_entrypoints=False)
    plugins.unregister(name="wladna_core._builtin_rules")
    with (
        _url(str(request.param), tmp_path) as url,
        open_store(url, plugins=plugins, clock=lambda: TODAY) as opened,
    ):
        with opened.unit_of_work() as uow:
            for start in range(0, MANY, 2000):
                uow.children.add_many(_child(serial) for serial in range(start, start + 2000))
        yield opened


def _url(kind: str, directory: Path) -> contextlib.AbstractContextManager[str]:
    if kind == "postgresql":
        return private_schema(server_url())
    url = "memory://" if kind == "memory" else f"sqlite:///{directory / 'stream.db'}"
    return contextlib.nullcontext(url)


def _child(serial: int) -> Child:
    return Child(
        sex=Sex.FEMALE if serial % 2 else Sex.MALE,
        birth_date=date(2012 + serial % 6, 1 + serial % 12, 1 + serial % 28),
        given_name=f"Enfant {serial}",
        family_name="Alaoui",
        residence="MA-SAL",
    )


def _peak_while_streaming(store: Store, count: int) -> int:
    """Return the peak of memory allocated while ``count`` children are streamed."""
    with store.unit_of_work() as uow:
        stream = uow.children.iter(batch_size=BATCH)
        tracemalloc.start()
        try:
            for seen, _child in enumerate(stream, start=1):
                if seen == count:
                    break
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert seen == count
        uow.rollback()
    return peak


def test_iter_holds_one_batch_in_memory_however_many_records_it_streams(store: Store) -> None:
    few = _peak_while_streaming(store, FEW)
    many = _peak_while_streaming(store, MANY)
    # Ten times the records: a store that kept them would need about ten times the memory.
    assert many <= 2 * few + NOISE, (few, many)
