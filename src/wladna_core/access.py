r"""Who may see and do what: actors, roles, the built-in policy and the limited view.

An :class:`Actor` is a person acting in the system, with :class:`Role`\\ s and the territorial
bodies they belong to.  The built-in policy answers two questions:

* **What can the actor see of a case?** (:func:`case_view`) — everything (:attr:`View.FULL`)
  for the members of the case's responsible body and for the coordinators of a body whose
  territory contains the case; the :class:`LimitedCase` (:attr:`View.LIMITED`) for the members of
  a body an open referral of the case is addressed to, while sharing with it has a ground
  (:func:`shares_with`: consent to sharing, or an authorised override); nothing for anyone else.
  Consent withdrawn stops that sharing at once.  A national
  analyst sees no case at all: aggregates only.
* **May the actor do this action with that view?** (:data:`ROLE_ACTIONS`) — e.g. only a
  supervisor approves a high-risk plan or authorises a consent override.

A record the actor does not see is refused exactly as a record that does not exist: the same
:class:`AccessDenied`, naming only the kind of record and the id asked for, with the reason
:data:`NOT_IN_SCOPE`, whatever the actor's roles.  A search (:func:`query_selects`) filters the
limited view on what it shows, never on what it hides.

:class:`AccessPolicy` combines both with the ``wladna_authorize`` plug-ins, which can deny an
action the built-in policy allowed and never allow one it refused.  A refusal raises
:class:`AccessDenied`, naming the actor, the action and the record.

>>> actor = Actor("fz.alaoui", {Role.CASE_WORKER}, {"0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"})
>>> may(actor, Action.CASE_UPDATE, View.FULL), may(actor, Action.CONSENT_OVERRIDE, View.FULL)
(True, False)
"""

from __future__ import annotations

import enum
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.audit import ACTOR_MAX, RECORD_ID_MAX, AuditDraft, storable
from wladna_core.errors import Violation, WladnaError
from wladna_core.model import (
    Case,
    CaseStatus,
    Child,
    FunctionalDifficulty,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    RiskLevel,
    Sex,
    TerritorialBody,
    age_on,
)
from wladna_core.model._checks import text_problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    import pluggy

    from wladna_core.model import Gazetteer
    from wladna_core.storage.query import CaseQuery

__all__ = [
    "MEMBER_ROLES",
    "NOT_IN_SCOPE",
    "ROLE_ACTIONS",
    "AccessDenied",
    "AccessPolicy",
    "Action",
    "Actor",
    "LimitedCase",
    "LimitedChild",
    "Role",
    "View",
    "case_view",
    "limited_case",
    "may",
    "query_selects",
    "refusal_draft",
    "refused_unseen",
    "shares_with",
    "unseen_refusal",
    "works_on",
]


class Role(enum.StrEnum):
    """What a person does in the Wladna system."""

    #: Handles cases of their body: opens, assesses, plans, refers, follows up, closes.
    CASE_WORKER = "case_worker"
    #: Supervises the case workers of their body: approves high-risk plans and closures,
    #: authorises consent overrides, transfers cases.
    SUPERVISOR = "supervisor"
    #: Coordinates a body (e.g. a provincial CPPE): sees the cases of the territory it covers.
    BODY_COORDINATOR = "body_coordinator"
    #: Works for a service a case is referred to: sees only what was referred to its body.
    SERVICE_PROVIDER = "service_provider"
    #: Reads aggregate figures only, never personal data.
    NATIONAL_ANALYST = "national_analyst"
    #: Administers the deployment: registers bodies, reads and verifies the audit trail.
    ADMIN = "admin"
    #: Runs the training programme: records units, sessions, participants and attendance, and
    #: reads evaluations (never who wrote an anonymous one); sees no case.
    TRAINING_COORDINATOR = "training_coordinator"


class View(enum.StrEnum):
    """How much of a case an actor may see."""

    #: The whole case, its child and family.
    FULL = "full"
    #: The :class:`LimitedCase`: what a service needs, without the child's identifying data.
    LIMITED = "limited"
    #: Nothing.
    NONE = "none"


