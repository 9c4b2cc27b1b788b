"""Ingestion: files and folders -> load -> parse -> registry.

Each file is its own unit of work: a bad file is reported in one French line and the batch goes on.
Files are read (loaded, OCR'd, parsed) in a pool of processes when there are many (`plan` ->
`read_file` -> `store`); this process alone writes the registry, one transaction per document, so
nothing half-written stays behind. The
library never prints: callers pass `progress(done, total, path)` (a rich bar in the CLI, a Gradio
progress in the app).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, computed_field

from ..models import Deliberation
from ..opendata.read import SUFFIXES as OPEN_DATA_SUFFIXES
from ..opendata.read import NotOpenData, read_open_data
from .document import NotAnExtract, read_document
from .loaders import (
    DEFAULT_MAX_BYTES,
    IMAGE_SUFFIXES,
    PDF_SUFFIXES,
    LoadError,
    cached_text_hash,
    is_supported,
    load,
    ocr_cache_entries,
    ocr_cache_key,
    text_hash,
)

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
    ids: list[str] = Field(default_factory=list)  # the records read from the file (one per deliberation)
    items: int = 0  # how many deliberations the file holds
    fields: list[str] = Field(default_factory=list)  # the fields found in at least one of its records
    seconds: float = 0.0


class Removed(BaseModel):
    """A record taken out of the registry (`forget`, `ingest --prune`)."""

    id: str
    path: str | None = None


class CacheCleanup(BaseModel):
    """What was removed from the OCR cache."""

    files: int = 0
    bytes: int = 0


class IngestReport(BaseModel):
    results: list[FileResult] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)  # files in folders with an unsupported type
    pruned: list[Removed] = Field(default_factory=list)  # --prune: records whose file has disappeared
    cache: CacheCleanup | None = None  # --prune: OCR cache entries no record uses any more

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
        return bool(self.pruned) or any(r.status in ("added", "updated") for r in self.results)

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def summary(self) -> str:
        c = self.counts
        text = (f"{c['added']} ajouté(s), {c['updated']} mis à jour, {c['unchanged']} inchangé(s), "
                f"{c['failed']} en échec")
        if self.pruned:
            n = len(self.pruned)
            text += f", {n} {'retirés' if n > 1 else 'retiré'} (fichier disparu)"
        return text


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """Expand folders recursively into supported files (sorted), keep files as given, drop
    duplicates. Returns (files, ignored): files in folders with another type are ignored, not failed;
    a file named explicitly is always tried, so that a wrong type gets its own message."""
    files: list[Path] = []
    ignored: list[str] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = path_key(p)
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


def path_key(path: Path) -> str:
    """The resolved path that identifies a file in the registry; the absolute path when it cannot be
    resolved (a symlink loop raises RuntimeError): loading it then fails with a reason, one line in
    the report, and the batch goes on."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


# Past this many files, reading (loading, OCR, parsing) runs in a pool of processes, one per core, while
# this process writes the registry; `spawn`, not `fork`: the app ingests from a thread.
POOL_MIN_FILES = 32
# Files read ahead of the one being written: enough to keep every worker busy, few enough for memory.
READ_AHEAD_PER_WORKER = 8


