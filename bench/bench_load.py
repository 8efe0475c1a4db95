"""Several processes running the casework services at once on one PostgreSQL database.

For each number of processes P (default 1, 2, 4 and 8), a fresh schema of the server named by
``--postgres`` (default ``$WLADNA_TEST_POSTGRES_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) gets the bodies of four provinces (a
child protection unit and a reception centre in each) and a few "hot" cases that every process
works on; then P processes (``multiprocessing``, spawn) each open the deployment
(:meth:`wladna_core.Wladna.open`) and, for a fixed time, act as the case workers, supervisors
and service providers of those bodies through :class:`wladna_core.services.CaseWork`:

- intake (``register_child``, ``register_family``, ``open_case``);
- the steps of their own cases: ``record_assessment``, ``record_plan``, ``approve_plan`` (a
  high-risk plan), ``start_implementation``, ``refer`` to the province's centre, whose provider
  ``accept`` and ``complete``, ``record_follow_up``, ``close``;
- follow-ups on the hot cases, which processes race for: half read the case and save with
  ``expected_version`` (as a form does), half save straight away;
- reads: ``case``, ``referrals``, ``cases`` (the worker's caseload), ``child``, ``family``,
  ``overdue``.

Every call is timed.  A :class:`~wladna_core.storage.ConcurrencyConflict` is what the services
raise when another process saved the record first; it is counted, and the change is made again
on the record read anew, as its message says (at most 100 times).  Any other error is counted
and shown with its message: none is expected.

Every write and every read appends to the audit trail, whose lock (a transaction-level advisory
lock on PostgreSQL) makes writers take turns: the figures show what that costs as processes are
added.  Once the processes end, the store is checked: every record a service returned as saved
is stored, at its version, in its status; the versions saved of each record follow each other
without gap or repeat (no update lost or written twice); every follow-up saved on a hot case is
in it exactly once; the counts of children, households, cases and referrals are those created;
no case number is given twice, and no referral is still open on a case closed; the trail holds
exactly the entries the calls made, one per write at the version written, and
:meth:`~wladna_core.audit.AuditTrail.verify` finds its chain sound.  The schema is dropped.

The table gives, per number of processes, the calls made, the throughput (calls per second,
all processes together), the median and 95th-percentile latency of a call (of the writes and
of the reads too), the conflicts, and the check.  On a machine with fewer cores than processes,
the processes share the cores: the throughput then says how the database's locks behave under
oversubscription, not how the library scales.

Options: ``--processes 1,2,4,8``, ``--duration S`` (seconds each process works; default 30,
``--quick``: 10), ``--seed N``, ``--postgres URL``, ``--isolation "repeatable read"`` (or
``serializable``: the sessions start with that default isolation, as on a server configured so;
the store must behave the same), ``--strict`` (exit with status 1 when the server cannot be
reached).  The benchmark always exits with status 1 when the check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import os
import queue
import random
import secrets
import statistics
import threading
import time
import traceback
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from benchkit import write_results

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from wladna_core import Wladna
    from wladna_core.model import Case, Referral
    from wladna_core.services import CaseWork

DEFAULT_URL: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PROCESSES: Final = (1, 2, 4, 8)
DURATION: Final = 30.0
QUICK_DURATION: Final = 10.0
#: The provinces whose bodies the processes act for; the hot cases are Salé's.
PROVINCES: Final = ("MA-SAL", "MA-RAB", "MA-CAS", "MA-AGD")
HOT_CASES: Final = 4
#: Times a change is made again after a conflict before the process gives up on it.
MAX_ATTEMPTS: Final = 100
#: Seconds the processes have to start and open the store, and then to report.
START_TIMEOUT: Final = 300.0
#: The share of each kind of step in the mix (the rest are reads).
INTAKE: Final = 0.12
ADVANCE: Final = 0.45
RESPOND: Final = 0.55
HOT: Final = 0.65
WRITES: Final = frozenset(
    {
        "register_child",
        "register_family",
        "open_case",
        "record_assessment",
        "record_plan",
        "approve_plan",
        "start_implementation",
        "refer",
        "accept",
        "complete",
        "record_follow_up",
        "close",
        "hot_follow_up",
        "hot_follow_up_checked",
    }
)


# --- the store ----------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """Create an empty schema on ``server``; yield a store URL using it; drop it afterwards."""
    import psycopg  # noqa: PLC0415 (only with a server)
    from psycopg import sql  # noqa: PLC0415

    parsed = sa.make_url(server)
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"wladna_bench_load_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        query = {**parsed.query, "options": f"-csearch_path={schema}"}
        yield parsed.set(query=query).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def reachable(server: str) -> str | None:
    """Return why ``server`` cannot be reached, or ``None`` when it answers."""
    try:
        import psycopg  # noqa: PLC0415
    except ImportError:
        return "psycopg is not installed (pip install 'wladna-core[postgresql]')"
    admin = sa.make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__


def _open(url: str) -> Wladna:
    """Open the deployment at ``url`` with the built-in plug-ins only (no installed ones)."""
    from wladna_core import Wladna  # noqa: PLC0415
    from wladna_core.plugins import make_plugin_manager  # noqa: PLC0415

    return Wladna.open(url, plugins=make_plugin_manager(load_entrypoints=False))


# --- the deployment -----------------------------------------------------------------------------


def setup(url: str) -> dict[str, Any]:
    """Register the bodies and open the hot cases; return what the processes need to know."""
    from wladna_core import Actor, Role  # noqa: PLC0415
    from wladna_core.model import BodyKind, TerritorialBody  # noqa: PLC0415

    with _open(url) as wl:
        admin = wl.as_actor(Actor("admin", {Role.ADMIN}))
        bodies: dict[str, dict[str, str]] = {}
        for province in PROVINCES:
            unit = admin.register_body(
                TerritorialBody(name=f"UPE {province}", kind=BodyKind.UPE, territory=province)
            ).record
            centre = admin.register_body(
                TerritorialBody(name=f"CAPE {province}", kind=BodyKind.CAPE, territory=province)
            ).record
            bodies[province] = {"unit": unit.id, "centre": centre.id}
        sale = bodies[PROVINCES[0]]["unit"]
        worker = Actor("worker.setup", {Role.CASE_WORKER}, {sale})
        services = wl.as_actor(worker)
        simulation = _Simulation(wl, bodies, [], index=-1, rng=random.Random(0))
        hot: dict[str, int] = {}
        for _ in range(HOT_CASES):
            case = simulation.intake_records(services, worker, PROVINCES[0])
            case = services.record_assessment(case.id, simulation.assessment(worker, "low")).record
            case = services.record_plan(case.id, simulation.plan(worker)).record
            case = services.start_implementation(case.id).record
            hot[case.id] = case.version
        last = wl.audit.head()
        counts = _counts(wl)
    return {
        "bodies": bodies,
        "hot": list(hot),
        "hot_versions": hot,
        "audit_seq": 0 if last is None else last.seq,
        "counts": counts,
    }


def _counts(wl: Wladna) -> dict[str, int]:
    from wladna_core.model import Case, Child, Family, Referral  # noqa: PLC0415

    with wl.store.unit_of_work(read_only=True) as uow:
        return {
            kind.__name__: uow.repository(kind).count() for kind in (Child, Family, Case, Referral)
        }


class _Simulation:
    """One process's people and the cases they work on."""

    def __init__(
        self,
        wl: Wladna,
        bodies: dict[str, dict[str, str]],
        hot: list[str],
        *,
        index: int,
        rng: random.Random,
    ) -> None:
        from wladna_core import Actor, Role  # noqa: PLC0415

        self.wl = wl
        self.rng = rng
        self.index = index
        self.bodies = bodies
        self.hot = hot
        self.today = wl.today()
        self.people: dict[str, dict[str, Actor]] = {}
        for province, ids in bodies.items():
            name = province.removeprefix("MA-").lower()
            self.people[province] = {
                "worker": Actor(f"worker.{name}.{index}", {Role.CASE_WORKER}, {ids["unit"]}),
                "supervisor": Actor(f"supervisor.{name}.{index}", {Role.SUPERVISOR}, {ids["unit"]}),
                "provider": Actor(
                    f"provider.{name}.{index}", {Role.SERVICE_PROVIDER}, {ids["centre"]}
                ),
            }
        self.services: dict[str, CaseWork] = {}
        # The cases this process opened and still works on: id -> (province, case).
        self.active: dict[str, tuple[str, Case]] = {}
        self.children: list[tuple[str, str]] = []  # (province, child id)
        self.families: list[tuple[str, str]] = []  # (province, family id)
        # Referrals sent and not yet completed: id -> (province, referral).
        self.referrals: dict[str, tuple[str, Referral]] = {}
        self.referred: set[str] = set()  # cases referred once already
        # What the check needs.
        self.calls: Counter[str] = Counter()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.conflicts: Counter[str] = Counter()
        self.gave_up = 0
        self.errors: Counter[str] = Counter()
        self.first_error: str | None = None
        self.saved: list[tuple[str, str, int, str]] = []  # (type, id, version, status)
        self.audited: list[tuple[str, str, str, int]] = []  # (actor, action, id, version)
        self.notes: list[tuple[str, str]] = []  # (hot case id, note)
        self.entries = 0  # audit entries the calls appended
        self.serial = 0
        self.timing = True

    # --- plumbing -------------------------------------------------------------------------------

    def as_(self, actor: Any) -> CaseWork:
        found = self.services.get(actor.id)
        if found is None:
            found = self.services[actor.id] = self.wl.as_actor(actor)
        return found

    def call(self, name: str, function: Callable[[], Any]) -> Any:
        """Call one service; time it; count a conflict (re-raised) or an error (``None``)."""
        from wladna_core.access import AccessDenied  # noqa: PLC0415
        from wladna_core.storage import ConcurrencyConflict  # noqa: PLC0415

        start = time.perf_counter()
        try:
            result = function()
        except ConcurrencyConflict:
            self.conflicts[name] += 1
            raise
        except Exception as exc:  # every other error is a finding: counted and shown
            if isinstance(exc, AccessDenied):
                self.entries += 1  # a refusal is audited
            first = (str(exc).splitlines() or [""])[0][:300]
            self.errors[f"{name}: {type(exc).__name__}: {first}"] += 1
            if self.first_error is None:
                self.first_error = traceback.format_exc()[-2000:]
            return None
        if self.timing:
            self.calls[name] += 1
            self.latencies[name].append(time.perf_counter() - start)
        return result

    def wrote(self, actor: Any, action: str, record: Any) -> None:
        self.saved.append(
            (type(record).__name__, record.id, record.version, str(record.status.value))
            if hasattr(record, "status")
            else (type(record).__name__, record.id, record.version, "")
        )
        self.audited.append((actor.id, action, record.id, record.version))
        self.entries += 1

    def write(self, name: str, actor: Any, action: str, function: Callable[[], Any]) -> Any:
        """Make a change, made again on the record read anew after each conflict."""
        from wladna_core.storage import ConcurrencyConflict  # noqa: PLC0415

        for _attempt in range(MAX_ATTEMPTS):
            try:
                outcome = self.call(name, function)
            except ConcurrencyConflict:
                continue
            if outcome is None:
                return None
            self.wrote(actor, action, outcome.record)
            return outcome.record
        self.gave_up += 1
        return None

    # --- records --------------------------------------------------------------------------------

    def unique(self) -> str:
        self.serial += 1
        return f"p{self.index}-{self.serial}"

    def assessment(self, actor: Any, risk: str) -> Any:
        from wladna_core.model import Assessment, RiskLevel, ServiceType  # noqa: PLC0415

        return Assessment(
            on=self.today,
            by=actor.id,
            risk=RiskLevel(risk),
            summary=f"home visit and interview {self.unique()}",
            needs=frozenset({ServiceType.PSYCHOSOCIAL, ServiceType.EDUCATION}),
        )

    def plan(self, actor: Any) -> Any:
        from wladna_core.model import CasePlan, Goal, ServiceType  # noqa: PLC0415

        return CasePlan(
            drawn_up_on=self.today,
            goals=(
                Goal(
                    "back to school",
                    actor.id,
                    self.today + timedelta(days=90),
                    ServiceType.EDUCATION,
                ),
                Goal(
                    "psychosocial support",
                    actor.id,
                    self.today + timedelta(days=60),
                    ServiceType.PSYCHOSOCIAL,
                ),
            ),
            review_on=self.today + timedelta(days=30),
        )

    def intake_records(self, services: CaseWork, worker: Any, province: str) -> Case:
        """Register a child and household and open the case, without counting (setup)."""
        child, family = self.child(province), None
        child = services.register_child(child).record
        family = services.register_family(self.family(child.id, province)).record
        return services.open_case(**self.opening(child.id, family.id, province)).record

    def child(self, province: str) -> Any:
        from wladna_core.model import Child, Sex  # noqa: PLC0415

        rng = self.rng
        age_days = rng.randrange(2 * 365, 16 * 365)
        return Child(
            sex=rng.choice((Sex.FEMALE, Sex.MALE)),
            birth_date=self.today - timedelta(days=age_days),
            given_name=rng.choice(("Salma", "Youssef", "Imane", "Hamza", "Khadija", "Ayoub")),
            family_name=f"Bennani {self.unique()}",
            residence=province,
            languages=("ary",),
        )

    def family(self, child_id: str, province: str) -> Any:
        from wladna_core.model import Family, FamilyMember, Relation, Sex  # noqa: PLC0415

        return Family(
            members=(
                FamilyMember(Relation.CHILD, child_id=child_id),
                FamilyMember(
                    Relation.MOTHER,
                    given_name="Khadija",
                    family_name=f"Bennani {self.unique()}",
                    sex=Sex.FEMALE,
                    birth_date=date(1985, 1, 1) + timedelta(days=self.rng.randrange(3650)),
                    caregiver=True,
                ),
            ),
            residence=province,
        )

    def opening(self, child_id: str, family_id: str, province: str) -> dict[str, Any]:
        from wladna_core.model import (  # noqa: PLC0415
            Consent,
            ConsentGiver,
            Identification,
            IdentificationSource,
            ProtectionConcern,
            RiskLevel,
        )

        return {
            "child_id": child_id,
            "body_id": self.bodies[province]["unit"],
            "identification": Identification(IdentificationSource.SCHOOL, self.today),
            "risk": RiskLevel.MEDIUM,
            "concerns": [self.rng.choice(list(ProtectionConcern)[:6])],
            "family_id": family_id,
            "consent": Consent(
                recorded_on=self.today,
                given_by=ConsentGiver.CAREGIVER,
                services=True,
                sharing=True,
            ),
        }

    # --- the steps ------------------------------------------------------------------------------

    def step(self) -> None:
        """Take one step of the mix."""
        draw = self.rng.random()
        if draw < INTAKE or not self.active:
            self.intake()
        elif draw < ADVANCE:
            self.advance()
        elif draw < RESPOND and self.referrals:
            self.respond()
        elif draw < HOT:
            self.hot_follow_up()
        else:
            self.read()

    def intake(self) -> None:
        province = self.rng.choice(PROVINCES)
        worker = self.people[province]["worker"]
        services = self.as_(worker)
        child = self.write(
            "register_child",
            worker,
            "child.register",
            lambda: services.register_child(self.child(province)),
        )
        if child is None:
            return
        self.children.append((province, child.id))
        family = self.write(
            "register_family",
            worker,
            "family.register",
            lambda: services.register_family(self.family(child.id, province)),
        )
        if family is None:
            return
        self.families.append((province, family.id))
        case = self.write(
            "open_case",
            worker,
            "case.open",
            lambda: services.open_case(**self.opening(child.id, family.id, province)),
        )
        if case is not None:
            self.active[case.id] = (province, case)

    def advance(self) -> None:
        from wladna_core.model import CaseStatus as S  # noqa: PLC0415
        from wladna_core.model import ClosureReason, FollowUp, FollowUpKind  # noqa: PLC0415

        case_id = self.rng.choice(list(self.active))
        province, case = self.active[case_id]
        people = self.people[province]
        worker = people["worker"]
        services = self.as_(worker)
        status = case.status
        saved: Any
        if status is S.REGISTERED:
            risk = self.rng.choice(("low", "medium", "medium", "high"))
            assessment = self.assessment(worker, risk)
            saved = self.write(
                "record_assessment",
                worker,
                "case.update",
                lambda: services.record_assessment(case_id, assessment),
            )
        elif status is S.ASSESSMENT:
            plan = self.plan(worker)
            saved = self.write(
                "record_plan",
                worker,
                "case.update",
                lambda: services.record_plan(case_id, plan),
            )
        elif status is S.CASE_PLAN and case.risk.value == "high" and case.plan.approval is None:  # type: ignore[union-attr]
            supervisor = people["supervisor"]
            saved = self.write(
                "approve_plan",
                supervisor,
                "case.approve_plan",
                lambda: self.as_(supervisor).approve_plan(case_id),
            )
        elif status is S.CASE_PLAN:
            saved = self.write(
                "start_implementation",
                worker,
                "case.update",
                lambda: services.start_implementation(case_id),
            )
        elif status is S.IMPLEMENTATION and case_id not in self.referred:
            self.refer(case_id, province)
            return
        elif status is S.FOLLOW_UP and not any(
            referral.case_id == case_id for _, referral in self.referrals.values()
        ):
            saved = self.write(
                "close",
                worker,
                "case.close",
                lambda: services.close(case_id, ClosureReason.GOALS_ACHIEVED, note="plan done"),
            )
            if saved is not None:
                del self.active[case_id]
            return
        else:
            follow_up = FollowUp(
                on=self.today, by=worker.id, kind=FollowUpKind.HOME_VISIT, note=self.unique()
            )
            saved = self.write(
                "record_follow_up",
                worker,
                "case.update",
                lambda: services.record_follow_up(case_id, follow_up),
            )
        if saved is not None:
            self.active[case_id] = (province, saved)

    def refer(self, case_id: str, province: str) -> None:
        from wladna_core.model import ServiceType  # noqa: PLC0415

        worker = self.people[province]["worker"]
        referral = self.write(
            "refer",
            worker,
            "referral.make",
            lambda: self.as_(worker).refer(
                case_id,
                to_body=self.bodies[province]["centre"],
                service=ServiceType.PSYCHOSOCIAL,
                note="weekly sessions",
            ),
        )
        if referral is not None:
            self.referred.add(case_id)
            self.referrals[referral.id] = (province, referral)

    def respond(self) -> None:
        from wladna_core.model import ReferralStatus  # noqa: PLC0415

        referral_id = self.rng.choice(list(self.referrals))
        province, referral = self.referrals[referral_id]
        provider = self.people[province]["provider"]
        services = self.as_(provider)
        if referral.status is ReferralStatus.PENDING:
            saved = self.write(
                "accept", provider, "referral.respond", lambda: services.accept(referral_id)
            )
            if saved is not None:
                self.referrals[referral_id] = (province, saved)
        else:
            saved = self.write(
                "complete",
                provider,
                "referral.complete",
                lambda: services.complete(referral_id, "six sessions held"),
            )
            if saved is not None:
                del self.referrals[referral_id]

    def hot_follow_up(self) -> None:
        """Add a follow-up to a case every process works on: the conflicts are here."""
        from wladna_core.model import FollowUp, FollowUpKind  # noqa: PLC0415
        from wladna_core.storage import ConcurrencyConflict  # noqa: PLC0415

        case_id = self.rng.choice(self.hot)
        worker = self.people[PROVINCES[0]]["worker"]
        services = self.as_(worker)
        note = self.unique()
        follow_up = FollowUp(on=self.today, by=worker.id, kind=FollowUpKind.PHONE_CALL, note=note)
        checked = self.rng.random() < 0.5
        name = "hot_follow_up_checked" if checked else "hot_follow_up"
        for _attempt in range(MAX_ATTEMPTS):
            version = None
            if checked:
                # As a form does: read the case, then save on the version read.
                seen = self.call("case", lambda: services.case(case_id))
                if seen is None:
                    return
                self.entries += 1
                version = seen.version
            save = functools.partial(
                services.record_follow_up, case_id, follow_up, expected_version=version
            )
            try:
                outcome = self.call(name, save)
            except ConcurrencyConflict:
                continue
            if outcome is not None:
                self.wrote(worker, "case.update", outcome.record)
                self.notes.append((case_id, note))
            return
        self.gave_up += 1

    def read(self) -> None:
        from wladna_core.model import CaseStatus  # noqa: PLC0415
        from wladna_core.storage import CaseQuery  # noqa: PLC0415

        kind = self.rng.choice(("case", "case", "referrals", "cases", "child", "family", "overdue"))
        case_id = self.rng.choice(list(self.active))
        province, _ = self.active[case_id]
        worker = self.people[province]["worker"]
        services = self.as_(worker)
        if kind == "case":
            if self.call("case", lambda: services.case(case_id)) is not None:
                self.entries += 1
        elif kind == "referrals":
            found = self.call("referrals", lambda: services.referrals(case_id))
            self.entries += len(found or ())
        elif kind == "cases":
            active = {status for status in CaseStatus if status.is_active}
            query = CaseQuery(worker_id=worker.id, status=active)
            found = self.call("cases", lambda: services.cases(query, limit=20))
            self.entries += len(found or ())
        elif kind == "child":
            child_id = self.active[case_id][1].child_id
            if self.call("child", lambda: services.child(child_id)) is not None:
                self.entries += 1
        elif kind == "family":
            family_id = self.active[case_id][1].family_id
            if (
                family_id is not None
                and self.call("family", lambda: services.family(family_id)) is not None
            ):
                self.entries += 1
        else:
            self.call("overdue", lambda: services.overdue(self.bodies[province]["unit"]))

    def report(self, elapsed: float) -> dict[str, Any]:
        return {
            "index": self.index,
            "elapsed": elapsed,
            "calls": dict(self.calls),
            "latencies": dict(self.latencies),
            "conflicts": dict(self.conflicts),
            "gave_up": self.gave_up,
            "errors": dict(self.errors),
            "first_error": self.first_error,
            "saved": self.saved,
            "audited": self.audited,
            "notes": self.notes,
            "entries": self.entries,
        }


