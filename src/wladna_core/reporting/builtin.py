"""The built-in indicators of DESIGN section 8, contributed as a plug-in (``wladna_indicators``).

Each is declared once (:mod:`wladna_core.reporting.engine`) and computed in Python on the memory
store and in grouped SQL on the SQL store.  ``docs/indicators.md`` is their reference.

Events (a case opened, a referral answered...) are counted when their date falls in the
report's period, or on any day up to the report's date without a period.  Stocks (open cases,
overdue work, caseloads) are counted on the last day of the period, or on the report's date.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

import sqlalchemy as sa

from wladna_core.deadlines import DueKind
from wladna_core.hookspecs import hookimpl
from wladna_core.model import ClosureReason, ReferralStatus, ReferralTargetKind, RiskLevel
from wladna_core.reporting.engine import (
    CASES,
    REFERRALS,
    Condition,
    Count,
    Median,
    Part,
    PerWorker,
    Share,
    Sum,
    declared,
    happened,
    is_one_of,
    open_on_end,
)
from wladna_core.reporting.indicators import Indicator

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from wladna_core.reporting.engine import Columns, Facts, Window

__all__ = ["BUILTIN_INDICATORS", "wladna_indicators"]

_PERIODS: Final = ("month", "quarter", "year")
_PLACES: Final = ("region", "province", "body")
_CHILD: Final = ("risk", "concern", "sex", "age_band")
_CASE_EVENT: Final = (*_PERIODS, *_PLACES, *_CHILD, "status")
_CASE_STOCK: Final = (*_PLACES, *_CHILD, "status")
_REFERRAL_EVENT: Final = (*_PERIODS, *_PLACES, *_CHILD, "status", "service", "programme")


def _days_within(field: str, low: int | None, high: int | None) -> Condition:
    """``low <= field <= high`` for a whole number of days (either bound may be open)."""

    def python(facts: Facts, _window: Window) -> bool:
        days = facts[field]
        return days is not None and (low is None or days >= low) and (high is None or days <= high)

    def sql(columns: Columns, _window: Window) -> sa.ColumnElement[bool]:
        column = columns[field]
        bounds: list[sa.ColumnElement[bool]] = [column.is_not(None)]
        if low is not None:
            bounds.append(column >= low)
        if high is not None:
            bounds.append(column <= high)
        return sa.and_(*bounds)

    return Condition(python, sql)


def _by_risk(
    kind: DueKind,
    window: Window,
    compare: sa.ColumnElement[str],
    test: Callable[[int], sa.ColumnElement[bool]],
) -> sa.ColumnElement[bool]:
    """``OR`` over the risk levels of ``risk = level AND test(days allowed at that level)``."""
    return sa.or_(
        *(
            sa.and_(compare == level.value, test(window.deadlines.days(kind, level)))
            for level in RiskLevel
        )
    )


def _more_than_days_before(day: date, end: date, days: int) -> bool:
    """Whether ``day`` is more than ``days`` days before ``end`` (``day + days < end``).

    Counted in day numbers, so that no date before 0001-01-01 or after 9999-12-31 is made.
    """
    return day.toordinal() + days < end.toordinal()


def _before_days_before(
    column: sa.ColumnElement[date], end: date, days: int
) -> sa.ColumnElement[bool]:
    """Return SQL for ``column < end - days``: false when that day is before 0001-01-01."""
    limit = end.toordinal() - days
    if limit < 1:
        return sa.false()
    return column < date.fromordinal(limit)


def _allowed(kind: DueKind, window: Window, risk: object) -> int | None:
    if risk is None:
        return None
    return window.deadlines.days(kind, RiskLevel(str(risk)))


def _assessed_within_deadline() -> Condition:
    def python(facts: Facts, window: Window) -> bool:
        allowed = _allowed(DueKind.FIRST_ASSESSMENT, window, facts["risk"])
        days = facts["days_to_assessment"]
        return allowed is not None and days is not None and days <= allowed

    def sql(columns: Columns, window: Window) -> sa.ColumnElement[bool]:
        days = columns["days_to_assessment"]
        return _by_risk(DueKind.FIRST_ASSESSMENT, window, columns["risk"], lambda n: days <= n)

    return Condition(python, sql)


def _assessment_overdue() -> Condition:
    """Open, not assessed by the day, and opened more than the days allowed before it."""

    def python(facts: Facts, window: Window) -> bool:
        assessed = facts["assessed_on"]
        allowed = _allowed(DueKind.FIRST_ASSESSMENT, window, facts["risk"])
        return (
            (assessed is None or assessed > window.end)
            and allowed is not None
            and _more_than_days_before(facts["opened_on"], window.end, allowed)
        )

    def sql(columns: Columns, window: Window) -> sa.ColumnElement[bool]:
        assessed, opened = columns["assessed_on"], columns["opened_on"]
        return sa.and_(
            sa.or_(assessed.is_(None), assessed > window.end),
            _by_risk(
                DueKind.FIRST_ASSESSMENT,
                window,
                columns["risk"],
                lambda n: _before_days_before(opened, window.end, n),
            ),
        )

    return open_on_end() & Condition(python, sql)


def _response_overdue() -> Condition:
    """Sent by the day, neither answered nor closed by it, due before it, of an open case."""

    def python(facts: Facts, window: Window) -> bool:
        end = window.end
        answered, closed, due = facts["responded_on"], facts["closed_on"], facts["response_due"]
        if due is None:
            allowed = _allowed(DueKind.REFERRAL_RESPONSE, window, facts["risk"])
            late = allowed is not None and _more_than_days_before(facts["made_on"], end, allowed)
        else:
            late = due < end
        return (
            facts["made_on"] <= end
            and (answered is None or answered > end)
            and (closed is None or closed > end)
            and late
        )

    def sql(columns: Columns, window: Window) -> sa.ColumnElement[bool]:
        end = window.end
        answered, closed = columns["responded_on"], columns["closed_on"]
        due, made = columns["response_due"], columns["made_on"]
        return sa.and_(
            made <= end,
            sa.or_(answered.is_(None), answered > end),
            sa.or_(closed.is_(None), closed > end),
            sa.or_(
                sa.and_(due.is_not(None), due < end),
                sa.and_(
                    due.is_(None),
                    _by_risk(
                        DueKind.REFERRAL_RESPONSE,
                        window,
                        columns["risk"],
                        lambda n: _before_days_before(made, end, n),
                    ),
                ),
            ),
        )

    return open_on_end("case_") & Condition(python, sql)


def _accepted() -> Condition:
    """Return "accepted by the target": accepted or completed now, or cancelled after that."""
    kept = frozenset({ReferralStatus.ACCEPTED.value, ReferralStatus.COMPLETED.value})
    cancelled = ReferralStatus.CANCELLED.value

    def python(facts: Facts, _window: Window) -> bool:
        status = facts["status"]
        return status in kept or (status == cancelled and facts["responded_on"] is not None)

    def sql(columns: Columns, _window: Window) -> sa.ColumnElement[bool]:
        status = columns["status"]
        return sa.or_(
            status.in_(sorted(kept)),
            sa.and_(status == cancelled, columns["responded_on"].is_not(None)),
        )

    return Condition(python, sql)


def _indicators() -> tuple[Indicator, ...]:
    cases_opened = Indicator.declare(
        declared(Part(CASES, happened("opened_on"), "opened_on", (Count("count"),))),
        name="cases_opened",
        title="Cases opened",
        definition=(
            "The number of cases opened in the period (on any day up to the report's date "
            "without a period). A case is dated by its opening day; the period dimensions "
            "bucket that day, and the status is the case's status now."
        ),
        unit="count",
        dimensions=_CASE_EVENT,
        counts="cases",
    )
    open_caseload = Indicator.declare(
        declared(Part(CASES, open_on_end(), None, (Count("count"),))),
        name="open_caseload",
        title="Open caseload",
        definition=(
            "The number of cases open on the last day of the period (or on the report's date): "
            "opened on or before that day and not closed by it. Transferred and duplicate cases "
            "are not counted, since the case that continues them is."
        ),
        unit="count",
        dimensions=_CASE_STOCK,
        counts="cases",
    )
    reasons = tuple(ClosureReason)
    closures = Indicator.declare(
        declared(
            Part(
                CASES,
                happened("closed_on"),
                "closed_on",
                (
                    Count("count"),
                    *(
                        Count(reason.value, is_one_of("closure_reason", reason.value))
                        for reason in reasons
                    ),
                ),
            )
        ),
        name="closures_by_reason",
        title="Closures by reason",
        definition=(
            "The number of cases closed in the period, in all (count) and for each reason of "
            "closure (one measure per reason). A case is dated by the day of its closure; a "
            "case reopened since is no longer closed and is not counted."
        ),
        unit="count",
        dimensions=(*_PERIODS, *_PLACES, *_CHILD),
        counts="cases",
        # Every closed case has one reason: the reasons add up to the count.
        sums={"count": tuple(reason.value for reason in reasons)},
    )
    first_assessment = Indicator.declare(
        declared(
            Part(
                CASES,
                happened("assessed_on"),
                "assessed_on",
                (
                    Count("assessed"),
                    Median("median_days", "days_to_assessment"),
                    Count("within_deadline", _assessed_within_deadline()),
                ),
            ),
            derived=(Share("share_within_deadline", "within_deadline", ("assessed",)),),
        ),
        name="time_to_first_assessment",
        title="Time to first assessment",
        definition=(
            "Cases whose first assessment was made in the period: how many (assessed), the "
            "lower median of the days from opening to assessment (median_days; of an even "
            "number of cases, the lower of the two middle values), how many were assessed "
            "within the deadline of their risk level (within_deadline) and their share of all "
            "assessed (share_within_deadline; empty when none was assessed)."
        ),
        unit="days",
        dimensions=_CASE_EVENT,
        counts="cases",
        counts_behind={
            "median_days": ("assessed",),
            "share_within_deadline": ("within_deadline", "assessed"),
        },
    )
    time_to_closure = Indicator.declare(
        declared(
            Part(
                CASES,
                happened("closed_on"),
                "closed_on",
                (
                    Count("closed"),
                    Count("days_0_30", _days_within("days_open", None, 30)),
                    Count("days_31_90", _days_within("days_open", 31, 90)),
                    Count("days_91_180", _days_within("days_open", 91, 180)),
                    Count("days_over_180", _days_within("days_open", 181, None)),
                ),
            )
        ),
        name="time_to_closure",
        title="Time from opening to closure",
        definition=(
            "Cases closed in the period, in all (closed) and by the days from opening to "
            "closure: up to 30, 31 to 90, 91 to 180, more than 180."
        ),
        unit="count",
        dimensions=(*_PERIODS, *_PLACES, *_CHILD),
        counts="cases",
        sums={"closed": ("days_0_30", "days_31_90", "days_91_180", "days_over_180")},
    )
    overdue = Indicator.declare(
        declared(
            Part(CASES, _assessment_overdue(), None, (Count("first_assessments"),)),
            Part(REFERRALS, _response_overdue(), None, (Count("referral_responses"),)),
            derived=(Sum("count", ("first_assessments", "referral_responses")),),
        ),
        name="overdue_actions",
        title="Overdue actions",
        definition=(
            "Work not done by its deadline on the last day of the period (or on the report's "
            "date): first assessments of open cases not assessed although opened more than the "
            "days allowed for their risk level before that day, and answers to referrals sent, "
            "neither answered nor closed by that day, whose response was due before it (the "
            "referral's response_due, or the days allowed for the case's risk level). The "
            "deadlines are the deployment's (wladna_core.deadlines); count is the sum."
        ),
        unit="count",
        dimensions=("region", "province", "body", "risk"),
        counts="cases",
        sums={"count": ("first_assessments", "referral_responses")},
    )
    referrals = Indicator.declare(
        declared(
            Part(
                REFERRALS,
                happened("made_on"),
                "made_on",
                (
                    Count("made"),
                    Count("accepted", _accepted()),
                    Count("rejected", is_one_of("status", ReferralStatus.REJECTED.value)),
                    Count("completed", is_one_of("status", ReferralStatus.COMPLETED.value)),
                ),
            ),
            derived=(Share("acceptance_rate", "accepted", ("accepted", "rejected")),),
        ),
        name="referrals",
        title="Referrals made, accepted, rejected and completed",
        definition=(
            "Referrals made in the period: how many (made), accepted by their target (now "
            "accepted or completed, or cancelled after being accepted), rejected, completed, "
            "and the acceptance rate: accepted over accepted and rejected (empty when none was "
            "answered). The body is the one that made the referral; the territory, risk, "
            "concerns, sex and age band are those of the case referred."
        ),
        unit="count",
        dimensions=_REFERRAL_EVENT,
        counts="referrals",
        counts_behind={"acceptance_rate": ("accepted", "rejected")},
    )
    response_time = Indicator.declare(
        declared(
            Part(
                REFERRALS,
                happened("responded_on"),
                "responded_on",
                (Count("answered"), Median("median_days", "days_to_response")),
            )
        ),
        name="referral_response_time",
        title="Median referral response time",
        definition=(
            "Referrals answered (accepted or rejected) in the period: how many (answered) and "
            "the lower median of the days from the referral to its answer (median_days; of an "
            "even number, the lower of the two middle values)."
        ),
        unit="days",
        dimensions=_REFERRAL_EVENT,
        counts="referrals",
        counts_behind={"median_days": ("answered",)},
    )
    programme_referrals = Indicator.declare(
        declared(
            Part(
                REFERRALS,
                happened("made_on") & is_one_of("target_kind", ReferralTargetKind.PROGRAMME.value),
                "made_on",
                (Count("count"),),
            )
        ),
        name="programme_referrals",
        title="Referrals to social programmes",
        definition=(
            "The number of referrals to public social programmes (ASD, AMO Tadamon, Tayssir, "
            "Entraide Nationale...) made in the period; break it down by programme to see "
            "each one."
        ),
        unit="count",
        dimensions=_REFERRAL_EVENT,
        counts="referrals",
    )
    caseload = Indicator.declare(
        declared(
            PerWorker(
                open_on_end(),
                "workers",
                (
                    ("cases_0_9", 0, 9),
                    ("cases_10_19", 10, 19),
                    ("cases_20_29", 20, 29),
                    ("cases_30_plus", 30, None),
                ),
            )
        ),
        name="caseload_per_worker",
        title="Caseload per worker",
        definition=(
            "Workers with at least one open case on the last day of the period (or on the "
            "report's date), in all (workers) and by the number of open cases assigned to each: "
            "fewer than 10, 10 to 19, 20 to 29, 30 or more. Broken down by a dimension, a "
            "worker's caseload is counted within each of its values; cases without a worker "
            "are left out."
        ),
        unit="count",
        dimensions=_PLACES,
        counts="cases",
        sums={"workers": ("cases_0_9", "cases_10_19", "cases_20_29", "cases_30_plus")},
    )
    return (
        cases_opened,
        open_caseload,
        closures,
        first_assessment,
        time_to_closure,
        overdue,
        referrals,
        response_time,
        programme_referrals,
        caseload,
    )


#: The built-in indicators, in the order of the reference page.
BUILTIN_INDICATORS: Final = _indicators()


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Contribute the built-in indicators."""
    return BUILTIN_INDICATORS
