"""Children and the identifiers they carry."""

from __future__ import annotations

import re
from datetime import date

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model.enums import (
    Difficulty,
    FunctionalDomain,
    IdentifierScheme,
    Schooling,
    Sex,
)
from wladna_core.model.ids import new_id

__all__ = [
    "IDENTIFIER_FORMATS",
    "UNVERIFIED_IDENTIFIER_FORMATS",
    "Child",
    "FunctionalDifficulty",
    "Identifier",
    "age_on",
]

#: Formats checked by the rules ``child.identifier_format`` and
#: ``child.identifier_format_unverified``, per scheme.  The CNIE pattern is a lenient check (one
#: or two letters, five or six digits), not an official format.  The IDCS pattern (ten digits)
#: is a plausibility check that no public source confirmed: see
#: :data:`UNVERIFIED_IDENTIFIER_FORMATS`.
IDENTIFIER_FORMATS: dict[IdentifierScheme, re.Pattern[str]] = {
    IdentifierScheme.IDCS: re.compile(r"^[0-9]{10}$"),
    IdentifierScheme.CNIE: re.compile(r"^[A-Z]{1,2}[0-9]{5,6}$"),
}

#: Schemes whose format in :data:`IDENTIFIER_FORMATS` no public source confirmed: a value that
#: breaks it is only a warning (``child.identifier_format_unverified``), never a refusal.  The
#: IDCS (*identifiant digital civil et social*, Law 72-18, Decree 2-21-473) is given on
#: registration in the National Population Register; its published format was not found.
UNVERIFIED_IDENTIFIER_FORMATS: frozenset[IdentifierScheme] = frozenset({IdentifierScheme.IDCS})


def age_on(birth_date: date, on: date) -> int:
    """Return the age in whole years of someone born on ``birth_date``, on the day ``on``.

    A person born on 29 February turns a year older on 1 March in common years.
    """
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


@attrs.frozen
class Identifier:
    """An identifier of a child in a scheme (IDCS, CNIE, passport, civil-status act...).

    The value is kept as written; whether it has the scheme's format is checked by the rule
    ``child.identifier_format``, which reports a mistyped number with its path and code.
    """

    scheme: IdentifierScheme = attrs.field(validator=check.member_of(IdentifierScheme))
    value: str = attrs.field(validator=check.text(64))
    issuer: str | None = attrs.field(default=None, validator=check.optional_text())


@attrs.frozen
class FunctionalDifficulty:
    """A difficulty in one domain of functioning (Washington Group / UNICEF module)."""

    domain: FunctionalDomain = attrs.field(validator=check.member_of(FunctionalDomain))
    degree: Difficulty = attrs.field(validator=check.member_of(Difficulty))


@attrs.frozen
class Child:
    """A child known to the system.

    A child found without an identity is registered with ``unidentified=True``: names may then be
    missing and ``birth_date`` is an estimate.  Otherwise at least one given name (Latin or Arabic
    script) is required.

    :param birth_date: the date of birth; when ``birth_date_estimated`` is true it is an estimate
        (for instance the 1st of July of the estimated year of birth).
    :param nationality: ISO 3166-1 alpha-2 code, ``None`` when unknown or stateless.
    :param birth_registered: whether the birth is registered in civil status, ``None`` if unknown.
    :param residence: territory code of where the child lives now.
    :param languages: BCP 47 tags of the languages the child speaks (``ary`` for Darija,
        ``zgh`` for Standard Moroccan Tamazight, ``ar``, ``fr``...).
    :param merged_into: the id of the child this record was merged into, once a person
        confirmed both are one child (see :mod:`wladna_core.duplicates`); the record is kept,
        and every reference to it now leads to the kept child.
    """

    sex: Sex = attrs.field(validator=check.member_of(Sex))
    birth_date: date = attrs.field(validator=check.a_date)
    given_name: str | None = attrs.field(default=None, validator=check.optional_text())
    family_name: str | None = attrs.field(default=None, validator=check.optional_text())
    given_name_ar: str | None = attrs.field(default=None, validator=check.optional_text())
    family_name_ar: str | None = attrs.field(default=None, validator=check.optional_text())
    nickname: str | None = attrs.field(default=None, validator=check.optional_text())
    unidentified: bool = attrs.field(default=False, validator=check.a_bool)
    birth_date_estimated: bool = attrs.field(default=False, validator=check.a_bool)
    nationality: str | None = attrs.field(default=None, validator=check.country_code)
    identifiers: tuple[Identifier, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(Identifier), max_items=20),
    )
    birth_registered: bool | None = attrs.field(default=None, validator=check.optional_bool)
    residence: str | None = attrs.field(default=None, validator=check.optional_territory_code)
    functional_difficulties: tuple[FunctionalDifficulty, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(FunctionalDifficulty), max_items=20),
    )
    languages: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.language_code, max_items=20),
    )
    schooling: Schooling | None = attrs.field(
        default=None, validator=check.optional_member_of(Schooling)
    )
    merged_into: str | None = attrs.field(default=None, validator=check.optional_identifier)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        if self.merged_into is not None and self.merged_into == self.id:
            raise InvariantError(
                "child.merged_into_itself",
                "a child record cannot be merged into itself",
                "merged_into",
            )
        if not self.unidentified and self.given_name is None and self.given_name_ar is None:
            raise InvariantError(
                "child.name_missing",
                "an identified child needs a given name (given_name or given_name_ar); "
                "register a child found without an identity with unidentified=true",
                "given_name",
            )

    def age_on(self, on: date) -> int:
        """Return the child's age in whole years on the day ``on``."""
        return age_on(self.birth_date, on)

    def identifiers_of(self, scheme: IdentifierScheme) -> tuple[Identifier, ...]:
        """Return the child's identifiers in ``scheme``."""
        return tuple(ident for ident in self.identifiers if ident.scheme is scheme)

    @property
    def display_name(self) -> str:
        """A name for people to read: Latin names, else Arabic names, else ``unidentified``."""
        latin = " ".join(part for part in (self.given_name, self.family_name) if part)
        if latin:
            return latin
        arabic = " ".join(part for part in (self.given_name_ar, self.family_name_ar) if part)
        return arabic or self.nickname or "unidentified"
