r"""The audit trail: who read or changed which record, when, in an append-only hash chain.

Every read of personal data and every change, refused ones included, is recorded as an
:class:`AuditEntry`: the actor, the action, the record (type, id and version), the outcome and
the instant.  Entries are numbered ``1, 2, 3 ...`` (``seq``) and chained: each carries the
SHA-256 hash of the entry before it and its own hash over all its fields, so that an entry
edited, deleted, reordered or forged after it was written is found by :meth:`AuditTrail.verify`.

An application service hands in :class:`AuditDraft` objects inside its unit of work
(``uow.audit.append(drafts, at)``, see :class:`wladna_core.storage.ports.AuditLog`), so that a
change and its audit entry are committed, or rolled back, together.  :func:`chain` is the one
place where entries are numbered and hashed, whatever the store.

The hash of an entry is the lower-case hex SHA-256 of the UTF-8 bytes of a JSON object (see
:func:`canonical_json`): every field of the entry but ``hash``, keys sorted, no spaces, text
written as is (not ``\u`` escaped), ``at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``:

>>> from datetime import UTC, datetime
>>> draft = AuditDraft("worker-7", "case.read", "Case", "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", 3)
>>> (entry,) = chain([draft], at=datetime(2026, 1, 1, 9, 30, tzinfo=UTC), after=None)
>>> text = canonical_json(entry)
>>> text[:79]
'{"action":"case.read","actor_id":"worker-7","at":"2026-01-01T09:30:00.000000Z",'
>>> text[text.index('"record_id"'):]
'"record_id":"0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f","record_type":"Case","seq":1,"version":3}'
>>> import hashlib
>>> entry.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
True
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.errors import InvariantError, WladnaError
from wladna_core.model._checks import count, text_problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from wladna_core.storage.ports import Store

__all__ = [
    "ACTION_MAX",
    "ACTOR_MAX",
    "DENIED",
    "DETAIL_MAX",
    "DONE",
    "GENESIS",
    "OUTCOMES",
    "RECORD_ID_MAX",
    "RECORD_TYPE_MAX",
    "AuditDraft",
    "AuditEntry",
    "AuditHead",
    "AuditTampered",
    "AuditTrail",
    "Problem",
    "ProblemKind",
    "Verification",
    "canonical_json",
    "chain",
    "check_drafts",
    "damage",
    "entry_hash",
    "entry_text",
    "storable",
]

#: The ``previous_hash`` of the first entry (``seq`` 1): sixty-four zeros.
GENESIS: Final = "0" * 64
#: The outcome of an action that was done.
DONE: Final = "done"
#: The outcome of an action that was refused (the entry's ``detail`` says why).
DENIED: Final = "denied"
#: Every outcome an entry may have.
OUTCOMES: Final = (DONE, DENIED)

#: Longest actor id, in characters.
ACTOR_MAX: Final = 100
#: Longest action name, in characters.
ACTION_MAX: Final = 64
#: Longest record type name, in characters.
RECORD_TYPE_MAX: Final = 64
#: Longest record id, in characters.
RECORD_ID_MAX: Final = 100
#: Longest detail, in characters.
DETAIL_MAX: Final = 1000

# "\Z" rather than "$", which would also accept a line feed at the end.
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
_RECORD_TYPE = re.compile(r"^[A-Z][A-Za-z0-9]*\Z")
_HEX_HASH = re.compile(r"^[0-9a-f]{64}\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters of a stored value shown in a problem's message.
_SHOWN_MAX: Final = 40
# Entries are verified this many positions around their own for a hash made at another seq.
_REORDER_WINDOW: Final = 1000
_DEFAULT_BATCH: Final = 500


# Drafts -----------------------------------------------------------------------------------------


def _entry_text(max_len: int, *, optional: bool = False) -> Any:
    """Validate text of at most ``max_len`` characters, not blank, that a store can keep.

    An entry records what happened as it was asked, so any text is accepted but the NUL
    character and lone surrogates, which no database keeps exactly: :func:`storable` writes
    them as escapes.
    """

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str):
            expected = "text or None" if optional else "text"
            msg = f"{attribute.name} must be {expected}, got {type(value).__name__}"
            raise TypeError(msg, attribute, "text", value)
        if len(value) > max_len:
            raise InvariantError(
                "input.too_long",
                f"{attribute.name} has {len(value)} characters; at most {max_len} are allowed",
                attribute.name,
            )
        if not value.strip():
            raise InvariantError(
                "input.blank", f"{attribute.name} must not be blank", attribute.name
            )
        if "\x00" in value or _SURROGATE.search(value) is not None:
            raise InvariantError(
                "audit.text_unstorable",
                f"{attribute.name} holds a NUL character or an unpaired surrogate, which a "
                "store cannot keep; write it through wladna_core.audit.storable() first",
                attribute.name,
            )

    return check


def entry_text(value: object) -> bool:
    r"""Whether an entry could hold ``value`` in a text field (``None`` counts as "no filter").

    Entries never hold the NUL character nor lone surrogates (:func:`storable` escapes them), so
    a search for such text finds nothing, without asking a database that would fail on it.

    >>> entry_text("worker-7"), entry_text(None), entry_text("a\x00b"), entry_text("\ud800")
    (True, True, False, False)
    """
    if value is None:
        return True
    return isinstance(value, str) and "\x00" not in value and _SURROGATE.search(value) is None


def storable(value: str, max_len: int) -> str:
    r"""Return ``value`` as an audit entry keeps it: escaped where needed, and short enough.

    What an actor asked for is recorded even when it is not a valid id (a probe with a NUL
    character, a lone surrogate, a megabyte of text): control characters, noncharacters, lone
    surrogates and backslashes are written as Python escapes (``\x00``, ``\ud800``, ``\\``),
    text that is blank is quoted (``' '``), and text longer than ``max_len`` is cut, ending with
    ``…``.  Other text comes back unchanged.

    >>> storable("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", 100)
    '0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f'
    >>> print(storable("a\x00b\ud800", 100))
    a\x00b\ud800
    >>> print(storable(" ", 100))
    ' '
    >>> len(storable("x" * 10_000, 100))
    100
    """
    if "\\" in value or not (value.isprintable() or text_problem(value) is None):
        value = "".join(_escaped(character) for character in value)
    if not value.strip():
        value = repr(value)
    return value if len(value) <= max_len else value[: max_len - 1] + "…"


def _escaped(character: str) -> str:
    if character == "\\":
        return "\\\\"
    if text_problem(character) is None:
        return character
    code = ord(character)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def _matching(pattern: re.Pattern[str], example: str) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
        if not pattern.match(value):
            raise InvariantError(
                f"audit.{attribute.name}_format",
                f"{attribute.name} must look like {example!r}, got {value!r}",
                attribute.name,
            )

    return check


def _optional_count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        count(instance, attribute, value)


def _outcome(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in OUTCOMES:
        raise InvariantError(
            "audit.outcome",
            f"outcome must be one of {', '.join(OUTCOMES)}, got {value!r}",
            attribute.name,
        )


@attrs.frozen
class AuditDraft:
    """One action to record, as an application service hands it in.

    :param actor_id: who acted (the actor's id; at most :data:`ACTOR_MAX` characters).
    :param action: what was done, a lower-case dotted name such as ``case.read``,
        ``case.close``, ``referral.accept`` or ``child.register``.
    :param record_type: the type of the record acted on: ``Case``, ``Child``, ``Family``,
        ``Referral``, ``TerritorialBody``, ``Report``...
    :param record_id: the record's id, or ``None`` when the action has no single record.
    :param version: the version of the record read or written (``None`` if none).
    :param outcome: :data:`DONE` or :data:`DENIED`.
    :param detail: a short note, e.g. why the action was denied.  Never personal data: the
        trail is kept for years and read by auditors.
    :raises InvariantError: if a field is blank, too long, badly shaped, or holds text a store
        cannot keep (the code names the field).
    """

    actor_id: str = attrs.field(validator=_entry_text(ACTOR_MAX))
    action: str = attrs.field(validator=[_entry_text(ACTION_MAX), _matching(_ACTION, "case.read")])
    record_type: str = attrs.field(
        validator=[_entry_text(RECORD_TYPE_MAX), _matching(_RECORD_TYPE, "Case")]
    )
    record_id: str | None = attrs.field(validator=_entry_text(RECORD_ID_MAX, optional=True))
    version: int | None = attrs.field(validator=_optional_count)
    outcome: str = attrs.field(default=DONE, validator=_outcome)
    detail: str | None = attrs.field(default=None, validator=_entry_text(DETAIL_MAX, optional=True))


# Entries ----------------------------------------------------------------------------------------


@attrs.frozen
class AuditEntry:
    """One entry of the audit trail, as a store keeps it and gives it back.

    Entries are made by :func:`chain` only.  What a store reads back is not checked when it is
    built: an entry changed in the database must reach :meth:`AuditTrail.verify` to be reported.

    :param seq: the entry's position in the chain: 1, 2, 3...
    :param at: when the action happened, in UTC (microseconds kept).
    :param actor_id: who acted.
    :param action: what was done (``case.read``...).
    :param record_type: the type of the record acted on.
    :param record_id: the record's id, or ``None``.
    :param version: the version of the record read or written, or ``None``.
    :param outcome: ``done`` or ``denied``.
    :param detail: a short note, or ``None``.
    :param previous_hash: the ``hash`` of entry ``seq - 1``; :data:`GENESIS` for ``seq`` 1.
    :param hash: the hex SHA-256 of :func:`canonical_json` of this entry.
    """

    seq: int
    at: datetime
    actor_id: str
    action: str
    record_type: str
    record_id: str | None
    version: int | None
    outcome: str
    detail: str | None
    previous_hash: str
    hash: str

    @property
    def draft(self) -> AuditDraft:
        """The action this entry records, as it was handed in.

        :raises InvariantError: if the stored fields are no longer a valid draft.
        """
        return AuditDraft(
            self.actor_id,
            self.action,
            self.record_type,
            self.record_id,
            self.version,
            self.outcome,
            self.detail,
        )

    @property
    def head(self) -> AuditHead:
        """This entry's place in the chain (seq and hash), to keep outside the store."""
        return AuditHead(self.seq, self.hash)

    def hash_matches(self) -> bool:
        """Whether :attr:`hash` is the hash of this entry's fields, as :func:`chain` made it."""
        return entry_hash(self) == self.hash


def _utc_time(at: object) -> str | None:
    """Return ``at`` in UTC written ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``None`` if it is no moment."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        return None
    try:
        moment = at.astimezone(UTC)
    except (OverflowError, ValueError):  # a zone that takes it outside the calendar
        return None
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def _utc_text(at: object) -> str:
    return _utc_time(at) or repr(at)  # repr: only a damaged entry, whose hash will not match


def canonical_json(entry: AuditEntry) -> str:
    r"""Return the text whose SHA-256 is the entry's hash.

    A JSON object with the fields ``action``, ``actor_id``, ``at``, ``detail``, ``outcome``,
    ``previous_hash``, ``record_id``, ``record_type``, ``seq`` and ``version`` in this (sorted)
    order, no whitespace, ``null`` for ``None``, numbers as integers, text as is (only ``"``,
    ``\`` and control characters escaped, as JSON requires), ``at`` in UTC written
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.  For such values this is also the JSON Canonicalization
    Scheme (RFC 8785), so that any language can recompute it.

    :param entry: the entry (its ``hash`` is not part of the text).
    """
    fields = {
        "action": entry.action,
        "actor_id": entry.actor_id,
        "at": _utc_text(entry.at),
        "detail": entry.detail,
        "outcome": entry.outcome,
        "previous_hash": entry.previous_hash,
        "record_id": entry.record_id,
        "record_type": entry.record_type,
        "seq": entry.seq,
        "version": entry.version,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    """Return the hex SHA-256 of the UTF-8 bytes of :func:`canonical_json` of ``entry``.

    The entry's own ``hash`` field is ignored: this is what it must equal.
    """
    data = canonical_json(entry).encode("utf-8", errors="surrogatepass")
    return hashlib.sha256(data).hexdigest()


def check_drafts(drafts: Iterable[AuditDraft], at: datetime) -> list[AuditDraft]:
    """Return ``drafts`` as a list once checked as :func:`chain` checks them, without hashing.

    :param drafts: the actions to record.
    :param at: when they happened.
    :raises InvariantError: if ``at`` is not a timezone-aware datetime.
    :raises TypeError: if an item of ``drafts`` is not an :class:`AuditDraft`.
    """
    if _utc_time(at) is None:
        raise InvariantError(
            "audit.at_naive",
            f"the time of audit entries must be a timezone-aware datetime (e.g. "
            f"datetime.now(UTC)) that UTC can hold, got {at!r}",
            "at",
        )
    batch = list(drafts)
    for item in batch:
        draft: object = item  # checked at run time: callers may pass anything
        if not isinstance(draft, AuditDraft):
            msg = f"the audit trail records AuditDraft objects, got {type(draft).__name__}"
            raise TypeError(msg)
    return batch


def chain(drafts: Iterable[AuditDraft], at: datetime, after: AuditEntry | None) -> list[AuditEntry]:
    """Return ``drafts`` numbered and hashed as the entries that follow ``after``.

    :param drafts: the actions to record, in order.
    :param at: when they happened; timezone-aware, kept in UTC with its microseconds.
    :param after: the last entry of the chain, or ``None`` for a chain with no entry yet.
    :returns: one entry per draft, ``seq`` following ``after.seq`` (from 1 when ``after`` is
        ``None``), each linked to the one before it.
    :raises InvariantError: if ``at`` is not a timezone-aware datetime.
    :raises TypeError: if an item of ``drafts`` is not an :class:`AuditDraft`, or ``after`` is
        not an :class:`AuditEntry` or ``None``.
    :raises AuditTampered: if ``after`` was damaged in the database (a seq that is not a
        number, a hash that is not text...): the chain cannot go on from it.
    """
    batch = check_drafts(drafts, at)
    given: object = after  # checked at run time: callers may pass anything
    if given is not None and not isinstance(given, AuditEntry):
        msg = f"after must be the last AuditEntry of the chain or None, got {type(given).__name__}"
        raise TypeError(msg)
    if after is not None:
        _check_continuable(after)
    moment = at.astimezone(UTC)
    seq, previous = (0, GENESIS) if after is None else (after.seq, after.hash)
    entries: list[AuditEntry] = []
    for draft in batch:
        seq += 1
        unhashed = AuditEntry(
            seq=seq,
            at=moment,
            actor_id=draft.actor_id,
            action=draft.action,
            record_type=draft.record_type,
            record_id=draft.record_id,
            version=draft.version,
            outcome=draft.outcome,
            detail=draft.detail,
            previous_hash=previous,
            hash="",
        )
        entry = attrs.evolve(unhashed, hash=entry_hash(unhashed))
        entries.append(entry)
        previous = entry.hash
    return entries


# Verification -----------------------------------------------------------------------------------


@attrs.frozen
class AuditHead:
    """A point of the chain (an entry's ``seq`` and ``hash``), to keep outside the store.

    Export the head of the trail regularly (:meth:`AuditTrail.head`) to a place the store's
    administrators cannot write; :meth:`AuditTrail.verify` given those heads as ``anchors``
    detects a trail truncated or rewritten since.

    :param seq: the entry's position.
    :param hash: the entry's hash (64 lower-case hex digits).
    :raises InvariantError: if ``seq`` is below 1 or ``hash`` is not 64 hex digits.
    """

    seq: int = attrs.field(validator=count)
    hash: str = attrs.field()

    @seq.validator
    def _check_seq(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise InvariantError("audit.seq", "an audit entry's seq is 1 or more", attribute.name)

    @hash.validator
    def _check_hash(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not _HEX_HASH.match(value):
            raise InvariantError(
                "audit.hash", "an audit hash is 64 lower-case hex digits", attribute.name
            )

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


class ProblemKind(enum.StrEnum):
    """What is wrong with the trail at one entry."""

    #: The entry's fields do not give its hash: it was edited, or forged, after it was written.
    EDITED = "edited"
    #: Entries are missing before this one: deleted.
    MISSING = "missing"
    #: The entry's hash is right for another position: entries were moved.
    REORDERED = "reordered"
    #: The entry's ``previous_hash`` is not the hash of the entry before it: that one was
    #: rewritten, replaced or removed.
    BROKEN_LINK = "broken_link"
    #: An exported head is beyond the end of the trail: its tail was removed.
    TRUNCATED = "truncated"
    #: An exported head no longer matches the entry at its seq: the trail was rewritten.
    REWRITTEN = "rewritten"
    #: A field of the stored row holds what no entry can (a time written as text or out of
    #: range, a seq that is not a number, bytes, nothing where a value must be): the row was
    #: changed in the database.
    DAMAGED = "damaged"


@attrs.frozen
class Problem:
    """One thing found wrong by :meth:`AuditTrail.verify`.

    :param seq: the position where it was found (for ``missing``, the first missing one).
    :param kind: what is wrong.
    :param message: a sentence for an auditor.
    """

    seq: int
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq} ({self.kind.value}): {self.message}"


@attrs.frozen
class Verification:
    """The result of :meth:`AuditTrail.verify`.

    :param ok: whether no problem was found.
    :param checked: how many stored entries were read.
    :param problems: what was found, in order of seq (at most the ``max_problems`` asked for).
    :param head: the last stored entry's seq and hash, to export (``None`` for an empty trail,
        or when the last entry is damaged).
    """

    ok: bool
    checked: int
    problems: tuple[Problem, ...] = ()
    head: AuditHead | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"audit trail ok: {self.checked} entries, head {self.head}"
        shown = "; ".join(str(problem) for problem in self.problems[:5])
        more = len(self.problems) - 5
        tail = f"; and {more} more" if more > 0 else ""
        return f"audit trail NOT ok after {self.checked} entries: {shown}{tail}"


class AuditTampered(WladnaError):
    """The audit trail failed verification: entries were changed outside wladna_core.

    :param verification: what :meth:`AuditTrail.verify` found.
    """

    def __init__(self, verification: Verification) -> None:
        self.verification = verification
        first = verification.problems[0] if verification.problems else None
        where = f"at seq {first.seq} ({first.kind.value}: {first.message})" if first else ""
        count_ = len(verification.problems)
        super().__init__(
            f"the audit trail fails verification {where} ({count_} problem"
            f"{'' if count_ == 1 else 's'} found in {verification.checked} entries). Its "
            "entries were changed outside wladna_core: keep the database as it is for the "
            "investigation, and compare it with a backup and with the exported heads"
        )

    @property
    def first_seq(self) -> int | None:
        """The seq of the first problem."""
        problems = self.verification.problems
        return problems[0].seq if problems else None

    def __reduce__(self) -> tuple[type[AuditTampered], tuple[Verification]]:
        return (type(self), (self.verification,))


def _written_at(entry: AuditEntry) -> int | None:
    """Return the other seq for which ``entry``'s fields give its hash, nearest first."""
    low = max(1, entry.seq - _REORDER_WINDOW)
    high = entry.seq + _REORDER_WINDOW
    for distance in range(1, _REORDER_WINDOW + 1):
        for seq in (entry.seq - distance, entry.seq + distance):
            if low <= seq <= high and entry_hash(attrs.evolve(entry, seq=seq)) == entry.hash:
                return seq
    return None


def _check_continuable(last: AuditEntry) -> None:
    """Refuse to chain after an entry whose seq or hash was damaged in the database."""
    damaged = damage(last)
    if damaged is None or (_whole(last.seq) and last.seq >= 1 and isinstance(last.hash, str)):
        return
    problem = Problem(
        last.seq if _whole(last.seq) and last.seq >= 1 else 0,
        ProblemKind.DAMAGED,
        f"the last entry of the trail cannot be an audit entry: {damaged}; no entry can follow "
        "it until the trail is restored",
    )
    raise AuditTampered(Verification(ok=False, checked=1, problems=(problem,)))


def _head_of(entry: AuditEntry) -> AuditHead | None:
    """Return the head of ``entry``, or ``None`` if its seq or hash cannot make one."""
    if not _whole(entry.seq) or entry.seq < 1 or not isinstance(entry.hash, str):
        return None
    if _HEX_HASH.match(entry.hash) is None:
        return None
    return AuditHead(entry.seq, entry.hash)


def _whole(value: object) -> bool:
    return type(value) is int


def _shown(value: object) -> str:
    """Show a stored value in a message: its kind and a short, printable form."""
    text = repr(value)
    if len(text) > _SHOWN_MAX:
        text = text[: _SHOWN_MAX - 1] + "…"
    return f"{text} ({type(value).__name__})"


def damage(entry: AuditEntry) -> str | None:
    """Say what makes ``entry`` unlike any entry :func:`chain` makes, or return ``None``.

    Checks the kind of each field only (a number, a time with its zone, text); a field of the
    right kind but another value is found by the hash.  An entry read from a row changed in the
    database may hold anything: this never raises.

    >>> from datetime import UTC, datetime
    >>> (entry,) = chain([AuditDraft("w-7", "case.read", "Case", None, 1)], datetime.now(UTC), None)
    >>> damage(entry) is None
    True
    >>> damage(attrs.evolve(entry, seq="7"))
    "its seq is '7' (str), not a whole number of 1 or more"
    """
    seq = entry.seq
    if not _whole(seq) or seq < 1:
        return f"its seq is {_shown(seq)}, not a whole number of 1 or more"
    if _utc_time(entry.at) is None:
        return f"its time is {_shown(entry.at)}, not a moment with its time zone"
    for name in ("actor_id", "action", "record_type", "outcome", "previous_hash", "hash"):
        value = getattr(entry, name)
        if not isinstance(value, str):
            return f"its {name} is {_shown(value)}, not text"
    for name in ("record_id", "detail"):
        value = getattr(entry, name)
        if value is not None and not isinstance(value, str):
            return f"its {name} is {_shown(value)}, not text nor null"
    version = entry.version
    if version is not None and not _whole(version):
        return f"its version is {_shown(version)}, not a whole number nor null"
    return None


def _problems_of(entry: AuditEntry, before: int, *, before_hash: str | None) -> Iterator[Problem]:
    """Yield what is wrong with ``entry``, the stored entry after the one at seq ``before``.

    ``before_hash`` is the hash of that entry when it is sound (its own hash matched), else
    ``None``: the link is checked only to a sound entry, so that a damaged entry is reported
    once, not again at the next one.
    """
    expected_seq = before + 1
    seq = entry.seq
    if _whole(seq) and seq > expected_seq:
        last_missing = seq - 1
        which = (
            f"entry {expected_seq} is"
            if last_missing == expected_seq
            else f"entries {expected_seq} to {last_missing} are"
        )
        yield Problem(expected_seq, ProblemKind.MISSING, f"{which} missing: deleted")
    elif _whole(seq) and seq < expected_seq and seq >= 1:
        yield Problem(
            seq,
            ProblemKind.REORDERED,
            f"seq {seq} comes after seq {expected_seq - 1}: stored twice or out of order",
        )
        return
    damaged = damage(entry)
    if damaged is not None:
        where = seq if _whole(seq) and seq >= 1 else expected_seq
        place = "the entry" if where == seq else f"the entry stored after seq {before}"
        yield Problem(
            where,
            ProblemKind.DAMAGED,
            f"{place} cannot be an audit entry: {damaged}; its row was changed in the database",
        )
        return
    if not entry.hash_matches():
        written_at = _written_at(entry)
        if written_at is not None:
            yield Problem(
                seq,
                ProblemKind.REORDERED,
                f"the entry stored at seq {seq} was written at seq {written_at}: "
                "entries were moved",
            )
        else:
            yield Problem(
                seq,
                ProblemKind.EDITED,
                "its fields do not give its hash: it was edited, or forged, after it was written",
            )
        return
    previous_hash = GENESIS if before == 0 else before_hash
    if previous_hash is not None and entry.previous_hash != previous_hash and seq == expected_seq:
        against = "the genesis value" if before == 0 else f"the hash of entry {before}"
        yield Problem(
            seq,
            ProblemKind.BROKEN_LINK,
            f"its previous_hash is not {against}: the entry before it was rewritten, "
            "replaced or removed",
        )


class AuditTrail:
    """The audit trail of a store: read it, verify it.

    Entries are appended by application services through their unit of work
    (``uow.audit.append``); there is no way to change or delete one.

    :param store: the store whose trail this is.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"<AuditTrail of {self.store!r}>"

    def entries(
        self,
        *,
        record_id: str | None = None,
        actor_id: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Return committed entries in order of seq: all, or those of a record or actor.

        :param record_id: only the entries about this record.
        :param actor_id: only the entries of this actor.
        :param after_seq: only entries whose seq is greater (to page through the trail).
        :param limit: at most this many (all when ``None``).
        :raises ValueError: if ``after_seq`` or ``limit`` is negative.
        """
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
        ):
            msg = f"limit must be a whole number >= 0 or None, got {limit!r}"
            raise ValueError(msg)
        if limit == 0:
            return []
        batch = _DEFAULT_BATCH if limit is None else min(limit, _DEFAULT_BATCH)
        found = self.store.audit_entries(
            after_seq, record_id=record_id, actor_id=actor_id, batch_size=batch
        )
        return list(found if limit is None else itertools.islice(found, limit))

    def head(self) -> AuditHead | None:
        """Return the last committed entry's seq and hash (``None`` while the trail is empty).

        Keep it somewhere the store's administrators cannot write, to pass later to
        :meth:`verify` as an anchor.

        :raises AuditTampered: if the last entry was damaged in the database: it has no head
            worth keeping.
        """
        with self.store.unit_of_work() as uow:
            last = uow.audit.last()
        if last is None:
            return None
        head = _head_of(last)
        if head is None or damage(last) is not None:
            _check_continuable(last)
            why = damage(last) or "its hash is not 64 lower-case hex digits"
            problem = Problem(
                last.seq,
                ProblemKind.DAMAGED,
                f"the last entry cannot be an audit entry: {why}; its row was changed in the "
                "database",
            )
            raise AuditTampered(Verification(ok=False, checked=1, problems=(problem,)))
        return head

    def verify(
        self,
        *,
        strict: bool = False,
        anchors: Iterable[AuditHead] = (),
        batch_size: int = _DEFAULT_BATCH,
        max_problems: int = 100,
    ) -> Verification:
        """Check every committed entry, streaming the trail ``batch_size`` entries at a time.

        Finds entries edited, forged, deleted or moved, links broken, and rows damaged in the
        database (a field holding what no entry can: a time written as text or beyond the
        calendar, a seq that is not a number, bytes, nulls): every one is a problem naming the
        entry's seq (or, for a seq that is not a number, the position it was read at), never
        an error.  Removing the last entries leaves a valid, shorter chain: only ``anchors``
        (heads exported earlier) reveal it, and reveal a trail rewritten from the start too.

        :param strict: raise :class:`AuditTampered` instead of returning a failed verification.
        :param anchors: heads exported earlier (:meth:`head`); each must still be in the trail.
        :param batch_size: entries read at a time; only one batch is held in memory.
        :param max_problems: stop after finding this many problems.
        :raises AuditTampered: if ``strict`` and a problem was found.
        """
        pending: list[AuditHead] = []
        for item in anchors:
            anchor: object = item  # checked at run time: callers may pass anything
            if not isinstance(anchor, AuditHead):
                msg = f"anchors are AuditHead objects, got {type(anchor).__name__}"
                raise TypeError(msg)
            pending.append(anchor)
        pending.sort(key=lambda anchor: anchor.seq)
        problems: list[Problem] = []
        # The position reached (the seq of the last entry read, or where a damaged seq stood),
        # the hash of that entry when it is sound, and the head to export.
        position = 0
        sound_hash: str | None = GENESIS
        head: AuditHead | None = None
        checked = 0
        for entry in self.store.audit_entries(batch_size=batch_size):
            checked += 1
            found = list(_problems_of(entry, position, before_hash=sound_hash))
            problems.extend(found)
            kinds = {problem.kind for problem in found}
            damaged = ProblemKind.DAMAGED in kinds
            seq = entry.seq
            if _whole(seq) and seq > position:
                # A seq that is not one, or one out of order, takes no place in the chain.
                position = seq
            sound = not kinds & {ProblemKind.EDITED, ProblemKind.REORDERED, ProblemKind.DAMAGED}
            sound_hash = entry.hash if sound else None
            head = None if damaged else _head_of(entry)
            while pending and pending[0].seq <= position:
                anchor = pending.pop(0)
                if anchor.seq == position and anchor.hash != entry.hash:
                    problems.append(
                        Problem(
                            position,
                            ProblemKind.REWRITTEN,
                            f"the exported head {anchor} no longer matches the entry at seq "
                            f"{position}: the trail was rewritten",
                        )
                    )
            if len(problems) >= max_problems:
                break
        else:
            problems.extend(
                Problem(
                    anchor.seq,
                    ProblemKind.TRUNCATED,
                    f"the exported head {anchor} is beyond the last entry "
                    f"({position}): entries were removed from the end",
                )
                for anchor in pending
            )
        verification = Verification(
            ok=not problems,
            checked=checked,
            problems=tuple(problems[:max_problems]),
            head=head,
        )
        if strict and not verification.ok:
            raise AuditTampered(verification)
        return verification

    def check(self, *, anchors: Iterable[AuditHead] = ()) -> None:
        """Verify the trail, and raise if anything is wrong.

        :param anchors: heads exported earlier (see :meth:`verify`).
        :raises AuditTampered: naming the first problem's seq.
        """
        self.verify(strict=True, anchors=anchors)
