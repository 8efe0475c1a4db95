"""Deployment settings of the training programme, with documented defaults.

The defaults are **configuration, not rules of the ministry**: a deployment sets its own under
the ``training`` key of its settings (:meth:`TrainingSettings.from_settings`).

>>> settings = TrainingSettings.from_settings({"training": {"attendance_threshold": 0.75}})
>>> settings.attendance_threshold, settings.min_group_size
(0.75, 5)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from wladna_core.errors import SettingsError
from wladna_core.training.enums import InternetAccess

__all__ = [
    "SETTINGS_KEY",
    "RequiredUnitsMode",
    "TrainingSettings",
    "TrainingSettingsError",
]

#: The deployment setting that holds the training settings: ``{name: value}``.
SETTINGS_KEY: Final = "training"


class TrainingSettingsError(SettingsError):
    """A ``training`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _key(name: str) -> str:
    return f"{SETTINGS_KEY}.{name}"


def _share(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise TrainingSettingsError(
            _key(attribute.name),
            value,
            "it is the share of a session's days a participant must attend, above 0 and at most 1",
            "Write it as a number such as 0.8 (four days out of five).",
        )


def _at_least_one(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TrainingSettingsError(
            _key(attribute.name), value, "it must be a whole number of 1 or more", "Write e.g. 5."
        )


def _score(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 5:
        raise TrainingSettingsError(
            _key(attribute.name),
            value,
            "it is a mean rating on the scale of 1 to 5",
            "Write a number from 1 to 5, such as 3.",
        )


def _access(value: object) -> InternetAccess:
    if isinstance(value, InternetAccess):
        return value
    if isinstance(value, str) and value in set(InternetAccess):
        return InternetAccess(value)
    raise TrainingSettingsError(
        _key("remote_access"),
        value,
        "it is the least Internet access a site needs for remote participation",
        f"Write one of: {', '.join(access.value for access in InternetAccess)}.",
    )


class RequiredUnitsMode(enum.StrEnum):
    """What happens when a person writes casework without the units their role requires."""

    #: The write goes ahead; the services' outcome carries a warning naming the units to take.
    WARN = "warn"
    #: The write is refused, naming the units to take.
    ENFORCE = "enforce"


def _required_units(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Read ``{"case_worker": ["BI-01"]}``: the codes of the units each role must complete."""
    from wladna_core.access import Role  # noqa: PLC0415 (access imports the audit, not us)

    if isinstance(value, tuple):
        return value
    roles = ", ".join(role.value for role in Role)
    if not isinstance(value, Mapping):
        raise TrainingSettingsError(
            _key("required_units"),
            value,
            "it maps a role to the codes of the units the role must complete",
            'Write it as {"case_worker": ["BI-01"]}.',
        )
    found: list[tuple[str, tuple[str, ...]]] = []
    for role, codes in value.items():
        if role not in {item.value for item in Role}:
            raise TrainingSettingsError(
                _key(f"required_units.{role}"),
                codes,
                "there is no such role",
                f"Use one of: {roles}.",
            )
        single = isinstance(codes, str) or not isinstance(codes, Iterable)
        listed = (codes,) if single else tuple(codes)
        if not all(isinstance(code, str) and code.strip() for code in listed):
            raise TrainingSettingsError(
                _key(f"required_units.{role}"),
                listed,
                "it lists the codes of training units, as text",
                'Write e.g. ["BI-01"].',
            )
        found.append((str(role), tuple(dict.fromkeys(listed))))
    return tuple(sorted(found))


def _mode(value: object) -> RequiredUnitsMode:
    if isinstance(value, str) and value in {mode.value for mode in RequiredUnitsMode}:
        return RequiredUnitsMode(value)
    raise TrainingSettingsError(
        _key("required_units_mode"),
        value,
        "it says whether missing units warn or refuse the writing of casework",
        "Write warn or enforce.",
    )


@attrs.frozen
class TrainingSettings:
    """How the rules, the planner and the analysis of the training programme behave.

    :param attendance_threshold: the share of a session's days a participant must attend to
        complete it (rule ``training.completion_without_attendance``); default 0.8.
    :param min_group_size: the fewest evaluations a group may have to be shown in a report; a
        smaller group is suppressed so that no evaluation can be singled out; default 5, the
        threshold of the casework reports.
    :param low_score: a group whose mean rating, overall or on a criterion, is below it is
        listed among the low scores of the next cycle; default 3 (acceptable).
    :param remote_capacity: the most participants the planner puts in one remote session;
        default 80, the size of the sessions of the 2020 programme.
    :param in_person_capacity: the most participants the planner puts in one room, whatever
        its seats; default 30.
    :param remote_access: the least Internet access a site needs for its staff to take part
        remotely; default ``broadband`` (a shared mobile connection rarely carries a day of
        video for several people).
    :param hours_per_day: the hours of training in a day, to turn a unit's duration into days;
        default 6.
    :param required_units: the codes of the units a person must have completed, by role
        (:class:`~wladna_core.access.Role` values), before writing casework — e.g.
        ``{"case_worker": ["BI-01"]}``; none by default.  **A deployment's choice**: the
        ministry's description of the programme names no such list.
    :param required_units_mode: :attr:`RequiredUnitsMode.WARN` (the default: the write goes
        ahead with a warning) or :attr:`RequiredUnitsMode.ENFORCE` (it is refused).
    :raises TrainingSettingsError: for a value out of its range, naming the setting.
    """

    attendance_threshold: float = attrs.field(default=0.8, validator=_share)
    min_group_size: int = attrs.field(default=5, validator=_at_least_one)
    low_score: float = attrs.field(default=3.0, validator=_score)
    remote_capacity: int = attrs.field(default=80, validator=_at_least_one)
    in_person_capacity: int = attrs.field(default=30, validator=_at_least_one)
    remote_access: InternetAccess = attrs.field(default=InternetAccess.BROADBAND, converter=_access)
    hours_per_day: int = attrs.field(default=6, validator=_at_least_one)
    required_units: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        default=(), converter=_required_units
    )
    required_units_mode: RequiredUnitsMode = attrs.field(
        default=RequiredUnitsMode.WARN, converter=_mode
    )

    def units_required_of(self, roles: Iterable[str]) -> tuple[str, ...]:
        """Return the codes of the units required of a person holding ``roles``, in order."""
        wanted = {str(role) for role in roles}
        found: dict[str, None] = {}
        for role, codes in self.required_units:
            if role in wanted:
                found.update(dict.fromkeys(codes))
        return tuple(found)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> TrainingSettings:
        """Read the settings under ``settings["training"]``, over the defaults.

        :raises TrainingSettingsError: when ``training`` is not a mapping, names an unknown
            setting, or gives a value out of range.
        """
        given = settings.get(SETTINGS_KEY, {})
        if not isinstance(given, Mapping):
            raise TrainingSettingsError(
                SETTINGS_KEY,
                given,
                "it must map setting names to values",
                'Write it as {"attendance_threshold": 0.8}.',
            )
        known = {field.name for field in attrs.fields(cls)}
        for name in given:
            if name not in known:
                raise TrainingSettingsError(
                    _key(str(name)),
                    given[name],
                    "there is no such training setting",
                    f"Use one of: {', '.join(sorted(known))}.",
                )
        return cls(**{str(name): value for name, value in given.items()})
