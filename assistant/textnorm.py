"""French text normalisation for matching and lexical search.

The raw text is never changed: these functions build *search keys*. OCR confusions seen in real
registers ("Meétropole", "I'association", "ceuvre", "Frangois", "a" for "à") are repaired or folded
so that the query side and the document side meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# OCR repairs applied to lower-cased, accent-folded text (word-level, so they stay predictable).
_OCR_WORDS = {
    "ceuvre": "oeuvre",
    "ceuvres": "oeuvres",
    "ceuvrant": "oeuvrant",
    "frangois": "francois",
    "frangaise": "francaise",
    "fagon": "facon",
    "deliberc": "delibere",
}
# "I'association" (capital i read for l), "'accés" (lost l), "linclusion" is left alone (ambiguous).
_ELISION = re.compile(r"\b(?:[lI1|]|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu)['’`´]", re.IGNORECASE)
_STRAY_APOS = re.compile(r"(?<!\w)['’`´]+(?=\w)")
_HYPHEN_BREAK = re.compile(r"(\w)-\n\s*(\w)")
_NON_WORD = re.compile(r"[^0-9a-z]+")

_FR_STOP = frozenset(
    """a au aux avec ce ces cette dans de des du elle en et eux il je la le les leur lui ma mais me
    meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous y est sont ete etre the of to in for and what was were who which
    is are an at by on""".split()  # noqa: SIM905 - a word list reads better as prose
)


def fold(text: str) -> str:
    """Lower-case, strip accents (also OCR's doubled ones: "Meétropole" -> "meetropole" -> kept)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return text.lower()


def join_hyphenated(text: str) -> str:
    """Join words broken across lines ("Provence-\\nAlpes" keeps its hyphen only if it had one twice)."""
    return _HYPHEN_BREAK.sub(r"\1\2", text)


def repair_word(word: str) -> str:
    """Repair one folded word: OCR dictionary, then doubled vowels from accent noise ("meetropole")."""
    word = _OCR_WORDS.get(word, word)
    if "ee" in word and word.replace("ee", "e", 1) in _KNOWN_EE:
        word = word.replace("ee", "e", 1)
    return word


# Words where OCR doubles an accented e ("Meétropole", "Meétiers"): folded to "ee", repaired to "e".
_KNOWN_EE = frozenset({"metropole", "metropoles", "metiers", "metier", "deliberation", "republique"})


def tokens(text: str) -> list[str]:
    """Folded, OCR-repaired word tokens, elisions split off ("l'association" -> "association")."""
    text = join_hyphenated(text)
    text = _ELISION.sub(" ", text)
    text = _STRAY_APOS.sub(" ", text)
    folded = fold(text)
    return [repair_word(w) for w in _NON_WORD.split(folded) if w]


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball French stem of one token. Cached: a register repeats its words, and the pure-Python
    stemmer was most of the time a writer spent indexing (12 of 14 s for 200 extracts)."""
    return _stemmer().stemWord(word)


def stems(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Snowball French stems of the tokens (numbers kept whole)."""
    return [stem(w) for w in tokens(text) if not (drop_stopwords and w in _FR_STOP)]


def search_text(text: str) -> str:
    """The text stored in the FTS5 index: stems separated by spaces."""
    return " ".join(stems(text, drop_stopwords=False))


_REPEAT = re.compile(r"(.)\1+")


def match_key(text: str) -> str:
    """An identity key for names and titles, robust to OCR noise and layout.

    Folded, repaired tokens glued together (so "Provence-\\nAlpes" = "Provence Alpes") with runs of the
    same letter collapsed (so "Meétropole" = "Métropole"). A key, never shown to anyone.
    """
    return _REPEAT.sub(r"\1", "".join(tokens(text)))
