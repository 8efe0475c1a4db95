r"""The adapter contract suite: what every store must do, checked against a live store.

Run it against any store URL; it needs the ``testing`` extra::

    pytest --pyargs wladna_core.testing.conformance --wladna-store memory://
    pytest --pyargs wladna_core.testing.conformance --wladna-store sqlite://
    pytest --pyargs wladna_core.testing.conformance \\
        --wladna-store postgresql+psycopg://postgres@127.0.0.1:5432/test

(without ``--wladna-store``, the ``WLADNA_STORE_URL`` environment variable, else ``memory://``).
A plug-in's store passes when every test here passes against its URL.

Each test gets an empty store from the ``wladna_store`` fixture of the pytest plug-in
(:mod:`wladna_core.testing.pytest_plugin`), opened with ``settings={"allow_reset": True}`` and a
clock fixed on :data:`~wladna_core.testing.strategies.REFERENCE_DATE`, the date on which the
records drawn by :mod:`wladna_core.testing.strategies` are valid.  Property tests empty it with
:meth:`Store.reset <wladna_core.storage.Store.reset>` before each example, and draw at most
:data:`MAX_EXAMPLES` examples (fewer when the active Hypothesis profile asks for fewer), so that
the suite stays quick on a database.

The memory store is the reference: every query's :meth:`~wladna_core.storage.Query.matches` is
the oracle the results of ``find``, ``count`` and ``iter`` are compared with.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wladna_core.audit import DENIED, DONE, GENESIS, AuditDraft, AuditEntry, AuditTrail
from wladna_core.errors import InvalidRecord, InvariantError
from wladna_core.model import (
    BodyKind,
    Case,
    CaseStatus,
    Child,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Gazetteer,
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    Relation,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
)
from wladna_core.storage import (
    BodyQuery,
    CaseQuery,
    ChildQuery,
    ConcurrencyConflict,
    FamilyQuery,
    NotFound,
    Query,
    ReferralQuery,
    Store,
    StoreError,
    UnitOfWork,
)
from wladna_core.testing import kinds as test_kinds
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import pluggy

    from wladna_core.storage import Repository
    from wladna_core.testing.strategies import CaseFile

#: The most examples a property test of this suite draws; the active profile may ask fewer.
MAX_EXAMPLES: Final = 25

Stored = TerritorialBody | Child | Family | Case | Referral
R = TypeVar("R", TerritorialBody, Child, Family, Case, Referral)

#: The order in which records can be added: each refers only to records before it.
RECORD_TYPES: Final[tuple[type[Stored], ...]] = (TerritorialBody, Child, Family, Case, Referral)

_DEFAULT_NUMBER = re.compile(r"^[A-Z0-9]+-\d{4}-\d{6}$")


def _examples(most: int = MAX_EXAMPLES) -> settings:
    """Return the settings of a property test: the active profile, at most ``most`` examples.

    The ``wladna_store`` fixture serves every example of a test, which empties it first.
    """
    return settings(
        max_examples=max(1, min(most, settings().max_examples)),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


class _Interrupted(Exception):
    """Raised inside a unit of work to interrupt it halfway."""


# Records for example tests: a case in Salé, opened in November 2025 ------------------------------


@attrs.frozen
class ExampleCaseFile:
    """The records of :func:`example_case_file`, in the order a store can add them."""

    body: TerritorialBody
    child: Child
    family: Family
    case: Case
    referral: Referral

    @property
    def records(self) -> tuple[Stored, ...]:
        """Body, child, family, case, referral."""
        return (self.body, self.child, self.family, self.case, self.referral)


def example_case_file(
    *, territory: str = "MA-SAL", opened_on: date = date(2025, 11, 3), idcs: str = "1234567890"
) -> ExampleCaseFile:
    """Return new records of one case, valid on the strategies' ``REFERENCE_DATE``.

    A CPPE in Salé, a girl born in 2014 carrying the IDCS ``idcs``, her
    family, a case of neglect opened on ``opened_on`` in ``territory`` with consent to
    services and sharing, and a referral to Tayssir ten days later.  Each call makes new ids.
    """
    body = TerritorialBody(name="CPPE de Salé", kind=BodyKind.CPPE, territory="MA-SAL")
    child = Child(
        sex=Sex.FEMALE,
        birth_date=date(2014, 3, 2),
        given_name="Salma",
        family_name="Bennani",
        residence="MA-SAL",
        identifiers=(Identifier(IdentifierScheme.IDCS, idcs),),
    )
    family = Family(
        members=(
            FamilyMember(Relation.CHILD, given_name="Salma", child_id=child.id),
            FamilyMember(
                Relation.MOTHER, given_name="Fatima", caregiver=True, birth_date=date(1985, 1, 1)
            ),
        ),
        residence="MA-SAL",
    )
    case = Case(
        child_id=child.id,
        body_id=body.id,
        territory=territory,
        opened_on=opened_on,
        identification=Identification(IdentificationSource.SCHOOL, on=opened_on),
        family_id=family.id,
        concerns={ProtectionConcern.NEGLECT},
        consent=Consent(
            recorded_on=opened_on, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
        ),
    )
    referral = Referral(
        case_id=case.id,
        from_body=body.id,
        target=ReferralTarget.to_programme(SocialProgramme.TAYSSIR),
        service=ServiceType.EDUCATION,
        made_on=opened_on + timedelta(days=10),
    )
    return ExampleCaseFile(body, child, family, case, referral)


def _unknown_id(serial: int) -> str:
    """Return a well-formed record id that no test stores (ids of the 1970s)."""
    return f"00000000-0000-7000-8000-{serial:012d}"


def _save(store: Store, records: Iterable[Stored]) -> list[Stored]:
    """Add ``records`` in one unit of work; return them as stored."""
    with store.unit_of_work() as uow:
        return [_repository(uow, record).add(record) for record in records]


def _save_one(store: Store, record: R) -> R:
    """Add ``record`` in a unit of work of its own; return it as stored."""
    with store.unit_of_work() as uow:
        return uow.repository(type(record)).add(record)


def _saved_case(store: Store, file: ExampleCaseFile) -> Case:
    """Add every record of ``file`` in one unit of work; return its case as stored."""
    saved = _save(store, file.records)
    case = saved[3]
    assert isinstance(case, Case)
    return case


def _work(store: Store, step: Callable[[UnitOfWork], object]) -> None:
    """Do ``step`` in a unit of work of its own."""
    with store.unit_of_work() as uow:
        step(uow)


def _repository(uow: UnitOfWork, record: Stored) -> Repository[Any]:
    repository: Repository[Any] = uow.repository(type(record))
    return repository


def _counts(store: Store) -> dict[str, int]:
    with store.unit_of_work() as uow:
        return {kind.__name__: uow.repository(kind).count() for kind in RECORD_TYPES}


_EMPTY: Final = {kind.__name__: 0 for kind in RECORD_TYPES}


def _as_stored(original: Stored, saved: Stored) -> Stored:
    """Return what ``original`` must look like once stored as ``saved`` (version 1, number)."""
    if isinstance(original, Case) and isinstance(saved, Case):
        return attrs.evolve(original, version=1, number=saved.number)
    return attrs.evolve(original, version=1)


def _fill(store: Store, files: Sequence[CaseFile]) -> dict[type, list[Stored]]:
    """Empty ``store``, then add every record of ``files`` type by type, in bulk."""
    store.reset()
    by_type: dict[type, list[Stored]] = {kind: [] for kind in RECORD_TYPES}
    for file in files:
        for record in file.records:
            by_type[type(record)].append(record)
    stored: dict[type, list[Stored]] = {}
    with store.unit_of_work() as uow:
        for kind in RECORD_TYPES:
            repository: Repository[Any] = uow.repository(kind)
            stored[kind] = list(repository.add_many(by_type[kind]))
    return stored


# Round trips -------------------------------------------------------------------------------------


@_examples()
@given(file=ws.case_files())
def test_every_record_comes_back_exactly_as_it_was_stored(
    wladna_store: Store, file: CaseFile
) -> None:
    """``add`` returns the record at version 1, and ``get`` returns exactly that, for every type."""
    wladna_store.reset()
    saved = _save(wladna_store, file.records)
    for original, record in zip(file.records, saved, strict=True):
        assert record == _as_stored(original, record)
    with wladna_store.unit_of_work() as uow:
        for record in saved:
            assert _repository(uow, record).get(record.id) == record


@_examples()
@given(files=ws.many_case_files(min_size=1, max_size=6))
def test_records_added_in_bulk_come_back_exactly_as_stored(
    wladna_store: Store, files: tuple[CaseFile, ...]
) -> None:
    """``add_many`` stores every record; ``get_many`` returns them in the order asked."""
    stored = _fill(wladna_store, files)
    with wladna_store.unit_of_work() as uow:
        for kind, records in stored.items():
            repository: Repository[Any] = uow.repository(kind)
            assert repository.get_many([record.id for record in records]) == records
            assert repository.count() == len(records)


# Units of work: all or nothing ------------------------------------------------------------------


def test_unit_of_work_is_all_or_nothing(wladna_store: Store) -> None:
    """An exception inside the ``with`` block leaves nothing of the unit of work stored."""
    file = example_case_file()

    def interrupted(uow: UnitOfWork) -> None:
        uow.bodies.add(file.body)
        uow.children.add(file.child)
        raise _Interrupted

    with pytest.raises(_Interrupted):
        _work(wladna_store, interrupted)
    assert _counts(wladna_store) == _EMPTY


def test_an_invalid_record_in_the_middle_leaves_nothing(wladna_store: Store) -> None:
    """A record refused by a rule rolls back the records added before it in the unit of work."""
    file = example_case_file()
    orphan = attrs.evolve(file.case, child_id=_unknown_id(1))
    with pytest.raises(InvalidRecord) as refused:
        _save(wladna_store, [file.body, file.child, file.family, orphan])
    assert "case.child_unknown" in refused.value.codes
    assert _counts(wladna_store) == _EMPTY


def test_a_refused_record_ends_the_unit_of_work_even_if_the_error_is_caught(
    wladna_store: Store,
) -> None:
    """After a refusal, the unit of work refuses any further work: it was rolled back."""
    file = example_case_file()

    def catch_the_refusal_and_go_on(uow: UnitOfWork) -> None:
        uow.bodies.add(file.body)
        with pytest.raises(InvalidRecord):
            uow.cases.add(file.case)  # its child is not stored
        uow.children.add(file.child)

    with pytest.raises(StoreError, match="rolled back"):
        _work(wladna_store, catch_the_refusal_and_go_on)
    assert _counts(wladna_store) == _EMPTY


def test_leaving_a_unit_of_work_after_a_caught_refusal_raises(wladna_store: Store) -> None:
    """A block that swallows a refusal cannot end as if its work were saved."""
    file = example_case_file()

    def catch_the_refusal(uow: UnitOfWork) -> None:
        uow.bodies.add(file.body)
        with pytest.raises(InvalidRecord):
            uow.cases.add(file.case)

    with pytest.raises(StoreError, match="nothing in it was saved"):
        _work(wladna_store, catch_the_refusal)
    assert _counts(wladna_store) == _EMPTY


def test_explicit_commit_saves_and_the_end_of_the_block_saves_nothing_more(
    wladna_store: Store,
) -> None:
    """``commit()`` inside the block saves; the end of the block then has nothing to do."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow:
        uow.bodies.add(file.body)
        uow.commit()
        assert not uow.active
    assert _counts(wladna_store)["TerritorialBody"] == 1


