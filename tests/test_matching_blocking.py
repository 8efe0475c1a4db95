"""Blocking keys: records of one child share one, and a key says little about a child."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from wladna_core.matching import blocking_keys
from wladna_core.matching.evaluation import DEVELOPMENT_SEED, _Draw
from wladna_core.model import Child, Identifier, IdentifierScheme, Sex
from wladna_core.testing.strategies import children


def test_a_swapped_day_and_month_give_the_same_key() -> None:
    one = blocking_keys(Child(Sex.MALE, date(2013, 5, 4), given_name="Anas"))
    other = blocking_keys(Child(Sex.MALE, date(2013, 4, 5), given_name_ar="أنس"))
    assert "gd:ns:2013-04-05" in one & other


def test_an_estimated_birth_date_gives_the_years_either_side() -> None:
    child = Child(Sex.FEMALE, date(2012, 7, 1), birth_date_estimated=True,
                  given_name="Hajar", family_name="Tazi")  # fmt: skip
    assert {"fy:tz:2011:h", "fy:tz:2012:h", "fy:tz:2013:h"} <= blocking_keys(child)
    assert not any(key.startswith("gd:") for key in blocking_keys(child))


def test_a_compound_given_name_gives_a_key_for_each_word() -> None:
    long = blocking_keys(Child(Sex.MALE, date(2014, 2, 2), given_name="Mohamed Amine",
                               family_name="Kettani"))  # fmt: skip
    short = blocking_keys(Child(Sex.MALE, date(2014, 2, 2), given_name="أمين",
                                family_name_ar="الكتاني"))  # fmt: skip
    assert "gf:mn:ktn" in long & short


def test_identifiers_and_unnamed_children_have_keys() -> None:
    idcs = Identifier(IdentifierScheme.IDCS, "1234567890")
    assert "id:idcs:1234567890" in blocking_keys(
        Child(Sex.MALE, date(2011, 1, 1), given_name="Ali", identifiers=(idcs,))
    )
    unnamed = Child(Sex.MALE, date(2011, 7, 1), unidentified=True, birth_date_estimated=True,
                    residence="MA-SAL")  # fmt: skip
    assert "un:MA-SAL:male:2011" in blocking_keys(unnamed)
    nicknamed = Child(Sex.MALE, date(2011, 7, 1), unidentified=True, nickname="Simo")
    assert "nk:sm:2011" in blocking_keys(nicknamed)


@given(children())
@settings(max_examples=60, deadline=None)
def test_every_child_has_short_keys(child: Child) -> None:
    keys = blocking_keys(child)
    assert keys
    assert all(len(key) <= 120 for key in keys)
    assert blocking_keys(child) == keys  # computed from the child alone


@given(st.integers(min_value=0, max_value=10_000))
@settings(max_examples=80, deadline=None)
def test_registrations_of_one_child_in_either_script_nearly_always_share_a_key(seed: int) -> None:
    draw = _Draw(DEVELOPMENT_SEED + seed)
    person = draw.identity()
    one, other = draw.register(person), draw.register(person)
    # A registration without a slip, an estimate or a missing family name always meets another.
    plain = all(
        not child.birth_date_estimated and child.birth_date == person.birth
        for child in (one.child, other.child)
    )
    named = all(child.family_name or child.family_name_ar for child in (one.child, other.child))
    # Nor a typing slip in a Latin name ("Yocuef" for Youcef): a name the person goes by.
    given = (*person.given.latin, *person.given.short)
    typed = any(
        (child.given_name is not None and child.given_name not in given)
        or (child.family_name is not None and child.family_name not in person.family.latin)
        for child in (one.child, other.child)
    )
    if plain and named and not typed:
        assert blocking_keys(one.child) & blocking_keys(other.child) or person.given.short
