"""One ``test_hook_<name>`` per hook: a throw-away plug-in implements it and is heard.

``tests/test_plugin_docs.py`` checks that every hook in :mod:`wladna_core.hookspecs` has its test
here.  Each test makes its own plug-in manager and registers its plug-in through the
``registered`` fixture, which unregisters it when the test ends, pass or fail.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework import TODAY, Clock, deploy
from postgres import private_schema, server_url
from wladna_core.access import Action
from wladna_core.casefile.documents import DocumentStoreUnavailable, open_document_store
from wladna_core.duplicates import matcher_from
from wladna_core.errors import Severity
from wladna_core.hookspecs import EligibilityResult, hookimpl
from wladna_core.matching import ChildMatcher, MatchScore, MatchSettings, Reason
from wladna_core.messages import Message, Text
from wladna_core.model import (
    Assessment,
    Case,
    Child,
    ClosureReason,
    Family,
    Gazetteer,
    Identification,
    IdentificationSource,
    RiskLevel,
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
    case_numbering,
    cli_commands_from,
    configure_converter,
    eligibility_from,
    gazetteer_from,
    indicators_from,
    kinds_from,
    make_plugin_manager,
    renderers_from,
    rules_from,
    store_environment,
    store_schemes_from,
)
from wladna_core.renderers import BUILTIN_RENDERERS, Renderer, Table
from wladna_core.reporting import Indicator, IndicatorQuery
from wladna_core.rules import Context, Finding, rule, validate
from wladna_core.storage import UnsupportedStoreURL, open_store
from wladna_core.storage.numbers import format_case_number
from wladna_core.testing import kinds as test_kinds
from wladna_core.training.kinds import TRAINING_KINDS
from wladna_core.workflow import CaseClosed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

    from wladna_core.reporting.engine import Records

ON = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)

#: The names of the case file's kinds, declared by its built-in plug-ins.
CASEFILE_KINDS = {
    "service_delivery",
    "participation",
    "concern_detail",
    "document",
    "approval",
    "incident",
    "care_arrangement",
    "outreach_contact",
    "tracing_action",
    "reunification",
}


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


def test_hook_wladna_open_document_store(pm: WladnaPluginManager, registered: Any) -> None:
    kept: dict[str, bytes] = {}
    heard: list[tuple[str, datetime]] = []

    class Shelf:
        """A document store keeping bytes in a dictionary, for one test."""

        scheme = "shelf"

        def put(self, content: bytes) -> str:
            location = f"shelf:{len(kept)}"
            kept[location] = content
            return location

        def get(self, location: str) -> bytes:
            return kept[location]

    class ShelfPlugin:
        @hookimpl
        def wladna_open_document_store(self, url: str, clock: Any) -> Shelf | None:
            heard.append((url, clock()))
            return Shelf() if url.startswith("shelf://") else None

    registered(ShelfPlugin(), "shelf")
    clock = Clock()
    store = open_document_store(pm, "shelf://one", clock=clock)
    assert store.get(store.put(b"abc")) == b"abc"
    assert heard == [("shelf://one", clock.moment)]
    # First result wins, and a plug-in answering None leaves the URL to the others: the
    # built-in one opens file:/// URLs.
    assert type(open_document_store(pm, "file:///srv/docs", clock=clock)).__name__ == (
        "FileDocumentStore"
    )
    with pytest.raises(DocumentStoreUnavailable, match="no installed document store opens"):
        open_document_store(pm, "nosuch://x", clock=clock)

    class Broken:
        @hookimpl
        def wladna_open_document_store(self) -> object:
            return "not a store"

    registered(Broken(), "broken-shelf")
    with pytest.raises(PluginHookError, match=r"broken-shelf.*DocumentStore"):
        open_document_store(pm, "shelf://one", clock=clock)


BUILT_IN_SHAPES = (
    "memory://",
    "memory://<name>",
    "sqlite:///<path>",
    "sqlite://",
    "postgresql+psycopg://<user>@<host>/<database>",
)


def test_hook_wladna_store_schemes(pm: WladnaPluginManager, registered: Any) -> None:
    # The built-in stores declare their URLs through the hook, as any adapter does.
    assert store_schemes_from(pm) == BUILT_IN_SHAPES

    class Couch:
        @hookimpl
        def wladna_store_schemes(self) -> list[str]:
            return ["couchdb://<host>/<database>", "memory://"]

    registered(Couch(), "couch-adapter")
    # Listed after the built-in ones, each shape once.
    assert store_schemes_from(pm) == (*BUILT_IN_SHAPES, "couchdb://<host>/<database>")
    with pytest.raises(UnsupportedStoreURL) as refused:
        open_store("couchdb:/db.example.ma", plugins=pm)
    assert refused.value.known_schemes == (*BUILT_IN_SHAPES, "couchdb://<host>/<database>")
    assert "couchdb://<host>/<database>, or install the plug-in for this scheme" in str(
        refused.value
    )
    # An empty URL is refused the same way.
    with pytest.raises(UnsupportedStoreURL, match="couchdb://<host>/<database>"):
        open_store("", plugins=pm)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("couchdb://<host>", "it returned a str, where an iterable (list, tuple) of str objects"),
        ([b"couchdb://"], "item 0 of its answer is a bytes, not a str"),
        (["couchdb"], "it declared 'couchdb', which is not a URL shape"),
        (["://nothing"], "it declared '://nothing', which is not a URL shape"),
    ],
)
def test_a_store_scheme_that_is_not_a_url_shape_is_refused_naming_its_plugin(
    pm: WladnaPluginManager, registered: Any, answer: object, reason: str
) -> None:
    registered(SimpleNamespace(wladna_store_schemes=hookimpl(lambda: answer)), "sloppy-adapter")
    with pytest.raises(PluginHookError) as refused:
        open_store("nowhere://", plugins=pm)
    assert refused.value.hook == "wladna_store_schemes"
    assert refused.value.plugins == ("'sloppy-adapter'",)
    assert reason in refused.value.reason


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


def counted(name: str) -> Indicator:
    """Return an indicator counting every case, in one row per group, in Python only."""

    def count(records: Records, query: IndicatorQuery) -> list[tuple[object, ...]]:
        counts = Counter(
            key
            for facts in records.case_facts()
            if query.grouping.keeps(facts)
            for key in query.grouping.keys(facts, None)
        )
        if not query.by:
            counts[()] += 0
        return [(*key, number) for key, number in counts.items()]

    return Indicator(
        name=name,
        title=name.replace("_", " ").capitalize(),
        definition="Every case stored.",
        unit="count",
        measures=("count",),
        dimensions=("province", "body"),
        counts="cases",
        compute=count,
    )


def test_hook_wladna_indicators(pm: WladnaPluginManager, registered: Any) -> None:
    visits, overdue = counted("home_visits"), counted("overdue_visits")
    registered(SimpleNamespace(wladna_indicators=hookimpl(lambda: [visits])), "one")
    registered(SimpleNamespace(wladna_indicators=hookimpl(lambda: (overdue,))), "two")
    found = indicators_from(pm)
    assert found["home_visits"] is visits
    assert found["overdue_visits"] is overdue
    # The built-in indicators are contributed through the same hook.
    assert "cases_opened" in found
    # What the hook offers is what a report computes.
    deployment = deploy(plugins=pm)
    try:
        deployment.case()
        report = deployment.wl.report(["home_visits", "overdue_visits"], by=["province"])
    finally:
        deployment.wl.close()
    assert report.table("home_visits").body == (("MA-SAL", 1),)
    assert report.table("overdue_visits").totals == (1,)


@attrs.frozen
class Summary:
    """What the hook's contract once asked for: a name and a description, nothing to compute."""

    name: str
    description: str


