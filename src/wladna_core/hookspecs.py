# The specifications are bare functions: their bodies are empty on purpose.
# mypy: disable-error-code="empty-body"
"""The hooks a wladna plug-in may implement, each documented with when it is called.

A plug-in is any module or object whose functions are decorated with :data:`hookimpl` and named
after one of the specifications below.  Built-in features (the memory and SQL stores, the
built-in rules, the CSV, JSON and Markdown renderers) are plug-ins written exactly the same way;
third-party plug-ins are found through the ``wladna`` entry-point group.

Every hook name starts with ``wladna_``.  A plug-in implements only the hooks it needs, and only
the arguments it needs: pluggy passes arguments by name, so an implementation written before a
hook gained an argument (such as ``clock``) keeps working.  ``docs/plugin_hooks.md`` has an
example for each hook, and the test suite runs every one of them.

Hooks whose answer may depend on the time (events, access, eligibility) receive ``clock``, the
deployment's clock: calling it returns the current time, timezone-aware, in UTC.  A plug-in
reads the time from it, never from the system clock, so that it agrees with the audit trail and
with a test's fixed clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import pluggy

from wladna_core.model.enums import SocialProgramme

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import date, datetime

    import cattrs
    import click
    from pluggy import PluginManager

    from wladna_core.casefile.documents.storage import DocumentStore
    from wladna_core.errors import Violation
    from wladna_core.matching import Matcher, MatchSettings
    from wladna_core.model import Case, Family, Gazetteer, Territory
    from wladna_core.renderers import Renderer
    from wladna_core.reporting import Indicator
    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind
    from wladna_core.storage.ports import Store, StoreEnvironment
    from wladna_core.workflow import Event

__all__ = [
    "PROJECT_NAME",
    "EligibilityResult",
    "hookimpl",
    "hookspec",
]

#: The pluggy project name, also the entry-point group that third-party plug-ins register under.
PROJECT_NAME: Final = "wladna"

#: Marks the hook specifications below; only this module uses it.
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Marks a plug-in's implementation of a hook: ``@hookimpl`` above a function named after it.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


def _non_blank(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{attribute.name} must be a non-empty string, got {value!r}"
        raise ValueError(msg)


@attrs.frozen
class EligibilityResult:
    """One plug-in's answer to "is this family eligible for this programme on this date?".

    :param programme: the social programme the answer is about.
    :param eligible: the answer.
    :param reason: a sentence for a case worker saying why, e.g. ``RSU index 9.1 is above the
        ASD threshold 9.3``; never empty, so that no answer comes without its grounds.
    :param source: where the answer comes from (a register, a regulation, a plug-in's name),
        when it is not obvious from the reason.
    """

    programme: SocialProgramme = attrs.field(
        validator=attrs.validators.instance_of(SocialProgramme)
    )
    eligible: bool = attrs.field(validator=attrs.validators.instance_of(bool))
    reason: str = attrs.field(validator=_non_blank)
    source: str | None = attrs.field(default=None, validator=attrs.validators.optional(_non_blank))


# The specifications.  Each is a bare function: its signature and docstring are the contract.


@hookspec(firstresult=True)
def wladna_open_store(
    url: str,
    settings: Mapping[str, object],
    plugins: PluginManager,
    environment: StoreEnvironment,
) -> Store | None:
    """Open a store for ``url`` if this plug-in handles the URL's scheme.

    Called by :func:`wladna_core.storage.open_store` each time a store is opened.  A plug-in
    that opens stores also declares its URL shapes through :func:`wladna_store_schemes`, so
    that the error for a URL no store opens lists them.

    :param url: the store URL, e.g. ``memory://``, ``sqlite:///wladna.db`` or
        ``postgresql+psycopg://host/db``.
    :param settings: deployment settings passed to ``open_store`` (may be empty); a plug-in reads
        only the keys it documents.
    :param plugins: the plug-in manager that opens the store, for the adapter's own use.
    :param environment: what the store keeps and checks: the rules, territories, kinds of
        record and case numbering of every plug-in
        (:class:`~wladna_core.storage.StoreEnvironment`); pass it to
        :class:`~wladna_core.storage.Store`'s ``environment`` (``open_store`` sets it on the
        store it receives in any case).
    :return: a :class:`~wladna_core.storage.Store`, or ``None`` when the scheme is not this
        plug-in's.  First result wins: the first plug-in returning a store stops the call.
    """


@hookspec
def wladna_store_schemes() -> Iterable[str]:
    """Declare the shapes of the store URLs this plug-in opens, e.g. ``training://<group>``.

    Called by :func:`wladna_core.plugins.store_schemes_from` when no store opens a URL, so that
    :class:`~wladna_core.storage.UnsupportedStoreURL` lists every URL shape an installed store
    accepts.  The built-in stores declare theirs the same way.

    :return: URL shapes, each a string with ``://``, angle brackets marking the parts a user
        fills in (``sqlite:///<path>``).  The results of all plug-ins are concatenated; a shape
        declared twice is listed once.
    """


@hookspec(firstresult=True)
def wladna_open_document_store(url: str, clock: Callable[[], datetime]) -> DocumentStore | None:
    """Open the store keeping the bytes of documents at ``url``, if its scheme is this plug-in's.

    Called by :func:`wladna_core.casefile.documents.storage.open_document_store` each time a
    service of the case file attaches a document or reads one's content, with the URL of the
    deployment's setting ``documents.url``.  The built-in plug-in
    :mod:`wladna_core.casefile.documents.files` opens ``file:///<directory>``.

    :param url: the document store's URL, e.g. ``file:///var/lib/wladna/documents``.
    :param clock: the deployment's clock, for a store that dates what it keeps.
    :return: a :class:`~wladna_core.casefile.documents.storage.DocumentStore` (``scheme``,
        ``put(bytes) -> location``, ``get(location) -> bytes``), or ``None`` when the scheme is
        not this plug-in's.  First result wins.
    """


@hookspec
def wladna_rules() -> Iterable[Rule]:
    """Contribute validation rules.

    Called when a rule set is built from the plug-ins (:func:`wladna_core.plugins.rules_from`),
    once per store or application.  The built-in rule catalogue is contributed through this hook.

    :return: the plug-in's :class:`~wladna_core.rules.Rule` objects.  The results of all
        plug-ins are concatenated; rule codes must be unique across all of them.
    """


@hookspec
def wladna_indicators() -> Iterable[Indicator]:
    """Contribute reporting indicators (key performance indicators).

    Called by :func:`wladna_core.plugins.indicators_from` when the reporting layer lists the
    indicators it can compute (each report, ``wladna report``).

    :return: :class:`wladna_core.reporting.Indicator` objects: a name, a title, a definition,
        the measures and dimensions, and the computation every store can run (see
        ``docs/indicators.md``).  Any other object is refused with a
        :class:`~wladna_core.plugins.PluginHookError` naming the plug-in, since no store could
        compute it.  The results of all plug-ins are gathered by name; a name used by two
        plug-ins is an error naming both.
    """


@hookspec
def wladna_renderers() -> Iterable[Renderer]:
    """Contribute renderers that turn a report table into bytes (CSV, JSON, HTML...).

    Called by :func:`wladna_core.plugins.renderers_from` when reports are rendered.

    :return: :class:`~wladna_core.renderers.Renderer` objects.  The results of all plug-ins are
        concatenated; a renderer name used by two plug-ins is an error naming both.
    """


@hookspec
def wladna_case_event(
    event: Event, context: Mapping[str, object], clock: Callable[[], datetime]
) -> None:
    """React to a domain event (case opened, referral accepted, case closed...).

    Called once per event through :func:`wladna_core.plugins.announce_case_event`, only after
    the unit of work that caused it has been committed, so that a plug-in never hears of a change
    that was rolled back.  An exception raised here does not undo the committed data: it is
    logged and reported with the plug-in's name, and the other plug-ins still hear of the event.

    :param event: the :class:`~wladna_core.workflow.Event` returned by the workflow function
        that caused it: its kind in ``event.name`` (``case.opened``, ``referral.accepted``...),
        the record in ``event.record_id`` (the case's id for a
        :class:`~wladna_core.workflow.CaseEvent`, the referral's for a
        :class:`~wladna_core.workflow.ReferralEvent`, which also has ``case_id``) and the day
        in ``event.on``; each kind adds its own fields.
    :param context: who and where: at least ``actor`` (the
        :class:`~wladna_core.access.Actor` who made the change) and ``store`` (the store's URL,
        without its password); plug-ins must ignore keys they do not know.
    :param clock: the deployment's clock; ``clock()`` is the current time, timezone-aware.
    :return: nothing; return values are ignored.
    """


@hookspec
def wladna_authorize(
    actor: object, action: str, resource: object, clock: Callable[[], datetime]
) -> bool | Violation | None:
    """Restrict access: refuse ``actor`` the ``action`` on ``resource``, or let it pass.

    Called by :func:`wladna_core.plugins.authorize` at each access check, after the built-in
    role policy has allowed the action.
    A plug-in can only deny: ``False`` refuses the action whatever other plug-ins say; ``True``
    and ``None`` both mean "no objection" and can never grant what the built-in policy refused.

    :param actor: the actor asking (an :class:`~wladna_core.access.Actor`: id, roles, bodies).
    :param action: what is asked: one of the values of :class:`wladna_core.access.Action`,
        e.g. ``case.read``, ``case.update``, ``referral.respond``, ``report.export``.
    :param resource: the record concerned (the child, family, case, referral or body, as stored
        or about to be stored); for ``report.aggregate`` and ``report.export``, a stand-in whose
        ``kind`` is ``Report`` or ``Export``.
    :param clock: the deployment's clock; ``clock()`` is the current time, timezone-aware.
    :return: ``False`` to deny, ``None`` (or ``True``) to leave the decision to others; or a
        :class:`~wladna_core.errors.Violation` that says why: an error-level one denies, and its
        message, code and remedy are the reason the person refused reads; a warning-level one
        lets the action go ahead and is put among the warnings of the service's outcome (the
        training programme's required units warn this way).  Any other answer, or an
        exception, denies too.
    """


@hookspec
def wladna_territories() -> Iterable[Territory]:
    """Contribute territories below the shipped provinces and prefectures, e.g. communes.

    Called by :func:`wladna_core.plugins.gazetteer_from` when a store builds its gazetteer.

    :return: :class:`~wladna_core.model.Territory` objects whose parents are shipped
        territories or territories contributed by plug-ins.  The results of all plug-ins are
        concatenated; a duplicate or dangling code is an error.
    """


@hookspec(firstresult=True)
def wladna_case_number(case: Case, province: str, year: int, sequence: int) -> str | None:
    """Format the human-readable number of a case at its first save.

    Called by the store when it assigns a number to a new case, after it has drawn the next
    ``sequence`` for (``province``, ``year``).  The default format is
    ``<province code without "MA-">-<year>-<6-digit sequence>``, e.g. ``SAL-2026-000123``.
    The hook takes no clock on purpose: a number depends on the case (its province, the year it
    was opened, its sequence), never on the moment it is saved, so that a case imported years
    later is numbered in its own year.

    :param case: the case being saved (its ``number`` is still ``None``).
    :param province: ISO 3166-2 code of the case's province or prefecture, e.g. ``MA-SAL``.
    :param year: the year the case was opened.
    :param sequence: the case's sequence number in that province and year, from 1.
    :return: the case number (unique for a given province, year and sequence), or ``None`` to
        leave the format to the next plug-in or the default.  First result wins.
    """


@hookspec
def wladna_programme_eligibility(
    family: Family, programme: SocialProgramme, on: date, clock: Callable[[], datetime]
) -> EligibilityResult | None:
    """Say whether a family is eligible for a public social programme on a date.

    Called through :func:`wladna_core.plugins.eligibility_from` when a case worker considers
    referring a family to a programme (ASD, AMO Tadamon, Tayssir...).  Every plug-in that knows
    something answers; all answers are shown.

    :param family: the household.
    :param programme: the programme considered.
    :param on: the date the eligibility is judged on: the day of the referral when the
        services ask (``CaseWork.refer``), since programmes change over time — a programme not
        in force that day (:data:`~wladna_core.model.PROGRAMME_CALENDAR`) is open to no one.
    :param clock: the deployment's clock; ``clock()`` is the current time, timezone-aware (for
        instance to tell how old the register data a plug-in consults is); never a substitute
        for ``on``.
    :return: an :class:`EligibilityResult`, or ``None`` when the plug-in has no opinion on this
        programme.  Not first-result: the caller receives every plug-in's answer.
    """


@hookspec
def wladna_configure_converter(converter: cattrs.Converter) -> None:
    """Customise the cattrs converter, e.g. to (un)structure a plug-in's own record types.

    Called through :func:`wladna_core.plugins.configure_converter`, once for each converter
    made for a plug-in manager, before the converter is used.
    A plug-in must not change how the library's own classes are structured: stores rely on it.

    :param converter: the :class:`cattrs.Converter` to register hooks on.
    :return: nothing; return values are ignored.
    """


@hookspec
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare kinds of record that every store keeps: class, name, searched fields, table.

    Called when a store is composed (:func:`wladna_core.plugins.kinds_from`, through
    :func:`wladna_core.storage.open_store` and :meth:`wladna_core.Wladna.open`).  The five kinds
    of the information base are declared through this hook by the built-in plug-in
    :mod:`wladna_core.storage.builtin_kinds`.  A kind's records are validated by the rules whose
    ``entity`` is its class (``wladna_rules``); a SQL store needs its tables, created by the
    migrations the kind names (:attr:`RecordKind.migrations
    <wladna_core.storage.kinds.RecordKind.migrations>`).

    :return: the plug-in's :class:`~wladna_core.storage.kinds.RecordKind` declarations.  Names,
        record classes and tables must be unique across all plug-ins.
    """


