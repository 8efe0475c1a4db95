"""Case numbers given to many new cases at once, on every store.

A store numbers the new cases of an ``add_many`` together: the numbers the cases carry (from
another system) are kept unless taken, and the others get the next sequences of their province
and year, skipping every number taken, whether by a stored case or by a case of the batch.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import attrs
import pytest

from postgres import private_schema, server_url
from wladna_core.errors import InvalidRecord
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import CaseQuery, Store, open_store
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import ExampleCaseFile, example_case_file

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        place: contextlib.AbstractContextManager[str] = private_schema(server_url())
    elif request.param == "sqlite":
        place = contextlib.nullcontext(f"sqlite:///{tmp_path / 'numbers.db'}")
    else:
        place = contextlib.nullcontext("memory://")
    plugins = make_plugin_manager(load_entrypoints=False)
    with place as url, open_store(url, plugins=plugins, clock=lambda: ws.REFERENCE_DATE) as opened:
        yield opened


def _files(store: Store, count: int) -> list[ExampleCaseFile]:
    """Store the bodies, children and families of ``count`` case files; return the files."""
    files = [example_case_file(idcs=f"{serial + 1:010d}") for serial in range(count)]
    with store.unit_of_work() as uow:
        uow.bodies.add_many([file.body for file in files])
        uow.children.add_many([file.child for file in files])
        uow.families.add_many([file.family for file in files])
    return files


def _number(serial: int) -> str:
    return f"SAL-2025-{serial:06d}"


def test_numbers_carried_are_kept_and_skipped_when_the_others_are_numbered(store: Store) -> None:
    files = _files(store, 5)
    with store.unit_of_work() as uow:
        uow.cases.add(attrs.evolve(files[0].case, number=_number(2)))
    batch = [
        files[1].case,
        attrs.evolve(files[2].case, number=_number(3)),
        files[3].case,
        files[4].case,
    ]
    with store.unit_of_work() as uow:
        stored = uow.cases.add_many(batch)
    # 2 is stored, 3 is carried by a case of the batch: the new cases skip both, in order.
    assert [case.number for case in stored] == [_number(1), _number(3), _number(4), _number(5)]
    with store.unit_of_work() as uow:
        numbers = sorted(case.number or "" for case in uow.cases.find(CaseQuery()))
    assert numbers == [_number(serial) for serial in range(1, 6)]


def test_a_number_carried_twice_or_already_stored_refuses_the_batch_naming_each_case(
    store: Store,
) -> None:
    files = _files(store, 4)
    with store.unit_of_work() as uow:
        uow.cases.add(attrs.evolve(files[0].case, number=_number(7)))
    batch = [
        attrs.evolve(files[1].case, number=_number(7)),
        attrs.evolve(files[2].case, number=_number(8)),
        attrs.evolve(files[3].case, number=_number(8)),
    ]
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.cases.add_many(batch)
    assert refused.value.codes == {"case.number_taken"}
    assert [violation.record for violation in refused.value.violations] == [
        f"Case {files[1].case.id}",
        f"Case {files[3].case.id}",
    ]
    with store.unit_of_work() as uow:
        assert uow.cases.count() == 1
