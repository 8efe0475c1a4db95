"""Field validators of the training records, beside those of :mod:`wladna_core.model._checks`.

Like those, they guard invariants of one instance and raise
:class:`~wladna_core.errors.InvariantError` or :class:`TypeError` naming the field, so that the
converter reports them with a path.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, Final

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check

if TYPE_CHECKING:
    from datetime import date

    import attrs

__all__ = [
    "distinct",
    "media_type",
    "non_empty",
    "optional_whole_number",
    "positive",
    "random_id",
    "sha256_digest",
    "strictly_increasing_days",
    "uri",
    "whole_number",
]

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
# RFC 6838: type "/" subtype, restricted-name characters; parameters are not kept here.
_MEDIA_TYPE: Final = re.compile(
    r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
)
# RFC 3986: a scheme, then anything printable without spaces.
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
#: Most days one training session may last.
MAX_SESSION_DAYS: Final = 366


def random_id() -> str:
    """Return a random identifier (UUID version 4): it says nothing of when it was made.

    Records whose author must stay unknown (anonymous evaluations) take such ids rather than
    the time-ordered ones of :func:`wladna_core.model.new_id`, which carry the millisecond of
    their making and could be matched with other records made at that moment.
    """
    return str(uuid.uuid4())


def positive(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a whole number of one or more (booleans are refused)."""
    check.count(_instance, attribute, value)
    if value == 0:
        raise InvariantError(
            "training.not_positive", f"{attribute.name} must be 1 or more", attribute.name
        )


def non_empty(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a collection with at least one item (run after the type check)."""
    if not value:
        raise InvariantError(
            "training.empty", f"{attribute.name} must have at least one item", attribute.name
        )


def distinct(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a tuple whose items all differ."""
    seen: set[object] = set()
    for item in value:
        if item in seen:
            raise InvariantError(
                "training.repeated",
                f"{attribute.name} lists {item!r} twice; each item appears once",
                attribute.name,
            )
        seen.add(item)


def strictly_increasing_days(
    _instance: object, attribute: attrs.Attribute[Any], value: Any
) -> None:
    """Validate a tuple of dates in increasing order, each once, at most a year of them."""
    if len(value) > MAX_SESSION_DAYS:
        raise InvariantError(
            "input.too_many",
            f"{attribute.name} has {len(value)} days; at most {MAX_SESSION_DAYS} are allowed",
            attribute.name,
        )
    previous: date | None = None
    for day in value:
        if previous is not None and day <= previous:
            raise InvariantError(
                "training.days_out_of_order",
                f"{attribute.name} lists {day.isoformat()} after {previous.isoformat()}; list "
                "each day once, in order",
                attribute.name,
            )
        previous = day


def sha256_digest(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a SHA-256 digest written as 64 lower-case hexadecimal digits."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    if not _SHA256.fullmatch(value):
        raise InvariantError(
            "training.sha256_format",
            f"{attribute.name} must be a SHA-256 digest: 64 lower-case hexadecimal digits",
            attribute.name,
        )


def media_type(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a media type such as ``application/pdf`` (RFC 6838, lower case, no parameters)."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    if not _MEDIA_TYPE.fullmatch(value):
        raise InvariantError(
            "training.media_type_format",
            f"{attribute.name} must be a media type in lower case such as 'application/pdf' "
            "or 'video/mp4'",
            attribute.name,
        )


def uri(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate an absolute URI (``file:///srv/bag/guide.pdf``, ``https://...``)."""
    check.text(2000)(_instance, attribute, value)
    if not _URI.fullmatch(str(value)):
        raise InvariantError(
            "training.location_format",
            f"{attribute.name} must be an absolute URI with a scheme, such as "
            "'file:///srv/materials/guide.pdf' or 'https://example.org/guide.pdf'",
            attribute.name,
        )


def whole_number(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a whole number, negative or not (booleans are refused); rules check its range."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be a whole number, got {type(value).__name__}")


def optional_whole_number(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate ``None`` or a whole number."""
    if value is not None:
        whole_number(instance, attribute, value)
