"""The casework of possible duplicates: the warning at registration, the review queue, decisions.

The services of :class:`~wladna_core.services.CaseWork` (``register_child``,
``duplicate_queue``, ``confirm_duplicate``, ``dismiss_duplicate``) run these functions inside
their unit of work, after their own access checks, and audit what they read and write.

Privacy: a candidate the actor may not see in full is reported as a :class:`PossibleMatch`
without its record, its id or its reasons — only its score and the bodies holding it ("a
possible match is held by body X"), so that the two bodies can talk.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

import attrs

from wladna_core.access import Action, View
from wladna_core.duplicates import (
    POSSIBLE_DUPLICATE,
    DuplicatePair,
    PairStatus,
    candidates,
    confirm,
    dismiss,
    merge,
    pair_key,
)
from wladna_core.errors import Severity, Violation
from wladna_core.matching import Reason
from wladna_core.messages import Message, Text, render
from wladna_core.model import Child, TerritorialBody
from wladna_core.storage import CaseQuery, NotFound
from wladna_core.storage.builtin_kinds import DUPLICATE_PAIR
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from wladna_core.audit import AuditDraft
    from wladna_core.services import CaseWork, _Work
    from wladna_core.storage import UnitOfWork

__all__ = [
    "POSSIBLE_DUPLICATE_MESSAGE",
    "DuplicatePair",
    "PossibleMatch",
    "QueuedPair",
    "check_registration",
    "confirm_pair",
    "dismiss_pair",
    "possible_duplicate_warning",
    "queue",
]

#: What ``child.possible_duplicate`` says, in English, French and Arabic.
POSSIBLE_DUPLICATE_MESSAGE: Final = Message(
    message=Text(
        "This child may be registered already: {count} possible match(es), {shown} shown "
        "here, {held} held by other bodies ({bodies}).",
        "Cet enfant est peut-être déjà enregistré : {count} correspondance(s) possible(s), "
        "{shown} affichée(s) ici, {held} détenue(s) par d'autres structures ({bodies}).",
        "قد يكون هذا الطفل مسجّلاً من قبل: {count} تطابق محتمل، {shown} معروض هنا، و{held} "
        "لدى هيئات أخرى ({bodies}).",
    ),
    remedy=Text(
        "Compare the records before opening a case; a pair that is one child is confirmed in "
        "the review queue (confirm_duplicate), otherwise dismissed (dismiss_duplicate). For a "
        "match held by another body, contact that body.",
        "Comparez les fiches avant d'ouvrir un dossier ; une paire qui est un seul enfant se "
        "confirme dans la file de revue (confirm_duplicate), sinon elle s'écarte "
        "(dismiss_duplicate). Pour une correspondance détenue par une autre structure, "
        "contactez-la.",
        "قارن البطاقات قبل فتح ملف؛ الزوج الذي يخص طفلاً واحداً يُؤكَّد في قائمة المراجعة "
        "(confirm_duplicate)، وإلا يُستبعد (dismiss_duplicate). وللتطابق الموجود لدى هيئة "
        "أخرى، تواصل مع تلك الهيئة.",
    ),
)


@attrs.frozen
class PossibleMatch:
    """A stored record that may be the same child, as the actor may be shown it.

    :param score: the matcher's score, in ``[0, 1]``.
    :param verdict: ``duplicate`` (at or above the duplicate threshold) or ``possible``.
    :param pair_id: the pair in the review queue.
    :param child: the record, when the actor sees it in full; ``None`` otherwise.
    :param reasons: the score's reasons, when the actor sees the record; empty otherwise.
    :param held_by: when the actor does not see it: the ids of the bodies whose cases hold it
        (empty for a child registered by another team, without a case yet).
    :param held_by_names: those bodies' names, in the same order.
    """

    score: float
    verdict: str
    pair_id: str | None = None
    child: Child | None = None
    reasons: tuple[Reason, ...] = ()
    held_by: tuple[str, ...] = ()
    held_by_names: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        """Whether the actor is shown the record itself."""
        return self.child is not None

    def describe(self) -> str:
        """Say what the match is, without personal data when it is out of the actor's scope."""
        if self.child is not None:
            return f"Child {self.child.id} ({self.verdict}, score {self.score:.2f})"
        holders = ", ".join(self.held_by_names) or "another team (no case open yet)"
        return f"a possible match is held by {holders} ({self.verdict})"


_NO_CASE_YET = {
    "en": "registered by a team, no case open yet",
    "fr": "enregistrée par une équipe, sans dossier ouvert",
    "ar": "سجّله فريق ولم يُفتح له ملف بعد",
}


