"""The table of the benchmark's plug-in kind ``bench_partner_body``.

Revision ID: bench_kinds_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from bench_training import PARTNER_BODY

from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "bench_kinds_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_bench_kinds",)
depends_on: str | None = "0001"


def upgrade() -> None:
    """Create the table of the benchmark's plug-in kind."""
    create_tables(PARTNER_BODY)


def downgrade() -> None:
    """Drop it."""
    drop_tables(PARTNER_BODY)
