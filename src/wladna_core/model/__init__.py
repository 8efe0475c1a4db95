"""The domain model: attrs classes and enumerations, pure and free of I/O.

Every class is frozen (immutable, hashable); a change is a new instance made with
:func:`attrs.evolve`.  Construction enforces each record's invariants and raises
:class:`~wladna_core.errors.InvariantError` or :class:`TypeError` naming the field at fault.
"""

from wladna_core.model.bodies import FocalPoint, MemberInstitution, TerritorialBody
from wladna_core.model.cases import (
    Approval,
    Assessment,
    Case,
    CasePlan,
    Closure,
    ClosureRequest,
    Consent,
    ConsentOverride,
    ConsentWithdrawal,
    FollowUp,
    Goal,
    Identification,
    TransitionPlan,
)
from wladna_core.model.duplicates import DuplicatePair, PairStatus, pair_key
from wladna_core.model.enums import (
    BodyKind,
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    Difficulty,
    EnrolmentStatus,
    FollowUpKind,
    FunctionalDomain,
    IdentificationSource,
    IdentifierScheme,
    Institution,
    OverrideReason,
    ProtectionConcern,
    ReferralStatus,
    ReferralTargetKind,
    Relation,
    RiskLevel,
    Schooling,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritoryLevel,
    Urgency,
)
from wladna_core.model.families import Family, FamilyMember, KafalaDecision, ProgrammeEnrolment
from wladna_core.model.ids import new_id
from wladna_core.model.people import (
    IDENTIFIER_FORMATS,
    UNVERIFIED_IDENTIFIER_FORMATS,
    Child,
    FunctionalDifficulty,
    Identifier,
    age_on,
)
from wladna_core.model.programme_calendar import (
    PROGRAMME_CALENDAR,
    ProgrammeCalendar,
    ProgrammePeriod,
)
from wladna_core.model.referrals import Referral, ReferralTarget
from wladna_core.model.rollout import PILOT_PROVINCES, WLADNA_ROLLOUT, Rollout, RolloutStep
from wladna_core.model.territory import Gazetteer, Territory

#: The record types a store keeps, each with its own repository.
RECORD_TYPES = (TerritorialBody, Child, Family, Case, Referral)

__all__ = [
    "IDENTIFIER_FORMATS",
    "PILOT_PROVINCES",
    "PROGRAMME_CALENDAR",
    "RECORD_TYPES",
    "UNVERIFIED_IDENTIFIER_FORMATS",
    "WLADNA_ROLLOUT",
    "Approval",
    "Assessment",
    "BodyKind",
    "Case",
    "CasePlan",
    "CaseStatus",
    "Child",
    "Closure",
    "ClosureReason",
    "ClosureRequest",
    "Consent",
    "ConsentGiver",
    "ConsentOverride",
    "ConsentWithdrawal",
    "Difficulty",
    "DuplicatePair",
    "EnrolmentStatus",
    "Family",
    "FamilyMember",
    "FocalPoint",
    "FollowUp",
    "FollowUpKind",
    "FunctionalDifficulty",
    "FunctionalDomain",
    "Gazetteer",
    "Goal",
    "Identification",
    "IdentificationSource",
    "Identifier",
    "IdentifierScheme",
    "Institution",
    "KafalaDecision",
    "MemberInstitution",
    "OverrideReason",
    "PairStatus",
    "ProgrammeCalendar",
    "ProgrammeEnrolment",
    "ProgrammePeriod",
    "ProtectionConcern",
    "Referral",
    "ReferralStatus",
    "ReferralTarget",
    "ReferralTargetKind",
    "Relation",
    "RiskLevel",
    "Rollout",
    "RolloutStep",
    "Schooling",
    "ServiceType",
    "Sex",
    "SocialProgramme",
    "TerritorialBody",
    "Territory",
    "TerritoryLevel",
    "TransitionPlan",
    "Urgency",
    "age_on",
    "new_id",
    "pair_key",
]
