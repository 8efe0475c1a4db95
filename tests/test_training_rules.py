"""The training rules: valid programmes pass, each broken shape is flagged with its code."""

from __future__ import annotations

import hashlib
import string
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wladna_core.errors import Severity
from wladna_core.messages import LANGUAGES
from wladna_core.model import new_id
from wladna_core.rules import Context, RuleSet, catalogue, validate
from wladna_core.training import (
    TRAINING_RULES,
    Criterion,
    Delivery,
    Enrolment,
    Evaluation,
    InternetAccess,
    Material,
    MaterialKind,
    Rating,
    SessionMode,
    SiteLogistics,
    Subject,
    SupportRequest,
    TrainingContext,
    TrainingSession,
    TrainingSettings,
    TrainingUnit,
    check_material_file,
    training_rules,
)
from wladna_core.training import strategies as ts

if TYPE_CHECKING:
    from collections.abc import Callable


RULES = training_rules()
ON = ts.REFERENCE_DATE


def codes(record: object, context: Context, on: date = ON) -> set[str]:
    return {violation.code for violation in validate(record, on=on, context=context, rules=RULES)}


# --- valid records pass -------------------------------------------------------------------------


@given(ts.training_files())
def test_every_record_of_a_drawn_programme_passes_every_training_rule(
    file: ts.TrainingFile,
) -> None:
    context = file.context()
    for record in file.records:
        assert validate(record, on=file.on, context=context, rules=RULES) == []


@given(ts.training_files(settings=TrainingSettings(attendance_threshold=0.5)))
def test_drawn_programmes_respect_the_attendance_threshold_they_are_drawn_with(
    file: ts.TrainingFile,
) -> None:
    context = file.context()
    for enrolment in file.enrolments:
        assert validate(enrolment, on=file.on, context=context, rules=RULES) == []


@pytest.mark.parametrize(
    "strategy",
    [
        ts.training_programmes(),
        ts.training_units(),
        ts.site_logistics(),
        ts.training_sessions(),
        ts.participants(),
        ts.enrolments(),
        ts.evaluations(),
        ts.support_requests(),
    ],
    ids=lambda strategy: repr(strategy).split("(")[0],
)
def test_a_record_drawn_alone_passes_the_rules_that_need_no_other_record(
    strategy: st.SearchStrategy[Any],
) -> None:
    @given(strategy)
    def check(record: object) -> None:
        assert validate(record, on=ON, rules=RULES) == []

    check()


# --- each broken shape is flagged ---------------------------------------------------------------
# A breaker turns a valid programme into one where the rule must fire: it returns the record to
# validate, the context, and the date of validation.  None when the file cannot be broken so.

Broken = tuple[object, TrainingContext, date] | None


def _first_phase_earlier(file: ts.TrainingFile) -> Broken:
    programme = file.programme
    phase = programme.phases[0]
    moved = attrs.evolve(phase, starts_on=programme.starts_on - timedelta(days=1), ends_on=None)
    broken = attrs.evolve(programme, phases=(moved, *programme.phases[1:]))
    return broken, file.context(), file.on


def _phases_swapped(file: ts.TrainingFile) -> Broken:
    programme = file.programme
    first = programme.phases[0]
    later = attrs.evolve(first, name=first.name + " (2)")
    earlier = attrs.evolve(first, starts_on=first.starts_on - timedelta(days=1), ends_on=None)
    broken = attrs.evolve(programme, phases=(later, earlier))
    return broken, file.context(), file.on


def _phase_in_unknown_territory(file: ts.TrainingFile) -> Broken:
    programme = file.programme
    phase = programme.phases[0]
    odd = attrs.evolve(phase, territories=phase.territories | {"MA-XX"})
    return attrs.evolve(programme, phases=(odd, *programme.phases[1:])), file.context(), file.on


def _unit_with(file: ts.TrainingFile, **changes: Any) -> Broken:
    unit = attrs.evolve(file.units[0], **changes)
    units = (unit, *file.units[1:])
    return unit, file.context(units=units), file.on


