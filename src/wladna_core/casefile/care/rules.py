"""The rules of care arrangements, with stable ``care.*`` codes (:data:`CARE_RULES`).

They check an arrangement against its case (it exists), its child (born before it starts; old
enough to live independently), its own type (a kafala has its decision, residential care its
establishment) and the case's other arrangements, which a
:class:`~wladna_core.casefile.care.context.CareContext` provides (the need ``casefile``): no
two overlap, and at most one is open.

>>> from datetime import date
>>> from wladna_core.rules import RuleSet, validate
>>> from wladna_core.casefile.care import CareArrangement, CareContext, CareType
>>> case_id = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"
>>> home = CareArrangement(case_id=case_id, type=CareType.PARENTS, started_on=date(2015, 6, 1))
>>> centre = CareArrangement(case_id=case_id, type=CareType.RESIDENTIAL,
...                          started_on=date(2026, 2, 1))
>>> context = CareContext(casefile=[home])
>>> found = validate(centre, on=date(2026, 3, 2), context=context, rules=RuleSet(CARE_RULES))
>>> sorted(violation.code for violation in found)
['care.establishment_missing', 'care.more_than_one_open']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.care.context import CareContext
from wladna_core.casefile.care.model import CareArrangement, CareType
from wladna_core.casefile.care.settings import CareSettings
from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.rules import case_link_rules
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.model import age_on
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["CARE_RULES"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


def _others(arrangement: CareArrangement, ctx: Context) -> Sequence[CareArrangement]:
    """Return the child's other arrangements, of the case and of the cases linked by transfers.

    Rules needing ``casefile`` run with a case-file context.
    """
    if not isinstance(ctx, CaseFileContext):  # pragma: no cover (guarded by the need)
        return ()
    found = ctx.records_of_history(CareArrangement, arrangement.case_id)
    return [other for other in found if other.id != arrangement.id]


def _settings(ctx: Context) -> CareSettings:
    return ctx.care if isinstance(ctx, CareContext) else CareSettings()


def _end(arrangement: CareArrangement) -> str:
    return "…" if arrangement.ended_on is None else arrangement.ended_on.isoformat()


@rule(
    "care.in_future",
    entity=CareArrangement,
    description="A care arrangement starts or ends after the day of validation.",
    message=_msg(
        (
            "The care arrangement's date ({on}) is in the future (today is {today}).",
            "La date de la prise en charge ({on}) est dans le futur (nous sommes le {today}).",
            "تاريخ ترتيب الرعاية ({on}) في المستقبل (اليوم هو {today}).",
        ),
        (
            "Record where the child lives once it is so; end an arrangement on the day it ends.",
            "Enregistrez le lieu de vie de l'enfant une fois effectif ; clôturez une prise en "
            "charge le jour où elle prend fin.",
            "سجّل مكان عيش الطفل بعد أن يصبح فعلياً؛ وأنهِ ترتيب الرعاية يوم انتهائه.",
        ),
    ),
)
def in_future(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Report a start or an end after today."""
    today = ctx.on.isoformat()
    if arrangement.started_on > ctx.on:
        yield Finding("$.started_on", {"on": arrangement.started_on.isoformat(), "today": today})
    if arrangement.ended_on is not None and arrangement.ended_on > ctx.on:
        yield Finding("$.ended_on", {"on": arrangement.ended_on.isoformat(), "today": today})


