"""The closed vocabularies of the domain.

Every enumeration is a :class:`enum.StrEnum` whose values are the stable codes that appear in
JSON, in the database and in reports.  Values never change once released; new members may be
added.
"""

from __future__ import annotations

import enum

__all__ = [
    "BodyKind",
    "CaseStatus",
    "ClosureReason",
    "ConsentGiver",
    "Difficulty",
    "EnrolmentStatus",
    "FollowUpKind",
    "FunctionalDomain",
    "IdentificationSource",
    "IdentifierScheme",
    "Institution",
    "OverrideReason",
    "ProtectionConcern",
    "ReferralStatus",
    "ReferralTargetKind",
    "Relation",
    "RiskLevel",
    "Schooling",
    "ServiceType",
    "Sex",
    "SocialProgramme",
    "TerritoryLevel",
    "Urgency",
]


class Sex(enum.StrEnum):
    """Sex of a child or family member, as recorded by civil status or observed."""

    FEMALE = "female"
    MALE = "male"


class RiskLevel(enum.StrEnum):
    """Level of risk to the child, set at registration and revised by the assessment."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class CaseStatus(enum.StrEnum):
    """Where a case stands in the case-management circuit (see :mod:`wladna_core.workflow`)."""

    REGISTERED = "registered"
    ASSESSMENT = "assessment"
    CASE_PLAN = "case_plan"
    IMPLEMENTATION = "implementation"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    REOPENED = "reopened"
    TRANSFERRED = "transferred"
    DUPLICATE = "duplicate"

    @property
    def is_active(self) -> bool:
        """Whether work still goes on in a case of this status."""
        return self not in _INACTIVE_CASE_STATUSES


_INACTIVE_CASE_STATUSES = frozenset(
    {CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.DUPLICATE},
)


class ReferralStatus(enum.StrEnum):
    """Where a referral stands: ``pending`` until the target answers."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def is_open(self) -> bool:
        """Whether the referral still awaits an answer or a service (pending or accepted)."""
        return self in {ReferralStatus.PENDING, ReferralStatus.ACCEPTED}


class ProtectionConcern(enum.StrEnum):
    """What the child needs protection from (several may apply to one case)."""

    PHYSICAL_VIOLENCE = "physical_violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    PSYCHOLOGICAL_VIOLENCE = "psychological_violence"
    NEGLECT = "neglect"
    ABANDONMENT = "abandonment"
    CHILD_LABOUR = "child_labour"
    HAZARDOUS_WORK = "hazardous_work"
    DOMESTIC_WORK = "domestic_work"
    BEGGING = "begging"
    ECONOMIC_EXPLOITATION = "economic_exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    TRAFFICKING = "trafficking"
    CHILD_MARRIAGE = "child_marriage"
    STREET_SITUATION = "street_situation"
    IN_CONFLICT_WITH_THE_LAW = "in_conflict_with_the_law"
    UNACCOMPANIED = "unaccompanied"
    SEPARATED = "separated"
    MIGRANT = "migrant"
    WITHOUT_FAMILY_CARE = "without_family_care"
    LACK_OF_DOCUMENTATION = "lack_of_documentation"
    SUBSTANCE_USE = "substance_use"
    ONLINE_ABUSE = "online_abuse"
    OTHER = "other"


class ServiceType(enum.StrEnum):
    """The kind of service a referral asks for or a body offers."""

    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL_AID = "legal_aid"
    JUDICIAL_PROTECTION = "judicial_protection"
    PLACEMENT = "placement"
    EDUCATION = "education"
    VOCATIONAL_TRAINING = "vocational_training"
    FAMILY_TRACING = "family_tracing"
    SOCIAL_ASSISTANCE = "social_assistance"
    CIVIL_REGISTRATION = "civil_registration"
    DISABILITY_SERVICES = "disability_services"
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment"
    OTHER = "other"


class Relation(enum.StrEnum):
    """How a household member relates to the children of the household.

    There is no adoptive parent: adoption has no effect in Moroccan law.  A child taken in under
    kafala has a ``kafil`` (man) or ``kafila`` (woman), which needs a judicial decision.
    ``child`` is a member who is themself a child of the household (linked to a :class:`Child`
    record when one exists).
    """

    CHILD = "child"
    MOTHER = "mother"
    FATHER = "father"
    KAFIL = "kafil"
    KAFILA = "kafila"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    AUNT_UNCLE = "aunt_uncle"
    OTHER_RELATIVE = "other_relative"
    NON_RELATIVE = "non_relative"

    @property
    def is_kafala(self) -> bool:
        """Whether the relation exists only through a kafala decision."""
        return self in {Relation.KAFIL, Relation.KAFILA}


