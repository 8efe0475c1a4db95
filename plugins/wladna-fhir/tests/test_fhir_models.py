"""Every bundle written passes the R4B models of an independent FHIR implementation."""

from __future__ import annotations

from typing import Final

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given, settings
from pydantic import ValidationError
from wladna_core.testing import strategies as ws
from wladna_core.testing.strategies import CaseFile

from wladna_fhir import CaseBundle, to_bundle

# Where each reference of a case bundle may point, as the R4 specification allows it.
ALLOWED_TARGETS: Final = {
    ("EpisodeOfCare", "patient"): {"Patient"},
    ("EpisodeOfCare", "managingOrganization"): {"Organization"},
    ("Group", "entity"): {"Patient", "Practitioner", "PractitionerRole", "Device", "Group"},
    ("RelatedPerson", "patient"): {"Patient"},
    ("ServiceRequest", "subject"): {"Patient", "Group", "Location", "Device"},
    ("ServiceRequest", "requester"): {"Organization", "Practitioner", "Patient"},
    ("ServiceRequest", "performer"): {"Organization", "Practitioner", "RelatedPerson"},
    ("Task", "basedOn"): None,  # any resource
    ("Task", "focus"): None,
    ("Task", "for"): None,
    ("Task", "requester"): {"Organization", "Practitioner", "Patient"},
    ("Task", "owner"): {"Organization", "Practitioner", "Patient", "RelatedPerson"},
    ("Location", "partOf"): {"Location"},
}


# The models of the resource types a case bundle holds, imported once, up front.
MODELS: Final = {
    name: get_fhir_model_class(name)
    for name in (
        "Organization",
        "Location",
        "Patient",
        "RelatedPerson",
        "Group",
        "EpisodeOfCare",
        "ServiceRequest",
        "Task",
    )
}


def references(value: object, element: str = "") -> list[tuple[str, str]]:
    """Every (element, reference) pair in a resource; extensions name themselves by url."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found.append((element, value["reference"]))
        for key, item in value.items():
            found += references(item, value.get("url", key) if key.startswith("value") else key)
    elif isinstance(value, list):
        for item in value:
            found += references(item, element)
    return found


def check_with_fhir_resources(bundle: dict[str, object]) -> None:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    for entry in entries:
        resource = entry["resource"]
        model = MODELS[resource["resourceType"]]
        parsed = model.model_validate(resource)
        assert parsed.id == resource["id"]
    Bundle.model_validate(bundle)


def check_references(bundle: dict[str, object]) -> None:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    held = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in entries}
    for entry in entries:
        resource = entry["resource"]
        for element, reference in references(resource):
            assert reference in held, f"{resource['resourceType']}.{element} -> {reference}"
            allowed = ALLOWED_TARGETS.get((resource["resourceType"], element))
            if (resource["resourceType"], element) in ALLOWED_TARGETS and allowed is not None:
                assert reference.partition("/")[0] in allowed, (element, reference)


# pydantic builds parts of the models on their first use, which no deadline should count.
@settings(deadline=None)
@given(ws.case_files(max_partners=3, max_referrals=4))
def test_every_resource_and_the_bundle_validate_with_the_r4b_models(case_file: CaseFile) -> None:
    check_with_fhir_resources(to_bundle(case_file))


@given(ws.case_files(max_partners=3, max_referrals=4))
def test_every_reference_points_into_the_bundle_at_an_allowed_type(case_file: CaseFile) -> None:
    check_references(to_bundle(case_file))


def test_the_handmade_case_validates_with_the_r4b_models(amina: CaseBundle) -> None:
    bundle = to_bundle(amina)
    check_with_fhir_resources(bundle)
    check_references(bundle)


def test_the_r4b_models_would_notice_a_broken_resource(amina: CaseBundle) -> None:
    # The check above can fail: an element FHIR does not know is refused.
    bundle = to_bundle(amina)
    bundle["entry"][0]["resource"]["kind"] = "cape"  # type: ignore[index]
    with pytest.raises(ValidationError):
        check_with_fhir_resources(bundle)
