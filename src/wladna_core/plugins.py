"""The plug-in manager: built-in features and installed plug-ins, loaded by one mechanism.

:func:`make_plugin_manager` makes a new :class:`pluggy.PluginManager` each time it is called (the
library keeps no global one): it adds the hook specifications of :mod:`wladna_core.hookspecs`,
registers the built-in plug-ins named in :data:`DEFAULT_PLUGINS`, loads the plug-ins installed
under the ``wladna`` entry-point group and checks that every hook they implement exists.

The other functions ask the plug-ins of a manager for what the rest of the library needs, and name
the plug-in at fault when one misbehaves: :func:`rules_from`, :func:`gazetteer_from`,
:func:`renderers_from`, :func:`indicators_from`, :func:`store_schemes_from`, :func:`authorize`,
:func:`cli_commands_from`,
:func:`eligibility_from`, :func:`configure_converter`, :func:`announce_case_event`,
:func:`first_answer` and :func:`plugin_list`.  Those whose hooks take the deployment's
``clock`` take it too, and hand it to the plug-ins; :class:`wladna_core.Wladna` passes its own.

Two environment variables act on :func:`make_plugin_manager`:

``WLADNA_PLUGINS``
    A comma-separated list of the installed plug-ins to load, by entry-point name or
    distribution name (``wladna-fhir``); ``none`` loads no installed plug-in.  Unset or empty:
    every installed plug-in loads.  A name that matches no installed plug-in is an error, so
    that a typo never drops a plug-in silently.  Built-in plug-ins always load.
``WLADNA_TRACE_HOOKS``
    ``1`` (or ``true``, ``yes``, ``on``) logs every hook call, its plug-ins and a summary of its
    arguments and results to the ``wladna_core.plugins`` logger at ``DEBUG`` level.  Records are
    shown by type and id only, settings by their keys, and passwords in URLs are masked.
"""

from __future__ import annotations

import difflib
import enum
import importlib
import importlib.metadata
import inspect
import logging
import os
import re
import types
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import pluggy

from wladna_core import hookspecs
from wladna_core.errors import InvariantError, Violation, WladnaError
from wladna_core.hookspecs import PROJECT_NAME, EligibilityResult
from wladna_core.model import Gazetteer, Territory
from wladna_core.renderers import Renderer
from wladna_core.rules import Rule, RuleSet
from wladna_core.storage.kinds import KindRegistry, RecordKind
from wladna_core.storage.ports import (
    Store,
    StoreEnvironment,
    StoreError,
    UnsupportedStoreURL,
    redact_url,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import date
    from types import TracebackType

    import cattrs
    import click

    from wladna_core.model import Case, Family, SocialProgramme
    from wladna_core.reporting import Indicator

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "PLUGINS_ENV",
    "TRACE_ENV",
    "PluginHookError",
    "PluginInfo",
    "PluginLoadError",
    "WladnaPluginManager",
    "announce_case_event",
    "authorization",
    "authorize",
    "case_numbering",
    "cli_commands_from",
    "configure_converter",
    "eligibility_from",
    "first_answer",
    "gazetteer_from",
    "indicators_from",
    "kinds_from",
    "make_plugin_manager",
    "open_store",
    "plugin_list",
    "renderers_from",
    "rules_from",
    "store_environment",
    "store_schemes_from",
    "system_clock",
]

#: The built-in plug-ins, by module name, registered by every :func:`make_plugin_manager`
#: exactly as installed plug-ins are: the five kinds of record of the information base, the
#: memory store, the SQL store, the built-in rules,
#: the CSV, JSON and Markdown renderers, the eligibility check of social programmes, the
#: built-in reporting indicators, the kinds of record and rules of the training programme, the
#: units required before writing casework, the training indicators and the ``wladna training``
#: commands.
DEFAULT_PLUGINS: Final[tuple[str, ...]] = (
    "wladna_core.storage.builtin_kinds",
    "wladna_core.storage.memory",
    "wladna_core.storage.sql.store",
    "wladna_core._builtin_rules",
    "wladna_core.renderers",
    "wladna_core.programmes",
    "wladna_core.reporting.builtin",
    "wladna_core.training.kinds",
    "wladna_core.training.required_units",
    "wladna_core.training.indicators",
    "wladna_core.training.cli",
    "wladna_core.casefile.delivery.kinds",
    "wladna_core.casefile.delivery.indicators",
    "wladna_core.casefile.approvals.kinds",
    "wladna_core.casefile.incidents.kinds",
    "wladna_core.casefile.care.kinds",
    "wladna_core.casefile.care.indicators",
    "wladna_core.casefile.outreach.kinds",
    "wladna_core.casefile.outreach.indicators",
    "wladna_core.casefile.tracing.kinds",
    "wladna_core.casefile.tracing.indicators",
    "wladna_core.casefile.participation.kinds",
    "wladna_core.casefile.concerns.kinds",
    "wladna_core.casefile.documents.kinds",
    "wladna_core.casefile.documents.files",
)

#: The entry-point group installed plug-ins register under.
ENTRY_POINT_GROUP: Final = PROJECT_NAME
#: Environment variable restricting which installed plug-ins load.
PLUGINS_ENV: Final = "WLADNA_PLUGINS"
#: Environment variable that turns on the tracing of hook calls.
TRACE_ENV: Final = "WLADNA_TRACE_HOOKS"

