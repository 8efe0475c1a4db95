"""The plug-in documentation cannot drift from the code.

Every hook of :mod:`wladna_core.hookspecs` is documented in ``docs/plugin_hooks.md`` under its
exact signature, with an example plug-in that is run here, and has a ``test_hook_<name>`` in
``tests/test_hooks.py``.  The plug-in distributions of ``docs/writing_plugins.md`` are written
out from the page, installed with pip and used as the page shows.
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
import sys
import tomllib
import types
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import cattrs
import pytest

from install_helpers import pip_install
from wladna_core import hookspecs
from wladna_core.hookspecs import PROJECT_NAME, EligibilityResult
from wladna_core.model import (
    Case,
    Child,
    Family,
    Identification,
    IdentificationSource,
    Sex,
    SocialProgramme,
)
from wladna_core.plugins import (
    ENTRY_POINT_GROUP,
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
from wladna_core.renderers import Table
from wladna_core.rules import validate
from wladna_core.storage import open_store
from wladna_core.storage.memory import MemoryStore
from wladna_core.storage.numbers import format_case_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pluggy

ROOT = Path(__file__).parent.parent
HOOKS_PAGE = ROOT / "docs" / "plugin_hooks.md"
WRITING_PAGE = ROOT / "docs" / "writing_plugins.md"
HOOK_TESTS = Path(__file__).parent / "test_hooks.py"
ON = date(2026, 6, 15)

HOOK_NAMES = sorted(
    name
    for name, value in vars(hookspecs).items()
    if inspect.isfunction(value) and hasattr(value, f"{PROJECT_NAME}_spec")
)
HOOK_HEADING = re.compile(r"^###\s+`(?P<signature>[^`]+)`\s*$", re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^```python\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
CODE_BLOCK = re.compile(
    r"^```\{code-block\} (?P<language>\w+)\n:caption: (?P<caption>.+?)\n\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


def signature_text(name: str) -> str:
    """Return ``name(argument: type, ...) -> type`` as the hook specification declares it."""
    signature = inspect.signature(getattr(hookspecs, name))
    parameters = list(signature.parameters.values())
    # hookspecs uses postponed annotations: each annotation is the source text of the type.
    assert all(isinstance(p.annotation, str) for p in parameters)
    assert isinstance(signature.return_annotation, str)
    arguments = ", ".join(f"{p.name}: {p.annotation}" for p in parameters)
    return f"{name}({arguments}) -> {signature.return_annotation}"


def hook_sections() -> dict[str, str]:
    """Return the text of each hook section of the hooks page, by its heading's signature."""
    text = HOOKS_PAGE.read_text(encoding="utf-8")
    headings = list(HOOK_HEADING.finditer(text))
    sections = {}
    for heading in headings:
        rest = text[heading.end() :]
        following = re.search(r"^#", rest, re.MULTILINE)
        sections[heading["signature"]] = rest[: following.start()] if following else rest
    return sections


# Every hook is documented, tested and bare --------------------------------------------------


def test_there_are_hooks_and_each_is_named_after_the_project() -> None:
    assert len(HOOK_NAMES) == 11
    assert all(name.startswith(f"{PROJECT_NAME}_") for name in HOOK_NAMES)
    pm = make_plugin_manager(load_entrypoints=False)
    assert sorted(name for name in vars(pm.hook) if not name.startswith("_")) == HOOK_NAMES


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented_under_its_exact_signature(name: str) -> None:
    assert signature_text(name) in hook_sections()


