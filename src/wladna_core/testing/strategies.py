"""Hypothesis strategies for the records of wladna_core, valid by default.

Each strategy is a function that returns a :class:`~hypothesis.strategies.SearchStrategy`.  Its
keyword arguments (the *knobs*) fix part of what is drawn; a knob left at ``None`` is drawn.
Arguments that cannot give a valid record (a CPPE in a region, a pending referral of a closed case,
a case opened before its child was born...) raise :class:`hypothesis.errors.InvalidArgument` when
the strategy is made, naming the knob.

Valid by default
    A record drawn with the default knobs passes every rule of severity ``error`` of
    :func:`wladna_core.rules.validate` on :data:`REFERENCE_DATE` (or on the date given with
    ``on=``; ``age_on=`` for :func:`children`).  No date in it is after that date.  Cases and
    referrals pass with the context of the :class:`CaseFile` they belong to
    (:meth:`CaseFile.context`); drawn alone, they pass without a context.  Warnings may occur:
    they ask a person to look and do not refuse a record.
Reproducible
    Record ids are drawn by Hypothesis (:func:`record_ids`), not read from the clock, so that a
    failing example replays and shrinks.  Records are drawn before their first save: ``version``
    is 0 and cases have no ``number``.
Invalid shapes, on purpose
    ``identifiers(valid=False)`` draws identifiers that break ``child.identifier_format``;
    ``children(identifiers=...)`` puts them on a child; ``children(age=(18, 30))`` draws young
    adults (:func:`cases` still opens their case before their 18th birthday: move the
    ``opened_on`` of a ``registered`` case later with :func:`attrs.evolve` to break
    ``child.adult``);
    ``children(age_on=...)`` with a date after the date of validation draws children born in
    the future (``child.birth_in_future``).

For example, a property test that every closed case passes every rule:

>>> from hypothesis import given
>>> from wladna_core.model import CaseStatus
>>> from wladna_core.rules import validate
>>> from wladna_core.testing import strategies as ws
>>> @given(ws.case_files(status=CaseStatus.CLOSED))
... def test_a_closed_case_passes_every_rule(case_file):
...     context = case_file.context()
...     assert validate(case_file.case, on=ws.REFERENCE_DATE, context=context) == []
>>> test_a_closed_case_passes_every_rule()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.model import (
    IDENTIFIER_FORMATS,
    PROGRAMME_CALENDAR,
    Approval,
    Assessment,
    BodyKind,
    Case,
    CasePlan,
    CaseStatus,
    Child,
    Closure,
    ClosureReason,
    ClosureRequest,
    Consent,
    ConsentGiver,
    ConsentOverride,
    ConsentWithdrawal,
    Difficulty,
    EnrolmentStatus,
    Family,
    FamilyMember,
    FocalPoint,
    FollowUp,
    FollowUpKind,
    FunctionalDifficulty,
    FunctionalDomain,
    Gazetteer,
    Goal,
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
    Institution,
    KafalaDecision,
    MemberInstitution,
    OverrideReason,
    ProgrammeEnrolment,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReferralTargetKind,
    Relation,
    RiskLevel,
    Schooling,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
    Territory,
    TerritoryLevel,
    TransitionPlan,
    Urgency,
    age_on,
)
from wladna_core.rules import Context
from wladna_core.rules.settings import DEFAULT_CLOSURE_APPROVAL_RISKS

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

__all__ = [
    "REFERENCE_DATE",
    "CaseFile",
    "case_files",
    "cases",
    "children",
    "consents",
    "context_of",
    "families",
    "identifiers",
    "many_case_files",
    "record_ids",
    "referrals",
    "territorial_bodies",
    "territories",
]

T = TypeVar("T")

#: The date on which drawn records are valid unless a strategy is told another (``on=``,
#: ``age_on=``): no date in a drawn record is after it, and children are under 18 on it.
REFERENCE_DATE: Final = date(2026, 1, 1)

#: Age of majority in Morocco: a case is opened for a child under it.
_MAJORITY: Final = 18
#: How far back, in years, cases are opened and consents recorded when nothing else is said.
_CASE_YEARS: Final = 6
#: Oldest age a person can be drawn with; the calendar starts in year 1.
_OLDEST: Final = 120

# UUID version 7 layout (see wladna_core.model.ids): 48 bits of milliseconds, version, 12 random
# bits, variant, 62 random bits.  Milliseconds are drawn between 2020-01-01 and 2035-01-01.
_MILLIS_RANGE: Final = (1_577_836_800_000, 2_051_222_400_000)
_VERSION_7: Final = 0x7000
_VARIANT_RFC: Final = 1 << 63
# In many_case_files, bits 16-31 of the last field carry the number of the case file (fewer than
# 2**16), so that the ids of two case files never meet; ids within one file are made distinct.
_LOW_62: Final = (1 << 62) - 1
_LOW_30: Final = (1 << 30) - 1
_BITS_74: Final = st.integers(0, (1 << 74) - 1)
_BITS_58: Final = st.integers(0, (1 << 58) - 1)

_FEMALE_NAMES: Final = (
    ("Amina", "أمينة"),
    ("Fatima Zahra", "فاطمة الزهراء"),
    ("Khadija", "خديجة"),
    ("Salma", "سلمى"),
    ("Imane", "إيمان"),
    ("Meryem", "مريم"),
    ("Yasmine", "ياسمين"),
    ("Nour", "نور"),
    ("Hajar", "هاجر"),
    ("Zineb", "زينب"),
    ("Aya", "آية"),
    ("Malak", "ملاك"),
    ("Douae", "دعاء"),
    ("Hiba", "هبة"),
)
_MALE_NAMES: Final = (
    ("Mohamed", "محمد"),
    ("Youssef", "يوسف"),
    ("Hamza", "حمزة"),
    ("Ayoub", "أيوب"),
    ("Omar", "عمر"),
    ("Adam", "آدم"),
    ("Anas", "أنس"),
    ("Ilyas", "إلياس"),
    ("Mehdi", "المهدي"),
    ("Amine", "أمين"),
    ("Othmane", "عثمان"),
    ("Zakaria", "زكرياء"),
    ("Bilal", "بلال"),
    ("Karim", "كريم"),
)
_FAMILY_NAMES: Final = (
    ("El Idrissi", "الإدريسي"),
    ("Benali", "بنعلي"),
    ("Alaoui", "العلوي"),
    ("El Amrani", "العمراني"),
    ("Bennani", "بناني"),
    ("Tazi", "التازي"),
    ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"),
    ("Ouahmane", "وحمان"),
    ("Bouzid", "بوزيد"),
    ("El Fassi", "الفاسي"),
    ("Naciri", "الناصري"),
    ("Ait Ali", "آيت علي"),
    ("Lahlou", "لحلو"),
)
_NICKNAMES: Final = ("Simo", "Hmida", "Zizou", "Fati", "Mimi", "Lbachir", "Sousou")
_NATIONALITIES: Final = ("MA", "MA", "MA", "SN", "CI", "ML", "GN", "CM", "SY", "DZ")
_LANGUAGES: Final = ("ary", "ar", "zgh", "tzm", "shi", "rif", "fr", "es", "en")
_CITIES: Final = ("Salé", "Rabat", "Agadir", "Casablanca", "Tanger", "Marrakech", "Meknès")
_COURTS: Final = tuple(f"Tribunal de première instance de {city}" for city in _CITIES)
_WORKERS: Final = tuple(f"worker-{n:02d}" for n in range(1, 21))
_SUPERVISORS: Final = tuple(f"supervisor-{n:02d}" for n in range(1, 6))
_BODY_PREFIXES: Final = {
    BodyKind.CPPE: "Comité provincial de protection de l'enfance",
    BodyKind.CAPE: "Centre d'accompagnement pour la protection de l'enfance",
    BodyKind.UPE: "Unité de protection de l'enfance",
    BodyKind.EPS: "Établissement de protection sociale",
    BodyKind.ASSOCIATION: "Association de protection de l'enfance",
    BodyKind.MINISTRY: "Ministère de la Solidarité",
    BodyKind.SOCIAL_SERVICE: "Service social",
    BodyKind.PUBLIC_SERVICE: "Service public",
}
_NOTES: Final = (
    "Visite à domicile effectuée avec la famille.",
    "The child was seen with a social worker present.",
    "L'enfant a été reçu au centre avec sa mère.",
    "Situation discussed at the provincial committee.",
    "Suivi scolaire à organiser avec l'établissement.",
)
_JUSTIFICATIONS: Final = (
    "Immediate danger to the child; caregivers could not be reached.",
    "Ordonnance du juge des mineurs.",
    "Intérêt supérieur de l'enfant : risque de violence au domicile.",
)
_GOALS: Final = (
    "Réintégrer l'enfant à l'école",
    "Obtain a birth certificate",
    "Soutien psychosocial hebdomadaire",
    "Trace the family and assess reunification",
    "Inscrire le ménage au RSU",
)
_REJECTIONS: Final = (
    "Service saturé, réorienter vers un autre centre.",
    "The service asked for is not offered here.",
    "Hors du territoire couvert par l'établissement.",
)
_OUTCOMES: Final = (
    "Service délivré.",
    "The child was enrolled in the programme.",
    "Prise en charge médicale terminée.",
)

# How a referral's target kind relates to the service it asks for.
_JUDICIAL_SERVICES: Final = (ServiceType.JUDICIAL_PROTECTION, ServiceType.LEGAL_AID)
_PROGRAMME_SERVICES: Final = (
    ServiceType.SOCIAL_ASSISTANCE,
    ServiceType.EDUCATION,
    ServiceType.MEDICAL,
    ServiceType.VOCATIONAL_TRAINING,
)
_ASSESSED_STATUSES: Final = frozenset(
    {
        CaseStatus.ASSESSMENT,
        CaseStatus.CASE_PLAN,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.FOLLOW_UP,
        CaseStatus.CLOSED,
        CaseStatus.REOPENED,
    }
)
# Statuses a case reaches only once its assessment is done, and once its plan is in force.
_ASSESSMENT_DONE: Final = frozenset(
    {CaseStatus.CASE_PLAN, CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED}
)
_PLAN_IN_FORCE: Final = frozenset(
    {CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED}
)
_CLOSED_REFERRAL_STATUSES: Final = (
    ReferralStatus.COMPLETED,
    ReferralStatus.REJECTED,
    ReferralStatus.CANCELLED,
)
_ANSWERED: Final = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.COMPLETED}
)
_PROVINCIAL_LEVELS: Final = frozenset(level for level in TerritoryLevel if level.is_provincial)
_SEXES: Final = tuple(Sex)
_RESPONSIBLE_KINDS: Final = tuple(kind for kind in BodyKind if kind is not BodyKind.MINISTRY)
_ADULT_RELATIVES: Final = (
    Relation.GRANDPARENT,
    Relation.AUNT_UNCLE,
    Relation.OTHER_RELATIVE,
    Relation.NON_RELATIVE,
)


# --- dates ---------------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    """Return the same day ``years`` earlier; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _last_day_under(birth_date: date, years: int) -> date:
    """Return the last day on which someone born on ``birth_date`` is under ``years`` of age."""
    try:
        birthday = birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February: the birthday is 1 March in common years
        birthday = date(birth_date.year + years, 3, 1)
    return birthday - timedelta(days=1)


