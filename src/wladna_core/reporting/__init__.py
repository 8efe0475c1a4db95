"""Reporting: indicators computed in the store, tables with totals, privacy protection.

The report's shape is in :mod:`wladna_core.reporting.report`.
"""

from __future__ import annotations

from wladna_core.reporting.report import (
    SUPPRESSED,
    TOTAL_LABEL,
    Period,
    Privacy,
    Report,
    ReportTable,
)

__all__ = ["SUPPRESSED", "TOTAL_LABEL", "Period", "Privacy", "Report", "ReportTable"]
