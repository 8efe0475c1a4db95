"""Speed of the SQL store on SQLite, as ratios to the sqlite3 module used by hand.

On realistic cases (see ``case_records.py``; each with its own child and family, held by the
CPPE of its province), in one run:

(a) saving: ``uow.cases.add_many`` in one unit of work, against ``sqlite3`` executemany of the
    same rows in one transaction.  The store validates every case with the built-in rules
    (reading its child, family and body back), numbers it, and writes its row and its
    concerns; the hand-written side numbers the cases itself and writes the same columns and
    the same JSON (the converter's, encoded the same way).  Target: at most 2 times.
(b) loading every case: ``uow.cases.iter()`` (in batches of 500), against ``fetchall()`` of the
    same rows and objects built by hand with the model's constructors (``case_from_dict`` of
    ``bench_convert.py``).  Target: at most 2 times.
(c) searching: ``uow.cases.find(CaseQuery(territory=<region>, status=...))`` against the same
    ``SELECT ... WHERE`` by hand, objects built as in (b).  Target: at most 2 times.

A row without a target shows (a) again with the built-in rules left out: what validation
costs, against what the store itself costs (numbering, the converter, SQL).

Both sides write to a fresh copy of a database that already holds the children, families and
bodies, with the same settings (WAL, full synchronous commits, foreign keys).

Options: ``--quick`` (10 000 cases instead of 100 000), ``--records N``, ``--rounds N``,
``--batch N`` (cases per ``add_many`` call), ``--seed N``, ``--strict`` (exit with status 1 when a
target is missed).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sqlite3
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import msgspec
from bench_convert import case_from_dict
from benchkit import print_table, write_results
from case_records import PILOT_PROVINCES, case_dicts

from wladna_core import (
    BodyKind,
    Case,
    CaseStatus,
    Child,
    Family,
    FamilyMember,
    Relation,
    Sex,
    TerritorialBody,
)
from wladna_core.convert import structure, unstructure
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import CaseQuery, open_store
from wladna_core.storage.sql import upgrade

if TYPE_CHECKING:
    from collections.abc import Callable

FULL = 100_000
QUICK = 10_000
# After every date case_records draws, so that no record is "in the future".
TODAY = date(2028, 1, 1)
REGION = "MA-04"  # Rabat-Salé-Kénitra: Rabat and Salé among the pilot provinces
STATUSES = frozenset({CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP})
# The plug-in of the built-in rules, left out to see what the rules cost.
BUILT_IN_RULES = "wladna_core._builtin_rules"

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()

CASE_COLUMNS = (
    "id",
    "version",
    "number",
    "child_id",
    "body_id",
    "family_id",
    "territory",
    "province",
    "region",
    "status",
    "risk",
    "opened_on",
    "closed_on",
    "worker_id",
    "record",
)
INSERT_CASE = (
    f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"
)


def _open(path: Path, *, rules: bool = True) -> Any:
    plugins = make_plugin_manager(load_entrypoints=False)
    if not rules:
        plugins.unregister(name=BUILT_IN_RULES)
    return open_store(f"sqlite:///{path}", plugins=plugins, clock=lambda: TODAY)


@attrs.frozen
class Workload:
    """The cases to save, and a database holding everything they refer to."""

    cases: list[Case]
    template: Path


def prepare(count: int, seed: int, workdir: Path) -> Workload:
    """Draw ``count`` cases and store their children, families and bodies in a template file."""
    bodies = {
        province: TerritorialBody(name=f"CPPE {province}", kind=BodyKind.CPPE, territory=province)
        for province in PILOT_PROVINCES
    }
    cases: list[Case] = []
    children: list[Child] = []
    families: list[Family] = []
    for serial, record in enumerate(case_dicts(count, seed)):
        child = Child(
            sex=Sex.FEMALE if serial % 2 else Sex.MALE,
            birth_date=date(2013 + serial % 4, 1 + serial % 12, 1 + serial % 28),
            given_name=f"Enfant {serial}",
            residence=record["territory"],
        )
        family = Family(
            members=(
                FamilyMember(Relation.MOTHER, given_name="Fatima", caregiver=True),
                FamilyMember(Relation.CHILD, given_name=child.given_name, child_id=child.id),
            ),
            residence=record["territory"],
        )
        body = bodies[record["territory"]]
        record.update(
            child_id=child.id,
            family_id=family.id,
            body_id=body.id,
            number=None,
            version=0,
        )
        record["identification"]["by_body"] = body.id
        cases.append(structure(record, Case))
        children.append(child)
        families.append(family)
    template = workdir / "template.db"
    upgrade(f"sqlite:///{template}")
    with _open(template) as store, store.unit_of_work() as uow:
        uow.bodies.add_many(bodies.values())
        for start in range(0, count, 5000):
            uow.children.add_many(children[start : start + 5000])
            uow.families.add_many(families[start : start + 5000])
    _checkpoint(template)
    return Workload(cases, template)


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the database file, so that copying the file copies all."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _fresh_copy(workload: Workload, name: str) -> Path:
    target = workload.template.with_name(f"{name}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(workload.template, target)
    return target


def _connect(path: Path) -> sqlite3.Connection:
    """A sqlite3 connection set up as the store sets up its own."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


