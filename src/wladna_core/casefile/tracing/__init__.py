"""Family tracing and reunification of separated children.

* :class:`TracingAction` (kind ``tracing_action``): one step of the search for the family of a
  case's child, and its result;
* :class:`Reunification` (kind ``reunification``): the child's return to the family, whether it
  was verified beforehand, the follow-up visits after it and its outcome;
* their rules :data:`TRACING_RULES` (``tracing.*``, ``reunification.*``);
* their services :class:`~wladna_core.casefile.tracing.services.TracingServices` (in
  ``work.casefile``);
* their indicator ``reunifications`` (:mod:`wladna_core.casefile.tracing.indicators`).

See ``docs/casefile_outreach.md``.
"""

from __future__ import annotations

from wladna_core.casefile.tracing.records import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.casefile.tracing.rules import TRACING_RULES

__all__ = [
    "TRACING_RULES",
    "FollowUpVisit",
    "Reunification",
    "ReunificationOutcome",
    "TracingAction",
    "TracingMethod",
    "TracingResult",
    "VisitOutcome",
]
