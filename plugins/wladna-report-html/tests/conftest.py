"""A sample report, shared by the tests: four indicators, withheld cells, two languages' worth."""

from __future__ import annotations

from datetime import date

import pytest
from wladna_core.reporting import Period, Privacy, Report, ReportTable


def make_sample_report() -> Report:
    """Return a public report of the Rabat-Salé-Kénitra region with four indicators."""
    opened = ReportTable(
        indicator="cases_opened",
        title="Cases opened",
        dimensions=("province",),
        measures=("count",),
        body=(
            ("MA-SAL", 124),
            ("MA-RAB", 87),
            ("MA-KEN", 2310),
            ("MA-SKH", None),
            ("MA-KHE", None),
        ),
        totals=(None,),
        suppressed=frozenset({(3, 0), (4, 0), (-1, 0)}),
        definition="Cases whose opening date falls in the period.",
    )
    referrals = ReportTable(
        indicator="referrals",
        title="Referrals made, accepted, rejected and completed",
        dimensions=("service",),
        measures=("made", "accepted", "rejected", "completed", "acceptance_rate"),
        body=(
            ("medical", 40, 30, 10, 22, 0.75),
            ("education", 12, 5, 7, 3, 5 / 12),
            ("legal_aid", 8, 8, 0, 6, 1.0),
        ),
        totals=(60, 43, 17, 31, 43 / 60),
    )
    caseload = ReportTable(
        indicator="open_caseload",
        title="Open caseload",
        dimensions=("province", "sex"),
        measures=("count",),
        body=(
            ("MA-SAL", "female", 50),
            ("MA-SAL", "male", 45),
            ("MA-RAB", "female", 12),
            ("MA-RAB", "male", 20),
        ),
        totals=(127,),
    )
    response = ReportTable(
        indicator="referral_response_time",
        title="Median referral response time",
        dimensions=("risk",),
        measures=("median_days",),
        body=(("high", 2), ("medium", 6.5), ("low", 11)),
        unit="days",
    )
    return Report(
        title="Wladna — Rabat-Salé-Kénitra 2026",
        tables=(opened, referrals, caseload, response),
        period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        privacy=Privacy.PUBLIC,
        threshold=5,
        filters={"region": "MA-04"},
        generated_on=date(2027, 1, 15),
    )


@pytest.fixture
def sample_report() -> Report:
    """The sample report."""
    return make_sample_report()
