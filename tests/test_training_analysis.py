"""The next-cycle analysis: needs and low scores ranked, small groups suppressed, no author."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.model import TerritoryLevel, new_id
from wladna_core.training import (
    Count,
    Criterion,
    Evaluation,
    NeedCode,
    Rating,
    RecommendationCode,
    SessionMode,
    TrainingSession,
    TrainingSettings,
    next_cycle,
)
from wladna_core.training import strategies as ts

DAY = date(2025, 6, 2)


def a_session(territory: str, *units: str) -> TrainingSession:
    return TrainingSession(
        units=list(units) or [new_id()],
        mode=SessionMode.REMOTE,
        days=[DAY],
        territory=territory,
        capacity=80,
    )


def an_evaluation(session: TrainingSession, score: int = 4, **changes: Any) -> Evaluation:
    fields: dict[str, Any] = {
        "session_id": session.id,
        "submitted_on": DAY,
        "ratings": [Rating(criterion, score) for criterion in Criterion],
    }
    fields.update(changes)
    return Evaluation(**fields)


def test_needs_and_recommendations_are_ranked_per_unit_and_territory() -> None:
    session = a_session("MA-SAL")
    evaluations = [
        an_evaluation(session, needs={NeedCode.CONNECTIVITY, NeedCode.MORE_PRACTICE}),
        an_evaluation(session, needs={NeedCode.MORE_PRACTICE}),
        an_evaluation(session, needs={NeedCode.EQUIPMENT, NeedCode.CONNECTIVITY}),
        an_evaluation(session, needs={NeedCode.MORE_PRACTICE}),
        an_evaluation(
            session,
            recommendations={RecommendationCode.MATERIALS_IN_ARABIC},
            preferred_mode=SessionMode.IN_PERSON,
        ),
    ]
    result = next_cycle(evaluations, [session])
    [group] = result.groups
    assert (group.unit_id, group.territory, group.evaluations) == (
        session.units[0],
        "MA-SAL",
        5,
    )
    assert group.needs == (
        Count("more_practice", 3),
        Count("connectivity", 2),
        Count("equipment", 1),
    )
    assert group.recommendations == (Count("materials_in_arabic", 1),)
    assert group.preferred_modes == (Count("in_person", 1),)
    assert group.overall == 4.0
    assert not group.low
    assert result.low_scores == ()


def test_a_group_smaller_than_the_threshold_is_suppressed_whole() -> None:
    sale, rabat = a_session("MA-SAL"), a_session("MA-RAB")
    evaluations = [an_evaluation(sale) for _ in range(5)] + [
        an_evaluation(rabat, score=1, needs={NeedCode.LEGAL_FRAMEWORK})
    ]
    result = next_cycle(evaluations, [sale, rabat])
    assert [group.territory for group in result.groups] == ["MA-SAL"]
    assert result.suppressed == 1
    assert result.low_scores == ()
    assert "legal_framework" not in repr(result)
    lowered = next_cycle(evaluations, [sale, rabat], settings=TrainingSettings(min_group_size=1))
    assert [group.territory for group in lowered.low_scores] == ["MA-RAB"]


def test_low_scores_come_lowest_first_and_a_low_criterion_is_enough() -> None:
    first, second, third = (a_session("MA-SAL") for _ in range(3))
    logistics_only = [Rating(c, 5 if c is not Criterion.LOGISTICS else 1) for c in Criterion]
    evaluations = [
        *(an_evaluation(first, score=2) for _ in range(5)),
        *(an_evaluation(second, ratings=logistics_only) for _ in range(5)),
        *(an_evaluation(third, score=5) for _ in range(5)),
    ]
    result = next_cycle(evaluations, [first, second, third])
    assert [group.unit_id for group in result.low_scores] == [first.units[0], second.units[0]]
    [low_logistics] = [g for g in result.groups if g.unit_id == second.units[0]]
    assert dict(low_logistics.mean_scores)[Criterion.LOGISTICS] == 1.0
    assert low_logistics.overall == 4.2


def test_ratings_outside_the_scale_are_left_out_of_the_means() -> None:
    session = a_session("MA-SAL")
    evaluations = [an_evaluation(session, score=4) for _ in range(4)]
    evaluations.append(an_evaluation(session, ratings=[Rating(Criterion.CONTENT, 40)]))
    [group] = next_cycle(evaluations, [session]).groups
    assert dict(group.mean_scores)[Criterion.CONTENT] == 4.0


def test_groups_can_be_taken_at_the_level_of_the_region() -> None:
    sale, rabat = a_session("MA-SAL"), a_session("MA-RAB")
    unit = new_id()
    sale, rabat = (attrs.evolve(s, units=(unit,)) for s in (sale, rabat))
    evaluations = [an_evaluation(sale) for _ in range(3)] + [an_evaluation(rabat) for _ in range(3)]
    assert next_cycle(evaluations, [sale, rabat]).groups == ()
    [group] = next_cycle(evaluations, [sale, rabat], level=TerritoryLevel.REGION).groups
    assert (group.territory, group.evaluations) == ("MA-04", 6)


def test_an_evaluation_counts_for_every_unit_of_its_session_and_once() -> None:
    session = a_session("MA-SAL", new_id(), new_id())
    evaluations = [an_evaluation(session) for _ in range(5)]
    result = next_cycle([*evaluations, *evaluations], [session])
    assert [(g.unit_id, g.evaluations) for g in result.groups] == sorted(
        (unit, 5) for unit in session.units
    )


def test_evaluations_of_unknown_sessions_are_counted_apart() -> None:
    result = next_cycle([an_evaluation(a_session("MA-SAL"))], [])
    assert (result.groups, result.unmatched, result.suppressed) == ((), 1, 0)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def evaluated_programmes(draw: st.DrawFn) -> tuple[list[Evaluation], list[TrainingSession]]:
    file = draw(ts.training_files(full=True))
    sessions = list(file.sessions)
    # More evaluations per session than a drawn programme has, so that groups pass the threshold.
    evaluations = [
        draw(ts.evaluations(session=session, on=file.on))
        for session in sessions
        for _ in range(draw(st.integers(0, 8)))
    ]
    return [*file.evaluations, *evaluations], sessions


@given(evaluated_programmes(), st.integers(1, 8))
def test_no_group_shown_is_smaller_than_the_threshold(
    drawn: tuple[list[Evaluation], list[TrainingSession]], threshold: int
) -> None:
    evaluations, sessions = drawn
    result = next_cycle(evaluations, sessions, settings=TrainingSettings(min_group_size=threshold))
    assert all(group.evaluations >= threshold for group in result.groups)
    keys = {
        (unit, session.territory)
        for evaluation in evaluations
        for session in sessions
        if session.id == evaluation.session_id
        for unit in session.units
    }
    assert len(result.groups) + result.suppressed == len(keys)
    assert all(group in result.groups for group in result.low_scores)


@given(evaluated_programmes())
def test_the_analysis_is_the_same_whoever_signed_and_names_no_one(
    drawn: tuple[list[Evaluation], list[TrainingSession]],
) -> None:
    evaluations, sessions = drawn
    signed = [e for e in evaluations if e.participant_id is not None]
    anonymous = [attrs.evolve(e, participant_id=None) for e in evaluations]
    result = next_cycle(evaluations, sessions, settings=TrainingSettings(min_group_size=1))
    assert result == next_cycle(anonymous, sessions, settings=TrainingSettings(min_group_size=1))
    text = repr(result)
    # The analysis names units and sessions; an id drawn outside the file may be one of theirs.
    shown = {session.id for session in sessions} | {u for s in sessions for u in s.units}
    assert not any(e.participant_id in text for e in signed if e.participant_id not in shown)
    assert not any(e.id in text for e in evaluations if e.id not in shown)
    assert "Plus de cas pratiques" not in text
