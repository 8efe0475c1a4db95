"""Outreach contacts, tracing actions and reunifications: kept, searched, validated by stores."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from casework import STORES, store_url
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.outreach import strategies as os_
from wladna_core.casefile.outreach.kinds import MIGRATIONS, OUTREACH, OUTREACH_KINDS
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.casefile.tracing import strategies as ts
from wladna_core.casefile.tracing.kinds import REUNIFICATION, TRACING, TRACING_KINDS
from wladna_core.convert import dumps, loads, structure, unstructure
from wladna_core.errors import InvalidRecord, Severity
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Identification,
    IdentificationSource,
    Relation,
    Sex,
    TerritorialBody,
    new_id,
)
from wladna_core.plugins import kinds_from, make_plugin_manager
from wladna_core.storage import open_store
from wladna_core.storage.sql import head_revision
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.storage.sql.migrate import current_revisions

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.storage import Store

DAY = date(2026, 3, 2)
KINDS = (*OUTREACH_KINDS, *TRACING_KINDS)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        store_url(str(request.param), tmp_path) as url,
        open_store(url, settings={"allow_reset": True}, clock=lambda: DAY) as opened,
    ):
        yield opened


def _body(store: Store, territory: str = "MA-SAL") -> TerritorialBody:
    with store.unit_of_work() as uow:
        return uow.bodies.add(
            TerritorialBody(kind=BodyKind.CAPE, name=f"CAPE {territory}", territory=territory)
        )


def _case(store: Store, body: TerritorialBody, opened_on: date = date(2026, 1, 5)) -> Case:
    with store.unit_of_work() as uow:
        child = uow.children.add(
            Child(sex=Sex.MALE, birth_date=date(2013, 4, 1), given_name="Yassine")
        )
        return uow.cases.add(
            Case(
                child_id=child.id,
                body_id=body.id,
                territory=body.territory,
                opened_on=opened_on,
                identification=Identification(IdentificationSource.OUTREACH, opened_on),
            )
        )


def _contact(body: TerritorialBody, **changes: object) -> OutreachContact:
    fields: dict[str, object] = {
        "body_id": body.id,
        "territory": body.territory,
        "place": "Gare routière",
        "on": date(2026, 1, 5),
        "team": "Équipe mobile de nuit",
        "child": ChildAsMet(alias="Simo", approximate_age=13, sex=Sex.MALE),
        "offered": {OutreachOffer.FOOD, OutreachOffer.SHELTER},
    }
    fields.update(changes)
    return OutreachContact(**fields)  # type: ignore[arg-type]


def test_the_kinds_are_declared_by_the_builtin_plugins() -> None:
    kinds = kinds_from(make_plugin_manager(load_entrypoints=False))
    assert {"outreach_contact", "tracing_action", "reunification"} <= set(kinds.names)
    assert all(kind.migrations == MIGRATIONS for kind in KINDS)
    assert kinds[OutreachContact] is OUTREACH
    assert "case_id" in TRACING.filters  # case kinds are searched by case


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_filter_has_a_column_or_a_side_table(kind: object) -> None:
    tables = tables_of(kind)  # type: ignore[arg-type]
    columns = set(tables.table.columns.keys())
    for item in kind.filters.values():  # type: ignore[attr-defined]
        assert item.field in columns or item.field in tables.side


def test_outreach_contacts_are_kept_and_searched_on_declared_fields(store: Store) -> None:
    sale, rabat = _body(store), _body(store, "MA-RAB")
    case = _case(store, sale, date(2026, 2, 1))
    with store.unit_of_work() as uow:
        first, second, third = uow.repository(OUTREACH).add_many(
            [
                _contact(sale),
                _contact(sale, on=date(2026, 2, 1), agreed=True, case_id=case.id),
                _contact(
                    rabat, offered={OutreachOffer.LISTENING}, child=ChildAsMet(sex=Sex.FEMALE)
                ),
            ]
        )
    with store.unit_of_work(read_only=True) as uow:
        contacts = uow.repository(OutreachContact)
        assert contacts.get(first.id) == first
        assert contacts.get(third.id).child == ChildAsMet(sex=Sex.FEMALE)

        def ids(**filters: object) -> set[str]:
            return {contact.id for contact in contacts.find(OUTREACH.query(**filters))}

        assert ids(body_id=sale.id) == {first.id, second.id}
        # Salé and Rabat are both in the region Rabat-Salé-Kénitra (MA-04).
        assert ids(territory="MA-04") == {first.id, second.id, third.id}
        assert ids(territory="MA-RAB") == {third.id}
        assert ids(on_from=date(2026, 1, 6)) == {second.id}
        assert ids(on_to=date(2026, 1, 5)) == {first.id, third.id}
        assert ids(agreed=True) == {second.id}
        assert ids(case_id=case.id) == {second.id}
        assert ids(offer=OutreachOffer.SHELTER) == {first.id, second.id}
        assert ids(offer=OutreachOffer.HEALTH_CARE) == set()


def test_tracing_and_reunification_are_kept_and_searched_by_case(store: Store) -> None:
    body = _body(store)
    case, other = _case(store, body), _case(store, body)
    with store.unit_of_work() as uow:
        action = uow.repository(TRACING).add(
            TracingAction(
                case.id,
                date(2026, 1, 20),
                TracingMethod.CIVIL_STATUS_REQUEST,
                "l'acte de naissance, commune d'Ouled Teima",
                TracingResult.FOUND,
            )
        )
        uow.repository(TRACING).add(
            TracingAction(other.id, date(2026, 1, 21), TracingMethod.MEDIA, "la mère")
        )
        reunification = uow.repository(REUNIFICATION).add(
            Reunification(
                case.id,
                date(2026, 2, 1),
                Relation.GRANDPARENT,
                "MA-TAR",
                verified=True,
                follow_ups=(
                    FollowUpVisit(date(2026, 2, 15), VisitOutcome.WELL),
                    FollowUpVisit(date(2026, 3, 1), VisitOutcome.WELL, note="Scolarisé"),
                ),
                outcome=ReunificationOutcome.SUSTAINED,
            )
        )
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(TracingAction).find(TRACING.query(case_id=case.id)) == [action]
        assert uow.repository(TracingAction).count(TRACING.query(result={"pending"})) == 1
        found = uow.repository(Reunification).find(
            REUNIFICATION.query(territory="MA-09", outcome={ReunificationOutcome.SUSTAINED})
        )
        assert found == [reunification]
        assert uow.repository(Reunification).get(reunification.id) == reunification


def test_the_rules_refuse_a_whole_batch_and_nothing_is_written(store: Store) -> None:
    body = _body(store)
    case = _case(store, body)
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(OUTREACH).add_many(
            [
                _contact(body),
                _contact(body, child=ChildAsMet(approximate_age=19), on=date(2026, 3, 3)),
            ]
        )
    violations = refused.value.violations
    assert {(v.code, v.path) for v in violations} == {
        ("outreach.age_out_of_range", "$.child.approximate_age"),
        ("outreach.in_future", "$.on"),
    }
    assert all(v.remedy for v in violations)
    with (
        pytest.raises(InvalidRecord, match=r"tracing\.before_case_opened"),
        store.unit_of_work() as uow,
    ):
        uow.repository(TRACING).add(
            TracingAction(case.id, date(2026, 1, 4), TracingMethod.PHONE_CALL, "le père")
        )
    with pytest.raises(InvalidRecord, match=r"outreach\.case_unknown"), store.unit_of_work() as uow:
        uow.repository(OUTREACH).add(_contact(body, case_id=new_id()))
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(OUTREACH).count() == 0
        assert uow.repository(TRACING).count() == 0


def test_a_reunification_after_a_trace_found_in_the_same_batch_gives_no_warning(
    store: Store,
) -> None:
    body = _body(store)
    case = _case(store, body)
    reunification = Reunification(
        case.id, date(2026, 2, 1), Relation.MOTHER, "MA-SAL", verified=True
    )
    with store.unit_of_work() as uow:
        uow.repository(REUNIFICATION).add(reunification)
        assert [w.code for w in uow.warnings] == ["reunification.without_trace"]
        assert all(w.severity is Severity.WARNING for w in uow.warnings)
    with store.unit_of_work() as uow:
        found = TracingAction(
            case.id, date(2026, 1, 30), TracingMethod.HOME_VISIT, "la mère", TracingResult.FOUND
        )
        again = attrs.evolve(reunification, id=new_id())
        uow.repository(TRACING).add(found)
        uow.repository(REUNIFICATION).add(again)
        assert uow.warnings == []


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(contact=os_.outreach_contacts(on=DAY))
def test_a_drawn_contact_is_kept_whole(store: Store, contact: OutreachContact) -> None:
    store.reset()
    body = os_.body_for(contact)
    with store.unit_of_work() as uow:
        uow.bodies.add(body)
        saved = uow.repository(OUTREACH).add(contact)
        assert uow.warnings == []
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(OUTREACH).get(contact.id) == saved


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=ts.tracing_files(new_id(), first=date(2025, 1, 1), on=DAY).map(lambda r: r))
def test_a_drawn_tracing_file_is_kept_whole(
    store: Store, data: list[TracingAction | Reunification]
) -> None:
    store.reset()
    body = _body(store)
    case = _case(store, body, date(2025, 1, 1))
    records = [attrs.evolve(record, case_id=case.id) for record in data]
    with store.unit_of_work() as uow:
        saved = [uow.repository(type(record)).add(record) for record in records]
        assert uow.warnings == []
    with store.unit_of_work(read_only=True) as uow:
        for record in saved:
            assert uow.repository(type(record)).get(record.id) == record


def test_sql_databases_get_the_branch_with_the_cores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    assert {head_revision(), "casefile_outreach_0001"} <= set(current_revisions(url))


# --- the converter ----------------------------------------------------------------------------


@given(contact=os_.outreach_contacts(on=DAY))
def test_a_contact_goes_through_the_converter_unchanged(contact: OutreachContact) -> None:
    assert loads(dumps(contact), OutreachContact) == contact
    assert structure(unstructure(contact), OutreachContact) == contact


@given(records=ts.tracing_files(new_id(), first=date(2025, 1, 1), on=DAY))
def test_tracing_records_go_through_the_converter_unchanged(
    records: list[TracingAction | Reunification],
) -> None:
    for record in records:
        assert structure(unstructure(record), type(record)) == record


def test_bad_input_names_every_problem_with_its_path_code_and_remedy() -> None:
    data = unstructure(_contact(TerritorialBody(kind=BodyKind.UPE, name="UPE", territory="MA-SAL")))
    data["child"]["approximate_age"] = -3
    data["offered"] = ["food", "cake"]
    data["on"] = "2026-02-30"
    with pytest.raises(InvalidRecord) as refused:
        structure(data, OutreachContact)
    found = {(v.code, v.path) for v in refused.value.violations}
    assert found == {
        ("input.date", "$.on"),
        ("input.negative", "$.child.approximate_age"),
        ("input.enum", "$.offered[1]"),
    }
    assert all(v.remedy for v in refused.value.violations)
    visit = {"on": "2026-01-02", "outcome": "happy"}
    with pytest.raises(InvalidRecord, match=r"\$\.follow_ups\[0\]\.outcome"):
        structure(
            {
                "case_id": new_id(),
                "on": "2026-01-01",
                "with_whom": "mother",
                "where": "MA-SAL",
                "follow_ups": [visit],
            },
            Reunification,
        )
