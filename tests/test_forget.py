"""Forgetting records whose file is gone (`delib forget`, `delib ingest --prune`) and the OCR cache
(`delib cache clear`): real SQLite registry, real embedded Chroma, real files.

Fast tests embed with a small hashed bag of stems (no model); the `model` test uses the shipped one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import bag_of_stems
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli.ingest_cmds import format_size, plural
from assistant.index import DEFAULT_MODEL_NAME, DenseIndex, Embedder
from assistant.ingest.loaders import Loaded, ocr_cache_key
from assistant.ingest.pipeline import (
    clear_ocr_cache,
    forget,
    ingest_paths,
    missing_records,
    ocr_cache_dir,
    prune_ocr_cache,
    resolve_targets,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED_ID = "000_47990de55f73b628"
SYNTH = sorted((CORPUS / "synthetic").glob("synth_*.txt"))[:3]


class HashedStems(Embedder):
    """Deterministic, instant embeddings. Named like the shipped model by default, so that the CLI
    (which opens the index with the default settings) finds this collection instead of rebuilding it."""

    DIM = 64

    def __init__(self, name: str = DEFAULT_MODEL_NAME) -> None:
        super().__init__("hashed-stems", name=name, batch_size=8)

    def _encode(self, texts: list[str], *, query: bool) -> list[list[float]]:
        return bag_of_stems(texts, self.DIM)


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """Folder a/ with the seed and two synthetic extracts, folder b/ with a third one."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(CORPUS / f"{SEED_ID}.txt", a)
    for src in SYNTH[:2]:
        shutil.copy(src, a)
    shutil.copy(SYNTH[2], b)
    return a, b


def _fts_rows(registry, rid: str) -> int:
    return registry.conn.execute(
        "SELECT count(*) FROM chunks_fts WHERE chunk_id LIKE ?", (f"{rid}:%",)).fetchone()[0]


