"""The indicators of the training programme, through the same machinery as casework's.

This module is a built-in plug-in: its ``wladna_indicators`` offers :data:`TRAINING_INDICATORS`,
which :meth:`wladna_core.Wladna.report` computes like any other — in grouped SQL on a SQL store
(one ``SELECT ... GROUP BY`` each, over the training kinds' tables, the bodies and the audit
trail), in Python on the memory store, with the same rows.

Each indicator is declared once as a :class:`Measured`: the *facts* it counts (one per
participant, body, session, enrolment, evaluation...), as Python values and as SQL columns, its
dimensions and its measures.  Region and province are those of the participant's body or of the
session's territory.  Events are counted by the first day of their session (or the day of the
audit entry), within the report's period; sites by their latest survey up to the report's date.

**Small groups of evaluations are suppressed** whatever the report's privacy: a row of
``training_evaluation_scores`` or ``training_needs`` resting on fewer than
:data:`MIN_GROUP_SIZE` evaluations shows no mean and no count, so that no evaluation can be
singled out.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs
import sqlalchemy as sa

from wladna_core.audit import DONE
from wladna_core.hookspecs import hookimpl
from wladna_core.reporting.cellkey import MODULUS
from wladna_core.reporting.indicators import Indicator
from wladna_core.services import WARNING_ACTION as CASEWORK_WARNING
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.training.enums import Criterion, InternetAccess
from wladna_core.training.evaluations import Evaluation
from wladna_core.training.kinds import (
    ENROLMENT,
    EVALUATION,
    PARTICIPANT,
    SESSION,
    SITE,
    UNIT,
    score_column,
)
from wladna_core.training.required_units import MISSING_CODE
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.units import TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from wladna_core.model import Gazetteer
    from wladna_core.reporting.cellkey import CellKeyMethod, RecordKeys
    from wladna_core.reporting.engine import Records, Window
    from wladna_core.reporting.indicators import IndicatorQuery
    from wladna_core.storage.sql.reporting import SqlReport

__all__ = [
    "MIN_GROUP_SIZE",
    "TRAINING_INDICATORS",
    "WARNING_ACTION",
    "Measure",
    "Measured",
    "wladna_indicators",
]

#: The fewest evaluations a row of evaluation scores or needs shows (the settings' default).
MIN_GROUP_SIZE: Final = TrainingSettings().min_group_size
#: The audit action of a warning a ``wladna_authorize`` plug-in gave on a casework write.
WARNING_ACTION: Final = CASEWORK_WARNING

Facts = dict[str, Any]
Columns = dict[str, sa.ColumnElement[Any]]
#: A group: its key, its measures by name, and how many facts it holds.
_Entry = tuple[tuple[object, ...], dict[str, object], int]


class How(enum.Enum):
    """How a measure is worked out from a group's facts."""

    #: How many facts.
    COUNT = "count"
    #: How many facts whose ``field`` is true.
    COUNT_TRUE = "count_true"
    #: How many distinct values of ``field``.
    DISTINCT = "distinct"
    #: The sum of ``field``.
    SUM = "sum"
    #: The mean of ``field`` over the facts that have one, two decimals.
    MEAN = "mean"
    #: ``field`` (a measure) divided by ``over`` (a measure), four decimals.
    SHARE = "share"


@attrs.frozen
class Measure:
    """One value of each row of a :class:`Measured` indicator.

    :param name: the measure's name.
    :param how: how it is worked out.
    :param field: the fact it reads (for a share, the measure divided).
    :param over: for a share, the measure it is divided by.
    :param small: whether it is withheld in a row of fewer than :data:`MIN_GROUP_SIZE` facts.
    """

    name: str
    how: How
    field: str | None = None
    over: str | None = None
    small: bool = False


Source = Callable[["SqlReport", "Window"], tuple[sa.FromClause, Columns, list[Any]]]
PythonFacts = Callable[["Records", "Window"], "Iterable[Facts]"]


