"""Messages of the built-in rules: three languages, the same fields, the exact words."""

from __future__ import annotations

import string
import unicodedata

import pytest

from wladna_core.messages import LANGUAGES, Text, render
from wladna_core.rules import Rule, RuleSet, catalogue

RULES = catalogue()


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def texts(item: Rule) -> dict[str, Text]:
    return {"message": item.message.message, "remedy": item.message.remedy}


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.code)
def test_every_rule_has_a_message_and_a_remedy_in_english_french_and_arabic(item: Rule) -> None:
    for part, text in texts(item).items():
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template.strip(), f"{item.code} {part} is empty in {lang}"
            assert template == template.strip(), f"{item.code} {part} has stray spaces in {lang}"
            assert template[-1] in ".!", f"{item.code} {part} in {lang} is not a sentence"


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.code)
def test_every_rule_uses_the_same_fields_in_all_three_languages(item: Rule) -> None:
    for part, text in texts(item).items():
        english = fields(text.en)
        assert fields(text.fr) == english, f"{item.code} {part}: French fields differ"
        assert fields(text.ar) == english, f"{item.code} {part}: Arabic fields differ"


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.code)
def test_every_rule_is_translated_rather_than_copied(item: Rule) -> None:
    for text in texts(item).values():
        assert text.fr != text.en
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 3
        # Acronyms (ISO, CNIE) and codes stay in Latin script; words do not.
        latin_words = [
            word
            for word in text.ar.split()
            if word.isascii() and word.isalpha() and not word.isupper()
        ]
        assert not latin_words, f"{item.code}: Latin words in Arabic text {latin_words}"


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.code)
def test_every_rule_has_a_one_line_english_description(item: Rule) -> None:
    assert item.description.endswith(".")
    assert "\n" not in item.description
    assert item.description[0].isupper()


@pytest.mark.parametrize(
    ("code", "params", "message", "remedy"),
    [
        (
            "child.adult",
            {"age": 18, "opened_on": "2026-03-02"},
            "The child is 18 years old on the day the case was opened (2026-03-02); a case is "
            "for a child under 18.",
            "Check the child's birth date and the opening date; a person aged 18 or over is "
            "directed to services for adults.",
        ),
        (
            "referral.consent_missing",
            {},
            "The referral has neither consent to services and to sharing nor an authorised "
            "override.",
            "Record consent to services and to sharing information, or an override with its "
            "reason and justification, authorised by a supervisor.",
        ),
        (
            "family.kafala_without_decision",
            {},
            "A member recorded as kafil or kafila has no judicial kafala decision.",
            "Record the court, reference and date of the kafala decision; without one, record "
            "the member's actual relation to the child.",
        ),
        (
            "case.closure_reason_missing",
            {},
            "The case is closed without a closure reason.",
            "Record the date and the reason the case was closed (goals achieved, risk resolved, "
            "majority reached...).",
        ),
    ],
)
def test_english_messages_say_exactly_this(
    code: str, params: dict[str, object], message: str, remedy: str
) -> None:
    item = RuleSet.builtin()[code]
    assert render(item.message, "en", params) == (message, remedy)


def test_french_message_of_child_adult() -> None:
    item = RuleSet.builtin()["child.adult"]
    message, _ = render(item.message, "fr", {"age": 19, "opened_on": "2026-03-02"})
    assert message == (
        "L'enfant a 19 ans le jour de l'ouverture du dossier (2026-03-02) ; un dossier concerne "
        "un enfant de moins de 18 ans."
    )


def test_arabic_message_of_child_adult() -> None:
    item = RuleSet.builtin()["child.adult"]
    message, _ = render(item.message, "ar", {"age": 19, "opened_on": "2026-03-02"})
    assert message == (
        "عمر الطفل 19 سنة يوم فتح الحالة (2026-03-02)؛ ولا تُفتح الحالة إلا لطفل دون الثامنة عشرة."
    )


def test_arabic_messages_use_the_domain_terms() -> None:
    rules = RuleSet.builtin()
    assert "الكفالة" in rules["family.kafala_without_decision"].message.message.ar
    assert "اللجنة الإقليمية لحماية الطفولة" in rules["body.level_mismatch"].message.message.ar
    assert "الموافقة" in rules["referral.consent_missing"].message.remedy.ar
    assert "الإحالة" in rules["referral.self_referral"].message.message.ar
