"""Hypothesis strategies for the approvals, valid by construction.

:func:`approval_requests` draws an :class:`~wladna_core.casefile.approvals.ApprovalRequest` of
a given case, requested between the case's opening and ``on``, pending or decided by another
person on or after the request and not after ``on``, with a comment when declined: it passes
every ``approval.*`` rule with a context that knows the case and no other pending request of
its subject.

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from wladna_core.casefile.approvals.model import (
    BUILTIN_SUBJECTS,
    ApprovalDecision,
    ApprovalRequest,
)
from wladna_core.testing.strategies import record_ids

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.model import Case

__all__ = ["approval_requests"]


def _day(draw: st.DrawFn, first: date, last: date) -> date:
    return first + timedelta(days=draw(st.integers(0, max(0, (last - first).days))))


@st.composite
def approval_requests(
    draw: st.DrawFn,
    case: Case,
    *,
    on: date,
    subjects: Iterable[str] = BUILTIN_SUBJECTS,
    decision: ApprovalDecision | None = None,
) -> ApprovalRequest:
    """Draw an approval request of ``case`` valid on ``on``.

    :param case: the case (opened on or before ``on``).
    :param on: the day of validation.
    :param subjects: the subjects to draw from (the deployment's).
    :param decision: the decision; drawn when ``None``.
    """
    asked = _day(draw, case.opened_on, max(case.opened_on, on))
    chosen = decision if decision is not None else draw(st.sampled_from(ApprovalDecision))
    requester = draw(st.sampled_from(("worker-01", "worker-02")))
    decided = chosen is not ApprovalDecision.PENDING
    comment = draw(st.none() | st.sampled_from(("Vu.", "Revoir le plan.", "يُراجَع.")))
    if chosen is ApprovalDecision.DECLINED and comment is None:
        comment = "À revoir avec la famille."
    return ApprovalRequest(
        case_id=case.id,
        subject=draw(st.sampled_from(sorted(subjects))),
        requested_by=requester,
        requested_on=asked,
        note=draw(st.none() | st.just("Merci de valider.")),
        decision=chosen,
        decided_by=draw(st.sampled_from(("supervisor-01", "supervisor-02"))) if decided else None,
        decided_on=_day(draw, asked, max(asked, on)) if decided else None,
        comment=comment if decided else None,
        id=draw(record_ids()),
    )