def _linked_rows(registry, rid: str) -> int:
    """Rows naming the record in any table with a deliberation_id column (members, amounts, chunks...,
    and whatever table a later migration adds)."""
    tables = [r[0] for r in registry.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    total = 0
    for table in tables:
        columns = {r[1] for r in registry.conn.execute(f"PRAGMA table_info({table})")}
        if "deliberation_id" in columns:
            total += registry.conn.execute(
                f"SELECT count(*) FROM {table} WHERE deliberation_id = ?", (rid,)).fetchone()[0]
    return total


def _traces(registry, rid: str) -> dict:
    """Everything the registry holds about a record: its row, linked rows, FTS rows, lexical hits."""
    hits = registry.search_lexical("subvention délibération métropole", k=500)
    return {
        "record": registry.get(rid) is not None,
        "linked": _linked_rows(registry, rid),
        "fts": _fts_rows(registry, rid),
        "hits": sum(1 for c, _ in hits if c.deliberation_id == rid),
    }


# -- ingest --prune --------------------------------------------------------------------------------


def test_prune_removes_the_records_of_deleted_files_under_the_folder_only(registry, tmp_path):
    a, b = _folders(tmp_path)
    assert ingest_paths([a, b], registry).counts["added"] == 4
    gone_a, gone_b = SYNTH[0].stem, SYNTH[2].stem
    assert _traces(registry, gone_a)["linked"] and _traces(registry, gone_a)["fts"]
    (a / SYNTH[0].name).unlink()
    (b / SYNTH[2].name).unlink()

    assert [r.id for r in missing_records(registry, [a])] == [gone_a]
    report = ingest_paths([a], registry, prune=True)
    assert [(r.id, r.path) for r in report.pruned] == [(gone_a, str((a / SYNTH[0].name).resolve()))]
    assert report.changed  # the dense index must be reconciled even though no file changed
    assert report.counts == {"added": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert report.summary().endswith("1 retiré (fichier disparu)")
    assert _traces(registry, gone_a) == {"record": False, "linked": 0, "fts": 0, "hits": 0}
    # b/ was not ingested with --prune: its record stays although its file is gone.
    assert registry.get(gone_b) is not None and registry.get(SEED_ID) is not None
    # Nothing more to prune.
    assert ingest_paths([a], registry, prune=True).pruned == []


def test_without_prune_nothing_is_removed(registry, tmp_path):
    a, _ = _folders(tmp_path)
    ingest_paths([a], registry)
    (a / f"{SEED_ID}.txt").unlink()
    report = ingest_paths([a], registry)
    assert report.pruned == [] and registry.get(SEED_ID) is not None


def test_a_surviving_copy_of_a_removed_file_gets_its_own_record(registry, tmp_path):
    """Pruning runs before ingesting: a copy that was a twin of the removed file is then added."""
    a, _ = _folders(tmp_path)
    ingest_paths([a], registry)
    shutil.copy(a / f"{SEED_ID}.txt", a / "copie.txt")
    assert next(r for r in ingest_paths([a], registry).results if r.path.endswith("copie.txt")).id == SEED_ID
    (a / f"{SEED_ID}.txt").unlink()
    report = ingest_paths([a], registry, prune=True)
    assert [r.id for r in report.pruned] == [SEED_ID]
    copy = next(r for r in report.results if r.path.endswith("copie.txt"))
    assert (copy.status, copy.id) == ("added", "copie")
    assert registry.get("copie").amounts[0].cents == 2_000_000


# -- forget ----------------------------------------------------------------------------------------


def test_forget_by_id_by_deleted_file_and_by_folder(registry, tmp_path):
    a, b = _folders(tmp_path)
    ingest_paths([a, b], registry)
    (a / SYNTH[1].name).unlink()

    records, unknown = resolve_targets(registry, [SEED_ID, str(a / SYNTH[1].name), "rien", str(b)])
    assert [r.id for r in records] == [SEED_ID, SYNTH[1].stem, SYNTH[2].stem] and unknown == ["rien"]

    report = forget(registry, [SEED_ID, str(a / SYNTH[1].name), "rien"])
    assert [r.id for r in report.forgotten] == [SEED_ID, SYNTH[1].stem] and report.unknown == ["rien"]
    for rid in (SEED_ID, SYNTH[1].stem):
        assert _traces(registry, rid) == {"record": False, "linked": 0, "fts": 0, "hits": 0}
    assert registry.ids() and set(registry.ids()) == {SYNTH[0].stem, SYNTH[2].stem}

    # A folder: every record whose file was under it, the folder itself being kept on disk.
    assert [r.id for r in forget(registry, [str(b)]).forgotten] == [SYNTH[2].stem]
    assert (b / SYNTH[2].name).is_file() and set(registry.ids()) == {SYNTH[0].stem}


def test_forget_and_prune_leave_no_vector_behind(registry, settings, tmp_path):
    """Real embedded Chroma: forget deletes the record's vectors at once (no embedding); after a
    pruning ingest, sync deletes the orphans; dense search never returns a forgotten record."""
    a, _ = _folders(tmp_path)
    ingest_paths([a], registry)
    index = DenseIndex.from_settings(settings, registry, embedder=HashedStems())
    try:
        assert set(index.indexed()) == set(registry.chunk_hashes())
        n_seed = sum(1 for c in registry.chunks() if c.deliberation_id == SEED_ID)
        assert n_seed > 0

        report = forget(registry, [SEED_ID], index=index)
        assert report.vectors_deleted == n_seed
        assert set(index.indexed()) == set(registry.chunk_hashes())
        hits = index.search("Cité des Métiers subvention 20 000 euros", k=50)
        assert hits and all(c.deliberation_id != SEED_ID for c, _ in hits)

        # Pruning removes a record whose file is gone; the next sync deletes its orphan vectors (and
        # embeds the forgotten seed again: its file is still in the folder, so it is ingested anew).
        (a / SYNTH[0].name).unlink()
        n_synth = sum(1 for c in registry.chunks() if c.deliberation_id == SYNTH[0].stem)
        report = ingest_paths([a], registry, prune=True)
        assert [r.id for r in report.pruned] == [SYNTH[0].stem] and report.counts["added"] == 1
        assert index.sync() == {"added": n_seed, "updated": 0, "deleted": n_synth,
                                "unchanged": len(registry.chunk_hashes()) - n_seed}
        assert set(index.indexed()) == set(registry.chunk_hashes())
    finally:
        index.close()


# -- the OCR cache ---------------------------------------------------------------------------------


def _entry(cache: Path, name: str, text: str) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name}.json"
    path.write_text(Loaded(text=text, method="pdf-ocr", pages=1, ocr_pages=1).model_dump_json(), encoding="utf-8")
    return path


def test_prune_ocr_cache_keeps_the_entries_of_records_and_of_named_files(registry, tmp_path, seed_text):
    ingest_paths([CORPUS / f"{SEED_ID}.txt"], registry)
    cache = ocr_cache_dir(registry.path)
    # The text as OCR'd, with Windows line endings: the cache keeps it raw, `load` cleans it.
    used = _entry(cache, "a" * 64 + "-fra", seed_text.replace("\n", "\r\n"))
    kept = _entry(cache, "b" * 64 + "-fra", "un scan qui n'est pas un extrait")
    orphan = _entry(cache, "c" * 64 + "-fra", "l'extrait d'un fichier supprimé")
    damaged = cache / ("d" * 64 + "-fra.json")
    damaged.write_text("{pas du json", encoding="utf-8")
    leftover = cache / ("e" * 64 + "-fra.tmp")
    leftover.write_text("{", encoding="utf-8")
    gone = orphan.stat().st_size + damaged.stat().st_size + leftover.stat().st_size

    freed = prune_ocr_cache(cache, registry, keep_keys=[kept.stem])
    assert (freed.files, freed.bytes) == (3, gone)
    assert sorted(p.name for p in cache.iterdir()) == [used.name, kept.name]

    # Once its record is forgotten, the seed's entry goes too (the kept one is not protected here).
    report = forget(registry, [SEED_ID])
    assert report.cache.files == 2 and list(cache.iterdir()) == []
    assert clear_ocr_cache(cache).files == 0 and clear_ocr_cache(tmp_path / "absent").files == 0


def test_ingest_prune_cleans_the_ocr_cache(registry, tmp_path, seed_text):
    a, _ = _folders(tmp_path)
    ingest_paths([a], registry)
    cache = ocr_cache_dir(registry.path)
    seed_entry = _entry(cache, "a" * 64 + "-fra", seed_text)
    _entry(cache, "c" * 64 + "-fra", "le texte d'un scan supprimé depuis")
    report = ingest_paths([a], registry, prune=True)
    assert report.pruned == [] and report.cache.files == 1
    assert [p.name for p in cache.iterdir()] == [seed_entry.name]
    (a / f"{SEED_ID}.txt").unlink()
    report = ingest_paths([a], registry, prune=True)
    assert [r.id for r in report.pruned] == [SEED_ID] and report.cache.files == 1
    assert list(cache.iterdir()) == []


def test_clear_ocr_cache_reports_what_it_freed(tmp_path):
    cache = tmp_path / "ocr-cache"
    sizes = [_entry(cache, f"{i:064d}-fra", "texte " * (i + 1) * 100).stat().st_size for i in range(3)]
    (cache / "notes.txt").write_text("pas une entrée", encoding="utf-8")  # not ours: left alone
    freed = clear_ocr_cache(cache)
    assert (freed.files, freed.bytes) == (3, sum(sizes))
    assert [p.name for p in cache.iterdir()] == ["notes.txt"]


def test_french_sizes_and_plurals():
    assert [format_size(n) for n in (0, 850, 12 * 1024, 3_565_158, 25 * 1024**2, 2 * 1024**3)] == [
        "0 o", "850 o", "12 ko", "3,4 Mo", "25 Mo", "2,0 Go"]
    assert [plural(n, "entrée", "entrées") for n in (0, 1, 2)] == ["0 entrée", "1 entrée", "2 entrées"]


# -- the command line --------------------------------------------------------------------------------


def _cli(data_dir: Path, *args: str):
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])


