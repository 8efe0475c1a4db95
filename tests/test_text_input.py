"""Text no store can keep, or no one can read, is refused where it comes in, with path and code.

What text may hold is one rule (:func:`wladna_core.model._checks.text_problem`): no lone
surrogate (``input.encoding``), no control character but tab and line breaks, no noncharacter
(``input.invalid_character``), and no line break or tab in a one-line field (``input.line_break``).
The converter refuses it in both its paths (cattrs and the generated fast paths, dictionaries and
JSON), and the model's validators refuse it in records built in Python, so that nothing reaches a
store that SQLite or PostgreSQL would fail on.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postgres import private_schema, server_url
from wladna_core import (
    Case,
    Child,
    Family,
    InvalidRecord,
    InvariantError,
    Referral,
    Sex,
    TerritorialBody,
    Territory,
)
from wladna_core.convert import MESSAGES, RecordConverter, dumps, loads, structure, unstructure
from wladna_core.messages import LANGUAGES
from wladna_core.model import Closure, ClosureReason, FollowUp, FollowUpKind, Identifier
from wladna_core.model._checks import text_problem
from wladna_core.model.enums import IdentifierScheme
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import ALLOW_RESET, open_store
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.storage import Store

FAST = RecordConverter()
PLAIN = RecordConverter(fast=False)
SALMA = {"sex": "female", "birth_date": "2015-03-02", "given_name": "Salma"}

RECORDS: dict[type, st.SearchStrategy[Any]] = {
    TerritorialBody: ws.territorial_bodies(),
    Child: ws.children(),
    Family: ws.families(),
    Case: ws.cases(),
    Referral: ws.referrals(),
    Territory: ws.territories(),
}

# Characters no text may hold: C0 controls but tab and line breaks, DEL, C1 controls,
# noncharacters, and the halves of surrogate pairs alone.
CONTROLS = [chr(code) for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
C1 = [chr(code) for code in range(0x7F, 0xA0)]
NONCHARACTERS = [chr(code) for code in range(0xFDD0, 0xFDF0)] + [
    chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF)
]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
forbidden = st.sampled_from(CONTROLS + C1 + NONCHARACTERS) | st.sampled_from(SURROGATES)
# What one-line fields refuse besides.
LINE_BREAKS = ["\t", "\n", "\r", "\u2028", "\u2029"]


def code_of(character: str) -> str:
    return "input.encoding" if character in SURROGATES else "input.invalid_character"


def json_path(place: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in place)


def text_leaves(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON-like value where text is."""
    if isinstance(value, str):
        return [prefix]
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(text_leaves(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(text_leaves(item, (*prefix, index)))
    return found


def replaced(data: Any, place: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(data)
    target = changed
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value
    return changed


def takes_free_text(record: object, name: str) -> bool:
    """Whether the field ``name`` of ``record`` holds free text (a word is a valid value)."""
    try:
        attrs.evolve(record, **{name: "Texte"})
    except (InvariantError, TypeError, ValueError):
        return False
    return True


def refusals(call: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as refused:
        call()
    return [(found.path, found.code) for found in refused.value.violations]


# The rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Sal\x00ma", ("input.invalid_character", "U+0000", 4)),
        ("\x1b[31mred", ("input.invalid_character", "U+001B", 1)),
        ("end\x7f", ("input.invalid_character", "U+007F", 4)),
        ("caf\x85", ("input.invalid_character", "U+0085", 4)),
        ("a\ufffe", ("input.invalid_character", "U+FFFE", 2)),
        ("a\U0010ffff", ("input.invalid_character", "U+10FFFF", 2)),
        ("a\ud83d", ("input.encoding", "U+D83D", 2)),
    ],
)
def test_text_problem_names_the_first_character_no_text_may_hold(
    text: str, found: tuple[str, str, int]
) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert (problem.code, problem.character, problem.position) == found


@pytest.mark.parametrize(
    "text",
    [
        "Salma Bennani",
        "سلمى بناني",  # Arabic
        "ⵙⴰⵍⵎⴰ",  # Tifinagh
        "\u200fسلمى\u200f (Salma)",  # right-to-left marks around Arabic in Latin text
        "لا\u200dم",  # zero width joiner
        "Cafe\u0301",  # decomposed (not NFC): kept as written
        "Fatima-Zahra 👧🏽",  # astral characters, emoji modifiers
        "\ue000",  # private use
    ],
)
def test_text_of_any_script_form_and_mark_is_accepted_as_written(text: str) -> None:
    assert text_problem(text, lines=False) is None
    child = structure({**SALMA, "nickname": text}, Child)
    assert child.nickname == text
    assert loads(dumps(child), Child) == child


@pytest.mark.parametrize("character", LINE_BREAKS)
def test_line_breaks_and_tabs_are_for_notes_not_one_line_fields(character: str) -> None:
    note = f"first{character}second"
    assert text_problem(note) is None
    problem = text_problem(note, lines=False)
    assert problem is not None
    assert (problem.code, problem.position) == ("input.line_break", 6)
    closure = Closure(date(2026, 1, 2), ClosureReason.GOALS_ACHIEVED, note=note)
    assert closure.note == note
    follow_up = FollowUp(date(2026, 1, 2), "worker", FollowUpKind.HOME_VISIT, note=note)
    assert loads(dumps(follow_up), FollowUp) == follow_up
    assert refusals(lambda: structure({**SALMA, "family_name": note}, Child)) == [
        ("$.family_name", "input.line_break")
    ]
    with pytest.raises(InvariantError) as refused:
        Identifier(IdentifierScheme.PASSPORT, f"AB{character}123")
    assert (refused.value.code, refused.value.field) == ("input.line_break", "value")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f\n"),
        ("residence", "MA-SAL\n"),
        ("nationality", "MA\n"),
    ],
)
def test_a_code_or_identifier_followed_by_a_line_feed_is_refused(field: str, value: str) -> None:
    assert len(refusals(lambda: structure({**SALMA, field: value}, Child))) == 1
    with pytest.raises(InvariantError):
        Child(Sex.FEMALE, date(2015, 3, 2), given_name="Salma", **{field: value})


