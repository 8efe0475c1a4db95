"""Training programmes and their rollout over territories, phase by phase."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.model import BodyKind, new_id
from wladna_core.model import _checks as check
from wladna_core.training import _checks as tcheck
from wladna_core.training.enums import StaffRole

__all__ = ["RolloutPhase", "TrainingProgramme"]


@attrs.frozen
class RolloutPhase:
    """One phase of a programme's rollout: where it runs, from when to when.

    :param name: how the programme calls the phase (``Salé test phase``, ``pilot cities``...);
        unique within the programme.
    :param territories: the ISO 3166-2:MA codes of the provinces, prefectures or regions the
        phase covers (at least one).
    :param starts_on: the first day of the phase.
    :param ends_on: the last day of the phase, when it is known; not before ``starts_on``.
    """

    name: str = attrs.field(validator=check.text())
    territories: frozenset[str] = attrs.field(
        converter=check.to_frozenset,
        validator=[check.items(check.territory_code, frozenset, 200), tcheck.non_empty],
    )
    starts_on: date = attrs.field(validator=check.a_date)
    ends_on: date | None = attrs.field(
        default=None,
        validator=[check.optional_date, check.not_before("starts_on", "training.phase_dates")],
    )


def _distinct_phase_names(
    _instance: object, attribute: attrs.Attribute[tuple[RolloutPhase, ...]], value: object
) -> None:
    phases: tuple[RolloutPhase, ...] = value  # type: ignore[assignment]
    tcheck.distinct(_instance, attribute, tuple(phase.name for phase in phases))


@attrs.frozen
class TrainingProgramme:
    """A programme of training for the staff of the territorial bodies.

    :param title: the programme's title.
    :param partners: the organisations that support it (``European Union``, ``UNICEF``...).
    :param starts_on: the day it was launched.
    :param target_body_kinds: the kinds of body whose staff it trains (CPPE, CAPE, UPE...).
    :param target_roles: the roles of staff it trains.
    :param phases: its rollout, in order; each phase starts no earlier than the one before it
        and no earlier than the programme (rules ``training.phases_out_of_order`` and
        ``training.phase_before_programme``).
    :param note: where the facts about the programme come from, or anything else to know.
    """

    title: str = attrs.field(validator=check.text(500))
    starts_on: date = attrs.field(validator=check.a_date)
    partners: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=[check.items(check.text(), max_items=50), tcheck.distinct],
    )
    target_body_kinds: frozenset[BodyKind] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(BodyKind), frozenset),
    )
    target_roles: frozenset[StaffRole] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(StaffRole), frozenset),
    )
    phases: tuple[RolloutPhase, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=[check.items(check.instance(RolloutPhase), max_items=50), _distinct_phase_names],
    )
    note: str | None = attrs.field(default=None, validator=check.optional_text(check.NOTE_MAX))
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