def _between(draw: st.DrawFn, first: date, last: date) -> date:
    """Draw a date from ``first`` to ``last`` (inclusive); ``first`` when the range is empty."""
    if last <= first:
        return first
    # Scale one fixed strategy rather than make a new one per range: Hypothesis checks each new
    # strategy on its first draw, which costs more than the draw.
    span = (last - first).days + 1
    return first + timedelta(days=(draw(_FRACTIONS) * span) >> 32)


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """Draw one of ``options`` (the first when shrinking), without making a new strategy."""
    return options[draw(st.integers(0, len(options) - 1))]


def _birth_date(draw: st.DrawFn, on: date, ages: tuple[int, int]) -> date:
    """Draw the birth date of someone aged ``ages[0]`` to ``ages[1]`` (inclusive) on ``on``."""
    youngest, oldest = ages
    earliest = _years_before(on, oldest + 1) + timedelta(days=1)
    return _between(draw, earliest, _years_before(on, youngest))


def _maybe(draw: st.DrawFn) -> bool:
    """Draw whether an optional part is there."""
    return draw(_BOOLEANS)


def _age_range(age: tuple[int, int] | int | None, knob: str) -> tuple[int, int]:
    if age is None:
        return (0, _MAJORITY - 1)
    youngest, oldest = (age, age) if isinstance(age, int) else age
    if not 0 <= youngest <= oldest <= _OLDEST:
        msg = f"{knob} must be an age or a (youngest, oldest) pair within 0..{_OLDEST}, got {age!r}"
        raise InvalidArgument(msg)
    return youngest, oldest


# --- ids and names -------------------------------------------------------------------------------


def _uuid7(millis: int, rand_a: int, rand_b: int) -> str:
    value = (millis << 80) | ((_VERSION_7 | rand_a) << 64) | _VARIANT_RFC | rand_b
    return str(uuid.UUID(int=value))


@functools.cache
def _record_ids(serial: int | None = None) -> st.SearchStrategy[str]:
    millis = st.integers(*_MILLIS_RANGE)
    if serial is None:
        # The 12 random bits before the variant and the 62 after it, in one draw.
        return st.builds(lambda ms, bits: _uuid7(ms, bits >> 62, bits & _LOW_62), millis, _BITS_74)
    tagged = serial << 16

    def tag(ms: int, bits: int) -> str:
        # 12 bits before the variant; after it 30 drawn bits, the serial, 16 drawn bits.
        return _uuid7(ms, bits >> 46, ((bits >> 16) & _LOW_30) << 32 | tagged | bits & 0xFFFF)

    return st.builds(tag, millis, _BITS_58)


@functools.cache
def _maybe_code(code: str) -> st.SearchStrategy[str | None]:
    return _optional(st.just(code))


def record_ids() -> st.SearchStrategy[str]:
    """Draw record identifiers: canonical UUID strings in the version 7 (time-ordered) layout.

    They have the shape :func:`wladna_core.model.new_id` gives, but are drawn by Hypothesis, so
    that examples replay.  Two draws may give the same id: use ``st.lists(record_ids(),
    unique=True)`` when ids must differ (the bundle strategies do this for you).
    """
    return _record_ids()


def _unique_ids(draw: st.DrawFn, count: int, serial: int | None = None) -> list[str]:
    """Draw ``count`` distinct ids; a repeated one is moved to a free neighbour (low 16 bits)."""
    found: list[str] = []
    taken: set[int] = set()
    for _ in range(count):
        value = uuid.UUID(draw(_record_ids(serial))).int
        while value in taken:
            value = value & ~0xFFFF | (value + 1) & 0xFFFF
        taken.add(value)
        found.append(str(uuid.UUID(int=value)))
    return found


def _fold(name: str) -> str:
    """Fold a name as ``family.member_duplicate`` compares names."""
    return " ".join(name.split()).casefold()


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


def _alone(name: str) -> tuple[str, str | None]:
    return (name, None)


@functools.cache
def _digits(count: int) -> st.SearchStrategy[str]:
    """Strings of ``count`` ASCII digits, drawn as one number (fewer draws than text)."""
    return st.integers(0, 10**count - 1).map(f"{{:0{count}d}}".format)


# Strategies that do not depend on knobs are made once: Hypothesis checks a strategy the first
# time it draws from it, which costs more than the draw.
_BOOLEANS: Final = st.booleans()
_FRACTIONS: Final = st.integers(0, (1 << 32) - 1)
_DIGITS: Final = "0123456789"
_CAPITALS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Names in any script, to try storage and exports on more than the usual names.
_ODD_NAMES: Final = st.text(st.characters(categories=["L"]), min_size=1, max_size=12).map(_alone)
# A given name in Latin script with its Arabic spelling, or an unusual name alone.
_GIVEN_NAMES: Final[dict[Sex, st.SearchStrategy[tuple[str, str | None]]]] = {
    Sex.FEMALE: st.sampled_from(_FEMALE_NAMES) | _ODD_NAMES,
    Sex.MALE: st.sampled_from(_MALE_NAMES) | _ODD_NAMES,
}
_FAMILY_NAME_PAIRS: Final[st.SearchStrategy[tuple[str, str | None]]] = (
    st.sampled_from(_FAMILY_NAMES) | _ODD_NAMES
)
_MOBILES: Final = _optional(_joined(st.sampled_from(("06", "07")), _digits(8)))
_FOCAL_POINTS: Final = st.builds(
    FocalPoint,
    name=st.builds(
        "{0[0]} {1[0]}".format,
        st.sampled_from(_FEMALE_NAMES + _MALE_NAMES),
        st.sampled_from(_FAMILY_NAMES),
    ),
    phone=_MOBILES,
    email=_optional(st.sampled_from(("pf@entraide.ma", "point.focal@sante.gov.ma"))),
)
_INSTITUTION_LISTS: Final = st.lists(
    st.builds(
        MemberInstitution,
        institution=st.sampled_from(Institution),
        focal_point=_optional(_FOCAL_POINTS),
    ),
    max_size=3,
    unique_by=lambda member: member.institution,
)
_SERVICE_SETS: Final = st.frozensets(st.sampled_from(ServiceType), max_size=5)
_NEEDS: Final = st.frozensets(st.sampled_from(ServiceType), max_size=3)
_CONCERN_SETS: Final = {
    fewest: st.frozensets(st.sampled_from(ProtectionConcern), min_size=fewest, max_size=4)
    for fewest in (0, 1)
}
_DIFFICULTY_LISTS: Final = st.lists(
    st.builds(
        FunctionalDifficulty,
        domain=st.sampled_from(FunctionalDomain),
        degree=st.sampled_from(Difficulty),
    ),
    max_size=2,
    unique_by=lambda difficulty: difficulty.domain,
)
_LANGUAGE_LISTS: Final = st.lists(st.sampled_from(_LANGUAGES), max_size=3, unique=True)
_NICKNAME: Final = _optional(st.sampled_from(_NICKNAMES))
_NATIONALITY: Final = _optional(st.sampled_from(_NATIONALITIES))
_SCHOOLING_YOUNG: Final = _optional(st.just(Schooling.NOT_OF_SCHOOL_AGE))
_SCHOOLING: Final = _optional(
    st.sampled_from([s for s in Schooling if s is not Schooling.NOT_OF_SCHOOL_AGE])
)
_SERVICE: Final = _optional(st.sampled_from(ServiceType))
_OPTIONAL_IDS: Final = _optional(_record_ids())
_OUTCOME: Final = _optional(st.sampled_from(_OUTCOMES))
_NOTE: Final = _optional(st.sampled_from(_NOTES))
_SUMMARY: Final = st.sampled_from(("", *_NOTES))
_ADULT_RELATIVE_LISTS: Final = st.lists(st.sampled_from(_ADULT_RELATIVES), max_size=2)
_RSU_IDS: Final = _optional(_digits(9))
_PROGRAMME_LISTS: Final = st.lists(st.sampled_from(SocialProgramme), max_size=2, unique=True)
_INDEXES: Final = _optional(st.floats(0, 20, allow_nan=False).map(lambda x: round(x, 4)))