@attrs.frozen
class Measured:
    """An indicator declared by its facts, dimensions and measures, computed in both ways.

    Under the cell-key method (a query's ``protection``, as in reports for aggregate-only
    actors; see :mod:`wladna_core.reporting.cellkey`), every count is published rounded by its
    cell key, the sum of the record keys of the facts it counts (of the distinct values, for a
    :attr:`How.DISTINCT` count), the same in Python and in SQL; a share is worked out from the
    counts published; a mean is shown, to whole units, only where the facts it rests on, counted
    and rounded the same way, surely number the method's threshold; a sum is withheld (one
    record's part of it would show in the difference of two sums); a ``small`` measure is shown
    only where the row's facts, so counted, surely number :data:`MIN_GROUP_SIZE` and the
    threshold.

    :param facts: the facts in Python, from the records of a unit of work.
    :param source: the facts in SQL: a FROM clause, the columns by fact name, and conditions.
    :param dimensions: the dimensions, each the name of a fact.
    :param measures: the measures.
    :param key: the fact naming what each fact counts (a record's id, as text): its record key
        makes the cell keys.
    """

    facts: PythonFacts
    source: Source
    dimensions: tuple[str, ...]
    measures: tuple[Measure, ...]
    key: str = "id"

    def python(self, records: Records, query: IndicatorQuery) -> list[tuple[object, ...]]:
        """Return the rows, computed in Python."""
        grouping = query.grouping
        groups: dict[tuple[object, ...], list[Facts]] = defaultdict(list)
        for facts in self.facts(records, grouping.window):
            if all(facts.get(name) in values for name, values in grouping.where.items()):
                groups[tuple(facts.get(name) for name in grouping.by)].append(facts)
        if not grouping.by:
            groups.setdefault((), [])
        method = query.protection
        if method is not None:
            return self._published(
                method, [(key, self._cells(items, method.keys)) for key, items in groups.items()]
            )
        return self._finish(
            [(key, self._values(items), len(items)) for key, items in groups.items()]
        )

    def _values(self, items: list[Facts]) -> dict[str, object]:
        values: dict[str, object] = {}
        for measure in self.measures:
            values[measure.name] = _python_value(measure, items, values)
        return values

    def _cells(self, items: list[Facts], keys: RecordKeys) -> dict[str, object]:
        """Return a group's counts as cells, its means exact with the cell of their facts."""
        cells: dict[str, object] = {_FACTS: _cell(items, self.key, keys)}
        for measure in self.measures:
            field = measure.field or ""
            if measure.how is How.COUNT:
                cells[measure.name] = cells[_FACTS]
            elif measure.how is How.COUNT_TRUE:
                cells[measure.name] = _cell([f for f in items if f[field]], self.key, keys)
            elif measure.how is How.DISTINCT:
                distinct = {f[field] for f in items if f[field] is not None}
                found = {keys.of(str(value)) for value in distinct}
                cells[measure.name] = _Cell(len(distinct), sum(found) % MODULUS)
            elif measure.how is How.MEAN:
                given = [f for f in items if f[field] is not None]
                cells[measure.name] = _python_value(measure, items, {})
                cells[_rests_on(measure)] = _cell(given, self.key, keys)
        return cells

    def _published(
        self, method: CellKeyMethod, entries: list[tuple[tuple[object, ...], dict[str, object]]]
    ) -> list[tuple[object, ...]]:
        """Return the rows under the cell-key method (see the class), in order."""
        rows: list[tuple[object, ...]] = []
        smallest = max(MIN_GROUP_SIZE, method.threshold)
        for key, cells in sorted(entries, key=_order):
            facts = cells[_FACTS]
            assert isinstance(facts, _Cell)
            counted = [cells[m.name] for m in self.measures if m.how in _COUNTED] or [facts]
            if key and all(
                isinstance(cell, _Cell) and method.perturb(cell.count, cell.key) == 0
                for cell in counted
            ):
                # A group exists only if it holds a record: shown with counts rounded to 0, it
                # would tell it holds a few (see reporting.build._without_empty_groups).
                continue
            small_shown = method.could_be(method.perturb(facts.count, facts.key)).start >= smallest
            values: dict[str, object] = {}
            for measure in self.measures:
                value: object = None
                if measure.how in _COUNTED:
                    cell = cells[measure.name]
                    assert isinstance(cell, _Cell)
                    value = method.perturb(cell.count, cell.key)
                elif measure.how is How.MEAN:
                    behind = cells[_rests_on(measure)]
                    assert isinstance(behind, _Cell)
                    mean = cells[measure.name]
                    if isinstance(mean, float) and method.proves_threshold(
                        method.perturb(behind.count, behind.key)
                    ):
                        # To whole units: finer, with whole values averaged, a mean could tell
                        # how many facts it rests on, which the rounded counts hide.
                        value = float(round(mean))
                elif measure.how is How.SHARE:
                    share = _share(values, measure)
                    # Rounded counts can put more above the line than below it.
                    value = None if share is None else min(share, 1.0)
                values[measure.name] = value
            rows.append(
                (
                    *key,
                    *(
                        None if measure.small and not small_shown else values[measure.name]
                        for measure in self.measures
                    ),
                )
            )
        return rows

    def _finish(self, entries: list[_Entry]) -> list[tuple[object, ...]]:
        """Return the rows in order, small groups withheld with enough others.

        A row of fewer than :data:`MIN_GROUP_SIZE` facts withholds its ``small`` measures; then,
        while the withheld rows hold fewer than that many facts together, the smallest row still
        shown is withheld too, so that the total less the rows shown never gives a small group.
        """
        entries = sorted(entries, key=lambda entry: _order((entry[0], None)))
        withheld: set[int] = set()
        if any(measure.small for measure in self.measures):
            withheld = {index for index, entry in enumerate(entries) if entry[2] < MIN_GROUP_SIZE}
            shown = sorted((entry[2], index) for index, entry in enumerate(entries))
            shown = [item for item in shown if item[1] not in withheld]
            while withheld and shown and sum(entries[i][2] for i in withheld) < MIN_GROUP_SIZE:
                withheld.add(shown.pop(0)[1])
        return [
            (
                *key,
                *(None if index in withheld and m.small else values[m.name] for m in self.measures),
            )
            for index, (key, values, _size) in enumerate(entries)
        ]

    def sql(self, report: SqlReport, query: IndicatorQuery) -> list[tuple[object, ...]]:
        """Return the rows, computed with one grouped statement."""
        grouping = query.grouping
        from_clause, columns, conditions = self.source(report, grouping.window)
        conditions = list(conditions)
        for name, kept in grouping.where.items():
            conditions.append(columns[name].in_(sorted(kept)))
        keys = [columns[name].label(f"k{index}") for index, name in enumerate(grouping.by)]
        method = query.protection
        aggregates: list[sa.ColumnElement[Any]] = [sa.func.count().label("n")]
        if method is not None:
            record_key = method.keys.sql(columns[self.key], report)
            aggregates.extend(self._keyed_sql(method, report, columns, record_key))
        else:
            for index, measure in enumerate(self.measures):
                if measure.how is not How.SHARE:
                    aggregates.append(_sql_value(measure, columns).label(f"m{index}"))
        statement = sa.select(*keys, *aggregates).select_from(from_clause)
        if conditions:
            statement = statement.where(*conditions)
        if keys:
            statement = statement.group_by(*keys)
        rows = list(report.execute(statement))
        if method is None:
            return self._plain(rows, len(keys))
        found = [(tuple(row[: len(keys)]), self._sql_cells(row[len(keys) :])) for row in rows]
        if not keys and not found:
            found.append(((), self._sql_cells((None,) * len(aggregates))))
        return self._published(method, found)

    def _plain(self, rows: Sequence[Sequence[Any]], keys: int) -> list[tuple[object, ...]]:
        """Return the rows of the grouped statement without protection (``keys`` dimensions)."""
        entries: list[_Entry] = []
        for row in rows:
            values: dict[str, object] = {}
            position = keys + 1
            for measure in self.measures:
                if measure.how is How.SHARE:
                    values[measure.name] = _share(values, measure)
                    continue
                values[measure.name] = _tidy(measure, row[position])
                position += 1
            entries.append((tuple(row[:keys]), values, int(row[keys])))
        if not keys and not entries:
            entries.append(((), self._values([]), 0))
        return self._finish(entries)

    def _keyed_sql(
        self,
        method: CellKeyMethod,
        report: SqlReport,
        columns: Columns,
        record_key: sa.ColumnElement[int],
    ) -> list[sa.ColumnElement[Any]]:
        """Return the aggregates of :meth:`_sql_cells`: each count then its keys' sum."""
        found: list[sa.ColumnElement[Any]] = [sa.func.sum(record_key)]
        for measure in self.measures:
            if measure.how is How.COUNT_TRUE:
                column = columns[measure.field or ""]
                found.append(_sql_value(measure, columns))
                found.append(sa.func.sum(sa.case((column, record_key), else_=0)))
            elif measure.how is How.DISTINCT:
                column = columns[measure.field or ""]
                found.append(_sql_value(measure, columns))
                found.append(sa.func.sum(sa.distinct(method.keys.sql(column, report))))
            elif measure.how is How.MEAN:
                column = columns[measure.field or ""]
                found.append(_sql_value(measure, columns))
                found.append(sa.func.count(column))
                found.append(sa.func.sum(sa.case((column.is_not(None), record_key), else_=0)))
        return [value.label(f"m{index}") for index, value in enumerate(found)]

    def _sql_cells(self, row: Sequence[Any]) -> dict[str, object]:
        """Return the cells of a row of :meth:`_keyed_sql`'s aggregates (see :meth:`_cells`)."""
        values = iter(row)

        def cell() -> _Cell:
            count, key = next(values), next(values)
            return _Cell(int(count or 0), int(key or 0) % MODULUS)

        cells: dict[str, object] = {_FACTS: cell()}
        for measure in self.measures:
            if measure.how is How.COUNT:
                cells[measure.name] = cells[_FACTS]
            elif measure.how in {How.COUNT_TRUE, How.DISTINCT}:
                cells[measure.name] = cell()
            elif measure.how is How.MEAN:
                cells[measure.name] = _tidy(measure, next(values))
                cells[_rests_on(measure)] = cell()
        return cells

    def declare(
        self, *, name: str, title: str, definition: str, unit: str, counts: str
    ) -> Indicator:
        """Return the :class:`~wladna_core.reporting.indicators.Indicator` of this declaration."""
        shares = {
            m.name: tuple(n for n in (m.field, m.over) if n is not None)
            for m in self.measures
            if m.how is How.SHARE
        }
        counted = {m.name for m in self.measures if m.how in {How.COUNT, How.COUNT_TRUE}}
        first_count = next((m.name for m in self.measures if m.how is How.COUNT), None)
        behind: dict[str, tuple[str, ...]] = {}
        for measure in self.measures:
            if measure.how is How.SHARE:
                behind[measure.name] = tuple(n for n in shares[measure.name] if n in counted)
            elif measure.how not in {How.COUNT, How.COUNT_TRUE} and first_count is not None:
                behind[measure.name] = (first_count,)
        return Indicator(
            name=name,
            title=title,
            definition=definition,
            unit=unit,
            measures=tuple(m.name for m in self.measures),
            dimensions=self.dimensions,
            counts=counts,
            compute=self.python,
            sql=self.sql,
            counts_behind={key: value for key, value in behind.items() if value},
            keyed=True,
        )