_CORE_DISTRIBUTION: Final = "wladna-core"
_NO_PLUGINS: Final = "none"
_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})
_TRACE_TEXT_MAX: Final = 80

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


# Errors ----------------------------------------------------------------------------------------


def _from_distribution(distribution: str | None, version: str | None) -> str:
    if distribution is None:
        return ""
    return f" (distribution {distribution} {version})" if version else f" ({distribution})"


class PluginLoadError(WladnaError, RuntimeError):
    """A plug-in could not be loaded: it failed to import, or it does not fit the hooks.

    :param plugin: the plug-in's name (its entry-point name, or module name for a built-in).
    :param distribution: the name of the distribution that installed it, when known.
    :param version: that distribution's version, when known.
    :param reason: what went wrong, e.g. the original error or the unknown hook.
    :param remedy: what to do about it.
    """

    def __init__(
        self,
        plugin: str,
        distribution: str | None,
        version: str | None,
        reason: str,
        remedy: str = (
            "Install a version of the plug-in that works with this wladna-core, or leave it out "
            f"by naming the plug-ins to load in {PLUGINS_ENV}."
        ),
    ) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.version = version
        self.reason = reason
        self.remedy = remedy
        where = _from_distribution(distribution, version)
        super().__init__(f"plug-in {plugin!r}{where} could not be loaded: {reason}. {remedy}")

    def __reduce__(
        self,
    ) -> tuple[type[PluginLoadError], tuple[str, str | None, str | None, str, str]]:
        return (
            type(self),
            (self.plugin, self.distribution, self.version, self.reason, self.remedy),
        )


class PluginHookError(WladnaError, RuntimeError):
    """A plug-in's hook implementation failed, returned something unusable, or clashed.

    :param hook: the hook's name, e.g. ``wladna_renderers``.
    :param plugins: the plug-ins at fault, each as ``name (distribution version)`` when the
        distribution is known; two for a clash (e.g. two renderers with one name).
    :param reason: what went wrong and what to do about it.
    """

    def __init__(self, hook: str, plugins: Sequence[str], reason: str) -> None:
        self.hook = hook
        self.plugins: tuple[str, ...] = tuple(plugins)
        self.reason = reason
        noun = "plug-in" if len(self.plugins) == 1 else "plug-ins"
        names = " and ".join(self.plugins) if self.plugins else "an unknown plug-in"
        super().__init__(f"{noun} {names}, hook {hook}: {reason}")

    def __reduce__(self) -> tuple[type[PluginHookError], tuple[str, tuple[str, ...], str]]:
        return (type(self), (self.hook, self.plugins, self.reason))


# The manager -----------------------------------------------------------------------------------


class WladnaPluginManager(pluggy.PluginManager):
    """A :class:`pluggy.PluginManager` for the ``wladna`` hooks that knows where plug-ins come from.

    Make one with :func:`make_plugin_manager`.  Besides what pluggy offers, it remembers the
    distribution each plug-in was installed by, for error messages and :func:`plugin_list`.
    """

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self._origins: list[tuple[object, importlib.metadata.Distribution]] = []
        #: Whether hook calls are logged (see ``WLADNA_TRACE_HOOKS``).
        self.traced = False

    def trace_hook_calls(self) -> None:
        """Log every hook call from now on to the ``wladna_core.plugins`` logger (``DEBUG``)."""
        if not self.traced:
            self.add_hookcall_monitoring(_trace_before, _trace_after)
            self.traced = True

    def register_distributed(
        self, plugin: object, name: str, distribution: importlib.metadata.Distribution | None
    ) -> None:
        """Register ``plugin`` under ``name``, remembering the distribution that installed it.

        :raises PluginLoadError: if the plug-in implements a hook with arguments the hook does
            not have, or if another plug-in already uses ``name``; the message names both.
        """
        dist_name, version = _name_and_version(distribution)
        if self.has_plugin(name):
            other = _plugin_label(self, name)
            reason = f"the name is already used by the plug-in {other}"
            remedy = "Uninstall one of the two distributions, or rename its entry point."
            raise PluginLoadError(name, dist_name, version, reason, remedy)
        if self.is_registered(plugin):
            other = _plugin_label(self, self.get_name(plugin) or "?")
            reason = f"it is the same object as the plug-in {other}"
            remedy = "Offer each plug-in module under one entry point only."
            raise PluginLoadError(name, dist_name, version, reason, remedy)
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginLoadError(name, dist_name, version, str(exc).replace("\n", "; ")) from exc
        if distribution is not None:
            self._origins.append((plugin, distribution))

    def distribution_of(self, plugin: object) -> importlib.metadata.Distribution | None:
        """Return the distribution that installed a registered ``plugin``, if known."""
        if not self.is_registered(plugin):
            return None
        for known, distribution in reversed(self._origins):
            if known is plugin:
                return distribution
        return None


def _plugin_label(pm: pluggy.PluginManager, name: str) -> str:
    """Return ``'name' (distribution version)`` for the plug-in registered as ``name``."""
    plugin = pm.get_plugin(name)
    distribution = None
    if isinstance(pm, WladnaPluginManager) and plugin is not None:
        distribution = pm.distribution_of(plugin)
    dist_name, version = _name_and_version(distribution)
    return f"{name!r}{_from_distribution(dist_name, version)}"


