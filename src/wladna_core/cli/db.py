"""``wladna db``: the store's database.  ``wladna db upgrade`` applies the schema migrations.

A SQL store migrates an empty database when it opens it; an existing one is upgraded here, after
a backup, when a new version of wladna_core brings a new schema.  A memory store has no schema.
"""

from __future__ import annotations

import click

from wladna_core.cli.options import db_option
from wladna_core.cli.stores import check_keeps
from wladna_core.storage.ports import redact_url

__all__ = ["db_group", "upgrade_command"]


@click.group("db")
def db_group() -> None:
    """Manage the store's database (schema migrations)."""


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
