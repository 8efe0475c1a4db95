"""The error a bundle that cannot be read back raises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.errors import InvalidRecord, Violation

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["InvalidBundle"]


class InvalidBundle(InvalidRecord):
    """A FHIR bundle could not be read as a case bundle.

    Each violation names the resource (``record``, e.g. ``EpisodeOfCare/0190...``), the path
    inside the bundle (``$.entry[3].resource.patient.reference``), a stable code starting with
    ``fhir.`` (or the code of the record rule the data broke) and a remedy.  Nothing is built
    from a bundle that raises it.
    """

    def __init__(self, violations: Iterable[Violation]) -> None:
        super().__init__("FHIR Bundle", violations)

    def __reduce__(self) -> tuple[type[InvalidRecord], tuple[str, tuple[Violation, ...]]]:
        return (InvalidRecord, (self.record_type, self.violations))
