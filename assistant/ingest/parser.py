"""Parse the text of an extract of a register of deliberations into a `Deliberation` record.

`parse(raw_text, id=..., source=...)` finds each part of the document with its own small function,
in document order: header (authority, body, session, president, attendance), codes, object,
rapporteur, exposé, visas, decision marker, articles, amounts, co-financers, budget imputation,
vote, signatory. Patterns are matched against an accent-free copy of the text (`ocrfix.Plain`) that
maps back to raw offsets, so every span is an exact quote of the raw text. OCR noise is expected:
patterns tolerate lost or doubled accents, "I'" for "l'", "a" for "à", stray characters and broken
lines. What is not found stays None / [] and, for mandatory parts, a French warning says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from rapidfuzz import fuzz, process

from assistant.ingest.ocrfix import Plain, clean, fold
from assistant.models import (
    BODY_LABELS,
    Amount,
    Article,
    Budget,
    Code,
    Deliberation,
    Member,
    Person,
    Represented,
    Signatory,
    Span,
    Vote,
)
from assistant.textnorm import match_key

__all__ = ["NotAnExtract", "parse"]


class NotAnExtract(ValueError):
    """The text is not an extract of a register of deliberations (message in French)."""


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
CIVILITY_END = re.compile(r"\b(?:M|MM|Mme|Mlle)\.$")
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
    r"|\d?[A-Z]{1,6}\d{4}[-_]\d|[0-9\[]\d\s+(?=[A-Z][a-z])))"
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
# Is it an extract at all?
# ---------------------------------------------------------------------------------------------

DELIBERATION_WORD = re.compile(r"\bd[eé]lib[eé]r", I)
EXTRACT_MARKERS = {
    "header": re.compile(r"extrait\s+(?:du|des)\s+(?:registres?|proces[- ]verba)|registre\s+des\s+delib", I),
    "seance": re.compile(r"\b(?:seance|reunion)\s+(?:publique\s+|ordinaire\s+)?(?:du|le)\s+\S+", I),
    "article": re.compile(r"^[ \t]*(?:article|art\.)[ \t]*(?:1|premier|unique|l)\b", I | M),
    "decision": re.compile(r"^[ \t]*(?:delibere+|decide|arrete)\b|apres\s+en\s+avoir\s+delibere", I | M),
    "visa": re.compile(r"^[ \t]*vu\b", I | M),
    "vote": re.compile(r"mise?\s+aux\s+voix|\badopte+e?s?\b|unanimite|\bvotants?\b", I),
    "certification": re.compile(r"certifi\w*\s+conforme|extrait\s+conforme", I),
    "assembly": re.compile(r"\b(?:conseil\s+(?:municipal|de\s+la\s+me+tropole|metropolitain|communautaire|"
                           r"departemental|regional)|bureau\s+de\s+la\s+me+tropole|commission\s+permanente|"
                           r"comite\s+syndical)\b", I),
}


def check_extract(doc: _Doc) -> None:
    """Raise NotAnExtract unless the text shows the structure of an extract.

    The register's header ("Extrait du registre des délibérations") with a session or an assembly is
    enough (a truncated extract is still one: the caller decides what to do with it). Otherwise the
    text needs the word "délibération", at least three of the markers below and two of them structural
    (article heading, decision marker, visas, certification). A letter about a deliberation names a
    session, a vote and an assembly, but has none of the structure; an invoice has "Article 1" lines
    but nothing else.
    """
    text = doc.text
    if len(text.strip()) < 40:
        raise NotAnExtract("Texte vide ou trop court : ce n'est pas un extrait de registre des délibérations.")
    found = {name for name, pattern in EXTRACT_MARKERS.items() if pattern.search(text)}
    if "header" in found and found & {"seance", "assembly"}:
        return
    structural = found & {"article", "decision", "visa", "certification"}
    if not DELIBERATION_WORD.search(text) or len(found) < 3 or len(structural) < 2:
        raise NotAnExtract(
            "Ce texte ne ressemble pas à un extrait de registre des délibérations "
            f"(repères trouvés : {', '.join(sorted(found)) or 'aucun'})."
        )


# ---------------------------------------------------------------------------------------------
# Landmarks that bound the other parts
# ---------------------------------------------------------------------------------------------

DECISION = re.compile(
    r"^[ \t]*(?:DELIBERE+|Delibere+|DECIDE|Decide|ARRETE|Arrete)\b[ \t:.,]*$"
    r"|^[^\n]*\bapres\s+(?:en\s+)?avoir\s+delibere[^\n]*$"
    r"|^[^\n]*\bdecident\s*:[ \t]*$",  # "les membres du Bureau communautaire, à l'unanimité décident :"
    I | M,
)
ARTICLE_HEAD = re.compile(
    r"^[ \t]*(?:ARTICLE|Article|Art\.)[ \t]*"
    r"(?P<num>\d{1,2}|[lI](?=[ \t]*(?:er)?[ \t]*[:.\-]|[ \t]*$)|premier|PREMIER|Premier|unique|UNIQUE|Unique)"
    r"(?:[ \t]*(?:er|ER|°))?[ \t]*(?:[:.\-)][ \t]*|$|(?=[ \t]+[A-Z]))",
    M,
)
# At a line start, or in a table cell (a Word signature block: "Acte rendu exécutoire ... | Pour extrait
# conforme,").
CERTIFICATION = re.compile(
    r"(?:^|[ \t]\|)[ \t]*(?:pour\s+)?(?:extrait\s+)?(?:certifi\w*\s+conforme|extrait\s+conforme|copie\s+conforme"
    r"|ainsi\s+fait\s+et\s+delibere|fait\s+et\s+delibere)[^\n]*",
    I | M,
)
TELLES = re.compile(r"telles\s+sont\s+les\s+raisons", I)
VISA_LINE = re.compile(r"^[ \t]*(?:Vu|VU|vu)\b", M)
VISAS_END = re.compile(
    r"^[ \t]*(?:Ou'?i\b|Ou\.?i\b|Entendu|ENTENDU|Consid[ée]rant|CONSIDERANT|Apres\s+en\s+avoir|"
    r"Sur\s+(?:la\s+)?proposition|Ayant\s+entendu)",
    I | M,
)
ASSEMBLY_LINE = re.compile(
    r"^[ \t]*(?:Le|LE|La|LA)\s+(?:Bureau|BUREAU|Conseil|CONSEIL|Commission|COMMISSION)[^\n]{0,70}[,:][ \t]*$", M
)


def find_decision(doc: _Doc) -> re.Match | None:
    """The "Délibère" / "DÉCIDE" / "Après en avoir délibéré" line that opens the articles."""
    return DECISION.search(doc.text)


def find_certification(doc: _Doc, after: int) -> re.Match | None:
    """The "Certifié conforme" / "Pour extrait conforme" / "Ainsi fait et délibéré" line."""
    return CERTIFICATION.search(doc.text, after)


# ---------------------------------------------------------------------------------------------
# Header: body, authority, session, president, attendance
# ---------------------------------------------------------------------------------------------

REGISTER_HEADER = re.compile(
    r"(?:extrait|registre)s?\s+(?:du|des)\s+(?:registres?|proces[- ]verba\w*|deliberations?)", I
)
BODY_PHRASES = [
    ("bureau", r"bureau\s+de\s+la\s+me+tropole|bureau\s+metropolitain"),
    ("conseil", r"conseil\s+de\s+la\s+me+tropole|conseil\s+metropolitain"),
    ("conseil_municipal", r"conseil\s+municipal"),
    ("commission_permanente", r"commission\s+permanente"),
    ("conseil_communautaire", r"conseil\s+communautaire"),
    ("comite_syndical", r"comite\s+syndical"),
    ("conseil_administration", r"conseil\s+d'administration"),
    ("bureau_communautaire", r"bureau\s+communautaire"),
    ("autre", r"conseil\s+departemental|conseil\s+regional|conseil\s+d'exploitation"),
]
BODY = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in BODY_PHRASES), I)


def find_body(doc: _Doc, header_end: int | None = None) -> tuple[str | None, str | None]:
    """Body kind and its label.

    Looks first right after the register header ("EXTRAIT DES REGISTRES DES DELIBERATIONS DU
    BUREAU DE LA METROPOLE", "... DE LA COMMISSION PERMANENTE"), then anywhere ("soumet au Bureau
    de la Métropole", "Le Conseil Municipal,"). A header that names a Conseil départemental or régional
    and its Commission permanente ("CONSEIL DÉPARTEMENTAL / COMMISSION PERMANENTE") is the commission's.
    """
    header = REGISTER_HEADER.search(doc.text)
    m = None
    if header:
        m = BODY.search(doc.text, header.end(), min(len(doc.text), header.end() + 200))
    m = m or BODY.search(doc.text)
    if not m:
        return None, None
    if m.lastgroup == "autre" and re.match(r"conseil\s+(?:departemental|regional)", m.group(), I):
        limit = max(header_end or 0, m.end())
        commission = re.compile(BODY_PHRASES[3][1], I).search(doc.text, m.end(), limit)
        if commission:
            return "commission_permanente", BODY_LABELS["commission_permanente"]
    body = m.lastgroup
    if body == "bureau_communautaire":
        return "bureau", "Bureau communautaire"
    label = BODY_LABELS[body] if body != "autre" else doc.value(m.start(), m.end()).lower().capitalize()
    return body, label


def municipal_label(body: str | None, authority: Span | None) -> str | None:
    """"Conseil municipal de la Ville d'Aubagne" when the authority is a commune."""
    if body != "conseil_municipal" or not authority or not fold(authority.text).startswith(("ville", "commune")):
        return None
    return f"Conseil municipal de la {_display(authority.text)}"


AUTHORITY = re.compile(
    r"\b(?P<kind>Me+tropole|METROPOLE|Ville|VILLE|Commune|COMMUNE|Departement|DEPARTEMENT|Region|REGION"
    r"|Communaute\s+(?:d'agglomeration|de\s+communes|urbaine)|COMMUNAUTE\s+(?:D'AGGLOMERATION|DE\s+COMMUNES)"
    r"|Conseil\s+departemental|CONSEIL\s+DEPARTEMENTAL|Syndicat\s+(?:mixte|intercommunal)"
    r"|SYNDICAT\s+(?:MIXTE|INTERCOMMUNAL)|(?i:centre\s+(?:communal|intercommunal)\s+d'action\s+sociale)"
    r"|(?i:etablissement\s+public)|(?i:office\s+public))"
    r"[ ]+(?:(?:de\s+la|de\s+l'|d'|de|du|des|DE\s+LA|DE\s+L'|D'|DE|DU|DES)[ ]*)?"
    r"(?P<name>[A-Z][A-Za-z'-]*(?:[ ][A-Z][A-Za-z'-]*)*?)"
    r"(?=[ ]*(?:[,.;:)(]|-\s|$)|[ ]+[a-z]|[ ]*\n|[ ]{2,})",  # two spaces: the next column of a header
    M,
)
# Which authority kinds best fit each body (a commune's header often names its Département too).
AUTHORITY_PREFERENCE = {
    "conseil_municipal": ("ville", "commune"),
    "bureau": ("metropole",),
    "conseil": ("metropole",),
    "commission_permanente": ("departement", "conseil departemental", "region"),
}


def find_authority(doc: _Doc, body: str | None, header_end: int) -> Span | None:
    """The authority: "Métropole Aix-Marseille-Provence", "VILLE DE LA CIOTAT", "Département des ...".

    The kind that fits the body wins (a commune's header often names its Département first), then
    a mention in the header, then the first one. Two-column headers merged by OCR ("Métropole
    Aix-Marseille- République Département des") give broken names, which are skipped; the president's
    title or a later mention then serves.
    """
    candidates = [m for m in AUTHORITY.finditer(doc.text)
                  if not (m.group("name").endswith("-") or "- " in m.group("name") or len(m.group("name")) < 3)]
    preferred = AUTHORITY_PREFERENCE.get(body or "", ())
    fitting = [m for m in candidates if preferred and re.sub("e+", "e", fold(m.group("kind"))).startswith(preferred)]
    pool = fitting or candidates
    in_header = [m for m in pool if m.start() < header_end]
    best = (in_header or pool or [None])[0]
    return doc.span(best.start(), best.end()) if best else None


SESSION = re.compile(
    r"\b(?:seance|reunion|session)\s+(?:publique\s+|ordinaire\s+|extraordinaire\s+|pleniere\s+)?"
    r"(?:du|le|en\s+date\s+du)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    rf"(?P<date>{DATE_TEXT})",
    I,
)
SESSION_FALLBACK = re.compile(
    r"(?:\bl'an\b[^\n]{0,120}?\ble|(?:conseil|bureau|commission)[^\n]{0,60}?\b(?:du|le))\s+"
    rf"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(?P<date>{DATE_TEXT})",
    I,
)


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


def find_session(doc: _Doc, header_end: int) -> tuple[dt.date | None, Span | None]:
    """Session date from "Séance du 20 juin 2019", "SEANCE PUBLIQUE DU LUNDI 15 MARS 2021",
    "Réunion du 1er mars 2021", or (fallback, header only) "L'an deux mille vingt et un, le 15 mars 2021"
    / "CONSEIL MUNICIPAL DU 15/03/2021", or a date in words ("L'an deux mille vingt-deux, le vingt-cinq
    mars"; the dates of convocation or of posting, "Date de convocation : 18/03/2022", are not it)."""
    for pattern, limit in ((SESSION, len(doc.text)), (SESSION_FALLBACK, header_end)):
        for m in pattern.finditer(doc.text, 0, limit):
            date = to_date(doc.plain.raw_slice(m.start("date"), m.end("date")))
            if date:
                return date, doc.span(m.start(), m.end())
    for m in WORDS_DATE.finditer(doc.text, 0, header_end):
        date = words_date(m)
        if date:
            return date, doc.span(m.start(), m.end())
    return None, None


PRESIDENT_PATTERNS = [
    # "Madame Martine VASSAL, Présidente de la Métropole Aix-Marseille-Provence, a ouvert la séance"
    re.compile(
        rf"(?P<civ>{CIVILITY})\s+(?P<name>{PERSON_NAME})\s*,\s*(?P<title>[^,\n]{{3,120}}?(?:\n[^,\n]{{1,80}}?)?)"
        r"\s*,\s*(?:a\s+ouvert|ouvre|preside|a\s+preside)"
    ),
    # "sous la présidence de Monsieur le Maire, Paul Martin", "sous la présidence de son Maire, Paul MARTIN"
    re.compile(
        r"sous\s+la\s+presidence\s+de\s+(?:(?P<civ>Madame|Monsieur)\s+)?(?:son|sa|l[ea])\s+"
        r"(?P<title>Maire|President|Presidente)\s*,?\s+(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})",
        I,
    ),
    # "sous la présidence de Monsieur Patrick BORE, Maire de la Ville" (OCR may leave a stray "2g" before "de")
    re.compile(
        rf"(?:sous\s+la\s+presidence\s*(?:\S{{1,3}}\s+)?de|preside\w*\s+par)\s+(?P<civ>{CIVILITY})\s+(?P<name>{PERSON_NAME})"
        r"(?:\s*,\s*(?P<title>[^,\n.]{3,80}))?",
        I,
    ),
    # "Présidence : M. Jean DUPONT, Maire" / "Président de séance : Mme Anne MARTIN"
    re.compile(
        rf"Presiden(?:ce|te?)(?:\s+de\s+(?:la\s+)?seance)?\s*:\s*(?:(?P<civ>{CIVILITY})\s+)?(?P<name>{PERSON_NAME})"
        r"(?:\s*,\s*(?P<title>[^,\n.]{3,80}))?"
    ),
    # "sous la présidence de Monsieur le Maire" / "Monsieur le Maire ouvre la séance"
    re.compile(
        r"(?:(?:sous\s+la\s+presidence\s+de|preside\w*\s+par)\s+(?P<civ>Madame|Monsieur)\s+"
        r"(?P<name>l[ea]\s+(?:Maire|President|Presidente)\b)"
        r"|(?:(?P<civ2>Madame|Monsieur)\s+)?(?P<name2>\bl[ea]\s+(?:Maire|President|Presidente))\s*,?\s+(?:a\s+)?"
        r"(?:ouv|declare\s+la\s+seance\s+ouverte))",
        I,
    ),
]


# Who "le Maire" is: "Présents : Monsieur le Maire Paul MARTIN", "Madame la Présidente, Anne DURAND"
TITLE_THEN_NAME = re.compile(r"(?:Monsieur|Madame)\s+l[ea]\s+(?:Maire|President|Presidente)\s*,?\s+"
                             r"(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})")
# Failing a presidency, the member who called the session as its president: "La convocation … a été faite le 22
# octobre 2021 … par Paul Martin, Président."
CONVENER = re.compile(r"convo\w*[^.]{0,160}?\bpar\s+(?:(?:M\.|Mme|Monsieur|Madame)\s+)?"
                      r"(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})\s*,?\s*(?P<title>Presidente?|Maire)\b")


def find_president(doc: _Doc, header_end: int) -> Person | None:
    """The person presiding the session (header only); a title alone ("le Maire") takes the name the header
    gives that title."""
    person = _presiding(doc, header_end)
    if person is not None and re.match(r"l[ea]\s", person.name, I):
        named = TITLE_THEN_NAME.search(doc.text, 0, max(header_end, min(len(doc.text), 3000)))
        if named:  # the quote: where the title is given its name
            s, e = doc.raw_span(*named.span())
            person = person.model_copy(update={"name": doc.value(*named.span("name")), "start": s, "end": e})
        elif person.civility is None:  # "la Présidente déclare la séance ouverte": a title, no one named
            person = None
    if person is None and (m := CONVENER.search(doc.text, 0, header_end)):
        s, e = doc.raw_span(m.start("name"), m.end("title"))
        person = Person(name=doc.value(m.start("name"), m.end("name")), title=doc.value(*m.span("title")),
                        start=s, end=e)
    return person


def _presiding(doc: _Doc, header_end: int) -> Person | None:
    for pattern in PRESIDENT_PATTERNS:
        m = pattern.search(doc.text, 0, header_end)
        if not m:
            continue
        groups = {k: v for k, v in m.groupdict().items() if v}
        civ_key = "civ" if "civ" in groups else "civ2" if "civ2" in groups else None
        name_key = "name" if "name" in groups else "name2"
        civility = None
        if civ_key:
            civility = "Madame" if groups[civ_key].lower().startswith(("madame", "mme", "mlle")) else "Monsieur"
        name = doc.value(m.start(name_key), m.end(name_key))
        title = doc.value(m.start("title"), m.end("title")) if "title" in groups else None
        if title is None and re.match(r"l[ea]\s", name, I):
            title = name.split(None, 1)[1]
        # The quote runs from the first to the last of civility, name and title, in whatever order printed.
        keys = [k for k in (civ_key, name_key, "title") if k in groups]
        s, e = doc.raw_span(min(m.start(k) for k in keys), max(m.end(k) for k in keys))
        return Person(name=name, civility=civility, title=title, start=s, end=e)
    return None


PRESENT_COUNT = re.compile(
    r"\bpresents?[ \t]*(?:[:=][ \t]*)?(?P<n>\d{1,3})\b(?![ \t]*[/.,]\d)(?:[ \t]+(?:membres|conseillers|elus))?"
    r"|\b(?P<n2>\d{1,3})[ \t]+(?:membres|conseillers|elus)[ \t]+(?:sont[ \t]+|etaient[ \t]+)?presents",
    I,
)


def find_present_count(doc: _Doc, header_end: int) -> tuple[int | None, Span | None]:
    """"ont été présents 30 membres", "Présents : 38", "38 conseillers présents"."""
    m = PRESENT_COUNT.search(doc.text, 0, header_end)
    if not m:
        return None, None
    return int(m.group("n") or m.group("n2")), doc.span(m.start(), m.end())


ETAIENT = ocr_word("etaient")
PRESENTS, ABSENTS = ocr_word("present") + "(?:e)?s?", ocr_word("absent") + "(?:e)?s?"
REPRESENTES, EXCUSES = ocr_word("represente") + "(?:e)?s?", ocr_word("excuse") + "(?:e)?s?"
ATTENDANCE_HEAD = re.compile(
    r"^[ \t]*(?:"
    rf"(?P<represented>(?:{ETAIENT}\s+)?{ABSENTS}\s+(?:et\s+)?{REPRESENTES}|(?:{ETAIENT}\s+)?{REPRESENTES}"
    rf"|Pouvoirs?|Procurations?|{ABSENTS}\s+ayant\s+donne\s+(?:pouvoir|procuration))"
    rf"|(?P<excused>(?:{ETAIENT}\s+)?{ABSENTS}\s+(?:et\s+)?{EXCUSES}|{EXCUSES})"
    rf"|(?P<absent>(?:{ETAIENT}\s+)?{ABSENTS})"
    rf"|(?P<present>(?:{ETAIENT}|Etait)\s+{PRESENTS}|{PRESENTS}|Membres\s+{PRESENTS})"
    r")\b[^\n:]*:?",
    I | M,
)
ATTENDANCE_STOP = re.compile(
    r"^[ \t]*(?:[A-Z]{2,5}\s+\d"  # a code line
    r"|(?i:secretaire|le\s+quorum|madame\s+la|monsieur\s+le|le\s+(?:conseil|bureau|maire|president)"
    r"|la\s+(?:presidente|seance)|objet|rapporteur|nombre|conseillers|membres\s+en\s+exercice|deliberation"
    r"|date\s+de|n\s*[°o]\s*\d))",
    M,
)
COURTESY = re.compile(r"(?:Mesdames|Mmes)\s+et\s+(?:Messieurs|MM\.?)\s*:?\s*")
LIST_SEPARATOR_DASH = re.compile(r"\s+-\s+|\s+-(?=\s*\n)|(?<=\n)\s*-\s+")
# "Mme X, pouvoir à M. Y": the comma before the proxy does not end the item.
LIST_SEPARATOR_COMMA = re.compile(
    r"\s*(?:;|,(?!\s*(?:pouvoir|procuration|represente|ayant\s+donne|donne)\b))\s*|\s+et\s+(?=[A-Z])", I
)
LINE_BREAK = re.compile(r"\n")
INLINE_SEPARATOR = re.compile(r"\s*(?:,|;|\bet\b|\s-\s)\s*")
PROXY = re.compile(
    r"\s+(?:represente(?:e)?s?\s+par|\(?\s*(?:a\s+|ayant\s+)?donne\s+(?:pouvoir|procuration)\s+a"
    r"|\(?\s*pouvoir\s+a|\(?\s*procuration\s+a|a|par)\s+(?=(?:M\.|Mme|Monsieur|Madame|[A-Z]))",
    I,
)


def split_ranges(text: str, separator: re.Pattern, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The pieces of text[start:end] between matches of `separator`."""
    pos = start
    for m in separator.finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    yield pos, end


def _list_items(doc: _Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Items of a list of names: " - " separated (the registers' style), else commas, else lines."""
    block = doc.text[start:end]
    if LIST_SEPARATOR_DASH.search(block):
        separator = LIST_SEPARATOR_DASH
    elif re.search(r"[,;]", block):
        separator = LIST_SEPARATOR_COMMA
    else:
        separator = LINE_BREAK
    return split_ranges(doc.text, separator, start, end)


def _name_item(doc: _Doc, start: int, end: int) -> tuple[int, int] | None:
    """Trim an item to the name itself: no civility, no trailing dot, something name-like."""
    start, end = doc.trim(start, end, " \t\r\n.;,-:()")
    m = CIVILITY_PREFIX.match(doc.text[start:end])
    if m:
        start += m.end()
    piece = doc.text[start:end]
    if (not piece or not re.search(r"[A-Z]", piece) or len(piece.split()) > 8 or ":" in piece
            or re.fullmatch(r"[\d\s]+", piece)):
        return None
    if re.match(r"(?:Mesdames|Messieurs|neant|aucun)", piece, I):
        return None
    return start, end


def _list_end(doc: _Doc, start: int, limit: int) -> int:
    """Where a list of names that starts at `start` ends: at a line that starts prose or a heading, or at
    a blank line after a final "." (OCR also puts blank lines in the middle of a list: "Gérard\n\nCASTELLI")."""
    stop = ATTENDANCE_STOP.search(doc.text, start, limit)
    end = stop.start() if stop else limit
    for blank in BLANK_LINE.finditer(doc.text, start, end):
        before = doc.text[start:blank.start()].rstrip()
        if not before or before.endswith(":") or before.endswith(".") and not CIVILITY_END.search(before):
            return blank.start()
    return end


def find_attendance(doc: _Doc, header_end: int) -> tuple[list[Member], list[Represented], list[Member]]:
    """Present / absent-and-represented / absent-and-excused lists.

    Headings: "Etaient présents Mesdames et Messieurs :", "Présents :", "Etaient absents et
    représentés", "Pouvoirs :", "Absents excusés :", "Excusés :"; names separated by " - " across
    lines (the registers' layout), by commas, or one a line; "X représentée par Y", "X (pouvoir à Y)",
    "X à Y" for proxies. A list ends at a blank line, the next heading or a line that starts prose.
    """
    present: list[Member] = []
    represented: list[Represented] = []
    excused: list[Member] = []
    # A bare heading ("Représentés", "Excusés") needs its colon: "X\nreprésenté par Y" is not a heading.
    heads = [h for h in ATTENDANCE_HEAD.finditer(doc.text, 0, header_end)
             if ":" in h.group() or re.match(rf"\s*(?:{ETAIENT}|Etait|Membres)", h.group(), I)]
    for i, head in enumerate(heads):
        kind = head.lastgroup
        limit = heads[i + 1].start() if i + 1 < len(heads) else header_end
        start = head.end()
        while start < limit and doc.text[start] in " \t\r\n":
            start += 1
        courtesy = COURTESY.match(doc.text, start, limit)
        start = courtesy.end() if courtesy else start
        end = _list_end(doc, start, limit)
        if kind == "absent" or start >= end:
            continue
        for s, e in _list_items(doc, start, end):
            if kind == "represented":
                proxy_m = PROXY.search(doc.text, s, e)
                name_range = _name_item(doc, s, proxy_m.start() if proxy_m else e)
                if not name_range:
                    continue
                proxy_range = _name_item(doc, proxy_m.end(), e) if proxy_m else None
                rs, re_ = doc.raw_span(*name_range)
                represented.append(Represented(
                    name=doc.value(*name_range), start=rs, end=re_,
                    proxy=doc.value(*proxy_range) if proxy_range else None,
                ))
                continue
            name_range = _name_item(doc, s, e)
            if not name_range:
                continue
            rs, re_ = doc.raw_span(*name_range)
            member = Member(name=doc.value(*name_range), start=rs, end=re_)
            (present if kind == "present" else excused).append(member)
    return present, represented, excused


# ---------------------------------------------------------------------------------------------
# Codes, object, rapporteur, exposé, visas
# ---------------------------------------------------------------------------------------------

DIGIT = r"[0-9OI]"  # OCR reads 0 as O and 1 as I inside codes
SERVICE_CODE = re.compile(
    rf"\b(?P<prefix>[A-Z]{{2,5}})[ \t]+(?P<number>{DIGIT}{{2,3}}[ \t]*-[ \t]*{DIGIT}{{3,6}})"
    rf"[ \t]*/[ \t]*(?P<year>{DIGIT}{{2}})[ \t]*/[ \t]*(?P<suffix>[A-Z]{{2,4}})\b"
)
REGISTRY_CODE = re.compile(
    rf"\b(?P<prefix>[A-Z]{{2,5}})[ \t]+(?P<year>{DIGIT}{{2}})[ \t]*/[ \t]*(?P<number>{DIGIT}{{3,6}})"
    r"[ \t]*/[ \t]*(?P<suffix>[A-Z]{2,4})\b"
)
# Marseille's registry numbers: "23/0145/VDV" (year / number / commission), no prefix.
CITY_REGISTRY_CODE = re.compile(
    rf"(?<![\w/-])(?P<year>{DIGIT}{{2}})/(?P<number>{DIGIT}{{4}})/(?P<suffix>[A-Z]{{2,5}})\b"
)
# A commune's registry number: "N° 087-200619", "DELIBERATION N° 2019/087", "Délibération n° 2021-045",
# or with the assembly's letters: "Délibération n° CS-2022-014" (comité syndical), "n° CC-2022-097".
NUMBER_CODE = re.compile(
    r"^[ \t]*(?:D[EÉ]LIB[EÉ]RATION|Deliberation|DCM|DEL|DELIB|Acte)?\s*(?:n|N)\s*[°o]\s*"
    r"(?P<number>(?:[A-Z]{1,5}[-_]?)?\d{2,4}[-/_.]\d{1,6}(?:[-/]\d{1,4})?)\b",
    M,
)
REFERENCE_BEFORE = re.compile(r"(?:deliberation|delib\.?|arrete|decision)\s*(?:n\s*[°o]\s*)?\s*$", I)


def _digits(s: str) -> str:
    return s.replace("O", "0").replace("I", "1").replace(" ", "").replace("\t", "")


def _code_year(two: str) -> int:
    yy = int(_digits(two))
    return 2000 + yy if yy < 70 else 1900 + yy


def _structured_code(m: re.Match, kind: str, s: int, e: int) -> Code:
    number = _digits(m.group("number"))
    year = _digits(m.group("year"))
    prefix = m.groupdict().get("prefix")
    if kind == "service":
        text = f"{prefix} {number}/{year}/{m.group('suffix')}"
    else:
        text = f"{prefix + ' ' if prefix else ''}{year}/{number}/{m.group('suffix')}"
    return Code(code=text, kind=kind, prefix=prefix, number=number, year=_code_year(year),
                body_suffix=m.group("suffix"), start=s, end=e)


def find_codes(doc: _Doc, header_end: int, visas_range: tuple[int, int] | None) -> list[Code]:
    """The deliberation's own codes: service code (`EMP 004-6064/19/BM`), registry code
    (`MET 19/11402/BM`, Marseille's `23/0145/VDV`), or a commune's number ("Délibération n° 2021-045").

    Codes quoted in the visas or after "délibération n°" elsewhere (`FAG 21-5718/19/CM`) belong to
    other deliberations and are left out. Codes in the header are preferred.
    """
    found: list[tuple[int, int, Code]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e, _ in found)

    for kind, pattern in (("service", SERVICE_CODE), ("registre", REGISTRY_CODE), ("registre", CITY_REGISTRY_CODE)):
        for m in pattern.finditer(doc.text):
            if visas_range and visas_range[0] <= m.start() < visas_range[1] or overlaps(m.start(), m.end()):
                continue
            before = doc.text[doc.line_start(m.start()):m.start()]
            if m.start() >= header_end and REFERENCE_BEFORE.search(before[-40:]):
                continue
            found.append((m.start(), m.end(), _structured_code(m, kind, *doc.raw_span(m.start(), m.end()))))
    for m in NUMBER_CODE.finditer(doc.text, 0, header_end):
        if overlaps(m.start("number"), m.end("number")):
            continue
        number = m.group("number")
        year = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", number)
        s, e = doc.raw_span(m.start("number"), m.end("number"))
        found.append((m.start(), m.end(), Code(code=number, kind="registre", number=number,
                                               year=int(year.group()) if year else None, start=s, end=e)))
    in_header = [item for item in found if item[0] < header_end]
    codes: list[Code] = []
    for _, _, code in sorted(in_header or found, key=lambda item: item[0]):
        if code.kind == "service" and any(c.kind == "service" for c in codes):
            continue  # one service code per deliberation; a second one is a quoted reference
        if code.code not in {c.code for c in codes}:
            codes.append(code)
    return codes


OBJECT_LABEL = re.compile(r"^[ \t]*(?:N[°o]\s*[\w/-]+\s*[-:]?\s*)?(?:OBJET|Objet|objet)\s*[:\-.]\s*", M)
LEADING_NOISE = re.compile(r"(?:[a-z]{1,2}\s+|[^\w«\"(]+\s*)(?=[A-Z])")
RAPPORTEUR = re.compile(
    r"soumet\s+(?:au|a\s+la|a\s+l')\s+[^:]{0,150}?rapport\s+suivant\s*:?"
    r"|^[ \t]*Rapporteur\s*:[^\n]*|^[ \t]*Sur\s+(?:le\s+)?rapport\s+d[e']\s*[^\n]{0,200}?:[ \t]*$"
    r"|^[^\n]{0,200}?\b(?:expose|rapporte|presente\s+le\s+rapport)\b[^\n]{0,120}:[ \t]*$",
    I | M,
)

RAPPORTEUR_OPENER = re.compile(r"^[ \t]*(?:Madame|Monsieur|Mme|M\.|Le|La|Sur)\b", M)


def find_rapporteur(doc: _Doc, after: int, before: int) -> Span | None:
    """"Madame la Présidente ... soumet au Bureau de la Métropole le rapport suivant :", "Rapporteur : M. X",
    "Monsieur le Maire expose au Conseil Municipal :" (whole paragraph)."""
    m = RAPPORTEUR.search(doc.text, after, before)
    if not m:
        return None
    line = doc.line_start(m.start())
    blank = list(BLANK_LINE.finditer(doc.text, after, line))
    paragraph = max(blank[-1].end() if blank else line, after)
    # The formula may start lines above the verb ("Madame la Présidente ... sur proposition du\nCommissaire
    # Rapporteur soumet ..."), but not before the object or the codes of the same paragraph.
    openers = [o.start() for o in RAPPORTEUR_OPENER.finditer(doc.text, paragraph, m.start()) if o.start() <= line]
    return doc.span(openers[-1] if openers else line, m.end())


def find_object(doc: _Doc, codes: list[Code], before: int) -> Span | None:
    """The title: after an "Objet :" label, else after the code line(s) (the Métropole layouts: service
    code, title, registry code, where a page break may split the title; or both codes, then the title).
    It ends at the next code, else at the end of its paragraph. Stray OCR marks before the first word
    ("m Attribution", an unclosed "« Attribution") are dropped."""
    code_ranges = sorted((doc.from_raw(c.start), doc.from_raw(c.end)) for c in codes)
    label = OBJECT_LABEL.search(doc.text, 0, before)
    if label:
        start = label.end()
    elif code_ranges:
        start = doc.line_end(code_ranges[0][1])
        for cs, ce in code_ranges[1:]:
            if not doc.text[start:cs].strip():  # a code line right below: skip it too
                start = doc.line_end(ce)
    else:
        return None
    start, _ = doc.trim(start, before)
    following = [cs for cs, _ in code_ranges if start < cs < before]
    end = following[0] if following else _object_end(doc, start, before)
    noise = LEADING_NOISE.match(doc.text, start, end)
    if noise:
        start = noise.end()
    if doc.text.startswith("«", start) and "»" not in doc.text[start:end]:
        start += 1
    return doc.span(start, end, " \t\r\n-")


# What follows a title: the rapporteur, the assembly, a code, a number, the first "Vu"...
AFTER_OBJECT = re.compile(
    r"[ \t]*(?:Rapporteur|RAPPORTEUR|Madame|Monsieur|Mme|M\.|Le|LE|La|LA|Les|Vu|VU|Sur|Par|N\s*[°o]|D[EeÉé]lib"
    r"|[A-Z]{2,5}\s+\d|Il\b|Consid)"
)


# What can only start a new paragraph, even after a single line break (a Word document's paragraphs are
# lines: "Objet : ...\nMonsieur le Maire rappelle que ...").
NEW_PARAGRAPH_LINE = re.compile(
    r"\n[ \t]*(?:(?:Madame|Monsieur|MADAME|MONSIEUR)\s+(?:l[ea]|L[EA])\s+(?:Maire|MAIRE|Pr[eé]sident|PR[EÉ]SIDENT)"
    r"|Rapporteur\b|RAPPORTEUR\b|(?:Vu|VU)\s|(?:Le|La|LE|LA)\s+(?:Conseil|CONSEIL|Commission|COMMISSION|Bureau"
    r"|BUREAU|Comit|COMIT))"
)
DANGLING_END = re.compile(r"(?:[,-]|\b(?:" + "|".join(re.escape(w) for w in DANGLING) + r"))[ \t]*$", I)


def _object_end(doc: _Doc, start: int, before: int) -> int:
    """A title runs over OCR's blank lines ("du Grand\n\nPort Maritime", "2019\n\n- Approbation") until a
    paragraph break followed by what comes after a title (AFTER_OBJECT), or a line that can only open a
    paragraph (NEW_PARAGRAPH_LINE) after a complete one, or `before`."""
    ends = [before]
    for m in PARAGRAPH_BREAK.finditer(doc.text, start):
        if m.start() >= before:
            break
        if AFTER_OBJECT.match(doc.text, m.end()):
            ends.append(m.start())
            break
    for m in NEW_PARAGRAPH_LINE.finditer(doc.text, start, before):
        if not DANGLING_END.search(doc.text, doc.line_start(m.start()), m.start()):
            ends.append(m.start())
            break
    return min(ends)


def find_expose(doc: _Doc, start: int | None, limit: int) -> Span | None:
    """Exposé des motifs: from the rapporteur formula to "Telles sont les raisons" (or, without it, to the
    assembly line "Le Conseil Municipal," / the first "Vu" / the decision)."""
    if start is None or start >= limit:
        return None
    ends = [limit]
    for pattern in (TELLES, ASSEMBLY_LINE, VISA_LINE):
        m = pattern.search(doc.text, start, limit)
        if m:
            ends.append(m.start())
    return doc.span(start, min(ends))


VISA_ITEM_END = re.compile(r"[;.][ \t]*\n|" + PARAGRAPH_BREAK.pattern + r"|\n(?=[ \t]*(?:Vu|VU)\b)")


def find_visas(doc: _Doc, start: int, limit: int) -> tuple[list[Span], tuple[int, int] | None]:
    """Each "Vu" item. Layouts: a lone "Vu" heading followed by items ending with ";" / "." (the
    Métropole layout), or one "Vu le ...;" per line (communes)."""
    head = VISA_LINE.search(doc.text, start, limit)
    if not head:
        return [], None
    stop = VISAS_END.search(doc.text, head.start(), limit)
    end = stop.start() if stop else limit
    items_start = head.start()
    if re.fullmatch(r"[ \t]*(?:Vu|VU|vu)[ \t]*[:,]?[ \t]*", doc.text[head.start():doc.line_end(head.start())]):
        items_start = doc.line_end(head.start()) + 1
    visas: list[Span] = []
    pos = items_start
    for m in VISA_ITEM_END.finditer(doc.text, items_start, end):
        span = doc.span(pos, m.start() + (1 if doc.text[m.start()] in ";." else 0))
        if span:
            visas.append(span)
        pos = m.end()
    span = doc.span(pos, end)
    if span:
        visas.append(span)
    return visas, (head.start(), end)


# ---------------------------------------------------------------------------------------------
# Articles, amounts, beneficiaries, co-financers, budget
# ---------------------------------------------------------------------------------------------


def _article_number(token: str) -> int:
    return 1 if token.lower() in {"premier", "unique", "l", "i"} else int(token)


def find_articles(doc: _Doc, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(number, heading start, text start, end) in plain offsets, for "Article 1 :", "ARTICLE 1er -",
    "Art. 2.", "Article premier", "Article unique". An article runs to the next heading or `end`."""
    heads = list(ARTICLE_HEAD.finditer(doc.text, start, end))
    out = []
    for i, h in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        out.append((_article_number(h.group("num")), h.start(), h.end(), stop))
    return out


DASH_ITEM = re.compile(r"^[ \t]*[-•–][ \t]+(?=\S)", M)


def find_dash_articles(doc: _Doc, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """Decisions as a dashed list instead of numbered articles ("DÉCIDE :\n- d'attribuer ... ;\n- d'autoriser
    ... ;"), numbered 1..n in order, in the same form as `find_articles`. The list must follow the line
    that announces it (ending with ":") and ends at the first blank line after its last item."""
    items = list(DASH_ITEM.finditer(doc.text, start, end))
    if not items:
        return []
    before = doc.text[start:items[0].start()].rstrip()
    if before and not before.endswith(":"):
        return []
    out = []
    for i, item in enumerate(items):
        if i and BLANK_LINE.search(doc.text, items[i - 1].end(), item.start()):
            break  # a later list is not part of the decisions
        blank = BLANK_LINE.search(doc.text, item.end(), end)
        stop = items[i + 1].start() if i + 1 < len(items) else end
        if blank and blank.start() < stop:
            stop = blank.start()
        out.append((i + 1, item.start(), item.end(), stop))
    return out


def build_articles(doc: _Doc, raw_articles: list[tuple[int, int, int, int]]) -> list[Article]:
    articles = []
    for number, head, body, stop in raw_articles:
        hs, he = doc.trim(head, stop)
        bs, be = doc.trim(body, stop)
        s, e = doc.raw_span(hs, he)
        text = doc.plain.raw_slice(bs, be) if bs < be else ""
        articles.append(Article(number=number, text=text, start=s, end=e))
    return articles


AMOUNT = re.compile(
    # "465 000.00 €" and "2 429, 60 € HT" (a text layer's space) are decimals too
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[ .]\d{3})+(?:,[ ]?\d{1,2}|\.\d{2}(?!\d))?|\d+(?:[.,]\d{1,2})?)"
    r"(?P<mult>\s*millions?\s+d')?[ \t]*\n?[ \t]*(?P<cur>€|(?i:euros?)\b|EUR\b)"
    r"(?P<qual>[ \t]*(?:HT\b|H\.T\.?|(?i:hors\s+taxes?)\b|TTC\b|T\.T\.C\.?|(?i:toutes\s+taxes\s+comprises)"
    r"|(?i:net)\b))?"
    r"(?P<per>\s*(?:(?i:par\s+an)\b|/\s*an\b|(?i:annuels?)\b|(?i:par\s+annee)\b))?"
)
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


ORGANISATION_NOUNS = "|".join(ocr_word(w) for w in (
    "association", "entreprise", "etablissement", "organisme", "societe", "structure", "groupement"))
# Company forms printed before the name, part of it: "à la SARL Les Jardins du Moulin", "la SCI LES PINS".
LEGAL_FORMS = r"(?:SARL|SCI|SAS|SASU|SA|EURL|SEM|SEML|SPL|SCOP|SCIC|SNC|GIE|EPIC|OPH|SCCV)(?=\s)"
BENEFICIARY_NOUN = re.compile(
    r"\b(?i:a|au|aux|au\s+profit\s+de|en\s+faveur\s+de|aupres\s+de|et|avec|entre|de)\s+"
    r"(?:[lI1|]?'+\s*|l(?=[a-z])|(?i:la|le|les)\s+)?"  # "l'", "I'", "'" (lost l), "l" (lost apostrophe)
    rf"(?P<noun>(?i:{ORGANISATION_NOUNS})(?:\s+public)?|{LEGAL_FORMS})s?\s+"
    r"(?=[A-Z0-9«\"'])"
)
BENEFICIARY_GENERIC = re.compile(
    rf"(?:\b(?:au\s+profit\s+(?:de|du|des)|en\s+faveur\s+(?:de|du|des)|{ocr_word('attribu')}\w*\s+(?:a|au|aux)"
    r"|verse\w*\s+(?:a|au|aux)|allou\w*\s+(?:a|au|aux)|accord\w*\s+(?:a|au|aux)"
    r"|(?:souscrit|contracte)e?s?\s+par|(?P<weak>aupres\s+(?:de|du|des))"
    r"|(?:subvention|participation|aide|contribution|avance)s?(?:\s+(?:de\s+fonctionnement|d'investissement"
    r"|d'equipement|exceptionnelle))?\s+(?:a|au|aux))"
    r"|(?:\b(?i:euros?)\b|€|\bEUR\b)\s+(?:a|au|aux))\s+"  # "20 000 euros à la Compagnie X"
    r"(?:(?:la|le|les|[lI1|]?'+)\s*|l(?=[A-Z]))?(?![lI1|]?'+[a-z])(?=[A-Z«\"]|\d+\s+[A-Z])"
)
# A partner: "la convention ... entre la Métropole et la Caisse d'Allocations Familiales ... relative à ..."
BENEFICIARY_PARTNER = re.compile(
    r"\bentre\s+(?:la|le|l')\s*[^,;.\n]{0,60}?\s+et\s+(?:(?:la|le|les|[lI1|]?'+)\s*|l(?=[A-Z]))?(?![lI1|]?'+[a-z])"
    r"(?=[A-Z])"
)
SUBVENTION, MONTANT, RELATIVE = ocr_word("subvention"), ocr_word("montant"), ocr_word("relati")
BENEFICIARY_STOP = re.compile(
    rf"\s+(?:d'+\s*'?une?\s+(?:{MONTANT}|somme|{SUBVENTION}|valeur|aide|participation)|une?\s+(?:{SUBVENTION}|{MONTANT}"
    r"|somme|aide|participation|avance|contribution)|(?:d'un|d'une|de|du)\s+(?:montant|somme)"
    r"|pour\b(?!\s+(?:[lI1]?'+|la\s|le\s|les\s)?[A-Z])"  # but "Association Régionale pour l'Insertion ..."
    rf"|{RELATIVE}(?:ve|f)s?\b|au\s+titre\b|dans\s+le\s+cadre\b|afin\b|sise?s?\b|situee?s?\b|domicili|represente"
    r"|en\s+vue\b|correspondant|portant\b|a\s+hauteur\b|dont\b|qui\b|ayant\b|concernant\b|visant\b"
    r"|moyennant\b|selon\b|conformement\b|sur\s+(?:la|le|les)\b|de\s+\d|en\s+(?:date|application)\b"
    r"|est\b|sont\b|ci-annexee?|aupres\b|soit\b|une?\s+(?:convention|avenant|contrat|bail)\b)"
    r"|\s+(?:de\s+la|des|du|d'une?|de\s+l')\s+(?:parcelles?|terrains?|biens?|immeubles?|lots?|proprietes?"
    r"|locaux|local|batiments?|emprises?|tenements?|delaisses?|volumes?|fonds|droits?)\b"  # a seller: "la SCI X de la parcelle ..."
    r"|\s*[,;:(]|\.(?=\s|$)|\s+-\s|\s*»\s*(?:[,;.]|$)|" + SENTENCE_BREAK.pattern
)
# A name in capitals ends where lower-case words start: "SCI LES OLIVIERS de la parcelle ...".
CAPITALS_NAME = re.compile(r"(?:[A-Z][A-Z'&-]*\s+)+[A-Z][A-Z'&-]*(?=\s+[a-z])")
PURPOSE = re.compile(
    r"\b(?:(?:pour|dans\s+le\s+cadre\s+d[eu]|afin\s+de)\s+|dans\s+le\s+cadre\s+d'|afin\s+d')"
    r"(?!(?:[lI1]'\s*(?:annee|exercice)|l'annee|un\s+montant|une\s+somme|un\s+total|la\s+periode|une\s+duree"
    r"|la\s+duree|\d|un\s+an)\b)"
)
PURPOSE_END = re.compile(
    r"\s+(?:pour|au\s+titre\s+de)\s+[lI1]'\s*(?:annee|exercice)|[.;](?=\s|$)|\s*\(|,\s|" + SENTENCE_BREAK.pattern
)
def _parse_cents(m: re.Match) -> int:
    num = m.group("num").replace(" ", "")
    if re.search(r"\.\d{2}$", num) and not re.search(r"\.\d{3}\.", num):  # "465000.00": a decimal point
        num = num.replace(",", "")
    elif "," in num:
        num = num.replace(".", "").replace(",", ".")
    elif re.search(r"\.\d{3}(?:\.|$)", num):
        num = num.replace(".", "")
    value = Decimal(num)
    if m.group("mult"):
        value *= 1_000_000
    return int((value * 100).to_integral_value())


def _qualifier(m: re.Match) -> str | None:
    q = (m.group("qual") or "").strip().lower()
    if not q:
        return None
    if q.startswith(("ht", "h.t", "hors")):
        return "HT"
    if q.startswith(("ttc", "t.t.c", "toutes")):
        return "TTC"
    return "net"


# Legal forms that are part of the name: "la Société Anonyme d'HLM X" keeps "Société".
NAME_WITH_NOUN = re.compile(r"(?:Anonyme|Civile|Cooperative|Publique|Nationale|Immobiliere|d'|du\s|des\s)", I)
# The authority itself ("à la Métropole", "la Commune") is no beneficiary; "la Commune de Fos-sur-Mer" can be.
NOT_A_BENEFICIARY = re.compile(
    r"(?:Me+tropole|Ville|Commune|Departement|Region)\b(?!\s+(?:de|d'|du|des)\s*[A-Z])|(?:Budget|Etat)\b", I
)


def beneficiary_mentions(doc: _Doc, lo: int, hi: int, *, generic: bool = True) -> list[tuple[int, int, int, bool]]:
    """(mention start, name start, name end, weak) of every beneficiary mention in [lo, hi): "à l'association
    X", "à la société X", "entre la Métropole et X" (these three only when `generic` is false), "au profit de
    X", "attribuée à X", "une subvention au X", "souscrit par X", and, weak (a seller or a lender, used when
    nothing else is named), "auprès de la SCI X". The name runs to the first stop word ("d'un montant",
    "pour", "relative", ",", ...). Overlapping mentions keep the longest name."""
    found: dict[int, tuple[int, int, int, bool]] = {}
    patterns = (BENEFICIARY_NOUN, BENEFICIARY_PARTNER, BENEFICIARY_GENERIC)
    for pattern in patterns if generic else patterns[:2]:
        for m in pattern.finditer(doc.text, lo, hi):
            name_start = m.end()
            noun = m.groupdict().get("noun") and m.start("noun")
            if noun and (doc.text[noun].isupper() or NAME_WITH_NOUN.match(doc.text, m.end())):
                name_start = noun  # "l'Association Régionale ...", "la société Anonyme d'HLM ..." are names
            stop = BENEFICIARY_STOP.search(doc.text, m.end())
            name_end = min(stop.start() if stop else hi, hi, m.end() + 160)
            capitals = CAPITALS_NAME.match(doc.text, name_start, name_end)
            if capitals:
                name_end = capitals.end()
            s, e = doc.trim(name_start, name_end, " \t\r\n«»\"',.")
            if e - s < 2 or NOT_A_BENEFICIARY.match(doc.text, s):
                continue
            weak = bool(m.groupdict().get("weak"))
            if e not in found or s < found[e][1]:
                found[e] = (m.start(), s, e, weak)
    return sorted(found.values())


def beneficiary_in(doc: _Doc, lo: int, hi: int, near: int | None = None) -> tuple[int, int] | None:
    """Plain range of the beneficiary of [lo, hi): the strong mention nearest before `near`, else the first
    strong one, else the first weak one."""
    mentions = beneficiary_mentions(doc, lo, hi)
    strong = [x for x in mentions if not x[3]] or mentions
    if not strong:
        return None
    before = [x for x in strong if near is not None and x[0] < near]
    return (before[-1] if before else strong[0])[1:3]


# "- Comité des Fêtes de Salon-de-Provence : 31 500 euros", "- Lot n° 1 : SOMEDAS, pour un montant de ..."
BULLET = re.compile(r"^[ \t]*(?:[-•*»]|e(?=[ \t]+[A-Z]))[ \t]+", M)
LIST_ITEM_NAME = re.compile(
    r"(?:Lot\s+n\s*[°o]?\s*\d+\s*(?:\([^)\n]*\)\s*)?:\s*)?"  # "Lot n° 1 (réseaux électriques) :"
    r"(?:(?:la\s+)?(?i:societe|entreprise|groupement)\s+(?=[A-Z]))?"  # "société SPIE ..." keeps the name
    r"(?P<name>[A-Z0-9«][^:\n;]*?)\s*(?::\s*(?=\d)|,\s*pour\b|,\s*(?=\d)|\s-\s+(?=\d))"
)


def list_item_at(doc: _Doc, pos: int, lo: int) -> tuple[int, int] | None:
    """(bullet start, text start) of the list item holding `pos`, if `pos` is in one."""
    bullets = list(BULLET.finditer(doc.text, lo, pos))
    if not bullets or BLANK_LINE.search(doc.text, bullets[-1].start(), pos):
        return None
    if doc.text.count("\n", bullets[-1].start(), pos) > 2:
        return None
    return bullets[-1].start(), bullets[-1].end()


# Table rows: cells apart by a column gap (two spaces or more, as a PDF's text layer lays them out) or by
# " | " (the loader's .docx tables). "2022_01611   LES SUDS A ARLES   Festival 2022   52 500,00 €".
CELL_GAP = re.compile(r"[ \t]{2,}|[ \t]*\|[ \t]*")
# The column that names who gets the money, in a table's heading row.
NAME_COLUMN = re.compile(r"benefici|association|organisme|structure|attributaire|titulaire|societe|entreprise"
                         r"|\bnom\b|raison\s+sociale|porteur|commune", I)
TOTAL_CELL = re.compile(r"(?:sous-?\s*)?total\b|montant\b", I)


def _cells(doc: _Doc, ls: int, le: int) -> list[tuple[int, int]]:
    return [r for r in (doc.trim(a, b) for a, b in split_ranges(doc.text, CELL_GAP, ls, le)) if r[0] < r[1]]


def table_row_at(doc: _Doc, amount: re.Match, lo: int) -> tuple[int, int] | None:
    """(line start, line end) of the table row holding `amount`: a line of two cells or more whose amount
    is a cell of its own ("95 000,00 €", "4,20 € TTC")."""
    ls, le = doc.line_start(amount.start()), doc.line_end(amount.start())
    if ls < lo:
        return None
    cells = _cells(doc, ls, le)
    own = any(a <= amount.start() and doc.trim(amount.start(), amount.end())[1] >= b - 1 for a, b in cells)
    if len(cells) < 2 or not own:
        return None
    return ls, le


def table_name(doc: _Doc, row: tuple[int, int], amount: re.Match, lo: int) -> tuple[int, int] | None:
    """Plain range of the name cell of a table row: the column headed "Bénéficiaire" / "Association" /
    ... in the heading row above (the nearest line without an amount), else the first cell with words.
    A "Total" row names nobody."""
    cells = [c for c in _cells(doc, *row) if not (c[0] <= amount.start() < c[1])]
    worded = [c for c in cells if re.search(r"[A-Za-z]{3}", doc.text[c[0]:c[1]])]
    if not worded or TOTAL_CELL.match(doc.text, worded[0][0]):
        return None
    pos = row[0]
    while pos > lo:  # up to the heading row
        ls = doc.line_start(pos - 1)
        line = doc.text[ls:pos - 1]
        if not line.strip() or not AMOUNT.search(line):
            heading = _cells(doc, ls, pos - 1)
            columns = [i for i, (a, b) in enumerate(heading) if NAME_COLUMN.search(doc.text, a, b)]
            full = _cells(doc, *row)
            if columns and len(heading) == len(full) and line.strip():
                cell = full[columns[0]]
                return cell if not (cell[0] <= amount.start() < cell[1]) else None
            break
        pos = ls
    return worded[0]


ELIDED_L = r"(?:[lI1]'?|')?\s*"  # "l'", OCR's "I'", a lost "l" ("'année") or a lost apostrophe ("lannée")
# A list of grants, not of prices: "Sont attribuées les subventions suivantes :", "... les lots suivants :".
GRANTS = re.compile(r"attribu|subvention|\blots?\b|\bverse|allou|repartition|beneficiaire|\baccord", I)
LIST_INTRO_END = re.compile(r":[ \t]*\n")


def list_intro(doc: _Doc, item_start: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence that introduces the list holding the item at `item_start` (it ends with a colon)."""
    colons = list(LIST_INTRO_END.finditer(doc.text, lo, item_start))
    if not colons:
        return lo, item_start
    return sentence_around(doc, colons[-1].start(), lo, hi)


YEAR = re.compile(
    rf"(?:pour\s+{ELIDED_L}annee|au\s+titre\s+de\s+(?:{ELIDED_L}(?:annee|exercice)\s+)?|{ELIDED_L}exercice"
    r"|\bannee)\s*(?P<year>(?:19|20)\d{2})\b",
    I,
)


def year_of(doc: _Doc, amount: re.Match, lo: int, hi: int) -> int | None:
    """The year a phrase ("pour l'année 2019", "au titre de l'exercice 2019") gives the amount in [lo, hi).
    With several amounts and years ("soit 7 500 euros pour l'année 2019, 7 500 euros pour l'année 2020"),
    each amount takes the year that follows it before the next amount; a total before them takes none."""
    years = list(YEAR.finditer(doc.text, lo, hi))
    if not years:
        return None
    following = AMOUNT.search(doc.text, amount.end(), hi)
    next_amount = following.start() if following else hi
    after = [y for y in years if amount.end() <= y.start() < next_amount]
    if after:
        return int(after[0].group("year"))
    if len(years) == 1 and (years[0].start() < amount.start() or not following):
        return int(years[0].group("year"))
    return None


def purpose_in(doc: _Doc, lo: int, hi: int, beneficiary: tuple[int, int] | None) -> str | None:
    """"pour son projet ACTE'INOV", "dans le cadre de ...", outside the beneficiary's name."""
    for p in PURPOSE.finditer(doc.text, lo, hi):
        if beneficiary and beneficiary[0] <= p.start() < beneficiary[1]:
            continue
        stop = PURPOSE_END.search(doc.text, p.end(), hi)
        end = stop.start() if stop else hi
        if end - p.end() >= 3:
            return doc.value(p.start(), end)
    return None


# "montant annuel de", "montant annuel maximum de", "participation annuelle à", "par an de".
PER_YEAR_BEFORE = re.compile(
    r"(?:annuel(?:le)?|par\s+an)\s+(?:(?:maxim|minim|estimati|previsionnel|global)\w*\s+)?"
    r"(?:(?:est|sont)\s+(?:fixee?s?|portee?s?)\s+)?(?:de\s+|a\s+|d'un\s+montant\s+de\s+)?$",  # "loyer annuel est fixé à"
    I,
)


def find_amounts(
    doc: _Doc, raw_articles: list[tuple[int, int, int, int]], parts: list[Span | None] | None = None
) -> list[Amount]:
    """Every sum of money ("20 000 euros", "20 000€", "12 345,67 euros HT", "1.500.000 €", "1,5 million
    d'euros", "... par an", "montant annuel de ...") with the beneficiary, purpose and year stated in its
    sentence, or in its list line ("- Lot n° 1 : SOMEDAS, pour un montant de ...", the year then coming
    from the sentence that introduces the list), or in its table row (the name from the "Bénéficiaire"
    column). A sentence never runs out of its part (article, exposé, object...: `parts`), so that in a Word
    document, whose paragraphs are lines, the exposé's first sentence does not take in the title."""
    bounds = sorted((doc.from_raw(p.start), doc.from_raw(p.end)) for p in parts or [] if p)
    amounts = []
    for m in AMOUNT.finditer(doc.text):
        article = next((a for a in raw_articles if a[1] <= m.start() < a[3]), None)
        part = next(((a, b) for a, b in bounds if a <= m.start() < b), (0, len(doc.text)))
        lo, hi = (article[2], article[3]) if article else part
        item = list_item_at(doc, m.start(), lo)
        row = None if item else table_row_at(doc, m, lo)
        if row:
            ss, se = row
            intro = list_intro(doc, row[0], lo, hi)
            beneficiary = table_name(doc, row, m, lo) if GRANTS.search(doc.text, *intro) else None
            year = year_of(doc, m, ss, se) or year_of(doc, m, *intro)
        elif item:
            ss, se = item[0], doc.line_end(m.end())
            intro = list_intro(doc, item[0], lo, hi)
            grants = GRANTS.search(doc.text, *intro) or re.match(r"Lot\b", doc.text[item[1]:item[1] + 3], I)
            named = LIST_ITEM_NAME.match(doc.text, item[1], m.end()) if grants else None
            beneficiary = doc.trim(*named.span("name")) if named else beneficiary_in(doc, ss, se, near=m.start())
            year = year_of(doc, m, ss, se) or year_of(doc, m, *intro)
        else:
            ss, se = sentence_around(doc, m.start(), lo, hi)
            beneficiary = beneficiary_in(doc, ss, se, near=m.start())
            year = year_of(doc, m, ss, se)
        per_year = bool(m.group("per")) or bool(PER_YEAR_BEFORE.search(doc.text, max(ss, m.start() - 40), m.start()))
        s, e = doc.raw_span(m.start(), m.end())
        sent_s, sent_e = doc.raw_span(*doc.trim(ss, se))
        amounts.append(Amount(
            cents=_parse_cents(m), qualifier=_qualifier(m), per_year=per_year,
            beneficiary=doc.value(*beneficiary) if beneficiary else None,
            purpose=purpose_in(doc, ss, se, beneficiary), year=year,
            article=article[0] if article else None, start=s, end=e,
            sentence_start=sent_s, sentence_end=sent_e,
        ))
    return amounts


def table_amounts(doc: _Doc, raw_articles: list[tuple[int, int, int, int]], found: list[Amount]) -> list[Amount]:
    """The rows of grant tables whose amounts print no currency (`tables`), each with its row as its quote."""
    from assistant.ingest.tables import grant_rows

    taken = {(a.start, a.end) for a in found}
    out = []
    for row in grant_rows(doc):
        s, e = doc.raw_span(*row.number)
        if (s, e) in taken:
            continue
        article = next((a for a in raw_articles if a[1] <= row.number[0] < a[3]), None)
        ss, se = doc.raw_span(*row.row)
        out.append(Amount(cents=row.cents, beneficiary=doc.value(*row.name) if row.name else None,
                          article=article[0] if article else None, start=s, end=e, sentence_start=ss, sentence_end=se))
    return out


def find_beneficiaries(
    doc: _Doc, amounts: list[Amount], raw_articles: list[tuple[int, int, int, int]], act_type: str
) -> list[str]:
    """Distinct beneficiaries as printed in the articles: those granted an amount first, then the
    organisations named with their legal noun ("la convention avec l'association X") or as partners
    ("entre la Métropole et X"). Tarifs and désignations have none (the bodies they name get nothing)."""
    if act_type in ("tarifs", "designation"):
        return []
    names = [a.beneficiary for a in amounts if a.beneficiary and (a.article is not None or not raw_articles)]
    for _, _, body, stop in raw_articles:
        names.extend(doc.value(s, e) for _, s, e, _ in beneficiary_mentions(doc, body, stop, generic=False))
    distinct: dict[str, str] = {}
    for name in names:
        distinct.setdefault(match_key(name), name)
    return list(distinct.values())


COFINANCING = re.compile(r"\bco-?\s*f\w{0,2}nanc\w*|\bautres\s+financeurs|\bpartenaires\s+financiers", I)
COFINANCER_SPLIT = re.compile(r"\s*,\s*|\s+et\s+(?=(?:le|la|les|[lI]?')?\s*[A-Z])")
COFINANCER_TRIM = re.compile(r"\s*\(|\s*:\s*\d")
COFINANCERS_INTRO = re.compile(r"\bpar\b|:|\bde\s+(?=(?:la|le|l')\s*[A-Z])")
LEADING_ARTICLE = re.compile(r"(?:entre\s+autres?\s+)?(?:(?:par\s+)?(?:le|la|les|[lI]?'|du|des|de\s+la)\s*)?", I)


def find_cofinancers(doc: _Doc) -> list[Span]:
    """Co-financers named in "cofinancé ... par le Fonds Social Européen, la Ville de Marseille et la Région
    Sud — Provence-Alpes-Côte d'Azur" (names without their article) or "Autres financeurs : ..."."""
    spans: dict[str, Span] = {}
    for m in COFINANCING.finditer(doc.text):
        _, sentence_end = sentence_around(doc, m.start(), 0, len(doc.text))
        intro = COFINANCERS_INTRO.search(doc.text, m.end(), sentence_end)
        if not intro:
            continue
        for s, e in split_ranges(doc.text, COFINANCER_SPLIT, intro.end(), sentence_end):
            s, e = doc.trim(s, e, " \t\r\n.;")
            s = LEADING_ARTICLE.match(doc.text, s, e).end()
            cut = COFINANCER_TRIM.search(doc.text, s, e)
            s, e = doc.trim(s, cut.start() if cut else e, " \t\r\n.;")
            if e - s >= 3 and doc.text[s].isupper():
                span = doc.span(s, e)
                spans.setdefault(match_key(span.text), span)
    return list(spans.values())


BUDGET_CUE = re.compile(r"\bbudget\b|\bchapitre\s*:?\s*\d|\bnature\s*:?\s*\d|\bfonction\s*:?\s*\d"
                        r"|sous-?\s*politique|\bimput", I)
BUDGET_FIELDS = {
    "budget": re.compile(
        r"budget\s+(?:de\s+)?(?P<v>fonctionnement|investissement|principal|primitif|supplementaire"
        r"|annexe(?:\s+(?:de\s+l'|du\s+|des\s+|de\s+la\s+)?[a-z]+)?)|section\s+d'(?P<v2>investissement|fonctionnement)",
        I),
    "year": re.compile(r"(?:budget|exercice)[^.;]{0,40}?\b(?P<v>(?:19|20)\d{2})\b", I),
    "fonction": re.compile(r"\bfonction\s*:?\s*(?P<v>\d[\d.]*\d|\d)", I),
    "nature": re.compile(r"\b(?:nature|compte)\s*:?\s*(?P<v>\d[\d.]*\d|\d)", I),
    "sous_politique": re.compile(r"sous-?\s*politique\s*:?\s*(?P<v>[A-Z]?\d+[A-Z0-9]*)", I),
    "chapitre": re.compile(r"\bchapitre\s*:?\s*(?P<v>[A-Z]?\d+[A-Z0-9]*)", I),
    "article": re.compile(r"\barticle\s*:?\s*(?P<v>\d{3,})\b", I),  # M14/M57 "chapitre 65, article 6574"
}


def _budget_line(doc: _Doc, start: int, end: int) -> Budget | None:
    """One imputation from [start, end), if it names at least one line of the budget."""
    values: dict[str, str] = {}
    for field, pattern in BUDGET_FIELDS.items():
        m = pattern.search(doc.text, start, end)
        if m:
            values[field] = (m.group("v") or m.groupdict().get("v2") or "").strip()
    if "article" in values:
        values.setdefault("nature", values.pop("article"))
    if not ({"fonction", "nature", "sous_politique", "chapitre"} & values.keys()
            or ("budget" in values and "year" in values)):
        return None
    s, e = doc.raw_span(*doc.trim(start, end, " \t\r\n,;"))
    return Budget(
        budget=re.sub(r"\s+", " ", values["budget"].lower()) if values.get("budget") else None,
        year=int(values["year"]) if "year" in values else None,
        fonction=values.get("fonction"), nature=values.get("nature"),
        sous_politique=values.get("sous_politique"), chapitre=values.get("chapitre"),
        start=s, end=e,
    )


BUDGET_WORD = re.compile(r"\bbudget\b", I)


def find_budget(doc: _Doc, ranges: list[tuple[int, int]]) -> list[Budget]:
    """Budget imputations in the articles (`ranges`): "inscrits au budget fonctionnement 2019 de la
    Métropole, fonction 65, nature 65748", "Budget Principal 2020 – Sous-Politique C110 – Nature 6574",
    "chapitre 65, article 6574", "section d'investissement". One per sentence, or one per "budget" when a
    sentence spreads the credits over two ("... au budget 2021, ..., et seront inscrits au budget 2022, ...")."""
    budgets: list[Budget] = []
    seen: set[tuple[int, int]] = set()
    for lo, hi in ranges:
        for cue in BUDGET_CUE.finditer(doc.text, lo, hi):
            ss, se = sentence_around(doc, cue.start(), lo, hi)
            if (ss, se) in seen:
                continue
            seen.add((ss, se))
            cuts = [m.start() for m in BUDGET_WORD.finditer(doc.text, ss, se)][1:]
            pieces = [_budget_line(doc, a, b) for a, b in zip([ss, *cuts], [*cuts, se], strict=True)]
            lines = [b for b in pieces if b]
            budgets.extend(lines if len(lines) > 1 else filter(None, [_budget_line(doc, ss, se)]))
    return budgets


# ---------------------------------------------------------------------------------------------
# Vote and signatory
# ---------------------------------------------------------------------------------------------

# "ACCEPTE CETTE PROPOSITION" as OCR reads it too ("ACCEPÏE CEÏÏE PROPOSITION")
ACCEPTS = r"\baccep\w{1,3}\s+\w{3,5}\s+propos"
VOTE_LINE = re.compile(
    r"^[ \t]*(?:cette\s+proposition|(?:la|le)\s+(?:presente?\s+)?(?:proposition|deliberation|rapport)\s+"
    r"(?:mise?\s+aux\s+voix\s+)?(?:est|a\s+ete)|mise?\s+aux\s+voix|adopte|rejete|a\s+[lI1]'unanimite|[lI1]'unanimite|unanimite"
    r"|a\s+la\s+majorite|pour\s*:|contre\s*:|abstentions?\b|se\s+sont\s+abstenus|s'est\s+abstenu|ont\s+vote"
    # "APPROUVÉE" (the result), "APPROUVE" alone or with its majority; not the verb of "APPROUVE les termes"
    r"|approuvees?\b|approuves?[ \t.]*$|approuves?\s+(?:a\s+l'unanimite|a\s+la\s+majorite|par\b)"
    r"|\d+\s+(?:voix\s+)?(?:contre|pour|abstentions?)\b"
    r"|votes?\s*(?:contre|pour)?\s*:|vote\s+contre|resultat\s+du\s+vote|votants?\s*:|suffrages"
    r"|pour\s*:?\s*\d+\s*[-,/;]\s*contre"
    r"|le\s+(?:conseil|bureau|commission)[^\n]{0,60}\badopte|ne\s+prend\s+pas\s+part|n'a\s+pas\s+pris\s+part"
    # "LE CONSEIL MUNICIPAL, A L'UNANIMITE, ACCEPTE CETTE PROPOSITION" (OCR: "ACCEPÏE"), "… QUI VOTENT CONTRE"
    rf"|le\s+(?:conseil|bureau|commission)[\s\S]{{0,300}}?{ACCEPTS}"
    r"|n'ont\s+pas\s+pris\s+part|\d+\s+voix)",
    I | M,
)
# "unanim": OCR reads "UNANIMITÉ" as "UNANIMIÏE" too
VOTE_ANYWHERE = re.compile(r"mise?\s+aux\s+voix|\badopte+e?s?\b|unanim|a\s+la\s+majorite|\b\d+\s+voix\b"
                           rf"|\bvotent\s+contre|{ACCEPTS}", I)
VOTE_NAMES = re.compile(
    r"(?:\b(?P<pre>\d+)\s+(?:voix\s+)?)?"  # "1 contre : M. X", "3 abstentions : Mme Y, M. Z"
    r"(?P<kind>se\s+sont\s+abstenus?|s'est\s+abstenue?|abstentions?|ont\s+vote\s+contre|a\s+vote\s+contre"
    r"|votes?\s+contre|contre)\s*(?:\(\s*(?P<n>\d+)\s*\))?\s*:\s*(?:(?P<count>\d+)\s*)?",
    I,
)
# Names after "Ont voté contre :" run to the end of the sentence, across lines ("Monsieur\nPhilippe VIDAL.").
VOTE_NAMES_END = re.compile(
    NOT_ABBREVIATION_DOT + r"(?=\s|$)|" + SENTENCE_BREAK.pattern + r"|\s/\s|\n(?=[ \t]*(?i:se\s+sont|abstention|contre|vote|ont\s+vote|\d+\s+(?:voix\s+)?(?:contre|abstention)"
    r"|pour\s*:|adopt))"
)
# "3 contre (M. X, Mme Y, M. Z)", "2 abstentions (Mme A, M. B)": the count, then the names in brackets.
VOTE_COUNT_NAMES = re.compile(
    r"\b(?P<count>\d+)\s+(?:voix\s+|votes?\s+)?(?P<kind>contre|abstentions?)\s*\(", I
)
# "22 voix pour", "Pour : 22", and in a vote line "0 contre, 0 abstention, 11 pour" (not "5 pour cent").
FOR_COUNT = re.compile(r"(?P<n>\d+)\s+(?:(?:voix|votes?)\s+)?pour\b(?!\s+cent)|\bpour\s*:\s*(?P<n2>\d+)", I)
# "12 voix contre 15" is 12 for and 15 against: no count of votes against is read from it.
AGAINST_COUNT = re.compile(r"(?P<n>\d+)\s+(?:voix\s+|votes?\s+)?contre\b(?!\s*\d)|\bcontre\s*:\s*(?P<n2>\d+)", I)
ABSTENTION_COUNT = re.compile(r"(?P<n>\d+)\s+abstentions?\b|\babstentions?\s*:\s*(?P<n2>\d+)", I)


FOR_AGAINST_ABSTENTION = re.compile(
    r"\bpour\s*:?\s*(?P<for>\d+)\s*[-,/;]\s*contre\s*:?\s*(?P<against>\d+)"
    r"(?:\s*[-,/;]\s*abstentions?\s*:?\s*(?P<abst>\d+))?", I)


def _names(doc: _Doc, start: int, end: int) -> list[str]:
    """Names in a vote line: "Jean DUPONT, Mme Anne MARTIN et M. Luc ROUX"."""
    items = (_name_item(doc, s, e) for s, e in split_ranges(doc.text, INLINE_SEPARATOR, start, end))
    return [doc.value(*item) for item in items if item]


def find_vote(doc: _Doc, start: int, end: int, decision: re.Match | None) -> Vote | None:
    """The vote: "Cette proposition mise aux voix est adoptée.", "ADOPTÉ À L'UNANIMITÉ", "ADOPTÉ À LA
    MAJORITÉ", "Pour : 45 / Contre : 3 / Abstentions : 2", "Se sont abstenus : X, Y", "N voix contre",
    "Vote contre : ...". Searched in [start, end) (after the last article heading); failing that, in the
    decision line ("Après en avoir délibéré, à l'unanimité, DÉCIDE :")."""
    first = VOTE_LINE.search(doc.text, start, end)
    if first:
        vs = first.start()
        ve = doc.line_end(max(vs, first.end() - 1))  # a vote line may run over lines ("…\n\nQUI VOTENT CONTRE, ACCEPTE")
        pos = ve
        while pos < end:
            nxt = re.compile(r"\n[ \t]*(?=\S)").search(doc.text, pos, end)
            if not nxt:
                break
            line_start = nxt.end()
            gap_has_blank = doc.text.count("\n", pos, line_start) > 1
            # A list of names cut by a blank line: "..., Monsieur Gilles\n\nPASTOR." goes on.
            cut_name = re.search(r"(?:,|\b[A-Z][a-z]+)[ \t]*$", doc.text[doc.line_start(pos):pos]) and re.match(
                r"[A-Z][A-Z'-]+\b", doc.text[line_start:])
            if gap_has_blank and not cut_name and not VOTE_LINE.match(doc.text, doc.line_start(line_start), end):
                break
            if CERTIFICATION.match(doc.text, doc.line_start(line_start), end):
                break
            ve = doc.line_end(line_start)
            pos = ve
        ve = min(ve, end)
    else:
        # The decision line that carries the vote ("après en avoir délibéré, avec 74 voix pour, 0 contre et 4
        # abstentions :") comes before a loose word in the articles ("- adopte la décision modificative").
        m = None if decision and VOTE_ANYWHERE.search(decision.group()) else VOTE_ANYWHERE.search(doc.text, start, end)
        if not m and decision and VOTE_ANYWHERE.search(decision.group()):
            m = decision
            vs, ve = decision.start(), decision.end()
        elif m:
            vs, ve = sentence_around(doc, m.start(), start, end)
        else:
            return None
    vs, ve = doc.trim(vs, ve)
    block = doc.text[vs:ve]
    low = block.lower()
    adopted = None
    if re.search(r"\b(?:n'est\s+pas|n'a\s+pas\s+ete|non)\s+adopte|\brejete", low):
        adopted = False
    elif re.search(rf"adopte|approuve|unanim|a\s+la\s+majorite|\bdecide\b|{ACCEPTS}", low):
        adopted = True
    unanimous, quote_start = "unanim" in low, vs
    if adopted is None and decision and decision.end() <= vs and VOTE_ANYWHERE.search(decision.group()):
        # Counts after the articles, the result in the decision line ("après en avoir délibéré, à la majorité :")
        said = decision.group().lower()
        if re.search(r"unanim|a\s+la\s+majorite|adopte|approuve", said):
            adopted, unanimous = True, "unanim" in said
            quote_start = decision.start()  # the quote holds the result it asserts
    vote = Vote(adopted=adopted, unanimous=unanimous, start=0, end=0)
    triple = FOR_AGAINST_ABSTENTION.search(block)  # "Pour 28 – Contre 3 – Abstention 2"
    if triple:
        vote.against_count = int(triple.group("against"))
        vote.abstention_count = int(triple.group("abst")) if triple.group("abst") else None
        if adopted is None:
            vote.adopted = int(triple.group("for")) > vote.against_count
    for m in VOTE_NAMES.finditer(doc.text, vs, ve):
        count = m.group("n") or m.group("count") or m.group("pre")
        names_s = m.end()
        if doc.text.startswith("(", names_s):  # "Contre : 4 (M. X, Mme Y, ...)"
            close = doc.text.find(")", names_s, ve)
            names_s, names_e = names_s + 1, close if close > 0 else ve
        elif m.group("count"):  # "Pour : 12 / Contre : 3"
            names_e = names_s
        else:
            stop = VOTE_NAMES_END.search(doc.text, names_s, ve)
            names_e = stop.start() if stop else ve
        names = _names(doc, names_s, names_e) if names_e > names_s else []
        # Counting the names is exact only for people ("Jean DUPONT"), not for "le groupe X".
        if not count and names and all(n[0].isupper() for n in names):
            count = len(names)
        if "contre" in m.group("kind").lower():
            vote.against.extend(names)
            vote.against_count = int(count) if count else vote.against_count
        else:
            vote.abstentions.extend(names)
            vote.abstention_count = int(count) if count else vote.abstention_count
    for m in VOTE_COUNT_NAMES.finditer(doc.text, vs, ve):
        close = doc.text.find(")", m.end(), ve)
        names = _names(doc, m.end(), close) if close > 0 else []
        if not names or not all(n[0].isupper() for n in names):
            continue
        if m.group("kind").lower() == "contre" and not vote.against:
            vote.against, vote.against_count = names, int(m.group("count"))
        elif m.group("kind").lower() != "contre" and not vote.abstentions:
            vote.abstentions, vote.abstention_count = names, int(m.group("count"))
    if vote.against_count is None:
        m = AGAINST_COUNT.search(block)
        if m:
            vote.against_count = int(m.group("n") or m.group("n2"))
    if vote.abstention_count is None:
        m = ABSTENTION_COUNT.search(block)
        if m:
            vote.abstention_count = int(m.group("n") or m.group("n2"))
    if adopted is None:  # "par 12 voix pour et 2 abstentions": more for than against is adopted
        m = FOR_COUNT.search(block)
        if m:
            vote.adopted = int(m.group("n") or m.group("n2")) > (vote.against_count or 0)
    vote.start, vote.end = doc.raw_span(quote_start, ve)
    return vote


SIGNATURE_SKIP = re.compile(
    r"^[ \t]*(?:Fait\s+a|Le\s+\d|Pour\s+extrait|Pour\s+copie|Certifi|Acte\s+rendu|Publi|Transmis|Recu|Affich"
    r"|Signe\b|Ont\s+signe|Fait\s+et|Ainsi\s+fait"
    r"|[^\n]{0,40}\bcertifie\b[^\n]*\bexecutoire)"  # "Le Maire certifie le caractère exécutoire ..."
    rf"|^[^\n]{{0,60}},\s+le\s+(?:{DATE_TEXT})\s*$",  # "Aix-en-Provence, le 12 juillet 2021"
    I,
)
NAME_LINE = re.compile(
    r"^(?:(?:M\.|Mme|Monsieur|Madame)\s+)?(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)*\s+)+[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+)*$"
    r"|^[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+)*\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)*$"
    r"|^(?:M\.\s+|MME\s+)?[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+){1,3}$"
)
TITLE_WORDS = re.compile(
    r"\b(?:maire|president|presidente|adjoint|adjointe|vice|delegue|deleguee|conseiller|conseillere|directeur"
    r"|directrice|secretaire|le|la|pour|et|aux|des|du|en)\b",
    I,
)
ROLE_WORDS = re.compile(r"\b(?:maire|president|presidente|adjoint|adjointe|vice|delegue|conseill)", I)


def find_signatory(doc: _Doc, certification: re.Match | None, after: int) -> Signatory | None:
    """After "Certifié conforme": title lines ("Le Vice-Président Délégué", "Emploi, Insertion,"...) then
    the name line in NAME style ("Martial ALVAREZ"). Without the certification line, a title line with a
    role word ("Le Maire,") followed by a name line near the end also counts."""
    start = certification.end() if certification else after
    lines = []
    for m in re.finditer(r"[^\n]+", doc.text[start:]):
        ls, le = doc.trim(start + m.start(), start + m.end())
        if ls < le:
            lines.append((ls, le))
        if len(lines) >= 10:
            break
    title_lines: list[tuple[int, int]] = []
    in_skipped = False  # a skipped sentence goes on over its lines, up to its full stop
    for ls, le in lines:
        line = doc.text[ls:le]
        bare = line.rstrip(" .,")
        if not title_lines and (in_skipped or SIGNATURE_SKIP.match(line)):
            in_skipped = not line.endswith((".", ",", ":")) and len(line) > 60
            continue
        if NAME_LINE.match(bare) and not TITLE_WORDS.search(bare):
            if not certification and not any(ROLE_WORDS.search(doc.text[s:e]) for s, e in title_lines):
                return None
            name_s, name_e = ls, ls + len(bare)
            name_m = CIVILITY_PREFIX.match(doc.text[name_s:name_e])
            if name_m:
                name_s += name_m.end()
            title = _signatory_title(doc, title_lines)
            first = title_lines[0][0] if title_lines else name_s
            s, e = doc.raw_span(first, name_e)
            return Signatory(name=doc.value(name_s, name_e), title=title, start=s, end=e)
        if len(line) > 120 or VOTE_LINE.match(line):
            break
        title_lines.append((ls, le))
        if len(title_lines) > 5:
            break
    if certification and title_lines and ROLE_WORDS.search(doc.text[title_lines[0][0]:title_lines[-1][1]]):
        s, e = doc.raw_span(title_lines[0][0], title_lines[-1][1])
        return Signatory(name=None, title=_signatory_title(doc, title_lines), start=s, end=e)
    return None


def _signatory_title(doc: _Doc, title_lines: list[tuple[int, int]]) -> str | None:
    if not title_lines:
        return None
    title = doc.value(title_lines[0][0], title_lines[-1][1])
    # "Pour le Maire et par délégation, L'Adjoint délégué" -> "Adjoint délégué"
    title = re.sub(r"^Pour\s+l[ea]\s+[^,]*?\s+par\s+d\S*l\S*gation\s*,?\s*", "", title, flags=I)
    title = re.sub(r"^(?:Le|La|L['’])\s*", "", title, flags=I).strip(" ,.")
    return title or None


# ---------------------------------------------------------------------------------------------
# Act type
# ---------------------------------------------------------------------------------------------

ACT_TYPES = [
    ("garantie_emprunt", re.compile(r"garantie\s+d'emprunt|garantie\s+(?:d'un|des?)\s+emprunts?|\bgarantie\b.*\bpret", I)),
    ("avenant", re.compile(r"\bavenant", I)),
    ("subvention", re.compile(r"\bsubvention|participation\s+financiere|\bsubventionn", I)),
    # lower-case "marché": "le Marché Paysan de la Côte Bleue" is a name
    ("marche", re.compile(r"\bmarches?\b(?!\s+(?:de\s+)?noel)|^March|(?i:accord-?\s*cadre|appel\s+d'offres)")),
    ("acquisition", re.compile(r"\bacqui(?:sition|erir)|\bcession\b|\bceder\b|echange\s+foncier|\bfonci", I)),
    ("tarifs", re.compile(r"\btarif|\bredevance|\bdroits\s+de\s+place|\bprix\s+(?:de|des)\b", I)),
    ("designation", re.compile(r"\bdesignation|\bdesigner\b|\brepresentants?\b", I)),
    ("convention", re.compile(r"\bconvention", I)),
]


def classify(object_text: str | None, articles: list[Article]) -> str:
    """Act type from the object (title) first, then from the articles. In a title that names two acts,
    the first named is the act ("Attribution d'une subvention ... - Avenant n° 1 à la convention" grants
    a subsidy; "Avenant n° 2 ... - Participation 2022" amends); a convention is the act only when
    nothing else is named."""
    for text in (object_text, " ".join(a.text for a in articles)):
        if not text:
            continue
        plain = Plain(clean(text)).text
        found = [(m.start(), rank, act) for rank, (act, pattern) in enumerate(ACT_TYPES)
                 if act != "convention" and (m := pattern.search(plain))]
        if found:
            return min(found)[2]
        if ACT_TYPES[-1][1].search(plain):
            return "convention"
    return "autre"


# ---------------------------------------------------------------------------------------------
# The whole document
# ---------------------------------------------------------------------------------------------

MANDATORY_WARNINGS = {
    "body": "Assemblée délibérante (Bureau, Conseil…) introuvable.",
    "session_date": "Date de séance introuvable.",
    "object": "Objet de la délibération introuvable.",
    "articles": "Aucun article trouvé dans le dispositif.",
    "vote": "Résultat du vote introuvable.",
    "signatory": "Signataire (« Certifié conforme ») introuvable.",
}


def parse(raw_text: str, *, id: str, source: str, path: str | None = None) -> Deliberation:
    """Parse one extract. Raises NotAnExtract when the text is not one. Pure: no I/O."""
    doc = _Doc(raw_text or "")
    check_extract(doc)
    return parse_doc(doc, id=id, source=source, path=path)[0]


def read_header(doc: _Doc, header_end: int) -> dict:
    """The header's fields of a record: body, authority, session, president, attendance."""
    body, body_label = find_body(doc, header_end)
    authority = find_authority(doc, body, header_end)
    session_date, session_span = find_session(doc, header_end)
    present_count, present_count_span = find_present_count(doc, header_end)
    present, represented, excused = find_attendance(doc, header_end)
    return {
        "authority": authority, "body": body, "body_label": municipal_label(body, authority) or body_label,
        "session_date": session_date, "session_span": session_span, "president": find_president(doc, header_end),
        "present_count": present_count, "present_count_span": present_count_span,
        "present": present, "represented": represented, "excused": excused,
    }


def parse_doc(doc: _Doc, *, id: str, source: str, path: str | None = None) -> tuple[Deliberation, int]:
    """The record of one deliberation's text, and where its header ends (plain offset)."""
    raw_text = doc.raw
    text, n = doc.text, len(doc.text)

    # Landmarks. The header ends where the report starts: the rapporteur formula, else the first of
    # "Telles sont les raisons", a visa, the decision marker or an article heading.
    decision = find_decision(doc)
    first_heading = ARTICLE_HEAD.search(text)
    first_visa, telles = VISA_LINE.search(text), TELLES.search(text)
    report_start = min([m.start() for m in (decision, first_heading, first_visa, telles) if m] or [n])
    rapporteur = find_rapporteur(doc, 0, report_start)
    header_end = doc.from_raw(rapporteur.start) if rapporteur else report_start
    decision_start = decision.start() if decision else (first_heading.start() if first_heading else n)

    header = read_header(doc, header_end)

    # Report: visas first, to keep the codes they quote out of ours.
    expose_start = doc.from_raw(rapporteur.end) if rapporteur else None
    visas, visas_range = find_visas(doc, expose_start or header_end, decision_start)
    if not visas and decision:  # "La Commission permanente, après en avoir délibéré,\nVu ...;\nARTICLE 1er"
        after = ARTICLE_HEAD.search(text, decision.end())
        visas, visas_range = find_visas(doc, decision.end(), after.start() if after else n)
    codes = find_codes(doc, header_end, visas_range)
    obj = find_object(doc, codes, header_end)
    if expose_start is None and obj:
        expose_start = doc.from_raw(obj.end)
    expose = find_expose(doc, expose_start, visas_range[0] if visas_range else decision_start)

    # Decision: the articles run from the decision marker to the vote (or the certification).
    articles_from = decision.end() if decision else (visas_range[1] if visas_range else header_end)
    certification = find_certification(doc, articles_from)
    tail_end = certification.start() if certification else n
    heads = [(h.start(), h.end()) for h in ARTICLE_HEAD.finditer(text, articles_from, tail_end)]
    dashed = [] if heads else find_dash_articles(doc, articles_from, tail_end)
    heads = heads or [(head, body) for _, head, body, _ in dashed]
    vote = find_vote(doc, heads[-1][1] if heads else articles_from, tail_end, decision)
    if vote is None and heads and heads[0][0] > articles_from:  # "DÉCIDE, à l'unanimité :" before the articles
        vote = find_vote(doc, articles_from, heads[0][0], None)
    vote_start = doc.from_raw(vote.start) if vote else n
    articles_end = vote_start if heads and vote_start > heads[-1][0] else tail_end
    raw_articles = dashed or find_articles(doc, articles_from, articles_end)
    articles = build_articles(doc, raw_articles)
    amounts = find_amounts(doc, raw_articles, [obj, rapporteur, expose, *visas])
    amounts += table_amounts(doc, raw_articles, amounts)
    act_type = classify(obj.text if obj else None, articles)
    article_bodies = [(start, stop) for _, _, start, stop in raw_articles]

    record = Deliberation(
        id=id, source=source, path=path, raw_text=raw_text,
        content_hash=hashlib.sha256(raw_text.encode("utf-8")).hexdigest(), **header,
        codes=codes, object=obj, act_type=act_type,
        rapporteur=rapporteur, expose=expose, visas=visas, articles=articles,
        amounts=amounts, beneficiaries=find_beneficiaries(doc, amounts, raw_articles, act_type),
        cofinancers=find_cofinancers(doc),
        budget=find_budget(doc, article_bodies or [(decision.end() if decision else 0, n)]),
        vote=vote,
        signatory=find_signatory(doc, certification, doc.from_raw(vote.end) if vote else articles_end),
    )
    record.warnings = [msg for field, msg in MANDATORY_WARNINGS.items() if not getattr(record, field)]
    return record, header_end


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