def test_rollback_discards_every_write(wladna_store: Store) -> None:
    """``rollback()`` undoes the unit of work; the end of the block commits nothing."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow:
        uow.bodies.add(file.body)
        uow.children.add(file.child)
        uow.rollback()
    assert _counts(wladna_store) == _EMPTY


def test_a_unit_of_work_is_single_use(wladna_store: Store) -> None:
    """A unit of work works only inside its one ``with`` block."""
    file = example_case_file()
    uow = wladna_store.unit_of_work()
    with pytest.raises(StoreError, match="start the unit of work"):
        uow.bodies.add(file.body)
    with uow:
        uow.bodies.add(file.body)
    with pytest.raises(StoreError, match="single use"):
        uow.__enter__()
    with pytest.raises(StoreError, match="single use"):
        uow.bodies.get(file.body.id)


def test_records_written_in_a_unit_of_work_are_visible_in_it_before_commit(
    wladna_store: Store,
) -> None:
    """Reads in a unit of work see its own writes."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow:
        body = uow.bodies.add(file.body)
        assert uow.bodies.get(body.id) == body
        assert uow.bodies.find() == [body]
        assert uow.bodies.count() == 1


# Optimistic concurrency --------------------------------------------------------------------------


def test_the_second_of_two_updates_made_on_the_same_version_is_refused(
    wladna_store: Store,
) -> None:
    """Two people load version 1 and save: the second gets ConcurrencyConflict, nothing lost."""
    child = _save_one(wladna_store, example_case_file().child)
    with wladna_store.unit_of_work() as first:
        mine = first.children.get(child.id)
    with wladna_store.unit_of_work() as second:
        theirs = second.children.get(child.id)
    _work(wladna_store, lambda uow: uow.children.update(attrs.evolve(mine, nickname="Sousou")))
    with pytest.raises(ConcurrencyConflict) as conflict:
        _work(
            wladna_store, lambda uow: uow.children.update(attrs.evolve(theirs, nickname="Salouma"))
        )
    assert (conflict.value.expected_version, conflict.value.stored_version) == (1, 2)
    assert "reload" in str(conflict.value).lower()
    with wladna_store.unit_of_work() as uow:
        stored = uow.children.get(child.id)
    assert (stored.version, stored.nickname) == (2, "Sousou")


