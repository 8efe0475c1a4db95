"""The matcher's score: its reasons, its settings, and the cases the issue names."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wladna_core.matching import (
    ChildMatcher,
    Matcher,
    MatchScore,
    MatchSettings,
    MatchWeights,
    Reason,
    Subject,
)
from wladna_core.model import (
    Child,
    Family,
    FamilyMember,
    Identifier,
    IdentifierScheme,
    Relation,
    Sex,
)
from wladna_core.testing.strategies import children

MATCHER = ChildMatcher()


def codes(result: MatchScore) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_the_three_registrations_of_the_issue_are_one_child() -> None:
    sale = Child(Sex.MALE, date(2012, 3, 14), given_name_ar="محمد", family_name_ar="العمراني",
                 residence="MA-SAL")  # fmt: skip
    rabat = Child(Sex.MALE, date(2012, 3, 14), given_name="Mohamed", family_name="El Amrani",
                  residence="MA-RAB")  # fmt: skip
    kenitra = Child(Sex.MALE, date(2012, 7, 1), birth_date_estimated=True,
                    given_name="Mohammed", family_name="Amrani", residence="MA-KEN")  # fmt: skip
    for one, other in [(sale, rabat), (sale, kenitra), (rabat, kenitra)]:
        assert MATCHER.candidates_keys(one) & MATCHER.candidates_keys(other)
        assert MATCHER.verdict(MATCHER.score(one, other)) == "duplicate"


def test_twins_with_alike_names_are_two_children() -> None:
    mother = FamilyMember(Relation.MOTHER, given_name="Khadija", family_name="Bennani",
                          caregiver=True)  # fmt: skip
    hassan = Child(Sex.MALE, date(2015, 6, 2), given_name="Hassan", family_name="Alaoui",
                   given_name_ar="حسن", family_name_ar="العلوي", residence="MA-SAL")  # fmt: skip
    houssine = Child(Sex.MALE, date(2015, 6, 2), given_name="Houssine", family_name="Alaoui",
                     given_name_ar="حسين", family_name_ar="العلوي", residence="MA-SAL")  # fmt: skip
    family = Family(members=(mother,))
    result = MATCHER.score(
        Subject.from_family(hassan, family), Subject.from_family(houssine, family)
    )
    assert MATCHER.verdict(result) == "distinct"
    assert "caregiver.same" in codes(result)


def test_a_girl_and_a_boy_of_one_family_and_birth_date_are_two_children() -> None:
    karim = Child(Sex.MALE, date(2016, 1, 9), given_name="Karim", family_name="Tazi")
    karima = Child(Sex.FEMALE, date(2016, 1, 9), given_name="Karima", family_name="Tazi")
    result = MATCHER.score(karim, karima)
    assert "sex.different" in codes(result)
    assert MATCHER.verdict(result) == "distinct"


def test_a_common_name_with_another_birth_date_is_another_child() -> None:
    one = Child(Sex.FEMALE, date(2011, 2, 3), given_name="Fatima Zahra", family_name="Alaoui")
    other = Child(Sex.FEMALE, date(2014, 9, 20), given_name="فاطمة الزهراء", family_name="العلوي")
    result = MATCHER.score(one, other)
    assert "birth_date.different" in codes(result)
    assert MATCHER.verdict(result) == "distinct"


@pytest.mark.parametrize(
    ("first", "second", "estimated", "code"),
    [
        (date(2013, 5, 4), date(2013, 5, 4), False, "birth_date.same"),
        (date(2013, 5, 4), date(2013, 4, 5), False, "birth_date.swapped"),
        (date(2013, 5, 4), date(2013, 5, 9), False, "birth_date.close"),
        (date(2013, 5, 4), date(2014, 5, 4), False, "birth_date.close"),
        (date(2013, 5, 4), date(2015, 8, 30), False, "birth_date.different"),
        (date(2013, 5, 4), date(2013, 7, 1), True, "birth_date.estimated"),
        (date(2013, 5, 4), date(2015, 7, 1), True, "birth_date.estimated_far"),
        (date(2008, 5, 4), date(2015, 7, 1), True, "birth_date.estimated_incompatible"),
    ],
)
def test_birth_dates_compare_with_swaps_slips_and_estimates(
    first: date, second: date, estimated: bool, code: str
) -> None:
    one = Child(Sex.MALE, first, given_name="Youssef")
    other = Child(Sex.MALE, second, given_name="Youssef", birth_date_estimated=estimated)
    assert code in codes(MATCHER.score(one, other))


def test_an_estimated_date_agrees_less_the_further_it_is() -> None:
    one = Child(Sex.MALE, date(2013, 7, 1), given_name="Omar", birth_date_estimated=True)
    weights = [
        next(r.weight for r in MATCHER.score(one, Child(Sex.MALE, born, given_name="Omar")).reasons
             if r.code.startswith("birth_date"))
        for born in (date(2013, 7, 1), date(2014, 1, 1), date(2014, 7, 1))
    ]  # fmt: skip
    assert weights == sorted(weights, reverse=True)


@pytest.mark.parametrize(
    ("one", "other", "code"),
    [
        ("MA-SAL", "MA-SAL", "residence.same"),
        ("MA-SAL", "MA-RAB", "residence.same_region"),
        ("MA-SAL", "MA-CAS", "residence.different"),
        ("MA-SAL-0101", "MA-SAL-0202", "residence.same_province"),
    ],
)
def test_residence_compares_territory_province_and_region(one: str, other: str, code: str) -> None:
    first = Child(Sex.FEMALE, date(2012, 1, 1), given_name="Salma", residence=one)
    second = Child(Sex.FEMALE, date(2012, 1, 1), given_name="Salma", residence=other)
    assert code in codes(MATCHER.score(first, second))


def test_a_shared_civil_status_identifier_outweighs_names_and_another_one_separates() -> None:
    idcs = Identifier(IdentifierScheme.IDCS, "1234567890")
    one = Child(Sex.MALE, date(2010, 1, 1), given_name="Ayoub", identifiers=(idcs,))
    renamed = Child(Sex.MALE, date(2010, 1, 1), given_name="Anas", identifiers=(idcs,))
    other = Child(Sex.MALE, date(2010, 1, 1), given_name="Ayoub",
                  identifiers=(Identifier(IdentifierScheme.IDCS, "0987654321"),))  # fmt: skip
    assert "identifier.same" in codes(MATCHER.score(one, renamed))
    assert "identifier.different" in codes(MATCHER.score(one, other))
    assert MATCHER.verdict(MATCHER.score(one, other)) == "distinct"


def test_caregivers_come_from_the_household_but_never_the_child_itself() -> None:
    child = Child(Sex.FEMALE, date(2014, 4, 4), given_name="Hiba")
    family = Family(members=(
        FamilyMember(Relation.MOTHER, given_name="Naima", family_name="Idrissi"),
        FamilyMember(Relation.CHILD, given_name="Hiba", child_id=child.id, caregiver=True),
        FamilyMember(Relation.AUNT_UNCLE, given_name="Latifa", caregiver=True),
        FamilyMember(Relation.SIBLING, given_name="Omar"),
    ))  # fmt: skip
    assert Subject.from_family(child, family).caregivers == ("Naima Idrissi", "Latifa")
    assert Subject.from_family(child, None).caregivers == ()


def test_unidentified_children_are_compared_on_what_is_known() -> None:
    one = Child(Sex.MALE, date(2012, 7, 1), unidentified=True, birth_date_estimated=True,
                nickname="Simo", residence="MA-SAL")  # fmt: skip
    other = Child(Sex.MALE, date(2013, 7, 1), unidentified=True, birth_date_estimated=True,
                  nickname="Simo", residence="MA-SAL")  # fmt: skip
    result = MATCHER.score(one, other)
    assert "nickname.same" in codes(result)
    assert not any(code.startswith("given_name") for code in codes(result))


def test_the_built_in_matcher_has_the_matcher_shape() -> None:
    assert isinstance(MATCHER, Matcher)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duplicate_threshold": 1.5}, "duplicate_threshold must be a number strictly between"),
        ({"review_threshold": 0.95}, "review_threshold (0.95) must not exceed"),
        ({"name_close": 0.95}, "name_similar <= name_close <= name_same"),
        ({"estimated_birth_tolerance_days": -1}, "whole number of days"),
        ({"weights": {"prior": 1}}, "weights"),
    ],
)
def test_unusable_settings_are_refused_with_what_to_change(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(
        (ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        MatchSettings(**changes)  # type: ignore[arg-type]


def test_a_weight_must_be_a_finite_number() -> None:
    with pytest.raises(ValueError, match="prior must be a finite number"):
        MatchWeights(prior=math.inf)


def test_settings_change_the_verdict() -> None:
    one = Child(Sex.MALE, date(2013, 5, 4), given_name="Rachid", family_name="Tazi")
    other = Child(Sex.MALE, date(2013, 5, 4), given_name="Rachid")
    strict = ChildMatcher(MatchSettings(duplicate_threshold=0.999999, review_threshold=0.99))
    assert MATCHER.verdict(MATCHER.score(one, other)) == "duplicate"
    assert strict.verdict(strict.score(one, other)) == "possible"


pairs_of_children = st.tuples(children(), children())


@given(pairs_of_children)
@settings(max_examples=60, deadline=None)
def test_the_score_is_symmetric_within_bounds_and_what_its_reasons_add_up_to(
    pair: tuple[Child, Child],
) -> None:
    one, other = pair
    forward, backward = MATCHER.score(one, other), MATCHER.score(other, one)
    assert forward.score == backward.score
    assert sorted(codes(forward)) == sorted(codes(backward))
    assert 0.0 <= forward.score <= 1.0
    assert forward.reasons[0] == Reason(
        "prior", MATCHER.settings.weights.prior, forward.reasons[0].detail
    )
    assert math.isclose(forward.score, 1 / (1 + 2**-forward.total_weight))


@given(children())
@settings(max_examples=40, deadline=None)
def test_a_record_is_a_duplicate_of_itself_when_it_has_a_name(child: Child) -> None:
    result = MATCHER.score(child, child)
    if "given_name.same" in codes(result):  # a given name with letters the matcher reads
        assert MATCHER.verdict(result) == "duplicate"
    assert not any(code.endswith(("different", "similar")) for code in codes(result))
    assert MATCHER.candidates_keys(child)
