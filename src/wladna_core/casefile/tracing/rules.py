"""The rules of tracing and reunification, with stable ``tracing.*`` and ``reunification.*`` codes.

Both kinds belong to a case: :func:`~wladna_core.casefile.rules.case_link_rules` gives each the
rules of its case link and date (``<prefix>.case_unknown``, ``<prefix>.before_case_opened``,
``<prefix>.in_future``); the rules below come beside them.  The warning
``reunification.without_trace`` reads the case's tracing actions through the case-file context
(:meth:`~wladna_core.casefile.CaseFileContext.records_of_case`):

>>> from datetime import date
>>> from wladna_core.casefile import CaseFileContext
>>> from wladna_core.casefile.tracing import Reunification, TRACING_RULES
>>> from wladna_core.model import Relation
>>> from wladna_core.rules import RuleSet, validate
>>> reunification = Reunification(
...     case_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", on=date(2026, 3, 2),
...     with_whom=Relation.MOTHER, where="MA-SAL", verified=True,
... )
>>> found = validate(
...     reunification, on=date(2026, 3, 2), context=CaseFileContext(casefile=[]),
...     rules=RuleSet(TRACING_RULES),
... )
>>> [violation.code for violation in found]
['reunification.without_trace']
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.rules import case_link_rules
from wladna_core.casefile.tracing.records import (
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingResult,
)
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["TRACING_RULES"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


def _closed_after(record: TracingAction | Reunification, ctx: Context) -> Iterator[Finding]:
    case = ctx.case(record.case_id)
    if case is not None and case.closure is not None and record.on > case.closure.on:
        yield Finding(
            "$.on", {"on": record.on.isoformat(), "closed_on": case.closure.on.isoformat()}
        )


_AFTER_CLOSED = (
    (
        "The record is dated {on}, after its case was closed ({closed_on}).",
        "L'enregistrement est daté du {on}, après la clôture de son dossier ({closed_on}).",
        "هذا السجل مؤرَّخ في {on}، بعد إغلاق الحالة ({closed_on}).",
    ),
    (
        "Correct the date, or reopen the case before recording what was done.",
        "Corrigez la date, ou rouvrez le dossier avant d'enregistrer ce qui a été fait.",
        "صحّح التاريخ، أو أعد فتح الحالة قبل تسجيل ما تمّ إنجازه.",
    ),
)


@rule(
    "tracing.after_case_closed",
    entity=TracingAction,
    description="A tracing action is dated after its case was closed.",
    message=_msg(*_AFTER_CLOSED),
    needs={"cases"},
)
def tracing_after_case_closed(action: TracingAction, ctx: Context) -> Iterator[Finding]:
    """Report a tracing action dated after its case's closure."""
    yield from _closed_after(action, ctx)


@rule(
    "reunification.after_case_closed",
    entity=Reunification,
    description="A reunification is dated after its case was closed.",
    message=_msg(*_AFTER_CLOSED),
    needs={"cases"},
)
def reunification_after_case_closed(
    reunification: Reunification, ctx: Context
) -> Iterator[Finding]:
    """Report a reunification dated after its case's closure."""
    yield from _closed_after(reunification, ctx)


@rule(
    "reunification.where_unknown",
    entity=Reunification,
    description="The territory a child was reunified in is not in the gazetteer.",
    message=_msg(
        (
            "The territory of the reunification ({where}) is not in the gazetteer.",
            "Le territoire de la réunification ({where}) ne figure pas dans le référentiel "
            "territorial.",
            "المجال الترابي لإعادة الإدماج الأسري ({where}) غير موجود في المرجع الترابي.",
        ),
        (
            "Use the ISO 3166-2:MA code of a known province, prefecture or commune (for example "
            "MA-SAL), or add the territory to the gazetteer.",
            "Utilisez le code ISO 3166-2:MA d'une province, d'une préfecture ou d'une commune "
            "connue (par exemple MA-SAL), ou ajoutez ce territoire au référentiel territorial.",
            "استعمل رمز ISO 3166-2:MA لإقليم أو عمالة أو جماعة معروفة (مثلاً MA-SAL)، أو أضف هذا "
            "المجال الترابي إلى المرجع الترابي.",
        ),
    ),
    needs={"gazetteer"},
)
def where_unknown(reunification: Reunification, ctx: Context) -> Iterator[Finding]:
    """Report a reunification in a territory the gazetteer does not know."""
    if reunification.where not in ctx.gazetteer:
        yield Finding("$.where", {"where": reunification.where})


