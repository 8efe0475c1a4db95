"""The indicator of care arrangements: children by where they live (``children_in_care``).

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_indicators`` offers :data:`CARE_INDICATORS`, which :meth:`wladna_core.Wladna.report`
computes like any other — in one grouped SQL statement on a SQL store (the care arrangements
joined to their cases), in Python on the memory store, with the same rows — and protects like
any other: its counts are suppressed in small cells in a report leaving a body
(:mod:`wladna_core.reporting.privacy`).  It is declared with the training programme's
:class:`~wladna_core.training.indicators.Measured`, which does both computations from one
declaration.

A child counts on the report's date (the end of its period) in the arrangement open that day:
started on or before it, and not ended on or before it (the day a child moves counts in the
next arrangement).  Region, province and body are those of the child's case, so that the
casework's reports (:meth:`~wladna_core.services.CaseWork.report`) count for each person the
cases of the bodies they may count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from wladna_core.casefile.care.kinds import CARE_ARRANGEMENT
from wladna_core.casefile.care.model import CareArrangement
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.training.indicators import How, Measure, Measured

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from wladna_core.reporting.engine import Records, Window
    from wladna_core.reporting.indicators import Indicator
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = ["CARE_INDICATORS", "wladna_indicators"]


def _facts(records: Records, window: Window) -> Iterator[dict[str, Any]]:
    places = {case.id: (case.territory, case.body_id) for case in records.unit_of_work.cases.iter()}
    gazetteer = records.gazetteer
    for arrangement in records.unit_of_work.repository(CareArrangement).iter():
        if arrangement.started_on > window.end:
            continue
        if arrangement.ended_on is not None and arrangement.ended_on <= window.end:
            continue
        territory, body = places.get(arrangement.case_id, (None, None))
        province = region = None
        if territory is not None and territory in gazetteer:
            found_province = gazetteer.province_of(territory)
            found_region = gazetteer.region_of(territory)
            province = None if found_province is None else found_province.code
            region = None if found_region is None else found_region.code
        yield {
            "case": arrangement.case_id,
            "care_type": arrangement.type.value,
            "province": province,
            "region": region,
            "body": body,
        }


def _source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, dict[str, Any], list[Any]]:
    care, case = tables_of(CARE_ARRANGEMENT).table, tables.cases
    joined = care.outerjoin(case, case.c.id == care.c.case_id)
    columns = {
        "case": care.c.case_id,
        "care_type": care.c.type,
        "province": case.c.province,
        "region": case.c.region,
        "body": case.c.body_id,
    }
    conditions = [
        care.c.started_on <= window.end,
        sa.or_(care.c.ended_on.is_(None), care.c.ended_on > window.end),
    ]
    return joined, columns, conditions


#: The indicators of care arrangements; ``docs/casefile_incidents.md`` is their reference.
CARE_INDICATORS: Final[tuple[Indicator, ...]] = (
    Measured(
        _facts,
        _source,
        ("care_type", "region", "province", "body"),
        (Measure("children", How.COUNT),),
        # Keyed by the case, as the cases' own indicators are: the same children, the same keys.
        key="case",
    ).declare(
        name="children_in_care",
        title="Children by care arrangement",
        definition=(
            "Children of the cases, by the care arrangement they live in on the report's date "
            "(parents, kinship care, kafala, foster family, residential care, independent "
            "living, street situation) and by the region, province and responsible body of "
            "their case."
        ),
        unit="count",
        counts="cases",
    ),
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicator of care arrangements."""
    return CARE_INDICATORS
