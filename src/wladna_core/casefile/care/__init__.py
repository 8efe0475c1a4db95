"""Care arrangements: the history of where and with whom the child of a case lives.

* the record: :class:`CareArrangement` (:mod:`~wladna_core.casefile.care.model`), of a
  :class:`CareType`, with its :class:`KafalaDecision` for a kafala and its establishment for
  residential care;
* its kind of record :data:`~wladna_core.casefile.care.kinds.CARE_ARRANGEMENT` and its rules
  :data:`CARE_RULES` (``care.*``), run with a :class:`CareContext` (the case's other
  arrangements, the deployment's :class:`CareSettings`);
* its services :class:`~wladna_core.casefile.care.services.CareServices` (``record_care``,
  ``end_care``, ``care_history``, ``current_care`` of ``work.casefile``);
* its indicator ``children_in_care`` (:mod:`~wladna_core.casefile.care.indicators`) and its
  Hypothesis strategies (:mod:`~wladna_core.casefile.care.strategies`).

See ``docs/casefile_incidents.md``.
"""

from __future__ import annotations

from wladna_core.casefile.care.context import CareContext, CareStoreContext
from wladna_core.casefile.care.model import (
    CareArrangement,
    CareChangeReason,
    CareType,
    KafalaDecision,
)
from wladna_core.casefile.care.rules import CARE_RULES
from wladna_core.casefile.care.settings import CareSettings, CareSettingsError

__all__ = [
    "CARE_RULES",
    "CareArrangement",
    "CareChangeReason",
    "CareContext",
    "CareSettings",
    "CareSettingsError",
    "CareStoreContext",
    "CareType",
    "KafalaDecision",
]
