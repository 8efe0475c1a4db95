"""Rules about families: caregivers, kafala, duplicate members, residence."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    KNOWN_CODES,
    ON,
    SALE,
    a_family,
    a_member,
    age_reached,
    dates,
    findings_of,
    fires,
    paths_of,
    territory_codes,
)
from wladna_core.model import FamilyMember, KafalaDecision, Relation

KAFALA = KafalaDecision(
    court="Tribunal de première instance de Salé", reference="2024/117", decided_on=date(2024, 5, 6)
)

# --- family.caregiver_deceased ------------------------------------------------------------------


def test_caregiver_deceased_fires_for_a_deceased_caregiver() -> None:
    family = a_family(
        a_member(relation=Relation.FATHER, caregiver=True, alive=True),
        a_member(relation=Relation.MOTHER, caregiver=True, alive=False),
    )
    [violation] = findings_of("family.caregiver_deceased", family)
    assert violation.path == "$.members[1].caregiver"
    assert violation.message == "A deceased member is recorded as a caregiver."


def test_caregiver_deceased_is_silent_for_a_deceased_parent_who_is_not_a_caregiver() -> None:
    family = a_family(a_member(relation=Relation.FATHER, caregiver=False, alive=False))
    assert not fires("family.caregiver_deceased", family)


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=6))
def test_caregiver_deceased_fires_exactly_at_caregivers_not_alive(
    flags: list[tuple[bool, bool]],
) -> None:
    family = a_family(*(a_member(caregiver=care, alive=alive) for care, alive in flags))
    expected = [
        f"$.members[{index}].caregiver"
        for index, (care, alive) in enumerate(flags)
        if care and not alive
    ]
    assert paths_of("family.caregiver_deceased", family) == expected


# --- family.caregiver_minor ---------------------------------------------------------------------


def test_caregiver_minor_warns_about_a_caregiver_of_17() -> None:
    family = a_family(
        a_member(relation=Relation.SIBLING, caregiver=True, birth_date=date(2008, 3, 3))
    )
    [violation] = findings_of("family.caregiver_minor", family, on=date(2026, 3, 2))
    assert violation.severity == "warning"
    assert violation.path == "$.members[0].birth_date"
    assert violation.message == (
        "A caregiver is 17 years old, under 18, in a household not recorded as child-headed."
    )


def test_caregiver_minor_is_silent_on_the_18th_birthday() -> None:
    family = a_family(
        a_member(relation=Relation.SIBLING, caregiver=True, birth_date=date(2008, 3, 2))
    )
    assert not fires("family.caregiver_minor", family, on=date(2026, 3, 2))


def test_caregiver_minor_is_silent_in_a_child_headed_household() -> None:
    family = a_family(
        a_member(relation=Relation.SIBLING, caregiver=True, birth_date=date(2010, 1, 1)),
        child_headed=True,
    )
    assert not fires("family.caregiver_minor", family)


def test_caregiver_minor_is_silent_when_the_birth_date_is_unknown() -> None:
    family = a_family(a_member(relation=Relation.SIBLING, caregiver=True))
    assert not fires("family.caregiver_minor", family)


@given(
    members=st.lists(st.tuples(st.booleans(), st.none() | dates), max_size=5),
    child_headed=st.booleans(),
    on=dates,
)
def test_caregiver_minor_fires_exactly_at_caregivers_under_18_unless_child_headed(
    members: list[tuple[bool, date | None]], child_headed: bool, on: date
) -> None:
    family = a_family(
        *(a_member(caregiver=care, birth_date=birth) for care, birth in members),
        child_headed=child_headed,
    )
    expected = [
        f"$.members[{index}].birth_date"
        for index, (care, birth) in enumerate(members)
        if not child_headed and care and birth is not None and not age_reached(birth, 18, on)
    ]
    assert paths_of("family.caregiver_minor", family, on=on) == expected


# --- family.kafala_without_decision -------------------------------------------------------------


def test_kafala_without_decision_fires_for_a_kafila_without_decision() -> None:
    family = a_family(a_member(relation=Relation.KAFILA, caregiver=True))
    [violation] = findings_of("family.kafala_without_decision", family)
    assert violation.path == "$.members[0].kafala"
    assert violation.message == (
        "A member recorded as kafil or kafila has no judicial kafala decision."
    )


def test_kafala_without_decision_is_silent_with_the_decision_recorded() -> None:
    family = a_family(a_member(relation=Relation.KAFIL, kafala=KAFALA))
    assert not fires("family.kafala_without_decision", family)


@given(st.lists(st.tuples(st.sampled_from(Relation), st.none() | st.just(KAFALA)), max_size=5))
def test_kafala_without_decision_fires_exactly_at_kafil_or_kafila_without_decision(
    members: list[tuple[Relation, KafalaDecision | None]],
) -> None:
    family = a_family(*(a_member(relation=rel, kafala=decision) for rel, decision in members))
    expected = [
        f"$.members[{index}].kafala"
        for index, (rel, decision) in enumerate(members)
        if rel in (Relation.KAFIL, Relation.KAFILA) and decision is None
    ]
    assert paths_of("family.kafala_without_decision", family) == expected


# --- family.member_duplicate --------------------------------------------------------------------

CHILD_A = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
CHILD_B = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e2a"


def test_member_duplicate_fires_for_two_members_linked_to_the_same_child() -> None:
    family = a_family(
        a_member(relation=Relation.MOTHER),
        a_member(relation=Relation.CHILD, child_id=CHILD_A),
        a_member(relation=Relation.SIBLING, child_id=CHILD_A),
    )
    [violation] = findings_of("family.member_duplicate", family)
    assert violation.path == "$.members[2]"
    assert violation.message == (
        "This member duplicates member $.members[1] (same child, or same names and birth date)."
    )


def test_member_duplicate_fires_for_the_same_names_and_birth_date_typed_differently() -> None:
    born = date(1985, 4, 12)
    family = a_family(
        a_member(given_name="Fatima", family_name="Benali", birth_date=born),
        a_member(given_name="  FATIMA ", family_name="benali", birth_date=born),
    )
    assert paths_of("family.member_duplicate", family) == ["$.members[1]"]


def test_member_duplicate_needs_all_three_of_names_and_birth_date() -> None:
    family = a_family(
        a_member(given_name="Fatima", family_name="Benali"),
        a_member(given_name="Fatima", family_name="Benali"),
    )
    assert not fires("family.member_duplicate", family)


def test_member_duplicate_is_silent_for_different_children() -> None:
    family = a_family(
        a_member(relation=Relation.CHILD, child_id=CHILD_A),
        a_member(relation=Relation.CHILD, child_id=CHILD_B),
    )
    assert not fires("family.member_duplicate", family)


def fold(name: str | None) -> str | None:
    return None if name is None else " ".join(name.split()).casefold()


def same_person(first: FamilyMember, second: FamilyMember) -> bool:
    if first.child_id is not None and first.child_id == second.child_id:
        return True
    keys = [
        (fold(member.given_name), fold(member.family_name), member.birth_date)
        for member in (first, second)
    ]
    return None not in keys[0] and keys[0] == keys[1]


members = st.builds(
    FamilyMember,
    relation=st.sampled_from(Relation),
    given_name=st.sampled_from([None, "Fatima", "fatima", "Omar"]),
    family_name=st.sampled_from([None, "Benali", "BENALI "]),
    birth_date=st.sampled_from([None, date(1985, 4, 12), date(1990, 1, 1)]),
    child_id=st.sampled_from([None, CHILD_A, CHILD_B]),
)


@given(st.lists(members, max_size=6))
def test_member_duplicate_fires_at_each_member_repeating_an_earlier_one(
    drawn: list[FamilyMember],
) -> None:
    family = a_family(*drawn)
    expected = []
    for index, member in enumerate(drawn):
        earlier = [i for i in range(index) if same_person(drawn[i], member)]
        if earlier:
            expected.append((f"$.members[{index}]", f"$.members[{earlier[0]}]"))
    found = findings_of("family.member_duplicate", family)
    assert [(v.path, v.message.split()[4]) for v in found] == expected


# --- family.residence_unknown -------------------------------------------------------------------


def test_family_residence_unknown_fires_for_a_code_the_gazetteer_does_not_know() -> None:
    family = a_family(residence="MA-ZZZ")
    [violation] = findings_of("family.residence_unknown", family)
    assert violation.path == "$.residence"
    assert violation.message == "The family's residence MA-ZZZ is not in the gazetteer."


def test_family_residence_unknown_is_silent_for_a_known_residence() -> None:
    assert not fires("family.residence_unknown", a_family(residence=SALE), on=ON)


@given(residence=st.none() | territory_codes)
def test_family_residence_unknown_fires_iff_the_residence_is_not_in_the_gazetteer(
    residence: str | None,
) -> None:
    expected = residence is not None and residence not in KNOWN_CODES
    assert fires("family.residence_unknown", a_family(residence=residence)) == expected
