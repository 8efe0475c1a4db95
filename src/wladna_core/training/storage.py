"""The training rules' context inside a store: lookups read through the unit of work.

:class:`TrainingStoreContext` is what a store hands the rules when it validates a training
record (every training kind names it as its ``context``, see
:mod:`wladna_core.training.kinds`): a :class:`~wladna_core.storage.context.StoreContext` that
is also a :class:`~wladna_core.training.context.TrainingContext`.  It sees the stored units,
materials, sites, sessions, participants and enrolments, those written earlier in the same unit
of work, and those before the current one in an ``add_many`` call; the training settings come
from the store's ``training`` setting.  It knows no material files (rules on files run where the
files are, e.g. ``wladna training bag verify``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from wladna_core.rules.context import NEEDS
from wladna_core.storage.context import StoreContext
from wladna_core.training.context import TRAINING_NEEDS, TrainingContext
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from wladna_core.storage.ports import UnitOfWork

__all__ = ["TrainingStoreContext"]

_R = TypeVar("_R", TrainingUnit, Material, SiteLogistics, TrainingSession, Participant)

#: What this context provides: the store's needs and the training ones, files aside.
_PROVIDED = (NEEDS | TRAINING_NEEDS) - {"training_material_files"}


class TrainingStoreContext(StoreContext, TrainingContext):
    """A rules' context reading the training records of a unit of work.

    :param unit_of_work: the active unit of work to read through.
    :param pending: records about to be written with the one being validated.
    """

    def __init__(self, unit_of_work: UnitOfWork, *, pending: Iterable[object] = ()) -> None:
        self._pending_enrolments: dict[str, Enrolment] = {}
        super().__init__(unit_of_work, pending=pending)
        self._settings = TrainingSettings.from_settings(unit_of_work.store.settings)

    def add_pending(self, record: object) -> None:
        """Count ``record`` as stored from now on (it is about to be written)."""
        super().add_pending(record)
        if isinstance(record, Enrolment):
            self._pending_enrolments[record.id] = record

    def provides(self, need: str) -> bool:
        """Return whether ``need`` is a store need or a training need other than files."""
        return need in _PROVIDED

    def _find(self, record_type: type[_R], record_id: str) -> _R | None:
        return self._lookup(self._unit_of_work.repository(record_type), record_id)

    def unit(self, unit_id: str) -> TrainingUnit | None:
        """Return the unit with this id, or ``None``."""
        return self._find(TrainingUnit, unit_id)

    def units(self) -> Sequence[TrainingUnit]:
        """Return every unit, stored or pending, in order of id."""
        stored = {unit.id: unit for unit in self._unit_of_work.repository(TrainingUnit).iter()}
        stored.update(self._pending_of(TrainingUnit))
        return tuple(stored[key] for key in sorted(stored))

    def material(self, material_id: str) -> Material | None:
        """Return the material with this id, or ``None``."""
        return self._find(Material, material_id)

    def material_file(self, material_id: str) -> Path | None:
        """Return ``None``: a store knows no material files."""
        return None

    def site(self, site_id: str) -> SiteLogistics | None:
        """Return the site with this id, or ``None``."""
        return self._find(SiteLogistics, site_id)

    def session(self, session_id: str) -> TrainingSession | None:
        """Return the session with this id, or ``None``."""
        return self._find(TrainingSession, session_id)

    def participant(self, participant_id: str) -> Participant | None:
        """Return the participant with this id, or ``None``."""
        return self._find(Participant, participant_id)

    def enrolments_of_session(self, session_id: str) -> Sequence[Enrolment]:
        """Return the enrolments in the session with this id, in order of id."""
        return self._enrolments_where({"session_id": session_id})

    def enrolments_of_participant(self, participant_id: str) -> Sequence[Enrolment]:
        """Return the enrolments of the participant with this id, in order of id."""
        return self._enrolments_where({"participant_id": participant_id})

    def _enrolments_where(self, filters: dict[str, str]) -> Sequence[Enrolment]:
        from wladna_core.training.kinds import ENROLMENT  # noqa: PLC0415 (kinds import us)

        repository = self._unit_of_work.repository(Enrolment)
        by_id = {item.id: item for item in repository.find(ENROLMENT.query(**filters))}
        ((name, wanted),) = filters.items()
        by_id.update(
            (key, item)
            for key, item in self._pending_enrolments.items()
            if getattr(item, name) == wanted
        )
        return tuple(by_id[key] for key in sorted(by_id))

    def _pending_of(self, record_type: type[Any]) -> dict[str, Any]:
        return {
            record_id: record
            for (kind, record_id), record in self._pending.items()
            if kind is record_type
        }
