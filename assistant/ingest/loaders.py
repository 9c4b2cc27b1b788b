"""Turn a file into text: .txt (any common encoding), .pdf (text layer, else OCR), images (OCR), .docx.

`load(path)` returns the text exactly as read (only line endings, a BOM and Unicode composition are
normalised, so that offsets into it stay meaningful), or raises `LoadError` with a one-line French
reason. OCR noise is *not* repaired here: the raw text is kept and `textnorm` builds search keys.

Heavy libraries (pypdf, pypdfium2, pytesseract, Pillow, python-docx) are imported in the branch that
needs them.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
import zipfile
from pathlib import Path

from pydantic import BaseModel

TEXT_SUFFIXES = frozenset({".txt"})
CSV_SUFFIXES = frozenset({".csv"})  # open-data files (SCDL), read as text then by `opendata.read`
PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
DOCX_SUFFIXES = frozenset({".docx"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | CSV_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES | DOCX_SUFFIXES

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
OCR_LANG = "fra"
OCR_DPI = 300
OCR_TIMEOUT_S = 300  # per page; a stuck tesseract must not hang a batch
# A PDF page with fewer visible characters than this in its text layer is treated as a scan.
MIN_PAGE_CHARS = 25
# Below this share of printable characters, decoded "text" is really binary.
MIN_PRINTABLE_RATIO = 0.95
# Western encodings only: a free guess picks cp1250 for French, which turns "œ" into "ś".
_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "mac_roman", "utf_16", "utf_32"]
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


class LoadError(ValueError):
    """A file that cannot be read as text; the message is one French sentence for a clerk."""


class Loaded(BaseModel):
    text: str
    method: str  # "text", "docx", "pdf-text", "pdf-ocr", "pdf-mixed", "image-ocr"
    encoding: str | None = None  # for .txt files
    pages: int | None = None  # for PDFs and images
    ocr_pages: int = 0  # how many pages went through tesseract


def text_hash(text: str) -> str:
    """The record's content hash: sha256 of the loaded text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def load(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr_cache: Path | None = None) -> Loaded:
    """Read one file as text. `ocr_cache` (a folder) keeps OCR results by file hash, so that
    re-ingesting an unchanged scan costs a hash, not minutes of tesseract."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        # A link whose target is missing or is itself (a loop) says so: the user sees the file listed.
        raise LoadError("lien symbolique sans cible (boucle ou fichier disparu)" if path.is_symlink()
                        else "fichier introuvable")
    if not path.is_file():
        raise LoadError("ce n'est pas un fichier")
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            f"format non pris en charge ({suffix or 'sans extension'}) ; formats acceptés : "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    size = path.stat().st_size
    if size == 0:
        raise LoadError("fichier vide")
    if size > max_bytes:  # refused on its size alone: never read a huge file into memory
        raise LoadError(f"fichier trop volumineux ({_mo(size)} ; limite {_mo(max_bytes)})")

    if suffix in TEXT_SUFFIXES:
        loaded = _load_txt(path.read_bytes())
    elif suffix in CSV_SUFFIXES:
        loaded = _load_csv(path.read_bytes())
    elif suffix in DOCX_SUFFIXES:
        loaded = _load_docx(path)
    else:
        loaded = _cached_ocr(path, suffix, ocr_cache)
    text = clean_text(loaded.text)
    if not text.strip():
        raise LoadError("aucun texte lisible dans le fichier")
    return loaded.model_copy(update={"text": text})


def clean_text(text: str) -> str:
    """Normalise only what carries no meaning: BOM, line endings, Unicode composition (NFC, so that a
    decomposed "é" from a PDF matches a typed one), form feeds (page breaks) read as line breaks.
    A UTF-8 .txt with LF endings comes back unchanged, so offsets into it are offsets into the file."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return unicodedata.normalize("NFC", text)


