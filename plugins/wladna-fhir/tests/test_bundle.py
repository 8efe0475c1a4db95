"""What to_bundle writes for one handmade case, element by element."""

from __future__ import annotations

import json

import attrs
import pytest
from wladna_core.errors import InvariantError
from wladna_core.model import CaseStatus

from wladna_fhir import CaseBundle, from_bundle, naming, to_bundle

from .conftest import CAPE_ID, CASE_ID, CHILD_ID, EPS_ID, FAMILY_ID, TO_BODY_ID, TO_JUDGE_ID


def resources(bundle: dict[str, object], resource_type: str) -> list[dict[str, object]]:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    return [e["resource"] for e in entries if e["resource"]["resourceType"] == resource_type]


def without_own_extensions(value: object) -> object:
    """The bundle as a FHIR reader that knows none of this plug-in's extensions uses it."""
    if isinstance(value, list):
        return [
            without_own_extensions(item)
            for item in value
            if not (isinstance(item, dict) and str(item.get("url", "")).startswith(naming.BASE))
        ]
    if isinstance(value, dict):
        return {key: without_own_extensions(item) for key, item in value.items()}
    return value


def test_the_bundle_is_a_collection_in_a_fixed_order_of_resources(amina: CaseBundle) -> None:
    bundle = to_bundle(amina)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert bundle["id"] == CASE_ID
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == [
        *["Organization"] * 2,
        *["Location"] * 4,
        "Patient",
        *["RelatedPerson"] * 4,
        "Group",
        "EpisodeOfCare",
        *["ServiceRequest", "Task"] * 3,
    ]
    # The territories named, then the region and the country that contain them.
    assert [location["id"] for location in resources(bundle, "Location")] == [
        "MA-SAL",
        "MA-RAB",
        "MA-04",
        "MA",
    ]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"{naming.BASE}/{resource['resourceType']}/{resource['id']}"


def test_the_bundle_is_plain_json(amina: CaseBundle) -> None:
    bundle = to_bundle(amina)
    assert json.loads(json.dumps(bundle)) == bundle
    assert from_bundle(json.loads(json.dumps(bundle, ensure_ascii=False))) == amina


def test_the_handmade_case_comes_back_equal(amina: CaseBundle) -> None:
    assert from_bundle(to_bundle(amina)) == amina


def test_the_child_is_a_patient_with_latin_arabic_and_nick_names(amina: CaseBundle) -> None:
    [patient] = resources(to_bundle(amina), "Patient")
    assert patient["id"] == CHILD_ID
    assert patient["meta"] == {"versionId": "2"}
    assert patient["gender"] == "female"
    assert patient["birthDate"] == "2014-03-02"
    assert patient["name"] == [
        {"use": "official", "family": "El Idrissi", "given": ["Amina"]},
        {
            "extension": [{"url": naming.LANGUAGE_EXTENSION, "valueCode": "ar"}],
            "use": "official",
            "family": "الإدريسي",
            "given": ["أمينة"],
        },
        {"use": "nickname", "given": ["Mimi"]},
    ]
    assert patient["identifier"] == [
        {
            "system": "https://wladna.ma/fhir/sid/idcs",
            "value": "1234567890",
            "assigner": {"display": "État civil Salé"},
        }
    ]
    assert patient["communication"] == [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "ary"}]}},
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "ar"}]}},
    ]
    extensions = {ext["url"]: ext for ext in patient["extension"]}
    assert extensions[naming.NATIONALITY_EXTENSION]["extension"] == [
        {
            "url": "code",
            "valueCodeableConcept": {"coding": [{"system": "urn:iso:std:iso:3166", "code": "MA"}]},
        }
    ]
    assert extensions[naming.field_extension("child", "residence")] == {
        "url": "https://wladna.ma/fhir/StructureDefinition/child-residence",
        "valueReference": {"reference": "Location/MA-SAL"},
    }
    assert extensions[naming.field_extension("child", "birth_registered")]["valueBoolean"]


def test_family_members_are_related_persons_with_role_codes(amina: CaseBundle) -> None:
    people = resources(to_bundle(amina), "RelatedPerson")
    assert [person["id"] for person in people] == [f"{FAMILY_ID}-{n}" for n in range(4)]
    codes = [
        [(coding["system"], coding["code"]) for coding in person["relationship"][0]["coding"]]
        for person in people
    ]
    role, local = naming.V3_ROLE_CODE, naming.RELATION
    assert codes == [
        [(role, "CHILD"), (local, "child")],
        [(local, "kafila")],  # kafala has no v3 RoleCode
        [(role, "MTH"), (local, "mother")],
        [(role, "UNCLE"), (local, "aunt_uncle")],
    ]
    kafila = people[1]
    assert kafila["patient"] == {"reference": f"Patient/{CHILD_ID}"}
    assert kafila["name"] == [{"family": "Bennani", "given": ["Khadija"]}]
    assert kafila["telecom"] == [{"system": "phone", "value": "+212600000000"}]
    assert kafila["birthDate"] == "1980-05-17"
    extensions = {ext["url"]: ext for ext in kafila["extension"]}
    assert extensions[naming.FAMILY_MEMBER_OF]["valueReference"] == {
        "reference": f"Group/{FAMILY_ID}"
    }
    kafala = json.loads(
        extensions[naming.field_extension("family-member", "kafala")]["valueString"]
    )
    assert kafala["reference"] == "123/2019"


def test_the_household_is_a_group_listing_the_child(amina: CaseBundle) -> None:
    [group] = resources(to_bundle(amina), "Group")
    assert group["type"] == "person"
    assert group["actual"] is True
    assert group["quantity"] == 4
    assert group["member"] == [{"entity": {"reference": f"Patient/{CHILD_ID}"}}]
    assert group["identifier"] == [{"system": naming.RSU_HOUSEHOLD, "value": "RSU-0042"}]