class BodyKind(enum.StrEnum):
    """The kinds of territorial body of the Wladna system.

    - ``cppe``: provincial child-protection committee, chaired by the governor, one per province
      or prefecture;
    - ``cape``: *centre d'accompagnement pour la protection de l'enfance*, an Entraide
      Nationale team that is the permanent secretariat of its province's CPPE
      (:attr:`TerritorialBody.secretariat_of <wladna_core.model.TerritorialBody.secretariat_of>`);
    - ``upe``: child-protection unit (identification and first response), set up from 2007,
      before the 2015 policy;
    - ``eps``: social-protection establishment (residential care);
    - ``association``: a civil-society organisation taking part in the circuit;
    - ``ministry``: a ministry or central administration;
    - ``social_service``: a social-services body outside the Wladna bodies (the social service
      of a hospital or of a commune, a delegation of the Entraide Nationale...);
    - ``public_service``: a public service outside the ministry in charge of children (a
      school, a health centre, a police or gendarmerie unit, a prosecutor's office), named by
      its sector (:attr:`TerritorialBody.sector <wladna_core.model.TerritorialBody.sector>`),
      so that a referral to it can be made and followed.
    """

    CPPE = "cppe"
    CAPE = "cape"
    UPE = "upe"
    EPS = "eps"
    ASSOCIATION = "association"
    MINISTRY = "ministry"
    SOCIAL_SERVICE = "social_service"
    PUBLIC_SERVICE = "public_service"

    @property
    def is_service(self) -> bool:
        """Whether it is a social or public service outside the Wladna bodies."""
        return self in {BodyKind.SOCIAL_SERVICE, BodyKind.PUBLIC_SERVICE}


class Institution(enum.StrEnum):
    """Institutions that sit in a territorial body and name a focal point there.

    They are also the sectors a social or public service belongs to.
    """

    SOCIAL_ACTION = "social_action"
    ENTRAIDE_NATIONALE = "entraide_nationale"
    PROSECUTION = "prosecution"
    JUVENILE_JUDGE = "juvenile_judge"
    NATIONAL_SECURITY = "national_security"
    GENDARMERIE = "gendarmerie"
    HEALTH = "health"
    EDUCATION = "education"
    LOCAL_AUTHORITY = "local_authority"
    ASSOCIATION = "association"


class IdentifierScheme(enum.StrEnum):
    """Schemes of the identifiers a child may carry.

    - ``idcs``: the *identifiant digital civil et social* given on registration in the National
      Population Register (Law 72-18, Decree 2-21-473); not a civil-status number.  Its format
      is not verified: the ten-digit check only warns;
    - ``cnie``: electronic national identity card number (checked leniently: one or two letters
      and five or six digits, which is not an official format);
    - ``passport``: a passport number, any issuing state;
    - ``civil_status_act``: the reference of the birth act in the civil-status register;
    - ``other``: anything else a body uses, described in the identifier's ``issuer``.
    """

    IDCS = "idcs"
    CNIE = "cnie"
    PASSPORT = "passport"
    CIVIL_STATUS_ACT = "civil_status_act"
    OTHER = "other"


class TerritoryLevel(enum.StrEnum):
    """Administrative levels of Moroccan territory."""

    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    PREFECTURE_OF_ARRONDISSEMENTS = "prefecture_of_arrondissements"
    COMMUNE = "commune"

    @property
    def is_provincial(self) -> bool:
        """Whether this is the province/prefecture level, where a CPPE sits."""
        return self in {
            TerritoryLevel.PROVINCE,
            TerritoryLevel.PREFECTURE,
            TerritoryLevel.PREFECTURE_OF_ARRONDISSEMENTS,
        }


class ConsentGiver(enum.StrEnum):
    """Who gave consent."""

    CHILD = "child"
    CAREGIVER = "caregiver"
    LEGAL_GUARDIAN = "legal_guardian"
    JUDICIAL_ORDER = "judicial_order"


