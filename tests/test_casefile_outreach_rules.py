"""The rules of outreach, tracing and reunification: valid records pass, each breaker its code."""

from __future__ import annotations

import string
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wladna_core.casefile import CaseFileContext
from wladna_core.casefile.outreach import OUTREACH_RULES, ChildAsMet, OutreachContact
from wladna_core.casefile.outreach import strategies as os_
from wladna_core.casefile.tracing import (
    TRACING_RULES,
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.casefile.tracing import strategies as ts
from wladna_core.errors import InvariantError, Severity
from wladna_core.messages import LANGUAGES
from wladna_core.model import (
    Case,
    Child,
    Closure,
    ClosureReason,
    Identification,
    IdentificationSource,
    Relation,
    Sex,
    new_id,
)
from wladna_core.rules import Context, RuleSet, catalogue, validate
from wladna_core.testing.strategies import REFERENCE_DATE

if TYPE_CHECKING:
    from collections.abc import Callable

ON = REFERENCE_DATE
RULES = RuleSet(OUTREACH_RULES).with_rules(TRACING_RULES)
OPENED = ON - timedelta(days=400)


def codes(record: object, context: Context, on: date = ON) -> set[str]:
    return {violation.code for violation in validate(record, on=on, context=context, rules=RULES)}


def a_case(
    child_id: str | None = None, opened_on: date = OPENED, closed_on: date | None = None
) -> Case:
    return Case(
        child_id=child_id or new_id(),
        body_id=new_id(),
        territory="MA-SAL",
        opened_on=opened_on,
        identification=Identification(IdentificationSource.OUTREACH, opened_on),
        closure=None
        if closed_on is None
        else Closure(closed_on, reason=ClosureReason.GOALS_ACHIEVED),
    )


def a_child(child_id: str) -> Child:
    return Child(sex=Sex.MALE, birth_date=date(2012, 1, 1), given_name="Yassine", id=child_id)


def outreach_context(contact: OutreachContact, **known: Any) -> Context:
    given: dict[str, Any] = {"bodies": [os_.body_for(contact)], "children": [], "cases": []}
    given.update(known)
    return Context(**given)


# --- outreach ----------------------------------------------------------------------------------


@given(os_.outreach_contacts())
def test_a_drawn_contact_passes_every_outreach_rule(contact: OutreachContact) -> None:
    assert codes(contact, outreach_context(contact)) == set()


def _other_child_case(contact: OutreachContact) -> tuple[OutreachContact, Context]:
    child_id = new_id()
    case = a_case(opened_on=contact.on)
    broken = attrs.evolve(
        contact, child=ChildAsMet(child_id=child_id), case_id=case.id, agreed=True
    )
    return broken, outreach_context(broken, children=[a_child(child_id)], cases=[case])


def _case_opened_before(contact: OutreachContact) -> tuple[OutreachContact, Context]:
    case = a_case(opened_on=contact.on - timedelta(days=1))
    broken = attrs.evolve(contact, case_id=case.id)
    return broken, outreach_context(broken, cases=[case])


def _elsewhere(contact: OutreachContact) -> tuple[OutreachContact, Context]:
    body = attrs.evolve(
        os_.body_for(contact), territory="MA-RAB" if contact.territory != "MA-RAB" else "MA-SAL"
    )
    return contact, outreach_context(contact, bodies=[body])


Broken = tuple[object, Context] | tuple[object, Context, date]

OUTREACH_BREAKERS: dict[str, Callable[[OutreachContact], Broken]] = {
    "outreach.body_unknown": lambda c: (c, outreach_context(c, bodies=[])),
    "outreach.territory_unknown": lambda c: (
        attrs.evolve(c, territory="MA-XX"),
        outreach_context(c),
    ),
    "outreach.outside_body_territory": _elsewhere,
    "outreach.in_future": lambda c: (
        attrs.evolve(c, on=ON + timedelta(days=1)),
        outreach_context(c),
    ),
    "outreach.child_undescribed": lambda c: (
        attrs.evolve(c, child=ChildAsMet()),
        outreach_context(c),
    ),
    "outreach.age_out_of_range": lambda c: (
        attrs.evolve(c, child=attrs.evolve(c.child, approximate_age=18)),
        outreach_context(c),
    ),
    "outreach.child_unknown": lambda c: (
        attrs.evolve(c, child=attrs.evolve(c.child, child_id=new_id())),
        outreach_context(c),
    ),
    "outreach.case_unknown": lambda c: (attrs.evolve(c, case_id=new_id()), outreach_context(c)),
    "outreach.case_of_another_child": _other_child_case,
    "outreach.case_opened_before_contact": _case_opened_before,
}


def test_every_outreach_rule_has_a_breaker() -> None:
    assert set(OUTREACH_BREAKERS) == {item.code for item in OUTREACH_RULES}


@pytest.mark.parametrize("code", sorted(OUTREACH_BREAKERS))
def test_each_outreach_rule_flags_its_broken_shape_and_only_it(code: str) -> None:
    @settings(max_examples=15)
    @given(os_.outreach_contacts())
    def check(contact: OutreachContact) -> None:
        record, context = OUTREACH_BREAKERS[code](contact)[:2]
        assert codes(record, context) == {code}

    check()


def test_the_age_of_a_child_runs_from_0_to_17() -> None:
    contact = OutreachContact(
        body_id=new_id(), territory="MA-SAL", place="Gare", on=ON, team="Équipe de nuit"
    )
    for age, expected in ((0, set()), (17, set()), (18, {"outreach.age_out_of_range"})):
        aged = attrs.evolve(contact, child=ChildAsMet(approximate_age=age))
        assert codes(aged, Context()) == expected


def test_a_contact_of_today_passes_and_of_tomorrow_does_not() -> None:
    contact = OutreachContact(
        body_id=new_id(),
        territory="MA-SAL",
        place="Gare",
        on=ON,
        team="Équipe de nuit",
        child=ChildAsMet(sex=Sex.FEMALE),
    )
    assert codes(contact, Context()) == set()
    [violation] = validate(
        attrs.evolve(contact, on=ON + timedelta(days=1)), on=ON, lang="fr", rules=RULES
    )
    assert violation.code == "outreach.in_future"
    assert violation.path == "$.on"
    assert violation.record == f"OutreachContact {contact.id}"
    assert violation.message == (
        f"Le contact de rue est daté du {(ON + timedelta(days=1)).isoformat()}, dans le futur "
        f"(nous sommes le {ON.isoformat()})."
    )
    assert violation.remedy == "Enregistrez un contact une fois qu'il a eu lieu, avec sa date."


def test_a_case_opened_on_the_day_of_the_contact_was_opened_from_it() -> None:
    case = a_case(opened_on=ON)
    contact = OutreachContact(
        body_id=new_id(),
        territory="MA-SAL",
        place="Gare",
        on=ON,
        team="Équipe de nuit",
        child=ChildAsMet(child_id=case.child_id),
        case_id=case.id,
    )
    assert codes(contact, Context(children=[a_child(case.child_id)], cases=[case])) == set()


def test_a_contact_in_a_commune_of_its_bodys_province_is_inside_it() -> None:
    contact = OutreachContact(
        body_id=new_id(),
        territory="MA-SAL",
        place="Bab Lamrissa",
        on=ON,
        team="Équipe mobile",
        child=ChildAsMet(alias="Simo"),
    )
    region = attrs.evolve(os_.body_for(contact), territory="MA-04")
    assert codes(contact, Context(bodies=[region])) == set()
    [warning] = validate(
        contact,
        on=ON,
        context=Context(bodies=[attrs.evolve(region, territory="MA-CAS")]),
        rules=RULES,
    )
    assert warning.severity is Severity.WARNING
    assert warning.message == (
        "The outreach contact took place in MA-SAL, outside the territory of its body (MA-CAS)."
    )


# --- tracing and reunification -------------------------------------------------------------------


@st.composite
def files(draw: st.DrawFn) -> tuple[Case, list[TracingAction | Reunification]]:
    case = a_case()
    records = draw(ts.tracing_files(case.id, first=OPENED, on=ON))
    return case, records


@given(files())
def test_every_record_of_a_drawn_tracing_file_passes_every_rule(
    drawn: tuple[Case, list[TracingAction | Reunification]],
) -> None:
    case, records = drawn
    context = CaseFileContext(cases=[case], casefile=records)
    for record in records:
        assert validate(record, on=ON, context=context, rules=RULES) == []


def _found(reunification: Reunification) -> TracingAction:
    return TracingAction(
        case_id=reunification.case_id,
        on=reunification.on,
        method=TracingMethod.PHONE_CALL,
        sought="la mère",
        result=TracingResult.FOUND,
    )


def _reunified(
    reunification: Reunification, case: Case | None = None, **changes: Any
) -> tuple[Reunification, CaseFileContext]:
    """The reunification changed, with its case and an action that found the family that day."""
    broken = attrs.evolve(reunification, **changes)
    cases = [] if case is None else [case]
    return broken, CaseFileContext(cases=cases, casefile=[_found(broken)])


def _acted(action: TracingAction, case: Case | None = None, **changes: Any) -> Broken:
    cases = [] if case is None else [case]
    return attrs.evolve(action, **changes), CaseFileContext(cases=cases, casefile=[])


def _out_of_order(reunification: Reunification, case: Case) -> Broken:
    assume(reunification.on < ON)
    visits = (
        FollowUpVisit(ON, VisitOutcome.WELL),
        FollowUpVisit(reunification.on, VisitOutcome.WELL),
    )
    return _reunified(reunification, case, follow_ups=visits)


_DAY = timedelta(days=1)


def _closed(case: Case, on: date) -> Case:
    return attrs.evolve(case, closure=Closure(on, reason=ClosureReason.GOALS_ACHIEVED))


_QUIET = {"follow_ups": (), "outcome": ReunificationOutcome.ONGOING}

ACTION_BREAKERS: dict[str, Callable[[TracingAction, Case], Broken]] = {
    "tracing.case_unknown": lambda a, _c: _acted(a),
    "tracing.before_case_opened": lambda a, c: _acted(a, c, on=OPENED - _DAY),
    "tracing.in_future": lambda a, c: _acted(a, c, on=ON + _DAY),
    "tracing.after_case_closed": lambda a, c: _acted(
        a, _closed(c, OPENED), on=max(a.on, OPENED + _DAY)
    ),
}
REUNIFICATION_BREAKERS: dict[str, Callable[[Reunification, Case], Broken]] = {
    "reunification.case_unknown": lambda r, _c: _reunified(r),
    "reunification.before_case_opened": lambda r, c: _reunified(r, c, on=OPENED - _DAY, **_QUIET),
    "reunification.in_future": lambda r, c: _reunified(r, c, on=ON + _DAY, **_QUIET),
    "reunification.after_case_closed": lambda r, c: _reunified(
        r, _closed(c, OPENED), on=OPENED + _DAY, **_QUIET
    ),
    "reunification.where_unknown": lambda r, c: _reunified(r, c, where="MA-XX"),
    "reunification.not_verified": lambda r, c: _reunified(r, c, verified=False),
    "reunification.without_trace": lambda r, c: (r, CaseFileContext(cases=[c], casefile=[])),
    "reunification.follow_up_before": lambda r, c: _reunified(
        r,
        c,
        follow_ups=(FollowUpVisit(r.on - _DAY, VisitOutcome.WELL),),
        outcome=ReunificationOutcome.ONGOING,
    ),
    "reunification.follow_ups_out_of_order": _out_of_order,
    "reunification.follow_up_in_future": lambda r, c: _reunified(
        r, c, follow_ups=(FollowUpVisit(ON + _DAY, VisitOutcome.WELL),)
    ),
    "reunification.sustained_without_follow_up": lambda r, c: _reunified(
        r, c, outcome=ReunificationOutcome.SUSTAINED, follow_ups=()
    ),
}


def test_every_tracing_rule_has_a_breaker() -> None:
    assert set(ACTION_BREAKERS) | set(REUNIFICATION_BREAKERS) == {
        item.code for item in TRACING_RULES
    }


@pytest.mark.parametrize("code", sorted(ACTION_BREAKERS))
def test_each_tracing_rule_flags_its_broken_shape_and_only_it(code: str) -> None:
    case = a_case()

    @settings(max_examples=15)
    @given(ts.tracing_actions(case.id, first=OPENED, on=ON))
    def check(action: TracingAction) -> None:
        record, context = ACTION_BREAKERS[code](action, case)[:2]
        assert codes(record, context) == {code}

    check()


@pytest.mark.parametrize("code", sorted(REUNIFICATION_BREAKERS))
def test_each_reunification_rule_flags_its_broken_shape_and_only_it(code: str) -> None:
    case = a_case()

    @settings(max_examples=15)
    @given(ts.reunifications(case.id, first=OPENED, on=ON))
    def check(reunification: Reunification) -> None:
        record, context = REUNIFICATION_BREAKERS[code](reunification, case)[:2]
        assert codes(record, context) == {code}

    check()


def test_a_reunification_the_day_the_family_was_found_is_prepared() -> None:
    case = a_case()
    reunification = Reunification(
        case_id=case.id, on=ON, with_whom=Relation.FATHER, where="MA-SAL", verified=True
    )
    found = _found(reunification)
    for action, expected in (
        (found, set()),
        (attrs.evolve(found, on=ON + _DAY), {"reunification.without_trace"}),
        (attrs.evolve(found, result=TracingResult.LEAD), {"reunification.without_trace"}),
        (attrs.evolve(found, case_id=new_id()), {"reunification.without_trace"}),
    ):
        context = CaseFileContext(cases=[case], casefile=[action])
        assert codes(reunification, context, ON + _DAY) == expected


def test_a_follow_up_on_the_day_of_the_reunification_is_after_it() -> None:
    case = a_case()
    reunification = Reunification(
        case_id=case.id,
        on=ON - _DAY,
        with_whom=Relation.GRANDPARENT,
        where="MA-SAL",
        verified=True,
        follow_ups=(
            FollowUpVisit(ON - _DAY, VisitOutcome.WELL),
            FollowUpVisit(ON - _DAY, VisitOutcome.CONCERNS),
            FollowUpVisit(ON, VisitOutcome.WELL),
        ),
        outcome=ReunificationOutcome.SUSTAINED,
    )
    context = CaseFileContext(cases=[case], casefile=[_found(reunification)])
    assert codes(reunification, context) == set()


def test_a_follow_up_out_of_order_is_named_by_its_path_in_arabic() -> None:
    case = a_case()
    reunification = Reunification(
        case_id=case.id,
        on=date(2025, 1, 10),
        with_whom=Relation.MOTHER,
        where="MA-SAL",
        verified=True,
        follow_ups=(
            FollowUpVisit(date(2025, 2, 10), VisitOutcome.WELL),
            FollowUpVisit(date(2025, 1, 20), VisitOutcome.WELL),
        ),
    )
    context = CaseFileContext(cases=[case], casefile=[_found(reunification)])
    [violation] = validate(reunification, on=ON, context=context, rules=RULES, lang="ar")
    assert violation.code == "reunification.follow_ups_out_of_order"
    assert violation.path == "$.follow_ups[1].on"
    assert violation.message == (
        "تأتي زيارة المتابعة بتاريخ 2025-01-20 بعد زيارة بتاريخ 2025-02-10 في القائمة."
    )


def test_without_the_case_files_records_the_trace_rule_does_not_run() -> None:
    case = a_case()
    reunification = Reunification(
        case_id=case.id, on=ON, with_whom=Relation.MOTHER, where="MA-SAL", verified=True
    )
    assert codes(reunification, Context(cases=[case])) == set()


# --- the catalogue -----------------------------------------------------------------------------


ALL_RULES = (*OUTREACH_RULES, *TRACING_RULES)


def test_the_codes_are_stable_prefixed_and_not_in_the_builtin_catalogue() -> None:
    assert all(item.code.startswith("outreach.") for item in OUTREACH_RULES)
    assert all(item.code.split(".")[0] in {"tracing", "reunification"} for item in TRACING_RULES)
    assert len({item.code for item in ALL_RULES}) == len(ALL_RULES)
    assert not {item.code for item in ALL_RULES} & {item.code for item in catalogue()}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


@pytest.mark.parametrize("item", ALL_RULES, ids=lambda item: item.code)
def test_every_rule_speaks_english_french_and_arabic(item: Any) -> None:
    assert item.description.endswith(".")
    assert item.description[0].isupper()
    for text in (item.message.message, item.message.remedy):
        english = fields(text.en)
        assert fields(text.fr) == english
        assert fields(text.ar) == english
        assert text.fr != text.en
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template == template.strip()
            assert template[-1] in ".!"
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 3
        latin = [
            word
            for word in text.ar.split()
            if word.isascii() and word.isalpha() and not word.isupper()
        ]
        assert not latin, f"{item.code}: Latin words in Arabic text {latin}"


def test_the_page_lists_every_rule_with_its_severity() -> None:
    page = Path(__file__).parent.parent / "docs" / "casefile_outreach.md"
    text = page.read_text(encoding="utf-8")
    for item in ALL_RULES:
        assert f"| `{item.code}` | {item.severity.value} |" in text, item.code


def test_a_child_is_reunified_with_someone_else_than_a_child() -> None:
    with pytest.raises(InvariantError, match=r"reunification\.with_child"):
        Reunification(case_id=new_id(), on=ON, with_whom=Relation.CHILD, where="MA-SAL")
