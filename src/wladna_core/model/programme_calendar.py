"""When each public social programme was in force, and which programme replaced it.

Programmes change over time: direct social support (ASD, Law 58-23) replaced Tayssir and the
earlier cash programmes at the end of 2023.  A referral is judged on the programmes in force on
the day it is made, so a referral to Tayssir made in 2021 is sound and one made in 2026 is not.

Every period says where its dates come from (``source``) and whether they were checked against a
public source (``verified``).  Unverified dates are **configuration**: a deployment confirms or
corrects them (:meth:`ProgrammeCalendar.with_changes`), and the rules that rest on them only
warn.  The sources are listed in the documentation (``docs/programmes.md``).

>>> from datetime import date
>>> tayssir = PROGRAMME_CALENDAR.period(SocialProgramme.TAYSSIR)
>>> tayssir.in_force(date(2021, 3, 1)), tayssir.in_force(date(2026, 3, 1))
(True, False)
>>> tayssir.successor
<SocialProgramme.ASD: 'asd'>
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import date
from typing import Final, cast

import attrs

from wladna_core.model import _checks as check
from wladna_core.model.enums import SocialProgramme

__all__ = ["PROGRAMME_CALENDAR", "ProgrammeCalendar", "ProgrammePeriod"]


def _check_order(instance: ProgrammePeriod, _attribute: object, value: date | None) -> None:
    if value is not None and instance.valid_from is not None and value < instance.valid_from:
        msg = f"valid_to {value} is before valid_from {instance.valid_from}"
        raise ValueError(msg)


@attrs.frozen
class ProgrammePeriod:
    """The days a programme was in force, and what replaced it.

    :param programme: the programme.
    :param valid_from: the first day it was in force, or ``None`` when not known.
    :param valid_to: the last day it was in force, or ``None`` while it is in force.
    :param successor: the programme that took over from it, when it ended.
    :param source: where the dates come from.
    :param verified: whether the dates were checked against a public source; unverified
        dates are configuration and the rules resting on them only warn.
    """

    programme: SocialProgramme = attrs.field(validator=check.member_of(SocialProgramme))
    valid_from: date | None = attrs.field(default=None, validator=check.optional_date)
    valid_to: date | None = attrs.field(default=None, validator=[check.optional_date, _check_order])
    successor: SocialProgramme | None = attrs.field(
        default=None, validator=check.optional_member_of(SocialProgramme)
    )
    source: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    verified: bool = attrs.field(default=False, validator=check.a_bool)

    def in_force(self, on: date) -> bool:
        """Return whether the programme was in force on ``on`` (an unknown start is open)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to


def _frozen_periods(value: object) -> Mapping[SocialProgramme, ProgrammePeriod]:
    return types.MappingProxyType(dict(cast("Mapping[SocialProgramme, ProgrammePeriod]", value)))


def _check_periods(
    _instance: object, _attribute: object, value: Mapping[SocialProgramme, ProgrammePeriod]
) -> None:
    for programme, period in value.items():
        if not isinstance(cast("object", period), ProgrammePeriod):
            msg = f"the period of {programme} must be a ProgrammePeriod, got {period!r}"
            raise TypeError(msg)
        if period.programme is not programme:
            msg = f"the period filed under {programme} is about {period.programme}"
            raise ValueError(msg)


@attrs.frozen
class ProgrammeCalendar:
    """The periods of the programmes, by programme; a programme not listed is always in force.

    :param periods: the period of each programme that has one.
    """

    periods: Mapping[SocialProgramme, ProgrammePeriod] = attrs.field(
        converter=_frozen_periods, validator=_check_periods, hash=False
    )

    def period(self, programme: SocialProgramme) -> ProgrammePeriod:
        """Return the period of ``programme`` (open on both ends when none is listed)."""
        found = self.periods.get(programme)
        return found if found is not None else ProgrammePeriod(programme, verified=True)

    def in_force(self, programme: SocialProgramme, on: date) -> bool:
        """Return whether ``programme`` was in force on ``on``."""
        return self.period(programme).in_force(on)

    def replacement(self, programme: SocialProgramme, on: date) -> SocialProgramme | None:
        """Return the programme in force on ``on`` that took over from ``programme``, if any.

        Follows successors (A replaced by B, B replaced by C) until one is in force on the date.
        """
        seen = {programme}
        current = self.period(programme).successor
        while current is not None and current not in seen:
            if self.in_force(current, on):
                return current
            seen.add(current)
            current = self.period(current).successor
        return None

    def with_changes(self, periods: Mapping[SocialProgramme, ProgrammePeriod]) -> ProgrammeCalendar:
        """Return a calendar where ``periods`` replace the periods of their programmes."""
        return ProgrammeCalendar({**self.periods, **periods})


_ASD_START: Final = date(2023, 12, 1)
_ASD_SOURCE: Final = (
    "Law 58-23 on the direct social support scheme, promulgated by Dahir 1-23-87 of "
    "30 November 2023 and published in Bulletin officiel 7253 of 4 December 2023; payments "
    "from December 2023 (Head of Government before Parliament, 23 October 2023)"
)
_REPLACED_BY_ASD: Final = (
    "replaced by direct social support (Law 58-23) from December 2023; the exact last day "
    "is not confirmed by a public source: set by the deployment"
)

#: The shipped calendar.  Only ASD's start is verified; the end of the programmes it replaced
#: is the end of 2023 by default, **unverified** until a deployment confirms it.
PROGRAMME_CALENDAR: Final = ProgrammeCalendar(
    {
        SocialProgramme.ASD: ProgrammePeriod(
            SocialProgramme.ASD, valid_from=_ASD_START, source=_ASD_SOURCE, verified=True
        ),
        SocialProgramme.TAYSSIR: ProgrammePeriod(
            SocialProgramme.TAYSSIR,
            valid_from=date(2008, 9, 1),
            valid_to=date(2023, 12, 31),
            successor=SocialProgramme.ASD,
            source=(
                "launched in the 2008-2009 school year (Ministry of Economy and Finance, "
                "Direction du Budget, social impact evaluation of Tayssir, 2022); "
                + _REPLACED_BY_ASD
            ),
            verified=False,
        ),
        SocialProgramme.DAAM: ProgrammePeriod(
            SocialProgramme.DAAM,
            valid_from=date(2015, 9, 1),
            valid_to=date(2023, 12, 31),
            successor=SocialProgramme.ASD,
            source=(
                "direct support to widows in precarity with orphan children, deployed in "
                "September 2015 (Ministry of Economy and Finance, social impact study of "
                "DAAM, 2023); " + _REPLACED_BY_ASD
            ),
            verified=False,
        ),
        SocialProgramme.FAMILY_SUPPORT_FUND: ProgrammePeriod(
            SocialProgramme.FAMILY_SUPPORT_FUND,
            valid_to=date(2023, 12, 31),
            successor=SocialProgramme.ASD,
            source="start not confirmed by a public source; " + _REPLACED_BY_ASD,
            verified=False,
        ),
    }
)
