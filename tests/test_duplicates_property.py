"""Property tests of the review queue's transitions: confirm and dismiss, then the merge.

* The pure transitions (:func:`wladna_core.duplicates.confirm`, :func:`~.dismiss`): a proposed
  pair takes exactly one decision; every later one is refused and changes nothing.
* The services on a store: whatever sequence of confirmations and dismissals people make over
  the pairs of one child registered several times, no case, referral, household or audit entry
  is lost — each stays reachable from the child its record was merged into — a dismissed pair
  is never proposed again, and the audit trail verifies.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deploy, examples, store_url
from wladna_core.access import AccessDenied
from wladna_core.duplicates import (
    DuplicatePair,
    PairStatus,
    candidates,
    child_ids,
    confirm,
    dismiss,
)
from wladna_core.model import (
    Child,
    Consent,
    ConsentGiver,
    Identification,
    IdentificationSource,
    ServiceType,
    Sex,
    new_id,
)
from wladna_core.storage import CaseQuery, ReferralQuery
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from pathlib import Path

PROPOSED_ON = date(2026, 3, 2)

pairs = st.builds(
    DuplicatePair,
    child_id=st.just(new_id()),
    other_id=st.just(new_id()),
    body_id=st.none() | st.just(new_id()),
    score=st.floats(0.5, 1.0),
    proposed_on=st.just(PROPOSED_ON),
)
decisions = st.lists(
    st.tuples(
        st.sampled_from(["confirm", "dismiss"]),
        st.integers(-3, 30),
        st.sampled_from(["child", "other", "stranger"]),
    ),
    min_size=1,
    max_size=6,
)


def _apply(pair: DuplicatePair, decision: tuple[str, int, str]) -> DuplicatePair:
    action, days, keep = decision
    on = PROPOSED_ON + timedelta(days=days)
    if action == "dismiss":
        return dismiss(pair, on, "supervisor")
    kept = {"child": pair.child_id, "other": pair.other_id, "stranger": new_id()}[keep]
    return confirm(pair, kept, on, "supervisor")


@given(pair=pairs, steps=decisions)
def test_a_proposed_pair_takes_one_decision_and_keeps_it(
    pair: DuplicatePair, steps: list[tuple[str, int, str]]
) -> None:
    current = pair
    for step in steps:
        before = current
        legal = (
            before.status is PairStatus.PROPOSED
            and step[1] >= 0
            and (step[0] == "dismiss" or step[2] != "stranger")
        )
        try:
            current = _apply(before, step)
        except TransitionRefused:
            assert not legal
            assert current == before
            continue
        assert legal
        assert current.status is (
            PairStatus.DISMISSED if step[0] == "dismiss" else PairStatus.CONFIRMED
        )
        assert current.decided_on is not None
        assert current.decided_on >= current.proposed_on
        assert current.decided_by == "supervisor"
        assert (current.kept_id is not None) == (step[0] == "confirm")
        assert current.kept_id in (None, *current.children)
        assert (current.child_id, current.other_id, current.score) == (
            pair.child_id,
            pair.other_id,
            pair.score,
        )


#: Spellings of one boy, as bodies write them.
SPELLINGS = (
    {"given_name_ar": "محمد", "family_name_ar": "العمراني"},
    {"given_name": "Mohamed", "family_name": "El Amrani"},
    {"given_name": "Mohammed", "family_name": "Amrani"},
    {"given_name": "Mouhamed", "family_name": "Elamrani"},
)


@pytest.mark.parametrize("store", STORES)
def test_no_record_is_lost_whatever_people_decide(store: str, tmp_path: Path) -> None:
    with store_url(store, tmp_path) as url:

        @settings(
            max_examples=examples(store, 12),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            registrations=st.integers(2, 4),
            choices=st.lists(
                st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=8
            ),
        )
        def run(registrations: int, choices: list[tuple[bool, bool, bool]]) -> None:
            d = deploy(url, fresh=True)
            try:
                check(d, registrations, choices)
            finally:
                d.wl.close()

        run()


def check(d: object, registrations: int, choices: list[tuple[bool, bool, bool]]) -> None:

    assert isinstance(d, Deployment)
    worker, supervisor = d.as_(d.worker), d.as_(d.supervisor)
    consent = Consent(
        recorded_on=TODAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
    )
    cases: dict[str, str] = {}
    for spelling in SPELLINGS[:registrations]:
        child = worker.register_child(
            Child(Sex.MALE, date(2013, 5, 4), residence="MA-SAL", **spelling)  # type: ignore[arg-type]
        ).record
        case = worker.open_case(
            child_id=child.id,
            body_id=d.upe.id,
            identification=Identification(IdentificationSource.OUTREACH, TODAY),
            consent=consent,
            on=TODAY,
        ).record
        worker.refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=d.cape.id, on=TODAY)
        cases[case.id] = child.id
    with d.wl.store.unit_of_work() as uow:
        entries_before = {
            child_id: {entry.seq for entry in uow.audit.entries(record_id=child_id)}
            for child_id in cases.values()
        }
    dismissed: set[str] = set()
    for confirm_it, keep_first, _ in choices:
        queue = worker.duplicate_queue(d.upe.id)
        if not queue:
            break
        pair = queue[0].pair
        assert pair is not None  # one body: its people see both records
        with d.wl.store.unit_of_work() as uow:
            stale = any(uow.children.get(one).merged_into for one in pair.children)
        if confirm_it and stale:
            # One of the two was merged by an earlier decision: the pair is out of date.
            with pytest.raises(TransitionRefused, match="merged into"):
                supervisor.confirm_duplicate(pair.id, keep=pair.child_id)
            worker.dismiss_duplicate(pair.id)
            dismissed.add(pair.key)
        elif confirm_it:
            supervisor.confirm_duplicate(
                pair.id, keep=pair.child_id if keep_first else pair.other_id
            )
        else:
            worker.dismiss_duplicate(pair.id)
            dismissed.add(pair.key)
    with d.wl.store.unit_of_work() as uow:
        roots = {}
        for child_id in set(cases.values()):
            root = uow.children.get(child_id)
            while root.merged_into is not None:
                root = uow.children.get(root.merged_into)
            roots[child_id] = root.id
            assert child_id in child_ids(uow, root.id)
        for case_id, child_id in cases.items():
            case = uow.cases.get(case_id)
            reachable = {
                found.id
                for other in child_ids(uow, roots[child_id])
                for found in uow.cases.find(CaseQuery(child_id=other))
            }
            assert case_id in reachable
            assert len(uow.referrals.find(ReferralQuery(case_id=case.id))) == 1
        for child_id, seqs in entries_before.items():
            after = {
                entry.seq
                for other in child_ids(uow, roots[child_id])
                for entry in uow.audit.entries(record_id=other)
            }
            assert seqs <= after
        for child_id in set(cases.values()):
            child = uow.children.get(child_id)
            found = {scored.key for scored in candidates(uow, child, d.wl.matcher, d.wl.matching)}
            assert not found & dismissed
            if child.merged_into is not None:
                assert found == set()
        for pair in uow.repository(DuplicatePair).find():
            if pair.key in dismissed:
                assert pair.status is PairStatus.DISMISSED
    assert d.wl.audit.verify().ok
    with pytest.raises(AccessDenied):
        d.as_(d.outsider).duplicate_queue(d.upe.id)
