"""Possible duplicates of children in a store: candidates, the review queue, merging.

The matching engine (:mod:`wladna_core.matching`) reads names and scores pairs; this module
puts it to work on a store:

* :func:`candidates` — the children that may be the same child as one record: the stored
  children under any of its blocking keys (``CHILD.query(blocking_key=...)``, an indexed lookup
  per key in every store), scored by the deployment's matcher, those reaching the review
  threshold first;
* :func:`candidate_pairs` — every pair of a whole store that shares a blocking key, scored
  (what ``wladna duplicates`` writes), pairs already decided left out;
* :func:`merge` — a confirmed pair's records put together: the merged child points to the kept
  one (``merged_into``) and loses its blocking keys; the cases and households that named it
  name the kept child; referrals follow their cases; audit entries stay under the ids they
  were written with, and :func:`child_ids` gives every id of one child to read them by.

The casework services (:meth:`wladna_core.services.CaseWork.register_child`,
:meth:`~wladna_core.services.CaseWork.duplicate_queue`,
:meth:`~wladna_core.services.CaseWork.confirm_duplicate`,
:meth:`~wladna_core.services.CaseWork.dismiss_duplicate`) add access checks and the audit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import attrs

from wladna_core.duplicates.records import DuplicatePair, PairStatus, confirm, dismiss, pair_key
from wladna_core.errors import SettingsError
from wladna_core.matching import ChildMatcher, Matcher, MatchScore, MatchSettings, MatchWeights
from wladna_core.matching.blocking import stored_form
from wladna_core.model import Case, Child, Family
from wladna_core.storage import CaseQuery
from wladna_core.storage.builtin_kinds import CHILD, DUPLICATE_PAIR, FAMILY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pluggy

    from wladna_core.model import Gazetteer
    from wladna_core.storage import UnitOfWork

__all__ = [
    "DUPLICATE_PAIR",
    "POSSIBLE_DUPLICATE",
    "DuplicatePair",
    "Merged",
    "PairStatus",
    "ScoredPair",
    "candidate_pairs",
    "candidates",
    "child_ids",
    "confirm",
    "dismiss",
    "matcher_from",
    "matching_settings",
    "merge",
    "pair_key",
]

#: The code of the warning a registration gives when the child may be registered already.
POSSIBLE_DUPLICATE: Final = "child.possible_duplicate"

#: The most candidates one lookup reads, unless the ``matching`` settings say otherwise: a
#: common name and year of birth gather a few hundred records in a register of a million.
DEFAULT_MAX_CANDIDATES: Final = 2000

_SETTINGS_KEYS: Final = frozenset(
    {field.name for field in attrs.fields(MatchSettings)} | {"max_candidates"}
)


def matching_settings(settings: Mapping[str, object]) -> tuple[MatchSettings, int]:
    """Return the matching settings of a deployment and the most candidates a lookup reads.

    They are the ``matching`` mapping of the deployment's settings: the thresholds
    (``duplicate_threshold``, ``review_threshold``), the name and date tolerances of
    :class:`~wladna_core.matching.MatchSettings`, ``weights`` (a mapping of match weights) and
    ``max_candidates``.

    :raises SettingsError: naming the setting that is not one, or does not fit.
    """
    given = settings.get("matching", {})
    if isinstance(given, MatchSettings):
        return given, DEFAULT_MAX_CANDIDATES
    if not isinstance(given, Mapping):
        raise SettingsError(
            "matching", given, "it is not a mapping", "give a mapping such as "
            "{'duplicate_threshold': 0.9, 'review_threshold': 0.5}",
        )  # fmt: skip
    values = {str(name): value for name, value in given.items()}
    known = ", ".join(sorted(_SETTINGS_KEYS))
    for name in sorted(set(values) - _SETTINGS_KEYS):
        raise SettingsError(
            f"matching.{name}", values[name], "there is no such matching setting",
            f"use one of {known}",
        )  # fmt: skip
    limit = values.pop("max_candidates", DEFAULT_MAX_CANDIDATES)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise SettingsError(
            "matching.max_candidates", limit, "it is not a whole number of 1 or more",
            f"write a count such as {DEFAULT_MAX_CANDIDATES}",
        )  # fmt: skip
    try:
        weights = values.pop("weights", None)
        if weights is not None:
            if not isinstance(weights, Mapping):
                raise TypeError("weights must be a mapping of match weights")
            values["weights"] = MatchWeights(**{str(k): v for k, v in weights.items()})
        return MatchSettings(**values), limit
    except (TypeError, ValueError) as error:
        raise SettingsError(
            "matching", dict(given), str(error), "see the matching settings in docs/matching.md"
        ) from None


def matcher_from(
    pm: pluggy.PluginManager, settings: MatchSettings, gazetteer: Gazetteer
) -> Matcher:
    """Return the deployment's matcher: a ``wladna_matcher`` plug-in's, else :class:`ChildMatcher`.

    :raises PluginHookError: if the plug-in raises or returns something that is not a matcher.
    """
    from wladna_core.plugins import PluginHookError, first_answer  # noqa: PLC0415

    answer = first_answer(pm, "wladna_matcher", settings=settings, gazetteer=gazetteer)
    if answer is None:
        return ChildMatcher(settings, gazetteer)
    plugin, matcher = answer
    if not isinstance(matcher, Matcher):
        reason = (
            f"it returned {type(matcher).__name__}, which has no candidates_keys(child) and "
            "score(a, b); return an object of the Matcher protocol"
        )
        raise PluginHookError("wladna_matcher", [plugin], reason)
    return matcher


def _verdict(score: MatchScore, settings: MatchSettings) -> str:
    return "duplicate" if score.score >= settings.duplicate_threshold else "possible"


@attrs.frozen
class ScoredPair:
    """A child and a candidate, with the matcher's score and verdict.

    :param verdict: ``duplicate`` (at or above ``duplicate_threshold``) or ``possible`` (at or
        above ``review_threshold``).
    """

    child: Child
    other: Child
    score: MatchScore
    verdict: str

    @property
    def key(self) -> str:
        """The pair's key (:func:`pair_key`)."""
        return pair_key(self.child.id, self.other.id)


