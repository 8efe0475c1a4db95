"""Bad bundles raise InvalidBundle naming the resource, the path, a code and a remedy."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wladna_core.errors import InvalidRecord, Violation, WladnaError
from wladna_core.testing import strategies as ws
from wladna_core.testing.strategies import CaseFile

from wladna_fhir import CaseBundle, InvalidBundle, from_bundle, naming, to_bundle

from .conftest import CASE_ID, CHILD_ID, EPS_ID, FAMILY_ID, TO_BODY_ID

Bundle = dict[str, Any]


def entry_index(bundle: Bundle, reference: str) -> int:
    for index, entry in enumerate(bundle["entry"]):
        resource = entry["resource"]
        if f"{resource['resourceType']}/{resource['id']}" == reference:
            return index
    raise AssertionError(reference)


def resource(bundle: Bundle, reference: str) -> dict[str, Any]:
    resource: dict[str, Any] = bundle["entry"][entry_index(bundle, reference)]["resource"]
    return resource


def the_violation(bundle: object) -> Violation:
    with pytest.raises(InvalidBundle) as error:
        from_bundle(bundle)
    assert isinstance(error.value, WladnaError)
    assert isinstance(error.value, InvalidRecord)
    [violation] = error.value.violations
    assert violation.remedy
    assert str(violation) in str(error.value)
    return violation


@pytest.fixture
def bundle(amina: CaseBundle) -> Bundle:
    return to_bundle(amina)


def test_a_resource_that_is_not_a_bundle_is_refused(bundle: Bundle) -> None:
    patient = resource(bundle, f"Patient/{CHILD_ID}")
    violation = the_violation(patient)
    assert violation.code == "fhir.resource_type"
    assert violation.path == "$.resourceType"
    assert violation.message == "the resourceType is 'Patient', not 'Bundle'"


@pytest.mark.parametrize("value", [None, [], "Bundle", 3])
def test_what_is_not_a_json_object_is_refused(value: object) -> None:
    violation = the_violation(value)
    assert (violation.code, violation.path) == ("fhir.not_bundle", "$")


def test_a_bundle_of_another_type_is_refused(bundle: Bundle) -> None:
    bundle["type"] = "transaction"
    violation = the_violation(bundle)
    assert (violation.code, violation.path) == ("fhir.bundle_type", "$.type")


def test_a_bundle_without_a_patient_is_refused(bundle: Bundle) -> None:
    del bundle["entry"][entry_index(bundle, f"Patient/{CHILD_ID}")]
    violation = the_violation(bundle)
    assert (violation.code, violation.path, violation.record) == ("fhir.count", "$.entry", "Bundle")
    assert violation.message == "a case bundle holds one Patient, this one 0"


def test_a_bundle_without_an_episode_of_care_is_refused(bundle: Bundle) -> None:
    del bundle["entry"][entry_index(bundle, f"EpisodeOfCare/{CASE_ID}")]
    violation = the_violation(bundle)
    assert violation.code == "fhir.count"
    assert violation.message == "a case bundle holds one EpisodeOfCare, this one 0"


def test_two_patients_are_refused(bundle: Bundle) -> None:
    other = copy.deepcopy(resource(bundle, f"Patient/{CHILD_ID}"))
    other["id"] = "another"
    bundle["entry"].append({"resource": other})
    violation = the_violation(bundle)
    assert violation.code == "fhir.count"
    assert violation.message == "a case bundle holds one Patient, this one 2"


def test_an_unknown_resource_type_is_refused_with_its_place(bundle: Bundle) -> None:
    bundle["entry"].append({"resource": {"resourceType": "Observation", "id": "o1"}})
    violation = the_violation(bundle)
    assert violation.code == "fhir.resource_type"
    assert violation.record == "Observation/o1"
    assert violation.path == f"$.entry[{len(bundle['entry']) - 1}].resource.resourceType"


def test_a_resource_twice_is_refused(bundle: Bundle) -> None:
    bundle["entry"].append(copy.deepcopy(bundle["entry"][0]))
    violation = the_violation(bundle)
    assert violation.code == "fhir.duplicate"


def test_a_broken_reference_names_the_resource_and_the_path(bundle: Bundle) -> None:
    episode = resource(bundle, f"EpisodeOfCare/{CASE_ID}")
    episode["managingOrganization"] = {"reference": "Organization/nowhere"}
    violation = the_violation(bundle)
    index = entry_index(bundle, f"EpisodeOfCare/{CASE_ID}")
    assert violation.code == "fhir.reference"
    assert violation.record == f"EpisodeOfCare/{CASE_ID}"
    assert violation.path == f"$.entry[{index}].resource.managingOrganization.reference"
    assert violation.message == "Organization/nowhere is not in the bundle"


def test_a_reference_to_the_wrong_type_is_refused(bundle: Bundle) -> None:
    request = resource(bundle, f"ServiceRequest/{TO_BODY_ID}")
    request["requester"] = {"reference": f"Patient/{CHILD_ID}"}
    violation = the_violation(bundle)
    assert violation.code == "fhir.reference"
    assert violation.record == f"ServiceRequest/{TO_BODY_ID}"
    assert violation.path.endswith(".resource.requester.reference")
    assert violation.message == f"'Patient/{CHILD_ID}' must refer to a Organization"


def test_a_reference_to_an_absent_location_is_refused(bundle: Bundle) -> None:
    patient = resource(bundle, f"Patient/{CHILD_ID}")
    for extension in patient["extension"]:
        if extension["url"] == naming.field_extension("child", "residence"):
            extension["valueReference"] = {"reference": "Location/MA-XYZ"}
    violation = the_violation(bundle)
    assert violation.code == "fhir.reference"
    assert violation.record == f"Patient/{CHILD_ID}"
    assert ".resource.extension[" in violation.path
    assert violation.path.endswith("].valueReference.reference")


def test_a_missing_required_element_is_named(bundle: Bundle) -> None:
    del resource(bundle, f"Patient/{CHILD_ID}")["birthDate"]
    violation = the_violation(bundle)
    index = entry_index(bundle, f"Patient/{CHILD_ID}")
    assert (violation.code, violation.path) == (
        "fhir.missing",
        f"$.entry[{index}].resource.birthDate",
    )
    assert violation.message == "birthDate is missing"


def test_an_element_of_the_wrong_json_type_is_named(bundle: Bundle) -> None:
    resource(bundle, f"Patient/{CHILD_ID}")["name"] = {"given": ["Amina"]}
    violation = the_violation(bundle)
    assert violation.code == "fhir.type"
    assert violation.path.endswith(".resource.name")


def test_a_record_the_core_refuses_is_reported_with_its_record_path(bundle: Bundle) -> None:
    resource(bundle, f"Patient/{CHILD_ID}")["birthDate"] = "2014-02-30"
    with pytest.raises(InvalidBundle) as error:
        from_bundle(bundle)
    [violation] = error.value.violations
    assert violation.code == "input.date"
    assert violation.record == f"Patient/{CHILD_ID}"
    assert violation.message.startswith("the Child read from it is invalid at $.birth_date: ")


def test_a_status_that_contradicts_the_exact_one_is_refused(bundle: Bundle) -> None:
    resource(bundle, f"EpisodeOfCare/{CASE_ID}")["status"] = "finished"
    violation = the_violation(bundle)
    assert violation.code == "fhir.status_mismatch"
    assert violation.path.endswith(".resource.status")
    assert violation.message == (
        "status is 'finished', but the record's exact status means 'active'"
    )


def test_a_case_without_its_exact_status_is_refused(bundle: Bundle) -> None:
    episode = resource(bundle, f"EpisodeOfCare/{CASE_ID}")
    status_url = naming.field_extension("case", "status")
    episode["extension"] = [ext for ext in episode["extension"] if ext["url"] != status_url]
    violation = the_violation(bundle)
    assert violation.code == "fhir.missing"
    assert violation.message == f"the extension {status_url} is missing"


def test_an_unknown_extension_of_ours_is_refused(bundle: Bundle) -> None:
    patient = resource(bundle, f"Patient/{CHILD_ID}")
    patient["extension"].append(
        {"url": f"{naming.BASE}/StructureDefinition/child-hair-colour", "valueString": "brown"}
    )
    violation = the_violation(bundle)
    assert violation.code == "fhir.extension"
    assert violation.path.endswith(".url")


def test_an_extension_that_does_not_hold_json_is_refused(bundle: Bundle) -> None:
    episode = resource(bundle, f"EpisodeOfCare/{CASE_ID}")
    for extension in episode["extension"]:
        if extension["url"] == naming.field_extension("case", "assessment"):
            extension["valueString"] = "{not json"
    violation = the_violation(bundle)
    assert violation.code == "fhir.extension"
    assert violation.message.startswith("assessment does not hold JSON: ")


def test_other_extensions_are_left_alone(amina: CaseBundle, bundle: Bundle) -> None:
    resource(bundle, f"Patient/{CHILD_ID}")["extension"].append(
        {"url": "http://example.org/fhir/StructureDefinition/favourite-colour", "valueCode": "red"}
    )
    assert from_bundle(bundle) == amina


def test_a_referral_without_its_task_is_refused(bundle: Bundle) -> None:
    del bundle["entry"][entry_index(bundle, f"Task/{TO_BODY_ID}")]
    violation = the_violation(bundle)
    assert violation.code == "fhir.missing"
    assert violation.record == f"ServiceRequest/{TO_BODY_ID}"
    assert violation.message == "no Task is based on this ServiceRequest"


def test_family_members_without_a_household_are_refused(bundle: Bundle) -> None:
    del bundle["entry"][entry_index(bundle, f"Group/{FAMILY_ID}")]
    violation = the_violation(bundle)
    assert violation.code == "fhir.missing"
    assert violation.message == (
        "the bundle has family members (RelatedPerson) but no household (Group)"
    )


def test_resources_that_do_not_fit_together_are_refused(bundle: Bundle) -> None:
    # The target body of a referral left out: the Task's owner no longer resolves.
    del bundle["entry"][entry_index(bundle, f"Organization/{EPS_ID}")]
    violation = the_violation(bundle)
    assert violation.code == "fhir.reference"


def test_a_family_member_left_out_is_noticed(bundle: Bundle) -> None:
    del bundle["entry"][entry_index(bundle, f"RelatedPerson/{FAMILY_ID}-3")]
    violation = the_violation(bundle)
    assert (violation.code, violation.record) == ("fhir.count", f"Group/{FAMILY_ID}")
    assert violation.path.endswith(".resource.quantity")
    assert violation.message == "the household counts 4 members, the bundle holds 3"


def test_an_unknown_relation_code_is_refused(bundle: Bundle) -> None:
    person = resource(bundle, f"RelatedPerson/{FAMILY_ID}-1")
    person["relationship"] = [{"coding": [{"system": naming.V3_ROLE_CODE, "code": "NBOR"}]}]
    violation = the_violation(bundle)
    assert violation.code == "fhir.code"
    assert violation.record == f"RelatedPerson/{FAMILY_ID}-1"


def test_v3_role_codes_alone_are_understood(amina: CaseBundle, bundle: Bundle) -> None:
    person = resource(bundle, f"RelatedPerson/{FAMILY_ID}-2")
    person["relationship"] = [{"coding": [{"system": naming.V3_ROLE_CODE, "code": "MTH"}]}]
    assert from_bundle(bundle) == amina


@given(ws.case_files(max_referrals=2), st.data())
def test_a_missing_entry_gives_invalid_bundle_or_fewer_records(
    case_file: CaseFile, data: st.DataObject
) -> None:
    bundle = to_bundle(case_file)
    entries = bundle["entry"]
    assert isinstance(entries, list)
    entries.pop(data.draw(st.integers(0, len(entries) - 1), label="index"))
    try:
        found = from_bundle(bundle)
    except InvalidBundle as error:
        codes = [violation.code for violation in error.violations]
    else:  # only a partner body that nothing refers to can go unnoticed
        assert found.bodies != CaseBundle.from_case_file(case_file).bodies
        return
    assert codes
    assert all("." in code for code in codes)  # every code is dotted: fhir.*, input.*, child.*...


@given(ws.case_files(max_referrals=2), st.data())
def test_a_removed_element_gives_invalid_bundle_never_another_error(
    case_file: CaseFile, data: st.DataObject
) -> None:
    bundle = to_bundle(case_file)
    entries = bundle["entry"]
    assert isinstance(entries, list)
    entry = data.draw(st.sampled_from(entries), label="entry")["resource"]
    key = data.draw(st.sampled_from(sorted(entry)), label="key")
    del entry[key]
    try:
        from_bundle(bundle)
    except InvalidBundle as error:
        violations = error.violations
    else:
        return
    assert violations