class Action(enum.StrEnum):
    """What an actor asks to do; the values are the ``action`` of ``wladna_authorize``."""

    BODY_REGISTER = "body.register"
    CHILD_REGISTER = "child.register"
    CHILD_READ = "child.read"
    CHILD_DUPLICATE_CHECK = "child.duplicate_check"
    CHILD_MERGE = "child.merge"
    DUPLICATE_REVIEW = "duplicate.review"
    FAMILY_REGISTER = "family.register"
    FAMILY_READ = "family.read"
    CASE_OPEN = "case.open"
    CASE_READ = "case.read"
    CASE_UPDATE = "case.update"
    CASE_APPROVE_PLAN = "case.approve_plan"
    CASE_CLOSE = "case.close"
    CASE_APPROVE_CLOSURE = "case.approve_closure"
    CASE_REOPEN = "case.reopen"
    CASE_TRANSFER = "case.transfer"
    CASE_MARK_DUPLICATE = "case.mark_duplicate"
    CONSENT_OVERRIDE = "consent.override"
    CONSENT_WITHDRAW = "consent.withdraw"
    REFERRAL_MAKE = "referral.make"
    REFERRAL_READ = "referral.read"
    REFERRAL_RESPOND = "referral.respond"
    REFERRAL_CANCEL = "referral.cancel"
    REFERRAL_COMPLETE = "referral.complete"
    REPORT_AGGREGATE = "report.aggregate"
    REPORT_EXPORT = "report.export"
    AUDIT_READ = "audit.read"
    # The case file's records (:mod:`wladna_core.casefile`).
    SERVICE_RECORD = "case.service.record"
    SERVICE_READ = "case.service.read"
    APPROVAL_REQUEST = "case.approval.request"
    APPROVAL_DECIDE = "case.approval.decide"
    APPROVAL_READ = "case.approval.read"
    INCIDENT_RECORD = "case.incident.record"
    INCIDENT_READ = "case.incident.read"
    CARE_RECORD = "case.care.record"
    CARE_READ = "case.care.read"
    TRACING_RECORD = "case.tracing.record"
    TRACING_READ = "case.tracing.read"
    PARTICIPATION_RECORD = "case.participation.record"
    PARTICIPATION_READ = "case.participation.read"
    CONCERN_RECORD = "case.concern.record"
    CONCERN_READ = "case.concern.read"
    DOCUMENT_ATTACH = "case.document.attach"
    DOCUMENT_READ = "case.document.read"
    DOCUMENT_WITHDRAW = "case.document.withdraw"
    DOCUMENT_ERASE = "case.document.erase"
    OUTREACH_RECORD = "outreach.record"
    OUTREACH_READ = "outreach.read"


#: The roles that make a person a member of a body's casework team: with the body among the
#: actor's bodies, they see the body's cases in full.
MEMBER_ROLES: Final = frozenset({Role.CASE_WORKER, Role.SUPERVISOR, Role.BODY_COORDINATOR})

_CASEWORK: Final = frozenset({Role.CASE_WORKER, Role.SUPERVISOR})
_RESPONDERS: Final = frozenset(
    {Role.CASE_WORKER, Role.SUPERVISOR, Role.BODY_COORDINATOR, Role.SERVICE_PROVIDER}
)
_FULL: Final = frozenset({View.FULL})
_SEEN: Final = frozenset({View.FULL, View.LIMITED})
_ANY: Final = frozenset(View)


@attrs.frozen
class _Grant:
    roles: frozenset[Role]
    views: frozenset[View]