def _decided(uow: UnitOfWork, keys: Iterable[str]) -> dict[str, DuplicatePair]:
    wanted = frozenset(keys)
    if not wanted:
        return {}
    found = uow.repository(DuplicatePair).find(DUPLICATE_PAIR.query(pair_keys=wanted))
    return {pair.key: pair for pair in found}


def candidates(
    uow: UnitOfWork,
    child: Child,
    matcher: Matcher,
    settings: MatchSettings,
    *,
    limit: int = DEFAULT_MAX_CANDIDATES,
) -> list[ScoredPair]:
    """Return the stored children that may be ``child``, best first, at the review threshold.

    The candidates are the children under any of the child's blocking keys, read through the
    store's index (at most ``limit``); pairs a person dismissed are left out, and so are
    children merged into another (they have no keys; one has no candidates).
    """
    if child.merged_into is not None:  # merged: its candidates are the kept child's
        return []
    keys = stored_form(matcher.candidates_keys(child))
    if not keys:
        return []
    found = uow.children.find(CHILD.query(blocking_key=keys), limit=limit)
    others = [other for other in found if other.id != child.id]
    dismissed = {
        key
        for key, pair in _decided(uow, (pair_key(child.id, o.id) for o in others)).items()
        if pair.status is PairStatus.DISMISSED
    }
    scored = []
    for other in others:
        if pair_key(child.id, other.id) in dismissed:
            continue
        result = matcher.score(child, other)
        if result.score >= settings.review_threshold:
            scored.append(ScoredPair(child, other, result, _verdict(result, settings)))
    scored.sort(key=lambda pair: (-pair.score.score, pair.other.id))
    return scored