def test_an_indicator_that_is_not_an_indicator_is_refused_naming_its_plugin(
    pm: WladnaPluginManager, registered: Any
) -> None:
    # The class is named like the library's, as a partner's was: the message must tell them apart.
    summary = attrs.make_class("Indicator", {"name": attrs.field(), "description": attrs.field()})
    answer = summary("home_visits", "Home visits made in the period.")
    registered(SimpleNamespace(wladna_indicators=hookimpl(lambda: [answer])), "home-visits")
    deployment = deploy(plugins=pm)
    try:
        with pytest.raises(PluginHookError) as refused:
            deployment.wl.report(["cases_opened"])
    finally:
        deployment.wl.close()
    assert refused.value.hook == "wladna_indicators"
    assert refused.value.plugins == ("'home-visits'",)
    assert str(refused.value) == (
        "plug-in 'home-visits', hook wladna_indicators: item 0 of its answer is a "
        "test_hooks.Indicator, not a wladna_core.reporting.Indicator; return "
        "wladna_core.reporting.Indicator objects (see docs/plugin_hooks.md, wladna_indicators)"
    )


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

    class Clocked:
        @hookimpl
        def wladna_case_event(self, clock: Callable[[], datetime]) -> None:
            heard.append(("clocked", clock(), {}))

    class Broken:
        @hookimpl
        def wladna_case_event(self, event: object) -> None:
            raise ConnectionError("SMS gateway unreachable")

    registered(Listener("first"), "first")
    registered(Broken(), "broken-sms")
    registered(Listener("last"), "last")
    registered(Clocked(), "clocked")
    event = CaseClosed(record_id="c1", on=ON, reason=ClosureReason.GOALS_ACHIEVED)
    with caplog.at_level(logging.ERROR, logger="wladna_core.plugins"):
        failures = announce_case_event(pm, event, {"actor": "w1"}, clock=lambda: NOW)
    # Every plug-in hears the event, even after one failed; the failure names the plug-in.
    assert sorted(name for name, _event, _context in heard) == ["clocked", "first", "last"]
    assert ("clocked", NOW, {}) in heard
    assert all(e is event and c == {"actor": "w1"} for n, e, c in heard if n != "clocked")
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
            return False if action == Action.REPORT_EXPORT else None

    class Permissive:
        @hookimpl
        def wladna_authorize(self) -> bool:
            return True

    class OfficeHours:
        @hookimpl
        def wladna_authorize(self, clock: Callable[[], datetime]) -> bool | None:
            return None if 8 <= clock().hour < 18 else False

    assert authorize(pm, actor, "report.export", object()) is True
    registered(Permissive(), "permissive")
    registered(NoExports(), "no-exports")
    # A denial wins over any number of approvals; without a denial there is no objection.
    assert authorize(pm, actor, "report.export", object()) is False
    assert authorize(pm, actor, "case.read", object()) is True
    registered(OfficeHours(), "office-hours")
    assert authorize(pm, actor, "case.read", object(), clock=lambda: NOW) is True
    late = NOW.replace(hour=21)
    assert authorize(pm, actor, "case.read", object(), clock=lambda: late) is False


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
    # The information base's kinds, the training programme's and the case file's from their
    # plug-ins.
    assert set(builtin.names) >= CASEFILE_KINDS
    assert set(builtin.names) - CASEFILE_KINDS == {
        "body",
        "child",
        "family",
        "case",
        "referral",
        "duplicate_pair",
    } | {kind.name for kind in TRAINING_KINDS}
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


