"""Blocking keys: a few short strings per child, so that candidates come from lookups.

Comparing a new child with every stored child costs as much as the register is large.
*Blocking* gives each child a handful of keys, computed from that child alone, such that two
records of one child share at least one key with very high probability, while few records of
different children share any.  Candidates for a child are then the records under its keys: an
indexed lookup per key.

Each key pairs two of the three things that identify a child, read phonetically so that both
scripts give the same key (:func:`~wladna_core.matching.names.name_key`):

``fy:<family>:<year>:<initial>``
    family name, year of birth (an estimated year also gives the years either side) and the
    first consonant class of the given name (of each of its words), which spelling variants
    and most typing slips keep;
``gf:<given>:<family>``
    given name and family name, whatever the birth date;
``gd:<given>:<date>``
    given name and exact date of birth, day and month in increasing order so that a swapped
    day and month give the same key (not for an estimated date).

A child registered without a family name also gets ``gy:<given>:<year>``, and every
identifier gives ``id:<scheme>:<value>``.

Two records of one child thus meet unless two of the three differ at once (beyond what the
phonetic key folds together).  A compound given name gives a key for each of its words too, so
that ``Mohamed Amine`` meets ``Amine``; a compound family name likewise.  A child registered
without a name (``unidentified``) gets ``nk:<nickname>:<year>`` when a nickname is known, and
``un:<residence>:<sex>:<year>`` otherwise, so that the teams that meet the same unnamed child
are shown each other's records.

The cost is the size of a key's bucket: a common family name and a year (``fy``) or a common
given and family name (``gf``) gather a few hundred records in a register of a million
children; see ``docs/matching.md`` for the measured trade-off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.matching.names import NameReading, read_name

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.model import Child

__all__ = ["KEY_LENGTH", "blocking_keys", "stored_form", "stored_keys"]

#: The longest blocking key a store keeps; a longer one is cut (both sides of a lookup are cut
#: alike, so a cut key still meets its like).
KEY_LENGTH: Final = 100


def _name_keys(*names: str | None) -> set[str]:
    keys: set[str] = set()
    for name in names:
        reading: NameReading | None = read_name(name) if name else None
        if reading is None:
            continue
        keys.add(reading.key)
        if len(reading.words) > 1:
            keys.update(word.skeleton for word in reading.words)
    return keys


def blocking_keys(child: Child) -> frozenset[str]:
    """Return the blocking keys of ``child``.

    >>> from datetime import date
    >>> from wladna_core.model import Child, Sex
    >>> child = Child(Sex.FEMALE, date(2014, 3, 9), given_name="Fatima-Ezzahra",
    ...               family_name="El Alaoui")
    >>> sorted(blocking_keys(child))  # doctest: +NORMALIZE_WHITESPACE
    ['fy:l:2014:f', 'fy:l:2014:z', 'gd:ftm:2014-03-09', 'gd:ftmzhr:2014-03-09',
     'gd:zhr:2014-03-09', 'gf:ftm:l', 'gf:ftmzhr:l', 'gf:zhr:l']
    """
    born = child.birth_date
    years = (
        (born.year - 1, born.year, born.year + 1) if child.birth_date_estimated else (born.year,)
    )
    givens = _name_keys(child.given_name, child.given_name_ar)
    families = _name_keys(child.family_name, child.family_name_ar)
    initials = {given[:1] for given in givens} or {"-"}
    keys = {
        f"fy:{family}:{year}:{initial}"
        for family in families
        for year in years
        for initial in initials
    }
    keys.update(f"gf:{given}:{family}" for given in givens for family in families)
    if not child.birth_date_estimated:
        low, high = sorted((born.month, born.day))
        keys.update(f"gd:{given}:{born.year}-{low:02d}-{high:02d}" for given in givens)
    if not families:
        keys.update(f"gy:{given}:{year}" for given in givens for year in years)
    keys.update(
        f"id:{ident.scheme.value}:{''.join(ident.value.split()).upper()}"
        for ident in child.identifiers
    )
    if not givens and not families:
        nicknames = _name_keys(child.nickname)
        if nicknames:
            keys.update(f"nk:{nick}:{year}" for nick in nicknames for year in years)
        else:
            place = child.residence or "-"
            keys.update(f"un:{place}:{child.sex.value}:{year}" for year in years)
    return frozenset(keys)


def stored_form(keys: Iterable[str]) -> frozenset[str]:
    """Return ``keys`` as a store keeps and looks them up: at most :data:`KEY_LENGTH` long."""
    return frozenset(key[:KEY_LENGTH] for key in keys)


def stored_keys(child: Child) -> frozenset[str]:
    """Return the blocking keys a store keeps for ``child``: none once it is merged.

    A child merged into another (``merged_into``) is reached through the kept child, and is
    never a candidate again.
    """
    if child.merged_into is not None:
        return frozenset()
    return stored_form(blocking_keys(child))
