"""Errors and the violation vocabulary shared by every layer.

A :class:`Violation` is how the library speaks of anything wrong with a record, whether the
converter found it at the edge (wrong type, unknown key), an invariant refused it at construction,
or a rule found it against a date or other records.  :class:`InvalidRecord` carries every violation
found at once, so that a user can mend a record in one pass.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "InvalidRecord",
    "InvariantError",
    "SettingsError",
    "Severity",
    "UnknownTerritory",
    "Violation",
    "WladnaError",
]


class WladnaError(Exception):
    """Base class of every error raised on purpose by wladna_core."""


class SettingsError(WladnaError, ValueError):
    """A deployment setting is not usable.

    :param key: the setting at fault, e.g. ``deadlines.plan_review.high``.
    :param value: the value found there.
    :param reason: what is wrong with it.
    :param remedy: what to write instead.
    """

    def __init__(self, key: str, value: object, reason: str, remedy: str) -> None:
        self.key = key
        self.value = value
        self.reason = reason
        self.remedy = remedy
        super().__init__(f"setting {key} = {value!r}: {reason}. {remedy}")

    def __reduce__(self) -> tuple[type[SettingsError], tuple[str, object, str, str]]:
        return (type(self), (self.key, self.value, self.reason, self.remedy))


class Severity(enum.StrEnum):
    """How serious a violation is.

    ``error`` refuses the record; ``warning`` lets it in and asks a person to look.
    """

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Violation:
    """One problem found in one record.

    :param code: stable, documented code such as ``child.adult`` or ``input.missing``.
    :param path: JSON-path-like location inside the record, ``$`` for the record itself,
        e.g. ``$.members[2].birth_date``.
    :param message: a sentence for a person, in the language that was asked for.
    :param severity: :attr:`Severity.ERROR` or :attr:`Severity.WARNING`.
    :param record: which record, e.g. ``Case 01934b7e-...``, when it is known.
    :param remedy: what to do about it, in the same language as ``message``.
    """

    code: str
    path: str
    message: str
    severity: Severity = Severity.ERROR
    record: str | None = None
    remedy: str = ""

    @property
    def is_error(self) -> bool:
        """Whether this violation refuses the record."""
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.record} " if self.record else ""
        text = f"{self.severity.value}: {where}{self.path} [{self.code}] {self.message}"
        if self.remedy:
            text += f" {self.remedy}"
        return text


class InvalidRecord(WladnaError, ValueError):
    """A record was refused; :attr:`violations` says every reason, each with its path and code.

    Raised by the converter on bad input and by stores when a record breaks an error-level rule.
    Nothing is written when it is raised.
    """

    def __init__(self, record_type: str, violations: Iterable[Violation]) -> None:
        self.record_type = record_type
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.violations)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid {self.record_type}: {count} {noun}"]
        lines.extend(f"  - {violation}" for violation in self.violations)
        return "\n".join(lines)

    @property
    def codes(self) -> frozenset[str]:
        """The distinct violation codes, convenient in tests and error handlers."""
        return frozenset(violation.code for violation in self.violations)

    def __reduce__(self) -> tuple[type[InvalidRecord], tuple[str, tuple[Violation, ...]]]:
        return (type(self), (self.record_type, self.violations))


class InvariantError(WladnaError, ValueError):
    """An object could not be built because it would break one of its invariants.

    :param code: the stable code of the broken invariant, e.g. ``closure.before_opening``.
    :param message: an English sentence saying what is wrong and how to mend it.
    :param field: the attribute at fault, when there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.code = code
        self.message = message
        self.field = field
        super().__init__(f"[{code}] {message}")

    def __reduce__(self) -> tuple[type[InvariantError], tuple[str, str, str | None]]:
        return (type(self), (self.code, self.message, self.field))


class UnknownTerritory(WladnaError, LookupError):
    """A territory code is not in the gazetteer.

    :param code: the code that was looked up.
    :param hint: what to do, e.g. the list of known levels or a close match.
    """

    def __init__(self, code: str, hint: str = "") -> None:
        self.code = code
        message = f"unknown territory code {code!r}"
        if hint:
            message += f": {hint}"
        super().__init__(message)

    def __reduce__(self) -> tuple[type[UnknownTerritory], tuple[str]]:
        return (type(self), (self.code,))
