"""Pairs of child records that may be one child, in a body's review queue."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model.ids import new_id

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["DuplicatePair", "PairStatus", "pair_key"]


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
    :param proposed_on: the day the pair was proposed.
    :param reasons: the codes of the score's reasons (``given_name.same``...), no personal data.
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
            raise InvariantError(
                "duplicate.same_record", "a duplicate pair needs two different child records",
                "other_id",
            )  # fmt: skip
        if self.kept_id is not None and self.kept_id not in (self.child_id, self.other_id):
            raise InvariantError(
                "duplicate.kept_unknown", "the kept record must be one of the pair's two records",
                "kept_id",
            )  # fmt: skip

    @property
    def key(self) -> str:
        """The pair's key: its two ids in order, whichever was registered first."""
        return pair_key(self.child_id, self.other_id)

    @property
    def children(self) -> tuple[str, str]:
        """The two child ids."""
        return (self.child_id, self.other_id)