def _name_and_version(
    distribution: importlib.metadata.Distribution | None,
) -> tuple[str | None, str | None]:
    if distribution is None:
        return None, None
    name: str | None = distribution.metadata["Name"]
    return name, distribution.version


def _core_distribution() -> importlib.metadata.Distribution | None:
    try:
        return importlib.metadata.distribution(_CORE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        # Running from a source tree that was never installed.
        return None


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _selection_from_env() -> frozenset[str] | None:
    value = os.environ.get(PLUGINS_ENV, "")
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not names:
        return None
    if _NO_PLUGINS in {name.lower() for name in names}:
        if len(names) > 1:
            msg = (
                f"{PLUGINS_ENV}={value!r} mixes {_NO_PLUGINS!r} with plug-in names; "
                f"write either {_NO_PLUGINS!r} or the names of the plug-ins to load"
            )
            raise PluginLoadError(PLUGINS_ENV, None, None, msg, "Correct the variable.")
        return frozenset()
    return names


def _matches(name: str, entry_point: importlib.metadata.EntryPoint) -> bool:
    if name == entry_point.name:
        return True
    dist = entry_point.dist
    return dist is not None and _canonical(name) == _canonical(dist.metadata["Name"] or "")


def _selected_entry_points(
    only: Iterable[str] | None,
) -> list[importlib.metadata.EntryPoint]:
    entry_points = sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
    )
    selections: list[tuple[str, frozenset[str]]] = []
    from_env = _selection_from_env()
    if from_env is not None:
        selections.append((f"the environment variable {PLUGINS_ENV}", from_env))
    if only is not None:
        if isinstance(only, str):
            msg = f"only= takes a collection of plug-in names, not the string {only!r}"
            raise TypeError(msg)
        selections.append(("make_plugin_manager(only=...)", frozenset(only)))
    for source, names in selections:
        for name in sorted(names):
            if not any(_matches(name, ep) for ep in entry_points):
                installed = sorted({ep.name for ep in entry_points}) or ["none"]
                reason = (
                    f"it is named in {source}, but no installed distribution offers a plug-in "
                    f"of that name in the entry-point group {ENTRY_POINT_GROUP!r} (installed: "
                    f"{', '.join(installed)})"
                )
                raise PluginLoadError(name, None, None, reason, "Install it or correct the name.")
    return [
        ep
        for ep in entry_points
        if all(any(_matches(name, ep) for name in names) for _source, names in selections)
    ]


def _load_entry_points(pm: WladnaPluginManager, only: Iterable[str] | None) -> None:
    for entry_point in _selected_entry_points(only):
        distribution = entry_point.dist
        dist_name, version = _name_and_version(distribution)
        try:
            plugin = entry_point.load()
        except Exception as exc:
            reason = f"importing {entry_point.value} raised {type(exc).__name__}: {exc}"
            raise PluginLoadError(entry_point.name, dist_name, version, reason) from exc
        pm.register_distributed(plugin, entry_point.name, distribution)


def _register_builtins(pm: WladnaPluginManager) -> None:
    core = _core_distribution()
    for module_name in DEFAULT_PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            dist_name, version = _name_and_version(core)
            reason = f"importing it raised {type(exc).__name__}: {exc}"
            remedy = "The installation of wladna-core is broken: reinstall it."
            raise PluginLoadError(module_name, dist_name, version, reason, remedy) from exc
        pm.register_distributed(module, module_name, core)


def _check_hooks_exist(pm: WladnaPluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        dist_name, version = _name_and_version(pm.distribution_of(exc.plugin))
        known = sorted(hook for hook in vars(hookspecs) if hook.startswith(f"{PROJECT_NAME}_"))
        unknown = sorted(
            caller.name for caller in pm.get_hookcallers(exc.plugin) or () if not caller.has_spec()
        )
        problems = []
        for hook in unknown:
            close = difflib.get_close_matches(hook, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{hook}{hint}")
        reason = f"it implements {', '.join(problems)}, which is not a {PROJECT_NAME} hook"
        remedy = (
            "Rename the function after one of the hooks documented in docs/plugin_hooks.md, or "
            "install a version of the plug-in made for this wladna-core."
        )
        raise PluginLoadError(name, dist_name, version, reason, remedy) from exc


def make_plugin_manager(
    load_entrypoints: bool = True, *, only: Iterable[str] | None = None
) -> WladnaPluginManager:
    """Make a plug-in manager with the built-in plug-ins and the installed ones.

    :param load_entrypoints: load the plug-ins installed under the ``wladna`` entry-point group;
        ``False`` gives the built-in plug-ins only (tests, embedded uses that must not depend on
        what is installed).
    :param only: load only the installed plug-ins with these names (entry-point or distribution
        names); combined with ``WLADNA_PLUGINS``, a plug-in loads only if both allow it.
    :returns: a new manager; the caller owns it and may register more plug-ins.
    :raises PluginLoadError: if a plug-in fails to import, clashes with another one, or
        implements a hook that does not exist; the message names the plug-in and its
        distribution.  Also if a name in ``only`` or ``WLADNA_PLUGINS`` matches no installed
        plug-in.
    """
    pm = WladnaPluginManager()
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV, "").strip().lower() in _TRUE_WORDS:
        pm.trace_hook_calls()
    _register_builtins(pm)
    if load_entrypoints:
        _load_entry_points(pm, only)
    _check_hooks_exist(pm)
    return pm


# Tracing ---------------------------------------------------------------------------------------


def _summary(value: object) -> str:
    """Describe ``value`` for the trace without personal data: types, ids, keys, sizes."""
    record_id = getattr(value, "id", None)
    # Codes (rules) and names (renderers, indicators) are the library's words, never a person's.
    label = next(
        (
            f"{field}={word!r}"
            for field in ("code", "name")
            if isinstance(word := getattr(value, field, None), str)
        ),
        None,
    )
    if value is None or isinstance(value, bool | int | float):
        text = repr(value)
    elif isinstance(value, enum.Enum):
        text = f"{type(value).__name__}.{value.name}"
    elif isinstance(value, str):
        masked = redact_url(value)
        cut = masked[:_TRACE_TEXT_MAX] + "..." if len(masked) > _TRACE_TEXT_MAX else masked
        text = repr(cut)
    elif isinstance(value, Mapping):
        text = f"{type(value).__name__} with keys {sorted(str(key) for key in value)}"
    elif isinstance(value, list | tuple | set | frozenset):
        inner = ", ".join(_summary(item) for item in list(value)[:5])
        more = ", ..." if len(value) > 5 else ""
        text = f"{type(value).__name__}[{len(value)}]({inner}{more})"
    elif isinstance(record_id, str):
        text = f"{type(value).__name__}(id={record_id!r})"
    elif label is not None and not inspect.ismodule(value):
        text = f"{type(value).__name__}({label})"
    else:
        text = type(value).__name__
    return text


def _trace_before(
    hook_name: str, hook_impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, object]
) -> None:
    arguments = ", ".join(f"{key}={_summary(value)}" for key, value in kwargs.items())
    plugins = ", ".join(impl.plugin_name for impl in reversed(hook_impls)) or "no plug-in"
    logger.debug("%s(%s) called; plug-ins: %s", hook_name, arguments, plugins)


