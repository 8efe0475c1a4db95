"""The training records: invariants of one record, and the converter's round trip."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.convert import dumps, loads, structure, unstructure
from wladna_core.errors import InvalidRecord, InvariantError
from wladna_core.model import BodyKind, new_id
from wladna_core.training import (
    TRAINING_RECORD_TYPES,
    Criterion,
    Delivery,
    Enrolment,
    Evaluation,
    InternetAccess,
    Material,
    MaterialKind,
    Rating,
    RolloutPhase,
    SessionMode,
    SiteLogistics,
    Subject,
    SupportRequest,
    SupportStatus,
    TrainingProgramme,
    TrainingSession,
    TrainingSettings,
    TrainingSettingsError,
    TrainingUnit,
    units_covering,
)
from wladna_core.training import strategies as ts

DIGEST = "a" * 64

RECORDS: dict[str, st.SearchStrategy[Any]] = {
    "programme": ts.training_programmes(),
    "phase": ts.rollout_phases(),
    "unit": ts.training_units(),
    "material": ts.materials(),
    "site": ts.site_logistics(),
    "trainer": ts.trainers(),
    "session": ts.training_sessions(),
    "participant": ts.participants(),
    "enrolment": ts.enrolments(),
    "evaluation": ts.evaluations(),
    "support request": ts.support_requests(),
}


def a_unit(**changes: Any) -> TrainingUnit:
    fields: dict[str, Any] = {
        "code": "BI-01",
        "title_ar": "استعمال قاعدة المعطيات",
        "title_fr": "Utilisation de la base d'information",
        "duration_hours": 12,
    }
    fields.update(changes)
    return TrainingUnit(**fields)


def a_material(**changes: Any) -> Material:
    fields: dict[str, Any] = {
        "title": "Guide de saisie",
        "kind": MaterialKind.GUIDE,
        "language": "fr",
        "edition": "1.0",
        "media_type": "application/pdf",
        "size": 10,
        "sha256": DIGEST,
        "location": "file:///srv/bag/guide.pdf",
    }
    fields.update(changes)
    return Material(**fields)


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_every_training_record_survives_the_converter_round_trip(name: str) -> None:
    @given(RECORDS[name])
    def round_trip(record: Any) -> None:
        data = unstructure(record)
        assert structure(data, type(record)) == record
        assert loads(dumps(record), type(record)) == record

    round_trip()


@given(ts.training_files())
def test_a_whole_programme_survives_the_converter_round_trip(file: ts.TrainingFile) -> None:
    for record in file.records:
        assert structure(unstructure(record), type(record)) == record


def test_every_declared_kind_has_an_id_and_a_version() -> None:
    for kind in TRAINING_RECORD_TYPES:
        names = {field.name for field in attrs.fields(kind)}
        assert {"id", "version"} <= names, kind.__name__


def test_the_converter_names_the_path_of_a_training_invariant() -> None:
    data = unstructure(a_unit())
    data["duration_hours"] = 0
    data["delivery"] = "physical_only"
    with pytest.raises(InvalidRecord) as raised:
        structure(data, TrainingUnit)
    found = {(v.path, v.code) for v in raised.value.violations}
    assert ("$.duration_hours", "training.not_positive") in found
    assert ("$.physical_reason", "training.physical_reason") in found


def test_the_converter_refuses_an_unknown_enumeration_code_with_its_path() -> None:
    data = unstructure(a_material())
    data["kind"] = "poster"
    with pytest.raises(InvalidRecord) as raised:
        structure(data, Material)
    [violation] = raised.value.violations
    assert (violation.path, violation.code) == ("$.kind", "input.enum")


# --- invariants ---------------------------------------------------------------------------------


def test_a_physical_only_unit_says_why_and_only_it_does() -> None:
    with pytest.raises(InvariantError, match="physical_reason"):
        a_unit(delivery=Delivery.PHYSICAL_ONLY)
    with pytest.raises(InvariantError, match="physical_reason"):
        a_unit(physical_reason="Mises en situation")
    unit = a_unit(delivery=Delivery.PHYSICAL_ONLY, physical_reason="Mises en situation")
    assert not unit.remote_capable


def test_a_unit_is_not_its_own_prerequisite() -> None:
    unit_id = new_id()
    with pytest.raises(InvariantError) as raised:
        a_unit(id=unit_id, prerequisites={unit_id})
    assert raised.value.code == "training.prerequisite_self"


def test_a_unit_lasts_at_least_an_hour_and_lists_each_material_once() -> None:
    with pytest.raises(InvariantError):
        a_unit(duration_hours=0)
    material = new_id()
    with pytest.raises(InvariantError) as raised:
        a_unit(materials=[material, material])
    assert raised.value.code == "training.repeated"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("sha256", "A" * 64, "training.sha256_format"),
        ("sha256", "a" * 63, "training.sha256_format"),
        ("media_type", "PDF", "training.media_type_format"),
        ("media_type", "application/pdf; charset=x", "training.media_type_format"),
        ("location", "/srv/bag/guide.pdf", "training.location_format"),
        ("location", "file:///srv/my guide.pdf", "training.location_format"),
        ("language", "French", "input.language_code"),
    ],
)
def test_a_material_is_described_in_the_documented_formats(
    field: str, value: str, code: str
) -> None:
    with pytest.raises(InvariantError) as raised:
        a_material(**{field: value})
    assert raised.value.code == code


def test_a_material_refuses_a_boolean_size() -> None:
    with pytest.raises(TypeError):
        a_material(size=True)


def test_a_phase_ends_no_earlier_than_it_starts_and_covers_a_territory() -> None:
    with pytest.raises(InvariantError) as raised:
        RolloutPhase("Pilot", {"MA-SAL"}, date(2021, 1, 2), date(2021, 1, 1))
    assert raised.value.code == "training.phase_dates"
    with pytest.raises(InvariantError):
        RolloutPhase("Pilot", set(), date(2021, 1, 2))
    with pytest.raises(InvariantError):
        RolloutPhase("Pilot", {"Salé"}, date(2021, 1, 2))


def test_a_programme_names_each_phase_once() -> None:
    phase = RolloutPhase("Pilot", {"MA-SAL"}, date(2021, 1, 2))
    with pytest.raises(InvariantError) as raised:
        TrainingProgramme(title="P", starts_on=date(2021, 1, 1), phases=[phase, phase])
    assert raised.value.code == "training.repeated"
    programme = TrainingProgramme(
        title="P", starts_on=date(2021, 1, 1), target_body_kinds=[BodyKind.CAPE]
    )
    assert programme.target_body_kinds == frozenset({BodyKind.CAPE})


def test_a_session_lists_its_days_in_order_each_once_and_gives_a_unit() -> None:
    unit = new_id()
    fields: dict[str, Any] = {
        "units": [unit],
        "mode": SessionMode.REMOTE,
        "territory": "MA-SAL",
        "capacity": 10,
    }
    with pytest.raises(InvariantError) as raised:
        TrainingSession(days=[date(2026, 1, 2), date(2026, 1, 1)], **fields)
    assert raised.value.code == "training.days_out_of_order"
    with pytest.raises(InvariantError):
        TrainingSession(days=[date(2026, 1, 2), date(2026, 1, 2)], **fields)
    with pytest.raises(InvariantError):
        TrainingSession(days=[], **fields)
    with pytest.raises(InvariantError):
        TrainingSession(days=[date(2026, 1, 2)], **{**fields, "units": []})
    with pytest.raises(InvariantError):
        TrainingSession(days=[date(2026, 1, 2)], **{**fields, "capacity": 0})
    session = TrainingSession(days=[date(2026, 1, 1), date(2026, 1, 3)], **fields)
    assert (session.first_day, session.last_day) == (date(2026, 1, 1), date(2026, 1, 3))


def test_an_enrolment_refuses_a_boolean_score() -> None:
    with pytest.raises(TypeError):
        Enrolment(new_id(), new_id(), date(2026, 1, 1), pre_test=True)


def test_an_evaluation_rates_each_criterion_once() -> None:
    with pytest.raises(InvariantError) as raised:
        Evaluation(
            new_id(),
            date(2026, 1, 1),
            ratings=[Rating(Criterion.CONTENT, 4), Rating(Criterion.CONTENT, 2)],
        )
    assert raised.value.code == "training.repeated"


def test_an_evaluation_is_anonymous_by_default_and_then_carries_no_participant() -> None:
    evaluation = Evaluation(new_id(), date(2026, 1, 1), ratings=[Rating(Criterion.CONTENT, 4)])
    assert evaluation.is_anonymous
    assert evaluation.participant_id is None
    assert unstructure(evaluation)["participant_id"] is None
    assert evaluation.score(Criterion.CONTENT) == 4
    assert evaluation.score(Criterion.LOGISTICS) is None


def test_an_evaluation_id_is_random_not_the_time_it_was_made() -> None:
    # A time-ordered id (version 7) carries the millisecond it was made: not for evaluations.
    ids = [Evaluation(new_id(), date(2026, 1, 1)).id for _ in range(20)]
    assert {uuid.UUID(item).version for item in ids} == {4}
    assert uuid.UUID(new_id()).version == 7


def test_a_support_request_is_not_resolved_before_it_is_opened() -> None:
    with pytest.raises(InvariantError) as raised:
        SupportRequest(
            Subject.INFORMATION_BASE,
            new_id(),
            date(2026, 1, 5),
            status=SupportStatus.RESOLVED,
            resolved_on=date(2026, 1, 4),
        )
    assert raised.value.code == "training.support_resolved_before_opened"


def test_units_covering_a_topic_come_shortest_first() -> None:
    long = a_unit(code="B", duration_hours=20, subjects={Subject.INFORMATION_BASE})
    short = a_unit(code="C", duration_hours=6, subjects={Subject.INFORMATION_BASE})
    other = a_unit(code="A", duration_hours=1, subjects={Subject.STREET_CHILDREN})
    assert units_covering(Subject.INFORMATION_BASE, [long, other, short]) == (short, long)


def test_internet_access_is_ordered_from_none_to_broadband() -> None:
    assert InternetAccess.BROADBAND.at_least(InternetAccess.MOBILE)
    assert InternetAccess.MOBILE.at_least(InternetAccess.MOBILE)
    assert not InternetAccess.NONE.at_least(InternetAccess.MOBILE)


def test_a_site_records_whole_numbers_of_seats_and_devices() -> None:
    with pytest.raises(InvariantError):
        SiteLogistics(new_id(), date(2026, 1, 1), seats=-1, devices=0, internet=InternetAccess.NONE)


# --- settings -----------------------------------------------------------------------------------


def test_settings_are_read_over_the_defaults() -> None:
    settings = TrainingSettings.from_settings(
        {"training": {"attendance_threshold": 1, "remote_access": "mobile"}}
    )
    assert settings.attendance_threshold == 1
    assert settings.remote_access is InternetAccess.MOBILE
    assert settings.min_group_size == 5
    assert TrainingSettings.from_settings({}) == TrainingSettings()


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"attendance_threshold": 0}, "training.attendance_threshold"),
        ({"attendance_threshold": 1.5}, "training.attendance_threshold"),
        ({"attendance_threshold": True}, "training.attendance_threshold"),
        ({"min_group_size": 0}, "training.min_group_size"),
        ({"low_score": 6}, "training.low_score"),
        ({"remote_access": "fibre"}, "training.remote_access"),
        ({"remote_capacity": "80"}, "training.remote_capacity"),
        ({"threshold": 0.8}, "training.threshold"),
    ],
)
def test_an_unusable_setting_is_named_with_a_remedy(given: dict[str, Any], key: str) -> None:
    with pytest.raises(TrainingSettingsError) as raised:
        TrainingSettings.from_settings({"training": given})
    assert raised.value.key == key
    assert raised.value.remedy


def test_the_training_settings_must_be_a_mapping() -> None:
    with pytest.raises(TrainingSettingsError) as raised:
        TrainingSettings.from_settings({"training": 0.8})
    assert raised.value.key == "training"
