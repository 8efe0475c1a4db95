"""The rules of incidents (``incident.*``) and care arrangements (``care.*``).

Records drawn valid pass every rule; each breaker gives exactly its code; messages speak
English, French and Arabic; edge dates.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.casefile.care import (
    CARE_RULES,
    CareArrangement,
    CareContext,
    CareSettings,
    CareSettingsError,
    CareType,
    KafalaDecision,
)
from wladna_core.casefile.care.strategies import care_arrangements, care_histories
from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.incidents import (
    INCIDENT_RULES,
    DisclosedBy,
    Disclosure,
    Incident,
    IncidentAction,
    IncidentType,
)
from wladna_core.casefile.incidents.strategies import incidents
from wladna_core.convert import structure
from wladna_core.errors import InvalidRecord, Severity
from wladna_core.messages import LANGUAGES
from wladna_core.model import (
    Case,
    Child,
    Identification,
    IdentificationSource,
    Sex,
    new_id,
)
from wladna_core.rules import Context, RuleSet, validate

if TYPE_CHECKING:
    from collections.abc import Callable

TODAY = date(2026, 3, 2)
BODY = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"
INCIDENTS = RuleSet(INCIDENT_RULES)
CARE = RuleSet(CARE_RULES)
DAY = timedelta(days=1)


def child_and_case(born: date, *, estimated: bool = False) -> tuple[Child, Case]:
    child = Child(
        sex=Sex.FEMALE, birth_date=born, birth_date_estimated=estimated, given_name="Salma"
    )
    opened = max(born, date(2026, 1, 5))
    case = Case(
        child_id=child.id,
        body_id=BODY,
        territory="MA-SAL",
        opened_on=opened,
        identification=Identification(IdentificationSource.SCHOOL, opened),
    )
    return child, case


def codes(record: object, context: Context, rules: RuleSet) -> set[str]:
    return {
        violation.code for violation in validate(record, on=TODAY, context=context, rules=rules)
    }


births = st.dates(date(2008, 3, 3), date(2025, 12, 31))


# --- incidents --------------------------------------------------------------------------------


@st.composite
def incident_setups(draw: st.DrawFn) -> tuple[Incident, Context, Child, Case]:
    child, case = child_and_case(draw(births))
    incident = draw(incidents(case_ids=[case.id], born=child.birth_date, on=TODAY))
    return incident, Context(cases=[case], children=[child], bodies=[]), child, case


@given(incident_setups())
def test_incidents_drawn_valid_pass_every_incident_rule(setup: Any) -> None:
    incident, context, _child, _case = setup
    assert validate(incident, on=TODAY, context=context, rules=INCIDENTS) == []


def _future(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(incident, occurred_on=TODAY + DAY, disclosure=None)


def _disclosed_tomorrow(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(incident, disclosure=Disclosure(TODAY + DAY, DisclosedBy.CHILD))


def _disclosed_before(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(
        incident,
        occurred_on=TODAY,
        date_approximate=False,
        disclosure=Disclosure(TODAY - DAY, DisclosedBy.RELATIVE),
    )


def _before_birth(incident: Incident, child: Child) -> Incident:
    return attrs.evolve(
        incident, occurred_on=child.birth_date - DAY, date_approximate=False, disclosure=None
    )


def _unknown_case(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(incident, case_ids=(*incident.case_ids, new_id()))


def _unknown_territory(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(incident, territory="MA-XYZ")


def _unknown_body(incident: Incident, _child: Child) -> Incident:
    disclosure = Disclosure(incident.occurred_on, DisclosedBy.PROFESSIONAL, to_body_id=new_id())
    return attrs.evolve(incident, disclosure=disclosure)


def _not_reported(incident: Incident, _child: Child) -> Incident:
    return attrs.evolve(
        incident,
        type=IncidentType.TRAFFICKING,
        actions=incident.actions - {IncidentAction.REPORT_TO_PROSECUTOR},
    )


INCIDENT_BREAKERS: dict[str, Callable[[Incident, Child], Incident]] = {
    "incident.before_birth": _before_birth,
    "incident.case_unknown": _unknown_case,
    "incident.disclosed_before_incident": _disclosed_before,
    "incident.disclosure_body_unknown": _unknown_body,
    "incident.disclosure_in_future": _disclosed_tomorrow,
    "incident.in_future": _future,
    "incident.not_reported_to_prosecutor": _not_reported,
    "incident.territory_unknown": _unknown_territory,
}


def test_every_incident_rule_has_a_breaker() -> None:
    assert set(INCIDENT_BREAKERS) == {item.code for item in INCIDENT_RULES}


@pytest.mark.parametrize("code", sorted(INCIDENT_BREAKERS))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=incident_setups())
def test_each_incident_breaker_gives_exactly_its_code(code: str, setup: Any) -> None:
    incident, context, child, _case = setup
    broken = INCIDENT_BREAKERS[code](incident, child)
    assert codes(broken, context, INCIDENTS) == {code}


def test_an_approximate_date_lets_the_disclosure_come_first_and_precede_birth() -> None:
    child, case = child_and_case(date(2020, 5, 1))
    context = Context(cases=[case], children=[child], bodies=[])
    incident = Incident(
        case_ids=[case.id],
        type=IncidentType.NEGLECT,
        occurred_on=date(2020, 4, 1),
        date_approximate=True,
        disclosure=Disclosure(date(2020, 3, 1), DisclosedBy.RELATIVE),
    )
    assert codes(incident, context, INCIDENTS) == set()


def test_an_incident_on_the_day_of_birth_and_disclosed_that_day_is_valid() -> None:
    child, case = child_and_case(date(2020, 5, 1))
    context = Context(cases=[case], children=[child], bodies=[])
    incident = Incident(
        case_ids=[case.id],
        type=IncidentType.ABANDONMENT,
        occurred_on=date(2020, 5, 1),
        disclosure=Disclosure(date(2020, 5, 1), DisclosedBy.PROFESSIONAL),
    )
    assert codes(incident, context, INCIDENTS) == set()
    assert (
        codes(attrs.evolve(incident, occurred_on=TODAY, disclosure=None), context, INCIDENTS)
        == set()
    )


def test_each_unknown_case_of_an_incident_is_named_with_its_path() -> None:
    child, case = child_and_case(date(2015, 1, 1))
    first, second = new_id(), new_id()
    incident = Incident(
        case_ids=[first, case.id, second], type=IncidentType.NEGLECT, occurred_on=TODAY
    )
    found = validate(
        incident, on=TODAY, context=Context(cases=[case], children=[child]), rules=INCIDENTS
    )
    assert [(v.code, v.path) for v in found] == [
        ("incident.case_unknown", "$.case_ids[0]"),
        ("incident.case_unknown", "$.case_ids[2]"),
    ]
    assert found[0].message == f"The case {first} the incident is linked to is not known."


def test_the_warning_of_no_report_gives_its_legal_ground() -> None:
    incident = Incident(case_ids=[new_id()], type=IncidentType.SEXUAL_VIOLENCE, occurred_on=TODAY)
    [violation] = validate(incident, on=TODAY, context=Context(), rules=INCIDENTS)
    assert violation.severity is Severity.WARNING
    assert violation.path == "$.actions"
    assert "article 299" in violation.message
    assert "27-14" in violation.message


def test_an_incident_names_at_least_one_case_and_each_case_once() -> None:
    base = {"type": "neglect", "occurred_on": "2026-01-01"}
    with pytest.raises(InvalidRecord, match=r"\$\.case_ids \[incident\.no_case\]"):
        structure({**base, "case_ids": []}, Incident)
    case_id = new_id()
    with pytest.raises(InvalidRecord, match=r"\[incident\.case_repeated\]"):
        structure({**base, "case_ids": [case_id, case_id]}, Incident)
    with pytest.raises(InvalidRecord, match=r"\$\.type"):
        structure({**base, "case_ids": [case_id], "type": "gossip"}, Incident)


# --- care arrangements ------------------------------------------------------------------------


@st.composite
def care_setups(draw: st.DrawFn) -> tuple[list[CareArrangement], Child, Case]:
    child, case = child_and_case(draw(births))
    history = draw(care_histories(case_id=case.id, born=child.birth_date, on=TODAY))
    return history, child, case


def care_context(child: Child, case: Case, history: list[CareArrangement]) -> CareContext:
    return CareContext(cases=[case], children=[child], bodies=[], casefile=history)


@given(care_setups())
def test_care_histories_drawn_valid_pass_every_care_rule(setup: Any) -> None:
    history, child, case = setup
    context = care_context(child, case, history)
    for arrangement in history:
        assert validate(arrangement, on=TODAY, context=context, rules=CARE) == []


def _new(case: Case, kind: CareType, started_on: date, **changes: Any) -> CareArrangement:
    return CareArrangement(case_id=case.id, type=kind, started_on=started_on, **changes)


def _overlapping(history: list[CareArrangement], child: Child, case: Case) -> CareArrangement:
    spanning = _new(case, CareType.KINSHIP, child.birth_date, ended_on=TODAY)
    assume(any(spanning.overlaps(arrangement) for arrangement in history))
    return spanning


def _second_open(history: list[CareArrangement], _child: Child, case: Case) -> CareArrangement:
    assume(history[-1].is_open)
    return _new(case, CareType.PARENTS, TODAY)


def _before_birth(_history: list[CareArrangement], child: Child, case: Case) -> CareArrangement:
    day = child.birth_date - DAY
    return _new(case, CareType.PARENTS, day, ended_on=day)


def _in_future(history: list[CareArrangement], _child: Child, _case: Case) -> CareArrangement:
    return attrs.evolve(history[-1], ended_on=TODAY + DAY)


def _unknown_case(history: list[CareArrangement], _child: Child, _case: Case) -> CareArrangement:
    return attrs.evolve(history[0], case_id=new_id(), id=new_id())


def _kafala_without_decision(
    _history: list[CareArrangement], child: Child, case: Case
) -> CareArrangement:
    return _new(case, CareType.KAFALA, child.birth_date, ended_on=child.birth_date)


def _kafala_before_decision(
    _history: list[CareArrangement], child: Child, case: Case
) -> CareArrangement:
    decision = KafalaDecision("TPI Salé", "12/2026", child.birth_date + DAY)
    return _new(case, CareType.KAFALA, child.birth_date, ended_on=child.birth_date, kafala=decision)


def _no_establishment(_history: list[CareArrangement], child: Child, case: Case) -> CareArrangement:
    return _new(case, CareType.RESIDENTIAL, child.birth_date, ended_on=child.birth_date)


def _unknown_establishment(
    _history: list[CareArrangement], child: Child, case: Case
) -> CareArrangement:
    return _new(
        case,
        CareType.RESIDENTIAL,
        child.birth_date,
        ended_on=child.birth_date,
        establishment_id=new_id(),
    )


def _independent_young(
    _history: list[CareArrangement], child: Child, case: Case
) -> CareArrangement:
    return _new(case, CareType.INDEPENDENT, child.birth_date, ended_on=child.birth_date)


CARE_BREAKERS: dict[str, Callable[[list[CareArrangement], Child, Case], CareArrangement]] = {
    "care.before_birth": _before_birth,
    "care.before_case_opened": _before_birth,  # not a rule: see the test below
    "care.case_unknown": _unknown_case,
    "care.establishment_missing": _no_establishment,
    "care.establishment_unknown": _unknown_establishment,
    "care.in_future": _in_future,
    "care.independent_under_age": _independent_young,
    "care.kafala_before_decision": _kafala_before_decision,
    "care.kafala_decision_missing": _kafala_without_decision,
    "care.more_than_one_open": _second_open,
    "care.overlap": _overlapping,
}
del CARE_BREAKERS["care.before_case_opened"]


def test_every_care_rule_has_a_breaker_and_a_history_may_begin_before_its_case() -> None:
    assert set(CARE_BREAKERS) == {item.code for item in CARE_RULES}
    assert "care.before_case_opened" not in {item.code for item in CARE_RULES}


@pytest.mark.parametrize("code", sorted(CARE_BREAKERS))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=care_setups())
def test_each_care_breaker_gives_exactly_its_code(code: str, setup: Any) -> None:
    history, child, case = setup
    broken = CARE_BREAKERS[code](history, child, case)
    others = [arrangement for arrangement in history if arrangement.id != broken.id]
    assert codes(broken, care_context(child, case, others), CARE) == {code}


def test_the_next_arrangement_may_start_the_day_the_previous_ends() -> None:
    child, case = child_and_case(date(2014, 2, 1))
    home = _new(case, CareType.PARENTS, date(2014, 2, 1), ended_on=date(2025, 9, 1))
    centre = _new(
        case, CareType.RESIDENTIAL, date(2025, 9, 1), establishment_name="EPS Dar Al Atfal"
    )
    context = care_context(child, case, [home, centre])
    assert codes(centre, context, CARE) == set()
    assert codes(home, context, CARE) == set()
    earlier = attrs.evolve(centre, started_on=date(2025, 8, 31))
    assert codes(earlier, care_context(child, case, [home, earlier]), CARE) == {"care.overlap"}


def test_an_estimated_birth_date_is_not_held_against_an_arrangement() -> None:
    child, case = child_and_case(date(2014, 7, 1), estimated=True)
    early = _new(case, CareType.PARENTS, date(2014, 1, 1), ended_on=date(2014, 6, 1))
    assert codes(early, care_context(child, case, []), CARE) == set()


def test_independent_living_is_flagged_under_the_configured_age_only() -> None:
    child, case = child_and_case(date(2010, 3, 2))
    alone = _new(case, CareType.INDEPENDENT, date(2025, 3, 2))  # 15 that day
    default = care_context(child, case, [])
    [violation] = validate(alone, on=TODAY, context=default, rules=CARE)
    assert violation.code == "care.independent_under_age"
    assert violation.message == "The child is 15 when this independent living starts, under 16."
    lower = CareContext(
        cases=[case], children=[child], casefile=[], care=CareSettings(independent_from_age=15)
    )
    assert codes(alone, lower, CARE) == set()


def test_care_settings_are_read_and_checked() -> None:
    assert CareSettings.from_settings({}).independent_from_age == 16
    assert (
        CareSettings.from_settings({"care": {"independent_from_age": 14}}).independent_from_age
        == 14
    )
    with pytest.raises(CareSettingsError, match=r"care\.independent_from_age"):
        CareSettings.from_settings({"care": {"independent_from_age": 30}})
    with pytest.raises(CareSettingsError, match=r"care\.age"):
        CareSettings.from_settings({"care": {"age": 14}})
    with pytest.raises(CareSettingsError, match="must map"):
        CareSettings.from_settings({"care": 14})


def test_an_arrangement_cannot_end_before_it_starts() -> None:
    data = {
        "case_id": new_id(),
        "type": "parents",
        "started_on": "2026-02-01",
        "ended_on": "2026-01-31",
    }
    with pytest.raises(InvalidRecord, match=r"\$\.ended_on \[care\.ended_before_started\]"):
        structure(data, CareArrangement)


def test_a_kafala_without_decision_names_the_law() -> None:
    child, case = child_and_case(date(2015, 1, 1))
    kafala = _new(case, CareType.KAFALA, date(2020, 1, 1))
    [violation] = validate(kafala, on=TODAY, context=care_context(child, case, []), rules=CARE)
    assert violation.path == "$.kafala"
    assert "Law 15-01" in violation.message


# --- messages ---------------------------------------------------------------------------------


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


@pytest.mark.parametrize("item", [*INCIDENT_RULES, *CARE_RULES], ids=lambda item: item.code)
def test_every_rule_speaks_english_french_and_arabic(item: Any) -> None:
    assert item.description.endswith(".")
    assert item.code.split(".")[0] in {"incident", "care"}
    for text in (item.message.message, item.message.remedy):
        english = fields(text.en)
        assert fields(text.fr) == english
        assert fields(text.ar) == english
        assert text.fr != text.en
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template == template.strip()
            assert template[-1] in ".!"
        words = re.sub(r"\{[a-z_]+\}", "", text.ar)
        assert sum(map(is_arabic_letter, words)) > len(words) / 3


def test_the_page_lists_every_rule_with_its_severity() -> None:
    page = (Path(__file__).parent.parent / "docs" / "casefile_incidents.md").read_text(
        encoding="utf-8"
    )
    for item in (*INCIDENT_RULES, *CARE_RULES):
        assert f"| `{item.code}` | {item.severity.value} |" in page, item.code


# --- the strategies' knobs --------------------------------------------------------------------


def test_the_strategies_refuse_knobs_that_give_no_valid_record() -> None:
    with pytest.raises(InvalidArgument, match="after on"):
        incidents(born=TODAY + DAY, on=TODAY)
    with pytest.raises(InvalidArgument, match="at least one case"):
        incidents(case_ids=[])
    with pytest.raises(InvalidArgument, match="after on"):
        care_histories(case_id=new_id(), born=TODAY + DAY, on=TODAY)
    with pytest.raises(InvalidArgument, match="max_size"):
        care_histories(case_id=new_id(), born=TODAY, on=TODAY, max_size=0)
    with pytest.raises(InvalidArgument, match="after on"):
        care_arrangements(case_id=new_id(), born=TODAY + DAY, on=TODAY)


@given(st.data())
def test_a_type_knob_fixes_the_type_and_one_arrangement_is_valid_alone(data: st.DataObject) -> None:
    incident = data.draw(incidents(type=IncidentType.TRAFFICKING, on=TODAY))
    assert incident.type is IncidentType.TRAFFICKING
    assert IncidentAction.REPORT_TO_PROSECUTOR in incident.actions
    child, case = child_and_case(data.draw(births))
    arrangement = data.draw(care_arrangements(case_id=case.id, born=child.birth_date, on=TODAY))
    context = care_context(child, case, [arrangement])
    assert validate(arrangement, on=TODAY, context=context, rules=CARE) == []


# --- care across transfers ----------------------------------------------------------------------


@st.composite
def transferred_cases(draw: st.DrawFn) -> tuple[Child, list[Case], Case]:
    """A child's chain of cases, each transferred to the next, and one case of theirs outside it."""
    child, first = child_and_case(date(2014, 6, 1))
    length = draw(st.integers(1, 4))
    ids = [new_id() for _ in range(length)]
    chain = [
        attrs.evolve(
            first,
            id=case_id,
            transferred_to=ids[index + 1] if index + 1 < length else None,
        )
        for index, case_id in enumerate(ids)
    ]
    other = attrs.evolve(first, id=new_id())
    return child, draw(st.permutations(chain)), other


