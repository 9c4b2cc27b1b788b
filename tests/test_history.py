"""A beneficiary's history: its grants year by year from deliberations' texts and open-data rows alike,
as a table with each row cited and a bar chart (chat, `delib history`)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.answer import history
from assistant.answer.verify import Checker
from assistant.cli import app
from assistant.ingest.pipeline import ingest_paths
from assistant.ui import render
from assistant.ui.chat import answer_content

# The same association in a deliberation's text (2016) and in an open-data file's rows (2017, 2018).
DELIBERATION = """COMMUNE DE SAINT-EXEMPLE
EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL
Séance du 10 mars 2016

Délibération n°2016-08
Objet : Subvention à l'Association Les Amis de l'Exemple

Le Conseil municipal, après en avoir délibéré, décide :

Article 1 : Une subvention de 1 500 euros est attribuée à l'Association Les Amis de l'Exemple pour
la fête du livre.

Adopté à l'unanimité.
"""
SUBSIDIES = (
    "nomAttribuant;idAttribuant;dateConvention;referenceDecision;idBeneficiaire;nomBeneficiaire;objet;montant;"
    "nature;conditionsVersement;datesPeriodeVersement;idRAE;notificationUE;pourcentageSubvention\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;2017-04-13;DELIB 2017-12;44100000000016;"
    "ASSOCIATION LES AMIS DE L'EXEMPLE;Fête du livre 2017;2400.0;Aide en numéraire;Unique;;;non;1.0\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;2018-03-20;DELIB 2018-07;44100000000016;"
    "ASSOCIATION LES AMIS DE L'EXEMPLE;Fête du livre 2018;2 600,00;Aide en numéraire;Unique;;;non;1.0\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;2018-03-20;DELIB 2018-07;53900000000016;CLUB DE VILLEMODELE;"
    "Tournoi;900.0;Aide en numéraire;Unique;;;non;1.0\n"
)


def ingest_both(registry, tmp_path):
    (tmp_path / "deliberation.txt").write_text(DELIBERATION, encoding="utf-8")
    (tmp_path / "subventions.csv").write_text(SUBSIDIES, encoding="utf-8")
    report = ingest_paths([tmp_path], registry)
    assert report.failed == 0


def test_one_beneficiary_across_a_text_and_an_open_data_file(assistant, registry, tmp_path):
    ingest_both(registry, tmp_path)
    answer = assistant.ask("Historique des subventions à l'Association Les Amis de l'Exemple")
    assert answer.intent == "history" and answer.found
    rows = [line for line in answer.answer.split("\n") if line.startswith("| 20")]
    assert [r.split(" | ")[0] for r in rows] == ["| 2016", "| 2017", "| 2018"]
    assert "1 500 €" in rows[0] and "2 400 €" in rows[1] and "2 600 €" in rows[2]
    assert "CLUB DE VILLEMODELE" not in answer.answer
    assert "Total par année : 2016 : 1 500 € ; 2017 : 2 400 € ; 2018 : 2 600 €" in answer.answer
    assert answer.chart["years"] == [2016, 2017, 2018] and answer.chart["euros"] == [1500.0, 2400.0, 2600.0]
    # each row cited: the text's article, the file's rows by line, every quote as written
    assert [(c.source, c.part) for c in answer.citations] == [
        ("deliberation.txt", "Article 1"), ("subventions.csv", "Ligne 2"), ("subventions.csv", "Ligne 3")]
    checker = Checker(registry)
    assert all(checker.check_citation(c) is None for c in answer.citations)


def test_history_by_year_of_one_authority_in_english(assistant, registry, tmp_path):
    ingest_both(registry, tmp_path)
    answer = history(assistant, "Association Les Amis de l'Exemple", authority="Saint-Exemple", lang="en")
    assert answer.language == "en" and "| Year | Authority | Decision | Amount | Purpose | Source |" in answer.answer
    assert "Total per year: 2016: EUR 1,500; 2017: EUR 2,400; 2018: EUR 2,600" in answer.answer
    unknown = assistant.ask("Historique des subventions à la Société Imaginaire")
    assert not unknown.found and unknown.chart is None


def test_history_command_prints_the_table_and_writes_the_chart(settings, registry, tmp_path):
    ingest_both(registry, tmp_path)
    png = tmp_path / "historique.png"
    run = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "history", "Les Amis de l'Exemple",
                                   "--json", "--chart", str(png)])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["chart"]["years"] == [2016, 2017, 2018] and len(data["citations"]) == 3
    assert png.read_bytes().startswith(b"\x89PNG")
    missing = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "history", "Personne de Nulle Part"])
    assert missing.exit_code == 1


def test_the_chat_shows_the_table_as_a_table_and_the_chart_as_an_image(assistant, registry, tmp_path):
    ingest_both(registry, tmp_path)
    answer = assistant.ask("montrer les subventions de Saint-Exemple à Les Amis de l'Exemple par année")
    text, image = answer_content(answer)
    assert "| Année | Collectivité | Décision | Montant | Objet | Source |" in text
    assert "\\|" not in text.split("\n")[2]  # the table's pipes are kept, not escaped
    assert image["path"].endswith(".png") and image["alt_text"].startswith("Subventions par année")
    plain = assistant.ask("Combien a reçu l'Association Les Amis de l'Exemple en 2017 ?")
    assert isinstance(answer_content(plain), str) and plain.chart is None


def test_table_cells_are_escaped_but_the_table_is_kept():
    text = "Titre *gras*\n\n| A | B |\n|---|---|\n| <b>x</b> | y_z |"
    out = render.table_aware_text(text)
    assert out.split("\n")[2:] == ["| A | B |", "|---|---|", "| &lt;b&gt;x&lt;/b&gt; | y\\_z |"]
    assert out.startswith("Titre \\*gras\\*")
