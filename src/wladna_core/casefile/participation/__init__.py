"""The child's views and wishes on the decisions of their case (CRC, article 12).

:class:`Participation` (kind ``participation``) records, for one decision of a case
(:class:`Decision`), how the child was heard (:class:`Hearing`) — or why they were not —, what
they said and how it weighed.  Rules ``participation.*``
(:data:`~wladna_core.casefile.participation.rules.PARTICIPATION_RULES`); services
``work.casefile.record_participation`` and ``work.casefile.participation``
(:class:`~wladna_core.casefile.participation.services.ParticipationServices`).
"""

from __future__ import annotations

from wladna_core.casefile.participation.model import Decision, Hearing, Participation
from wladna_core.casefile.participation.rules import PARTICIPATION_RULES

__all__ = ["PARTICIPATION_RULES", "Decision", "Hearing", "Participation"]
