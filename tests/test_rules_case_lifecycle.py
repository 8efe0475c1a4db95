"""Rules on the life of a case: coming of age, assent, no-risk cases, approved closures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import ON, a_case, a_child, a_referral, age_reached, dates, findings_of, fires
from wladna_core.errors import SettingsError
from wladna_core.model import (
    Assessment,
    CasePlan,
    CaseStatus,
    Closure,
    ClosureReason,
    ClosureRequest,
    Consent,
    ConsentGiver,
    ReferralStatus,
    RiskLevel,
    TransitionPlan,
)
from wladna_core.rules import Context, validate
from wladna_core.rules.builtin import majority_day
from wladna_core.rules.settings import (
    AgreementSought,
    AssentBand,
    CaseRuleSettings,
    CaseRuleSettingsError,
)

TRANSITION = TransitionPlan(agreed_on=ON, arrangements="Lives with an aunt; vocational training")
ACTIVE = [status for status in CaseStatus if status.is_active]
statuses = st.sampled_from(CaseStatus)


def _context(child: object, **settings: object) -> Context:
    return Context(
        children=[child],  # type: ignore[list-item]
        referrals=[],
        case_rules=CaseRuleSettings(**settings),  # type: ignore[arg-type]
    )


# --- the settings -------------------------------------------------------------------------------


def test_the_settings_have_documented_defaults() -> None:
    settings = CaseRuleSettings.from_settings({})
    assert settings.closure_approval_risks == {RiskLevel.HIGH}
    assert (settings.turns_18_lead_days, settings.assent_from_age) == (90, 12)
    assert settings.assent_bands == (
        AssentBand(0, AgreementSought.NONE),
        AssentBand(12, AgreementSought.ASSENT),
    )


CCS_BANDS = [
    {"from_age": 0, "seek": "none"},
    {"from_age": 6, "seek": "assent"},
    {"from_age": 15, "seek": "consent"},
]


def test_the_age_bands_are_read_from_the_settings() -> None:
    settings = CaseRuleSettings.from_settings({"case_rules": {"assent_bands": CCS_BANDS}})
    assert [(band.from_age, band.seek) for band in settings.assent_bands] == [
        (0, AgreementSought.NONE),
        (6, AgreementSought.ASSENT),
        (15, AgreementSought.CONSENT),
    ]
    assert [settings.band_for(age).seek.value for age in (5, 6, 14, 15, 17)] == [
        "none",
        "assent",
        "assent",
        "consent",
        "consent",
    ]
    assert settings == CaseRuleSettings(
        assent_bands=[AssentBand(0, "none"), AssentBand(6, "assent"), AssentBand(15, "consent")]
    )


def test_a_deployment_may_seek_nothing_of_the_child() -> None:
    assert CaseRuleSettings(assent_from_age=18).assent_from_age is None
    assert CaseRuleSettings(assent_from_age=0).assent_bands == (
        AssentBand(0, AgreementSought.ASSENT),
    )


def test_the_settings_are_read_under_case_rules() -> None:
    settings = CaseRuleSettings.from_settings(
        {"case_rules": {"closure_approval_risks": ["high", "medium"], "turns_18_lead_days": 30}}
    )
    assert settings.needs_closure_approval(RiskLevel.MEDIUM)
    assert not settings.needs_closure_approval(RiskLevel.LOW)
    assert settings.turns_18_lead_days == 30


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"closure_approval_risks": ["very high"]}, "case_rules.closure_approval_risks"),
        ({"closure_approval_risks": 3}, "case_rules.closure_approval_risks"),
        ({"turns_18_lead_days": -1}, "case_rules.turns_18_lead_days"),
        ({"turns_18_lead_days": True}, "case_rules.turns_18_lead_days"),
        ({"assent_from_age": 19}, "case_rules.assent_from_age"),
        ({"assent_from_age": "12"}, "case_rules.assent_from_age"),
        ({"assent_age": 12}, "case_rules.assent_age"),
        ({"assent_bands": []}, "case_rules.assent_bands"),
        ({"assent_bands": "0:none"}, "case_rules.assent_bands"),
        ({"assent_bands": {"from_age": 0, "seek": "none"}}, "case_rules.assent_bands"),
        (
            {"assent_bands": [{"from_age": 3, "seek": "none"}]},
            "case_rules.assent_bands[0].from_age",
        ),
        (
            {"assent_bands": [{"from_age": 0, "seek": "none"}, {"from_age": 0, "seek": "assent"}]},
            "case_rules.assent_bands[1].from_age",
        ),
        (
            {"assent_bands": [{"from_age": 0, "seek": "none"}, {"from_age": 18, "seek": "assent"}]},
            "case_rules.assent_bands[1].from_age",
        ),
        (
            {
                "assent_bands": [
                    {"from_age": 0, "seek": "consent"},
                    {"from_age": 7, "seek": "agree"},
                ]
            },
            "case_rules.assent_bands[1].seek",
        ),
        ({"assent_bands": [{"from_age": 0}]}, "case_rules.assent_bands[0]"),
        (
            {"assent_bands": [{"from_age": 0, "seek": "none", "to_age": 5}]},
            "case_rules.assent_bands[0]",
        ),
        (
            {"assent_bands": [{"from_age": True, "seek": "none"}]},
            "case_rules.assent_bands[0].from_age",
        ),
        ({"assent_bands": CCS_BANDS, "assent_from_age": 12}, "case_rules.assent_from_age"),
        ("high", "case_rules"),
    ],
)
def test_an_unusable_setting_is_refused_by_name(section: object, key: str) -> None:
    with pytest.raises(CaseRuleSettingsError) as refused:
        CaseRuleSettings.from_settings({"case_rules": section})
    assert refused.value.key == key
    assert isinstance(refused.value, SettingsError)
    assert str(refused.value).startswith(f"setting {key} = ")


# --- the 18th birthday --------------------------------------------------------------------------


def test_a_child_born_on_29_february_comes_of_age_on_1_march_in_a_common_year() -> None:
    assert majority_day(date(2008, 2, 29)) == date(2026, 3, 1)
    assert majority_day(date(2012, 2, 29)) == date(2030, 3, 1)
    assert majority_day(date(2008, 6, 1)) == date(2026, 6, 1)


@given(birth=dates)
def test_the_majority_day_is_the_first_day_of_age(birth: date) -> None:
    day = majority_day(birth)
    assert age_reached(birth, 18, day)
    assert not age_reached(birth, 18, day - timedelta(days=1))


# --- case.child_turns_18 ------------------------------------------------------------------------


def test_child_turns_18_warns_within_the_lead_time_with_the_birthday() -> None:
    child = a_child(birth_date=date(2008, 4, 1))
    case = a_case(child_id=child.id, opened_on=date(2025, 1, 10))
    [violation] = findings_of("case.child_turns_18", case, context=_context(child))
    assert violation.path == "$.plan.transition"
    assert violation.message == (
        "The child turns 18 on 2026-04-01, in 30 days, and the case plan has no transition part."
    )
    assert not violation.is_error
    french = validate(case, on=ON, context=_context(child), lang="fr")
    assert [v.message for v in french if v.code == "case.child_turns_18"] == [
        "L'enfant aura 18 ans le 2026-04-01, dans 30 jours, et le plan d'intervention n'a pas "
        "de volet de transition."
    ]


def test_child_turns_18_is_silent_on_the_birthday_itself_where_the_plan_rule_takes_over() -> None:
    child = a_child(birth_date=date(2008, 3, 2))
    case = a_case(child_id=child.id, opened_on=date(2025, 1, 10))
    assert not fires("case.child_turns_18", case, context=_context(child))
    assert fires("case.transition_plan_missing", case, context=_context(child))
    day_before = a_child(birth_date=date(2008, 3, 3))
    case = a_case(child_id=day_before.id, opened_on=date(2025, 1, 10))
    assert fires("case.child_turns_18", case, context=_context(day_before))
    assert not fires("case.transition_plan_missing", case, context=_context(day_before))


def test_child_turns_18_counts_a_29_february_birthday_to_1_march() -> None:
    child = a_child(birth_date=date(2008, 2, 29))
    case = a_case(child_id=child.id, opened_on=date(2025, 1, 10))
    on = date(2026, 2, 28)
    [violation] = findings_of("case.child_turns_18", case, on=on, context=_context(child))
    assert "on 2026-03-01, in 1 days" in violation.message
    assert not fires("case.transition_plan_missing", case, on=on, context=_context(child))
    on = date(2026, 3, 1)
    assert fires("case.transition_plan_missing", case, on=on, context=_context(child))


@given(
    birth=st.dates(min_value=date(2005, 1, 1), max_value=date(2012, 12, 31)),
    status=statuses,
    lead=st.integers(0, 400),
    with_transition=st.booleans(),
)
def test_child_turns_18_fires_iff_active_without_transition_and_the_birthday_is_near(
    birth: date, status: CaseStatus, lead: int, with_transition: bool
) -> None:
    child = a_child(birth_date=birth)
    plan = CasePlan(ON, transition=TRANSITION if with_transition else None)
    case = a_case(child_id=child.id, opened_on=date(2024, 1, 1), status=status, plan=plan)
    days = (majority_day(birth) - ON).days
    expected = status.is_active and not with_transition and 0 < days <= lead
    context = _context(child, turns_18_lead_days=lead)
    assert fires("case.child_turns_18", case, context=context) == expected


# --- case.transition_plan_missing ---------------------------------------------------------------


def test_transition_plan_missing_names_the_plan_or_its_missing_part() -> None:
    child = a_child(birth_date=date(2007, 5, 1))
    without_plan = a_case(child_id=child.id, opened_on=date(2025, 1, 10))
    [violation] = findings_of("case.transition_plan_missing", without_plan, context=_context(child))
    assert violation.path == "$.plan"
    assert violation.message == (
        "The child has been 18 since 2025-05-01 and the case is still active without a "
        "transition plan."
    )
    with_plan = a_case(child_id=child.id, opened_on=date(2025, 1, 10), plan=CasePlan(ON))
    paths = [
        v.path
        for v in findings_of("case.transition_plan_missing", with_plan, context=_context(child))
    ]
    assert paths == ["$.plan.transition"]
    done = a_case(
        child_id=child.id, opened_on=date(2025, 1, 10), plan=CasePlan(ON, transition=TRANSITION)
    )
    assert not fires("case.transition_plan_missing", done, context=_context(child))


@given(birth=dates, status=statuses, with_transition=st.booleans())
def test_transition_plan_missing_fires_iff_an_active_case_of_an_adult_has_none(
    birth: date, status: CaseStatus, with_transition: bool
) -> None:
    child = a_child(birth_date=min(birth, ON))
    plan = CasePlan(ON, transition=TRANSITION if with_transition else None)
    case = a_case(child_id=child.id, status=status, plan=plan)
    expected = status.is_active and not with_transition and age_reached(child.birth_date, 18, ON)
    assert fires("case.transition_plan_missing", case, context=_context(child)) == expected


# --- case.assent_missing ------------------------------------------------------------------------


def _consent(**changes: object) -> Consent:
    fields: dict[str, object] = {
        "recorded_on": ON,
        "given_by": ConsentGiver.CAREGIVER,
        "services": True,
        "sharing": True,
    }
    fields.update(changes)
    return Consent(**fields)  # type: ignore[arg-type]


def test_assent_missing_warns_for_a_child_of_the_band_with_the_ages() -> None:
    child = a_child(birth_date=date(2013, 3, 2))
    case = a_case(child_id=child.id, consent=_consent())
    [violation] = findings_of("case.assent_missing", case, context=_context(child))
    assert violation.path == "$.consent.assent"
    assert violation.message == (
        "The child is 13; from 12 their own assent is sought, and none is recorded with the "
        "consent."
    )


def test_assent_missing_starts_on_the_birthday_the_band_opens() -> None:
    on_birthday = a_child(birth_date=date(2014, 3, 2))
    case = a_case(child_id=on_birthday.id, consent=_consent())
    assert fires("case.assent_missing", case, context=_context(on_birthday))
    day_after = a_child(birth_date=date(2014, 3, 3))
    case = a_case(child_id=day_after.id, consent=_consent())
    assert not fires("case.assent_missing", case, context=_context(day_after))


def test_assent_missing_is_silent_once_assent_or_its_absence_is_explained() -> None:
    child = a_child(birth_date=date(2012, 1, 1))
    for consent in (
        _consent(assent=True),
        _consent(assent=False),
        _consent(assent_note="The child was asleep in hospital; to ask at the next visit."),
    ):
        case = a_case(child_id=child.id, consent=consent)
        assert not fires("case.assent_missing", case, context=_context(child))


@st.composite
def assent_bands(draw: st.DrawFn) -> tuple[AssentBand, ...]:
    """Draw a valid list of bands: from 0, rising ages, any agreement sought in each."""
    ages = sorted({0, *draw(st.sets(st.integers(1, 17), max_size=4))})
    return tuple(AssentBand(age, draw(st.sampled_from(AgreementSought))) for age in ages)


@given(bands=assent_bands(), age=st.integers(0, 30))
def test_a_childs_band_is_the_last_that_has_started(
    bands: tuple[AssentBand, ...], age: int
) -> None:
    settings = CaseRuleSettings(assent_bands=bands)
    band = settings.band_for(age)
    assert band.from_age <= age
    assert not any(band.from_age < other.from_age <= age for other in bands)
    sought = [other.from_age for other in bands if other.seek is not AgreementSought.NONE]
    assert settings.assent_from_age == (min(sought) if sought else None)


@given(
    birth=st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 3, 2)),
    bands=assent_bands(),
    status=statuses,
    assent=st.sampled_from((None, True, False)),
    note=st.sampled_from((None, "Asked at the school, with her teacher present.")),
    given_by=st.none() | st.sampled_from(ConsentGiver),
)
def test_each_agreement_rule_fires_iff_the_childs_band_asks_for_what_is_missing(
    birth: date,
    bands: tuple[AssentBand, ...],
    status: CaseStatus,
    assent: bool | None,
    note: str | None,
    given_by: ConsentGiver | None,
) -> None:
    child = a_child(birth_date=birth)
    consent = Consent(
        recorded_on=ON,
        given_by=given_by,
        services=given_by is not None,
        assent=assent,
        assent_note=note,
    )
    case = a_case(child_id=child.id, consent=consent, status=status)
    age = child.age_on(ON)
    seek = max((band for band in bands if band.from_age <= age), key=lambda b: b.from_age).seek
    applies = status.is_active and given_by is not None and age < 18
    for_the_child = given_by is not ConsentGiver.CHILD and assent is None and note is None
    context = _context(child, assent_bands=bands)
    assert fires("case.assent_missing", case, context=context) == (
        applies and for_the_child and seek is AgreementSought.ASSENT
    )
    assert fires("case.child_consent_missing", case, context=context) == (
        applies and for_the_child and seek is AgreementSought.CONSENT
    )
    assert fires("case.child_consent_below_band", case, context=context) == (
        applies and given_by is ConsentGiver.CHILD and seek is not AgreementSought.CONSENT
    )
    assert fires("case.child_declined", case, context=context) == (
        applies
        and given_by is not ConsentGiver.CHILD
        and assent is False
        and seek is not AgreementSought.NONE
    )


@given(
    birth=st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 3, 2)),
    from_age=st.integers(0, 18),
    given_by=st.sampled_from([giver for giver in ConsentGiver if giver is not ConsentGiver.CHILD]),
)
def test_assent_from_age_is_a_shorthand_for_the_assent_band(
    birth: date, from_age: int, given_by: ConsentGiver
) -> None:
    child = a_child(birth_date=birth)
    case = a_case(child_id=child.id, consent=_consent(given_by=given_by))
    age = child.age_on(ON)
    context = _context(child, assent_from_age=from_age)
    assert fires("case.assent_missing", case, context=context) == (from_age <= age < 18)


def test_child_consent_missing_names_the_band_that_asks_for_it() -> None:
    child = a_child(birth_date=date(2010, 3, 2))
    case = a_case(child_id=child.id, consent=_consent())
    [violation] = findings_of(
        "case.child_consent_missing", case, context=_context(child, assent_bands=CCS_BANDS)
    )
    assert violation.path == "$.consent.given_by"
    assert violation.message == (
        "The child is 16; from 15 their own consent is sought, and consent was given for them "
        "with no answer of theirs recorded."
    )
    assert "given_by child" in violation.remedy


def test_the_consent_band_opens_on_the_birthday() -> None:
    on_birthday = a_child(birth_date=date(2011, 3, 2))
    day_after = a_child(birth_date=date(2011, 3, 3))
    for child, opened in ((on_birthday, True), (day_after, False)):
        case = a_case(child_id=child.id, consent=_consent())
        context = _context(child, assent_bands=CCS_BANDS)
        assert fires("case.child_consent_missing", case, context=context) == opened
        assert fires("case.assent_missing", case, context=context) == (not opened)


def test_a_child_who_declined_is_a_warning_with_the_ways_out() -> None:
    child = a_child(birth_date=date(2010, 3, 2))
    case = a_case(child_id=child.id, consent=_consent(assent=False))
    [violation] = findings_of("case.child_declined", case, context=_context(child))
    assert violation.path == "$.consent.assent"
    assert violation.message == (
        "The child is 16 and declined; services and sharing go ahead on the consent given for them."
    )
    assert "withdraw_consent" in violation.remedy
    young = a_child(birth_date=date(2020, 3, 2))  # 6: nothing of their own is sought by default
    case = a_case(child_id=young.id, consent=_consent(assent=False))
    assert not fires("case.child_declined", case, context=_context(young))


def test_a_young_child_consenting_alone_is_a_warning_with_the_ways_out() -> None:
    child = a_child(birth_date=date(2018, 5, 1))
    case = a_case(child_id=child.id, consent=_consent(given_by=ConsentGiver.CHILD))
    [violation] = findings_of("case.child_consent_below_band", case, context=_context(child))
    assert violation.path == "$.consent.given_by"
    assert violation.message == (
        "The child is 7 and consented alone; at this age the consent of a caregiver, a "
        "guardian or a court is sought, not the child's own."
    )
    assert "case_rules.assent_bands" in violation.remedy
    older = a_child(birth_date=date(2010, 5, 1))
    case = a_case(child_id=older.id, consent=_consent(given_by=ConsentGiver.CHILD))
    assert not fires(
        "case.child_consent_below_band", case, context=_context(older, assent_bands=CCS_BANDS)
    )


# --- case.no_risk_open --------------------------------------------------------------------------


def test_no_risk_open_prompts_closure_or_referral() -> None:
    assessed = Assessment(on=ON, by="worker-7", risk=RiskLevel.NONE)
    case = a_case(status=CaseStatus.ASSESSMENT, risk=RiskLevel.NONE, assessment=assessed)
    context = Context(referrals=[])
    [violation] = findings_of("case.no_risk_open", case, context=context)
    assert violation.path == "$.risk"
    assert violation.message == (
        "The case was assessed at no risk on 2026-03-02 and is still open with no referral "
        "under way."
    )
    assert "Close the case" in violation.remedy
    assert "refer" in violation.remedy


@given(
    status=statuses,
    risk=st.sampled_from(RiskLevel),
    assessed=st.booleans(),
    referral_status=st.none() | st.sampled_from(ReferralStatus),
    requested=st.booleans(),
)
def test_no_risk_open_fires_iff_an_active_case_assessed_at_no_risk_has_nothing_under_way(
    status: CaseStatus,
    risk: RiskLevel,
    assessed: bool,
    referral_status: ReferralStatus | None,
    requested: bool,
) -> None:
    assessment = Assessment(on=ON, by="worker-7", risk=risk) if assessed else None
    pending = ClosureRequest(requested_by="w", requested_on=ON, reason=ClosureReason.OTHER)
    case = a_case(
        status=status,
        risk=risk,
        assessment=assessment,
        closure_requests=[pending] if requested else [],
    )
    referrals = (
        [] if referral_status is None else [a_referral(case_id=case.id, status=referral_status)]
    )
    expected = (
        status.is_active
        and risk is RiskLevel.NONE
        and assessed
        and not requested
        and not (referral_status is not None and referral_status.is_open)
    )
    assert fires("case.no_risk_open", case, context=Context(referrals=referrals)) == expected


# --- case.closure_unapproved --------------------------------------------------------------------


def _approved(on: date, approved: bool = True) -> ClosureRequest:
    return ClosureRequest(
        requested_by="worker-7",
        requested_on=ON,
        reason=ClosureReason.GOALS_ACHIEVED,
        decided_by="supervisor-2",
        decided_on=on,
        approved=approved,
        comment=None if approved else "The school return is not stable yet.",
    )


def test_closure_unapproved_warns_about_a_high_risk_closure_without_approval() -> None:
    closure = Closure(ON, ClosureReason.GOALS_ACHIEVED)
    case = a_case(status=CaseStatus.CLOSED, risk=RiskLevel.HIGH, closure=closure)
    [violation] = findings_of("case.closure_unapproved", case)
    assert violation.path == "$.closure_requests"
    assert violation.message == (
        "The case was closed on 2026-03-02 at risk level 'high' without a supervisor's "
        "approval of its closure."
    )
    approved = a_case(
        status=CaseStatus.CLOSED,
        risk=RiskLevel.HIGH,
        closure=closure,
        closure_requests=[_approved(ON)],
    )
    assert not fires("case.closure_unapproved", approved)


@given(
    status=statuses,
    risk=st.sampled_from(RiskLevel),
    decision=st.sampled_from(("none", "approved", "declined", "approved_earlier")),
    risks=st.frozensets(st.sampled_from(RiskLevel)),
)
def test_closure_unapproved_fires_iff_closed_at_an_approval_risk_without_the_approval(
    status: CaseStatus, risk: RiskLevel, decision: str, risks: frozenset[RiskLevel]
) -> None:
    closed_on = ON + timedelta(days=10)
    requests = {
        "none": [],
        "approved": [_approved(closed_on)],
        "declined": [_approved(closed_on, approved=False)],
        "approved_earlier": [_approved(ON)],
    }[decision]
    closure = Closure(closed_on, ClosureReason.GOALS_ACHIEVED)
    case = a_case(
        status=status,
        risk=risk,
        closure=closure if status is CaseStatus.CLOSED else None,
        closure_requests=requests,
    )
    context = Context(case_rules=CaseRuleSettings(closure_approval_risks=risks))
    expected = status is CaseStatus.CLOSED and risk in risks and decision != "approved"
    assert fires("case.closure_unapproved", case, context=context) == expected
