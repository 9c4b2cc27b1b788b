"""`delib export`: the registry written in the SCDL Délibérations and Subventions schemas, validated by
frictionless against the Table Schemas kept in assistant/opendata/schemas/."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.ingest.pipeline import ingest_paths
from assistant.opendata.export import SCHEMA_FILES, export, field_names, matiere, matieres, write_csv

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SIRET = "21000000000017"

# A fictitious deliberation, as a register prints it: number, date, object, vote counts, a subsidy.
DELIBERATION = """COMMUNE DE SAINT-EXEMPLE
EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL
Séance du 14 avril 2022

Délibération n°2022-19
Objet : Attribution d'une subvention à l'Association Les Amis de l'Exemple

Le Conseil municipal, réuni sous la présidence de Paul MARTIN, Maire,
Vu le code général des collectivités territoriales,
Considérant la demande de l'association,

Après en avoir délibéré, le Conseil municipal décide :

Article 1 : Une subvention de 20 000 euros est attribuée à l'Association Les Amis de l'Exemple pour
l'organisation de la fête du livre.

Article 2 : La dépense sera imputée au budget 2022, chapitre 65, nature 6574.

Pour : 21 – Contre : 3 – Abstention : 2

Fait et délibéré les jour, mois et an susdits.
Le Maire, Paul MARTIN
"""


def validate(path: Path, kind: str) -> frictionless.Report:
    descriptor = json.loads(SCHEMA_FILES[kind].read_text(encoding="utf-8"))
    descriptor.pop("$schema", None)  # the profile URL: not fetched, this machine is offline
    resource = frictionless.Resource(path=path.name, basepath=str(path.parent),
                                     schema=frictionless.Schema.from_descriptor(descriptor))
    return resource.validate()


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_schemas_are_table_schemas_with_the_scdl_columns():
    assert field_names("scdl-deliberations")[:7] == [
        "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET"]
    assert field_names("scdl-subventions")[:5] == [
        "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire"]
    for kind in SCHEMA_FILES:
        descriptor = json.loads(SCHEMA_FILES[kind].read_text(encoding="utf-8"))
        descriptor.pop("$schema")
        report = frictionless.Schema.validate_descriptor(descriptor)
        assert report.valid, report.flatten(["type", "note"])


def test_validation_catches_a_broken_row(tmp_path):
    """The validation used below can fail: a SIRET of 13 digits and a date in French order are errors."""
    path = tmp_path / "bad.csv"
    row = dict.fromkeys(field_names("scdl-deliberations"), "")
    row.update({"COLL_NOM": "Commune de Saint-Exemple", "COLL_SIRET": SIRET[:-1], "DELIB_ID": "2022-19",
                "DELIB_DATE": "14/04/2022", "DELIB_MATIERE_CODE": "7.5",
                "DELIB_MATIERE_NOM": "finances locales/subventions", "DELIB_OBJET": "Subvention"})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = validate(path, "scdl-deliberations")
    assert not report.valid
    assert {e[1] for e in report.flatten(["type", "fieldName"])} == {"COLL_SIRET", "DELIB_DATE"}


def test_matiere_rules_are_data_and_each_has_a_code_with_a_name():
    data = matieres()
    assert all(rule["code"] in data["names"] and rule["example"] for rule in data["rules"])
    for rule in data["rules"]:  # each rule's own example is classified by it, whatever comes before it
        assert matiere(rule["example"])[::2] == (rule["code"], rule["id"]), rule["example"]
    assert matiere("Attribution d'un fonds de concours à la commune de Villemodèle")[::2] == ("7.8", "fonds-de-concours")
    assert matiere("Attribution d'une subvention à l'association Les Amis de l'Exemple")[:2] == (
        "7.5", "finances locales/subventions")
    assert matiere("Rapport annuel")[2] == "aucune-regle"


def test_round_trip_of_a_deliberation_read_from_text(registry, tmp_path):
    source = tmp_path / "deliberation.txt"
    source.write_text(DELIBERATION, encoding="utf-8")
    [result] = ingest_paths([source], registry).results
    assert result.status == "added"
    recs = list(registry.all())
    declared = {"COLL_SIRET": SIRET, "idAttribuant": SIRET, "conditionsVersement": "unique",
                "datesPeriodeVersement": "2022-04-14", "notificationUE": "non"}

    deliberations = write_csv(export(recs, "scdl-deliberations", values=declared), tmp_path / "d.csv")
    assert validate(deliberations, "scdl-deliberations").valid
    [row] = read_rows(deliberations)
    assert (row["DELIB_ID"], row["DELIB_DATE"]) == ("2022-19", "2022-04-14")
    assert row["DELIB_OBJET"] == "Attribution d'une subvention à l'Association Les Amis de l'Exemple"
    assert (row["VOTE_POUR"], row["VOTE_CONTRE"], row["VOTE_ABSTENTION"]) == ("21", "3", "2")
    assert (row["DELIB_MATIERE_CODE"], row["COLL_SIRET"]) == ("7.5", SIRET)

    subsidies = write_csv(export(recs, "scdl-subventions", values=declared), tmp_path / "s.csv")
    assert validate(subsidies, "scdl-subventions").valid
    [grant] = read_rows(subsidies)
    assert (grant["nomBeneficiaire"], grant["montant"]) == ("Association Les Amis de l'Exemple", "20000.00")
    assert (grant["referenceDecision"], grant["dateConvention"]) == ("2022-19", "2022-04-14")


def test_a_row_missing_a_required_field_is_reported_not_invented(registry, tmp_path):
    source = tmp_path / "deliberation.txt"
    source.write_text(DELIBERATION, encoding="utf-8")
    ingest_paths([source], registry)
    result = export(registry.all(), "scdl-deliberations")
    assert result.rows == [] and result.skipped == ["deliberation.txt (deliberation) : COLL_SIRET inconnu(s)"]


def test_export_command_writes_the_file_and_shows_each_rule(settings, registry, tmp_path):
    ingest_paths([CORPUS / "real" / "scdl"], registry)
    out = tmp_path / "deliberations.csv"
    run = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "export", "scdl-deliberations",
                                   "--out", str(out), "--year", "2022", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert len(data["rows"]) == len(read_rows(out)) > 0
    assert all(r["rule"] for r in data["rows"])
    assert validate(out, "scdl-deliberations").valid
    bad = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "export", "scdl-autre", "--out", str(out)])
    assert bad.exit_code == 2 and "scdl-deliberations" in bad.output


@pytest.mark.slow
def test_exports_of_the_whole_shipped_corpus_validate(registry, tmp_path):
    report = ingest_paths([CORPUS], registry)
    assert report.failed == 0
    for kind in SCHEMA_FILES:
        result = export(registry.all(), kind)
        path = write_csv(result, tmp_path / f"{kind}.csv")
        validation = validate(path, kind)
        assert validation.valid, validation.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
        assert len(read_rows(path)) == len(result.rows) > 0
        print(f"{kind}: {len(result.rows)} rows written, {len(result.skipped)} not exported")
