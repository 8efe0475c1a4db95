"""The audit trail: the table ``audit_entries``, one row per entry of the hash chain.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

A migration is a snapshot: it spells out its table instead of importing
``wladna_core.storage.sql.tables``, which describes the newest schema and will change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the table of the audit trail and its indexes."""
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_record_id_seq", "audit_entries", ["record_id", "seq"])
    op.create_index("ix_audit_entries_actor_id_seq", "audit_entries", ["actor_id", "seq"])


def downgrade() -> None:
    """Drop the audit trail, and every entry in it."""
    op.drop_table("audit_entries")
