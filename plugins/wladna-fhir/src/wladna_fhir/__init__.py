"""Export a wladna case with its records as an HL7 FHIR R4 ``Bundle``, and import it back.

:func:`to_bundle` writes a case, its child, household, referrals and bodies as the JSON of a
FHIR R4 ``Bundle`` of type ``collection``; :func:`from_bundle` reads it back into an equal
:class:`CaseBundle`:

>>> from datetime import date
>>> from wladna_core.model import Case, Child, Identification, IdentificationSource, Sex
>>> from wladna_core.model import BodyKind, TerritorialBody
>>> body = TerritorialBody("CAPE de Salé", BodyKind.CAPE, "MA-SAL")
>>> child = Child(Sex.FEMALE, date(2014, 3, 2), given_name="Salma", given_name_ar="سلمى")
>>> case = Case(
...     child_id=child.id,
...     body_id=body.id,
...     territory="MA-SAL",
...     opened_on=date(2025, 11, 3),
...     identification=Identification(IdentificationSource.SCHOOL, date(2025, 11, 3)),
... )
>>> bundle = to_bundle(CaseBundle(case, child, bodies=[body]))
>>> [entry["resource"]["resourceType"] for entry in bundle["entry"]]
['Organization', 'Location', 'Location', 'Location', 'Patient', 'EpisodeOfCare']
>>> patient = bundle["entry"][4]["resource"]
>>> patient["gender"], patient["birthDate"], patient["name"][0]["given"]
('female', '2014-03-02', ['Salma'])
>>> from_bundle(bundle) == CaseBundle(case, child, bodies=[body])
True

A document of a case (:mod:`wladna_fhir.documents`) is written as a ``DocumentReference`` by
:func:`document_reference` and read back by :func:`document_from_reference`.
"""

from __future__ import annotations

from wladna_fhir.casebundle import CaseBundle, CaseFileLike
from wladna_fhir.documents import document_from_reference, document_reference
from wladna_fhir.errors import InvalidBundle
from wladna_fhir.export import to_bundle
from wladna_fhir.importer import from_bundle

__all__ = [
    "CaseBundle",
    "CaseFileLike",
    "InvalidBundle",
    "document_from_reference",
    "document_reference",
    "from_bundle",
    "to_bundle",
]
