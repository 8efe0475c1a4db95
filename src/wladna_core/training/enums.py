"""The closed vocabularies of the training and support programme.

Like :mod:`wladna_core.model.enums`, every enumeration is a :class:`enum.StrEnum` whose values are
stable codes written in JSON, databases and reports; values never change once released, new
members may be added.
"""

from __future__ import annotations

import enum

__all__ = [
    "Criterion",
    "Delivery",
    "InternetAccess",
    "MaterialKind",
    "NeedCode",
    "RecommendationCode",
    "Sector",
    "SessionMode",
    "StaffRole",
    "Subject",
    "SupportStatus",
]


class StaffRole(enum.StrEnum):
    """What a member of staff does in a body, as a training programme targets it.

    The first six values are those of :class:`wladna_core.access.Role`, so that the units a role
    must complete before writing casework can be named with the same codes; the others are
    roles of the bodies' staff that the information base does not know as such.
    """

    CASE_WORKER = "case_worker"
    SUPERVISOR = "supervisor"
    BODY_COORDINATOR = "body_coordinator"
    SERVICE_PROVIDER = "service_provider"
    NATIONAL_ANALYST = "national_analyst"
    ADMIN = "admin"
    #: A social worker, psychologist or educator working with children and families.
    SOCIAL_WORKER = "social_worker"
    #: The person an institution names as its contact in a body.
    FOCAL_POINT = "focal_point"
    #: Enters and keeps the records of the information base.
    DATA_OFFICER = "data_officer"
    #: Trains other staff (training of trainers).
    TRAINER = "trainer"
    OTHER = "other"


class Delivery(enum.StrEnum):
    """Whether a training unit can be given remotely."""

    #: The unit can be given remotely, in person or both at once.
    REMOTE_CAPABLE = "remote_capable"
    #: The unit needs the participants' physical attendance (the unit says why).
    PHYSICAL_ONLY = "physical_only"


class Subject(enum.StrEnum):
    """What a training unit, or a request for support, is about."""

    #: The information base itself: recording, searching and reporting cases.
    INFORMATION_BASE = "information_base"
    CASE_MANAGEMENT = "case_management"
    #: Methods of work with children in street situations.
    STREET_CHILDREN = "street_children"
    VIOLENCE_AND_EXPLOITATION = "violence_and_exploitation"
    LEGAL_FRAMEWORK = "legal_framework"
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support"
    FAMILY_SUPPORT = "family_support"
    #: Referral between bodies and to social programmes.
    REFERRAL_CIRCUIT = "referral_circuit"
    #: Steering and coordination of the territorial bodies (CPPE, CAPE).
    BODY_STEERING = "body_steering"
    DATA_PROTECTION = "data_protection"
    OTHER = "other"


class MaterialKind(enum.StrEnum):
    """What a material of the educational bag is."""

    GUIDE = "guide"
    SLIDES = "slides"
    VIDEO = "video"
    EXERCISE = "exercise"
    CASE_STUDY = "case_study"
    TEST = "test"
    TEMPLATE = "template"
    REFERENCE_TEXT = "reference_text"
    OTHER = "other"


class InternetAccess(enum.StrEnum):
    """The Internet access a site has, from none to broadband; members compare in that order."""

    NONE = "none"
    MOBILE = "mobile"
    BROADBAND = "broadband"

    @property
    def rank(self) -> int:
        """The place of this access in the order none < mobile < broadband."""
        return _ACCESS_ORDER.index(self)

    def at_least(self, other: InternetAccess) -> bool:
        """Return whether this access is ``other`` or better."""
        return self.rank >= InternetAccess(other).rank


_ACCESS_ORDER = (InternetAccess.NONE, InternetAccess.MOBILE, InternetAccess.BROADBAND)


class SessionMode(enum.StrEnum):
    """How a training session is held."""

    REMOTE = "remote"
    IN_PERSON = "in_person"
    #: Some participants in the room, others connected remotely.
    HYBRID = "hybrid"

    @property
    def has_venue(self) -> bool:
        """Whether some participants meet in a room (in person or hybrid)."""
        return self is not SessionMode.REMOTE


class Sector(enum.StrEnum):
    """The institution a participant or a trainer belongs to."""

    #: The ministry in charge of social action and the family (central or territorial services).
    MINISTRY = "ministry"
    ENTRAIDE_NATIONALE = "entraide_nationale"
    ASSOCIATION = "association"
    #: Prosecution, juvenile judges and the courts' social services.
    JUSTICE = "justice"
    HEALTH = "health"
    EDUCATION = "education"
    #: National security (police).
    POLICE = "police"
    GENDARMERIE = "gendarmerie"
    LOCAL_AUTHORITY = "local_authority"
    #: An international partner (a United Nations agency, the European Union...).
    INTERNATIONAL_PARTNER = "international_partner"
    #: A university, a training institute or an independent expert.
    ACADEMIC = "academic"
    OTHER = "other"


class Criterion(enum.StrEnum):
    """What a participant rates in an evaluation (see :data:`~.evaluations.RATING_SCALE`)."""

    CONTENT = "content"
    TRAINERS = "trainers"
    MATERIALS = "materials"
    LOGISTICS = "logistics"
    RELEVANCE = "relevance"


class NeedCode(enum.StrEnum):
    """A training need a participant expresses in an evaluation."""

    MORE_PRACTICE = "more_practice"
    INFORMATION_BASE_USE = "information_base_use"
    CASE_MANAGEMENT_TOOLS = "case_management_tools"
    LEGAL_FRAMEWORK = "legal_framework"
    STREET_CHILDREN_METHODS = "street_children_methods"
    VIOLENCE_AND_EXPLOITATION = "violence_and_exploitation"
    REFERRAL_PROCEDURES = "referral_procedures"
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support"
    DATA_PROTECTION = "data_protection"
    EQUIPMENT = "equipment"
    CONNECTIVITY = "connectivity"
    FOLLOW_UP_COACHING = "follow_up_coaching"
    OTHER = "other"


class RecommendationCode(enum.StrEnum):
    """A recommendation a participant makes for the next courses."""

    LONGER_SESSIONS = "longer_sessions"
    SHORTER_SESSIONS = "shorter_sessions"
    MORE_CASE_STUDIES = "more_case_studies"
    MORE_IN_PERSON = "more_in_person"
    MORE_REMOTE = "more_remote"
    SMALLER_GROUPS = "smaller_groups"
    MATERIALS_IN_ARABIC = "materials_in_arabic"
    MATERIALS_EARLIER = "materials_earlier"
    FOLLOW_UP_SESSION = "follow_up_session"
    BETTER_CONNECTIVITY = "better_connectivity"
    OTHER = "other"


class SupportStatus(enum.StrEnum):
    """Where a request for support stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"

    @property
    def is_open(self) -> bool:
        """Whether the request still awaits an answer."""
        return self is not SupportStatus.RESOLVED
