"""Families (households), their members and their enrolments in social programmes."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.model import _checks as check
from wladna_core.model.enums import EnrolmentStatus, Relation, Sex, SocialProgramme
from wladna_core.model.ids import new_id

__all__ = ["Family", "FamilyMember", "KafalaDecision", "ProgrammeEnrolment"]


@attrs.frozen
class KafalaDecision:
    """The judicial decision that entrusts a child to a kafil or kafila (kafala).

    :param court: the court that decided, e.g. ``Tribunal de première instance de Salé``.
    :param reference: the decision's number.
    :param decided_on: the date of the decision.
    """

    court: str = attrs.field(validator=check.text())
    reference: str = attrs.field(validator=check.text(100))
    decided_on: date = attrs.field(validator=check.a_date)


@attrs.frozen
class FamilyMember:
    """A member of a household.

    :param relation: how the member relates to the children of the household.
    :param caregiver: whether the member takes care of the children day to day.
    :param alive: ``False`` records a deceased parent, which matters for the child's situation.
    :param child_id: the :class:`~wladna_core.model.Child` this member is, when a child of the
        household is registered.
    :param kafala: the judicial decision, required for a kafil or kafila (rule
        ``family.kafala_without_decision``).
    """

    relation: Relation = attrs.field(validator=check.member_of(Relation))
    given_name: str | None = attrs.field(default=None, validator=check.optional_text())
    family_name: str | None = attrs.field(default=None, validator=check.optional_text())
    sex: Sex | None = attrs.field(default=None, validator=check.optional_member_of(Sex))
    birth_date: date | None = attrs.field(default=None, validator=check.optional_date)
    caregiver: bool = attrs.field(default=False, validator=check.a_bool)
    alive: bool = attrs.field(default=True, validator=check.a_bool)
    child_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    kafala: KafalaDecision | None = attrs.field(
        default=None, validator=check.optional_instance(KafalaDecision)
    )
    phone: str | None = attrs.field(default=None, validator=check.optional_text(40))


@attrs.frozen
class ProgrammeEnrolment:
    """A household's enrolment (or application) in a social programme."""

    programme: SocialProgramme = attrs.field(validator=check.member_of(SocialProgramme))
    status: EnrolmentStatus = attrs.field(validator=check.member_of(EnrolmentStatus))
    since: date | None = attrs.field(default=None, validator=check.optional_date)
    name: str | None = attrs.field(default=None, validator=check.optional_text())


@attrs.frozen
class Family:
    """A household: the people a child lives with or belongs to.

    :param members: the household's members, in the order the case worker recorded them.
    :param child_headed: a household headed by a child; a minor caregiver is then expected
        (no ``family.caregiver_minor`` warning).
    :param rsu_id: the household's identifier in the Unified Social Register (RSU), when known.
    :param socio_economic_index: the RSU socio-economic index, when known; programme
        eligibility compares it with thresholds.
    :param programmes: enrolments in social programmes (ASD, AMO Tadamon, Tayssir...).
    """

    members: tuple[FamilyMember, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(FamilyMember), max_items=60),
    )
    residence: str | None = attrs.field(default=None, validator=check.optional_territory_code)
    child_headed: bool = attrs.field(default=False, validator=check.a_bool)
    rsu_id: str | None = attrs.field(default=None, validator=check.optional_text(40))
    socio_economic_index: float | None = attrs.field(default=None, validator=check.fraction)
    programmes: tuple[ProgrammeEnrolment, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(ProgrammeEnrolment), max_items=30),
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def caregivers(self) -> tuple[FamilyMember, ...]:
        """The members flagged as caregivers."""
        return tuple(member for member in self.members if member.caregiver)