def possible_duplicate_warning(
    matches: list[PossibleMatch], record: str, *, lang: str = "en"
) -> Violation:
    """Return the warning ``child.possible_duplicate`` for the ``matches`` of one registration."""
    held = [match for match in matches if not match.in_scope]
    bodies = sorted({name for match in held for name in match.held_by_names})
    params = {
        "count": len(matches),
        "shown": len(matches) - len(held),
        "held": len(held),
        # A record no case refers to yet is held by the team that registered it, which the
        # store does not name: the warning says so rather than naming no one.
        "bodies": ", ".join(bodies) or _NO_CASE_YET.get(lang, _NO_CASE_YET["en"]),
    }
    message, remedy = render(POSSIBLE_DUPLICATE_MESSAGE, lang, params)
    return Violation(
        code=POSSIBLE_DUPLICATE,
        path="$",
        message=message,
        severity=Severity.WARNING,
        record=record,
        remedy=remedy,
    )


def _holders(uow: UnitOfWork, child: Child) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids = sorted({case.body_id for case in uow.cases.find(CaseQuery(child_id=child.id))})
    names = []
    for body_id in ids:
        try:
            names.append(uow.bodies.get(body_id).name)
        except NotFound:
            names.append(body_id)
    return tuple(ids), tuple(names)


def _as_seen(
    casework: CaseWork, uow: UnitOfWork, other: Child, *, score: float, verdict: str,
    reasons: tuple[Reason, ...] = (), pair_id: str | None,
) -> PossibleMatch:  # fmt: skip
    if casework._full_view_of_child(uow, other):
        return PossibleMatch(score, verdict, pair_id, other, reasons)
    held_by, names = _holders(uow, other)
    return PossibleMatch(score, verdict, pair_id, held_by=held_by, held_by_names=names)


def _draft(casework: CaseWork, action: Action, record: object, detail: str) -> AuditDraft:
    return casework._draft(action, record, detail=detail)


def check_registration(
    casework: CaseWork, uow: UnitOfWork, work: _Work, child: Child, body_id: str | None
) -> None:
    """Look for the possible duplicates of a child being registered; warn, queue and audit."""
    wladna = casework.wladna
    found = candidates(uow, child, wladna.matcher, wladna.matching, limit=wladna.max_candidates)
    pairs = uow.repository(DuplicatePair)
    known = {
        pair.key: pair
        for pair in pairs.find(
            DUPLICATE_PAIR.query(pair_keys={pair_key(child.id, s.other.id) for s in found})
        )
    } if found else {}  # fmt: skip
    matches = []
    for scored in found:
        pair = known.get(scored.key)
        if pair is None:
            pair = pairs.add(
                DuplicatePair(
                    child_id=child.id,
                    other_id=scored.other.id,
                    body_id=body_id,
                    score=scored.score.score,
                    reasons=[reason.code for reason in scored.score.reasons],
                    proposed_on=wladna.today(),
                )
            )
            work.drafts.append(_draft(casework, Action.DUPLICATE_REVIEW, pair, "proposed"))
        match = _as_seen(
            casework, uow, scored.other, score=scored.score.score, verdict=scored.verdict,
            reasons=scored.score.reasons, pair_id=pair.id,
        )  # fmt: skip
        if match.in_scope:
            detail = "shown as a possible match"
            work.drafts.append(_draft(casework, Action.CHILD_DUPLICATE_CHECK, scored.other, detail))
        matches.append(match)
    shown = sum(match.in_scope for match in matches)
    detail = f"{len(matches)} possible match(es): {shown} shown, {len(matches) - shown} held"
    work.drafts.append(_draft(casework, Action.CHILD_DUPLICATE_CHECK, child, detail))
    work.matches.extend(matches)
    # The warning is for a probable duplicate; possible ones wait in the review queue.
    if any(match.verdict == "duplicate" for match in matches):
        work.warnings.append(possible_duplicate_warning(matches, f"Child {child.id}"))


@attrs.frozen
class QueuedPair:
    """A pair of a body's review queue, as the actor may be shown it.

    :param pair_id: the pair, for :meth:`~wladna_core.services.CaseWork.confirm_duplicate` and
        :meth:`~wladna_core.services.CaseWork.dismiss_duplicate`.
    :param status: where it stands.
    :param proposed_on: the day it was proposed.
    :param child: the record registered last, when the actor sees it in full.
    :param other: the candidate as the actor may see it: without record, id nor reasons when
        out of the actor's scope.
    :param pair: the whole pair (both ids, the reason codes), only when the actor sees both
        records in full.
    """

    pair_id: str
    status: PairStatus
    proposed_on: date
    child: Child | None
    other: PossibleMatch
    pair: DuplicatePair | None = None


def _body_member(casework: CaseWork, uow: UnitOfWork, body_id: str | None, action: Action) -> None:
    if body_id is None or body_id not in casework.actor.bodies:
        raise casework._unseen(action, "TerritorialBody", body_id or "-")
    body = casework._get(uow, TerritorialBody, body_id, action)
    casework._require(action, body, View.NONE)


