"""The text machinery every reader of `parser` shares.

The document wrapper `_Doc` holds the raw text and its accent-free plain copy (`ocrfix.Plain`), which every
pattern is matched against, and turns plain offsets back into raw spans. Beside it: the shared vocabulary
(civilities, names, dates in figures and in words, paragraph breaks, OCR-tolerant words), lists and sentences,
the certification line that bounds the vote and the signature, and the display of names printed in capitals.
It imports none of the readers (`header`, `attendance`, `amounts`, `votes`, `signature`, `parser`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache

from rapidfuzz import fuzz, process

from assistant.ingest.ocrfix import Plain, clean, fold
from assistant.models import Span

I, M = re.IGNORECASE, re.MULTILINE


# ---------------------------------------------------------------------------------------------
# Shared vocabulary (all patterns run on the accent-free plain copy)
# ---------------------------------------------------------------------------------------------

CIVILITY = r"(?:Madame|Monsieur|Mme|Mlle|M\.|Mr\.?)"
# "Martine VASSAL", "Jean-Claude GAUDIN", "Eric LE DISSES", "Maryse JOISSAINS MASINI"
PERSON_NAME = r"[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*(?:[ ]+[A-Z][A-Z'-]*[A-Z])+"
DATE_TEXT = (
    r"(?:[0-3]?\d|[lI](?=er\b))[ \t]*(?:er|ER|°)?[ \t]+[A-Za-z()\[\]{}|!'^]{3,10}\.?[ \t]+(?:19|20)\d{2}"
    r"|[0-3]?\d[ \t]*[/.][ \t]*[01]?\d[ \t]*[/.][ \t]*(?:19|20)\d{2}"
)
FRENCH_MONTHS = [
    "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
]
BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A blank line is a paragraph break, except where OCR or a page break put it in the middle of a phrase:
# before a lower-case word ("Approbation\n\nd'une convention", "Cité\n\ndes Métiers"); after a comma, a
# dash or a cut word ("Sous-\n\nPolitique"), or a word that cannot end a sentence ("de\n\nBerre"); and
# after an unfinished line, before a number or a code ("fonction\n\n815", "Sous-Politique\n\nA110").
DANGLING = ["de", "du", "des", "la", "le", "les", "l'", "d'", "a", "au", "aux", "et", "en", "sur", "par", "pour"]
PARAGRAPH_BREAK = re.compile(
    "(?<!,)(?<![a-zA-Z]-)(?<! -)" + "".join(rf"(?<!\b{w})" for w in DANGLING)
    + r"(?:(?<=[.:;!?])\n[ \t]*\n(?![ \t\n]*(?:[a-z]|d'|l'))"
    + r"|(?<![.:;!?])\n[ \t]*\n(?![ \t\n]*(?:[a-z]|d'|l'|[A-Z]?\d)))"
)

CIVILITY_PREFIX = re.compile(r"^(?:Madame|Monsieur|Mme|Mlle|MM\.|M\.|Mr\.?)\s+")


def ocr_word(word: str) -> str:
    """A pattern for `word` that tolerates OCR's doubled letters ("Etaaient", "preseents")."""
    return "".join(re.escape(ch) + "+" for ch in word)


# ---------------------------------------------------------------------------------------------
# Document wrapper
# ---------------------------------------------------------------------------------------------

# A text whose line breaks were lost (a web page's copy): the breaks are put back, in the plain copy only,
# before the words that open a line in a register (a space becomes a newline: offsets do not move).
LINE_CUES = re.compile(
    r"[ \t](?=(?:Etaient\s+presents?|Presents?\s*:|PRESENTS?\s*:|Absents?\b|ABSENTS?\b|Excuses?\s*:"
    r"|Secretaire\b|Pouvoirs?\s*:|Procurations?\s*:|Deliberation\s+n|Decision\s+n|DELIBERATION\b|VU\b|Vu\b"
    r"|CONSIDERANT|Considerant|DECIDE\b|Decide\b|DELIBERE\b|Article\s+(?:\d|premier|1er|unique)|ARTICLE\s"
    r"|Objet\s*:|OBJET\b|Rapporteur\s*:|ADOPTEE?S?\b|APPROUVEE?S?\b|PREND\s+ACTE\b|Fait\s+et\s+delibere"
    r"|Pour\s+(?:copie|extrait)|Certifie|Envoye\s+en\s+prefecture|Nombre\s+de|L'an\s|Le\s+(?:Conseil|Bureau)\b"
    r"|LE\s+(?:CONSEIL|BUREAU)\b|La\s+Commission\b|LA\s+COMMISSION\b|Le\s+Maire\s*,|Le\s+President\s*,"
    r"|\d?[A-Z]{1,6}\d{4}[-_]\d|[A-Z]{2,6}/\d{1,4}[-/](?:19|20)\d\d\b|[0-9\[]\d\s+(?=[A-Z][a-z])))"
    r"|(?<=[;:])[ \t](?=-[ \t][A-Z])"  # a dashed list after "décident :" or an item's ";"
)


