"""Territorial bodies: the committees, centres, units and establishments of the Wladna system."""

from __future__ import annotations

import attrs

from wladna_core.model import _checks as check
from wladna_core.model.enums import BodyKind, Institution, ServiceType
from wladna_core.model.ids import new_id

__all__ = ["FocalPoint", "MemberInstitution", "TerritorialBody"]


@attrs.frozen
class FocalPoint:
    """The person an institution names as its contact in a body.

    Contact details are professional ones; they are not personal data of a child.
    """

    name: str = attrs.field(validator=check.text())
    phone: str | None = attrs.field(default=None, validator=check.optional_text(40))
    email: str | None = attrs.field(default=None, validator=check.optional_text(254))


@attrs.frozen
class MemberInstitution:
    """An institution sitting in a territorial body (social action, prosecution, health, ...)."""

    institution: Institution = attrs.field(validator=check.member_of(Institution))
    organisation: str | None = attrs.field(default=None, validator=check.optional_text())
    focal_point: FocalPoint | None = attrs.field(
        default=None, validator=check.optional_instance(FocalPoint)
    )


@attrs.frozen
class TerritorialBody:
    """A CPPE committee, CAPE centre, UPE unit, EPS establishment, association or ministry.

    :param kind: what kind of body it is; a CPPE sits at province/prefecture level (rule
        ``body.level_mismatch``).
    :param territory: code of the territory the body covers (its jurisdiction).
    :param institutions: the institutions that sit in it, each with its focal point.
    :param services: the services it offers, used to route referrals.
    :param active: whether it still takes cases and referrals.
    """

    name: str = attrs.field(validator=check.text())
    kind: BodyKind = attrs.field(validator=check.member_of(BodyKind))
    territory: str = attrs.field(validator=check.territory_code)
    institutions: tuple[MemberInstitution, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(MemberInstitution), max_items=50),
    )
    services: frozenset[ServiceType] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ServiceType), frozenset),
    )
    active: bool = attrs.field(default=True, validator=check.a_bool)
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