def work(  # noqa: PLR0917 (the arguments of a process)
    url: str,
    setup_: dict[str, Any],
    index: int,
    duration: float,
    seed: int,
    start: Any,
    results: Any,
) -> None:
    """One process: open the deployment, wait for the others, work for ``duration`` seconds."""
    try:
        with _open(url) as wl:
            simulation = _Simulation(
                wl, setup_["bodies"], setup_["hot"], index=index, rng=random.Random(seed + index)
            )
            # Warm up (connections, statements) before the clock starts; counted by the check.
            simulation.timing = False
            for _ in range(3):
                simulation.intake()
            simulation.timing = True
            start.wait(timeout=START_TIMEOUT)
            began, cpu = time.monotonic(), time.process_time()
            while time.monotonic() - began < duration:
                simulation.step()
            report = simulation.report(time.monotonic() - began)
            report["cpu"] = time.process_time() - cpu
            results.put(report)
    except BaseException as exc:  # the parent reports it; never hang it
        results.put({"index": index, "failed": f"{exc!r}\n{traceback.format_exc()[-2000:]}"})


# --- the check ----------------------------------------------------------------------------------


def check(
    url: str, setup_: dict[str, Any], reports: list[dict[str, Any]]
) -> tuple[list[str], dict[str, int]]:
    """Return what is wrong in the store after the run (nothing, when nothing was lost).

    Also return how much was checked: the records saved, the versions, the audit entries.
    """
    versions: dict[tuple[str, str], list[int]] = defaultdict(list)
    last: dict[tuple[str, str], tuple[int, str]] = {}
    for report in reports:
        for kind, record_id, version, status in report["saved"]:
            versions[kind, record_id].append(version)
            if last.get((kind, record_id), (-1, ""))[0] < version:
                last[kind, record_id] = (version, status)
    with _open(url) as wl:
        problems = _check_records(wl, setup_, versions, last)
        problems += _check_hot_cases(wl, setup_, reports)
        counts = _counts(wl)
        created = Counter(kind for (kind, _), seen in versions.items() if 1 in seen)
        for kind, before in setup_["counts"].items():
            if counts[kind] != before + created[kind]:
                problems.append(
                    f"{counts[kind]} {kind} records stored, {before} before the run and "
                    f"{created[kind]} created in it"
                )
        with wl.store.unit_of_work(read_only=True) as uow:
            cases = list(uow.cases.iter())
            numbers = Counter(case.number for case in cases)
            ended = {case.id for case in cases if not case.status.is_active}
            still_open = [
                referral.id
                for referral in uow.referrals.iter()
                if referral.case_id in ended and referral.status.value in {"pending", "accepted"}
            ]
        if still_open:
            problems.append(f"referrals still open on ended cases: {still_open[:5]}")
        repeated = [number for number, count in numbers.items() if count > 1]
        if repeated:
            problems.append(f"case numbers given twice: {repeated[:5]}")
        found, audited = _check_audit(wl, setup_, reports)
        problems += found
    checked = {
        "records": len(versions),
        "versions": sum(len(seen) for seen in versions.values()),
        "hot_follow_ups": sum(len(report["notes"]) for report in reports),
        "audit_entries": audited,
    }
    return problems, checked