def _mo(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


# -- text files ------------------------------------------------------------------------------------


def _load_txt(data: bytes) -> Loaded:
    text, encoding = _decode(data)
    return Loaded(text=text, method="text", encoding=encoding)


def _load_csv(data: bytes) -> Loaded:
    """An open-data file: decoded as a text file, then repaired where it was once a cp1252 file read as
    UTF-8 and saved again ("numÃ©raire" -> "numéraire"; ftfy changes nothing in a sound text)."""
    import ftfy

    text, encoding = _decode(data)
    return Loaded(text=ftfy.fix_encoding(text), method="csv", encoding=encoding)


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_printable(data.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                reason = f"texte {encoding} illisible (octet invalide en position {exc.start})"
                raise LoadError(reason) from exc
    if b"\x00" in data:
        raise LoadError("fichier binaire, pas un texte (octets nuls)")
    try:
        return _check_printable(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # a UTF-8 file cut inside its last character
            return _check_printable(data[: exc.start].decode("utf-8-sig")), "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_ENCODINGS).best()
    if best is None:
        raise LoadError("fichier binaire ou encodage de caractères inconnu, pas un texte lisible")
    return _check_printable(str(best)), best.encoding


def _check_printable(text: str) -> str:
    if not text:
        return text
    # Control characters and unassigned code points make a binary file; any space (a no-break space, which
    # str.isprintable() rejects, fills texts copied from PDFs) or a private-use glyph (a PDF's bullet) does not.
    control = sum(1 for ch in text if not (ch.isprintable() or ch.isspace()) and unicodedata.category(ch) != "Co")
    if 1 - control / len(text) < MIN_PRINTABLE_RATIO:
        raise LoadError("fichier binaire, pas un texte (trop de caractères de contrôle)")
    return text


# -- .docx -----------------------------------------------------------------------------------------


def _load_docx(path: Path) -> Loaded:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise LoadError("document Word (.docx) illisible ou tronqué (archive .docx invalide)") from exc
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors on damaged files
        raise LoadError(f"document Word (.docx) illisible ou tronqué ({_reason(exc, path)})") from exc
    # The page header of a Word template often carries the authority ("COMMUNAUTÉ D'AGGLOMÉRATION ..."):
    # read it first, as the printed page shows it (a header linked to the previous section is no new one).
    lines = [p.text for section in document.sections if not section.header.is_linked_to_previous
             for p in section.header.paragraphs if p.text.strip()]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return Loaded(text="\n".join(lines), method="docx")


def _table_lines(table) -> list[str]:
    """One line per row, cells joined by " | ". A grid (two rows or more: grants, fees) keeps each row on
    one line, a cell's own line breaks becoming spaces, so a row can be quoted alone; a one-row layout
    table (a signature block beside the publication note) keeps its cells' lines, as printed."""
    grid = len(table.rows) >= 2
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:  # merged cells come back once per grid column: keep one
            text = " ".join(cell.text.split()) if grid else cell.text.strip()
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


# -- PDFs and images (OCR) -------------------------------------------------------------------------


def ocr_cache_key(path: Path) -> str:
    """A file's entry name in the OCR cache: its bytes' hash and the OCR language."""
    return f"{file_hash(path)}-{OCR_LANG}"


def ocr_cache_entries(cache: Path) -> list[Path]:
    """Every file of the OCR cache (entries and leftovers of an interrupted write)."""
    if not cache.is_dir():
        return []
    return sorted(p for p in cache.iterdir() if p.is_file() and p.suffix in (".json", ".tmp"))


def cached_text_hash(entry: Path) -> str | None:
    """The record content hash an OCR cache entry leads to (the text `load` would return), or None
    for a damaged entry."""
    try:
        loaded = Loaded.model_validate_json(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return text_hash(clean_text(loaded.text))


def _cached_ocr(path: Path, suffix: str, cache: Path | None) -> Loaded:
    cached = cache / f"{ocr_cache_key(path)}.json" if cache else None
    if cached and cached.is_file():
        try:
            return Loaded.model_validate_json(cached.read_text(encoding="utf-8"))
        except ValueError:
            pass  # a damaged cache entry is simply redone
    loaded = _load_pdf(path) if suffix in PDF_SUFFIXES else _load_image(path)
    if cached and loaded.ocr_pages:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(loaded.model_dump_json(), encoding="utf-8")
        tmp.replace(cached)  # atomic: a crash never leaves half an entry
    return loaded


def _load_pdf(path: Path) -> Loaded:
    import logging

    import pypdf

    # pypdf logs every repaired defect; the one-line LoadError below is what the user needs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    with path.open("rb") as fh:
        if b"%PDF-" not in fh.read(1024):
            raise LoadError("ce n'est pas un PDF (en-tête %PDF absent)")
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("PDF protégé par un mot de passe")
        layers = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise LoadError(f"PDF illisible ou tronqué ({_reason(exc, path)})") from exc
    if not layers:
        raise LoadError("PDF sans aucune page")
    scanned = [i for i, text in enumerate(layers) if len("".join(text.split())) < MIN_PAGE_CHARS]
    if scanned:
        for i, text in zip(scanned, _ocr_pdf_pages(path, scanned), strict=True):
            layers[i] = text
    method = "pdf-text" if not scanned else "pdf-ocr" if len(scanned) == len(layers) else "pdf-mixed"
    return Loaded(text="\n\n".join(p.strip("\n\f") for p in layers), method=method, pages=len(layers),
                  ocr_pages=len(scanned))


def _ocr_pdf_pages(path: Path, pages: list[int]) -> list[str]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:
        raise LoadError(f"PDF illisible ou tronqué ({_reason(exc, path)})") from exc
    try:
        texts = []
        for i in pages:
            page = pdf[i]
            image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            page.close()
            texts.append(ocr_image(image))
        return texts
    finally:
        pdf.close()


def _load_image(path: Path) -> Loaded:
    from PIL import Image, ImageSequence

    try:
        with Image.open(path) as img:
            frames = [frame.copy() for frame in ImageSequence.Iterator(img)]  # multi-page TIFF
    except Image.DecompressionBombError as exc:
        raise LoadError("image trop grande pour être lue sans risque") from exc
    except Exception as exc:  # UnidentifiedImageError, truncated data (OSError)
        raise LoadError(f"image illisible, tronquée ou d'un format inconnu ({_reason(exc, path)})") from exc
    texts = [ocr_image(frame) for frame in frames]
    return Loaded(text="\n\n".join(t.strip("\n\f") for t in texts), method="image-ocr", pages=len(frames),
                  ocr_pages=len(frames))


def ocr_image(image) -> str:
    """French OCR of one page (a PIL image) with tesseract."""
    import pytesseract

    _check_tesseract()
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK") else "L")
    dpi = image.info.get("dpi", (OCR_DPI, OCR_DPI))[0] or OCR_DPI
    try:
        return pytesseract.image_to_string(
            image, lang=OCR_LANG, config=f"--dpi {int(dpi)}", timeout=OCR_TIMEOUT_S
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise LoadError(f"OCR interrompu : une page a pris plus de {OCR_TIMEOUT_S} s") from exc
    except pytesseract.TesseractError as exc:
        raise LoadError(f"échec de l'OCR ({_reason(exc)})") from exc


_TESSERACT_OK: bool | None = None


def _check_tesseract() -> None:
    """Fail with an installable answer when tesseract or its French data is missing (checked once)."""
    global _TESSERACT_OK
    if _TESSERACT_OK:
        return
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise LoadError(
            "OCR impossible : tesseract n'est pas installé "
            "(paquets Debian tesseract-ocr et tesseract-ocr-fra)"
        ) from exc
    if OCR_LANG not in languages:
        raise LoadError(
            f"OCR impossible : la langue « {OCR_LANG} » de tesseract manque (paquet tesseract-ocr-{OCR_LANG})"
        )
    _TESSERACT_OK = True


def _reason(exc: BaseException, path: Path | None = None) -> str:
    """One short line from a library exception (some span several lines, are empty, or repeat the
    path the caller's message already names)."""
    text = str(exc)
    if path is not None:
        text = text.replace(f"'{path}'", "").replace(str(path), "")
    text = " ".join(text.split()).rstrip(" :") or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"
