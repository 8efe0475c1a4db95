"""The review queue of possible duplicates: the table ``duplicate_pairs`` and its side table.

Revision ID: duplicates_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.duplicates.records import DUPLICATE_PAIR
from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "duplicates_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_duplicates",)
depends_on: str | None = "0001"


def upgrade() -> None:
    """Create the tables of the review queue."""
    create_tables(DUPLICATE_PAIR)


def downgrade() -> None:
    """Drop them."""
    drop_tables(DUPLICATE_PAIR)
