"""Outreach to children in street situations, before a case opens.

* :class:`OutreachContact` (kind ``outreach_contact``, :data:`~wladna_core.casefile.outreach.
  kinds.OUTREACH`): a contact by a body's outreach team with a child in a street situation —
  where, when, who went, the child as known then, what was offered, whether the child agreed,
  and the case opened from it;
* its rules :data:`OUTREACH_RULES` (``outreach.*``);
* its services :class:`~wladna_core.casefile.outreach.services.OutreachServices` (in
  ``work.casefile``);
* its indicator ``outreach_contacts`` (:mod:`wladna_core.casefile.outreach.indicators`).

See ``docs/casefile_outreach.md``.
"""

from __future__ import annotations

from wladna_core.casefile.outreach.contacts import (
    AGE_RANGE,
    ChildAsMet,
    OutreachContact,
    OutreachOffer,
)
from wladna_core.casefile.outreach.rules import OUTREACH_RULES

__all__ = ["AGE_RANGE", "OUTREACH_RULES", "ChildAsMet", "OutreachContact", "OutreachOffer"]
