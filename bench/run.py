"""Run the benchmarks: every ``bench/bench_*.py`` module, or the ones named.

    python bench/run.py                    # every benchmark
    python bench/run.py convert --quick    # bench_convert.py only, on fewer records
    python bench/run.py --list

Options other than the names and ``--list`` go to each benchmark's ``main(argv)``; each module
documents its own (``python bench/run.py convert -- --help``).  A benchmark module is any
``bench_<name>.py`` here whose ``main(argv: list[str]) -> int`` runs it, prints a table and
writes its results under ``bench/results/``; its return value is the exit status (non-zero when
asked to be strict and a target is missed).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    """Map each benchmark's short name (``convert``) to its module file."""
    return {path.stem.removeprefix("bench_"): path for path in sorted(HERE.glob("bench_*.py"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run wladna_core's benchmarks.",
        epilog="Other options are passed on to each benchmark.",
    )
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    argv = sys.argv[1:] if argv is None else argv
    after = argv.index("--") if "--" in argv else len(argv)
    arguments, passed_on = parser.parse_known_args(argv[:after])
    passed_on += argv[after + 1 :]
    benchmarks = available()
    if arguments.list:
        for name in benchmarks:
            print(name)
        return 0
    unknown = [name for name in arguments.names if name.removeprefix("bench_") not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(benchmarks)}")
    chosen = [name.removeprefix("bench_") for name in arguments.names] or list(benchmarks)
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    status = 0
    for name in chosen:
        module = importlib.import_module(f"bench_{name}")
        print(f"== {name} ==")
        status = max(status, int(module.main(list(passed_on))))
    return status


if __name__ == "__main__":
    sys.exit(main())
