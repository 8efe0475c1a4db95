"""The educational bag: a session's or a participant's materials, exported as a BagIt package.

A bag is assembled from the units of a session (:func:`session_bag`) or of every session a
participant is enrolled in (:func:`participant_bag`): the materials of each unit, in the order
of the units and of each unit's materials, each once.  :func:`export_bag` writes it as a BagIt
package (RFC 8493) with the `bagit <https://pypi.org/project/bagit/>`_ library of the Library of
Congress: the files under ``data/materials/``, an ``data/index.csv`` describing each, and a
SHA-256 manifest that a receiver checks with any BagIt tool, or with :func:`verify_bag`, which
names each file changed, missing or unexpected.

Before a file goes into the bag it is compared with its record (size and SHA-256,
:func:`~wladna_core.training.rules.check_material_file`): a bag never carries a file other than
the one its record describes.  The package is written beside the target and moved into place
once complete, so that no half-written bag is ever found at the target.

A participant's bag holds the materials only: nothing in it names the participant.
"""

from __future__ import annotations

import csv
import enum
import mimetypes
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import attrs
import bagit  # type: ignore[import-untyped]  # bagit ships no type information

from wladna_core.errors import WladnaError
from wladna_core.training._files import file_digest
from wladna_core.training.rules import check_material_file
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import date

    from wladna_core.errors import Violation
    from wladna_core.training.sessions import Enrolment, TrainingSession

__all__ = [
    "BagExportError",
    "BagProblem",
    "BagProblemKind",
    "BagReport",
    "EducationalBag",
    "IncompleteBag",
    "MaterialUnavailable",
    "export_bag",
    "material_path",
    "participant_bag",
    "session_bag",
    "verify_bag",
]

#: The digest algorithm of the bags' manifests, the one of the materials' records.
MANIFEST_ALGORITHM: Final = "sha256"
_SUFFIX: Final = re.compile(r"\.[A-Za-z0-9]{1,10}")
_INDEX_FIELDS: Final = (
    "file",
    "material_id",
    "title",
    "kind",
    "language",
    "edition",
    "media_type",
    "size",
    "sha256",
    "units",
)


class IncompleteBag(WladnaError, LookupError):
    """A bag cannot be assembled: some of its units or materials are not known.

    :param missing_units: ids of the units not found.
    :param missing_materials: ids of the materials not found.
    """

    def __init__(self, missing_units: Iterable[str], missing_materials: Iterable[str]) -> None:
        self.missing_units = tuple(missing_units)
        self.missing_materials = tuple(missing_materials)
        parts = []
        if self.missing_units:
            parts.append(f"units not found: {', '.join(self.missing_units)}")
        if self.missing_materials:
            parts.append(f"materials not found: {', '.join(self.missing_materials)}")
        super().__init__(
            f"the educational bag is incomplete ({'; '.join(parts)}); record them, or remove "
            "them from the units and sessions that name them"
        )

    def __reduce__(self) -> tuple[type[IncompleteBag], tuple[tuple[str, ...], tuple[str, ...]]]:
        return (type(self), (self.missing_units, self.missing_materials))


class MaterialUnavailable(WladnaError, LookupError):
    """A material's file cannot be reached from its location.

    :param material_id: the material.
    :param location: where it is said to live.
    :param reason: why it cannot be read from there.
    """

    def __init__(self, material_id: str, location: str, reason: str) -> None:
        self.material_id = material_id
        self.location = location
        self.reason = reason
        super().__init__(
            f"the file of material {material_id} cannot be read from {location!r}: {reason}; "
            "give export_bag a resolve function that fetches it, or copy it to a local file"
        )

    def __reduce__(self) -> tuple[type[MaterialUnavailable], tuple[str, str, str]]:
        return (type(self), (self.material_id, self.location, self.reason))


class BagExportError(WladnaError, ValueError):
    """A bag was not exported because some files are not those their records describe.

    :param violations: one per problem (``training.material_file_missing``,
        ``training.material_size``, ``training.material_checksum``), each naming the material.

    Nothing is left at the target when it is raised.
    """

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations = tuple(violations)
        lines = [f"the bag was not exported: {len(self.violations)} problem(s)"]
        lines.extend(f"  - {violation}" for violation in self.violations)
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[BagExportError], tuple[tuple[Violation, ...]]]:
        return (type(self), (self.violations,))


