"""The naive RAG baseline: what a LangChain tutorial would build, so that our design is measured.

Plain fixed-size chunks of each document's raw text (RecursiveCharacterTextSplitter), embedded with the
same sentence-transformers model in a Chroma collection (langchain_chroma), top-k chunks by
similarity. No registry facts, no structure-aware chunks, no lexical index, no conversation memory
(a follow-up is searched on its own), no refusal (it always answers). The answer is the sentence(s)
of the top chunk closest to the question; the citations are the top-k chunks. It answers through the
same `ask` interface and returns the same `Answer`, so the same runner and metrics apply.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from typing import Any

from ..models import Answer, Citation

CHUNK_SIZE = 800
CHUNK_OVERLAP = 100
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n\s*\n")
_EN_WORDS = {"what", "who", "which", "when", "how", "was", "were", "granted", "the", "of", "in", "did"}


def _language(question: str) -> str:
    words = set(re.findall(r"[a-z]+", question.lower()))
    return "en" if len(words & _EN_WORDS) >= 2 else "fr"


class _Embeddings:
    """LangChain Embeddings over an already-loaded SentenceTransformer (no extra integration package)."""

    def __init__(self, model):
        self.model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(texts, normalize_embeddings=True, show_progress_bar=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def split_documents(docs: list[tuple[str, str, str]], chunk_size: int = CHUNK_SIZE,
                    overlap: int = CHUNK_OVERLAP) -> list[Any]:
    """(id, source, raw text) -> LangChain Documents with metadata id, source, start, end, cut by
    LangChain's RecursiveCharacterTextSplitter as a tutorial would."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True)
    out = []
    for doc_id, source, text in docs:
        for piece in splitter.create_documents([text]):
            start = piece.metadata["start_index"]
            meta = {"id": doc_id, "source": source, "start": start, "end": start + len(piece.page_content)}
            out.append(Document(page_content=piece.page_content, metadata=meta))
    return out


def best_sentences(question_vec: list[float], text: str, embed, n: int = 2) -> str:
    """The `n` sentences of `text` closest to the question, in text order (line breaks joined)."""
    sentences = [" ".join(s.split()) for s in _SENTENCE_END.split(text)]
    sentences = [s for s in sentences if len(s) > 20] or [" ".join(text.split())]
    vectors = embed.embed_documents(sentences)
    scores = [sum(a * b for a, b in zip(question_vec, v)) for v in vectors]
    top = sorted(sorted(range(len(sentences)), key=lambda i: -scores[i])[:n])
    return " ".join(sentences[i] for i in top)


class NaiveRAG:
    def __init__(self, documents: list[tuple[str, str, str]], model, *, k: int = 5, client=None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.k = k
        self.embeddings = _Embeddings(model)
        self.texts = {doc_id: text for doc_id, _, text in documents}
        self.client = client or chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.collection_name = f"naive_{uuid.uuid4().hex[:8]}"
        self.store = Chroma(collection_name=self.collection_name, embedding_function=self.embeddings,
                            client=self.client, collection_metadata={"hnsw:space": "cosine"})
        chunks = split_documents(documents)
        for i in range(0, len(chunks), 256):
            self.store.add_documents(chunks[i:i + 256])
        self.chunk_count = len(chunks)

    @classmethod
    def from_registry(cls, registry, settings, *, k: int = 5) -> NaiveRAG:
        """Only each document's raw text and file name are used: no parsed fact reaches the baseline. The
        records of one document (a procès-verbal's items) share its text: it is indexed once, as a tutorial
        indexes files."""
        from ..index import Embedder

        docs = list({(rec.path or rec.id, rec.content_hash): (rec.id, rec.source, rec.raw_text)
                     for rec in registry.all()}.values())
        rag = cls(docs, Embedder.from_settings(settings).model, k=k)
        rag.registry = registry
        return rag

    def ask(self, question: str, *, session: str | None = None, filters: dict | None = None) -> Answer:
        t0 = time.perf_counter()
        qvec = self.embeddings.embed_query(question)
        hits = self.store.similarity_search_by_vector(qvec, k=max(self.k * 4, 20)) if self.chunk_count else []
        t1 = time.perf_counter()
        retrieved: list[str] = []
        for d in hits:
            if d.metadata["id"] not in retrieved:
                retrieved.append(d.metadata["id"])
        top = hits[: self.k]
        citations = [
            Citation(id=d.metadata["id"], source=d.metadata["source"], part=f"Passage {i}",
                     quote=d.page_content, start=d.metadata["start"], end=d.metadata["end"])
            for i, d in enumerate(top, 1)
        ]
        text = best_sentences(qvec, top[0].page_content, self.embeddings) if top else ""
        t2 = time.perf_counter()
        return Answer(
            question=question, language=_language(question), answer=text, found=bool(top),
            citations=citations, intent="general", backend="naive-rag",
            timings_ms={"retrieve": (t1 - t0) * 1000, "compose": (t2 - t1) * 1000, "total": (t2 - t0) * 1000},
            retrieved=retrieved,
        )

    def search(self, question: str, k: int) -> list[str]:
        """Document ids of the nearest chunks, best first."""
        hits = self.store.similarity_search_by_vector(self.embeddings.embed_query(question), k=max(k * 4, 20))
        return list(dict.fromkeys(d.metadata["id"] for d in hits))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # an in-memory collection going away is not worth an error
            self.client.delete_collection(self.collection_name)
        registry = getattr(self, "registry", None)
        if registry is not None:
            registry.close()
