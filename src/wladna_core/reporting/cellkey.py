"""The cell-key method: counts protected alike in every table, so reports cannot be subtracted.

Small-cell suppression (:mod:`wladna_core.reporting.privacy`) protects one table at a time.  An
actor who may ask for any report — a national analyst — can ask for two whose populations
differ by a few records (``province=p``, then ``province=p`` and every risk level but ``r``) and
subtract: each report alone is safe, their difference is the withheld cell.  The cell-key
method of the Australian Bureau of Statistics (Fraser and Wooton, 2005; Thompson, Broadfoot
and Elazar, 2013), also implemented by the European Statistical System's tools (``cellKey``,
``ptable``), protects *across* queries:

Record keys
    Each record counted (a case, a referral, a worker for caseloads) has a key, a whole number
    from 0 to 2**32 - 1: the first four bytes of SHA-256 of the deployment's secret
    (:class:`RecordKeys`, the ``report_key`` setting) followed by the record's id.  The key is
    fixed for the record's life and looks random to whoever lacks the secret.
Cell keys
    A cell's key is the sum of the keys of the records it counts, modulo 2**32: it
    depends on which records the cell counts and on nothing else — not on the report, the
    table, the filters, the store, or the day the report is asked for.
Perturbation table
    A cell's published value is looked up from its value and its cell key.  The table used here
    is that of unbiased random rounding to a base ``B`` (:class:`CellKeyMethod`): a count
    ``q·B + s`` (``0 <= s < B``) is published as ``(q + 1)·B`` when its cell key is below
    ``s/B`` of the key range, else as ``q·B``; multiples of ``B`` (zero among them) are
    published as they are.  Its expected value is the count itself.  ``B`` is the deployment's
    threshold (5 by default), at least :data:`SMALLEST_BASE`.

What this gives:

* No count from 1 to ``B - 1`` is ever published: a few children show as 0 or as ``B``.
* The same records always give the same figure, in any table of any report, on any store: asking
  again, or asking for the same population another way, tells nothing new, and averaging many
  answers does not wear the protection down.
* **Two figures never give a count away by difference.**  Whenever one population holds the
  other (the differencing attack), at least two values of the count of records between them
  remain consistent with both figures and the table above, whatever the records: if the larger
  figure is ``a`` and the smaller ``b``, the larger population held fewer than ``a + B``
  records and the smaller more than ``b - B``; when ``a > b``, both ``a - b`` and
  ``a - b + 1`` fit; when ``a = b``, both 0 and 1 fit; when ``a < b`` (only ``a = b - B`` can
  happen), every value from 1 to ``B - 2`` fits, which is two values or more since ``B >= 4``.
  (Rounding to base 3, as Statistics New Zealand long did, would let this last case pin a
  count of exactly 1.)

What it does not give: a figure is rounded, not exact (the operator's own reports,
:meth:`Wladna.report <wladna_core.app.Wladna.report>`, stay exact); totals are rounded as cells
of their own and need not equal the sum of the rows; combining *many* figures narrows what a
count can be — figures of freely chosen overlapping populations (periods sliding day by day,
sets of filter values) pin small counts, which is why the casework services ask rounded
reports for calendar periods and one value per filter, and a table's cells with its total can
pin one in draws where every cell was rounded the same way — the guarantee above is for the
difference of two figures.  A median is exact: it is published only where the counts behind it
are published at ``threshold + B - 1`` or more, which proves at least ``threshold`` records.
Whoever holds the secret and the records can undo the rounding: keep the ``report_key`` with the
deployment's other secrets.

>>> method = CellKeyMethod(base=5, threshold=5, keys=RecordKeys(b"k" * 32))
>>> [method.perturb(count, 0) for count in (0, 3, 5, 12)]
[0, 5, 5, 15]
>>> [method.perturb(count, 2**32 - 1) for count in (0, 3, 5, 12)]
[0, 0, 5, 10]
>>> method.could_be(5)
range(1, 10)
"""

from __future__ import annotations

import hashlib
import hmac
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BIT

from wladna_core.reporting.privacy import DEFAULT_THRESHOLD, PrivacyError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from wladna_core.storage.sql.reporting import SqlReport

__all__ = [
    "KEY_BYTES",
    "KEY_SETTING",
    "MODULUS",
    "SMALLEST_BASE",
    "CellKeyMethod",
    "RecordKeys",
]

#: Record and cell keys are whole numbers from 0 to ``MODULUS - 1``.
MODULUS: Final = 2**32
#: How many bytes of the SHA-256 digest make a record key.
KEY_BYTES: Final = 4
#: The setting holding the deployment's secret for record keys (bytes, or hexadecimal text).
KEY_SETTING: Final = "report_key"
#: The smallest secret accepted, in bytes.
MIN_SECRET_BYTES: Final = 32
#: The smallest rounding base: with a base of 3, two figures can pin a count of 1 (see above).
SMALLEST_BASE: Final = 4

