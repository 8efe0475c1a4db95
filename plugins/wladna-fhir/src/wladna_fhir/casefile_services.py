"""The case file's services log and approvals as FHIR R4 resources, and back.

A service delivered (:class:`~wladna_core.casefile.delivery.ServiceDelivery`) is a
``Procedure``: ``status`` ``preparation`` while planned, ``completed`` once delivered,
``not-done`` when missed or cancelled (the exact status in ``statusReason`` and an extension);
``code`` the service; ``subject`` the child; ``performer.actor`` the provider body (an
``Organization``) or the social programme (an identifier); ``basedOn`` the referral's
``ServiceRequest``; ``performedDateTime`` the day it was delivered; the case's ``EpisodeOfCare``
in the workflow extension; the dates FHIR has no element for in extensions.

An approval (:class:`~wladna_core.casefile.approvals.ApprovalRequest`) is a ``Task``:
``status`` ``requested``, ``completed`` (approved) or ``rejected`` (declined), ``intent``
``order``, ``code`` the subject, ``focus`` the case's ``EpisodeOfCare``, ``for`` the child,
``authoredOn`` the request, ``lastModified`` the decision, ``requester`` and ``owner`` the
people (by their ids, as ``display``), ``note`` the requester's note and the supervisor's
comment.

>>> from datetime import date
>>> from wladna_core.casefile.approvals import ApprovalRequest
>>> asked = ApprovalRequest(
...     case_id="01a24d93-0000-7000-8000-000000000001", subject="case_plan",
...     requested_by="worker", requested_on=date(2026, 3, 2),
... )
>>> task = approval_task(asked, child_id="01a24d93-0000-7000-8000-000000000002")
>>> task["resourceType"], task["status"], task["code"]["coding"][0]["code"]
('Task', 'requested', 'case_plan')
>>> task_approval(task) == asked
True
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from wladna_core.casefile.approvals import ApprovalDecision, ApprovalRequest
from wladna_core.casefile.delivery import ServiceDelivery, ServiceStatus
from wladna_core.errors import Violation
from wladna_core.model import ServiceType, SocialProgramme

from wladna_fhir import _codes
from wladna_fhir import naming as uri
from wladna_fhir.errors import InvalidBundle

__all__ = [
    "APPROVAL_SUBJECT",
    "SERVICE_STATUS",
    "approval_task",
    "procedure_service",
    "service_procedure",
    "task_approval",
]

Resource = dict[str, Any]

#: The code system of a service's exact status (``planned``, ``delivered``, ``missed``...).
SERVICE_STATUS: Final = f"{uri.BASE}/CodeSystem/service-status"
#: The code system of the subjects of approval (``assessment``, ``case_plan``, ``closure``...).
APPROVAL_SUBJECT: Final = f"{uri.BASE}/CodeSystem/approval-subject"

_PROCEDURE_STATUS: Final = {
    ServiceStatus.PLANNED: "preparation",
    ServiceStatus.DELIVERED: "completed",
    ServiceStatus.MISSED: "not-done",
    ServiceStatus.CANCELLED: "not-done",
}
_TASK_STATUS: Final = {
    ApprovalDecision.PENDING: "requested",
    ApprovalDecision.APPROVED: "completed",
    ApprovalDecision.DECLINED: "rejected",
}
_DECISION: Final = {status: decision for decision, status in _TASK_STATUS.items()}
_SERVICE_DATES: Final = ("planned_on", "due_on", "appointment_on", "ended_on")


def _invalid(where: str, reason: str) -> InvalidBundle:
    return InvalidBundle(
        [
            Violation(
                "fhir.invalid",
                "$",
                reason,
                record=where,
                remedy="Give a resource written by wladna_fhir.casefile_services, unchanged.",
            )
        ]
    )


def _ref(resource_type: str, resource_id: str) -> Resource:
    return {"reference": f"{resource_type}/{resource_id}"}


def _coding(system: str, code: str) -> Resource:
    return {"coding": [{"system": system, "code": code}]}


def _extension(field: str, value: Resource) -> Resource:
    return {"url": uri.field_extension("service", field), **value}


def service_procedure(service: ServiceDelivery, *, child_id: str) -> Resource:
    """Return the FHIR R4 ``Procedure`` of a service of the services log.

    :param service: the service.
    :param child_id: the case's child (``Procedure.subject`` is required).
    """
    extensions: list[Resource] = [
        {
            "url": uri.EPISODE_OF_CARE_EXTENSION,
            "valueReference": _ref("EpisodeOfCare", service.case_id),
        }
    ]
    for field in _SERVICE_DATES:
        value = getattr(service, field)
        if value is not None:
            extensions.append(_extension(field, {"valueDate": value.isoformat()}))
    extensions.append(_extension("urgency", {"valueCode": _codes.PRIORITY[service.urgency]}))
    procedure: Resource = {
        "resourceType": "Procedure",
        "id": service.id,
        "meta": {"versionId": str(service.version)},
        "extension": extensions,
        "status": _PROCEDURE_STATUS[service.status],
        "statusReason": _coding(SERVICE_STATUS, service.status.value),
        "code": _coding(uri.SERVICE_TYPE, service.service.value),
        "subject": _ref("Patient", child_id),
        "recorder": {"display": service.recorded_by},
    }
    if service.referral_id is not None:
        procedure["basedOn"] = [_ref("ServiceRequest", service.referral_id)]
    if service.delivered_on is not None:
        procedure["performedDateTime"] = service.delivered_on.isoformat()
    if service.provider_body_id is not None:
        actor: Resource = _ref("Organization", service.provider_body_id)
    else:
        actor = {"identifier": {"system": uri.SOCIAL_PROGRAMME, "value": str(service.programme)}}
    procedure["performer"] = [{"actor": actor}]
    if service.note is not None:
        procedure["note"] = [{"text": service.note}]
    return procedure


def _code(concept: Any, system: str, where: str) -> str:
    try:
        [coding] = [c for c in concept["coding"] if c.get("system") == system]
        code = coding["code"]
    except (KeyError, TypeError, ValueError):
        raise _invalid(where, f"expected one coding of {system}") from None
    if not isinstance(code, str):
        raise _invalid(where, "a code is a string")
    return code


def _id_of(reference: Any, resource_type: str, where: str) -> str:
    text = reference.get("reference") if isinstance(reference, dict) else None
    prefix = f"{resource_type}/"
    if not isinstance(text, str) or not text.startswith(prefix):
        raise _invalid(where, f"expected a reference to a {resource_type}")
    return text[len(prefix) :]


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _invalid(where, f"expected a date (YYYY-MM-DD), got {value!r}") from None


def _extensions(procedure: Resource, where: str) -> tuple[dict[str, Any], str | None]:
    """Return the fields a Procedure's extensions hold, and its case's id."""
    values: dict[str, Any] = {}
    case_id = None
    for extension in procedure.get("extension", []):
        url = extension.get("url")
        if url == uri.EPISODE_OF_CARE_EXTENSION:
            case_id = _id_of(extension.get("valueReference"), "EpisodeOfCare", where)
        for field in _SERVICE_DATES:
            if url == uri.field_extension("service", field):
                values[field] = _day(extension.get("valueDate"), f"{where}.extension")
        if url == uri.field_extension("service", "urgency"):
            values["urgency"] = _codes.URGENCY[extension.get("valueCode")]
    return values, case_id


def procedure_service(procedure: Resource) -> ServiceDelivery:
    """Return the service a ``Procedure`` written by :func:`service_procedure` holds.

    :raises InvalidBundle: naming where, for a resource that is not such a ``Procedure``.
    """
    where = f"Procedure/{procedure.get('id')}"
    try:
        return _procedure_service(procedure, where)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        raise _invalid(where, f"{type(error).__name__}: {error}") from None


def _procedure_service(procedure: Resource, where: str) -> ServiceDelivery:
    if procedure.get("resourceType") != "Procedure":
        raise _invalid(where, "expected a Procedure")
    values, case_id = _extensions(procedure, where)
    if case_id is None:
        raise _invalid(where, "no EpisodeOfCare extension names its case")
    actor = (procedure.get("performer") or [{}])[0].get("actor", {})
    if "identifier" in actor:
        values["programme"] = SocialProgramme(actor["identifier"]["value"])
    else:
        values["provider_body_id"] = _id_of(actor, "Organization", f"{where}.performer")
    if "basedOn" in procedure:
        values["referral_id"] = _id_of(procedure["basedOn"][0], "ServiceRequest", where)
    if "performedDateTime" in procedure:
        values["delivered_on"] = _day(procedure["performedDateTime"], f"{where}.performedDateTime")
    if "note" in procedure:
        values["note"] = procedure["note"][0]["text"]
    return ServiceDelivery(
        case_id=case_id,
        service=ServiceType(_code(procedure.get("code"), uri.SERVICE_TYPE, f"{where}.code")),
        status=ServiceStatus(
            _code(procedure.get("statusReason"), SERVICE_STATUS, f"{where}.statusReason")
        ),
        recorded_by=procedure["recorder"]["display"],
        id=procedure["id"],
        version=int(procedure["meta"]["versionId"]),
        **values,
    )


def approval_task(request: ApprovalRequest, *, child_id: str) -> Resource:
    """Return the FHIR R4 ``Task`` of an approval request.

    :param request: the request and its decision.
    :param child_id: the case's child (``Task.for``).
    """
    notes = []
    if request.note is not None:
        notes.append({"authorString": request.requested_by, "text": request.note})
    if request.comment is not None and request.decided_by is not None:
        notes.append({"authorString": request.decided_by, "text": request.comment})
    task: Resource = {
        "resourceType": "Task",
        "id": request.id,
        "meta": {"versionId": str(request.version)},
        "status": _TASK_STATUS[request.decision],
        "intent": "order",
        "code": _coding(APPROVAL_SUBJECT, request.subject),
        "focus": _ref("EpisodeOfCare", request.case_id),
        "for": _ref("Patient", child_id),
        "authoredOn": request.requested_on.isoformat(),
        "requester": {"display": request.requested_by},
    }
    if request.decided_by is not None and request.decided_on is not None:
        task["owner"] = {"display": request.decided_by}
        task["lastModified"] = request.decided_on.isoformat()
    if notes:
        task["note"] = notes
    return task


def task_approval(task: Resource) -> ApprovalRequest:
    """Return the approval request a ``Task`` written by :func:`approval_task` holds.

    :raises InvalidBundle: naming where, for a resource that is not such a ``Task``.
    """
    where = f"Task/{task.get('id')}"
    try:
        return _task_approval(task, where)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        raise _invalid(where, f"{type(error).__name__}: {error}") from None


def _task_approval(task: Resource, where: str) -> ApprovalRequest:
    if task.get("resourceType") != "Task" or task.get("status") not in _DECISION:
        raise _invalid(where, "expected a Task of an approval")
    requester = task.get("requester", {}).get("display")
    decider = task.get("owner", {}).get("display")
    note = comment = None
    for item in task.get("note", []):
        if item.get("authorString") == requester and note is None:
            note = item.get("text")
        elif item.get("authorString") == decider:
            comment = item.get("text")
    return ApprovalRequest(
        case_id=_id_of(task.get("focus"), "EpisodeOfCare", f"{where}.focus"),
        subject=_code(task.get("code"), APPROVAL_SUBJECT, f"{where}.code"),
        requested_by=requester,
        requested_on=_day(task.get("authoredOn"), f"{where}.authoredOn"),
        note=note,
        decision=_DECISION[task["status"]],
        decided_by=decider,
        decided_on=(
            _day(task["lastModified"], f"{where}.lastModified") if "lastModified" in task else None
        ),
        comment=comment,
        id=task["id"],
        version=int(task["meta"]["versionId"]),
    )
