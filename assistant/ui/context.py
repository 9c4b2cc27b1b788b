"""What every tab shares: the one `Assistant`, where uploads and generated files go, and the lock that
serialises writes to the registry. Per-user state never lives here: it lives in `gr.State`."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest.loaders import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_QUESTIONS = REPO_ROOT / "eval" / "questions.yaml"
DRAFT_EXAMPLE = REPO_ROOT / "eval" / "draft_requests" / "seed.yaml"
# What the upload box accepts (the loaders' types: text, PDF, Word, scanned images).
UPLOAD_TYPES = sorted(SUPPORTED_SUFFIXES)


@dataclass
class Preparation:
    """What the app prepares in the background after it starts serving (the corpus ingested into an
    empty registry, then the dense index reconciled when the settings keep one), shown in every tab."""

    phase: str = ""  # "" before and after: nothing shown
    done: int = 0
    total: int = 0
    finished: bool = True
    error: str | None = None
    summary: str = ""

    def progress(self, done: int, total: int, _what: str = "") -> None:
        self.done, self.total = done, total

    def start(self, phase: str) -> None:
        self.phase, self.done, self.total, self.finished = phase, 0, 0, False

    def message(self) -> str:
        """One French line: what is being prepared and how far, or how it ended."""
        if self.error:
            return f"⚠️ Préparation interrompue : {self.error}"
        if self.finished:
            return f"Registre prêt : {self.summary}." if self.summary else ""
        count = f" — {self.done} / {self.total}" if self.total else ""
        return (f"⏳ {self.phase}{count} (les réponses portent sur ce qui est déjà au registre ; "
                "cette ligne se met à jour)")


@dataclass
class UIContext:
    assistant: object
    max_upload_bytes: int = DEFAULT_MAX_BYTES
    question_set: Path = SHIPPED_QUESTIONS
    # One ingestion at a time: the registry connection is shared by every worker thread.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    preparation: Preparation = field(default_factory=Preparation)

    @property
    def settings(self):
        return self.assistant.settings

    @property
    def registry(self):
        return self.assistant.registry

    @property
    def uploads_dir(self) -> Path:
        """Uploaded extracts are kept here, under their own names: uploading a file again with the same
        name updates its record instead of creating a second one."""
        path = Path(self.settings.data_dir) / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def work_dir(self, prefix: str) -> Path:
        """A fresh folder for files made for one user (drafts, reports), in the system's temp folder
        (a place Gradio serves files from)."""
        return Path(tempfile.mkdtemp(prefix=f"delib-{prefix}-"))

    def backend_label(self) -> str:
        """Which engine phrases the answers, without loading any model."""
        s = self.settings
        if s.llm_backend == "none":
            return "Sans LLM : réponses extraites du registre, avec citations vérifiées"
        try:
            backend = self.assistant.llm
        except Exception as exc:  # noqa: BLE001 - a bad configuration is shown, not raised
            return f"LLM indisponible ({exc}) : réponses extraites du registre"
        return f"LLM {backend.label}" if backend is not None else "Sans LLM"

    def records(self, ids) -> dict:
        return {i: self.registry.get(i) for i in dict.fromkeys(ids)}