# In any text, a lettered act code starts its line: a sommaire runs its items on ("… du CCAS 1DEL2018_002 Aide …").
CODE_CUE = re.compile(r"(?<=\S)[ \t]+(?=\d?[A-Z]{1,6}\d{4}_\d{2,4}\b)")


def is_collapsed(text: str) -> bool:
    """A long text with hardly any line break."""
    return len(text) > 1500 and text.count("\n") < len(text) / 400


class _Doc:
    """The raw text, its plain copy, and helpers that turn plain offsets into raw spans."""

    def __init__(self, raw: str, collapsed: bool | None = None) -> None:
        self.raw = raw
        self.plain = Plain(raw)
        self.text = self.plain.text  # what every pattern is matched against
        self.collapsed = is_collapsed(self.text) if collapsed is None else collapsed
        if self.collapsed:
            self.text = LINE_CUES.sub("\n", self.text)
        self.text = CODE_CUE.sub(lambda m: "\n" + m.group()[1:], self.text)

    def trim(self, start: int, end: int, chars: str = " \t\r\n") -> tuple[int, int]:
        while start < end and self.text[start] in chars:
            start += 1
        while end > start and self.text[end - 1] in chars:
            end -= 1
        return start, end

    def span(self, start: int, end: int, chars: str = " \t\r\n") -> Span | None:
        start, end = self.trim(start, end, chars)
        if start >= end:
            return None
        s, e = self.plain.raw_span(start, end)
        return Span(text=self.raw[s:e], start=s, end=e)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        return self.plain.raw_span(start, end)

    def from_raw(self, raw_offset: int) -> int:
        return self.plain.from_raw(raw_offset)

    def value(self, start: int, end: int) -> str:
        """Tidy one-line raw text of a plain range (values shown to people)."""
        return clean(self.plain.raw_slice(start, end))

    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def paragraph_end(self, pos: int, limit: int | None = None) -> int:
        """The first paragraph break (see PARAGRAPH_BREAK) after `pos`, or `limit`."""
        limit = len(self.text) if limit is None else limit
        m = PARAGRAPH_BREAK.search(self.text, pos)
        return m.start() if m and m.start() < limit else limit


# ---------------------------------------------------------------------------------------------
# Dates, in figures and in words
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def to_date(text: str) -> dt.date | None:
    """A date from "20 juin 2019", "1er mars 2021", "20/06/2019", or OCR'd "20 ao(t 2015" / "20 juln 2019".

    dateparser reads the date; when it fails, the month word is repaired by fuzzy matching against
    the French month names first.
    """
    import dateparser

    settings = {"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    text = clean(text)
    text = re.sub(r"^[lI](?=er\b)", "1", text)
    found = dateparser.parse(text, languages=["fr"], settings=settings)
    if found is None:
        parts = text.split()
        if len(parts) == 3:
            month = process.extractOne(fold(parts[1]), FRENCH_MONTHS, scorer=fuzz.ratio, score_cutoff=60)
            if month:
                fixed = f"{re.sub(r'(?i)er$', '', parts[0])} {month[0]} {parts[2]}"
                found = dateparser.parse(fixed, languages=["fr"], settings=settings)
    return found.date() if found else None


NUMBER_WORD = (r"(?:premier|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
               r"|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cent|cents|mille|mil|et)")
NUMBER_WORDS = rf"{NUMBER_WORD}(?:[ -]+{NUMBER_WORD})*"
MONTH_WORD = r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)"
WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
# "L'an deux mille vingt-deux, le vingt-cinq mars", "L'an deux mille vingt et un, le 28 octobre", "L'an deux
# mille vingt-trois, le mardi 07 février", "L'an deux mille quatorze le six du mois de novembre", "Séance du
# vingt-cinq mars deux mille vingt-deux".
WORDS_DATE = re.compile(
    rf"\bl'an\s+(?P<year>{NUMBER_WORDS}|(?:19|20)\d\d)\s*,?\s+(?:et\s+)?le\s+(?:{WEEKDAY}\s+)?"
    rf"(?P<day>{NUMBER_WORDS}|[0-3]?\d(?:er)?)\s+(?:du\s+mois\s+d[e']\s*)?(?P<month>{MONTH_WORD})\b"
    rf"|\b(?:seance|reunion|session)\s+(?:publique\s+|ordinaire\s+|extraordinaire\s+)?(?:du|le)\s+"
    rf"(?:{WEEKDAY}\s+)?"
    rf"(?P<day2>{NUMBER_WORDS})\s+(?P<month2>{MONTH_WORD})\s+(?P<year2>{NUMBER_WORDS}|(?:19|20)\d{{2}})\b",
    I,
)


