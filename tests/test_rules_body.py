"""Rules about territorial bodies: a known territory, and a CPPE at province level."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    GAZETTEER,
    KNOWN_CODES,
    RABAT_SALE_KENITRA,
    SALE,
    a_body,
    findings_of,
    fires,
    territory_codes,
)
from wladna_core.model import BodyKind, Gazetteer, Territory, TerritoryLevel
from wladna_core.rules import Context

# --- body.territory_unknown ---------------------------------------------------------------------


def test_body_territory_unknown_fires_for_a_code_the_gazetteer_does_not_know() -> None:
    [violation] = findings_of("body.territory_unknown", a_body(territory="MA-XX"))
    assert violation.path == "$.territory"
    assert violation.message == "The body's territory MA-XX is not in the gazetteer."
    assert violation.remedy.startswith("Use the ISO 3166-2:MA code of a known region")


def test_body_territory_unknown_is_silent_for_a_known_code() -> None:
    assert not fires("body.territory_unknown", a_body(territory=SALE))


def test_body_territory_unknown_uses_the_context_gazetteer() -> None:
    commune = Territory(
        code="MA-SAL-0101", level=TerritoryLevel.COMMUNE, name_fr="Bab Lamrissa", parent=SALE
    )
    with_communes = GAZETTEER.with_territories([commune])
    body = a_body(kind=BodyKind.UPE, territory="MA-SAL-0101")
    assert fires("body.territory_unknown", body)
    assert not fires("body.territory_unknown", body, context=Context(gazetteer=with_communes))


@given(kind=st.sampled_from(BodyKind), territory=territory_codes)
def test_body_territory_unknown_fires_iff_the_code_is_not_in_the_gazetteer(
    kind: BodyKind, territory: str
) -> None:
    body = a_body(kind=kind, territory=territory)
    assert fires("body.territory_unknown", body) == (territory not in KNOWN_CODES)


# --- body.level_mismatch ------------------------------------------------------------------------


def test_level_mismatch_fires_for_a_cppe_over_a_region() -> None:
    [violation] = findings_of("body.level_mismatch", a_body(territory=RABAT_SALE_KENITRA))
    assert violation.path == "$.territory"
    assert violation.message == (
        "A CPPE committee covers a province or prefecture, but MA-04 is neither."
    )


def test_level_mismatch_is_silent_for_a_cppe_over_a_prefecture_or_province() -> None:
    assert not fires("body.level_mismatch", a_body(territory=SALE))
    assert not fires("body.level_mismatch", a_body(territory="MA-CHE"))


def test_level_mismatch_is_silent_for_a_regional_centre() -> None:
    body = a_body(kind=BodyKind.CAPE, territory=RABAT_SALE_KENITRA)
    assert not fires("body.level_mismatch", body)


def test_level_mismatch_leaves_an_unknown_territory_to_body_territory_unknown() -> None:
    body = a_body(territory="MA-XX")
    assert not fires("body.level_mismatch", body)
    assert fires("body.territory_unknown", body)


def test_level_mismatch_fires_for_a_cppe_over_a_commune() -> None:
    commune = Territory(
        code="MA-SAL-0101", level=TerritoryLevel.COMMUNE, name_fr="Bab Lamrissa", parent=SALE
    )
    context = Context(gazetteer=Gazetteer.morocco().with_territories([commune]))
    assert fires("body.level_mismatch", a_body(territory="MA-SAL-0101"), context=context)


@given(kind=st.sampled_from(BodyKind), territory=territory_codes)
def test_level_mismatch_fires_iff_a_cppe_territory_is_known_and_not_provincial(
    kind: BodyKind, territory: str
) -> None:
    body = a_body(kind=kind, territory=territory)
    provincial = {
        TerritoryLevel.PROVINCE,
        TerritoryLevel.PREFECTURE,
        TerritoryLevel.PREFECTURE_OF_ARRONDISSEMENTS,
    }
    expected = (
        kind is BodyKind.CPPE
        and territory in KNOWN_CODES
        and GAZETTEER.get(territory).level not in provincial
    )
    assert fires("body.level_mismatch", body) == expected
