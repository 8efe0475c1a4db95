"""The central property: from_bundle(to_bundle(x)) == x, on case files Hypothesis draws."""

from __future__ import annotations

import json

import attrs
from hypothesis import given
from hypothesis import strategies as st
from wladna_core.model import BodyKind, Institution, ReferralTarget, TerritorialBody
from wladna_core.testing import strategies as ws
from wladna_core.testing.strategies import CaseFile

from wladna_fhir import CaseBundle, from_bundle, to_bundle


@given(ws.case_files())
def test_a_case_file_comes_back_equal_versions_included(case_file: CaseFile) -> None:
    assert from_bundle(to_bundle(case_file)) == CaseBundle.from_case_file(case_file)


@given(ws.case_files(with_kafala=True, max_referrals=5), st.integers(0, 2**31 - 1))
def test_saved_records_keep_their_versions_and_numbers(case_file: CaseFile, version: int) -> None:
    saved = CaseBundle(
        attrs.evolve(case_file.case, version=version, number="SAL-2026-000123"),
        attrs.evolve(case_file.child, version=version),
        attrs.evolve(case_file.family, version=version),
        tuple(attrs.evolve(referral, version=version) for referral in case_file.referrals),
        tuple(attrs.evolve(body, version=version) for body in case_file.bodies),
    )
    assert from_bundle(to_bundle(saved)) == saved


@given(ws.case_files())
def test_the_bundle_survives_json_text(case_file: CaseFile) -> None:
    text = json.dumps(to_bundle(case_file), ensure_ascii=False)
    assert from_bundle(json.loads(text)) == CaseBundle.from_case_file(case_file)


@given(ws.case_files(max_referrals=0))
def test_a_case_without_a_recorded_household_comes_back_without_one(case_file: CaseFile) -> None:
    alone = CaseBundle(
        attrs.evolve(case_file.case, family_id=None), case_file.child, bodies=case_file.bodies
    )
    bundle = to_bundle(alone)
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert not kinds & {"Group", "RelatedPerson"}
    assert from_bundle(bundle) == alone


@given(ws.case_files())
def test_to_bundle_gives_the_same_bundle_for_the_same_records(case_file: CaseFile) -> None:
    assert to_bundle(case_file) == to_bundle(CaseBundle.from_case_file(case_file))


def test_a_cape_naming_its_committee_and_a_public_service_with_its_sector_come_back(
    amina: CaseBundle,
) -> None:
    committee = TerritorialBody(
        "Comité provincial de protection de l'enfance de Salé", BodyKind.CPPE, "MA-SAL"
    )
    cape = attrs.evolve(amina.bodies[0], secretariat_of=committee.id)
    school = TerritorialBody(
        "École primaire Al Amal",
        BodyKind.PUBLIC_SERVICE,
        "MA-SAL",
        sector=Institution.EDUCATION,
    )
    to_school = attrs.evolve(
        amina.referrals[0],
        target=ReferralTarget.to_body(school.id),
        id="0190a8c0-0000-7000-8000-0000000000a1",
    )
    bundle = attrs.evolve(
        amina,
        referrals=(*amina.referrals, to_school),
        bodies=(cape, *amina.bodies[1:], committee, school),
    )
    assert from_bundle(to_bundle(bundle)) == bundle
    organizations = [
        entry["resource"]
        for entry in to_bundle(bundle)["entry"]
        if entry["resource"]["resourceType"] == "Organization"
    ]
    kinds = {org["type"][0]["coding"][0]["code"] for org in organizations}
    assert {"cppe", "cape", "public_service"} <= kinds
