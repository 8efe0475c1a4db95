"""The five kinds of record of the information base, declared as any plug-in declares its own.

This module is a built-in plug-in (see :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` returns :data:`BUILTIN_KINDS` — territorial bodies, children, families,
cases and referrals — and :data:`DUPLICATE_PAIR`, the review queue of possible duplicates,
through the same hook a partner's plug-in uses.  The declarations say
which values searches filter on (the fields of :class:`~wladna_core.storage.CaseQuery` and the
other queries) and which reports group by (the days from opening to assessment, the closure's
reason...); the SQL store's tables (:mod:`wladna_core.storage.sql.tables`) are made from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.hookspecs import hookimpl
from wladna_core.matching.blocking import KEY_LENGTH, stored_keys
from wladna_core.model import Case, Child, DuplicatePair, Family, Referral, TerritorialBody
from wladna_core.storage.kinds import (
    Field,
    FieldType,
    Filter,
    Index,
    ManyField,
    Match,
    RecordKind,
)
from wladna_core.storage.query import (
    BodyQuery,
    CaseQuery,
    ChildQuery,
    FamilyQuery,
    ReferralQuery,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BODY",
    "BUILTIN_KINDS",
    "CASE",
    "CHILD",
    "DUPLICATE_PAIR",
    "FAMILY",
    "ID_LENGTH",
    "REFERRAL",
    "wladna_record_kinds",
]

#: Length of an id column: a canonical UUID string.
ID_LENGTH: Final = 36

_TEXT, _CODE, _DATE = FieldType.TEXT, FieldType.CODE, FieldType.DATE
_INTEGER, _BOOLEAN, _TERRITORY = FieldType.INTEGER, FieldType.BOOLEAN, FieldType.TERRITORY
_EQUAL, _ONE_OF, _FROM, _TO = Match.EQUAL, Match.ONE_OF, Match.FROM, Match.TO
_WITHIN, _CONTAINS, _CONTAINS_ANY = Match.WITHIN, Match.CONTAINS, Match.CONTAINS_ANY


def _id_field(name: str, get: Any, *, nullable: bool = False, index: bool = True) -> Field:
    return Field(name, _TEXT, get, length=ID_LENGTH, nullable=nullable, index=index)


def _days(start: Any, end: Any) -> int | None:
    return None if start is None or end is None else int((end - start).days)


# Report values of a case: derived from it at each write, so that no database computes dates.


def _assessed_on(case: Case) -> object:
    return None if case.assessment is None else case.assessment.on


def _closure_reason(case: Case) -> object:
    closure = case.closure
    return None if closure is None or closure.reason is None else closure.reason


def _closed_on(case: Case) -> object:
    return None if case.closure is None else case.closure.on


def _days_to_assessment(case: Case) -> int | None:
    return _days(case.opened_on, _assessed_on(case))


def _days_open(case: Case) -> int | None:
    return _days(case.opened_on, _closed_on(case))


def _days_to_response(referral: Referral) -> int | None:
    return _days(referral.made_on, referral.responded_on)


def _child_blocking_keys(child: Child) -> list[tuple[str]]:
    return [(key,) for key in sorted(stored_keys(child))]


def _family_references(family: Family) -> Iterable[tuple[type, str | None]]:
    return [(Child, member.child_id) for member in family.members]


def _case_references(case: Case) -> Iterable[tuple[type, str | None]]:
    return [(Child, case.child_id), (Family, case.family_id), (TerritorialBody, case.body_id)]


def _referral_references(referral: Referral) -> Iterable[tuple[type, str | None]]:
    return [
        (Case, referral.case_id),
        (TerritorialBody, referral.from_body),
        (TerritorialBody, referral.target.body_id),
    ]


#: Territorial bodies (CPPE, CAPE, UPE, EPS...).
BODY: Final = RecordKind(
    name="body",
    record_type=TerritorialBody,
    table="bodies",
    fields=(
        Field("kind", _CODE, lambda body: body.kind, nullable=False),
        Field("territory", _TERRITORY, lambda body: body.territory, nullable=False),
        Field("active", _BOOLEAN, lambda body: body.active, nullable=False, index=False),
    ),
    filters={
        "territory": Filter("territory", _WITHIN),
        "kind": Filter("kind", _EQUAL),
        "active": Filter("active", _EQUAL),
    },
    query_type=BodyQuery,
    description="A committee, centre, unit, establishment, association or ministry.",
)

#: Children.
CHILD: Final = RecordKind(
    name="child",
    record_type=Child,
    table="children",
    fields=(
        Field("sex", _CODE, lambda child: child.sex, nullable=False, index=False),
        Field("birth_date", _DATE, lambda child: child.birth_date, nullable=False),
        Field("residence", _TERRITORY, lambda child: child.residence),
        _id_field("merged_into", lambda child: child.merged_into, nullable=True),
    ),
    many=(
        ManyField(
            "identifiers",
            (("scheme", _CODE), ("value", _TEXT)),
            lambda child: [(item.scheme, item.value) for item in child.identifiers],
            table="child_identifiers",
            owner="child_id",
            positional=True,
            length=64,
        ),
        # Computed at every write from the child alone: the candidates for a possible duplicate
        # are the children under any of a child's keys, an indexed lookup per key (a child
        # merged into another has none, and is never proposed again).
        ManyField(
            "blocking_keys",
            (("key", _TEXT),),
            _child_blocking_keys,
            table="child_blocking_keys",
            owner="child_id",
            length=KEY_LENGTH,
        ),
    ),
    filters={
        "residence": Filter("residence", _WITHIN),
        "sex": Filter("sex", _EQUAL),
        "born_from": Filter("birth_date", _FROM),
        "born_to": Filter("birth_date", _TO),
        "identifier": Filter("identifiers", _CONTAINS),
        "blocking_key": Filter("blocking_keys", _CONTAINS_ANY),
        "merged_into": Filter("merged_into", _EQUAL),
    },
    query_type=ChildQuery,
    description="A child, registered by a body, with or without a case.",
)

#: Families (households).
FAMILY: Final = RecordKind(
    name="family",
    record_type=Family,
    table="families",
    fields=(
        Field("residence", _TERRITORY, lambda family: family.residence),
        Field("rsu_id", _TEXT, lambda family: family.rsu_id, length=40),
    ),
    many=(
        # "Which households is this child a member of": a merge moves them to the kept child.
        ManyField(
            "member_children",
            (("child_id", _TEXT),),
            lambda family: [
                (child_id,)
                for child_id in sorted({m.child_id for m in family.members if m.child_id})
            ],
            table="family_children",
            owner="family_id",
            length=ID_LENGTH,
        ),
    ),
    filters={
        "residence": Filter("residence", _WITHIN),
        "rsu_id": Filter("rsu_id", _EQUAL),
        "member_child": Filter("member_children", _CONTAINS),
    },
    query_type=FamilyQuery,
    references=_family_references,
    description="A household: its members, residence and social programmes.",
)

#: Cases.
CASE: Final = RecordKind(
    name="case",
    record_type=Case,
    table="cases",
    fields=(
        Field("number", _TEXT, lambda case: case.number, length=40, nullable=False, unique=True),
        _id_field("child_id", lambda case: case.child_id),
        _id_field("body_id", lambda case: case.body_id),
        _id_field("family_id", lambda case: case.family_id, nullable=True),
        Field("territory", _TERRITORY, lambda case: case.territory, nullable=False),
        Field("status", _CODE, lambda case: case.status, nullable=False),
        Field("risk", _CODE, lambda case: case.risk, nullable=False),
        Field("opened_on", _DATE, lambda case: case.opened_on, nullable=False),
        Field("closed_on", _DATE, _closed_on, index=False),
        Field("worker_id", _TEXT, lambda case: case.worker_id),
        Field("assessed_on", _DATE, _assessed_on, index=False),
        Field("closure_reason", _CODE, _closure_reason, index=False),
        Field("days_to_assessment", _INTEGER, _days_to_assessment, index=False),
        Field("days_open", _INTEGER, _days_open, index=False),
    ),
    many=(
        ManyField(
            "concerns",
            (("concern", _CODE),),
            lambda case: [(concern,) for concern in sorted(case.concerns)],
            table="case_concerns",
            owner="case_id",
        ),
    ),
    filters={
        "territory": Filter("territory", _WITHIN),
        "body_id": Filter("body_id", _EQUAL),
        "status": Filter("status", _ONE_OF),
        "risk": Filter("risk", _ONE_OF),
        "concern": Filter("concerns", _CONTAINS),
        "opened_from": Filter("opened_on", _FROM),
        "opened_to": Filter("opened_on", _TO),
        "child_id": Filter("child_id", _EQUAL),
        "worker_id": Filter("worker_id", _EQUAL),
        "number": Filter("number", _EQUAL),
        "family_id": Filter("family_id", _EQUAL),
    },
    query_type=CaseQuery,
    # For reports by period: each holds what one statement reads, so that the statement reads
    # it alone, never the wide rows.
    indexes=(
        Index(("opened_on", "province"), name="ix_cases_report_opened"),
        Index(("closed_on", "province", "closure_reason"), name="ix_cases_report_closed"),
        Index(
            ("assessed_on", "province", "risk", "days_to_assessment"),
            name="ix_cases_report_assessed",
        ),
        Index(("id", "province", "region"), name="ix_cases_report_place"),
    ),
    references=_case_references,
    description="A child's case at a body, from identification to closure.",
)

#: Referrals.
REFERRAL: Final = RecordKind(
    name="referral",
    record_type=Referral,
    table="referrals",
    fields=(
        _id_field("case_id", lambda referral: referral.case_id),
        _id_field("from_body", lambda referral: referral.from_body),
        Field("target_kind", _CODE, lambda r: r.target.kind, nullable=False, index=False),
        _id_field("target_body_id", lambda referral: referral.target.body_id, nullable=True),
        Field("programme", _CODE, lambda referral: referral.target.programme, index=False),
        Field("service", _CODE, lambda referral: referral.service, nullable=False),
        Field("status", _CODE, lambda referral: referral.status, nullable=False),
        Field("urgency", _CODE, lambda r: r.urgency, nullable=False, index=False),
        Field("made_on", _DATE, lambda referral: referral.made_on, nullable=False),
        Field("response_due", _DATE, lambda referral: referral.response_due, index=False),
        Field("responded_on", _DATE, lambda referral: referral.responded_on, index=False),
        Field("closed_on", _DATE, lambda referral: referral.closed_on, index=False),
        Field("days_to_response", _INTEGER, _days_to_response, index=False),
    ),
    filters={
        "case_id": Filter("case_id", _EQUAL),
        "from_body": Filter("from_body", _EQUAL),
        "target_body_id": Filter("target_body_id", _EQUAL),
        "status": Filter("status", _ONE_OF),
        "made_from": Filter("made_on", _FROM),
        "made_to": Filter("made_on", _TO),
        "service": Filter("service", _EQUAL),
    },
    query_type=ReferralQuery,
    indexes=(
        Index(("made_on", "case_id", "status", "responded_on"), name="ix_referrals_report_made"),
        Index(
            ("responded_on", "case_id", "days_to_response"), name="ix_referrals_report_responded"
        ),
    ),
    references=_referral_references,
    description="A referral of a case to a body, a social programme or the judicial authority.",
)

#: Pairs of child records that may be one child: the review queue of each body, searched by
#: body and status, by pair (never propose a pair twice) and by child.
DUPLICATE_PAIR: Final = RecordKind(
    name="duplicate_pair",
    record_type=DuplicatePair,
    table="duplicate_pairs",
    fields=(
        Field(
            "pair_key",
            _TEXT,
            lambda pair: pair.key,
            length=2 * ID_LENGTH + 1,
            nullable=False,
            unique=True,
        ),
        _id_field("body_id", lambda pair: pair.body_id, nullable=True),
        Field("status", _CODE, lambda pair: pair.status, nullable=False),
        Field("proposed_on", _DATE, lambda pair: pair.proposed_on, nullable=False),
    ),
    many=(
        ManyField(
            "children",
            (("child_id", _TEXT),),
            lambda pair: [(child,) for child in sorted(pair.children)],
            table="duplicate_pair_children",
            owner="pair_id",
            length=ID_LENGTH,
        ),
    ),
    filters={
        "pair_key": Filter("pair_key", _EQUAL),
        "pair_keys": Filter("pair_key", _ONE_OF),
        "body_id": Filter("body_id", _EQUAL),
        "status": Filter("status", _ONE_OF),
        "child": Filter("children", _CONTAINS),
        "children": Filter("children", _CONTAINS_ANY),
    },
    description="Two child records that may be one child, and a person's decision on them.",
)

#: The kinds of the information base, in the order their repositories are made.
BUILTIN_KINDS: Final[tuple[RecordKind[Any], ...]] = (BODY, CHILD, FAMILY, CASE, REFERRAL)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the five kinds of record of the information base, and the review queue's."""
    return (*BUILTIN_KINDS, DUPLICATE_PAIR)
