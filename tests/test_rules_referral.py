"""Rules about referrals: consent, overrides, the case's state, the target, rejection."""

from __future__ import annotations

from datetime import date

import attrs
from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    ON,
    a_body,
    a_case,
    a_referral,
    findings_of,
    fires,
    ids,
    paths_of,
)
from wladna_core.errors import Severity
from wladna_core.model import (
    PROGRAMME_CALENDAR,
    BodyKind,
    Case,
    CaseStatus,
    Consent,
    ConsentGiver,
    ConsentOverride,
    Institution,
    OverrideReason,
    ProgrammePeriod,
    ReferralStatus,
    ReferralTarget,
    SocialProgramme,
)
from wladna_core.rules import Context, validate

FULL_CONSENT = Consent(recorded_on=ON, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True)
SERVICES_ONLY = Consent(recorded_on=ON, given_by=ConsentGiver.CAREGIVER, services=True)
AUTHORISED = ConsentOverride(
    reason=OverrideReason.BEST_INTEREST,
    justification="The child is at immediate risk at home.",
    authorised_by="supervisor-2",
    authorised_on=ON,
)
UNSIGNED = ConsentOverride(reason=OverrideReason.EMERGENCY, justification="Emergency.")
BLANK = ConsentOverride(
    reason=OverrideReason.BEST_INTEREST, justification="  ", authorised_by="supervisor-2"
)
JUDICIAL_ORDER = ConsentOverride(reason=OverrideReason.JUDICIAL_ORDER, justification="")
BODY_A = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
BODY_B = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e2a"
TO_JUDGE = ReferralTarget.to_judicial_authority()
TO_TAYSSIR = ReferralTarget.to_programme(SocialProgramme.TAYSSIR)


def with_case(consent: Consent | None = None, **changes: object) -> tuple[Case, Context]:
    case = a_case(consent=consent, **changes)
    return case, Context(cases=[case])


# --- referral.case_unknown, referral.target_unknown ---------------------------------------------


def test_referral_case_unknown_fires_when_no_known_case_has_the_id() -> None:
    referral = a_referral()
    [violation] = findings_of("referral.case_unknown", referral, context=Context(cases=[]))
    assert violation.path == "$.case_id"
    assert violation.message == f"The referred case {referral.case_id} is not known."


def test_referral_case_unknown_is_silent_for_a_known_case() -> None:
    case = a_case()
    referral = a_referral(case_id=case.id)
    assert not fires("referral.case_unknown", referral, context=Context(cases=[case]))


@given(case_id=ids, known=st.lists(ids, max_size=3), include=st.booleans())
def test_referral_case_unknown_fires_iff_the_case_is_not_known(
    case_id: str, known: list[str], include: bool
) -> None:
    known_ids = [*known, case_id] if include else known
    context = Context(cases=[a_case(id=known_id) for known_id in known_ids])
    expected = case_id not in known_ids
    assert fires("referral.case_unknown", a_referral(case_id=case_id), context=context) == expected


def test_referral_target_unknown_fires_for_a_target_body_nobody_knows() -> None:
    referral = a_referral()
    [violation] = findings_of("referral.target_unknown", referral, context=Context(bodies=[]))
    assert violation.path == "$.target.body_id"
    assert violation.message == f"The target body {referral.target.body_id} is not known."


def test_referral_target_unknown_is_silent_for_a_programme_or_judicial_target() -> None:
    for target in (TO_JUDGE, TO_TAYSSIR):
        referral = a_referral(target=target)
        assert not fires("referral.target_unknown", referral, context=Context(bodies=[]))


@given(
    body_id=ids,
    known=st.lists(ids, max_size=3),
    include=st.booleans(),
    to_body=st.booleans(),
)
def test_referral_target_unknown_fires_iff_a_target_body_is_not_known(
    body_id: str, known: list[str], include: bool, to_body: bool
) -> None:
    known_ids = [*known, body_id] if include else known
    target = ReferralTarget.to_body(body_id) if to_body else TO_TAYSSIR
    context = Context(bodies=[a_body(id=known_id) for known_id in known_ids])
    expected = to_body and body_id not in known_ids
    assert fires("referral.target_unknown", a_referral(target=target), context=context) == expected


# --- referral.consent_missing -------------------------------------------------------------------


def test_consent_missing_fires_for_a_pending_referral_of_a_case_without_consent() -> None:
    case, context = with_case()
    referral = a_referral(case_id=case.id)
    [violation] = findings_of("referral.consent_missing", referral, context=context)
    assert violation.path == "$.consent_override"
    assert violation.message == (
        "The referral has neither consent to services and to sharing nor an authorised override."
    )


