"""The tables of the test kind of record ``test_home_visit``.

Revision ID: test_kinds_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.storage.sql.kinds import create_tables, drop_tables
from wladna_core.testing.kinds import HOME_VISIT

revision: str = "test_kinds_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_test_kinds",)
depends_on: str | None = "0001"


def upgrade() -> None:
    """Create the tables of the test kind."""
    create_tables(HOME_VISIT)


def downgrade() -> None:
    """Drop them."""
    drop_tables(HOME_VISIT)
