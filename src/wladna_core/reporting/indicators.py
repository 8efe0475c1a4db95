"""Indicators: what a report can count, by which dimensions, and how each store computes it.

An :class:`Indicator` has a stable ``name``, a ``title``, a one-paragraph ``definition``, the
``unit`` of its headline measure, its ``measures``, the ``dimensions`` a report may break it
down by (or filter it on), and what it counts (cases or referrals).  It computes through two
functions:

``compute(records, query)``
    the reference path, plain Python over the records a unit of work streams
    (:class:`~wladna_core.reporting.engine.Records`); the memory store, and any store that
    cannot do better, runs it;
``sql(report, query)``, optional
    the same rows computed in the database with grouped statements
    (:class:`~wladna_core.storage.sql.reporting.SqlReport`); the SQL store runs it when given.

Both return one row per group: the keys of ``query.by`` in order, then the measures in the
order of :attr:`Indicator.measures`; with no dimension, exactly one row.  A period dimension's
key is a number (``202601`` for January 2026, ``20261`` for its quarter, ``2026`` for its year),
which the report shows as ``2026-01``, ``2026-Q1``, ``2026``.  :meth:`Indicator.declare` builds
both functions from one declaration (:mod:`wladna_core.reporting.engine`), as the built-in
indicators are made.

Indicators come from plug-ins through the ``wladna_indicators`` hook; the built-in ones
(:mod:`wladna_core.reporting.builtin`) are contributed the same way.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.errors import WladnaError
from wladna_core.model import (
    CaseStatus,
    ProtectionConcern,
    ReferralStatus,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
)
from wladna_core.reporting.cellkey import CellKeyMethod
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, Grouping, Records, Row, Window
from wladna_core.storage.sql.reporting import AGE_BANDS

if TYPE_CHECKING:
    from wladna_core.reporting.engine import Declared
    from wladna_core.storage.ports import UnitOfWork
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = [
    "COUNTS",
    "DIMENSIONS",
    "UNITS",
    "DimensionNotAllowed",
    "Indicator",
    "IndicatorQuery",
    "ReportError",
    "ReportFilter",
    "UnknownIndicator",
]

#: The dimensions of the built-in indicators: period buckets, territory, body, and the case's
#: or referral's attributes.  Plug-in indicators may name others.
DIMENSIONS: Final = (
    *PERIOD_DIMENSIONS,
    "region",
    "province",
    "body",
    "risk",
    "concern",
    "sex",
    "age_band",
    "status",
    "service",
    "programme",
)
#: The units of an indicator's headline measure.
UNITS: Final = ("count", "share", "days")
#: What an indicator counts: the casework's cases and referrals, and the records of other
#: kinds (the training programme's participants, bodies, sessions...).
COUNTS: Final = (
    "cases",
    "referrals",
    "participants",
    "bodies",
    "sessions",
    "enrolments",
    "evaluations",
    "sites",
    "people",
    "services",
    "contacts",
    "reunifications",
)

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ReportError(WladnaError, ValueError):
    """A report cannot be made as asked; the message says what to ask instead."""


class UnknownIndicator(ReportError, LookupError):
    """No installed indicator has this name.

    :param name: the name asked for.
    :param known: the names of the indicators that exist.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(
            f"there is no indicator {name!r}; the indicators are {', '.join(self.known)} "
            "(install the plug-in that offers it, or correct the name)"
        )

    def __reduce__(self) -> tuple[type[UnknownIndicator], tuple[str, tuple[str, ...]]]:
        return (type(self), (self.name, self.known))


class DimensionNotAllowed(ReportError):
    """An indicator cannot be broken down by (or filtered on) a dimension.

    :param indicator: the indicator's name.
    :param dimension: the dimension asked for.
    :param allowed: the dimensions the indicator allows.
    :param use: ``"broken down by"`` or ``"filtered on"``.
    """

    def __init__(
        self,
        indicator: str,
        dimension: str,
        allowed: Iterable[str],
        use: str = "broken down by",
    ) -> None:
        self.indicator = indicator
        self.dimension = dimension
        self.allowed = tuple(allowed)
        self.use = use
        choices = ", ".join(self.allowed) or "no dimension"
        super().__init__(
            f"indicator {indicator!r} cannot be {use} {dimension!r}; it allows {choices}. "
            f"Leave {dimension!r} out, or ask for it in a separate report without {indicator!r}"
        )

    def __reduce__(self) -> tuple[type[DimensionNotAllowed], tuple[str, str, tuple[str, ...], str]]:
        return (type(self), (self.indicator, self.dimension, self.allowed, self.use))