def _trace_after(
    outcome: pluggy.Result[object],
    hook_name: str,
    _hook_impls: Sequence[pluggy.HookImpl],
    _kwargs: Mapping[str, object],
) -> None:
    if outcome.exception is not None:
        logger.debug("%s raised %s", hook_name, type(outcome.exception).__name__)
    else:
        logger.debug("%s returned %s", hook_name, _summary(outcome.get_result()))


# Asking the plug-ins ---------------------------------------------------------------------------


def _implementations(pm: pluggy.PluginManager, hook_name: str) -> list[pluggy.HookImpl]:
    """Return the implementations of ``hook_name``, in the order pluggy calls them."""
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    return [
        impl for impl in reversed(caller.get_hookimpls()) if not (impl.wrapper or impl.hookwrapper)
    ]


def _call_one(
    pm: pluggy.PluginManager,
    hook_name: str,
    impl: pluggy.HookImpl,
    kwargs: Mapping[str, object],
    *,
    wrap: bool = True,
) -> object:
    """Call one implementation of ``hook_name`` as pluggy would, and return what it returns.

    :param wrap: turn an exception of the implementation into a :class:`PluginHookError`;
        ``False`` lets it through as it is.
    :raises PluginHookError: naming the plug-in, if the implementation raises (and ``wrap``).
    """
    traced = isinstance(pm, WladnaPluginManager) and pm.traced
    if traced:
        _trace_before(hook_name, [impl], kwargs)
    # pluggy passes the arguments an implementation names, by position.
    arguments = [kwargs[name] for name in impl.argnames]
    outcome = pluggy.Result.from_call(lambda: impl.function(*arguments))
    if traced:
        _trace_after(outcome, hook_name, [impl], kwargs)
    exc = outcome.exception
    if exc is not None and (not wrap or not isinstance(exc, Exception)):
        raise exc  # KeyboardInterrupt, SystemExit: not the plug-in's failure to report
    if exc is not None:
        reason = f"it raised {type(exc).__name__}: {exc}"
        plugin = _plugin_label(pm, impl.plugin_name)
        raise PluginHookError(hook_name, [plugin], reason) from exc
    return outcome.get_result()


def _call_each(
    pm: pluggy.PluginManager, hook_name: str, **kwargs: object
) -> Iterator[tuple[str, object]]:
    """Call ``hook_name`` implementation by implementation; yield (plug-in name, its result).

    Calling each plug-in on its own lets every error and clash name the plug-in responsible.
    ``None`` results are left out, as pluggy does.  Hook wrappers are not called.
    """
    for impl in _implementations(pm, hook_name):
        result = _call_one(pm, hook_name, impl, kwargs)
        if result is not None:
            yield impl.plugin_name, result


