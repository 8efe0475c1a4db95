"""The ``>>>`` examples in the package's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import wladna_core

# The contract suite is a pytest module run with an option; it has no docstring examples.
_NOT_IMPORTED_HERE = {"wladna_core.testing.conformance", "wladna_core.__main__"}
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(wladna_core.__path__, prefix="wladna_core.")
    if info.name not in _NOT_IMPORTED_HERE and ".migrations" not in info.name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_of(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
