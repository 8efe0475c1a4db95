"""The SQL tables of a kind of record, made from its declaration.

Every kind (:class:`~wladna_core.storage.kinds.RecordKind`) gets one table, named by the kind:
``id`` (primary key), ``version`` (1 or more), one column per declared
:class:`~wladna_core.storage.kinds.Field` (a territory field adds ``province`` and ``region``),
and ``record``, the whole record as the converter's JSON (``JSONB`` on PostgreSQL).  Each
:class:`~wladna_core.storage.kinds.ManyField` gets a side table: the owner's id, the item's
``position`` when the items are kept in order, and the item's values.  Indexed fields are
indexed, and so are the side tables' values, so that searches on declared fields never scan
JSON.

A plug-in's kind gets its tables through a migration of the plug-in's own (see
:attr:`RecordKind.migrations <wladna_core.storage.kinds.RecordKind.migrations>`), which
:func:`wladna_core.storage.upgrade` applies with the core's.  Such a migration is two lines::

    from wladna_core.storage.sql.kinds import create_tables, drop_tables
    from my_plugin import SESSION

    revision, down_revision = "my_plugin_0001", None  # a branch of its own
    branch_labels, depends_on = ("my_plugin",), "0001"

    def upgrade() -> None:
        create_tables(SESSION)

    def downgrade() -> None:
        drop_tables(SESSION)
"""

from __future__ import annotations

import functools
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from wladna_core.storage.kinds import DEFAULT_TEXT_LENGTH, FieldType, ManyField, RecordKind

__all__ = [
    "CODE_LENGTH",
    "ID_LENGTH",
    "NAMING_CONVENTION",
    "RECORD_JSON",
    "TERRITORY_LENGTH",
    "KindTables",
    "create_tables",
    "drop_tables",
    "tables_of",
]

#: Length of an id column: a canonical UUID string.
ID_LENGTH: Final = 36
#: Length of a territory code column (``MA`` and up to three parts of up to 12 characters).
TERRITORY_LENGTH: Final = 64
#: Length of a column holding an enumeration's value (``in_conflict_with_the_law``...).
CODE_LENGTH: Final = 64

#: The type of the ``record`` columns: JSON text on SQLite, binary JSONB on PostgreSQL.
RECORD_JSON: Final = sa.JSON().with_variant(JSONB(), "postgresql")

#: Names of constraints and indexes, so that migrations can refer to them on every engine.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@attrs.frozen
class KindTables:
    """The tables of one kind of record.

    :param kind: the kind.
    :param table: its main table.
    :param side: the side table of each :class:`ManyField`, by the field's name.
    """

    kind: RecordKind[Any]
    table: sa.Table
    side: dict[str, sa.Table] = attrs.field(eq=False)


def _type(field_type: FieldType, length: int | None) -> sa.types.TypeEngine[Any]:
    if field_type is FieldType.TEXT:
        return sa.String(length or DEFAULT_TEXT_LENGTH)
    if field_type in (FieldType.CODE, FieldType.TERRITORY):
        return sa.String(CODE_LENGTH if field_type is FieldType.CODE else TERRITORY_LENGTH)
    if field_type is FieldType.DATE:
        return sa.Date()
    if field_type is FieldType.INTEGER:
        return sa.Integer()
    return sa.Boolean()


def _columns(kind: RecordKind[Any]) -> list[sa.schema.SchemaItem]:
    items: list[sa.schema.SchemaItem] = [
        sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        # A stored record is at version 1 or more: version 0 means "never saved".
        sa.CheckConstraint("version >= 1", name="version_saved"),
    ]
    for field in kind.fields:
        items.append(
            sa.Column(
                field.name,
                _type(field.type, field.length),
                nullable=field.nullable,
                index=field.index and not field.unique,
                unique=field.unique,
            )
        )
        if field.type is FieldType.TERRITORY:
            items.extend(
                sa.Column(name, sa.String(TERRITORY_LENGTH), nullable=True, index=True)
                for name in ("province", "region")
            )
    items.append(sa.Column("record", RECORD_JSON, nullable=False))
    items.extend(sa.Index(index.name, *index.columns) for index in kind.indexes)
    return items


def _side_table(kind: RecordKind[Any], item: ManyField, metadata: sa.MetaData) -> sa.Table:
    values = [name for name, _type_of in item.columns]
    columns: list[sa.schema.SchemaItem] = [
        sa.Column(
            item.owner,
            sa.String(ID_LENGTH),
            sa.ForeignKey(f"{kind.table}.id", ondelete="CASCADE"),
            primary_key=True,
        )
    ]
    if item.positional:
        # The item's position in the record: a record may list one twice.
        columns.append(sa.Column("position", sa.Integer, primary_key=True, autoincrement=False))
    columns.extend(
        sa.Column(
            name,
            _type(field_type, item.length),
            nullable=False,
            primary_key=not item.positional,
        )
        for name, field_type in item.columns
    )
    # "Which records hold this value" reads this index; with the owner last when the key
    # begins with the owner, so that the index answers alone.
    columns.append(sa.Index(None, *values, *(() if item.positional else (item.owner,))))
    return sa.Table(kind.side_table(item), metadata, *columns)


def add_tables(kind: RecordKind[Any], metadata: sa.MetaData) -> KindTables:
    """Add the tables of ``kind`` to ``metadata`` and return them."""
    table = sa.Table(kind.table, metadata, *_columns(kind))
    side = {item.name: _side_table(kind, item, metadata) for item in kind.many}
    return KindTables(kind, table, side)


@functools.cache
def tables_of(kind: RecordKind[Any]) -> KindTables:
    """Return the tables of ``kind``, in a metadata of their own (made once per kind)."""
    return add_tables(kind, sa.MetaData(naming_convention=NAMING_CONVENTION))


def create_tables(kind: RecordKind[Any], connection: sa.Connection | None = None) -> None:
    """Create the tables of ``kind``; in a migration, on the migration's connection.

    :param connection: where to create them; by default the connection of the running Alembic
        migration (``alembic.op.get_bind()``).
    """
    tables_of(kind).table.metadata.create_all(_bind(connection))


def drop_tables(kind: RecordKind[Any], connection: sa.Connection | None = None) -> None:
    """Drop the tables of ``kind`` and every record in them (a migration's downgrade)."""
    tables_of(kind).table.metadata.drop_all(_bind(connection))


def _bind(connection: sa.Connection | None) -> sa.Connection:
    if connection is not None:
        return connection
    from alembic import op  # noqa: PLC0415 (alembic is loaded only to migrate)

    return op.get_bind()
