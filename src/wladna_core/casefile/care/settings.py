"""The deployment's settings of the care-arrangement rules (configuration, not law).

A deployment sets them under the ``care`` key of its settings:

>>> CareSettings.from_settings({"care": {"independent_from_age": 15}}).independent_from_age
15
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from wladna_core.errors import SettingsError

__all__ = ["DEFAULT_INDEPENDENT_FROM_AGE", "SETTINGS_KEY", "CareSettings", "CareSettingsError"]

#: The deployment setting that holds the care settings: ``{name: value}``.
SETTINGS_KEY: Final = "care"
#: The age under which a child living independently is flagged, by default.  Unverified: no
#: Moroccan text we could find sets such an age; a deployment sets its own.
DEFAULT_INDEPENDENT_FROM_AGE: Final = 16


class CareSettingsError(SettingsError):
    """A ``care`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _age(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 18:
        raise CareSettingsError(
            f"{SETTINGS_KEY}.{attribute.name}",
            value,
            "it is the age under which a child living independently is flagged, a whole "
            "number from 0 to 18",
            "Write e.g. 16.",
        )


@attrs.frozen
class CareSettings:
    """How the care-arrangement rules behave in a deployment.

    :param independent_from_age: under this age (on the day it starts), a child living
        independently is flagged (rule ``care.independent_under_age``); default 16,
        unverified.
    :raises CareSettingsError: naming the setting at fault.
    """

    independent_from_age: int = attrs.field(default=DEFAULT_INDEPENDENT_FROM_AGE, validator=_age)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> CareSettings:
        """Read the settings under ``care`` over the defaults.

        :raises CareSettingsError: for a section that is not a mapping, an unknown name or an
            unusable value.
        """
        section = settings.get(SETTINGS_KEY) if isinstance(settings, Mapping) else None
        if section is None:
            return cls()
        names = [field.name for field in attrs.fields(cls)]
        if not isinstance(section, Mapping):
            raise CareSettingsError(
                SETTINGS_KEY, section, "it must map setting names to values", f"Use {names}."
            )
        for name in section:
            if name not in names:
                raise CareSettingsError(
                    f"{SETTINGS_KEY}.{name}", name, "not a care setting", f"Use one of {names}."
                )
        return cls(**{str(name): value for name, value in section.items()})
