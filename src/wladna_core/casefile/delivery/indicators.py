"""The indicator of the services log: services delivered within their timeframe.

This module is a built-in plug-in: its ``wladna_indicators`` offers
:data:`SERVICES_IN_TIME` (``services_delivered_in_time``), which :meth:`wladna_core.Wladna.
report` computes like any other, in Python on every store (it has no SQL form yet).

It counts the services **due** in the report's period (their due date within it), cancelled
ones left out, by the case's region, province and body, the kind of service and the period of
the due date; of those, the ones delivered on or before their due date, and their share.  A
public report withholds small counts (and the share resting on them) as for every indicator
(:func:`~wladna_core.reporting.privacy.suppress`); under the cell-key method that reports for
aggregate-only actors use, it is refused (:class:`~wladna_core.reporting.privacy.
PrivacyError`), as an indicator not declared with :meth:`~wladna_core.reporting.Indicator.
declare` is: its counts cannot be keyed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Final

from wladna_core.casefile.delivery.model import ServiceDelivery, ServiceStatus, delivered_in_time
from wladna_core.hookspecs import hookimpl
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, period_key
from wladna_core.reporting.indicators import Indicator

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.reporting.engine import Records, Row
    from wladna_core.reporting.indicators import IndicatorQuery

__all__ = ["SERVICES_IN_TIME", "wladna_indicators"]

_DIMENSIONS: Final = (*PERIOD_DIMENSIONS, "region", "province", "body", "service")


def _services_in_time(records: Records, query: IndicatorQuery) -> list[Row]:
    window = query.window
    unit_of_work = records.unit_of_work
    groups: dict[tuple[object, ...], list[int]] = defaultdict(lambda: [0, 0])
    if not query.by:
        groups[()] = [0, 0]
    if ServiceDelivery not in unit_of_work.store.kinds:
        return [(*key, 0, 0, None) for key in groups]
    cases = {facts["id"]: facts for facts in records.case_facts()}
    for service in unit_of_work.repository(ServiceDelivery).iter():
        case = cases.get(service.case_id)
        if case is None or service.status is ServiceStatus.CANCELLED:
            continue
        if not window.holds(service.due_on):
            continue
        facts = {
            "region": case["region"],
            "province": case["province"],
            "body": case["body"],
            "service": service.service.value,
        }
        if any(facts.get(name) not in values for name, values in query.where.items()):
            continue
        key = tuple(
            period_key(name, service.due_on) if name in PERIOD_DIMENSIONS else facts.get(name)
            for name in query.by
        )
        counts = groups[key]
        counts[0] += 1
        counts[1] += delivered_in_time(service)
    rows: list[Row] = []
    for key in sorted(groups, key=lambda key: tuple((v is not None, str(v)) for v in key)):
        due, in_time = groups[key]
        rows.append((*key, due, in_time, in_time / due if due else None))
    return rows


#: Services delivered within their timeframe.
SERVICES_IN_TIME: Final = Indicator(
    name="services_delivered_in_time",
    title="Services delivered within their timeframe",
    definition=(
        "The services of the services log due in the period (their due date within it; "
        "cancelled ones left out), and how many of them were delivered on or before their due "
        "date, with their share. The due date is the one recorded, by default the response "
        "timeframe of the deployment's deadlines. Region, province and body are the case's."
    ),
    unit="share",
    measures=("due", "delivered_in_time", "share_in_time"),
    dimensions=_DIMENSIONS,
    counts="services",
    compute=_services_in_time,
    counts_behind={"share_in_time": ("due", "delivered_in_time")},
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicator of the services log."""
    return (SERVICES_IN_TIME,)
