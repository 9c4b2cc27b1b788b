"""Scoring one answer against its question, and aggregating the scores of a run.

Per question: pass/fail with the reasons, expected-string recall, forbidden strings found, retrieval
recall@k and reciprocal rank against the expected sources, citation precision and recall, refusal
outcome on `none` questions, numbers stated without support in the cited sources, latency.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import PurePath
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from ..models import Answer
from . import matching
from .questions import Question

Refusal = Literal["correct_refusal", "false_answer", "false_refusal"]


class Documents(Protocol):
    """What scoring needs to know about the corpus: a document's file name and raw text by id."""

    def source(self, doc_id: str) -> str | None: ...

    def text(self, doc_id: str) -> str | None: ...


class DictDocs:
    """Documents from plain dicts (tests, and the naive baseline's own corpus)."""

    def __init__(self, sources: dict[str, str], texts: dict[str, str] | None = None):
        self._sources, self._texts = sources, texts or {}

    def source(self, doc_id: str) -> str | None:
        return self._sources.get(doc_id)

    def text(self, doc_id: str) -> str | None:
        return self._texts.get(doc_id)


class RegistryDocs:
    """Documents read from the registry (cached: a run asks for the same records many times)."""

    def __init__(self, registry):
        self.registry = registry
        self._cache: dict[str, tuple[str, str] | None] = {}

    def _get(self, doc_id: str) -> tuple[str, str] | None:
        if doc_id not in self._cache:
            rec = self.registry.get(doc_id)
            self._cache[doc_id] = (rec.source, rec.raw_text) if rec else None
        return self._cache[doc_id]

    def source(self, doc_id: str) -> str | None:
        got = self._get(doc_id)
        return got[0] if got else None

    def text(self, doc_id: str) -> str | None:
        got = self._get(doc_id)
        return got[1] if got else None


class QuestionResult(BaseModel):
    id: str
    question: str
    context: list[str] = Field(default_factory=list)
    intent: str
    language: str
    set: str = "real"  # the question set it belongs to (questions.SETS)
    none: bool
    answer: str = ""
    found: bool = False
    backend: str = "none"
    answer_intent: str | None = None
    notes: list[str] = Field(default_factory=list)  # the assistant's own notes (fallbacks, replaced LLM text)
    passed: bool = False
    reasons: list[str] = Field(default_factory=list)  # why it failed, in French
    error: str | None = None
    expected_ok: bool = False
    expected_recall: float | None = None  # None on `none` questions without expected strings
    missing: list[str] = Field(default_factory=list)
    forbidden_found: list[str] = Field(default_factory=list)
    expected_sources: list[str] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)  # retrieved document file names, best first
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    # The retriever alone (same mode), on standalone questions: isolates retrieval from the facts path.
    search_recall_at_k: float | None = None
    search_reciprocal_rank: float | None = None
    search_ms: float | None = None
    cited: list[str] = Field(default_factory=list)  # distinct cited document file names
    supporting: list[str] = Field(default_factory=list)  # cited and expected or verified-supporting
    citation_precision: float | None = None
    citation_recall: float | None = None
    invalid_citations: int = 0  # quote differs from the source text at its span
    refusal: Refusal | None = None
    unsupported_numbers: list[str] = Field(default_factory=list)
    latency_ms: float | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)


def source_key(name: str) -> str:
    """Compare documents by file stem: "corpus/000_ab.txt" = "000_ab.txt" = "000_ab"."""
    return PurePath(name).stem.lower()


def _doc_name(doc_id: str, docs: Documents) -> str:
    return docs.source(doc_id) or doc_id


def retrieval_scores(retrieved: list[str], expected: list[str], k: int) -> tuple[float, float]:
    """(recall@k, reciprocal rank) of retrieved file names against expected ones."""
    want = {source_key(s) for s in expected}
    ranked = []
    for name in retrieved:  # distinct, order kept
        if source_key(name) not in ranked:
            ranked.append(source_key(name))
    recall = len(want & set(ranked[:k])) / len(want)
    rank = next((i for i, key in enumerate(ranked, 1) if key in want), None)
    return recall, (1.0 / rank if rank else 0.0)


_AMOUNT = re.compile(r"(\d+(?:[ \u00a0\u202f.]\d{3}(?!\d))*(?:,\d{1,2})?)\s*(?:€|euros?\b|EUR\b)", re.IGNORECASE)


def _derived_numbers(answer: Answer, docs: Documents | None = None) -> set[str]:
    """Numbers an answer may state without quoting them: totals of the cited amounts, counts."""
    # an open-data row's amount is its amount cell (its object may name other sums); a text's, its "… €"
    per_quote = [_row_amount(c.quote, docs.text(c.id) if docs else None)
                 or [matching._norm_number(m.group(1)) for m in _AMOUNT.finditer(c.quote)] for c in answer.citations]
    derived = {str(len(answer.citations)), str(len({c.id for c in answer.citations}))}

    def total(values: Iterable[str]) -> str:
        cents = sum(round(float(v.replace(",", ".")) * 100) for v in values)
        return matching._norm_number(f"{cents // 100},{cents % 100:02d}")

    if any(per_quote):
        derived.add(total(v for q in per_quote for v in q))
        derived.add(total(q[0] for q in per_quote if q))
    return derived


