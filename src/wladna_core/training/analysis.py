"""The next-cycle analysis: what evaluations ask of the next courses, per unit and territory.

:func:`next_cycle` groups evaluations by unit and territory (an evaluation counts for every unit
of its session, in the session's territory, or in the territory of the level asked containing
it), and for each group ranks the needs and recommendations expressed and gives the mean rating
of each criterion.  Groups whose mean rating, overall or on a criterion, is below the settings'
``low_score`` are listed among the low scores, lowest first.

**Small groups are suppressed.**  A group of fewer evaluations than the settings'
``min_group_size`` (5 by default) is left out entirely, counted only in
:attr:`NextCycle.suppressed`: in a small group an evaluation can be singled out, and anonymous
evaluations must stay anonymous.  The analysis gives no totals across groups (which would let
one subtract the groups shown from the total and recover a suppressed one), never the free text
of evaluations, and never a participant id.  Ratings outside the scale (rule
``training.rating_out_of_range``) are left out of the means.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import attrs

from wladna_core.model import Gazetteer, TerritoryLevel
from wladna_core.training.enums import Criterion
from wladna_core.training.evaluations import RATING_SCALE
from wladna_core.training.settings import TrainingSettings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.training.evaluations import Evaluation
    from wladna_core.training.sessions import TrainingSession

__all__ = ["Count", "GroupFindings", "NextCycle", "next_cycle"]


@attrs.frozen
class Count:
    """How many evaluations of a group expressed ``code`` (a need, recommendation or mode)."""

    code: str
    count: int


@attrs.frozen
class GroupFindings:
    """What the evaluations of one unit in one territory say.

    :param unit_id: the unit.
    :param territory: the territory.
    :param evaluations: how many evaluations the group has (at least the threshold).
    :param needs: the needs expressed, most expressed first (then by code).
    :param recommendations: the recommendations, likewise.
    :param preferred_modes: the modes preferred, likewise.
    :param mean_scores: the mean rating of each criterion rated, in the order of
        :class:`~wladna_core.training.enums.Criterion`, rounded to two decimals.
    :param overall: the mean of all ratings of the group, or ``None`` if none was given.
    :param low: whether the overall mean or a criterion's mean is below the low score.
    """

    unit_id: str
    territory: str
    evaluations: int
    needs: tuple[Count, ...]
    recommendations: tuple[Count, ...]
    preferred_modes: tuple[Count, ...]
    mean_scores: tuple[tuple[Criterion, float], ...]
    overall: float | None
    low: bool


@attrs.frozen
class NextCycle:
    """The next-cycle analysis.

    :param groups: the groups shown, by unit then territory.
    :param low_scores: the groups with low scores, lowest overall mean first.
    :param suppressed: how many groups were left out for being smaller than ``min_group_size``.
    :param min_group_size: the threshold applied.
    :param unmatched: how many evaluations named a session that was not given.
    """

    groups: tuple[GroupFindings, ...]
    low_scores: tuple[GroupFindings, ...]
    suppressed: int
    min_group_size: int
    unmatched: int


def _ranked(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(
        Count(code, count)
        for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    )


def _territory_of(territory: str, level: TerritoryLevel | None, gazetteer: Gazetteer) -> str:
    if level is None or territory not in gazetteer:
        return territory
    found = gazetteer.get(territory)
    if found.level is level:
        return territory
    for ancestor in gazetteer.ancestors(territory):
        if ancestor.level is level or (level.is_provincial and ancestor.level.is_provincial):
            return ancestor.code
    return territory


def _findings(
    unit_id: str, territory: str, group: list[Evaluation], settings: TrainingSettings
) -> GroupFindings:
    low_bound, high_bound = RATING_SCALE
    by_criterion: dict[Criterion, list[int]] = defaultdict(list)
    for evaluation in group:
        for rating in evaluation.ratings:
            if low_bound <= rating.score <= high_bound:
                by_criterion[rating.criterion].append(rating.score)
    means = tuple(
        (criterion, round(sum(scores) / len(scores), 2))
        for criterion in Criterion
        if (scores := by_criterion.get(criterion))
    )
    every = [score for scores in by_criterion.values() for score in scores]
    overall = round(sum(every) / len(every), 2) if every else None
    low = (overall is not None and overall < settings.low_score) or any(
        mean < settings.low_score for _, mean in means
    )
    return GroupFindings(
        unit_id=unit_id,
        territory=territory,
        evaluations=len(group),
        needs=_ranked(Counter(code.value for item in group for code in item.needs)),
        recommendations=_ranked(
            Counter(code.value for item in group for code in item.recommendations)
        ),
        preferred_modes=_ranked(
            Counter(item.preferred_mode.value for item in group if item.preferred_mode)
        ),
        mean_scores=means,
        overall=overall,
        low=low,
    )


def next_cycle(
    evaluations: Iterable[Evaluation],
    sessions: Iterable[TrainingSession],
    *,
    settings: TrainingSettings | None = None,
    level: TerritoryLevel | None = None,
    gazetteer: Gazetteer | None = None,
) -> NextCycle:
    """Rank, per unit and territory, the needs, recommendations and low scores of evaluations.

    :param evaluations: the evaluations to analyse.
    :param sessions: their sessions (for each session's units and territory).
    :param settings: ``min_group_size`` and ``low_score``; the defaults when omitted.
    :param level: group by the territory of this level that contains each session's territory
        (e.g. :attr:`~wladna_core.model.TerritoryLevel.REGION`); as recorded when omitted.
    :param gazetteer: the territories, to find that level; Morocco's when omitted.
    """
    settings = settings if settings is not None else TrainingSettings()
    gaz = gazetteer if gazetteer is not None else Gazetteer.morocco()
    session_by_id = {session.id: session for session in sessions}
    groups: dict[tuple[str, str], dict[str, Evaluation]] = defaultdict(dict)
    unmatched = 0
    for evaluation in evaluations:
        session = session_by_id.get(evaluation.session_id)
        if session is None:
            unmatched += 1
            continue
        territory = _territory_of(session.territory, level, gaz)
        for unit_id in session.units:
            # By id: the same evaluation given twice counts once.
            groups[(unit_id, territory)][evaluation.id] = evaluation
    shown: list[GroupFindings] = []
    suppressed = 0
    for (unit_id, territory), members in sorted(groups.items()):
        if len(members) < settings.min_group_size:
            suppressed += 1
            continue
        shown.append(_findings(unit_id, territory, list(members.values()), settings))
    low = sorted(
        (group for group in shown if group.low),
        key=lambda group: (
            group.overall if group.overall is not None else 0.0,
            group.unit_id,
            group.territory,
        ),
    )
    return NextCycle(
        groups=tuple(shown),
        low_scores=tuple(low),
        suppressed=suppressed,
        min_group_size=settings.min_group_size,
        unmatched=unmatched,
    )
