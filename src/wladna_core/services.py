"""The casework services: what a case-management application calls, for one actor.

:meth:`wladna_core.Wladna.as_actor` returns a :class:`CaseWork` for an
:class:`~wladna_core.access.Actor`.  Every service does the same things in the same order:

1. open a unit of work and read the records it needs;
2. check access (:class:`~wladna_core.access.AccessPolicy`: the built-in role policy, then the
   ``wladna_authorize`` plug-ins) — a refusal raises :class:`~wladna_core.access.AccessDenied`,
   writes nothing but the refusal's audit entry;
3. run the workflow's pure transition (:mod:`wladna_core.workflow`), which refuses an illegal
   step with a :class:`~wladna_core.workflow.TransitionRefused`;
4. store the result — the store validates it against every rule and refuses it whole with
   :class:`~wladna_core.errors.InvalidRecord`;
5. append the audit entries (one per change and per read of personal data) in the same unit of
   work, and commit;
6. only then announce the events to the ``wladna_case_event`` plug-ins.

Writes return an :class:`Outcome`: the saved record, the warnings found on the way (rules of
warning severity, ``referral.programme_ineligible``...), the events, and the plug-ins that
failed to hear of them.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, Generic, TypeVar

import attrs

from wladna_core import workflow
from wladna_core.access import (
    MEMBER_ROLES,
    AccessDenied,
    Action,
    Actor,
    LimitedCase,
    LimitedChild,
    Role,
    View,
    case_view,
    limited_case,
    query_selects,
    refusal_draft,
    refused_unseen,
    unseen_refusal,
)
from wladna_core.audit import DETAIL_MAX, AuditDraft, storable
from wladna_core.deadlines import OverdueItem, overdue, response_due
from wladna_core.duplicates import review as duplicates
from wladna_core.errors import SettingsError, Severity, Violation, WladnaError
from wladna_core.messages import Message, Text, render
from wladna_core.model import (
    Approval,
    Assessment,
    Case,
    CasePlan,
    CaseStatus,
    Child,
    Closure,
    ClosureReason,
    Consent,
    ConsentGiver,
    ConsentOverride,
    ConsentWithdrawal,
    Family,
    FollowUp,
    Identification,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReferralTargetKind,
    RiskLevel,
    ServiceType,
    SocialProgramme,
    TerritorialBody,
    TerritoryLevel,
    TransitionPlan,
    Urgency,
    new_id,
)
from wladna_core.plugins import PluginHookError, announce_case_event, eligibility_from
from wladna_core.programmes import programme_warnings
from wladna_core.storage import CaseQuery, NotFound, ReferralQuery
from wladna_core.storage.ports import redact_url
from wladna_core.workflow import Event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from wladna_core.app import Wladna
    from wladna_core.casefile.work import CaseFile
    from wladna_core.hookspecs import EligibilityResult
    from wladna_core.model import Gazetteer
    from wladna_core.reporting import Period, Privacy, Report, ReportFilter
    from wladna_core.reporting.pseudonyms import Pseudonymiser
    from wladna_core.storage import UnitOfWork

__all__ = ["CLOSURE_AWAITS_APPROVAL", "CaseWork", "ConsentRequired", "Outcome"]

T = TypeVar("T")
#: The record an :class:`Outcome` carries (outcomes are read-only, hence covariant).
T_co = TypeVar("T_co", covariant=True)
#: A record type a store keeps.
R = TypeVar("R", TerritorialBody, Child, Family, Case, Referral)

#: The audit action of a warning a ``wladna_authorize`` plug-in gave on an action allowed.
WARNING_ACTION: Final = "access.warning"

_OPEN_REFERRALS: Final = frozenset({ReferralStatus.PENDING, ReferralStatus.ACCEPTED})
_ACTIVE: Final = frozenset(
    {
        CaseStatus.REGISTERED,
        CaseStatus.ASSESSMENT,
        CaseStatus.CASE_PLAN,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.FOLLOW_UP,
        CaseStatus.REOPENED,
    }
)


class ConsentRequired(WladnaError):
    """A referral or a transfer was refused: consent is missing and no override was given.

    :param record: the case, e.g. ``Case SAL-2026-000123``.
    :param action: ``refer`` or ``transfer``.
    :param missing: what was not consented to: ``services``, ``sharing``, or both.
    """

    #: The stable code of this refusal (the rule ``referral.consent_missing`` says the same).
    code: Final = "referral.consent_missing"

    def __init__(self, record: str, action: str, missing: Sequence[str]) -> None:
        self.record = record
        self.action = action
        self.missing = tuple(missing)
        what = " and ".join(self.missing)
        self.remedy = (
            f"record the consent to {what} (record_consent), or give a consent override with its "
            "reason and justification, which a supervisor of the case's body must authorise"
        )
        super().__init__(
            f"cannot {action} {record}: no consent to {what} [{self.code}]; remedy: {self.remedy}"
        )

    def __reduce__(self) -> tuple[type[ConsentRequired], tuple[str, str, tuple[str, ...]]]:
        return type(self), (self.record, self.action, self.missing)


#: The warning a case worker's closure gives when it became a request for a supervisor.
CLOSURE_AWAITS_APPROVAL: Final = "case.closure_awaits_approval"
_AWAITS_APPROVAL: Final = Message(
    message=Text(
        "The case's risk level is '{risk}': its closure awaits a supervisor's approval.",
        "Le niveau de risque du dossier est « {risk} » : sa clôture attend l'approbation "
        "d'un superviseur.",
        "مستوى خطورة الحالة هو «{risk}»: إغلاقها ينتظر مصادقة المشرف.",
    ),
    remedy=Text(
        "Ask a supervisor of the body to approve or decline the closure request.",
        "Demandez à un superviseur de l'organisme d'approuver ou de refuser la demande de clôture.",
        "اطلب من مشرف الهيئة المصادقة على طلب الإغلاق أو رفضه.",
    ),
)


def _awaits_approval(case: Case) -> Violation:
    message, remedy = render(_AWAITS_APPROVAL, "en", {"risk": case.risk.value})
    return Violation(
        code=CLOSURE_AWAITS_APPROVAL,
        path="$.closure_requests",
        message=message,
        severity=Severity.WARNING,
        record=_label(case),
        remedy=remedy,
    )


@attrs.frozen
class Outcome(Generic[T_co]):
    """What a write returns.

    :param record: the record as saved (its version bumped).
    :param warnings: warning-level violations: rules that let the record in but ask a person to
        look, and ``referral.programme_ineligible``.
    :param events: the domain events the change caused, announced after the commit.
    :param failures: the ``wladna_case_event`` plug-ins that raised on hearing of the events
        (logged too); the change is saved all the same.
    :param possible_duplicates: for a child's registration, the records that may be the same
        child, as the actor may be shown them (with the warning ``child.possible_duplicate``).
    """

    record: T_co
    warnings: tuple[Violation, ...] = ()
    events: tuple[Event, ...] = ()
    failures: tuple[PluginHookError, ...] = ()
    possible_duplicates: tuple[duplicates.PossibleMatch, ...] = ()


def _label(record: object) -> str:
    """Name a record as violations do (``Case 0193...``), with its case number when it has one."""
    kind = record.kind if isinstance(record, _Missing) else type(record).__name__
    record_id = getattr(record, "id", None)
    if not record_id:
        return f"a {kind.lower()}"
    label = f"{kind} {record_id}"
    number = getattr(record, "number", None)
    return f"{label} ({number})" if number else label


@attrs.define
class _Work:
    """What a unit of work of a service collects: audit entries, events, warnings."""

    drafts: list[AuditDraft] = attrs.Factory(list)
    events: list[Event] = attrs.Factory(list)
    warnings: list[Violation] = attrs.Factory(list)
    matches: list[duplicates.PossibleMatch] = attrs.Factory(list)


class CaseWork:
    """The casework services for one actor; get one from :meth:`Wladna.as_actor`.

    Dates: every step takes ``on``, the day it happened, which defaults to today (by the
    application's clock).

    :param wladna: the application.
    :param actor: who acts; every call is checked against their roles and bodies and audited.
    """

    def __init__(self, wladna: Wladna, actor: Actor) -> None:
        if not isinstance(actor, Actor):  # a guard for callers without type checks
            msg = f"as_actor needs an Actor, got {type(actor).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        self.wladna = wladna
        self.actor = actor
        #: Set by the case file's ``decide_approval`` while the casework decides a request:
        #: checks again, in the deciding unit of work, that the request is still pending.
        self._approval_check: Callable[[UnitOfWork], object] | None = None
        # Warnings of the wladna_authorize plug-ins, put in the outcome of the running service
        # and in the audit trail (``access.warning``), with the action and record they concern.
        self._cautions: list[tuple[Action, object, Violation]] = []

    def __repr__(self) -> str:
        return f"<CaseWork for {self.actor}>"

    @property
    def casefile(self) -> CaseFile:
        """The services of the case file for the same actor (:mod:`wladna_core.casefile`).

        Services delivered, approvals, incidents, care arrangements, outreach, tracing and
        reunification, the child's views, concern details and documents; each call is checked
        and audited as the casework services are.
        """
        from wladna_core.casefile.work import CaseFile  # noqa: PLC0415 (it builds on this module)

        return CaseFile(self)

    # --- plumbing ----------------------------------------------------------------------------

    def _on(self, on: date | None) -> date:
        return self.wladna.today() if on is None else on

    def _draft(
        self, action: Action, record: object, *, outcome: str = "done", detail: str | None = None
    ) -> AuditDraft:
        return AuditDraft(
            actor_id=self.actor.id,
            action=action.value,
            record_type=type(record).__name__,
            record_id=getattr(record, "id", None),
            version=getattr(record, "version", None),
            outcome=outcome,
            detail=detail,
        )

    def _caution_draft(self, action: Action, record: object, caution: Violation) -> AuditDraft:
        """Return the audit entry of a plug-in's warning: its code and action, never its text."""
        kind = record.kind if isinstance(record, _Missing) else type(record).__name__
        return AuditDraft(
            actor_id=self.actor.id,
            action=WARNING_ACTION,
            record_type=kind,
            record_id=getattr(record, "id", None) or None,
            version=None,
            detail=storable(f"{caution.code} on {action.value}", DETAIL_MAX),
        )

    def _run(self, body: Callable[[UnitOfWork, _Work], T]) -> tuple[T, _Work]:
        """Run ``body`` in a unit of work, audit it, commit; record refusals of access."""
        work = _Work()
        store = self.wladna.store
        self._cautions.clear()
        try:
            with store.unit_of_work() as uow:
                result = body(uow, work)
                for action, record, caution in self._cautions:
                    if caution not in work.warnings:
                        work.warnings.append(caution)
                    work.drafts.append(self._caution_draft(action, record, caution))
                work.warnings.extend(uow.warnings)
                uow.audit.append(work.drafts, at=self.wladna.now())
        except AccessDenied as denied:
            self._audit_refusal(denied)
            raise
        return result, work

    def _audit_refusal(self, denied: AccessDenied) -> None:
        draft = refusal_draft(denied)
        with self.wladna.store.unit_of_work() as uow:
            uow.audit.append([draft], at=self.wladna.now())

    def _write(self, body: Callable[[UnitOfWork, _Work], T]) -> Outcome[T]:
        record, work = self._run(body)
        failures: list[PluginHookError] = []
        context = {
            "actor": self.actor,
            "store": redact_url(self.wladna.store.url),
        }
        for event in work.events:
            failures.extend(
                announce_case_event(self.wladna.plugins, event, context, clock=self.wladna.now)
            )
        return Outcome(
            record=record,
            warnings=tuple(work.warnings),
            events=tuple(work.events),
            failures=tuple(failures),
            possible_duplicates=tuple(work.matches),
        )

    def _deny(self, action: Action, record: object, reason: str) -> AccessDenied:
        kind = record.kind if isinstance(record, _Missing) else type(record).__name__
        return AccessDenied(
            self.actor.id,
            action.value,
            _label(record),
            reason,
            record_type=kind,
            record_id=getattr(record, "id", None) or None,
        )

    def _unseen(self, action: Action, kind: str, record_id: str) -> AccessDenied:
        """Return the refusal of a record the actor does not see, or that does not exist.

        See :func:`~wladna_core.access.unseen_refusal`: no case number, nothing stored.
        """
        return unseen_refusal(self.actor.id, action.value, kind, record_id)

    def _require(self, action: Action, record: object, view: View) -> None:
        reason, cautions = self.wladna.policy.check(self.actor, action, record, view)
        if reason is None:
            self._cautions.extend((action, record, caution) for caution in cautions)
            return
        if refused_unseen(action, view):
            record_id = getattr(record, "id", None)
            if isinstance(record_id, str) and record_id:
                raise self._unseen(action, type(record).__name__, record_id)
        raise self._deny(action, record, reason)

    def _bodies(self, uow: UnitOfWork) -> dict[str, TerritorialBody]:
        found: dict[str, TerritorialBody] = {}
        for body_id in self.actor.bodies:
            with contextlib.suppress(NotFound):
                found[body_id] = uow.bodies.get(body_id)
        return found

    def _view(
        self, uow: UnitOfWork, case: Case, referrals: Iterable[Referral] | None = None
    ) -> View:
        if referrals is None:
            referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
        return case_view(
            self.actor,
            case,
            referrals=referrals,
            bodies=self._bodies(uow),
            gazetteer=self.wladna.store.gazetteer,
        )

    def _case(
        self, uow: UnitOfWork, case_id: str, action: Action, expected_version: int | None = None
    ) -> tuple[Case, list[Referral], View]:
        case = self._get(uow, Case, case_id, action)
        referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
        view = self._view(uow, case, referrals)
        self._require(action, case, view)
        if expected_version is not None and case.version != expected_version:
            from wladna_core.storage import ConcurrencyConflict  # noqa: PLC0415

            raise ConcurrencyConflict("Case", case.id, expected_version, case.version)
        return case, referrals, view

    def _get(self, uow: UnitOfWork, kind: type[R], record_id: str, action: Action) -> R:
        """Return the stored record; an unknown id is refused like one out of scope."""
        repository = uow.repository(kind)
        try:
            return repository.get(record_id)
        except NotFound:
            # Saying "not found" only to those who could have seen it would leak existence.
            raise self._unseen(action, kind.__name__, record_id) from None

    def _save_case(
        self, uow: UnitOfWork, work: _Work, action: Action, new: Case, events: Iterable[Event]
    ) -> Case:
        saved = uow.cases.update(new)
        work.drafts.append(self._draft(action, saved))
        work.events.extend(events)
        return saved

    def _approvals_decided(
        self, subject: str, *, approved: bool, on: date, comment: str | None = None
    ) -> Callable[[UnitOfWork, _Work, Case], None]:
        """Return the step deciding the case file's pending request of ``subject`` alike.

        The approvals log (:mod:`wladna_core.casefile.approvals`) then never contradicts the
        case: see :func:`~wladna_core.casefile.approvals.services.casework_decided`.
        """
        from wladna_core.casefile.approvals.services import casework_decided  # noqa: PLC0415

        def decide(uow: UnitOfWork, work: _Work, case: Case) -> None:
            if self._approval_check is not None:
                self._approval_check(uow)
            casework_decided(
                self, uow, work, case, subject, approved=approved, on=on, comment=comment
            )

        return decide

    def _authorised(
        self, override: ConsentOverride, case: Case, view: View, on: date
    ) -> ConsentOverride:
        """Return ``override`` authorised by the actor, who must be a supervisor of the case."""
        self._require(Action.CONSENT_OVERRIDE, case, view)
        return attrs.evolve(override, authorised_by=self.actor.id, authorised_on=on)

    def _consent_gate(
        self,
        case: Case,
        view: View,
        action: str,
        override: ConsentOverride | None,
        on: date,
    ) -> ConsentOverride | None:
        if override is not None:
            return self._authorised(override, case, view, on)
        consent = case.consent
        if consent is not None and consent.allows_referral:
            return None
        missing = [
            name
            for name, given in (
                ("services", consent is not None and consent.services),
                ("sharing", consent is not None and consent.sharing),
            )
            if not given
        ]
        raise ConsentRequired(_label(case), action, missing or ["services", "sharing"])

    # --- registering -----------------------------------------------------------------------

    def _register(self, action: Action, record: R) -> Outcome[R]:
        def run(uow: UnitOfWork, work: _Work) -> R:
            self._require(action, record, View.NONE)
            saved = uow.repository(type(record)).add(record)
            work.drafts.append(self._draft(action, saved))
            return saved

        return self._write(run)

    def register_body(self, body: TerritorialBody) -> Outcome[TerritorialBody]:
        """Register a territorial body (CPPE, CAPE, UPE...); administrators only."""
        return self._register(Action.BODY_REGISTER, body)

    def register_child(self, child: Child, *, body_id: str | None = None) -> Outcome[Child]:
        """Register a child, before opening their case; members of a body's team only.

        The stored children that may be the same child are looked for (an indexed lookup by
        blocking keys, scored by the deployment's matcher, :attr:`Wladna.matcher`).  Those
        reaching the review threshold are in :attr:`Outcome.possible_duplicates` — the records
        the actor may see in full, and for the others only the bodies holding them — and each
        pair goes to the review queue of ``body_id`` (by default the actor's body, the first in
        order when they have several).  When one reaches the duplicate threshold, the outcome
        carries the warning ``child.possible_duplicate``.  The lookup is audited.
        """

        def run(uow: UnitOfWork, work: _Work) -> Child:
            self._require(Action.CHILD_REGISTER, child, View.NONE)
            queue = body_id if body_id is not None else min(self.actor.bodies, default=None)
            if queue is not None and queue not in self.actor.bodies:
                raise self._unseen(Action.CHILD_REGISTER, "TerritorialBody", queue)
            saved = uow.children.add(child)
            work.drafts.append(self._draft(Action.CHILD_REGISTER, saved))
            check = Action.CHILD_DUPLICATE_CHECK
            if self.wladna.policy.refusal(self.actor, check, saved, View.NONE) is None:
                duplicates.check_registration(self, uow, work, saved, queue)
            return saved

        return self._write(run)

    def _full_view_of_child(self, uow: UnitOfWork, child: Child) -> bool:
        """Return whether the actor sees ``child`` in full (through a case, or as registrar).

        A record merged into another is seen as the record it was merged into.
        """
        while child.merged_into is not None:
            child = uow.children.get(child.merged_into)
        cases = uow.cases.find(CaseQuery(child_id=child.id))
        if any(self._view(uow, case) is View.FULL for case in cases):
            return True
        return not cases and self._registrar_view(uow, child) is View.FULL

    def duplicate_queue(
        self, body_id: str, *, status: Iterable[str] = ("proposed",)
    ) -> list[duplicates.QueuedPair]:
        """Return the review queue of ``body_id``: its pairs of possible duplicates.

        Each pair shows the records the actor sees in full, and for the others the bodies
        holding them.  Members of the body only; audited.
        """
        return self._run(
            lambda uow, work: duplicates.queue(self, uow, work, body_id, frozenset(status))
        )[0]

    def confirm_duplicate(
        self, pair_id: str, *, keep: str, on: date | None = None
    ) -> Outcome[duplicates.DuplicatePair]:
        """Confirm a pair: one child; the other record is merged into ``keep``.

        The merged record points to the kept one; the cases and households that named it name
        the kept child; referrals follow their cases; audit entries stay under both ids
        (:func:`wladna_core.duplicates.child_ids`).  A supervisor or coordinator of the pair's
        body, who sees both records in full.
        """
        day = self._on(on)
        return self._write(
            lambda uow, work: duplicates.confirm_pair(self, uow, work, pair_id, keep=keep, on=day)
        )

    def dismiss_duplicate(
        self, pair_id: str, *, on: date | None = None
    ) -> Outcome[duplicates.QueuedPair]:
        """Dismiss a pair: two children; it is never proposed again.  Members of its body.

        The outcome holds the pair as :meth:`duplicate_queue` shows it to the actor: the whole
        pair only when they see both records in full.
        """
        day = self._on(on)
        return self._write(lambda uow, work: duplicates.dismiss_pair(self, uow, work, pair_id, day))

    def register_family(self, family: Family) -> Outcome[Family]:
        """Register a household; members of a body's team only."""
        return self._register(Action.FAMILY_REGISTER, family)

    # --- the case --------------------------------------------------------------------------

    def open_case(
        self,
        *,
        child_id: str,
        body_id: str,
        identification: Identification,
        risk: RiskLevel = RiskLevel.MEDIUM,
        concerns: Iterable[ProtectionConcern] = (),
        family_id: str | None = None,
        consent: Consent | None = None,
        territory: str | None = None,
        worker_id: str | None = None,
        on: date | None = None,
    ) -> Outcome[Case]:
        """Open a case for a registered child at ``body_id``; it starts ``registered``.

        :param territory: where the case is followed; the body's territory when omitted.
        :param worker_id: the case worker in charge; the actor when omitted.
        :param consent: consent given so far; an override in it is authorised by the actor,
            who must then be a supervisor of the body.
        :raises AccessDenied: unless the actor is a case worker or supervisor of ``body_id``.
        :raises InvalidRecord: if the case breaks a rule (e.g. the child is an adult).
        """
        day = self._on(on)
        concerns = tuple(concerns)

        def run(uow: UnitOfWork, work: _Work) -> Case:
            body = self._get(uow, TerritorialBody, body_id, Action.CASE_OPEN)
            case, events = workflow.open_case(
                child_id=child_id,
                body_id=body_id,
                territory=territory or body.territory,
                identification=identification,
                on=day,
                risk=risk,
                concerns=concerns,
                family_id=family_id,
                worker_id=worker_id or self.actor.id,
                consent=consent,
            )
            view = self._view(uow, case, ())
            if refused_unseen(Action.CASE_OPEN, view):
                # Refused as the body asked for, like a body that does not exist.
                raise self._unseen(Action.CASE_OPEN, TerritorialBody.__name__, body_id)
            self._require(Action.CASE_OPEN, case, view)
            # Then the child and the household must be ones the actor may read: a case opened
            # on an id held elsewhere would tell, by the rules it broke, that the id exists.
            child = self._get(uow, Child, child_id, Action.CASE_OPEN)
            if self._child_view(uow, child) is View.NONE:
                raise self._unseen(Action.CASE_OPEN, Child.__name__, child_id)
            if family_id is not None:
                family = self._get(uow, Family, family_id, Action.CASE_OPEN)
                if self._family_view(uow, family) is not View.FULL:
                    raise self._unseen(Action.CASE_OPEN, Family.__name__, family_id)
            if consent is not None and consent.override is not None:
                override = self._authorised(consent.override, case, view, day)
                case = attrs.evolve(case, consent=attrs.evolve(consent, override=override))
            saved = uow.cases.add(case)
            work.drafts.append(self._draft(Action.CASE_OPEN, saved))
            work.events.extend(events)
            return saved

        return self._write(run)

    def record_consent(
        self, case_id: str, consent: Consent, *, expected_version: int | None = None
    ) -> Outcome[Case]:
        """Record (or replace) the consent of the child or caregivers on the case.

        An override in ``consent`` is authorised by the actor, who must be a supervisor.
        """

        def run(uow: UnitOfWork, work: _Work) -> Case:
            case, _, view = self._case(uow, case_id, Action.CASE_UPDATE, expected_version)
            given = consent
            if consent.override is not None:
                override = self._authorised(consent.override, case, view, consent.recorded_on)
                given = attrs.evolve(consent, override=override)
            return self._save_case(
                uow, work, Action.CASE_UPDATE, attrs.evolve(case, consent=given), ()
            )

        return self._write(run)

    def _step(
        self,
        case_id: str,
        action: Action,
        transition: Callable[[Case, list[Referral]], tuple[Case, tuple[Event, ...]]],
        expected_version: int | None,
        *,
        lock: bool = False,
        after: Callable[[UnitOfWork, _Work, Case], None] | None = None,
    ) -> Outcome[Case]:
        def run(uow: UnitOfWork, work: _Work) -> Case:
            if lock:
                uow.lock(Case, case_id)
            case, referrals, _ = self._case(uow, case_id, action, expected_version)
            new, events = transition(case, referrals)
            saved = self._save_case(uow, work, action, new, events)
            if after is not None:
                after(uow, work, saved)
            return saved

        return self._write(run)

    def record_assessment(
        self,
        case_id: str,
        assessment: Assessment,
        *,
        concerns: Iterable[ProtectionConcern] | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Record the assessment; the case takes the assessed risk and goes to ``assessment``."""
        day = self._on(on)
        found = None if concerns is None else tuple(concerns)
        return self._step(
            case_id,
            Action.CASE_UPDATE,
            lambda case, _: workflow.record_assessment(case, assessment, day, concerns=found),
            expected_version,
        )

    def record_plan(
        self,
        case_id: str,
        plan: CasePlan,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Record the case plan; the case goes to ``case_plan``."""
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_UPDATE,
            lambda case, _: workflow.record_plan(case, plan, day),
            expected_version,
        )

    def approve_plan(
        self, case_id: str, *, on: date | None = None, expected_version: int | None = None
    ) -> Outcome[Case]:
        """Approve the case's plan as the acting supervisor.

        A ``case_plan`` request pending in the case file's approvals log is decided with it.
        """
        day = self._on(on)
        approval = Approval(by=self.actor.id, on=day)
        return self._step(
            case_id,
            Action.CASE_APPROVE_PLAN,
            lambda case, _: workflow.approve_plan(case, approval, day),
            expected_version,
            after=self._approvals_decided("case_plan", approved=True, on=day),
        )

    def start_implementation(
        self, case_id: str, *, on: date | None = None, expected_version: int | None = None
    ) -> Outcome[Case]:
        """Start carrying out the plan; a high-risk case needs its plan approved first."""
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_UPDATE,
            lambda case, _: workflow.start_implementation(case, day),
            expected_version,
        )

    def record_follow_up(
        self,
        case_id: str,
        follow_up: FollowUp,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Record a follow-up (visit, call, review); the case goes to ``follow_up``."""
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_UPDATE,
            lambda case, _: workflow.record_follow_up(case, follow_up, day),
            expected_version,
        )

    def close(
        self,
        case_id: str,
        reason: ClosureReason,
        *,
        note: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Close the case for ``reason``; refused while a referral is pending or accepted.

        At the risk levels the deployment sets (``case_rules.closure_approval_risks``, ``high``
        by default) a supervisor's approval is needed: a case worker's closure is then a
        closure request (the case stays open, with the warning ``case.closure_awaits_approval``)
        that a supervisor of the body approves (:meth:`approve_closure`) or declines
        (:meth:`decline_closure`).  A supervisor who closes such a case approves the closure
        at once, and a request still pending with it.  Requests and decisions are kept in the
        case file's approvals log too (:mod:`wladna_core.casefile.approvals`).
        """
        day = self._on(on)
        from wladna_core.casefile.approvals import services as approvals  # noqa: PLC0415

        def run(uow: UnitOfWork, work: _Work) -> Case:
            uow.lock(Case, case_id)  # no referral is made on it meanwhile
            case, referrals, view = self._case(uow, case_id, Action.CASE_CLOSE, expected_version)
            if not self.wladna.case_rules.needs_closure_approval(case.risk):
                closure = Closure(on=day, reason=reason, note=note)
                new, events = workflow.close(case, closure, day, referrals=referrals)
                return self._save_case(uow, work, Action.CASE_CLOSE, new, events)
            if self.wladna.policy.refusal(self.actor, Action.CASE_APPROVE_CLOSURE, case, view):
                new, events = workflow.request_closure(
                    case,
                    reason=reason,
                    requested_by=self.actor.id,
                    on=day,
                    note=note,
                    referrals=referrals,
                )
                work.warnings.append(_awaits_approval(new))
                saved = self._save_case(uow, work, Action.CASE_CLOSE, new, events)
                approvals.casework_asked(self, uow, work, saved, subject="closure", on=day)
                return saved
            asked: tuple[Event, ...] = ()
            if case.pending_closure_request is None:
                case, asked = workflow.request_closure(
                    case,
                    reason=reason,
                    requested_by=self.actor.id,
                    on=day,
                    note=note,
                    referrals=referrals,
                )
            new, events = workflow.approve_closure(
                case, by=self.actor.id, on=day, referrals=referrals, reason=reason, note=note
            )
            saved = self._save_case(uow, work, Action.CASE_APPROVE_CLOSURE, new, (*asked, *events))
            approvals.casework_decided(self, uow, work, saved, "closure", approved=True, on=day)
            return saved

        return self._write(run)

    def approve_closure(
        self,
        case_id: str,
        *,
        comment: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Approve the case's pending closure request as the acting supervisor; the case closes.

        Who asked, who decided, when and the comment stay on the case
        (:attr:`Case.closure_requests <wladna_core.model.Case.closure_requests>`) and in the
        audit trail.

        :raises AccessDenied: unless the actor is a supervisor of the case's body.
        :raises StepMissing: if no closure request awaits a decision.
        """
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_APPROVE_CLOSURE,
            lambda case, referrals: workflow.approve_closure(
                case, by=self.actor.id, on=day, comment=comment, referrals=referrals
            ),
            expected_version,
            # The case closes: no referral is made on it meanwhile.
            lock=True,
            after=self._approvals_decided("closure", approved=True, on=day, comment=comment),
        )

    def decline_closure(
        self,
        case_id: str,
        comment: str,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Decline the case's pending closure request, saying why; the case stays open.

        :raises AccessDenied: unless the actor is a supervisor of the case's body.
        :raises StepMissing: if no closure request awaits a decision.
        :raises ReasonRequired: if ``comment`` is blank.
        """
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_APPROVE_CLOSURE,
            lambda case, _: workflow.decline_closure(
                case, by=self.actor.id, on=day, comment=comment
            ),
            expected_version,
            after=self._approvals_decided("closure", approved=False, on=day, comment=comment),
        )

    def record_transition_plan(
        self,
        case_id: str,
        transition: TransitionPlan,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Add to the case plan the part that prepares the child's coming of age (18)."""
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_UPDATE,
            lambda case, _: workflow.record_transition_plan(case, transition, day),
            expected_version,
        )

    def withdraw_consent(
        self,
        case_id: str,
        *,
        sharing: bool = True,
        services: bool = False,
        reporting: bool = False,
        withdrawn_by: ConsentGiver | None = None,
        note: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Record that the child or a caregiver withdrew consent; sharing stops at once.

        By default consent to sharing is withdrawn: from the commit on, the bodies the case's
        open referrals are addressed to see of it only what they would see without that
        consent (:func:`~wladna_core.access.shares_with`) — nothing, unless an authorised
        override stands.  Their referrals stay open for them to answer; new referrals and
        transfers need consent again or an override.  The withdrawal (when, recorded by whom,
        withdrawn by whom, what) is kept on the case and audited.

        :raises AccessDenied: unless the actor is a case worker or supervisor of the body.
        :raises StepMissing: if the case holds no consent.
        """
        day = self._on(on)
        withdrawal = ConsentWithdrawal(
            on=day,
            recorded_by=self.actor.id,
            withdrawn_by=withdrawn_by,
            services=services,
            sharing=sharing,
            reporting=reporting,
            note=note,
        )
        return self._step(
            case_id,
            Action.CONSENT_WITHDRAW,
            lambda case, _: workflow.withdraw_consent(case, withdrawal, day),
            expected_version,
            # Its referrals must stay closed until it is: a referral made meanwhile waits.
            lock=True,
        )

    def reopen(
        self,
        case_id: str,
        reason: str,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Reopen a closed case for ``reason``; it is then assessed again."""
        day = self._on(on)
        return self._step(
            case_id,
            Action.CASE_REOPEN,
            lambda case, _: workflow.reopen(case, day, reason),
            expected_version,
        )

    def transfer(
        self,
        case_id: str,
        to_body: str,
        *,
        consent_override: ConsentOverride | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Hand the case over to ``to_body``; returns the new case opened there.

        The case shares the child's data with another organisation, so it needs consent to
        services and sharing, or ``consent_override`` (authorised by the acting supervisor).

        :raises ConsentRequired: without consent nor override.
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> Case:
            uow.lock(Case, case_id)  # no referral is made on it meanwhile
            case, referrals, view = self._case(uow, case_id, Action.CASE_TRANSFER, expected_version)
            target = self._get(uow, TerritorialBody, to_body, Action.CASE_TRANSFER)
            override = self._consent_gate(case, view, "transfer", consent_override, day)
            consent = case.consent
            if override is not None:
                consent = (
                    Consent(recorded_on=day, override=override)
                    if consent is None
                    else attrs.evolve(consent, override=override)
                )
            new_id_ = new_id()
            old, events = workflow.transfer(
                case, to_body=target.id, new_case_id=new_id_, on=day, referrals=referrals
            )
            self._save_case(uow, work, Action.CASE_TRANSFER, old, events)
            successor, opened = workflow.open_case(
                child_id=case.child_id,
                body_id=target.id,
                territory=target.territory,
                identification=case.identification,
                on=day,
                risk=case.risk,
                concerns=case.concerns,
                family_id=case.family_id,
                consent=consent,
                case_id=new_id_,
            )
            saved = uow.cases.add(successor)
            work.drafts.append(self._draft(Action.CASE_OPEN, saved))
            work.events.extend(opened)
            return saved

        return self._write(run)

    def mark_duplicate(
        self,
        case_id: str,
        of_case_id: str,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Case]:
        """Mark the case as a duplicate of ``of_case_id`` (which the actor must see too)."""
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> Case:
            uow.lock(Case, case_id)  # no referral is made on it meanwhile
            case, referrals, _ = self._case(
                uow, case_id, Action.CASE_MARK_DUPLICATE, expected_version
            )
            self._case(uow, of_case_id, Action.CASE_MARK_DUPLICATE)
            new, events = workflow.mark_duplicate(case, of_case_id, day, referrals=referrals)
            return self._save_case(uow, work, Action.CASE_MARK_DUPLICATE, new, events)

        return self._write(run)

    # --- referrals -------------------------------------------------------------------------

    def refer(
        self,
        case_id: str,
        *,
        service: ServiceType,
        to_body: str | None = None,
        programme: SocialProgramme | None = None,
        judicial: bool = False,
        urgency: Urgency = Urgency.ROUTINE,
        note: str | None = None,
        consent_override: ConsentOverride | None = None,
        on: date | None = None,
    ) -> Outcome[Referral]:
        """Refer the case to a body, a social programme or the judicial authority.

        Give exactly one of ``to_body``, ``programme`` or ``judicial=True``.  The referral needs
        consent to services and sharing on the case, or ``consent_override`` (authorised by the
        acting supervisor).  Its response is due by the deadline for the case's risk level.  A
        referral to a programme the family is found ineligible for is made all the same, with
        the warning ``referral.programme_ineligible`` and the reason.

        :raises ConsentRequired: without consent nor override.
        :raises AccessDenied: unless the actor is a case worker or supervisor of the case's body
            (and a supervisor when overriding consent).
        :raises ValueError: unless exactly one target is given.
        """
        targets = [to_body is not None, programme is not None, judicial]
        if sum(targets) != 1:
            msg = "refer to exactly one of: to_body=<body id>, programme=<programme>, judicial=True"
            raise ValueError(msg)
        day = self._on(on)
        if to_body is not None:
            target = ReferralTarget(ReferralTargetKind.BODY, body_id=to_body)
        elif programme is not None:
            target = ReferralTarget(ReferralTargetKind.PROGRAMME, programme=programme)
        else:
            target = ReferralTarget(ReferralTargetKind.JUDICIAL)

        def run(uow: UnitOfWork, work: _Work) -> Referral:
            # The case must stay active until the referral is saved: closing, transferring or
            # marking it a duplicate meanwhile waits (a referral adds no version to the case).
            uow.lock(Case, case_id)
            case, _, view = self._case(uow, case_id, Action.REFERRAL_MAKE)
            override = self._consent_gate(case, view, "refer", consent_override, day)
            referral, events = workflow.make_referral(
                case,
                target=target,
                service=service,
                on=day,
                urgency=urgency,
                note=note,
                consent_override=override,
                response_due=response_due(case, day, self.wladna.deadlines),
            )
            saved = uow.referrals.add(referral)
            work.drafts.append(self._draft(Action.REFERRAL_MAKE, saved))
            work.events.extend(events)
            if programme is not None and case.family_id is not None:
                family = uow.families.get(case.family_id)
                answers = eligibility_from(
                    self.wladna.plugins, family, programme, day, clock=self.wladna.now
                )
                work.warnings.extend(
                    programme_warnings(answers, "$.target.programme", _label(saved))
                )
            return saved

        return self._write(run)

    def _referral(self, uow: UnitOfWork, referral_id: str, action: Action) -> tuple[Referral, Case]:
        referral = self._get(uow, Referral, referral_id, action)
        case = uow.cases.get(referral.case_id)
        if action in (Action.REFERRAL_RESPOND, Action.REFERRAL_COMPLETE):
            # Only the target body's people answer and complete.
            in_target = referral.target.body_id in self.actor.bodies
            if referral.target.kind is not ReferralTargetKind.BODY:
                # A programme or the judicial authority answers through the sending body.
                in_target = referral.from_body in self.actor.bodies
            view = self._view(uow, case) if in_target else View.NONE
            if in_target and view is View.NONE:
                view = View.FULL if self.actor.has(MEMBER_ROLES) else View.LIMITED
        else:
            # Only the sender cancels.
            view = self._view(uow, case) if referral.from_body in self.actor.bodies else View.NONE
        self._require(action, referral, view)
        return referral, case

    def _respond(
        self,
        referral_id: str,
        action: Action,
        transition: Callable[[Referral], tuple[Referral, tuple[Event, ...]]],
    ) -> Outcome[Referral]:
        def run(uow: UnitOfWork, work: _Work) -> Referral:
            referral, _ = self._referral(uow, referral_id, action)
            new, events = transition(referral)
            saved = uow.referrals.update(new)
            work.drafts.append(self._draft(action, saved))
            work.events.extend(events)
            return saved

        return self._write(run)

    def accept(self, referral_id: str, *, on: date | None = None) -> Outcome[Referral]:
        """Accept a referral addressed to one of the actor's bodies."""
        day = self._on(on)
        return self._respond(
            referral_id, Action.REFERRAL_RESPOND, lambda ref: workflow.accept(ref, day)
        )

    def reject(self, referral_id: str, reason: str, *, on: date | None = None) -> Outcome[Referral]:
        """Reject a referral addressed to one of the actor's bodies; ``reason`` is required."""
        day = self._on(on)
        return self._respond(
            referral_id, Action.REFERRAL_RESPOND, lambda ref: workflow.reject(ref, reason, day)
        )

    def cancel(
        self, referral_id: str, reason: str | None = None, *, on: date | None = None
    ) -> Outcome[Referral]:
        """Cancel a referral the actor's body sent."""
        day = self._on(on)
        return self._respond(
            referral_id, Action.REFERRAL_CANCEL, lambda ref: workflow.cancel(ref, day, reason)
        )

    def complete(
        self, referral_id: str, outcome: str | None = None, *, on: date | None = None
    ) -> Outcome[Referral]:
        """Record that the service of an accepted referral was provided."""
        day = self._on(on)
        return self._respond(
            referral_id,
            Action.REFERRAL_COMPLETE,
            lambda ref: workflow.complete(ref, day, outcome),
        )

    # --- reading ---------------------------------------------------------------------------

    def _as_seen(
        self, uow: UnitOfWork, case: Case, referrals: list[Referral], view: View
    ) -> Case | LimitedCase:
        if view is View.FULL:
            return case
        return limited_case(
            case,
            uow.children.get(case.child_id),
            referrals,
            actor=self.actor,
            gazetteer=self.wladna.store.gazetteer,
            on=self.wladna.today(),
        )

    def case(self, case_id: str) -> Case | LimitedCase:
        """Return the case as the actor may see it: whole, or its :class:`LimitedCase`."""

        def run(uow: UnitOfWork, work: _Work) -> Case | LimitedCase:
            case, referrals, view = self._case(uow, case_id, Action.CASE_READ)
            work.drafts.append(self._draft(Action.CASE_READ, case, detail=view.value))
            return self._as_seen(uow, case, referrals, view)

        return self._run(run)[0]

    def _candidates(self, uow: UnitOfWork, query: CaseQuery, limit: int) -> dict[str, Case]:
        """Return the cases the actor's bodies could see that ``query`` may select.

        The cases of the actor's bodies and territories are searched with ``query`` within
        that scope only, so that cases out of scope never take the place of those in it; the
        cases referred to the actor's bodies are all returned: the caller judges them on the
        view the actor has (:func:`~wladna_core.access.query_selects`).
        """
        candidates: dict[str, Case] = {}
        scopes: list[CaseQuery] = []
        gazetteer = self.wladna.store.gazetteer
        for body_id, body in self._bodies(uow).items():
            if self.actor.has(MEMBER_ROLES) and query.body_id in (None, body_id):
                scopes.append(attrs.evolve(query, body_id=body_id))
            if Role.BODY_COORDINATOR in self.actor.roles:
                territory = _overlap(gazetteer, query.territory, body.territory)
                if territory is not None:
                    scopes.append(attrs.evolve(query, territory=territory))
        for scope in scopes:
            for case in uow.cases.find(scope, limit=limit):
                candidates[case.id] = case
        for body_id in sorted(self.actor.bodies):
            sent = uow.referrals.find(ReferralQuery(target_body_id=body_id, status=_OPEN_REFERRALS))
            for referral in sent:
                if referral.case_id not in candidates:
                    candidates[referral.case_id] = uow.cases.get(referral.case_id)
        return candidates

    def cases(
        self, query: CaseQuery | None = None, *, limit: int = 500
    ) -> list[Case | LimitedCase]:
        """Return the cases ``query`` selects that the actor may see (at most ``limit``).

        Members see their bodies' cases, coordinators those of their territories, service
        providers the limited view of the cases referred to them; each one returned is audited
        as a read.  The query filters each case as the actor sees it
        (:func:`~wladna_core.access.query_selects`): a filter on a field the limited view hides
        (``worker_id``, ``family_id``, ``body_id``) selects none of the limited views.
        """
        selected = query or CaseQuery()
        gazetteer = self.wladna.store.gazetteer

        def run(uow: UnitOfWork, work: _Work) -> list[Case | LimitedCase]:
            candidates = self._candidates(uow, selected, limit)
            found: list[Case | LimitedCase] = []
            for case in sorted(candidates.values(), key=lambda case: case.id):
                if len(found) == limit:
                    break
                referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
                view = self._view(uow, case, referrals)
                if self.wladna.policy.refusal(self.actor, Action.CASE_READ, case, view):
                    continue
                seen = self._as_seen(uow, case, referrals, view)
                if not query_selects(selected, seen, gazetteer):
                    continue
                work.drafts.append(self._draft(Action.CASE_READ, case, detail=view.value))
                found.append(seen)
            return found

        return self._run(run)[0]

    def child(self, child_id: str) -> Child | LimitedChild:
        """Return the child as the actor may see them, through one of the child's cases."""

        def run(uow: UnitOfWork, work: _Work) -> Child | LimitedChild:
            child = self._get(uow, Child, child_id, Action.CHILD_READ)
            best = self._child_view(uow, child)
            self._require(Action.CHILD_READ, child, best)
            work.drafts.append(self._draft(Action.CHILD_READ, child, detail=best.value))
            if best is View.FULL:
                return child
            return LimitedChild(
                id=child.id,
                age=child.age_on(self.wladna.today()),
                sex=child.sex,
                languages=child.languages,
                functional_difficulties=child.functional_difficulties,
            )

        return self._run(run)[0]

    def _child_view(self, uow: UnitOfWork, child: Child) -> View:
        """Return the best view the actor has of ``child``: through a case, or as registrar."""
        best = View.NONE
        for case in uow.cases.find(CaseQuery(child_id=child.id)):
            view = self._view(uow, case)
            if view is View.FULL:
                return view
            if view is View.LIMITED:
                best = view
        if best is View.NONE and not uow.cases.count(CaseQuery(child_id=child.id)):
            best = self._registrar_view(uow, child)
        return best

    def _family_view(self, uow: UnitOfWork, family: Family) -> View:
        """Return the actor's view of ``family``: full, or none.

        Full through a case seen in full, or as the registrar of a household no case refers to.
        """
        cases = uow.cases.find(CaseQuery(family_id=family.id))
        for case in cases:
            if self._view(uow, case) is View.FULL:
                return View.FULL
        if not cases:
            return self._registrar_view(uow, family)
        return View.NONE

    def _registrar_view(self, uow: UnitOfWork, record: object) -> View:
        """Return the view of a record no case refers to yet: full for whoever registered it."""
        record_id = getattr(record, "id", None)
        # Read in the service's own unit of work: a second one would be nested in it, which
        # SQLite refuses (and which would not see what this one sees).
        for entry in uow.audit.entries(record_id=record_id, actor_id=self.actor.id):
            if entry.outcome == "done" and entry.action.endswith(".register"):
                return View.FULL
        return View.NONE

    def family(self, family_id: str) -> Family:
        """Return the household, if the actor sees in full a case it belongs to."""

        def run(uow: UnitOfWork, work: _Work) -> Family:
            family = self._get(uow, Family, family_id, Action.FAMILY_READ)
            view = self._family_view(uow, family)
            self._require(Action.FAMILY_READ, family, view)
            work.drafts.append(self._draft(Action.FAMILY_READ, family))
            return family

        return self._run(run)[0]

    def referrals(self, case_id: str) -> list[Referral]:
        """Return the case's referrals the actor may see (all of them with the full view)."""

        def run(uow: UnitOfWork, work: _Work) -> list[Referral]:
            _, referrals, view = self._case(uow, case_id, Action.REFERRAL_READ)
            if view is not View.FULL:
                referrals = [
                    referral
                    for referral in referrals
                    if referral.target.body_id in self.actor.bodies
                    and referral.status in _OPEN_REFERRALS
                ]
            work.drafts.extend(self._draft(Action.REFERRAL_READ, ref) for ref in referrals)
            return referrals

        return self._run(run)[0]

    def overdue(self, body_id: str, *, on: date | None = None) -> list[OverdueItem]:
        """Return the work ``body_id`` owes that is overdue on ``on`` (today by default).

        The actor must be a member of the body (or a coordinator covering it).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> list[OverdueItem]:
            body = self._get(uow, TerritorialBody, body_id, Action.CASE_READ)
            if not (self.actor.has(MEMBER_ROLES) and body.id in self.actor.bodies):
                # Only the body's members see its work; others are refused as for no body.
                raise self._unseen(Action.CASE_READ, TerritorialBody.__name__, body_id)
            cases = uow.cases.find(CaseQuery(body_id=body.id, status=_ACTIVE))
            sent_to = uow.referrals.find(
                ReferralQuery(target_body_id=body.id, status={ReferralStatus.PENDING})
            )
            by_id = {case.id: case for case in cases}
            for referral in sent_to:
                if referral.case_id not in by_id:
                    by_id[referral.case_id] = uow.cases.get(referral.case_id)
            referrals = uow.referrals.find(ReferralQuery(status={ReferralStatus.PENDING}))
            relevant = [ref for ref in referrals if ref.case_id in by_id]
            return overdue(
                list(by_id.values()),
                relevant,
                on=day,
                deadlines=self.wladna.deadlines,
                body_id=body.id,
            )

        return self._run(run)[0]

    def eligibility(
        self, family_id: str, programme: SocialProgramme, *, on: date | None = None
    ) -> list[EligibilityResult]:
        """Return every plug-in's answer on the household's eligibility for ``programme``."""
        day = self._on(on)
        family = self.family(family_id)
        return eligibility_from(self.wladna.plugins, family, programme, day, clock=self.wladna.now)

    def report(
        self,
        indicators: Sequence[str],
        *,
        by: Sequence[str] = (),
        where: ReportFilter | Mapping[str, object] | None = None,
        period: Period | None = None,
        on: date | None = None,
        privacy: Privacy | None = None,
        threshold: int | None = None,
        title: str | None = None,
    ) -> Report:
        """Compute indicators over the cases the actor may count (see :meth:`Wladna.report`).

        A national analyst or an administrator gets national figures, always public and
        protected by the cell-key method (:mod:`wladna_core.reporting.cellkey`): every count is
        rounded to a multiple of the deployment's threshold by a key drawn from the records it
        counts, the same way in every table and every report, so that no count below the
        threshold is shown and two reports cannot be subtracted to recover one.  A body's people
        get the figures of their bodies' cases, and a coordinator those of the territory their
        body covers; they see them as they are unless they ask for ``privacy=Privacy.PUBLIC``
        (a report to publish), which is protected the same way.

        :param threshold: the smallest count a public report may show; the deployment's
            (``report_threshold``, 5 by default) when omitted.  A higher one is allowed; a lower
            one is for the deployment's operator alone (:meth:`Wladna.report`).
        :raises AccessDenied: for a service provider (who may not count cases), and for a
            threshold below the deployment's; both refusals are audited.
        :raises ReportError: for a threshold that is not a whole number of at least 1, and for
            a bad request (see :func:`~wladna_core.reporting.build_report`).
        :raises PrivacyError: for a public report of an indicator that is not declared.
        """
        from wladna_core.reporting import Privacy, ReportError, ReportFilter, build_report  # noqa: PLC0415 (heavy)
        from wladna_core.reporting.cellkey import CellKeyMethod, RecordKeys  # noqa: PLC0415

        least = _deployment_threshold(self.wladna.settings)
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1
        ):
            msg = (
                f"threshold= is the smallest count a public report shows, a whole number of at "
                f"least 1, got {threshold!r}; leave it out for the deployment's ({least})"
            )
            raise ReportError(msg)

        national = not self.actor.has(MEMBER_ROLES)
        chosen = Privacy.PUBLIC if national else (privacy or Privacy.INTERNAL)
        day = self._on(on)

        def check(uow: UnitOfWork, work: _Work) -> ReportFilter:
            scope = ReportFilter.of(where)
            asked = _Missing("Report", "")
            self._require(Action.REPORT_AGGREGATE, asked, View.NONE)
            if threshold is not None and threshold < least:
                reason = (
                    f"a threshold below the deployment's ({least}) is for the deployment's "
                    f"operator alone; ask with threshold={least} or more, or leave it out"
                )
                raise self._deny(Action.REPORT_AGGREGATE, asked, reason)
            if chosen == Privacy.PUBLIC:
                refused = _rounded_request_refusal(scope, period, day, self._on(None))
                if refused is not None:
                    raise self._deny(Action.REPORT_AGGREGATE, asked, refused)
            # Every report is audited, refused or not: what was asked, never a figure.
            shown_filters = ";".join(
                f"{name}={','.join(sorted(values))}" for name, values in scope.conditions().items()
            )
            detail = (
                f"{','.join(indicators)} by {','.join(by) or '-'} where {shown_filters or '-'} "
                f"period {period or '-'} on {day.isoformat()} {Privacy(chosen).value}"
            )
            work.drafts.append(
                AuditDraft(
                    actor_id=self.actor.id,
                    action=Action.REPORT_AGGREGATE.value,
                    record_type="Report",
                    record_id=None,
                    version=None,
                    outcome="done",
                    detail=storable(detail, DETAIL_MAX),
                )
            )
            if not self.actor.has(MEMBER_ROLES):
                return scope
            bodies = self._bodies(uow)
            if Role.BODY_COORDINATOR in self.actor.roles:
                provinces: set[str] = set()
                regions: set[str] = set()
                gazetteer = self.wladna.store.gazetteer
                for body in bodies.values():
                    if gazetteer.get(body.territory).level is TerritoryLevel.REGION:
                        regions.add(body.territory)
                    else:
                        provinces.add(body.territory)
                if regions and not provinces:
                    return _narrowed(scope, "regions", regions)
                if provinces and not regions:
                    return _narrowed(scope, "provinces", provinces)
            return _narrowed(scope, "bodies", set(bodies) or set(self.actor.bodies))

        scope, _ = self._run(check)
        # The deployment's base whatever threshold is asked: a higher one withholds more of the
        # same figures (see CellKeyMethod.with_threshold).
        protection = (
            CellKeyMethod.for_threshold(
                least, RecordKeys.from_settings(self.wladna.settings)
            ).with_threshold(least if threshold is None else threshold)
            if chosen == Privacy.PUBLIC  # a string as well as the member (checked when built)
            else None
        )
        return build_report(
            self.wladna.store,
            indicators,
            by=by,
            where=scope,
            period=period,
            on=day,
            privacy=chosen,
            plugins=self.wladna.plugins,
            deadlines=self.wladna.deadlines,
            title=title,
            protection=protection,
        )

    def export(
        self,
        query: CaseQuery | None = None,
        *,
        pseudonymiser: Pseudonymiser | None = None,
        limit: int = 10_000,
    ) -> list[tuple[str, dict[str, object]]]:
        """Return the records of the cases the actor may export, ready to write as JSON Lines.

        Supervisors and coordinators export the cases they see in full (at most ``limit``),
        with their children, households and referrals, in the order an import needs them:
        ``("child", {...})``, ``("family", {...})``, ``("case", {...})``, ``("referral", {...})``.
        With a ``pseudonymiser`` every id becomes a keyed-hash pseudonym and direct identifiers
        are left out (:func:`~wladna_core.reporting.pseudonyms.pseudonymise_record`); such an
        export is data for reporting beyond the body, so it carries only the cases whose
        consent includes reporting (``Consent.reporting``, see ``docs/consent.md``).  Each
        record exported is written to the audit trail.

        :raises AccessDenied: unless the actor is a supervisor or a body coordinator.
        """
        from wladna_core.convert import unstructure  # noqa: PLC0415 (on use)
        from wladna_core.reporting.pseudonyms import pseudonymise_record  # noqa: PLC0415

        selected = query or CaseQuery()

        def run(uow: UnitOfWork, work: _Work) -> list[tuple[str, dict[str, object]]]:
            self._require(Action.REPORT_EXPORT, _Missing("Export", ""), View.FULL)
            kinds: dict[str, list[object]] = {"child": [], "family": [], "case": [], "referral": []}
            seen: set[str] = set()
            candidates = self._candidates(uow, selected, limit)
            exported_cases = 0
            for case in sorted(candidates.values(), key=lambda case: case.id):
                if exported_cases == limit:
                    break
                referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
                if self._view(uow, case, referrals) is not View.FULL or not selected.matches(
                    case, self.wladna.store.gazetteer
                ):
                    continue
                if pseudonymiser is not None and not _consents_to_reporting(case):
                    continue
                exported_cases += 1
                records: list[tuple[str, object]] = [("child", uow.children.get(case.child_id))]
                if case.family_id is not None:
                    records.append(("family", uow.families.get(case.family_id)))
                records.append(("case", case))
                records.extend(("referral", referral) for referral in referrals)
                for kind, record in records:
                    record_id = getattr(record, "id", "")
                    if record_id in seen:
                        continue
                    seen.add(record_id)
                    kinds[kind].append(record)
                    work.drafts.append(self._draft(Action.REPORT_EXPORT, record))
            exported: list[tuple[str, dict[str, object]]] = []
            for kind, gathered in kinds.items():
                for record in gathered:
                    data = (
                        dict(unstructure(record))
                        if pseudonymiser is None
                        else pseudonymise_record(unstructure(record), pseudonymiser, kind)
                    )
                    exported.append((kind, data))
            return exported

        return self._run(run)[0]


def _consents_to_reporting(case: Case) -> bool:
    """Return whether the case's data may go into a record-level export for reporting."""
    return case.consent is not None and case.consent.reporting


def _deployment_threshold(settings: Mapping[str, object]) -> int:
    """Return the deployment's report threshold (the ``report_threshold`` setting, else 5)."""
    from wladna_core.reporting.privacy import DEFAULT_THRESHOLD  # noqa: PLC0415 (heavy)

    value = settings.get("report_threshold", DEFAULT_THRESHOLD)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(
            "report_threshold",
            value,
            "the smallest count a public report shows must be a whole number of at least 1",
            f"write a whole number such as {DEFAULT_THRESHOLD}, or leave the setting out",
        )
    return value


def _overlap(gazetteer: Gazetteer, asked: str | None, covered: str) -> str | None:
    """Return the smaller territory of ``asked`` and ``covered``, ``None`` if they are apart.

    ``asked`` is a search's territory (``None``: anywhere), ``covered`` a coordinator's.

    :raises UnknownTerritory: if ``asked`` is not a known territory.
    """
    if asked is None or asked == covered or gazetteer.contains(asked, covered):
        return covered
    if gazetteer.contains(covered, asked):
        return asked
    return None


def _month_end(day: date) -> date:
    """Return the last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _calendar_period(period: Period) -> bool:
    """Return whether ``period`` is a whole calendar month, quarter or year."""
    start, end = period.start, period.end
    if start.day != 1 or end != _month_end(end):
        return False
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return True
    if months == 3:  # a quarter
        return start.month in {1, 4, 7, 10}
    return months == 12 and start.month == 1  # a year


def _rounded_request_refusal(
    scope: ReportFilter, period: Period | None, day: date, today: date
) -> str | None:
    """Return why a report rounded by the cell-key method may not be asked so, or ``None``.

    Each rounded figure is off by a few; many figures of overlapping populations — periods of
    any days, sets of values — add up to equations that tell small counts exactly.  A rounded
    report counts a calendar month, quarter or year (or everything up to ``today``, or to the
    end of a month: ``day``), and filters each dimension on one value; a breakdown (``by``)
    shows every value.  The deployment's operator asks for anything (:meth:`Wladna.report`).
    """
    if period is not None and not _calendar_period(period):
        return (
            f"the period {period} is not a calendar month, quarter or year: a rounded report "
            "counts whole months, quarters or years, since figures of overlapping periods "
            "would tell small counts; ask for one (e.g. 2026-03-01 to 2026-03-31), break the "
            "report down by month, or ask the deployment's operator"
        )
    if period is None and day not in {today, _month_end(day)}:
        return (
            f"a rounded report counts up to today or to the end of a month, not to "
            f"{day.isoformat()}: figures of each day would tell small counts; leave on= out, "
            f"or give {_month_end(day).isoformat()}"
        )
    for name, values in scope.conditions().items():
        if len(values) != 1:
            return (
                f"a rounded report filters {name} on one value, not {len(values)}: figures "
                f"of overlapping sets of values would tell small counts; break the report "
                f"down by {name}, or ask for each value in its own report"
            )
    return None


def _narrowed(scope: ReportFilter, field: str, allowed: set[str]) -> ReportFilter:
    """Return ``scope`` with its ``field`` filter limited to ``allowed``."""
    asked = getattr(scope, field)
    kept = frozenset(allowed) if asked is None else frozenset(asked) & frozenset(allowed)
    return attrs.evolve(scope, **{field: kept})


@attrs.frozen
class _Missing:
    """Stands for a record that is not stored, in a refusal."""

    kind: str
    id: str

    @property
    def version(self) -> None:
        return None
