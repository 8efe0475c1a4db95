"""Messages in English, French and Arabic for every violation code.

Each code has one :class:`Message`: a sentence saying what is wrong and a remedy saying what to
do, each in the three languages of the Wladna system.  Templates use :meth:`str.format` fields
(``{age}``, ``{path}``); :func:`render` fills them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, get_args

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "Message", "Text", "render"]

#: A language messages exist in: English, French or Arabic.
Language = Literal["en", "fr", "ar"]
#: Every language messages exist in.
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
#: The language used when none is asked for.
DEFAULT_LANGUAGE: Final[Language] = "en"


@attrs.frozen
class Text:
    """The same template in English, French and Arabic."""

    en: str
    fr: str
    ar: str

    def in_language(self, lang: str) -> str:
        """Return the template in ``lang``; an unknown language raises :class:`ValueError`."""
        if lang not in LANGUAGES:
            msg = f"unknown language {lang!r}; messages exist in {', '.join(LANGUAGES)}"
            raise ValueError(msg)
        template: str = getattr(self, lang)
        return template


@attrs.frozen
class Message:
    """What a violation says (``message``) and what to do about it (``remedy``)."""

    message: Text
    remedy: Text


class _Lenient(dict[str, object]):
    """Format mapping that leaves a missing field visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(
    message: Message, lang: str = DEFAULT_LANGUAGE, params: Mapping[str, object] | None = None
) -> tuple[str, str]:
    """Return ``(message, remedy)`` in ``lang`` with ``params`` filled in."""
    values = _Lenient(params or {})
    return (
        message.message.in_language(lang).format_map(values),
        message.remedy.in_language(lang).format_map(values),
    )
