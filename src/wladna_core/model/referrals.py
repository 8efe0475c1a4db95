"""Referrals: a case sent to another body, a social programme or the judicial authority."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model.cases import ConsentOverride
from wladna_core.model.enums import (
    ReferralStatus,
    ReferralTargetKind,
    ServiceType,
    SocialProgramme,
    Urgency,
)
from wladna_core.model.ids import new_id

__all__ = ["Referral", "ReferralTarget"]


@attrs.frozen
class ReferralTarget:
    """Where a referral goes: a body (``body_id``), a programme (``programme``) or the judge.

    Build one with :meth:`to_body`, :meth:`to_programme` or :meth:`to_judicial_authority`.
    """

    kind: ReferralTargetKind = attrs.field(validator=check.member_of(ReferralTargetKind))
    body_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    programme: SocialProgramme | None = attrs.field(
        default=None, validator=check.optional_member_of(SocialProgramme)
    )

    def __attrs_post_init__(self) -> None:
        needs_body = self.kind is ReferralTargetKind.BODY
        needs_programme = self.kind is ReferralTargetKind.PROGRAMME
        if needs_body != (self.body_id is not None):
            raise InvariantError(
                "referral.target_body",
                "a referral to a body names body_id, and only such a referral does",
                "body_id",
            )
        if needs_programme != (self.programme is not None):
            raise InvariantError(
                "referral.target_programme",
                "a referral to a programme names programme, and only such a referral does",
                "programme",
            )

    @classmethod
    def to_body(cls, body_id: str) -> ReferralTarget:
        """Target a territorial body."""
        return cls(ReferralTargetKind.BODY, body_id=body_id)

    @classmethod
    def to_programme(cls, programme: SocialProgramme) -> ReferralTarget:
        """Target a social programme."""
        return cls(ReferralTargetKind.PROGRAMME, programme=programme)

    @classmethod
    def to_judicial_authority(cls) -> ReferralTarget:
        """Target the judicial authority (prosecution or juvenile judge)."""
        return cls(ReferralTargetKind.JUDICIAL)


@attrs.frozen
class Referral:
    """A referral of a case for a service.

    :param case_id: the case referred.
    :param from_body: the body that sends it; only it may cancel.
    :param target: where it goes; only members of a target body respond.
    :param made_on: the day it was sent.
    :param response_due: the day by which the target should answer.
    :param consent_override: an override of consent for this referral alone, when the case's
        consent does not cover it.
    :param rejection_reason: required when the status is ``rejected``.
    """

    case_id: str = attrs.field(validator=check.identifier)
    from_body: str = attrs.field(validator=check.identifier)
    target: ReferralTarget = attrs.field(validator=check.instance(ReferralTarget))
    service: ServiceType = attrs.field(validator=check.member_of(ServiceType))
    made_on: date = attrs.field(validator=check.a_date)
    urgency: Urgency = attrs.field(default=Urgency.ROUTINE, validator=check.member_of(Urgency))
    status: ReferralStatus = attrs.field(
        default=ReferralStatus.PENDING, validator=check.member_of(ReferralStatus)
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    consent_override: ConsentOverride | None = attrs.field(
        default=None, validator=check.optional_instance(ConsentOverride)
    )
    response_due: date | None = attrs.field(
        default=None,
        validator=[check.optional_date, check.not_before("made_on", "referral.due_before_made")],
    )
    responded_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("made_on", "referral.response_before_made"),
        ],
    )
    rejection_reason: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    closed_on: date | None = attrs.field(
        default=None,
        validator=[check.optional_date, check.not_before("made_on", "referral.closed_before_made")],
    )
    outcome: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def is_open(self) -> bool:
        """Whether the referral is pending or accepted."""
        return self.status.is_open