def test_version_goes_up_by_one_per_save(wladna_store: Store) -> None:
    """``add`` stores version 1; each ``update`` stores the version it was given plus one."""
    body = _save_one(wladna_store, example_case_file().body)
    assert body.version == 1
    for expected in (2, 3, 4):
        with wladna_store.unit_of_work() as uow:
            body = uow.bodies.update(attrs.evolve(body, name=f"CPPE de Salé ({expected})"))
        assert body.version == expected
    with wladna_store.unit_of_work() as uow:
        assert uow.bodies.get(body.id) == body


def test_two_updates_in_one_unit_of_work_each_raise_the_version(wladna_store: Store) -> None:
    """Saves within one unit of work count one by one."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow:
        body = uow.bodies.add(file.body)
        body = uow.bodies.update(attrs.evolve(body, active=False))
        body = uow.bodies.update(attrs.evolve(body, active=True))
    assert body.version == 3
    with wladna_store.unit_of_work() as uow:
        assert uow.bodies.get(body.id).version == 3


# Not found, and bad input refused with nothing written -------------------------------------------


def test_reading_an_unknown_id_raises_not_found_and_the_work_goes_on(wladna_store: Store) -> None:
    """``get`` of an unknown id raises NotFound (a LookupError); the unit of work goes on."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow:
        with pytest.raises(NotFound) as missing:
            uow.cases.get(_unknown_id(7))
        uow.bodies.add(file.body)
    assert isinstance(missing.value, LookupError)
    assert (missing.value.record_type, missing.value.record_id) == ("Case", _unknown_id(7))
    assert _counts(wladna_store)["TerritorialBody"] == 1


def test_get_many_raises_not_found_for_a_missing_id(wladna_store: Store) -> None:
    """``get_many`` returns every record asked for, or raises NotFound."""
    body = _save_one(wladna_store, example_case_file().body)
    with wladna_store.unit_of_work() as uow:
        assert uow.bodies.get_many([body.id]) == [body]
        with pytest.raises(NotFound):
            uow.bodies.get_many([body.id, _unknown_id(8)])


def test_updating_a_record_never_added_raises_not_found_and_writes_nothing(
    wladna_store: Store,
) -> None:
    """``update`` of a record that was never added is refused, and the unit of work too."""
    file = example_case_file()
    never_added = attrs.evolve(file.child, version=1)

    def update_the_unknown(uow: UnitOfWork) -> None:
        uow.bodies.add(file.body)
        uow.children.update(never_added)

    with pytest.raises(NotFound):
        _work(wladna_store, update_the_unknown)
    assert _counts(wladna_store) == _EMPTY


def test_adding_a_record_that_has_a_version_is_refused(wladna_store: Store) -> None:
    """Only a record never saved (version 0) can be added."""
    file = example_case_file()
    with pytest.raises(InvalidRecord) as refused:
        _save(wladna_store, [file.body, attrs.evolve(file.child, version=3)])
    assert refused.value.codes == {"store.version_not_new"}
    assert refused.value.violations[0].path == "$.version"
    assert refused.value.violations[0].remedy
    assert _counts(wladna_store) == _EMPTY


def test_adding_a_record_whose_id_is_stored_is_refused(wladna_store: Store) -> None:
    """``add`` never overwrites: a record with a stored id is refused."""
    body = _save_one(wladna_store, example_case_file().body)
    with pytest.raises(InvalidRecord) as refused:
        _save_one(wladna_store, attrs.evolve(body, version=0, name="Another body"))
    assert refused.value.codes == {"store.id_taken"}
    with wladna_store.unit_of_work() as uow:
        assert uow.bodies.get(body.id) == body


def test_an_error_level_rule_violation_refuses_the_record(wladna_store: Store) -> None:
    """A rule of severity error refuses the record, naming it, with the rule's remedy."""
    file = example_case_file()
    adult = attrs.evolve(file.child, birth_date=date(2000, 1, 1))
    with pytest.raises(InvalidRecord) as refused:
        _save(wladna_store, [file.body, adult, file.family, file.case])
    assert "child.adult" in refused.value.codes
    violation = next(v for v in refused.value.violations if v.code == "child.adult")
    assert violation.record == f"Case {file.case.id}"
    assert violation.remedy
    assert _counts(wladna_store) == _EMPTY


def test_add_many_reports_every_refused_record_and_stores_none(wladna_store: Store) -> None:
    """``add_many`` reports the violations of all the refused records at once."""
    children = [example_case_file(idcs=f"100000000{serial}").child for serial in range(3)]
    children[0] = attrs.evolve(children[0], birth_date=date(2030, 1, 1))
    children[2] = attrs.evolve(children[2], birth_date=date(2031, 1, 1))
    with pytest.raises(InvalidRecord) as refused:
        _work(wladna_store, lambda uow: uow.children.add_many(children))
    labels = {v.record for v in refused.value.violations if v.code == "child.birth_in_future"}
    assert labels == {f"Child {children[0].id}", f"Child {children[2].id}"}
    assert _counts(wladna_store) == _EMPTY


