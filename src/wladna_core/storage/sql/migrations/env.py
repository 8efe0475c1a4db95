"""The Alembic environment of the SQL store's migrations.

Migrations run through :func:`wladna_core.storage.sql.upgrade` (or ``wladna db upgrade``), which
hands this environment an open connection, inside a transaction, in
``config.attributes["connection"]``.  Running ``alembic`` by hand against these scripts is not
supported: the upgrade function also takes the lock that keeps two processes from migrating the
same database at once.
"""

from __future__ import annotations

from alembic import context

from wladna_core.storage.sql.migrate import VERSION_TABLE
from wladna_core.storage.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    msg = (
        "the migrations of wladna_core run through wladna_core.storage.upgrade(url) or the "
        "command `wladna db upgrade URL`, not through the alembic command"
    )
    raise RuntimeError(msg)

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite alters tables by copying them; later revisions rely on it.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