def test_hook_wladna_cli_commands(pm: WladnaPluginManager, registered: Any) -> None:
    @click.group("outreach")
    def outreach() -> None:
        """The outreach teams."""

    @click.command("visits")
    def visits() -> None:
        """Home visits."""

    registered(SimpleNamespace(wladna_cli_commands=hookimpl(lambda: [outreach])), "outreach")
    registered(SimpleNamespace(wladna_cli_commands=hookimpl(lambda: (visits,))), "visits")
    commands = cli_commands_from(pm, reserved={"import", "report"})
    assert commands["outreach"] is outreach
    assert commands["visits"] is visits


def test_a_command_named_like_a_core_command_is_refused_naming_its_plugin(
    pm: WladnaPluginManager, registered: Any
) -> None:
    registered(
        SimpleNamespace(wladna_cli_commands=hookimpl(lambda: [click.Command("import")])), "copy"
    )
    assert "import" in cli_commands_from(pm)
    with pytest.raises(PluginHookError, match=r"'copy'.*command 'import'.*wladna itself"):
        cli_commands_from(pm, reserved={"import", "report"})


def test_two_plugins_offering_a_command_of_one_name_are_both_named(
    pm: WladnaPluginManager, registered: Any
) -> None:
    registered(SimpleNamespace(wladna_cli_commands=hookimpl(lambda: [click.Group("x")])), "one")
    registered(SimpleNamespace(wladna_cli_commands=hookimpl(lambda: [click.Group("x")])), "two")
    with pytest.raises(PluginHookError, match=r"plug-ins '(one|two)' and '(one|two)'.*'x'"):
        cli_commands_from(pm)


