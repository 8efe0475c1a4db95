"""Settings of this project's own test suite."""

from __future__ import annotations

import os

from hypothesis import settings

from wladna_core.testing.pytest_plugin import CI_PROFILE, PROFILE_VARIABLE

#: The profile of this suite in continuous integration: the plug-in's ``ci`` profile (fresh
#: random examples at every run, no deadline, no example database) with 100 examples a test.
#: Every property of a store runs on memory, SQLite and PostgreSQL, so 300 examples each would
#: not fit in CI's time; fresh seeds at every run explore more over time.
SUITE_CI_PROFILE = "wladna-suite-ci"

_in_ci = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}
if _in_ci and not os.environ.get(PROFILE_VARIABLE, "").strip():
    settings.register_profile(SUITE_CI_PROFILE, settings.get_profile(CI_PROFILE), max_examples=100)
    settings.load_profile(SUITE_CI_PROFILE)