#: For each action, the roles allowed to do it and the views of the record they need.
#: Actions on no particular record (registering a child, aggregates) need no view
#: (:attr:`View.NONE` is accepted).  Answering a referral needs the limited view that the
#: target body has; everything else on a case needs the full view.
ROLE_ACTIONS: Final[Mapping[Action, _Grant]] = MappingProxyType(
    {
        Action.BODY_REGISTER: _Grant(frozenset({Role.ADMIN}), _ANY),
        Action.CHILD_REGISTER: _Grant(MEMBER_ROLES, _ANY),
        Action.CHILD_READ: _Grant(_RESPONDERS, _SEEN),
        # Looking for possible duplicates comes with registering; candidates the actor may not
        # see are told by the body holding them only.
        Action.CHILD_DUPLICATE_CHECK: _Grant(MEMBER_ROLES, _ANY),
        # Merging two records of one child needs the full view of both.
        Action.CHILD_MERGE: _Grant(frozenset({Role.SUPERVISOR, Role.BODY_COORDINATOR}), _FULL),
        # A body's review queue: its members read it and dismiss pairs.
        Action.DUPLICATE_REVIEW: _Grant(MEMBER_ROLES, _ANY),
        Action.FAMILY_REGISTER: _Grant(MEMBER_ROLES, _ANY),
        Action.FAMILY_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.CASE_OPEN: _Grant(_CASEWORK, _FULL),
        Action.CASE_READ: _Grant(_RESPONDERS, _SEEN),
        Action.CASE_UPDATE: _Grant(_CASEWORK, _FULL),
        Action.CASE_APPROVE_PLAN: _Grant(frozenset({Role.SUPERVISOR}), _FULL),
        Action.CASE_CLOSE: _Grant(_CASEWORK, _FULL),
        Action.CASE_APPROVE_CLOSURE: _Grant(frozenset({Role.SUPERVISOR}), _FULL),
        Action.CASE_REOPEN: _Grant(_CASEWORK, _FULL),
        Action.CASE_TRANSFER: _Grant(frozenset({Role.SUPERVISOR, Role.BODY_COORDINATOR}), _FULL),
        Action.CASE_MARK_DUPLICATE: _Grant(_CASEWORK, _FULL),
        Action.CONSENT_OVERRIDE: _Grant(frozenset({Role.SUPERVISOR}), _FULL),
        Action.CONSENT_WITHDRAW: _Grant(_CASEWORK, _FULL),
        Action.REFERRAL_MAKE: _Grant(_CASEWORK, _FULL),
        Action.REFERRAL_READ: _Grant(_RESPONDERS, _SEEN),
        Action.REFERRAL_RESPOND: _Grant(_RESPONDERS, _SEEN),
        Action.REFERRAL_CANCEL: _Grant(_CASEWORK, _FULL),
        Action.REFERRAL_COMPLETE: _Grant(_RESPONDERS, _SEEN),
        Action.REPORT_AGGREGATE: _Grant(
            frozenset(
                {
                    Role.CASE_WORKER,
                    Role.SUPERVISOR,
                    Role.BODY_COORDINATOR,
                    Role.NATIONAL_ANALYST,
                    Role.ADMIN,
                }
            ),
            _ANY,
        ),
        Action.REPORT_EXPORT: _Grant(frozenset({Role.SUPERVISOR, Role.BODY_COORDINATOR}), _FULL),
        Action.AUDIT_READ: _Grant(frozenset({Role.ADMIN}), _ANY),
        # The case file (wladna_core.casefile).  A provider with an open referral records and
        # reads the services its own body delivers (the service checks the body); everything
        # else needs the full view, and incidents more: membership of the case's body
        # (works_on), checked by the service.
        Action.SERVICE_RECORD: _Grant(_RESPONDERS, _SEEN),
        Action.SERVICE_READ: _Grant(_RESPONDERS, _SEEN),
        Action.APPROVAL_REQUEST: _Grant(_CASEWORK, _FULL),
        Action.APPROVAL_DECIDE: _Grant(frozenset({Role.SUPERVISOR}), _FULL),
        Action.APPROVAL_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.INCIDENT_RECORD: _Grant(_CASEWORK, _FULL),
        Action.INCIDENT_READ: _Grant(_CASEWORK, _FULL),
        Action.CARE_RECORD: _Grant(_CASEWORK, _FULL),
        Action.CARE_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.TRACING_RECORD: _Grant(_CASEWORK, _FULL),
        Action.TRACING_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.PARTICIPATION_RECORD: _Grant(_CASEWORK, _FULL),
        Action.PARTICIPATION_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.CONCERN_RECORD: _Grant(_CASEWORK, _FULL),
        Action.CONCERN_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.DOCUMENT_ATTACH: _Grant(_CASEWORK, _FULL),
        Action.DOCUMENT_READ: _Grant(MEMBER_ROLES, _FULL),
        Action.DOCUMENT_WITHDRAW: _Grant(_CASEWORK, _FULL),
        Action.DOCUMENT_ERASE: _Grant(frozenset({Role.SUPERVISOR}), _FULL),
        # An outreach contact belongs to the body whose team made it: its members see it in
        # full (View.FULL), everyone else not at all (View.NONE).
        Action.OUTREACH_RECORD: _Grant(MEMBER_ROLES, _FULL),
        Action.OUTREACH_READ: _Grant(MEMBER_ROLES, _FULL),
    }
)


