"""Fast paths: straight-line code generated per record class, for input that is already right.

Structuring through cattrs' detailed validation pays, for every field, for a hook call, a
``try`` block and a dictionary of results, so that it can report every problem.  Most input is
right, and needs none of it.  For each record class this module generates one function that
reads every field of a complete, well-typed input and calls the class, which runs the record's
own validators as always.  At the first surprise (a missing or unknown key, a wrong type, a
validator's refusal) it gives up, and the plain path structures the input again from the start:
it alone decides what is refused and says why.  The fast path therefore never changes a result;
the property tests of ``tests/test_convert_fuzz.py`` check that on arbitrary input.

Reading JSON goes one step further: msgspec decodes the text straight into generated structs
that mirror the record classes (strict types, dates, enumeration values, no unknown key), and
a generated function calls the record classes with their values.  JSON cannot carry the Python
objects that make structuring a dictionary subtle (a date object, a subclass of str), and
msgspec reads JSON with the same strictness as the plain path: the same text is accepted.

Writing works the same way: a generated function copies a record into a struct of values the
JSON encoder writes natively (dates, enumeration members), in the order of the record's fields,
instead of building the dictionary of :func:`~wladna_core.convert.unstructure` first.

Only the library's own hooks are inlined, recognised by identity; a type whose hook a plug-in
registered is structured by calling that hook, as cattrs does.  The generated functions are
dropped whenever a hook is registered.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import attrs
import msgspec
from cattrs.fns import identity

from wladna_core.convert import _hooks as hooks_module
from wladna_core.convert._hooks import (
    FACTORY,
    ISO_DATE,
    RecordHooks,
    collection_parts,
    enum_values,
    is_collection,
    is_enum,
    is_optional,
    optional_inner,
)
from wladna_core.model._checks import text_problem

if TYPE_CHECKING:
    import cattrs

__all__ = ["FastPaths"]

Function = Callable[[Any], Any]

_ISO_MATCH: Final = ISO_DATE.fullmatch
_FROM_ISO: Final = date.fromisoformat


class FallbackError(Exception):
    """The fast path cannot take this input; the plain path will."""


def _give_up() -> Any:
    raise FallbackError


def _date(value: Any) -> date:
    if value.__class__ is str and _ISO_MATCH(value) is not None:
        return _FROM_ISO(value)
    raise FallbackError


def _float(value: Any) -> float:
    if value.__class__ is float:
        if value - value == 0.0:  # false for infinities and NaN
            return value
        raise FallbackError
    if value.__class__ is int:
        return float(value)
    raise FallbackError


_BASE_GLOBALS: Final[dict[str, Any]] = {
    "_F": _give_up,
    "_d": _date,
    "_fl": _float,
    "_tp": text_problem,
}


class _UnsupportedError(Exception):
    """A type has no fast path for reading JSON."""


class _Source:
    """One generated function: its globals and fresh names."""

    def __init__(self) -> None:
        self.globals: dict[str, Any] = dict(_BASE_GLOBALS)
        self._counter = itertools.count()

    def fresh(self, prefix: str) -> str:
        """Return a new name for a variable of the generated code."""
        return f"{prefix}{next(self._counter)}"

    def name(self, prefix: str, value: object) -> str:
        """Return a new global name of the generated code, bound to ``value``."""
        name = self.fresh(prefix)
        self.globals[name] = value
        return name

    def compile(self, source: str, filename: str, function: str) -> Function:
        exec(compile(source, filename, "exec"), self.globals)  # noqa: S102 - our own source
        result: Function = self.globals[function]
        return result


class FastPaths:
    """The generated functions of one converter, made on first use and cached per class."""

    def __init__(
        self, converter: cattrs.Converter, hooks: RecordHooks, *, enabled: bool = True
    ) -> None:
        self._converter = converter
        self._hooks = hooks
        self.enabled = enabled
        self._structure: dict[type, Function | None] = {}
        self._dump: dict[type, Function | None] = {}
        self._loads: dict[type, Function | None] = {}
        self._mirrors: dict[type, tuple[type, Function] | None] = {}

    def clear(self) -> None:
        """Forget every generated function (a hook was registered)."""
        self._structure.clear()
        self._dump.clear()
        self._loads.clear()
        self._mirrors.clear()

    # Structuring ---------------------------------------------------------------------------

    def structure(self, cls: type) -> Function | None:
        """Return the fast structuring function of ``cls``, or ``None`` when it has none."""
        if not self.enabled:
            return None
        try:
            return self._structure[cls]
        except KeyError:
            pass
        self._structure[cls] = None  # a class that contains itself calls its plain hook
        try:
            function = self._make_structure(cls)
        except Exception:  # a class we cannot generate for takes the plain path
            function = None
        self._structure[cls] = function
        return function

    def _make_structure(self, cls: type) -> Function | None:
        if self._converter.get_structure_hook(cls) is not self._hooks.records.get(cls):
            return None
        source = _Source()
        fields = [attribute for attribute in attrs.fields(cls) if attribute.init]
        required = sum(attribute.default is attrs.NOTHING for attribute in fields)
        lines = ["def structure(o):", "    if o.__class__ is not dict: _F()", "    c = 0"]
        positional: list[str] = []
        keywords: list[str] = []
        for index, attribute in enumerate(fields):
            key = repr(attribute.name)
            expression = self._structure_expression(source, attribute.type, "v")
            if attribute.default is attrs.NOTHING:
                lines += [f"    v = o[{key}]", f"    a{index} = {expression}"]
            else:
                # A field left out takes its default, given as attrs would give it.
                lines += [
                    f"    if {key} in o:",
                    "        c += 1",
                    f"        v = o[{key}]",
                    f"        a{index} = {expression}",
                    "    else:",
                    f"        a{index} = {_default(source, attribute)}",
                ]
            argument = f"a{index}"
            if attribute.kw_only:
                keywords.append(f"{attribute.alias}={argument}")
            else:
                positional.append(argument)
        # Every key read is one of the fields; any other key makes the count differ.
        lines.append(f"    if c + {required} != len(o): _F()")
        source.globals["_cl"] = cls
        lines.append(f"    return _cl({', '.join([*positional, *keywords])})")
        return source.compile(
            "\n".join(lines) + "\n", f"<wladna fast structure {cls.__qualname__}>", "structure"
        )

    def _structure_expression(self, source: _Source, type_: Any, value: str) -> str:  # noqa: PLR0911 - one return per kind of type
        """Return an expression structuring the input held in the variable ``value``."""
        hooks = self._hooks
        hook = self._converter.get_structure_hook(type_)
        if is_optional(type_) and hook in hooks.optionals:
            inner = self._structure_expression(source, optional_inner(type_), value)
            return f"(None if {value} is None else {inner})"
        if type_ is str and hook is hooks_module.structure_text:
            return (
                f"({value} if {value}.__class__ is str and ({value}.isprintable() or "
                f"_tp({value}) is None) else _F())"
            )
        if type_ is bool and hook is hooks_module.structure_bool:
            return f"({value} if {value} is True or {value} is False else _F())"
        if type_ is int and hook is hooks_module.structure_int:
            return f"({value} if {value}.__class__ is int else _F())"
        if type_ is float and hook is hooks_module.structure_float:
            return f"_fl({value})"
        if type_ is date and hook is hooks_module.structure_date:
            return f"_d({value})"
        if is_enum(type_) and hook in (
            hooks_module.structure_text,
            hooks_module.structure_int,
            hooks_module.structure_enum,
        ):
            return f"{source.name('E', enum_values(type_))}[{value}]"
        if attrs.has(type_) and hook is hooks.records.get(type_):
            function = self.structure(type_)
            if function is not None:
                return f"{source.name('S', function)}({value})"
        if is_collection(type_) and hook in hooks.collections:
            container, item_type = collection_parts(type_)
            item = source.fresh("e")
            inner = self._structure_expression(source, item_type, item)
            items = f"[{inner} for {item} in {value}]"
            built = items if container is list else f"{container.__name__}({items})"
            return f"({built} if {value}.__class__ is list else _F())"
        return f"{source.name('H', hook)}({value}, {source.name('T', type_)})"

    # Reading JSON --------------------------------------------------------------------------

    def loads(self, cls: type) -> Function | None:
        """Return the fast function reading a ``cls`` from JSON text, or ``None``."""
        if not self.enabled:
            return None
        try:
            return self._loads[cls]
        except KeyError:
            pass
        try:
            mirror, build = self._mirror(cls)
        except Exception:  # a class we cannot generate for takes the plain path
            function = None
        else:
            decode: Function = msgspec.json.Decoder(mirror).decode

            def function(data: Any) -> Any:
                return build(decode(data))

        self._loads[cls] = function
        return function

    def _mirror(self, cls: type) -> tuple[type, Function]:
        """Return the struct mirroring ``cls`` in JSON, and the function building a ``cls``."""
        if cls in self._mirrors:
            known = self._mirrors[cls]
            if known is None:
                raise _UnsupportedError(cls)  # a class that contains itself
            return known
        self._mirrors[cls] = None
        if self._converter.get_structure_hook(cls) is not self._hooks.records.get(cls):
            raise _UnsupportedError(cls)
        source = _Source()
        fields = [attribute for attribute in attrs.fields(cls) if attribute.init]
        types: list[tuple[Any, ...]] = []
        positional: list[str] = []
        keywords: list[str] = []
        for attribute in fields:
            mirrored, expression = self._mirror_field(source, attribute.type, f"s.{attribute.name}")
            types.append((attribute.name, mirrored, *_mirror_default(attribute)))
            if attribute.kw_only:
                keywords.append(f"{attribute.alias}={expression}")
            else:
                positional.append(expression)
        mirror = msgspec.defstruct(
            f"{cls.__name__}Input", types, kw_only=True, forbid_unknown_fields=True, gc=False
        )
        source.globals["_cl"] = cls
        arguments = ",\n        ".join([*positional, *keywords])
        build = source.compile(
            f"def build(s):\n    return _cl(\n        {arguments},\n    )\n",
            f"<wladna fast build {cls.__qualname__}>",
            "build",
        )
        self._mirrors[cls] = (mirror, build)
        return mirror, build

    def _mirror_field(self, source: _Source, type_: Any, value: str) -> tuple[Any, str]:  # noqa: PLR0911 - one return per kind of type
        """Return the type msgspec decodes a field as, and the expression of its value."""
        hooks = self._hooks
        hook = self._converter.get_structure_hook(type_)
        if is_optional(type_) and hook in hooks.optionals:
            mirrored, inner = self._mirror_field(source, optional_inner(type_), value)
            expression = value if inner == value else f"(None if {value} is None else {inner})"
            return mirrored | None, expression
        if type_ is str and hook is hooks_module.structure_text:
            # msgspec refuses lone surrogates; what else no text may hold goes to the plain path.
            return str, f"({value} if {value}.isprintable() or _tp({value}) is None else _F())"
        if (type_, hook) in (
            (bool, hooks_module.structure_bool),
            (int, hooks_module.structure_int),
            (date, hooks_module.structure_date),
        ):
            return type_, value
        if type_ is float and hook is hooks_module.structure_float:
            return float, value  # msgspec refuses a number out of range: JSON has no infinity
        if _decodable_enum(type_) and hook in (
            hooks_module.structure_text,
            hooks_module.structure_int,
            hooks_module.structure_enum,
        ):
            return type_, value
        if attrs.has(type_) and hook is hooks.records.get(type_):
            mirror, build = self._mirror(type_)
            return mirror, f"{source.name('B', build)}({value})"
        if is_collection(type_) and hook in hooks.collections:
            container, item_type = collection_parts(type_)
            item = source.fresh("e")
            mirrored, inner = self._mirror_field(source, item_type, item)
            if inner == item:
                expression = value
            elif container is frozenset and item_type is str:
                expression = f"frozenset([{inner} for {item} in {value}])"
            elif container is frozenset:
                raise _UnsupportedError(type_)  # a set of structs would compare them, not records
            else:
                items = f"[{inner} for {item} in {value}]"
                expression = items if container is list else f"tuple({items})"
            if container is tuple:
                return tuple[mirrored, ...], expression  # type: ignore[valid-type]
            return container[mirrored], expression  # type: ignore[index]
        raise _UnsupportedError(type_)

    # Writing -------------------------------------------------------------------------------

    def dump(self, cls: type) -> Function | None:
        """Return the function giving what the encoder writes for a ``cls``, or ``None``."""
        if not self.enabled:
            return None
        try:
            return self._dump[cls]
        except KeyError:
            pass
        self._dump[cls] = None
        try:
            function = self._make_dump(cls)
        except Exception:  # a class we cannot generate for takes the plain path
            function = None
        self._dump[cls] = function
        return function

    def _make_dump(self, cls: type) -> Function | None:
        if self._converter.get_unstructure_hook(cls) is not self._hooks.unstructure_records.get(
            cls
        ):
            return None
        source = _Source()
        fields = attrs.fields(cls)
        # A struct writes its fields in order, and faster than a dictionary of the same values.
        source.globals["_S"] = msgspec.defstruct(
            f"{cls.__name__}JSON", [(attribute.name, Any) for attribute in fields], gc=False
        )
        values = ",\n        ".join(
            self._dump_expression(source, attribute.type, f"o.{attribute.name}")
            for attribute in fields
        )
        return source.compile(
            f"def dump(o):\n    return _S(\n        {values},\n    )\n",
            f"<wladna fast dump {cls.__qualname__}>",
            "dump",
        )

    def _dump_expression(self, source: _Source, type_: Any, value: str) -> str:  # noqa: PLR0911 - one return per kind of type
        """Return an expression giving what the encoder writes for ``value`` of ``type_``."""
        hooks = self._hooks
        hook = self._converter.get_unstructure_hook(type_)
        if is_optional(type_) and hook in hooks.unstructure_optionals:
            inner = self._dump_expression(source, optional_inner(type_), value)
            return value if inner == value else f"(None if {value} is None else {inner})"
        if type_ in (str, int, bool, float) and hook is identity:
            return value
        if type_ is date and hook is hooks_module.unstructure_date:
            return value  # the encoder writes a date as YYYY-MM-DD
        if _codes(type_) and hook is hooks_module.unstructure_enum:
            return value  # the encoder writes a member as its value
        if attrs.has(type_) and hook is hooks.unstructure_records.get(type_):
            function = self.dump(type_)
            if function is not None:
                return f"{source.name('U', function)}({value})"
        if is_collection(type_) and hook in hooks.unstructure_collections:
            container, item_type = collection_parts(type_)
            if container is frozenset:
                if _sorts_as_text(self._converter, item_type):
                    return f"sorted({value})"
            else:
                item = source.fresh("e")
                inner = self._dump_expression(source, item_type, item)
                return value if inner == item else f"[{inner} for {item} in {value}]"
        return f"{source.name('H', hook)}({value})"


def _codes(type_: Any) -> bool:
    """Whether ``type_`` is an enumeration whose values are all text."""
    return is_enum(type_) and all(
        isinstance(value, str) and isinstance(member, str)
        for value, member in enum_values(type_).items()
    )


def _default(source: _Source, attribute: attrs.Attribute[Any]) -> str:
    """Return an expression of ``attribute``'s default, or raise when it needs the instance."""
    default = attribute.default
    if isinstance(default, FACTORY):
        if default.takes_self:
            raise _UnsupportedError(attribute.name)
        return f"{source.name('D', default.factory)}()"
    return source.name("D", default)


