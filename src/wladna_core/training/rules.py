"""The rules of the training programme, with stable ``training.*`` codes.

Every rule here is an ordinary :class:`~wladna_core.rules.Rule`, listed in
:data:`TRAINING_RULES` as a plug-in lists its own; :func:`training_rules` returns them as a
:class:`~wladna_core.rules.RuleSet` for :func:`~wladna_core.rules.validate`, which runs them on
the records of :mod:`wladna_core.training` with a
:class:`~wladna_core.training.context.TrainingContext`:

>>> from datetime import date
>>> from wladna_core.rules import validate
>>> from wladna_core.training import Delivery, SessionMode, TrainingContext, TrainingSession
>>> from wladna_core.training import TrainingUnit
>>> unit = TrainingUnit(
...     code="RUE-01",
...     title_ar="مواكبة الأطفال في وضعية الشارع",
...     title_fr="Accompagnement des enfants en situation de rue",
...     duration_hours=12,
...     delivery=Delivery.PHYSICAL_ONLY,
...     physical_reason="Mises en situation et visite de terrain",
... )
>>> session = TrainingSession(
...     units=[unit.id], mode=SessionMode.REMOTE, days=[date(2026, 3, 2)],
...     territory="MA-SAL", capacity=20,
... )
>>> context = TrainingContext(units=[unit])
>>> found = validate(session, on=date(2026, 3, 2), context=context, rules=training_rules())
>>> [violation.code for violation in found]
['training.physical_unit_remote']

Dates in one record are kept in order by the records themselves (a phase cannot end before it
starts); the rules check what depends on the date of validation, on other records or on the
settings.  Names of people never appear in messages; codes of units and opaque ids do.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING, Final

from wladna_core.errors import Severity, Violation
from wladna_core.messages import Message, Text, render
from wladna_core.rules import Context, Finding, Rule, RuleSet, record_label, rule
from wladna_core.training._files import file_digest
from wladna_core.training.context import TrainingContext
from wladna_core.training.enums import Delivery, SessionMode
from wladna_core.training.evaluations import RATING_SCALE, Evaluation
from wladna_core.training.programmes import TrainingProgramme
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.support import SupportRequest, units_covering
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = [
    "SCORE_SCALE",
    "TRAINING_RULES",
    "check_material_file",
    "training_rules",
]

#: The scale of pre- and post-test scores: percent, from 0 to 100 (rule
#: ``training.score_out_of_range``).
SCORE_SCALE: Final = (0, 100)


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    """Build a message from ``(en, fr, ar)`` templates."""
    return Message(message=Text(*message), remedy=Text(*remedy))


def _training(ctx: Context) -> TrainingContext:
    """Return ``ctx`` as a training context (rules with training needs run only with one)."""
    if not isinstance(ctx, TrainingContext):
        msg = f"training rules need a TrainingContext, got {type(ctx).__name__}"
        raise TypeError(msg)
    return ctx


def _settings(ctx: Context) -> TrainingSettings:
    return ctx.settings if isinstance(ctx, TrainingContext) else TrainingSettings()


def _unknown_territory_remedy() -> tuple[str, str, str]:
    return (
        "Use the ISO 3166-2:MA code of a known region, province or prefecture (for example "
        "MA-SAL), or add the territory to the gazetteer.",
        "Utilisez le code ISO 3166-2:MA d'une région, d'une province ou d'une préfecture "
        "connue (par exemple MA-SAL), ou ajoutez ce territoire au référentiel territorial.",
        "استعمل رمز ISO 3166-2:MA لجهة أو إقليم أو عمالة معروفة (مثلاً MA-SAL)، أو أضف هذا "
        "المجال الترابي إلى المرجع الترابي.",
    )


def _unit_label(ctx: TrainingContext, unit_id: str) -> str:
    """Return what messages call a unit: its code when it is known, else its id."""
    unit = ctx.unit(unit_id)
    return unit.code if unit is not None else unit_id


# --- programmes ---------------------------------------------------------------------------------


@rule(
    "training.phase_before_programme",
    entity=TrainingProgramme,
    description="A rollout phase starts before its programme.",
    message=_msg(
        (
            "The phase {phase} starts on {starts_on}, before the programme ({programme_start}).",
            "La phase {phase} commence le {starts_on}, avant le programme ({programme_start}).",
            "تبدأ المرحلة {phase} في {starts_on}، أي قبل انطلاق البرنامج ({programme_start}).",
        ),
        (
            "Correct the start of the phase or of the programme.",
            "Corrigez le début de la phase ou celui du programme.",
            "صحّح تاريخ بداية المرحلة أو تاريخ انطلاق البرنامج.",
        ),
    ),
)
def phase_before_programme(programme: TrainingProgramme, _ctx: Context) -> Iterator[Finding]:
    """Report each phase that starts before the programme does."""
    for index, phase in enumerate(programme.phases):
        if phase.starts_on < programme.starts_on:
            yield Finding(
                f"$.phases[{index}].starts_on",
                {
                    "phase": phase.name,
                    "starts_on": phase.starts_on.isoformat(),
                    "programme_start": programme.starts_on.isoformat(),
                },
            )


@rule(
    "training.phases_out_of_order",
    entity=TrainingProgramme,
    description="A rollout phase starts before the phase listed before it.",
    message=_msg(
        (
            "The phase {phase} starts on {starts_on}, before the phase listed before it "
            "({previous}, {previous_start}).",
            "La phase {phase} commence le {starts_on}, avant la phase qui la précède dans la "
            "liste ({previous}, {previous_start}).",
            "تبدأ المرحلة {phase} في {starts_on}، أي قبل المرحلة التي تسبقها في القائمة "
            "({previous}، {previous_start}).",
        ),
        (
            "List the phases in the order they start, or correct their dates.",
            "Rangez les phases dans l'ordre où elles commencent, ou corrigez leurs dates.",
            "رتّب المراحل حسب تاريخ بدايتها، أو صحّح تواريخها.",
        ),
    ),
)
def phases_out_of_order(programme: TrainingProgramme, _ctx: Context) -> Iterator[Finding]:
    """Report each phase that starts before the one listed before it."""
    for index in range(1, len(programme.phases)):
        previous, phase = programme.phases[index - 1], programme.phases[index]
        if phase.starts_on < previous.starts_on:
            yield Finding(
                f"$.phases[{index}].starts_on",
                {
                    "phase": phase.name,
                    "starts_on": phase.starts_on.isoformat(),
                    "previous": previous.name,
                    "previous_start": previous.starts_on.isoformat(),
                },
            )


@rule(
    "training.phase_territory_unknown",
    entity=TrainingProgramme,
    description="A rollout phase names a territory the gazetteer does not know.",
    message=_msg(
        (
            "The phase {phase} names the territory {territory}, which is not in the gazetteer.",
            "La phase {phase} cite le territoire {territory}, qui ne figure pas dans le "
            "référentiel territorial.",
            "تذكر المرحلة {phase} المجال الترابي {territory}، وهو غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def phase_territory_unknown(programme: TrainingProgramme, ctx: Context) -> Iterator[Finding]:
    """Report each territory of a phase that the gazetteer does not know."""
    for index, phase in enumerate(programme.phases):
        for territory in sorted(phase.territories):
            if territory not in ctx.gazetteer:
                yield Finding(
                    f"$.phases[{index}].territories",
                    {"phase": phase.name, "territory": territory},
                )


# --- units --------------------------------------------------------------------------------------


@rule(
    "training.prerequisite_unknown",
    entity=TrainingUnit,
    description="A unit's prerequisite is not a known unit.",
    message=_msg(
        (
            "The prerequisite {prerequisite} is not a known training unit.",
            "Le prérequis {prerequisite} n'est pas une unité de formation connue.",
            "المتطلب المسبق {prerequisite} ليس وحدة تكوينية معروفة.",
        ),
        (
            "Record the prerequisite unit first, or remove it from the prerequisites.",
            "Enregistrez d'abord l'unité prérequise, ou retirez-la des prérequis.",
            "سجّل الوحدة المطلوبة مسبقاً أولاً، أو احذفها من قائمة المتطلبات المسبقة.",
        ),
    ),
    needs={"training_units"},
)
def prerequisite_unknown(unit: TrainingUnit, ctx: Context) -> Iterator[Finding]:
    """Report each prerequisite that is not a known unit."""
    known = _training(ctx)
    for prerequisite in sorted(unit.prerequisites):
        if known.unit(prerequisite) is None:
            yield Finding("$.prerequisites", {"prerequisite": prerequisite})


@rule(
    "training.prerequisite_cycle",
    entity=TrainingUnit,
    description="A unit is, through its prerequisites, a prerequisite of itself.",
    message=_msg(
        (
            "The unit {unit} is a prerequisite of itself through {prerequisite}: no one could "
            "ever take it.",
            "L'unité {unit} est son propre prérequis en passant par {prerequisite} : personne "
            "ne pourrait jamais la suivre.",
            "الوحدة {unit} متطلب مسبق لنفسها عبر {prerequisite}، فلا يمكن لأحد أن يتابعها أبداً.",
        ),
        (
            "Remove one of the prerequisites that lead back to the unit.",
            "Retirez l'un des prérequis qui ramènent à l'unité.",
            "احذف أحد المتطلبات المسبقة التي تعود إلى الوحدة نفسها.",
        ),
    ),
    needs={"training_units"},
)
def prerequisite_cycle(unit: TrainingUnit, ctx: Context) -> Iterator[Finding]:
    """Report a prerequisite from which the unit can be reached again."""
    known = _training(ctx)
    for prerequisite in sorted(unit.prerequisites):
        seen: set[str] = set()
        stack = [prerequisite]
        while stack:
            current = stack.pop()
            if current == unit.id:
                yield Finding(
                    "$.prerequisites",
                    {"unit": unit.code, "prerequisite": _unit_label(known, prerequisite)},
                )
                break
            if current in seen:
                continue
            seen.add(current)
            found = known.unit(current)
            if found is not None:
                stack.extend(sorted(found.prerequisites))


@rule(
    "training.material_unknown",
    entity=TrainingUnit,
    description="A unit's educational bag lists a material that is not known.",
    message=_msg(
        (
            "The educational bag of the unit lists the material {material}, which is not known.",
            "Le sac pédagogique de l'unité cite le support {material}, qui n'est pas connu.",
            "تذكر الحقيبة البيداغوجية للوحدة المادة {material}، وهي غير معروفة.",
        ),
        (
            "Record the material (with its size and SHA-256 digest), or remove it from the unit.",
            "Enregistrez le support (avec sa taille et son empreinte SHA-256), ou retirez-le de "
            "l'unité.",
            "سجّل المادة (مع حجمها وبصمتها SHA-256)، أو احذفها من الوحدة.",
        ),
    ),
    needs={"training_materials"},
)
def material_unknown(unit: TrainingUnit, ctx: Context) -> Iterator[Finding]:
    """Report each material of the unit that is not known."""
    known = _training(ctx)
    for index, material_id in enumerate(unit.materials):
        if known.material(material_id) is None:
            yield Finding(f"$.materials[{index}]", {"material": material_id})


def _has_arabic_letter(text: str) -> bool:
    return any(
        unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")
        for char in text
    )


@rule(
    "training.title_ar_not_arabic",
    entity=TrainingUnit,
    severity=Severity.WARNING,
    description="A unit's Arabic title has no Arabic letter.",
    message=_msg(
        (
            "The Arabic title of the unit {unit} has no Arabic letter.",
            "Le titre arabe de l'unité {unit} ne contient aucune lettre arabe.",
            "لا يتضمن العنوان العربي للوحدة {unit} أي حرف عربي.",
        ),
        (
            "Write the title in Arabic in title_ar, and in French in title_fr.",
            "Écrivez le titre en arabe dans title_ar, et en français dans title_fr.",
            "اكتب العنوان بالعربية في الحقل title_ar، وبالفرنسية في الحقل title_fr.",
        ),
    ),
)
def title_ar_not_arabic(unit: TrainingUnit, _ctx: Context) -> Iterator[Finding]:
    """Report an Arabic title written without any Arabic letter."""
    if not _has_arabic_letter(unit.title_ar):
        yield Finding("$.title_ar", {"unit": unit.code})


# --- materials ----------------------------------------------------------------------------------


@rule(
    "training.material_file_missing",
    entity=Material,
    description="The file of a material cannot be read where it is said to be.",
    message=_msg(
        (
            "The file of the material cannot be read at {file}.",
            "Le fichier du support ne peut pas être lu à l'emplacement {file}.",
            "تعذّرت قراءة ملف المادة في الموضع {file}.",
        ),
        (
            "Put the file back, or correct where the material lives.",
            "Remettez le fichier en place, ou corrigez l'emplacement du support.",
            "أعد الملف إلى مكانه، أو صحّح موضع المادة.",
        ),
    ),
    needs={"training_material_files"},
)
def material_file_missing(material: Material, ctx: Context) -> Iterator[Finding]:
    """Report a material whose file is named but cannot be read."""
    path = _training(ctx).material_file(material.id)
    if path is not None and not path.is_file():
        yield Finding("$.location", {"file": str(path)})


def _digest(path: Path | None) -> tuple[int, str] | None:
    if path is None or not path.is_file():
        return None
    try:
        return file_digest(path)
    except OSError:
        return None


@rule(
    "training.material_size",
    entity=Material,
    description="The file of a material does not have the size its record gives.",
    message=_msg(
        (
            "The file of the material has {found} bytes; its record says {expected}.",
            "Le fichier du support fait {found} octets ; sa fiche en annonce {expected}.",
            "يبلغ حجم ملف المادة {found} بايت، بينما يذكر سجلّها {expected}.",
        ),
        (
            "Replace the file by the edition the record describes, or record the new edition "
            "with its size and SHA-256 digest.",
            "Remplacez le fichier par l'édition que décrit la fiche, ou enregistrez la nouvelle "
            "édition avec sa taille et son empreinte SHA-256.",
            "استبدل الملف بالنسخة التي يصفها السجل، أو سجّل النسخة الجديدة مع حجمها وبصمتها "
            "SHA-256.",
        ),
    ),
    needs={"training_material_files"},
)
def material_size(material: Material, ctx: Context) -> Iterator[Finding]:
    """Report a material whose file's size differs from the record's."""
    found = _digest(_training(ctx).material_file(material.id))
    if found is not None and found[0] != material.size:
        yield Finding("$.size", {"found": found[0], "expected": material.size})


@rule(
    "training.material_checksum",
    entity=Material,
    description="The file of a material does not match the SHA-256 digest of its record.",
    message=_msg(
        (
            "The file of the material does not match its SHA-256 digest: it was changed or "
            "damaged (found {found}..., expected {expected}...).",
            "Le fichier du support ne correspond pas à son empreinte SHA-256 : il a été modifié "
            "ou endommagé (trouvé {found}..., attendu {expected}...).",
            "لا يطابق ملف المادة بصمته SHA-256، فقد عُدّل أو تلف (البصمة الموجودة {found}...، "
            "والمنتظرة {expected}...).",
        ),
        (
            "Replace the file by the edition the record describes, or record the new edition "
            "with its size and SHA-256 digest.",
            "Remplacez le fichier par l'édition que décrit la fiche, ou enregistrez la nouvelle "
            "édition avec sa taille et son empreinte SHA-256.",
            "استبدل الملف بالنسخة التي يصفها السجل، أو سجّل النسخة الجديدة مع حجمها وبصمتها "
            "SHA-256.",
        ),
    ),
    needs={"training_material_files"},
)
def material_checksum(material: Material, ctx: Context) -> Iterator[Finding]:
    """Report a material whose file's SHA-256 digest differs from the record's."""
    found = _digest(_training(ctx).material_file(material.id))
    if found is not None and found[1] != material.sha256:
        yield Finding("$.sha256", {"found": found[1][:12], "expected": material.sha256[:12]})


_FILE_RULES: Final = (material_file_missing, material_size, material_checksum)


def check_material_file(
    material: Material, path: Path | str, *, lang: str = "en"
) -> list[Violation]:
    """Check the file at ``path`` against ``material``: readable, right size, right SHA-256.

    :returns: the violations of ``training.material_file_missing``, ``training.material_size``
        and ``training.material_checksum``; an empty list when the file is the one described.
    :raises ValueError: for an unknown ``lang``.
    """
    context = TrainingContext(material_files={material.id: path})
    label = record_label(material)
    found: list[Violation] = []
    for item in _FILE_RULES:
        for finding in item.check(material, context):
            text, remedy = render(item.message, lang, finding.params)
            found.append(Violation(item.code, finding.path, text, item.severity, label, remedy))
    return found


# --- sites --------------------------------------------------------------------------------------


@rule(
    "training.site_body_unknown",
    entity=SiteLogistics,
    description="A site's body is not a known territorial body.",
    message=_msg(
        (
            "The site belongs to a body that is not known.",
            "Le site appartient à un organisme qui n'est pas connu.",
            "ينتمي الفضاء إلى هيئة غير معروفة.",
        ),
        (
            "Register the body first, or correct body_id.",
            "Enregistrez d'abord l'organisme, ou corrigez body_id.",
            "سجّل الهيئة أولاً، أو صحّح المعرّف body_id.",
        ),
    ),
    needs={"bodies"},
)
def site_body_unknown(site: SiteLogistics, ctx: Context) -> Iterator[Finding]:
    """Report a site of an unknown body."""
    if ctx.body(site.body_id) is None:
        yield Finding("$.body_id")


@rule(
    "training.site_recorded_in_future",
    entity=SiteLogistics,
    description="A site's logistics are dated after the date of validation.",
    message=_msg(
        (
            "The logistics of the site are dated {recorded_on}, after the date of validation "
            "({on}).",
            "La logistique du site est datée du {recorded_on}, après la date de validation ({on}).",
            "تاريخ معطيات الفضاء {recorded_on}، وهو لاحق لتاريخ التحقق ({on}).",
        ),
        (
            "Record the day the logistics were surveyed.",
            "Indiquez le jour où la logistique a été relevée.",
            "سجّل اليوم الذي جُمعت فيه معطيات الفضاء.",
        ),
    ),
)
def site_recorded_in_future(site: SiteLogistics, ctx: Context) -> Iterator[Finding]:
    """Report logistics surveyed after the date of validation."""
    if site.recorded_on > ctx.on:
        yield Finding(
            "$.recorded_on", {"recorded_on": site.recorded_on.isoformat(), "on": ctx.on.isoformat()}
        )


# --- sessions -----------------------------------------------------------------------------------


@rule(
    "training.session_unit_unknown",
    entity=TrainingSession,
    description="A session gives a unit that is not known.",
    message=_msg(
        (
            "The session gives the unit {unit}, which is not known.",
            "La session dispense l'unité {unit}, qui n'est pas connue.",
            "تقدّم الدورة الوحدة {unit}، وهي غير معروفة.",
        ),
        (
            "Record the unit first, or remove it from the session.",
            "Enregistrez d'abord l'unité, ou retirez-la de la session.",
            "سجّل الوحدة أولاً، أو احذفها من الدورة.",
        ),
    ),
    needs={"training_units"},
)
def session_unit_unknown(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report each unit of the session that is not known."""
    known = _training(ctx)
    for index, unit_id in enumerate(session.units):
        if known.unit(unit_id) is None:
            yield Finding(f"$.units[{index}]", {"unit": unit_id})


