"""Finding the same child twice, across Arabic and Latin scripts.

The pure matching engine: it reads names as Moroccans write them
(:mod:`~wladna_core.matching.names`), gives each child a few blocking keys so that candidates
come from indexed lookups (:mod:`~wladna_core.matching.blocking`), and scores a pair of records
with the reasons for the score (:mod:`~wladna_core.matching.scoring`).  It imports only the
model: stores and services build on it.

>>> from datetime import date
>>> from wladna_core.model import Child, Sex
>>> matcher = ChildMatcher()
>>> one = Child(Sex.FEMALE, date(2012, 9, 1), given_name_ar="فاطمة الزهراء",
...             family_name_ar="الإدريسي")
>>> two = Child(Sex.FEMALE, date(2012, 9, 1), given_name="Fatimazahra", family_name="Drissi")
>>> matcher.verdict(matcher.score(one, two))
'duplicate'
"""

from wladna_core.matching.blocking import blocking_keys
from wladna_core.matching.names import (
    NameReading,
    PhoneticName,
    name_key,
    name_similarity,
    normalise_name,
    read_name,
)
from wladna_core.matching.scoring import (
    ChildMatcher,
    Matcher,
    MatchScore,
    MatchSettings,
    MatchWeights,
    Reason,
    Subject,
)

__all__ = [
    "ChildMatcher",
    "MatchScore",
    "MatchSettings",
    "MatchWeights",
    "Matcher",
    "NameReading",
    "PhoneticName",
    "Reason",
    "Subject",
    "blocking_keys",
    "name_key",
    "name_similarity",
    "normalise_name",
    "read_name",
]
