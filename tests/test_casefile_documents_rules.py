"""The rules of the child's participation, the details of concerns and the documents.

Records drawn valid pass every rule of their kind; each broken shape gives exactly its code;
the messages exist in English, French and Arabic, with every value filled in.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wladna_core.casefile import CaseFileContext
from wladna_core.casefile.concerns import CONCERN_RULES, ConcernDetail
from wladna_core.casefile.concerns.strategies import concern_details
from wladna_core.casefile.documents import (
    DOCUMENT_RULES,
    Document,
    DocumentCategory,
    DocumentContext,
    DocumentSettings,
    DocumentSettingsError,
)
from wladna_core.casefile.documents.strategies import documents
from wladna_core.casefile.participation import (
    PARTICIPATION_RULES,
    Decision,
    Hearing,
    Participation,
)
from wladna_core.casefile.participation.strategies import CaseSetting, case_settings, participations
from wladna_core.convert import structure, unstructure
from wladna_core.errors import InvalidRecord, Severity
from wladna_core.messages import LANGUAGES
from wladna_core.model import (
    Case,
    Child,
    Identification,
    IdentificationSource,
    ProtectionConcern,
    Sex,
)
from wladna_core.rules import Context, RuleSet, validate
from wladna_core.rules.settings import CaseRuleSettings

if TYPE_CHECKING:
    from collections.abc import Iterable

RULES = RuleSet((*PARTICIPATION_RULES, *CONCERN_RULES, *DOCUMENT_RULES))
# Drawing a child and a case takes time on a shared machine: no deadline, no slow-draw check.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def codes(record: object, context: Context, on: date) -> set[str]:
    return {violation.code for violation in validate(record, on=on, context=context, rules=RULES)}


def with_record(
    setting: st.SearchStrategy[CaseSetting], make: object
) -> st.SearchStrategy[tuple[CaseSetting, object]]:
    return setting.flatmap(lambda s: make(s).map(lambda record: (s, record)))  # type: ignore[operator]


PARTICIPATION = with_record(case_settings(), lambda s: participations(s.case, on=s.on))
CONCERN = with_record(
    case_settings(assessed=True), lambda s: concern_details(s.case, s.child, on=s.on)
)
DOCUMENT = with_record(case_settings(), lambda s: documents(s.case, on=s.on))


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


# --- the catalogue ------------------------------------------------------------------------------


def test_every_rule_has_a_stable_code_of_its_kind_and_messages_in_three_languages() -> None:
    prefixes = {Participation: "participation.", ConcernDetail: "concern.", Document: "document."}
    for rule in RULES:
        assert rule.code.startswith(prefixes[rule.entity])
        english = _fields(rule.message.message.in_language("en"))
        for language in LANGUAGES:
            assert _fields(rule.message.message.in_language(language)) == english
            assert rule.message.remedy.in_language(language).strip()
    assert {rule.code for rule in RULES} >= {
        "participation.case_unknown",
        "participation.before_case_opened",
        "participation.in_future",
        "participation.not_heard_without_reason",
        "participation.reason_but_heard",
        "participation.views_missing",
        "participation.weight_not_recorded",
        "participation.closure_not_heard",
        "concern.case_unknown",
        "concern.not_in_case",
        "concern.in_future",
        "concern.before_birth",
        "concern.already_open",
        "document.case_unknown",
        "document.before_case_opened",
        "document.in_future",
        "document.too_large",
        "document.duplicate_content",
    }


# --- participation ------------------------------------------------------------------------------


@PROPERTY
@given(PARTICIPATION)
def test_a_drawn_participation_passes_every_rule(drawn: tuple[CaseSetting, Participation]) -> None:
    setting, record = drawn
    assert validate(record, on=setting.on, context=setting.context(), rules=RULES) == []


@PROPERTY
@given(PARTICIPATION, st.integers(1, 400))
def test_participation_case_link_breakers_give_their_code(
    drawn: tuple[CaseSetting, Participation], days: int
) -> None:
    setting, record = drawn
    assert codes(record, CaseFileContext(cases=[], children=[]), setting.on) == {
        "participation.case_unknown"
    }
    early = attrs.evolve(record, on=setting.case.opened_on - timedelta(days=days))
    assert codes(early, setting.context(), setting.on) == {"participation.before_case_opened"}
    late = attrs.evolve(record, on=setting.on + timedelta(days=days))
    assert codes(late, setting.context(), setting.on) == {"participation.in_future"}


@PROPERTY
@given(
    with_record(
        case_settings(),
        lambda s: participations(s.case, on=s.on, decision=Decision.CASE_PLAN),
    )
)
def test_each_broken_hearing_gives_exactly_its_code(
    drawn: tuple[CaseSetting, Participation],
) -> None:
    setting, record = drawn
    context = setting.context()

    def code_of(**changes: object) -> set[str]:
        return codes(attrs.evolve(record, **changes), context, setting.on)

    if record.was_heard:
        assert code_of(not_heard_reason="he was asleep") == {"participation.reason_but_heard"}
        assert code_of(views=None) == {"participation.views_missing"}
        assert code_of(taken_into_account=None) == {"participation.weight_not_recorded"}
        assert code_of(heard=Hearing.NOT_HEARD, views=None, taken_into_account=None) == {
            "participation.not_heard_without_reason"
        }
    else:
        assert code_of(not_heard_reason=None) == {"participation.not_heard_without_reason"}
        assert code_of(heard=Hearing.IN_PERSON, not_heard_reason=None) == {
            "participation.views_missing"
        }


@PROPERTY
@given(case_settings(age=(12, 17)), st.sampled_from(["unreachable", "refused to talk"]))
def test_a_child_of_the_age_of_assent_not_heard_on_closure_is_a_warning(
    setting: CaseSetting, reason: str
) -> None:
    record = Participation(
        case_id=setting.case.id,
        on=setting.on,
        decision=Decision.CLOSURE,
        heard=Hearing.NOT_HEARD,
        recorded_by="worker",
        not_heard_reason=reason,
    )
    [violation] = validate(record, on=setting.on, context=setting.context(), rules=RULES)
    assert (violation.code, violation.severity, violation.path) == (
        "participation.closure_not_heard",
        Severity.WARNING,
        "$.heard",
    )


def test_the_age_of_assent_is_the_deployments_setting() -> None:
    setting = _setting(birth=date(2016, 1, 1))  # ten on the day
    record = Participation(
        case_id=setting.case.id,
        on=setting.on,
        decision=Decision.CLOSURE,
        heard=Hearing.NOT_HEARD,
        recorded_by="worker",
        not_heard_reason="too upset to talk",
    )
    assert codes(record, setting.context(), setting.on) == set()
    younger = CaseFileContext(
        children=[setting.child],
        cases=[setting.case],
        casefile=[],
        case_rules=CaseRuleSettings(assent_from_age=10),
    )
    [violation] = validate(record, on=setting.on, context=younger, rules=RULES, lang="fr")
    assert violation.message == (
        "L'enfant a 10 ans et n'a pas été entendu sur la clôture de son dossier ; à partir de "
        "10 ans son opinion est recherchée."
    )


def _setting(birth: date, on: date = date(2026, 3, 2)) -> CaseSetting:
    child = Child(Sex.MALE, birth, given_name="Yassine")
    case = Case(
        child_id=child.id,
        body_id="0193a2b4-0000-7000-8000-0000000000aa",
        territory="MA-SAL",
        opened_on=date(2026, 1, 5),
        identification=Identification(IdentificationSource.SCHOOL, date(2026, 1, 5)),
        concerns={ProtectionConcern.BEGGING},
    )
    return CaseSetting(child=child, case=case, on=on)


def test_participation_messages_say_what_and_what_to_do_in_three_languages() -> None:
    setting = _setting(birth=date(2012, 5, 1))
    record = Participation(
        case_id=setting.case.id,
        on=setting.on,
        decision=Decision.REFERRAL,
        heard=Hearing.NOT_HEARD,
        recorded_by="worker",
    )
    found = {
        lang: validate(record, on=setting.on, context=setting.context(), rules=RULES, lang=lang)
        for lang in LANGUAGES
    }
    assert [v.code for v in found["en"]] == ["participation.not_heard_without_reason"]
    assert found["en"][0].message == (
        "The child was not heard on the referral and no reason is recorded."
    )
    assert found["en"][0].remedy.startswith("Say in not_heard_reason why")
    assert "لم يُستمع إلى الطفل" in found["ar"][0].message
    assert "(referral)" in found["fr"][0].message


# --- concern details ----------------------------------------------------------------------------


@PROPERTY
@given(CONCERN)
def test_a_drawn_concern_detail_passes_every_rule(drawn: tuple[CaseSetting, ConcernDetail]) -> None:
    setting, detail = drawn
    assert validate(detail, on=setting.on, context=setting.context([detail]), rules=RULES) == []


@PROPERTY
@given(CONCERN, st.integers(1, 400))
def test_each_broken_concern_detail_gives_exactly_its_code(
    drawn: tuple[CaseSetting, ConcernDetail], days: int
) -> None:
    setting, detail = drawn
    context = setting.context([detail])
    assert codes(detail, CaseFileContext(cases=[], children=[], casefile=[]), setting.on) == {
        "concern.case_unknown"
    }
    other = next(c for c in sorted(ProtectionConcern) if c not in setting.case.concerns)
    assert codes(attrs.evolve(detail, concern=other), context, setting.on) == {
        "concern.not_in_case"
    }
    future = attrs.evolve(detail, identified_on=setting.on + timedelta(days=days), resolved_on=None)
    assert codes(future, context, setting.on) == {"concern.in_future"}
    unborn = attrs.evolve(
        detail,
        identified_on=setting.child.birth_date - timedelta(days=days),
        resolved_on=None,
    )
    assert codes(unborn, context, setting.on) == {"concern.before_birth"}
    opened = attrs.evolve(detail, resolved_on=None, resolution=None)
    twin = attrs.evolve(opened, id="0193a2b4-0000-7000-8000-00000000beef")
    assert codes(opened, setting.context([opened, twin]), setting.on) == {"concern.already_open"}
    # A resolved detail beside an open one of the same concern is fine (it came back).
    resolved = attrs.evolve(twin, resolved_on=twin.identified_on, resolution="done")
    assert codes(opened, setting.context([opened, resolved]), setting.on) == set()


def test_a_concern_resolved_in_the_future_is_refused_at_that_date() -> None:
    setting = _setting(birth=date(2014, 2, 2))
    detail = ConcernDetail(
        case_id=setting.case.id,
        concern=ProtectionConcern.BEGGING,
        identified_on=date(2026, 1, 2),
        identified_by="night team",
        resolved_on=date(2026, 3, 3),
    )
    [violation] = validate(detail, on=setting.on, context=setting.context([detail]), rules=RULES)
    assert (violation.code, violation.path) == ("concern.in_future", "$.resolved_on")
    # A concern identified before its case was opened is the usual order of things.
    assert detail.identified_on < setting.case.opened_on


def test_a_concern_resolved_before_it_was_identified_is_refused_at_the_edge() -> None:
    data = unstructure(
        ConcernDetail(
            case_id="0193a2b4-0000-7000-8000-000000000001",
            concern=ProtectionConcern.NEGLECT,
            identified_on=date(2026, 1, 2),
            identified_by="worker",
        )
    )
    data["resolved_on"] = "2025-12-31"
    with pytest.raises(InvalidRecord) as refused:
        structure(data, ConcernDetail)
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == (
        "concern.resolved_before_identified",
        "$.resolved_on",
    )


def test_the_concern_not_in_case_message_names_the_remedy() -> None:
    setting = _setting(birth=date(2014, 2, 2))
    detail = ConcernDetail(
        case_id=setting.case.id,
        concern=ProtectionConcern.CHILD_LABOUR,
        identified_on=date(2026, 1, 2),
        identified_by="worker",
    )
    [violation] = validate(detail, on=setting.on, context=setting.context([detail]), rules=RULES)
    assert violation.message == (
        "The concern child_labour is not among the protection concerns of the case."
    )
    assert violation.remedy.startswith("Add the concern to the case first")


# --- documents ----------------------------------------------------------------------------------


@PROPERTY
@given(DOCUMENT)
def test_a_drawn_document_passes_every_rule(drawn: tuple[CaseSetting, Document]) -> None:
    setting, document = drawn
    context = DocumentContext(cases=[setting.case], children=[setting.child], casefile=[document])
    assert validate(document, on=setting.on, context=context, rules=RULES) == []


@PROPERTY
@given(DOCUMENT, st.integers(1, 400))
def test_each_broken_document_gives_exactly_its_code(
    drawn: tuple[CaseSetting, Document], days: int
) -> None:
    setting, document = drawn

    def context(records: Iterable[object] = (), limit: int | None = None) -> DocumentContext:
        documents = None if limit is None else DocumentSettings(max_size=limit)
        return DocumentContext(
            cases=[setting.case], children=[setting.child], casefile=records, documents=documents
        )

    assert codes(document, DocumentContext(cases=[], casefile=[]), setting.on) == {
        "document.case_unknown"
    }
    early = attrs.evolve(document, added_on=setting.case.opened_on - timedelta(days=days))
    assert codes(early, context(), setting.on) == {"document.before_case_opened"}
    late = attrs.evolve(document, added_on=setting.on + timedelta(days=days))
    assert codes(late, context(), setting.on) == {"document.in_future"}
    assert codes(document, context(limit=document.size), setting.on) == set()
    if document.size > 1:
        assert codes(document, context(limit=document.size - 1), setting.on) == {
            "document.too_large"
        }
    copy = attrs.evolve(document, id="0193a2b4-0000-7000-8000-00000000cafe")
    found = validate(document, on=setting.on, context=context([document, copy]), rules=RULES)
    assert [(v.code, v.severity) for v in found] == [
        ("document.duplicate_content", Severity.WARNING)
    ]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("sha256", "A" * 64, "document.sha256_format"),
        ("sha256", "a" * 63, "document.sha256_format"),
        ("sha256", "g" * 64, "document.sha256_format"),
        ("media_type", "application/PDF", "document.media_type_format"),
        ("media_type", "text/plain; charset=utf-8", "document.media_type_format"),
        ("media_type", "pdf", "document.media_type_format"),
        ("size", 0, "document.empty"),
        ("location", "no scheme here", "document.location_format"),
        ("location", "", "input.blank"),
        ("category", "passport", "input.enum"),
    ],
)
def test_a_document_of_the_wrong_shape_is_refused_at_the_edge_with_its_code(
    field: str, value: object, code: str
) -> None:
    data = unstructure(
        Document(
            case_id="0193a2b4-0000-7000-8000-000000000001",
            title="Acte de naissance",
            category=DocumentCategory.IDENTITY_PAPER,
            media_type="application/pdf",
            size=12,
            sha256="0" * 64,
            location="sha256:" + "0" * 64,
            added_on=date(2026, 3, 2),
            added_by="worker",
        )
    )
    data[field] = value
    with pytest.raises(InvalidRecord) as refused:
        structure(data, Document)
    [violation] = refused.value.violations
    assert (violation.code, violation.path) == (code, f"$.{field}")


def test_the_document_settings_are_checked_and_name_the_setting_at_fault() -> None:
    assert DocumentSettings.from_settings({}).max_size == 20 * 1024 * 1024
    with pytest.raises(DocumentSettingsError, match=r"documents\.max_size"):
        DocumentSettings.from_settings({"documents": {"max_size": 0}})
    with pytest.raises(DocumentSettingsError, match=r"documents\.folder.*not a document setting"):
        DocumentSettings.from_settings({"documents": {"folder": "/tmp"}})
    with pytest.raises(DocumentSettingsError, match=r"documents\.url"):
        DocumentSettings.from_settings({"documents": {"url": "/var/lib/wladna"}})


def test_the_docs_page_lists_every_rule_of_the_three_kinds() -> None:
    page = Path(__file__).parent.parent / "docs" / "casefile_documents.md"
    listed = set(
        re.findall(
            r"^\| `((?:participation|concern|document)\.[a-z0-9_]+)` \|",
            page.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    )
    invariants = {
        "concern.resolved_before_identified",
        "document.sha256_format",
        "document.media_type_format",
        "document.empty",
        "document.location_format",
    }
    assert listed == {rule.code for rule in RULES} | invariants
