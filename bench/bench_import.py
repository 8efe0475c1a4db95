"""Peak memory and speed of ``wladna import`` of a large JSON Lines file, SQLite and PostgreSQL.

The file holds N records (default 100 000) of a national caseload (``caseload.py``) in the
order ``wladna export`` writes them: the bodies, then the children, households, cases and
referrals, one ``{"type": ..., "record": ...}`` line each (``encode_line`` of
``wladna_core.cli.jsonlines``).  As in the field (and in ``wladna demo``), most children carry
their civil-status identifier (IDCS), which the rule ``child.identifier_duplicate`` looks up.
Every record is valid; the import checks each one with the built-in rules, numbers nothing (the
cases carry their numbers) and stores it.

Each contender runs in a fresh process of its own, into a fresh SQLite file, and its peak
resident memory is that process's ``ru_maxrss`` (from ``os.wait4`` in a small launcher
process), which counts everything the process ever held: the interpreter, the libraries and
the import.  The time includes starting the interpreter, the same for both.

Each import goes into an empty database whose tables were created before it starts (``wladna
db upgrade``), so that the times compare the imports, not the making of a database.

(a) ``wladna import FILE --db sqlite:///...`` (default batch of 1000 records per unit of work).
    Target: peak resident memory under 300 MiB (shown as a ratio to 300 MiB, under 1).
(b) the floor it is timed against: a process that reads the same file line by line, decodes
    each line with ``json.loads`` and writes it (its type, id and JSON text) into one SQLite
    table with ``sqlite3`` ``executemany``, 1000 lines per transaction.  The ratio (a)/(b) says
    what validation, the rules and the store's rows cost over moving the bytes; it has no
    target.
(c) the same ``wladna import`` into PostgreSQL (a fresh schema of the server named by
    ``--postgres`` or ``WLADNA_TEST_POSTGRES_URL``), against (a) in the same run.  Target: at
    most 1.5 times the SQLite time.  Left out, saying so, when no server is named.

Options: ``--quick`` (20 000 records instead of 100 000), ``--records N``, ``--rounds N``
(default 1), ``--seed N``, ``--postgres URL``, ``--strict`` (exit with status 1 when a target
is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
from benchkit import print_table, write_results
from caseload import Chunk, bodies, caseload, provinces

from wladna_core import Identifier, IdentifierScheme
from wladna_core.cli.jsonlines import encode_line
from wladna_core.storage import upgrade

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from wladna_core import Child

FULL: Final = 100_000
QUICK: Final = 20_000
#: The largest peak resident memory the import may reach, in MiB.
PEAK_MEMORY_TARGET_MB: Final = 300
#: The most an import into PostgreSQL may take, as a multiple of the same import into SQLite.
POSTGRES_TARGET: Final = 1.5
#: The share of children who carry their civil-status identifier (IDCS).
IDENTIFIED: Final = 0.95
BATCH: Final = 1000
# Records per case file, on average (a child, a household, a case, about one referral).
_RECORDS_PER_CASE: Final = 4.1

# Runs `wladna import` with argv[2:], and writes to argv[1] how many statements it sent to the
# database: what a database server answers with a round trip each.
IMPORT: Final = """
import atexit, sys
import sqlalchemy as sa
sent = [0]
def count(*_arguments):
    sent[0] += 1
sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
def save(path=sys.argv[1]):
    with open(path, "w") as out:
        out.write(str(sent[0]))
atexit.register(save)
from wladna_core.cli import main
sys.exit(main(sys.argv[2:], prog_name="wladna"))
"""
# Runs argv[2:] and writes its peak resident memory (KiB) to argv[1]; exits with its status.
LAUNCHER: Final = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(process.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""
FLOOR: Final = f"""
import json, sqlite3, sys
source, target = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(target, isolation_level=None)
connection.execute("PRAGMA journal_mode = WAL")
connection.execute("CREATE TABLE records (id TEXT PRIMARY KEY, type TEXT NOT NULL, record TEXT)")
insert = "INSERT INTO records VALUES (?, ?, ?)"
rows = []
with open(source, "rb") as lines:
    for line in lines:
        data = json.loads(line)
        rows.append((data["record"]["id"], data["type"], json.dumps(data["record"])))
        if len(rows) == {BATCH}:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(insert, rows)
            connection.execute("COMMIT")
            rows = []
