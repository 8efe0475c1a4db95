"""How likely two records are one child, and why.

The built-in :class:`ChildMatcher` weighs the evidence the way record linkage has since Fellegi
and Sunter (1969): each compared field adds a *match weight*, the base-2 logarithm of how much
more often its outcome is seen between two records of one child than between records of two
children (``given_name.same`` adds 7: seven doublings of the odds).  The weights, with the prior
odds, add up to the log-odds of a match, and the score is the matching probability,
``1 / (1 + 2 ** -total)``.  Every weight is a :class:`Reason`: the score is explained by the list
of them and is exactly what they add up to.

Twins and siblings share a family name, caregivers, a residence and, for twins, a birth date:
all of that is evidence of a family, not of one child.  The weights against a different given
name, birth date or sex are therefore larger than everything a family shares, so that no
amount of family likeness makes two children one.

The weights and thresholds are settings with documented defaults (:class:`MatchSettings`),
measured against the evaluation set of :mod:`wladna_core.matching.evaluation`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable  # noqa: TC003 - the converter of Subject reads it at run time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from wladna_core.matching.names import ARABIC, LATIN, NameReading, name_similarity, read_name
from wladna_core.model import Child, Family, Gazetteer, IdentifierScheme, Relation

if TYPE_CHECKING:
    from datetime import date

__all__ = [
    "ChildMatcher",
    "MatchScore",
    "MatchSettings",
    "MatchWeights",
    "Matcher",
    "Reason",
    "Subject",
]


def _probability(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0 < value < 1:
        raise ValueError(
            f"matching setting {attribute.name} must be a number strictly between 0 and 1, "
            f"not {value!r}; set it in the deployment's matching settings"
        )


def _days(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"matching setting {attribute.name} must be a whole number of days (0 or more), "
            f"not {value!r}; set it in the deployment's matching settings"
        )


def _weight(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, float | int) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(
            f"match weight {attribute.name} must be a finite number (a log2 odds ratio), "
            f"not {value!r}"
        )


def _weight_field(default: float) -> float:
    return attrs.field(default=default, validator=_weight, converter=float)


@attrs.frozen
class MatchWeights:
    """The match weight (log2 odds ratio) of each outcome of each comparison.

    Defaults are set by reasoning on how records of one child differ (see
    ``docs/matching.md``), and checked against the evaluation set; a deployment with labelled
    pairs of its own may estimate its own.  A positive weight is evidence for one child, a
    negative one for two.
    """

    #: Prior log-odds that two candidates (records sharing a blocking key) are one child.
    prior: float = _weight_field(-5.0)
    given_name_same: float = _weight_field(7.0)
    given_name_close: float = _weight_field(2.0)
    given_name_similar: float = _weight_field(-8.0)
    given_name_different: float = _weight_field(-18.0)
    family_name_same: float = _weight_field(5.0)
    family_name_close: float = _weight_field(3.0)
    family_name_similar: float = _weight_field(-2.0)
    family_name_different: float = _weight_field(-8.0)
    birth_date_same: float = _weight_field(6.0)
    birth_date_swapped: float = _weight_field(4.0)
    birth_date_close: float = _weight_field(1.0)
    birth_date_different: float = _weight_field(-14.0)
    #: For an estimated birth date: the weight at no difference, falling linearly to
    #: ``birth_date_estimated_limit`` at the tolerance.
    birth_date_estimated: float = _weight_field(3.0)
    #: For an estimated birth date: the weight at the tolerance.
    birth_date_estimated_limit: float = _weight_field(-3.0)
    birth_date_estimated_far: float = _weight_field(-10.0)
    birth_date_estimated_incompatible: float = _weight_field(-16.0)
    #: Given names only similar, with the same family name and exact date of birth: as likely
    #: twins as one child spelt two ways.
    twins_possible: float = _weight_field(-10.0)
    sex_same: float = _weight_field(1.0)
    sex_different: float = _weight_field(-20.0)
    caregiver_same: float = _weight_field(3.0)
    caregiver_different: float = _weight_field(-2.0)
    residence_same: float = _weight_field(1.0)
    residence_same_province: float = _weight_field(0.5)
    residence_same_region: float = _weight_field(0.0)
    residence_different: float = _weight_field(-1.0)
    identifier_same: float = _weight_field(14.0)
    identifier_different: float = _weight_field(-10.0)
    nickname_same: float = _weight_field(2.0)


@attrs.frozen
class MatchSettings:
    """Thresholds and tolerances of duplicate detection, with documented defaults.

    :param duplicate_threshold: a score at or above it makes a *probable duplicate*: the
        registration gives a warning.  Default 0.9.
    :param review_threshold: a score at or above it (and under ``duplicate_threshold``) makes
        a *possible duplicate*, for a person to review.  Default 0.5.
    :param name_same: name similarity from which two names are the same name (default 0.92:
        spellings of one name in either script score 1.0 or just under).
    :param name_close: from which they are close (default 0.8: one vowel or a near consonant
        apart, ``Zahra``/``Zohra``, ``Hafid``/``Hafiz``).
    :param name_similar: from which they are similar (default 0.65): twins' names often are
        (``Hamza``/``Hamid``), so similar names count *against* a match.
    :param estimated_birth_tolerance_days: how far an estimated birth date may be from the
        other record's date and still agree (default 760: two estimates of a child's age by
        two bodies are often a year apart, sometimes two, and an estimate is the 1st of July).
    :param close_birth_days: two exact dates at most this far apart, or differing in one of
        day, month and year only, are a typing slip, not two children (default 7).
    :param weights: the match weights (:class:`MatchWeights`).
    """

    duplicate_threshold: float = attrs.field(default=0.9, validator=_probability)
    review_threshold: float = attrs.field(default=0.5, validator=_probability)
    name_same: float = attrs.field(default=0.92, validator=_probability)
    name_close: float = attrs.field(default=0.8, validator=_probability)
    name_similar: float = attrs.field(default=0.65, validator=_probability)
    estimated_birth_tolerance_days: int = attrs.field(default=760, validator=_days)
    close_birth_days: int = attrs.field(default=7, validator=_days)
    weights: MatchWeights = attrs.field(
        factory=MatchWeights, validator=attrs.validators.instance_of(MatchWeights)
    )

    def __attrs_post_init__(self) -> None:
        if self.review_threshold > self.duplicate_threshold:
            raise ValueError(
                f"matching setting review_threshold ({self.review_threshold}) must not exceed "
                f"duplicate_threshold ({self.duplicate_threshold}); lower the first or raise "
                "the second"
            )
        if not self.name_similar <= self.name_close <= self.name_same:
            raise ValueError(
                "matching settings must keep name_similar <= name_close <= name_same "
                f"(now {self.name_similar}, {self.name_close}, {self.name_same})"
            )


@attrs.frozen
class Reason:
    """One named contribution to a score.

    :param code: what was compared and how it came out, e.g. ``given_name.same``,
        ``birth_date.swapped``, ``sex.different``; ``prior`` for the prior odds.
    :param weight: its match weight (log2 odds ratio); the weights of a score's reasons add up
        to the score's log-odds.
    :param detail: a short explanation for a person, without personal data (no name, no date).
    """

    code: str
    weight: float
    detail: str = ""


@attrs.frozen
class MatchScore:
    """The result of comparing two records: a score in ``[0, 1]`` and its reasons.

    :param score: the probability that the two records are one child.
    :param reasons: the contributions, the prior first; ``score == 1 / (1 + 2 ** -total)``
        where ``total`` is the sum of their weights.
    """

    score: float
    reasons: tuple[Reason, ...]

    @property
    def total_weight(self) -> float:
        """The log2 odds of a match: the sum of the reasons' weights."""
        return math.fsum(reason.weight for reason in self.reasons)

    @classmethod
    def from_reasons(cls, reasons: Iterable[Reason]) -> MatchScore:
        """Return the score the reasons add up to."""
        kept = tuple(reasons)
        total = math.fsum(reason.weight for reason in kept)
        return cls(score=1.0 / (1.0 + 2.0**-total), reasons=kept)