@given(transferred_cases())
def test_the_lineage_of_a_case_is_every_case_linked_to_it_by_transfers(setup: Any) -> None:
    child, chain, other = setup
    context = CaseFileContext(cases=[*chain, other], children=[child], casefile=[])
    whole = tuple(sorted(case.id for case in chain))
    for case in chain:
        assert context.lineage(case.id) == whole
    assert context.lineage(other.id) == (other.id,)
    assert context.lineage("no-such-case") == ("no-such-case",)


def _moved(arrangement_ends: date | None) -> tuple[CareContext, Case, CareArrangement]:
    child, before = child_and_case(date(2014, 6, 1))
    after = attrs.evolve(before, id=new_id(), body_id=new_id())
    before = attrs.evolve(before, transferred_to=after.id)
    old = _new(before, CareType.PARENTS, child.birth_date, ended_on=arrangement_ends)
    context = CareContext(cases=[before, after], children=[child], bodies=[], casefile=[old])
    return context, after, old


def test_a_second_open_arrangement_after_a_transfer_is_refused_until_the_first_ends() -> None:
    context, after, old = _moved(None)
    new = _new(after, CareType.KINSHIP, TODAY - 3 * DAY)
    assert codes(new, context, CARE) == {"care.more_than_one_open"}
    [found] = validate(new, on=TODAY, context=context, rules=CARE)
    assert old.id in found.message
    ended, after, _ = _moved(TODAY - 3 * DAY)
    assert codes(attrs.evolve(new, case_id=after.id), ended, CARE) == set()


def test_an_arrangement_overlapping_one_of_the_case_before_is_refused() -> None:
    context, after, _old = _moved(TODAY - 3 * DAY)
    new = _new(after, CareType.KINSHIP, TODAY - 10 * DAY)
    assert codes(new, context, CARE) == {"care.overlap"}
