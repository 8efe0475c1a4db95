"""A case bundle: one case with the records a FHIR bundle carries along with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import attrs
from wladna_core.errors import InvariantError
from wladna_core.model import (
    Case,
    Child,
    Family,
    Referral,
    ReferralTargetKind,
    TerritorialBody,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["CaseBundle", "CaseFileLike"]


class CaseFileLike(Protocol):
    """Anything holding a case and its records, such as ``wladna_core.testing.strategies.CaseFile``.

    :func:`wladna_fhir.to_bundle` accepts it as well as a :class:`CaseBundle`.
    """

    @property
    def case(self) -> Case:
        """The case."""

    @property
    def child(self) -> Child:
        """The child of the case."""

    @property
    def family(self) -> Family | None:
        """The child's household, if it is recorded."""

    @property
    def referrals(self) -> Sequence[Referral]:
        """The referrals of the case."""

    @property
    def bodies(self) -> Sequence[TerritorialBody]:
        """The bodies the case and its referrals name, the responsible body first."""


def _to_tuple(items: Sequence[object]) -> tuple[object, ...]:
    return tuple(items)


@attrs.frozen
class CaseBundle:
    """A case with its child, household, referrals and the bodies they name.

    The records must fit together, or building one raises
    :class:`~wladna_core.errors.InvariantError`: the case names the child and the household,
    each referral refers to the case, and every body the case or a referral names (responsible
    body, sender, target) is among ``bodies``, once.

    :param case: the case.
    :param child: the child the case is about.
    :param family: the child's household, when it is recorded.
    :param referrals: the referrals of the case, in the order they are kept.
    :param bodies: the territorial bodies, in the order they are kept (a case file puts the
        responsible body first, then its partners).
    """

    case: Case = attrs.field(validator=attrs.validators.instance_of(Case))
    child: Child = attrs.field(validator=attrs.validators.instance_of(Child))
    family: Family | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Family))
    )
    referrals: tuple[Referral, ...] = attrs.field(
        default=(),
        converter=_to_tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(Referral)),
    )
    bodies: tuple[TerritorialBody, ...] = attrs.field(
        default=(),
        converter=_to_tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(TerritorialBody)),
    )

    def __attrs_post_init__(self) -> None:
        case = self.case
        if case.child_id != self.child.id:
            msg = f"the case names child {case.child_id}, but the child is {self.child.id}"
            raise InvariantError("fhir.bundle_child", msg, "child")
        if self.family is not None and case.family_id != self.family.id:
            msg = f"the case names family {case.family_id}, but the family is {self.family.id}"
            raise InvariantError("fhir.bundle_family", msg, "family")
        body_ids = [body.id for body in self.bodies]
        if len(set(body_ids)) != len(body_ids):
            msg = "a body is listed twice; list each body once"
            raise InvariantError("fhir.bundle_body_twice", msg, "bodies")
        named = {case.body_id: "the case's responsible body"}
        referral_ids = set()
        for index, referral in enumerate(self.referrals):
            if referral.case_id != case.id:
                msg = f"referrals[{index}] refers to case {referral.case_id}, not to {case.id}"
                raise InvariantError("fhir.bundle_referral_case", msg, "referrals")
            if referral.id in referral_ids:
                msg = f"referrals[{index}] ({referral.id}) is listed twice"
                raise InvariantError("fhir.bundle_referral_twice", msg, "referrals")
            referral_ids.add(referral.id)
            named.setdefault(referral.from_body, f"the sender of referrals[{index}]")
            if referral.target.kind is ReferralTargetKind.BODY and referral.target.body_id:
                named.setdefault(referral.target.body_id, f"the target of referrals[{index}]")
        for body_id, role in named.items():
            if body_id not in body_ids:
                msg = f"{role} ({body_id}) is not among the bodies; add it to bodies"
                raise InvariantError("fhir.bundle_body_missing", msg, "bodies")

    @classmethod
    def from_case_file(cls, case_file: CaseFileLike) -> CaseBundle:
        """Return the case bundle of a case file (or of another case bundle).

        :param case_file: any object with ``case``, ``child``, ``family``, ``referrals`` and
            ``bodies``, e.g. a ``CaseFile`` drawn by ``wladna_core.testing.strategies``.
        :raises InvariantError: when its records do not fit together.
        """
        if isinstance(case_file, CaseBundle):
            return case_file
        return cls(
            case=case_file.case,
            child=case_file.child,
            family=case_file.family,
            referrals=tuple(case_file.referrals),
            bodies=tuple(case_file.bodies),
        )