#: Relations whose members are a child's caregivers for matching, when marked as caregivers or
#: not: parents and kafils.
_CAREGIVING = frozenset({Relation.MOTHER, Relation.FATHER, Relation.KAFIL, Relation.KAFILA})


def _as_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


@attrs.frozen
class Subject:
    """A child as the matcher compares it: the record and, when known, its caregivers' names.

    :param caregivers: full names of the child's caregivers (mother, father, kafil...), in
        either script; the order does not matter.
    """

    child: Child = attrs.field(validator=attrs.validators.instance_of(Child))
    caregivers: tuple[str, ...] = attrs.field(default=(), converter=_as_names)

    @classmethod
    def from_family(cls, child: Child, family: Family | None) -> Subject:
        """Return the child with the names of its household's caregivers and parents."""
        if family is None:
            return cls(child)
        names: list[str] = []
        for member in family.members:
            if member.child_id == child.id:
                continue
            if member.caregiver or member.relation in _CAREGIVING:
                name = " ".join(part for part in (member.given_name, member.family_name) if part)
                if name:
                    names.append(name)
        return cls(child, caregivers=tuple(names))


@runtime_checkable
class Matcher(Protocol):
    """What finds duplicates: blocking keys for one child, and a score for a pair.

    A deployment may plug in another matcher (a probabilistic linkage engine trained on its own
    register, say) that keeps this shape.
    """

    def candidates_keys(self, child: Child) -> frozenset[str]:
        """Return the blocking keys of a child: records of one child share at least one."""
        ...

    def score(self, a: Child | Subject, b: Child | Subject) -> MatchScore:
        """Return how likely ``a`` and ``b`` are records of one child, with the reasons."""
        ...


