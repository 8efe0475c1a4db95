"""Reading a FHIR bundle written by :func:`~wladna_fhir.to_bundle` back into records."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import attrs
from attrs import AttrsInstance
from wladna_core.convert import structure
from wladna_core.errors import InvalidRecord, InvariantError, Violation
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Family,
    FamilyMember,
    IdentifierScheme,
    Referral,
    Relation,
    TerritorialBody,
)

from wladna_fhir import _codes, _specs
from wladna_fhir import naming as uri
from wladna_fhir._reader import Node
from wladna_fhir.casebundle import CaseBundle
from wladna_fhir.errors import InvalidBundle

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wladna_fhir._fields import RecordSpec

__all__ = ["from_bundle"]

T = TypeVar("T", bound=AttrsInstance)

#: The resource types a case bundle holds; ``Composition`` opens a ``document`` bundle.
_KNOWN_TYPES = frozenset(
    {
        "Organization",
        "Location",
        "Patient",
        "RelatedPerson",
        "Group",
        "EpisodeOfCare",
        "ServiceRequest",
        "Task",
        "Composition",
    }
)
_SCHEMES = {uri.identifier_system(scheme.value): scheme for scheme in IdentifierScheme}
_RESOURCE_FROM = "write the bundle with wladna_fhir.to_bundle, or mend the element"


class _Bundle:
    """The entries of a bundle, indexed by ``Type/id``."""

    def __init__(self, bundle: object) -> None:
        if not isinstance(bundle, dict):
            root = Node({}, "$", None)
            root.fail(
                "fhir.not_bundle",
                f"a bundle is a JSON object, not {type(bundle).__name__}",
                "pass the decoded JSON object of a FHIR Bundle",
            )
        root = Node(bundle, "$", "Bundle")
        resource_type = root.text("resourceType", required=True)
        if resource_type != "Bundle":
            root.fail(
                "fhir.resource_type",
                f"the resourceType is {resource_type!r}, not 'Bundle'",
                "pass a FHIR Bundle of type collection or document",
                "resourceType",
            )
        kind = root.text("type", required=True)
        if kind not in {"collection", "document"}:
            root.fail(
                "fhir.bundle_type",
                f"the bundle is of type {kind!r}",
                "pass a Bundle of type collection or document",
                "type",
            )
        self.by_type: dict[str, list[Node]] = {}
        self.by_reference: dict[str, Node] = {}
        for entry in root.nodes("entry"):
            resource = entry.required_node("resource")
            resource_type = resource.required_text("resourceType")
            resource_id = resource.required_text("id")
            label = f"{resource_type}/{resource_id}"
            node = Node(resource.data, resource.path, label)
            if resource_type not in _KNOWN_TYPES:
                node.fail(
                    "fhir.resource_type",
                    f"a case bundle holds no {resource_type}",
                    f"remove it; a case bundle holds {', '.join(sorted(_KNOWN_TYPES))}",
                    "resourceType",
                )
            if label in self.by_reference:
                node.fail(
                    "fhir.duplicate",
                    f"{label} is in the bundle twice",
                    "keep one entry per resource",
                    "id",
                )
            self.by_reference[label] = node
            self.by_type.setdefault(resource_type, []).append(node)
        self.root = root

    def all(self, resource_type: str) -> list[Node]:
        """Return the resources of a type, in the bundle's order."""
        return self.by_type.get(resource_type, [])

    def one(self, resource_type: str, *, required: bool = True) -> Node | None:
        """Return the only resource of a type; fail when there are several (or none)."""
        found = self.all(resource_type)
        if len(found) > 1 or (required and not found):
            self.root.fail(
                "fhir.count",
                f"a case bundle holds {'one' if required else 'at most one'} {resource_type}, "
                f"this one {len(found)}",
                f"give the bundle exactly one {resource_type}"
                if required
                else f"keep one {resource_type}",
                "entry",
            )
        return found[0] if found else None

    def resolve(self, holder: Node, key: str, resource_type: str) -> Node:
        """Return the resource that the reference ``holder.key`` points to."""
        return self.resolve_reference(holder.required_node(key), resource_type)

    def resolve_reference(self, reference: Node, resource_type: str) -> Node:
        """Return the resource a ``Reference`` element points to, which must be in the bundle."""
        target = reference.required_text("reference")
        if target.partition("/")[0] != resource_type:
            reference.fail(
                "fhir.reference",
                f"{target!r} must refer to a {resource_type}",
                f"refer to a {resource_type} of the bundle as {resource_type}/<id>",
                "reference",
            )
        if target not in self.by_reference:
            reference.fail(
                "fhir.reference",
                f"{target} is not in the bundle",
                f"add {target} to the bundle, or refer to a resource it holds",
                "reference",
            )
        return self.by_reference[target]

    def territory(self, reference: Node) -> str:
        """Return the ISO 3166-2 code of the Location a reference points to."""
        return _territory_code(self.resolve_reference(reference, "Location"))