def test_text_refused_is_said_with_the_character_and_where_it_is_in_three_languages() -> None:
    said = {
        lang: structure_refusal({**SALMA, "given_name": "Sal\x00ma"}, lang) for lang in LANGUAGES
    }
    assert said["en"] == (
        "$.given_name",
        "input.invalid_character",
        "given_name holds the character U+0000 at position 4, a control character or "
        "noncharacter that text may not hold.",
        "Remove it, or put a space in its place; such characters often come with text copied "
        "out of another program.",
    )
    assert said["fr"][2] == (
        "given_name contient le caractère U+0000 en position 4, un caractère de contrôle ou un "
        "non-caractère que le texte ne peut pas contenir."
    )
    assert "U+0000" in said["ar"][2]
    assert "4" in said["ar"][2]
    line = structure_refusal({**SALMA, "given_name": "Sal\nma"}, "en")
    assert line[2:] == (
        "given_name holds a line break or a tab (U+000A) at position 4; it is a one-line field.",
        "Write it on one line; put longer explanations in a note.",
    )


def structure_refusal(data: dict[str, Any], lang: str) -> tuple[str, str, str, str]:
    with pytest.raises(InvalidRecord) as refused:
        structure(data, Child, lang=lang)
    [found] = refused.value.violations
    assert "{" not in found.message + found.remedy
    return found.path, found.code, found.message, found.remedy


def test_a_record_built_in_python_says_the_same_through_the_converter() -> None:
    with pytest.raises(InvariantError) as built:
        Child(Sex.FEMALE, date(2015, 3, 2), given_name="Sal\x00ma")
    assert built.value.code == "input.invalid_character"
    assert built.value.field == "given_name"
    assert "U+0000" in built.value.message
    assert "position 4" in built.value.message
    assert set(MESSAGES) >= {"input.invalid_character", "input.line_break", "input.encoding"}


