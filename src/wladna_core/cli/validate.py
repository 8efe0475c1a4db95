"""``wladna validate FILE``: check a JSON Lines file, one output line per violation.

Each line is read by the converter (shape and invariants), then its record is checked by the
rules on a date, against the gazetteer and the records of the file's earlier lines: exactly what
``wladna import`` into an empty store would see, so a file that validates imports.  Only the
records, never the lines, are kept, for the rules' lookups.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, BinaryIO, Final

import attrs
import click
import msgspec

from wladna_core.cli.errors import DataError
from wladna_core.cli.jsonlines import (
    LineKinds,
    ParsedLine,
    Record,
    is_pseudonym,
    pseudonymised_file,
    read_lines,
    violation_json,
    violation_text,
)
from wladna_core.cli.options import DAY, lang_option
from wladna_core.cli.progress import progress
from wladna_core.errors import Severity, Violation
from wladna_core.messages import Message, Text, render
from wladna_core.model import Case, Child, Family, Referral, TerritorialBody
from wladna_core.plugins import gazetteer_from, kinds_from, make_plugin_manager, rules_from
from wladna_core.rules import NEEDS, Context, validate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wladna_core.model import Gazetteer, IdentifierScheme
    from wladna_core.rules import RuleSet

__all__ = ["DUPLICATE_ID", "FileContext", "validate_command"]

#: The message of a record whose id an earlier line of the file already has (the code is the
#: one a store refuses the second record with).
DUPLICATE_ID: Final = Message(
    message=Text(
        en="the {record_type} id {record_id} is already used on line {line}",
        fr="l'identifiant de {record_type} {record_id} est déjà utilisé à la ligne {line}",
        ar="المعرّف {record_id} من نوع {record_type} مستعمل من قبل في السطر {line}",
    ),
    remedy=Text(
        en="Give each record its own id, or keep only one version of the record in the file.",
        fr="Donnez à chaque enregistrement son propre identifiant, ou ne gardez qu'une version "
        "de l'enregistrement dans le fichier.",
        ar="أعطِ كل سجل معرّفًا خاصًا به، أو احتفظ بنسخة واحدة فقط من السجل في الملف.",
    ),
)


class FileContext(Context):
    """The rules' context of a file being read: the records of the lines read so far.

    Every need of :data:`~wladna_core.rules.context.NEEDS` is provided: the file is taken to
    be all there is, as when it is imported into an empty store.

    :param gazetteer: the territories.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        super().__init__(gazetteer=gazetteer)
        self._records: dict[type, dict[str, tuple[int, Record]]] = defaultdict(dict)
        self._by_identifier: dict[tuple[IdentifierScheme, str], list[Child]] = defaultdict(list)
        self._by_case: dict[str, list[Referral]] = defaultdict(list)

    def add(self, record: Record, line: int) -> int | None:
        """Count ``record``, read on ``line``, as known from now on.

        :param record: the record of the line.
        :param line: the line's number.
        :returns: the line of an earlier record of the same type and id, which is kept; else
            ``None``.
        """
        known = self._records[type(record)]
        earlier = known.get(record.id)
        if earlier is not None:
            return earlier[0]
        known[record.id] = (line, record)
        if isinstance(record, Child):
            for identifier in record.identifiers:
                self._by_identifier[(identifier.scheme, identifier.value)].append(record)
        elif isinstance(record, Referral):
            self._by_case[record.case_id].append(record)
        return None

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is one of :data:`~wladna_core.rules.context.NEEDS`."""
        return need in NEEDS

    def _get(self, kind: type[Record], record_id: str) -> object:
        found = self._records[kind].get(record_id)
        return None if found is None else found[1]

    def child(self, child_id: str) -> Child | None:
        """Return the child with this id, or ``None``."""
        found = self._get(Child, child_id)
        return found if isinstance(found, Child) else None

    def family(self, family_id: str) -> Family | None:
        """Return the family with this id, or ``None``."""
        found = self._get(Family, family_id)
        return found if isinstance(found, Family) else None

    def body(self, body_id: str) -> TerritorialBody | None:
        """Return the territorial body with this id, or ``None``."""
        found = self._get(TerritorialBody, body_id)
        return found if isinstance(found, TerritorialBody) else None

    def case(self, case_id: str) -> Case | None:
        """Return the case with this id, or ``None``."""
        found = self._get(Case, case_id)
        return found if isinstance(found, Case) else None

    def children_with_identifier(self, scheme: IdentifierScheme, value: str) -> Sequence[Child]:
        """Return the children carrying ``value`` in ``scheme``, in the order of the file."""
        return tuple(self._by_identifier.get((scheme, value), ()))

    def referrals_of_case(self, case_id: str) -> Sequence[Referral]:
        """Return the referrals of the case with this id, in the order of the file."""
        return tuple(self._by_case.get(case_id, ()))


def check_line(
    parsed: ParsedLine, context: FileContext, *, on: date, lang: str, rules: RuleSet
) -> list[Violation]:
    """Return every violation of one line: its shape, then the rules; remember its record.

    :param parsed: the line as read.
    :param context: the records of the earlier lines; the line's record is added to it.
    :param on: the date of validation.
    :param lang: the language of messages.
    :param rules: the rules to run.
    """
    if parsed.record is None or parsed.kind is None:
        return list(parsed.violations)
    record = parsed.record
    # A kind no rule checks (the review queue of duplicates) is checked for its shape only.
    checked = (
        validate(record, on=on, context=context, lang=lang, rules=rules)
        if rules.for_entity(type(record))
        else []
    )
    found = [
        attrs.evolve(violation, path="$.record" + violation.path.removeprefix("$"))
        for violation in checked
    ]
    earlier = context.add(record, parsed.number)
    if earlier is not None:
        params = {"record_type": parsed.kind, "record_id": record.id, "line": earlier}
        message, remedy = render(DUPLICATE_ID, lang, params)
        found.insert(0, Violation("store.id_taken", "$.record.id", message, remedy=remedy))
    return found


def _file_size(stream: BinaryIO) -> int | None:
    try:
        return stream.seek(0, 2) - stream.seek(0)
    except OSError:
        return None


@click.command("validate")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--on",
    "on",
    type=DAY,
    default=None,
    help="Date of validation, YYYY-MM-DD (ages, dates in the future).  [default: today]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: one JSON object per violation (for programs); text: one sentence each.",
)
@lang_option
def validate_command(*, file: BinaryIO, on: date | None, output_format: str, lang: str) -> None:
    """Check the records of FILE (JSON Lines; - for standard input) and list every violation.

    Each line is read as a record, then checked by the rules against the records of the
    lines before it, as an import into an empty store would check it.  One line per violation
    goes to standard output; a summary goes to standard error.  Exit status: 0 when no
    violation is an error (warnings may be listed), 1 when one is.
    """
    plugins = make_plugin_manager()
    rules = rules_from(plugins)
    context = FileContext(gazetteer_from(plugins))
    day = on if on is not None else date.today()  # noqa: DTZ011 (the user's "today")
    out = sys.stdout.buffer if output_format == "json" else None
    counts = {Severity.ERROR: 0, Severity.WARNING: 0}
    lines = 0
    with progress("validating", _file_size(file), unit="bytes") as bar:
        for text, parsed in read_lines(file, lang=lang, kinds=LineKinds(kinds_from(plugins))):
            bar.advance(len(text))
            lines += 1
            if parsed is None:
                continue
            if is_pseudonym(parsed.record_id):
                raise DataError(pseudonymised_file(file.name, parsed))
            for violation in check_line(parsed, context, on=day, lang=lang, rules=rules):
                counts[violation.severity] += 1
                if out is not None:
                    out.write(msgspec.json.encode(violation_json(parsed, violation)) + b"\n")
                else:
                    click.echo(violation_text(parsed, violation))
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    click.echo(
        f"wladna validate: {lines} lines read on {day.isoformat()}: "
        f"{errors} error(s), {warnings} warning(s)",
        err=True,
    )
    if out is not None:
        out.flush()
    if errors:
        raise click.exceptions.Exit(1)
