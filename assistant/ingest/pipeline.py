"""Ingestion: files and folders -> load -> parse -> registry, one file at a time.

Each file is its own unit of work: a bad file is reported in one French line and the batch goes on;
`Registry.save` writes a record in one transaction, so nothing half-written stays behind. The
library never prints: callers pass `progress(done, total, path)` (a rich bar in the CLI, a Gradio
progress in the app).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, computed_field

from .loaders import DEFAULT_MAX_BYTES, LoadError, is_supported, load, text_hash
from .parser import NotAnExtract, parse

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

Status = Literal["added", "updated", "unchanged", "failed"]
Progress = Callable[[int, int, str], object]
STATUS_LABELS = {"added": "ajouté", "updated": "mis à jour", "unchanged": "inchangé", "failed": "échec"}


class FileResult(BaseModel):
    path: str
    status: Status
    id: str | None = None
    message: str = ""  # French; for a failure: "<file> : <reason>"
    method: str | None = None  # how the text was read: text, docx, pdf-text, pdf-ocr, image-ocr...
    warnings: list[str] = Field(default_factory=list)  # parts the parser could not find
    seconds: float = 0.0


class IngestReport(BaseModel):
    results: list[FileResult] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)  # files in folders with an unsupported type

    @computed_field
    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    @property
    def changed(self) -> bool:
        """True when the registry was written (derived indexes then need a sync)."""
        return any(r.status in ("added", "updated") for r in self.results)

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def summary(self) -> str:
        c = self.counts
        return (f"{c['added']} ajouté(s), {c['updated']} mis à jour, {c['unchanged']} inchangé(s), "
                f"{c['failed']} en échec")


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """Expand folders recursively into supported files (sorted), keep files as given, drop
    duplicates. Returns (files, ignored): files in folders with another type are ignored, not failed;
    a file named explicitly is always tried, so that a wrong type gets its own message."""
    files: list[Path] = []
    ignored: list[str] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            add(p)
            continue
        for child in sorted(p.rglob("*")):
            if not child.is_file() or _hidden(child.relative_to(p)):
                continue
            if is_supported(child):
                add(child)
            else:
                ignored.append(str(child))
    return files, ignored


def _hidden(rel: Path) -> bool:
    # dot files and folders, Word's "~$x.docx" lock files
    return any(part.startswith((".", "~$")) for part in rel.parts)


def ingest_paths(
    paths: Iterable[Path | str],
    registry: Registry,
    progress: Progress | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr_cache: Path | None | Literal["default"] = "default",
) -> IngestReport:
    """Ingest files and folders into the registry. Never raises for a bad file: see the report.

    `ocr_cache`: folder keeping OCR results by file hash; by default `ocr-cache/` next to the registry.
    """
    if ocr_cache == "default":
        ocr_cache = Path(registry.path).parent / "ocr-cache"
    files, ignored = collect_files(paths)
    report = IngestReport(ignored=ignored)
    total = len(files)
    for done, path in enumerate(files):
        if progress:
            progress(done, total, str(path))
        started = time.perf_counter()
        result = ingest_file(path, registry, max_bytes=max_bytes, ocr_cache=ocr_cache)
        result.seconds = round(time.perf_counter() - started, 3)
        report.results.append(result)
    if progress:
        progress(total, total, "")
    return report


def _parser_version() -> str:
    """A digest of the parser's own source: any change to it makes the next ingest re-parse every file
    (the registry then reports "updated" only for records whose fields really changed)."""
    from . import ocrfix, parser

    digest = hashlib.sha256()
    for module in (parser, ocrfix):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


PARSER_VERSION = _parser_version()


def ingest_file(
    path: Path, registry: Registry, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr_cache: Path | None = None
) -> FileResult:
    """One file, never raising: every error becomes a failed result naming the file and the reason."""
    key = str(path.resolve())
    try:
        loaded = load(path, max_bytes=max_bytes, ocr_cache=ocr_cache)
        content_hash = text_hash(loaded.text)
        old = registry.by_path(key)
        fresh = old is not None and old.parser_version == PARSER_VERSION
        if fresh and old.content_hash == content_hash:  # fast path: no parsing
            return FileResult(path=str(path), status="unchanged", id=old.id, method=loaded.method)
        if old is None:
            twins = registry.by_hash(content_hash)
            if twins:  # the same content under another name: re-ingesting it is a no-op
                note = f"{path.name} : contenu identique à « {twins[0]} », déjà enregistré"
                return FileResult(path=str(path), status="unchanged", id=twins[0], method=loaded.method,
                                  message=note)
        record_id = old.id if old is not None else record_id_for(path, registry)
        rec = parse(loaded.text, id=record_id, source=path.name, path=key)
        if reason := incomplete(rec):
            return _failed(path, reason)
        # The hash the skip above compares with, whatever the parser computed.
        rec = rec.model_copy(update={"content_hash": content_hash, "path": key, "parser_version": PARSER_VERSION})
        status = registry.save(rec)
        return FileResult(path=str(path), status=status, id=rec.id, method=loaded.method,
                          warnings=list(rec.warnings))
    except (LoadError, NotAnExtract) as exc:
        return _failed(path, str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser bug, a database error...: the batch goes on
        reason = " ".join(str(exc).split())[:200] or "sans message"
        return _failed(path, f"erreur inattendue {type(exc).__name__} : {reason}")


def incomplete(rec) -> str | None:
    """Why a parsed record is too incomplete to store, or None. The parser accepts anything that
    looks like an extract; a file cut before its decision part (no article, no vote, no signature)
    has no fact worth keeping and is reported as truncated. Other gaps stay as record warnings."""
    if not rec.articles and rec.vote is None and rec.signatory is None:
        return ("extrait incomplet ou tronqué : ni article, ni résultat de vote, ni signature "
                "après l'exposé")
    return None


def record_id_for(path: Path, registry: Registry) -> str:
    """The file stem ("000_47990de55f73b628"), made unique with 6 hex of the path hash when another
    file already holds it."""
    key = str(path.resolve())
    stem = path.stem
    if not registry.id_taken(stem, key):
        return stem
    return f"{stem}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:6]}"


def _failed(path: Path, reason: str) -> FileResult:
    # Parser messages are full sentences ("Ce texte ne ressemble pas…."): fit them after "file : ".
    reason = reason.strip().rstrip(".")
    reason = reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason
    return FileResult(path=str(path), status="failed", message=f"{path.name} : {reason}")
