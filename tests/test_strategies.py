"""The public Hypothesis strategies: valid by default, every knob honoured, clashes refused."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from wladna_core.errors import UnknownTerritory
from wladna_core.model import (
    IDENTIFIER_FORMATS,
    BodyKind,
    Case,
    CaseStatus,
    Child,
    ConsentGiver,
    Family,
    Gazetteer,
    Identifier,
    IdentifierScheme,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReferralTargetKind,
    Relation,
    RiskLevel,
    Sex,
    SocialProgramme,
    TerritorialBody,
    Territory,
    TerritoryLevel,
    age_on,
)
from wladna_core.model.ids import ID_PATTERN
from wladna_core.rules import Context, validate
from wladna_core.testing import strategies as ws
from wladna_core.testing.strategies import REFERENCE_DATE, CaseFile

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.errors import Violation

GAZETTEER = Gazetteer.morocco()
# Dates a drawn record may hold after its date of validation: they lie in the plan's future.
PLANNED_DATES = frozenset({"due", "review_on", "response_due"})
PLAN_IN_FORCE = {CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED}


def errors(record: object, *, on: date = REFERENCE_DATE, context: Context | None = None) -> list:
    """Return the error-level violations of ``record`` on ``on``."""
    return [v for v in validate(record, on=on, context=context) if v.is_error]


def codes(violations: list[Violation]) -> set[str]:
    return {violation.code for violation in violations}


def dated_fields(record: object, path: str = "$") -> Iterator[tuple[str, date]]:
    """Yield every date inside ``record`` (attrs classes, tuples, sets), with its path."""
    if attrs.has(type(record)):
        for field in attrs.fields(type(record)):
            value = getattr(record, field.name)
            yield from dated_fields(value, f"{path}.{field.name}")
    elif isinstance(record, tuple | frozenset):
        for index, item in enumerate(record):
            yield from dated_fields(item, f"{path}[{index}]")
    elif isinstance(record, date):
        yield path, record


def past_dates(record: object) -> dict[str, date]:
    """Return the dates of ``record`` that say when something happened (not planned ones)."""
    return {
        path: day
        for path, day in dated_fields(record)
        if path.rsplit(".", 1)[-1] not in PLANNED_DATES
    }


def a_gazetteer_with_communes() -> Gazetteer:
    return GAZETTEER.with_territories(
        [
            Territory("MA-SAL-0101", TerritoryLevel.COMMUNE, "Salé Bab Lamrissa", parent="MA-SAL"),
            Territory("MA-SAL-0102", TerritoryLevel.COMMUNE, "Salé Tabriquet", parent="MA-SAL"),
        ]
    )


# --- valid by default -----------------------------------------------------------------------------


@given(ws.territorial_bodies())
def test_drawn_bodies_pass_every_error_rule(body: TerritorialBody) -> None:
    assert errors(body) == []


@given(ws.children())
def test_drawn_children_pass_every_error_rule_on_the_reference_date(child: Child) -> None:
    assert errors(child) == []
    assert child.birth_date <= REFERENCE_DATE
    assert child.age_on(REFERENCE_DATE) < 18


@given(ws.families())
def test_drawn_families_pass_every_error_rule(family: Family) -> None:
    assert errors(family) == []
    assert max(past_dates(family).values(), default=REFERENCE_DATE) <= REFERENCE_DATE


@given(ws.cases())
def test_drawn_cases_pass_every_error_rule(case: Case) -> None:
    assert errors(case) == []
    assert max(past_dates(case).values()) <= REFERENCE_DATE


@given(ws.referrals())
def test_drawn_referrals_pass_every_error_rule(referral: Referral) -> None:
    assert errors(referral) == []
    assert max(past_dates(referral).values()) <= REFERENCE_DATE


@given(ws.case_files())
def test_every_record_of_a_case_file_passes_every_error_rule_in_its_context(
    case_file: CaseFile,
) -> None:
    context = case_file.context()
    for record in case_file.records:
        assert errors(record, context=context) == [], record
        late = {path: day for path, day in past_dates(record).items() if day > REFERENCE_DATE}
        assert late == {}, record


@given(ws.many_case_files(min_size=2, max_size=3))
def test_many_case_files_pass_every_error_rule_together_and_share_no_id_or_identifier(
    files: tuple[CaseFile, ...],
) -> None:
    context = ws.context_of(files)
    for case_file in files:
        for record in case_file.records:
            assert errors(record, context=context) == [], record
    ids = [record.id for case_file in files for record in case_file.records]
    assert len(ids) == len(set(ids))
    carried = [
        (identifier.scheme, identifier.value)
        for case_file in files
        for identifier in case_file.child.identifiers
    ]
    assert len(carried) == len(set(carried))


@given(ws.case_files(on=date(2031, 6, 30)))
def test_a_case_file_drawn_for_another_date_is_valid_on_that_date(case_file: CaseFile) -> None:
    context = case_file.context()
    for record in case_file.records:
        assert errors(record, on=date(2031, 6, 30), context=context) == []
        assert max(past_dates(record).values(), default=date.min) <= date(2031, 6, 30)


def test_drawing_is_reproducible_because_ids_come_from_hypothesis() -> None:
    drawn: list[list[CaseFile]] = [[], []]

    def draw_into(target: list[CaseFile]) -> None:
        @settings(derandomize=True, database=None, max_examples=5)
        @given(ws.case_files())
        def collect(case_file: CaseFile) -> None:
            target.append(case_file)

        collect()

    draw_into(drawn[0])
    draw_into(drawn[1])
    assert drawn[0] == drawn[1]
    assert len(drawn[0]) == 5


# --- case files hold together ---------------------------------------------------------------------


@given(ws.case_files())
def test_the_records_of_a_case_file_refer_to_each_other_and_have_distinct_ids(
    case_file: CaseFile,
) -> None:
    case, child, family, body = case_file.case, case_file.child, case_file.family, case_file.body
    assert (case.child_id, case.body_id, case.family_id) == (child.id, body.id, family.id)
    assert next(m for m in family.members if m.child_id == child.id).birth_date == child.birth_date
    partners = {partner.id for partner in case_file.partners}
    for referral in case_file.referrals:
        assert (referral.case_id, referral.from_body) == (case.id, body.id)
        if referral.target.kind is ReferralTargetKind.BODY:
            assert referral.target.body_id in partners
    ids = [record.id for record in case_file.records]
    ids += [link for link in (case.transferred_to, case.duplicate_of) if link]
    assert len(ids) == len(set(ids))
    assert all(ID_PATTERN.match(record_id) for record_id in ids)


@given(ws.case_files())
def test_a_case_file_lies_within_its_body_territory_and_its_context_knows_every_record(
    case_file: CaseFile,
) -> None:
    assert GAZETTEER.contains(case_file.body.territory, case_file.case.territory)
    assert GAZETTEER.get(case_file.body.territory).level.is_provincial
    context = case_file.context()
    assert "case.body_outside_jurisdiction" not in codes(
        validate(case_file.case, on=REFERENCE_DATE, context=context)
    )
    assert context.child(case_file.child.id) == case_file.child
    assert context.family(case_file.family.id) == case_file.family
    assert context.case(case_file.case.id) == case_file.case
    assert all(context.body(body.id) == body for body in case_file.bodies)
    assert tuple(context.referrals_of_case(case_file.case.id)) == case_file.referrals
    assert context.gazetteer is case_file.gazetteer


@given(st.data())
def test_many_case_files_draws_between_min_size_and_max_size(data: st.DataObject) -> None:
    low = data.draw(st.integers(0, 1))
    high = data.draw(st.integers(low, 2))
    files = data.draw(ws.many_case_files(low, high))
    assert low <= len(files) <= high


def test_many_case_files_refuses_sizes_out_of_order() -> None:
    with pytest.raises(InvalidArgument, match="min_size"):
        ws.many_case_files(3, 2)


def test_context_of_no_case_file_knows_no_record_but_the_gazetteer() -> None:
    context = ws.context_of([])
    assert context.provides("cases")
    assert context.gazetteer == GAZETTEER
    assert context.case("0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f") is None
    communes = a_gazetteer_with_communes()
    assert ws.context_of([], gazetteer=communes).gazetteer is communes


# --- ids and territories --------------------------------------------------------------------------


@given(ws.record_ids())
def test_record_ids_are_canonical_version_7_uuids(record_id: str) -> None:
    assert ID_PATTERN.match(record_id)
    assert record_id[14] == "7"
    assert record_id[19] in "89ab"


@given(st.sampled_from(TerritoryLevel), st.data())
def test_territories_of_a_level_have_that_level(level: TerritoryLevel, data: st.DataObject) -> None:
    if not any(t.level is level for t in GAZETTEER):
        with pytest.raises(InvalidArgument):
            ws.territories(level=level)
        return
    assert data.draw(ws.territories(level=level)).level is level


@given(st.sampled_from(GAZETTEER.regions()), st.data())
def test_territories_within_a_region_lie_in_it(region: Territory, data: st.DataObject) -> None:
    territory = data.draw(ws.territories(within=region.code, level=TerritoryLevel.PROVINCE))
    assert GAZETTEER.contains(region.code, territory.code)
    assert territory.level is TerritoryLevel.PROVINCE


@given(ws.territories(level=[TerritoryLevel.PROVINCE, TerritoryLevel.PREFECTURE]))
def test_territories_of_several_levels_have_one_of_them(territory: Territory) -> None:
    assert territory.level in {TerritoryLevel.PROVINCE, TerritoryLevel.PREFECTURE}


@pytest.mark.parametrize("level", [[], ["province"]])
def test_territories_refuse_levels_that_are_not_territory_levels(level: list) -> None:
    with pytest.raises(InvalidArgument, match="level"):
        ws.territories(level=level)


def test_territories_within_an_unknown_code_raise_unknown_territory() -> None:
    with pytest.raises(UnknownTerritory, match="MA-13"):
        ws.territories(within="MA-13")


@given(ws.territories(level=TerritoryLevel.COMMUNE, gazetteer=a_gazetteer_with_communes()))
def test_territories_come_from_the_gazetteer_given(commune: Territory) -> None:
    assert commune.code in {"MA-SAL-0101", "MA-SAL-0102"}


# --- bodies ---------------------------------------------------------------------------------------


@given(ws.territorial_bodies(kind=BodyKind.CPPE))
def test_a_cppe_always_sits_at_province_or_prefecture_level(body: TerritorialBody) -> None:
    assert body.kind is BodyKind.CPPE
    assert GAZETTEER.get(body.territory).level.is_provincial


@given(ws.territorial_bodies())
def test_bodies_sit_at_province_or_prefecture_level_by_default(body: TerritorialBody) -> None:
    assert GAZETTEER.get(body.territory).level.is_provincial


@given(
    st.sampled_from(BodyKind),
    st.sampled_from(GAZETTEER.provinces()),
    st.booleans(),
    st.data(),
)
def test_body_knobs_are_honoured(
    kind: BodyKind, province: Territory, active: bool, data: st.DataObject
) -> None:
    body = data.draw(ws.territorial_bodies(kind=kind, territory=province.code, active=active))
    assert (body.kind, body.territory, body.active) == (kind, province.code, active)


@given(ws.territorial_bodies(territory="MA-04"))
def test_a_body_in_a_region_is_never_a_cppe(body: TerritorialBody) -> None:
    assert body.territory == "MA-04"
    assert body.kind is not BodyKind.CPPE


def test_a_cppe_in_a_region_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"body\.level_mismatch"):
        ws.territorial_bodies(kind=BodyKind.CPPE, territory="MA-04")


# --- identifiers and children ---------------------------------------------------------------------


@given(st.sampled_from(IdentifierScheme), st.data())
def test_identifiers_of_a_scheme_have_that_scheme_and_its_format(
    scheme: IdentifierScheme, data: st.DataObject
) -> None:
    identifier = data.draw(ws.identifiers(scheme=scheme))
    assert identifier.scheme is scheme
    pattern = IDENTIFIER_FORMATS.get(scheme)
    assert pattern is None or pattern.fullmatch(identifier.value)


@given(st.lists(ws.identifiers(valid=False), min_size=1, max_size=3), st.data())
def test_invalid_identifiers_break_the_format_rule(
    wrong: list[Identifier], data: st.DataObject
) -> None:
    assert all(IDENTIFIER_FORMATS[i.scheme].fullmatch(i.value) is None for i in wrong)
    child = data.draw(ws.children(identifiers=wrong))
    # The IDCS format is not verified: breaking it is a warning, not an error.
    codes = {"child.identifier_format", "child.identifier_format_unverified"}
    found = {v.path: v.code for v in validate(child, on=REFERENCE_DATE) if v.code in codes}
    assert found == {
        f"$.identifiers[{index}].value": "child.identifier_format_unverified"
        if identifier.scheme is IdentifierScheme.IDCS
        else "child.identifier_format"
        for index, identifier in enumerate(wrong)
    }


@given(ws.identifiers(scheme=IdentifierScheme.CNIE, valid=False))
def test_invalid_identifiers_of_a_scheme_keep_the_scheme(identifier: Identifier) -> None:
    assert identifier.scheme is IdentifierScheme.CNIE
    assert IDENTIFIER_FORMATS[IdentifierScheme.CNIE].fullmatch(identifier.value) is None


def test_identifiers_cannot_break_a_scheme_without_format() -> None:
    with pytest.raises(InvalidArgument, match="passport"):
        ws.identifiers(scheme=IdentifierScheme.PASSPORT, valid=False)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(0, 120), st.data())
def test_children_have_the_age_asked_for_on_the_day_asked_for(
    day: date, years: int, data: st.DataObject
) -> None:
    child = data.draw(ws.children(age=years, age_on=day))
    assert age_on(child.birth_date, day) == years


@pytest.mark.parametrize(
    ("day", "years"),
    [(date(2028, 2, 29), 1), (date(2027, 2, 28), 3), (date(2027, 3, 1), 3), (date(2028, 2, 29), 4)],
)
def test_children_have_the_age_asked_for_around_29_february(day: date, years: int) -> None:
    @settings(max_examples=50, database=None)
    @given(ws.children(age=years, age_on=day))
    def check(child: Child) -> None:
        assert child.age_on(day) == years

    check()


@given(st.data())
def test_children_ages_stay_in_the_range_asked_for(data: st.DataObject) -> None:
    youngest = data.draw(st.integers(0, 17))
    oldest = data.draw(st.integers(youngest, 17))
    child = data.draw(ws.children(age=(youngest, oldest)))
    assert youngest <= child.age_on(REFERENCE_DATE) <= oldest


@pytest.mark.parametrize("age", [-1, (5, 3), 121, (0, 200)])
def test_children_refuse_an_impossible_age(age: object) -> None:
    with pytest.raises(InvalidArgument, match="age"):
        ws.children(age=age)  # type: ignore[arg-type]


def test_children_refuse_an_age_before_the_calendar_starts() -> None:
    with pytest.raises(InvalidArgument, match="first year"):
        ws.children(age=120, age_on=date(100, 6, 1))


def test_children_refuse_identifiers_that_are_not_identifiers() -> None:
    with pytest.raises(InvalidArgument, match="identifiers must be Identifier"):
        ws.children(identifiers=["1234567890"])  # type: ignore[list-item]


@given(st.sampled_from(Sex), st.booleans(), st.sampled_from(GAZETTEER.provinces()), st.data())
def test_child_knobs_are_honoured(
    sex: Sex, unidentified: bool, residence: Territory, data: st.DataObject
) -> None:
    child = data.draw(ws.children(sex=sex, unidentified=unidentified, residence=residence.code))
    assert (child.sex, child.unidentified, child.residence) == (sex, unidentified, residence.code)


@given(ws.children(unidentified=True))
def test_an_unidentified_child_has_no_name_and_an_estimated_birth_date(child: Child) -> None:
    assert (child.given_name, child.given_name_ar, child.family_name) == (None, None, None)
    assert child.birth_date_estimated
    assert child.identifiers == ()


@given(ws.children(unidentified=False))
def test_an_identified_child_has_a_given_name(child: Child) -> None:
    assert child.given_name or child.given_name_ar


@given(ws.children(identifiers=[Identifier(IdentifierScheme.IDCS, "1234567890")]))
def test_children_carry_the_identifiers_given(child: Child) -> None:
    assert child.identifiers == (Identifier(IdentifierScheme.IDCS, "1234567890"),)
    assert child.birth_registered is True


@given(ws.children(age=0, age_on=REFERENCE_DATE + timedelta(days=400)))
def test_children_drawn_for_a_later_day_are_born_in_the_future(child: Child) -> None:
    assert "child.birth_in_future" in codes(errors(child))


@given(ws.children())
def test_drawn_children_carry_at_most_one_identifier_per_scheme(child: Child) -> None:
    schemes = [identifier.scheme for identifier in child.identifiers]
    assert len(schemes) == len(set(schemes))


# --- families -------------------------------------------------------------------------------------


@given(ws.families())
def test_family_caregivers_are_alive_and_adults_unless_the_household_is_child_headed(
    family: Family,
) -> None:
    caregivers = family.caregivers
    assert caregivers
    assert all(member.alive for member in caregivers)
    adults = [m for m in caregivers if m.birth_date and age_on(m.birth_date, REFERENCE_DATE) >= 18]
    if family.child_headed:
        assert not adults
    else:
        assert adults == list(caregivers)
        assert validate(family, on=REFERENCE_DATE) == []


@given(st.lists(ws.children(), min_size=1, max_size=3, unique_by=lambda c: c.id), st.data())
def test_families_list_each_child_given_once(children: list[Child], data: st.DataObject) -> None:
    family = data.draw(ws.families(children=children))
    linked = [member.child_id for member in family.members if member.child_id]
    assert sorted(linked) == sorted(child.id for child in children)
    assert all(m.relation is Relation.CHILD for m in family.members if m.child_id)


@given(ws.families(with_kafala=True))
def test_a_family_under_kafala_has_a_kafil_or_kafila_with_a_decision(family: Family) -> None:
    kafala = [member for member in family.members if member.relation.is_kafala]
    assert kafala
    assert all(m.kafala is not None and m.caregiver for m in kafala)
    assert all(m.kafala.decided_on <= REFERENCE_DATE for m in kafala if m.kafala)
    assert {m.sex for m in kafala if m.relation is Relation.KAFIL} <= {Sex.MALE}


@given(ws.families(with_kafala=False))
def test_a_family_without_kafala_has_no_kafil_or_kafila(family: Family) -> None:
    assert not any(member.relation.is_kafala for member in family.members)


@given(ws.families(child_headed=True))
def test_a_child_headed_family_is_flagged_and_headed_by_a_minor(family: Family) -> None:
    assert family.child_headed
    assert any(
        m.caregiver and m.birth_date and age_on(m.birth_date, REFERENCE_DATE) < 18
        for m in family.members
    )


@given(ws.families(residence="MA-AGD"))
def test_families_live_where_asked(family: Family) -> None:
    assert family.residence == "MA-AGD"


def test_a_child_headed_family_under_kafala_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="kafala"):
        ws.families(child_headed=True, with_kafala=True)


def test_families_refuse_a_child_born_after_their_date_or_that_is_not_a_child() -> None:
    unborn = Child(sex=Sex.MALE, birth_date=REFERENCE_DATE + timedelta(days=1), given_name="Adam")
    with pytest.raises(InvalidArgument, match="born after"):
        ws.families(children=[unborn])
    with pytest.raises(InvalidArgument, match="each of children must be a Child"):
        ws.families(children=["Adam"])  # type: ignore[list-item]


# --- consents -------------------------------------------------------------------------------------


@given(st.booleans(), st.data())
def test_consents_allow_referral_as_asked(allows: bool, data: st.DataObject) -> None:
    consent = data.draw(ws.consents(allows_referral=allows))
    assert consent.allows_referral is allows
    assert consent.recorded_on <= REFERENCE_DATE
    if consent.override is not None:
        assert consent.override.is_authorised
    if consent.services or consent.sharing or consent.reporting:
        assert isinstance(consent.given_by, ConsentGiver)


# --- cases ----------------------------------------------------------------------------------------


@given(st.sampled_from(CaseStatus), st.sampled_from(RiskLevel), st.data())
def test_cases_have_the_status_and_risk_asked_for_and_fit_them(
    status: CaseStatus, risk: RiskLevel, data: st.DataObject
) -> None:
    case = data.draw(ws.cases(status=status, risk=risk))
    assert (case.status, case.risk) == (status, risk)
    assert (case.closure is not None) == (status is CaseStatus.CLOSED)
    assert case.closure is None or case.closure.reason is not None
    if status in {CaseStatus.CASE_PLAN, *PLAN_IN_FORCE}:
        assert case.assessment is not None
    if case.assessment is not None:
        assert case.concerns
        assert case.assessment.risk is risk
    if status in PLAN_IN_FORCE:
        assert case.plan is not None
        assert case.plan.approved or risk is not RiskLevel.HIGH
    assert (case.transferred_to is not None) == (status is CaseStatus.TRANSFERRED)
    assert (case.duplicate_of is not None) == (status is CaseStatus.DUPLICATE)
    assert errors(case) == []


@given(ws.cases())
def test_the_dates_of_a_case_are_in_order(case: Case) -> None:
    steps = [case.identification.on, case.opened_on]
    steps += [case.assessment.on] if case.assessment else []
    steps += [case.plan.drawn_up_on] if case.plan else []
    steps += [case.plan.approval.on] if case.plan and case.plan.approval else []
    steps += [follow_up.on for follow_up in case.follow_ups]
    steps += [case.closure.on] if case.closure else []
    assert steps == sorted(steps)
    assert steps[-1] <= REFERENCE_DATE


@given(ws.children(), ws.territorial_bodies(), st.data())
def test_a_case_for_a_child_and_body_names_them_and_lies_in_the_body_territory(
    child: Child, body: TerritorialBody, data: st.DataObject
) -> None:
    case = data.draw(ws.cases(child=child, body=body))
    assert (case.child_id, case.body_id) == (child.id, body.id)
    assert child.birth_date <= case.opened_on <= REFERENCE_DATE
    assert age_on(child.birth_date, case.opened_on) < 18
    assert GAZETTEER.contains(body.territory, case.territory)
    assert errors(case, context=Context(children=[child], bodies=[body])) == []


@given(ws.children(age=(18, 40)), st.data())
def test_a_case_for_a_young_adult_opened_before_their_18th_birthday(
    child: Child, data: st.DataObject
) -> None:
    case = data.draw(ws.cases(child=child))
    assert age_on(child.birth_date, case.opened_on) < 18


@given(ws.children(age=(18, 30)), st.data())
def test_a_case_of_a_young_adult_moved_past_their_18th_birthday_breaks_child_adult(
    child: Child, data: st.DataObject
) -> None:
    case = data.draw(ws.cases(child=child, status=CaseStatus.REGISTERED))
    # Closure requests and withdrawals dated before the new opening would break its invariants.
    late = attrs.evolve(case, opened_on=REFERENCE_DATE, closure_requests=(), consent_withdrawals=())
    assert "child.adult" in codes(errors(late, context=Context(children=[child])))


def test_a_case_may_open_on_any_day_the_child_is_a_minor_even_long_ago() -> None:
    child = Child(sex=Sex.FEMALE, birth_date=date(2001, 5, 1), given_name="Hiba")
    opened_on = date(2010, 9, 15)

    @settings(max_examples=20, database=None)
    @given(ws.cases(child=child, opened_on=opened_on))
    def check(case: Case) -> None:
        assert case.opened_on == opened_on
        assert errors(case, context=Context(children=[child])) == []

    check()


def test_a_case_for_a_child_born_on_29_february_opens_before_their_18th_birthday() -> None:
    child = Child(sex=Sex.MALE, birth_date=date(2008, 2, 29), given_name="Omar")

    @settings(max_examples=30, database=None)
    @given(ws.cases(child=child, on=date(2026, 3, 1)))
    def check(case: Case) -> None:
        assert case.opened_on <= date(2026, 2, 28)

    check()


@given(
    st.dates(date(2020, 1, 1), REFERENCE_DATE),
    st.frozensets(st.sampled_from(ProtectionConcern), min_size=1, max_size=3),
    st.sampled_from(GAZETTEER.provinces()),
    st.data(),
)
def test_case_knobs_are_honoured(
    opened_on: date,
    concerns: frozenset[ProtectionConcern],
    territory: Territory,
    data: st.DataObject,
) -> None:
    family = data.draw(ws.families())
    case = data.draw(
        ws.cases(opened_on=opened_on, concerns=concerns, territory=territory.code, family=family)
    )
    assert (case.opened_on, case.concerns) == (opened_on, concerns)
    assert (case.territory, case.family_id) == (territory.code, family.id)


@given(ws.cases(concerns=()))
def test_a_case_without_concerns_is_never_assessed(case: Case) -> None:
    assert case.concerns == frozenset()
    assert case.assessment is None
    assert case.status in {CaseStatus.REGISTERED, CaseStatus.TRANSFERRED, CaseStatus.DUPLICATE}
    assert errors(case) == []


@given(ws.cases(on=date(2019, 5, 1)))
def test_cases_drawn_for_another_date_end_by_it(case: Case) -> None:
    assert max(past_dates(case).values()) <= date(2019, 5, 1)
    assert errors(case, on=date(2019, 5, 1)) == []


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"status": CaseStatus.ASSESSMENT, "concerns": ()}, "assessment needs concerns"),
        ({"opened_on": REFERENCE_DATE + timedelta(days=1)}, "opened_on"),
        (
            {
                "body": TerritorialBody(name="UPE Salé", kind=BodyKind.UPE, territory="MA-SAL"),
                "territory": "MA-RAB",
            },
            "outside",
        ),
        (
            {"child": Child(sex=Sex.FEMALE, birth_date=date(2026, 6, 1), given_name="Aya")},
            "born after",
        ),
        (
            {
                "child": Child(sex=Sex.FEMALE, birth_date=date(2000, 1, 1), given_name="Aya"),
                "opened_on": date(2025, 1, 1),
            },
            "under 18",
        ),
        ({"child": "not a child"}, "child must be a Child"),
    ],
)
def test_cases_refuse_knobs_that_clash(knobs: dict, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        ws.cases(**knobs)


# --- referrals ------------------------------------------------------------------------------------


@given(ws.case_files(status=CaseStatus.IMPLEMENTATION), st.sampled_from(ReferralStatus), st.data())
def test_referrals_of_a_case_have_the_status_asked_for_and_a_valid_consent_basis(
    case_file: CaseFile, status: ReferralStatus, data: st.DataObject
) -> None:
    targets = [ReferralTarget.to_body(partner.id) for partner in case_file.partners]
    targets += [
        ReferralTarget.to_judicial_authority(),
        # In force whatever the day: the case may have opened before ASD started.
        ReferralTarget.to_programme(SocialProgramme.AMO_TADAMON),
    ]
    target = data.draw(st.sampled_from(targets))
    referral = data.draw(ws.referrals(case=case_file.case, status=status, target=target))
    assert (referral.case_id, referral.status) == (case_file.case.id, status)
    assert referral.from_body == case_file.body.id
    consent = case_file.case.consent
    if consent is None or not consent.allows_referral:
        assert referral.consent_override is not None
        assert referral.consent_override.is_authorised
    assert (referral.rejection_reason is not None) == (status is ReferralStatus.REJECTED)
    context = attrs.evolve(case_file, referrals=(referral,)).context()
    assert errors(referral, context=context) == []


@given(ws.case_files(status=CaseStatus.CLOSED, max_referrals=0), st.data())
def test_referrals_of_a_closed_case_are_closed_by_its_closure(
    case_file: CaseFile, data: st.DataObject
) -> None:
    referral = data.draw(ws.referrals(case=case_file.case))
    assert not referral.is_open
    assert case_file.case.closure is not None
    assert referral.made_on <= case_file.case.closure.on
    context = attrs.evolve(case_file, referrals=(referral,)).context()
    assert errors(case_file.case, context=context) == []


@given(ws.record_ids(), st.data())
def test_referral_knobs_are_honoured(sender: str, data: st.DataObject) -> None:
    target = ReferralTarget.to_programme(SocialProgramme.TAYSSIR)
    referral = data.draw(ws.referrals(from_body=sender, target=target))
    assert (referral.from_body, referral.target) == (sender, target)


@given(ws.referrals())
def test_a_drawn_referral_never_targets_its_sender(referral: Referral) -> None:
    assert referral.target.body_id != referral.from_body


def test_referrals_refuse_a_self_referral() -> None:
    sender = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
    with pytest.raises(InvalidArgument, match="self_referral"):
        ws.referrals(from_body=sender, target=ReferralTarget.to_body(sender))


@given(ws.cases(status=CaseStatus.CLOSED))
def test_referrals_refuse_a_pending_referral_of_a_closed_case(case: Case) -> None:
    with pytest.raises(InvalidArgument, match="pending"):
        ws.referrals(case=case, status=ReferralStatus.PENDING)


@given(ws.cases(on=date(2031, 1, 1), opened_on=date(2030, 1, 1)))
def test_referrals_refuse_a_case_opened_after_their_date(case: Case) -> None:
    with pytest.raises(InvalidArgument, match="after on=2026-01-01"):
        ws.referrals(case=case)


# --- case file knobs ------------------------------------------------------------------------------


@given(st.sampled_from(CaseStatus), st.sampled_from(RiskLevel), st.data())
def test_case_files_have_the_status_and_risk_asked_for(
    status: CaseStatus, risk: RiskLevel, data: st.DataObject
) -> None:
    case_file = data.draw(ws.case_files(status=status, risk=risk))
    assert (case_file.case.status, case_file.case.risk) == (status, risk)
    if not case_file.case.is_active:
        assert not any(referral.is_open for referral in case_file.referrals)


@given(
    ws.case_files(
        territory="MA-AGD", body_kind=BodyKind.CAPE, age=(12, 15), max_partners=0, max_referrals=1
    )
)
def test_case_file_knobs_are_honoured(case_file: CaseFile) -> None:
    assert (case_file.case.territory, case_file.body.territory) == ("MA-AGD", "MA-AGD")
    assert case_file.body.kind is BodyKind.CAPE
    assert 12 <= case_file.child.age_on(REFERENCE_DATE) <= 15
    assert case_file.partners == ()
    assert len(case_file.referrals) <= 1
    assert all(r.target.kind is not ReferralTargetKind.BODY for r in case_file.referrals)


@given(ws.case_files(allows_referral=False, max_referrals=3))
def test_referrals_of_a_case_without_consent_carry_an_authorised_override(
    case_file: CaseFile,
) -> None:
    assert case_file.case.consent is not None
    assert not case_file.case.consent.allows_referral
    for referral in case_file.referrals:
        assert referral.consent_override is not None
        assert referral.consent_override.is_authorised


@given(
    ws.case_files(child_headed=True, max_partners=0, max_referrals=0),
    ws.case_files(with_kafala=True, max_partners=0, max_referrals=0),
)
def test_case_files_pass_household_knobs_on(headed: CaseFile, kafala: CaseFile) -> None:
    assert headed.family.child_headed
    assert any(member.relation.is_kafala for member in kafala.family.members)


@given(ws.case_files(territory="MA-SAL-0102", gazetteer=a_gazetteer_with_communes()))
def test_a_case_in_a_commune_is_held_by_a_body_of_its_province(case_file: CaseFile) -> None:
    assert case_file.case.territory == "MA-SAL-0102"
    assert case_file.body.territory == "MA-SAL"
    context = case_file.context()
    for record in case_file.records:
        assert errors(record, context=context) == []


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"territory": "MA-04"}, "province, prefecture or commune"),
        ({"age": 30}, "age"),
        ({"max_referrals": 11}, "max_referrals"),
        ({"max_partners": -1}, "max_partners"),
        ({"child_headed": True, "with_kafala": True}, "kafala"),
        ({"body_kind": ()}, "kind"),
    ],
)
def test_case_files_refuse_knobs_that_clash(knobs: dict, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        ws.case_files(**knobs)
