"""Record identifiers: opaque, time-ordered strings.

Identifiers follow the UUID version 7 layout (RFC 9562): 48 bits of Unix milliseconds first, so
that records created close in time sit close in database indexes, then random bits.  They are
opaque to users: never parse meaning out of them.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime

__all__ = ["ID_PATTERN", "new_id"]

#: The shape every identifier must have (a canonical lower-case UUID string).  It ends with
#: ``\Z``, not ``$``, which would also accept a line feed after the identifier.
ID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

_VERSION_7 = 0x7000
_VARIANT_RFC = 0x8000_0000_0000_0000


def new_id(at: datetime | None = None) -> str:
    """Return a new identifier, ordered by the time it was made.

    :param at: the instant whose milliseconds lead the identifier (timezone-aware); the current
        time when omitted.  Passing it makes ordering reproducible in tests and imports.
    """
    # The standard library gains uuid.uuid7 in Python 3.14; until our floor reaches it, the
    # layout is composed here from its three documented fields.
    moment = at if at is not None else datetime.now().astimezone()
    millis = int(moment.timestamp() * 1000) & 0xFFFF_FFFF_FFFF
    rand_a = secrets.randbits(12)
    rand_b = secrets.randbits(62)
    value = (millis << 80) | ((_VERSION_7 | rand_a) << 64) | _VARIANT_RFC | rand_b
    return str(uuid.UUID(int=value))