def _type_name(kind: type) -> str:
    """Return ``kind``'s full name, ``module.Class``, so that two classes of one name differ."""
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _a(name: str) -> str:
    """Return ``name`` with its article: ``a str``, ``an int``, ``an Indicator``."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _public_name(kind: type) -> str:
    """Return the name a plug-in imports ``kind`` by (``wladna_core.reporting.Indicator``)."""
    package = kind.__module__.rsplit(".", 1)[0]
    exported = importlib.import_module(package) if package != kind.__module__ else None
    if exported is not None and getattr(exported, kind.__name__, None) is kind:
        return f"{package}.{kind.__name__}"
    return _type_name(kind)


def first_answer(
    pm: pluggy.PluginManager, hook_name: str, *, wrap: bool = True, **kwargs: object
) -> tuple[str, object] | None:
    """Ask the plug-ins of a *first result wins* hook in pluggy's order; stop at the first answer.

    :param wrap: name the plug-in of an exception in a :class:`PluginHookError`; ``False``
        lets the exception through as it is (a store's :class:`StoreError` stays one).
    :param kwargs: the hook's arguments.
    :returns: the answering plug-in (``'name' (distribution version)``, for messages) and its
        answer, or ``None`` when every plug-in answered ``None``.
    :raises PluginHookError: naming the plug-in, if an implementation raises (and ``wrap``).
    """
    for impl in _implementations(pm, hook_name):
        result = _call_one(pm, hook_name, impl, kwargs, wrap=wrap)
        if result is not None:
            return _plugin_label(pm, impl.plugin_name), result
    return None


def _items(
    pm: pluggy.PluginManager, hook_name: str, plugin: str, result: object, kind: type[_T]
) -> list[_T]:
    """Return the items of one plug-in's ``result``, checking each is a ``kind``."""
    wanted = _public_name(kind)
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Iterable):
        reason = (
            f"it returned {_a(_public_name(type(result)))}, where an iterable (list, tuple) of "
            f"{wanted} objects is expected"
        )
        raise PluginHookError(hook_name, [_plugin_label(pm, plugin)], reason)
    items = list(result)
    for position, item in enumerate(items):
        if not isinstance(item, kind):
            given = _a(_public_name(type(item)))
            reason = (
                f"item {position} of its answer is {given}, not {_a(wanted)}; "
                f"return {wanted} objects (see docs/plugin_hooks.md, {hook_name})"
            )
            raise PluginHookError(hook_name, [_plugin_label(pm, plugin)], reason)
    return items


def _culprits(pm: pluggy.PluginManager, hook_name: str, exc: BaseException) -> list[str]:
    """Return the plug-ins whose implementation of ``hook_name`` is in ``exc``'s traceback."""
    frames = set()
    traceback: TracebackType | None = exc.__traceback__
    while traceback is not None:
        frames.add(traceback.tb_frame.f_code)
        traceback = traceback.tb_next
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    names = []
    for impl in reversed(caller.get_hookimpls()):
        code = getattr(inspect.unwrap(impl.function), "__code__", None)
        if code in frames:
            names.append(_plugin_label(pm, impl.plugin_name))
    return names


def rules_from(pm: pluggy.PluginManager) -> RuleSet:
    """Return the rule set made of every plug-in's ``wladna_rules``, built-in rules included.

    Pass it to :func:`wladna_core.rules.validate` (``rules=``) so that plug-ins' rules run with
    the built-in ones.

    :raises PluginHookError: if a plug-in's hook fails or returns something other than rules,
        or if two plug-ins offer different rules with the same code (both are named).
    """
    hook = "wladna_rules"
    rules: dict[str, tuple[str, Rule]] = {}
    for plugin, result in _call_each(pm, hook):
        for item in _items(pm, hook, plugin, result, Rule):
            earlier = rules.get(item.code)
            if earlier is None:
                rules[item.code] = (plugin, item)
            elif earlier[1] is not item:
                both = [_plugin_label(pm, earlier[0]), _plugin_label(pm, plugin)]
                reason = (
                    f"both offer a rule with the code {item.code!r} ({earlier[1].origin} and "
                    f"{item.origin}); a plug-in prefixes its rule codes with its own name"
                )
                raise PluginHookError(hook, both, reason)
    return RuleSet(item for _plugin, item in rules.values())


def gazetteer_from(pm: pluggy.PluginManager) -> Gazetteer:
    """Return Morocco's shipped gazetteer with the territories of every ``wladna_territories``.

    :raises PluginHookError: if a plug-in's hook fails or returns something other than
        territories, reuses a code (of the shipped data or of another plug-in), or gives a
        territory a parent that no one provides.
    """
    hook = "wladna_territories"
    morocco = Gazetteer.morocco()
    added: dict[str, tuple[str, Territory]] = {}
    for plugin, result in _call_each(pm, hook):
        for territory in _items(pm, hook, plugin, result, Territory):
            if territory.code in morocco:
                reason = (
                    f"it offers the territory {territory.code!r}, which is in the shipped data "
                    "already; plug-ins add territories below provinces and prefectures"
                )
                raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
            earlier = added.get(territory.code)
            if earlier is not None and earlier[1] != territory:
                both = [_plugin_label(pm, earlier[0]), _plugin_label(pm, plugin)]
                reason = f"both offer a different territory with the code {territory.code!r}"
                raise PluginHookError(hook, both, reason)
            added[territory.code] = (plugin, territory)
    for plugin, territory in added.values():
        parent = territory.parent
        if parent is not None and parent not in morocco and parent not in added:
            reason = (
                f"territory {territory.code!r} has the parent {territory.parent!r}, which is "
                "neither in the shipped data nor offered by a plug-in"
            )
            raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
    try:
        return morocco.with_territories(territory for _plugin, territory in added.values())
    except InvariantError as exc:
        plugins = sorted({_plugin_label(pm, plugin) for plugin, _ in added.values()})
        raise PluginHookError(hook, plugins, str(exc)) from exc


