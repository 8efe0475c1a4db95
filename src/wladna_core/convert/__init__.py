"""The converter: records in and out of JSON, with readable errors.

Everything that enters the library from outside (JSON text, dictionaries from an API, rows
read from a file or a database) goes through :func:`structure` or :func:`loads`, and everything
written goes through :func:`unstructure` or :func:`dumps`.  The JSON these functions read and
write is the one shape of a record, the one the stores keep:

- keys are the fields' names; every field is written, none may be unknown when reading;
- dates are ``"YYYY-MM-DD"``; enumeration members are their values (``"female"``); tuples and
  sets are lists, sets sorted so that the same record always gives the same bytes;
- types are strict: text is a JSON string, a boolean is ``true`` or ``false`` (not ``1`` or
  ``"true"``), a whole number is not a float nor a boolean.

Bad input of any shape raises one :class:`~wladna_core.errors.InvalidRecord` whose
``violations`` name every problem found, each with its path (``$.members[2].birth_date``), its
stable code, and a message and remedy in English, French or Arabic:

>>> from wladna_core import Child, InvalidRecord
>>> from wladna_core.convert import structure
>>> try:
...     structure({"sex": "femme", "birth_date": "2024-02-30", "given_name": "Salma"}, Child)
... except InvalidRecord as error:
...     for found in error.violations:
...         print(found.path, found.code, found.message)
$.sex input.enum sex must be one of: female, male.
$.birth_date input.date birth_date is not a valid date written YYYY-MM-DD.

Codes of the JSON shape start with ``input.``: ``input.missing``, ``input.unknown_key``,
``input.type``, ``input.enum``, ``input.date``, ``input.not_object``, ``input.json``,
``input.encoding``, ``input.not_finite``, ``input.too_deep``, ``input.invalid``.  A record's own
invariants keep their codes (``input.too_long``, ``child.name_missing``,
``case.date_before_opening``...).  :data:`MESSAGES` holds every message in three languages.

**Customising.** :func:`get_converter` returns the converter these functions use, a
:class:`RecordConverter` (a :class:`cattrs.Converter`).  A plug-in's
``wladna_configure_converter(converter)`` hook registers its hooks on such a converter,
typically to structure its own record types; it must not change how the library's own classes
are read and written, which stores rely on.  Register hooks at start-up, before records are
converted: the converter is shared by the whole process.  Hooks registered later still take
effect, at the cost of generating the converter's functions again.  Make a
:class:`RecordConverter` of your own for a converter that is not shared.

**Speed.** Input that is right takes a fast path, generated per class, which reads a complete
record in straight-line code and calls the class (so its validators run as always); anything
else falls back to cattrs' detailed validation, which alone decides and reports.  JSON is read
and written by msgspec, a C library: text is decoded straight into the record's fields, and
records are written without building the dictionaries of :func:`unstructure` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from wladna_core.convert import _messages
from wladna_core.convert._converter import RecordConverter
from wladna_core.messages import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wladna_core.messages import Message

__all__ = [
    "MESSAGES",
    "RecordConverter",
    "dumps",
    "get_converter",
    "json_payload",
    "loads",
    "structure",
    "unstructure",
]

T = TypeVar("T")

#: Every code the converter reports, with its message and remedy in English, French and Arabic.
#:
#: :meta hide-value:
MESSAGES: Final[Mapping[str, Message]] = _messages.MESSAGES

_CONVERTER: Final = RecordConverter()


def get_converter() -> RecordConverter:
    """Return the converter behind :func:`structure`, :func:`loads` and the other functions here.

    It is the instance itself, not a copy: hooks registered on it (by a plug-in's
    ``wladna_configure_converter``) apply to every later call, in the whole process.
    """
    return _CONVERTER


def structure(data: object, cls: type[T], *, lang: str = DEFAULT_LANGUAGE) -> T:
    """Build a ``cls`` from JSON-like ``data`` (dictionaries, lists, text, numbers, booleans).

    :param data: the record, e.g. a dictionary decoded from JSON.
    :param cls: the record class (:class:`~wladna_core.Case`, :class:`~wladna_core.Child`...)
        or any attrs class of the model.
    :param lang: the language of the violations' messages: ``en``, ``fr`` or ``ar``.
    :raises InvalidRecord: when ``data`` is not a valid ``cls``; its violations name every
        problem with its path, code, message and remedy.  No other exception comes from bad
        ``data``.
    :raises ValueError: when ``lang`` is not a language messages exist in.

    A record without ``id`` gets a new one, as when it is built in Python.
    """
    return _CONVERTER.structure_record(data, cls, lang=lang)


def unstructure(obj: object) -> dict[str, Any]:
    """Return the JSON-ready dictionary of a record.

    Every field is there, in the order of the class; dates are ISO text, enumeration members
    their values, tuples lists, and sets sorted lists, so that
    ``structure(unstructure(record), type(record)) == record``.

    :raises TypeError: when ``obj`` is not a record (an attrs class instance).
    """
    return _CONVERTER.unstructure_record(obj)


def loads(data: bytes | str, cls: type[T], *, lang: str = DEFAULT_LANGUAGE) -> T:
    """Build a ``cls`` from JSON text (UTF-8 bytes or a string).

    :raises InvalidRecord: when ``data`` is not JSON (code ``input.json``, with the line and
        column) or not a valid ``cls`` (as :func:`structure`).
    :raises ValueError: when ``lang`` is not a language messages exist in.
    """
    return _CONVERTER.loads_record(data, cls, lang=lang)


def json_payload(obj: object) -> Any:
    """Return what a msgspec JSON encoder writes as the JSON of a record, as :func:`dumps` does.

    For stores writing records into JSON columns through msgspec: the same JSON as encoding
    :func:`unstructure`'s dictionary, without building the dictionary first.

    :raises TypeError: when ``obj`` is not a record (an attrs class instance).
    """
    if not attrs.has(type(obj)):
        msg = f"json_payload takes a record (an attrs class instance), got {type(obj).__name__}"
        raise TypeError(msg)
    return _CONVERTER.json_payload(obj)


def dumps(obj: object) -> bytes:
    """Write a record as compact UTF-8 JSON, the bytes :func:`loads` reads back.

    Keys come in the order of the class's fields and non-ASCII text is written as is; the same
    record always gives the same bytes.

    :raises TypeError: when ``obj`` is not a record (an attrs class instance).
    :raises InvalidRecord: when the record holds what JSON cannot carry, such as text with lone
        surrogates (code ``input.encoding``).
    """
    return _CONVERTER.dumps_record(obj)
