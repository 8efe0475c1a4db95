"""Hypothesis strategies for tracing actions and reunifications, valid by construction.

Each draws a record of the case given, dated between ``first`` (the case's opening) and ``on``
(:data:`~wladna_core.testing.strategies.REFERENCE_DATE` by default).  :func:`tracing_files`
draws a case's tracing and reunification together: a tracing action that found the family on
or before each reunification, reunifications verified beforehand, follow-up visits in order
after the reunification, and an outcome of ``sustained`` only after a visit.  Every record of it
passes every rule of :data:`~wladna_core.casefile.tracing.TRACING_RULES`, errors and warnings
alike, with a context knowing the case and the records:

>>> from hypothesis import given, settings
>>> from wladna_core.casefile import CaseFileContext
>>> from wladna_core.model import Case, Identification, IdentificationSource
>>> from wladna_core.rules import RuleSet, validate
>>> from wladna_core.testing.strategies import REFERENCE_DATE
>>> opened = date(2025, 6, 1)
>>> case = Case(
...     child_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e21",
...     body_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e22", territory="MA-SAL", opened_on=opened,
...     identification=Identification(IdentificationSource.OUTREACH, opened),
... )
>>> @settings(max_examples=5)
... @given(tracing_files(case.id, first=opened))
... def test_a_tracing_file_drawn_passes(records):
...     context = CaseFileContext(cases=[case], casefile=records)
...     rules = RuleSet(TRACING_RULES)
...     for record in records:
...         assert validate(record, on=REFERENCE_DATE, context=context, rules=rules) == []
>>> test_a_tracing_file_drawn_passes()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

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
from wladna_core.model import Relation, TerritoryLevel
from wladna_core.testing import strategies as ws

__all__ = [
    "TRACING_RULES",
    "follow_up_visits",
    "reunifications",
    "tracing_actions",
    "tracing_files",
]

_WORDS = st.text(
    st.characters(categories=["L", "N"], include_characters=" -'"), min_size=1, max_size=40
).filter(str.strip)
_PROVINCES = (TerritoryLevel.PROVINCE, TerritoryLevel.PREFECTURE)
_RELATIVES = tuple(relation for relation in Relation if relation is not Relation.CHILD)


def _day(draw: st.DrawFn, first: date, last: date) -> date:
    if last < first:
        msg = f"no day between {first.isoformat()} and {last.isoformat()}"
        raise InvalidArgument(msg)
    return first + timedelta(days=draw(st.integers(0, (last - first).days)))


@st.composite
def tracing_actions(
    draw: st.DrawFn,
    case_id: str,
    *,
    first: date,
    on: date = ws.REFERENCE_DATE,
    result: TracingResult | None = None,
) -> TracingAction:
    """Draw a tracing action of the case ``case_id``, dated from ``first`` to ``on``.

    :param result: its result (drawn by default).
    """
    return TracingAction(
        case_id=case_id,
        on=_day(draw, first, on),
        method=draw(st.sampled_from(TracingMethod)),
        sought=draw(_WORDS),
        result=result if result is not None else draw(st.sampled_from(TracingResult)),
        note=draw(st.none() | _WORDS),
        id=draw(ws.record_ids()),
    )


@st.composite
def follow_up_visits(
    draw: st.DrawFn, *, first: date, on: date = ws.REFERENCE_DATE, max_size: int = 4
) -> tuple[FollowUpVisit, ...]:
    """Draw follow-up visits in order, dated from ``first`` to ``on``."""
    days = sorted(draw(st.lists(st.integers(0, (on - first).days), max_size=max_size)))
    return tuple(
        FollowUpVisit(
            on=first + timedelta(days=day),
            outcome=draw(st.sampled_from(VisitOutcome)),
            note=draw(st.none() | _WORDS),
        )
        for day in days
    )


@st.composite
def reunifications(
    draw: st.DrawFn, case_id: str, *, first: date, on: date = ws.REFERENCE_DATE
) -> Reunification:
    """Draw a verified reunification of the case ``case_id``, dated from ``first`` to ``on``.

    Its follow-up visits are in order after it; it is ``sustained`` only with one.
    """
    day = _day(draw, first, on)
    visits = draw(follow_up_visits(first=day, on=on))
    outcomes = list(ReunificationOutcome)
    if not visits:
        outcomes.remove(ReunificationOutcome.SUSTAINED)
    return Reunification(
        case_id=case_id,
        on=day,
        with_whom=draw(st.sampled_from(_RELATIVES)),
        where=draw(ws.territories(level=_PROVINCES)).code,
        verified=True,
        follow_ups=visits,
        outcome=draw(st.sampled_from(outcomes)),
        note=draw(st.none() | _WORDS),
        id=draw(ws.record_ids()),
    )


@st.composite
def tracing_files(
    draw: st.DrawFn, case_id: str, *, first: date, on: date = ws.REFERENCE_DATE
) -> list[TracingAction | Reunification]:
    """Draw a case's tracing actions and reunifications, each prepared by an action that found.

    :param first: the day the case was opened.
    """
    records: list[TracingAction | Reunification] = list(
        draw(st.lists(tracing_actions(case_id, first=first, on=on), max_size=3))
    )
    for reunification in draw(st.lists(reunifications(case_id, first=first, on=on), max_size=2)):
        found = tracing_actions(
            case_id, first=first, on=reunification.on, result=TracingResult.FOUND
        )
        records.extend((draw(found), reunification))
    ids = draw(st.lists(ws.record_ids(), min_size=len(records), max_size=len(records), unique=True))
    return [
        attrs.evolve(record, id=record_id) for record, record_id in zip(records, ids, strict=True)
    ]
