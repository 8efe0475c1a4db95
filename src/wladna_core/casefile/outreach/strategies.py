"""Hypothesis strategies for outreach contacts, valid by construction.

:func:`outreach_contacts` draws a contact that passes every rule of
:data:`~wladna_core.casefile.outreach.OUTREACH_RULES` on ``on`` (:data:`~wladna_core.testing.
strategies.REFERENCE_DATE` by default) with a context knowing :func:`body_for` of it — the body
its team belongs to, whose territory covers the place of the contact — and no case or child
(the contact names neither unless the knobs say so).

>>> from hypothesis import given, settings
>>> from wladna_core.rules import Context, RuleSet, validate
>>> from wladna_core.testing.strategies import REFERENCE_DATE
>>> @settings(max_examples=5)
... @given(outreach_contacts())
... def test_a_contact_drawn_passes(contact):
...     context = Context(bodies=[body_for(contact)], children=[], cases=[])
...     rules = RuleSet(OUTREACH_RULES)
...     assert validate(contact, on=REFERENCE_DATE, context=context, rules=rules) == []
>>> test_a_contact_drawn_passes()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from wladna_core.casefile.outreach.contacts import (
    AGE_RANGE,
    ChildAsMet,
    OutreachContact,
    OutreachOffer,
)
from wladna_core.casefile.outreach.rules import OUTREACH_RULES
from wladna_core.model import BodyKind, Sex, TerritorialBody, TerritoryLevel
from wladna_core.testing import strategies as ws

__all__ = ["OUTREACH_RULES", "body_for", "children_as_met", "outreach_contacts"]

_WORDS = st.text(
    st.characters(categories=["L", "N"], include_characters=" -'"), min_size=1, max_size=40
).filter(str.strip)
_PROVINCES = (TerritoryLevel.PROVINCE, TerritoryLevel.PREFECTURE)


def body_for(contact: OutreachContact) -> TerritorialBody:
    """Return a body of the contact's ``body_id`` whose territory is the contact's."""
    return TerritorialBody(
        name="Équipe mobile",
        kind=BodyKind.ASSOCIATION,
        territory=contact.territory,
        id=contact.body_id,
    )


@st.composite
def children_as_met(draw: st.DrawFn, *, child_id: str | None = None) -> ChildAsMet:
    """Draw a child as a team knows them: at least one of an alias, an age, a sex.

    :param child_id: the registered child, if any.
    """
    youngest, oldest = AGE_RANGE
    alias = draw(st.none() | _WORDS)
    age = draw(st.none() | st.integers(youngest, oldest))
    sex = draw(st.none() | st.sampled_from(Sex))
    if child_id is None and alias is None and age is None and sex is None:
        age = draw(st.integers(youngest, oldest))
    return ChildAsMet(child_id=child_id, alias=alias, approximate_age=age, sex=sex)


@st.composite
def outreach_contacts(
    draw: st.DrawFn,
    *,
    on: date = ws.REFERENCE_DATE,
    body_id: str | None = None,
    territory: str | None = None,
    child_id: str | None = None,
) -> OutreachContact:
    """Draw an outreach contact dated on ``on`` or in the year before it.

    :param on: the last day it may be dated.
    :param body_id: the body whose team made it (drawn by default).
    :param territory: where (a province or prefecture drawn by default).
    :param child_id: the registered child met, if any.
    """
    where = territory or draw(ws.territories(level=_PROVINCES)).code
    return OutreachContact(
        body_id=body_id or draw(ws.record_ids()),
        territory=where,
        place=draw(_WORDS),
        on=on - timedelta(days=draw(st.integers(0, 365))),
        team=draw(_WORDS),
        child=draw(children_as_met(child_id=child_id)),
        offered=draw(st.frozensets(st.sampled_from(OutreachOffer))),
        agreed=draw(st.booleans()),
        note=draw(st.none() | _WORDS),
        id=draw(ws.record_ids()),
    )
