"""Storage: open a store from a URL, and read and write records in units of work.

:func:`open_store` picks the adapter by the URL's scheme (``memory://``, ``sqlite:///path``,
``postgresql+psycopg://...`` or a plug-in's); every adapter offers the same
:class:`Store`, :class:`UnitOfWork` and :class:`Repository` and passes the same contract suite
(:mod:`wladna_core.testing.conformance`).  Searches take a query per record type
(:class:`CaseQuery`, :class:`ChildQuery`...).
"""

from __future__ import annotations

from wladna_core.storage.ports import (
    ALLOW_RESET,
    KNOWN_SCHEMES,
    ConcurrencyConflict,
    NotFound,
    Repository,
    Store,
    StoreError,
    UnitOfWork,
    UnsupportedStoreURL,
    open_store,
)
from wladna_core.storage.query import (
    BodyQuery,
    CaseQuery,
    ChildQuery,
    FamilyQuery,
    Query,
    ReferralQuery,
)

__all__ = [
    "ALLOW_RESET",
    "KNOWN_SCHEMES",
    "BodyQuery",
    "CaseQuery",
    "ChildQuery",
    "ConcurrencyConflict",
    "FamilyQuery",
    "NotFound",
    "Query",
    "ReferralQuery",
    "Repository",
    "Store",
    "StoreError",
    "UnitOfWork",
    "UnsupportedStoreURL",
    "open_store",
    "upgrade",
]


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the schema of this version of wladna_core.

    Applies the Alembic migrations shipped with the SQL store; a memory store has no schema, so
    ``memory://`` URLs need nothing.  Opening a SQL store upgrades an empty database by itself.
    """
    if url.startswith("memory://"):
        return
    from wladna_core.storage.sql import upgrade as upgrade_sql  # noqa: PLC0415 (optional, heavy)

    upgrade_sql(url)
