"""The reader modules of `assistant.ingest` one by one, each finder called directly on a `_Doc` with its
offsets: `text` (the shared machinery), `header`, `attendance`, `amounts`, `votes`, `signature`. The names are
fictitious (Paul MARTIN, Anne DURAND, Saint-Exemple)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from assistant.ingest.amounts import find_amounts, find_beneficiaries, find_budget
from assistant.ingest.attendance import ATTENDANCE_HEAD, _list_end, _list_items, _name_item, find_attendance
from assistant.ingest.header import (
    find_authority,
    find_body,
    find_present_count,
    find_president,
    find_session,
)
from assistant.ingest.parser import find_certification, find_decision
from assistant.ingest.signature import find_signatory
from assistant.ingest.text import _Doc, sentence_around, to_date, words_to_int
from assistant.ingest.votes import find_vote

INGEST = Path(__file__).resolve().parents[1] / "assistant" / "ingest"


def _whole(text: str) -> tuple[_Doc, int]:
    doc = _Doc(text)
    return doc, len(doc.text)


# -- text -------------------------------------------------------------------------------------------


def test_text_imports_no_reader():
    """`text` sits below every reader: it imports nothing from them (no import cycle)."""
    tree = ast.parse((INGEST / "text.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {m for m in imported if m.startswith("assistant.ingest")} == {"assistant.ingest.ocrfix"}


def test_doc_spans_quote_the_raw_text():
    doc = _Doc("Séance du 13 décembre 2018")
    assert doc.text.startswith("Seance")  # patterns run on the accent-free copy
    span = doc.span(0, len(doc.text))
    assert span.text == "Séance du 13 décembre 2018" and (span.start, span.end) == (0, 26)


@pytest.mark.parametrize("text, expected", [
    ("13 décembre 2018", dt.date(2018, 12, 13)),
    ("1er mars 2021", dt.date(2021, 3, 1)),
    ("20 juln 2019", dt.date(2019, 6, 20)),  # OCR's month, repaired by fuzzy matching
    ("13/12/2018", dt.date(2018, 12, 13)),
])
def test_to_date(text, expected):
    assert to_date(text) == expected


def test_words_to_int():
    assert words_to_int("deux mille dix-huit") == 2018
    assert words_to_int("deux mil vingt-deux") == 2022
    assert words_to_int("premier") == 1


def test_sentence_around_keeps_abbreviations():
    doc, n = _whole("Première phrase. Vu l'avis de M. Paul MARTIN sur le projet. Dernière phrase.")
    s, e = sentence_around(doc, doc.text.index("Paul"), 0, n)
    assert doc.text[s:e] == "Vu l'avis de M. Paul MARTIN sur le projet."


# -- header -----------------------------------------------------------------------------------------

HEADER = """COMMUNE DE SAINT-EXEMPLE
L'an deux mille dix-huit, le treize décembre, le Conseil municipal s'est réuni sous la présidence de
Monsieur Paul MARTIN, Maire.
Présents : 15
"""


def test_session_date_in_words():
    doc, n = _whole(HEADER)
    date, span = find_session(doc, n)
    assert date == dt.date(2018, 12, 13)
    assert span.text == "L'an deux mille dix-huit, le treize décembre"
    assert HEADER[span.start:span.end] == span.text


def test_session_date_in_figures():
    doc, n = _whole("CONSEIL MUNICIPAL\nSéance du 13 décembre 2018\n")
    date, span = find_session(doc, n)
    assert date == dt.date(2018, 12, 13) and span.text == "Séance du 13 décembre 2018"


def test_header_body_authority_president_count():
    doc, n = _whole(HEADER)
    assert find_body(doc, n) == ("conseil_municipal", "Conseil municipal")
    assert find_authority(doc, "conseil_municipal", n).text == "COMMUNE DE SAINT-EXEMPLE"
    president = find_president(doc, n)
    assert (president.name, president.civility, president.title) == ("Paul MARTIN", "Monsieur", "Maire")
    count, span = find_present_count(doc, n)
    assert count == 15 and span.text == "Présents : 15"


@pytest.mark.parametrize("header, name", [
    ("VILLE DE LA CIOTAT-EXEMPLE", "La Ciotat-Exemple"),  # a commune's name keeps its article
    ("COMMUNE DU BOURG-EXEMPLE", "Le Bourg-Exemple"),
    ("MAIRIE DES MOULINS-EXEMPLE", "Les Moulins-Exemple"),
    ("Ville de L'Isle-Exemple", "L'Isle-Exemple"),
    ("COMMUNE D'ILLEXEMPLE", "Illexemple"),
    ("COMMUNE DE SAINT-EXEMPLE", "Saint-Exemple"),
])
def test_a_communes_name_keeps_its_article(header, name):
    from assistant.ingest.document import read_document

    text = (f"{header}\nEXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL\nSéance du 12 juin 2025\n\n"
            "Objet : Subvention\nLe Conseil municipal, après en avoir délibéré, DECIDE :\nArticle 1 : 500 € au club.\n")
    [rec] = read_document(text, id="x", source="x.txt", path="/x")
    assert (rec.authority_type, rec.authority_name) == ("commune", name)


# -- attendance -------------------------------------------------------------------------------------


def test_absent_list_read_by_the_list_helpers():
    """A plain "Absents :" list is no one's present, represented or excused list; its names are read by the
    list helpers (as `session.read_absent` does)."""
    doc, n = _whole("Absents : Paul MARTIN, Anne DURAND\nSecrétaire de séance : Luc PETIT\n")
    assert find_attendance(doc, n) == ([], [], [])
    head = ATTENDANCE_HEAD.search(doc.text)
    assert head.lastgroup == "absent"
    start = head.end() + 1
    end = _list_end(doc, start, n)
    names = [doc.value(*r) for r in (_name_item(doc, s, e) for s, e in _list_items(doc, start, end)) if r]
    assert names == ["Paul MARTIN", "Anne DURAND"]


def test_present_excused_and_x_a_y_proxies():
    text = ("Présents : Paul MARTIN, Luc PETIT\n"
            "Pouvoirs : Marie ROUX à Anne DURAND, Jean BLANC à Luc PETIT\n"
            "Absents excusés : Claire VERT\n\nObjet : Tarifs\n")
    doc, n = _whole(text)
    present, represented, excused = find_attendance(doc, n)
    assert [m.name for m in present] == ["Paul MARTIN", "Luc PETIT"]
    assert [(r.name, r.proxy) for r in represented] == [("Marie ROUX", "Anne DURAND"), ("Jean BLANC", "Luc PETIT")]
    assert [m.name for m in excused] == ["Claire VERT"]
    assert text[represented[0].start:represented[0].end] == "Marie ROUX"


def test_plural_civilities_before_a_group_of_names():
    text = ("Pouvoirs : Monsieur Paul MARTIN a donné pouvoir à Monsieur Luc PETIT\n"
            "Excusés : Mesdames Roux, Vert, Messieurs Blanc, Noir.\n\nObjet : Tarifs\n")
    doc, n = _whole(text)
    _, represented, excused = find_attendance(doc, n)
    assert [(r.name, r.proxy) for r in represented] == [("Paul MARTIN", "Luc PETIT")]
    assert [m.name for m in excused] == ["Roux", "Vert", "Blanc", "Noir"]


# -- amounts ----------------------------------------------------------------------------------------


def test_grant_with_beneficiary_and_year():
    text = ("Article 1 : Le Conseil municipal décide d'attribuer une subvention de 1 200 € à l'association "
            "Exemple pour l'année 2019.\n")
    doc, n = _whole(text)
    articles = [(1, 0, doc.text.index(":") + 1, n)]
    [amount] = find_amounts(doc, articles)
    assert (amount.cents, amount.beneficiary, amount.year, amount.article) == (120000, "Exemple", 2019, 1)
    assert text[amount.start:amount.end] == "1 200 €"
    assert find_beneficiaries(doc, [amount], articles, "subvention") == ["Exemple"]


def test_amount_forms():
    doc, _ = _whole("Le loyer annuel est fixé à 12 345,67 euros HT. Le prêt est de 1,5 million d'euros.\n")
    amounts = find_amounts(doc, [])
    assert [(a.cents, a.qualifier, a.per_year) for a in amounts] == [(1234567, "HT", True), (150000000, None, False)]


def test_budget_imputation():
    doc, n = _whole("La dépense sera imputée au budget principal 2020, chapitre 65, article 6574.\n")
    [budget] = find_budget(doc, [(0, n)])
    assert (budget.budget, budget.year, budget.chapitre, budget.nature) == ("principal", 2020, "65", "6574")


# -- votes ------------------------------------------------------------------------------------------


def _vote(line: str):
    doc, n = _whole(f"Article 1 : Le Conseil municipal approuve le projet.\n{line}\n")
    return find_vote(doc, doc.text.index(":") + 1, n, None)


@pytest.mark.parametrize("line, adopted, unanimous, against, abstention", [
    ("Pour 28 – Contre 3 – Abstention 2", True, False, 3, 2),
    ("Adoptée par 22 voix pour et 3 abstentions.", True, False, None, 3),
    ("Adopté à l'unanimité.", True, True, None, None),
])
def test_vote_forms(line, adopted, unanimous, against, abstention):
    vote = _vote(line)
    assert (vote.adopted, vote.unanimous, vote.against_count, vote.abstention_count) == (
        adopted, unanimous, against, abstention)


def test_vote_named_against():
    vote = _vote("Adopté par 15 voix pour, 2 contre : Paul MARTIN, Anne DURAND.")
    assert vote.against == ["Paul MARTIN", "Anne DURAND"] and vote.against_count == 2


def test_vote_named_abstainers_of_a_form():
    """A prefecture form: "Abstention(s) de : Mme X, Mme Y", then the counts."""
    vote = _vote("Abstention(s) de : Mme Durand, Mme Martin Adopté à la majorité : Voix contre : 0 Abstentions : 2")
    assert vote.abstentions == ["Durand", "Martin"] and vote.abstention_count == 2 and vote.against_count == 0


def test_no_vote_is_none():
    assert _vote("Le Conseil prend connaissance du rapport.") is None


def test_vote_in_the_decision_line():
    doc, n = _whole("Le Conseil municipal, après en avoir délibéré, à l'unanimité, DECIDE :\nArticle 1 : x.\n")
    decision = find_decision(doc)
    vote = find_vote(doc, doc.text.index("Article 1 :") + 11, n, decision)
    assert vote.adopted and vote.unanimous


# -- signature --------------------------------------------------------------------------------------


def test_signatory_after_certification():
    text = "Article 1 : x.\nAdopté à l'unanimité.\nPour extrait conforme,\nLe Maire,\nPaul MARTIN\n"
    doc, _ = _whole(text)
    certification = find_certification(doc, 0)
    signatory = find_signatory(doc, certification, 0)
    assert (signatory.name, signatory.title) == ("Paul MARTIN", "Maire")
    assert text[signatory.start:signatory.end] == "Le Maire,\nPaul MARTIN"


def test_signatory_without_certification_needs_a_role():
    doc, _ = _whole("Fait à Saint-Exemple, le 13 décembre 2018.\nLe Maire,\nPaul MARTIN\n")
    assert find_signatory(doc, None, 0).name == "Paul MARTIN"
    doc, _ = _whole("Compte rendu établi par\nAnne DURAND\n")
    assert find_signatory(doc, None, 0) is None


@pytest.mark.parametrize("line, against, abstentions", [
    (("LE CONSEIL MUNICIPAL, A L'EXCEPTION DE MADAME DURAND, MESSIEURS MARTIN, PETIT QUI VOTENT CONTRE, ACCEPTE "
     "CETTE PROPOSITION"), ["DURAND", "MARTIN", "PETIT"], []),
    ("Le conseil municipal, à l'exception de Mme Anne Durand qui s'abstient, adopte la proposition.", [], ["Anne Durand"]),
    ("LE CONSEIL MUNICIPAL, A L'EXCEPTION DE MADAME DURAND QUI NE PREND PAS PART AU VOTE, ACCEPTE CETTE PROPOSITION",
     [], []),
])
def test_vote_names_of_those_excepted(line, against, abstentions):
    doc, n = _whole(line + "\n")
    vote = find_vote(doc, 0, n, None)
    assert vote.adopted and vote.against == against and vote.abstentions == abstentions
    assert vote.against_count == (len(against) or None)
