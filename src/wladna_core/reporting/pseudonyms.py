"""Keyed-hash pseudonyms for exports of personal data.

An export for analysis (a research team, an evaluation of the programme) needs to follow a child
from case to referral without knowing who the child is.  :class:`Pseudonymiser` turns each record
id into a *pseudonym*: an HMAC-SHA-256 of the id under a secret key, cut to 128 bits and written
in base 32 after a prefix naming what it stands for (``child_``, ``case_``...).  The same id
always gets the same pseudonym under one key, so that references between records still join;
without the key, a pseudonym cannot be traced back to its id, nor made from an id.

:func:`pseudonymise_record` applies it to a whole record as the converter writes it: it replaces
the record's id and every reference to another record (``child_id``, ``family_id``, ``case_id``,
the ``child_id`` of family members, body ids...) and the identifiers of staff (``worker_id``,
``by``, ``authorised_by``), and drops direct identifiers: names, identity documents, phone
numbers, e-mail addresses, the RSU household identifier, the case number, the kafala decision
number and every free-text note.  :func:`field_treatment` lists what happens to each field.

What stays (sex, dates of birth, places, concerns, dates of the case) can still single out a
child when combined: a pseudonymised export is personal data under Law 09-08, to be handled as
such, never published.  Publish only reports protected by
:func:`~wladna_core.reporting.privacy.suppress_report`.

**The key** is a secret of the deployment, at least 32 bytes (256 bits), e.g. made with
``python -c "import secrets; print(secrets.token_hex(32))"`` and given in the settings as
``pseudonym_key`` (:meth:`Pseudonymiser.from_settings`) or in a key file
(:meth:`Pseudonymiser.from_key_file`).  Keep it out of the exports and away from their readers.
Keep the same key for exports that must join one another; a new key (rotation) gives new
pseudonyms, unlinking later exports from earlier ones.

>>> pseudonymiser = Pseudonymiser(bytes(range(32)))
>>> pseudonymiser.pseudonym("child", "0190a8e2-7c1d-7000-8000-000000000001")
'child_...'
>>> len(_)
32
>>> record = {"sex": "female", "birth_date": "2015-03-02", "given_name": "Salma",
...           "id": "0190a8e2-7c1d-7000-8000-000000000001"}
>>> pseudonymise_record(record, pseudonymiser, "child")
{'sex': 'female', 'birth_date': '2015-03-02', 'id': 'child_...'}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Final, TypeAlias

import attrs

from wladna_core.convert import unstructure
from wladna_core.errors import WladnaError
from wladna_core.model import Case, Child, Family, Referral, TerritorialBody

__all__ = [
    "KEY_SETTING",
    "MIN_KEY_BYTES",
    "RECORD_TYPES",
    "PseudonymError",
    "Pseudonymiser",
    "field_treatment",
    "pseudonymise_record",
]

#: The smallest key accepted, in bytes (256 bits, the size of an HMAC-SHA-256 block's output).
MIN_KEY_BYTES: Final = 32

#: The name of the deployment setting holding the key (bytes, or text in hexadecimal).
KEY_SETTING: Final = "pseudonym_key"

#: The record types :func:`pseudonymise_record` knows, by the name exports use.
RECORD_TYPES: Final[Mapping[str, type]] = {
    "body": TerritorialBody,
    "child": Child,
    "family": Family,
    "case": Case,
    "referral": Referral,
}

# Bytes of the HMAC kept: 128 bits leave collisions out of reach for any number of records.
_DIGEST_BYTES: Final = 16


class PseudonymError(WladnaError, ValueError):
    """A key was refused, or a record could not be pseudonymised.

    The message names the key's source or the record type and path, and what to do; it never
    shows the key.
    """


class Pseudonymiser:
    """Makes stable keyed-hash pseudonyms of ids.

    :param key: the secret key, at least :data:`MIN_KEY_BYTES` bytes.
    :raises PseudonymError: if the key is not bytes or is too short.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        given: object = key  # callers without type checking may pass text
        if not isinstance(given, bytes | bytearray):
            msg = f"a pseudonym key is bytes, got {type(given).__name__}"
            raise PseudonymError(msg)
        if len(key) < MIN_KEY_BYTES:
            msg = (
                f"a pseudonym key needs at least {MIN_KEY_BYTES} bytes, this one has {len(key)}; "
                'make one with python -c "import secrets; print(secrets.token_hex(32))"'
            )
            raise PseudonymError(msg)
        self._key = bytes(key)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> Pseudonymiser:
        """Return the pseudonymiser of the key in the deployment settings (:data:`KEY_SETTING`).

        The setting holds the key as bytes, or as text in hexadecimal (64 digits or more).

        :raises PseudonymError: if the setting is missing, not hexadecimal text, or too short.
        """
        if KEY_SETTING not in settings:
            msg = (
                f"the setting {KEY_SETTING!r} is not set: exports with pseudonyms need the "
                "deployment's secret key, e.g. "
                'python -c "import secrets; print(secrets.token_hex(32))"'
            )
            raise PseudonymError(msg)
        value = settings[KEY_SETTING]
        if isinstance(value, bytes | bytearray):
            return cls(bytes(value))
        if isinstance(value, str):
            return cls(_from_hex(value, f"the setting {KEY_SETTING!r}"))
        msg = f"the setting {KEY_SETTING!r} holds a {type(value).__name__}, not bytes or text"
        raise PseudonymError(msg)

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> Pseudonymiser:
        """Return the pseudonymiser of the key written in hexadecimal in the file at ``path``.

        Spaces and line ends around the digits are ignored.

        :raises PseudonymError: if the file cannot be read, is not hexadecimal, or is too short.
        """
        try:
            with open(path, encoding="ascii") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not ASCII text"
            msg = f"cannot read the pseudonym key file {os.fspath(path)!r}: {reason}"
            raise PseudonymError(msg) from None
        return cls(_from_hex(text, f"the key file {os.fspath(path)!r}"))

    def pseudonym(self, kind: str, value: str) -> str:
        """Return the pseudonym of ``value`` standing for a ``kind`` (``child``, ``case``...).

        The kind is both the pseudonym's prefix and part of what is hashed, so that one value
        gets unrelated pseudonyms as different kinds.

        :raises PseudonymError: if ``kind`` is not lower-case ASCII letters.
        """
        if not (kind.isascii() and kind.isalpha() and kind.islower()):
            msg = f"a pseudonym kind is lower-case ASCII letters, got {kind!r}"
            raise PseudonymError(msg)
        message = f"{kind}\x00{value}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:_DIGEST_BYTES]
        return f"{kind}_{base64.b32encode(digest).decode('ascii').rstrip('=').lower()}"

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<secret>)"


