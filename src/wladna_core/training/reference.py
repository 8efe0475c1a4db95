"""A reference programme shaped like the ministry's 2020 training programme, with its sources.

:func:`reference_programme` returns a programme, its units and its sessions, built from what
public sources say of the training programme that accompanied the launch of the territorial
bodies ("Wladna") and of the programme announced after it for the use of the information base.
It serves as demonstration data and as a realistic example in tests and documentation; it is
**not** an official record.

What the sources say (checked against stored copies of the pages named):

- The ministry's page on the closing of the programme (social.gov.ma, closing session of
  2 April 2021, in French and English): the programme was **launched on 8 June 2020**, ran over
  **11 months** on a **distance-learning platform**, had **13 sessions** (10 on child protection
  and the support of children in street situations, 3 on steering the territorial bodies),
  reached **about 80 participants per session** over **26 days of training**, for the staff of
  the child protection support centres (CAPE) of Tanger, Salé, Meknès, Casablanca-Anfa,
  Marrakech, Agadir and Laâyoune, within the **8 pilot provinces**.  Its evaluation covered
  attendance, satisfaction with the modules, the trainers, the relevance of the content and its
  understanding.  The same page announces a **training and support programme in the use of the
  information base**, "ready to be used after the end of the **test phase in Salé**", with an
  **educational bag** per training unit, the choice of what can be given **remotely** and what
  needs **physical attendance**, and the **logistical capacity** (devices, Internet access) to
  develop; and that future courses will follow the **needs and recommendations** expressed in
  the evaluations.
- Infomediaire (June 2020), on the launch: the programme is supervised by the ministry **in
  cooperation with the European Union and UNICEF**, launched at a ceremony in Rabat, its first
  step being the prefecture of **Tanger-Assilah**; it was then announced as ten sessions in
  fifteen modules, given by ministry staff and eight Moroccan and foreign experts of the EU and
  UNICEF.
- maroc.ma (MAP, 26 December 2020), on the opening of Agadir's CAPE: the first phase of the
  programme covers **eight cities**: Rabat, Salé, Agadir, Casablanca, Tanger, Marrakech, Meknès
  and Laâyoune.

**Unverified** (no public source was found in the stored copies): that the information base
programme reaches the child protection support centres of **ten regions in 2021**, and which
regions they are (the ten listed here are an arbitrary illustration: every region but
Guelmim-Oued Noun, MA-10, and Dakhla-Oued Ed-Dahab, MA-12); the dates of the
phases and of each session (the 13 sessions are spread over the 11 months, two days each, which
gives the 26 days); the hours per day; the titles, objectives and durations of the units.

Sources:

- https://social.gov.ma/madame-el-moussali-preside-la-cloture-des-sessions-de-formation-pour-laccompagnement-du-lancement-du-programme-wladna-a-legard-des-dispositifs-territoriaux-integres-pour-la-pr
- https://social.gov.ma/mrs-el-moussali-chairs-the-closing-of-the-training-program-sessions-to-keep-pace-with-the-launch-of-the-wladna-program-for-the-integrated-territorial-bodies-for-child-protection/
- https://www.infomediaire.net/protection-de-lenfance-lancement-au-maroc-dun-programme-de-formation-pour-laccompagnement-des-dti/
- https://www.maroc.ma/fr/actualites/agadir-ouverture-du-centre-daccompagnement-pour-la-protection-de-lenfance

>>> reference = reference_programme()
>>> reference.programme.starts_on.isoformat(), reference.programme.partners
('2020-06-08', ('European Union', 'UNICEF'))
>>> len(reference.sessions), sum(len(s.days) for s in reference.sessions)
(13, 26)
>>> [phase.name for phase in reference.programme.phases]
['Salé test phase', 'Pilot cities', 'Child protection support centres of ten regions']
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Final

import attrs

from wladna_core.model import BodyKind
from wladna_core.training.enums import (
    Delivery,
    Sector,
    SessionMode,
    StaffRole,
    Subject,
)
from wladna_core.training.programmes import RolloutPhase, TrainingProgramme
from wladna_core.training.sessions import Trainer, TrainingSession
from wladna_core.training.units import TrainingUnit

__all__ = ["PILOT_PROVINCES", "SOURCES", "ReferenceProgramme", "reference_programme"]

#: The pilot provinces and prefectures of the territorial bodies (maroc.ma, December 2020).
PILOT_PROVINCES: Final = (
    "MA-RAB",
    "MA-SAL",
    "MA-AGD",
    "MA-CAS",
    "MA-TNG",
    "MA-MAR",
    "MA-MEK",
    "MA-LAA",
)
#: Ten regions, for the phase whose regions no source names (illustration, unverified).
_TEN_REGIONS: Final = tuple(f"MA-{number:02d}" for number in range(1, 12) if number != 10)
#: The pages the reference programme is drawn from.
SOURCES: Final = (
    "https://social.gov.ma/madame-el-moussali-preside-la-cloture-des-sessions-de-formation-pour-"
    "laccompagnement-du-lancement-du-programme-wladna-a-legard-des-dispositifs-territoriaux-"
    "integres-pour-la-pr",
    "https://social.gov.ma/mrs-el-moussali-chairs-the-closing-of-the-training-program-sessions-to-"
    "keep-pace-with-the-launch-of-the-wladna-program-for-the-integrated-territorial-bodies-for-"
    "child-protection/",
    "https://www.infomediaire.net/protection-de-lenfance-lancement-au-maroc-dun-programme-de-"
    "formation-pour-laccompagnement-des-dti/",
    "https://www.maroc.ma/fr/actualites/agadir-ouverture-du-centre-daccompagnement-pour-la-"
    "protection-de-lenfance",
)
_NOTE: Final = (
    "Shaped like the ministry's 2020 programme: launched on 8 June 2020 with the European Union "
    "and UNICEF, 13 remote sessions over 26 days, about 80 participants each (social.gov.ma, "
    "closing of 2 April 2021; Infomediaire, June 2020). The Salé test phase is the information "
    "base's (social.gov.ma). Unverified: the ten regions of 2021, the dates of phases and "
    "sessions, the units' titles and durations. Sources: " + " ; ".join(SOURCES)
)

# Fixed ids, so that the reference data is the same at every call (UUID version 5 of a name).
_NAMESPACE: Final = uuid.UUID("6f1c2d1e-8b0a-5c4e-9a51-3d2b7f0e4c11")


def _id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


@attrs.frozen
class ReferenceProgramme:
    """The reference programme, its units and its sessions.

    :param programme: the programme, with its rollout phases.
    :param units: its units: child protection and street children, steering of the bodies,
        and the information base.
    :param sessions: the 13 remote sessions of two days, 80 places each.
    """

    programme: TrainingProgramme
    units: tuple[TrainingUnit, ...]
    sessions: tuple[TrainingSession, ...]


def _units() -> tuple[TrainingUnit, ...]:
    protection = TrainingUnit(
        id=_id("unit:protection"),
        code="PE-RUE",
        title_ar="حماية الطفولة ومواكبة الأطفال في وضعية الشارع",
        title_fr="Protection de l'enfance et accompagnement des enfants en situation de rue",
        duration_hours=12,
        delivery=Delivery.REMOTE_CAPABLE,
        objectives=(
            "Identify and assess a child at risk, in the street or elsewhere.",
            "Protect children from violence and exploitation, with the other sectors.",
        ),
        subjects=frozenset(
            {
                Subject.STREET_CHILDREN,
                Subject.VIOLENCE_AND_EXPLOITATION,
                Subject.CASE_MANAGEMENT,
                Subject.LEGAL_FRAMEWORK,
            }
        ),
    )
    steering = TrainingUnit(
        id=_id("unit:steering"),
        code="DTIPE-PIL",
        title_ar="قيادة الأجهزة الترابية المندمجة لحماية الطفولة",
        title_fr="Pilotage des dispositifs territoriaux intégrés de protection de l'enfance",
        duration_hours=12,
        delivery=Delivery.REMOTE_CAPABLE,
        objectives=("Steer a provincial committee and its support centre.",),
        subjects=frozenset({Subject.BODY_STEERING, Subject.REFERRAL_CIRCUIT}),
    )
    information_base = TrainingUnit(
        id=_id("unit:information-base"),
        code="BI-01",
        title_ar="استعمال قاعدة المعطيات الخاصة بحماية الطفولة",
        title_fr="Utilisation de la base d'information de la protection de l'enfance",
        duration_hours=12,
        delivery=Delivery.REMOTE_CAPABLE,
        hands_on=True,
        objectives=("Record, follow up and refer a case in the information base.",),
        subjects=frozenset({Subject.INFORMATION_BASE, Subject.DATA_PROTECTION}),
        prerequisites=frozenset({_id("unit:protection")}),
    )
    return (protection, steering, information_base)


def _sessions(units: tuple[TrainingUnit, ...]) -> tuple[TrainingSession, ...]:
    protection, steering, _ = units
    trainers = (
        Trainer(name="Ministry training team", institution="Ministry", sector=Sector.MINISTRY),
        Trainer(
            name="EU and UNICEF experts",
            institution="European Union and UNICEF",
            sector=Sector.INTERNATIONAL_PARTNER,
        ),
    )
    sessions: list[TrainingSession] = []
    first = date(2020, 6, 8)
    # 13 sessions from 8 June 2020 to before the closing of 2 April 2021, every 24 days:
    # illustrative dates.
    for number in range(13):
        start = first + timedelta(days=24 * number)
        unit = protection if number < 10 else steering
        sessions.append(
            TrainingSession(
                id=_id(f"session:{number + 1}"),
                units=(unit.id,),
                mode=SessionMode.REMOTE,
                days=(start, start + timedelta(days=1)),
                territory="MA",
                capacity=80,
                trainers=trainers,
                programme_id=_id("programme:2020"),
            )
        )
    return tuple(sessions)


def reference_programme() -> ReferenceProgramme:
    """Return the reference programme (see the module's documentation for its sources)."""
    units = _units()
    programme = TrainingProgramme(
        id=_id("programme:2020"),
        title="Programme de formation pour l'accompagnement du programme Wladna (DTIPE)",
        starts_on=date(2020, 6, 8),
        partners=("European Union", "UNICEF"),
        target_body_kinds=frozenset({BodyKind.CPPE, BodyKind.CAPE, BodyKind.ASSOCIATION}),
        target_roles=frozenset(
            {StaffRole.CASE_WORKER, StaffRole.SOCIAL_WORKER, StaffRole.BODY_COORDINATOR}
        ),
        phases=(
            RolloutPhase(
                name="Salé test phase",
                territories=frozenset({"MA-SAL"}),
                starts_on=date(2020, 6, 8),
                ends_on=date(2020, 12, 31),
            ),
            RolloutPhase(
                name="Pilot cities",
                territories=frozenset(PILOT_PROVINCES),
                starts_on=date(2021, 1, 1),
                ends_on=date(2021, 4, 2),
            ),
            RolloutPhase(
                name="Child protection support centres of ten regions",
                territories=frozenset(_TEN_REGIONS),
                starts_on=date(2021, 4, 3),
                ends_on=date(2021, 12, 31),
            ),
        ),
        note=_NOTE,
    )
    return ReferenceProgramme(programme=programme, units=units, sessions=_sessions(units))
