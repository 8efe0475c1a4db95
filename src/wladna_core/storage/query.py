"""What a repository's ``find``, ``iter`` and ``count`` select: one query class per record type.

A query is a frozen value whose fields are filters; a field left at ``None`` does not filter, and
the filters that are set must all hold.  Each query's :meth:`~Query.matches` is the definition of
what it selects: the memory store runs it on every record, and the adapter contract suite
(:mod:`wladna_core.testing.conformance`) checks that every other store selects exactly the
records it accepts.

Territory filters select a territory and everything it contains (a region selects its provinces
and their communes); :func:`territory_subtree` gives the codes for a store to filter on.  Set
filters (``status``, ``risk``) accept one value or several, as enum members or their string
values; an empty set selects nothing.  Date ranges include both ends.
"""

from __future__ import annotations

import abc
import enum
import functools
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from wladna_core.model import (
    BodyKind,
    Case,
    CaseStatus,
    Child,
    Family,
    Gazetteer,
    IdentifierScheme,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    RiskLevel,
    ServiceType,
    Sex,
    TerritorialBody,
)
from wladna_core.model._checks import text_problem

if TYPE_CHECKING:
    from attrs import AttrsInstance

__all__ = [
    "BodyQuery",
    "CaseQuery",
    "ChildQuery",
    "FamilyQuery",
    "Query",
    "ReferralQuery",
    "territory_subtree",
]

R = TypeVar("R")
E = TypeVar("E", bound=enum.Enum)


class Query(abc.ABC, Generic[R]):
    """The filters of a search among stored records of type ``R``.

    Subclasses are frozen attrs classes, one per record type: :class:`BodyQuery`,
    :class:`ChildQuery`, :class:`FamilyQuery`, :class:`CaseQuery`, :class:`ReferralQuery`.
    """

    __slots__ = ()

    #: The record class this query selects among.
    record_type: type[R]

    def set_filters(self) -> Iterator[tuple[str, object]]:
        """Yield the filters that are set (not ``None``), by name, with their values.

        A store turns each into a condition on the column its kind declares for it
        (:attr:`RecordKind.filters <wladna_core.storage.kinds.RecordKind.filters>`).
        """
        for field in attrs.fields(cast("type[AttrsInstance]", type(self))):
            value = getattr(self, field.name)
            if value is not None:
                yield field.name, value

    @abc.abstractmethod
    def matches(self, record: R, gazetteer: Gazetteer) -> bool:
        """Return whether ``record`` passes every filter of this query.

        :param gazetteer: the territories that territory filters are resolved against (a
            region contains its provinces); use the store's :attr:`Store.gazetteer
            <wladna_core.storage.Store.gazetteer>`.
        """


@functools.lru_cache(maxsize=512)
def territory_subtree(gazetteer: Gazetteer, code: str) -> frozenset[str]:
    """Return ``code`` and the codes of every territory it contains, in ``gazetteer``.

    :raises UnknownTerritory: if ``code`` is not in the gazetteer; the message suggests a
        close code.
    """
    found: set[str] = set()
    pending = [gazetteer.get(code).code]
    while pending:
        current = pending.pop()
        found.add(current)
        pending.extend(child.code for child in gazetteer.children(current))
    return frozenset(found)


def _in_territory(gazetteer: Gazetteer, ancestor: str, code: str | None) -> bool:
    return code is not None and code in territory_subtree(gazetteer, ancestor)


