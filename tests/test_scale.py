"""Answers on a large registry: what makes `ask` fast must not change what it answers.

- The registry's state signature (`Registry.state`) changes with every record added, changed or deleted,
  by any connection; the answers' catalog follows it (a new record is seen by the next question, a
  deleted one is gone).
- The catalog built from SQL holds the same names, persons and topics as the records themselves.
- `facts.select` narrowed in SQL keeps exactly what a scan of every record keeps, for every question
  of the shipped question set over the shipped corpus; name and topic matching with the catalog's
  indexed pools finds what a plain list finds.
- An older registry gains its match texts when opened (migration with backfill).
- An amount asked is looked up in SQL (`Registry.ids_with_amount`): the answer is the one a reading of
  every record of the period gives.
- The app's start builds the answers' catalog (pools, topics' index, match texts) in the background,
  once, questions asked meanwhile waiting for it.

Timings are the benchmark's business (eval/bench.py --synthetic 10000 --no-dense), not the tests'.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from conftest import SEED_ID

from assistant import textnorm
from assistant.answer import facts
from assistant.answer.understand import (
    NamePool,
    TopicPool,
    _best_part,
    candidate_phrases,
    match_names,
    match_topics,
    understand,
)
from assistant.registry import MIGRATIONS, Registry, decided_text, match_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.yaml"
SEED_SOURCE = f"{SEED_ID}.txt"
CDM_2019 = "Quel montant a été accordé à la Cité des Métiers en 2019 ?"


def _parse(text: str, rec_id: str, source: str):
    from assistant.ingest import parse

    return parse(text, id=rec_id, source=source)


@pytest.fixture
def seeded(assistant, seed_text):
    assistant.registry.save(_parse(seed_text, SEED_ID, SEED_SOURCE))
    return assistant


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped corpus in a registry of its own (ingested once for the module), lexical only."""
    from assistant.config import Settings
    from assistant.core import Assistant

    a = Assistant(Settings.load(data_dir=tmp_path_factory.mktemp("scale") / "data", llm_backend="none"))
    report = a.ingest([CORPUS], embed=False)
    assert report.failed == 0, report.summary()
    yield a
    a.close()


# -- the state signature ---------------------------------------------------------------------------


def test_state_changes_with_every_write_and_only_then(registry, seed_text, tmp_path):
    rec = _parse(seed_text, SEED_ID, SEED_SOURCE)
    empty = registry.state()
    assert registry.save(rec) == "added"
    added = registry.state()
    assert added != empty
    assert registry.save(rec) == "unchanged"
    assert registry.state() == added  # re-reading an unchanged file is no change
    registry.conn.execute("SELECT count(*) FROM deliberations").fetchone()
    assert registry.state() == added
    with Registry(registry.path) as other:  # another connection sees the same state, and its writes
        assert other.state() == added
        other.delete(SEED_ID)
    deleted = registry.state()
    assert deleted not in (empty, added)
    # Two registry files never share a signature, even at the same count of writes.
    with Registry(tmp_path / "other" / "registry.sqlite") as fresh:
        assert fresh.state() != empty


def test_a_new_record_is_seen_by_the_next_question_and_a_deleted_one_is_gone(seeded, seed_text):
    a = seeded
    first = a.ask(CDM_2019, mode="lexical")
    assert first.found and "20 000" in first.answer
    question = "Quel montant a été accordé à la Maison Zéphyrine en 2019 ?"
    before = a.ask(question, mode="lexical")
    assert "31 000" not in before.answer

    other_text = seed_text.replace("Cité des Métiers", "Maison Zéphyrine").replace("20 000", "31 000")
    assert a.registry.save(_parse(other_text, "zephyrine", "zephyrine.txt")) == "added"
    after = a.ask(question, mode="lexical")
    assert after.found, after.answer
    assert "31 000" in after.answer and "Zéphyrine" in after.answer
    assert {c.id for c in after.citations} == {"zephyrine"}
    assert a.ask(CDM_2019, mode="lexical").answer == first.answer  # the other record is still answered

    assert a.registry.delete("zephyrine")
    gone = a.ask(question, mode="lexical")
    assert "31 000" not in gone.answer
    assert "zephyrine" not in {c.id for c in gone.citations}
    assert "zephyrine" not in facts.catalog(a.registry).by_id


