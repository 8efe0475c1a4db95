"""``wladna db``: the store's database.

``wladna db upgrade`` applies the schema migrations: a SQL store migrates an empty database
when it opens it; an existing one is upgraded here, after a backup, when a new version of
wladna_core brings a new schema.  A memory store has no schema.

``wladna db copy`` copies every record of a store into another, empty one (SQLite to
PostgreSQL, say), incidents included, without a file in between; audited in both stores.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs
import click

from wladna_core.cli.errors import DataError
from wladna_core.cli.jsonlines import LineKinds
from wladna_core.cli.options import actor_option, db_option
from wladna_core.cli.progress import progress
from wladna_core.cli.stores import check_keeps, open_existing, open_lasting, same_store
from wladna_core.errors import InvalidRecord
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    from wladna_core.storage import Repository

__all__ = ["COPY_ACTION", "copy_command", "db_group", "upgrade_command"]


@click.group("db")
def db_group() -> None:
    """Manage the store's database (schema migrations, copying it to another store)."""


@db_group.command("upgrade")
@db_option
def upgrade_command(db: str) -> None:
    """Bring the database to this version's schema; print its revision before and after.

    Running it again on an up-to-date database changes nothing.  Back the database up first.
    """
    if db.startswith("memory://"):
        click.echo(f"{redact_url(db)}: a memory store has no schema; nothing to upgrade")
        return
    check_keeps(db)  # SQLite in memory: a schema made, then gone with the command
    # Loaded here: the SQL layer (SQLAlchemy, Alembic) is heavy, and other commands need not it.
    from wladna_core.storage import upgrade  # noqa: PLC0415
    from wladna_core.storage.sql import head_revision  # noqa: PLC0415
    from wladna_core.storage.sql.migrate import current_revisions  # noqa: PLC0415

    before = current_revisions(db)
    # The core's migrations and those of the installed plug-ins' kinds of record.
    upgrade(db)
    after = current_revisions(db)
    shown = redact_url(db)
    if before == after:
        click.echo(
            f"{shown}: schema revision {', '.join(after)} (the latest, {head_revision()}); "
            "nothing to do"
        )
    else:
        click.echo(f"{shown}: schema revision {', '.join(before) or 'none'} -> {', '.join(after)}")


#: The audit trail's action for a record copied by ``wladna db copy`` (in both stores).
COPY_ACTION: Final = "record.copy"


@db_group.command("copy")
@db_option
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help=(
        "The store to fill: empty; a SQLite file is created, a PostgreSQL database must "
        "exist (its tables are created)."
    ),
)
@actor_option
def copy_command(*, db: str, target: str, actor: str) -> None:
    """Copy every record of the store (--db) into the empty store --to, kind by kind.

    Every kind of record the store keeps, incidents of violence included, goes from store to
    store without passing through a file: this is how a deployment moves from the embedded
    SQLite store to PostgreSQL.  Each kind is copied after the kinds it refers to, in batches;
    each batch is validated by the new store, with one audit entry per record in each store
    (record.copy, in the name given by --as).  The new store is written in one transaction:
    if it refuses a record, or the copy stops, it is left empty.  Records start again at version 1;
    cases keep their numbers.  The documents' bytes stay in the document store.
    """
    # Loaded here: the export's order and its audit drafts live with export and import.
    from wladna_core.cli.transfer import (  # noqa: PLC0415
        EXPORT_BATCH,
        _in_import_order,
        audit_drafts,
        export_order,
    )

    source_shown, target_shown = redact_url(db), redact_url(target)
    if same_store(db, target):
        msg = f"--to names the store to copy from ({source_shown}): name another, empty store"
        raise click.UsageError(msg)
    copied = 0
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open_existing(db))
        into = stack.enter_context(open_lasting(target))
        kinds = LineKinds(source.kinds)
        missing = [name for name in kinds.names if name not in into.kinds.names]
        if missing:
            msg = (
                f"{target_shown} does not keep the kinds {', '.join(missing)} of {source_shown}: "
                "install the plug-ins that declare them where the copy runs"
            )
            raise click.UsageError(msg)
        with into.unit_of_work(read_only=True) as checking:
            held = sum(checking.repository(record_type).count() for record_type in into.kinds)
        if held:
            msg = (
                f"{target_shown} holds {held} record(s): wladna db copy fills an empty store "
                "only; name a new database with --to"
            )
            raise DataError(msg)
        reading = stack.enter_context(source.unit_of_work(read_only=True))
        order, own = export_order(reading, kinds, source.kinds)
        total = sum(
            reading.repository(kinds.record_class(name) or object).count() for name in order
        )
        try:
            # One unit of work, one transaction, in the new store: a refusal, an error or an
            # interruption anywhere leaves it as empty as it was found.
            with into.unit_of_work() as writing, progress("copying", total) as bar:
                for name in order:
                    record_class = kinds.record_class(name)
                    assert record_class is not None
                    bar.describe(f"copying {name} records")
                    repository: Repository[Any] = reading.repository(record_class)
                    records = _in_import_order(
                        repository, source.kinds[record_class] if name in own else None
                    )
                    while batch := list(itertools.islice(records, EXPORT_BATCH)):
                        bar.advance(len(batch))
                        # Audited in the store they leave before they are written in the other.
                        with source.unit_of_work() as uow:
                            uow.audit.append(
                                audit_drafts(
                                    actor, COPY_ACTION, batch, f"wladna db copy to {target_shown}"
                                ),
                                at=datetime.now(UTC),
                            )
                        stored: list[Any] = writing.repository(record_class).add_many(
                            attrs.evolve(record, version=0) for record in batch
                        )
                        detail = f"wladna db copy from {source_shown}"
                        writing.audit.append(
                            audit_drafts(actor, COPY_ACTION, stored, detail), at=datetime.now(UTC)
                        )
                        copied += len(batch)
        except InvalidRecord as refused:
            msg = (
                f"{target_shown} refused {name} records after {copied} record(s) of the "
                f"copy: {refused}. Nothing was copied: {target_shown} is still empty. Mend the "
                "records named in the store copied from, then copy again"
            )
            raise DataError(msg) from None
    click.echo(
        f"wladna db copy: {copied} records copied from {source_shown} into {target_shown}",
        err=True,
    )
