"""The details of each protection concern of a case: identified when, by whom, resolved when.

:class:`ConcernDetail` (kind ``concern_detail``); rules ``concern.*``
(:data:`~wladna_core.casefile.concerns.rules.CONCERN_RULES`); services
``work.casefile.record_concern_detail``, ``resolve_concern`` and ``concern_details``
(:class:`~wladna_core.casefile.concerns.services.ConcernServices`).
"""

from __future__ import annotations

from wladna_core.casefile.concerns.model import ConcernDetail
from wladna_core.casefile.concerns.rules import CONCERN_RULES

__all__ = ["CONCERN_RULES", "ConcernDetail"]
