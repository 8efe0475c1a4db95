"""The converter's hooks: strict structuring and complete error reports (the plain path).

Structuring runs cattrs' generated code with ``detailed_validation``, so that every problem of a
record comes back at once in an exception group; :mod:`._report` turns the group into violations.
The hooks here are strict: JSON has one spelling for each value, and a record that needs
guessing (``"1"`` for true, ``20240101`` for a date) is refused rather than read wrongly.
"""

from __future__ import annotations

import enum
import functools
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from wladna_core.errors import InvariantError
from wladna_core.model._checks import text_problem

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "FACTORY",
    "STRUCTURE_PRIMITIVES",
    "InputError",
    "RecordHooks",
    "collection_parts",
    "configure",
    "enum_values",
    "is_collection",
    "is_enum",
    "is_optional",
    "kind_of",
    "optional_inner",
]

StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]

#: The only spelling of a date the converter reads: ``YYYY-MM-DD`` in ASCII digits.
ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InputError(Exception):
    """One value of the input does not have the shape its field needs.

    :param code: the violation code, e.g. ``input.type``.
    :param params: what the message says: ``expected`` and ``got`` (kinds of JSON value),
        ``allowed`` (codes of an enumeration), ``record_type``.
    """

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def kind_of(value: object) -> str:  # noqa: PLR0911 - one return per kind
    """Name the kind of JSON value ``value`` is, for messages (``text``, ``list``, ``null``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return "other"


def text_value(value: object) -> str:
    """Return ``value`` as an exact :class:`str`, or raise :class:`InputError`.

    Text holding what no text may (a lone surrogate, a control character other than tab and
    line breaks, a noncharacter: see :func:`~wladna_core.model._checks.text_problem`) is
    refused here, for every field of every record type, a plug-in's ones too; the model's
    validators refuse line breaks in one-line fields besides.
    """
    if value.__class__ is not str:
        if not isinstance(value, str):
            raise InputError("input.type", expected="text", got=kind_of(value))
        value = str.__str__(value)
    problem = text_problem(value)
    if problem is None:
        return value
    raise InputError(problem.code, character=problem.character, position=str(problem.position))


def date_value(value: object) -> date:
    """Read a ``YYYY-MM-DD`` date, and nothing else (no datetime, no number, no other form)."""
    if not isinstance(value, str):
        raise InputError("input.type", expected="date", got=kind_of(value))
    if ISO_DATE.fullmatch(value) is None:
        raise InputError("input.date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("input.date") from None


def int_value(value: object) -> int:
    """Return ``value`` as an exact :class:`int`; booleans, floats and text are refused."""
    if value.__class__ is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise InputError("input.type", expected="integer", got=kind_of(value))


def float_value(value: object) -> float:
    """Return ``value`` as a finite :class:`float`; whole numbers are accepted, booleans not."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InputError("input.type", expected="number", got=kind_of(value))
    try:
        number = float(value)
    except OverflowError:
        raise InputError("input.not_finite") from None
    if math.isfinite(number):
        return number
    raise InputError("input.not_finite")


@functools.cache
def enum_values(enum_type: type[enum.Enum]) -> dict[Any, enum.Enum]:
    """Map each value of ``enum_type`` to its member."""
    return {member.value: member for member in enum_type}


def enum_member(value: object, enum_type: type[enum.Enum]) -> enum.Enum:
    """Return the member of ``enum_type`` whose value is ``value``, or raise InputError."""
    values = enum_values(enum_type)
    try:
        return values[value]
    except Exception:  # an unhashable list or a strange object is as wrong as a bad code
        allowed = ", ".join(str(code) for code in values)
        raise InputError("input.enum", allowed=allowed) from None


def structure_text(value: object, type_: Any) -> Any:
    """Structure text; also the hook of types derived from :class:`str`, such as StrEnum."""
    if type_ is str:
        return text_value(value)
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return enum_member(value, type_)
    return type_(text_value(value))


def structure_int(value: object, type_: Any) -> Any:
    """Structure a whole number; also the hook of types derived from :class:`int` (IntEnum)."""
    if type_ is int:
        return int_value(value)
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return enum_member(value, type_)
    return type_(int_value(value))