def _from_hex(text: str, source: str) -> bytes:
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        msg = (
            f"{source} does not hold a key in hexadecimal digits; write one with "
            'python -c "import secrets; print(secrets.token_hex(32))"'
        )
        raise PseudonymError(msg) from None


# --- what happens to each field -------------------------------------------------------------


@attrs.frozen
class _Keep:
    """The value is exported as it is."""


@attrs.frozen
class _Drop:
    """The field is left out of the export."""


@attrs.frozen
class _Pseudonym:
    """The value (an id, or a staff identifier) is replaced by its pseudonym of ``kind``."""

    kind: str


@attrs.frozen
class _Nested:
    """The value is an object (or null) treated field by field."""

    fields: Mapping[str, _Action]


@attrs.frozen
class _Each:
    """The value is a list of objects, each treated field by field."""

    fields: Mapping[str, _Action]


_Action: TypeAlias = "_Keep | _Drop | _Pseudonym | _Nested | _Each"

_KEPT: Final = _Keep()
_DROPPED: Final = _Drop()


def _keep(*names: str) -> dict[str, _Action]:
    return dict.fromkeys(names, _KEPT)


def _drop(*names: str) -> dict[str, _Action]:
    return dict.fromkeys(names, _DROPPED)


_CONSENT_OVERRIDE: Final = _Nested(
    {
        **_keep("reason", "authorised_on"),
        "justification": _DROPPED,
        "authorised_by": _Pseudonym("staff"),
    }
)