def _in_range(value: date | None, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True
    if value is None:
        return False
    return (start is None or value >= start) and (end is None or value <= end)


def _enum_value(kind: type[E], field: str, value: object) -> E:
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(repr(member.value) for member in kind)
        msg = f"{field} must be one of {known}, got {value!r}"
        raise ValueError(msg) from None


def _optional_enum(kind: type[E], field: str, value: object) -> E | None:
    return None if value is None else _enum_value(kind, field, value)


def _enum_set(kind: type[E], field: str, value: object) -> frozenset[E] | None:
    if value is None:
        return None
    if isinstance(value, str | enum.Enum):
        return frozenset({_enum_value(kind, field, value)})
    if not isinstance(value, Iterable):
        msg = f"{field} must be one {kind.__name__} or several, got {value!r}"
        raise TypeError(msg)
    return frozenset(_enum_value(kind, field, item) for item in value)


# One named converter per field, so that type checkers see each field's accepted input.


def _to_body_kind(value: BodyKind | str | None) -> BodyKind | None:
    return _optional_enum(BodyKind, "kind", value)


def _to_sex(value: Sex | str | None) -> Sex | None:
    return _optional_enum(Sex, "sex", value)


def _to_concern(value: ProtectionConcern | str | None) -> ProtectionConcern | None:
    return _optional_enum(ProtectionConcern, "concern", value)


def _to_service(value: ServiceType | str | None) -> ServiceType | None:
    return _optional_enum(ServiceType, "service", value)


def _to_case_statuses(
    value: CaseStatus | str | Iterable[CaseStatus | str] | None,
) -> frozenset[CaseStatus] | None:
    return _enum_set(CaseStatus, "status", value)


def _to_risks(
    value: RiskLevel | str | Iterable[RiskLevel | str] | None,
) -> frozenset[RiskLevel] | None:
    return _enum_set(RiskLevel, "risk", value)


def _to_referral_statuses(
    value: ReferralStatus | str | Iterable[ReferralStatus | str] | None,
) -> frozenset[ReferralStatus] | None:
    return _enum_set(ReferralStatus, "status", value)


def _optional_text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        msg = f"{attribute.name} must be a non-blank string or None, got {value!r}"
        raise ValueError(msg)
    if isinstance(value, str):
        _searchable(attribute.name, value)


def _searchable(name: str, value: str) -> None:
    """Refuse a filter value no record can hold: a store could not even look it up."""
    problem = text_problem(value, lines=False)
    if problem is not None:
        msg = (
            f"{problem.message(name)} ({problem.code}); no record holds such text: "
            "search with text as the records hold it"
        )
        raise ValueError(msg)


def _optional_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        msg = f"{attribute.name} must be a date or None, got {type(value).__name__}"
        raise TypeError(msg)


def _optional_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool):
        msg = f"{attribute.name} must be True, False or None, got {value!r}"
        raise TypeError(msg)


def _identifier_key(
    value: tuple[IdentifierScheme | str, str] | None,
) -> tuple[IdentifierScheme, str] | None:
    if value is None:
        return None
    raw: object = value  # checked at run time: callers may pass anything
    if not isinstance(raw, tuple) or len(raw) != 2 or not isinstance(raw[1], str):
        msg = (
            "identifier must be a (scheme, value) pair such as ('idcs', '0123456789'), "
            f"got {value!r}"
        )
        raise ValueError(msg)
    _searchable("identifier value", value[1])
    return (_enum_value(IdentifierScheme, "identifier scheme", value[0]), value[1])


@attrs.frozen
class BodyQuery(Query[TerritorialBody]):
    """Select territorial bodies.

    :param territory: bodies whose territory is this one or inside it.
    :param kind: bodies of this kind (CPPE, CAPE, UPE...).
    :param active: only active (``True``) or only inactive (``False``) bodies.
    """

    record_type = TerritorialBody

    territory: str | None = attrs.field(default=None, validator=_optional_text)
    kind: BodyKind | None = attrs.field(default=None, converter=_to_body_kind)
    active: bool | None = attrs.field(default=None, validator=_optional_bool)

    def matches(self, record: TerritorialBody, gazetteer: Gazetteer) -> bool:
        """Return whether the body passes every filter."""
        return (
            (self.territory is None or _in_territory(gazetteer, self.territory, record.territory))
            and (self.kind is None or record.kind is self.kind)
            and (self.active is None or record.active is self.active)
        )


@attrs.frozen
class ChildQuery(Query[Child]):
    """Select children.

    :param residence: children living in this territory or inside it (a child whose residence
        is unknown is not selected).
    :param sex: children of this sex.
    :param born_from: children born on or after this date.
    :param born_to: children born on or before this date.
    :param identifier: children carrying this identifier, a ``(scheme, value)`` pair compared
        exactly as written, e.g. ``(IdentifierScheme.IDCS, "0123456789")``.
    """

    record_type = Child

    residence: str | None = attrs.field(default=None, validator=_optional_text)
    sex: Sex | None = attrs.field(default=None, converter=_to_sex)
    born_from: date | None = attrs.field(default=None, validator=_optional_date)
    born_to: date | None = attrs.field(default=None, validator=_optional_date)
    identifier: tuple[IdentifierScheme, str] | None = attrs.field(
        default=None, converter=_identifier_key
    )

    def matches(self, record: Child, gazetteer: Gazetteer) -> bool:
        """Return whether the child passes every filter."""
        return (
            (self.residence is None or _in_territory(gazetteer, self.residence, record.residence))
            and (self.sex is None or record.sex is self.sex)
            and _in_range(record.birth_date, self.born_from, self.born_to)
            and (
                self.identifier is None
                or any(
                    (ident.scheme, ident.value) == self.identifier for ident in record.identifiers
                )
            )
        )