def _check_records(
    wl: Wladna,
    setup_: dict[str, Any],
    versions: dict[tuple[str, str], list[int]],
    last: dict[tuple[str, str], tuple[int, str]],
) -> list[str]:
    """Every record saved is stored at the last version saved; its versions follow each other."""
    from wladna_core.model import Case, Child, Family, Referral  # noqa: PLC0415

    kinds = {"Child": Child, "Family": Family, "Case": Case, "Referral": Referral}
    problems: list[str] = []
    with wl.store.unit_of_work(read_only=True) as uow:
        for (kind, record_id), seen in sorted(versions.items()):
            try:
                record = uow.repository(kinds[kind]).get(record_id)
            except Exception as exc:  # reported
                problems.append(f"{kind} {record_id} was saved but cannot be read: {exc!r}")
                continue
            first = setup_["hot_versions"].get(record_id, 0) + 1
            if sorted(seen) != list(range(first, record.version + 1)):
                problems.append(
                    f"{kind} {record_id}: versions saved {sorted(seen)}, stored version "
                    f"{record.version}: an update was lost or saved twice"
                )
            version, status = last[kind, record_id]
            if status and (record.version, str(record.status.value)) != (version, status):
                problems.append(
                    f"{kind} {record_id}: stored {record.status.value} v{record.version}, last "
                    f"saved {status} v{version}"
                )
    return problems


