"""``wladna import`` and ``wladna export``: records in and out of a store, as JSON Lines.

An import streams its input and adds the records batch by batch, each batch in one unit of work:
a batch is stored whole or not at all, and a checkpoint (see :mod:`wladna_core.cli.checkpoint`)
lets ``--resume`` continue after the last committed batch.  Records are added in the order of
the file, each one seeing the records added before it, so the file must give the records a
record refers to first: bodies, children, families, cases, referrals, then the kinds the
plug-ins declare (the case file's, the training programme's, a partner's), the order in which
an export writes them (:func:`export_order`).

Both are audited, one entry per record, naming who acts (``--as``): an import writes an entry
:data:`IMPORT_ACTION` for each record it stores, in the unit of work that stores it; an export
writes an entry :data:`EXPORT_ACTION` (the action of
:meth:`CaseWork.export <wladna_core.services.CaseWork.export>`) for each record, committed
before the record is written out.  An export reads the store in one read-only unit of work: it
sees one state of the store and does not hold up the people writing to it.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

import attrs
import click
import msgspec

from wladna_core.access import Action
from wladna_core.audit import AuditDraft
from wladna_core.cli.checkpoint import SUFFIX, Checkpoint, Position, Probe, skip_committed
from wladna_core.cli.errors import CheckpointError, DataError, UnusableFile
from wladna_core.cli.jsonlines import (
    KIND_ORDER,
    LineKinds,
    ParsedLine,
    Record,
    encode_line,
    is_pseudonym,
    kind_of,
    pseudonymised_file,
    read_lines,
    violation_text,
)
from wladna_core.cli.options import actor_option, db_option, lang_option
from wladna_core.cli.output import output_file
from wladna_core.cli.progress import Progress, progress
from wladna_core.cli.stores import open_existing, open_lasting
from wladna_core.errors import InvalidRecord, Violation
from wladna_core.model import Case, Child, Family, Referral, TerritorialBody
from wladna_core.reporting.pseudonyms import Pseudonymiser, pseudonymise_record
from wladna_core.rules import record_label
from wladna_core.storage import NotFound, Store
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from wladna_core.storage import Repository, UnitOfWork
    from wladna_core.storage.kinds import KindRegistry, RecordKind

__all__ = [
    "EXPORT_ACTION",
    "EXPORT_BATCH",
    "IMPORT_ACTION",
    "Importer",
    "audit_drafts",
    "export_command",
    "export_order",
    "import_command",
]

#: Records read from the store, and audited, at a time while exporting.
EXPORT_BATCH: Final = 500
#: The audit trail's action for a record stored by ``wladna import``.
IMPORT_ACTION: Final = "record.import"
#: The audit trail's action for a record written out by ``wladna export``: the same as
#: :meth:`CaseWork.export <wladna_core.services.CaseWork.export>` writes.
EXPORT_ACTION: Final = Action.REPORT_EXPORT.value


def audit_drafts(actor: str, action: str, records: Iterable[Any], detail: str) -> list[AuditDraft]:
    """Return one audit draft per record: ``actor`` did ``action`` to it, at its version.

    :param actor: who acts (``--as``).
    :param action: :data:`IMPORT_ACTION` or :data:`EXPORT_ACTION`.
    :param records: the records acted on, as stored.
    :param detail: the command, e.g. ``wladna import``; never personal data.
    """
    return [
        AuditDraft(actor, action, type(record).__name__, record.id, record.version, detail=detail)
        for record in records
    ]


_Batch = list[tuple[bytes, ParsedLine | None]]


def _batches(lines: Iterable[tuple[bytes, ParsedLine | None]], size: int) -> Iterator[_Batch]:
    """Group lines so that each group holds ``size`` records (blank lines ride along)."""
    batch: _Batch = []
    records = 0
    for text, parsed in lines:
        batch.append((text, parsed))
        records += parsed is not None
        if records == size:
            yield batch
            batch, records = [], 0
    if batch:
        yield batch


def _probe(parsed: Sequence[ParsedLine]) -> Probe | None:
    """Return the probe of a batch: its first record, or ``None`` if it holds none."""
    for line in parsed:
        if line.kind is not None and line.record is not None:
            return Probe(line.kind, line.record.id)
    return None


def _line_span(position: Position, batch: Sequence[object]) -> str:
    first, last = position.lines + 1, position.lines + len(batch)
    return f"line {first}" if first == last else f"lines {first}-{last}"


@attrs.define
class Importer:
    """Adds the records of one input to a store, batch after batch, keeping the checkpoint.

    :param store: the store to add to.
    :param name: the input's name, for messages (``-`` for standard input).
    :param checkpoint_path: where the checkpoint is kept, or ``None`` to keep none.
    :param position: where the committed part of the input ends.
    :param actor: who imports, as the audit trail names them.
    :param show_warnings: write each warning of the records stored to stderr.
    """

    store: Store
    name: str
    checkpoint_path: Path | None
    position: Position
    actor: str = attrs.field(kw_only=True)
    show_warnings: bool = attrs.field(default=False, kw_only=True)
    records: int = 0
    batches: int = 0
    warnings: int = 0
    kinds: LineKinds = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.kinds = LineKinds(self.store.kinds)

    def _save(self, pending: Position | None = None, probe: Probe | None = None) -> None:
        if self.checkpoint_path is not None:
            url = redact_url(self.store.url)
            Checkpoint(self.name, url, self.position, pending, probe).save(self.checkpoint_path)

    def run(self, stream: BinaryIO, *, batch_size: int, lang: str, bar: Progress) -> None:
        """Import the lines of ``stream`` after :attr:`position`, where ``stream`` stands.

        :param stream: the input, just after its committed part.
        :param batch_size: how many records each unit of work adds.
        :param lang: the language of the messages of lines refused before reaching the store.
        :param bar: the progress bar, advanced by bytes.
        :raises DataError: when a batch is refused; the earlier batches stay committed.
        """
        digest = skip_committed(stream, self.position, self.name)
        bar.advance(self.position.size)
        lines = read_lines(
            stream, first_number=self.position.lines + 1, lang=lang, kinds=self.kinds
        )
        for batch in _batches(lines, batch_size):
            parsed = [line for _, line in batch if line is not None]
            pseudonymised = next((line for line in parsed if is_pseudonym(line.record_id)), None)
            if pseudonymised is not None:
                raise DataError(pseudonymised_file(self.name, pseudonymised))
            refused = [(line, found) for line in parsed for found in line.violations]
            if refused:
                raise DataError(self._refusal(batch, refused))
            after = self.position.after((text for text, _ in batch), digest)
            self._save(after, _probe(parsed))
            try:
                cautions = self._commit(parsed)
            except InvalidRecord as error:
                self._save()
                refusals = self._lines_of(parsed, error.violations)
                raise DataError(self._refusal(batch, refusals)) from None
            self._warn(cautions)
            self.position = after
            self._save()
            self.batches += 1
            self.records += len(parsed)
            bar.advance(sum(len(text) for text, _ in batch))

    def _commit(self, parsed: Sequence[ParsedLine]) -> list[tuple[ParsedLine | None, Violation]]:
        """Store the records of ``parsed`` and their audit entries in one unit of work.

        :returns: the warnings the store gave, with their lines.
        """
        if not parsed:
            return []
        with self.store.unit_of_work() as uow:
            stored: list[Any] = []
            for kind, run in itertools.groupby(parsed, key=lambda line: line.kind):
                record_class = self.kinds.record_class(kind or "")
                assert record_class is not None  # lines with violations never get here
                # Imported records are new to this store: they start again at version 1.
                stored.extend(
                    uow.repository(record_class).add_many(
                        attrs.evolve(line.record, version=0)
                        for line in run
                        if line.record is not None
                    )
                )
            drafts = audit_drafts(self.actor, IMPORT_ACTION, stored, "wladna import")
            uow.audit.append(drafts, at=datetime.now(UTC))
            return self._lines_of(parsed, uow.warnings)

    def _warn(self, cautions: Sequence[tuple[ParsedLine | None, Violation]]) -> None:
        self.warnings += len(cautions)
        if self.show_warnings:
            for line, violation in cautions:
                click.echo(_problem_text(line, violation), err=True)

    @staticmethod
    def _lines_of(
        parsed: Sequence[ParsedLine], violations: Iterable[Violation]
    ) -> list[tuple[ParsedLine | None, Violation]]:
        by_label = {record_label(line.record): line for line in parsed}
        found: list[tuple[ParsedLine | None, Violation]] = []
        for violation in violations:
            line = by_label.get(violation.record or "")
            path = "$.record" + violation.path.removeprefix("$")
            found.append((line, attrs.evolve(violation, path=path)))
        return found

    def _refusal(
        self, batch: Sequence[object], refused: Sequence[tuple[ParsedLine | None, Violation]]
    ) -> str:
        span = _line_span(self.position, batch)
        problems = "\n".join("  " + _problem_text(line, violation) for line, violation in refused)
        stored = (
            f"lines 1-{self.position.lines} are stored"
            if self.position.lines
            else "nothing of the file is stored"
        )
        resume = (
            f"then run wladna import {self.name} --resume with the same --db"
            if self.checkpoint_path is not None
            else "then import the lines after them"
        )
        return (
            f"the batch of {span} of {self.name} was refused, and nothing of it was stored:\n"
            f"{problems}\n{stored}. Mend the lines above, {resume}."
        )

    def settle_pending(self, checkpoint: Checkpoint) -> None:
        """Learn whether the batch a checkpoint was committing got committed, and move on.

        :param checkpoint: the checkpoint read when resuming.
        """
        if checkpoint.pending is None:
            return
        probe = checkpoint.probe
        if probe is None or self._stored(probe):
            self.position = checkpoint.pending
        self._save()

    def _stored(self, probe: Probe) -> bool:
        record_class = self.kinds.record_class(probe.type)
        if record_class is None:
            return False
        with self.store.unit_of_work(read_only=True) as uow:
            try:
                uow.repository(record_class).get(probe.id)
            except NotFound:
                return False
        return True


def _problem_text(line: ParsedLine | None, violation: Violation) -> str:
    if line is not None:
        return violation_text(line, violation)
    return f"{violation.severity.value}: {violation}"


def _start(
    checkpoint_path: Path | None, db: str, *, resume: bool
) -> tuple[Position, Checkpoint | None]:
    """Return where the import starts, checking the checkpoint against the options."""
    exists = checkpoint_path is not None and checkpoint_path.exists()
    if not resume:
        if exists:
            msg = (
                f"an unfinished import left the checkpoint {checkpoint_path}: continue it with "
                "--resume, or delete the checkpoint to import from the first line (records "
                "already imported would then be refused as store.id_taken)"
            )
            raise CheckpointError(msg)
        return Position.start(), None
    if not exists or checkpoint_path is None:
        click.echo(
            f"wladna import: no checkpoint {checkpoint_path}: importing from the first line",
            err=True,
        )
        return Position.start(), None
    checkpoint = Checkpoint.load(checkpoint_path)
    if checkpoint.store != redact_url(db):
        msg = (
            f"the checkpoint {checkpoint_path} is of an import into {checkpoint.store}, not "
            f"{redact_url(db)}: resume with --db naming that store, or give another --checkpoint"
        )
        raise CheckpointError(msg)
    return checkpoint.committed, checkpoint


def _input_size(name: str) -> int | None:
    return None if name == "-" else Path(name).stat().st_size


@click.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=str)
)
@db_option
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Records per batch; each batch is stored whole or not at all.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted or refused import after its last committed batch.",
)
@click.option(
    "--checkpoint",
    "checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Where to keep the checkpoint.  [default: FILE{SUFFIX}; none for standard input]",
)
@click.option(
    "--show-warnings",
    is_flag=True,
    help="Write each warning of the records stored to standard error, with its line.",
)
@actor_option
@lang_option
def import_command(
    *,
    file: str,
    db: str,
    batch_size: int,
    resume: bool,
    checkpoint: Path | None,
    show_warnings: bool,
    actor: str,
    lang: str,
) -> None:
    """Add the records of FILE (JSON Lines; - for standard input) to the store.

    Records are added in the order of the file, in batches: each batch is stored whole or
    refused whole, with every problem named (line, record, code, path, remedy); the import
    then stops with exit status 1, and the earlier batches stay.  Give the records a record
    refers to first (bodies, children, families, cases, referrals), as export writes them.
    Each record stored is written to the audit trail, in the name given by --as.
    """
    checkpoint_path = checkpoint
    if checkpoint_path is None and file != "-":
        checkpoint_path = Path(file + SUFFIX)
    if resume and checkpoint_path is None:
        msg = "--resume needs --checkpoint PATH when the input is standard input"
        raise click.UsageError(msg)
    if checkpoint_path is not None and not checkpoint_path.parent.is_dir():
        folder = str(checkpoint_path.parent)
        raise UnusableFile(FileNotFoundError(2, "no such directory for the checkpoint", folder))
    position, found = _start(checkpoint_path, db, resume=resume)
    with contextlib.ExitStack() as stack:
        stream = sys.stdin.buffer if file == "-" else stack.enter_context(_open_input(file))
        store = stack.enter_context(open_lasting(db))
        importer = Importer(
            store, file, checkpoint_path, position, actor=actor, show_warnings=show_warnings
        )
        if found is not None:
            importer.settle_pending(found)
        with progress("importing", _input_size(file), unit="bytes") as bar:
            importer.run(stream, batch_size=batch_size, lang=lang, bar=bar)
    if checkpoint_path is not None:
        checkpoint_path.unlink(missing_ok=True)
    listed = ""
    if importer.warnings:
        listed = " (listed above)" if show_warnings else " (--show-warnings lists them)"
    click.echo(
        f"wladna import: {importer.records} records stored from {file} into "
        f"{redact_url(db)} in {importer.batches} batch(es); {importer.warnings} "
        f"warning(s){listed}",
        err=True,
    )


def _open_input(name: str) -> BinaryIO:
    """Open the input file, or refuse it as a file the command line cannot use."""
    try:
        return Path(name).open("rb")
    except OSError as error:
        raise UnusableFile(error) from None


def _in_import_order(
    repository: Repository[Any], self_referring: RecordKind[Any] | None = None
) -> Iterator[Any]:
    """Yield the records of ``repository`` in an order an import accepts.

    In order of id, except that a record comes after those of its own kind it refers to: a
    body after the committee it is the secretariat of; for ``self_referring`` (a kind whose
    records refer to others of their kind, read through its ``references``), every record
    after those it refers to, the kind's records being read whole to order them.
    """
    if repository.record_type is TerritorialBody:
        for naming in (False, True):
            for body in repository.iter(batch_size=EXPORT_BATCH):
                if (body.secretariat_of is not None) is naming:
                    yield body
        return
    if self_referring is None:
        yield from repository.iter(batch_size=EXPORT_BATCH)
        return
    records = {record.id: record for record in repository.iter(batch_size=EXPORT_BATCH)}
    done: set[str] = set()
    started: set[str] = set()  # a cycle (which the rules refuse) is written in order of id

    def after_its_own(record: Any) -> Iterator[Any]:
        stack = [(record, False)]
        while stack:
            item, expanded = stack.pop()
            if expanded:
                done.add(item.id)
                yield item
                continue
            if item.id in started:
                continue
            started.add(item.id)
            stack.append((item, True))
            for other, other_id in reversed(list(self_referring.references(item))):
                if other is repository.record_type and other_id in records:
                    stack.append((records[other_id], False))

    for record_id in sorted(records):
        yield from after_its_own(records[record_id])


def _reported(reading: UnitOfWork) -> Callable[[Record], bool]:
    """Return what a pseudonymised export carries: what the cases consenting to reporting name.

    A pseudonymised export is data for reporting beyond the body (``docs/consent.md``): a case
    is in it only with consent to reporting, and a child, household or referral only through
    such a case.  Bodies are not personal data and are all carried.
    """
    cases: set[str] = set()
    named: set[str] = set()
    for case in reading.cases.iter(batch_size=EXPORT_BATCH):
        if case.consent is not None and case.consent.reporting:
            cases.add(case.id)
            named.update(filter(None, (case.child_id, case.family_id)))

    def carried(record: Record) -> bool:
        if isinstance(record, Case):
            return record.id in cases
        if isinstance(record, Referral):
            return record.case_id in cases
        if isinstance(record, Child | Family):
            return record.id in named
        return True

    return carried


def _pseudonymised(key_file: Path) -> Callable[[Record], bytes]:
    """Return how a record is written by ``export --pseudonymise`` with the key of ``key_file``."""
    pseudonymiser = Pseudonymiser.from_key_file(key_file)

    def encode(record: Record) -> bytes:
        line = {"type": str(kind_of(record)), "record": pseudonymise_record(record, pseudonymiser)}
        return msgspec.json.encode(line) + b"\n"

    return encode


def export_order(
    reading: UnitOfWork, kinds: LineKinds, registry: KindRegistry
) -> tuple[list[str], set[str]]:
    """Return every kind of ``kinds`` in an order in which its records import into a store.

    The five kinds of the information base first (:data:`KIND_ORDER`); then the others, each
    after the kinds its records refer to (read from the records themselves, through each
    kind's ``references``), else in the order the registry declares them.  Also return the
    kinds whose records refer to others of their own kind (a unit's prerequisites), whose
    records are written in an order of their own (:func:`_in_import_order`).

    :param reading: a unit of work of the store.
    :param kinds: the kinds of the store, by their line names.
    :param registry: the kinds of the store (``store.kinds``).
    """
    core = [kind.value for kind in KIND_ORDER]
    others = [name for name in kinds.names if name not in core]
    needs: dict[str, set[str]] = {}
    own: set[str] = set()
    for name in others:
        record_class = kinds.record_class(name)
        assert record_class is not None
        declared = registry[record_class]
        found: set[str] = set()
        repository: Repository[Any] = reading.repository(record_class)
        for record in repository.iter(batch_size=EXPORT_BATCH):
            for other, other_id in declared.references(record):
                other_name = kinds.name_of_class(other)
                if other_id is not None and other_name in others:
                    found.add(other_name)
        needs[name] = found - {name}
        if name in found:
            own.add(name)
    order, placed = list(core), set(core)
    waiting = list(others)
    while waiting:
        # A kind whose records refer to none still waiting; in a cycle, the first declared.
        ready = next((name for name in waiting if needs[name] <= placed), waiting[0])
        order.append(ready)
        placed.add(ready)
        waiting.remove(ready)
    return order, own


#: The kinds a pseudonymised export may carry: those the pseudonymiser knows how to treat.
PSEUDONYMISED_KINDS: Final = tuple(kind.value for kind in KIND_ORDER)


def _selected(
    kinds: LineKinds, registry: KindRegistry, asked: Sequence[str], *, pseudonymise: bool
) -> set[str]:
    """Return the kinds to export, refusing a name the store does not keep or never exports."""
    exported = [name for name in kinds.names if registry.named(name).exported]
    unknown = [name for name in asked if kinds.record_class(name) is None]
    if unknown:
        msg = (
            f"the store keeps no kind of record named {', '.join(map(repr, unknown))}: "
            f"use --type with one of {', '.join(exported)}"
        )
        raise click.UsageError(msg)
    kept = [name for name in asked if name not in exported]
    if kept:
        msg = (
            f"{', '.join(kept)} records never leave the store in a file (they are the most "
            "sensitive); to move a whole store, with them, to another, use wladna db copy"
        )
        raise click.UsageError(msg)
    if pseudonymise:
        beyond = [name for name in asked if name not in PSEUDONYMISED_KINDS]
        if beyond:
            msg = (
                f"--pseudonymise writes only the kinds {', '.join(PSEUDONYMISED_KINDS)}; "
                f"{', '.join(beyond)} cannot be pseudonymised (the case file and the training "
                "records are not for analysis beyond the body)"
            )
            raise click.UsageError(msg)
        return set(asked or PSEUDONYMISED_KINDS)
    return set(asked or exported)


@click.command("export")
@db_option
@click.option(
    "--type",
    "kinds",
    metavar="KIND",
    multiple=True,
    help=(
        "Export only records of this kind (body, child, family, case, referral, or a kind a "
        "plug-in declares, such as care_arrangement); repeat for several.  [default: all]"
    ),
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default="-",
    show_default=True,
    help="The file to write; - for standard output.  A file appears only when complete.",
)
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace ids by keyed-hash pseudonyms and drop direct identifiers (needs --key-file).",
)
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="File holding the deployment's pseudonym key, in hexadecimal.",
)
@actor_option
def export_command(
    *,
    db: str,
    kinds: tuple[str, ...],
    output: str,
    pseudonymise: bool,
    key_file: Path | None,
    actor: str,
) -> None:
    """Write the store's records as JSON Lines: every kind of record it keeps but incidents.

    Bodies, children, families, cases, referrals, then the kinds the plug-ins declare (the
    case file, the training programme, a partner's), each after the kinds it refers to and in
    order of id (a CAPE after the committees, since it names the one it serves), so that the
    output imports into an empty store.  Incidents of violence never leave in a file:
    wladna db copy moves a whole store, with them, to another.
    With --pseudonymise the output is for analysis: it joins up, names no one, and cannot be
    imported; it carries only bodies, children, families, cases and referrals, and of those
    only the cases whose consent includes reporting, with their children, households and
    referrals (and every body).  Each record written out is first written to the audit trail,
    in the name given by --as.  A store that does not exist is refused, never created.
    """
    if pseudonymise != (key_file is not None):
        msg = "--pseudonymise and --key-file go together: give both, or neither"
        raise click.UsageError(msg)
    encode = _pseudonymised(key_file) if key_file is not None else None
    detail = "wladna export --pseudonymise" if pseudonymise else "wladna export"
    written = 0
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(open_existing(db))
        line_kinds = LineKinds(store.kinds)
        wanted = _selected(line_kinds, store.kinds, kinds, pseudonymise=pseudonymise)
        # One read-only unit of work: one state of the store, and writers are not held up.
        reading = stack.enter_context(store.unit_of_work(read_only=True))
        order, own = export_order(reading, line_kinds, store.kinds)
        selected = [name for name in order if name in wanted]
        out = stack.enter_context(output_file(output))
        classes = [line_kinds.record_class(name) for name in selected]
        repositories: list[Repository[Any]] = [
            reading.repository(cls) for cls in classes if cls is not None
        ]
        carried = _reported(reading) if pseudonymise else None
        total = sum(repository.count() for repository in repositories)
        with progress("exporting", total) as bar:
            for name, repository in zip(selected, repositories, strict=True):
                bar.describe(f"exporting {name} records")
                records = _in_import_order(
                    repository, store.kinds[repository.record_type] if name in own else None
                )
                while read := list(itertools.islice(records, EXPORT_BATCH)):
                    bar.advance(len(read))
                    batch = read if carried is None else [r for r in read if carried(r)]
                    if not batch:
                        continue
                    # Audited before a record leaves: a failure here writes none of them.
                    drafts = audit_drafts(actor, EXPORT_ACTION, batch, detail)
                    with store.unit_of_work() as uow:
                        uow.audit.append(drafts, at=datetime.now(UTC))
                    for record in batch:
                        out.write(
                            encode(record)
                            if encode is not None
                            else encode_line(record, line_kinds)
                        )
                    written += len(batch)
    click.echo(f"wladna export: {written} records written from {redact_url(db)}", err=True)
