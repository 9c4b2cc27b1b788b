"""The shipped question set (eval/questions.yaml) through the real `ask`: at least 95 % must pass.

The corpus (the seed, the synthetic extracts, the hand-written ones) is ingested once into a temporary
registry. Each question is asked in a fresh session after its context, and scored by the evaluation's
own rules (assistant.evaluation.metrics: expected and forbidden strings, refusals, numbers found in
the sources, citations equal to the source text). The per-intent table is printed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import SHIPPED_SETS

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.yaml"
CORPUS = ROOT / "corpus"
PASS_RATE = 0.95


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory):
    from assistant.config import Settings
    from assistant.core import Assistant

    settings = Settings.load(data_dir=tmp_path_factory.mktemp("questions") / "data", llm_backend="none")
    a = Assistant(settings)
    report = a.ingest(SHIPPED_SETS, embed=False)
    assert report.failed == 0, report.summary()
    yield a
    a.close()


@pytest.fixture(scope="session")
def question_set():
    from assistant.evaluation.questions import load_questions

    return load_questions(QUESTIONS)


def _run(a, questions, mode):
    from assistant.evaluation import metrics

    docs = metrics.RegistryDocs(a.registry)
    results = []
    for q in questions:
        session = f"test-{q.id}-{uuid.uuid4().hex[:6]}"
        for previous in q.context:
            a.ask(previous, session=session, mode=mode)
        results.append(metrics.score(q, a.ask(q.question, session=session, mode=mode), docs))
    return results


def _table(results, mode: str) -> str:
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for key in (r.intent, f"[{r.language}]"):
            by[key][0] += r.passed
            by[key][1] += 1
    passed = sum(r.passed for r in results)
    lines = [f"Question set ({mode}): {passed}/{len(results)} passed ({passed / len(results):.1%})",
             f"{'intent':16} {'passed':>7} {'total':>6}"]
    lines += [f"{k:16} {p:7d} {n:6d}" for k, (p, n) in sorted(by.items(), key=lambda kv: (kv[0][0] == "[", kv[0]))]
    for r in results:
        if not r.passed:
            lines.append(f"  FAILED {r.id}: {'; '.join(r.reasons)}")
    return "\n".join(lines)


def test_the_set_covers_what_it_must(question_set):
    intents = {q.intent for q in question_set}
    assert len(question_set) >= 60
    assert intents >= {"amount", "beneficiary", "purpose", "date", "signatory", "members", "present_count", "vote",
                       "budget", "cofinancers", "total", "count", "general"}
    assert {q.language for q in question_set} == {"fr", "en"}
    assert sum(q.none for q in question_set) >= 8
    assert sum(bool(q.context) for q in question_set) >= 6
    assert all(q.sources or q.none for q in question_set if q.intent != "count")
    names = {p.name for p in CORPUS.rglob("*.txt")}
    assert {s for q in question_set for s in q.sources} <= names


def _check(results, mode, capsys):
    table = _table(results, mode)
    with capsys.disabled():
        print("\n" + table)
    rate = sum(r.passed for r in results) / len(results)
    assert rate >= PASS_RATE, table
    assert sum(r.invalid_citations for r in results) == 0, table


def test_question_set_lexical(corpus_assistant, question_set, capsys):
    _check(_run(corpus_assistant, question_set, "lexical"), "lexical", capsys)


@pytest.mark.slow
@pytest.mark.model
def test_question_set_hybrid(corpus_assistant, question_set, capsys):
    corpus_assistant.index.sync()
    _check(_run(corpus_assistant, question_set, "hybrid"), "hybrid", capsys)