def _mirror_default(attribute: attrs.Attribute[Any]) -> tuple[Any, ...]:
    """Return the default msgspec gives a field left out of the JSON, as ``()`` or ``(default,)``.

    Only defaults the generated build function passes through unchanged are given: ``None``,
    plain values, members, empty collections and factories that do not need the instance.
    """
    default = attribute.default
    if default is attrs.NOTHING:
        return ()
    if isinstance(default, FACTORY):
        if default.takes_self:
            return ()
        return (msgspec.field(default_factory=default.factory),)
    if default is None or isinstance(default, str | int | float | enum.Enum):
        return (default,)
    if isinstance(default, tuple | frozenset) and not default:
        return (msgspec.field(default_factory=type(default)),)
    return ()


def _decodable_enum(type_: Any) -> bool:
    """Whether msgspec decodes ``type_`` by value exactly as the plain path does."""
    if not is_enum(type_):
        return False
    values = list(enum_values(type_))
    return all(isinstance(value, str) for value in values) or all(
        type(value) is int for value in values
    )


def _sorts_as_text(converter: cattrs.Converter, type_: Any) -> bool:
    """Whether items of ``type_`` sort as the text they are written as."""
    hook = converter.get_unstructure_hook(type_)
    if type_ is str:
        return hook is identity
    return _codes(type_) and hook is hooks_module.unstructure_enum