def test_a_changed_record_is_read_again(seeded, seed_text):
    a = seeded
    assert "20 000" in a.ask(CDM_2019, mode="lexical").answer
    changed = _parse(seed_text.replace("20 000", "25 000"), SEED_ID, SEED_SOURCE)
    assert a.registry.save(changed) == "updated"
    answer = a.ask(CDM_2019, mode="lexical")
    assert "25 000" in answer.answer and "20 000" not in answer.answer


# -- the catalog -------------------------------------------------------------------------------------


def _catalog_from_records(records):
    """The catalog's names, persons and topics as the records say them (the former full-scan build)."""
    names, persons, topics = set(), set(), set()
    for r in records:
        names |= {(b, textnorm.match_key(b)) for b in r.beneficiaries}
        names |= {(a.beneficiary, textnorm.match_key(a.beneficiary)) for a in r.amounts
                  if a.beneficiary and a.article is not None}
        people = [m.name for m in r.present + r.represented + r.excused + r.absent]
        people += [m.proxy for m in r.represented if m.proxy]
        if r.signatory and r.signatory.name:
            people.append(r.signatory.name)
        if r.president:
            people.append(r.president.name)
        persons |= {(p, textnorm.match_key(p)) for p in people}
        if r.object:
            topics.add((facts.clean(r.object.text), textnorm.match_key(r.object.text)))
        topics |= {(facts.clean(a.purpose), textnorm.match_key(a.purpose)) for a in r.amounts if a.purpose}
    return sorted(names), sorted(persons), sorted(topics)


def test_catalog_from_sql_holds_what_the_records_hold(shipped):
    cat = facts.catalog(shipped.registry)
    records = list(shipped.registry.all())
    names, persons, topics = _catalog_from_records(records)
    assert len(records) > 200 and len(topics) > 200
    assert list(cat.names) == names
    assert list(cat.persons) == persons
    assert list(cat.topics) == topics
    assert cat.ordered_ids == [r.id for r in records]
    assert [r.id for r in cat.records] == cat.ordered_ids
    assert facts.catalog(shipped.registry) is cat  # nothing changed: the same catalog


def test_records_are_read_lazily(shipped):
    first = shipped.registry.ids()[0]
    copy = shipped.registry.get(first).model_copy(update={"id": "copy", "path": None})
    assert shipped.registry.save(copy) == "added"
    cat = facts.catalog(shipped.registry)  # a new state: a new catalog, nothing read yet
    assert dict(cat.by_id) == {}  # what verify.Checker copies: the records read, not the registry
    rec_id = cat.ordered_ids[3]
    assert rec_id in cat.by_id and "nope" not in cat.by_id
    assert cat.by_id.get("nope") is None
    with pytest.raises(KeyError):
        cat.by_id["nope"]
    assert cat.by_id[rec_id] == shipped.registry.get(rec_id)
    assert cat.by_id.get(rec_id) is cat.by_id[rec_id]
    assert list(dict(cat.by_id)) == [rec_id]
    assert shipped.registry.delete("copy") and shipped.registry.get(first) is not None


def test_match_texts_hold_the_records_keys(shipped):
    texts = shipped.registry.match_texts()
    for rec in list(shipped.registry.all())[:40]:
        assert texts[rec.id] == match_text(rec.own_text, decided_text(rec))


def test_an_older_registry_gains_its_match_texts(tmp_path, seed_text):
    path = tmp_path / "old" / "registry.sqlite"
    with Registry(path) as reg:
        reg.save(_parse(seed_text, SEED_ID, SEED_SOURCE))
        expected = reg.match_texts()
    con = sqlite3.connect(path)  # as a registry made before the migration was
    with con:
        con.execute("DROP TABLE match_texts")
        con.execute("DELETE FROM _migrations WHERE name = '003_match_texts'")
    con.close()
    with Registry(path) as reg:
        assert reg.match_texts() == expected
        assert reg.schema_version() == MIGRATIONS[-1][0]


# -- selections: narrowed = scanned ----------------------------------------------------------------


def _standalone_questions():
    from assistant.evaluation.questions import load_questions

    return [q.question for q in load_questions(QUESTIONS)]


