"""The rules of the services log (codes ``service.*``): :data:`SERVICE_RULES`.

Beside the case link (:func:`~wladna_core.casefile.case_link_rules`: ``service.case_unknown``,
``service.before_case_opened`` and ``service.in_future`` on the day the service was arranged):

* ``service.referral_not_of_case`` — the referral it answers is not a referral of its case;
* ``service.provider_unknown`` — no body has the provider's id;
* ``service.provider_not_referred`` (warning) — it answers a referral sent elsewhere;
* ``service.done_in_future`` — delivered, missed or cancelled on a day after today;
* ``service.delivered_after_closure`` (warning) — delivered after its case was closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.delivery.model import ServiceDelivery
from wladna_core.casefile.rules import case_link_rules
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.model import ReferralTargetKind
from wladna_core.rules import Context, Finding, Rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["SERVICE_RULES"]


def _message(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


def _referral_not_of_case(service: ServiceDelivery, ctx: Context) -> Iterator[Finding]:
    if service.referral_id is None:
        return
    ids = {referral.id for referral in ctx.referrals_of_case(service.case_id)}
    if service.referral_id not in ids:
        yield Finding("$.referral_id", {"referral_id": service.referral_id})


def _provider_unknown(service: ServiceDelivery, ctx: Context) -> Iterator[Finding]:
    if service.provider_body_id is not None and ctx.body(service.provider_body_id) is None:
        yield Finding("$.provider_body_id", {"body_id": service.provider_body_id})


def _provider_not_referred(service: ServiceDelivery, ctx: Context) -> Iterator[Finding]:
    if service.referral_id is None:
        return
    for referral in ctx.referrals_of_case(service.case_id):
        if referral.id != service.referral_id:
            continue
        target = referral.target
        if target.kind is ReferralTargetKind.BODY and target.body_id != service.provider_body_id:
            yield Finding("$.provider_body_id", {"target": target.body_id})
        elif target.kind is ReferralTargetKind.PROGRAMME and target.programme != service.programme:
            yield Finding("$.programme", {"target": str(target.programme)})


def _done_in_future(service: ServiceDelivery, ctx: Context) -> Iterator[Finding]:
    for path, day in (("$.delivered_on", service.delivered_on), ("$.ended_on", service.ended_on)):
        if day is not None and day > ctx.on:
            yield Finding(path, {"on": day.isoformat(), "today": ctx.on.isoformat()})


def _delivered_after_closure(service: ServiceDelivery, ctx: Context) -> Iterator[Finding]:
    case = ctx.case(service.case_id)
    if case is None or case.closure is None or service.delivered_on is None:
        return
    if service.delivered_on > case.closure.on:
        yield Finding(
            "$.delivered_on",
            {"on": service.delivered_on.isoformat(), "closed_on": case.closure.on.isoformat()},
        )


#: The rules of the services log, the case link's first.
SERVICE_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(
        ServiceDelivery,
        "service",
        label="the service",
        dated=lambda service: getattr(service, "planned_on", None),
        date_path="$.planned_on",
    ),
    Rule(
        code="service.referral_not_of_case",
        severity=Severity.ERROR,
        entity=ServiceDelivery,
        description="The referral a service answers is not a referral of the service's case.",
        message=_message(
            (
                "The referral {referral_id} is not a referral of the service's case.",
                "L'orientation {referral_id} n'est pas une orientation du dossier du service.",
                "الإحالة {referral_id} ليست إحالة من حالة هذه الخدمة.",
            ),
            (
                "Name a referral of the same case, or none.",
                "Indiquez une orientation du même dossier, ou aucune.",
                "اذكر إحالة من الحالة نفسها، أو لا تذكر أي إحالة.",
            ),
        ),
        check=_referral_not_of_case,
        needs=frozenset({"referrals"}),
    ),
    Rule(
        code="service.provider_unknown",
        severity=Severity.ERROR,
        entity=ServiceDelivery,
        description="No territorial body has the id of the service's provider.",
        message=_message(
            (
                "The provider {body_id} of the service is not a known body.",
                "Le prestataire {body_id} du service n'est pas un organisme connu.",
                "مقدّم الخدمة {body_id} ليس هيئة معروفة.",
            ),
            (
                "Correct the provider's id, or register the body first.",
                "Corrigez l'identifiant du prestataire, ou enregistrez d'abord l'organisme.",
                "صحّح معرِّف مقدّم الخدمة، أو سجّل الهيئة أولاً.",
            ),
        ),
        check=_provider_unknown,
        needs=frozenset({"bodies"}),
    ),
    Rule(
        code="service.provider_not_referred",
        severity=Severity.WARNING,
        entity=ServiceDelivery,
        description="A service answers a referral that was sent to another provider.",
        message=_message(
            (
                "The service answers a referral sent to {target}, not to its provider.",
                "Le service répond à une orientation adressée à {target}, pas à son prestataire.",
                "هذه الخدمة تستجيب لإحالة موجّهة إلى {target}، لا إلى مقدّمها.",
            ),
            (
                "Check the provider, or the referral the service answers.",
                "Vérifiez le prestataire, ou l'orientation à laquelle le service répond.",
                "تحقّق من مقدّم الخدمة، أو من الإحالة التي تستجيب لها.",
            ),
        ),
        check=_provider_not_referred,
        needs=frozenset({"referrals"}),
    ),
    Rule(
        code="service.done_in_future",
        severity=Severity.ERROR,
        entity=ServiceDelivery,
        description="A service is delivered, missed or cancelled on a day after today.",
        message=_message(
            (
                "The service is marked done on {on}, in the future (today is {today}).",
                "Le service est marqué comme terminé le {on}, dans le futur (nous sommes le "
                "{today}).",
                "الخدمة مسجّلة كمنتهية في {on}، وهو تاريخ في المستقبل (اليوم هو {today}).",
            ),
            (
                "Record the delivery, the missed appointment or the cancellation once it "
                "happened, with its date.",
                "Enregistrez la prestation, le rendez-vous manqué ou l'annulation une fois "
                "survenus, avec leur date.",
                "سجّل تقديم الخدمة أو تفويتها أو إلغاءها بعد حدوثه، مع تاريخه.",
            ),
        ),
        check=_done_in_future,
    ),
    Rule(
        code="service.delivered_after_closure",
        severity=Severity.WARNING,
        entity=ServiceDelivery,
        description="A service is delivered after its case was closed.",
        message=_message(
            (
                "The service was delivered on {on}, after its case was closed on {closed_on}.",
                "Le service a été fourni le {on}, après la clôture de son dossier le {closed_on}.",
                "قُدّمت الخدمة في {on}، بعد إغلاق الحالة في {closed_on}.",
            ),
            (
                "Check the date; if work goes on with the child, reopen the case.",
                "Vérifiez la date ; si le travail continue avec l'enfant, rouvrez le dossier.",
                "تحقّق من التاريخ؛ وإن استمر العمل مع الطفل فأعد فتح الحالة.",
            ),
        ),
        check=_delivered_after_closure,
        needs=frozenset({"cases"}),
    ),
)
