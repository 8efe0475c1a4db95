"""The documentation page of the plug-in (docs/fhir.md) shows what the code does.

Its example is run here, and the error it shows is the one the plug-in raises.
"""

from __future__ import annotations

import copy
import doctest
import re
from pathlib import Path
from typing import Any

import pytest

from wladna_fhir import InvalidBundle, from_bundle

PAGE = Path(__file__).resolve().parents[3] / "docs" / "fhir.md"
PYTHON = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TEXT = re.compile(r"^```text\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def run_the_example() -> dict[str, Any]:
    [example] = PYTHON.findall(PAGE.read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {}
    exec(compile(example, str(PAGE), "exec"), namespace)  # the page's own example
    return namespace


def test_the_page_example_runs() -> None:
    namespace = run_the_example()
    assert from_bundle(namespace["bundle"]) == namespace["records"]


def test_the_page_error_is_the_one_raised() -> None:
    bundle = copy.deepcopy(run_the_example()["bundle"])
    [episode] = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "EpisodeOfCare"
    ]
    episode["managingOrganization"]["reference"] = "Organization/nowhere"
    with pytest.raises(InvalidBundle) as refused:
        from_bundle(bundle)
    [shown] = TEXT.findall(PAGE.read_text(encoding="utf-8"))
    # The page elides the record's id with "..." and wraps the line.
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    raised = str(refused.value)
    assert doctest.OutputChecker().check_output(shown, raised + "\n", flags), raised