def _read_all(planned: Iterator[tuple[Job, Any]], total: int, workers: int | None) -> Iterator[tuple[tuple[Job, Any], Read]]:
    """((job, what stays here), what was read) in the files' order: in this process for a few files or
    one worker, else in a pool, with a bounded number of files read ahead."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or total < POOL_MIN_FILES:
        for item in planned:
            yield item, read_file(item[0])
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: deque = deque()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for item in planned:
            pending.append((item, pool.submit(read_file, item[0])))
            if len(pending) >= workers * READ_AHEAD_PER_WORKER:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


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
    prune: bool = False,
    workers: int | None = None,
) -> IngestReport:
    """Ingest files and folders into the registry. Never raises for a bad file: see the report.

    `workers`: processes that read the files (default: one per core; 1 reads here). Each document is
    written in its own transaction as soon as it is read: an interrupted run keeps what it wrote, and
    the next one skips it (same content, same parser) without reading it twice.

    `ocr_cache`: folder keeping OCR results by file hash; by default `ocr-cache/` next to the registry.
    `prune`: first remove the records whose file lay under one of the folders given and no longer
    exists (before ingesting, so that a surviving copy of a removed file is added under its own id),
    then the OCR cache entries that no record uses any more.
    """
    if ocr_cache == "default":
        ocr_cache = ocr_cache_dir(registry.path)
    paths = list(paths)
    pruned = missing_records(registry, [p for p in paths if Path(p).is_dir()]) if prune else []
    for removed in pruned:
        registry.delete(removed.id)
    files, ignored = collect_files(paths)
    report = IngestReport(ignored=ignored, pruned=pruned)
    total = len(files)
    reserved: set[str] = set()

    def jobs() -> Iterator[tuple[Job, list[Deliberation]]]:
        for path in files:
            job, old = plan(path, registry, reserved=reserved, max_bytes=max_bytes, ocr_cache=ocr_cache)
            reserved.add(job.base)
            yield job, old

    for done, ((job, old), read) in enumerate(_read_all(jobs(), total, workers)):
        if progress:
            progress(done, total, str(job.path))
        result = store(job, old, read, registry)
        result.seconds = read.seconds
        report.results.append(result)
    if progress:
        progress(total, total, "")
    if prune and ocr_cache:
        # A scan that failed (not an extract...) keeps its entry: the next run would OCR it again.
        keep = {_cache_key(Path(r.path)) for r in report.results if r.status == "failed"}
        report.cache = prune_ocr_cache(ocr_cache, registry, keep_keys=keep - {None})
    return report


# -- forgetting records, pruning and clearing the OCR cache ----------------------------------------


def ocr_cache_dir(registry_path: Path | str) -> Path:
    """Where ingestion keeps OCR results by default: `ocr-cache/` next to the registry file."""
    return Path(registry_path).parent / "ocr-cache"


def missing_records(registry: Registry, folders: Iterable[Path | str]) -> list[Removed]:
    """Records whose file lay under one of `folders` and no longer exists."""
    roots = [Path(f).resolve() for f in folders]
    if not roots:
        return []
    return [
        Removed(id=rid, path=path)
        for rid, path in registry.paths()
        if path and any(Path(path).is_relative_to(root) for root in roots) and not Path(path).exists()
    ]


def resolve_targets(registry: Registry, targets: Iterable[str]) -> tuple[list[Removed], list[str]]:
    """What `forget` would remove: each target is a record id, else a file path (existing or not)
    or a folder holding records' files. Returns (records, targets matching nothing)."""
    rows = registry.paths()
    ids = dict(rows)
    found: dict[str, Removed] = {}
    unknown: list[str] = []
    for target in targets:
        if target in ids:
            hits = [target]
        else:
            where = Path(target).expanduser().resolve()
            hits = [rid for rid, path in rows if path and Path(path).is_relative_to(where)]
        if not hits:
            unknown.append(target)
        for rid in hits:
            found.setdefault(rid, Removed(id=rid, path=ids[rid]))
    return list(found.values()), unknown


class ForgetReport(BaseModel):
    forgotten: list[Removed] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)  # targets that named no record
    vectors_deleted: int = 0
    cache: CacheCleanup = Field(default_factory=CacheCleanup)


def forget(
    registry: Registry,
    targets: Iterable[str],
    *,
    index: Any = None,
    ocr_cache: Path | None | Literal["default"] = "default",
) -> ForgetReport:
    """Remove records (ids, files or folders, see `resolve_targets`) from the registry with their
    chunks and lexical index rows, their vectors from the dense index when one is given (a
    `DenseIndex`), and the OCR cache entries no record uses any more."""
    if ocr_cache == "default":
        ocr_cache = ocr_cache_dir(registry.path)
    forgotten, unknown = resolve_targets(registry, targets)
    for removed in forgotten:
        registry.delete(removed.id)
    report = ForgetReport(forgotten=forgotten, unknown=unknown)
    if index is not None and forgotten:
        report.vectors_deleted = drop_vectors(index, [r.id for r in forgotten])
    if ocr_cache and forgotten:
        report.cache = prune_ocr_cache(ocr_cache, registry)
    return report