def _by_name(pm: pluggy.PluginManager, hook: str, kind: type[_T], what: str) -> dict[str, _T]:
    found: dict[str, tuple[str, _T]] = {}
    for plugin, result in _call_each(pm, hook):
        for item in _items(pm, hook, plugin, result, kind):
            name: str = getattr(item, "name")  # noqa: B009 (kind is a protocol or attrs class)
            earlier = found.get(name)
            if earlier is not None and earlier[1] is not item:
                both = [_plugin_label(pm, earlier[0]), _plugin_label(pm, plugin)]
                reason = f"both offer {what} named {name!r}; rename one of them"
                raise PluginHookError(hook, both, reason)
            found[name] = (plugin, item)
    return {name: item for name, (_plugin, item) in found.items()}


def renderers_from(pm: pluggy.PluginManager) -> dict[str, Renderer]:
    """Return every plug-in's renderers by name (``csv``, ``json``, ``markdown``...).

    :raises PluginHookError: if a plug-in's hook fails or returns something other than
        :class:`~wladna_core.renderers.Renderer` objects, or if two plug-ins offer a renderer
        with the same name (both are named).
    """
    return _by_name(pm, "wladna_renderers", Renderer, "a renderer")


def indicators_from(pm: pluggy.PluginManager) -> dict[str, Indicator]:
    """Return every plug-in's indicators by name, the built-in ones included.

    :raises PluginHookError: if a plug-in's hook fails or returns anything but
        :class:`wladna_core.reporting.Indicator` objects (which no store could compute), or if
        two plug-ins offer an indicator with the same name; the message names the plug-in(s).
    """
    # The reporting package imports this module: it is imported on use.
    from wladna_core.reporting.indicators import Indicator  # noqa: PLC0415

    return _by_name(pm, "wladna_indicators", Indicator, "an indicator")


def cli_commands_from(
    pm: pluggy.PluginManager, reserved: Iterable[str] = ()
) -> dict[str, click.Command]:
    """Return the commands every plug-in adds to ``wladna`` (``wladna_cli_commands``), by name.

    :param reserved: the names of the core's own commands, which no plug-in may take.
    :raises PluginHookError: if a plug-in's hook fails or returns anything but
        :class:`click.Command` objects, if two plug-ins offer a command with the same name (both
        are named), or if a plug-in's command has the name of one of ``reserved``.
    """
    import click  # noqa: PLC0415 (only the command line asks for commands)

    hook = "wladna_cli_commands"
    taken = frozenset(reserved)
    found: dict[str, tuple[str, click.Command]] = {}
    for plugin, result in _call_each(pm, hook):
        for command in _items(pm, hook, plugin, result, click.Command):
            name = command.name
            if not name or not name.strip() or name != name.strip():
                reason = (
                    f"it offers a command named {name!r}; give each command a name a user can "
                    "type, such as 'outreach'"
                )
                raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
            if name in taken:
                reason = (
                    f"its command {name!r} has the name of a command of wladna itself (wladna "
                    f"{name}); rename it, e.g. after the plug-in, or put it in a group named "
                    "after the plug-in. No command runs until it is renamed or the plug-in is "
                    f"left out ({PLUGINS_ENV})"
                )
                raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
            earlier = found.get(name)
            if earlier is not None and earlier[1] is not command:
                both = [_plugin_label(pm, earlier[0]), _plugin_label(pm, plugin)]
                reason = f"both offer a command named {name!r} (wladna {name}); rename one of them"
                raise PluginHookError(hook, both, reason)
            found[name] = (plugin, command)
    return {name: command for name, (_plugin, command) in sorted(found.items())}


def store_schemes_from(pm: pluggy.PluginManager) -> tuple[str, ...]:
    """Return the store URL shapes every plug-in declares (``wladna_store_schemes``), in order.

    The built-in stores' shapes come first (``memory://``, ``sqlite:///<path>``...), then those
    of installed plug-ins; a shape declared twice is listed once.

    :raises PluginHookError: if a plug-in's hook fails or returns anything but URL shapes
        (strings holding ``://``); the message names the plug-in.
    """
    hook = "wladna_store_schemes"
    shapes: dict[str, None] = {}
    answers = list(_call_each(pm, hook))
    # pluggy calls the plug-in registered last first; the built-in stores were registered first.
    for plugin, result in reversed(answers):
        for shape in _items(pm, hook, plugin, result, str):
            if "://" not in shape or not shape.split("://", 1)[0]:
                reason = (
                    f"it declared {shape!r}, which is not a URL shape; declare shapes such as "
                    "'training://<group>', a scheme followed by '://'"
                )
                raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
            shapes.setdefault(shape, None)
    return tuple(shapes)


def system_clock() -> datetime:
    """Return the current time in UTC: the clock hooks receive when the caller gives none.

    :class:`wladna_core.Wladna` always gives its own clock, the deployment's.
    """
    return datetime.now(UTC)


def authorize(
    pm: pluggy.PluginManager,
    actor: object,
    action: str,
    resource: object,
    *,
    clock: Callable[[], datetime] = system_clock,
) -> bool:
    """Return whether the plug-ins let ``actor`` do ``action`` on ``resource``.

    This is the plug-ins' half of an access check: the built-in role policy decides first, and
    an action goes ahead only if both allow it.  Any plug-in answering ``False`` (or an
    error-level :class:`~wladna_core.errors.Violation`) denies; an answer other than ``True``,
    ``None`` or a violation denies too, so that a faulty plug-in errs on the side of refusing.
    :func:`authorization` gives the violations as well.

    :param clock: the deployment's clock, handed to the plug-ins.
    :raises PluginHookError: if a plug-in's hook raises (the action is then not allowed
        either); the message names the plug-in.
    """
    return authorization(pm, actor, action, resource, clock=clock)[0]


