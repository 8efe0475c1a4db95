"""Names as Moroccans write them, in Arabic and in Latin script.

A child's name reaches the register through people who hear it and write it down: in Arabic
script by one body, in the French-style Latin spelling of the civil status by another, from the
child's own pronunciation by a street team.  ``محمد العمراني``, ``Mohamed El Amrani`` and
``Mohammed Amrani`` are one name.  This module gives three things:

- :func:`normalise_name`: a clean, idempotent form of a name *in its own script* (diacritics,
  hamza seats, alif variants, tatweel, ta marbuta, alif maqsura, accents, case, punctuation,
  honorific titles, and the written forms of the article, ``Ben`` and ``Aït``);
- :func:`name_key`: a short phonetic key *common to both scripts*: the consonant skeleton of the
  name, each letter folded into a class that the French transliterations in use in Morocco and
  the Arabic letter share (``ch``/``sh``/``ش`` -> ``c``, ``kh``/``خ`` -> ``x``, ``q``/``k``/``ق``
  -> ``k``...), vowels left out, since Arabic script does not write short vowels;
- :func:`name_similarity`: a similarity in ``[0, 1]`` that compares the skeletons with
  :mod:`rapidfuzz` and then checks the vowels where both scripts carry them (an Arabic long
  vowel must be heard in the Latin spelling: ``Hassan`` is not ``حسين``), and that knows
  compound given names (``Mohamed Amine`` and ``Amine``).

Every convention is listed, with its sources, in the documentation page *Finding the same child
twice* (``docs/matching.md``).
"""

# Arabic letters are what this module reads: they are not lookalikes of Latin ones.
# ruff: noqa: RUF002

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

import attrs
from rapidfuzz.distance import Levenshtein

__all__ = [
    "NameReading",
    "PhoneticName",
    "name_key",
    "name_similarity",
    "normalise_name",
    "read_name",
]

LATIN: Final = "latin"
ARABIC: Final = "arabic"

# --- Folding: one script-preserving form ---------------------------------------------------

