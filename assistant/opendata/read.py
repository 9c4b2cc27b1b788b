"""Read an SCDL open-data CSV (Délibérations or Subventions) into registry records, one per row.

Published files are messy: `;` or `,` between cells, a UTF-8 BOM, cp1252 bytes or a cp1252 file once read
as UTF-8 and saved again (all handled by the loader, `ingest.loaders`), amounts as "40 000,00" or "2400.0", dates as 2017-04-13, 2017/09/08 or
05/12/2016, two generations of column names (`columns.yaml`). The `csv` module splits the cells (quoted
cells may hold line breaks); each row keeps its lines as written, so that a citation quotes the row's
cells. A row that cannot be read is reported ("ligne 12 : …") and the others go in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field
from unidecode import unidecode

from ..models import Amount, Code, Count, Deliberation, Item, OpenDataRow, Span, Vote

COLUMNS_FILE = Path(__file__).with_name("columns.yaml")
SCHEMA_NAMES = {"subventions": "scdl-subventions", "deliberations": "scdl-deliberations"}
SUFFIXES = frozenset({".csv"})


class NotOpenData(ValueError):
    """A CSV file whose columns are no SCDL file's; the message is one French sentence for a clerk."""


class OpenDataFile(BaseModel):
    """What a file gave: its records, and the rows that could not be read ("ligne 12 : raison")."""

    schema_name: str
    records: list[Deliberation] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    rows: int = 0  # data rows in the file (blank lines not counted)


@lru_cache(maxsize=1)
def columns() -> dict:
    return yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))


def column_key(name: str) -> str:
    """"SUB_MONTANT", "sub montant", "Sub-Montant" -> "submontant"."""
    return re.sub(r"[^a-z0-9]", "", unidecode(name).lower())


def field_columns(header: list[str]) -> tuple[str, dict[str, int]]:
    """The file's kind ("subventions" or "deliberations") and the column index of each field found."""
    keys = [column_key(h) for h in header]
    for kind in ("subventions", "deliberations"):
        spec = columns()[kind]
        found = {}
        for field, names in spec["columns"].items():
            index = next((keys.index(column_key(n)) for n in names if column_key(n) in keys), None)
            if index is not None:
                found[field] = index
        if all(f in found for f in spec["needs"]):
            return kind, found
    raise NotOpenData(
        "Fichier CSV sans les colonnes d'un fichier SCDL Délibérations (COLL_NOM, DELIB_ID, DELIB_OBJET…) ni "
        "SCDL Subventions (nomAttribuant ou COLL_NOM, nomBeneficiaire ou ATTRIB_NOM, montant ou SUB_MONTANT…)."
    )


def read_cents(text: str) -> int | None:
    """"40 000,00", "2400.0", "1.500,50", "12 800 €" -> cents; None when it is no amount. The decimal
    separator is the last of "," and "." when followed by one or two digits; the other is grouping."""
    value = re.sub(r"[\s\u00a0\u202f€]|EUR|euros?", "", text.strip(), flags=re.IGNORECASE)
    m = re.fullmatch(r"(-?[\d.,]*?\d)(?:[.,](\d{1,2}))?", value)
    if not m:
        return None
    whole = re.sub(r"[.,]", "", m.group(1))
    try:
        return int((Decimal(f"{whole}.{m.group(2) or '0'}") * 100).to_integral_value())
    except InvalidOperation:
        return None