def authorization(
    pm: pluggy.PluginManager,
    actor: object,
    action: str,
    resource: object,
    *,
    clock: Callable[[], datetime] = system_clock,
) -> tuple[bool, tuple[Violation, ...]]:
    """Return whether the plug-ins let ``actor`` do ``action``, and the violations they gave.

    A plug-in answering with a :class:`~wladna_core.errors.Violation` says why: an error-level
    one denies (its message and remedy are the reason), a warning-level one lets the action go
    ahead and asks a person to look (the services put it among an outcome's warnings).

    :raises PluginHookError: as :func:`authorize`.
    """
    try:
        answers: list[object] = pm.hook.wladna_authorize(
            actor=actor, action=action, resource=resource, clock=clock
        )
    except Exception as exc:
        reason = f"it raised {type(exc).__name__}: {exc}; the action is refused"
        raise PluginHookError(
            "wladna_authorize", _culprits(pm, "wladna_authorize", exc), reason
        ) from exc
    allowed = True
    said: list[Violation] = []
    for answer in answers:
        if isinstance(answer, Violation):
            said.append(answer)
            allowed = allowed and not answer.is_error
        elif answer is not True and answer is not None:
            allowed = False
    return allowed, tuple(said)


def eligibility_from(
    pm: pluggy.PluginManager,
    family: Family,
    programme: SocialProgramme,
    on: date,
    *,
    clock: Callable[[], datetime] = system_clock,
) -> list[EligibilityResult]:
    """Return every plug-in's answer on ``family``'s eligibility for ``programme`` on ``on``.

    An answer without a ``source`` gets the name of the plug-in that gave it.  An empty list
    means that no plug-in knows the programme.

    :param clock: the deployment's clock, handed to the plug-ins.

    :raises PluginHookError: if a plug-in's hook fails, returns something other than an
        :class:`~wladna_core.hookspecs.EligibilityResult`, or answers about another programme.
    """
    hook = "wladna_programme_eligibility"
    answers: list[EligibilityResult] = []
    answered = _call_each(pm, hook, family=family, programme=programme, on=on, clock=clock)
    for plugin, result in answered:
        if not isinstance(result, EligibilityResult):
            wanted = _public_name(EligibilityResult)
            reason = f"it returned {_a(_public_name(type(result)))}, not {_a(wanted)}"
            raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
        if result.programme != programme:
            reason = (
                f"it was asked about {programme.value} and answered about {result.programme.value}"
            )
            raise PluginHookError(hook, [_plugin_label(pm, plugin)], reason)
        answers.append(result if result.source else attrs.evolve(result, source=plugin))
    return answers


def configure_converter(pm: pluggy.PluginManager, converter: cattrs.Converter) -> cattrs.Converter:
    """Let every plug-in customise ``converter`` (``wladna_configure_converter``); return it.

    Call it once for each converter made for ``pm``, before the converter is used.

    :raises PluginHookError: if a plug-in's hook raises; the message names the plug-in.
    """
    hook = "wladna_configure_converter"
    for impl in _implementations(pm, hook):
        _call_one(pm, hook, impl, {"converter": converter})
    return converter


def announce_case_event(
    pm: pluggy.PluginManager,
    event: object,
    context: Mapping[str, object],
    *,
    clock: Callable[[], datetime] = system_clock,
) -> list[PluginHookError]:
    """Tell every plug-in of a committed domain event (``wladna_case_event``).

    Call it only after the unit of work that caused ``event`` has been committed.  Every plug-in
    hears of the event even if another one fails: a failure is logged to the
    ``wladna_core.plugins`` logger at ``ERROR`` level with the plug-in's name and returned,
    never raised, since the data it is about is already saved and must stay so.

    :param clock: the deployment's clock, handed to the plug-ins.

    :returns: the failures, one :class:`PluginHookError` per plug-in that raised; empty when all
        went well.
    """
    hook = "wladna_case_event"
    failures: list[PluginHookError] = []
    for impl in _implementations(pm, hook):
        try:
            _call_one(pm, hook, impl, {"event": event, "context": context, "clock": clock})
        except PluginHookError as failure:
            logger.error("%s; the change it is about was saved", failure, exc_info=failure)
            failures.append(failure)
    return failures


# Listing ---------------------------------------------------------------------------------------


@attrs.frozen
class PluginInfo:
    """What ``wladna plugins`` shows of one registered plug-in.

    :param name: the plug-in's name: its entry-point name, or its module name for a built-in.
    :param distribution: the distribution that installed it (``wladna-core`` for a built-in),
        or ``None`` for a plug-in registered by code.
    :param version: that distribution's version.
    :param hooks: the hooks it implements, in alphabetical order.
    """

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]


def plugin_list(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Return what is registered in ``pm``, plug-in by plug-in, in order of name."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # a blocked name
            continue
        distribution = pm.distribution_of(plugin) if isinstance(pm, WladnaPluginManager) else None
        dist_name, version = _name_and_version(distribution)
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name, dist_name, version, hooks))
    return sorted(infos, key=lambda info: info.name)


