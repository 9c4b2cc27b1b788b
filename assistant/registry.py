"""The registry: one SQLite file, the single source of truth. Only this module writes to it.

One transaction per document writes the record, its members, amounts, articles, chunks and the
FTS5 lexical index together, so a failure never leaves half a record behind. Schema changes are
named migrations recorded in the `_migrations` table.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Self

from rapidfuzz import fuzz

from . import textnorm
from .chunks import chunk_record
from .models import Chunk, Deliberation

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE deliberations (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            path TEXT UNIQUE,
            content_hash TEXT NOT NULL,
            authority TEXT,
            body TEXT,
            body_label TEXT,
            session_date TEXT,
            year INTEGER,
            act_type TEXT,
            object TEXT,
            code TEXT,
            record_json TEXT NOT NULL,
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX deliberations_year ON deliberations(year);
        CREATE INDEX deliberations_hash ON deliberations(content_hash);
        CREATE TABLE members (
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,          -- present | represented | excused
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            proxy TEXT,
            start INTEGER, end_ INTEGER
        );
        CREATE INDEX members_delib ON members(deliberation_id);
        CREATE TABLE codes (
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            code TEXT NOT NULL, kind TEXT NOT NULL, start INTEGER, end_ INTEGER
        );
        CREATE INDEX codes_code ON codes(code);
        CREATE TABLE articles (
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            number INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER, end_ INTEGER
        );
        CREATE TABLE amounts (
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            cents INTEGER NOT NULL, currency TEXT NOT NULL, qualifier TEXT, per_year INTEGER NOT NULL,
            beneficiary TEXT, beneficiary_key TEXT, purpose TEXT, year INTEGER, article INTEGER,
            start INTEGER, end_ INTEGER, sentence_start INTEGER, sentence_end INTEGER
        );
        CREATE INDEX amounts_delib ON amounts(deliberation_id);
        CREATE TABLE beneficiaries (
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            name TEXT NOT NULL, name_key TEXT NOT NULL
        );
        CREATE INDEX beneficiaries_key ON beneficiaries(name_key);
        CREATE TABLE chunks (
            id TEXT PRIMARY KEY,
            deliberation_id TEXT NOT NULL REFERENCES deliberations(id) ON DELETE CASCADE,
            part TEXT NOT NULL, start INTEGER NOT NULL, end_ INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            body TEXT, session_date TEXT, year INTEGER, act_type TEXT,
            chunk_json TEXT NOT NULL
        );
        CREATE INDEX chunks_delib ON chunks(deliberation_id);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(chunk_id UNINDEXED, content, tokenize='unicode61');
        """,
    ),
]