#: What the secret is turned into before use, so that the ``report_key`` itself never reaches
#: a database statement.
_PURPOSE: Final = b"wladna_core record keys for the cell-key method"
#: The name of the SQLite function that computes a record key.
_SQLITE_FUNCTION: Final = "wladna_record_key"
#: What a worker's id is prefixed with, so that worker keys never equal record keys.
_WORKER: Final = "worker "


def _key_of(salted: hashlib._Hash, identifier: str) -> int:
    """Return the key of ``identifier``: SHA-256 of the salt (already in ``salted``) and it."""
    digest = salted.copy()
    digest.update(identifier.encode("utf-8"))
    return int.from_bytes(digest.digest()[:KEY_BYTES], "big")


@attrs.frozen
class RecordKeys:
    """The keys of records, from the deployment's secret.

    :param secret: the deployment's secret (:data:`KEY_SETTING`), at least
        :data:`MIN_SECRET_BYTES` bytes; ``None`` for keys computed from the records' ids alone,
        which anyone knowing the ids could compute too (see :meth:`from_settings`).
    :raises PrivacyError: if the secret is not bytes or is too short.
    """

    secret: bytes | None = attrs.field(default=None, repr=False)
    _salt: str = attrs.field(init=False, repr=False, eq=False)
    _salted: hashlib._Hash = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        given: object = self.secret
        if given is not None:
            if not isinstance(given, bytes | bytearray):
                msg = f"the secret of record keys is bytes, got {type(given).__name__}"
                raise PrivacyError(msg)
            if len(given) < MIN_SECRET_BYTES:
                msg = (
                    f"the secret of record keys needs at least {MIN_SECRET_BYTES} bytes, this "
                    f"one has {len(given)}; make one with "
                    'python -c "import secrets; print(secrets.token_hex(32))"'
                )
                raise PrivacyError(msg)
        salt = "" if given is None else hmac.new(bytes(given), _PURPOSE, "sha256").hexdigest()
        object.__setattr__(self, "_salt", salt)
        object.__setattr__(self, "_salted", hashlib.sha256(salt.encode("ascii")))

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> RecordKeys:
        """Return the record keys of a deployment: from its ``report_key`` setting when set.

        The setting holds the secret as bytes or as hexadecimal text (64 digits or more).
        Without it, record keys are computed from the records' ids alone: the protection
        against differencing still holds for whoever does not know the ids of the records
        counted (a national analyst sees none), but set the key in production.

        :raises PrivacyError: if the setting holds something else than a long enough key.
        """
        value = settings.get(KEY_SETTING)
        if value is None:
            return cls()
        if isinstance(value, str):
            try:
                value = bytes.fromhex(value.strip())
            except ValueError:
                msg = (
                    f"the setting {KEY_SETTING!r} does not hold a key in hexadecimal digits; "
                    'write one with python -c "import secrets; print(secrets.token_hex(32))"'
                )
                raise PrivacyError(msg) from None
        if not isinstance(value, bytes | bytearray):
            msg = f"the setting {KEY_SETTING!r} holds a {type(value).__name__}, not bytes or text"
            raise PrivacyError(msg)
        return cls(bytes(value))

    @property
    def keyed(self) -> bool:
        """Whether the keys depend on a secret."""
        return self.secret is not None

    def of(self, identifier: str) -> int:
        """Return the key of the record whose id is ``identifier``."""
        return _key_of(self._salted, identifier)

    def of_worker(self, worker: str) -> int:
        """Return the key of a worker (counted by the caseload indicator)."""
        return _key_of(self._salted, _WORKER + worker)

    def cell(self, identifiers: Iterable[str]) -> int:
        """Return the cell key of the records whose ids are ``identifiers``."""
        return sum(self.of(identifier) for identifier in identifiers) % MODULUS

    def sql(self, identifier: sa.ColumnElement[Any], sql: SqlReport) -> sa.ColumnElement[int]:
        """Return the SQL expression of the key of the record whose id is ``identifier``.

        On SQLite the key is computed by a function registered on the statement's connection;
        on PostgreSQL by the built-in ``sha256`` (the secret, turned into a salt, is a bound
        parameter of the statement).

        :raises PrivacyError: on any other database.
        """
        if sql.dialect == "sqlite":
            salted = self._salted
            # The unit of work's connection is the one every statement of the report runs on.
            driver = sql.unit_of_work.connection.connection.driver_connection
            driver.create_function(  # type: ignore[union-attr]
                _SQLITE_FUNCTION,
                1,
                lambda text: None if text is None else _key_of(salted, str(text)),
                deterministic=True,
            )
            return sa.func.wladna_record_key(identifier, type_=sa.BigInteger)
        if sql.dialect == "postgresql":
            text = sa.literal(self._salt, sa.String) + sa.cast(identifier, sa.String)
            digest = sa.func.sha256(sa.func.convert_to(text, "UTF8"), type_=sa.LargeBinary)
            first = sa.func.substring(digest, 1, KEY_BYTES, type_=sa.LargeBinary)
            # One digest per row: its first bytes, as hexadecimal digits, read as a bit string.
            hexadecimal = sa.literal("x", sa.String) + sa.func.encode(first, "hex", type_=sa.String)
            return sa.cast(sa.cast(hexadecimal, BIT(8 * KEY_BYTES)), sa.BigInteger)
        msg = (
            f"record keys cannot be computed on a {sql.dialect} database; reports protected "
            "by the cell-key method need SQLite, PostgreSQL or the memory store"
        )
        raise PrivacyError(msg)

    def sql_worker(self, worker: sa.ColumnElement[Any], sql: SqlReport) -> sa.ColumnElement[int]:
        """Return the SQL expression of the key of a worker (see :meth:`of_worker`)."""
        return self.sql(sa.literal(_WORKER, sa.String) + sa.cast(worker, sa.String), sql)