def _order(item: tuple[tuple[object, ...], object]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is not None, str(value)) for value in item[0])


#: Under the cell-key method: the cell of a group's facts, and the measures published as counts.
_FACTS: Final = " facts"
_COUNTED: Final = frozenset({How.COUNT, How.COUNT_TRUE, How.DISTINCT})


@attrs.frozen
class _Cell:
    """A count and its cell key (the sum of its facts' record keys), before it is published."""

    count: int
    key: int


def _cell(items: list[Facts], key: str, keys: RecordKeys) -> _Cell:
    return _Cell(len(items), keys.cell(str(facts[key]) for facts in items))


def _rests_on(measure: Measure) -> str:
    """Return the name of the cell of the facts a mean rests on."""
    return f" {measure.name} rests on"


def _python_value(measure: Measure, items: list[Facts], values: dict[str, object]) -> object:
    field = measure.field or ""
    if measure.how is How.COUNT:
        return len(items)
    if measure.how is How.COUNT_TRUE:
        return sum(1 for facts in items if facts[field])
    if measure.how is How.DISTINCT:
        return len({facts[field] for facts in items if facts[field] is not None})
    if measure.how is How.SUM:
        return sum(int(facts[field]) for facts in items if facts[field] is not None)
    if measure.how is How.MEAN:
        given = [facts[field] for facts in items if facts[field] is not None]
        return round(sum(given) / len(given), 2) if given else None
    return _share(values, measure)


