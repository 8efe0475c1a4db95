"""The fields FHIR has no element for, carried in this plug-in's extensions.

Each such field travels in an extension of its own (:func:`~wladna_fhir.naming.field_extension`),
valued with the field's JSON form as the core converter writes it: ``valueBoolean``,
``valueInteger``, ``valueDecimal``, ``valueDate``, ``valueCode`` (enumeration members),
``valueString``, ``valueReference`` to a ``Location`` (territory codes), or, for lists and nested
records, ``valueString`` holding their JSON.  A field equal to its default is left out, unless the
record kind always writes it.
"""

from __future__ import annotations

import enum
import functools
import json
import types
import typing
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
from attrs import AttrsInstance
from wladna_core.convert import unstructure

from wladna_fhir.naming import BASE, FAMILY_MEMBER_OF, field_extension

if TYPE_CHECKING:
    from collections.abc import Callable

    from wladna_fhir._reader import Node

R = TypeVar("R", bound=AttrsInstance)

_COMPOUND_ORIGINS = (tuple, list, frozenset, set, dict)
# The value[x] of a field's extension, by the type of the field's value.
_VALUE_KEYS: tuple[tuple[type, str], ...] = (
    (bool, "valueBoolean"),
    (int, "valueInteger"),
    (float, "valueDecimal"),
    (enum.Enum, "valueCode"),
    (date, "valueDate"),
)
_OWN_EXTENSIONS = f"{BASE}/StructureDefinition/"
# Extensions of this plug-in that no record field maps to: they are read elsewhere.
_SHARED_EXTENSIONS = frozenset({FAMILY_MEMBER_OF})


def _is_compound(annotation: object) -> bool:
    """Whether values of a field type are lists or nested records in JSON."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_compound(arg) for arg in typing.get_args(annotation))
    origin = typing.get_origin(annotation) or annotation
    return origin in _COMPOUND_ORIGINS or (isinstance(origin, type) and attrs.has(origin))


@functools.cache
def _compound_fields(cls: type) -> frozenset[str]:
    hints = typing.get_type_hints(cls)
    return frozenset(field.name for field in attrs.fields(cls) if _is_compound(hints[field.name]))


def _is_default(field: attrs.Attribute[Any], value: object) -> bool:
    default: object = field.default
    if default is attrs.NOTHING:
        return False
    factory = getattr(default, "factory", None)
    if callable(factory):  # an attrs.Factory
        if getattr(default, "takes_self", False):
            return False
        default = factory()
    return bool(value == default)


@attrs.frozen
class RecordSpec(Generic[R]):
    """How one record class travels in one FHIR resource.

    :param kind: the record kind in extension URLs (``child``, ``case``...).
    :param cls: the record class.
    :param standard: the fields that standard FHIR elements carry.
    :param always: fields written even when they equal their default.
    :param territories: fields holding territory codes, written as ``Location`` references.
    """

    kind: str
    cls: type[R]
    standard: frozenset[str]
    always: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()

    @property
    def urls(self) -> dict[str, str]:
        """The extension URL of each field that extensions carry, and the field."""
        return {
            field_extension(self.kind, field.name): field.name
            for field in attrs.fields(self.cls)
            if field.name not in self.standard
        }

    def extensions(self, record: object) -> list[dict[str, object]]:
        """Return the extensions carrying ``record``'s fields that have no FHIR element."""
        data = unstructure(record)
        compound = _compound_fields(self.cls)
        found: list[dict[str, object]] = []
        for field in attrs.fields(self.cls):
            name = field.name
            value = getattr(record, name)
            if name in self.standard or value is None:
                continue
            if name not in self.always and _is_default(field, value):
                continue
            url = field_extension(self.kind, name)
            found.append({"url": url, **self._value(name, value, data[name], compound)})
        return found

    def _value(
        self, name: str, value: object, plain: object, compound: frozenset[str]
    ) -> dict[str, object]:
        if name in self.territories:
            return {"valueReference": {"reference": f"Location/{value}"}}
        if name in compound:
            return {"valueString": json.dumps(plain, ensure_ascii=False, separators=(",", ":"))}
        # bool before int: a boolean is an int in Python.
        key = next((key for kind, key in _VALUE_KEYS if isinstance(value, kind)), "valueString")
        return {key: plain}

    def read(self, resource: Node, territory_of: Callable[[Node], str]) -> dict[str, object]:
        """Return the fields that ``resource``'s extensions carry, in their JSON form.

        :param territory_of: reads the territory code of a ``valueReference`` to a ``Location``.
        :raises InvalidBundle: for an extension of this plug-in that is unknown or badly valued.
        """
        urls = self.urls
        compound = _compound_fields(self.cls)
        found: dict[str, object] = {}
        for extension in resource.nodes("extension"):
            url = extension.required_text("url")
            if url not in urls:
                if url.startswith(_OWN_EXTENSIONS) and url not in _SHARED_EXTENSIONS:
                    extension.fail(
                        "fhir.extension",
                        f"{url} is not an extension of a {resource.data.get('resourceType')} "
                        "written by wladna_fhir",
                        "remove it, or check that the bundle comes from a matching version",
                        "url",
                    )
                continue
            name = urls[url]
            found[name] = self._read_value(extension, name, compound, territory_of)
        return found

    def _read_value(
        self,
        extension: Node,
        name: str,
        compound: frozenset[str],
        territory_of: Callable[[Node], str],
    ) -> object:
        key = extension.value_key()
        if key is None:
            extension.fail(
                "fhir.extension", f"the extension of {name} has no value", "give it a value[x]"
            )
        if name in self.territories:
            if key != "valueReference":
                extension.fail(
                    "fhir.extension",
                    f"{name} must be a valueReference to a Location",
                    "write the territory as a reference to its Location",
                    key,
                )
            return territory_of(extension.required_node(key))
        value = extension.data[key]
        if name in compound:
            if key != "valueString" or not isinstance(value, str):
                extension.fail(
                    "fhir.extension",
                    f"{name} must be a valueString holding JSON",
                    "write the field's JSON as text",
                    key,
                )
            try:
                return json.loads(value)
            except ValueError as error:
                extension.fail(
                    "fhir.extension",
                    f"{name} does not hold JSON: {error}",
                    "write the field's JSON as text",
                    key,
                )
        return value