def drop_vectors(index: Any, deliberation_ids: list[str]) -> int:
    """Delete the dense index's vectors of these deliberations (no embedding, no model loaded);
    returns how many went. `DenseIndex.sync` would do it too, but would also embed whatever else is
    missing."""
    before = index.count()
    for start in range(0, len(deliberation_ids), 100):
        batch = deliberation_ids[start:start + 100]
        index.collection.delete(where={"deliberation_id": {"$in": batch}})
    return before - index.count()


def prune_ocr_cache(cache: Path, registry: Registry, *, keep_keys: Iterable[str] = ()) -> CacheCleanup:
    """Remove the OCR cache entries whose text is in no record of the registry (their file was
    removed, changed, or forgotten), except the entries named in `keep_keys` (`ocr_cache_key`)."""
    keep = set(keep_keys)
    out = CacheCleanup()
    for entry in ocr_cache_entries(Path(cache)):
        if entry.stem in keep:
            continue
        if entry.suffix == ".json" and (digest := cached_text_hash(entry)) and registry.by_hash(digest):
            continue
        out = _remove(entry, out)
    return out


def clear_ocr_cache(cache: Path) -> CacheCleanup:
    """Remove every OCR cache entry: the next ingestion of a scan runs tesseract again."""
    out = CacheCleanup()
    for entry in ocr_cache_entries(Path(cache)):
        out = _remove(entry, out)
    return out


def _remove(entry: Path, tally: CacheCleanup) -> CacheCleanup:
    try:
        size = entry.stat().st_size
        entry.unlink()
    except FileNotFoundError:  # removed meanwhile: nothing freed here
        return tally
    return CacheCleanup(files=tally.files + 1, bytes=tally.bytes + size)


def _cache_key(path: Path) -> str | None:
    if path.suffix.lower() not in PDF_SUFFIXES | IMAGE_SUFFIXES or not path.is_file():
        return None
    try:
        return ocr_cache_key(path)
    except OSError:
        return None


def _parser_version() -> str:
    """A digest of the parser's own source: any change to it makes the next ingest re-parse every file
    (the registry then reports "updated" only for records whose fields really changed)."""
    from ..opendata import read as opendata_read
    from . import (
        amounts,
        attendance,
        document,
        header,
        ocrfix,
        parser,
        segment,
        session,
        signature,
        text,
        votes,
    )

    digest = hashlib.sha256()
    for module in (parser, text, header, attendance, amounts, votes, signature, ocrfix, segment, session, document,
                   opendata_read):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(opendata_read.COLUMNS_FILE.read_bytes())
    return digest.hexdigest()[:12]


PARSER_VERSION = _parser_version()


class Job(BaseModel):
    """One file to read, with what the registry already holds of it (planned in the main process)."""

    path: Path
    key: str  # the resolved path: the record's identity
    base: str  # the id its records are made from
    old_hash: str | None = None  # content hash of its records, when they were read by this parser
    max_bytes: int = DEFAULT_MAX_BYTES
    ocr_cache: Path | None = None


class Read(BaseModel):
    """What reading a file gave (in a worker process when there are many): its records, or none when
    its content is the one already read, or the reason it failed."""

    method: str | None = None
    content_hash: str | None = None
    records: list[Deliberation] | None = None
    problems: list[str] = Field(default_factory=list)  # an open-data file's rows that could not be read
    error: str | None = None
    seconds: float = 0.0


def plan(path: Path, registry: Registry, *, reserved: set[str] | frozenset = frozenset(),
         **options) -> tuple[Job, list[Deliberation]]:
    """The job for `path`: its key, the id of its records (kept from its old records, else new and not
    among `reserved`, the ids given earlier in the batch) and the hash of what this parser read of it;
    and its old records, which stay in this process for `store` (the job alone goes to a reader)."""
    key = path_key(path)
    old = registry.by_path(key)
    fresh = bool(old) and all(r.parser_version == PARSER_VERSION for r in old)
    base = _base_id(old) if old else record_id_for(path, registry, reserved=reserved)
    job = Job(path=path, key=key, base=base, old_hash=old[0].content_hash if fresh else None, **options)
    return job, old


def read_file(job: Job) -> Read:
    """Load and parse one file, never raising; touches no registry, so it runs in any process."""
    started = time.perf_counter()
    read = _read(job)
    read.seconds = round(time.perf_counter() - started, 3)
    return read


