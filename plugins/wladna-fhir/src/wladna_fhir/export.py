"""Writing a case bundle as a FHIR R4 ``Bundle`` of type ``collection``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wladna_core.model import Gazetteer, ReferralTargetKind, Relation

from wladna_fhir import _codes, _specs
from wladna_fhir import naming as uri
from wladna_fhir.casebundle import CaseBundle

if TYPE_CHECKING:
    from wladna_core.model import (
        Case,
        Child,
        Family,
        FamilyMember,
        Referral,
        TerritorialBody,
    )

    from wladna_fhir.casebundle import CaseFileLike

__all__ = ["to_bundle"]

Resource = dict[str, object]

_LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"


def _meta(version: int) -> Resource:
    return {"versionId": str(version)}


def _ref(resource_type: str, resource_id: str) -> Resource:
    return {"reference": f"{resource_type}/{resource_id}"}


def _coding(system: str, code: str) -> Resource:
    return {"coding": [{"system": system, "code": code}]}


def _name(
    given: str | None, family: str | None, *, use: str | None = None, language: str | None = None
) -> Resource | None:
    if given is None and family is None:
        return None
    name: Resource = {}
    if language is not None:
        name["extension"] = [{"url": uri.LANGUAGE_EXTENSION, "valueCode": language}]
    if use is not None:
        name["use"] = use
    if family is not None:
        name["family"] = family
    if given is not None:
        name["given"] = [given]
    return name


def _patient(child: Child) -> Resource:
    names = [
        _name(child.given_name, child.family_name, use="official"),
        _name(child.given_name_ar, child.family_name_ar, use="official", language="ar"),
        _name(child.nickname, None, use="nickname"),
    ]
    extensions = _specs.CHILD.extensions(child)
    if child.nationality is not None:
        code = {"url": "code", "valueCodeableConcept": _coding(uri.ISO_3166, child.nationality)}
        extensions.insert(0, {"url": uri.NATIONALITY_EXTENSION, "extension": [code]})
    patient: Resource = {"resourceType": "Patient", "id": child.id, "meta": _meta(child.version)}
    if extensions:
        patient["extension"] = extensions
    if child.identifiers:
        patient["identifier"] = [
            {
                "system": uri.identifier_system(identifier.scheme.value),
                "value": identifier.value,
                **({"assigner": {"display": identifier.issuer}} if identifier.issuer else {}),
            }
            for identifier in child.identifiers
        ]
    if any(names):
        patient["name"] = [name for name in names if name is not None]
    patient["gender"] = child.sex.value
    patient["birthDate"] = child.birth_date.isoformat()
    if child.languages:
        patient["communication"] = [
            {"language": _coding(uri.BCP47, language)} for language in child.languages
        ]
    return patient


def _relationship(member: FamilyMember) -> Resource:
    codings: list[Resource] = []
    if member.relation is Relation.AUNT_UNCLE:
        role: str | None = _codes.AUNT_UNCLE_CODE[member.sex]
    else:
        role = _codes.ROLE_CODE.get(member.relation)
    if role is not None:
        display = _codes.ROLE_DISPLAY[role]
        codings.append({"system": uri.V3_ROLE_CODE, "code": role, "display": display})
    codings.append({"system": uri.RELATION, "code": member.relation.value})
    return {"coding": codings}


def _related_person(family: Family, index: int, member: FamilyMember, child: Child) -> Resource:
    extensions = [
        {"url": uri.FAMILY_MEMBER_OF, "valueReference": _ref("Group", family.id)},
        *_specs.FAMILY_MEMBER.extensions(member),
    ]
    person: Resource = {
        "resourceType": "RelatedPerson",
        "id": f"{family.id}-{index}",
        "extension": extensions,
        "patient": _ref("Patient", child.id),
        "relationship": [_relationship(member)],
    }
    name = _name(member.given_name, member.family_name)
    if name is not None:
        person["name"] = [name]
    if member.phone is not None:
        person["telecom"] = [{"system": "phone", "value": member.phone}]
    if member.sex is not None:
        person["gender"] = member.sex.value
    if member.birth_date is not None:
        person["birthDate"] = member.birth_date.isoformat()
    return person


def _group(family: Family, child: Child) -> Resource:
    group: Resource = {"resourceType": "Group", "id": family.id, "meta": _meta(family.version)}
    extensions = _specs.FAMILY.extensions(family)
    if extensions:
        group["extension"] = extensions
    if family.rsu_id is not None:
        group["identifier"] = [{"system": uri.RSU_HOUSEHOLD, "value": family.rsu_id}]
    group.update(type="person", actual=True, quantity=len(family.members))
    # Only the child of the bundle is a Patient here; the members are RelatedPerson resources,
    # which an R4 Group cannot list.
    if any(member.child_id == child.id for member in family.members):
        group["member"] = [{"entity": _ref("Patient", child.id)}]
    return group


def _organization(body: TerritorialBody) -> Resource:
    return {
        "resourceType": "Organization",
        "id": body.id,
        "meta": _meta(body.version),
        "extension": _specs.BODY.extensions(body),
        "active": body.active,
        "type": [_coding(uri.BODY_KIND, body.kind.value)],
        "name": body.name,
    }


def _episode_of_care(case: Case) -> Resource:
    episode: Resource = {
        "resourceType": "EpisodeOfCare",
        "id": case.id,
        "meta": _meta(case.version),
        "extension": _specs.CASE.extensions(case),
    }
    if case.number is not None:
        episode["identifier"] = [{"system": uri.CASE_NUMBER, "value": case.number}]
    period = {"start": case.opened_on.isoformat()}
    if case.closure is not None:
        period["end"] = case.closure.on.isoformat()
    episode.update(
        status=_codes.EPISODE_STATUS[case.status],
        patient=_ref("Patient", case.child_id),
        managingOrganization=_ref("Organization", case.body_id),
        period=period,
    )
    return episode


def _performer(referral: Referral) -> Resource:
    target = referral.target
    if target.kind is ReferralTargetKind.BODY and target.body_id is not None:
        return _ref("Organization", target.body_id)
    if target.kind is ReferralTargetKind.PROGRAMME and target.programme is not None:
        code = target.programme.value
        return {"identifier": {"system": uri.SOCIAL_PROGRAMME, "value": code}, "display": code}
    return {
        "identifier": {"system": uri.JUDICIAL_AUTHORITY, "value": "MA"},
        "display": "judicial authority (prosecution or juvenile judge)",
    }


def _service_request(referral: Referral, case: Case) -> Resource:
    request: Resource = {
        "resourceType": "ServiceRequest",
        "id": referral.id,
        "meta": _meta(referral.version),
        "extension": [
            {
                "url": uri.EPISODE_OF_CARE_EXTENSION,
                "valueReference": _ref("EpisodeOfCare", case.id),
            },
            *_specs.REFERRAL.extensions(referral),
        ],
        "status": _codes.REQUEST_STATUS[referral.status],
        "intent": "order",
        "priority": _codes.PRIORITY[referral.urgency],
        "code": _coding(uri.SERVICE_TYPE, referral.service.value),
        "subject": _ref("Patient", case.child_id),
        "authoredOn": referral.made_on.isoformat(),
        "requester": _ref("Organization", referral.from_body),
        "performer": [_performer(referral)],
    }
    if referral.note is not None:
        request["note"] = [{"text": referral.note}]
    return request


def _task(referral: Referral, case: Case) -> Resource:
    task: Resource = {
        "resourceType": "Task",
        "id": referral.id,
        "meta": _meta(referral.version),
        "basedOn": [_ref("ServiceRequest", referral.id)],
        "status": _codes.TASK_STATUS[referral.status],
    }
    if referral.rejection_reason is not None:
        task["statusReason"] = {"text": referral.rejection_reason}
    task.update(
        businessStatus=_coding(uri.REFERRAL_STATUS, referral.status.value),
        intent="order",
        focus=_ref("ServiceRequest", referral.id),
        authoredOn=referral.made_on.isoformat(),
        requester=_ref("Organization", referral.from_body),
    )
    task["for"] = _ref("Patient", case.child_id)
    if referral.target.kind is ReferralTargetKind.BODY and referral.target.body_id is not None:
        task["owner"] = _ref("Organization", referral.target.body_id)
    if referral.response_due is not None:
        task["restriction"] = {"period": {"end": referral.response_due.isoformat()}}
    if referral.outcome is not None:
        task["output"] = [{"type": {"text": "outcome"}, "valueString": referral.outcome}]
    return task


def _territory_codes(bundle: CaseBundle) -> list[str]:
    found: list[str | None] = [body.territory for body in bundle.bodies]
    found += [bundle.child.residence, bundle.case.territory]
    if bundle.family is not None:
        found.append(bundle.family.residence)
    return list(dict.fromkeys(code for code in found if code is not None))


def _locations(codes: list[str], gazetteer: Gazetteer) -> list[Resource]:
    """Return a Location per territory code, and per territory that contains one of them."""
    wanted = list(codes)
    for code in codes:
        if code in gazetteer:
            wanted += [territory.code for territory in gazetteer.ancestors(code)]
    locations = []
    for code in dict.fromkeys(wanted):
        location: Resource = {
            "resourceType": "Location",
            "id": code,
            "identifier": [{"system": uri.ISO_3166_2, "value": code}],
            "status": "active",
            "mode": "instance",
        }
        if code in gazetteer:
            territory = gazetteer.get(code)
            location["name"] = territory.name_fr
            if territory.name_ar is not None:
                location["alias"] = [territory.name_ar]
            location["type"] = [_coding(uri.TERRITORY_LEVEL, territory.level.value)]
            location["physicalType"] = _coding(_LOCATION_PHYSICAL_TYPE, "jdn")
            if territory.parent is not None:
                location["partOf"] = _ref("Location", territory.parent)
        locations.append(location)
    return locations


def _entry(resource: Resource) -> Resource:
    return {
        "fullUrl": f"{uri.BASE}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
    }


def to_bundle(case_file: CaseFileLike, *, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """Return a case and its records as a FHIR R4 ``Bundle`` of type ``collection``.

    The result is JSON-ready (text, numbers, booleans, lists and dictionaries only) and
    :func:`~wladna_fhir.from_bundle` reads it back into an equal :class:`CaseBundle`.  Entries
    come in this order: an ``Organization`` per body, a ``Location`` per territory named and
    those containing it, the ``Patient``, a ``RelatedPerson`` per family member, the ``Group``,
    the ``EpisodeOfCare``, then a ``ServiceRequest`` and a ``Task`` per referral.

    :param case_file: a :class:`CaseBundle`, or any case file with ``case``, ``child``,
        ``family``, ``referrals`` and ``bodies`` (such as a drawn ``CaseFile``).
    :param gazetteer: where the names of territories come from; the shipped Moroccan one by
        default.  A territory it does not know gets a ``Location`` with its code alone.
    :raises InvariantError: when the records do not fit together (see :class:`CaseBundle`).
    """
    bundle = CaseBundle.from_case_file(case_file)
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.morocco()
    child, family, case = bundle.child, bundle.family, bundle.case
    resources = [_organization(body) for body in bundle.bodies]
    resources += _locations(_territory_codes(bundle), gazetteer)
    resources.append(_patient(child))
    if family is not None:
        resources += [
            _related_person(family, index, member, child)
            for index, member in enumerate(family.members)
        ]
        resources.append(_group(family, child))
    resources.append(_episode_of_care(case))
    for referral in bundle.referrals:
        resources += [_service_request(referral, case), _task(referral, case)]
    return {
        "resourceType": "Bundle",
        "id": case.id,
        "type": "collection",
        "entry": [_entry(resource) for resource in resources],
    }