if rows:
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(insert, rows)
    connection.execute("COMMIT")
connection.close()
"""


def draw(records: int, seed: int) -> Chunk:
    """Return exactly ``records`` records: bodies, then case files, referrals trimmed to fit."""
    places = provinces(seed)
    everything = Chunk()
    base = len(bodies(places))
    cases = max(1, int((records - base) / _RECORDS_PER_CASE))
    while True:
        everything = Chunk()
        for chunk in caseload(cases, seed=seed, places=places):
            everything.children += chunk.children
            everything.families += chunk.families
            everything.cases += chunk.cases
            everything.referrals += chunk.referrals
        spare = base + len(everything) - records
        if 0 <= spare <= len(everything.referrals):
            del everything.referrals[len(everything.referrals) - spare :]
            everything.children = identified(everything.children, seed)
            return everything
        cases = cases + max(1, -spare // 4) if spare < 0 else cases - max(1, spare // 4)


def identified(children: Sequence[Child], seed: int) -> list[Child]:
    """Return ``children``, most of them with an IDCS identifier of their own (10 digits)."""
    rng = random.Random(f"identifiers-{seed}")
    given: set[str] = set()
    found: list[Child] = []
    for child in children:
        if rng.random() >= IDENTIFIED:
            found.append(child)
            continue
        value = f"{rng.randrange(10**9, 10**10):010d}"
        while value in given:
            value = f"{rng.randrange(10**9, 10**10):010d}"
        given.add(value)
        found.append(attrs.evolve(child, identifiers=(Identifier(IdentifierScheme.IDCS, value),)))
    return found


@contextlib.contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """Create an empty schema on ``server``; yield a store URL using it; drop it afterwards."""
    import psycopg  # noqa: PLC0415 (only with a server)
    import sqlalchemy as sa  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parsed = sa.make_url(server)
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"wladna_bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        query = {**parsed.query, "options": f"-csearch_path={schema}"}
        yield parsed.set(query=query).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def write_file(path: Path, records: int, seed: int) -> int:
    """Write ``records`` records to ``path`` as JSON Lines; return the file's size in bytes."""
    drawn = draw(records, seed)
    with path.open("wb") as out:
        for group in (
            bodies(provinces(seed)),
            drawn.children,
            drawn.families,
            drawn.cases,
            drawn.referrals,
        ):
            for record in group:
                out.write(encode_line(record))
    return path.stat().st_size


def run_measured(arguments: Sequence[str], workdir: Path) -> tuple[float, float]:
    """Run a process to its end; return its wall time in seconds and peak memory in MiB.

    It is started by a small launcher process (:data:`LAUNCHER`), not by this one: a child
    forked from this process would count this process's memory until it executes.

    :raises RuntimeError: if it fails, with the end of what it wrote on stderr.
    """
    log, peak = workdir / "stderr.log", workdir / "peak.txt"
    with log.open("wb") as errors:
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(peak), *arguments],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if finished.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        msg = f"{' '.join(arguments[:3])} ... exited with status {finished.returncode}:\n{tail}"
        raise RuntimeError(msg)
    # ru_maxrss is in KiB on Linux.
    return elapsed, int(peak.read_text(encoding="ascii")) / 1024


def _upgraded(url: str) -> str:
    """Create the store's tables at ``url`` (before the timing starts); return ``url``."""
    upgrade(url)
    return url


def _import(source: Path, url: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        IMPORT,
        str(source.with_name("statements.txt")),
        "import",
        str(source),
        "--db",
        url,
        "--batch-size",
        str(BATCH),
    ]


