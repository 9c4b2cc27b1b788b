"""The registry: one SQLite file, the single source of truth. Only this module writes to it.

One transaction per document writes the record, its members, amounts, articles, chunks and the
FTS5 lexical index together, so a failure never leaves half a record behind. Schema changes are
named migrations recorded in the `_migrations` table.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections import Counter
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
    (
        # A cheap signature of the registry's state for caches (answer.facts.catalog): a counter bumped
        # by triggers on every write to a record, whichever connection or process writes, and an id
        # drawn when the file is made (a registry rebuilt at the same path never reuses a signature).
        "002_state",
        """
        CREATE TABLE registry_state (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            instance TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        INSERT INTO registry_state VALUES (1, lower(hex(randomblob(16))), 0);
        CREATE TRIGGER deliberations_state_insert AFTER INSERT ON deliberations
        BEGIN UPDATE registry_state SET version = version + 1; END;
        CREATE TRIGGER deliberations_state_delete AFTER DELETE ON deliberations
        BEGIN UPDATE registry_state SET version = version + 1; END;
        CREATE TRIGGER deliberations_state_update AFTER UPDATE ON deliberations
        WHEN old.record_json IS NOT new.record_json OR old.id IS NOT new.id
        BEGIN UPDATE registry_state SET version = version + 1; END;
        CREATE INDEX amounts_beneficiary_key ON amounts(beneficiary_key);
        CREATE INDEX members_name_key ON members(name_key);
        CREATE INDEX codes_delib ON codes(deliberation_id);
        CREATE INDEX beneficiaries_delib ON beneficiaries(deliberation_id);
        CREATE INDEX deliberations_session ON deliberations(session_date, id);
        """,
    ),
    (
        # Each record's text as one match key (textnorm.match_key of the raw text, then of the decided
        # text), so that "which records name X anywhere" is a substring test instead of a parse of every
        # record. Its own table: read without dragging the records' JSON along. Filled below (_BACKFILLS).
        "003_match_texts",
        """
        CREATE TABLE match_texts (
            deliberation_id TEXT PRIMARY KEY REFERENCES deliberations(id) ON DELETE CASCADE,
            text TEXT NOT NULL
        );
        """,
    ),
]


MIGRATIONS.append((
    # A document may hold several deliberations (a procès-verbal): its file path is no longer unique to one
    # record. The table is rebuilt without the UNIQUE constraint (SQLite cannot drop one), foreign keys off.
    "004_documents",
    """
    CREATE TABLE deliberations_new (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        path TEXT,
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
    INSERT INTO deliberations_new SELECT * FROM deliberations;
    DROP TABLE deliberations;
    ALTER TABLE deliberations_new RENAME TO deliberations;
    CREATE INDEX deliberations_year ON deliberations(year);
    CREATE INDEX deliberations_hash ON deliberations(content_hash);
    CREATE INDEX deliberations_session ON deliberations(session_date, id);
    CREATE INDEX deliberations_path ON deliberations(path);
    CREATE TRIGGER deliberations_state_insert AFTER INSERT ON deliberations
    BEGIN UPDATE registry_state SET version = version + 1; END;
    CREATE TRIGGER deliberations_state_delete AFTER DELETE ON deliberations
    BEGIN UPDATE registry_state SET version = version + 1; END;
    CREATE TRIGGER deliberations_state_update AFTER UPDATE ON deliberations
    WHEN old.record_json IS NOT new.record_json OR old.id IS NOT new.id
    BEGIN UPDATE registry_state SET version = version + 1; END;
    """,
))
MIGRATIONS.append((
    # "À qui a été attribuée une subvention de 93 000 € en 2019 ?": the records holding an amount are
    # found by its value in SQL (answer.facts), instead of reading every record of the year.
    "005_amounts_cents",
    "CREATE INDEX amounts_cents ON amounts(cents);",
))
# Migrations that rebuild a table others refer to: run with foreign keys off (else the DROP cascades).
_REBUILDS = {"004_documents"}


# A lexical search scores (bm25) every passage that holds one of the question's terms; over a large
# registry its common terms ("subvention", a year, "bureau") make that tens of thousands of passages a
# question. Past LEXICAL_BUDGET passages, the candidates are the best LEXICAL_POOL by the question's
# rarest terms (FTS5's bm25), to which the common terms add their bm25 share, computed here from the
# candidates' indexed text (scoring them in SQL would score every passage that holds them again).
LEXICAL_BUDGET = 20000
LEXICAL_POOL = 500


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
        # search_lexical's statistics: (the registry state they are of, passages, passages per term)
        self._search_stats: tuple[str, int, dict[str, int]] = ("", 0, {})
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
        done = self._applied()
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            # One write transaction for the migration, its backfill and its record; taken first and the
            # record read again inside it, so that two processes opening an old registry at once apply
            # it once (the second waits, then finds it done).
            if name in _REBUILDS:
                self.conn.execute("PRAGMA foreign_keys=OFF")
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if self.conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                    self.conn.rollback()
                    continue
                for statement in _statements(sql):
                    self.conn.execute(statement)
                if name in _BACKFILLS:
                    _BACKFILLS[name](self.conn)
                self.conn.execute("INSERT INTO _migrations VALUES (?, ?)", (name, _now()))
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise
            finally:
                self.conn.execute("PRAGMA foreign_keys=ON")

    def _applied(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM _migrations")}

    def state(self) -> str:
        """A signature of the registry's content: it changes with every record added, changed or deleted
        (by any connection), and differs between two registry files. One indexed read."""
        row = self.conn.execute("SELECT instance, version FROM registry_state").fetchone()
        return f"{row[0]}:{row[1]}"

    def schema_version(self) -> str:
        row = self.conn.execute("SELECT name FROM _migrations ORDER BY name DESC LIMIT 1").fetchone()
        return row[0] if row else ""

    # -- writes -----------------------------------------------------------------------------------

    def save(self, rec: Deliberation) -> str:
        """Insert or replace a record in one transaction: "added", "updated" or "unchanged"."""
        return self.save_document([rec])

    def save_document(self, records: list[Deliberation]) -> str:
        """The records of one document (same path), in one transaction: "added", "updated" or "unchanged".
        Records of the document that are no longer in it (a procès-verbal re-read into fewer items) go."""
        path = records[0].path
        rows = self.conn.execute(
            "SELECT id, record_json FROM deliberations WHERE (path IS NOT NULL AND path = ?) OR id IN "
            f"({','.join('?' * len(records))})", (path, *[r.id for r in records]),
        ).fetchall()
        old = {row["id"]: row["record_json"] for row in rows}
        # Unchanged means the same records, not only the same text: a new parser may read more of it.
        if set(old) == {r.id for r in records} and all(_same_record(old[r.id], r) for r in records):
            with self.conn:  # remember which parser confirmed them, so the next ingest skips them quickly
                self.conn.executemany("UPDATE deliberations SET record_json = ? WHERE id = ?",
                                      [(r.model_dump_json(), r.id) for r in records])
            return "unchanged"
        chunks = [chunk_record(r) for r in records]
        with self.conn:
            for old_id in old:
                self._delete(old_id)
            for rec, rec_chunks in zip(records, chunks, strict=True):
                self._insert(rec, rec_chunks)
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
        members += [("absent", m, None) for m in rec.absent]
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
        c.execute("INSERT INTO match_texts VALUES (?, ?)", (rec.id, match_text(rec.own_text, decided_text(rec))))
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

    def by_path(self, path: str) -> list[Deliberation]:
        """The records read from the file at `path` (one per deliberation it holds), in document order."""
        rows = self.conn.execute("SELECT record_json FROM deliberations WHERE path = ? ORDER BY id", (path,))
        return [Deliberation.model_validate_json(r[0]) for r in rows]

    def by_hash(self, content_hash: str) -> list[str]:
        rows = self.conn.execute("SELECT id FROM deliberations WHERE content_hash = ?", (content_hash,))
        return [r[0] for r in rows]

    def id_taken(self, deliberation_id: str, path: str | None) -> bool:
        """True when another file already holds this id."""
        row = self.conn.execute("SELECT path FROM deliberations WHERE id = ?", (deliberation_id,)).fetchone()
        return bool(row) and row[0] != path

    def get_many(self, ids: Iterable[str]) -> dict[str, Deliberation]:
        """The records of `ids` that exist, by id (one query per 500 ids)."""
        ids = list(dict.fromkeys(ids))
        out: dict[str, Deliberation] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self.conn.execute(
                f"SELECT id, record_json FROM deliberations WHERE id IN ({','.join('?' * len(part))})", part
            )
            out.update((r[0], Deliberation.from_stored_json(r[1])) for r in rows)
        return out

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM deliberations ORDER BY session_date, id")]

    def paths(self) -> list[tuple[str, str | None]]:
        """(id, file path) of every record, without reading the records."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, path FROM deliberations ORDER BY id")]

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
        ids = None
        if beneficiary:
            ids = self.match_beneficiary(beneficiary)
            if not ids:
                return []
        where, args = _where([("year = ?", year), ("body = ?", body or None), ("act_type = ?", act_type or None)],
                             ids=("id", ids))
        sql = f"SELECT record_json FROM deliberations WHERE 1=1{where} ORDER BY session_date, id"
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
        hits = [k for k in keys if _key_matches(key, k, threshold)]
        if not hits:
            return []
        rows = self.conn.execute(
            f"SELECT DISTINCT deliberation_id FROM beneficiaries WHERE name_key IN ({','.join('?' * len(hits))})",
            hits,
        )
        return [r[0] for r in rows]

    # -- selections for answers (answer.facts): ids in SQL, records read only for what is left -----

    def find_ids(
        self,
        *,
        year: int | None = None,
        amount_year: bool = False,
        year_from: int | None = None,
        year_to: int | None = None,
        session_date: str | None = None,
        body: str | None = None,
        act_type: str | None = None,
        among: Iterable[str] | None = None,
    ) -> set[str]:
        """Ids of the records matching every given filter, among `among` when given (when they are few,
        looked up one by one rather than reading every id of a year). `year`: the session's year, or with
        `amount_year` also the year an amount is granted for ("pour l'année 2020")."""
        if among is not None and len(among := set(among)) > FEW_IDS:
            return among & self.find_ids(year=year, amount_year=amount_year, year_from=year_from, year_to=year_to,
                                         session_date=session_date, body=body, act_type=act_type)
        # Among few ids, each is looked up by its key: "+column" keeps SQLite from reading a year's index instead.
        c = "+" if among is not None else ""
        where, args = _where([
            (f"{c}session_date = ?", session_date), (f"{c}year >= ?", year_from), (f"{c}year <= ?", year_to),
            (f"{c}body = ?", body), (f"{c}act_type = ?", act_type),
        ], ids=("id", among))
        if year is None:
            return {r[0] for r in self.conn.execute(f"SELECT id FROM deliberations WHERE 1=1{where}", args)}
        sql = f"SELECT id FROM deliberations WHERE {c}year = ?{where}"
        if amount_year:  # a union, not an OR: an OR with a subquery reads every record
            in_amounts, amount_args = _where([(f"{c}year = ?", year)], ids=("deliberation_id", among))
            sql += (f" UNION SELECT id FROM deliberations WHERE id IN "
                    f"(SELECT deliberation_id FROM amounts WHERE 1=1{in_amounts}){where}")
            args = [*args, *amount_args, *args]
        return {r[0] for r in self.conn.execute(sql, [year, *args])}

    def ids_with_amount(self, cents: int) -> set[str]:
        """Ids of the records holding an amount of exactly `cents`."""
        return {r[0] for r in self.conn.execute("SELECT deliberation_id FROM amounts WHERE cents = ?", (cents,))}

    def ids_with_beneficiary_keys(self, keys: Iterable[str]) -> set[str]:
        """Ids of the records with a beneficiary (`Deliberation.beneficiaries`) whose match key is in `keys`."""
        keys = sorted(set(keys))
        if not keys:
            return set()
        marks = ",".join("?" * len(keys))
        return {r[0] for r in self.conn.execute(
            f"SELECT deliberation_id FROM beneficiaries WHERE name_key IN ({marks})", keys)}

    def ids_by_name_keys(self, keys: Iterable[str]) -> set[str]:
        """Ids of the records with a beneficiary, or an amount's beneficiary, whose match key is in `keys`."""
        keys = list(set(keys))
        if not keys:
            return set()
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT deliberation_id FROM beneficiaries WHERE name_key IN ({marks}) "
            f"UNION SELECT deliberation_id FROM amounts WHERE beneficiary_key IN ({marks})", keys + keys
        )
        return {r[0] for r in rows}

    def match_texts(self) -> dict[str, str]:
        """id -> the record's match text (`match_text`): the raw text's match key, then the decided text's."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT deliberation_id, text FROM match_texts")}

    def ids_with_codes(self, codes: Iterable[str]) -> set[str]:
        """Ids of the deliberations that bear one of these codes, as printed ("MET 19/10625/BM", "2021/039")."""
        codes = sorted(set(codes))
        if not codes:
            return set()
        marks = ",".join("?" * len(codes))
        return {r[0] for r in self.conn.execute(f"SELECT deliberation_id FROM codes WHERE code IN ({marks})", codes)}

    def codes_by_record(self) -> list[tuple[str, str]]:
        """(deliberation id, code) of every code."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT deliberation_id, code FROM codes")]

    def catalog_rows(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(id, object text, signatory's name, president's name) of every record, read inside SQLite."""
        rows = self.conn.execute(
            "SELECT id, json_extract(record_json, '$.object.text', '$.signatory.name', '$.president.name') "
            "FROM deliberations"
        )
        return [(r[0], *json.loads(r[1])) for r in rows]

    def identity_rows(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(id, authority type, authority name, number as printed) of every record, read inside SQLite."""
        rows = self.conn.execute(
            "SELECT id, json_extract(record_json, '$.authority_type', '$.authority_name', '$.number') "
            "FROM deliberations"
        )
        return [(r[0], *json.loads(r[1])) for r in rows]

    def authority_bodies(self) -> list[tuple[str | None, str | None, str | None, int]]:
        """(authority type, authority name, body, records) of the records naming an authority, read inside
        SQLite (the drafting form's list; no record is parsed)."""
        rows = self.conn.execute(
            "SELECT json_extract(record_json, '$.authority_type'), json_extract(record_json, '$.authority_name'), "
            "body, COUNT(*) FROM deliberations WHERE json_extract(record_json, '$.authority_name') IS NOT NULL "
            "GROUP BY 1, 2, 3"
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def member_names(self) -> list[tuple[str, str | None]]:
        """Distinct (name, proxy) pairs of the attendance lists."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT DISTINCT name, proxy FROM members")]

    def amount_names(self) -> list[tuple[str, str, str | None, str | None]]:
        """(deliberation id, beneficiary, purpose, article) of the amounts with a beneficiary or a purpose."""
        rows = self.conn.execute(
            "SELECT deliberation_id, beneficiary, purpose, article FROM amounts "
            "WHERE beneficiary IS NOT NULL OR purpose IS NOT NULL"
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

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
        where, args = _chunk_filters(filters or {})
        counts, passages = self._term_counts(terms)
        rare = _rare_terms(counts)
        if len(rare) == len(terms):
            rows = self._best_passages(terms, where, args, k)
            # bm25() is lower-is-better and negative: flip it so callers can sort descending.
            return [(Chunk.model_validate_json(r[0]), -r[1]) for r in rows]
        rows = self._best_passages(rare, where, args, max(2 * k, LEXICAL_POOL), content=True)
        common = {t: counts[t] for t in terms if t not in rare}
        lengths = [len(r[2].split()) for r in rows]
        mean_length = sum(lengths) / len(lengths) if lengths else 1.0
        scored = sorted(((-r[1] + _bm25(r[2], common, passages, mean_length), r[0]) for r in rows),
                        key=lambda hit: -hit[0])[:k]
        return [(Chunk.model_validate_json(record), score) for score, record in scored]

    def _best_passages(self, terms: list[str], where: str, args: list, n: int, content: bool = False) -> list:
        """(chunk_json, bm25, indexed text when `content`) of the n passages bm25 ranks best for any of the
        terms, best first. The ranking reads only the index (and the chunks table when filters need it),
        then the n records are read: carrying every matching passage's record (or text) into the sort
        took two thirds of a search's time."""
        join = "JOIN chunks c ON c.id = chunks_fts.chunk_id" if where else ""
        best = self.conn.execute(
            f"SELECT chunks_fts.rowid, chunks_fts.chunk_id, bm25(chunks_fts) AS score FROM chunks_fts {join} "
            f"WHERE chunks_fts MATCH ? {where} ORDER BY score LIMIT ?", [_fts_any(terms), *args, n]).fetchall()
        marks = ",".join("?" * len(best))
        records = dict(self.conn.execute(f"SELECT id, chunk_json FROM chunks WHERE id IN ({marks})",
                                         [b[1] for b in best]))
        texts = dict(self.conn.execute(f"SELECT rowid, content FROM chunks_fts WHERE rowid IN ({marks})",
                                       [b[0] for b in best])) if content else {}
        return [(records[cid], score, texts.get(rowid, "")) for rowid, cid, score in best]

    def _term_counts(self, terms: list[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each term (FTS5's vocabulary), and how many there are; remembered until
        the registry changes."""
        state = self.state()
        if self._search_stats[0] != state:
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
                              "USING fts5vocab(main, chunks_fts, row)")
            total = self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            self._search_stats = (state, total, {})
        _, total, counts = self._search_stats
        for term in terms:
            if term not in counts:
                row = self.conn.execute("SELECT doc FROM temp.chunks_vocab WHERE term = ?", (term,)).fetchone()
                counts[term] = row[0] if row else 0
        return {t: counts[t] for t in terms}, total


def _rare_terms(counts: dict[str, int]) -> list[str]:
    """The rarest terms whose passages, together, stay under LEXICAL_BUDGET (at least one; a term no
    passage holds is no candidate's); all the terms when those that match stay under it."""
    chosen, total = [], 0
    present = sorted((t for t in counts if counts[t]), key=lambda t: (counts[t], t))
    for term in present:
        total += counts[term]
        if chosen and total > LEXICAL_BUDGET:
            return chosen
        chosen.append(term)
    return list(counts)


def _bm25(content: str, counts: dict[str, int], passages: int, mean_length: float) -> float:
    """What these terms add to a passage's bm25 (FTS5's formula and defaults k1 1.2, b 0.75), from its
    indexed text; the mean length is the candidates' (FTS5 takes the whole index's)."""
    words = content.split()
    found = Counter(w for w in words if w in counts)
    score = 0.0
    for term, f in found.items():
        n = counts[term]
        idf = max(math.log((passages - n + 0.5) / (n + 0.5)), 1e-6)
        score += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len(words) / mean_length))
    return score


def _fts_any(terms: Iterable[str]) -> str:
    """An FTS5 query matching a passage that holds any of these (stemmed) terms."""
    return " OR ".join(f'"{t}"' for t in terms)


def decided_text(rec: Deliberation) -> str:
    """The object and the articles: where a deliberation names whom it concerns."""
    return " ".join([rec.object.text if rec.object else ""] + [a.text for a in rec.articles])


def match_text(raw_text: str, decided: str) -> str:
    """What `match_texts` stores: the match keys of the raw text and of the decided text. A name's key
    found in a part of the raw text (a sentence) or in the decided text is found in it; the reverse is
    checked on the record itself."""
    return textnorm.match_key(raw_text) + "|" + textnorm.match_key(decided)


def _statements(script: str) -> list[str]:
    """The statements of an SQL script (a trigger's body keeps its own semicolons)."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out


def _backfill_match_texts(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT id, json_extract(record_json, '$.raw_text'), json_extract(record_json, '$.object.text'), "
        "json_extract(record_json, '$.articles'), json_extract(record_json, '$.item.start'), "
        "json_extract(record_json, '$.item.end') FROM deliberations"
    ).fetchall()
    for rec_id, raw, obj, articles, start, end in rows:
        raw = raw[start:end] if start is not None else raw  # an item of a procès-verbal: its own text
        decided = " ".join([obj or ""] + [a["text"] for a in json.loads(articles or "[]")])
        conn.execute("INSERT INTO match_texts VALUES (?, ?)", (rec_id, match_text(raw, decided)))


_BACKFILLS = {"003_match_texts": _backfill_match_texts}


FEW_IDS = 4000  # ids that find_ids looks among one by one (each a variable, three times for money's years)


def _where(conditions: Iterable[tuple[str, object]], *, ids: tuple[str, Iterable[str] | None] = ("", None)
           ) -> tuple[str, list]:
    """" AND clause" for each (clause, value) whose value is not None (a tuple fills several "?"), and
    " AND column IN (…)" when `ids` = (column, ids) gives ids (none: nothing matches)."""
    where, args = "", []
    for clause, value in conditions:
        if value is not None:
            where += f" AND {clause}"
            args += list(value) if isinstance(value, tuple) else [value]
    column, wanted = ids
    if wanted is not None:
        wanted = list(wanted)
        where += f" AND {column} IN ({','.join('?' * len(wanted)) or 'NULL'})"
        args += wanted
    return where, args


def _chunk_filters(filters: dict) -> tuple[str, list]:
    def number(key: str) -> int | None:
        return None if filters.get(key) is None else int(filters[key])

    return _where([("c.year = ?", number("year")), ("c.year >= ?", number("year_from")),
                   ("c.year <= ?", number("year_to")), ("c.body = ?", filters.get("body") or None),
                   ("c.act_type = ?", filters.get("act_type") or None)],
                  ids=("c.deliberation_id", filters.get("deliberation_ids")))


def _key_matches(query_key: str, key: str, threshold: float = 85.0) -> bool:
    """A name's match key answers a query's: it holds it, or nearly (fuzzy, for queries of 4+ letters)."""
    return bool(key) and (query_key in key or len(query_key) >= 4 and fuzz.partial_ratio(query_key, key) >= threshold)


def _beneficiary_matches(query_key: str, name: str | None, threshold: float = 85.0) -> bool:
    return _key_matches(query_key, textnorm.match_key(name or ""), threshold)


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
