"""Options ``wladna`` commands share: the store, the language, who acts.

``--db`` names the store, ``--lang`` the language of messages, ``--as`` who acts (the audit
trail's actor).

Use them as decorators on a command; each passes one keyword argument (``db``, ``lang``,
``actor``)::

    @click.command()
    @db_option
    @lang_option
    def report(db: str, lang: str) -> None: ...

>>> DEFAULT_DB, DB_ENV, LANG_ENV, ACTOR_ENV
('sqlite:///wladna.db', 'WLADNA_DB', 'WLADNA_LANG', 'WLADNA_ACTOR')
"""

from __future__ import annotations

import calendar
import getpass
import re
from datetime import date
from typing import TYPE_CHECKING, Final, TypeVar

import click

from wladna_core.audit import ACTOR_MAX, AuditDraft
from wladna_core.errors import InvariantError
from wladna_core.messages import DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTOR_ENV",
    "DAY",
    "DB_ENV",
    "DEFAULT_DB",
    "LANG_ENV",
    "DayParam",
    "actor_option",
    "db_option",
    "lang_option",
    "login_name",
]

#: The store a command uses when neither ``--db`` nor :data:`DB_ENV` names one.
DEFAULT_DB: Final = "sqlite:///wladna.db"
#: Environment variable naming the store, read when ``--db`` is not given.
DB_ENV: Final = "WLADNA_DB"
#: Environment variable naming the language of messages, read when ``--lang`` is not given.
LANG_ENV: Final = "WLADNA_LANG"
#: Environment variable naming who acts (the audit trail's actor), read when ``--as`` is not
#: given.
ACTOR_ENV: Final = "WLADNA_ACTOR"

_F = TypeVar("_F", bound="Callable[..., object]")

_DAY_SHAPE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class DayParam(click.ParamType):  # type: ignore[type-arg]
    """A day written ``YYYY-MM-DD``, read into a :class:`~datetime.date`.

    A text of another shape, and a day the calendar does not have, are refused with what is
    wrong:

    >>> DAY.convert("2026-03-02", None, None)
    datetime.date(2026, 3, 2)
    >>> try:
    ...     DAY.convert("2026-02-30", None, None)
    ... except click.BadParameter as refused:
    ...     print(refused.message)
    '2026-02-30' is not a day of the calendar: February 2026 has 28 days
    """

    name = "YYYY-MM-DD"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        """Return the day ``value`` names, or fail naming what is wrong with it."""
        if isinstance(value, date):
            return value
        text = str(value)
        shape = _DAY_SHAPE.fullmatch(text)
        if shape is None:
            self.fail(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-02", param, ctx)
        year, month, day = (int(part) for part in shape.groups())
        if not 1 <= month <= 12:
            self.fail(
                f"{text!r} is not a day of the calendar: there is no month {month}", param, ctx
            )
        if year < 1:
            self.fail(f"{text!r} is not a day of the calendar: there is no year 0", param, ctx)
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            month_name = calendar.month_name[month]
            self.fail(
                f"{text!r} is not a day of the calendar: {month_name} {year} has {days} days",
                param,
                ctx,
            )
        return date(year, month, day)


#: The type of the options that take a day (``--on``, ``--today``).
DAY: Final = DayParam()


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
            "postgresql+psycopg://user@host/database, or a plug-in's URL (memory:// keeps "
            "nothing once the command ends: only wladna demo, for a trial run, and programs "
            "running wladna in their own process use it)."
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


def login_name() -> str | None:
    """Return the name the operating system knows the user by, or ``None`` if it knows none."""
    try:
        return getpass.getuser() or None
    except (OSError, KeyError):  # no LOGNAME/USER and no password entry for the uid
        return None


def _actor(_ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value is None:
        value = login_name()
    if value is None:
        msg = (
            "the audit trail needs to know who acts, and the login name is unknown: give "
            f"--as NAME or set {ACTOR_ENV}"
        )
        raise click.BadParameter(msg, param=param)
    try:
        AuditDraft(value, "record.import", "Child", None, None)
    except InvariantError as error:
        msg = f"{value!r} cannot name who acts in the audit trail: {error.message}"
        raise click.BadParameter(msg, param=param) from None
    return value


def actor_option(command: _F) -> _F:
    """Add ``--as NAME`` (environment variable ``WLADNA_ACTOR``) to ``command``.

    The name goes into the audit trail as the actor of every entry the command writes; by
    default it is the user's login name.

    :param command: the command function; it receives ``actor``, the name.
    """
    return click.option(
        "--as",
        "actor",
        metavar="NAME",
        envvar=ACTOR_ENV,
        default=None,
        show_envvar=True,
        callback=_actor,
        help=(
            "Who acts, as the audit trail records it (at most "
            f"{ACTOR_MAX} characters).  [default: your login name]"
        ),
    )(command)
