"""Columns for reports: assessment date, closure reason, and days between two dates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Reports group cases by the reason of their closure and measure the days from opening to the
first assessment and to closure, and from a referral to its answer.  These columns copy (or
compute) those values from the record at every write; this migration adds them and fills them
for the rows already stored, from each row's JSON ``record``.

A migration is a snapshot: it reads the JSON itself instead of importing the store's code.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_CODE = 64
# Rows read and updated per statement while filling the new columns.
_BATCH = 1000


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _days(start: date | None, end: date | None) -> int | None:
    return None if start is None or end is None else (end - start).days


def _case_values(record: Mapping[str, Any]) -> dict[str, Any]:
    opened_on = _day(record.get("opened_on"))
    assessment = record.get("assessment") or {}
    closure = record.get("closure") or {}
    assessed_on = _day(assessment.get("on"))
    closed_on = _day(closure.get("on"))
    return {
        "assessed_on": assessed_on,
        "closure_reason": closure.get("reason"),
        "days_to_assessment": _days(opened_on, assessed_on),
        "days_open": _days(opened_on, closed_on),
    }


def _referral_values(record: Mapping[str, Any]) -> dict[str, Any]:
    made_on = _day(record.get("made_on"))
    return {"days_to_response": _days(made_on, _day(record.get("responded_on")))}


def _batches(table: sa.TableClause) -> Iterator[Sequence[Any]]:
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.record)
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _fill(name: str, columns: tuple[str, ...], values: Any) -> None:
    table = sa.table(name, sa.column("id", sa.String), sa.column("record", sa.JSON))
    target = sa.table(name, sa.column("id", sa.String), *(sa.column(column) for column in columns))
    update = (
        target.update()
        .where(target.c.id == sa.bindparam("match_id"))
        .values({column: sa.bindparam(column) for column in columns})
    )
    for rows in _batches(table):
        op.get_bind().execute(update, [{"match_id": row.id, **values(row.record)} for row in rows])


def upgrade() -> None:
    """Add the report columns to ``cases`` and ``referrals``, filled from the stored records."""
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("assessed_on", sa.Date(), nullable=True))
        cases.add_column(sa.Column("closure_reason", sa.String(_CODE), nullable=True))
        cases.add_column(sa.Column("days_to_assessment", sa.Integer(), nullable=True))
        cases.add_column(sa.Column("days_open", sa.Integer(), nullable=True))
    with op.batch_alter_table("referrals") as referrals:
        referrals.add_column(sa.Column("days_to_response", sa.Integer(), nullable=True))
    _fill(
        "cases",
        ("assessed_on", "closure_reason", "days_to_assessment", "days_open"),
        _case_values,
    )
    _fill("referrals", ("days_to_response",), _referral_values)


def downgrade() -> None:
    """Drop the report columns."""
    with op.batch_alter_table("referrals") as referrals:
        referrals.drop_column("days_to_response")
    with op.batch_alter_table("cases") as cases:
        for column in ("days_open", "days_to_assessment", "closure_reason", "assessed_on"):
            cases.drop_column(column)