def _share(values: dict[str, object], measure: Measure) -> float | None:
    top, bottom = values[measure.field or ""], values[measure.over or ""]
    if not isinstance(top, int | float) or not isinstance(bottom, int | float) or not bottom:
        return None
    return round(top / bottom, 4)


def _sql_value(measure: Measure, columns: Columns) -> sa.ColumnElement[Any]:
    if measure.how is How.COUNT:
        return sa.func.count()
    column = columns[measure.field or ""]
    if measure.how is How.COUNT_TRUE:
        return sa.func.coalesce(sa.func.sum(sa.case((column, 1), else_=0)), 0)
    if measure.how is How.DISTINCT:
        return sa.func.count(sa.distinct(column))
    if measure.how is How.SUM:
        return sa.func.coalesce(sa.func.sum(column), 0)
    return sa.func.avg(column)


def _tidy(measure: Measure, value: object) -> object:
    if value is None:
        return None
    if measure.how is How.MEAN:
        return round(float(value), 2)  # type: ignore[arg-type]
    return int(value)  # type: ignore[call-overload]


# --- facts --------------------------------------------------------------------------------------


def _places(gazetteer: Gazetteer, code: str | None) -> tuple[str | None, str | None]:
    if code is None or code not in gazetteer:
        return (None, None)
    province, region = gazetteer.province_of(code), gazetteer.region_of(code)
    return (
        None if province is None else province.code,
        None if region is None else region.code,
    )