def test_consent_missing_fires_when_consent_covers_services_but_not_sharing() -> None:
    case, context = with_case(SERVICES_ONLY)
    referral = a_referral(case_id=case.id)
    assert fires("referral.consent_missing", referral, context=context)


def test_consent_missing_is_silent_with_consent_to_services_and_sharing() -> None:
    case, context = with_case(FULL_CONSENT)
    referral = a_referral(case_id=case.id)
    assert not fires("referral.consent_missing", referral, context=context)


def test_consent_missing_is_silent_with_an_authorised_override_on_the_referral() -> None:
    case, context = with_case()
    referral = a_referral(case_id=case.id, consent_override=AUTHORISED)
    assert not fires("referral.consent_missing", referral, context=context)


def test_consent_missing_is_silent_with_an_authorised_override_on_the_case_consent() -> None:
    case, context = with_case(Consent(recorded_on=ON, override=AUTHORISED))
    referral = a_referral(case_id=case.id)
    assert not fires("referral.consent_missing", referral, context=context)


def test_consent_missing_fires_with_an_unauthorised_override() -> None:
    case, context = with_case()
    referral = a_referral(case_id=case.id, consent_override=UNSIGNED)
    assert fires("referral.consent_missing", referral, context=context)


def test_a_judicial_order_lets_a_referral_to_the_judicial_authority_go_without_consent() -> None:
    case, context = with_case()
    to_judge = a_referral(
        case_id=case.id,
        target=TO_JUDGE,
        consent_override=JUDICIAL_ORDER,
    )
    to_body = a_referral(case_id=case.id, consent_override=JUDICIAL_ORDER)
    assert not fires("referral.consent_missing", to_judge, context=context)
    assert fires("referral.consent_missing", to_body, context=context)


def test_consent_missing_is_silent_for_a_referral_no_longer_open() -> None:
    case, context = with_case()
    referral = a_referral(case_id=case.id, status=ReferralStatus.COMPLETED)
    assert not fires("referral.consent_missing", referral, context=context)


def test_consent_missing_is_skipped_when_cases_are_not_known() -> None:
    assert not fires("referral.consent_missing", a_referral())


overrides = st.sampled_from([None, AUTHORISED, UNSIGNED, BLANK, JUDICIAL_ORDER])
consents = st.one_of(
    st.none(),
    st.builds(
        Consent,
        recorded_on=st.just(ON),
        given_by=st.just(ConsentGiver.CAREGIVER),
        services=st.booleans(),
        sharing=st.booleans(),
        override=overrides,
    ),
)


def covers(override: ConsentOverride | None, judicial_target: bool) -> bool:
    """An authorised override, or a judicial order for a referral to the judicial authority."""
    if override is None:
        return False
    if judicial_target and override.reason is OverrideReason.JUDICIAL_ORDER:
        return True
    return override.authorised_by is not None and override.justification.strip() != ""


@given(
    consent=consents,
    override=overrides,
    status=st.sampled_from(ReferralStatus),
    target=st.sampled_from([TO_JUDGE, TO_TAYSSIR, ReferralTarget.to_body(BODY_A)]),
)
def test_consent_missing_fires_iff_an_open_referral_has_no_consent_nor_covering_override(
    consent: Consent | None,
    override: ConsentOverride | None,
    status: ReferralStatus,
    target: ReferralTarget,
) -> None:
    case, context = with_case(consent)
    referral = a_referral(
        case_id=case.id,
        status=status,
        target=target,
        consent_override=override,
        rejection_reason="no place",
    )
    judicial = target == TO_JUDGE
    consented = consent is not None and (
        (consent.services and consent.sharing) or covers(consent.override, judicial)
    )
    is_open = status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
    expected = is_open and not consented and not covers(override, judicial)
    assert fires("referral.consent_missing", referral, context=context) == expected


# --- referral.override_unjustified --------------------------------------------------------------


def test_override_unjustified_fires_for_an_override_nobody_authorised() -> None:
    referral = a_referral(consent_override=UNSIGNED)
    [violation] = findings_of("referral.override_unjustified", referral)
    assert violation.path == "$.consent_override"
    assert violation.message == (
        "A consent override is not authorised: it needs a justification and who authorised it."
    )


def test_override_unjustified_fires_for_a_blank_justification() -> None:
    assert fires("referral.override_unjustified", a_referral(consent_override=BLANK))


def test_override_unjustified_fires_for_the_case_consent_override_when_the_case_is_known() -> None:
    case, context = with_case(Consent(recorded_on=ON, override=UNSIGNED))
    referral = a_referral(case_id=case.id)
    assert paths_of("referral.override_unjustified", referral, context=context) == ["$.case_id"]
    assert not fires("referral.override_unjustified", referral)


def test_override_unjustified_is_silent_for_an_authorised_override() -> None:
    assert not fires("referral.override_unjustified", a_referral(consent_override=AUTHORISED))