def queue(
    casework: CaseWork, uow: UnitOfWork, work: _Work, body_id: str, status: frozenset[str]
) -> list[QueuedPair]:
    """Return the pairs of ``body_id``'s review queue in ``status``, as the actor may see them."""
    _body_member(casework, uow, body_id, Action.DUPLICATE_REVIEW)
    wanted = frozenset(PairStatus(value) for value in status)
    found = uow.repository(DuplicatePair).find(DUPLICATE_PAIR.query(body_id=body_id, status=wanted))
    body = uow.bodies.get(body_id)
    work.drafts.append(_draft(casework, Action.DUPLICATE_REVIEW, body, f"{len(found)} pair(s)"))
    return [
        _as_queued(casework, uow, work, pair)
        for pair in sorted(found, key=lambda pair: (pair.proposed_on, pair.id))
    ]


def _as_queued(casework: CaseWork, uow: UnitOfWork, work: _Work, pair: DuplicatePair) -> QueuedPair:
    """Return ``pair`` as the actor may be shown it; each child shown is audited as read."""
    mine = uow.children.get(pair.child_id)
    other = uow.children.get(pair.other_id)
    seen_mine = mine if casework._full_view_of_child(uow, mine) else None
    verdict = _verdict(casework, pair)
    match = _as_seen(casework, uow, other, score=pair.score, verdict=verdict, pair_id=pair.id)
    for record in (seen_mine, match.child):
        if record is not None:
            work.drafts.append(_draft(casework, Action.CHILD_READ, record, "review queue"))
    whole = pair if seen_mine is not None and match.in_scope else None
    return QueuedPair(pair.id, pair.status, pair.proposed_on, seen_mine, match, whole)


def _verdict(casework: CaseWork, pair: DuplicatePair) -> str:
    threshold = casework.wladna.matching.duplicate_threshold
    return "duplicate" if pair.score >= threshold else "possible"


def _pair(casework: CaseWork, uow: UnitOfWork, pair_id: str, action: Action) -> DuplicatePair:
    pair = casework._get(uow, DuplicatePair, pair_id, action)  # type: ignore[type-var]
    if pair.body_id is None or pair.body_id not in casework.actor.bodies:
        raise casework._unseen(action, "DuplicatePair", pair_id)
    casework._require(action, pair, View.NONE if action is Action.DUPLICATE_REVIEW else View.FULL)
    return pair


def confirm_pair(
    casework: CaseWork, uow: UnitOfWork, work: _Work, pair_id: str, *, keep: str, on: date
) -> DuplicatePair:
    """Confirm the pair ``pair_id`` keeping ``keep``, and merge the other record into it."""
    pair = _pair(casework, uow, pair_id, Action.CHILD_MERGE)
    children = {}
    for child_id in pair.children:
        child = uow.children.get(child_id)
        view = View.FULL if casework._full_view_of_child(uow, child) else View.NONE
        casework._require(Action.CHILD_MERGE, child, view)
        children[child_id] = child
    decided = uow.repository(DuplicatePair).update(confirm(pair, keep, on, casework.actor.id))
    other = pair.other_id if keep == pair.child_id else pair.child_id
    try:
        merged = merge(uow, children[keep], children[other])
    except ValueError as error:
        raise TransitionRefused(f"DuplicatePair {pair.id}", "confirm", str(error)) from None
    work.drafts.append(_draft(casework, Action.CHILD_MERGE, decided, f"kept Child {keep}"))
    work.drafts.append(
        _draft(casework, Action.CHILD_MERGE, merged.child, f"merged into Child {keep}")
    )
    work.drafts.append(
        _draft(casework, Action.CHILD_MERGE, children[keep], f"kept; Child {other} merged into it")
    )
    for record in (*merged.cases, *merged.families):
        work.drafts.append(_draft(casework, Action.CHILD_MERGE, record, f"now names Child {keep}"))
    return decided


def dismiss_pair(
    casework: CaseWork, uow: UnitOfWork, work: _Work, pair_id: str, on: date
) -> QueuedPair:
    """Dismiss the pair ``pair_id``: two children, never proposed again.

    Returns the pair as the queue shows it to the actor: a member of the body may dismiss a
    pair whose candidate is held elsewhere, and is not told that record's id by doing so.
    """
    pair = _pair(casework, uow, pair_id, Action.DUPLICATE_REVIEW)
    decided = uow.repository(DuplicatePair).update(dismiss(pair, on, casework.actor.id))
    work.drafts.append(_draft(casework, Action.DUPLICATE_REVIEW, decided, "dismissed"))
    return _as_queued(casework, uow, work, decided)
