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
import secrets
import sys
import tomllib
import types
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from click.testing import CliRunner

from casework import TODAY, Deployment, deploy
from install_helpers import pip_install
from postgres import private_schema, server_url
from wladna_core import hookspecs, workflow
from wladna_core import plugins as plugin_manager
from wladna_core.access import AccessDenied, Action, Actor
from wladna_core.cli import main
from wladna_core.convert import RecordConverter
from wladna_core.hookspecs import PROJECT_NAME, EligibilityResult, hookimpl
from wladna_core.model import (
    Assessment,
    Case,
    Child,
    Family,
    Identification,
    IdentificationSource,
    Identifier,
    IdentifierScheme,
    Referral,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
)
from wladna_core.plugins import (
    ENTRY_POINT_GROUP,
    configure_converter,
    kinds_from,
    make_plugin_manager,
    renderers_from,
)
from wladna_core.rules import NEEDS
from wladna_core.storage import ChildQuery, StoreError, UnsupportedStoreURL, open_store
from wladna_core.storage.numbers import NUMBER_MAX
from wladna_core.training.services import TrainingAction
from wladna_core.workflow import Event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pluggy

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent
HOOKS_PAGE = ROOT / "docs" / "plugin_hooks.md"
WRITING_PAGE = ROOT / "docs" / "writing_plugins.md"
TESTING_PAGE = ROOT / "docs" / "testing.md"
HOOK_TESTS = Path(__file__).parent / "test_hooks.py"

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
    assert len(HOOK_NAMES) == 15
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


# Every example plug-in of the hooks page runs, in a real deployment ----------------------------


def example_blocks() -> dict[str, str]:
    """Return the Python example of each hook section that has one, by hook name."""
    blocks = {}
    for signature, section in hook_sections().items():
        found = PYTHON_BLOCK.findall(section)
        if found:
            [code] = found
            blocks[signature.partition("(")[0]] = code
    return blocks


