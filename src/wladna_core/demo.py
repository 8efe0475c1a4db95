"""Synthetic but realistic casework for the eight pilot cities, made through the casework services.

:func:`plan_demo` draws, from a seed, the territorial bodies and staff of the pilot cities
(:data:`PILOT_CITIES`), and for each case the children, households and the dated steps of its
path through the circuit: identification, assessment, case plan, approval, implementation,
referrals to the CAPE, to other bodies, to social programmes and to the judicial authority,
answers, follow-ups, closure, and a few reopenings, transfers between cities and duplicates.
The plan holds no record yet.  :func:`run_demo` then plays the steps in the order of their
dates, each by the person whose job it is, through :class:`~wladna_core.services.CaseWork`:
every record is checked by the access policy and the workflow, validated by the store and
audited, exactly as in a deployment.  The application's clock follows the steps, so that the
records, the audit trail and the indicators have the shape of 12 to 18 months of work.

Every name, date and figure is made up.  The proportions (risk levels, concerns, sources of
identification, answers to referrals...) are **illustrative, not statistics**: they are chosen
to give every indicator something to show, not measured anywhere.

>>> from datetime import date
>>> plan = plan_demo(cases=12, cities=["MA-SAL"], seed=7, today=date(2026, 3, 31))
>>> plan.cases, [city.name for city in plan.cities]
(12, ['Salé'])
>>> summary = run_demo(plan, "memory://demo-doc")
>>> summary.case_total == 12 + summary.transferred + summary.duplicates, summary.audit_ok
(True, True)
"""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from wladna_core.access import Actor, Role
from wladna_core.app import DEFAULT_TIMEZONE, Wladna
from wladna_core.casefile.approvals import ApprovalRequest
from wladna_core.casefile.care import CareArrangement, CareType
from wladna_core.casefile.delivery import ServiceDelivery
from wladna_core.casefile.incidents import (
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.casefile.incidents.rules import MUST_BE_REPORTED
from wladna_core.deadlines import Deadlines, DueKind
from wladna_core.errors import WladnaError
from wladna_core.model import (
    PROGRAMME_CALENDAR,
    Assessment,
    BodyKind,
    CasePlan,
    CaseStatus,
    Child,
    ClosureReason,
    Consent,
    ConsentGiver,
    ConsentOverride,
    EnrolmentStatus,
    Family,
    FamilyMember,
    FocalPoint,
    FollowUp,
    FollowUpKind,
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
    ReferralStatus,
    Relation,
    RiskLevel,
    Schooling,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
    Urgency,
    age_on,
    new_id,
)
from wladna_core.reporting import Report, available_indicators, build_report
from wladna_core.storage import ALLOW_RESET, CaseQuery, ReferralQuery
from wladna_core.storage.ports import REPOSITORY_NAMES, redact_url
from wladna_core.training_demo import (
    TrainingSummary,
    keeps_training,
    materials_folder,
    plan_training,
    store_training,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    import pluggy

    from wladna_core.services import CaseWork, Outcome

__all__ = [
    "DEFAULT_CASES",
    "DEMO_ADMIN",
    "DEMO_SETTINGS",
    "HISTORY_DAYS",
    "PILOT_CITIES",
    "SUMMARY_INDICATORS",
    "DemoPlan",
    "DemoStepFailed",
    "DemoStoreNotEmpty",
    "DemoSummary",
    "PilotCity",
    "plan_demo",
    "run_demo",
]

#: How many case files the demonstration opens unless told otherwise.
DEFAULT_CASES: Final = 5000

#: The administrator who registers the demonstration's bodies, first in its audit trail: a
#: store whose trail opens otherwise was not made by a demonstration, which never empties it.
DEMO_ADMIN: Final = "wladna-demo.admin"

#: Store settings of the demonstration's database: its data can be made again, so SQLite
#: commits do not wait for the disk
#: (see :data:`~wladna_core.storage.sql.engine.SQLITE_SYNCHRONOUS`).
DEMO_SETTINGS: Final[Mapping[str, object]] = {"sqlite_synchronous": "normal"}

#: The months of casework the demonstration spreads case openings over, ending ``today``.
HISTORY_DAYS: Final = 540


@attrs.frozen
class PilotCity:
    """A pilot city of the Wladna programme.

    :param code: the ISO 3166-2 code of its prefecture or province (``MA-SAL``).
    :param name: its name in French.
    :param name_ar: its name in Arabic.
    :param weight: its share of the demonstration's cases, relative to the other cities.
    """

    code: str
    name: str
    name_ar: str
    weight: float


#: The eight pilot cities (DESIGN section 10), weighted roughly by population.
PILOT_CITIES: Final[tuple[PilotCity, ...]] = (
    PilotCity("MA-RAB", "Rabat", "الرباط", 1.2),
    PilotCity("MA-SAL", "Salé", "سلا", 1.3),
    PilotCity("MA-AGD", "Agadir", "أكادير", 0.9),
    PilotCity("MA-CAS", "Casablanca", "الدار البيضاء", 2.6),
    PilotCity("MA-TNG", "Tanger", "طنجة", 1.3),
    PilotCity("MA-MAR", "Marrakech", "مراكش", 1.3),
    PilotCity("MA-MEK", "Meknès", "مكناس", 0.9),
    PilotCity("MA-LAA", "Laâyoune", "العيون", 0.5),
)


class DemoStoreNotEmpty(WladnaError):
    """The demonstration was asked to fill a store that already holds records.

    :param url: the store's URL, without password.
    """

    def __init__(self, url: str, *, made_elsewhere: bool = False) -> None:
        self.url = url
        #: Whether the records were not made by the demonstration: ``force`` does not empty it.
        self.made_elsewhere = made_elsewhere
        if made_elsewhere:
            message = (
                f"the store {url} holds records that the demonstration did not make; it never "
                "deletes them, even when forced. Remedy: name a new database "
                "(--db sqlite:///wladna-demo.db)"
            )
        else:
            message = (
                f"the store {url} already holds records; the demonstration fills an empty store "
                "only. Remedy: name a new database (--db sqlite:///other.db), or pass --force "
                "(force=True) to delete every record and audit entry that an earlier "
                "demonstration made in this one first"
            )
        super().__init__(message)


# Illustrative proportions ----------------------------------------------------------------------

#: From what age the demonstration records the child's assent (below the band it is not asked).
_ASSENT_ASKED_FROM: Final = 7
_FEMALE_NAMES: Final = (
    ("Salma", "سلمى"),
    ("Fatima Zahra", "فاطمة الزهراء"),
    ("Khadija", "خديجة"),
    ("Aya", "آية"),
    ("Hiba", "هبة"),
    ("Meryem", "مريم"),
    ("Imane", "إيمان"),
    ("Nour", "نور"),
    ("Rania", "رانية"),
    ("Hajar", "هاجر"),
    ("Ghita", "غيثة"),
    ("Zineb", "زينب"),
    ("Oumaima", "أميمة"),
    ("Chaimae", "شيماء"),
    ("Yasmine", "ياسمين"),
    ("Malak", "ملاك"),
    ("Douaa", "دعاء"),
    ("Kawtar", "كوثر"),
    ("Asmae", "أسماء"),
    ("Tilelli", "تيليلي"),
)
_MALE_NAMES: Final = (
    ("Youssef", "يوسف"),
    ("Mohamed", "محمد"),
    ("Amine", "أمين"),
    ("Hamza", "حمزة"),
    ("Ayoub", "أيوب"),
    ("Mehdi", "المهدي"),
    ("Omar", "عمر"),
    ("Anas", "أنس"),
    ("Ilyas", "إلياس"),
    ("Adam", "آدم"),
    ("Othmane", "عثمان"),
    ("Zakaria", "زكرياء"),
    ("Badr", "بدر"),
    ("Soufiane", "سفيان"),
    ("Yassine", "ياسين"),
    ("Ismail", "إسماعيل"),
    ("Reda", "رضا"),
    ("Walid", "وليد"),
    ("Idir", "إيدير"),
    ("Saad", "سعد"),
)
_FAMILY_NAMES: Final = (
    ("Bennani", "بناني"),
    ("Alaoui", "العلوي"),
    ("El Idrissi", "الإدريسي"),
    ("Tazi", "التازي"),
    ("Amrani", "العمراني"),
    ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"),
    ("El Fassi", "الفاسي"),
    ("Benjelloun", "بنجلون"),
    ("Ouazzani", "الوزاني"),
    ("Lahlou", "لحلو"),
    ("Naciri", "الناصري"),
    ("Bouzid", "بوزيد"),
    ("Ait Said", "آيت سعيد"),
    ("Ouali", "والي"),
    ("Zeroual", "زروال"),
    ("Kettani", "الكتاني"),
    ("Haddad", "الحداد"),
    ("Saidi", "السعيدي"),
    ("Benali", "بنعلي"),
    ("Ait Lahcen", "آيت لحسن"),
    ("Mansouri", "المنصوري"),
    ("Belkadi", "بلقاضي"),
    ("Ziani", "الزياني"),
)
_RISKS: Final = (
    (RiskLevel.HIGH, 0.22),
    (RiskLevel.MEDIUM, 0.43),
    (RiskLevel.LOW, 0.30),
    (RiskLevel.NONE, 0.05),
)
_CONCERNS: Final = (
    (ProtectionConcern.NEGLECT, 0.20),
    (ProtectionConcern.PHYSICAL_VIOLENCE, 0.12),
    (ProtectionConcern.PSYCHOLOGICAL_VIOLENCE, 0.08),
    (ProtectionConcern.SEXUAL_VIOLENCE, 0.06),
    (ProtectionConcern.STREET_SITUATION, 0.07),
    (ProtectionConcern.CHILD_LABOUR, 0.06),
    (ProtectionConcern.BEGGING, 0.05),
    (ProtectionConcern.ABANDONMENT, 0.05),
    (ProtectionConcern.LACK_OF_DOCUMENTATION, 0.05),
    (ProtectionConcern.DOMESTIC_WORK, 0.03),
    (ProtectionConcern.CHILD_MARRIAGE, 0.03),
    (ProtectionConcern.IN_CONFLICT_WITH_THE_LAW, 0.04),
    (ProtectionConcern.UNACCOMPANIED, 0.02),
    (ProtectionConcern.MIGRANT, 0.03),
    (ProtectionConcern.WITHOUT_FAMILY_CARE, 0.03),
    (ProtectionConcern.SUBSTANCE_USE, 0.03),
    (ProtectionConcern.ONLINE_ABUSE, 0.02),
    (ProtectionConcern.ECONOMIC_EXPLOITATION, 0.02),
    (ProtectionConcern.OTHER, 0.01),
)
_SOURCES: Final = (
    (IdentificationSource.SCHOOL, 0.18),
    (IdentificationSource.POLICE, 0.12),
    (IdentificationSource.FAMILY, 0.12),
    (IdentificationSource.HEALTH, 0.10),
    (IdentificationSource.ASSOCIATION, 0.10),
    (IdentificationSource.COMMUNITY, 0.09),
    (IdentificationSource.PROSECUTION, 0.08),
    (IdentificationSource.OUTREACH, 0.08),
    (IdentificationSource.HOTLINE, 0.06),
    (IdentificationSource.GENDARMERIE, 0.03),
    (IdentificationSource.SELF, 0.03),
    (IdentificationSource.OTHER, 0.01),
)
_CLOSURES: Final = (
    (ClosureReason.GOALS_ACHIEVED, 0.48),
    (ClosureReason.RISK_RESOLVED, 0.20),
    (ClosureReason.MOVED_AWAY, 0.08),
    (ClosureReason.LOST_CONTACT, 0.10),
    (ClosureReason.SERVICES_REFUSED, 0.05),
    (ClosureReason.OTHER, 0.09),
)
#: Where a case is referred: a body kind of the city, a programme, or the judicial authority.
#: The kinds of the case file the demonstration records, counted in its summary.
_CASEFILE_KINDS: Final = (CareArrangement, ServiceDelivery, Incident, ApprovalRequest)

#: The protection concerns an incident of the same type is recorded for, at assessment.
_INCIDENT_TYPES: Final = frozenset(
    {
        IncidentType.PHYSICAL_VIOLENCE.value,
        IncidentType.SEXUAL_VIOLENCE.value,
        IncidentType.PSYCHOLOGICAL_VIOLENCE.value,
        IncidentType.NEGLECT.value,
    }
)

_BODY_SERVICES: Final = (
    (BodyKind.CAPE, ServiceType.PSYCHOSOCIAL, 0.22),
    (BodyKind.CAPE, ServiceType.LEGAL_AID, 0.06),
    (BodyKind.CAPE, ServiceType.MEDICAL, 0.06),
    (BodyKind.EPS, ServiceType.PLACEMENT, 0.08),
    (BodyKind.ASSOCIATION, ServiceType.EDUCATION, 0.10),
    (BodyKind.ASSOCIATION, ServiceType.VOCATIONAL_TRAINING, 0.05),
    (BodyKind.ASSOCIATION, ServiceType.CIVIL_REGISTRATION, 0.04),
)
_PROGRAMMES: Final = (
    (SocialProgramme.ASD, ServiceType.SOCIAL_ASSISTANCE, 0.12),
    (SocialProgramme.AMO_TADAMON, ServiceType.MEDICAL, 0.08),
    (SocialProgramme.TAYSSIR, ServiceType.EDUCATION, 0.07),
)
_JUDICIAL_SHARE: Final = 0.12
_REJECTIONS: Final = (
    "No place available in the establishment this month.",
    "The service asked for is not one the centre provides.",
    "The family already receives this service elsewhere.",
    "The child lives outside the area the service covers.",
)
_SUMMARIES: Final = (
    "Situation assessed at home with the mother; needs documented.",
    "Assessed with the school's social worker; family cooperative.",
    "Child met at the unit; risk factors discussed with the caregiver.",
    "Joint assessment with the health centre.",
)
_GOALS: Final = (
    ("Back to school and regular attendance", ServiceType.EDUCATION),
    ("Psychosocial support sessions", ServiceType.PSYCHOSOCIAL),
    ("Support for the household's income", ServiceType.SOCIAL_ASSISTANCE),
    ("Medical check-up and treatment", ServiceType.MEDICAL),
    ("Birth registration in civil status", ServiceType.CIVIL_REGISTRATION),
    ("Safe accommodation", ServiceType.PLACEMENT),
    ("Vocational training place", ServiceType.VOCATIONAL_TRAINING),
)
_LOCAL: Final = zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)


_T = TypeVar("_T")


def _of(name: str) -> str:
    """Return "de Salé" or, before a vowel, "d'Agadir", as French writes it."""
    return f"d'{name}" if name[:1].casefold() in "aâeéèêiîoôuy" else f"de {name}"


def _identified_on(opened: date, days_before: int, birth: date) -> date:
    """Return the day a child is identified: ``days_before`` the opening, never before birth."""
    return max(opened - timedelta(days=days_before), birth)


def _assent(child: Child, on: date) -> bool | None:
    """Return the assent the demonstration records: asked of every child of 7 or more."""
    return True if age_on(child.birth_date, on) >= _ASSENT_ASKED_FROM else None


def _majority(birth: date) -> date:
    """Return the day someone born on ``birth`` turns 18 (1 March for a 29 February birth)."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:
        return date(birth.year + 18, 3, 1)


def _pick(rng: random.Random, weighted: Sequence[tuple[_T, float]]) -> _T:
    return rng.choices([item for item, _ in weighted], [weight for _, weight in weighted])[0]


# The plan ---------------------------------------------------------------------------------------


@attrs.frozen
class _Team:
    """The bodies and staff of one pilot city."""

    city: PilotCity
    bodies: Mapping[BodyKind, TerritorialBody]
    workers: tuple[Actor, ...]
    supervisors: tuple[Actor, ...]
    coordinator: Actor
    providers: Mapping[BodyKind, tuple[Actor, ...]]

    @property
    def unit(self) -> TerritorialBody:
        """The child protection unit (UPE) that holds the city's cases."""
        return self.bodies[BodyKind.UPE]


@attrs.frozen
class _Step:
    when: datetime
    seq: int
    case: int
    name: str
    action: Callable[[_Runner], None] = attrs.field(repr=False)


@attrs.frozen
class DemoPlan:
    """What the demonstration will do: the bodies, the staff, and every dated step of casework.

    Make one with :func:`plan_demo`; :func:`run_demo` plays it.  ``len(plan)`` is the number
    of steps (a step is one to three service calls by one person).

    :param cases: how many case files are opened (duplicates and the cases that continue a
        transferred one come on top).
    :param cities: the pilot cities taking part.
    :param seed: the seed the plan was drawn from; the same seed gives the same plan.
    :param today: the last day of the simulated period.
    :param start: the first day of the simulated period.
    :param teams: the bodies and staff of each city.
    :param steps: the steps, in the order they are played.
    """

    cases: int
    cities: tuple[PilotCity, ...]
    seed: int
    today: date
    start: date
    teams: tuple[_Team, ...] = attrs.field(repr=False)
    steps: tuple[_Step, ...] = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def bodies(self) -> list[TerritorialBody]:
        """Every territorial body of the plan, city by city."""
        return [body for team in self.teams for body in team.bodies.values()]


def _cities(cities: Iterable[str | PilotCity] | None) -> tuple[PilotCity, ...]:
    if cities is None:
        return PILOT_CITIES
    by_code = {city.code: city for city in PILOT_CITIES}
    chosen: list[PilotCity] = []
    for item in cities:
        city = by_code.get(item.upper()) if isinstance(item, str) else item
        if not isinstance(city, PilotCity):
            known = ", ".join(by_code)
            msg = f"{item!r} is not a pilot city; choose among {known}"
            raise ValueError(msg)
        if city not in chosen:
            chosen.append(city)
    if not chosen:
        msg = "the demonstration needs at least one pilot city"
        raise ValueError(msg)
    return tuple(chosen)


def plan_demo(
    *,
    cases: int = DEFAULT_CASES,
    cities: Iterable[str | PilotCity] | None = None,
    seed: int = 0,
    today: date | None = None,
) -> DemoPlan:
    """Draw the demonstration's bodies, staff, children, households and steps of casework.

    :param cases: how many case files to open, 1 or more.
    :param cities: the pilot cities (codes such as ``MA-SAL``, or :class:`PilotCity`); all
        eight when omitted.
    :param seed: the seed of the random draws: the same seed gives the same plan.
    :param today: the last day of the simulated casework; today's date when omitted.  Case
        openings spread over the :data:`HISTORY_DAYS` days before it.
    :raises ValueError: for a number of cases under 1 or a city that is not a pilot city.
    """
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
        msg = f"the demonstration opens 1 case or more, got {cases!r}"
        raise ValueError(msg)
    chosen = _cities(cities)
    last = today if today is not None else datetime.now(_LOCAL).date()
    # Made-up data, not secrets: a seeded generator makes the demonstration reproducible.
    planner = _Planner(random.Random(seed), chosen, cases, last)  # noqa: S311
    return DemoPlan(
        cases=cases,
        cities=chosen,
        seed=seed,
        today=last,
        start=planner.start,
        teams=tuple(planner.teams.values()),
        steps=planner.plan(),
    )


class _Planner:
    """Draws the teams and the steps of every case file."""

    def __init__(
        self, rng: random.Random, cities: tuple[PilotCity, ...], cases: int, today: date
    ) -> None:
        self.rng = rng
        self.today = today
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.cases = cases
        total = sum(city.weight for city in cities)
        self.share = {city.code: city.weight / total for city in cities}
        self.used: set[str] = set()
        self.teams = {city.code: self._team(city, cases * self.share[city.code]) for city in cities}
        self.steps: list[_Step] = []
        self.seq = 0

    # Teams --------------------------------------------------------------------------------------

    def _person(self, city: PilotCity, role: str) -> str:
        while True:
            given, _ = self.rng.choice(_FEMALE_NAMES + _MALE_NAMES)
            family, _ = self.rng.choice(_FAMILY_NAMES)
            login = f"{given[0]}.{family}".lower().replace(" ", "")
            name = f"{login}.{city.code[3:].lower()}.{role}"
            if name not in self.used:
                self.used.add(name)
                return name

    def _focal_point(self) -> FocalPoint:
        given, _ = self.rng.choice(_FEMALE_NAMES + _MALE_NAMES)
        family, _ = self.rng.choice(_FAMILY_NAMES)
        phone = f"+212 5{self.rng.randrange(20, 40)} {self.rng.randrange(100000, 999999)}"
        return FocalPoint(f"{given} {family}", phone=phone)

    def _team(self, city: PilotCity, expected_cases: float) -> _Team:
        start = datetime.combine(self.start, time(8), tzinfo=_LOCAL)
        committee = tuple(
            MemberInstitution(institution, focal_point=self._focal_point())
            for institution in (
                Institution.SOCIAL_ACTION,
                Institution.ENTRAIDE_NATIONALE,
                Institution.PROSECUTION,
                Institution.JUVENILE_JUDGE,
                Institution.NATIONAL_SECURITY,
                Institution.GENDARMERIE,
                Institution.HEALTH,
                Institution.EDUCATION,
                Institution.LOCAL_AUTHORITY,
                Institution.ASSOCIATION,
            )
        )
        described = (
            (BodyKind.CPPE, f"Comité provincial de protection de l'enfance {_of(city.name)}", ()),
            (
                BodyKind.UPE,
                f"Unité de protection de l'enfance {_of(city.name)}",
                (ServiceType.PSYCHOSOCIAL, ServiceType.SOCIAL_ASSISTANCE),
            ),
            (
                BodyKind.CAPE,
                f"Centre d'accompagnement pour la protection de l'enfance {_of(city.name)}",
                (ServiceType.PSYCHOSOCIAL, ServiceType.LEGAL_AID, ServiceType.MEDICAL),
            ),
            (
                BodyKind.EPS,
                f"Établissement de protection sociale {_of(city.name)}",
                (ServiceType.PLACEMENT, ServiceType.EDUCATION),
            ),
            (
                BodyKind.ASSOCIATION,
                f"Association Amal pour l'enfance {_of(city.name)}",
                (
                    ServiceType.EDUCATION,
                    ServiceType.VOCATIONAL_TRAINING,
                    ServiceType.CIVIL_REGISTRATION,
                ),
            ),
        )
        bodies = {
            kind: TerritorialBody(
                name=name,
                kind=kind,
                territory=city.code,
                institutions=committee if kind is BodyKind.CPPE else (),
                services=services,
                id=new_id(start),
            )
            for kind, name, services in described
        }
        # The CAPE is the permanent secretariat of its province's committee.
        bodies[BodyKind.CAPE] = attrs.evolve(
            bodies[BodyKind.CAPE], secretariat_of=bodies[BodyKind.CPPE].id
        )
        unit = bodies[BodyKind.UPE].id
        # About one case worker for 60 case files over the period (illustrative).
        workers = max(2, round(expected_cases / 60))
        supervisors = max(1, round(workers / 6))
        return _Team(
            city=city,
            bodies=bodies,
            workers=tuple(
                Actor(self._person(city, "upe"), {Role.CASE_WORKER}, {unit}) for _ in range(workers)
            ),
            supervisors=tuple(
                Actor(self._person(city, "sup"), {Role.SUPERVISOR}, {unit})
                for _ in range(supervisors)
            ),
            coordinator=Actor(
                self._person(city, "cppe"),
                {Role.BODY_COORDINATOR},
                {bodies[BodyKind.CPPE].id},
            ),
            providers={
                kind: tuple(
                    Actor(
                        self._person(city, kind.value), {Role.SERVICE_PROVIDER}, {bodies[kind].id}
                    )
                    for _ in range(2)
                )
                for kind in (BodyKind.CAPE, BodyKind.EPS, BodyKind.ASSOCIATION)
            },
        )

    # Steps --------------------------------------------------------------------------------------

    def plan(self) -> tuple[_Step, ...]:
        codes = list(self.share)
        weights = [self.share[code] for code in codes]
        for number in range(self.cases):
            team = self.teams[self.rng.choices(codes, weights)[0]]
            _CaseFile(self, number, team).plan()
        return tuple(sorted(self.steps, key=lambda step: (step.when, step.seq)))

    def opening_day(self) -> date:
        # Openings grow as the programme rolls out: the density rises linearly over the period.
        offset = int(HISTORY_DAYS * (self.rng.random() ** 0.7))
        return self.start + timedelta(days=min(offset, HISTORY_DAYS))

    def add(self, when: datetime, case: int, name: str, action: Callable[[_Runner], None]) -> None:
        if when.date() > self.today:
            return
        self.seq += 1
        self.steps.append(_Step(when, self.seq, case, name, action))


_MIGRANT_NATIONALITIES: Final = ("SN", "CI", "GN", "ML", "CM", "SY")
_UNACCOMPANIED: Final = frozenset(
    {ProtectionConcern.UNACCOMPANIED, ProtectionConcern.STREET_SITUATION, ProtectionConcern.MIGRANT}
)
_VIOLENCE: Final = frozenset(
    {
        ProtectionConcern.PHYSICAL_VIOLENCE,
        ProtectionConcern.SEXUAL_VIOLENCE,
        ProtectionConcern.SEXUAL_EXPLOITATION,
        ProtectionConcern.TRAFFICKING,
        ProtectionConcern.CHILD_MARRIAGE,
    }
)
_RISK_ORDER: Final = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
_OUTCOME_DAY_START: Final = 8 * 60 + 30
_OUTCOME_DAY_END: Final = 17 * 60 + 30


class _CaseFile:
    """Draws one case file: the child, the household and the dated steps of its casework."""

    def __init__(self, planner: _Planner, number: int, team: _Team) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.number = number
        self.team = team
        self.clock: datetime | None = None
        self.deadlines = Deadlines()
        #: The day the child turns 18: no new case is opened for them from then on.
        self.majority = date.max

    # Steps --------------------------------------------------------------------------------------

    def at(self, day: date, name: str, make: Callable[[date], Callable[[_Runner], None]]) -> date:
        """Add the step ``make(day)`` at a working hour of ``day``, after the file's last step."""
        minute = self.rng.randrange(_OUTCOME_DAY_START, _OUTCOME_DAY_END)
        when = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=_LOCAL)
        if self.clock is not None and when <= self.clock:
            when = self.clock + timedelta(minutes=self.rng.randrange(1, 30))
        self.clock = when
        self.planner.add(when, self.number, name, make(when.date()))
        return when.date()

    def later(self, day: date, least: int, most: int) -> date:
        return day + timedelta(days=self.rng.randint(least, most))

    def delay(self, allowed: int, on_time: float) -> int:
        """Days taken by work allowed ``allowed`` days: on time with probability ``on_time``."""
        if self.rng.random() < on_time:
            return self.rng.randint(0, allowed)
        return allowed + self.rng.randint(1, 15)

    # The file -----------------------------------------------------------------------------------

    def plan(self) -> None:
        rng, team, number = self.rng, self.team, self.number
        opened = self.planner.opening_day()
        worker = rng.choice(team.workers)
        supervisor = rng.choice(team.supervisors)
        risk = _pick(rng, _RISKS)
        concerns = self.concerns(risk)
        child = self.child(opened, concerns)
        self.majority = _majority(child.birth_date)
        family = self.family(child, opened, concerns)
        source = _pick(rng, _SOURCES)
        identified = _identified_on(opened, rng.choice((0, 0, 1, 3)), child.birth_date)
        identification = Identification(source, identified)
        mode = _pick(rng, (("given", 0.8), ("services_only", 0.1), ("later", 0.1)))
        # A child with no family on record is in the care the juvenile judge ordered; a child
        # consenting alone is what the deployment's age bands warn about by default.
        giver = ConsentGiver.CAREGIVER if family is not None else ConsentGiver.JUDICIAL_ORDER
        consent = (
            None
            if mode == "later"
            else Consent(
                recorded_on=opened,
                given_by=giver,
                services=True,
                sharing=mode == "given",
                reporting=mode == "given",
                assent=_assent(child, opened),
            )
        )

        def register(day: date) -> Callable[[_Runner], None]:
            def act(run: _Runner) -> None:
                services = run.services(worker)
                run.done(services.register_child(child))
                if family is not None:
                    run.done(services.register_family(family))
                opened_case = services.open_case(
                    child_id=child.id,
                    body_id=team.unit.id,
                    family_id=None if family is None else family.id,
                    identification=identification,
                    risk=risk,
                    concerns=concerns,
                    consent=consent,
                    on=day,
                )
                run.keep(number, "case", opened_case)

            return act

        self.at(opened, "open the case", register)
        eps = team.bodies[BodyKind.EPS].id

        def care(day: date) -> Callable[[_Runner], None]:
            # Where the child lives: with the family on record, else in the city's
            # establishment of social protection since the case opened.
            def act(run: _Runner) -> None:
                if not run.keeps(CareArrangement):
                    return
                arrangement = CareArrangement(
                    case_id=run.id(number, "case"),
                    type=CareType.PARENTS if family is not None else CareType.RESIDENTIAL,
                    started_on=child.birth_date if family is not None else day,
                    establishment_id=None if family is not None else eps,
                )
                run.done(run.services(worker).casefile.record_care(arrangement))

            return act

        self.at(opened, "record where the child lives", care)
        if rng.random() < 0.02 and (self.majority - opened).days > 30:
            self.duplicate(opened, child.id, None if family is None else family.id, worker)
        if rng.random() < 0.05:
            return  # never assessed: overdue once the deadline has passed
        allowed = self.deadlines.days(DueKind.FIRST_ASSESSMENT, risk)
        assessed = opened + timedelta(days=self.delay(allowed, 0.75))
        if mode == "later":
            sharing = rng.random() < 0.8
            late = Consent(
                recorded_on=assessed,
                given_by=giver,
                services=True,
                sharing=sharing,
                reporting=sharing,
                assent=_assent(child, assessed),
            )
            mode = "given" if late.sharing else "services_only"
            self.at(
                assessed,
                "record consent",
                lambda _: (
                    lambda run: run.done(
                        run.services(worker).record_consent(run.id(number, "case"), late)
                    )
                ),
            )
        rated = self.rerated(risk)
        day = self.assess(assessed, "case", worker, rated, concerns)
        violence = [concern for concern in concerns if concern.value in _INCIDENT_TYPES]
        if violence and family is not None and rng.random() < 0.35:
            self.incident(day, worker, IncidentType(violence[0].value), child.residence)
        if rated is RiskLevel.HIGH and rng.random() < 0.2:
            coordinator = team.coordinator
            self.at(
                self.later(day, 1, 10),
                "coordinator reads the case",
                lambda _: lambda run: run.read(coordinator, run.id(number, "case")),
            )
        self.circuit("case", day, rated, worker, supervisor, sharing=mode == "given", first=True)

    def incident(self, day: date, worker: Actor, kind: IncidentType, place: str | None) -> None:
        """Record the incident the assessment found, at home, disclosed to a professional."""
        number, territory = self.number, place or self.team.city.code

        def act(on: date) -> Callable[[_Runner], None]:
            def run_it(run: _Runner) -> None:
                if not run.keeps(Incident):
                    return
                incident = Incident(
                    case_ids=[run.id(number, "case")],
                    type=kind,
                    occurred_on=on - timedelta(days=7),
                    place="home",
                    territory=territory,
                    perpetrator=Perpetrator.PARENT,
                    disclosure=Disclosure(on, DisclosedBy.PROFESSIONAL),
                    # Reported to the prosecutor where the law asks it (the rule's list).
                    actions={
                        IncidentAction.PSYCHOLOGICAL_SUPPORT,
                        IncidentAction.SAFETY_PLAN,
                        *(
                            (IncidentAction.REPORT_TO_PROSECUTOR,)
                            if kind in MUST_BE_REPORTED
                            else ()
                        ),
                    },
                )
                run.done(run.services(worker).casefile.record_incident(incident))

            return run_it

        self.at(day, "record the incident found at assessment", act)

    def duplicate(self, opened: date, child_id: str, family_id: str | None, worker: Actor) -> None:
        """Open the same child's case a second time, then mark it a duplicate of the first."""
        number, team = self.number, self.team
        other = self.rng.choice(self.team.workers)
        source = _pick(self.rng, _SOURCES)

        def again(day: date) -> Callable[[_Runner], None]:
            def act(run: _Runner) -> None:
                outcome = run.services(other).open_case(
                    child_id=child_id,
                    body_id=team.unit.id,
                    family_id=family_id,
                    identification=Identification(source, day),
                    concerns=(ProtectionConcern.OTHER,),
                    on=day,
                )
                run.keep(number, "duplicate", outcome)

            return act

        def mark(day: date) -> Callable[[_Runner], None]:
            return lambda run: run.done(
                run.services(worker).mark_duplicate(
                    run.id(number, "duplicate"), run.id(number, "case"), on=day
                )
            )

        day = self.at(self.later(opened, 1, 6), "open the same child's case again", again)
        self.at(self.later(day, 1, 8), "mark the duplicate", mark)

    def assess(
        self,
        day: date,
        key: str,
        worker: Actor,
        risk: RiskLevel,
        concerns: tuple[ProtectionConcern, ...] | None,
    ) -> date:
        number = self.number
        summary = self.rng.choice(_SUMMARIES)
        needs = {service for _, service in self.rng.sample(_GOALS, 2)}

        def act(on: date) -> Callable[[_Runner], None]:
            assessment = Assessment(on=on, by=worker.id, risk=risk, summary=summary, needs=needs)
            return lambda run: run.done(
                run.services(worker).record_assessment(
                    run.id(number, key), assessment, concerns=concerns, on=on
                )
            )

        return self.at(day, "record the assessment", act)

    def rerated(self, risk: RiskLevel) -> RiskLevel:
        """Return the risk the assessment finds: mostly the first one, sometimes a level off."""
        draw = self.rng.random()
        index = _RISK_ORDER.index(risk)
        if draw < 0.1:
            index = min(index + 1, len(_RISK_ORDER) - 1)
        elif draw < 0.2:
            index = max(index - 1, 0)
        return _RISK_ORDER[index]

    def circuit(
        self,
        key: str,
        day: date,
        risk: RiskLevel,
        worker: Actor,
        supervisor: Actor,
        *,
        sharing: bool,
        first: bool,
    ) -> None:
        """Draw the plan, implementation, referrals, follow-ups and closure of an assessed case."""
        rng, number = self.rng, self.number
        if rng.random() < 0.05:
            return  # assessed, the plan is still being drawn up
        goals = [
            (text, service, rng.randint(20, 120))
            for text, service in rng.sample(_GOALS, rng.randint(1, 3))
        ]

        def plan(on: date) -> Callable[[_Runner], None]:
            drawn = CasePlan(
                drawn_up_on=on,
                goals=tuple(
                    Goal(text, worker.id, on + timedelta(days=days), service)
                    for text, service, days in goals
                ),
                review_on=on + timedelta(days=self.deadlines.days(DueKind.PLAN_REVIEW, risk)),
            )
            return lambda run: run.done(
                run.services(worker).record_plan(run.id(number, key), drawn, on=on)
            )

        day = self.at(self.later(day, 1, 14), "record the case plan", plan)
        if risk is RiskLevel.HIGH or rng.random() < 0.15:
            day = self.at(
                self.later(day, 0, 4),
                "approve the plan",
                lambda on: (
                    lambda run: run.done(
                        run.services(supervisor).approve_plan(run.id(number, key), on=on)
                    )
                ),
            )
        if rng.random() < 0.05:
            return  # the plan waits for the services it needs
        started = self.at(
            self.later(day, 0, 5),
            "start implementation",
            lambda on: (
                lambda run: run.done(
                    run.services(worker).start_implementation(run.id(number, key), on=on)
                )
            ),
        )
        moved = self.later(started, 5, 40)
        if first and len(self.planner.teams) > 1 and moved < self.majority and rng.random() < 0.03:
            self.transfer(key, moved, risk, supervisor, sharing=sharing)
            return
        last, still_open = started, False
        for index in range(self.referral_count(risk)):
            made = self.later(started, 0, 30)
            done, left_open = self.referral(
                key,
                index,
                made=made,
                risk=risk,
                worker=worker,
                supervisor=supervisor,
                sharing=sharing,
            )
            last = max(last, done)
            still_open = still_open or left_open
        day = started
        for _ in range(rng.randint(1, 3)):
            day = self.at(
                self.later(day, 15, 45),
                "record a follow-up",
                lambda on: self.follow_up(key, worker, on),
            )
        if still_open:
            return  # a referral still waits for an answer or a service: the case stays open
        ending = self.later(max(day, last), 1, 20)
        reason = (
            ClosureReason.REACHED_MAJORITY if ending >= self.majority else _pick(rng, _CLOSURES)
        )
        closed = self.at(
            ending,
            "close the case",
            lambda on: lambda run: run.close(worker, supervisor, run.id(number, key), reason, on),
        )
        if first and rng.random() < 0.06:
            reopened = self.at(
                self.later(closed, 15, 120),
                "reopen the case",
                lambda on: (
                    lambda run: run.done(
                        run.services(worker).reopen(
                            run.id(number, key), "The situation at home worsened again.", on=on
                        )
                    )
                ),
            )
            again = self.rerated(risk)
            day = self.assess(self.later(reopened, 0, 5), key, worker, again, None)
            self.circuit(key, day, again, worker, supervisor, sharing=sharing, first=False)

    def follow_up(self, key: str, worker: Actor, on: date) -> Callable[[_Runner], None]:
        number = self.number
        kind = _pick(
            self.rng,
            (
                (FollowUpKind.HOME_VISIT, 0.4),
                (FollowUpKind.PHONE_CALL, 0.25),
                (FollowUpKind.OFFICE_VISIT, 0.15),
                (FollowUpKind.PLAN_REVIEW, 0.15),
                (FollowUpKind.CASE_CONFERENCE, 0.05),
            ),
        )
        visit = FollowUp(on=on, by=worker.id, kind=kind, note="Progress discussed with the family.")
        return lambda run: run.done(
            run.services(worker).record_follow_up(run.id(number, key), visit, on=on)
        )

    def referral_count(self, risk: RiskLevel) -> int:
        count = _pick(self.rng, ((0, 0.2), (1, 0.45), (2, 0.27), (3, 0.08)))
        return count + (1 if risk is RiskLevel.HIGH and self.rng.random() < 0.5 else 0)

    def referral(
        self,
        key: str,
        index: int,
        *,
        made: date,
        risk: RiskLevel,
        worker: Actor,
        supervisor: Actor,
        sharing: bool,
    ) -> tuple[date, bool]:
        """Draw one referral and its answer; return the day it ends and whether it stays open."""
        rng, number, team = self.rng, self.number, self.team
        name = f"{key}.referral.{index}"
        draw = rng.random()
        target: dict[str, object]
        if draw < 0.61:
            kind, service, _ = rng.choices(_BODY_SERVICES, [w for *_, w in _BODY_SERVICES])[0]
            target = {"to_body": team.bodies[kind].id}
            responder = rng.choice(team.providers[kind])
        elif draw < 0.88:
            # Only the programmes in force that day (Tayssir gave way to ASD at the end of 2023).
            open_then = [p for p in _PROGRAMMES if PROGRAMME_CALENDAR.in_force(p[0], made)]
            programme, service, _ = rng.choices(open_then, [w for *_, w in open_then])[0]
            target = {"programme": programme}
            responder = worker
        else:
            service = ServiceType.JUDICIAL_PROTECTION
            target = {"judicial": True}
            responder = worker
        urgency = (
            _pick(rng, ((Urgency.IMMEDIATE, 0.4), (Urgency.URGENT, 0.4), (Urgency.ROUTINE, 0.2)))
            if risk is RiskLevel.HIGH
            else _pick(rng, ((Urgency.URGENT, 0.2), (Urgency.ROUTINE, 0.8)))
        )
        sender = worker if sharing else supervisor
        override = (
            None
            if sharing
            else ConsentOverride(
                OverrideReason.BEST_INTEREST,
                "The caregiver agreed to services but not yet to sharing; the child needs the "
                "service now.",
            )
        )

        def refer(on: date) -> Callable[[_Runner], None]:
            def act(run: _Runner) -> None:
                outcome = run.services(sender).refer(
                    run.id(number, key),
                    service=service,
                    urgency=urgency,
                    consent_override=override,
                    on=on,
                    **target,  # type: ignore[arg-type]
                )
                run.keep(number, name, outcome)

            return act

        made = self.at(made, "refer", refer)
        allowed = self.deadlines.days(DueKind.REFERRAL_RESPONSE, risk)
        answered = made + timedelta(days=self.delay(allowed, 0.7))
        answer = _pick(
            rng, (("accept", 0.72), ("reject", 0.13), ("cancel", 0.08), ("unanswered", 0.07))
        )
        if answer == "unanswered":
            return made, True
        if answer == "cancel":
            when = self.at(
                self.later(made, 1, max(allowed, 1)),
                "cancel the referral",
                lambda on: (
                    lambda run: run.done(
                        run.services(worker).cancel(
                            run.id(number, name), "The need was met otherwise.", on=on
                        )
                    )
                ),
            )
            return when, False
        if answer == "reject":
            why = rng.choice(_REJECTIONS)
            when = self.at(
                answered,
                "reject the referral",
                lambda on: (
                    lambda run: run.done(
                        run.services(responder).reject(run.id(number, name), why, on=on)
                    )
                ),
            )
            return when, False
        accepted = self.at(
            answered,
            "accept the referral",
            lambda on: (
                lambda run: run.done(run.services(responder).accept(run.id(number, name), on=on))
            ),
        )
        ending = _pick(rng, (("complete", 0.88), ("cancel", 0.05), ("ongoing", 0.07)))
        if ending == "ongoing":
            return accepted, True
        if ending == "cancel":
            when = self.at(
                self.later(accepted, 3, 30),
                "cancel the referral",
                lambda on: (
                    lambda run: run.done(
                        run.services(worker).cancel(
                            run.id(number, name), "The family moved to another district.", on=on
                        )
                    )
                ),
            )
            return when, False
        provider = (
            {"provider_body_id": target["to_body"]}
            if "to_body" in target
            else {"programme": target["programme"]}
            if "programme" in target
            else None
        )

        def complete(on: date) -> Callable[[_Runner], None]:
            def act(run: _Runner) -> None:
                if provider is not None and run.keeps(ServiceDelivery):
                    # The services log: what was delivered, arranged when the referral was
                    # accepted, delivered the day it is completed.
                    run.done(
                        run.services(responder).casefile.record_service(
                            run.id(number, key),
                            service=service,
                            referral_id=run.id(number, name),
                            urgency=urgency,
                            delivered_on=on,
                            on=accepted,
                            **provider,  # type: ignore[arg-type]
                        )
                    )
                run.done(
                    run.services(responder).complete(
                        run.id(number, name), "Service provided as agreed.", on=on
                    )
                )

            return act

        when = self.at(self.later(accepted, 5, 60), "complete the referral", complete)
        return when, False

    def transfer(
        self, key: str, day: date, risk: RiskLevel, supervisor: Actor, *, sharing: bool
    ) -> None:
        """Hand the case over to the unit of another city, where a worker takes it on."""
        rng, number = self.rng, self.number
        others = [team for team in self.planner.teams.values() if team is not self.team]
        target = rng.choice(others)
        override = (
            None
            if sharing
            else ConsentOverride(
                OverrideReason.BEST_INTEREST,
                "The family moved; the receiving unit needs the file to continue the work.",
            )
        )

        def act(on: date) -> Callable[[_Runner], None]:
            return lambda run: run.keep(
                number,
                "successor",
                run.services(supervisor).transfer(
                    run.id(number, key), target.unit.id, consent_override=override, on=on
                ),
            )

        day = self.at(day, "transfer the case to another city", act)
        worker = rng.choice(target.workers)
        assessed = self.assess(self.later(day, 1, 10), "successor", worker, risk, None)
        self.circuit(
            "successor",
            assessed,
            risk,
            worker,
            rng.choice(target.supervisors),
            sharing=True,
            first=False,
        )

    # People -------------------------------------------------------------------------------------

    def concerns(self, risk: RiskLevel) -> tuple[ProtectionConcern, ...]:
        count = _pick(self.rng, ((1, 0.6), (2, 0.3), (3, 0.1)))
        found = {_pick(self.rng, _CONCERNS) for _ in range(count)}
        if risk is RiskLevel.HIGH and not found & _VIOLENCE and self.rng.random() < 0.5:
            found.add(self.rng.choice(sorted(_VIOLENCE)))
        return tuple(sorted(found))

    def unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.planner.used:
                self.planner.used.add(value)
                return value

    def child(self, opened: date, concerns: tuple[ProtectionConcern, ...]) -> Child:
        rng = self.rng
        city = self.team.city
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        age = _pick(
            rng, [(years, 0.9 if years < 6 else 1.1 if years < 12 else 1.6) for years in range(18)]
        )
        birth = opened - timedelta(days=round(365.25 * age) + rng.randrange(0, 365))
        while age_on(birth, opened) > age:
            birth += timedelta(days=1)
        birth = min(birth, opened)
        migrant = ProtectionConcern.MIGRANT in concerns
        unidentified = bool(_UNACCOMPANIED & set(concerns)) and rng.random() < 0.3
        nationality = rng.choice(_MIGRANT_NATIONALITIES) if migrant else "MA"
        undocumented = ProtectionConcern.LACK_OF_DOCUMENTATION in concerns
        registered = not migrant and not undocumented and rng.random() < 0.95
        names = _FEMALE_NAMES if sex is Sex.FEMALE else _MALE_NAMES
        given, given_ar = rng.choice(names)
        family, family_ar = rng.choice(_FAMILY_NAMES)
        identifiers: list[Identifier] = []
        if registered and not unidentified:
            identifiers.append(
                Identifier(
                    IdentifierScheme.IDCS,
                    self.unique(lambda: f"{rng.randrange(10**9, 10**10):010d}"),
                )
            )
            if age >= 16 and rng.random() < 0.7:
                letters = rng.choice(("A", "AB", "BE", "BK", "EE", "G", "JB", "K"))
                identifiers.append(
                    Identifier(
                        IdentifierScheme.CNIE,
                        self.unique(lambda: f"{letters}{rng.randrange(100000, 999999)}"),
                    )
                )
        languages = ["fr"] if migrant else ["ary"]
        if city.code in ("MA-AGD", "MA-MAR") and not migrant and rng.random() < 0.4:
            languages.append("zgh")
        if unidentified:
            # An estimated birth date is the 1st of July of the estimated year (1st of January
            # when that is still to come this year), so that the child is ``age`` on opening.
            midyear = (opened.month, opened.day) >= (7, 1)
            estimated = date(opened.year - age, 7 if midyear else 1, 1)
            return Child(
                sex=sex,
                birth_date=estimated,
                birth_date_estimated=True,
                unidentified=True,
                nickname=rng.choice((None, given)),
                nationality=nationality if migrant else None,
                residence=city.code,
                languages=languages,
                schooling=Schooling.NEVER_ENROLLED if age >= 6 else None,
                id=new_id(datetime.combine(opened, time(9), tzinfo=_LOCAL)),
            )
        return Child(
            sex=sex,
            birth_date=birth,
            given_name=given,
            family_name=family,
            given_name_ar=None if migrant else given_ar,
            family_name_ar=None if migrant else family_ar,
            nationality=nationality,
            identifiers=identifiers,
            birth_registered=registered,
            residence=city.code,
            languages=languages,
            schooling=self.schooling(age, concerns),
            id=new_id(datetime.combine(opened, time(9), tzinfo=_LOCAL)),
        )

    def schooling(self, age: int, concerns: tuple[ProtectionConcern, ...]) -> Schooling:
        if age < 6:
            return Schooling.NOT_OF_SCHOOL_AGE
        working = bool({ProtectionConcern.CHILD_LABOUR, ProtectionConcern.BEGGING} & set(concerns))
        if age < 16:
            return _pick(
                self.rng,
                (
                    (Schooling.ENROLLED, 0.45 if working else 0.78),
                    (Schooling.DROPPED_OUT, 0.45 if working else 0.18),
                    (Schooling.NEVER_ENROLLED, 0.1 if working else 0.04),
                ),
            )
        return _pick(
            self.rng,
            (
                (Schooling.ENROLLED, 0.5),
                (Schooling.DROPPED_OUT, 0.35),
                (Schooling.VOCATIONAL, 0.15),
            ),
        )

    def family(
        self, child: Child, opened: date, concerns: tuple[ProtectionConcern, ...]
    ) -> Family | None:
        rng = self.rng
        if child.unidentified or (
            ProtectionConcern.UNACCOMPANIED in concerns and rng.random() < 0.8
        ):
            return None
        surname = child.family_name
        members: list[FamilyMember] = [FamilyMember(Relation.CHILD, child_id=child.id)]
        without_care = bool(
            {ProtectionConcern.WITHOUT_FAMILY_CARE, ProtectionConcern.ABANDONMENT} & set(concerns)
        )

        def adult(
            relation: Relation, sex: Sex, *, caregiver: bool, alive: bool = True
        ) -> FamilyMember:
            names = _FEMALE_NAMES if sex is Sex.FEMALE else _MALE_NAMES
            given, _ = rng.choice(names)
            own = surname if sex is Sex.MALE or relation is not Relation.MOTHER else None
            family = own or rng.choice(_FAMILY_NAMES)[0]
            age = (
                rng.randint(24, 52) if relation is not Relation.GRANDPARENT else rng.randint(55, 78)
            )
            born = opened - timedelta(days=365 * age + rng.randrange(0, 365))
            phone = (
                f"+212 6{rng.randrange(10, 99)} {rng.randrange(100000, 999999)}" if alive else None
            )
            return FamilyMember(
                relation,
                given_name=given,
                family_name=family,
                sex=sex,
                birth_date=born,
                caregiver=caregiver and alive,
                alive=alive,
                phone=phone,
            )

        if rng.random() < 0.015:
            decision = KafalaDecision(
                court=f"Tribunal de première instance {_of(self.team.city.name)}",
                reference=f"{rng.randint(100, 2999)}/{opened.year - rng.randint(1, 6)}",
                decided_on=opened - timedelta(days=rng.randint(200, 2000)),
            )
            for relation, sex in ((Relation.KAFIL, Sex.MALE), (Relation.KAFILA, Sex.FEMALE)):
                members.append(attrs.evolve(adult(relation, sex, caregiver=True), kafala=decision))
        else:
            mother_alive = rng.random() < 0.97
            father_alive = rng.random() < 0.92
            members.append(
                adult(Relation.MOTHER, Sex.FEMALE, caregiver=not without_care, alive=mother_alive)
            )
            members.append(
                adult(
                    Relation.FATHER,
                    Sex.MALE,
                    caregiver=not without_care and rng.random() < 0.7,
                    alive=father_alive,
                )
            )
            if without_care or not (mother_alive or father_alive):
                members.append(adult(Relation.GRANDPARENT, Sex.FEMALE, caregiver=True))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
            given, _ = rng.choice(_FEMALE_NAMES if sex is Sex.FEMALE else _MALE_NAMES)
            born = opened - timedelta(days=rng.randint(200, 20 * 365))
            sibling = FamilyMember(
                Relation.SIBLING, given_name=given, family_name=surname, sex=sex, birth_date=born
            )
            if all(member.given_name != given for member in members):
                members.append(sibling)
        registered = rng.random() < 0.75
        programmes: list[ProgrammeEnrolment] = []
        if registered and rng.random() < 0.3:
            programmes.append(
                ProgrammeEnrolment(
                    SocialProgramme.AMO_TADAMON,
                    EnrolmentStatus.ENROLLED,
                    since=opened - timedelta(days=rng.randint(30, 900)),
                )
            )
        index = min(max(rng.gauss(9.3, 0.55), 7.5), 11.5)
        return Family(
            members=members,
            residence=self.team.city.code,
            rsu_id=self.unique(lambda: f"{rng.randrange(10**8, 10**9)}") if registered else None,
            socio_economic_index=round(index, 4) if registered else None,
            programmes=programmes,
            id=new_id(datetime.combine(opened, time(9), tzinfo=_LOCAL)),
        )