@pytest.mark.parametrize("answer", [["outreach"], click.Group("whole"), [click.Command("")]])
def test_a_command_that_is_not_a_named_click_command_is_refused(
    pm: WladnaPluginManager, registered: Any, answer: object
) -> None:
    registered(SimpleNamespace(wladna_cli_commands=hookimpl(lambda: answer)), "odd")
    with pytest.raises(PluginHookError, match=r"plug-in 'odd', hook wladna_cli_commands"):
        cli_commands_from(pm)


def test_hook_wladna_territories(pm: WladnaPluginManager, registered: Any) -> None:
    commune = Territory("MA-SAL-001", TerritoryLevel.COMMUNE, "Bab Lamrissa", parent="MA-SAL")
    registered(SimpleNamespace(wladna_territories=hookimpl(lambda: [commune])), "sale-communes")
    gazetteer = gazetteer_from(pm)
    assert gazetteer.get("MA-SAL-001") == commune
    assert gazetteer.contains("MA-04", "MA-SAL-001")
    assert gazetteer.province_of("MA-SAL-001").code == "MA-SAL"  # type: ignore[union-attr]


def test_hook_wladna_case_number(pm: WladnaPluginManager, registered: Any) -> None:
    case = a_case(a_child())
    assert format_case_number(case, "MA-SAL", 2026, 12, case_numbering(pm)) == "SAL-2026-000012"

    class SlashNumbers:
        @hookimpl
        def wladna_case_number(self, province: str, year: int, sequence: int) -> str:
            return f"{province.removeprefix('MA-')}/{year}/{sequence:05d}"

    registered(SlashNumbers(), "slash-numbers")
    assert format_case_number(case, "MA-SAL", 2026, 12, case_numbering(pm)) == "SAL/2026/00012"
    assert pm.hook.wladna_case_number(case=case, province="MA-RAB", year=2027, sequence=1) == (
        "RAB/2027/00001"
    )


def test_hook_wladna_matcher(pm: WladnaPluginManager, registered: Any) -> None:
    settings, gazetteer = MatchSettings(duplicate_threshold=0.95), Gazetteer.morocco()
    built_in = matcher_from(pm, settings, gazetteer)
    assert type(built_in) is ChildMatcher
    assert built_in.settings == settings

    class Never(ChildMatcher):
        def score(self, a: object, b: object) -> MatchScore:
            return MatchScore.from_reasons([Reason("never", -50.0)])

    class Plugged:
        @hookimpl
        def wladna_matcher(self, settings: MatchSettings, gazetteer: Gazetteer) -> ChildMatcher:
            return Never(settings, gazetteer)

    registered(Plugged(), "never-matcher")
    plugged = matcher_from(pm, settings, gazetteer)
    assert isinstance(plugged, Never)
    assert plugged.settings == settings

    class Broken:
        @hookimpl(tryfirst=True)
        def wladna_matcher(self) -> object:
            return "not a matcher"

    registered(Broken(), "broken-matcher")
    with pytest.raises(PluginHookError, match="broken-matcher") as caught:
        matcher_from(pm, settings, gazetteer)
    assert "Matcher protocol" in str(caught.value)


