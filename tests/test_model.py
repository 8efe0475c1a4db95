"""Invariants of the domain model: what no instance may ever break."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core import (
    Approval,
    BodyKind,
    Case,
    CasePlan,
    CaseStatus,
    Child,
    Closure,
    Consent,
    ConsentGiver,
    ConsentOverride,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    InvariantError,
    OverrideReason,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReferralTargetKind,
    Relation,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
    age_on,
    new_id,
)
from wladna_core.model.ids import ID_PATTERN

OPENED = date(2026, 3, 2)


def a_case(**changes: object) -> Case:
    fields: dict[str, object] = {
        "child_id": new_id(),
        "body_id": new_id(),
        "territory": "MA-SAL",
        "opened_on": OPENED,
        "identification": Identification(IdentificationSource.SCHOOL, OPENED),
    }
    fields.update(changes)
    return Case(**fields)  # type: ignore[arg-type]


def test_new_ids_are_uuid7_strings_ordered_by_time() -> None:
    earlier = new_id(datetime(2026, 1, 1, tzinfo=UTC))
    later = new_id(datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert ID_PATTERN.match(earlier)
    assert earlier[14] == "7"  # version nibble
    assert earlier < later


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)),
    st.timedeltas(min_value=timedelta(milliseconds=1), max_value=timedelta(days=3650)),
)
def test_ids_sort_like_the_instants_they_were_made_at(moment: datetime, gap: timedelta) -> None:
    earlier = moment.replace(tzinfo=UTC)
    assert new_id(earlier) < new_id(earlier + gap)


def test_records_are_frozen_and_hashable() -> None:
    child = Child(sex=Sex.FEMALE, birth_date=date(2014, 5, 1), given_name="Amina")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        child.given_name = "Other"  # type: ignore[misc]
    assert hash(child) == hash(attrs.evolve(child))


def test_an_identified_child_needs_a_given_name() -> None:
    with pytest.raises(InvariantError) as caught:
        Child(sex=Sex.MALE, birth_date=date(2015, 1, 1))
    assert caught.value.code == "child.name_missing"
    assert caught.value.field == "given_name"


def test_an_unidentified_child_may_have_no_name() -> None:
    child = Child(sex=Sex.MALE, birth_date=date(2015, 1, 1), unidentified=True)
    assert child.display_name == "unidentified"


def test_arabic_name_alone_identifies_a_child() -> None:
    child = Child(sex=Sex.FEMALE, birth_date=date(2015, 1, 1), given_name_ar="أمينة")
    assert child.display_name == "أمينة"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sex", "female", TypeError),
        ("birth_date", datetime(2015, 1, 1, tzinfo=UTC), TypeError),
        ("birth_date", "2015-01-01", TypeError),
        ("unidentified", 1, TypeError),
        ("given_name", "   ", InvariantError),
        ("given_name", "x" * 201, InvariantError),
        ("nationality", "mar", InvariantError),
        ("residence", "SAL", InvariantError),
        ("languages", ("Arabic",), InvariantError),
        ("id", "not-an-id", InvariantError),
        ("version", -1, InvariantError),
        ("version", True, TypeError),
    ],
)
def test_child_fields_refuse_values_of_the_wrong_shape(
    field: str, value: object, expected: type[Exception]
) -> None:
    fields: dict[str, object] = {
        "sex": Sex.FEMALE,
        "birth_date": date(2015, 1, 1),
        "given_name": "Amina",
    }
    fields[field] = value
    with pytest.raises(expected):
        Child(**fields)  # type: ignore[arg-type]


def test_lists_become_tuples_and_sets_become_frozensets() -> None:
    case = a_case(concerns=[ProtectionConcern.NEGLECT, ProtectionConcern.NEGLECT])
    assert case.concerns == frozenset({ProtectionConcern.NEGLECT})
    family = Family(members=[FamilyMember(Relation.MOTHER)])
    assert isinstance(family.members, tuple)


def test_a_string_is_not_taken_for_a_collection() -> None:
    with pytest.raises(TypeError):
        Family(members="mother")  # type: ignore[arg-type]


@given(st.dates(), st.dates())
def test_age_on_counts_whole_years(birth: date, on: date) -> None:
    age = age_on(birth, on)
    if on >= birth:
        assert age >= 0
        # the birthday of that age has passed, the next one has not
        assert birth.replace(year=birth.year + age, day=min(birth.day, 28)) <= on or (
            birth.month == 2 and birth.day == 29
        )
    assert age == on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 2, 28), 17),
        (date(2026, 3, 1), 18),
        (date(2028, 2, 28), 19),
        (date(2028, 2, 29), 20),
    ],
)
def test_a_child_born_on_29_february_ages_on_1_march_in_common_years(
    on: date, expected: int
) -> None:
    assert age_on(date(2008, 2, 29), on) == expected


def test_case_dates_cannot_precede_opening() -> None:
    with pytest.raises(InvariantError) as caught:
        a_case(closure=Closure(date(2026, 3, 1)))
    assert caught.value.code == "case.date_before_opening"
    assert "closure.on (2026-03-01) is before the case was opened (2026-03-02)" in str(caught.value)


def test_identification_cannot_follow_opening() -> None:
    with pytest.raises(InvariantError) as caught:
        a_case(identification=Identification(IdentificationSource.POLICE, date(2026, 3, 3)))
    assert caught.value.code == "case.identified_after_opening"


def test_a_case_cannot_duplicate_itself() -> None:
    case_id = new_id()
    with pytest.raises(InvariantError) as caught:
        a_case(id=case_id, duplicate_of=case_id)
    assert caught.value.code == "case.duplicate_of_itself"


def test_a_plan_cannot_be_approved_before_it_is_drawn_up() -> None:
    with pytest.raises(InvariantError) as caught:
        CasePlan(date(2026, 4, 1), approval=Approval("sup-1", date(2026, 3, 31)))
    assert caught.value.code == "plan.approved_before_drawn_up"


def test_a_plan_review_cannot_precede_the_plan() -> None:
    with pytest.raises(InvariantError) as caught:
        CasePlan(date(2026, 4, 1), review_on=date(2026, 3, 1))
    assert caught.value.code == "plan.review_before_plan"


def test_consent_says_who_gave_it() -> None:
    with pytest.raises(InvariantError) as caught:
        Consent(OPENED, services=True)
    assert caught.value.code == "consent.giver_missing"


@pytest.mark.parametrize(
    ("services", "sharing", "override", "allows"),
    [
        (True, True, None, True),
        (True, False, None, False),
        (False, True, None, False),
        (False, False, ConsentOverride(OverrideReason.EMERGENCY, "at risk tonight", "sup-1"), True),
        (False, False, ConsentOverride(OverrideReason.EMERGENCY, "at risk tonight"), False),
        (False, False, ConsentOverride(OverrideReason.BEST_INTEREST, "  ", "sup-1"), False),
    ],
)
def test_referral_needs_both_consents_or_an_authorised_override(
    services: bool, sharing: bool, override: ConsentOverride | None, allows: bool
) -> None:
    giver = ConsentGiver.CAREGIVER if services or sharing else None
    consent = Consent(OPENED, giver, services=services, sharing=sharing, override=override)
    assert consent.allows_referral is allows


def test_referral_targets_name_exactly_what_their_kind_needs() -> None:
    body = new_id()
    assert ReferralTarget.to_body(body).body_id == body
    assert ReferralTarget.to_programme(SocialProgramme.ASD).programme is SocialProgramme.ASD
    assert ReferralTarget.to_judicial_authority().kind is ReferralTargetKind.JUDICIAL
    with pytest.raises(InvariantError, match=re.escape("[referral.target_body]")):
        ReferralTarget(ReferralTargetKind.BODY)
    with pytest.raises(InvariantError, match=re.escape("[referral.target_programme]")):
        ReferralTarget(ReferralTargetKind.JUDICIAL, programme=SocialProgramme.ASD)


def test_referral_dates_cannot_precede_the_referral() -> None:
    with pytest.raises(InvariantError) as caught:
        Referral(
            case_id=new_id(),
            from_body=new_id(),
            target=ReferralTarget.to_judicial_authority(),
            service=ServiceType.JUDICIAL_PROTECTION,
            made_on=date(2026, 5, 2),
            responded_on=date(2026, 5, 1),
        )
    assert caught.value.code == "referral.response_before_made"


def test_status_helpers_say_which_work_is_still_open() -> None:
    assert CaseStatus.FOLLOW_UP.is_active
    assert not CaseStatus.TRANSFERRED.is_active
    assert ReferralStatus.ACCEPTED.is_open
    assert not ReferralStatus.COMPLETED.is_open
    assert Relation.KAFILA.is_kafala
    assert not Relation.MOTHER.is_kafala


def test_body_services_and_institutions_are_collections_of_their_kind() -> None:
    body = TerritorialBody("CPPE Salé", BodyKind.CPPE, "MA-SAL", services=[ServiceType.MEDICAL])
    assert body.services == frozenset({ServiceType.MEDICAL})
    with pytest.raises(TypeError):
        TerritorialBody("CPPE Salé", BodyKind.CPPE, "MA-SAL", services=["medical"])