def _read(job: Job) -> Read:
    try:
        loaded = load(job.path, max_bytes=job.max_bytes, ocr_cache=job.ocr_cache)
        content_hash = text_hash(loaded.text)
        if content_hash == job.old_hash:  # fast path: the content this parser already read, no parsing
            return Read(method=loaded.method, content_hash=content_hash)
        problems: list[str] = []
        if job.path.suffix.lower() in OPEN_DATA_SUFFIXES:  # an SCDL file: one record per row
            table = read_open_data(loaded.text, id=job.base, source=job.path.name, path=job.key)
            records, problems = table.records, table.problems
            if not records:
                raise NotOpenData("aucune ligne lisible dans le fichier : " + " ; ".join(problems[:3]))
        else:
            records = read_document(loaded.text, id=job.base, source=job.path.name, path=job.key)
        # The hash the skip above compares with, whatever the parser computed.
        update = {"content_hash": content_hash, "path": job.key, "parser_version": PARSER_VERSION}
        return Read(method=loaded.method, content_hash=content_hash, problems=problems,
                    records=[r.model_copy(update=update) for r in records])
    except (LoadError, NotAnExtract, NotOpenData) as exc:
        return Read(error=str(exc))
    except OSError as exc:  # vanished or unreadable between listing and reading
        return Read(error=f"fichier illisible ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - a parser bug...: the batch goes on
        reason = " ".join(str(exc).split())[:200] or "sans message"
        return Read(error=f"erreur inattendue {type(exc).__name__} : {reason}")


def store(job: Job, old: list[Deliberation], read: Read, registry: Registry) -> FileResult:
    """Write what was read of one file, in one transaction (a document's records together); `old`: the
    records the registry held of it when it was planned."""
    path = job.path
    if read.error is not None:
        return _failed(path, read.error)
    try:
        if read.records is None:
            return _result(path, "unchanged", old, read.method)
        if not old:
            twins = registry.by_hash(read.content_hash)
            if twins:  # the same content under another name: re-ingesting it is a no-op
                result = _result(path, "unchanged", [], read.method)
                result.id, result.message = twins[0], f"{path.name} : contenu identique à « {twins[0]} », déjà enregistré"
                return result
        status = registry.save_document(read.records)
        result = _result(path, status, read.records, read.method)
        result.warnings = read.problems + result.warnings  # the rows that could not be read, named by line
        return result
    except Exception as exc:  # noqa: BLE001 - a database error...: the batch goes on
        reason = " ".join(str(exc).split())[:200] or "sans message"
        return _failed(path, f"erreur inattendue {type(exc).__name__} : {reason}")


def _base_id(records: list[Deliberation]) -> str:
    """The id a document's records were made from: "stem" for one record, "stem" of "stem-01"… otherwise."""
    first = records[0]
    return first.id.rsplit("-", 1)[0] if first.item is not None else first.id


def _result(path: Path, status: Status, records: list[Deliberation], method: str | None) -> FileResult:
    """What the report says of a file: its records, the fields found, the warnings (one per distinct text)."""
    warnings = list(dict.fromkeys(w for r in records for w in r.warnings))
    found = list(dict.fromkeys(f for r in records for f in r.found_fields()))
    return FileResult(path=str(path), status=status, id=records[0].id if records else None, method=method,
                      ids=[r.id for r in records], items=len(records), fields=found, warnings=warnings)


def record_id_for(path: Path, registry: Registry, *, reserved: set[str] | frozenset = frozenset()) -> str:
    """The file stem ("000_47990de55f73b628"), made unique with 6 hex of the path hash when another
    file already holds it (or was given it earlier in the batch: `reserved`)."""
    key = path_key(path)
    stem = path.stem
    if stem not in reserved and not registry.id_taken(stem, key):
        return stem
    return f"{stem}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:6]}"


def _failed(path: Path, reason: str) -> FileResult:
    # Parser messages are full sentences ("Ce texte ne ressemble pas…."): fit them after "file : ".
    reason = reason.strip().rstrip(".")
    reason = reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason
    return FileResult(path=str(path), status="failed", message=f"{path.name} : {reason}")