def _check_hot_cases(
    wl: Wladna, setup_: dict[str, Any], reports: list[dict[str, Any]]
) -> list[str]:
    """Every follow-up saved on a hot case is in it, once."""
    problems: list[str] = []
    with wl.store.unit_of_work(read_only=True) as uow:
        for case_id in setup_["hot"]:
            case = uow.cases.get(case_id)
            kept = Counter(follow_up.note for follow_up in case.follow_ups)
            wanted = {
                note: 1 for report in reports for cid, note in report["notes"] if cid == case_id
            }
            if dict(kept) != wanted:
                missing = sorted(set(wanted) - set(kept))
                twice = [note for note, count in kept.items() if count > 1]
                problems.append(
                    f"hot case {case_id}: follow-ups lost {missing[:5]} or repeated {twice[:5]}"
                )
    return problems


def _check_audit(
    wl: Wladna, setup_: dict[str, Any], reports: list[dict[str, Any]]
) -> tuple[list[str], int]:
    """The trail holds the entries the calls made, each write's among them, and verifies."""
    problems: list[str] = []
    entries = wl.audit.entries(after_seq=setup_["audit_seq"])
    wanted = sum(report["entries"] for report in reports)
    if len(entries) != wanted:
        problems.append(f"{len(entries)} audit entries appended in the run, {wanted} made by calls")
    written = Counter(
        (entry.actor_id, entry.action, entry.record_id, entry.version)
        for entry in entries
        if entry.outcome == "done"
    )
    audited = Counter(tuple(item) for report in reports for item in report["audited"])
    missing = audited - written
    if missing:
        problems.append(f"writes without their audit entry: {list(missing)[:5]}")
    verification = wl.audit.verify()
    if not verification.ok:
        problems.append(str(verification))
    return problems, verification.checked


