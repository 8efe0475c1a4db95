"""Hypothesis strategies for incidents, valid by construction.

:func:`incidents` draws incidents linked to the cases given (or to drawn ids) that pass every
``incident.*`` rule — warnings included — on ``on``, with a context that knows those cases and
children born on or before ``born``: dated between ``born`` and ``on``, disclosed after, in a
territory of the gazetteer, with a report to the prosecutor whenever the type calls for one.

>>> from datetime import date
>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(incidents(on=date(2026, 3, 2)))
... def test_drawn(incident):
...     assert incident.occurred_on <= date(2026, 3, 2)
>>> test_drawn()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.casefile.incidents.model import (
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.casefile.incidents.rules import MUST_BE_REPORTED
from wladna_core.model import Gazetteer, Institution, TerritoryLevel
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["incidents"]

_PROVINCES = tuple(
    territory.code
    for territory in Gazetteer.morocco()
    if territory.level is not TerritoryLevel.REGION
    and territory.level is not TerritoryLevel.COUNTRY
)

# Notes as case workers write them, in both scripts and on several lines.
_NOTES = (
    "Signalé par l'école.",
    "\n".join(("الطفل في حالة صدمة.", "متابعة نفسية مطلوبة.")),
    "Suivi avec la cellule de prise en charge de l'hôpital.",
)


def _between(draw: st.DrawFn, first: date, last: date) -> date:
    return first + timedelta(days=draw(st.integers(0, (last - first).days)))


def incidents(
    *,
    case_ids: Sequence[str] | None = None,
    on: date = ws.REFERENCE_DATE,
    born: date | None = None,
    type: IncidentType | None = None,
) -> st.SearchStrategy[Incident]:
    """Draw incidents valid on ``on``.

    :param case_ids: the cases they are linked to (all of them); by default one to three
        drawn ids.
    :param on: the day of validation: nothing is dated after it.
    :param born: the latest birth date of the linked cases' children: nothing is dated before
        it (default: five years before ``on``).
    :param type: the type of every incident drawn.
    :raises InvalidArgument: for ``born`` after ``on`` or an empty ``case_ids``.
    """
    first = born if born is not None else on - timedelta(days=5 * 365)
    if first > on:
        msg = f"born ({first}) is after on ({on}): no incident can be dated between them"
        raise InvalidArgument(msg)
    if case_ids is not None and not case_ids:
        msg = "case_ids must name at least one case"
        raise InvalidArgument(msg)
    return _incidents(tuple(case_ids) if case_ids is not None else None, on, first, type)


@st.composite
def _incidents(
    draw: st.DrawFn,
    case_ids: tuple[str, ...] | None,
    on: date,
    first: date,
    kind: IncidentType | None,
) -> Incident:
    linked = case_ids or tuple(draw(st.lists(ws.record_ids(), min_size=1, max_size=3, unique=True)))
    chosen = kind if kind is not None else draw(st.sampled_from(IncidentType))
    occurred_on = _between(draw, first, on)
    disclosure = None
    if draw(st.booleans()):
        disclosure = Disclosure(
            on=_between(draw, occurred_on, on),
            by=draw(st.sampled_from(DisclosedBy)),
            to_institution=draw(st.none() | st.sampled_from(Institution)),
        )
    actions = set(draw(st.frozensets(st.sampled_from(IncidentAction))))
    if chosen in MUST_BE_REPORTED:
        actions.add(IncidentAction.REPORT_TO_PROSECUTOR)
    return Incident(
        case_ids=linked,
        type=chosen,
        occurred_on=occurred_on,
        date_approximate=draw(st.booleans()),
        place=draw(st.none() | st.sampled_from(("home", "school", "street", "workplace"))),
        territory=draw(st.none() | st.sampled_from(_PROVINCES)),
        perpetrator=draw(st.sampled_from(Perpetrator)),
        disclosure=disclosure,
        actions=frozenset(actions),
        note=draw(st.none() | st.sampled_from(_NOTES)),
        id=draw(ws.record_ids()),
    )
