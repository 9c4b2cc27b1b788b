"""The ingestion pipeline and `delib ingest`: add, skip, update, fail cleanly, never half-write."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import textnorm
from assistant.cli import app
from assistant.ingest.loaders import load
from assistant.ingest.pipeline import collect_files, ingest_paths

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED_ID = "000_47990de55f73b628"
BENEFICIARY = "Cité des Métiers de Marseille et de Provence-Alpes-Cote d’Azur"

NOT_AN_EXTRACT = """Compte rendu de la réunion de quartier du 3 mars 2020

Les habitants présents ont évoqué la propreté des rues, le stationnement devant l'école et les
horaires de la médiathèque. Le prochain rendez-vous est fixé au mois de juin, salle des fêtes.
Merci à tous pour votre participation et à bientôt.
"""


def key_fields(rec) -> dict:
    """What an extract must yield whatever the file format: amount, beneficiary, date, codes."""
    return {
        "session_date": rec.session_date,
        "body": rec.body,
        "codes": [c.code for c in rec.codes],
        "amounts": [a.cents for a in rec.amounts],
        "beneficiaries": [textnorm.match_key(b) for b in rec.beneficiaries],
    }


def db_dump(registry) -> list[str]:
    """Every row of every table, to prove a registry was not touched."""
    return list(registry.conn.iterdump())


def _no_parse(*_args, **_kwargs):
    raise AssertionError("an unchanged file must not be parsed again")


def test_seed_is_added_with_its_key_fields(registry, seed_path):
    report = ingest_paths([seed_path], registry)
    [result] = report.results
    assert (result.status, result.id, result.method) == ("added", SEED_ID, "text")
    assert report.changed and report.failed == 0
    rec = registry.get(SEED_ID)
    assert rec.path == str(seed_path.resolve())
    assert rec.source == seed_path.name
    assert key_fields(rec) == {
        "session_date": dt.date(2019, 6, 20),
        "body": "bureau",
        "codes": ["EMP 004-6064/19/BM", "MET 19/11402/BM"],
        "amounts": [2_000_000] * len(rec.amounts),
        "beneficiaries": [textnorm.match_key(BENEFICIARY)],
    }
    assert rec.amounts and rec.raw_text == seed_path.read_text(encoding="utf-8")


def test_same_content_again_is_a_noop_without_parsing(registry, seed_path, seed_text, tmp_path, monkeypatch):
    ingest_paths([seed_path], registry)
    before = db_dump(registry)
    monkeypatch.setattr("assistant.ingest.pipeline.read_document", _no_parse)
    report = ingest_paths([seed_path, seed_path], registry)  # and the same file twice in one call
    assert [(r.status, r.id) for r in report.results] == [("unchanged", SEED_ID)]
    assert not report.changed
    assert db_dump(registry) == before
    # the patch is live: new content does reach the (patched) parser
    (tmp_path / "autre.txt").write_text(seed_text.replace("20 000", "21 000"), encoding="utf-8")
    [other] = ingest_paths([tmp_path / "autre.txt"], registry).results
    assert other.status == "failed" and "AssertionError" in other.message


def test_same_content_under_another_name_is_not_added_twice(registry, seed_path, tmp_path):
    ingest_paths([seed_path], registry)
    copy = tmp_path / "copie.txt"
    shutil.copy(seed_path, copy)
    [result] = ingest_paths([copy], registry).results
    assert (result.status, result.id) == ("unchanged", SEED_ID)
    assert "copie.txt" in result.message and SEED_ID in result.message
    assert registry.ids() == [SEED_ID]


def test_changed_file_updates_its_record(registry, seed_text, tmp_path):
    path = tmp_path / f"{SEED_ID}.txt"
    path.write_text(seed_text, encoding="utf-8")
    ingest_paths([path], registry)
    path.write_text(seed_text.replace("20 000", "25 000"), encoding="utf-8")
    [result] = ingest_paths([path], registry).results
    assert (result.status, result.id) == ("updated", SEED_ID)
    assert registry.ids() == [SEED_ID]
    assert {a.cents for a in registry.get(SEED_ID).amounts} == {2_500_000}
    assert registry.stats()["amounts"] == len(registry.get(SEED_ID).amounts)


def test_same_name_in_two_folders_gets_two_ids(registry, seed_text, tmp_path):
    first, second = tmp_path / "a" / "extrait.txt", tmp_path / "b" / "extrait.txt"
    for path, amount in ((first, "20 000"), (second, "30 000")):
        path.parent.mkdir()
        path.write_text(seed_text.replace("20 000", amount), encoding="utf-8")
    ids = [r.id for r in ingest_paths([first.parent, second.parent], registry).results]
    assert ids[0] == "extrait"
    assert ids[1].startswith("extrait-") and len(ids[1]) == len("extrait-") + 6
    again = ingest_paths([second, first], registry).results  # stable ids, whatever the order
    assert [(r.status, r.id) for r in again] == [("unchanged", ids[1]), ("unchanged", ids[0])]


def test_bad_inputs_fail_one_by_one_and_leave_the_registry_alone(registry, seed_path, seed_text, tmp_path):
    ingest_paths([seed_path], registry)
    before = db_dump(registry)
    bad = tmp_path / "lot"
    bad.mkdir()
    (bad / "01_vide.txt").write_bytes(b"")
    (bad / "02_aleatoire.txt").write_bytes(random.Random(7).randbytes(20_000))
    with (bad / "03_enorme.txt").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    (bad / "05_pas_un_extrait.txt").write_text(NOT_AN_EXTRACT, encoding="utf-8")
    (bad / "06_tronque.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")
    (bad / "07_aleatoire.docx").write_bytes(random.Random(8).randbytes(5000))

    report = ingest_paths([bad], registry)

    reasons = {Path(r.path).name: r.message for r in report.results}
    assert [r.status for r in report.results] == ["failed"] * 6
    assert report.failed == 6 and not report.changed
    assert reasons["01_vide.txt"] == "01_vide.txt : fichier vide"
    assert reasons["02_aleatoire.txt"].startswith("02_aleatoire.txt : fichier binaire")
    assert reasons["03_enorme.txt"] == "03_enorme.txt : fichier trop volumineux (50,0 Mo ; limite 20,0 Mo)"
    assert reasons["05_pas_un_extrait.txt"].startswith(
        "05_pas_un_extrait.txt : ce texte ne ressemble ni à une délibération")
    assert reasons["06_tronque.pdf"].startswith("06_tronque.pdf : PDF illisible ou tronqué")
    assert reasons["07_aleatoire.docx"].startswith("07_aleatoire.docx : document Word (.docx) illisible")
    assert all("\n" not in message for message in reasons.values())
    assert db_dump(registry) == before


def test_a_truncated_extract_is_kept_with_a_warning(registry, seed_text, tmp_path):
    """A document cut before its decision is stored and searchable, with a warning, not refused."""
    path = tmp_path / "04_tronque.txt"
    path.write_text(seed_text[: len(seed_text) // 3], encoding="utf-8")
    [result] = ingest_paths([path], registry).results
    assert result.status == "added"
    assert any(w.startswith("Document incomplet ou tronqué") for w in result.warnings)
    rec = registry.get(result.id)
    assert rec.vote is None and any(c.deliberation_id == rec.id for c in registry.chunks())


def test_a_good_file_after_bad_ones_is_still_ingested(registry, seed_text, tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    (batch / "a_vide.txt").write_bytes(b"")
    latin1 = seed_text.translate(str.maketrans({"’": "'", "—": "-", "€": "EUR", "œ": "oe"}))
    (batch / "b_latin1.txt").write_bytes(latin1.encode("latin-1"))
    report = ingest_paths([batch], registry)
    assert [(r.status, r.id) for r in report.results] == [("failed", None), ("added", "b_latin1")]
    rec = registry.get("b_latin1")
    assert rec.raw_text == latin1
    seed = load(CORPUS / f"{SEED_ID}.txt").text
    from assistant.ingest.parser import parse

    assert key_fields(rec) == key_fields(parse(seed, id="s", source="s.txt"))


def test_a_failure_inside_the_transaction_leaves_nothing_behind(registry, seed_path, monkeypatch):
    calls = {"n": 0}
    real = textnorm.search_text

    def fail_on_third_chunk(text: str) -> str:  # called inside the save transaction, per chunk
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disque plein")
        return real(text)

    monkeypatch.setattr("assistant.registry.textnorm.search_text", fail_on_third_chunk)
    [result] = ingest_paths([seed_path], registry).results
    assert result.status == "failed"
    assert result.message == f"{seed_path.name} : erreur inattendue RuntimeError : disque plein"
    assert calls["n"] == 3
    for table in ("deliberations", "members", "codes", "articles", "amounts", "beneficiaries", "chunks",
                  "chunks_fts"):
        assert registry.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_progress_is_reported_per_file(registry, seed_path, tmp_path):
    (tmp_path / "vide.txt").write_bytes(b"")
    calls = []
    ingest_paths([seed_path, tmp_path / "vide.txt"], registry, progress=lambda *a: calls.append(a))
    assert calls == [(0, 2, str(seed_path)), (1, 2, str(tmp_path / "vide.txt")), (2, 2, "")]


def test_folders_are_walked_for_supported_files_only(tmp_path):
    for name in ("b.txt", "sous/a.TXT", "sous/c.docx", "sous/d.pdf", "e.png", "notes.json", "verite.yaml",
                 ".cache/x.txt", "sous/~$c.docx"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    files, ignored = collect_files([tmp_path, tmp_path / "b.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "b.txt", "e.png", "sous/a.TXT", "sous/c.docx", "sous/d.pdf"]
    assert sorted(Path(p).name for p in ignored) == ["notes.json", "verite.yaml"]


def test_report_json_has_counts(registry, seed_path, tmp_path):
    (tmp_path / "vide.txt").write_bytes(b"")
    report = ingest_paths([seed_path, tmp_path / "vide.txt", tmp_path / "absent.txt"], registry)
    data = json.loads(report.model_dump_json())
    assert data["counts"] == {"added": 1, "updated": 0, "unchanged": 0, "failed": 2}
    assert data["results"][2]["message"] == "absent.txt : fichier introuvable"
    assert report.summary() == "1 ajouté(s), 0 mis à jour, 0 inchangé(s), 2 en échec"


# -- the command line --------------------------------------------------------------------------------


def _text_corpus(tmp_path: Path) -> Path:
    """corpus/ without its scans (those are OCR'd in test_ocr.py, marked slow)."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest, ignore=lambda d, names: [
        n for n in names if (Path(d) / n).is_file() and Path(n).suffix.lower() not in (".txt", ".docx")])
    return dest