# --- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile of ``values`` (nearest rank), 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


#: What the sessions of the run are doing, from ``pg_stat_activity``.
_SESSIONS: Final = """
SELECT state, wait_event_type, wait_event, count(*)
FROM pg_stat_activity WHERE application_name = %s
GROUP BY 1, 2, 3
"""


def _doing(state: str | None, wait_type: str | None, wait: str | None) -> str:
    """Name what a session is doing, from its ``pg_stat_activity`` columns."""
    if state and state.startswith("idle in transaction"):
        return "in a transaction, waiting for its process"
    if state != "active":
        return "idle (its process works between transactions)"
    if wait_type == "Lock" and wait == "advisory":
        return "waiting for the audit lock"
    if wait_type == "Lock":
        return f"waiting for a lock ({wait})"
    if wait is None:
        return "running a statement"
    return f"waiting for {wait_type}: {wait}"


def watch(server: str, application: str, duration: float) -> dict[str, float]:
    """Sample the run's sessions for ``duration`` seconds; return how many were doing what.

    The figures are means over samples taken every 50 ms: e.g. 1.5 "waiting for the audit lock"
    means that one and a half processes on average were waiting for their turn to append.
    """
    import psycopg  # noqa: PLC0415

    admin = sa.make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    totals: Counter[str] = Counter()
    samples = 0
    with psycopg.connect(admin, autocommit=True) as connection:
        end = time.monotonic() + duration
        while time.monotonic() < end:
            for state, wait_type, wait, count in connection.execute(_SESSIONS, (application,)):
                totals[_doing(state, wait_type, wait)] += int(count)
            samples += 1
            time.sleep(0.05)
    return {doing: total / samples for doing, total in totals.most_common()} if samples else {}


