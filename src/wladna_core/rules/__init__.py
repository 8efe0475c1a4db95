"""Validation rules: what a record must satisfy on a date and against other records.

Invariants of one object are checked when it is built (see :mod:`wladna_core.model`).  Rules
check the rest: ages on a date, links to other records, consent before a referral, approval of a
high-risk plan.  :func:`validate` runs every rule for a record and returns **all** violations at
once, each with its stable code, path, message and remedy in English, French or Arabic.

>>> from datetime import date
>>> from wladna_core.rules import validate
>>> from wladna_core.model import Child, Sex
>>> child = Child(sex=Sex.FEMALE, birth_date=date(2031, 5, 1), given_name="Amina")
>>> [v.code for v in validate(child, on=date(2026, 3, 1))]
['child.birth_in_future']

Plug-ins add rules through the ``wladna_rules()`` hook; :class:`RuleSet` combines them with the
built-in catalogue (:func:`catalogue`, :mod:`wladna_core.rules.builtin`).
"""

from wladna_core.rules.context import NEEDS, Context
from wladna_core.rules.engine import (
    Finding,
    Rule,
    RuleError,
    RuleSet,
    Validator,
    catalogue,
    record_label,
    rule,
    validate,
)

__all__ = [
    "NEEDS",
    "Context",
    "Finding",
    "Rule",
    "RuleError",
    "RuleSet",
    "Validator",
    "catalogue",
    "record_label",
    "rule",
    "validate",
]
