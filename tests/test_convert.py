"""The converter: records in and out of dictionaries and JSON, the one shape of a record."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core import (
    Case,
    Child,
    Family,
    FamilyMember,
    FunctionalDifficulty,
    Identifier,
    IdentifierScheme,
    InvalidRecord,
    ProtectionConcern,
    Relation,
    Schooling,
    Sex,
    TerritorialBody,
)
from wladna_core.convert import (
    RecordConverter,
    dumps,
    get_converter,
    loads,
    structure,
    unstructure,
)
from wladna_core.model._checks import text_problem
from wladna_core.model.enums import Difficulty, FunctionalDomain
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Callable

CHILD_ID = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"

RECORDS: dict[str, st.SearchStrategy[Any]] = {
    "territorial body": ws.territorial_bodies(),
    "child": ws.children(),
    "family": ws.families(),
    "case": ws.cases(),
    "referral": ws.referrals(),
    "territory": ws.territories(),
}

# Text of any script, with marks, format characters and emoji, on one line; never blank.
# (Control characters, lone surrogates, noncharacters and line breaks are refused: see
# tests/test_text_input.py.)
one_line = st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]).filter(
    lambda character: text_problem(character) is None
)
any_text = st.text(one_line, min_size=1, max_size=200).filter(str.strip)
optional_text = st.none() | any_text

children_with_any_text = st.builds(
    Child,
    sex=st.sampled_from(Sex),
    birth_date=st.dates(),
    given_name=any_text,
    family_name=optional_text,
    given_name_ar=optional_text,
    family_name_ar=optional_text,
    nickname=optional_text,
    unidentified=st.booleans(),
    birth_date_estimated=st.booleans(),
    nationality=st.none() | st.from_regex(r"\A[A-Z]{2}\Z"),
    identifiers=st.lists(
        st.builds(
            Identifier,
            scheme=st.sampled_from(IdentifierScheme),
            value=st.text(one_line, min_size=1, max_size=64).filter(str.strip),
            issuer=optional_text,
        ),
        max_size=4,
    ),
    birth_registered=st.none() | st.booleans(),
    residence=st.none() | st.sampled_from(["MA", "MA-04", "MA-SAL", "MA-SAL-0101"]),
    functional_difficulties=st.lists(
        st.builds(
            FunctionalDifficulty,
            domain=st.sampled_from(FunctionalDomain),
            degree=st.sampled_from(Difficulty),
        ),
        max_size=3,
    ),
    languages=st.lists(st.sampled_from(["ar", "ary", "zgh", "fr", "es", "en-GB"]), max_size=3),
    schooling=st.none() | st.sampled_from(Schooling),
    version=st.integers(min_value=0, max_value=2**70),
)

families_with_any_index = st.builds(
    Family,
    members=st.lists(
        st.builds(
            FamilyMember,
            relation=st.sampled_from(Relation),
            given_name=optional_text,
            birth_date=st.none() | st.dates(),
            caregiver=st.booleans(),
            alive=st.booleans(),
        ),
        max_size=5,
    ),
    socio_economic_index=st.none() | st.floats(allow_nan=False, allow_infinity=False),
)


def json_values(value: object) -> bool:
    """Whether ``value`` is made only of JSON's own types, with text keys."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(json_values(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and json_values(item) for key, item in value.items())
    return False


@pytest.mark.parametrize("kind", RECORDS)
@given(data=st.data())
def test_every_record_comes_back_equal_from_its_dictionary(kind: str, data: st.DataObject) -> None:
    record = data.draw(RECORDS[kind])
    assert structure(unstructure(record), type(record)) == record


@pytest.mark.parametrize("kind", RECORDS)
@given(data=st.data())
def test_every_record_comes_back_equal_from_its_json(kind: str, data: st.DataObject) -> None:
    record = data.draw(RECORDS[kind])
    assert loads(dumps(record), type(record)) == record


@given(children_with_any_text)
def test_children_with_text_in_any_script_come_back_equal(child: Child) -> None:
    assert structure(unstructure(child), Child) == child
    assert loads(dumps(child), Child) == child
    assert loads(dumps(child).decode("utf-8"), Child) == child


@given(families_with_any_index)
def test_families_with_any_finite_index_come_back_equal(family: Family) -> None:
    assert loads(dumps(family), Family) == family
    assert structure(unstructure(family), Family) == family


@pytest.mark.parametrize("kind", RECORDS)
@given(data=st.data())
def test_unstructure_gives_only_json_values(kind: str, data: st.DataObject) -> None:
    assert json_values(unstructure(data.draw(RECORDS[kind])))


@pytest.mark.parametrize("kind", RECORDS)
@given(data=st.data())
def test_dumps_writes_exactly_what_unstructure_gives(kind: str, data: st.DataObject) -> None:
    record = data.draw(RECORDS[kind])
    assert json.loads(dumps(record)) == unstructure(record)


