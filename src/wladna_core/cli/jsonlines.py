"""The JSON Lines files ``wladna`` reads and writes: one record per line, with its type.

Each line is an object with two keys, ``type`` — the name of a kind of record the store keeps:
``body``, ``child``, ``family``, ``case``, ``referral``, and every kind a plug-in declares
(``care_arrangement``, ``training_session``...; see :class:`LineKinds`) — and ``record``, the
record as :func:`wladna_core.convert.unstructure` writes it::

    {"type": "child", "record": {"sex": "female", "birth_date": "2014-03-08", ...}}

:func:`parse_line` reads one line into a record, or into the violations that refuse it: a line
that is not JSON, not such an object, or whose record is invalid is reported, never raised.
Paths point into the line: ``$.record.birth_date`` is the record's ``$.birth_date``.

>>> parsed = parse_line(b'{"type": "child", "record": {"sex": "female"}}', 7)
>>> [(found.code, found.path) for found in parsed.violations]
[('input.missing', '$.record.birth_date')]
>>> parse_line(b'{"type": "person", "record": {}}', 8).violations[0].code
'input.enum'
>>> parse_line(b'{"type": "care_arrangement", "record": {}}', 9).kind
'care_arrangement'
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.convert import dumps, loads, structure
from wladna_core.convert._messages import MESSAGES
from wladna_core.errors import InvalidRecord, Violation
from wladna_core.messages import DEFAULT_LANGUAGE, render
from wladna_core.model import Case, Child, Family, Referral, TerritorialBody

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

    from wladna_core.storage.kinds import KindRegistry

__all__ = [
    "KIND_ORDER",
    "Line",
    "LineKinds",
    "ParsedLine",
    "Record",
    "RecordKind",
    "built_in_kinds",
    "encode_line",
    "is_pseudonym",
    "kind_of",
    "parse_line",
    "pseudonymised_file",
    "read_lines",
    "violation_json",
    "violation_text",
]

#: A record a line carries.
Record = TerritorialBody | Child | Family | Case | Referral


class RecordKind(enum.StrEnum):
    """The ``type`` of a line, in the order records depend on each other."""

    BODY = "body"
    CHILD = "child"
    FAMILY = "family"
    CASE = "case"
    REFERRAL = "referral"

    @property
    def record_class(self) -> type[Record]:
        """The record class of lines of this type."""
        return _CLASSES[self]


_CLASSES: Final[dict[RecordKind, type[Record]]] = {
    RecordKind.BODY: TerritorialBody,
    RecordKind.CHILD: Child,
    RecordKind.FAMILY: Family,
    RecordKind.CASE: Case,
    RecordKind.REFERRAL: Referral,
}
_KINDS: Final[dict[type, RecordKind]] = {cls: kind for kind, cls in _CLASSES.items()}

#: The order in which records can be added to a store: bodies, children, families, cases,
#: referrals (a record refers only to records of types before its own).
KIND_ORDER: Final[tuple[RecordKind, ...]] = tuple(RecordKind)


class LineKinds:
    """The ``type`` names lines may give, each with its record class, in the order of import.

    The five kinds of the information base come first, in :data:`KIND_ORDER`; then every other
    kind of the registry (the case file's, the training programme's, a partner's), in the order
    the registry declares them.

    :param registry: the kinds a store keeps (``store.kinds``), or ``None`` for those the
        default plug-in manager declares (the built-in and installed plug-ins).
    """

    def __init__(self, registry: KindRegistry | None = None) -> None:
        if registry is None:
            from wladna_core.plugins import kinds_from, make_plugin_manager  # noqa: PLC0415

            registry = kinds_from(make_plugin_manager())
        declared = {registry[record_type].name: record_type for record_type in registry}
        core = {kind.value: kind.record_class for kind in KIND_ORDER}
        self._classes: dict[str, type] = {
            **core,
            **{name: cls for name, cls in declared.items() if name not in core},
        }
        self._names: dict[type, str] = {cls: name for name, cls in self._classes.items()}

    @property
    def names(self) -> tuple[str, ...]:
        """Every ``type`` name, in the order of import."""
        return tuple(self._classes)

    def record_class(self, name: str) -> type | None:
        """Return the record class of lines of type ``name``, or ``None`` if there is none."""
        return self._classes.get(name)

    def name_of_class(self, record_class: type) -> str | None:
        """Return the ``type`` name of records of ``record_class``, or ``None``."""
        return self._names.get(record_class)

    def name_of(self, record: object) -> str:
        """Return the line ``type`` of ``record``.

        :raises TypeError: for an object of no kind of record.
        """
        name = self._names.get(type(record))
        if name is None:
            msg = f"lines hold records of the kinds {', '.join(self.names)}, not {record!r}"
            raise TypeError(msg)
        return name


_BUILT_IN: list[LineKinds] = []


def built_in_kinds() -> LineKinds:
    """Return the kinds the default plug-in manager declares, read once.

    Those of the built-in plug-ins and of the plug-ins installed
    (:func:`~wladna_core.plugins.make_plugin_manager`).
    """
    if not _BUILT_IN:
        _BUILT_IN.append(LineKinds())
    return _BUILT_IN[0]


def kind_of(record: object, kinds: LineKinds | None = None) -> str:
    """Return the line ``type`` of ``record``.

    :param record: a record of one of ``kinds`` (the built-in plug-ins' by default).
    :raises TypeError: for anything else.
    """
    kind = _KINDS.get(type(record))
    if kind is not None:
        return kind
    return (kinds or built_in_kinds()).name_of(record)


@attrs.frozen
class Line:
    """What one line holds: the record's type, and the record as JSON data.

    :param type: the name of the kind of record ``record`` is.
    :param record: the record as decoded from JSON, before it is structured.
    """

    type: str
    record: Any


@attrs.frozen
class ParsedLine:
    """One line of a file, read.

    :param number: the line's number in the file, from 1.
    :param kind: the record's type (``case``, ``care_arrangement``...), or ``None`` if the line
        does not say it rightly.
    :param record: the record, or ``None`` if it could not be built.
    :param record_id: the record's id, when the line gives one.
    :param violations: why the line was refused; empty when ``record`` was built.
    """

    number: int
    kind: str | None
    record: Any
    record_id: str | None
    violations: tuple[Violation, ...] = ()


def _in_record(violation: Violation) -> Violation:
    return attrs.evolve(violation, path="$.record" + violation.path.removeprefix("$"))


def _of_line(violation: Violation) -> Violation:
    return attrs.evolve(violation, record=None)


def _located(text: bytes, number: int, lang: str) -> InvalidRecord:
    """Return the refusal of a line that is not JSON, placed at its line in the file.

    JSON allows blank lines before a value: read after ``number - 1`` of them, the converter's
    message says where the problem is in the file ("at line 57, column 12").
    """
    try:
        loads(b"\n" * (number - 1) + text, Line, lang=lang)
    except InvalidRecord as error:
        return error
    msg = f"line {number} was refused, then read when placed at its line"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def parse_line(
    text: bytes, number: int, *, lang: str = DEFAULT_LANGUAGE, kinds: LineKinds | None = None
) -> ParsedLine:
    """Read one line into its record, or into the violations that refuse it.

    :param text: the line's bytes (UTF-8 JSON; the end of line may be included).
    :param number: the line's number in the file, from 1.
    :param lang: the language of the violations' messages: ``en``, ``fr`` or ``ar``.
    :param kinds: the kinds lines may give (a store's); those of the built-in plug-ins by
        default.
    """
    kinds = kinds or built_in_kinds()
    text = text.rstrip(b"\r\n")
    try:
        line = loads(text, Line, lang=lang)
    except InvalidRecord as error:
        if "input.json" in error.codes and number > 1:
            error = _located(text, number, lang)
        return ParsedLine(number, None, None, None, tuple(map(_of_line, error.violations)))
    data = line.record
    record_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(record_id, str):
        record_id = None
    record_class = kinds.record_class(line.type)
    if record_class is None:
        message, remedy = render(
            MESSAGES["input.enum"], lang, {"field": "type", "allowed": ", ".join(kinds.names)}
        )
        unknown = Violation("input.enum", "$.type", message, remedy=remedy)
        return ParsedLine(number, None, None, record_id, (unknown,))
    try:
        record: Any = structure(data, record_class, lang=lang)
    except InvalidRecord as error:
        return ParsedLine(
            number, line.type, None, record_id, tuple(map(_in_record, error.violations))
        )
    return ParsedLine(number, line.type, record, record.id)


def read_lines(
    stream: BinaryIO,
    *,
    first_number: int = 1,
    lang: str = DEFAULT_LANGUAGE,
    kinds: LineKinds | None = None,
) -> Iterator[tuple[bytes, ParsedLine | None]]:
    """Yield each line of ``stream`` as its bytes and what it holds, one at a time.

    A blank line (spaces only) holds nothing: it is yielded with ``None``, and counted.

    :param stream: a binary stream at the start of a line.
    :param first_number: the number of the stream's first line.
    :param lang: the language of the violations' messages.
    :param kinds: the kinds lines may give; those of the built-in plug-ins by default.
    """
    kinds = kinds or built_in_kinds()
    number = first_number
    for text in stream:
        parsed = None if not text.strip() else parse_line(text, number, lang=lang, kinds=kinds)
        yield text, parsed
        number += 1


def encode_line(record: object, kinds: LineKinds | None = None) -> bytes:
    """Return the line holding ``record``, ending with a newline.

    >>> from wladna_core.model import BodyKind
    >>> body = TerritorialBody("UPE Salé", BodyKind.UPE, "MA-SAL")
    >>> encode_line(body).startswith(b'{"type":"body","record":{"name":"UPE')
    True
    >>> parse_line(encode_line(body), 1).record == body
    True

    :param record: a record of one of ``kinds`` (the built-in plug-ins' by default).
    :param kinds: the kinds lines may give.
    """
    name = kind_of(record, kinds).encode()
    return b'{"type":"' + name + b'","record":' + dumps(record) + b"}\n"


def violation_json(parsed: ParsedLine, violation: Violation) -> dict[str, object]:
    """Return what ``wladna validate`` writes of one violation of one line.

    :param parsed: the line the violation was found in.
    :param violation: the violation.
    """
    return {
        "line": parsed.number,
        "record_type": parsed.kind,
        "record_id": parsed.record_id,
        "code": violation.code,
        "path": violation.path,
        "severity": violation.severity.value,
        "message": violation.message,
        "remedy": violation.remedy,
    }


def violation_text(parsed: ParsedLine, violation: Violation) -> str:
    """Return one violation of one line as a sentence for people (``--format text``).

    :param parsed: the line the violation was found in.
    :param violation: the violation.
    """
    what = f"{parsed.kind} {parsed.record_id or ''}".rstrip() + " " if parsed.kind else ""
    text = (
        f"line {parsed.number}: {violation.severity.value}: {what}{violation.path} "
        f"[{violation.code}] {violation.message}"
    )
    return f"{text} {violation.remedy}" if violation.remedy else text


# A pseudonym of wladna_core.reporting.pseudonyms: its kind, "_", 128 bits in lower-case base 32.
_PSEUDONYM: Final = re.compile(r"^[a-z]+_[a-z2-7]{26}$")


def is_pseudonym(record_id: str | None) -> bool:
    """Return whether ``record_id`` is a pseudonym written by ``wladna export --pseudonymise``.

    >>> is_pseudonym("child_mfrggzdfmztwq2lknnwg23tpoa"), is_pseudonym("0193a7e2-5c1d-7b3e")
    (True, False)
    """
    return record_id is not None and _PSEUDONYM.match(record_id) is not None


def pseudonymised_file(name: str, parsed: ParsedLine) -> str:
    """Return the message refusing ``name``, a pseudonymised export, found at line ``parsed``.

    :param name: the file's name, for the message (``-`` for standard input).
    :param parsed: the first line whose id is a pseudonym.
    """
    kind = parsed.kind if parsed.kind is not None else "record"
    return (
        f"{name} is a pseudonymised export (wladna export --pseudonymise): line "
        f"{parsed.number} gives the {kind} id {parsed.record_id}, a pseudonym, and such a "
        "file leaves out names, documents and free text. It is for analysis and cannot be "
        "imported or checked as records; use an export made without --pseudonymise"
    )
