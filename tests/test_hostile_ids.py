"""A hostile id given to any service is an unknown id: refused like one, never a database error.

An id comes from outside (a URL, a form, a command line, a file): it may hold a NUL character, a
lone surrogate (undecodable bytes of a command line arrive so), a megabyte of text, SQL, or just a
typo.  Every service that takes an id refuses such an id exactly as it refuses an id that is
well formed but unknown (:class:`AccessDenied`, same action and reason: a refusal never tells
whether a record exists), or, where the id becomes part of a new record, with the record's own
error (:class:`InvariantError` naming the field).  The store keeps working and the refusal is in
the audit trail, the id written as an entry can keep it.  On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import TODAY, Deployment, deploy
from postgres import private_schema, server_url
from wladna_core import AccessDenied, InvalidRecord, InvariantError
from wladna_core.audit import RECORD_ID_MAX, AuditTrail, storable
from wladna_core.model import (
    Assessment,
    CasePlan,
    ClosureReason,
    Consent,
    ConsentGiver,
    FollowUp,
    FollowUpKind,
    Identification,
    IdentificationSource,
    RiskLevel,
    ServiceType,
    SocialProgramme,
)
from wladna_core.storage import CaseQuery, ReferralQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from wladna_core.services import CaseWork

UNKNOWN = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"

hostile_ids = (
    st.sampled_from(
        [
            "a\x00b",
            "\x00",
            "case\ud800",
            "\udcff\udcfe",  # undecodable bytes of a command line, as Python reads them
            "x" * 100_000,
            "' OR 1=1 --",
            "'; DROP TABLE cases; --",
            "%",
            "_",
            "*",
            "\\",
            "\n",
            "\t\r",
            UNKNOWN + "\n",
            UNKNOWN.upper(),
            UNKNOWN[:-1],
            "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1g",
            "",
            " ",
            "\u202e",
            "\ufffe",
            "\U0010ffff",
            "😀",
        ]
    )
    | st.text(max_size=50)
)


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
    scope="module",
)
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://hostile-ids"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'ids.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


@pytest.fixture(scope="module")
def world(store_url: str) -> Iterator[World]:
    dep = deploy(store_url)
    try:
        yield World(dep)
    finally:
        dep.wl.close()


class World:
    """A deployment with a case of the UPE of Salé referred to the CAPE."""

    def __init__(self, dep: Deployment) -> None:
        self.dep = dep
        self.case = dep.case(with_family=True)
        self.referral = (
            dep.as_(dep.worker)
            .refer(self.case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id)
            .record
        )


_DAY = TODAY
_ASSESSMENT = Assessment(on=_DAY, by="worker.sale", risk=RiskLevel.MEDIUM)
_PLAN = CasePlan(drawn_up_on=_DAY)
_FOLLOW_UP = FollowUp(_DAY, "worker.sale", FollowUpKind.HOME_VISIT)
_CONSENT = Consent(recorded_on=_DAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True)


def _worker(world: World) -> CaseWork:
    return world.dep.as_(world.dep.worker)


def _supervisor(world: World) -> CaseWork:
    return world.dep.as_(world.dep.supervisor)


def _provider(world: World) -> CaseWork:
    return world.dep.as_(world.dep.provider)


# The services that read the record named by the id first: refused like an unknown id.
LOOKUPS: list[tuple[str, Callable[[World, str], Any]]] = [
    ("case", lambda w, i: _worker(w).case(i)),
    ("child", lambda w, i: _worker(w).child(i)),
    ("family", lambda w, i: _worker(w).family(i)),
    ("referrals", lambda w, i: _worker(w).referrals(i)),
    ("overdue", lambda w, i: _worker(w).overdue(i)),
    ("eligibility", lambda w, i: _worker(w).eligibility(i, SocialProgramme.ASD)),
    ("record_consent", lambda w, i: _worker(w).record_consent(i, _CONSENT)),
    ("record_assessment", lambda w, i: _worker(w).record_assessment(i, _ASSESSMENT, on=_DAY)),
    ("record_plan", lambda w, i: _worker(w).record_plan(i, _PLAN, on=_DAY)),
    ("approve_plan", lambda w, i: _supervisor(w).approve_plan(i, on=_DAY)),
    ("start_implementation", lambda w, i: _worker(w).start_implementation(i, on=_DAY)),
    ("record_follow_up", lambda w, i: _worker(w).record_follow_up(i, _FOLLOW_UP, on=_DAY)),
    ("close", lambda w, i: _worker(w).close(i, ClosureReason.GOALS_ACHIEVED, on=_DAY)),
    ("reopen", lambda w, i: _worker(w).reopen(i, "new concern", on=_DAY)),
    ("transfer", lambda w, i: _supervisor(w).transfer(i, w.dep.cape.id, on=_DAY)),
    ("transfer to", lambda w, i: _supervisor(w).transfer(w.case.id, i, on=_DAY)),
    ("mark_duplicate", lambda w, i: _supervisor(w).mark_duplicate(i, w.case.id, on=_DAY)),
    ("mark_duplicate of", lambda w, i: _supervisor(w).mark_duplicate(w.case.id, i, on=_DAY)),
    ("refer", lambda w, i: _worker(w).refer(i, service=ServiceType.LEGAL_AID, judicial=True)),
    ("accept", lambda w, i: _provider(w).accept(i, on=_DAY)),
    ("reject", lambda w, i: _provider(w).reject(i, "no place", on=_DAY)),
    ("cancel", lambda w, i: _worker(w).cancel(i, on=_DAY)),
    ("complete", lambda w, i: _provider(w).complete(i, on=_DAY)),
    (
        "open_case at",
        lambda w, i: _worker(w).open_case(
            child_id=w.case.child_id,
            body_id=i,
            identification=Identification(IdentificationSource.SCHOOL, _DAY),
            on=_DAY,
        ),
    ),
]

# The services where the id becomes part of a record or a filter: refused with the error of
# the record or the filter, naming the field.
FIELDS: list[tuple[str, Callable[[World, str], Any]]] = [
    (
        "open_case for",
        lambda w, i: _worker(w).open_case(
            child_id=i,
            body_id=w.dep.upe.id,
            identification=Identification(IdentificationSource.SCHOOL, _DAY),
            on=_DAY,
        ),
    ),
    (
        "open_case with family",
        lambda w, i: _worker(w).open_case(
            child_id=w.case.child_id,
            body_id=w.dep.upe.id,
            family_id=i,
            identification=Identification(IdentificationSource.SCHOOL, _DAY),
            on=_DAY,
        ),
    ),
    (
        "open_case by",
        lambda w, i: _worker(w).open_case(
            child_id=w.case.child_id,
            body_id=w.dep.upe.id,
            worker_id=i,
            identification=Identification(IdentificationSource.SCHOOL, _DAY),
            on=_DAY,
        ),
    ),
    (
        "refer to",
        lambda w, i: _worker(w).refer(w.case.id, service=ServiceType.LEGAL_AID, to_body=i),
    ),
    ("cases of child", lambda w, i: _worker(w).cases(CaseQuery(child_id=i))),
    ("cases of worker", lambda w, i: _worker(w).cases(CaseQuery(worker_id=i))),
    ("cases numbered", lambda w, i: _worker(w).cases(CaseQuery(number=i))),
    ("export of family", lambda w, i: _supervisor(w).export(CaseQuery(family_id=i))),
]


def outcome(call: Callable[[], Any]) -> Exception | None:
    """Return what ``call`` raised, or ``None``."""
    try:
        call()
    except Exception as exc:  # whatever it is, it is checked by the caller
        return exc
    return None


def refusal(call: Callable[[], Any]) -> Exception:
    refused = outcome(call)
    if refused is None:
        pytest.fail("a hostile id was accepted")
    return refused


def settled(refused: BaseException) -> bool:
    """Whether ``refused`` is one of the documented refusals (not a store or driver failure)."""
    if isinstance(refused, UnicodeError):
        return False  # a ValueError, but one a driver raises
    return isinstance(refused, AccessDenied | InvariantError | InvalidRecord) or (
        type(refused) is ValueError  # a query's filter that no record can match
    )


_PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_PROPERTY
@given(hostile=hostile_ids, lookup=st.sampled_from(LOOKUPS))
def test_a_hostile_id_is_refused_exactly_like_an_unknown_one(
    world: World, hostile: str, lookup: tuple[str, Callable[[World, str], Any]]
) -> None:
    _, call = lookup
    expected = refusal(lambda: call(world, UNKNOWN))
    assert isinstance(expected, AccessDenied), expected
    refused = refusal(lambda: call(world, hostile))
    assert isinstance(refused, AccessDenied), repr(refused)
    assert (refused.action, refused.reason, refused.record_type) == (
        expected.action,
        expected.reason,
        expected.record_type,
    )
    assert refused.record_id == storable(hostile, RECORD_ID_MAX)
    assert str(refused).encode("utf-8")  # printable anywhere: no lone surrogate, no NUL...
    assert "\x00" not in str(refused)
    (last,) = world.dep.wl.audit.entries(after_seq=_last_seq(world) - 1)
    assert (last.outcome, last.action, last.record_id) == (
        "denied",
        refused.action,
        refused.record_id,
    )


@_PROPERTY
@given(hostile=hostile_ids, field=st.sampled_from(FIELDS))
def test_a_hostile_id_put_in_a_record_or_a_filter_is_refused_with_its_field(
    world: World, hostile: str, field: tuple[str, Callable[[World, str], Any]]
) -> None:
    _, call = field
    refused = outcome(lambda: call(world, hostile))
    if refused is not None:  # an id of the right shape may be taken (a worker's login)
        assert settled(refused), repr(refused)
        assert str(refused).encode("utf-8")


def test_the_store_works_on_and_the_trail_verifies_after_hostile_ids(world: World) -> None:
    for hostile in ("a\x00b", "case\ud800", "x" * 100_000):
        for _, call in LOOKUPS:
            refusal(lambda call=call, hostile=hostile: call(world, hostile))
    assert _worker(world).case(world.case.id).id == world.case.id
    assert _worker(world).referrals(world.case.id) == [world.referral]
    verification = AuditTrail(world.dep.wl.store).verify()
    assert verification.ok, verification


def test_a_repository_answers_an_impossible_id_as_not_stored(world: World) -> None:
    from wladna_core.storage import NotFound  # noqa: PLC0415

    with world.dep.wl.store.unit_of_work() as uow:
        for hostile in ("a\x00b", "case\ud800", "x" * 100_000, UNKNOWN + "\n"):
            with pytest.raises(NotFound) as missing:
                uow.cases.get(hostile)
            assert len(str(missing.value)) < 400
        assert uow.cases.get(world.case.id) == world.case
        with pytest.raises(ValueError, match=r"U\+0000"):
            uow.referrals.find(ReferralQuery(case_id="a\x00b"))


def _last_seq(world: World) -> int:
    head = world.dep.wl.audit.head()
    assert head is not None
    return head.seq


def test_the_audit_trail_searched_for_a_hostile_id_finds_nothing(world: World) -> None:
    trail = world.dep.wl.audit
    for hostile in ("a\x00b", "case\ud800", "x" * 100_000):  # no entry can hold them
        assert trail.entries(record_id=hostile) == []
        assert trail.entries(actor_id=hostile) == []
    assert trail.entries(record_id=world.case.id)
