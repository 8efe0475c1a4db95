r"""Renderers turn a report table into bytes: CSV, JSON and Markdown are built in.

A :class:`Renderer` is a name, a media type, a file suffix and a function from any
:class:`Tabular` (an object with a ``title``, ``columns`` and ``rows``) to bytes.  This module is
an ordinary plug-in: it offers its renderers through the ``wladna_renderers`` hook, exactly as a
third-party HTML or FHIR renderer would, and :func:`wladna_core.plugins.renderers_from` gathers
them by name.

Cell values are written the same way by every built-in renderer: ``None`` as an empty cell (JSON
``null``), enumeration members as their value, dates as ISO 8601, booleans as ``true`` and
``false``.  A NaN or infinite number is refused (:class:`ValueError`): a report shows counts and
rates, and a missing value is ``None``.

>>> table = Table("Cases opened", ("province", "cases"), [("MA-SAL", 12), ("MA-RAB", 7)])
>>> CSV.render(table)
b'province,cases\r\nMA-SAL,12\r\nMA-RAB,7\r\n'
"""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from wladna_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "BUILTIN_RENDERERS",
    "CSV",
    "EXCEL_CSV",
    "JSON",
    "MARKDOWN",
    "Renderer",
    "Table",
    "Tabular",
    "cell_value",
    "render_csv",
    "render_excel_csv",
    "render_json",
    "render_markdown",
    "wladna_renderers",
]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+(?:\s*;.*)?$")
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_UTF8_BOM: Final = "\ufeff"


@runtime_checkable
class Tabular(Protocol):
    """What a renderer renders: a titled table, e.g. a report or one of its breakdowns.

    ``rows`` hold one value per column, in the order of ``columns``.
    """

    @property
    def title(self) -> str:
        """A one-line title, e.g. ``Cases opened by province, 2026``."""

    @property
    def columns(self) -> Sequence[str]:
        """The column names, unique within the table."""

    @property
    def rows(self) -> Sequence[Sequence[object]]:
        """The rows, each with one value per column."""


def _to_tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    if isinstance(value, str | bytes):
        msg = f"expected a sequence of values, got the string {value!r}"
        raise TypeError(msg)
    return tuple(value)


def _to_rows(value: Sequence[Sequence[object]]) -> tuple[tuple[object, ...], ...]:
    return tuple(_to_tuple(row) for row in _to_tuple(value))