@attrs.frozen
class FamilyQuery(Query[Family]):
    """Select families (households).

    :param residence: families living in this territory or inside it.
    :param rsu_id: the family with this identifier in the Unified Social Register.
    """

    record_type = Family

    residence: str | None = attrs.field(default=None, validator=_optional_text)
    rsu_id: str | None = attrs.field(default=None, validator=_optional_text)

    def matches(self, record: Family, gazetteer: Gazetteer) -> bool:
        """Return whether the family passes every filter."""
        return (
            self.residence is None or _in_territory(gazetteer, self.residence, record.residence)
        ) and (self.rsu_id is None or record.rsu_id == self.rsu_id)


@attrs.frozen
class CaseQuery(Query[Case]):
    """Select cases.

    :param territory: cases whose territory is this one or inside it.
    :param body_id: cases held by this responsible body.
    :param status: cases in one of these statuses.
    :param risk: cases at one of these risk levels.
    :param concern: cases having this protection concern (among others).
    :param opened_from: cases opened on or after this date.
    :param opened_to: cases opened on or before this date.
    :param child_id: cases about this child.
    :param family_id: cases of this household.
    :param worker_id: cases assigned to this worker.
    :param number: the case with this case number, e.g. ``SAL-2026-000123``.
    """

    record_type = Case

    territory: str | None = attrs.field(default=None, validator=_optional_text)
    body_id: str | None = attrs.field(default=None, validator=_optional_text)
    status: frozenset[CaseStatus] | None = attrs.field(default=None, converter=_to_case_statuses)
    risk: frozenset[RiskLevel] | None = attrs.field(default=None, converter=_to_risks)
    concern: ProtectionConcern | None = attrs.field(default=None, converter=_to_concern)
    opened_from: date | None = attrs.field(default=None, validator=_optional_date)
    opened_to: date | None = attrs.field(default=None, validator=_optional_date)
    child_id: str | None = attrs.field(default=None, validator=_optional_text)
    worker_id: str | None = attrs.field(default=None, validator=_optional_text)
    number: str | None = attrs.field(default=None, validator=_optional_text)
    family_id: str | None = attrs.field(default=None, validator=_optional_text)

    def matches(self, record: Case, gazetteer: Gazetteer) -> bool:
        """Return whether the case passes every filter."""
        return (
            (self.territory is None or _in_territory(gazetteer, self.territory, record.territory))
            and (self.body_id is None or record.body_id == self.body_id)
            and (self.status is None or record.status in self.status)
            and (self.risk is None or record.risk in self.risk)
            and (self.concern is None or self.concern in record.concerns)
            and _in_range(record.opened_on, self.opened_from, self.opened_to)
            and (self.child_id is None or record.child_id == self.child_id)
            and (self.worker_id is None or record.worker_id == self.worker_id)
            and (self.number is None or record.number == self.number)
            and (self.family_id is None or record.family_id == self.family_id)
        )


@attrs.frozen
class ReferralQuery(Query[Referral]):
    """Select referrals.

    :param case_id: referrals of this case.
    :param from_body: referrals sent by this body.
    :param target_body_id: referrals sent to this body.
    :param status: referrals in one of these statuses.
    :param made_from: referrals made on or after this date.
    :param made_to: referrals made on or before this date.
    :param service: referrals for this service.
    """

    record_type = Referral

    case_id: str | None = attrs.field(default=None, validator=_optional_text)
    from_body: str | None = attrs.field(default=None, validator=_optional_text)
    target_body_id: str | None = attrs.field(default=None, validator=_optional_text)
    status: frozenset[ReferralStatus] | None = attrs.field(
        default=None, converter=_to_referral_statuses
    )
    made_from: date | None = attrs.field(default=None, validator=_optional_date)
    made_to: date | None = attrs.field(default=None, validator=_optional_date)
    service: ServiceType | None = attrs.field(default=None, converter=_to_service)

    def matches(self, record: Referral, gazetteer: Gazetteer) -> bool:
        """Return whether the referral passes every filter."""
        return (
            (self.case_id is None or record.case_id == self.case_id)
            and (self.from_body is None or record.from_body == self.from_body)
            and (self.target_body_id is None or record.target.body_id == self.target_body_id)
            and (self.status is None or record.status in self.status)
            and _in_range(record.made_on, self.made_from, self.made_to)
            and (self.service is None or record.service is self.service)
        )
