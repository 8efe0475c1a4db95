"""Closure approval, consent withdrawal, assent and transition plans through the services.

Every test runs on the memory store, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deploy, deployed, examples, store_url
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE, AccessDenied, LimitedCase, View, case_view
from wladna_core.errors import SettingsError
from wladna_core.model import (
    Assessment,
    CasePlan,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentGiver,
    ConsentOverride,
    Goal,
    Identification,
    IdentificationSource,
    OverrideReason,
    ProtectionConcern,
    ReferralStatus,
    RiskLevel,
    ServiceType,
    TransitionPlan,
)
from wladna_core.rules.settings import CaseRuleSettings
from wladna_core.services import CLOSURE_AWAITS_APPROVAL, ConsentRequired
from wladna_core.workflow import ReasonRequired, StepMissing

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.model import Case

SCHOOL = Identification(IdentificationSource.SCHOOL, TODAY)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The kind of store the test runs on: memory, SQLite and PostgreSQL in turn."""
    return str(request.param)


@pytest.fixture
def dep(store: str, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(store, tmp_path) as deployment:
        yield deployment


def _actions(dep: Deployment, record_id: str) -> list[tuple[str, str, str]]:
    return [
        (entry.actor_id, entry.action, entry.outcome)
        for entry in dep.wl.audit.entries()
        if entry.record_id == record_id
    ]


# --- closure approval ---------------------------------------------------------------------------


def test_a_case_workers_closure_of_a_high_risk_case_is_a_request_a_supervisor_approves(
    dep: Deployment,
) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    asked = dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED, note="Back at school")
    assert asked.record.status is CaseStatus.REGISTERED
    assert [warning.code for warning in asked.warnings] == [CLOSURE_AWAITS_APPROVAL]
    assert [event.name for event in asked.events] == ["case.closure_requested"]
    request = asked.record.pending_closure_request
    assert request is not None
    assert (request.requested_by, request.requested_on, request.reason) == (
        dep.worker.id,
        TODAY,
        ClosureReason.GOALS_ACHIEVED,
    )
    with pytest.raises(AccessDenied, match=r"case\.approve_closure"):
        dep.as_(dep.worker).approve_closure(case.id)
    approved = dep.as_(dep.supervisor).approve_closure(case.id, comment="Agreed at the review")
    closed = approved.record
    assert closed.status is CaseStatus.CLOSED
    assert closed.closure is not None
    assert (closed.closure.reason, closed.closure.note) == (
        ClosureReason.GOALS_ACHIEVED,
        "Back at school",
    )
    [decided] = closed.closure_requests
    assert (decided.decided_by, decided.decided_on, decided.approved, decided.comment) == (
        dep.supervisor.id,
        TODAY,
        True,
        "Agreed at the review",
    )
    assert [event.name for event in approved.events] == ["case.closure_approved", "case.closed"]
    assert "case.closure_unapproved" not in {warning.code for warning in approved.warnings}
    assert _actions(dep, case.id)[-3:] == [
        (dep.worker.id, "case.close", "done"),
        (dep.worker.id, "case.approve_closure", "denied"),
        (dep.supervisor.id, "case.approve_closure", "done"),
    ]
    assert dep.as_(dep.supervisor).case(case.id) == closed


def test_a_supervisor_declines_a_closure_request_with_a_comment(dep: Deployment) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    dep.as_(dep.worker).close(case.id, ClosureReason.RISK_RESOLVED)
    with pytest.raises(ReasonRequired, match="say why the case stays open"):
        dep.as_(dep.supervisor).decline_closure(case.id, "  ")
    declined = dep.as_(dep.supervisor).decline_closure(case.id, "The father is back home").record
    assert declined.status is CaseStatus.REGISTERED
    [decided] = declined.closure_requests
    assert (decided.approved, decided.comment, decided.decided_by) == (
        False,
        "The father is back home",
        dep.supervisor.id,
    )
    with pytest.raises(StepMissing, match="no closure request awaits a decision"):
        dep.as_(dep.supervisor).approve_closure(case.id)
    # The case worker may ask again; the history keeps both requests.
    again = dep.as_(dep.worker).close(case.id, ClosureReason.RISK_RESOLVED).record
    assert [request.approved for request in again.closure_requests] == [False, None]


def test_a_supervisor_closes_a_high_risk_case_at_once_approving_it(dep: Deployment) -> None:
    case = dep.case(risk=RiskLevel.HIGH)
    dep.as_(dep.worker).close(case.id, ClosureReason.OTHER, note="asked by the worker")
    outcome = dep.as_(dep.supervisor).close(case.id, ClosureReason.MOVED_AWAY)
    closed = outcome.record
    assert closed.status is CaseStatus.CLOSED
    assert closed.closure is not None
    assert closed.closure.reason is ClosureReason.MOVED_AWAY
    [request] = closed.closure_requests
    assert (request.requested_by, request.decided_by, request.approved) == (
        dep.worker.id,
        dep.supervisor.id,
        True,
    )
    assert outcome.warnings == ()