def _territory_code(location: Node) -> str:
    for identifier in location.nodes("identifier"):
        if identifier.text("system") == uri.ISO_3166_2:
            return identifier.required_text("value")
    return location.fail(
        "fhir.missing",
        "the Location has no ISO 3166-2 identifier",
        f"give it an identifier with system {uri.ISO_3166_2} and the territory's code",
        "identifier",
    )


def _code(concept: Node | None, system: str) -> str | None:
    """Return the code of ``concept``'s coding in ``system``, ``None`` when it has none."""
    if concept is None:
        return None
    for coding in concept.nodes("coding"):
        if coding.text("system") == system:
            return coding.required_text("code")
    return None


def _required_code(holder: Node, key: str, system: str) -> str:
    code = _code(holder.node(key, required=True), system)
    if code is None:
        holder.fail(
            "fhir.code",
            f"{key} has no coding in {system}",
            f"add a coding with system {system}; {_RESOURCE_FROM}",
            key,
        )
    return code


def _extension(holder: Node, url: str) -> Node | None:
    for extension in holder.nodes("extension"):
        if extension.text("url") == url:
            return extension
    return None


def _version(resource: Node) -> int | None:
    meta = resource.node("meta")
    version = None if meta is None else meta.text("versionId")
    if version is None:
        return None
    if not version.isdigit():
        meta_node = resource.required_node("meta")
        meta_node.fail(
            "fhir.version",
            f"versionId {version!r} is not a record version",
            "give the record's version as a whole number (0, 1, 2...)",
            "versionId",
        )
    return int(version)


def _defined(data: Mapping[str, object]) -> dict[str, object]:
    """Leave out absent values, so that the record's defaults apply."""
    return {key: value for key, value in data.items() if value is not None}


def _record(spec: RecordSpec[T], resource: Node, data: Mapping[str, object], bundle: _Bundle) -> T:
    fields = {**spec.read(resource, bundle.territory), **_defined(data)}
    for name in sorted(spec.always - fields.keys()):
        resource.fail(
            "fhir.missing",
            f"the extension {uri.field_extension(spec.kind, name)} is missing",
            f"give the record's {name} in that extension; {_RESOURCE_FROM}",
            "extension",
        )
    try:
        record = structure(fields, spec.cls)
    except InvalidRecord as error:
        name = spec.cls.__name__
        raise InvalidBundle(
            Violation(
                violation.code,
                resource.path,
                f"the {name} read from it is invalid at {violation.path}: {violation.message}",
                violation.severity,
                resource.record,
                violation.remedy,
            )
            for violation in error.violations
        ) from None
    return record


