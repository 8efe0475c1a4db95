"""Incidents of violence, abuse, exploitation and neglect, linked to children's cases.

* the record: :class:`Incident` (:mod:`~wladna_core.casefile.incidents.model`), with its
  :class:`Disclosure`, its :class:`IncidentType`, the :class:`Perpetrator`'s relationship to
  the child and the :class:`IncidentAction` taken;
* its kind of record :data:`~wladna_core.casefile.incidents.kinds.INCIDENT` and its rules
  :data:`INCIDENT_RULES` (``incident.*``);
* its services :class:`~wladna_core.casefile.incidents.services.IncidentServices`, reached as
  ``work.casefile.record_incident(...)`` and ``work.casefile.incidents(case_id)``: for those
  who work the case alone;
* its Hypothesis strategies (:mod:`~wladna_core.casefile.incidents.strategies`).

See ``docs/casefile_incidents.md``.
"""

from __future__ import annotations

from wladna_core.casefile.incidents.model import (
    MAX_LINKED_CASES,
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.casefile.incidents.rules import INCIDENT_RULES, MUST_BE_REPORTED

__all__ = [
    "INCIDENT_RULES",
    "MAX_LINKED_CASES",
    "MUST_BE_REPORTED",
    "DisclosedBy",
    "Disclosure",
    "Incident",
    "IncidentAction",
    "IncidentType",
    "Perpetrator",
]