def _bodies(records: Records) -> dict[str, tuple[str, str | None, str | None]]:
    gazetteer = records.gazetteer
    return {
        body.id: (body.kind.value, *_places(gazetteer, body.territory))
        for body in records.unit_of_work.bodies.iter()
    }


def _sessions_in(records: Records, window: Window) -> dict[str, TrainingSession]:
    return {
        session.id: session
        for session in records.unit_of_work.repository(TrainingSession).iter()
        if window.holds(session.first_day)
    }


def _completers(records: Records, window: Window) -> set[str]:
    sessions = _sessions_in(records, window)
    return {
        enrolment.participant_id
        for enrolment in records.unit_of_work.repository(Enrolment).iter()
        if enrolment.completed and enrolment.session_id in sessions
    }


def _session_sql(window: Window) -> tuple[sa.Table, sa.ColumnElement[bool]]:
    session = tables_of(SESSION).table
    return session, window.holds_sql(session.c.first_day)


def _completed_sql(window: Window, participant_id: sa.ColumnElement[Any]) -> Any:
    enrolment = tables_of(ENROLMENT).table
    session, held = _session_sql(window)
    return sa.exists(
        sa.select(1)
        .select_from(enrolment.join(session, session.c.id == enrolment.c.session_id))
        .where(enrolment.c.participant_id == participant_id, enrolment.c.completed, held)
    )


def _staff_facts(records: Records, window: Window) -> Iterator[Facts]:
    bodies = _bodies(records)
    trained = _completers(records, window)
    for participant in records.unit_of_work.repository(Participant).iter():
        kind, province, region = bodies.get(participant.body_id, (None, None, None))
        yield {
            "id": participant.id,
            "body_kind": kind,
            "province": province,
            "region": region,
            "role": participant.role.value,
            "trained": participant.id in trained,
        }


def _staff_source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, Columns, list[Any]]:
    participant, body = tables_of(PARTICIPANT).table, tables.bodies
    joined = participant.outerjoin(body, body.c.id == participant.c.body_id)
    columns: Columns = {
        "id": participant.c.id,
        "body_kind": body.c.kind,
        "province": body.c.province,
        "region": body.c.region,
        "role": participant.c.role,
        "trained": _completed_sql(window, participant.c.id),
    }
    return joined, columns, []


def _coverage_facts(records: Records, window: Window) -> Iterator[Facts]:
    trained = _completers(records, window)
    covered = {
        participant.body_id
        for participant in records.unit_of_work.repository(Participant).iter()
        if participant.id in trained
    }
    for body_id, (kind, province, region) in _bodies(records).items():
        yield {
            "id": body_id,
            "body_kind": kind,
            "province": province,
            "region": region,
            "covered": body_id in covered,
        }


def _coverage_source(
    _report: SqlReport, window: Window
) -> tuple[sa.FromClause, Columns, list[Any]]:
    participant, body = tables_of(PARTICIPANT).table, tables.bodies
    covered = sa.exists(
        sa.select(1)
        .select_from(participant)
        .where(participant.c.body_id == body.c.id, _completed_sql(window, participant.c.id))
    )
    columns: Columns = {
        "id": body.c.id,
        "body_kind": body.c.kind,
        "province": body.c.province,
        "region": body.c.region,
        "covered": covered,
    }
    return body, columns, []


def _session_place(gazetteer: Gazetteer, session: TrainingSession) -> Facts:
    province, region = _places(gazetteer, session.territory)
    return {"mode": session.mode.value, "province": province, "region": region}


def _session_facts(records: Records, window: Window) -> Iterator[Facts]:
    for session in _sessions_in(records, window).values():
        yield {"id": session.id, **_session_place(records.gazetteer, session)}


def _session_source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, Columns, list[Any]]:
    session, held = _session_sql(window)
    columns: Columns = {
        "id": session.c.id,
        "mode": session.c.mode,
        "province": session.c.province,
        "region": session.c.region,
    }
    return session, columns, [held]


