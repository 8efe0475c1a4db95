"""``wladna duplicates``: the pairs of child records of a whole store that may be one child.

The children are read once; their blocking keys (:mod:`wladna_core.matching.blocking`) group
them, and only the records under one key are scored, by the deployment's matcher (a
``wladna_matcher`` plug-in's, or the built-in one) — never all pairs.  Pairs a person already
confirmed or dismissed are left out.  Each pair is written as a line of JSON or CSV: the two
child ids, the score, the verdict and the codes of the score's reasons — no name, no date.
Every child named in the output is first written to the audit trail, in the name of ``--as``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import click

from wladna_core.access import Action
from wladna_core.audit import AuditDraft
from wladna_core.cli.options import actor_option, db_option
from wladna_core.cli.output import output_file
from wladna_core.cli.progress import progress
from wladna_core.cli.stores import open_existing
from wladna_core.duplicates import candidate_pairs, matcher_from
from wladna_core.matching import MatchSettings
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.duplicates import ScoredPair

__all__ = ["COLUMNS", "duplicates_command", "pair_row"]

#: The fields of each pair written, in the order of the CSV columns.
COLUMNS: Final = ("child_id", "other_id", "score", "verdict", "reasons")
#: Pairs audited and written at a time.
_BATCH: Final = 500


def pair_row(pair: ScoredPair) -> dict[str, object]:
    """Return what is written of a pair: ids, score, verdict, reason codes (no personal data)."""
    return {
        "child_id": pair.child.id,
        "other_id": pair.other.id,
        "score": round(pair.score.score, 6),
        "verdict": pair.verdict,
        "reasons": [reason.code for reason in pair.score.reasons],
    }


def _encode(row: dict[str, object], form: str) -> bytes:
    if form == "jsonl":
        return (json.dumps(row, ensure_ascii=False) + "\n").encode()
    text = io.StringIO()
    values = {**row, "reasons": " ".join(row["reasons"])}  # type: ignore[arg-type]
    csv.DictWriter(text, COLUMNS, lineterminator="\n").writerow(values)
    return text.getvalue().encode()


def _drafts(actor: str, pairs: Iterable[ScoredPair]) -> list[AuditDraft]:
    return [
        AuditDraft(
            actor, Action.CHILD_DUPLICATE_CHECK.value, "Child", child.id, child.version,
            detail="wladna duplicates",
        )
        for pair in pairs
        for child in (pair.child, pair.other)
    ]  # fmt: skip


@click.command("duplicates")
@db_option
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    help="Where to write the pairs ('-': standard output).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines, or CSV with a header line.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    help="The lowest score written; by default the review threshold (0.5).",
)
@actor_option
def duplicates_command(
    *, db: str, output: str, form: str, threshold: float | None, actor: str
) -> None:
    """Write the pairs of child records that may be one child, over the whole store.

    Candidates come from the children's blocking keys, so the run takes time in proportion to
    the store, not to its square; progress shows on standard error.  Pairs already confirmed
    or dismissed are left out.  A store that does not exist is refused, never created.
    """
    defaults = MatchSettings()
    settings = (
        defaults
        if threshold is None
        else MatchSettings(
            review_threshold=threshold,
            duplicate_threshold=max(threshold, defaults.duplicate_threshold),
        )
    )
    written = 0
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(open_existing(db))
        plugins = store.plugins if store.plugins is not None else make_plugin_manager()
        matcher = matcher_from(plugins, settings, store.gazetteer)
        reading = stack.enter_context(store.unit_of_work(read_only=True))
        out = stack.enter_context(output_file(output))
        if form == "csv":
            out.write((",".join(COLUMNS) + "\n").encode())
        total = reading.children.count()
        with progress("reading children", total) as bar:
            pairs = candidate_pairs(reading, matcher, settings, progress=bar.advance)
            while batch := list(itertools.islice(pairs, _BATCH)):
                # Audited before a pair leaves: a failure here writes none of them.
                with store.unit_of_work() as uow:
                    uow.audit.append(_drafts(actor, batch), at=datetime.now(UTC))
                for pair in batch:
                    out.write(_encode(pair_row(pair), form))
                written += len(batch)
    click.echo(
        f"wladna duplicates: {written} candidate pair{'' if written == 1 else 's'} of {total} "
        f"children in {redact_url(db)}",
        err=True,
    )
