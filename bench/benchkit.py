"""What every benchmark shares: fair timing, a table of ratios, a JSON file of results.

Timings are compared as ratios measured in the same run, never against absolute numbers: the
contenders of one comparison run in interleaved rounds (each round times every contender once,
in a rotating order), and each keeps its best round, so that a busy machine slows them alike.
"""

from __future__ import annotations

import gc
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

RESULTS = Path(__file__).resolve().parent / "results"


def best_times(contenders: Mapping[str, Callable[[], object]], *, rounds: int) -> dict[str, float]:
    """Return each contender's best time in seconds over ``rounds`` interleaved rounds."""
    names = list(contenders)
    best = dict.fromkeys(names, float("inf"))
    gc_was_enabled = gc.isenabled()
    try:
        for round_number in range(rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                contenders[name]()
                elapsed = time.perf_counter() - start
                if gc_was_enabled:
                    gc.enable()
                best[name] = min(best[name], elapsed)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def over(items: Iterable[Any], function: Callable[[Any], object]) -> Callable[[], object]:
    """Return a contender applying ``function`` to every item of ``items``."""
    values = list(items)

    def run() -> object:
        for value in values:
            function(value)
        return None

    return run


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Print rows of ``{"comparison", "ratio", "target", "met", ...}`` as an aligned table.

    A row's ``target_text`` (e.g. ``"< 1"``) replaces the default ``<= target``.
    """
    print(f"\n{title}")
    header = f"{'comparison':<44} {'ratio':>7} {'target':>9}  result"
    print(header)
    print("-" * len(header))
    for row in rows:
        target = row.get("target")
        shown = row.get("target_text") or ("" if target is None else f"<= {target:g}")
        met = row.get("met")
        verdict = "" if met is None else ("met" if met else "MISSED")
        print(f"{row['comparison']:<44} {row['ratio']:>7.2f} {shown:>9}  {verdict}")


def environment() -> dict[str, str]:
    """Describe the machine and interpreter, to read results in context."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "processor": platform.processor(),
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``bench/results/<name>-<UTC time>.json`` and return the path."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    document = {"benchmark": name, "at": stamp, "environment": environment(), **payload}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
