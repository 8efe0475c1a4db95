"""``wladna training``: plan sessions, export and verify educational bags, report indicators.

The commands read the training records a store keeps (the kinds of record of
:mod:`wladna_core.training`), never personal data of children:

``wladna training plan UNIT``
    proposes remote and in-person sessions of a unit for the participants of the store who have
    not completed it (:func:`~wladna_core.training.plan_sessions`) and lists what each site
    lacks: devices, an Internet connection, a site at all.  Participants are staff: each one read
    is written to the audit trail (action :data:`PLAN_ACTION`) in the name ``--as`` gives.
``wladna training bag export TARGET``
    writes the educational bag of a session, of units, or of a participant as a BagIt package
    (:func:`~wladna_core.training.export_bag`); a participant's bag reads their enrolments, and
    is audited (action :data:`BAG_ACTION`).
``wladna training bag verify PATH``
    checks a bag received against its manifests (:func:`~wladna_core.training.verify_bag`):
    each file changed, missing or unexpected is named, and the exit status is 1.
``wladna training report``
    computes the training indicators (those whose name starts with ``training_``) with
    ``wladna report``'s options.

Records are read with :func:`load_planning` and :func:`load_bag`, which take a unit of work: a
program can call them on its own store.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

import attrs
import click
import rich.box
import rich.table

from wladna_core.audit import AuditDraft
from wladna_core.cli.errors import ExitCode
from wladna_core.cli.options import actor_option, db_option, lang_option
from wladna_core.cli.output import stdout_console
from wladna_core.cli.report import report_command as core_report
from wladna_core.cli.stores import open_existing
from wladna_core.convert import unstructure
from wladna_core.errors import WladnaError
from wladna_core.model import TerritorialBody
from wladna_core.storage import BodyQuery
from wladna_core.storage.ports import NotFound, redact_url
from wladna_core.training.bag import (
    EducationalBag,
    export_bag,
    participant_bag,
    session_bag,
    verify_bag,
)
from wladna_core.training.enums import SessionMode, StaffRole
from wladna_core.training.kinds import ENROLMENT, PARTICIPANT, SESSION, UNIT
from wladna_core.training.planner import SessionPlan, plan_sessions
from wladna_core.training.services import TrainingAction
from wladna_core.training.sessions import Participant, SiteLogistics, TrainingSession
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from wladna_core.storage import Store
    from wladna_core.storage.ports import Record, UnitOfWork

__all__ = [
    "BAG_ACTION",
    "INDICATOR_PREFIX",
    "PLAN_ACTION",
    "PlanningRecords",
    "TrainingRecordNotFound",
    "bag_group",
    "load_bag",
    "load_planning",
    "plan_command",
    "training_group",
]

#: The audit trail's action for each participant the planner reads: the training services'.
PLAN_ACTION: Final = TrainingAction.PARTICIPANT_READ.value
#: The audit trail's action for the participant whose educational bag is exported: their
#: enrolments are read to assemble it.
BAG_ACTION: Final = TrainingAction.ENROLMENT_READ.value
#: The training indicators are those whose names start with this.
INDICATOR_PREFIX: Final = "training_"

_ROLES: Final = tuple(role.value for role in StaffRole)
_T = TypeVar("_T", bound="Record")


class TrainingRecordNotFound(WladnaError, LookupError):
    """A unit, session or participant named on the command line is not in the store.

    :param what: what was looked for, e.g. ``training unit``.
    :param wanted: the code or id given.
    :param remedy: what to do, e.g. the codes the store knows.
    """

    def __init__(self, what: str, wanted: str, remedy: str) -> None:
        self.what = what
        self.wanted = wanted
        self.remedy = remedy
        super().__init__(f"no {what} {wanted!r} in the store; {remedy}")

    def __reduce__(self) -> tuple[type[TrainingRecordNotFound], tuple[str, str, str]]:
        return (type(self), (self.what, self.wanted, self.remedy))


# Reading the records ----------------------------------------------------------------------------


def find_unit(uow: UnitOfWork, wanted: str) -> TrainingUnit:
    """Return the unit whose code (or id) is ``wanted``.

    :raises TrainingRecordNotFound: naming the codes of the units the store keeps.
    """
    units = uow.repository(UNIT)
    found = units.find(UNIT.query(code=wanted), limit=1)
    if found:
        return found[0]
    by_id = _get_or_none(uow, TrainingUnit, wanted)
    if by_id is not None:
        return by_id
    codes = ", ".join(sorted(unit.code for unit in units.iter())) or "none: record units first"
    raise TrainingRecordNotFound("training unit", wanted, f"the units are {codes}")


@attrs.frozen
class PlanningRecords:
    """What the planner needs of a store, for one unit.

    :param unit: the unit to plan.
    :param participants: who is to take it.
    :param sites: the logistics of the bodies' sites.
    :param bodies: the bodies of the participants and of the sites.
    :param trained: how many participants of those bodies and roles completed it already
        (left out of ``participants``).
    """

    unit: TrainingUnit
    participants: tuple[Participant, ...]
    sites: tuple[SiteLogistics, ...]
    bodies: tuple[TerritorialBody, ...]
    trained: int = 0


def _completed(uow: UnitOfWork, unit: TrainingUnit) -> frozenset[str]:
    """Return the ids of the participants who completed a session giving ``unit``."""
    enrolments = uow.repository(ENROLMENT)
    return frozenset(
        enrolment.participant_id
        for session in uow.repository(SESSION).iter(SESSION.query(unit=unit.id))
        for enrolment in enrolments.iter(ENROLMENT.query(session_id=session.id, completed=True))
    )


def load_planning(
    uow: UnitOfWork,
    unit: str,
    *,
    territories: Iterable[str] = (),
    roles: Iterable[StaffRole] = (),
    include_trained: bool = False,
) -> PlanningRecords:
    """Read what :func:`~wladna_core.training.plan_sessions` needs to plan ``unit``.

    :param uow: a unit of work of the store.
    :param unit: the unit's code or id.
    :param territories: keep the bodies in these territories (all when empty).
    :param roles: keep the participants of these roles (all when empty).
    :param include_trained: keep the participants who completed the unit already.
    :raises TrainingRecordNotFound: if the unit is not in the store.
    """
    found = find_unit(uow, unit)
    places = tuple(territories)
    bodies: dict[str, TerritorialBody] = {}
    for place in places or (None,):
        for body in uow.bodies.iter(BodyQuery(territory=place)):
            bodies[body.id] = body
    wanted_roles = {role.value for role in roles} or None
    candidates = [
        person
        for person in uow.repository(PARTICIPANT).iter(PARTICIPANT.query(role=wanted_roles))
        if person.body_id in bodies
    ]
    done = frozenset() if include_trained else _completed(uow, found)
    participants = tuple(person for person in candidates if person.id not in done)
    sites = tuple(site for site in uow.repository(SiteLogistics).iter() if site.body_id in bodies)
    return PlanningRecords(
        unit=found,
        participants=participants,
        sites=sites,
        bodies=tuple(bodies.values()),
        trained=len(candidates) - len(participants),
    )


def load_bag(
    uow: UnitOfWork,
    *,
    session: str | None = None,
    units: Sequence[str] = (),
    participant: str | None = None,
) -> EducationalBag:
    """Assemble the educational bag of a session, of units (codes or ids), or of a participant.

    Exactly one of ``session``, ``units`` and ``participant`` is given.

    :raises TrainingRecordNotFound: if the session, a unit or the participant is not in the store.
    :raises IncompleteBag: if a unit or a material the bag needs is not in the store.
    """
    unit_list = list(uow.repository(TrainingUnit).iter())
    materials = list(uow.repository(Material).iter())
    if session is not None:
        found = _get_or_none(uow, TrainingSession, session)
        if found is None:
            raise TrainingRecordNotFound(
                "training session", session, "give the id of a session the store keeps"
            )
        return session_bag(found, unit_list, materials)
    if participant is not None:
        person = _get_or_none(uow, Participant, participant)
        if person is None:
            raise TrainingRecordNotFound(
                "participant", participant, "give the id of a participant the store keeps"
            )
        query = ENROLMENT.query(participant_id=person.id)
        enrolments = uow.repository(ENROLMENT).find(query)
        wanted = {enrolment.session_id for enrolment in enrolments}
        sessions = uow.repository(TrainingSession).get_many(sorted(wanted))
        return participant_bag(person.id, enrolments, sessions, unit_list, materials)
    chosen = [find_unit(uow, code) for code in units]
    title = "Educational bag: " + ", ".join(unit.code for unit in chosen)
    placeholder = TrainingSession(
        units=[unit.id for unit in chosen],
        mode=SessionMode.IN_PERSON,
        days=[date(2000, 1, 1)],
        territory="MA",
        capacity=1,
    )
    return attrs.evolve(session_bag(placeholder, unit_list, materials), title=title)


def _get_or_none(uow: UnitOfWork, record_type: type[_T], record_id: str) -> _T | None:
    try:
        return uow.repository(record_type).get(record_id)
    except NotFound:
        return None


def _audit(store: Store, drafts: Sequence[AuditDraft]) -> None:
    """Write ``drafts`` to the audit trail, before anything read leaves the command."""
    if drafts:
        with store.unit_of_work() as uow:
            uow.audit.append(drafts, at=datetime.now(UTC))


# The commands ------------------------------------------------------------------------------------


@click.group("training")
def training_group() -> None:
    """Plan training sessions, export and verify educational bags, report training figures."""


@training_group.command("plan")
@click.argument("unit")
@click.option(
    "--territory",
    "territories",
    multiple=True,
    metavar="CODE",
    help="Plan for the bodies in this territory (repeatable), e.g. MA-SAL or MA-04.",
)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(_ROLES),
    help="Plan for the participants of this role (repeatable); all roles when omitted.",
)
@click.option(
    "--include-trained", is_flag=True, help="Plan for those who completed the unit already too."
)
@click.option("--json", "as_json", is_flag=True, help="Write the plan as JSON, for programs.")
@db_option
@actor_option
def plan_command(  # noqa: PLR0917 (one argument per option)
    unit: str,
    territories: tuple[str, ...],
    roles: tuple[str, ...],
    include_trained: bool,
    as_json: bool,
    db: str,
    actor: str,
) -> None:
    """Propose remote and in-person sessions of UNIT (a code or id) and list the sites' gaps.

    The participants are those of the store who have not completed UNIT, in the bodies of the
    --territory given (all bodies when omitted).  A unit that can be given remotely is followed
    from each body's own site when it has a device per participant and the Internet access the
    settings require; everyone else goes to the best venue of their province or region.  Each
    participant read is written to the audit trail in the name --as gives.
    """
    with open_existing(db) as store:
        with store.unit_of_work(read_only=True) as uow:
            records = load_planning(
                uow,
                unit,
                territories=territories,
                roles=[StaffRole(role) for role in roles],
                include_trained=include_trained,
            )
        gazetteer = store.gazetteer
        _audit(
            store,
            [
                AuditDraft(
                    actor,
                    PLAN_ACTION,
                    "Participant",
                    person.id,
                    person.version,
                    detail=f"wladna training plan {records.unit.code}",
                )
                for person in records.participants
            ],
        )
    plan = plan_sessions(
        records.unit, records.participants, records.sites, records.bodies, gazetteer=gazetteer
    )
    if as_json:
        click.echo(json.dumps(_plan_json(records, plan), ensure_ascii=False, indent=2))
        return
    _print_plan(records, plan, {body.id: body for body in records.bodies})


def _plan_json(records: PlanningRecords, plan: SessionPlan) -> dict[str, object]:
    return {
        "unit": records.unit.code,
        "participants": len(records.participants),
        "trained_already": records.trained,
        "sessions": [unstructure(session) for session in plan.sessions],
        "gaps": [unstructure(gap) for gap in plan.gaps],
        "unplaced": [unstructure(item) for item in plan.unplaced],
    }


def _many(count: int, noun: str) -> str:
    """Return "1 site", "2 sites"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _print_plan(
    records: PlanningRecords, plan: SessionPlan, bodies: dict[str, TerritorialBody]
) -> None:
    console = stdout_console(highlight=False)
    unit = records.unit
    remote = sum(1 for session in plan.sessions if session.mode.value == "remote")
    console.print(
        f"Unit {unit.code} ({unit.title_fr}), {unit.duration_hours} h, "
        f"{'can be given remotely' if unit.remote_capable else 'needs physical attendance'}: "
        f"{_many(len(records.participants), 'participant')} to train ({records.trained} "
        f"completed it already), {_many(len(plan.sessions), 'session')} proposed ({remote} "
        f"remote, {len(plan.sessions) - remote} in person)."
    )

    def name(body_id: str | None) -> str:
        body = bodies.get(body_id or "")
        return body.name if body is not None else (body_id or "-")

    sessions = rich.table.Table(title="Sessions", box=rich.box.SIMPLE, title_justify="left")
    for heading in ("#", "mode", "territory", "where", "participants", "capacity", "days"):
        justify = "right" if heading in {"#", "participants", "capacity", "days"} else "left"
        sessions.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for number, session in enumerate(plan.sessions, start=1):
        where = (
            _many(len(session.connect_from), "site")
            if session.venue_body_id is None
            else name(session.venue_body_id)
        )
        sessions.add_row(
            str(number),
            session.mode.value,
            session.territory,
            where,
            str(len(session.participant_ids)),
            str(session.capacity),
            str(session.days),
        )
    console.print(sessions)
    if plan.gaps:
        gaps = rich.table.Table(title="Logistics gaps", box=rich.box.SIMPLE, title_justify="left")
        for heading in ("body", "for", "participants", "devices missing", "access", "needs"):
            gaps.add_column(heading)
        for gap in plan.gaps:
            gaps.add_row(
                name(gap.body_id),
                gap.purpose.value,
                str(gap.participants),
                str(gap.devices_missing),
                gap.access.value if gap.access is not None else "no site recorded",
                gap.access_needed.value if gap.access_needed is not None else "-",
            )
        console.print(gaps)
    else:
        console.print("No logistics gap.")
    if plan.unplaced:
        reasons: dict[str, int] = {}
        for item in plan.unplaced:
            reasons[item.reason.value] = reasons.get(item.reason.value, 0) + 1
        shown = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items()))
        console.print(f"Not placed: {len(plan.unplaced)} ({shown}).")


