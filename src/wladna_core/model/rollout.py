"""Where the Wladna territorial bodies and their information base were rolled out, and when.

The integrated territorial bodies (DTIPE) were first set up in eight pilot provinces and
prefectures, the information base was tested in Salé, and the programme was then to reach the
support centres of ten regions in 2021 before every province.  :data:`WLADNA_ROLLOUT` lists
these steps with the source of each; a step no public source confirmed is marked unverified and
is configuration (:meth:`Rollout.with_step`), never a rule's ground for refusing anything.

>>> [step.name for step in WLADNA_ROLLOUT.phases_of("MA-SAL")]
['pilot_provinces', 'information_base_test']
>>> [step.name for step in WLADNA_ROLLOUT.phases_of("MA-OUA")]
['generalisation']
>>> WLADNA_ROLLOUT.step("regions_2021").verified
False
"""

from __future__ import annotations

from datetime import date
from typing import Final

import attrs

from wladna_core.model import _checks as check

__all__ = ["PILOT_PROVINCES", "WLADNA_ROLLOUT", "Rollout", "RolloutStep"]

#: The eight pilot provinces and prefectures of the territorial bodies: Rabat, Salé, Agadir,
#: Casablanca (Casablanca-Anfa), Tanger, Marrakech, Meknès and Laâyoune.
PILOT_PROVINCES: Final = (
    "MA-RAB",
    "MA-SAL",
    "MA-AGD",
    "MA-CAS",
    "MA-TNG",
    "MA-MAR",
    "MA-MEK",
    "MA-LAA",
)


@attrs.frozen
class RolloutStep:
    """One step of the rollout: which provinces it covers, from when, and on what authority.

    :param name: a stable code (``pilot_provinces``, ``information_base_test``...).
    :param description: one sentence in English.
    :param provinces: the ISO 3166-2:MA codes of the provinces and prefectures it covers; empty
        when not known (``every_province`` says it covers them all).
    :param every_province: whether it covers every province and prefecture.
    :param since: the first day it is known to have run, or ``None`` when no source gives it.
    :param source: the public sources of the step.
    :param verified: whether a public source confirms the step; an unverified step is
        configuration for a deployment to confirm or correct.
    """

    name: str = attrs.field(validator=check.text(60))
    description: str = attrs.field(validator=check.text(400))
    provinces: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.items(check.territory_code)
    )
    every_province: bool = attrs.field(default=False, validator=check.a_bool)
    since: date | None = attrs.field(default=None, validator=check.optional_date)
    source: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    verified: bool = attrs.field(default=False, validator=check.a_bool)

    def covers(self, province: str) -> bool:
        """Return whether the step covers the province or prefecture ``province``."""
        return self.every_province or province in self.provinces


@attrs.frozen
class Rollout:
    """The steps of the rollout, in order.

    :param steps: the steps, each with a distinct name.
    """

    steps: tuple[RolloutStep, ...] = attrs.field(
        converter=check.to_tuple, validator=check.items(check.instance(RolloutStep))
    )

    def step(self, name: str) -> RolloutStep:
        """Return the step called ``name``; :class:`KeyError` if there is none."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def phases_of(self, province: str) -> tuple[RolloutStep, ...]:
        """Return the steps that cover ``province``, in order.

        The general step (every province) is returned only for a province no earlier step
        names, since it is how that province joined.
        """
        named = tuple(s for s in self.steps if not s.every_province and s.covers(province))
        if named:
            return named
        return tuple(s for s in self.steps if s.every_province)

    def with_step(self, step: RolloutStep) -> Rollout:
        """Return a rollout where ``step`` replaces the step of the same name (or is added)."""
        kept = [step if old.name == step.name else old for old in self.steps]
        if all(old.name != step.name for old in self.steps):
            kept.append(step)
        return Rollout(tuple(kept))


_SOCIAL_2021: Final = (
    "Ministry of Solidarity, closing of the training programme accompanying the launch of "
    "Wladna, 2 April 2021 (social.gov.ma)"
)

#: The shipped rollout, with its sources (see ``docs/domain_guide.md``).
WLADNA_ROLLOUT: Final = Rollout(
    (
        RolloutStep(
            "pilot_provinces",
            "The territorial bodies are first set up in eight pilot provinces and prefectures, "
            "to be evaluated before being extended to the others.",
            provinces=PILOT_PROVINCES,
            source=(
                "Open Government Partnership Morocco, action plan commitment 20 (eight pilot "
                "provinces); maroc.ma (MAP), 26 December 2020 (Rabat, Salé, Agadir, "
                "Casablanca, Tanger, Marrakech, Meknès, Laâyoune); Libération, January 2020 "
                "(launch of Rabat's territorial body, the first); the first day is not given: "
                + _SOCIAL_2021
            ),
            verified=True,
        ),
        RolloutStep(
            "information_base_test",
            "The information base of the circuit is tested in Salé before it is used elsewhere.",
            provinces=("MA-SAL",),
            source=_SOCIAL_2021 + ": the base is ready to be used after the test phase in Salé",
            verified=True,
        ),
        RolloutStep(
            "regions_2021",
            "The information base and its training reach the support centres of ten regions "
            "in 2021.",
            since=date(2021, 1, 1),
            source=(
                "no public source found names the ten regions or confirms the year: set by "
                "the deployment"
            ),
            verified=False,
        ),
        RolloutStep(
            "generalisation",
            "The territorial bodies are extended to every province and prefecture under the "
            "ministry's 2022-2026 strategy.",
            every_province=True,
            source=(
                "Open Government Partnership Morocco, action plan commitment 27 (generalising "
                "the territorial bodies to every province, strategy 2022-2026)"
            ),
            verified=True,
        ),
    )
)