# --- territories and bodies ----------------------------------------------------------------------


def _require(value: object, kind: type, knob: str) -> None:
    """Raise :class:`InvalidArgument` unless ``value`` is ``None`` or a ``kind``."""
    if value is not None and not isinstance(value, kind):
        msg = f"{knob} must be a {kind.__name__}, got {type(value).__name__}"
        raise InvalidArgument(msg)


def _gazetteer(gazetteer: Gazetteer | None) -> Gazetteer:
    _require(gazetteer, Gazetteer, "gazetteer")
    return Gazetteer.morocco() if gazetteer is None else gazetteer


def _levels(level: TerritoryLevel | Iterable[TerritoryLevel] | None) -> frozenset[TerritoryLevel]:
    if level is None:
        return frozenset(TerritoryLevel)
    if isinstance(level, TerritoryLevel):
        return frozenset({level})
    levels = frozenset(level)
    if not levels or not all(isinstance(item, TerritoryLevel) for item in levels):
        msg = f"level must be a TerritoryLevel or a collection of them, got {level!r}"
        raise InvalidArgument(msg)
    return levels


@functools.cache
def _territories_in(
    gazetteer: Gazetteer, levels: frozenset[TerritoryLevel], within: str | None
) -> tuple[Territory, ...]:
    if within is not None:
        gazetteer.get(within)  # raises UnknownTerritory, with a hint, for an unknown code
    return tuple(
        territory
        for territory in gazetteer
        if territory.level in levels
        and (within is None or gazetteer.contains(within, territory.code))
    )


