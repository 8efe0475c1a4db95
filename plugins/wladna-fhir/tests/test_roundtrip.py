"""The central property: from_bundle(to_bundle(x)) == x, on case files Hypothesis draws."""

from __future__ import annotations

import json

import attrs
from hypothesis import given
from hypothesis import strategies as st
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
