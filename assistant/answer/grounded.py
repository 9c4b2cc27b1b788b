"""Answers phrased by an LLM, grounded in numbered sources and verified sentence by sentence.

The model receives the question, the conversation so far, the registry facts and the retrieved passages
numbered [1]..[n], delimited as data (prompts in `prompts/answer/`). What it writes is checked as it
streams: each sentence's numbers, amounts and dates must be found in the sources it cites (or in the
registry's own answer); a sentence that fails is dropped before anyone sees it. The answer falls back to
the no-LLM composition when nothing verifiable is left, when the model cites nothing, when an exact
registry fact was changed, or when the backend fails. `Answer.notes` says which happened.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import textnorm
from ..models import BODY_LABELS, Answer, Citation

__all__ = ["Facts", "Source", "Verifier", "build_messages", "extract_facts", "generate", "make_sources",
           "split_sentences"]

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts" / "answer"
MAX_SOURCES = 8
MAX_SOURCE_CHARS = 1000  # per passage: a few passages must fit a 4k context with the answer
MAX_HISTORY = 3  # previous exchanges given to the model

# -- numbers, amounts and dates ------------------------------------------------------------------------

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True)) + r"|ao\W?t"  # "ao(t": OCR for août
_DAY = r"(1er|\d{1,2})(?:st|nd|rd|th)?"
_DATE_PATTERNS = [  # (regex, group order) on folded text
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH_RE})\s+(\d{{4}})\b"), "dmy"),
    (re.compile(rf"\b({_MONTH_RE})\s+{_DAY},?\s+(\d{{4}})\b"), "mdy"),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), "dmy_num"),
]
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\s+(\d{{4}})\b")
_NUMBER = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
    r"(?:\s*(millions?|milliards?|mille|thousand|billion|k€|m€|md€))?"
)
_MULTIPLIER = {"million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9, "mille": 1000,
               "thousand": 1000, "billion": 10**9, "k€": 1000, "m€": 10**6, "md€": 10**9}
_MONEY_AFTER = re.compile(r"\s*(?:€|euros?\b|eur\b|(?:d['’]\s*)euros?\b)")
_MONEY_BEFORE = re.compile(r"(?:€|\beur)\s*$")
_CITE = re.compile(r"\[\s*(\d+(?:\s*[,;\-–]\s*\d+)*)\s*\]")
_ENUMERATOR = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


def _month(name: str) -> int:
    return _MONTHS.get(name, 8)  # the only non-key alternative is "ao(t" (août)


def _candidates(token: str, multiplier: int = 1) -> frozenset[str]:
    """Canonical values a number token may mean: "20 000" -> {"20000"}; "20,000" -> {"20000", "20"}
    (English thousands or French decimals: both, since the same figure is written both ways)."""
    t = re.sub(r"[ \u00a0\u202f]", "", token)
    readings: list[str] = []
    seps = [c for c in t if c in ".,"]
    if not seps:
        readings.append(t)
    elif len(set(seps)) == 2:  # "20,000.50" or "20.000,50": the last one is the decimal mark
        dec = seps[-1]
        readings.append(t.replace("." if dec == "," else ",", "").replace(",", "."))
    elif len(seps) > 1:  # "1.000.000": thousands
        readings.append(t.replace(seps[0], ""))
    else:
        head, tail = t.split(seps[0])
        readings.append(f"{head}.{tail}")
        if len(tail) == 3:
            readings.append(head + tail)
    out = set()
    for r in readings:
        try:
            value = Decimal(r) * multiplier
        except InvalidOperation:
            continue
        out.add(format(value.normalize(), "f"))
    return frozenset(out)


@dataclass
class Facts:
    """The figures of a text: each number as its set of possible readings, amounts, dates (y, m, d)."""

    numbers: list[frozenset[str]] = field(default_factory=list)
    money: list[frozenset[str]] = field(default_factory=list)
    dates: set[tuple[int, int, int]] = field(default_factory=set)
    months: set[tuple[int, int]] = field(default_factory=set)  # "juin 2019" without a day

    def allowed(self) -> Allowed:
        a = Allowed()
        a.add(self)
        return a


@dataclass
class Allowed:
    """Everything figures may be checked against (the union of some sources)."""

    numbers: set[str] = field(default_factory=set)
    money: set[str] = field(default_factory=set)
    dates: set[tuple[int, int, int]] = field(default_factory=set)
    months: set[tuple[int, int]] = field(default_factory=set)

    def add(self, facts: Facts) -> None:
        for c in facts.numbers:
            self.numbers |= c
        for c in facts.money:
            self.money |= c
        self.dates |= facts.dates
        self.months |= facts.months | {(y, m) for y, m, _ in facts.dates}
        # A date's parts are numbers too: "en 2019" is supported by "20 juin 2019".
        self.numbers |= {str(y) for y, _, _ in facts.dates} | {str(d) for _, _, d in facts.dates}
        self.numbers |= {str(y) for y, _ in facts.months}


def extract_facts(text: str) -> Facts:
    """Numbers, amounts and dates of a text (citation markers and list enumerators ignored)."""
    text = _CITE.sub(" ", text)
    text = "\n".join(_ENUMERATOR.sub(" ", line) for line in text.split("\n"))
    folded = textnorm.fold(text)
    facts = Facts()

    def blank(m: re.Match) -> str:
        return " " * (m.end() - m.start())

    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(folded):
            g = m.groups()
            try:
                if order == "dmy":
                    y, mo, d = int(g[2]), _month(g[1]), 1 if g[0] == "1er" else int(g[0])
                elif order == "mdy":
                    y, mo, d = int(g[2]), _month(g[0]), 1 if g[1] == "1er" else int(g[1])
                elif order == "ymd":
                    y, mo, d = int(g[0]), int(g[1]), int(g[2])
                else:
                    y, mo, d = int(g[2]), int(g[1]), int(g[0])
            except ValueError:
                continue
            if 1 <= mo <= 12 and 1 <= d <= 31:
                facts.dates.add((y, mo, d))
        folded = pattern.sub(blank, folded)
    for m in _MONTH_YEAR.finditer(folded):
        facts.months.add((int(m.group(2)), _month(m.group(1))))
    folded = _MONTH_YEAR.sub(blank, folded)
    for m in _NUMBER.finditer(folded):
        cands = _candidates(m.group(1), _MULTIPLIER.get(m.group(2) or "", 1))
        if not cands:
            continue
        facts.numbers.append(cands)
        if _MONEY_AFTER.match(folded, m.end()) or _MONEY_BEFORE.search(folded[max(0, m.start() - 5):m.start()]) or m.group(2) in ("k€", "m€", "md€"):
            facts.money.append(cands)
    return facts


def _shown(cands: frozenset[str]) -> str:
    return min(cands, key=len)


def _absent(facts: Facts, allowed: Allowed) -> list[str]:
    """The figures of `facts` that `allowed` does not hold, as shown in notes ("20000", "20/06/2019")."""
    missing = [_shown(c) for c in facts.numbers if not c & allowed.numbers]
    missing += [f"{d:02d}/{m:02d}/{y}" for y, m, d in sorted(facts.dates - allowed.dates)]
    missing += [f"{m:02d}/{y}" for y, m in sorted(facts.months - allowed.months)]
    return missing


# -- sources -------------------------------------------------------------------------------------------

# Instructions addressed to a model, found inside a document: dropped from the model's copy (and from
# what can support a figure). Matched on folded text.
_INJECTION = re.compile(
    r"\b(?:ignore[rsz]?|oublie[rsz]?|disregard|forget)\b.{0,60}\b(?:instructions?|consignes?|regles?|"
    r"rules|previous|precedente?s?|ci-dessus|above)\b"
    r"|\b(?:reponds|repondez|answer|respond|say)\s+(?:seulement\s+|uniquement\s+|only\s+)?(?:que|that)\b"
    r"|\b(?:tu es|vous etes|you are)\s+(?:maintenant|desormais|now)\b"
    r"|\b(?:system prompt|prompt systeme|nouvelles? instructions?|new instructions?)\b"
)
# A sentence of a source: up to a full stop or a blank line (single line breaks are the scan's layout).
_SENTENCE_IN_SOURCE = re.compile(r"(?:[^.!?\n]|\n(?!\s*\n))+(?:[.!?]+|\n\s*\n|$)")


@dataclass
class Source:
    """One numbered source: a registry fact's quote or a retrieved passage."""

    n: int
    id: str  # deliberation id
    source: str
    part: str
    raw: str  # the registry's text for [start, end)
    start: int
    end: int
    text: str = ""  # what the model sees: injected instructions removed, tags neutralised
    from_registry: bool = False
    body_label: str | None = None
    session_date: str | None = None
    code: str | None = None
    object: str | None = None
    injected: list[str] = field(default_factory=list)  # instruction sentences removed
    facts: Facts = field(default_factory=Facts)

    def prepare(self) -> Source:
        kept = []
        for m in _SENTENCE_IN_SOURCE.finditer(self.raw):
            if _INJECTION.search(textnorm.fold(m.group(0))):
                self.injected.append(m.group(0).strip())
                kept.append(" […] ")
            else:
                kept.append(m.group(0))
        clean = "".join(kept) if self.injected else self.raw
        self.facts = extract_facts(clean)
        if self.session_date:  # a passage may be cited for its deliberation's session date
            try:
                y, m, d = (int(x) for x in self.session_date[:10].split("-"))
                self.facts.dates.add((y, m, d))
            except ValueError:
                pass
        self.text = clean.replace("<", "‹").replace(">", "›").strip()
        return self

    def _pieces(self) -> list[tuple[int, int]]:
        """The source's sentences as spans of `raw` (whitespace trimmed), injected instructions left out."""
        out = []
        for m in _SENTENCE_IN_SOURCE.finditer(self.raw):
            piece = m.group(0)
            if not piece.strip() or any(piece.strip() in inj for inj in self.injected):
                continue
            lead = len(piece) - len(piece.lstrip())
            out.append((m.start() + lead, m.start() + len(piece.rstrip())))
        return out

    def _support(self, sentence: str) -> list[tuple[int, int]]:
        """The fewest source sentences holding the figures of `sentence` (greedy), else the one sharing the
        most word stems with it; [] when nothing stands out."""
        want = extract_facts(sentence)
        need: list = list(dict.fromkeys(want.numbers)) + sorted(want.dates) + sorted(want.months)
        pieces = [(s, e, extract_facts(self.raw[s:e]).allowed()) for s, e in self._pieces()]

        def held(fig, have: Allowed) -> bool:
            if isinstance(fig, frozenset):
                return bool(fig & have.numbers)
            return fig in (have.dates if len(fig) == 3 else have.months)

        chosen: list[tuple[int, int]] = []
        while need and pieces:
            best = max(pieces, key=lambda p: sum(held(f, p[2]) for f in need))
            if not any(held(f, best[2]) for f in need):
                break
            need = [f for f in need if not held(f, best[2])]
            chosen.append(best[:2])
            pieces.remove(best)
        if chosen:
            return chosen
        stems = set(textnorm.stems(sentence))
        scored = [(len(set(textnorm.stems(self.raw[s:e])) & stems), (s, e)) for s, e, _ in pieces]
        score, span = max(scored, default=(0, None))
        return [span] if span and score >= 2 else []

    def quote_for(self, *sentences: str) -> tuple[str, int, int]:
        """The span of this source that supports `sentences`: from the first to the last source sentence
        needed (see `_support`). The whole source when nothing stands out, unless it held an injected
        instruction (never quoted back)."""
        spans = [span for sentence in sentences for span in self._support(sentence)]
        if not spans:
            if not self.injected:
                return self.raw, self.start, self.end
            spans = self._pieces()[:1] or [(0, len(self.raw))]
        s, e = min(a for a, _ in spans), max(b for _, b in spans)
        return self.raw[s:e], self.start + s, self.start + e

    def citation(self, *sentences: str) -> Citation:
        quote, start, end = self.quote_for(*sentences)
        # The exact registry text, as the no-LLM answers give it (displays fold its line breaks).
        return Citation(id=self.id, source=self.source, part=self.part, quote=quote,
                        start=start, end=end,
                        body_label=self.body_label, session_date=self.session_date, code=self.code,
                        object=self.object)


