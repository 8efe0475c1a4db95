"""A synthetic national caseload for the reporting and import benchmarks.

:func:`caseload` yields, chunk by chunk, case files spread over every province and prefecture
of the shipped gazetteer (12 regions, 75 provinces and prefectures) and over the 24 months of
2024 and 2025 (:data:`FIRST_DAY` to :data:`LAST_DAY`): for each case its child, its household,
the case itself and 0 to 3 referrals.  Every record is valid under the built-in rules, and no
date falls after :data:`LAST_DAY`.  :func:`bodies` gives the bodies they refer to: in each
province a UPE, which holds the cases, and a CAPE, to which they are referred.

A case goes as far along the circuit as its dates allow before :data:`LAST_DAY`: registered,
assessed, a plan drawn up (approved when the risk is high), implementation or follow-up, and
closed for about four cases in ten.  Referrals follow the assessment, to the CAPE, a social
programme or the judicial authority, and are pending, accepted, rejected, completed or
cancelled; a closed case has no referral still open.  Proportions are illustrative only, chosen
so that every indicator has something to count.

The same ``seed`` always gives the same records, ids included (time-ordered, UUIDv7 layout), so
that runs compare like with like and a database built once can be reused.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

import attrs

from wladna_core import (
    Assessment,
    BodyKind,
    Case,
    CasePlan,
    CaseStatus,
    Child,
    Closure,
    ClosureReason,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Gazetteer,
    Goal,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
    Urgency,
)
from wladna_core.model import Approval
from wladna_core.storage.numbers import default_case_number

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

#: The first and last days of the caseload: 24 months.
FIRST_DAY: Final = date(2024, 1, 1)
LAST_DAY: Final = date(2025, 12, 31)
#: Changes whenever the records drawn for a seed change (cached databases are keyed by it).
GENERATOR_VERSION: Final = 1
#: Case workers per province (some cases have none).
WORKERS_PER_PROVINCE: Final = 12
#: The version of every record drawn: records as a store holds (and an export writes) them.
STORED_VERSION: Final = 1

_DAYS: Final = (LAST_DAY - FIRST_DAY).days + 1
_CONCERNS: Final = tuple(ProtectionConcern)
_SERVICES: Final = tuple(ServiceType)
_PROGRAMMES: Final = tuple(SocialProgramme)
_REASONS: Final = tuple(ClosureReason)
_SOURCES: Final = tuple(IdentificationSource)
_URGENCIES: Final = tuple(Urgency)
_RISKS: Final = (RiskLevel.HIGH,) * 2 + (RiskLevel.MEDIUM,) * 5 + (RiskLevel.LOW,) * 3
_REFERRALS_PER_CASE: Final = (0, 0, 0, 1, 1, 1, 1, 2, 2, 3)
_OPEN_REFERRAL_STATUSES: Final = (
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.REJECTED,
    ReferralStatus.COMPLETED,
    ReferralStatus.COMPLETED,
    ReferralStatus.CANCELLED,
)
_CLOSED_REFERRAL_STATUSES: Final = (
    ReferralStatus.COMPLETED,
    ReferralStatus.COMPLETED,
    ReferralStatus.REJECTED,
    ReferralStatus.CANCELLED,
)
# Milliseconds between the ids of two successive records (UUIDv7 layout, time-ordered).
_EPOCH_MS: Final = 1_700_000_000_000


@attrs.frozen
class Province:
    """A province's bodies and workers."""

    code: str
    upe: TerritorialBody
    cape: TerritorialBody
    workers: tuple[str, ...]


@attrs.define
class Chunk:
    """The records of a run of consecutive case files, each type in dependency order."""

    children: list[Child] = attrs.Factory(list)
    families: list[Family] = attrs.Factory(list)
    cases: list[Case] = attrs.Factory(list)
    referrals: list[Referral] = attrs.Factory(list)

    def __len__(self) -> int:
        return len(self.children) + len(self.families) + len(self.cases) + len(self.referrals)


