"""How the case file's kinds of record are declared: :func:`case_kind`.

Every record of the case file belongs to one case (an incident to one or more) and is declared
as any plug-in declares a kind of record (:class:`~wladna_core.storage.kinds.RecordKind`,
hook ``wladna_record_kinds``), so that every store keeps it: memory, SQLite, PostgreSQL and a
partner's adapter alike.  :func:`case_kind` adds what they share:

* the column ``case_id`` (indexed) and the filter of the same name, so that
  ``kind.query(case_id=...)`` finds a case's records;
* the reference to the :class:`~wladna_core.model.Case`, which a SQL store reads ahead when the
  kind's rules need the case;
* the rules' context :class:`~wladna_core.casefile.context.CaseFileStoreContext`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.context import CaseFileStoreContext
from wladna_core.model import Case
from wladna_core.storage.kinds import Field, FieldType, Filter, Match, RecordKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from wladna_core.storage.kinds import Index, ManyField

__all__ = ["ID_LENGTH", "case_kind", "id_field"]

#: The length of the text columns holding ids (UUIDs as text).
ID_LENGTH: Final = 36


def id_field(name: str, get: Callable[[Any], object], *, nullable: bool = False) -> Field:
    """Return an indexed text column holding an id."""
    return Field(name, FieldType.TEXT, get, length=ID_LENGTH, nullable=nullable)


def _context(unit_of_work: Any) -> CaseFileStoreContext:
    return CaseFileStoreContext(unit_of_work)


def case_kind(
    *,
    name: str,
    record_type: type[Any],
    table: str,
    migrations: str,
    description: str,
    fields: Iterable[Field] = (),
    filters: Mapping[str, Filter] | None = None,
    many: Iterable[ManyField] = (),
    indexes: Iterable[Index] = (),
    references: Callable[[Any], Iterable[tuple[type, str | None]]] | None = None,
    case_id: Callable[[Any], object] | None = None,
    exported: bool = True,
) -> RecordKind[Any]:
    """Declare a kind of record of the case file.

    :param name: the kind's stable name (``service_delivery``).
    :param record_type: the attrs class, with ``id``, ``version`` and ``case_id``.
    :param table: its SQL table.
    :param migrations: the package of its Alembic scripts.
    :param description: one sentence for people.
    :param fields: its other searchable values (``case_id`` is added).
    :param filters: its other filters (``case_id`` is added).
    :param many: its multi-valued fields.
    :param indexes: its extra indexes.
    :param references: the other records it refers to (the case is added).
    :param case_id: how to read the case's id from a record (default: ``record.case_id``); a
        kind linked to several cases (incidents) keeps its first one here and the others in a
        ``ManyField``.
    :param exported: whether ``wladna export`` writes its records (see
        :class:`~wladna_core.storage.kinds.RecordKind`).
    """
    read_case = case_id if case_id is not None else (lambda record: record.case_id)

    def refers(record: Any) -> list[tuple[type, str | None]]:
        found: list[tuple[type, Any]] = [(Case, read_case(record))]
        if references is not None:
            found.extend(references(record))
        return found

    return RecordKind(
        name=name,
        record_type=record_type,
        table=table,
        fields=(id_field("case_id", read_case), *fields),
        filters={"case_id": Filter("case_id", Match.EQUAL), **(filters or {})},
        many=tuple(many),
        indexes=tuple(indexes),
        references=refers,
        migrations=migrations,
        description=description,
        context=_context,
        exported=exported,
    )
