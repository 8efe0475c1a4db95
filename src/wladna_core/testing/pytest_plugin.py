"""The pytest plug-in of wladna_core: Hypothesis settings profiles for the test run.

pytest loads it through the ``pytest11`` entry point ``wladna`` wherever wladna-core is
installed (disable it with ``-p no:wladna``).  It registers three Hypothesis settings profiles:

``dev``
    the everyday profile: 100 examples per test and Hypothesis's other defaults.
``ci``
    for continuous integration: 300 examples, no deadline (shared machines are slow and noisy,
    hence also no ``too_slow`` health check), random seeds (``derandomize=False``, so that each
    run explores new examples), no example database, and ``print_blob=True`` so that a failure
    prints what reproduces it.  It replaces Hypothesis's own built-in ``ci`` profile.
``fast``
    10 examples per test, for a quick look while editing.

Then it loads one of them, in this order of choice:

1. the profile named by the environment variable ``WLADNA_HYPOTHESIS_PROFILE`` (any registered
   profile, including one your ``conftest.py`` registers); ``none`` means "load nothing" and
   leaves Hypothesis as it is;
2. ``ci`` when the environment variable ``CI`` is set to a true value (anything but empty,
   ``0``, ``false``, ``no`` or ``off``);
3. ``dev`` otherwise.

The plug-in loads its choice *before* pytest imports the ``conftest.py`` files, so your own
choices stay yours: a profile loaded by a ``conftest.py`` (``settings.load_profile(...)``) wins,
and Hypothesis's ``--hypothesis-profile`` option wins over both.  A ``conftest.py`` that
registers ``dev``, ``ci`` or ``fast`` again replaces the plug-in's version.  The one exception:
when ``WLADNA_HYPOTHESIS_PROFILE`` names a profile that only a ``conftest.py`` registers, the
plug-in loads it once the conftest files are imported (pytest stops with a usage error if no one
registers it).

The report header names the active profile and why it is active::

    wladna: hypothesis profile 'ci' (CI is set), max_examples=300

The plug-in needs Hypothesis for all this; without it (wladna-core installed without the
``testing`` extra) it does nothing.  Command-line options of the plug-in belong to the option
group ``wladna`` (:func:`pytest_addoption`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

import attrs
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from datetime import date
    from pathlib import Path

    import hypothesis
    import pluggy

    from wladna_core.storage import Store

__all__ = [
    "CI_PROFILE",
    "DEFAULT_PROFILE",
    "DEFAULT_STORE_URL",
    "FAST_PROFILE",
    "NO_PROFILE",
    "PROFILES",
    "PROFILE_VARIABLE",
    "STORE_OPTION",
    "STORE_VARIABLE",
    "ProfileChoice",
    "choose_profile",
    "pytest_addoption",
    "pytest_configure",
    "pytest_load_initial_conftests",
    "pytest_report_header",
    "register_profiles",
    "wladna_clock",
    "wladna_pm",
    "wladna_store",
    "wladna_store_url",
    "wladna_today",
]

#: The environment variable that names the Hypothesis profile to load.
PROFILE_VARIABLE: Final = "WLADNA_HYPOTHESIS_PROFILE"
#: The value of :data:`PROFILE_VARIABLE` that tells the plug-in to load no profile at all.
NO_PROFILE: Final = "none"
#: The everyday profile, loaded unless something else is asked for.
DEFAULT_PROFILE: Final = "dev"
#: The profile loaded when the ``CI`` environment variable is true.
CI_PROFILE: Final = "ci"
#: The quick profile.
FAST_PROFILE: Final = "fast"
#: The names of the profiles the plug-in registers.
PROFILES: Final = (DEFAULT_PROFILE, CI_PROFILE, FAST_PROFILE)
#: The command-line option naming the store URL the ``wladna_store`` fixture opens.
STORE_OPTION: Final = "--wladna-store"
#: The environment variable read when the option is not given.
STORE_VARIABLE: Final = "WLADNA_STORE_URL"
#: The store URL used when neither the option nor the variable is given.
DEFAULT_STORE_URL: Final = "memory://"

_FALSE_VALUES: Final = frozenset({"", "0", "false", "no", "off"})


@attrs.frozen
class ProfileChoice:
    """The profile the plug-in chose for a run, and why.

    :param name: the profile's name; ``None`` when ``WLADNA_HYPOTHESIS_PROFILE=none`` asked for
        no profile.
    :param reason: why, in a few words for the report header (``CI is set``).
    """

    name: str | None
    reason: str


@attrs.define
class _RunState:
    """What the plug-in chose for one pytest run; ``settled`` once nothing is left to load."""

    choice: ProfileChoice
    settled: bool = False


_STATE: Final = pytest.StashKey[_RunState]()


def choose_profile(environ: Mapping[str, str]) -> ProfileChoice:
    """Return the profile the environment ``environ`` asks for (see the module's docstring).

    An empty ``WLADNA_HYPOTHESIS_PROFILE`` counts as unset.
    """
    named = environ.get(PROFILE_VARIABLE, "").strip()
    if named == NO_PROFILE:
        return ProfileChoice(None, f"{PROFILE_VARIABLE}={NO_PROFILE}: left to Hypothesis")
    if named:
        return ProfileChoice(named, f"from {PROFILE_VARIABLE}")
    if environ.get("CI", "").strip().lower() not in _FALSE_VALUES:
        return ProfileChoice(CI_PROFILE, "CI is set")
    return ProfileChoice(DEFAULT_PROFILE, f"the default; set {PROFILE_VARIABLE} to choose")


def register_profiles() -> None:
    """Register the ``dev``, ``ci`` and ``fast`` profiles with Hypothesis.

    Each is built on Hypothesis's ``default`` profile.  Registering again replaces them (and
    updates the active profile if it is one of them), so calling this twice is harmless.

    :raises ImportError: if Hypothesis is not installed.
    """
    from hypothesis import HealthCheck, settings  # noqa: PLC0415 (optional dependency)

    base = settings.get_profile("default")
    settings.register_profile(DEFAULT_PROFILE, base, max_examples=100)
    settings.register_profile(
        CI_PROFILE,
        base,
        max_examples=300,
        derandomize=False,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(FAST_PROFILE, base, max_examples=10)


def _hypothesis_settings() -> type[hypothesis.settings] | None:
    """Return Hypothesis's ``settings`` class, or ``None`` when Hypothesis is not installed."""
    try:
        from hypothesis import settings  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return None
    return settings


