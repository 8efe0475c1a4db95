"""``python -m wladna_core``: build a child, a family and a case, validate them, print the result.

It shows the library's main loop in a few lines: records are built, checked by the rules against
a date and each other, and a faulty record is reported with codes, paths and remedies.
"""

from __future__ import annotations

import sys
from datetime import date

import attrs

import wladna_core as wl
from wladna_core.messages import LANGUAGES


def main(lang: str = "en") -> int:
    """Run the example and return the process exit code (0 when the valid records pass)."""
    if lang not in LANGUAGES:
        print(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    today = date(2026, 6, 15)
    gazetteer = wl.Gazetteer.morocco()
    upe = wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")
    child = wl.Child(
        sex=wl.Sex.FEMALE,
        birth_date=date(2013, 4, 9),
        given_name="Amina",
        family_name="El Idrissi",
        given_name_ar="أمينة",
        family_name_ar="الإدريسي",
        nationality="MA",
        residence="MA-SAL",
        identifiers=[wl.Identifier(wl.IdentifierScheme.IDCS, "1234567890")],
        languages=["ary", "ar"],
        schooling=wl.Schooling.DROPPED_OUT,
    )
    family = wl.Family(
        members=[
            wl.FamilyMember(wl.Relation.CHILD, child_id=child.id, given_name="Amina"),
            wl.FamilyMember(
                wl.Relation.MOTHER,
                given_name="Fatima",
                birth_date=date(1985, 2, 1),
                caregiver=True,
            ),
            wl.FamilyMember(wl.Relation.FATHER, given_name="Ahmed", alive=False),
        ],
        residence="MA-SAL",
    )
    opened = date(2026, 6, 1)
    case = wl.Case(
        child_id=child.id,
        family_id=family.id,
        body_id=upe.id,
        territory="MA-SAL",
        opened_on=opened,
        identification=wl.Identification(wl.IdentificationSource.SCHOOL, opened),
        risk=wl.RiskLevel.MEDIUM,
        concerns=[wl.ProtectionConcern.CHILD_LABOUR],
        consent=wl.Consent(
            opened, wl.ConsentGiver.CAREGIVER, services=True, sharing=True, assent=True
        ),
    )
    context = wl.Context(
        gazetteer=gazetteer, children=[child], families=[family], bodies=[upe], cases=[case]
    )

    print(f"wladna_core {wl.__version__} — {gazetteer.get(case.territory).name_fr}, {today}")
    clean = True
    for record in (upe, child, family, case):
        violations = wl.validate(record, on=today, context=context, lang=lang)
        clean = clean and not any(v.is_error for v in violations)
        verdict = "valid" if not violations else f"{len(violations)} problem(s)"
        print(f"  {type(record).__name__:<16} {verdict}")
        for violation in violations:
            print(f"    {violation}")

    print("\nThe same case, closed in a hurry, for a child recorded with a wrong birth year:")
    adult = attrs.evolve(child, birth_date=date(2006, 4, 9))
    hurried = attrs.evolve(case, status=wl.CaseStatus.CLOSED, closure=wl.Closure(today))
    with_adult = wl.Context(
        gazetteer=gazetteer, children=[adult], families=[family], bodies=[upe], cases=[hurried]
    )
    for violation in wl.validate(hurried, on=today, context=with_adult, lang=lang):
        print(f"  {violation}")

    print("\nAs JSON, the way it is stored and exchanged:")
    print(wl.dumps(case).decode())
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "en"))