@given(case_override=overrides, referral_override=overrides, case_known=st.booleans())
def test_override_unjustified_fires_at_each_override_that_is_not_authorised(
    case_override: ConsentOverride | None,
    referral_override: ConsentOverride | None,
    case_known: bool,
) -> None:
    case, context = with_case(Consent(recorded_on=ON, override=case_override))
    referral = a_referral(case_id=case.id, consent_override=referral_override)

    def unauthorised(override: ConsentOverride | None) -> bool:
        return override is not None and not (
            override.authorised_by is not None and override.justification.strip()
        )

    expected = []
    if unauthorised(referral_override):
        expected.append("$.consent_override")
    if case_known and unauthorised(case_override):
        expected.append("$.case_id")
    found = paths_of(
        "referral.override_unjustified", referral, context=context if case_known else None
    )
    assert sorted(found) == sorted(expected)


# --- referral.case_not_open ---------------------------------------------------------------------


def test_case_not_open_fires_for_a_pending_referral_of_a_closed_case() -> None:
    case, context = with_case(status=CaseStatus.CLOSED)
    referral = a_referral(case_id=case.id)
    [violation] = findings_of("referral.case_not_open", referral, context=context)
    assert violation.path == "$.case_id"
    assert violation.message == "The referral is pending but its case is no longer active."


def test_case_not_open_is_silent_for_a_pending_referral_of_an_active_case() -> None:
    case, context = with_case(status=CaseStatus.IMPLEMENTATION)
    referral = a_referral(case_id=case.id)
    assert not fires("referral.case_not_open", referral, context=context)


def test_case_not_open_is_silent_for_a_completed_referral_of_a_closed_case() -> None:
    case, context = with_case(status=CaseStatus.CLOSED)
    referral = a_referral(case_id=case.id, status=ReferralStatus.COMPLETED)
    assert not fires("referral.case_not_open", referral, context=context)


@given(case_status=st.sampled_from(CaseStatus), status=st.sampled_from(ReferralStatus))
def test_case_not_open_fires_iff_pending_and_the_case_is_closed_transferred_or_duplicate(
    case_status: CaseStatus, status: ReferralStatus
) -> None:
    case, context = with_case(status=case_status)
    referral = a_referral(case_id=case.id, status=status, rejection_reason="no place")
    inactive = case_status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.DUPLICATE)
    expected = status is ReferralStatus.PENDING and inactive
    assert fires("referral.case_not_open", referral, context=context) == expected


# --- referral.self_referral ---------------------------------------------------------------------


def test_self_referral_fires_for_a_referral_to_its_own_sender() -> None:
    referral = a_referral(from_body=BODY_A, target=ReferralTarget.to_body(BODY_A))
    [violation] = findings_of("referral.self_referral", referral)
    assert violation.path == "$.target.body_id"
    assert violation.message == "The referral is addressed to the body that sends it."


def test_self_referral_is_silent_for_a_referral_to_another_body() -> None:
    assert not fires("referral.self_referral", a_referral())


@given(sender=st.sampled_from([BODY_A, BODY_B]), to=st.sampled_from([BODY_A, BODY_B]) | ids)
def test_self_referral_fires_iff_the_target_body_is_the_sender(sender: str, to: str) -> None:
    for target, expected in (
        (ReferralTarget.to_body(sender), True),
        (ReferralTarget.to_body(to), to == sender),
        (TO_JUDGE, False),
    ):
        referral = a_referral(from_body=sender, target=target)
        assert fires("referral.self_referral", referral) == expected


# --- referral.rejection_reason_missing ----------------------------------------------------------


def test_rejection_reason_missing_fires_for_a_rejection_without_reason() -> None:
    referral = a_referral(status=ReferralStatus.REJECTED, responded_on=ON)
    [violation] = findings_of("referral.rejection_reason_missing", referral)
    assert violation.path == "$.rejection_reason"
    assert violation.message == "The referral is rejected without a reason."


def test_rejection_reason_missing_is_silent_with_a_reason() -> None:
    referral = a_referral(status=ReferralStatus.REJECTED, rejection_reason="No place left.")
    assert not fires("referral.rejection_reason_missing", referral)


@given(status=st.sampled_from(ReferralStatus), reason=st.none() | st.just("No place left."))
def test_rejection_reason_missing_fires_iff_rejected_without_a_reason(
    status: ReferralStatus, reason: str | None
) -> None:
    referral = a_referral(status=status, rejection_reason=reason)
    expected = status is ReferralStatus.REJECTED and reason is None
    assert fires("referral.rejection_reason_missing", referral) == expected


# --- referral.programme_not_in_force, referral.programme_not_in_force_unverified ----------------