def kinds_from(pm: pluggy.PluginManager) -> KindRegistry:
    """Return the kinds of record every plug-in declares, the five built-in ones included.

    :raises PluginHookError: if a plug-in's hook fails or returns something other than
        :class:`~wladna_core.storage.kinds.RecordKind` objects, or if two plug-ins declare kinds
        with the same name, record class or table (both are named).
    """
    hook = "wladna_record_kinds"
    declared: dict[str, tuple[str, RecordKind[Any]]] = {}
    for plugin, result in _call_each(pm, hook):
        for kind in _items(pm, hook, plugin, result, RecordKind):
            clash = next(
                (
                    (owner, other)
                    for owner, other in declared.values()
                    if other != kind
                    and (
                        other.name == kind.name
                        or other.record_type is kind.record_type
                        or other.table == kind.table
                    )
                ),
                None,
            )
            if clash is not None:
                both = [_plugin_label(pm, clash[0]), _plugin_label(pm, plugin)]
                reason = (
                    f"both declare a kind of record named {kind.name!r}, of class "
                    f"{kind.record_type.__name__} or in table {kind.table!r}; a plug-in names "
                    "its kinds and tables after itself"
                )
                raise PluginHookError(hook, both, reason)
            declared.setdefault(kind.name, (plugin, kind))
    try:
        return KindRegistry(kind for _plugin, kind in declared.values())
    except ValueError as exc:
        plugins = sorted({_plugin_label(pm, plugin) for plugin, _ in declared.values()})
        raise PluginHookError(hook, plugins, str(exc)) from exc


def case_numbering(pm: pluggy.PluginManager) -> Callable[[Case, str, int, int], str | None]:
    """Return the deployment's case numbering: the first ``wladna_case_number`` plug-in's answer.

    The function returned gives ``None`` when no plug-in numbers the case (the store then uses
    the default format).

    :raises PluginHookError: (when the function is called) naming the plug-in, if it fails or
        returns something that cannot be a case number; the case is not saved.
    """
    from wladna_core.storage.numbers import NUMBER_MAX, is_case_number  # noqa: PLC0415

    hook = "wladna_case_number"

    def number(case: Case, province: str, year: int, sequence: int) -> str | None:
        answer = first_answer(pm, hook, case=case, province=province, year=year, sequence=sequence)
        if answer is None:
            return None
        plugin, result = answer
        if not is_case_number(result):
            reason = (
                f"it returned {result!r} for sequence {sequence} of {province} in {year}; a "
                f"case number is a non-blank string of at most {NUMBER_MAX} characters. Fix "
                "the plug-in"
            )
            raise PluginHookError(hook, [plugin], reason)
        return str(result)

    return number


def store_environment(pm: pluggy.PluginManager) -> StoreEnvironment:
    """Return what a store needs of the plug-ins: rules, territories, kinds, case numbering.

    The composition root (:func:`open_store`, :meth:`wladna_core.Wladna.open`) hands it to the
    store, which never asks the plug-in manager itself.

    :raises PluginHookError: naming the plug-in, if a hook fails or returns something invalid.
    """
    return StoreEnvironment(
        rules=rules_from(pm),
        gazetteer=gazetteer_from(pm),
        kinds=kinds_from(pm),
        case_number=case_numbering(pm),
    )


def open_store(
    url: str,
    *,
    plugins: pluggy.PluginManager | None = None,
    settings: Mapping[str, object] | None = None,
    clock: Callable[[], date] | None = None,
) -> Store:
    """Open the store at ``url`` with the first plug-in that recognises its scheme.

    This is the composition of a store: the plug-ins' rules, territories and kinds of record
    (:func:`store_environment`) are handed to the adapter that ``wladna_open_store`` picks.

    :param url: ``memory://`` (or ``memory://name``, shared within the process),
        ``sqlite:///path/to/file.db``, ``sqlite://`` (SQLite in memory),
        ``postgresql+psycopg://user@host/database``, or a scheme a plug-in adds.
    :param plugins: the plug-in manager whose hooks the store uses;
        :func:`make_plugin_manager` when omitted.
    :param settings: deployment settings handed to the adapter (see each adapter's documentation
        for the keys it reads; :data:`~wladna_core.storage.ALLOW_RESET` is read by all).
    :param clock: gives "today" for validation on the way in; :meth:`datetime.date.today` when
        omitted.
    :raises UnsupportedStoreURL: if no plug-in opens ``url``.
    """
    if plugins is None:
        plugins = make_plugin_manager()
    if not isinstance(url, str) or not url.strip():
        raise UnsupportedStoreURL(str(url), store_schemes_from(plugins))
    environment = store_environment(plugins)
    frozen_settings = types.MappingProxyType(dict(settings or {}))
    # An adapter's own errors (a database out of reach: StoreError) reach the caller as they are.
    answer = first_answer(
        plugins,
        "wladna_open_store",
        wrap=False,
        url=url,
        settings=frozen_settings,
        plugins=plugins,
        environment=environment,
    )
    if answer is None:
        raise UnsupportedStoreURL(url, store_schemes_from(plugins))
    plugin, store = answer
    if not isinstance(store, Store):
        msg = (
            f"the plug-in {plugin} answered wladna_open_store for {redact_url(url)!r} with a "
            f"{type(store).__name__}, not a Store (wladna_core.storage.Store); fix that plug-in"
        )
        raise StoreError(msg)
    store.environment = environment
    if clock is not None:
        store.clock = clock
    return store
