"""The indicator of the services log: services delivered within their timeframe.

This module is a built-in plug-in: its ``wladna_indicators`` offers
:data:`SERVICES_IN_TIME` (``services_delivered_in_time``), which :meth:`wladna_core.Wladna.
report` computes like any other — in one grouped SQL statement on a SQL store (the services
joined to their cases), in Python on the memory store, with the same rows.

It counts the services **due** in the report's period (their due date within it), cancelled
ones left out, by the case's region, province and body, the kind of service and the period of
the due date; of those, the ones delivered on or before their due date, and their share.  A
public report withholds small counts (and the share resting on them) as for every indicator
(:func:`~wladna_core.reporting.privacy.suppress`); under the cell-key method that reports for
aggregate-only actors use, each count is rounded by the keys of the services it counts (it is
declared with :class:`~wladna_core.training.indicators.Measured`, as the other indicators of
the case file are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from wladna_core.casefile.delivery.kinds import SERVICE_DELIVERY
from wladna_core.casefile.delivery.model import ServiceDelivery, ServiceStatus, delivered_in_time
from wladna_core.hookspecs import hookimpl
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, period_key
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.storage.sql.reporting import period_bucket
from wladna_core.training.indicators import How, Measure, Measured

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from wladna_core.reporting.engine import Records, Window
    from wladna_core.reporting.indicators import Indicator
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = ["SERVICES_IN_TIME", "wladna_indicators"]

_DIMENSIONS: Final = (*PERIOD_DIMENSIONS, "region", "province", "body", "service")


def _facts(records: Records, window: Window) -> Iterator[dict[str, Any]]:
    unit_of_work = records.unit_of_work
    if ServiceDelivery not in unit_of_work.store.kinds:
        return
    cases = {facts["id"]: facts for facts in records.case_facts()}
    for service in unit_of_work.repository(ServiceDelivery).iter():
        case = cases.get(service.case_id)
        if case is None or service.status is ServiceStatus.CANCELLED:
            continue
        if not window.holds(service.due_on):
            continue
        yield {
            "id": service.id,
            **{dimension: period_key(dimension, service.due_on) for dimension in PERIOD_DIMENSIONS},
            "region": case["region"],
            "province": case["province"],
            "body": case["body"],
            "service": service.service.value,
            "in_time": delivered_in_time(service),
        }


def _source(
    report: SqlReport, window: Window
) -> tuple[sa.FromClause, dict[str, sa.ColumnElement[Any]], list[Any]]:
    table, cases = tables_of(SERVICE_DELIVERY).table, tables.cases
    joined = table.join(cases, cases.c.id == table.c.case_id)
    columns: dict[str, sa.ColumnElement[Any]] = {
        "id": table.c.id,
        **{
            dimension: period_bucket(dimension, table.c.due_on, report.dialect)
            for dimension in PERIOD_DIMENSIONS
        },
        "region": cases.c.region,
        "province": cases.c.province,
        "body": cases.c.body_id,
        "service": table.c.service,
        "in_time": sa.and_(
            table.c.delivered_on.is_not(None), table.c.delivered_on <= table.c.due_on
        ),
    }
    conditions = [
        table.c.status != ServiceStatus.CANCELLED.value,
        window.holds_sql(table.c.due_on),
    ]
    return joined, columns, conditions


#: Services delivered within their timeframe.
SERVICES_IN_TIME: Final = Measured(
    _facts,
    _source,
    _DIMENSIONS,
    (
        Measure("due", How.COUNT),
        Measure("delivered_in_time", How.COUNT_TRUE, "in_time"),
        Measure("share_in_time", How.SHARE, "delivered_in_time", "due"),
    ),
).declare(
    name="services_delivered_in_time",
    title="Services delivered within their timeframe",
    definition=(
        "The services of the services log due in the period (their due date within it; "
        "cancelled ones left out), and how many of them were delivered on or before their due "
        "date, with their share. The due date is the one recorded, by default the response "
        "timeframe of the deployment's deadlines. Region, province and body are the case's."
    ),
    unit="share",
    counts="services",
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicator of the services log."""
    return (SERVICES_IN_TIME,)
