"""The evaluation set: deterministic, labelled, hard, and the matcher meets its targets on it."""

from __future__ import annotations

from collections import Counter

from wladna_core.matching import ChildMatcher, blocking_keys
from wladna_core.matching.evaluation import (
    DEVELOPMENT_SEED,
    TEST_SEED,
    Counts,
    confusion,
    evaluation_pairs,
    population,
)


def test_the_same_seed_draws_the_same_pairs() -> None:
    first = evaluation_pairs(60, seed=3)
    again = evaluation_pairs(60, seed=3)
    assert [(p.a.child.given_name, p.b.child.birth_date, p.same, p.kind) for p in first] == [
        (p.a.child.given_name, p.b.child.birth_date, p.same, p.kind) for p in again
    ]


def test_half_the_pairs_are_one_child_and_the_rest_mostly_hard() -> None:
    kinds = Counter(pair.kind for pair in evaluation_pairs(400, seed=DEVELOPMENT_SEED))
    assert kinds["variant"] == 200
    assert kinds["twins"] + kinds["siblings"] + kinds["common_name"] + kinds["other_sex"] == 160


def test_counts_give_precision_and_recall() -> None:
    counts = Counts(true_positive=8, false_positive=2, false_negative=8, true_negative=5)
    assert (counts.precision, counts.recall) == (0.8, 0.5)
    assert Counts(0, 0, 0, 3).precision == 1.0


def test_the_matcher_meets_its_targets_on_the_test_pairs() -> None:
    pairs = evaluation_pairs(800, seed=TEST_SEED)
    matcher = ChildMatcher()
    counts = confusion(
        pairs,
        lambda pair: (
            bool(blocking_keys(pair.a.child) & blocking_keys(pair.b.child))
            and matcher.score(pair.a, pair.b).score >= matcher.settings.duplicate_threshold
        ),
    )
    assert counts.precision >= 0.95
    assert counts.recall >= 0.95


def test_the_population_is_deterministic_and_valid() -> None:
    first = [(child.given_name, child.family_name_ar, child.birth_date) for child in population(50)]
    assert first == [(c.given_name, c.family_name_ar, c.birth_date) for c in population(50)]
