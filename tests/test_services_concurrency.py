"""A case referred while it is closed, transferred or marked a duplicate, on every store.

Version checks refuse two changes of one case made at once, but a referral adds no version to
its case: without more, a unit of work closing the case (which saw no open referral) and one
referring it (which saw an active case) both commit, leaving a closed case with a pending
referral, which the workflow forbids.  The services lock the case first, so that the second
sees what the first did.

A plug-in pauses each of the two at its access check, after it has read the case and its
referrals, until the other has read them too (or for a moment, when the other waits for the
lock): the two steps then run as close together as they can.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

import pytest

from casework import STORES, deployed
from wladna_core import hookimpl
from wladna_core.model import ClosureReason, ReferralStatus, ServiceType
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import ReferralQuery
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from casework import Deployment

#: How long one step waits at its access check for the other to get there too.
PAUSE_SECONDS = 1.5
TIMEOUT_SECONDS = 60
_OPEN = {ReferralStatus.PENDING, ReferralStatus.ACCEPTED}


class PauseAtChecks:
    """Pause each of two steps at its access check until both are there (or for a moment)."""

    def __init__(self, actions: set[str]) -> None:
        self.actions = actions
        self.armed = False
        self.both_there = threading.Barrier(2, timeout=PAUSE_SECONDS)

    @hookimpl
    def wladna_authorize(self, actor: object, action: str, resource: object) -> bool | None:
        """Pause at the armed actions; never deny."""
        del actor, resource
        if self.armed and action in self.actions:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.both_there.wait()
        return None


def _ending(dep: Deployment, case_id: str, how: str) -> Callable[[], object]:
    supervisor = dep.as_(dep.supervisor)
    if how == "close":
        return lambda: supervisor.close(case_id, ClosureReason.RISK_RESOLVED)
    return lambda: supervisor.transfer(case_id, dep.rabat.id)


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize(
    ("how", "action"), [("close", "case.close"), ("transfer", "case.transfer")]
)
def test_a_case_ended_while_it_is_referred_keeps_no_open_referral(
    store: str, how: str, action: str, tmp_path: Path
) -> None:
    pause = PauseAtChecks({action, "referral.make"})
    plugins = make_plugin_manager(load_entrypoints=False)
    plugins.register(pause, name="pause-at-checks")
    with deployed(store, tmp_path, plugins=plugins) as dep:
        case = dep.case()
        end = _ending(dep, case.id, how)
        worker = dep.as_(dep.worker)
        results: dict[str, object] = {}

        def run(name: str, step: Callable[[], object]) -> None:
            try:
                results[name] = step()
            except BaseException as exc:
                results[name] = exc

        pause.armed = True
        threads = [
            threading.Thread(target=run, args=("end", end)),
            threading.Thread(
                target=run,
                args=(
                    "refer",
                    lambda: worker.refer(
                        case.id, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL
                    ),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT_SECONDS)
        pause.armed = False

        refused = [name for name, result in results.items() if isinstance(result, BaseException)]
        assert len(refused) == 1, results
        assert isinstance(results[refused[0]], TransitionRefused), results
        with dep.wl.store.unit_of_work(read_only=True) as uow:
            stored = uow.cases.get(case.id)
            open_referrals = [
                referral
                for referral in uow.referrals.find(ReferralQuery(case_id=case.id))
                if referral.status in _OPEN
            ]
        assert stored.status.is_active or not open_referrals
        assert dep.wl.audit.verify().ok