def _units_in_a_cycle(file: ts.TrainingFile) -> Broken:
    if len(file.units) < 2:
        return None
    first = attrs.evolve(file.units[0], prerequisites={file.units[1].id})
    second = attrs.evolve(file.units[1], prerequisites={file.units[0].id})
    return first, file.context(units=(first, second, *file.units[2:])), file.on


def _site_with(file: ts.TrainingFile, **changes: Any) -> Broken:
    if not file.sites:
        return None
    site = attrs.evolve(file.sites[0], **changes)
    return site, file.context(sites=(site, *file.sites[1:])), file.on


def _session_with(file: ts.TrainingFile, **changes: Any) -> Broken:
    session = attrs.evolve(file.sessions[0], **changes)
    return session, file.context(sessions=(session, *file.sessions[1:])), file.on


def _physical_unit_in_mode(file: ts.TrainingFile, mode: SessionMode) -> Broken:
    session = file.sessions[0]
    index = next(i for i, unit in enumerate(file.units) if unit.id == session.units[0])
    unit = attrs.evolve(
        file.units[index], delivery=Delivery.PHYSICAL_ONLY, physical_reason="Mises en situation"
    )
    units = (*file.units[:index], unit, *file.units[index + 1 :])
    broken = attrs.evolve(session, mode=mode, site_id=file.sites[0].id if file.sites else None)
    return broken, file.context(units=units), file.on


def _in_person_beyond_seats(file: ts.TrainingFile) -> Broken:
    if not file.sites:
        return None
    site = file.sites[0]
    broken = attrs.evolve(
        file.sessions[0], mode=SessionMode.IN_PERSON, site_id=site.id, capacity=site.seats + 1
    )
    return broken, file.context(), file.on


def _first_enrolment(file: ts.TrainingFile) -> Enrolment | None:
    return file.enrolments[0] if file.enrolments else None


def _enrolment_with(file: ts.TrainingFile, **changes: Any) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    broken = attrs.evolve(enrolment, **changes)
    others = tuple(item for item in file.enrolments if item.id != enrolment.id)
    return broken, file.context(enrolments=(broken, *others)), file.on