def test_cli_ingest_corpus_then_show_the_seed(data_dir, tmp_path):
    runner = CliRunner()
    corpus = _text_corpus(tmp_path)
    result = runner.invoke(app, ["--data-dir", str(data_dir), "ingest", str(corpus), "--no-embed", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["failed"] == 0 and report["counts"]["added"] >= 1
    assert {"path": str(corpus / f"{SEED_ID}.txt"), "status": "added", "id": SEED_ID}.items() <= next(
        r for r in report["results"] if r["id"] == SEED_ID).items()

    shown = runner.invoke(app, ["--data-dir", str(data_dir), "show", SEED_ID, "--json"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert record["id"] == SEED_ID and record["session_date"] == "2019-06-20"
    assert [c["code"] for c in record["codes"]] == ["EMP 004-6064/19/BM", "MET 19/11402/BM"]

    again = runner.invoke(app, ["--data-dir", str(data_dir), "ingest", str(corpus), "--no-embed", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["counts"]["unchanged"] == report["counts"]["added"]


def test_cli_reports_each_failure_in_one_line_and_exits_1(data_dir, seed_path, tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    (batch / "vide.txt").write_bytes(b"")
    (batch / "bruit.txt").write_bytes(random.Random(1).randbytes(3000))
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(seed_path), str(batch),
                                      "--no-embed"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Erreur")]
    assert errors == ["Erreur : bruit.txt : fichier binaire, pas un texte (octets nuls)",
                      "Erreur : vide.txt : fichier vide"]
    assert "1 ajouté(s), 0 mis à jour, 0 inchangé(s), 2 en échec." in result.stdout


def test_cli_unresolvable_paths_are_one_line_each_and_the_batch_goes_on(data_dir, seed_path, tmp_path):
    loop = tmp_path / "boucle.txt"
    loop.symlink_to(loop)  # a link to itself: resolving it raises, reading it fails
    dangling = tmp_path / "lien.txt"
    dangling.symlink_to(tmp_path / "parti.txt")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(loop), str(seed_path),
                                      str(dangling), str(tmp_path / "absent.txt"), "--no-embed"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Erreur")]
    assert errors == ["Erreur : boucle.txt : lien symbolique sans cible (boucle ou fichier disparu)",
                      "Erreur : lien.txt : lien symbolique sans cible (boucle ou fichier disparu)",
                      "Erreur : absent.txt : fichier introuvable"]
    assert "1 ajouté(s), 0 mis à jour, 0 inchangé(s), 3 en échec." in result.stdout


def test_a_file_vanishing_during_the_batch_is_one_failure(registry, seed_text, tmp_path):
    folder = tmp_path / "lot"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(seed_text.replace("Séance du", f"{name} Séance du"), encoding="utf-8")

    def progress(done, _total, _path):  # while a.txt is read, b.txt is deleted
        if done == 0:
            (folder / "b.txt").unlink()

    report = ingest_paths([folder], registry, progress)
    assert [(Path(r.path).name, r.status) for r in report.results] == [
        ("a.txt", "added"), ("b.txt", "failed"), ("c.txt", "added")]
    assert report.results[1].message == "b.txt : fichier introuvable"


def test_cli_size_limit_option(data_dir, seed_path):
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(seed_path), "--no-embed",
                                      "--max-size", "0.005", "--json"])
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)["results"]
    assert "trop volumineux" in row["message"]


def test_cli_nothing_to_ingest(data_dir, tmp_path):
    (tmp_path / "notes.json").write_text("{}")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(tmp_path), "--no-embed"])
    assert result.exit_code == 1
    assert "Aucun fichier à ingérer" in result.stderr


@pytest.mark.slow
@pytest.mark.ocr
def test_delib_ingest_real_corpus_folder_then_show(data_dir):
    """The console script itself, on the shipped corpus/ (scans included: OCR)."""
    delib = Path(sys.executable).with_name("delib")
    run = subprocess.run(
        [str(delib), "--data-dir", str(data_dir), "ingest", str(CORPUS), "--no-embed", "--json"],
        check=False, capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["counts"]["failed"] == 0
    show = subprocess.run([str(delib), "--data-dir", str(data_dir), "show", SEED_ID, "--json"],
                          check=False, capture_output=True, text=True, timeout=300)
    assert show.returncode == 0, show.stderr
    assert json.loads(show.stdout)["amounts"][0]["cents"] == 2_000_000


@pytest.mark.slow
@pytest.mark.model
def test_cli_ingest_embeds_the_new_chunks(data_dir, seed_path, monkeypatch):
    """With a dense index configured and without --no-embed, the index is synced after an ingestion."""
    from assistant.config import Settings
    from assistant.core import Assistant

    monkeypatch.setenv("DELIB_DENSE_WEIGHT", "0.5")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(seed_path), "--json"])
    assert result.exit_code == 0, result.output
    a = Assistant(Settings.load(data_dir=data_dir))
    try:
        chunk_ids = {c.id for c in a.registry.chunks()}
        assert chunk_ids and set(a.index.indexed()) == chunk_ids
    finally:
        a.index.close()
        a.close()


def test_many_files_are_read_in_processes_with_the_same_registry(tmp_path, seed_text):
    """Past POOL_MIN_FILES files, reading runs in worker processes: same records, same ids (two files of
    one name in two folders of the batch included), same report, and a second run reads nothing new."""
    from assistant.ingest.pipeline import POOL_MIN_FILES
    from assistant.registry import Registry

    batch = tmp_path / "lot"
    (batch / "a").mkdir(parents=True)
    (batch / "b").mkdir()
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus" / "synthetic").glob("*.txt"))[:POOL_MIN_FILES]:
        shutil.copy(path, batch / "a")
    (batch / "a" / "extrait.txt").write_text(seed_text, encoding="utf-8")
    (batch / "b" / "extrait.txt").write_text(seed_text.replace("20 000", "30 000"), encoding="utf-8")

    def run(workers: int):
        registry = Registry(tmp_path / f"registry-{workers}.sqlite")
        report = ingest_paths([batch], registry, workers=workers)
        records = [r.model_dump(mode="json") for r in registry.all()]
        return registry, [(Path(r.path).name, r.status, r.ids) for r in report.results], records

    alone, report_alone, records_alone = run(1)
    pooled, report_pooled, records_pooled = run(2)
    assert len(report_pooled) == POOL_MIN_FILES + 2 and {s for _, s, _ in report_pooled} == {"added"}
    assert report_pooled == report_alone and records_pooled == records_alone
    ids = [ids[0] for name, _, ids in report_pooled if name == "extrait.txt"]
    assert ids[0] == "extrait" and ids[1].startswith("extrait-")  # one name, two files: two ids
    again = ingest_paths([batch], pooled, workers=2)
    assert {r.status for r in again.results} == {"unchanged"}
    alone.close()
    pooled.close()
