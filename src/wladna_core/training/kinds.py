"""The kinds of record of the training programme, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`).  Its
``wladna_record_kinds`` declares the nine kinds of :mod:`wladna_core.training` through the
public hook — programmes, units, materials, sites, sessions, participants, enrolments,
evaluations and support requests — with the values searches filter on and reports group by;
its ``wladna_rules`` hands the store the training rules (:data:`~wladna_core.training.
TRAINING_RULES`), which every store runs on the way in with a
:class:`~wladna_core.training.storage.TrainingStoreContext` that reads the related records
through the unit of work.  SQL stores get the tables through the migrations of
:mod:`wladna_core.training.migrations`, a branch of its own that
:func:`wladna_core.storage.upgrade` applies with the core's.

Searches use the declarations (the names below are stable)::

    with store.unit_of_work() as uow:
        enrolments = uow.repository(ENROLMENT).find(ENROLMENT.query(session_id=session.id))
        salé = uow.repository(SESSION).find(SESSION.query(territory="MA-SAL", mode={"remote"}))

:data:`TRAINING_KINDS` lists them in the order of :data:`~wladna_core.training.
TRAINING_RECORD_TYPES`.  An anonymous evaluation keeps no participant: its ``participant_id``
column is empty, and its id is random (see :mod:`wladna_core.training.evaluations`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.hookspecs import hookimpl
from wladna_core.model import TerritorialBody
from wladna_core.storage.kinds import (
    Field,
    FieldType,
    Filter,
    Index,
    ManyField,
    Match,
    RecordKind,
)
from wladna_core.training.enums import Criterion
from wladna_core.training.evaluations import Evaluation
from wladna_core.training.programmes import TrainingProgramme
from wladna_core.training.rules import TRAINING_RULES
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.storage import TrainingStoreContext
from wladna_core.training.support import SupportRequest
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule

__all__ = [
    "ENROLMENT",
    "EVALUATION",
    "MATERIAL",
    "MIGRATIONS",
    "PARTICIPANT",
    "PROGRAMME",
    "SESSION",
    "SITE",
    "SUPPORT_REQUEST",
    "TRAINING_KINDS",
    "UNIT",
    "score_column",
    "wladna_record_kinds",
    "wladna_rules",
]

#: The package of the Alembic scripts that create the tables of the training kinds.
MIGRATIONS: Final = "wladna_core.training.migrations"

_ID: Final = 36
_TEXT, _CODE, _DATE = FieldType.TEXT, FieldType.CODE, FieldType.DATE
_INTEGER, _BOOLEAN, _TERRITORY = FieldType.INTEGER, FieldType.BOOLEAN, FieldType.TERRITORY
_EQUAL, _ONE_OF, _FROM, _TO = Match.EQUAL, Match.ONE_OF, Match.FROM, Match.TO
_WITHIN, _CONTAINS = Match.WITHIN, Match.CONTAINS


def _id(name: str, get: Any, *, nullable: bool = False, index: bool = True) -> Field:
    return Field(name, _TEXT, get, length=_ID, nullable=nullable, index=index)


def score_column(criterion: Criterion) -> str:
    """Return the column of an evaluation's table holding its rating of ``criterion``."""
    return f"score_{Criterion(criterion).value}"


def _score(criterion: Criterion) -> Field:
    return Field(
        score_column(criterion),
        _INTEGER,
        lambda evaluation: evaluation.score(criterion),
        index=False,
    )


def _gain(enrolment: Enrolment) -> int | None:
    if enrolment.pre_test is None or enrolment.post_test is None:
        return None
    return enrolment.post_test - enrolment.pre_test


def _unit_references(unit: TrainingUnit) -> Iterable[tuple[type, str | None]]:
    return [(Material, material) for material in unit.materials] + [
        (TrainingUnit, other) for other in sorted(unit.prerequisites)
    ]


def _session_references(session: TrainingSession) -> Iterable[tuple[type, str | None]]:
    return [(TrainingUnit, unit) for unit in session.units] + [(SiteLogistics, session.site_id)]


def _enrolment_references(enrolment: Enrolment) -> Iterable[tuple[type, str | None]]:
    return [(TrainingSession, enrolment.session_id), (Participant, enrolment.participant_id)]


def _context(unit_of_work: Any) -> TrainingStoreContext:
    return TrainingStoreContext(unit_of_work)


#: Training programmes and their rollout.
PROGRAMME: Final = RecordKind(
    name="training_programme",
    record_type=TrainingProgramme,
    table="training_programmes",
    fields=(Field("starts_on", _DATE, lambda programme: programme.starts_on, nullable=False),),
    filters={
        "starts_from": Filter("starts_on", _FROM),
        "starts_to": Filter("starts_on", _TO),
    },
    migrations=MIGRATIONS,
    context=_context,
    description="A programme of training for the staff of the bodies, and its rollout.",
)