@hookspec(firstresult=True)
def wladna_matcher(settings: MatchSettings, gazetteer: Gazetteer) -> Matcher | None:
    """Give the matcher that finds possible duplicates of children, instead of the built-in one.

    Called once per deployment, the first time it looks for duplicates
    (:attr:`wladna_core.Wladna.matcher`, through :func:`wladna_core.duplicates.matcher_from`),
    and by ``wladna duplicates``.  A deployment
    plugs in another matcher here — a probabilistic linkage engine trained on its own register,
    for instance.  The matcher gives the blocking keys of a child
    (``candidates_keys(child)``) and scores a pair (``score(a, b)``, a
    :class:`~wladna_core.matching.MatchScore` with its reasons); the thresholds stay the
    deployment's.  Stores keep the built-in keys of each child
    (:func:`wladna_core.matching.blocking_keys`), which are what the lookups search: a matcher
    that returns other keys finds only the children under those of them that are stored.

    :param settings: the deployment's matching settings (thresholds, tolerances, weights).
    :param gazetteer: the territories, for comparing residences.
    :return: an object of the :class:`~wladna_core.matching.Matcher` protocol, or ``None`` to
        leave the choice to the next plug-in or the built-in
        :class:`~wladna_core.matching.ChildMatcher`.  First result wins.
    """


@hookspec
def wladna_cli_commands() -> Iterable[click.Command]:
    """Add commands (or groups of commands) to the ``wladna`` command line.

    Called by :func:`wladna_core.plugins.cli_commands_from` each time ``wladna`` runs, before
    it picks the command to run; ``wladna --help`` lists the commands added.  The built-in
    training programme adds ``wladna training`` through this hook.  Import what a command
    needs inside the hook or the command, so that a plug-in stays quick to load for programs
    that never run the command line.

    :return: :class:`click.Command` objects (a :class:`click.Group` adds a group of commands);
        each is run inside the ``wladna`` group, whose error handling turns a
        :class:`~wladna_core.errors.WladnaError` into a message and an exit status.  Names must
        be unique across all plug-ins and must not be those of the core's own commands
        (``import``, ``report``...): a clash is an error naming the plug-ins, and no command
        runs.  Name a group after the plug-in (``wladna outreach ...``).
    """