def words_to_int(words: str) -> int | None:
    """"vingt-cinq" -> 25, "deux mille vingt-deux" -> 2022, "premier" -> 1 (text2num reads French numbers)."""
    from text_to_num import text2num

    words = re.sub(r"\s+", " ", words.strip().lower()).removesuffix(" et")  # "L'an deux mille dix-neuf et le ..."
    words = re.sub(r"\bmil\b", "mille", words)  # "deux mil vingt-deux": the old spelling of years
    if words in ("premier", "1er"):
        return 1
    if words.isdigit():
        return int(words)
    try:
        return text2num(words, "fr")
    except ValueError:
        return None


def words_date(m: re.Match) -> dt.date | None:
    day, month, year = (m.group("day") or m.group("day2"), m.group("month") or m.group("month2"),
                        m.group("year") or m.group("year2"))
    d, y = words_to_int(day), words_to_int(year)
    if d is None or y is None:
        return None
    try:
        return dt.date(y, FRENCH_MONTHS.index(month.lower()) + 1, d)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Lists and sentences
# ---------------------------------------------------------------------------------------------


def split_ranges(text: str, separator: re.Pattern, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The pieces of text[start:end] between matches of `separator`."""
    pos = start
    for m in separator.finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    yield pos, end


# A full stop ends a sentence unless it closes an initial or an abbreviation ("J.", "M.", "n.", "art.").
NOT_ABBREVIATION = r"(?<!\b[A-Z])(?<!\bM)(?<!\bMme)(?<!\bn)(?<!\bart)(?<!\bcf)"
NOT_ABBREVIATION_DOT = NOT_ABBREVIATION + r"\."
# Inside a sentence, a blank line breaks only after punctuation ("... à la société\n\nSOMEDAS" goes on).
SENTENCE_BREAK = re.compile(r"(?<=[.:;!?])[ \t]*\n[ \t]*\n(?![ \t\n]*(?:[a-z]|d'|l'))")
SENTENCE_END = re.compile(NOT_ABBREVIATION + r"[.!?](?=\s|$)|" + SENTENCE_BREAK.pattern)
SENTENCE_START = re.compile(rf"(?:{NOT_ABBREVIATION}[.!?;]|:[ \t]*\n)\s+|" + SENTENCE_BREAK.pattern)


def sentence_around(doc: _Doc, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """Plain bounds of the sentence holding `pos`, clamped to [lo, hi)."""
    start = lo
    for m in SENTENCE_START.finditer(doc.text, lo):  # no endpos: the lookaheads must see past `pos`
        if m.end() > pos:
            break
        start = m.end()
    m = SENTENCE_END.search(doc.text, pos)
    end = hi if not m or m.start() >= hi else m.start() + 1 if doc.text[m.start()] in ".!?" else m.start()
    return doc.trim(start, end)


# ---------------------------------------------------------------------------------------------
# The certification line: it ends the articles and the vote, and opens the signature
# ---------------------------------------------------------------------------------------------

# At a line start, or in a table cell (a Word signature block: "Acte rendu exécutoire ... | Pour extrait
# conforme,").
CERTIFICATION = re.compile(
    r"(?:^|[ \t]\|)[ \t]*(?:pour\s+)?(?:extrait\s+)?(?:certifi\w*\s+conforme|extrait\s+conforme|copie\s+conforme"
    r"|ainsi\s+fait\s+et\s+delibere|fait\s+et\s+delibere)[^\n]*",
    I | M,
)


# ---------------------------------------------------------------------------------------------
# Names for display
# ---------------------------------------------------------------------------------------------

PARTICLES = {"de", "du", "des", "la", "le", "les", "d", "l", "et", "sur", "en", "aux"}


def _display(text: str) -> str:
    """"VILLE D'AUBAGNE" -> "Ville d'Aubagne", "Ville de MARTIGUES" -> "Ville de Martigues" (words in
    capitals only; anything else is kept)."""
    text = clean(text)
    all_caps = text.isupper()
    words = []
    for i, word in enumerate(text.split()):
        if not all_caps and not (word.isupper() and len(word) > 2):
            words.append(word)
            continue
        parts = re.split(r"(['-])", word.lower())
        parts = [p if p in "'-" or ((i or j) and p in PARTICLES) else p.capitalize()
                 for j, p in enumerate(parts)]
        words.append("".join(parts))
    return " ".join(words)