def test_a_repository_refuses_records_and_queries_of_another_type(wladna_store: Store) -> None:
    """A record or query of another type is a TypeError naming the repository's type."""
    file = example_case_file()
    with wladna_store.unit_of_work() as uow, pytest.raises(TypeError, match="Child"):
        uow.children.find(CaseQuery())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Child"):
        _work(wladna_store, lambda uow: uow.children.add(file.body))  # type: ignore[arg-type]
    assert _counts(wladna_store) == _EMPTY


def test_warnings_do_not_refuse_a_record(wladna_store: Store) -> None:
    """A warning-level violation lets the record in and is listed in ``uow.warnings``."""
    file = example_case_file(territory="MA-RAB")  # outside the body's province: a warning
    with wladna_store.unit_of_work() as uow:
        saved = [_repository(uow, record).add(record) for record in file.records]
        warned = {violation.code for violation in uow.warnings}
    assert "case.body_outside_jurisdiction" in warned
    with wladna_store.unit_of_work() as uow:
        assert uow.cases.get(file.case.id) == saved[3]


# Rules see the store -----------------------------------------------------------------------------


def test_rules_see_records_added_earlier_in_the_same_unit_of_work(wladna_store: Store) -> None:
    """A case whose child, family and body are added just before it in one unit of work."""
    file = example_case_file()
    saved = _save(wladna_store, file.records)
    assert [record.id for record in saved] == [record.id for record in file.records]


def test_rules_see_records_stored_by_earlier_units_of_work(wladna_store: Store) -> None:
    """A case whose child, family and body were stored by an earlier unit of work."""
    file = example_case_file()
    _save(wladna_store, [file.body, file.child, file.family])
    case = _save_one(wladna_store, file.case)
    assert case.child_id == file.child.id


def test_a_duplicate_identifier_is_refused_within_and_across_units_of_work(
    wladna_store: Store,
) -> None:
    """``child.identifier_duplicate`` sees the batch, the unit of work and the store."""
    first, second, third = (example_case_file().child for _ in range(3))
    with pytest.raises(InvalidRecord) as same_batch:
        _work(wladna_store, lambda uow: uow.children.add_many([first, second]))
    assert "child.identifier_duplicate" in same_batch.value.codes
    with pytest.raises(InvalidRecord) as same_unit:
        _save(wladna_store, [first, second])
    assert "child.identifier_duplicate" in same_unit.value.codes
    _save_one(wladna_store, first)
    with pytest.raises(InvalidRecord) as later:
        _save_one(wladna_store, third)
    assert "child.identifier_duplicate" in later.value.codes
    assert _counts(wladna_store)["Child"] == 1


def test_updating_a_child_does_not_find_it_a_duplicate_of_itself(wladna_store: Store) -> None:
    """The identifiers a child carries are not duplicates of its own stored version."""
    child = _save_one(wladna_store, example_case_file().child)
    with wladna_store.unit_of_work() as uow:
        updated = uow.children.update(attrs.evolve(child, nickname="Sousou"))
    assert updated.version == 2


# Case numbers ------------------------------------------------------------------------------------


def test_a_new_case_is_numbered_at_its_first_save(wladna_store: Store) -> None:
    """The first case of Salé opened in 2025 is SAL-2025-000001."""
    assert _saved_case(wladna_store, example_case_file()).number == "SAL-2025-000001"


def test_case_numbers_follow_each_other_per_province_and_year(wladna_store: Store) -> None:
    """Each province and year has its own sequence."""
    numbers = [
        _saved_case(
            wladna_store, example_case_file(territory=territory, opened_on=opened_on, idcs=idcs)
        ).number
        for territory, opened_on, idcs in (
            ("MA-SAL", date(2025, 11, 3), "1000000001"),
            ("MA-SAL", date(2025, 12, 1), "1000000002"),
            ("MA-SAL", date(2024, 5, 6), "1000000003"),
            ("MA-RAB", date(2025, 11, 3), "1000000004"),
        )
    ]
    assert numbers == ["SAL-2025-000001", "SAL-2025-000002", "SAL-2024-000001", "RAB-2025-000001"]


def test_a_case_keeps_its_number_on_update(wladna_store: Store) -> None:
    """An update keeps the number (an empty number gets it back); a changed one is refused."""
    case = _saved_case(wladna_store, example_case_file())
    with wladna_store.unit_of_work() as uow:
        changed = uow.cases.update(attrs.evolve(case, status=CaseStatus.ASSESSMENT, number=None))
        assert changed.number == case.number
        again = uow.cases.update(attrs.evolve(changed, risk=RiskLevel.HIGH))
    assert again.number == case.number
    renumbered = attrs.evolve(again, number="SAL-2025-999999")
    with pytest.raises(InvalidRecord) as refused:
        _work(wladna_store, lambda uow: uow.cases.update(renumbered))
    assert refused.value.codes == {"case.number_changed"}


def test_a_case_imported_with_a_number_keeps_it_and_a_taken_number_is_refused(
    wladna_store: Store,
) -> None:
    """A case arriving with its number keeps it; numbering skips it; nobody else gets it."""
    first = example_case_file(idcs="1000000001")
    imported = attrs.evolve(first.case, number="SAL-2025-000001")
    saved = _save(wladna_store, [first.body, first.child, first.family, imported])
    assert saved[3] == attrs.evolve(imported, version=1)
    second = example_case_file(idcs="1000000002")
    _save(wladna_store, [second.body, second.child, second.family])
    with pytest.raises(InvalidRecord) as refused:
        _save_one(wladna_store, attrs.evolve(second.case, number="SAL-2025-000001"))
    assert refused.value.codes == {"case.number_taken"}
    assert _save_one(wladna_store, second.case).number == "SAL-2025-000002"


@_examples()
@given(files=ws.many_case_files(min_size=1, max_size=8))
def test_case_numbers_are_unique_and_in_the_default_format(
    wladna_store: Store, files: tuple[CaseFile, ...]
) -> None:
    """Every stored case has a number of its province and year, and no two share one."""
    stored = _fill(wladna_store, files)
    cases = [case for case in stored[Case] if isinstance(case, Case)]
    numbers = [case.number for case in cases]
    assert len(set(numbers)) == len(numbers)
    gazetteer = wladna_store.gazetteer
    for case in cases:
        assert case.number is not None
        assert _DEFAULT_NUMBER.match(case.number)
        province = gazetteer.province_of(case.territory)
        assert province is not None
        prefix = f"{province.code.removeprefix('MA-')}-{case.opened_on.year}-"
        assert case.number.startswith(prefix)


