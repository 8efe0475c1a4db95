r"""Field validators shared by the model's attrs classes.

They guard invariants of one instance (types, formats, lengths, enum membership) and raise
:class:`~wladna_core.errors.InvariantError` or :class:`TypeError` with a message that names the
field, so that the converter can report it with a path.

Text is Unicode text for interchange, whatever field holds it: every store, JSON, XML (FHIR)
and HTML can keep and show it exactly.  :func:`text_problem` says what it may not hold:

- a lone surrogate (half of a UTF-16 pair, not a character; code ``input.encoding``);
- a control character (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F), except tab,
  line feed and carriage return in multi-line text (notes); and a noncharacter (U+FFFE, U+FFFF,
  U+FDD0 to U+FDEF...), which Unicode reserves for a program's internal use (code
  ``input.invalid_character``);
- in one-line text (names, codes, references, everything that is not a note), a line break
  or a tab: ``\t``, ``\n``, ``\r``, U+2028 and U+2029 (code ``input.line_break``).

Everything else is accepted as written, including format characters that Arabic and mixed
Arabic-Latin text need (U+200F RIGHT-TO-LEFT MARK, U+200D ZERO WIDTH JOINER...) and text in
any normalisation form: names are kept as they were written and compared in a normalised form
where they are matched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model.ids import ID_PATTERN

if TYPE_CHECKING:
    from enum import Enum

T = TypeVar("T")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

#: Longest text accepted in a name-like field.
NAME_MAX = 200
#: Longest text accepted in a free-text note.
NOTE_MAX = 4000

# Patterns are matched with fullmatch: "$" would also accept a line feed at the end.
_TERRITORY_CODE = re.compile(r"MA(-[0-9A-Z]{2,12}){0,3}")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

# What no text may hold (see the module's docstring): lone surrogates, control characters but
# tab, line feed and carriage return, and noncharacters.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
# What one-line text may not hold either: line breaks and tabs.
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@attrs.frozen
class TextProblem:
    """Why a text may not be kept, as :func:`text_problem` finds it.

    :param code: ``input.encoding`` (a lone surrogate), ``input.invalid_character`` (a control
        character or a noncharacter) or ``input.line_break`` (in one-line text).
    :param character: the character at fault, written ``U+0000``.
    :param position: where it is in the text, counting characters from 1.
    """

    code: str
    character: str
    position: int

    def message(self, field: str) -> str:
        """Say in English what is wrong with ``field``, with the character and where it is."""
        if self.code == "input.encoding":
            return (
                f"{field} holds {self.character}, half of a UTF-16 surrogate pair, at position "
                f"{self.position}: not valid Unicode"
            )
        if self.code == "input.line_break":
            return (
                f"{field} holds {self.character}, a line break or tab, at position "
                f"{self.position}; it is a one-line field"
            )
        return (
            f"{field} holds {self.character}, a control character or noncharacter, at position "
            f"{self.position}; text may not hold it"
        )


def text_problem(value: str, *, lines: bool = True) -> TextProblem | None:
    r"""Return the first reason why ``value`` may not be kept as text, or ``None`` if it may.

    :param lines: whether line breaks and tabs are allowed (multi-line text such as a note);
        one-line text refuses them.

    >>> text_problem("Salma") is None
    True
    >>> text_problem("Sal\x00ma")
    TextProblem(code='input.invalid_character', character='U+0000', position=4)
    >>> text_problem("first line\nsecond line") is None
    True
    >>> text_problem("first line\nsecond line", lines=False).code
    'input.line_break'
    """
    if value.isprintable():  # the common case, in one pass in C: nothing below can be found
        return None
    found = _NOT_TEXT.search(value)
    if not lines:
        broken = _LINE_BREAK.search(value)
        if broken is not None and (found is None or broken.start() < found.start()):
            found = broken
    if found is None:
        return None
    character = found.group()
    if _SURROGATE.match(character):
        code = "input.encoding"
    elif lines or _LINE_BREAK.match(character) is None:
        code = "input.invalid_character"
    else:
        code = "input.line_break"
    return TextProblem(code, f"U+{ord(character):04X}", found.start() + 1)


def _check_characters(attribute: attrs.Attribute[Any], value: str, *, lines: bool) -> None:
    problem = text_problem(value, lines=lines)
    if problem is not None:
        raise InvariantError(problem.code, problem.message(attribute.name), attribute.name)


def _type_error(attribute: attrs.Attribute[Any], expected: str, value: object) -> TypeError:
    return TypeError(
        f"{attribute.name} must be {expected}, got {type(value).__name__}",
        attribute,
        expected,
        value,
    )


def text(max_len: int = NAME_MAX, *, blank: bool = False, lines: bool = False) -> Validator:
    """Validate a string of at most ``max_len`` characters; non-blank unless ``blank``.

    The string may hold no character :func:`text_problem` refuses; line breaks and tabs only
    if ``lines`` (a multi-line note).
    """

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise _type_error(attribute, "text", value)
        if len(value) > max_len:
            raise InvariantError(
                "input.too_long",
                f"{attribute.name} has {len(value)} characters; at most {max_len} are allowed",
                attribute.name,
            )
        if not value.isprintable():  # the common case costs one pass in C, and no call
            _check_characters(attribute, value, lines=lines)
        if not blank and not value.strip():
            raise InvariantError(
                "input.blank", f"{attribute.name} must not be blank", attribute.name
            )

    return check


def optional_text(max_len: int = NAME_MAX, *, lines: bool = False) -> Validator:
    """Validate ``None`` or a non-blank string of at most ``max_len`` characters (:func:`text`)."""
    inner = text(max_len, lines=lines)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


def identifier(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a record identifier (see :mod:`wladna_core.model.ids`)."""
    if not isinstance(value, str):
        raise _type_error(attribute, "an identifier string", value)
    if not ID_PATTERN.fullmatch(value):
        raise InvariantError(
            "input.identifier",
            f"{attribute.name} must be a lower-case UUID string such as "
            "'0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f'",
            attribute.name,
        )


