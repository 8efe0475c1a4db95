"""The rule engine: rules, rule sets, and :func:`validate`.

A :class:`Rule` checks one kind of record (its :attr:`~Rule.entity`) against a date and, when it
needs them, other records from a :class:`~wladna_core.rules.Context`.  Its check yields a
:class:`Finding` for each problem: where it is (a JSON-path-like ``path``) and the values its
message needs.  :func:`validate` runs every rule that applies and turns each finding into a
:class:`~wladna_core.errors.Violation` in the language asked for.

Write a rule with the :func:`rule` decorator::

    @rule(
        "child.nickname_only",
        entity=Child,
        severity=Severity.WARNING,
        description="An identified child is known by a nickname only.",
        message=Message(message=Text(...), remedy=Text(...)),
    )
    def nickname_only(child: Child, ctx: Context) -> Iterator[Finding]:
        if not child.unidentified and child.given_name is None and child.nickname:
            yield Finding("$.given_name")
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
import types
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final, TypeVar, cast

import attrs

from wladna_core.errors import Severity, Violation, WladnaError
from wladna_core.messages import LANGUAGES, Message, render
from wladna_core.model import RECORD_TYPES
from wladna_core.rules.context import Context

__all__ = [
    "Finding",
    "Rule",
    "RuleError",
    "RuleSet",
    "Validator",
    "catalogue",
    "record_label",
    "rule",
    "validate",
]

_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_NUMBERS = re.compile(r"(\d+)")
_SEVERITY_ORDER: Final[Mapping[Severity, int]] = {Severity.ERROR: 0, Severity.WARNING: 1}

_R = TypeVar("_R")
#: What a rule's check is: given a record and a context, yield the problems found.
Check = Callable[[Any, Context], Iterable["Finding"]]


class RuleError(WladnaError, RuntimeError):
    """A rule failed while checking a record (a bug in the rule, not a problem of the record).

    :param code: the code of the rule that failed.
    :param record: which record it was checking, e.g. ``Case 0193...``.
    :param reason: what went wrong, e.g. the exception the rule raised.
    """

    def __init__(self, code: str, record: str, reason: str) -> None:
        self.code = code
        self.record = record
        self.reason = reason
        super().__init__(f"rule {code!r} failed while checking {record}: {reason}")

    def __reduce__(self) -> tuple[type[RuleError], tuple[str, str, str]]:
        return (type(self), (self.code, self.record, self.reason))


def _frozen_params(value: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(value))


@attrs.frozen
class Finding:
    """One problem a rule found in a record.

    :param path: where in the record, JSON-path-like: ``$`` for the record itself,
        ``$.members[2].birth_date`` for a field of a list item.
    :param params: values for the rule's message templates (``{age}``...); read-only.
    """

    path: str = attrs.field(default="$", validator=attrs.validators.instance_of(str))
    params: Mapping[str, object] = attrs.field(
        factory=dict, converter=_frozen_params, hash=False, repr=lambda p: repr(dict(p))
    )

    @path.validator
    def _check_path(self, _attribute: attrs.Attribute[str], value: str) -> None:
        if not value.startswith("$"):
            msg = f"a finding's path starts with '$', got {value!r}"
            raise ValueError(msg)


def _check_code(_instance: object, _attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        msg = (
            "a rule code is lower-case dotted words such as 'child.adult' or "
            f"'myplugin.consent_expired', got {value!r}"
        )
        raise ValueError(msg)


def _check_description(_instance: object, _attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        msg = f"a rule's description is one non-blank line of English, got {value!r}"
        raise ValueError(msg)


def _to_needs(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        msg = f"needs is a collection of names such as {{'children'}}, not the string {value!r}"
        raise TypeError(msg)
    return frozenset(value)


@attrs.frozen
class Rule:
    """A validation rule: one check of one kind of record, with its code and messages.

    :param code: stable, documented code such as ``child.adult``; plug-ins prefix theirs with
        their own name (``myplugin.consent_expired``).
    :param severity: :attr:`Severity.ERROR` refuses the record, :attr:`Severity.WARNING` asks a
        person to look.
    :param entity: the record class the rule applies to (and its subclasses).
    :param description: one line of English for the rule catalogue.
    :param message: what a violation says and what to do, in English, French and Arabic; its
        templates are filled with each finding's ``params``.
    :param check: ``(record, context) -> Iterable[Finding]``; yields nothing when all is well.
        The date of validation is ``context.on``; a check never reads the wall clock.
    :param needs: what of the context the check reads (e.g. ``{"children"}``, see
        :data:`~wladna_core.rules.context.NEEDS`); the rule does not run when the context does
        not provide all of it.
    """

    code: str = attrs.field(validator=_check_code)
    severity: Severity = attrs.field(validator=attrs.validators.instance_of(Severity))
    entity: type = attrs.field(validator=attrs.validators.instance_of(type))
    description: str = attrs.field(validator=_check_description)
    message: Message = attrs.field(validator=attrs.validators.instance_of(Message))
    check: Check = attrs.field(validator=attrs.validators.is_callable(), repr=False)
    needs: frozenset[str] = attrs.field(default=frozenset(), converter=_to_needs)

    def runs_with(self, context: Context) -> bool:
        """Return whether ``context`` provides everything this rule needs."""
        return all(context.provides(need) for need in self.needs)

    def __reduce__(self) -> tuple[Any, ...]:
        # A decorated rule replaces its function in the module: pickle it by that name.
        module = getattr(self.check, "__module__", None)
        name = getattr(self.check, "__qualname__", None)
        if module and name and _named_rule(module, name) is self:
            return (_named_rule, (module, name))
        fields = (self.code, self.severity, self.entity, self.description, self.message)
        return (Rule, (*fields, self.check, self.needs))

    @property
    def origin(self) -> str:
        """Where the check is defined (``module.function``), to tell rules apart in errors."""
        module = getattr(self.check, "__module__", None) or "?"
        name = getattr(self.check, "__qualname__", None) or type(self.check).__name__
        return f"{module}.{name}"


def _named_rule(module: str, name: str) -> object:
    """Return the object ``module.name`` names, or ``None``."""
    found: object = sys.modules.get(module) or importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part, None)
    return found


def rule(
    code: str,
    *,
    entity: type[_R],
    severity: Severity = Severity.ERROR,
    description: str,
    message: Message,
    needs: Iterable[str] = (),
) -> Callable[[Callable[[_R, Context], Iterable[Finding]]], Rule]:
    """Turn a check function ``(record, context) -> Iterator[Finding]`` into a :class:`Rule`.

    The decorated name is bound to the :class:`Rule`; the function stays reachable as
    :attr:`Rule.check`.  See :class:`Rule` for the meaning of each argument.
    """

    def decorate(check: Callable[[_R, Context], Iterable[Finding]]) -> Rule:
        return Rule(
            code=code,
            severity=severity,
            entity=entity,
            description=description,
            message=message,
            check=check,
            needs=frozenset(needs),
        )

    return decorate


class RuleSet(Collection[Rule]):
    """An immutable collection of rules, each with its own code; iterates in order of code.

    :raises ValueError: if two rules share a code; the message names where both are defined.
    """

    __slots__ = ("_by_code", "_by_entity")

    _by_code: Mapping[str, Rule]
    # The rules of each record class asked for, found once: a store asks for every record.
    _by_entity: dict[type, tuple[Rule, ...]]

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        by_code: dict[str, Rule] = {}
        # Plug-ins hand rules in at run time: check what the types promise.
        for item in cast("Iterable[object]", rules):
            if not isinstance(item, Rule):
                msg = f"a RuleSet holds Rule objects, got {type(item).__name__}"
                raise TypeError(msg)
            earlier = by_code.get(item.code)
            if earlier is not None and earlier is not item:
                msg = (
                    f"two rules have the code {item.code!r}: {earlier.origin} and "
                    f"{item.origin}; give one of them another code"
                )
                raise ValueError(msg)
            by_code[item.code] = item
        object.__setattr__(self, "_by_code", dict(sorted(by_code.items())))
        object.__setattr__(self, "_by_entity", {})

    @classmethod
    def builtin(cls) -> RuleSet:
        """Return the set of built-in rules (see :mod:`wladna_core.rules.builtin`)."""
        return _builtin_rule_set()

    def with_rules(self, more: Iterable[Rule]) -> RuleSet:
        """Return a new set with ``more`` rules added; a code already used raises ValueError."""
        return RuleSet((*self, *more))

    def for_entity(self, entity: type) -> tuple[Rule, ...]:
        """Return the rules that apply to records of class ``entity``, in order of code."""
        found = self._by_entity.get(entity)
        if found is None:
            found = tuple(item for item in self if issubclass(entity, item.entity))
            self._by_entity[entity] = found
        return found

    def get(self, code: str) -> Rule | None:
        """Return the rule with this code, or ``None`` if there is none."""
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Rule:
        return self._by_code[code]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Rule):
            return self._by_code.get(item.code) is item
        return isinstance(item, str) and item in self._by_code

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"<RuleSet of {len(self)} rules>"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a RuleSet is immutable; use with_rules() (set {name!r})")

    def __reduce__(self) -> tuple[type[RuleSet], tuple[tuple[Rule, ...]]]:
        return (type(self), (tuple(self),))


@functools.cache
def _builtin_rule_set() -> RuleSet:
    from wladna_core.rules.builtin import BUILTIN_RULES  # noqa: PLC0415 (builtin imports us)

    return RuleSet(BUILTIN_RULES)


def catalogue() -> tuple[Rule, ...]:
    """Return the built-in rules, in order of code (the documented rule catalogue)."""
    return tuple(_builtin_rule_set())


def record_label(record: object) -> str:
    """Return how violations name ``record``: its class name and id (``Case 0193...``)."""
    record_id = getattr(record, "id", None)
    name = type(record).__name__
    return f"{name} {record_id}" if record_id is not None else name


def _path_key(path: str) -> list[str | int]:
    # Natural order: $.members[2] before $.members[10].
    parts = _NUMBERS.split(path)
    return [int(part) if index % 2 else part for index, part in enumerate(parts)]


def _sort_key(violation: Violation) -> tuple[int, list[str | int], str]:
    return (_SEVERITY_ORDER[violation.severity], _path_key(violation.path), violation.code)


def _failed(item: Rule, label: str, exc: Exception) -> RuleError:
    # A broken rule must never pass for a valid record: stop, naming the rule.
    return RuleError(item.code, label, f"{type(exc).__name__}: {exc}")


class Validator:
    """The rules of one record class, made ready to check many records on one day.

    :func:`validate` checks one record; a bulk load checks thousands against the same rules,
    context and day.  A validator finds once what :func:`validate` finds for each record — the
    rules of the class, the context dated, which rules the context lets run — and then checks
    each record with :meth:`check`, whose answer is exactly :func:`validate`'s.

    :param record_type: the class of the records to check.
    :param on: the date of validation.
    :param context: other records the cross-record rules need (see :func:`validate`).
    :param rules: the rules to run; the built-in rules when omitted.
    :raises TypeError: if ``on`` is not a date, or no rule knows ``record_type``.
    """

    __slots__ = ("_active", "_context")

    def __init__(
        self,
        record_type: type,
        *,
        on: date,
        context: Context | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        when = cast("object", on)
        if not isinstance(when, date) or isinstance(when, datetime):
            msg = f"on must be a date, got {type(when).__name__}"
            raise TypeError(msg)
        rule_set = RuleSet.builtin() if rules is None else rules
        applicable = rule_set.for_entity(record_type)
        if not applicable and not issubclass(record_type, RECORD_TYPES):
            known = ", ".join(kind.__name__ for kind in RECORD_TYPES)
            msg = f"cannot validate a {record_type.__name__}; records are {known}"
            raise TypeError(msg)
        self._context = (context if context is not None else Context()).as_of(on)
        self._active = tuple(item for item in applicable if item.runs_with(self._context))

    def __repr__(self) -> str:
        return f"<Validator of {len(self._active)} rules on {self._context.on.isoformat()}>"

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules that run: those of the class whose needs the context provides."""
        return self._active

    def check(self, record: object, *, lang: str = "en") -> list[Violation]:
        """Return the violations of ``record``, as :func:`validate` returns them.

        :raises ValueError: for an unknown ``lang``.
        :raises RuleError: if a rule fails; it names the rule's code.
        """
        if lang not in LANGUAGES:
            msg = f"unknown language {lang!r}; messages exist in {', '.join(LANGUAGES)}"
            raise ValueError(msg)
        context = self._context
        violations: list[Violation] = []
        label: str | None = None
        for item in self._active:
            try:
                found = item.check(record, context)
                # Most records break no rule: nothing is built for a rule that finds nothing.
                findings = found if isinstance(found, (tuple, list)) else list(found)
            except Exception as exc:
                raise _failed(item, label or record_label(record), exc) from exc
            if not findings:
                continue
            label = label or record_label(record)
            for finding in findings:
                if not isinstance(finding, Finding):
                    reason = f"its check yielded a {type(finding).__name__}, not a Finding"
                    raise RuleError(item.code, label, reason)
                text, remedy = render(item.message, lang, finding.params)
                violations.append(
                    Violation(
                        code=item.code,
                        path=finding.path,
                        message=text,
                        severity=item.severity,
                        record=label,
                        remedy=remedy,
                    )
                )
        violations.sort(key=_sort_key)
        return violations


