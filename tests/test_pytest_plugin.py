"""The pytest plug-in: its Hypothesis profiles, how it chooses one, and the report header."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from wladna_core.testing import pytest_plugin
from wladna_core.testing.pytest_plugin import PROFILE_VARIABLE, ProfileChoice, choose_profile

if TYPE_CHECKING:
    from collections.abc import Iterator

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _isolated_profiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run each test without CI or a chosen profile, and give the outer run its profile back."""
    monkeypatch.delenv(PROFILE_VARIABLE, raising=False)
    monkeypatch.delenv("CI", raising=False)
    active = settings.get_current_profile_name()
    yield
    # Runs inside this process share Hypothesis's profiles with it.
    pytest_plugin.register_profiles()
    settings.load_profile(active)


def probe(pytester: pytest.Pytester, profile: str, max_examples: int) -> None:
    """Write a test that passes only if ``profile`` is active with ``max_examples``."""
    pytester.makepyfile(
        test_probe=f"""
        from hypothesis import settings

        def test_active_profile():
            assert settings.get_current_profile_name() == {profile!r}
            assert settings().max_examples == {max_examples}
        """
    )


# --- choosing a profile ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"CI": "1"}, "ci"),
        ({"CI": "yes"}, "ci"),
        ({"CI": "false"}, "dev"),
        ({"CI": "0"}, "dev"),
        ({"CI": "No"}, "dev"),
        ({"CI": ""}, "dev"),
        ({PROFILE_VARIABLE: "fast"}, "fast"),
        ({PROFILE_VARIABLE: "fast", "CI": "true"}, "fast"),
        ({PROFILE_VARIABLE: "nightly"}, "nightly"),
        ({PROFILE_VARIABLE: "  "}, "dev"),
        ({PROFILE_VARIABLE: "none", "CI": "true"}, None),
    ],
)
def test_the_variable_chooses_the_profile_else_ci_when_ci_is_true_else_dev(
    environ: dict[str, str], expected: str | None
) -> None:
    assert choose_profile(environ).name == expected


def test_each_choice_says_why() -> None:
    assert choose_profile({}) == ProfileChoice(
        "dev", "the default; set WLADNA_HYPOTHESIS_PROFILE to choose"
    )
    assert choose_profile({"CI": "true"}).reason == "CI is set"
    assert choose_profile({PROFILE_VARIABLE: "fast"}).reason == "from WLADNA_HYPOTHESIS_PROFILE"
    assert choose_profile({PROFILE_VARIABLE: "none"}).reason == (
        "WLADNA_HYPOTHESIS_PROFILE=none: left to Hypothesis"
    )


def test_the_profiles_have_the_documented_settings() -> None:
    pytest_plugin.register_profiles()
    dev, ci, fast = (settings.get_profile(name) for name in ("dev", "ci", "fast"))
    assert dev.max_examples == 100
    assert dev.deadline == settings.get_profile("default").deadline
    assert (ci.max_examples, ci.derandomize, ci.print_blob, ci.deadline) == (300, False, True, None)
    assert ci.database is None
    assert fast.max_examples == 10


# --- the plug-in in a pytest run ------------------------------------------------------------------


def test_a_run_gets_the_dev_profile_by_default_and_the_header_says_so(
    pytester: pytest.Pytester,
) -> None:
    probe(pytester, "dev", 100)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "wladna: hypothesis profile 'dev' (the default; set WLADNA_HYPOTHESIS_PROFILE to "
            "choose), max_examples=100"
        ]
    )


@pytest.mark.parametrize(("profile", "max_examples"), [("fast", 10), ("ci", 300), ("dev", 100)])
def test_the_environment_variable_selects_the_profile_of_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, profile: str, max_examples: int
) -> None:
    monkeypatch.setenv(PROFILE_VARIABLE, profile)
    monkeypatch.setenv("CI", "true")
    probe(pytester, profile, max_examples)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            f"wladna: hypothesis profile '{profile}' (from WLADNA_HYPOTHESIS_PROFILE), "
            f"max_examples={max_examples}"
        ]
    )


