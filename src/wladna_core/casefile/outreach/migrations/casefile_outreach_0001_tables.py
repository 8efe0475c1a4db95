"""The tables of outreach contacts, tracing actions and reunifications.

Revision ID: casefile_outreach_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.casefile.outreach.kinds import OUTREACH_KINDS
from wladna_core.casefile.tracing.kinds import TRACING_KINDS
from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "casefile_outreach_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_casefile_outreach",)
depends_on: str | None = "0001"

_KINDS = (*OUTREACH_KINDS, *TRACING_KINDS)


def upgrade() -> None:
    """Create the tables."""
    for kind in _KINDS:
        create_tables(kind)


def downgrade() -> None:
    """Drop them, in the reverse order."""
    for kind in reversed(_KINDS):
        drop_tables(kind)