# Finding, counting, streaming --------------------------------------------------------------------


def _territories(codes: Iterable[str | None], gazetteer: Gazetteer) -> list[str]:
    """Return the codes and every territory containing them, sorted."""
    found: set[str] = set()
    for code in codes:
        if code is not None and code in gazetteer:
            found.add(code)
            found.update(territory.code for territory in gazetteer.ancestors(code))
    return sorted(found) or ["MA"]


def _maybe(values: Iterable[Any]) -> st.SearchStrategy[Any]:
    """``None`` (no filter) or one of ``values``."""
    pool = sorted(set(values), key=repr)
    return st.none() | st.sampled_from(pool) if pool else st.none()


def _dates(values: Iterable[date]) -> st.SearchStrategy[date | None]:
    """``None``, one of ``values``, or a day near one of them."""
    pool = sorted(set(values))
    if not pool:
        return st.none()
    near = st.sampled_from(pool).flatmap(
        lambda day: st.integers(-40, 40).map(lambda shift: day + timedelta(days=shift))
    )
    return st.none() | st.sampled_from(pool) | near


def _sets(members: Iterable[Any]) -> st.SearchStrategy[frozenset[Any] | None]:
    return st.none() | st.frozensets(st.sampled_from(list(members)), max_size=3)


def _body_queries(records: Sequence[Any], gazetteer: Gazetteer) -> st.SearchStrategy[Query[Any]]:
    return st.builds(
        BodyQuery,
        territory=_maybe(_territories((r.territory for r in records), gazetteer)),
        kind=st.none() | st.sampled_from(BodyKind),
        active=st.none() | st.booleans(),
    )


def _child_queries(records: Sequence[Any], gazetteer: Gazetteer) -> st.SearchStrategy[Query[Any]]:
    identifiers = [(i.scheme, i.value) for r in records for i in r.identifiers]
    return st.builds(
        ChildQuery,
        residence=_maybe(_territories((r.residence for r in records), gazetteer)),
        sex=st.none() | st.sampled_from(Sex),
        born_from=_dates(r.birth_date for r in records),
        born_to=_dates(r.birth_date for r in records),
        identifier=_maybe(identifiers),
    )


def _family_queries(records: Sequence[Any], gazetteer: Gazetteer) -> st.SearchStrategy[Query[Any]]:
    return st.builds(
        FamilyQuery,
        residence=_maybe(_territories((r.residence for r in records), gazetteer)),
        rsu_id=_maybe(r.rsu_id for r in records if r.rsu_id is not None),
    )


def _case_queries(records: Sequence[Any], gazetteer: Gazetteer) -> st.SearchStrategy[Query[Any]]:
    return st.builds(
        CaseQuery,
        territory=_maybe(_territories((r.territory for r in records), gazetteer)),
        body_id=_maybe(r.body_id for r in records),
        status=_sets(CaseStatus),
        risk=_sets(RiskLevel),
        concern=st.none() | st.sampled_from(ProtectionConcern),
        opened_from=_dates(r.opened_on for r in records),
        opened_to=_dates(r.opened_on for r in records),
        child_id=_maybe(r.child_id for r in records),
        worker_id=_maybe(r.worker_id for r in records if r.worker_id is not None),
        number=_maybe(r.number for r in records),
    )


def _referral_queries(
    records: Sequence[Any], _gazetteer: Gazetteer
) -> st.SearchStrategy[Query[Any]]:
    return st.builds(
        ReferralQuery,
        case_id=_maybe(r.case_id for r in records),
        from_body=_maybe(r.from_body for r in records),
        target_body_id=_maybe(r.target.body_id for r in records if r.target.body_id),
        status=_sets(ReferralStatus),
        made_from=_dates(r.made_on for r in records),
        made_to=_dates(r.made_on for r in records),
        service=st.none() | st.sampled_from(ServiceType),
    )


_QUERIES: Final[dict[type, Callable[[Sequence[Any], Gazetteer], st.SearchStrategy[Query[Any]]]]] = {
    TerritorialBody: _body_queries,
    Child: _child_queries,
    Family: _family_queries,
    Case: _case_queries,
    Referral: _referral_queries,
}