@training_group.group("bag")
def bag_group() -> None:
    """Educational bags: export one as a BagIt package, verify one received."""


@bag_group.command("export")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--session", metavar="ID", help="The bag of this session.")
@click.option(
    "--unit", "units", multiple=True, metavar="CODE", help="The bag of this unit (repeatable)."
)
@click.option("--participant", metavar="ID", help="The bag of every session of this participant.")
@click.option(
    "--organisation", metavar="NAME", help="Written as the package's Source-Organization."
)
@db_option
@lang_option
@actor_option
def export_command(  # noqa: PLR0917 (one argument per option)
    target: Path,
    session: str | None,
    units: tuple[str, ...],
    participant: str | None,
    organisation: str | None,
    db: str,
    lang: str,
    actor: str,
) -> None:
    """Write an educational bag as a BagIt package in the new directory TARGET.

    Give one of --session, --unit (repeatable) or --participant.  Each material's file is read
    from its location and compared with its record (size, SHA-256) before it goes in: a file
    that differs stops the export, and nothing is left at TARGET.  A participant's bag names
    no one; it is written to the audit trail in the name --as gives.
    """
    given = sum([session is not None, bool(units), participant is not None])
    if given != 1:
        msg = "give one of --session, --unit or --participant"
        raise click.UsageError(msg)
    if target.exists():
        msg = f"{target} exists; export the bag to a new directory"
        raise click.BadParameter(msg, param_hint="TARGET")
    with open_existing(db) as store:
        with store.unit_of_work(read_only=True) as uow:
            bag = load_bag(uow, session=session, units=units, participant=participant)
            today = store.today()
        if participant is not None:
            _audit(
                store,
                [
                    AuditDraft(
                        actor,
                        BAG_ACTION,
                        "Participant",
                        participant,
                        None,
                        detail="wladna training bag export",
                    )
                ],
            )
    written = export_bag(bag, target, on=today, organisation=organisation, lang=lang)
    size = sum(material.size for material in bag.materials)
    click.echo(
        f"{bag.title}: {len(bag.materials)} materials ({size} bytes) written to {written} "
        f"as a BagIt package (SHA-256 manifest), from {redact_url(db)}"
    )


