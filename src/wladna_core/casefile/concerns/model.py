"""The details of one protection concern of a case: when and by whom it was identified.

A case lists its protection concerns (:attr:`Case.concerns <wladna_core.model.Case.concerns>`:
neglect, child labour, street situation...).  A :class:`ConcernDetail` adds what a set cannot
hold: the day the concern was identified, who identified it, notes, and the day it was
resolved.  A concern may be detailed again after it was resolved (it came back); only one
detail of a concern is open at a time in a case (rule ``concern.already_open``).
"""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.model import ProtectionConcern, new_id
from wladna_core.model import _checks as check

__all__ = ["ConcernDetail"]


@attrs.frozen
class ConcernDetail:
    """When and by whom one protection concern of a case was identified, and resolved.

    :param case_id: the case.
    :param concern: the concern; it is among the case's ``concerns`` (rule
        ``concern.not_in_case``).
    :param identified_on: the day it was identified; it may precede the opening of the case
        (a teacher's report before the case is opened), never the child's birth.
    :param identified_by: who identified it: an actor's id, or a service or person in a few
        words ("school teacher", "night outreach team").
    :param notes: what was observed, and what is known of it.
    :param resolved_on: the day the concern was resolved, not before it was identified.
    :param resolution: how it was resolved.
    """

    case_id: str = attrs.field(validator=check.identifier)
    concern: ProtectionConcern = attrs.field(validator=check.member_of(ProtectionConcern))
    identified_on: date = attrs.field(validator=check.a_date)
    identified_by: str = attrs.field(validator=check.text(200))
    notes: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    resolved_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("identified_on", "concern.resolved_before_identified"),
        ],
    )
    resolution: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def is_open(self) -> bool:
        """Whether the concern is not resolved."""
        return self.resolved_on is None
