"""Deployment settings of the case-management rules, with documented defaults.

The closure approval, the warning before a child comes of age and the age from which the
child's own assent is sought are **configuration, not law** (see ``docs/consent.md`` and
``docs/validation.md`` for the reasoning and the sources): a deployment sets its own under the
``case_rules`` key of its settings (:meth:`CaseRuleSettings.from_settings`).

>>> settings = CaseRuleSettings.from_settings({"case_rules": {"assent_from_age": 10}})
>>> settings.assent_from_age, sorted(risk.value for risk in settings.closure_approval_risks)
(10, ['high'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

import attrs

from wladna_core.errors import SettingsError
from wladna_core.model import RiskLevel

__all__ = [
    "DEFAULT_ASSENT_FROM_AGE",
    "DEFAULT_CLOSURE_APPROVAL_RISKS",
    "DEFAULT_TURNS_18_LEAD_DAYS",
    "SETTINGS_KEY",
    "CaseRuleSettings",
    "CaseRuleSettingsError",
]

#: The deployment setting that holds the case-management rule settings: ``{name: value}``.
SETTINGS_KEY: Final = "case_rules"
#: The risk levels at which closing a case needs a supervisor's approval, by default.
DEFAULT_CLOSURE_APPROVAL_RISKS: Final = frozenset({RiskLevel.HIGH})
#: How many days before a child's 18th birthday an active case is flagged, by default.
DEFAULT_TURNS_18_LEAD_DAYS: Final = 90
#: From what age the child's own assent is sought, by default (unverified: configuration).
DEFAULT_ASSENT_FROM_AGE: Final = 12

_RISKS: Final = ", ".join(level.value for level in RiskLevel)


class CaseRuleSettingsError(SettingsError):
    """A ``case_rules`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _key(name: str) -> str:
    return f"{SETTINGS_KEY}.{name}"


def _risks(value: object) -> frozenset[RiskLevel]:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, Iterable) and not isinstance(items, Mapping):
        found: set[RiskLevel] = set()
        for item in cast("Iterable[object]", items):
            if not isinstance(item, str) or item not in RiskLevel.__members__.values():
                break
            found.add(RiskLevel(item))
        else:
            return frozenset(found)
    raise CaseRuleSettingsError(
        _key("closure_approval_risks"),
        value,
        "it lists the risk levels at which closing a case needs a supervisor's approval",
        f"Write a list of risk levels among {_RISKS}, e.g. ['high'] (or [] for none).",
    )


def _whole(low: int, high: int, meaning: str, example: int) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise CaseRuleSettingsError(
                _key(attribute.name),
                value,
                f"it is {meaning}, a whole number from {low} to {high}",
                f"Write e.g. {example}.",
            )

    return check


@attrs.frozen
class CaseRuleSettings:
    """How the case-management rules and services behave in a deployment.

    :param closure_approval_risks: the risk levels at which a case worker's closure is a request
        that a supervisor of the body approves or declines; default ``high``.  An empty set lets
        every case close as a case worker asks.
    :param turns_18_lead_days: how many days before the child's 18th birthday an active case is
        flagged (rule ``case.child_turns_18``); default 90.
    :param assent_from_age: the age from which the child's own assent is sought alongside the
        caregiver's consent (rule ``case.assent_missing``); default 12, up to the age of
        majority.  Not fixed by a text we could find: configuration.
    :raises CaseRuleSettingsError: naming the setting at fault.
    """

    closure_approval_risks: frozenset[RiskLevel] = attrs.field(
        default=DEFAULT_CLOSURE_APPROVAL_RISKS, converter=_risks
    )
    turns_18_lead_days: int = attrs.field(
        default=DEFAULT_TURNS_18_LEAD_DAYS,
        validator=_whole(0, 3660, "a number of days before the 18th birthday", 90),
    )
    assent_from_age: int = attrs.field(
        default=DEFAULT_ASSENT_FROM_AGE,
        validator=_whole(0, 18, "the age from which the child's assent is sought", 12),
    )

    def needs_closure_approval(self, risk: RiskLevel) -> bool:
        """Return whether closing a case of ``risk`` needs a supervisor's approval."""
        return risk in self.closure_approval_risks

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> CaseRuleSettings:
        """Read the settings under ``case_rules`` over the defaults; other keys are ignored.

        :raises CaseRuleSettingsError: for a section that is not a mapping, an unknown name or
            an unusable value.
        """
        section = settings.get(SETTINGS_KEY) if isinstance(settings, Mapping) else None
        if section is None:
            return cls()
        names = [field.name for field in attrs.fields(cls)]
        if not isinstance(section, Mapping):
            raise CaseRuleSettingsError(
                SETTINGS_KEY,
                section,
                "it must map setting names to values",
                f"Use the names {', '.join(names)}.",
            )
        for name in section:
            if name not in names:
                raise CaseRuleSettingsError(
                    _key(str(name)),
                    name,
                    "not a case rule setting",
                    f"Use one of: {', '.join(names)}.",
                )
        return cls(**{str(name): value for name, value in section.items()})
