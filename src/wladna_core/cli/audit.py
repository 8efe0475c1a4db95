"""``wladna audit``: the store's audit trail.  ``wladna audit verify`` checks its hash chain.

Verification reads every entry (a few hundred at a time, in read transactions that never wait
for a writer) and reports each entry edited, forged, deleted or moved since it was written; the
heads exported earlier (``--anchor SEQ:HASH``) reveal a trail truncated or rewritten since.
It prints the trail's head, to keep where the store's administrators cannot write.
"""

from __future__ import annotations

import click

from wladna_core.audit import AuditHead, AuditTrail
from wladna_core.cli.errors import ExitCode
from wladna_core.cli.options import db_option
from wladna_core.cli.stores import open_existing
from wladna_core.errors import InvariantError
from wladna_core.storage.ports import redact_url

__all__ = ["audit_group", "parse_anchor", "verify_command"]


def parse_anchor(text: str) -> AuditHead:
    """Return the head ``text`` writes as ``SEQ:HASH`` (what ``wladna audit verify`` prints).

    >>> parse_anchor("12:" + "ab" * 32).seq
    12

    :raises click.BadParameter: if ``text`` is not such a head.
    """
    seq, _, digest = text.partition(":")
    try:
        return AuditHead(int(seq), digest)
    except (ValueError, InvariantError):
        msg = (
            f"{text!r} is not an audit head: write SEQ:HASH, a sequence number and 64 "
            "hexadecimal digits, as wladna audit verify prints the head"
        )
        raise click.BadParameter(msg, param_hint="--anchor") from None


@click.group("audit")
def audit_group() -> None:
    """Check the store's audit trail: who read or changed which record, when."""


@audit_group.command("verify")
@db_option
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="SEQ:HASH",
    help="A head printed by an earlier verification; it must still be in the trail (repeatable).",
)
@click.option(
    "--max-problems",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Stop after finding this many problems.",
)
def verify_command(db: str, anchors: tuple[str, ...], max_problems: int) -> None:
    """Check the hash chain of the audit trail; list every problem found.

    Exit status 0 when the trail is intact, 1 when a problem is found (one line each on
    standard output).  The head printed at the end is for --anchor next time.  A store that
    does not exist is refused, never created.
    """
    heads = [parse_anchor(anchor) for anchor in anchors]
    with open_existing(db) as store:
        found = AuditTrail(store).verify(anchors=heads, max_problems=max_problems)
    shown = redact_url(db)
    for problem in found.problems:
        click.echo(str(problem))
    head = "none (no entry yet)" if found.head is None else str(found.head)
    if found.ok:
        click.echo(
            f"wladna audit verify: {shown}: {found.checked} entries, chain intact; head {head}"
        )
        return
    click.echo(
        f"wladna audit verify: {shown}: the audit trail fails verification: "
        f"{len(found.problems)} problem(s) in {found.checked} entries (listed above); keep the "
        "database as it is for the investigation, and compare it with a backup and the exported "
        f"heads; head {head}",
        err=True,
    )
    raise click.exceptions.Exit(ExitCode.INVALID_DATA)
