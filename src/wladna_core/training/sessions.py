"""Sites, sessions, participants and their enrolments."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.model import _checks as check
from wladna_core.model import new_id
from wladna_core.training import _checks as tcheck
from wladna_core.training.enums import InternetAccess, Sector, SessionMode, StaffRole

__all__ = ["Enrolment", "Participant", "SiteLogistics", "Trainer", "TrainingSession"]


@attrs.frozen
class SiteLogistics:
    """What a body's premises offer for training, as surveyed on a day.

    :param body_id: the territorial body whose premises these are.
    :param recorded_on: the day the logistics were surveyed; the planner uses the latest survey
        of each body.
    :param seats: how many people the training room seats (0 when there is no room).
    :param devices: how many computers or tablets participants can use there.
    :param internet: the Internet access of the premises.
    :param note: anything else to know (opening hours, access for people with disabilities).
    """

    body_id: str = attrs.field(validator=check.identifier)
    recorded_on: date = attrs.field(validator=check.a_date)
    seats: int = attrs.field(validator=check.count)
    devices: int = attrs.field(validator=check.count)
    internet: InternetAccess = attrs.field(validator=check.member_of(InternetAccess))
    note: str | None = attrs.field(default=None, validator=check.optional_text(check.NOTE_MAX))
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)


@attrs.frozen
class Trainer:
    """A person who gives a session, and the institution they come from.

    :param name: the trainer's name (professional contact, not personal data of a child).
    :param institution: the organisation they belong to (``UNICEF``, ``Entraide Nationale``).
    :param sector: the kind of institution it is, when known.
    """

    name: str = attrs.field(validator=check.text())
    institution: str = attrs.field(validator=check.text())
    sector: Sector | None = attrs.field(default=None, validator=check.optional_member_of(Sector))


@attrs.frozen
class TrainingSession:
    """A session of training: one or more units given on some days, remotely or in a room.

    :param units: ids of the units given, in the order they are given.
    :param mode: remote, in person or hybrid; a unit that needs physical attendance is never
        given remotely (rule ``training.physical_unit_remote``).
    :param days: the days the session is held, in order, each once.
    :param territory: the ISO 3166-2:MA code of the territory whose staff the session trains
        (a province for a local session, a region or ``MA`` for a wider one); evaluations are
        analysed by it.
    :param capacity: how many participants may enrol.
    :param site_id: the :class:`SiteLogistics` of the room, for a session held in person or
        hybrid (rule ``training.session_site_missing``).
    :param trainers: who gives it.
    :param programme_id: the programme the session belongs to, if any.
    """

    units: tuple[str, ...] = attrs.field(
        converter=check.to_tuple,
        validator=[check.items(check.identifier, max_items=50), tcheck.non_empty, tcheck.distinct],
    )
    mode: SessionMode = attrs.field(validator=check.member_of(SessionMode))
    days: tuple[date, ...] = attrs.field(
        converter=check.to_tuple,
        validator=[
            check.items(check.a_date, max_items=tcheck.MAX_SESSION_DAYS),
            tcheck.non_empty,
            tcheck.strictly_increasing_days,
        ],
    )
    territory: str = attrs.field(validator=check.territory_code)
    capacity: int = attrs.field(validator=tcheck.positive)
    site_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    trainers: tuple[Trainer, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(Trainer), max_items=50),
    )
    programme_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def first_day(self) -> date:
        """The first day of the session."""
        return self.days[0]

    @property
    def last_day(self) -> date:
        """The last day of the session."""
        return self.days[-1]


@attrs.frozen
class Participant:
    """A member of staff taking part in the programme.

    The record holds what the programme needs to know of the person and nothing more: no name,
    no contact; ``person_id`` links it to the deployment's directory of staff.

    :param person_id: the person's id in the deployment (the ``Actor`` id of the casework).
    :param body_id: the territorial body they work for.
    :param role: what they do there.
    :param institution: the institution that employs them.
    """

    person_id: str = attrs.field(validator=check.text(200))
    body_id: str = attrs.field(validator=check.identifier)
    role: StaffRole = attrs.field(validator=check.member_of(StaffRole))
    institution: Sector = attrs.field(validator=check.member_of(Sector))
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)


@attrs.frozen
class Enrolment:
    """A participant's enrolment in a session: attendance, completion and test scores.

    :param participant_id: who is enrolled.
    :param session_id: in which session.
    :param enrolled_on: the day of enrolment; when more enrol than the session seats, the last
        enrolled are over capacity (rule ``training.enrolment_over_capacity``).
    :param attended: the days of the session the participant attended.
    :param completed: whether the participant completed the session; it needs enough attendance
        (rule ``training.completion_without_attendance``, threshold in the settings).
    :param pre_test: the score of the test before the session, in percent (0 to 100).
    :param post_test: the score of the test after the session, in percent.
    """

    participant_id: str = attrs.field(validator=check.identifier)
    session_id: str = attrs.field(validator=check.identifier)
    enrolled_on: date = attrs.field(validator=check.a_date)
    attended: frozenset[date] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.a_date, frozenset, tcheck.MAX_SESSION_DAYS),
    )
    completed: bool = attrs.field(default=False, validator=check.a_bool)
    pre_test: int | None = attrs.field(default=None, validator=tcheck.optional_whole_number)
    post_test: int | None = attrs.field(default=None, validator=tcheck.optional_whole_number)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
