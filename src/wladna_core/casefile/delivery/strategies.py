"""Hypothesis strategies for the services log, valid by construction.

:func:`service_deliveries` draws a :class:`~wladna_core.casefile.delivery.ServiceDelivery` of
a given case whose dates fall between the case's opening and ``on``, with its status and the
dates that go with it: it passes every ``service.*`` rule with a context that knows the case,
its referrals (none named unless ``referral=`` is given) and the provider body (``body_id=``).

Needs the ``testing`` extra (``pip install "wladna-core[testing]"``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from wladna_core.casefile.delivery.model import ServiceDelivery, ServiceStatus
from wladna_core.model import ServiceType, SocialProgramme, Urgency
from wladna_core.testing.strategies import record_ids

if TYPE_CHECKING:
    from wladna_core.model import Case, Referral

__all__ = ["service_deliveries"]


def _day(draw: st.DrawFn, first: date, last: date) -> date:
    return first + timedelta(days=draw(st.integers(0, max(0, (last - first).days))))


@st.composite
def service_deliveries(
    draw: st.DrawFn,
    case: Case,
    *,
    on: date,
    body_id: str | None = None,
    referral: Referral | None = None,
    status: ServiceStatus | None = None,
) -> ServiceDelivery:
    """Draw a service of ``case`` valid on ``on``.

    :param case: the case (opened on or before ``on``).
    :param on: the day of validation: no date of the service is after it, but its due date
        and appointment may be.
    :param body_id: the provider body; ``None`` draws a social programme or this knob alike
        (a programme when ``None``).
    :param referral: a referral of the case the service answers (its target is the provider).
    :param status: the status; drawn when ``None``.
    """
    last = max(case.opened_on, min(on, case.closure.on if case.closure else on))
    planned = _day(draw, case.opened_on, last)
    due = planned + timedelta(days=draw(st.integers(0, 60)))
    chosen = status if status is not None else draw(st.sampled_from(ServiceStatus))
    provider: dict[str, object]
    if referral is not None and referral.target.body_id is not None:
        provider = {"provider_body_id": referral.target.body_id}
    elif referral is not None and referral.target.programme is not None:
        provider = {"programme": referral.target.programme}
    elif body_id is not None:
        provider = {"provider_body_id": body_id}
    else:
        provider = {"programme": draw(st.sampled_from(SocialProgramme))}
    done = _day(draw, planned, last) if chosen is not ServiceStatus.PLANNED else None
    appointment = draw(
        st.none() | st.integers(0, 90).map(lambda days: planned + timedelta(days=days))
    )
    return ServiceDelivery(
        case_id=case.id,
        service=draw(st.sampled_from(ServiceType)),
        planned_on=planned,
        due_on=due,
        recorded_by=draw(st.sampled_from(("worker-01", "worker-02", "provider-01"))),
        referral_id=None if referral is None else referral.id,
        urgency=draw(st.sampled_from(Urgency)),
        appointment_on=appointment,
        status=chosen,
        delivered_on=done if chosen is ServiceStatus.DELIVERED else None,
        ended_on=done if chosen in (ServiceStatus.MISSED, ServiceStatus.CANCELLED) else None,
        note=draw(st.none() | st.sampled_from(("Première séance.", "جلسة أولى."))),
        id=draw(record_ids()),
        **provider,  # type: ignore[arg-type]
    )
