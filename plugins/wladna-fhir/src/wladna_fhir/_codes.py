"""How the model's statuses and codes meet FHIR's value sets, in both directions."""

from __future__ import annotations

from typing import Final

from wladna_core.model import CaseStatus, ReferralStatus, Relation, Sex, Urgency

#: EpisodeOfCare.status of each case status; the exact status travels in an extension.
EPISODE_STATUS: Final[dict[CaseStatus, str]] = {
    CaseStatus.REGISTERED: "active",
    CaseStatus.ASSESSMENT: "active",
    CaseStatus.CASE_PLAN: "active",
    CaseStatus.IMPLEMENTATION: "active",
    CaseStatus.FOLLOW_UP: "active",
    CaseStatus.REOPENED: "active",
    CaseStatus.CLOSED: "finished",
    # The work goes on elsewhere, under another case: this episode is over.
    CaseStatus.TRANSFERRED: "finished",
    # Merged into another case: this episode should not have existed.
    CaseStatus.DUPLICATE: "entered-in-error",
}

#: ServiceRequest.status of each referral status.
REQUEST_STATUS: Final[dict[ReferralStatus, str]] = {
    ReferralStatus.PENDING: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.REJECTED: "revoked",
    ReferralStatus.CANCELLED: "revoked",
    ReferralStatus.COMPLETED: "completed",
}

#: Task.status of each referral status; Task.businessStatus carries the exact one.
TASK_STATUS: Final[dict[ReferralStatus, str]] = {
    ReferralStatus.PENDING: "requested",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.REJECTED: "rejected",
    ReferralStatus.CANCELLED: "cancelled",
    ReferralStatus.COMPLETED: "completed",
}

#: ServiceRequest.priority of each urgency, and back.
PRIORITY: Final[dict[Urgency, str]] = {
    Urgency.IMMEDIATE: "stat",
    Urgency.URGENT: "urgent",
    Urgency.ROUTINE: "routine",
}
URGENCY: Final[dict[str, Urgency]] = {code: urgency for urgency, code in PRIORITY.items()}

#: HL7 v3 RoleCode of each relation, where one exists (an aunt or uncle's depends on sex).
ROLE_CODE: Final[dict[Relation, str]] = {
    Relation.CHILD: "CHILD",
    Relation.MOTHER: "MTH",
    Relation.FATHER: "FTH",
    Relation.SIBLING: "SIB",
    Relation.GRANDPARENT: "GRPRN",
    Relation.OTHER_RELATIVE: "EXT",
}
AUNT_UNCLE_CODE: Final[dict[Sex | None, str]] = {
    Sex.FEMALE: "AUNT",
    Sex.MALE: "UNCLE",
    None: "EXT",
}

#: HL7 v3 RoleCode display names of the codes above.
ROLE_DISPLAY: Final[dict[str, str]] = {
    "CHILD": "child",
    "MTH": "mother",
    "FTH": "father",
    "SIB": "sibling",
    "GRPRN": "grandparent",
    "EXT": "extended family member",
    "AUNT": "aunt",
    "UNCLE": "uncle",
}
