"""The review queue's transitions: a pair of child records confirmed, or dismissed.

A :class:`~wladna_core.model.DuplicatePair` is proposed when a registration finds a candidate
whose score reaches the review threshold.  A person then *confirms* it (the two records are
merged, :func:`confirm`) or *dismisses* it (:func:`dismiss`): both are final, and a pair once
decided is never proposed again.  Every store keeps the pairs through the kind
:data:`~wladna_core.storage.builtin_kinds.DUPLICATE_PAIR`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from wladna_core.model import DuplicatePair, PairStatus, pair_key
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from datetime import date

__all__ = ["DuplicatePair", "PairStatus", "confirm", "dismiss", "pair_key"]


def _label(pair: DuplicatePair) -> str:
    return f"DuplicatePair {pair.id}"


def _decide(pair: DuplicatePair, action: str, on: date, by: str) -> None:
    if pair.status is not PairStatus.PROPOSED:
        raise TransitionRefused(
            _label(pair),
            action,
            f"the pair was {pair.status.value} already; a decision is final (a dismissed pair "
            "is never proposed again, a confirmed one was merged)",
        )
    if on < pair.proposed_on:
        raise TransitionRefused(
            _label(pair), action, f"{on} is before the pair was proposed ({pair.proposed_on})"
        )
    if not by:
        raise TransitionRefused(_label(pair), action, "say who decides")


def confirm(pair: DuplicatePair, keep: str, on: date, by: str) -> DuplicatePair:
    """Return the pair confirmed: one child, kept as ``keep`` (one of the pair's two ids).

    :raises TransitionRefused: unless the pair is proposed, ``keep`` is one of its records and
        ``on`` is not before it was proposed.
    """
    _decide(pair, "confirm", on, by)
    if keep not in pair.children:
        raise TransitionRefused(_label(pair), "confirm", "keep one of the pair's two child records")
    return attrs.evolve(
        pair, status=PairStatus.CONFIRMED, decided_on=on, decided_by=by, kept_id=keep
    )


def dismiss(pair: DuplicatePair, on: date, by: str) -> DuplicatePair:
    """Return the pair dismissed: two children, never proposed again.

    :raises TransitionRefused: unless the pair is proposed and ``on`` is not before it was.
    """
    _decide(pair, "dismiss", on, by)
    return attrs.evolve(pair, status=PairStatus.DISMISSED, decided_on=on, decided_by=by)
