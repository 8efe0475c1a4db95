"""Blocking keys of children, to find one child registered twice; merged children; households.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Each child gets a few *blocking keys* (:func:`wladna_core.matching.blocking.blocking_keys`),
kept one per row in ``child_blocking_keys`` and indexed, so that the candidates for a possible
duplicate come from indexed lookups rather than from a scan of ``children``.  A child merged
into another keeps its row, with the kept child's id in the new column ``merged_into`` (and no
blocking keys).  The keys of the children already stored are computed here from each row's
JSON ``record``.  ``family_children`` lists the children who are members of each household
(from the members' ``child_id``), so that a merge finds the households naming a child without
reading them all.  ``duplicate_pairs`` is the review queue of possible duplicates, with
``duplicate_pair_children`` (the two children of each pair, to find the pairs of a child).

Unlike the other migrations, this one runs the library's own code (the converter and the
blocking function): the keys are what that function makes, and a change to it comes with a
migration that computes them again.  A row the converter cannot read gets no keys; the store
reports it, naming the row, when it is read.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from wladna_core.errors import InvalidRecord

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_ID = 36
_CODE = 64
_RECORD = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# As wladna_core.matching.blocking.KEY_LENGTH when this migration was written.
_KEY = 100
# Children read per statement while computing their keys.
_BATCH = 1000


def _keys(record: Any) -> list[str]:
    from wladna_core.convert import structure  # noqa: PLC0415 (loaded only to migrate)
    from wladna_core.matching.blocking import stored_keys  # noqa: PLC0415
    from wladna_core.model import Child  # noqa: PLC0415

    if isinstance(record, str | bytes):
        import json  # noqa: PLC0415

        record = json.loads(record)
    try:
        child = structure(record, Child)
    except (InvalidRecord, TypeError, ValueError):
        return []
    return sorted(stored_keys(child))


def _fill() -> None:
    connection = op.get_bind()
    children = sa.table("children", sa.column("id", sa.String), sa.column("record", sa.JSON))
    keys = sa.table("child_blocking_keys", sa.column("child_id"), sa.column("key"))
    after = ""
    while True:
        rows = connection.execute(
            sa.select(children.c.id, children.c.record)
            .where(children.c.id > after)
            .order_by(children.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [{"child_id": row.id, "key": key} for row in rows for key in _keys(row.record)]
        if values:
            connection.execute(keys.insert(), values)
        after = rows[-1].id


def _fill_families() -> None:
    connection = op.get_bind()
    families = sa.table("families", sa.column("id", sa.String), sa.column("record", sa.JSON))
    rows_of = sa.table("family_children", sa.column("family_id"), sa.column("child_id"))
    after = ""
    while True:
        rows = connection.execute(
            sa.select(families.c.id, families.c.record)
            .where(families.c.id > after)
            .order_by(families.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"family_id": row.id, "child_id": child_id}
            for row in rows
            for child_id in _member_children(row.record)
        ]
        if values:
            connection.execute(rows_of.insert(), values)
        after = rows[-1].id


def _member_children(record: Any) -> list[str]:
    if isinstance(record, str | bytes):
        import json  # noqa: PLC0415

        record = json.loads(record)
    members = record.get("members") if isinstance(record, dict) else None
    if not isinstance(members, list):
        return []
    ids = {member.get("child_id") for member in members if isinstance(member, dict)}
    return sorted(child_id for child_id in ids if isinstance(child_id, str) and child_id)


def upgrade() -> None:
    """Add ``children.merged_into`` and the new tables; fill the keys and households' children."""
    with op.batch_alter_table("children") as children:
        children.add_column(sa.Column("merged_into", sa.String(_ID), nullable=True))
        children.create_index("ix_children_merged_into", ["merged_into"])
    op.create_table(
        "child_blocking_keys",
        sa.Column("child_id", sa.String(_ID), nullable=False),
        sa.Column("key", sa.String(_KEY), nullable=False),
        sa.PrimaryKeyConstraint("child_id", "key", name="pk_child_blocking_keys"),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name="fk_child_blocking_keys_child_id_children",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_child_blocking_keys_key_child_id", "child_blocking_keys", ["key", "child_id"]
    )
    op.create_table(
        "family_children",
        sa.Column("family_id", sa.String(_ID), nullable=False),
        sa.Column("child_id", sa.String(_ID), nullable=False),
        sa.PrimaryKeyConstraint("family_id", "child_id", name="pk_family_children"),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name="fk_family_children_family_id_families",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_family_children_child_id_family_id", "family_children", ["child_id", "family_id"]
    )
    _fill()
    _fill_families()
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pair_key", sa.String(2 * _ID + 1), nullable=False),
        sa.Column("body_id", sa.String(_ID), nullable=True),
        sa.Column("status", sa.String(_CODE), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("record", _RECORD, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_duplicate_pairs"),
        sa.CheckConstraint("version >= 1", name="ck_duplicate_pairs_version_saved"),
        sa.UniqueConstraint("pair_key", name="uq_duplicate_pairs_pair_key"),
    )
    for column in ("body_id", "status", "proposed_on"):
        op.create_index(f"ix_duplicate_pairs_{column}", "duplicate_pairs", [column])
    op.create_table(
        "duplicate_pair_children",
        sa.Column("pair_id", sa.String(_ID), nullable=False),
        sa.Column("child_id", sa.String(_ID), nullable=False),
        sa.PrimaryKeyConstraint("pair_id", "child_id", name="pk_duplicate_pair_children"),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["duplicate_pairs.id"],
            name="fk_duplicate_pair_children_pair_id_duplicate_pairs",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_duplicate_pair_children_child_id_pair_id",
        "duplicate_pair_children",
        ["child_id", "pair_id"],
    )


def downgrade() -> None:
    """Drop the review queue, the blocking keys, the households' children, ``merged_into``."""
    op.drop_index(
        "ix_duplicate_pair_children_child_id_pair_id", table_name="duplicate_pair_children"
    )
    op.drop_table("duplicate_pair_children")
    for column in ("proposed_on", "status", "body_id"):
        op.drop_index(f"ix_duplicate_pairs_{column}", table_name="duplicate_pairs")
    op.drop_table("duplicate_pairs")
    op.drop_index("ix_family_children_child_id_family_id", table_name="family_children")
    op.drop_table("family_children")
    op.drop_index("ix_child_blocking_keys_key_child_id", table_name="child_blocking_keys")
    op.drop_table("child_blocking_keys")
    with op.batch_alter_table("children") as children:
        children.drop_index("ix_children_merged_into")
        children.drop_column("merged_into")
