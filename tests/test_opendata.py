"""Open-data files (SCDL Délibérations and Subventions CSV): every quirk of published files, one test each,
and the real files of corpus/real/scdl/ imported with no lost row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from assistant.answer.items import Ref
from assistant.answer.verify import Checker
from assistant.ingest.loaders import load
from assistant.ingest.pipeline import ingest_paths
from assistant.opendata.read import read_cents, read_date

REAL_SCDL = Path(__file__).resolve().parents[1] / "corpus" / "real" / "scdl"

SUBSIDIES_V2 = (
    "nomAttribuant;idAttribuant;dateConvention;referenceDecision;idBeneficiaire;nomBeneficiaire;rnaBeneficiaire;"
    "objet;montant;nature;conditionsVersement;datesPeriodeVersement;idRAE;notificationUE;pourcentageSubvention\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;2017-04-13;DELIB 06FIN du 13-04-2017;44100000000016;"
    "ASSOCIATION LES AMIS DE L'EXEMPLE;W751000001;SUBVENTION 2017;2400.0;Aide en numéraire;Unique;"
    "2017-01-01_2017-12-31;;non;1.0\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;2017/09/08;DELIB 12FIN;81900000000010;CLUB DE VILLEMODELE;;"
    "SUBVENTION 2017;40 000,00;Aide en numéraire;Unique;;;non;1.0\n"
    "COMMUNE DE SAINT-EXEMPLE;21000000000017;05/12/2016;DELIB 30FIN;53900000000016;COMPAGNIE EXEMPLE;;"
    "SUBVENTION 2017;1.500,50;Aide en numéraire;Unique;;;non;1.0\n"
)
SUBSIDIES_V1 = (
    "ANNEE;COLL_NOM;COLL_SIRET;COLL_TYPE;ACTE_DATE;ACTE_REF;ATTRIB_NOM;ATTRIB_SIRET;SUB_OBJ;SUB_MONTANT\n"
    "2017;Ville de Villemodèle;21000000000000.0;COM;2016-12-05;2016-0391;LES AMIS DE L'EXEMPLE;45000000000000.0;"
    "Soutien à l'édition 2017 du festival de théâtre;10000.0\n"
)
DELIBERATIONS = (
    "COLL_NOM,COLL_SIRET,DELIB_ID,DELIB_DATE,DELIB_MATIERE_CODE,DELIB_MATIERE_NOM,DELIB_OBJET,BUDGET_ANNEE,"
    "BUDGET_NOM,PREF_ID,PREF_DATE,VOTE_EFFECTIF,VOTE_REEL,VOTE_POUR,VOTE_CONTRE,VOTE_ABSTENTION,DELIB_URL\n"
    'Exemple Agglomération,24000000000017,2022.00028,2022-03-24,,COMMANDE PUBLIQUE,"FONDS DE CONCOURS A LA\n'
    'COMMUNE DE SAINT-EXEMPLE - CONSTRUCTION D\'UN GYMNASE",2022,Budget principal,PREF042,2022-04-04,'
    "123,89,101,0,4,https://exemple.fr/deliberations\n"
)


def ingest_text(registry, tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    [result] = ingest_paths([path], registry).results
    return result, [registry.get(i) for i in result.ids]


def test_semicolon_file_of_the_current_subsidy_columns(registry, tmp_path):
    result, recs = ingest_text(registry, tmp_path, "subventions.csv", SUBSIDIES_V2.encode("utf-8"))
    assert (result.status, result.method, result.items, result.warnings) == ("added", "csv", 3, [])
    rec = recs[0]
    assert rec.authority.text == "COMMUNE DE SAINT-EXEMPLE"
    assert (rec.authority_type, rec.authority_name) == ("commune", "Saint-Exemple")
    assert rec.number == "DELIB 06FIN du 13-04-2017" and rec.act_type == "subvention"
    assert rec.beneficiaries == ["ASSOCIATION LES AMIS DE L'EXEMPLE"]
    assert rec.open_data.cells["beneficiary_id"] == "44100000000016"
    assert rec.open_data.cells["beneficiary_rna"] == "W751000001"
    assert rec.open_data.cells["nature"] == "Aide en numéraire"
    assert rec.open_data.line == 2


def test_amount_written_with_a_dot_or_french_grouping(registry, tmp_path):
    _, recs = ingest_text(registry, tmp_path, "subventions.csv", SUBSIDIES_V2.encode("utf-8"))
    assert [r.amounts[0].cents for r in recs] == [240_000, 4_000_000, 150_050]
    assert [read_cents(t) for t in ("2400.0", "40 000,00", "12\u00a0800 €", "1.500,50", "75000", "abc")] == [
        240_000, 4_000_000, 1_280_000, 150_050, 7_500_000, None]


def test_three_date_forms(registry, tmp_path):
    _, recs = ingest_text(registry, tmp_path, "subventions.csv", SUBSIDIES_V2.encode("utf-8"))
    assert [r.session_date for r in recs] == [dt.date(2017, 4, 13), dt.date(2017, 9, 8), dt.date(2016, 12, 5)]
    assert read_date("not a date") is None


def test_utf8_bom(registry, tmp_path):
    result, recs = ingest_text(registry, tmp_path, "bom.csv", b"\xef\xbb\xbf" + SUBSIDIES_V2.encode("utf-8"))
    assert result.items == 3
    assert recs[0].raw_text.startswith("nomAttribuant;")  # the BOM is no part of the first column's name
    assert recs[0].open_data.cells["nature"] == "Aide en numéraire"


def test_cp1252_bytes(registry, tmp_path):
    result, recs = ingest_text(registry, tmp_path, "cp1252.csv", SUBSIDIES_V1.encode("cp1252"))
    assert result.status == "added" and result.items == 1
    assert recs[0].authority.text == "Ville de Villemodèle"
    assert recs[0].amounts[0].purpose == "Soutien à l'édition 2017 du festival de théâtre"


def test_cp1252_file_once_read_as_utf8_and_saved_again(registry, tmp_path):
    mojibake = SUBSIDIES_V1.encode("utf-8").decode("cp1252").encode("utf-8")  # "Villemod\u00c3\u00a8le"
    assert "VillemodÃ¨le".encode() in mojibake
    result, [rec] = ingest_text(registry, tmp_path, "relu.csv", mojibake)
    assert result.status == "added" and rec.authority.text == "Ville de Villemodèle"
    assert rec.amounts[0].purpose == "Soutien à l'édition 2017 du festival de théâtre"


def test_older_column_names(registry, tmp_path):
    _, [rec] = ingest_text(registry, tmp_path, "v1.csv", SUBSIDIES_V1.encode("utf-8"))
    assert (rec.authority_type, rec.authority_name) == ("commune", "Villemodèle")
    assert rec.number == "2016-0391" and rec.session_date == dt.date(2016, 12, 5)
    [amount] = rec.amounts
    # ANNEE is the year the subsidy is for, whatever the date of the act that granted it
    assert (amount.cents, amount.year, amount.beneficiary) == (1_000_000, 2017, "LES AMIS DE L'EXEMPLE")
    assert rec.open_data.cells["authority_id"] == "21000000000000.0"  # as written


def test_comma_file_of_deliberations_with_votes_and_an_object_on_two_lines(registry, tmp_path):
    _, [rec] = ingest_text(registry, tmp_path, "deliberations.csv", DELIBERATIONS.encode("utf-8"))
    assert rec.open_data.schema_name == "scdl-deliberations"
    assert rec.object.text == "FONDS DE CONCOURS A LA\nCOMMUNE DE SAINT-EXEMPLE - CONSTRUCTION D'UN GYMNASE"
    assert (rec.members_in_office.value, rec.voting_count.value) == (123, 89)
    assert (rec.vote.for_count, rec.vote.against_count, rec.vote.abstention_count, rec.vote.adopted) == (
        101, 0, 4, True)
    assert (rec.authority_type, rec.session_date) == ("communaute_agglomeration", dt.date(2022, 3, 24))


def test_unreadable_row_is_reported_and_the_others_go_in(registry, tmp_path):
    lines = SUBSIDIES_V2.splitlines()
    broken = lines[:2] + [lines[2].replace("40 000,00", "quarante mille")] + [lines[3] + ";de trop"] + lines[3:]
    result, recs = ingest_text(registry, tmp_path, "abimé.csv", ("\n".join(broken) + "\n").encode("utf-8"))
    assert result.status == "added" and len(recs) == 2
    assert result.warnings == ["ligne 3 : montant illisible « quarante mille », ligne ignorée",
                               "ligne 4 : 16 cellules pour 15 colonnes, ligne ignorée"]


def test_a_csv_without_scdl_columns_fails_with_a_reason(registry, tmp_path):
    result, _ = ingest_text(registry, tmp_path, "autre.csv", b"nom;age\nPaul MARTIN;42\n")
    assert result.status == "failed" and "SCDL" in result.message and result.message.startswith("autre.csv : ")


def test_citation_names_file_and_line_and_quotes_the_row_as_written(registry, tmp_path):
    _, recs = ingest_text(registry, tmp_path, "subventions.csv", SUBSIDIES_V2.encode("utf-8"))
    rec = recs[1]
    amount = rec.amounts[0]
    citation = Ref(rec, amount.sentence_start, amount.sentence_end).citation()
    assert (citation.source, citation.part) == ("subventions.csv", "Ligne 3")
    assert citation.quote == SUBSIDIES_V2.splitlines()[2]  # the row's cells as written
    checker = Checker(registry)
    assert checker.check_citation(citation) is None
    assert checker.check_text("40 000 € à CLUB DE VILLEMODELE", [citation]) == []


def test_reingesting_an_unchanged_file_does_nothing(registry, tmp_path):
    path = tmp_path / "subventions.csv"
    path.write_text(SUBSIDIES_V2, encoding="utf-8")
    ingest_paths([path], registry)
    [again] = ingest_paths([path], registry).results
    assert again.status == "unchanged" and again.items == 3


# -- the real files ---------------------------------------------------------------------------------


def csv_rows(path: Path) -> int:
    """Rows in a file, counted apart from the reader: the csv module's records that hold a cell."""
    text = load(path).text
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return sum(1 for row in list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:]
               if any(c.strip() for c in row))