def _readings(*names: str | None) -> tuple[NameReading, ...]:
    readings = (read_name(name) for name in names if name)
    return tuple(reading for reading in readings if reading is not None)


@functools.lru_cache(maxsize=1 << 18)
def _cached_readings(*names: str | None) -> tuple[NameReading, ...]:
    return _readings(*names)


@functools.lru_cache(maxsize=1 << 18)
def _best(one: tuple[NameReading, ...], other: tuple[NameReading, ...]) -> float:
    """Return the best similarity, in a script both records have if there is one.

    Two spellings in one script say more than a spelling in each, and two Arabic spellings
    most (Arabic writes long vowels, which Latin cannot tell from short ones): the comparison
    in Arabic decides when both records have one, else the one in Latin script.
    """
    pairs = list(itertools.product(one, other))
    for script in (ARABIC, LATIN):
        same_script = [(a, b) for a, b in pairs if a.whole.script == b.whole.script == script]
        if same_script:
            pairs = same_script
            break
    return max(name_similarity(a, b) for a, b in pairs)


def _identifier_value(value: str) -> str:
    return "".join(value.split()).upper()


#: Schemes under which a child has one identifier for life: two values mean two children.
_LIFELONG_SCHEMES = frozenset({IdentifierScheme.IDCS, IdentifierScheme.CIVIL_STATUS_ACT})


