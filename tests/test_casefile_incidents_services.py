"""The services of incidents and care arrangements: access, audit, and what never leaks.

Incidents are for those who work the case: not a coordinator covering the territory, not the
target of a referral, not another body; a case they do not work is refused exactly as a case
that does not exist; limited views and exports never carry an incident.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest

from casework import STORES, TODAY, Deployment, deployed
from cli_support import run
from wladna_core import Actor, Role
from wladna_core.access import NOT_IN_SCOPE, AccessDenied, LimitedCase
from wladna_core.casefile import CareArrangement, Incident
from wladna_core.casefile.care import CareType, KafalaDecision
from wladna_core.casefile.incidents import (
    DisclosedBy,
    Disclosure,
    IncidentAction,
    IncidentType,
    Perpetrator,
)
from wladna_core.cli import ExitCode
from wladna_core.convert import unstructure
from wladna_core.errors import InvalidRecord
from wladna_core.model import Case, Consent, ConsentGiver, ServiceType, new_id
from wladna_core.storage import ConcurrencyConflict
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: What an incident holds that nothing but the incident services may show.
SECRET_NOTE = "Révélé à l'infirmière scolaire ; le beau-père est mis en cause."


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def _incident(*cases: Case, **changes: object) -> Incident:
    fields: dict[str, object] = {
        "case_ids": [case.id for case in cases],
        "type": IncidentType.PHYSICAL_VIOLENCE,
        "occurred_on": date(2026, 2, 20),
        "place": "home",
        "territory": "MA-SAL",
        "perpetrator": Perpetrator.STEP_PARENT,
        "disclosure": Disclosure(date(2026, 2, 21), DisclosedBy.PROFESSIONAL),
        "actions": {IncidentAction.MEDICAL_CARE, IncidentAction.PSYCHOLOGICAL_SUPPORT},
        "note": SECRET_NOTE,
    }
    fields.update(changes)
    return Incident(**fields)  # type: ignore[arg-type]


def _entries(dep: Deployment, action: str) -> list[tuple[str, str | None, str]]:
    return [
        (entry.actor_id, entry.record_id, entry.outcome)
        for entry in dep.wl.audit.entries()
        if entry.action == action
    ]


def _refusal(denied: AccessDenied, record_id: str) -> tuple[str, str, str | None, str]:
    return (
        str(denied).replace(record_id, "<id>"),
        denied.reason,
        denied.record_type,
        denied.action,
    )


def _rabat_case(dep: Deployment) -> Case:
    child = dep.child(by=dep.outsider, residence="MA-RAB")
    from wladna_core.model import Identification, IdentificationSource  # noqa: PLC0415

    return (
        dep.as_(dep.outsider)
        .open_case(
            child_id=child.id,
            body_id=dep.rabat.id,
            identification=Identification(IdentificationSource.SCHOOL, TODAY),
            on=TODAY,
        )
        .record
    )


# --- incidents: recording ---------------------------------------------------------------------


def test_a_case_worker_records_an_incident_of_their_case_and_it_is_audited(
    dep: Deployment,
) -> None:
    case = dep.case()
    outcome = dep.as_(dep.worker).casefile.record_incident(_incident(case))
    incident = outcome.record
    assert incident.recorded_by == "worker.sale"
    assert incident.version == 1
    assert outcome.warnings == ()
    assert _entries(dep, "case.incident.record") == [("worker.sale", incident.id, "done")]
    assert dep.wl.audit.verify().ok


def test_a_sexual_violence_incident_without_report_comes_back_with_the_warning(
    dep: Deployment,
) -> None:
    case = dep.case()
    outcome = dep.as_(dep.supervisor).casefile.record_incident(
        _incident(case, type=IncidentType.SEXUAL_VIOLENCE)
    )
    assert [warning.code for warning in outcome.warnings] == ["incident.not_reported_to_prosecutor"]


def test_an_incident_of_two_siblings_needs_the_actor_to_work_both(dep: Deployment) -> None:
    first, second = dep.case(), dep.case()
    incident = dep.as_(dep.worker).casefile.record_incident(_incident(first, second)).record
    assert incident.case_ids == (first.id, second.id)
    rabat = _rabat_case(dep)
    with pytest.raises(AccessDenied) as refused:
        dep.as_(dep.worker).casefile.record_incident(_incident(first, rabat))
    unknown = new_id()
    with pytest.raises(AccessDenied) as unknown_refused:
        dep.as_(dep.worker).casefile.record_incident(_incident(first, Case_with_id(unknown)))
    # Refused alike: the same words, reason and kind, the id asked for only differing.
    assert _refusal(refused.value, rabat.id) == _refusal(unknown_refused.value, unknown)
    assert refused.value.reason == NOT_IN_SCOPE
    assert refused.value.record_type == "Case"
    assert [e[2] for e in _entries(dep, "case.incident.record")] == ["done", "denied", "denied"]
    assert len(dep.as_(dep.worker).casefile.incidents(first.id)) == 1


class Case_with_id:  # noqa: N801 (a stand-in with the one attribute _incident reads)
    def __init__(self, case_id: str) -> None:
        self.id = case_id


@pytest.mark.parametrize("who", ["coordinator", "provider", "outsider", "analyst", "admin"])
def test_no_one_who_does_not_work_the_case_records_or_reads_its_incidents(
    dep: Deployment, who: str
) -> None:
    case = dep.case()
    worker = dep.as_(dep.worker)
    referral = worker.refer(case.id, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL)
    dep.as_(dep.provider).accept(referral.record.id)
    worker.casefile.record_incident(_incident(case))
    actor = getattr(dep, who)
    services = dep.as_(actor).casefile
    unknown = new_id()
    for call in (
        lambda case_id: services.record_incident(_incident(Case_with_id(case_id))),
        services.incidents,
    ):
        with pytest.raises(AccessDenied) as seen:
            call(case.id)
        with pytest.raises(AccessDenied) as unseen:
            call(unknown)
        assert _refusal(seen.value, case.id) == _refusal(unseen.value, unknown)
        assert seen.value.reason == NOT_IN_SCOPE


def test_the_coordinator_sees_the_case_in_full_but_not_its_incidents(dep: Deployment) -> None:
    case = dep.case()
    dep.as_(dep.worker).casefile.record_incident(_incident(case))
    assert dep.as_(dep.coordinator).case(case.id) == dep.as_(dep.worker).case(case.id)
    with pytest.raises(AccessDenied, match="no such record"):
        dep.as_(dep.coordinator).casefile.incidents(case.id)


def test_a_record_with_an_unknown_case_says_nothing_the_rules_would(dep: Deployment) -> None:
    unknown = new_id()
    with pytest.raises(AccessDenied) as refused:
        dep.as_(dep.worker).casefile.record_incident(_incident(Case_with_id(unknown)))
    assert not isinstance(refused.value, InvalidRecord)
    assert "incident.case_unknown" not in str(refused.value)


# --- incidents: reading -----------------------------------------------------------------------


def test_reading_shows_only_the_linked_cases_the_actor_works(dep: Deployment) -> None:
    sale = dep.case()
    rabat = _rabat_case(dep)
    both = Actor("worker.both", {Role.CASE_WORKER}, {dep.upe.id, dep.rabat.id})
    incident = dep.as_(both).casefile.record_incident(_incident(sale, rabat)).record
    [seen_in_sale] = dep.as_(dep.worker).casefile.incidents(sale.id)
    assert seen_in_sale.case_ids == (sale.id,)
    assert seen_in_sale.id == incident.id
    assert rabat.id not in repr(seen_in_sale)
    [seen_in_rabat] = dep.as_(dep.outsider).casefile.incidents(rabat.id)
    assert seen_in_rabat.case_ids == (rabat.id,)
    assert dep.as_(both).casefile.incidents(rabat.id) == [incident]
    assert dep.as_(dep.worker).casefile.incident(incident.id) == seen_in_sale


def test_each_incident_read_is_audited_one_entry_each(dep: Deployment) -> None:
    case = dep.case()
    work = dep.as_(dep.worker).casefile
    first = work.record_incident(_incident(case)).record
    second = work.record_incident(_incident(case, occurred_on=date(2026, 1, 5), disclosure=None))
    found = work.incidents(case.id)
    assert [item.id for item in found] == [second.record.id, first.id]  # by date
    reads = _entries(dep, "case.incident.read")
    assert sorted(reads) == sorted(
        [("worker.sale", first.id, "done"), ("worker.sale", second.record.id, "done")]
    )
    work.incident(first.id)
    assert len(_entries(dep, "case.incident.read")) == 3


def test_one_incident_is_refused_alike_when_unknown_or_not_worked(dep: Deployment) -> None:
    case = dep.case()
    incident = dep.as_(dep.worker).casefile.record_incident(_incident(case)).record
    unknown = new_id()
    refusals = []
    for record_id in (incident.id, unknown):
        with pytest.raises(AccessDenied) as refused:
            dep.as_(dep.coordinator).casefile.incident(record_id)
        refusals.append(_refusal(refused.value, record_id))
    assert refusals[0] == refusals[1]
    assert refusals[0][2] == "Incident"


# --- limited views and exports never carry an incident -----------------------------------------


def _with_incident(dep: Deployment) -> tuple[Case, Incident]:
    case = dep.case(with_family=True)
    worker = dep.as_(dep.worker)
    consent = Consent(TODAY, ConsentGiver.CAREGIVER, services=True, sharing=True, reporting=True)
    worker.record_consent(case.id, consent)
    incident = worker.casefile.record_incident(_incident(case)).record
    return case, incident


def _carries_no_incident(text: str, incident: Incident) -> None:
    for secret in (incident.id, SECRET_NOTE, "step_parent", "physical_violence"):
        assert secret not in text


def test_the_limited_view_of_a_referral_target_carries_no_incident(dep: Deployment) -> None:
    case, incident = _with_incident(dep)
    referral = dep.as_(dep.worker).refer(
        case.id, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL
    )
    seen = dep.as_(dep.provider).case(case.id)
    assert isinstance(seen, LimitedCase)
    _carries_no_incident(repr(seen), incident)
    _carries_no_incident(repr(dep.as_(dep.provider).referrals(case.id)), incident)
    assert referral.record.id in repr(dep.as_(dep.provider).referrals(case.id))


def test_the_export_and_the_pseudonymised_export_carry_no_incident(dep: Deployment) -> None:
    from wladna_core.reporting.pseudonyms import Pseudonymiser  # noqa: PLC0415

    case, incident = _with_incident(dep)
    for actor in (dep.supervisor, dep.coordinator):
        exported = dep.as_(actor).export()
        assert {kind for kind, _ in exported} <= {"child", "family", "case", "referral"}
        assert case.id in json.dumps(exported)
        _carries_no_incident(json.dumps(exported), incident)
        pseudonymised = dep.as_(actor).export(pseudonymiser=Pseudonymiser(b"k" * 32))
        assert pseudonymised
        _carries_no_incident(json.dumps(pseudonymised), incident)
    assert not any(
        entry.record_type == "Incident"
        for entry in dep.wl.audit.entries()
        if entry.action == "report.export"
    )


def test_the_wladna_export_command_carries_no_incident(tmp_path: Path) -> None:
    with deployed("sqlite", tmp_path) as dep:
        case, incident = _with_incident(dep)
        url = dep.wl.store.url
        arrangement = dep.as_(dep.worker).casefile.record_care(
            CareArrangement(case_id=case.id, type=CareType.PARENTS, started_on=date(2015, 6, 1))
        )
    result = run("export", "--db", url)
    assert result.exit_code == 0, result.stderr
    types = {json.loads(line)["type"] for line in result.stdout.splitlines()}
    assert "incident" not in types
    assert {"case", "care_arrangement"} <= types  # the rest of the case file goes
    assert case.id in result.stdout
    _carries_no_incident(result.stdout, incident)
    assert arrangement.record.id in result.stdout
    asked = run("export", "--db", url, "--type", "incident")
    assert asked.exit_code == ExitCode.USAGE
    assert "incident records never leave the store in a file" in asked.stderr
    assert "wladna db copy" in asked.stderr
    assert asked.stdout == ""


# --- care arrangements ------------------------------------------------------------------------


def _kafala(case: Case) -> CareArrangement:
    return CareArrangement(
        case_id=case.id,
        type=CareType.KAFALA,
        started_on=date(2024, 9, 1),
        kafala=KafalaDecision("Tribunal de première instance de Salé", "88/2024", date(2024, 7, 2)),
    )


def test_a_history_of_care_is_recorded_ended_and_read(dep: Deployment) -> None:
    case = dep.case()
    work = dep.as_(dep.worker).casefile
    assert work.current_care(case.id) is None
    kafala = work.record_care(_kafala(case)).record
    assert kafala.recorded_by == "worker.sale"
    assert work.current_care(case.id) == kafala
    ended = work.end_care(kafala.id, expected_version=kafala.version, on=date(2026, 2, 1)).record
    assert ended.ended_on == date(2026, 2, 1)
    assert ended.version == kafala.version + 1
    centre = work.record_care(
        CareArrangement(
            case_id=case.id,
            type=CareType.RESIDENTIAL,
            started_on=date(2026, 2, 1),
            establishment_id=dep.cape.id,
        )
    ).record
    assert work.care_history(case.id) == [ended, centre]
    assert dep.as_(dep.coordinator).casefile.care_history(case.id) == [ended, centre]
    records = [e for e in dep.wl.audit.entries() if e.action == "case.care.record"]
    assert [(e.record_id, e.version) for e in records] == [
        (kafala.id, 1),
        (kafala.id, 2),
        (centre.id, 1),
    ]
    reads = _entries(dep, "case.care.read")
    assert ("coordinator.region", centre.id, "done") in reads
    assert dep.wl.audit.verify().ok


def test_a_second_open_arrangement_is_refused_whole(dep: Deployment) -> None:
    case = dep.case()
    work = dep.as_(dep.worker).casefile
    work.record_care(_kafala(case))
    with pytest.raises(InvalidRecord) as refused:
        work.record_care(
            CareArrangement(case_id=case.id, type=CareType.STREET, started_on=date(2026, 2, 1))
        )
    assert {v.code for v in refused.value.violations} == {"care.more_than_one_open"}
    assert len(work.care_history(case.id)) == 1


def test_ending_an_arrangement_checks_the_version_and_ends_it_once(dep: Deployment) -> None:
    case = dep.case()
    work = dep.as_(dep.worker).casefile
    kafala = work.record_care(_kafala(case)).record
    with pytest.raises(ConcurrencyConflict):
        work.end_care(kafala.id, expected_version=kafala.version - 1)
    ended = work.end_care(kafala.id, expected_version=kafala.version).record
    assert ended.ended_on == TODAY
    with pytest.raises(TransitionRefused, match=r"ended on 20"):
        work.end_care(kafala.id, expected_version=ended.version)
    other = dep.case()
    started = work.record_care(_kafala(other)).record
    with pytest.raises(InvalidRecord) as refused:
        work.end_care(started.id, expected_version=started.version, on=date(2024, 8, 1))
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == ("care.ended_before_started", "$.ended_on")
    assert violation.record == f"CareArrangement {started.id}"
    assert work.current_care(other.id) == started


@pytest.mark.parametrize("who", ["provider", "outsider", "analyst"])
def test_care_is_refused_alike_to_those_who_do_not_see_the_case(dep: Deployment, who: str) -> None:
    case = dep.case()
    referral = dep.as_(dep.worker).refer(
        case.id, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL
    )
    dep.as_(dep.provider).accept(referral.record.id)
    kafala = dep.as_(dep.worker).casefile.record_care(_kafala(case)).record
    services = dep.as_(getattr(dep, who)).casefile
    unknown = new_id()
    with pytest.raises(AccessDenied) as seen:
        services.end_care(kafala.id, expected_version=kafala.version)
    with pytest.raises(AccessDenied) as unseen:
        services.end_care(unknown, expected_version=0)
    assert _refusal(seen.value, kafala.id) == _refusal(unseen.value, unknown)
    for read in (services.care_history, services.current_care):
        with pytest.raises(AccessDenied):
            read(case.id)


def test_a_coordinator_reads_care_but_does_not_record_it(dep: Deployment) -> None:
    case = dep.case()
    with pytest.raises(AccessDenied, match=r"case\.care\.record"):
        dep.as_(dep.coordinator).casefile.record_care(_kafala(case))
    assert dep.as_(dep.coordinator).casefile.care_history(case.id) == []


def test_the_deployment_sets_the_age_of_independent_living(tmp_path: Path) -> None:
    with deployed("memory", tmp_path, settings={"care": {"independent_from_age": 10}}) as dep:
        case = dep.case()  # a child born on 2015-06-01, 10 on 2025-06-01
        outcome = dep.as_(dep.worker).casefile.record_care(
            CareArrangement(case_id=case.id, type=CareType.INDEPENDENT, started_on=date(2025, 7, 1))
        )
        assert outcome.warnings == ()
    with deployed("memory", tmp_path) as dep:
        case = dep.case()
        outcome = dep.as_(dep.worker).casefile.record_care(
            CareArrangement(case_id=case.id, type=CareType.INDEPENDENT, started_on=date(2025, 7, 1))
        )
        assert [w.code for w in outcome.warnings] == ["care.independent_under_age"]


def test_an_incident_is_structured_from_json_with_every_field() -> None:
    data = unstructure(_incident(Case_with_id(new_id())))
    assert data["note"] == SECRET_NOTE
    assert sorted(data["actions"]) == ["medical_care", "psychological_support"]


# --- the indicator of care arrangements -------------------------------------------------------


def test_children_in_care_counts_each_child_in_the_arrangement_of_the_day(
    dep: Deployment,
) -> None:
    from wladna_core.reporting import Period, Privacy  # noqa: PLC0415

    work = dep.as_(dep.worker).casefile
    centre_cases = [dep.case() for _ in range(6)]
    for case in centre_cases:
        home = work.record_care(
            CareArrangement(
                case_id=case.id,
                type=CareType.PARENTS,
                started_on=date(2015, 6, 1),
                ended_on=date(2026, 2, 1),
            )
        ).record
        work.record_care(
            CareArrangement(
                case_id=case.id,
                type=CareType.RESIDENTIAL,
                started_on=home.ended_on,
                establishment_name="EPS Salé",
            )
        )
    work.record_care(_kafala(dep.case()))
    (table,) = dep.wl.report(["children_in_care"], by=["care_type", "province"]).tables
    assert table.body == (("kafala", "MA-SAL", 1), ("residential", "MA-SAL", 6))
    # On the day before the move, the six lived with their parents.
    (before,) = dep.wl.report(
        ["children_in_care"], by=["care_type"], period=Period(date(2026, 1, 1), date(2026, 1, 31))
    ).tables
    assert before.body == (("kafala", 1), ("parents", 6))
    (public,) = dep.wl.report(["children_in_care"], by=["care_type"], privacy=Privacy.PUBLIC).tables
    assert ("kafala", 1) not in public.body
    assert public.suppressed
    # Each person counts the cases of the bodies they may count.
    (mine,) = dep.as_(dep.supervisor).report(["children_in_care"], by=["care_type"]).tables
    assert mine.body == (("kafala", 1), ("residential", 6))
    (theirs,) = dep.as_(dep.outsider).report(["children_in_care"], by=["care_type"]).tables
    assert theirs.body == ()


# --- a property over any actor ----------------------------------------------------------------


def test_any_actor_reads_only_the_cases_they_work_and_is_refused_alike_otherwise(
    tmp_path: Path,
) -> None:
    from hypothesis import HealthCheck, given, settings  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415

    from wladna_core.access import works_on  # noqa: PLC0415

    with deployed("memory", tmp_path) as dep:
        sale, other = dep.case(), dep.case()
        rabat = _rabat_case(dep)
        both = Actor("worker.both", {Role.CASE_WORKER}, {dep.upe.id, dep.rabat.id})
        dep.as_(both).casefile.record_incident(_incident(sale, rabat))
        dep.as_(dep.worker).casefile.record_incident(_incident(sale, other))
        bodies = [dep.upe.id, dep.cape.id, dep.cppe.id, dep.region.id, dep.rabat.id]
        stored = {case.id: case for case in (sale, other, rabat)}

        @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(
            roles=st.frozensets(st.sampled_from(Role), min_size=1),
            member_of=st.frozensets(st.sampled_from(bodies)),
            asked=st.sampled_from(sorted(stored)),
        )
        def check(roles: frozenset[Role], member_of: frozenset[str], asked: str) -> None:
            actor = Actor("someone", roles, member_of)
            services = dep.as_(actor).casefile
            if not works_on(actor, stored[asked]):
                # Not of the case's body: refused as a case that does not exist.
                with pytest.raises(AccessDenied) as refused:
                    services.incidents(asked)
                assert refused.value.reason == NOT_IN_SCOPE
                return
            if not roles & {Role.CASE_WORKER, Role.SUPERVISOR}:
                # A coordinator of the case's own body sees the case, not its incidents: they
                # are refused as for a case that does not exist, the refusal telling no more.
                with pytest.raises(AccessDenied) as refused:
                    services.incidents(asked)
                assert refused.value.reason == NOT_IN_SCOPE
                return
            found = services.incidents(asked)
            assert found
            for incident in found:
                assert asked in incident.case_ids
                assert all(works_on(actor, stored[case_id]) for case_id in incident.case_ids)

        check()
