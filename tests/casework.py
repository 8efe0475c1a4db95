"""A small deployment for the casework tests: bodies of Salé and Rabat, and their people.

* ``upe``: the child protection unit (UPE) of Salé, which identifies children;
* ``cape``: a reception centre (CAPE) in Salé, to which cases are referred;
* ``cppe``: the provincial committee (CPPE) of Salé;
* ``region``: the regional delegation of Rabat-Salé-Kénitra, whose coordinator oversees the
  region;
* ``rabat``: a UPE in Rabat, whose people must not see Salé's cases.

The services are tested on every store the library ships: :data:`STORES` parametrizes a test
over the memory store, a SQLite file and a PostgreSQL schema, and :func:`store_url` makes the
place of one of them (the PostgreSQL tests are skipped, or fail in CI, without a server; see
:mod:`postgres`).  :func:`deploy` opens a deployment there; with ``fresh=True`` it empties the
store first, so that one place serves many Hypothesis examples.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Final

import attrs
import pytest

from postgres import private_schema, server_url
from wladna_core import Actor, Role, Wladna
from wladna_core.model import (
    BodyKind,
    Child,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    Relation,
    RiskLevel,
    Sex,
    TerritorialBody,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from wladna_core.model import Case
    from wladna_core.services import CaseWork

#: The day the tests happen on.
TODAY = date(2026, 3, 2)

_names = itertools.count(1)

#: The stores every casework test runs on, for ``pytest.mark.parametrize``.
STORES: Final = (
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
)

#: Hypothesis examples per store: a SQL store commits to disk or to a server at every step.
EXAMPLES: Final = {"memory": 1.0, "sqlite": 0.4, "postgresql": 0.4}


def examples(store: str, on_memory: int) -> int:
    """Return how many Hypothesis examples to run on ``store`` (``on_memory`` on memory)."""
    return max(3, round(on_memory * EXAMPLES[store]))


@contextlib.contextmanager
def store_url(store: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty store of kind ``store`` (see :data:`STORES`).

    :param directory: where a SQLite file is kept.
    """
    if store == "memory":
        yield f"memory://casework-{next(_names)}"
    elif store == "sqlite":
        yield f"sqlite:///{directory / f'casework-{next(_names)}.db'}"
    elif store == "postgresql":
        with private_schema(server_url()) as url:
            yield url
    else:
        msg = f"unknown store {store!r}; use one of memory, sqlite, postgresql"
        raise ValueError(msg)


@contextlib.contextmanager
def deployed(store: str, directory: Path, **options: object) -> Iterator[Deployment]:
    """Yield a deployment on a new store of kind ``store``, and close it afterwards."""
    with store_url(store, directory) as url:
        deployment = deploy(url, **options)  # type: ignore[arg-type]
        try:
            yield deployment
        finally:
            deployment.wl.close()


class Clock:
    """A clock the tests move by hand; one second passes at each reading."""

    def __init__(self, day: date = TODAY) -> None:
        self.moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment

    def advance(self, days: int) -> None:
        """Move the clock ``days`` days on."""
        self.moment += timedelta(days=days)


