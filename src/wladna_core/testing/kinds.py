"""A kind of record the core does not know, declared by a plug-in, for the adapter contract suite.

:data:`HOME_VISIT` declares :class:`HomeVisit` — a social worker's visit to a child's home —
through the same hook (``wladna_record_kinds``) a partner's plug-in uses, with a field of every
type and a set of values, and the migration that creates its SQL tables
(``wladna_core.testing.kind_migrations``).  The contract suite
(:mod:`wladna_core.testing.conformance`) opens every store with this plug-in registered, so that
a third-party adapter proves it keeps kinds of record it has never heard of.

Register it in a plug-in manager to use it in a test suite::

    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(wladna_core.testing.kinds, name="wladna-test-kinds")
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.hookspecs import hookimpl
from wladna_core.model import ProtectionConcern, new_id
from wladna_core.storage.kinds import (
    Field,
    FieldType,
    Filter,
    ManyField,
    Match,
    RecordKind,
    RecordQuery,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hypothesis import strategies as st

__all__ = [
    "HOME_VISIT",
    "PLACES",
    "PLUGIN_NAME",
    "HomeVisit",
    "VisitOutcome",
    "home_visit_queries",
    "home_visits",
    "wladna_record_kinds",
]

#: The name the plug-in is registered under by the contract suite.
PLUGIN_NAME: Final = "wladna-test-kinds"


class VisitOutcome(enum.Enum):
    """What came of a home visit."""

    MET_CHILD = "met_child"
    NO_ONE_HOME = "no_one_home"
    REFUSED = "refused"


def _concerns(value: Iterable[ProtectionConcern]) -> frozenset[ProtectionConcern]:
    return frozenset(value)


@attrs.frozen
class HomeVisit:
    """A social worker's visit to a child's home (a kind of record declared by a plug-in).

    :param case_id: the case the visit belongs to.
    :param visited_on: the day of the visit.
    :param place: the territory code of the home.
    :param outcome: what came of it.
    :param minutes: how long it lasted.
    :param child_seen: whether the worker saw the child.
    :param concerns_seen: the protection concerns the worker noted.
    :param note: free text.
    """

    case_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    visited_on: date = attrs.field(validator=attrs.validators.instance_of(date))
    place: str = attrs.field(validator=attrs.validators.instance_of(str))
    outcome: VisitOutcome = attrs.field(validator=attrs.validators.instance_of(VisitOutcome))
    minutes: int = attrs.field(default=30, validator=attrs.validators.ge(0))
    child_seen: bool = False
    concerns_seen: frozenset[ProtectionConcern] = attrs.field(
        default=frozenset(), converter=_concerns
    )
    note: str = ""
    id: str = attrs.field(factory=new_id)
    version: int = 0


#: The declaration of :class:`HomeVisit`: a field of every type, a set, and a filter of each kind.
HOME_VISIT: Final[RecordKind[HomeVisit]] = RecordKind(
    name="test_home_visit",
    record_type=HomeVisit,
    table="test_home_visits",
    fields=(
        Field("case_id", FieldType.TEXT, lambda visit: visit.case_id, length=36, nullable=False),
        Field("visited_on", FieldType.DATE, lambda visit: visit.visited_on, nullable=False),
        Field("place", FieldType.TERRITORY, lambda visit: visit.place, nullable=False),
        Field("outcome", FieldType.CODE, lambda visit: visit.outcome, nullable=False),
        Field("minutes", FieldType.INTEGER, lambda visit: visit.minutes, index=False),
        Field("child_seen", FieldType.BOOLEAN, lambda visit: visit.child_seen),
    ),
    many=(
        ManyField(
            "concerns_seen",
            (("concern", FieldType.CODE),),
            lambda visit: [(concern,) for concern in sorted(visit.concerns_seen)],
        ),
    ),
    filters={
        "case_id": Filter("case_id", Match.EQUAL),
        "visited_from": Filter("visited_on", Match.FROM),
        "visited_to": Filter("visited_on", Match.TO),
        "place": Filter("place", Match.WITHIN),
        "outcome": Filter("outcome", Match.ONE_OF),
        "child_seen": Filter("child_seen", Match.EQUAL),
        "concern": Filter("concerns_seen", Match.CONTAINS),
        "any_concern": Filter("concerns_seen", Match.CONTAINS_ANY),
    },
    migrations="wladna_core.testing.kind_migrations",
    description="A social worker's visit to a child's home.",
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the test kind of record :data:`HOME_VISIT`."""
    return [HOME_VISIT]


# Hypothesis strategies --------------------------------------------------------------------------

#: Territory codes visits are drawn in: two provinces of one region, a province of another, and a
#: region itself, so that territory filters select some visits and not others.
PLACES: Final = ("MA-SAL", "MA-RAB", "MA-KEN", "MA-CAS")


def home_visits(case_ids: tuple[str, ...] = ("case-a", "case-b")) -> st.SearchStrategy[HomeVisit]:
    """Draw valid home visits (version 0), of the given cases, in :data:`PLACES`."""
    from hypothesis import strategies as st  # noqa: PLC0415 (the testing extra, on use)

    return st.builds(
        HomeVisit,
        case_id=st.sampled_from(case_ids),
        visited_on=st.dates(date(2025, 1, 1), date(2025, 12, 31)),
        place=st.sampled_from(PLACES),
        outcome=st.sampled_from(VisitOutcome),
        minutes=st.integers(0, 240),
        child_seen=st.booleans(),
        concerns_seen=st.frozensets(st.sampled_from(list(ProtectionConcern)[:5]), max_size=3),
        note=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    )


def home_visit_queries(
    case_ids: tuple[str, ...] = ("case-a", "case-b"),
) -> st.SearchStrategy[RecordQuery[HomeVisit]]:
    """Draw searches among home visits: any combination of the declared filters."""
    from hypothesis import strategies as st  # noqa: PLC0415 (the testing extra, on use)

    def maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.none() | values

    days = st.dates(date(2025, 1, 1), date(2025, 12, 31))
    return st.builds(
        HOME_VISIT.query,
        case_id=maybe(st.sampled_from(case_ids)),
        visited_from=maybe(days),
        visited_to=maybe(days),
        place=maybe(st.sampled_from((*PLACES, "MA-04", "MA-06"))),
        outcome=maybe(st.frozensets(st.sampled_from(VisitOutcome), max_size=2)),
        child_seen=maybe(st.booleans()),
        concern=maybe(st.sampled_from(list(ProtectionConcern)[:5])),
        any_concern=maybe(st.frozensets(st.sampled_from(list(ProtectionConcern)[:5]), max_size=3)),
    )
