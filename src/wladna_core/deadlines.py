"""Deadlines of case work and the overdue work of a body on a date.

Three kinds of work are due by a deadline that depends on the case's risk level
(:class:`DueKind`): the first assessment of a new case, the answer to a referral, and the review
of a case plan being carried out.  :class:`Deadlines` holds the number of days for each kind and
risk level; its defaults are **configuration, not law** (see ``docs/deadlines.md`` for the
reasoning), and a deployment sets its own with :meth:`Deadlines.from_settings`.

The functions here are pure: they take records already fetched from a store, and a date.  They
answer for any date a :class:`datetime.date` can hold, from 0001-01-01 to 9999-12-31: a
deadline that would fall after the last of them is given as 9999-12-31, a day no work is overdue
on.

>>> from datetime import date
>>> from wladna_core.model import Case, Identification, IdentificationSource, RiskLevel, new_id
>>> case = Case(
...     child_id=new_id(),
...     body_id=new_id(),
...     territory="MA-SAL",
...     opened_on=date(2026, 3, 2),
...     identification=Identification(IdentificationSource.SCHOOL, date(2026, 3, 2)),
...     risk=RiskLevel.HIGH,
...     number="SAL-2026-000123",
... )
>>> [item] = overdue([case], [], on=date(2026, 3, 5), deadlines=Deadlines())
>>> item.kind.value, item.case_number, item.due_on.isoformat(), item.days_overdue
('first_assessment', 'SAL-2026-000123', '2026-03-03', 2)
"""

from __future__ import annotations

import enum
import types
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, cast

import attrs

from wladna_core.errors import SettingsError
from wladna_core.model import (
    Case,
    CaseStatus,
    FollowUpKind,
    Referral,
    ReferralStatus,
    ReferralTargetKind,
    RiskLevel,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_FIRST_ASSESSMENT",
    "DEFAULT_PLAN_REVIEW",
    "DEFAULT_REFERRAL_RESPONSE",
    "SETTINGS_KEY",
    "DeadlineSettingsError",
    "Deadlines",
    "Due",
    "DueKind",
    "OverdueItem",
    "days_after",
    "due_dates",
    "overdue",
    "response_due",
]

#: The deployment setting that holds the deadlines: ``{kind: {risk level: days}}``.
SETTINGS_KEY: Final = "deadlines"

#: Days from the opening of a case to its first assessment, by risk level.
DEFAULT_FIRST_ASSESSMENT: Final[Mapping[RiskLevel, int]] = types.MappingProxyType(
    {RiskLevel.HIGH: 1, RiskLevel.MEDIUM: 3, RiskLevel.LOW: 7, RiskLevel.NONE: 14}
)
#: Days from the sending of a referral to the target's answer, by the case's risk level.
DEFAULT_REFERRAL_RESPONSE: Final[Mapping[RiskLevel, int]] = types.MappingProxyType(
    {RiskLevel.HIGH: 2, RiskLevel.MEDIUM: 5, RiskLevel.LOW: 10, RiskLevel.NONE: 10}
)
#: Days between reviews of a case plan being carried out, by risk level.
DEFAULT_PLAN_REVIEW: Final[Mapping[RiskLevel, int]] = types.MappingProxyType(
    {RiskLevel.HIGH: 30, RiskLevel.MEDIUM: 60, RiskLevel.LOW: 90, RiskLevel.NONE: 90}
)

# A plan is reviewed while it is carried out.
_PLAN_IN_FORCE: Final = frozenset({CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP})
_LAST_ORDINAL: Final = date.max.toordinal()
_RISKS: Final = ", ".join(level.value for level in RiskLevel)


class DueKind(enum.StrEnum):
    """The kinds of work that are due by a deadline."""

    FIRST_ASSESSMENT = "first_assessment"
    REFERRAL_RESPONSE = "referral_response"
    PLAN_REVIEW = "plan_review"


