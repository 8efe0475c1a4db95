"""The planner: every participant placed or reported, capacities kept, physical units in rooms."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.model import BodyKind, Gazetteer, TerritorialBody, new_id
from wladna_core.testing import strategies as ws
from wladna_core.training import (
    Delivery,
    InternetAccess,
    Participant,
    Sector,
    SessionMode,
    SessionPlan,
    SiteLogistics,
    StaffRole,
    TrainingSettings,
    TrainingUnit,
    UnplacedReason,
    plan_sessions,
)
from wladna_core.training import strategies as ts

GAZETTEER = Gazetteer.morocco()
# Provinces of two regions, and the whole country, so that venues are shared or out of reach.
PLACES = ("MA-RAB", "MA-SAL", "MA-KEN", "MA-SKH", "MA-MAR", "MA-SAF", "MA")


@attrs.frozen
class Scenario:
    unit: TrainingUnit
    bodies: tuple[TerritorialBody, ...]
    sites: tuple[SiteLogistics, ...]
    participants: tuple[Participant, ...]
    settings: TrainingSettings


BODIES = {place: ws.territorial_bodies(territory=place) for place in PLACES}
SITES = st.builds(
    SiteLogistics,
    body_id=st.just("00000000-0000-7000-8000-000000000000"),  # replaced by its owner
    recorded_on=st.integers(1, 12).map(lambda month: date(2025, month, 1)),
    seats=st.integers(0, 12),
    devices=st.integers(0, 12),
    internet=st.sampled_from(InternetAccess),
)
SETTINGS = st.builds(
    TrainingSettings,
    remote_capacity=st.integers(1, 12),
    in_person_capacity=st.integers(1, 12),
    remote_access=st.sampled_from(InternetAccess),
)


def distinct_ids(draw: st.DrawFn, count: int) -> list[str]:
    ids: list[str] = draw(st.lists(ws.record_ids(), min_size=count, max_size=count, unique=True))
    return ids


@st.composite
def scenarios(draw: st.DrawFn, delivery: Delivery | None = None) -> Scenario:
    places = draw(st.lists(st.sampled_from(PLACES), min_size=1, max_size=6))
    body_ids = distinct_ids(draw, len(places) + 1)
    bodies = [
        attrs.evolve(draw(BODIES[place]), id=body_id)
        for place, body_id in zip(places, body_ids, strict=False)
    ]
    stranger = body_ids[-1]  # the body of participants whose body is not given
    owners = [body.id for body in bodies for _ in range(draw(st.integers(0, 2)))]
    sites = [
        attrs.evolve(draw(SITES), body_id=owner, id=site_id)
        for owner, site_id in zip(owners, distinct_ids(draw, len(owners)), strict=True)
    ]
    # One participant in ten or so belongs to a body that is not given.
    homes = [*[body.id for body in bodies] * 9, stranger]
    count = draw(st.integers(0, 30))
    people = [
        Participant(
            person_id=f"staff-{number}",
            body_id=homes[draw(st.integers(0, len(homes) - 1))],
            role=StaffRole.CASE_WORKER,
            institution=Sector.ENTRAIDE_NATIONALE,
            id=person_id,
        )
        for number, person_id in enumerate(distinct_ids(draw, count))
    ]
    return Scenario(
        unit=draw(ts.training_units(delivery=delivery)),
        bodies=tuple(bodies),
        sites=tuple(sites),
        participants=tuple(people),
        settings=draw(SETTINGS),
    )


def plan_of(scenario: Scenario, **changes: Any) -> SessionPlan:
    arguments: dict[str, Any] = {
        "unit": scenario.unit,
        "participants": scenario.participants,
        "sites": scenario.sites,
        "bodies": scenario.bodies,
        "settings": scenario.settings,
    }
    arguments.update(changes)
    return plan_sessions(**arguments)


def latest_sites(scenario: Scenario) -> dict[str, SiteLogistics]:
    latest: dict[str, SiteLogistics] = {}
    for site in sorted(scenario.sites, key=lambda item: (item.recorded_on, item.id)):
        latest[site.body_id] = site
    return latest


@given(scenarios())
def test_every_participant_is_placed_once_or_reported_unplaced(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    placed = [pid for session in plan.sessions for pid in session.participant_ids]
    reported = [item.participant_id for item in plan.unplaced]
    assert Counter(placed + reported) == Counter(p.id for p in scenario.participants)


@given(scenarios(delivery=Delivery.PHYSICAL_ONLY))
def test_a_physical_only_unit_is_never_planned_remote(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    assert all(session.mode is SessionMode.IN_PERSON for session in plan.sessions)
    assert all(gap.purpose is SessionMode.IN_PERSON for gap in plan.gaps)


@given(scenarios())
def test_no_session_holds_more_than_its_capacity_or_its_room(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    sites = {site.id: site for site in scenario.sites}
    for session in plan.sessions:
        assert 1 <= len(session.participant_ids) <= session.capacity
        if session.mode is SessionMode.REMOTE:
            assert session.capacity == scenario.settings.remote_capacity
            assert session.venue_site_id is None
        else:
            venue = sites[session.venue_site_id or ""]
            assert session.capacity <= venue.seats
            assert session.capacity <= scenario.settings.in_person_capacity


@given(scenarios())
def test_remote_participants_have_a_device_and_a_connection_at_their_site(
    scenario: Scenario,
) -> None:
    plan = plan_of(scenario)
    site_of = latest_sites(scenario)
    body_of = {person.id: person.body_id for person in scenario.participants}
    remote = Counter(
        body_of[pid]
        for session in plan.sessions
        if session.mode is SessionMode.REMOTE
        for pid in session.participant_ids
    )
    for body_id, count in remote.items():
        site = site_of[body_id]
        assert count <= site.devices
        assert site.internet.at_least(scenario.settings.remote_access)
    for session in plan.sessions:
        if session.mode is SessionMode.REMOTE:
            expected = {site_of[body_of[pid]].id for pid in session.participant_ids}
            assert set(session.connect_from) == expected


@given(scenarios(delivery=Delivery.REMOTE_CAPABLE))
def test_a_body_whose_staff_go_to_a_room_for_a_remote_unit_is_a_gap(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    body_of = {person.id: person.body_id for person in scenario.participants}
    remote_gaps = {gap.body_id for gap in plan.gaps if gap.purpose is SessionMode.REMOTE}
    in_person = {
        body_of[pid]
        for session in plan.sessions
        if session.mode is SessionMode.IN_PERSON
        for pid in session.participant_ids
    }
    no_venue = {item.body_id for item in plan.unplaced if item.reason is UnplacedReason.NO_VENUE}
    assert in_person | no_venue <= remote_gaps


@given(scenarios())
def test_unplaced_participants_have_no_venue_within_reach(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    bodies = {body.id: body for body in scenario.bodies}
    rooms = [s for s in latest_sites(scenario).values() if s.seats > 0]
    for item in plan.unplaced:
        if item.body_id not in bodies:
            assert item.reason is UnplacedReason.BODY_UNKNOWN
            continue
        assert item.reason is UnplacedReason.NO_VENUE
        territory = bodies[item.body_id].territory
        region = GAZETTEER.region_of(territory)
        for room in rooms:
            room_region = GAZETTEER.region_of(bodies[room.body_id].territory)
            # A room of the region (or, for a national body, anywhere) would have been used.
            assert region is not None
            assert room_region != region


@given(scenarios(), st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_the_order_of_its_arguments(
    scenario: Scenario, shuffler: random.Random
) -> None:
    def shuffled(items: tuple[Any, ...]) -> list[Any]:
        copy = list(items)
        shuffler.shuffle(copy)
        return copy

    again = plan_of(
        scenario,
        participants=shuffled(scenario.participants),
        sites=shuffled(scenario.sites),
        bodies=shuffled(scenario.bodies),
    )
    assert again == plan_of(scenario)


@given(scenarios())
def test_each_proposed_session_takes_the_days_of_the_unit(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    hours = scenario.settings.hours_per_day
    expected = -(-scenario.unit.duration_hours // hours)
    assert all(session.days == expected for session in plan.sessions)


# --- examples -----------------------------------------------------------------------------------


def body(territory: str, kind: BodyKind = BodyKind.CAPE) -> TerritorialBody:
    return TerritorialBody(name=f"CAPE {territory}", kind=kind, territory=territory)


def staff(body_id: str, count: int) -> list[Participant]:
    return [
        Participant(f"staff-{n}", body_id, StaffRole.CASE_WORKER, Sector.ENTRAIDE_NATIONALE)
        for n in range(count)
    ]


def site(
    body_id: str, seats: int, devices: int, internet: InternetAccess, **changes: Any
) -> SiteLogistics:
    return SiteLogistics(body_id, date(2025, 9, 1), seats, devices, internet, **changes)


def unit(**changes: Any) -> TrainingUnit:
    fields: dict[str, Any] = {
        "code": "BI-01",
        "title_ar": "استعمال قاعدة المعطيات",
        "title_fr": "Utilisation de la base d'information",
        "duration_hours": 12,
    }
    fields.update(changes)
    return TrainingUnit(**fields)


def test_staff_beyond_the_devices_of_their_site_go_to_the_room_of_their_province() -> None:
    sale, rabat = body("MA-SAL"), body("MA-RAB")
    sale_site = site(sale.id, seats=0, devices=3, internet=InternetAccess.BROADBAND)
    rabat_site = site(rabat.id, seats=25, devices=0, internet=InternetAccess.NONE)
    people = staff(sale.id, 5)
    plan = plan_sessions(unit(), people, [sale_site, rabat_site], [sale, rabat])
    remote, local = plan.sessions
    assert remote.mode is SessionMode.REMOTE
    assert remote.territory == "MA-04"
    assert len(remote.participant_ids) == 3
    assert remote.connect_from == (sale_site.id,)
    # Salé has no room: its two other staff go to the room of Rabat, in the same region.
    assert local.mode is SessionMode.IN_PERSON
    assert local.venue_site_id == rabat_site.id
    assert len(local.participant_ids) == 2
    [gap] = plan.gaps
    assert (gap.body_id, gap.devices_missing, gap.access_needed) == (sale.id, 2, None)
    assert remote.days == 2
    assert plan.unplaced == ()


def test_a_site_without_broadband_sends_everyone_to_a_room_and_is_a_gap() -> None:
    sale = body("MA-SAL")
    mobile = site(sale.id, seats=10, devices=10, internet=InternetAccess.MOBILE)
    people = staff(sale.id, 4)
    plan = plan_sessions(unit(), people, [mobile], [sale])
    [session] = plan.sessions
    assert session.mode is SessionMode.IN_PERSON
    [gap] = plan.gaps
    assert gap.access is InternetAccess.MOBILE
    assert gap.access_needed is InternetAccess.BROADBAND
    assert gap.devices_missing == 0
    # A deployment that accepts mobile access trains them remotely.
    lenient = plan_sessions(
        unit(),
        people,
        [mobile],
        [sale],
        settings=TrainingSettings(remote_access=InternetAccess.MOBILE),
    )
    assert [s.mode for s in lenient.sessions] == [SessionMode.REMOTE]
    assert lenient.gaps == ()


def test_a_physical_only_unit_fills_rooms_in_balanced_sessions() -> None:
    sale = body("MA-SAL")
    room = site(sale.id, seats=12, devices=40, internet=InternetAccess.BROADBAND)
    physical = unit(delivery=Delivery.PHYSICAL_ONLY, physical_reason="Mises en situation")
    plan = plan_sessions(physical, staff(sale.id, 25), [room], [sale])
    assert [len(s.participant_ids) for s in plan.sessions] == [9, 8, 8]
    assert {s.mode for s in plan.sessions} == {SessionMode.IN_PERSON}
    assert plan.gaps == ()


def test_a_hands_on_unit_needs_devices_in_its_room() -> None:
    sale = body("MA-SAL")
    room = site(sale.id, seats=20, devices=5, internet=InternetAccess.NONE)
    practice = unit(
        delivery=Delivery.PHYSICAL_ONLY, physical_reason="Exercices sur les postes", hands_on=True
    )
    plan = plan_sessions(practice, staff(sale.id, 12), [room], [sale])
    [gap] = plan.gaps
    assert gap.purpose is SessionMode.IN_PERSON
    assert (gap.participants, gap.devices_missing) == (12, 7)
    assert gap.access_needed is InternetAccess.BROADBAND


def test_staff_out_of_reach_of_any_room_are_reported() -> None:
    laayoune, sale = body("MA-LAA"), body("MA-SAL")
    room = site(sale.id, seats=20, devices=0, internet=InternetAccess.NONE)
    people = staff(laayoune.id, 2)
    stranger = Participant("staff-x", new_id(), StaffRole.TRAINER, Sector.ACADEMIC)
    plan = plan_sessions(unit(), [*people, stranger], [room], [laayoune, sale])
    assert plan.sessions == ()
    reasons = {item.participant_id: item.reason for item in plan.unplaced}
    assert reasons == {
        people[0].id: UnplacedReason.NO_VENUE,
        people[1].id: UnplacedReason.NO_VENUE,
        stranger.id: UnplacedReason.BODY_UNKNOWN,
    }
    [gap] = plan.gaps
    assert (gap.body_id, gap.site_id, gap.access) == (laayoune.id, None, None)


def test_the_staff_of_a_national_body_go_to_the_best_room_of_the_country() -> None:
    ministry, marrakech = body("MA", BodyKind.MINISTRY), body("MA-MAR")
    room = site(marrakech.id, seats=30, devices=0, internet=InternetAccess.NONE)
    plan = plan_sessions(unit(), staff(ministry.id, 3), [room], [ministry, marrakech])
    [session] = plan.sessions
    assert session.venue_site_id == room.id
    assert session.territory == "MA-MAR"


def test_the_latest_survey_of_a_site_counts() -> None:
    sale = body("MA-SAL")
    old = site(sale.id, seats=5, devices=10, internet=InternetAccess.BROADBAND)
    new = site(sale.id, seats=5, devices=0, internet=InternetAccess.NONE)
    new = attrs.evolve(new, recorded_on=date(2025, 12, 1))
    plan = plan_sessions(unit(), staff(sale.id, 2), [new, old], [sale])
    assert [s.mode for s in plan.sessions] == [SessionMode.IN_PERSON]


def test_a_participant_given_twice_differently_is_refused() -> None:
    sale = body("MA-SAL")
    [person] = staff(sale.id, 1)
    with pytest.raises(ValueError, match="given twice"):
        plan_sessions(unit(), [person, attrs.evolve(person, body_id=new_id())], [], [sale])
    # The same record twice is one participant.
    plan = plan_sessions(unit(), [person, person], [], [sale])
    assert len(plan.unplaced) == 1
