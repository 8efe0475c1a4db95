"""The storage ports: opening stores, errors, queries, case numbers and validation on the way in.

What every adapter must do is checked by the contract suite (``test_conformance_runs.py``); these
tests cover what the ports decide once for all adapters, through the reference memory store.
"""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.errors import InvalidRecord, Severity, UnknownTerritory
from wladna_core.hookspecs import hookimpl
from wladna_core.messages import Message, Text
from wladna_core.model import (
    Case,
    CaseStatus,
    Child,
    Gazetteer,
    IdentifierScheme,
    ProtectionConcern,
    ReferralStatus,
    RiskLevel,
    ServiceType,
    Sex,
    Territory,
    TerritoryLevel,
)
from wladna_core.plugins import PluginHookError, make_plugin_manager
from wladna_core.rules import Finding, rule
from wladna_core.storage import (
    ALLOW_RESET,
    BodyQuery,
    CaseQuery,
    ChildQuery,
    ConcurrencyConflict,
    FamilyQuery,
    NotFound,
    ReferralQuery,
    Store,
    StoreError,
    UnsupportedStoreURL,
    open_store,
    upgrade,
)
from wladna_core.storage.context import StoreContext
from wladna_core.storage.memory import MemoryStore
from wladna_core.storage.numbers import default_case_number
from wladna_core.storage.ports import redact_url
from wladna_core.storage.query import territory_subtree
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import example_case_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    import pluggy

TODAY = ws.REFERENCE_DATE


def _today() -> date:
    return TODAY


@pytest.fixture
def pm() -> pluggy.PluginManager:
    return make_plugin_manager(load_entrypoints=False)


@pytest.fixture
def store(pm: pluggy.PluginManager) -> Iterator[Store]:
    with open_store("memory://", plugins=pm, clock=_today) as opened:
        yield opened


def _save(store: Store, records: Iterable[Any]) -> list[Any]:
    with store.unit_of_work() as uow:
        return [uow.repository(type(record)).add(record) for record in records]


def _with_plugin(plugin: object) -> pluggy.PluginManager:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(plugin)
    return pm


# Opening a store -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["mysql://db/wladna", "memory:/", "", "   ", "wladna.db"])
def test_a_url_no_store_recognises_is_refused_with_the_known_schemes(
    pm: pluggy.PluginManager, url: str
) -> None:
    with pytest.raises(UnsupportedStoreURL) as refused:
        open_store(url, plugins=pm)
    assert isinstance(refused.value, ValueError)
    assert "memory://" in str(refused.value)
    assert "sqlite:///" in str(refused.value)


def test_an_unsupported_url_never_repeats_its_password() -> None:
    error = UnsupportedStoreURL("mysql://wladna:s3cret@db.example/wladna", ["memory://"])
    assert "s3cret" not in str(error)
    assert "wladna:***@db.example" in str(error)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:pw@host:5432/db", "postgresql+psycopg://u:***@host:5432/db"),
        ("postgresql+psycopg://u@host/db", "postgresql+psycopg://u@host/db"),
        ("sqlite:///tmp/wladna.db", "sqlite:///tmp/wladna.db"),
        ("memory://", "memory://"),
    ],
)
def test_redact_url_masks_only_the_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_open_store_without_plugins_uses_the_built_in_ones() -> None:
    with open_store("memory://") as store:
        assert type(store).__name__ == "MemoryStore"
        assert store.plugins.has_plugin("wladna_core.storage.memory")


def test_a_plugin_answering_with_something_other_than_a_store_is_named() -> None:
    class Confused:
        @hookimpl(tryfirst=True)
        def wladna_open_store(self, url: str) -> object:
            return "a store, promise"

    with pytest.raises(StoreError, match="not a Store"):
        open_store("memory://", plugins=_with_plugin(Confused()))


def test_a_plugin_store_is_opened_for_its_own_scheme(pm: pluggy.PluginManager) -> None:
    class Archive:
        @hookimpl
        def wladna_open_store(
            self, url: str, settings: dict[str, object], plugins: pluggy.PluginManager
        ) -> Store | None:
            if not url.startswith("archive://"):
                return None
            return MemoryStore("memory://", plugins=plugins, settings=settings)

    pm.register(Archive())
    with open_store("archive://x", plugins=pm, settings={"k": 1}) as store:
        assert store.settings == {"k": 1}


def test_the_clock_gives_the_date_records_are_validated_on(pm: pluggy.PluginManager) -> None:
    file = example_case_file()
    before_birth = file.child.birth_date - timedelta(days=1)
    with open_store("memory://", plugins=pm, clock=lambda: before_birth) as store:
        with pytest.raises(InvalidRecord) as refused, store.unit_of_work() as uow:
            uow.children.add(file.child)
        assert "child.birth_in_future" in refused.value.codes


