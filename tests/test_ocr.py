"""Scans: a PDF made of page images of the seed is OCR'd (tesseract, French) and parsed into the same
key fields as the seed's text. Real tesseract, no mocks (except to prove it is *not* called)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant import textnorm
from assistant.ingest import loaders
from assistant.ingest.loaders import LoadError, load
from assistant.ingest.parser import parse
from assistant.ingest.pipeline import ingest_paths

SEED_ID = "000_47990de55f73b628"


def key_fields(rec) -> dict:
    return {
        "session_date": rec.session_date,
        "body": rec.body,
        "codes": [c.code for c in rec.codes],
        "amounts": [a.cents for a in rec.amounts],
        "beneficiaries": [textnorm.match_key(b) for b in rec.beneficiaries],
    }


@pytest.fixture(scope="session")
def scanned_seed(tmp_path_factory, docs) -> Path:
    seed = Path(__file__).resolve().parents[1] / "corpus" / f"{SEED_ID}.txt"
    return docs.scanned_pdf(seed.read_text(encoding="utf-8"), tmp_path_factory.mktemp("scan") / "scan.pdf")


def _no_ocr(*_args, **_kwargs):
    raise AssertionError("tesseract must not run again for an unchanged scan")


@pytest.mark.slow
@pytest.mark.ocr
def test_scanned_seed_is_ocrd_and_parsed_with_the_same_key_fields(
    registry, scanned_seed, seed_path, monkeypatch, capsys
):
    import pypdf

    assert all(not (page.extract_text() or "").strip() for page in pypdf.PdfReader(scanned_seed).pages)

    started = time.perf_counter()
    report = ingest_paths([scanned_seed], registry)
    seconds = time.perf_counter() - started
    [result] = report.results
    assert (result.status, result.id, result.method) == ("added", "scan", "pdf-ocr"), result.message
    rec = registry.get("scan")
    expected = parse(seed_path.read_text(encoding="utf-8"), id=SEED_ID, source=seed_path.name)
    assert expected.amounts and expected.codes and expected.beneficiaries  # a comparison of something
    assert key_fields(rec) == key_fields(expected)
    with capsys.disabled():
        print(f"\n[ocr] seed scan: {len(pypdf.PdfReader(scanned_seed).pages)} pages at 300 dpi, "
              f"OCR + parse + save in {seconds:.1f} s")

    # Unchanged scan: the OCR cache answers, tesseract stays idle, nothing is written.
    monkeypatch.setattr("pytesseract.image_to_string", _no_ocr)
    before = list(registry.conn.iterdump())
    [again] = ingest_paths([scanned_seed], registry).results
    assert (again.status, again.id) == ("unchanged", "scan")
    assert list(registry.conn.iterdump()) == before
    assert list((registry.path.parent / "ocr-cache").glob("*.json"))


@pytest.mark.slow
@pytest.mark.ocr
def test_image_is_ocrd_in_french(tmp_path, docs, seed_text):
    head = "\n".join(seed_text.splitlines()[:12])
    loaded = load(docs.image(head, tmp_path / "page.png"))
    assert (loaded.method, loaded.pages, loaded.ocr_pages) == ("image-ocr", 1, 1)
    assert "EXTRAIT DES REGISTRES DES DELIBERATIONS" in loaded.text
    assert "Séance du 20 juin 2019" in loaded.text  # accents: the French model is used
    assert "Présidente de la Métropole" in loaded.text


@pytest.mark.slow
@pytest.mark.ocr
def test_pdf_mixing_text_pages_and_scanned_pages(tmp_path, docs):
    import pypdf

    writer = pypdf.PdfWriter()
    first_page = "Article 1 : Est attribuée une subvention de 20 000 euros."
    writer.append(docs.text_pdf(first_page, tmp_path / "t.pdf"))
    writer.append(docs.scanned_pdf("Article 2 : Est approuvée la convention ci-annexée.", tmp_path / "s.pdf"))
    writer.write(tmp_path / "mixte.pdf")
    loaded = load(tmp_path / "mixte.pdf")
    assert (loaded.method, loaded.pages, loaded.ocr_pages) == ("pdf-mixed", 2, 1)
    first, second = loaded.text.split("\n\n", 1)
    assert first == first_page
    assert "Article 2 : Est approuvée la convention ci-annexée." in second


def test_missing_tesseract_is_a_clear_load_error(tmp_path, docs, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "pas-de-tesseract"))
    monkeypatch.setattr(loaders, "_TESSERACT_OK", None)
    page = tmp_path / "page.png"
    docs.image("Séance du 20 juin 2019", page, dpi=100)
    with pytest.raises(LoadError, match="tesseract n'est pas installé.*tesseract-ocr-fra"):
        load(page)


def test_missing_french_model_is_a_clear_load_error(tmp_path, docs, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract, "get_languages", lambda **_kw: ["eng", "osd"])
    monkeypatch.setattr(loaders, "_TESSERACT_OK", None)
    page = tmp_path / "page.png"
    docs.image("Séance du 20 juin 2019", page, dpi=100)
    with pytest.raises(LoadError, match="paquet tesseract-ocr-fra"):
        load(page)