def _is_registered(settings: type[hypothesis.settings], name: str) -> bool:
    from hypothesis.errors import InvalidArgument  # noqa: PLC0415 (optional dependency)

    try:
        settings.get_profile(name)
    except InvalidArgument:
        return False
    return True


def pytest_addoption(parser: pytest.Parser) -> None:
    """Create the ``wladna`` option group, with ``--wladna-store``."""
    group = parser.getgroup("wladna", "wladna_core test support")
    group.addoption(
        STORE_OPTION,
        dest="wladna_store",
        metavar="URL",
        default=None,
        help=(
            "URL of the store that the wladna_store fixture opens and the conformance suite "
            f"checks (default: ${STORE_VARIABLE}, else {DEFAULT_STORE_URL}); 'sqlite://' gives "
            "each test its own SQLite file"
        ),
    )


@pytest.fixture
def wladna_store_url(request: pytest.FixtureRequest) -> str:
    """Return the URL of the store under test.

    ``--wladna-store``, else the ``WLADNA_STORE_URL`` environment variable, else ``memory://``.
    """
    option = request.config.getoption("wladna_store")
    url = option if option else os.environ.get(STORE_VARIABLE, "").strip()
    return str(url or DEFAULT_STORE_URL)


@pytest.fixture
def wladna_today() -> date:
    """Return the fixed "today" of ``wladna_clock``: the strategies' ``REFERENCE_DATE``."""
    from wladna_core.testing.strategies import REFERENCE_DATE  # noqa: PLC0415 (Hypothesis)

    return REFERENCE_DATE


