"""The indicator of outreach contacts, through the same machinery as the casework's.

This module is a built-in plug-in: its ``wladna_indicators`` offers :data:`OUTREACH_INDICATORS`,
which :meth:`wladna_core.Wladna.report` computes like any other — one grouped ``SELECT`` over
the table of outreach contacts on a SQL store, in Python on the memory store, with the same rows
(it is declared with :class:`~wladna_core.training.indicators.Measured`, as the training
programme's indicators are).

``outreach_contacts`` counts the contacts of the period, those where the child agreed to what
was offered, and those a case was opened from, by month, quarter or year of the contact, by the
region and province where the child was met, and by the body whose team went.  Its measures are
counts: a report leaving the body withholds small cells and what would give them back
(:func:`~wladna_core.reporting.privacy.suppress`), as for every count.  It is not a declared
indicator of the casework engine (:meth:`~wladna_core.reporting.Indicator.declare`), so a
report under the cell-key method refuses it, as it refuses the training indicators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.outreach.contacts import OutreachContact
from wladna_core.casefile.outreach.kinds import OUTREACH
from wladna_core.hookspecs import hookimpl
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, period_key
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.storage.sql.reporting import period_bucket
from wladna_core.training.indicators import How, Measure, Measured

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import sqlalchemy as sa

    from wladna_core.reporting.engine import Records, Window
    from wladna_core.reporting.indicators import Indicator
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = ["OUTREACH_INDICATORS", "wladna_indicators"]


def _facts(records: Records, window: Window) -> Iterator[dict[str, Any]]:
    gazetteer = records.gazetteer
    for contact in records.unit_of_work.repository(OutreachContact).iter():
        if not window.holds(contact.on):
            continue
        known = contact.territory in gazetteer
        province = gazetteer.province_of(contact.territory) if known else None
        region = gazetteer.region_of(contact.territory) if known else None
        yield {
            "id": contact.id,
            **{dimension: period_key(dimension, contact.on) for dimension in PERIOD_DIMENSIONS},
            "region": None if region is None else region.code,
            "province": None if province is None else province.code,
            "body": contact.body_id,
            "agreed": contact.agreed,
            "case_opened": contact.case_id is not None,
        }


def _source(
    report: SqlReport, window: Window
) -> tuple[sa.FromClause, dict[str, sa.ColumnElement[Any]], list[Any]]:
    table = tables_of(OUTREACH).table
    columns: dict[str, sa.ColumnElement[Any]] = {
        "id": table.c.id,
        **{
            dimension: period_bucket(dimension, table.c.met_on, report.dialect)
            for dimension in PERIOD_DIMENSIONS
        },
        "region": table.c.region,
        "province": table.c.province,
        "body": table.c.body_id,
        "agreed": table.c.agreed,
        "case_opened": table.c.case_id.is_not(None),
    }
    return table, columns, [window.holds_sql(table.c.met_on)]


#: The indicators of outreach; ``docs/casefile_outreach.md`` is their reference.
OUTREACH_INDICATORS: Final[tuple[Indicator, ...]] = (
    Measured(
        _facts,
        _source,
        (*PERIOD_DIMENSIONS, "region", "province", "body"),
        (
            Measure("contacts", How.COUNT),
            Measure("agreed", How.COUNT_TRUE, "agreed"),
            Measure("cases_opened", How.COUNT_TRUE, "case_opened"),
        ),
    ).declare(
        name="outreach_contacts",
        title="Outreach contacts",
        definition=(
            "Contacts of outreach teams with children in street situations in the period, those "
            "where the child agreed to what was offered, and those a case was opened from, by "
            "the date of the contact, the territory where the child was met and the body whose "
            "team went."
        ),
        unit="count",
        counts="contacts",
    ),
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicators of outreach."""
    return OUTREACH_INDICATORS
