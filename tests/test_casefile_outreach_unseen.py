"""Refusals of an unseen record and of an unknown one are alike, for every service of outreach,
tracing and reunification, participation, concern details and documents, on every store.

For every service taking an id and every kind of actor — the case's own body (case worker,
supervisor, coordinator), a coordinator of the territory covering it, the target of a referral
(limited view), another body, a national analyst — a real id the actor may not read and an id
that does not exist give the same exception, with the same reason and the same message once the
id is replaced: a refusal never tells that a record exists, nor which case it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deployed, examples
from wladna_core.access import Actor, Role
from wladna_core.casefile.concerns import ConcernDetail
from wladna_core.casefile.documents import DocumentCategory, Sensitivity
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.participation import Decision, Hearing
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.model import (
    BodyKind,
    Child,
    Consent,
    ConsentGiver,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
    TerritorialBody,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from wladna_core.casefile import CaseFile


@dataclass
class Side:
    """The ids of one case and its records, and of one body's outreach contact."""

    body: str
    case: str
    tracing: str
    reunification: str
    concern: str
    document: str
    contact: str


def _records(dep: Deployment, actor: Actor, body: TerritorialBody, residence: str) -> Side:
    work = dep.as_(actor)
    child = work.register_child(
        Child(
            sex=Sex.FEMALE,
            birth_date=date(2015, 6, 1),
            given_name="Salma",
            family_name="Bennani",
            residence=residence,
        )
    ).record
    case = work.open_case(
        child_id=child.id,
        body_id=body.id,
        identification=Identification(IdentificationSource.SCHOOL, TODAY),
        risk=RiskLevel.HIGH,
        concerns=[ProtectionConcern.NEGLECT],
        consent=Consent(
            recorded_on=TODAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
        ),
        on=TODAY,
    ).record
    cf = work.casefile
    tracing = cf.record_tracing(
        TracingAction(case_id=case.id, on=TODAY, method=TracingMethod.HOME_VISIT, sought="la mère")
    ).record
    reunification = cf.record_reunification(
        Reunification(
            case_id=case.id,
            on=TODAY,
            with_whom=Relation.MOTHER,
            where=residence,
            verified=True,
        )
    ).record
    concern = cf.record_concern_detail(case.id, ProtectionConcern.NEGLECT).record
    document = cf.attach_document(
        case.id, b"%PDF acte", title="Acte", category=DocumentCategory.OTHER, media_type="a/b"
    ).record
    contact = cf.record_outreach(
        OutreachContact(
            body_id=body.id,
            territory=residence,
            place="Gare routière",
            on=TODAY,
            team="Équipe mobile",
            child=ChildAsMet(alias="Simo", approximate_age=12, sex=Sex.MALE),
            offered={OutreachOffer.FOOD},
            agreed=True,
        )
    ).record
    return Side(body.id, case.id, tracing.id, reunification.id, concern.id, document.id, contact.id)


@dataclass
class World:
    """Two cases: one at the UPE of Salé (referred to the CAPE), one at the UPE of Tanger."""

    dep: Deployment
    sale: Side
    far: Side
    photo: str  # a very restricted document of the case of Salé
    actors: dict[str, Actor]

    def hidden(self, actor: str, kind: str) -> list[str]:
        """Return real ids of ``kind`` the actor may not read."""
        found = [getattr(self.far, kind)]
        not_of_sale = actor in {"covering_coordinator", "referral_target", "other_body", "analyst"}
        if kind == "document" and actor == "covering_coordinator":
            found.append(self.photo)
        if actor in {"referral_target", "other_body", "analyst"}:
            found.append(getattr(self.sale, kind))
            if kind == "document":
                found.append(self.photo)
        elif not_of_sale and kind in {"contact", "body"}:
            found.append(getattr(self.sale, kind))
        return found


def _world(dep: Deployment) -> World:
    admin = dep.as_(dep.admin)
    tanger = admin.register_body(
        TerritorialBody(name="UPE Tanger", kind=BodyKind.UPE, territory="MA-TNG")
    ).record
    far_worker = Actor("worker.tanger", {Role.CASE_WORKER}, {tanger.id})
    sale = _records(dep, dep.worker, dep.upe, "MA-SAL")
    far = _records(dep, far_worker, tanger, "MA-TNG")
    photo = (
        dep.as_(dep.worker)
        .casefile.attach_document(
            sale.case,
            b"\xff\xd8 photo",
            title="Photo",
            category=DocumentCategory.PHOTO,
            media_type="image/jpeg",
            sensitivity=Sensitivity.VERY_RESTRICTED,
        )
        .record
    )
    dep.as_(dep.worker).refer(sale.case, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL)
    actors = {
        "case_worker": dep.worker,
        "supervisor": dep.supervisor,
        "own_coordinator": Actor("coordinator.sale", {Role.BODY_COORDINATOR}, {dep.upe.id}),
        "covering_coordinator": dep.coordinator,
        "referral_target": dep.provider,
        "other_body": dep.outsider,
        "analyst": dep.analyst,
    }
    return World(dep, sale, far, photo.id, actors)


