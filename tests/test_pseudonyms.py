"""Keyed-hash pseudonyms: stable under one key, unlinkable across keys, nothing identifying left."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wladna_core.model as model
from wladna_core.convert import unstructure
from wladna_core.errors import WladnaError
from wladna_core.model import Case, Child, Family, Referral, TerritorialBody
from wladna_core.reporting.pseudonyms import (
    KEY_SETTING,
    MIN_KEY_BYTES,
    RECORD_TYPES,
    PseudonymError,
    Pseudonymiser,
    field_treatment,
    pseudonymise_record,
)
from wladna_core.testing import strategies as ws

KEY = bytes(range(32))
PSEUDONYM = re.compile(r"^[a-z]+_[a-z2-7]{26}$")
keys = st.binary(min_size=MIN_KEY_BYTES, max_size=64)


def strings_in(value: object) -> list[str]:
    """Every text value inside a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key, *strings_in(item)]]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings_in(item)]
    return []


IDENTIFYING_KEYS = frozenset({
        "id", "child_id", "family_id", "case_id", "body_id", "from_body", "by_body",
        "transferred_to", "duplicate_of", "worker_id", "by", "authorised_by", "given_name",
        "family_name", "given_name_ar", "family_name_ar", "nickname", "value", "issuer", "phone",
        "email", "rsu_id", "number", "reference", "note", "summary", "description",
        "responsible", "justification", "rejection_reason", "outcome",
})  # fmt: skip


def public_strings(record: object) -> set[str]:
    """The keys and the texts of a record that identify no one (codes, dates, territories...).

    A name may happen to equal one of them (a family name "GN" and the nationality code of
    Guinea): the export keeps the code, and no test can tell the two apart.
    """
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                found.add(key)
                if key not in IDENTIFYING_KEYS and isinstance(item, str):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    found.add(item)
                walk(item)

    walk(unstructure(record))
    return found