def test_hook_wladna_programme_eligibility(pm: WladnaPluginManager, registered: Any) -> None:
    class Rsu:
        @hookimpl
        def wladna_programme_eligibility(
            self, family: Family, programme: SocialProgramme, clock: Callable[[], datetime]
        ) -> EligibilityResult | None:
            if programme is not SocialProgramme.ASD:
                return None
            registered_in_rsu = family.rsu_id is not None
            reason = "registered in the RSU" if registered_in_rsu else "not registered in the RSU"
            return EligibilityResult(
                programme, registered_in_rsu, f"{reason} on {clock():%Y-%m-%d}"
            )

    registered(Rsu(), "rsu")
    family = Family(rsu_id=None)

    def from_rsu(programme: SocialProgramme) -> list[EligibilityResult]:
        # The built-in check of the programmes answers too; this test is about the plug-in.
        answers = eligibility_from(pm, family, programme, ON, clock=lambda: NOW)
        return [answer for answer in answers if answer.source == "rsu"]

    assert from_rsu(SocialProgramme.ASD) == [
        EligibilityResult(
            SocialProgramme.ASD, False, "not registered in the RSU on 2026-06-15", source="rsu"
        )
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


# The hooks that depend on the time read the deployment's clock --------------------------------


class ClockReader:
    """Reads the clock it receives in each hook that has one, and keeps what it read."""

    def __init__(self) -> None:
        self.read: dict[str, list[datetime]] = {}

    def _keep(self, hook: str, clock: Callable[[], datetime]) -> None:
        self.read.setdefault(hook, []).append(clock())

    @hookimpl
    def wladna_case_event(self, clock: Callable[[], datetime]) -> None:
        self._keep("wladna_case_event", clock)

    @hookimpl
    def wladna_authorize(self, clock: Callable[[], datetime]) -> None:
        self._keep("wladna_authorize", clock)

    @hookimpl
    def wladna_programme_eligibility(self, clock: Callable[[], datetime]) -> None:
        self._keep("wladna_programme_eligibility", clock)


@pytest.mark.parametrize(
    "store", ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_hooks_receive_the_deployments_clock(
    pm: WladnaPluginManager, registered: Any, store: str, tmp_path: Path
) -> None:
    reader = registered(ClockReader(), "clock-reader")
    with contextlib.ExitStack() as stack:
        if store == "memory":
            url = None
        elif store == "sqlite":
            url = f"sqlite:///{tmp_path / 'clock.db'}"
        else:
            url = stack.enter_context(private_schema(server_url()))
        clock = Clock(date(2031, 1, 6))  # years from the system clock's date
        deployment = deploy(url, plugins=pm, clock=clock)
        stack.callback(deployment.wl.close)
        worker = deployment.as_(deployment.worker)
        case = deployment.case(with_family=True)
        family_id = case.family_id
        assert family_id is not None
        assessment = Assessment(on=TODAY, by=deployment.worker.id, risk=RiskLevel.HIGH)
        acts: dict[str, Callable[[], object]] = {
            "wladna_authorize": lambda: worker.case(case.id),
            "wladna_case_event": lambda: worker.record_assessment(case.id, assessment),
            "wladna_programme_eligibility": lambda: worker.eligibility(
                family_id, SocialProgramme.ASD
            ),
        }
        for hook, act in acts.items():
            clock.advance(1)
            before = clock.moment
            reader.read.clear()
            act()
            # What the hook read is the deployment's clock (days ahead of the system's).
            assert reader.read[hook], hook
            assert all(before < moment <= clock.moment for moment in reader.read[hook]), hook
