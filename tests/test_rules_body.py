"""Rules about territorial bodies: a known territory, and a CPPE at province level."""

from __future__ import annotations

import attrs
import pytest
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
from wladna_core.errors import InvariantError, Severity
from wladna_core.model import (
    BodyKind,
    Gazetteer,
    Institution,
    TerritorialBody,
    Territory,
    TerritoryLevel,
)
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


# --- body.cape_committee_missing, body.secretariat_not_committee ---------------------------------

COMMITTEE = a_body(name="CPPE de Salé", kind=BodyKind.CPPE, territory=SALE)


def a_cape(**changes: object) -> TerritorialBody:
    fields: dict[str, object] = {
        "name": "Centre d'accompagnement pour la protection de l'enfance de Salé",
        "kind": BodyKind.CAPE,
        "territory": SALE,
        "secretariat_of": COMMITTEE.id,
    }
    fields.update(changes)
    return a_body(**fields)


def test_a_cape_that_names_its_province_committee_is_sound() -> None:
    context = Context(bodies=[COMMITTEE])
    cape = a_cape()
    assert not fires("body.cape_committee_missing", cape, context=context)
    assert not fires("body.secretariat_not_committee", cape, context=context)


def test_a_cape_without_its_committee_is_warned() -> None:
    [violation] = findings_of("body.cape_committee_missing", a_cape(secretariat_of=None))
    assert violation.severity is Severity.WARNING
    assert violation.path == "$.secretariat_of"
    assert violation.message == (
        "The CAPE does not name the provincial committee (CPPE) whose permanent secretariat it is."
    )


@pytest.mark.parametrize(
    "committee",
    [
        a_body(name="UPE de Salé", kind=BodyKind.UPE, territory=SALE),
        a_body(name="CPPE de Rabat", kind=BodyKind.CPPE, territory="MA-RAB"),
    ],
    ids=["not a committee", "another province"],
)
def test_a_cape_naming_a_body_that_is_not_its_committee_is_refused(
    committee: TerritorialBody,
) -> None:
    cape = a_cape(secretariat_of=committee.id)
    [violation] = findings_of(
        "body.secretariat_not_committee", cape, context=Context(bodies=[committee])
    )
    assert violation.severity is Severity.ERROR
    assert violation.message == (
        f"The CAPE names {committee.id} as its committee, but that body is not a known CPPE "
        "of MA-SAL."
    )


def test_a_cape_naming_an_unknown_body_is_refused_only_when_bodies_are_known() -> None:
    cape = a_cape()
    assert fires("body.secretariat_not_committee", cape, context=Context(bodies=[]))
    assert not fires("body.secretariat_not_committee", cape)


def test_only_a_cape_is_the_secretariat_of_a_committee() -> None:
    with pytest.raises(InvariantError) as refused:
        a_body(kind=BodyKind.UPE, secretariat_of=COMMITTEE.id)
    assert (refused.value.code, refused.value.field) == (
        "body.secretariat_of_not_cape",
        "secretariat_of",
    )


@given(st.sampled_from(BodyKind), st.booleans(), st.sampled_from(BodyKind), st.booleans())
def test_the_secretariat_rules_follow_the_named_body(
    kind: BodyKind, names_one: bool, named_kind: BodyKind, same_territory: bool
) -> None:
    named = a_body(kind=named_kind, territory=SALE if same_territory else "MA-RAB")
    secretariat = named.id if names_one and kind is BodyKind.CAPE else None
    body = a_body(kind=kind, secretariat_of=secretariat)
    context = Context(bodies=[named])
    assert fires("body.cape_committee_missing", body, context=context) is (
        kind is BodyKind.CAPE and secretariat is None
    )
    assert fires("body.secretariat_not_committee", body, context=context) is (
        secretariat is not None and not (named_kind is BodyKind.CPPE and same_territory)
    )


# --- body.sector_missing -------------------------------------------------------------------------


def test_a_public_service_without_its_sector_is_warned() -> None:
    school = a_body(name="École Al Amal", kind=BodyKind.PUBLIC_SERVICE)
    [violation] = findings_of("body.sector_missing", school)
    assert violation.severity is Severity.WARNING
    assert violation.path == "$.sector"
    assert "public_service" in violation.message
    assert not fires("body.sector_missing", attrs.evolve(school, sector=Institution.EDUCATION))


@given(st.sampled_from(BodyKind), st.none() | st.sampled_from(Institution))
def test_only_services_need_a_sector(kind: BodyKind, sector: Institution | None) -> None:
    body = a_body(kind=kind, sector=sector)
    assert fires("body.sector_missing", body) is (
        kind in {BodyKind.PUBLIC_SERVICE, BodyKind.SOCIAL_SERVICE} and sector is None
    )