def starting_at(url: str, isolation: str) -> str:
    """Return ``url`` with its sessions starting at the default isolation ``isolation``."""
    parsed = sa.make_url(url)
    level = isolation.replace(" ", "\\ ")
    options = f"{parsed.query.get('options', '')} -cdefault_transaction_isolation={level}"
    return parsed.set(query={**parsed.query, "options": options.strip()}).render_as_string(
        hide_password=False
    )


def run(
    server: str, processes: int, duration: float, seed: int, *, isolation: str | None = None
) -> dict[str, Any]:
    """Run ``processes`` processes for ``duration`` seconds on a fresh schema; check the store.

    :param isolation: a ``default_transaction_isolation`` the sessions start with, as a server,
        database or role configured so would give them (the store must not depend on it).
    """
    with postgres_schema(server) as fresh:
        url = fresh if isolation is None else starting_at(fresh, isolation)
        prepared = setup(url)
        context = multiprocessing.get_context("spawn")
        start = context.Barrier(processes + 1)  # and this process, which watches the server
        results = context.Queue()
        application = f"wladna-bench-load-{secrets.token_hex(4)}"
        parsed = sa.make_url(url)
        named = parsed.set(query={**parsed.query, "application_name": application})
        workers_url = named.render_as_string(hide_password=False)
        workers = [
            context.Process(
                target=work,
                args=(workers_url, prepared, index, duration, seed * 1000, start, results),
                name=f"bench-load-{index}",
            )
            for index in range(processes)
        ]
        for process in workers:
            process.start()
        reports: list[dict[str, Any]] = []
        sessions: dict[str, float] = {}
        try:
            with contextlib.suppress(threading.BrokenBarrierError):  # a process failed: it says why
                start.wait(timeout=START_TIMEOUT)
                sessions = watch(server, application, duration)
            reports.extend(results.get(timeout=START_TIMEOUT + duration) for _ in workers)
        except queue.Empty:
            reports.append({"index": -1, "failed": "a process did not report in time"})
        finally:
            for process in workers:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
        failed = [report["failed"] for report in reports if "failed" in report]
        done = [report for report in reports if "failed" not in report]
        problems = [f"process failed: {failure}" for failure in failed]
        found, checked = check(url, prepared, done)
        problems += found
    calls: Counter[str] = Counter()
    conflicts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    latencies: dict[str, list[float]] = defaultdict(list)
    for report in done:
        calls.update(report["calls"])
        conflicts.update(report["conflicts"])
        errors.update(report["errors"])
        for name, values in report["latencies"].items():
            latencies[name].extend(values)
    every = [value for values in latencies.values() for value in values]
    writes = [value for name in WRITES for value in latencies.get(name, [])]
    reads = [value for name, values in latencies.items() if name not in WRITES for value in values]
    elapsed = max((report["elapsed"] for report in done), default=0.0)
    total = sum(calls.values())
    cpu = sum(report["cpu"] for report in done)
    return {
        "processes": processes,
        "duration": duration,
        "elapsed": elapsed,
        "calls": total,
        "calls_by_service": dict(sorted(calls.items())),
        "throughput": total / elapsed if elapsed else 0.0,
        # Time the processes spent on a core, in the library and driver (not the server).
        "client_cpu_ms_per_call": 1000 * cpu / total if total else 0.0,
        "p50_ms": 1000 * statistics.median(every) if every else 0.0,
        "p95_ms": 1000 * percentile(every, 0.95),
        "p95_write_ms": 1000 * percentile(writes, 0.95),
        "p95_read_ms": 1000 * percentile(reads, 0.95),
        "p95_by_service_ms": {
            name: 1000 * percentile(values, 0.95) for name, values in sorted(latencies.items())
        },
        "conflicts": sum(conflicts.values()),
        "conflicts_by_service": dict(conflicts),
        "gave_up": sum(report["gave_up"] for report in done),
        "errors": dict(errors),
        "first_error": next((r["first_error"] for r in done if r["first_error"]), None),
        "sessions": sessions,
        "problems": problems,
        "checked": checked,
    }