# (a) saving ---------------------------------------------------------------------------------------


def save_with_store(store: Any, cases: list[Case], batch: int) -> None:
    with store.unit_of_work() as uow:
        for start in range(0, len(cases), batch):
            uow.cases.add_many(cases[start : start + batch])


def save_by_hand(
    connection: sqlite3.Connection, cases: list[Case], regions: dict[str, str]
) -> None:
    sequences: dict[tuple[str, int], int] = defaultdict(int)
    rows: list[tuple[Any, ...]] = []
    concerns: list[tuple[str, str]] = []
    for case in cases:
        province, year = case.territory, case.opened_on.year
        sequences[province, year] += 1
        number = f"{province.removeprefix('MA-')}-{year}-{sequences[province, year]:06d}"
        stored = attrs.evolve(case, number=number, version=1)
        rows.append(
            (
                stored.id,
                1,
                number,
                stored.child_id,
                stored.body_id,
                stored.family_id,
                stored.territory,
                province,
                regions[province],
                stored.status.value,
                stored.risk.value,
                stored.opened_on.isoformat(),
                None if stored.closure is None else stored.closure.on.isoformat(),
                stored.worker_id,
                _ENCODER.encode(unstructure(stored)).decode("utf-8"),
            )
        )
        concerns.extend((stored.id, concern.value) for concern in sorted(stored.concerns))
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(INSERT_CASE, rows)
    connection.executemany("INSERT INTO case_concerns VALUES (?, ?)", concerns)
    connection.executemany(
        "INSERT INTO case_number_counters VALUES (?, ?, ?)",
        [(province, year, last) for (province, year), last in sequences.items()],
    )
    connection.execute("COMMIT")


# (b) and (c) loading -----------------------------------------------------------------------------


def load_with_store(store: Any, query: CaseQuery | None) -> list[Case]:
    with store.unit_of_work() as uow:
        if query is None:
            return list(uow.cases.iter(batch_size=500))
        return uow.cases.find(query)


def load_by_hand(
    connection: sqlite3.Connection, where: str, parameters: tuple[Any, ...]
) -> list[Case]:
    rows = connection.execute(
        f"SELECT id, version, record FROM cases {where} ORDER BY id", parameters
    ).fetchall()
    return [case_from_dict(_DECODER.decode(text)) for _id, _version, text in rows]


# Timing ------------------------------------------------------------------------------------------


def _best(
    contenders: dict[str, tuple[Callable[[], Any], Callable[[Any], object]]], rounds: int
) -> dict[str, float]:
    """Best time of each ``(open, run)`` over interleaved rounds.

    Only ``run`` is timed, given what ``open`` returned (a store or a connection, on a fresh
    copy of the database for writes); it is closed afterwards.
    """
    names = list(contenders)
    best = dict.fromkeys(names, float("inf"))
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            opened, run = contenders[name]
            target = opened()
            try:
                gc.collect()
                start = time.perf_counter()
                run(target)
                best[name] = min(best[name], time.perf_counter() - start)
            finally:
                target.close()
    return best