def test_a_clock_that_does_not_give_a_date_is_refused(pm: pluggy.PluginManager) -> None:
    with (
        open_store("memory://", plugins=pm, clock=lambda: datetime(2026, 1, 1)) as store,
        pytest.raises(TypeError, match="clock must return a date"),
    ):
        _save(store, [example_case_file().body])


def test_a_store_without_the_allow_reset_setting_refuses_reset(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.bodies.add(example_case_file().body)
    with pytest.raises(StoreError, match="allow_reset"):
        store.reset()
    with store.unit_of_work() as uow:
        assert uow.bodies.count() == 1


def test_a_store_with_the_allow_reset_setting_empties_on_reset(pm: pluggy.PluginManager) -> None:
    with open_store("memory://", plugins=pm, settings={ALLOW_RESET: True}, clock=_today) as store:
        with store.unit_of_work() as uow:
            uow.bodies.add(example_case_file().body)
        store.reset()
        with store.unit_of_work() as uow:
            assert uow.bodies.count() == 0


def test_upgrade_needs_nothing_for_memory_and_migrates_a_sqlite_file(
    pm: pluggy.PluginManager, tmp_path: Path
) -> None:
    upgrade("memory://")
    url = f"sqlite:///{tmp_path / 'wladna.db'}"
    upgrade(url)
    assert (tmp_path / "wladna.db").exists()
    with open_store(url, plugins=pm, clock=_today) as store:
        assert _save(store, [example_case_file().body])[0].version == 1
    with pytest.raises(UnsupportedStoreURL):
        upgrade("mysql://db/wladna")


def test_a_store_and_its_unit_of_work_say_what_they_are(store: Store) -> None:
    uow = store.unit_of_work()
    assert repr(store) == "<MemoryStore memory://>"
    assert "not started" in repr(uow)
    assert repr(uow.cases) == "<MemoryRepository of Case>"
    store.close()
    assert repr(store) == "<MemoryStore memory:// (closed)>"


# Errors ---------------------------------------------------------------------------------------


def test_not_found_names_the_record_and_what_to_do() -> None:
    error = NotFound("Case", "0193")
    assert isinstance(error, LookupError)
    assert str(error) == (
        "no Case with id '0193' is stored; check the id, or add the Case before reading or "
        "updating it"
    )


def test_a_concurrency_conflict_says_to_reload_and_apply_the_change_again() -> None:
    error = ConcurrencyConflict("Case", "0193", 3, 4)
    assert str(error) == (
        "Case 0193 was changed by someone else: your change was made on version 3, the stored "
        "version is 4; nothing was saved. Reload the case and apply your change again."
    )


@pytest.mark.parametrize(
    "error",
    [
        NotFound("Child", "01"),
        ConcurrencyConflict("Referral", "02", 1, None),
        UnsupportedStoreURL("x://", ["memory://"]),
    ],
    ids=lambda error: type(error).__name__,
)
def test_storage_errors_survive_pickling(error: StoreError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)


def test_limits_and_batch_sizes_must_be_sensible(store: Store) -> None:
    with store.unit_of_work() as uow:
        with pytest.raises(ValueError, match="limit"):
            uow.bodies.find(limit=-1)
        with pytest.raises(ValueError, match="batch_size"):
            uow.bodies.iter(batch_size=True)
        assert uow.bodies.find(limit=0) == []


def test_get_with_an_id_that_is_not_text_is_a_type_error(store: Store) -> None:
    with pytest.raises(TypeError, match="record id is a string"), store.unit_of_work() as uow:
        uow.bodies.get(42)


def test_repository_of_an_unknown_type_is_a_type_error(store: Store) -> None:
    with store.unit_of_work() as uow:
        assert uow.repository(Case) is uow.cases
        with pytest.raises(TypeError, match="no repository"):
            uow.repository(Territory)


# Queries ------------------------------------------------------------------------------------------


def test_set_filters_accept_one_value_several_or_their_text() -> None:
    assert CaseQuery(status=CaseStatus.CLOSED).status == {CaseStatus.CLOSED}
    assert CaseQuery(status="closed").status == {CaseStatus.CLOSED}
    assert CaseQuery(risk=["high", RiskLevel.LOW]).risk == {RiskLevel.HIGH, RiskLevel.LOW}
    assert ReferralQuery(status=("pending",)).status == {ReferralStatus.PENDING}
    assert CaseQuery(concern="neglect").concern is ProtectionConcern.NEGLECT
    assert ChildQuery(sex="female").sex is Sex.FEMALE
    assert ReferralQuery(service="medical").service is ServiceType.MEDICAL
    assert ChildQuery(identifier=("idcs", "1")).identifier == (IdentifierScheme.IDCS, "1")


def test_an_unknown_filter_value_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"status must be one of .*'closed'"):
        CaseQuery(status="shut")
    with pytest.raises(ValueError, match=r"identifier must be a \(scheme, value\) pair"):
        ChildQuery(identifier="1234567890")
    with pytest.raises(TypeError, match="opened_from must be a date"):
        CaseQuery(opened_from=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="body_id must be a non-blank string"):
        CaseQuery(body_id=" ")
    with pytest.raises(TypeError, match="active must be True, False or None"):
        BodyQuery(active=1)
    with pytest.raises(TypeError, match="risk must be one RiskLevel or several"):
        CaseQuery(risk=3)


