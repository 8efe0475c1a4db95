"""The services log and the approvals, kept, searched and validated by every store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings

from casework import STORES, store_url
from wladna_core.casefile.approvals import ApprovalDecision, ApprovalRequest
from wladna_core.casefile.approvals.kinds import APPROVAL
from wladna_core.casefile.approvals.strategies import approval_requests
from wladna_core.casefile.delivery import ServiceDelivery, ServiceStatus
from wladna_core.casefile.delivery.kinds import SERVICE_DELIVERY
from wladna_core.casefile.delivery.strategies import service_deliveries
from wladna_core.convert import structure, unstructure
from wladna_core.errors import InvalidRecord
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Identification,
    IdentificationSource,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
)
from wladna_core.plugins import kinds_from, make_plugin_manager
from wladna_core.storage import open_store
from wladna_core.storage.sql.migrate import current_revisions

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.storage import Store

DAY = date(2026, 3, 2)
OPENED = date(2026, 1, 5)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(
            url,
            settings={"allow_reset": True, "approvals": {"subjects": ["placement"]}},
            clock=lambda: DAY,
        ) as opened,
    ):
        yield opened


def _case(store: Store) -> tuple[Case, TerritorialBody]:
    with store.unit_of_work() as uow:
        body = uow.bodies.add(TerritorialBody(kind=BodyKind.UPE, name="UPE", territory="MA-SAL"))
        child = uow.children.add(
            Child(
                sex=Sex.FEMALE, birth_date=date(2015, 6, 1), given_name="Salma", residence="MA-SAL"
            )
        )
        case = uow.cases.add(
            Case(
                child_id=child.id,
                body_id=body.id,
                territory="MA-SAL",
                opened_on=OPENED,
                identification=Identification(IdentificationSource.SCHOOL, OPENED),
            )
        )
    return case, body


def _service(case: Case, body: TerritorialBody, **changes: object) -> ServiceDelivery:
    fields: dict[str, object] = {
        "case_id": case.id,
        "service": ServiceType.PSYCHOSOCIAL,
        "planned_on": date(2026, 2, 1),
        "due_on": date(2026, 2, 6),
        "recorded_by": "worker",
        "provider_body_id": body.id,
    }
    fields.update(changes)
    return ServiceDelivery(**fields)  # type: ignore[arg-type]


def test_both_kinds_are_declared_by_builtin_plugins() -> None:
    kinds = kinds_from(make_plugin_manager(load_entrypoints=False))
    assert kinds.named("service_delivery") is SERVICE_DELIVERY
    assert kinds.named("approval") is APPROVAL
    assert kinds[ServiceDelivery] is SERVICE_DELIVERY
    assert kinds[ApprovalRequest] is APPROVAL


def test_services_are_kept_and_searched_on_declared_fields(store: Store) -> None:
    case, body = _case(store)
    with store.unit_of_work() as uow:
        repo = uow.repository(ServiceDelivery)
        planned = repo.add(_service(case, body))
        delivered = repo.add(
            _service(
                case,
                body,
                status=ServiceStatus.DELIVERED,
                delivered_on=date(2026, 2, 3),
                service=ServiceType.MEDICAL,
            )
        )
        by_programme = repo.add(
            _service(case, body, provider_body_id=None, programme=SocialProgramme.ASD)
        )
    with store.unit_of_work(read_only=True) as uow:
        repo = uow.repository(ServiceDelivery)
        assert repo.get(planned.id) == planned
        assert planned.version == 1
        ids = lambda query: {s.id for s in repo.find(query)}  # noqa: E731
        assert ids(SERVICE_DELIVERY.query(case_id=case.id)) == {
            planned.id,
            delivered.id,
            by_programme.id,
        }
        assert ids(SERVICE_DELIVERY.query(status={"planned"}, due_to=date(2026, 2, 6))) == {
            planned.id,
            by_programme.id,
        }
        assert ids(SERVICE_DELIVERY.query(status={"planned"}, due_to=date(2026, 2, 5))) == set()
        assert ids(SERVICE_DELIVERY.query(programme=SocialProgramme.ASD)) == {by_programme.id}
        assert ids(SERVICE_DELIVERY.query(provider_body_id=body.id)) == {planned.id, delivered.id}
        assert ids(SERVICE_DELIVERY.query(service={ServiceType.MEDICAL})) == {delivered.id}
        assert ids(SERVICE_DELIVERY.query(delivered_from=date(2026, 2, 3))) == {delivered.id}


def test_the_service_rules_run_on_the_way_in_and_refuse_the_whole_batch(store: Store) -> None:
    case, body = _case(store)
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(ServiceDelivery).add_many(
            [
                _service(case, body),
                _service(case, body, referral_id="01a24d93-0000-7000-8000-000000000001"),
                _service(case, body, planned_on=OPENED - timedelta(days=1)),
            ]
        )
    codes = {violation.code for violation in refused.value.violations}
    assert codes == {"service.referral_not_of_case", "service.before_case_opened"}
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(ServiceDelivery).count() == 0


def test_approvals_are_kept_searched_and_validated_with_the_deployments_subjects(
    store: Store,
) -> None:
    case, _ = _case(store)
    asked = ApprovalRequest(
        case_id=case.id, subject="placement", requested_by="worker", requested_on=DAY
    )
    with store.unit_of_work() as uow:
        repo = uow.repository(ApprovalRequest)
        repo.add(asked)
        decided = repo.add(
            ApprovalRequest(
                case_id=case.id,
                subject="assessment",
                requested_by="worker",
                requested_on=DAY,
            ).decided("supervisor", DAY, approved=True)
        )
    with store.unit_of_work(read_only=True) as uow:
        repo = uow.repository(ApprovalRequest)
        pending = repo.find(APPROVAL.query(decision={ApprovalDecision.PENDING}))
        assert [request.id for request in pending] == [asked.id]
        assert [r.id for r in repo.find(APPROVAL.query(subject={"assessment"}))] == [decided.id]
    # A second pending request of the subject, in the same batch or after: refused.
    with pytest.raises(InvalidRecord) as twice, store.unit_of_work() as uow:
        uow.repository(ApprovalRequest).add(
            ApprovalRequest(
                case_id=case.id, subject="placement", requested_by="w", requested_on=DAY
            )
        )
    assert {v.code for v in twice.value.violations} == {"approval.pending_twice"}
    with pytest.raises(InvalidRecord) as unknown, store.unit_of_work() as uow:
        uow.repository(ApprovalRequest).add_many(
            [
                ApprovalRequest(
                    case_id=case.id, subject="transfer", requested_by="w", requested_on=DAY
                ),
                ApprovalRequest(
                    case_id=case.id, subject="case_plan", requested_by="w", requested_on=DAY
                ),
                ApprovalRequest(
                    case_id=case.id, subject="case_plan", requested_by="w", requested_on=DAY
                ),
            ]
        )
    assert {v.code for v in unknown.value.violations} == {
        "approval.subject_unknown",
        "approval.pending_twice",
    }
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(ApprovalRequest).count() == 2


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=approval_requests(
        Case(  # a case the strategies date against; ids replaced below
            child_id="01a24d93-0000-7000-8000-000000000002",
            body_id="01a24d93-0000-7000-8000-000000000003",
            territory="MA-SAL",
            opened_on=OPENED,
            identification=Identification(IdentificationSource.SCHOOL, OPENED),
        ),
        on=DAY,
    )
)
def test_drawn_approvals_round_trip_through_the_converter(data: ApprovalRequest) -> None:
    assert structure(unstructure(data), ApprovalRequest) == data


@settings(max_examples=10)
@given(
    data=service_deliveries(
        Case(
            child_id="01a24d93-0000-7000-8000-000000000002",
            body_id="01a24d93-0000-7000-8000-000000000003",
            territory="MA-SAL",
            opened_on=OPENED,
            identification=Identification(IdentificationSource.SCHOOL, OPENED),
        ),
        on=DAY,
    )
)
def test_drawn_services_round_trip_through_the_converter(data: ServiceDelivery) -> None:
    assert structure(unstructure(data), ServiceDelivery) == data


def test_sql_databases_get_the_casefile_services_branch_with_the_cores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    assert "casefile_services_0001" in set(current_revisions(url))