@rule(
    "reunification.not_verified",
    entity=Reunification,
    severity=Severity.WARNING,
    description="A child was reunified without a check of the family and best interest first.",
    message=_msg(
        (
            "The reunification was not verified beforehand: the family and the child's best "
            "interest were not checked.",
            "La réunification n'a pas été vérifiée au préalable : ni la famille ni l'intérêt "
            "supérieur de l'enfant n'ont été examinés.",
            "لم يتمّ التحقّق من إعادة الإدماج الأسري مسبقاً: لم تُفحص الأسرة ولا المصلحة الفضلى للطفل.",
        ),
        (
            "Check the family and the child's best interest (a visit, the child's views) and "
            "record it, or say in the note why it could not be done.",
            "Vérifiez la famille et l'intérêt supérieur de l'enfant (une visite, l'avis de "
            "l'enfant) et enregistrez-le, ou dites dans la note pourquoi ce n'a pas été possible.",
            "تحقّق من الأسرة ومن المصلحة الفضلى للطفل (زيارة، رأي الطفل) وسجّل ذلك، أو اذكر في "
            "الملاحظة سبب تعذّره.",
        ),
    ),
)
def not_verified(reunification: Reunification, _ctx: Context) -> Iterator[Finding]:
    """Report a reunification not verified beforehand (a warning)."""
    if not reunification.verified:
        yield Finding("$.verified")


@rule(
    "reunification.without_trace",
    entity=Reunification,
    severity=Severity.WARNING,
    description="A child was reunified with no tracing action of the case having found someone.",
    message=_msg(
        (
            "No tracing action of the case found anyone on or before the reunification ({on}).",
            "Aucune action de recherche du dossier n'a retrouvé quelqu'un avant la "
            "réunification ({on}) ou le jour même.",
            "لم يُسفر أيّ إجراء بحث في الحالة عن العثور على أحد قبل إعادة الإدماج الأسري "
            "({on}) أو في يومها.",
        ),
        (
            "Record the tracing action that found the family, with the result 'found'.",
            "Enregistrez l'action de recherche qui a retrouvé la famille, avec le résultat "
            "« trouvé ».",
            "سجّل إجراء البحث الذي أدّى إلى العثور على الأسرة، بالنتيجة «تمّ العثور».",
        ),
    ),
    needs={"casefile"},
)
def without_trace(reunification: Reunification, ctx: Context) -> Iterator[Finding]:
    """Report a reunification no tracing action of its case prepared (a warning)."""
    if not isinstance(ctx, CaseFileContext):
        return
    actions = ctx.records_of_case(TracingAction, reunification.case_id)
    if not any(
        action.result is TracingResult.FOUND and action.on <= reunification.on for action in actions
    ):
        yield Finding("$.on", {"on": reunification.on.isoformat()})


@rule(
    "reunification.follow_up_before",
    entity=Reunification,
    description="A follow-up visit is dated before the reunification it follows.",
    message=_msg(
        (
            "The follow-up visit of {visit_on} is before the reunification ({on}).",
            "La visite de suivi du {visit_on} précède la réunification ({on}).",
            "زيارة المتابعة بتاريخ {visit_on} سابقة لإعادة الإدماج الأسري ({on}).",
        ),
        (
            "Correct the date of the visit, or of the reunification.",
            "Corrigez la date de la visite, ou celle de la réunification.",
            "صحّح تاريخ الزيارة، أو تاريخ إعادة الإدماج الأسري.",
        ),
    ),
)
def follow_up_before(reunification: Reunification, _ctx: Context) -> Iterator[Finding]:
    """Report each follow-up visit dated before the reunification."""
    for index, visit in enumerate(reunification.follow_ups):
        if visit.on < reunification.on:
            yield Finding(
                f"$.follow_ups[{index}].on",
                {"visit_on": visit.on.isoformat(), "on": reunification.on.isoformat()},
            )


