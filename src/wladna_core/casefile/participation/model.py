"""The child's views on a decision about them, and how they were heard and weighed.

Article 12 of the Convention on the Rights of the Child (ratified by Morocco in 1993) gives the
child who is capable of forming views the right to express them freely in all matters
affecting them, the views being given due weight in accordance with age and maturity, and in
particular the opportunity to be heard in any judicial and administrative proceedings
affecting them, "either directly, or through a representative or an appropriate body".  A
:class:`Participation` records one such hearing (or why there was none) for one decision of a
case: what the child said and how it weighed.
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from wladna_core.model import _checks as check
from wladna_core.model import new_id

__all__ = ["Decision", "Hearing", "Participation"]


class Decision(enum.StrEnum):
    """The decision of a case on which the child's views were sought."""

    #: The assessment of the child's situation and risk.
    ASSESSMENT = "assessment"
    #: The case plan: its goals and services.
    CASE_PLAN = "case_plan"
    #: Where and with whom the child lives (kafala, foster family, residential care...).
    CARE_ARRANGEMENT = "care_arrangement"
    #: A referral to another body, a public service or a social programme.
    REFERRAL = "referral"
    #: The closure of the case.
    CLOSURE = "closure"
    #: Another decision, said in the record's ``about``.
    OTHER = "other"


class Hearing(enum.StrEnum):
    """How the child was heard (article 12(2): directly or through a representative)."""

    #: Directly, face to face with the case worker.
    IN_PERSON = "in_person"
    #: With, or through, an adult the child trusts.
    WITH_TRUSTED_ADULT = "with_trusted_adult"
    #: Through an interpreter (Amazigh, sign language, a foreign language...).
    WITH_INTERPRETER = "with_interpreter"
    #: In writing or drawing, by the child.
    IN_WRITING = "in_writing"
    #: Not heard; the record says why (``not_heard_reason``).
    NOT_HEARD = "not_heard"


@attrs.frozen
class Participation:
    """The child's views and wishes on one decision of their case, and their weight.

    :param case_id: the case.
    :param on: the day the child was heard (or the decision taken without hearing them).
    :param decision: the decision the views concern.
    :param heard: how the child was heard, or :attr:`Hearing.NOT_HEARD`.
    :param views: the child's views and wishes, in their words as far as possible; given when
        the child was heard (rule ``participation.views_missing``).
    :param taken_into_account: how the views weighed in the decision, and why where they were
        not followed (rule ``participation.weight_not_recorded``).
    :param not_heard_reason: why the child was not heard; given when, and only when, they were
        not (rule ``participation.not_heard_without_reason``).
    :param about: what the decision is, in a few words (a referral's service, "change of
        school"...); useful with :attr:`Decision.OTHER`.
    :param recorded_by: who recorded it (an actor's id).
    """

    case_id: str = attrs.field(validator=check.identifier)
    on: date = attrs.field(validator=check.a_date)
    decision: Decision = attrs.field(validator=check.member_of(Decision))
    heard: Hearing = attrs.field(validator=check.member_of(Hearing))
    recorded_by: str = attrs.field(validator=check.text(100))
    views: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    taken_into_account: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    not_heard_reason: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    about: str | None = attrs.field(default=None, validator=check.optional_text(200))
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def was_heard(self) -> bool:
        """Whether the child was heard, in any way."""
        return self.heard is not Hearing.NOT_HEARD
