"""Moroccan territory: the country, its regions, provinces and prefectures, and plug-in communes.

A :class:`Territory` is one administrative unit, named by its ISO 3166-2:MA code (``MA-04`` for a
region, ``MA-SAL`` for a province or prefecture).  A :class:`Gazetteer` holds a consistent set of
them (unique codes, known parents, no cycles) and answers the questions the rest of the library
asks: does this region contain that province (:meth:`Gazetteer.contains`), which province is a
commune in (:meth:`Gazetteer.province_of`), what is this code (:meth:`Gazetteer.get`).

:meth:`Gazetteer.morocco` loads the reference data shipped with the library: the 12 regions and 75
provinces and prefectures of the 2015 regionalisation (Decree 2-15-40).  See
``wladna_core/data/README.md`` for where each column of that data comes from.
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.resources
import io
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import attrs

from wladna_core.errors import InvariantError, UnknownTerritory
from wladna_core.model import _checks as check
from wladna_core.model.enums import TerritoryLevel

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = ["COUNTRY_CODE", "OBSOLETE_REGION_CODES", "Gazetteer", "Territory"]

#: ISO 3166-1 code of Morocco, the root of the shipped gazetteer.
COUNTRY_CODE = "MA"

#: Region codes of the pre-2015 division into 16 regions that no longer exist.  ``MA-01`` to
#: ``MA-12`` were reused for the new regions; these four were not.
OBSOLETE_REGION_CODES = frozenset({"MA-13", "MA-14", "MA-15", "MA-16"})

_DATA_FILE = "morocco_territories.csv"
_CODE_SHAPES = (
    "codes look like 'MA' (the country), 'MA-04' (a region) or 'MA-SAL' (a province or prefecture)"
)
# Apostrophes join the parts of a name ("M'diq", "L'Oriental"); other punctuation separates words.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_SEPARATORS = re.compile(r"[\W_]+")
_SINGLE_DIGIT_REGION = re.compile(r"(?:MA-)?([1-9])")
# Similarity (difflib ratio) a known code needs to be suggested for a mistyped one.
_CLOSE_ENOUGH = 0.75


def _obsolete_hint(code: str) -> str:
    return (
        f"{code} is a pre-2015 region code, abolished by the 2015 regionalisation "
        "(Decree 2-15-40); use the regions MA-01 to MA-12"
    )


def _not_obsolete(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value in OBSOLETE_REGION_CODES:
        raise InvariantError("territory.obsolete", _obsolete_hint(value), attribute.name)


def _parent_fits_level(
    instance: Territory, attribute: attrs.Attribute[Any], value: str | None
) -> None:
    if instance.level is TerritoryLevel.COUNTRY:
        if value is not None:
            raise InvariantError(
                "territory.country_parent",
                f"the country {instance.code!r} cannot have a parent (got {value!r})",
                attribute.name,
            )
    elif value is None:
        raise InvariantError(
            "territory.parent_missing",
            f"territory {instance.code!r} ({instance.level.value}) needs a parent; "
            "only the country has none",
            attribute.name,
        )


@attrs.frozen
class Territory:
    """One administrative unit of Morocco.

    :param code: ISO 3166-2:MA code (``MA-04``, ``MA-SAL``), ``MA`` for the country, or a
        plug-in's code for a lower level (``MA-SAL-0101``).  The obsolete pre-2015 region codes
        ``MA-13`` to ``MA-16`` are refused (``territory.obsolete``).
    :param level: the administrative level (country, region, province, prefecture, ...).
    :param name_fr: the name in French, as ISO 3166-2:MA gives it for the shipped data.
    :param name_ar: the name in Arabic, or ``None`` where no reliable source gave one.
    :param parent: code of the territory this one lies in; ``None`` only for the country
        (``territory.parent_missing`` otherwise, ``territory.country_parent`` for a country
        with a parent).
    :param hcp_code: province/prefecture code in the style of the Haut-Commissariat au Plan
        (``441`` for Salé).  The shipped values come from a third-party compilation and have
        NOT been verified against the HCP's own tables: do not rely on them for statistics
        without checking.
    """

    code: str = attrs.field(validator=[check.territory_code, _not_obsolete])
    level: TerritoryLevel = attrs.field(validator=check.member_of(TerritoryLevel))
    name_fr: str = attrs.field(validator=check.text())
    name_ar: str | None = attrs.field(default=None, validator=check.optional_text())
    parent: str | None = attrs.field(
        default=None, validator=[check.optional_territory_code, _parent_fits_level]
    )
    hcp_code: str | None = attrs.field(default=None, validator=check.optional_text(20))

    def __str__(self) -> str:
        return f"{self.name_fr} ({self.code})"


class Gazetteer:
    """An immutable, consistent collection of territories.

    Built from any iterable of :class:`Territory`; construction checks that codes are unique
    (``territory.duplicate``), that every parent is in the collection
    (``territory.parent_unknown``) and that no territory is its own ancestor
    (``territory.cycle``), raising :class:`~wladna_core.errors.InvariantError`.  Methods taking a
    code raise :class:`~wladna_core.errors.UnknownTerritory` for a code that is not in it, with a
    hint on what to use instead.

    Iteration is in tree order: each territory is followed by its children, and siblings come
    in order of code.  Use :meth:`morocco` for the shipped reference data and
    :meth:`with_territories` to add a plug-in's communes to it.
    """

    __slots__ = ("_by_code", "_children", "_folded", "_order")

    _by_code: dict[str, Territory]
    _children: dict[str, tuple[Territory, ...]]
    _order: tuple[Territory, ...]
    _folded: tuple[tuple[Territory, str, str], ...]

    def __init__(self, territories: Iterable[Territory]) -> None:
        by_code: dict[str, Territory] = {}
        for territory in territories:
            if not isinstance(territory, Territory):
                raise TypeError(
                    f"a gazetteer holds Territory objects, got {type(territory).__name__}"
                )
            if territory.code in by_code:
                raise InvariantError(
                    "territory.duplicate",
                    f"territory code {territory.code!r} appears more than once; "
                    "each territory needs its own code",
                    "code",
                )
            by_code[territory.code] = territory
        _check_parents(by_code)
        children: dict[str, list[Territory]] = {code: [] for code in by_code}
        roots: list[Territory] = []
        for territory in by_code.values():
            if territory.parent is None:
                roots.append(territory)
            else:
                children[territory.parent].append(territory)
        sorted_children = {
            code: tuple(sorted(kids, key=_by_code_key)) for code, kids in children.items()
        }
        order: list[Territory] = []
        stack = sorted(roots, key=_by_code_key, reverse=True)
        while stack:
            territory = stack.pop()
            order.append(territory)
            stack.extend(reversed(sorted_children[territory.code]))
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_children", sorted_children)
        object.__setattr__(self, "_order", tuple(order))
        object.__setattr__(
            self,
            "_folded",
            tuple((t, _fold(t.name_fr), _fold(t.name_ar or "")) for t in order),
        )

    @classmethod
    def morocco(cls) -> Gazetteer:
        """Return the shipped gazetteer of Morocco.

        It holds the country ``MA``, its 12 regions and its 75 provinces and prefectures.  The
        data is read once; every call returns the same object.
        """
        return _load_morocco()

    def with_territories(self, extra: Iterable[Territory]) -> Gazetteer:
        """Return a new gazetteer with ``extra`` territories (e.g. a plug-in's communes) added.

        This gazetteer is left as it was.  The result is checked like any other gazetteer, so an
        extra territory must not reuse a code and its parent must be known.
        """
        return Gazetteer((*self._order, *extra))

    def get(self, code: str) -> Territory:
        """Return the territory with this code.

        :raises UnknownTerritory: if the code is not in the gazetteer; the hint explains an
            obsolete pre-2015 region code, suggests close matches, or says what codes look like.
        """
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise UnknownTerritory(str(code), self._hint(code)) from None

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Territory):
            return self._by_code.get(item.code) == item
        return isinstance(item, str) and item in self._by_code

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Territory]:
        return iter(self._order)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Gazetteer):
            return NotImplemented
        return self._by_code == other._by_code

    def __hash__(self) -> int:
        return hash(frozenset(self._order))

    def __repr__(self) -> str:
        return f"<Gazetteer of {len(self)} territories>"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Gazetteer is immutable; use with_territories() (set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Gazetteer is immutable (delete {name!r})")

    def __reduce__(self) -> tuple[type[Gazetteer], tuple[tuple[Territory, ...]]]:
        return (type(self), (self._order,))

    def regions(self) -> tuple[Territory, ...]:
        """Return the regions, in order of code."""
        return tuple(
            sorted((t for t in self._order if t.level is TerritoryLevel.REGION), key=_by_code_key)
        )

    def provinces(self, region: str | None = None) -> tuple[Territory, ...]:
        """Return the provinces and prefectures, in order of code.

        Prefectures of arrondissements count too: each is the seat of a provincial committee.

        :param region: if given, only those inside the territory with this code (usually a
            region); an unknown code raises :class:`~wladna_core.errors.UnknownTerritory`.
        """
        found = (t for t in self._order if t.level.is_provincial)
        if region is not None:
            self.get(region)
            found = (t for t in found if self.contains(region, t.code))
        return tuple(sorted(found, key=_by_code_key))

    def children(self, code: str) -> tuple[Territory, ...]:
        """Return the territories whose parent is ``code``, in order of code."""
        return self._children[self.get(code).code]

    def ancestors(self, code: str) -> tuple[Territory, ...]:
        """Return the territories that contain ``code``, nearest first, ending with the root."""
        found: list[Territory] = []
        parent = self.get(code).parent
        while parent is not None:
            territory = self._by_code[parent]
            found.append(territory)
            parent = territory.parent
        return tuple(found)

    def contains(self, ancestor: str, code: str) -> bool:
        """Return whether the territory ``ancestor`` contains ``code``.

        A territory contains itself, its children, their children and so on.

        :raises UnknownTerritory: if either code is not in the gazetteer.
        """
        self.get(ancestor)
        self.get(code)
        current: str | None = code
        while current is not None:
            if current == ancestor:
                return True
            current = self._by_code[current].parent
        return False

    def province_of(self, code: str) -> Territory | None:
        """Return the province or prefecture at or above ``code``.

        ``None`` for a region or the country, which lie above every province.
        """
        return self._first_at_or_above(code, lambda level: level.is_provincial)

    def region_of(self, code: str) -> Territory | None:
        """Return the region at or above ``code``; ``None`` for the country."""
        return self._first_at_or_above(code, lambda level: level is TerritoryLevel.REGION)

    def find(self, name: str) -> tuple[Territory, ...]:
        """Return the territories whose French or Arabic name matches ``name``.

        Matching ignores case, accents and Arabic diacritics (Unicode NFKD, combining marks
        dropped), apostrophes, and treats hyphens and other punctuation as spaces.  Exact matches
        come first, then names starting with ``name``, then names containing it; within each
        group, in the gazetteer's order.  A blank ``name`` finds nothing.
        """
        query = _fold(name)
        if not query:
            return ()
        exact: list[Territory] = []
        prefix: list[Territory] = []
        inner: list[Territory] = []
        for territory, *names in self._folded:
            if query in names:
                exact.append(territory)
            elif any(n.startswith(query) for n in names):
                prefix.append(territory)
            elif any(query in n for n in names):
                inner.append(territory)
        return (*exact, *prefix, *inner)

    def _first_at_or_above(
        self, code: str, wanted: Callable[[TerritoryLevel], bool]
    ) -> Territory | None:
        territory: Territory | None = self.get(code)
        while territory is not None:
            if wanted(territory.level):
                return territory
            territory = None if territory.parent is None else self._by_code[territory.parent]
        return None

    def _hint(self, code: object) -> str:
        if not isinstance(code, str):
            return f"a territory code is a string; {_CODE_SHAPES}"
        tidy = code.strip().upper().replace("_", "-").replace(" ", "-")
        return (
            self._hint_for_variant(tidy)
            or self._hint_for_name(code)
            or self._hint_for_lower_level(tidy)
            or self._hint_for_typo(tidy)
            or _CODE_SHAPES
        )

    def _hint_for_variant(self, tidy: str) -> str:
        """Say what a code written another way (case, no ``MA-``, one digit) stands for."""
        candidates = [tidy, f"{COUNTRY_CODE}-{tidy}"]
        single_digit = _SINGLE_DIGIT_REGION.fullmatch(tidy)
        if single_digit:
            candidates.append(f"{COUNTRY_CODE}-0{single_digit.group(1)}")
        for candidate in candidates:
            if candidate in OBSOLETE_REGION_CODES:
                return _obsolete_hint(candidate)
            if candidate in self._by_code:
                return f"did you mean {candidate!r}?"
        return ""

    def _hint_for_name(self, name: str) -> str:
        """Suggest the codes of territories named like a code that is in fact a name."""
        named = self.find(name)[:3]
        if not named:
            return ""
        return f"did you mean {_either([f'{t.code!r} ({t.name_fr})' for t in named])}?"

    def _hint_for_lower_level(self, tidy: str) -> str:
        """Explain a code below a known territory, such as a commune no plug-in has added."""
        head = tidy.rpartition("-")[0]
        if "-" not in head or head not in self._by_code:
            return ""
        return (
            f"nothing under {self._by_code[head]} has this code; communes and other lower "
            "levels are added by plug-ins with Gazetteer.with_territories()"
        )

    def _hint_for_typo(self, tidy: str) -> str:
        """Suggest the known codes most like a mistyped one."""
        close = _closest(tidy, self._by_code)
        if not close:
            return ""
        return f"did you mean {_either([repr(c) for c in close])}?"


def _check_parents(by_code: dict[str, Territory]) -> None:
    """Raise if a parent is unknown or if following parents ever comes back to a territory."""
    for territory in by_code.values():
        if territory.parent is not None and territory.parent not in by_code:
            raise InvariantError(
                "territory.parent_unknown",
                f"territory {territory.code!r} has parent {territory.parent!r}, which is not in "
                "the gazetteer; add the parent too",
                "parent",
            )
    reaches_root: set[str] = set()
    for start in by_code:
        path: list[str] = []
        current: str | None = start
        while current is not None and current not in reaches_root:
            if current in path:
                loop = [*path[path.index(current) :], current]
                raise InvariantError(
                    "territory.cycle",
                    "territories " + " -> ".join(repr(c) for c in loop) + " form a cycle of "
                    "parents; a territory cannot lie inside itself",
                    "parent",
                )
            path.append(current)
            current = by_code[current].parent
        reaches_root.update(path)


def _by_code_key(territory: Territory) -> str:
    return territory.code


def _closest(code: str, known: Iterable[str]) -> list[str]:
    """Return up to three known codes most like ``code`` (only the best-scoring ones)."""
    matcher = difflib.SequenceMatcher(b=code)
    scored: list[tuple[float, str]] = []
    for candidate in known:
        matcher.set_seq1(candidate)
        score = matcher.ratio()
        if score >= _CLOSE_ENOUGH:
            scored.append((score, candidate))
    if not scored:
        return []
    # Among equally similar codes, those sharing the longest start with the typed code first.
    ranked = sorted(scored, key=lambda sc: (-sc[0], -_shared_start(sc[1], code), sc[1]))
    best = (ranked[0][0], _shared_start(ranked[0][1], code))
    return [c for score, c in ranked if (score, _shared_start(c, code)) == best][:3]


def _shared_start(one: str, other: str) -> int:
    shared = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        shared += 1
    return shared


def _either(quoted: list[str]) -> str:
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _fold(text: str) -> str:
    """Return ``text`` without case, accents, Arabic diacritics or punctuation, for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = _APOSTROPHES.sub("", bare.casefold())
    return _SEPARATORS.sub(" ", bare).strip()


@functools.cache
def _load_morocco() -> Gazetteer:
    """Read the shipped CSV into a gazetteer (once per process)."""
    source = importlib.resources.files("wladna_core") / "data" / _DATA_FILE
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    territories = [Territory(COUNTRY_CODE, TerritoryLevel.COUNTRY, "Maroc", "المغرب")]
    regions: set[str] = set()
    for row in rows:
        region = row["region_iso"]
        if region not in regions:
            regions.add(region)
            territories.append(
                Territory(
                    code=region,
                    level=TerritoryLevel.REGION,
                    name_fr=row["region_name"],
                    name_ar=row["region_name_ar"] or None,
                    parent=COUNTRY_CODE,
                )
            )
        level = TerritoryLevel(row["prov_type"])
        if not level.is_provincial:
            raise InvariantError(
                "territory.data",
                f"{_DATA_FILE}: {row['prov_iso']} has prov_type {level.value!r}; "
                "expected 'province' or 'prefecture'",
                "level",
            )
        territories.append(
            Territory(
                code=row["prov_iso"],
                level=level,
                name_fr=row["prov_name"],
                name_ar=row["name_ar"] or None,
                parent=region,
                hcp_code=row["prov_hcp_code"] or None,
            )
        )
    return Gazetteer(territories)