class DeadlineSettingsError(SettingsError):
    """A ``deadlines`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _days(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeadlineSettingsError(
            key, value, "a deadline is a whole number of days", "Write it as e.g. 3."
        )
    if value < 0:
        raise DeadlineSettingsError(
            key, value, "a deadline cannot be negative", "Write 0 for the same day, or more."
        )
    return value


def _risk_key(key: object, section: str) -> RiskLevel:
    code = key.value if isinstance(key, RiskLevel) else key
    if isinstance(code, str) and code in RiskLevel.__members__.values():
        return RiskLevel(code)
    raise DeadlineSettingsError(
        f"{section}.{code}",
        code,
        "not a risk level",
        f"Give the days for each risk level: {_RISKS}.",
    )


def _days_by_risk(value: object, section: str) -> Mapping[RiskLevel, int]:
    if not isinstance(value, Mapping):
        raise DeadlineSettingsError(
            section,
            value,
            "it must map every risk level to a number of days",
            f"Write it as {{{', '.join(f'{level.value!r}: 3' for level in RiskLevel)}}}.",
        )
    days = {_risk_key(key, section): _days(item, f"{section}.{key}") for key, item in value.items()}
    missing = [level.value for level in RiskLevel if level not in days]
    if missing:
        raise DeadlineSettingsError(
            section,
            dict(value),
            f"no deadline for the risk level(s) {', '.join(missing)}",
            f"Give the days for each risk level: {_RISKS}.",
        )
    return types.MappingProxyType({level: days[level] for level in RiskLevel})


def _first_assessment(value: object) -> Mapping[RiskLevel, int]:
    return _days_by_risk(value, f"{SETTINGS_KEY}.{DueKind.FIRST_ASSESSMENT.value}")


def _referral_response(value: object) -> Mapping[RiskLevel, int]:
    return _days_by_risk(value, f"{SETTINGS_KEY}.{DueKind.REFERRAL_RESPONSE.value}")


def _plan_review(value: object) -> Mapping[RiskLevel, int]:
    return _days_by_risk(value, f"{SETTINGS_KEY}.{DueKind.PLAN_REVIEW.value}")


@attrs.frozen
class Deadlines:
    """How many days each kind of work may take, by risk level.

    The defaults are a **configuration, not law** (see ``docs/deadlines.md``): a deployment
    sets its own with :meth:`from_settings`.  Each mapping gives a whole number of days (0 for
    the same day) for every :class:`~wladna_core.model.RiskLevel`.

    :param first_assessment: from the opening of a case to its first assessment.
    :param referral_response: from the sending of a referral to the target's answer.
    :param plan_review: between reviews of a case plan being carried out.
    :raises DeadlineSettingsError: for a missing risk level or a negative number of days.
    """

    first_assessment: Mapping[RiskLevel, int] = attrs.field(
        default=DEFAULT_FIRST_ASSESSMENT, converter=_first_assessment, hash=False
    )
    referral_response: Mapping[RiskLevel, int] = attrs.field(
        default=DEFAULT_REFERRAL_RESPONSE,
        converter=_referral_response,
        hash=False,
    )
    plan_review: Mapping[RiskLevel, int] = attrs.field(
        default=DEFAULT_PLAN_REVIEW, converter=_plan_review, hash=False
    )

    def days(self, kind: DueKind, risk: RiskLevel) -> int:
        """Return the days allowed for ``kind`` of work in a case of ``risk``."""
        by_risk: Mapping[RiskLevel, int] = getattr(self, DueKind(kind).value)
        return by_risk[RiskLevel(risk)]

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> Deadlines:
        """Read the deadlines from deployment settings, over the defaults.

        ``settings["deadlines"]`` maps a kind of work (``first_assessment``,
        ``referral_response``, ``plan_review``) to days by risk level; a kind not named keeps
        its default, a kind named must give every risk level.

        >>> deadlines = Deadlines.from_settings(
        ...     {"deadlines": {"plan_review": {"high": 14, "medium": 30, "low": 60, "none": 90}}}
        ... )
        >>> deadlines.days(DueKind.PLAN_REVIEW, RiskLevel.HIGH)
        14

        :param settings: the deployment settings; other keys are ignored.
        :raises DeadlineSettingsError: naming the setting, for an unknown kind or risk level, a
            missing risk level, or a number of days that is negative or not a whole number.
        """
        if not isinstance(cast("object", settings), Mapping):
            raise DeadlineSettingsError(
                "settings",
                type(settings).__name__,
                "deployment settings are a mapping",
                f"Pass a mapping with the key {SETTINGS_KEY!r}.",
            )
        section = settings.get(SETTINGS_KEY)
        if section is None:
            return cls()
        kinds = ", ".join(kind.value for kind in DueKind)
        if not isinstance(section, Mapping):
            raise DeadlineSettingsError(
                SETTINGS_KEY,
                section,
                "it must map kinds of work to days by risk level",
                f"Use the kinds {kinds}.",
            )
        given: dict[str, Mapping[RiskLevel, int]] = {}
        for key, value in section.items():
            if key not in DueKind.__members__.values():
                raise DeadlineSettingsError(
                    f"{SETTINGS_KEY}.{key}", key, "not a kind of work", f"Use one of: {kinds}."
                )
            kind = DueKind(key)
            given[kind.value] = _days_by_risk(value, f"{SETTINGS_KEY}.{kind.value}")
        return cls(**given)


@attrs.frozen
class Due:
    """One piece of work due by a date.

    :param kind: what is due.
    :param case_id: the case the work is about.
    :param case_number: that case's human number, when it has one.
    :param body_id: the body that owes the work; ``None`` for the answer to a referral sent to
        a social programme or to the judicial authority, which no body of the system gives.
    :param due_on: the last day to do it.
    :param referral_id: the referral awaiting an answer, for ``referral_response``.
    """

    kind: DueKind
    case_id: str
    case_number: str | None
    body_id: str | None
    due_on: date
    referral_id: str | None = None


@attrs.frozen
class OverdueItem:
    """Work not done by its deadline, as :func:`overdue` lists it.

    :param kind: what is due.
    :param case_id: the case the work is about.
    :param case_number: that case's human number, when it has one.
    :param body_id: the body that owes the work (see :class:`Due`).
    :param referral_id: the referral awaiting an answer, for ``referral_response``.
    :param due_on: the last day it should have been done.
    :param days_overdue: how many days have passed since ``due_on`` (1 the day after).
    """

    kind: DueKind
    case_id: str
    case_number: str | None
    body_id: str | None
    referral_id: str | None
    due_on: date
    days_overdue: int


def _check_deadlines(deadlines: object) -> Deadlines:
    if not isinstance(deadlines, Deadlines):
        msg = f"deadlines must be Deadlines, got {type(deadlines).__name__}"
        raise TypeError(msg)
    return deadlines


def _check_date(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        msg = f"{name} must be a date, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def days_after(day: date, days: int) -> date:
    """Return the day ``days`` days after ``day``, or 9999-12-31 if that is later.

    The deadline of work begun at the very end of the calendar (a record dated 9999-12-30)
    cannot be written as a date; it is given as the last day there is, on which nothing is
    overdue yet, instead of failing.

    >>> days_after(date(2026, 3, 2), 30)
    datetime.date(2026, 4, 1)
    >>> days_after(date(9999, 12, 30), 30)
    datetime.date(9999, 12, 31)
    """
    return date.fromordinal(max(1, min(day.toordinal() + days, _LAST_ORDINAL)))


def response_due(case: Case, made_on: date, deadlines: Deadlines) -> date:
    """Return the day by which a referral of ``case`` sent on ``made_on`` should be answered.

    :param case: the case referred; its risk level sets the deadline.
    :param made_on: the day the referral is sent.
    :param deadlines: the deployment's deadlines.
    """
    days = _check_deadlines(deadlines).days(DueKind.REFERRAL_RESPONSE, case.risk)
    return days_after(_check_date(made_on, "made_on"), days)


def _review_due(case: Case, deadlines: Deadlines) -> date | None:
    plan = case.plan
    if plan is None or case.status not in _PLAN_IN_FORCE:
        return None
    reviews = [
        follow_up.on
        for follow_up in case.follow_ups
        if follow_up.kind is FollowUpKind.PLAN_REVIEW and follow_up.on >= plan.drawn_up_on
    ]
    days = deadlines.days(DueKind.PLAN_REVIEW, case.risk)
    if reviews:
        return days_after(max(reviews), days)
    return plan.review_on if plan.review_on is not None else days_after(plan.drawn_up_on, days)


def _referral_due(case: Case, referral: Referral, deadlines: Deadlines) -> Due:
    target = referral.target
    when = referral.response_due or response_due(case, referral.made_on, deadlines)
    return Due(
        kind=DueKind.REFERRAL_RESPONSE,
        case_id=case.id,
        case_number=case.number,
        body_id=target.body_id if target.kind is ReferralTargetKind.BODY else None,
        due_on=when,
        referral_id=referral.id,
    )


def due_dates(case: Case, referrals: Iterable[Referral], deadlines: Deadlines) -> list[Due]:
    """Return the work due in ``case`` and its pending referrals, with the day each is due.

    - A case still active and not yet assessed is due its first assessment ``opened_on`` plus
      the days for its risk level.
    - A pending referral is due an answer from its target at its ``response_due``, or else
      ``made_on`` plus the days for the case's risk level.
    - A case whose plan is being carried out (``implementation``, ``follow_up``) is due a
      review: the plan's ``review_on`` (or ``drawn_up_on`` plus the days for the risk level)
      until a follow-up of kind ``plan_review`` is recorded, then the latest such review plus
      the days for the risk level.

    A closed, transferred or duplicate case owes nothing.

    :param case: the case.
    :param referrals: the case's referrals (other statuses are ignored).
    :param deadlines: the deployment's deadlines.
    :returns: the work due, in order of due date; not yet due work included.
    :raises ValueError: if a referral belongs to another case.
    """
    deadlines = _check_deadlines(deadlines)
    given = list(referrals)
    for referral in given:
        if referral.case_id != case.id:
            msg = (
                f"referral {referral.id} belongs to case {referral.case_id}, not to case "
                f"{case.id}; pass each case with its own referrals"
            )
            raise ValueError(msg)
    if not case.is_active:
        return []
    due: list[Due] = []
    if case.assessment is None:
        days = deadlines.days(DueKind.FIRST_ASSESSMENT, case.risk)
        due.append(
            Due(
                kind=DueKind.FIRST_ASSESSMENT,
                case_id=case.id,
                case_number=case.number,
                body_id=case.body_id,
                due_on=days_after(case.opened_on, days),
            )
        )
    due.extend(
        _referral_due(case, referral, deadlines)
        for referral in given
        if referral.status is ReferralStatus.PENDING
    )
    review = _review_due(case, deadlines)
    if review is not None:
        due.append(
            Due(
                kind=DueKind.PLAN_REVIEW,
                case_id=case.id,
                case_number=case.number,
                body_id=case.body_id,
                due_on=review,
            )
        )
    return sorted(due, key=lambda item: (item.due_on, item.kind.value, item.referral_id or ""))


def overdue(
    cases: Iterable[Case],
    referrals: Iterable[Referral],
    *,
    on: date,
    deadlines: Deadlines,
    body_id: str | None = None,
) -> list[OverdueItem]:
    """Return the work not done by its deadline on the day ``on``, most overdue first.

    Work due on ``on`` itself is not overdue yet; work due the day before is 1 day overdue.
    See :func:`due_dates` for what is due when.  A referral whose case is not among ``cases``
    is left out: its deadline depends on the case.

    :param cases: the cases to look at (closed ones owe nothing).
    :param referrals: their referrals.
    :param on: the day of the question.
    :param deadlines: the deployment's deadlines.
    :param body_id: only the work this body owes: assessments and reviews of its cases, and
        answers to referrals sent to it.  All work when ``None``.
    :returns: the overdue work, most days overdue first, then by case number, case and referral.
    """
    on = _check_date(on, "on")
    deadlines = _check_deadlines(deadlines)
    by_case: dict[str, list[Referral]] = defaultdict(list)
    for referral in referrals:
        by_case[referral.case_id].append(referral)
    items: list[OverdueItem] = []
    for case in {case.id: case for case in cases}.values():
        for due in due_dates(case, by_case.get(case.id, ()), deadlines):
            if due.due_on >= on or (body_id is not None and due.body_id != body_id):
                continue
            items.append(
                OverdueItem(
                    kind=due.kind,
                    case_id=due.case_id,
                    case_number=due.case_number,
                    body_id=due.body_id,
                    referral_id=due.referral_id,
                    due_on=due.due_on,
                    days_overdue=(on - due.due_on).days,
                )
            )
    return sorted(items, key=_overdue_order)


def _overdue_order(item: OverdueItem) -> tuple[int, str, str, str, str]:
    return (
        -item.days_overdue,
        item.case_number or "",
        item.case_id,
        item.kind.value,
        item.referral_id or "",
    )