@rule(
    "care.overlap",
    entity=CareArrangement,
    description="A care arrangement overlaps another of the same case.",
    message=_msg(
        (
            "This care arrangement ({started_on} to {ended_on}) overlaps another of the case "
            "({other_id}, {other_started_on} to {other_ended_on}).",
            "Cette prise en charge ({started_on} au {ended_on}) chevauche une autre du dossier "
            "({other_id}, {other_started_on} au {other_ended_on}).",
            "يتداخل ترتيب الرعاية هذا ({started_on} إلى {ended_on}) مع ترتيب آخر للحالة "
            "({other_id}، {other_started_on} إلى {other_ended_on}).",
        ),
        (
            "Correct the dates: a child lives in one arrangement at a time; the next may start "
            "the day the previous one ends.",
            "Corrigez les dates : l'enfant vit dans une seule prise en charge à la fois ; la "
            "suivante peut commencer le jour où la précédente prend fin.",
            "صحّح التواريخ: يعيش الطفل في ترتيب رعاية واحد في كل مرة؛ ويمكن أن يبدأ الترتيب "
            "التالي يوم انتهاء السابق.",
        ),
    ),
    needs={"casefile"},
)
def overlap(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Report each other arrangement it overlaps (two open ones are ``care.more_than_one_open``)."""
    for other in _others(arrangement, ctx):
        if arrangement.is_open and other.is_open:
            continue
        if arrangement.overlaps(other):
            yield Finding(
                "$.started_on",
                {
                    "started_on": arrangement.started_on.isoformat(),
                    "ended_on": _end(arrangement),
                    "other_id": other.id,
                    "other_started_on": other.started_on.isoformat(),
                    "other_ended_on": _end(other),
                },
            )


@rule(
    "care.more_than_one_open",
    entity=CareArrangement,
    description="A case has two care arrangements without an end.",
    message=_msg(
        (
            "The case already has an open care arrangement ({other_id}, since {other_started_on}).",
            "Le dossier a déjà une prise en charge en cours ({other_id}, depuis le "
            "{other_started_on}).",
            "للحالة ترتيب رعاية جارٍ بالفعل ({other_id}، منذ {other_started_on}).",
        ),
        (
            "End the current arrangement first (on the day the child moved), then record the "
            "new one.",
            "Clôturez d'abord la prise en charge en cours (le jour du changement), puis "
            "enregistrez la nouvelle.",
            "أنهِ أولاً ترتيب الرعاية الجاري (يوم انتقال الطفل)، ثم سجّل الترتيب الجديد.",
        ),
    ),
    needs={"casefile"},
)
def more_than_one_open(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Report another open arrangement of the case, when this one is open too."""
    if not arrangement.is_open:
        return
    for other in _others(arrangement, ctx):
        if other.is_open:
            yield Finding(
                "$.ended_on",
                {"other_id": other.id, "other_started_on": other.started_on.isoformat()},
            )


@rule(
    "care.before_birth",
    entity=CareArrangement,
    description="A care arrangement starts before the child's birth.",
    message=_msg(
        (
            "The care arrangement starts on {started_on}, before the child's birth ({birth_date}).",
            "La prise en charge commence le {started_on}, avant la naissance de l'enfant "
            "({birth_date}).",
            "يبدأ ترتيب الرعاية في {started_on}، أي قبل ولادة الطفل ({birth_date}).",
        ),
        (
            "Correct the start, or the child's date of birth.",
            "Corrigez le début, ou la date de naissance de l'enfant.",
            "صحّح تاريخ البداية، أو تاريخ ميلاد الطفل.",
        ),
    ),
    needs={"cases", "children"},
)
def before_birth(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Report a start before the child's birth (unless the date of birth is an estimate)."""
    case = ctx.case(arrangement.case_id)
    child = None if case is None else ctx.child(case.child_id)
    if child is None or child.birth_date_estimated:
        return
    if arrangement.started_on < child.birth_date:
        yield Finding(
            "$.started_on",
            {
                "started_on": arrangement.started_on.isoformat(),
                "birth_date": child.birth_date.isoformat(),
            },
        )


@rule(
    "care.kafala_decision_missing",
    entity=CareArrangement,
    description="A kafala records no judicial decision.",
    message=_msg(
        (
            "A kafala is ordered by the judge in charge of guardianship (Law 15-01): this one "
            "records no decision.",
            "La kafala est ordonnée par le juge des tutelles (loi 15-01) : celle-ci ne mentionne "
            "aucune décision.",
            "تُسنَد الكفالة بأمر من القاضي المكلف بشؤون القاصرين (القانون 15.01): هذه الكفالة "
            "لا تتضمن أي قرار.",
        ),
        (
            "Give the decision: the court, its reference and its date; until it is made, record "
            "the arrangement as it is (kinship care, foster family, residential care).",
            "Indiquez la décision : le tribunal, sa référence et sa date ; en attendant, "
            "enregistrez la prise en charge telle qu'elle est (famille élargie, famille "
            "d'accueil, établissement).",
            "أدخل القرار: المحكمة ومرجعه وتاريخه؛ وإلى حين صدوره سجّل ترتيب الرعاية كما هو "
            "(الأقارب، أسرة مستقبلة، مؤسسة).",
        ),
    ),
)
def kafala_decision_missing(arrangement: CareArrangement, _ctx: Context) -> Iterator[Finding]:
    """Report a kafala without its decision."""
    if arrangement.type is CareType.KAFALA and arrangement.kafala is None:
        yield Finding("$.kafala", {})


@rule(
    "care.kafala_before_decision",
    entity=CareArrangement,
    severity=Severity.WARNING,
    description="A kafala starts before the judge's decision.",
    message=_msg(
        (
            "The kafala starts on {started_on}, before the decision granting it ({decided_on}).",
            "La kafala commence le {started_on}, avant la décision qui l'accorde ({decided_on}).",
            "تبدأ الكفالة في {started_on}، أي قبل القرار الذي يمنحها ({decided_on}).",
        ),
        (
            "Check the dates; record the time before the decision as its own arrangement.",
            "Vérifiez les dates ; enregistrez la période précédant la décision comme une prise "
            "en charge distincte.",
            "تحقق من التواريخ؛ وسجّل المدة السابقة للقرار كترتيب رعاية مستقل.",
        ),
    ),
)
def kafala_before_decision(arrangement: CareArrangement, _ctx: Context) -> Iterator[Finding]:
    """Warn of a kafala that starts before its decision."""
    decision = arrangement.kafala
    if (
        arrangement.type is CareType.KAFALA
        and decision is not None
        and arrangement.started_on < decision.decided_on
    ):
        yield Finding(
            "$.started_on",
            {
                "started_on": arrangement.started_on.isoformat(),
                "decided_on": decision.decided_on.isoformat(),
            },
        )


@rule(
    "care.establishment_missing",
    entity=CareArrangement,
    description="Residential care names no establishment.",
    message=_msg(
        (
            "Residential care names no establishment.",
            "Le placement en établissement ne précise pas l'établissement.",
            "الإيداع في مؤسسة لا يحدد المؤسسة.",
        ),
        (
            "Give the establishment: its body's identifier, or its name.",
            "Indiquez l'établissement : l'identifiant de son organisme, ou son nom.",
            "حدد المؤسسة: معرِّف هيئتها أو اسمها.",
        ),
    ),
)
def establishment_missing(arrangement: CareArrangement, _ctx: Context) -> Iterator[Finding]:
    """Report residential care without an establishment."""
    if (
        arrangement.type is CareType.RESIDENTIAL
        and arrangement.establishment_id is None
        and arrangement.establishment_name is None
    ):
        yield Finding("$.establishment_id", {})


@rule(
    "care.establishment_unknown",
    entity=CareArrangement,
    description="The establishment of a care arrangement is not a known body.",
    message=_msg(
        (
            "The establishment {body_id} is not a known body.",
            "L'établissement {body_id} n'est pas un organisme connu.",
            "المؤسسة {body_id} ليست هيئة معروفة.",
        ),
        (
            "Correct the identifier, or give the establishment's name instead.",
            "Corrigez l'identifiant, ou indiquez plutôt le nom de l'établissement.",
            "صحّح المعرِّف، أو اذكر اسم المؤسسة بدلاً منه.",
        ),
    ),
    needs={"bodies"},
)
def establishment_unknown(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Report an establishment id that names no body."""
    body_id = arrangement.establishment_id
    if body_id is not None and ctx.body(body_id) is None:
        yield Finding("$.establishment_id", {"body_id": body_id})


@rule(
    "care.independent_under_age",
    entity=CareArrangement,
    severity=Severity.WARNING,
    description="A child lives independently under the deployment's age (unverified).",
    message=_msg(
        (
            "The child is {age} when this independent living starts, under {from_age}.",
            "L'enfant a {age} ans au début de cette vie autonome, moins de {from_age} ans.",
            "عمر الطفل {age} سنة عند بدء هذا العيش المستقل، أي أقل من {from_age} سنة.",
        ),
        (
            "Check that the child is safe and supported; look for a family-based arrangement.",
            "Vérifiez que l'enfant est en sécurité et accompagné ; cherchez une prise en charge "
            "familiale.",
            "تحقق من أن الطفل في أمان ويحظى بالمواكبة؛ وابحث عن ترتيب رعاية أسري.",
        ),
    ),
    needs={"cases", "children"},
)
def independent_under_age(arrangement: CareArrangement, ctx: Context) -> Iterator[Finding]:
    """Warn of independent living under the age in the care settings."""
    if arrangement.type is not CareType.INDEPENDENT:
        return
    case = ctx.case(arrangement.case_id)
    child = None if case is None else ctx.child(case.child_id)
    if child is None:
        return
    from_age = _settings(ctx).independent_from_age
    age = age_on(child.birth_date, arrangement.started_on)
    if 0 <= age < from_age:
        yield Finding("$.type", {"age": age, "from_age": from_age})


#: The care-arrangement rules, in order of code.
CARE_RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            *case_link_rules(CareArrangement, "care", label="the care arrangement"),
            in_future,
            overlap,
            more_than_one_open,
            before_birth,
            kafala_decision_missing,
            kafala_before_decision,
            establishment_missing,
            establishment_unknown,
            independent_under_age,
        ),
        key=lambda item: item.code,
    )
)
