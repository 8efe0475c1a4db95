"""The kind of record of the services log, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`SERVICE_DELIVERY` (kind ``service_delivery``) and its
``wladna_rules`` hands the store :data:`~wladna_core.casefile.delivery.rules.SERVICE_RULES`.
SQL stores get the table through :mod:`wladna_core.casefile.delivery.migrations`.

Searches::

    kind = store.kinds[ServiceDelivery]
    uow.repository(ServiceDelivery).find(kind.query(case_id=case.id))
    uow.repository(ServiceDelivery).find(kind.query(status={"planned"}, due_to=day))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.delivery.model import ServiceDelivery
from wladna_core.casefile.delivery.rules import SERVICE_RULES
from wladna_core.casefile.kinds import case_kind, id_field
from wladna_core.hookspecs import hookimpl
from wladna_core.model import Referral, TerritorialBody
from wladna_core.storage.kinds import Field, FieldType, Filter, Index, Match, RecordKind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule

__all__ = ["MIGRATIONS", "SERVICE_DELIVERY", "wladna_record_kinds", "wladna_rules"]

#: The package of the Alembic scripts creating the tables of the services log and approvals.
MIGRATIONS: Final = "wladna_core.casefile.delivery.migrations"


def _references(service: ServiceDelivery) -> list[tuple[type, str | None]]:
    return [(TerritorialBody, service.provider_body_id), (Referral, service.referral_id)]


#: The services delivered to a case.
SERVICE_DELIVERY: Final[RecordKind[Any]] = case_kind(
    name="service_delivery",
    record_type=ServiceDelivery,
    table="casefile_services",
    migrations=MIGRATIONS,
    description="A service arranged for a case, by a body or a programme, and what became of it.",
    fields=(
        Field("service", FieldType.CODE, lambda s: s.service, nullable=False),
        id_field("provider_body_id", lambda s: s.provider_body_id, nullable=True),
        Field("programme", FieldType.CODE, lambda s: s.programme),
        id_field("referral_id", lambda s: s.referral_id, nullable=True),
        Field("status", FieldType.CODE, lambda s: s.status, nullable=False),
        Field("planned_on", FieldType.DATE, lambda s: s.planned_on, nullable=False),
        Field("due_on", FieldType.DATE, lambda s: s.due_on, nullable=False),
        Field("delivered_on", FieldType.DATE, lambda s: s.delivered_on),
    ),
    filters={
        "service": Filter("service", Match.ONE_OF),
        "provider_body_id": Filter("provider_body_id", Match.EQUAL),
        "programme": Filter("programme", Match.EQUAL),
        "referral_id": Filter("referral_id", Match.EQUAL),
        "status": Filter("status", Match.ONE_OF),
        "planned_from": Filter("planned_on", Match.FROM),
        "planned_to": Filter("planned_on", Match.TO),
        "due_from": Filter("due_on", Match.FROM),
        "due_to": Filter("due_on", Match.TO),
        "delivered_from": Filter("delivered_on", Match.FROM),
        "delivered_to": Filter("delivered_on", Match.TO),
    },
    # The overdue list: planned services by due date.
    indexes=(Index(("status", "due_on"), name="ix_casefile_services_due"),),
    references=_references,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of the services log."""
    return (SERVICE_DELIVERY,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of the services log."""
    return SERVICE_RULES
