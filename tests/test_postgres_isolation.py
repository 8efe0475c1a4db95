"""A PostgreSQL server whose default isolation is stricter than READ COMMITTED.

Administrators set ``default_transaction_isolation`` to ``repeatable read`` or ``serializable``
for a database or a role; the store must not inherit it.  Its concurrency control is made for
``READ COMMITTED``: a version-checked ``UPDATE`` that waited on a concurrent one sees the row
that one committed (and raises :class:`~wladna_core.storage.ConcurrencyConflict`), and a unit of
work appending to the audit trail reads its last entry once it holds the trail's lock.  At a
stricter level the first fails with a raw serialization error and the second reads a snapshot
taken before the lock: concurrent writers then fail where they must take turns.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import attrs
import pytest
import sqlalchemy as sa

from postgres import backend_of, private_schema, release_once_blocked, server_url
from wladna_core import Actor, Role, Wladna
from wladna_core.audit import AuditDraft
from wladna_core.model import Assessment, CasePlan, FollowUp, FollowUpKind, Goal, RiskLevel
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import ConcurrencyConflict, Store, open_store
from wladna_core.testing.conformance import example_case_file
from wladna_core.testing.strategies import REFERENCE_DATE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.model import Case

pytestmark = pytest.mark.postgresql

TIMEOUT_SECONDS = 60
OPENED_ON = date(2025, 11, 3)
WRITERS = 4
FOLLOW_UPS = 5
MAX_ATTEMPTS = 200
APPENDED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["repeatable read", "serializable"])
def strict_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A store URL whose connections start with a stricter default isolation than the server's."""
    with private_schema(server_url()) as url:
        parsed = sa.make_url(url)
        level = str(request.param).replace(" ", "\\ ")
        options = f"{parsed.query['options']} -cdefault_transaction_isolation={level}"
        strict = parsed.set(query={**parsed.query, "options": options})
        yield strict.render_as_string(hide_password=False)


def _open(url: str) -> Store:
    return open_store(
        url, plugins=make_plugin_manager(load_entrypoints=False), clock=lambda: REFERENCE_DATE
    )


def _seed(url: str) -> Case:
    file = example_case_file(opened_on=OPENED_ON)
    with _open(url) as store, store.unit_of_work() as uow:
        uow.bodies.add(file.body)
        uow.children.add(file.child)
        uow.families.add(file.family)
        return uow.cases.add(file.case)


def test_the_url_makes_the_default_isolation_stricter(strict_url: str) -> None:
    # What the tests below rely on: a plain connection through this URL is not READ COMMITTED.
    engine = sa.create_engine(strict_url)
    try:
        with engine.connect() as connection:
            level = connection.exec_driver_sql("SHOW default_transaction_isolation").scalar()
    finally:
        engine.dispose()
    assert level in {"repeatable read", "serializable"}


def test_an_update_that_waited_on_a_concurrent_one_is_a_conflict_whatever_the_default(
    strict_url: str,
) -> None:
    case = _seed(strict_url)
    with _open(strict_url) as store:
        holding = threading.Event()
        release = threading.Event()
        failures: list[BaseException] = []
        holder: list[int] = []

        def theirs() -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.cases.update(attrs.evolve(case, worker_id="Amina Benali"))
                    holder.append(backend_of(uow))
                    holding.set()
                    release.wait(timeout=TIMEOUT_SECONDS)
            except BaseException as exc:
                failures.append(exc)
                holding.set()

        other = threading.Thread(target=theirs)
        other.start()
        assert holding.wait(timeout=TIMEOUT_SECONDS)
        assert failures == []
        release_once_blocked(strict_url, holder[0], release)
        with pytest.raises(ConcurrencyConflict) as conflict, store.unit_of_work() as uow:
            uow.cases.update(attrs.evolve(case, worker_id="Youssef El Idrissi"))
        other.join(timeout=TIMEOUT_SECONDS)

        assert failures == []
        assert (conflict.value.expected_version, conflict.value.stored_version) == (1, 2)


def test_a_unit_of_work_appends_after_an_entry_committed_since_it_began(strict_url: str) -> None:
    case = _seed(strict_url)
    draft = AuditDraft(
        actor_id="worker.sale",
        action="case.read",
        record_type="Case",
        record_id=case.id,
        version=case.version,
        outcome="done",
    )
    with _open(strict_url) as store:
        before = list(store.audit_entries())
        with store.unit_of_work() as ours:
            ours.cases.get(case.id)  # our transaction has begun and read

            def theirs() -> None:
                with store.unit_of_work() as uow:
                    uow.audit.append([draft], at=APPENDED_AT)

            other = threading.Thread(target=theirs)
            other.start()
            other.join(timeout=TIMEOUT_SECONDS)
            appended = ours.audit.append([draft], at=APPENDED_AT)

        seqs = [entry.seq for entry in store.audit_entries()]
    first = len(before) + 1
    assert [entry.seq for entry in appended] == [first + 1]
    assert seqs == list(range(1, first + 2))


def test_concurrent_services_lose_nothing_and_fail_nothing_whatever_the_default(
    strict_url: str,
) -> None:
    with Wladna.open(strict_url, plugins=make_plugin_manager(load_entrypoints=False)) as wl:
        file = example_case_file(opened_on=wl.today() - timedelta(days=30))
        admin = wl.as_actor(Actor("admin", {Role.ADMIN}))
        body = admin.register_body(file.body).record
        worker = Actor("worker.sale", {Role.CASE_WORKER}, {body.id})
        services = wl.as_actor(worker)
        child = services.register_child(file.child).record
        case = services.open_case(
            child_id=child.id,
            body_id=body.id,
            identification=file.case.identification,
            concerns=file.case.concerns,
            consent=file.case.consent,
            on=wl.today(),
        ).record
        today = wl.today()
        services.record_assessment(
            case.id, Assessment(on=today, by=worker.id, risk=RiskLevel.MEDIUM)
        )
        services.record_plan(
            case.id,
            CasePlan(drawn_up_on=today, goals=(Goal("back to school", worker.id, today),)),
        )
        services.start_implementation(case.id)
        failures: list[BaseException] = []

        def write(writer: int) -> None:
            with Wladna.open(
                strict_url, plugins=make_plugin_manager(load_entrypoints=False)
            ) as own:
                theirs = own.as_actor(worker)
                for number in range(FOLLOW_UPS):
                    follow_up = FollowUp(
                        on=own.today(),
                        by=worker.id,
                        kind=FollowUpKind.PHONE_CALL,
                        note=f"writer {writer} call {number}",
                    )
                    for _attempt in range(MAX_ATTEMPTS):
                        try:
                            theirs.case(case.id)
                            theirs.record_follow_up(case.id, follow_up)
                            break
                        except ConcurrencyConflict:
                            continue
                        except BaseException as exc:
                            failures.append(exc)
                            return

        threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT_SECONDS)

        assert failures == []
        stored = wl.as_actor(worker).case(case.id)
        notes = sorted(follow_up.note for follow_up in stored.follow_ups)  # type: ignore[union-attr]
        assert notes == sorted(
            f"writer {writer} call {number}"
            for writer in range(WRITERS)
            for number in range(FOLLOW_UPS)
        )
        assert wl.audit.verify().ok
