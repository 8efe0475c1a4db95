"""Care arrangements: where and with whom a child lives, over time (:class:`CareArrangement`).

A case's care arrangements are its child's history of care: with the parents, with relatives
(kinship care), under kafala, in a foster family, in residential care, living independently, in
a street situation.  They follow one another without overlapping, at most one open at a time
(rules ``care.*``, :mod:`wladna_core.casefile.care.rules`).  The types follow UNICEF's Primero
form of care arrangements (``care_arrangements``) with the Moroccan forms of alternative care:

* **kafala** is ordered by the judge in charge of guardianship (*juge des tutelles*) under
  Law 15-01 on the taking into care (kafala) of abandoned children (Dahir 1-02-172 of 13 June
  2002): the arrangement keeps the decision (:class:`KafalaDecision`);
* **residential care** is given in a social protection establishment (*établissement de
  protection sociale*, EPS; مؤسسات الرعاية الاجتماعية) under Law 65-15, which replaced
  Law 14-05: the arrangement names the establishment, with admission (``started_on``) and
  discharge (``ended_on``).

Sources are in ``docs/casefile_incidents.md``.
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from wladna_core.model import Relation, new_id
from wladna_core.model import _checks as check

__all__ = ["CareArrangement", "CareChangeReason", "CareType", "KafalaDecision"]


class CareType(enum.StrEnum):
    """Where and with whom a child lives."""

    #: With one or both parents.
    PARENTS = "parents"
    #: With relatives other than the parents (kinship care).
    KINSHIP = "kinship"
    #: With a kafil or kafila under a kafala decision (Law 15-01).
    KAFALA = "kafala"
    #: With a foster family that is not kin and holds no kafala.
    FOSTER_FAMILY = "foster_family"
    #: In a social protection establishment or another residential centre (Law 65-15).
    RESIDENTIAL = "residential"
    #: On their own or with peers, without an adult caregiver.
    INDEPENDENT = "independent"
    #: In a street situation.
    STREET = "street"
    OTHER = "other"


class CareChangeReason(enum.StrEnum):
    """Why the child's care changed (after Primero's reasons for a change of caregiver)."""

    ABUSE_EXPLOITATION = "abuse_exploitation"
    DEATH_OF_CAREGIVER = "death_of_caregiver"
    ILL_HEALTH_OF_CAREGIVER = "ill_health_of_caregiver"
    RELATIONSHIP_BREAKDOWN = "relationship_breakdown"
    POVERTY = "poverty"
    EDUCATION = "education"
    #: A decision of a judge or of the prosecutor (placement, kafala, return to the family).
    JUDICIAL_DECISION = "judicial_decision"
    REUNIFICATION = "reunification"
    #: The child left (ran away, was found in the street).
    CHILD_LEFT = "child_left"
    OTHER = "other"


@attrs.frozen
class KafalaDecision:
    """The judge's order granting kafala (Law 15-01).

    :param court: the court (the *tribunal de première instance* whose judge in charge of
        guardianship made the order).
    :param reference: the order's number or reference.
    :param decided_on: the day of the order.
    """

    court: str = attrs.field(validator=check.text())
    reference: str = attrs.field(validator=check.text(100))
    decided_on: date = attrs.field(validator=check.a_date)


@attrs.frozen
class CareArrangement:
    """Where and with whom the child of a case lives, from a day to a day.

    :param case_id: the case.
    :param type: the kind of care.
    :param started_on: the day it began (for residential care, the admission).
    :param ended_on: the day it ended (for residential care, the discharge); ``None`` while
        it lasts.  Not before ``started_on``.  The next arrangement may start that day.
    :param kafala: the kafala decision, for a kafala (rule ``care.kafala_decision_missing``).
    :param establishment_id: the territorial body of the establishment, for residential care
        (an EPS registered as a body); or give its name.
    :param establishment_name: the establishment's name, when it is not a registered body.
    :param caregiver: who the main caregiver is to the child (mother, kafil, aunt...).
    :param reason: why the child's care changed to this one.
    :param recorded_by: the actor who recorded it (set by the services).
    :param note: anything else to know.
    """

    case_id: str = attrs.field(validator=check.identifier)
    type: CareType = attrs.field(validator=check.member_of(CareType))
    started_on: date = attrs.field(validator=check.a_date)
    ended_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("started_on", "care.ended_before_started"),
        ],
    )
    kafala: KafalaDecision | None = attrs.field(
        default=None, validator=check.optional_instance(KafalaDecision)
    )
    establishment_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    establishment_name: str | None = attrs.field(default=None, validator=check.optional_text())
    caregiver: Relation | None = attrs.field(
        default=None, validator=check.optional_member_of(Relation)
    )
    reason: CareChangeReason | None = attrs.field(
        default=None, validator=check.optional_member_of(CareChangeReason)
    )
    recorded_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def is_open(self) -> bool:
        """Whether it still lasts (no end)."""
        return self.ended_on is None

    def overlaps(self, other: CareArrangement) -> bool:
        """Return whether the two share a day; one may start the day the other ends."""
        mine_end = self.ended_on or date.max
        other_end = other.ended_on or date.max
        return self.started_on < other_end and other.started_on < mine_end