def test_select_narrowed_in_sql_keeps_what_a_full_scan_keeps(shipped):
    cat = facts.catalog(shipped.registry)
    every = list(cat.ordered_ids)
    checked = nonempty = 0
    for question in _standalone_questions():
        q = understand(question, names=cat.names, persons=cat.persons, topics=cat.topics)
        for use_years in (True, False):
            narrowed = [r.id for r in facts.select(cat, q, use_years=use_years)]
            # deliberation_ids given: select reads every listed record and filters them all in Python.
            scanned = [r.id for r in facts.select(cat, dataclasses.replace(q, deliberation_ids=every),
                                                  use_years=use_years)]
            assert narrowed == scanned, (question, use_years)
            checked += 1
            nonempty += bool(narrowed) and len(narrowed) < len(every)
    assert checked > 100 and nonempty > 30  # the questions do narrow (no vacuous equality)


def test_pools_match_what_plain_lists_match(shipped):
    cat = facts.catalog(shipped.registry)
    assert isinstance(cat.names, NamePool) and isinstance(cat.topics, TopicPool)
    plain = {"names": list(cat.names), "persons": list(cat.persons), "topics": list(cat.topics)}
    hits = 0
    for question in _standalone_questions() + ["Cité des Métiers", "piscines du Pays d'Aubagne"]:
        for text, start, end in candidate_phrases(question, []):
            for pool, threshold in (("names", 88.0), ("persons", 90.0)):
                fast = match_names(text, getattr(cat, pool), threshold)
                assert fast == match_names(text, plain[pool], threshold), (text, pool)
                hits += bool(fast[0])
            assert match_topics(text, cat.topics) == match_topics(text, plain["topics"]), text
            assert _best_part(question, start, end, cat.topics, 90.0, match_topics) == \
                _best_part(question, start, end, plain["topics"], 90.0, match_topics)
    assert hits > 10


@pytest.mark.parametrize(("question", "expected"), [
    (CDM_2019, ["20 000", "Cité des Métiers"]),
    ("Who signed the deliberation about the Cité des Métiers?", ["Signature"]),
    ("Combien de délibérations le Bureau a-t-il prises en 2019 ?", []),
])
def test_answers_from_the_narrowed_selection_are_cited_and_found(shipped, question, expected):
    answer = shipped.ask(question, mode="lexical")
    assert answer.found, answer.answer
    for text in expected:
        assert text in answer.answer or any(text in (c.part or "") for c in answer.citations), text
    for c in answer.citations:
        assert shipped.registry.get(c.id).raw_text[c.start:c.end] == c.quote


def test_topic_stems_as_textnorm_stems_them(shipped):
    from assistant.answer.understand import _STOP, topic_stems

    cat = facts.catalog(shipped.registry)
    for text, _ in cat.topics:
        words = textnorm.tokens(text)
        stems = textnorm.stems(" ".join(words), drop_stopwords=False)
        assert topic_stems(text) == frozenset(st for w, st in zip(words, stems) if w not in _STOP and len(w) > 2)


def test_a_migration_another_process_applied_meanwhile_is_skipped(tmp_path, seed_text, monkeypatch):
    path = tmp_path / "data" / "registry.sqlite"
    with Registry(path) as reg:
        reg.save(_parse(seed_text, SEED_ID, SEED_SOURCE))
        texts, state = reg.match_texts(), reg.state()
    # As if every migration was still to do when this process looked, and done by another before it wrote.
    monkeypatch.setattr(Registry, "_applied", lambda self: set())
    with Registry(path) as reg:
        assert reg.match_texts() == texts and reg.state() == state
        assert reg.conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)


def test_a_bulk_read_leaves_the_collector_on_and_the_records_out_of_its_scans(shipped, monkeypatch):
    import gc

    monkeypatch.setattr(facts, "BULK_READ", 50)
    first = shipped.registry.ids()[0]
    copy = shipped.registry.get(first).model_copy(update={"id": "bulk-copy", "path": None})
    assert shipped.registry.save(copy) == "added"
    try:
        cat = facts.catalog(shipped.registry)  # a new state: nothing read yet
        assert dict(cat.by_id) == {} and gc.isenabled()
        frozen = gc.get_freeze_count()
        small = cat.by_id.load(cat.ordered_ids[:10])  # under the threshold: left to the collector
        assert len(small) == 10 and gc.get_freeze_count() == frozen
        records = cat.records
        assert gc.isenabled() and gc.get_freeze_count() > frozen
        assert [r.id for r in records] == cat.ordered_ids
        assert records[-1] == shipped.registry.get(records[-1].id)
    finally:
        gc.unfreeze()
        shipped.registry.delete("bulk-copy")


