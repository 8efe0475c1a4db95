"""Options every ``wladna`` command shares: the store (``--db``) and the language (``--lang``).

Use them as decorators on a command; each passes one keyword argument (``db``, ``lang``)::

    @click.command()
    @db_option
    @lang_option
    def report(db: str, lang: str) -> None: ...

>>> DEFAULT_DB, DB_ENV, LANG_ENV
('sqlite:///wladna.db', 'WLADNA_DB', 'WLADNA_LANG')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

import click

from wladna_core.messages import DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DB_ENV", "DEFAULT_DB", "LANG_ENV", "db_option", "lang_option"]

#: The store a command uses when neither ``--db`` nor :data:`DB_ENV` names one.
DEFAULT_DB: Final = "sqlite:///wladna.db"
#: Environment variable naming the store, read when ``--db`` is not given.
DB_ENV: Final = "WLADNA_DB"
#: Environment variable naming the language of messages, read when ``--lang`` is not given.
LANG_ENV: Final = "WLADNA_LANG"

_F = TypeVar("_F", bound="Callable[..., object]")


def db_option(command: _F) -> _F:
    """Add ``--db URL`` (environment variable ``WLADNA_DB``) to ``command``.

    :param command: the command function; it receives ``db``, the store URL.
    """
    return click.option(
        "--db",
        metavar="URL",
        envvar=DB_ENV,
        default=DEFAULT_DB,
        show_default=True,
        show_envvar=True,
        help=(
            "The store: sqlite:///path/to/file.db, "
            "postgresql+psycopg://user@host/database, memory://, or a plug-in's URL."
        ),
    )(command)


def lang_option(command: _F) -> _F:
    """Add ``--lang en|fr|ar`` (environment variable ``WLADNA_LANG``) to ``command``.

    :param command: the command function; it receives ``lang``, the language of messages.
    """
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        envvar=LANG_ENV,
        default=DEFAULT_LANGUAGE,
        show_default=True,
        show_envvar=True,
        help="Language of the violations' messages and remedies.",
    )(command)
