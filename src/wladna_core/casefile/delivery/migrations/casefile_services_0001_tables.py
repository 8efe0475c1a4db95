"""The tables of the services log (service_delivery) and of the approvals (approval).

Revision ID: casefile_services_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.casefile.approvals.kinds import APPROVAL
from wladna_core.casefile.delivery.kinds import SERVICE_DELIVERY
from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "casefile_services_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_casefile_services",)
depends_on: str | None = "0001"

_KINDS = (SERVICE_DELIVERY, APPROVAL)


def upgrade() -> None:
    """Create the tables of the services log and the approvals."""
    for kind in _KINDS:
        create_tables(kind)


def downgrade() -> None:
    """Drop them, in the reverse order."""
    for kind in reversed(_KINDS):
        drop_tables(kind)
