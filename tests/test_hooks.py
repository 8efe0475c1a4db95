"""One ``test_hook_<name>`` per hook: a throw-away plug-in implements it and is heard.

``tests/test_plugin_docs.py`` checks that every hook in :mod:`wladna_core.hookspecs` has its test
here.  Each test makes its own plug-in manager and registers its plug-in through the
``registered`` fixture, which unregisters it when the test ends, pass or fail.
"""

from __future__ import annotations

import logging
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.errors import Severity
from wladna_core.hookspecs import EligibilityResult, hookimpl
from wladna_core.messages import Message, Text
from wladna_core.model import (
    Case,
    Child,
    Family,
    Identification,
    IdentificationSource,
    Sex,
    SocialProgramme,
    Territory,
    TerritoryLevel,
)
from wladna_core.plugins import (
    PluginHookError,
    WladnaPluginManager,
    announce_case_event,
    authorize,
    configure_converter,
    eligibility_from,
    gazetteer_from,
    indicators_from,
    kinds_from,
    make_plugin_manager,
    renderers_from,
    rules_from,
    store_environment,
)
from wladna_core.renderers import BUILTIN_RENDERERS, Renderer, Table
from wladna_core.rules import Context, Finding, rule, validate
from wladna_core.storage import open_store
from wladna_core.storage.numbers import format_case_number
from wladna_core.testing import kinds as test_kinds

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

ON = date(2026, 6, 15)


@pytest.fixture
def pm() -> WladnaPluginManager:
    return make_plugin_manager(load_entrypoints=False)


@pytest.fixture
def registered(pm: WladnaPluginManager) -> Iterator[Any]:
    """Register throw-away plug-ins in ``pm`` for one test; unregister them afterwards."""
    names: list[str] = []

    def register(plugin: object, name: str) -> object:
        pm.register(plugin, name=name)
        names.append(name)
        return plugin

    try:
        yield register
    finally:
        for name in names:
            pm.unregister(name=name)


def a_child(**changes: Any) -> Child:
    fields: dict[str, Any] = {
        "sex": Sex.FEMALE,
        "birth_date": date(2014, 3, 2),
        "given_name": "Salma",
        "residence": "MA-SAL",
    }
    return Child(**(fields | changes))


def a_case(child: Child) -> Case:
    return Case(
        child_id=child.id,
        body_id=child.id,
        territory="MA-SAL",
        opened_on=date(2026, 6, 1),
        identification=Identification(IdentificationSource.SCHOOL, date(2026, 6, 1)),
    )


def test_hook_wladna_open_store(pm: WladnaPluginManager, registered: Any) -> None:
    fake_store = object()
    seen: list[tuple[str, Mapping[str, object], object]] = []

    class FakeAdapter:
        @hookimpl
        def wladna_open_store(
            self, url: str, settings: Mapping[str, object], plugins: object
        ) -> object | None:
            seen.append((url, settings, plugins))
            return fake_store if url.startswith("fake://") else None

    registered(FakeAdapter(), "fake-adapter")
    environment = store_environment(pm)
    opened = pm.hook.wladna_open_store(
        url="fake://x", settings={"a": 1}, plugins=pm, environment=environment
    )
    assert opened is fake_store
    assert seen == [("fake://x", {"a": 1}, pm)]
    # First result wins, and a plug-in answering None leaves the URL to the others.
    memory = pm.hook.wladna_open_store(
        url="memory://", settings={}, plugins=pm, environment=environment
    )
    assert type(memory).__name__ == "MemoryStore"
    assert (
        pm.hook.wladna_open_store(url="nosuch://", settings={}, plugins=pm, environment=environment)
        is None
    )


residence_in_rabat_sale = Message(
    message=Text(
        en="the child lives outside the pilot region",
        fr="l'enfant vit hors de la région pilote",
        ar="الطفل يقيم خارج الجهة النموذجية",
    ),
    remedy=Text(en="check the residence", fr="vérifiez la résidence", ar="تحقق من الإقامة"),
)


@rule(
    "pilot.outside_region",
    entity=Child,
    severity=Severity.WARNING,
    description="A child of the pilot lives outside the Rabat-Salé-Kénitra region.",
    message=residence_in_rabat_sale,
)
def outside_region(child: Child, ctx: Context) -> Iterator[Finding]:
    if child.residence is not None and not ctx.gazetteer.contains("MA-04", child.residence):
        yield Finding("$.residence")


def test_hook_wladna_rules(pm: WladnaPluginManager, registered: Any) -> None:
    registered(SimpleNamespace(wladna_rules=hookimpl(lambda: [outside_region])), "pilot-rules")
    rules = rules_from(pm)
    assert rules.get("pilot.outside_region") is outside_region
    assert rules.get("child.birth_in_future") is not None  # built-in rules come the same way
    child = a_child(residence="MA-AGD")
    assert [v.code for v in validate(child, on=ON, rules=rules)] == ["pilot.outside_region"]
    assert validate(a_child(), on=ON, rules=rules) == []
    # Without the plug-in's rule set, the plug-in's rule does not run.
    assert validate(child, on=ON) == []