def _trim(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space (the cut text stays a prefix: spans remain exact)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def make_sources(facts_answer: Answer | None, passages: Sequence[Any], *, max_sources: int = MAX_SOURCES,
                 max_chars: int = MAX_SOURCE_CHARS) -> list[Source]:
    """Registry citations first (in their order, so the registry answer's own [n] stay valid), then the
    retrieved passages, without duplicates, numbered from 1."""
    out: list[Source] = []
    seen: set[tuple[str, int, int]] = set()
    for c in (facts_answer.citations if facts_answer and facts_answer.found else []):
        key = (c.id, c.start, c.end)
        if len(out) >= max_sources:
            break
        if key in seen:
            continue
        seen.add(key)
        out.append(Source(n=len(out) + 1, id=c.id, source=c.source, part=c.part, raw=c.quote, start=c.start,
                          end=c.end, from_registry=True, body_label=c.body_label, session_date=c.session_date,
                          code=c.code, object=c.object))
    for doc in passages:
        if len(out) >= max_sources:
            break
        meta = doc.metadata
        start = int(meta["start"])
        raw = _trim(doc.page_content, max_chars)
        key = (meta["deliberation_id"], start, start + len(raw))
        if key in seen or not raw.strip():
            continue
        seen.add(key)
        codes = meta.get("codes") or []
        if isinstance(codes, str):
            codes = [codes]
        out.append(Source(
            n=len(out) + 1, id=meta["deliberation_id"], source=meta.get("source") or "",
            part=meta.get("part_label") or meta.get("part") or "", raw=raw, start=start, end=start + len(raw),
            body_label=meta.get("body_label") or BODY_LABELS.get(meta.get("body") or ""),
            session_date=meta.get("session_date"), code=codes[0] if codes else None, object=meta.get("object"),
        ))
    return [s.prepare() for s in out]


# -- prompt --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False,
    )


