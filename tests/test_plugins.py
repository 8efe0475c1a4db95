"""The plug-in manager: built-ins, installed plug-ins, restriction, tracing, errors that name names.

Installed plug-ins are real distributions: ``tests/fixtures/wladna-sample-plugin`` is built and
installed with pip into a temporary directory put on ``sys.path``, and error cases use
distributions written by hand (a ``.dist-info`` directory is all ``importlib.metadata`` reads).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import logging
import pickle
import re
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wladna_core.renderers
from install_helpers import pip_install
from postgres import private_schema, server_url
from wladna_core import hookspecs
from wladna_core.casefile.approvals import APPROVAL_RULES
from wladna_core.casefile.care import CARE_RULES
from wladna_core.casefile.concerns import CONCERN_RULES
from wladna_core.casefile.delivery import SERVICE_RULES
from wladna_core.casefile.documents import DOCUMENT_RULES
from wladna_core.casefile.incidents import INCIDENT_RULES
from wladna_core.casefile.outreach import OUTREACH_RULES
from wladna_core.casefile.participation import PARTICIPATION_RULES
from wladna_core.casefile.tracing import TRACING_RULES
from wladna_core.hookspecs import EligibilityResult, hookimpl
from wladna_core.model import (
    Child,
    Family,
    Sex,
    SocialProgramme,
    Territory,
    TerritoryLevel,
)
from wladna_core.plugins import (
    DEFAULT_PLUGINS,
    PluginHookError,
    PluginInfo,
    PluginLoadError,
    WladnaPluginManager,
    announce_case_event,
    authorize,
    configure_converter,
    eligibility_from,
    gazetteer_from,
    indicators_from,
    make_plugin_manager,
    plugin_list,
    renderers_from,
    rules_from,
    store_environment,
)
from wladna_core.renderers import (
    CSV,
    EXCEL_CSV,
    JSON,
    MARKDOWN,
    Renderer,
    Table,
    cell_value,
)
from wladna_core.reporting import Indicator
from wladna_core.rules import catalogue, validate
from wladna_core.storage import open_store
from wladna_core.storage.memory import MemoryStore
from wladna_core.storage.ports import Store, StoreError
from wladna_core.testing.conformance import example_case_file
from wladna_core.training import TRAINING_RULES

#: The rules of the case file's built-in plug-ins.
CASEFILE_RULES = (
    *SERVICE_RULES,
    *PARTICIPATION_RULES,
    *CONCERN_RULES,
    *DOCUMENT_RULES,
    *APPROVAL_RULES,
    *INCIDENT_RULES,
    *CARE_RULES,
    *OUTREACH_RULES,
    *TRACING_RULES,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

FIXTURE = Path(__file__).parent / "fixtures" / "wladna-sample-plugin"
ON = date(2026, 6, 15)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where the sample plug-in distribution is installed (not yet on sys.path)."""
    source = tmp_path_factory.mktemp("source") / FIXTURE.name
    # Build from a copy, so that nothing a build leaves behind lands in the repository.
    shutil.copytree(FIXTURE, source)
    site = tmp_path_factory.mktemp("site")
    pip_install(site, source)
    return site


def forget_modules(prefixes: tuple[str, ...]) -> None:
    for name in [name for name in sys.modules if name.startswith(prefixes)]:
        del sys.modules[name]


