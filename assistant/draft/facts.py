"""Facts in a text — numbers, dates, names — and whether each is traceable to allowed sources.

Used twice: to drop LLM sentences stating anything that is not in the request or a cited precedent,
and to check (in tests and `Draft.untraceable()`) that every number, date and name of a draft comes from
its request, its listed precedents or the templates' fixed formulas.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .. import textnorm
from ..formats import MOIS

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
DATE_RE = re.compile(
    r"\b(1er|[0-3]?\d)\s+(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû(]?t|septembre|octobre|"
    r"novembre|d[ée]cembre)\s+((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
NUM_DATE_RE = re.compile(r"\b([0-3]?\d)/([01]?\d)/((?:19|20)\d\d)\b")
# Grouped digits ("20 000", "1 234 567,89") or a plain run of digits.
NUMBER_RE = re.compile(r"(?<![\w/])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\w])|\d+(?:,\d+)?")
# Structure, not facts: article headings, list enumerators, placeholders.
_STRUCTURAL = re.compile(r"Article\s+\d+\s*:|^\s*\d+\)|\[[^\]\n]*\]", re.MULTILINE)
_NAME_RE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\wÀ-ÖØ-öø-ÿ'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[«(]\s*)$")


@dataclass(frozen=True)
class Fact:
    kind: str  # "date" | "nombre" | "nom"
    text: str
    key: str  # normalised: ISO date, digits, or name key
    start: int
    end: int


def parse_fr_date(day: str, month: str, year: str) -> dt.date | None:
    m = _MONTHS.get(textnorm.fold(month).replace("(", "u").replace("aot", "aout"))
    if m is None:
        return None
    try:
        return dt.date(int(year), m, 1 if day.lower() == "1er" else int(day))
    except ValueError:
        return None


def _digits(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", text).lstrip("0") or "0"


def extract_facts(text: str) -> list[Fact]:
    masked = _STRUCTURAL.sub(lambda m: " " * len(m.group(0)), text)
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for m in DATE_RE.finditer(masked):
        d = parse_fr_date(*m.groups())
        facts.append(Fact("date", m.group(0), d.isoformat() if d else m.group(0), m.start(), m.end()))
        taken.append(m.span())
    for m in NUM_DATE_RE.finditer(masked):
        try:
            key = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            key = m.group(0)
        facts.append(Fact("date", m.group(0), key, m.start(), m.end()))
        taken.append(m.span())
    for m in NUMBER_RE.finditer(masked):
        if any(s <= m.start() < e for s, e in taken):
            continue
        facts.append(Fact("nombre", m.group(0), _digits(m.group(0)), m.start(), m.end()))
    vocabulary = _vocabulary()
    for m in _NAME_RE.finditer(masked):
        word = m.group(0).strip("'’-")
        if len(word) < 2 or _SENTENCE_START.search(masked[max(0, m.start() - 3): m.start()]):
            continue
        key = textnorm.match_key(word)
        if not key or key in vocabulary:
            continue
        facts.append(Fact("nom", word, key, m.start(), m.start() + len(word)))
    facts.sort(key=lambda f: f.start)
    return facts


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Capitalised words of the templates' fixed formulas (République, Vu, Article, Madame, …)."""
    from .templates import template_words

    words = {textnorm.match_key(w) for w in template_words()} | {textnorm.match_key(m) for m in MOIS}
    words |= {"madame", "monsieur", "mesdames", "messieurs", "il", "elle", "ce", "cette", "ces", "le", "la",
              "les", "un", "une", "en", "par", "pour", "dans", "afin", "ainsi", "enfin", "de", "du", "des"}
    return frozenset(w for w in words if w)


class Allowed:
    """What a text may state: facts found in the allowed source texts and values given directly."""

    def __init__(self, texts: list[str], values: list[object] | None = None):
        self.dates: set[str] = set()
        self.numbers: set[str] = set()
        self.words: set[str] = set()
        for text in texts:
            self.add_text(text)
        for value in values or []:
            self.add_value(value)

    def add_text(self, text: str) -> None:
        if not text:
            return
        for f in extract_facts(text):
            if f.kind == "date":
                self.dates.add(f.key)
                self._add_date_numbers(f.key)
            elif f.kind == "nombre":
                self.numbers.add(f.key)
        for m in NUMBER_RE.finditer(text):  # numbers inside structural spans count too ("n° 3")
            self.numbers.add(_digits(m.group(0)))
        for word in re.findall(r"[\wÀ-ÿ'’-]+", text):
            for piece in [word, *re.split(r"['’-]", word)]:
                key = textnorm.match_key(piece)
                if key:
                    self.words.add(key)

    def _add_date_numbers(self, iso: str) -> None:
        try:
            d = dt.date.fromisoformat(iso)
        except ValueError:
            return
        self.numbers.update({str(d.year), str(d.day), f"{d.year % 100:02d}".lstrip("0") or "0"})

    def add_value(self, value: object) -> None:
        if isinstance(value, dt.date):
            self.dates.add(value.isoformat())
            self._add_date_numbers(value.isoformat())
        elif isinstance(value, int) and not isinstance(value, bool):
            self.numbers.add(str(value))
        elif isinstance(value, str):
            self.add_text(value)

    def traceable(self, fact: Fact) -> bool:
        if fact.kind == "date":
            return fact.key in self.dates
        if fact.kind == "nombre":
            return fact.key in self.numbers or fact.key.split(",")[0] in self.numbers
        return fact.key in self.words


def untraceable(text: str, allowed: Allowed) -> list[Fact]:
    return [f for f in extract_facts(text) if not allowed.traceable(f)]


def request_values(request) -> list[object]:
    """Every value of a request, flattened (strings, dates, numbers, amounts in euros and cents)."""
    out: list[object] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif value is not None:
            out.append(value)

    walk(request.model_dump())
    for line in request.amounts:
        euros, cents = divmod(line.cents, 100)
        out += [euros, line.money_text(), line.euros_text()]
        if cents:
            out.append(cents)
    out += [request.yy, request.body_label, request.authority_name]
    return out


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"(])")


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENT_SPLIT.split(paragraph.strip()) if s.strip()]