def _to_roles(value: Iterable[Role | str]) -> frozenset[Role]:
    if isinstance(value, str):
        value = (value,)
    try:
        return frozenset(Role(role) for role in value)
    except ValueError as error:
        known = ", ".join(role.value for role in Role)
        msg = f"unknown role ({error}); the roles are {known}"
        raise ValueError(msg) from None


def _to_bodies(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    return frozenset(value)


def _check_id(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"an actor's id is a non-blank string, got {value!r}"
        raise ValueError(msg)
    _check_text("an actor's id", value)


def _check_bodies(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    for body in value:  # type: ignore[attr-defined]
        if not isinstance(body, str) or not body.strip():
            msg = f"an actor's bodies are body ids (non-blank strings), got {body!r}"
            raise ValueError(msg)
        _check_text("an actor's body id", body)


def _check_text(what: str, value: str) -> None:
    """Refuse what the audit trail and the records written in the actor's name cannot hold."""
    if len(value) > ACTOR_MAX:
        msg = f"{what} has {len(value)} characters; at most {ACTOR_MAX} are allowed"
        raise ValueError(msg)
    problem = text_problem(value, lines=False)
    if problem is not None:
        msg = f"{problem.message(what)} ({problem.code}); give the id as the deployment wrote it"
        raise ValueError(msg)


@attrs.frozen
class Actor:
    """A person acting in the system.

    :param id: a stable identifier of the person in the deployment (a login, an employee
        number); it is written to the audit trail.
    :param roles: what the person does (:class:`Role`, or role names).
    :param bodies: the ids of the territorial bodies the person belongs to.
    :raises ValueError: on a blank id, an unknown role or a blank body id.
    """

    id: str = attrs.field(validator=_check_id)
    roles: frozenset[Role] = attrs.field(converter=_to_roles)
    bodies: frozenset[str] = attrs.field(converter=_to_bodies, factory=frozenset)

    def __attrs_post_init__(self) -> None:
        _check_bodies(self, attrs.fields(Actor).bodies, self.bodies)

    def has(self, roles: Iterable[Role]) -> bool:
        """Return whether the actor holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def __str__(self) -> str:
        roles = ",".join(sorted(role.value for role in self.roles))
        return f"{self.id} ({roles})"


class AccessDenied(WladnaError, PermissionError):
    """An actor was refused an action; the refusal is written to the audit trail.

    :param actor: the actor's id.
    :param action: the action refused, e.g. ``case.close``.
    :param record: which record, e.g. ``Case 0193a7e2-...``.
    :param reason: why, for the person refused.
    :param record_type: the type of the record (``Case``...), for the audit trail.
    :param record_id: the record's id, for the audit trail.
    """

    def __init__(
        self,
        actor: str,
        action: str,
        record: str,
        reason: str,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
    ) -> None:
        self.actor = actor
        self.action = action
        self.record = record
        self.reason = reason
        self.record_type = record_type
        self.record_id = record_id
        super().__init__(f"{actor} may not {action} {record}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_denial,
            (self.actor, self.action, self.record, self.reason, self.record_type, self.record_id),
        )


def _rebuild_denial(  # noqa: PLR0917 (pickling passes the arguments by position)
    actor: str,
    action: str,
    record: str,
    reason: str,
    record_type: str | None,
    record_id: str | None,
) -> AccessDenied:
    return AccessDenied(actor, action, record, reason, record_type=record_type, record_id=record_id)


_OPEN_REFERRAL: Final = frozenset({ReferralStatus.PENDING, ReferralStatus.ACCEPTED})


def case_view(
    actor: Actor,
    case: Case,
    *,
    referrals: Iterable[Referral] = (),
    bodies: Mapping[str, TerritorialBody],
    gazetteer: Gazetteer,
) -> View:
    """Return what ``actor`` may see of ``case`` under the built-in policy.

    :param referrals: the case's referrals (only the open ones matter).
    :param bodies: the territorial bodies by id (at least the actor's).
    :param gazetteer: the territories, to tell whether a body's territory contains the case's.
    """
    if Role.NATIONAL_ANALYST in actor.roles and not actor.has(_RESPONDERS):
        return View.NONE
    if actor.has(MEMBER_ROLES) and case.body_id in actor.bodies:
        return View.FULL
    if Role.BODY_COORDINATOR in actor.roles:
        for body_id in actor.bodies:
            body = bodies.get(body_id)
            if body is not None and _covers(gazetteer, body.territory, case.territory):
                return View.FULL
    if actor.has(_RESPONDERS):
        for referral in referrals:
            if (
                referral.case_id == case.id
                and referral.status in _OPEN_REFERRAL
                and referral.target.body_id in actor.bodies
                and shares_with(case, referral)
            ):
                return View.LIMITED
    return View.NONE


def works_on(actor: Actor, case: Case) -> bool:
    """Return whether ``actor`` works ``case``: a member of the casework team of its body.

    The most sensitive records of a case (its incidents) are for them alone: not for a body
    coordinator who sees the case because their territory covers it, nor for the target of a
    referral.
    """
    return actor.has(MEMBER_ROLES) and case.body_id in actor.bodies


def shares_with(case: Case, referral: Referral) -> bool:
    """Return whether the case's data may be shared with the target of ``referral`` now.

    Sharing needs a ground that holds today: the case's consent to sharing, or an authorised
    override (on the case's consent or on the referral: best interest, emergency, judicial
    order).  When consent to sharing is withdrawn and no override stands, the target of an
    open referral sees nothing of the case any more: what it would see had sharing never been
    agreed to.  It can still answer the referral it holds (accept, reject, complete).
    """
    consent = case.consent
    if consent is not None and consent.sharing:
        return True
    overrides = (None if consent is None else consent.override, referral.consent_override)
    return any(override is not None and override.is_authorised for override in overrides)


def _covers(gazetteer: Gazetteer, territory: str, code: str) -> bool:
    if territory == code:
        return True
    try:
        return gazetteer.contains(territory, code)
    except WladnaError:
        return False


def may(actor: Actor, action: Action, view: View) -> bool:
    """Return whether the built-in policy lets ``actor`` do ``action`` with ``view``."""
    grant = ROLE_ACTIONS[action]
    return actor.has(grant.roles) and view in grant.views


#: The reason of every refusal of a record the actor does not see, and of a record that does
#: not exist: the two are refused alike, so that a refusal never tells whether a record exists.
NOT_IN_SCOPE: Final = "no such record in the actor's scope"


def unseen_refusal(actor_id: str, action: str, kind: str, record_id: str) -> AccessDenied:
    """Return the refusal of a record the actor does not see, or that does not exist.

    Both are refused with this one shape — the kind of record and the id asked for, the
    reason :data:`NOT_IN_SCOPE` — and nothing read from the store, so that a refusal never
    tells whether the record exists.  Every service refusing a record it does not show (the
    casework's, the training programme's, a plug-in's) makes its refusal here.
    """
    # The id asked for is echoed and audited as an entry can keep it (any text).
    shown = storable(record_id, RECORD_ID_MAX)
    return AccessDenied(
        actor_id, action, f"{kind} {shown}", NOT_IN_SCOPE, record_type=kind, record_id=shown
    )


def refusal_draft(denied: AccessDenied) -> AuditDraft:
    """Return the audit entry, to be appended, of the refusal ``denied``."""
    return AuditDraft(
        actor_id=denied.actor,
        action=denied.action,
        record_type=denied.record_type or "?",
        record_id=denied.record_id,
        version=None,
        outcome="denied",
        detail=denied.reason,
    )


def refused_unseen(action: Action, view: View) -> bool:
    """Return whether ``action`` is refused because the actor does not see its record at all.

    Such a refusal must look exactly like the refusal of a record that does not exist
    (:data:`NOT_IN_SCOPE`, no stored field of the record), whatever the actor's roles: telling
    "you lack the role" for a stored record and "no such record" for an unknown id would say
    which ids exist.  Actions on no particular record (registering, reports) accept
    :attr:`View.NONE` and are never refused this way.
    """
    return view is View.NONE and View.NONE not in ROLE_ACTIONS[action].views


def _refusal(actor: Actor, action: Action, view: View) -> str:
    grant = ROLE_ACTIONS[action]
    if refused_unseen(action, view):
        return NOT_IN_SCOPE
    if not actor.has(grant.roles):
        roles = ", ".join(sorted(role.value for role in grant.roles))
        return f"the action needs one of the roles {roles}"
    return "the actor sees only a limited view of this case (an open referral to their body)"


class AccessPolicy:
    """The access check every service runs: built-in roles and views, then the plug-ins.

    :param plugins: the plug-in manager whose ``wladna_authorize`` hooks may deny.
    :param clock: the deployment's clock, handed to those hooks; the system clock when omitted.
    """

    def __init__(
        self, plugins: pluggy.PluginManager, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        from wladna_core.plugins import system_clock  # noqa: PLC0415 (cycle)

        self.plugins = plugins
        self.clock: Callable[[], datetime] = system_clock if clock is None else clock

    def refusal(self, actor: Actor, action: Action, resource: object, view: View) -> str | None:
        """Return why ``actor`` may not do ``action`` on ``resource``, or ``None`` if they may."""
        return self.check(actor, action, resource, view)[0]

    def check(
        self, actor: Actor, action: Action, resource: object, view: View
    ) -> tuple[str | None, tuple[Violation, ...]]:
        """Return why ``actor`` may not do ``action`` (or ``None``), and the plug-ins' warnings.

        A ``wladna_authorize`` plug-in that denies with an error-level
        :class:`~wladna_core.errors.Violation` gives the reason: its message, code and remedy.
        Warning-level violations let the action go ahead; the services report them.
        """
        if not may(actor, action, view):
            return _refusal(actor, action, view), ()
        return self.plugins_check(actor, action.value, resource)

    def plugins_check(
        self, actor: Actor, action: str, resource: object
    ) -> tuple[str | None, tuple[Violation, ...]]:
        """Ask the ``wladna_authorize`` plug-ins alone, for an action of any kind of record.

        A plug-in's services (the training programme's) decide their own roles first, then
        call this, so that every kind of record goes through the same plug-ins.
        """
        from wladna_core.plugins import PluginHookError, authorization  # noqa: PLC0415 (cycle)

        try:
            allowed, said = authorization(self.plugins, actor, action, resource, clock=self.clock)
        except PluginHookError as error:
            return str(error), ()
        if allowed:
            return None, said
        errors = [violation for violation in said if violation.is_error]
        if errors:
            return "; ".join(_objection(violation) for violation in errors), ()
        return "a wladna_authorize plug-in denied it", ()


def _objection(violation: Violation) -> str:
    text = f"{violation.message} [{violation.code}]"
    return f"{text}; remedy: {violation.remedy}" if violation.remedy else text


@attrs.frozen
class LimitedChild:
    """What a service a case is referred to learns of the child: nothing identifying.

    :param age: the child's age in whole years today (not the birth date).
    :param sex: the child's sex.
    :param languages: the languages the child speaks, to serve them.
    :param functional_difficulties: difficulties the service must accommodate.
    """

    id: str
    age: int
    sex: Sex
    languages: tuple[str, ...]
    functional_difficulties: tuple[FunctionalDifficulty, ...]


@attrs.frozen
class LimitedCase:
    """The limited view of a case, for the target body of an open referral.

    It holds the case's reference, what is at stake and the referrals addressed to the viewer's
    bodies, and no name, identifier, address, family, assessment, plan or note.

    :param province: the province or prefecture of the case (not a finer territory).
    :param referrals: the case's open referrals addressed to the viewer's bodies.
    """

    id: str
    number: str | None
    status: CaseStatus
    risk: RiskLevel
    concerns: frozenset[ProtectionConcern]
    province: str
    opened_on: date
    child: LimitedChild
    referrals: tuple[Referral, ...]
    version: int


def limited_case(
    case: Case,
    child: Child,
    referrals: Iterable[Referral],
    *,
    actor: Actor,
    gazetteer: Gazetteer,
    on: date,
) -> LimitedCase:
    """Return the :class:`LimitedCase` of ``case`` for ``actor``, as of ``on``."""
    province = gazetteer.province_of(case.territory) if case.territory in gazetteer else None
    mine = tuple(
        referral
        for referral in referrals
        if referral.case_id == case.id
        and referral.status in _OPEN_REFERRAL
        and referral.target.body_id in actor.bodies
        and shares_with(case, referral)
    )
    return LimitedCase(
        id=case.id,
        number=case.number,
        status=case.status,
        risk=case.risk,
        concerns=case.concerns,
        province=province.code if province is not None else case.territory,
        opened_on=case.opened_on,
        child=LimitedChild(
            id=child.id,
            age=age_on(child.birth_date, on),
            sex=child.sex,
            languages=child.languages,
            functional_difficulties=child.functional_difficulties,
        ),
        referrals=mine,
        version=case.version,
    )


def _limited_territory(query: CaseQuery, seen: LimitedCase, gazetteer: Gazetteer) -> bool:
    from wladna_core.storage.query import territory_subtree  # noqa: PLC0415 (storage imports us)

    return query.territory is not None and seen.province in territory_subtree(
        gazetteer, query.territory
    )


def _in_range(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


#: How each filter of a case search is judged on the limited view, from what the view shows.
#: A filter not named here is on a field the limited view hides (the responsible body, the
#: worker, the household...), or one added since: it selects no limited view, so that a search
#: never tells whether a guess about a hidden field is right.
_LIMITED_FILTERS: Final[Mapping[str, Callable[[CaseQuery, LimitedCase, Gazetteer], bool]]] = (
    MappingProxyType(
        {
            "territory": _limited_territory,
            "status": lambda query, seen, _g: (
                query.status is not None and seen.status in query.status
            ),
            "risk": lambda query, seen, _g: query.risk is not None and seen.risk in query.risk,
            "concern": lambda query, seen, _g: query.concern in seen.concerns,
            "opened_from": lambda query, seen, _g: _in_range(
                seen.opened_on, query.opened_from, None
            ),
            "opened_to": lambda query, seen, _g: _in_range(seen.opened_on, None, query.opened_to),
            "child_id": lambda query, seen, _g: query.child_id == seen.child.id,
            "number": lambda query, seen, _g: (
                query.number is not None and query.number == seen.number
            ),
        }
    )
)


def query_selects(query: CaseQuery, seen: Case | LimitedCase, gazetteer: Gazetteer) -> bool:
    """Return whether ``query`` selects a case as the actor sees it.

    A whole case is selected as :meth:`CaseQuery.matches <wladna_core.storage.CaseQuery.matches>`
    says.  A :class:`LimitedCase` is judged on what it shows alone: its status, risk, concerns,
    opening day, child, number, and its province (a territory filter selects it when the
    province lies in the territory asked for; a finer territory never does).  A filter on a
    field the limited view hides — the responsible body, the worker, the household — selects
    no limited view: otherwise ``worker_id=<a guess>`` would tell whether the guess is right.

    :param query: the search.
    :param seen: the case as the actor sees it.
    :param gazetteer: the territories, for territory filters.
    """
    if isinstance(seen, Case):
        return query.matches(seen, gazetteer)
    for field in attrs.fields(type(query)):
        if getattr(query, field.name) is None:
            continue
        judge = _LIMITED_FILTERS.get(field.name)
        if judge is None or not judge(query, seen, gazetteer):
            return False
    return True
