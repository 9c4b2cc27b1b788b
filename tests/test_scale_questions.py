"""The scale question set (assistant/evaluation/scale.py): questions drawn from the generator's truth,
each naming facts that only one deliberation matches among all the truths."""

from __future__ import annotations

import copy
import json
import re

from assistant.evaluation.scale import (
    KINDS,
    OBJECT_WORDS,
    Uniqueness,
    candidates,
    load_truths,
    scale_questions,
)
from assistant.formats import format_date, format_money
from assistant.synth import generate
from assistant.textnorm import match_key


def _truth(file: str, *, date: str = "2019-03-14", body: str = "Bureau de la Métropole",
           beneficiary: str | None = "Association Les Amis de l'Exemple", cents: int = 1500000,
           code: str | None = "MET 19/0001/BM", obj: str = "Attribution d'une subvention aux Amis de l'Exemple"):
    return {
        "file": file, "session_date": date, "body_label": body, "object": obj,
        "codes": [{"code": code, "kind": "registre"}] if code else [],
        "amounts": [{"cents": cents, "beneficiary": beneficiary, "article": 1, "year": None}] if beneficiary else [],
    }


def _matches(truth: dict, question, source: dict) -> bool:
    """Brute force: does this truth match what the question (asked about `source`) names?"""
    kind, text = question.tags.intent, question.question
    if kind == "code":
        return any(re.search(rf"(?<!\S){re.escape(c['code'])}(?!\S)", text.rstrip(" ?")) for c in truth["codes"])
    if kind == "grant":
        return truth["session_date"][:4] in text and any(
            a.get("beneficiary") and a["beneficiary"] in text and format_money(a["cents"]) in text
            for a in truth["amounts"])
    named_object = " ".join(source["object"].split()[:OBJECT_WORDS])
    return (truth["body_label"] in text and format_date(truth["session_date"]) in text
            and match_key(named_object) in match_key(truth["object"]))


def test_a_question_names_facts_only_its_deliberation_matches():
    truths = [s.truth for s in generate(120, 7)]
    questions = scale_questions(truths, n=60, seed=3)
    assert len(questions) >= 40
    assert {q.tags.intent for q in questions} == set(KINDS)
    by_file = {t["file"]: t for t in truths}
    for q in questions:
        assert q.tags.set == "synthetic" and len(q.sources) == 1
        source = by_file[q.sources[0]]
        assert _matches(source, q, source), q.question
        assert sum(_matches(t, q, source) for t in truths) == 1, q.question


def test_shared_facts_are_never_asked():
    twin = _truth("a.txt")
    other = {**copy.deepcopy(twin), "file": "b.txt"}  # same grant, same code, same session and object
    unique = Uniqueness([twin, other])
    assert all(unique.count(named) == 2 for named in candidates(twin).values())
    assert scale_questions([twin, other], n=2) == []


def test_the_next_kind_is_asked_when_the_first_is_shared():
    a = _truth("a.txt", code="MET 19/0001/BM")
    b = _truth("b.txt", code="MET 19/0002/BM", obj="Attribution d'une subvention aux Amis de l'Exemple pour 2019")
    # Same grant (beneficiary, amount, year), and a's object is the start of b's: only the codes tell them apart.
    questions = scale_questions([a, b], n=2, seed=0)
    assert sorted(q.tags.intent for q in questions) == ["code", "code"]
    assert {q.sources[0]: q.expected for q in questions} == {"a.txt": ["MET 19/0001/BM"], "b.txt": ["MET 19/0002/BM"]}
    # Another year: the grant is no longer shared, and is asked on its turn.
    c = _truth("c.txt", date="2020-03-12", code="MET 19/0001/BM")
    grant = candidates(c)["grant"]
    assert Uniqueness([a, c]).count(grant) == 1 and Uniqueness([a, c]).count(candidates(c)["code"]) == 2
    (asked,) = scale_questions([c], n=1, seed=0)  # the first question's turn is a grant's
    assert asked.tags.intent == "grant" and "15 000 €" in asked.question and "2020" in asked.question


def test_truths_are_read_from_the_generated_folder(tmp_path):
    for t in (_truth("a.txt"), _truth("b.txt", code="MET 19/0002/BM")):
        (tmp_path / (t["file"][:-4] + ".truth.json")).write_text(json.dumps(t), encoding="utf-8")
    (tmp_path / "a.txt").write_text("texte", encoding="utf-8")
    assert [t["file"] for t in load_truths(tmp_path)] == ["a.txt", "b.txt"]
