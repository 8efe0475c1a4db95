"""Outreach contacts: a body's team meets a child in a street situation, before any case.

Outreach ("travail de rue", *maraude*) is how children living or working in the street are
first met: a team of a body goes where they are, offers what it can (food, care, a night's
shelter, someone to listen, a call to the family) and, when the child agrees, a case is opened.
An :class:`OutreachContact` records one such meeting.  It belongs to the body whose team went,
not to a case: the child is often not registered yet, and is then described as the team knew
them (an alias, an approximate age, a sex; no name is needed).  When a case is opened from the
contact, :meth:`~wladna_core.casefile.outreach.services.OutreachServices.link_outreach` records
it.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Final

import attrs

from wladna_core.model import Sex, new_id
from wladna_core.model import _checks as check

__all__ = ["AGE_RANGE", "ChildAsMet", "OutreachContact", "OutreachOffer"]

#: The ages an approximate age may take: a child is under 18 (rule ``outreach.age_out_of_range``).
AGE_RANGE: Final = (0, 17)


class OutreachOffer(enum.StrEnum):
    """What an outreach team offered the child at a contact."""

    #: A meal, a snack, water.
    FOOD = "food"
    #: First aid, a medical check, an accompaniment to a health centre.
    HEALTH_CARE = "health_care"
    #: A place for the night (an emergency shelter, a reception centre).
    SHELTER = "shelter"
    #: Someone to listen: psychosocial support, a talk.
    LISTENING = "listening"
    #: A shower, clean clothes, a change of clothes.
    HYGIENE = "hygiene"
    #: A call to, or news of, the family.
    FAMILY_CONTACT = "family_contact"
    #: A way back to school or to training.
    EDUCATION = "education"
    #: Information on, or an accompaniment to, another service.
    ORIENTATION = "orientation"
    #: Anything else (say what in the note).
    OTHER = "other"


@attrs.frozen
class ChildAsMet:
    """The child as the team knew them at the contact.

    :param child_id: the registered child, when the child is registered (rule
        ``outreach.child_unknown``).
    :param alias: what the child is called in the street, or a description; no name is needed.
    :param approximate_age: the age the child says or seems, in years (rule
        ``outreach.age_out_of_range``: 0 to 17).
    :param sex: the child's sex, as said or observed.

    A child with none of these is not described at all (rule ``outreach.child_undescribed``).
    """

    child_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    alias: str | None = attrs.field(default=None, validator=check.optional_text())
    approximate_age: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(check.count)
    )
    sex: Sex | None = attrs.field(default=None, validator=check.optional_member_of(Sex))

    @property
    def described(self) -> bool:
        """Whether anything tells who the child is."""
        return any(
            value is not None
            for value in (self.child_id, self.alias, self.approximate_age, self.sex)
        )


@attrs.frozen
class OutreachContact:
    """A contact by a body's outreach team with a child in a street situation.

    :param body_id: the body whose team made the contact; its members alone see it.
    :param territory: the ISO 3166-2:MA code of the province, prefecture or commune where the
        child was met (rule ``outreach.territory_unknown``).
    :param place: where, in words (a square, a station, a market).
    :param on: the day of the contact (rule ``outreach.in_future``).
    :param team: who went (the team's name, or its members as the body calls them).
    :param child: the child as the team knew them then.
    :param offered: what the team offered.
    :param agreed: whether the child agreed to what was offered (to be taken in charge).
    :param case_id: the case opened from the contact, once there is one (rules
        ``outreach.case_*``); set by ``link_outreach``.
    :param note: anything else to know.
    """

    body_id: str = attrs.field(validator=check.identifier)
    territory: str = attrs.field(validator=check.territory_code)
    place: str = attrs.field(validator=check.text(check.NAME_MAX))
    on: date = attrs.field(validator=check.a_date)
    team: str = attrs.field(validator=check.text(check.NAME_MAX))
    child: ChildAsMet = attrs.field(factory=ChildAsMet, validator=check.instance(ChildAsMet))
    offered: frozenset[OutreachOffer] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(OutreachOffer), frozenset),
    )
    agreed: bool = attrs.field(default=False, validator=check.a_bool)
    case_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
