"""Incidents of violence, abuse, exploitation and neglect: :class:`Incident` and its parts.

An incident is what happened to a child (or to several children: siblings hurt by one
person), on a day, in a place, by someone the child knows or not; how it came to be known
(:class:`Disclosure`) and what was done (:class:`IncidentAction`).  The types follow the forms
of harm that Morocco's integrated public policy of child protection (PPIPEM, 2015) sets out to
prevent and answer — neglect, abuse, exploitation and violence — and the incident form of
UNICEF's Primero (``cp_incident``: date, place, type of violence; ``cp_offender_details``: the
perpetrator's relationship with the victim); see ``docs/casefile_incidents.md``.

Incidents are the most sensitive records of the system: only those who work a linked case
read and record them (:class:`~wladna_core.casefile.incidents.services.IncidentServices`).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any, Final

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import Institution, new_id
from wladna_core.model import _checks as check

__all__ = [
    "MAX_LINKED_CASES",
    "DisclosedBy",
    "Disclosure",
    "Incident",
    "IncidentAction",
    "IncidentType",
    "Perpetrator",
]

#: The most cases one incident may be linked to.
MAX_LINKED_CASES: Final = 50


class IncidentType(enum.StrEnum):
    """What kind of harm an incident was.

    The PPIPEM's four forms (violence, abuse, exploitation, neglect), split as the protection
    concerns of a case are (:class:`~wladna_core.model.ProtectionConcern`) and as Primero's
    violence types are (rape and sexual assault are ``sexual_violence``; forced marriage is
    ``child_marriage``).
    """

    PHYSICAL_VIOLENCE = "physical_violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    PSYCHOLOGICAL_VIOLENCE = "psychological_violence"
    NEGLECT = "neglect"
    #: Economic or labour exploitation: child labour, hazardous or domestic work, begging.
    ECONOMIC_EXPLOITATION = "economic_exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CHILD_MARRIAGE = "child_marriage"
    TRAFFICKING = "trafficking"
    ABANDONMENT = "abandonment"
    OTHER = "other"


class Perpetrator(enum.StrEnum):
    """Who the (alleged) perpetrator is to the child (after Primero's relationship list)."""

    PARENT = "parent"
    STEP_PARENT = "step_parent"
    #: The kafil or kafila of a child in kafala.
    KAFIL = "kafil"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    #: A spouse or intimate partner (a child marriage, a relationship).
    PARTNER = "partner"
    #: Staff of a place that cares for the child (an establishment, a foster family).
    CAREGIVER = "caregiver"
    TEACHER = "teacher"
    EMPLOYER = "employer"
    #: Another child: a schoolmate, a peer.
    PEER = "peer"
    #: A neighbour, a friend of the family, an acquaintance.
    ACQUAINTANCE = "acquaintance"
    #: Someone with no relation to the child.
    STRANGER = "stranger"
    UNKNOWN = "unknown"
    OTHER = "other"


class DisclosedBy(enum.StrEnum):
    """Who made the incident known (Primero: the abused person or a family member, a service)."""

    CHILD = "child"
    RELATIVE = "relative"
    #: A professional: a teacher, a doctor, a social worker, the police.
    PROFESSIONAL = "professional"
    COMMUNITY_MEMBER = "community_member"
    ANONYMOUS = "anonymous"
    OTHER = "other"


class IncidentAction(enum.StrEnum):
    """What was done in answer to an incident."""

    MEDICAL_CARE = "medical_care"
    FORENSIC_EXAMINATION = "forensic_examination"
    REPORT_TO_PROSECUTOR = "report_to_prosecutor"
    POLICE_REPORT = "police_report"
    REMOVAL_TO_SAFETY = "removal_to_safety"
    PSYCHOLOGICAL_SUPPORT = "psychological_support"
    LEGAL_AID = "legal_aid"
    REFERRAL = "referral"
    SAFETY_PLAN = "safety_plan"
    OTHER = "other"


@attrs.frozen
class Disclosure:
    """How an incident came to be known.

    :param on: the day it was disclosed; not before the incident (rule
        ``incident.disclosed_before_incident``) and not after today.
    :param by: who disclosed it.
    :param to_institution: the kind of body it was disclosed to (a school, the police...).
    :param to_body_id: the territorial body it was disclosed to, when it is one of the system's.
    """

    on: date = attrs.field(validator=check.a_date)
    by: DisclosedBy = attrs.field(validator=check.member_of(DisclosedBy))
    to_institution: Institution | None = attrs.field(
        default=None, validator=check.optional_member_of(Institution)
    )
    to_body_id: str | None = attrs.field(default=None, validator=check.optional_identifier)


def _distinct(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        raise InvariantError(
            "incident.no_case", f"{attribute.name} must name at least one case", attribute.name
        )
    if len(set(value)) != len(value):
        raise InvariantError(
            "incident.case_repeated",
            f"{attribute.name} names a case twice; name each case once",
            attribute.name,
        )


@attrs.frozen
class Incident:
    """An incident of violence, abuse, exploitation or neglect, linked to children's cases.

    :param case_ids: the cases of the children it concerns, each once; the first is the
        incident's :attr:`case_id` (its main case).
    :param type: what kind of harm it was.
    :param occurred_on: the day it happened (or began); an estimate when ``date_approximate``.
    :param date_approximate: whether ``occurred_on`` is an estimate.
    :param place: where it happened, in words (home, school, street...), without addresses.
    :param territory: the ISO 3166-2:MA code of the territory where it happened.
    :param perpetrator: who the (alleged) perpetrator is to the child.
    :param disclosure: how it came to be known.
    :param actions: what was done in answer.
    :param recorded_by: the actor who recorded it (set by the services).
    :param note: anything else to know.
    """

    case_ids: tuple[str, ...] = attrs.field(
        converter=check.to_tuple,
        validator=[check.items(check.identifier, max_items=MAX_LINKED_CASES), _distinct],
    )
    type: IncidentType = attrs.field(validator=check.member_of(IncidentType))
    occurred_on: date = attrs.field(validator=check.a_date)
    date_approximate: bool = attrs.field(default=False, validator=check.a_bool)
    place: str | None = attrs.field(default=None, validator=check.optional_text())
    territory: str | None = attrs.field(default=None, validator=check.optional_territory_code)
    perpetrator: Perpetrator = attrs.field(
        default=Perpetrator.UNKNOWN, validator=check.member_of(Perpetrator)
    )
    disclosure: Disclosure | None = attrs.field(
        default=None, validator=check.optional_instance(Disclosure)
    )
    actions: frozenset[IncidentAction] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(IncidentAction), frozenset, len(IncidentAction)),
    )
    recorded_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def case_id(self) -> str:
        """The incident's main case: the first of :attr:`case_ids`."""
        return self.case_ids[0]