@attrs.define
class Deployment:
    """The open application, its bodies and the people acting in it."""

    wl: Wladna
    clock: Clock
    upe: TerritorialBody
    cape: TerritorialBody
    cppe: TerritorialBody
    region: TerritorialBody
    rabat: TerritorialBody
    admin: Actor
    worker: Actor
    supervisor: Actor
    provider: Actor
    coordinator: Actor
    outsider: Actor
    analyst: Actor

    def as_(self, actor: Actor) -> CaseWork:
        """Return the services for ``actor``."""
        return self.wl.as_actor(actor)

    def child(self, by: Actor | None = None, **changes: object) -> Child:
        """Register a child (by ``by``, the UPE's case worker by default) and return it."""
        fields: dict[str, object] = {
            "sex": Sex.FEMALE,
            "birth_date": date(2015, 6, 1),
            "given_name": "Salma",
            "family_name": "Bennani",
            "residence": "MA-SAL",
        }
        fields.update(changes)
        registrar = self.as_(by or self.worker)
        return registrar.register_child(Child(**fields)).record  # type: ignore[arg-type]

    def family(self, child: Child, by: Actor | None = None, **changes: object) -> Family:
        """Register the child's household (by ``by``, the UPE's case worker by default)."""
        fields: dict[str, object] = {
            "members": (
                FamilyMember(Relation.CHILD, child_id=child.id),
                FamilyMember(
                    Relation.MOTHER,
                    given_name="Khadija",
                    family_name="Bennani",
                    sex=Sex.FEMALE,
                    birth_date=date(1988, 1, 1),
                    caregiver=True,
                ),
            ),
            "residence": "MA-SAL",
        }
        fields.update(changes)
        registrar = self.as_(by or self.worker)
        return registrar.register_family(Family(**fields)).record  # type: ignore[arg-type]

    def case(
        self,
        *,
        consent: bool = True,
        risk: RiskLevel = RiskLevel.MEDIUM,
        with_family: bool = False,
        on: date = TODAY,
        **family_changes: object,
    ) -> Case:
        """Open a case for a new child at the UPE of Salé and return it."""
        child = self.child()
        family = self.family(child, **family_changes) if with_family else None
        given = (
            Consent(
                recorded_on=on,
                given_by=ConsentGiver.CAREGIVER,
                services=True,
                sharing=True,
            )
            if consent
            else None
        )
        return (
            self.as_(self.worker)
            .open_case(
                child_id=child.id,
                body_id=self.upe.id,
                identification=Identification(IdentificationSource.SCHOOL, on),
                risk=risk,
                concerns=[ProtectionConcern.NEGLECT],
                family_id=None if family is None else family.id,
                consent=given,
                on=on,
            )
            .record
        )


def deploy(
    url: str | None = None,
    *,
    plugins: object = None,
    settings: dict[str, object] | None = None,
    clock: Clock | None = None,
    opener: Callable[..., Wladna] = Wladna.open,
    fresh: bool = False,
) -> Deployment:
    """Open an application at ``url`` (a fresh memory store by default) and register the bodies.

    :param fresh: delete every record and audit entry of the store first (the store is opened
        with ``allow_reset``).
    """
    clock = clock or Clock()
    url = url or f"memory://casework-{next(_names)}-{id(clock)}"
    if fresh:
        settings = {**(settings or {}), "allow_reset": True}
    wl = opener(url, plugins=plugins, settings=settings, clock=clock)
    if fresh:
        wl.store.reset()
    admin = Actor("admin", {Role.ADMIN})
    services = wl.as_actor(admin)
    upe = services.register_body(
        TerritorialBody(name="UPE Salé", kind=BodyKind.UPE, territory="MA-SAL")
    ).record
    cape = services.register_body(
        TerritorialBody(name="CAPE Salé", kind=BodyKind.CAPE, territory="MA-SAL")
    ).record
    cppe = services.register_body(
        TerritorialBody(name="CPPE Salé", kind=BodyKind.CPPE, territory="MA-SAL")
    ).record
    region = services.register_body(
        TerritorialBody(
            name="Délégation régionale Rabat-Salé-Kénitra",
            kind=BodyKind.MINISTRY,
            territory="MA-04",
        )
    ).record
    rabat = services.register_body(
        TerritorialBody(name="UPE Rabat", kind=BodyKind.UPE, territory="MA-RAB")
    ).record
    return Deployment(
        wl=wl,
        clock=clock,
        upe=upe,
        cape=cape,
        cppe=cppe,
        region=region,
        rabat=rabat,
        admin=admin,
        worker=Actor("worker.sale", {Role.CASE_WORKER}, {upe.id}),
        supervisor=Actor("supervisor.sale", {Role.SUPERVISOR}, {upe.id}),
        provider=Actor("provider.cape", {Role.SERVICE_PROVIDER}, {cape.id}),
        coordinator=Actor("coordinator.region", {Role.BODY_COORDINATOR}, {region.id}),
        outsider=Actor("worker.rabat", {Role.CASE_WORKER, Role.SUPERVISOR}, {rabat.id}),
        analyst=Actor("analyst", {Role.NATIONAL_ANALYST}),
    )