def _child(bundle: _Bundle, patient: Node) -> Child:
    data: dict[str, object] = {
        "id": patient.required_text("id"),
        "version": _version(patient),
        "sex": patient.required_text("gender"),
        "birth_date": patient.required_text("birthDate"),
    }
    for name in patient.nodes("name"):
        given = " ".join(name.texts("given")) or None
        if name.text("use") == "nickname":
            data["nickname"] = given
            continue
        language = _extension(name, uri.LANGUAGE_EXTENSION)
        suffix = "_ar" if language is not None and language.text("valueCode") == "ar" else ""
        data[f"given_name{suffix}"] = given
        data[f"family_name{suffix}"] = name.text("family")
    identifiers = []
    for identifier in patient.nodes("identifier"):
        system = identifier.required_text("system")
        if system not in _SCHEMES:
            identifier.fail(
                "fhir.identifier",
                f"{system} is not an identifier system of a child",
                f"use one of {', '.join(sorted(_SCHEMES))}",
                "system",
            )
        assigner = identifier.node("assigner")
        identifiers.append(
            {
                "scheme": _SCHEMES[system].value,
                "value": identifier.required_text("value"),
                "issuer": None if assigner is None else assigner.text("display"),
            }
        )
    data["identifiers"] = identifiers
    nationality = _extension(patient, uri.NATIONALITY_EXTENSION)
    if nationality is not None:
        code = _extension(nationality, "code")
        data["nationality"] = _code(
            None if code is None else code.node("valueCodeableConcept"), uri.ISO_3166
        )
    data["languages"] = [
        _required_code(communication, "language", uri.BCP47)
        for communication in patient.nodes("communication")
    ]
    return _record(_specs.CHILD, patient, data, bundle)


_ROLE_RELATIONS: dict[str, Relation] = {
    **{code: relation for relation, code in _codes.ROLE_CODE.items()},
    "AUNT": Relation.AUNT_UNCLE,
    "UNCLE": Relation.AUNT_UNCLE,
}


def _relation(person: Node) -> str:
    for relationship in person.nodes("relationship"):
        code = _code(relationship, uri.RELATION)
        if code is not None:
            return code
        role = _code(relationship, uri.V3_ROLE_CODE)
        if role is not None and role in _ROLE_RELATIONS:
            return _ROLE_RELATIONS[role].value
    return person.fail(
        "fhir.code",
        "the relationship has no code of a family relation",
        f"add a coding with system {uri.RELATION} (mother, father, kafil, kafila, sibling...)",
        "relationship",
    )


def _member(bundle: _Bundle, person: Node, patient: Node) -> FamilyMember:
    if bundle.resolve(person, "patient", "Patient") is not patient:
        person.fail(
            "fhir.reference",
            "the family member is related to another patient than the bundle's child",
            "refer to the bundle's Patient",
            "patient",
        )
    names = person.nodes("name")
    phones = [
        telecom.text("value")
        for telecom in person.nodes("telecom")
        if telecom.text("system") == "phone"
    ]
    data = {
        "relation": _relation(person),
        "given_name": (" ".join(names[0].texts("given")) or None) if names else None,
        "family_name": names[0].text("family") if names else None,
        "sex": person.text("gender"),
        "birth_date": person.text("birthDate"),
        "phone": phones[0] if phones else None,
    }
    return _record(_specs.FAMILY_MEMBER, person, data, bundle)


def _family(bundle: _Bundle, group: Node, patient: Node) -> Family:
    for member in group.nodes("member"):
        bundle.resolve(member, "entity", "Patient")
    rsu_ids = [
        identifier.text("value")
        for identifier in group.nodes("identifier")
        if identifier.text("system") == uri.RSU_HOUSEHOLD
    ]
    data = {
        "id": group.required_text("id"),
        "version": _version(group),
        "rsu_id": rsu_ids[0] if rsu_ids else None,
    }
    family: Family = _record(_specs.FAMILY, group, data, bundle)
    members = []
    for person in bundle.all("RelatedPerson"):
        member_of = _extension(person, uri.FAMILY_MEMBER_OF)
        if member_of is None:
            person.fail(
                "fhir.missing",
                f"the extension {uri.FAMILY_MEMBER_OF} is missing",
                "name the household (Group) the person is a member of",
                "extension",
            )
        if bundle.resolve(member_of, "valueReference", "Group") is not group:
            member_of.fail(
                "fhir.reference",
                "the person is a member of another household than the bundle's Group",
                "refer to the bundle's Group",
                "valueReference",
            )
        members.append(_member(bundle, person, patient))
    quantity = group.data.get("quantity")
    if quantity is not None and quantity != len(members):
        group.fail(
            "fhir.count",
            f"the household counts {quantity} members, the bundle holds {len(members)}",
            "give a RelatedPerson for each member of the household",
            "quantity",
        )
    # The members were checked one by one; a household puts no constraint on them together.
    return attrs.evolve(family, members=tuple(members))