def test_a_territory_filter_selects_the_territory_and_everything_inside_it() -> None:
    gazetteer = Gazetteer.morocco()
    case = attrs.evolve(example_case_file().case, territory="MA-SAL")
    region = gazetteer.region_of("MA-SAL")
    assert region is not None
    for code in ("MA", region.code, "MA-SAL"):
        assert CaseQuery(territory=code).matches(case, gazetteer)
    assert not CaseQuery(territory="MA-RAB").matches(case, gazetteer)
    assert territory_subtree(gazetteer, "MA-SAL") == {"MA-SAL"}
    assert "MA-SAL" in territory_subtree(gazetteer, region.code)


def test_a_territory_filter_with_an_unknown_code_says_which_code() -> None:
    case = example_case_file().case
    with pytest.raises(UnknownTerritory, match="MA-XYZ"):
        CaseQuery(territory="MA-XYZ").matches(case, Gazetteer.morocco())


def test_a_residence_filter_does_not_select_children_whose_residence_is_unknown() -> None:
    child = attrs.evolve(example_case_file().child, residence=None)
    assert not ChildQuery(residence="MA").matches(child, Gazetteer.morocco())
    assert ChildQuery().matches(child, Gazetteer.morocco())


def test_date_ranges_include_both_ends() -> None:
    case = example_case_file().case
    day = case.opened_on
    gazetteer = Gazetteer.morocco()
    assert CaseQuery(opened_from=day, opened_to=day).matches(case, gazetteer)
    assert not CaseQuery(opened_from=day + timedelta(days=1)).matches(case, gazetteer)
    assert not CaseQuery(opened_to=day - timedelta(days=1)).matches(case, gazetteer)


def test_an_empty_set_filter_selects_nothing() -> None:
    case = example_case_file().case
    assert not CaseQuery(status=()).matches(case, Gazetteer.morocco())


@given(file=ws.case_files())
def test_a_query_without_filters_matches_every_record(file: ws.CaseFile) -> None:
    gazetteer = file.gazetteer
    assert BodyQuery().matches(file.body, gazetteer)
    assert ChildQuery().matches(file.child, gazetteer)
    assert FamilyQuery().matches(file.family, gazetteer)
    assert CaseQuery().matches(file.case, gazetteer)
    assert all(ReferralQuery().matches(referral, gazetteer) for referral in file.referrals)


@given(file=ws.case_files())
def test_a_query_built_from_a_case_matches_it(file: ws.CaseFile) -> None:
    case = file.case
    query = CaseQuery(
        territory=case.territory,
        body_id=case.body_id,
        status=case.status,
        risk=case.risk,
        concern=min(case.concerns) if case.concerns else None,
        opened_from=case.opened_on,
        opened_to=case.opened_on,
        child_id=case.child_id,
        worker_id=case.worker_id,
    )
    assert query.matches(case, file.gazetteer)
    other = {status for status in CaseStatus if status is not case.status}
    assert not attrs.evolve(query, status=other).matches(case, file.gazetteer)


@given(file=ws.case_files(), day=st.dates(date(2000, 1, 1), date(2030, 12, 31)))
def test_a_child_is_selected_by_birth_date_exactly_when_born_in_the_range(
    file: ws.CaseFile, day: date
) -> None:
    child = file.child
    gazetteer = file.gazetteer
    assert ChildQuery(born_from=day).matches(child, gazetteer) == (child.birth_date >= day)
    assert ChildQuery(born_to=day).matches(child, gazetteer) == (child.birth_date <= day)


# Case numbers -----------------------------------------------------------------------------------


@given(
    province=ws.territories(level=[TerritoryLevel.PROVINCE, TerritoryLevel.PREFECTURE]),
    year=st.integers(1990, 2100),
    sequence=st.integers(1, 999_999),
)
def test_the_default_case_number_is_province_year_and_six_digit_sequence(
    province: Territory, year: int, sequence: int
) -> None:
    number = default_case_number(province.code, year, sequence)
    code, number_year, number_sequence = number.rsplit("-", 2)
    assert f"MA-{code}" == province.code
    assert (int(number_year), int(number_sequence), len(number_sequence)) == (year, sequence, 6)