def _services(world: World) -> dict[str, tuple[str, Callable[[CaseFile, str], Any]]]:
    """Every service of the five groups taking an id: the kind of id, and how to call it."""
    visit = FollowUpVisit(TODAY, VisitOutcome.WELL)
    pdf = DocumentCategory.OTHER
    return {
        "tracing": ("case", lambda cf, i: cf.tracing(i)),
        "record_tracing": (
            "case",
            lambda cf, i: cf.record_tracing(
                TracingAction(case_id=i, on=TODAY, method=TracingMethod.OTHER, sought="x")
            ),
        ),
        "record_reunification": (
            "case",
            lambda cf, i: cf.record_reunification(
                Reunification(
                    case_id=i,
                    on=TODAY,
                    with_whom=Relation.AUNT_UNCLE,
                    where="MA-SAL",
                    verified=True,
                )
            ),
        ),
        "record_tracing_result": (
            "tracing",
            lambda cf, i: cf.record_tracing_result(i, TracingResult.FOUND),
        ),
        "record_reunification_follow_up": (
            "reunification",
            lambda cf, i: cf.record_reunification_follow_up(i, visit, expected_version=1),
        ),
        "participation": ("case", lambda cf, i: cf.participation(i)),
        "record_participation": (
            "case",
            lambda cf, i: cf.record_participation(
                i, decision=Decision.CASE_PLAN, heard=Hearing.IN_PERSON, views="rester"
            ),
        ),
        "concern_details": ("case", lambda cf, i: cf.concern_details(i)),
        "record_concern_detail": (
            "case",
            lambda cf, i: cf.record_concern_detail(i, ProtectionConcern.NEGLECT),
        ),
        "resolve_concern": ("concern", lambda cf, i: cf.resolve_concern(i, resolution="ok")),
        "documents": ("case", lambda cf, i: cf.documents(i)),
        "attach_document": (
            "case",
            lambda cf, i: cf.attach_document(i, b"x", title="t", category=pdf, media_type="a/b"),
        ),
        "document_content": ("document", lambda cf, i: cf.document_content(i)),
        "outreach_contact": ("contact", lambda cf, i: cf.outreach_contact(i)),
        "link_outreach(contact)": ("contact", lambda cf, i: cf.link_outreach(i, world.sale.case)),
        "link_outreach(case)": ("case", lambda cf, i: cf.link_outreach(world.sale.contact, i)),
        "outreach": ("body", lambda cf, i: cf.outreach(i)),
    }


def _shape(call: Callable[[], object], the_id: str) -> tuple[str, object, str]:
    try:
        call()
    except Exception as error:  # the shape of any refusal is compared
        return (
            type(error).__name__,
            getattr(error, "reason", None),
            str(error).replace(the_id, "<id>"),
        )
    pytest.fail(f"no refusal for {the_id}")


@pytest.mark.parametrize("store", STORES)
def test_an_unseen_id_and_an_unknown_one_are_refused_alike(store: str, tmp_path: Path) -> None:
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    with deployed(store, tmp_path, settings=options) as dep:
        world = _world(dep)
        services = _services(world)
        before = {kind: _count(dep, kind) for kind in (TracingAction, ConcernDetail)}

        @settings(
            max_examples=examples(store, 120),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            actor=st.sampled_from(sorted(world.actors)),
            service=st.sampled_from(sorted(services)),
            unknown=st.uuids(version=4).map(str),
            data=st.data(),
        )
        def alike(actor: str, service: str, unknown: str, data: st.DataObject) -> None:
            kind, call = services[service]
            hidden = data.draw(st.sampled_from(world.hidden(actor, kind)), label="hidden")
            cf = dep.as_(world.actors[actor]).casefile
            seen = _shape(lambda: call(cf, hidden), hidden)
            unseen = _shape(lambda: call(cf, unknown), unknown)
            assert seen == unseen
            assert seen[0] == "AccessDenied"
            assert seen[1] == "no such record in the actor's scope"

        alike()
        assert {kind: _count(dep, kind) for kind in (TracingAction, ConcernDetail)} == before
        assert dep.wl.audit.verify().ok


def _count(dep: Deployment, kind: type) -> int:
    with dep.wl.store.unit_of_work(read_only=True) as uow:
        return uow.repository(kind).count()


@pytest.mark.parametrize("store", STORES)
def test_every_actor_and_service_pair_is_refused_alike(store: str, tmp_path: Path) -> None:
    """The same, exhaustively on one unknown id: every actor, every service, every hidden id."""
    options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
    unknown = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
    with deployed(store, tmp_path, settings=options) as dep:
        world = _world(dep)
        differences = []
        for service, (kind, call) in sorted(_services(world).items()):
            for actor, who in sorted(world.actors.items()):
                cf = dep.as_(who).casefile
                for hidden in world.hidden(actor, kind):
                    seen = _shape(lambda: call(cf, hidden), hidden)  # noqa: B023
                    unseen = _shape(lambda: call(cf, unknown), unknown)  # noqa: B023
                    if seen != unseen:
                        differences.append((service, actor, seen, unseen))
        assert differences == []