def test_a_plugin_rule_is_gone_once_the_plugin_is_unregistered(pm: WladnaPluginManager) -> None:
    plugin = SimpleNamespace(wladna_rules=hookimpl(lambda: [outside_region]))
    pm.register(plugin, name="pilot-rules")
    try:
        assert rules_from(pm).get("pilot.outside_region") is outside_region
    finally:
        pm.unregister(name="pilot-rules")
    assert rules_from(pm).get("pilot.outside_region") is None


@attrs.frozen
class Indicator:
    name: str
    description: str


def test_hook_wladna_indicators(pm: WladnaPluginManager, registered: Any) -> None:
    visits = Indicator("home_visits", "Home visits made in the period.")
    overdue = Indicator("overdue_visits", "Home visits past their deadline.")
    registered(SimpleNamespace(wladna_indicators=hookimpl(lambda: [visits])), "one")
    registered(SimpleNamespace(wladna_indicators=hookimpl(lambda: (overdue,))), "two")
    found = indicators_from(pm)
    assert found["home_visits"] is visits
    assert found["overdue_visits"] is overdue
    # The built-in indicators are contributed through the same hook.
    assert "cases_opened" in found


def test_hook_wladna_renderers(pm: WladnaPluginManager, registered: Any) -> None:
    tsv = Renderer(
        name="tsv",
        media_type="text/tab-separated-values",
        suffix=".tsv",
        render=lambda table: "\n".join("\t".join(map(str, row)) for row in table.rows).encode(),
    )
    registered(SimpleNamespace(wladna_renderers=hookimpl(lambda: [tsv])), "tsv")
    renderers = renderers_from(pm)
    assert renderers["tsv"] is tsv
    assert {renderer.name for renderer in BUILTIN_RENDERERS} < renderers.keys()
    table = Table("Cases", ("province", "cases"), [("MA-SAL", 3)])
    assert renderers["tsv"].render(table) == b"MA-SAL\t3"


def test_hook_wladna_case_event(
    pm: WladnaPluginManager, registered: Any, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[tuple[str, object, Mapping[str, object]]] = []

    class Listener:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl
        def wladna_case_event(self, event: object, context: Mapping[str, object]) -> None:
            heard.append((self.name, event, context))

    class Broken:
        @hookimpl
        def wladna_case_event(self, event: object) -> None:
            raise ConnectionError("SMS gateway unreachable")

    registered(Listener("first"), "first")
    registered(Broken(), "broken-sms")
    registered(Listener("last"), "last")
    event = SimpleNamespace(kind="case_opened", case_id="c1")
    with caplog.at_level(logging.ERROR, logger="wladna_core.plugins"):
        failures = announce_case_event(pm, event, {"actor": "w1"})
    # Every plug-in hears the event, even after one failed; the failure names the plug-in.
    assert sorted(name for name, _event, _context in heard) == ["first", "last"]
    assert all(e is event and c == {"actor": "w1"} for _n, e, c in heard)
    assert [failure.plugins for failure in failures] == [("'broken-sms'",)]
    assert failures[0].hook == "wladna_case_event"
    assert isinstance(failures[0].__cause__, ConnectionError)
    assert "broken-sms" in caplog.text
    assert "SMS gateway unreachable" in caplog.text
    assert "was saved" in caplog.text


def test_an_event_without_listeners_has_no_failures(pm: WladnaPluginManager) -> None:
    assert announce_case_event(pm, object(), {}) == []


def test_hook_wladna_authorize(pm: WladnaPluginManager, registered: Any) -> None:
    actor = SimpleNamespace(id="w1", roles={"case_worker"})

    class NoExports:
        @hookimpl
        def wladna_authorize(self, action: str) -> bool | None:
            return False if action == "case.export" else None

    class Permissive:
        @hookimpl
        def wladna_authorize(self) -> bool:
            return True

    assert authorize(pm, actor, "case.export", object()) is True
    registered(Permissive(), "permissive")
    registered(NoExports(), "no-exports")
    # A denial wins over any number of approvals; without a denial there is no objection.
    assert authorize(pm, actor, "case.export", object()) is False
    assert authorize(pm, actor, "case.read", object()) is True


@given(answers=st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))))
def test_plugins_allow_an_action_only_when_every_answer_is_true_or_none(
    answers: list[object],
) -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    for index, answer in enumerate(answers):
        pm.register(
            SimpleNamespace(wladna_authorize=hookimpl(lambda answer=answer: answer)),
            name=f"p{index}",
        )
    expected = all(answer is True or answer is None for answer in answers)
    assert authorize(pm, object(), "case.read", object()) is expected