@attrs.frozen
class EducationalBag:
    """The materials of some units, in the order of the course.

    :param title: what the bag is, written into the package's ``bag-info.txt``.
    :param unit_ids: the units whose materials it holds, in order.
    :param materials: the materials, in the order of the units, each once.
    :param units_of: for each material id, the codes of the units that use it.
    """

    title: str
    unit_ids: tuple[str, ...]
    materials: tuple[Material, ...]
    units_of: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def unit_codes(self, material_id: str) -> tuple[str, ...]:
        """Return the codes of the units of this bag that use the material ``material_id``."""
        return dict(self.units_of).get(material_id, ())


def _assemble(
    title: str,
    unit_ids: Iterable[str],
    units: Iterable[TrainingUnit],
    materials: Iterable[Material],
) -> EducationalBag:
    unit_by_id = {unit.id: unit for unit in units}
    material_by_id = {material.id: material for material in materials}
    ordered_units = list(dict.fromkeys(unit_ids))
    missing_units = [unit_id for unit_id in ordered_units if unit_id not in unit_by_id]
    chosen: dict[str, Material] = {}
    users: dict[str, list[str]] = {}
    missing_materials: list[str] = []
    for unit_id in ordered_units:
        unit = unit_by_id.get(unit_id)
        if unit is None:
            continue
        for material_id in unit.materials:
            material = material_by_id.get(material_id)
            if material is None:
                if material_id not in missing_materials:
                    missing_materials.append(material_id)
                continue
            chosen.setdefault(material_id, material)
            users.setdefault(material_id, []).append(unit.code)
    if missing_units or missing_materials:
        raise IncompleteBag(missing_units, missing_materials)
    return EducationalBag(
        title=title,
        unit_ids=tuple(ordered_units),
        materials=tuple(chosen.values()),
        units_of=tuple((key, tuple(codes)) for key, codes in users.items()),
    )


def session_bag(
    session: TrainingSession, units: Iterable[TrainingUnit], materials: Iterable[Material]
) -> EducationalBag:
    """Assemble the bag of a session: the materials of its units.

    :raises IncompleteBag: when a unit of the session or a material of a unit is not given.
    """
    unit_list = list(units)
    codes = {unit.id: unit.code for unit in unit_list}
    title = "Educational bag: " + ", ".join(codes.get(uid, uid) for uid in session.units)
    return _assemble(title, session.units, unit_list, materials)


def participant_bag(
    participant_id: str,
    enrolments: Iterable[Enrolment],
    sessions: Iterable[TrainingSession],
    units: Iterable[TrainingUnit],
    materials: Iterable[Material],
) -> EducationalBag:
    """Assemble a participant's bag: the materials of every session they are enrolled in.

    Sessions are taken in order of their first day (then id); the bag's title names the units,
    never the participant.

    :raises IncompleteBag: when one of those sessions, units or materials is not given (a
        session not given is reported among the missing units, by its id).
    """
    session_by_id = {session.id: session for session in sessions}
    mine = sorted({item.session_id for item in enrolments if item.participant_id == participant_id})
    missing = [session_id for session_id in mine if session_id not in session_by_id]
    if missing:
        raise IncompleteBag(missing, ())
    ordered = sorted((session_by_id[sid] for sid in mine), key=lambda s: (s.first_day, s.id))
    unit_ids = [unit_id for session in ordered for unit_id in session.units]
    unit_list = list(units)
    codes = {unit.id: unit.code for unit in unit_list}
    unique = list(dict.fromkeys(unit_ids))
    title = "Educational bag: " + ", ".join(codes.get(uid, uid) for uid in unique)
    return _assemble(title, unique, unit_list, materials)


