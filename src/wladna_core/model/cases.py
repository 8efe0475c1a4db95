"""Cases: one child's path through identification, assessment, plan, follow-up and closure."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model.enums import (
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    FollowUpKind,
    IdentificationSource,
    OverrideReason,
    ProtectionConcern,
    RiskLevel,
    ServiceType,
)
from wladna_core.model.ids import new_id

__all__ = [
    "Approval",
    "Assessment",
    "Case",
    "CasePlan",
    "Closure",
    "Consent",
    "ConsentOverride",
    "FollowUp",
    "Goal",
    "Identification",
]


@attrs.frozen
class ConsentOverride:
    """Acting without consent, for a stated reason, authorised by a supervisor.

    :param reason: best interest of the child, emergency, or a judicial order.
    :param justification: why, in words a reviewer can check (rule ``referral.override_unjustified``
        refuses a blank one).
    :param authorised_by: the identifier of the supervisor who authorised it.
    :param authorised_on: the date of the authorisation.
    """

    reason: OverrideReason = attrs.field(validator=check.member_of(OverrideReason))
    justification: str = attrs.field(validator=check.text(check.NOTE_MAX, blank=True, lines=True))
    authorised_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    authorised_on: date | None = attrs.field(default=None, validator=check.optional_date)

    @property
    def is_authorised(self) -> bool:
        """Whether the override names who authorised it and says why."""
        return self.authorised_by is not None and bool(self.justification.strip())


@attrs.frozen
class Consent:
    """What the child or their caregivers agreed to, and when.

    Consent to services and consent to sharing with other organisations are separate: a referral
    needs both, or an authorised :class:`ConsentOverride`.

    :param given_by: who gave it; ``None`` when only an override is recorded.
    :param recorded_on: the date consent (or the override) was recorded.
    """

    recorded_on: date = attrs.field(validator=check.a_date)
    given_by: ConsentGiver | None = attrs.field(
        default=None, validator=check.optional_member_of(ConsentGiver)
    )
    services: bool = attrs.field(default=False, validator=check.a_bool)
    sharing: bool = attrs.field(default=False, validator=check.a_bool)
    reporting: bool = attrs.field(default=False, validator=check.a_bool)
    override: ConsentOverride | None = attrs.field(
        default=None, validator=check.optional_instance(ConsentOverride)
    )

    def __attrs_post_init__(self) -> None:
        granted = self.services or self.sharing or self.reporting
        if granted and self.given_by is None:
            raise InvariantError(
                "consent.giver_missing",
                "consent to services, sharing or reporting must say who gave it (given_by)",
                "given_by",
            )

    @property
    def allows_referral(self) -> bool:
        """Whether services and sharing were both agreed to, or an authorised override exists."""
        if self.services and self.sharing:
            return True
        return self.override is not None and self.override.is_authorised


@attrs.frozen
class Identification:
    """How and when the child came to the system's attention."""

    source: IdentificationSource = attrs.field(validator=check.member_of(IdentificationSource))
    on: date = attrs.field(validator=check.a_date)
    by_body: str | None = attrs.field(default=None, validator=check.optional_identifier)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )


@attrs.frozen
class Assessment:
    """The assessment of the child's situation, needs and risk."""

    on: date = attrs.field(validator=check.a_date)
    by: str = attrs.field(validator=check.text(100))
    risk: RiskLevel = attrs.field(validator=check.member_of(RiskLevel))
    summary: str = attrs.field(
        default="", validator=check.text(check.NOTE_MAX, blank=True, lines=True)
    )
    needs: frozenset[ServiceType] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ServiceType), frozenset),
    )


@attrs.frozen
class Goal:
    """One goal of a case plan, with who is responsible and by when."""

    description: str = attrs.field(validator=check.text(check.NOTE_MAX, lines=True))
    responsible: str = attrs.field(validator=check.text())
    due: date = attrs.field(validator=check.a_date)
    service: ServiceType | None = attrs.field(
        default=None, validator=check.optional_member_of(ServiceType)
    )
    achieved_on: date | None = attrs.field(default=None, validator=check.optional_date)


@attrs.frozen
class Approval:
    """A supervisor's approval of a case plan."""

    by: str = attrs.field(validator=check.text(100))
    on: date = attrs.field(validator=check.a_date)


