"""A labelled evaluation set for duplicate detection, made from documented naming variants.

No register of children can be published to measure a matcher on, so the set is made: children
are drawn with names from the tables below, each name with its Arabic spelling and the Latin
spellings in use in Morocco (every variant follows a convention listed in
``docs/matching.md``), and each child is registered twice as two bodies would, independently:

- in Latin script, in Arabic script, or in both;
- with any of its name's spellings, a compound given name sometimes shortened (``Mohamed
  Amine`` -> ``Amine``), the family name now and then left out;
- with the exact date of birth, the day and month swapped, or an estimate (the 1st of July of a
  year within one of the true one);
- in the same territory, another province of the region, or none;
- with or without its caregivers' names, in either script;
- now and then with a typing slip in a Latin name (a letter dropped, doubled or swapped).

Pairs of records of *different* children are mostly hard on purpose: twins (same family, same
birth date and caregivers, names often alike: ``Hassan``/``Houssine``), siblings, children with
the most common names and different birth dates, and children of different sexes with the
same family, birth date and near-identical names (``Karim``/``Karima``).  A few random pairs
stand for the easy rest.

Everything is drawn from a seeded :class:`random.Random`: the same seed gives the same pairs.
The matcher's default weights were set while looking at pairs drawn with
:data:`DEVELOPMENT_SEED`; figures are reported on pairs drawn with :data:`TEST_SEED`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from wladna_core.matching.scoring import Subject
from wladna_core.model import Child, Gazetteer, Sex

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "DEVELOPMENT_SEED",
    "FAMILY_NAMES",
    "GIVEN_NAMES",
    "TEST_SEED",
    "Counts",
    "FamilyName",
    "GivenName",
    "LabelledPair",
    "confusion",
    "evaluation_pairs",
    "population",
]

DEVELOPMENT_SEED = 7
TEST_SEED = 2026


@attrs.frozen
class GivenName:
    """A given name: its Arabic spelling(s), its Latin spellings, the sex it is given to.

    :param short: spellings of the name a compound is called by in daily use (``Amine`` for
        ``Mohamed Amine``), Arabic ones and Latin ones together.
    """

    arabic: tuple[str, ...]
    latin: tuple[str, ...]
    sex: Sex
    short: tuple[str, ...] = ()


@attrs.frozen
class FamilyName:
    """A family name: its Arabic spelling(s) and its Latin spellings."""

    arabic: tuple[str, ...]
    latin: tuple[str, ...]


M, F = Sex.MALE, Sex.FEMALE


def _given(arabic: str, latin: str, sex: Sex, short: str = "") -> GivenName:
    return GivenName(
        tuple(arabic.split("|")),
        tuple(latin.split("|")),
        sex,
        tuple(filter(None, short.split("|"))),
    )


#: Given names, each with its Arabic spelling and Latin spellings met in Morocco.
GIVEN_NAMES: tuple[GivenName, ...] = (
    _given("محمد", "Mohamed|Mohammed|Mohamad|Muhammad|Mhamed|M'hamed", M),
    _given("أحمد", "Ahmed|Ahmad|Hmad", M),
    _given("محمود", "Mahmoud|Mahmud", M),
    _given("يوسف", "Youssef|Yousef|Youcef", M),
    _given("حسن|الحسن", "Hassan|Hasan|Lahcen|El Hassan", M),
    _given("حسين|الحسين", "Houssine|Hussein|Houcine|Lhoussaine|El Houssine", M),
    _given("أمين", "Amine|Amin", M),
    _given("ياسين", "Yassine|Yacine|Yasine", M),
    _given("أيوب", "Ayoub|Ayyoub", M),
    _given("أيمن", "Ayman|Aymane", M),
    _given("حمزة", "Hamza", M),
    _given("حميد", "Hamid", M),
    _given("عمر", "Omar|Oumar", M),
    _given("عثمان", "Othmane|Otmane|Outhmane", M),
    _given("إدريس", "Driss|Idriss|Idris", M),
    _given("إبراهيم", "Ibrahim|Brahim", M),
    _given("إسماعيل", "Ismail|Smail|Ismaïl", M),
    _given("رشيد", "Rachid|Rashid", M),
    _given("هشام", "Hicham|Hichem|Hisham", M),
    _given("خالد", "Khalid|Khaled", M),
    _given("سعيد", "Said|Saïd|Saaid", M),
    _given("عبد الرحيم|عبدالرحيم", "Abderrahim|Abdelrahim|Abderahim|Abd Errahim", M),
    _given("عبد القادر|عبدالقادر", "Abdelkader|Abdelqader|Abd El Kader", M),
    _given("عبد الله|عبدالله", "Abdellah|Abdallah|Abdullah", M),
    _given("عبد العزيز", "Abdelaziz|Abdel Aziz|Abdelaziz", M),
    _given("نور الدين|نورالدين", "Noureddine|Nour Eddine|Nour-Eddine|Nourdine", M),
    _given("صلاح الدين", "Salaheddine|Salah Eddine|Salah-Eddine", M),
    _given("مصطفى", "Mustapha|Mostafa|Moustafa", M),
    _given("المهدي|مهدي", "El Mehdi|Mehdi|Elmehdi|Mahdi", M),
    _given("زكرياء|زكريا", "Zakaria|Zakariae|Zakariya", M),
    _given("إلياس", "Ilyas|Ilias|Elias", M),
    _given("أنس", "Anas|Anass", M),
    _given("آدم", "Adam", M),
    _given("ريان", "Rayane|Rayan", M),
    _given("وليد", "Walid|Oualid", M),
    _given("سفيان", "Soufiane|Sofiane|Sufyan", M),
    _given("مراد", "Mourad|Morad", M),
    _given("كريم", "Karim", M),
    _given("جمال", "Jamal|Djamal|Jamel", M),
    _given("طه", "Taha", M),
    _given("بلال", "Bilal|Belal", M),
    _given("أشرف", "Achraf|Ashraf", M),
    _given("نبيل", "Nabil", M),
    _given("سمير", "Samir", M),
    _given("فريد", "Farid", M),
    _given("عزيز", "Aziz", M),
    _given("حفيظ", "Hafid|Hafiz", M),
    _given("عادل", "Adil|Adel", M),
    _given("محمد أمين", "Mohamed Amine|Mohammed-Amine|Mohamed Amin", M, "Amine|أمين"),
    _given("محمد ياسين", "Mohamed Yassine|Mohammed Yassine", M, "Yassine|ياسين"),
    _given("محمد علي", "Mohamed Ali|Mohammed Ali", M, "Ali|علي"),
    _given("علي", "Ali", M),
    _given("فاطمة", "Fatima|Fatema|Fatma", F),
    _given(
        "فاطمة الزهراء",
        "Fatima Zahra|Fatima-Ezzahra|Fatimazahra|Fatima Ezzahra|Fatim Zahra|Fatima Zohra",
        F,
        "Zahra|Zohra|الزهراء",
    ),
    _given("خديجة", "Khadija|Khadidja", F),
    _given("عائشة", "Aicha|Aïcha|Aisha", F),
    _given("مريم", "Meryem|Maryam|Mariam|Meriem", F),
    _given("زينب", "Zineb|Zaynab|Zainab", F),
    _given("سكينة", "Soukaina|Soukayna|Sokaina", F),
    _given("حفصة", "Hafsa|Hafssa", F),
    _given("سلمى", "Salma|Selma", F),
    _given("هدى", "Houda|Hoda", F),
    _given("نور الهدى", "Nour El Houda|Nourelhouda|Nour-El Houda", F),
    _given("إيمان", "Imane|Iman|Imen", F),
    _given("أسماء", "Asmae|Asmaa|Asma", F),
    _given("شيماء", "Chaimae|Chaima|Chaymae", F),
    _given("ياسمين", "Yasmine|Yassmine", F),
    _given("سارة", "Sara|Sarah", F),
    _given("وئام", "Wiam|Ouiam", F),
    _given("غزلان", "Ghizlane|Ghizlaine", F),
    _given("كوثر", "Kaoutar|Kawtar|Kaouthar", F),
    _given("نهيلة", "Nouhaila|Nohaila|Nouhayla", F),
    _given("أميمة", "Oumaima|Oumayma|Omaima", F),
    _given("هاجر", "Hajar", F),
    _given("إكرام", "Ikram|Ikrame", F),
    _given("سناء", "Sanae|Sanaa|Sana", F),
    _given("رجاء", "Rajae|Rajaa", F),
    _given("دعاء", "Douae|Doua|Douaa", F),
    _given("آية", "Aya", F),
    _given("ليلى", "Leila|Laila|Layla", F),
    _given("بشرى", "Bouchra|Bochra|Bushra", F),
    _given("يسرى", "Yousra|Yosra|Yusra", F),
    _given("هبة", "Hiba", F),
    _given("هند", "Hind", F),
    _given("كريمة", "Karima", F),
    _given("سعيدة", "Saida|Saïda", F),
    _given("رشيدة", "Rachida", F),
    _given("نبيلة", "Nabila", F),
    _given("سميرة", "Samira", F),
    _given("فريدة", "Farida", F),
    _given("عزيزة", "Aziza", F),
    _given("حفيظة", "Hafida|Hafiza", F),
    _given("جميلة", "Jamila|Djamila", F),
)


def _family(arabic: str, latin: str) -> FamilyName:
    return FamilyName(tuple(arabic.split("|")), tuple(latin.split("|")))


#: Family names, each with its Arabic spelling(s) and the Latin spellings met in Morocco.
FAMILY_NAMES: tuple[FamilyName, ...] = (
    _family("العمراني", "El Amrani|Elamrani|Amrani|Lamrani|Al Amrani"),
    _family("العلوي", "Alaoui|El Alaoui|Elalaoui"),
    _family("الإدريسي|الادريسي", "Idrissi|El Idrissi|Drissi|Elidrissi"),
    _family("بنعلي|بن علي", "Benali|Ben Ali"),
    _family("بنجلون|بن جلون", "Benjelloun|Ben Jelloun|Bendjelloun"),
    _family("الفاسي", "El Fassi|Fassi|Elfassi"),
    _family("التازي", "Tazi|Ettazi|Et-Tazi"),
    _family("الصديقي", "Seddiki|Essedikki|Sedikki"),
    _family("الشاوي", "Echchaoui|Chaoui|Ech-Chaoui"),
    _family("السعيدي", "Saidi|Essaidi|Es-Saidi"),
    _family("آيت الطالب|آيت طالب", "Ait Taleb|Aït Taleb|Ait-Taleb|Aittaleb"),
    _family("آيت سعيد", "Ait Said|Aït Saïd|Ait Saaid"),
    _family("الخطيب", "El Khatib|Elkhatib|Khatib"),
    _family("بوزيد", "Bouzid|Bou Zid"),
    _family("القاسمي", "Kasmi|El Kasmi|Elqasmi|Qasmi"),
    _family("المرابط", "Mrabet|El Mrabet|Elmrabet"),
    _family("الحسني", "Hassani|El Hassani|Elhassani"),
    _family("الحسيني", "Houssaini|El Houssaini|Husseini"),
    _family("بنموسى|بن موسى", "Benmoussa|Ben Moussa"),
    _family("الغزالي", "Ghazali|El Ghazali|Elghazali"),
    _family("المنصوري", "Mansouri|El Mansouri|Elmansouri"),
    _family("الرحماني", "Rahmani|Errahmani|Er-Rahmani"),
    _family("الدكالي", "Doukkali|Eddoukkali|Dokkali"),
    _family("البقالي", "Bakkali|El Bakkali|Elbakkali|Baqqali"),
    _family("الوزاني", "Ouazzani|Wazzani|El Ouazzani"),
    _family("الكتاني", "Kettani|El Kettani|Kattani"),
    _family("بناني", "Bennani|Benani"),
    _family("الشرايبي", "Chraibi|Cheraibi"),
    _family("الطاهري", "Tahiri|Ettahiri|Et-Tahiri"),
    _family("السباعي", "Sbai|Sebbai|Essbai"),
    _family("الحمداوي", "Hamdaoui|El Hamdaoui"),
    _family("العثماني", "Othmani|El Othmani|Elotmani"),
    _family("بوعزة", "Bouazza|Bou Azza"),
    _family("الناصري", "Naciri|Nasiri|Ennaciri|Ennasiri"),
    _family("المريني", "Merini|El Merini|Marini"),
    _family("الراضي", "Radi|Erradi|Er-Radi"),
    _family("بلحاج", "Belhaj|Belhadj|Bel Haj"),
    _family("الأنصاري", "Ansari|El Ansari|Elansari"),
    _family("الشرقاوي", "Cherkaoui|Charkaoui|Echcherkaoui"),
    _family("الحداد", "Haddad|El Haddad"),
    _family("الخياط", "Khayat|El Khayat|Khayyat"),
    _family("النجار", "Najjar|Ennajjar|Nejjar"),
    _family("أمزيان", "Amziane|Amzyan"),
    _family("الريفي", "Rifi|Errifi|Er-Rifi"),
    _family("السوسي", "Soussi|Essoussi"),
    _family("المراكشي", "Marrakchi|El Marrakchi"),
    _family("الفيلالي", "Filali|El Filali"),
    _family("الزياني", "Zayani|Ziani|Ezziani"),
    _family("بنسليمان|بن سليمان", "Benslimane|Ben Slimane"),
    _family("الجراري", "Jerrari|El Jerrari|Jarari"),
    _family("الصقلي", "Sqalli|Skalli|Seqalli"),
    _family("الكبير", "Kabir|El Kabir|Elkbir"),
    _family("الزموري", "Zemmouri|Ezzemmouri"),
    _family("الحارثي", "Harti|El Harti|Harthi"),
    _family("الأزهري", "Azhari|El Azhari"),
)

#: Pairs of given names that twins and siblings are often given: alike, yet two children.
ALIKE_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("حسن", "حسين"), ("محمد", "أحمد"), ("محمد", "محمود"), ("حمزة", "حميد"),
    ("أمين", "أيمن"), ("ياسين", "إلياس"), ("أنس", "آدم"), ("هبة", "هند"),
    ("محمد أمين", "محمد ياسين"), ("محمد أمين", "محمد علي"), ("سلمى", "سارة"),
    ("أيوب", "أيمن"), ("إكرام", "إيمان"), ("هدى", "هند"), ("نبيل", "بلال"), ("سعيد", "رشيد"),
)  # fmt: skip
#: Given names of a boy and a girl that differ by the feminine ending or a vowel.
PAIRED_BY_SEX: tuple[tuple[str, str], ...] = (
    ("أمين", "إيمان"), ("ياسين", "ياسمين"), ("كريم", "كريمة"), ("سعيد", "سعيدة"),
    ("رشيد", "رشيدة"), ("نبيل", "نبيلة"), ("سمير", "سميرة"), ("فريد", "فريدة"),
    ("عزيز", "عزيزة"), ("حفيظ", "حفيظة"), ("جمال", "جميلة"),
)  # fmt: skip

_BY_ARABIC = {name.arabic[0]: name for name in GIVEN_NAMES}
#: The most common names, to draw children with the same name and different birth dates.
_COMMON_GIVEN = ("محمد", "فاطمة الزهراء", "يوسف", "خديجة", "محمد أمين", "مريم", "أحمد", "فاطمة")


@attrs.frozen
class _Identity:
    given: GivenName
    family: FamilyName
    sex: Sex
    birth: date
    residence: str
    mother: tuple[GivenName, FamilyName]
    father: GivenName


@attrs.frozen
class LabelledPair:
    """Two records and whether they are one child.

    :param kind: how the pair was made: ``variant`` (one child, two registrations), ``twins``,
        ``siblings``, ``common_name``, ``other_sex`` or ``random`` (two children).
    """

    a: Subject
    b: Subject
    same: bool
    kind: str


class _Draw:
    """The drawing of identities and their registrations, from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
        gazetteer = Gazetteer.morocco()
        self.provinces = [territory.code for territory in gazetteer.provinces()]
        self.region_of = {
            code: region.code for code in self.provinces if (region := gazetteer.region_of(code))
        }
        self.males = [name for name in GIVEN_NAMES if name.sex is M]
        self.females = [name for name in GIVEN_NAMES if name.sex is F]

    def given(self, sex: Sex) -> GivenName:
        return self.rng.choice(self.males if sex is M else self.females)

    def birth(self) -> date:
        return date(2008, 1, 1) + timedelta(days=self.rng.randrange(17 * 365))

    def identity(self, **fixed: object) -> _Identity:
        sex = fixed.pop("sex", None) or self.rng.choice((M, F))
        assert isinstance(sex, Sex)
        values: dict[str, object] = {
            "given": self.given(sex),
            "family": self.rng.choice(FAMILY_NAMES),
            "sex": sex,
            "birth": self.birth(),
            "residence": self.rng.choice(self.provinces),
            "mother": (self.given(F), self.rng.choice(FAMILY_NAMES)),
            "father": self.given(M),
        }
        values.update(fixed)
        return _Identity(**values)  # type: ignore[arg-type]

    def typo(self, name: str) -> str:
        """Return ``name`` with a typing slip: a letter dropped, doubled or swapped."""
        if len(name) < 4:
            return name
        at = self.rng.randrange(1, len(name) - 2)
        kind = self.rng.randrange(3)
        if kind == 0:
            return name[:at] + name[at + 1 :]
        if kind == 1:
            return name[:at] + name[at] + name[at:]
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]

    def register(self, person: _Identity) -> Subject:  # noqa: PLR0912 - one branch per variant
        """One body's registration of ``person``."""
        rng = self.rng
        script = rng.random()
        latin, arabic = script < 0.75, script >= 0.35
        given = person.given
        if given.short and rng.random() < 0.3:
            shorts_ar = [
                name for name in given.short if any("\u0600" <= c <= "\u06ff" for c in name)
            ]
            shorts_la = [name for name in given.short if name not in shorts_ar]
            given = GivenName(tuple(shorts_ar), tuple(shorts_la), given.sex)
        fields: dict[str, object] = {}
        if latin:
            fields["given_name"] = rng.choice(given.latin)
        if arabic:
            fields["given_name_ar"] = rng.choice(given.arabic)
        if rng.random() >= 0.04:
            if latin:
                fields["family_name"] = rng.choice(person.family.latin)
            if arabic:
                fields["family_name_ar"] = rng.choice(person.family.arabic)
        if latin and rng.random() < 0.04:
            field = rng.choice([name for name in ("given_name", "family_name") if name in fields])
            fields[field] = self.typo(str(fields[field]))
        born, estimated = person.birth, False
        how = rng.random()
        if how < 0.08 and born.day <= 12 and born.day != born.month:
            born = date(born.year, born.day, born.month)
        elif how >= 0.88:
            born, estimated = date(born.year + rng.choice((-1, 0, 0, 1)), 7, 1), True
        where = rng.random()
        residence: str | None = person.residence
        if 0.6 <= where < 0.85:
            region = self.region_of[person.residence]
            residence = rng.choice([p for p in self.provinces if self.region_of[p] == region])
        elif where >= 0.85:
            residence = None
        child = Child(
            sex=person.sex,
            birth_date=born,
            birth_date_estimated=estimated,
            residence=residence,
            **fields,  # type: ignore[arg-type]
        )
        caregivers: list[str] = []
        if rng.random() < 0.5:
            mother_given, mother_family = person.mother
            if rng.random() < 0.5:
                caregivers.append(
                    f"{rng.choice(mother_given.latin)} {rng.choice(mother_family.latin)}"
                )
            else:
                caregivers.append(
                    f"{rng.choice(mother_given.arabic)} {rng.choice(mother_family.arabic)}"
                )
            if rng.random() < 0.5:
                caregivers.append(
                    f"{rng.choice(person.father.latin)} {rng.choice(person.family.latin)}"
                )
        return Subject(child, tuple(caregivers))