def print_rows(rows: list[dict[str, Any]]) -> None:
    """Print the figures of each run, one line per number of processes."""
    header = (
        f"{'processes':>9} {'calls':>7} {'calls/s':>8} {'x 1 proc':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p95 w':>7} {'p95 r':>7} {'conflicts':>9} {'gave up':>7} "
        f"{'errors':>6} {'cpu/call':>8}  check"
    )
    print(header)
    print("-" * len(header))
    base = rows[0]["throughput"] if rows and rows[0]["processes"] == 1 else None
    for row in rows:
        scale = f"{row['throughput'] / base:8.2f}" if base else f"{'':>8}"
        print(
            f"{row['processes']:>9} {row['calls']:>7} {row['throughput']:>8.1f} {scale} "
            f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p95_write_ms']:>7.1f} "
            f"{row['p95_read_ms']:>7.1f} {row['conflicts']:>9} {row['gave_up']:>7} "
            f"{sum(row['errors'].values()):>6} {row['client_cpu_ms_per_call']:>8.1f}  "
            f"{'FAILED' if row['problems'] else 'nothing lost'}"
        )
    for row in rows:
        if row["first_error"]:
            print(f"  {row['processes']} processes, first error:\n{row['first_error']}")
        for message in list(row["errors"])[:10]:
            print(f"  {row['processes']} processes, error: {message}")
        for problem in row["problems"][:10]:
            print(f"  {row['processes']} processes, CHECK FAILED: {problem}")
    for row in rows:
        doing = ", ".join(
            f"{count:.2f} {state}" for state, count in row["sessions"].items() if count >= 0.01
        )
        print(f"  {row['processes']} processes, sessions on average: {doing}")
    for row in rows:
        checked = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in row["checked"].items()
        )
        print(f"  {row['processes']} processes, checked: {checked}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DURATION:g} s per run")
    parser.add_argument("--duration", type=float, help=f"seconds per run (default {DURATION:g})")
    parser.add_argument(
        "--processes",
        default=",".join(map(str, PROCESSES)),
        help="numbers of processes, comma-separated (default 1,2,4,8)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the steps drawn")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("WLADNA_TEST_POSTGRES_URL") or DEFAULT_URL,
        help="PostgreSQL server (default: $WLADNA_TEST_POSTGRES_URL, else the local test server)",
    )
    parser.add_argument(
        "--isolation",
        choices=("read committed", "repeatable read", "serializable"),
        help="the default isolation the sessions start with, as a server configured so gives",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when the server cannot be reached"
    )
    # Options of the other benchmarks, given to every one by run.py, are accepted and unused.
    parser.add_argument("--records", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    duration = options.duration or (QUICK_DURATION if options.quick else DURATION)
    counts = [int(part) for part in options.processes.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        parser.error("--processes takes whole numbers of 1 or more, e.g. 1,2,4,8")
    unreachable = reachable(options.postgres)
    if unreachable is not None:
        print(f"left out: PostgreSQL cannot be reached (--postgres): {unreachable}")
        return 1 if options.strict else 0
    default = f", sessions starting at {options.isolation}" if options.isolation else ""
    print(
        f"{', '.join(map(str, counts))} processes, {duration:g} s each, on PostgreSQL{default}; "
        f"{os.cpu_count()} CPU cores"
    )
    rows = [
        run(options.postgres, processes, duration, options.seed, isolation=options.isolation)
        for processes in counts
    ]
    print()
    print_rows(rows)
    path = write_results(
        "load",
        {
            "duration": duration,
            "cpu_count": os.cpu_count(),
            "seed": options.seed,
            "default_isolation": options.isolation,
            "runs": rows,
        },
    )
    print(f"\nresults: {path}")
    return 1 if any(row["problems"] for row in rows) else 0
