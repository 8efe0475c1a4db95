"""The URIs this plug-in writes: code systems, identifier systems and extensions.

They all live under :data:`BASE`.  They are this library's own naming, chosen so that a bundle
says where its codes come from; they are **not** published or endorsed by the Wladna programme
or by HL7, and nothing is served at these addresses.  Standard FHIR and terminology URIs
(v3 ``RoleCode``, BCP 47, ISO 3166) are used wherever one exists.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BASE",
    "BCP47",
    "BODY_KIND",
    "CASE_NUMBER",
    "EPISODE_OF_CARE_EXTENSION",
    "FAMILY_MEMBER_OF",
    "ISO_3166",
    "ISO_3166_2",
    "JUDICIAL_AUTHORITY",
    "LANGUAGE_EXTENSION",
    "NATIONALITY_EXTENSION",
    "REFERRAL_STATUS",
    "RELATION",
    "RSU_HOUSEHOLD",
    "SERVICE_TYPE",
    "SOCIAL_PROGRAMME",
    "TERRITORY_LEVEL",
    "V3_ROLE_CODE",
    "field_extension",
    "identifier_system",
]

#: The root of every URI this plug-in defines.
BASE: Final = "https://wladna.ma/fhir"

# --- standard URIs -------------------------------------------------------------------------------

#: HL7 v3 RoleCode: family relationships (``MTH``, ``FTH``, ``SIB``, ``GRPRN``...).
V3_ROLE_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
#: Languages as BCP 47 tags (``ar``, ``ary``, ``zgh``, ``fr``...).
BCP47: Final = "urn:ietf:bcp:47"
#: Countries as ISO 3166-1 alpha-2 codes.
ISO_3166: Final = "urn:iso:std:iso:3166"
#: Subdivisions as ISO 3166-2 codes (``MA-SAL``, ``MA-04``).
ISO_3166_2: Final = "urn:iso:std:iso:3166:-2"
#: The language of an element, here of the Arabic-script name of a child.
LANGUAGE_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/language"
#: A patient's nationality.
NATIONALITY_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/patient-nationality"
#: The episode of care a request belongs to (here: a referral's case).
EPISODE_OF_CARE_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"

# --- code systems --------------------------------------------------------------------------------

#: How a family member relates to the children of the household (``kafil``, ``kafila``...).
RELATION: Final = f"{BASE}/CodeSystem/relation"
#: The kind of a territorial body (``cppe``, ``cape``, ``upe``, ``eps``...).
BODY_KIND: Final = f"{BASE}/CodeSystem/body-kind"
#: The service a referral asks for (``medical``, ``psychosocial``...).
SERVICE_TYPE: Final = f"{BASE}/CodeSystem/service-type"
#: A referral's exact status (``pending``, ``accepted``, ``rejected``...).
REFERRAL_STATUS: Final = f"{BASE}/CodeSystem/referral-status"
#: The administrative level of a territory (``region``, ``province``, ``commune``...).
TERRITORY_LEVEL: Final = f"{BASE}/CodeSystem/territory-level"

# --- identifier systems --------------------------------------------------------------------------

#: A case's human number (``SAL-2026-000123``).
CASE_NUMBER: Final = f"{BASE}/sid/case-number"
#: A household's identifier in the Unified Social Register.
RSU_HOUSEHOLD: Final = f"{BASE}/sid/rsu-household"
#: A social programme targeted by a referral (``asd``, ``tayssir``...).
SOCIAL_PROGRAMME: Final = f"{BASE}/sid/social-programme"
#: The judicial authority targeted by a referral.
JUDICIAL_AUTHORITY: Final = f"{BASE}/sid/judicial-authority"

# --- extensions ----------------------------------------------------------------------------------

#: The household (``Group``) a ``RelatedPerson`` is a member of.
FAMILY_MEMBER_OF: Final = f"{BASE}/StructureDefinition/family-member-of"


def identifier_system(scheme: str) -> str:
    """Return the identifier system of a child's identifier scheme.

    >>> identifier_system("idcs")
    'https://wladna.ma/fhir/sid/idcs'
    """
    return f"{BASE}/sid/{scheme.replace('_', '-')}"


def field_extension(record: str, field: str) -> str:
    """Return the URL of the extension that carries ``field`` of a ``record`` kind.

    Every field that FHIR has no element for travels in such an extension.

    >>> field_extension("case", "follow_ups")
    'https://wladna.ma/fhir/StructureDefinition/case-follow-ups'
    """
    return f"{BASE}/StructureDefinition/{record}-{field.replace('_', '-')}"
