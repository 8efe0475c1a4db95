"""Reading JSON-like FHIR data with errors that name the resource and the path."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn, TypeVar, cast

from wladna_core.errors import Violation

from wladna_fhir.errors import InvalidBundle

if TYPE_CHECKING:
    from collections.abc import Mapping

T = TypeVar("T")

_JSON_TYPES: dict[type, str] = {str: "text", bool: "a boolean", int: "a number", dict: "an object"}


class Node:
    """One JSON object of a bundle, with where it is and which resource it belongs to.

    :param data: the object.
    :param path: its JSON path in the bundle, e.g. ``$.entry[2].resource.name[0]``.
    :param record: the resource it belongs to, e.g. ``Patient/0190...``; ``None`` for the bundle.
    """

    __slots__ = ("data", "path", "record")

    def __init__(self, data: Mapping[str, object], path: str, record: str | None) -> None:
        self.data = data
        self.path = path
        self.record = record

    def fail(self, code: str, message: str, remedy: str, key: str | None = None) -> NoReturn:
        """Raise :class:`InvalidBundle` for this object, or for its member ``key``."""
        path = self.path if key is None else f"{self.path}.{key}"
        raise InvalidBundle([Violation(code, path, message, record=self.record, remedy=remedy)])

    def _typed(self, key: str, kind: type[T], *, required: bool) -> T | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(
                    "fhir.missing",
                    f"{key} is missing",
                    f"give {key}; a bundle written by wladna_fhir.to_bundle always has it",
                    key,
                )
            return None
        # bool is an int in Python; JSON keeps them apart, and so do we.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = _JSON_TYPES.get(kind, kind.__name__)
            self.fail("fhir.type", f"{key} must be {expected}", f"write {key} as {expected}", key)
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        """Return the text member ``key``, ``None`` when absent."""
        return self._typed(key, str, required=required)

    def required_text(self, key: str) -> str:
        """Return the text member ``key``, which must be there."""
        return cast("str", self._typed(key, str, required=True))

    def node(self, key: str, *, required: bool = False) -> Node | None:
        """Return the object member ``key``, ``None`` when absent."""
        value = self._typed(key, dict, required=required)
        return None if value is None else Node(value, f"{self.path}.{key}", self.record)

    def required_node(self, key: str) -> Node:
        """Return the object member ``key``, which must be there."""
        return cast("Node", self.node(key, required=True))

    def nodes(self, key: str) -> list[Node]:
        """Return the objects of the list member ``key`` (empty when absent)."""
        items = self._typed(key, list, required=False) or []
        found = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(
                    "fhir.type",
                    f"{key}[{index}] must be an object",
                    f"write {key} as a list of objects",
                    f"{key}[{index}]",
                )
            found.append(Node(item, f"{self.path}.{key}[{index}]", self.record))
        return found

    def texts(self, key: str) -> list[str]:
        """Return the texts of the list member ``key`` (empty when absent)."""
        items = self._typed(key, list, required=False) or []
        for index, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(
                    "fhir.type",
                    f"{key}[{index}] must be text",
                    f"write {key} as a list of texts",
                    f"{key}[{index}]",
                )
        return list(items)

    def value_key(self) -> str | None:
        """Return the name of this element's ``value[x]`` member, ``None`` when it has none."""
        keys = [key for key in self.data if key.startswith("value")]
        if len(keys) > 1:
            self.fail(
                "fhir.extension",
                f"the extension has {len(keys)} values ({', '.join(keys)})",
                "give an extension one value[x]",
            )
        return keys[0] if keys else None