def test_match_texts_find_the_records_holding_a_key_in_one_scan():
    from assistant.answer.facts import MatchTexts

    texts = MatchTexts({"a": "villemodeleamisdelexemple", "b": "amisdelexemplesaintexemple", "c": "paulmartin"})
    assert texts.holding(["amisdelexemple"]) == {"a", "b"}
    assert texts.holding(["paulmartin", "saintexemple"]) == {"b", "c"}
    assert texts.holding(["exempleamis"]) == set()  # never across two records' texts
    assert texts.holding(["nulle"]) == set()
    assert [texts.get(r) for r in "abc"] == ["villemodeleamisdelexemple", "amisdelexemplesaintexemple", "paulmartin"]
    assert "a" in texts and "z" not in texts
    # A key holding another finds nothing more: only the shorter is looked for, the result is the same.
    assert texts.holding(["amisdelexemple", "amisdelexemplesaint", "", "paulmartin"]) == {"a", "b", "c"}
    assert texts.holding(["amisdelexemplesaint"]) == {"b"}


def _items(found):
    return [(i.kind, i.rec.id if i.rec else None, i.data, [(r.start, r.end) for r in i.refs]) for i in found.items]


def test_ids_with_amount_are_the_records_holding_that_amount(shipped):
    cat = facts.catalog(shipped.registry)
    records = cat.records
    amounts = {a.cents for r in records for a in r.amounts}
    assert len(amounts) > 20
    for cents in sorted(amounts)[::7]:
        assert shipped.registry.ids_with_amount(cents) == {r.id for r in records if any(a.cents == cents
                                                                                     for a in r.amounts)}
    assert shipped.registry.ids_with_amount(-1) == set()


def test_an_amount_asked_reads_only_the_records_holding_it_and_answers_the_same(shipped, monkeypatch):
    cat = facts.catalog(shipped.registry)
    questions = [q for q in (understand(t, names=cat.names, persons=cat.persons, topics=cat.topics)
                             for t in _standalone_questions() + ["À qui a été attribuée une subvention de 999 € ?"])
                 if q.amount_cents is not None]
    narrowed = [facts.answer(cat, q) for q in questions]
    # Every record "holds" the amount: the selection is the one that reads every record of the period.
    monkeypatch.setattr(Registry, "ids_with_amount", lambda self, cents: set(cat.ordered_ids))
    scanned = [facts.answer(cat, q) for q in questions]
    assert len(questions) >= 4 and sum(bool(f.items) for f in scanned) >= 2
    for q, fast, slow in zip(questions, narrowed, scanned):
        assert _items(fast) == _items(slow), q
        assert fast.final == slow.final and fast.aggregate == slow.aggregate
        if not fast.items:  # nothing found: the passages are looked for among the same records
            assert fast.considered == slow.considered


def test_the_apps_start_prepares_the_answers_catalog_once(shipped, monkeypatch):
    import threading

    import app as app_module
    from assistant.ui.context import UIContext

    facts._CATALOGS.pop(str(shipped.registry.path), None)
    builds = []
    build = facts._build
    monkeypatch.setattr(facts, "_build", lambda reg, sig: builds.append(sig) or build(reg, sig))
    # Nothing to ingest nor embed: the app still prepares the answers, in the background.
    assert app_module.needs_preparation(shipped, ROOT / "no-corpus", embed=True) is None
    ctx = UIContext(shipped)
    thread = app_module.prepare(shipped, ROOT / "no-corpus", ctx)
    asking = [threading.Thread(target=facts.catalog, args=(shipped.registry,)) for _ in range(3)]
    for t in asking:
        t.start()
    thread.join(timeout=120)
    for t in asking:
        t.join(timeout=120)
    assert ctx.preparation.finished and ctx.preparation.error is None
    assert len(builds) == 1  # the questions asked meanwhile waited for the one catalog
    cat = facts.catalog(shipped.registry)
    assert {"_keys"} <= cat.names.__dict__.keys() and {"_keys"} <= cat.persons.__dict__.keys()
    assert "_index" in cat.topics.__dict__ and cat._match_texts is not None
    assert set(cat.match_texts.ids) == set(cat.ordered_ids)
    assert shipped.ask(CDM_2019, mode="lexical").found and len(builds) == 1