class ChildMatcher:
    """The built-in matcher: phonetic blocking keys and a Fellegi-Sunter style score.

    >>> from datetime import date
    >>> from wladna_core.model import Child, Sex
    >>> salé = Child(Sex.MALE, date(2013, 5, 4), given_name_ar="محمد", family_name_ar="العمراني")
    >>> rabat = Child(Sex.MALE, date(2013, 4, 5), given_name="Mohammed", family_name="Amrani")
    >>> matcher = ChildMatcher()
    >>> sorted(matcher.candidates_keys(salé) & matcher.candidates_keys(rabat))
    ['fy:mrn:2013:m', 'gd:mhmd:2013-04-05', 'gf:mhmd:mrn']
    >>> result = matcher.score(salé, rabat)
    >>> round(result.score, 3), [reason.code for reason in result.reasons]
    (1.0, ['prior', 'given_name.same', 'family_name.same', 'birth_date.swapped', 'sex.same'])
    """

    def __init__(
        self, settings: MatchSettings | None = None, gazetteer: Gazetteer | None = None
    ) -> None:
        self.settings = settings if settings is not None else MatchSettings()
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.morocco()
        self._provinces: dict[str, str | None] = {}

    def candidates_keys(self, child: Child) -> frozenset[str]:
        """Return the blocking keys of ``child`` (see :func:`~.blocking.blocking_keys`)."""
        from wladna_core.matching.blocking import blocking_keys  # noqa: PLC0415

        return blocking_keys(child)

    def score(self, a: Child | Subject, b: Child | Subject) -> MatchScore:
        """Return how likely ``a`` and ``b`` are one child, and the reasons."""
        one = a if isinstance(a, Subject) else Subject(a)
        other = b if isinstance(b, Subject) else Subject(b)
        weights = self.settings.weights
        reasons = [Reason("prior", weights.prior, "prior odds of two candidates being one child")]
        reasons += self._identifiers(one.child, other.child)
        names = self._names(one.child, other.child)
        born = self._birth_date(one.child, other.child)
        reasons += names + born
        codes = {reason.code for reason in names + born}
        if (
            "birth_date.same" in codes
            and codes & {"family_name.same", "family_name.close"}
            and "given_name.similar" in codes
        ):
            detail = "alike given names, same family and date of birth: perhaps twins"
            reasons.append(Reason("twins_possible", weights.twins_possible, detail))
        reasons += self._sex(one.child, other.child)
        reasons += self._caregivers(one.caregivers, other.caregivers)
        reasons += self._residence(one.child.residence, other.child.residence)
        return MatchScore.from_reasons(reasons)

    def verdict(self, result: MatchScore) -> str:
        """Return ``"duplicate"``, ``"possible"`` or ``"distinct"`` for a score."""
        if result.score >= self.settings.duplicate_threshold:
            return "duplicate"
        if result.score >= self.settings.review_threshold:
            return "possible"
        return "distinct"

    # --- the comparisons ------------------------------------------------------------------

    def _level(self, similarity: float) -> str:
        settings = self.settings
        if similarity >= settings.name_same:
            return "same"
        if similarity >= settings.name_close:
            return "close"
        if similarity >= settings.name_similar:
            return "similar"
        return "different"

    def _names(self, one: Child, other: Child) -> list[Reason]:
        weights = self.settings.weights
        reasons = []
        fields = (
            ("given_name", _cached_readings(one.given_name, one.given_name_ar),
             _cached_readings(other.given_name, other.given_name_ar)),
            ("family_name", _cached_readings(one.family_name, one.family_name_ar),
             _cached_readings(other.family_name, other.family_name_ar)),
        )  # fmt: skip
        for field, mine, theirs in fields:
            if not mine or not theirs:
                continue
            similarity = _best(mine, theirs)
            level = self._level(similarity)
            weight = getattr(weights, f"{field}_{level}")
            detail = f"best similarity {similarity:.2f} over the scripts both records have"
            reasons.append(Reason(f"{field}.{level}", weight, detail))
        if one.nickname and other.nickname:
            similarity = _best(_readings(one.nickname), _readings(other.nickname) or ())
            if similarity >= self.settings.name_close:
                reasons.append(Reason("nickname.same", weights.nickname_same, "same nickname"))
        return reasons

    def _birth_date(self, one: Child, other: Child) -> list[Reason]:  # noqa: PLR0911 - one per outcome
        weights = self.settings.weights
        first, second = one.birth_date, other.birth_date
        apart = abs((first - second).days)
        if one.birth_date_estimated or other.birth_date_estimated:
            tolerance = self.settings.estimated_birth_tolerance_days
            if apart <= tolerance:
                share = apart / tolerance if tolerance else 0.0
                weight = weights.birth_date_estimated + share * (
                    weights.birth_date_estimated_limit - weights.birth_date_estimated
                )
                detail = f"an estimated date, {apart} days apart (tolerance {tolerance})"
                return [Reason("birth_date.estimated", weight, detail)]
            if apart <= 2 * tolerance:
                detail = f"an estimated date, {apart} days apart: beyond the tolerance"
                return [
                    Reason("birth_date.estimated_far", weights.birth_date_estimated_far, detail)
                ]
            detail = f"an estimated date, {apart} days apart: over twice the tolerance"
            weight = weights.birth_date_estimated_incompatible
            return [Reason("birth_date.estimated_incompatible", weight, detail)]
        if apart == 0:
            return [Reason("birth_date.same", weights.birth_date_same, "same date of birth")]
        if _swapped(first, second):
            detail = "day and month swapped"
            return [Reason("birth_date.swapped", weights.birth_date_swapped, detail)]
        parts_differing = sum(
            (first.year != second.year, first.month != second.month, first.day != second.day)
        )
        if apart <= self.settings.close_birth_days or (
            parts_differing == 1 and abs(first.year - second.year) <= 1
        ):
            detail = f"{apart} days apart, or one of day, month and year differs"
            return [Reason("birth_date.close", weights.birth_date_close, detail)]
        detail = f"dates of birth {apart} days apart"
        return [Reason("birth_date.different", weights.birth_date_different, detail)]

    def _sex(self, one: Child, other: Child) -> list[Reason]:
        weights = self.settings.weights
        if one.sex is other.sex:
            return [Reason("sex.same", weights.sex_same, "same sex")]
        return [Reason("sex.different", weights.sex_different, "different sexes")]

    def _caregivers(self, one: tuple[str, ...], other: tuple[str, ...]) -> list[Reason]:
        mine, theirs = _readings(*one), _readings(*other)
        if not mine or not theirs:
            return []
        weights = self.settings.weights
        similarity = _best(mine, theirs)
        if similarity >= self.settings.name_close:
            detail = f"a caregiver's name in common (similarity {similarity:.2f})"
            return [Reason("caregiver.same", weights.caregiver_same, detail)]
        if similarity < self.settings.name_similar:
            detail = f"no caregiver's name in common (best similarity {similarity:.2f})"
            return [Reason("caregiver.different", weights.caregiver_different, detail)]
        return []

    def _residence(self, one: str | None, other: str | None) -> list[Reason]:
        if one is None or other is None:
            return []
        weights = self.settings.weights
        if one == other:
            return [Reason("residence.same", weights.residence_same, "same territory")]
        province = self._province(one), self._province(other)
        if province[0] is not None and province[0] == province[1]:
            detail = "same province or prefecture"
            return [Reason("residence.same_province", weights.residence_same_province, detail)]
        region = self._region(one), self._region(other)
        if region[0] is not None and region[0] == region[1]:
            return [Reason("residence.same_region", weights.residence_same_region, "same region")]
        return [Reason("residence.different", weights.residence_different, "different regions")]

    def _province(self, code: str) -> str | None:
        if code not in self._provinces:
            self._provinces[code] = self._find_province(code)
        return self._provinces[code]

    def _find_province(self, code: str) -> str | None:
        try:
            found = self.gazetteer.province_of(code)
        except LookupError:  # a territory a plug-in did not declare: its code leads with its own
            return "-".join(code.split("-")[:2]) if code.count("-") >= 2 else None
        return found.code if found is not None else None

    def _region(self, code: str) -> str | None:
        province = self._province(code) or code
        try:
            found = self.gazetteer.region_of(province)
        except LookupError:
            return None
        return found.code if found is not None else None

    def _identifiers(self, one: Child, other: Child) -> list[Reason]:
        mine = {(ident.scheme, _identifier_value(ident.value)) for ident in one.identifiers}
        theirs = {(ident.scheme, _identifier_value(ident.value)) for ident in other.identifiers}
        weights = self.settings.weights
        if mine & theirs:
            detail = "an identifier in common"
            return [Reason("identifier.same", weights.identifier_same, detail)]
        clashing = {scheme for scheme, _ in mine} & {scheme for scheme, _ in theirs}
        if clashing & _LIFELONG_SCHEMES:
            detail = "different civil-status identifiers"
            return [Reason("identifier.different", weights.identifier_different, detail)]
        return []


def _swapped(one: date, other: date) -> bool:
    return one.year == other.year and one.day == other.month and one.month == other.day