def candidate_pairs(
    uow: UnitOfWork,
    matcher: Matcher,
    settings: MatchSettings,
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 1000,
) -> Iterator[ScoredPair]:
    """Yield every pair of the store's children at the review threshold, sharing a key.

    The children are read once, in batches; their blocking keys make an index in memory, and
    only the pairs under one key are scored — never all pairs.  Pairs a person decided
    (confirmed or dismissed) are left out.

    :param progress: called with the number of children read after each batch.
    """
    children: dict[str, Child] = {}
    buckets: dict[str, list[str]] = defaultdict(list)
    read = 0
    for child in uow.children.iter(batch_size=batch_size):
        read += 1
        if child.merged_into is None:
            children[child.id] = child
            for key in stored_form(matcher.candidates_keys(child)):
                buckets[key].append(child.id)
        if progress is not None and read % batch_size == 0:
            progress(batch_size)
    if progress is not None and read % batch_size:
        progress(read % batch_size)
    seen: set[tuple[str, str]] = set()
    pending: list[ScoredPair] = []
    for ids in buckets.values():
        for index, first in enumerate(ids):
            for second in ids[index + 1 :]:
                pair = (first, second) if first < second else (second, first)
                if pair in seen:
                    continue
                seen.add(pair)
                result = matcher.score(children[pair[0]], children[pair[1]])
                if result.score >= settings.review_threshold:
                    one, other = children[pair[0]], children[pair[1]]
                    pending.append(ScoredPair(one, other, result, _verdict(result, settings)))
        if len(pending) >= batch_size:
            yield from _undecided(uow, pending)
            pending = []
    yield from _undecided(uow, pending)


def _undecided(uow: UnitOfWork, pairs: list[ScoredPair]) -> Iterator[ScoredPair]:
    decided = _decided(uow, (pair.key for pair in pairs))
    for pair in pairs:
        stored = decided.get(pair.key)
        if stored is None or stored.status is PairStatus.PROPOSED:
            yield pair


def child_ids(uow: UnitOfWork, child_id: str) -> tuple[str, ...]:
    """Return every id of one child: ``child_id`` and the records merged into it, at any depth.

    The audit entries, cases and households written under a merged record's id are the kept
    child's too: read them by these ids.
    """
    ids = [child_id]
    index = 0
    while index < len(ids):
        for merged in uow.children.find(CHILD.query(merged_into=ids[index])):
            if merged.id not in ids:
                ids.append(merged.id)
        index += 1
    return tuple(ids)


@attrs.frozen
class Merged:
    """What a merge changed: the merged child, and the cases and households now naming the kept."""

    child: Child
    cases: tuple[Case, ...]
    families: tuple[Family, ...]


def merge(uow: UnitOfWork, kept: Child, merged: Child) -> Merged:
    """Merge ``merged`` into ``kept`` in ``uow``: every reference follows, no record is lost.

    The merged record stays, pointing to the kept one; its cases and its households' members
    name the kept child from now on (their other fields unchanged, so a case keeps its number,
    history and referrals).

    :raises ValueError: if either record was merged already, or both are one record.
    """
    if kept.id == merged.id:
        msg = "a child record cannot be merged into itself"
        raise ValueError(msg)
    for record in (kept, merged):
        if record.merged_into is not None:
            msg = (
                f"Child {record.id} was merged into Child {record.merged_into} already; "
                "review the pair with the kept record instead"
            )
            raise ValueError(msg)
    moved = uow.children.update(attrs.evolve(merged, merged_into=kept.id))
    cases = [
        uow.cases.update(attrs.evolve(case, child_id=kept.id))
        for case in uow.cases.find(CaseQuery(child_id=merged.id))
    ]
    families = []
    for family in _families_of(uow, merged.id):
        members = tuple(
            attrs.evolve(member, child_id=kept.id) if member.child_id == merged.id else member
            for member in family.members
        )
        families.append(uow.families.update(attrs.evolve(family, members=members)))
    return Merged(moved, tuple(cases), tuple(families))


def _families_of(uow: UnitOfWork, child_id: str) -> list[Family]:
    """Return the households one of whose members is the child ``child_id`` (indexed)."""
    return uow.families.find(FAMILY.query(member_child=child_id))
