"""Hypothesis strategies for care arrangements, valid by construction.

:func:`care_histories` draws the whole history of care of one case's child: arrangements one
after another from the child's birth, none overlapping, only the last possibly open, each of
which passes every ``care.*`` rule — warnings included — on ``on``, with a context that knows
the case, its child born on ``born`` and the other arrangements.

>>> from datetime import date
>>> from hypothesis import given, settings
>>> case_id = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"
>>> @settings(max_examples=5)
... @given(care_histories(case_id=case_id, born=date(2012, 1, 1), on=date(2026, 3, 2)))
... def test_drawn(history):
...     assert sum(arrangement.is_open for arrangement in history) <= 1
>>> test_drawn()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.casefile.care.model import (
    CareArrangement,
    CareChangeReason,
    CareType,
    KafalaDecision,
)
from wladna_core.casefile.care.settings import CareSettings
from wladna_core.model import Relation, age_on
from wladna_core.testing import strategies as ws

__all__ = ["care_arrangements", "care_histories"]


def _between(draw: st.DrawFn, first: date, last: date) -> date:
    return first + timedelta(days=draw(st.integers(0, (last - first).days)))


def _check(born: date, on: date) -> None:
    if born > on:
        msg = f"born ({born}) is after on ({on})"
        raise InvalidArgument(msg)


def care_arrangements(
    *,
    case_id: str,
    born: date,
    on: date = ws.REFERENCE_DATE,
    settings: CareSettings | None = None,
) -> st.SearchStrategy[CareArrangement]:
    """Draw one care arrangement of the case, valid alone on ``on`` (child born ``born``).

    :raises InvalidArgument: for ``born`` after ``on``.
    """
    _check(born, on)
    return _arrangement(case_id, born, on, settings or CareSettings(), open_allowed=True)


@st.composite
def _arrangement(
    draw: st.DrawFn,
    case_id: str,
    start_from: date,
    last: date,
    settings: CareSettings,
    *,
    open_allowed: bool,
    born: date | None = None,
) -> CareArrangement:
    born = born or start_from
    started_on = _between(draw, start_from, last)
    kinds = [
        kind
        for kind in CareType
        if kind is not CareType.INDEPENDENT
        or age_on(born, started_on) >= settings.independent_from_age
    ]
    kind = draw(st.sampled_from(kinds))
    ended_on = None
    if not open_allowed or draw(st.booleans()):
        ended_on = _between(draw, started_on, last)
    kafala = None
    if kind is CareType.KAFALA:
        kafala = KafalaDecision(
            court="Tribunal de première instance de Salé",
            reference=f"{draw(st.integers(1, 9999))}/{started_on.year}",
            decided_on=_between(draw, max(born, started_on - timedelta(days=365)), started_on),
        )
    establishment = "EPS" if kind is CareType.RESIDENTIAL else None
    return CareArrangement(
        case_id=case_id,
        type=kind,
        started_on=started_on,
        ended_on=ended_on,
        kafala=kafala,
        establishment_name=establishment,
        caregiver=draw(st.none() | st.sampled_from(Relation)),
        reason=draw(st.none() | st.sampled_from(CareChangeReason)),
        id=draw(ws.record_ids()),
    )


def care_histories(
    *,
    case_id: str,
    born: date,
    on: date = ws.REFERENCE_DATE,
    max_size: int = 5,
    settings: CareSettings | None = None,
) -> st.SearchStrategy[list[CareArrangement]]:
    """Draw a case's history of care, oldest first: arrangements valid together on ``on``.

    :raises InvalidArgument: for ``born`` after ``on`` or ``max_size`` under 1.
    """
    _check(born, on)
    if max_size < 1:
        msg = f"max_size must be 1 or more, got {max_size}"
        raise InvalidArgument(msg)
    return _history(case_id, born, on, max_size=max_size, settings=settings or CareSettings())


@st.composite
def _history(
    draw: st.DrawFn,
    case_id: str,
    born: date,
    on: date,
    *,
    max_size: int,
    settings: CareSettings,
) -> list[CareArrangement]:
    size = draw(st.integers(1, max_size))
    history: list[CareArrangement] = []
    start_from = born
    ids = draw(st.lists(ws.record_ids(), min_size=size, max_size=size, unique=True))
    for index in range(size):
        last = index == size - 1
        arrangement = draw(
            _arrangement(case_id, start_from, on, settings, open_allowed=last, born=born)
        )
        history.append(attrs.evolve(arrangement, id=ids[index]))
        if arrangement.ended_on is None:
            break
        start_from = arrangement.ended_on
    return history