def test_json_escaping_a_lone_surrogate_is_refused_at_the_field_not_as_broken_json() -> None:
    text = '{"sex": "female", "birth_date": "2015-03-02", "given_name": "Sal\\ud800ma"}'
    for converter in (FAST, PLAIN):
        assert refusals(lambda converter=converter: converter.loads_record(text, Child)) == [
            ("$.given_name", "input.encoding")
        ]
    paired = text.replace("\\ud800", "\\ud83d\\udc67")
    assert loads(paired, Child).given_name == "Sal\U0001f467ma"


# Properties: any text anywhere in any record ----------------------------------------------------

_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(data=st.data())
def test_a_forbidden_character_anywhere_in_any_record_is_refused_at_its_path(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(list(RECORDS)), label="class")
    record = unstructure(data.draw(RECORDS[cls], label="record"))
    place = data.draw(st.sampled_from(text_leaves(record)), label="place")
    old = record
    for step in place:
        old = old[step]
    character = data.draw(forbidden, label="character")
    index = data.draw(st.integers(0, len(old)), label="index")
    changed = replaced(record, place, old[:index] + character + old[index:])
    text = json.dumps(changed)  # ASCII, with the character escaped
    for converter in (FAST, PLAIN):
        for call in (
            lambda converter=converter: converter.structure_record(changed, cls),
            lambda converter=converter: converter.loads_record(text, cls),
        ):
            found = refusals(call)
            # A code, an id or a date with the character is refused for its shape; free text
            # for the character.
            assert json_path(place) in [path for path, _ in found], found


@_PROPERTY
@given(data=st.data())
def test_a_forbidden_character_in_any_free_text_field_is_refused_with_its_code(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(list(RECORDS)), label="class")
    record = data.draw(RECORDS[cls], label="record")
    text_fields = [field.name for field in attrs.fields(cls) if takes_free_text(record, field.name)]
    if not text_fields:
        return
    name = data.draw(st.sampled_from(text_fields), label="field")
    character = data.draw(forbidden, label="character")
    value = f"Texte{character}"
    with pytest.raises(InvariantError) as built:
        attrs.evolve(record, **{name: value})
    assert (built.value.code, built.value.field) == (code_of(character), name)
    changed = {**unstructure(record), name: value}
    for converter in (FAST, PLAIN):
        assert refusals(lambda converter=converter: converter.structure_record(changed, cls)) == [
            (f"$.{name}", code_of(character))
        ]


# Stores keep exactly the text they are given ----------------------------------------------------


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    plugins = make_plugin_manager(load_entrypoints=False)
    if request.param == "postgresql":
        with (
            private_schema(server_url()) as url,
            open_store(url, plugins=plugins, settings={ALLOW_RESET: True}) as opened,
        ):
            yield opened
        return
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'text.db'}"
    with open_store(url, plugins=plugins, settings={ALLOW_RESET: True}) as opened:
        yield opened


one_line_characters = st.characters(exclude_categories=["Cs"]).filter(
    lambda character: text_problem(character, lines=False) is None
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    names=st.lists(
        st.text(one_line_characters, min_size=1, max_size=40).filter(str.strip),
        min_size=3,
        max_size=3,
    ),
    hostile=forbidden,
)
def test_a_store_keeps_any_text_allowed_exactly_and_never_sees_text_refused(
    store: Store, names: list[str], hostile: str
) -> None:
    given_name, family_name, nickname = names
    child = Child(
        Sex.FEMALE,
        date(2015, 3, 2),
        given_name=given_name,
        family_name=family_name,
        nickname=nickname,
    )
    with store.unit_of_work() as uow:
        saved = uow.children.add(child)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.children.get(saved.id) == saved
    data = {**unstructure(child), "nickname": nickname + hostile}
    assert refusals(lambda: structure(data, Child)) == [("$.nickname", code_of(hostile))]