def _enrolment_facts(records: Records, window: Window) -> Iterator[Facts]:
    sessions = _sessions_in(records, window)
    roles = {
        participant.id: participant.role.value
        for participant in records.unit_of_work.repository(Participant).iter()
    }
    for enrolment in records.unit_of_work.repository(Enrolment).iter():
        session = sessions.get(enrolment.session_id)
        if session is None:
            continue
        gain = (
            None
            if enrolment.pre_test is None or enrolment.post_test is None
            else enrolment.post_test - enrolment.pre_test
        )
        yield {
            "id": enrolment.id,
            **_session_place(records.gazetteer, session),
            "role": roles.get(enrolment.participant_id),
            "completed": enrolment.completed,
            "days_attended": len(enrolment.attended),
            "days_held": len(session.days),
            "tested": gain is not None,
            "pre_test": None if gain is None else enrolment.pre_test,
            "post_test": None if gain is None else enrolment.post_test,
            "score_gain": gain,
        }


def _enrolment_source(
    _report: SqlReport, window: Window
) -> tuple[sa.FromClause, Columns, list[Any]]:
    enrolment, participant = tables_of(ENROLMENT).table, tables_of(PARTICIPANT).table
    session, held = _session_sql(window)
    joined = enrolment.join(session, session.c.id == enrolment.c.session_id).outerjoin(
        participant, participant.c.id == enrolment.c.participant_id
    )
    tested = enrolment.c.score_gain.is_not(None)
    columns: Columns = {
        "id": enrolment.c.id,
        "mode": session.c.mode,
        "province": session.c.province,
        "region": session.c.region,
        "role": participant.c.role,
        "completed": enrolment.c.completed,
        "days_attended": enrolment.c.days_attended,
        "days_held": session.c.day_count,
        "tested": tested,
        "pre_test": sa.case((tested, enrolment.c.pre_test)),
        "post_test": sa.case((tested, enrolment.c.post_test)),
        "score_gain": enrolment.c.score_gain,
    }
    return joined, columns, [held]


def _evaluation_facts(records: Records, window: Window) -> Iterator[Facts]:
    """One fact per evaluation and unit of its session (an evaluation counts for each)."""
    sessions = _sessions_in(records, window)
    codes = {unit.id: unit.code for unit in records.unit_of_work.repository(TrainingUnit).iter()}
    for evaluation in records.unit_of_work.repository(Evaluation).iter():
        session = sessions.get(evaluation.session_id)
        if session is None:
            continue
        place = _session_place(records.gazetteer, session)
        scores = {score_column(c): evaluation.score(c) for c in Criterion}
        for unit_id in session.units:
            yield {"id": evaluation.id, **place, "unit": codes.get(unit_id), **scores}


def _evaluation_source(
    _report: SqlReport, window: Window
) -> tuple[sa.FromClause, Columns, list[Any]]:
    evaluation = tables_of(EVALUATION).table
    session_units, unit = tables_of(SESSION).side["units"], tables_of(UNIT).table
    session, held = _session_sql(window)
    joined = (
        evaluation.join(session, session.c.id == evaluation.c.session_id)
        .join(session_units, session_units.c.record_id == session.c.id)
        .outerjoin(unit, unit.c.id == session_units.c.unit_id)
    )
    columns: Columns = {
        "id": evaluation.c.id,
        "mode": session.c.mode,
        "province": session.c.province,
        "region": session.c.region,
        "unit": unit.c.code,
        **{score_column(c): evaluation.c[score_column(c)] for c in Criterion},
    }
    return joined, columns, [held]


def _need_facts(records: Records, window: Window) -> Iterator[Facts]:
    sessions = _sessions_in(records, window)
    for evaluation in records.unit_of_work.repository(Evaluation).iter():
        session = sessions.get(evaluation.session_id)
        if session is None:
            continue
        place = _session_place(records.gazetteer, session)
        for need in evaluation.needs:
            yield {"id": evaluation.id, **place, "need": need.value}


def _need_source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, Columns, list[Any]]:
    evaluation, needs = tables_of(EVALUATION).table, tables_of(EVALUATION).side["needs"]
    session, held = _session_sql(window)
    joined = needs.join(evaluation, evaluation.c.id == needs.c.record_id).join(
        session, session.c.id == evaluation.c.session_id
    )
    columns: Columns = {
        "id": evaluation.c.id,
        "mode": session.c.mode,
        "province": session.c.province,
        "region": session.c.region,
        "need": needs.c.need,
    }
    return joined, columns, [held]