def test_cli_ingest_prune_and_forget(data_dir, tmp_path, settings):
    a, b = _folders(tmp_path)
    assert _cli(data_dir, "ingest", str(a), str(b), "--no-embed").exit_code == 0
    (a / SYNTH[0].name).unlink()

    result = _cli(data_dir, "ingest", str(a), "--no-embed", "--prune", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["id"] for r in report["pruned"]] == [SYNTH[0].stem]
    assert report["counts"]["unchanged"] == 2 and report["cache"] == {"files": 0, "bytes": 0}

    (a / SYNTH[1].name).unlink()
    text = _cli(data_dir, "ingest", str(a), "--no-embed", "--prune")
    assert text.exit_code == 0, text.output
    assert f"1 délibération retirée du registre (fichier disparu) : {SYNTH[1].stem}" in text.stdout
    assert "1 retiré (fichier disparu)" in text.stdout

    result = _cli(data_dir, "forget", SEED_ID, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["forgotten"] == [{"id": SEED_ID, "path": str((a / f"{SEED_ID}.txt").resolve())}]
    assert _cli(data_dir, "show", SEED_ID).exit_code == 1

    result = _cli(data_dir, "forget", str(b), "inconnu")
    assert result.exit_code == 1
    assert "1 délibération oubliée." in result.stdout
    assert "« inconnu » ne désigne aucune délibération" in result.stderr
    assert json.loads(_cli(data_dir, "stats", "--json").stdout)["deliberations"] == 0


def test_cli_forget_deletes_the_vectors_without_loading_a_model(data_dir, tmp_path, settings, monkeypatch):
    a, _ = _folders(tmp_path)
    assert _cli(data_dir, "ingest", str(a), "--no-embed").exit_code == 0
    from assistant.registry import Registry

    with Registry(settings.registry_path) as reg:
        index = DenseIndex.from_settings(settings, reg, embedder=HashedStems())
        n_seed = sum(1 for c in reg.chunks() if c.deliberation_id == SEED_ID)
        index.close()

    def no_model(*_a, **_k):
        raise AssertionError("forget must not embed anything")

    monkeypatch.setattr(Embedder, "_encode", no_model)
    result = _cli(data_dir, "forget", SEED_ID, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["vectors_deleted"] == n_seed
    text = _cli(data_dir, "forget", SYNTH[0].stem)
    assert text.exit_code == 0 and "1 délibération oubliée ; " in text.stdout and "de l'index sémantique" in text.stdout

    with Registry(settings.registry_path) as reg:
        index = DenseIndex.from_settings(settings, reg, embedder=HashedStems(), sync=False)
        assert set(index.indexed()) == set(reg.chunk_hashes()) and len(reg.ids()) == 1
        index.close()


def test_cli_cache_clear(data_dir, settings, seed_text):
    cache = ocr_cache_dir(settings.registry_path)
    _entry(cache, "a" * 64 + "-fra", seed_text)
    _entry(cache, "b" * 64 + "-fra", "autre")
    assert _cli(data_dir, "ingest", str(CORPUS / f"{SEED_ID}.txt"), "--no-embed").exit_code == 0

    result = _cli(data_dir, "cache", "clear", "--unused", "--json")
    assert result.exit_code == 0, result.output
    unused = json.loads(result.stdout)
    assert unused["files"] == 1 and unused["path"] == str(cache)

    size = (cache / ("a" * 64 + "-fra.json")).stat().st_size
    text = _cli(data_dir, "cache", "clear")
    assert text.exit_code == 0, text.output
    assert f"1 entrée supprimée, {format_size(size)} libérés" in " ".join(text.stdout.split())
    assert list(cache.iterdir()) == []
    assert "rien à supprimer" in _cli(data_dir, "cache", "clear").stdout


def test_cli_help_is_french():
    for args in (["forget", "--help"], ["cache", "clear", "--help"], ["ingest", "--help"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0
    assert "Oublier des délibérations" in CliRunner().invoke(app, ["forget", "--help"]).stdout
    assert "--prune" in CliRunner().invoke(app, ["ingest", "--help"]).stdout


# -- slow: the real model and real OCR -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.model
def test_cli_prune_and_forget_with_the_shipped_model(data_dir, tmp_path, settings):
    """`delib ingest` embeds with the real model; after --prune and forget, the dense index holds
    exactly the registry's chunks and `delib search --mode dense` never shows a forgotten record."""
    from assistant.core import Assistant

    a, _ = _folders(tmp_path)
    assert _cli(data_dir, "ingest", str(a)).exit_code == 0
    (a / f"{SEED_ID}.txt").unlink()
    result = _cli(data_dir, "ingest", str(a), "--prune", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)["pruned"]] == [SEED_ID]
    assert _cli(data_dir, "forget", SYNTH[0].stem).exit_code == 0

    search = _cli(data_dir, "search", "Cité des Métiers subvention", "--mode", "dense", "--json")
    assert search.exit_code == 0, search.output
    found = {row["deliberation_id"] for row in json.loads(search.stdout)}
    assert found == {SYNTH[1].stem}
    assistant = Assistant(settings)
    try:
        assert set(assistant.index.indexed()) == set(assistant.registry.chunk_hashes())
        assert set(assistant.registry.ids()) == {SYNTH[1].stem}
    finally:
        assistant.index.close()
        assistant.close()


@pytest.mark.slow
@pytest.mark.ocr
def test_a_scan_removed_from_the_folder_loses_its_ocr_cache_entry(registry, tmp_path, docs):
    """Real tesseract: a scanned page that is no register's document (a neighbourhood meeting's notes; an
    extract's head alone is now a partial document, kept) fails but keeps its cache entry while the file is
    there; once deleted, --prune removes the entry."""
    folder = tmp_path / "scans"
    folder.mkdir()
    notes = ("Compte rendu de la réunion de quartier du 3 mars 2020\n\nLes habitants présents ont évoqué la "
             "propreté des rues,\nle stationnement devant l'école et les horaires de la médiathèque.\n"
             "Le prochain rendez-vous est fixé au mois de juin, salle des fêtes.")
    page = docs.image(notes, folder / "page.png")
    key = ocr_cache_key(page)
    first = ingest_paths([folder], registry, prune=True)
    assert first.counts["failed"] == 1
    cache = ocr_cache_dir(registry.path)
    assert [p.stem for p in cache.iterdir()] == [key] and first.cache.files == 0
    page.unlink()
    report = ingest_paths([folder], registry, prune=True)
    assert report.results == [] and report.cache.files == 1 and list(cache.iterdir()) == []