def territories(
    *,
    level: TerritoryLevel | Iterable[TerritoryLevel] | None = None,
    within: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[Territory]:
    """Draw territories of the gazetteer.

    :param level: only territories of this level (or of these levels); any level by default.
    :param within: only territories inside the territory with this code (itself included).
    :param gazetteer: the gazetteer to draw from; :meth:`Gazetteer.morocco
        <wladna_core.model.Gazetteer.morocco>` by default.
    :raises InvalidArgument: if no territory matches.
    :raises UnknownTerritory: if ``within`` is not in the gazetteer.
    """
    gaz = _gazetteer(gazetteer)
    found = _territories_in(gaz, _levels(level), within)
    if not found:
        msg = f"no territory of level {level!r} within {within!r} in {gaz!r}"
        raise InvalidArgument(msg)
    return st.sampled_from(found)


def _case_territories(gazetteer: Gazetteer, body_territory: str) -> tuple[Territory, ...]:
    """Territories a case of a body covering ``body_territory`` may have: province or below."""
    below = _PROVINCIAL_LEVELS | {TerritoryLevel.COMMUNE}
    return _territories_in(gazetteer, below, body_territory)


@st.composite
def _bodies(
    draw: st.DrawFn,
    *,
    kinds: tuple[BodyKind, ...],
    places: tuple[Territory, ...],
    active: bool | None,
    body_id: str | None = None,
) -> TerritorialBody:
    kind = _pick(draw, kinds)
    if kind is BodyKind.CPPE:
        places = tuple(place for place in places if place.level.is_provincial)
    place = _pick(draw, places)
    return TerritorialBody(
        name=f"{_BODY_PREFIXES[kind]} de {place.name_fr}",
        kind=kind,
        territory=place.code,
        institutions=draw(_INSTITUTION_LISTS),
        services=draw(_SERVICE_SETS),
        active=_maybe(draw) if active is None else active,
        # A social or public service says which sector it belongs to (school, police...).
        sector=_pick(draw, tuple(Institution)) if kind.is_service else None,
        id=body_id if body_id is not None else draw(record_ids()),
    )


def _body_choices(
    kind: BodyKind | Collection[BodyKind] | None,
    territory: str | None,
    gaz: Gazetteer,
) -> tuple[tuple[BodyKind, ...], tuple[Territory, ...]]:
    """Check the knobs of :func:`territorial_bodies`; return the kinds and places to draw from."""
    if kind is None:
        kinds = tuple(BodyKind)
    elif isinstance(kind, BodyKind):
        kinds = (kind,)
    else:
        kinds = tuple(kind)
        if not kinds or not all(isinstance(item, BodyKind) for item in kinds):
            msg = f"kind must be a BodyKind or a collection of them, got {kind!r}"
            raise InvalidArgument(msg)
    if territory is None:
        return kinds, _territories_in(gaz, _PROVINCIAL_LEVELS, None)
    place = gaz.get(territory)
    if not place.level.is_provincial:
        kinds = tuple(item for item in kinds if item is not BodyKind.CPPE)
        if not kinds:
            msg = (
                f"a CPPE sits at province or prefecture level, but territory={territory!r} is "
                f"a {place.level.value} (rule body.level_mismatch)"
            )
            raise InvalidArgument(msg)
    return kinds, (place,)


def territorial_bodies(
    *,
    kind: BodyKind | Collection[BodyKind] | None = None,
    territory: str | None = None,
    active: bool | None = None,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[TerritorialBody]:
    """Draw territorial bodies (CPPE, CAPE, UPE, EPS, associations, ministries).

    :param kind: this kind of body (or one of these kinds); any kind by default.
    :param territory: the code of the territory the body covers; by default a province or
        prefecture (where every kind can sit, and where a CPPE must sit).
    :param active: whether the body still takes cases; drawn by default.
    :param gazetteer: where territories come from; :meth:`Gazetteer.morocco
        <wladna_core.model.Gazetteer.morocco>` by default.
    :raises InvalidArgument: for a CPPE asked for outside province/prefecture level.
    """
    kinds, places = _body_choices(kind, territory, _gazetteer(gazetteer))
    return _bodies(kinds=kinds, places=places, active=active)


# --- children ------------------------------------------------------------------------------------


def _valid_identifier_values(scheme: IdentifierScheme) -> st.SearchStrategy[str]:
    letters = st.text(_CAPITALS, min_size=1, max_size=2)
    if scheme is IdentifierScheme.IDCS:
        return _digits(10)
    if scheme is IdentifierScheme.CNIE:
        return _joined(letters, _digits(5) | _digits(6))
    if scheme is IdentifierScheme.PASSPORT:
        return _joined(letters, _digits(6) | _digits(7))
    if scheme is IdentifierScheme.CIVIL_STATUS_ACT:
        return st.builds(
            "{}/{}".format, st.integers(1, 9999), st.integers(1990, REFERENCE_DATE.year)
        )
    return _joined(st.text(_CAPITALS, min_size=1, max_size=3), _digits(3) | _digits(8))


def _invalid_identifier_values(scheme: IdentifierScheme) -> st.SearchStrategy[str]:
    """Values that break the format of ``scheme`` (``idcs`` or ``cnie``), by construction."""
    if scheme is IdentifierScheme.IDCS:
        wrong = st.one_of(
            st.text(_DIGITS, min_size=1, max_size=9),
            st.text(_DIGITS, min_size=11, max_size=20),
            _joined(
                st.text(_DIGITS, max_size=5),
                st.sampled_from("AOIl -./"),
                st.text(_DIGITS, min_size=4, max_size=4),
            ),
        )
    else:
        digits = st.text(_DIGITS, min_size=5, max_size=6)
        wrong = st.one_of(
            _joined(st.text("abcxyz", min_size=1, max_size=2), digits),
            _joined(st.text(_CAPITALS, min_size=3, max_size=4), digits),
            _joined(
                st.text(_CAPITALS, min_size=1, max_size=2), st.text(_DIGITS, min_size=1, max_size=4)
            ),
            st.text(_DIGITS, min_size=6, max_size=8),
        )
    pattern = IDENTIFIER_FORMATS[scheme]
    # Never rejects: the filter only states the promise.
    return wrong.filter(lambda value: pattern.fullmatch(value) is None)


def _identifiers(scheme: IdentifierScheme, *, valid: bool) -> st.SearchStrategy[Identifier]:
    values = _valid_identifier_values(scheme) if valid else _invalid_identifier_values(scheme)
    issuers: st.SearchStrategy[str | None] = (
        st.sampled_from(("Association Bayti", "Entraide Nationale", "Hôpital d'enfants"))
        if scheme is IdentifierScheme.OTHER
        else st.none()
    )
    return st.builds(Identifier, scheme=st.just(scheme), value=values, issuer=issuers)


def identifiers(
    *, scheme: IdentifierScheme | None = None, valid: bool = True
) -> st.SearchStrategy[Identifier]:
    """Draw identifiers of children (IDCS, CNIE, passport, civil-status act...).

    :param scheme: the scheme; any by default (with ``valid=False``, one that has a format:
        ``idcs`` or ``cnie``).
    :param valid: ``False`` draws values that break the scheme's format: an IDCS that is not
        ten digits (the warning ``child.identifier_format_unverified``, since that format is
        not verified), a CNIE that is not one or two capitals then five or six digits (the
        error ``child.identifier_format``).
    :raises InvalidArgument: for ``valid=False`` with a scheme that has no format.
    """
    _require(scheme, IdentifierScheme, "scheme")
    if valid:
        schemes = list(IdentifierScheme) if scheme is None else [scheme]
    elif scheme is None:
        schemes = sorted(IDENTIFIER_FORMATS)
    elif scheme in IDENTIFIER_FORMATS:
        schemes = [scheme]
    else:
        msg = (
            f"scheme {scheme.value!r} has no format to break; valid=False needs one of "
            f"{', '.join(sorted(IDENTIFIER_FORMATS))}"
        )
        raise InvalidArgument(msg)
    return st.one_of([_identifiers(item, valid=valid) for item in schemes])


# Up to three valid identifiers, of different schemes.
_CHILD_IDENTIFIERS: Final = st.lists(
    st.one_of([_identifiers(scheme, valid=True) for scheme in IdentifierScheme]),
    max_size=3,
    unique_by=lambda identifier: identifier.scheme,
)


_SCHOOL_AGE: Final = 6
_REGISTERED_BY: Final = frozenset({IdentifierScheme.IDCS, IdentifierScheme.CIVIL_STATUS_ACT})


def _child_names(draw: st.DrawFn, sex: Sex) -> dict[str, str | None]:
    """Draw the names of an identified child: Latin script, Arabic script, or both."""
    given, given_ar = draw(_GIVEN_NAMES[sex])
    family, family_ar = draw(_FAMILY_NAME_PAIRS)
    script = _pick(draw, ("both", "latin", "arabic"))
    if given_ar is None:
        script = "latin"
    names: dict[str, str | None] = {}
    if script != "arabic":
        names.update(given_name=given, family_name=family if _maybe(draw) else None)
    if script != "latin":
        names.update(given_name_ar=given_ar, family_name_ar=family_ar)
    return names


@st.composite
def _children(
    draw: st.DrawFn,
    *,
    on: date,
    ages: tuple[int, int],
    sex: Sex | None = None,
    unidentified: bool | None = None,
    residences: st.SearchStrategy[str | None],
    identifier_lists: st.SearchStrategy[Sequence[Identifier]] | None = None,
    child_id: str | None = None,
) -> Child:
    sex = _pick(draw, _SEXES) if sex is None else sex
    birth_date = _birth_date(draw, on, ages)
    if unidentified is None:
        # One child in five is found without an identity.
        unidentified = _pick(draw, (False, False, False, False, True))
    if identifier_lists is not None:
        found = list(draw(identifier_lists))
    else:
        found = [] if unidentified else draw(_CHILD_IDENTIFIERS)
    if unidentified:
        names: dict[str, str | None] = {}
        nationality = None
    else:
        names = _child_names(draw, sex)
        nationality = draw(_NATIONALITY)
    # An IDCS (population register) or a birth act goes with a registered birth.
    birth_registered: bool | None = True
    if not any(identifier.scheme in _REGISTERED_BY for identifier in found):
        birth_registered = None if unidentified else _pick(draw, (None, True, False))
    schooling = draw(_SCHOOLING_YOUNG if age_on(birth_date, on) < _SCHOOL_AGE else _SCHOOLING)
    return Child(
        sex=sex,
        birth_date=birth_date,
        nickname=draw(_NICKNAME),
        unidentified=unidentified,
        birth_date_estimated=True if unidentified else _maybe(draw),
        nationality=nationality,
        identifiers=found,
        birth_registered=birth_registered,
        residence=draw(residences),
        functional_difficulties=draw(_DIFFICULTY_LISTS),
        languages=draw(_LANGUAGE_LISTS),
        schooling=schooling,
        id=draw(record_ids()) if child_id is None else child_id,
        given_name=names.get("given_name"),
        family_name=names.get("family_name"),
        given_name_ar=names.get("given_name_ar"),
        family_name_ar=names.get("family_name_ar"),
    )


def _residences(
    residence: str | None, gaz: Gazetteer, within: str | None = None
) -> st.SearchStrategy[str | None]:
    """Return residence codes: ``residence`` if given (and known), else none or a place."""
    if residence is not None:
        gaz.get(residence)  # raises UnknownTerritory, with a hint, for an unknown code
        return st.just(residence)
    places = _territories_in(gaz, _PROVINCIAL_LEVELS | {TerritoryLevel.COMMUNE}, within)
    return _optional(st.sampled_from([place.code for place in places]))


def _identifier_lists(
    given: Iterable[Identifier] | st.SearchStrategy[Sequence[Identifier]] | None,
) -> st.SearchStrategy[Sequence[Identifier]] | None:
    if given is None or isinstance(given, st.SearchStrategy):
        return given
    fixed = tuple(given)
    if not all(isinstance(item, Identifier) for item in fixed):
        msg = f"identifiers must be Identifier objects or a strategy of lists of them: {given!r}"
        raise InvalidArgument(msg)
    return st.just(fixed)


def children(
    *,
    age_on: date | None = None,
    age: tuple[int, int] | int | None = None,
    sex: Sex | None = None,
    unidentified: bool | None = None,
    residence: str | None = None,
    identifiers: Iterable[Identifier] | st.SearchStrategy[Sequence[Identifier]] | None = None,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[Child]:
    """Draw children, valid on the day ``age_on``.

    :param age_on: the day ages are taken on, and the date on which the child is valid: no
        child is born after it.  :data:`REFERENCE_DATE` by default.
    :param age: the age on ``age_on``, or a ``(youngest, oldest)`` range, both included;
        ``(0, 17)`` by default.  Ages of 18 or more give young adults (rule ``child.adult``
        refuses a case opened for them).
    :param sex: the sex; drawn by default.
    :param unidentified: ``True`` draws children found without an identity (no names, no
        identifiers, an estimated birth date); one child in five by default.
    :param residence: the code of the territory the child lives in; by default none or a
        province, prefecture or commune of the gazetteer.
    :param identifiers: the child's identifiers, or a strategy of lists of them (e.g.
        ``st.lists(identifiers(valid=False), min_size=1)``); by default up to three valid ones
        of different schemes, none for an unidentified child.
    :param gazetteer: where residences come from; :meth:`Gazetteer.morocco
        <wladna_core.model.Gazetteer.morocco>` by default.
    """
    on = REFERENCE_DATE if age_on is None else age_on
    ages = _age_range(age, "age")
    if on.year - ages[1] <= 1:
        msg = f"nobody aged {ages[1]} on {on.isoformat()} was born in the calendar's first year"
        raise InvalidArgument(msg)
    return _children(
        on=on,
        ages=ages,
        sex=sex,
        unidentified=unidentified,
        residences=_residences(residence, _gazetteer(gazetteer)),
        identifier_lists=_identifier_lists(identifiers),
    )


# --- families ------------------------------------------------------------------------------------


@attrs.frozen
class _Role:
    """A member of a household to be drawn: relation, sex, caregiver, alive, and age range."""

    relation: Relation
    sex: Sex | None
    caregiver: bool
    alive: bool
    ages: tuple[int, int]


def _adult_ages(oldest_child: int, relation: Relation) -> tuple[int, int]:
    """Return the ages of an adult ``relation`` of children the oldest of whom is ``oldest_child``.

    Parents and other adults are at least 15 years older than the children, grandparents 35.
    """
    youngest = max(_MAJORITY, oldest_child + 15)
    oldest = 75
    if relation is Relation.GRANDPARENT:
        youngest, oldest = youngest + 20, 95
    youngest = min(youngest, _OLDEST)
    return youngest, min(max(oldest, youngest + 10), _OLDEST)


def _roles(
    draw: st.DrawFn, *, child_headed: bool, with_kafala: bool, oldest_child: int, linked: int
) -> list[_Role]:
    roles: list[_Role] = []
    if child_headed:
        # Parents, when recorded, are deceased; a minor sibling heads the household.
        for relation, sex in ((Relation.MOTHER, Sex.FEMALE), (Relation.FATHER, Sex.MALE)):
            if _maybe(draw):
                roles.append(_Role(relation, sex, caregiver=False, alive=False, ages=(30, 80)))
        roles.append(_Role(Relation.SIBLING, None, caregiver=True, alive=True, ages=(14, 17)))
    elif with_kafala:
        kafala = _pick(
            draw, ((Relation.KAFIL,), (Relation.KAFILA,), (Relation.KAFIL, Relation.KAFILA))
        )
        for relation in kafala:
            sex = Sex.MALE if relation is Relation.KAFIL else Sex.FEMALE
            ages = _adult_ages(oldest_child, relation)
            roles.append(_Role(relation, sex, caregiver=True, alive=True, ages=ages))
    else:
        for relation, sex in ((Relation.MOTHER, Sex.FEMALE), (Relation.FATHER, Sex.MALE)):
            if _maybe(draw):
                alive = _pick(draw, (True, True, True, False))
                caregiver = alive and _maybe(draw)
                ages = _adult_ages(oldest_child, relation)
                roles.append(_Role(relation, sex, caregiver=caregiver, alive=alive, ages=ages))
        for relation in draw(_ADULT_RELATIVE_LISTS):
            ages = _adult_ages(oldest_child, relation)
            caregiver = _maybe(draw)
            roles.append(_Role(relation, None, caregiver=caregiver, alive=True, ages=ages))
        if not any(role.caregiver for role in roles):
            ages = _adult_ages(oldest_child, Relation.GRANDPARENT)
            roles.append(_Role(Relation.GRANDPARENT, None, caregiver=True, alive=True, ages=ages))
    siblings = draw(st.integers(0, 1 if child_headed else 2))
    roles.extend(_Role(Relation.SIBLING, None, False, True, (0, 30)) for _ in range(siblings))
    if not linked:
        unlinked = draw(st.integers(0, 2))
        roles.extend(_Role(Relation.CHILD, None, False, True, (0, 17)) for _ in range(unlinked))
    return roles


def _kafala_decision(draw: st.DrawFn, first: date, last: date) -> KafalaDecision:
    decided_on = _between(draw, first, last)
    return KafalaDecision(
        court=_pick(draw, _COURTS),
        reference=f"{draw(st.integers(1, 9999))}/{decided_on.year}",
        decided_on=decided_on,
    )


def _member(
    draw: st.DrawFn, role: _Role, *, on: date, household: str, kafala_since: date
) -> FamilyMember:
    sex = _pick(draw, _SEXES) if role.sex is None else role.sex
    given, _ = draw(_GIVEN_NAMES[sex])
    # A mother keeps her own family name; others mostly share the household's.
    family = draw(_FAMILY_NAME_PAIRS)[0] if role.relation is Relation.MOTHER else household
    # A caregiver's birth date is always known, so that rules can tell a minor caregiver.
    known_birth = role.caregiver or _maybe(draw)
    adult = role.ages[0] >= _MAJORITY
    return FamilyMember(
        relation=role.relation,
        given_name=given,
        family_name=family if _maybe(draw) else None,
        sex=sex,
        birth_date=_birth_date(draw, on, role.ages) if known_birth else None,
        caregiver=role.caregiver,
        alive=role.alive,
        kafala=_kafala_decision(draw, kafala_since, on) if role.relation.is_kafala else None,
        phone=draw(_MOBILES) if adult and role.alive else None,
    )


def _without_repeats(members: list[FamilyMember]) -> list[FamilyMember]:
    """Drop the family name of a member whose name and birth date repeat an earlier member's.

    ``family.member_duplicate`` takes such members for one person typed twice; without a
    family name, a member is told apart by the case worker instead.
    """
    seen: set[tuple[str, str, date]] = set()
    kept: list[FamilyMember] = []
    for member in members:
        if member.given_name and member.family_name and member.birth_date:
            key = (_fold(member.given_name), _fold(member.family_name), member.birth_date)
            if key in seen:
                member = attrs.evolve(member, family_name=None)  # noqa: PLW2901
            seen.add(key)
        kept.append(member)
    return kept


@st.composite
def _families(
    draw: st.DrawFn,
    *,
    on: date,
    linked: tuple[Child, ...],
    child_headed: bool | None,
    with_kafala: bool | None,
    residences: st.SearchStrategy[str | None],
    family_id: str | None = None,
) -> Family:
    if child_headed is None:
        child_headed = False if with_kafala else _pick(draw, (False, False, False, True))
    if with_kafala is None:
        with_kafala = False if child_headed else _maybe(draw)
    oldest_child = max((age_on(child.birth_date, on) for child in linked), default=17)
    roles = _roles(
        draw,
        child_headed=child_headed,
        with_kafala=with_kafala,
        oldest_child=oldest_child,
        linked=len(linked),
    )
    household = draw(_FAMILY_NAME_PAIRS)[0]
    youngest_birth = max((child.birth_date for child in linked), default=_years_before(on, 17))
    members = [
        FamilyMember(
            relation=Relation.CHILD,
            sex=child.sex,
            birth_date=child.birth_date,
            child_id=child.id,
        )
        for child in linked
    ]
    members.extend(
        _member(draw, role, on=on, household=household, kafala_since=youngest_birth)
        for role in roles
    )
    programmes = [
        ProgrammeEnrolment(
            programme=programme,
            status=_pick(draw, tuple(EnrolmentStatus)),
            since=_between(draw, _years_before(on, 10), on) if _maybe(draw) else None,
        )
        for programme in draw(_PROGRAMME_LISTS)
    ]
    return Family(
        members=_without_repeats(members),
        residence=draw(residences),
        child_headed=child_headed,
        rsu_id=draw(_RSU_IDS),
        socio_economic_index=draw(_INDEXES),
        programmes=programmes,
        id=draw(record_ids()) if family_id is None else family_id,
    )


def families(
    *,
    children: Iterable[Child] | None = None,
    child_headed: bool | None = None,
    with_kafala: bool | None = None,
    residence: str | None = None,
    on: date = REFERENCE_DATE,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[Family]:
    """Draw households whose members are consistent with each other, valid on the day ``on``.

    Every caregiver is alive; a kafil or kafila has a kafala decision; no member is recorded
    twice; caregivers are adults unless the household is child-headed; mothers, kafilas are
    women and fathers, kafils men; parents are at least 15 years older than the children.

    :param children: registered children to link to the household (each becomes a member with
        relation ``child`` and ``child_id`` set); by default up to two unregistered children.
    :param child_headed: ``True`` draws a household headed by a minor sibling (parents, when
        recorded, are deceased); one household in four by default.
    :param with_kafala: ``True`` draws a household where a kafil, a kafila or both take care of
        the children under a kafala decision; ``False`` one without; drawn by default.
    :param residence: the territory code of the household; by default none or a province,
        prefecture or commune.
    :param on: the date of validation: no date in the household is after it.
    :param gazetteer: where residences come from.
    :raises InvalidArgument: for a child-headed household under kafala, or a child born after
        ``on``.
    """
    if child_headed and with_kafala:
        msg = "a household under kafala has an adult kafil or kafila: it is not child-headed"
        raise InvalidArgument(msg)
    given = tuple(children or ())
    for child in given:
        _require(child, Child, "each of children")
    linked = tuple({child.id: child for child in given}.values())
    for child in linked:
        if child.birth_date > on:
            msg = f"child {child.id} is born after on={on.isoformat()}"
            raise InvalidArgument(msg)
    return _families(
        on=on,
        linked=linked,
        child_headed=child_headed,
        with_kafala=with_kafala,
        residences=_residences(residence, _gazetteer(gazetteer)),
    )


# --- consents ------------------------------------------------------------------------------------


def _override(draw: st.DrawFn, first: date, last: date) -> ConsentOverride:
    """Draw an authorised override, authorised between ``first`` and ``last``."""
    return ConsentOverride(
        reason=_pick(draw, tuple(OverrideReason)),
        justification=_pick(draw, _JUSTIFICATIONS),
        authorised_by=_pick(draw, _SUPERVISORS),
        authorised_on=_between(draw, first, last),
    )


def _consent(draw: st.DrawFn, first: date, last: date, allows_referral: bool | None) -> Consent:
    """Draw a consent recorded between ``first`` and ``last``."""
    recorded_on = _between(draw, first, last)
    allows = _maybe(draw) if allows_referral is None else allows_referral
    override = None
    if allows and _maybe(draw):
        services = sharing = True
    else:
        services, sharing = _pick(draw, ((False, False), (True, False), (False, True)))
        if allows:
            override = _override(draw, recorded_on, recorded_on)
    reporting = _maybe(draw)
    given = services or sharing or reporting or _maybe(draw)
    assent = _pick(draw, (None, True, False)) if given else None
    return Consent(
        recorded_on=recorded_on,
        given_by=_pick(draw, tuple(ConsentGiver)) if given else None,
        services=services,
        sharing=sharing,
        reporting=reporting,
        override=override,
        assent=assent,
        assent_note=draw(_NOTE) if given else None,
    )


def consents(
    *, allows_referral: bool | None = None, on: date = REFERENCE_DATE
) -> st.SearchStrategy[Consent]:
    """Draw consents, recorded in the six years up to ``on``.

    :param allows_referral: ``True`` draws consents that let a case be referred (consent to
        services and to sharing, or an authorised override); ``False`` consents that do not (and
        carry no override); drawn by default.
    :param on: the date of validation: consents are recorded on or before it.
    """
    first = _years_before(on, _CASE_YEARS)
    return st.composite(lambda draw: _consent(draw, first, on, allows_referral))()


# --- cases ---------------------------------------------------------------------------------------


def _opening_window(child: Child | None, on: date) -> tuple[date, date]:
    """Return the first and last days a case can open: by ``on``, while the child is a minor."""
    if child is None:
        return _years_before(on, _CASE_YEARS), on
    last = min(on, _last_day_under(child.birth_date, _MAJORITY))
    return max(child.birth_date, _years_before(last, _CASE_YEARS)), last


def _plan(
    draw: st.DrawFn, *, drawn_up_on: date, on: date, approved: bool | None, responsible: str
) -> CasePlan:
    goals = [
        Goal(
            description=_pick(draw, _GOALS),
            responsible=responsible,
            due=drawn_up_on + timedelta(days=draw(st.integers(7, 365))),
            service=draw(_SERVICE),
            achieved_on=_between(draw, drawn_up_on, on) if _maybe(draw) else None,
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    if approved is None:
        approved = _maybe(draw)
    approval = (
        Approval(by=_pick(draw, _SUPERVISORS), on=_between(draw, drawn_up_on, on))
        if approved
        else None
    )
    transition = (
        TransitionPlan(
            agreed_on=_between(draw, drawn_up_on, on),
            arrangements=_pick(draw, _GOALS),
            services=draw(_NEEDS),
            responsible=responsible if _maybe(draw) else None,
        )
        if _maybe(draw)
        else None
    )
    return CasePlan(
        drawn_up_on=drawn_up_on,
        goals=goals,
        review_on=drawn_up_on + timedelta(days=draw(st.integers(30, 180)))
        if _maybe(draw)
        else None,
        approval=approval,
        transition=transition,
    )


@attrs.frozen
class _CaseKnobs:
    """The checked knobs of :func:`cases`."""

    on: date
    child: Child | None
    body: TerritorialBody | None
    family: Family | None
    statuses: tuple[CaseStatus, ...]
    risk: RiskLevel | None
    places: tuple[Territory, ...]
    window: tuple[date, date]
    concerns: frozenset[ProtectionConcern] | None
    allows_referral: bool | None = None


@st.composite
def _cases(draw: st.DrawFn, knobs: _CaseKnobs, ids: tuple[str, str] | None = None) -> Case:
    on, child, body = knobs.on, knobs.child, knobs.body
    case_id, link_id = ids if ids is not None else _unique_ids(draw, 2)
    status = _pick(draw, knobs.statuses)
    risk = _pick(draw, tuple(RiskLevel)) if knobs.risk is None else knobs.risk
    opened_on = _between(draw, *knobs.window)
    earliest_identification = max(
        opened_on - timedelta(days=30), child.birth_date if child else opened_on
    )
    identification = Identification(
        source=_pick(draw, tuple(IdentificationSource)),
        on=_between(draw, earliest_identification, opened_on),
        by_body=body.id if body is not None else draw(_OPTIONAL_IDS),
        note=draw(_NOTE),
    )
    worker = _pick(draw, _WORKERS)
    cursor = opened_on
    may_assess = knobs.concerns is None or bool(knobs.concerns)
    assessed = status in _ASSESSMENT_DONE or (
        may_assess and status is not CaseStatus.REGISTERED and _maybe(draw)
    )
    assessment = None
    if assessed:
        cursor = _between(draw, cursor, on)
        assessment = Assessment(
            on=cursor,
            by=worker,
            risk=risk,
            summary=draw(_SUMMARY),
            needs=draw(_NEEDS),
        )
    planned = assessed and (status in _PLAN_IN_FORCE or _maybe(draw))
    plan = None
    follow_ups: list[FollowUp] = []
    if planned:
        cursor = _between(draw, cursor, on)
        must_approve = risk is RiskLevel.HIGH and status in _PLAN_IN_FORCE
        responsible = body.name if body is not None else worker
        plan = _plan(
            draw,
            drawn_up_on=cursor,
            on=on,
            approved=True if must_approve else None,
            responsible=responsible,
        )
        if plan.approval is not None:
            cursor = plan.approval.on
        if status in _PLAN_IN_FORCE or status is CaseStatus.REOPENED:
            fewest = 1 if status is CaseStatus.FOLLOW_UP else 0
            days = [_between(draw, cursor, on) for _ in range(draw(st.integers(fewest, 3)))]
            follow_ups = [
                FollowUp(
                    on=day,
                    by=worker,
                    kind=_pick(draw, tuple(FollowUpKind)),
                    note=draw(_SUMMARY),
                )
                for day in sorted(days)
            ]
            cursor = max([cursor, *days])
    closure = None
    if status is CaseStatus.CLOSED:
        closure = Closure(
            on=_between(draw, cursor, on),
            reason=_pick(draw, tuple(ClosureReason)),
            note=draw(_NOTE),
        )
    if knobs.concerns is not None:
        concerns = knobs.concerns
    else:
        fewest = 1 if status in _ASSESSED_STATUSES or assessed else 0
        concerns = draw(_CONCERN_SETS[fewest])
    consent_until = closure.on if closure is not None else on
    # Without a say on referral, a case may have no consent recorded yet.
    consent = (
        _consent(draw, opened_on, consent_until, knobs.allows_referral)
        if knobs.allows_referral is not None or _maybe(draw)
        else None
    )
    withdrawals: tuple[ConsentWithdrawal, ...] = ()
    if consent is not None and consent.sharing and knobs.allows_referral is None and _maybe(draw):
        withdrawals = (_withdrawal(draw, consent.recorded_on, consent_until),)
        consent = attrs.evolve(consent, sharing=False)
    if knobs.family is not None:
        family_id: str | None = knobs.family.id
    else:
        family_id = draw(record_ids()) if _maybe(draw) else None
    return Case(
        child_id=child.id if child is not None else draw(record_ids()),
        body_id=body.id if body is not None else draw(record_ids()),
        territory=_pick(draw, knobs.places).code,
        opened_on=opened_on,
        identification=identification,
        status=status,
        risk=risk,
        concerns=concerns,
        family_id=family_id,
        worker_id=worker if _maybe(draw) else None,
        consent=consent,
        assessment=assessment,
        plan=plan,
        follow_ups=follow_ups,
        closure=closure,
        closure_requests=_closure_requests(draw, status, opened_on, on, closure, risk),
        consent_withdrawals=withdrawals,
        transferred_to=link_id if status is CaseStatus.TRANSFERRED else None,
        duplicate_of=link_id if status is CaseStatus.DUPLICATE else None,
        id=case_id,
    )


def _withdrawal(draw: st.DrawFn, first: date, last: date) -> ConsentWithdrawal:
    """Draw a withdrawal of consent to sharing (and maybe more) between ``first`` and ``last``."""
    return ConsentWithdrawal(
        on=_between(draw, first, last),
        recorded_by=_pick(draw, _WORKERS),
        withdrawn_by=_pick(draw, (None, *ConsentGiver)),
        services=_maybe(draw),
        sharing=True,
        reporting=_maybe(draw),
        note=draw(_NOTE),
    )


def _closure_requests(  # noqa: PLR0917 (what a request depends on)
    draw: st.DrawFn,
    status: CaseStatus,
    opened_on: date,
    on: date,
    closure: Closure | None,
    risk: RiskLevel,
) -> tuple[ClosureRequest, ...]:
    """Draw the closure requests of a case: declined ones, then a pending or approved one.

    A closed case may end with the approved request its closure came from (a high-risk one
    always does, as the default settings ask); an active case may end with a request that
    awaits a decision.
    """
    last = closure.on if closure is not None else on
    requests: list[ClosureRequest] = []
    cursor = opened_on
    for _ in range(draw(st.integers(0, 1))):
        asked = _between(draw, cursor, last)
        cursor = _between(draw, asked, last)
        requests.append(
            ClosureRequest(
                requested_by=_pick(draw, _WORKERS),
                requested_on=asked,
                reason=_pick(draw, tuple(ClosureReason)),
                decided_by=_pick(draw, _SUPERVISORS),
                decided_on=cursor,
                approved=False,
                comment=_pick(draw, _JUSTIFICATIONS),
            )
        )
    approved = risk in DEFAULT_CLOSURE_APPROVAL_RISKS or _maybe(draw)
    if closure is not None and closure.reason is not None and approved:
        requests.append(
            ClosureRequest(
                requested_by=_pick(draw, _WORKERS),
                requested_on=_between(draw, cursor, closure.on),
                reason=closure.reason,
                note=closure.note,
                decided_by=_pick(draw, _SUPERVISORS),
                decided_on=closure.on,
                approved=True,
                comment=draw(_NOTE),
            )
        )
    elif status.is_active and _maybe(draw):
        requests.append(
            ClosureRequest(
                requested_by=_pick(draw, _WORKERS),
                requested_on=_between(draw, cursor, on),
                reason=_pick(draw, tuple(ClosureReason)),
                note=draw(_NOTE),
            )
        )
    return tuple(requests)


def _case_places(
    gaz: Gazetteer, body: TerritorialBody | None, territory: str | None
) -> tuple[Territory, ...]:
    if territory is not None:
        place = gaz.get(territory)
        if body is not None and not gaz.contains(body.territory, territory):
            msg = (
                f"territory={territory!r} is outside the territory {body.territory!r} of the "
                "body given"
            )
            raise InvalidArgument(msg)
        return (place,)
    if body is not None:
        # Never empty: a body's own territory, or a province within it, qualifies.
        return _case_territories(gaz, body.territory)
    return _territories_in(gaz, _PROVINCIAL_LEVELS, None)


def _case_knobs(
    *,
    on: date,
    child: Child | None,
    body: TerritorialBody | None,
    family: Family | None,
    status: CaseStatus | None,
    risk: RiskLevel | None,
    territory: str | None,
    opened_on: date | None,
    concerns: Iterable[ProtectionConcern] | None,
    gazetteer: Gazetteer | None,
    allows_referral: bool | None = None,
) -> _CaseKnobs:
    """Check the knobs of :func:`cases` against each other; raise InvalidArgument if they clash."""
    gaz = _gazetteer(gazetteer)
    _require(child, Child, "child")
    _require(body, TerritorialBody, "body")
    _require(family, Family, "family")
    first, last = _opening_window(child, on)
    if first > last:
        msg = (
            f"the child {child.id if child else ''} is born after on={on.isoformat()}: "
            "no day to open a case"
        )
        raise InvalidArgument(msg)
    if opened_on is not None:
        born = child.birth_date if child is not None else opened_on
        if not born <= opened_on <= last:
            msg = (
                f"opened_on={opened_on.isoformat()} must be on or before on={on.isoformat()}, "
                "and on a day the child is born and under 18"
            )
            raise InvalidArgument(msg)
        first = last = opened_on
    statuses = tuple(CaseStatus) if status is None else (status,)
    fixed_concerns = None if concerns is None else frozenset(concerns)
    if fixed_concerns is not None and not fixed_concerns:
        # A case without concerns cannot be in a status that comes after an assessment.
        statuses = tuple(item for item in statuses if item not in _ASSESSED_STATUSES)
        if not statuses:
            msg = f"a case in status {status!s} needs concerns (rule case.concerns_missing)"
            raise InvalidArgument(msg)
    return _CaseKnobs(
        on=on,
        child=child,
        body=body,
        family=family,
        statuses=statuses,
        risk=risk,
        places=_case_places(gaz, body, territory),
        window=(first, last),
        concerns=fixed_concerns,
        allows_referral=allows_referral,
    )


def cases(
    *,
    child: Child | None = None,
    body: TerritorialBody | None = None,
    status: CaseStatus | None = None,
    risk: RiskLevel | None = None,
    territory: str | None = None,
    opened_on: date | None = None,
    concerns: Iterable[ProtectionConcern] | None = None,
    family: Family | None = None,
    on: date = REFERENCE_DATE,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[Case]:
    """Draw cases that are valid for their status, on the day ``on``.

    A drawn case has concerns once assessed; a closure with a reason if and only if it is
    closed; an assessment from ``case_plan`` on and a plan from ``implementation`` on, approved
    when the risk is high; the assessment's risk equal to the case's; dates in order
    (identification, opening, assessment, plan, approval, follow-ups, closure), none after
    ``on``; a ``transferred_to`` or ``duplicate_of`` link when transferred or duplicate.

    :param child: the child of the case; the case opens on a day the child is under 18.  By
        default the case names a drawn child id.
    :param body: the responsible body; the case's territory lies within the body's.  By default
        the case names a drawn body id.
    :param status: the status; drawn by default.
    :param risk: the risk level; drawn by default.
    :param territory: the code of the case's territory (within ``body``'s, if given); by default
        a province or prefecture (or one within the body's territory).
    :param opened_on: the opening day; by default within six years before ``on``.
    :param concerns: the protection concerns; by default one to four (none to four for a case
        still ``registered``, ``transferred`` or ``duplicate`` before any assessment).
    :param family: the child's household; by default none or a drawn family id.
    :param on: the date of validation: no date in the case is after it.
    :param gazetteer: where territories come from.
    :raises InvalidArgument: if the knobs clash (see each one).
    """
    return _cases(
        _case_knobs(
            on=on,
            child=child,
            body=body,
            family=family,
            status=status,
            risk=risk,
            territory=territory,
            opened_on=opened_on,
            concerns=concerns,
            gazetteer=gazetteer,
        )
    )


# --- referrals -----------------------------------------------------------------------------------


def _other_than(record_id: str, avoid: str | None) -> str:
    """Return ``record_id``, or a neighbour of it if it is ``avoid``."""
    if record_id != avoid:
        return record_id
    return str(uuid.UUID(int=uuid.UUID(record_id).int ^ 1))


def _referral_statuses(case: Case | None) -> tuple[ReferralStatus, ...]:
    """Statuses a referral of ``case`` can have: only closed ones once the case is inactive."""
    if case is not None and not case.is_active:
        return _CLOSED_REFERRAL_STATUSES
    return tuple(ReferralStatus)


def _services_for(target: ReferralTarget, partners: Sequence[TerritorialBody]) -> list[ServiceType]:
    if target.kind is ReferralTargetKind.JUDICIAL:
        return list(_JUDICIAL_SERVICES)
    if target.kind is ReferralTargetKind.PROGRAMME:
        return list(_PROGRAMME_SERVICES)
    offered = [body.services for body in partners if body.id == target.body_id]
    return sorted(offered[0]) if offered and offered[0] else list(ServiceType)


def _targets(
    draw: st.DrawFn, *, from_body: str, partners: Sequence[TerritorialBody] | None
) -> ReferralTarget:
    """Draw a target: a partner body (any body if ``partners`` is None), a programme or a judge."""
    kinds = [ReferralTargetKind.PROGRAMME, ReferralTargetKind.JUDICIAL]
    if partners is None or partners:
        kinds.insert(0, ReferralTargetKind.BODY)
    kind = _pick(draw, kinds)
    if kind is ReferralTargetKind.PROGRAMME:
        return ReferralTarget.to_programme(_pick(draw, tuple(SocialProgramme)))
    if kind is ReferralTargetKind.JUDICIAL:
        return ReferralTarget.to_judicial_authority()
    if partners:
        return ReferralTarget.to_body(_pick(draw, partners).id)
    return ReferralTarget.to_body(_other_than(draw(record_ids()), from_body))


@attrs.frozen
class _ReferralKnobs:
    """The checked knobs of :func:`referrals`."""

    on: date
    case: Case | None
    statuses: tuple[ReferralStatus, ...]
    from_body: str | None
    target: ReferralTarget | None
    #: The bodies a referral may target; ``None`` when any body id will do.
    partners: tuple[TerritorialBody, ...] | None = None


@st.composite
def _referrals(draw: st.DrawFn, knobs: _ReferralKnobs, referral_id: str | None = None) -> Referral:
    on, case = knobs.on, knobs.case
    if knobs.from_body is not None:
        from_body = knobs.from_body
    elif case is not None:
        from_body = case.body_id
    else:
        from_body = draw(record_ids())
    if knobs.target is not None:
        target = knobs.target
    else:
        target = _targets(draw, from_body=from_body, partners=knobs.partners)
    status = _pick(draw, knobs.statuses)
    first = case.opened_on if case is not None else _years_before(on, _CASE_YEARS)
    last = case.closure.on if case is not None and case.closure is not None else on
    consent = case.consent if case is not None else None
    covered = consent is not None and consent.allows_referral and consent.recorded_on <= last
    if covered and consent is not None:
        first = max(first, consent.recorded_on)
    made_on = _between(draw, first, last)
    if knobs.target is None and target.kind is ReferralTargetKind.PROGRAMME:
        # Valid by default: a programme in force on the day of the referral.
        in_force = tuple(p for p in SocialProgramme if PROGRAMME_CALENDAR.in_force(p, made_on))
        target = ReferralTarget.to_programme(_pick(draw, in_force))
    override = None if covered else _override(draw, made_on, made_on)
    responded_on = _between(draw, made_on, last) if status in _ANSWERED else None
    closed = status in _CLOSED_REFERRAL_STATUSES
    return Referral(
        case_id=case.id if case is not None else draw(record_ids()),
        from_body=from_body,
        target=target,
        service=_pick(draw, _services_for(target, knobs.partners or ())),
        made_on=made_on,
        urgency=_pick(draw, tuple(Urgency)),
        status=status,
        note=draw(_NOTE),
        consent_override=override,
        response_due=made_on + timedelta(days=draw(st.integers(1, 30))) if _maybe(draw) else None,
        responded_on=responded_on,
        rejection_reason=_pick(draw, _REJECTIONS) if status is ReferralStatus.REJECTED else None,
        closed_on=_between(draw, responded_on or made_on, last) if closed else None,
        outcome=draw(_OUTCOME) if status is ReferralStatus.COMPLETED else None,
        id=draw(record_ids()) if referral_id is None else referral_id,
    )


def referrals(
    *,
    case: Case | None = None,
    status: ReferralStatus | None = None,
    from_body: str | None = None,
    target: ReferralTarget | None = None,
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[Referral]:
    """Draw referrals whose consent basis is valid, on the day ``on``.

    A drawn referral is covered by the consent of its case when that consent allows referral,
    and otherwise carries an authorised override of its own; it never targets its sender; it
    has a rejection reason if and only if it is rejected; its dates are in order and none is
    after ``on`` (nor after the closure of its case).  The referral of a case that is no longer
    active (closed, transferred, duplicate) is itself closed.

    :param case: the case referred; by default a drawn case id.
    :param status: the status; drawn by default.
    :param from_body: the id of the sending body; the case's body by default.
    :param target: where the referral goes; by default a body (drawn id), a social programme
        (one in force on the day the referral is made) or the judicial authority.
    :param on: the date of validation.
    :raises InvalidArgument: for a self referral, an open referral of an inactive case, or a
        case opened after ``on``.
    """
    _require(case, Case, "case")
    if case is not None and case.opened_on > on:
        msg = f"the case opens on {case.opened_on.isoformat()}, after on={on.isoformat()}"
        raise InvalidArgument(msg)
    allowed = _referral_statuses(case)
    if status is not None and status not in allowed:
        msg = (
            f"a referral of a case in status {case.status.value if case else ''!r} cannot be "
            f"{status.value!r} (rules case.closure_with_open_referrals, referral.case_not_open)"
        )
        raise InvalidArgument(msg)
    sender = from_body if from_body is not None else (case.body_id if case else None)
    if target is not None and target.body_id is not None and target.body_id == sender:
        msg = "the target is the sending body (rule referral.self_referral)"
        raise InvalidArgument(msg)
    return _referrals(
        _ReferralKnobs(
            on=on,
            case=case,
            statuses=allowed if status is None else (status,),
            from_body=from_body,
            target=target,
        )
    )


# --- case files ----------------------------------------------------------------------------------


@attrs.frozen
class CaseFile:
    """A consistent set of records around one case, as :func:`case_files` draws them.

    :param body: the body responsible for the case.
    :param child: the child of the case.
    :param family: the child's household; it lists the child as a member.
    :param case: the case.
    :param referrals: the referrals of the case, each sent by ``body``.
    :param partners: the other bodies the referrals may target.
    :param gazetteer: the gazetteer the territories come from.
    """

    body: TerritorialBody
    child: Child
    family: Family
    case: Case
    referrals: tuple[Referral, ...] = ()
    partners: tuple[TerritorialBody, ...] = ()
    gazetteer: Gazetteer = attrs.field(factory=Gazetteer.morocco, eq=False, repr=False)

    @property
    def bodies(self) -> tuple[TerritorialBody, ...]:
        """The responsible body, then the partners."""
        return (self.body, *self.partners)

    @property
    def records(self) -> tuple[TerritorialBody | Child | Family | Case | Referral, ...]:
        """Every record, in an order a store can add them (bodies first, referrals last)."""
        return (*self.bodies, self.child, self.family, self.case, *self.referrals)

    def context(self) -> Context:
        """Return the rules' context holding every record of this case file."""
        return context_of([self])


def context_of(case_files: Iterable[CaseFile], *, gazetteer: Gazetteer | None = None) -> Context:
    """Return the rules' context holding every record of ``case_files``.

    :param gazetteer: the gazetteer; that of the first case file by default.
    """
    files = list(case_files)
    if gazetteer is None:
        gazetteer = files[0].gazetteer if files else Gazetteer.morocco()
    return Context(
        gazetteer=gazetteer,
        children=[file.child for file in files],
        families=[file.family for file in files],
        bodies=[body for file in files for body in file.bodies],
        cases=[file.case for file in files],
        referrals=[referral for file in files for referral in file.referrals],
    )


@attrs.frozen
class _FileKnobs:
    """The checked knobs of :func:`case_files`."""

    on: date
    gazetteer: Gazetteer
    places: tuple[Territory, ...]
    partner_places: tuple[Territory, ...]
    statuses: tuple[CaseStatus, ...]
    risk: RiskLevel | None
    body_kinds: tuple[BodyKind, ...]
    ages: tuple[int, int]
    child_headed: bool | None
    with_kafala: bool | None
    allows_referral: bool | None
    max_partners: int
    max_referrals: int


@st.composite
def _case_files(draw: st.DrawFn, knobs: _FileKnobs, serial: int | None = None) -> CaseFile:
    on, gaz = knobs.on, knobs.gazetteer
    ids = iter(_unique_ids(draw, 5 + knobs.max_partners + knobs.max_referrals, serial))
    place = _pick(draw, knobs.places)
    province = gaz.province_of(place.code) or place
    body = draw(_bodies(kinds=knobs.body_kinds, places=(province,), active=True, body_id=next(ids)))
    residence = _maybe_code(place.code)
    child = draw(_children(on=on, ages=knobs.ages, residences=residence, child_id=next(ids)))
    family = draw(
        _families(
            on=on,
            linked=(child,),
            child_headed=knobs.child_headed,
            with_kafala=knobs.with_kafala,
            residences=residence,
            family_id=next(ids),
        )
    )
    case_knobs = _CaseKnobs(
        on=on,
        child=child,
        body=body,
        family=family,
        statuses=knobs.statuses,
        risk=knobs.risk,
        places=(place,),
        window=_opening_window(child, on),
        concerns=None,
        allows_referral=knobs.allows_referral,
    )
    case = draw(_cases(case_knobs, ids=(next(ids), next(ids))))
    partner_ids = [next(ids) for _ in range(knobs.max_partners)]
    partners = tuple(
        draw(
            _bodies(
                kinds=tuple(BodyKind), places=knobs.partner_places, active=True, body_id=partner_id
            )
        )
        for partner_id in partner_ids[: draw(st.integers(0, knobs.max_partners))]
    )
    referral_knobs = _ReferralKnobs(
        on=on,
        case=case,
        statuses=_referral_statuses(case),
        from_body=body.id,
        target=None,
        partners=partners,
    )
    referral_ids = [next(ids) for _ in range(knobs.max_referrals)]
    found = tuple(
        draw(_referrals(referral_knobs, referral_id=referral_id))
        for referral_id in referral_ids[: draw(st.integers(0, knobs.max_referrals))]
    )
    return CaseFile(
        body=body,
        child=child,
        family=family,
        case=case,
        referrals=found,
        partners=partners,
        gazetteer=gaz,
    )


def _file_knobs(
    *,
    status: CaseStatus | None,
    risk: RiskLevel | None,
    territory: str | None,
    body_kind: BodyKind | Collection[BodyKind] | None,
    age: tuple[int, int] | int | None,
    child_headed: bool | None,
    with_kafala: bool | None,
    allows_referral: bool | None,
    max_partners: int,
    max_referrals: int,
    on: date,
    gazetteer: Gazetteer | None,
) -> _FileKnobs:
    gaz = _gazetteer(gazetteer)
    below = _PROVINCIAL_LEVELS | {TerritoryLevel.COMMUNE}
    if territory is None:
        places = _territories_in(gaz, _PROVINCIAL_LEVELS, None)
    else:
        place = gaz.get(territory)
        if place.level not in below or gaz.province_of(territory) is None:
            msg = f"territory={territory!r} must be a province, prefecture or commune"
            raise InvalidArgument(msg)
        places = (place,)
    kinds, _ = _body_choices(_RESPONSIBLE_KINDS if body_kind is None else body_kind, None, gaz)
    if child_headed and with_kafala:
        msg = "a household under kafala has an adult kafil or kafila: it is not child-headed"
        raise InvalidArgument(msg)
    ages = _age_range(age, "age")
    if ages[1] >= _MAJORITY + _CASE_YEARS:
        msg = f"a case opens at most {_CASE_YEARS} years before on, for a child under 18: age<24"
        raise InvalidArgument(msg)
    for count, knob in ((max_partners, "max_partners"), (max_referrals, "max_referrals")):
        if not 0 <= count <= 10:
            msg = f"{knob} must be from 0 to 10, got {count!r}"
            raise InvalidArgument(msg)
    return _FileKnobs(
        on=on,
        gazetteer=gaz,
        places=places,
        partner_places=_territories_in(gaz, _PROVINCIAL_LEVELS, None),
        statuses=tuple(CaseStatus) if status is None else (status,),
        risk=risk,
        body_kinds=kinds,
        ages=ages,
        child_headed=child_headed,
        with_kafala=with_kafala,
        allows_referral=allows_referral,
        max_partners=max_partners,
        max_referrals=max_referrals,
    )


def case_files(
    *,
    status: CaseStatus | None = None,
    risk: RiskLevel | None = None,
    territory: str | None = None,
    body_kind: BodyKind | Collection[BodyKind] | None = None,
    age: tuple[int, int] | int | None = None,
    child_headed: bool | None = None,
    with_kafala: bool | None = None,
    allows_referral: bool | None = None,
    max_partners: int = 2,
    max_referrals: int = 3,
    on: date = REFERENCE_DATE,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[CaseFile]:
    """Draw :class:`CaseFile` bundles: a body, a child, their family, a case and its referrals.

    The records refer to each other (the case names the child, the family and the body; the
    family lists the child; the referrals name the case, are sent by the body and target a
    partner body of the file, a programme or the judicial authority) and have distinct ids.
    With :meth:`CaseFile.context`, each passes every error-level rule on ``on``.

    :param status: the case's status; drawn by default.
    :param risk: the case's risk level; drawn by default.
    :param territory: the code of the case's territory: a province, prefecture or commune; the
        body covers its province.  Drawn among provinces and prefectures by default.
    :param body_kind: the kind (or kinds) of the responsible body; any but a ministry by
        default.
    :param age: the child's age on ``on`` (or a range, see :func:`children`); under 18 by
        default, and under 24 in any case (the case opens before the child is 18, at most six
        years before ``on``).
    :param child_headed: whether the household is child-headed, see :func:`families`.
    :param with_kafala: whether the child lives under kafala, see :func:`families`.
    :param allows_referral: whether the case's consent allows referral (``True``, ``False``);
        by default drawn, or no consent at all.  Referrals it does not cover carry an authorised
        override.
    :param max_partners: at most this many partner bodies (0 to 10).
    :param max_referrals: at most this many referrals (0 to 10).
    :param on: the date of validation: no date in the file is after it.
    :param gazetteer: where territories come from.
    """
    return _case_files(
        _file_knobs(
            status=status,
            risk=risk,
            territory=territory,
            body_kind=body_kind,
            age=age,
            child_headed=child_headed,
            with_kafala=with_kafala,
            allows_referral=allows_referral,
            max_partners=max_partners,
            max_referrals=max_referrals,
            on=on,
            gazetteer=gazetteer,
        )
    )


@st.composite
def _many_case_files(
    draw: st.DrawFn, knobs: _FileKnobs, min_size: int, max_size: int
) -> tuple[CaseFile, ...]:
    files: list[CaseFile] = []
    seen: set[tuple[IdentifierScheme, str]] = set()
    for serial in range(draw(st.integers(min_size, max_size))):
        file = draw(_case_files(knobs, serial=serial))
        # An identifier an earlier child carries is dropped (rule child.identifier_duplicate).
        kept = tuple(
            identifier
            for identifier in file.child.identifiers
            if (identifier.scheme, identifier.value) not in seen
        )
        seen.update((identifier.scheme, identifier.value) for identifier in kept)
        if kept != file.child.identifiers:
            file = attrs.evolve(file, child=attrs.evolve(file.child, identifiers=kept))
        files.append(file)
    return tuple(files)


def many_case_files(
    min_size: int = 0,
    max_size: int = 5,
    *,
    status: CaseStatus | None = None,
    risk: RiskLevel | None = None,
    territory: str | None = None,
    on: date = REFERENCE_DATE,
    gazetteer: Gazetteer | None = None,
) -> st.SearchStrategy[tuple[CaseFile, ...]]:
    """Draw several case files that can live in one store together.

    Every record id is distinct across the files, and no identifier (scheme and value) is
    carried by two children.  :func:`context_of` gives the context holding them all.

    :param min_size: at least this many case files.
    :param max_size: at most this many (up to 1000).
    :param status: the status of every case; drawn for each by default.
    :param risk: the risk level of every case; drawn for each by default.
    :param territory: the territory of every case, see :func:`case_files`.
    :param on: the date of validation.
    :param gazetteer: where territories come from.
    """
    if not 0 <= min_size <= max_size <= 1000:
        msg = f"need 0 <= min_size <= max_size <= 1000, got {min_size!r} and {max_size!r}"
        raise InvalidArgument(msg)
    knobs = _file_knobs(
        status=status,
        risk=risk,
        territory=territory,
        body_kind=None,
        age=None,
        child_headed=None,
        with_kafala=None,
        allows_referral=None,
        max_partners=2,
        max_referrals=3,
        on=on,
        gazetteer=gazetteer,
    )
    return _many_case_files(knobs, min_size, max_size)