def _row_amount(quote: str, document: str | None) -> list[str]:
    """The amount of a cited open-data row, which prints no currency ("…;2400.0;…"): the cell under the
    file's amount column (SCDL names), read with the csv module from the document's header line."""
    import csv
    import io

    from ..opendata.read import column_key, columns

    if not document or "\n" not in document:
        return []
    header = document.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = {column_key(n) for n in columns()["subventions"]["columns"]["amount"]}
    try:
        head, row = list(csv.reader(io.StringIO(f"{header}\n{quote}", newline=""), delimiter=delimiter))[:2]
        cell = next(v for k, v in zip(head, row, strict=True) if column_key(k) in names)
        value = f"{float(cell.replace(' ', '').replace(',', '.')):.2f}"
    except (ValueError, StopIteration):
        return []
    return [matching._norm_number(value.replace(".", ","))]


def unsupported_numbers(answer: Answer, question: Question, docs: Documents) -> list[str]:
    """Numbers in the answer found neither in the question, nor in a cited quote or cited document,
    nor as a total/count of what is cited. Must be empty: a number is a fact, facts are quoted."""
    allowed: set[str] = set()
    for text in [question.question, *question.context]:
        allowed |= matching.source_numbers(text)
    for c in answer.citations:
        allowed |= matching.source_numbers(c.quote)
    for doc_id in {c.id for c in answer.citations}:
        allowed |= _numbers_of(docs.text(doc_id) or "")
    allowed |= _derived_numbers(answer, docs)
    text = _CITATION_MARK.sub(" ", answer.answer)  # "[6]" refers to a citation: not a fact
    return [n for n in matching.answer_numbers(text) if n not in allowed]


_CITATION_MARK = re.compile(r"\[\d+\]")


@lru_cache(maxsize=64)
def _numbers_of(text: str) -> frozenset[str]:
    """The numbers of a source, in figures or in French words ("le huit décembre deux mil vingt-deux")."""
    from text_to_num import alpha2digit

    spelled = alpha2digit(re.sub(r"\bmil\b", "mille", text), "fr")
    return frozenset(matching.source_numbers(text) | matching.source_numbers(spelled))


def _citation_scores(answer: Answer, question: Question, docs: Documents) -> tuple[list[str], list[str], int]:
    """(cited file names, supporting ones, invalid citations). A cited document supports the answer
    when it is an expected source or one of its quotes holds an expected string (verified support)."""
    want = {source_key(s) for s in question.sources}
    needles = [s for option in [question.expected, *question.alternatives] for s in option]
    cited: list[str] = []
    supporting: list[str] = []
    invalid = 0
    by_doc: dict[str, list[str]] = defaultdict(list)
    for c in answer.citations:
        name = c.source or _doc_name(c.id, docs)
        by_doc[name].append(c.quote)
        raw = docs.text(c.id)
        if raw is not None and raw[c.start:c.end] != c.quote:
            invalid += 1
    for name, quotes in by_doc.items():
        cited.append(name)
        quote_text = "\n".join(quotes)
        if source_key(name) in want or any(matching.found_strings(quote_text, needles)):
            supporting.append(name)
    return cited, supporting, invalid


def score(question: Question, answer: Answer | None, docs: Documents, *, k: int = 5,
          latency_ms: float | None = None, error: str | None = None,
          searched: list[str] | None = None, search_ms: float | None = None) -> QuestionResult:
    """Score one answer (None when asking raised `error`); `searched`: the retriever's own ranking of
    deliberation ids for the question, when measured."""
    r = QuestionResult(id=question.id, question=question.question, context=question.context,
                       intent=question.intent, language=question.language, set=question.set, none=question.none,
                       expected_sources=question.sources, latency_ms=latency_ms, error=error,
                       search_ms=search_ms)
    if searched is not None and question.sources:
        r.search_recall_at_k, r.search_reciprocal_rank = retrieval_scores(
            [_doc_name(i, docs) for i in searched], question.sources, k)
    if answer is None:
        r.reasons.append(f"erreur : {error}")
        return r
    r.answer, r.found, r.backend, r.answer_intent = answer.answer, answer.found, answer.backend, answer.intent
    r.timings_ms, r.notes = answer.timings_ms, answer.notes
    if question.expected or any(question.alternatives):
        r.expected_ok, r.expected_recall, r.missing = matching.best_expected(
            answer.answer, question.expected, question.alternatives)
    else:
        r.expected_ok = True
    r.forbidden_found = matching.forbidden_hits(answer.answer, question.forbidden)
    r.retrieved = [_doc_name(i, docs) for i in answer.retrieved]
    if question.sources:
        r.recall_at_k, r.reciprocal_rank = retrieval_scores(r.retrieved, question.sources, k)
    r.cited, r.supporting, r.invalid_citations = _citation_scores(answer, question, docs)
    if not question.none and question.sources:  # without expected sources, precision is not measurable
        if r.cited:
            r.citation_precision = len(r.supporting) / len(r.cited)
        if question.sources:
            want = {source_key(s) for s in question.sources}
            r.citation_recall = len(want & {source_key(c) for c in r.cited}) / len(want)
    if question.none:
        r.refusal = "false_answer" if answer.found else "correct_refusal"
    elif not answer.found:
        r.refusal = "false_refusal"
    r.unsupported_numbers = unsupported_numbers(answer, question, docs)
    r.reasons = _reasons(r)
    r.passed = not r.reasons
    return r


