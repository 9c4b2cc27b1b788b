"""Reading less at scale gives the same results as reading everything.

What a 100,000-deliberation registry needs to answer in time, checked against the plain way on the whole
shipped corpus (the seed, the hand-written and generated extracts, the real documents) in a real SQLite
registry: records whose attendance lists are validated when first read, names found once for every name
of the registry, SQL filters looked up among a few ids, and a question's deliberations selected without
reading the records the registry's tables settle.
"""

from __future__ import annotations

import copy
import pickle

import pytest
from conftest import CORPUS, SHIPPED_SETS

from assistant import registry as registry_module
from assistant.answer import facts
from assistant.answer.understand import understand
from assistant.chunks import chunk_record
from assistant.evaluation.questions import load_questions
from assistant.models import ATTENDANCE_LISTS, Deliberation
from assistant.registry import Registry

ROOT = CORPUS.parent


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    from assistant.config import Settings
    from assistant.core import Assistant

    a = Assistant(Settings.load(data_dir=tmp_path_factory.mktemp("reads") / "data", llm_backend="none"))
    report = a.ingest([*SHIPPED_SETS, CORPUS / "real"], embed=False)
    assert report.failed == 0, report.summary()
    yield a
    a.close()


def _stored(reg: Registry) -> list[tuple[str, str]]:
    return reg.conn.execute("SELECT id, record_json FROM deliberations ORDER BY id").fetchall()


def test_records_read_with_deferred_lists_equal_records_read_whole(shipped):
    rows = _stored(shipped.registry)
    with_lists = 0
    for rec_id, text in rows:
        whole = Deliberation.model_validate_json(text)
        with_lists += any(getattr(whole, name) for name in ATTENDANCE_LISTS)
        assert Deliberation.from_stored_json(text) == whole, rec_id
        assert Deliberation.from_stored_json(text).model_dump_json() == whole.model_dump_json(), rec_id
        assert Deliberation.from_stored_json(text).model_dump() == whole.model_dump(), rec_id
        assert pickle.loads(pickle.dumps(Deliberation.from_stored_json(text))) == whole, rec_id
        assert copy.deepcopy(Deliberation.from_stored_json(text)) == whole, rec_id
        assert Deliberation.from_stored_json(text).model_copy() == whole, rec_id
        lazy = Deliberation.from_stored_json(text)
        assert lazy.member_ends(*ATTENDANCE_LISTS) == whole.member_ends(*ATTENDANCE_LISTS), rec_id
        assert chunk_record(lazy) == chunk_record(whole), rec_id
        assert bool(lazy._deferred) == any(getattr(whole, n) for n in ATTENDANCE_LISTS), "chunking read no list"
        for name in reversed(ATTENDANCE_LISTS):  # read in any order, one at a time
            assert getattr(lazy, name) == getattr(whole, name), (rec_id, name)
        assert lazy.model_dump_json() == whole.model_dump_json(), rec_id
    assert with_lists >= 20, "the corpus should hold records with attendance lists"


def test_a_record_read_with_deferred_lists_keeps_them_when_saved_back(shipped, tmp_path):
    reg = shipped.registry
    rec_id = next(i for i, text in _stored(reg) if Deliberation.model_validate_json(text).present)
    lazy = reg.get_many([rec_id])[rec_id]
    assert "present" not in lazy.__dict__  # not read yet
    copy_reg = Registry(tmp_path / "copy.sqlite")
    try:
        assert copy_reg.save(lazy) == "added"
        back = copy_reg.get_many([rec_id])[rec_id]
        assert back.present and back == reg.get(rec_id)
    finally:
        copy_reg.close()


def _texts_holding(cat: facts.Catalog, key: str) -> set[str]:
    """The plain way: every record's match text looked at."""
    texts = cat.match_texts
    return {i for i in cat.ordered_ids if i not in texts or key in texts.get(i)}


def test_naming_finds_what_a_scan_of_every_text_finds(shipped):
    cat = facts.catalog(shipped.registry)
    names = sorted({k for _, k in cat.names if k})
    assert len(names) > 20
    persons = sorted({k for _, k in cat.persons if k})[:20]
    longer = [names[0] + "unesubvention", "x" + names[1]]  # a known name inside an unknown key
    unknown = ["metropole", "subvention", "zzzzunknownzzzz"]
    for key in names + persons + longer + unknown:
        expected = shipped.registry.ids_by_name_keys({key}) | _texts_holding(cat, key)
        assert cat.naming({key}) == expected, key
        assert cat.naming({key}) == expected, key  # again: the second time from what was kept
    pair = {names[2], names[2] + "unesubvention"}  # the longer one holds the other: the other answers
    assert cat.naming(pair) == shipped.registry.ids_by_name_keys(pair) | _texts_holding(cat, names[2])


def test_find_ids_among_few_or_many_ids_is_the_intersection(shipped, monkeypatch):
    reg = shipped.registry
    every = reg.find_ids()
    among = set(sorted(every)[::3])
    filters = [{"year": 2019}, {"year": 2019, "amount_year": True}, {"year_from": 2018, "year_to": 2021},
               {"body": "bureau"}, {"act_type": "subvention"}, {"session_date": "2019-06-20"}]
    for few in (10_000, 3):  # looked up one by one, then (more ids than FEW_IDS) filtered after
        monkeypatch.setattr(registry_module, "FEW_IDS", few)
        for f in filters:
            assert reg.find_ids(**f, among=among) == reg.find_ids(**f) & among, (few, f)
    assert reg.find_ids(year=2019, among=[]) == set()


def _questions() -> list[str]:
    """Every question of the shipped sets (eval/questions*.yaml) asked without a previous turn."""
    return [q.question for path in sorted((ROOT / "eval").glob("questions*.yaml"))
            for q in load_questions(path) if not q.context]


def test_select_ids_keeps_what_select_keeps(shipped):
    cat = facts.catalog(shipped.registry)
    questions = _questions()
    assert len(questions) > 150
    with_names = 0
    for question in questions:
        q = understand(question, names=cat.names, persons=cat.persons, topics=cat.topics)
        for use_years in (True, False):
            for of_type in (None, "subvention"):
                expected = [r.id for r in facts.select(cat, q, use_years=use_years, of_type=of_type)]
                assert facts.select_ids(cat, q, use_years=use_years, of_type=of_type) == expected, (question, use_years)
        with_names += bool(q.beneficiaries)
    assert with_names > 30, "questions naming a beneficiary exercise the tables' settled names"


def test_keys_looked_for_are_kept_within_their_bound(shipped, monkeypatch):
    cat = facts.catalog(shipped.registry)
    monkeypatch.setattr(facts.Catalog, "LOOKED_FOR", 2)
    keys = ["deliberation", "conseilmunicipal", "rapporteur", "approuve", "yyyyunknownyyyy"]  # not looked for yet
    for key in keys * 2:
        assert cat.naming({key}) == shipped.registry.ids_by_name_keys({key}) | _texts_holding(cat, key), key
        assert len(cat._looked_for) <= 2