_TATWEEL = "\u0640"
# Letters that Unicode does not decompose but that are written for one another in names.
_FOLD_LETTERS = str.maketrans(
    {
        "\u0671": "\u0627",  # alif wasla -> alif
        "\u06a9": "\u0643",  # keheh (Persian kaf) -> kaf
        "\u06cc": "\u064a",  # Farsi yeh -> yeh
        "\u06c0": "\u0647",  # heh with yeh above -> heh
        "\u00e7": "s",  # French c cedilla is an s (Youçef)
        "\u00c7": "s",
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u0153": "oe",
        "\u00f8": "o",
        "\u0131": "i",  # dotless i
    }
)
# Apostrophes join (M'hamed, Moha'med): they mark a lost vowel, never a word boundary.
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc\u02bb`\u00b4]")
_NOT_A_LETTER = re.compile(r"[^\w]|_", re.UNICODE)


def _fold(text: str) -> str:
    """Return ``text`` without diacritics, accents, tatweel, case or punctuation.

    Compatibility composition first turns Arabic presentation forms and ligatures (``ﻻ``) into
    letters; canonical decomposition then splits the hamza seats (``أ إ آ ؤ ئ``) into their
    carrier and a combining hamza or madda, which go with every other combining mark (the
    harakat, shadda, sukun, superscript alif, Latin accents).  Ta marbuta, alif maqsura and
    the hamza on the line stay: the phonetic reading needs them.
    """
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(
        char for char in text if char != _TATWEEL and not unicodedata.category(char).startswith("M")
    )
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NOT_A_LETTER.sub(" ", text).split())


def _is_arabic(char: str) -> bool:
    return (
        "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\u08a0" <= char <= "\u08ff"
    )


def _script(text: str) -> str:
    arabic = sum(1 for char in text if _is_arabic(char))
    latin = sum(1 for char in text if char.isalpha() and not _is_arabic(char))
    return ARABIC if arabic > latin else LATIN


# --- The particles of a name --------------------------------------------------------------

#: The article in its Latin written forms, alone or hyphenated (El, Al, Es-, Ech-, Ez-...): the
#: l of the Arabic article is written as the sun letter it assimilates to.
LATIN_ARTICLES: Final = frozenset(
    {
        "el", "al", "il", "ul", "l", "le", "la",
        "es", "as", "ech", "ach", "esh", "ash", "ez", "az", "et", "at", "eth", "ath",
        "ed", "ad", "edh", "adh", "en", "an", "er", "ar",
    }
)  # fmt: skip
#: Son/daughter of (Ben, Bent, Ibn...) in both scripts, canonical form first.
_BEN: Final = {"ben": "ben", "bin": "ben", "ibn": "ben", "iben": "ben", "bnou": "ben",
               "ibnou": "ben", "bent": "bent", "bint": "bent",
               "بن": "بن", "ابن": "بن", "بنت": "بنت"}  # fmt: skip
#: The Amazigh "sons of" (Aït, Ait, Ayt, آيت).
_AIT: Final = {"ait": "ait", "ayt": "ait", "aith": "ait", "ايت": "ايت"}
#: Particles bound to the next word: Abd (servant of) and Bou/Abou (father of).
_BOUND_BEFORE: Final = frozenset(
    {"abd", "abdel", "abdal", "abdul", "abdoul", "abde", "bou", "abou", "abu", "عبد", "ابو", "بو"}
)
#: Words bound to the previous one: ad-Din and Allah (Nour Eddine, Abd Allah).
_BOUND_AFTER: Final = frozenset(
    {"eddine", "eddin", "ddine", "dine", "din", "addine", "allah", "ellah", "illah",
     "الدين", "الله"}
)  # fmt: skip
#: Honorific titles, which the civil status does not record (law 37-99, art. 21).
_TITLES: Final = frozenset(
    {"moulay", "mulay", "mly", "my", "sidi", "si", "lalla", "lala",
     "مولاي", "سيدي", "لالة", "لاله", "للا"}
)  # fmt: skip
_ARABIC_ARTICLE = "\u0627\u0644"  # ال


def _canonical_tokens(tokens: list[str]) -> list[str]:
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens = tokens[1:]
    result: list[str] = []
    for index, written in enumerate(tokens):
        followed = index + 1 < len(tokens)
        canonical = written
        if followed and written in LATIN_ARTICLES:
            canonical = "el"
        elif followed and written in _BEN:
            canonical = _BEN[written]
        elif followed and written in _AIT:
            canonical = _AIT[written]
        result.append(canonical)
    return result


_NORMAL_ARABIC = str.maketrans({"\u0629": "\u0647", "\u0649": "\u064a", "\u0621": None})


def normalise_name(text: str) -> str:
    """Return the normal form of a name, in the script it is written in.

    Diacritics (harakat, shadda, sukun), tatweel and Latin accents go; the hamza seats and the
    alif variants become their bare letter (``أ إ آ ٱ`` -> ``ا``, ``ؤ`` -> ``و``, ``ئ`` -> ``ي``),
    the hamza on the line goes, ta marbuta becomes ``ه`` and alif maqsura ``ي``; Latin letters
    are lower-cased; apostrophes go and other punctuation separates words.  A leading title
    (Moulay, Sidi, Lalla) goes; the article written apart becomes ``el`` (``Es-Saidi`` ->
    ``el saidi``), Ben/Ibn/Bin ``ben``, Bent/Bint ``bent`` and Aït/Ayt ``ait``.  The result
    is idempotent.  Spellings that differ beyond this (``Mohamed``/``Mohammed``, or the two
    scripts) meet in :func:`name_key` and :func:`name_similarity`.

    >>> normalise_name("Fatima-Ezzahra  EL ALAOUI")
    'fatima ezzahra el alaoui'
    >>> normalise_name("Moulay Aḥmed Es-Saïdi")
    'ahmed el saidi'
    >>> normalise_name("فَاطِمَةُ الزَّهْرَاء")
    'فاطمه الزهرا'
    """
    tokens = _fold(text).translate(_NORMAL_ARABIC).split()
    return " ".join(_canonical_tokens(tokens))


# --- Phonetic reading ------------------------------------------------------------------------

# Consonant classes shared by both scripts (upper case), and vowels: Latin a, e, i, o, u (lower
# case, ou and w as u: every vowel is written, long or short) and Arabic ā, ī, ū (long vowels
# only) and "*"
# (a letter that carries an unknown vowel: ain, hamza, a word-initial alif).
_LATIN_DIGRAPHS: Final = {
    "ch": "C", "sh": "C", "kh": "X", "gh": "G", "dj": "J", "dh": "D", "th": "T", "ph": "F",
    "ck": "K", "ou": "u",
}  # fmt: skip
_LATIN_LETTERS: Final = {
    "b": "B", "d": "D", "f": "F", "h": "H", "j": "J", "k": "K", "l": "L", "m": "M", "n": "N",
    "p": "B", "q": "K", "r": "R", "s": "S", "t": "T", "v": "F", "z": "Z",
    "a": "a", "e": "e", "i": "i", "o": "o", "u": "u", "w": "u", "y": "i",
    # Arabizi, the chat alphabet: 3 for ain, 2 for hamza, 7 for ha, 9 for qaf, 5 for kha.
    "2": "*", "3": "*", "7": "H", "9": "K", "5": "X",
}  # fmt: skip
_ARABIC_LETTERS: Final = {
    "\u0628": "B", "\u062a": "T", "\u062b": "T", "\u062c": "J", "\u062d": "H", "\u062e": "X",
    "\u062f": "D", "\u0630": "D", "\u0631": "R", "\u0632": "Z", "\u0633": "S", "\u0634": "C",
    "\u0635": "S", "\u0636": "D", "\u0637": "T", "\u0638": "D", "\u0639": "*", "\u063a": "G",
    "\u0641": "F", "\u0642": "K", "\u0643": "K", "\u0644": "L", "\u0645": "M", "\u0646": "N",
    "\u0647": "H", "\u0648": "ū", "\u064a": "ī", "\u0649": "*", "\u0629": "ā", "\u0627": "ā",
    "\u0621": "*", "\u067e": "B", "\u0686": "C", "\u06a4": "F", "\u06ad": "G", "\u06af": "G",
}  # fmt: skip
#: Consonant classes of the sun letters (ت ث د ذ ر ز س ش ص ض ط ظ ل ن), which the article's l
#: assimilates to.
_SUN: Final = frozenset("TDRZSCLN")
_ARTICLE_VOWELS: Final = frozenset("aei*")
_ABD_ASSIMILATED = re.compile(r"^abd([aeiou]+)l(?=[tdrzsnl]|ch|sh)")


def _latin_units(part: str) -> list[str]:
    units: list[str] = []
    index = 0
    while index < len(part):
        pair = part[index : index + 2]
        if pair in _LATIN_DIGRAPHS:
            units.append(_LATIN_DIGRAPHS[pair])
            index += 2
            continue
        char = part[index]
        following = part[index + 1 : index + 2]
        if char == "c":
            units.append("S" if following and following in "eiy" else "K")
        elif char == "g":
            units.append("J" if following and following in "eiy" else "G")
        elif char == "x":
            units.extend("KS")
        elif char in _LATIN_LETTERS:
            units.append(_LATIN_LETTERS[char])
        index += 1
    # A final e after a consonant is silent in French spellings (Amine, Yassine, Othmane).
    if len(units) >= 2 and units[-1] == "e" and units[-2].isupper():
        units.pop()
    return units


def _arabic_units(part: str) -> list[str]:
    units = [_ARABIC_LETTERS[char] for char in part if char in _ARABIC_LETTERS]
    if part.startswith("\u0627") and units:
        units[0] = "*"  # a word-initial alif carries a hamza (أحمد, إدريس): any vowel
    return units


_SILENT_FINAL_H = re.compile(r"(?<=[^l][ae])h$")


def _units(part: str) -> list[str]:
    if any(_is_arabic(char) for char in part):
        return _arabic_units(part)
    # A final h after a vowel is not heard (Sarah, Fatimah), but in Allah (Abdellah).
    part = _SILENT_FINAL_H.sub("", part) if len(part) > 3 else part
    return _latin_units(_ABD_ASSIMILATED.sub(r"abd\1", part))


def _first_class(part: str) -> str | None:
    """Return the consonant class a word starts with; ``None`` for a vowel or ain."""
    units = _units(part)
    return units[0] if units and units[0].isupper() else None


def _article_units(vowel: str, following: str | None, before: list[str]) -> list[str]:
    """Return the units of an article inside a name: its l is lost before a sun letter.

    Its vowel is left out between a consonant and the same sun letter (آيت الطالب is heard
    as Aït Taleb).
    """
    first = _first_class(following) if following else None
    if first not in _SUN:
        return [vowel, "L"]
    return [] if before and before[-1] == first else [vowel]


def _word_units(parts: list[str], *, leading: bool) -> list[str]:
    units: list[str] = []
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else None
        at_start = leading and index == 0
        if part in LATIN_ARTICLES or part == _ARABIC_ARTICLE:
            if not at_start:
                vowel = "e" if part in LATIN_ARTICLES else "*"
                units += _article_units(vowel, following, units)
        elif part.startswith(_ARABIC_ARTICLE) and len(part) > 2:
            rest = part[2:]
            if not at_start:
                units += _article_units("*", rest, units)
            units += _arabic_units(rest)
        else:
            units += _units(part)
    return units


def _split_arabic_compounds(token: str) -> list[str]:
    """Split the bound words Arabic often writes joined: عبدالرحيم, نورالدين, عبدالله."""
    if token.startswith("\u0639\u0628\u062f\u0627\u0644") and len(token) > 5:  # عبدال...
        return ["\u0639\u0628\u062f", *_split_arabic_compounds(token[3:])]
    for suffix in ("\u0627\u0644\u062f\u064a\u0646", "\u0627\u0644\u0644\u0647"):  # الدين الله
        if token.endswith(suffix) and len(token) > len(suffix):
            return [token[: -len(suffix)], suffix]
    return [token]


def _words(tokens: list[str]) -> list[list[str]]:
    """Group tokens into words: particles join the word they belong to."""
    words: list[list[str]] = []
    pending: list[str] = []
    for token in tokens:
        if token in _BOUND_AFTER and words:
            words[-1].extend([*pending, token])
            pending = []
        elif (
            token in LATIN_ARTICLES
            or token == _ARABIC_ARTICLE
            or token in _BEN
            or token in _AIT
            or token in _BOUND_BEFORE
        ):
            pending.append(token)
        else:
            words.append([*pending, token])
            pending = []
    if pending:
        if words:
            words[-1].extend(pending)
        else:
            words.append(pending)
    return words


@attrs.frozen(cache_hash=True)
class PhoneticName:
    """A name (or one word of it) read as sounds both scripts share.

    :param script: ``"latin"`` or ``"arabic"``, the script most of its letters are in.
    :param skeleton: its consonants, each a class letter (``"mhmd"`` for Mohamed and ``محمد``).
    :param gaps: the vowels heard before, between and after the consonants, one string per gap
        (``len(skeleton) + 1``): Latin ``a e i u``; Arabic long vowels ``ā ī ū`` and ``*`` for a
        letter carrying an unknown vowel (ain, hamza, initial alif).
    """

    script: str
    skeleton: str
    gaps: tuple[str, ...]


def _phonetic(units: list[str], script: str) -> PhoneticName:
    collapsed: list[str] = []
    doubled_first = False
    for unit in units:
        # Doubled consonants are written once in Arabic (shadda) and often twice in Latin.
        if unit.isupper() and collapsed and collapsed[-1] == unit:
            doubled_first = doubled_first or sum(1 for kept in collapsed if kept.isupper()) == 1
            continue
        collapsed.append(unit)
    consonants = [index for index, unit in enumerate(collapsed) if unit.isupper()]
    if doubled_first and consonants and set(collapsed[: consonants[0]]) <= {"a", "e"}:
        # A joined article before a sun letter (Essaidi, Ennajjar) leaves only its vowel.
        collapsed = collapsed[consonants[0] :]
        consonants = [index - consonants[0] for index in consonants]
    # A leading l is the article as often as not (Lamrani, Elalaoui, Lahcen): it is left out
    # wherever another consonant follows and only an article's vowel precedes it, in both
    # scripts alike (Walid keeps its l: a w precedes it).
    if (
        len(consonants) > 1
        and collapsed[consonants[0]] == "L"
        and set(collapsed[: consonants[0]]) <= _ARTICLE_VOWELS
    ):
        collapsed = collapsed[consonants[0] + 1 :]
    skeleton: list[str] = []
    gaps: list[str] = []
    gap: set[str] = set()
    for unit in collapsed:
        if unit.isupper():
            gaps.append("".join(sorted(gap)))
            gap = set()
            skeleton.append(unit)
        else:
            gap.add(unit)
    gaps.append("".join(sorted(gap)))
    return PhoneticName(script, "".join(skeleton).lower(), tuple(gaps))


@attrs.frozen(cache_hash=True)
class NameReading:
    """A name as the matcher reads it: its normal form, and its phonetic reading.

    :param text: :func:`normalise_name` of the name.
    :param whole: the reading of the whole name, its words run together (so that
        ``Fatimazahra`` meets ``Fatima Zahra``).
    :param words: the reading of each word, particles joined to theirs (``El Amrani``,
        ``Ben Ali``, ``Abd El Kader``, ``Nour Eddine`` are each one word).
    """

    text: str
    whole: PhoneticName
    words: tuple[PhoneticName, ...]

    @property
    def key(self) -> str:
        """The phonetic key of the whole name (see :func:`name_key`)."""
        return self.whole.skeleton


@functools.lru_cache(maxsize=1 << 18)
def read_name(text: str) -> NameReading | None:
    """Return the reading of a name, or ``None`` when it has no letter to read.

    >>> reading = read_name("Abd El Kader Ben Ali")
    >>> reading.text, reading.key, [word.skeleton for word in reading.words]
    ('abd el kader ben ali', 'bdlkdrbnl', ['bdlkdr', 'bnl'])
    """
    tokens = _canonical_tokens(_fold(text).split())
    tokens = [part for token in tokens for part in _split_arabic_compounds(token)]
    grouped = _words(tokens)
    word_units = [_word_units(parts, leading=index == 0) for index, parts in enumerate(grouped)]
    if not any(word_units):
        return None
    script = _script(" ".join(tokens))
    words = tuple(
        _phonetic(units, _script(" ".join(parts)))
        for units, parts in zip(word_units, grouped, strict=True)
        if units
    )
    whole = _phonetic([unit for units in word_units for unit in units], script)
    return NameReading(" ".join(_canonical_tokens(_fold(text).translate(_NORMAL_ARABIC).split())),
                       whole, words)  # fmt: skip


def name_key(text: str) -> str:
    """Return the phonetic key of a name: the same for its spellings in both scripts.

    The key is the consonant skeleton of the whole name; it is empty for a name without a
    consonant (``Aya``).

    >>> {name_key(name) for name in ("El Amrani", "Amrani", "Lamrani", "العمراني")}
    {'mrn'}
    >>> name_key("Fatima-Ezzahra"), name_key("فاطمة الزهراء"), name_key("Fatimazahra")
    ('ftmzhr', 'ftmzhr', 'ftmzhr')
    """
    reading = read_name(text)
    return reading.key if reading is not None else ""


# --- Comparing readings ------------------------------------------------------------------

#: Consonants written for one another: ظ as d or z (Hafid, Hafiz), qaf as g in Darija, kh as k,
#: and s and z (a French intervocalic s sounds z).
_NEAR_CONSONANTS: Final = {frozenset("dz"), frozenset("kg"), frozenset("xk"), frozenset("sz")}
_NEAR_COST: Final = 0.5
#: An h is often silent or lost in Latin spellings (Sarah, Fathi written for Fat-hi).
_H_COST: Final = 0.5
_LONG_VOWEL_HEARD_AS: Final = {"ā": "aeo", "ī": "i", "ū": "uo"}
#: Single Latin vowels written for one another (Omar/Oumar).
_LATIN_VOWELS_ALIKE: Final = {frozenset("ou")}


def _long_vowels(latin_gap: str, after_long_a: bool) -> set[str]:
    """Return the vowels of a Latin gap that stand for a long vowel in a final syllable.

    An ou always does; an i unless an a comes before it (the short i of Khalid, Adil).
    """
    return set(latin_gap) & ({"u"} if after_long_a else {"u", "i"})


def _consonant_cost(one: str, other: str) -> tuple[float, list[tuple[int, int]]]:
    cost = 0.0
    anchors: list[tuple[int, int]] = []
    for opcode in Levenshtein.opcodes(one, other):
        tag, start1, end1, start2, end2 = (
            opcode.tag,
            opcode.src_start,
            opcode.src_end,
            opcode.dest_start,
            opcode.dest_end,
        )
        if tag == "equal":
            anchors.extend(zip(range(start1, end1), range(start2, end2), strict=True))
        elif tag == "replace":
            for left, right in zip(range(start1, end1), range(start2, end2), strict=False):
                pair = frozenset((one[left], other[right]))
                cost += _NEAR_COST if pair in _NEAR_CONSONANTS else 1.0
                anchors.append((left, right))
            cost += abs((end1 - start1) - (end2 - start2))
        else:
            removed = one[start1:end1] + other[start2:end2]
            cost += sum(_H_COST if letter == "h" else 1.0 for letter in removed)
    return cost, anchors


def _gap_cost(  # noqa: PLR0911 - one return per case of two scripts
    one: str,
    one_script: str,
    other: str,
    other_script: str,
    *,
    edge: bool,
    last: bool = False,
    after_long_a: bool = False,
) -> float:
    """Return what it costs that two gaps hold different vowels (less at a name's ends).

    ``last`` marks the gap before a name's final consonant, when it ends on that consonant;
    ``after_long_a`` that the gap before it holds an a, long or short, or an unknown vowel
    (the pattern fa:il, whose i is short: Khalid, Adil).
    """
    if one == other or "*" in one or "*" in other:
        return 0.0
    if one_script == ARABIC and other_script == ARABIC:
        # Arabic writes long vowels: one more or less is another name (حسن/حسين, محمد/محمود).
        if not one or not other:
            return 0.5 if edge else 1.5
        return (0.25 if set(one) & set(other) else 1.5) * (0.5 if edge else 1.0)
    if one_script == LATIN and other_script == LATIN:
        if last and _long_vowels(one, after_long_a) != _long_vowels(other, after_long_a):
            return 1.0  # Mahmoud/Mohamed, Houssine/Hassan: a long vowel in one of them
        if not one or not other:
            return 0.25 if edge else 0.35
        # The French e stands for any short vowel (Khaled/Khalid, Abdellah/Abdullah).
        alike = (
            set(one) & set(other)
            or "e" in (one, other)
            or frozenset((one, other)) in _LATIN_VOWELS_ALIKE
        )
        return 0.0 if alike else (0.25 if edge else 0.5)
    latin, arabic = (one, other) if one_script == LATIN else (other, one)
    # An Arabic long vowel is heard in every spelling; Latin short vowels may be anything...
    for vowel in arabic:
        # A name of both scripts (A. بء) read as Arabic may carry a Latin vowel: heard as itself.
        if not any(letter in latin for letter in _LONG_VOWEL_HEARD_AS.get(vowel, vowel)):
            return 0.5 if edge else 1.5
    # ...except in a final syllable closed by a consonant, where ou is a long u (Mahmoud,
    # Benjelloun, Ayoub) and i a long i (Houssine, Said), which Arabic writes; but for the i of
    # the pattern fa:il, after a long a (Khalid, Adil).
    if last and not arabic and ("u" in latin or ("i" in latin and not after_long_a)):
        return 1.5
    return 0.0


@functools.lru_cache(maxsize=262144)
def phonetic_similarity(one: PhoneticName, other: PhoneticName) -> float:
    """Return how alike two phonetic readings are, in ``[0, 1]``.

    Consonant skeletons are aligned with :func:`rapidfuzz.distance.Levenshtein.opcodes`; a
    substituted or missing consonant costs 1 (0.5 for near consonants and a lost h); the vowels
    of each gap between aligned consonants are then compared (:func:`_gap_cost`).  The total
    cost is divided by the length of the longer skeleton plus one.
    """
    if (one.skeleton, one.gaps, one.script) > (other.skeleton, other.gaps, other.script):
        one, other = other, one  # the same alignment whichever way round: a symmetric measure
    cost, anchors = _consonant_cost(one.skeleton, other.skeleton)
    last1, last2 = len(one.skeleton), len(other.skeleton)
    if not last1 and not last2:
        cost += _gap_cost(one.gaps[0], one.script, other.gaps[0], other.script, edge=False)
    aligned = set(anchors)
    for left, right in anchors:
        if left == 0 and right == 0:
            cost += _gap_cost(one.gaps[0], one.script, other.gaps[0], other.script, edge=True)
        if (left + 1, right + 1) in aligned:
            last = (
                left + 2 == last1 and right + 2 == last2 and not one.gaps[-1] and not other.gaps[-1]
            )
            before = set(one.gaps[left]) | set(other.gaps[right])
            cost += _gap_cost(
                one.gaps[left + 1],
                one.script,
                other.gaps[right + 1],
                other.script,
                edge=False,
                last=last,
                after_long_a=bool(before & {"ā", "*", "a"}),
            )
        elif left == last1 - 1 and right == last2 - 1:
            cost += _gap_cost(
                one.gaps[last1], one.script, other.gaps[last2], other.script, edge=True
            )
    return max(0.0, 1.0 - cost / (max(last1, last2) + 1))


#: Given names that often lead a compound and are dropped in daily use (Mohamed Amine is called
#: Amine, Fatima Zahra is called Zahra).
_LEADING_GIVEN_NAMES: Final = frozenset({"mhmd", "ftm", "hmd"})
#: How much a compound name met through one of its words counts, against the whole name.
COMPOUND_LEADING_DROPPED: Final = 0.95
COMPOUND_OTHER_DROPPED: Final = 0.8


def _without_leading_name(form: PhoneticName) -> PhoneticName | None:
    """Return the rest of a joined compound after a leading Mohamed or Fatima."""
    for leading in _LEADING_GIVEN_NAMES:
        if form.skeleton.startswith(leading) and len(form.skeleton) > len(leading):
            cut = len(leading)
            return PhoneticName(form.script, form.skeleton[cut:], form.gaps[cut:])
    return None


@functools.lru_cache(maxsize=262144)
def _reading_similarity(one: NameReading, other: NameReading) -> float:
    whole = phonetic_similarity(one.whole, other.whole)
    if len(one.words) == len(other.words):
        if len(one.words) > 1:
            return min(
                phonetic_similarity(a, b) for a, b in zip(one.words, other.words, strict=True)
            )
        rests = [
            phonetic_similarity(rest, whole_form)
            for form, whole_form in ((one.whole, other.whole), (other.whole, one.whole))
            if (rest := _without_leading_name(form)) is not None
        ]
        return max([whole, *(COMPOUND_LEADING_DROPPED * rest for rest in rests)])
    shorter, longer = sorted((one, other), key=lambda reading: len(reading.words))
    best = 0.0
    size = len(shorter.words)
    for offset in range(len(longer.words) - size + 1):
        alike = min(
            phonetic_similarity(word, longer.words[offset + index])
            for index, word in enumerate(shorter.words)
        )
        dropped = longer.words[:offset] + longer.words[offset + size :]
        leading_only = offset == len(dropped) and all(
            word.skeleton in _LEADING_GIVEN_NAMES for word in dropped
        )
        factor = COMPOUND_LEADING_DROPPED if leading_only else COMPOUND_OTHER_DROPPED
        best = max(best, factor * alike)
    return max(whole, best)


def name_similarity(one: str | NameReading, other: str | NameReading) -> float:
    """Return how alike two names are, in ``[0, 1]``, whatever script each is written in.

    Names with as many words are compared word by word, and the least alike pair counts (the
    twins ``Mohamed Amine`` and ``Mohamed Yassine`` differ in one word, which decides).  A name
    with fewer words is compared with the whole of the other and with each run of as many of
    its words; meeting a run counts 0.95 when only a leading Mohamed, Ahmed or Fatima was left
    out, else 0.8.  A name without letters is like nothing (0).

    >>> name_similarity("Mohamed El Amrani", "محمد العمراني")
    1.0
    >>> name_similarity("Mohamed Amine", "Amine")
    0.95
    >>> name_similarity("Hassan", "حسين") < 0.8
    True
    """
    first = read_name(one) if isinstance(one, str) else one
    second = read_name(other) if isinstance(other, str) else other
    if first is None or second is None:
        return 0.0
    return _reading_similarity(first, second)