def structure_bool(value: object, _type: Any) -> bool:
    """Structure ``true`` or ``false``; ``0``, ``1`` and ``"true"`` are refused."""
    if value is True or value is False:
        return value
    raise InputError("input.type", expected="boolean", got=kind_of(value))


def structure_float(value: object, type_: Any) -> Any:
    """Structure a finite number."""
    number = float_value(value)
    return number if type_ is float else type_(number)


def structure_date(value: object, type_: Any) -> Any:
    """Structure a ``YYYY-MM-DD`` date; a datetime type reads its own ISO form."""
    if type_ is date:
        return date_value(value)
    text = text_value(value)
    try:
        return type_.fromisoformat(text)
    except ValueError:
        raise InputError("input.date") from None


def structure_enum(value: object, type_: Any) -> Any:
    """Structure an enumeration member from its value."""
    return enum_member(value, type_)


def unstructure_enum(value: enum.Enum) -> Any:
    """Unstructure an enumeration member to its value."""
    return value.value


def unstructure_date(value: date) -> str:
    """Unstructure a date to its ISO form."""
    return value.isoformat()


def _canonical(value: object) -> str:
    return repr(value)


def sorted_items(items: list[Any]) -> list[Any]:
    """Sort unstructured items of a set: by value, or by their text when values do not compare."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=_canonical)


def _optional_inner(type_: Any) -> Any | None:
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(type_)
    others = [arg for arg in args if arg is not type(None)]
    if len(args) == 2 and len(others) == 1:
        return others[0]
    return None


def is_optional(type_: Any) -> bool:
    """Whether ``type_`` is ``X | None`` for one type ``X``."""
    return _optional_inner(type_) is not None


def optional_inner(type_: Any) -> Any:
    """Return ``X`` for ``X | None``."""
    inner = _optional_inner(type_)
    if inner is None:  # pragma: no cover - callers check is_optional first
        msg = f"{type_!r} is not an optional type"
        raise TypeError(msg)
    return inner


_COLLECTIONS: Final = {tuple: tuple, frozenset: frozenset, list: list}


def is_collection(type_: Any) -> bool:
    """Whether ``type_`` is ``tuple[X, ...]``, ``frozenset[X]`` or ``list[X]``."""
    origin = typing.get_origin(type_)
    args = typing.get_args(type_)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in (frozenset, list) and len(args) == 1


def collection_parts(type_: Any) -> tuple[type, Any]:
    """Return the container and the item type of a collection type."""
    container: type = _COLLECTIONS[typing.get_origin(type_)]
    return container, typing.get_args(type_)[0]


def is_enum(type_: Any) -> bool:
    """Whether ``type_`` is an enumeration class."""
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _validator_problem(exc: Exception) -> bool:
    """Whether ``exc``, raised by a field's validator, reports that field's value.

    Validators raise :class:`~wladna_core.errors.InvariantError`, :class:`TypeError` or
    :class:`ValueError`; anything else (an AttributeError for a field that is missing here
    because it could not be structured) says nothing about this field.
    """
    return isinstance(exc, InvariantError | TypeError | ValueError)


class RecordHooks:
    """The hooks this library registers, recognised by identity so that fast paths can inline them.

    A plug-in may register its own hooks on the converter; a type whose hook is not one of these
    is structured by calling that hook, exactly as cattrs would.
    """

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        #: Structure hooks of records (attrs classes), by class.
        self.records: dict[type, StructureHook] = {}
        #: Structure hooks of ``tuple[X, ...]``, ``frozenset[X]`` and ``list[X]``.  Sets of hooks
        #: rather than maps by type: ``str | None`` and ``Optional[str]`` are one type to cattrs.
        self.collections: set[StructureHook] = set()
        #: Structure hooks of ``X | None``.
        self.optionals: set[StructureHook] = set()
        #: Unstructure hooks of records (by class), collections and optionals.
        self.unstructure_records: dict[type, UnstructureHook] = {}
        self.unstructure_collections: set[UnstructureHook] = set()
        self.unstructure_optionals: set[UnstructureHook] = set()

    # Structuring ---------------------------------------------------------------------------

    def record(self, cls: type) -> StructureHook:
        """Make the structure hook of the attrs class ``cls``."""
        attrs.resolve_types(cls)
        converter = self.converter
        generated: Callable[[Mapping[Any, Any], Any], Any] = make_dict_structure_fn(cls, converter)
        complete = self._complete

        def structure_record(value: object, _type: Any) -> Any:
            if not isinstance(value, Mapping):
                raise InputError("input.not_object", got=kind_of(value), record_type=cls.__name__)
            try:
                return generated(value, cls)
            except ClassValidationError as group:
                raise complete(group, cls, value) from None

        self.records[cls] = structure_record
        return structure_record

    def collection(self, type_: Any) -> StructureHook:
        """Make the structure hook of a collection type; its items are reported one by one."""
        container, item_type = collection_parts(type_)
        item_hook = self.converter.get_structure_hook(item_type)

        def structure_collection(value: object, _type: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise InputError("input.type", expected="list", got=kind_of(value))
            items: list[Any] = []
            errors: list[Exception] = []
            for index, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_type))
                except Exception as exc:  # every item's problem is reported
                    exc.add_note(
                        IterableValidationNote(
                            f"Structuring {type_!r} @ index {index}", index, item_type
                        )
                    )
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
            return container(items)

        self.collections.add(structure_collection)
        return structure_collection

    def optional(self, type_: Any) -> StructureHook:
        """Make the structure hook of ``X | None``."""
        inner = optional_inner(type_)
        inner_hook = self.converter.get_structure_hook(inner)

        def structure_optional(value: object, _type: Any) -> Any:
            return None if value is None else inner_hook(value, inner)

        self.optionals.add(structure_optional)
        return structure_optional

    def _complete(
        self, group: ClassValidationError, cls: type, value: Mapping[Any, Any]
    ) -> ClassValidationError:
        """Add to cattrs' report what the record's own validators say of the other fields.

        cattrs stops before construction when a field cannot be structured, and construction
        stops at the first validator that fails; the validators of every field are run here one
        by one, so that one report names every problem of the record.
        """
        with_notes, without = group.group_exceptions()
        unknown = [exc for exc in without if isinstance(exc, ForbiddenExtraKeysError)]
        construction = [exc for exc in without if not isinstance(exc, ForbiddenExtraKeysError)]
        failed = {note.name for _, note in with_notes}
        values, found = self._check_fields(cls, value, failed)
        if not with_notes and not found and not construction:
            # Only unknown keys stopped cattrs: the record's own invariants may still speak.
            try:
                arguments: dict[str, Any] = {
                    attribute.alias or name: values[name]
                    for name, attribute in _inits(cls)
                    if name in values and name in value
                }
                cls(**arguments)
            except Exception as exc:  # reported with the unknown keys
                construction = [exc]
        if found:
            construction = []  # the construction failed on the first of these
        order = {name: index for index, (name, _) in enumerate(_inits(cls))}
        noted = sorted([*with_notes, *found], key=lambda pair: order.get(pair[1].name, len(order)))
        return ClassValidationError(
            group.message, [*(exc for exc, _ in noted), *construction, *unknown], cls
        )

    def _check_fields(
        self, cls: type, value: Mapping[Any, Any], failed: set[str]
    ) -> tuple[dict[str, Any], list[tuple[Exception, AttributeValidationNote]]]:
        values: dict[str, Any] = {}
        for name, attribute in _inits(cls):
            if name in failed:
                continue
            try:
                values[name] = self._field_value(attribute, value)
            except _NoValueError:
                continue
        instance = types.SimpleNamespace(**values)
        found: list[tuple[Exception, AttributeValidationNote]] = []
        for name, attribute in _inits(cls):
            if name not in values or attribute.validator is None:
                continue
            try:
                attribute.validator(instance, attribute, values[name])
            except Exception as exc:  # kept only if it reports this field
                if _validator_problem(exc):
                    note = AttributeValidationNote(
                        f"Structuring class {cls.__qualname__} @ attribute {name}",
                        name,
                        attribute.type,
                    )
                    exc.add_note(note)
                    found.append((exc, note))
        return values, found

    def _field_value(self, attribute: attrs.Attribute[Any], value: Mapping[Any, Any]) -> Any:
        """Return the value ``attribute`` gets at construction from ``value`` (or its default)."""
        try:
            if attribute.name in value:
                hook = self.converter.get_structure_hook(attribute.type)
                result = hook(value[attribute.name], attribute.type)
            elif attribute.default is attrs.NOTHING:
                raise _NoValueError
            elif isinstance(attribute.default, FACTORY):
                if attribute.default.takes_self:
                    raise _NoValueError
                result = attribute.default.factory()
            else:
                result = attribute.default
            convert: Any = attribute.converter
            if convert is None:
                return result
            if isinstance(convert, _CONVERTER):
                if convert.takes_self or convert.takes_field:
                    raise _NoValueError
                return convert.converter(result)
            return convert(result)
        except _NoValueError:
            raise
        except Exception:  # cattrs already reported this field
            raise _NoValueError from None

    # Unstructuring -------------------------------------------------------------------------

    def unstructure_record(self, cls: type) -> UnstructureHook:
        """Make the unstructure hook of the attrs class ``cls`` (every field, in order)."""
        attrs.resolve_types(cls)
        hook: UnstructureHook = make_dict_unstructure_fn(cls, self.converter)
        self.unstructure_records[cls] = hook
        return hook

    def unstructure_collection(self, type_: Any) -> UnstructureHook:
        """Make the unstructure hook of a collection: a list, sorted for a frozenset."""
        container, item_type = collection_parts(type_)
        item_hook = self.converter.get_unstructure_hook(item_type)
        hook: UnstructureHook
        if container is frozenset:

            def unstructure_set(value: Any) -> list[Any]:
                return sorted_items([item_hook(item) for item in value])

            hook = unstructure_set
        elif item_hook is identity:

            def unstructure_list(value: Any) -> list[Any]:
                return list(value)

            hook = unstructure_list
        else:

            def unstructure_sequence(value: Any) -> list[Any]:
                return [item_hook(item) for item in value]

            hook = unstructure_sequence
        self.unstructure_collections.add(hook)
        return hook

    def unstructure_optional(self, type_: Any) -> UnstructureHook:
        """Make the unstructure hook of ``X | None``."""
        inner_hook = self.converter.get_unstructure_hook(optional_inner(type_))

        def unstructure_optional(value: Any) -> Any:
            return None if value is None else inner_hook(value)

        self.unstructure_optionals.add(unstructure_optional)
        return unstructure_optional


# The classes behind attrs.Factory(...) and attrs.Converter(...), which the type stubs hide.
FACTORY: Final[type[Any]] = type(attrs.Factory(list))
_CONVERTER: Final[type[Any]] = attrs.Converter


class _NoValueError(Exception):
    """A field has no value to check (absent without default, or not structurable)."""


def _inits(cls: type) -> list[tuple[str, attrs.Attribute[Any]]]:
    return [(attribute.name, attribute) for attribute in attrs.fields(cls) if attribute.init]


#: The hooks registered for exact types, recognised by fast paths.
STRUCTURE_PRIMITIVES: Final[Mapping[Any, StructureHook]] = {
    str: structure_text,
    int: structure_int,
    bool: structure_bool,
    float: structure_float,
    date: structure_date,
    enum.Enum: structure_enum,
}


def configure(converter: cattrs.Converter) -> RecordHooks:
    """Register the library's hooks on ``converter`` and return them."""
    hooks = RecordHooks(converter)
    # cattrs dispatches on the class first (functools.singledispatch), so the strict hooks of
    # the primitive types go there, where they also catch the enumerations derived from them.
    for type_, hook in STRUCTURE_PRIMITIVES.items():
        converter.register_structure_hook(type_, hook)
    converter.register_structure_hook_factory(is_optional, hooks.optional)
    converter.register_structure_hook_factory(is_collection, hooks.collection)
    converter.register_structure_hook_factory(attrs.has, hooks.record)
    for enum_base in (enum.Enum, enum.StrEnum, enum.IntEnum, enum.IntFlag):
        converter.register_unstructure_hook(enum_base, unstructure_enum)
    converter.register_unstructure_hook(date, unstructure_date)
    converter.register_unstructure_hook_factory(is_optional, hooks.unstructure_optional)
    converter.register_unstructure_hook_factory(is_collection, hooks.unstructure_collection)
    converter.register_unstructure_hook_factory(attrs.has, hooks.unstructure_record)
    return hooks
