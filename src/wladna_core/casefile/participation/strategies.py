"""Hypothesis strategies for the child's participation, valid by construction.

:func:`participations` draws records that pass every rule of
:data:`~wladna_core.casefile.participation.PARTICIPATION_RULES` — errors and warnings alike —
on the day ``on``, with a context that knows their case and child
(:class:`CaseSetting`, drawn by :func:`case_settings`).

>>> from hypothesis import HealthCheck, given, settings
>>> from wladna_core.rules import RuleSet, validate
>>> from wladna_core.casefile.participation import PARTICIPATION_RULES
>>> @settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow], deadline=None)
... @given(case_settings().flatmap(lambda s: participations(s.case, on=s.on).map(
...     lambda record: (s, record))))
... def test_drawn_records_pass(drawn):
...     setting, record = drawn
...     rules = RuleSet(PARTICIPATION_RULES)
...     assert validate(record, on=setting.on, context=setting.context(), rules=rules) == []
>>> test_drawn_records_pass()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

import attrs
from hypothesis import strategies as st

from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.participation.model import Decision, Hearing, Participation
from wladna_core.model import Case, Child, ProtectionConcern
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["REFERENCE_DATE", "CaseSetting", "case_settings", "notes", "participations"]

#: The default date of validation: no drawn date is after it.
REFERENCE_DATE: Final = ws.REFERENCE_DATE

_LETTERS: Final = st.characters(codec="utf-8", categories=("L", "N", "Zs", "P"))


def notes(max_size: int = 200) -> st.SearchStrategy[str]:
    """Draw one-line notes: letters of any script, digits, spaces, punctuation; never blank."""
    return st.text(_LETTERS, min_size=1, max_size=max_size).filter(lambda text: text.strip())


@attrs.frozen
class CaseSetting:
    """A case, its child and the day of validation: what the case-file rules look at.

    :param child: the child.
    :param case: the child's case, opened on or before ``on``.
    :param on: the date of validation.
    """

    child: Child
    case: Case
    on: date

    def context(self, records: Iterable[object] = ()) -> CaseFileContext:
        """Return a rules' context knowing the child, the case and the case-file ``records``."""
        return CaseFileContext(children=[self.child], cases=[self.case], casefile=list(records))


@st.composite
def case_settings(
    draw: st.DrawFn,
    *,
    on: date = REFERENCE_DATE,
    assessed: bool = False,
    age: tuple[int, int] | None = None,
) -> CaseSetting:
    """Draw a child and their case, valid on ``on``.

    :param assessed: draw a case with at least one protection concern.
    :param age: the child's age on ``on``, ``(youngest, oldest)``; 0 to 17 by default.
    """
    child = draw(ws.children(age_on=on, age=age, unidentified=False))
    concerns = (
        draw(st.frozensets(st.sampled_from(ProtectionConcern), min_size=1, max_size=3))
        if assessed
        else None
    )
    case = draw(ws.cases(child=child, on=on, concerns=concerns))
    return CaseSetting(child=child, case=case, on=on)


def _day(draw: st.DrawFn, first: date, last: date) -> date:
    span = max(0, (last - first).days)
    return first + timedelta(days=draw(st.integers(0, span)))


@st.composite
def participations(
    draw: st.DrawFn,
    case: Case | None = None,
    *,
    on: date = REFERENCE_DATE,
    decision: Decision | None = None,
    heard: Hearing | None = None,
) -> Participation:
    """Draw records of the child's participation, valid on ``on``.

    A child heard has views and how they weighed; a child not heard has the reason; a closure
    is always heard (so that ``participation.closure_not_heard`` never warns).

    :param case: the case; its opening day bounds the record's.  A drawn case id by default.
    :param decision: the decision; drawn by default.
    :param heard: how the child was heard; drawn by default.
    """
    chosen = draw(st.sampled_from(Decision)) if decision is None else decision
    hearings = [h for h in Hearing if chosen is not Decision.CLOSURE or h is not Hearing.NOT_HEARD]
    how = draw(st.sampled_from(hearings)) if heard is None else heard
    first = on - timedelta(days=3 * 365) if case is None else case.opened_on
    was_heard = how is not Hearing.NOT_HEARD
    return Participation(
        case_id=draw(ws.record_ids()) if case is None else case.id,
        on=_day(draw, first, on),
        decision=chosen,
        heard=how,
        recorded_by=draw(st.sampled_from(["worker.sale", "supervisor.sale", "fz.alaoui"])),
        views=draw(notes()) if was_heard else None,
        taken_into_account=draw(notes()) if was_heard else None,
        not_heard_reason=None if was_heard else draw(notes()),
        about=draw(st.none() | notes(60)),
    )
