"""Speed of the converter, as ratios to a hand-written floor, pydantic v2 and msgspec.

On realistic case records (see ``case_records.py``), in one run:

(a) dictionaries to validated :class:`~wladna_core.Case` objects: ``structure`` against a
    hand-written constructor function (the floor: the same attrs classes, so the same
    validators run) and against pydantic v2 models with the same checks
    (``pydantic_models.py``).  Targets: at most 1.5 times the floor, and faster than pydantic.
(b) JSON bytes to objects: ``loads`` against ``msgspec.json.decode(data, type=Case)``, which
    decodes into the same attrs classes (msgspec runs their validators and
    ``__attrs_post_init__``, but neither attrs converters nor a check for unknown keys).
    Target: at most 2 times msgspec.
(c) objects to JSON bytes: ``dumps`` against ``msgspec.json.encode(case)``.  msgspec writes an
    attrs instance's keys in alphabetical order, ``dumps`` in the order of the fields.  Target:
    at most 2 times msgspec.

Options: ``--quick`` (10 000 records instead of 100 000), ``--records N``, ``--rounds N``,
``--seed N``, ``--strict`` (exit with status 1 when a target is missed).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

import msgspec
from benchkit import best_times, over, print_table, write_results
from case_records import case_dicts
from pydantic_models import Case as PydanticCase

from wladna_core import (
    Approval,
    Assessment,
    Case,
    CasePlan,
    CaseStatus,
    Closure,
    ClosureReason,
    Consent,
    ConsentGiver,
    FollowUp,
    FollowUpKind,
    Goal,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    RiskLevel,
    ServiceType,
)
from wladna_core.convert import dumps, loads, structure

FULL = 100_000
QUICK = 10_000


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def case_from_dict(data: dict[str, Any]) -> Case:
    """The floor: build a case by hand from a complete record, as an application would."""
    identification = data["identification"]
    consent = data["consent"]
    assessment = data["assessment"]
    plan = data["plan"]
    approval = plan["approval"]
    closure = data["closure"]
    return Case(
        child_id=data["child_id"],
        body_id=data["body_id"],
        territory=data["territory"],
        opened_on=date.fromisoformat(data["opened_on"]),
        identification=Identification(
            source=IdentificationSource(identification["source"]),
            on=date.fromisoformat(identification["on"]),
            by_body=identification["by_body"],
            note=identification["note"],
        ),
        status=CaseStatus(data["status"]),
        risk=RiskLevel(data["risk"]),
        concerns=frozenset(ProtectionConcern(code) for code in data["concerns"]),
        family_id=data["family_id"],
        worker_id=data["worker_id"],
        number=data["number"],
        consent=Consent(
            recorded_on=date.fromisoformat(consent["recorded_on"]),
            given_by=ConsentGiver(consent["given_by"]),
            services=consent["services"],
            sharing=consent["sharing"],
            reporting=consent["reporting"],
            override=None,
        ),
        assessment=Assessment(
            on=date.fromisoformat(assessment["on"]),
            by=assessment["by"],
            risk=RiskLevel(assessment["risk"]),
            summary=assessment["summary"],
            needs=frozenset(ServiceType(code) for code in assessment["needs"]),
        ),
        plan=CasePlan(
            drawn_up_on=date.fromisoformat(plan["drawn_up_on"]),
            goals=tuple(
                Goal(
                    description=goal["description"],
                    responsible=goal["responsible"],
                    due=date.fromisoformat(goal["due"]),
                    service=ServiceType(goal["service"]),
                    achieved_on=_date(goal["achieved_on"]),
                )
                for goal in plan["goals"]
            ),
            review_on=_date(plan["review_on"]),
            approval=(
                None
                if approval is None
                else Approval(by=approval["by"], on=date.fromisoformat(approval["on"]))
            ),
        ),
        follow_ups=tuple(
            FollowUp(
                on=date.fromisoformat(follow_up["on"]),
                by=follow_up["by"],
                kind=FollowUpKind(follow_up["kind"]),
                note=follow_up["note"],
            )
            for follow_up in data["follow_ups"]
        ),
        closure=(
            None
            if closure is None
            else Closure(
                on=date.fromisoformat(closure["on"]),
                reason=ClosureReason(closure["reason"]),
                note=closure["note"],
            )
        ),
        transferred_to=data["transferred_to"],
        duplicate_of=data["duplicate_of"],
        id=data["id"],
        version=data["version"],
    )


def _check(records: list[dict[str, Any]]) -> tuple[list[Case], list[bytes]]:
    """Check that every contender reads and writes the same records; return objects and JSON."""
    cases = [structure(record, Case) for record in records]
    if cases != [case_from_dict(record) for record in records]:
        raise AssertionError("structure and the hand-written floor disagree")
    for record in records[:1000]:
        PydanticCase.model_validate(record)
    blobs = [dumps(case) for case in cases]
    decoder = msgspec.json.Decoder(Case)
    if [decoder.decode(blob) for blob in blobs[:1000]] != cases[:1000]:
        raise AssertionError("msgspec decodes the records differently")
    if [loads(blob, Case) for blob in blobs[:1000]] != cases[:1000]:
        raise AssertionError("loads(dumps(case)) is not the case")
    return cases, blobs


def _row(
    comparison: str,
    *,
    times: dict[str, float],
    ours: str,
    theirs: str,
    target: float | None,
    count: int,
) -> dict[str, Any]:
    ratio = times[ours] / times[theirs]
    return {
        "comparison": comparison,
        "ratio": ratio,
        "target": target,
        "met": None if target is None else ratio <= target,
        "microseconds_per_record": {
            ours: times[ours] / count * 1e6,
            theirs: times[theirs] / count * 1e6,
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_convert", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} records instead of {FULL}")
    parser.add_argument("--records", type=int, help="number of case records")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (best kept)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the records")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    count = options.records or (QUICK if options.quick else FULL)

    records = case_dicts(count, options.seed)
    cases, blobs = _check(records)
    rounds = options.rounds

    def structure_case(record: dict[str, Any]) -> Case:
        return structure(record, Case)

    def loads_case(blob: bytes) -> Case:
        return loads(blob, Case)

    read = best_times(
        {
            "structure": over(records, structure_case),
            "floor": over(records, case_from_dict),
            "pydantic": over(records, PydanticCase.model_validate),
        },
        rounds=rounds,
    )
    parse = best_times(
        {
            "loads": over(blobs, loads_case),
            "msgspec": over(blobs, msgspec.json.Decoder(Case).decode),
        },
        rounds=rounds,
    )
    write = best_times(
        {"dumps": over(cases, dumps), "msgspec": over(cases, msgspec.json.Encoder().encode)},
        rounds=rounds,
    )

    structure_vs_pydantic = _row(
        "(a) structure / pydantic v2",
        times=read,
        ours="structure",
        theirs="pydantic",
        target=1.0,
        count=count,
    )
    structure_vs_pydantic["met"] = structure_vs_pydantic["ratio"] < 1.0
    structure_vs_pydantic["target_text"] = "< 1"
    rows = [
        _row(
            "(a) structure / hand-written floor",
            times=read,
            ours="structure",
            theirs="floor",
            target=1.5,
            count=count,
        ),
        structure_vs_pydantic,
        _row(
            "(b) loads / msgspec decode into attrs",
            times=parse,
            ours="loads",
            theirs="msgspec",
            target=2.0,
            count=count,
        ),
        _row(
            "(c) dumps / msgspec encode of attrs",
            times=write,
            ours="dumps",
            theirs="msgspec",
            target=2.0,
            count=count,
        ),
    ]
    print_table(f"converter, {count} case records, best of {rounds} interleaved rounds", rows)
    for row in rows:
        shown = ", ".join(
            f"{name} {value:.1f}" for name, value in row["microseconds_per_record"].items()
        )
        print(f"  {row['comparison']}: {shown} µs per record")
    path = write_results(
        "convert", {"records": count, "seed": options.seed, "rounds": rounds, "rows": rows}
    )
    print(f"results written to {path}")
    missed = [row["comparison"] for row in rows if row["met"] is False]
    return 1 if options.strict and missed else 0