def test_every_documented_hook_exists_with_that_signature() -> None:
    expected = {signature_text(name) for name in HOOK_NAMES}
    assert set(hook_sections()) == expected


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_has_a_test(name: str) -> None:
    tree = ast.parse(HOOK_TESTS.read_text(encoding="utf-8"))
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert f"test_hook_{name}" in tests


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_specification_is_a_bare_function_with_a_docstring(name: str) -> None:
    tree = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    [function] = [
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    [statement] = function.body
    assert isinstance(statement, ast.Expr)
    assert isinstance(statement.value, ast.Constant)
    docstring = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert "Called" in docstring
    assert ":return:" in docstring


def test_the_first_result_hooks_say_so_in_the_docs() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    sections = hook_sections()
    for name in HOOK_NAMES:
        caller = getattr(pm.hook, name)
        first_result = bool(caller.spec.opts.get("firstresult"))
        words = " ".join(sections[signature_text(name)].split())
        assert ("First result wins" in words) is first_result, name


def test_every_python_example_of_the_hooks_page_belongs_to_a_hook() -> None:
    text = HOOKS_PAGE.read_text(encoding="utf-8")
    in_sections = sum(len(PYTHON_BLOCK.findall(section)) for section in hook_sections().values())
    assert len(PYTHON_BLOCK.findall(text)) == in_sections


# Every example plug-in of the hooks page runs -------------------------------------------------


def a_case() -> Case:
    child = Child(sex=Sex.FEMALE, birth_date=date(2014, 3, 2), given_name="Salma")
    return Case(
        child_id=child.id,
        body_id=child.id,
        territory="MA-SAL",
        opened_on=date(2026, 6, 1),
        identification=Identification(IdentificationSource.SCHOOL, date(2026, 6, 1)),
    )


def try_open_store(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    store = open_store("training://docs", plugins=pm)
    try:
        assert isinstance(store, MemoryStore)
    finally:
        store.close()
    environment = store_environment(pm)
    assert (
        pm.hook.wladna_open_store(
            url="elsewhere://", settings={}, plugins=pm, environment=environment
        )
        is None
    )


def try_record_kinds(pm: pluggy.PluginManager, module: Any, _caplog: Any) -> None:
    kind = module.OUTREACH_CONTACT
    assert kinds_from(pm).named("sale_outreach_contact") is kind
    met = [
        module.OutreachContact("MA-SAL", date(2026, 2, 3), "Salé night team", agreed=True),
        module.OutreachContact("MA-KEN", date(2026, 2, 5), "Kénitra team"),
        module.OutreachContact("MA-CAS", date(2026, 2, 9), "Casablanca team", agreed=True),
    ]
    with open_store("memory://", plugins=pm) as store:
        with store.unit_of_work() as uow:
            uow.repository(module.OutreachContact).add_many(met)
        with store.unit_of_work() as uow:
            found = uow.repository(kind).find(kind.query(place="MA-04", agreed=True))
    assert [contact.team for contact in found] == ["Salé night team"]


def try_rules(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    child = Child(sex=Sex.FEMALE, birth_date=date(2014, 3, 2), given_name="Salma")
    rules = rules_from(pm)
    assert [v.code for v in validate(child, on=ON, rules=rules)] == ["pilot.no_identifier"]
    unidentified = Child(sex=Sex.MALE, birth_date=date(2015, 1, 1), unidentified=True)
    assert "pilot.no_identifier" not in {v.code for v in validate(unidentified, on=ON, rules=rules)}


def try_indicators(pm: pluggy.PluginManager, module: Any, _caplog: Any) -> None:
    # The example's indicator comes beside the built-in ones.
    found = indicators_from(pm)
    assert "children_without_birth_registration" in found
    assert "cases_opened" in found


def try_renderers(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    table = Table("Cases <2026>", ("province", "cases"), [("MA-SAL", 0), (None, 4)])
    page = renderers_from(pm)["html-table"].render(table)
    assert b"<caption>Cases &lt;2026&gt;</caption>" in page
    assert b"<tr><td>MA-SAL</td><td>0</td></tr><tr><td></td><td>4</td></tr>" in page


def try_case_event(pm: pluggy.PluginManager, _module: Any, caplog: Any) -> None:
    event = SimpleNamespace(case_id="c-1")
    with caplog.at_level(logging.INFO, logger="wladna_supervision"):
        assert announce_case_event(pm, event, {"actor": "w-7"}) == []
    assert "SimpleNamespace on case c-1 by w-7" in caplog.text


def try_authorize(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    assert authorize(pm, None, "case.export", None) is False
    assert authorize(pm, None, "case.read", None) is True


def try_territories(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    gazetteer = gazetteer_from(pm)
    assert gazetteer.province_of("MA-SAL-002").code == "MA-SAL"  # type: ignore[union-attr]
    assert gazetteer.get("MA-SAL-001").name_ar == "باب لمريسة"


def try_case_number(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    assert format_case_number(a_case(), "MA-SAL", 2026, 123, pm) == "SAL/2026/00123"


def try_programme_eligibility(pm: pluggy.PluginManager, _module: Any, _caplog: Any) -> None:
    # The example plug-in is tried alone, without the built-in check of the programmes.
    pm.unregister(name="wladna_core.programmes")
    [unregistered] = eligibility_from(pm, Family(), SocialProgramme.ASD, ON)
    assert unregistered == EligibilityResult(
        SocialProgramme.ASD, False, "the household is not registered in the RSU", "RSU rule"
    )
    [registered] = eligibility_from(pm, Family(rsu_id="R-1"), SocialProgramme.ASD, ON)
    assert registered.eligible
    assert eligibility_from(pm, Family(), SocialProgramme.TAYSSIR, ON) == []


def try_configure_converter(pm: pluggy.PluginManager, module: Any, _caplog: Any) -> None:
    converter = configure_converter(pm, cattrs.Converter())
    number = module.PoliceReportNumber("PV 123/2026")
    assert converter.unstructure(number) == "PV 123/2026"
    assert converter.structure("PV 123/2026", module.PoliceReportNumber) == number


TRIALS: dict[str, Callable[[pluggy.PluginManager, Any, Any], None]] = {
    "wladna_open_store": try_open_store,
    "wladna_record_kinds": try_record_kinds,
    "wladna_rules": try_rules,
    "wladna_indicators": try_indicators,
    "wladna_renderers": try_renderers,
    "wladna_case_event": try_case_event,
    "wladna_authorize": try_authorize,
    "wladna_territories": try_territories,
    "wladna_case_number": try_case_number,
    "wladna_programme_eligibility": try_programme_eligibility,
    "wladna_configure_converter": try_configure_converter,
}


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_the_example_plugin_of(
    name: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    [code] = PYTHON_BLOCK.findall(hook_sections()[signature_text(name)])
    module = types.ModuleType(f"plugin_hooks_example_{name}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, f"{HOOKS_PAGE}:{name}", "exec"), module.__dict__)
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(module, name=f"example-{name}")
    pm.check_pending()
    assert [caller.name for caller in pm.get_hookcallers(module) or ()] == [name]
    TRIALS[name](pm, module, caplog)


# The plug-in distributions of the writing page ------------------------------------------------


def writing_blocks() -> list[tuple[str, str, str]]:
    """Return (language, caption, code) for each captioned code block of the writing page."""
    text = WRITING_PAGE.read_text(encoding="utf-8")
    return [(m["language"], m["caption"], m["code"]) for m in CODE_BLOCK.finditer(text)]


def example_files() -> dict[str, str]:
    return {caption: code for _lang, caption, code in writing_blocks() if "/" in caption}


def distributions() -> dict[str, dict[str, str]]:
    """Return the files of each example distribution, by its directory name."""
    grouped: dict[str, dict[str, str]] = {}
    for path, code in example_files().items():
        top, _, inner = path.partition("/")
        grouped.setdefault(top, {})[inner] = code
    return grouped


TRIES = [(caption, code) for _lang, caption, code in writing_blocks() if caption.startswith("Try")]


def test_the_writing_page_shows_a_storage_adapter_and_a_rules_plugin() -> None:
    assert set(distributions()) == {
        "wladna-training-store",
        "wladna-pilot-rules",
        "wladna-sale-outreach",
    }
    assert len(TRIES) == 4
    hooks = {
        hook
        for files in distributions().values()
        for code in files.values()
        for hook in re.findall(r"^def (wladna_\w+)\(", code, re.MULTILINE)
    }
    assert hooks == {"wladna_open_store", "wladna_rules", "wladna_record_kinds"}


def test_every_example_of_the_writing_page_is_run() -> None:
    text = WRITING_PAGE.read_text(encoding="utf-8")
    # Plain python blocks would not be run: every example is a file or a "Try it" block.
    assert PYTHON_BLOCK.findall(text) == []
    for _language, caption, _code in writing_blocks():
        assert "/" in caption or caption.startswith("Try it"), caption


@pytest.mark.parametrize("directory", sorted(distributions()))
def test_each_example_is_a_distribution_with_its_own_entry_point(directory: str) -> None:
    files = distributions()[directory]
    project = tomllib.loads(files["pyproject.toml"])
    assert project["project"]["name"] == directory
    assert "wladna-core" in project["project"]["dependencies"]
    [(name, target)] = project["project"]["entry-points"][ENTRY_POINT_GROUP].items()
    assert name
    assert f"src/{target.replace('.', '/')}/__init__.py" in files


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write out the page's distributions, install them, and return where they are installed."""
    sources = tmp_path_factory.mktemp("sources")
    for path, code in example_files().items():
        target = sources / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    site = tmp_path_factory.mktemp("site")
    pip_install(site, *(sources / directory for directory in sorted(distributions())))
    return site


@pytest.fixture
def docs_plugins_installed(docs_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("WLADNA_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(docs_site))
    try:
        yield
    finally:
        for name in [name for name in sys.modules if name.startswith("wladna_training_store")]:
            del sys.modules[name]
        for name in [name for name in sys.modules if name.startswith("wladna_pilot_rules")]:
            del sys.modules[name]
        for name in [name for name in sys.modules if name.startswith("wladna_sale_outreach")]:
            del sys.modules[name]


@pytest.mark.usefixtures("docs_plugins_installed")
@pytest.mark.parametrize(("caption", "code"), TRIES, ids=[caption for caption, _ in TRIES])
def test_the_writing_page_example(caption: str, code: str) -> None:
    exec(compile(code, f"{WRITING_PAGE}:{caption}", "exec"), {"__name__": "__example__"})