def _twin_given(draw: _Draw, first: GivenName) -> GivenName:
    alike = [
        b if a == first.arabic[0] else a for a, b in ALIKE_GIVEN_NAMES if first.arabic[0] in (a, b)
    ]
    if alike and draw.rng.random() < 0.7:
        return _BY_ARABIC[draw.rng.choice(alike)]
    while True:
        other = draw.given(first.sex)
        if other != first:
            return other


def evaluation_pairs(count: int = 4000, seed: int = TEST_SEED) -> list[LabelledPair]:
    """Return ``count`` labelled pairs: half one child, half two children, mostly hard ones.

    Of the pairs of two children: 30 % twins, 20 % siblings, 20 % the most common names with
    different birth dates, 10 % different sexes with the same family and birth date and
    near-identical given names, 20 % random.
    """
    draw = _Draw(seed)
    rng = draw.rng
    pairs: list[LabelledPair] = []
    positives = count // 2
    for _ in range(positives):
        person = draw.identity()
        pairs.append(LabelledPair(draw.register(person), draw.register(person), True, "variant"))
    kinds = ["twins"] * 30 + ["siblings"] * 20 + ["common_name"] * 20 + ["other_sex"] * 10
    kinds += ["random"] * 20
    for index in range(count - positives):
        kind = kinds[index % len(kinds)]
        first = draw.identity()
        if kind == "twins":
            second = attrs.evolve(first, given=_twin_given(draw, first.given))
        elif kind == "siblings":
            sex = rng.choice((M, F))
            given = _twin_given(draw, first.given) if sex is first.sex else draw.given(sex)
            gap = timedelta(days=rng.randrange(365, 6 * 365))
            born = first.birth + gap if first.birth < date(2016, 1, 1) else first.birth - gap
            second = attrs.evolve(first, given=given, sex=sex, birth=born)
        elif kind == "common_name":
            given = _BY_ARABIC[rng.choice(_COMMON_GIVEN)]
            first = draw.identity(sex=given.sex, given=given, family=rng.choice(FAMILY_NAMES[:6]))
            second = draw.identity(sex=given.sex, given=given, family=first.family)
            while abs((second.birth - first.birth).days) <= 31:
                second = attrs.evolve(second, birth=draw.birth())
        elif kind == "other_sex":
            boy, girl = rng.choice(PAIRED_BY_SEX)
            first = draw.identity(sex=M, given=_BY_ARABIC[boy])
            second = attrs.evolve(first, sex=F, given=_BY_ARABIC[girl])
        else:
            second = draw.identity()
        pairs.append(LabelledPair(draw.register(first), draw.register(second), False, kind))
    rng.shuffle(pairs)
    return pairs


