"""Reporting: indicators computed in the store, tables with totals, privacy protection.

:func:`build_report` computes indicators (:class:`Indicator`, offered by plug-ins through the
``wladna_indicators`` hook; the built-in ones are in :mod:`wladna_core.reporting.builtin`) on a
store, broken down by dimensions and filtered (:class:`ReportFilter`), into a :class:`Report`.
The report's shape is in :mod:`wladna_core.reporting.report`; how indicators are computed, in
Python and in SQL alike, in :mod:`wladna_core.reporting.engine`.
"""

from __future__ import annotations

from wladna_core.reporting.build import available_indicators, build_report
from wladna_core.reporting.indicators import (
    DIMENSIONS,
    DimensionNotAllowed,
    Indicator,
    IndicatorQuery,
    ReportError,
    ReportFilter,
    UnknownIndicator,
)
from wladna_core.reporting.report import (
    SUPPRESSED,
    TOTAL_LABEL,
    Period,
    Privacy,
    Report,
    ReportTable,
)

__all__ = [
    "DIMENSIONS",
    "SUPPRESSED",
    "TOTAL_LABEL",
    "DimensionNotAllowed",
    "Indicator",
    "IndicatorQuery",
    "Period",
    "Privacy",
    "Report",
    "ReportError",
    "ReportFilter",
    "ReportTable",
    "UnknownIndicator",
    "available_indicators",
    "build_report",
]
