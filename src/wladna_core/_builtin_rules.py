"""The built-in rule catalogue, offered as a plug-in like any other rules.

:func:`wladna_core.plugins.make_plugin_manager` registers this module, so that the built-in
rules and a plug-in's rules reach :func:`wladna_core.rules.validate` by the same road
(:func:`wladna_core.plugins.rules_from`).  The rules themselves live in
:mod:`wladna_core.rules.builtin`, which knows nothing of plug-ins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.hookspecs import hookimpl
from wladna_core.rules import catalogue

if TYPE_CHECKING:
    from wladna_core.rules import Rule

__all__ = ["wladna_rules"]


@hookimpl
def wladna_rules() -> tuple[Rule, ...]:
    """Offer every built-in rule (the documented rule catalogue)."""
    return catalogue()
