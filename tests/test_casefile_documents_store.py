"""The kinds of the documents group — participation, concern details, documents — in every store.

Each is kept, read back and searched on its declared fields by the memory store, SQLite and
PostgreSQL alike; the rules run on the way in and a batch with one bad record writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from casework import STORES, TODAY, Deployment, deployed, examples
from wladna_core.casefile.concerns import ConcernDetail
from wladna_core.casefile.concerns.kinds import CONCERN_DETAIL
from wladna_core.casefile.concerns.strategies import concern_details
from wladna_core.casefile.documents import Document, DocumentCategory, Sensitivity
from wladna_core.casefile.documents.kinds import DOCUMENT
from wladna_core.casefile.documents.strategies import documents
from wladna_core.casefile.participation import Decision, Hearing, Participation
from wladna_core.casefile.participation.kinds import MIGRATIONS, PARTICIPATION
from wladna_core.casefile.participation.strategies import participations
from wladna_core.errors import InvalidRecord
from wladna_core.model import ProtectionConcern
from wladna_core.plugins import kinds_from, make_plugin_manager
from wladna_core.storage import open_store
from wladna_core.storage.sql import head_revision
from wladna_core.storage.sql.migrate import current_revisions

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.model import Case

KINDS = (PARTICIPATION, CONCERN_DETAIL, DOCUMENT)


@pytest.fixture(params=STORES)
def dep(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(str(request.param), tmp_path) as deployment:
        yield deployment


def test_the_three_kinds_are_declared_by_builtin_plugins_with_one_migration_branch() -> None:
    kinds = kinds_from(make_plugin_manager(load_entrypoints=False))
    assert {"participation", "concern_detail", "document"} <= set(kinds.names)
    assert {kind.migrations for kind in KINDS} == {MIGRATIONS}


def test_sql_databases_get_the_documents_branch_with_the_cores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    assert {head_revision(), "casefile_documents_0001"} <= set(current_revisions(url))


def _participation(case: Case, **changes: object) -> Participation:
    fields: dict[str, object] = {
        "case_id": case.id,
        "on": TODAY,
        "decision": Decision.CASE_PLAN,
        "heard": Hearing.IN_PERSON,
        "recorded_by": "worker.sale",
        "views": "أريد أن أبقى مع جدتي",
        "taken_into_account": "Placement with the grandmother kept in the plan.",
    }
    fields.update(changes)
    return Participation(**fields)  # type: ignore[arg-type]


def _detail(case: Case, **changes: object) -> ConcernDetail:
    fields: dict[str, object] = {
        "case_id": case.id,
        "concern": ProtectionConcern.NEGLECT,
        "identified_on": date(2026, 2, 20),
        "identified_by": "school teacher",
    }
    fields.update(changes)
    return ConcernDetail(**fields)  # type: ignore[arg-type]


def _document(case: Case, **changes: object) -> Document:
    fields: dict[str, object] = {
        "case_id": case.id,
        "title": "Jugement de kafala",
        "category": DocumentCategory.COURT_DECISION,
        "media_type": "application/pdf",
        "size": 81234,
        "sha256": "3" * 64,
        "location": "sha256:" + "3" * 64,
        "added_on": TODAY,
        "added_by": "worker.sale",
    }
    fields.update(changes)
    return Document(**fields)  # type: ignore[arg-type]


def test_records_are_kept_read_back_and_searched_on_declared_fields(dep: Deployment) -> None:
    case, other = dep.case(), dep.case()
    store = dep.wl.store
    with store.unit_of_work() as uow:
        heard = uow.repository(PARTICIPATION).add(_participation(case))
        closure = uow.repository(PARTICIPATION).add(
            _participation(
                other,
                decision=Decision.CLOSURE,
                heard=Hearing.WITH_INTERPRETER,
                views="Je veux rentrer chez moi",
                taken_into_account="Retour en famille, suivi de six mois.",
            )
        )
        detail = uow.repository(CONCERN_DETAIL).add(_detail(case))
        resolved = uow.repository(CONCERN_DETAIL).add(
            _detail(other, resolved_on=date(2026, 3, 1), resolution="Back at school.")
        )
        decision = uow.repository(DOCUMENT).add(_document(case))
        photo = uow.repository(DOCUMENT).add(
            _document(
                case,
                title="Photo",
                category=DocumentCategory.PHOTO,
                media_type="image/jpeg",
                sha256="4" * 64,
                location="sha256:" + "4" * 64,
                sensitivity=Sensitivity.VERY_RESTRICTED,
            )
        )
    with store.unit_of_work(read_only=True) as uow:
        for record in (heard, closure, detail, resolved, decision, photo):
            assert uow.repository(type(record)).get(record.id) == record
            assert record.version == 1
        views = uow.repository(PARTICIPATION)
        assert views.find(PARTICIPATION.query(case_id=case.id)) == [heard]
        assert views.find(PARTICIPATION.query(decision={"closure"})) == [closure]
        assert views.find(PARTICIPATION.query(heard={"with_interpreter", "in_writing"})) == [
            closure
        ]
        details = uow.repository(CONCERN_DETAIL)
        assert details.find(CONCERN_DETAIL.query(open=True)) == [detail]
        assert details.find(CONCERN_DETAIL.query(concern={"neglect"}, case_id=other.id)) == [
            resolved
        ]
        docs = uow.repository(DOCUMENT)
        assert docs.find(DOCUMENT.query(category={"court_decision"})) == [decision]
        assert docs.find(DOCUMENT.query(sha256="4" * 64)) == [photo]
        assert docs.find(DOCUMENT.query(sensitivity={"very_restricted"})) == [photo]
        assert sorted(d.id for d in docs.find(DOCUMENT.query(case_id=case.id))) == sorted(
            [decision.id, photo.id]
        )


def test_a_batch_with_one_refused_record_writes_nothing(dep: Deployment) -> None:
    case = dep.case()
    store = dep.wl.store
    with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
        uow.repository(CONCERN_DETAIL).add_many(
            [_detail(case), _detail(case, concern=ProtectionConcern.BEGGING)]
        )
    assert [v.code for v in refused.value.violations] == ["concern.not_in_case"]
    with pytest.raises(InvalidRecord) as twice, store.unit_of_work() as uow:
        # The second is refused because of the first, written earlier in the same call.
        uow.repository(CONCERN_DETAIL).add_many([_detail(case), _detail(case)])
    assert [v.code for v in twice.value.violations] == ["concern.already_open"]
    with store.unit_of_work(read_only=True) as uow:
        assert uow.repository(CONCERN_DETAIL).count() == 0


def test_the_store_refuses_a_document_larger_than_its_setting(tmp_path: Path) -> None:
    with deployed("sqlite", tmp_path, settings={"documents": {"max_size": 1000}}) as dep:
        case = dep.case()
        with pytest.raises(InvalidRecord) as refused, dep.wl.store.unit_of_work() as uow:
            uow.repository(DOCUMENT).add(_document(case, size=1001))
        [violation] = refused.value.violations
        assert (violation.code, violation.path) == ("document.too_large", "$.size")


@pytest.mark.parametrize("store_kind", STORES)
def test_drawn_records_round_trip_through_every_store(store_kind: str, tmp_path: Path) -> None:
    with deployed(store_kind, tmp_path) as dep:
        case = attrs.evolve(dep.case(), concerns={ProtectionConcern.NEGLECT})
        with dep.wl.store.unit_of_work() as uow:
            case = uow.cases.update(case)

        @settings(
            max_examples=examples(store_kind, 20),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(
            participations(case, on=TODAY),
            concern_details(case, on=TODAY, resolved=True),
            documents(case, on=TODAY),
        )
        def round_trip(record: Participation, detail: ConcernDetail, document: Document) -> None:
            with dep.wl.store.unit_of_work() as uow:
                saved = [
                    uow.repository(type(item)).add(item) for item in (record, detail, document)
                ]
            with dep.wl.store.unit_of_work(read_only=True) as uow:
                for item in saved:
                    assert uow.repository(type(item)).get(item.id) == item

        round_trip()
