"""Approvals of a case: :class:`ApprovalRequest`, and what may be approved (its settings).

A case worker asks a supervisor to approve a step of a case — its assessment, its plan, its
closure, or what else a deployment names in its settings (``approvals.subjects``) — and a
supervisor of the case's body approves or declines it, saying why when declining.

>>> from datetime import date
>>> from wladna_core.model import new_id
>>> asked = ApprovalRequest(
...     case_id=new_id(), subject="assessment", requested_by="worker.sale",
...     requested_on=date(2026, 3, 2),
... )
>>> asked.decision.value, asked.pending
('pending', True)
>>> asked.decided("supervisor.sale", date(2026, 3, 3), approved=True).decision.value
'approved'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, cast

import attrs

from wladna_core.errors import InvariantError, SettingsError
from wladna_core.model import _checks as check
from wladna_core.model import new_id

__all__ = [
    "BUILTIN_SUBJECTS",
    "SETTINGS_KEY",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalSettings",
    "ApprovalSettingsError",
    "ApprovalSubject",
]

#: The deployment setting of the approvals: ``{"subjects": [code, ...]}``.
SETTINGS_KEY: Final = "approvals"

_SUBJECT: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")


class ApprovalSubject(enum.StrEnum):
    """The subjects of approval every deployment knows; a deployment adds its own codes."""

    #: The assessment of the child's situation and risk.
    ASSESSMENT = "assessment"
    #: The case plan (``CaseWork.approve_plan`` decides it).
    CASE_PLAN = "case_plan"
    #: The closure of the case (``CaseWork.close``/``approve_closure``/``decline_closure``).
    CLOSURE = "closure"


#: The built-in subjects' codes.
BUILTIN_SUBJECTS: Final = frozenset(subject.value for subject in ApprovalSubject)


class ApprovalDecision(enum.StrEnum):
    """A supervisor's decision on a request, or none yet."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


def _subject(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        msg = f"{attribute.name} must be a subject code (a string), got {type(value).__name__}"
        raise TypeError(msg)
    if not _SUBJECT.fullmatch(value):
        raise InvariantError(
            "approval.subject_format",
            f"a subject of approval is a code of lower-case letters, digits and underscores "
            f"starting with a letter (at most 40), such as 'case_plan'; got {value!r}",
            attribute.name,
        )


@attrs.frozen
class ApprovalRequest:
    """A request for a supervisor's approval of a step of a case, and the decision on it.

    :param case_id: the case.
    :param subject: what is to be approved: a code of :class:`ApprovalSubject` or one the
        deployment configured (rule ``approval.subject_unknown``).
    :param requested_by: who asked (an actor's id).
    :param requested_on: when.
    :param note: what the requester says.
    :param decision: pending, approved or declined.
    :param decided_by: the supervisor who decided; set with the decision, only then.
    :param decided_on: when they decided; not before the request.
    :param comment: the supervisor's comment; required when declining.
    :raises InvariantError: ``approval.subject_format``, ``approval.decision_incomplete``,
        ``approval.decided_before_requested``, ``approval.decline_without_comment``.
    """

    case_id: str = attrs.field(validator=check.identifier)
    subject: str = attrs.field(validator=_subject)
    requested_by: str = attrs.field(validator=check.text(100))
    requested_on: date = attrs.field(validator=check.a_date)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    decision: ApprovalDecision = attrs.field(
        default=ApprovalDecision.PENDING, validator=check.member_of(ApprovalDecision)
    )
    decided_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    decided_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("requested_on", "approval.decided_before_requested"),
        ],
    )
    comment: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        decided = self.decision is not ApprovalDecision.PENDING
        if decided != (self.decided_by is not None) or decided != (self.decided_on is not None):
            raise InvariantError(
                "approval.decision_incomplete",
                "a decided request names who decided (decided_by) and when (decided_on), and "
                "a pending one names neither",
                "decided_by",
            )
        if self.decision is ApprovalDecision.DECLINED and not (self.comment or "").strip():
            raise InvariantError(
                "approval.decline_without_comment",
                "a declined request needs the supervisor's comment saying why",
                "comment",
            )

    @property
    def pending(self) -> bool:
        """Whether no one has decided yet."""
        return self.decision is ApprovalDecision.PENDING

    def decided(
        self, by: str, on: date, *, approved: bool, comment: str | None = None
    ) -> ApprovalRequest:
        """Return this request decided by ``by`` on ``on``.

        :raises InvariantError: as the constructor does (a decline without comment...).
        """
        decision = ApprovalDecision.APPROVED if approved else ApprovalDecision.DECLINED
        return attrs.evolve(self, decision=decision, decided_by=by, decided_on=on, comment=comment)


class ApprovalSettingsError(SettingsError):
    """An ``approvals`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _subjects(value: object) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, Iterable) and not isinstance(items, Mapping):
        found = set(BUILTIN_SUBJECTS)
        for item in cast("Iterable[object]", items):
            if not isinstance(item, str) or not _SUBJECT.fullmatch(item):
                break
            found.add(item)
        else:
            return frozenset(found)
    raise ApprovalSettingsError(
        f"{SETTINGS_KEY}.subjects",
        value,
        "it lists the deployment's own subjects of approval, as codes",
        "Write a list of codes of lower-case letters, digits and underscores, e.g. "
        "['placement', 'transfer']; assessment, case_plan and closure are always known.",
    )


@attrs.frozen
class ApprovalSettings:
    """What may be approved in a deployment.

    :param subjects: the codes a request may name: the built-in ones
        (:data:`BUILTIN_SUBJECTS`) and those the deployment adds.
    """

    subjects: frozenset[str] = attrs.field(default=BUILTIN_SUBJECTS, converter=_subjects)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> ApprovalSettings:
        """Read ``settings["approvals"]`` (``{"subjects": [...]}``); other keys are ignored.

        >>> sorted(ApprovalSettings.from_settings({"approvals": {"subjects": ["placement"]}})
        ...        .subjects)
        ['assessment', 'case_plan', 'closure', 'placement']

        :raises ApprovalSettingsError: for a section that is not a mapping, an unknown name or
            a subject that is not a code.
        """
        section = settings.get(SETTINGS_KEY)
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ApprovalSettingsError(
                SETTINGS_KEY, section, "it must be a mapping", "Write {'subjects': [...]}."
            )
        unknown = sorted(str(key) for key in section if key != "subjects")
        if unknown:
            raise ApprovalSettingsError(
                f"{SETTINGS_KEY}.{unknown[0]}",
                section[unknown[0]],
                "not a setting of the approvals",
                "The approvals have one setting: subjects.",
            )
        return cls(subjects=section.get("subjects", ()))
