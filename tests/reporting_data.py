"""Hand-made records for the reporting tests, whose figures are worked out by hand.

Two bodies (the CPPE of Salé and of Rabat), three children, three cases, three referrals; the
report date is 2026-01-01 (the strategies' REFERENCE_DATE).

========  =========  ==========  ===========  ==============  ===============================
case      province   opened      risk         assessed        closed
========  =========  ==========  ===========  ==============  ===============================
A         MA-SAL     2025-11-03  medium       no              no (registered), worker w1
B         MA-SAL     2025-10-01  high         2025-10-02 (1)  no (assessment), worker w1
C         MA-RAB     2025-06-01  medium       2025-06-11 (10) 2025-12-01 goals_achieved (183)
========  =========  ==========  ===========  ==============  ===============================

Children: A a girl born 2014-03-02 (11 at opening), B a boy born 2021-06-01 (4), C a girl born
2009-01-10 (16).  Concerns: A neglect; B neglect and begging; C child labour.

Referrals: R1 of A to Tayssir, made 2025-11-13, pending (due 2025-11-18: overdue);
R2 of B to the CPPE of Rabat, made 2025-10-05, accepted 2025-10-08 (3 days);
R3 of C to ASD, made 2025-07-01, rejected 2025-07-11 (10 days).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from wladna_core.model import (
    Assessment,
    BodyKind,
    Case,
    CaseStatus,
    Child,
    Closure,
    ClosureReason,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
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
)

ON = date(2026, 1, 1)


def _child(sex: Sex, born: date, name: str, idcs: str, residence: str) -> Child:
    return Child(
        sex=sex,
        birth_date=born,
        given_name=name,
        family_name="Alaoui",
        residence=residence,
        identifiers=(Identifier(IdentifierScheme.IDCS, idcs),),
    )


def _family(child: Child) -> Family:
    return Family(
        members=(
            FamilyMember(Relation.CHILD, given_name=child.given_name, child_id=child.id),
            FamilyMember(
                Relation.MOTHER, given_name="Khadija", caregiver=True, birth_date=date(1980, 5, 5)
            ),
        ),
        residence=child.residence,
    )


def _case(child: Child, family: Family, body: TerritorialBody, opened: date, **fields: Any) -> Case:
    return Case(
        child_id=child.id,
        body_id=body.id,
        territory=body.territory,
        opened_on=opened,
        identification=Identification(IdentificationSource.SCHOOL, on=opened),
        family_id=family.id,
        consent=Consent(
            recorded_on=opened, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
        ),
        **fields,
    )


def records() -> list[Any]:
    """Return every record, in an order a store can add them."""
    sale = TerritorialBody(name="CPPE de Salé", kind=BodyKind.CPPE, territory="MA-SAL")
    rabat = TerritorialBody(name="CPPE de Rabat", kind=BodyKind.CPPE, territory="MA-RAB")
    amina = _child(Sex.FEMALE, date(2014, 3, 2), "Amina", "1000000001", "MA-SAL")
    youssef = _child(Sex.MALE, date(2021, 6, 1), "Youssef", "1000000002", "MA-SAL")
    salma = _child(Sex.FEMALE, date(2009, 1, 10), "Salma", "1000000003", "MA-RAB")
    families = [_family(child) for child in (amina, youssef, salma)]
    case_a = _case(
        amina,
        families[0],
        sale,
        date(2025, 11, 3),
        concerns={ProtectionConcern.NEGLECT},
        worker_id="w1",
    )
    case_b = _case(
        youssef,
        families[1],
        sale,
        date(2025, 10, 1),
        status=CaseStatus.ASSESSMENT,
        risk=RiskLevel.HIGH,
        concerns={ProtectionConcern.NEGLECT, ProtectionConcern.BEGGING},
        assessment=Assessment(on=date(2025, 10, 2), by="w1", risk=RiskLevel.HIGH),
        worker_id="w1",
    )
    case_c = _case(
        salma,
        families[2],
        rabat,
        date(2025, 6, 1),
        status=CaseStatus.CLOSED,
        concerns={ProtectionConcern.CHILD_LABOUR},
        assessment=Assessment(on=date(2025, 6, 11), by="w2", risk=RiskLevel.MEDIUM),
        closure=Closure(on=date(2025, 12, 1), reason=ClosureReason.GOALS_ACHIEVED),
        worker_id="w2",
    )
    r1 = Referral(
        case_id=case_a.id,
        from_body=sale.id,
        target=ReferralTarget.to_programme(SocialProgramme.TAYSSIR),
        service=ServiceType.EDUCATION,
        made_on=date(2025, 11, 13),
    )
    r2 = Referral(
        case_id=case_b.id,
        from_body=sale.id,
        target=ReferralTarget.to_body(rabat.id),
        service=ServiceType.PSYCHOSOCIAL,
        made_on=date(2025, 10, 5),
        status=ReferralStatus.ACCEPTED,
        responded_on=date(2025, 10, 8),
    )
    r3 = Referral(
        case_id=case_c.id,
        from_body=rabat.id,
        target=ReferralTarget.to_programme(SocialProgramme.ASD),
        service=ServiceType.SOCIAL_ASSISTANCE,
        made_on=date(2025, 7, 1),
        status=ReferralStatus.REJECTED,
        responded_on=date(2025, 7, 11),
        closed_on=date(2025, 7, 11),
        rejection_reason="The household is not registered in the RSU.",
    )
    return [sale, rabat, amina, youssef, salma, *families, case_a, case_b, case_c, r1, r2, r3]


def with_worker(case: Case, worker: str | None) -> Case:
    """Return ``case`` assigned to ``worker``."""
    return attrs.evolve(case, worker_id=worker)
