"""The planner: remote or in-person sessions for a unit, where, and what is missing.

:func:`plan_sessions` takes a unit, the participants to train (each of a body), the bodies and
the logistics of their sites, and proposes sessions.  It is a pure function of its arguments:
the same arguments, in any order, give the same plan.

The algorithm
-------------

1. **Who can be planned.**  Participants are taken once each, in order of id.  A participant
   whose body is not among the bodies given, or whose body's territory is not in the gazetteer,
   cannot be placed: it is listed in :attr:`SessionPlan.unplaced` with the reason.
2. **Sites.**  Each body's site is its latest survey of logistics (latest ``recorded_on``, then
   highest id).
3. **Remote participation** (only for a unit that can be given remotely).  The staff of a body
   take part remotely from their own site when it has at least the Internet access of the
   settings (``remote_access``, broadband by default), one device per participant: if a site
   has fewer devices than participants, the first participants in order of id take the devices
   and the others are planned in person.  Every body whose site lacks devices or access (or that
   has no site) is listed in :attr:`SessionPlan.gaps` with the devices missing and the access it
   would need: the logistics to develop for it to train remotely.
4. **Remote sessions.**  Remote participants are grouped by the region of their body and each
   region's group is split into the fewest sessions of at most ``remote_capacity`` participants
   (80 by default), of sizes as equal as possible, in order of body then participant.
5. **Venues.**  Everyone else (everyone, for a unit that needs physical attendance) is planned in
   person.  A site with seats can be a venue.  Each province's venue is its site with the most
   seats (then the most devices, the best access, the lowest id); a participant goes to the venue
   of their body's province, or, when the province has none, to the venue of the region, chosen
   the same way; the staff of a national body (no region) go to the best venue of the country.
   A participant with no venue within reach is unplaced (reason ``no_venue``).
6. **In-person sessions.**  Each venue's participants are split into the fewest sessions of at
   most ``min(seats, in_person_capacity)`` participants, as in step 4.  For a *hands-on* unit
   (participants practise on the information base), a venue with fewer devices than its largest
   session, or without the Internet access of the settings, is a gap too.

Each proposed session gives the number of days the unit takes (its hours over the settings'
``hours_per_day``, rounded up).  A unit that needs physical attendance is never planned remotely,
and no session holds more participants than its capacity.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from typing import TYPE_CHECKING, TypeVar

import attrs

from wladna_core.model import Gazetteer, TerritorialBody
from wladna_core.model import _checks as check
from wladna_core.training.enums import InternetAccess, SessionMode
from wladna_core.training.settings import TrainingSettings

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from wladna_core.model import Territory
    from wladna_core.training.sessions import Participant, SiteLogistics
    from wladna_core.training.units import TrainingUnit

__all__ = [
    "ProposedSession",
    "SessionPlan",
    "SiteGap",
    "Unplaced",
    "UnplacedReason",
    "plan_sessions",
]

T = TypeVar("T")


class UnplacedReason(enum.StrEnum):
    """Why the planner could not place a participant."""

    #: The participant's body is not among the bodies given.
    BODY_UNKNOWN = "body_unknown"
    #: The body's territory is not in the gazetteer.
    TERRITORY_UNKNOWN = "territory_unknown"
    #: No site with seats in the body's province or region.
    NO_VENUE = "no_venue"


@attrs.frozen
class ProposedSession:
    """A session the planner proposes.

    :param mode: remote or in person.
    :param participant_ids: who takes part, in order of body then participant.
    :param territory: a remote session's region, or the territory of an in-person session's
        venue.
    :param capacity: the most participants the session can take (the settings' capacity, or the
        venue's seats when fewer).
    :param days: how many days it takes.
    :param venue_site_id: the site where an in-person session is held.
    :param venue_body_id: the body whose site it is.
    :param connect_from: the sites remote participants connect from.
    """

    mode: SessionMode = attrs.field(validator=check.member_of(SessionMode))
    participant_ids: tuple[str, ...] = attrs.field(converter=check.to_tuple)
    territory: str = attrs.field(validator=check.territory_code)
    capacity: int = attrs.field(validator=check.count)
    days: int = attrs.field(validator=check.count)
    venue_site_id: str | None = attrs.field(default=None)
    venue_body_id: str | None = attrs.field(default=None)
    connect_from: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)


@attrs.frozen
class SiteGap:
    """What a body's site lacks for the plan: devices, an Internet connection, or a site at all.

    :param body_id: the body.
    :param site_id: its site, ``None`` when no logistics were recorded for it.
    :param purpose: ``remote`` when the site lacks what its staff need to take part remotely;
        ``in_person`` when, as a venue of a hands-on unit, it lacks what the participants need
        to practise.
    :param participants: how many people the site should serve.
    :param devices_missing: how many more devices it needs.
    :param access: the Internet access it has (``None`` without a site).
    :param access_needed: the access it needs, or ``None`` when it has enough.
    """

    body_id: str
    site_id: str | None
    purpose: SessionMode
    participants: int
    devices_missing: int
    access: InternetAccess | None
    access_needed: InternetAccess | None


@attrs.frozen
class Unplaced:
    """A participant the planner could not place, and why."""

    participant_id: str
    body_id: str
    reason: UnplacedReason


@attrs.frozen
class SessionPlan:
    """The planner's proposal for one unit.

    :param unit_id: the unit planned.
    :param sessions: the sessions proposed, remote first, each kind by territory then venue.
    :param gaps: what sites lack, by body.
    :param unplaced: the participants who could not be placed.
    """

    unit_id: str
    sessions: tuple[ProposedSession, ...]
    gaps: tuple[SiteGap, ...]
    unplaced: tuple[Unplaced, ...]

    def placed(self) -> frozenset[str]:
        """Return the ids of the participants placed in a session."""
        return frozenset(pid for session in self.sessions for pid in session.participant_ids)


def _balanced(items: Sequence[T], capacity: int) -> list[list[T]]:
    """Split ``items`` into the fewest runs of at most ``capacity``, of sizes as equal as can be."""
    if not items:
        return []
    count = math.ceil(len(items) / capacity)
    size, extra = divmod(len(items), count)
    runs: list[list[T]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        runs.append(list(items[start:end]))
        start = end
    return runs


def _unique(records: Iterable[T], kind: str) -> dict[str, T]:
    found: dict[str, T] = {}
    for record in records:
        record_id: str = getattr(record, "id")  # noqa: B009 - participants and bodies alike
        earlier = found.get(record_id)
        if earlier is not None and earlier != record:
            msg = f"the {kind} {record_id} is given twice, differently; give each once"
            raise ValueError(msg)
        found[record_id] = record
    return found


def _latest_sites(sites: Iterable[SiteLogistics]) -> dict[str, SiteLogistics]:
    latest: dict[str, SiteLogistics] = {}
    for site in sorted(sites, key=lambda item: (item.recorded_on, item.id)):
        latest[site.body_id] = site
    return latest


def _venue_key(site: SiteLogistics) -> tuple[int, int, int, str]:
    # The most seats, then the most devices, then the best access; the lowest id breaks ties.
    return (-site.seats, -site.devices, -site.internet.rank, site.id)


class _Places:
    """Where bodies are, and the venue of each province, region and of the country."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        bodies: dict[str, TerritorialBody],
        sites: dict[str, SiteLogistics],
    ) -> None:
        self.gazetteer = gazetteer
        self.bodies = bodies
        self.province_venue: dict[str, SiteLogistics] = {}
        self.region_venue: dict[str, SiteLogistics] = {}
        self.national_venue: SiteLogistics | None = None
        venues = sorted(
            (site for body_id, site in sites.items() if site.seats > 0 and self.known(body_id)),
            key=_venue_key,
        )
        for site in venues:  # best first: the first venue seen in a place is its venue
            province, region = self.places_of(site.body_id)
            if province is not None:
                self.province_venue.setdefault(province.code, site)
            if region is not None:
                self.region_venue.setdefault(region.code, site)
            if self.national_venue is None:
                self.national_venue = site

    def known(self, body_id: str) -> bool:
        body = self.bodies.get(body_id)
        return body is not None and body.territory in self.gazetteer

    def places_of(self, body_id: str) -> tuple[Territory | None, Territory | None]:
        territory = self.bodies[body_id].territory
        return self.gazetteer.province_of(territory), self.gazetteer.region_of(territory)

    def region_code(self, body_id: str) -> str:
        _, region = self.places_of(body_id)
        return region.code if region is not None else self.bodies[body_id].territory

    def venue_for(self, body_id: str) -> SiteLogistics | None:
        province, region = self.places_of(body_id)
        if province is not None and province.code in self.province_venue:
            return self.province_venue[province.code]
        if region is not None:
            return self.region_venue.get(region.code)
        return self.national_venue


