"""Which fields of each record standard FHIR elements carry; extensions carry the others."""

from __future__ import annotations

from typing import Final

from wladna_core.model import Case, Child, Family, FamilyMember, Referral, TerritorialBody

from wladna_fhir._fields import RecordSpec

CHILD: Final = RecordSpec(
    "child",
    Child,
    standard=frozenset(
        {
            "sex",
            "birth_date",
            "given_name",
            "family_name",
            "given_name_ar",
            "family_name_ar",
            "nickname",
            "nationality",
            "identifiers",
            "languages",
            "id",
            "version",
        }
    ),
    territories=frozenset({"residence"}),
)
FAMILY: Final = RecordSpec(
    "family",
    Family,
    standard=frozenset({"members", "rsu_id", "id", "version"}),
    territories=frozenset({"residence"}),
)
FAMILY_MEMBER: Final = RecordSpec(
    "family-member",
    FamilyMember,
    standard=frozenset({"relation", "given_name", "family_name", "sex", "birth_date", "phone"}),
)
BODY: Final = RecordSpec(
    "body",
    TerritorialBody,
    standard=frozenset({"name", "kind", "active", "id", "version"}),
    territories=frozenset({"territory"}),
)
CASE: Final = RecordSpec(
    "case",
    Case,
    standard=frozenset({"child_id", "body_id", "opened_on", "number", "id", "version"}),
    # EpisodeOfCare.status is coarser than a case's status: the exact one is always written.
    always=frozenset({"status", "risk"}),
    territories=frozenset({"territory"}),
)
REFERRAL: Final = RecordSpec(
    "referral",
    Referral,
    standard=frozenset(
        {
            "case_id",
            "from_body",
            "target",
            "service",
            "made_on",
            "urgency",
            "status",
            "note",
            "response_due",
            "rejection_reason",
            "outcome",
            "id",
            "version",
        }
    ),
)