def test_a_plugin_may_format_case_numbers() -> None:
    class Numbering:
        @hookimpl
        def wladna_case_number(self, case: Case, province: str, year: int, sequence: int) -> str:
            return f"{year}/{province}/{sequence}"

    pm = _with_plugin(Numbering())
    file = example_case_file()
    with open_store("memory://", plugins=pm, clock=_today) as store:
        saved = _save(store, file.records)
    assert saved[3].number == "2025/MA-SAL/1"


def test_a_plugin_giving_a_blank_case_number_is_named_and_nothing_is_stored() -> None:
    class Blank:
        @hookimpl
        def wladna_case_number(self) -> str:
            return " "

    file = example_case_file()
    with open_store("memory://", plugins=_with_plugin(Blank()), clock=_today) as store:
        with pytest.raises(PluginHookError, match="wladna_case_number"):
            _save(store, file.records)
        with store.unit_of_work() as uow:
            assert uow.children.count() == 0


def test_a_case_in_a_commune_is_numbered_in_its_province() -> None:
    class Communes:
        @hookimpl
        def wladna_territories(self) -> list[Territory]:
            return [Territory("MA-SAL-01", TerritoryLevel.COMMUNE, "Bab Lamrissa", parent="MA-SAL")]

    file = example_case_file(territory="MA-SAL-01")
    with (
        open_store("memory://", plugins=_with_plugin(Communes()), clock=_today) as store,
        store.unit_of_work() as uow,
    ):
        saved = [uow.repository(type(record)).add(record) for record in file.records]
        assert uow.cases.find(CaseQuery(territory="MA-SAL")) == [saved[3]]
    assert saved[3].number == "SAL-2025-000001"


def test_a_case_above_province_level_cannot_be_numbered(store: Store) -> None:
    file = example_case_file(territory="MA-04")
    with pytest.raises(InvalidRecord) as refused:
        _save(store, file.records[:4])
    assert "case.number_without_province" in refused.value.codes
    violation = next(
        v for v in refused.value.violations if v.code == "case.number_without_province"
    )
    assert violation.path == "$.territory"
    assert "province, prefecture or commune" in violation.remedy


# Validation on the way in -------------------------------------------------------------------------


def test_rules_from_plugins_refuse_records_in_the_store() -> None:
    @rule(
        "tests.no_nicknames",
        entity=Child,
        description="A child has no nickname in this deployment.",
        message=Message(Text("No nickname.", "Pas de surnom.", "لا لقب."), Text("", "", "")),
    )
    def no_nicknames(child: Child, _ctx: Any) -> Iterator[Finding]:
        if child.nickname:
            yield Finding("$.nickname")

    class Policy:
        @hookimpl
        def wladna_rules(self) -> list[Any]:
            return [no_nicknames]

    child = attrs.evolve(example_case_file().child, nickname="Sousou")
    with (
        open_store("memory://", plugins=_with_plugin(Policy()), clock=_today) as store,
        pytest.raises(InvalidRecord) as refused,
    ):
        _save(store, [child])
    assert refused.value.codes == {"tests.no_nicknames"}
    assert refused.value.violations[0].severity is Severity.ERROR


def test_the_store_context_provides_every_need_and_sees_pending_records(store: Store) -> None:
    file = example_case_file()
    with store.unit_of_work() as uow:
        uow.children.add(file.child)
        context = StoreContext(uow, pending=[file.case, file.referral])
        assert all(context.provides(need) for need in ("children", "cases", "referrals"))
        assert not context.provides("weather")
        assert context.child(file.child.id) == attrs.evolve(file.child, version=1)
        assert context.case(file.case.id) == file.case
        assert context.body(file.body.id) is None
        assert context.family(file.family.id) is None
        assert context.referrals_of_case(file.case.id) == (file.referral,)
        found = context.children_with_identifier(IdentifierScheme.IDCS, "1234567890")
        assert [child.id for child in found] == [file.child.id]
        assert context.children_with_identifier(IdentifierScheme.IDCS, "123456789") == ()
        assert "1 pending" not in repr(context)
        assert "2 pending" in repr(context)


def _counting(calls: list[str]) -> Callable[[], date]:
    def clock() -> date:
        calls.append("called")
        return TODAY

    return clock


def test_every_write_is_validated_on_the_clock_of_the_moment(pm: pluggy.PluginManager) -> None:
    calls: list[str] = []
    file = example_case_file()
    with (
        open_store("memory://", plugins=pm, clock=_counting(calls)) as store,
        store.unit_of_work() as uow,
    ):
        body = uow.bodies.add(file.body)
        uow.bodies.update(body)
        uow.children.add_many([file.child])
    assert len(calls) == 3