def _remote_gap(
    body_id: str, site: SiteLogistics | None, people: int, settings: TrainingSettings
) -> SiteGap | None:
    devices = site.devices if site is not None else 0
    access = site.internet if site is not None else None
    enough = access is not None and access.at_least(settings.remote_access)
    missing = max(0, people - devices)
    if enough and not missing:
        return None
    return SiteGap(
        body_id=body_id,
        site_id=site.id if site is not None else None,
        purpose=SessionMode.REMOTE,
        participants=people,
        devices_missing=missing,
        access=access,
        access_needed=None if enough else settings.remote_access,
    )


def _remote_sessions(
    groups: dict[str, list[Participant]],
    site_of: dict[str, SiteLogistics],
    settings: TrainingSettings,
    days: int,
) -> list[ProposedSession]:
    """Split the remote participants of each region into sessions (step 4)."""
    return [
        ProposedSession(
            mode=SessionMode.REMOTE,
            participant_ids=[person.id for person in run],
            territory=region,
            capacity=settings.remote_capacity,
            days=days,
            connect_from=sorted({site_of[person.body_id].id for person in run}),
        )
        for region in sorted(groups)
        for run in _balanced(groups[region], settings.remote_capacity)
    ]


def _venue_gap(venue: SiteLogistics, largest: int, settings: TrainingSettings) -> SiteGap | None:
    """Return what a venue of a hands-on unit lacks for its largest session, if anything."""
    enough = venue.internet.at_least(settings.remote_access)
    if largest <= venue.devices and enough:
        return None
    return SiteGap(
        body_id=venue.body_id,
        site_id=venue.id,
        purpose=SessionMode.IN_PERSON,
        participants=largest,
        devices_missing=max(0, largest - venue.devices),
        access=venue.internet,
        access_needed=None if enough else settings.remote_access,
    )


