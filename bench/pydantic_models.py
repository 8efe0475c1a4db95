"""The case record as pydantic v2 models, with the checks of wladna_core's attrs classes.

Used only to compare speeds: the same fields, strict types (text, booleans and whole numbers are
not coerced), the same length limits and formats, unknown keys refused, and the same invariants
across fields (consent needs a giver, no date of a case before it is opened...).  No
``from __future__ import annotations`` here: pydantic reads the annotations when classes are made.
"""

from datetime import date
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic import StringConstraints as Text

from wladna_core import (
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    FollowUpKind,
    IdentificationSource,
    OverrideReason,
    ProtectionConcern,
    RiskLevel,
    ServiceType,
)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[str, Text(strict=True, max_length=200), AfterValidator(_not_blank)]
Short = Annotated[str, Text(strict=True, max_length=100), AfterValidator(_not_blank)]
Number = Annotated[str, Text(strict=True, max_length=40), AfterValidator(_not_blank)]
Note = Annotated[str, Text(strict=True, max_length=4000), AfterValidator(_not_blank)]
FreeNote = Annotated[str, Text(strict=True, max_length=4000)]
Identifier = Annotated[
    str,
    Text(strict=True, pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
TerritoryCode = Annotated[str, Text(strict=True, pattern=r"^MA(-[0-9A-Z]{2,12}){0,3}$")]
Count = Annotated[int, Field(strict=True, ge=0)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsentOverride(_Record):
    reason: OverrideReason
    justification: FreeNote
    authorised_by: Short | None = None
    authorised_on: date | None = None


class Consent(_Record):
    recorded_on: date
    given_by: ConsentGiver | None = None
    services: StrictBool = False
    sharing: StrictBool = False
    reporting: StrictBool = False
    override: ConsentOverride | None = None

    @model_validator(mode="after")
    def _giver(self) -> Self:
        if (self.services or self.sharing or self.reporting) and self.given_by is None:
            raise ValueError("consent must say who gave it")
        return self


class Identification(_Record):
    source: IdentificationSource
    on: date
    by_body: Identifier | None = None
    note: Note | None = None


class Assessment(_Record):
    on: date
    by: Short
    risk: RiskLevel
    summary: FreeNote = ""
    needs: frozenset[ServiceType] = frozenset()


class Goal(_Record):
    description: Note
    responsible: Name
    due: date
    service: ServiceType | None = None
    achieved_on: date | None = None


class Approval(_Record):
    by: Short
    on: date


class CasePlan(_Record):
    drawn_up_on: date
    goals: Annotated[tuple[Goal, ...], Field(max_length=100)] = ()
    review_on: date | None = None
    approval: Approval | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.review_on is not None and self.review_on < self.drawn_up_on:
            raise ValueError("review_on is before drawn_up_on")
        if self.approval is not None and self.approval.on < self.drawn_up_on:
            raise ValueError("the plan is approved before it was drawn up")
        return self


class FollowUp(_Record):
    on: date
    by: Short
    kind: FollowUpKind
    note: FreeNote = ""


class Closure(_Record):
    on: date
    reason: ClosureReason | None = None
    note: Note | None = None


class Case(_Record):
    child_id: Identifier
    body_id: Identifier
    territory: TerritoryCode
    opened_on: date
    identification: Identification
    status: CaseStatus = CaseStatus.REGISTERED
    risk: RiskLevel = RiskLevel.MEDIUM
    concerns: frozenset[ProtectionConcern] = frozenset()
    family_id: Identifier | None = None
    worker_id: Short | None = None
    number: Number | None = None
    consent: Consent | None = None
    assessment: Assessment | None = None
    plan: CasePlan | None = None
    follow_ups: Annotated[tuple[FollowUp, ...], Field(max_length=1000)] = ()
    closure: Closure | None = None
    transferred_to: Identifier | None = None
    duplicate_of: Identifier | None = None
    id: Identifier
    version: Count = 0

    @model_validator(mode="after")
    def _dates(self) -> Self:
        for when in (
            self.assessment.on if self.assessment else None,
            self.plan.drawn_up_on if self.plan else None,
            self.closure.on if self.closure else None,
        ):
            if when is not None and when < self.opened_on:
                raise ValueError("a date of the case is before it was opened")
        if self.identification.on > self.opened_on:
            raise ValueError("the child was identified after the case was opened")
        if self.duplicate_of is not None and self.duplicate_of == self.id:
            raise ValueError("a case cannot duplicate itself")
        return self
