"""Rules about children: age at opening, birth date, identifiers, residence."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    KNOWN_CODES,
    ON,
    SALE,
    a_case,
    a_child,
    age_reached,
    dates,
    findings_of,
    fires,
    identifier_values,
    ids,
    paths_of,
    territory_codes,
)
from wladna_core import InvariantError
from wladna_core.errors import Severity
from wladna_core.model import (
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
    Sex,
    age_on,
)
from wladna_core.rules import Context

# --- child.adult --------------------------------------------------------------------------------


def adult_check(birth: date, opened_on: date) -> list[str]:
    child = a_child(birth_date=birth)
    case = a_case(child_id=child.id, opened_on=opened_on)
    return [v.message for v in findings_of("child.adult", case, context=Context(children=[child]))]


def test_child_adult_fires_for_a_child_of_18_on_the_opening_day() -> None:
    assert adult_check(date(2007, 5, 10), date(2026, 3, 2)) == [
        "The child is 18 years old on the day the case was opened (2026-03-02); a case is for "
        "a child under 18."
    ]


def test_child_adult_is_silent_for_a_child_under_18() -> None:
    assert adult_check(date(2012, 5, 10), date(2026, 3, 2)) == []


def test_child_adult_is_silent_on_the_eve_of_the_18th_birthday() -> None:
    assert adult_check(date(2008, 3, 3), date(2026, 3, 2)) == []


def test_child_adult_fires_on_the_18th_birthday() -> None:
    assert len(adult_check(date(2008, 3, 2), date(2026, 3, 2))) == 1


def test_child_born_on_29_february_turns_18_on_1_march_of_a_common_year() -> None:
    born = date(2008, 2, 29)
    assert adult_check(born, date(2026, 2, 28)) == []
    assert len(adult_check(born, date(2026, 3, 1))) == 1


def test_child_adult_points_at_the_child_id() -> None:
    child = a_child(birth_date=date(2000, 1, 1))
    case = a_case(child_id=child.id)
    assert paths_of("child.adult", case, context=Context(children=[child])) == ["$.child_id"]


def test_child_adult_is_skipped_when_children_are_not_known() -> None:
    case = a_case()
    assert not fires("child.adult", case)


def test_child_adult_leaves_an_unknown_child_to_case_child_unknown() -> None:
    case = a_case()
    assert not fires("child.adult", case, context=Context(children=[]))
    assert fires("case.child_unknown", case, context=Context(children=[]))


@given(birth=dates, opened_on=dates)
def test_child_adult_fires_iff_18_or_older_on_the_opening_day(birth: date, opened_on: date) -> None:
    child = a_child(birth_date=birth)
    case = a_case(
        child_id=child.id,
        opened_on=opened_on,
        identification=Identification(IdentificationSource.POLICE, opened_on),
    )
    found = findings_of("child.adult", case, context=Context(children=[child]))
    assert bool(found) == age_reached(birth, 18, opened_on)
    if found:
        assert found[0].message.startswith(f"The child is {age_on(birth, opened_on)} years old")


# --- child.birth_in_future ----------------------------------------------------------------------


def test_child_birth_in_future_fires_for_a_birth_after_the_date_of_validation() -> None:
    child = a_child(birth_date=date(2026, 3, 3))
    [violation] = findings_of("child.birth_in_future", child, on=date(2026, 3, 2))
    assert violation.path == "$.birth_date"
    assert violation.message == (
        "The birth date 2026-03-03 is after the date of validation (2026-03-02)."
    )


def test_child_birth_in_future_is_silent_for_a_birth_on_the_date_of_validation() -> None:
    assert not fires("child.birth_in_future", a_child(birth_date=ON), on=ON)


@given(birth=dates, on=dates)
def test_child_birth_in_future_fires_iff_born_after_the_date_of_validation(
    birth: date, on: date
) -> None:
    assert fires("child.birth_in_future", a_child(birth_date=birth), on=on) == (birth > on)


# --- child.identifier_format, child.identifier_format_unverified --------------------------------

FORMAT = "child.identifier_format"
UNVERIFIED = "child.identifier_format_unverified"


def test_an_idcs_of_nine_digits_is_only_a_warning_since_its_format_is_not_verified() -> None:
    child = a_child(identifiers=[Identifier(IdentifierScheme.IDCS, "123456789")])
    [violation] = findings_of(UNVERIFIED, child)
    assert violation.severity is Severity.WARNING
    assert violation.path == "$.identifiers[0].value"
    assert violation.message == (
        "The IDCS identifier does not look like the usual format (ten digits)."
    )
    assert "National Population Register" in violation.remedy
    assert not fires(FORMAT, child)


def test_identifier_format_fires_for_each_bad_cnie_at_its_index() -> None:
    child = a_child(
        identifiers=[
            Identifier(IdentifierScheme.IDCS, "1234567890"),
            Identifier(IdentifierScheme.CNIE, "ab12345"),
            Identifier(IdentifierScheme.PASSPORT, "anything at all"),
            Identifier(IdentifierScheme.IDCS, "12345678901"),
        ]
    )
    [violation] = findings_of(FORMAT, child)
    assert violation.severity is Severity.ERROR
    assert violation.path == "$.identifiers[1].value"
    assert violation.message == "The CNIE identifier does not have the expected format."
    assert paths_of(UNVERIFIED, child) == ["$.identifiers[3].value"]


def test_identifier_format_accepts_well_formed_idcs_and_cnie() -> None:
    child = a_child(
        identifiers=[
            Identifier(IdentifierScheme.IDCS, "0123456789"),
            Identifier(IdentifierScheme.CNIE, "A12345"),
            Identifier(IdentifierScheme.CNIE, "BK654321"),
        ]
    )
    assert not fires(FORMAT, child)
    assert not fires(UNVERIFIED, child)


def test_identifier_format_refuses_arabic_indic_digits_and_a_trailing_newline() -> None:
    child = a_child(
        identifiers=[Identifier(IdentifierScheme.IDCS, "".join(map(chr, range(0x0660, 0x066A))))]
    )
    assert len(findings_of(UNVERIFIED, child)) == 1
    cnie = a_child(identifiers=[Identifier(IdentifierScheme.CNIE, "A" + "١٢٣٤٥")])
    assert len(findings_of(FORMAT, cnie)) == 1
    # An identifier is one line: a line feed is refused before any rule runs.
    with pytest.raises(InvariantError) as refused:
        Identifier(IdentifierScheme.IDCS, "0123456789\n")
    assert (refused.value.code, refused.value.field) == ("input.line_break", "value")


def well_formed(scheme: IdentifierScheme, value: str) -> bool:
    ascii_digits = set(string.digits)
    if scheme is IdentifierScheme.IDCS:
        return len(value) == 10 and set(value) <= ascii_digits
    if scheme is IdentifierScheme.CNIE:
        letters = len(value) - len(value.lstrip(string.ascii_uppercase))
        digits = value[letters:]
        return 1 <= letters <= 2 and 5 <= len(digits) <= 6 and set(digits) <= ascii_digits
    return True


identifiers = st.builds(
    Identifier, scheme=st.sampled_from(IdentifierScheme), value=identifier_values
)


@given(st.lists(identifiers, max_size=5))
def test_the_format_rules_fire_exactly_at_malformed_idcs_and_cnie(
    drawn: list[Identifier],
) -> None:
    child = a_child(identifiers=drawn)

    def malformed(scheme: IdentifierScheme) -> list[str]:
        return [
            f"$.identifiers[{index}].value"
            for index, ident in enumerate(drawn)
            if ident.scheme is scheme and not well_formed(ident.scheme, ident.value)
        ]

    assert paths_of(FORMAT, child) == malformed(IdentifierScheme.CNIE)
    assert paths_of(UNVERIFIED, child) == malformed(IdentifierScheme.IDCS)


# --- child.identifier_duplicate -----------------------------------------------------------------


def test_identifier_duplicate_fires_when_another_child_has_the_same_idcs() -> None:
    shared = Identifier(IdentifierScheme.IDCS, "0123456789")
    child = a_child(identifiers=[Identifier(IdentifierScheme.CNIE, "A12345"), shared])
    other = a_child(given_name="Youssef", identifiers=[shared])
    [violation] = findings_of(
        "child.identifier_duplicate", child, context=Context(children=[child, other])
    )
    assert violation.path == "$.identifiers[1].value"
    assert violation.message == f"Another child ({other.id}) has the same IDCS identifier."


def test_identifier_duplicate_ignores_the_child_itself_and_its_earlier_version() -> None:
    ident = Identifier(IdentifierScheme.IDCS, "0123456789")
    child = a_child(identifiers=[ident], version=3)
    earlier = a_child(identifiers=[ident], id=child.id, version=2)
    assert not fires("child.identifier_duplicate", child, context=Context(children=[earlier]))


def test_identifier_duplicate_needs_the_same_scheme() -> None:
    child = a_child(identifiers=[Identifier(IdentifierScheme.IDCS, "0123456789")])
    other = a_child(identifiers=[Identifier(IdentifierScheme.PASSPORT, "0123456789")])
    assert not fires("child.identifier_duplicate", child, context=Context(children=[other]))


def test_identifier_duplicate_compares_other_schemes_with_their_issuer() -> None:
    child = a_child(identifiers=[Identifier(IdentifierScheme.OTHER, "77", issuer="CAPE Salé")])
    same_issuer = a_child(
        identifiers=[Identifier(IdentifierScheme.OTHER, "77", issuer="CAPE Salé")]
    )
    other_issuer = a_child(
        identifiers=[Identifier(IdentifierScheme.OTHER, "77", issuer="EPS Rabat")]
    )
    assert not fires("child.identifier_duplicate", child, context=Context(children=[other_issuer]))
    assert fires("child.identifier_duplicate", child, context=Context(children=[same_issuer]))


def test_identifier_duplicate_is_skipped_without_known_children() -> None:
    child = a_child(identifiers=[Identifier(IdentifierScheme.IDCS, "0123456789")])
    assert not fires("child.identifier_duplicate", child)


small_identifiers = st.builds(
    Identifier,
    scheme=st.sampled_from([IdentifierScheme.IDCS, IdentifierScheme.OTHER]),
    value=st.sampled_from(["0123456789", "9876543210"]),
    issuer=st.sampled_from([None, "CAPE Salé"]),
)


@given(
    mine=st.lists(small_identifiers, max_size=3),
    others=st.lists(st.tuples(ids, st.lists(small_identifiers, max_size=3)), max_size=4),
)
def test_identifier_duplicate_fires_exactly_at_identifiers_another_child_carries(
    mine: list[Identifier], others: list[tuple[str, list[Identifier]]]
) -> None:
    child = a_child(identifiers=mine)
    known = [child] + [a_child(id=other_id, identifiers=carried) for other_id, carried in others]

    def carried_elsewhere(ident: Identifier) -> bool:
        return any(
            other.id != child.id
            and any(
                theirs.scheme is ident.scheme
                and theirs.value == ident.value
                and (ident.scheme is not IdentifierScheme.OTHER or theirs.issuer == ident.issuer)
                for theirs in other.identifiers
            )
            for other in known
        )

    expected = [
        f"$.identifiers[{index}].value"
        for index, ident in enumerate(mine)
        if carried_elsewhere(ident)
    ]
    found = paths_of("child.identifier_duplicate", child, context=Context(children=known))
    assert found == expected


# --- child.cnie_expected ------------------------------------------------------------------------


def test_cnie_expected_warns_about_a_child_of_16_without_cnie() -> None:
    child = a_child(birth_date=date(2010, 3, 2))
    [violation] = findings_of("child.cnie_expected", child, on=date(2026, 3, 2))
    assert violation.severity == "warning"
    assert violation.path == "$.identifiers"
    assert violation.message == "The child is 16 years old and has no CNIE number recorded."


def test_cnie_expected_is_silent_on_the_eve_of_the_16th_birthday() -> None:
    child = a_child(birth_date=date(2010, 3, 3))
    assert not fires("child.cnie_expected", child, on=date(2026, 3, 2))


def test_cnie_expected_for_a_child_born_on_29_february_starts_on_29_february_of_a_leap_year() -> (
    None
):
    child = a_child(birth_date=date(2008, 2, 29))
    assert not fires("child.cnie_expected", child, on=date(2024, 2, 28))
    assert fires("child.cnie_expected", child, on=date(2024, 2, 29))


def test_cnie_expected_is_silent_when_a_cnie_is_recorded() -> None:
    child = a_child(
        birth_date=date(2008, 1, 1), identifiers=[Identifier(IdentifierScheme.CNIE, "A12345")]
    )
    assert not fires("child.cnie_expected", child)


def test_cnie_expected_is_silent_for_a_foreign_child() -> None:
    child = a_child(birth_date=date(2008, 1, 1), nationality="SN")
    assert not fires("child.cnie_expected", child)


@given(
    birth=dates,
    on=dates,
    nationality=st.sampled_from([None, "MA", "SN", "FR"]),
    schemes=st.lists(st.sampled_from(IdentifierScheme), max_size=3),
)
def test_cnie_expected_fires_iff_16_or_older_moroccan_or_unknown_and_without_cnie(
    birth: date, on: date, nationality: str | None, schemes: list[IdentifierScheme]
) -> None:
    values = {IdentifierScheme.IDCS: "0123456789", IdentifierScheme.CNIE: "A12345"}
    child = a_child(
        sex=Sex.MALE,
        birth_date=birth,
        given_name="Youssef",
        nationality=nationality,
        identifiers=[Identifier(scheme, values.get(scheme, "X1")) for scheme in schemes],
    )
    expected = (
        nationality in (None, "MA")
        and IdentifierScheme.CNIE not in schemes
        and age_reached(birth, 16, on)
    )
    assert fires("child.cnie_expected", child, on=on) == expected


# --- child.residence_unknown --------------------------------------------------------------------


def test_residence_unknown_fires_for_a_code_the_gazetteer_does_not_know() -> None:
    child = a_child(residence="MA-XYZ")
    [violation] = findings_of("child.residence_unknown", child)
    assert violation.path == "$.residence"
    assert violation.message == "The child's residence MA-XYZ is not in the gazetteer."


def test_residence_unknown_is_silent_for_a_known_or_missing_residence() -> None:
    assert not fires("child.residence_unknown", a_child(residence=SALE))
    assert not fires("child.residence_unknown", a_child(residence=None))


@given(residence=st.none() | territory_codes)
def test_residence_unknown_fires_iff_the_residence_is_not_in_the_gazetteer(
    residence: str | None,
) -> None:
    child = a_child(residence=residence)
    expected = residence is not None and residence not in KNOWN_CODES
    assert fires("child.residence_unknown", child) == expected
