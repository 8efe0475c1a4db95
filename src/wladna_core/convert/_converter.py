"""The record converter: a cattrs converter that speaks in violations."""

from __future__ import annotations

import json
import re
from typing import Any, Final, Self, TypeVar

import attrs
import cattrs
import msgspec

from wladna_core.convert._fast import FastPaths
from wladna_core.convert._hooks import configure
from wladna_core.convert._report import (
    Problem,
    json_problem,
    problems,
    record_label,
    violation,
)
from wladna_core.errors import InvalidRecord
from wladna_core.messages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["RecordConverter"]

T = TypeVar("T")

_DECODER: Final = msgspec.json.Decoder()
_ENCODER: Final = msgspec.json.Encoder()
_BYTE_POSITION: Final = re.compile(r"\s*\(byte (\d+)\)$")
_JSON_PATH: Final = re.compile(r"\s*- at `[^`]*`$")
_MALFORMED: Final = "JSON is malformed: "
# A JSON escape of half of a UTF-16 surrogate pair.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NOT_JSON: Final = object()


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        msg = f"unknown language {lang!r}; messages exist in {', '.join(LANGUAGES)}"
        raise ValueError(msg)


class RecordConverter(cattrs.Converter):
    """A :class:`cattrs.Converter` configured for the records of wladna_core.

    It refuses unknown keys, reads each JSON value in exactly one spelling (``true`` for a
    boolean, ``"2024-02-29"`` for a date, an enumeration's value for a member), and turns any
    problem into one :class:`~wladna_core.errors.InvalidRecord` naming every violation with its
    path.  Use the functions of :mod:`wladna_core.convert` for the library's own converter; make
    a ``RecordConverter`` of your own when you need one configured differently (e.g. one per
    plug-in manager, handed to ``wladna_configure_converter``).

    Hooks registered with the ``register_*`` methods take effect at once, for every class,
    including in the generated fast paths, which are dropped and made again.

    :param fast: whether to generate fast paths for input that is right (the default); without
        them every record takes cattrs' detailed validation.  Results are the same either way.
    :param args: passed on to :class:`cattrs.Converter`, with ``forbid_extra_keys`` and
        ``detailed_validation`` on by default.
    """

    __slots__ = ("_fast", "_hooks")

    def __init__(self, *args: Any, fast: bool = True, **kwargs: Any) -> None:
        if not args:
            kwargs.setdefault("forbid_extra_keys", True)
            kwargs.setdefault("detailed_validation", True)
        super().__init__(*args, **kwargs)
        self._hooks = configure(self)
        self._fast = FastPaths(self, self._hooks, enabled=fast)
        # copy() carries over the hooks registered after these: a copy makes its own.
        self._struct_copy_skip = self._structure_func.get_num_fns()
        self._unstruct_copy_skip = self._unstructure_func.get_num_fns()

    def copy(self, *args: Any, **kwargs: Any) -> Self:
        """Return a new converter with the hooks registered on this one since it was made."""
        result = super().copy(*args, **kwargs)
        result._fast.enabled = self._fast.enabled
        return result

    def _hooks_changed(self) -> None:
        fast: FastPaths | None = getattr(self, "_fast", None)
        if fast is not None:
            fast.clear()

    # Every way of registering a hook drops the generated fast paths.

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:
        """Register a structure hook for a class (see :meth:`cattrs.Converter`)."""
        result = super().register_structure_hook(*args, **kwargs)
        self._hooks_changed()
        return result

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        """Register a structure hook for the types a predicate accepts."""
        result = super().register_structure_hook_func(*args, **kwargs)
        self._hooks_changed()
        return result

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        """Register a factory of structure hooks for the types a predicate accepts."""
        result = super().register_structure_hook_factory(*args, **kwargs)
        self._hooks_changed()
        return result

    def register_unstructure_hook(self, *args: Any, **kwargs: Any) -> Any:
        """Register an unstructure hook for a class."""
        result = super().register_unstructure_hook(*args, **kwargs)
        self._hooks_changed()
        return result

    def register_unstructure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        """Register an unstructure hook for the types a predicate accepts."""
        result = super().register_unstructure_hook_func(*args, **kwargs)
        self._hooks_changed()
        return result

    def register_unstructure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        """Register a factory of unstructure hooks for the types a predicate accepts."""
        result = super().register_unstructure_hook_factory(*args, **kwargs)
        self._hooks_changed()
        return result

    # Records in and out.

    def structure_record(self, data: object, cls: type[T], *, lang: str = DEFAULT_LANGUAGE) -> T:
        """Build a ``cls`` from JSON-like ``data``; see :func:`wladna_core.convert.structure`."""
        _check_language(lang)
        return self._structure(data, cls, lang)

    def _structure(self, data: object, cls: type[T], lang: str) -> T:
        fast = self._fast.structure(cls)
        if fast is not None:
            try:
                result: T = fast(data)
            except Exception:  # noqa: S110 - the plain path decides, and says why
                pass
            else:
                return result
        hook = self.get_structure_hook(cls)
        try:
            structured: T = hook(data, cls)
        except Exception as exc:  # every failure becomes violations
            record = record_label(cls, data)
            found = [violation(problem, lang, record) for problem in problems(exc, cls)]
            raise InvalidRecord(getattr(cls, "__name__", repr(cls)), found) from None
        return structured

    def unstructure_record(self, obj: object) -> dict[str, Any]:
        """Return a record's JSON-ready dictionary; see :func:`wladna_core.convert.unstructure`."""
        if not attrs.has(type(obj)):
            msg = f"unstructure takes a record (an attrs class instance), got {type(obj).__name__}"
            raise TypeError(msg)
        result: dict[str, Any] = self.unstructure(obj)
        return result

    def loads_record(self, data: bytes | str, cls: type[T], *, lang: str = DEFAULT_LANGUAGE) -> T:
        """Build a ``cls`` from JSON text; see :func:`wladna_core.convert.loads`."""
        _check_language(lang)
        load = self._fast.loads(cls)
        if load is not None:
            try:
                result: T = load(data)
            except Exception:  # noqa: S110 - the plain path decides, and says why
                pass
            else:
                return result
        name = getattr(cls, "__name__", repr(cls))
        text = _without_bom(data)
        try:
            value = _DECODER.decode(text)
        except Exception as exc:  # whatever the text, the answer is a violation
            value = _with_lone_surrogates(text)
            if value is _NOT_JSON:
                problem = _json_problem(text, exc)
                raise InvalidRecord(name, [violation(problem, lang, None)]) from None
        return self._structure(value, cls, lang)

    def json_payload(self, obj: object) -> Any:
        """Return what a msgspec JSON encoder writes as ``obj``'s JSON (``dumps``'s bytes).

        The generated fast form where the record's class has one, otherwise
        :meth:`unstructure`'s dictionary; a store writing records into a JSON column hands
        this to its encoder instead of building the dictionary first.
        """
        dump = self._fast.dump(type(obj))
        return dump(obj) if dump is not None else self.unstructure(obj)

    def dumps_record(self, obj: object) -> bytes:
        """Write a record as compact UTF-8 JSON; see :func:`wladna_core.convert.dumps`."""
        cls = type(obj)
        if not attrs.has(cls):
            msg = f"dumps takes a record (an attrs class instance), got {cls.__name__}"
            raise TypeError(msg)
        dump = self._fast.dump(cls)
        payload = dump(obj) if dump is not None else self.unstructure(obj)
        try:
            return _ENCODER.encode(payload)
        except Exception:
            # A record can hold what JSON cannot carry (text with lone surrogates); structuring
            # its own output names the field, as it would for input.
            self._structure(self.unstructure(obj), cls, DEFAULT_LANGUAGE)
            raise


