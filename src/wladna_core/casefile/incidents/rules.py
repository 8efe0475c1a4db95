"""The rules of incidents, with stable ``incident.*`` codes (:data:`INCIDENT_RULES`).

Every store runs them on the way in; :func:`~wladna_core.rules.validate` runs them on their
own with a :class:`~wladna_core.rules.Context` that knows the cases (and, for the dates of
birth, the children):

>>> from datetime import date
>>> from wladna_core.rules import Context, RuleSet, validate
>>> from wladna_core.casefile.incidents import Incident, IncidentType
>>> incident = Incident(
...     case_ids=["0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"],
...     type=IncidentType.NEGLECT,
...     occurred_on=date(2026, 4, 1),
... )
>>> found = validate(incident, on=date(2026, 3, 2), context=Context(cases=[]),
...                  rules=RuleSet(INCIDENT_RULES))
>>> [violation.code for violation in found]
['incident.case_unknown', 'incident.in_future']

An incident may precede its case (it is often why the case was opened): no rule ties its date
to the case's opening.  Messages name cases by their ids, never a child or a perpetrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.incidents.model import Incident, IncidentAction, IncidentType
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["INCIDENT_RULES", "MUST_BE_REPORTED"]

#: The types of incident that a report to the prosecutor is expected for (rule
#: ``incident.not_reported_to_prosecutor``): crimes against children under the Penal Code,
#: whose non-denunciation article 299 punishes, and trafficking (Law 27-14).
MUST_BE_REPORTED: Final = frozenset(
    {IncidentType.SEXUAL_VIOLENCE, IncidentType.SEXUAL_EXPLOITATION, IncidentType.TRAFFICKING}
)


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


@rule(
    "incident.case_unknown",
    entity=Incident,
    description="A case the incident is linked to is not known.",
    message=_msg(
        (
            "The case {case_id} the incident is linked to is not known.",
            "Le dossier {case_id} auquel l'incident est rattaché est inconnu.",
            "الحالة {case_id} المرتبط بها الحادث غير معروفة.",
        ),
        (
            "Correct the case's identifier, or open the case first.",
            "Corrigez l'identifiant du dossier, ou ouvrez d'abord le dossier.",
            "صحّح معرِّف الحالة، أو افتح الحالة أولاً.",
        ),
    ),
    needs={"cases"},
)
def case_unknown(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report each linked case that does not exist."""
    for index, case_id in enumerate(incident.case_ids):
        if ctx.case(case_id) is None:
            yield Finding(f"$.case_ids[{index}]", {"case_id": case_id})


