"""Builders and Hypothesis strategies shared by the rule tests.

Builders make a valid record with the fields a test cares about changed; strategies draw records
with knobs, so that a property test can compare what a rule reports with an oracle written in
the rule's own words.
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from wladna_core.messages import LANGUAGES
from wladna_core.model import (
    BodyKind,
    Case,
    Child,
    Family,
    FamilyMember,
    Gazetteer,
    Identification,
    IdentificationSource,
    Referral,
    ReferralTarget,
    Relation,
    ServiceType,
    Sex,
    TerritorialBody,
    new_id,
)
from wladna_core.rules import Context, validate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.errors import Violation

#: The date of validation of the example tests.
ON = date(2026, 3, 2)
SALE = "MA-SAL"
RABAT = "MA-RAB"
RABAT_SALE_KENITRA = "MA-04"
GAZETTEER = Gazetteer.morocco()
KNOWN_CODES = tuple(sorted(territory.code for territory in GAZETTEER))


# --- builders -----------------------------------------------------------------------------------


def a_child(**changes: Any) -> Child:
    fields: dict[str, Any] = {
        "sex": Sex.FEMALE,
        "birth_date": date(2015, 6, 1),
        "given_name": "Amina",
        "family_name": "El Idrissi",
    }
    fields.update(changes)
    return Child(**fields)


def a_member(**changes: Any) -> FamilyMember:
    fields: dict[str, Any] = {"relation": Relation.MOTHER}
    fields.update(changes)
    return FamilyMember(**fields)


def a_family(*members: FamilyMember, **changes: Any) -> Family:
    fields: dict[str, Any] = {"members": members}
    fields.update(changes)
    return Family(**fields)


def a_body(**changes: Any) -> TerritorialBody:
    fields: dict[str, Any] = {
        "name": "CPPE de Salé",
        "kind": BodyKind.CPPE,
        "territory": SALE,
    }
    fields.update(changes)
    return TerritorialBody(**fields)


def a_case(**changes: Any) -> Case:
    opened_on = changes.get("opened_on", ON)
    fields: dict[str, Any] = {
        "child_id": new_id(),
        "body_id": new_id(),
        "territory": SALE,
        "opened_on": opened_on,
        "identification": Identification(IdentificationSource.SCHOOL, opened_on),
    }
    fields.update(changes)
    return Case(**fields)


def a_referral(**changes: Any) -> Referral:
    fields: dict[str, Any] = {
        "case_id": new_id(),
        "from_body": new_id(),
        "target": ReferralTarget.to_body(new_id()),
        "service": ServiceType.PSYCHOSOCIAL,
        "made_on": ON,
    }
    fields.update(changes)
    return Referral(**fields)


# --- running rules ------------------------------------------------------------------------------

_UNFILLED = re.compile(r"\{[a-z_]+\}")


def findings_of(
    code: str,
    record: object,
    *,
    on: date = ON,
    context: Context | None = None,
) -> list[Violation]:
    """Return the violations of rule ``code`` for ``record``, checking their messages too.

    In every language the message and remedy must be filled (no ``{field}`` left) and the
    violation must name the record.
    """
    found = [v for v in validate(record, on=on, context=context) if v.code == code]
    for violation in found:
        assert violation.record == f"{type(record).__name__} {record.id}"  # type: ignore[attr-defined]
        assert violation.message
        assert violation.remedy
    for lang in LANGUAGES:
        for violation in validate(record, on=on, context=context, lang=lang):
            if violation.code == code:
                assert not _UNFILLED.search(violation.message), violation.message
                assert not _UNFILLED.search(violation.remedy), violation.remedy
    return found


def paths_of(code: str, record: object, **kwargs: Any) -> list[str]:
    """Return the paths where rule ``code`` fires on ``record``, in the order reported."""
    return [violation.path for violation in findings_of(code, record, **kwargs)]


def fires(code: str, record: object, **kwargs: Any) -> bool:
    """Return whether rule ``code`` reports anything about ``record``."""
    return any(v.code == code for v in validate(record, on=kwargs.pop("on", ON), **kwargs))


def codes_of(violations: Iterable[Violation]) -> set[str]:
    return {violation.code for violation in violations}


# --- strategies ---------------------------------------------------------------------------------

ids = st.uuids().map(str)
#: Dates over a range wide enough for births, openings and validation dates, with leap days.
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2045, 12, 31))
#: Codes the gazetteer knows, plus well-formed codes it does not know.
territory_codes = st.one_of(
    st.sampled_from(KNOWN_CODES),
    st.from_regex(r"MA-[A-Z0-9]{2,5}", fullmatch=True).filter(lambda code: code not in GAZETTEER),
)
#: Identifier values: well-formed IDCS and CNIE numbers, and near misses (letters, lower case,
#: Arabic-Indic digits, wrong lengths).
identifier_values = st.one_of(
    st.from_regex(r"[0-9]{10}", fullmatch=True),
    st.from_regex(r"[A-Z]{1,2}[0-9]{5,6}", fullmatch=True),
    st.text(
        alphabet=string.digits + "ABZabz \u0660\u0661\u0662\u06f1-",
        min_size=1,
        max_size=12,
    ).filter(str.strip),
)


def age_reached(birth: date, years: int, on: date) -> bool:
    """Whether someone born on ``birth`` has turned ``years`` by ``on``.

    Written from the calendar rather than from :func:`age_on`: the birthday of someone born on
    29 February falls on 1 March in a common year.
    """
    try:
        birthday = birth.replace(year=birth.year + years)
    except ValueError:
        birthday = date(birth.year + years, 3, 1)
    return on >= birthday


def ancestors_or_self(code: str) -> set[str]:
    """Codes of the territory ``code`` and of everything above it, walking parents."""
    found: set[str] = set()
    current: str | None = code
    while current is not None:
        found.add(current)
        current = GAZETTEER.get(current).parent
    return found