# Playing the plan -------------------------------------------------------------------------------


class DemoStepFailed(WladnaError):
    """A step of the demonstration was refused; the message names the step and the case file.

    :param step: what the step did, e.g. ``close the case``.
    :param case: the number of the case file in the plan.
    :param when: when the step was played.
    :param error: the refusal.
    """

    def __init__(self, step: str, case: int, when: datetime, error: WladnaError) -> None:
        self.step = step
        self.case = case
        self.when = when
        self.error = error
        super().__init__(
            f"the demonstration's step {step!r} of case file {case} on "
            f"{when.date().isoformat()} was refused: {error}. Remedy: this is a defect of the "
            "demonstration's plan; report it with the seed and the number of cases"
        )


class _Runner:
    """Plays steps: the people's services, and the ids of what earlier steps made."""

    def __init__(self, wladna: Wladna) -> None:
        self.wladna = wladna
        self.ids: dict[tuple[int, str], str] = {}
        self.warnings: Counter[str] = Counter()
        self._services: dict[str, CaseWork] = {}

    def services(self, actor: Actor) -> CaseWork:
        found = self._services.get(actor.id)
        if found is None:
            found = self._services[actor.id] = self.wladna.as_actor(actor)
        return found

    def id(self, case: int, key: str) -> str:
        return self.ids[case, key]

    def keeps(self, record_type: type) -> bool:
        """Whether the store keeps records of ``record_type`` (a built-in plug-in's kind)."""
        return record_type in self.wladna.store.kinds

    def done(self, outcome: Outcome[object]) -> None:
        for warning in outcome.warnings:
            self.warnings[warning.code] += 1

    def close(
        self, worker: Actor, supervisor: Actor, case_id: str, reason: ClosureReason, on: date
    ) -> None:
        """Close the case; a closure that awaits approval is approved by the supervisor."""
        asked = self.services(worker).close(case_id, reason, on=on)
        self.done(asked)
        if asked.record.pending_closure_request is not None:
            self.done(self.services(supervisor).approve_closure(case_id, on=on))

    def keep(self, case: int, key: str, outcome: Outcome[Any]) -> None:
        self.done(outcome)
        self.ids[case, key] = outcome.record.id

    def read(self, actor: Actor, case_id: str) -> None:
        self.services(actor).case(case_id)