@rule(
    "reunification.follow_ups_out_of_order",
    entity=Reunification,
    description="A follow-up visit is dated before the visit listed ahead of it.",
    message=_msg(
        (
            "The follow-up visit of {visit_on} comes after a visit of {previous_on} in the list.",
            "La visite de suivi du {visit_on} vient après une visite du {previous_on} dans la "
            "liste.",
            "تأتي زيارة المتابعة بتاريخ {visit_on} بعد زيارة بتاريخ {previous_on} في القائمة.",
        ),
        (
            "List the follow-up visits in the order they took place.",
            "Listez les visites de suivi dans l'ordre où elles ont eu lieu.",
            "رتّب زيارات المتابعة حسب تاريخ حدوثها.",
        ),
    ),
)
def follow_ups_out_of_order(reunification: Reunification, _ctx: Context) -> Iterator[Finding]:
    """Report each follow-up visit dated before the one listed ahead of it."""
    visits = reunification.follow_ups
    for index in range(1, len(visits)):
        if visits[index].on < visits[index - 1].on:
            yield Finding(
                f"$.follow_ups[{index}].on",
                {
                    "visit_on": visits[index].on.isoformat(),
                    "previous_on": visits[index - 1].on.isoformat(),
                },
            )


@rule(
    "reunification.follow_up_in_future",
    entity=Reunification,
    description="A follow-up visit is dated after the day of validation.",
    message=_msg(
        (
            "The follow-up visit of {visit_on} is in the future (today is {today}).",
            "La visite de suivi du {visit_on} est dans le futur (nous sommes le {today}).",
            "زيارة المتابعة بتاريخ {visit_on} في المستقبل (اليوم هو {today}).",
        ),
        (
            "Record a visit once it has taken place, with its date.",
            "Enregistrez une visite une fois qu'elle a eu lieu, avec sa date.",
            "سجّل الزيارة بعد إجرائها، مع تاريخها.",
        ),
    ),
)
def follow_up_in_future(reunification: Reunification, ctx: Context) -> Iterator[Finding]:
    """Report each follow-up visit dated after the day of validation."""
    for index, visit in enumerate(reunification.follow_ups):
        if visit.on > ctx.on:
            yield Finding(
                f"$.follow_ups[{index}].on",
                {"visit_on": visit.on.isoformat(), "today": ctx.on.isoformat()},
            )


@rule(
    "reunification.sustained_without_follow_up",
    entity=Reunification,
    severity=Severity.WARNING,
    description="A reunification is said to be sustained with no follow-up visit recorded.",
    message=_msg(
        (
            "The reunification is said to be sustained, but no follow-up visit is recorded.",
            "La réunification est dite durable, mais aucune visite de suivi n'est enregistrée.",
            "يُقال إن إعادة الإدماج الأسري مستقرّة، لكن لم تُسجَّل أيّ زيارة متابعة.",
        ),
        (
            "Record the follow-up visits that found the child well in the family.",
            "Enregistrez les visites de suivi qui ont trouvé l'enfant bien dans sa famille.",
            "سجّل زيارات المتابعة التي وجدت الطفل في حال جيّدة داخل أسرته.",
        ),
    ),
)
def sustained_without_follow_up(reunification: Reunification, _ctx: Context) -> Iterator[Finding]:
    """Report a sustained reunification without any follow-up visit (a warning)."""
    if reunification.outcome is ReunificationOutcome.SUSTAINED and not reunification.follow_ups:
        yield Finding("$.outcome")


def _on(record: object) -> date | None:
    on = getattr(record, "on", None)
    return on if isinstance(on, date) else None


#: The rules of tracing actions and reunifications.
TRACING_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(TracingAction, "tracing", label="the tracing action", dated=_on),
    tracing_after_case_closed,
    *case_link_rules(Reunification, "reunification", label="the reunification", dated=_on),
    reunification_after_case_closed,
    where_unknown,
    not_verified,
    without_trace,
    follow_up_before,
    follow_ups_out_of_order,
    follow_up_in_future,
    sustained_without_follow_up,
)
