"""Verification of citations and numbers against the registry's source texts.

A citation is valid when its record exists, comes from the named source file, and its quote equals
the record's raw text at [start, end) after the same normalisation (whitespace runs -> one space).
A text (an item's sentence or a whole answer) is valid when its citations are, and:
- every quoted segment « … » occurs in a cited quote or a cited record's field spans,
- every rendered date ("20 juin 2019", "20 June 2019") is a cited record's session date (read from its
  session span) or occurs in a cited quote,
- every "article N" names an article of a cited record,
- every other number occurs in a cited quote or a cited record's field spans (session, attendance count,
  codes), or is in `allowed` (totals and counts computed from verified items, the question's own years).
Numbers are compared by value: "20 000", "20,000", "20000" and "20 000,00" are the same number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from .. import textnorm
from ..formats import MOIS, MONTHS
from ..models import Citation, Deliberation
from .items import norm_quote

_NUMBER = re.compile(r"(?<!\w)(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)")
_QUOTED = re.compile(r"«\s*(.+?)\s*»", re.DOTALL)
_FR_DATE = re.compile(rf"\b(1er|\d{{1,2}})\s+({'|'.join(MOIS)})\s+(\d{{4}})\b", re.IGNORECASE)
_EN_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b", re.IGNORECASE)
_ARTICLE = re.compile(r"\barticles?\s+(\d+)\b", re.IGNORECASE)
_MOIS, _MONTHS = [m.lower() for m in MOIS], [m.lower() for m in MONTHS]


_NON_DIGIT = re.compile(r"\D")
_COMPUTED = re.compile(r"(\d+)(?:\.(\d{1,2}))?")


def canonical_number(int_part: str, dec: str | None = None) -> str:
    """ "20 000" -> "20000", ("3", "5") -> "3.50", "004" -> "4"."""
    digits = _NON_DIGIT.sub("", int_part)
    value = str(int(digits)) if digits else "0"
    if dec and int(dec) != 0:
        return f"{value}.{dec.ljust(2, '0')}"
    return value


def numbers(text: str) -> list[str]:
    """Every number of a text, by value (thousands separators and cents normalised)."""
    return [canonical_number(m.group(1), m.group(2)) for m in _NUMBER.finditer(text)]


# The same quotes and field texts are checked again and again (every item of a long list, then the
# answer, then the next question): their normal forms are kept.
@lru_cache(maxsize=1 << 16)
def number_set(text: str) -> frozenset[str]:
    """`numbers` of a text as a set (memoised)."""
    return frozenset(numbers(text))


@lru_cache(maxsize=1 << 15)
def loose(text: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive form, for "occurs in" checks (memoised)."""
    return re.sub(r"[^0-9a-z]", "", textnorm.fold(text.replace("’", "'")))


class _Claims(NamedTuple):
    """What a text asserts that the sources must hold, in this order of reading: quoted segments (« »),
    then dates (as shown, and their value: None when impossible), then "article N", then the other numbers."""

    quoted: tuple[str, ...]
    dates: tuple[tuple[str, dt.date | None], ...]
    articles: tuple[int, ...]
    numbers: tuple[str, ...]


@lru_cache(maxsize=1 << 15)
def _claims(text: str) -> _Claims:
    """The claims of a text (memoised: a long answer's lines are read again by the next question)."""
    rest, quoted = text, ()
    if "«" in rest:
        quoted = tuple(m.group(1) for m in _QUOTED.finditer(rest))
        rest = _QUOTED.sub(" ", rest)
    dates = []
    for pattern, names in ((_FR_DATE, _MOIS), (_EN_DATE, _MONTHS)):
        found = list(pattern.finditer(rest))
        for m in found:
            day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
            month = names.index(m.group(2).lower()) + 1
            try:
                dates.append((m.group(), dt.date(int(m.group(3)), month, day)))
            except ValueError:
                dates.append((m.group(), None))
        if found:
            rest = pattern.sub(" ", rest)
    articles = tuple(int(m.group(1)) for m in _ARTICLE.finditer(rest))
    if articles:
        rest = _ARTICLE.sub(" ", rest)
    return _Claims(quoted, tuple(dates), articles, tuple(numbers(rest)))