@attrs.frozen
class Table:
    """A plain :class:`Tabular`: a title, column names and rows of values.

    :raises ValueError: if column names repeat or a row does not have one value per column.
    """

    title: str = attrs.field(validator=attrs.validators.instance_of(str))
    columns: tuple[str, ...] = attrs.field(
        converter=_to_tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(str)),
    )
    rows: tuple[tuple[object, ...], ...] = attrs.field(converter=_to_rows, default=())

    @columns.validator
    def _check_columns(self, _attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            msg = f"table {self.title!r}: column names repeat: {', '.join(repeated)}"
            raise ValueError(msg)

    @rows.validator
    def _check_rows(
        self, _attribute: attrs.Attribute[Any], value: tuple[tuple[object, ...]]
    ) -> None:
        for number, row in enumerate(value):
            if len(row) != len(self.columns):
                msg = (
                    f"table {self.title!r}: row {number} has {len(row)} values for "
                    f"{len(self.columns)} columns"
                )
                raise ValueError(msg)


def _check_name(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        msg = f"a renderer name is lower-case words joined by '-' or '_', e.g. 'csv', got {value!r}"
        raise ValueError(msg)


def _check_media_type(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _MEDIA_TYPE.match(value):
        msg = f"a media type looks like 'text/csv; charset=utf-8', got {value!r}"
        raise ValueError(msg)


def _check_suffix(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _SUFFIX.match(value):
        msg = f"a file suffix starts with a dot, e.g. '.csv', got {value!r}"
        raise ValueError(msg)


@attrs.frozen
class Renderer:
    """A way to write a report: its name, media type, file suffix and rendering function.

    :param name: how users ask for it, e.g. ``csv`` (``wladna report --format csv``); unique
        among all plug-ins.
    :param media_type: the IANA media type of the output, e.g. ``text/csv; charset=utf-8``.
    :param suffix: the file name suffix, e.g. ``.csv``.
    :param render: ``(table) -> bytes``; the whole output for one :class:`Tabular`.
    :param description: one line saying when to choose this renderer.
    """

    name: str = attrs.field(validator=_check_name)
    media_type: str = attrs.field(validator=_check_media_type)
    suffix: str = attrs.field(validator=_check_suffix)
    render: Callable[[Tabular], bytes] = attrs.field(
        validator=attrs.validators.is_callable(), repr=False
    )
    description: str = attrs.field(default="", validator=attrs.validators.instance_of(str))


def cell_value(value: object) -> str | int | float | bool | None:
    """Return ``value`` as the plain value every built-in renderer writes.

    ``None``, ``bool``, ``int``, ``str`` and finite ``float`` values are kept; a
    :class:`~decimal.Decimal` becomes an ``int`` when it is integral and a ``float`` otherwise;
    an enumeration member becomes its value; dates and times become ISO 8601 text; anything else
    becomes ``str(value)``.

    :raises ValueError: for a NaN or infinite number, which no report should contain.
    """
    if isinstance(value, enum.Enum):
        # Before the plain types: a StrEnum member is a str, but is written as its bare value.
        return cell_value(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            msg = f"a report cell holds {value!r}; write None for a missing value"
            raise ValueError(msg)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _text(value: object) -> str:
    plain = cell_value(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "true" if plain else "false"
    return str(plain)


def _csv(table: Tabular, *, for_spreadsheets: bool) -> bytes:
    buffer = io.StringIO(newline="")
    if for_spreadsheets:
        buffer.write(_UTF8_BOM)
    # RFC 4180: CRLF after every record, fields quoted only when they must be.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        cells = [_text(value) for value in row]
        if for_spreadsheets:
            cells = [
                "'" + cell if isinstance(value, str) and cell.startswith(_FORMULA_START) else cell
                for value, cell in zip(row, cells, strict=True)
            ]
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def render_csv(table: Tabular) -> bytes:
    """Write ``table`` as RFC 4180 CSV in UTF-8: a header line, then one line per row.

    The title is not written (CSV has no place for it).  Use :data:`EXCEL_CSV` for files that
    people open in a spreadsheet.
    """
    return _csv(table, for_spreadsheets=False)


def render_excel_csv(table: Tabular) -> bytes:
    """Write ``table`` as CSV for spreadsheets: UTF-8 with a byte order mark, formulas defused.

    The byte order mark makes spreadsheet programs read Arabic and accented names correctly.
    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe, so that a spreadsheet shows it rather than running it as a formula.
    Numbers are written as they are.
    """
    return _csv(table, for_spreadsheets=True)


def render_json(table: Tabular) -> bytes:
    """Write ``table`` as a UTF-8 JSON object: ``title``, ``columns``, and ``rows`` as objects.

    Each row is an object mapping column names to values, so the output reads without the
    column list; the list keeps the column order.

    :raises ValueError: if column names repeat (a row object would lose a value).
    """
    columns = list(table.columns)
    if len(set(columns)) != len(columns):
        msg = f"table {table.title!r}: column names must be unique to write JSON, got {columns}"
        raise ValueError(msg)
    document = {
        "title": table.title,
        "columns": columns,
        "rows": [
            dict(zip(columns, (cell_value(value) for value in row), strict=True))
            for row in table.rows
        ],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _markdown_cell(value: object) -> str:
    text = _text(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(text.splitlines()) if text else ""


def _is_number(value: object) -> bool:
    plain = cell_value(value)
    return isinstance(plain, int | float) and not isinstance(plain, bool)


def render_markdown(table: Tabular) -> bytes:
    """Write ``table`` as a Markdown (GFM) table under a level-2 heading with its title.

    Pipes and backslashes in cells are escaped and line breaks become ``<br>``; a column whose
    values are all numbers is aligned to the right.
    """
    columns = list(table.columns)
    rows = [list(row) for row in table.rows]
    numeric = [
        bool(rows) and all(_is_number(row[index]) or row[index] is None for row in rows)
        for index in range(len(columns))
    ]
    lines = [f"## {_markdown_cell(table.title)}", ""]
    lines.append("| " + " | ".join(_markdown_cell(name) for name in columns) + " |")
    lines.append("| " + " | ".join("---:" if right else "---" for right in numeric) + " |")
    lines.extend("| " + " | ".join(_markdown_cell(value) for value in row) + " |" for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


#: RFC 4180 CSV in UTF-8, for programs.
CSV: Final = Renderer(
    name="csv",
    media_type="text/csv; charset=utf-8; header=present",
    suffix=".csv",
    render=render_csv,
    description="CSV (RFC 4180, UTF-8) for programs and databases.",
)
#: CSV for spreadsheets: UTF-8 with a byte order mark, formulas defused.
EXCEL_CSV: Final = Renderer(
    name="excel-csv",
    media_type="text/csv; charset=utf-8; header=present",
    suffix=".csv",
    render=render_excel_csv,
    description="CSV for spreadsheets (UTF-8 with byte order mark, formulas defused).",
)
#: A JSON object with the title, the columns and one object per row.
JSON: Final = Renderer(
    name="json",
    media_type="application/json",
    suffix=".json",
    render=render_json,
    description="JSON: the title, the columns and one object per row.",
)
#: A Markdown table under a heading, for reading and for pasting into documents.
MARKDOWN: Final = Renderer(
    name="markdown",
    media_type="text/markdown; charset=utf-8",
    suffix=".md",
    render=render_markdown,
    description="A Markdown table under a heading, for people.",
)

#: The renderers this module offers through ``wladna_renderers``.
BUILTIN_RENDERERS: Final[tuple[Renderer, ...]] = (CSV, EXCEL_CSV, JSON, MARKDOWN)


@hookimpl
def wladna_renderers() -> tuple[Renderer, ...]:
    """Offer the built-in CSV, spreadsheet CSV, JSON and Markdown renderers."""
    return BUILTIN_RENDERERS
