"""A handmade case file with one of everything a bundle carries."""

from __future__ import annotations

from datetime import date

import pytest
from wladna_core.model import (
    Assessment,
    BodyKind,
    Case,
    CaseStatus,
    Child,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
    KafalaDecision,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
    Urgency,
)

from wladna_fhir import CaseBundle

CAPE_ID = "0190a8c0-0000-7000-8000-000000000001"
EPS_ID = "0190a8c0-0000-7000-8000-000000000002"
CHILD_ID = "0190a8c0-0000-7000-8000-000000000003"
FAMILY_ID = "0190a8c0-0000-7000-8000-000000000004"
CASE_ID = "0190a8c0-0000-7000-8000-000000000005"
TO_BODY_ID = "0190a8c0-0000-7000-8000-000000000006"
TO_PROGRAMME_ID = "0190a8c0-0000-7000-8000-000000000007"
TO_JUDGE_ID = "0190a8c0-0000-7000-8000-000000000008"


@pytest.fixture
def amina() -> CaseBundle:
    """Amina, 11, under kafala in Salé, followed by the CAPE of Salé, referred three times."""
    cape = TerritorialBody(
        "Centre d'accompagnement pour la protection de l'enfance de Salé",
        BodyKind.CAPE,
        "MA-SAL",
        services=[ServiceType.PSYCHOSOCIAL, ServiceType.LEGAL_AID],
        id=CAPE_ID,
        version=3,
    )
    eps = TerritorialBody(
        "Établissement de protection sociale de Rabat", BodyKind.EPS, "MA-RAB", id=EPS_ID
    )
    child = Child(
        Sex.FEMALE,
        date(2014, 3, 2),
        given_name="Amina",
        family_name="El Idrissi",
        given_name_ar="أمينة",
        family_name_ar="الإدريسي",
        nickname="Mimi",
        nationality="MA",
        identifiers=[Identifier(IdentifierScheme.IDCS, "1234567890", issuer="État civil Salé")],
        birth_registered=True,
        residence="MA-SAL",
        languages=["ary", "ar"],
        id=CHILD_ID,
        version=2,
    )
    family = Family(
        members=[
            FamilyMember(Relation.CHILD, given_name="Amina", sex=Sex.FEMALE, child_id=CHILD_ID),
            FamilyMember(
                Relation.KAFILA,
                given_name="Khadija",
                family_name="Bennani",
                sex=Sex.FEMALE,
                birth_date=date(1980, 5, 17),
                caregiver=True,
                phone="+212600000000",
                kafala=KafalaDecision(
                    "Tribunal de première instance de Salé", "123/2019", date(2019, 2, 1)
                ),
            ),
            FamilyMember(Relation.MOTHER, given_name="Fatima", alive=False),
            FamilyMember(Relation.AUNT_UNCLE, given_name="Omar", sex=Sex.MALE),
        ],
        residence="MA-SAL",
        rsu_id="RSU-0042",
        socio_economic_index=0.35,
        id=FAMILY_ID,
        version=1,
    )
    opened = date(2025, 9, 15)
    case = Case(
        child_id=CHILD_ID,
        body_id=CAPE_ID,
        territory="MA-SAL",
        opened_on=opened,
        identification=Identification(IdentificationSource.SCHOOL, date(2025, 9, 12)),
        status=CaseStatus.IMPLEMENTATION,
        risk=RiskLevel.HIGH,
        concerns=[ProtectionConcern.NEGLECT, ProtectionConcern.PSYCHOLOGICAL_VIOLENCE],
        family_id=FAMILY_ID,
        worker_id="worker-07",
        number="SAL-2025-000042",
        consent=Consent(opened, ConsentGiver.LEGAL_GUARDIAN, services=True, sharing=True),
        assessment=Assessment(date(2025, 9, 20), "worker-07", RiskLevel.HIGH, "Suivi requis."),
        id=CASE_ID,
        version=4,
    )
    referrals = (
        Referral(
            CASE_ID,
            CAPE_ID,
            ReferralTarget.to_body(EPS_ID),
            ServiceType.PLACEMENT,
            date(2025, 10, 1),
            urgency=Urgency.URGENT,
            status=ReferralStatus.REJECTED,
            note="Placement temporaire demandé.",
            response_due=date(2025, 10, 8),
            responded_on=date(2025, 10, 3),
            rejection_reason="Service saturé, réorienter vers un autre centre.",
            closed_on=date(2025, 10, 3),
            id=TO_BODY_ID,
            version=2,
        ),
        Referral(
            CASE_ID,
            CAPE_ID,
            ReferralTarget.to_programme(SocialProgramme.TAYSSIR),
            ServiceType.EDUCATION,
            date(2025, 10, 2),
            status=ReferralStatus.COMPLETED,
            responded_on=date(2025, 10, 10),
            closed_on=date(2025, 11, 1),
            outcome="The child was enrolled in the programme.",
            id=TO_PROGRAMME_ID,
        ),
        Referral(
            CASE_ID,
            CAPE_ID,
            ReferralTarget.to_judicial_authority(),
            ServiceType.JUDICIAL_PROTECTION,
            date(2025, 10, 5),
            urgency=Urgency.IMMEDIATE,
            id=TO_JUDGE_ID,
        ),
    )
    return CaseBundle(case, child, family, referrals, (cape, eps))