class Checker:
    """Checks texts against the records of the registry (records cached for one answer, with the
    citations already found valid and each record's field texts)."""

    def __init__(self, registry, records: dict[str, Deliberation] | None = None):
        """`records`: records already read from this registry in its current state (a cache)."""
        self.registry = registry
        self._recs: dict[str, Deliberation | None] = dict(records or {})
        self._valid: set[tuple] = set()  # citations checked and found valid (the records do not change)
        self._fields: dict[str, list[str]] = {}

    def record(self, rec_id: str) -> Deliberation | None:
        if rec_id not in self._recs:
            self._recs[rec_id] = self.registry.get(rec_id)
        return self._recs[rec_id]

    def check_citation(self, c: Citation) -> str | None:
        """None when the citation is valid, else the reason (in French)."""
        key = (c.id, c.source, c.start, c.end, c.quote)
        if key in self._valid:
            return None
        rec = self.record(c.id)
        if rec is None:
            return f"délibération inconnue : {c.id}"
        if c.source != rec.source:
            return f"{c.id} : fichier source « {c.source} » au lieu de « {rec.source} »"
        if not (0 <= c.start < c.end <= len(rec.raw_text)):
            return f"{c.id} : position {c.start}-{c.end} hors du texte"
        if not norm_quote(c.quote) or norm_quote(rec.raw_text[c.start:c.end]) != norm_quote(c.quote):
            return f"{c.id} : la citation ne correspond pas au texte en {c.start}-{c.end}"
        self._valid.add(key)
        return None

    def _field_texts(self, rec: Deliberation) -> list[str]:
        """The record's fields a text may restate without quoting them: codes, number, session, attendance
        count."""
        if rec.id not in self._fields:
            texts = [rec.raw_text[k.start:k.end] for k in rec.codes]
            if rec.number and rec.number in rec.raw_text:  # "Délibération ABCD/17-2023 (…)": its number as printed
                texts.append(rec.number)
            for span in (rec.session_span, rec.present_count_span):
                if span:
                    texts.append(rec.raw_text[span.start:span.end])
            if rec.open_data:  # a CSV row's cells, one by one: "101,0,4" read whole would be 101.0 and 4
                texts += [cell for cell in rec.open_data.cells.values() if cell in rec.own_text]
            self._fields[rec.id] = texts
        return self._fields[rec.id]

    def check_text(self, text: str, citations: Iterable[Citation], allowed: Iterable[str] = ()) -> list[str]:
        """Problems (in French) with `text` given its citations; an empty list means verified."""
        citations = list(citations)
        problems = [p for p in (self.check_citation(c) for c in citations) if p]
        if problems:
            return problems
        recs = [r for r in {c.id: self.record(c.id) for c in citations}.values() if r]
        sources = list(dict.fromkeys([c.quote for c in citations] + [t for r in recs for t in self._field_texts(r)]))
        pool: list[str] | None = None  # the loose forms of the sources, made when first needed

        def occurs(seg: str) -> bool:
            nonlocal pool
            if pool is None:
                pool = [loose(t) for t in sources]
            return any(seg in t for t in pool)

        claims = _claims(text)
        for seg in claims.quoted:
            if loose(seg) and not occurs(loose(seg)):
                problems.append(f"passage cité introuvable dans les sources : « {seg[:80]} »")

        if claims.dates:
            # Dates the registry read from a cited record's text (its session, its convocation): shown in the
            # answer's language and format ("22 October 2021" for "le vingt-deux octobre deux mil vingt et un").
            session_dates = {r.session_date for r in recs if r.session_date and r.session_span}
            session_dates |= {r.convocation_date for r in recs if r.convocation_date and r.convocation_span
                              and any(c.id == r.id and c.start <= r.convocation_span.start < c.end for c in citations)}
            for shown_date, value in claims.dates:
                if value is None:
                    problems.append(f"date impossible : {shown_date}")
                elif value not in session_dates and not occurs(loose(shown_date)):
                    problems.append(f"date non justifiée par les sources : {shown_date}")

        if claims.articles:
            articles = set()
            for c in citations:
                rec = self.record(c.id)
                articles |= {a.number for a in rec.articles if a.start <= c.start and c.end <= a.end} if rec else set()
                m = re.fullmatch(r"Article (\d+)", c.part)
                if m:
                    articles.add(int(m.group(1)))
            problems += [f"article {n} non cité" for n in claims.articles if n not in articles]

        if claims.numbers:
            computed = {_allowed_number(a) for a in allowed}
            in_sources = [number_set(t) for t in sources]
            problems += [f"nombre absent des sources citées : {n}" for n in claims.numbers
                         if n not in computed and not any(n in ns for ns in in_sources)]
        return problems


def _allowed_number(value: str) -> str:
    """A number the code computed ("20000", "1234.50": a total with cents), by value."""
    m = _COMPUTED.fullmatch(value.strip())
    return canonical_number(m.group(1), m.group(2)) if m else canonical_number(value)


def check_answer(answer, registry, allowed: Iterable[str] = ()) -> list[str]:
    """Problems with a whole `Answer` (for answers phrased by an LLM): citations and numbers.
    A not-found answer must cite nothing."""
    if not answer.found:
        return ["une réponse « non trouvée » ne doit rien citer"] if answer.citations else []
    if not answer.citations:
        return ["réponse sans citation"]
    return Checker(registry).check_text(answer.answer, answer.citations, allowed)
