"""The rules' context of the approvals: the case's other requests, and the subjects allowed.

:class:`ApprovalContext` (pure validation, tests) and :class:`ApprovalStoreContext` (a store's
unit of work, which reads the deployment's ``approvals`` setting) add
:attr:`~ApprovalContext.approval_settings` to the case file's context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wladna_core.casefile.approvals.model import ApprovalSettings
from wladna_core.casefile.context import CaseFileContext, CaseFileStoreContext

if TYPE_CHECKING:
    from wladna_core.storage.ports import UnitOfWork

__all__ = ["ApprovalContext", "ApprovalStoreContext", "approval_settings_of"]


class ApprovalContext(CaseFileContext):
    """A case-file context that knows what may be approved.

    :param approval_settings: the deployment's; the defaults (built-in subjects) when omitted.
    :param kwargs: what :class:`~wladna_core.casefile.CaseFileContext` takes.
    """

    def __init__(self, *, approval_settings: ApprovalSettings | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._approval_settings = approval_settings or ApprovalSettings()

    @property
    def approval_settings(self) -> ApprovalSettings:
        """What may be approved in the deployment."""
        return self._approval_settings


class ApprovalStoreContext(CaseFileStoreContext):
    """A case-file store context that reads the deployment's ``approvals`` setting.

    :param unit_of_work: the active unit of work to read through.
    """

    def __init__(self, unit_of_work: UnitOfWork, **kwargs: Any) -> None:
        super().__init__(unit_of_work, **kwargs)
        self._approval_settings = ApprovalSettings.from_settings(unit_of_work.store.settings)

    @property
    def approval_settings(self) -> ApprovalSettings:
        """What may be approved in the store's deployment."""
        return self._approval_settings


def approval_settings_of(context: object) -> ApprovalSettings:
    """Return the approval settings a rules' context knows; the defaults for another context."""
    found = getattr(context, "approval_settings", None)
    return found if isinstance(found, ApprovalSettings) else ApprovalSettings()