@pytest.mark.parametrize("path", sorted(REAL_SCDL.glob("*.csv")), ids=lambda p: p.stem)
def test_real_file_imports_with_no_lost_row(registry, path):
    [result] = ingest_paths([path], registry).results
    rows = csv_rows(path)
    unreadable = [w for w in result.warnings if "ligne ignorée" in w]
    print(f"{path.name}: {rows} rows in, {result.items} records out; reported: {result.warnings}")
    assert result.status == "added"
    assert unreadable == []
    assert result.items == rows
    recs = [registry.get(i) for i in result.ids]
    assert all(r.open_data and r.authority and r.object for r in recs)
    assert len({r.open_data.line for r in recs}) == rows


def test_real_files_rows_reported_with_their_reason(registry):
    """Rows kept with a part unknown are reported too, by line: the files shipped hold one (a subsidy row
    without a beneficiary's name), kept with its amount and object."""
    report = ingest_paths([REAL_SCDL], registry)
    notes = {Path(r.path).name: r.warnings for r in report.results if r.warnings}
    assert list(notes.values()) == [["ligne 35 : bénéficiaire absent, il reste inconnu"]]
    assert sum(r.items for r in report.results) == sum(csv_rows(p) for p in REAL_SCDL.glob("*.csv"))


def test_the_evaluation_sums_a_cited_rows_amount_cell_not_the_sums_of_its_object():
    from assistant.evaluation.metrics import _row_amount

    document = SUBSIDIES_V1.replace("festival de théâtre", "festival (budget 25 000 €)")
    _header, row = document.rstrip("\n").split("\n")
    assert _row_amount(row, document) == ["10000"]
    assert _row_amount("Article 1 : 20 000 euros", "COMMUNE DE SAINT-EXEMPLE\nArticle 1 : 20 000 euros") == []
