"""A case with one record of each kind of the case file, for the tests of several modules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casework import TODAY
from wladna_core.casefile.care import CareArrangement, CareType
from wladna_core.casefile.documents import DocumentCategory
from wladna_core.casefile.incidents import (
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.participation import Decision, Hearing
from wladna_core.casefile.tracing import Reunification, TracingAction, TracingMethod
from wladna_core.model import (
    ClosureReason,
    ProtectionConcern,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
)

if TYPE_CHECKING:
    from casework import Deployment


def case_with_a_full_file(dep: Deployment) -> tuple[str, dict[str, str]]:
    """Open a high-risk case at the UPE of Salé and record one record of each case-file kind.

    The deployment needs a document store (``documents.url``).  The closure the case worker
    asks for leaves a pending approval.

    :returns: the case's id, and the id of each record by its kind's name.
    """
    case = dep.case(risk=RiskLevel.HIGH)
    cf = dep.as_(dep.worker).casefile
    ids = {
        "care_arrangement": cf.record_care(
            CareArrangement(case_id=case.id, type=CareType.PARENTS, started_on=date(2015, 6, 1))
        ).record.id,
        "service_delivery": cf.record_service(
            case.id, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id
        ).record.id,
        "document": cf.attach_document(
            case.id,
            b"%PDF jugement",
            title="Jugement",
            category=DocumentCategory.OTHER,
            media_type="application/pdf",
        ).record.id,
        "tracing_action": cf.record_tracing(
            TracingAction(
                case_id=case.id, on=TODAY, method=TracingMethod.HOME_VISIT, sought="le père"
            )
        ).record.id,
        "reunification": cf.record_reunification(
            Reunification(
                case_id=case.id, on=TODAY, with_whom=Relation.MOTHER, where="MA-SAL", verified=True
            )
        ).record.id,
        "concern_detail": cf.record_concern_detail(case.id, ProtectionConcern.NEGLECT).record.id,
        "participation": cf.record_participation(
            case.id,
            decision=Decision.ASSESSMENT,
            heard=Hearing.IN_PERSON,
            views="Elle veut rester à l'école.",
            taken_into_account="Scolarité maintenue dans le plan.",
        ).record.id,
        "incident": cf.record_incident(
            Incident(
                case_ids=[case.id],
                type=IncidentType.NEGLECT,
                occurred_on=TODAY,
                place="home",
                territory="MA-SAL",
                perpetrator=Perpetrator.PARENT,
                disclosure=Disclosure(TODAY, DisclosedBy.PROFESSIONAL),
                actions={IncidentAction.PSYCHOLOGICAL_SUPPORT},
            )
        ).record.id,
        "outreach_contact": cf.record_outreach(
            OutreachContact(
                body_id=dep.upe.id,
                territory="MA-SAL",
                place="Gare routière",
                on=TODAY,
                team="Équipe mobile",
                child=ChildAsMet(alias="Simo", approximate_age=12, sex=Sex.MALE),
                offered={OutreachOffer.FOOD},
                agreed=True,
            )
        ).record.id,
    }
    dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED, note="Back at school")
    [approval] = cf.approvals(case.id)
    ids["approval"] = approval.id
    return case.id, ids