def _strip_cites(text: str) -> str:
    return re.sub(r"\s*" + _CITE.pattern, "", text)


def build_messages(question: str, language: str, history: Sequence[tuple[str, str] | dict], sources: list[Source],
                   facts: str | None) -> list:
    """System prompt (French, or English for an English question), the last exchanges, then the data
    (sources and registry answer, delimited) and the question."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    lang = "en" if language == "en" else "fr"
    env = _templates()
    facts = facts.replace("<", "‹").replace(">", "›") if facts else None
    messages: list = [SystemMessage(env.get_template(f"system_{lang}.j2").render(facts=bool(facts)).strip())]
    for turn in list(history)[-MAX_HISTORY:]:
        # (question, answer) pairs, or the session turns of answer.sessions ({"question":, "answer":, ...})
        q, a = (turn.get("question"), turn.get("answer")) if isinstance(turn, dict) else turn
        if q and a:
            messages += [HumanMessage(q), AIMessage(_trim(_strip_cites(a), 600))]
    user = env.get_template(f"user_{lang}.j2").render(sources=sources, facts=facts, question=question)
    messages.append(HumanMessage(user.strip()))
    return messages


# -- sentences and verification ------------------------------------------------------------------------

_END = re.compile(r"[.!?…]+(?:\s*\[[^\]\n]{1,20}\])*")
_END_PUNCT = re.compile(r"\s*([.!?…]*)(\s*)$")
_TAG = re.compile(r"</?[A-Za-z_][\w:-]*(?:\s[^<>]*)?/?>")


def _boundary(buf: str, final: bool = False) -> int | None:
    """Where the first complete sentence of `buf` ends (citations after the full stop included), or None
    when more text is needed to know. A lone list enumerator ("2.") is not a sentence."""
    for m in re.finditer(_END.pattern + r"|\n+", buf):
        rest = buf[m.end():]
        if m.group(0).startswith("\n"):
            if buf[: m.start()].strip():
                return m.end()
            continue
        if re.fullmatch(r"\s*\d{1,2}", buf[: m.start()]) or re.search(r"\d$", buf[: m.start()]) and \
                rest[:1].isdigit():
            continue  # "2." enumerator, or "1.5"
        stripped = rest.lstrip()
        if not rest or not stripped:
            if final:
                return len(buf)
            return None  # the next piece may still bring " [2]"
        if rest[0].isspace() and not stripped.startswith("["):
            return m.end()
    return len(buf) if final and buf.strip() else None


def split_sentences(text: str) -> list[str]:
    """Sentences with their citation markers (leading whitespace kept, so that "".join gives the text)."""
    out = []
    while text:
        cut = _boundary(text, final=True) or len(text)
        out.append(text[:cut])
        text = text[cut:]
    return out


def _cited(sentence: str) -> list[int]:
    nums: list[int] = []
    for m in _CITE.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            if re.search(r"[\-–]", part):
                a, b = (int(x) for x in re.split(r"\s*[\-–]\s*", part)[:2])
                nums += list(range(a, b + 1)) if 0 < b - a < 10 else [a, b]
            else:
                nums.append(int(part))
    return nums


# Capitalised words that are not names: sentence openers, months and days, institutional words an English
# answer translates (the sources say "Métropole", "Conseil"…). Folded.
_NOT_NAME_WORDS = """
the a an it its this that these those they there he she we you i in on at for by of to and or but yes no not
according however also both each their his her with from as after before during since under while when if
le la les un une des du de et ou mais oui non en au aux par pour sur dans ce cette ces il elle ils elles
selon ainsi enfin cependant eur euro euros
metropolis metropolitan council board region regional department departmental city town municipal mayor
president chairman deputy member members article articles deliberation resolution session meeting committee
monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split()) | frozenset(_MONTHS)
_CAPITALISED = re.compile(r"(?<![\w'’\-])([A-ZÀ-Ý][\w'’\-]+)")
_AFTER_OPENING = re.compile(r"(?:^|[.!?:;«\"(\[\n]\s*)$")
# Words that say nothing of the sources' content, and the mark of a sentence about the question itself
# ("La question est…", "The question is…": what a small model writes when it has nothing to say).
_META = frozenset(textnorm.stems("question questions réponse réponses source sources registre demande "
                                 "answer sources registry asked"))
