"""The review queue's record: a pair of child records that may be one child, and its decision.

A :class:`DuplicatePair` is proposed when a registration (or a whole-store run) finds a
candidate whose score reaches the review threshold.  A person then *confirms* it (the two
records are merged, :func:`confirm`) or *dismisses* it (:func:`dismiss`): both are final, and
a pair once decided is never proposed again.  The kind :data:`DUPLICATE_PAIR` declares it to
every store, through the same hook a partner's plug-in uses.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.hookspecs import hookimpl
from wladna_core.model import _checks as check
from wladna_core.model import new_id
from wladna_core.storage.kinds import Field, FieldType, Filter, ManyField, Match, RecordKind
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DUPLICATE_PAIR",
    "DuplicatePair",
    "PairStatus",
    "confirm",
    "dismiss",
    "pair_key",
    "wladna_record_kinds",
]


class PairStatus(enum.StrEnum):
    """Where a proposed pair stands in the review queue."""

    #: Waiting for a person's decision.
    PROPOSED = "proposed"
    #: Confirmed: one child; the records were merged.
    CONFIRMED = "confirmed"
    #: Dismissed: two children; never proposed again.
    DISMISSED = "dismissed"


def pair_key(one: str, other: str) -> str:
    """Return the key of the pair of child ids ``one`` and ``other``, whatever their order."""
    first, second = sorted((one, other))
    return f"{first}:{second}"


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class DuplicatePair:
    """Two child records that may be one child, in the review queue of a body.

    :param child_id: the record registered last (the one whose registration found the pair).
    :param other_id: the record found as a candidate.
    :param body_id: the body whose review queue holds the pair (the registering body).
    :param score: the matcher's score, in ``[0, 1]``.
    :param reasons: the codes of the score's reasons (``given_name.same``...), no personal data.
    :param proposed_on: the day the pair was proposed.
    :param status: where it stands.
    :param decided_on: the day it was confirmed or dismissed.
    :param decided_by: who decided.
    :param kept_id: when confirmed, the record kept (the other was merged into it).
    """

    child_id: str = attrs.field(validator=check.identifier)
    other_id: str = attrs.field(validator=check.identifier)
    body_id: str | None = attrs.field(validator=check.optional_identifier)
    score: float = attrs.field(converter=float)
    proposed_on: date = attrs.field(validator=check.a_date)
    reasons: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    status: PairStatus = attrs.field(
        default=PairStatus.PROPOSED, validator=check.member_of(PairStatus)
    )
    decided_on: date | None = None
    decided_by: str | None = None
    kept_id: str | None = None
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        if self.child_id == self.other_id:
            msg = "a duplicate pair needs two different child records"
            raise ValueError(msg)
        if self.kept_id is not None and self.kept_id not in (self.child_id, self.other_id):
            msg = "the kept record of a duplicate pair must be one of its two records"
            raise ValueError(msg)

    @property
    def key(self) -> str:
        """The pair's key: its two ids in order, whichever was registered first."""
        return pair_key(self.child_id, self.other_id)

    @property
    def children(self) -> tuple[str, str]:
        """The two child ids."""
        return (self.child_id, self.other_id)


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


_ID: Final = 36

#: The declaration of :class:`DuplicatePair`: searched by body and status (the queue), by
#: pair key (never propose a pair twice) and by child.
DUPLICATE_PAIR: Final[RecordKind[DuplicatePair]] = RecordKind(
    name="duplicate_pair",
    record_type=DuplicatePair,
    table="duplicate_pairs",
    fields=(
        Field(
            "pair_key",
            FieldType.TEXT,
            lambda pair: pair.key,
            length=2 * _ID + 1,
            nullable=False,
            unique=True,
        ),
        Field("body_id", FieldType.TEXT, lambda pair: pair.body_id, length=_ID),
        Field("status", FieldType.CODE, lambda pair: pair.status, nullable=False),
        Field("proposed_on", FieldType.DATE, lambda pair: pair.proposed_on, nullable=False),
    ),
    many=(
        ManyField(
            "children",
            (("child_id", FieldType.TEXT),),
            lambda pair: [(child,) for child in sorted(pair.children)],
            length=_ID,
        ),
    ),
    filters={
        "pair_key": Filter("pair_key", Match.EQUAL),
        "pair_keys": Filter("pair_key", Match.ONE_OF),
        "body_id": Filter("body_id", Match.EQUAL),
        "status": Filter("status", Match.ONE_OF),
        "child": Filter("children", Match.CONTAINS),
        "children": Filter("children", Match.CONTAINS_ANY),
    },
    migrations="wladna_core.duplicates.migrations",
    description="Two child records that may be one child, and a person's decision on them.",
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the review queue's kind of record, :data:`DUPLICATE_PAIR`."""
    return [DUPLICATE_PAIR]
