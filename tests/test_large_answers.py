"""Long answers: every item verified (shown or only counted), every shown line checked; a person's sessions.

Real components: the shipped corpus ingested into a real SQLite registry (once for the module), the
real parser and the answer pipeline without an LLM. A record is tampered with by saving it back with a
wrong span, as a faulty parser would have stored it.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SEED_ID, SHIPPED_SETS

from assistant.answer import answer_from_items, compose, facts
from assistant.answer.understand import understand
from assistant.answer.verify import Checker, numbers

ROOT = Path(__file__).resolve().parents[1]
TOTAL = "Total des subventions ?"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    from assistant.config import Settings
    from assistant.core import Assistant

    a = Assistant(Settings.load(data_dir=tmp_path_factory.mktemp("large") / "data", llm_backend="none"))
    report = a.ingest(SHIPPED_SETS, embed=False)
    assert report.failed == 0, report.summary()
    yield a
    a.close()


def _query(a, question):
    cat = facts.catalog(a.registry)
    return cat, understand(question, names=cat.names, persons=cat.persons, topics=cat.topics)


def _seed_amount(rec):
    return next(x for x in rec.amounts if x.article == 1 and x.cents == 2_000_000)


@contextmanager
def tampered(a):
    """The seed saved back with its 20 000 € quoted from the signature (a span that does not hold it)."""
    original = a.registry.get(SEED_ID)
    amount, sign = _seed_amount(original), original.signatory
    assert sign.start > amount.end and "20" not in original.raw_text[sign.start:sign.end]
    amounts = [x.model_copy(update={"sentence_start": sign.start, "sentence_end": sign.end}) if x is amount else x
               for x in original.amounts]
    assert a.registry.save(original.model_copy(update={"amounts": amounts})) == "updated"
    try:
        yield a
    finally:
        assert a.registry.save(original) == "updated"


def _key(item) -> tuple:
    return (item.rec.id, item.cents, item.data.get("beneficiary"), item.data.get("article"))


def _total_cents(text: str) -> int:
    m = re.search(r"Total : ([\d\s\u202f\u00a0]+) €", text)
    return int(re.sub(r"\D", "", m.group(1))) * 100


def _seed_items(items):
    return [i for i in items if i.rec.id == SEED_ID and i.cents == 2_000_000]


def test_a_large_total_shows_verified_lines_and_counts_only_verified_items(shipped):
    cat, q = _query(shipped, TOTAL)
    found = facts.answer(cat, q)
    assert found.aggregate == "total" and len(found.items) > 60  # more items than lines shown
    text, citations, _notes, kept = answer_from_items(shipped, q, found.items, found.aggregate, records=cat.by_id)
    lines = [line[2:] for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 50
    assert f"(… et {len(kept) - 50} autre(s), non affiché(s))" in text
    assert f"pour {len(kept)} subventions" in text
    assert _total_cents(text) == sum(i.cents for i in kept)
    # Each line shown is checked against its own item's citations (not against the whole answer's).
    checker = Checker(shipped.registry)
    for line, item in zip(lines, compose.shown(kept, 50), strict=True):
        assert checker.check_text(line, [r.citation() for r in item.refs]) == [], line
    assert len(citations) >= len({(r.rec.id, r.start, r.end) for i in kept for r in i.refs}) > 50


def test_a_tampered_item_is_dropped_shown_or_not(shipped):
    cat, q = _query(shipped, TOTAL)
    items = facts.answer(cat, q).items
    _, _, before_notes, before = answer_from_items(shipped, q, items, "total", records=cat.by_id)
    [seed] = _seed_items(before)  # verified and counted when untampered
    assert seed.data["beneficiary"].startswith("Cité des Métiers")
    expected = [_key(i) for i in before if i.rec.id != SEED_ID or i.cents != 2_000_000]
    expected_cents = sum(i.cents for i in before) - 2_000_000
    with tampered(shipped):
        cat, q = _query(shipped, TOTAL)
        items = facts.answer(cat, q).items
        [seed_item] = _seed_items(items)
        k = items.index(seed_item)
        # Where it would be shown (last line), and where it would only be counted (after the lines shown).
        for max_lines in (k + 1, k):
            text, citations, notes, kept = answer_from_items(shipped, q, items, "total", max_lines=max_lines,
                                                             records=cat.by_id)
            assert [_key(i) for i in kept] == expected
            assert len(notes) == len(before_notes) + 1
            assert "nombre absent des sources citées : 20000" in " ".join(notes)
            assert _total_cents(text) == expected_cents
            assert f"pour {len(expected)} subventions" in text
            assert "Cité des Métiers" not in text
            assert all("20000" not in numbers(c.quote) for c in citations if c.id == SEED_ID)
        # Through `ask`: the same total, the line gone.
        answer = shipped.ask(TOTAL, mode="lexical")
        assert _total_cents(answer.answer) == expected_cents
        assert "Cité des Métiers" not in answer.answer


def test_a_computed_total_with_cents_is_allowed_by_value(shipped):
    """Totals are passed as "1234.50" (computed, printed in no source) and shown as "1 234,50 €"."""
    checker = Checker(shipped.registry)
    assert checker.check_text("Total : 1 234,50 €.", [], allowed=["1234.50"]) == []
    assert checker.check_text("Total : 1 234,50 €.", [], allowed=["123450"]) == [
        "nombre absent des sources citées : 1234.50"]


# -- a person asked about without a session ---------------------------------------------------------


def _sessions_of(registry, name):
    """(session date, role) of every list naming `name`, from the records themselves."""
    out = set()
    for rec in registry.all():
        for role, members in (("present", rec.present), ("represented", rec.represented),
                              ("excused", rec.excused)):
            if any(" ".join(m.name.split()) == name for m in members):
                out.add((rec.session_date, rec.body, role))
    return out


def test_a_person_without_a_session_gets_the_sessions_where_they_appear(shipped):
    expected = _sessions_of(shipped.registry, "Daniel ANTONINI")
    assert len(expected) > 5
    answer = shipped.ask("Daniel ANTONINI était-il présent ?", mode="lexical")
    assert answer.found, answer.answer
    sessions = {(d, b) for d, b, _ in expected}
    head = answer.answer.splitlines()[0]
    assert head.startswith(f"Daniel ANTONINI figure dans les listes de présence de {len(sessions)} séances")
    for role, label in (("present", "présents"), ("represented", "absents représentés"),
                        ("excused", "absents excusés")):
        n = len({(d, b) for d, b, r in expected if r == role})
        assert f"{label} : {n}" in head
    lines = [x for x in answer.answer.splitlines() if x.startswith("- ")]
    assert len(lines) == min(50, len(expected))
    assert "ne figure pas" not in answer.answer  # the sessions where they are not listed are not listed
    # Latest first; each line cites the name in a list of that session's record.
    dates = [c.session_date for c in answer.citations]
    assert dates == sorted(dates, reverse=True)
    for c in answer.citations:
        rec = shipped.registry.get(c.id)
        assert rec.raw_text[c.start:c.end] == c.quote and "ANTONINI" in c.quote
    # Bounded by max_lines: the others are counted.
    cat, q = _query(shipped, "Daniel ANTONINI était-il présent ?")
    found = facts.answer(cat, q)
    text, _, _, kept = answer_from_items(shipped, q, found.items, found.aggregate, max_lines=3,
                                         records=cat.by_id)
    assert len([x for x in text.splitlines() if x.startswith("- ")]) == 3
    assert f"(… et {len(kept) - 3} autre(s), non affiché(s))" in text


def test_a_person_in_english_with_a_year(shipped):
    answer = shipped.ask("Was Daniel ANTONINI present in 2021?", mode="lexical")
    assert answer.found
    assert answer.answer.startswith("Daniel ANTONINI appears in the attendance lists of ")
    assert "absent and represented (proxy: " in answer.answer
    assert {c.session_date[:4] for c in answer.citations} == {"2021"}


def test_a_named_session_keeps_its_answer(shipped):
    answer = shipped.ask("Martial ALVAREZ était-il présent à la séance du 20 juin 2019 ?", mode="lexical")
    assert answer.answer == ("Martial ALVAREZ figure parmi les présents à la séance du 20 juin 2019 "
                             "(Bureau de la Métropole).")
    absent = shipped.ask("Jean DUPONT était-il présent à la séance du 20 juin 2019 ?", mode="lexical")
    assert absent.answer.startswith("Jean DUPONT ne figure pas dans les listes de présence de la séance du 20 juin")


@pytest.mark.parametrize(("question", "expected"), [
    ("Jean DUPONT était-il présent ?",
     ("Jean DUPONT ne figure dans aucune liste de présence du registre (présents, absents représentés, "
     "absents excusés).")),
    ("Was Jean Dupont present?",
     ("Jean Dupont appears in no attendance list in the registry (present, absent and represented, "
     "absent and excused).")),
    ("Daniel ANTONINI était-il présent en 2030 ?",
     ("Daniel ANTONINI ne figure dans aucune liste de présence des séances en 2030 (présents, absents "
     "représentés, absents excusés).")),
])
def test_a_person_in_no_list_is_told_plainly(shipped, question, expected):
    answer = shipped.ask(question, mode="lexical")
    assert not answer.found and answer.citations == []
    assert answer.answer == expected


def test_a_person_whose_every_line_fails_verification_is_not_said_absent(shipped):
    cat, q = _query(shipped, "Martial ALVAREZ était-il présent ?")
    found = facts.answer(cat, q)
    assert found.aggregate == "sessions" and found.items
    for item in found.items:  # a forged session date: the line no longer matches its record
        item.rec = item.rec.model_copy(update={"session_date": item.rec.session_date.replace(year=2001)})
    text, citations, notes, kept = answer_from_items(shipped, q, found.items, found.aggregate)
    assert not kept and citations == [] and notes
    assert "aucune liste" not in text


def test_a_person_follow_up_keeps_the_session_asked_about(shipped):
    """"Et Daniel ANTONINI ?" after a question about one session: that session, not all of 2021."""
    first = shipped.ask("Qui était présent à la séance du Bureau du 7 janvier 2021 ?", session="person-follow",
                        mode="lexical")
    assert first.found and "Daniel ANTONINI" in first.answer
    follow = shipped.ask("Et Daniel ANTONINI ?", session="person-follow", mode="lexical")
    assert follow.found and follow.entities.get("follow_up") is True
    assert "7 janvier 2021" in follow.answer and "séances" not in follow.answer, follow.answer
    assert {c.session_date for c in follow.citations} == {"2021-01-07"}