def read_date(text: str) -> dt.date | None:
    """2017-04-13, 2017/09/08, 05/12/2016 (day first) -> date; None when it is no date."""
    import dateparser  # heavy: imported when a file is read

    text = text.strip()
    if not re.search(r"\d", text):
        return None
    parsed = dateparser.parse(text, date_formats=columns()["date_formats"], languages=["fr"],
                              settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                                        "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date() if parsed else None


def read_int(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+)(?:[.,]0+)?\s*", text)
    return int(m.group(1)) if m else None


def read_open_data(raw_text: str, *, id: str, source: str, path: str | None = None) -> OpenDataFile:
    """The records of an SCDL CSV file's text (as the loader read it: line breaks are "\\n")."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", raw_text)]
    header_line = raw_text[:line_starts[1] - 1] if len(line_starts) > 1 else raw_text
    try:
        dialect = csv.Sniffer().sniff(header_line, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    reader = csv.reader(io.StringIO(raw_text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    kind, fields = field_columns(header)
    out = OpenDataFile(schema_name=SCHEMA_NAMES[kind])
    rows: list[tuple[int, int, list[str]]] = []  # (first line, last line, cells)
    previous = reader.line_num
    try:
        for cells in reader:
            first, previous = previous + 1, reader.line_num
            if any(c.strip() for c in cells):
                rows.append((first, previous, cells))
    except csv.Error as exc:  # an unclosed quote: what was read so far goes in
        out.problems.append(f"ligne {previous + 1} : cellule entre guillemets jamais fermée ({exc})")
    out.rows = len(rows)
    width = max(2, len(str(len(rows))))
    for index, (first, last, cells) in enumerate(rows, 1):
        start = line_starts[first - 1]
        end = line_starts[last] - 1 if last < len(line_starts) else len(raw_text)
        row_text = raw_text[start:end]
        if len(cells) != len(header):
            out.problems.append(f"ligne {first} : {len(cells)} cellules pour {len(header)} colonnes, "
                                "ligne ignorée")
            continue
        record, problem = _record(kind, fields, header_line, row_text, cells, first,
                                  id=f"{id}-{index:0{width}d}", source=source, path=path)
        if problem:
            out.problems.append(f"ligne {first} : {problem}")
        if record is not None:
            out.records.append(record)
    for i, rec in enumerate(out.records, 1):
        rec.item = rec.item.model_copy(update={"index": i, "total": len(out.records)})
    return out


def _cell_spans(row_text: str, cells: list[str], offset: int) -> list[tuple[int, int]]:
    """Each cell's span in the record's raw text: where its value is written in the row, left to right;
    a cell not written verbatim (doubled quotes) spans the whole row."""
    spans, pos = [], 0
    for value in cells:
        at = row_text.find(value, pos) if value else -1
        if at < 0:
            spans.append((offset, offset + len(row_text)))
            continue
        spans.append((offset + at, offset + at + len(value)))
        pos = at + len(value)
    return spans


def _record(kind: str, fields: dict[str, int], header_line: str, row_text: str, cells: list[str], line: int,
            *, id: str, source: str, path: str | None) -> tuple[Deliberation | None, str | None]:
    """One row's record, or None with the reason it cannot be read; a record may come with a problem
    (a date that cannot be read stays unknown)."""
    offset = len(header_line) + 1
    raw = f"{header_line}\n{row_text}"
    spans = _cell_spans(row_text, cells, offset)
    value = {f: cells[i].strip() for f, i in fields.items()}

    def span(field: str) -> Span | None:
        if not value.get(field):
            return None
        s, e = spans[fields[field]]
        return Span(text=raw[s:e], start=s, end=e)

    row = (offset, len(raw))
    problem = None
    date = read_date(value["date"]) if value.get("date") else None
    if value.get("date") and date is None:
        problem = f"date illisible « {value['date']} », elle reste inconnue"
    rec = Deliberation(
        id=id, source=source, path=path, content_hash="", raw_text=raw,
        authority=span("authority"), session_date=date, session_span=span("date") if date else None,
        number=value.get("reference") or None, object=span("object"),
        item=Item(index=1, total=1, start=row[0], end=row[1]),
        open_data=OpenDataRow(schema_name=SCHEMA_NAMES[kind], line=line,
                              cells={f: cells[i] for f, i in fields.items()}),
    )
    rec.authority_type, rec.authority_name = _authority(value["authority"])
    if (ref := span("reference")) is not None:
        rec.codes = [Code(code=ref.text.strip(), kind="registre", start=ref.start, end=ref.end)]
    if kind == "subventions":
        cents = read_cents(value["amount"])
        if cents is None:
            return None, f"montant illisible « {value['amount']} », ligne ignorée"
        if not value["beneficiary"]:  # kept: the amount and the object are facts; to whom stays unknown
            problem = "bénéficiaire absent, il reste inconnu"
        s, e = spans[fields["amount"]]
        rec.act_type = "subvention"
        rec.beneficiaries = [value["beneficiary"]] if value["beneficiary"] else []
        rec.amounts = [Amount(cents=cents, beneficiary=value["beneficiary"] or None, purpose=value.get("object") or None,
                              year=read_int(value.get("year", "")), start=s, end=e,
                              sentence_start=row[0], sentence_end=row[1])]
    else:
        if not value["reference"] or not value["object"]:
            return None, "référence ou objet de la délibération absent, ligne ignorée"
        from ..ingest.parser import classify

        rec.act_type = classify(value["object"], [])
        _add_vote(rec, value, fields, spans, row)
    return rec, problem


def _add_vote(rec: Deliberation, value: dict[str, str], fields: dict[str, int], spans: list, row: tuple[int, int]
              ) -> None:
    counts = {f: read_int(value.get(f, "")) for f in ("members", "voting", "for", "against", "abstention")}
    for field, attr in (("members", "members_in_office"), ("voting", "voting_count")):
        if counts[field] is not None:
            s, e = spans[fields[field]]
            setattr(rec, attr, Count(value=counts[field], start=s, end=e))
    if counts["for"] is None and counts["against"] is None:
        return  # no vote in the row: it stays unknown
    for_count, against = counts["for"], counts["against"]
    # The counts decide: more votes for than against is adopted (the file lists adopted deliberations).
    adopted = for_count > (against or 0) if for_count is not None else None
    rec.vote = Vote(adopted=adopted, for_count=for_count, against_count=against,
                    abstention_count=counts["abstention"], start=row[0], end=row[1])


def _authority(name: str) -> tuple[str | None, str | None]:
    """The authority's type and name from the cell ("COMMUNE DE X" -> commune, "X")."""
    from ..ingest import session
    from ..ingest.text import _Doc

    doc = _Doc(name)
    return session.read_authority(doc, None, len(doc.text), None)
