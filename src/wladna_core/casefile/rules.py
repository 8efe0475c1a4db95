"""Rules every kind of the case file shares: :func:`case_link_rules`.

A record of the case file names its case; the rules made here check, for one kind, that the
case exists (``<prefix>.case_unknown``) and, where the record has a date, that it falls neither
before the case was opened (``<prefix>.before_case_opened``) nor after the day of validation
(``<prefix>.in_future``).  Each kind's own rules (in its module) come beside them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import date

__all__ = ["case_link_rules"]


def _message(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


def case_link_rules(
    entity: type,
    prefix: str,
    *,
    label: str,
    dated: Callable[[object], date | None] | None = None,
    date_path: str = "$.on",
) -> tuple[Rule, ...]:
    """Return the rules linking records of ``entity`` to their case.

    :param entity: the record class (with ``case_id``).
    :param prefix: the prefix of the codes (``service``: ``service.case_unknown``...).
    :param label: what the record is, for people (``the service``), in English; the French and
        Arabic messages say "the record".
    :param dated: returns the record's date that must fall within the case's life and not
        after today; ``None`` for no date rules.
    :param date_path: the path of that date in the record.
    """

    def case_unknown(record: object, ctx: Context) -> Iterator[Finding]:
        case_id = getattr(record, "case_id", "")
        if ctx.case(case_id) is None:
            yield Finding("$.case_id", {"case_id": case_id})

    rules = [
        Rule(
            code=f"{prefix}.case_unknown",
            severity=Severity.ERROR,
            entity=entity,
            description=f"No case with the case_id of {label} is known.",
            message=_message(
                (
                    f"The case {{case_id}} of {label} is not known.",
                    "Le dossier {case_id} de l'enregistrement est inconnu.",
                    "الحالة {case_id} المرتبطة بهذا السجل غير معروفة.",
                ),
                (
                    "Correct the case's identifier, or open the case first.",
                    "Corrigez l'identifiant du dossier, ou ouvrez d'abord le dossier.",
                    "صحّح معرِّف الحالة، أو افتح الحالة أولاً.",
                ),
            ),
            check=case_unknown,
            needs=frozenset({"cases"}),
        )
    ]
    if dated is None:
        return tuple(rules)

    def before_opened(record: object, ctx: Context) -> Iterator[Finding]:
        on = dated(record)
        case = ctx.case(getattr(record, "case_id", ""))
        if on is not None and case is not None and on < case.opened_on:
            yield Finding(
                date_path, {"on": on.isoformat(), "opened_on": case.opened_on.isoformat()}
            )

    def in_future(record: object, ctx: Context) -> Iterator[Finding]:
        on = dated(record)
        if on is not None and on > ctx.on:
            yield Finding(date_path, {"on": on.isoformat(), "today": ctx.on.isoformat()})

    rules.append(
        Rule(
            code=f"{prefix}.before_case_opened",
            severity=Severity.ERROR,
            entity=entity,
            description=f"The date of {label} falls before its case was opened.",
            message=_message(
                (
                    f"The date of {label} ({{on}}) falls before its case was opened "
                    "({opened_on}).",
                    "La date de l'enregistrement ({on}) précède l'ouverture de son dossier "
                    "({opened_on}).",
                    "تاريخ هذا السجل ({on}) سابق لتاريخ فتح الحالة ({opened_on}).",
                ),
                (
                    "Correct the date, or the case's opening date.",
                    "Corrigez la date, ou la date d'ouverture du dossier.",
                    "صحّح التاريخ، أو تاريخ فتح الحالة.",
                ),
            ),
            check=before_opened,
            needs=frozenset({"cases"}),
        )
    )
    rules.append(
        Rule(
            code=f"{prefix}.in_future",
            severity=Severity.ERROR,
            entity=entity,
            description=f"The date of {label} is after the day of validation.",
            message=_message(
                (
                    f"The date of {label} ({{on}}) is in the future (today is {{today}}).",
                    "La date de l'enregistrement ({on}) est dans le futur (nous sommes le "
                    "{today}).",
                    "تاريخ هذا السجل ({on}) في المستقبل (اليوم هو {today}).",
                ),
                (
                    "Record what happened once it has happened, with its date.",
                    "Enregistrez ce qui s'est passé une fois que c'est arrivé, avec sa date.",
                    "سجّل ما حدث بعد وقوعه، مع تاريخه.",
                ),
            ),
            check=in_future,
        )
    )
    return tuple(rules)
