"""Units a role must have completed before writing casework, checked by ``wladna_authorize``.

A deployment names, in its ``training`` setting, the codes of the units each role must have
completed (``{"required_units": {"case_worker": ["BI-01"]}}``) and whether a person lacking one
is warned or refused (``"required_units_mode": "warn"`` or ``"enforce"``; see
:class:`~wladna_core.training.settings.TrainingSettings`).  This module is a built-in plug-in:
:class:`RequiredUnits` answers ``wladna_authorize`` for every action that writes casework
(:data:`CASEWORK_WRITES`) with a :class:`~wladna_core.errors.Violation` of code
``training.required_unit_missing`` naming the units to take — an error (the write is refused,
with the remedy) in enforce mode, a warning (the write goes ahead; the outcome carries it) in
warn mode.

A person has completed a unit when one of their participant records (``person_id`` = the
actor's id) has an enrolment marked completed in a session giving that unit.
:meth:`wladna_core.Wladna.open` calls :func:`use_required_units` with the deployment's settings
and store; the module's own hook, without a store, requires nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.access import Action, Actor
from wladna_core.errors import Severity, Violation
from wladna_core.hookspecs import hookimpl
from wladna_core.messages import Message, Text, render
from wladna_core.storage import StoreError
from wladna_core.training.settings import RequiredUnitsMode, TrainingSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    import pluggy

    from wladna_core.storage import Store

__all__ = [
    "CASEWORK_WRITES",
    "MISSING_CODE",
    "MISSING_MESSAGE",
    "PLUGIN_NAME",
    "UNCHECKED_CODE",
    "RequiredUnits",
    "completed_unit_codes",
    "use_required_units",
    "wladna_authorize",
]

#: The name the check is registered under (this module's).
PLUGIN_NAME: Final = __name__
#: The code of the violation a person lacking a required unit gets.
MISSING_CODE: Final = "training.required_unit_missing"
#: The code of the violation when the units completed cannot be read (the check errs on the
#: side of the mode: refused in enforce mode, warned in warn mode).
UNCHECKED_CODE: Final = "training.required_units_unchecked"

#: The actions that write casework, which need the required units.
CASEWORK_WRITES: Final = frozenset(
    action.value
    for action in (
        Action.CHILD_REGISTER,
        Action.FAMILY_REGISTER,
        Action.CASE_OPEN,
        Action.CASE_UPDATE,
        Action.CASE_APPROVE_PLAN,
        Action.CASE_CLOSE,
        Action.CASE_REOPEN,
        Action.CASE_TRANSFER,
        Action.CASE_MARK_DUPLICATE,
        Action.CONSENT_OVERRIDE,
        Action.REFERRAL_MAKE,
        Action.REFERRAL_RESPOND,
        Action.REFERRAL_CANCEL,
        Action.REFERRAL_COMPLETE,
    )
)

#: What the violation says, in English, French and Arabic.
MISSING_MESSAGE: Final = Message(
    message=Text(
        "Writing casework as {roles} needs the training unit(s) {units}, not completed yet.",
        "La saisie de dossiers en tant que {roles} exige le ou les modules de formation "
        "{units}, pas encore suivis.",
        "يتطلب تسجيل ملفات الحالات بصفة {roles} إتمام وحدة أو وحدات التكوين {units}، ولم تُتمّ بعد.",
    ),
    remedy=Text(
        "Enrol in a session of {units} and complete it; ask the training coordinator.",
        "Inscrivez-vous à une session de {units} et suivez-la jusqu'au bout ; adressez-vous "
        "au coordinateur de la formation.",
        "سجّل في دورة {units} وأتمّها؛ توجّه إلى منسّق التكوين.",
    ),
)


def completed_unit_codes(store: Store, person_id: str) -> frozenset[str]:
    """Return the codes of the units ``person_id`` has completed, read from ``store``."""
    from wladna_core.training.kinds import ENROLMENT, PARTICIPANT  # noqa: PLC0415 (kinds: rules)
    from wladna_core.training.sessions import TrainingSession  # noqa: PLC0415
    from wladna_core.training.units import TrainingUnit  # noqa: PLC0415

    codes: set[str] = set()
    with store.unit_of_work(read_only=True) as uow:
        enrolments = uow.repository(ENROLMENT)
        for participant in uow.repository(PARTICIPANT).find(PARTICIPANT.query(person_id=person_id)):
            done = enrolments.find(ENROLMENT.query(participant_id=participant.id, completed=True))
            sessions = uow.repository(TrainingSession).get_many(
                sorted({enrolment.session_id for enrolment in done})
            )
            unit_ids = sorted({unit for session in sessions for unit in session.units})
            codes.update(unit.code for unit in uow.repository(TrainingUnit).get_many(unit_ids))
    return frozenset(codes)


class RequiredUnits:
    """The check of the units required before writing casework, for one deployment.

    :param settings: the training settings (``required_units``, ``required_units_mode``).
    :param store: where the participants' enrolments are read; ``None`` requires nothing.
    """

    def __init__(self, settings: TrainingSettings, store: Store | None) -> None:
        self.settings = settings
        self.store = store

    def __repr__(self) -> str:
        return f"<RequiredUnits {self.settings.required_units_mode.value} {self.store!r}>"

    def missing(self, actor: Actor) -> tuple[str, ...]:
        """Return the codes of the units required of ``actor`` that they have not completed."""
        required = self.settings.units_required_of(role.value for role in actor.roles)
        if not required or self.store is None:
            return ()
        done = completed_unit_codes(self.store, actor.id)
        return tuple(code for code in required if code not in done)

    @hookimpl
    def wladna_authorize(
        self,
        actor: object,
        action: str,
        resource: object,
        clock: Callable[[], datetime],
    ) -> Violation | None:
        """Warn or refuse a casework write by a person lacking a required unit."""
        if action not in CASEWORK_WRITES or not isinstance(actor, Actor):
            return None
        enforce = self.settings.required_units_mode is RequiredUnitsMode.ENFORCE
        severity = Severity.ERROR if enforce else Severity.WARNING
        try:
            missing = self.missing(actor)
        except StoreError as error:
            # A store whose reads cannot run beside a write (SQLite in memory, one connection).
            return Violation(
                UNCHECKED_CODE,
                "$",
                f"The training units completed could not be read: {error}",
                severity,
                remedy="Keep the records in a SQLite file, PostgreSQL or the memory store.",
            )
        if not missing:
            return None
        listed = dict(self.settings.required_units)
        holding = sorted(role.value for role in actor.roles if role.value in listed)
        text, remedy = render(
            MISSING_MESSAGE,
            params={"roles": ", ".join(holding), "units": ", ".join(missing)},
        )
        return Violation(MISSING_CODE, "$", text, severity, remedy=remedy)


_DEFAULT: Final = RequiredUnits(TrainingSettings(), None)


@hookimpl
def wladna_authorize(
    actor: object, action: str, resource: object, clock: Callable[[], datetime]
) -> Violation | None:
    """Require nothing: :func:`use_required_units` installs the deployment's check."""
    return _DEFAULT.wladna_authorize(actor, action, resource, clock)


def use_required_units(
    pm: pluggy.PluginManager, settings: TrainingSettings, store: Store | None
) -> RequiredUnits:
    """Replace the check of ``pm`` by one reading ``store`` with ``settings``.

    Registered under :data:`PLUGIN_NAME`; calling this again replaces it again.
    """
    from wladna_core.plugins import WladnaPluginManager  # noqa: PLC0415 (plugins imports us)

    plugin = RequiredUnits(settings, store)
    current = pm.get_plugin(PLUGIN_NAME)
    distribution = None
    if current is not None:
        if isinstance(pm, WladnaPluginManager):
            distribution = pm.distribution_of(current)
        pm.unregister(name=PLUGIN_NAME)
    if isinstance(pm, WladnaPluginManager):
        pm.register_distributed(plugin, PLUGIN_NAME, distribution)
    else:
        pm.register(plugin, name=PLUGIN_NAME)
    return plugin