class Registry:
    """The SQLite registry. Use as a context manager or call close()."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: the Gradio app calls from worker threads; writes are serialised
        # by SQLite itself (WAL + busy timeout).
        self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- schema -----------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self.conn:
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        done = {r[0] for r in self.conn.execute("SELECT name FROM _migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            # executescript commits on its own: wrap the migration and its record in one transaction.
            self.conn.executescript(
                f"BEGIN;\n{sql}\nINSERT INTO _migrations VALUES ('{name}', '{_now()}');\nCOMMIT;"
            )

    def schema_version(self) -> str:
        row = self.conn.execute("SELECT name FROM _migrations ORDER BY name DESC LIMIT 1").fetchone()
        return row[0] if row else ""

    # -- writes -----------------------------------------------------------------------------------

    def save(self, rec: Deliberation) -> str:
        """Insert or replace a record in one transaction: "added", "updated" or "unchanged"."""
        old = self.conn.execute(
            "SELECT id, record_json FROM deliberations WHERE id = ? OR (path IS NOT NULL AND path = ?)",
            (rec.id, rec.path),
        ).fetchone()
        # Unchanged means the same record, not only the same text: a new parser may read more of it.
        if old and old["id"] == rec.id and _same_record(old["record_json"], rec):
            with self.conn:  # remember which parser confirmed it, so the next ingest skips it quickly
                self.conn.execute("UPDATE deliberations SET record_json = ? WHERE id = ?",
                                  (rec.model_dump_json(), rec.id))
            return "unchanged"
        chunks = chunk_record(rec)
        with self.conn:
            if old:
                self._delete(old["id"])
            self._insert(rec, chunks)
        return "updated" if old else "added"

    def delete(self, deliberation_id: str) -> bool:
        with self.conn:
            return self._delete(deliberation_id)

    def _delete(self, deliberation_id: str) -> bool:
        self.conn.execute(
            "DELETE FROM chunks_fts WHERE chunk_id IN (SELECT id FROM chunks WHERE deliberation_id = ?)",
            (deliberation_id,),
        )
        cur = self.conn.execute("DELETE FROM deliberations WHERE id = ?", (deliberation_id,))
        return cur.rowcount > 0

    def _insert(self, rec: Deliberation, chunks: list[Chunk]) -> None:
        c = self.conn
        c.execute(
            "INSERT INTO deliberations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.id, rec.source, rec.path, rec.content_hash,
                rec.authority.text if rec.authority else None,
                rec.body, rec.body_label,
                rec.session_date.isoformat() if rec.session_date else None, rec.year,
                rec.act_type, rec.object_line, rec.service_code(),
                rec.model_dump_json(), _now(),
            ),
        )
        members = [("present", m, None) for m in rec.present]
        members += [("represented", m, m.proxy) for m in rec.represented]
        members += [("excused", m, None) for m in rec.excused]
        c.executemany(
            "INSERT INTO members VALUES (?,?,?,?,?,?,?)",
            [(rec.id, role, m.name, textnorm.match_key(m.name), proxy, m.start, m.end)
             for role, m, proxy in members],
        )
        c.executemany(
            "INSERT INTO codes VALUES (?,?,?,?,?)",
            [(rec.id, k.code, k.kind, k.start, k.end) for k in rec.codes],
        )
        c.executemany(
            "INSERT INTO articles VALUES (?,?,?,?,?)",
            [(rec.id, a.number, a.text, a.start, a.end) for a in rec.articles],
        )
        c.executemany(
            "INSERT INTO amounts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (rec.id, i, a.cents, a.currency, a.qualifier, int(a.per_year), a.beneficiary,
                 textnorm.match_key(a.beneficiary) if a.beneficiary else None, a.purpose, a.year,
                 a.article, a.start, a.end, a.sentence_start, a.sentence_end)
                for i, a in enumerate(rec.amounts)
            ],
        )
        c.executemany(
            "INSERT INTO beneficiaries VALUES (?,?,?)",
            [(rec.id, b, textnorm.match_key(b)) for b in rec.beneficiaries],
        )
        for ch in chunks:
            c.execute(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (ch.id, rec.id, ch.part, ch.start, ch.end, ch.content_hash, ch.body, ch.session_date,
                 ch.year, ch.act_type, ch.model_dump_json()),
            )
            c.execute(
                "INSERT INTO chunks_fts (chunk_id, content) VALUES (?, ?)",
                (ch.id, textnorm.search_text(ch.text)),
            )

    # -- reads ------------------------------------------------------------------------------------

    def get(self, deliberation_id: str) -> Deliberation | None:
        row = self.conn.execute(
            "SELECT record_json FROM deliberations WHERE id = ?", (deliberation_id,)
        ).fetchone()
        return Deliberation.model_validate_json(row[0]) if row else None

    def by_path(self, path: str) -> Deliberation | None:
        row = self.conn.execute("SELECT record_json FROM deliberations WHERE path = ?", (path,)).fetchone()
        return Deliberation.model_validate_json(row[0]) if row else None

    def by_hash(self, content_hash: str) -> list[str]:
        rows = self.conn.execute("SELECT id FROM deliberations WHERE content_hash = ?", (content_hash,))
        return [r[0] for r in rows]

    def id_taken(self, deliberation_id: str, path: str | None) -> bool:
        """True when another file already holds this id."""
        row = self.conn.execute("SELECT path FROM deliberations WHERE id = ?", (deliberation_id,)).fetchone()
        return bool(row) and row[0] != path

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM deliberations ORDER BY session_date, id")]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM deliberations").fetchone()[0]

    def all(self) -> Iterator[Deliberation]:
        for row in self.conn.execute("SELECT record_json FROM deliberations ORDER BY session_date, id"):
            yield Deliberation.model_validate_json(row[0])

    def list(
        self,
        *,
        year: int | None = None,
        body: str | None = None,
        beneficiary: str | None = None,
        act_type: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Summaries of the records matching every given filter, oldest first."""
        sql = "SELECT record_json FROM deliberations WHERE 1=1"
        args: list = []
        if year is not None:
            sql += " AND year = ?"
            args.append(year)
        if body:
            sql += " AND body = ?"
            args.append(body)
        if act_type:
            sql += " AND act_type = ?"
            args.append(act_type)
        if beneficiary:
            ids = self.match_beneficiary(beneficiary)
            if not ids:
                return []
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY session_date, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        records = [Deliberation.model_validate_json(r[0]) for r in self.conn.execute(sql, args)]
        return [_summary_for(rec, beneficiary) for rec in records]

    def beneficiary_names(self) -> list[tuple[str, str]]:
        """Distinct (name as printed, match key) pairs, for fuzzy entity matching."""
        rows = self.conn.execute("SELECT DISTINCT name, name_key FROM beneficiaries ORDER BY name")
        return [(r[0], r[1]) for r in rows]

    def match_beneficiary(self, text: str, threshold: float = 85.0) -> list[str]:
        """Ids of records whose beneficiary matches `text` accent-, case- and OCR-insensitively.

        A query that is a part of the name ("Cité des Métiers") matches the full name
        ("Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur").
        """
        key = textnorm.match_key(text)
        if not key:
            return []
        keys = {k for _, k in self.beneficiary_names()}
        hits = [k for k in keys if key in k or fuzz.partial_ratio(key, k) >= threshold and len(key) >= 4]
        if not hits:
            return []
        rows = self.conn.execute(
            f"SELECT DISTINCT deliberation_id FROM beneficiaries WHERE name_key IN ({','.join('?' * len(hits))})",
            hits,
        )
        return [r[0] for r in rows]

    def amounts(self, ids: Iterable[str] | None = None) -> list[sqlite3.Row]:
        sql = ("SELECT a.*, d.session_date, d.body, d.source FROM amounts a "
               "JOIN deliberations d ON d.id = a.deliberation_id")
        args: list = []
        if ids is not None:
            ids = list(ids)
            sql += f" WHERE a.deliberation_id IN ({','.join('?' * len(ids))})"
            args = ids
        return list(self.conn.execute(sql + " ORDER BY d.session_date, a.deliberation_id, a.idx", args))

    def stats(self) -> dict:
        q = self.conn.execute
        return {
            "deliberations": q("SELECT count(*) FROM deliberations").fetchone()[0],
            "chunks": q("SELECT count(*) FROM chunks").fetchone()[0],
            "amounts": q("SELECT count(*) FROM amounts").fetchone()[0],
            "total_amount_cents": q("SELECT coalesce(sum(cents), 0) FROM amounts").fetchone()[0],
            "by_year": {str(r[0]): r[1] for r in q("SELECT year, count(*) FROM deliberations GROUP BY year")},
            "by_body": {str(r[0]): r[1] for r in q("SELECT body, count(*) FROM deliberations GROUP BY body")},
            "by_act_type": {
                str(r[0]): r[1] for r in q("SELECT act_type, count(*) FROM deliberations GROUP BY act_type")
            },
            "schema": self.schema_version(),
            "path": str(self.path),
        }

    # -- chunks and lexical search ----------------------------------------------------------------

    def chunks(self, ids: Iterable[str] | None = None) -> list[Chunk]:
        sql = "SELECT chunk_json FROM chunks"
        args: list = []
        if ids is not None:
            ids = list(ids)
            sql += f" WHERE id IN ({','.join('?' * len(ids))})"
            args = ids
        return [Chunk.model_validate_json(r[0]) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self.conn.execute("SELECT chunk_json FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return Chunk.model_validate_json(row[0]) if row else None

    def chunk_hashes(self) -> dict[str, str]:
        """chunk id -> content hash, to reconcile derived indexes with the registry."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, content_hash FROM chunks")}

    def search_lexical(self, query: str, k: int = 20, filters: dict | None = None) -> list[tuple[Chunk, float]]:
        """FTS5 bm25 over French-normalised text. Filters: year, year_from, year_to, body, act_type,
        deliberation_ids. Returns (chunk, score) best first; higher score is better."""
        terms = sorted(set(textnorm.stems(query)))
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        where, args = _chunk_filters(filters or {})
        sql = (
            "SELECT c.chunk_json, bm25(chunks_fts) AS score FROM chunks_fts "
            "JOIN chunks c ON c.id = chunks_fts.chunk_id "
            f"WHERE chunks_fts MATCH ? {where} ORDER BY score LIMIT ?"
        )
        rows = self.conn.execute(sql, [match, *args, k])
        # bm25() is lower-is-better and negative: flip it so callers can sort descending.
        return [(Chunk.model_validate_json(r[0]), -r[1]) for r in rows]


def _chunk_filters(filters: dict) -> tuple[str, list]:
    where, args = "", []
    if filters.get("year") is not None:
        where += " AND c.year = ?"
        args.append(int(filters["year"]))
    if filters.get("year_from") is not None:
        where += " AND c.year >= ?"
        args.append(int(filters["year_from"]))
    if filters.get("year_to") is not None:
        where += " AND c.year <= ?"
        args.append(int(filters["year_to"]))
    if filters.get("body"):
        where += " AND c.body = ?"
        args.append(filters["body"])
    if filters.get("act_type"):
        where += " AND c.act_type = ?"
        args.append(filters["act_type"])
    if filters.get("deliberation_ids") is not None:
        ids = list(filters["deliberation_ids"])
        where += f" AND c.deliberation_id IN ({','.join('?' * len(ids)) or 'NULL'})"
        args.extend(ids)
    return where, args


def _beneficiary_matches(query_key: str, name: str | None, threshold: float = 85.0) -> bool:
    key = textnorm.match_key(name or "")
    return bool(key) and (query_key in key or len(query_key) >= 4 and fuzz.partial_ratio(query_key, key) >= threshold)


def _summary_for(rec: Deliberation, beneficiary: str | None) -> dict:
    """The record's summary; when listing by beneficiary, with that beneficiary's amount, not the first."""
    summary = rec.summary()
    if beneficiary:
        key = textnorm.match_key(beneficiary)
        amount = next((a for a in rec.amounts if _beneficiary_matches(key, a.beneficiary)), None)
        name = next((b for b in rec.beneficiaries if _beneficiary_matches(key, b)), None)
        summary["beneficiary"] = (amount.beneficiary if amount else None) or name or summary["beneficiary"]
        summary["amount_cents"] = amount.cents if amount else None
    return summary


def _same_record(stored_json: str, rec: Deliberation) -> bool:
    stored = Deliberation.model_validate_json(stored_json).model_dump(exclude={"parser_version"})
    return stored == rec.model_dump(exclude={"parser_version"})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