def _body(bundle: _Bundle, organization: Node) -> TerritorialBody:
    data = {
        "id": organization.required_text("id"),
        "version": _version(organization),
        "name": organization.required_text("name"),
        "active": organization.data.get("active"),
    }
    kinds = [_code(concept, uri.BODY_KIND) for concept in organization.nodes("type")]
    data["kind"] = next((kind for kind in kinds if kind is not None), None)
    if data["kind"] is None:
        organization.fail(
            "fhir.code",
            f"the organization has no type in {uri.BODY_KIND}",
            "give its kind of body: " + ", ".join(kind.value for kind in BodyKind),
            "type",
        )
    return _record(_specs.BODY, organization, data, bundle)


def _check_status(resource: Node, key: str, expected: str) -> None:
    found = resource.required_text(key)
    if found != expected:
        resource.fail(
            "fhir.status_mismatch",
            f"{key} is {found!r}, but the record's exact status means {expected!r}",
            "make the two statuses agree, or write the bundle again with to_bundle",
            key,
        )


def _case(bundle: _Bundle, episode: Node, patient: Node) -> Case:
    bundle.resolve(episode, "patient", "Patient")
    organization = bundle.resolve(episode, "managingOrganization", "Organization")
    numbers = [
        identifier.text("value")
        for identifier in episode.nodes("identifier")
        if identifier.text("system") == uri.CASE_NUMBER
    ]
    data = {
        "id": episode.required_text("id"),
        "version": _version(episode),
        "child_id": patient.data["id"],
        "body_id": organization.data["id"],
        "opened_on": episode.required_node("period").required_text("start"),
        "number": numbers[0] if numbers else None,
    }
    case: Case = _record(_specs.CASE, episode, data, bundle)
    _check_status(episode, "status", _codes.EPISODE_STATUS[case.status])
    return case


def _target(bundle: _Bundle, request: Node) -> dict[str, object]:
    performers = request.nodes("performer")
    if len(performers) != 1:
        request.fail(
            "fhir.count",
            f"a referral has one performer, this one {len(performers)}",
            "name where the referral goes: an Organization, a programme or the judge",
            "performer",
        )
    [performer] = performers
    if "reference" in performer.data:
        body = bundle.resolve_reference(performer, "Organization")
        return {"kind": "body", "body_id": body.data["id"]}
    identifier = performer.required_node("identifier")
    system = identifier.text("system")
    if system == uri.SOCIAL_PROGRAMME:
        return {"kind": "programme", "programme": identifier.required_text("value")}
    if system == uri.JUDICIAL_AUTHORITY:
        return {"kind": "judicial"}
    return identifier.fail(
        "fhir.identifier",
        f"{system} names no target of a referral",
        f"refer to an Organization, or use {uri.SOCIAL_PROGRAMME} or {uri.JUDICIAL_AUTHORITY}",
        "system",
    )


def _tasks_by_request(bundle: _Bundle) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for task in bundle.all("Task"):
        based_on = task.nodes("basedOn")
        if len(based_on) != 1:
            task.fail(
                "fhir.count",
                f"the Task of a referral is based on one ServiceRequest, this one {len(based_on)}",
                "base the Task on its referral's ServiceRequest",
                "basedOn",
            )
        request = bundle.resolve_reference(based_on[0], "ServiceRequest")
        if request.record in found:
            task.fail(
                "fhir.duplicate",
                f"two Tasks are based on {request.record}",
                "keep one Task per referral",
                "basedOn",
            )
        bundle.resolve(task, "focus", "ServiceRequest")
        bundle.resolve(task, "for", "Patient")
        if "owner" in task.data:
            bundle.resolve(task, "owner", "Organization")
        found[str(request.record)] = task
    return found