#: Training units.
UNIT: Final = RecordKind(
    name="training_unit",
    record_type=TrainingUnit,
    table="training_units",
    fields=(
        Field("code", _TEXT, lambda unit: unit.code, length=20, nullable=False),
        Field("delivery", _CODE, lambda unit: unit.delivery, nullable=False),
        Field("duration_hours", _INTEGER, lambda unit: unit.duration_hours, index=False),
    ),
    many=(
        ManyField(
            "subjects", (("subject", _CODE),), lambda unit: [(item,) for item in unit.subjects]
        ),
        ManyField(
            "prerequisites",
            (("unit_id", _TEXT),),
            lambda unit: [(item,) for item in unit.prerequisites],
            length=_ID,
        ),
    ),
    filters={
        "code": Filter("code", _EQUAL),
        "delivery": Filter("delivery", _EQUAL),
        "subject": Filter("subjects", _CONTAINS),
        "prerequisite": Filter("prerequisites", _CONTAINS),
    },
    references=_unit_references,
    migrations=MIGRATIONS,
    context=_context,
    description="A unit of training, with its objectives, prerequisites and educational bag.",
)

#: Materials of the educational bags.
MATERIAL: Final = RecordKind(
    name="training_material",
    record_type=Material,
    table="training_materials",
    fields=(
        Field("kind", _CODE, lambda material: material.kind, nullable=False),
        Field("language", _TEXT, lambda material: material.language, length=35, nullable=False),
        Field("sha256", _TEXT, lambda material: material.sha256, length=64, nullable=False),
        Field("size", _INTEGER, lambda material: material.size, index=False),
    ),
    filters={
        "kind": Filter("kind", _EQUAL),
        "language": Filter("language", _EQUAL),
        "sha256": Filter("sha256", _EQUAL),
    },
    migrations=MIGRATIONS,
    context=_context,
    description="A file of a unit's educational bag: what it is and how to check it.",
)

#: Sites' logistics.
SITE: Final = RecordKind(
    name="training_site",
    record_type=SiteLogistics,
    table="training_sites",
    fields=(
        _id("body_id", lambda site: site.body_id),
        Field("recorded_on", _DATE, lambda site: site.recorded_on, nullable=False),
        Field("seats", _INTEGER, lambda site: site.seats, nullable=False, index=False),
        Field("devices", _INTEGER, lambda site: site.devices, nullable=False, index=False),
        Field("internet", _CODE, lambda site: site.internet, nullable=False),
    ),
    filters={
        "body_id": Filter("body_id", _EQUAL),
        "internet": Filter("internet", _ONE_OF),
        "recorded_from": Filter("recorded_on", _FROM),
        "recorded_to": Filter("recorded_on", _TO),
    },
    references=lambda site: [(TerritorialBody, site.body_id)],
    migrations=MIGRATIONS,
    context=_context,
    description="What a body's premises offer for training: seats, devices, Internet access.",
)

#: Sessions.
SESSION: Final = RecordKind(
    name="training_session",
    record_type=TrainingSession,
    table="training_sessions",
    fields=(
        Field("mode", _CODE, lambda session: session.mode, nullable=False),
        Field("territory", _TERRITORY, lambda session: session.territory, nullable=False),
        Field("first_day", _DATE, lambda session: session.first_day, nullable=False),
        Field("last_day", _DATE, lambda session: session.last_day, nullable=False, index=False),
        Field("day_count", _INTEGER, lambda session: len(session.days), index=False),
        Field("capacity", _INTEGER, lambda session: session.capacity, index=False),
        _id("site_id", lambda session: session.site_id, nullable=True),
        _id("programme_id", lambda session: session.programme_id, nullable=True),
    ),
    many=(
        ManyField(
            "units",
            (("unit_id", _TEXT),),
            lambda session: [(unit,) for unit in session.units],
            length=_ID,
        ),
    ),
    filters={
        "mode": Filter("mode", _ONE_OF),
        "territory": Filter("territory", _WITHIN),
        "starts_from": Filter("first_day", _FROM),
        "starts_to": Filter("first_day", _TO),
        "site_id": Filter("site_id", _EQUAL),
        "programme_id": Filter("programme_id", _EQUAL),
        "unit": Filter("units", _CONTAINS),
    },
    references=_session_references,
    migrations=MIGRATIONS,
    context=_context,
    description="A session of training: its units, mode, days, site and trainers.",
)

#: Participants.
PARTICIPANT: Final = RecordKind(
    name="training_participant",
    record_type=Participant,
    table="training_participants",
    fields=(
        Field("person_id", _TEXT, lambda participant: participant.person_id, length=200),
        _id("body_id", lambda participant: participant.body_id),
        Field("role", _CODE, lambda participant: participant.role, nullable=False),
        Field("institution", _CODE, lambda participant: participant.institution, nullable=False),
    ),
    filters={
        "person_id": Filter("person_id", _EQUAL),
        "body_id": Filter("body_id", _EQUAL),
        "role": Filter("role", _ONE_OF),
        "institution": Filter("institution", _ONE_OF),
    },
    indexes=(Index(("body_id", "role", "id"), name="ix_training_participants_report"),),
    references=lambda participant: [(TerritorialBody, participant.body_id)],
    migrations=MIGRATIONS,
    context=_context,
    description="A member of staff taking part in the programme (no name, no contact).",
)