@rule(
    "incident.in_future",
    entity=Incident,
    description="The incident happened after the day of validation.",
    message=_msg(
        (
            "The incident's date ({on}) is in the future (today is {today}).",
            "La date de l'incident ({on}) est dans le futur (nous sommes le {today}).",
            "تاريخ الحادث ({on}) في المستقبل (اليوم هو {today}).",
        ),
        (
            "Correct the date of the incident; if it is not known exactly, give an estimate "
            "and mark it approximate.",
            "Corrigez la date de l'incident ; si elle n'est pas connue exactement, donnez une "
            "estimation et indiquez qu'elle est approximative.",
            "صحّح تاريخ الحادث؛ وإن لم يكن معروفاً بدقة فأدخل تاريخاً تقديرياً وأشِر إلى أنه تقريبي.",
        ),
    ),
)
def in_future(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report an incident dated after today."""
    if incident.occurred_on > ctx.on:
        yield Finding(
            "$.occurred_on", {"on": incident.occurred_on.isoformat(), "today": ctx.on.isoformat()}
        )


@rule(
    "incident.disclosure_in_future",
    entity=Incident,
    description="The incident was disclosed after the day of validation.",
    message=_msg(
        (
            "The incident's disclosure is dated {on}, in the future (today is {today}).",
            "La révélation de l'incident est datée du {on}, dans le futur (nous sommes le "
            "{today}).",
            "تاريخ الكشف عن الحادث ({on}) في المستقبل (اليوم هو {today}).",
        ),
        (
            "Correct the date of the disclosure.",
            "Corrigez la date de la révélation.",
            "صحّح تاريخ الكشف عن الحادث.",
        ),
    ),
)
def disclosure_in_future(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report a disclosure dated after today."""
    disclosure = incident.disclosure
    if disclosure is not None and disclosure.on > ctx.on:
        yield Finding(
            "$.disclosure.on", {"on": disclosure.on.isoformat(), "today": ctx.on.isoformat()}
        )


@rule(
    "incident.disclosed_before_incident",
    entity=Incident,
    description="The incident was disclosed before it happened (its date is not approximate).",
    message=_msg(
        (
            "The incident is disclosed on {disclosed_on}, before it happened ({occurred_on}).",
            "L'incident est révélé le {disclosed_on}, avant d'avoir eu lieu ({occurred_on}).",
            "تم الكشف عن الحادث في {disclosed_on}، أي قبل وقوعه ({occurred_on}).",
        ),
        (
            "Correct one of the dates; if the date of the incident is an estimate, mark it "
            "approximate.",
            "Corrigez l'une des dates ; si la date de l'incident est une estimation, indiquez "
            "qu'elle est approximative.",
            "صحّح أحد التاريخين؛ وإن كان تاريخ الحادث تقديرياً فأشِر إلى أنه تقريبي.",
        ),
    ),
)
def disclosed_before_incident(incident: Incident, _ctx: Context) -> Iterator[Finding]:
    """Report a disclosure before the incident, unless the incident's date is an estimate."""
    disclosure = incident.disclosure
    if (
        disclosure is not None
        and not incident.date_approximate
        and disclosure.on < incident.occurred_on
    ):
        yield Finding(
            "$.disclosure.on",
            {
                "disclosed_on": disclosure.on.isoformat(),
                "occurred_on": incident.occurred_on.isoformat(),
            },
        )


@rule(
    "incident.before_birth",
    entity=Incident,
    description="The incident happened before the birth of a linked case's child.",
    message=_msg(
        (
            "The incident ({occurred_on}) is dated before the birth of the child of the case "
            "{case_id} ({birth_date}).",
            "L'incident ({occurred_on}) est daté d'avant la naissance de l'enfant du dossier "
            "{case_id} ({birth_date}).",
            "الحادث ({occurred_on}) مؤرخ قبل ولادة طفل الحالة {case_id} ({birth_date}).",
        ),
        (
            "Correct the date of the incident, or the child's date of birth.",
            "Corrigez la date de l'incident, ou la date de naissance de l'enfant.",
            "صحّح تاريخ الحادث، أو تاريخ ميلاد الطفل.",
        ),
    ),
    needs={"cases", "children"},
)
def before_birth(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report each linked case whose child was born after the incident (dates not estimates)."""
    if incident.date_approximate:
        return
    for case_id in incident.case_ids:
        case = ctx.case(case_id)
        child = None if case is None else ctx.child(case.child_id)
        if child is None or child.birth_date_estimated:
            continue
        if incident.occurred_on < child.birth_date:
            yield Finding(
                "$.occurred_on",
                {
                    "occurred_on": incident.occurred_on.isoformat(),
                    "case_id": case_id,
                    "birth_date": child.birth_date.isoformat(),
                },
            )


@rule(
    "incident.territory_unknown",
    entity=Incident,
    description="The territory where the incident happened is not in the gazetteer.",
    message=_msg(
        (
            "The territory {territory} of the incident is not known.",
            "Le territoire {territory} de l'incident est inconnu.",
            "المجال الترابي {territory} للحادث غير معروف.",
        ),
        (
            "Use the ISO 3166-2:MA code of a known region, province or prefecture (for example "
            "MA-SAL).",
            "Utilisez le code ISO 3166-2:MA d'une région, d'une province ou d'une préfecture "
            "connue (par exemple MA-SAL).",
            "استعمل رمز ISO 3166-2:MA لجهة أو إقليم أو عمالة معروفة (مثلاً MA-SAL).",
        ),
    ),
    needs={"gazetteer"},
)
def territory_unknown(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report a territory code the gazetteer does not know."""
    if incident.territory is not None and incident.territory not in ctx.gazetteer:
        yield Finding("$.territory", {"territory": incident.territory})


@rule(
    "incident.disclosure_body_unknown",
    entity=Incident,
    description="The body the incident was disclosed to is not known.",
    message=_msg(
        (
            "The body {body_id} the incident was disclosed to is not known.",
            "L'organisme {body_id} auquel l'incident a été révélé est inconnu.",
            "الهيئة {body_id} التي تم إبلاغها بالحادث غير معروفة.",
        ),
        (
            "Correct the body's identifier, or leave it out and give the kind of institution.",
            "Corrigez l'identifiant de l'organisme, ou omettez-le et indiquez le type "
            "d'institution.",
            "صحّح معرِّف الهيئة، أو احذفه واذكر نوع المؤسسة.",
        ),
    ),
    needs={"bodies"},
)
def disclosure_body_unknown(incident: Incident, ctx: Context) -> Iterator[Finding]:
    """Report a disclosure to a body that does not exist."""
    disclosure = incident.disclosure
    body_id = None if disclosure is None else disclosure.to_body_id
    if body_id is not None and ctx.body(body_id) is None:
        yield Finding("$.disclosure.to_body_id", {"body_id": body_id})


@rule(
    "incident.not_reported_to_prosecutor",
    entity=Incident,
    severity=Severity.WARNING,
    description=(
        "A sexual violence, sexual exploitation or trafficking incident records no report to "
        "the prosecutor."
    ),
    message=_msg(
        (
            "This {type} incident records no report to the prosecutor: the Penal Code "
            "(article 299) punishes failing to report a crime, and trafficking is a crime "
            "under Law 27-14.",
            "Cet incident ({type}) ne mentionne aucun signalement au procureur : le Code pénal "
            "(article 299) punit la non-dénonciation d'un crime, et la traite est un crime "
            "selon la loi 27-14.",
            "لا يتضمن هذا الحادث ({type}) أي إشعار للنيابة العامة: يعاقب القانون الجنائي "
            "(الفصل 299) على عدم التبليغ عن جناية، والاتجار بالبشر جناية بموجب القانون 27.14.",
        ),
        (
            "Report it to the prosecutor (and record the action), or note why it was not.",
            "Signalez-le au procureur (et enregistrez l'action), ou notez pourquoi il ne l'a "
            "pas été.",
            "أبلِغ النيابة العامة (وسجّل هذا الإجراء)، أو دوّن سبب عدم التبليغ.",
        ),
    ),
)
def not_reported_to_prosecutor(incident: Incident, _ctx: Context) -> Iterator[Finding]:
    """Warn of a crime against a child recorded without a report to the prosecutor."""
    if (
        incident.type in MUST_BE_REPORTED
        and IncidentAction.REPORT_TO_PROSECUTOR not in incident.actions
    ):
        yield Finding("$.actions", {"type": incident.type.value})


#: The incident rules, in order of code.
INCIDENT_RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            before_birth,
            case_unknown,
            disclosed_before_incident,
            disclosure_body_unknown,
            disclosure_in_future,
            in_future,
            not_reported_to_prosecutor,
            territory_unknown,
        ),
        key=lambda item: item.code,
    )
)
