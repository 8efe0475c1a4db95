"""Case numbers: the human-readable numbers case workers quote, e.g. ``SAL-2026-000123``.

A new case gets its number at its first save: the code of its province or prefecture without
``MA-``, the year it was opened, and its sequence among the cases of that province and year, on
six digits.  A territory below province level (a commune) is numbered in its province.  A plug-in
may give another format through the ``wladna_case_number`` hook.

Numbers are unique: the store draws sequences so that no two units of work ever get the same one
(a rolled-back unit of work may leave a gap), and a number already taken (say, by a case
imported with its old number) is skipped.  A case keeps its number for ever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

from wladna_core.errors import Severity, UnknownTerritory, Violation
from wladna_core.storage.ports import with_field

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from wladna_core.model import Case
    from wladna_core.storage.ports import UnitOfWork

__all__ = [
    "default_case_number",
    "format_case_number",
    "is_case_number",
    "keep_case_number",
    "number_new_case",
    "number_new_cases",
]

#: Longest case number a case can hold (see :attr:`Case.number <wladna_core.model.Case.number>`).
NUMBER_MAX: Final = 40
# Draws of a fresh sequence before giving up when every number drawn is already taken.
_MAX_DRAWS: Final = 1000


def default_case_number(province: str, year: int, sequence: int) -> str:
    """Return the default case number: ``<province without "MA-">-<year>-<sequence on 6 digits>``.

    >>> default_case_number("MA-SAL", 2026, 123)
    'SAL-2026-000123'
    """
    return f"{province.removeprefix('MA-')}-{year:04d}-{sequence:06d}"


def format_case_number(
    case: Case,
    province: str,
    year: int,
    sequence: int,
    numbering: Callable[[Case, str, int, int], str | None] | None = None,
) -> str:
    """Return the number of ``case``: the deployment's numbering's, else the default.

    :param numbering: the deployment's numbering (``StoreEnvironment.case_number``, made from
        the ``wladna_case_number`` plug-ins by :func:`wladna_core.plugins.case_numbering`);
        ``None`` or an answer of ``None`` gives :func:`default_case_number`.
    :raises ValueError: if the numbering returns something that cannot be a case number (the
        plug-ins' numbering raises :class:`~wladna_core.plugins.PluginHookError` naming the
        plug-in instead).
    """
    number = None if numbering is None else numbering(case, province, year, sequence)
    if number is None:
        return default_case_number(province, year, sequence)
    if not is_case_number(number):
        msg = (
            f"the deployment's case numbering returned {number!r} for sequence {sequence} of "
            f"{province} in {year}; a case number is a non-blank string of at most "
            f"{NUMBER_MAX} characters"
        )
        raise ValueError(msg)
    return number


def is_case_number(number: object) -> bool:
    """Return whether ``number`` can be a case number: a non-blank string, not too long."""
    return isinstance(number, str) and bool(number.strip()) and len(number) <= NUMBER_MAX


def _violation(code: str, path: str, case: Case, message: str, remedy: str) -> Violation:
    return Violation(
        code=code,
        path=path,
        message=message,
        severity=Severity.ERROR,
        record=f"Case {case.id}",
        remedy=remedy,
    )


def _number_taken(case: Case) -> Violation:
    return _violation(
        "case.number_taken",
        "$.number",
        case,
        f"the case number {case.number} is already used by another case",
        "leave number empty to have the store assign one, or correct the number",
    )


def _province(case: Case, unit_of_work: UnitOfWork) -> tuple[str | None, Violation | None]:
    """Return the code of the province ``case`` is numbered in, or the violation refusing it."""
    try:
        province = unit_of_work.store.gazetteer.province_of(case.territory)
    except UnknownTerritory as exc:
        return None, _violation(
            "case.territory_unknown",
            "$.territory",
            case,
            str(exc),
            "use a territory code of the gazetteer, e.g. MA-SAL",
        )
    if province is None:
        return None, _violation(
            "case.number_without_province",
            "$.territory",
            case,
            f"the case's territory {case.territory} lies above the provinces, so the case has "
            "no province to be numbered in",
            "set the case's territory to the province, prefecture or commune where the child "
            "was identified",
        )
    return province.code, None


def number_new_case(
    case: Case, unit_of_work: UnitOfWork, pending: Collection[str] = ()
) -> tuple[Case, Violation | None]:
    """Return ``case`` with its number, or the violation that refuses it.

    A case that already carries a number (imported from another system) keeps it, unless it is
    taken.  ``pending`` are numbers given to cases not written yet, which count as taken.
    :func:`number_new_cases` numbers many cases at once.
    """
    return number_new_cases([case], unit_of_work, pending)[0]


def number_new_cases(
    cases: Sequence[Case], unit_of_work: UnitOfWork, pending: Collection[str] = ()
) -> list[tuple[Case, Violation | None]]:
    """Return each of ``cases`` with its number, or the violation that refuses it, in order.

    Stores call this at the cases' first save.  A case that carries a number keeps it unless it
    is taken (by a stored case, an earlier case of ``cases``, or ``pending``); the others are
    given the next sequences of their province and year, in order, skipping any number that is
    taken.  The numbers are looked up in the store all at once, not one case at a time.

    :raises ValueError: if a ``wladna_case_number`` plug-in gives an unusable number, or the
        same taken number whatever the sequence.
    """
    repository = unit_of_work.cases
    used = set(pending)
    carried = {case.number for case in cases if case.number is not None} - used
    stored = set(repository._numbers_taken(carried)) if carried else set()
    numbered: list[tuple[Case, Violation | None]] = []
    # The cases still to be given a number, by position, with their province and year.
    waiting: list[tuple[int, str, int]] = []
    for position, case in enumerate(cases):
        if case.number is not None:
            refused = case.number in used or case.number in stored
            numbered.append((case, _number_taken(case) if refused else None))
            used.add(case.number)
            continue
        province, refusal = _province(case, unit_of_work)
        numbered.append((case, refusal))
        if province is not None:
            waiting.append((position, province, case.opened_on.year))
    numbering = unit_of_work.store.environment.case_number
    for _ in range(_MAX_DRAWS):
        if not waiting:
            return numbered
        # Drawn province by province, in the order of their codes (and each province's cases in
        # their order): a SQL store locks each counter until its unit of work ends, and two
        # units of work taking the same counters in opposite orders would deadlock.
        drawn = [
            (
                position,
                province,
                year,
                format_case_number(
                    cases[position],
                    province,
                    year,
                    unit_of_work._next_case_sequence(province, year),
                    numbering,
                ),
            )
            for position, province, year in sorted(waiting, key=_counter_order)
        ]
        fresh = {number for *_, number in drawn} - used
        stored = set(repository._numbers_taken(fresh)) if fresh else set()
        waiting = []
        for position, province, year, number in drawn:
            if number in used or number in stored:
                waiting.append((position, province, year))
                continue
            used.add(number)
            numbered[position] = (with_field(cases[position], "number", number), None)
    _, province, year = waiting[0]
    msg = (
        f"no free case number for {province} in {year} after {_MAX_DRAWS} draws; "
        "a wladna_case_number plug-in probably returns the same number for every sequence"
    )
    raise ValueError(msg)


def _counter_order(waiting: tuple[int, str, int]) -> tuple[str, int, int]:
    """Order a case waiting for its number by its counter (province, year), then position."""
    position, province, year = waiting
    return province, year, position


def keep_case_number(case: Case, stored: Case) -> tuple[Case, Violation | None]:
    """Return ``case`` carrying the number of its ``stored`` version, or a refusal.

    A case whose number was left empty gets the stored one back; a different number is refused.
    """
    if case.number is None:
        return attrs.evolve(case, number=stored.number), None
    if case.number != stored.number:
        return case, _violation(
            "case.number_changed",
            "$.number",
            case,
            f"the case number is {stored.number} and cannot change (got {case.number})",
            "keep the number the case was given at its first save",
        )
    return case, None
