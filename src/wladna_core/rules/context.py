"""What rules that look beyond one record may know: other records and reference data.

A :class:`Context` answers the questions cross-record rules ask ("is there a child with this
id?", "which referrals does this case have?").  It is built from in-memory records here; a
database-backed store subclasses it and overrides the lookup methods, which are the only way
rules read the context.

Each kind of record is either *not known* (``None``: rules that need it do not run) or known
(an iterable, possibly empty: "there are none").  A rule names what it needs in
:attr:`Rule.needs <wladna_core.rules.Rule.needs>`, and runs only when :meth:`Context.provides`
says so.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Self, TypeVar, cast

from wladna_core.model import (
    PROGRAMME_CALENDAR,
    Case,
    Child,
    Family,
    Gazetteer,
    IdentifierScheme,
    ProgrammeCalendar,
    Referral,
    TerritorialBody,
)
from wladna_core.rules.settings import CaseRuleSettings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["NEEDS", "Context"]

#: What the base :class:`Context` can provide.  ``gazetteer`` is always provided; the others
#: when the matching records were given.
NEEDS: Final[frozenset[str]] = frozenset(
    {"gazetteer", "children", "families", "bodies", "cases", "referrals"}
)

_Record = TypeVar("_Record", Child, Family, TerritorialBody, Case, Referral)


def _by_id(records: Iterable[_Record] | None, kind: type[_Record]) -> dict[str, _Record] | None:
    if records is None:
        return None
    found: dict[str, _Record] = {}
    for record in records:
        if not isinstance(record, kind):
            msg = f"a context's {kind.__name__} records must be {kind.__name__} objects, got "
            raise TypeError(msg + type(record).__name__)
        # A later version of the same record replaces an earlier one.
        found[record.id] = record
    return found


class Context:
    """Other records and reference data that rules may consult.

    :param gazetteer: the territories; :meth:`Gazetteer.morocco
        <wladna_core.model.Gazetteer.morocco>` when omitted.
    :param children: every child that exists, or ``None`` when not known.
    :param families: every family that exists, or ``None`` when not known.
    :param bodies: every territorial body that exists, or ``None`` when not known.
    :param cases: every case that exists, or ``None`` when not known.
    :param referrals: every referral that exists, or ``None`` when not known.
    :param on: the date of validation; :func:`~wladna_core.rules.validate` sets it through
        :meth:`as_of`, so callers rarely pass it.
    :param programmes: when each social programme was in force;
        :data:`~wladna_core.model.PROGRAMME_CALENDAR` when omitted.
    :param case_rules: the deployment's case rule settings (lead time before a child comes of
        age, age of assent, closure approval); the defaults when omitted.

    When two records of one kind share an id, the later one is kept (it is taken to be the
    newer version).  A subclass backed by a store overrides :meth:`provides` and the lookup
    methods; it may keep the constructor's arguments at ``None``.
    """

    def __init__(
        self,
        *,
        gazetteer: Gazetteer | None = None,
        children: Iterable[Child] | None = None,
        families: Iterable[Family] | None = None,
        bodies: Iterable[TerritorialBody] | None = None,
        cases: Iterable[Case] | None = None,
        referrals: Iterable[Referral] | None = None,
        on: date | None = None,
        programmes: ProgrammeCalendar | None = None,
        case_rules: CaseRuleSettings | None = None,
    ) -> None:
        if programmes is not None and not isinstance(cast("object", programmes), ProgrammeCalendar):
            msg = f"programmes must be a ProgrammeCalendar, got {type(programmes).__name__}"
            raise TypeError(msg)
        self._programmes = programmes if programmes is not None else PROGRAMME_CALENDAR
        if case_rules is not None and not isinstance(cast("object", case_rules), CaseRuleSettings):
            msg = f"case_rules must be CaseRuleSettings, got {type(case_rules).__name__}"
            raise TypeError(msg)
        self._case_rules = case_rules if case_rules is not None else CaseRuleSettings()
        if gazetteer is not None and not isinstance(cast("object", gazetteer), Gazetteer):
            msg = f"gazetteer must be a Gazetteer, got {type(gazetteer).__name__}"
            raise TypeError(msg)
        self._gazetteer = gazetteer if gazetteer is not None else Gazetteer.morocco()
        self._on = _checked_date(on) if on is not None else None
        self._children = _by_id(children, Child)
        self._families = _by_id(families, Family)
        self._bodies = _by_id(bodies, TerritorialBody)
        self._cases = _by_id(cases, Case)
        self._referrals = _by_id(referrals, Referral)
        self._by_identifier: dict[tuple[IdentifierScheme, str], list[Child]] = defaultdict(list)
        for child in (self._children or {}).values():
            for identifier in child.identifiers:
                key = (identifier.scheme, identifier.value)
                if child not in self._by_identifier[key]:
                    self._by_identifier[key].append(child)
        self._by_case: dict[str, list[Referral]] = defaultdict(list)
        for referral in (self._referrals or {}).values():
            self._by_case[referral.case_id].append(referral)

    def __repr__(self) -> str:
        known: Mapping[str, Mapping[str, object] | None] = {
            "children": self._children,
            "families": self._families,
            "bodies": self._bodies,
            "cases": self._cases,
            "referrals": self._referrals,
        }
        parts = [f"{name}={len(found)}" for name, found in known.items() if found is not None]
        if self._on is not None:
            parts.append(f"on={self._on.isoformat()}")
        return f"<{type(self).__name__} {' '.join(parts) or 'with reference data only'}>"

    def as_of(self, on: date) -> Self:
        """Return this context for validation on the date ``on``.

        A shallow copy, or this context itself when its date is already ``on``: validating
        many records on one day dates the context once, not once per record.
        """
        if self._on is not None and self._on == on and type(on) is date:
            return self
        dated = copy.copy(self)
        dated._on = _checked_date(on)
        return dated

    @property
    def on(self) -> date:
        """The date of validation: what rules take as "today".

        :raises LookupError: if no date was set (neither ``on=`` nor :meth:`as_of`).
        """
        if self._on is None:
            msg = "this context has no date of validation; use context.as_of(on)"
            raise LookupError(msg)
        return self._on

    @property
    def case_rules(self) -> CaseRuleSettings:
        """The deployment's settings of the case rules (:mod:`wladna_core.rules.settings`)."""
        return self._case_rules

    @property
    def gazetteer(self) -> Gazetteer:
        """The territories rules check codes and jurisdictions against."""
        return self._gazetteer

    @property
    def programmes(self) -> ProgrammeCalendar:
        """When each social programme was in force (reference data, always known)."""
        # A subclass that does not call __init__ still answers with the shipped calendar.
        return getattr(self, "_programmes", PROGRAMME_CALENDAR)

    def provides(self, need: str) -> bool:
        """Return whether this context knows ``need`` (one of :data:`NEEDS`).

        A need this context does not recognise is not provided, so a rule that asks for it is
        skipped rather than run against missing data.
        """
        known = {
            "gazetteer": True,
            "children": self._children is not None,
            "families": self._families is not None,
            "bodies": self._bodies is not None,
            "cases": self._cases is not None,
            "referrals": self._referrals is not None,
        }
        return known.get(need, False)

    def child(self, child_id: str) -> Child | None:
        """Return the child with this id, or ``None`` if there is none (or it is not known)."""
        return (self._children or {}).get(child_id)

    def family(self, family_id: str) -> Family | None:
        """Return the family with this id, or ``None``."""
        return (self._families or {}).get(family_id)

    def has_family(self, family_id: str) -> bool:
        """Return whether the family with this id exists (the records given hold it).

        For rules that only need to know it exists: a subclass backed by a store may answer
        without reading the family; by default, ``family(family_id) is not None``.
        """
        return self.family(family_id) is not None

    def body(self, body_id: str) -> TerritorialBody | None:
        """Return the territorial body with this id, or ``None``."""
        return (self._bodies or {}).get(body_id)

    def case(self, case_id: str) -> Case | None:
        """Return the case with this id, or ``None``."""
        return (self._cases or {}).get(case_id)

    def children_with_identifier(self, scheme: IdentifierScheme, value: str) -> Sequence[Child]:
        """Return the children carrying the identifier ``value`` in ``scheme``, as written."""
        return tuple(self._by_identifier.get((scheme, value), ()))

    def referrals_of_case(self, case_id: str) -> Sequence[Referral]:
        """Return the referrals of the case with this id, in the order they were given."""
        return tuple(self._by_case.get(case_id, ()))


def _checked_date(on: object) -> date:
    if not isinstance(on, date) or isinstance(on, datetime):
        msg = f"the date of validation must be a date, got {type(on).__name__}"
        raise TypeError(msg)
    return on