def optional_identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or a record identifier."""
    if value is not None:
        identifier(instance, attribute, value)


def territory_code(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate the shape of a territory code (``MA``, ``MA-04``, ``MA-SAL``, ``MA-SAL-0101``)."""
    if not isinstance(value, str):
        raise _type_error(attribute, "a territory code", value)
    if not _TERRITORY_CODE.fullmatch(value):
        raise InvariantError(
            "input.territory_code",
            f"{attribute.name} must be an ISO 3166-2:MA code such as 'MA-04' or 'MA-SAL'",
            attribute.name,
        )


def optional_territory_code(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate ``None`` or a territory code."""
    if value is not None:
        territory_code(instance, attribute, value)


def country_code(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or an ISO 3166-1 alpha-2 country code (``MA``, ``SN``)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise _type_error(attribute, "a country code", value)
    if not _COUNTRY_CODE.fullmatch(value):
        raise InvariantError(
            "input.country_code",
            f"{attribute.name} must be an ISO 3166-1 alpha-2 code in capitals, such as 'MA'",
            attribute.name,
        )


def language_code(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a BCP 47 language tag (``ar``, ``ary``, ``zgh``, ``fr``)."""
    if not isinstance(value, str):
        raise _type_error(attribute, "a language tag", value)
    if not _LANGUAGE_CODE.fullmatch(value):
        raise InvariantError(
            "input.language_code",
            f"{attribute.name} must be a BCP 47 language tag such as 'ar', 'ary' or 'zgh'",
            attribute.name,
        )


def member_of(enum_type: type[Enum]) -> Validator:
    """Validate a member of ``enum_type``."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_type):
            raise _type_error(attribute, f"a {enum_type.__name__}", value)

    return check


def optional_member_of(enum_type: type[Enum]) -> Validator:
    """Validate ``None`` or a member of ``enum_type``."""
    inner = member_of(enum_type)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


def a_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a calendar date (a :class:`datetime.date`, not a datetime)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _type_error(attribute, "a date", value)


def optional_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or a calendar date."""
    if value is not None:
        a_date(instance, attribute, value)


def a_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a boolean (``0`` and ``1`` are refused)."""
    if not isinstance(value, bool):
        raise _type_error(attribute, "true or false", value)


def optional_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or a boolean."""
    if value is not None:
        a_bool(instance, attribute, value)


def count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a whole number of zero or more (booleans are refused)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(attribute, "a whole number", value)
    if value < 0:
        raise InvariantError(
            "input.negative", f"{attribute.name} must be zero or more", attribute.name
        )


def fraction(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or a finite number (booleans are refused)."""
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _type_error(attribute, "a number", value)
    if not math.isfinite(value):
        raise InvariantError(
            "input.not_finite", f"{attribute.name} must be a finite number", attribute.name
        )


def items(item: Validator, container: type = tuple, max_items: int = 500) -> Validator:
    """Validate a ``container`` (tuple or frozenset) whose every item passes ``item``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, container):
            raise _type_error(attribute, f"a {container.__name__}", value)
        if len(value) > max_items:  # type: ignore[arg-type]
            raise InvariantError(
                "input.too_many",
                f"{attribute.name} has {len(value)} items; at most {max_items} are allowed",  # type: ignore[arg-type]
                attribute.name,
            )
        for element in value:  # type: ignore[attr-defined]
            item(instance, attribute, element)

    return check


def instance(cls: type) -> Validator:
    """Validate an instance of ``cls``."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise _type_error(attribute, f"a {cls.__name__}", value)

    return check


def optional_instance(cls: type) -> Validator:
    """Validate ``None`` or an instance of ``cls``."""
    inner = instance(cls)

    def check(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(obj, attribute, value)

    return check


def to_tuple(value: Any) -> Any:
    """Turn a list (or other non-text iterable) into a tuple; leave anything else for validation."""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return value


def to_frozenset(value: Any) -> Any:
    """Turn a list, tuple or set into a frozenset; leave anything else for validation."""
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(value)
    return value


def not_before(earlier: str, code: str) -> Callable[[Any, attrs.Attribute[Any], date | None], None]:
    """Validate that a date field is not before the date field named ``earlier``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: date | None) -> None:
        start = getattr(instance, earlier)
        if value is not None and start is not None and value < start:
            raise InvariantError(
                code,
                f"{attribute.name} ({value.isoformat()}) is before {earlier} ({start.isoformat()})",
                attribute.name,
            )

    return check
