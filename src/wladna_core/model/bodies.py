"""Territorial bodies: the committees, centres, units and establishments of the Wladna system."""

from __future__ import annotations

import attrs

from wladna_core.errors import InvariantError
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


def _only_a_cape(instance: TerritorialBody, _attribute: object, value: str | None) -> None:
    if value is not None and instance.kind is not BodyKind.CAPE:
        raise InvariantError(
            "body.secretariat_of_not_cape",
            "only a CAPE is the permanent secretariat of a CPPE",
            "secretariat_of",
        )


@attrs.frozen
class TerritorialBody:
    """A body of the child-protection circuit, or a service a case is referred to.

    A CPPE committee, CAPE centre, UPE unit, EPS establishment, association or ministry; or a
    social or public service outside them (a school, a health centre, the police, a
    prosecutor's office), so that a referral to it can be made and followed like any other.

    :param kind: what kind of body it is; a CPPE sits at province/prefecture level (rule
        ``body.level_mismatch``).
    :param territory: code of the territory the body covers (its jurisdiction).
    :param institutions: the institutions that sit in it, each with its focal point.
    :param services: the services it offers, used to route referrals.
    :param active: whether it still takes cases and referrals.
    :param sector: the institution a social or public service belongs to (education, health,
        national security, prosecution...); rule ``body.sector_missing``.
    :param secretariat_of: for a CAPE, the id of the CPPE whose permanent secretariat it is
        (rules ``body.cape_committee_missing`` and ``body.secretariat_not_committee``); only a
        CAPE names one.
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
    sector: Institution | None = attrs.field(
        default=None, validator=check.optional_member_of(Institution)
    )
    secretariat_of: str | None = attrs.field(
        default=None, validator=[check.optional_identifier, _only_a_cape]
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)
