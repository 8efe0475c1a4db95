"""The built-in rule catalogue.

Every rule here is an ordinary :class:`~wladna_core.rules.Rule`, listed in :data:`BUILTIN_RULES`
exactly as a plug-in would list its own, with its code, severity, one-line description and its
message and remedy in English, French and Arabic.  The documentation's rule catalogue is
generated from this module.

Paths are JSON-path-like and relative to the record checked (``$.members[2].caregiver``).
Names of people and their official identifiers (IDCS, CNIE...) are never put in messages, which
may end up in logs; paths and opaque record ids say where to look.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Final

from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.model import (
    IDENTIFIER_FORMATS,
    UNVERIFIED_IDENTIFIER_FORMATS,
    BodyKind,
    Case,
    CaseStatus,
    Child,
    ConsentGiver,
    ConsentOverride,
    Family,
    FamilyMember,
    IdentifierScheme,
    OverrideReason,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReferralTargetKind,
    RiskLevel,
    TerritorialBody,
    age_on,
)
from wladna_core.rules.engine import Finding, Rule, rule
from wladna_core.rules.settings import AgreementSought, AssentBand

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.rules.context import Context

__all__ = ["BUILTIN_RULES", "CNIE_AGE", "MAJORITY_AGE", "majority_day"]

#: Age of majority in Morocco (Family Code, article 209): a case is for a child under it.
MAJORITY_AGE: Final = 18
#: Age from which a Moroccan child is expected to hold a CNIE (rule ``child.cnie_expected``).
CNIE_AGE: Final = 16

#: Statuses a case reaches only after registration; concerns must be recorded by then.
_ASSESSED_STATUSES: Final = frozenset(
    {
        CaseStatus.ASSESSMENT,
        CaseStatus.CASE_PLAN,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.FOLLOW_UP,
    }
)
#: Statuses in which a high-risk case plan must be approved (it is being carried out).
# A closed case may have been closed before any plan (moved away, report unfounded): only a plan
# that exists on a closed case must have been approved.
_PLAN_IN_FORCE_STATUSES: Final = frozenset({CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP})
_WHITESPACE = re.compile(r"\s+")


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


def _unknown_territory_remedy() -> tuple[str, str, str]:
    return (
        "Use the ISO 3166-2:MA code of a known region, province or prefecture (for example "
        "MA-SAL), or add the territory to the gazetteer.",
        "Utilisez le code ISO 3166-2:MA d'une région, d'une province ou d'une préfecture "
        "connue (par exemple MA-SAL), ou ajoutez ce territoire au référentiel territorial.",
        "استعمل رمز ISO 3166-2:MA لجهة أو إقليم أو عمالة معروفة (مثلاً MA-SAL)، أو أضف هذا "
        "المجال الترابي إلى المرجع الترابي.",
    )


# --- territorial bodies -------------------------------------------------------------------------


@rule(
    "body.territory_unknown",
    entity=TerritorialBody,
    description="The body's territory code is not in the gazetteer.",
    message=_msg(
        (
            "The body's territory {territory} is not in the gazetteer.",
            "Le territoire de l'organisme ({territory}) ne figure pas dans le référentiel "
            "territorial.",
            "المجال الترابي للهيئة ({territory}) غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def body_territory_unknown(body: TerritorialBody, ctx: Context) -> Iterator[Finding]:
    """Report a body whose territory the gazetteer does not know."""
    if body.territory not in ctx.gazetteer:
        yield Finding("$.territory", {"territory": body.territory})


@rule(
    "body.level_mismatch",
    entity=TerritorialBody,
    description="A CPPE committee's territory is not a province or prefecture.",
    message=_msg(
        (
            "A CPPE committee covers a province or prefecture, but {territory} is neither.",
            "Un comité provincial de protection de l'enfance (CPPE) couvre une province ou une "
            "préfecture, mais {territory} n'est ni l'une ni l'autre.",
            "تغطي اللجنة الإقليمية لحماية الطفولة إقليماً أو عمالة، غير أن {territory} ليس "
            "إقليماً ولا عمالة.",
        ),
        (
            "Set the committee's territory to the code of its province or prefecture (for "
            "example MA-SAL).",
            "Indiquez comme territoire du comité le code de sa province ou de sa préfecture "
            "(par exemple MA-SAL).",
            "اجعل المجال الترابي للجنة رمزَ الإقليم أو العمالة التي تتبع لها (مثلاً MA-SAL).",
        ),
    ),
    needs={"gazetteer"},
)
def body_level_mismatch(body: TerritorialBody, ctx: Context) -> Iterator[Finding]:
    """Report a CPPE whose territory is known but not at province/prefecture level."""
    if body.kind is not BodyKind.CPPE or body.territory not in ctx.gazetteer:
        return
    if not ctx.gazetteer.get(body.territory).level.is_provincial:
        yield Finding("$.territory", {"territory": body.territory})


@rule(
    "body.cape_committee_missing",
    entity=TerritorialBody,
    severity=Severity.WARNING,
    description="A CAPE does not name the CPPE whose permanent secretariat it is.",
    message=_msg(
        (
            "The CAPE does not name the provincial committee (CPPE) whose permanent "
            "secretariat it is.",
            "Le CAPE n'indique pas le comité provincial (CPPE) dont il assure le secrétariat "
            "permanent.",
            "لا يحدد مركز المواكبة لحماية الطفولة اللجنة الإقليمية لحماية الطفولة التي يتولى "
            "كتابتها الدائمة.",
        ),
        (
            "Set secretariat_of to the id of the CPPE of the CAPE's province or prefecture.",
            "Renseignez secretariat_of avec l'identifiant du CPPE de la province ou de la "
            "préfecture du CAPE.",
            "اجعل secretariat_of معرِّفَ اللجنة الإقليمية لحماية الطفولة في إقليم المركز أو عمالته.",
        ),
    ),
)
def body_cape_committee_missing(body: TerritorialBody, _ctx: Context) -> Iterator[Finding]:
    """Warn about a CAPE without its committee."""
    if body.kind is BodyKind.CAPE and body.secretariat_of is None:
        yield Finding("$.secretariat_of")


@rule(
    "body.secretariat_not_committee",
    entity=TerritorialBody,
    description=(
        "A CAPE names as its committee a body that is unknown, is not a CPPE, or covers "
        "another territory."
    ),
    message=_msg(
        (
            "The CAPE names {committee} as its committee, but that body is not a known CPPE "
            "of {territory}.",
            "Le CAPE indique {committee} comme son comité, mais cet organisme n'est pas un "
            "CPPE connu de {territory}.",
            "يحدد المركز {committee} لجنةً له، غير أن هذه الهيئة ليست لجنة إقليمية لحماية "
            "الطفولة معروفة في {territory}.",
        ),
        (
            "Set secretariat_of to the id of the CPPE of the same province or prefecture, or "
            "register that committee first.",
            "Indiquez dans secretariat_of l'identifiant du CPPE de la même province ou "
            "préfecture, ou enregistrez d'abord ce comité.",
            "اجعل secretariat_of معرِّفَ اللجنة الإقليمية لحماية الطفولة في الإقليم أو العمالة "
            "نفسها، أو سجّل تلك اللجنة أولاً.",
        ),
    ),
    needs={"bodies"},
)
def body_secretariat_not_committee(body: TerritorialBody, ctx: Context) -> Iterator[Finding]:
    """Report a CAPE whose committee is not a CPPE of its own territory."""
    if body.secretariat_of is None:
        return
    committee = ctx.body(body.secretariat_of)
    if (
        committee is None
        or committee.kind is not BodyKind.CPPE
        or committee.territory != body.territory
    ):
        yield Finding(
            "$.secretariat_of", {"committee": body.secretariat_of, "territory": body.territory}
        )


@rule(
    "body.sector_missing",
    entity=TerritorialBody,
    severity=Severity.WARNING,
    description="A social or public service does not say which sector it belongs to.",
    message=_msg(
        (
            "The {kind} does not say which sector it belongs to (education, health, police...).",
            "Le service ({kind}) n'indique pas son secteur (éducation, santé, police...).",
            "لا تحدد المصلحة ({kind}) القطاع الذي تنتمي إليه (التعليم، الصحة، الشرطة...).",
        ),
        (
            "Set sector to the institution the service belongs to, so that referrals to it "
            "can be routed and counted.",
            "Renseignez sector avec l'institution dont relève le service, pour que les "
            "orientations vers lui soient acheminées et comptées.",
            "حدد القطاع (sector) الذي تتبع له المصلحة، حتى توجَّه الإحالات إليها وتحتسب.",
        ),
    ),
)
def body_sector_missing(body: TerritorialBody, _ctx: Context) -> Iterator[Finding]:
    """Warn about a social or public service without a sector."""
    if body.kind.is_service and body.sector is None:
        yield Finding("$.sector", {"kind": body.kind.value})


# --- children -----------------------------------------------------------------------------------


@rule(
    "child.birth_in_future",
    entity=Child,
    description="The child's birth date is after the date of validation.",
    message=_msg(
        (
            "The birth date {birth_date} is after the date of validation ({on}).",
            "La date de naissance {birth_date} est postérieure à la date de validation ({on}).",
            "تاريخ الميلاد {birth_date} لاحق لتاريخ التحقق ({on}).",
        ),
        (
            "Correct the birth date; if it is not known, record an estimate and mark it as "
            "estimated (birth_date_estimated).",
            "Corrigez la date de naissance ; si elle n'est pas connue, saisissez une date "
            "estimée et signalez-la comme telle (birth_date_estimated).",
            "صحّح تاريخ الميلاد؛ وإن كان مجهولاً فسجّل تاريخاً تقديرياً وأشِر إلى أنه تقديري "
            "(birth_date_estimated).",
        ),
    ),
)
def child_birth_in_future(child: Child, ctx: Context) -> Iterator[Finding]:
    """Report a birth date after the date of validation."""
    if child.birth_date > ctx.on:
        yield Finding(
            "$.birth_date",
            {"birth_date": child.birth_date.isoformat(), "on": ctx.on.isoformat()},
        )


def _malformed(child: Child, *, verified: bool) -> Iterator[Finding]:
    for index, identifier in enumerate(child.identifiers):
        pattern = IDENTIFIER_FORMATS.get(identifier.scheme)
        if pattern is None or (identifier.scheme in UNVERIFIED_IDENTIFIER_FORMATS) == verified:
            continue
        # The formats are ASCII; a bare \d would also let Arabic-Indic digits through.
        if not (identifier.value.isascii() and pattern.fullmatch(identifier.value)):
            yield Finding(
                f"$.identifiers[{index}].value", {"scheme": identifier.scheme.value.upper()}
            )


@rule(
    "child.identifier_format",
    entity=Child,
    description=(
        "A CNIE identifier does not have the format of its scheme (one or two capital letters "
        "then 5 or 6 digits)."
    ),
    message=_msg(
        (
            "The {scheme} identifier does not have the expected format.",
            "L'identifiant {scheme} n'a pas le format attendu.",
            "المعرِّف {scheme} ليس بالصيغة المتوقعة.",
        ),
        (
            "Copy the number from the document again: a CNIE number has one or two capital "
            "letters followed by 5 or 6 digits.",
            "Recopiez le numéro depuis le document : un numéro de CNIE comporte une ou deux "
            "lettres majuscules suivies de 5 ou 6 chiffres.",
            "أعد نقل الرقم من الوثيقة: يتكوّن رقم البطاقة الوطنية للتعريف الإلكترونية (CNIE) من "
            "حرف أو حرفين لاتينيين كبيرين يليهما 5 أو 6 أرقام.",
        ),
    ),
)
def child_identifier_format(child: Child, _ctx: Context) -> Iterator[Finding]:
    """Report each identifier whose scheme has a confirmed format it does not match."""
    yield from _malformed(child, verified=True)


@rule(
    "child.identifier_format_unverified",
    entity=Child,
    severity=Severity.WARNING,
    description=(
        "An IDCS identifier is not ten digits; its format is not confirmed by a public "
        "source, so this only warns."
    ),
    message=_msg(
        (
            "The {scheme} identifier does not look like the usual format (ten digits).",
            "L'identifiant {scheme} ne ressemble pas au format habituel (dix chiffres).",
            "المعرِّف {scheme} لا يشبه الصيغة المعتادة (عشرة أرقام).",
        ),
        (
            "Check the number against the registration in the National Population Register; "
            "keep it if it is right, since this format is not confirmed by a published text.",
            "Vérifiez le numéro auprès de l'inscription au Registre national de la population ; "
            "gardez-le s'il est juste, car ce format n'est confirmé par aucun texte publié.",
            "تحقّق من الرقم في التسجيل بالسجل الوطني للسكان؛ واحتفظ به إن كان صحيحاً، لأن هذه "
            "الصيغة لا يؤكدها نص منشور.",
        ),
    ),
)
def child_identifier_format_unverified(child: Child, _ctx: Context) -> Iterator[Finding]:
    """Warn about each identifier whose scheme has an unconfirmed format it does not match."""
    yield from _malformed(child, verified=False)


@rule(
    "child.identifier_duplicate",
    entity=Child,
    description="Another child carries the same identifier (same scheme and value).",
    message=_msg(
        (
            "Another child ({other}) has the same {scheme} identifier.",
            "Un autre enfant ({other}) a le même identifiant {scheme}.",
            "لطفل آخر ({other}) المعرِّف {scheme} نفسه.",
        ),
        (
            "Check whether both records are about the same child and merge them, or correct "
            "the identifier.",
            "Vérifiez si les deux fiches concernent le même enfant et fusionnez-les, ou "
            "corrigez l'identifiant.",
            "تحقّق مما إذا كان السجلّان يخصّان الطفل نفسه فادمجهما، أو صحّح المعرِّف.",
        ),
    ),
    needs={"children"},
)
def child_identifier_duplicate(child: Child, ctx: Context) -> Iterator[Finding]:
    """Report each identifier another child carries too.

    Identifiers in the scheme ``other`` are compared together with their issuer, since two
    issuers may hand out the same number.
    """
    for index, identifier in enumerate(child.identifiers):
        others = [
            other
            for other in ctx.children_with_identifier(identifier.scheme, identifier.value)
            if other.id != child.id
            and (
                identifier.scheme is not IdentifierScheme.OTHER
                or any(
                    mine.issuer == identifier.issuer
                    for mine in other.identifiers_of(IdentifierScheme.OTHER)
                    if mine.value == identifier.value
                )
            )
        ]
        if others:
            yield Finding(
                f"$.identifiers[{index}].value",
                {"scheme": identifier.scheme.value.upper(), "other": others[0].id},
            )


@rule(
    "child.cnie_expected",
    entity=Child,
    severity=Severity.WARNING,
    description="A child of 16 or older (not known to be foreign) has no CNIE number recorded.",
    message=_msg(
        (
            "The child is {age} years old and has no CNIE number recorded.",
            "L'enfant a {age} ans et aucun numéro de CNIE n'est enregistré.",
            "عمر الطفل {age} سنة ولم يُسجَّل له رقم البطاقة الوطنية للتعريف الإلكترونية.",
        ),
        (
            "Record the child's CNIE number if they have one; otherwise help them apply for "
            "the national electronic identity card.",
            "Enregistrez le numéro de CNIE de l'enfant s'il en a une ; sinon, aidez-le à "
            "demander sa carte nationale d'identité électronique.",
            "سجّل رقم البطاقة الوطنية للتعريف الإلكترونية للطفل إن كانت لديه؛ وإلا فساعِده على "
            "طلبها.",
        ),
    ),
)
def child_cnie_expected(child: Child, ctx: Context) -> Iterator[Finding]:
    """Warn about a child old enough for a CNIE who has none.

    A child whose nationality is known and not Moroccan is not expected to hold one.
    """
    if child.nationality not in (None, "MA") or child.identifiers_of(IdentifierScheme.CNIE):
        return
    age = age_on(child.birth_date, ctx.on)
    if age >= CNIE_AGE:
        yield Finding("$.identifiers", {"age": age})


@rule(
    "child.residence_unknown",
    entity=Child,
    description="The child's residence territory code is not in the gazetteer.",
    message=_msg(
        (
            "The child's residence {territory} is not in the gazetteer.",
            "Le territoire de résidence de l'enfant ({territory}) ne figure pas dans le "
            "référentiel territorial.",
            "مكان إقامة الطفل ({territory}) غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def child_residence_unknown(child: Child, ctx: Context) -> Iterator[Finding]:
    """Report a residence the gazetteer does not know."""
    if child.residence is not None and child.residence not in ctx.gazetteer:
        yield Finding("$.residence", {"territory": child.residence})


# --- families -----------------------------------------------------------------------------------


@rule(
    "family.caregiver_deceased",
    entity=Family,
    description="A member flagged as caregiver is recorded as deceased.",
    message=_msg(
        (
            "A deceased member is recorded as a caregiver.",
            "Un membre décédé est enregistré comme personne ayant la charge des enfants.",
            "فرد متوفى من أفراد الأسرة مسجَّل بصفته مقدِّماً للرعاية.",
        ),
        (
            "Remove the caregiver flag of the deceased member, or correct the record of death, "
            "and record who cares for the children now.",
            "Retirez la prise en charge du membre décédé, ou corrigez l'indication de décès, et "
            "enregistrez qui s'occupe des enfants aujourd'hui.",
            "أزِل صفة مقدِّم الرعاية عن الفرد المتوفى أو صحّح بيان الوفاة، وسجِّل من يتولى رعاية "
            "الأطفال حالياً.",
        ),
    ),
)
def family_caregiver_deceased(family: Family, _ctx: Context) -> Iterator[Finding]:
    """Report each caregiver who is not alive."""
    for index, member in enumerate(family.members):
        if member.caregiver and not member.alive:
            yield Finding(f"$.members[{index}].caregiver")


@rule(
    "family.caregiver_minor",
    entity=Family,
    severity=Severity.WARNING,
    description="A caregiver is under 18 in a household not recorded as child-headed.",
    message=_msg(
        (
            "A caregiver is {age} years old, under 18, in a household not recorded as "
            "child-headed.",
            "Une personne ayant la charge des enfants a {age} ans, moins de 18 ans, dans un "
            "ménage qui n'est pas enregistré comme dirigé par un enfant.",
            "عمر أحد مقدِّمي الرعاية {age} سنة، أي دون الثامنة عشرة، في أسرة غير مسجَّلة على "
            "أنها أسرة يعولها طفل.",
        ),
        (
            "Check the caregiver's birth date; if a child heads the household, record it as "
            "child-headed and make sure an adult supports it.",
            "Vérifiez la date de naissance de cette personne ; si un enfant est à la tête du "
            "ménage, enregistrez-le comme dirigé par un enfant et assurez-vous qu'un adulte "
            "l'accompagne.",
            "تحقّق من تاريخ ميلاد مقدِّم الرعاية؛ وإن كان طفلٌ يعول الأسرة فسجّلها أسرةً يعولها "
            "طفل وتأكّد من أن شخصاً راشداً يساندها.",
        ),
    ),
)
def family_caregiver_minor(family: Family, ctx: Context) -> Iterator[Finding]:
    """Warn about each caregiver under 18 on the date of validation."""
    if family.child_headed:
        return
    for index, member in enumerate(family.members):
        if member.caregiver and member.birth_date is not None:
            age = age_on(member.birth_date, ctx.on)
            if age < MAJORITY_AGE:
                yield Finding(f"$.members[{index}].birth_date", {"age": age})


@rule(
    "family.kafala_without_decision",
    entity=Family,
    description="A kafil or kafila has no judicial kafala decision recorded.",
    message=_msg(
        (
            "A member recorded as kafil or kafila has no judicial kafala decision.",
            "Un membre enregistré comme kafil ou kafila n'a pas de décision judiciaire de kafala.",
            "لم يُسجَّل الأمر القضائي بإسناد الكفالة لفرد مسجَّل بصفته كافلاً أو كافلة.",
        ),
        (
            "Record the court, reference and date of the kafala decision; without one, record "
            "the member's actual relation to the child.",
            "Enregistrez le tribunal, la référence et la date de la décision de kafala ; à "
            "défaut, enregistrez le lien réel de ce membre avec l'enfant.",
            "سجّل المحكمة ومرجع الأمر القضائي بإسناد الكفالة وتاريخه؛ وإن لم يوجد فسجّل صلة "
            "هذا الفرد الفعلية بالطفل.",
        ),
    ),
)
def family_kafala_without_decision(family: Family, _ctx: Context) -> Iterator[Finding]:
    """Report each kafil or kafila without a kafala decision."""
    for index, member in enumerate(family.members):
        if member.relation.is_kafala and member.kafala is None:
            yield Finding(f"$.members[{index}].kafala")


def _same_person(first: FamilyMember, second: FamilyMember) -> bool:
    if first.child_id is not None and first.child_id == second.child_id:
        return True
    first_key = _identity_key(first)
    return first_key is not None and first_key == _identity_key(second)


def _identity_key(member: FamilyMember) -> tuple[str, str, str] | None:
    if member.given_name is None or member.family_name is None or member.birth_date is None:
        return None
    return (_folded(member.given_name), _folded(member.family_name), member.birth_date.isoformat())


def _folded(name: str) -> str:
    # "Amina  EL IDRISSI" and "amina el idrissi" are the same name typed twice.
    return _WHITESPACE.sub(" ", name.strip()).casefold()


@rule(
    "family.member_duplicate",
    entity=Family,
    description="Two members are the same child, or have the same names and birth date.",
    message=_msg(
        (
            "This member duplicates member {first} (same child, or same names and birth date).",
            "Ce membre fait double emploi avec le membre {first} (même enfant, ou mêmes nom, "
            "prénom et date de naissance).",
            "هذا الفرد مكرَّر مع الفرد {first} (الطفل نفسه، أو الاسم الشخصي والعائلي وتاريخ "
            "الميلاد أنفسها).",
        ),
        (
            "Remove the duplicate member, or correct the details that make both look the same.",
            "Supprimez le membre en double, ou corrigez les informations qui rendent les deux "
            "identiques.",
            "احذف الفرد المكرَّر، أو صحّح البيانات التي تجعل الاثنين متطابقين.",
        ),
    ),
)
def family_member_duplicate(family: Family, _ctx: Context) -> Iterator[Finding]:
    """Report each member that repeats an earlier one, pointing at the earlier one."""
    for index, member in enumerate(family.members):
        for earlier in range(index):
            if _same_person(family.members[earlier], member):
                yield Finding(f"$.members[{index}]", {"first": f"$.members[{earlier}]"})
                break


@rule(
    "family.residence_unknown",
    entity=Family,
    description="The family's residence territory code is not in the gazetteer.",
    message=_msg(
        (
            "The family's residence {territory} is not in the gazetteer.",
            "Le territoire de résidence de la famille ({territory}) ne figure pas dans le "
            "référentiel territorial.",
            "مكان إقامة الأسرة ({territory}) غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def family_residence_unknown(family: Family, ctx: Context) -> Iterator[Finding]:
    """Report a residence the gazetteer does not know."""
    if family.residence is not None and family.residence not in ctx.gazetteer:
        yield Finding("$.residence", {"territory": family.residence})


# --- cases --------------------------------------------------------------------------------------


@rule(
    "child.adult",
    entity=Case,
    description="The case's child is 18 or older on the day the case was opened.",
    message=_msg(
        (
            "The child is {age} years old on the day the case was opened ({opened_on}); a case "
            "is for a child under 18.",
            "L'enfant a {age} ans le jour de l'ouverture du dossier ({opened_on}) ; un dossier "
            "concerne un enfant de moins de 18 ans.",
            "عمر الطفل {age} سنة يوم فتح الحالة ({opened_on})؛ ولا تُفتح الحالة إلا لطفل دون "
            "الثامنة عشرة.",
        ),
        (
            "Check the child's birth date and the opening date; a person aged 18 or over is "
            "directed to services for adults.",
            "Vérifiez la date de naissance de l'enfant et la date d'ouverture ; une personne de "
            "18 ans ou plus est orientée vers les services pour adultes.",
            "تحقّق من تاريخ ميلاد الطفل ومن تاريخ فتح الحالة؛ ويُوجَّه من بلغ 18 سنة فأكثر إلى "
            "الخدمات الموجَّهة للراشدين.",
        ),
    ),
    needs={"children"},
)
def child_adult(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case whose child is of age on the day it was opened."""
    child = ctx.child(case.child_id)
    if child is None:
        return
    age = age_on(child.birth_date, case.opened_on)
    if age >= MAJORITY_AGE:
        yield Finding("$.child_id", {"age": age, "opened_on": case.opened_on.isoformat()})


