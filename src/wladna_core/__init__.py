"""wladna_core: the domain library of child-protection case management for Wladna.

Import what you need from here; submodules document the details.
"""

from wladna_core._version import __version__
from wladna_core.convert import dumps, loads, structure, unstructure
from wladna_core.errors import (
    InvalidRecord,
    InvariantError,
    Severity,
    UnknownTerritory,
    Violation,
    WladnaError,
)
from wladna_core.hookspecs import hookimpl
from wladna_core.model import *  # noqa: F403
from wladna_core.model import __all__ as _model_all
from wladna_core.rules import Context, Finding, Rule, RuleSet, catalogue, validate

__all__ = [  # noqa: PLE0604 (the model's names come from its own __all__)
    "Context",
    "Finding",
    "InvalidRecord",
    "InvariantError",
    "Rule",
    "RuleSet",
    "Severity",
    "UnknownTerritory",
    "Violation",
    "WladnaError",
    "__version__",
    "catalogue",
    "dumps",
    "hookimpl",
    "loads",
    "structure",
    "unstructure",
    "validate",
    *_model_all,
]
