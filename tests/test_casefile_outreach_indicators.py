"""The indicators of outreach and reunification: the same figures on every store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import STORES, store_url
from wladna_core.casefile.outreach import strategies as os_
from wladna_core.casefile.outreach.indicators import OUTREACH_INDICATORS
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    VisitOutcome,
)
from wladna_core.casefile.tracing.indicators import TRACING_INDICATORS
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Identification,
    IdentificationSource,
    Relation,
    Sex,
    TerritorialBody,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period, Privacy
from wladna_core.reporting.build import build_report
from wladna_core.storage import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.casefile.outreach import OutreachContact
    from wladna_core.reporting import Report
    from wladna_core.storage import Store

PM = make_plugin_manager(load_entrypoints=False)
ON = date(2026, 3, 2)
NAMES = [indicator.name for indicator in (*OUTREACH_INDICATORS, *TRACING_INDICATORS)]
BREAKDOWNS = [(), ("province",), ("month", "region"), ("quarter", "body"), ("year",)]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, plugins=PM, settings={"allow_reset": True}, clock=lambda: ON) as opened,
    ):
        yield opened


@pytest.fixture(scope="module")
def reference() -> Iterator[Store]:
    with open_store("memory://outreach-indicators", plugins=PM, clock=lambda: ON) as opened:
        opened.settings = {"allow_reset": True}
        yield opened


def _report(store: Store, by: tuple[str, ...], **options: object) -> Report:
    return build_report(store, NAMES, by=by, on=ON, plugins=PM, **options)  # type: ignore[arg-type]


@st.composite
def reunifications(draw: st.DrawFn, case_ids: list[str]) -> Reunification:
    on = ON - timedelta(days=draw(st.integers(0, 400)))
    visits = draw(st.lists(st.integers(0, (ON - on).days), max_size=2))
    return Reunification(
        case_id=draw(st.sampled_from(case_ids)),
        on=on,
        with_whom=draw(st.sampled_from([Relation.MOTHER, Relation.FATHER, Relation.GRANDPARENT])),
        where=draw(st.sampled_from(["MA-SAL", "MA-RAB", "MA-CAS", "MA-KEN"])),
        verified=draw(st.booleans()),
        follow_ups=tuple(
            FollowUpVisit(on + timedelta(days=day), VisitOutcome.WELL) for day in sorted(visits)
        ),
        outcome=draw(st.sampled_from(ReunificationOutcome)),
    )


def _fill(
    store: Store, contacts: list[OutreachContact], drawn: list[Reunification], body: TerritorialBody
) -> None:
    store.reset()
    with store.unit_of_work() as uow:
        uow.bodies.add(body)
        uow.bodies.add_many(
            {os_.body_for(contact).id: os_.body_for(contact) for contact in contacts}.values()
        )
        for contact in contacts:
            uow.repository(type(contact)).add(contact)
        child = uow.children.add(
            Child(sex=Sex.FEMALE, birth_date=date(2012, 5, 1), given_name="Hiba", id=_CHILD)
        )
        uow.cases.add(
            Case(
                child_id=child.id,
                body_id=body.id,
                territory="MA-SAL",
                opened_on=date(2024, 1, 1),
                identification=Identification(IdentificationSource.OUTREACH, date(2024, 1, 1)),
                id=_CASE,
            )
        )
        for item in drawn:
            uow.repository(Reunification).add(item)


_CHILD = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e31"
_CASE = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e32"
_BODY = TerritorialBody(
    name="UPE Salé",
    kind=BodyKind.UPE,
    territory="MA-SAL",
    id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e33",
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    contacts=st.lists(
        os_.outreach_contacts(on=ON).map(lambda contact: attrs.evolve(contact, case_id=None)),
        max_size=6,
        unique_by=lambda contact: contact.id,
    ),
    drawn=st.lists(reunifications([_CASE]), max_size=6),
    by=st.sampled_from(BREAKDOWNS),
    period=st.sampled_from([None, Period(date(2025, 6, 1), ON)]),
)
def test_every_store_gives_the_memory_stores_figures(
    store: Store,
    reference: Store,
    contacts: list[OutreachContact],
    drawn: list[Reunification],
    by: tuple[str, ...],
    period: Period | None,
) -> None:
    _fill(store, contacts, drawn, _BODY)
    _fill(reference, contacts, drawn, _BODY)
    assert _report(store, by, period=period).tables == _report(reference, by, period=period).tables


def test_reunifications_sustained_after_follow_up_are_counted(store: Store) -> None:
    followed = (FollowUpVisit(ON, VisitOutcome.WELL),)
    drawn = [
        Reunification(
            _CASE,
            ON,
            Relation.MOTHER,
            "MA-SAL",
            verified=True,
            follow_ups=followed,
            outcome=ReunificationOutcome.SUSTAINED,
        ),
        # Said to be sustained without a visit: not counted as sustained after follow-up.
        Reunification(_CASE, ON, Relation.MOTHER, "MA-SAL", outcome=ReunificationOutcome.SUSTAINED),
        Reunification(
            _CASE,
            ON - timedelta(days=40),
            Relation.FATHER,
            "MA-RAB",
            outcome=ReunificationOutcome.BREAKDOWN,
        ),
    ]
    _fill(store, [], drawn, _BODY)
    report = build_report(store, ["reunifications"], by=("province",), on=ON, plugins=PM)
    table = report.table("reunifications")
    assert table.measures == ("reunifications", "verified", "followed_up", "sustained", "breakdown")
    assert set(table.body) == {("MA-RAB", 1, 0, 0, 0, 1), ("MA-SAL", 2, 1, 1, 1, 0)}
    public = build_report(
        store, ["reunifications"], by=("province",), on=ON, plugins=PM, privacy=Privacy.PUBLIC
    )
    assert public.table("reunifications").suppressed  # every cell is below 5
