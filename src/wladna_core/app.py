"""The composition root: :class:`Wladna` wires plug-ins, store, access policy, deadlines, clock.

>>> from wladna_core import Actor, Role, Wladna
>>> with Wladna.open("memory://app-doc") as wl:
...     admin = wl.as_actor(Actor("admin", {Role.ADMIN}))
...     wl.audit.verify().ok
True
"""

from __future__ import annotations

import difflib
import types
import zoneinfo
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final, Self

from wladna_core.access import AccessPolicy, Actor
from wladna_core.audit import AuditTrail
from wladna_core.casefile.documents.settings import DocumentSettings
from wladna_core.deadlines import Deadlines
from wladna_core.duplicates import matcher_from, matching_settings
from wladna_core.errors import SettingsError
from wladna_core.plugins import make_plugin_manager
from wladna_core.programmes import EligibilitySettings, use_settings
from wladna_core.reporting import Period, Privacy, Report, ReportFilter
from wladna_core.rules.settings import CaseRuleSettings
from wladna_core.services import CaseWork
from wladna_core.storage import open_store
from wladna_core.training.required_units import use_required_units
from wladna_core.training.settings import TrainingSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from types import TracebackType

    import pluggy

    from wladna_core.matching import Matcher
    from wladna_core.storage import Store

__all__ = ["DEFAULT_URL", "SETTING_NAMES", "Wladna", "check_setting_names"]

#: Where :meth:`Wladna.open` keeps records when no URL is given: a SQLite file in the
#: working directory.
DEFAULT_URL: Final = "sqlite:///wladna.db"

#: The time zone whose calendar gives "today" unless the settings say otherwise.
DEFAULT_TIMEZONE: Final = "Africa/Casablanca"


#: The top-level settings the core and its built-in plug-ins read.
SETTING_NAMES: Final = frozenset(
    {
        "timezone",
        "report_threshold",
        "report_key",  # the cell-key method's key (wladna_core.reporting.cellkey.KEY_SETTING)
        "deadlines",
        "programme_thresholds",
        "programme_periods",
        "matching",
        "training",
        "case_rules",
        "approvals",
        "care",
        "documents",
        # the stores' own (wladna_core.storage)
        "allow_reset",
        "busy_timeout",
        "auto_upgrade",
        "sqlite_synchronous",
    }
)


def check_setting_names(settings: Mapping[str, object]) -> None:
    """Refuse a top-level setting whose name is a slip of a setting the deployment reads.

    ``{"case_rule": ...}`` would otherwise be ignored, and the deployment would run on the
    defaults without a word.  A name unlike every known one is let through: a partner's
    plug-in may read settings of its own.

    >>> check_setting_names({"case_rules": {}, "sale_outreach": {"teams": 2}})
    >>> try:
    ...     check_setting_names({"case_rule": {}})
    ... except SettingsError as refused:
    ...     print(refused.key, "|", refused.reason)
    case_rule | not a setting the deployment reads; it looks like case_rules

    :raises SettingsError: naming the setting and the name it is close to.
    """
    for name, value in settings.items():
        if not isinstance(name, str) or name in SETTING_NAMES:
            continue
        close = difflib.get_close_matches(name, SETTING_NAMES, n=1, cutoff=0.8)
        if close:
            raise SettingsError(
                name,
                value,
                f"not a setting the deployment reads; it looks like {close[0]}",
                f"Rename it {close[0]} (a plug-in's own setting keeps a name of its own, "
                "unlike the core's).",
            )