def test_a_run_on_ci_gets_the_ci_profile(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    probe(pytester, "ci", 300)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["wladna: hypothesis profile 'ci' (CI is set), max_examples=300"])


def test_a_profile_loaded_by_a_conftest_is_kept_and_the_header_says_whose_it_is(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_VARIABLE, "fast")
    pytester.makeconftest(
        """
        from hypothesis import settings

        settings.register_profile("mine", max_examples=7)
        settings.load_profile("mine")
        """
    )
    probe(pytester, "mine", 7)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "wladna: hypothesis profile 'mine' (loaded by the test configuration; wladna chose "
            "'fast'), max_examples=7"
        ]
    )


def test_a_conftest_may_register_a_profile_of_the_plugin_again(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makeconftest(
        """
        from hypothesis import settings

        settings.register_profile("ci", max_examples=5)
        """
    )
    probe(pytester, "ci", 5)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_hypothesis_profile_option_wins_over_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_VARIABLE, "fast")
    probe(pytester, "ci", 300)
    result = pytester.runpytest("--hypothesis-profile=ci")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["wladna: hypothesis profile 'ci' (loaded by the test configuration; wladna chose 'fast')*"]
    )


def test_the_variable_may_name_a_profile_that_a_conftest_registers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_VARIABLE, "nightly")
    pytester.makeconftest(
        """
        from hypothesis import settings

        settings.register_profile("nightly", max_examples=1000)
        """
    )
    probe(pytester, "nightly", 1000)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["wladna: hypothesis profile 'nightly' (from WLADNA_HYPOTHESIS_PROFILE), max_examples=1000"]
    )


def test_a_profile_no_one_registers_stops_the_run_with_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Profiles outlive a run in this process: the name must be one no test registers.
    monkeypatch.setenv(PROFILE_VARIABLE, "never-registered")
    probe(pytester, "never-registered", 1)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: WLADNA_HYPOTHESIS_PROFILE='never-registered' names no Hypothesis settings "
            "profile.  Use one of dev, ci, fast, register 'never-registered' with "
            "hypothesis.settings.register_profile() in a conftest.py, or unset "
            "WLADNA_HYPOTHESIS_PROFILE."
        ]
    )


def test_none_leaves_the_profile_to_hypothesis(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_VARIABLE, "none")
    monkeypatch.setenv("CI", "true")
    settings.load_profile("default")
    probe(pytester, "default", 100)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "wladna: hypothesis profile 'default' (WLADNA_HYPOTHESIS_PROFILE=none: left to "
            "Hypothesis), max_examples=100"
        ]
    )


def test_registered_from_a_conftest_the_plugin_chooses_when_pytest_configures(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv(PROFILE_VARIABLE, "fast")
    settings.load_profile("default")
    pytester.makeconftest('pytest_plugins = ["wladna_core.testing.pytest_plugin"]')
    probe(pytester, "fast", 10)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["wladna: hypothesis profile 'fast' (from *"])


def test_registered_from_a_conftest_the_plugin_keeps_the_profile_it_loaded(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(
        """
        from hypothesis import settings

        settings.register_profile("mine", max_examples=7)
        settings.load_profile("mine")
        pytest_plugins = ["wladna_core.testing.pytest_plugin"]
        """
    )
    probe(pytester, "mine", 7)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["wladna: hypothesis profile 'mine' (loaded by the test *"])


# --- without Hypothesis ---------------------------------------------------------------------------


def test_a_run_without_hypothesis_passes_and_has_no_wladna_header(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        block_hypothesis="""
        import sys

        sys.modules["hypothesis"] = None
        """,
        test_plain="""
        def test_plain():
            assert True
        """,
    )
    result = pytester.runpytest_subprocess("-p", "block_hypothesis", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1)
    assert "wladna:" not in result.stdout.str()
