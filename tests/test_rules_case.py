"""Rules about cases: links to other records, jurisdiction, concerns, closure, plan approval."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    KNOWN_CODES,
    ON,
    RABAT,
    RABAT_SALE_KENITRA,
    SALE,
    a_body,
    a_case,
    a_child,
    a_family,
    a_referral,
    ancestors_or_self,
    findings_of,
    fires,
    ids,
    paths_of,
    territory_codes,
)
from wladna_core.model import (
    Approval,
    Assessment,
    BodyKind,
    CasePlan,
    CaseStatus,
    Closure,
    ClosureReason,
    ProtectionConcern,
    ReferralStatus,
    RiskLevel,
)
from wladna_core.rules import Context

ASSESSMENT = Assessment(on=ON, by="worker-7", risk=RiskLevel.MEDIUM)
APPROVED_PLAN = CasePlan(drawn_up_on=ON, approval=Approval(by="supervisor-2", on=ON))
UNAPPROVED_PLAN = CasePlan(drawn_up_on=ON)

# --- case.child_unknown, case.family_unknown, case.body_unknown ---------------------------------


def test_case_child_unknown_fires_when_no_known_child_has_the_id() -> None:
    case = a_case()
    [violation] = findings_of("case.child_unknown", case, context=Context(children=[a_child()]))
    assert violation.path == "$.child_id"
    assert violation.message == f"The case's child {case.child_id} is not known."


def test_case_child_unknown_is_silent_for_a_known_child() -> None:
    child = a_child()
    case = a_case(child_id=child.id)
    assert not fires("case.child_unknown", case, context=Context(children=[child]))


def test_case_child_unknown_is_skipped_when_children_are_not_known() -> None:
    assert not fires("case.child_unknown", a_case(), context=Context(bodies=[]))


@given(child_id=ids, known=st.lists(ids, max_size=3), include=st.booleans())
def test_case_child_unknown_fires_iff_the_child_is_not_among_the_known_children(
    child_id: str, known: list[str], include: bool
) -> None:
    known_ids = [*known, child_id] if include else known
    case = a_case(child_id=child_id)
    context = Context(children=[a_child(id=known_id) for known_id in known_ids])
    assert fires("case.child_unknown", case, context=context) == (child_id not in known_ids)


def test_case_family_unknown_fires_for_a_family_id_no_known_family_has() -> None:
    case = a_case(family_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f")
    [violation] = findings_of("case.family_unknown", case, context=Context(families=[]))
    assert violation.path == "$.family_id"


def test_case_family_unknown_is_silent_without_a_family_id_or_with_a_known_one() -> None:
    family = a_family()
    assert not fires("case.family_unknown", a_case(), context=Context(families=[]))
    case = a_case(family_id=family.id)
    assert not fires("case.family_unknown", case, context=Context(families=[family]))


@given(family_id=st.none() | ids, known=st.lists(ids, max_size=3), include=st.booleans())
def test_case_family_unknown_fires_iff_a_named_family_is_not_known(
    family_id: str | None, known: list[str], include: bool
) -> None:
    known_ids = [*known, family_id] if include and family_id else known
    case = a_case(family_id=family_id)
    context = Context(families=[a_family(id=known_id) for known_id in known_ids])
    expected = family_id is not None and family_id not in known_ids
    assert fires("case.family_unknown", case, context=context) == expected


def test_case_body_unknown_fires_for_a_body_id_no_known_body_has() -> None:
    case = a_case()
    [violation] = findings_of("case.body_unknown", case, context=Context(bodies=[a_body()]))
    assert violation.path == "$.body_id"
    assert violation.message == f"The case's responsible body {case.body_id} is not known."


def test_case_body_unknown_is_silent_for_a_known_body() -> None:
    body = a_body()
    assert not fires("case.body_unknown", a_case(body_id=body.id), context=Context(bodies=[body]))


@given(body_id=ids, known=st.lists(ids, max_size=3), include=st.booleans())
def test_case_body_unknown_fires_iff_the_body_is_not_known(
    body_id: str, known: list[str], include: bool
) -> None:
    known_ids = [*known, body_id] if include else known
    context = Context(bodies=[a_body(id=known_id) for known_id in known_ids])
    expected = body_id not in known_ids
    assert fires("case.body_unknown", a_case(body_id=body_id), context=context) == expected


# --- case.territory_unknown, case.body_outside_jurisdiction -------------------------------------


def test_case_territory_unknown_fires_for_a_code_the_gazetteer_does_not_know() -> None:
    [violation] = findings_of("case.territory_unknown", a_case(territory="MA-QQQ"))
    assert violation.path == "$.territory"
    assert violation.message == "The case's territory MA-QQQ is not in the gazetteer."


def test_case_territory_unknown_is_silent_for_a_known_code() -> None:
    assert not fires("case.territory_unknown", a_case(territory=SALE))


@given(territory=territory_codes)
def test_case_territory_unknown_fires_iff_the_code_is_not_in_the_gazetteer(
    territory: str,
) -> None:
    expected = territory not in KNOWN_CODES
    assert fires("case.territory_unknown", a_case(territory=territory)) == expected


def test_body_outside_jurisdiction_warns_about_a_case_in_another_province() -> None:
    body = a_body(territory=SALE)
    case = a_case(body_id=body.id, territory=RABAT)
    [violation] = findings_of(
        "case.body_outside_jurisdiction", case, context=Context(bodies=[body])
    )
    assert violation.severity == "warning"
    assert violation.path == "$.territory"
    assert violation.message == (
        "The case's territory MA-RAB is outside the territory of its responsible body (MA-SAL)."
    )


def test_body_outside_jurisdiction_is_silent_for_a_case_inside_a_regional_body() -> None:
    body = a_body(kind=BodyKind.CAPE, territory=RABAT_SALE_KENITRA)
    case = a_case(body_id=body.id, territory=SALE)
    assert not fires("case.body_outside_jurisdiction", case, context=Context(bodies=[body]))


def test_body_outside_jurisdiction_leaves_unknown_territories_to_their_own_rules() -> None:
    body = a_body(territory=SALE)
    case = a_case(body_id=body.id, territory="MA-QQQ")
    context = Context(bodies=[body])
    assert not fires("case.body_outside_jurisdiction", case, context=context)
    assert fires("case.territory_unknown", case, context=context)


def test_body_outside_jurisdiction_is_skipped_when_bodies_are_not_known() -> None:
    assert not fires("case.body_outside_jurisdiction", a_case(territory=RABAT))


@given(case_territory=territory_codes, body_territory=territory_codes)
def test_body_outside_jurisdiction_fires_iff_the_body_territory_does_not_contain_the_case(
    case_territory: str, body_territory: str
) -> None:
    body = a_body(kind=BodyKind.CAPE, territory=body_territory)
    case = a_case(body_id=body.id, territory=case_territory)
    both_known = case_territory in KNOWN_CODES and body_territory in KNOWN_CODES
    expected = both_known and body_territory not in ancestors_or_self(case_territory)
    found = fires("case.body_outside_jurisdiction", case, context=Context(bodies=[body]))
    assert found == expected


# --- case.concerns_missing ----------------------------------------------------------------------


def test_concerns_missing_fires_for_a_case_in_assessment_without_concerns() -> None:
    case = a_case(status=CaseStatus.ASSESSMENT)
    [violation] = findings_of("case.concerns_missing", case)
    assert violation.path == "$.concerns"
    assert violation.message == "The case has been assessed but records no protection concern."


def test_concerns_missing_fires_for_a_registered_case_with_an_assessment() -> None:
    assert fires("case.concerns_missing", a_case(assessment=ASSESSMENT))


def test_concerns_missing_is_silent_for_a_registered_case() -> None:
    assert not fires("case.concerns_missing", a_case(status=CaseStatus.REGISTERED))


def test_concerns_missing_is_silent_once_a_concern_is_recorded() -> None:
    case = a_case(status=CaseStatus.CASE_PLAN, concerns=[ProtectionConcern.NEGLECT])
    assert not fires("case.concerns_missing", case)


@given(
    status=st.sampled_from(CaseStatus),
    assessed=st.booleans(),
    concerns=st.frozensets(st.sampled_from(ProtectionConcern), max_size=2),
)
def test_concerns_missing_fires_iff_past_registration_or_assessed_without_concerns(
    status: CaseStatus, assessed: bool, concerns: frozenset[ProtectionConcern]
) -> None:
    case = a_case(status=status, assessment=ASSESSMENT if assessed else None, concerns=concerns)
    beyond_registration = status in {
        CaseStatus.ASSESSMENT,
        CaseStatus.CASE_PLAN,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.FOLLOW_UP,
    }
    # a case closed or reopened straight from registration was never assessed
    expected = (beyond_registration or assessed) and not concerns
    assert fires("case.concerns_missing", case) == expected


# --- case.closure_reason_missing, case.closure_on_open_case -------------------------------------


def test_closure_reason_missing_fires_for_a_closed_case_without_closure() -> None:
    [violation] = findings_of("case.closure_reason_missing", a_case(status=CaseStatus.CLOSED))
    assert violation.path == "$.closure"
    assert violation.message == "The case is closed without a closure reason."


def test_closure_reason_missing_fires_for_a_closure_without_reason() -> None:
    case = a_case(status=CaseStatus.CLOSED, closure=Closure(on=ON))
    assert paths_of("case.closure_reason_missing", case) == ["$.closure.reason"]


def test_closure_reason_missing_is_silent_for_a_closure_with_its_reason() -> None:
    case = a_case(
        status=CaseStatus.CLOSED, closure=Closure(on=ON, reason=ClosureReason.GOALS_ACHIEVED)
    )
    assert not fires("case.closure_reason_missing", case)


closures = st.sampled_from(
    [None, Closure(on=ON), Closure(on=ON, reason=ClosureReason.RISK_RESOLVED)]
)


@given(status=st.sampled_from(CaseStatus), closure=closures)
def test_closure_reason_missing_fires_iff_closed_without_a_reason(
    status: CaseStatus, closure: Closure | None
) -> None:
    case = a_case(status=status, closure=closure)
    expected = status is CaseStatus.CLOSED and (closure is None or closure.reason is None)
    assert fires("case.closure_reason_missing", case) == expected


def test_closure_on_open_case_fires_for_a_closure_on_a_case_in_follow_up() -> None:
    closure = Closure(on=ON, reason=ClosureReason.MOVED_AWAY)
    case = a_case(status=CaseStatus.FOLLOW_UP, closure=closure)
    [violation] = findings_of("case.closure_on_open_case", case)
    assert violation.path == "$.closure"
    assert violation.message == "A closure is recorded on a case that is not closed."


def test_closure_on_open_case_is_silent_for_a_closed_case() -> None:
    closure = Closure(on=ON, reason=ClosureReason.MOVED_AWAY)
    assert not fires("case.closure_on_open_case", a_case(status=CaseStatus.CLOSED, closure=closure))


@given(status=st.sampled_from(CaseStatus), closure=closures)
def test_closure_on_open_case_fires_iff_a_closure_is_recorded_and_the_status_is_not_closed(
    status: CaseStatus, closure: Closure | None
) -> None:
    case = a_case(status=status, closure=closure)
    expected = closure is not None and status is not CaseStatus.CLOSED
    assert fires("case.closure_on_open_case", case) == expected


# --- case.closure_with_open_referrals -----------------------------------------------------------


def test_closure_with_open_referrals_fires_for_each_pending_or_accepted_referral() -> None:
    case = a_case(
        status=CaseStatus.CLOSED, closure=Closure(on=ON, reason=ClosureReason.GOALS_ACHIEVED)
    )
    pending = a_referral(case_id=case.id)
    accepted = a_referral(case_id=case.id, status=ReferralStatus.ACCEPTED)
    completed = a_referral(case_id=case.id, status=ReferralStatus.COMPLETED)
    another_case = a_referral()
    context = Context(referrals=[pending, accepted, completed, another_case])
    found = findings_of("case.closure_with_open_referrals", case, context=context)
    assert [v.path for v in found] == ["$.status", "$.status"]
    assert found[0].message == (
        f"The case is closed while referral {pending.id} is still pending or accepted."
    )
    assert found[1].message.endswith(f"{accepted.id} is still pending or accepted.")


def test_closure_with_open_referrals_is_silent_when_every_referral_is_done() -> None:
    case = a_case(
        status=CaseStatus.CLOSED, closure=Closure(on=ON, reason=ClosureReason.GOALS_ACHIEVED)
    )
    done = [
        a_referral(case_id=case.id, status=ReferralStatus.COMPLETED),
        a_referral(case_id=case.id, status=ReferralStatus.REJECTED, rejection_reason="full"),
        a_referral(case_id=case.id, status=ReferralStatus.CANCELLED),
    ]
    context = Context(referrals=done)
    assert not fires("case.closure_with_open_referrals", case, context=context)


def test_closure_with_open_referrals_is_skipped_when_referrals_are_not_known() -> None:
    case = a_case(status=CaseStatus.CLOSED)
    assert not fires("case.closure_with_open_referrals", case, context=Context(cases=[]))


@given(
    status=st.sampled_from(CaseStatus),
    referral_statuses=st.lists(st.sampled_from(ReferralStatus), max_size=5),
)
def test_closure_with_open_referrals_fires_once_per_open_referral_of_a_closed_case(
    status: CaseStatus, referral_statuses: list[ReferralStatus]
) -> None:
    case = a_case(status=status)
    referrals = [
        a_referral(case_id=case.id, status=referral_status, rejection_reason="no place")
        for referral_status in referral_statuses
    ]
    open_count = sum(
        s in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED) for s in referral_statuses
    )
    expected = open_count if status is CaseStatus.CLOSED else 0
    found = findings_of(
        "case.closure_with_open_referrals", case, context=Context(referrals=referrals)
    )
    assert len(found) == expected


# --- case.high_risk_plan_unapproved -------------------------------------------------------------


def test_high_risk_plan_unapproved_fires_for_a_high_risk_case_implemented_without_approval() -> (
    None
):
    case = a_case(status=CaseStatus.IMPLEMENTATION, risk=RiskLevel.HIGH, plan=UNAPPROVED_PLAN)
    [violation] = findings_of("case.high_risk_plan_unapproved", case)
    assert violation.path == "$.plan.approval"
    assert violation.message == (
        "The case is high risk and its case plan is carried out without a supervisor's approval."
    )


def test_high_risk_plan_unapproved_fires_for_a_high_risk_case_in_follow_up_without_plan() -> None:
    case = a_case(status=CaseStatus.FOLLOW_UP, risk=RiskLevel.HIGH)
    assert paths_of("case.high_risk_plan_unapproved", case) == ["$.plan"]


def test_high_risk_plan_unapproved_is_silent_with_an_approved_plan() -> None:
    case = a_case(status=CaseStatus.IMPLEMENTATION, risk=RiskLevel.HIGH, plan=APPROVED_PLAN)
    assert not fires("case.high_risk_plan_unapproved", case)


def test_high_risk_plan_unapproved_is_silent_while_the_plan_is_drawn_up() -> None:
    case = a_case(status=CaseStatus.CASE_PLAN, risk=RiskLevel.HIGH, plan=UNAPPROVED_PLAN)
    assert not fires("case.high_risk_plan_unapproved", case)


@given(
    status=st.sampled_from(CaseStatus),
    risk=st.sampled_from(RiskLevel),
    plan=st.sampled_from([None, UNAPPROVED_PLAN, APPROVED_PLAN]),
)
def test_high_risk_plan_unapproved_fires_iff_high_risk_plan_in_force_without_approval(
    status: CaseStatus, risk: RiskLevel, plan: CasePlan | None
) -> None:
    case = a_case(status=status, risk=risk, plan=plan)
    in_force = status in {CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP} or (
        status is CaseStatus.CLOSED and plan is not None
    )
    expected = risk is RiskLevel.HIGH and in_force and (plan is None or plan.approval is None)
    assert fires("case.high_risk_plan_unapproved", case) == expected


def test_a_high_risk_case_closed_before_any_plan_needs_no_approval() -> None:
    case = a_case(
        status=CaseStatus.CLOSED,
        risk=RiskLevel.HIGH,
        concerns={ProtectionConcern.NEGLECT},
        closure=Closure(ON, ClosureReason.MOVED_AWAY),
    )
    assert not fires("case.high_risk_plan_unapproved", case)
    closed_with_plan = a_case(
        status=CaseStatus.CLOSED,
        risk=RiskLevel.HIGH,
        concerns={ProtectionConcern.NEGLECT},
        closure=Closure(ON, ClosureReason.MOVED_AWAY),
        plan=UNAPPROVED_PLAN,
    )
    assert fires("case.high_risk_plan_unapproved", closed_with_plan)