def test_hook_wladna_record_kinds(pm: WladnaPluginManager, registered: Any) -> None:
    builtin = kinds_from(pm)
    assert builtin.names == ("body", "child", "family", "case", "referral")
    registered(test_kinds, "test-kinds")
    kinds = kinds_from(pm)
    assert kinds.named("test_home_visit") is test_kinds.HOME_VISIT
    assert kinds[test_kinds.HomeVisit] is test_kinds.HOME_VISIT
    with open_store("memory://", plugins=pm) as store:
        assert store.kinds == kinds


def test_two_plugins_declaring_the_same_kind_of_record_are_both_named(
    pm: WladnaPluginManager, registered: Any
) -> None:
    clash = attrs.evolve(test_kinds.HOME_VISIT, table="other_visits")
    registered(test_kinds, "test-kinds")
    registered(SimpleNamespace(wladna_record_kinds=hookimpl(lambda: [clash])), "copycat")
    with pytest.raises(PluginHookError, match=r"copycat.*test-kinds|test-kinds.*copycat"):
        kinds_from(pm)


def test_hook_wladna_territories(pm: WladnaPluginManager, registered: Any) -> None:
    commune = Territory("MA-SAL-001", TerritoryLevel.COMMUNE, "Bab Lamrissa", parent="MA-SAL")
    registered(SimpleNamespace(wladna_territories=hookimpl(lambda: [commune])), "sale-communes")
    gazetteer = gazetteer_from(pm)
    assert gazetteer.get("MA-SAL-001") == commune
    assert gazetteer.contains("MA-04", "MA-SAL-001")
    assert gazetteer.province_of("MA-SAL-001").code == "MA-SAL"  # type: ignore[union-attr]


def test_hook_wladna_case_number(pm: WladnaPluginManager, registered: Any) -> None:
    case = a_case(a_child())
    assert format_case_number(case, "MA-SAL", 2026, 12, pm) == "SAL-2026-000012"

    class SlashNumbers:
        @hookimpl
        def wladna_case_number(self, province: str, year: int, sequence: int) -> str:
            return f"{province.removeprefix('MA-')}/{year}/{sequence:05d}"

    registered(SlashNumbers(), "slash-numbers")
    assert format_case_number(case, "MA-SAL", 2026, 12, pm) == "SAL/2026/00012"
    assert pm.hook.wladna_case_number(case=case, province="MA-RAB", year=2027, sequence=1) == (
        "RAB/2027/00001"
    )


def test_hook_wladna_programme_eligibility(pm: WladnaPluginManager, registered: Any) -> None:
    class Rsu:
        @hookimpl
        def wladna_programme_eligibility(
            self, family: Family, programme: SocialProgramme
        ) -> EligibilityResult | None:
            if programme is not SocialProgramme.ASD:
                return None
            registered_in_rsu = family.rsu_id is not None
            reason = "registered in the RSU" if registered_in_rsu else "not registered in the RSU"
            return EligibilityResult(programme, registered_in_rsu, reason)

    registered(Rsu(), "rsu")
    family = Family(rsu_id=None)

    def from_rsu(programme: SocialProgramme) -> list[EligibilityResult]:
        # The built-in check of the programmes answers too; this test is about the plug-in.
        answers = eligibility_from(pm, family, programme, ON)
        return [answer for answer in answers if answer.source == "rsu"]

    assert from_rsu(SocialProgramme.ASD) == [
        EligibilityResult(SocialProgramme.ASD, False, "not registered in the RSU", source="rsu")
    ]
    assert from_rsu(SocialProgramme.TAYSSIR) == []


@attrs.frozen
class Cin:
    """A plug-in's own record type, kept as the plain string of its number."""

    number: str


def test_hook_wladna_configure_converter(pm: WladnaPluginManager, registered: Any) -> None:
    class CinSupport:
        @hookimpl
        def wladna_configure_converter(self, converter: cattrs.Converter) -> None:
            converter.register_unstructure_hook(Cin, lambda cin: cin.number)
            converter.register_structure_hook(Cin, lambda value, _type: Cin(value))

    registered(CinSupport(), "cin")
    converter = cattrs.Converter()
    assert configure_converter(pm, converter) is converter
    assert converter.unstructure(Cin("AB12345")) == "AB12345"
    assert converter.structure("AB12345", Cin) == Cin("AB12345")


def test_a_failing_hook_names_its_plugin(pm: WladnaPluginManager, registered: Any) -> None:
    def broken() -> list[object]:
        raise KeyError("MA-XYZ")

    registered(SimpleNamespace(wladna_territories=hookimpl(broken)), "broken-communes")
    with pytest.raises(PluginHookError, match="plug-in 'broken-communes', hook wladna_territories"):
        gazetteer_from(pm)