def material_path(material: Material) -> Path:
    """Return the local file of a material whose location is a ``file:`` URI.

    :raises MaterialUnavailable: for any other scheme, or a ``file:`` URI of another host.
    """
    parts = urlsplit(material.location)
    if parts.scheme.lower() != "file":
        raise MaterialUnavailable(
            material.id, material.location, f"the {parts.scheme!r} scheme is not read here"
        )
    if parts.netloc not in ("", "localhost"):
        raise MaterialUnavailable(
            material.id, material.location, f"the file is on another host ({parts.netloc})"
        )
    return Path(url2pathname(unquote(parts.path)))


def _file_name(index: int, material: Material) -> str:
    suffix = PurePosixPath(urlsplit(material.location).path).suffix
    if not _SUFFIX.fullmatch(suffix):
        suffix = mimetypes.guess_extension(material.media_type, strict=False) or ""
    # Ids and a checked suffix only: no name from outside decides where a file goes.
    return f"{index:03d}-{material.id}{suffix if _SUFFIX.fullmatch(suffix) else ''}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def export_bag(
    bag: EducationalBag,
    target: Path | str,
    *,
    on: date,
    resolve: Callable[[Material], Path] = material_path,
    organisation: str | None = None,
    lang: str = "en",
) -> Path:
    """Write ``bag`` as a BagIt package in the new directory ``target``.

    :param bag: the bag to export.
    :param target: the directory to create; it must not exist yet.
    :param on: the date written as the package's ``Bagging-Date``.
    :param resolve: where to read each material's file; :func:`material_path` (``file:`` URIs)
        by default.
    :param organisation: written as the package's ``Source-Organization``.
    :param lang: the language of the violations of a :class:`BagExportError`.
    :returns: the path of the package.
    :raises FileExistsError: when ``target`` exists.
    :raises MaterialUnavailable: when a material's file cannot be reached.
    :raises BagExportError: when a file is not the one its record describes.
    """
    target = Path(target)
    if target.exists():
        msg = f"{target} exists; export the bag to a new directory"
        raise FileExistsError(msg)
    sources = [(material, resolve(material)) for material in bag.materials]
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        _write_payload(bag, sources, staging, lang)
        info = {"Bagging-Date": on.isoformat(), "External-Description": _one_line(bag.title)}
        if organisation:
            info["Source-Organization"] = _one_line(organisation)
        bagit.make_bag(str(staging), info, checksums=[MANIFEST_ALGORITHM])
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_payload(
    bag: EducationalBag, sources: list[tuple[Material, Path]], staging: Path, lang: str
) -> None:
    folder = staging / "materials"
    folder.mkdir()
    rows: list[dict[str, Any]] = []
    problems: list[Violation] = []
    for index, (material, source) in enumerate(sources, start=1):
        name = _file_name(index, material)
        copy = folder / name
        try:
            shutil.copyfile(source, copy)
        except OSError:
            problems.extend(check_material_file(material, source, lang=lang))
            continue
        # The copy is what the bag carries: it is the copy that must match the record.
        problems.extend(check_material_file(material, copy, lang=lang))
        rows.append(
            {
                "file": f"materials/{name}",
                "material_id": material.id,
                "title": _one_line(material.title),
                "kind": material.kind.value,
                "language": material.language,
                "edition": material.edition,
                "media_type": material.media_type,
                "size": material.size,
                "sha256": material.sha256,
                "units": " ".join(bag.unit_codes(material.id)),
            }
        )
    if problems:
        raise BagExportError(problems)
    with (staging / "index.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=_INDEX_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


class BagProblemKind(enum.StrEnum):
    """What is wrong with a file of a received bag."""

    #: The file's bytes do not match the manifest.
    CHANGED = "changed"
    #: The manifest lists a file that is not there.
    MISSING = "missing"
    #: A file is in the payload but not in the manifest.
    UNEXPECTED = "unexpected"
    #: The package itself is not a valid bag (no ``bagit.txt``, a malformed manifest...).
    INVALID = "invalid"


@attrs.frozen
class BagProblem:
    """One problem of a received bag: which file (relative to the bag), and what."""

    kind: BagProblemKind
    path: str
    detail: str


@attrs.frozen
class BagReport:
    """What :func:`verify_bag` found: no problem means the bag is intact."""

    path: str
    problems: tuple[BagProblem, ...]

    @property
    def valid(self) -> bool:
        """Whether the bag is intact and complete."""
        return not self.problems


def verify_bag(path: Path | str, materials: Iterable[Material] = ()) -> BagReport:
    """Check a BagIt package against its manifests; name each file changed, missing or unexpected.

    Every file of every manifest (payload and tag files) is read and its digests recomputed;
    then ``bagit`` validates the package as a whole, so that what it finds beyond single files
    (a malformed ``bagit.txt``, a wrong ``Payload-Oxum``) is reported too.

    :param materials: records of materials the receiver already holds.  A manifest only says
        that the files are those the sender packed; whoever can change a file can also write
        the manifests again.  Each material given is looked up in the bag's ``index.csv`` and
        its file compared with the record's SHA-256: a material absent from the bag is
        ``missing``, a file that is not the recorded one is ``changed``.
    """
    root = Path(path)
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as error:
        return BagReport(str(root), (BagProblem(BagProblemKind.INVALID, "", str(error)),))
    problems: list[BagProblem] = []
    only_in_manifests, only_on_disk = bag.compare_manifests_with_fs()
    seen_missing: set[str] = set()
    for name in sorted(only_in_manifests):
        problems.append(BagProblem(BagProblemKind.MISSING, name, "listed in the manifest"))
        seen_missing.add(name)
    problems.extend(
        BagProblem(BagProblemKind.UNEXPECTED, name, "not listed in the manifest")
        for name in sorted(only_on_disk)
    )
    entries: dict[str, dict[str, str]] = bag.entries
    for name in sorted(entries):
        problems.extend(_entry_problems(root, name, entries[name], seen_missing))
    problems.extend(_record_problems(root, materials))
    if not problems:
        try:
            bag.validate()
        except bagit.BagError as error:
            problems.append(BagProblem(BagProblemKind.INVALID, "", str(error)))
    return BagReport(str(root), tuple(problems))


def _record_problems(root: Path, materials: Iterable[Material]) -> list[BagProblem]:
    """Compare the bag's files with the records of the materials the receiver holds."""
    wanted = list(materials)
    if not wanted:
        return []
    index = root / "data" / "index.csv"
    try:
        with index.open(encoding="utf-8", newline="") as stream:
            files = {row["material_id"]: row["file"] for row in csv.DictReader(stream)}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return [BagProblem(BagProblemKind.INVALID, "data/index.csv", "no readable index")]
    found: list[BagProblem] = []
    for material in wanted:
        name = files.get(material.id)
        where = f"data/{name}" if name else "data/index.csv"
        file = (root / where).resolve()
        if name is None or not file.is_relative_to((root / "data").resolve()):
            found.append(BagProblem(BagProblemKind.MISSING, where, f"material {material.id}"))
        elif file.is_file() and file_digest(file)[1] != material.sha256:
            found.append(
                BagProblem(
                    BagProblemKind.CHANGED,
                    where,
                    f"material {material.id} does not match the SHA-256 of its record",
                )
            )
    return found


def _entry_problems(
    root: Path, name: str, digests: dict[str, str], seen_missing: set[str]
) -> list[BagProblem]:
    file = (root / name).resolve()
    if not file.is_relative_to(root.resolve()):
        return [BagProblem(BagProblemKind.INVALID, name, "the manifest points outside the bag")]
    if not file.is_file():
        if name in seen_missing:
            return []
        return [BagProblem(BagProblemKind.MISSING, name, "listed in a manifest")]
    found: list[BagProblem] = []
    for algorithm, expected in sorted(digests.items()):
        try:
            _, digest = file_digest(file, algorithm)
        except ValueError:
            return [BagProblem(BagProblemKind.INVALID, name, f"unknown algorithm {algorithm}")]
        if digest != expected.lower():
            found.append(
                BagProblem(
                    BagProblemKind.CHANGED,
                    name,
                    f"its {algorithm} is {digest[:12]}..., the manifest says {expected[:12]}...",
                )
            )
    return found
