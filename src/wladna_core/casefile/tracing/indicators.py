"""The indicator of reunifications, through the same machinery as the casework's.

This module is a built-in plug-in: its ``wladna_indicators`` offers
:data:`TRACING_INDICATORS`, computed in one grouped ``SELECT`` on a SQL store (the table of
reunifications joined to their cases) and in Python on the memory store, with the same rows
(declared with :class:`~wladna_core.training.indicators.Measured`, as the outreach and training
indicators are).

``reunifications`` counts the reunifications of the period, those verified beforehand, those
followed up by at least one visit, those sustained after a follow-up visit and those that broke
down, by month, quarter or year of the reunification, by the region and province the child
returned to, and by the body responsible for the case.  Its measures are counts: a report
leaving the body withholds small cells and what would give them back.  Under the cell-key
method a report refuses it, as it refuses every indicator not declared with
:meth:`~wladna_core.reporting.Indicator.declare`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.tracing.kinds import REUNIFICATION
from wladna_core.casefile.tracing.records import Reunification, ReunificationOutcome
from wladna_core.hookspecs import hookimpl
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, period_key
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.storage.sql.reporting import period_bucket
from wladna_core.training.indicators import How, Measure, Measured

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import sqlalchemy as sa

    from wladna_core.reporting.engine import Records, Window
    from wladna_core.reporting.indicators import Indicator
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = ["TRACING_INDICATORS", "wladna_indicators"]

_SUSTAINED: Final = ReunificationOutcome.SUSTAINED
_BREAKDOWN: Final = ReunificationOutcome.BREAKDOWN


def _facts(records: Records, window: Window) -> Iterator[dict[str, Any]]:
    gazetteer = records.gazetteer
    bodies = {case.id: case.body_id for case in records.cases()}
    for item in records.unit_of_work.repository(Reunification).iter():
        if not window.holds(item.on):
            continue
        known = item.where in gazetteer
        province = gazetteer.province_of(item.where) if known else None
        region = gazetteer.region_of(item.where) if known else None
        followed_up = bool(item.follow_ups)
        yield {
            "id": item.id,
            **{dimension: period_key(dimension, item.on) for dimension in PERIOD_DIMENSIONS},
            "region": None if region is None else region.code,
            "province": None if province is None else province.code,
            "body": bodies.get(item.case_id),
            "verified": item.verified,
            "followed_up": followed_up,
            "sustained": followed_up and item.outcome is _SUSTAINED,
            "breakdown": item.outcome is _BREAKDOWN,
        }


def _source(
    report: SqlReport, window: Window
) -> tuple[sa.FromClause, dict[str, sa.ColumnElement[Any]], list[Any]]:
    table, cases = tables_of(REUNIFICATION).table, tables.cases
    joined = table.outerjoin(cases, cases.c.id == table.c.case_id)
    followed_up = table.c.follow_ups > 0
    columns: dict[str, sa.ColumnElement[Any]] = {
        "id": table.c.id,
        **{
            dimension: period_bucket(dimension, table.c.reunified_on, report.dialect)
            for dimension in PERIOD_DIMENSIONS
        },
        "region": table.c.region,
        "province": table.c.province,
        "body": cases.c.body_id,
        "verified": table.c.verified,
        "followed_up": followed_up,
        "sustained": followed_up & (table.c.outcome == _SUSTAINED.value),
        "breakdown": table.c.outcome == _BREAKDOWN.value,
    }
    return joined, columns, [window.holds_sql(table.c.reunified_on)]


#: The indicators of tracing and reunification; ``docs/casefile_outreach.md`` is their reference.
TRACING_INDICATORS: Final[tuple[Indicator, ...]] = (
    Measured(
        _facts,
        _source,
        (*PERIOD_DIMENSIONS, "region", "province", "body"),
        (
            Measure("reunifications", How.COUNT),
            Measure("verified", How.COUNT_TRUE, "verified"),
            Measure("followed_up", How.COUNT_TRUE, "followed_up"),
            Measure("sustained", How.COUNT_TRUE, "sustained"),
            Measure("breakdown", How.COUNT_TRUE, "breakdown"),
        ),
    ).declare(
        name="reunifications",
        title="Reunifications",
        definition=(
            "Reunifications of separated children with their families in the period, those "
            "verified beforehand, those followed up by at least one visit, those sustained after "
            "a follow-up visit and those that broke down, by the date of the reunification, the "
            "territory the child returned to and the body responsible for the case."
        ),
        unit="count",
        counts="reunifications",
    ),
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicators of tracing and reunification."""
    return TRACING_INDICATORS
