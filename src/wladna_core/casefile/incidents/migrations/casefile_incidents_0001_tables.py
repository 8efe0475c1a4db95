"""The tables of incidents and care arrangements.

Revision ID: casefile_incidents_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.casefile.care.kinds import CARE_ARRANGEMENT
from wladna_core.casefile.incidents.kinds import INCIDENT
from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "casefile_incidents_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_casefile_incidents",)
depends_on: str | None = "0001"

_KINDS = (INCIDENT, CARE_ARRANGEMENT)


def upgrade() -> None:
    """Create the tables of incidents and care arrangements."""
    for kind in _KINDS:
        create_tables(kind)


def downgrade() -> None:
    """Drop them, in the reverse order."""
    for kind in reversed(_KINDS):
        drop_tables(kind)
