"""The question set through `ask` with a real model (SmolLM2-135M, `local` backend): what the model writes
may be poor, but nothing it invents may reach an answer.

A sample of eval/questions.yaml (every question the corpus cannot answer, every open question, and the
first question of each other intent, follow-ups replayed in their session) runs through the eval's `llm`
configuration. The guarantees are the evaluation's own counters: no invented answer, no number outside
the sources, no citation that is not the registry's text, no forbidden string, no error; and every
answer the model wrote passes the registry's checker. Lexical retrieval: the guarantees do not depend on
the dense index, and building it would cost minutes here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHIPPED_SETS

from assistant.answer.verify import check_answer
from assistant.config import Settings
from assistant.core import Assistant
from assistant.evaluation import load_questions, metrics, report, runner

ROOT = Path(__file__).resolve().parents[1]


def sample(questions):
    """Unanswerable and open questions, and one question of every other intent."""
    seen: set[str] = set()
    out = []
    for q in questions:
        if q.none or q.intent == "general" or q.intent not in seen:
            out.append(q)
            seen.add(q.intent)
    return out


class Recording:
    """The eval's answerer, keeping every Answer it gives (the runner only keeps scores)."""

    def __init__(self, answerer):
        self.answerer, self.answers = answerer, []

    def ask(self, question, **kw):
        answer = self.answerer.ask(question, **kw)
        self.answers.append(answer)
        return answer

    def __getattr__(self, name):
        return getattr(self.answerer, name)


@pytest.mark.slow
@pytest.mark.llm
def test_question_sample_with_the_local_model_invents_nothing(tmp_path):
    pytest.importorskip("llama_cpp", reason="the llm extra (llama-cpp-python) is not installed")
    questions = sample(load_questions(ROOT / "eval" / "questions.yaml"))
    assert sum(q.none for q in questions) >= 5 and sum(q.intent == "general" for q in questions) >= 3

    settings = Settings.load(data_dir=tmp_path / "data")
    a = Assistant(settings)
    try:
        a.ingest(SHIPPED_SETS, embed=False)
    finally:
        a.close()
    config = runner.load_config("llm").model_copy(update={"mode": "lexical"})
    assert config.llm and config.settings["llm_backend"] == "local"
    answerer = Recording(runner.build_answerer(config, settings))
    try:
        result = runner.run(questions, answerer, metrics.RegistryDocs(answerer.registry), config, warmup=False)
        # Every answer the model wrote (context turns included), checked again by the registry's own
        # checker, citation markers aside.
        written = [x for x in answerer.answers if x.backend not in (None, "none")]
        for answer in written:
            plain = answer.model_copy(update={"answer": re.sub(r"\s*\[\d+\]", "", answer.answer)})
            assert check_answer(plain, answerer.registry) == [], (answer.answer, answer.citations)
    finally:
        answerer.close()
    paths = report.write_reports([result], ROOT / "tests" / "artefacts" / "eval-llm",
                                 question_set="eval/questions.yaml (échantillon)")
    m = result.metrics
    print(f"\n{len(questions)} questions, {len(written)} answers written by the model, "
          f"pass rate {m['pass_rate']:.1%}, latency p50 {m['latency_p50_ms']:.0f} ms (report: {paths['markdown']})")
    asked = [x for x in answerer.answers if any("modèle" in n or "model" in n for n in x.notes)]
    assert len(asked) >= 5, "the model was hardly asked: the LLM path was not exercised"
    problems = {k: m[k] for k in ("false_answers", "unsupported_numbers", "invalid_citations",
                                  "forbidden_violations", "errors") if m[k]}
    assert not problems, (problems, report.failures_section(result))
