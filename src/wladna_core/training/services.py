"""The training services: what an application of the training programme calls, for one actor.

:class:`TrainingWork` (``TrainingWork(wladna, actor)``) records programmes, units, materials,
sites, sessions, participants, enrolments, attendance, results, evaluations and requests for
support, and reads them back, in the same order of steps as the casework services
(:mod:`wladna_core.services`): open a unit of work and read what is needed; check access — the
roles below, then the ``wladna_authorize`` plug-ins, which see every training action
(``training.session.record``...) and record; store the record (the store runs the training
rules and refuses it whole with :class:`~wladna_core.errors.InvalidRecord`); append the audit
entries in the same unit of work and commit.  A refusal raises
:class:`~wladna_core.access.AccessDenied` and is audited.

Who may do what:

* a **training coordinator** (:attr:`~wladna_core.access.Role.TRAINING_COORDINATOR`) records
  everything and reads everything, except who wrote an anonymous evaluation, which nothing
  keeps;
* **every other actor is a participant**: they read their own participant records (those whose
  ``person_id`` is their id), their own enrolments and the evaluations they signed; they submit
  evaluations of the sessions they are enrolled in; they ask for support for a body they belong
  to, and read the requests they made;
* a **national analyst** also reads the next-cycle analysis (aggregates only).

A record the actor may not see is refused exactly as one that does not exist
(:data:`~wladna_core.access.NOT_IN_SCOPE`).

**Anonymous evaluations.**  :meth:`TrainingWork.submit_evaluation` of an evaluation without a
``participant_id`` stores nothing that names its author, and writes one audit entry that names
no one either: its actor is :data:`ANONYMOUS_ACTOR`, it has no record id and no version, and its
time is the start of the day (UTC) rather than the moment; the checks that the author is
enrolled read the store without being audited, so that no entry of the author's sits beside it.
See ``docs/training.md`` for the whole guarantee and its limits.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from wladna_core.access import AccessDenied, Actor, Role, refusal_draft, unseen_refusal
from wladna_core.audit import AuditDraft
from wladna_core.errors import Violation
from wladna_core.services import Outcome
from wladna_core.storage import NotFound
from wladna_core.training.analysis import next_cycle
from wladna_core.training.evaluations import Evaluation
from wladna_core.training.kinds import (
    ENROLMENT,
    EVALUATION,
    PARTICIPANT,
    SUPPORT_REQUEST,
)
from wladna_core.training.programmes import TrainingProgramme
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.support import SupportRequest, units_covering
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import date

    from wladna_core.app import Wladna
    from wladna_core.model import TerritoryLevel
    from wladna_core.storage import UnitOfWork
    from wladna_core.training.analysis import NextCycle

__all__ = ["ANONYMOUS_ACTOR", "TrainingAction", "TrainingWork"]

#: The actor the audit trail names for an anonymous evaluation: no one.
ANONYMOUS_ACTOR: Final = "anonymous"

T = TypeVar("T")
_Record = TypeVar(
    "_Record",
    TrainingProgramme,
    TrainingUnit,
    Material,
    SiteLogistics,
    TrainingSession,
    Participant,
    Enrolment,
    Evaluation,
    SupportRequest,
)


class TrainingAction(enum.StrEnum):
    """What an actor asks of the training services; the ``action`` of ``wladna_authorize``."""

    PROGRAMME_RECORD = "training.programme.record"
    UNIT_RECORD = "training.unit.record"
    MATERIAL_RECORD = "training.material.record"
    SITE_RECORD = "training.site.record"
    SESSION_RECORD = "training.session.record"
    PARTICIPANT_REGISTER = "training.participant.register"
    PARTICIPANT_READ = "training.participant.read"
    ENROLMENT_RECORD = "training.enrolment.record"
    ENROLMENT_READ = "training.enrolment.read"
    EVALUATION_SUBMIT = "training.evaluation.submit"
    EVALUATION_READ = "training.evaluation.read"
    SUPPORT_REQUEST = "training.support.request"
    SUPPORT_UPDATE = "training.support.update"
    SUPPORT_READ = "training.support.read"
    ANALYSIS_READ = "training.analysis.read"


_COORDINATOR: Final = frozenset({Role.TRAINING_COORDINATOR})
_ANALYSTS: Final = frozenset({Role.TRAINING_COORDINATOR, Role.NATIONAL_ANALYST})


@attrs.define
class _Work:
    drafts: list[AuditDraft] = attrs.Factory(list)
    warnings: list[Violation] = attrs.Factory(list)
    at: datetime | None = None


class TrainingWork:
    """The training services for one actor; every call is checked and audited.

    :param wladna: the application (:class:`~wladna_core.Wladna`).
    :param actor: who acts.
    """

    def __init__(self, wladna: Wladna, actor: Actor) -> None:
        if not isinstance(actor, Actor):  # a guard for callers without type checks
            msg = f"TrainingWork needs an Actor, got {type(actor).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        self.wladna = wladna
        self.actor = actor

    def __repr__(self) -> str:
        return f"<TrainingWork for {self.actor}>"

    @property
    def settings(self) -> TrainingSettings:
        """The deployment's training settings (its ``training`` setting)."""
        return TrainingSettings.from_settings(self.wladna.settings)

    @property
    def is_coordinator(self) -> bool:
        """Whether the actor coordinates the training programme."""
        return self.actor.has(_COORDINATOR)

    # --- plumbing ------------------------------------------------------------------------------

    def _draft(self, action: TrainingAction, record: object) -> AuditDraft:
        return AuditDraft(
            actor_id=self.actor.id,
            action=action.value,
            record_type=type(record).__name__,
            record_id=getattr(record, "id", None),
            version=getattr(record, "version", None),
        )

    def _run(self, body: Callable[[UnitOfWork, _Work], T]) -> tuple[T, _Work]:
        work = _Work()
        try:
            with self.wladna.store.unit_of_work() as uow:
                result = body(uow, work)
                work.warnings.extend(uow.warnings)
                uow.audit.append(work.drafts, at=work.at or self.wladna.now())
        except AccessDenied as denied:
            self._audit_refusal(denied)
            raise
        return result, work

    def _write(self, body: Callable[[UnitOfWork, _Work], T]) -> Outcome[T]:
        record, work = self._run(body)
        return Outcome(record=record, warnings=tuple(work.warnings))

    def _read(self, body: Callable[[UnitOfWork, _Work], T]) -> T:
        return self._run(body)[0]

    def _audit_refusal(self, denied: AccessDenied) -> None:
        draft = refusal_draft(denied)
        with self.wladna.store.unit_of_work() as uow:
            uow.audit.append([draft], at=self.wladna.now())

    def _deny(self, action: TrainingAction, record: object, reason: str) -> AccessDenied:
        kind = type(record).__name__
        record_id = getattr(record, "id", None) or None
        label = f"{kind} {record_id}" if record_id else f"a {kind.lower()}"
        return AccessDenied(
            self.actor.id, action.value, label, reason, record_type=kind, record_id=record_id
        )

    def _unseen(self, action: TrainingAction, kind: str, record_id: str) -> AccessDenied:
        return unseen_refusal(self.actor.id, action.value, kind, record_id)

    def _require(
        self,
        action: TrainingAction,
        record: object,
        *,
        allowed: bool,
        work: _Work,
        reason: str | None = None,
    ) -> None:
        """Check the roles' answer (``allowed``), then the ``wladna_authorize`` plug-ins."""
        if not allowed:
            raise self._deny(action, record, reason or self._roles_reason(action))
        refused, cautions = self.wladna.policy.plugins_check(self.actor, action.value, record)
        if refused is not None:
            raise self._deny(action, record, refused)
        work.warnings.extend(cautions)

    @staticmethod
    def _roles_reason(action: TrainingAction) -> str:
        roles = _ANALYSTS if action is TrainingAction.ANALYSIS_READ else _COORDINATOR
        return f"the action needs one of the roles {', '.join(sorted(roles))}"

    def _get(
        self, uow: UnitOfWork, kind: type[_Record], record_id: str, action: TrainingAction
    ) -> _Record:
        try:
            return uow.repository(kind).get(record_id)
        except NotFound:
            raise self._unseen(action, kind.__name__, record_id) from None

    def _own_participants(self, uow: UnitOfWork) -> list[Participant]:
        return uow.repository(PARTICIPANT).find(PARTICIPANT.query(person_id=self.actor.id))

    # --- what the coordinator records -------------------------------------------------------

    def _save(self, action: TrainingAction, record: _Record) -> Outcome[_Record]:
        def run(uow: UnitOfWork, work: _Work) -> _Record:
            self._require(action, record, allowed=self.is_coordinator, work=work)
            repository = uow.repository(type(record))
            saved = repository.add(record) if record.version == 0 else repository.update(record)
            work.drafts.append(self._draft(action, saved))
            return saved

        return self._write(run)

    def record_programme(self, programme: TrainingProgramme) -> Outcome[TrainingProgramme]:
        """Record a programme, or a change to one (``version`` as read); coordinators only."""
        return self._save(TrainingAction.PROGRAMME_RECORD, programme)

    def record_unit(self, unit: TrainingUnit) -> Outcome[TrainingUnit]:
        """Record a training unit, or a change to one; coordinators only."""
        return self._save(TrainingAction.UNIT_RECORD, unit)

    def record_material(self, material: Material) -> Outcome[Material]:
        """Record a material of an educational bag, or a change to one; coordinators only."""
        return self._save(TrainingAction.MATERIAL_RECORD, material)

    def record_site(self, site: SiteLogistics) -> Outcome[SiteLogistics]:
        """Record a survey of a site's logistics; coordinators only."""
        return self._save(TrainingAction.SITE_RECORD, site)

    def record_session(self, session: TrainingSession) -> Outcome[TrainingSession]:
        """Record a session, or a change to one; coordinators only."""
        return self._save(TrainingAction.SESSION_RECORD, session)

    def register_participant(self, participant: Participant) -> Outcome[Participant]:
        """Register a member of staff as a participant, or change one; coordinators only."""
        return self._save(TrainingAction.PARTICIPANT_REGISTER, participant)

    def enrol(
        self, participant_id: str, session_id: str, *, on: date | None = None
    ) -> Outcome[Enrolment]:
        """Enrol a participant in a session on ``on`` (today by default); coordinators only."""
        day = self.wladna.today() if on is None else on
        return self._save(
            TrainingAction.ENROLMENT_RECORD, Enrolment(participant_id, session_id, day)
        )

    def _change_enrolment(
        self, enrolment_id: str, change: Callable[[Enrolment], Enrolment]
    ) -> Outcome[Enrolment]:
        action = TrainingAction.ENROLMENT_RECORD

        def run(uow: UnitOfWork, work: _Work) -> Enrolment:
            if not self.is_coordinator:
                raise self._unseen(action, "Enrolment", enrolment_id)
            stored = self._get(uow, Enrolment, enrolment_id, action)
            self._require(action, stored, allowed=True, work=work)
            saved = uow.repository(Enrolment).update(change(stored))
            work.drafts.append(self._draft(action, saved))
            return saved

        return self._write(run)

    def record_attendance(self, enrolment_id: str, days: Iterable[date]) -> Outcome[Enrolment]:
        """Add ``days`` to the days the participant attended; coordinators only."""
        added = frozenset(days)
        return self._change_enrolment(
            enrolment_id, lambda stored: attrs.evolve(stored, attended=stored.attended | added)
        )

    def record_result(
        self,
        enrolment_id: str,
        *,
        completed: bool,
        pre_test: int | None = None,
        post_test: int | None = None,
    ) -> Outcome[Enrolment]:
        """Record whether the participant completed the session, and their test scores.

        A score left ``None`` keeps the one recorded.  Coordinators only; completion without
        enough attendance is refused by rule ``training.completion_without_attendance``.
        """

        def change(stored: Enrolment) -> Enrolment:
            return attrs.evolve(
                stored,
                completed=completed,
                pre_test=stored.pre_test if pre_test is None else pre_test,
                post_test=stored.post_test if post_test is None else post_test,
            )

        return self._change_enrolment(enrolment_id, change)

    # --- what a participant sees ------------------------------------------------------------

    def participants(self, *, body_id: str | None = None) -> list[Participant]:
        """Return the participants the actor sees: all for a coordinator, else their own.

        Each record returned is audited as read.
        """
        action = TrainingAction.PARTICIPANT_READ

        def run(uow: UnitOfWork, work: _Work) -> list[Participant]:
            if self.is_coordinator:
                found = uow.repository(PARTICIPANT).find(PARTICIPANT.query(body_id=body_id))
            else:
                found = [
                    record
                    for record in self._own_participants(uow)
                    if body_id is None or record.body_id == body_id
                ]
            shown = [record for record in found if self._may_read(action, record, work)]
            work.drafts.extend(self._draft(action, record) for record in shown)
            return shown

        return self._read(run)

    def _may_read(self, action: TrainingAction, record: object, work: _Work) -> bool:
        refused, cautions = self.wladna.policy.plugins_check(self.actor, action.value, record)
        work.warnings.extend(cautions)
        return refused is None

    def enrolments(
        self, *, participant_id: str | None = None, session_id: str | None = None
    ) -> list[Enrolment]:
        """Return the enrolments the actor sees (a coordinator's all, a participant's own)."""
        action = TrainingAction.ENROLMENT_READ

        def run(uow: UnitOfWork, work: _Work) -> list[Enrolment]:
            query = ENROLMENT.query(participant_id=participant_id, session_id=session_id)
            repository = uow.repository(ENROLMENT)
            if self.is_coordinator:
                found = repository.find(query)
            else:
                found = [
                    enrolment
                    for own in self._own_participants(uow)
                    if participant_id is None or own.id == participant_id
                    for enrolment in repository.find(
                        ENROLMENT.query(participant_id=own.id, session_id=session_id)
                    )
                ]
            shown = [record for record in found if self._may_read(action, record, work)]
            work.drafts.extend(self._draft(action, record) for record in shown)
            return shown

        return self._read(run)

    def enrolment(self, enrolment_id: str) -> Enrolment:
        """Return one enrolment: a coordinator's any, a participant's their own.

        :raises AccessDenied: for an enrolment the actor does not see, exactly as for one
            that does not exist.
        """
        action = TrainingAction.ENROLMENT_READ

        def run(uow: UnitOfWork, work: _Work) -> Enrolment:
            try:
                stored = uow.repository(Enrolment).get(enrolment_id)
            except NotFound:
                raise self._unseen(action, "Enrolment", enrolment_id) from None
            own = {record.id for record in self._own_participants(uow)}
            if not self.is_coordinator and stored.participant_id not in own:
                raise self._unseen(action, "Enrolment", enrolment_id)
            self._require(action, stored, allowed=True, work=work)
            work.drafts.append(self._draft(action, stored))
            return stored

        return self._read(run)

    # --- evaluations ------------------------------------------------------------------------

    def submit_evaluation(self, evaluation: Evaluation) -> Outcome[Evaluation]:
        """Submit the actor's evaluation of a session they are enrolled in.

        Without ``participant_id`` (the default) the evaluation is anonymous: nothing stored
        names its author, and its audit entry names no one (see the module's documentation).
        A signed evaluation names one of the actor's own participant records.

        :raises AccessDenied: if the actor is not enrolled in the session, or signs with a
            participant record not theirs; refused like a session that does not exist.
        """
        action = TrainingAction.EVALUATION_SUBMIT

        def run(uow: UnitOfWork, work: _Work) -> Evaluation:
            # Read without an audit entry: an entry of the author's beside the anonymous one
            # would tell who wrote it.
            own = {record.id for record in self._own_participants(uow)}
            enrolled = {
                enrolment.participant_id
                for participant_id in own
                for enrolment in uow.repository(ENROLMENT).find(
                    ENROLMENT.query(participant_id=participant_id, session_id=evaluation.session_id)
                )
            }
            signed = evaluation.participant_id
            if not enrolled or (signed is not None and signed not in enrolled):
                raise self._unseen(action, "TrainingSession", evaluation.session_id)
            self._require(action, evaluation, allowed=True, work=work)
            saved = uow.repository(Evaluation).add(evaluation)
            if saved.is_anonymous:
                work.drafts.append(
                    AuditDraft(
                        actor_id=ANONYMOUS_ACTOR,
                        action=action.value,
                        record_type="Evaluation",
                        record_id=None,
                        version=None,
                    )
                )
                work.at = datetime.combine(self.wladna.now().date(), time(), tzinfo=UTC)
            else:
                work.drafts.append(self._draft(action, saved))
            return saved

        return self._write(run)

    def evaluations(self, *, session_id: str | None = None) -> list[Evaluation]:
        """Return the evaluations the actor sees, in the order of their (random) ids.

        A coordinator sees every evaluation, an anonymous one without any author; a
        participant sees the evaluations they signed.  Reading evaluations is audited as one
        entry per evaluation, naming it; an anonymous evaluation's entry tells who read it,
        never who wrote it.
        """
        action = TrainingAction.EVALUATION_READ

        def run(uow: UnitOfWork, work: _Work) -> list[Evaluation]:
            repository = uow.repository(EVALUATION)
            if self.is_coordinator:
                found = repository.find(EVALUATION.query(session_id=session_id))
            else:
                found = [
                    evaluation
                    for own in self._own_participants(uow)
                    for evaluation in repository.find(
                        EVALUATION.query(participant_id=own.id, session_id=session_id)
                    )
                ]
            shown = sorted(
                (record for record in found if self._may_read(action, record, work)),
                key=_record_id,
            )
            work.drafts.extend(self._draft(action, record) for record in shown)
            return shown

        return self._read(run)

    def next_cycle(self, *, level: TerritoryLevel | None = None) -> NextCycle:
        """Return the next-cycle analysis of every evaluation (small groups suppressed).

        Training coordinators and national analysts; audited as one read of the analysis.
        """
        action = TrainingAction.ANALYSIS_READ

        def run(uow: UnitOfWork, work: _Work) -> NextCycle:
            analysis = TrainingAnalysis()
            self._require(action, analysis, allowed=self.actor.has(_ANALYSTS), work=work)
            result = next_cycle(
                uow.repository(Evaluation).iter(),
                uow.repository(TrainingSession).iter(),
                settings=self.settings,
                level=level,
                gazetteer=self.wladna.store.gazetteer,
            )
            work.drafts.append(self._draft(action, analysis))
            return result

        return self._read(run)

    # --- support ----------------------------------------------------------------------------

    def request_support(self, request: SupportRequest) -> Outcome[SupportRequest]:
        """Ask for support for a body the actor belongs to (a coordinator: for any body).

        The request is recorded as the actor's (``requester_id``), and points to the shortest
        unit covering its topic when it names none.
        """
        action = TrainingAction.SUPPORT_REQUEST

        def run(uow: UnitOfWork, work: _Work) -> SupportRequest:
            allowed = self.is_coordinator or request.body_id in self.actor.bodies
            self._require(
                action,
                request,
                allowed=allowed,
                work=work,
                reason="the actor asks for support for a body they belong to",
            )
            filled = request
            if request.requester_id is None and not self.is_coordinator:
                filled = attrs.evolve(filled, requester_id=self.actor.id)
            if filled.unit_id is None:
                covering = units_covering(filled.topic, uow.repository(TrainingUnit).iter())
                if covering:
                    filled = attrs.evolve(filled, unit_id=covering[0].id)
            saved = uow.repository(SupportRequest).add(filled)
            work.drafts.append(self._draft(action, saved))
            return saved

        return self._write(run)

    def update_support_request(self, request: SupportRequest) -> Outcome[SupportRequest]:
        """Save a change to a request (its status, its resolution); coordinators only."""
        return self._save(TrainingAction.SUPPORT_UPDATE, request)

    def support_requests(self, *, open_only: bool = False) -> list[SupportRequest]:
        """Return the requests the actor sees: a coordinator's all, another's their own."""
        action = TrainingAction.SUPPORT_READ

        def run(uow: UnitOfWork, work: _Work) -> list[SupportRequest]:
            statuses = None if not open_only else {"open", "in_progress"}
            requester = None if self.is_coordinator else self.actor.id
            query = SUPPORT_REQUEST.query(status=statuses, requester_id=requester)
            found = uow.repository(SUPPORT_REQUEST).find(query)
            shown = [record for record in found if self._may_read(action, record, work)]
            work.drafts.extend(self._draft(action, record) for record in shown)
            return shown

        return self._read(run)


class TrainingAnalysis:
    """The stand-in for the next-cycle analysis in access checks and the audit trail."""

    id = None


def _record_id(record: Any) -> str:
    return str(record.id)