def test_lower_risks_close_as_before(dep: Deployment) -> None:
    case = dep.case(risk=RiskLevel.MEDIUM)
    closed = dep.as_(dep.worker).close(case.id, ClosureReason.GOALS_ACHIEVED).record
    assert closed.status is CaseStatus.CLOSED
    assert closed.closure_requests == ()


def test_the_risk_levels_needing_approval_are_a_setting(store: str, tmp_path: Path) -> None:
    options = {"case_rules": {"closure_approval_risks": ["medium"]}}
    with deployed(store, tmp_path, settings=options) as dep:
        high = dep.case(risk=RiskLevel.HIGH)
        assert dep.as_(dep.worker).close(high.id, ClosureReason.OTHER).record.is_active is False
        medium = dep.case(risk=RiskLevel.MEDIUM)
        asked = dep.as_(dep.worker).close(medium.id, ClosureReason.OTHER)
        assert asked.record.is_active
        assert asked.record.pending_closure_request is not None


# --- consent withdrawal -------------------------------------------------------------------------


def test_withdrawing_consent_stops_sharing_with_the_provider_at_once(dep: Deployment) -> None:
    case = dep.case()
    referral = (
        dep.as_(dep.worker).refer(case.id, to_body=dep.cape.id, service=ServiceType.MEDICAL).record
    )
    assert isinstance(dep.as_(dep.provider).case(case.id), LimitedCase)
    outcome = dep.as_(dep.worker).withdraw_consent(
        case.id, withdrawn_by=ConsentGiver.CAREGIVER, note="The mother asked to stop sharing"
    )
    withdrawn = outcome.record
    assert withdrawn.consent is not None
    assert (withdrawn.consent.sharing, withdrawn.consent.services) == (False, True)
    [withdrawal] = withdrawn.consent_withdrawals
    assert (withdrawal.on, withdrawal.recorded_by, withdrawal.withdrawn_by) == (
        TODAY,
        dep.worker.id,
        ConsentGiver.CAREGIVER,
    )
    assert [event.name for event in outcome.events] == ["case.consent_withdrawn"]
    with pytest.raises(AccessDenied) as refused:
        dep.as_(dep.provider).case(case.id)
    assert refused.value.reason == NOT_IN_SCOPE
    assert dep.as_(dep.provider).cases() == []
    with pytest.raises(AccessDenied):
        dep.as_(dep.provider).child(case.child_id)
    # The provider still answers the referral it holds; the sender may cancel it.
    rejected = dep.as_(dep.provider).reject(referral.id, "No consent to share any more")
    assert rejected.record.status is ReferralStatus.REJECTED
    with pytest.raises(ConsentRequired, match="no consent to sharing"):
        dep.as_(dep.worker).refer(case.id, to_body=dep.cape.id, service=ServiceType.MEDICAL)
    assert (dep.worker.id, "consent.withdraw", "done") in _actions(dep, case.id)


def test_an_authorised_override_keeps_sharing_after_a_withdrawal(dep: Deployment) -> None:
    case = dep.case()
    override = ConsentOverride(OverrideReason.BEST_INTEREST, "Medical emergency at school")
    dep.as_(dep.supervisor).refer(
        case.id, to_body=dep.cape.id, service=ServiceType.MEDICAL, consent_override=override
    )
    dep.as_(dep.worker).withdraw_consent(case.id)
    assert isinstance(dep.as_(dep.provider).case(case.id), LimitedCase)


def test_a_case_without_consent_has_nothing_to_withdraw(dep: Deployment) -> None:
    case = dep.case(consent=False)
    with pytest.raises(StepMissing, match="no consent to services, sharing or reporting"):
        dep.as_(dep.worker).withdraw_consent(case.id)
    with pytest.raises(AccessDenied):
        dep.as_(dep.provider).withdraw_consent(case.id)


@pytest.mark.parametrize("store", STORES)
def test_after_a_withdrawal_no_provider_sees_more_than_without_consent(
    store: str, tmp_path: Path
) -> None:
    with store_url(store, tmp_path) as url:

        @settings(
            max_examples=examples(store, 15),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=st.data())
        def withdrawn(data: st.DataObject) -> None:
            dep = deploy(url, fresh=True)
            try:
                _withdrawal_scenario(dep, data)
            finally:
                dep.wl.close()

        withdrawn()