_FIELDS: Final[Mapping[str, Mapping[str, _Action]]] = {
    "body": {
        **_keep("name", "kind", "territory", "services", "active", "sector", "version"),
        "secretariat_of": _Pseudonym("body"),
        "institutions": _Each(
            {
                **_keep("institution", "organisation"),
                "focal_point": _Nested(_drop("name", "phone", "email")),
            }
        ),
        "id": _Pseudonym("body"),
    },
    "child": {
        **_keep(
            "sex",
            "birth_date",
            "unidentified",
            "birth_date_estimated",
            "nationality",
            "birth_registered",
            "residence",
            "languages",
            "schooling",
            "version",
        ),
        **_drop("given_name", "family_name", "given_name_ar", "family_name_ar", "nickname"),
        "identifiers": _Each({"scheme": _KEPT, **_drop("value", "issuer")}),
        "functional_difficulties": _Each(_keep("domain", "degree")),
        "merged_into": _Pseudonym("child"),
        "id": _Pseudonym("child"),
    },
    "family": {
        **_keep("residence", "child_headed", "socio_economic_index", "version"),
        "members": _Each(
            {
                **_keep("relation", "sex", "birth_date", "caregiver", "alive"),
                **_drop("given_name", "family_name", "phone"),
                "child_id": _Pseudonym("child"),
                "kafala": _Nested({**_keep("court", "decided_on"), "reference": _DROPPED}),
            }
        ),
        "rsu_id": _DROPPED,
        "programmes": _Each(_keep("programme", "status", "since", "name")),
        "id": _Pseudonym("family"),
    },
    "case": {
        **_keep("territory", "opened_on", "status", "risk", "concerns", "version"),
        "child_id": _Pseudonym("child"),
        "body_id": _Pseudonym("body"),
        "family_id": _Pseudonym("family"),
        "worker_id": _Pseudonym("staff"),
        "number": _DROPPED,
        "identification": _Nested(
            {**_keep("source", "on"), "by_body": _Pseudonym("body"), "note": _DROPPED}
        ),
        "consent": _Nested(
            {
                **_keep("recorded_on", "given_by", "services", "sharing", "reporting", "assent"),
                "override": _CONSENT_OVERRIDE,
                "assent_note": _DROPPED,
            }
        ),
        "assessment": _Nested(
            {**_keep("on", "risk", "needs"), "by": _Pseudonym("staff"), "summary": _DROPPED}
        ),
        "plan": _Nested(
            {
                **_keep("drawn_up_on", "review_on"),
                "goals": _Each(
                    {
                        **_keep("due", "service", "achieved_on"),
                        **_drop("description", "responsible"),
                    }
                ),
                "approval": _Nested({"by": _Pseudonym("staff"), "on": _KEPT}),
                "transition": _Nested(
                    {
                        **_keep("agreed_on", "services"),
                        **_drop("arrangements", "responsible"),
                    }
                ),
            }
        ),
        "follow_ups": _Each({**_keep("on", "kind"), "by": _Pseudonym("staff"), "note": _DROPPED}),
        "closure": _Nested({**_keep("on", "reason"), "note": _DROPPED}),
        "closure_requests": _Each(
            {
                **_keep("requested_on", "reason", "decided_on", "approved"),
                "requested_by": _Pseudonym("staff"),
                "decided_by": _Pseudonym("staff"),
                **_drop("note", "comment"),
            }
        ),
        "consent_withdrawals": _Each(
            {
                **_keep("on", "withdrawn_by", "services", "sharing", "reporting"),
                "recorded_by": _Pseudonym("staff"),
                "note": _DROPPED,
            }
        ),
        "transferred_to": _Pseudonym("case"),
        "duplicate_of": _Pseudonym("case"),
        "id": _Pseudonym("case"),
    },
    "referral": {
        **_keep(
            "service",
            "made_on",
            "urgency",
            "status",
            "response_due",
            "responded_on",
            "closed_on",
            "version",
        ),
        "case_id": _Pseudonym("case"),
        "from_body": _Pseudonym("body"),
        "target": _Nested({**_keep("kind", "programme"), "body_id": _Pseudonym("body")}),
        **_drop("note", "rejection_reason", "outcome"),
        "consent_override": _CONSENT_OVERRIDE,
        "id": _Pseudonym("referral"),
    },
}


def _type_name(record_type: str | type) -> str:
    if isinstance(record_type, type):
        for name, cls in RECORD_TYPES.items():
            if cls is record_type:
                return name
    elif record_type in RECORD_TYPES:
        return record_type
    else:
        for name, cls in RECORD_TYPES.items():
            if cls.__name__ == record_type:
                return name
    known = ", ".join(RECORD_TYPES)
    shown = record_type.__name__ if isinstance(record_type, type) else repr(record_type)
    msg = f"cannot pseudonymise records of type {shown}; the known types are {known}"
    raise PseudonymError(msg)


