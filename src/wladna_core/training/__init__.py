"""The training and support programme in the use of the information base.

The Wladna programme is two things: the information base the rest of the library models, and
the programme that trains the staff of the territorial bodies to use it.  This package models
the second: programmes and their rollout by territory, training units and the materials of their
educational bag, sites' logistics, sessions, participants, enrolments, evaluations (anonymous by
default) and requests for support; the rules those records keep; a planner of remote and
in-person sessions; the export of a bag as a BagIt package; and the analysis of evaluations for
the next cycle of courses.  See the guide, ``docs/training.md``.

It is pure domain code: it imports the model, the rule engine, the errors and the messages,
never a store or a service, so that it plugs into any store that keeps declared kinds of record.
:data:`TRAINING_RECORD_TYPES` are the kinds it declares; :data:`TRAINING_RULES` are the rules
its plug-in returns from ``wladna_rules()``.

>>> from datetime import date
>>> unit = TrainingUnit(
...     code="BI-01",
...     title_ar="استعمال قاعدة المعطيات",
...     title_fr="Utilisation de la base d'information",
...     duration_hours=12,
... )
>>> unit.remote_capable
True

The Hypothesis strategies of these records are in :mod:`wladna_core.training.strategies` (it
needs the ``testing`` extra, and is not imported here).
"""

from wladna_core.training.analysis import Count, GroupFindings, NextCycle, next_cycle
from wladna_core.training.bag import (
    BagExportError,
    BagProblem,
    BagProblemKind,
    BagReport,
    EducationalBag,
    IncompleteBag,
    MaterialUnavailable,
    export_bag,
    material_path,
    participant_bag,
    session_bag,
    verify_bag,
)
from wladna_core.training.context import TRAINING_NEEDS, TrainingContext
from wladna_core.training.enums import (
    Criterion,
    Delivery,
    InternetAccess,
    MaterialKind,
    NeedCode,
    RecommendationCode,
    Sector,
    SessionMode,
    StaffRole,
    Subject,
    SupportStatus,
)
from wladna_core.training.evaluations import RATING_LABELS, RATING_SCALE, Evaluation, Rating
from wladna_core.training.planner import (
    ProposedSession,
    SessionPlan,
    SiteGap,
    Unplaced,
    UnplacedReason,
    plan_sessions,
)
from wladna_core.training.programmes import RolloutPhase, TrainingProgramme
from wladna_core.training.reference import ReferenceProgramme, reference_programme
from wladna_core.training.rules import (
    SCORE_SCALE,
    TRAINING_RULES,
    check_material_file,
    training_rules,
)
from wladna_core.training.sessions import (
    Enrolment,
    Participant,
    SiteLogistics,
    Trainer,
    TrainingSession,
)
from wladna_core.training.settings import TrainingSettings, TrainingSettingsError
from wladna_core.training.support import SupportRequest, units_covering
from wladna_core.training.units import Material, TrainingUnit

#: The kinds of record the training programme declares, each kept in a store of its own kind.
TRAINING_RECORD_TYPES = (
    TrainingProgramme,
    TrainingUnit,
    Material,
    SiteLogistics,
    TrainingSession,
    Participant,
    Enrolment,
    Evaluation,
    SupportRequest,
)

__all__ = [
    "RATING_LABELS",
    "RATING_SCALE",
    "SCORE_SCALE",
    "TRAINING_NEEDS",
    "TRAINING_RECORD_TYPES",
    "TRAINING_RULES",
    "BagExportError",
    "BagProblem",
    "BagProblemKind",
    "BagReport",
    "Count",
    "Criterion",
    "Delivery",
    "EducationalBag",
    "Enrolment",
    "Evaluation",
    "GroupFindings",
    "IncompleteBag",
    "InternetAccess",
    "Material",
    "MaterialKind",
    "MaterialUnavailable",
    "NeedCode",
    "NextCycle",
    "Participant",
    "ProposedSession",
    "Rating",
    "RecommendationCode",
    "ReferenceProgramme",
    "RolloutPhase",
    "Sector",
    "SessionMode",
    "SessionPlan",
    "SiteGap",
    "SiteLogistics",
    "StaffRole",
    "Subject",
    "SupportRequest",
    "SupportStatus",
    "Trainer",
    "TrainingContext",
    "TrainingProgramme",
    "TrainingSession",
    "TrainingSettings",
    "TrainingSettingsError",
    "TrainingUnit",
    "Unplaced",
    "UnplacedReason",
    "check_material_file",
    "export_bag",
    "material_path",
    "next_cycle",
    "participant_bag",
    "plan_sessions",
    "reference_programme",
    "session_bag",
    "training_rules",
    "units_covering",
    "verify_bag",
]