@attrs.frozen
class Counts:
    """A confusion matrix over labelled pairs, with its precision and recall."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        """Share of the pairs called one child that are one child (1.0 when none is called)."""
        called = self.true_positive + self.false_positive
        return self.true_positive / called if called else 1.0

    @property
    def recall(self) -> float:
        """Share of the pairs of one child that are called so."""
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0


def confusion(pairs: Iterable[LabelledPair], called_same: Callable[[LabelledPair], bool]) -> Counts:
    """Count how ``called_same`` labels ``pairs`` against the truth."""
    tp = fp = fn = tn = 0
    for pair in pairs:
        called = called_same(pair)
        if called and pair.same:
            tp += 1
        elif called:
            fp += 1
        elif pair.same:
            fn += 1
        else:
            tn += 1
    return Counts(tp, fp, fn, tn)


def population(count: int, seed: int = TEST_SEED) -> Iterator[Child]:
    """Draw ``count`` distinct children as a national register would hold them.

    Names are drawn with skewed frequencies (a few given names are very common, as Mohamed and
    Fatima are), family names from the table extended with ``Ben``/``Aït`` + a given name and
    with two-word family names, in Latin or Arabic script or both.  Real Moroccan family names
    are far more varied than these few thousand, so the buckets of blocking keys here are
    larger than a real register's.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
    provinces = [territory.code for territory in Gazetteer.morocco().provinces()]
    singles: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (family.arabic, family.latin) for family in FAMILY_NAMES
    ]
    for name in GIVEN_NAMES:
        if name.sex is M and " " not in name.arabic[0]:
            singles.append(
                (tuple("بن " + ar for ar in name.arabic), tuple("Ben " + la for la in name.latin))
            )
            singles.append(
                (tuple("آيت " + ar for ar in name.arabic), tuple("Ait " + la for la in name.latin))
            )
    rng.shuffle(singles)
    family_weights = [1 / (rank + 50) for rank in range(len(singles))]
    by_sex = {sex: [name for name in GIVEN_NAMES if name.sex is sex] for sex in (M, F)}
    given_weights = {
        sex: [1 / (rank + 2) for rank in range(len(names))] for sex, names in by_sex.items()
    }
    start = date(2008, 1, 1)
    for _ in range(count):
        sex = M if rng.random() < 0.5 else F
        given = rng.choices(by_sex[sex], given_weights[sex])[0]
        arabic, latin = rng.choices(singles, family_weights)[0]
        family_ar, family_la = rng.choice(arabic), rng.choice(latin)
        if rng.random() < 0.15:
            second_ar, second_la = rng.choices(singles, family_weights)[0]
            family_ar, family_la = f"{family_ar} {second_ar[0]}", f"{family_la} {second_la[0]}"
        script = rng.random()
        estimated = rng.random() < 0.1
        born = start + timedelta(days=rng.randrange(17 * 365))
        yield Child(
            sex=sex,
            birth_date=date(born.year, 7, 1) if estimated else born,
            birth_date_estimated=estimated,
            given_name=rng.choice(given.latin) if script < 0.75 else None,
            family_name=family_la if script < 0.75 else None,
            given_name_ar=rng.choice(given.arabic) if script >= 0.35 else None,
            family_name_ar=family_ar if script >= 0.35 else None,
            residence=rng.choice(provinces),
        )
