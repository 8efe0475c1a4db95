"""Bad input to the services of outreach, tracing and reunification, on every store.

Arguments of the wrong shape are refused with an :class:`~wladna_core.errors.InvalidRecord`
naming the path and the code, or a :class:`TypeError` / :class:`ValueError` naming the
argument — never a traceback from inside — and every store answers alike.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from casework import STORES, TODAY, Deployment, deployed
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.errors import InvalidRecord
from wladna_core.model import Relation, Sex

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

BIG = "x" * 1_000_000


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def _contact(dep: Deployment) -> OutreachContact:
    return OutreachContact(
        body_id=dep.upe.id,
        territory="MA-SAL",
        place="Bab Lamrissa",
        on=TODAY,
        team="Équipe mobile",
        child=ChildAsMet(alias="Simo", approximate_age=12, sex=Sex.MALE),
        offered={OutreachOffer.FOOD},
        agreed=True,
    )


def _refused(call: Callable[[], object]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as refused:
        call()
    return [(violation.path, violation.code) for violation in refused.value.violations]


# --- record arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", [None, {}, "x", {"case_id": "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"}]
)
def test_a_record_argument_of_another_type_is_a_clear_type_error(
    dep: Deployment, given: Any
) -> None:
    cf = dep.as_(dep.worker).casefile
    calls: dict[str, Callable[[], object]] = {
        "contact must be a OutreachContact": lambda: cf.record_outreach(given),
        "action must be a TracingAction": lambda: cf.record_tracing(given),
        "reunification must be a Reunification": lambda: cf.record_reunification(given),
        "visit must be a FollowUpVisit": lambda: cf.record_reunification_follow_up(
            "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f", given
        ),
    }
    for message, call in calls.items():
        with pytest.raises(TypeError, match=message):
            call()
    assert [entry for entry in dep.wl.audit.entries() if entry.action.startswith("outreach")] == []


# --- updates made from arguments --------------------------------------------------------------


def _tracing(dep: Deployment) -> tuple[TracingAction, Reunification]:
    case = dep.case()
    cf = dep.as_(dep.worker).casefile
    action = cf.record_tracing(
        TracingAction(case_id=case.id, on=TODAY, method=TracingMethod.HOME_VISIT, sought="la mère")
    ).record
    reunification = cf.record_reunification(
        Reunification(
            case_id=case.id, on=TODAY, with_whom=Relation.MOTHER, where="MA-SAL", verified=True
        )
    ).record
    return action, reunification


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"result": "bogus"}, ("$.result", "input.enum")),
        ({"note": "a\x00b"}, ("$.note", "input.invalid_character")),
        ({"note": "\ud800"}, ("$.note", "input.encoding")),
        ({"note": BIG}, ("$.note", "input.too_long")),
    ],
)
def test_a_bad_tracing_result_is_an_invalid_record_with_its_path(
    dep: Deployment, changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    action, _ = _tracing(dep)
    arguments: dict[str, Any] = {"result": TracingResult.FOUND, **changes}
    cf = dep.as_(dep.worker).casefile
    assert _refused(lambda: cf.record_tracing_result(action.id, **arguments)) == [expected]
    assert cf.tracing(action.case_id).actions == (action,)


def test_a_bad_follow_up_outcome_is_an_invalid_record_with_its_path(dep: Deployment) -> None:
    _, reunification = _tracing(dep)
    cf = dep.as_(dep.worker).casefile
    visit = FollowUpVisit(TODAY, VisitOutcome.WELL)
    refused = _refused(
        lambda: cf.record_reunification_follow_up(reunification.id, visit, outcome="bogus")  # type: ignore[arg-type]
    )
    assert refused == [("$.outcome", "input.enum")]


def test_the_expected_version_of_tracing_updates_is_optional(dep: Deployment) -> None:
    action, reunification = _tracing(dep)
    cf = dep.as_(dep.worker).casefile
    found = cf.record_tracing_result(action.id, TracingResult.FOUND).record
    assert (found.result, found.note, found.version) == (TracingResult.FOUND, action.note, 2)
    visited = cf.record_reunification_follow_up(
        reunification.id, FollowUpVisit(TODAY, VisitOutcome.WELL)
    ).record
    assert (len(visited.follow_ups), visited.version) == (1, 2)


@pytest.mark.parametrize("version", ["1", 1.0, True, None.__class__])
def test_an_expected_version_that_is_not_a_whole_number_is_refused_naming_it(
    dep: Deployment, version: object
) -> None:
    action, _reunification = _tracing(dep)
    cf = dep.as_(dep.worker).casefile
    with pytest.raises(TypeError, match="expected_version is the version the record was read at"):
        cf.record_tracing_result(action.id, TracingResult.FOUND, expected_version=version)  # type: ignore[arg-type]
    # Nothing was changed: the action is still at its first version, its result pending.
    assert [item.version for item in cf.tracing(action.case_id).actions] == [1]


# --- the filters of outreach() ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "error", "message"),
    [
        ({"on_from": "2026-01-01"}, TypeError, r"outreach\(\): on_from must be a date"),
        ({"on_to": datetime(2026, 1, 1)}, TypeError, r"outreach\(\): on_to must be a date"),
        ({"agreed": "yes"}, TypeError, r"outreach\(\): agreed must be True, False or None"),
        ({"agreed": 1}, TypeError, r"outreach\(\): agreed must be True, False or None"),
        ({"territory": 4}, TypeError, r"outreach\(\): territory must be a territory code"),
        ({"territory": "MA\x00"}, ValueError, r"outreach\(\): territory is not a known"),
        ({"territory": "MA-XYZ"}, ValueError, r"outreach\(\): territory is not a known"),
        ({"territory": "\ud800"}, ValueError, r"outreach\(\): territory is not a known"),
        (
            {"on_from": date(2026, 3, 2), "on_to": date(2026, 1, 1)},
            ValueError,
            r"outreach\(\): on_from \(2026-03-02\) is after on_to \(2026-01-01\)",
        ),
    ],
)
def test_a_bad_filter_of_outreach_is_refused_naming_it_on_every_store(
    dep: Deployment, filters: dict[str, Any], error: type[Exception], message: str
) -> None:
    cf = dep.as_(dep.worker).casefile
    cf.record_outreach(_contact(dep))
    with pytest.raises(error, match=message):
        cf.outreach(dep.upe.id, **filters)
    # Checked before anything else: an outsider is told the same, and learns nothing of the body.
    with pytest.raises(error, match=message):
        dep.as_(dep.outsider).casefile.outreach(dep.upe.id, **filters)


def test_good_filters_of_outreach_answer_alike_on_every_store(dep: Deployment) -> None:
    cf = dep.as_(dep.worker).casefile
    contact = cf.record_outreach(_contact(dep)).record
    assert cf.outreach(dep.upe.id, territory="MA-04", agreed=True, on_from=TODAY) == [contact]
    assert cf.outreach(dep.upe.id, territory="MA-RAB") == []
    assert cf.outreach(dep.upe.id, on_from=TODAY, on_to=TODAY) == [contact]