def test_the_case_is_an_episode_of_care_keeping_its_exact_status(amina: CaseBundle) -> None:
    [episode] = resources(to_bundle(amina), "EpisodeOfCare")
    assert episode["status"] == "active"
    assert episode["patient"] == {"reference": f"Patient/{CHILD_ID}"}
    assert episode["managingOrganization"] == {"reference": f"Organization/{CAPE_ID}"}
    assert episode["period"] == {"start": "2025-09-15"}
    assert episode["identifier"] == [{"system": naming.CASE_NUMBER, "value": "SAL-2025-000042"}]
    extensions = {ext["url"]: ext for ext in episode["extension"]}
    assert extensions[naming.field_extension("case", "status")]["valueCode"] == "implementation"
    assert extensions[naming.field_extension("case", "risk")]["valueCode"] == "high"


@pytest.mark.parametrize(
    ("status", "episode_status"),
    [
        (CaseStatus.REGISTERED, "active"),
        (CaseStatus.REOPENED, "active"),
        (CaseStatus.TRANSFERRED, "finished"),
        (CaseStatus.DUPLICATE, "entered-in-error"),
    ],
)
def test_case_statuses_map_to_episode_statuses(
    amina: CaseBundle, status: CaseStatus, episode_status: str
) -> None:
    changed = attrs.evolve(amina, case=attrs.evolve(amina.case, status=status))
    bundle = to_bundle(changed)
    [episode] = resources(bundle, "EpisodeOfCare")
    assert episode["status"] == episode_status
    assert from_bundle(bundle).case.status is status


def test_referrals_are_service_requests_with_tasks(amina: CaseBundle) -> None:
    bundle = to_bundle(amina)
    requests = resources(bundle, "ServiceRequest")
    tasks = resources(bundle, "Task")
    to_body, to_programme, to_judge = requests
    assert to_body["id"] == TO_BODY_ID
    assert to_body["intent"] == "order"
    assert to_body["status"] == "revoked"
    assert to_body["priority"] == "urgent"
    assert to_body["performer"] == [{"reference": f"Organization/{EPS_ID}"}]
    assert to_body["requester"] == {"reference": f"Organization/{CAPE_ID}"}
    assert to_body["authoredOn"] == "2025-10-01"
    assert to_body["note"] == [{"text": "Placement temporaire demandé."}]
    assert to_body["code"] == {"coding": [{"system": naming.SERVICE_TYPE, "code": "placement"}]}
    assert to_programme["status"] == "completed"
    assert to_programme["performer"][0]["identifier"] == {
        "system": naming.SOCIAL_PROGRAMME,
        "value": "tayssir",
    }
    assert to_judge["id"] == TO_JUDGE_ID
    assert to_judge["status"] == "active"
    assert to_judge["priority"] == "stat"
    assert to_judge["performer"][0]["identifier"]["system"] == naming.JUDICIAL_AUTHORITY
    rejected, completed, pending = tasks
    assert rejected["status"] == "rejected"
    assert rejected["businessStatus"]["coding"][0]["code"] == "rejected"
    assert rejected["statusReason"] == {"text": "Service saturé, réorienter vers un autre centre."}
    assert rejected["owner"] == {"reference": f"Organization/{EPS_ID}"}
    assert rejected["restriction"] == {"period": {"end": "2025-10-08"}}
    assert rejected["basedOn"] == [{"reference": f"ServiceRequest/{TO_BODY_ID}"}]
    assert completed["output"] == [
        {"type": {"text": "outcome"}, "valueString": "The child was enrolled in the programme."}
    ]
    assert pending["status"] == "requested"
    assert "owner" not in pending


def test_territories_are_locations_with_their_iso_code(amina: CaseBundle) -> None:
    locations = {location["id"]: location for location in resources(to_bundle(amina), "Location")}
    assert {"MA-SAL", "MA-RAB", "MA"} <= locations.keys()
    sale = locations["MA-SAL"]
    assert sale["identifier"] == [{"system": naming.ISO_3166_2, "value": "MA-SAL"}]
    assert sale["name"] == "Salé"
    assert sale["alias"] == ["سلا"]
    assert sale["partOf"]["reference"] in {f"Location/{code}" for code in locations}
    assert "partOf" not in locations["MA"]


def test_a_reader_without_our_extensions_sees_the_essentials(amina: CaseBundle) -> None:
    bundle = without_own_extensions(to_bundle(amina))
    assert isinstance(bundle, dict)
    [patient] = resources(bundle, "Patient")
    assert patient["name"][0] == {"use": "official", "family": "El Idrissi", "given": ["Amina"]}
    assert (patient["gender"], patient["birthDate"]) == ("female", "2014-03-02")
    [episode] = resources(bundle, "EpisodeOfCare")
    assert episode["status"] == "active"
    requests = resources(bundle, "ServiceRequest")
    assert [request["performer"][0].get("reference") for request in requests] == [
        f"Organization/{EPS_ID}",
        None,
        None,
    ]
    assert [task["businessStatus"]["coding"][0]["code"] for task in resources(bundle, "Task")] == [
        "rejected",
        "completed",
        "pending",
    ]


def test_records_that_do_not_fit_together_are_refused_before_writing(amina: CaseBundle) -> None:
    with pytest.raises(InvariantError, match="responsible body") as error:
        to_bundle(CaseBundle(amina.case, amina.child, amina.family, (), amina.bodies[1:]))
    assert error.value.code == "fhir.bundle_body_missing"
    with pytest.raises(InvariantError) as error:
        CaseBundle(amina.case, amina.child, amina.family, amina.referrals[:1] * 2, amina.bodies)
    assert error.value.code == "fhir.bundle_referral_twice"