def _row(
    comparison: str,
    times: dict[str, float],
    count: int,
    *,
    ours: str = "store",
    target: float | None = 2.0,
) -> dict[str, Any]:
    ratio = times[ours] / times["by hand"]
    return {
        "comparison": comparison,
        "ratio": ratio,
        "target": target,
        "met": None if target is None else ratio <= target,
        "records": count,
        "microseconds_per_record": {name: times[name] / count * 1e6 for name in (ours, "by hand")},
    }


def _saved_copy(workload: Workload, name: str, batch: int) -> Path:
    path = _fresh_copy(workload, name)
    with _open(path) as store:
        save_with_store(store, workload.cases, batch)
    _checkpoint(path)
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_storage", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} cases instead of {FULL}")
    parser.add_argument("--records", type=int, help="number of cases")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best kept)")
    parser.add_argument("--batch", type=int, default=1000, help="cases per add_many call")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the records")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    count = options.records or (QUICK if options.quick else FULL)

    with tempfile.TemporaryDirectory(prefix="wladna-bench-") as directory:
        workload = prepare(count, options.seed, Path(directory))
        with _open(workload.template) as store:
            gazetteer = store.gazetteer
        regions = {
            province: gazetteer.region_of(province).code  # type: ignore[union-attr]
            for province in PILOT_PROVINCES
        }
        cases = workload.cases

        saving = _best(
            {
                "store": (
                    lambda: _open(_fresh_copy(workload, "store")),
                    lambda store: save_with_store(store, cases, options.batch),
                ),
                "by hand": (
                    lambda: _connect(_fresh_copy(workload, "by-hand")),
                    lambda connection: save_by_hand(connection, cases, regions),
                ),
                "store without rules": (
                    lambda: _open(_fresh_copy(workload, "no-rules"), rules=False),
                    lambda store: save_with_store(store, cases, options.batch),
                ),
            },
            options.rounds,
        )

        loaded = _saved_copy(workload, "loaded", options.batch)
        statuses = sorted(status.value for status in STATUSES)
        where = f"WHERE region = ? AND status IN ({', '.join('?' * len(statuses))})"
        query = CaseQuery(territory=REGION, status=STATUSES)
        with _open(loaded) as store:
            connection = _connect(loaded)
            if load_with_store(store, None) != load_by_hand(connection, "", ()):
                raise AssertionError("the store and the hand-written side load different cases")
            selected = load_with_store(store, query)
            if selected != load_by_hand(connection, where, (REGION, *statuses)) or not selected:
                raise AssertionError("the store and the hand-written side select different cases")
            connection.close()

        loading = _best(
            {
                "store": (lambda: _open(loaded), lambda store: load_with_store(store, None)),
                "by hand": (
                    lambda: _connect(loaded),
                    lambda connection: load_by_hand(connection, "", ()),
                ),
            },
            options.rounds,
        )
        searching = _best(
            {
                "store": (lambda: _open(loaded), lambda store: load_with_store(store, query)),
                "by hand": (
                    lambda: _connect(loaded),
                    lambda connection: load_by_hand(connection, where, (REGION, *statuses)),
                ),
            },
            options.rounds,
        )

    rows = [
        _row("(a) add_many / sqlite3 executemany", saving, count),
        _row(
            "    (a) without the built-in rules",
            saving,
            count,
            ours="store without rules",
            target=None,
        ),
        _row("(b) iter / fetchall + constructors", loading, count),
        _row("(c) find (region, status) / same by hand", searching, len(selected)),
    ]
    print_table(
        f"SQLite store, {count} cases (add_many batches of {options.batch}), "
        f"best of {options.rounds} interleaved rounds",
        rows,
    )
    for row in rows:
        shown = ", ".join(
            f"{name} {value:.1f}" for name, value in row["microseconds_per_record"].items()
        )
        print(f"  {row['comparison']}: {shown} µs per case")
    path = write_results(
        "storage",
        {
            "records": count,
            "seed": options.seed,
            "rounds": options.rounds,
            "batch": options.batch,
            "rows": rows,
        },
    )
    print(f"results written to {path}")
    missed = [row["comparison"] for row in rows if row["met"] is False]
    return 1 if options.strict and missed else 0
