"""Turning what went wrong while structuring into violations, each with its path and code.

cattrs reports a record's problems as a tree of exception groups: a
:class:`~cattrs.errors.ClassValidationError` per record whose sub-exceptions carry an
:class:`~cattrs.errors.AttributeValidationNote` naming the field, and an
:class:`~cattrs.errors.IterableValidationError` per list whose sub-exceptions carry an
:class:`~cattrs.errors.IterableValidationNote` with the index.  Walking the tree builds each
problem's path (``$.plan.goals[1].due``); the leaf exception gives its code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from wladna_core.convert._hooks import InputError, kind_of
from wladna_core.convert._messages import KINDS, MESSAGES, PARAMETERS, WHERE
from wladna_core.errors import InvariantError, Severity, Violation
from wladna_core.messages import render

__all__ = ["Problem", "json_problem", "problems", "record_label", "violation"]

# Longest key or identifier quoted in a path or a message; longer ones are cut with an ellipsis.
_QUOTE_MAX = 64

# How the model's validators name what they expected, mapped to the kinds messages know.
_EXPECTED: Final[Mapping[str, str]] = {
    "text": "text",
    "an identifier string": "text",
    "a territory code": "text",
    "a country code": "text",
    "a language tag": "text",
    "true or false": "boolean",
    "a whole number": "integer",
    "a number": "number",
    "a date": "date",
    "a tuple": "list",
    "a frozenset": "list",
}


@attrs.frozen
class Problem:
    """A problem found in the input, before it is put into words.

    :param code: the violation code.
    :param path: where it is, e.g. ``$.members[2].birth_date``.
    :param params: the values its message names; ``expected`` and ``got`` are kinds of JSON
        value, translated when the message is rendered.
    :param fallback: the English text to show when no message is catalogued for ``code``.
    """

    code: str
    path: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    fallback: str = ""


def printable(text: str) -> str:
    """Return ``text`` cut to a readable length, with any lone surrogate escaped."""
    if len(text) > _QUOTE_MAX:
        text = text[:_QUOTE_MAX] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return json.dumps(printable(key), ensure_ascii=False)
    if isinstance(key, int) and not isinstance(key, bool):
        return printable(str(key)) if key.bit_length() < 200 else "<int>"
    return f"<{type(key).__name__}>"


def _key_segment(key: object) -> str:
    if isinstance(key, str) and key.isidentifier() and len(key) <= _QUOTE_MAX:
        return f".{key}"
    return f"[{_key_text(key)}]"


def record_label(cls: type, data: object) -> str:
    """Name the record for people: its class, and its id when the input has a text one."""
    name = getattr(cls, "__name__", repr(cls))
    try:
        ident = data.get("id") if isinstance(data, Mapping) else None
    except Exception:  # a strange mapping only loses the id in the label
        ident = None
    return f"{name} {printable(ident)}" if isinstance(ident, str) and ident else name


def problems(exc: BaseException, cls: type) -> list[Problem]:
    """Every problem that ``exc``, raised while structuring a ``cls``, reports."""
    found: list[Problem] = []
    _walk(exc, "$", getattr(cls, "__name__", repr(cls)), cls, found, field_named=False)
    return found


def _walk(
    exc: BaseException,
    path: str,
    label: str,
    owner: type,
    found: list[Problem],
    *,
    field_named: bool,
) -> None:
    """Collect the problems of ``exc`` found at ``path`` (``label`` names the place)."""
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            _walk(sub, f"{path}.{note.name}", note.name, exc.cl, found, field_named=True)
        for sub in without:
            _walk(sub, path, label, exc.cl, found, field_named=False)
    elif isinstance(exc, IterableValidationError):
        items, others = exc.group_exceptions()
        for sub, item_note in items:
            index = item_note.index
            segment = f"[{index}]" if isinstance(index, int) else _key_segment(index)
            _walk(sub, path + segment, label + segment, owner, found, field_named=True)
        for sub in others:
            _walk(sub, path, label, owner, found, field_named=field_named)
    elif isinstance(exc, BaseExceptionGroup):
        for member in exc.exceptions:
            _walk(member, path, label, owner, found, field_named=field_named)
    else:
        found.extend(_leaf(exc, path, label, owner, field_named=field_named))


def _leaf(  # noqa: PLR0911 - one return per kind of exception
    exc: BaseException, path: str, label: str, owner: type, *, field_named: bool
) -> list[Problem]:
    """Return the problems one exception (not a group) reports."""
    record_type = owner.__name__
    if isinstance(exc, InputError):
        return [Problem(exc.code, path, {"field": label, "record_type": record_type, **exc.params})]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            Problem(
                "input.unknown_key",
                path + _key_segment(key),
                {"key": _key_text(key), "record_type": exc.cl.__name__, "field": label},
            )
            for key in sorted(
                exc.extra_fields, key=lambda key: (not isinstance(key, str), _key_text(key))
            )
        ]
    if isinstance(exc, KeyError):
        return [Problem("input.missing", path, {"field": label, "record_type": record_type})]
    if isinstance(exc, InvariantError):
        if not field_named and exc.field:
            path, label = f"{path}.{exc.field}", exc.field
        params = {"field": label, "record_type": record_type}
        pattern = PARAMETERS.get(exc.code)
        found = pattern.search(exc.message) if pattern is not None else None
        if found is not None:
            params.update({name: value for name, value in found.groupdict().items() if value})
        return [Problem(exc.code, path, params, exc.message)]
    attribute = exc.args[1] if len(exc.args) >= 2 else None
    if isinstance(exc, TypeError | ValueError) and isinstance(attribute, attrs.Attribute):
        # A validator's report: (message, attribute, expected, value).
        if not field_named:
            path, label = f"{path}.{attribute.name}", attribute.name
        params = {"field": label, "record_type": record_type}
        if isinstance(exc, TypeError):
            params["expected"] = _EXPECTED.get(str(exc.args[2]), "documented")
            params["got"] = kind_of(exc.args[3]) if len(exc.args) >= 4 else "other"
            return [Problem("input.type", path, params)]
        return [Problem("input.invalid", path, {**params, "detail": type(exc).__name__})]
    if isinstance(exc, RecursionError):
        return [Problem("input.too_deep", path)]
    detail = type(exc).__name__
    return [
        Problem(
            "input.invalid", path, {"field": label, "record_type": record_type, "detail": detail}
        )
    ]


def json_problem(reason: str, line: int | None, column: int | None) -> Problem:
    """Return the problem of a text that is not JSON, at ``line`` and ``column`` if known."""
    params = {"reason": reason}
    if line is not None and column is not None:
        params.update(line=str(line), column=str(column))
    return Problem("input.json", "$", params)


def violation(problem: Problem, lang: str, record: str | None) -> Violation:
    """Put ``problem`` into words in ``lang``."""
    params: dict[str, Any] = dict(problem.params)
    for name in ("expected", "got"):
        if name in params:
            params[name] = KINDS[params[name]].in_language(lang)
    if problem.code == "input.json":
        params["where"] = WHERE.in_language(lang).format_map(params) if "line" in params else ""
    message = MESSAGES.get(problem.code)
    if message is None:
        text, remedy = problem.fallback or problem.code, ""
    else:
        text, remedy = render(message, lang, params)
    return Violation(problem.code, problem.path, text, Severity.ERROR, record, remedy)