@attrs.frozen
class DemoSummary:
    """What the demonstration made, counted in the store at the end.

    :param planned: the case files the plan opened.
    :param start: the first day of the simulated casework.
    :param today: the last day of the simulated casework.
    :param steps: how many steps were played.
    :param cities: the pilot cities, by code.
    :param bodies: territorial bodies registered.
    :param children: children registered.
    :param families: households registered.
    :param case_total: case records stored (the files planned, their duplicates, and the
        cases that continue a transferred one).
    :param cases: case records by status.
    :param referrals: referrals by status.
    :param warnings: warnings the services returned, by rule code.
    :param audit_ok: whether the audit trail verified.
    :param audit_entries: how many audit entries were checked.
    :param report: the indicators by city (a :class:`~wladna_core.reporting.Report`), or
        ``None`` when the store cannot compute them.
    :param training: what the training half stored (:mod:`wladna_core.training_demo`), or
        ``None`` when the store does not keep the training kinds of record.
    :param casefile: records of the case file stored, by kind name (care arrangements,
        services delivered, incidents, approvals); empty when the store keeps none of them.
    """

    planned: int
    start: date
    today: date
    steps: int
    cities: tuple[str, ...]
    bodies: int
    children: int
    families: int
    case_total: int
    cases: Mapping[CaseStatus, int]
    referrals: Mapping[ReferralStatus, int]
    warnings: Mapping[str, int]
    audit_ok: bool
    audit_entries: int
    report: Report | None = None
    training: TrainingSummary | None = None
    casefile: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def transferred(self) -> int:
        """Cases handed over to another city's unit (each continued by a new case)."""
        return self.cases.get(CaseStatus.TRANSFERRED, 0)

    @property
    def duplicates(self) -> int:
        """Cases marked as duplicates of another case of the same child."""
        return self.cases.get(CaseStatus.DUPLICATE, 0)

    @property
    def referral_total(self) -> int:
        """Referrals made."""
        return sum(self.referrals.values())


