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

from .. import textnorm
from ..formats import MOIS, MONTHS
from ..models import Citation, Deliberation
from .items import norm_quote

_NUMBER = re.compile(r"(?<!\w)(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)")
_QUOTED = re.compile(r"«\s*(.+?)\s*»", re.DOTALL)
_FR_DATE = re.compile(rf"\b(1er|\d{{1,2}})\s+({'|'.join(MOIS)})\s+(\d{{4}})\b", re.IGNORECASE)
_EN_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b", re.IGNORECASE)
_ARTICLE = re.compile(r"\barticles?\s+(\d+)\b", re.IGNORECASE)


def canonical_number(int_part: str, dec: str | None = None) -> str:
    """ "20 000" -> "20000", ("3", "5") -> "3.50", "004" -> "4"."""
    digits = re.sub(r"\D", "", int_part)
    value = str(int(digits)) if digits else "0"
    if dec and int(dec) != 0:
        return f"{value}.{dec.ljust(2, '0')}"
    return value


def numbers(text: str) -> list[str]:
    """Every number of a text, by value (thousands separators and cents normalised)."""
    return [canonical_number(m.group(1), m.group(2)) for m in _NUMBER.finditer(text)]


def loose(text: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive form, for "occurs in" checks."""
    return re.sub(r"[^0-9a-z]", "", textnorm.fold(text.replace("’", "'")))


class Checker:
    """Checks texts against the records of the registry (records cached for one answer)."""

    def __init__(self, registry, records: dict[str, Deliberation] | None = None):
        """`records`: records already read from this registry in its current state (a cache)."""
        self.registry = registry
        self._recs: dict[str, Deliberation | None] = dict(records or {})

    def record(self, rec_id: str) -> Deliberation | None:
        if rec_id not in self._recs:
            self._recs[rec_id] = self.registry.get(rec_id)
        return self._recs[rec_id]

    def check_citation(self, c: Citation) -> str | None:
        """None when the citation is valid, else the reason (in French)."""
        rec = self.record(c.id)
        if rec is None:
            return f"délibération inconnue : {c.id}"
        if c.source != rec.source:
            return f"{c.id} : fichier source « {c.source} » au lieu de « {rec.source} »"
        if not (0 <= c.start < c.end <= len(rec.raw_text)):
            return f"{c.id} : position {c.start}-{c.end} hors du texte"
        if not norm_quote(c.quote) or norm_quote(rec.raw_text[c.start:c.end]) != norm_quote(c.quote):
            return f"{c.id} : la citation ne correspond pas au texte en {c.start}-{c.end}"
        return None

    def _field_texts(self, rec: Deliberation) -> list[str]:
        texts = [rec.raw_text[k.start:k.end] for k in rec.codes]
        for span in (rec.session_span, rec.present_count_span):
            if span:
                texts.append(rec.raw_text[span.start:span.end])
        return texts

    def check_text(self, text: str, citations: Iterable[Citation], allowed: Iterable[str] = ()) -> list[str]:
        """Problems (in French) with `text` given its citations; an empty list means verified."""
        citations = list(citations)
        problems = [p for p in (self.check_citation(c) for c in citations) if p]
        if problems:
            return problems
        recs = [r for r in {c.id: self.record(c.id) for c in citations}.values() if r]
        quotes = [c.quote for c in citations]
        fields = [t for r in recs for t in self._field_texts(r)]
        quotes_loose = [loose(q) for q in quotes + fields]
        rest = text

        for m in list(_QUOTED.finditer(rest)):
            seg = loose(m.group(1))
            if seg and not any(seg in q for q in quotes_loose):
                problems.append(f"passage cité introuvable dans les sources : « {m.group(1)[:80]} »")
        rest = _QUOTED.sub(" ", rest)

        session_dates = {r.session_date for r in recs if r.session_date and r.session_span}
        for pattern, names in ((_FR_DATE, MOIS), (_EN_DATE, MONTHS)):
            for m in list(pattern.finditer(rest)):
                day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
                month = [n.lower() for n in names].index(m.group(2).lower()) + 1
                try:
                    value = dt.date(int(m.group(3)), month, day)
                except ValueError:
                    problems.append(f"date impossible : {m.group()}")
                    continue
                if value not in session_dates and not any(loose(m.group()) in q for q in quotes_loose):
                    problems.append(f"date non justifiée par les sources : {m.group()}")
            rest = pattern.sub(" ", rest)

        articles = set()
        for c in citations:
            rec = self.record(c.id)
            articles |= {a.number for a in rec.articles if a.start <= c.start and c.end <= a.end} if rec else set()
            m = re.fullmatch(r"Article (\d+)", c.part)
            if m:
                articles.add(int(m.group(1)))
        for m in list(_ARTICLE.finditer(rest)):
            if int(m.group(1)) not in articles:
                problems.append(f"article {m.group(1)} non cité")
        rest = _ARTICLE.sub(" ", rest)

        pool = {n for t in quotes + fields for n in numbers(t)} | {canonical_number(a) for a in allowed}
        for n in numbers(rest):
            if n not in pool:
                problems.append(f"nombre absent des sources citées : {n}")
        return problems


def check_answer(answer, registry, allowed: Iterable[str] = ()) -> list[str]:
    """Problems with a whole `Answer` (for answers phrased by an LLM): citations and numbers.
    A not-found answer must cite nothing."""
    if not answer.found:
        return ["une réponse « non trouvée » ne doit rien citer"] if answer.citations else []
    if not answer.citations:
        return ["réponse sans citation"]
    return Checker(registry).check_text(answer.answer, answer.citations, allowed)