def _withdrawal_scenario(dep: Deployment, data: st.DataObject) -> None:
    case = dep.case()
    targets = data.draw(st.lists(st.sampled_from([dep.cape, dep.rabat]), min_size=1, max_size=3))
    for target in targets:
        overridden = data.draw(st.booleans(), label="override")
        dep.as_(dep.supervisor).refer(
            case.id,
            to_body=target.id,
            service=ServiceType.PSYCHOSOCIAL,
            consent_override=ConsentOverride(OverrideReason.EMERGENCY, "Child in danger tonight")
            if overridden
            else None,
        )
    referrals = dep.as_(dep.supervisor).referrals(case.id)
    if data.draw(st.booleans(), label="one accepted"):
        first = referrals[0]
        provider_of_first = _provider(first.target.body_id or "")
        dep.as_(provider_of_first).accept(first.id)
    dep.as_(dep.worker).withdraw_consent(
        case.id,
        services=data.draw(st.booleans(), label="services"),
        reporting=data.draw(st.booleans(), label="reporting"),
    )
    stored = dep.as_(dep.supervisor).case(case.id)
    assert not isinstance(stored, LimitedCase)
    referrals = dep.as_(dep.supervisor).referrals(case.id)
    # What a provider would see had sharing never been agreed to.
    never_shared = _never_shared(stored)
    for body_id in {target.id for target in targets}:
        provider = _provider(body_id)
        allowed = case_view(
            provider,
            never_shared,
            referrals=referrals,
            bodies={},
            gazetteer=dep.wl.store.gazetteer,
        )
        assert allowed in {View.NONE, View.LIMITED}
        if allowed is View.NONE:
            with pytest.raises(AccessDenied) as refused:
                dep.as_(provider).case(case.id)
            assert refused.value.reason == NOT_IN_SCOPE
            continue
        seen = dep.as_(provider).case(case.id)
        assert isinstance(seen, LimitedCase)
        # Only the referrals made under an authorised override are still shown.
        assert all(ref.consent_override is not None for ref in seen.referrals)
        assert seen.referrals


def _never_shared(case: Case) -> Case:
    assert case.consent is not None
    return attrs.evolve(case, consent=attrs.evolve(case.consent, sharing=False))


def _provider(body_id: str) -> Actor:
    return Actor(f"provider-{body_id[-4:]}", {Role.SERVICE_PROVIDER}, {body_id})


# --- assent and the transition plan -------------------------------------------------------------


def test_consent_without_the_assent_of_a_child_of_the_band_is_recorded_with_a_warning(
    dep: Deployment,
) -> None:
    child = dep.child(birth_date=date(2012, 5, 1))
    case = (
        dep.as_(dep.worker)
        .open_case(
            child_id=child.id,
            body_id=dep.upe.id,
            identification=SCHOOL,
            on=TODAY,
        )
        .record
    )
    consent = Consent(TODAY, ConsentGiver.CAREGIVER, services=True, sharing=True)
    outcome = dep.as_(dep.worker).record_consent(case.id, consent)
    assert "case.assent_missing" in {warning.code for warning in outcome.warnings}
    with_assent = Consent(TODAY, ConsentGiver.CAREGIVER, services=True, sharing=True, assent=True)
    outcome = dep.as_(dep.worker).record_consent(case.id, with_assent)
    assert "case.assent_missing" not in {warning.code for warning in outcome.warnings}
    assert outcome.record.consent == with_assent


BANDS = {
    "case_rules": {
        "assent_bands": [
            {"from_age": 0, "seek": "none"},
            {"from_age": 6, "seek": "assent"},
            {"from_age": 15, "seek": "consent"},
        ]
    }
}


@pytest.mark.parametrize(
    ("birth_date", "given_by", "assent", "warned"),
    [
        # 16 on TODAY: the band seeks the child's own consent.
        (date(2010, 1, 5), ConsentGiver.CAREGIVER, None, {"case.child_consent_missing"}),
        (date(2010, 1, 5), ConsentGiver.CAREGIVER, True, set()),
        (date(2010, 1, 5), ConsentGiver.CAREGIVER, False, {"case.child_declined"}),
        (date(2010, 1, 5), ConsentGiver.CHILD, None, set()),
        # 9: the band seeks their assent beside the caregiver's consent.
        (date(2017, 1, 5), ConsentGiver.CAREGIVER, None, {"case.assent_missing"}),
        (date(2017, 1, 5), ConsentGiver.CHILD, None, {"case.child_consent_below_band"}),
        # 4: nothing of their own is sought.
        (date(2022, 1, 5), ConsentGiver.LEGAL_GUARDIAN, None, set()),
    ],
)
def test_the_deployments_age_bands_decide_what_consent_is_warned_about(
    store: str,
    tmp_path: Path,
    birth_date: date,
    given_by: ConsentGiver,
    assent: bool | None,
    warned: set[str],
) -> None:
    agreement = {
        "case.assent_missing",
        "case.child_consent_missing",
        "case.child_consent_below_band",
        "case.child_declined",
    }
    with deployed(store, tmp_path, settings=BANDS) as dep:
        child = dep.child(birth_date=birth_date)
        case = (
            dep.as_(dep.worker)
            .open_case(child_id=child.id, body_id=dep.upe.id, identification=SCHOOL, on=TODAY)
            .record
        )
        consent = Consent(TODAY, given_by, services=True, sharing=True, assent=assent)
        outcome = dep.as_(dep.worker).record_consent(case.id, consent)
        assert {warning.code for warning in outcome.warnings} & agreement == warned
        assert dep.wl.as_actor(dep.worker).case(case.id).consent == consent