def load_example(hook: str, code: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Run the example of ``hook``'s section as the module of a plug-in, and return it."""
    module = types.ModuleType(f"plugin_hooks_example_{hook}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, f"{HOOKS_PAGE}:{hook}", "exec"), module.__dict__)
    return module


def implemented(module: types.ModuleType) -> set[str]:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(module, name="example")
    pm.check_pending()
    return {caller.name for caller in pm.get_hookcallers(module) or ()}


def example_of(hook: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Return the example plug-in that implements ``hook``: its section's, or an earlier one's."""
    for section_hook, code in example_blocks().items():
        module = load_example(section_hook, code, monkeypatch)
        if hook in implemented(module):
            return module
    pytest.fail(f"no example of docs/plugin_hooks.md implements {hook}")


def test_each_example_implements_the_hook_of_its_section_and_every_hook_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    covered: set[str] = set()
    for hook, code in example_blocks().items():
        hooks = implemented(load_example(hook, code, monkeypatch))
        assert hook in hooks
        covered |= hooks
    assert covered == set(HOOK_NAMES)


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """A store of each kind, empty: ``None`` for a memory store of the deployment's own."""
    if request.param == "memory":
        yield None
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hooks.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


@pytest.fixture
def deployment_with(
    store_url: str | None,
) -> Iterator[Callable[[pluggy.PluginManager], Deployment]]:
    """Open a deployment on the store with a plug-in manager; close it when the test ends."""
    opened: list[Deployment] = []

    def open_with(pm: pluggy.PluginManager) -> Deployment:
        deployment = deploy(store_url, plugins=pm)
        opened.append(deployment)
        return deployment

    try:
        yield open_with
    finally:
        for deployment in opened:
            deployment.wl.close()


def manager_with(module: types.ModuleType) -> pluggy.PluginManager:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(module, name="example")
    pm.check_pending()
    return pm


def child_of(body: TerritorialBody, **changes: Any) -> Child:
    fields: dict[str, Any] = {
        "sex": Sex.FEMALE,
        "birth_date": date(2015, 6, 1),
        "given_name": "Salma",
        "residence": body.territory,
    }
    return Child(**(fields | changes))


def open_case_at(dep: Deployment, actor: Actor, body: TerritorialBody, **child: Any) -> Case:
    """Register a child (with the ``child`` fields) and open a case for it at ``body``."""
    services = dep.as_(actor)
    registered = services.register_child(child_of(body, **child)).record
    return services.open_case(
        child_id=registered.id,
        body_id=body.id,
        identification=Identification(IdentificationSource.SCHOOL, TODAY),
    ).record


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_example_of_wladna_open_store_opens_training_stores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pm = manager_with(example_of("wladna_open_store", monkeypatch))
    group = f"docs-{secrets.token_hex(4)}"
    dep = deploy(f"training://{group}", plugins=pm)
    try:
        salma = dep.child()
        # The group's store is shared: another opening sees the records of the first...
        with open_store(f"training://{group}", plugins=pm) as same, same.unit_of_work() as uow:
            assert uow.children.get(salma.id).given_name == "Salma"
        # ...and another group's store does not.
        with open_store(f"training://{group}-2", plugins=pm) as other, other.unit_of_work() as uow:
            assert uow.children.count() == 0
    finally:
        dep.wl.close()


def test_the_example_of_wladna_store_schemes_is_listed_by_the_error_for_an_unknown_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pm = manager_with(example_of("wladna_store_schemes", monkeypatch))
    section = hook_sections()[signature_text("wladna_store_schemes")]
    [shown] = re.findall(r"^```text\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    with pytest.raises(UnsupportedStoreURL) as refused:
        open_store("trainig://sale-1", plugins=pm)
    assert str(refused.value) == one_line(shown)
    assert "training://<group>" in refused.value.known_schemes


def test_the_example_of_wladna_rules_warns_of_a_child_without_identifier(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_rules", monkeypatch)))
    worker = dep.as_(dep.worker)
    anonymous = worker.register_child(child_of(dep.upe))
    assert [warning.code for warning in anonymous.warnings] == ["pilot.no_identifier"]
    idcs = Identifier(IdentifierScheme.IDCS, "1000000001")
    # Another girl (the same one again would be warned of as a possible duplicate).
    other = child_of(dep.upe, identifiers=(idcs,), given_name="Imane", sex=Sex.FEMALE)
    identified = worker.register_child(other)
    assert identified.warnings == ()
    section = hook_sections()[signature_text("wladna_rules")]
    [listed] = re.findall(r"among `wladna_core.rules.NEEDS`:\s*(.*?)\s*\(e\.g\.", section, re.S)
    assert {need.strip("` \n") for need in listed.split(",")} == NEEDS


def test_the_example_of_wladna_indicators_is_in_every_report(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_indicators", monkeypatch)))
    open_case_at(dep, dep.worker, dep.upe, birth_registered=False)
    open_case_at(dep, dep.worker, dep.upe, birth_registered=False)
    open_case_at(dep, dep.worker, dep.upe, birth_registered=True)
    open_case_at(dep, dep.worker, dep.upe)  # not known
    open_case_at(dep, dep.outsider, dep.rabat, birth_registered=False)

    national = dep.wl.report(["unregistered_births", "cases_opened"], by=["province"])
    table = national.table("unregistered_births")
    assert table.title == "Open cases of children without a registered birth"
    assert table.value(("MA-SAL",)) == 2
    assert table.value(("MA-RAB",)) == 1
    assert table.totals == (3,)
    assert dep.wl.report(["unregistered_births"]).table("unregistered_births").body == ((3,),)
    # A case worker's report counts the cases of their body only (filtered on body).
    own = dep.as_(dep.worker).report(["unregistered_births"])
    assert own.table("unregistered_births").body == ((2,),)
    # Before the cases were opened, there was none.
    before = dep.wl.report(["unregistered_births"], on=date(2026, 1, 1))
    assert before.table("unregistered_births").body == ((0,),)


def test_the_example_of_wladna_renderers_writes_a_report_as_html(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pm = manager_with(example_of("wladna_renderers", monkeypatch))
    dep = deploy(plugins=pm)
    try:
        dep.case()
        report = dep.wl.report(["cases_opened"], by=["province"])
        page = renderers_from(pm)["html-table"].render(report.table("cases_opened"))
    finally:
        dep.wl.close()
    assert page.startswith(b"<table><caption>Cases opened</caption>")
    assert b"<thead><tr><th>province</th><th>count</th></tr></thead>" in page
    assert b"<tr><td>MA-SAL</td><td>1</td></tr>" in page


def test_the_example_of_wladna_case_event_hears_of_high_risk_cases(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    deployment_with: Callable[..., Deployment],
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_case_event", monkeypatch)))
    with caplog.at_level(logging.WARNING, logger="wladna_supervision"):
        high = dep.case(risk=RiskLevel.HIGH)
        heard_at = dep.clock.moment.isoformat(timespec="seconds")  # the hook read it last
        medium = dep.case(risk=RiskLevel.MEDIUM)
        assessment = Assessment(on=TODAY, by=dep.worker.id, risk=RiskLevel.HIGH)
        outcome = dep.as_(dep.worker).record_assessment(medium.id, assessment)
        assessed_at = dep.clock.moment.isoformat(timespec="seconds")
    assert outcome.failures == ()
    assert [record.getMessage() for record in caplog.records] == [
        f"case.opened: case {high.id} is at high risk (by worker.sale, at {heard_at})",
        f"case.assessed: case {medium.id} is at high risk (by worker.sale, at {assessed_at})",
    ]


def test_the_example_of_wladna_authorize_refuses_exports_only(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    module = example_of("wladna_authorize", monkeypatch)
    pm = manager_with(module)
    dep = deployment_with(pm)
    case = dep.case()
    supervisor = dep.as_(dep.supervisor)
    with pytest.raises(AccessDenied) as refused:
        supervisor.export()
    assert refused.value.action == "report.export"
    assert "wladna_authorize" in refused.value.reason
    [denial] = [entry for entry in dep.wl.audit.entries() if entry.outcome == "denied"]
    assert (denial.actor_id, denial.action) == (dep.supervisor.id, "report.export")
    # Everything else goes on: reading the case, and aggregated reports.
    assert supervisor.case(case.id).id == case.id
    assert supervisor.report(["cases_opened"]).table("cases_opened").body == ((1,),)
    # Without the plug-in, the same export is allowed.
    pm.unregister(module)
    assert [kind for kind, _record in supervisor.export()] == ["child", "case"]


def test_the_example_of_wladna_territories_adds_communes_to_the_stores(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_territories", monkeypatch)))
    child = dep.child(residence="MA-SAL-002")
    with dep.wl.store.unit_of_work() as uow:
        in_sale = uow.children.find(ChildQuery(residence="MA-SAL"))
        in_commune = uow.children.find(ChildQuery(residence="MA-SAL-002"))
        in_other_commune = uow.children.find(ChildQuery(residence="MA-SAL-001"))
    assert [found.id for found in in_sale] == [child.id]
    assert [found.id for found in in_commune] == [child.id]
    assert in_other_commune == []
    assert dep.wl.store.gazetteer.get("MA-SAL-001").name_ar == "باب لمريسة"


def test_the_example_of_wladna_record_kinds_is_kept_and_searched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    module = example_of("wladna_record_kinds", monkeypatch)
    pm = manager_with(module)
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
    # The page's migrations package is not installed here: a SQL store says so, naming it.
    with pytest.raises(StoreError, match=r"sale_outreach\.migrations"):
        open_store(f"sqlite:///{tmp_path / 'outreach.db'}", plugins=pm)


def test_the_example_of_wladna_open_document_store_keeps_documents_in_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wladna_core.casefile.documents import (  # noqa: PLC0415
        DocumentCategory,
        DocumentMissing,
        open_document_store,
    )

    pm = manager_with(example_of("wladna_open_document_store", monkeypatch))
    url = f"docs+sqlite://{tmp_path / 'documents.db'}"
    dep = deploy(plugins=pm, settings={"documents": {"url": url}})
    try:
        case = dep.case()
        casefile = dep.as_(dep.worker).casefile
        document = casefile.attach_document(
            case.id,
            b"%PDF-1.7 kafala",
            title="Jugement de kafala",
            category=DocumentCategory.COURT_DECISION,
            media_type="application/pdf",
        ).record
        assert document.location.startswith("docs+sqlite:")
        assert casefile.document_content(document.id) == b"%PDF-1.7 kafala"
        store = open_document_store(dep.wl.plugins, url, clock=dep.wl.now)
        with pytest.raises(DocumentMissing):
            store.get("docs+sqlite:" + "0" * 64)
    finally:
        dep.wl.close()


def test_the_example_of_wladna_case_number_numbers_new_cases(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_case_number", monkeypatch)))
    assert [dep.case().number, dep.case().number] == ["SAL/2026/00001", "SAL/2026/00002"]
    section = one_line(hook_sections()[signature_text("wladna_case_number")])
    assert f"a non-blank string of at most {NUMBER_MAX} characters" in section


def test_the_example_of_wladna_matcher_scores_the_duplicates_of_registrations(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_matcher", monkeypatch)))
    assert type(dep.wl.matcher).__name__ == "CivilStatusDatesMatcher"
    born = date(2013, 5, 4)
    first = dep.child(sex=Sex.MALE, birth_date=born, given_name="Mohamed", family_name="El Amrani")
    services = dep.as_(dep.worker)
    # Day and month swapped: one child for the built-in matcher, two for this one.
    swapped = services.register_child(
        Child(Sex.MALE, date(2013, 4, 5), given_name="Mohammed", family_name="Amrani")
    )
    assert swapped.possible_duplicates == ()
    same = services.register_child(
        Child(Sex.MALE, born, given_name="Mohammed", family_name="Amrani")
    )
    assert [match.child for match in same.possible_duplicates] == [first]


def test_the_example_of_wladna_programme_eligibility_answers_case_workers(
    monkeypatch: pytest.MonkeyPatch, deployment_with: Callable[..., Deployment]
) -> None:
    dep = deployment_with(manager_with(example_of("wladna_programme_eligibility", monkeypatch)))
    case = dep.case(with_family=True)
    assert case.family_id is not None
    worker = dep.as_(dep.worker)
    rsu_rule = EligibilityResult(
        SocialProgramme.ASD, False, "the household is not registered in the RSU", "RSU rule"
    )
    assert rsu_rule in worker.eligibility(case.family_id, SocialProgramme.ASD)
    # A referral to the programme is made all the same, with the answer as a warning.
    referred = worker.refer(
        case.id, service=ServiceType.SOCIAL_ASSISTANCE, programme=SocialProgramme.ASD
    )
    warnings = [
        warning for warning in referred.warnings if warning.code == "referral.programme_ineligible"
    ]
    answer = "(RSU rule): the household is not registered in the RSU"
    assert any(answer in warning.message for warning in warnings)


def test_the_example_of_wladna_configure_converter_reads_and_writes_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = example_of("wladna_configure_converter", monkeypatch)
    converter = configure_converter(manager_with(module), RecordConverter())

    # A record of the plug-in's own, holding the example's type (real types, not annotations).
    police_report = attrs.make_class(
        "PoliceReport",
        {"number": attrs.field(type=module.PoliceReportNumber), "filed_on": attrs.field(type=date)},
        frozen=True,
    )
    report = converter.structure_record(
        {"number": "PV 123/2026", "filed_on": "2026-06-01"}, police_report
    )
    assert report.number == module.PoliceReportNumber("PV 123/2026")
    assert converter.dumps_record(report) == b'{"number":"PV 123/2026","filed_on":"2026-06-01"}'


def test_the_example_of_wladna_cli_commands_adds_wladna_outreach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pm = manager_with(example_of("wladna_cli_commands", monkeypatch))
    monkeypatch.setattr(plugin_manager, "make_plugin_manager", lambda *_a, **_k: pm)
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0, listed.output
    assert re.search(r"^  outreach +The street outreach teams of Salé\.$", listed.output, re.M)
    night = runner.invoke(main, ["outreach", "teams", "--night"])
    assert (night.exit_code, night.output) == (0, "Bab Lamrissa night team\n")
    every = runner.invoke(main, ["outreach", "teams"])
    assert every.output.splitlines() == ["Bab Lamrissa night team", "Tabriquet day team"]


def test_every_hook_example_has_its_test_here() -> None:
    tests = {name for name, value in globals().items() if name.startswith("test_the_example_of_")}
    for hook in HOOK_NAMES:
        assert any(test.startswith(f"test_the_example_of_{hook}_") for test in tests), hook


# The tables of the hooks page are those of the code -------------------------------------------


def table_rows(section: str) -> list[list[str]]:
    """Return the cells of the body rows of the first Markdown table in ``section``."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_the_actions_of_wladna_authorize_are_every_action_of_the_policy() -> None:
    section = hook_sections()[signature_text("wladna_authorize")]
    documented = [row[0].strip("`") for row in table_rows(section)]
    # The casework's actions, then the training programme's.
    assert documented == [action.value for action in (*Action, *TrainingAction)]


def test_the_events_of_wladna_case_event_are_every_event_with_its_fields() -> None:
    def kinds(cls: type[Event]) -> Iterator[type[Event]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from kinds(sub)

    in_code = {
        kind.name: (kind.__name__, [f.name for f in attrs.fields(kind)][2:])
        for kind in kinds(Event)
        # attrs makes a new class for each slotted one: keep those the module offers
        if kind.name != Event.name and getattr(workflow, kind.__name__, None) is kind
    }
    section = hook_sections()[signature_text("wladna_case_event")]
    documented = {
        name.strip("`"): (cls.strip("`"), [f.strip("` ") for f in fields.split(",") if f.strip()])
        for name, cls, fields in table_rows(section)
    }
    assert documented == in_code


def test_the_resources_of_wladna_authorize_are_what_the_services_pass(
    deployment_with: Callable[..., Deployment],
) -> None:
    """Run the services with a plug-in that records what it is asked, and compare with the page."""
    asked: set[tuple[str, str]] = set()

    class Recorder:
        @hookimpl
        def wladna_authorize(self, action: str, resource: object) -> None:
            records = (TerritorialBody, Child, Family, Case, Referral)
            kind = type(resource).__name__
            asked.add((action, kind if isinstance(resource, records) else resource.kind))

    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(Recorder(), name="recorder")
    dep = deployment_with(pm)
    worker, supervisor, provider = (dep.as_(a) for a in (dep.worker, dep.supervisor, dep.provider))
    case = dep.case(with_family=True)
    assert case.family_id is not None
    worker.child(case.child_id)
    worker.family(case.family_id)
    worker.cases()
    worker.record_assessment(case.id, Assessment(on=TODAY, by="worker.sale", risk=RiskLevel.MEDIUM))
    referral = worker.refer(case.id, to_body=dep.cape.id, service=ServiceType.PSYCHOSOCIAL).record
    worker.referrals(case.id)
    provider.accept(referral.id)
    provider.complete(referral.id)
    other = worker.refer(case.id, to_body=dep.cape.id, service=ServiceType.EDUCATION).record
    worker.cancel(other.id)
    supervisor.report(["cases_opened"])
    supervisor.export()
    duplicate = dep.case()
    supervisor.mark_duplicate(duplicate.id, case.id)

    section = hook_sections()[signature_text("wladna_authorize")]
    documented = {row[0].strip("`"): row[2] for row in table_rows(section)}
    for action, resource in sorted(asked):
        shown = documented[action]
        assert f"`{resource}`" in shown, (action, resource, shown)
    assert {action for action, _ in asked} >= {
        "body.register",
        "child.register",
        "child.read",
        "family.register",
        "family.read",
        "case.open",
        "case.read",
        "case.update",
        "case.mark_duplicate",
        "referral.make",
        "referral.read",
        "referral.respond",
        "referral.complete",
        "referral.cancel",
        "report.aggregate",
        "report.export",
    }


# The plug-in distributions of the writing page ------------------------------------------------


def writing_blocks() -> list[tuple[str, str, str]]:
    """Return (language, caption, code) for each captioned code block of the writing page."""
    text = WRITING_PAGE.read_text(encoding="utf-8")
    return [(m["language"], m["caption"], m["code"]) for m in CODE_BLOCK.finditer(text)]


TRAINING_MODULE = "wladna-training-store/src/wladna_training_store/__init__.py"


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
    assert len(TRIES) == 5
    hooks = {
        hook
        for files in distributions().values()
        for code in files.values()
        for hook in re.findall(r"^def (wladna_\w+)\(", code, re.MULTILINE)
    }
    assert hooks == {
        "wladna_open_store",
        "wladna_store_schemes",
        "wladna_rules",
        "wladna_record_kinds",
        "wladna_cli_commands",
    }


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


def test_the_testing_page_runs_the_contract_suite_on_an_adapter_not_yet_installed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``conftest.py`` of docs/testing.md, beside the training store of the writing page."""
    page = TESTING_PAGE.read_text(encoding="utf-8")
    [conftest] = re.findall(r"^```python\n(# conftest\.py\n.*?)^```$", page, re.M | re.S)
    [command] = re.findall(r"^(pytest --pyargs .* training://\S+)$", page, re.MULTILINE)
    pytester.makeconftest(conftest)
    pytester.makepyfile(wladna_training_store=example_files()[TRAINING_MODULE])
    monkeypatch.setenv("WLADNA_HYPOTHESIS_PROFILE", "fast")
    # A few tests of the suite: enough to show the adapter is found without being installed.
    arguments = [*command.split()[1:], "-p", "no:cacheprovider", "-k", "reset or numbered"]
    result = pytester.runpytest_subprocess(*arguments)
    result.assert_outcomes(passed=4)
