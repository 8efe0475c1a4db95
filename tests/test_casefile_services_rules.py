"""The rules of the services log and the approvals: valid records pass, each breaker its code."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.casefile.approvals import (
    APPROVAL_RULES,
    ApprovalContext,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalSettings,
    ApprovalSettingsError,
)
from wladna_core.casefile.approvals.strategies import approval_requests
from wladna_core.casefile.delivery import (
    SERVICE_RULES,
    ServiceDelivery,
    ServiceStatus,
    days_overdue,
    delivered_in_time,
    is_overdue,
)
from wladna_core.casefile.delivery.strategies import service_deliveries
from wladna_core.errors import InvariantError, Severity
from wladna_core.messages import LANGUAGES
from wladna_core.model import (
    BodyKind,
    Case,
    CaseStatus,
    Closure,
    ClosureReason,
    Identification,
    IdentificationSource,
    Referral,
    ReferralTarget,
    ServiceType,
    SocialProgramme,
    TerritorialBody,
    new_id,
)
from wladna_core.plugins import make_plugin_manager, rules_from
from wladna_core.rules import RuleSet, validate

ON = date(2026, 3, 2)
OPENED = date(2026, 1, 5)
UPE = TerritorialBody(name="UPE Salé", kind=BodyKind.UPE, territory="MA-SAL")
CAPE = TerritorialBody(name="CAPE Salé", kind=BodyKind.CAPE, territory="MA-SAL")
CASE = Case(
    child_id=new_id(),
    body_id=UPE.id,
    territory="MA-SAL",
    opened_on=OPENED,
    identification=Identification(IdentificationSource.SCHOOL, OPENED),
)
CLOSED = attrs.evolve(
    CASE,
    id=new_id(),
    status=CaseStatus.CLOSED,
    closure=Closure(on=date(2026, 2, 1), reason=ClosureReason.GOALS_ACHIEVED),
)
REFERRAL = Referral(
    case_id=CASE.id,
    from_body=UPE.id,
    target=ReferralTarget.to_body(CAPE.id),
    service=ServiceType.PSYCHOSOCIAL,
    made_on=date(2026, 1, 10),
)
SERVICES = RuleSet(SERVICE_RULES)
APPROVALS = RuleSet(APPROVAL_RULES)


def context(*casefile: object, settings: ApprovalSettings | None = None) -> ApprovalContext:
    return ApprovalContext(
        cases=[CASE, CLOSED],
        referrals=[REFERRAL],
        bodies=[UPE, CAPE],
        casefile=casefile,
        approval_settings=settings,
    )


def codes(record: object, rules: RuleSet, ctx: ApprovalContext | None = None) -> set[str]:
    found = validate(record, on=ON, context=ctx or context(record), rules=rules)
    return {violation.code for violation in found}


services = st.one_of(
    service_deliveries(CASE, on=ON, body_id=CAPE.id),
    service_deliveries(CASE, on=ON),
    service_deliveries(CASE, on=ON, referral=REFERRAL),
    service_deliveries(CLOSED, on=ON, body_id=UPE.id),
)


# --- the services log -----------------------------------------------------------------------


def test_the_service_rules_are_built_in_plugins_rules() -> None:
    codes_ = {rule.code for rule in rules_from(make_plugin_manager(load_entrypoints=False))}
    assert {rule.code for rule in (*SERVICE_RULES, *APPROVAL_RULES)} <= codes_


@given(services)
def test_a_drawn_service_passes_every_service_rule(service: ServiceDelivery) -> None:
    assert codes(service, SERVICES) == set()


@given(services)
def test_a_service_of_no_case_gives_case_unknown(service: ServiceDelivery) -> None:
    broken = attrs.evolve(service, case_id=new_id(), referral_id=None)
    assert codes(broken, SERVICES) == {"service.case_unknown"}


@given(services, st.integers(1, 400))
def test_a_service_arranged_before_its_case_gives_before_case_opened(
    service: ServiceDelivery, days: int
) -> None:
    broken = attrs.evolve(service, planned_on=OPENED - timedelta(days=days))
    assert codes(broken, SERVICES) == {"service.before_case_opened"}


@given(service_deliveries(CASE, on=ON, body_id=CAPE.id, status=ServiceStatus.PLANNED))
def test_a_service_arranged_after_today_gives_in_future(service: ServiceDelivery) -> None:
    later = ON + timedelta(days=1)
    broken = attrs.evolve(service, planned_on=later, due_on=later, appointment_on=None)
    assert codes(broken, SERVICES) == {"service.in_future"}


@given(service_deliveries(CASE, on=ON, body_id=CAPE.id))
def test_a_referral_of_another_case_gives_referral_not_of_case(service: ServiceDelivery) -> None:
    other = attrs.evolve(REFERRAL, id=new_id(), case_id=CLOSED.id)
    ctx = ApprovalContext(cases=[CASE, CLOSED], referrals=[REFERRAL, other], bodies=[UPE, CAPE])
    broken = attrs.evolve(service, referral_id=other.id)
    assert codes(broken, SERVICES, ctx) == {"service.referral_not_of_case"}


@given(service_deliveries(CASE, on=ON, body_id=CAPE.id))
def test_an_unknown_provider_gives_provider_unknown(service: ServiceDelivery) -> None:
    assert codes(attrs.evolve(service, provider_body_id=new_id()), SERVICES) == {
        "service.provider_unknown"
    }


@given(service_deliveries(CASE, on=ON, referral=REFERRAL))
def test_a_provider_other_than_the_referrals_target_is_warned(service: ServiceDelivery) -> None:
    broken = attrs.evolve(service, provider_body_id=UPE.id)
    [violation] = validate(broken, on=ON, context=context(), rules=SERVICES)
    assert (violation.code, violation.severity) == (
        "service.provider_not_referred",
        Severity.WARNING,
    )


@given(
    service_deliveries(CASE, on=ON, body_id=CAPE.id, status=ServiceStatus.DELIVERED),
    st.integers(1, 30),
)
def test_a_delivery_after_today_gives_done_in_future(service: ServiceDelivery, days: int) -> None:
    broken = attrs.evolve(service, delivered_on=ON + timedelta(days=days))
    assert codes(broken, SERVICES) == {"service.done_in_future"}


@given(service_deliveries(CLOSED, on=ON, body_id=UPE.id, status=ServiceStatus.DELIVERED))
def test_a_delivery_after_the_closure_is_a_warning(service: ServiceDelivery) -> None:
    assert CLOSED.closure is not None
    late = attrs.evolve(service, delivered_on=CLOSED.closure.on + timedelta(days=1))
    [violation] = validate(late, on=ON, context=context(), rules=SERVICES)
    assert (violation.code, violation.severity) == (
        "service.delivered_after_closure",
        Severity.WARNING,
    )
    assert violation.path == "$.delivered_on"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_service_and_approval_rule_speaks_every_language_with_a_remedy(lang: str) -> None:
    for rule in (*SERVICE_RULES, *APPROVAL_RULES):
        assert rule.message.message.in_language(lang).strip()
        assert rule.message.remedy is not None
        assert rule.message.remedy.in_language(lang).strip()


def test_the_message_names_the_referral_path_and_remedy() -> None:
    service = ServiceDelivery(
        case_id=CASE.id,
        service=ServiceType.MEDICAL,
        planned_on=ON,
        due_on=ON,
        recorded_by="w",
        provider_body_id=CAPE.id,
        referral_id="01a24d93-0000-7000-8000-000000000001",
    )
    [violation] = validate(service, on=ON, context=context(), rules=SERVICES, lang="fr")
    assert violation.path == "$.referral_id"
    assert "01a24d93-0000-7000-8000-000000000001" in violation.message
    assert violation.remedy == "Indiquez une orientation du même dossier, ou aucune."


def test_a_service_names_exactly_one_provider_and_the_dates_of_its_status() -> None:
    base = {
        "case_id": CASE.id,
        "service": ServiceType.MEDICAL,
        "planned_on": ON,
        "due_on": ON,
        "recorded_by": "w",
    }
    with pytest.raises(InvariantError) as neither:
        ServiceDelivery(**base)  # type: ignore[arg-type]
    assert neither.value.code == "service.provider"
    with pytest.raises(InvariantError) as both:
        ServiceDelivery(**base, provider_body_id=CAPE.id, programme=SocialProgramme.ASD)  # type: ignore[arg-type]
    assert both.value.code == "service.provider"
    with pytest.raises(InvariantError) as undated:
        ServiceDelivery(**base, programme=SocialProgramme.ASD, status=ServiceStatus.DELIVERED)  # type: ignore[arg-type]
    assert undated.value.code == "service.status_dates"
    with pytest.raises(InvariantError) as missed:
        ServiceDelivery(**base, programme=SocialProgramme.ASD, status=ServiceStatus.MISSED)  # type: ignore[arg-type]
    assert missed.value.code == "service.status_dates"
    with pytest.raises(InvariantError) as planned_dated:
        ServiceDelivery(**base, programme=SocialProgramme.ASD, delivered_on=ON)  # type: ignore[arg-type]
    assert planned_dated.value.code == "service.status_dates"
    with pytest.raises(InvariantError) as early:
        ServiceDelivery(**{**base, "due_on": ON - timedelta(days=1)}, programme=SocialProgramme.ASD)  # type: ignore[arg-type]
    assert early.value.code == "service.due_before_planned"


# --- overdue ------------------------------------------------------------------------------


@given(service_deliveries(CASE, on=ON, body_id=CAPE.id), st.integers(-30, 200))
def test_overdue_means_past_its_due_date_and_still_owed_that_day(
    service: ServiceDelivery, offset: int
) -> None:
    day = service.due_on + timedelta(days=offset)
    done = service.delivered_on or service.ended_on
    expected = day > service.due_on and (done is None or done > day)
    assert is_overdue(service, day) is expected
    assert days_overdue(service, day) == ((day - service.due_on).days if expected else 0)
    # Never overdue on its due date; a service still planned is overdue every day after.
    assert not is_overdue(service, service.due_on)
    if service.status is ServiceStatus.PLANNED and offset > 0:
        assert is_overdue(service, day)


@given(service_deliveries(CASE, on=ON, body_id=CAPE.id, status=ServiceStatus.DELIVERED))
def test_a_delivered_service_is_in_time_when_delivered_by_its_due_date(
    service: ServiceDelivery,
) -> None:
    assert service.delivered_on is not None
    assert delivered_in_time(service) is (service.delivered_on <= service.due_on)
    assert not is_overdue(service, max(service.delivered_on, service.due_on))


# --- approvals ----------------------------------------------------------------------------

approvals = approval_requests(CASE, on=ON)


@given(approvals)
def test_a_drawn_approval_passes_every_approval_rule(request: ApprovalRequest) -> None:
    assert codes(request, APPROVALS) == set()


@given(approvals)
def test_an_approval_of_no_case_gives_case_unknown(request: ApprovalRequest) -> None:
    assert codes(attrs.evolve(request, case_id=new_id()), APPROVALS) == {"approval.case_unknown"}


@given(approvals, st.integers(1, 400))
def test_an_approval_asked_before_its_case_gives_before_case_opened(
    request: ApprovalRequest, days: int
) -> None:
    broken = attrs.evolve(request, requested_on=OPENED - timedelta(days=days))
    assert codes(broken, APPROVALS) == {"approval.before_case_opened"}


@given(approval_requests(CASE, on=ON, decision=ApprovalDecision.PENDING), st.integers(1, 30))
def test_an_approval_asked_after_today_gives_in_future(request: ApprovalRequest, days: int) -> None:
    broken = attrs.evolve(request, requested_on=ON + timedelta(days=days))
    assert codes(broken, APPROVALS) == {"approval.in_future"}


@given(approvals)
def test_an_unconfigured_subject_gives_subject_unknown_and_a_configured_one_passes(
    request: ApprovalRequest,
) -> None:
    broken = attrs.evolve(request, subject="placement")
    assert codes(broken, APPROVALS) == {"approval.subject_unknown"}
    configured = ApprovalSettings.from_settings({"approvals": {"subjects": ["placement"]}})
    assert codes(broken, APPROVALS, context(broken, settings=configured)) == set()


@given(approval_requests(CASE, on=ON, decision=ApprovalDecision.APPROVED))
def test_deciding_ones_own_request_gives_self_decided(request: ApprovalRequest) -> None:
    broken = attrs.evolve(request, decided_by=request.requested_by)
    assert codes(broken, APPROVALS) == {"approval.self_decided"}


@given(approval_requests(CASE, on=ON, decision=ApprovalDecision.DECLINED), st.integers(1, 30))
def test_a_decision_after_today_gives_decided_in_future(
    request: ApprovalRequest, days: int
) -> None:
    broken = attrs.evolve(request, decided_on=ON + timedelta(days=days))
    assert codes(broken, APPROVALS) == {"approval.decided_in_future"}


@given(approval_requests(CASE, on=ON, decision=ApprovalDecision.PENDING))
def test_a_second_pending_request_of_a_subject_gives_pending_twice(
    request: ApprovalRequest,
) -> None:
    other = attrs.evolve(request, id=new_id())
    assert codes(request, APPROVALS, context(request, other)) == {"approval.pending_twice"}
    decided = other.decided("supervisor-09", request.requested_on, approved=True)
    assert codes(request, APPROVALS, context(request, decided)) == set()


def test_a_request_is_decided_with_its_date_and_a_comment_when_declined() -> None:
    asked = ApprovalRequest(
        case_id=CASE.id, subject="assessment", requested_by="w", requested_on=ON
    )
    with pytest.raises(InvariantError) as silent:
        asked.decided("s", ON, approved=False)
    assert silent.value.code == "approval.decline_without_comment"
    with pytest.raises(InvariantError) as early:
        asked.decided("s", ON - timedelta(days=1), approved=True)
    assert early.value.code == "approval.decided_before_requested"
    with pytest.raises(InvariantError) as half:
        attrs.evolve(asked, decided_by="s")
    assert half.value.code == "approval.decision_incomplete"
    with pytest.raises(InvariantError) as shape:
        attrs.evolve(asked, subject="Case Plan")
    assert shape.value.code == "approval.subject_format"


@pytest.mark.parametrize(
    "value",
    [
        {"subjects": "Bad Code"},
        {"subjects": [1]},
        {"other": []},
        "placement",
        {"subjects": {"a": 1}},
    ],
)
def test_unusable_approval_settings_are_refused_naming_the_setting(value: object) -> None:
    with pytest.raises(ApprovalSettingsError) as refused:
        ApprovalSettings.from_settings({"approvals": value})
    assert refused.value.key.startswith("approvals")