class OverrideReason(enum.StrEnum):
    """Why a body acted without consent; always authorised by a supervisor."""

    BEST_INTEREST = "best_interest"
    EMERGENCY = "emergency"
    JUDICIAL_ORDER = "judicial_order"


class IdentificationSource(enum.StrEnum):
    """How a child at risk came to the attention of the system."""

    SELF = "self"
    FAMILY = "family"
    COMMUNITY = "community"
    SCHOOL = "school"
    HEALTH = "health"
    POLICE = "police"
    GENDARMERIE = "gendarmerie"
    PROSECUTION = "prosecution"
    ASSOCIATION = "association"
    HOTLINE = "hotline"
    OUTREACH = "outreach"
    OTHER = "other"


class ClosureReason(enum.StrEnum):
    """Why a case was closed."""

    GOALS_ACHIEVED = "goals_achieved"
    RISK_RESOLVED = "risk_resolved"
    REACHED_MAJORITY = "reached_majority"
    MOVED_AWAY = "moved_away"
    LOST_CONTACT = "lost_contact"
    SERVICES_REFUSED = "services_refused"
    DEATH = "death"
    OTHER = "other"


class ReferralTargetKind(enum.StrEnum):
    """What a referral is sent to."""

    BODY = "body"
    PROGRAMME = "programme"
    JUDICIAL = "judicial"


class Urgency(enum.StrEnum):
    """How fast the target of a referral should answer."""

    IMMEDIATE = "immediate"
    URGENT = "urgent"
    ROUTINE = "routine"


class SocialProgramme(enum.StrEnum):
    """Public social programmes a family may be referred to or enrolled in.

    - ``asd``: direct social support (aide sociale directe) to RSU-registered households;
    - ``amo_tadamon``: compulsory health insurance for people unable to pay contributions;
    - ``tayssir``: conditional cash transfers for schooling (replaced by ASD at the end of 2023);
    - ``daam``: direct support to widows with orphan children, from 2015 (replaced by ASD);
    - ``family_support_fund``: the Family Support Fund (replaced by ASD);
    - ``entraide_nationale``: services of the Entraide Nationale;
    - ``other``: any other programme, named in the enrolment.

    When each was in force: :data:`wladna_core.model.PROGRAMME_CALENDAR`.
    """

    ASD = "asd"
    AMO_TADAMON = "amo_tadamon"
    TAYSSIR = "tayssir"
    DAAM = "daam"
    FAMILY_SUPPORT_FUND = "family_support_fund"
    ENTRAIDE_NATIONALE = "entraide_nationale"
    OTHER = "other"


class EnrolmentStatus(enum.StrEnum):
    """State of a household's enrolment in a social programme."""

    APPLIED = "applied"
    ENROLLED = "enrolled"
    SUSPENDED = "suspended"
    ENDED = "ended"
    REFUSED = "refused"


class FunctionalDomain(enum.StrEnum):
    """Domains of functioning of the Washington Group / UNICEF child functioning module."""

    SEEING = "seeing"
    HEARING = "hearing"
    WALKING = "walking"
    FINE_MOTOR = "fine_motor"
    COMMUNICATION = "communication"
    LEARNING = "learning"
    REMEMBERING = "remembering"
    CONCENTRATING = "concentrating"
    SELF_CARE = "self_care"
    BEHAVIOUR = "behaviour"
    ANXIETY = "anxiety"
    DEPRESSION = "depression"


class Difficulty(enum.StrEnum):
    """Degree of difficulty on the Washington Group scale (``no difficulty`` is not recorded)."""

    SOME = "some"
    A_LOT = "a_lot"
    CANNOT_DO_AT_ALL = "cannot_do_at_all"


class Schooling(enum.StrEnum):
    """A child's schooling situation."""

    ENROLLED = "enrolled"
    DROPPED_OUT = "dropped_out"
    NEVER_ENROLLED = "never_enrolled"
    VOCATIONAL = "vocational"
    NOT_OF_SCHOOL_AGE = "not_of_school_age"


class FollowUpKind(enum.StrEnum):
    """How a follow-up was done."""

    HOME_VISIT = "home_visit"
    OFFICE_VISIT = "office_visit"
    PHONE_CALL = "phone_call"
    CASE_CONFERENCE = "case_conference"
    PLAN_REVIEW = "plan_review"
