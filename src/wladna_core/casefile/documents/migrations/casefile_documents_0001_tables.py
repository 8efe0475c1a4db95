"""The tables of the child's participation, the details of concerns and the documents.

Revision ID: casefile_documents_0001
Revises: (a branch of its own, after the core's first revision)
Create Date: 2026-12-06
"""

from __future__ import annotations

from wladna_core.casefile.concerns.kinds import CONCERN_DETAIL
from wladna_core.casefile.documents.kinds import DOCUMENT
from wladna_core.casefile.participation.kinds import PARTICIPATION
from wladna_core.storage.sql.kinds import create_tables, drop_tables

revision: str = "casefile_documents_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("wladna_casefile_documents",)
depends_on: str | None = "0001"

_KINDS = (PARTICIPATION, CONCERN_DETAIL, DOCUMENT)


def upgrade() -> None:
    """Create the tables of the three kinds."""
    for kind in _KINDS:
        create_tables(kind)


def downgrade() -> None:
    """Drop them, in the reverse order."""
    for kind in reversed(_KINDS):
        drop_tables(kind)