def validate(
    record: object,
    *,
    on: date,
    context: Context | None = None,
    lang: str = "en",
    rules: RuleSet | None = None,
) -> list[Violation]:
    """Check ``record`` against every rule for its class; return all violations found.

    :param record: a :class:`~wladna_core.model.Child`, :class:`~wladna_core.model.Family`,
        :class:`~wladna_core.model.Case`, :class:`~wladna_core.model.Referral` or
        :class:`~wladna_core.model.TerritorialBody` (or a class a rule in ``rules`` names).
    :param on: the date of validation, what rules take as "today" (ages, dates in the future).
    :param context: other records the cross-record rules need; a rule whose needs the context
        does not provide is skipped.  Without one, only the gazetteer is known.
    :param lang: language of messages and remedies: ``en``, ``fr`` or ``ar``.
    :param rules: the rules to run; the built-in rules when omitted.
    :returns: every violation, errors first, then by path (in natural order) and code.  An
        empty list means no rule found a problem.
    :raises ValueError: for an unknown ``lang``.
    :raises TypeError: if ``on`` is not a date, or no rule knows the record's class.
    :raises RuleError: (a :class:`RuntimeError`) if a rule fails; it names the rule's code.

    To check many records of one class on one day, make a :class:`Validator` once.
    """
    if lang not in LANGUAGES:
        msg = f"unknown language {lang!r}; messages exist in {', '.join(LANGUAGES)}"
        raise ValueError(msg)
    return Validator(type(record), on=on, context=context, rules=rules).check(record, lang=lang)