@bag_group.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
def verify_command(path: Path) -> None:
    """Check the BagIt package at PATH: every file against the manifests, and the bag as a whole.

    Exit status 0 when it is intact and complete; 1 when a file is changed, missing or
    unexpected, or the package is not a valid bag (one line per problem on standard output).
    """
    report = verify_bag(path)
    for problem in report.problems:
        click.echo(f"{problem.kind.value}: {problem.path}: {problem.detail}")
    if report.valid:
        click.echo(f"{path}: bag valid, every file matches its manifest")
        return
    click.echo(
        f"wladna training bag verify: {path}: {len(report.problems)} problem(s) (listed above); "
        "ask the sender for the bag again",
        err=True,
    )
    raise click.exceptions.Exit(ExitCode.INVALID_DATA)


def _training_indicators(by: Sequence[str]) -> list[str]:
    """Return the training indicators installed that allow the dimensions ``by``."""
    from wladna_core.plugins import make_plugin_manager  # noqa: PLC0415 (on use)
    from wladna_core.reporting.build import available_indicators  # noqa: PLC0415

    indicators = available_indicators(make_plugin_manager())
    training = {n: i for n, i in indicators.items() if n.startswith(INDICATOR_PREFIX)}
    if not training:
        msg = (
            f"no training indicator is installed (their names start with {INDICATOR_PREFIX}); "
            "wladna report --list shows the indicators that are"
        )
        raise click.UsageError(msg)
    chosen = sorted(n for n, i in training.items() if set(by) <= set(i.dimensions))
    if not chosen:
        msg = (
            f"no training indicator allows --by {' --by '.join(by)}; name the indicators "
            "(wladna training report --list shows the dimensions each allows)"
        )
        raise click.UsageError(msg)
    return chosen


def _list_training_indicators() -> None:
    from wladna_core.plugins import make_plugin_manager  # noqa: PLC0415 (on use)
    from wladna_core.reporting.build import available_indicators  # noqa: PLC0415

    indicators = available_indicators(make_plugin_manager())
    table = rich.table.Table(title="wladna training indicators", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("dimensions")
    for name in _training_indicators(()):
        table.add_row(name, indicators[name].title, ", ".join(indicators[name].dimensions))
    stdout_console().print(table)


@training_group.command("report", params=list(core_report.params))
@click.pass_context
def report_command(ctx: click.Context, /, **options: object) -> None:
    """Compute the training indicators over the store's records; the options of wladna report.

    Without INDICATORS, every indicator of the training programme (their names start with
    training_) that allows the --by dimensions.  Run with --list to see them.  Aggregates only:
    the figures are computed in the database, and --public suppresses small cells.
    """
    if options["list_only"]:
        _list_training_indicators()
        return
    if not options["indicators"]:
        options["indicators"] = tuple(_training_indicators(options["by"]))  # type: ignore[arg-type]
    ctx.invoke(core_report, **options)
