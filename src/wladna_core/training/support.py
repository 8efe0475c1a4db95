"""Requests for support from users of the information base."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from wladna_core.model import _checks as check
from wladna_core.model import new_id
from wladna_core.training.enums import Subject, SupportStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.training.units import TrainingUnit

__all__ = ["SupportRequest", "units_covering"]


@attrs.frozen
class SupportRequest:
    """A user's request for help, pointing to the training unit that covers its topic.

    :param topic: what the request is about.
    :param body_id: the body of the user who asks.
    :param opened_on: the day it was made.
    :param status: where it stands.
    :param description: the question, in the user's words.
    :param unit_id: the unit that covers the topic, to point the user to
        (:func:`units_covering` finds it; rules ``training.support_unit_*`` check it).
    :param requester_id: the person who asks (their id in the deployment), when recorded.
    :param resolved_on: the day it was resolved; not before ``opened_on``.
    """

    topic: Subject = attrs.field(validator=check.member_of(Subject))
    body_id: str = attrs.field(validator=check.identifier)
    opened_on: date = attrs.field(validator=check.a_date)
    status: SupportStatus = attrs.field(
        default=SupportStatus.OPEN, validator=check.member_of(SupportStatus)
    )
    description: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX)
    )
    unit_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    requester_id: str | None = attrs.field(default=None, validator=check.optional_text(200))
    resolved_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("opened_on", "training.support_resolved_before_opened"),
        ],
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)


def units_covering(topic: Subject, units: Iterable[TrainingUnit]) -> tuple[TrainingUnit, ...]:
    """Return the units whose subjects include ``topic``, shortest first, then by code and id.

    The first is the one to point a user to: the shortest unit that covers their question.
    """
    found = [unit for unit in units if topic in unit.subjects]
    return tuple(sorted(found, key=lambda unit: (unit.duration_hours, unit.code, unit.id)))
