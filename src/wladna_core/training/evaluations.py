"""Evaluations of sessions by their participants, anonymous by default.

An evaluation rates a session on each :class:`~wladna_core.training.enums.Criterion`, says what
its author still needs and recommends for the next courses (coded lists, plus free text), and
which mode they prefer.

**Anonymity.** An evaluation is anonymous unless its author chooses otherwise: an anonymous
evaluation carries no participant id at all, only the session, so that nothing in the record
leads back to its author.  Its ``id`` is random (:func:`~wladna_core.training._checks.random_id`)
rather than time-ordered like other records' ids, which carry the millisecond they were made.
Reports of evaluations suppress groups smaller than a threshold
(:func:`~wladna_core.training.analysis.next_cycle`); the free text is never put in them, since
words can betray their author.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import attrs

from wladna_core.model import _checks as check
from wladna_core.training import _checks as tcheck
from wladna_core.training.enums import Criterion, NeedCode, RecommendationCode, SessionMode

__all__ = ["RATING_LABELS", "RATING_SCALE", "Evaluation", "Rating"]

#: The scale of ratings: from 1 (very unsatisfactory) to 5 (very satisfactory).  A rating
#: outside it breaks rule ``training.rating_out_of_range``.
RATING_SCALE: Final = (1, 5)
#: What each point of the scale means, in English.
RATING_LABELS: Final = {
    1: "very unsatisfactory",
    2: "unsatisfactory",
    3: "acceptable",
    4: "satisfactory",
    5: "very satisfactory",
}


@attrs.frozen
class Rating:
    """A participant's rating of one criterion, on :data:`RATING_SCALE`.

    :param criterion: what is rated.
    :param score: the rating, a whole number; out of the scale it breaks
        ``training.rating_out_of_range``.
    """

    criterion: Criterion = attrs.field(validator=check.member_of(Criterion))
    score: int = attrs.field(validator=tcheck.whole_number)


def _one_rating_per_criterion(
    _instance: object, attribute: attrs.Attribute[Any], value: tuple[Rating, ...]
) -> None:
    tcheck.distinct(_instance, attribute, tuple(rating.criterion.value for rating in value))


@attrs.frozen
class Evaluation:
    """A participant's evaluation of a session.

    :param session_id: the session evaluated.
    :param submitted_on: the day it was handed in, no earlier than the session's last day.
    :param ratings: one rating per criterion rated, each criterion at most once.
    :param needs: coded needs for further training.
    :param recommendations: coded recommendations for the next courses.
    :param needs_text: the needs in the author's words.
    :param recommendations_text: the recommendations in the author's words.
    :param preferred_mode: how the author would rather be trained.
    :param participant_id: the author, **only** when they choose to sign; ``None`` (the
        default) makes the evaluation anonymous.
    """

    session_id: str = attrs.field(validator=check.identifier)
    submitted_on: date = attrs.field(validator=check.a_date)
    ratings: tuple[Rating, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=[
            check.items(check.instance(Rating), max_items=len(Criterion)),
            _one_rating_per_criterion,
        ],
    )
    needs: frozenset[NeedCode] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(NeedCode), frozenset),
    )
    recommendations: frozenset[RecommendationCode] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(RecommendationCode), frozenset),
    )
    needs_text: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX)
    )
    recommendations_text: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX)
    )
    preferred_mode: SessionMode | None = attrs.field(
        default=None, validator=check.optional_member_of(SessionMode)
    )
    participant_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    id: str = attrs.field(factory=tcheck.random_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def is_anonymous(self) -> bool:
        """Whether the evaluation is anonymous (it names no participant)."""
        return self.participant_id is None

    def score(self, criterion: Criterion) -> int | None:
        """Return the rating given to ``criterion``, or ``None`` if it was not rated."""
        for rating in self.ratings:
            if rating.criterion is criterion:
                return rating.score
        return None