def comparisons(times: dict[str, float], peaks: dict[str, float]) -> list[dict[str, Any]]:
    """Return the rows of the table: (a), (b), and (c) when PostgreSQL was measured."""
    ours, floor = times["wladna import"], times["json.loads + executemany"]
    peak = peaks["wladna import"]
    rows: list[dict[str, Any]] = [
        {
            "comparison": f"(a) import's peak memory / {PEAK_MEMORY_TARGET_MB} MiB",
            "ratio": peak / PEAK_MEMORY_TARGET_MB,
            "target": 1,
            "target_text": "< 1",
            "met": peak < PEAK_MEMORY_TARGET_MB,
            "peak_memory_mib": peak,
        },
        {
            "comparison": "(b) wladna import / json.loads + executemany",
            "ratio": ours / floor,
            "target": None,
            "met": None,
        },
    ]
    postgres = times.get("wladna import (PostgreSQL)")
    if postgres is not None:
        rows.append(
            {
                "comparison": "(c) import into PostgreSQL / into SQLite",
                "ratio": postgres / ours,
                "target": POSTGRES_TARGET,
                "met": postgres / ours <= POSTGRES_TARGET,
            }
        )
    return rows


def print_details(
    count: int, times: dict[str, float], peaks: dict[str, float], statements: dict[str, int]
) -> None:
    """Print the times, peaks and SQL statements behind the ratios."""
    for name, seconds in times.items():
        print(
            f"  {name}: {seconds:.1f} s ({count / seconds:.0f} records/s, "
            f"peak {peaks[name]:.0f} MiB)"
        )
    for name, sent in statements.items():
        # Each is a round trip to a database server: what a distant server makes slow.
        print(f"  {name}: {sent} SQL statements, {sent / count * 1000:.1f} per 1000 records")
    if "wladna import (PostgreSQL)" not in times:
        print("  (c) left out: no PostgreSQL server (--postgres or WLADNA_TEST_POSTGRES_URL)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_import", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} records instead of {FULL}")
    parser.add_argument("--records", type=int, help="number of records")
    parser.add_argument("--rounds", type=int, default=1, help="rounds (best time, worst memory)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the records")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("WLADNA_TEST_POSTGRES_URL") or None,
        help="PostgreSQL server to import into too (default: $WLADNA_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    count = options.records or (QUICK if options.quick else FULL)

    times: dict[str, float] = {}
    peaks: dict[str, float] = {}
    statements: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="wladna-bench-import-") as directory:
        workdir = Path(directory)
        source = workdir / "records.jsonl"
        size = write_file(source, count, options.seed)
        print(f"  {count} records, {size / 2**20:.0f} MiB of JSON Lines")
        contenders: dict[str, Any] = {
            "wladna import": lambda target: contextlib.nullcontext(
                _import(source, _upgraded(f"sqlite:///{target}"))
            ),
            "json.loads + executemany": lambda target: contextlib.nullcontext(
                [sys.executable, "-c", FLOOR, str(source), str(target)]
            ),
        }
        if options.postgres:
            server = options.postgres

            @contextlib.contextmanager
            def into_postgres(_target: Path) -> Iterator[list[str]]:
                with postgres_schema(server) as url:
                    yield _import(source, _upgraded(url))

            contenders["wladna import (PostgreSQL)"] = into_postgres
        names = list(contenders)
        for round_number in range(options.rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                target = workdir / f"round{round_number}-{len(times)}.db"
                with contenders[name](target) as arguments:
                    elapsed, peak = run_measured(arguments, workdir)
                sent = workdir / "statements.txt"
                if sent.exists():
                    statements[name] = int(sent.read_text(encoding="ascii"))
                    sent.unlink()
                times[name] = min(times.get(name, elapsed), elapsed)
                peaks[name] = max(peaks.get(name, 0.0), peak)
                for path in workdir.glob("round*.db*"):
                    path.unlink()

    rows = comparisons(times, peaks)
    print_table(
        f"wladna import of {count} JSON Lines records (batches of {BATCH}), "
        f"best of {options.rounds} round(s)",
        rows,
    )
    print_details(count, times, peaks, statements)
    path = write_results(
        "import",
        {
            "records": count,
            "file_bytes": size,
            "seed": options.seed,
            "rounds": options.rounds,
            "batch": BATCH,
            "seconds": times,
            "peak_memory_mib": peaks,
            "statements": statements,
            "rows": rows,
        },
    )
    print(f"results written to {path}")
    missed = [row["comparison"] for row in rows if row["met"] is False]
    return 1 if options.strict and missed else 0
