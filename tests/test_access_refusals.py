"""A refusal never tells whether a record exists: unknown ids and records out of scope alike.

For random actors and every read and write service taking the id of a case, child, household,
referral or body, the refusal of a record that exists but that the actor does not see must be
the refusal of an id that does not exist: the same exception, action, reason and message (the
id asked for aside), no case number nor any other stored field, and the same audit entry.

The records probed belong to the UPE of Rabat; whether the actor sees them is restated here from
the access-control guide, independently of ``wladna_core.access``.  Every store is exercised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casework import TODAY, Deployment, deploy
from postgres import private_schema, server_url
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE, AccessDenied
from wladna_core.model import (
    Assessment,
    Child,
    ClosureReason,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    new_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from wladna_core.services import CaseWork

_MEMBERS = {Role.CASE_WORKER, Role.SUPERVISOR, Role.BODY_COORDINATOR}


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def dep(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    """A deployment on the memory store, on SQLite (in memory) and on PostgreSQL."""
    if request.param == "postgresql":
        with private_schema(server_url()) as url:
            deployment = deploy(url)
            try:
                yield deployment
            finally:
                deployment.wl.close()
        return
    deployment = deploy(None if request.param == "memory" else "sqlite://")
    try:
        yield deployment
    finally:
        deployment.wl.close()


def _rabat_records(dep: Deployment) -> dict[str, str]:
    """Register a child and household and open their case at the UPE of Rabat, with a referral
    to a social programme (answered by the sending body); return the ids by kind."""
    rabat = dep.as_(dep.outsider)  # a case worker and supervisor of the UPE of Rabat
    child = rabat.register_child(
        Child(
            sex=Sex.MALE,
            birth_date=TODAY.replace(year=TODAY.year - 9),
            given_name="Youssef",
            family_name="Alami",
            residence="MA-RAB",
        )
    ).record
    family = rabat.register_family(
        Family(
            members=(
                FamilyMember(Relation.CHILD, child_id=child.id),
                FamilyMember(
                    Relation.FATHER,
                    given_name="Karim",
                    family_name="Alami",
                    sex=Sex.MALE,
                    birth_date=TODAY.replace(year=1980),
                    caregiver=True,
                ),
            ),
            residence="MA-RAB",
        )
    ).record
    case = rabat.open_case(
        child_id=child.id,
        body_id=dep.rabat.id,
        identification=Identification(IdentificationSource.POLICE, TODAY),
        family_id=family.id,
        consent=Consent(
            recorded_on=TODAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
        ),
    ).record
    referral = rabat.refer(
        case.id, programme=SocialProgramme.TAYSSIR, service=ServiceType.SOCIAL_ASSISTANCE
    ).record
    # A child and a household no case refers to yet: seen by whoever registered them alone.
    waiting = rabat.register_child(attrs.evolve(child, id=new_id(), version=0)).record
    waiting_family = rabat.register_family(
        attrs.evolve(
            family,
            id=new_id(),
            version=0,
            members=(FamilyMember(Relation.CHILD, child_id=waiting.id), *family.members[1:]),
        )
    ).record
    return {
        "Case": case.id,
        "Child": child.id,
        "Family": family.id,
        "Referral": referral.id,
        "TerritorialBody": dep.rabat.id,
        "Child without a case": waiting.id,
        "Family without a case": waiting_family.id,
    }


def _sees(dep: Deployment, actor: Actor, kind: str) -> bool:
    """Whether the actor may see the Rabat record of ``kind`` (the guide, restated)."""
    member_of_rabat = bool(actor.roles & _MEMBERS) and dep.rabat.id in actor.bodies
    coordinates_rabat = Role.BODY_COORDINATOR in actor.roles and bool(
        {dep.rabat.id, dep.region.id} & actor.bodies
    )
    if kind == "Referral":
        # A programme's referral is answered and cancelled by the sending body's people.
        return dep.rabat.id in actor.bodies
    return member_of_rabat or coordinates_rabat


#: (kind of record, action refused, the call), the call taking the services, the deployment and
#: the id probed.
_Call = tuple[str, str, "Callable[[CaseWork, Deployment, str], Any]"]
_CALLS: tuple[_Call, ...] = (
    ("Case", "case.read", lambda s, _d, i: s.case(i)),
    ("Case", "referral.read", lambda s, _d, i: s.referrals(i)),
    (
        "Case",
        "case.update",
        lambda s, _d, i: s.record_assessment(i, Assessment(TODAY, "someone", RiskLevel.LOW)),
    ),
    (
        "Case",
        "case.update",
        lambda s, _d, i: s.record_consent(
            i, Consent(recorded_on=TODAY, given_by=ConsentGiver.CHILD, services=True)
        ),
    ),
    ("Case", "case.close", lambda s, _d, i: s.close(i, ClosureReason.RISK_RESOLVED)),
    ("Case", "case.reopen", lambda s, _d, i: s.reopen(i, "new facts")),
    ("Case", "case.approve_plan", lambda s, _d, i: s.approve_plan(i)),
    ("Case", "case.transfer", lambda s, d, i: s.transfer(i, d.upe.id)),
    ("Case", "case.mark_duplicate", lambda s, _d, i: s.mark_duplicate(i, new_id())),
    (
        "Case",
        "referral.make",
        lambda s, _d, i: s.refer(i, service=ServiceType.LEGAL_AID, judicial=True),
    ),
    ("Child", "child.read", lambda s, _d, i: s.child(i)),
    ("Family", "family.read", lambda s, _d, i: s.family(i)),
    ("Family", "family.read", lambda s, _d, i: s.eligibility(i, SocialProgramme.TAYSSIR)),
    ("Referral", "referral.respond", lambda s, _d, i: s.accept(i)),
    ("Referral", "referral.respond", lambda s, _d, i: s.reject(i, "no place")),
    ("Referral", "referral.complete", lambda s, _d, i: s.complete(i)),
    ("Referral", "referral.cancel", lambda s, _d, i: s.cancel(i)),
    ("TerritorialBody", "case.read", lambda s, _d, i: s.overdue(i)),
    (
        "TerritorialBody",
        "case.open",
        lambda s, d, i: s.open_case(
            child_id=new_id(),
            body_id=i,
            identification=Identification(IdentificationSource.SCHOOL, TODAY),
        ),
    ),
)


def _refusal(dep: Deployment, services: CaseWork, call: _Call, record_id: str) -> AccessDenied:
    with pytest.raises(AccessDenied) as caught:
        call[2](services, dep, record_id)
    return caught.value


@st.composite
def _actors(draw: st.DrawFn, dep: Deployment) -> Actor:
    roles = draw(st.sets(st.sampled_from(list(Role)), min_size=1, max_size=3))
    bodies = draw(
        st.sets(
            st.sampled_from([dep.upe.id, dep.cape.id, dep.cppe.id, dep.region.id, dep.rabat.id]),
            max_size=2,
        )
    )
    return Actor("actor-under-test", roles, bodies)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_a_record_out_of_scope_is_refused_exactly_as_an_unknown_id(
    dep: Deployment, data: st.DataObject
) -> None:
    call = data.draw(st.sampled_from(_CALLS), label="call")
    kind, action, _ = call
    actor = data.draw(_actors(dep), label="actor")
    assume(not _sees(dep, actor, kind))
    records = _rabat_records(dep)
    if kind in {"Child", "Family"} and data.draw(st.booleans(), label="without a case"):
        existing = records[f"{kind} without a case"]
    else:
        existing = records[kind]
    unknown = new_id()
    services = dep.as_(actor)

    stored = _refusal(dep, services, call, existing)
    stored_entry = dep.wl.audit.entries()[-1]
    missing = _refusal(dep, services, call, unknown)
    missing_entry = dep.wl.audit.entries()[-1]

    assert type(stored) is type(missing) is AccessDenied
    assert (stored.action, stored.reason, stored.record_type) == (action, NOT_IN_SCOPE, kind)
    assert (missing.action, missing.reason, missing.record_type) == (action, NOT_IN_SCOPE, kind)
    assert (stored.record_id, missing.record_id) == (existing, unknown)
    assert stored.record.replace(existing, "<id>") == missing.record.replace(unknown, "<id>")
    assert str(stored).replace(existing, "<id>") == str(missing).replace(unknown, "<id>")
    assert str(missing) == f"actor-under-test may not {action} {kind} {unknown}: {NOT_IN_SCOPE}"

    def shape(entry: Any) -> tuple[object, ...]:
        return (
            entry.actor_id,
            entry.action,
            entry.record_type,
            entry.version,
            entry.outcome,
            entry.detail,
        )

    assert shape(stored_entry) == shape(missing_entry)
    assert (stored_entry.record_id, missing_entry.record_id) == (existing, unknown)
    assert stored_entry.outcome == "denied"


def test_a_refusal_names_no_stored_field_of_the_record(dep: Deployment) -> None:
    ids = _rabat_records(dep)
    with dep.wl.store.unit_of_work() as uow:
        case = uow.cases.get(ids["Case"])
    for actor in (dep.worker, dep.analyst, dep.provider, dep.admin):
        with pytest.raises(AccessDenied) as caught:
            dep.as_(actor).close(case.id, ClosureReason.RISK_RESOLVED)
        shown = str(caught.value)
        assert case.number is not None
        assert case.number not in shown
        assert shown == f"{actor.id} may not case.close Case {case.id}: {NOT_IN_SCOPE}"


def _open_refused(
    dep: Deployment, child_id: str, family_id: str | None = None
) -> tuple[AccessDenied, Any]:
    """Open a case at the Salé UPE, as its case worker, for ``child_id``; return the refusal
    and the audit entry it left."""
    with pytest.raises(AccessDenied) as caught:
        dep.as_(dep.worker).open_case(
            child_id=child_id,
            body_id=dep.upe.id,
            identification=Identification(IdentificationSource.SCHOOL, TODAY),
            family_id=family_id,
        )
    return caught.value, dep.wl.audit.entries()[-1]


def _same_refusal(
    stored: tuple[AccessDenied, Any], missing: tuple[AccessDenied, Any], kind: str
) -> None:
    (stored_error, stored_entry), (missing_error, missing_entry) = stored, missing
    existing, unknown = stored_error.record_id, missing_error.record_id
    assert existing is not None
    assert unknown is not None
    for error in (stored_error, missing_error):
        assert (error.action, error.reason, error.record_type) == ("case.open", NOT_IN_SCOPE, kind)
    assert str(stored_error).replace(existing, "<id>") == str(missing_error).replace(
        unknown, "<id>"
    )
    for entry, record_id in ((stored_entry, existing), (missing_entry, unknown)):
        assert (entry.action, entry.record_type, entry.record_id, entry.outcome) == (
            "case.open",
            kind,
            record_id,
            "denied",
        )
    assert stored_entry.detail == missing_entry.detail


@pytest.mark.parametrize("held", ["Child", "Child without a case"])
def test_a_case_for_a_child_held_elsewhere_is_refused_as_for_an_unknown_child(
    dep: Deployment, held: str
) -> None:
    """Opening a case must not tell, by the rules the case breaks (an adult, a birth date
    after the opening), that a child held by another body exists."""
    ids = _rabat_records(dep)
    with dep.wl.store.unit_of_work() as uow:
        cases_before = uow.cases.count()
    stored = _open_refused(dep, ids[held])
    missing = _open_refused(dep, new_id())
    _same_refusal(stored, missing, "Child")
    with dep.wl.store.unit_of_work() as uow:
        assert uow.cases.count() == cases_before


@pytest.mark.parametrize("held", ["Family", "Family without a case"])
def test_a_case_naming_a_household_held_elsewhere_is_refused_as_for_an_unknown_one(
    dep: Deployment, held: str
) -> None:
    ids = _rabat_records(dep)
    own = dep.child()
    stored = _open_refused(dep, own.id, ids[held])
    missing = _open_refused(dep, own.id, new_id())
    _same_refusal(stored, missing, "Family")


def test_a_case_is_opened_for_a_child_the_worker_registered(dep: Deployment) -> None:
    own = dep.child()
    case = (
        dep.as_(dep.worker)
        .open_case(
            child_id=own.id,
            body_id=dep.upe.id,
            identification=Identification(IdentificationSource.SCHOOL, TODAY),
        )
        .record
    )
    assert case.child_id == own.id
