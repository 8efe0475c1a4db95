"""The tables of the kinds of record of the training programme.

Revision ID: training_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.storage.sql.kinds import create_tables, drop_tables
from wladna_core.training.kinds import TRAINING_KINDS

revision: str = "training_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_training",)
depends_on: str | None = "0001"


def upgrade() -> None:
    """Create the tables of the training kinds."""
    for kind in TRAINING_KINDS:
        create_tables(kind)


def downgrade() -> None:
    """Drop them, in the reverse order."""
    for kind in reversed(TRAINING_KINDS):
        drop_tables(kind)
