"""The training indicators: the same figures on every store, small groups withheld."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, store_url
from wladna_core.model import BodyKind, TerritorialBody
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period, build_report
from wladna_core.storage import open_store
from wladna_core.training import (
    Criterion,
    Enrolment,
    Evaluation,
    NeedCode,
    Participant,
    Rating,
    Sector,
    SessionMode,
    StaffRole,
    TrainingSession,
    TrainingUnit,
)
from wladna_core.training import strategies as tst
from wladna_core.training.indicators import MIN_GROUP_SIZE, TRAINING_INDICATORS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.reporting import Report
    from wladna_core.storage import Store

PM = make_plugin_manager(load_entrypoints=False)
ON = date(2026, 3, 2)
NAMES = [indicator.name for indicator in TRAINING_INDICATORS]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, plugins=PM, settings={"allow_reset": True}, clock=lambda: ON) as opened,
    ):
        yield opened


@pytest.fixture(scope="module")
def reference() -> Iterator[Store]:
    with open_store("memory://training-indicators", plugins=PM, clock=lambda: ON) as opened:
        opened.settings = {"allow_reset": True}
        yield opened


def _report(store: Store, names: list[str], by: tuple[str, ...], **options: object) -> Report:
    return build_report(store, names, by=by, on=ON, plugins=PM, **options)  # type: ignore[arg-type]


def _allowing(by: tuple[str, ...]) -> list[str]:
    return [i.name for i in TRAINING_INDICATORS if set(by) <= set(i.dimensions)]


def _fill(store: Store, file: tst.TrainingFile) -> None:
    store.reset()
    with store.unit_of_work() as uow:
        uow.bodies.add_many(file.bodies)
        for record in file.records:
            uow.repository(type(record)).add(record)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file=tst.training_files(on=ON, max_participants=8),
    by=st.sampled_from([(), ("region",), ("province", "mode"), ("body_kind",), ("unit",)]),
    period=st.sampled_from([None, Period(date(2025, 1, 1), ON)]),
)
def test_every_store_gives_the_memory_stores_figures(
    store: Store,
    reference: Store,
    file: tst.TrainingFile,
    by: tuple[str, ...],
    period: Period | None,
) -> None:
    names = _allowing(by)
    _fill(store, file)
    _fill(reference, file)
    expected = _report(reference, names, by, period=period)
    assert _report(store, names, by, period=period).tables == expected.tables


# --- examples -------------------------------------------------------------------------------------


def _programme(store: Store, evaluations: dict[str, int]) -> None:
    """Sessions in Salé and Rabat, each unit evaluated as many times as ``evaluations`` says."""
    with store.unit_of_work() as uow:
        bodies = uow.bodies.add_many(
            [
                TerritorialBody(name="CAPE Salé", kind=BodyKind.CAPE, territory="MA-SAL"),
                TerritorialBody(name="UPE Rabat", kind=BodyKind.UPE, territory="MA-RAB"),
            ]
        )
        for code, count in evaluations.items():
            unit = uow.repository(TrainingUnit).add(
                TrainingUnit(code=code, title_ar="وحدة", title_fr="Module", duration_hours=6)
            )
            session = uow.repository(TrainingSession).add(
                TrainingSession(
                    units=[unit.id],
                    mode=SessionMode.REMOTE,
                    days=[date(2026, 2, 2), date(2026, 2, 3)],
                    territory="MA-SAL",
                    capacity=80,
                )
            )
            people = uow.repository(Participant).add_many(
                Participant(f"{code}-{n}", bodies[n % 2].id, StaffRole.CASE_WORKER, Sector.HEALTH)
                for n in range(count)
            )
            uow.repository(Enrolment).add_many(
                Enrolment(
                    person.id,
                    session.id,
                    date(2026, 1, 5),
                    attended=session.days[: 1 + n % 2],
                    completed=n % 2 == 1,
                    pre_test=40,
                    post_test=40 + 10 * (n % 4),
                )
                for n, person in enumerate(people)
            )
            uow.repository(Evaluation).add_many(
                Evaluation(
                    session.id,
                    date(2026, 2, 10),
                    ratings=[Rating(Criterion.CONTENT, 1 + n % 5)],
                    needs={NeedCode.MORE_PRACTICE},
                )
                for n in range(count)
            )


def _rows(report: Report) -> list[tuple[object, ...]]:
    (table,) = report.tables
    return list(table.body)


def test_evaluation_scores_of_a_small_group_are_withheld_with_the_next_smallest(
    store: Store,
) -> None:
    _programme(store, {"BI-01": 6, "BI-02": 2, "BI-03": 9})
    rows = _rows(_report(store, ["training_evaluation_scores"], ("unit",)))
    shown = {row[0]: (row[1], row[2]) for row in rows}
    # BI-02 has 2 evaluations: withheld; alone it would be the total less the others, so the
    # next smallest (BI-01) is withheld too.
    assert shown["BI-02"] == (None, None)
    assert shown["BI-01"] == (None, None)
    assert shown["BI-03"] == (9, round(sum(1 + n % 5 for n in range(9)) / 9, 2))


def test_needs_are_counted_only_in_groups_large_enough(store: Store) -> None:
    _programme(store, {"BI-01": MIN_GROUP_SIZE, "BI-02": MIN_GROUP_SIZE - 1})
    rows = _rows(_report(store, ["training_needs"], ("need",)))
    assert rows == [("more_practice", 2 * MIN_GROUP_SIZE - 1)]


def test_attendance_completion_and_score_gains(store: Store) -> None:
    _programme(store, {"BI-01": 4})
    report = _report(store, ["training_attendance", "training_score_gains"], ())
    attendance, gains = report.tables
    # Four enrolments, two completed; days attended 1+2+1+2 of 4 x 2 held.
    assert attendance.body == ((4, 2, 0.5, 6, 8, 0.75),)
    assert gains.body == ((4, 40.0, 55.0, 15.0),)


def test_staff_trained_and_coverage_by_body_kind(store: Store) -> None:
    _programme(store, {"BI-01": 4})
    staff, coverage = _report(
        store, ["training_staff_trained", "training_rollout_coverage"], ("body_kind",)
    ).tables
    # Participants 0 and 2 work at the CAPE, 1 and 3 at the UPE; 1 and 3 completed.
    assert staff.body == (("cape", 2, 0, 0.0), ("upe", 2, 2, 1.0))
    assert coverage.body == (("cape", 1, 0, 0.0), ("upe", 1, 1, 1.0))
