"""Loaders: every supported format, every encoding, and every kind of bad file (no OCR here)."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from assistant.ingest.loaders import LoadError, clean_text, load, text_hash

# The seed's typographic characters that latin-1 cannot hold, replaced by their ASCII forms.
LATIN1_SAFE = str.maketrans({"’": "'", "—": "-", "€": "EUR", "œ": "oe"})


def _random_bytes(n: int) -> bytes:
    return random.Random(20190620).randbytes(n)


def test_utf8_text_comes_back_unchanged(seed_path, seed_text):
    loaded = load(seed_path)
    assert loaded.text == seed_text  # offsets into the record are offsets into the file
    assert (loaded.method, loaded.encoding) == ("text", "utf-8")
    assert text_hash(loaded.text) == text_hash(seed_text)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_western_encodings_are_detected(tmp_path, seed_text, encoding):
    text = seed_text.translate(LATIN1_SAFE) if encoding == "latin-1" else seed_text
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    loaded = load(path)
    assert loaded.text == text
    assert loaded.encoding in ("cp1252", "latin_1", "iso8859_15")


def test_cp1252_characters_are_not_read_as_central_european(tmp_path):
    # A free guess reads French cp1252 as cp1250, where "œ" becomes "ś".
    text = "Mise en œuvre de l’action, 20 000 € versés à l'association.\n"
    path = tmp_path / "oe.txt"
    path.write_bytes(text.encode("cp1252"))
    assert load(path).text == text


def test_utf16_with_bom_and_crlf(tmp_path, seed_text):
    path = tmp_path / "utf16.txt"
    path.write_bytes(seed_text.replace("\n", "\r\n").encode("utf-16"))
    loaded = load(path)
    assert loaded.text == seed_text
    assert loaded.encoding == "utf-16"


def test_utf8_cut_inside_a_character_stays_utf8(tmp_path, seed_text):
    data = seed_text.encode("utf-8")
    cut = data.index("Séance".encode()) + 2  # between the two bytes of "é"
    path = tmp_path / "coupe.txt"
    path.write_bytes(data[:cut])
    loaded = load(path)
    assert (loaded.text, loaded.encoding) == (seed_text[: seed_text.index("Séance") + 1], "utf-8")


def test_clean_text_composes_accents_and_keeps_lengths():
    decomposed = unicodedata.normalize("NFD", "Séance\fdu 20 juin")
    assert clean_text(decomposed) == "Séance\ndu 20 juin"
    assert clean_text("\ufeffa\r\nb") == "a\nb"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("vide.txt", b"", "fichier vide"),
        ("blancs.txt", b"  \n\n\t \n", "aucun texte lisible"),
        ("aleatoire.txt", _random_bytes(4096), "fichier binaire"),
        ("controle.txt", bytes(range(1, 32)) * 50, "fichier binaire"),
        ("aleatoire.pdf", _random_bytes(4096), "ce n'est pas un PDF"),
        ("aleatoire.docx", _random_bytes(4096), "document Word (.docx) illisible"),
        ("aleatoire.png", _random_bytes(4096), "image illisible"),
        ("notes.json", b'{"a": 1}', "format non pris en charge (.json)"),
    ],
)
def test_bad_files_get_a_french_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as exc:
        load(path)
    assert reason in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="fichier introuvable"):
        load(tmp_path / "absent.txt")


def test_50_mb_file_is_refused_on_its_size(tmp_path, monkeypatch):
    path = tmp_path / "enorme.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes, written instantly

    def no_reading(*_args, **_kwargs):
        raise AssertionError("a file over the limit must not be read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(LoadError) as exc:
        load(path)
    assert str(exc.value) == "fichier trop volumineux (50,0 Mo ; limite 20,0 Mo)"


def test_size_limit_is_configurable(seed_path):
    with pytest.raises(LoadError, match="trop volumineux"):
        load(seed_path, max_bytes=1000)
    assert load(seed_path, max_bytes=10_000).text


def test_docx_paragraphs_and_tables_in_order(tmp_path, docs, seed_text):
    path = docs.docx(seed_text, tmp_path / "seed.docx", table=[["Nature", "Montant"], ["65748", "20 000 €"]])
    loaded = load(path)
    assert loaded.method == "docx"
    assert loaded.text.startswith("Métropole Aix-Marseille- République Département des\n")
    assert "d’Azur d’'un montant de 20 000 euros pour I'année 2019" in loaded.text
    assert loaded.text.endswith("Martial ALVAREZ\n \nNature | Montant\n65748 | 20 000 €")  # seed ends "\n "


def test_pdf_with_a_text_layer_needs_no_ocr(tmp_path, docs, seed_text, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract, "image_to_string", _no_ocr)
    loaded = load(docs.text_pdf(seed_text, tmp_path / "seed.pdf"))
    assert (loaded.method, loaded.ocr_pages) == ("pdf-text", 0)
    assert loaded.pages == 4
    assert "EMP 004-6064/19/BM" in loaded.text
    assert "Séance du 20 juin 2019" in loaded.text
    assert "d’Azur d’'un montant de 20 000 euros pour I'année 2019 pour son projet ACTE’INOV." in loaded.text


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_truncated_binary_documents(tmp_path, docs, seed_text, kind):
    whole = (docs.text_pdf if kind == "pdf" else docs.docx)(seed_text, tmp_path / f"seed.{kind}")
    cut = tmp_path / f"coupe.{kind}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(LoadError, match="illisible ou tronqué"):
        load(cut)


def _no_ocr(*_args, **_kwargs):
    raise AssertionError("tesseract must not run for this file")