_QUESTION_STEM = textnorm.stems("question")[0]


def _names(sentence: str) -> list[str]:
    """The capitalised words of a sentence that may be names (not the sentence's opening word)."""
    out = []
    for m in _CAPITALISED.finditer(sentence):
        if _AFTER_OPENING.search(sentence[: m.start()]):
            continue
        word = m.group(1).strip("'’-")
        if len(word) >= 3 and textnorm.fold(word) not in _NOT_NAMES:
            out.append(word)
    return out


def _looping(sentence: str) -> bool:
    """A small model's loop inside one sentence ("Question : Question : Question…")."""
    words = textnorm.tokens(sentence)
    if len(words) < 8:
        return False
    top = max(words.count(w) for w in set(words))
    return top / len(words) > 0.3


@dataclass
class Removed:
    sentence: str
    missing: list[str]  # the figures not found in the cited sources (or the names, for "name")
    kind: str = "figures"  # figures | name | unsupported | echo


@dataclass
class Verifier:
    """Checks the model's sentences one by one as they arrive; renumbers the citations of those it keeps.

    A sentence is kept when it cites (or can be given) a source that holds every figure it states, when
    its names occur in the sources, and when it says something beyond the question. Figures of the
    registry's own answer that no source holds (totals, counts it computed) are allowed anywhere."""

    sources: list[Source]
    facts_text: str | None = None  # the registry's own answer
    exact_money: set[str] | None = None  # exact intents: amounts must be the registry's
    question: str = ""
    kept: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    bad_refs: set[int] = field(default_factory=set)
    order: dict[int, int] = field(default_factory=dict)  # source n -> final citation number
    cited_sentences: dict[int, list[str]] = field(default_factory=dict)  # source n -> sentences citing it
    attributed: int = 0  # sentences without a citation, given the source that holds them
    repeats: int = 0  # consecutive sentences said already (a small model looping)
    _seen: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.by_n = {s.n: s for s in self.sources}
        everywhere = Allowed()
        for src in self.sources:
            everywhere.add(src.facts)
        # Only what the registry computed itself (in no source) is allowed without a source.
        derived = extract_facts(self.facts_text) if self.facts_text else Facts()
        self.base = Allowed(
            numbers={n for c in derived.numbers if not c & everywhere.numbers for n in c},
            money={n for c in derived.money if not c & everywhere.numbers for n in c},
            dates=derived.dates - everywhere.dates,
            months={m for m in derived.months if m not in everywhere.months},
        )
        self.question_stems = set(textnorm.stems(self.question))
        vocab = " ".join([self.question, self.facts_text or ""]
                         + [" ".join([s.text, s.body_label or "", s.object or "", s.code or ""]) for s in self.sources])
        self.vocab = set(textnorm.tokens(vocab)) | set(textnorm.stems(vocab))
        self.source_stems = {s.n: set(textnorm.stems(s.text)) for s in self.sources}

    def _missing(self, facts: Facts, sources: list[int]) -> list[str]:
        """The figures of a sentence found neither in these sources nor among the registry's own."""
        allowed = Allowed(set(self.base.numbers), set(self.base.money), set(self.base.dates),
                          set(self.base.months))
        for n in sources:
            allowed.add(self.by_n[n].facts)
        missing = _absent(facts, allowed)
        if self.exact_money is not None:
            missing += [_shown(c) + " €" for c in facts.money if not c & self.exact_money]
        return list(dict.fromkeys(missing))

    def _unknown_names(self, body: str) -> list[str]:
        return [w for w in _names(body)
                if not ({textnorm.fold(w)} | set(textnorm.tokens(w)) | set(textnorm.stems(w))) & self.vocab]

    def _best_source(self, body: str) -> int | None:
        """For a sentence without figures nor citation: the source sharing most of its word stems."""
        stems = set(textnorm.stems(body)) - _META
        if len(stems) < 2:
            return None
        share, n = max(((len(stems & self.source_stems[s.n]) / len(stems), -s.n) for s in self.sources),
                       default=(0, 0))
        return -n if share >= 0.6 else None

    def _drop(self, body: str, missing: list[str], kind: str) -> str:
        self.removed.append(Removed(body, missing, kind))
        return ""

    def feed(self, sentence: str) -> str:
        """The sentence as it may be shown (citations renumbered), or "" when it is dropped."""
        sentence = _TAG.sub("", sentence)  # small models echo the prompt's markup
        body = sentence.strip()
        if not body or _ENUMERATOR.sub("", body).strip() in ("", "-"):
            return ""
        key = textnorm.fold(_strip_cites(body))
        if key in self._seen:  # small models loop: say it once
            self.repeats += 1
            return ""
        self._seen.add(key)
        self.repeats = 0
        words = set(textnorm.stems(_strip_cites(body)))
        content = words - _META
        restated = content <= self.question_stems and ("?" in body or len(content) < 2)
        if _looping(body) or _QUESTION_STEM in words or restated:
            return self._drop(body, [], "echo")  # says nothing beyond the question
        refs = _cited(body)
        valid = [n for n in dict.fromkeys(refs) if n in self.by_n]
        self.bad_refs |= {n for n in refs if n not in self.by_n}
        facts = extract_facts(body)
        missing = self._missing(facts, valid)
        if not valid:
            figures = facts.numbers or facts.dates or facts.months
            # Without a citation: cite the first source (registry first) that holds all its figures, or,
            # without figures, the source that holds most of its words.
            found = (next((s.n for s in self.sources if not self._missing(facts, [s.n])), None) if figures
                     else self._best_source(body))
            if found is None:
                return self._drop(body, missing, "figures" if missing else "unsupported")
            valid, missing = [found], []
            self.attributed += 1
            sentence = _END_PUNCT.sub(lambda m: f" [{found}]{m.group(1)}{m.group(2)}", sentence, count=1)
        if missing:
            return self._drop(body, missing, "figures")
        if unknown := self._unknown_names(_strip_cites(body)):
            return self._drop(body, unknown, "name")
        for n in valid:
            self.order.setdefault(n, len(self.order) + 1)
            self.cited_sentences.setdefault(n, []).append(body)

        def renumber(m: re.Match) -> str:
            ids = [self.order[n] for n in dict.fromkeys(_cited(m.group(0))) if n in self.order]
            return "".join(f"[{i}]" for i in ids)

        shown = _CITE.sub(renumber, sentence)
        shown = re.sub(r"[ \t]+([.,])", r"\1", shown)
        if not self.kept:
            shown = shown.lstrip()
        self.kept.append(shown)
        return shown

    @property
    def text(self) -> str:
        return "".join(self.kept).strip()

    def citations(self, *, registry_too: bool = False) -> list[Citation]:
        """The sources cited, in the order of the final [n]; with `registry_too`, the registry's own
        citations follow even when the model did not cite them (they back the exact figures kept)."""
        out = []
        numbers = [n for n, _ in sorted(self.order.items(), key=lambda kv: kv[1])]
        if registry_too:
            numbers += [s.n for s in self.sources if s.from_registry and s.n not in self.order]
        for n in numbers:
            src = self.by_n[n]
            if src.from_registry:
                out.append(Citation(id=src.id, source=src.source, part=src.part, quote=src.raw, start=src.start,
                                    end=src.end, body_label=src.body_label, session_date=src.session_date,
                                    code=src.code, object=src.object))
            else:
                out.append(src.citation(*self.cited_sentences[n]))
        return out


