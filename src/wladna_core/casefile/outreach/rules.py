"""The rules of outreach contacts, with stable ``outreach.*`` codes.

Every store runs them on the way in (:data:`OUTREACH_RULES`, offered by the built-in plug-in
:mod:`wladna_core.casefile.outreach.kinds`); :func:`~wladna_core.rules.validate` runs them with
any :class:`~wladna_core.rules.Context`:

>>> from datetime import date
>>> from wladna_core.rules import Context, RuleSet, validate
>>> from wladna_core.casefile.outreach import ChildAsMet, OutreachContact
>>> contact = OutreachContact(
...     body_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", territory="MA-SAL",
...     place="Bab Lamrissa", on=date(2026, 3, 2), team="Équipe mobile",
...     child=ChildAsMet(alias="Simo", approximate_age=19),
... )
>>> found = validate(contact, on=date(2026, 3, 1), rules=RuleSet(OUTREACH_RULES))
>>> [violation.code for violation in found]
['outreach.age_out_of_range', 'outreach.in_future']

A contact belongs to the body whose team made it, not to a case, so these rules check the body,
the territory and the child; the case opened from a contact must be a case of the same child,
opened on the day of the contact or after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.outreach.contacts import AGE_RANGE, OutreachContact
from wladna_core.errors import Severity, WladnaError
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["OUTREACH_RULES"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


@rule(
    "outreach.body_unknown",
    entity=OutreachContact,
    description="An outreach contact names a body that is not known.",
    message=_msg(
        (
            "The outreach contact names the body {body_id}, which is not known.",
            "Le contact de rue cite l'organisme {body_id}, qui n'est pas connu.",
            "يذكر الاتصال الميداني الهيئة {body_id}، وهي غير معروفة.",
        ),
        (
            "Register the body first, or correct body_id.",
            "Enregistrez d'abord l'organisme, ou corrigez body_id.",
            "سجّل الهيئة أولاً، أو صحّح المعرّف body_id.",
        ),
    ),
    needs={"bodies"},
)
def body_unknown(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a contact of an unknown body."""
    if ctx.body(contact.body_id) is None:
        yield Finding("$.body_id", {"body_id": contact.body_id})


