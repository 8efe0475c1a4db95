"""The training half of the demonstration: a programme shaped like the ministry's 2020 one.

:func:`plan_training` draws, beside the casework of a :class:`~wladna_core.demo.DemoPlan`, a
training programme for the staff of the same bodies, shaped like the one the ministry ran in
2020 (:func:`~wladna_core.training.reference_programme`): its three units and their educational
bags, **13 remote sessions of two days (26 days), for about 80 participants each**, rolled out
first to Salé (the test phase), then to the pilot cities of the demonstration, then to the
ten regions; the participants are the case workers, supervisors, coordinators and service
providers of the casework, the committees' members from the other sectors (justice, health,
education, police...) and the centres' social workers; each enrolment has its attendance,
completion and test scores, most participants evaluate their session (anonymously), and the
sites' logistics and a few requests for support are recorded.  The unit on the information base
is left for the next cycle: ``wladna training plan BI-01`` plans it.

:func:`store_training` writes the material files and records the programme through the training
services (:mod:`wladna_core.training.services`), as its coordinator and its participants would.

Every figure is made up and **illustrative, not statistics**; the dates follow the
demonstration's, not 2020's.

>>> from datetime import date
>>> from wladna_core.demo import plan_demo
>>> demo = plan_demo(cases=12, cities=["MA-SAL"], seed=7, today=date(2026, 3, 31))
>>> training = plan_training(demo)
>>> len(training.sessions), sum(len(session.days) for session in training.sessions)
(13, 26)
>>> [phase.name for phase in training.programme.phases]
['Salé test phase', 'Pilot cities', 'Child protection support centres of ten regions']
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from wladna_core.access import Actor, Role
from wladna_core.audit import AuditDraft
from wladna_core.model import BodyKind, TerritorialBody, new_id
from wladna_core.training import (
    Criterion,
    Enrolment,
    Evaluation,
    InternetAccess,
    Material,
    MaterialKind,
    NeedCode,
    Participant,
    Rating,
    RecommendationCode,
    Sector,
    SessionMode,
    SiteLogistics,
    StaffRole,
    Subject,
    SupportRequest,
    SupportStatus,
    TrainingProgramme,
    TrainingSession,
    TrainingUnit,
    reference_programme,
    units_covering,
)
from wladna_core.training.programmes import RolloutPhase
from wladna_core.training.reference import PILOT_PROVINCES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from wladna_core.app import Wladna
    from wladna_core.demo import DemoPlan
    from wladna_core.storage.ports import Record
    from wladna_core.training.services import TrainingWork

__all__ = [
    "DEMO_COORDINATOR",
    "SESSIONS",
    "SESSION_PLACES",
    "TrainingDemo",
    "TrainingSummary",
    "keeps_training",
    "materials_folder",
    "plan_training",
    "store_training",
    "summarise_training",
]

#: Sessions of the demonstration's programme, as in 2020: 13, of two days each.
SESSIONS: Final = 13
#: Places in each session, as in 2020 (about 80 participants each).
SESSION_PLACES: Final = 80
#: The programme's coordinator, who records it through the training services.
DEMO_COORDINATOR: Final = Actor("wladna-demo.training", {Role.TRAINING_COORDINATOR})
_SHEETS: Final = "attendance sheets and test results"

_SESSION_EVERY: Final = 24  # days between sessions: 13 sessions over about 10 months
_FIRST_SESSION: Final = 60  # days after the start of the casework
# The ten regions of the last phase: the reference programme's illustration (unverified).
_TEN_REGIONS: Final = tuple(f"MA-{number:02d}" for number in range(1, 12) if number != 10)
_SALE: Final = "MA-SAL"
_BASE_URI: Final = "https://wladna.invalid/demo/materials/"
#: The record classes of the programme, in the order they can be stored.
_ORDER: Final[tuple[type[Record], ...]] = (
    TrainingProgramme,
    Material,
    TrainingUnit,
    SiteLogistics,
    Participant,
    TrainingSession,
    Enrolment,
    Evaluation,
    SupportRequest,
)


@attrs.frozen
class TrainingDemo:
    """The training records of the demonstration, ready to store.

    :param programme: the programme and its rollout.
    :param units: its units (the reference programme's three).
    :param materials: the materials of the units' educational bags.
    :param files: the content of each material's file, by material id.
    :param sites: the logistics of every body's site.
    :param participants: the staff trained.
    :param sessions: the 13 sessions.
    :param enrolments: who took part in which session, attendance and scores.
    :param evaluations: the participants' evaluations (anonymous).
    :param support: requests for support from users of the information base.
    :param authors: who hands each evaluation in, by evaluation id: the demonstration needs
        someone to submit it through the services, which keep nothing of it (the evaluations
        are anonymous).
    """

    programme: TrainingProgramme
    units: tuple[TrainingUnit, ...]
    materials: tuple[Material, ...]
    files: Mapping[str, bytes] = attrs.field(repr=False)
    sites: tuple[SiteLogistics, ...]
    participants: tuple[Participant, ...]
    sessions: tuple[TrainingSession, ...]
    enrolments: tuple[Enrolment, ...]
    evaluations: tuple[Evaluation, ...]
    support: tuple[SupportRequest, ...]
    authors: Mapping[str, str] = attrs.field(repr=False, factory=dict)

    def records(self) -> list[tuple[type[Record], tuple[Record, ...]]]:
        """Return the records by class, in the order they can be stored."""
        held: dict[type[Record], tuple[Record, ...]] = {
            TrainingProgramme: (self.programme,),
            Material: self.materials,
            TrainingUnit: self.units,
            SiteLogistics: self.sites,
            Participant: self.participants,
            TrainingSession: self.sessions,
            Enrolment: self.enrolments,
            Evaluation: self.evaluations,
            SupportRequest: self.support,
        }
        return [(record_type, held[record_type]) for record_type in _ORDER]


@attrs.frozen
class TrainingSummary:
    """What the training half of the demonstration stored.

    :param sessions: sessions held.
    :param days: days of training.
    :param participants: staff taking part.
    :param enrolments: enrolments in sessions.
    :param completed: enrolments completed.
    :param evaluations: evaluations handed in (all anonymous).
    :param mean_gain: the mean gain of the test scores, in points, over the enrolments tested.
    :param per_session: the participants of each session, in order.
    :param gaps: bodies whose site lacks devices or a connection for remote training.
    :param materials: where the files of the educational bags were written, if they were.
    """

    sessions: int
    days: int
    participants: int
    enrolments: int
    completed: int
    evaluations: int
    mean_gain: float | None
    per_session: tuple[int, ...]
    gaps: int
    materials: Path | None


def materials_folder(url: str) -> Path | None:
    """Return where the demonstration stored at ``url`` keeps its material files.

    Next to a SQLite file (``wladna-demo.db`` gives ``wladna-demo-materials``); ``None`` for a
    store that is not a file, whose materials then live nowhere on this machine.

    >>> materials_folder("sqlite:///data/wladna-demo.db").as_posix()
    'data/wladna-demo-materials'
    >>> materials_folder("memory://") is None
    True
    """
    from wladna_core.storage.sql.engine import is_memory, parse_url  # noqa: PLC0415 (heavy)

    parsed = parse_url(url)
    if parsed is None or parsed.get_backend_name() != "sqlite" or is_memory(parsed):
        return None
    database = Path(str(parsed.database))
    return database.with_name(f"{database.stem}-materials")


# Drawing the programme ---------------------------------------------------------------------------


def _phases(start: date, cities: Sequence[str]) -> tuple[RolloutPhase, ...]:
    test_city = _SALE if _SALE in cities else cities[0]
    pilot_day = start + timedelta(days=_FIRST_SESSION + 3 * _SESSION_EVERY)
    regions_day = start + timedelta(days=_FIRST_SESSION + 9 * _SESSION_EVERY)
    return (
        RolloutPhase(
            name="Salé test phase",
            territories={test_city},
            starts_on=start + timedelta(days=_FIRST_SESSION),
            ends_on=pilot_day - timedelta(days=1),
        ),
        RolloutPhase(
            name="Pilot cities",
            territories=set(PILOT_PROVINCES),
            starts_on=pilot_day,
            ends_on=regions_day - timedelta(days=1),
        ),
        RolloutPhase(
            name="Child protection support centres of ten regions",
            territories=set(_TEN_REGIONS),
            starts_on=regions_day,
        ),
    )


def _materials(units: Sequence[TrainingUnit]) -> tuple[list[Material], dict[str, bytes]]:
    materials: list[Material] = []
    files: dict[str, bytes] = {}
    for unit in units:
        described = (
            ("Guide du participant", MaterialKind.GUIDE, "fr", "md", "text/markdown"),
            ("دليل المشارك", MaterialKind.GUIDE, "ar", "md", "text/markdown"),
            ("Études de cas", MaterialKind.CASE_STUDY, "fr", "csv", "text/csv"),
        )
        for title, kind, language, suffix, media_type in described:
            text = (
                f"# {title} - {unit.code}\n\n{unit.title_fr}\n{unit.title_ar}\n\n"
                + "".join(f"- {objective}\n" for objective in unit.objectives)
                + "\nDemonstration material: made up, for wladna demo.\n"
            )
            if suffix == "csv":
                text = "case,question\n" + "".join(
                    f"{number},{objective}\n" for number, objective in enumerate(unit.objectives, 1)
                )
            content = text.encode("utf-8")
            name = f"{unit.code.lower()}-{kind.value}-{language}.{suffix}"
            material = Material(
                title=f"{title} ({unit.code})",
                kind=kind,
                language=language,
                edition="1.0",
                media_type=media_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                location=_BASE_URI + name,
            )
            materials.append(material)
            files[material.id] = content
    return materials, files


def _site(rng: random.Random, body: TerritorialBody, on: date) -> SiteLogistics:
    # (seats, devices, access) by kind of body: the centres are the best equipped (illustrative).
    seats, devices, access = {
        BodyKind.CAPE: (30, 12, InternetAccess.BROADBAND),
        BodyKind.UPE: (12, 5, InternetAccess.BROADBAND),
        BodyKind.CPPE: (25, 2, InternetAccess.MOBILE),
        BodyKind.EPS: (20, 3, InternetAccess.MOBILE),
        BodyKind.ASSOCIATION: (15, 1, InternetAccess.MOBILE),
    }.get(body.kind, (10, 1, InternetAccess.NONE))
    if rng.random() < 0.25:
        access = InternetAccess.NONE if access is InternetAccess.MOBILE else InternetAccess.MOBILE
    return SiteLogistics(
        body_id=body.id,
        recorded_on=on,
        seats=max(0, seats + rng.randint(-5, 5)),
        devices=max(0, devices + rng.randint(-2, 2)),
        internet=access,
    )


def _participants(plan: DemoPlan) -> list[Participant]:
    people: list[Participant] = []

    def add(actor_id: str, body: TerritorialBody, role: StaffRole, sector: Sector) -> None:
        people.append(
            Participant(person_id=actor_id, body_id=body.id, role=role, institution=sector)
        )

    committee = (
        Sector.JUSTICE,
        Sector.HEALTH,
        Sector.EDUCATION,
        Sector.POLICE,
        Sector.GENDARMERIE,
        Sector.LOCAL_AUTHORITY,
    )
    provider_sector = {
        BodyKind.CAPE: Sector.MINISTRY,
        BodyKind.EPS: Sector.ENTRAIDE_NATIONALE,
        BodyKind.ASSOCIATION: Sector.ASSOCIATION,
    }
    for team in plan.teams:
        unit, cppe, cape = (
            team.bodies[kind] for kind in (BodyKind.UPE, BodyKind.CPPE, BodyKind.CAPE)
        )
        for actor in team.workers:
            add(actor.id, unit, StaffRole.CASE_WORKER, Sector.MINISTRY)
        for actor in team.supervisors:
            add(actor.id, unit, StaffRole.SUPERVISOR, Sector.MINISTRY)
        add(team.coordinator.id, cppe, StaffRole.BODY_COORDINATOR, Sector.MINISTRY)
        for kind, actors in team.providers.items():
            for actor in actors:
                add(actor.id, team.bodies[kind], StaffRole.SERVICE_PROVIDER, provider_sector[kind])
        city = team.city.code[3:].lower()
        for sector in committee:
            add(f"{city}.cppe.{sector.value}", cppe, StaffRole.FOCAL_POINT, sector)
        for number in range(1, 9):
            add(
                f"{city}.cape.social-worker-{number}",
                cape,
                StaffRole.SOCIAL_WORKER,
                Sector.MINISTRY,
            )
    return people


def _enrolment(
    rng: random.Random, person: Participant, session: TrainingSession, enrolled_on: date
) -> Enrolment:
    draw = rng.random()
    attended = session.days if draw < 0.85 else session.days[:1] if draw < 0.97 else ()
    completed = len(attended) == len(session.days)
    pre = post = None
    if attended:
        pre = min(95, max(5, round(rng.gauss(52, 14))))
        post = min(100, max(0, pre + round(rng.gauss(18 if completed else 6, 9))))
    return Enrolment(
        participant_id=person.id,
        session_id=session.id,
        enrolled_on=enrolled_on,
        attended=attended,
        completed=completed,
        pre_test=pre,
        post_test=post,
    )


def _evaluation(rng: random.Random, session: TrainingSession) -> Evaluation:
    ratings = []
    for criterion in Criterion:
        # Remote sessions: the connection is what participants like least (illustrative).
        mean = 3.0 if criterion is Criterion.LOGISTICS else 4.0
        ratings.append(Rating(criterion, min(5, max(1, round(rng.gauss(mean, 0.8))))))
    needs = rng.sample(
        [
            NeedCode.INFORMATION_BASE_USE,
            NeedCode.INFORMATION_BASE_USE,
            NeedCode.MORE_PRACTICE,
            NeedCode.CONNECTIVITY,
            NeedCode.EQUIPMENT,
            NeedCode.STREET_CHILDREN_METHODS,
            NeedCode.REFERRAL_PROCEDURES,
            NeedCode.FOLLOW_UP_COACHING,
        ],
        k=rng.randint(1, 3),
    )
    recommendations = rng.sample(
        [
            RecommendationCode.MORE_CASE_STUDIES,
            RecommendationCode.BETTER_CONNECTIVITY,
            RecommendationCode.MATERIALS_IN_ARABIC,
            RecommendationCode.FOLLOW_UP_SESSION,
            RecommendationCode.MORE_IN_PERSON,
        ],
        k=rng.randint(0, 2),
    )
    return Evaluation(
        session_id=session.id,
        submitted_on=session.last_day + timedelta(days=rng.randint(0, 3)),
        ratings=ratings,
        needs=needs,
        recommendations=recommendations,
        preferred_mode=rng.choice(list(SessionMode)),
    )


def _support(
    rng: random.Random, people: Sequence[Participant], units: Sequence[TrainingUnit], until: date
) -> list[SupportRequest]:
    requests: list[SupportRequest] = []
    writers = [person for person in people if person.role is StaffRole.CASE_WORKER]
    for person in writers[: max(1, len(writers) // 2)]:
        topic = rng.choice(
            [Subject.INFORMATION_BASE, Subject.CASE_MANAGEMENT, Subject.DATA_PROTECTION]
        )
        opened = until - timedelta(days=rng.randint(1, 200))
        resolved = rng.random() < 0.7
        covering = units_covering(topic, units)
        requests.append(
            SupportRequest(
                topic=topic,
                body_id=person.body_id,
                opened_on=opened,
                status=SupportStatus.RESOLVED if resolved else SupportStatus.OPEN,
                unit_id=covering[0].id if covering else None,
                requester_id=person.person_id,
                resolved_on=min(until, opened + timedelta(days=rng.randint(1, 10)))
                if resolved
                else None,
            )
        )
    return requests


def plan_training(plan: DemoPlan) -> TrainingDemo:
    """Draw the training programme of the demonstration ``plan`` (the same seed, the same data).

    Sessions after the demonstration's last day are not held; a short demonstration has fewer.
    """
    # Made-up data, not secrets: a seeded generator makes the demonstration reproducible.
    rng = random.Random(f"training-{plan.seed}")  # noqa: S311
    reference = reference_programme()
    units = tuple(attrs.evolve(unit, id=new_id()) for unit in reference.units)
    ids = {old.id: new.id for old, new in zip(reference.units, units, strict=True)}
    materials, files = _materials(units)
    per_unit = {unit.id: [m.id for m in materials if f"({unit.code})" in m.title] for unit in units}
    units = tuple(
        attrs.evolve(
            unit,
            prerequisites={ids[item] for item in unit.prerequisites},
            materials=per_unit[unit.id],
        )
        for unit in units
    )
    cities = [city.code for city in plan.cities]
    phases = _phases(plan.start, cities)
    programme = attrs.evolve(
        reference.programme,
        id=new_id(),
        starts_on=phases[0].starts_on,
        phases=phases,
        note="Demonstration data shaped like the 2020 programme: "
        + (reference.programme.note or "")[len("Shaped like the ministry's 2020 programme: ") :],
    )
    bodies = plan.bodies
    sites = [_site(rng, body, programme.starts_on - timedelta(days=14)) for body in bodies]
    people = _participants(plan)
    territory_of = {body.id: body.territory for body in bodies}
    protection, steering, _information_base = units
    sessions: list[TrainingSession] = []
    enrolments: list[Enrolment] = []
    evaluations: list[Evaluation] = []
    authors: dict[str, str] = {}
    trainers = reference.sessions[0].trainers
    for number in range(SESSIONS):
        first = programme.starts_on + timedelta(days=_SESSION_EVERY * number)
        if first + timedelta(days=1) > plan.today:
            break
        phase = 0 if number < 3 else 1 if number < 9 else 2
        territory = next(iter(phases[0].territories)) if phase == 0 else "MA"
        pool = [
            person for person in people if phase > 0 or territory_of[person.body_id] == territory
        ]
        session = TrainingSession(
            units=[(protection if number < 10 else steering).id],
            mode=SessionMode.REMOTE,
            days=[first, first + timedelta(days=1)],
            territory=territory,
            capacity=SESSION_PLACES,
            trainers=trainers,
            programme_id=programme.id,
        )
        sessions.append(session)
        chosen = sorted(
            rng.sample(pool, k=min(SESSION_PLACES, len(pool))), key=lambda p: p.person_id
        )
        for person in chosen:
            enrolment = _enrolment(rng, person, session, first - timedelta(days=rng.randint(7, 21)))
            enrolments.append(enrolment)
            if enrolment.attended and rng.random() < 0.7:
                evaluation = _evaluation(rng, session)
                if evaluation.submitted_on <= plan.today:
                    evaluations.append(evaluation)
                    authors[evaluation.id] = person.id
    return TrainingDemo(
        programme=programme,
        units=units,
        materials=tuple(materials),
        files=files,
        sites=tuple(sites),
        participants=tuple(people),
        sessions=tuple(sessions),
        enrolments=tuple(enrolments),
        evaluations=tuple(sorted(evaluations, key=lambda item: item.id)),
        support=tuple(_support(rng, people, units, plan.today)),
        authors=authors,
    )


# Storing it --------------------------------------------------------------------------------------


def _with_files(training: TrainingDemo, folder: Path) -> TrainingDemo:
    """Write the material files into ``folder``; return the programme with their locations."""
    folder.mkdir(parents=True, exist_ok=True)
    placed = []
    for material in training.materials:
        name = material.location.rsplit("/", 1)[-1]
        path = (folder / name).resolve()
        path.write_bytes(training.files[material.id])
        placed.append(attrs.evolve(material, location=path.as_uri()))
    return attrs.evolve(training, materials=tuple(placed))


def store_training(
    wladna: Wladna,
    training: TrainingDemo,
    *,
    materials: Path | None = None,
    coordinator: Actor = DEMO_COORDINATOR,
) -> TrainingSummary:
    """Write the material files into ``materials``, then record ``training`` through the services.

    The programme's coordinator records the programme, the units, the materials, the sites, the
    participants and the sessions (:class:`~wladna_core.training.services.TrainingWork`), then
    the attendance sheets and test results of every session in one batch (written to the audit
    trail in the coordinator's name, as the services do); each participant hands in their own
    evaluations, anonymously, and asks for support as the users of the information base do.

    :param wladna: the application, open on a store that keeps the training kinds of record.
    :param training: what :func:`plan_training` drew.
    :param materials: the folder for the material files; without it, the materials' records
        point to where no file is (their bags cannot be exported).
    :param coordinator: who coordinates the programme.
    """
    from wladna_core.training.services import TrainingAction, TrainingWork  # noqa: PLC0415

    if materials is not None:
        training = _with_files(training, materials)
    work = TrainingWork(wladna, coordinator)
    work.record_programme(training.programme)
    for material in training.materials:
        work.record_material(material)
    for unit in training.units:
        work.record_unit(unit)
    for site in training.sites:
        work.record_site(site)
    for participant in training.participants:
        work.register_participant(participant)
    for session in training.sessions:
        work.record_session(session)
    with wladna.store.unit_of_work() as uow:
        stored = uow.repository(Enrolment).add_many(training.enrolments)
        action = TrainingAction.ENROLMENT_RECORD.value
        drafts = [
            AuditDraft(coordinator.id, action, "Enrolment", item.id, item.version, detail=_SHEETS)
            for item in stored
        ]
        uow.audit.append(drafts, at=wladna.now())
    people = {person.id: person for person in training.participants}
    for evaluation in training.evaluations:
        author = people[training.authors[evaluation.id]]
        _as_participant(wladna, author).submit_evaluation(evaluation)
    for request in training.support:
        asker = next(p for p in training.participants if p.person_id == request.requester_id)
        asked = attrs.evolve(
            request, status=SupportStatus.OPEN, resolved_on=None, unit_id=None, requester_id=None
        )
        saved = _as_participant(wladna, asker).request_support(asked).record
        if request.status is not SupportStatus.OPEN:
            work.update_support_request(
                attrs.evolve(saved, status=request.status, resolved_on=request.resolved_on)
            )
    return summarise_training(training, materials)


def _as_participant(wladna: Wladna, participant: Participant) -> TrainingWork:
    from wladna_core.access import Actor  # noqa: PLC0415
    from wladna_core.training.services import TrainingWork  # noqa: PLC0415

    return TrainingWork(wladna, Actor(participant.person_id, set(), {participant.body_id}))


def summarise_training(training: TrainingDemo, materials: Path | None = None) -> TrainingSummary:
    """Count what ``training`` holds (what :func:`store_training` stores)."""
    per_session = Counter(enrolment.session_id for enrolment in training.enrolments)
    gains = [
        enrolment.post_test - enrolment.pre_test
        for enrolment in training.enrolments
        if enrolment.pre_test is not None and enrolment.post_test is not None
    ]
    remote_ready = {
        site.body_id
        for site in training.sites
        if site.internet is InternetAccess.BROADBAND and site.devices > 0
    }
    return TrainingSummary(
        sessions=len(training.sessions),
        days=sum(len(session.days) for session in training.sessions),
        participants=len({e.participant_id for e in training.enrolments}),
        enrolments=len(training.enrolments),
        completed=sum(1 for enrolment in training.enrolments if enrolment.completed),
        evaluations=len(training.evaluations),
        mean_gain=sum(gains) / len(gains) if gains else None,
        per_session=tuple(per_session[session.id] for session in training.sessions),
        gaps=len({site.body_id for site in training.sites} - remote_ready),
        materials=materials,
    )


def keeps_training(kinds: Iterable[type]) -> bool:
    """Return whether a store keeping the record classes ``kinds`` can keep the programme."""
    return set(_ORDER) <= set(kinds)
