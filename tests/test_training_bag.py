"""The educational bag: assembled from units, exported as BagIt, tampering detected."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs
import bagit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wladna_core.model import new_id
from wladna_core.training import (
    BagExportError,
    BagProblemKind,
    Enrolment,
    IncompleteBag,
    Material,
    MaterialKind,
    MaterialUnavailable,
    SessionMode,
    TrainingSession,
    TrainingUnit,
    export_bag,
    material_path,
    participant_bag,
    session_bag,
    verify_bag,
)
from wladna_core.training import strategies as ts

if TYPE_CHECKING:
    from pathlib import Path

ON = date(2026, 3, 2)


def write_material(folder: Path, name: str, content: bytes, **changes: Any) -> Material:
    path = folder / name
    path.write_bytes(content)
    fields: dict[str, Any] = {
        "title": f"Support {name}",
        "kind": MaterialKind.GUIDE,
        "language": "fr",
        "edition": "1.0",
        "media_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "location": path.as_uri(),
    }
    fields.update(changes)
    return Material(**fields)


def a_unit(code: str, materials: list[Material], **changes: Any) -> TrainingUnit:
    return TrainingUnit(
        code=code,
        title_ar="وحدة تكوينية",
        title_fr=f"Unité {code}",
        duration_hours=6,
        materials=[material.id for material in materials],
        **changes,
    )


def a_session(units: list[TrainingUnit], day: date = date(2026, 2, 2)) -> TrainingSession:
    return TrainingSession(
        units=[unit.id for unit in units],
        mode=SessionMode.REMOTE,
        days=[day],
        territory="MA-SAL",
        capacity=30,
    )


@pytest.fixture
def course(tmp_path: Path) -> dict[str, Any]:
    source = tmp_path / "sources"
    source.mkdir()
    guide = write_material(source, "guide.pdf", b"%PDF-1.7 guide de saisie")
    slides = write_material(
        source, "slides.pptx", b"slides", media_type="application/vnd.ms-powerpoint"
    )
    video = write_material(source, "demo.mp4", b"\x00\x00video", media_type="video/mp4")
    first = a_unit("BI-01", [guide, slides])
    second = a_unit("BI-02", [slides, video])
    session = a_session([first, second])
    return {
        "materials": [guide, slides, video],
        "units": [first, second],
        "session": session,
        "target": tmp_path / "out" / "bag",
    }


# --- assembling ---------------------------------------------------------------------------------


def test_a_session_bag_holds_its_units_materials_in_course_order_each_once(
    course: dict[str, Any],
) -> None:
    guide, slides, video = course["materials"]
    bag = session_bag(course["session"], course["units"], course["materials"])
    assert bag.materials == (guide, slides, video)
    assert bag.unit_codes(slides.id) == ("BI-01", "BI-02")
    assert bag.title == "Educational bag: BI-01, BI-02"


def test_a_participant_bag_gathers_every_session_and_never_names_the_participant(
    course: dict[str, Any],
) -> None:
    first, second = course["units"]
    early = a_session([second], date(2026, 1, 5))
    late = a_session([first], date(2026, 2, 9))
    person = new_id()
    enrolments = [
        Enrolment(person, late.id, date(2026, 1, 1)),
        Enrolment(person, early.id, date(2026, 1, 1)),
        Enrolment(new_id(), course["session"].id, date(2026, 1, 1)),
    ]
    bag = participant_bag(
        person, enrolments, [late, early, course["session"]], course["units"], course["materials"]
    )
    assert bag.unit_ids == (second.id, first.id)
    guide, slides, video = course["materials"]
    assert bag.materials == (slides, video, guide)
    assert person not in repr(bag)


def test_a_bag_with_an_unknown_unit_or_material_is_refused(course: dict[str, Any]) -> None:
    guide, slides, _video = course["materials"]
    with pytest.raises(IncompleteBag) as raised:
        session_bag(course["session"], course["units"], [guide, slides])
    assert raised.value.missing_materials == (course["materials"][2].id,)
    stray = a_session([a_unit("X", [])])
    with pytest.raises(IncompleteBag) as raised:
        session_bag(stray, course["units"], course["materials"])
    assert raised.value.missing_units == stray.units
    person = new_id()
    with pytest.raises(IncompleteBag) as raised:
        participant_bag(
            person, [Enrolment(person, stray.id, ON)], [], course["units"], course["materials"]
        )
    assert raised.value.missing_units == (stray.id,)


# --- exporting ----------------------------------------------------------------------------------


def test_an_exported_bag_is_a_valid_bagit_package_with_an_index(course: dict[str, Any]) -> None:
    bag = session_bag(course["session"], course["units"], course["materials"])
    target = export_bag(bag, course["target"], on=ON, organisation="Ministère\nde la Solidarité")
    assert target == course["target"]
    received = bagit.Bag(str(target))
    assert received.is_valid()
    assert received.info["Bagging-Date"] == "2026-03-02"
    assert received.info["Source-Organization"] == "Ministère de la Solidarité"
    assert received.info["External-Description"] == "Educational bag: BI-01, BI-02"
    assert "sha256" in received.algorithms
    payload = sorted(received.payload_files())
    assert len(payload) == 4
    index = (target / "data" / "index.csv").read_text(encoding="utf-8").splitlines()
    assert index[0].split(",")[:3] == ["file", "material_id", "title"]
    assert len(index) == 4
    assert any(line.endswith(",BI-01 BI-02") for line in index)
    assert verify_bag(target).valid


def test_the_files_of_a_bag_are_named_by_id_never_by_an_outside_name(tmp_path: Path) -> None:
    odd = write_material(tmp_path, "x.pdf", b"content")
    odd = attrs.evolve(odd, location="file:///srv/..%2F..%2Fetc/passwd")
    unit = a_unit("U", [odd])
    bag = session_bag(a_session([unit]), [unit], [odd])
    target = export_bag(bag, tmp_path / "bag", on=ON, resolve=lambda _m: tmp_path / "x.pdf")
    [name] = [path.name for path in (target / "data" / "materials").iterdir()]
    assert name.startswith("001-" + odd.id)
    assert "/" not in name
    assert ".." not in name


def test_a_bag_is_not_exported_over_an_existing_directory(
    course: dict[str, Any], tmp_path: Path
) -> None:
    bag = session_bag(course["session"], course["units"], course["materials"])
    course["target"].mkdir(parents=True)
    with pytest.raises(FileExistsError):
        export_bag(bag, course["target"], on=ON)


def test_a_file_that_is_not_its_record_stops_the_export_and_leaves_nothing(
    course: dict[str, Any],
) -> None:
    guide, _slides, video = course["materials"]
    material_path(guide).write_bytes(b"another edition")
    material_path(video).unlink()
    bag = session_bag(course["session"], course["units"], course["materials"])
    with pytest.raises(BagExportError) as raised:
        export_bag(bag, course["target"], on=ON, lang="fr")
    found = {(v.code, v.record) for v in raised.value.violations}
    assert ("training.material_checksum", f"Material {guide.id}") in found
    assert ("training.material_file_missing", f"Material {video.id}") in found
    parent = course["target"].parent
    assert not course["target"].exists()
    assert list(parent.iterdir()) == []


def test_a_material_elsewhere_than_a_local_file_needs_a_resolver(tmp_path: Path) -> None:
    remote = write_material(tmp_path, "g.pdf", b"g", location="https://example.org/g.pdf")
    with pytest.raises(MaterialUnavailable, match="resolve"):
        material_path(remote)
    other_host = attrs.evolve(remote, location="file://server/share/g.pdf")
    with pytest.raises(MaterialUnavailable, match="another host"):
        material_path(other_host)
    unit = a_unit("U", [remote])
    bag = session_bag(a_session([unit]), [unit], [remote])
    target = export_bag(bag, tmp_path / "bag", on=ON, resolve=lambda _m: tmp_path / "g.pdf")
    assert verify_bag(target).valid


# --- verifying ----------------------------------------------------------------------------------


@pytest.fixture
def exported(course: dict[str, Any]) -> Path:
    bag = session_bag(course["session"], course["units"], course["materials"])
    target: Path = export_bag(bag, course["target"], on=ON)
    return target


def first_payload(bag: Path) -> Path:
    return sorted((bag / "data" / "materials").iterdir())[0]


def test_a_changed_file_is_reported_with_its_path(exported: Path) -> None:
    changed = first_payload(exported)
    changed.write_bytes(changed.read_bytes() + b"!")
    report = verify_bag(exported)
    assert not report.valid
    relative = f"data/materials/{changed.name}"
    assert [(p.kind, p.path) for p in report.problems] == [(BagProblemKind.CHANGED, relative)]
    assert not bagit.Bag(str(exported)).is_valid()


def test_a_file_changed_in_place_with_the_same_size_is_reported(exported: Path) -> None:
    changed = first_payload(exported)
    content = bytearray(changed.read_bytes())
    content[0] ^= 0xFF
    changed.write_bytes(bytes(content))
    [problem] = verify_bag(exported).problems
    assert problem.kind is BagProblemKind.CHANGED


def test_a_missing_file_is_reported(exported: Path) -> None:
    missing = first_payload(exported)
    missing.unlink()
    [problem] = verify_bag(exported).problems
    assert (problem.kind, problem.path) == (
        BagProblemKind.MISSING,
        f"data/materials/{missing.name}",
    )


def test_an_added_file_is_reported(exported: Path) -> None:
    (exported / "data" / "materials" / "extra.txt").write_text("not in the manifest")
    [problem] = verify_bag(exported).problems
    assert (problem.kind, problem.path) == (BagProblemKind.UNEXPECTED, "data/materials/extra.txt")


def test_a_changed_tag_file_is_reported(exported: Path) -> None:
    info = exported / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8") + "Contact-Name: someone\n", "utf-8")
    [problem] = verify_bag(exported).problems
    assert (problem.kind, problem.path) == (BagProblemKind.CHANGED, "bag-info.txt")


def test_a_directory_that_is_not_a_bag_is_invalid(tmp_path: Path) -> None:
    [problem] = verify_bag(tmp_path).problems
    assert problem.kind is BagProblemKind.INVALID


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.lists(ts.material_files(max_size=512), min_size=1, max_size=4),
    victim=st.integers(0, 3),
    extra=st.binary(min_size=1, max_size=8),
)
def test_any_tampered_file_of_any_bag_is_detected(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[tuple[Material, bytes]],
    victim: int,
    extra: bytes,
) -> None:
    folder = tmp_path_factory.mktemp("bag")
    contents = {material.id: content for material, content in files}
    materials = list({material.id: material for material, _ in files}.values())
    for material in materials:
        (folder / material.id).write_bytes(contents[material.id])
    unit = a_unit("U", materials)
    bag = session_bag(a_session([unit]), [unit], materials)
    target = export_bag(bag, folder / "bag", on=ON, resolve=lambda m: folder / m.id)
    assert verify_bag(target).valid
    payload = sorted((target / "data" / "materials").iterdir())
    tampered = payload[victim % len(payload)]
    tampered.write_bytes(tampered.read_bytes() + extra)
    report = verify_bag(target)
    assert [p.path for p in report.problems] == [f"data/materials/{tampered.name}"]
    assert report.problems[0].kind is BagProblemKind.CHANGED


def test_a_file_replaced_with_its_manifests_rewritten_is_caught_by_the_records(
    exported: Path, course: dict[str, Any]
) -> None:
    changed = first_payload(exported)
    changed.write_bytes(b"a file someone slipped in")
    # Whoever changes a file can write the manifests again: bagit then finds nothing wrong.
    received = bagit.Bag(str(exported))
    received.save(manifests=True)
    assert verify_bag(exported).valid
    report = verify_bag(exported, course["materials"])
    assert [(p.kind, p.path) for p in report.problems] == [
        (BagProblemKind.CHANGED, f"data/materials/{changed.name}")
    ]


def test_a_material_absent_from_the_bag_is_missing(
    exported: Path, course: dict[str, Any], tmp_path: Path
) -> None:
    other = write_material(tmp_path, "other.pdf", b"other")
    [problem] = verify_bag(exported, [*course["materials"], other]).problems
    assert problem.kind is BagProblemKind.MISSING
    assert other.id in problem.detail