@rule(
    "outreach.territory_unknown",
    entity=OutreachContact,
    description="An outreach contact's territory is not in the gazetteer.",
    message=_msg(
        (
            "The territory of the outreach contact ({territory}) is not in the gazetteer.",
            "Le territoire du contact de rue ({territory}) ne figure pas dans le référentiel "
            "territorial.",
            "المجال الترابي للاتصال الميداني ({territory}) غير موجود في المرجع الترابي.",
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
def territory_unknown(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a contact whose territory the gazetteer does not know."""
    if contact.territory not in ctx.gazetteer:
        yield Finding("$.territory", {"territory": contact.territory})


def _covers(ctx: Context, ancestor: str, code: str) -> bool:
    if ancestor == code:
        return True
    try:
        return ctx.gazetteer.contains(ancestor, code)
    except WladnaError:
        return True  # an unknown territory has a rule of its own


@rule(
    "outreach.outside_body_territory",
    entity=OutreachContact,
    severity=Severity.WARNING,
    description="An outreach contact took place outside the territory of the body's team.",
    message=_msg(
        (
            "The outreach contact took place in {territory}, outside the territory of its body "
            "({body_territory}).",
            "Le contact de rue a eu lieu à {territory}, hors du territoire de son organisme "
            "({body_territory}).",
            "وقع الاتصال الميداني في {territory}، خارج المجال الترابي لهيئته ({body_territory}).",
        ),
        (
            "Check the territory, or the body whose team made the contact.",
            "Vérifiez le territoire, ou l'organisme dont l'équipe a fait le contact.",
            "تحقّق من المجال الترابي، أو من الهيئة التي قام فريقها بالاتصال.",
        ),
    ),
    needs={"bodies", "gazetteer"},
)
def outside_body_territory(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a contact outside the territory of its body (a warning: teams may cross)."""
    body = ctx.body(contact.body_id)
    if body is None or contact.territory not in ctx.gazetteer:
        return
    if not _covers(ctx, body.territory, contact.territory):
        yield Finding(
            "$.territory", {"territory": contact.territory, "body_territory": body.territory}
        )


@rule(
    "outreach.in_future",
    entity=OutreachContact,
    description="An outreach contact is dated after the day of validation.",
    message=_msg(
        (
            "The outreach contact is dated {on}, in the future (today is {today}).",
            "Le contact de rue est daté du {on}, dans le futur (nous sommes le {today}).",
            "الاتصال الميداني مؤرَّخ في {on}، أي في المستقبل (اليوم هو {today}).",
        ),
        (
            "Record a contact once it has happened, with its date.",
            "Enregistrez un contact une fois qu'il a eu lieu, avec sa date.",
            "سجّل الاتصال بعد حدوثه، مع تاريخه.",
        ),
    ),
)
def in_future(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a contact dated after the day of validation."""
    if contact.on > ctx.on:
        yield Finding("$.on", {"on": contact.on.isoformat(), "today": ctx.on.isoformat()})


@rule(
    "outreach.child_undescribed",
    entity=OutreachContact,
    description="An outreach contact says nothing of the child met.",
    message=_msg(
        (
            "The outreach contact says nothing of the child: no registered child, alias, "
            "approximate age or sex.",
            "Le contact de rue ne dit rien de l'enfant : ni enfant enregistré, ni surnom, ni "
            "âge approximatif, ni sexe.",
            "لا يذكر الاتصال الميداني شيئاً عن الطفل: لا طفل مسجَّل ولا لقب ولا سنّ تقريبي ولا جنس.",
        ),
        (
            "Give the registered child, or what the team knew: an alias, an approximate age or "
            "the sex (no name is needed).",
            "Indiquez l'enfant enregistré, ou ce que l'équipe savait : un surnom, un âge "
            "approximatif ou le sexe (aucun nom n'est requis).",
            "اذكر الطفل المسجَّل، أو ما عرفه الفريق: لقباً أو سنّاً تقريبياً أو الجنس "
            "(لا حاجة إلى الاسم).",
        ),
    ),
)
def child_undescribed(contact: OutreachContact, _ctx: Context) -> Iterator[Finding]:
    """Report a contact whose child is not described at all."""
    if not contact.child.described:
        yield Finding("$.child")


@rule(
    "outreach.age_out_of_range",
    entity=OutreachContact,
    description="The approximate age of the child met is not that of a child (0 to 17).",
    message=_msg(
        (
            "The approximate age of the child met ({age}) is not between {youngest} and {oldest}.",
            "L'âge approximatif de l'enfant rencontré ({age}) n'est pas compris entre "
            "{youngest} et {oldest} ans.",
            "السنّ التقريبي للطفل الذي تمّ لقاؤه ({age}) ليس بين {youngest} و{oldest}.",
        ),
        (
            "Correct the age; outreach to a young adult is not recorded as a child's.",
            "Corrigez l'âge ; un contact avec un jeune majeur ne s'enregistre pas comme celui "
            "d'un enfant.",
            "صحّح السنّ؛ لا يُسجَّل الاتصال براشد شابّ كاتصال بطفل.",
        ),
    ),
)
def age_out_of_range(contact: OutreachContact, _ctx: Context) -> Iterator[Finding]:
    """Report an approximate age outside 0 to 17."""
    age = contact.child.approximate_age
    youngest, oldest = AGE_RANGE
    if age is not None and not youngest <= age <= oldest:
        yield Finding(
            "$.child.approximate_age", {"age": age, "youngest": youngest, "oldest": oldest}
        )


@rule(
    "outreach.child_unknown",
    entity=OutreachContact,
    description="An outreach contact names a registered child that is not known.",
    message=_msg(
        (
            "The outreach contact names the child {child_id}, who is not known.",
            "Le contact de rue cite l'enfant {child_id}, qui n'est pas connu.",
            "يذكر الاتصال الميداني الطفل {child_id}، وهو غير معروف.",
        ),
        (
            "Correct the child's identifier, or leave it out and describe the child instead.",
            "Corrigez l'identifiant de l'enfant, ou omettez-le et décrivez plutôt l'enfant.",
            "صحّح معرِّف الطفل، أو احذفه وصِف الطفل بدلاً منه.",
        ),
    ),
    needs={"children"},
)
def child_unknown(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a registered child who is not known."""
    child_id = contact.child.child_id
    if child_id is not None and ctx.child(child_id) is None:
        yield Finding("$.child.child_id", {"child_id": child_id})


@rule(
    "outreach.case_unknown",
    entity=OutreachContact,
    description="The case opened from an outreach contact is not known.",
    message=_msg(
        (
            "The case {case_id} opened from the outreach contact is not known.",
            "Le dossier {case_id} ouvert à partir du contact de rue est inconnu.",
            "الحالة {case_id} المفتوحة انطلاقاً من الاتصال الميداني غير معروفة.",
        ),
        (
            "Correct the case's identifier, or open the case first.",
            "Corrigez l'identifiant du dossier, ou ouvrez d'abord le dossier.",
            "صحّح معرِّف الحالة، أو افتح الحالة أولاً.",
        ),
    ),
    needs={"cases"},
)
def case_unknown(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a linked case that is not known."""
    if contact.case_id is not None and ctx.case(contact.case_id) is None:
        yield Finding("$.case_id", {"case_id": contact.case_id})


@rule(
    "outreach.case_of_another_child",
    entity=OutreachContact,
    description="The case opened from an outreach contact is the case of another child.",
    message=_msg(
        (
            "The case {case_id} is the case of another child than the one met at the contact.",
            "Le dossier {case_id} est celui d'un autre enfant que celui rencontré lors du contact.",
            "الحالة {case_id} تخصّ طفلاً غير الطفل الذي تمّ لقاؤه خلال الاتصال.",
        ),
        (
            "Link the contact to the case of the child met, or correct the child of the contact.",
            "Reliez le contact au dossier de l'enfant rencontré, ou corrigez l'enfant du contact.",
            "اربط الاتصال بحالة الطفل الذي تمّ لقاؤه، أو صحّح الطفل المذكور في الاتصال.",
        ),
    ),
    needs={"cases"},
)
def case_of_another_child(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a linked case whose child is not the registered child of the contact."""
    child_id = contact.child.child_id
    case = None if contact.case_id is None else ctx.case(contact.case_id)
    if case is not None and child_id is not None and case.child_id != child_id:
        yield Finding("$.case_id", {"case_id": contact.case_id})


@rule(
    "outreach.case_opened_before_contact",
    entity=OutreachContact,
    description="The case said to be opened from an outreach contact was opened before it.",
    message=_msg(
        (
            "The case {case_id} was opened on {opened_on}, before the outreach contact ({on}): "
            "it was not opened from it.",
            "Le dossier {case_id} a été ouvert le {opened_on}, avant le contact de rue ({on}) : "
            "il n'en est pas issu.",
            "فُتحت الحالة {case_id} في {opened_on}، قبل الاتصال الميداني ({on}): "
            "فهي ليست ناتجة عنه.",
        ),
        (
            "Link the contact only to a case opened from it; a child who already has a case is "
            "followed in that case.",
            "Ne reliez le contact qu'à un dossier ouvert à sa suite ; un enfant qui a déjà un "
            "dossier est suivi dans ce dossier.",
            "لا تربط الاتصال إلا بحالة فُتحت إثره؛ أما الطفل الذي له حالة من قبل فيُتابَع ضمنها.",
        ),
    ),
    needs={"cases"},
)
def case_opened_before_contact(contact: OutreachContact, ctx: Context) -> Iterator[Finding]:
    """Report a linked case opened before the contact."""
    case = None if contact.case_id is None else ctx.case(contact.case_id)
    if case is not None and case.opened_on < contact.on:
        yield Finding(
            "$.case_id",
            {
                "case_id": contact.case_id,
                "opened_on": case.opened_on.isoformat(),
                "on": contact.on.isoformat(),
            },
        )


#: The rules of outreach contacts.
OUTREACH_RULES: Final[tuple[Rule, ...]] = (
    body_unknown,
    territory_unknown,
    outside_body_territory,
    in_future,
    child_undescribed,
    age_out_of_range,
    child_unknown,
    case_unknown,
    case_of_another_child,
    case_opened_before_contact,
)
