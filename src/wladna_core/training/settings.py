"""Deployment settings of the training programme, with documented defaults.

The defaults are **configuration, not rules of the ministry**: a deployment sets its own under
the ``training`` key of its settings (:meth:`TrainingSettings.from_settings`).

>>> settings = TrainingSettings.from_settings({"training": {"attendance_threshold": 0.75}})
>>> settings.attendance_threshold, settings.min_group_size
(0.75, 5)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from wladna_core.errors import SettingsError
from wladna_core.training.enums import InternetAccess

__all__ = ["SETTINGS_KEY", "TrainingSettings", "TrainingSettingsError"]

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
    :raises TrainingSettingsError: for a value out of its range, naming the setting.
    """

    attendance_threshold: float = attrs.field(default=0.8, validator=_share)
    min_group_size: int = attrs.field(default=5, validator=_at_least_one)
    low_score: float = attrs.field(default=3.0, validator=_score)
    remote_capacity: int = attrs.field(default=80, validator=_at_least_one)
    in_person_capacity: int = attrs.field(default=30, validator=_at_least_one)
    remote_access: InternetAccess = attrs.field(default=InternetAccess.BROADBAND, converter=_access)
    hours_per_day: int = attrs.field(default=6, validator=_at_least_one)

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
