"""Word tables: one row per line in the loader's text, and a row quoted alone in answers.

The .docx is made here with python-docx, a grants table inside article 1 as a town hall types it (one
cell on two lines), then read by the real loader, parsed, saved in a real SQLite registry and asked
without an LLM, with lexical retrieval: the citation of one beneficiary's amount is its row, not the table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.extractive import units
from assistant.ingest.loaders import load

BEFORE = """COMMUNE DE SAINT-RÉMY-DE-PROVENCE
EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL
Séance du 12 mai 2023
L'an deux mille vingt-trois, le douze mai, le Conseil municipal, régulièrement convoqué, s'est réuni sous \
la présidence de Monsieur Hervé CHÉRUBINI, Maire.
Présents : Hervé CHÉRUBINI, Anne DUMAS, Marc ESTIENNE, Julie FERRAND.
Délibération n° 2023-041
Objet : Subventions aux associations culturelles et sportives pour l'année 2023
Monsieur le Maire expose que la commission Vie associative a examiné les demandes des associations. Il \
propose la répartition suivante.
Le Conseil municipal, après en avoir délibéré, à l'unanimité,
Article 1 : Attribue les subventions suivantes au titre de l'année 2023 :"""
GRANTS = [
    ["Association", "Projet soutenu", "Montant"],
    ["Rugby Club Saint-Rémois", "École de rugby et déplacements", "6 200,00 €"],
    ["Chorale des Alpilles", "Concert de Noël\nen l'église Saint-Martin", "850,00 €"],  # two lines in its cell
    ["Festival Organa", "Saison d'orgue 2023", "3 400,00 €"],
    ["Les Amis du Musée Estrine", "Exposition d'été", "1 750,00 €"],
]
AFTER = """Article 2 : Dit que les crédits nécessaires sont inscrits au budget primitif 2023, chapitre 65, \
article 6574.
Fait et délibéré les jour, mois et an susdits."""
SIGNATURE = [["Acte rendu exécutoire après transmission en Préfecture le 16/05/2023",
              "Pour extrait conforme,\nLe Maire,\nHervé CHÉRUBINI"]]
ROWS = {
    "rugby": "Rugby Club Saint-Rémois | École de rugby et déplacements | 6 200,00 €",
    "chorale": "Chorale des Alpilles | Concert de Noël en l'église Saint-Martin | 850,00 €",
    "organa": "Festival Organa | Saison d'orgue 2023 | 3 400,00 €",
    "estrine": "Les Amis du Musée Estrine | Exposition d'été | 1 750,00 €",
}
HEADER = "Association | Projet soutenu | Montant"


def _table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            first, *more = value.split("\n")
            cell = table.cell(r, c)
            cell.text = first
            for line in more:  # a line break typed in the cell: a paragraph of its own
                cell.add_paragraph(line)


def make_grants_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in BEFORE.split("\n"):
        document.add_paragraph(line)
    _table(document, GRANTS)
    for line in AFTER.split("\n"):
        document.add_paragraph(line)
    _table(document, SIGNATURE)  # a one-row layout table: the signature block beside the publication note
    document.save(str(path))
    return path


@pytest.fixture
def grants_docx(tmp_path) -> Path:
    return make_grants_docx(tmp_path / "stremy_cm_subventions.docx")


def test_a_word_table_row_is_one_line(grants_docx):
    lines = load(grants_docx).text.split("\n")
    table = lines[lines.index(HEADER): lines.index(HEADER) + 5]
    assert table == [HEADER, *ROWS.values()]  # the cell's two lines joined: its row stays on one line
    # The one-row layout table keeps its cell's lines, as printed (the parser reads the signatory there).
    note = "Acte rendu exécutoire après transmission en Préfecture le 16/05/2023"
    assert lines[-3:] == [f"{note} | Pour extrait conforme,", "Le Maire,", "Hervé CHÉRUBINI"]


def test_units_of_a_word_table_are_its_rows(grants_docx):
    text = load(grants_docx).text
    start = text.index("Article 1 :")
    end = text.index("Article 2 :")
    found = [(text[s:e], text[h[0]:h[1]] if h else None) for s, e, h in units(text[start:end], start)]
    assert found == [("Article 1 : Attribue les subventions suivantes au titre de l'année 2023 :", None),
                     *[(row, HEADER) for row in ROWS.values()]]
    # A sentence right after a table is no row: it goes without the column titles.
    after = text[start:end] + "Le Maire est chargé de leur versement."
    assert units(after, 0)[-1][2] is None


@pytest.fixture
def grants(assistant, grants_docx):
    report = assistant.ingest([grants_docx], embed=False)
    assert report.counts["added"] == 1, report.results
    return assistant


def _ask(a, question: str):
    answer = a.ask(question, mode="lexical")
    assert answer.found, answer.answer
    for c in answer.citations:  # every quote is an exact span of its source
        assert a.registry.get(c.id).raw_text[c.start:c.end] == c.quote
    return answer


@pytest.mark.parametrize(("question", "row", "amount"), [
    ("Quelle subvention pour l'exposition d'été ?", "estrine", "1 750,00 €"),  # from the passages
    ("Quel montant pour le concert de Noël en l'église ?", "chorale", "850,00 €"),
    ("Quel montant a été attribué à la Chorale des Alpilles ?", "chorale", "850 €"),  # from the parsed amounts
    ("How much was granted to Festival Organa?", "organa", "3,400"),
])
def test_one_beneficiary_amount_quotes_only_its_row(grants, question, row, amount):
    answer = _ask(grants, question)
    quotes = [c.quote for c in answer.citations]
    assert ROWS[row] in quotes, quotes
    objet = "Subventions aux associations culturelles et sportives pour l'année 2023"
    assert set(quotes) <= {ROWS[row], HEADER, objet}, quotes
    assert amount in answer.answer
    others = [v for k, v in ROWS.items() if k != row]
    assert not any(o.split(" | ")[0] in answer.answer for o in others), answer.answer
