"""Services delivered as Procedures and approvals as Tasks, written and read back alike."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wladna_core.casefile.approvals import ApprovalRequest
from wladna_core.casefile.approvals.strategies import approval_requests
from wladna_core.casefile.delivery import ServiceDelivery
from wladna_core.casefile.delivery.strategies import service_deliveries
from wladna_core.model import (
    Case,
    Identification,
    IdentificationSource,
    Referral,
    ReferralTarget,
    ServiceType,
)

from wladna_fhir.casefile_services import (
    approval_task,
    procedure_service,
    service_procedure,
    task_approval,
)
from wladna_fhir.errors import InvalidBundle

ON = date(2026, 3, 2)
CHILD = "01a24d93-0000-7000-8000-0000000000c1"
CASE = Case(
    child_id=CHILD,
    body_id="01a24d93-0000-7000-8000-0000000000b1",
    territory="MA-SAL",
    opened_on=date(2026, 1, 5),
    identification=Identification(IdentificationSource.SCHOOL, date(2026, 1, 5)),
)
REFERRAL = Referral(
    case_id=CASE.id,
    from_body=CASE.body_id,
    target=ReferralTarget.to_body("01a24d93-0000-7000-8000-0000000000b2"),
    service=ServiceType.PSYCHOSOCIAL,
    made_on=date(2026, 1, 10),
)
try:  # an independent FHIR implementation, in the plug-in's test dependencies
    from fhir.resources.R4B import get_fhir_model_class
except ImportError:  # pragma: no cover - without it, the check against it is skipped
    MODELS: dict[str, Any] = {}
else:
    MODELS = {name: get_fhir_model_class(name) for name in ("Procedure", "Task")}
SERVICES = st.one_of(
    service_deliveries(CASE, on=ON),
    service_deliveries(CASE, on=ON, referral=REFERRAL),
)


@given(SERVICES)
def test_a_service_is_a_procedure_read_back_equal(service: ServiceDelivery) -> None:
    procedure = service_procedure(service, child_id=CHILD)
    assert procedure["resourceType"] == "Procedure"
    assert procedure["subject"] == {"reference": f"Patient/{CHILD}"}
    expected = {"planned": "preparation", "delivered": "completed"}.get(
        service.status.value, "not-done"
    )
    assert procedure["status"] == expected
    assert ("performedDateTime" in procedure) is (service.delivered_on is not None)
    assert procedure_service(procedure) == service


@given(approval_requests(CASE, on=ON))
def test_an_approval_is_a_task_read_back_equal(request: ApprovalRequest) -> None:
    task = approval_task(request, child_id=CHILD)
    assert (task["resourceType"], task["intent"]) == ("Task", "order")
    assert task["status"] == {"pending": "requested", "approved": "completed"}.get(
        request.decision.value, "rejected"
    )
    assert task["focus"] == {"reference": f"EpisodeOfCare/{CASE.id}"}
    assert task_approval(task) == request


@pytest.mark.skipif(not MODELS, reason="fhir.resources is not installed")
@settings(deadline=None)
@given(SERVICES, approval_requests(CASE, on=ON))
def test_the_resources_pass_an_independent_fhir_implementation(
    service: ServiceDelivery, request: ApprovalRequest
) -> None:
    for resource in (
        service_procedure(service, child_id=CHILD),
        approval_task(request, child_id=CHILD),
    ):
        MODELS[resource["resourceType"]].model_validate(resource)


def test_a_resource_of_another_shape_is_refused_naming_it() -> None:
    with pytest.raises(InvalidBundle) as procedure:
        procedure_service({"resourceType": "Procedure", "id": "p1"})
    assert procedure.value.violations[0].record == "Procedure/p1"
    with pytest.raises(InvalidBundle) as task:
        task_approval({"resourceType": "Task", "id": "t1", "status": "draft"})
    assert task.value.violations[0].code == "fhir.invalid"


@given(SERVICES, st.sampled_from(["urgency", "performer", "code", "meta", "recorder"]))
def test_a_procedure_with_a_part_broken_is_refused_never_a_traceback(
    service: ServiceDelivery, broken: str
) -> None:
    procedure = service_procedure(service, child_id=CHILD)
    if broken == "urgency":
        procedure["extension"][-1]["valueCode"] = "asap"
    else:
        procedure[broken] = [None]
    with pytest.raises(InvalidBundle):
        procedure_service(procedure)
