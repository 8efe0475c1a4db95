"""wladna_core: the domain library of child-protection case management for Wladna.

Import what you need from here; submodules document the details.
"""

from wladna_core._version import __version__
from wladna_core.access import AccessDenied, Actor, Role
from wladna_core.app import Wladna
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
from wladna_core.services import CaseWork, ConsentRequired, Outcome

__all__ = [  # noqa: PLE0604 (the model's names come from its own __all__)
    "AccessDenied",
    "Actor",
    "CaseWork",
    "ConsentRequired",
    "Context",
    "Finding",
    "InvalidRecord",
    "InvariantError",
    "Outcome",
    "Role",
    "Rule",
    "RuleSet",
    "Severity",
    "UnknownTerritory",
    "Violation",
    "Wladna",
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