#: Enrolments, with attendance, completion and test scores.
ENROLMENT: Final = RecordKind(
    name="training_enrolment",
    record_type=Enrolment,
    table="training_enrolments",
    fields=(
        _id("participant_id", lambda enrolment: enrolment.participant_id),
        _id("session_id", lambda enrolment: enrolment.session_id),
        Field("enrolled_on", _DATE, lambda enrolment: enrolment.enrolled_on, nullable=False),
        Field("completed", _BOOLEAN, lambda enrolment: enrolment.completed, nullable=False),
        Field("days_attended", _INTEGER, lambda e: len(e.attended), nullable=False, index=False),
        Field("pre_test", _INTEGER, lambda enrolment: enrolment.pre_test, index=False),
        Field("post_test", _INTEGER, lambda enrolment: enrolment.post_test, index=False),
        Field("score_gain", _INTEGER, _gain, index=False),
    ),
    filters={
        "participant_id": Filter("participant_id", _EQUAL),
        "session_id": Filter("session_id", _EQUAL),
        "completed": Filter("completed", _EQUAL),
        "enrolled_from": Filter("enrolled_on", _FROM),
        "enrolled_to": Filter("enrolled_on", _TO),
    },
    # For the dashboard: each holds what one statement reads.
    indexes=(
        Index(
            ("session_id", "participant_id", "completed", "days_attended"),
            name="ix_training_enrolments_report",
        ),
        Index(("participant_id", "completed", "session_id"), name="ix_training_enrolments_done"),
    ),
    references=_enrolment_references,
    migrations=MIGRATIONS,
    context=_context,
    description="A participant's enrolment in a session: attendance, completion, test scores.",
)

#: Evaluations; an anonymous one keeps no participant.
EVALUATION: Final = RecordKind(
    name="training_evaluation",
    record_type=Evaluation,
    table="training_evaluations",
    fields=(
        _id("session_id", lambda evaluation: evaluation.session_id),
        _id("participant_id", lambda evaluation: evaluation.participant_id, nullable=True),
        Field("preferred_mode", _CODE, lambda evaluation: evaluation.preferred_mode, index=False),
        *(_score(criterion) for criterion in Criterion),
    ),
    many=(
        ManyField("needs", (("need", _CODE),), lambda evaluation: [(n,) for n in evaluation.needs]),
        ManyField(
            "recommendations",
            (("recommendation", _CODE),),
            lambda evaluation: [(item,) for item in evaluation.recommendations],
        ),
    ),
    filters={
        "session_id": Filter("session_id", _EQUAL),
        "participant_id": Filter("participant_id", _EQUAL),
        "need": Filter("needs", _CONTAINS),
        "recommendation": Filter("recommendations", _CONTAINS),
    },
    references=lambda evaluation: [(TrainingSession, evaluation.session_id)],
    migrations=MIGRATIONS,
    context=_context,
    description="A participant's evaluation of a session, anonymous by default.",
)

#: Requests for support.
SUPPORT_REQUEST: Final = RecordKind(
    name="training_support_request",
    record_type=SupportRequest,
    table="training_support_requests",
    fields=(
        Field("topic", _CODE, lambda request: request.topic, nullable=False),
        _id("body_id", lambda request: request.body_id),
        Field("status", _CODE, lambda request: request.status, nullable=False),
        Field("opened_on", _DATE, lambda request: request.opened_on, nullable=False),
        _id("unit_id", lambda request: request.unit_id, nullable=True),
        Field("requester_id", _TEXT, lambda request: request.requester_id, length=200),
    ),
    filters={
        "topic": Filter("topic", _ONE_OF),
        "body_id": Filter("body_id", _EQUAL),
        "status": Filter("status", _ONE_OF),
        "opened_from": Filter("opened_on", _FROM),
        "opened_to": Filter("opened_on", _TO),
        "unit_id": Filter("unit_id", _EQUAL),
        "requester_id": Filter("requester_id", _EQUAL),
    },
    references=lambda request: [
        (TerritorialBody, request.body_id),
        (TrainingUnit, request.unit_id),
    ],
    migrations=MIGRATIONS,
    context=_context,
    description="A user's request for help, pointing to the unit that covers its topic.",
)

#: The kinds of the training programme, in the order of ``TRAINING_RECORD_TYPES``.
TRAINING_KINDS: Final[tuple[RecordKind[Any], ...]] = (
    PROGRAMME,
    UNIT,
    MATERIAL,
    SITE,
    SESSION,
    PARTICIPANT,
    ENROLMENT,
    EVALUATION,
    SUPPORT_REQUEST,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kinds of record of the training programme."""
    return TRAINING_KINDS


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the training rules, which every store runs on the training records."""
    return TRAINING_RULES