def _oracle(query: Query[Any], records: Iterable[Stored], gazetteer: Gazetteer) -> list[Stored]:
    return sorted(
        (record for record in records if query.matches(record, gazetteer)),
        key=lambda record: record.id,
    )


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda kind: kind.__name__)
@_examples()
@given(files=ws.many_case_files(min_size=1, max_size=6), data=st.data())
def test_find_count_and_iter_select_exactly_what_the_query_matches(
    wladna_store: Store, record_type: type[Stored], files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    """``find``, ``count`` and ``iter`` agree with ``Query.matches``, for every filter."""
    stored = _fill(wladna_store, files)[record_type]
    gazetteer = wladna_store.gazetteer
    with wladna_store.unit_of_work() as uow:
        repository: Repository[Any] = uow.repository(record_type)
        for _ in range(3):
            query = data.draw(_QUERIES[record_type](stored, gazetteer), label="query")
            expected = _oracle(query, stored, gazetteer)
            assert repository.find(query) == expected
            assert repository.count(query) == len(expected)
            batch_size = data.draw(st.integers(1, 4), label="batch_size")
            assert list(repository.iter(query, batch_size=batch_size)) == expected
            limit = data.draw(st.integers(0, len(expected) + 1), label="limit")
            assert repository.find(query, limit=limit) == expected[:limit]


def test_find_without_a_query_returns_every_record_in_order_of_id(wladna_store: Store) -> None:
    """No query selects everything, in ascending order of id; ``limit=0`` selects nothing."""
    bodies = [example_case_file().body for _ in range(4)]
    _save(wladna_store, bodies)
    with wladna_store.unit_of_work() as uow:
        assert [body.id for body in uow.bodies.find()] == sorted(body.id for body in bodies)
        assert uow.bodies.find(limit=0) == []


def test_iter_streams_every_record_in_order_of_id_in_batches(wladna_store: Store) -> None:
    """``iter`` gives every record once, in order of id, whatever the batch size."""
    bodies = [
        TerritorialBody(name=f"UPE {serial}", kind=BodyKind.UPE, territory="MA-SAL")
        for serial in range(10)
    ]
    _save(wladna_store, reversed(bodies))
    expected = sorted(body.id for body in bodies)
    with wladna_store.unit_of_work() as uow:
        for batch_size in (1, 3, 9, 10, 11, 500):
            assert [body.id for body in uow.bodies.iter(batch_size=batch_size)] == expected
        with pytest.raises(ValueError, match="batch_size"):
            uow.bodies.iter(batch_size=0)


def test_add_many_stores_a_thousand_children_in_one_go(wladna_store: Store) -> None:
    """A bulk load of 1000 records is stored whole, counted and streamed back."""
    children = [
        Child(
            sex=Sex.MALE if serial % 2 else Sex.FEMALE,
            birth_date=date(2010, 1, 1) + timedelta(days=serial),
            given_name=f"Enfant {serial}",
            residence="MA-SAL" if serial % 3 else "MA-RAB",
        )
        for serial in range(1000)
    ]
    with wladna_store.unit_of_work() as uow:
        stored = uow.children.add_many(children)
    assert len(stored) == 1000
    with wladna_store.unit_of_work() as uow:
        assert uow.children.count() == 1000
        assert uow.children.count(ChildQuery(residence="MA-RAB")) == 334
        streamed = [child.id for child in uow.children.iter(batch_size=128)]
    assert streamed == sorted(child.id for child in children)


# The store itself --------------------------------------------------------------------------------


def test_reset_empties_the_store_and_its_case_numbers(wladna_store: Store) -> None:
    """``reset()`` (allowed on this test store) deletes every record and counter."""
    _save(wladna_store, example_case_file().records)
    wladna_store.reset()
    assert _counts(wladna_store) == _EMPTY
    assert _saved_case(wladna_store, example_case_file()).number == "SAL-2025-000001"


def test_a_closed_store_refuses_new_units_of_work(wladna_store: Store) -> None:
    """``close()`` may be called twice; a closed store opens no unit of work."""
    wladna_store.close()
    wladna_store.close()
    assert wladna_store.closed
    with pytest.raises(StoreError, match="closed"):
        wladna_store.unit_of_work()


# The audit trail ---------------------------------------------------------------------------------

#: Offsets the audit strategies draw instants in: entries are kept in UTC whatever they get.
AUDIT_OFFSETS: Final = (
    UTC,
    timezone(timedelta(hours=1)),
    timezone(-timedelta(hours=5, minutes=30)),
)
_AUDIT_TEXT: Final = st.characters(codec="utf-8", exclude_characters="\x00")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECONDS_2000_TO_2100: Final = (
    int((datetime(2000, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) * 10**6,
    int((datetime(2100, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) * 10**6 - 1,
)


def _audit_text(max_size: int) -> st.SearchStrategy[str]:
    """Non-blank text a store can keep: Arabic, quotes, backslashes, line breaks included."""
    return st.text(_AUDIT_TEXT, min_size=1, max_size=max_size).filter(str.strip)


def audit_drafts() -> st.SearchStrategy[AuditDraft]:
    """Draw valid :class:`~wladna_core.audit.AuditDraft` objects of every shape."""
    return st.builds(
        AuditDraft,
        actor_id=st.sampled_from(["worker-1", "supervisor-2", "خديجة"]) | _audit_text(100),
        action=st.sampled_from(
            ["case.read", "case.close", "referral.accept", "child.register", "report.export"]
        ),
        record_type=st.sampled_from(["Case", "Child", "Family", "Referral", "Report"]),
        record_id=st.none() | ws.record_ids() | _audit_text(100),
        version=st.none() | st.integers(0, 10**6),
        outcome=st.sampled_from([DONE, DENIED]),
        detail=st.none() | _audit_text(200),
    )


def audit_instants() -> st.SearchStrategy[datetime]:
    """Draw timezone-aware instants (2000 to 2099, microseconds, several UTC offsets)."""
    return st.builds(
        lambda micros, offset: (_EPOCH + timedelta(microseconds=micros)).astimezone(offset),
        st.integers(*_MICROSECONDS_2000_TO_2100),
        st.sampled_from(AUDIT_OFFSETS),
    )


def _append(store: Store, drafts: Sequence[AuditDraft], at: datetime) -> list[AuditEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.append(drafts, at)


@_examples()
@given(
    batches=st.lists(
        st.tuples(st.lists(audit_drafts(), max_size=4), audit_instants()), min_size=1, max_size=5
    ),
    batch_size=st.integers(1, 6),
)
def test_audit_entries_appended_in_any_batches_form_one_valid_chain(
    wladna_store: Store,
    batches: list[tuple[list[AuditDraft], datetime]],
    batch_size: int,
) -> None:
    """Seqs run 1..N without gaps, each entry links to the one before, verify() finds it ok."""
    wladna_store.reset()
    appended: list[AuditEntry] = []
    for drafts, at in batches:
        appended.extend(_append(wladna_store, drafts, at))
    stored = list(wladna_store.audit_entries(batch_size=batch_size))
    assert stored == appended
    assert [entry.seq for entry in stored] == list(range(1, len(stored) + 1))
    for before, entry in zip([None, *stored], stored, strict=False):
        assert entry.previous_hash == (GENESIS if before is None else before.hash)
        assert entry.hash_matches()
    verification = AuditTrail(wladna_store).verify(batch_size=batch_size)
    assert verification.ok, verification
    assert verification.checked == len(stored)
    assert verification.head == (stored[-1].head if stored else None)


@_examples()
@given(drafts=st.lists(audit_drafts(), min_size=1, max_size=3), at=audit_instants())
def test_audit_entries_come_back_exactly_as_appended(
    wladna_store: Store, drafts: list[AuditDraft], at: datetime
) -> None:
    """Every field comes back; the instant in UTC with its microseconds."""
    wladna_store.reset()
    appended = _append(wladna_store, drafts, at)
    stored = list(wladna_store.audit_entries())
    assert stored == appended
    for draft, entry in zip(drafts, stored, strict=True):
        assert entry.draft == draft
        assert entry.at == at
        assert entry.at.utcoffset() == timedelta(0)


def test_a_rolled_back_unit_of_work_leaves_no_audit_entry(wladna_store: Store) -> None:
    """An exception, an explicit rollback, or a refused record discards the unit's entries."""
    draft = AuditDraft("worker-1", "case.read", "Case", _unknown_id(1), 1)
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)

    def interrupted(uow: UnitOfWork) -> None:
        uow.audit.append([draft], at)
        raise _Interrupted

    with pytest.raises(_Interrupted):
        _work(wladna_store, interrupted)
    with wladna_store.unit_of_work() as uow:
        uow.audit.append([draft], at)
        uow.rollback()
    file = example_case_file()

    def refused(uow: UnitOfWork) -> None:
        uow.audit.append([draft], at)
        uow.cases.add(file.case)  # its child, family and body are not stored

    with pytest.raises(InvalidRecord):
        _work(wladna_store, refused)
    assert list(wladna_store.audit_entries()) == []
    (entry,) = _append(wladna_store, [draft], at)
    assert (entry.seq, entry.previous_hash) == (1, GENESIS)


def test_a_change_and_its_audit_entry_are_committed_together(wladna_store: Store) -> None:
    """The record and the entry that records its writing are both stored, in one commit."""
    file = example_case_file()
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    with wladna_store.unit_of_work() as uow:
        body = uow.bodies.add(file.body)
        draft = AuditDraft("worker-1", "body.register", "TerritorialBody", body.id, body.version)
        uow.audit.append([draft], at)
    (entry,) = AuditTrail(wladna_store).entries(record_id=body.id)
    assert (entry.action, entry.version) == ("body.register", 1)
    assert _counts(wladna_store)["TerritorialBody"] == 1


def test_a_unit_of_work_sees_its_own_audit_entries_and_chains_after_them(
    wladna_store: Store,
) -> None:
    """Two appends in one unit of work continue one chain; ``last()`` is the newest entry."""
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    first = AuditDraft("worker-1", "case.read", "Case", _unknown_id(1), 1)
    second = AuditDraft("worker-2", "case.read", "Case", _unknown_id(2), 1)
    with wladna_store.unit_of_work() as uow:
        assert uow.audit.last() is None
        (one,) = uow.audit.append([first], at)
        (two,) = uow.audit.append([second], at)
        assert uow.audit.last() == two
        assert uow.audit.entries() == [one, two]
        assert uow.audit.entries(actor_id="worker-2") == [two]
        assert uow.audit.append([], at) == []
    assert (one.seq, two.seq, two.previous_hash) == (1, 2, one.hash)
    assert list(wladna_store.audit_entries()) == [one, two]


def test_audit_entries_are_read_by_record_and_by_actor_in_order_of_seq(
    wladna_store: Store,
) -> None:
    """Filters, ``after_seq`` and ``limit`` select the right entries, in order of seq."""
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    drafts = [
        AuditDraft(f"worker-{serial % 3}", "case.read", "Case", _unknown_id(serial % 4), 1)
        for serial in range(24)
    ]
    for start in range(0, 24, 5):
        _append(wladna_store, drafts[start : start + 5], at)
    trail = AuditTrail(wladna_store)
    everything = trail.entries()
    assert [entry.seq for entry in everything] == list(range(1, 25))
    by_record = trail.entries(record_id=_unknown_id(1))
    assert [entry.seq for entry in by_record] == [seq for seq in range(1, 25) if seq % 4 == 2]
    both = list(
        wladna_store.audit_entries(5, record_id=_unknown_id(1), actor_id="worker-0", batch_size=1)
    )
    assert both == [
        entry
        for entry in everything
        if entry.seq > 5 and entry.record_id == _unknown_id(1) and entry.actor_id == "worker-0"
    ]
    assert trail.entries(after_seq=20) == everything[20:]
    assert trail.entries(limit=3) == everything[:3]
    assert trail.entries(limit=0) == []
    assert trail.entries(actor_id="nobody") == []
    with pytest.raises(ValueError, match="batch_size"):
        wladna_store.audit_entries(batch_size=0)


def test_bad_audit_input_is_refused_and_rolls_the_unit_of_work_back(wladna_store: Store) -> None:
    """A naive instant is refused with its code; nothing of the unit of work is stored."""
    file = example_case_file()
    draft = AuditDraft("worker-1", "case.read", "Case", None, None)
    naive = datetime.fromisoformat("2026-01-01T09:30:00")

    def append_at_a_naive_instant(uow: UnitOfWork) -> None:
        uow.bodies.add(file.body)
        uow.audit.append([draft], naive)

    with pytest.raises(InvariantError, match=r"audit\.at_naive") as refused:
        _work(wladna_store, append_at_a_naive_instant)
    assert refused.value.code == "audit.at_naive"
    assert list(wladna_store.audit_entries()) == []
    assert _counts(wladna_store) == _EMPTY


def test_reset_empties_the_audit_trail(wladna_store: Store) -> None:
    """``reset()`` (test stores only) deletes the entries; the next chain starts at seq 1."""
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    _append(wladna_store, [AuditDraft("worker-1", "case.read", "Case", None, None)] * 2, at)
    wladna_store.reset()
    assert list(wladna_store.audit_entries()) == []
    assert AuditTrail(wladna_store).head() is None
    (entry,) = _append(wladna_store, [AuditDraft("worker-1", "case.read", "Case", None, None)], at)
    assert entry.seq == 1


# Kinds of record declared by plug-ins ------------------------------------------------------------
#
# Every store of this suite is opened with the plug-in wladna_core.testing.kinds registered: it
# declares HomeVisit, a kind of record no adapter was written for.  A store keeps it with the same
# guarantees as the built-in kinds, with no code of its own for it.


@pytest.fixture
def wladna_pm(wladna_pm: pluggy.PluginManager) -> pluggy.PluginManager:
    """Return the plug-ins the suite runs with, and the test kind of record ``HomeVisit``.

    It extends the ``wladna_pm`` fixture in force (the pytest plug-in's, or an adapter's own
    conftest's, which registers the adapter).
    """
    if not wladna_pm.is_registered(test_kinds):
        wladna_pm.register(test_kinds, name=test_kinds.PLUGIN_NAME)
    return wladna_pm


_NOW: Final = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def _visit(**changes: Any) -> test_kinds.HomeVisit:
    values: dict[str, Any] = {
        "case_id": "case-a",
        "visited_on": date(2025, 11, 3),
        "place": "MA-SAL",
        "outcome": test_kinds.VisitOutcome.MET_CHILD,
        "concerns_seen": {ProtectionConcern.NEGLECT},
    }
    return test_kinds.HomeVisit(**(values | changes))


def test_a_kind_declared_by_a_plugin_is_kept_read_and_updated(wladna_store: Store) -> None:
    """A plug-in's record comes back as stored; updates raise its version; ids are checked."""
    visit = _visit(note="Fatima Zahra était à l'école — زيارة")
    with wladna_store.unit_of_work() as uow:
        visits = uow.repository(test_kinds.HOME_VISIT)
        assert visits is uow.repository(test_kinds.HomeVisit)
        stored = visits.add(visit)
    assert stored == attrs.evolve(visit, version=1)
    with wladna_store.unit_of_work() as uow:
        visits = uow.repository(test_kinds.HomeVisit)
        assert visits.get(visit.id) == stored
        changed = visits.update(attrs.evolve(stored, minutes=45, concerns_seen=frozenset()))
    assert changed.version == 2
    with wladna_store.unit_of_work() as uow:
        visits = uow.repository(test_kinds.HomeVisit)
        assert visits.get(visit.id) == changed
        assert visits.count(test_kinds.HOME_VISIT.query(concern=ProtectionConcern.NEGLECT)) == 0
        with pytest.raises(NotFound):
            visits.get(_unknown_id(1))


def test_a_plugin_kind_has_optimistic_versions(wladna_store: Store) -> None:
    """The second of two updates made on the same version of a plug-in's record is refused."""
    stored = _save_one_visit(wladna_store, _visit())
    with wladna_store.unit_of_work() as uow:
        uow.repository(test_kinds.HomeVisit).update(attrs.evolve(stored, minutes=10))
    with pytest.raises(ConcurrencyConflict), wladna_store.unit_of_work() as uow:
        uow.repository(test_kinds.HomeVisit).update(attrs.evolve(stored, minutes=20))
    with wladna_store.unit_of_work() as uow:
        assert uow.repository(test_kinds.HomeVisit).get(stored.id).minutes == 10


def _save_one_visit(store: Store, visit: test_kinds.HomeVisit) -> test_kinds.HomeVisit:
    with store.unit_of_work() as uow:
        return uow.repository(test_kinds.HomeVisit).add(visit)


def _refuse_a_visit_halfway(uow: UnitOfWork, body: TerritorialBody) -> None:
    visit = _visit()
    with uow:
        uow.bodies.add(body)
        uow.audit.append([AuditDraft("tester", "visit.add", "HomeVisit", visit.id, None)], _NOW)
        with pytest.raises(InvalidRecord, match=r"store\.id_taken"):
            uow.repository(test_kinds.HomeVisit).add_many([visit, visit])


def test_a_refused_plugin_record_rolls_back_what_was_written_beside_it(
    wladna_store: Store,
) -> None:
    """A refused plug-in record rolls back the built-in records and audit entries beside it."""
    with pytest.raises(StoreError, match="rolled back"):
        _refuse_a_visit_halfway(wladna_store.unit_of_work(), example_case_file().body)
    with wladna_store.unit_of_work() as uow:
        assert uow.bodies.count() == 0
        assert uow.repository(test_kinds.HomeVisit).count() == 0
        assert uow.audit.entries() == []


def test_a_plugin_kind_and_its_audit_entry_are_committed_together(wladna_store: Store) -> None:
    """The audit trail records a plug-in's records like any other, in the same transaction."""
    visit = _visit()
    with wladna_store.unit_of_work() as uow:
        saved = uow.repository(test_kinds.HomeVisit).add(visit)
        uow.audit.append(
            [AuditDraft("worker.sale", "visit.add", "HomeVisit", saved.id, saved.version)], _NOW
        )
    [entry] = list(wladna_store.audit_entries(record_id=visit.id))
    assert (entry.record_type, entry.record_id, entry.version) == ("HomeVisit", visit.id, 1)
    assert AuditTrail(wladna_store).verify().ok


@_examples()
@given(
    visits=st.lists(test_kinds.home_visits(), max_size=12, unique_by=lambda visit: visit.id),
    data=st.data(),
)
def test_searches_of_a_plugin_kind_select_exactly_what_its_declaration_matches(
    wladna_store: Store, visits: list[test_kinds.HomeVisit], data: st.DataObject
) -> None:
    """``find``, ``count`` and ``iter`` on declared fields agree with the declaration's oracle."""
    wladna_store.reset()
    with wladna_store.unit_of_work() as uow:
        stored = uow.repository(test_kinds.HomeVisit).add_many(visits)
    gazetteer = wladna_store.gazetteer
    with wladna_store.unit_of_work() as uow:
        repository = uow.repository(test_kinds.HomeVisit)
        for _ in range(3):
            query = data.draw(test_kinds.home_visit_queries(), label="query")
            expected = sorted(
                (visit for visit in stored if query.matches(visit, gazetteer)),
                key=lambda visit: visit.id,
            )
            assert repository.find(query) == expected
            assert repository.count(query) == len(expected)
            batch_size = data.draw(st.integers(1, 4), label="batch_size")
            assert list(repository.iter(query, batch_size=batch_size)) == expected


def test_reset_empties_the_kinds_of_plugins_too(wladna_store: Store) -> None:
    """``reset`` deletes a plug-in's records with the rest."""
    _save_one_visit(wladna_store, _visit())
    wladna_store.reset()
    with wladna_store.unit_of_work() as uow:
        assert uow.repository(test_kinds.HomeVisit).count() == 0


def test_a_search_by_an_undeclared_filter_is_refused_before_the_store_is_asked() -> None:
    """A query naming a filter the kind does not declare is refused with the declared ones."""
    with pytest.raises(ValueError, match=r"have no search filter 'note'.*case_id"):
        test_kinds.HOME_VISIT.query(note="x")
    with pytest.raises(ValueError, match="compares a date"):
        test_kinds.HOME_VISIT.query(visited_from="2025-01-01")