def _enrolled_twice(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    twin = attrs.evolve(enrolment, id=new_id())
    return enrolment, file.context(enrolments=(*file.enrolments, twin)), file.on


def _over_capacity(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    index = next(i for i, s in enumerate(file.sessions) if s.id == enrolment.session_id)
    session = attrs.evolve(file.sessions[index], capacity=1)
    sessions = (*file.sessions[:index], session, *file.sessions[index + 1 :])
    earlier = attrs.evolve(
        enrolment,
        id=new_id(),
        participant_id=new_id(),
        enrolled_on=enrolment.enrolled_on - timedelta(days=1),
    )
    context = file.context(sessions=sessions, enrolments=(*file.enrolments, earlier))
    return enrolment, context, file.on


def _session_of(file: ts.TrainingFile, enrolment: Enrolment) -> TrainingSession:
    return next(s for s in file.sessions if s.id == enrolment.session_id)


def _attendance_outside(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    day = _session_of(file, enrolment).first_day - timedelta(days=1)
    return _enrolment_with(file, attended=enrolment.attended | {day})


def _attendance_ahead(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    return _enrolment_with(file, attended=enrolment.attended | {file.on + timedelta(days=1)})


def _completed_early(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    session = _session_of(file, enrolment)
    broken = attrs.evolve(enrolment, completed=True, attended=frozenset(session.days))
    return broken, file.context(), session.last_day - timedelta(days=1)


def _prerequisite_not_done(file: ts.TrainingFile) -> Broken:
    enrolment = _first_enrolment(file)
    if enrolment is None:
        return None
    session = _session_of(file, enrolment)
    first = next(unit for unit in file.units if unit.id == session.units[0])
    needed = new_id()
    unit = attrs.evolve(first, prerequisites=first.prerequisites | {needed})
    units = tuple(unit if item.id == first.id else item for item in file.units)
    return enrolment, file.context(units=units), file.on


def _evaluation_with(file: ts.TrainingFile, **changes: Any) -> Broken:
    if not file.evaluations:
        return None
    return attrs.evolve(file.evaluations[0], **changes), file.context(), file.on


def _evaluation_before_end(file: ts.TrainingFile) -> Broken:
    if not file.evaluations:
        return None
    evaluation = file.evaluations[0]
    session = next(s for s in file.sessions if s.id == evaluation.session_id)
    return _evaluation_with(file, submitted_on=session.last_day - timedelta(days=1))


def _bad_rating(file: ts.TrainingFile) -> Broken:
    return _evaluation_with(file, ratings=[Rating(Criterion.CONTENT, 6)])


def _request(file: ts.TrainingFile, **changes: Any) -> SupportRequest:
    if file.support_requests:
        return attrs.evolve(file.support_requests[0], **changes)
    fields: dict[str, Any] = {
        "topic": Subject.OTHER,
        "body_id": file.bodies[0].id,
        "opened_on": file.on,
    }
    fields.update(changes)
    return SupportRequest(**fields)


def _request_off_topic(file: ts.TrainingFile) -> Broken:
    unit = file.units[0]
    topics = [subject for subject in Subject if subject not in unit.subjects]
    request = _request(file, topic=topics[0], unit_id=unit.id)
    return request, file.context(), file.on


def _request_without_unit(file: ts.TrainingFile) -> Broken:
    unit = attrs.evolve(file.units[0], subjects=file.units[0].subjects | {Subject.OTHER})
    units = (unit, *file.units[1:])
    request = _request(file, topic=Subject.OTHER, unit_id=None)
    return request, file.context(units=units), file.on


BREAKERS: dict[str, Callable[[ts.TrainingFile], Broken]] = {
    "training.phase_before_programme": _first_phase_earlier,
    "training.phases_out_of_order": _phases_swapped,
    "training.phase_territory_unknown": _phase_in_unknown_territory,
    "training.prerequisite_unknown": lambda f: _unit_with(f, prerequisites={new_id()}),
    "training.prerequisite_cycle": _units_in_a_cycle,
    "training.material_unknown": lambda f: _unit_with(f, materials=(new_id(),)),
    "training.title_ar_not_arabic": lambda f: _unit_with(f, title_ar="Base d'information"),
    "training.site_body_unknown": lambda f: _site_with(f, body_id=new_id()),
    "training.site_recorded_in_future": lambda f: _site_with(
        f, recorded_on=f.on + timedelta(days=1)
    ),
    "training.session_unit_unknown": lambda f: _session_with(
        f, units=(*f.sessions[0].units, new_id())
    ),
    "training.physical_unit_remote": lambda f: _physical_unit_in_mode(f, SessionMode.REMOTE),
    "training.physical_unit_hybrid": lambda f: _physical_unit_in_mode(f, SessionMode.HYBRID),
    "training.session_site_missing": lambda f: _session_with(
        f, mode=SessionMode.HYBRID, site_id=None
    ),
    "training.session_site_unknown": lambda f: _session_with(f, site_id=new_id()),
    "training.session_over_seats": _in_person_beyond_seats,
    "training.session_territory_unknown": lambda f: _session_with(f, territory="MA-XX"),
    "training.participant_body_unknown": lambda f: (
        attrs.evolve(f.participants[0], body_id=new_id()),
        f.context(),
        f.on,
    ),
    "training.enrolment_session_unknown": lambda f: _enrolment_with(f, session_id=new_id()),
    "training.enrolment_participant_unknown": lambda f: _enrolment_with(f, participant_id=new_id()),
    "training.enrolment_duplicate": _enrolled_twice,
    "training.enrolment_over_capacity": _over_capacity,
    "training.attendance_outside_session": _attendance_outside,
    "training.attendance_in_future": _attendance_ahead,
    "training.completion_without_attendance": lambda f: _enrolment_with(
        f, completed=True, attended=frozenset()
    ),
    "training.completion_before_session_end": _completed_early,
    "training.score_out_of_range": lambda f: _enrolment_with(f, post_test=101),
    "training.prerequisite_missing": _prerequisite_not_done,
    "training.rating_out_of_range": _bad_rating,
    "training.evaluation_session_unknown": lambda f: _evaluation_with(f, session_id=new_id()),
    "training.evaluation_before_session_end": _evaluation_before_end,
    "training.evaluation_in_future": lambda f: _evaluation_with(
        f, submitted_on=f.on + timedelta(days=1)
    ),
    "training.evaluation_not_enrolled": lambda f: _evaluation_with(f, participant_id=new_id()),
    "training.support_body_unknown": lambda f: (_request(f, body_id=new_id()), f.context(), f.on),
    "training.support_opened_in_future": lambda f: (
        _request(f, opened_on=f.on + timedelta(days=1), resolved_on=None),
        f.context(),
        f.on,
    ),
    "training.support_unit_unknown": lambda f: (_request(f, unit_id=new_id()), f.context(), f.on),
    "training.support_unit_off_topic": _request_off_topic,
    "training.support_unit_missing": _request_without_unit,
}
FILE_RULES = {
    "training.material_file_missing",
    "training.material_size",
    "training.material_checksum",
}


def test_every_training_rule_has_a_breaker_or_a_file_test() -> None:
    assert set(BREAKERS) | FILE_RULES == {item.code for item in TRAINING_RULES}


@pytest.mark.parametrize("code", sorted(BREAKERS))
def test_each_training_rule_flags_its_broken_shape(code: str) -> None:
    # Each broken shape is checked on fewer examples; every rule together makes many.
    @settings(max_examples=15)
    @given(ts.training_files(full=True))
    def check(file: ts.TrainingFile) -> None:
        broken = BREAKERS[code](file)
        assume(broken is not None)
        assert broken is not None
        record, context, on = broken
        assert code in codes(record, context, on)

    check()


def test_a_rule_whose_records_are_not_known_does_not_run() -> None:
    session = TrainingSession(
        units=[new_id()],
        mode=SessionMode.IN_PERSON,
        days=[date(2025, 3, 2)],
        territory="MA-SAL",
        capacity=10,
        site_id=new_id(),
    )
    # Without units or sites, the rules that need them say nothing.
    assert codes(session, TrainingContext()) == set()
    assert codes(session, TrainingContext(units=[], sites=[])) == {
        "training.session_unit_unknown",
        "training.session_site_unknown",
    }


def test_a_base_context_runs_the_rules_that_need_no_training_records() -> None:
    evaluation = Evaluation(new_id(), ON, ratings=[Rating(Criterion.TRAINERS, 0)])
    assert codes(evaluation, Context()) == {"training.rating_out_of_range"}


def test_completion_needs_the_share_of_days_the_settings_name() -> None:
    days = [date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)]
    session = TrainingSession(
        units=[new_id()], mode=SessionMode.REMOTE, days=days, territory="MA-SAL", capacity=5
    )
    enrolment = Enrolment(new_id(), session.id, date(2025, 3, 1), attended=days[:3], completed=True)
    strict = TrainingContext(sessions=[session])
    lenient = TrainingContext(
        sessions=[session], settings=TrainingSettings(attendance_threshold=0.75)
    )
    [violation] = [
        v
        for v in validate(enrolment, on=ON, context=strict, rules=RULES)
        if v.code == "training.completion_without_attendance"
    ]
    assert violation.message == (
        "The participant completed the session after attending 3 of its 4 days; completion "
        "needs 80% of them."
    )
    assert "training.completion_without_attendance" not in codes(enrolment, lenient)


def test_the_late_enrolments_are_those_over_capacity() -> None:
    session = TrainingSession(
        units=[new_id()],
        mode=SessionMode.REMOTE,
        days=[date(2025, 3, 2)],
        territory="MA-SAL",
        capacity=2,
    )
    first, second, third = (
        Enrolment(new_id(), session.id, date(2025, 2, day)) for day in (1, 2, 3)
    )
    context = TrainingContext(sessions=[session], enrolments=[first, second, third])
    assert "training.enrolment_over_capacity" not in codes(first, context)
    assert "training.enrolment_over_capacity" not in codes(second, context)
    [violation] = [
        v
        for v in validate(third, on=ON, context=context, rules=RULES)
        if v.code == "training.enrolment_over_capacity"
    ]
    assert violation.message == "The enrolment is number 3 in a session that takes 2 participants."
    # An enrolment not yet stored counts too.
    fourth = Enrolment(new_id(), session.id, date(2025, 2, 4))
    assert "training.enrolment_over_capacity" in codes(fourth, context)


def test_a_prerequisite_completed_in_an_earlier_session_is_done() -> None:
    basics = TrainingUnit(
        code="PE-01", title_ar="حماية الطفولة", title_fr="Protection", duration_hours=6
    )
    advanced = TrainingUnit(
        code="BI-01",
        title_ar="قاعدة المعطيات",
        title_fr="Base d'information",
        duration_hours=6,
        prerequisites={basics.id},
    )
    earlier = TrainingSession(
        units=[basics.id],
        mode=SessionMode.REMOTE,
        days=[date(2025, 1, 6)],
        territory="MA-SAL",
        capacity=5,
    )
    later = attrs.evolve(earlier, id=new_id(), units=(advanced.id,), days=(date(2025, 2, 3),))
    person = new_id()
    done = Enrolment(person, earlier.id, date(2025, 1, 1), attended={date(2025, 1, 6)})
    now = Enrolment(person, later.id, date(2025, 1, 20))
    context = TrainingContext(
        units=[basics, advanced], sessions=[earlier, later], enrolments=[done, now]
    )
    [violation] = validate(now, on=ON, context=context, rules=RULES)
    assert violation.code == "training.prerequisite_missing"
    assert violation.severity is Severity.WARNING
    assert "PE-01" in violation.message
    completed = attrs.evolve(done, completed=True)
    context = TrainingContext(
        units=[basics, advanced], sessions=[earlier, later], enrolments=[completed, now]
    )
    assert validate(now, on=ON, context=context, rules=RULES) == []
    # Given first in the same session, the prerequisite is done too.
    both = attrs.evolve(later, units=(basics.id, advanced.id))
    context = TrainingContext(units=[basics, advanced], sessions=[both], enrolments=[now])
    assert (
        validate(attrs.evolve(now, session_id=both.id), on=ON, context=context, rules=RULES) == []
    )


def test_a_physical_only_unit_in_a_remote_session_says_which_unit() -> None:
    unit = TrainingUnit(
        code="RUE-01",
        title_ar="مواكبة الأطفال في وضعية الشارع",
        title_fr="Accompagnement des enfants en situation de rue",
        duration_hours=12,
        delivery=Delivery.PHYSICAL_ONLY,
        physical_reason="Visite de terrain",
    )
    session = TrainingSession(
        units=[unit.id],
        mode=SessionMode.REMOTE,
        days=[date(2025, 3, 2)],
        territory="MA-SAL",
        capacity=5,
    )
    context = TrainingContext(units=[unit])
    [english] = validate(session, on=ON, context=context, rules=RULES)
    assert (english.path, english.code) == ("$.units[0]", "training.physical_unit_remote")
    assert (
        english.message == "The session is remote, but the unit RUE-01 needs physical attendance."
    )
    assert english.remedy.startswith("Hold the session in person")
    [french] = validate(session, on=ON, context=context, rules=RULES, lang="fr")
    assert french.message == (
        "La session est à distance, mais l'unité RUE-01 exige une présence physique."
    )
    [arabic] = validate(session, on=ON, context=context, rules=RULES, lang="ar")
    assert "RUE-01" in arabic.message


# --- material files (bad checksums) --------------------------------------------------------------


def material_for(content: bytes, tmp_path: Path) -> tuple[Material, Path]:
    path = tmp_path / "guide.pdf"
    path.write_bytes(content)
    material = Material(
        title="Guide",
        kind=MaterialKind.GUIDE,
        language="fr",
        edition="1.0",
        media_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        location=path.as_uri(),
    )
    return material, path


def test_a_file_that_matches_its_record_passes(tmp_path: Path) -> None:
    material, path = material_for(b"%PDF-1.7 guide", tmp_path)
    assert check_material_file(material, path) == []
    context = TrainingContext(material_files={material.id: path})
    assert validate(material, on=ON, context=context, rules=RULES) == []


@given(content=st.binary(max_size=256), change=st.binary(min_size=1, max_size=16))
def test_a_changed_file_breaks_its_checksum(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, change: bytes
) -> None:
    material, path = material_for(content, tmp_path_factory.mktemp("material"))
    path.write_bytes(content + change)
    found = {violation.code for violation in check_material_file(material, path)}
    assert found == {"training.material_checksum", "training.material_size"}


def test_a_file_changed_in_place_is_caught_by_its_digest_alone(tmp_path: Path) -> None:
    material, path = material_for(b"version one", tmp_path)
    path.write_bytes(b"version two")
    [violation] = check_material_file(material, path, lang="fr")
    assert violation.code == "training.material_checksum"
    assert violation.path == "$.sha256"
    assert violation.message.startswith(
        "Le fichier du support ne correspond pas à son empreinte SHA-256"
    )


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    material, path = material_for(b"x", tmp_path)
    path.unlink()
    [violation] = check_material_file(material, path)
    assert violation.code == "training.material_file_missing"
    assert str(path) in violation.message


# --- the rule set -------------------------------------------------------------------------------


def test_training_rules_have_stable_training_codes_distinct_from_the_builtin_ones() -> None:
    assert all(item.code.startswith("training.") for item in TRAINING_RULES)
    assert [item.code for item in TRAINING_RULES] == sorted(item.code for item in TRAINING_RULES)
    combined = RuleSet.builtin().with_rules(TRAINING_RULES)
    assert len(combined) == len(catalogue()) + len(TRAINING_RULES)


def test_the_training_rules_are_not_in_the_builtin_catalogue_yet() -> None:
    assert not any(item.code.startswith("training.") for item in catalogue())


def test_training_records_validate_with_the_builtin_and_training_rules_together() -> None:
    combined = RuleSet.builtin().with_rules(TRAINING_RULES)
    evaluation = Evaluation(new_id(), ON, ratings=[Rating(Criterion.CONTENT, 9)])
    assert {v.code for v in validate(evaluation, on=ON, rules=combined)} == {
        "training.rating_out_of_range"
    }


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


@pytest.mark.parametrize("item", TRAINING_RULES, ids=lambda item: item.code)
def test_every_training_rule_speaks_english_french_and_arabic(item: Any) -> None:
    assert item.description.endswith(".")
    assert item.description[0].isupper()
    for text in (item.message.message, item.message.remedy):
        english = fields(text.en)
        assert fields(text.fr) == english
        assert fields(text.ar) == english
        assert text.fr != text.en
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template == template.strip()
            assert template[-1] in ".!"
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 3
        latin = [
            word
            for word in text.ar.split()
            if word.isascii() and word.isalpha() and not word.isupper()
        ]
        assert not latin, f"{item.code}: Latin words in Arabic text {latin}"


def test_violations_name_the_record_by_class_and_id() -> None:
    evaluation = Evaluation(new_id(), ON, ratings=[Rating(Criterion.CONTENT, 0)])
    [violation] = validate(evaluation, on=ON, rules=RULES)
    assert violation.record == f"Evaluation {evaluation.id}"
    assert violation.message == "The rating 0 of content is outside the scale of 1 to 5."


def test_a_site_surveyed_tomorrow_is_flagged() -> None:
    site = SiteLogistics(
        new_id(), ON + timedelta(days=1), seats=5, devices=5, internet=InternetAccess.MOBILE
    )
    assert "training.site_recorded_in_future" in codes(site, TrainingContext())


def test_the_guide_lists_every_training_rule_with_its_severity() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "training.md").read_text(encoding="utf-8")
    for item in TRAINING_RULES:
        assert f"| `{item.code}` | {item.severity.value} |" in guide, item.code
