"""Grant tables whose amounts print no currency: the column head says "Montant".

    Code association  Nom association Nature Montant
    771 ATELIER EXEMPLE Projet 10 000
    [a prefecture's stamp, a page break]
    867 EXEMPLE.ORG Projet 1 500
    5192
    ASSOCIATION POUR LA RECHERCHE
    ET L'ENSEIGNEMENT - APRE
    Projet 500
    TOTAL 26 500

Each row ends with its amount; its name is the row's words before it, or, on a row holding only a column
value ("Projet 500"), the lines since the row's code ("5192"). A last word found on several rows ("Projet",
"Fonctionnement") is a column of its own, not part of the name. Lines that end with no amount (a stamp, a
section such as "PATRIMOINE") are skipped; the table ends at its total or at the first paragraph of prose.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.ingest.text import _Doc

I, M = re.IGNORECASE, re.MULTILINE

# A table's head: column words, "Montant" last ("Nom association Nature Montant", "Bénéficiaire Objet Montant
# accordé"); not a sentence that names an association and an amount.
HEAD = re.compile(r"^[^\n]{0,80}\b(?:nom|association|beneficiaire|organisme|structure|attributaire)\b[^\n]{0,60}"
                  r"\bmontants?\b(?:[ \t]+(?:accordes?|attribues?|proposes?|votes?|\(?en\s+euros\)?|\d{4}))?[ \t]*$",
                  I | M)
ROW_AMOUNT = re.compile(r"(?<![\d,.])(?P<num>\d{1,3}(?:[ .]\d{3})+|\d{1,7})(?:,(?P<cents>\d{2}))?[ \t]*$")
CODE_LINE = re.compile(r"^[ \t]*\d{1,6}[ \t]*$")
LEADING_CODE = re.compile(r"[ \t]*\d{1,6}[ \t]+")
TOTAL = re.compile(r"^[ \t]*(?:sous-?\s*)?total\b", I)
PROSE = re.compile(r"[a-z]{3,}(?:\s+[a-z']+){7,}")  # a sentence, not a cell


@dataclass
class Row:
    cents: int
    number: tuple[int, int]  # plain range of the amount
    row: tuple[int, int]  # plain range of the row (name lines and amount)
    name: tuple[int, int] | None  # plain range of the name
    tail: str | None = None  # the row line's last word before its amount ("Projet")


def grant_rows(doc: _Doc, lo: int = 0, hi: int | None = None) -> list[Row]:
    """The rows of every currency-less grant table in doc.text[lo:hi]."""
    hi = len(doc.text) if hi is None else hi
    rows: list[Row] = []
    for head in HEAD.finditer(doc.text, lo, hi):
        if re.search(r"€|\beuros?\b", doc.text[head.start():head.end()], I) or PROSE.search(head.group()):
            continue  # the amounts print their currency (the amount reader has them), or a sentence
        rows += _rows(doc, head.end(), hi)
    return _without_column_words(doc, rows)


def _rows(doc: _Doc, start: int, hi: int) -> list[Row]:
    rows: list[Row] = []
    pending: list[tuple[int, int]] = []  # lines since the last row or code line
    pos = start
    while pos < hi:
        end = doc.line_end(pos)
        line = doc.text[pos:end]
        if TOTAL.match(line) or (rows and PROSE.search(line)):
            break
        m = ROW_AMOUNT.search(line)
        words = line[:m.start()].strip() if m else ""
        if m and re.search(r"[A-Za-z]", line):
            cents = int(m.group("num").replace(" ", "").replace(".", "")) * 100 + int(m.group("cents") or 0)
            name = _name(doc, pos, pos + m.start(), pending)
            first = pending[0][0] if pending and name and name[0] < pos else pos
            tail = words.split()[-1] if words else None
            rows.append(Row(cents, (pos + m.start("num"), pos + m.end()), (first, pos + m.end()), name, tail))
            pending = []
        elif CODE_LINE.match(line):
            pending = [(pos, end)]  # a row's code on its own line: its name follows
        elif words or line.strip():
            pending.append((pos, end))
        pos = end + 1
    return rows


def _name(doc: _Doc, ls: int, amount_start: int, pending: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The row's own words before its amount, without a leading code; else the pending lines'."""
    code = LEADING_CODE.match(doc.text, ls, amount_start)
    s, e = doc.trim(code.end() if code else ls, amount_start)
    own = doc.text[s:e]
    if len(own.split()) >= 2 or (own and not pending):
        return (s, e) if s < e else None
    lines = [(a, b) for a, b in pending if re.search(r"[A-Za-z]", doc.text[a:b]) and not CODE_LINE.match(doc.text[a:b])]
    if not lines:
        return (s, e) if s < e else None
    return doc.trim(lines[0][0], lines[-1][1])


def _without_column_words(doc: _Doc, rows: list[Row]) -> list[Row]:
    """Drop from the names a last word found before the amount on several rows ("Projet"): a column."""
    own = [r for r in rows if r.name]
    columns = {w for w, n in Counter(r.tail for r in rows if r.tail).items() if n >= 2}
    for r in own:
        text = doc.text[slice(*r.name)]
        words = text.split()
        if len(words) > 1 and words[-1] in columns:
            r.name = doc.trim(r.name[0], r.name[0] + text.rstrip().rfind(words[-1]))
    return rows