class _Ids:
    """Time-ordered ids drawn from ``rng`` (the UUIDv7 layout of :func:`wladna_core.new_id`)."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self._rng = rng
        self._serial = start

    def __call__(self) -> str:
        self._serial += 1
        bits = self._rng.getrandbits(74)
        value = (
            ((_EPOCH_MS + self._serial) << 80)
            | ((0x7000 | (bits >> 62)) << 64)
            | (0b10 << 62)
            | (bits & ((1 << 62) - 1))
        )
        return str(uuid.UUID(int=value))


def provinces(seed: int = 2026) -> tuple[Province, ...]:
    """Return every province and prefecture of the gazetteer with its UPE, CAPE and workers."""
    ids = _Ids(random.Random(f"bodies-{seed}"), 0)
    found: list[Province] = []
    for territory in Gazetteer.morocco().provinces():
        name = territory.name_fr
        upe = TerritorialBody(
            f"UPE {name}", BodyKind.UPE, territory.code, id=ids(), version=STORED_VERSION
        )
        cape = TerritorialBody(
            f"CAPE {name}", BodyKind.CAPE, territory.code, id=ids(), version=STORED_VERSION
        )
        workers = tuple(
            f"{territory.code.removeprefix('MA-')}-agent-{index:02d}"
            for index in range(1, WORKERS_PER_PROVINCE + 1)
        )
        found.append(Province(territory.code, upe, cape, workers))
    return tuple(found)


def bodies(places: Sequence[Province]) -> list[TerritorialBody]:
    """Return the bodies of ``places``: a UPE and a CAPE each."""
    return [body for place in places for body in (place.upe, place.cape)]


def _day(rng: random.Random, after: date, low: int, high: int) -> date:
    return after + timedelta(days=rng.randint(low, high))


class _Drawer:
    """Draws the case files of one chunk."""

    def __init__(
        self,
        rng: random.Random,
        places: Sequence[Province],
        first_serial: int,
        *,
        families: bool,
    ) -> None:
        self.rng = rng
        self.places = places
        self.families = families
        # Each case file takes at most 7 ids: keep the ids of chunks apart and ordered.
        self.ids = _Ids(rng, first_serial * 8)
        self.chunk = Chunk()

    def case_file(self, serial: int, sequences: dict[tuple[str, int], int]) -> None:
        rng, ids = self.rng, self.ids
        place = self.places[rng.randrange(len(self.places))]
        opened = FIRST_DAY + timedelta(days=rng.randrange(_DAYS))
        child = Child(
            sex=Sex.FEMALE if rng.random() < 0.47 else Sex.MALE,
            birth_date=opened - timedelta(days=rng.randint(30, 17 * 365)),
            given_name=f"Enfant {serial}",
            family_name="Benali",
            residence=place.code,
            id=ids(),
            version=STORED_VERSION,
        )
        family = (
            None
            if not self.families
            else Family(
                members=(
                    FamilyMember(Relation.MOTHER, given_name="Fatima", caregiver=True),
                    FamilyMember(Relation.CHILD, given_name=child.given_name, child_id=child.id),
                ),
                residence=place.code,
                id=ids(),
                version=STORED_VERSION,
            )
        )
        key = (place.code, opened.year)
        sequences[key] = sequences.get(key, 0) + 1
        case = self._case(place, child, family, opened, default_case_number(*key, sequences[key]))
        self.chunk.children.append(child)
        if family is not None:
            self.chunk.families.append(family)
        self.chunk.cases.append(case)
        if case.assessment is not None and case.consent is not None and case.consent.sharing:
            for _ in range(rng.choice(_REFERRALS_PER_CASE)):
                self.chunk.referrals.append(self._referral(place, case))

    def _case(
        self, place: Province, child: Child, family: Family | None, opened: date, number: str
    ) -> Case:
        rng = self.rng
        risk = rng.choice(_RISKS)
        status = CaseStatus.REGISTERED
        assessment = plan = closure = None
        assessed = _day(rng, opened, 0, 40)
        if rng.random() < 0.9 and assessed <= LAST_DAY:
            status = CaseStatus.ASSESSMENT
            assessment = Assessment(on=assessed, by=rng.choice(place.workers), risk=risk)
            drawn_up = _day(rng, assessed, 1, 20)
            if rng.random() < 0.85 and drawn_up <= LAST_DAY:
                approved = _day(rng, drawn_up, 0, 5)
                plan = CasePlan(
                    drawn_up_on=drawn_up,
                    goals=(
                        Goal(
                            "Réinscrire l'enfant à l'école et suivre son assiduité.",
                            rng.choice(place.workers),
                            _day(rng, drawn_up, 30, 180),
                            ServiceType.EDUCATION,
                        ),
                    ),
                    approval=Approval("Superviseur", approved)
                    if risk is RiskLevel.HIGH or rng.random() < 0.5
                    else None,
                )
                status = rng.choice(
                    (CaseStatus.CASE_PLAN, CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP)
                )
                closed = _day(rng, approved, 20, 300)
                if rng.random() < 0.55 and closed <= LAST_DAY:
                    status = CaseStatus.CLOSED
                    closure = Closure(closed, rng.choice(_REASONS))
        return Case(
            child_id=child.id,
            body_id=place.upe.id,
            territory=place.code,
            opened_on=opened,
            identification=Identification(
                rng.choice(_SOURCES), _day(rng, opened, -7, 0), by_body=place.upe.id
            ),
            status=status,
            risk=risk,
            concerns=frozenset(rng.sample(_CONCERNS, rng.randint(1, 3))),
            family_id=None if family is None else family.id,
            worker_id=None if rng.random() < 0.05 else rng.choice(place.workers),
            number=number,
            consent=Consent(
                opened,
                ConsentGiver.CAREGIVER,
                services=True,
                sharing=rng.random() < 0.92,
                reporting=rng.random() < 0.5,
            ),
            assessment=assessment,
            plan=plan,
            closure=closure,
            id=self.ids(),
            version=STORED_VERSION,
        )

    def _referral(self, place: Province, case: Case) -> Referral:
        rng = self.rng
        assert case.assessment is not None
        last = LAST_DAY if case.closure is None else case.closure.on
        made = min(_day(rng, case.assessment.on, 0, 60), last)
        draw = rng.random()
        if draw < 0.55:
            target = ReferralTarget.to_body(place.cape.id)
        elif draw < 0.85:
            target = ReferralTarget.to_programme(rng.choice(_PROGRAMMES))
        else:
            target = ReferralTarget.to_judicial_authority()
        statuses = _OPEN_REFERRAL_STATUSES if case.closure is None else _CLOSED_REFERRAL_STATUSES
        status = rng.choice(statuses)
        responded = _day(rng, made, 0, 30)
        answered = status in {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED} or (
            status is not ReferralStatus.PENDING and rng.random() < 0.7
        )
        if answered and responded > last:
            # Not answered yet when the caseload ends: still pending, or cancelled with the case.
            status = ReferralStatus.PENDING if case.closure is None else ReferralStatus.CANCELLED
            answered = False
        finished = status in {ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}
        if status is ReferralStatus.COMPLETED and not answered:
            answered, responded = True, made
        closed = min(_day(rng, responded if answered else made, 0, 60), last)
        return Referral(
            case_id=case.id,
            from_body=place.upe.id,
            target=target,
            service=rng.choice(_SERVICES),
            made_on=made,
            urgency=rng.choice(_URGENCIES),
            status=status,
            response_due=None if rng.random() < 0.2 else _day(rng, made, 3, 15),
            responded_on=responded if answered else None,
            rejection_reason="Service saturé ce trimestre."
            if status is ReferralStatus.REJECTED
            else None,
            closed_on=closed if finished else None,
            id=self.ids(),
            version=STORED_VERSION,
        )


def caseload(
    cases: int,
    *,
    seed: int = 2026,
    chunk: int = 10_000,
    places: Sequence[Province] | None = None,
    families: bool = True,
    sequences: dict[tuple[str, int], int] | None = None,
) -> Iterator[Chunk]:
    """Yield the records of ``cases`` case files, ``chunk`` case files at a time.

    :param cases: how many cases (each with its child, and its household unless told not to).
    :param seed: the same seed gives the same records.
    :param chunk: case files per chunk.
    :param places: the provinces and their bodies (:func:`provinces` of ``seed`` by default).
    :param families: ``False`` leaves the households out (cases then name none).
    :param sequences: filled with the last case sequence used per (province, year).
    """
    places = provinces(seed) if places is None else places
    sequences = {} if sequences is None else sequences
    for start in range(0, cases, chunk):
        rng = random.Random(seed * 1_000_003 + start)
        drawer = _Drawer(rng, places, start, families=families)
        for serial in range(start, min(start + chunk, cases)):
            drawer.case_file(serial, sequences)
        yield drawer.chunk
