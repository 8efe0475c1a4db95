"""Training units and the materials of their educational bag."""

from __future__ import annotations

from typing import Any

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model import new_id
from wladna_core.training import _checks as tcheck
from wladna_core.training.enums import Delivery, MaterialKind, Subject

__all__ = ["Material", "TrainingUnit"]


@attrs.frozen
class Material:
    """One file of a unit's educational bag: a guide, slides, a video, an exercise...

    The record describes the file and says where it lives; the file itself is kept elsewhere
    (a file share, a web server).  Its size and SHA-256 digest let anyone who receives the file
    check that it is the one described (:func:`~wladna_core.training.bag.check_material_file`,
    rule ``training.material_checksum``).

    :param title: the title a participant sees.
    :param kind: what the material is.
    :param language: its language, a BCP 47 tag (``ar``, ``fr``, ``ary`` for Darija, ``zgh``).
    :param edition: the material's own version (``1.0``, ``2021-03``); ``version`` is the
        record's version, as in every record.
    :param media_type: its media type, such as ``application/pdf`` or ``video/mp4``.
    :param size: its size in bytes.
    :param sha256: the SHA-256 digest of its bytes, 64 lower-case hexadecimal digits.
    :param location: where the file lives, an absolute URI (``file:///srv/bag/guide.pdf``).
    """

    title: str = attrs.field(validator=check.text(500))
    kind: MaterialKind = attrs.field(validator=check.member_of(MaterialKind))
    language: str = attrs.field(validator=check.language_code)
    edition: str = attrs.field(validator=check.text(40))
    media_type: str = attrs.field(validator=tcheck.media_type)
    size: int = attrs.field(validator=check.count)
    sha256: str = attrs.field(validator=tcheck.sha256_digest)
    location: str = attrs.field(validator=tcheck.uri)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)


def _physical_reason(instance: Any, _attribute: attrs.Attribute[Any], value: object) -> None:
    check.optional_text(check.NOTE_MAX)(instance, _attribute, value)
    physical = instance.delivery is Delivery.PHYSICAL_ONLY
    if physical != (value is not None):
        raise InvariantError(
            "training.physical_reason",
            "a unit that needs physical attendance says why in physical_reason, and only "
            "such a unit does",
            "physical_reason",
        )


def _not_its_own_prerequisite(
    instance: Any, _attribute: attrs.Attribute[Any], value: frozenset[str]
) -> None:
    if instance.id in value:
        raise InvariantError(
            "training.prerequisite_self",
            "a unit cannot be its own prerequisite; remove its id from prerequisites",
            "prerequisites",
        )


@attrs.frozen
class TrainingUnit:
    """A unit of training, with its objectives, duration, prerequisites and educational bag.

    :param code: a short code people use for the unit (``SI-01``).
    :param title_ar: the title in Arabic.
    :param title_fr: the title in French.
    :param objectives: what a participant is able to do after the unit, one item each.
    :param duration_hours: how long the unit takes, in hours (1 or more).
    :param delivery: whether it can be given remotely or needs physical attendance.
    :param physical_reason: why it needs physical attendance (role plays, field visits...);
        given for a physical-only unit, and only for one.
    :param subjects: what the unit is about; support requests on a subject point to it.
    :param prerequisites: ids of the units a participant completes before this one.
    :param materials: ids of the materials of its educational bag, in the order of the course.
    :param hands_on: whether participants practise on the information base during the unit, so
        that a room where it is given needs a device per participant and an Internet connection.
    """

    code: str = attrs.field(validator=check.text(20))
    title_ar: str = attrs.field(validator=check.text(500))
    title_fr: str = attrs.field(validator=check.text(500))
    duration_hours: int = attrs.field(validator=tcheck.positive)
    delivery: Delivery = attrs.field(
        default=Delivery.REMOTE_CAPABLE, validator=check.member_of(Delivery)
    )
    physical_reason: str | None = attrs.field(default=None, validator=_physical_reason)
    objectives: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.text(check.NOTE_MAX), max_items=50),
    )
    subjects: frozenset[Subject] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(Subject), frozenset),
    )
    prerequisites: frozenset[str] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=[check.items(check.identifier, frozenset, 50), _not_its_own_prerequisite],
    )
    materials: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=[check.items(check.identifier, max_items=200), tcheck.distinct],
    )
    hands_on: bool = attrs.field(default=False, validator=check.a_bool)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    @property
    def remote_capable(self) -> bool:
        """Whether the unit can be given remotely."""
        return self.delivery is Delivery.REMOTE_CAPABLE