class Wladna:
    """One deployment of wladna_core: its store, plug-ins, policy, deadlines and clock.

    Use :meth:`open`; then :meth:`as_actor` gives the casework services for one person.

    :param store: the open store.
    :param plugins: the plug-in manager the store was opened with.
    :param settings: the deployment settings (see :meth:`open`).
    :param clock: returns the current time, timezone-aware.
    """

    def __init__(
        self,
        store: Store,
        *,
        plugins: pluggy.PluginManager,
        settings: Mapping[str, object],
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.plugins = plugins
        self.settings: Mapping[str, object] = types.MappingProxyType(dict(settings))
        self.clock = clock
        timezone = self.settings.get("timezone", DEFAULT_TIMEZONE)
        try:
            self.timezone = zoneinfo.ZoneInfo(str(timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            msg = f"setting 'timezone': unknown time zone {timezone!r} ({error})"
            raise ValueError(msg) from None
        #: The deadlines of casework (configuration, not law): from the ``deadlines`` setting.
        self.deadlines = Deadlines.from_settings(self.settings)
        #: Closure approval, coming of age, assent (configuration): the ``case_rules`` setting.
        self.case_rules = CaseRuleSettings.from_settings(self.settings)
        #: The access check every service runs.
        self.policy = AccessPolicy(plugins, clock=self.now)
        #: The audit trail: :meth:`AuditTrail.verify` checks its hash chain.
        self.audit = AuditTrail(store)
        #: Duplicate detection's thresholds and tolerances (the ``matching`` setting), and the
        #: most candidates one lookup reads.
        self.matching, self.max_candidates = matching_settings(self.settings)
        self._matcher: Matcher | None = None

    @property
    def matcher(self) -> Matcher:
        """The matcher of possible duplicates: a ``wladna_matcher`` plug-in's, or the built-in."""
        if self._matcher is None:
            self._matcher = matcher_from(self.plugins, self.matching, self.store.gazetteer)
        return self._matcher

    @classmethod
    def open(
        cls,
        url: str = DEFAULT_URL,
        *,
        plugins: pluggy.PluginManager | None = None,
        settings: Mapping[str, object] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Self:
        """Open the deployment whose records are at ``url``.

        :param url: the store: ``sqlite:///path.db`` (the default, a file in the working
            directory), ``postgresql+psycopg://user@host/database``, ``memory://``...
        :param plugins: the plug-in manager; :func:`~wladna_core.plugins.make_plugin_manager`
            (built-in and installed plug-ins) when omitted.
        :param settings: deployment settings: ``timezone`` (default ``Africa/Casablanca``),
            ``deadlines`` (see :class:`~wladna_core.deadlines.Deadlines`),
            ``programme_thresholds`` (see :class:`~wladna_core.programmes.EligibilitySettings`),
            ``matching`` (thresholds of duplicate detection, see
            :func:`~wladna_core.duplicates.matching_settings`),
            ``training`` (see :class:`~wladna_core.training.TrainingSettings`: among others the
            units each role must have completed before writing casework),
            ``case_rules`` (see :class:`~wladna_core.rules.settings.CaseRuleSettings`),
            ``documents`` (where the case file keeps documents' bytes, e.g.
            ``{"documents": {"url": "file:///srv/wladna/documents"}}``, see
            :class:`~wladna_core.casefile.documents.DocumentSettings`),
            and the store's own settings.
        :param clock: returns the current time, timezone-aware; the system clock when omitted.
            Audit entries take their time from it and "today" is its date in ``timezone``.
        """
        pm = make_plugin_manager() if plugins is None else plugins
        given = dict(settings or {})
        check_setting_names(given)
        use_settings(pm, EligibilitySettings.from_settings(given))
        training = TrainingSettings.from_settings(given)
        # Where documents' bytes are kept: a malformed setting is refused now, not at the
        # first attachment.
        DocumentSettings.from_settings(given)
        now = clock if clock is not None else _system_clock
        app: Self
        store = open_store(url, plugins=pm, settings=given)
        try:
            app = cls(store, plugins=pm, settings=given, clock=now)
        except BaseException:
            store.close()
            raise
        store.clock = app.today
        use_required_units(pm, training, store)
        return app

    def __repr__(self) -> str:
        return f"<Wladna {self.store!r}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def now(self) -> datetime:
        """Return the current time from the clock, in UTC.

        :raises TypeError: if the clock returns a naive time or something else.
        """
        moment = self.clock()
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            msg = f"the clock must return a timezone-aware datetime, got {moment!r}"
            raise TypeError(msg)
        return moment.astimezone(UTC)

    def today(self) -> date:
        """Return today's date in the deployment's time zone."""
        return self.now().astimezone(self.timezone).date()

    def report(
        self,
        indicators: Sequence[str],
        *,
        by: Sequence[str] = (),
        where: ReportFilter | Mapping[str, object] | None = None,
        period: Period | None = None,
        on: date | None = None,
        privacy: Privacy = Privacy.INTERNAL,
        threshold: int | None = None,
        title: str | None = None,
    ) -> Report:
        """Compute ``indicators`` over every record of the deployment, in the store.

        This is the deployment operator's view (the ``wladna report`` command); an application
        acting for a person calls :meth:`CaseWork.report`, which limits the figures to what the
        person may count.  See :mod:`wladna_core.reporting` for the indicators and dimensions.

        :param by: the dimensions, e.g. ``["province", "month"]``.
        :param where: filters (:class:`~wladna_core.reporting.ReportFilter` or a mapping).
        :param period: the days counted; stocks are taken on its last day.
        :param on: the report's date; today when omitted.
        :param privacy: :attr:`~wladna_core.reporting.Privacy.PUBLIC` suppresses small cells.
        :param threshold: the smallest count a public report shows; the ``report_threshold``
            setting, else 5.
        """
        from wladna_core.reporting import build_report  # noqa: PLC0415 (heavy, on use)

        limit = threshold if threshold is not None else self.settings.get("report_threshold", 5)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            msg = f"the report threshold must be a whole number of 1 or more, got {limit!r}"
            raise ValueError(msg)
        return build_report(
            self.store,
            indicators,
            by=by,
            where=where,
            period=period,
            on=self.today() if on is None else on,
            privacy=Privacy(privacy),
            threshold=limit,
            plugins=self.plugins,
            deadlines=self.deadlines,
            title=title,
        )

    def as_actor(self, actor: Actor) -> CaseWork:
        """Return the casework services for ``actor``; every call is checked and audited."""
        return CaseWork(self, actor)


def _system_clock() -> datetime:
    return datetime.now(UTC)