def _latest_sites(records: Records, window: Window) -> list[SiteLogistics]:
    latest: dict[str, date] = {}
    surveys = [
        site
        for site in records.unit_of_work.repository(SiteLogistics).iter()
        if site.recorded_on <= window.end
    ]
    for site in surveys:
        if site.body_id not in latest or site.recorded_on > latest[site.body_id]:
            latest[site.body_id] = site.recorded_on
    return [site for site in surveys if site.recorded_on == latest[site.body_id]]


def _site_facts(records: Records, window: Window) -> Iterator[Facts]:
    bodies = _bodies(records)
    for site in _latest_sites(records, window):
        kind, province, region = bodies.get(site.body_id, (None, None, None))
        yield {
            "id": site.id,
            "body_kind": kind,
            "province": province,
            "region": region,
            "without_broadband": site.internet is not InternetAccess.BROADBAND,
            "without_internet": site.internet is InternetAccess.NONE,
            "devices_missing": max(site.seats - site.devices, 0),
        }


def _site_source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, Columns, list[Any]]:
    site, body = tables_of(SITE).table, tables.bodies
    latest = (
        sa.select(site.c.body_id, sa.func.max(site.c.recorded_on).label("recorded_on"))
        .where(site.c.recorded_on <= window.end)
        .group_by(site.c.body_id)
        .subquery()
    )
    joined = site.join(
        latest,
        sa.and_(latest.c.body_id == site.c.body_id, latest.c.recorded_on == site.c.recorded_on),
    ).outerjoin(body, body.c.id == site.c.body_id)
    columns: Columns = {
        "id": site.c.id,
        "body_kind": body.c.kind,
        "province": body.c.province,
        "region": body.c.region,
        "without_broadband": site.c.internet != InternetAccess.BROADBAND.value,
        "without_internet": site.c.internet == InternetAccess.NONE.value,
        "devices_missing": sa.case(
            (site.c.seats > site.c.devices, site.c.seats - site.c.devices), else_=0
        ),
    }
    return joined, columns, []


def _warned(window: Window) -> tuple[datetime | None, datetime | None]:
    """Return the window's bounds as instants: from its first day, before the day after it.

    ``None`` where the window is open: no first day, or a last day that ends the calendar.
    """
    start = None if window.start is None else datetime.combine(window.start, time(), UTC)
    if window.end >= date.max:
        return start, None
    return start, datetime.combine(window.end + timedelta(days=1), time(), UTC)


def _warning_facts(records: Records, window: Window) -> Iterator[Facts]:
    start, end = _warned(window)
    for entry in records.unit_of_work.audit.entries():
        if (
            entry.action == WARNING_ACTION
            and entry.outcome == DONE
            and (entry.detail or "").startswith(MISSING_CODE)
            and (start is None or entry.at >= start)
            and (end is None or entry.at < end)
        ):
            yield {"id": str(entry.seq), "actor": entry.actor_id}


def _warning_source(_report: SqlReport, window: Window) -> tuple[sa.FromClause, Columns, list[Any]]:
    audit = tables.audit_entries
    start, end = _warned(window)
    conditions: list[Any] = [
        audit.c.action == WARNING_ACTION,
        audit.c.outcome == DONE,
        audit.c.detail.like(f"{MISSING_CODE}%"),
    ]
    if end is not None:
        conditions.append(audit.c.at < end)
    if start is not None:
        conditions.append(audit.c.at >= start)
    return audit, {"id": audit.c.seq, "actor": audit.c.actor_id}, conditions


# --- the indicators ---------------------------------------------------------------------------

_PLACES: Final = ("region", "province")
_COUNT, _TRUE, _SHARE = How.COUNT, How.COUNT_TRUE, How.SHARE

_MEANS: Final = tuple(Measure(c.value, How.MEAN, score_column(c), small=True) for c in Criterion)