def field_treatment(record_type: str | type) -> dict[str, str]:
    """Return what :func:`pseudonymise_record` does with each field of ``record_type``.

    :param record_type: ``body``, ``child``, ``family``, ``case`` or ``referral`` (or the class).
    :return: for each field's path (``$.members[].phone``, ``[]`` for every item of a list):
        ``kept``, ``dropped``, or ``pseudonym:<kind>``.
    :raises PseudonymError: if the record type is unknown.

    >>> treatment = field_treatment("family")
    >>> treatment["$.members[].child_id"], treatment["$.members[].phone"], treatment["$.rsu_id"]
    ('pseudonym:child', 'dropped', 'dropped')
    """
    table: dict[str, str] = {}

    def walk(fields: Mapping[str, _Action], prefix: str) -> None:
        for name, action in fields.items():
            path = f"{prefix}.{name}"
            if isinstance(action, _Nested):
                walk(action.fields, path)
            elif isinstance(action, _Each):
                walk(action.fields, f"{path}[]")
            elif isinstance(action, _Pseudonym):
                table[path] = f"pseudonym:{action.kind}"
            else:
                table[path] = "dropped" if isinstance(action, _Drop) else "kept"

    walk(_FIELDS[_type_name(record_type)], "$")
    return table


def pseudonymise_record(
    record: Mapping[str, object] | TerritorialBody | Child | Family | Case | Referral,
    pseudonymiser: Pseudonymiser,
    record_type: str | type | None = None,
) -> dict[str, object]:
    """Return ``record`` fit for an export with pseudonyms: ids replaced, identifiers dropped.

    Pseudonymising is for actors allowed to export personal data (the access policy decides;
    see :doc:`/privacy`); this function does not check who asks.

    :param record: a record as :func:`~wladna_core.convert.unstructure` writes it (a mapping of
        JSON values), or the record itself.
    :param pseudonymiser: the pseudonymiser of the deployment's key.
    :param record_type: ``body``, ``child``, ``family``, ``case`` or ``referral`` (or the
        class); needed for a mapping, taken from the record itself otherwise.
    :return: a new mapping: dropped fields are left out, ids and staff identifiers are
        pseudonyms, every other value is as it was.
    :raises PseudonymError: if the record type is unknown, or the record has a field this
        function does not know (a new field is never exported before someone decides how), or a
        value of the wrong shape; the message names the record type and the path.
    """
    if isinstance(record, Mapping):
        if record_type is None:
            msg = "say which type of record this mapping is: record_type='child', 'case'..."
            raise PseudonymError(msg)
        name = _type_name(record_type)
        data: Mapping[str, object] = record
    else:
        name = _type_name(record_type if record_type is not None else type(record))
        if not isinstance(record, RECORD_TYPES[name]):
            msg = f"the record is a {type(record).__name__}, not a {name}"
            raise PseudonymError(msg)
        data = unstructure(record)
    return _object(_FIELDS[name], data, "$", name, pseudonymiser)


def _object(
    fields: Mapping[str, _Action],
    value: object,
    path: str,
    record_type: str,
    pseudonymiser: Pseudonymiser,
) -> dict[str, object]:
    if not isinstance(value, Mapping):
        msg = f"{record_type} {path}: expected an object, got {type(value).__name__}"
        raise PseudonymError(msg)
    result: dict[str, object] = {}
    for key, item in value.items():
        where = f"{path}.{key}"
        action = fields.get(key)
        if action is None:
            msg = (
                f"{record_type} {where}: unknown field, not exported; decide whether it is "
                "kept, dropped or pseudonymised before exporting it"
            )
            raise PseudonymError(msg)
        if isinstance(action, _Drop):
            continue
        result[key] = _value(action, item, where, record_type, pseudonymiser)
    return result


def _value(
    action: _Action, item: object, path: str, record_type: str, pseudonymiser: Pseudonymiser
) -> object:
    if item is None or isinstance(action, _Keep):
        return item
    if isinstance(action, _Pseudonym):
        if not isinstance(item, str):
            msg = f"{record_type} {path}: expected an identifier (text), got {type(item).__name__}"
            raise PseudonymError(msg)
        return pseudonymiser.pseudonym(action.kind, item)
    if isinstance(action, _Nested):
        return _object(action.fields, item, path, record_type, pseudonymiser)
    if isinstance(action, _Each) and isinstance(item, list | tuple):
        return [
            _object(action.fields, element, f"{path}[{index}]", record_type, pseudonymiser)
            for index, element in enumerate(item)
        ]
    msg = f"{record_type} {path}: expected a list, got {type(item).__name__}"
    raise PseudonymError(msg)
