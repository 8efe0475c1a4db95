"""Deterministic, realistic case records for the benchmarks.

``case_dicts(count, seed)`` returns JSON-shaped dictionaries of :class:`wladna_core.Case`: an
identification, consent, an assessment, a plan of 2 to 4 goals, 0 to 5 follow-ups, and a closure
on about a quarter of them, with notes in French and Arabic as case workers write them.  The same
``seed`` always gives the same records, so runs compare like with like.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

PILOT_PROVINCES = ("MA-RAB", "MA-SAL", "MA-AGD", "MA-CAS", "MA-TNG", "MA-MAR", "MA-MEK", "MA-LAA")

SOURCES = ("family", "community", "school", "health", "police", "association", "hotline")
CONCERNS = (
    "neglect",
    "physical_violence",
    "psychological_violence",
    "child_labour",
    "begging",
    "street_situation",
    "lack_of_documentation",
    "separated",
    "domestic_work",
    "child_marriage",
)
SERVICES = (
    "psychosocial",
    "medical",
    "education",
    "legal_aid",
    "social_assistance",
    "civil_registration",
    "family_tracing",
    "vocational_training",
)
FOLLOW_UP_KINDS = ("home_visit", "office_visit", "phone_call", "case_conference", "plan_review")
CLOSURE_REASONS = ("goals_achieved", "risk_resolved", "reached_majority", "moved_away")
WORKERS = ("Amina Benali", "Youssef El Idrissi", "Khadija Ouazzani", "سعيد العلوي", "نادية بنسعيد")

NOTES = (
    "Signalement par l'établissement scolaire : absences répétées depuis la rentrée.",
    "L'enfant a été trouvé seul près de la gare routière, sans document d'identité.",
    "أبلغت الجارة عن غياب الأم منذ أسبوعين وترك الأطفال دون رعاية.",
    "Visite à domicile avec l'assistante sociale ; la grand-mère accepte l'accompagnement.",
    "الطفل يعمل في ورشة للنجارة بعد المدرسة ويعاني من التعب.",
    "Entretien avec le père ; engagement à inscrire l'enfant au programme Tayssir.",
)
GOALS = (
    "Réinscrire l'enfant à l'école et suivre son assiduité chaque mois.",
    "Obtenir l'inscription de la naissance à l'état civil.",
    "Orienter la famille vers l'ASD et l'AMO Tadamon.",
    "تأمين متابعة نفسية أسبوعية للطفل لمدة ثلاثة أشهر.",
    "Accompagner la mère vers une formation professionnelle.",
    "إعادة ربط الاتصال مع الأسرة الممتدة في الجماعة الأصلية.",
)


def _uuid(rng: random.Random) -> str:
    digits = f"{rng.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-7{digits[13:16]}-{digits[16:20]}-{digits[20:]}"


def _day(start: date, rng: random.Random, low: int, high: int) -> date:
    return start + timedelta(days=rng.randint(low, high))


def case_dict(rng: random.Random, sequence: int) -> dict[str, Any]:
    """Return one JSON-shaped case record drawn from ``rng``."""
    province = rng.choice(PILOT_PROVINCES)
    opened = _day(date(2024, 1, 1), rng, 0, 900)
    assessed = _day(opened, rng, 1, 20)
    planned = _day(assessed, rng, 1, 15)
    risk = rng.choice(("high", "medium", "low"))
    goals = [
        {
            "description": rng.choice(GOALS),
            "responsible": rng.choice(WORKERS),
            "due": _day(planned, rng, 30, 180).isoformat(),
            "service": rng.choice(SERVICES),
            "achieved_on": _day(planned, rng, 20, 120).isoformat() if rng.random() < 0.3 else None,
        }
        for _ in range(rng.randint(2, 4))
    ]
    follow_ups = [
        {
            "on": _day(planned, rng, 7 * (index + 1), 7 * (index + 2)).isoformat(),
            "by": rng.choice(WORKERS),
            "kind": rng.choice(FOLLOW_UP_KINDS),
            "note": rng.choice(NOTES),
        }
        for index in range(rng.randint(0, 5))
    ]
    closed = rng.random() < 0.25
    closure = (
        {
            "on": _day(planned, rng, 60, 240).isoformat(),
            "reason": rng.choice(CLOSURE_REASONS),
            "note": rng.choice(NOTES),
        }
        if closed
        else None
    )
    body_id = _uuid(rng)
    return {
        "child_id": _uuid(rng),
        "body_id": body_id,
        "territory": province,
        "opened_on": opened.isoformat(),
        "identification": {
            "source": rng.choice(SOURCES),
            "on": _day(opened, rng, -10, 0).isoformat(),
            "by_body": body_id,
            "note": rng.choice(NOTES),
        },
        "status": "closed" if closed else rng.choice(("implementation", "follow_up")),
        "risk": risk,
        "concerns": sorted(rng.sample(CONCERNS, rng.randint(1, 3))),
        "family_id": _uuid(rng),
        "worker_id": rng.choice(WORKERS),
        "number": f"{province[3:]}-{opened.year}-{sequence:06d}",
        "consent": {
            "recorded_on": opened.isoformat(),
            "given_by": rng.choice(("caregiver", "legal_guardian", "child")),
            "services": True,
            "sharing": rng.random() < 0.9,
            "reporting": rng.random() < 0.5,
            "override": None,
        },
        "assessment": {
            "on": assessed.isoformat(),
            "by": rng.choice(WORKERS),
            "risk": risk,
            "summary": " ".join(rng.sample(NOTES, 2)),
            "needs": sorted(rng.sample(SERVICES, rng.randint(1, 3))),
        },
        "plan": {
            "drawn_up_on": planned.isoformat(),
            "goals": goals,
            "review_on": _day(planned, rng, 30, 90).isoformat(),
            "approval": (
                {"by": rng.choice(WORKERS), "on": _day(planned, rng, 0, 5).isoformat()}
                if risk == "high" or rng.random() < 0.5
                else None
            ),
        },
        "follow_ups": follow_ups,
        "closure": closure,
        "transferred_to": None,
        "duplicate_of": None,
        "id": _uuid(rng),
        "version": rng.randint(0, 12),
    }


def case_dicts(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """Return ``count`` case records, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    return [case_dict(rng, sequence) for sequence in range(1, count + 1)]