@pytest.fixture
def sample_installed(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Put the sample plug-in's site on sys.path for one test."""
    monkeypatch.delenv("WLADNA_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(sample_site))
    try:
        yield sample_site
    finally:
        forget_modules(("wladna_sample_plugin",))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Write distributions by hand into a directory on sys.path, for one test."""
    monkeypatch.delenv("WLADNA_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    modules: list[str] = []

    def distribution(
        name: str, version: str, entry_points: Mapping[str, str], modules_code: Mapping[str, str]
    ) -> None:
        info = tmp_path / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        info.joinpath("METADATA").write_text(metadata, encoding="utf-8")
        lines = ["[wladna]", *(f"{key} = {value}" for key, value in entry_points.items())]
        info.joinpath("entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for module, code in modules_code.items():
            tmp_path.joinpath(f"{module}.py").write_text(code, encoding="utf-8")
            modules.append(module)
        importlib.invalidate_caches()

    try:
        yield distribution
    finally:
        forget_modules(tuple(modules))


GOOD_PLUGIN = """
from wladna_core.hookspecs import hookimpl

@hookimpl
def wladna_authorize(action):
    return None
"""


# The manager --------------------------------------------------------------------------------


def test_every_default_plugin_is_registered_under_its_module_name() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    infos = {info.name: info for info in plugin_list(pm)}
    assert set(DEFAULT_PLUGINS) == set(infos)
    assert all(info.distribution == "wladna-core" for info in infos.values())
    assert infos["wladna_core.renderers"].hooks == ("wladna_renderers",)
    assert infos["wladna_core._builtin_rules"].hooks == ("wladna_rules",)
    assert "wladna_open_store" in infos["wladna_core.storage.memory"].hooks


def test_the_builtin_plugins_provide_the_builtin_rules_renderers_and_memory_store() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    # The built-in catalogue, and the training programme's rules from its built-in plug-in.
    expected = (*catalogue(), *TRAINING_RULES, *CASEFILE_RULES)
    assert sorted(rule.code for rule in rules_from(pm)) == sorted(rule.code for rule in expected)
    assert list(renderers_from(pm)) == ["csv", "excel-csv", "json", "markdown"]
    store = pm.hook.wladna_open_store(
        url="memory://", settings={}, plugins=pm, environment=store_environment(pm)
    )
    assert isinstance(store, MemoryStore)
    assert isinstance(store, Store)


def test_each_call_makes_a_new_manager_that_others_do_not_see() -> None:
    first = make_plugin_manager(load_entrypoints=False)
    second = make_plugin_manager(load_entrypoints=False)
    assert first is not second
    first.register(SimpleNamespace(wladna_authorize=hookimpl(lambda: False)), name="deny")
    assert authorize(first, None, "case.read", None) is False
    assert authorize(second, None, "case.read", None) is True


def test_an_installed_plugin_is_loaded_through_its_entry_point(sample_installed: Path) -> None:
    pm = make_plugin_manager()
    sample = next(info for info in plugin_list(pm) if info.name == "sample")
    assert sample == PluginInfo(
        "sample", "wladna-sample-plugin", "1.2.0", ("wladna_rules", "wladna_territories")
    )
    # Its rule runs in validate beside the built-in rules, and its commune is in the gazetteer.
    rules = rules_from(pm)
    child = Child(sex=Sex.MALE, birth_date=date(2015, 1, 1), given_name="Yassine")
    assert [v.code for v in validate(child, on=ON, rules=rules)] == ["sample.residence_unknown"]
    assert gazetteer_from(pm).province_of("MA-SAL-001").code == "MA-SAL"  # type: ignore[union-attr]


def test_without_entry_points_no_installed_plugin_loads(sample_installed: Path) -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    assert not pm.has_plugin("sample")


@pytest.mark.parametrize("name", ["sample", "wladna-sample-plugin", "Wladna_Sample.Plugin"])
def test_wladna_plugins_selects_by_entry_point_or_distribution_name(
    sample_installed: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("WLADNA_PLUGINS", f" {name} , ")
    assert make_plugin_manager().has_plugin("sample")


@pytest.mark.parametrize("value", ["none", "None", " NONE "])
def test_wladna_plugins_none_loads_no_installed_plugin_but_every_builtin(
    sample_installed: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WLADNA_PLUGINS", value)
    pm = make_plugin_manager()
    assert not pm.has_plugin("sample")
    assert {info.name for info in plugin_list(pm)} == set(DEFAULT_PLUGINS)


@pytest.mark.parametrize("value", ["", "  ", ","])
def test_an_empty_wladna_plugins_loads_every_installed_plugin(
    sample_installed: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WLADNA_PLUGINS", value)
    assert make_plugin_manager().has_plugin("sample")


def test_a_plugin_loads_only_when_wladna_plugins_and_only_both_allow_it(
    site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    site("wladna-a", "1.0", {"a": "plugin_a"}, {"plugin_a": GOOD_PLUGIN})
    site("wladna-b", "1.0", {"b": "plugin_b"}, {"plugin_b": GOOD_PLUGIN})
    assert {"a", "b"} <= {info.name for info in plugin_list(make_plugin_manager())}
    pm = make_plugin_manager(only=["b"])
    assert (pm.has_plugin("a"), pm.has_plugin("b")) == (False, True)
    monkeypatch.setenv("WLADNA_PLUGINS", "a")
    pm = make_plugin_manager(only=["a", "b"])
    assert (pm.has_plugin("a"), pm.has_plugin("b")) == (True, False)
    pm = make_plugin_manager(only=["b"])
    assert (pm.has_plugin("a"), pm.has_plugin("b")) == (False, False)
    assert not make_plugin_manager(only=[]).has_plugin("a")


def test_a_plugin_name_that_matches_nothing_installed_is_an_error(
    site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    site("wladna-a", "1.0", {"a": "plugin_a"}, {"plugin_a": GOOD_PLUGIN})
    with pytest.raises(PluginLoadError, match=r"named in make_plugin_manager\(only=...\)") as info:
        make_plugin_manager(only=["a", "fhri"])
    assert info.value.plugin == "fhri"
    assert "installed: a" in str(info.value)
    monkeypatch.setenv("WLADNA_PLUGINS", "a,fhri")
    with pytest.raises(PluginLoadError, match="named in the environment variable WLADNA_PLUGINS"):
        make_plugin_manager()


def test_none_mixed_with_plugin_names_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WLADNA_PLUGINS", "none,sample")
    with pytest.raises(PluginLoadError, match="mixes 'none' with plug-in names"):
        make_plugin_manager()


def test_only_takes_a_collection_of_names_not_a_string() -> None:
    with pytest.raises(TypeError, match="not the string 'sample'"):
        make_plugin_manager(only="sample")


# Plug-ins that do not load ------------------------------------------------------------------


def test_a_plugin_that_fails_to_import_names_itself_its_distribution_and_the_error(
    site: Any,
) -> None:
    broken = "import wladna_core.no_such_module\n"
    site("wladna-broken", "0.3.1", {"broken": "broken_plugin"}, {"broken_plugin": broken})
    with pytest.raises(PluginLoadError) as info:
        make_plugin_manager()
    error = info.value
    assert (error.plugin, error.distribution, error.version) == ("broken", "wladna-broken", "0.3.1")
    assert "ModuleNotFoundError: No module named 'wladna_core.no_such_module'" in str(error)
    assert "plug-in 'broken' (distribution wladna-broken 0.3.1) could not be loaded" in str(error)
    assert isinstance(error.__cause__, ModuleNotFoundError)


def test_a_plugin_raising_at_import_is_reported_with_the_original_error(site: Any) -> None:
    code = "raise RuntimeError('no licence key')\n"
    site("wladna-licensed", "2.0", {"licensed": "licensed_plugin"}, {"licensed_plugin": code})
    with pytest.raises(PluginLoadError, match="RuntimeError: no licence key"):
        make_plugin_manager()


def test_a_plugin_implementing_an_unknown_hook_is_refused_with_a_suggestion(site: Any) -> None:
    code = (
        "from wladna_core.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef wladna_rule():\n    return []\n"
    )
    site("wladna-typo", "1.0", {"typo": "typo_plugin"}, {"typo_plugin": code})
    with pytest.raises(PluginLoadError) as info:
        make_plugin_manager()
    assert (info.value.plugin, info.value.distribution) == ("typo", "wladna-typo")
    assert "wladna_rule (did you mean wladna_rules?)" in info.value.reason
    assert "not a wladna hook" in info.value.reason


def test_a_plugin_naming_an_argument_the_hook_lacks_is_refused(site: Any) -> None:
    code = (
        "from wladna_core.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef wladna_authorize(actor, user):\n    return None\n"
    )
    site("wladna-args", "1.0", {"args": "args_plugin"}, {"args_plugin": code})
    with pytest.raises(PluginLoadError, match=r"Argument\(s\) \{'user'\}") as info:
        make_plugin_manager()
    assert info.value.distribution == "wladna-args"


def test_two_distributions_offering_one_plugin_name_are_both_named(site: Any) -> None:
    site("wladna-one", "1.0", {"sms": "sms_one"}, {"sms_one": GOOD_PLUGIN})
    site("wladna-two", "2.0", {"sms": "sms_two"}, {"sms_two": GOOD_PLUGIN})
    with pytest.raises(PluginLoadError) as info:
        make_plugin_manager()
    message = str(info.value)
    assert "wladna-one 1.0" in message
    assert "wladna-two 2.0" in message


def test_one_module_under_two_entry_points_is_refused(site: Any) -> None:
    site("wladna-twice", "1.0", {"first": "twice", "second": "twice"}, {"twice": GOOD_PLUGIN})
    with pytest.raises(PluginLoadError, match="same object as the plug-in 'first'"):
        make_plugin_manager()


def test_load_errors_survive_pickling() -> None:
    error = PluginLoadError("sms", "wladna-sms", "1.0", "it broke", "Fix it.")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.plugin, copy.distribution, copy.version, copy.reason, copy.remedy) == (
        "sms",
        "wladna-sms",
        "1.0",
        "it broke",
        "Fix it.",
    )
    assert str(copy) == str(error)
    hook_error = PluginHookError("wladna_rules", ["'a'", "'b'"], "both offer x")
    hook_copy = pickle.loads(pickle.dumps(hook_error))
    assert str(hook_copy) == "plug-ins 'a' and 'b', hook wladna_rules: both offer x"


# Tracing ------------------------------------------------------------------------------------


def test_tracing_logs_hook_calls_without_personal_data(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WLADNA_TRACE_HOOKS", "1")
    pm = make_plugin_manager(load_entrypoints=False)
    family = Family(rsu_id="RSU-77812", residence="MA-SAL")
    answer = EligibilityResult(SocialProgramme.ASD, True, "in the RSU")
    pm.register(plugin(wladna_programme_eligibility=lambda: answer), name="rsu")
    with caplog.at_level(logging.DEBUG, logger="wladna_core.plugins"):
        pm.hook.wladna_open_store(
            url="nosuch+driver://wladna:s3cret@db/wladna",
            settings={"password": "hunter2"},
            plugins=pm,
            environment=store_environment(pm),
        )
        eligibility_from(pm, family, SocialProgramme.ASD, ON)
        rules_from(pm)
    text = caplog.text
    assert "wladna_open_store(url='nosuch+driver://wladna:***@db/wladna'" in text
    assert "settings=dict with keys ['password']" in text
    assert "plug-ins: wladna_core.storage" in text
    assert "wladna_rules returned tuple[" in text
    assert "Rule(code='body." in text
    assert "wladna_programme_eligibility(family=" in text
    assert f"family=Family(id={family.id!r})" in text
    for secret in ("s3cret", "hunter2", "RSU-77812"):
        assert secret not in text


def test_tracing_reports_an_exception_by_type_only(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WLADNA_TRACE_HOOKS", "yes")
    pm = make_plugin_manager(load_entrypoints=False)

    def broken(action: str) -> bool:
        raise ValueError(f"no access for child Amina ({action})")

    pm.register(SimpleNamespace(wladna_authorize=hookimpl(broken)), name="broken")
    with (
        caplog.at_level(logging.DEBUG, logger="wladna_core.plugins"),
        pytest.raises(PluginHookError),
    ):
        authorize(pm, None, "case.read", None)
    assert "wladna_authorize raised ValueError" in caplog.text
    assert "Amina" not in caplog.text


@pytest.mark.parametrize("value", [None, "", "0", "no", "false"])
def test_tracing_is_off_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("WLADNA_TRACE_HOOKS", raising=False)
    else:
        monkeypatch.setenv("WLADNA_TRACE_HOOKS", value)
    pm = make_plugin_manager(load_entrypoints=False)
    with caplog.at_level(logging.DEBUG, logger="wladna_core.plugins"):
        rules_from(pm)
    assert not pm.traced
    assert caplog.records == []


# Asking the plug-ins: clashes and misbehaviour name the plug-ins ------------------------------


@pytest.fixture
def pm() -> WladnaPluginManager:
    return make_plugin_manager(load_entrypoints=False)


def plugin(**hooks: Any) -> SimpleNamespace:
    return SimpleNamespace(**{name: hookimpl(function) for name, function in hooks.items()})


def test_two_renderers_with_one_name_name_both_plugins(pm: WladnaPluginManager) -> None:
    mine = attrs.evolve(CSV, description="another CSV")
    pm.register(plugin(wladna_renderers=lambda: [mine]), name="my-csv")
    with pytest.raises(PluginHookError) as info:
        renderers_from(pm)
    assert info.value.plugins == (
        "'my-csv'",
        f"'wladna_core.renderers' (distribution wladna-core {wladna_core_version()})",
    )
    assert "both offer a renderer named 'csv'" in str(info.value)


def wladna_core_version() -> str:
    return importlib.metadata.version("wladna-core")


def test_the_same_renderer_offered_twice_is_no_clash(pm: WladnaPluginManager) -> None:
    pm.register(plugin(wladna_renderers=lambda: [JSON]), name="again")
    assert renderers_from(pm)["json"] is JSON


def test_two_rules_with_one_code_name_both_plugins(pm: WladnaPluginManager) -> None:
    builtin = catalogue()[0]
    impostor = attrs.evolve(builtin, description="Something else.")
    pm.register(plugin(wladna_rules=lambda: [impostor]), name="impostor")
    with pytest.raises(PluginHookError, match=f"both offer a rule with the code '{builtin.code}'"):
        rules_from(pm)
    pm.unregister(name="impostor")
    pm.register(plugin(wladna_rules=lambda: [builtin]), name="echo")
    assert len(rules_from(pm)) == len(catalogue()) + len(TRAINING_RULES) + len(CASEFILE_RULES)


def test_two_indicators_with_one_name_name_both_plugins(pm: WladnaPluginManager) -> None:
    def caseload(definition: str) -> Indicator:
        return Indicator(
            name="caseload",
            title="Caseload",
            definition=definition,
            unit="count",
            measures=("count",),
            dimensions=(),
            counts="cases",
            compute=lambda _records, _query: [(0,)],
        )

    first, second = caseload("Open cases per worker."), caseload("Open cases per body.")
    pm.register(plugin(wladna_indicators=lambda: [first]), name="first")
    pm.register(plugin(wladna_indicators=lambda: [second]), name="second")
    with pytest.raises(PluginHookError, match="plug-ins 'second' and 'first'"):
        indicators_from(pm)


def commune(code: str, parent: str = "MA-SAL", name: str = "Commune") -> Territory:
    return Territory(code, TerritoryLevel.COMMUNE, name, parent=parent)


@pytest.mark.parametrize(
    ("territories", "message"),
    [
        ([commune("MA-SAL", parent="MA-04")], "'MA-SAL', which is in the shipped data"),
        ([commune("MA-SAL-009", parent="MA-SAL-008")], "has the parent 'MA-SAL-008'"),
    ],
)
def test_a_territory_that_does_not_fit_names_its_plugin(
    pm: WladnaPluginManager, territories: list[Territory], message: str
) -> None:
    pm.register(plugin(wladna_territories=lambda: territories), name="communes")
    with pytest.raises(PluginHookError, match=message) as info:
        gazetteer_from(pm)
    assert info.value.plugins == ("'communes'",)


def test_two_plugins_with_different_territories_under_one_code_are_both_named(
    pm: WladnaPluginManager,
) -> None:
    pm.register(plugin(wladna_territories=lambda: [commune("MA-SAL-001")]), name="one")
    pm.register(plugin(wladna_territories=lambda: [commune("MA-SAL-001", name="X")]), name="two")
    with pytest.raises(PluginHookError, match="plug-ins 'two' and 'one'"):
        gazetteer_from(pm)


def test_territories_offered_by_several_plugins_may_build_on_each_other(
    pm: WladnaPluginManager,
) -> None:
    district = Territory("MA-SAL-D1", TerritoryLevel.COMMUNE, "District", parent="MA-SAL")
    pm.register(plugin(wladna_territories=lambda: [commune("MA-SAL-D1-01", "MA-SAL-D1")]), "a")
    pm.register(plugin(wladna_territories=lambda: [district, district]), name="b")
    pm.register(plugin(wladna_territories=lambda: [district]), name="c")
    assert gazetteer_from(pm).contains("MA-04", "MA-SAL-D1-01")


def test_a_cycle_among_plugin_territories_names_the_plugins(pm: WladnaPluginManager) -> None:
    loop = [commune("MA-SAL-X1", "MA-SAL-Y1"), commune("MA-SAL-Y1", "MA-SAL-X1")]
    pm.register(plugin(wladna_territories=lambda: loop), name="loop")
    with pytest.raises(PluginHookError, match=r"territory\.cycle") as info:
        gazetteer_from(pm)
    assert info.value.plugins == ("'loop'",)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (catalogue()[0], "it returned a wladna_core.rules.Rule, where an iterable"),
        ("child.adult", "it returned a str, where an iterable"),
        ({"code": "x"}, "it returned a dict, where an iterable"),
        (["child.adult"], "item 0 of its answer is a str, not a wladna_core.rules.Rule; return"),
    ],
)
def test_a_plugin_returning_something_other_than_rules_is_named(
    pm: WladnaPluginManager, answer: object, message: str
) -> None:
    pm.register(plugin(wladna_rules=lambda: answer), name="sloppy")
    with pytest.raises(PluginHookError, match=message) as info:
        rules_from(pm)
    assert info.value.plugins == ("'sloppy'",)


def test_a_raising_authorize_hook_refuses_and_names_its_plugin(pm: WladnaPluginManager) -> None:
    def unavailable() -> bool:
        raise TimeoutError("directory unreachable")

    pm.register(plugin(wladna_authorize=unavailable), name="directory")
    with pytest.raises(PluginHookError) as info:
        authorize(pm, None, "case.read", None)
    assert info.value.plugins == ("'directory'",)
    assert "TimeoutError: directory unreachable; the action is refused" in str(info.value)


def test_an_eligibility_answer_must_be_a_result_about_the_programme_asked(
    pm: WladnaPluginManager,
) -> None:
    family = Family()
    pm.register(plugin(wladna_programme_eligibility=lambda: True), name="yes-man")
    expected = "it returned a bool, not a wladna_core.hookspecs.EligibilityResult"
    with pytest.raises(PluginHookError, match=re.escape(expected)):
        eligibility_from(pm, family, SocialProgramme.ASD, ON)
    pm.unregister(name="yes-man")
    other = EligibilityResult(SocialProgramme.TAYSSIR, True, "school-age children")
    pm.register(plugin(wladna_programme_eligibility=lambda: other), name="confused")
    with pytest.raises(PluginHookError, match="asked about asd and answered about tayssir"):
        eligibility_from(pm, family, SocialProgramme.ASD, ON)


def test_an_eligibility_answer_keeps_its_own_source(pm: WladnaPluginManager) -> None:
    answer = EligibilityResult(SocialProgramme.ASD, True, "in the RSU", source="RSU 2026-05")
    # The plug-in is tried alone, without the built-in check of the programmes.
    pm.unregister(name="wladna_core.programmes")
    pm.register(plugin(wladna_programme_eligibility=lambda: answer), name="rsu")
    assert eligibility_from(pm, Family(), SocialProgramme.ASD, ON) == [answer]


@pytest.mark.parametrize(
    "fields",
    [
        {"programme": "asd", "eligible": True, "reason": "x"},
        {"programme": SocialProgramme.ASD, "eligible": 1, "reason": "x"},
        {"programme": SocialProgramme.ASD, "eligible": True, "reason": " "},
        {"programme": SocialProgramme.ASD, "eligible": True, "reason": "x", "source": ""},
    ],
)
def test_an_eligibility_result_needs_a_programme_an_answer_and_its_grounds(
    fields: dict[str, Any],
) -> None:
    with pytest.raises((TypeError, ValueError)):
        EligibilityResult(**fields)


def test_a_converter_hook_that_raises_names_its_plugin(pm: WladnaPluginManager) -> None:
    def broken(converter: object) -> None:
        raise AttributeError("no register_structure_hook")

    pm.register(plugin(wladna_configure_converter=broken), name="old-cattrs")
    with pytest.raises(PluginHookError, match="plug-in 'old-cattrs', hook wladna_configure"):
        configure_converter(pm, None)  # type: ignore[arg-type]


def test_the_plugin_list_of_a_plain_pluggy_manager_has_no_distributions() -> None:
    pm = pluggy.PluginManager("wladna")
    pm.add_hookspecs(hookspecs)
    pm.register(wladna_core.renderers, name="renderers")
    assert plugin_list(pm) == [PluginInfo("renderers", None, None, ("wladna_renderers",))]


def test_a_registered_plugin_without_a_distribution_is_listed_without_one(
    pm: WladnaPluginManager,
) -> None:
    def no_rules() -> list[object]:
        return []

    pm.register(plugin(wladna_rules=no_rules), name="local")
    local = next(info for info in plugin_list(pm) if info.name == "local")
    assert local == PluginInfo("local", None, None, ("wladna_rules",))
    assert pm.distribution_of(object()) is None


# Renderers ----------------------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.dates(),
    st.sampled_from(SocialProgramme),
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    columns = draw(st.lists(st.text(min_size=1), min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.tuples(*[cells for _ in columns]), max_size=8))
    return Table(draw(st.text()), columns, rows)


def as_text(value: object) -> str:
    plain = cell_value(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "true" if plain else "false"
    return str(plain)


@given(tables())
def test_csv_reads_back_as_the_table(table: Table) -> None:
    data = CSV.render(table)
    assert not data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert read == [list(table.columns), *[[as_text(v) for v in row] for row in table.rows]]


@given(tables())
def test_csv_for_spreadsheets_has_a_bom_and_no_formula(table: Table) -> None:
    data = EXCEL_CSV.render(table)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row, read_row in zip(table.rows, read[1:], strict=True):
        for value, cell in zip(row, read_row, strict=True):
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert cell == "'" + value
            else:
                assert cell == as_text(value)


def test_csv_lines_end_with_crlf_and_quote_only_when_needed() -> None:
    table = Table("t", ("name", "note"), [("Amina", 'said "yes", then left'), ("Omar", "a\nb")])
    assert CSV.render(table) == (b'name,note\r\nAmina,"said ""yes"", then left"\r\nOmar,"a\nb"\r\n')


def test_numbers_are_never_defused_in_spreadsheet_csv() -> None:
    table = Table("t", ("delta", "text"), [(-3, "-3"), (Decimal("-1.5"), "=SUM(A1)")])
    assert EXCEL_CSV.render(table).decode("utf-8-sig").splitlines() == [
        "delta,text",
        "-3,'-3",
        "-1.5,'=SUM(A1)",
    ]


@given(tables())
def test_json_reads_back_as_the_table(table: Table) -> None:
    document = json.loads(JSON.render(table))
    assert document["title"] == table.title
    assert document["columns"] == list(table.columns)
    assert document["rows"] == [
        dict(zip(table.columns, (cell_value(v) for v in row), strict=True)) for row in table.rows
    ]


def test_json_keeps_arabic_as_text_and_refuses_repeated_columns() -> None:
    table = Table("الحالات", ("province",), [("سلا",)])
    assert "سلا".encode() in JSON.render(table)
    repeated = SimpleNamespace(title="t", columns=("a", "a"), rows=[(1, 2)])
    with pytest.raises(ValueError, match="column names must be unique"):
        JSON.render(repeated)


@given(tables())
def test_markdown_has_a_heading_a_header_and_one_line_per_row(table: Table) -> None:
    lines = MARKDOWN.render(table).decode("utf-8").splitlines()
    assert lines[0].startswith("## ")
    assert len(lines) == 4 + len(table.rows)
    pipes = [line.replace("\\|", "").count("|") for line in lines[2:]]
    assert set(pipes) == {len(table.columns) + 1}


def test_markdown_escapes_pipes_and_line_breaks_and_aligns_numbers_right() -> None:
    table = Table("Cases | 2026", ("body", "cases"), [("UPE a|b", 3), ("CAPE\nSalé", None)])
    assert MARKDOWN.render(table).decode() == (
        "## Cases \\| 2026\n\n"
        "| body | cases |\n"
        "| --- | ---: |\n"
        "| UPE a\\|b | 3 |\n"
        "| CAPE<br>Salé |  |\n"
    )


def test_an_empty_table_renders_its_header_only() -> None:
    table = Table("Nothing yet", ("province", "cases"))
    assert CSV.render(table) == b"province,cases\r\n"
    assert json.loads(JSON.render(table))["rows"] == []
    assert MARKDOWN.render(table).decode().endswith("| province | cases |\n| --- | --- |\n")


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (None, None),
        (True, True),
        (7, 7),
        (0.25, 0.25),
        (Decimal(3), 3),
        (Decimal("0.125"), 0.125),
        (SocialProgramme.AMO_TADAMON, "amo_tadamon"),
        (date(2026, 2, 1), "2026-02-01"),
        (Path("a"), "a"),
    ],
)
def test_cell_values_are_plain(value: object, plain: object) -> None:
    assert cell_value(value) == plain
    assert type(cell_value(value)) is type(plain)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")])
def test_a_cell_that_is_not_a_finite_number_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="write None for a missing value"):
        cell_value(value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "CSV"}, "a renderer name"),
        ({"name": "my csv"}, "a renderer name"),
        ({"media_type": "csv"}, "a media type"),
        ({"suffix": "csv"}, "a file suffix"),
    ],
)
def test_a_renderer_is_checked_when_it_is_made(fields: dict[str, str], message: str) -> None:
    valid = {"name": "tsv", "media_type": "text/tab-separated-values", "suffix": ".tsv"}
    with pytest.raises(ValueError, match=message):
        Renderer(**(valid | fields), render=lambda table: b"")


@pytest.mark.parametrize(
    ("columns", "rows", "message"),
    [
        (("a", "a"), [], "column names repeat: a"),
        (("a", "b"), [(1,)], "row 0 has 1 values for 2 columns"),
    ],
)
def test_a_table_is_checked_when_it_is_made(
    columns: tuple[str, ...], rows: list[tuple[object, ...]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Table("Cases", columns, rows)


def test_a_table_refuses_a_string_for_its_columns() -> None:
    with pytest.raises(TypeError, match="got the string 'ab'"):
        Table("Cases", "ab")


def test_an_interrupt_in_an_event_hook_is_not_swallowed(pm: WladnaPluginManager) -> None:
    def interrupted(event: object) -> None:
        raise KeyboardInterrupt

    pm.register(plugin(wladna_case_event=interrupted), name="slow-gateway")
    with pytest.raises(KeyboardInterrupt):
        announce_case_event(pm, object(), {})


def test_a_builtin_plugin_that_fails_to_import_says_the_installation_is_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "wladna_core.plugins.DEFAULT_PLUGINS", (*DEFAULT_PLUGINS, "wladna_core.no_such_store")
    )
    with pytest.raises(PluginLoadError, match="reinstall it") as info:
        make_plugin_manager(load_entrypoints=False)
    assert (info.value.plugin, info.value.distribution) == (
        "wladna_core.no_such_store",
        "wladna-core",
    )


def test_builtins_run_from_a_source_tree_have_no_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("wladna_core.plugins._CORE_DISTRIBUTION", "wladna-core-not-installed")
    infos = plugin_list(make_plugin_manager(load_entrypoints=False))
    assert {(info.distribution, info.version) for info in infos} == {(None, None)}


def test_a_blocked_plugin_name_is_not_listed(pm: WladnaPluginManager) -> None:
    pm.set_blocked("wladna-sms")
    assert "wladna-sms" not in {info.name for info in plugin_list(pm)}


def test_tracing_twice_traces_each_call_once(caplog: pytest.LogCaptureFixture) -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.trace_hook_calls()
    pm.trace_hook_calls()
    with caplog.at_level(logging.DEBUG, logger="wladna_core.plugins"):
        pm.hook.wladna_renderers()
    assert [record.getMessage().split("(")[0] for record in caplog.records] == [
        "wladna_renderers",
        "wladna_renderers returned list[1]",
    ]


def test_only_the_raising_authorize_hook_is_named(pm: WladnaPluginManager) -> None:
    def unavailable() -> bool:
        raise TimeoutError("directory unreachable")

    pm.register(plugin(wladna_authorize=lambda: None), name="quiet")
    pm.register(plugin(wladna_authorize=unavailable), name="directory")
    pm.register(plugin(wladna_authorize=lambda: None), name="other")
    with pytest.raises(PluginHookError) as info:
        authorize(pm, None, "case.read", None)
    assert info.value.plugins == ("'directory'",)


# A first-result hook's answer names the plug-in that gave it ---------------------------------


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'numbers.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


@pytest.mark.parametrize(
    ("numbering", "reason"),
    [
        (lambda: "  ", "it returned '  ' for sequence 1 of MA-SAL in 2025"),
        (lambda: 2025_000_001, "it returned 2025000001 for sequence 1 of MA-SAL in 2025"),
        (lambda: 1 / 0, "it raised ZeroDivisionError: division by zero"),
    ],
)
def test_a_case_number_plugin_at_fault_is_named_and_nothing_is_saved(
    pm: WladnaPluginManager, any_store_url: str, numbering: Any, reason: str
) -> None:
    pm.register(plugin(wladna_case_number=numbering), name="register-numbers")
    example = example_case_file()
    with open_store(any_store_url, plugins=pm) as store:
        with store.unit_of_work() as uow:
            for record in example.records[:3]:  # the body, the child, the household
                uow.repository(type(record)).add(record)
        with pytest.raises(PluginHookError) as refused, store.unit_of_work() as uow:
            uow.cases.add(example.case)
        assert refused.value.hook == "wladna_case_number"
        assert refused.value.plugins == ("'register-numbers'",)
        assert reason in refused.value.reason
        with store.unit_of_work() as uow:
            assert uow.cases.count() == 0


def test_a_store_plugin_answering_with_something_else_is_named(pm: WladnaPluginManager) -> None:
    pm.register(plugin(wladna_open_store=lambda url: url), name="echo-adapter")
    with pytest.raises(StoreError) as refused:
        open_store("echo://", plugins=pm)
    assert str(refused.value) == (
        "the plug-in 'echo-adapter' answered wladna_open_store for 'echo://' with a str, not a "
        "Store (wladna_core.storage.Store); fix that plug-in"
    )


def test_a_store_error_of_an_adapter_reaches_the_caller_as_it_is(pm: WladnaPluginManager) -> None:
    busy = StoreError("the database is busy; try again")

    def refuse(url: str) -> None:
        raise busy

    pm.register(plugin(wladna_open_store=refuse), name="busy-adapter")
    with pytest.raises(StoreError) as refused:
        open_store("busy://", plugins=pm)
    assert refused.value is busy