def _check_whole(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        msg = (
            f"the cell-key method's {name} must be a whole number of at least {least}, "
            f"got {value!r}"
        )
        raise PrivacyError(msg)
    return value


@attrs.frozen
class CellKeyMethod:
    """How a report's counts are protected by the cell-key method (see the module).

    :param base: every count is published as a multiple of it, at least :data:`SMALLEST_BASE`:
        the deployment's, whatever threshold a report asks for.
    :param threshold: the smallest count a report may show as such: from 1 to
        ``threshold - 1`` never appear (none can when ``threshold <= base``; above, the
        report withholds published counts below it); medians are shown only where their
        counts prove at least ``threshold`` records.
    :param keys: the record keys.
    :raises PrivacyError: if the base is below :data:`SMALLEST_BASE`, or the threshold below 1.
    """

    base: int
    threshold: int
    keys: RecordKeys = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        _check_whole("threshold", self.threshold, 1)
        _check_whole("base", self.base, SMALLEST_BASE)

    @classmethod
    def for_threshold(cls, threshold: int, keys: RecordKeys) -> CellKeyMethod:
        """Return the method rounding to ``threshold`` (:data:`SMALLEST_BASE` if it is lower)."""
        threshold = _check_whole("threshold", threshold, 1)
        return cls(base=max(threshold, SMALLEST_BASE), threshold=threshold, keys=keys)

    def with_threshold(self, threshold: int) -> CellKeyMethod:
        """Return this method with a higher ``threshold``, rounding to the same base.

        A report asked with a higher threshold withholds more of the same published counts:
        rounding to another base with the same cell keys would tell, from the answers at a few
        bases, exactly how many records a cell counts.

        :raises PrivacyError: for a threshold below this method's.
        """
        threshold = _check_whole("threshold", threshold, self.threshold)
        return attrs.evolve(self, threshold=threshold)

    @classmethod
    def default(cls, keys: RecordKeys) -> CellKeyMethod:
        """Return the method of a deployment with the default threshold."""
        return cls.for_threshold(DEFAULT_THRESHOLD, keys)

    def perturb(self, count: int, cell_key: int) -> int:
        """Return the published value of a cell counting ``count`` records, whose key is given."""
        rest = count % self.base
        if rest == 0:
            return count
        lower = count - rest
        # Up with probability rest / base over the cell keys: the expected value is the count.
        return lower + self.base if (cell_key % MODULUS) * self.base < rest * MODULUS else lower

    def ptable(self, count: int) -> tuple[tuple[int, Fraction], ...]:
        """Return the row of ``count`` in the perturbation table.

        Each value ``count`` may be published as, with its probability over the cell keys.

        >>> CellKeyMethod.default(RecordKeys()).ptable(7)
        ((5, Fraction(3, 5)), (10, Fraction(2, 5)))
        """
        rest = count % self.base
        if rest == 0:
            return ((count, Fraction(1)),)
        lower = count - rest
        return (
            (lower, Fraction(self.base - rest, self.base)),
            (lower + self.base, Fraction(rest, self.base)),
        )

    def could_be(self, published: int) -> range:
        """Return the counts that can be published as ``published`` (the reader's knowledge)."""
        return range(max(0, published - self.base + 1), published + self.base)

    def proves_threshold(self, published: int) -> bool:
        """Return whether a count published so is surely at least the threshold."""
        return published - self.base + 1 >= self.threshold
