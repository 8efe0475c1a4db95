"""What the training rules may know beyond one record: the programme's other records.

:class:`TrainingContext` is a :class:`~wladna_core.rules.Context` that also knows units,
materials, sites, sessions, participants and enrolments, the files of the materials, and the
:class:`~wladna_core.training.settings.TrainingSettings`.  As in the base context, each kind of
record is either not known (``None``: the rules that need it do not run) or known (possibly
empty); a rule names what it needs among :data:`TRAINING_NEEDS`.

A store that keeps training records will subclass it, as it does the base context, and override
:meth:`~TrainingContext.provides` and the lookup methods.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from wladna_core.rules import Context
from wladna_core.training.sessions import Enrolment, Participant, SiteLogistics, TrainingSession
from wladna_core.training.settings import TrainingSettings
from wladna_core.training.units import Material, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["TRAINING_NEEDS", "TrainingContext"]

#: What a :class:`TrainingContext` can provide beyond :data:`wladna_core.rules.NEEDS`.
TRAINING_NEEDS: Final[frozenset[str]] = frozenset(
    {
        "training_units",
        "training_materials",
        "training_material_files",
        "training_sites",
        "training_sessions",
        "training_participants",
        "training_enrolments",
    }
)

_Record = TypeVar("_Record", TrainingUnit, Material, SiteLogistics, TrainingSession, Participant)


def _by_id(records: Iterable[_Record] | None, kind: type[_Record]) -> dict[str, _Record] | None:
    if records is None:
        return None
    found: dict[str, _Record] = {}
    for record in records:
        if not isinstance(record, kind):
            msg = f"a context's {kind.__name__} records must be {kind.__name__} objects, got "
            raise TypeError(msg + type(record).__name__)
        found[record.id] = record
    return found


class TrainingContext(Context):
    """The records of the training programme that rules may consult.

    :param units: every training unit, or ``None`` when not known.
    :param materials: every material, or ``None``.
    :param sites: every site's logistics, or ``None``.
    :param sessions: every session, or ``None``.
    :param participants: every participant, or ``None``.
    :param enrolments: every enrolment, or ``None``.
    :param material_files: where the file of each material can be read, by material id, or
        ``None``; rule ``training.material_checksum`` reads them.
    :param settings: the training settings; the defaults when omitted.
    :param base: the arguments of :class:`~wladna_core.rules.Context` (``gazetteer``,
        ``bodies``...).

    As in the base context, a later record with the same id replaces an earlier one.
    """

    def __init__(
        self,
        *,
        units: Iterable[TrainingUnit] | None = None,
        materials: Iterable[Material] | None = None,
        sites: Iterable[SiteLogistics] | None = None,
        sessions: Iterable[TrainingSession] | None = None,
        participants: Iterable[Participant] | None = None,
        enrolments: Iterable[Enrolment] | None = None,
        material_files: Mapping[str, Path | str] | None = None,
        settings: TrainingSettings | None = None,
        **base: Any,
    ) -> None:
        super().__init__(**base)
        if settings is not None and not isinstance(cast("object", settings), TrainingSettings):
            msg = f"settings must be TrainingSettings, got {type(settings).__name__}"
            raise TypeError(msg)
        self._settings = settings if settings is not None else TrainingSettings()
        self._units = _by_id(units, TrainingUnit)
        self._materials = _by_id(materials, Material)
        self._sites = _by_id(sites, SiteLogistics)
        self._sessions = _by_id(sessions, TrainingSession)
        self._participants = _by_id(participants, Participant)
        self._files = (
            None
            if material_files is None
            else {key: Path(value) for key, value in material_files.items()}
        )
        self._enrolments: dict[str, Enrolment] | None = None
        self._by_session: dict[str, list[Enrolment]] = defaultdict(list)
        self._by_participant: dict[str, list[Enrolment]] = defaultdict(list)
        if enrolments is not None:
            self._enrolments = {}
            for enrolment in enrolments:
                if not isinstance(cast("object", enrolment), Enrolment):
                    msg = "a context's Enrolment records must be Enrolment objects, got "
                    raise TypeError(msg + type(enrolment).__name__)
                self._enrolments[enrolment.id] = enrolment
            for enrolment in self._enrolments.values():
                self._by_session[enrolment.session_id].append(enrolment)
                self._by_participant[enrolment.participant_id].append(enrolment)

    @property
    def settings(self) -> TrainingSettings:
        """The training settings the rules apply."""
        return self._settings

    def provides(self, need: str) -> bool:
        """Return whether this context knows ``need``, one of its own or of the base context."""
        known = {
            "training_units": self._units is not None,
            "training_materials": self._materials is not None,
            "training_material_files": self._files is not None,
            "training_sites": self._sites is not None,
            "training_sessions": self._sessions is not None,
            "training_participants": self._participants is not None,
            "training_enrolments": self._enrolments is not None,
        }
        if need in known:
            return known[need]
        return super().provides(need)

    def unit(self, unit_id: str) -> TrainingUnit | None:
        """Return the unit with this id, or ``None``."""
        return (self._units or {}).get(unit_id)

    def units(self) -> Sequence[TrainingUnit]:
        """Return every unit known, in the order given."""
        return tuple((self._units or {}).values())

    def material(self, material_id: str) -> Material | None:
        """Return the material with this id, or ``None``."""
        return (self._materials or {}).get(material_id)

    def material_file(self, material_id: str) -> Path | None:
        """Return where the file of the material with this id can be read, or ``None``."""
        return (self._files or {}).get(material_id)

    def site(self, site_id: str) -> SiteLogistics | None:
        """Return the site with this id, or ``None``."""
        return (self._sites or {}).get(site_id)

    def session(self, session_id: str) -> TrainingSession | None:
        """Return the session with this id, or ``None``."""
        return (self._sessions or {}).get(session_id)

    def participant(self, participant_id: str) -> Participant | None:
        """Return the participant with this id, or ``None``."""
        return (self._participants or {}).get(participant_id)

    def enrolments_of_session(self, session_id: str) -> Sequence[Enrolment]:
        """Return the enrolments in the session with this id."""
        return tuple(self._by_session.get(session_id, ()))

    def enrolments_of_participant(self, participant_id: str) -> Sequence[Enrolment]:
        """Return the enrolments of the participant with this id."""
        return tuple(self._by_participant.get(participant_id, ()))