#: The indicators of the training programme; ``docs/training.md`` is their reference.
TRAINING_INDICATORS: Final[tuple[Indicator, ...]] = (
    Measured(
        _staff_facts,
        _staff_source,
        ("body_kind", *_PLACES, "role"),
        (
            Measure("participants", _COUNT),
            Measure("trained", _TRUE, "trained"),
            Measure("trained_share", _SHARE, "trained", "participants"),
        ),
    ).declare(
        name="training_staff_trained",
        title="Staff trained",
        definition=(
            "Participants, and those who completed at least one session held in the period (up "
            "to the report's date), by the kind, province and region of their body and by role."
        ),
        unit="count",
        counts="participants",
    ),
    Measured(
        _coverage_facts,
        _coverage_source,
        ("body_kind", *_PLACES),
        (
            Measure("bodies", _COUNT),
            Measure("covered", _TRUE, "covered"),
            Measure("coverage", _SHARE, "covered", "bodies"),
        ),
    ).declare(
        name="training_rollout_coverage",
        title="Rollout coverage",
        definition=(
            "Bodies, and those with at least one member of staff who completed a session held "
            "in the period: how far the training has reached the bodies of each territory."
        ),
        unit="share",
        counts="bodies",
    ),
    Measured(
        _session_facts, _session_source, ("mode", *_PLACES), (Measure("sessions", _COUNT),)
    ).declare(
        name="training_sessions",
        title="Training sessions by mode",
        definition="Sessions whose first day falls in the period, by mode and territory.",
        unit="count",
        counts="sessions",
    ),
    Measured(
        _enrolment_facts,
        _enrolment_source,
        ("mode", *_PLACES, "role"),
        (
            Measure("enrolments", _COUNT),
            Measure("completed", _TRUE, "completed"),
            Measure("completion_rate", _SHARE, "completed", "enrolments"),
            Measure("days_attended", How.SUM, "days_attended"),
            Measure("days_held", How.SUM, "days_held"),
            Measure("attendance_rate", _SHARE, "days_attended", "days_held"),
        ),
    ).declare(
        name="training_attendance",
        title="Attendance and completion",
        definition=(
            "Enrolments in sessions of the period, those completed and the completion rate; the "
            "days attended over the days the sessions were held (the attendance rate)."
        ),
        unit="share",
        counts="enrolments",
    ),
    Measured(
        _enrolment_facts,
        _enrolment_source,
        ("mode", *_PLACES, "role"),
        (
            Measure("tested", _TRUE, "tested"),
            Measure("mean_pre_test", How.MEAN, "pre_test"),
            Measure("mean_post_test", How.MEAN, "post_test"),
            Measure("mean_gain", How.MEAN, "score_gain"),
        ),
    ).declare(
        name="training_score_gains",
        title="Test score gains",
        definition=(
            "Enrolments with both a pre-test and a post-test score, in sessions of the period, "
            "and the mean scores before and after and the mean gain, in points of percent."
        ),
        unit="count",
        counts="enrolments",
    ),
    Measured(
        _evaluation_facts,
        _evaluation_source,
        ("unit", "mode", *_PLACES),
        (Measure("evaluations", _COUNT, small=True), *_MEANS),
    ).declare(
        name="training_evaluation_scores",
        title="Evaluation scores per unit",
        definition=(
            "Evaluations of sessions of the period, counted for each unit of the session, and "
            "the mean rating of each criterion (1 to 5). A row of fewer than 5 evaluations "
            "shows neither count nor means, whatever the report's privacy."
        ),
        unit="count",
        counts="evaluations",
    ),
    Measured(
        _need_facts,
        _need_source,
        ("need", "mode", *_PLACES),
        (Measure("expressed", _COUNT, small=True),),
    ).declare(
        name="training_needs",
        title="Training needs expressed",
        definition=(
            "How many evaluations of sessions of the period expressed each coded need. A row of "
            "fewer than 5 evaluations is not shown, whatever the report's privacy."
        ),
        unit="count",
        counts="evaluations",
    ),
    Measured(
        _site_facts,
        _site_source,
        ("body_kind", *_PLACES),
        (
            Measure("sites", _COUNT),
            Measure("without_broadband", _TRUE, "without_broadband"),
            Measure("without_internet", _TRUE, "without_internet"),
            Measure("devices_missing", How.SUM, "devices_missing"),
        ),
    ).declare(
        name="training_logistics_gaps",
        title="Logistics gaps",
        definition=(
            "Bodies' sites by their latest survey up to the report's date: those without "
            "broadband, those without any Internet access, and the devices missing for every "
            "seat to have one."
        ),
        unit="count",
        counts="sites",
    ),
    Measured(
        _warning_facts,
        _warning_source,
        (),
        (Measure("people", How.DISTINCT, "actor"), Measure("writes", _COUNT)),
    ).declare(
        name="training_casework_without_units",
        title="Casework written without the required units",
        definition=(
            "People who wrote casework in the period without the training units their role "
            "requires (warned by training.required_unit_missing, from the audit trail), and "
            "how many such writes."
        ),
        unit="count",
        counts="people",
    ),
)


@hookimpl
def wladna_indicators() -> Iterable[Indicator]:
    """Offer the indicators of the training programme."""
    return TRAINING_INDICATORS
