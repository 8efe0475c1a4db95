"""The first schema of the SQL store: one table per record type, two side tables, counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

A migration is a snapshot: it spells out its tables instead of importing
``wladna_core.storage.sql.tables``, which describes the newest schema and will change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

if TYPE_CHECKING:
    from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_RECORD = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = 36
_CODE = 64
_TERRITORY = 64


def _head(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.CheckConstraint("version >= 1", name=f"ck_{table}_version_saved"),
    ]


def _territory(column: str, *, nullable: bool) -> list[SchemaItem]:
    return [
        sa.Column(column, sa.String(_TERRITORY), nullable=nullable),
        sa.Column("province", sa.String(_TERRITORY), nullable=True),
        sa.Column("region", sa.String(_TERRITORY), nullable=True),
    ]


def _record() -> sa.Column[object]:
    return sa.Column("record", _RECORD, nullable=False)


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    """Create the tables, their indexes and constraints."""
    op.create_table(
        "bodies",
        *_head("bodies"),
        sa.Column("kind", sa.String(_CODE), nullable=False),
        *_territory("territory", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _record(),
    )
    _indexes("bodies", "kind", "territory", "province", "region")

    op.create_table(
        "children",
        *_head("children"),
        sa.Column("sex", sa.String(_CODE), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        *_territory("residence", nullable=True),
        _record(),
    )
    _indexes("children", "birth_date", "residence", "province", "region")

    op.create_table(
        "child_identifiers",
        sa.Column("child_id", sa.String(_ID), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scheme", sa.String(_CODE), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("child_id", "position", name="pk_child_identifiers"),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name="fk_child_identifiers_child_id_children",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_child_identifiers_scheme_value", "child_identifiers", ["scheme", "value"])

    op.create_table(
        "families",
        *_head("families"),
        *_territory("residence", nullable=True),
        sa.Column("rsu_id", sa.String(40), nullable=True),
        _record(),
    )
    _indexes("families", "residence", "province", "region", "rsu_id")

    op.create_table(
        "cases",
        *_head("cases"),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("child_id", sa.String(_ID), nullable=False),
        sa.Column("body_id", sa.String(_ID), nullable=False),
        sa.Column("family_id", sa.String(_ID), nullable=True),
        *_territory("territory", nullable=False),
        sa.Column("status", sa.String(_CODE), nullable=False),
        sa.Column("risk", sa.String(_CODE), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("worker_id", sa.String(100), nullable=True),
        _record(),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    _indexes(
        "cases",
        "child_id",
        "body_id",
        "family_id",
        "territory",
        "province",
        "region",
        "status",
        "risk",
        "opened_on",
        "worker_id",
    )

    op.create_table(
        "case_concerns",
        sa.Column("case_id", sa.String(_ID), nullable=False),
        sa.Column("concern", sa.String(_CODE), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "concern", name="pk_case_concerns"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_concerns_case_id_cases", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_case_concerns_concern_case_id", "case_concerns", ["concern", "case_id"])

    op.create_table(
        "referrals",
        *_head("referrals"),
        sa.Column("case_id", sa.String(_ID), nullable=False),
        sa.Column("from_body", sa.String(_ID), nullable=False),
        sa.Column("target_kind", sa.String(_CODE), nullable=False),
        sa.Column("target_body_id", sa.String(_ID), nullable=True),
        sa.Column("programme", sa.String(_CODE), nullable=True),
        sa.Column("service", sa.String(_CODE), nullable=False),
        sa.Column("status", sa.String(_CODE), nullable=False),
        sa.Column("urgency", sa.String(_CODE), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        _record(),
    )
    _indexes("referrals", "case_id", "from_body", "target_body_id", "service", "status", "made_on")

    op.create_table(
        "case_number_counters",
        sa.Column("province", sa.String(_TERRITORY), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "year", name="pk_case_number_counters"),
    )


def downgrade() -> None:
    """Drop every table of the store, and the records in them."""
    for table in (
        "case_number_counters",
        "referrals",
        "case_concerns",
        "cases",
        "families",
        "child_identifiers",
        "children",
        "bodies",
    ):
        op.drop_table(table)
