"""The SQL store: SQLite, the embedded default, and PostgreSQL for multi-user deployments.

Open it with :func:`wladna_core.storage.open_store` (``sqlite:///wladna.db``, ``sqlite://`` for
a database in memory, ``postgresql+psycopg://user@host/database``).  :func:`upgrade` applies the
shipped schema migrations; :func:`current_revision` and :func:`head_revision` say where a
database stands.  The tables are described in :mod:`wladna_core.storage.sql.tables`; the
storage guide (``docs/storage.md``) covers deployment, migrations and backups.
"""

from __future__ import annotations

from wladna_core.storage.sql.migrate import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    upgrade,
)
from wladna_core.storage.sql.store import SqlRepository, SqlStore, SqlUnitOfWork

__all__ = [
    "VERSION_TABLE",
    "SqlRepository",
    "SqlStore",
    "SqlUnitOfWork",
    "current_revision",
    "head_revision",
    "upgrade",
]