def keys_in_field_order(record: object, data: object) -> bool:
    """Whether ``data`` has the keys of ``record``'s fields in order, at every level."""
    if not attrs.has(type(record)):
        return True
    assert isinstance(data, dict)
    fields = attrs.fields(type(record))
    if list(data) != [field.name for field in fields]:
        return False
    for field in fields:
        value = getattr(record, field.name)
        if isinstance(value, tuple):
            if not all(map(keys_in_field_order, value, data[field.name])):
                return False
        elif not keys_in_field_order(value, data[field.name]):
            return False
    return True


@pytest.mark.parametrize("kind", RECORDS)
@given(data=st.data())
def test_every_field_is_written_in_the_order_of_its_class(kind: str, data: st.DataObject) -> None:
    record = data.draw(RECORDS[kind])
    assert keys_in_field_order(record, unstructure(record))
    assert keys_in_field_order(record, json.loads(dumps(record)))


def salma() -> Child:
    return Child(
        sex=Sex.FEMALE,
        birth_date=date(2015, 3, 2),
        given_name="Salma",
        given_name_ar="سلمى",
        identifiers=(Identifier(IdentifierScheme.IDCS, "1234567890"),),
        languages=("ary", "fr"),
        id=CHILD_ID,
    )


def test_dumps_writes_compact_utf8_with_every_key_in_field_order() -> None:
    expected = (
        '{"sex":"female","birth_date":"2015-03-02","given_name":"Salma","family_name":null,'
        '"given_name_ar":"سلمى","family_name_ar":null,"nickname":null,"unidentified":false,'
        '"birth_date_estimated":false,"nationality":null,'
        '"identifiers":[{"scheme":"idcs","value":"1234567890","issuer":null}],'
        '"birth_registered":null,"residence":null,"functional_difficulties":[],'
        '"languages":["ary","fr"],"schooling":null,"merged_into":null,'
        f'"id":"{CHILD_ID}","version":0}}'
    )
    assert dumps(salma()) == expected.encode("utf-8")


def test_unstructure_gives_dates_as_iso_text_members_as_values_and_tuples_as_lists() -> None:
    data = unstructure(salma())
    assert data["birth_date"] == "2015-03-02"
    assert data["sex"] == "female"
    assert type(data["sex"]) is str
    assert data["identifiers"] == [{"scheme": "idcs", "value": "1234567890", "issuer": None}]
    assert data["languages"] == ["ary", "fr"]


@given(ws.cases(), st.permutations(list(ProtectionConcern)), st.integers(min_value=0, max_value=5))
def test_sets_are_written_as_sorted_lists_whatever_their_history(
    case: Case, order: list[ProtectionConcern], count: int
) -> None:
    built = attrs.evolve(case, concerns=frozenset(order[:count]))
    again = attrs.evolve(case, concerns=frozenset(reversed(order[:count])))
    assert unstructure(built)["concerns"] == sorted(concern.value for concern in order[:count])
    assert dumps(built) == dumps(again)


def test_structure_reads_lists_into_tuples_and_accepts_python_tuples() -> None:
    data = unstructure(salma())
    data["languages"] = ("ary", "fr")
    child = structure(data, Child)
    assert child.languages == ("ary", "fr")
    assert type(child.identifiers) is tuple


@given(ws.territorial_bodies())
def test_structure_reads_a_list_into_a_set_whatever_the_repeats(body: TerritorialBody) -> None:
    written = unstructure(body)
    written["services"] = [*reversed(written["services"]), *written["services"]]
    assert structure(written, TerritorialBody) == body


def test_fields_left_out_take_their_defaults_and_a_new_record_gets_a_new_id() -> None:
    first = structure({"sex": "female", "birth_date": "2015-03-02", "given_name": "Salma"}, Child)
    second = structure({"sex": "female", "birth_date": "2015-03-02", "given_name": "Salma"}, Child)
    assert first.languages == ()
    assert first.version == 0
    assert first.unidentified is False
    assert first.id != second.id


def test_a_whole_number_is_read_as_a_number_where_a_number_is_expected() -> None:
    family = structure({"socio_economic_index": 3}, Family)
    assert family.socio_economic_index == 3.0
    assert type(family.socio_economic_index) is float


def test_text_given_as_a_subclass_of_str_is_read_as_plain_text() -> None:
    child = structure(
        {"sex": "female", "birth_date": "2015-03-02", "given_name": Sex.FEMALE}, Child
    )
    assert type(child.given_name) is str
    assert child.given_name == "female"


def test_loads_reads_utf8_bytes_and_text_with_or_without_a_byte_order_mark() -> None:
    text = dumps(salma()).decode("utf-8")
    assert loads(text, Child) == salma()
    assert loads("\ufeff" + text, Child) == salma()
    assert loads(b"\xef\xbb\xbf" + text.encode("utf-8"), Child) == salma()
    assert loads(bytearray(text.encode("utf-8")), Child) == salma()