@attrs.frozen
class CasePlan:
    """The case plan: goals, when it was drawn up, when to review it, and its approval."""

    drawn_up_on: date = attrs.field(validator=check.a_date)
    goals: tuple[Goal, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(Goal), max_items=100),
    )
    review_on: date | None = attrs.field(
        default=None,
        validator=[check.optional_date, check.not_before("drawn_up_on", "plan.review_before_plan")],
    )
    approval: Approval | None = attrs.field(
        default=None,
        validator=check.optional_instance(Approval),
    )

    def __attrs_post_init__(self) -> None:
        if self.approval is not None and self.approval.on < self.drawn_up_on:
            raise InvariantError(
                "plan.approved_before_drawn_up",
                f"the plan is approved on {self.approval.on.isoformat()}, before it was drawn "
                f"up on {self.drawn_up_on.isoformat()}",
                "approval",
            )

    @property
    def approved(self) -> bool:
        """Whether a supervisor approved the plan."""
        return self.approval is not None


@attrs.frozen
class FollowUp:
    """A follow-up contact or review."""

    on: date = attrs.field(validator=check.a_date)
    by: str = attrs.field(validator=check.text(100))
    kind: FollowUpKind = attrs.field(validator=check.member_of(FollowUpKind))
    note: str = attrs.field(
        default="", validator=check.text(check.NOTE_MAX, blank=True, lines=True)
    )


@attrs.frozen
class Closure:
    """When and why a case was closed.

    A closure without a reason can be built (so that the rule ``case.closure_reason_missing``
    can report it) but is refused by the stores.
    """

    on: date = attrs.field(validator=check.a_date)
    reason: ClosureReason | None = attrs.field(
        default=None, validator=check.optional_member_of(ClosureReason)
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )


@attrs.frozen
class Case:
    """One child's case, held by one responsible body.

    :param child_id: the child the case is about.
    :param body_id: the responsible territorial body.
    :param territory: code of the territory where the child was identified or lives; the case
        number's province and jurisdiction checks use it.
    :param opened_on: the day the case was opened; the child must be under 18 on it.
    :param number: the human case number (``SAL-2026-000123``), assigned at first save.
    :param concerns: the protection concerns; required once the case is assessed.
    :param transferred_to: the case that continues this one at another body, after a transfer.
    :param duplicate_of: the case this one duplicates, when marked duplicate.
    """

    child_id: str = attrs.field(validator=check.identifier)
    body_id: str = attrs.field(validator=check.identifier)
    territory: str = attrs.field(validator=check.territory_code)
    opened_on: date = attrs.field(validator=check.a_date)
    identification: Identification = attrs.field(validator=check.instance(Identification))
    status: CaseStatus = attrs.field(
        default=CaseStatus.REGISTERED, validator=check.member_of(CaseStatus)
    )
    risk: RiskLevel = attrs.field(default=RiskLevel.MEDIUM, validator=check.member_of(RiskLevel))
    concerns: frozenset[ProtectionConcern] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ProtectionConcern), frozenset),
    )
    family_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    worker_id: str | None = attrs.field(default=None, validator=check.optional_text(100))
    number: str | None = attrs.field(default=None, validator=check.optional_text(40))
    consent: Consent | None = attrs.field(default=None, validator=check.optional_instance(Consent))
    assessment: Assessment | None = attrs.field(
        default=None, validator=check.optional_instance(Assessment)
    )
    plan: CasePlan | None = attrs.field(default=None, validator=check.optional_instance(CasePlan))
    follow_ups: tuple[FollowUp, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(FollowUp), max_items=1000),
    )
    closure: Closure | None = attrs.field(default=None, validator=check.optional_instance(Closure))
    transferred_to: str | None = attrs.field(default=None, validator=check.optional_identifier)
    duplicate_of: str | None = attrs.field(default=None, validator=check.optional_identifier)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        self._check_dates()
        if self.duplicate_of is not None and self.duplicate_of == self.id:
            raise InvariantError(
                "case.duplicate_of_itself", "a case cannot duplicate itself", "duplicate_of"
            )

    def _check_dates(self) -> None:
        dated: list[tuple[str, date]] = [("identification.on", self.identification.on)]
        if self.assessment is not None:
            dated.append(("assessment.on", self.assessment.on))
        if self.plan is not None:
            dated.append(("plan.drawn_up_on", self.plan.drawn_up_on))
        dated.extend(
            (f"follow_ups[{index}].on", follow_up.on)
            for index, follow_up in enumerate(self.follow_ups)
        )
        if self.closure is not None:
            dated.append(("closure.on", self.closure.on))
        for field, when in dated[1:]:
            if when < self.opened_on:
                raise InvariantError(
                    "case.date_before_opening",
                    f"{field} ({when.isoformat()}) is before the case was opened "
                    f"({self.opened_on.isoformat()})",
                    field,
                )
        if self.identification.on > self.opened_on:
            raise InvariantError(
                "case.identified_after_opening",
                f"the child was identified on {self.identification.on.isoformat()}, after the "
                f"case was opened on {self.opened_on.isoformat()}",
                "identification",
            )

    @property
    def is_active(self) -> bool:
        """Whether work still goes on in the case (not closed, transferred or duplicate)."""
        return self.status.is_active
