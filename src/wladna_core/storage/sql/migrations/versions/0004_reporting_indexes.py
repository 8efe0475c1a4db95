"""Narrow indexes for the reports by period: each answers a dashboard's statement alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

A report by province and month reads, for every case or referral of the period, a date, the
province and a few codes or numbers.  Through the single-column date indexes the database reads
each whole row (the JSON record makes it kilobytes wide) in the order of the index, which costs
more than reading the table through.  These indexes begin with the date a report's period
filters on and hold the columns its statement reads, so that the statement reads the index
only: cases by the day they opened, closed or were first assessed; referrals by the day they
were made or answered; and each case's province and region by its id, for the referrals that
take them from their case.

The database's statistics are then gathered (``ANALYZE``): with them, SQLite takes the narrow
index of cases by id for that join rather than the primary key's, which leads to the wide row.
A database still empty gets no statistics, and needs none.
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

#: ``(name, table, columns)``, as in ``wladna_core.storage.sql.tables``.
_INDEXES = (
    ("ix_cases_report_opened", "cases", ["opened_on", "province"]),
    ("ix_cases_report_closed", "cases", ["closed_on", "province", "closure_reason"]),
    (
        "ix_cases_report_assessed",
        "cases",
        ["assessed_on", "province", "risk", "days_to_assessment"],
    ),
    ("ix_cases_report_place", "cases", ["id", "province", "region"]),
    ("ix_referrals_report_made", "referrals", ["made_on", "case_id", "status", "responded_on"]),
    (
        "ix_referrals_report_responded",
        "referrals",
        ["responded_on", "case_id", "days_to_response"],
    ),
)


def upgrade() -> None:
    """Create the indexes, then gather the statistics the query planner chooses with."""
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)
    op.execute("ANALYZE")


def downgrade() -> None:
    """Drop the indexes."""
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