@pytest.mark.parametrize(
    "call",
    [
        lambda: structure({}, Child, lang="de"),
        lambda: loads(b"{}", Child, lang="english"),
    ],
)
def test_an_unknown_language_is_refused_before_anything_is_read(call: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        call()


@pytest.mark.parametrize(
    "not_a_record", [{"sex": "female"}, [1, 2], "Salma", None, date(2026, 1, 5)]
)
def test_unstructure_and_dumps_take_only_records(not_a_record: object) -> None:
    with pytest.raises(TypeError, match="takes a record"):
        unstructure(not_a_record)
    with pytest.raises(TypeError, match="takes a record"):
        dumps(not_a_record)


@attrs.frozen
class PluginNote:
    """A plug-in's record class, whose text field has no validator."""

    text: str


def test_a_record_holding_text_json_cannot_carry_is_refused_when_written() -> None:
    # The model's own records refuse such text when they are built (tests/test_text_input.py).
    with pytest.raises(InvalidRecord) as refused:
        dumps(PluginNote("\ud800"))
    assert [(v.path, v.code) for v in refused.value.violations] == [("$.text", "input.encoding")]


def test_get_converter_is_the_converter_behind_the_functions() -> None:
    converter = get_converter()
    assert converter is get_converter()
    assert isinstance(converter, cattrs.Converter)
    data = unstructure(salma())
    assert converter.structure_record(data, Child) == structure(data, Child)
    assert converter.unstructure_record(salma()) == data
    assert converter.dumps_record(salma()) == dumps(salma())
    assert converter.loads_record(dumps(salma()), Child) == salma()


@attrs.frozen
class Badge:
    """A plug-in's own value type, written as text like ``B-12``."""

    number: int


@attrs.frozen
class Visit:
    """A plug-in's own record, with a field of a type the library does not know."""

    on: date
    badge: Badge
    note: str = attrs.field(default="", validator=attrs.validators.max_len(10))


def badge_from_text(value: object, _type: object) -> Badge:
    if not isinstance(value, str) or not value.startswith("B-"):
        raise ValueError(value)
    return Badge(int(value[2:]))


def test_a_plugin_hook_structures_its_own_type_in_both_paths() -> None:
    for fast in (True, False):
        converter = RecordConverter(fast=fast)
        converter.register_structure_hook(Badge, badge_from_text)
        converter.register_unstructure_hook(Badge, lambda badge: f"B-{badge.number}")
        visit = converter.structure_record({"on": "2026-01-05", "badge": "B-12"}, Visit)
        assert visit == Visit(date(2026, 1, 5), Badge(12))
        assert converter.dumps_record(visit) == b'{"on":"2026-01-05","badge":"B-12","note":""}'
        assert converter.loads_record(b'{"on":"2026-01-05","badge":"B-12"}', Visit) == visit
        with pytest.raises(InvalidRecord) as refused:
            converter.structure_record({"on": "2026-01-05", "badge": "12", "note": "x" * 11}, Visit)
        assert [(v.path, v.code) for v in refused.value.violations] == [
            ("$.badge", "input.invalid"),
            ("$.note", "input.invalid"),
        ]


def test_a_hook_registered_after_use_takes_effect_at_once() -> None:
    converter = RecordConverter()
    converter.register_structure_hook(Badge, badge_from_text)
    data = {"on": "2026-01-05", "badge": "B-12", "note": ""}
    assert converter.structure_record(data, Visit).badge == Badge(12)
    converter.register_structure_hook(Badge, lambda value, _type: Badge(len(value)))
    assert converter.structure_record(data, Visit).badge == Badge(4)


def test_hooks_registered_on_a_converter_of_ones_own_stay_there() -> None:
    converter = RecordConverter()
    converter.register_structure_hook(Badge, badge_from_text)
    assert converter.structure_record({"on": "2026-01-05", "badge": "B-12"}, Visit)
    with pytest.raises(InvalidRecord) as refused:
        structure({"on": "2026-01-05", "badge": "B-12"}, Visit)
    assert [(v.path, v.code) for v in refused.value.violations] == [("$.badge", "input.not_object")]


def test_a_copy_keeps_the_plugin_hooks_and_has_its_own() -> None:
    converter = RecordConverter(fast=False)
    converter.register_structure_hook(Badge, badge_from_text)
    copy = converter.copy()
    assert isinstance(copy, RecordConverter)
    data = {"on": "2026-01-05", "badge": "B-12"}
    assert copy.structure_record(data, Visit) == converter.structure_record(data, Visit)
    copy.register_structure_hook(Badge, lambda value, _type: Badge(len(value)))
    assert copy.structure_record(data, Visit).badge == Badge(4)
    assert converter.structure_record(data, Visit).badge == Badge(12)
    wrong = {"sex": "femme", "birth_date": 20150302, "given_name": "Salma"}
    with pytest.raises(InvalidRecord) as by_copy:
        copy.structure_record(wrong, Child)
    with pytest.raises(InvalidRecord) as by_original:
        converter.structure_record(wrong, Child)
    assert by_copy.value.violations == by_original.value.violations
