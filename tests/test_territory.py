"""The territory gazetteer: shipped reference data, navigation, lookups and invariants."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.errors import InvariantError, UnknownTerritory
from wladna_core.model.enums import TerritoryLevel
from wladna_core.model.territory import OBSOLETE_REGION_CODES, Gazetteer, Territory

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

MOROCCO = Gazetteer.morocco()
CODES = [t.code for t in MOROCCO]


def region(code: str, name: str) -> Territory:
    return Territory(code, TerritoryLevel.REGION, name, parent="MA")


def province(code: str, name: str, parent: str) -> Territory:
    return Territory(code, TerritoryLevel.PROVINCE, name, parent=parent)


COUNTRY = Territory("MA", TerritoryLevel.COUNTRY, "Maroc")
BOUKNADEL = Territory("MA-SAL-0101", TerritoryLevel.COMMUNE, "Bouknadel", parent="MA-SAL")


# --- the shipped reference data -------------------------------------------------------------


def test_morocco_is_loaded_once_and_shared() -> None:
    assert Gazetteer.morocco() is Gazetteer.morocco()


def test_morocco_has_the_country_12_regions_and_75_provinces_and_prefectures() -> None:
    assert len(MOROCCO) == 1 + 12 + 75
    assert MOROCCO.get("MA") == Territory("MA", TerritoryLevel.COUNTRY, "Maroc", "المغرب")


def test_regions_are_ma_01_to_ma_12_in_order() -> None:
    regions = MOROCCO.regions()
    assert [t.code for t in regions] == [f"MA-{n:02d}" for n in range(1, 13)]
    assert all(t.level is TerritoryLevel.REGION and t.parent == "MA" for t in regions)


def test_provinces_are_13_prefectures_and_62_provinces_ordered_by_code() -> None:
    provinces = MOROCCO.provinces()
    levels = [t.level for t in provinces]
    assert len(provinces) == 75
    assert levels.count(TerritoryLevel.PREFECTURE) == 13
    assert levels.count(TerritoryLevel.PROVINCE) == 62
    assert [t.code for t in provinces] == sorted(t.code for t in provinces)


def test_every_province_has_a_region_as_parent() -> None:
    for territory in MOROCCO.provinces():
        assert territory.parent is not None
        assert MOROCCO.get(territory.parent).level is TerritoryLevel.REGION


def test_provinces_can_be_filtered_by_region() -> None:
    rabat_sale_kenitra = MOROCCO.provinces(region="MA-04")
    assert [t.code for t in rabat_sale_kenitra] == [
        "MA-KEN",
        "MA-KHE",
        "MA-RAB",
        "MA-SAL",
        "MA-SIK",
        "MA-SIL",
        "MA-SKH",
    ]
    assert sum(len(MOROCCO.provinces(region=r.code)) for r in MOROCCO.regions()) == 75


def test_shipped_province_carries_its_names_and_unverified_hcp_code() -> None:
    assert MOROCCO.get("MA-SAL") == Territory(
        "MA-SAL", TerritoryLevel.PREFECTURE, "Salé", "سلا", parent="MA-04", hcp_code="441"
    )


def test_every_region_province_and_prefecture_has_an_arabic_name() -> None:
    for territory in MOROCCO:
        assert territory.name_ar, territory.code
        # Wholly Arabic script: no Latin letter, no level word repeated in the name.
        assert not any("a" <= c.casefold() <= "z" for c in territory.name_ar), territory.code
        assert not territory.name_ar.startswith(("جهة ", "إقليم ", "عمالة ")), territory.code


@pytest.mark.parametrize(
    ("code", "name_ar"),
    [
        ("MA-OUA", "ورزازات"),
        ("MA-AGD", "أكادير إداوتنان"),
        ("MA-OUJ", "وجدة أنكاد"),
        ("MA-SKH", "الصخيرات تمارة"),
        ("MA-TNG", "طنجة أصيلة"),
        ("MA-04", "الرباط-سلا-القنيطرة"),
        ("MA-10", "ڭلميم-وادي نون"),
    ],
)
def test_the_arabic_names_of_the_issue_are_the_published_ones(code: str, name_ar: str) -> None:
    assert MOROCCO.get(code).name_ar == name_ar


def test_iteration_is_in_tree_order_with_siblings_by_code() -> None:
    order = [t.code for t in MOROCCO]
    assert order[:3] == ["MA", "MA-01", "MA-CHE"]
    assert order.index("MA-02") == 1 + 1 + len(MOROCCO.children("MA-01"))
    assert list(MOROCCO) == list(Gazetteer(reversed(list(MOROCCO))))


def test_membership_by_code_and_by_territory() -> None:
    assert "MA-SAL" in MOROCCO
    assert "MA-13" not in MOROCCO
    assert 441 not in MOROCCO
    assert MOROCCO.get("MA-SAL") in MOROCCO
    assert BOUKNADEL not in MOROCCO


# --- navigation -------------------------------------------------------------------------------


def test_children_of_a_region_are_its_provinces() -> None:
    assert MOROCCO.children("MA-12") == (MOROCCO.get("MA-AOU"), MOROCCO.get("MA-OUD"))
    assert len(MOROCCO.children("MA")) == 12
    assert MOROCCO.children("MA-SAL") == ()


def test_ancestors_are_nearest_first() -> None:
    assert [t.code for t in MOROCCO.ancestors("MA-SAL")] == ["MA-04", "MA"]
    assert MOROCCO.ancestors("MA") == ()


def test_contains_is_true_for_self_and_ancestors() -> None:
    assert MOROCCO.contains("MA-SAL", "MA-SAL")
    assert MOROCCO.contains("MA-04", "MA-SAL")
    assert MOROCCO.contains("MA", "MA-SAL")
    assert MOROCCO.contains("MA", "MA")


def test_contains_is_false_across_regions_and_upwards() -> None:
    assert not MOROCCO.contains("MA-06", "MA-SAL")
    assert not MOROCCO.contains("MA-CAS", "MA-SAL")
    assert not MOROCCO.contains("MA-SAL", "MA-04")


def test_contains_refuses_unknown_codes() -> None:
    with pytest.raises(UnknownTerritory):
        MOROCCO.contains("MA-04", "MA-XYZ")
    with pytest.raises(UnknownTerritory):
        MOROCCO.contains("MA-13", "MA-SAL")


def test_province_and_region_of_a_code() -> None:
    assert MOROCCO.province_of("MA-SAL") == MOROCCO.get("MA-SAL")
    assert MOROCCO.region_of("MA-SAL") == MOROCCO.get("MA-04")
    assert MOROCCO.region_of("MA-04") == MOROCCO.get("MA-04")
    assert MOROCCO.province_of("MA-04") is None
    assert MOROCCO.province_of("MA") is None
    assert MOROCCO.region_of("MA") is None


# --- unknown and obsolete codes -------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(OBSOLETE_REGION_CODES))
def test_obsolete_pre_2015_region_codes_are_refused_with_the_reason(code: str) -> None:
    with pytest.raises(UnknownTerritory) as caught:
        MOROCCO.get(code)
    assert str(caught.value) == (
        f"unknown territory code {code!r}: {code} is a pre-2015 region code, abolished by the "
        "2015 regionalisation (Decree 2-15-40); use the regions MA-01 to MA-12"
    )
    assert caught.value.code == code


def test_a_territory_cannot_carry_an_obsolete_region_code() -> None:
    with pytest.raises(InvariantError) as caught:
        region("MA-14", "Guelmim-Es Semara")
    assert caught.value.code == "territory.obsolete"
    assert caught.value.field == "code"


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("ma-sal", "did you mean 'MA-SAL'?"),
        ("SAL", "did you mean 'MA-SAL'?"),
        ("4", "did you mean 'MA-04'?"),
        ("MA-CASA", "did you mean 'MA-CAS'?"),
        ("MA-SLA", "did you mean 'MA-SAF', 'MA-SAL' or 'MA-SIL'?"),
        ("Salé", "did you mean 'MA-SAL' (Salé) or 'MA-04' (Rabat-Salé-Kénitra)?"),
        # The prefecture, then the region whose Arabic name starts with it.
        ("الرباط", "did you mean 'MA-RAB' (Rabat) or 'MA-04' (Rabat-Salé-Kénitra)?"),
        (
            "MA-SAL-0101",
            "nothing under Salé (MA-SAL) has this code; communes and other lower levels are "
            "added by plug-ins with Gazetteer.with_territories()",
        ),
        (
            "XX-99",
            "codes look like 'MA' (the country), 'MA-04' (a region) "
            "or 'MA-SAL' (a province or prefecture)",
        ),
    ],
)
def test_unknown_code_message_says_what_to_use(code: str, hint: str) -> None:
    with pytest.raises(UnknownTerritory) as caught:
        MOROCCO.get(code)
    assert str(caught.value) == f"unknown territory code {code!r}: {hint}"


def test_unknown_territory_survives_pickling() -> None:
    with pytest.raises(UnknownTerritory) as caught:
        MOROCCO.get("MA-13")
    assert pickle.loads(pickle.dumps(caught.value)).code == "MA-13"


# --- invariants -------------------------------------------------------------------------------


def test_only_the_country_may_lack_a_parent() -> None:
    with pytest.raises(InvariantError) as caught:
        Territory("MA-04", TerritoryLevel.REGION, "Rabat-Salé-Kénitra")
    assert caught.value.code == "territory.parent_missing"
    assert caught.value.field == "parent"
    assert caught.value.message == (
        "territory 'MA-04' (region) needs a parent; only the country has none"
    )


def test_the_country_has_no_parent() -> None:
    with pytest.raises(InvariantError) as caught:
        Territory("MA", TerritoryLevel.COUNTRY, "Maroc", parent="MA-01")
    assert caught.value.code == "territory.country_parent"


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(InvariantError) as caught:
        Gazetteer([COUNTRY, region("MA-04", "Rabat"), region("MA-04", "Rabat again")])
    assert caught.value.code == "territory.duplicate"
    assert str(caught.value) == (
        "[territory.duplicate] territory code 'MA-04' appears more than once; "
        "each territory needs its own code"
    )


def test_unknown_parent_is_refused() -> None:
    with pytest.raises(InvariantError) as caught:
        Gazetteer([COUNTRY, province("MA-SAL", "Salé", "MA-04")])
    assert caught.value.code == "territory.parent_unknown"
    assert caught.value.message == (
        "territory 'MA-SAL' has parent 'MA-04', which is not in the gazetteer; add the parent too"
    )


def test_cycles_of_parents_are_refused() -> None:
    looped = [
        COUNTRY,
        province("MA-AAA", "A", "MA-BBB"),
        province("MA-BBB", "B", "MA-CCC"),
        province("MA-CCC", "C", "MA-AAA"),
    ]
    with pytest.raises(InvariantError) as caught:
        Gazetteer(looped)
    assert caught.value.code == "territory.cycle"
    assert caught.value.message == (
        "territories 'MA-AAA' -> 'MA-BBB' -> 'MA-CCC' -> 'MA-AAA' form a cycle of parents; "
        "a territory cannot lie inside itself"
    )


def test_a_territory_cannot_be_its_own_parent() -> None:
    with pytest.raises(InvariantError) as caught:
        Gazetteer([province("MA-AAA", "A", "MA-AAA")])
    assert caught.value.code == "territory.cycle"


def test_a_gazetteer_holds_only_territories() -> None:
    with pytest.raises(TypeError, match="Territory objects, got str"):
        Gazetteer(["MA-SAL"])  # type: ignore[list-item]


def test_a_gazetteer_is_immutable() -> None:
    with pytest.raises(AttributeError):
        MOROCCO._order = ()
    with pytest.raises(AttributeError):
        del MOROCCO._order


def test_gazetteers_compare_and_hash_by_content() -> None:
    rebuilt = Gazetteer(reversed(list(MOROCCO)))
    assert rebuilt == MOROCCO
    assert hash(rebuilt) == hash(MOROCCO)
    assert MOROCCO.with_territories([BOUKNADEL]) != MOROCCO
    assert list(MOROCCO) != MOROCCO
    assert repr(MOROCCO) == "<Gazetteer of 88 territories>"


def test_a_code_that_is_not_text_is_unknown() -> None:
    with pytest.raises(UnknownTerritory) as caught:
        MOROCCO.get(441)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "unknown territory code '441': a territory code is a string; codes look like 'MA' "
        "(the country), 'MA-04' (a region) or 'MA-SAL' (a province or prefecture)"
    )


def test_a_gazetteer_survives_pickling() -> None:
    assert pickle.loads(pickle.dumps(MOROCCO)) == MOROCCO


# --- plug-in territories ----------------------------------------------------------------------


def test_with_territories_adds_a_commune_without_changing_the_original() -> None:
    with_commune = MOROCCO.with_territories([BOUKNADEL])
    assert len(with_commune) == len(MOROCCO) + 1
    assert "MA-SAL-0101" not in MOROCCO
    assert with_commune.children("MA-SAL") == (BOUKNADEL,)
    assert with_commune.contains("MA-04", "MA-SAL-0101")
    assert with_commune.province_of("MA-SAL-0101") == MOROCCO.get("MA-SAL")
    assert with_commune.region_of("MA-SAL-0101") == MOROCCO.get("MA-04")
    assert [t.code for t in with_commune.ancestors("MA-SAL-0101")] == ["MA-SAL", "MA-04", "MA"]


def test_with_territories_checks_the_result() -> None:
    with pytest.raises(InvariantError) as caught:
        MOROCCO.with_territories([province("MA-SAL", "Salé", "MA-04")])
    assert caught.value.code == "territory.duplicate"


# --- finding by name --------------------------------------------------------------------------


def test_find_ignores_accents_and_case() -> None:
    assert MOROCCO.find("sale") == (MOROCCO.get("MA-SAL"), MOROCCO.get("MA-04"))
    assert MOROCCO.find("KELAA DES SRAGHNA") == (MOROCCO.get("MA-KES"),)
    assert MOROCCO.find("Beni Mellal")[0] == MOROCCO.get("MA-BEM")


def test_find_ignores_apostrophes_and_hyphens() -> None:
    assert MOROCCO.find("mdiq fnideq") == (MOROCCO.get("MA-MDF"),)
    assert MOROCCO.find("l'oriental") == (MOROCCO.get("MA-02"),)


def test_find_matches_arabic_names_without_hamza_or_madda() -> None:
    assert MOROCCO.find("ازيلال") == (MOROCCO.get("MA-AZI"),)
    # The province first, then the region that bears its name too.
    assert MOROCCO.find("اسفي") == (MOROCCO.get("MA-SAF"), MOROCCO.get("MA-07"))
    assert MOROCCO.find("المغرب") == (MOROCCO.get("MA"),)


def test_find_puts_exact_matches_before_partial_ones() -> None:
    tanger = MOROCCO.find("Tanger")
    assert {t.code for t in tanger} == {"MA-01", "MA-TNG"}
    assert MOROCCO.find("Rabat")[0] == MOROCCO.get("MA-RAB")


def test_find_with_a_blank_name_finds_nothing() -> None:
    assert MOROCCO.find("  ") == ()
    assert MOROCCO.find("Atlantis") == ()


# --- properties -------------------------------------------------------------------------------

codes = st.sampled_from(CODES)


@given(codes, codes)
def test_contains_means_same_or_ancestor(a: str, b: str) -> None:
    ancestors = MOROCCO.ancestors(b)
    assert MOROCCO.contains(a, b) == (a == b or MOROCCO.get(a) in ancestors)


@given(codes, codes, codes)
def test_contains_is_transitive(a: str, b: str, c: str) -> None:
    if MOROCCO.contains(a, b) and MOROCCO.contains(b, c):
        assert MOROCCO.contains(a, c)


@given(st.data())
def test_contains_is_transitive_along_any_chain(data: DataObject) -> None:
    c = data.draw(codes)
    b = data.draw(st.sampled_from([c, *(t.code for t in MOROCCO.ancestors(c))]))
    a = data.draw(st.sampled_from([b, *(t.code for t in MOROCCO.ancestors(b))]))
    assert MOROCCO.contains(a, b)
    assert MOROCCO.contains(b, c)
    assert MOROCCO.contains(a, c)


@given(codes, codes)
def test_contains_is_antisymmetric(a: str, b: str) -> None:
    if MOROCCO.contains(a, b) and MOROCCO.contains(b, a):
        assert a == b


@given(codes)
def test_province_and_region_of_lie_on_the_path_to_the_root(code: str) -> None:
    path = [MOROCCO.get(code), *MOROCCO.ancestors(code)]
    province = MOROCCO.province_of(code)
    found_region = MOROCCO.region_of(code)
    assert province is None or (province in path and province.level.is_provincial)
    assert found_region is None or (
        found_region in path and found_region.level is TerritoryLevel.REGION
    )