# -- generation ----------------------------------------------------------------------------------------

_NOTES = {
    "fr": {
        "removed": "{n} phrase(s) retirée(s) de la réponse du modèle : chiffres ou dates absents des sources "
                   "citées ({figs}).",
        "bad_refs": "Renvoi(s) à des sources inexistantes supprimé(s) : {refs}.",
        "attributed": "{n} phrase(s) sans renvoi : la source qui contient leurs chiffres a été ajoutée.",
        "unsupported": "{n} phrase(s) retirée(s) de la réponse du modèle : sans appui dans les sources.",
        "names": "{n} phrase(s) retirée(s) de la réponse du modèle : noms absents des sources ({names}).",
        "injection": "Un passage contenait une instruction adressée au modèle ; elle a été ignorée.",
        "fallback": "Réponse du modèle écartée : {why}. Voici la réponse composée sans modèle.",
        "why_error": "{msg}",
        "why_empty": "le modèle n'a renvoyé aucun texte",
        "why_nothing": "aucune de ses phrases n'a pu être vérifiée",
        "why_uncited": "elle ne cite aucune source",
        "why_exact": "elle ne reprend pas exactement les faits du registre ({figs})",
        "why_polarity": "elle ne dit pas oui ou non comme le registre",
        "why_check": "la vérification finale contre le registre a échoué ({problems})",
        "no_sources": "Aucune source à fournir au modèle : réponse composée sans modèle.",
        "llm": "Réponse rédigée par le modèle {label} à partir des sources citées, chiffres vérifiés.",
    },
    "en": {
        "removed": "{n} sentence(s) removed from the model's answer: figures or dates not found in the sources "
                   "cited ({figs}).",
        "bad_refs": "Reference(s) to sources that do not exist removed: {refs}.",
        "attributed": "{n} sentence(s) without a reference: the source holding their figures was added.",
        "unsupported": "{n} sentence(s) removed from the model's answer: not supported by the sources.",
        "names": "{n} sentence(s) removed from the model's answer: names not found in the sources ({names}).",
        "injection": "A passage contained an instruction addressed to the model; it was ignored.",
        "fallback": "The model's answer was set aside: {why}. Here is the answer composed without a model.",
        "why_error": "{msg}",
        "why_empty": "the model returned no text",
        "why_nothing": "none of its sentences could be verified",
        "why_uncited": "it cites no source",
        "why_exact": "it does not keep the registry's exact facts ({figs})",
        "why_polarity": "it does not say yes or no as the registry does",
        "why_check": "the final check against the registry failed ({problems})",
        "no_sources": "No source to give the model: answer composed without a model.",
        "llm": "Answer written by the model {label} from the sources cited, figures verified.",
    },
}