#: The indicators of the summary table, by city: (indicator, measure, column heading).
SUMMARY_INDICATORS: Final = (
    ("cases_opened", "count", "opened"),
    ("open_caseload", "count", "open"),
    ("closures_by_reason", "count", "closed"),
    ("time_to_first_assessment", "share_within_deadline", "assessed in time"),
    ("referrals", "made", "referrals"),
    ("referrals", "acceptance_rate", "accepted"),
    ("overdue_actions", "count", "overdue"),
)


def run_demo(
    plan: DemoPlan,
    url: str,
    *,
    force: bool = False,
    settings: Mapping[str, object] | None = None,
    plugins: pluggy.PluginManager | None = None,
    advance: Callable[[int], None] | None = None,
    materials: Path | None = None,
) -> DemoSummary:
    """Play ``plan`` into the store at ``url`` through the casework services; count the result.

    The application's clock follows the steps.  At the end the audit trail is verified and,
    when the reporting indicators are installed, the indicators of :data:`SUMMARY_INDICATORS`
    are computed by city.

    :param plan: the plan (:func:`plan_demo`).
    :param url: the store, e.g. ``sqlite:///wladna-demo.db``; it must hold no record.
    :param force: delete every record and audit entry of a store that holds some, first.
    :param settings: deployment settings, over :data:`DEMO_SETTINGS`.
    :param plugins: the plug-in manager; the installed plug-ins when omitted.
    :param advance: called with 1 after each step, e.g. to move a progress bar.
    :param materials: the folder for the files of the training programme's educational bags;
        next to a SQLite database when omitted
        (:func:`~wladna_core.training_demo.materials_folder`).
    :raises DemoStoreNotEmpty: if the store holds records and ``force`` is false.
    :raises DemoStepFailed: if a service refuses a step (a defect of the plan).
    """
    now = [datetime.combine(plan.start, time(8), tzinfo=_LOCAL)]
    given = {**DEMO_SETTINGS, **(settings or {})}
    if force:
        given[ALLOW_RESET] = True
    with Wladna.open(url, settings=given, plugins=plugins, clock=lambda: now[0]) as wladna:
        _make_room(wladna, force=force)
        runner = _Runner(wladna)
        admin = runner.services(Actor(DEMO_ADMIN, {Role.ADMIN}))
        for body in plan.bodies:
            runner.done(admin.register_body(body))
        for step in plan.steps:
            now[0] = step.when
            try:
                step.action(runner)
            except WladnaError as error:
                raise DemoStepFailed(step.name, step.case, step.when, error) from error
            if advance is not None:
                advance(1)
        now[0] = datetime.combine(plan.today, time(18), tzinfo=_LOCAL)
        training = _play_training(wladna, plan, materials or materials_folder(url))
        return attrs.evolve(_summarise(wladna, plan, runner), training=training)


