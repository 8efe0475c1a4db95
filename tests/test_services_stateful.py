"""Random sequences of service calls keep the store coherent and the audit trail complete.

The machine opens cases at the UPE of Salé, refers them to the CAPE, answers the referrals and
moves the cases through the circuit in any order, legal or not, with the people allowed to act.
After every step it checks what must always hold:

* no case that left the active statuses has a pending or accepted referral;
* versions only grow;
* every change of status is one of the documented transitions;
* the audit trail holds exactly one entry per change, and its hash chain verifies.

The machine runs on the memory store, on a SQLite file and on PostgreSQL (fewer examples on
the SQL stores, which commit to disk or to a server at every step).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from casework import STORES, TODAY, deploy, examples, store_url
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    Assessment,
    CasePlan,
    CaseStatus,
    ClosureReason,
    FollowUp,
    FollowUpKind,
    Goal,
    ReferralStatus,
    RiskLevel,
    ServiceType,
)
from wladna_core.services import ConsentRequired
from wladna_core.workflow import CASE_TRANSITIONS, REFERRAL_TRANSITIONS, TransitionRefused

_CASE_EDGES = {
    (status, transition.result(status))
    for transition in CASE_TRANSITIONS.values()
    for status in CaseStatus
    if transition.allows(status)
}
_REFERRAL_EDGES = {
    (status, transition.result(status))
    for transition in REFERRAL_TRANSITIONS.values()
    for status in ReferralStatus
    if transition.allows(status)
}
_REFUSALS = (TransitionRefused, ConsentRequired, InvalidRecord)
_READS = {"case.read", "child.read", "family.read", "referral.read", "child.duplicate_check"}
#: What a registration writes on the side: the pairs of possible duplicates it proposes (the
#: children this machine registers share a name), which it does not count as its changes.
_PROPOSALS = {"duplicate.review"}
#: What a closure writes on the side: the approvals log kept in step with the case's closure
#: requests (wladna_core.casefile.approvals), which this machine does not count either.
_APPROVALS_LOG = {"case.approval.request", "case.approval.decide"}

if TYPE_CHECKING:
    from pathlib import Path


class CaseworkMachine(RuleBasedStateMachine):
    """Service calls in random order against the store at :attr:`url`, emptied first."""

    cases = Bundle("cases")
    referrals = Bundle("referrals")
    url: ClassVar[str | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.dep = deploy(self.url, fresh=True)
        self.changes = len(self.dep.wl.audit.entries())
        self.day = TODAY
        self.seen: dict[str, tuple[int, str]] = {}

    def teardown(self) -> None:
        self.dep.wl.close()

    def _attempt(self, call: object) -> object:
        """Run ``call``; count the records it changed; refusals change nothing."""
        try:
            outcome = call()  # type: ignore[operator]
        except _REFUSALS:
            return None
        return outcome

    def _changed(self, count: int = 1) -> None:
        self.changes += count

    @rule(target=cases, consent=st.booleans(), risk=st.sampled_from(list(RiskLevel)))
    def open_case(self, consent: bool, risk: RiskLevel) -> str:
        case = self.dep.case(consent=consent, risk=risk, on=self.day)
        # The helper registers the child, then opens the case: two changes.
        self._changed(2)
        return case.id

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.dep.clock.advance(days)

    def _case_step(self, call: object) -> None:
        if self._attempt(call) is not None:
            self._changed()

    @rule(case_id=cases, risk=st.sampled_from(list(RiskLevel)))
    def assess(self, case_id: str, risk: RiskLevel) -> None:
        assessment = Assessment(on=self.day, by="worker.sale", risk=risk)
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.record_assessment(case_id, assessment))

    @rule(case_id=cases)
    def plan(self, case_id: str) -> None:
        goal = Goal("safe at home", "worker.sale", self.day + timedelta(days=60))
        plan = CasePlan(drawn_up_on=self.day, goals=(goal,))
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.record_plan(case_id, plan))

    @rule(case_id=cases)
    def approve(self, case_id: str) -> None:
        supervisor = self.dep.as_(self.dep.supervisor)
        self._case_step(lambda: supervisor.approve_plan(case_id))

    @rule(case_id=cases)
    def start(self, case_id: str) -> None:
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.start_implementation(case_id))

    @rule(case_id=cases, kind=st.sampled_from(list(FollowUpKind)))
    def follow_up(self, case_id: str, kind: FollowUpKind) -> None:
        follow_up = FollowUp(on=self.day, by="worker.sale", kind=kind)
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.record_follow_up(case_id, follow_up))

    @rule(case_id=cases, reason=st.sampled_from(list(ClosureReason)))
    def close(self, case_id: str, reason: ClosureReason) -> None:
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.close(case_id, reason))

    @rule(case_id=cases)
    def reopen(self, case_id: str) -> None:
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.reopen(case_id, "a new report came in"))

    @rule(case_id=cases, of=cases)
    def mark_duplicate(self, case_id: str, of: str) -> None:
        worker = self.dep.as_(self.dep.worker)
        self._case_step(lambda: worker.mark_duplicate(case_id, of))

    @rule(case_id=cases)
    def transfer(self, case_id: str) -> None:
        supervisor = self.dep.as_(self.dep.supervisor)
        # The transferred case and the new one at Rabat: two changes.
        if self._attempt(lambda: supervisor.transfer(case_id, self.dep.rabat.id)) is not None:
            self._changed(2)

    @rule(target=referrals, case_id=cases, service=st.sampled_from(list(ServiceType)))
    def refer(self, case_id: str, service: ServiceType) -> str:
        worker = self.dep.as_(self.dep.worker)
        outcome = self._attempt(
            lambda: worker.refer(case_id, to_body=self.dep.cape.id, service=service)
        )
        if outcome is None:
            return "0193a7e2-0000-7000-8000-000000000000"
        self._changed()
        return outcome.record.id  # type: ignore[attr-defined,no-any-return]

    @rule(referral_id=referrals, answer=st.sampled_from(["accept", "reject", "complete"]))
    def respond(self, referral_id: str, answer: str) -> None:
        provider = self.dep.as_(self.dep.provider)
        calls = {
            "accept": lambda: provider.accept(referral_id),
            "reject": lambda: provider.reject(referral_id, "no place left"),
            "complete": lambda: provider.complete(referral_id, "done"),
        }
        self._attempt_referral(calls[answer])

    @rule(referral_id=referrals)
    def cancel(self, referral_id: str) -> None:
        worker = self.dep.as_(self.dep.worker)
        self._attempt_referral(lambda: worker.cancel(referral_id, "not needed any more"))

    def _attempt_referral(self, call: object) -> None:
        from wladna_core.access import AccessDenied  # noqa: PLC0415

        try:
            outcome = self._attempt(call)
        except AccessDenied:
            # A referral that was never made is out of everyone's scope; the refusal is
            # audited as a refusal and changes nothing.
            return
        if outcome is not None:
            self._changed()

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def no_inactive_case_has_an_open_referral(self) -> None:
        with self.dep.wl.store.unit_of_work() as uow:
            cases = {case.id: case for case in uow.cases.iter()}
            for referral in uow.referrals.iter():
                if referral.status in {ReferralStatus.PENDING, ReferralStatus.ACCEPTED}:
                    assert cases[referral.case_id].status.is_active, referral

    @invariant()
    def versions_grow_and_statuses_move_along_documented_transitions(self) -> None:
        now: dict[str, tuple[int, str, str]] = {}
        with self.dep.wl.store.unit_of_work() as uow:
            for case in uow.cases.iter():
                now[case.id] = (case.version, "case", case.status.value)
            for referral in uow.referrals.iter():
                now[referral.id] = (referral.version, "referral", referral.status.value)
        for record_id, (version, kind, status) in now.items():
            if record_id not in self.seen:
                continue
            old_version, old_status = self.seen[record_id]
            assert version >= old_version
            if status != old_status:
                if kind == "case":
                    assert (CaseStatus(old_status), CaseStatus(status)) in _CASE_EDGES
                else:
                    edge = (ReferralStatus(old_status), ReferralStatus(status))
                    assert edge in _REFERRAL_EDGES
        self.seen = {record_id: (v, s) for record_id, (v, _, s) in now.items()}

    @invariant()
    def the_audit_trail_has_one_entry_per_change(self) -> None:
        entries = self.dep.wl.audit.entries()
        changes = [
            entry
            for entry in entries
            if entry.outcome == "done" and entry.action not in _READS | _PROPOSALS | _APPROVALS_LOG
        ]
        assert len(changes) == self.changes
        assert self.dep.wl.audit.verify().ok


@pytest.mark.parametrize("store", STORES)
def test_casework_sequences(store: str, tmp_path: Path) -> None:
    with store_url(store, tmp_path) as url:
        machine = type(f"CaseworkMachineOn{store.title()}", (CaseworkMachine,), {"url": url})
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples(store, 15),
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