def _is_exact(facts_answer: Answer | None) -> bool:
    """Registry answers the LLM may phrase around but not change: any intent answered from the registry's
    structured facts (amounts, attendance, totals…), as opposed to a general search."""
    return bool(facts_answer and facts_answer.found and facts_answer.intent not in ("general", "search"))


def _fallback(facts_answer: Answer | None, question: str, language: str, notes: list[str],
              timings: dict[str, float]) -> Answer:
    if facts_answer is None:
        facts_answer = Answer(question=question, language="en" if language == "en" else "fr",
                              answer="", found=False)
    return facts_answer.model_copy(update={
        "notes": list(facts_answer.notes) + notes,
        "timings_ms": {**facts_answer.timings_ms, **timings},
        "backend": "none",
    })


_NEGATION = re.compile(r"\b(?:non|ne|pas|aucune?|jamais|ni|not|no|none|never|nobody)\b|\bn'|n't\b")
_SURNAME = re.compile(r"\b[A-ZÀ-Ý][A-ZÀ-Ý'’\-]{2,}\b")
MAX_REPEATS = 3  # sentences said again in a row: the model is looping, stop reading it


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(textnorm.fold(_strip_cites(text).replace("’", "'"))))


def _lost_facts(facts_text: str, text: str) -> list[str]:
    """What an exact registry answer states that `text` does not: its numbers, dates and the names it
    prints in capitals (surnames, codes)."""
    lost = _absent(extract_facts(facts_text), extract_facts(text).allowed())
    words = set(textnorm.tokens(text))
    lost += [w for w in dict.fromkeys(_SURNAME.findall(_strip_cites(facts_text)))
             if not set(textnorm.tokens(w)) <= words]
    return list(dict.fromkeys(lost))