_PHYSICAL_REMEDY: Final = (
    "Hold the session in person, or give the unit in another session held in person.",
    "Tenez la session en présentiel, ou dispensez l'unité dans une autre session en présentiel.",
    "نظّم الدورة حضورياً، أو قدّم الوحدة في دورة أخرى حضورية.",
)


@rule(
    "training.physical_unit_remote",
    entity=TrainingSession,
    description="A remote session gives a unit that needs physical attendance.",
    message=_msg(
        (
            "The session is remote, but the unit {unit} needs physical attendance.",
            "La session est à distance, mais l'unité {unit} exige une présence physique.",
            "الدورة عن بعد، غير أن الوحدة {unit} تستلزم الحضور الفعلي.",
        ),
        _PHYSICAL_REMEDY,
    ),
    needs={"training_units"},
)
def physical_unit_remote(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report each physical-only unit of a remote session."""
    yield from _physical_units(session, _training(ctx), SessionMode.REMOTE)


@rule(
    "training.physical_unit_hybrid",
    entity=TrainingSession,
    severity=Severity.WARNING,
    description="A hybrid session gives a unit that needs physical attendance.",
    message=_msg(
        (
            "The session is hybrid, but the unit {unit} needs physical attendance: those "
            "connected remotely miss part of it.",
            "La session est hybride, mais l'unité {unit} exige une présence physique : les "
            "participants à distance en manquent une partie.",
            "الدورة مختلطة، غير أن الوحدة {unit} تستلزم الحضور الفعلي، فيفوت المشاركين عن بعد "
            "جزء منها.",
        ),
        _PHYSICAL_REMEDY,
    ),
    needs={"training_units"},
)
def physical_unit_hybrid(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report each physical-only unit of a hybrid session."""
    yield from _physical_units(session, _training(ctx), SessionMode.HYBRID)


def _physical_units(
    session: TrainingSession, ctx: TrainingContext, mode: SessionMode
) -> Iterator[Finding]:
    if session.mode is not mode:
        return
    for index, unit_id in enumerate(session.units):
        unit = ctx.unit(unit_id)
        if unit is not None and unit.delivery is Delivery.PHYSICAL_ONLY:
            yield Finding(f"$.units[{index}]", {"unit": unit.code})


@rule(
    "training.session_site_missing",
    entity=TrainingSession,
    description="A session held in person or hybrid names no site.",
    message=_msg(
        (
            "The session is held {mode} but names no site.",
            "La session se tient en mode {mode} mais ne désigne aucun site.",
            "تُعقد الدورة بنمط {mode} دون تحديد أي فضاء.",
        ),
        (
            "Name the site of the room (site_id), or hold the session remotely.",
            "Désignez le site de la salle (site_id), ou tenez la session à distance.",
            "حدّد فضاء القاعة (site_id)، أو نظّم الدورة عن بعد.",
        ),
    ),
)
def session_site_missing(session: TrainingSession, _ctx: Context) -> Iterator[Finding]:
    """Report a session with a room but no site."""
    if session.mode.has_venue and session.site_id is None:
        yield Finding("$.site_id", {"mode": session.mode.value})


@rule(
    "training.session_site_unknown",
    entity=TrainingSession,
    description="A session's site is not a known site.",
    message=_msg(
        (
            "The session's site is not known.",
            "Le site de la session n'est pas connu.",
            "فضاء الدورة غير معروف.",
        ),
        (
            "Record the site's logistics first, or correct site_id.",
            "Enregistrez d'abord la logistique du site, ou corrigez site_id.",
            "سجّل معطيات الفضاء أولاً، أو صحّح المعرّف site_id.",
        ),
    ),
    needs={"training_sites"},
)
def session_site_unknown(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report a session whose site is not known."""
    if session.site_id is not None and _training(ctx).site(session.site_id) is None:
        yield Finding("$.site_id")


@rule(
    "training.session_over_seats",
    entity=TrainingSession,
    description="An in-person session takes more participants than its room seats.",
    message=_msg(
        (
            "The session takes {capacity} participants but its room seats {seats}.",
            "La session accueille {capacity} participants mais sa salle n'a que {seats} places.",
            "تستقبل الدورة {capacity} مشاركاً بينما لا تتسع قاعتها إلا لـ {seats}.",
        ),
        (
            "Lower the capacity, choose a larger room, or split the session.",
            "Réduisez la capacité, choisissez une salle plus grande, ou dédoublez la session.",
            "خفّض الطاقة الاستيعابية، أو اختر قاعة أكبر، أو قسّم الدورة إلى دورتين.",
        ),
    ),
    needs={"training_sites"},
)
def session_over_seats(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report an in-person session whose capacity exceeds its room's seats."""
    if session.mode is not SessionMode.IN_PERSON or session.site_id is None:
        return
    site = _training(ctx).site(session.site_id)
    if site is not None and session.capacity > site.seats:
        yield Finding("$.capacity", {"capacity": session.capacity, "seats": site.seats})


@rule(
    "training.session_territory_unknown",
    entity=TrainingSession,
    description="A session's territory is not in the gazetteer.",
    message=_msg(
        (
            "The session's territory {territory} is not in the gazetteer.",
            "Le territoire de la session ({territory}) ne figure pas dans le référentiel "
            "territorial.",
            "المجال الترابي للدورة ({territory}) غير موجود في المرجع الترابي.",
        ),
        _unknown_territory_remedy(),
    ),
    needs={"gazetteer"},
)
def session_territory_unknown(session: TrainingSession, ctx: Context) -> Iterator[Finding]:
    """Report a session whose territory the gazetteer does not know."""
    if session.territory not in ctx.gazetteer:
        yield Finding("$.territory", {"territory": session.territory})


# --- participants -------------------------------------------------------------------------------


@rule(
    "training.participant_body_unknown",
    entity=Participant,
    description="A participant's body is not a known territorial body.",
    message=_msg(
        (
            "The participant's body is not known.",
            "L'organisme du participant n'est pas connu.",
            "هيئة المشارك غير معروفة.",
        ),
        (
            "Register the body first, or correct body_id.",
            "Enregistrez d'abord l'organisme, ou corrigez body_id.",
            "سجّل الهيئة أولاً، أو صحّح المعرّف body_id.",
        ),
    ),
    needs={"bodies"},
)
def participant_body_unknown(participant: Participant, ctx: Context) -> Iterator[Finding]:
    """Report a participant of an unknown body."""
    if ctx.body(participant.body_id) is None:
        yield Finding("$.body_id")


# --- enrolments ---------------------------------------------------------------------------------


@rule(
    "training.enrolment_session_unknown",
    entity=Enrolment,
    description="An enrolment is in a session that is not known.",
    message=_msg(
        (
            "The enrolment is in a session that is not known.",
            "L'inscription porte sur une session qui n'est pas connue.",
            "يخصّ التسجيل دورة غير معروفة.",
        ),
        (
            "Record the session first, or correct session_id.",
            "Enregistrez d'abord la session, ou corrigez session_id.",
            "سجّل الدورة أولاً، أو صحّح المعرّف session_id.",
        ),
    ),
    needs={"training_sessions"},
)
def enrolment_session_unknown(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report an enrolment in an unknown session."""
    if _training(ctx).session(enrolment.session_id) is None:
        yield Finding("$.session_id")


@rule(
    "training.enrolment_participant_unknown",
    entity=Enrolment,
    description="An enrolment is of a participant who is not known.",
    message=_msg(
        (
            "The enrolment is of a participant who is not known.",
            "L'inscription concerne un participant qui n'est pas connu.",
            "يخصّ التسجيل مشاركاً غير معروف.",
        ),
        (
            "Record the participant first, or correct participant_id.",
            "Enregistrez d'abord le participant, ou corrigez participant_id.",
            "سجّل المشارك أولاً، أو صحّح المعرّف participant_id.",
        ),
    ),
    needs={"training_participants"},
)
def enrolment_participant_unknown(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report an enrolment of an unknown participant."""
    if _training(ctx).participant(enrolment.participant_id) is None:
        yield Finding("$.participant_id")


@rule(
    "training.enrolment_duplicate",
    entity=Enrolment,
    description="A participant is enrolled twice in the same session.",
    message=_msg(
        (
            "The participant is enrolled in this session by another enrolment too ({other}).",
            "Le participant est aussi inscrit à cette session par une autre inscription ({other}).",
            "المشارك مسجّل في هذه الدورة بتسجيل آخر أيضاً ({other}).",
        ),
        (
            "Keep one enrolment and remove the other.",
            "Gardez une inscription et supprimez l'autre.",
            "احتفظ بتسجيل واحد واحذف الآخر.",
        ),
    ),
    needs={"training_enrolments"},
)
def enrolment_duplicate(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report another enrolment of the same participant in the same session."""
    for other in _training(ctx).enrolments_of_session(enrolment.session_id):
        if other.id != enrolment.id and other.participant_id == enrolment.participant_id:
            yield Finding("$.session_id", {"other": other.id})
            return


@rule(
    "training.enrolment_over_capacity",
    entity=Enrolment,
    description="An enrolment comes after the session's capacity is reached.",
    message=_msg(
        (
            "The enrolment is number {rank} in a session that takes {capacity} participants.",
            "L'inscription est la numéro {rank} dans une session qui accueille {capacity} "
            "participants.",
            "هذا التسجيل رقم {rank} في دورة لا تستقبل إلا {capacity} مشاركاً.",
        ),
        (
            "Enrol the participant in another session, or raise the session's capacity if the "
            "room allows it.",
            "Inscrivez le participant à une autre session, ou augmentez la capacité de la "
            "session si la salle le permet.",
            "سجّل المشارك في دورة أخرى، أو ارفع الطاقة الاستيعابية للدورة إن سمحت القاعة بذلك.",
        ),
    ),
    needs={"training_sessions", "training_enrolments"},
)
def enrolment_over_capacity(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report an enrolment ranked beyond the capacity, in order of enrolment day then id."""
    known = _training(ctx)
    session = known.session(enrolment.session_id)
    if session is None:
        return
    others = {item.id: item for item in known.enrolments_of_session(session.id)}
    others[enrolment.id] = enrolment
    ranked = sorted(others.values(), key=lambda item: (item.enrolled_on, item.id))
    rank = ranked.index(enrolment) + 1
    if rank > session.capacity:
        yield Finding("$.session_id", {"rank": rank, "capacity": session.capacity})


@rule(
    "training.attendance_outside_session",
    entity=Enrolment,
    description="Attendance is recorded on a day the session is not held.",
    message=_msg(
        (
            "Attendance is recorded on {day}, a day the session is not held.",
            "Une présence est enregistrée le {day}, jour où la session n'a pas lieu.",
            "سُجّل حضور في {day}، وهو يوم لا تنعقد فيه الدورة.",
        ),
        (
            "Record attendance on the session's days only.",
            "N'enregistrez de présences que les jours de la session.",
            "لا تسجّل الحضور إلا في أيام انعقاد الدورة.",
        ),
    ),
    needs={"training_sessions"},
)
def attendance_outside_session(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report each day attended that is not a day of the session."""
    session = _training(ctx).session(enrolment.session_id)
    if session is None:
        return
    for day in sorted(enrolment.attended - set(session.days)):
        yield Finding("$.attended", {"day": day.isoformat()})


@rule(
    "training.attendance_in_future",
    entity=Enrolment,
    description="Attendance is recorded on a day after the date of validation.",
    message=_msg(
        (
            "Attendance is recorded on {day}, after the date of validation ({on}).",
            "Une présence est enregistrée le {day}, après la date de validation ({on}).",
            "سُجّل حضور في {day}، وهو لاحق لتاريخ التحقق ({on}).",
        ),
        (
            "Record attendance once the day has taken place.",
            "N'enregistrez une présence qu'une fois le jour passé.",
            "لا تسجّل الحضور إلا بعد مرور اليوم المعني.",
        ),
    ),
)
def attendance_in_future(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report each day attended after the date of validation."""
    for day in sorted(day for day in enrolment.attended if day > ctx.on):
        yield Finding("$.attended", {"day": day.isoformat(), "on": ctx.on.isoformat()})


@rule(
    "training.completion_without_attendance",
    entity=Enrolment,
    description="A participant completed a session without attending enough of its days.",
    message=_msg(
        (
            "The participant completed the session after attending {attended} of its {days} "
            "days; completion needs {threshold}% of them.",
            "Le participant a validé la session après avoir assisté à {attended} de ses {days} "
            "jours ; la validation en exige {threshold} %.",
            "أتمّ المشارك الدورة بعد حضور {attended} من أيامها البالغة {days}، بينما يستلزم "
            "الإتمام حضور {threshold}% منها.",
        ),
        (
            "Record the days attended, or mark the session as not completed.",
            "Enregistrez les jours de présence, ou indiquez que la session n'est pas validée.",
            "سجّل أيام الحضور، أو أشِر إلى أن الدورة لم تُتمَّ.",
        ),
    ),
    needs={"training_sessions"},
)
def completion_without_attendance(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report a completion with attendance below the threshold of the settings."""
    session = _training(ctx).session(enrolment.session_id)
    if session is None or not enrolment.completed:
        return
    threshold = _settings(ctx).attendance_threshold
    attended = len(enrolment.attended & set(session.days))
    if attended < threshold * len(session.days):
        yield Finding(
            "$.completed",
            {
                "attended": attended,
                "days": len(session.days),
                "threshold": round(threshold * 100),
            },
        )


@rule(
    "training.completion_before_session_end",
    entity=Enrolment,
    description="A session is marked completed before its last day.",
    message=_msg(
        (
            "The session is marked completed on {on}, before its last day ({last_day}).",
            "La session est indiquée comme validée le {on}, avant son dernier jour ({last_day}).",
            "أُشير إلى إتمام الدورة في {on}، أي قبل يومها الأخير ({last_day}).",
        ),
        (
            "Mark the session completed once it has ended.",
            "N'indiquez la validation qu'une fois la session terminée.",
            "لا تُشر إلى الإتمام إلا بعد انتهاء الدورة.",
        ),
    ),
    needs={"training_sessions"},
)
def completion_before_session_end(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report a completion recorded before the session's last day."""
    session = _training(ctx).session(enrolment.session_id)
    if session is not None and enrolment.completed and ctx.on < session.last_day:
        yield Finding(
            "$.completed", {"on": ctx.on.isoformat(), "last_day": session.last_day.isoformat()}
        )


@rule(
    "training.score_out_of_range",
    entity=Enrolment,
    description="A pre- or post-test score is outside 0 to 100.",
    message=_msg(
        (
            "The score {score} is outside the scale of 0 to 100.",
            "Le score {score} est hors de l'échelle de 0 à 100.",
            "النقطة {score} خارج السلّم من 0 إلى 100.",
        ),
        (
            "Record the score in percent, from 0 to 100.",
            "Enregistrez le score en pourcentage, de 0 à 100.",
            "سجّل النقطة بالنسبة المئوية، من 0 إلى 100.",
        ),
    ),
)
def score_out_of_range(enrolment: Enrolment, _ctx: Context) -> Iterator[Finding]:
    """Report each test score outside :data:`SCORE_SCALE`."""
    low, high = SCORE_SCALE
    for name in ("pre_test", "post_test"):
        score: int | None = getattr(enrolment, name)
        if score is not None and not low <= score <= high:
            yield Finding(f"$.{name}", {"score": score})


def _completed_units_before(
    ctx: TrainingContext, enrolment: Enrolment, session: TrainingSession
) -> set[str]:
    """Units the participant completed in sessions that ended before ``session`` began."""
    done: set[str] = set()
    for other in ctx.enrolments_of_participant(enrolment.participant_id):
        if other.id == enrolment.id or not other.completed:
            continue
        earlier = ctx.session(other.session_id)
        if earlier is not None and earlier.last_day < session.first_day:
            done.update(earlier.units)
    return done


@rule(
    "training.prerequisite_missing",
    entity=Enrolment,
    severity=Severity.WARNING,
    description="A participant is enrolled in a unit without having completed its prerequisites.",
    message=_msg(
        (
            "The session gives the unit {unit}, whose prerequisite {prerequisite} the "
            "participant has not completed before.",
            "La session dispense l'unité {unit}, dont le participant n'a pas validé "
            "auparavant le prérequis {prerequisite}.",
            "تقدّم الدورة الوحدة {unit}، ولم يُتمّ المشارك قبلها المتطلب المسبق {prerequisite}.",
        ),
        (
            "Enrol the participant in a session of the prerequisite first, or record its "
            "completion.",
            "Inscrivez d'abord le participant à une session de l'unité prérequise, ou "
            "enregistrez sa validation.",
            "سجّل المشارك أولاً في دورة للوحدة المطلوبة مسبقاً، أو سجّل إتمامه لها.",
        ),
    ),
    needs={"training_sessions", "training_units", "training_enrolments"},
)
def prerequisite_missing(enrolment: Enrolment, ctx: Context) -> Iterator[Finding]:
    """Report each prerequisite neither completed earlier nor given earlier in the session."""
    known = _training(ctx)
    session = known.session(enrolment.session_id)
    if session is None:
        return
    done = _completed_units_before(known, enrolment, session)
    for index, unit_id in enumerate(session.units):
        unit = known.unit(unit_id)
        if unit is None:
            continue
        given_before = set(session.units[:index])
        for prerequisite in sorted(unit.prerequisites - given_before - done):
            yield Finding(
                "$.session_id",
                {"unit": unit.code, "prerequisite": _unit_label(known, prerequisite)},
            )


# --- evaluations --------------------------------------------------------------------------------


@rule(
    "training.rating_out_of_range",
    entity=Evaluation,
    description="A rating is outside the scale of 1 to 5.",
    message=_msg(
        (
            "The rating {score} of {criterion} is outside the scale of {low} to {high}.",
            "La note {score} du critère {criterion} est hors de l'échelle de {low} à {high}.",
            "التنقيط {score} للمعيار {criterion} خارج السلّم من {low} إلى {high}.",
        ),
        (
            "Record a rating from {low} (very unsatisfactory) to {high} (very satisfactory).",
            "Enregistrez une note de {low} (très insatisfaisant) à {high} (très satisfaisant).",
            "سجّل تنقيطاً من {low} (غير مرضٍ إطلاقاً) إلى {high} (مرضٍ جداً).",
        ),
    ),
)
def rating_out_of_range(evaluation: Evaluation, _ctx: Context) -> Iterator[Finding]:
    """Report each rating outside :data:`~wladna_core.training.evaluations.RATING_SCALE`."""
    low, high = RATING_SCALE
    for index, rating in enumerate(evaluation.ratings):
        if not low <= rating.score <= high:
            yield Finding(
                f"$.ratings[{index}].score",
                {
                    "score": rating.score,
                    "criterion": rating.criterion.value,
                    "low": low,
                    "high": high,
                },
            )


@rule(
    "training.evaluation_session_unknown",
    entity=Evaluation,
    description="An evaluation is of a session that is not known.",
    message=_msg(
        (
            "The evaluation is of a session that is not known.",
            "L'évaluation porte sur une session qui n'est pas connue.",
            "يخصّ التقييم دورة غير معروفة.",
        ),
        (
            "Correct session_id.",
            "Corrigez session_id.",
            "صحّح المعرّف session_id.",
        ),
    ),
    needs={"training_sessions"},
)
def evaluation_session_unknown(evaluation: Evaluation, ctx: Context) -> Iterator[Finding]:
    """Report an evaluation of an unknown session."""
    if _training(ctx).session(evaluation.session_id) is None:
        yield Finding("$.session_id")


@rule(
    "training.evaluation_before_session_end",
    entity=Evaluation,
    description="An evaluation is handed in before the last day of its session.",
    message=_msg(
        (
            "The evaluation is dated {submitted_on}, before the last day of the session "
            "({last_day}).",
            "L'évaluation est datée du {submitted_on}, avant le dernier jour de la session "
            "({last_day}).",
            "تاريخ التقييم {submitted_on}، وهو سابق لليوم الأخير من الدورة ({last_day}).",
        ),
        (
            "Collect evaluations on the last day of the session or after it.",
            "Recueillez les évaluations le dernier jour de la session ou après.",
            "اجمع التقييمات في اليوم الأخير من الدورة أو بعده.",
        ),
    ),
    needs={"training_sessions"},
)
def evaluation_before_session_end(evaluation: Evaluation, ctx: Context) -> Iterator[Finding]:
    """Report an evaluation handed in before its session ended."""
    session = _training(ctx).session(evaluation.session_id)
    if session is not None and evaluation.submitted_on < session.last_day:
        yield Finding(
            "$.submitted_on",
            {
                "submitted_on": evaluation.submitted_on.isoformat(),
                "last_day": session.last_day.isoformat(),
            },
        )


@rule(
    "training.evaluation_in_future",
    entity=Evaluation,
    description="An evaluation is dated after the date of validation.",
    message=_msg(
        (
            "The evaluation is dated {submitted_on}, after the date of validation ({on}).",
            "L'évaluation est datée du {submitted_on}, après la date de validation ({on}).",
            "تاريخ التقييم {submitted_on}، وهو لاحق لتاريخ التحقق ({on}).",
        ),
        (
            "Record the day the evaluation was handed in.",
            "Indiquez le jour où l'évaluation a été remise.",
            "سجّل اليوم الذي سُلّم فيه التقييم.",
        ),
    ),
)
def evaluation_in_future(evaluation: Evaluation, ctx: Context) -> Iterator[Finding]:
    """Report an evaluation dated after the date of validation."""
    if evaluation.submitted_on > ctx.on:
        yield Finding(
            "$.submitted_on",
            {"submitted_on": evaluation.submitted_on.isoformat(), "on": ctx.on.isoformat()},
        )


@rule(
    "training.evaluation_not_enrolled",
    entity=Evaluation,
    description="A signed evaluation is by a participant not enrolled in the session.",
    message=_msg(
        (
            "The evaluation is signed by a participant who is not enrolled in the session.",
            "L'évaluation est signée par un participant qui n'est pas inscrit à la session.",
            "التقييم موقَّع من مشارك غير مسجّل في الدورة.",
        ),
        (
            "Correct participant_id, or remove it to make the evaluation anonymous.",
            "Corrigez participant_id, ou retirez-le pour rendre l'évaluation anonyme.",
            "صحّح المعرّف participant_id، أو احذفه ليصير التقييم مجهول المصدر.",
        ),
    ),
    needs={"training_enrolments"},
)
def evaluation_not_enrolled(evaluation: Evaluation, ctx: Context) -> Iterator[Finding]:
    """Report a signed evaluation whose author has no enrolment in the session."""
    if evaluation.participant_id is None:
        return
    enrolled = _training(ctx).enrolments_of_participant(evaluation.participant_id)
    if not any(item.session_id == evaluation.session_id for item in enrolled):
        yield Finding("$.participant_id")


# --- support requests ---------------------------------------------------------------------------


@rule(
    "training.support_body_unknown",
    entity=SupportRequest,
    description="A support request comes from a body that is not known.",
    message=_msg(
        (
            "The request comes from a body that is not known.",
            "La demande émane d'un organisme qui n'est pas connu.",
            "يصدر الطلب عن هيئة غير معروفة.",
        ),
        (
            "Register the body first, or correct body_id.",
            "Enregistrez d'abord l'organisme, ou corrigez body_id.",
            "سجّل الهيئة أولاً، أو صحّح المعرّف body_id.",
        ),
    ),
    needs={"bodies"},
)
def support_body_unknown(request: SupportRequest, ctx: Context) -> Iterator[Finding]:
    """Report a request from an unknown body."""
    if ctx.body(request.body_id) is None:
        yield Finding("$.body_id")


@rule(
    "training.support_opened_in_future",
    entity=SupportRequest,
    description="A support request is dated after the date of validation.",
    message=_msg(
        (
            "The request is dated {opened_on}, after the date of validation ({on}).",
            "La demande est datée du {opened_on}, après la date de validation ({on}).",
            "تاريخ الطلب {opened_on}، وهو لاحق لتاريخ التحقق ({on}).",
        ),
        (
            "Record the day the request was made.",
            "Indiquez le jour où la demande a été faite.",
            "سجّل اليوم الذي قُدّم فيه الطلب.",
        ),
    ),
)
def support_opened_in_future(request: SupportRequest, ctx: Context) -> Iterator[Finding]:
    """Report a request dated after the date of validation."""
    if request.opened_on > ctx.on:
        yield Finding(
            "$.opened_on", {"opened_on": request.opened_on.isoformat(), "on": ctx.on.isoformat()}
        )


@rule(
    "training.support_unit_unknown",
    entity=SupportRequest,
    description="A support request points to a unit that is not known.",
    message=_msg(
        (
            "The request points to a unit that is not known.",
            "La demande renvoie à une unité qui n'est pas connue.",
            "يحيل الطلب إلى وحدة غير معروفة.",
        ),
        (
            "Point to a known unit that covers the topic, or to none.",
            "Renvoyez à une unité connue qui couvre le sujet, ou à aucune.",
            "أحِل إلى وحدة معروفة تغطي الموضوع، أو لا تُحِل إلى أي وحدة.",
        ),
    ),
    needs={"training_units"},
)
def support_unit_unknown(request: SupportRequest, ctx: Context) -> Iterator[Finding]:
    """Report a request pointing to an unknown unit."""
    if request.unit_id is not None and _training(ctx).unit(request.unit_id) is None:
        yield Finding("$.unit_id")


@rule(
    "training.support_unit_off_topic",
    entity=SupportRequest,
    severity=Severity.WARNING,
    description="A support request points to a unit that does not cover its topic.",
    message=_msg(
        (
            "The request is about {topic}, but the unit {unit} it points to does not cover it.",
            "La demande porte sur {topic}, mais l'unité {unit} à laquelle elle renvoie ne "
            "couvre pas ce sujet.",
            "يتعلق الطلب بموضوع {topic}، غير أن الوحدة {unit} التي يحيل إليها لا تغطيه.",
        ),
        (
            "Point to a unit that covers the topic.",
            "Renvoyez à une unité qui couvre le sujet.",
            "أحِل إلى وحدة تغطي الموضوع.",
        ),
    ),
    needs={"training_units"},
)
def support_unit_off_topic(request: SupportRequest, ctx: Context) -> Iterator[Finding]:
    """Report a request pointing to a unit whose subjects do not include its topic."""
    if request.unit_id is None:
        return
    unit = _training(ctx).unit(request.unit_id)
    if unit is not None and request.topic not in unit.subjects:
        yield Finding("$.unit_id", {"topic": request.topic.value, "unit": unit.code})


@rule(
    "training.support_unit_missing",
    entity=SupportRequest,
    severity=Severity.WARNING,
    description="A support request points to no unit although one covers its topic.",
    message=_msg(
        (
            "The request points to no unit, but the unit {unit} covers its topic.",
            "La demande ne renvoie à aucune unité, mais l'unité {unit} couvre son sujet.",
            "لا يحيل الطلب إلى أي وحدة، بينما تغطي الوحدة {unit} موضوعه.",
        ),
        (
            "Point the user to the unit {unit}.",
            "Orientez l'utilisateur vers l'unité {unit}.",
            "وجّه المستعمل إلى الوحدة {unit}.",
        ),
    ),
    needs={"training_units"},
)
def support_unit_missing(request: SupportRequest, ctx: Context) -> Iterator[Finding]:
    """Report a request without a unit when a known unit covers its topic."""
    if request.unit_id is not None:
        return
    covering = units_covering(request.topic, _training(ctx).units())
    if covering:
        yield Finding("$.unit_id", {"unit": covering[0].code})


#: Every rule of the training programme, in order of code; the training plug-in's
#: ``wladna_rules()`` returns them.
TRAINING_RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        [
            attendance_in_future,
            attendance_outside_session,
            completion_before_session_end,
            completion_without_attendance,
            enrolment_duplicate,
            enrolment_over_capacity,
            enrolment_participant_unknown,
            enrolment_session_unknown,
            evaluation_before_session_end,
            evaluation_in_future,
            evaluation_not_enrolled,
            evaluation_session_unknown,
            material_checksum,
            material_file_missing,
            material_size,
            material_unknown,
            participant_body_unknown,
            phase_before_programme,
            phase_territory_unknown,
            phases_out_of_order,
            physical_unit_hybrid,
            physical_unit_remote,
            prerequisite_cycle,
            prerequisite_missing,
            prerequisite_unknown,
            rating_out_of_range,
            score_out_of_range,
            session_over_seats,
            session_site_missing,
            session_site_unknown,
            session_territory_unknown,
            session_unit_unknown,
            site_body_unknown,
            site_recorded_in_future,
            support_body_unknown,
            support_opened_in_future,
            support_unit_missing,
            support_unit_off_topic,
            support_unit_unknown,
            title_ar_not_arabic,
        ],
        key=lambda item: item.code,
    )
)


@functools.cache
def training_rules() -> RuleSet:
    """Return :data:`TRAINING_RULES` as a rule set, to pass to ``validate(..., rules=...)``.

    Combine it with the built-in rules with ``RuleSet.builtin().with_rules(TRAINING_RULES)``.
    """
    return RuleSet(TRAINING_RULES)
