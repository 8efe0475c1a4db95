"""The training services: access, audit, anonymity, and the units required before casework."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import STORES, TODAY, Deployment, deployed
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE, AccessDenied
from wladna_core.errors import InvalidRecord, Severity, Violation
from wladna_core.hookspecs import hookimpl
from wladna_core.model import BodyKind, Child, Sex, TerritorialBody
from wladna_core.reporting.cellkey import CellKeyMethod, RecordKeys
from wladna_core.training import (
    Criterion,
    Evaluation,
    NeedCode,
    Participant,
    Rating,
    Sector,
    SessionMode,
    StaffRole,
    Subject,
    SupportRequest,
    TrainingSession,
    TrainingUnit,
)
from wladna_core.training.required_units import MISSING_CODE
from wladna_core.training.services import ANONYMOUS_ACTOR, TrainingWork

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.services import Outcome

COORDINATOR = Actor("training.coordinator", {Role.TRAINING_COORDINATOR})
#: The days of the session; the evaluation is written after it, on TODAY.
DAYS = (date(2026, 2, 23), date(2026, 2, 24))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@attrs.frozen
class Programme:
    dep: Deployment
    unit: TrainingUnit
    session: TrainingSession
    mine: Participant
    other: Participant

    def of(self, actor: Actor) -> TrainingWork:
        return TrainingWork(self.dep.wl, actor)


def _programme(dep: Deployment) -> Programme:
    work = TrainingWork(dep.wl, COORDINATOR)
    unit = work.record_unit(
        TrainingUnit(
            code="BI-01",
            title_ar="استعمال قاعدة المعطيات",
            title_fr="Utilisation de la base d'information",
            duration_hours=12,
            subjects={Subject.INFORMATION_BASE},
        )
    ).record
    session = work.record_session(
        TrainingSession(
            units=[unit.id], mode=SessionMode.REMOTE, days=DAYS, territory="MA-SAL", capacity=80
        )
    ).record
    mine = work.register_participant(
        Participant(dep.worker.id, dep.upe.id, StaffRole.CASE_WORKER, Sector.MINISTRY)
    ).record
    other = work.register_participant(
        Participant(dep.outsider.id, dep.rabat.id, StaffRole.CASE_WORKER, Sector.ASSOCIATION)
    ).record
    for participant in (mine, other):
        work.enrol(participant.id, session.id, on=date(2026, 2, 1))
    return Programme(dep, unit, session, mine, other)


@pytest.fixture
def programme(store: str, tmp_path: Path) -> Iterator[Programme]:
    with deployed(store, tmp_path) as dep:
        yield _programme(dep)


def _entries(dep: Deployment) -> list[Any]:
    return list(dep.wl.store.audit_entries())


# --- the coordinator records, others may not --------------------------------------------------


def test_the_coordinator_records_the_programme_and_every_write_is_audited(
    programme: Programme,
) -> None:
    written = [e for e in _entries(programme.dep) if e.action.startswith("training.")]
    assert [(e.actor_id, e.action) for e in written] == [
        (COORDINATOR.id, "training.unit.record"),
        (COORDINATOR.id, "training.session.record"),
        (COORDINATOR.id, "training.participant.register"),
        (COORDINATOR.id, "training.participant.register"),
        (COORDINATOR.id, "training.enrolment.record"),
        (COORDINATOR.id, "training.enrolment.record"),
    ]
    assert written[0].record_id == programme.unit.id


def test_a_case_worker_may_not_record_a_session_and_the_refusal_is_audited(
    programme: Programme,
) -> None:
    worker = programme.of(programme.dep.worker)
    with pytest.raises(AccessDenied, match="training_coordinator"):
        worker.record_session(attrs.evolve(programme.session, capacity=90))
    last = _entries(programme.dep)[-1]
    assert (last.actor_id, last.action, last.outcome) == (
        programme.dep.worker.id,
        "training.session.record",
        "denied",
    )


def test_attendance_and_results_are_recorded_and_checked_by_the_rules(
    programme: Programme,
) -> None:
    work = programme.of(COORDINATOR)
    (enrolment,) = work.enrolments(participant_id=programme.mine.id)
    with pytest.raises(InvalidRecord, match=r"training\.completion_without_attendance"):
        work.record_result(enrolment.id, completed=True)
    work.record_attendance(enrolment.id, DAYS)
    done = work.record_result(enrolment.id, completed=True, pre_test=40, post_test=75).record
    assert (done.completed, done.pre_test, done.post_test, done.version) == (True, 40, 75, 3)


# --- a participant sees only their own ----------------------------------------------------------


def test_a_participant_sees_only_their_own_records(programme: Programme) -> None:
    worker = programme.of(programme.dep.worker)
    assert worker.participants() == [programme.mine]
    assert {e.participant_id for e in worker.enrolments()} == {programme.mine.id}
    assert worker.enrolments(participant_id=programme.other.id) == []
    coordinator = programme.of(COORDINATOR)
    assert {p.id for p in coordinator.participants()} == {programme.mine.id, programme.other.id}
    reads = [e for e in _entries(programme.dep) if e.action == "training.participant.read"]
    assert [e.actor_id for e in reads] == [programme.dep.worker.id] + [COORDINATOR.id] * 2


def test_another_persons_enrolment_is_refused_like_one_that_does_not_exist(
    programme: Programme,
) -> None:
    theirs = programme.of(COORDINATOR).enrolments(participant_id=programme.other.id)[0]
    worker = programme.of(programme.dep.worker)
    with pytest.raises(AccessDenied) as seen:
        worker.enrolment(theirs.id)
    with pytest.raises(AccessDenied) as missing:
        worker.enrolment("01a00000-0000-7000-8000-000000000000")
    assert seen.value.reason == missing.value.reason == NOT_IN_SCOPE
    assert str(seen.value).replace(theirs.id, "X") == str(missing.value).replace(
        "01a00000-0000-7000-8000-000000000000", "X"
    )


# --- evaluations, anonymous by default -----------------------------------------------------------


def _evaluation(programme: Programme, **changes: object) -> Evaluation:
    fields: dict[str, object] = {
        "session_id": programme.session.id,
        "submitted_on": TODAY,
        "ratings": [Rating(Criterion.CONTENT, 4), Rating(Criterion.LOGISTICS, 2)],
        "needs": {NeedCode.MORE_PRACTICE},
    }
    fields.update(changes)
    return Evaluation(**fields)  # type: ignore[arg-type]


def test_an_anonymous_evaluation_cannot_be_traced_to_its_author(programme: Programme) -> None:
    dep = programme.dep
    worker = programme.of(dep.worker)
    before = len(_entries(dep))
    saved = worker.submit_evaluation(_evaluation(programme)).record
    assert saved.participant_id is None
    (entry,) = _entries(dep)[before:]
    # The entry names no one, no record, and keeps the day alone.
    assert (entry.actor_id, entry.record_type, entry.record_id, entry.version) == (
        ANONYMOUS_ACTOR,
        "Evaluation",
        None,
        None,
    )
    assert entry.at == datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    assert all(saved.id not in str(attrs.asdict(e)) for e in _entries(dep)[:before])
    # The author does not see it among their own; the coordinator sees it without an author.
    assert worker.evaluations() == []
    (seen,) = programme.of(COORDINATOR).evaluations(session_id=programme.session.id)
    assert seen == saved
    assert seen.participant_id is None
    # The entry's time, earlier than the entries before it, leaves the chain whole.
    assert dep.wl.audit.verify().ok


def test_a_signed_evaluation_is_the_authors_and_is_audited_in_their_name(
    programme: Programme,
) -> None:
    worker = programme.of(programme.dep.worker)
    saved = worker.submit_evaluation(_evaluation(programme, participant_id=programme.mine.id))
    assert worker.evaluations() == [saved.record]
    entry = [e for e in _entries(programme.dep) if e.action == "training.evaluation.submit"][-1]
    assert (entry.actor_id, entry.record_id) == (programme.dep.worker.id, saved.record.id)


def test_only_participants_enrolled_in_the_session_evaluate_it(programme: Programme) -> None:
    stranger = Actor("someone.else", {Role.CASE_WORKER}, {programme.dep.upe.id})
    with pytest.raises(AccessDenied) as refused:
        programme.of(stranger).submit_evaluation(_evaluation(programme))
    assert refused.value.reason == NOT_IN_SCOPE
    worker = programme.of(programme.dep.worker)
    with pytest.raises(AccessDenied):
        # Signing with someone else's participant record.
        worker.submit_evaluation(_evaluation(programme, participant_id=programme.other.id))


def test_the_next_cycle_suppresses_groups_smaller_than_the_threshold(
    programme: Programme,
) -> None:
    programme.of(programme.dep.worker).submit_evaluation(_evaluation(programme))
    analysis = programme.of(COORDINATOR).next_cycle()
    assert analysis.groups == ()
    assert analysis.suppressed == 1
    with pytest.raises(AccessDenied):
        programme.of(programme.dep.worker).next_cycle()


# --- wladna_authorize sees every training action ------------------------------------------------


def test_wladna_authorize_is_asked_about_every_training_action(programme: Programme) -> None:
    seen: list[tuple[str, str]] = []

    def authorize(actor: object, action: str, resource: object) -> bool | None:
        seen.append((action, type(resource).__name__))
        return False if action == "training.session.record" else None

    plugins = programme.dep.wl.plugins
    plugins.register(SimpleNamespace(wladna_authorize=hookimpl(authorize)), name="watch")
    try:
        work = programme.of(COORDINATOR)
        work.participants()
        with pytest.raises(AccessDenied, match="wladna_authorize plug-in denied"):
            work.record_session(attrs.evolve(programme.session, capacity=90))
    finally:
        plugins.unregister(name="watch")
    assert ("training.participant.read", "Participant") in seen
    assert ("training.session.record", "TrainingSession") in seen


# --- support -------------------------------------------------------------------------------------


def test_a_support_request_points_to_the_unit_covering_its_topic(programme: Programme) -> None:
    worker = programme.of(programme.dep.worker)
    request = SupportRequest(Subject.INFORMATION_BASE, programme.dep.upe.id, TODAY)
    saved = worker.request_support(request).record
    assert (saved.unit_id, saved.requester_id) == (programme.unit.id, programme.dep.worker.id)
    assert worker.support_requests() == [saved]
    assert programme.of(programme.dep.outsider).support_requests() == []
    with pytest.raises(AccessDenied, match="body they belong to"):
        programme.of(programme.dep.outsider).request_support(request)


# --- the units required before writing casework ---------------------------------------------------


def _required(mode: str) -> dict[str, object]:
    return {"training": {"required_units": {"case_worker": ["BI-01"]}, "required_units_mode": mode}}


def _child() -> Child:
    return Child(
        sex=Sex.MALE, birth_date=date(2014, 5, 1), given_name="Yassine", residence="MA-SAL"
    )


def _access_warnings(outcome: Outcome[Child]) -> tuple[Violation, ...]:
    """The warnings of access of a registration: the same child registered again in these
    tests also tells of a possible duplicate, which is not what they are about."""
    return tuple(w for w in outcome.warnings if w.code != "child.possible_duplicate")


def _complete(programme: Programme) -> None:
    work = programme.of(COORDINATOR)
    (enrolment,) = work.enrolments(participant_id=programme.mine.id)
    work.record_attendance(enrolment.id, DAYS)
    work.record_result(enrolment.id, completed=True)


def test_a_case_worker_lacking_a_required_unit_is_refused_in_enforce_mode(
    store: str, tmp_path: Path
) -> None:
    with deployed(store, tmp_path, settings=_required("enforce")) as dep:
        programme = _programme(dep)
        with pytest.raises(AccessDenied) as refused:
            dep.as_(dep.worker).register_child(_child())
        reason = refused.value.reason
        assert MISSING_CODE in reason
        assert "BI-01" in reason
        assert "remedy: Enrol in a session of BI-01" in reason
        assert _entries(dep)[-1].outcome == "denied"
        _complete(programme)
        assert dep.as_(dep.worker).register_child(_child()).warnings == ()


def test_a_case_worker_lacking_a_required_unit_is_warned_in_warn_mode(
    store: str, tmp_path: Path
) -> None:
    with deployed(store, tmp_path, settings=_required("warn")) as dep:
        programme = _programme(dep)
        outcome = dep.as_(dep.worker).register_child(_child())
        (warning,) = _access_warnings(outcome)
        assert (warning.code, warning.severity) == (MISSING_CODE, Severity.WARNING)
        assert "BI-01" in warning.message
        assert "BI-01" in warning.remedy
        # The warning is kept in the audit trail, by code, and counted by the indicator.
        warned = [e for e in _entries(dep) if e.action == "access.warning"]
        assert [(e.actor_id, e.detail) for e in warned] == [
            (dep.worker.id, f"{MISSING_CODE} on child.register")
        ]
        (table,) = dep.wl.report(["training_casework_without_units"]).tables
        assert table.body == ((1, 1),)
        # A national analyst gets them rounded by their keys: the person's, the write's.
        keys = RecordKeys.from_settings(dep.wl.settings)
        method = CellKeyMethod.default(keys)
        (rounded,) = dep.as_(dep.analyst).report(["training_casework_without_units"]).tables
        people = method.perturb(1, keys.of(dep.worker.id))
        assert rounded.body == ((people, method.perturb(1, keys.of(str(warned[0].seq)))),)
        # Other roles are not concerned; and once the unit is completed, no warning.
        assert _access_warnings(dep.as_(dep.supervisor).register_child(_child())) == ()
        _complete(programme)
        assert _access_warnings(dep.as_(dep.worker).register_child(_child())) == ()


def test_without_required_units_casework_is_neither_warned_nor_refused(
    programme: Programme,
) -> None:
    dep = programme.dep
    assert dep.as_(dep.worker).register_child(_child()).warnings == ()


def test_a_plugin_violation_refuses_with_its_reason_or_warns(programme: Programme) -> None:
    from wladna_core.errors import Violation  # noqa: PLC0415

    answer: list[Violation] = []

    def authorize(action: str) -> Violation | None:
        return answer[0] if action == "child.register" else None

    dep = programme.dep
    dep.wl.plugins.register(SimpleNamespace(wladna_authorize=hookimpl(authorize)), name="say")
    try:
        answer.append(Violation("x.closed", "$", "The register is closed.", remedy="Wait."))
        with pytest.raises(AccessDenied, match=r"The register is closed\. \[x\.closed\]; remedy"):
            dep.as_(dep.worker).register_child(_child())
        answer[0] = Violation("x.late", "$", "Late.", Severity.WARNING)
        assert [w.code for w in dep.as_(dep.worker).register_child(_child()).warnings] == ["x.late"]
    finally:
        dep.wl.plugins.unregister(name="say")


def test_a_store_that_cannot_read_beside_a_write_errs_on_the_side_of_the_mode() -> None:
    from casework import deploy  # noqa: PLC0415
    from wladna_core.training.required_units import UNCHECKED_CODE  # noqa: PLC0415

    dep = deploy("sqlite://", settings=_required("enforce"))
    try:
        _programme(dep)
        with pytest.raises(AccessDenied, match=UNCHECKED_CODE):
            dep.as_(dep.worker).register_child(_child())
    finally:
        dep.wl.close()


# --- the settings and the check, as properties ------------------------------------------------


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"required_units": ["BI-01"]}, "it maps a role to the codes of the units"),
        ({"required_units": {"teacher": ["BI-01"]}}, "training.required_units.teacher"),
        ({"required_units": {"case_worker": [""]}}, "it lists the codes of training units"),
        ({"required_units_mode": "strict"}, "Write warn or enforce."),
    ],
)
def test_bad_required_units_settings_name_the_setting_and_the_remedy(
    given: dict[str, object], says: str
) -> None:
    from wladna_core.training import TrainingSettings, TrainingSettingsError  # noqa: PLC0415

    with pytest.raises(TrainingSettingsError, match=re.escape(says)):
        TrainingSettings.from_settings({"training": given})


@settings(max_examples=25, deadline=None)
@given(
    required=st.lists(st.sampled_from(["BI-01", "BI-02", "BI-03"]), unique=True, max_size=3),
    completed=st.sets(st.sampled_from(["BI-01", "BI-02", "BI-03"])),
    roles=st.sets(st.sampled_from([Role.CASE_WORKER, Role.SUPERVISOR]), min_size=1),
    enforce=st.booleans(),
)
def test_a_casework_write_is_refused_or_warned_exactly_when_a_required_unit_is_missing(
    required: list[str], completed: set[str], roles: set[Role], enforce: bool
) -> None:
    from wladna_core.storage import open_store  # noqa: PLC0415
    from wladna_core.training import Enrolment, TrainingSettings  # noqa: PLC0415
    from wladna_core.training.required_units import RequiredUnits  # noqa: PLC0415

    mode = "enforce" if enforce else "warn"
    chosen = TrainingSettings(required_units={"case_worker": required}, required_units_mode=mode)
    actor = Actor("fz.alaoui", roles)
    with open_store("memory://", clock=lambda: TODAY) as store:
        with store.unit_of_work() as uow:
            body = uow.bodies.add(
                TerritorialBody(name="UPE Salé", kind=BodyKind.UPE, territory="MA-SAL")
            )
            me = uow.repository(Participant).add(
                Participant(actor.id, body.id, StaffRole.CASE_WORKER, Sector.MINISTRY)
            )
            for code in sorted(completed):
                unit = uow.repository(TrainingUnit).add(
                    TrainingUnit(code=code, title_ar="وحدة", title_fr="Module", duration_hours=6)
                )
                session = uow.repository(TrainingSession).add(
                    TrainingSession(
                        units=[unit.id],
                        mode=SessionMode.REMOTE,
                        days=DAYS,
                        territory="MA-SAL",
                        capacity=5,
                    )
                )
                uow.repository(Enrolment).add(
                    Enrolment(me.id, session.id, date(2026, 2, 1), attended=DAYS, completed=True)
                )
        check = RequiredUnits(chosen, store)
        answer = check.wladna_authorize(actor, "case.open", None, lambda: datetime.now(UTC))
        not_a_write = check.wladna_authorize(actor, "case.read", None, lambda: datetime.now(UTC))
    missing = [code for code in required if code not in completed]
    if Role.CASE_WORKER not in roles or not missing:
        assert answer is None
    else:
        assert answer is not None
        assert answer.code == MISSING_CODE
        assert answer.is_error is enforce
        assert all(code in answer.message for code in missing)
    assert not_a_write is None
