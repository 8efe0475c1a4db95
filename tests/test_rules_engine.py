"""The rule engine: rules, rule sets, the context, and validate()."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules_helpers import (
    ON,
    SALE,
    a_case,
    a_child,
    a_family,
    a_member,
    a_referral,
    codes_of,
    dates,
    identifier_values,
    territory_codes,
)
from wladna_core.errors import Severity, Violation
from wladna_core.messages import Message, Text
from wladna_core.model import (
    Child,
    Family,
    Gazetteer,
    Identifier,
    IdentifierScheme,
    ReferralStatus,
    Relation,
    Sex,
)
from wladna_core.rules import (
    NEEDS,
    Context,
    Finding,
    Rule,
    RuleError,
    RuleSet,
    catalogue,
    record_label,
    rule,
    validate,
)
from wladna_core.rules.builtin import BUILTIN_RULES

if TYPE_CHECKING:
    from collections.abc import Iterator

NOTE = Message(
    message=Text(en="Look at {what}.", fr="Regardez {what}.", ar="انظر إلى {what}."),
    remedy=Text(en="Mend it.", fr="Corrigez-le.", ar="أصلِحه."),
)


def a_rule(
    code: str = "test.note",
    *,
    entity: type = Child,
    severity: Severity = Severity.ERROR,
    needs: frozenset[str] = frozenset(),
    paths: tuple[str, ...] = ("$",),
) -> Rule:
    @rule(
        code,
        entity=entity,
        severity=severity,
        description="A rule made up for a test.",
        message=NOTE,
        needs=needs,
    )
    def check(_record: object, _ctx: Context) -> Iterator[Finding]:
        for path in paths:
            yield Finding(path, {"what": path})

    return check


# --- validate -----------------------------------------------------------------------------------


def test_validate_returns_every_violation_at_once() -> None:
    child = a_child(
        birth_date=date(2027, 1, 1),
        residence="MA-XYZ",
        identifiers=[
            Identifier(IdentifierScheme.IDCS, "12"),
            Identifier(IdentifierScheme.CNIE, "a1"),
        ],
    )
    violations = validate(child, on=ON)
    assert [(v.code, v.path) for v in violations] == [
        ("child.birth_in_future", "$.birth_date"),
        ("child.identifier_format", "$.identifiers[1].value"),
        ("child.residence_unknown", "$.residence"),
        # The IDCS format is not verified: a warning, after every error.
        ("child.identifier_format_unverified", "$.identifiers[0].value"),
    ]


def test_validate_returns_an_empty_list_for_a_record_no_rule_objects_to() -> None:
    assert validate(a_child(), on=ON) == []


def test_validate_sorts_errors_first_then_paths_in_natural_order_then_codes() -> None:
    rules = RuleSet(
        [
            a_rule("test.warning", severity=Severity.WARNING, paths=("$.a",)),
            a_rule("test.b", paths=("$.members[10].x", "$.members[2].x")),
            a_rule("test.a", paths=("$.members[2].x",)),
        ]
    )
    violations = validate(a_child(), on=ON, rules=rules)
    assert [(v.severity.value, v.path, v.code) for v in violations] == [
        ("error", "$.members[2].x", "test.a"),
        ("error", "$.members[2].x", "test.b"),
        ("error", "$.members[10].x", "test.b"),
        ("warning", "$.a", "test.warning"),
    ]


def test_violations_name_the_record_by_class_and_id() -> None:
    case = a_case(territory="MA-QQQ")
    [violation] = validate(case, on=ON)
    assert violation.record == f"Case {case.id}"
    assert record_label(case) == f"Case {case.id}"
    assert str(violation).startswith(f"error: Case {case.id} $.territory [case.territory_unknown]")


@pytest.mark.parametrize(
    ("lang", "message", "remedy"),
    [
        ("en", "Look at $.", "Mend it."),
        ("fr", "Regardez $.", "Corrigez-le."),
        ("ar", "انظر إلى $.", "أصلِحه."),
    ],
)
def test_validate_speaks_the_language_asked_for(lang: str, message: str, remedy: str) -> None:
    [violation] = validate(a_child(), on=ON, lang=lang, rules=RuleSet([a_rule()]))
    assert (violation.message, violation.remedy) == (message, remedy)


def test_validate_refuses_an_unknown_language_even_when_all_is_well() -> None:
    with pytest.raises(ValueError, match=r"unknown language 'de'; messages exist in en, fr, ar"):
        validate(a_child(), on=ON, lang="de")


def test_validate_refuses_a_datetime_as_the_date_of_validation() -> None:
    with pytest.raises(TypeError, match="on must be a date, got datetime"):
        validate(a_child(), on=datetime(2026, 3, 2, tzinfo=UTC))


def test_validate_refuses_what_is_not_a_record() -> None:
    with pytest.raises(TypeError, match="cannot validate a dict; records are TerritorialBody"):
        validate({"birth_date": "2030-01-01"}, on=ON)


def test_validate_runs_plug_in_rules_on_a_plug_in_record_class() -> None:
    @attrs.frozen
    class Visit:
        id: str

    rules = RuleSet.builtin().with_rules([a_rule("visits.note", entity=Visit)])
    [violation] = validate(Visit("v-1"), on=ON, rules=rules)
    assert (violation.code, violation.record) == ("visits.note", "Visit v-1")


def test_a_rule_that_raises_stops_validation_with_an_error_naming_its_code() -> None:
    @rule("test.broken", entity=Child, description="Always fails.", message=NOTE)
    def broken(child: Child, _ctx: Context) -> Iterator[Finding]:
        yield Finding("$", {"what": child.given_name.upper()})  # type: ignore[union-attr]

    child = a_child(given_name=None, unidentified=True)
    with pytest.raises(
        RuntimeError, match=r"rule 'test.broken' failed while checking Child "
    ) as info:
        validate(child, on=ON, rules=RuleSet([broken]))
    assert isinstance(info.value, RuleError)
    assert info.value.code == "test.broken"
    assert info.value.record == f"Child {child.id}"
    assert isinstance(info.value.__cause__, AttributeError)


def test_a_rule_that_yields_something_else_than_findings_fails_loudly() -> None:
    @rule("test.sloppy", entity=Child, description="Yields a string.", message=NOTE)
    def sloppy(_child: Child, _ctx: Context) -> Iterator[Finding]:
        yield "$.given_name"  # type: ignore[misc]

    with pytest.raises(RuleError, match="its check yielded a str, not a Finding"):
        validate(a_child(), on=ON, rules=RuleSet([sloppy]))


def test_rule_error_survives_pickling() -> None:
    error = RuleError("test.broken", "Child x", "KeyError: 'a'")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.record, str(copy)) == (error.code, error.record, str(error))


def test_rules_are_skipped_when_the_context_does_not_provide_their_needs() -> None:
    rules = RuleSet([a_rule("test.needs_children", needs=frozenset({"children"}))])
    assert validate(a_child(), on=ON, rules=rules) == []
    assert validate(a_child(), on=ON, rules=rules, context=Context(cases=[])) == []
    assert len(validate(a_child(), on=ON, rules=rules, context=Context(children=[]))) == 1


def test_a_rule_needing_what_no_context_knows_never_runs() -> None:
    rules = RuleSet([a_rule("test.needs_weather", needs=frozenset({"weather"}))])
    context = Context(children=[], families=[], bodies=[], cases=[], referrals=[])
    assert validate(a_child(), on=ON, rules=rules, context=context) == []


def test_rules_read_the_date_of_validation_from_the_context() -> None:
    seen: list[date] = []

    @rule("test.today", entity=Child, description="Records the date.", message=NOTE)
    def today(_child: Child, ctx: Context) -> Iterator[Finding]:
        seen.append(ctx.on)
        yield from ()

    context = Context(on=date(2020, 1, 1))
    validate(a_child(), on=ON, context=context, rules=RuleSet([today]))
    assert seen == [ON]
    assert context.on == date(2020, 1, 1)


children = st.builds(
    Child,
    sex=st.sampled_from(Sex),
    birth_date=dates,
    given_name=st.just("Amina"),
    nationality=st.sampled_from([None, "MA", "SN"]),
    residence=st.none() | territory_codes,
    identifiers=st.lists(
        st.builds(Identifier, scheme=st.sampled_from(IdentifierScheme), value=identifier_values),
        max_size=3,
    ),
)


@given(child=children, others=st.lists(children, max_size=2), on=dates)
def test_validate_reports_the_union_of_what_each_rule_reports_alone(
    child: Child, others: list[Child], on: date
) -> None:
    context = Context(children=[child, *others])
    together = validate(child, on=on, context=context)
    alone: list[Violation] = []
    for item in RuleSet.builtin().for_entity(Child):
        alone.extend(validate(child, on=on, context=context, rules=RuleSet([item])))
    assert sorted(together, key=repr) == sorted(alone, key=repr)
    severities = [v.severity is Severity.WARNING for v in together]
    assert severities == sorted(severities)


# --- Rule and the rule decorator ----------------------------------------------------------------


def test_the_rule_decorator_makes_a_rule_keeping_the_check() -> None:
    made = a_rule("test.made", needs=frozenset({"children"}))
    assert isinstance(made, Rule)
    assert (made.code, made.entity, made.severity, made.needs) == (
        "test.made",
        Child,
        Severity.ERROR,
        frozenset({"children"}),
    )
    assert list(made.check(a_child(), Context())) == [Finding("$", {"what": "$"})]
    assert made.origin.endswith("a_rule.<locals>.check")


@pytest.mark.parametrize(
    "code", ["adult", "Child.adult", "child.", "child adult", "child.adult!", "child.adult\n"]
)
def test_a_rule_code_is_lower_case_dotted_words(code: str) -> None:
    with pytest.raises(ValueError, match="a rule code is lower-case dotted words"):
        a_rule(code)


@pytest.mark.parametrize("description", ["", "   ", "two\nlines"])
def test_a_rule_description_is_one_line(description: str) -> None:
    with pytest.raises(ValueError, match="one non-blank line"):
        Rule("test.x", Severity.ERROR, Child, description, NOTE, lambda _r, _c: ())


def test_rule_needs_are_a_collection_of_names_not_one_string() -> None:
    with pytest.raises(TypeError, match="not the string 'children'"):
        Rule("test.x", Severity.ERROR, Child, "A rule.", NOTE, lambda _r, _c: (), "children")


def test_a_finding_path_starts_at_the_record_and_its_params_are_read_only() -> None:
    finding = Finding("$.members[0]", {"age": 17})
    assert Finding().path == "$"
    with pytest.raises(TypeError):
        finding.params["age"] = 18  # type: ignore[index]
    with pytest.raises(ValueError, match="starts with '\\$'"):
        Finding("members[0]")
    assert hash(finding) == hash(Finding("$.members[0]", {"age": 17}))


# --- RuleSet ------------------------------------------------------------------------------------


def test_a_rule_set_refuses_two_rules_with_one_code_naming_both() -> None:
    first, second = a_rule("test.same"), a_rule("test.same")
    with pytest.raises(
        ValueError, match=r"two rules have the code 'test.same': .*check and .*check"
    ):
        RuleSet([first, second])
    with pytest.raises(ValueError, match=r"two rules have the code 'child\.adult'"):
        RuleSet.builtin().with_rules([a_rule("child.adult")])


def test_a_rule_set_accepts_the_same_rule_twice() -> None:
    one = a_rule()
    assert len(RuleSet([one, one])) == 1


def test_a_rule_set_iterates_in_order_of_code_and_finds_rules_by_code() -> None:
    rules = RuleSet([a_rule("test.c"), a_rule("test.a"), a_rule("test.b", entity=object)])
    assert [item.code for item in rules] == ["test.a", "test.b", "test.c"]
    assert rules.get("test.a") is rules["test.a"]
    assert rules.get("test.zzz") is None
    code: object = "test.b"
    assert code in rules
    assert rules["test.b"] in rules
    assert a_rule("test.b") not in rules
    with pytest.raises(KeyError):
        rules["test.zzz"]


def test_a_rule_set_finds_the_rules_of_an_entity_and_its_bases() -> None:
    rules = RuleSet([a_rule("test.child"), a_rule("test.any", entity=object)])
    assert [item.code for item in rules.for_entity(Child)] == ["test.any", "test.child"]
    assert [item.code for item in rules.for_entity(int)] == ["test.any"]


def test_with_rules_returns_a_new_set_and_leaves_the_old_one_alone() -> None:
    base = RuleSet([a_rule("test.a")])
    more = base.with_rules([a_rule("test.b")])
    assert [item.code for item in base] == ["test.a"]
    assert [item.code for item in more] == ["test.a", "test.b"]
    with pytest.raises(AttributeError, match="immutable"):
        base._by_code = {}


def test_a_rule_set_holds_only_rules() -> None:
    with pytest.raises(TypeError, match="a RuleSet holds Rule objects, got function"):
        RuleSet([lambda _r, _c: ()])  # type: ignore[list-item]


def nothing_to_say(_record: object, _ctx: Context) -> Iterator[Finding]:
    yield from ()


def test_a_rule_built_from_a_plain_function_pickles_by_value() -> None:
    plain = Rule("test.plain", Severity.WARNING, Child, "Says nothing.", NOTE, nothing_to_say)
    assert pickle.loads(pickle.dumps(plain)) == plain


def test_rule_sets_compare_and_pickle_by_their_rules() -> None:
    adult = RuleSet.builtin()["child.adult"]
    assert pickle.loads(pickle.dumps(adult)) is adult
    assert RuleSet.builtin() == RuleSet(BUILTIN_RULES)
    assert RuleSet.builtin() != RuleSet([])
    assert RuleSet.builtin() != list(BUILTIN_RULES)
    assert hash(RuleSet.builtin()) == hash(RuleSet(BUILTIN_RULES))
    assert pickle.loads(pickle.dumps(RuleSet.builtin())) == RuleSet.builtin()
    assert repr(RuleSet.builtin()) == f"<RuleSet of {len(BUILTIN_RULES)} rules>"


def test_the_catalogue_lists_the_builtin_rules_once_each_in_order_of_code() -> None:
    codes = [item.code for item in catalogue()]
    assert codes == sorted(set(codes))
    assert codes == [item.code for item in BUILTIN_RULES]
    assert tuple(RuleSet.builtin()) == catalogue()


def test_the_catalogue_holds_every_rule_of_the_issue() -> None:
    expected = {
        "child.adult": (Severity.ERROR, "Case"),
        "child.birth_in_future": (Severity.ERROR, "Child"),
        "child.identifier_format": (Severity.ERROR, "Child"),
        "child.identifier_duplicate": (Severity.ERROR, "Child"),
        "child.cnie_expected": (Severity.WARNING, "Child"),
        "child.residence_unknown": (Severity.ERROR, "Child"),
        "family.caregiver_deceased": (Severity.ERROR, "Family"),
        "family.caregiver_minor": (Severity.WARNING, "Family"),
        "family.kafala_without_decision": (Severity.ERROR, "Family"),
        "family.member_duplicate": (Severity.ERROR, "Family"),
        "family.residence_unknown": (Severity.ERROR, "Family"),
        "case.child_unknown": (Severity.ERROR, "Case"),
        "case.body_outside_jurisdiction": (Severity.WARNING, "Case"),
        "case.territory_unknown": (Severity.ERROR, "Case"),
        "case.concerns_missing": (Severity.ERROR, "Case"),
        "case.closure_reason_missing": (Severity.ERROR, "Case"),
        "case.closure_with_open_referrals": (Severity.ERROR, "Case"),
        "case.closure_on_open_case": (Severity.ERROR, "Case"),
        "case.high_risk_plan_unapproved": (Severity.ERROR, "Case"),
        "referral.consent_missing": (Severity.ERROR, "Referral"),
        "referral.override_unjustified": (Severity.ERROR, "Referral"),
        "referral.case_not_open": (Severity.ERROR, "Referral"),
        "referral.self_referral": (Severity.ERROR, "Referral"),
        "referral.rejection_reason_missing": (Severity.ERROR, "Referral"),
        "referral.case_unknown": (Severity.ERROR, "Referral"),
        "referral.target_unknown": (Severity.ERROR, "Referral"),
        "body.level_mismatch": (Severity.ERROR, "TerritorialBody"),
        "body.territory_unknown": (Severity.ERROR, "TerritorialBody"),
    }
    found = {item.code: (item.severity, item.entity.__name__) for item in catalogue()}
    assert {code: found.get(code) for code in expected} == expected


def test_every_builtin_rule_needs_only_what_a_context_can_provide() -> None:
    for item in catalogue():
        assert item.needs <= NEEDS, item.code


# --- Context ------------------------------------------------------------------------------------


def test_a_context_provides_what_it_was_given_even_when_empty() -> None:
    context = Context(children=[], referrals=[a_referral()])
    assert context.provides("gazetteer")
    assert context.provides("children")
    assert context.provides("referrals")
    assert not context.provides("cases")
    assert not context.provides("families")
    assert not context.provides("bodies")
    assert not context.provides("weather")


def test_a_context_looks_records_up_by_id() -> None:
    child = a_child()
    family = a_family(a_member())
    case = a_case(child_id=child.id)
    context = Context(children=[child], families=[family], cases=[case])
    assert context.child(child.id) is child
    assert context.family(family.id) is family
    assert context.case(case.id) is case
    assert context.child(case.id) is None
    assert context.body(case.body_id) is None


def test_a_context_keeps_the_later_of_two_versions_of_a_record() -> None:
    first = a_child(version=1)
    second = attrs.evolve(first, version=2, given_name="Amina Sara")
    assert Context(children=[first, second]).child(first.id) is second


def test_a_context_finds_children_by_identifier_as_written() -> None:
    idcs = Identifier(IdentifierScheme.IDCS, "0123456789")
    one = a_child(identifiers=[idcs])
    two = a_child(identifiers=[idcs, idcs])
    context = Context(children=[one, two])
    assert context.children_with_identifier(IdentifierScheme.IDCS, "0123456789") == (one, two)
    assert context.children_with_identifier(IdentifierScheme.CNIE, "0123456789") == ()
    assert context.children_with_identifier(IdentifierScheme.IDCS, " 0123456789") == ()


def test_a_context_lists_the_referrals_of_a_case() -> None:
    case = a_case()
    first = a_referral(case_id=case.id)
    second = a_referral(case_id=case.id, status=ReferralStatus.ACCEPTED)
    context = Context(referrals=[first, a_referral(), second])
    assert context.referrals_of_case(case.id) == (first, second)
    assert context.referrals_of_case("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f") == ()


def test_a_context_uses_the_shipped_gazetteer_unless_given_one() -> None:
    assert Context().gazetteer is Gazetteer.morocco()
    small = Gazetteer([*Gazetteer.morocco()][:1])
    assert Context(gazetteer=small).gazetteer is small


def test_a_context_refuses_records_of_the_wrong_kind() -> None:
    with pytest.raises(TypeError, match="Child records must be Child objects, got Case"):
        Context(children=[a_case()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="gazetteer must be a Gazetteer, got str"):
        Context(gazetteer="MA")  # type: ignore[arg-type]


def test_a_context_has_a_date_only_once_one_is_set() -> None:
    context = Context()
    with pytest.raises(LookupError, match="no date of validation"):
        _ = context.on
    dated = context.as_of(ON)
    assert dated.on == ON
    assert dated is not context
    with pytest.raises(TypeError, match="must be a date, got datetime"):
        context.as_of(datetime(2026, 1, 1, tzinfo=UTC))
    # Dated again on its own date, a context is itself: many records on one day, one copy.
    assert dated.as_of(ON) is dated
    later = dated.as_of(date(2026, 3, 3))
    assert (later.on, dated.on) == (date(2026, 3, 3), ON)


def test_a_context_says_whether_a_family_exists_as_it_finds_families() -> None:
    family = a_family(a_member())
    context = Context(families=[family])
    assert context.has_family(family.id)
    assert not context.has_family(a_family(a_member()).id)

    class Counted(Context):
        asked: ClassVar[list[str]] = []

        def family(self, family_id: str) -> Family | None:
            self.asked.append(family_id)
            return family if family_id == family.id else None

    assert Counted().has_family(family.id)
    assert not Counted().has_family("other")
    assert Counted.asked == [family.id, "other"]


def test_a_store_backed_context_overrides_the_lookups_rules_use() -> None:
    child = a_child(birth_date=date(2000, 1, 1))

    class StoreContext(Context):
        def provides(self, need: str) -> bool:
            return need in {"gazetteer", "children"}

        def child(self, child_id: str) -> Child | None:
            return child if child_id == child.id else None

    case = a_case(child_id=child.id, territory=SALE)
    # The child is of age: the active case also lacks a transition plan.
    assert codes_of(validate(case, on=ON, context=StoreContext())) == {
        "child.adult",
        "case.transition_plan_missing",
    }
    assert isinstance(StoreContext().as_of(ON), StoreContext)


def test_a_context_says_what_it_knows() -> None:
    assert repr(Context()) == "<Context with reference data only>"
    assert repr(Context(children=[a_child()], cases=[], on=ON)) == (
        "<Context children=1 cases=0 on=2026-03-02>"
    )


def test_a_family_with_many_problems_reports_them_all_in_member_order() -> None:
    family = a_family(
        a_member(relation=Relation.KAFIL, caregiver=True, alive=False),
        *[a_member(relation=Relation.SIBLING) for _ in range(9)],
        a_member(relation=Relation.KAFILA),
    )
    paths = [v.path for v in validate(family, on=ON)]
    assert paths == ["$.members[0].caregiver", "$.members[0].kafala", "$.members[10].kafala"]