def _name(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        msg = (
            f"an indicator's name is lower-case letters, digits and underscores, starting with "
            f"a letter, e.g. 'cases_opened'; got {value!r}"
        )
        raise ValueError(msg)


def _text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"an indicator's {attribute.name} must be a non-empty string, got {value!r}"
        raise ValueError(msg)


def _one_of(choices: Sequence[str]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices:
            msg = f"an indicator's {attribute.name} is one of {', '.join(choices)}; got {value!r}"
            raise ValueError(msg)

    return check


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _behind(value: Mapping[str, Sequence[str]]) -> Mapping[str, tuple[str, ...]]:
    return {name: tuple(counts) for name, counts in value.items()}


Compute = Callable[[Records, "IndicatorQuery"], Iterable[Sequence[object]]]
ComputeSql = Callable[["SqlReport", "IndicatorQuery"], Iterable[Sequence[object]]]


@attrs.frozen
class Indicator:
    """A key performance indicator a report can show.

    :param name: stable, unique among all plug-ins, e.g. ``cases_opened``.
    :param title: a few words for people, e.g. ``Cases opened``.
    :param definition: one paragraph saying exactly what is counted; shown in the docs and
        carried by every table.
    :param unit: ``count``, ``share`` or ``days``: the unit of the headline measure.
    :param measures: the names of the values each row carries.
    :param dimensions: the dimensions a report may break the indicator down by, or filter on.
    :param counts: what it counts, one of :data:`COUNTS`.
    :param compute: the Python computation (see the module's documentation).
    :param sql: the SQL computation, or ``None`` to compute in Python on every store.
    :param counts_behind: for each measure that is not a count (a share, a median), the count
        measures it rests on; privacy suppression withholds it wherever they are withheld.
    :param sums: for each count that is, in every row, the sum of other counts (``closed`` of
        its bands), those counts; privacy suppression treats these as published equations.
    :param keyed: whether ``compute`` and ``sql`` protect their rows themselves when the query
        carries a cell-key method (``query.protection``): every count rounded by its cell key,
        every other value withheld unless it can be shown (see :mod:`wladna_core.reporting.
        cellkey`).  Only such an indicator is reported to aggregate-only actors.
        :meth:`declare` makes keyed indicators, as do the training programme's and the case
        file's declarations (:class:`wladna_core.training.indicators.Measured`); set it
        yourself only on an indicator whose computations do this.
    :raises ValueError: if a field is malformed, or ``counts_behind`` or ``sums`` names an
        unknown measure.
    """

    name: str = attrs.field(validator=_name)
    title: str = attrs.field(validator=_text)
    definition: str = attrs.field(validator=_text)
    unit: str = attrs.field(validator=_one_of(UNITS))
    measures: tuple[str, ...] = attrs.field(converter=_names)
    dimensions: tuple[str, ...] = attrs.field(converter=_names)
    counts: str = attrs.field(validator=_one_of(COUNTS))
    compute: Compute = attrs.field(eq=False, repr=False)
    sql: ComputeSql | None = attrs.field(default=None, eq=False, repr=False)
    counts_behind: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=_behind, eq=False
    )
    sums: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_behind, eq=False)
    keyed: bool = attrs.field(default=False, kw_only=True, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.measures:
            msg = f"indicator {self.name!r} has no measure"
            raise ValueError(msg)
        for field, relations in (("counts_behind", self.counts_behind), ("sums", self.sums)):
            for derived, counts in relations.items():
                for measure in (derived, *counts):
                    if measure not in self.measures:
                        msg = (
                            f"indicator {self.name!r}: {field} names {measure!r}, which is "
                            f"not one of its measures {self.measures}"
                        )
                        raise ValueError(msg)

    @property
    def description(self) -> str:
        """The definition's first sentence: the indicator in one line, for lists of indicators."""
        first, _dot, _rest = self.definition.partition(". ")
        return first.rstrip(".") + "."

    @classmethod
    def declare(
        cls,
        computation: Declared,
        *,
        name: str,
        title: str,
        definition: str,
        unit: str,
        dimensions: Iterable[str],
        counts: str,
        counts_behind: Mapping[str, Sequence[str]] | None = None,
        sums: Mapping[str, Sequence[str]] | None = None,
    ) -> Indicator:
        """Return an indicator computed by ``computation`` in Python and in SQL alike.

        Its measures are those of ``computation``, in order.
        """
        order = computation.measures

        def compute(records: Records, query: IndicatorQuery) -> list[Row]:
            return computation.compute(records, query.grouping, order)

        def sql(report: SqlReport, query: IndicatorQuery) -> list[Row]:
            return computation.compute_sql(report, query.grouping, order)

        return cls(
            name=name,
            title=title,
            definition=definition,
            unit=unit,
            measures=order,
            dimensions=tuple(dimensions),
            counts=counts,
            compute=compute,
            sql=sql,
            counts_behind=counts_behind or {},
            sums=sums or {},
            keyed=True,
        )


# Filters ------------------------------------------------------------------------------------


def _codes(allowed: frozenset[str] | None, field: str, value: object) -> frozenset[str] | None:
    if value is None:
        return None
    items: Iterable[object] = (
        [value] if isinstance(value, str | enum.Enum) or not isinstance(value, Iterable) else value
    )
    codes: set[str] = set()
    for item in items:
        code = item.value if isinstance(item, enum.Enum) else item
        if not isinstance(code, str) or not code:
            msg = f"the report filter {field} takes codes (strings), got {item!r}"
            raise ReportError(msg)
        if allowed is not None and code not in allowed:
            msg = (
                f"the report filter {field} got {code!r}, which is not one of "
                f"{', '.join(sorted(allowed))}"
            )
            raise ReportError(msg)
        codes.add(code)
    return frozenset(codes)


def _values(*kinds: type[enum.Enum]) -> frozenset[str]:
    return frozenset(str(member.value) for kind in kinds for member in kind)


_AGE_BANDS: Final = frozenset(label for label, _first, _last in AGE_BANDS)
_ALLOWED: Final[dict[str, frozenset[str] | None]] = {
    "bodies": None,
    "regions": None,
    "provinces": None,
    "risk": _values(RiskLevel),
    "status": _values(CaseStatus, ReferralStatus),
    "concern": _values(ProtectionConcern),
    "sex": _values(Sex),
    "age_band": _AGE_BANDS,
    "service": _values(ServiceType),
    "programme": _values(SocialProgramme),
}

# One named converter per field, so that type checkers see each field's accepted input.


def _bodies(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["bodies"], "bodies", value)


def _regions(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["regions"], "regions", value)


def _provinces(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["provinces"], "provinces", value)


def _risk(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["risk"], "risk", value)


def _status(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["status"], "status", value)


def _concern(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["concern"], "concern", value)


def _sex(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["sex"], "sex", value)


def _age_band(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["age_band"], "age_band", value)


def _service(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["service"], "service", value)


def _programme(value: object) -> frozenset[str] | None:
    return _codes(_ALLOWED["programme"], "programme", value)


#: The fields of :class:`ReportFilter` and the dimension each filters.
_FILTER_DIMENSIONS: Final = {
    "bodies": "body",
    "regions": "region",
    "provinces": "province",
    "risk": "risk",
    "status": "status",
    "concern": "concern",
    "sex": "sex",
    "age_band": "age_band",
    "service": "service",
    "programme": "programme",
}


@attrs.frozen
class ReportFilter:
    """Which cases or referrals a report counts: each filter set keeps those whose value is in it.

    A filter left at ``None`` keeps everything; an empty set keeps nothing.  Values are codes
    (or enumeration members).  The services restrict an actor who is not national to their
    bodies through ``bodies``.  A filtered dimension must be allowed by every indicator of the
    report.  ``concern`` keeps cases having one of the concerns; when the report is broken down
    by concern too, only those concerns' rows are shown.

    :param bodies: ids of responsible bodies (of the body that made a referral).
    :param regions: region codes, e.g. ``MA-04``.
    :param provinces: province or prefecture codes, e.g. ``MA-SAL``.
    :param risk: risk levels.
    :param status: case statuses (referral statuses for referral indicators).
    :param concern: protection concerns.
    :param sex: the child's sex.
    :param age_band: ``0-5``, ``6-11``, ``12-17``.
    :param service: service types of referrals.
    :param programme: social programmes referred to.
    :raises ReportError: for a value that is not a code of its kind.
    """

    bodies: frozenset[str] | None = attrs.field(default=None, converter=_bodies)
    regions: frozenset[str] | None = attrs.field(default=None, converter=_regions)
    provinces: frozenset[str] | None = attrs.field(default=None, converter=_provinces)
    risk: frozenset[str] | None = attrs.field(default=None, converter=_risk)
    status: frozenset[str] | None = attrs.field(default=None, converter=_status)
    concern: frozenset[str] | None = attrs.field(default=None, converter=_concern)
    sex: frozenset[str] | None = attrs.field(default=None, converter=_sex)
    age_band: frozenset[str] | None = attrs.field(default=None, converter=_age_band)
    service: frozenset[str] | None = attrs.field(default=None, converter=_service)
    programme: frozenset[str] | None = attrs.field(default=None, converter=_programme)

    @classmethod
    def of(cls, where: ReportFilter | Mapping[str, object] | None) -> ReportFilter:
        """Return ``where`` as a filter: a mapping's keys are field or dimension names.

        >>> ReportFilter.of({"body": "b1", "risk": ["high"]}).conditions()
        {'body': frozenset({'b1'}), 'risk': frozenset({'high'})}

        :raises ReportError: for an unknown key or a bad value.
        """
        if where is None:
            return cls()
        if isinstance(where, ReportFilter):
            return where
        raw: object = where  # checked at run time: callers may pass anything
        if not isinstance(raw, Mapping):
            msg = f"where= takes a ReportFilter or a mapping, got {type(raw).__name__}"
            raise ReportError(msg)
        by_dimension = {dimension: field for field, dimension in _FILTER_DIMENSIONS.items()}
        given: dict[str, object] = {}
        for key, value in where.items():
            field = key if key in _FILTER_DIMENSIONS else by_dimension.get(key)
            if field is None:
                known = ", ".join(_FILTER_DIMENSIONS)
                msg = f"a report cannot be filtered on {key!r}; the filters are {known}"
                raise ReportError(msg)
            given[field] = value
        return cls(**given)

    def conditions(self) -> dict[str, frozenset[str]]:
        """Return the filters that are set, by dimension name."""
        return {
            dimension: values
            for field, dimension in _FILTER_DIMENSIONS.items()
            if (values := getattr(self, field)) is not None
        }


# Queries --------------------------------------------------------------------------------------


@attrs.frozen
class IndicatorQuery:
    """One indicator to compute, for :meth:`Store.aggregate <wladna_core.storage.Store.aggregate>`.

    :param indicator: the indicator.
    :param by: the dimensions to group by, in order (allowed by the indicator).
    :param where: the filters, by dimension (see :meth:`ReportFilter.conditions`).
    :param window: the days looked at and the deadlines.
    :param protection: the cell-key method the counts are published by, or ``None`` for the
        counts as they are.  Only declared indicators (:meth:`Indicator.declare`) apply it: the
        report refuses any other under this protection.
    """

    indicator: Indicator
    by: tuple[str, ...] = attrs.field(converter=_names)
    where: Mapping[str, frozenset[str]]
    window: Window
    protection: CellKeyMethod | None = None

    @property
    def grouping(self) -> Grouping:
        """The grouping of the declared computations."""
        return Grouping(self.by, self.where, self.window, self.protection)

    def compute(self, unit_of_work: UnitOfWork) -> list[Row]:
        """Return the rows computed in Python over the records of ``unit_of_work``."""
        return self._checked(self.indicator.compute(Records(unit_of_work), self))

    def compute_sql(self, sql: SqlReport) -> list[Row]:
        """Return the rows computed in SQL, or in Python when the indicator has no SQL."""
        if self.indicator.sql is None:
            return self.compute(sql.unit_of_work)
        return self._checked(self.indicator.sql(sql, self))

    def _checked(self, rows: Iterable[Sequence[object]]) -> list[Row]:
        width = len(self.by) + len(self.indicator.measures)
        checked = [tuple(row) for row in rows]
        for row in checked:
            if len(row) != width:
                msg = (
                    f"indicator {self.indicator.name!r} returned a row of {len(row)} values for "
                    f"{len(self.by)} dimension(s) and {len(self.indicator.measures)} measure(s): "
                    f"{row!r}; the plug-in that offers it must be fixed"
                )
                raise ReportError(msg)
        if not self.by and len(checked) != 1:
            msg = (
                f"indicator {self.indicator.name!r} returned {len(checked)} rows without "
                "dimensions, where one is due; the plug-in that offers it must be fixed"
            )
            raise ReportError(msg)
        return checked