def identifying_strings(record: object) -> set[str]:
    """The ids, names, identifiers, phone numbers, e-mails and notes of a record."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in IDENTIFYING_KEYS and isinstance(item, str) and item:
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(unstructure(record))
    if isinstance(record, TerritorialBody):
        found.discard(record.name)  # a body's name is public, not personal
    return found


# --- the pseudonym --------------------------------------------------------------------------


@given(keys, ws.record_ids())
def test_the_same_id_under_the_same_key_gets_the_same_pseudonym(key: bytes, id_: str) -> None:
    first = Pseudonymiser(key).pseudonym("child", id_)
    assert first == Pseudonymiser(bytes(key)).pseudonym("child", id_)
    assert PSEUDONYM.match(first)
    assert first.startswith("child_")


@given(keys, keys, ws.record_ids())
def test_different_keys_give_unrelated_pseudonyms(first: bytes, second: bytes, id_: str) -> None:
    if first != second:
        assert Pseudonymiser(first).pseudonym("case", id_) != Pseudonymiser(second).pseudonym(
            "case", id_
        )


@given(keys, ws.record_ids(), ws.record_ids())
def test_different_ids_get_different_pseudonyms(key: bytes, one: str, other: str) -> None:
    pseudonymiser = Pseudonymiser(key)
    if one != other:
        assert pseudonymiser.pseudonym("case", one) != pseudonymiser.pseudonym("case", other)
    # the kind is hashed too: one id as a case and as a child gives unrelated digests
    as_case = pseudonymiser.pseudonym("case", one).removeprefix("case_")
    assert as_case != pseudonymiser.pseudonym("child", one).removeprefix("child_")


def test_a_pseudonym_is_the_truncated_hmac_sha256_in_base32() -> None:
    # HMAC-SHA-256(key=00..1f, "child\x00abc"), first 16 bytes, base 32 without padding
    digest = hmac.new(KEY, b"child\x00abc", hashlib.sha256).digest()[:16]
    expected = "child_" + base64.b32encode(digest).decode().rstrip("=").lower()
    assert Pseudonymiser(KEY).pseudonym("child", "abc") == expected


@pytest.mark.parametrize("kind", ["", "Child", "child-id", "enfant1", "élève"])
def test_a_pseudonym_kind_is_lower_case_letters(kind: str) -> None:
    with pytest.raises(PseudonymError, match="a pseudonym kind is lower-case ASCII letters"):
        Pseudonymiser(KEY).pseudonym(kind, "abc")


# --- the key --------------------------------------------------------------------------------


@given(st.binary(max_size=MIN_KEY_BYTES - 1))
def test_a_key_shorter_than_32_bytes_is_refused(key: bytes) -> None:
    with pytest.raises(PseudonymError) as caught:
        Pseudonymiser(key)
    assert str(caught.value) == (
        f"a pseudonym key needs at least 32 bytes, this one has {len(key)}; make one with "
        'python -c "import secrets; print(secrets.token_hex(32))"'
    )
    assert isinstance(caught.value, WladnaError)


def test_a_key_must_be_bytes() -> None:
    with pytest.raises(PseudonymError, match="a pseudonym key is bytes, got str"):
        Pseudonymiser("0" * 64)  # type: ignore[arg-type]


def test_the_key_is_never_shown() -> None:
    pseudonymiser = Pseudonymiser(b"k" * 32)
    assert repr(pseudonymiser) == "Pseudonymiser(key=<secret>)"
    assert "kkkk" not in str(pseudonymiser)
    with pytest.raises(AttributeError):
        pseudonymiser.key = b"x"  # type: ignore[attr-defined]


def test_the_key_comes_from_the_settings_as_bytes_or_hexadecimal_text() -> None:
    expected = Pseudonymiser(KEY).pseudonym("case", "abc")
    assert Pseudonymiser.from_settings({KEY_SETTING: KEY}).pseudonym("case", "abc") == expected
    hex_key = f"  {KEY.hex()}\n"
    assert Pseudonymiser.from_settings({KEY_SETTING: hex_key}).pseudonym("case", "abc") == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "the setting 'pseudonym_key' is not set: exports with pseudonyms need the "),
        ({KEY_SETTING: "zz" * 32}, "the setting 'pseudonym_key' does not hold a key in hexa"),
        ({KEY_SETTING: "ab" * 31}, "a pseudonym key needs at least 32 bytes, this one has 31"),
        ({KEY_SETTING: 12345}, "the setting 'pseudonym_key' holds a int, not bytes or text"),
    ],
)
def test_a_missing_or_bad_key_setting_is_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(PseudonymError) as caught:
        Pseudonymiser.from_settings(settings)
    assert str(caught.value).startswith(message)


def test_the_key_comes_from_a_key_file_in_hexadecimal(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_text(KEY.hex() + "\n", encoding="ascii")
    assert Pseudonymiser.from_key_file(path).pseudonym("case", "abc") == Pseudonymiser(
        KEY
    ).pseudonym("case", "abc")
    assert Pseudonymiser.from_key_file(str(path)).pseudonym("case", "x") == Pseudonymiser(
        KEY
    ).pseudonym("case", "x")


def test_a_bad_key_file_is_refused_without_showing_its_content(tmp_path: Path) -> None:
    missing = tmp_path / "missing.key"
    with pytest.raises(PseudonymError) as caught:
        Pseudonymiser.from_key_file(missing)
    assert str(caught.value) == (
        f"cannot read the pseudonym key file {str(missing)!r}: No such file or directory"
    )
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff" * 40)
    with pytest.raises(PseudonymError, match="it is not ASCII text"):
        Pseudonymiser.from_key_file(binary)
    secret = "not-hexadecimal-secret-" * 3
    text = tmp_path / "text.key"
    text.write_text(secret, encoding="ascii")
    with pytest.raises(PseudonymError) as caught:
        Pseudonymiser.from_key_file(text)
    assert str(caught.value).startswith(
        f"the key file {str(text)!r} does not hold a key in hexadecimal digits"
    )
    assert secret not in str(caught.value)


# --- records --------------------------------------------------------------------------------


@given(ws.case_files(), keys)
def test_no_id_name_identifier_phone_or_note_survives_in_an_export(
    case_file: ws.CaseFile, key: bytes
) -> None:
    pseudonymiser = Pseudonymiser(key)
    for record in case_file.records:
        exported = pseudonymise_record(record, pseudonymiser)
        texts = strings_in(exported)
        dumped = json.dumps(exported, ensure_ascii=False)
        for secret in identifying_strings(record) - public_strings(record):
            assert secret not in texts, f"{secret!r} survives in {type(record).__name__}"
            if len(secret) >= 8:
                assert secret not in dumped
        assert record.id not in dumped


@given(ws.case_files(), keys)
def test_references_between_exported_records_still_join(case_file: ws.CaseFile, key: bytes) -> None:
    pseudonymiser = Pseudonymiser(key)
    child = pseudonymise_record(case_file.child, pseudonymiser)
    case = pseudonymise_record(case_file.case, pseudonymiser)
    body = pseudonymise_record(case_file.body, pseudonymiser)
    assert case["child_id"] == child["id"]
    assert case["body_id"] == body["id"]
    if case_file.family is not None:
        family = pseudonymise_record(case_file.family, pseudonymiser)
        assert case["family_id"] == family["id"]
        members = family["members"]
        assert isinstance(members, list)
        linked = [
            member["child_id"]
            for member, original in zip(members, case_file.family.members, strict=True)
            if original.child_id == case_file.child.id
        ]
        assert linked
        assert all(pseudonym == child["id"] for pseudonym in linked)
    for referral in case_file.referrals:
        exported = pseudonymise_record(referral, pseudonymiser)
        assert exported["case_id"] == case["id"]
        assert exported["from_body"] == pseudonymiser.pseudonym("body", referral.from_body)
    assert str(child["id"]).startswith("child_")
    assert str(case["id"]).startswith("case_")


@given(ws.case_files(), keys)
def test_a_record_and_its_unstructured_form_give_the_same_export(
    case_file: ws.CaseFile, key: bytes
) -> None:
    pseudonymiser = Pseudonymiser(key)
    for record in case_file.records:
        name = next(name for name, cls in RECORD_TYPES.items() if isinstance(record, cls))
        from_mapping = pseudonymise_record(unstructure(record), pseudonymiser, name)
        assert from_mapping == pseudonymise_record(record, pseudonymiser)
        assert from_mapping == pseudonymise_record(
            unstructure(record), pseudonymiser, type(record).__name__
        )


@given(ws.children())
def test_kept_values_are_exported_as_they_were(child: Child) -> None:
    exported = pseudonymise_record(child, Pseudonymiser(KEY))
    original = unstructure(child)
    for path, treatment in field_treatment("child").items():
        name = path.removeprefix("$.")
        if treatment == "kept" and "." not in name and "[]" not in name:
            assert exported[name] == original[name]
    assert "given_name" not in exported
    assert exported["identifiers"] == [{"scheme": i.scheme.value} for i in child.identifiers]


def _field_paths(cls: type, prefix: str = "$") -> set[str]:
    """Every field path of an attrs record class, through nested records and tuples of them."""
    paths: set[str] = set()
    for field in attrs.fields(cls):
        path = f"{prefix}.{field.name}"
        nested = _record_class_in(str(field.type))
        if nested is None:
            paths.add(path)
        else:
            inner = f"{path}[]" if str(field.type).startswith("tuple[") else path
            paths |= _field_paths(nested, inner)
    return paths


def _record_class_in(annotation: str) -> type | None:
    for name in re.findall(r"[A-Z][A-Za-z]+", annotation):
        candidate = getattr(model, name, None)
        if isinstance(candidate, type) and attrs.has(candidate):
            return candidate
    return None


@pytest.mark.parametrize("name", sorted(RECORD_TYPES))
def test_every_field_of_every_record_has_a_decided_treatment(name: str) -> None:
    assert set(field_treatment(name)) == _field_paths(RECORD_TYPES[name])


def test_what_is_dropped_from_a_child_and_a_case() -> None:
    child = field_treatment(Child)
    assert {path for path, what in child.items() if what == "dropped"} == {
        "$.given_name",
        "$.family_name",
        "$.given_name_ar",
        "$.family_name_ar",
        "$.nickname",
        "$.identifiers[].value",
        "$.identifiers[].issuer",
    }
    case = field_treatment("case")
    assert case["$.number"] == "dropped"
    assert case["$.worker_id"] == "pseudonym:staff"
    assert case["$.plan.approval.by"] == "pseudonym:staff"
    assert case["$.transferred_to"] == "pseudonym:case"
    assert field_treatment(Referral)["$.target.body_id"] == "pseudonym:body"
    assert field_treatment(TerritorialBody)["$.institutions[].focal_point.phone"] == "dropped"


def test_an_unknown_field_is_refused_with_its_path() -> None:
    record = {"id": "abc", "members": [{"relation": "mother", "passport": "X1"}]}
    with pytest.raises(PseudonymError) as caught:
        pseudonymise_record(record, Pseudonymiser(KEY), "family")
    assert str(caught.value) == (
        "family $.members[0].passport: unknown field, not exported; decide whether it is "
        "kept, dropped or pseudonymised before exporting it"
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": 12}, "case $.id: expected an identifier (text), got int"),
        ({"follow_ups": {"on": "2026-01-01"}}, "case $.follow_ups: expected a list, got dict"),
        ({"closure": "closed"}, "case $.closure: expected an object, got str"),
        ({"follow_ups": ["x"]}, "case $.follow_ups[0]: expected an object, got str"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_with_its_path(
    record: dict[str, object], message: str
) -> None:
    with pytest.raises(PseudonymError) as caught:
        pseudonymise_record(record, Pseudonymiser(KEY), "case")
    assert str(caught.value) == message


def test_nulls_stay_null_and_absent_fields_stay_absent() -> None:
    exported = pseudonymise_record(
        {"family_id": None, "closure": None, "follow_ups": []}, Pseudonymiser(KEY), Case
    )
    assert exported == {"family_id": None, "closure": None, "follow_ups": []}


def test_the_record_type_must_be_known_and_match() -> None:
    pseudonymiser = Pseudonymiser(KEY)
    with pytest.raises(PseudonymError) as caught:
        pseudonymise_record({"id": "abc"}, pseudonymiser, "audit")
    assert str(caught.value) == (
        "cannot pseudonymise records of type 'audit'; the known types are "
        "body, child, family, case, referral"
    )
    with pytest.raises(PseudonymError, match="of type Path;"):
        field_treatment(Path)
    with pytest.raises(PseudonymError, match="say which type of record this mapping is"):
        pseudonymise_record({"id": "abc"}, pseudonymiser)
    family = Family()
    with pytest.raises(PseudonymError, match="the record is a Family, not a case"):
        pseudonymise_record(family, pseudonymiser, "case")
    assert pseudonymise_record(family, pseudonymiser, Family)["id"] == pseudonymiser.pseudonym(
        "family", family.id
    )