def _before_birth(case: Case, child: Child) -> Iterator[Finding]:
    """Yield the dates of ``case`` before ``child`` was born: identification and opening.

    Every other date of a case is on or after its opening (the case's own invariants).
    """
    born = child.birth_date.isoformat()
    if case.identification.on < child.birth_date:
        yield Finding(
            "$.identification.on",
            {"date": case.identification.on.isoformat(), "birth_date": born},
        )
    if case.opened_on < child.birth_date:
        yield Finding("$.opened_on", {"date": case.opened_on.isoformat(), "birth_date": born})


@rule(
    "case.before_birth",
    entity=Case,
    description="The case was opened, or its child identified, before the child's birth date.",
    message=_msg(
        (
            "The case is dated {date}, before the child's birth on {birth_date}.",
            "Le dossier est daté du {date}, avant la naissance de l'enfant le {birth_date}.",
            "الحالة مؤرَّخة في {date}، قبل ميلاد الطفل في {birth_date}.",
        ),
        (
            "Correct this date or the child's birth date; if the birth date is not known, "
            "record an estimate and mark it as estimated (birth_date_estimated).",
            "Corrigez cette date ou la date de naissance de l'enfant ; si celle-ci n'est pas "
            "connue, saisissez une date estimée et signalez-la comme telle "
            "(birth_date_estimated).",
            "صحّح هذا التاريخ أو تاريخ ميلاد الطفل؛ وإن كان تاريخ الميلاد مجهولاً فسجّل "
            "تاريخاً تقديرياً وأشِر إلى أنه تقديري (birth_date_estimated).",
        ),
    ),
    needs={"children"},
)
def case_before_birth(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case opened, or a child identified, before the child's known birth date."""
    child = ctx.child(case.child_id)
    if child is not None and not child.birth_date_estimated:
        yield from _before_birth(case, child)


@rule(
    "case.before_estimated_birth",
    entity=Case,
    severity=Severity.WARNING,
    description="The case is dated before the child's estimated birth date.",
    message=_msg(
        (
            "The case is dated {date}, before the child's estimated birth date ({birth_date}).",
            "Le dossier est daté du {date}, avant la date de naissance estimée de l'enfant "
            "({birth_date}).",
            "الحالة مؤرَّخة في {date}، قبل تاريخ الميلاد التقديري للطفل ({birth_date}).",
        ),
        (
            "Check the estimate of the child's birth date: the child was born by the day the "
            "case began.",
            "Vérifiez l'estimation de la date de naissance de l'enfant : il était né le jour "
            "où le dossier a commencé.",
            "راجع تقدير تاريخ ميلاد الطفل: فقد كان الطفل مولوداً يوم بدأت الحالة.",
        ),
    ),
    needs={"children"},
)
def case_before_estimated_birth(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case dated before the child's estimated birth date, for someone to look at."""
    child = ctx.child(case.child_id)
    if child is not None and child.birth_date_estimated:
        yield from _before_birth(case, child)


@rule(
    "case.child_unknown",
    entity=Case,
    description="No child with the case's child_id is known.",
    message=_msg(
        (
            "The case's child {child_id} is not known.",
            "L'enfant du dossier ({child_id}) est inconnu.",
            "طفل الحالة ({child_id}) غير معروف.",
        ),
        (
            "Register the child first, or correct the child's identifier in the case.",
            "Enregistrez d'abord l'enfant, ou corrigez l'identifiant de l'enfant dans le dossier.",
            "سجّل الطفل أولاً، أو صحّح معرِّف الطفل في الحالة.",
        ),
    ),
    needs={"children"},
)
def case_child_unknown(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case whose child does not exist."""
    if ctx.child(case.child_id) is None:
        yield Finding("$.child_id", {"child_id": case.child_id})


@rule(
    "case.family_unknown",
    entity=Case,
    description="No family with the case's family_id is known.",
    message=_msg(
        (
            "The case's family {family_id} is not known.",
            "La famille du dossier ({family_id}) est inconnue.",
            "أسرة الحالة ({family_id}) غير معروفة.",
        ),
        (
            "Register the family first, or correct the family's identifier in the case.",
            "Enregistrez d'abord la famille, ou corrigez l'identifiant de la famille dans le "
            "dossier.",
            "سجّل الأسرة أولاً، أو صحّح معرِّف الأسرة في الحالة.",
        ),
    ),
    needs={"families"},
)
def case_family_unknown(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case naming a family that does not exist."""
    if case.family_id is not None and not ctx.has_family(case.family_id):
        yield Finding("$.family_id", {"family_id": case.family_id})


@rule(
    "case.body_unknown",
    entity=Case,
    description="No territorial body with the case's body_id is known.",
    message=_msg(
        (
            "The case's responsible body {body_id} is not known.",
            "L'organisme responsable du dossier ({body_id}) est inconnu.",
            "الهيئة المسؤولة عن الحالة ({body_id}) غير معروفة.",
        ),
        (
            "Correct the body's identifier in the case, or register the body first.",
            "Corrigez l'identifiant de l'organisme dans le dossier, ou enregistrez d'abord "
            "l'organisme.",
            "صحّح معرِّف الهيئة في الحالة، أو سجّل الهيئة أولاً.",
        ),
    ),
    needs={"bodies"},
)
def case_body_unknown(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case whose responsible body does not exist."""
    if ctx.body(case.body_id) is None:
        yield Finding("$.body_id", {"body_id": case.body_id})


@rule(
    "case.territory_unknown",
    entity=Case,
    description="The case's territory code is not in the gazetteer.",
    message=_msg(
        (
            "The case's territory {territory} is not in the gazetteer.",
            "Le territoire du dossier ({territory}) ne figure pas dans le référentiel territorial.",
            "المجال الترابي للحالة ({territory}) غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def case_territory_unknown(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report a case territory the gazetteer does not know."""
    if case.territory not in ctx.gazetteer:
        yield Finding("$.territory", {"territory": case.territory})


@rule(
    "case.body_outside_jurisdiction",
    entity=Case,
    severity=Severity.WARNING,
    description="The case's territory is not inside the territory of its responsible body.",
    message=_msg(
        (
            "The case's territory {territory} is outside the territory of its responsible "
            "body ({body_territory}).",
            "Le territoire du dossier ({territory}) est hors du ressort de l'organisme "
            "responsable ({body_territory}).",
            "المجال الترابي للحالة ({territory}) خارج نطاق الاختصاص الترابي للهيئة المسؤولة "
            "عنها ({body_territory}).",
        ),
        (
            "Check the case's territory, or transfer the case to a body whose territory covers it.",
            "Vérifiez le territoire du dossier, ou transférez le dossier à un organisme dont le "
            "ressort le couvre.",
            "تحقّق من المجال الترابي للحالة، أو انقل الحالة إلى هيئة يشمله اختصاصها الترابي.",
        ),
    ),
    needs={"bodies", "gazetteer"},
)
def case_body_outside_jurisdiction(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn about a case outside its body's territory (both territories known)."""
    body = ctx.body(case.body_id)
    gazetteer = ctx.gazetteer
    if body is None or case.territory not in gazetteer or body.territory not in gazetteer:
        return
    if not gazetteer.contains(body.territory, case.territory):
        yield Finding(
            "$.territory", {"territory": case.territory, "body_territory": body.territory}
        )


@rule(
    "case.concerns_missing",
    entity=Case,
    description="A case in assessment or later, or assessed, records no protection concern.",
    message=_msg(
        (
            "The case has been assessed but records no protection concern.",
            "Le dossier a été évalué mais aucun motif de protection n'est enregistré.",
            "قُيِّمت الحالة دون تسجيل أي داعٍ من دواعي الحماية.",
        ),
        (
            "Record at least one protection concern found at the assessment.",
            "Enregistrez au moins un motif de protection relevé lors de l'évaluation.",
            "سجّل داعياً واحداً على الأقل من دواعي الحماية التي كشف عنها التقييم.",
        ),
    ),
)
def case_concerns_missing(case: Case, _ctx: Context) -> Iterator[Finding]:
    """Report an assessed case without concerns."""
    assessed = case.status in _ASSESSED_STATUSES or case.assessment is not None
    if assessed and not case.concerns:
        yield Finding("$.concerns")


@rule(
    "case.closure_reason_missing",
    entity=Case,
    description="A closed case has no closure, or a closure without a reason.",
    message=_msg(
        (
            "The case is closed without a closure reason.",
            "Le dossier est clôturé sans motif de clôture.",
            "أُغلقت الحالة دون ذكر سبب الإغلاق.",
        ),
        (
            "Record the date and the reason the case was closed (goals achieved, risk "
            "resolved, majority reached...).",
            "Enregistrez la date et le motif de la clôture (objectifs atteints, risque écarté, "
            "majorité atteinte...).",
            "سجّل تاريخ إغلاق الحالة وسببه (تحقيق الأهداف، زوال الخطر، بلوغ سن الرشد...).",
        ),
    ),
)
def case_closure_reason_missing(case: Case, _ctx: Context) -> Iterator[Finding]:
    """Report a closed case that does not say why it was closed."""
    if case.status is not CaseStatus.CLOSED:
        return
    if case.closure is None:
        yield Finding("$.closure")
    elif case.closure.reason is None:
        yield Finding("$.closure.reason")


@rule(
    "case.closure_on_open_case",
    entity=Case,
    description="A closure is recorded on a case whose status is not closed.",
    message=_msg(
        (
            "A closure is recorded on a case that is not closed.",
            "Une clôture est enregistrée sur un dossier qui n'est pas clôturé.",
            "سُجِّل إغلاق لحالة غير مغلقة.",
        ),
        (
            "Remove the closure, or close the case so that its status says so.",
            "Supprimez la clôture, ou clôturez le dossier pour que son statut l'indique.",
            "احذف بيان الإغلاق، أو أغلق الحالة حتى يدلّ وضعها على ذلك.",
        ),
    ),
)
def case_closure_on_open_case(case: Case, _ctx: Context) -> Iterator[Finding]:
    """Report a closure on a case that is not closed."""
    if case.closure is not None and case.status is not CaseStatus.CLOSED:
        yield Finding("$.closure")


@rule(
    "case.closure_with_open_referrals",
    entity=Case,
    description="A closed case still has a referral pending or accepted.",
    message=_msg(
        (
            "The case is closed while referral {referral} is still pending or accepted.",
            "Le dossier est clôturé alors que l'orientation {referral} est encore en attente "
            "ou acceptée.",
            "أُغلقت الحالة والإحالة {referral} ما تزال قيد الانتظار أو مقبولة.",
        ),
        (
            "Complete or cancel the open referrals before closing the case.",
            "Terminez ou annulez les orientations en cours avant de clôturer le dossier.",
            "أتمّ الإحالات الجارية أو ألغِها قبل إغلاق الحالة.",
        ),
    ),
    needs={"referrals"},
)
def case_closure_with_open_referrals(case: Case, ctx: Context) -> Iterator[Finding]:
    """Report each open referral of a closed case."""
    if case.status is not CaseStatus.CLOSED:
        return
    for referral in ctx.referrals_of_case(case.id):
        if referral.is_open:
            yield Finding("$.status", {"referral": referral.id})


@rule(
    "case.high_risk_plan_unapproved",
    entity=Case,
    description=(
        "A high-risk case in implementation or follow-up, or closed with a plan, has no "
        "approved plan."
    ),
    message=_msg(
        (
            "The case is high risk and its case plan is carried out without a supervisor's "
            "approval.",
            "Le dossier présente un risque élevé et son plan d'intervention est mis en œuvre "
            "sans l'approbation d'un superviseur.",
            "الحالة عالية الخطورة وتُنفَّذ خطة التدخل الخاصة بها دون مصادقة المشرف.",
        ),
        (
            "Have a supervisor approve the case plan, and record who approved it and when.",
            "Faites approuver le plan d'intervention par un superviseur, et enregistrez qui "
            "l'a approuvé et à quelle date.",
            "اعرض خطة التدخل على المشرف للمصادقة عليها، وسجّل من صادق عليها ومتى.",
        ),
    ),
)
def case_high_risk_plan_unapproved(case: Case, _ctx: Context) -> Iterator[Finding]:
    """Report a high-risk case whose plan is in force without approval."""
    if case.risk is not RiskLevel.HIGH:
        return
    closed_with_plan = case.status is CaseStatus.CLOSED and case.plan is not None
    if case.status not in _PLAN_IN_FORCE_STATUSES and not closed_with_plan:
        return
    if case.plan is None:
        yield Finding("$.plan")
    elif not case.plan.approved:
        yield Finding("$.plan.approval")


def majority_day(birth_date: date) -> date:
    """Return the day a child born on ``birth_date`` turns 18 (:data:`MAJORITY_AGE`).

    A child born on 29 February turns 18 on 1 March, as :func:`~wladna_core.model.age_on`
    counts (18 years after a leap year is never one).

    >>> majority_day(date(2008, 2, 29)).isoformat(), majority_day(date(2008, 6, 1)).isoformat()
    ('2026-03-01', '2026-06-01')
    """
    year = birth_date.year + MAJORITY_AGE
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def _has_transition_plan(case: Case) -> bool:
    return case.plan is not None and case.plan.transition is not None


@rule(
    "case.child_turns_18",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "The child of an active case without a transition plan turns 18 within the lead time "
        "of the settings (case_rules.turns_18_lead_days)."
    ),
    message=_msg(
        (
            "The child turns 18 on {birthday}, in {days} days, and the case plan has no "
            "transition part.",
            "L'enfant aura 18 ans le {birthday}, dans {days} jours, et le plan d'intervention "
            "n'a pas de volet de transition.",
            "سيبلغ الطفل 18 سنة في {birthday}، أي بعد {days} يوماً، وليس في خطة التدخل شقّ للانتقال.",
        ),
        (
            "Prepare the transition to adulthood with the young person (where they will live, "
            "income, schooling or work, services for adults) and record it "
            "(record_transition_plan), or close the case before the birthday.",
            "Préparez avec le jeune le passage à l'âge adulte (logement, ressources, scolarité "
            "ou travail, services pour adultes) et enregistrez-le (record_transition_plan), ou "
            "clôturez le dossier avant l'anniversaire.",
            "حضّر مع اليافع انتقاله إلى سن الرشد (السكن والموارد والدراسة أو العمل والخدمات "
            "الموجَّهة للراشدين) وسجّله (record_transition_plan)، أو أغلق الحالة قبل عيد "
            "ميلاده.",
        ),
    ),
    needs={"children"},
)
def case_child_turns_18(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn about an active case whose child comes of age soon, with no transition plan."""
    child = ctx.child(case.child_id)
    if child is None or not case.is_active or _has_transition_plan(case):
        return
    if child.birth_date.year > date.max.year - MAJORITY_AGE:
        return  # a child born this late comes of age after the last day of the calendar
    birthday = majority_day(child.birth_date)
    days = (birthday - ctx.on).days
    if 0 < days <= ctx.case_rules.turns_18_lead_days:
        yield Finding("$.plan.transition", {"birthday": birthday.isoformat(), "days": days})


@rule(
    "case.transition_plan_missing",
    entity=Case,
    severity=Severity.WARNING,
    description="The child of an active case is 18 or older and the plan has no transition part.",
    message=_msg(
        (
            "The child has been 18 since {birthday} and the case is still active without a "
            "transition plan.",
            "L'enfant a 18 ans depuis le {birthday} et le dossier est toujours actif sans plan "
            "de transition.",
            "بلغ الطفل 18 سنة منذ {birthday} وما تزال الحالة نشطة دون خطة انتقال.",
        ),
        (
            "Record the transition plan (record_transition_plan) and refer the young person to "
            "services for adults, or close the case for reached_majority.",
            "Enregistrez le plan de transition (record_transition_plan) et orientez le jeune "
            "vers les services pour adultes, ou clôturez le dossier pour reached_majority.",
            "سجّل خطة الانتقال (record_transition_plan) وأحِل اليافع إلى الخدمات الموجَّهة "
            "للراشدين، أو أغلق الحالة بسبب بلوغ سن الرشد (reached_majority).",
        ),
    ),
    needs={"children"},
)
def case_transition_plan_missing(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn about an active case of a child of 18 or more without a transition plan."""
    child = ctx.child(case.child_id)
    if child is None or not case.is_active or _has_transition_plan(case):
        return
    if age_on(child.birth_date, ctx.on) >= MAJORITY_AGE:
        path = "$.plan" if case.plan is None else "$.plan.transition"
        yield Finding(path, {"birthday": majority_day(child.birth_date).isoformat()})


def _agreement_band(case: Case, ctx: Context) -> tuple[int, AssentBand] | None:
    """Return the child's age and band when consent is on an active case of a minor."""
    consent = case.consent
    if consent is None or consent.given_by is None or not case.is_active:
        return None
    child = ctx.child(case.child_id)
    if child is None:
        return None
    age = age_on(child.birth_date, ctx.on)
    if age >= MAJORITY_AGE:
        return None
    return age, ctx.case_rules.band_for(age)


def _child_not_answered(case: Case) -> bool:
    """Whether consent was given for the child with no word of the child's own on record."""
    consent = case.consent
    return (
        consent is not None
        and consent.given_by is not ConsentGiver.CHILD
        and consent.assent is None
        and consent.assent_note is None
    )


@rule(
    "case.assent_missing",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "Consent is recorded for a child in an age band where their own assent is sought "
        "(case_rules.assent_bands) and the child's assent is not."
    ),
    message=_msg(
        (
            "The child is {age}; from {from_age} their own assent is sought, and none is "
            "recorded with the consent.",
            "L'enfant a {age} ans ; à partir de {from_age} ans son propre assentiment est "
            "recherché, et aucun n'est enregistré avec le consentement.",
            "عمر الطفل {age} سنة؛ وابتداءً من {from_age} سنة تُلتمس موافقته هو، ولم تُسجَّل "
            "مع الموافقة أي موافقة منه.",
        ),
        (
            "Explain the services and the sharing to the child in words they understand and "
            "record their answer (assent true or false), or say in assent_note why it was not "
            "sought.",
            "Expliquez à l'enfant les services et le partage avec des mots qu'il comprend et "
            "enregistrez sa réponse (assent à true ou false), ou indiquez dans assent_note "
            "pourquoi elle n'a pas été recherchée.",
            "اشرح للطفل الخدمات وتبادل المعلومات بكلمات يفهمها وسجّل جوابه (assent صحيح أو "
            "خطأ)، أو بيّن في assent_note سبب عدم التماسها.",
        ),
    ),
    needs={"children"},
)
def case_assent_missing(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn when consent is recorded without the assent of a child of an assent band."""
    found = _agreement_band(case, ctx)
    if found is None or not _child_not_answered(case):
        return
    age, band = found
    if band.seek is AgreementSought.ASSENT:
        yield Finding("$.consent.assent", {"age": age, "from_age": band.from_age})


@rule(
    "case.child_consent_missing",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "Consent is recorded for a child in an age band where their own consent is sought "
        "(case_rules.assent_bands), and it was given for them with no answer of theirs."
    ),
    message=_msg(
        (
            "The child is {age}; from {from_age} their own consent is sought, and consent was "
            "given for them with no answer of theirs recorded.",
            "L'enfant a {age} ans ; à partir de {from_age} ans son propre consentement est "
            "recherché, et le consentement a été donné pour lui sans que sa réponse soit "
            "enregistrée.",
            "عمر الطفل {age} سنة؛ وابتداءً من {from_age} سنة تُلتمس موافقته هو، وقد أُعطيت "
            "الموافقة نيابةً عنه دون تسجيل جوابه.",
        ),
        (
            "Ask the child and record their own consent (given_by child), or their answer "
            "beside the consent given for them (assent true or false), or say in assent_note "
            "why it was not sought.",
            "Demandez-lui et enregistrez son propre consentement (given_by child), ou sa "
            "réponse à côté du consentement donné pour lui (assent à true ou false), ou "
            "indiquez dans assent_note pourquoi elle n'a pas été recherchée.",
            "اسأل الطفل وسجّل موافقته هو (given_by child)، أو جوابه بجانب الموافقة المعطاة "
            "نيابةً عنه (assent صحيح أو خطأ)، أو بيّن في assent_note سبب عدم التماسها.",
        ),
    ),
    needs={"children"},
)
def case_child_consent_missing(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn when consent is given for a child of a consent band with no answer of theirs."""
    found = _agreement_band(case, ctx)
    if found is None or not _child_not_answered(case):
        return
    age, band = found
    if band.seek is AgreementSought.CONSENT:
        yield Finding("$.consent.given_by", {"age": age, "from_age": band.from_age})


@rule(
    "case.child_declined",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "A child of an age band where their own assent or consent is sought "
        "(case_rules.assent_bands) declined, and consent given for them stands."
    ),
    message=_msg(
        (
            "The child is {age} and declined; services and sharing go ahead on the consent "
            "given for them.",
            "L'enfant a {age} ans et a refusé ; les services et le partage se poursuivent sur "
            "le consentement donné pour lui.",
            "عمر الطفل {age} سنة وقد رفض؛ وتستمر الخدمات وتبادل المعلومات بناءً على الموافقة "
            "المعطاة نيابةً عنه.",
        ),
        (
            "Hear the child's reasons and record them in assent_note; go ahead against the "
            "child's wishes only in their best interest, as a supervisor decides, or withdraw "
            "the consent (withdraw_consent).",
            "Écoutez les raisons de l'enfant et consignez-les dans assent_note ; n'allez contre "
            "sa volonté que dans son intérêt supérieur, sur décision d'un superviseur, ou "
            "retirez le consentement (withdraw_consent).",
            "استمع إلى أسباب الطفل وسجّلها في assent_note؛ ولا تمضِ خلافاً لرغبته إلا لمصلحته "
            "الفضلى وبقرار من مشرف، أو اسحب الموافقة (withdraw_consent).",
        ),
    ),
    needs={"children"},
)
def case_child_declined(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn when a child of an assent or consent band declined and consent stands."""
    found = _agreement_band(case, ctx)
    consent = case.consent
    if found is None or consent is None or consent.given_by is ConsentGiver.CHILD:
        return
    age, band = found
    if consent.assent is False and band.seek is not AgreementSought.NONE:
        yield Finding("$.consent.assent", {"age": age})


@rule(
    "case.child_consent_below_band",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "A child consented alone at an age where the deployment's bands do not seek the "
        "child's own consent (case_rules.assent_bands)."
    ),
    message=_msg(
        (
            "The child is {age} and consented alone; at this age the consent of a caregiver, "
            "a guardian or a court is sought, not the child's own.",
            "L'enfant a {age} ans et a consenti seul ; à cet âge on recherche le consentement "
            "d'un parent, d'un tuteur ou d'un juge, et non celui de l'enfant.",
            "عمر الطفل {age} سنة وقد أعطى الموافقة وحده؛ وفي هذه السن تُلتمس موافقة أحد "
            "الوالدين أو النائب الشرعي أو القضاء، لا موافقة الطفل وحده.",
        ),
        (
            "Record the consent of a caregiver or legal guardian with the child's answer as "
            "their assent, or a judicial order, or have a supervisor authorise an override; "
            "if the deployment lets children of this age consent, add a band seeking their "
            "consent to case_rules.assent_bands.",
            "Enregistrez le consentement d'un parent ou du tuteur légal avec la réponse de "
            "l'enfant comme assentiment, ou une décision judiciaire, ou faites autoriser une "
            "dérogation par un superviseur ; si le déploiement laisse consentir les enfants de "
            "cet âge, ajoutez une tranche qui recherche leur consentement à "
            "case_rules.assent_bands.",
            "سجّل موافقة أحد الوالدين أو النائب الشرعي مع جواب الطفل بوصفه موافقته هو، أو "
            "أمراً قضائياً، أو اطلب من مشرف الإذن بالاستثناء؛ وإن كان النشر يسمح لأطفال هذه "
            "السن بالموافقة، فأضف شريحة تلتمس موافقتهم إلى case_rules.assent_bands.",
        ),
    ),
    needs={"children"},
)
def case_child_consent_below_band(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn when a child consented alone below the band in which their consent is sought."""
    found = _agreement_band(case, ctx)
    consent = case.consent
    if found is None or consent is None or consent.given_by is not ConsentGiver.CHILD:
        return
    age, band = found
    if band.seek is not AgreementSought.CONSENT:
        yield Finding("$.consent.given_by", {"age": age})


@rule(
    "case.no_risk_open",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "An active case assessed at no risk has no open referral and no closure requested."
    ),
    message=_msg(
        (
            "The case was assessed at no risk on {assessed_on} and is still open with no "
            "referral under way.",
            "Le dossier a été évalué sans risque le {assessed_on} et reste ouvert sans "
            "orientation en cours.",
            "قُيّمت الحالة بلا خطورة في {assessed_on} وما تزال مفتوحة دون إحالة جارية.",
        ),
        (
            "Close the case (for example for risk_resolved), or refer the child or family to "
            "the service or social programme they need; record a new assessment if the risk "
            "has changed.",
            "Clôturez le dossier (par exemple pour risk_resolved), ou orientez l'enfant ou la "
            "famille vers le service ou le programme social dont ils ont besoin ; enregistrez "
            "une nouvelle évaluation si le risque a changé.",
            "أغلق الحالة (مثلاً بسبب زوال الخطر risk_resolved)، أو أحِل الطفل أو الأسرة إلى "
            "الخدمة أو البرنامج الاجتماعي الذي يحتاجانه؛ وسجّل تقييماً جديداً إن تغيّرت "
            "درجة الخطورة.",
        ),
    ),
    needs={"referrals"},
)
def case_no_risk_open(case: Case, ctx: Context) -> Iterator[Finding]:
    """Prompt closure or referral of an active case assessed at no risk."""
    assessment = case.assessment
    if assessment is None or not case.is_active or case.risk is not RiskLevel.NONE:
        return
    if case.pending_closure_request is not None:
        return
    if any(referral.is_open for referral in ctx.referrals_of_case(case.id)):
        return
    yield Finding("$.risk", {"assessed_on": assessment.on.isoformat()})


@rule(
    "case.closure_unapproved",
    entity=Case,
    severity=Severity.WARNING,
    description=(
        "A case closed at a risk level whose closure needs a supervisor's approval "
        "(case_rules.closure_approval_risks) has no approved closure request."
    ),
    message=_msg(
        (
            "The case was closed on {closed_on} at risk level '{risk}' without a supervisor's "
            "approval of its closure.",
            "Le dossier a été clôturé le {closed_on} au niveau de risque « {risk} » sans "
            "l'approbation de sa clôture par un superviseur.",
            "أُغلقت الحالة في {closed_on} بمستوى الخطورة «{risk}» دون مصادقة المشرف على إغلاقها.",
        ),
        (
            "Have a supervisor of the body review the closure; reopen the case if it should "
            "not have been closed.",
            "Faites examiner la clôture par un superviseur de l'organisme ; rouvrez le dossier "
            "s'il n'aurait pas dû être clôturé.",
            "اعرض الإغلاق على مشرف الهيئة لمراجعته؛ وأعد فتح الحالة إن لم يكن ينبغي إغلاقها.",
        ),
    ),
)
def case_closure_unapproved(case: Case, ctx: Context) -> Iterator[Finding]:
    """Warn about a closure at an approval risk level that no supervisor approved."""
    closure = case.closure
    if case.status is not CaseStatus.CLOSED or closure is None:
        return
    if not ctx.case_rules.needs_closure_approval(case.risk):
        return
    last = case.closure_requests[-1] if case.closure_requests else None
    if last is not None and last.approved and last.decided_on == closure.on:
        return
    yield Finding(
        "$.closure_requests", {"closed_on": closure.on.isoformat(), "risk": case.risk.value}
    )


# --- referrals ----------------------------------------------------------------------------------


@rule(
    "referral.case_unknown",
    entity=Referral,
    description="No case with the referral's case_id is known.",
    message=_msg(
        (
            "The referred case {case_id} is not known.",
            "Le dossier orienté ({case_id}) est inconnu.",
            "الحالة المُحالة ({case_id}) غير معروفة.",
        ),
        (
            "Correct the case's identifier in the referral, or register the case first.",
            "Corrigez l'identifiant du dossier dans l'orientation, ou enregistrez d'abord le "
            "dossier.",
            "صحّح معرِّف الحالة في الإحالة، أو سجّل الحالة أولاً.",
        ),
    ),
    needs={"cases"},
)
def referral_case_unknown(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report a referral of a case that does not exist."""
    if ctx.case(referral.case_id) is None:
        yield Finding("$.case_id", {"case_id": referral.case_id})


@rule(
    "referral.before_case_opened",
    entity=Referral,
    description="The referral is made before its case was opened.",
    message=_msg(
        (
            "The referral is made on {made_on}, before its case was opened on {opened_on}.",
            "L'orientation est faite le {made_on}, avant l'ouverture de son dossier le "
            "{opened_on}.",
            "أُجريت الإحالة في {made_on}، قبل فتح الحالة المعنية بها في {opened_on}.",
        ),
        (
            "Correct made_on, or the case's opening date: a case is referred once it is open.",
            "Corrigez made_on, ou la date d'ouverture du dossier : un dossier est orienté une "
            "fois ouvert.",
            "صحّح تاريخ الإحالة (made_on) أو تاريخ فتح الحالة: لا تُحال الحالة إلا بعد فتحها.",
        ),
    ),
    needs={"cases"},
)
def referral_before_case_opened(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report a referral made before its case was opened."""
    case = ctx.case(referral.case_id)
    if case is not None and referral.made_on < case.opened_on:
        yield Finding(
            "$.made_on",
            {"made_on": referral.made_on.isoformat(), "opened_on": case.opened_on.isoformat()},
        )


@rule(
    "referral.target_unknown",
    entity=Referral,
    description="The referral's target body is not known.",
    message=_msg(
        (
            "The target body {body_id} is not known.",
            "L'organisme destinataire ({body_id}) est inconnu.",
            "الهيئة المُحال إليها ({body_id}) غير معروفة.",
        ),
        (
            "Correct the target body's identifier, or register the body first.",
            "Corrigez l'identifiant de l'organisme destinataire, ou enregistrez d'abord "
            "l'organisme.",
            "صحّح معرِّف الهيئة المُحال إليها، أو سجّل الهيئة أولاً.",
        ),
    ),
    needs={"bodies"},
)
def referral_target_unknown(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report a referral to a body that does not exist."""
    body_id = referral.target.body_id
    if body_id is not None and ctx.body(body_id) is None:
        yield Finding("$.target.body_id", {"body_id": body_id})


def _override_covers(override: ConsentOverride | None, target: ReferralTarget) -> bool:
    """Whether an override lets a referral go without consent.

    A referral to the judicial authority under a judicial order needs no further authorisation.
    """
    if override is None:
        return False
    if (
        target.kind is ReferralTargetKind.JUDICIAL
        and override.reason is OverrideReason.JUDICIAL_ORDER
    ):
        return True
    return override.is_authorised


@rule(
    "referral.consent_missing",
    entity=Referral,
    description="An open referral has neither consent nor an authorised override.",
    message=_msg(
        (
            "The referral has neither consent to services and to sharing nor an authorised "
            "override.",
            "L'orientation n'a ni le consentement aux services et au partage d'informations, "
            "ni une dérogation autorisée.",
            "لا تستند الإحالة إلى موافقة على الخدمات وعلى تبادل المعلومات، ولا إلى استثناء "
            "مأذون به من شرط الموافقة.",
        ),
        (
            "Record consent to services and to sharing information, or an override with its "
            "reason and justification, authorised by a supervisor.",
            "Enregistrez le consentement aux services et au partage d'informations, ou une "
            "dérogation motivée et justifiée, autorisée par un superviseur.",
            "سجّل الموافقة على الخدمات وعلى تبادل المعلومات، أو استثناءً من شرط الموافقة مع "
            "سببه ومبرِّره يأذن به المشرف.",
        ),
    ),
    needs={"cases"},
)
def referral_consent_missing(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report an open referral that no consent and no authorised override covers."""
    case = ctx.case(referral.case_id)
    if case is None or not referral.is_open:
        return
    consent = case.consent
    if consent is not None and (
        consent.allows_referral or _override_covers(consent.override, referral.target)
    ):
        return
    if not _override_covers(referral.consent_override, referral.target):
        yield Finding("$.consent_override")


@rule(
    "referral.override_unjustified",
    entity=Referral,
    description="A consent override of the referral or its case is not authorised.",
    message=_msg(
        (
            "A consent override is not authorised: it needs a justification and who authorised it.",
            "Une dérogation au consentement n'est pas autorisée : il lui faut une "
            "justification et le nom de la personne qui l'a autorisée.",
            "الاستثناء من شرط الموافقة غير مأذون به: يلزمه مبرِّر وبيان من أذن به.",
        ),
        (
            "Record the justification and the supervisor who authorised the override, or "
            "remove it.",
            "Enregistrez la justification et le superviseur qui a autorisé la dérogation, ou "
            "supprimez-la.",
            "سجّل مبرِّر الاستثناء والمشرف الذي أذن به، أو احذفه.",
        ),
    ),
)
def referral_override_unjustified(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report an unauthorised override on the referral, and on its case's consent if known."""
    if referral.consent_override is not None and not referral.consent_override.is_authorised:
        yield Finding("$.consent_override")
    case = ctx.case(referral.case_id) if ctx.provides("cases") else None
    if case is not None and case.consent is not None:
        override = case.consent.override
        if override is not None and not override.is_authorised:
            yield Finding("$.case_id")


@rule(
    "referral.case_not_open",
    entity=Referral,
    description="A pending referral belongs to a case that is closed, transferred or duplicate.",
    message=_msg(
        (
            "The referral is pending but its case is no longer active.",
            "L'orientation est en attente mais son dossier n'est plus actif.",
            "الإحالة قيد الانتظار غير أن الحالة المعنية بها لم تعد نشطة.",
        ),
        (
            "Cancel the referral, or reopen the case (or refer the case that continues it).",
            "Annulez l'orientation, ou rouvrez le dossier (ou orientez le dossier qui lui fait "
            "suite).",
            "ألغِ الإحالة، أو أعد فتح الحالة (أو أحِل الحالة التي تواصلها).",
        ),
    ),
    needs={"cases"},
)
def referral_case_not_open(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report a pending referral of an inactive case."""
    case = ctx.case(referral.case_id)
    if case is not None and referral.status is ReferralStatus.PENDING and not case.is_active:
        yield Finding("$.case_id")


@rule(
    "referral.self_referral",
    entity=Referral,
    description="A referral is addressed to the body that sends it.",
    message=_msg(
        (
            "The referral is addressed to the body that sends it.",
            "L'orientation est adressée à l'organisme qui l'envoie.",
            "الإحالة موجَّهة إلى الهيئة نفسها التي ترسلها.",
        ),
        (
            "Address the referral to another body, a social programme or the judicial authority.",
            "Adressez l'orientation à un autre organisme, à un programme social ou à "
            "l'autorité judiciaire.",
            "وجِّه الإحالة إلى هيئة أخرى أو إلى برنامج اجتماعي أو إلى السلطة القضائية.",
        ),
    ),
)
def referral_self_referral(referral: Referral, _ctx: Context) -> Iterator[Finding]:
    """Report a referral whose target body is its sender."""
    target = referral.target
    if target.kind is ReferralTargetKind.BODY and target.body_id == referral.from_body:
        yield Finding("$.target.body_id")


_NOT_IN_FORCE_MESSAGE: Final = (
    "The referral is made on {made_on} to the programme {programme}, which was not in force "
    "that day (in force {period}); what replaced it: {successor}.",
    "L'orientation est faite le {made_on} vers le programme {programme}, qui n'était pas en "
    "vigueur ce jour-là (en vigueur {period}) ; ce qui l'a remplacé : {successor}.",
    "أُجريت الإحالة في {made_on} إلى البرنامج {programme}، ولم يكن ساري المفعول في ذلك اليوم "
    "(ساري المفعول {period})؛ البرنامج الذي حلّ محلّه: {successor}.",
)
_NOT_IN_FORCE_REMEDY: Final = (
    "Refer the family to the programme in force on that day ({successor}), or correct made_on.",
    "Orientez la famille vers le programme en vigueur ce jour-là ({successor}), ou corrigez "
    "made_on.",
    "أحِل الأسرة إلى البرنامج الساري المفعول في ذلك اليوم ({successor})، أو صحّح تاريخ الإحالة "
    "(made_on).",
)


def _programme_not_in_force(
    referral: Referral, ctx: Context, *, verified: bool
) -> Iterator[Finding]:
    programme = referral.target.programme
    if referral.target.kind is not ReferralTargetKind.PROGRAMME or programme is None:
        return
    calendar = ctx.programmes
    period = calendar.period(programme)
    if period.verified != verified or period.in_force(referral.made_on):
        return
    replacement = calendar.replacement(programme, referral.made_on)
    successor = replacement.value if replacement is not None else "-"
    start = period.valid_from.isoformat() if period.valid_from is not None else ".."
    end = period.valid_to.isoformat() if period.valid_to is not None else ".."
    yield Finding(
        "$.target.programme",
        {
            "programme": programme.value,
            "made_on": referral.made_on.isoformat(),
            "period": f"{start}/{end}",
            "successor": successor,
        },
    )


@rule(
    "referral.programme_not_in_force",
    entity=Referral,
    description=(
        "A referral goes to a social programme that was not in force on the day it was made "
        "(dates confirmed by a public source); the message names what replaced it."
    ),
    message=_msg(_NOT_IN_FORCE_MESSAGE, _NOT_IN_FORCE_REMEDY),
)
def referral_programme_not_in_force(referral: Referral, ctx: Context) -> Iterator[Finding]:
    """Report a referral to a programme outside its verified period."""
    yield from _programme_not_in_force(referral, ctx, verified=True)


@rule(
    "referral.programme_not_in_force_unverified",
    entity=Referral,
    severity=Severity.WARNING,
    description=(
        "A referral goes to a social programme that was not in force on the day it was made, "
        "by dates no public source confirmed yet (configuration); the message names what "
        "replaced it."
    ),
    message=_msg(
        _NOT_IN_FORCE_MESSAGE,
        (
            _NOT_IN_FORCE_REMEDY[0] + " The programme's dates are not verified: check them.",
            _NOT_IN_FORCE_REMEDY[1] + " Les dates du programme ne sont pas vérifiées : "
            "contrôlez-les.",
            _NOT_IN_FORCE_REMEDY[2] + " تواريخ البرنامج غير متحقق منها: تحقّق منها.",
        ),
    ),
)
def referral_programme_not_in_force_unverified(
    referral: Referral, ctx: Context
) -> Iterator[Finding]:
    """Warn about a referral to a programme outside its unverified period."""
    yield from _programme_not_in_force(referral, ctx, verified=False)


@rule(
    "referral.rejection_reason_missing",
    entity=Referral,
    description="A rejected referral does not say why.",
    message=_msg(
        (
            "The referral is rejected without a reason.",
            "L'orientation est refusée sans motif.",
            "رُفضت الإحالة دون ذكر السبب.",
        ),
        (
            "Record why the target rejected the referral.",
            "Enregistrez pourquoi le destinataire a refusé l'orientation.",
            "سجّل سبب رفض الجهة المُحال إليها للإحالة.",
        ),
    ),
)
def referral_rejection_reason_missing(referral: Referral, _ctx: Context) -> Iterator[Finding]:
    """Report a rejected referral without a reason."""
    if referral.status is ReferralStatus.REJECTED and not (referral.rejection_reason or "").strip():
        yield Finding("$.rejection_reason")


#: Every built-in rule, in order of code; a plug-in's ``wladna_rules()`` may return this list.
BUILTIN_RULES: Final[list[Rule]] = sorted(
    [
        body_cape_committee_missing,
        body_level_mismatch,
        body_secretariat_not_committee,
        body_sector_missing,
        body_territory_unknown,
        case_before_birth,
        case_assent_missing,
        case_child_consent_missing,
        case_child_declined,
        case_child_consent_below_band,
        case_before_estimated_birth,
        case_child_turns_18,
        case_closure_unapproved,
        case_body_outside_jurisdiction,
        case_body_unknown,
        case_child_unknown,
        case_closure_on_open_case,
        case_closure_reason_missing,
        case_closure_with_open_referrals,
        case_concerns_missing,
        case_family_unknown,
        case_high_risk_plan_unapproved,
        case_no_risk_open,
        case_territory_unknown,
        case_transition_plan_missing,
        child_adult,
        child_birth_in_future,
        child_cnie_expected,
        child_identifier_duplicate,
        child_identifier_format,
        child_identifier_format_unverified,
        child_residence_unknown,
        family_caregiver_deceased,
        family_caregiver_minor,
        family_kafala_without_decision,
        family_member_duplicate,
        family_residence_unknown,
        referral_before_case_opened,
        referral_case_not_open,
        referral_case_unknown,
        referral_consent_missing,
        referral_override_unjustified,
        referral_programme_not_in_force,
        referral_programme_not_in_force_unverified,
        referral_rejection_reason_missing,
        referral_self_referral,
        referral_target_unknown,
    ],
    key=lambda item: item.code,
)
