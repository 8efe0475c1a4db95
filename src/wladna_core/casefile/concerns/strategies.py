"""Hypothesis strategies for the details of protection concerns, valid by construction.

:func:`concern_details` draws details that pass every rule of
:data:`~wladna_core.casefile.concerns.CONCERN_RULES` on the day ``on``, with a context knowing
their case and child (:func:`~wladna_core.casefile.participation.strategies.case_settings`
with ``assessed=True``, so that the case has concerns to detail).

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.casefile.concerns.model import ConcernDetail
from wladna_core.casefile.participation.strategies import REFERENCE_DATE, notes
from wladna_core.model import ProtectionConcern
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from wladna_core.model import Case, Child

__all__ = ["concern_details"]


def _day(draw: st.DrawFn, first: date, last: date) -> date:
    span = max(0, (last - first).days)
    return first + timedelta(days=draw(st.integers(0, span)))


@st.composite
def concern_details(
    draw: st.DrawFn,
    case: Case | None = None,
    child: Child | None = None,
    *,
    on: date = REFERENCE_DATE,
    resolved: bool | None = None,
) -> ConcernDetail:
    """Draw details of protection concerns, valid on ``on``.

    :param case: the case: the detail is of one of its concerns, identified between the day
        the child was identified and ``on``.  A drawn case id and concern by default.
    :param child: the case's child: the detail is not identified before their birth.
    :param resolved: ``True`` for a resolved detail, ``False`` for an open one; drawn by
        default.
    :raises InvalidArgument: for a case without protection concerns.
    """
    if case is not None and not case.concerns:
        msg = "concern_details needs a case with protection concerns (case.concerns)"
        raise InvalidArgument(msg)
    if case is None:
        concern = draw(st.sampled_from(ProtectionConcern))
        first = on - timedelta(days=3 * 365)
    else:
        concern = draw(st.sampled_from(sorted(case.concerns)))
        first = case.identification.on
    if child is not None:
        first = max(first, child.birth_date)
    identified = _day(draw, first, on)
    closing = draw(st.booleans()) if resolved is None else resolved
    return ConcernDetail(
        case_id=draw(ws.record_ids()) if case is None else case.id,
        concern=concern,
        identified_on=identified,
        identified_by=draw(st.sampled_from(["worker.sale", "school teacher", "night team"])),
        notes=draw(st.none() | notes()),
        resolved_on=_day(draw, identified, on) if closing else None,
        resolution=draw(notes()) if closing else None,
    )