def _reasons(r: QuestionResult) -> list[str]:
    out = []
    if r.refusal == "false_answer":
        out.append("a répondu alors que le corpus ne contient pas la réponse")
    if r.refusal == "false_refusal":
        out.append("a dit ne pas savoir alors que la réponse est dans le corpus")
    if not r.expected_ok:
        out.append("attendu absent : " + ", ".join(f"« {s} »" for s in r.missing))
    if r.forbidden_found:
        out.append("interdit présent : " + ", ".join(f"« {s} »" for s in r.forbidden_found))
    if r.unsupported_numbers:
        out.append("nombre sans source : " + ", ".join(r.unsupported_numbers))
    if r.invalid_citations:
        out.append(f"{r.invalid_citations} citation(s) qui ne correspondent pas au texte source")
    return out


# -- aggregation ---------------------------------------------------------------------------------

def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    return float(np.percentile(values, q)) if values else None


def aggregate(results: list[QuestionResult]) -> dict:
    """The run's metrics (None where a metric has no question to be measured on)."""
    answerable = [r for r in results if not r.none]
    nones = [r for r in results if r.none]
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]
    return {
        "questions": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": (sum(r.passed for r in results) / len(results)) if results else None,
        "errors": sum(r.error is not None for r in results),
        "expected_recall": _mean(r.expected_recall for r in answerable),
        "forbidden_violations": sum(len(r.forbidden_found) for r in results),
        "recall_at_k": _mean(r.recall_at_k for r in results),
        "mrr": _mean(r.reciprocal_rank for r in results),
        "search_recall_at_k": _mean(r.search_recall_at_k for r in results),
        "search_mrr": _mean(r.search_reciprocal_rank for r in results),
        "citation_precision": _mean(r.citation_precision for r in results),
        "citation_recall": _mean(r.citation_recall for r in results),
        "invalid_citations": sum(r.invalid_citations for r in results),
        "none_questions": len(nones),
        "refusal_accuracy": (sum(r.refusal == "correct_refusal" for r in nones) / len(nones)) if nones else None,
        "false_answers": sum(r.refusal == "false_answer" for r in results),
        "false_refusals": sum(r.refusal == "false_refusal" for r in results),
        "unsupported_numbers": sum(len(r.unsupported_numbers) for r in results),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "search_p50_ms": percentile([r.search_ms for r in results if r.search_ms is not None], 50),
        "search_p95_ms": percentile([r.search_ms for r in results if r.search_ms is not None], 95),
    }


def breakdown(results: list[QuestionResult], key: Callable[[QuestionResult], str],
              order: tuple[str, ...] | None = None) -> dict[str, dict]:
    """Metrics per group, by name or in `order` (groups not in it last, by name)."""
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    rank = {name: i for i, name in enumerate(order or ())}
    names = sorted(groups, key=lambda n: (rank.get(n, len(rank)), n))
    return {name: aggregate(groups[name]) for name in names}


# Which direction is better, for comparisons and threshold checks.
HIGHER_IS_BETTER = {
    "pass_rate", "expected_recall", "recall_at_k", "mrr", "citation_precision", "citation_recall",
    "refusal_accuracy", "passed", "search_recall_at_k", "search_mrr",
}
LOWER_IS_BETTER = {
    "forbidden_violations", "false_answers", "false_refusals", "unsupported_numbers", "invalid_citations",
    "errors", "latency_p50_ms", "latency_p95_ms", "search_p50_ms", "search_p95_ms",
}


def check_set_thresholds(by_set: dict[str, dict], thresholds: dict) -> list[str]:
    """Failures of each set's metrics against thresholds["sets"][name] ({"min": …, "max": …}); a set
    with thresholds but no question in the run fails (the gate cannot be skipped by leaving it out)."""
    out = []
    for name, limits in (thresholds.get("sets") or {}).items():
        if name not in by_set:
            out.append(f"jeu « {name} » : aucune question évaluée")
            continue
        out += [f"jeu « {name} » : {f}" for f in check_thresholds(by_set[name], limits)]
    return out


def check_thresholds(metrics: dict, thresholds: dict) -> list[str]:
    """Failures, in French, of `metrics` against {"min": {name: value}, "max": {name: value}}."""
    failures = []
    for name, floor in (thresholds.get("min") or {}).items():
        value = metrics.get(name)
        if value is None or value < floor:
            failures.append(f"{name} = {_fmt(value)} < minimum {floor}")
    for name, ceiling in (thresholds.get("max") or {}).items():
        value = metrics.get(name)
        if value is None or value > ceiling:
            failures.append(f"{name} = {_fmt(value)} > maximum {ceiling}")
    return failures


def _fmt(value) -> str:
    return "—" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