def test_bands_that_cannot_be_read_stop_the_deployment_opening(store: str, tmp_path: Path) -> None:
    bad = {"case_rules": {"assent_bands": [{"from_age": 0, "seek": "none"}, {"from_age": 6}]}}
    with pytest.raises(SettingsError) as refused, deployed(store, tmp_path, settings=bad):
        pass
    assert refused.value.key == "case_rules.assent_bands[1]"
    assert "from_age" in refused.value.remedy


def test_a_transition_plan_silences_the_coming_of_age_warning(dep: Deployment) -> None:
    child = dep.child(birth_date=date(2008, 4, 1))
    worker = dep.as_(dep.worker)
    case = worker.open_case(
        child_id=child.id,
        body_id=dep.upe.id,
        identification=SCHOOL,
        on=TODAY,
    ).record
    assessed = worker.record_assessment(
        case.id,
        Assessment(on=TODAY, by="worker.sale", risk=RiskLevel.MEDIUM),
        concerns=[ProtectionConcern.NEGLECT],
    )
    assert "case.child_turns_18" in {warning.code for warning in assessed.warnings}
    plan = CasePlan(TODAY, goals=[Goal("Vocational training", "worker.sale", date(2026, 9, 1))])
    worker.record_plan(case.id, plan)
    transition = TransitionPlan(
        agreed_on=TODAY,
        arrangements="Lives with an aunt; apprenticeship",
        services=[ServiceType.VOCATIONAL_TRAINING],
    )
    outcome = worker.record_transition_plan(case.id, transition)
    assert outcome.record.plan is not None
    assert outcome.record.plan.transition == transition
    assert "case.child_turns_18" not in {warning.code for warning in outcome.warnings}
    assert [event.name for event in outcome.events] == ["case.transition_plan_recorded"]


# --- consent to reporting -----------------------------------------------------------------------


def test_a_pseudonymised_export_carries_only_cases_with_consent_to_reporting(
    dep: Deployment,
) -> None:
    from wladna_core.reporting.pseudonyms import Pseudonymiser  # noqa: PLC0415

    kept = dep.case()
    left_out = dep.case()
    dep.as_(dep.worker).record_consent(
        kept.id,
        Consent(TODAY, ConsentGiver.CAREGIVER, services=True, sharing=True, reporting=True),
    )
    exported = dep.as_(dep.supervisor).export(pseudonymiser=Pseudonymiser(b"k" * 32))
    assert [kind for kind, _ in exported] == ["child", "case"]
    identifying = {record["id"] for _, record in dep.as_(dep.supervisor).export()}
    assert {kept.id, left_out.id} <= identifying
    dep.as_(dep.worker).withdraw_consent(kept.id, sharing=False, reporting=True)
    assert dep.as_(dep.supervisor).export(pseudonymiser=Pseudonymiser(b"k" * 32)) == []


@pytest.mark.parametrize(
    ("name", "meant"),
    [("case_rule", "case_rules"), ("deadline", "deadlines"), ("document", "documents")],
)
def test_a_slip_in_a_top_level_setting_stops_the_deployment_opening(
    store: str, tmp_path: Path, name: str, meant: str
) -> None:
    with pytest.raises(SettingsError) as refused, deployed(store, tmp_path, settings={name: {}}):
        pass
    assert refused.value.key == name
    assert f"it looks like {meant}" in str(refused.value)
    assert f"Rename it {meant}" in refused.value.remedy


def test_a_plugins_own_setting_is_let_through(store: str, tmp_path: Path) -> None:
    with deployed(store, tmp_path, settings={"sale_outreach": {"teams": 2}}) as dep:
        assert dep.wl.settings["sale_outreach"] == {"teams": 2}


def test_an_unknown_case_rule_shows_its_value() -> None:
    with pytest.raises(SettingsError) as refused:
        CaseRuleSettings.from_settings({"case_rules": {"assent_band": [{"from_age": 0}]}})
    assert refused.value.key == "case_rules.assent_band"
    assert refused.value.value == [{"from_age": 0}]
