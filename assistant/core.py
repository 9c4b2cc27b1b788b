"""The one facade used alike by the CLI, the Gradio app and the tests.

`Assistant(settings)` builds each component lazily (heavy imports only when needed) and passes
dependencies into constructors. Components can be injected for tests.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from .config import Settings
from .registry import Registry

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


class Assistant:
    def __init__(self, settings: Settings | None = None, **components: Any):
        self.settings = settings or Settings.load()
        # Injected components (tests, app) win over the lazily built ones.
        for name, value in components.items():
            self.__dict__[name] = value

    @cached_property
    def registry(self) -> Registry:
        return Registry(self.settings.registry_path)

    @cached_property
    def index(self):
        """The dense index (Chroma) derived from the registry, opened as it is: it is reconciled at
        ingestion, at the app's start (in the background) and by `delib reindex`, never by a search."""
        from .index import DenseIndex

        return DenseIndex.from_settings(self.settings, self.registry, sync=False)

    @cached_property
    def retriever(self):
        """Hybrid search (lexical + dense, RRF) over the registry and, when the settings
        keep one (`dense_enabled`), the dense index; lexical alone otherwise."""
        from .index import HybridSearch

        dense = self.index if self.settings.dense_enabled else None
        return HybridSearch(self.registry, dense, dense_weight=self.settings.dense_weight)

    @cached_property
    def llm(self):
        """The configured chat model backend, or None for the default no-LLM answers."""
        from .llm import make_backend

        return make_backend(self.settings)

    # -- jobs ---------------------------------------------------------------------------------------

    def ingest(self, paths: list[Path], progress: Any = None, *, embed: bool = True, **options: Any):
        """`options` go to `ingest_paths` (max_bytes, ocr_cache)."""
        from .ingest.pipeline import ingest_paths

        report = ingest_paths(paths, self.registry, progress=progress, **options)
        if embed and self.settings.dense_enabled:
            self.index.sync(progress=progress)  # also completes an embedding a crash interrupted
        return report

    def ask(self, question: str, **kwargs):
        from .answer import ask

        return ask(self, question, **kwargs)

    def prepare_answers(self) -> None:
        """Build what answers read of the whole registry (its catalog of names, topics and texts) and load
        the date parser now: the app does it at its start, in the background, so that no user's first
        question waits for it."""
        from .answer import facts
        from .formats import prepare_dates

        facts.catalog(self.registry).prepare()
        prepare_dates()

    def draft(self, request, **kwargs):
        from .draft import make_draft

        return make_draft(self, request, **kwargs)

    def close(self) -> None:
        if "registry" in self.__dict__:
            self.registry.close()
