"""The tables of the SQL store, as SQLAlchemy Core metadata.

One table per record type holds one row per record: its ``id``, its ``version`` (optimistic
concurrency), the whole record in ``record`` exactly as :func:`wladna_core.convert.unstructure`
produces it (``JSON`` on SQLite, ``JSONB`` on PostgreSQL), and copies of the fields that searches
filter on and reports group by.  The copies are derived from the record at every write and are
never read back into a record: ``record`` is the single source of truth.

Territory columns come in threes: the record's own code (``territory`` or ``residence``) and its
``province`` and ``region``, looked up in the store's gazetteer when the row is written, so that
"every case in the region MA-04" is an indexed equality rather than a list of codes.

Two side tables hold the sets a row has many of: ``case_concerns`` (the protection concerns of a
case) and ``child_identifiers`` (for "which child carries this identifier?").  The table
``case_number_counters`` holds the last sequence number drawn per province and year.

The table ``audit_entries`` holds the audit trail (:mod:`wladna_core.audit`), one row per entry:
rows are inserted, never updated nor deleted.

The migrations under ``migrations/versions`` create exactly these tables; a test compares them.
Reporting code may read these tables (GROUP BY on the columns), never write them.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "AUDIT_TEXT_LENGTH",
    "CODE_LENGTH",
    "ID_LENGTH",
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

#: Length of an id column: a canonical UUID string.
ID_LENGTH: Final = 36
#: Length of a territory code column (``MA`` and up to three parts of up to 12 characters).
TERRITORY_LENGTH: Final = 64
#: Length of a column holding an enumeration's value (``in_conflict_with_the_law``...).
CODE_LENGTH: Final = 64
#: Length of the audit trail's actor and record id columns.
AUDIT_TEXT_LENGTH: Final = 100

#: The type of the ``record`` columns: JSON text on SQLite, binary JSONB on PostgreSQL.
RECORD_JSON: Final = sa.JSON().with_variant(JSONB(), "postgresql")

#: Names of constraints and indexes, so that migrations can refer to them on every engine.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Every table of the SQL store.
metadata: Final = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(ID_LENGTH), primary_key=True)


def _version() -> tuple[sa.Column[int], sa.CheckConstraint]:
    # A stored record is at version 1 or more: version 0 means "never saved".
    return (
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("version >= 1", name="version_saved"),
    )


def _record() -> sa.Column[Any]:
    return sa.Column("record", RECORD_JSON, nullable=False)


def _territory(name: str, *, nullable: bool) -> tuple[sa.Column[str], ...]:
    return (
        sa.Column(name, sa.String(TERRITORY_LENGTH), nullable=nullable, index=True),
        sa.Column("province", sa.String(TERRITORY_LENGTH), nullable=True, index=True),
        sa.Column("region", sa.String(TERRITORY_LENGTH), nullable=True, index=True),
    )


#: Territorial bodies (CPPE, CAPE, UPE, EPS...).
bodies: Final = sa.Table(
    "bodies",
    metadata,
    _id(),
    *_version(),
    sa.Column("kind", sa.String(CODE_LENGTH), nullable=False, index=True),
    *_territory("territory", nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    _record(),
)

#: Children.
children: Final = sa.Table(
    "children",
    metadata,
    _id(),
    *_version(),
    sa.Column("sex", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("birth_date", sa.Date, nullable=False, index=True),
    *_territory("residence", nullable=True),
    _record(),
)

#: The identifiers children carry, one row each, for lookups by (scheme, value).
child_identifiers: Final = sa.Table(
    "child_identifiers",
    metadata,
    sa.Column(
        "child_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The identifier's position in Child.identifiers: a child may list one twice.
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("scheme", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    sa.Index(None, "scheme", "value"),
)

#: Families (households).
families: Final = sa.Table(
    "families",
    metadata,
    _id(),
    *_version(),
    *_territory("residence", nullable=True),
    sa.Column("rsu_id", sa.String(40), nullable=True, index=True),
    _record(),
)

#: Cases.
cases: Final = sa.Table(
    "cases",
    metadata,
    _id(),
    *_version(),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("child_id", sa.String(ID_LENGTH), nullable=False, index=True),
    sa.Column("body_id", sa.String(ID_LENGTH), nullable=False, index=True),
    sa.Column("family_id", sa.String(ID_LENGTH), nullable=True, index=True),
    *_territory("territory", nullable=False),
    sa.Column("status", sa.String(CODE_LENGTH), nullable=False, index=True),
    sa.Column("risk", sa.String(CODE_LENGTH), nullable=False, index=True),
    sa.Column("opened_on", sa.Date, nullable=False, index=True),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("worker_id", sa.String(100), nullable=True, index=True),
    # For reports (migration 0003): the assessment's date, the closure's reason, and the days
    # from opening to assessment and to closure, so that no database computes with dates.
    sa.Column("assessed_on", sa.Date, nullable=True),
    sa.Column("closure_reason", sa.String(CODE_LENGTH), nullable=True),
    sa.Column("days_to_assessment", sa.Integer, nullable=True),
    sa.Column("days_open", sa.Integer, nullable=True),
    _record(),
    # For reports by period (migration 0004): each holds what one statement reads, so that
    # the statement reads it alone, never the wide rows.
    sa.Index("ix_cases_report_opened", "opened_on", "province"),
    sa.Index("ix_cases_report_closed", "closed_on", "province", "closure_reason"),
    sa.Index("ix_cases_report_assessed", "assessed_on", "province", "risk", "days_to_assessment"),
    sa.Index("ix_cases_report_place", "id", "province", "region"),
)

#: The protection concerns of each case, one row each.
case_concerns: Final = sa.Table(
    "case_concerns",
    metadata,
    sa.Column(
        "case_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("cases.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("concern", sa.String(CODE_LENGTH), primary_key=True),
    # "Cases having this concern" reads this index, not the primary key.
    sa.Index(None, "concern", "case_id"),
)

#: Referrals.
referrals: Final = sa.Table(
    "referrals",
    metadata,
    _id(),
    *_version(),
    sa.Column("case_id", sa.String(ID_LENGTH), nullable=False, index=True),
    sa.Column("from_body", sa.String(ID_LENGTH), nullable=False, index=True),
    sa.Column("target_kind", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("target_body_id", sa.String(ID_LENGTH), nullable=True, index=True),
    sa.Column("programme", sa.String(CODE_LENGTH), nullable=True),
    sa.Column("service", sa.String(CODE_LENGTH), nullable=False, index=True),
    sa.Column("status", sa.String(CODE_LENGTH), nullable=False, index=True),
    sa.Column("urgency", sa.String(CODE_LENGTH), nullable=False),
    sa.Column("made_on", sa.Date, nullable=False, index=True),
    sa.Column("response_due", sa.Date, nullable=True),
    sa.Column("responded_on", sa.Date, nullable=True),
    sa.Column("closed_on", sa.Date, nullable=True),
    # For reports (migration 0003): the days from the referral to its answer.
    sa.Column("days_to_response", sa.Integer, nullable=True),
    _record(),
    # For reports by period (migration 0004), as for cases.
    sa.Index("ix_referrals_report_made", "made_on", "case_id", "status", "responded_on"),
    sa.Index("ix_referrals_report_responded", "responded_on", "case_id", "days_to_response"),
)

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
