"""What the converter says about bad input: codes, paths and the exact words, in three languages."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import wladna_core
from wladna_core import (
    Case,
    Child,
    Gazetteer,
    InvalidRecord,
    InvariantError,
    Referral,
    Severity,
    Territory,
    TerritoryLevel,
)
from wladna_core.convert import MESSAGES, loads, structure
from wladna_core.convert._report import problems, violation
from wladna_core.messages import LANGUAGES
from wladna_core.model import DuplicatePair, TerritorialBody

SALMA = {"sex": "female", "birth_date": "2015-03-02", "given_name": "Salma"}
CHILD_ID = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"
BODY_ID = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20"


def refusal(data: object, cls: type = Child, lang: str = "en") -> InvalidRecord:
    with pytest.raises(InvalidRecord) as refused:
        structure(data, cls, lang=lang)
    return refused.value


def found(error: InvalidRecord) -> list[tuple[str, str, str]]:
    return [(v.path, v.code, v.message) for v in error.violations]


def test_a_missing_key_is_named_with_its_path() -> None:
    error = refusal({"sex": "female", "given_name": "Salma"})
    assert found(error) == [
        ("$.birth_date", "input.missing", "The required field birth_date is missing.")
    ]
    assert error.violations[0].remedy == "Add birth_date to the record."
    assert error.record_type == "Child"


def test_unknown_keys_are_refused_each_with_its_path() -> None:
    error = refusal({**SALMA, "sexe": "f", "first name": "S", 3: "x"})
    assert found(error) == [
        ('$["first name"]', "input.unknown_key", '"first name" is not a field of Child.'),
        ("$.sexe", "input.unknown_key", '"sexe" is not a field of Child.'),
        ("$[3]", "input.unknown_key", "3 is not a field of Child."),
    ]


def test_a_date_that_does_not_exist_is_refused() -> None:
    error = refusal({**SALMA, "birth_date": "2024-02-30"})
    assert found(error) == [
        ("$.birth_date", "input.date", "birth_date is not a valid date written YYYY-MM-DD.")
    ]
    assert error.violations[0].remedy == (
        "Write the date as year-month-day, e.g. 2024-02-29, with a day that exists in that month."
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("20150302", "input.date"),
        ("2015-W10-1", "input.date"),
        ("2015-03-02T00:00:00", "input.date"),
        ("2015-3-2", "input.date"),
        ("٢٠١٥-٠٣-٠٢", "input.date"),
        (" 2015-03-02", "input.date"),
        (20150302, "input.type"),
        (None, "input.type"),
        ({"year": 2015}, "input.type"),
    ],
)
def test_a_date_is_read_only_as_yyyy_mm_dd_text(value: object, code: str) -> None:
    error = refusal({**SALMA, "birth_date": value})
    assert [(v.path, v.code) for v in error.violations] == [("$.birth_date", code)]


def test_an_unknown_code_is_refused_with_the_codes_allowed() -> None:
    error = refusal({**SALMA, "sex": "femme"})
    assert found(error) == [("$.sex", "input.enum", "sex must be one of: female, male.")]
    assert error.violations[0].remedy == "Use one of these codes exactly as written."


@pytest.mark.parametrize(
    ("value", "got"),
    [("1", "text"), (1, "a number"), (0, "a number"), ("true", "text"), (None, "null")],
)
def test_a_boolean_is_only_true_or_false(value: object, got: str) -> None:
    error = refusal({**SALMA, "unidentified": value})
    assert found(error) == [
        ("$.unidentified", "input.type", f"unidentified must be true or false, got {got}.")
    ]


@pytest.mark.parametrize(
    ("value", "got"), [(True, "true or false"), (1.0, "a number"), ("1", "text")]
)
def test_a_whole_number_is_not_a_boolean_a_float_or_text(value: object, got: str) -> None:
    error = refusal({**SALMA, "version": value})
    assert found(error) == [
        ("$.version", "input.type", f"version must be a whole number, got {got}.")
    ]


@pytest.mark.parametrize(
    ("value", "got"), [(7, "a number"), (["Salma"], "a list"), (True, "true or false")]
)
def test_text_is_only_a_json_string(value: object, got: str) -> None:
    error = refusal({**SALMA, "given_name": value})
    assert found(error) == [("$.given_name", "input.type", f"given_name must be text, got {got}.")]


def test_a_wrong_value_deep_in_a_list_is_named_with_its_index() -> None:
    error = refusal(
        {
            **SALMA,
            "identifiers": [
                {"scheme": "idcs", "value": "1234567890"},
                {"scheme": "CIN", "value": "AB123456"},
            ],
        }
    )
    assert found(error) == [
        (
            "$.identifiers[1].scheme",
            "input.enum",
            "scheme must be one of: idcs, cnie, passport, civil_status_act, other.",
        )
    ]


def test_a_megabyte_of_text_is_refused_without_being_repeated() -> None:
    error = refusal({**SALMA, "given_name": "x" * 1_048_576})
    assert found(error) == [
        (
            "$.given_name",
            "input.too_long",
            "given_name has 1048576 characters; at most 200 are allowed.",
        )
    ]
    assert error.violations[0].remedy == "Shorten it to 200 characters or fewer."
    assert len(str(error)) < 400


@pytest.mark.parametrize(("data", "got"), [([SALMA], "a list"), (None, "null"), ("Salma", "text")])
def test_a_record_must_be_an_object(data: object, got: str) -> None:
    error = refusal(data)
    assert found(error) == [
        ("$", "input.not_object", f"Child must be an object with named fields, got {got}.")
    ]
    assert error.violations[0].remedy == "Give an object with the fields of Child."


def test_none_where_an_object_is_needed_is_refused() -> None:
    data = {
        "child_id": CHILD_ID,
        "body_id": BODY_ID,
        "territory": "MA-SAL",
        "opened_on": "2025-01-10",
        "identification": None,
    }
    error = refusal(data, Case)
    assert found(error) == [
        (
            "$.identification",
            "input.not_object",
            "identification must be an object with named fields, got null.",
        )
    ]


def deeply_nested(depth: int) -> list[Any]:
    outer: list[Any] = []
    inner = outer
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return outer


def test_deeply_nested_garbage_is_refused_where_it_starts() -> None:
    error = refusal({**SALMA, "identifiers": deeply_nested(100_000), "languages": {"a": {"b": []}}})
    assert found(error) == [
        (
            "$.identifiers[0]",
            "input.not_object",
            "identifiers[0] must be an object with named fields, got a list.",
        ),
        ("$.languages", "input.type", "languages must be a list, got an object."),
    ]


def test_every_problem_of_a_record_is_reported_at_once() -> None:
    error = refusal(
        {
            "sex": "F",
            "given_name": "  ",
            "family_name": "y" * 300,
            "nationality": "maroc",
            "languages": ["ar", 5],
            "version": -1,
            "id": CHILD_ID,
            "age": 9,
        }
    )
    assert [(v.path, v.code) for v in error.violations] == [
        ("$.sex", "input.enum"),
        ("$.birth_date", "input.missing"),
        ("$.given_name", "input.blank"),
        ("$.family_name", "input.too_long"),
        ("$.nationality", "input.country_code"),
        ("$.languages[1]", "input.type"),
        ("$.version", "input.negative"),
        ("$.age", "input.unknown_key"),
    ]
    assert {v.record for v in error.violations} == {f"Child {CHILD_ID}"}
    assert {v.severity for v in error.violations} == {Severity.ERROR}


def a_case(**changes: Any) -> dict[str, Any]:
    return {
        "child_id": CHILD_ID,
        "body_id": BODY_ID,
        "territory": "MA-SAL",
        "opened_on": "2025-01-10",
        "identification": {"source": "school", "on": "2025-01-09"},
        **changes,
    }


def test_problems_in_nested_records_carry_their_whole_path() -> None:
    error = refusal(
        a_case(
            plan={
                "drawn_up_on": "2025-01-20",
                "review_on": "2025-01-01",
                "goals": [
                    {"description": "Inscrire à l'école", "responsible": "A", "due": "2025-13-01"},
                    {"description": "", "responsible": "A", "due": "2025-03-01", "extra": 1},
                ],
            }
        ),
        Case,
    )
    assert found(error) == [
        ("$.plan.goals[0].due", "input.date", "due is not a valid date written YYYY-MM-DD."),
        ("$.plan.goals[1].description", "input.blank", "description must not be blank."),
        ("$.plan.goals[1].extra", "input.unknown_key", '"extra" is not a field of Goal.'),
        (
            "$.plan.review_on",
            "plan.review_before_plan",
            "The plan's review date (2025-01-01) is before the plan was drawn up (2025-01-20).",
        ),
    ]


def test_an_invariant_across_fields_is_reported_at_the_field_it_names() -> None:
    error = refusal(a_case(assessment={"on": "2025-01-05", "by": "Amina", "risk": "high"}), Case)
    assert found(error) == [
        (
            "$.assessment.on",
            "case.date_before_opening",
            "assessment.on (2025-01-05) is before the case was opened (2025-01-10).",
        )
    ]
    assert error.violations[0].remedy == (
        "Correct this date or opened_on: nothing happens in a case before it is opened."
    )


def test_an_identified_child_without_a_name_is_refused() -> None:
    error = refusal({"sex": "male", "birth_date": "2015-03-02"})
    assert found(error) == [
        (
            "$.given_name",
            "child.name_missing",
            "An identified child needs a given name (given_name or given_name_ar).",
        )
    ]


def test_unknown_keys_and_an_invariant_are_reported_together() -> None:
    error = refusal({"sex": "male", "birth_date": "2015-03-02", "surname": "Alaoui"})
    assert [(v.path, v.code) for v in error.violations] == [
        ("$.given_name", "child.name_missing"),
        ("$.surname", "input.unknown_key"),
    ]


def test_messages_are_given_in_french() -> None:
    error = refusal({**SALMA, "sex": "femme", "birth_date": "2024-02-30"}, lang="fr")
    assert [(v.message, v.remedy) for v in error.violations] == [
        (
            "sex doit être l'une de ces valeurs : female, male.",
            "Employez l'un de ces codes tel qu'il est écrit.",
        ),
        (
            "birth_date n'est pas une date valide écrite AAAA-MM-JJ.",
            "Écrivez la date sous la forme année-mois-jour, par exemple 2024-02-29, avec un jour "
            "qui existe dans ce mois.",
        ),
    ]


def test_messages_are_given_in_arabic() -> None:
    error = refusal({**SALMA, "unidentified": "1"}, lang="ar")
    assert [(v.path, v.code, v.message, v.remedy) for v in error.violations] == [
        (
            "$.unidentified",
            "input.type",
            "يجب أن يكون unidentified من نوع: قيمة منطقية (true/false)، والقيمة المقدَّمة: نص.",
            "ضع مكانه قيمة من نوع: قيمة منطقية (true/false).",
        )
    ]


def test_an_invariant_is_put_in_french_with_its_dates() -> None:
    error = refusal(
        a_case(assessment={"on": "2025-01-05", "by": "Amina", "risk": "high"}), Case, lang="fr"
    )
    assert [v.message for v in error.violations] == [
        "assessment.on (2025-01-05) précède l'ouverture du dossier (2025-01-10)."
    ]


def json_refusal(data: bytes | str, lang: str = "en") -> InvalidRecord:
    with pytest.raises(InvalidRecord) as refused:
        loads(data, Child, lang=lang)
    return refused.value


def test_text_that_is_not_json_is_refused_with_the_line_and_column() -> None:
    error = json_refusal(b'{"sex": "female",\n "birth_date": }')
    assert found(error) == [
        (
            "$",
            "input.json",
            "The text is not valid JSON at line 2, column 16: invalid character.",
        )
    ]
    assert error.violations[0].remedy == (
        "Correct the JSON there: quotes, commas and brackets must match."
    )
    french = json_refusal(b'{"sex": "female",\n "birth_date": }', lang="fr")
    assert french.violations[0].message == (
        "Le texte n'est pas du JSON valide à la ligne 2, colonne 16 : invalid character."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The text is not valid JSON at line 1, column 1: Input data was truncated."),
        (
            b'{"sex": "f\xc3',
            "The text is not valid JSON at line 1, column 12: Input data was truncated.",
        ),
        (b"[" * 100_000, "The text is not valid JSON: the data is nested too deeply."),
        (b'{"sex": NaN}', "The text is not valid JSON at line 1, column 9: invalid character."),
        (b'{"version": 1e400}', "The text is not valid JSON: Number out of range."),
        (
            b'{"sex": "female",\n "given_name": "Sa\xffma"}',
            "The text is not valid JSON at line 2, column 19: the text is not valid UTF-8.",
        ),
        (
            b'\xef\xbb\xbf{"sex": }',
            "The text is not valid JSON at line 1, column 9: invalid character.",
        ),
    ],
)
def test_any_text_that_is_not_json_gives_one_json_violation(
    data: bytes | str, message: str
) -> None:
    assert found(json_refusal(data)) == [("$", "input.json", message)]


def test_json_that_is_not_a_child_is_refused_like_a_dictionary() -> None:
    error = json_refusal(b'{"sex": "femme", "birth_date": "2024-02-30", "given_name": "S"}')
    assert [(v.path, v.code) for v in error.violations] == [
        ("$.sex", "input.enum"),
        ("$.birth_date", "input.date"),
    ]


def test_loads_refuses_what_is_not_text_as_json() -> None:
    error = json_refusal(None)  # type: ignore[arg-type]
    assert found(error) == [
        ("$", "input.json", "The text is not valid JSON: expected JSON text, got NoneType.")
    ]


def test_a_referral_to_a_body_without_the_body_is_refused() -> None:
    data = {
        "case_id": CHILD_ID,
        "from_body": BODY_ID,
        "target": {"kind": "body"},
        "service": "medical",
        "made_on": "2025-02-01",
        "response_due": "2025-01-01",
    }
    error = refusal(data, Referral)
    assert found(error) == [
        (
            "$.target.body_id",
            "referral.target_body",
            "A referral to a body names body_id, and only such a referral does.",
        ),
        (
            "$.response_due",
            "referral.due_before_made",
            "The response is due on 2025-01-01, before the referral was made on 2025-02-01.",
        ),
    ]


# The catalogue ------------------------------------------------------------------------------


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_is_a_sentence_in_three_languages_with_the_same_fields(code: str) -> None:
    for text in (MESSAGES[code].message, MESSAGES[code].remedy):
        english = fields(text.en)
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template == template.strip()
            assert template.endswith(".")
            assert fields(template) == english, f"{code}: {lang} names other fields"
        assert text.fr != text.en
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 3
        latin_words = [
            word
            for word in text.ar.split()
            if word.isascii() and word.isalpha() and not word.isupper()
        ]
        assert not latin_words, f"{code}: Latin words in Arabic text {latin_words}"


def invariant_codes() -> set[str]:
    """Every code the model's invariants raise, read from the model's source."""
    codes: set[str] = set()
    model = Path(wladna_core.__file__).parent / "model"
    for path in model.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = {"InvariantError": 0, "not_before": 1}.get(str(name))
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    codes.add(argument.value)
    return codes


def test_every_invariant_of_the_model_has_a_message() -> None:
    codes = invariant_codes()
    assert "child.name_missing" in codes
    assert "plan.review_before_plan" in codes
    assert codes - set(MESSAGES) == set()


CLOSURE_ASKED: dict[str, Any] = {
    "requested_by": "W",
    "requested_on": "2025-01-20",
    "reason": "other",
}
INVARIANT_INPUTS: list[tuple[type, dict[str, Any]]] = [
    (Child, {**SALMA, "family_name": "y" * 201}),
    (Child, {**SALMA, "languages": ["ar"] * 21}),
    (Child, {**SALMA, "nickname": " "}),
    (Child, {**SALMA, "residence": "Salé"}),
    (Child, {**SALMA, "id": "42"}),
    (Child, {**SALMA, "languages": ["Arabic"]}),
    (Child, {**SALMA, "version": -3}),
    (Child, {**SALMA, "nationality": "maroc"}),
    (Child, {"sex": "male", "birth_date": "2015-03-02"}),
    (Case, a_case(consent={"recorded_on": "2025-01-10", "services": True})),
    (Case, a_case(plan={"drawn_up_on": "2025-01-20", "review_on": "2025-01-02"})),
    (Case, a_case(plan={"drawn_up_on": "2025-01-20", "approval": {"by": "B", "on": "2025-01-19"}})),
    (Case, a_case(closure={"on": "2025-01-01"})),
    (Case, a_case(identification={"source": "school", "on": "2025-01-11"})),
    (Case, a_case(id=CHILD_ID, duplicate_of=CHILD_ID)),
    (
        Case,
        a_case(consent_withdrawals=[{"on": "2025-01-20", "recorded_by": "W", "sharing": False}]),
    ),
    (Case, a_case(closure_requests=[{**CLOSURE_ASKED, "approved": True}])),
    (
        Case,
        a_case(
            closure_requests=[
                {**CLOSURE_ASKED, "decided_by": "S", "decided_on": "2025-01-19", "approved": True}
            ]
        ),
    ),
    (
        Case,
        a_case(
            closure_requests=[
                {**CLOSURE_ASKED, "decided_by": "S", "decided_on": "2025-01-21", "approved": False}
            ]
        ),
    ),
    (Case, a_case(closure_requests=[CLOSURE_ASKED, CLOSURE_ASKED])),
    (
        Referral,
        {
            "case_id": CHILD_ID,
            "from_body": BODY_ID,
            "target": {"kind": "judicial", "programme": "asd"},
            "service": "legal_aid",
            "made_on": "2025-02-01",
        },
    ),
    (
        Referral,
        {
            "case_id": CHILD_ID,
            "from_body": BODY_ID,
            "target": {"kind": "body"},
            "service": "legal_aid",
            "made_on": "2025-02-01",
        },
    ),
    (
        Referral,
        {
            "case_id": CHILD_ID,
            "from_body": BODY_ID,
            "target": {"kind": "judicial"},
            "service": "legal_aid",
            "made_on": "2025-02-01",
            "response_due": "2025-01-31",
        },
    ),
    (
        Referral,
        {
            "case_id": CHILD_ID,
            "from_body": BODY_ID,
            "target": {"kind": "judicial"},
            "service": "legal_aid",
            "made_on": "2025-02-01",
            "responded_on": "2025-01-31",
        },
    ),
    (
        Referral,
        {
            "case_id": CHILD_ID,
            "from_body": BODY_ID,
            "target": {"kind": "judicial"},
            "service": "legal_aid",
            "made_on": "2025-02-01",
            "closed_on": "2025-01-31",
        },
    ),
    (Child, {**SALMA, "id": CHILD_ID, "merged_into": CHILD_ID}),
    (
        DuplicatePair,
        {
            "child_id": CHILD_ID,
            "other_id": CHILD_ID,
            "body_id": BODY_ID,
            "score": 0.9,
            "proposed_on": "2026-01-05",
        },
    ),
    (
        DuplicatePair,
        {
            "child_id": CHILD_ID,
            "other_id": BODY_ID,
            "body_id": BODY_ID,
            "score": 0.9,
            "proposed_on": "2026-01-05",
            "kept_id": "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e21",
        },
    ),
    (
        TerritorialBody,
        {"name": "UPE Salé", "kind": "upe", "territory": "MA-SAL", "secretariat_of": BODY_ID},
    ),
    (Territory, {"code": "MA-14", "level": "region", "name_fr": "Ancienne", "parent": "MA"}),
    (Territory, {"code": "MA", "level": "country", "name_fr": "Maroc", "parent": "MA-01"}),
    (Territory, {"code": "MA-SAL", "level": "province", "name_fr": "Salé"}),
]


@pytest.mark.parametrize(("cls", "data"), INVARIANT_INPUTS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_invariant_is_said_with_its_own_values_in_every_language(
    cls: type, data: dict[str, Any], lang: str
) -> None:
    error = refusal(data, cls, lang=lang)
    assert len(error.violations) == 1
    found_one = error.violations[0]
    assert found_one.code in MESSAGES
    assert "{" not in found_one.message + found_one.remedy
    assert found_one.message == found_one.message.strip()


def test_the_invariants_triggered_cover_every_invariant_a_record_can_break() -> None:
    triggered = {refusal(data, cls).violations[0].code for cls, data in INVARIANT_INPUTS}
    gazetteer_only = {"territory.duplicate", "territory.parent_unknown", "territory.cycle"}
    assert invariant_codes() - triggered == gazetteer_only | {"territory.data", "input.not_finite"}


@pytest.mark.parametrize(
    ("territories", "message"),
    [
        (
            [("MA", TerritoryLevel.COUNTRY, None), ("MA", TerritoryLevel.COUNTRY, None)],
            "Le code de territoire MA apparaît plus d'une fois.",
        ),
        (
            [("MA-04", TerritoryLevel.REGION, "MA")],
            "Le territoire MA-04 se trouve dans MA, absent du répertoire.",
        ),
        (
            [("MA-01", TerritoryLevel.REGION, "MA-02"), ("MA-02", TerritoryLevel.REGION, "MA-01")],
            "Les territoires 'MA-01' -> 'MA-02' -> 'MA-01' forment un cycle de parents.",
        ),
    ],
)
def test_the_invariants_of_a_gazetteer_are_said_with_their_codes(
    territories: list[tuple[str, TerritoryLevel, str | None]], message: str
) -> None:
    with pytest.raises(InvariantError) as raised:
        Gazetteer(
            Territory(code, level, "Nom", parent=parent) for code, level, parent in territories
        )
    [problem] = problems(raised.value, Territory)
    assert violation(problem, "fr", None).message == message


def test_a_code_without_a_catalogued_message_keeps_the_invariants_own_words() -> None:
    error = InvariantError("plugin.rule", "the plug-in's own words", "note")
    [problem] = problems(error, Territory)
    said = violation(problem, "ar", "Territory MA")
    assert (said.path, said.code, said.message, said.record) == (
        "$.note",
        "plugin.rule",
        "the plug-in's own words",
        "Territory MA",
    )


def test_no_message_repeats_a_value_of_the_record() -> None:
    secret = "Fatima-Zahra Bennani"
    error = refusal({**SALMA, "sex": secret, "unidentified": secret, "birth_date": secret})
    assert not re.search(secret, str(error))
