"""The services of the services log and the approvals: access, audit, and the casework's side."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from casework import STORES, TODAY, Deployment, deploy, deployed
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE, AccessDenied
from wladna_core.casefile import ServiceStatus
from wladna_core.casefile.approvals import ApprovalDecision, ApprovalRequest
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    Assessment,
    CasePlan,
    CaseStatus,
    ClosureReason,
    RiskLevel,
    ServiceType,
    SocialProgramme,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting.cellkey import CellKeyMethod, RecordKeys
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import ReasonRequired, StepMissing, TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.model import Case, Referral

UNKNOWN = "01a24d93-0000-7000-8000-0000000000ff"


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def _referred(dep: Deployment) -> tuple[Case, Referral]:
    case = dep.case()
    referral = (
        dep.as_(dep.worker)
        .refer(case.id, service=ServiceType.PSYCHOSOCIAL, to_body=dep.cape.id)
        .record
    )
    return case, referral


def _entries(dep: Deployment, action: str) -> list[Any]:
    return [entry for entry in dep.wl.store.audit_entries() if entry.action == action]


# --- services delivered -------------------------------------------------------------------


def test_the_team_records_a_service_due_by_the_deadlines_and_reads_it_audited(
    dep: Deployment,
) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    files = dep.as_(dep.worker).casefile
    saved = files.record_service(
        case.id, service=ServiceType.SOCIAL_ASSISTANCE, programme=SocialProgramme.ASD
    ).record
    # The deadline of an answer to a referral of a high-risk case: 2 days by default.
    assert saved.due_on == TODAY + timedelta(
        days=dep.wl.deadlines.referral_response[RiskLevel.HIGH]
    )
    assert (saved.planned_on, saved.recorded_by, saved.version) == (TODAY, dep.worker.id, 1)
    assert files.services(case.id) == [saved]
    assert dep.as_(dep.supervisor).casefile.service(saved.id) == saved
    [written] = _entries(dep, "case.service.record")
    assert (written.actor_id, written.record_id, written.version) == (dep.worker.id, saved.id, 1)
    reads = _entries(dep, "case.service.read")
    assert [(entry.actor_id, entry.record_id) for entry in reads] == [
        (dep.worker.id, saved.id),
        (dep.supervisor.id, saved.id),
    ]


def test_a_provider_records_and_reads_only_its_own_services_for_its_referral(
    dep: Deployment,
) -> None:
    case, referral = _referred(dep)
    team = dep.as_(dep.worker).casefile
    other = team.record_service(case.id, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id)
    provider = dep.as_(dep.provider).casefile
    mine = provider.record_service(
        case.id,
        service=ServiceType.PSYCHOSOCIAL,
        provider_body_id=dep.cape.id,
        referral_id=referral.id,
        appointment_on=TODAY + timedelta(days=3),
    ).record
    assert provider.services(case.id) == [mine]
    assert {s.id for s in team.services(case.id)} == {other.record.id, mine.id}
    # Another provider, or no referral: refused with the reason.
    for kwargs in (
        {"provider_body_id": dep.upe.id, "referral_id": referral.id},
        {"provider_body_id": dep.cape.id},
    ):
        with pytest.raises(AccessDenied) as refused:
            provider.record_service(case.id, service=ServiceType.MEDICAL, **kwargs)  # type: ignore[arg-type]
        assert "open referral" in refused.value.reason
    # The team's service is, for the provider, a service that does not exist.
    with pytest.raises(AccessDenied) as unseen:
        provider.update_service(other.record.id, status=ServiceStatus.DELIVERED)
    assert unseen.value.reason == NOT_IN_SCOPE
    done = provider.update_service(mine.id, status=ServiceStatus.DELIVERED, expected_version=1)
    assert (done.record.status, done.record.delivered_on) == (ServiceStatus.DELIVERED, TODAY)


def test_a_service_out_of_scope_is_refused_exactly_as_an_unknown_one(dep: Deployment) -> None:
    case = dep.case()
    saved = (
        dep.as_(dep.worker)
        .casefile.record_service(case.id, service=ServiceType.MEDICAL, provider_body_id=dep.cape.id)
        .record
    )
    outsider = dep.as_(dep.outsider).casefile
    refusals = []
    for read, known in ((outsider.service, saved.id), (outsider.services, case.id)):
        pair = []
        for asked in (known, UNKNOWN):
            with pytest.raises(AccessDenied) as refused:
                read(asked)
            pair.append(str(refused.value).replace(asked, "<id>"))
            assert refused.value.reason == NOT_IN_SCOPE
        refusals.append(pair)
    assert all(first == second for first, second in refusals)
    with pytest.raises(AccessDenied):
        outsider.record_service(case.id, service=ServiceType.MEDICAL, provider_body_id=dep.rabat.id)
    denied = [e for e in dep.wl.store.audit_entries() if e.outcome == "denied"]
    assert len(denied) == 5
    assert {e.actor_id for e in denied} == {dep.outsider.id}


def test_a_service_is_marked_delivered_missed_or_cancelled_once(dep: Deployment) -> None:
    case = dep.case()
    files = dep.as_(dep.worker).casefile
    saved = files.record_service(
        case.id, service=ServiceType.MEDICAL, provider_body_id=dep.cape.id
    ).record
    with pytest.raises(ConcurrencyConflict):
        files.update_service(saved.id, status=ServiceStatus.MISSED, expected_version=0)
    missed = files.update_service(saved.id, status=ServiceStatus.MISSED, note="Absent.").record
    assert (missed.status, missed.ended_on, missed.note) == (ServiceStatus.MISSED, TODAY, "Absent.")
    with pytest.raises(TransitionRefused):
        files.update_service(saved.id, status=ServiceStatus.DELIVERED)
    with pytest.raises(InvalidRecord) as future:
        files.record_service(
            case.id,
            service=ServiceType.MEDICAL,
            provider_body_id=dep.cape.id,
            delivered_on=TODAY + timedelta(days=1),
        )
    assert {v.code for v in future.value.violations} == {"service.done_in_future"}


def test_overdue_services_of_a_body_as_of_a_day(dep: Deployment) -> None:
    case, referral = _referred(dep)
    team = dep.as_(dep.worker).casefile
    late = team.record_service(
        case.id,
        service=ServiceType.PSYCHOSOCIAL,
        provider_body_id=dep.cape.id,
        referral_id=referral.id,
        due_on=TODAY + timedelta(days=2),
    ).record
    on_time = team.record_service(
        case.id, service=ServiceType.MEDICAL, provider_body_id=dep.upe.id, due_on=TODAY
    ).record
    team.update_service(on_time.id, status=ServiceStatus.DELIVERED)
    assert team.overdue_services(dep.upe.id, on=TODAY + timedelta(days=2)) == []
    later = TODAY + timedelta(days=3)
    assert team.overdue_services(dep.upe.id, on=later) == [late]
    assert dep.as_(dep.provider).casefile.overdue_services(dep.cape.id, on=later) == [late]
    with pytest.raises(AccessDenied) as refused:
        dep.as_(dep.outsider).casefile.overdue_services(dep.upe.id, on=later)
    assert refused.value.reason == NOT_IN_SCOPE
    dep.clock.advance(4)
    delivered = team.update_service(
        late.id, status=ServiceStatus.DELIVERED, on=later + timedelta(days=1)
    ).record
    # Delivered a day late: overdue as of the day before, no more from the day it was.
    assert team.overdue_services(dep.upe.id, on=later) == [delivered]
    assert team.overdue_services(dep.upe.id, on=later + timedelta(days=1)) == []


# --- approvals ----------------------------------------------------------------------------


def _assessed(dep: Deployment, risk: RiskLevel = RiskLevel.MEDIUM) -> Case:
    case = dep.case(risk=risk)
    work = dep.as_(dep.worker)
    work.record_assessment(case.id, Assessment(on=TODAY, by=dep.worker.id, risk=risk))
    return case


def test_a_worker_asks_and_a_supervisor_decides_audited(dep: Deployment) -> None:
    case = _assessed(dep)
    asked = dep.as_(dep.worker).casefile.request_approval(case.id, "assessment", note="À valider")
    supervisor = dep.as_(dep.supervisor).casefile
    assert supervisor.pending_approvals(dep.upe.id) == [asked.record]
    with pytest.raises(AccessDenied):
        dep.as_(dep.worker).casefile.decide_approval(asked.record.id, approved=True)
    with pytest.raises(ReasonRequired):
        supervisor.decide_approval(asked.record.id, approved=False)
    decided = supervisor.decide_approval(asked.record.id, approved=False, comment="Revoir").record
    assert (decided.decision, decided.decided_by, decided.decided_on, decided.comment) == (
        ApprovalDecision.DECLINED,
        dep.supervisor.id,
        TODAY,
        "Revoir",
    )
    assert supervisor.pending_approvals(dep.upe.id) == []
    assert supervisor.approvals(case.id) == [decided]
    with pytest.raises(TransitionRefused):
        supervisor.decide_approval(asked.record.id, approved=True)
    actions = [(e.actor_id, e.action) for e in dep.wl.store.audit_entries()]
    assert (dep.worker.id, "case.approval.request") in actions
    assert (dep.supervisor.id, "case.approval.decide") in actions
    assert (dep.supervisor.id, "case.approval.read") in actions


def test_no_one_decides_their_own_request(dep: Deployment) -> None:
    case = _assessed(dep)
    supervisor = dep.as_(dep.supervisor).casefile
    asked = supervisor.request_approval(case.id, "assessment").record
    with pytest.raises(InvalidRecord) as refused:
        supervisor.decide_approval(asked.id, approved=True)
    assert {v.code for v in refused.value.violations} == {"approval.self_decided"}


def test_requests_out_of_scope_and_of_missing_steps_are_refused(dep: Deployment) -> None:
    case = dep.case()
    worker = dep.as_(dep.worker).casefile
    with pytest.raises(StepMissing):
        worker.request_approval(case.id, "case_plan")
    with pytest.raises(TransitionRefused):
        worker.request_approval(case.id, "closure")
    with pytest.raises(InvalidRecord) as unknown:
        worker.request_approval(case.id, "placement")
    assert {v.code for v in unknown.value.violations} == {"approval.subject_unknown"}
    outsider = dep.as_(dep.outsider).casefile
    shown = []
    for asked in (case.id, UNKNOWN):
        with pytest.raises(AccessDenied) as refused:
            outsider.approvals(asked)
        shown.append(str(refused.value).replace(asked, "<id>"))
    assert shown[0] == shown[1]
    with pytest.raises(AccessDenied) as queue:
        outsider.pending_approvals(dep.upe.id)
    assert queue.value.reason == NOT_IN_SCOPE


def test_a_closure_request_and_its_decisions_are_in_the_approvals_log(dep: Deployment) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    worker, supervisor = dep.as_(dep.worker), dep.as_(dep.supervisor)
    worker.close(case.id, ClosureReason.GOALS_ACHIEVED)
    [asked] = supervisor.casefile.pending_approvals(dep.upe.id)
    assert (asked.subject, asked.requested_by) == ("closure", dep.worker.id)
    supervisor.decline_closure(case.id, "Suivi encore nécessaire")
    worker.close(case.id, ClosureReason.RISK_RESOLVED)
    closed = supervisor.approve_closure(case.id, comment="OK").record
    assert closed.status is CaseStatus.CLOSED
    log = supervisor.casefile.approvals(case.id)
    assert [(r.subject, r.decision, r.decided_by, r.comment) for r in log] == [
        ("closure", ApprovalDecision.DECLINED, dep.supervisor.id, "Suivi encore nécessaire"),
        ("closure", ApprovalDecision.APPROVED, dep.supervisor.id, "OK"),
    ]
    # The case's own record of the requests says the same.
    assert [(r.requested_by, r.approved) for r in closed.closure_requests] == [
        (r.requested_by, r.decision is ApprovalDecision.APPROVED) for r in log
    ]


def test_deciding_a_closure_request_here_closes_the_case_as_the_casework_does(
    dep: Deployment,
) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED)
    supervisor = dep.as_(dep.supervisor)
    [asked] = supervisor.casefile.pending_approvals(dep.upe.id)
    decided = supervisor.casefile.decide_approval(asked.id, approved=True, comment="Vu").record
    assert decided.decision is ApprovalDecision.APPROVED
    assert supervisor.case(case.id).status is CaseStatus.CLOSED  # type: ignore[union-attr]


def test_a_supervisors_own_closure_and_a_plan_approved_without_request_add_nothing(
    dep: Deployment,
) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    supervisor = dep.as_(dep.supervisor)
    supervisor.close(case.id, ClosureReason.GOALS_ACHIEVED)
    assert supervisor.casefile.approvals(case.id) == []


def test_a_plan_request_is_decided_by_approve_plan_and_by_decide_approval(dep: Deployment) -> None:
    worker, supervisor = dep.as_(dep.worker), dep.as_(dep.supervisor)
    for via_log in (False, True):
        case = _assessed(dep, RiskLevel.HIGH)
        worker.record_plan(case.id, CasePlan(drawn_up_on=TODAY))
        asked = worker.casefile.request_approval(case.id, "case_plan").record
        if via_log:
            supervisor.casefile.decide_approval(asked.id, approved=True)
        else:
            supervisor.approve_plan(case.id)
        seen = supervisor.case(case.id)
        assert seen.plan is not None  # type: ignore[union-attr]
        assert seen.plan.approval is not None  # type: ignore[union-attr]
        [decided] = supervisor.casefile.approvals(case.id)
        assert (decided.decision, decided.decided_by) == (
            ApprovalDecision.APPROVED,
            dep.supervisor.id,
        )


def test_a_deployment_without_the_approvals_kind_closes_cases_as_before() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.unregister(name="wladna_core.casefile.approvals.kinds")
    dep = deploy(plugins=pm)
    case = dep.case(risk=RiskLevel.HIGH)
    outcome = dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED)
    assert [w.code for w in outcome.warnings] == ["case.closure_awaits_approval"]
    closed = dep.as_(dep.supervisor).approve_closure(case.id).record
    assert closed.status is CaseStatus.CLOSED
    assert ApprovalRequest not in dep.wl.store.kinds


# --- the indicator --------------------------------------------------------------------------


def test_the_share_of_services_delivered_in_time_by_province(dep: Deployment) -> None:
    team = dep.as_(dep.worker).casefile
    due: list[str] = []
    in_time: list[str] = []
    for delivered in (True, True, False):
        case = dep.case()
        saved = team.record_service(
            case.id, service=ServiceType.MEDICAL, provider_body_id=dep.cape.id, due_on=TODAY
        ).record
        due.append(saved.id)
        if delivered:
            team.update_service(saved.id, status=ServiceStatus.DELIVERED)
            in_time.append(saved.id)
    cancelled = team.record_service(
        dep.case().id, service=ServiceType.MEDICAL, provider_body_id=dep.cape.id, due_on=TODAY
    ).record
    team.update_service(cancelled.id, status=ServiceStatus.CANCELLED)
    [table] = dep.as_(dep.supervisor).report(["services_delivered_in_time"], by=["province"]).tables
    assert table.body == (("MA-SAL", 3, 2, round(2 / 3, 4)),)
    # Bodies see their own: the Rabat unit has no service due.
    [rabat] = dep.as_(dep.outsider).report(["services_delivered_in_time"]).tables
    assert rabat.body == ((0, 0, None),)
    # Aggregate-only actors get counts rounded by the keys of the services they count.
    keys = RecordKeys.from_settings(dep.wl.settings)
    method = CellKeyMethod.default(keys)
    [rounded] = dep.as_(dep.analyst).report(["services_delivered_in_time"], by=["province"]).tables
    shown_due = method.perturb(len(due), keys.cell(due))
    shown_in_time = method.perturb(len(in_time), keys.cell(in_time))
    share = min(round(shown_in_time / shown_due, 4), 1.0) if shown_due else None
    row = ("MA-SAL", shown_due, shown_in_time, share)
    # A province whose counts are all rounded to 0 is left out, as one without any service.
    assert rounded.body == ((row,) if shown_due or shown_in_time else ())


def test_a_supervisor_cannot_approve_the_plan_they_asked_approval_for(dep: Deployment) -> None:
    case = _assessed(dep, RiskLevel.HIGH)
    dep.as_(dep.worker).record_plan(case.id, CasePlan(drawn_up_on=TODAY))
    supervisor = dep.as_(dep.supervisor)
    supervisor.casefile.request_approval(case.id, "case_plan")
    with pytest.raises(InvalidRecord) as refused:
        supervisor.approve_plan(case.id)
    assert {v.code for v in refused.value.violations} == {"approval.self_decided"}
    other = Actor("supervisor.two", {Role.SUPERVISOR}, {dep.upe.id})
    approved = dep.as_(other).approve_plan(case.id).record
    assert approved.plan is not None
    assert approved.plan.approval is not None