@pytest.fixture
def wladna_clock(wladna_today: date) -> Callable[[], date]:
    """Return a clock that always says ``wladna_today``, for ``open_store(..., clock=)``."""

    def clock() -> date:
        return wladna_today

    return clock


@pytest.fixture
def wladna_pm() -> pluggy.PluginManager:
    """Return a new plug-in manager for the test: the built-in and installed plug-ins."""
    from wladna_core.plugins import make_plugin_manager  # noqa: PLC0415 (on use)

    return make_plugin_manager()


@pytest.fixture
def wladna_store(
    wladna_store_url: str,
    wladna_pm: pluggy.PluginManager,
    wladna_clock: Callable[[], date],
    tmp_path: Path,
) -> Iterator[Store]:
    """Yield an empty store at ``wladna_store_url`` for one test, and close it after.

    It is opened with ``settings={"allow_reset": True}`` and emptied with ``reset()`` first;
    ``sqlite://`` becomes a new SQLite file in the test's temporary directory.  Its clock is
    ``wladna_clock``.
    """
    from wladna_core.storage import ALLOW_RESET, open_store  # noqa: PLC0415 (on use)

    url = wladna_store_url
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path / 'wladna.db'}"
    store = open_store(url, plugins=wladna_pm, settings={ALLOW_RESET: True}, clock=wladna_clock)
    try:
        store.reset()
        yield store
    finally:
        store.close()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Register the profiles and load the chosen one, before any ``conftest.py`` is imported."""
    settings = _hypothesis_settings()
    if settings is None:
        return
    register_profiles()
    state = _RunState(choose_profile(os.environ))
    early_config.stash[_STATE] = state
    name = state.choice.name
    if name is None:
        state.settled = True
    elif _is_registered(settings, name):
        settings.load_profile(name)
        state.settled = True


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Load a chosen profile that only a ``conftest.py`` registers; refuse an unknown one.

    When the plug-in was registered too late for :func:`pytest_load_initial_conftests` (from a
    ``conftest.py``'s ``pytest_plugins``), it chooses here instead, and loads its choice only if
    no profile other than Hypothesis's built-in ``default`` or ``ci`` has been loaded.
    """
    settings = _hypothesis_settings()
    if settings is None:
        return
    state = config.stash.get(_STATE, None)
    if state is None:
        active = settings.get_current_profile_name()
        register_profiles()
        # Hypothesis starts with `default`, or `ci` when it detects CI: anything else was loaded
        # on purpose by the test configuration, and is kept.
        settled = active not in {"default", CI_PROFILE}
        state = _RunState(choose_profile(os.environ), settled=settled)
        config.stash[_STATE] = state
    name = state.choice.name
    if state.settled or name is None:
        return
    if not _is_registered(settings, name):
        msg = (
            f"{PROFILE_VARIABLE}={name!r} names no Hypothesis settings profile.  Use one of "
            f"{', '.join(PROFILES)}, register {name!r} with "
            f"hypothesis.settings.register_profile() in a conftest.py, or unset {PROFILE_VARIABLE}."
        )
        raise pytest.UsageError(msg)
    settings.load_profile(name)
    state.settled = True


def pytest_report_header(config: pytest.Config) -> str | None:
    """Name the active Hypothesis profile, why it is active, and its number of examples."""
    settings = _hypothesis_settings()
    state = config.stash.get(_STATE, None)
    if settings is None or state is None:
        return None
    active = settings.get_current_profile_name()
    choice = state.choice
    if choice.name is None or active == choice.name:
        reason = choice.reason
    else:
        reason = f"loaded by the test configuration; wladna chose {choice.name!r}"
    return (
        f"wladna: hypothesis profile {active!r} ({reason}), max_examples={settings().max_examples}"
    )
