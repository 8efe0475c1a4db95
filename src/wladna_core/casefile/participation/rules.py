"""The rules of the child's participation, with stable ``participation.*`` codes.

Beside the case link (``participation.case_unknown``, ``participation.before_case_opened``,
``participation.in_future``, :func:`~wladna_core.casefile.case_link_rules`):

* ``participation.not_heard_without_reason`` (error): a child not heard, and no reason why;
* ``participation.reason_but_heard`` (error): a reason for not hearing a child who was heard;
* ``participation.views_missing`` (error): a child heard, and no views recorded;
* ``participation.weight_not_recorded`` (warning): views recorded, and not how they weighed;
* ``participation.closure_not_heard`` (warning): a case closed without hearing a child of the
  age from which their own assent or consent is sought (``case_rules.assent_bands``,
  configuration).

>>> from datetime import date
>>> from wladna_core.rules import RuleSet, validate
>>> from wladna_core.casefile.participation import Decision, Hearing, Participation
>>> record = Participation(
...     case_id="0193a2b4-0000-7000-8000-000000000001", on=date(2026, 3, 2),
...     decision=Decision.CASE_PLAN, heard=Hearing.NOT_HEARD, recorded_by="worker",
... )
>>> [v.code for v in validate(record, on=date(2026, 3, 2), rules=RuleSet(PARTICIPATION_RULES))]
['participation.not_heard_without_reason']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.participation.model import Decision, Participation
from wladna_core.casefile.rules import case_link_rules
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.model import age_on
from wladna_core.rules import Context, Finding, Rule, rule
from wladna_core.rules.builtin import MAJORITY_AGE

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["PARTICIPATION_RULES"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


@rule(
    "participation.not_heard_without_reason",
    entity=Participation,
    description="The child was not heard on a decision and no reason is recorded.",
    message=_msg(
        (
            "The child was not heard on the {decision} and no reason is recorded.",
            "L'enfant n'a pas été entendu sur la décision ({decision}) et aucune raison n'est "
            "enregistrée.",
            "لم يُستمع إلى الطفل بشأن القرار ({decision}) ولم يُسجَّل أي سبب لذلك.",
        ),
        (
            "Say in not_heard_reason why the child was not heard (too young to form views, "
            "unreachable, refused...), or record how they were heard.",
            "Indiquez dans not_heard_reason pourquoi l'enfant n'a pas été entendu (trop jeune "
            "pour se forger une opinion, injoignable, refus...), ou enregistrez comment il l'a "
            "été.",
            "بيّن في not_heard_reason سبب عدم الاستماع إلى الطفل (صغر سنه، تعذّر الوصول إليه، "
            "رفضه...)، أو سجّل كيف استُمع إليه.",
        ),
    ),
)
def not_heard_without_reason(record: Participation, _ctx: Context) -> Iterator[Finding]:
    """Find a child not heard, with no reason why."""
    if not record.was_heard and record.not_heard_reason is None:
        yield Finding("$.not_heard_reason", {"decision": record.decision.value})


@rule(
    "participation.reason_but_heard",
    entity=Participation,
    description="A reason for not hearing the child is recorded, yet the child was heard.",
    message=_msg(
        (
            "The child was heard ({heard}), yet a reason for not hearing them is recorded.",
            "L'enfant a été entendu ({heard}), et pourtant une raison de ne pas l'entendre est "
            "enregistrée.",
            "تم الاستماع إلى الطفل ({heard})، ومع ذلك سُجِّل سبب لعدم الاستماع إليه.",
        ),
        (
            "Remove not_heard_reason, or set heard to not_heard.",
            "Retirez not_heard_reason, ou mettez heard à not_heard.",
            "احذف not_heard_reason، أو اجعل heard مساوياً لـ not_heard.",
        ),
    ),
)
def reason_but_heard(record: Participation, _ctx: Context) -> Iterator[Finding]:
    """Find a reason for not hearing a child who was heard."""
    if record.was_heard and record.not_heard_reason is not None:
        yield Finding("$.not_heard_reason", {"heard": record.heard.value})


@rule(
    "participation.views_missing",
    entity=Participation,
    description="The child was heard and their views are not recorded.",
    message=_msg(
        (
            "The child was heard ({heard}) and their views are not recorded.",
            "L'enfant a été entendu ({heard}) et son opinion n'est pas enregistrée.",
            "تم الاستماع إلى الطفل ({heard}) ولم تُسجَّل آراؤه.",
        ),
        (
            "Write the child's views and wishes in views, in their words as far as possible.",
            "Écrivez l'opinion et les souhaits de l'enfant dans views, autant que possible avec "
            "ses mots.",
            "اكتب آراء الطفل ورغباته في views، بكلماته قدر الإمكان.",
        ),
    ),
)
def views_missing(record: Participation, _ctx: Context) -> Iterator[Finding]:
    """Find a child heard whose views are not recorded."""
    if record.was_heard and record.views is None:
        yield Finding("$.views", {"heard": record.heard.value})


@rule(
    "participation.weight_not_recorded",
    entity=Participation,
    severity=Severity.WARNING,
    description="The child's views are recorded but not how they were taken into account.",
    message=_msg(
        (
            "The child's views on the {decision} are recorded, but not how they were taken "
            "into account.",
            "L'opinion de l'enfant sur la décision ({decision}) est enregistrée, mais pas la "
            "manière dont elle a été prise en compte.",
            "سُجِّلت آراء الطفل بشأن القرار ({decision})، دون بيان كيف أُخذت بعين الاعتبار.",
        ),
        (
            "Say in taken_into_account how the views weighed, and why where they were not "
            "followed (the child's views are given due weight: CRC, article 12).",
            "Indiquez dans taken_into_account quel poids a eu cette opinion, et pourquoi elle "
            "n'a pas été suivie le cas échéant (CDE, article 12).",
            "بيّن في taken_into_account وزن هذه الآراء، وسبب عدم الأخذ بها عند الاقتضاء "
            "(اتفاقية حقوق الطفل، المادة 12).",
        ),
    ),
)
def weight_not_recorded(record: Participation, _ctx: Context) -> Iterator[Finding]:
    """Find views recorded without how they weighed."""
    if record.views is not None and record.taken_into_account is None:
        yield Finding("$.taken_into_account", {"decision": record.decision.value})


@rule(
    "participation.closure_not_heard",
    entity=Participation,
    severity=Severity.WARNING,
    description=(
        "A case is closed without hearing a child of an age from which their own assent or "
        "consent is sought (case_rules.assent_bands)."
    ),
    message=_msg(
        (
            "The child is {age} and was not heard on the closure of their case; from "
            "{from_age} a child's own views are sought.",
            "L'enfant a {age} ans et n'a pas été entendu sur la clôture de son dossier ; à "
            "partir de {from_age} ans son opinion est recherchée.",
            "عمر الطفل {age} سنة ولم يُستمع إليه بشأن إغلاق ملفه؛ وابتداءً من {from_age} سنة "
            "تُلتمس آراؤه.",
        ),
        (
            "Hear the child on the closure before it is decided, and record their views.",
            "Entendez l'enfant sur la clôture avant qu'elle soit décidée, et enregistrez son "
            "opinion.",
            "استمع إلى الطفل بشأن الإغلاق قبل اتخاذ القرار، وسجّل آراءه.",
        ),
    ),
    needs={"cases", "children"},
)
def closure_not_heard(record: Participation, ctx: Context) -> Iterator[Finding]:
    """Find a child old enough to assent, not heard on the closure of their case."""
    if record.decision is not Decision.CLOSURE or record.was_heard:
        return
    case = ctx.case(record.case_id)
    child = None if case is None else ctx.child(case.child_id)
    if child is None:
        return
    age = age_on(child.birth_date, record.on)
    from_age = ctx.case_rules.assent_from_age
    if from_age is not None and from_age <= age < MAJORITY_AGE:
        yield Finding("$.heard", {"age": age, "from_age": from_age})


#: Every rule of the child's participation, the case link first.
PARTICIPATION_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(
        Participation,
        "participation",
        label="the child's participation",
        dated=lambda record: record.on if isinstance(record, Participation) else None,
    ),
    not_heard_without_reason,
    reason_but_heard,
    views_missing,
    weight_not_recorded,
    closure_not_heard,
)