def _play_training(
    wladna: Wladna, plan: DemoPlan, materials: Path | None
) -> TrainingSummary | None:
    """Record the training half of the demonstration, when the store keeps its kinds."""
    if not keeps_training(wladna.store.kinds):
        return None
    return store_training(wladna, plan_training(plan), materials=materials)


def _make_room(wladna: Wladna, *, force: bool) -> None:
    store = wladna.store
    with store.unit_of_work() as uow:
        first = uow.audit.entries(limit=1)
        empty = not first and not any(uow.repository(kind).count() for kind in REPOSITORY_NAMES)
    if empty:
        return
    if not force:
        raise DemoStoreNotEmpty(redact_url(store.url))
    # Only a store that an earlier demonstration filled is emptied: its trail opens with the
    # demonstration's administrator registering the first body. Records of real children are
    # never deleted by a demonstration, whatever it is told.
    if not first or first[0].actor_id != DEMO_ADMIN:
        raise DemoStoreNotEmpty(redact_url(store.url), made_elsewhere=True)
    store.reset()


def _summarise(wladna: Wladna, plan: DemoPlan, runner: _Runner) -> DemoSummary:
    store = wladna.store
    with store.unit_of_work() as uow:
        cases = {
            status: count
            for status in CaseStatus
            if (count := uow.cases.count(CaseQuery(status={status})))
        }
        referrals = {
            status: count
            for status in ReferralStatus
            if (count := uow.referrals.count(ReferralQuery(status={status})))
        }
        bodies, children, families = (
            uow.bodies.count(),
            uow.children.count(),
            uow.families.count(),
        )
        case_total = uow.cases.count()
        casefile = {
            store.kinds[kind].name: uow.repository(kind).count()
            for kind in _CASEFILE_KINDS
            if kind in store.kinds
        }
    verification = wladna.audit.verify()
    return DemoSummary(
        planned=plan.cases,
        start=plan.start,
        today=plan.today,
        steps=len(plan),
        cities=tuple(city.code for city in plan.cities),
        bodies=bodies,
        children=children,
        families=families,
        case_total=case_total,
        cases=cases,
        referrals=referrals,
        warnings=dict(sorted(runner.warnings.items())),
        audit_ok=verification.ok,
        audit_entries=verification.checked,
        report=_report(wladna, plan),
        casefile=casefile,
    )


def _report(wladna: Wladna, plan: DemoPlan) -> Report | None:
    """Compute the indicators of :data:`SUMMARY_INDICATORS` by city, those that are installed."""
    known = available_indicators(wladna.plugins)
    names = list(dict.fromkeys(name for name, _, _ in SUMMARY_INDICATORS if name in known))
    if not names:
        return None
    cities = ", ".join(city.name for city in plan.cities)
    return build_report(
        wladna.store,
        names,
        by=["province"],
        on=plan.today,
        plugins=wladna.plugins,
        deadlines=wladna.deadlines,
        title=f"Wladna demonstration: {cities}",
    )