def _in_person_sessions(
    unit: TrainingUnit,
    people: list[Participant],
    places: _Places,
    settings: TrainingSettings,
    days: int,
) -> tuple[list[ProposedSession], list[SiteGap], list[Unplaced]]:
    """Choose a venue for each participant, then make the sessions of each venue (steps 5, 6)."""
    by_venue: dict[str, list[Participant]] = defaultdict(list)
    venues: dict[str, SiteLogistics] = {}
    unplaced: list[Unplaced] = []
    for person in sorted(people, key=lambda p: (p.body_id, p.id)):
        venue = places.venue_for(person.body_id)
        if venue is None:
            unplaced.append(Unplaced(person.id, person.body_id, UnplacedReason.NO_VENUE))
            continue
        by_venue[venue.id].append(person)
        venues[venue.id] = venue
    sessions: list[ProposedSession] = []
    gaps: list[SiteGap] = []
    for venue_id in sorted(by_venue):
        venue = venues[venue_id]
        capacity = min(venue.seats, settings.in_person_capacity)
        runs = _balanced(by_venue[venue_id], capacity)
        sessions.extend(
            ProposedSession(
                mode=SessionMode.IN_PERSON,
                participant_ids=[person.id for person in run],
                territory=places.bodies[venue.body_id].territory,
                capacity=capacity,
                days=days,
                venue_site_id=venue.id,
                venue_body_id=venue.body_id,
            )
            for run in runs
        )
        gap = _venue_gap(venue, max(len(run) for run in runs), settings) if unit.hands_on else None
        if gap is not None:
            gaps.append(gap)
    return sessions, gaps, unplaced


def plan_sessions(
    unit: TrainingUnit,
    participants: Iterable[Participant],
    sites: Iterable[SiteLogistics],
    bodies: Iterable[TerritorialBody],
    *,
    settings: TrainingSettings | None = None,
    gazetteer: Gazetteer | None = None,
) -> SessionPlan:
    """Propose remote and in-person sessions of ``unit`` for ``participants``.

    See the module's documentation for the algorithm.

    :param unit: the unit to give.
    :param participants: who is to take it.
    :param sites: the logistics of the bodies' sites (several surveys of a body: the latest
        counts).
    :param bodies: the bodies of the participants and of the sites.
    :param settings: capacities, access needed and hours per day; the defaults when omitted.
    :param gazetteer: the territories; :meth:`Gazetteer.morocco
        <wladna_core.model.Gazetteer.morocco>` when omitted.
    :raises ValueError: when one participant or body id is given twice with different contents.
    """
    settings = settings if settings is not None else TrainingSettings()
    site_of = _latest_sites(sites)
    places = _Places(
        gazetteer if gazetteer is not None else Gazetteer.morocco(),
        _unique(bodies, "body"),
        site_of,
    )
    days = math.ceil(unit.duration_hours / settings.hours_per_day)
    people = sorted(_unique(participants, "participant").values(), key=lambda p: p.id)

    # Step 1: who can be planned.
    unplaced: list[Unplaced] = []
    by_body: dict[str, list[Participant]] = defaultdict(list)
    for person in people:
        if person.body_id not in places.bodies:
            unplaced.append(Unplaced(person.id, person.body_id, UnplacedReason.BODY_UNKNOWN))
        elif not places.known(person.body_id):
            unplaced.append(Unplaced(person.id, person.body_id, UnplacedReason.TERRITORY_UNKNOWN))
        else:
            by_body[person.body_id].append(person)

    # Step 3: who takes part remotely, and what each body's site lacks for it.
    gaps: list[SiteGap] = []
    remote_by_region: dict[str, list[Participant]] = defaultdict(list)
    in_person: list[Participant] = []
    for body_id in sorted(by_body):
        group = by_body[body_id]
        site = site_of.get(body_id)
        if not unit.remote_capable:
            in_person.extend(group)
            continue
        gap = _remote_gap(body_id, site, len(group), settings)
        if gap is not None:
            gaps.append(gap)
        connected = site is not None and site.internet.at_least(settings.remote_access)
        taken = min(len(group), site.devices) if connected and site is not None else 0
        remote_by_region[places.region_code(body_id)].extend(group[:taken])
        in_person.extend(group[taken:])

    sessions = _remote_sessions(remote_by_region, site_of, settings, days)
    local, venue_gaps, far = _in_person_sessions(unit, in_person, places, settings, days)
    return SessionPlan(
        unit_id=unit.id,
        sessions=(*sessions, *local),
        gaps=tuple(sorted([*gaps, *venue_gaps], key=lambda gap: (gap.body_id, gap.purpose.value))),
        unplaced=tuple(sorted([*unplaced, *far], key=lambda item: item.participant_id)),
    )
