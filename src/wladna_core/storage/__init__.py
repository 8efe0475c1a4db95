"""Storage: open a store from a URL, and read and write records in units of work.

:func:`open_store` picks the adapter by the URL's scheme (``memory://``, ``sqlite:///path``,
``postgresql+psycopg://...`` or a plug-in's); every adapter offers the same
:class:`Store`, :class:`UnitOfWork` and :class:`Repository` and passes the same contract suite
(:mod:`wladna_core.testing.conformance`).  Searches take a query per record type
(:class:`CaseQuery`, :class:`ChildQuery`...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.storage.kinds import (
    Field,
    FieldType,
    Filter,
    Index,
    KindRegistry,
    ManyField,
    Match,
    RecordKind,
    RecordQuery,
)
from wladna_core.storage.ports import (
    ALLOW_RESET,
    KNOWN_SCHEMES,
    ConcurrencyConflict,
    NotFound,
    Repository,
    Store,
    StoreEnvironment,
    StoreError,
    UnitOfWork,
    UnsupportedStoreURL,
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
    "Field",
    "FieldType",
    "Filter",
    "Index",
    "KindRegistry",
    "ManyField",
    "Match",
    "NotFound",
    "Query",
    "RecordKind",
    "RecordQuery",
    "ReferralQuery",
    "Repository",
    "Store",
    "StoreEnvironment",
    "StoreError",
    "UnitOfWork",
    "UnsupportedStoreURL",
    "open_store",
    "upgrade",
]


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    import pluggy


def open_store(
    url: str,
    *,
    plugins: pluggy.PluginManager | None = None,
    settings: Mapping[str, object] | None = None,
    clock: Callable[[], date] | None = None,
) -> Store:
    """Open the store at ``url``, composed from the plug-ins (see :mod:`wladna_core.plugins`).

    The plug-ins' rules, territories and kinds of record are collected by the composition root
    (:mod:`wladna_core.plugins`) and handed to the adapter; the store never reads the plug-in
    manager itself.

    :raises UnsupportedStoreURL: if no plug-in opens ``url``.
    """
    # The composition root sits above the storage layer: imported when a store is composed.
    from wladna_core.plugins import open_store as compose  # noqa: PLC0415

    return compose(url, plugins=plugins, settings=settings, clock=clock)


def upgrade(url: str, *, plugins: pluggy.PluginManager | None = None) -> None:
    """Bring the database at ``url`` to the schema of wladna_core and of its plug-ins' kinds.

    Applies the Alembic migrations shipped with the SQL store and those of the plug-ins' kinds
    of record; a memory store has no schema, so ``memory://`` URLs need nothing.  Opening a SQL
    store upgrades an empty database by itself.

    :param plugins: the plug-in manager whose kinds' migrations are applied too;
        :func:`wladna_core.plugins.make_plugin_manager` when omitted.
    """
    if url.startswith("memory://"):
        return
    from wladna_core.plugins import kinds_from, make_plugin_manager  # noqa: PLC0415
    from wladna_core.storage.sql import upgrade as upgrade_sql  # noqa: PLC0415 (optional, heavy)

    kinds = kinds_from(plugins if plugins is not None else make_plugin_manager())
    migrations = tuple(sorted({kind.migrations for kind in kinds.values() if kind.migrations}))
    upgrade_sql(url, migrations=migrations)