NOT_IN_FORCE = "referral.programme_not_in_force"
NOT_IN_FORCE_UNVERIFIED = "referral.programme_not_in_force_unverified"
TO_ASD = ReferralTarget.to_programme(SocialProgramme.ASD)


def test_a_referral_to_tayssir_in_2021_is_sound() -> None:
    referral = a_referral(target=TO_TAYSSIR, made_on=date(2021, 3, 1))
    assert not fires(NOT_IN_FORCE, referral)
    assert not fires(NOT_IN_FORCE_UNVERIFIED, referral)


def test_a_referral_to_tayssir_in_2026_says_that_asd_replaced_it() -> None:
    referral = a_referral(target=TO_TAYSSIR, made_on=date(2026, 3, 2))
    [violation] = findings_of(NOT_IN_FORCE_UNVERIFIED, referral)
    assert violation.severity is Severity.WARNING
    assert violation.path == "$.target.programme"
    assert violation.message == (
        "The referral is made on 2026-03-02 to the programme tayssir, which was not in force "
        "that day (in force 2008-09-01/2023-12-31); what replaced it: asd."
    )
    assert violation.remedy.startswith(
        "Refer the family to the programme in force on that day (asd), or correct made_on."
    )
    # Tayssir's end is not confirmed by a public source: a warning, never an error.
    assert not fires(NOT_IN_FORCE, referral)


def test_the_message_exists_in_french_and_arabic() -> None:
    referral = a_referral(target=TO_TAYSSIR, made_on=date(2026, 3, 2))
    [french] = [
        v for v in validate(referral, on=ON, lang="fr") if v.code == NOT_IN_FORCE_UNVERIFIED
    ]
    assert "ce qui l'a remplacé : asd" in french.message
    [arabic] = [
        v for v in validate(referral, on=ON, lang="ar") if v.code == NOT_IN_FORCE_UNVERIFIED
    ]
    assert "البرنامج الذي حلّ محلّه: asd" in arabic.message


def test_a_referral_to_asd_before_december_2023_is_an_error() -> None:
    referral = a_referral(target=TO_ASD, made_on=date(2021, 3, 1))
    [violation] = findings_of(NOT_IN_FORCE, referral)
    assert violation.severity is Severity.ERROR
    assert "(in force 2023-12-01/..); what replaced it: -." in violation.message
    assert not fires(NOT_IN_FORCE, attrs.evolve(referral, made_on=date(2023, 12, 1)))


def test_dates_a_deployment_confirmed_make_the_rule_an_error() -> None:
    calendar = PROGRAMME_CALENDAR.with_changes(
        {
            SocialProgramme.TAYSSIR: ProgrammePeriod(
                SocialProgramme.TAYSSIR,
                valid_to=date(2023, 12, 31),
                successor=SocialProgramme.ASD,
                source="deployment",
                verified=True,
            )
        }
    )
    referral = a_referral(target=TO_TAYSSIR, made_on=date(2026, 3, 2))
    context = Context(programmes=calendar)
    assert paths_of(NOT_IN_FORCE, referral, context=context) == ["$.target.programme"]
    assert not fires(NOT_IN_FORCE_UNVERIFIED, referral, context=context)


@given(st.sampled_from(list(SocialProgramme)), st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_a_programme_referral_is_flagged_exactly_when_the_programme_is_out_of_force(
    programme: SocialProgramme, made_on: date
) -> None:
    referral = a_referral(target=ReferralTarget.to_programme(programme), made_on=made_on)
    period = PROGRAMME_CALENDAR.period(programme)
    out = not period.in_force(made_on)
    assert fires(NOT_IN_FORCE, referral) is (out and period.verified)
    assert fires(NOT_IN_FORCE_UNVERIFIED, referral) is (out and not period.verified)


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_a_referral_to_a_body_is_never_judged_on_programme_dates(made_on: date) -> None:
    referral = a_referral(made_on=made_on)
    assert not fires(NOT_IN_FORCE, referral)
    assert not fires(NOT_IN_FORCE_UNVERIFIED, referral)


def test_a_referral_to_a_public_service_outside_the_ministry_is_an_ordinary_body_referral() -> None:
    school = a_body(
        name="École primaire Al Amal", kind=BodyKind.PUBLIC_SERVICE, sector=Institution.EDUCATION
    )
    prosecutor = a_body(
        name="Parquet près le tribunal de première instance de Salé",
        kind=BodyKind.PUBLIC_SERVICE,
        sector=Institution.PROSECUTION,
    )
    for service in (school, prosecutor):
        referral = a_referral(target=ReferralTarget.to_body(service.id))
        context = Context(bodies=[service])
        assert not fires("referral.target_unknown", referral, context=context)
        assert not fires("body.sector_missing", service)
