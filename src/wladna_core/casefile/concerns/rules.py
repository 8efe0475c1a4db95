"""The rules of the details of protection concerns, with stable ``concern.*`` codes.

Beside ``concern.case_unknown`` (:func:`~wladna_core.casefile.case_link_rules`; a concern may
be identified before its case was opened, so the case's opening date bounds nothing here):

* ``concern.not_in_case`` (error): the concern is not among the case's ``concerns``;
* ``concern.in_future`` (error): identified or resolved after the day of validation;
* ``concern.before_birth`` (error): identified before the child was born;
* ``concern.already_open`` (error): the case has another open detail of the same concern.

>>> from datetime import date
>>> from wladna_core.casefile import CaseFileContext
>>> from wladna_core.casefile.concerns import ConcernDetail
>>> from wladna_core.model import ProtectionConcern
>>> from wladna_core.rules import RuleSet, validate
>>> detail = ConcernDetail(
...     case_id="0193a2b4-0000-7000-8000-000000000001", concern=ProtectionConcern.BEGGING,
...     identified_on=date(2026, 4, 1), identified_by="night outreach team",
... )
>>> found = validate(detail, on=date(2026, 3, 2), rules=RuleSet(CONCERN_RULES))
>>> [(violation.code, violation.path) for violation in found]
[('concern.in_future', '$.identified_on')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.concerns.model import ConcernDetail
from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.rules import case_link_rules
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["CONCERN_RULES"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


@rule(
    "concern.not_in_case",
    entity=ConcernDetail,
    description="The concern detailed is not among the protection concerns of its case.",
    message=_msg(
        (
            "The concern {concern} is not among the protection concerns of the case.",
            "La préoccupation {concern} ne figure pas parmi les préoccupations de protection "
            "du dossier.",
            "الإشكال {concern} غير مدرج ضمن إشكالات الحماية الخاصة بالحالة.",
        ),
        (
            "Add the concern to the case first (its assessment lists the case's concerns), "
            "or detail one of the case's concerns.",
            "Ajoutez d'abord la préoccupation au dossier (son évaluation liste les "
            "préoccupations du dossier), ou détaillez l'une de celles du dossier.",
            "أضف الإشكال إلى الحالة أولاً (يحدّد التقييم إشكالات الحالة)، أو فصّل أحد "
            "إشكالات الحالة المسجلة.",
        ),
    ),
    needs={"cases"},
)
def not_in_case(detail: ConcernDetail, ctx: Context) -> Iterator[Finding]:
    """Find a detail of a concern that its case does not list."""
    case = ctx.case(detail.case_id)
    if case is not None and detail.concern not in case.concerns:
        yield Finding("$.concern", {"concern": detail.concern.value})


@rule(
    "concern.in_future",
    entity=ConcernDetail,
    description="A concern is identified or resolved after the day of validation.",
    message=_msg(
        (
            "The date {on} is in the future (today is {today}).",
            "La date {on} est dans le futur (nous sommes le {today}).",
            "التاريخ {on} في المستقبل (اليوم هو {today}).",
        ),
        (
            "Record what happened once it has happened, with its date.",
            "Enregistrez ce qui s'est passé une fois que c'est arrivé, avec sa date.",
            "سجّل ما حدث بعد وقوعه، مع تاريخه.",
        ),
    ),
)
def in_future(detail: ConcernDetail, ctx: Context) -> Iterator[Finding]:
    """Find a day identified or resolved that is still to come."""
    today = ctx.on.isoformat()
    if detail.identified_on > ctx.on:
        yield Finding("$.identified_on", {"on": detail.identified_on.isoformat(), "today": today})
    if detail.resolved_on is not None and detail.resolved_on > ctx.on:
        yield Finding("$.resolved_on", {"on": detail.resolved_on.isoformat(), "today": today})


@rule(
    "concern.before_birth",
    entity=ConcernDetail,
    description="A concern is identified before the child of its case was born.",
    message=_msg(
        (
            "The concern is identified on {on}, before the child was born ({birth}).",
            "La préoccupation est identifiée le {on}, avant la naissance de l'enfant ({birth}).",
            "حُدِّد الإشكال في {on}، أي قبل ولادة الطفل ({birth}).",
        ),
        (
            "Correct the day the concern was identified, or the child's date of birth.",
            "Corrigez la date d'identification de la préoccupation, ou la date de naissance de "
            "l'enfant.",
            "صحّح تاريخ تحديد الإشكال، أو تاريخ ازدياد الطفل.",
        ),
    ),
    needs={"cases", "children"},
)
def before_birth(detail: ConcernDetail, ctx: Context) -> Iterator[Finding]:
    """Find a concern identified before the child was born."""
    case = ctx.case(detail.case_id)
    child = None if case is None else ctx.child(case.child_id)
    if child is not None and detail.identified_on < child.birth_date:
        yield Finding(
            "$.identified_on",
            {"on": detail.identified_on.isoformat(), "birth": child.birth_date.isoformat()},
        )


@rule(
    "concern.already_open",
    entity=ConcernDetail,
    description="The case has another open detail of the same concern.",
    message=_msg(
        (
            "The case already has an open detail of the concern {concern} ({other}).",
            "Le dossier a déjà un détail ouvert de la préoccupation {concern} ({other}).",
            "للحالة تفصيل مفتوح آخر للإشكال {concern} ({other}).",
        ),
        (
            "Add to that detail's notes, or resolve it before recording the concern again.",
            "Complétez les notes de ce détail, ou résolvez-le avant d'enregistrer à nouveau la "
            "préoccupation.",
            "أكمل ملاحظات ذلك التفصيل، أو سجّل حلّه قبل تسجيل الإشكال من جديد.",
        ),
    ),
    needs={"casefile"},
)
def already_open(detail: ConcernDetail, ctx: Context) -> Iterator[Finding]:
    """One open detail per concern per case."""
    if not detail.is_open or not isinstance(ctx, CaseFileContext):
        return
    for other in ctx.records_of_case(ConcernDetail, detail.case_id):
        if other.id != detail.id and other.concern is detail.concern and other.is_open:
            yield Finding("$.concern", {"concern": detail.concern.value, "other": other.id})
            return


#: Every rule of the details of protection concerns, the case link first.
CONCERN_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(ConcernDetail, "concern", label="the concern detail"),
    not_in_case,
    in_future,
    before_birth,
    already_open,
)
