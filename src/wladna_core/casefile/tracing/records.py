"""Family tracing and reunification of separated children: the records of a case.

A child separated from their family — met in the street, unaccompanied, found alone — has a
case whose plan may be to find the family and, where it is in the child's best interest, to
return the child to it.  Two kinds of record keep what was done:

* a :class:`TracingAction` is one step of the search (an interview of the child, a home visit, a
  telephone call, a request to the authorities or to civil status, an appeal in the media) and
  its result: pending, a lead, found, not found;
* a :class:`Reunification` is the return of the child to a member of the family (or another
  caregiver), whether it was verified beforehand (a check of the child's best interest), the
  follow-up visits after it, and its outcome (sustained, or broken down).

Both belong to a case (:func:`~wladna_core.casefile.kinds.case_kind`).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import Relation, new_id
from wladna_core.model import _checks as check

__all__ = [
    "FollowUpVisit",
    "Reunification",
    "ReunificationOutcome",
    "TracingAction",
    "TracingMethod",
    "TracingResult",
    "VisitOutcome",
]


class TracingMethod(enum.StrEnum):
    """How a tracing action looked for the family."""

    #: The child was interviewed (names, places, memories of home).
    CHILD_INTERVIEW = "child_interview"
    #: A visit to a home or a place where the family may be.
    HOME_VISIT = "home_visit"
    #: A telephone call.
    PHONE_CALL = "phone_call"
    #: A request to the authorities (local authority, police, gendarmerie, prosecutor).
    AUTHORITY_REQUEST = "authority_request"
    #: A request to civil status (the registers of births and of the family book).
    CIVIL_STATUS_REQUEST = "civil_status_request"
    #: Enquiries in the community (neighbours, local associations, the mosque, the school).
    COMMUNITY_INQUIRY = "community_inquiry"
    #: An appeal in the media or on social networks.
    MEDIA = "media"
    #: A request to another organisation (a tracing network, a body in another province).
    ORGANISATION_REQUEST = "organisation_request"
    #: Anything else (say what in the note).
    OTHER = "other"


class TracingResult(enum.StrEnum):
    """What a tracing action gave."""

    #: No answer yet.
    PENDING = "pending"
    #: A lead to follow: a place, a name, a relative who may know.
    LEAD = "lead"
    #: The person sought was found.
    FOUND = "found"
    #: The person sought was not found this way.
    NOT_FOUND = "not_found"


class VisitOutcome(enum.StrEnum):
    """What a follow-up visit after a reunification found."""

    #: The child is well in the family.
    WELL = "well"
    #: The child is still there, but there are difficulties to work on.
    CONCERNS = "concerns"
    #: The child has left the family, or been separated again.
    SEPARATED_AGAIN = "separated_again"
    #: The child or the family could not be met.
    NOT_MET = "not_met"


class ReunificationOutcome(enum.StrEnum):
    """How a reunification turned out."""

    #: Still followed up: too early to say.
    ONGOING = "ongoing"
    #: The child stays in the family, as the follow-up found.
    SUSTAINED = "sustained"
    #: The child left the family, or was separated again.
    BREAKDOWN = "breakdown"
    #: The child and the family could no longer be reached.
    LOST_CONTACT = "lost_contact"


@attrs.frozen
class TracingAction:
    """One step of the search for a separated child's family.

    :param case_id: the child's case.
    :param on: the day of the action (rules ``tracing.before_case_opened``,
        ``tracing.in_future``, ``tracing.after_case_closed``).
    :param method: what was done (the action's type).
    :param sought: the person or place sought, in words ("the mother, in Douar X").
    :param result: what it gave.
    :param note: anything else to know.
    """

    case_id: str = attrs.field(validator=check.identifier)
    on: date = attrs.field(validator=check.a_date)
    method: TracingMethod = attrs.field(validator=check.member_of(TracingMethod))
    sought: str = attrs.field(validator=check.text(check.NAME_MAX))
    result: TracingResult = attrs.field(
        default=TracingResult.PENDING, validator=check.member_of(TracingResult)
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)


@attrs.frozen
class FollowUpVisit:
    """A visit to the child and the family after a reunification.

    :param on: the day of the visit (rules ``reunification.follow_up_*``).
    :param outcome: what it found.
    :param note: anything else to know.
    """

    on: date = attrs.field(validator=check.a_date)
    outcome: VisitOutcome = attrs.field(validator=check.member_of(VisitOutcome))
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )


def _not_the_child(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is Relation.CHILD:
        raise InvariantError(
            "reunification.with_child",
            f"{attribute.name} is the person the child returned to (mother, father, kafil, "
            "grandparent, aunt or uncle...), not 'child'",
            attribute.name,
        )


@attrs.frozen
class Reunification:
    """The return of a separated child to their family, and its follow-up.

    :param case_id: the child's case.
    :param on: the day the child was reunified (rules ``reunification.before_case_opened``,
        ``reunification.in_future``, ``reunification.after_case_closed``).
    :param with_whom: the person the child returned to, by relationship to the child (not
        :attr:`~wladna_core.model.Relation.CHILD`).
    :param where: the ISO 3166-2:MA code of the territory the child returned to (rule
        ``reunification.where_unknown``).
    :param verified: whether the family and the child's best interest were checked beforehand
        (rule ``reunification.not_verified``, a warning).
    :param follow_ups: the visits after it, in order (rules ``reunification.follow_up_*``).
    :param outcome: how it turned out.
    :param note: anything else to know.
    """

    case_id: str = attrs.field(validator=check.identifier)
    on: date = attrs.field(validator=check.a_date)
    with_whom: Relation = attrs.field(validator=[check.member_of(Relation), _not_the_child])
    where: str = attrs.field(validator=check.territory_code)
    verified: bool = attrs.field(default=False, validator=check.a_bool)
    follow_ups: tuple[FollowUpVisit, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(FollowUpVisit), max_items=200),
    )
    outcome: ReunificationOutcome = attrs.field(
        default=ReunificationOutcome.ONGOING, validator=check.member_of(ReunificationOutcome)
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