def _with_lone_surrogates(data: object) -> Any:
    r"""Decode JSON that escapes a lone surrogate (``"\ud800"``), which msgspec refuses.

    Such JSON is well formed, but the text it holds is not Unicode: decoded here, it reaches the
    converter's text hook, which refuses it with the path of the field (``input.encoding``)
    instead of a misleading parse error.  Returns ``_NOT_JSON`` for any other text.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return _NOT_JSON
    if not isinstance(data, str) or _SURROGATE_ESCAPE.search(data) is None:
        return _NOT_JSON
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _without_bom(data: Any) -> Any:
    """Drop the byte order mark some editors put before UTF-8 text (JSON may not start so)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if isinstance(data, bytes | bytearray) and data[:3] == b"\xef\xbb\xbf":
        return data[3:]
    return data


def _json_problem(data: object, exc: Exception) -> Problem:
    """Describe why ``data`` could not be read as JSON, with the line and column if known."""
    if not isinstance(data, bytes | bytearray | memoryview | str):
        return json_problem(f"expected JSON text, got {type(data).__name__}", None, None)
    if isinstance(exc, RecursionError):
        return json_problem("the data is nested too deeply", None, None)
    if isinstance(exc, UnicodeError) or "utf-8" in str(exc).lower():
        # msgspec counts from the start of the string at fault (and from 0.23 reports it as a
        # decoding error without a position); find the place in the text.
        try:
            if isinstance(data, str):
                data.encode("utf-8")
            else:
                bytes(data).decode("utf-8")
        except UnicodeError as where:
            return _at(data, "the text is not valid UTF-8", getattr(where, "start", None))
        return json_problem("the text is not valid UTF-8", None, None)
    reason = str(exc)
    found = _BYTE_POSITION.search(reason)
    position = int(found.group(1)) if found else None
    reason = _JSON_PATH.sub("", _BYTE_POSITION.sub("", reason)).removeprefix(_MALFORMED)
    if reason == "Input data was truncated":
        position = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return _at(data, reason, position)


def _at(data: bytes | bytearray | memoryview | str, reason: str, position: int | None) -> Problem:
    if position is None:
        return json_problem(reason, None, None)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    before = raw[:position]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return json_problem(reason, line, column)