def _referral(bundle: _Bundle, request: Node, task: Node) -> Referral:
    episode = _extension(request, uri.EPISODE_OF_CARE_EXTENSION)
    if episode is None:
        request.fail(
            "fhir.missing",
            f"the extension {uri.EPISODE_OF_CARE_EXTENSION} is missing",
            "name the referral's case (EpisodeOfCare) in it",
            "extension",
        )
    bundle.resolve(request, "subject", "Patient")
    notes = request.nodes("note")
    restriction = task.node("restriction")
    period = None if restriction is None else restriction.node("period")
    reason = task.node("statusReason")
    outcomes = [
        output.text("valueString")
        for output in task.nodes("output")
        if (kind := output.node("type")) is not None and kind.text("text") == "outcome"
    ]
    priority = request.text("priority")
    if priority is not None and priority not in _codes.URGENCY:
        request.fail(
            "fhir.code",
            f"priority {priority!r} has no urgency",
            f"use one of {', '.join(_codes.URGENCY)}",
            "priority",
        )
    data = {
        "id": request.required_text("id"),
        "version": _version(request),
        "case_id": bundle.resolve(episode, "valueReference", "EpisodeOfCare").data["id"],
        "from_body": bundle.resolve(request, "requester", "Organization").data["id"],
        "target": _target(bundle, request),
        "service": _required_code(request, "code", uri.SERVICE_TYPE),
        "made_on": request.required_text("authoredOn"),
        "urgency": None if priority is None else _codes.URGENCY[priority].value,
        "status": _required_code(task, "businessStatus", uri.REFERRAL_STATUS),
        "note": notes[0].text("text") if notes else None,
        "response_due": None if period is None else period.text("end"),
        "rejection_reason": None if reason is None else reason.text("text"),
        "outcome": outcomes[0] if outcomes else None,
    }
    referral: Referral = _record(_specs.REFERRAL, request, data, bundle)
    _check_status(request, "status", _codes.REQUEST_STATUS[referral.status])
    _check_status(task, "status", _codes.TASK_STATUS[referral.status])
    return referral


def from_bundle(bundle: object) -> CaseBundle:
    """Read a FHIR ``Bundle`` written by :func:`~wladna_fhir.to_bundle` back into its records.

    ``from_bundle(to_bundle(case_file))`` equals the case bundle of ``case_file``, versions
    included.  Every reference of the bundle must point to a resource it holds.

    :param bundle: the decoded JSON of a ``Bundle`` of type ``collection`` (or ``document``).
    :raises InvalidBundle: when the bundle is not one this function can read, or a record read
        from it is invalid.  Its violation names the resource, the path in the bundle, a code
        and a remedy.  The first problem found is reported.
    """
    found = _Bundle(bundle)
    for location in found.all("Location"):
        _territory_code(location)
        if "partOf" in location.data:
            found.resolve(location, "partOf", "Location")
    patient = found.one("Patient")
    episode = found.one("EpisodeOfCare")
    group = found.one("Group", required=False)
    assert patient is not None
    assert episode is not None
    if group is None and found.all("RelatedPerson"):
        found.root.fail(
            "fhir.missing",
            "the bundle has family members (RelatedPerson) but no household (Group)",
            "add the household's Group",
            "entry",
        )
    bodies = tuple(_body(found, organization) for organization in found.all("Organization"))
    child = _child(found, patient)
    family = None if group is None else _family(found, group, patient)
    case = _case(found, episode, patient)
    tasks = _tasks_by_request(found)
    referrals = []
    for request in found.all("ServiceRequest"):
        task = tasks.pop(str(request.record), None)
        if task is None:
            request.fail(
                "fhir.missing",
                "no Task is based on this ServiceRequest",
                "add the referral's Task, with basedOn referring to this ServiceRequest",
            )
        referrals.append(_referral(found, request, task))
    try:
        return CaseBundle(case, child, family, tuple(referrals), bodies)
    except InvariantError as error:
        return found.root.fail(
            error.code, error.message, "make the bundle's resources refer to each other", "entry"
        )