def _final_check(registry, sentences: list[str], citations: list[Citation], allowed: list[str]) -> list[str]:
    """The registry's own check (`verify.Checker`, as for answers without a model), sentence by sentence:
    every citation is the registry's text at its span, and every number, date and article of a sentence
    is in the quotes it cites (or computed by the registry)."""
    from .verify import Checker

    checker = Checker(registry)
    problems: list[str] = []
    for sentence in sentences:
        cites = [citations[n - 1] for n in dict.fromkeys(_cited(sentence)) if 0 < n <= len(citations)]
        problems += checker.check_text(_strip_cites(sentence), cites, allowed)
    return list(dict.fromkeys(problems))


def generate(llm, question: str, language: str, history: Sequence[tuple[str, str] | dict] | None,
             facts_answer: Answer | None, passages: Sequence[Any],
             on_token: Callable[[str], None] | None = None, *,
             on_raw: Callable[[str], None] | None = None, registry=None) -> Answer:
    """An answer phrased by `llm` (an `assistant.llm.Backend`) from the registry facts and the passages.

    `on_token` receives the verified text as it is produced, sentence by sentence (citations renumbered
    as in the final answer). The returned Answer is authoritative: when it falls back to `facts_answer`,
    a note says so and consumers replace what was streamed. With `registry`, the answer is checked a last
    time against the registry's texts (`verify.Checker`) and set aside on any problem. `on_raw` receives
    the model's raw text pieces (debugging, tests). Never raises for a backend failure.
    """
    from ..llm import LLMError

    lang = "en" if language == "en" else "fr"
    say = _NOTES[lang]
    timings: dict[str, float] = {}
    sources = make_sources(facts_answer, passages)
    if not sources:
        return _fallback(facts_answer, question, lang, [say["no_sources"]], timings)
    exact = _is_exact(facts_answer)
    facts_text = facts_answer.answer if facts_answer and facts_answer.found else None
    exact_money = None
    if exact:
        base = extract_facts(facts_text or "").allowed()
        for s in sources:
            if s.from_registry:
                base.add(s.facts)
        exact_money = base.money
    verifier = Verifier(sources, facts_text=facts_text, exact_money=exact_money, question=question)
    notes = [say["injection"]] if any(s.injected for s in sources) else []

    def emit(sentence: str) -> None:
        shown = verifier.feed(sentence)
        if shown and on_token:
            on_token(shown)

    start = time.perf_counter()
    raw, buf = [], ""
    stream = None
    try:
        messages = build_messages(question, lang, history or [], sources, facts_text)
        stream = llm.stream(messages)
        for piece in stream:
            if not raw:
                timings["llm_first_token"] = round((time.perf_counter() - start) * 1000, 1)
            raw.append(piece)
            if on_raw:
                on_raw(piece)
            buf += piece
            while (cut := _boundary(buf)) is not None:
                emit(buf[:cut])
                buf = buf[cut:]
            if verifier.repeats >= MAX_REPEATS:
                buf = ""
                break
        if buf.strip():
            for sentence in split_sentences(buf):
                emit(sentence)
    except LLMError as exc:
        timings["llm"] = round((time.perf_counter() - start) * 1000, 1)
        msg = str(exc).rstrip(".")
        why = say["why_error"].format(msg=msg[:1].lower() + msg[1:])
        return _fallback(facts_answer, question, lang, notes + [say["fallback"].format(why=why)], timings)
    finally:
        if stream is not None and hasattr(stream, "close"):
            stream.close()  # a looping model is not read to its last token
    timings["llm"] = round((time.perf_counter() - start) * 1000, 1)

    by_kind: dict[str, list[Removed]] = {}
    for r in verifier.removed:
        by_kind.setdefault(r.kind, []).append(r)
    if figures := by_kind.get("figures"):
        figs = ", ".join(dict.fromkeys(f"« {f} »" for r in figures for f in r.missing))
        notes.append(say["removed"].format(n=len(figures), figs=figs))
    if named := by_kind.get("name"):
        names = ", ".join(dict.fromkeys(f"« {f} »" for r in named for f in r.missing))
        notes.append(say["names"].format(n=len(named), names=names))
    if unsupported := by_kind.get("unsupported", []) + by_kind.get("echo", []):
        notes.append(say["unsupported"].format(n=len(unsupported)))
    if verifier.attributed:
        notes.append(say["attributed"].format(n=verifier.attributed))
    if verifier.bad_refs:
        notes.append(say["bad_refs"].format(refs=", ".join(f"[{n}]" for n in sorted(verifier.bad_refs))))
    why = None
    citations = verifier.citations(registry_too=exact)
    if not "".join(raw).strip():
        why = say["why_empty"]
    elif not verifier.kept:
        why = say["why_nothing"]
    elif not verifier.order:
        why = say["why_uncited"]
    elif exact and (lost := _lost_facts(facts_text or "", verifier.text)):
        why = say["why_exact"].format(figs=", ".join(lost))
    elif exact and _negated(facts_text or "") != _negated(verifier.text):
        why = say["why_polarity"]
    elif registry is not None:
        from .verify import number_set, numbers

        # Figures the registry computed (totals, counts) and no source states: allowed, as without a model.
        stated = frozenset().union(*(number_set(s.raw) for s in sources))
        derived = [n for n in numbers(_strip_cites(facts_text or "")) if n not in stated]
        if problems := _final_check(registry, verifier.kept, citations, derived):
            why = say["why_check"].format(problems=" ; ".join(problems[:3]))
    if why:
        return _fallback(facts_answer, question, lang, notes + [say["fallback"].format(why=why)], timings)

    base = facts_answer or Answer(question=question, language=lang, answer="", found=False)
    label = getattr(llm, "label", str(llm))
    return base.model_copy(update={
        "question": question,
        "language": lang,
        "answer": verifier.text,
        "found": True,
        "citations": citations,
        "backend": label,
        "notes": list(base.notes if base.found else []) + notes + [say["llm"].format(label=label)],
        "timings_ms": {**base.timings_ms, **timings},
    })
