"""The deployment settings of the documents of cases, under the ``documents`` key.

``url``
    Where the bytes of documents are kept: a URL that a ``wladna_open_document_store``
    plug-in opens — ``file:///<directory>`` for the built-in store
    (:mod:`wladna_core.casefile.documents.files`).  No default: a deployment that attaches
    documents says where they go, so that none is written somewhere nobody backs up.
``max_size``
    The largest document accepted, in bytes (rule ``document.too_large``); default 20 MiB
    (20 971 520 bytes).  Configuration, not law: no text we found caps the size of a case's
    documents.

>>> DocumentSettings.from_settings({"documents": {"max_size": 5_000_000}}).max_size
5000000
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from wladna_core.errors import SettingsError

__all__ = ["DEFAULT_MAX_SIZE", "SETTINGS_KEY", "DocumentSettings", "DocumentSettingsError"]

#: The deployment setting that holds the document settings: ``{name: value}``.
SETTINGS_KEY: Final = "documents"
#: The largest document accepted by default, in bytes: 20 MiB (configuration).
DEFAULT_MAX_SIZE: Final = 20 * 1024 * 1024
#: The largest ``max_size`` a deployment may set: 1 GiB (the bytes are read whole, and FHIR's
#: ``Attachment.size`` is an unsignedInt, under 2 GiB).
MAX_SIZE_LIMIT: Final = 1024 * 1024 * 1024


class DocumentSettingsError(SettingsError):
    """A ``documents`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _url(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or "://" not in value):
        raise DocumentSettingsError(
            f"{SETTINGS_KEY}.url",
            value,
            "it is the URL of the store keeping the bytes of documents",
            "Write e.g. 'file:///var/lib/wladna/documents'.",
        )


def _max_size(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIZE_LIMIT:
        raise DocumentSettingsError(
            f"{SETTINGS_KEY}.max_size",
            value,
            f"it is the largest document accepted, a number of bytes from 1 to {MAX_SIZE_LIMIT}",
            f"Write e.g. {DEFAULT_MAX_SIZE} (20 MiB).",
        )


@attrs.frozen
class DocumentSettings:
    """How a deployment keeps the documents of cases.

    :param url: the URL of the document store; ``None`` when none is set (attaching a
        document is then refused with :class:`~wladna_core.casefile.documents.storage.
        DocumentStoreUnavailable`).
    :param max_size: the largest document accepted, in bytes.
    :raises DocumentSettingsError: naming the setting at fault.
    """

    url: str | None = attrs.field(default=None, validator=_url)
    max_size: int = attrs.field(default=DEFAULT_MAX_SIZE, validator=_max_size)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> DocumentSettings:
        """Read the settings under ``documents`` over the defaults.

        :raises DocumentSettingsError: for a section that is not a mapping, an unknown name or
            an unusable value.
        """
        section = settings.get(SETTINGS_KEY) if isinstance(settings, Mapping) else None
        if section is None:
            return cls()
        names = [field.name for field in attrs.fields(cls)]
        if not isinstance(section, Mapping):
            raise DocumentSettingsError(
                SETTINGS_KEY, section, "it must map setting names to values", "Use url, max_size."
            )
        for name in section:
            if name not in names:
                raise DocumentSettingsError(
                    f"{SETTINGS_KEY}.{name}",
                    name,
                    "not a document setting",
                    f"Use one of: {', '.join(names)}.",
                )
        return cls(**{str(name): value for name, value in section.items()})
