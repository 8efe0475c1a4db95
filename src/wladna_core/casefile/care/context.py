"""The rules' context of care arrangements: the case file's, with the care settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wladna_core.casefile.care.settings import CareSettings
from wladna_core.casefile.context import CaseFileContext, CaseFileStoreContext

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.storage.ports import UnitOfWork

__all__ = ["CareContext", "CareStoreContext"]


class CareContext(CaseFileContext):
    """A :class:`~wladna_core.casefile.CaseFileContext` with the deployment's care settings.

    :param care: the care settings; the defaults when omitted.
    :param kwargs: what :class:`~wladna_core.casefile.CaseFileContext` takes.
    """

    def __init__(self, *, care: CareSettings | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._care = care if care is not None else CareSettings()

    @property
    def care(self) -> CareSettings:
        """The deployment's care settings."""
        return self._care


class CareStoreContext(CaseFileStoreContext, CareContext):
    """The care context of a store's unit of work; its settings are the store's.

    :param unit_of_work: the active unit of work to read through.
    :param pending: records about to be written with the one being validated.
    """

    def __init__(self, unit_of_work: UnitOfWork, *, pending: Iterable[object] = ()) -> None:
        super().__init__(unit_of_work, pending=pending)
        self._care = CareSettings.from_settings(unit_of_work.store.settings)
