"""Hypothesis strategies for the records of the training programme, valid by construction.

Like :mod:`wladna_core.testing.strategies`, each strategy is a function returning a
:class:`~hypothesis.strategies.SearchStrategy`, whose keyword arguments (*knobs*) fix part of
what is drawn; a knob that cannot give a valid record raises
:class:`hypothesis.errors.InvalidArgument` when the strategy is made.

Valid by construction
    A record drawn alone passes every rule of :func:`~wladna_core.training.training_rules`
    that runs without other records, on :data:`REFERENCE_DATE` (or ``on=``): no date in it is
    after that day.  :func:`training_files` draws a whole consistent programme (bodies, sites,
    units, materials, sessions, participants, enrolments, evaluations, support requests) whose
    every record passes every training rule, errors and warnings alike, with the context of
    the file (:meth:`TrainingFile.context`).
Reproducible
    Ids are drawn by Hypothesis, never read from the clock; anonymous evaluations get random
    (version 4) ids as they do in use.

>>> from hypothesis import given, settings
>>> from wladna_core.rules import validate
>>> from wladna_core.training import training_rules
>>> @settings(max_examples=5)
... @given(training_files())
... def test_every_record_of_a_programme_passes(file):
...     context = file.context()
...     for record in file.records:
...         assert validate(record, on=file.on, context=context, rules=training_rules()) == []
>>> test_every_record_of_a_programme_passes()

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.model import BodyKind, Gazetteer, TerritorialBody, TerritoryLevel
from wladna_core.testing import strategies as ws
from wladna_core.training.context import TrainingContext
from wladna_core.training.enums import (
    Criterion,
    Delivery,
    InternetAccess,
    MaterialKind,
    NeedCode,
    RecommendationCode,
    Sector,
    SessionMode,
    StaffRole,
    Subject,
    SupportStatus,
)
from wladna_core.training.evaluations import RATING_SCALE, Evaluation, Rating
from wladna_core.training.programmes import RolloutPhase, TrainingProgramme
from wladna_core.training.rules import SCORE_SCALE
from wladna_core.training.sessions import (
    Enrolment,
    Participant,
    SiteLogistics,
    Trainer,
    TrainingSession,
)
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.support import SupportRequest, units_covering
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "REFERENCE_DATE",
    "TrainingFile",
    "enrolments",
    "evaluations",
    "material_files",
    "materials",
    "participants",
    "rollout_phases",
    "site_logistics",
    "support_requests",
    "trainers",
    "training_files",
    "training_programmes",
    "training_sessions",
    "training_units",
]

T = TypeVar("T")

#: The date on which drawn records are valid unless a strategy is told another (``on=``).
REFERENCE_DATE: Final = ws.REFERENCE_DATE
#: How far back, in days, sessions and programmes are drawn.
_SPAN: Final = 3 * 366

_UNIT_TITLES: Final = (
    ("استعمال قاعدة المعطيات", "Utilisation de la base d'information"),
    ("تدبير الحالات", "Gestion des cas"),
    ("مواكبة الأطفال في وضعية الشارع", "Accompagnement des enfants en situation de rue"),
    ("الحماية من العنف والاستغلال", "Protection contre la violence et l'exploitation"),
    ("الإطار القانوني لحماية الطفولة", "Cadre juridique de la protection de l'enfance"),
    ("الدعم النفسي والاجتماعي", "Soutien psychosocial"),
    ("مسار الإحالة", "Circuit d'orientation"),
    ("حماية المعطيات الشخصية", "Protection des données personnelles"),
)
_REASONS: Final = (
    "Mises en situation en petits groupes",
    "Visite de terrain avec une équipe mobile",
    "Exercices pratiques sur les postes du centre",
)
_MEDIA: Final = (
    ("application/pdf", ".pdf"),
    ("video/mp4", ".mp4"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    ("text/plain", ".txt"),
)
_INSTITUTIONS: Final = (
    ("UNICEF", Sector.INTERNATIONAL_PARTNER),
    ("Union européenne", Sector.INTERNATIONAL_PARTNER),
    ("Entraide Nationale", Sector.ENTRAIDE_NATIONALE),
    ("Ministère de la Solidarité", Sector.MINISTRY),
    ("Université Mohammed V", Sector.ACADEMIC),
)
_PHASE_NAMES: Final = ("Salé test phase", "Pilot cities", "Ten regions", "Generalisation")


# Strategies made once: Hypothesis checks each new strategy on its first draw, which costs
# more than the draw, so draws scale a fixed strategy rather than make one per range.
_FRACTIONS: Final = st.integers(0, (1 << 32) - 1)
_BOOLEANS: Final = st.booleans()
_KINDS: Final = st.sampled_from(MaterialKind)
_DELIVERIES: Final = st.sampled_from(Delivery)
_SUBJECT_SETS: Final = st.frozensets(st.sampled_from(Subject), max_size=3)
_BODY_KIND_SETS: Final = st.frozensets(st.sampled_from(BodyKind))
_ROLE_SETS: Final = st.frozensets(st.sampled_from(StaffRole))
_ROLES: Final = st.sampled_from(StaffRole)
_SECTORS: Final = st.sampled_from(Sector)
_ACCESSES: Final = st.sampled_from(InternetAccess)
_MODES: Final = st.sampled_from(SessionMode)
_OPTIONAL_MODES: Final = st.none() | _MODES
_CRITERIA: Final = st.lists(st.sampled_from(Criterion), unique=True)
_RATINGS: Final = st.integers(*RATING_SCALE)
_SCORES: Final = st.none() | st.integers(*SCORE_SCALE)
_NEED_SETS: Final = st.frozensets(st.sampled_from(NeedCode), max_size=4)
_RECOMMENDATION_SETS: Final = st.frozensets(st.sampled_from(RecommendationCode), max_size=4)
_TOPICS: Final = st.sampled_from(Subject)
_STATUSES: Final = st.sampled_from(SupportStatus)
_UUID4: Final = st.uuids(version=4)


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """Draw one of ``options`` (the first when shrinking)."""
    return options[_scaled(draw, len(options))]


def _scaled(draw: st.DrawFn, count: int) -> int:
    """Draw a whole number from 0 to ``count - 1``."""
    return (draw(_FRACTIONS) * count) >> 32


def _number(draw: st.DrawFn, low: int, high: int) -> int:
    """Draw a whole number from ``low`` to ``high`` inclusive."""
    return low + _scaled(draw, high - low + 1)


def _subset(draw: st.DrawFn, items: Sequence[T]) -> list[T]:
    """Draw some of ``items``, in their order."""
    return [item for item in items if draw(_BOOLEANS)]


def _between(draw: st.DrawFn, first: date, last: date) -> date:
    """Draw a date from ``first`` to ``last`` inclusive (``first`` when the range is empty)."""
    if last <= first:
        return first
    return first + timedelta(days=_number(draw, 0, (last - first).days))


def _require_date(value: object, knob: str) -> date:
    if not isinstance(value, date):
        msg = f"{knob} must be a date, got {type(value).__name__}"
        raise InvalidArgument(msg)
    return value


_RECORD_IDS: Final = ws.record_ids()


def _ids(draw: st.DrawFn, count: int, taken: set[int]) -> list[str]:
    """Draw ``count`` ids not in ``taken``; a repeated one is moved to a free neighbour.

    ``taken`` is shared by every kind of a file, so that no two records of a file have the same
    id, whatever their kinds (as new ids never do).  The neighbour differs in the low 16 bits.
    """
    found: list[str] = []
    for _ in range(count):
        value = uuid.UUID(draw(_RECORD_IDS)).int
        while value in taken:
            value = value & ~0xFFFF | (value + 1) & 0xFFFF
        taken.add(value)
        found.append(str(uuid.UUID(int=value)))
    return found


# --- materials and units -------------------------------------------------------------------------


@st.composite
def materials(
    draw: st.DrawFn, *, kind: MaterialKind | None = None, material_id: str | None = None
) -> Material:
    """Draw materials of an educational bag, without their files (see :func:`material_files`).

    :param kind: this kind of material; drawn by default.
    :param material_id: the material's id; drawn by default.
    """
    content = draw(st.binary(max_size=64))
    return _material(draw, content, kind, material_id)


def _material(
    draw: st.DrawFn, content: bytes, kind: MaterialKind | None, material_id: str | None
) -> Material:
    media_type, suffix = _pick(draw, _MEDIA)
    material_id = material_id if material_id is not None else draw(ws.record_ids())
    return Material(
        title=_pick(draw, _UNIT_TITLES)[1] + " - support",
        kind=kind if kind is not None else draw(_KINDS),
        language=_pick(draw, ("ar", "fr", "ary", "zgh")),
        edition=f"{_number(draw, 1, 5)}.{_number(draw, 0, 9)}",
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        location=f"file:///srv/wladna/bag/{material_id}{suffix}",
        id=material_id,
    )


@st.composite
def material_files(draw: st.DrawFn, *, max_size: int = 2048) -> tuple[Material, bytes]:
    """Draw a material with the bytes of its file: the record's size and SHA-256 are theirs.

    Write the bytes to a file and pass a resolver to
    :func:`~wladna_core.training.export_bag` to export a bag of such materials.

    :param max_size: the most bytes a file has.
    """
    content = draw(st.binary(max_size=max_size))
    return _material(draw, content, None, None), content


@st.composite
def training_units(
    draw: st.DrawFn,
    *,
    delivery: Delivery | None = None,
    prerequisites: Sequence[str] = (),
    material_ids: Sequence[str] = (),
    unit_id: str | None = None,
) -> TrainingUnit:
    """Draw training units.

    :param delivery: remote-capable or physical-only; drawn by default (a physical-only unit
        always says why).
    :param prerequisites: ids the unit's prerequisites are drawn among (none by default).
    :param material_ids: ids its materials are drawn among, kept in the order given.
    :param unit_id: the unit's id; drawn by default.
    """
    title_ar, title_fr = _pick(draw, _UNIT_TITLES)
    how = delivery if delivery is not None else draw(_DELIVERIES)
    return TrainingUnit(
        code=f"U-{_number(draw, 1, 999):03d}",
        title_ar=title_ar,
        title_fr=title_fr,
        duration_hours=_number(draw, 1, 60),
        delivery=how,
        physical_reason=_pick(draw, _REASONS) if how is Delivery.PHYSICAL_ONLY else None,
        objectives=_subset(draw, _REASONS[:2]),
        subjects=draw(_SUBJECT_SETS),
        prerequisites=frozenset(_subset(draw, prerequisites)),
        materials=_subset(draw, material_ids),
        hands_on=draw(_BOOLEANS),
        id=unit_id if unit_id is not None else draw(ws.record_ids()),
    )


# --- programmes ----------------------------------------------------------------------------------


_PLACES: Final = tuple(
    territory.code
    for territory in Gazetteer.morocco()
    if territory.level is TerritoryLevel.REGION or territory.level.is_provincial
)


def rollout_phases(
    *, starts_after: date | None = None, on: date = REFERENCE_DATE
) -> st.SearchStrategy[RolloutPhase]:
    """Draw rollout phases over known regions and provinces, starting by ``on``.

    :param starts_after: the earliest day the phase may start; three years before ``on`` by
        default.
    :param on: the latest day it may start.
    :raises InvalidArgument: when ``starts_after`` is after ``on``.
    """
    on = _require_date(on, "on")
    if starts_after is not None and _require_date(starts_after, "starts_after") > on:
        msg = f"starts_after={starts_after} is after on={on}"
        raise InvalidArgument(msg)
    return _rollout_phases(starts_after, on)


@st.composite
def _rollout_phases(draw: st.DrawFn, starts_after: date | None, on: date) -> RolloutPhase:
    first = starts_after if starts_after is not None else on - timedelta(days=_SPAN)
    start = _between(draw, first, on)
    end = start + timedelta(days=_number(draw, 0, 400)) if draw(_BOOLEANS) else None
    count = _number(draw, 1, 8)
    return RolloutPhase(
        name=_pick(draw, _PHASE_NAMES),
        territories=frozenset(_pick(draw, _PLACES) for _ in range(count)),
        starts_on=start,
        ends_on=end,
    )


def training_programmes(*, on: date = REFERENCE_DATE) -> st.SearchStrategy[TrainingProgramme]:
    """Draw programmes with up to four phases in order, the first starting with the programme.

    :param on: no date of the programme starts after it.
    """
    return _training_programmes(_require_date(on, "on"))


@st.composite
def _training_programmes(draw: st.DrawFn, on: date) -> TrainingProgramme:
    start = _between(draw, on - timedelta(days=_SPAN), on)
    names = _subset(draw, _PHASE_NAMES) or [_PHASE_NAMES[0]]
    phases: list[RolloutPhase] = []
    earliest = start
    for name in names:
        phase = draw(_rollout_phases(earliest, on))
        phases.append(attrs.evolve(phase, name=name))
        earliest = phase.starts_on
    return TrainingProgramme(
        title="Programme de formation et d'accompagnement",
        starts_on=start,
        partners=_subset(draw, ("UNICEF", "European Union")),
        target_body_kinds=draw(_BODY_KIND_SETS),
        target_roles=draw(_ROLE_SETS),
        phases=phases,
        id=draw(ws.record_ids()),
    )


# --- sites, sessions, participants -------------------------------------------------------------


def site_logistics(
    *,
    body_id: str | None = None,
    internet: InternetAccess | None = None,
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[SiteLogistics]:
    """Draw the logistics of a body's site, surveyed by ``on``.

    :param body_id: the body; drawn by default.
    :param internet: its Internet access; drawn by default.
    :param on: the latest day of the survey.
    """
    return _site_logistics(body_id, internet, _require_date(on, "on"))


@st.composite
def _site_logistics(
    draw: st.DrawFn, body_id: str | None, internet: InternetAccess | None, on: date
) -> SiteLogistics:
    return SiteLogistics(
        body_id=body_id if body_id is not None else draw(ws.record_ids()),
        recorded_on=_between(draw, on - timedelta(days=_SPAN), on),
        seats=_number(draw, 0, 60),
        devices=_number(draw, 0, 40),
        internet=internet if internet is not None else draw(_ACCESSES),
        id=draw(ws.record_ids()),
    )


@st.composite
def trainers(draw: st.DrawFn) -> Trainer:
    """Draw trainers and their institutions."""
    institution, sector = _pick(draw, _INSTITUTIONS)
    return Trainer(
        name=_pick(draw, ("Équipe du ministère", "Experte UNICEF", "Formateur national")),
        institution=institution,
        sector=sector if draw(_BOOLEANS) else None,
    )


_TRAINERS: Final = trainers()


def _days(draw: st.DrawFn, on: date) -> tuple[date, ...]:
    count = _number(draw, 1, 5)
    gaps = [_number(draw, 1, 3) for _ in range(count - 1)]
    first = _between(draw, on - timedelta(days=_SPAN), on - timedelta(days=sum(gaps)))
    days = [first]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    return tuple(days)


def training_sessions(
    *,
    units: Sequence[TrainingUnit] | None = None,
    sites: Sequence[SiteLogistics] | None = None,
    territory: str | None = None,
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[TrainingSession]:
    """Draw sessions held on days up to ``on``.

    :param units: the units it gives (a non-empty sequence, kept in order); one drawn unit by
        default.  A session giving a physical-only unit is held in person.
    :param sites: the sites an in-person or hybrid session may be held at; a site with no seats
        is never chosen, and an in-person session takes no more than its seats.  Without sites
        (or without a site with seats) the session is remote, so every unit must then allow it.
    :param territory: the session's territory; a known province or region by default.
    :param on: its last day is no later than this.
    :raises InvalidArgument: for an empty ``units``, or a physical-only unit without a site.
    """
    on = _require_date(on, "on")
    rooms = tuple(site for site in (sites or ()) if site.seats > 0)
    if units is not None:
        if not units:
            msg = "units must name at least one unit"
            raise InvalidArgument(msg)
        if not rooms and any(unit.delivery is Delivery.PHYSICAL_ONLY for unit in units):
            msg = "a session of a physical-only unit needs a site with seats (sites=...)"
            raise InvalidArgument(msg)
    return _training_sessions(None if units is None else tuple(units), rooms, territory, on)


@st.composite
def _training_sessions(
    draw: st.DrawFn,
    units: tuple[TrainingUnit, ...] | None,
    rooms: tuple[SiteLogistics, ...],
    territory: str | None,
    on: date,
) -> TrainingSession:
    if units is None:
        # A unit drawn for the session alone: remote-capable unless a room can take it.
        delivery = None if rooms else Delivery.REMOTE_CAPABLE
        units = (draw(training_units(delivery=delivery)),)
    given = list(units)
    physical = any(unit.delivery is Delivery.PHYSICAL_ONLY for unit in given)
    if physical:
        mode = SessionMode.IN_PERSON
    elif rooms:
        mode = draw(_MODES)
    else:
        mode = SessionMode.REMOTE
    site = _pick(draw, rooms) if mode.has_venue else None
    most = site.seats if mode is SessionMode.IN_PERSON and site is not None else 120
    return TrainingSession(
        units=[unit.id for unit in given],
        mode=mode,
        days=_days(draw, on),
        territory=territory if territory is not None else _pick(draw, _PLACES),
        capacity=_number(draw, 1, most),
        site_id=site.id if site is not None else None,
        trainers=[draw(_TRAINERS) for _ in range(_number(draw, 0, 3))],
        id=draw(ws.record_ids()),
    )


@st.composite
def participants(draw: st.DrawFn, *, body_id: str | None = None) -> Participant:
    """Draw participants.

    :param body_id: their body; drawn by default.
    """
    return Participant(
        person_id=f"staff-{_number(draw, 1, 99999):05d}",
        body_id=body_id if body_id is not None else draw(ws.record_ids()),
        role=draw(_ROLES),
        institution=draw(_SECTORS),
        id=draw(ws.record_ids()),
    )


def enrolments(
    *,
    session: TrainingSession | None = None,
    participant_id: str | None = None,
    settings: TrainingSettings | None = None,
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[Enrolment]:
    """Draw enrolments: attendance on the session's days, completion only with enough of it.

    :param session: the session; one drawn by default.
    :param participant_id: who is enrolled; drawn by default.
    :param settings: whose attendance threshold completion respects; the defaults by default.
    :param on: no day attended is after it; completion is recorded only once the session ended
        by then.
    """
    return _enrolments(session, participant_id, settings, _require_date(on, "on"))


@st.composite
def _enrolments(
    draw: st.DrawFn,
    session: TrainingSession | None,
    participant_id: str | None,
    settings: TrainingSettings | None,
    on: date,
) -> Enrolment:
    session = session if session is not None else draw(_training_sessions(None, (), None, on))
    threshold = (settings or TrainingSettings()).attendance_threshold
    past = [day for day in session.days if day <= on]
    attended = frozenset(_subset(draw, past))
    enough = len(attended) >= threshold * len(session.days)
    ended = session.last_day <= on
    return Enrolment(
        participant_id=participant_id if participant_id is not None else draw(ws.record_ids()),
        session_id=session.id,
        enrolled_on=_between(draw, session.first_day - timedelta(days=60), session.first_day),
        attended=attended,
        completed=enough and ended and draw(_BOOLEANS),
        pre_test=draw(_SCORES),
        post_test=draw(_SCORES),
        id=draw(ws.record_ids()),
    )


def evaluations(
    *,
    session: TrainingSession | None = None,
    participant_id: str | None = None,
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[Evaluation]:
    """Draw evaluations handed in from the session's last day to ``on``, anonymous by default.

    :param session: the session evaluated; one drawn by default (its last day is by ``on``).
    :param participant_id: the author, for a signed evaluation; anonymous by default.
    :param on: the latest day it is handed in.
    :raises InvalidArgument: when ``session`` ends after ``on``.
    """
    on = _require_date(on, "on")
    if session is not None and session.last_day > on:
        msg = f"the session ends on {session.last_day}, after on={on}: it cannot be evaluated yet"
        raise InvalidArgument(msg)
    return _evaluations(session, participant_id, on)


@st.composite
def _evaluations(
    draw: st.DrawFn, session: TrainingSession | None, participant_id: str | None, on: date
) -> Evaluation:
    session = session if session is not None else draw(_training_sessions(None, (), None, on))
    criteria = draw(_CRITERIA)
    return Evaluation(
        session_id=session.id,
        submitted_on=_between(draw, session.last_day, min(on, session.last_day + timedelta(30))),
        ratings=[Rating(criterion, draw(_RATINGS)) for criterion in criteria],
        needs=draw(_NEED_SETS),
        recommendations=draw(_RECOMMENDATION_SETS),
        needs_text="Plus de cas pratiques sur la base d'information" if draw(_BOOLEANS) else None,
        recommendations_text="Sessions plus courtes" if draw(_BOOLEANS) else None,
        preferred_mode=draw(_OPTIONAL_MODES),
        participant_id=participant_id,
        id=str(draw(_UUID4)),
    )


def support_requests(
    *,
    body_id: str | None = None,
    units: Sequence[TrainingUnit] = (),
    on: date = REFERENCE_DATE,
) -> st.SearchStrategy[SupportRequest]:
    """Draw requests for support, pointing to the unit that covers their topic when one does.

    :param body_id: the body asking; drawn by default.
    :param units: the units known; the request points to the first that covers its topic.
    :param on: the latest day it is made.
    """
    return _support_requests(body_id, tuple(units), _require_date(on, "on"))


@st.composite
def _support_requests(
    draw: st.DrawFn, body_id: str | None, units: tuple[TrainingUnit, ...], on: date
) -> SupportRequest:
    topic = draw(_TOPICS)
    covering = units_covering(topic, units)
    opened = _between(draw, on - timedelta(days=_SPAN), on)
    status = draw(_STATUSES)
    resolved = None if status.is_open else _between(draw, opened, min(on, opened + timedelta(90)))
    return SupportRequest(
        topic=topic,
        body_id=body_id if body_id is not None else draw(ws.record_ids()),
        opened_on=opened,
        status=status,
        description="Comment enregistrer une orientation ?" if draw(_BOOLEANS) else None,
        unit_id=covering[0].id if covering else None,
        requester_id="staff-00042" if draw(_BOOLEANS) else None,
        resolved_on=resolved,
        id=draw(ws.record_ids()),
    )


# --- a whole programme ---------------------------------------------------------------------------


_BODIES: Final = ws.territorial_bodies()


@attrs.frozen
class TrainingFile:
    """A consistent training programme, as :func:`training_files` draws it.

    Every record passes every training rule on :attr:`on` with :meth:`context`.
    """

    on: date
    programme: TrainingProgramme
    bodies: tuple[TerritorialBody, ...]
    sites: tuple[SiteLogistics, ...]
    materials: tuple[Material, ...]
    units: tuple[TrainingUnit, ...]
    sessions: tuple[TrainingSession, ...]
    participants: tuple[Participant, ...]
    enrolments: tuple[Enrolment, ...]
    evaluations: tuple[Evaluation, ...]
    support_requests: tuple[SupportRequest, ...]
    settings: TrainingSettings = attrs.field(factory=TrainingSettings)

    @property
    def records(self) -> tuple[object, ...]:
        """Every training record, in an order a store can add them (referenced records first)."""
        return (
            self.programme,
            *self.sites,
            *self.materials,
            *self.units,
            *self.sessions,
            *self.participants,
            *self.enrolments,
            *self.evaluations,
            *self.support_requests,
        )

    def context(self, **changes: object) -> TrainingContext:
        """Return the context holding every record of the file; ``changes`` replace some."""
        arguments: dict[str, object] = {
            "bodies": self.bodies,
            "sites": self.sites,
            "materials": self.materials,
            "units": self.units,
            "sessions": self.sessions,
            "participants": self.participants,
            "enrolments": self.enrolments,
            "settings": self.settings,
        }
        arguments.update(changes)
        return TrainingContext(**arguments)  # type: ignore[arg-type]


def _closure(units: Sequence[TrainingUnit], index: int) -> tuple[TrainingUnit, ...]:
    """Return the unit at ``index`` with all it depends on, in the order of ``units``."""
    position = {unit.id: number for number, unit in enumerate(units)}
    wanted = {index}
    stack = [index]
    while stack:
        for prerequisite in units[stack.pop()].prerequisites:
            number = position[prerequisite]
            if number not in wanted:
                wanted.add(number)
                stack.append(number)
    return tuple(units[number] for number in sorted(wanted))


def training_files(
    *,
    on: date = REFERENCE_DATE,
    max_participants: int = 8,
    settings: TrainingSettings | None = None,
    full: bool = False,
) -> st.SearchStrategy[TrainingFile]:
    """Draw a whole consistent programme, every record valid with the others.

    It holds bodies and their sites, units with their materials and prerequisites, sessions,
    participants, enrolments, evaluations and support requests.

    :param on: the date on which every record is valid; no date in the file is after it.
    :param max_participants: the most participants drawn.
    :param settings: the training settings the records respect; the defaults by default.
    :param full: whether every part is there at least once: a site with seats for every body,
        two units or more, an enrolment and an evaluation in every session, a support request
        (so that a test can break any of them without filtering examples out).
    """
    on = _require_date(on, "on")
    if max_participants < 1:
        msg = f"max_participants must be 1 or more, got {max_participants}"
        raise InvalidArgument(msg)
    return _training_files(on, max_participants, settings or TrainingSettings(), full)


@st.composite
def _training_files(
    draw: st.DrawFn, on: date, max_participants: int, settings: TrainingSettings, full: bool
) -> TrainingFile:
    taken: set[int] = set()
    bodies = [
        attrs.evolve(draw(_BODIES), id=body_id)
        for body_id in _ids(draw, _number(draw, 1, 4), taken)
    ]
    with_site = bodies if full else _subset(draw, bodies)
    found_sites: list[SiteLogistics] = []
    for body, site_id in zip(with_site, _ids(draw, len(with_site), taken), strict=True):
        site = draw(_site_logistics(body.id, None, on))
        seats = max(site.seats, 1) if full else site.seats
        found_sites.append(attrs.evolve(site, id=site_id, seats=seats))
    sites = tuple(found_sites)
    found_materials = [
        draw(materials(material_id=material_id))
        for material_id in _ids(draw, _number(draw, 0, 5), taken)
    ]
    material_ids = [material.id for material in found_materials]
    unit_count = _number(draw, 2 if full else 1, 4)
    unit_ids = _ids(draw, unit_count, taken)
    units: list[TrainingUnit] = []
    for number, unit_id in enumerate(unit_ids):
        delivery = None if any(site.seats for site in sites) else Delivery.REMOTE_CAPABLE
        units.append(
            draw(
                training_units(
                    delivery=delivery,
                    prerequisites=unit_ids[:number],
                    material_ids=material_ids,
                    unit_id=unit_id,
                )
            )
        )
    rooms = tuple(site for site in sites if site.seats > 0)
    sessions = tuple(
        attrs.evolve(
            draw(_training_sessions(_closure(units, _scaled(draw, unit_count)), rooms, None, on)),
            id=session_id,
        )
        for session_id in _ids(draw, _number(draw, 1, 3), taken)
    )
    people = [
        attrs.evolve(draw(participants(body_id=_pick(draw, bodies).id)), id=person_id)
        for person_id in _ids(draw, _number(draw, 1, max_participants), taken)
    ]
    found_enrolments: list[Enrolment] = []
    found_evaluations: list[Evaluation] = []
    for session in sessions:
        enrolled = _subset(draw, people)[: session.capacity]
        if full and not enrolled:
            enrolled = [people[0]]
        evaluated = False
        for number, person in enumerate(enrolled, start=1):
            enrolment = draw(_enrolments(session, person.id, settings, on))
            # A session holds its units' prerequisites before them (_closure): none is missing.
            found_enrolments.append(enrolment)
            if draw(_BOOLEANS) or (full and not evaluated and number == len(enrolled)):
                evaluated = True
                signed = person.id if draw(_BOOLEANS) else None
                found_evaluations.append(draw(_evaluations(session, signed, on)))
    requests = [
        draw(_support_requests(_pick(draw, bodies).id, tuple(units), on))
        for _ in range(_number(draw, 1 if full else 0, 3))
    ]
    return TrainingFile(
        on=on,
        programme=_unique_ids([draw(_training_programmes(on))], taken)[0],
        bodies=tuple(bodies),
        sites=sites,
        materials=tuple(found_materials),
        units=tuple(units),
        sessions=sessions,
        participants=tuple(people),
        enrolments=tuple(_unique_ids(found_enrolments, taken)),
        evaluations=tuple(_unique_ids(found_evaluations, taken)),
        support_requests=tuple(_unique_ids(requests, taken)),
        settings=settings,
    )


_R = TypeVar("_R", Enrolment, Evaluation, SupportRequest, TrainingProgramme)


def _unique_ids(found: list[_R], taken: set[int]) -> list[_R]:
    """Give a fresh id to a record whose drawn id another record of the file already has."""
    unique: list[_R] = []
    for record in found:
        value = uuid.UUID(record.id).int
        while value in taken:
            value = value & ~0xFFFF | (value + 1) & 0xFFFF
        taken.add(value)
        unique.append(attrs.evolve(record, id=str(uuid.UUID(int=value))))
    return unique
