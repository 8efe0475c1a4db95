"""The tables of the SQL store, as SQLAlchemy Core metadata.

One table per kind of record holds one row per record: its ``id``, its ``version`` (optimistic
concurrency), the whole record in ``record`` exactly as :func:`wladna_core.convert.unstructure`
produces it (``JSON`` on SQLite, ``JSONB`` on PostgreSQL), and copies of the fields that searches
filter on and reports group by.  The tables of the five built-in kinds are made here from their
declarations (:mod:`wladna_core.storage.builtin_kinds`) by :mod:`wladna_core.storage.sql.kinds`,
which makes a plug-in kind's tables the same way.  The copies are derived from the record at
every write and are never read back into a record: ``record`` is the single source of truth.

Territory columns come in threes: the record's own code (``territory`` or ``residence``) and its
``province`` and ``region``, looked up in the store's gazetteer when the row is written, so that
"every case in the region MA-04" is an indexed equality rather than a list of codes.

Side tables hold the sets a row has many of: ``case_concerns`` (the protection concerns of a
case), ``child_identifiers`` (for "which child carries this identifier?"),
``child_blocking_keys`` (the children under a blocking key, for possible duplicates),
``family_children`` (the households a child is a member of) and ``duplicate_pair_children``.
``duplicate_pairs`` is the review queue of possible duplicates.  The table
``case_number_counters`` holds the last sequence number drawn per province and year.

The table ``audit_entries`` holds the audit trail (:mod:`wladna_core.audit`), one row per entry:
rows are inserted, never updated nor deleted.

The migrations under ``migrations/versions`` create exactly these tables; a test compares them.
Reporting code may read these tables (GROUP BY on the columns), never write them.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Final

import sqlalchemy as sa

from wladna_core.storage.builtin_kinds import BODY, CASE, CHILD, DUPLICATE_PAIR, FAMILY, REFERRAL
from wladna_core.storage.sql.kinds import (
    CODE_LENGTH,
    ID_LENGTH,
    NAMING_CONVENTION,
    RECORD_JSON,
    TERRITORY_LENGTH,
    KindTables,
    add_tables,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AUDIT_TEXT_LENGTH",
    "BUILTIN_TABLES",
    "CODE_LENGTH",
    "ID_LENGTH",
    "NAMING_CONVENTION",
    "RECORD_JSON",
    "TERRITORY_LENGTH",
    "audit_entries",
    "bodies",
    "case_concerns",
    "case_number_counters",
    "cases",
    "child_identifiers",
    "children",
    "families",
    "metadata",
    "referrals",
]

#: Length of the audit trail's actor and record id columns.
AUDIT_TEXT_LENGTH: Final = 100

#: Every table of the SQL store.
metadata: Final = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: The tables of the built-in kinds of record, by kind name.
BUILTIN_TABLES: Final[Mapping[str, KindTables]] = types.MappingProxyType(
    {
        kind.name: add_tables(kind, metadata)
        for kind in (BODY, CHILD, FAMILY, CASE, REFERRAL, DUPLICATE_PAIR)
    }
)
_body, _child, _family = BUILTIN_TABLES["body"], BUILTIN_TABLES["child"], BUILTIN_TABLES["family"]
_case, _referral = BUILTIN_TABLES["case"], BUILTIN_TABLES["referral"]

#: Territorial bodies (CPPE, CAPE, UPE, EPS...).
bodies: Final = _body.table
#: Children.
children: Final = _child.table
#: The identifiers children carry, one row each, for lookups by (scheme, value).
child_identifiers: Final = _child.side["identifiers"]
#: Families (households).
families: Final = _family.table
#: Cases.
cases: Final = _case.table
#: The protection concerns of each case, one row each.
case_concerns: Final = _case.side["concerns"]
#: Referrals.
referrals: Final = _referral.table

#: The last case sequence number drawn for each province and year.
case_number_counters: Final = sa.Table(
    "case_number_counters",
    metadata,
    sa.Column("province", sa.String(TERRITORY_LENGTH), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_sequence", sa.Integer, nullable=False),
)

#: The audit trail: one row per entry, in order of ``seq``; inserted, never updated.
audit_entries: Final = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(AUDIT_TEXT_LENGTH), nullable=False),
    sa.Column("action", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("record_type", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("record_id", sa.String(AUDIT_TEXT_LENGTH), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # "The trail of this record / this actor" reads these, in order of seq.
    sa.Index(None, "record_id", "seq"),
    sa.Index(None, "actor_id", "seq"),
)
