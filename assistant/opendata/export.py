"""Write the registry as SCDL open data: Délibérations 2.1 and Subventions 2.1 CSV files.

The columns, their order and their formats are those of the Table Schemas in `schemas/`. A value comes
from the registry (the record's fields, or an open-data row's cells as written), from a rule kept as data
(the ACTES matière, `matieres.yaml`), or from what the user declares (`values`: the authority's SIRET,
the conditions of payment… that no deliberation prints). A row a required field would leave empty is not
written: it is reported with what is missing, never filled with a guess.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from .. import textnorm
from ..models import Amount, Deliberation
from .read import read_date

SCHEMAS_DIR = Path(__file__).with_name("schemas")
SCHEMA_FILES = {
    "scdl-deliberations": SCHEMAS_DIR / "scdl-deliberations-2.1.5.json",
    "scdl-subventions": SCHEMAS_DIR / "scdl-subventions-2.1.0.json",
}
MATIERES_FILE = Path(__file__).with_name("matieres.yaml")
KINDS = tuple(SCHEMA_FILES)
NATURE_MONEY = "aide en numéraire"  # a sum of money granted is an aid in cash
MAX_OBJECT = 256  # the Subventions schema's limit


class ExportRow(BaseModel):
    """One row of an export, with where it comes from and, for a deliberation, the matière rule used."""

    values: dict[str, str]
    record_id: str
    source: str
    rule: str | None = None  # the matières.yaml rule that chose DELIB_MATIERE_CODE ("fichier": the file's own)


class Export(BaseModel):
    kind: str
    rows: list[ExportRow] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)  # "<file> <part> : <what is missing>"


@lru_cache(maxsize=2)
def schema(kind: str) -> dict:
    return json.loads(SCHEMA_FILES[kind].read_text(encoding="utf-8"))


def field_names(kind: str) -> list[str]:
    return [f["name"] for f in schema(kind)["fields"]]


def required(kind: str) -> list[str]:
    return [f["name"] for f in schema(kind)["fields"] if f.get("constraints", {}).get("required")]


@lru_cache(maxsize=1)
def matieres() -> dict:
    data = yaml.safe_load(MATIERES_FILE.read_text(encoding="utf-8"))
    data["compiled"] = [(r["id"], r["code"], re.compile(r["pattern"])) for r in data["rules"]]
    return data


def matiere(text: str) -> tuple[str, str, str]:
    """(code, name, rule id) of the ACTES matière an object belongs to, by the first rule that fits."""
    folded = textnorm.fold(" ".join(text.split())).lower()
    data = matieres()
    rule_id, code = next(((i, c) for i, c, p in data["compiled"] if p.search(folded)),
                         (data["fallback"]["id"], data["fallback"]["code"]))
    return code, data["names"][code], rule_id


def export(records: Iterable[Deliberation], kind: str, *, authority: str | None = None, year: int | None = None,
           values: dict[str, str] | None = None) -> Export:
    """The rows of `kind` ("scdl-deliberations" or "scdl-subventions") for the records, filtered by authority
    (words of its name) and year; `values` fills the fields the registry does not hold (never overrides)."""
    out = Export(kind=kind)
    declared = {k: v for k, v in (values or {}).items() if v}
    for rec in sorted(records, key=lambda r: (r.session_date.isoformat() if r.session_date else "", r.id)):
        if not _selected(rec, authority, year):
            continue
        if kind == "scdl-deliberations":
            if rec.open_data and rec.open_data.schema_name == "scdl-subventions":
                continue  # a subsidy row is no deliberation: it goes to the subsidies' file
            rows = [_deliberation_row(rec)]
        else:
            rows = _subsidy_rows(rec)
        for row in rows:
            for name, value in declared.items():
                if name in row.values and not row.values[name]:
                    row.values[name] = value
            missing = [name for name in required(kind) if not row.values.get(name)]
            if missing:
                where = rec.open_data.label().lower() if rec.open_data else rec.id
                out.skipped.append(f"{rec.source} ({where}) : {', '.join(missing)} inconnu(s)")
            else:
                out.rows.append(row)
    return out


def write_csv(result: Export, path: Path | str) -> Path:
    """The rows as a UTF-8 CSV, comma-separated, columns in the schema's order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=field_names(result.kind), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row.values for row in result.rows)
    return path


# -- filters -----------------------------------------------------------------------------------------


def _selected(rec: Deliberation, authority: str | None, year: int | None) -> bool:
    if year is not None and rec.year != year:
        return False
    if authority:
        name = " ".join(filter(None, [rec.authority.text if rec.authority else None, rec.authority_name]))
        return bool(name) and textnorm.match_key(authority) in textnorm.match_key(name)
    return True


# -- deliberations -----------------------------------------------------------------------------------


def _deliberation_row(rec: Deliberation) -> ExportRow:
    cells = rec.open_data.cells if rec.open_data else {}
    values = dict.fromkeys(field_names("scdl-deliberations"), "")
    code = (cells.get("matiere_code") or "").strip()
    if re.fullmatch(r"\d\.\d{1,2}", code):
        name, rule = (cells.get("matiere_name") or "").strip() or matieres()["names"].get(code, ""), "fichier"
    else:
        code, name, rule = matiere(rec.object.text) if rec.object else ("", "", None)
    vote = rec.vote
    values.update({
        "COLL_NOM": _authority(rec),
        "COLL_SIRET": _siret(cells.get("authority_id")),
        "DELIB_ID": rec.number or rec.service_code() or "",
        "DELIB_DATE": rec.session_date.isoformat() if rec.session_date else "",
        "DELIB_MATIERE_CODE": code,
        "DELIB_MATIERE_NOM": name,
        "DELIB_OBJET": rec.object_line or "",
        "BUDGET_ANNEE": _match(cells.get("budget_year"), r"[0-9]{4}(/[0-9]{4})?"),
        "BUDGET_NOM": " ".join((cells.get("budget_name") or "").split()),
        "PREF_ID": (cells.get("prefecture_id") or "").strip(),
        "PREF_DATE": _iso(cells.get("prefecture_date")),
        "VOTE_EFFECTIF": _count(rec.members_in_office.value if rec.members_in_office else None),
        "VOTE_REEL": _count(rec.voting_count.value if rec.voting_count else None),
        "VOTE_POUR": _count(vote.for_count if vote else None),
        "VOTE_CONTRE": _count(vote.against_count if vote else None),
        "VOTE_ABSTENTION": _count(vote.abstention_count if vote else None),
        "DELIB_URL": _match(cells.get("url"), r"https?://\S+"),
    })
    return ExportRow(values=values, record_id=rec.id, source=rec.source, rule=rule)


# -- subsidies ---------------------------------------------------------------------------------------


def _subsidy_rows(rec: Deliberation) -> list[ExportRow]:
    if rec.open_data:
        if rec.open_data.schema_name != "scdl-subventions":
            return []
    elif rec.act_type != "subvention":
        return []
    cells = rec.open_data.cells if rec.open_data else {}
    rows, seen = [], set()
    for a in _granted(rec):
        key = (a.cents, textnorm.match_key(a.beneficiary))
        if key in seen:  # the same grant restated (the convention's article)
            continue
        seen.add(key)
        values = dict.fromkeys(field_names("scdl-subventions"), "")
        values.update({
            "nomAttribuant": _authority(rec),
            "idAttribuant": _siret(cells.get("authority_id")),
            # the registry holds the decision's date; a file's row its own date (the convention's)
            "dateConvention": rec.session_date.isoformat() if rec.session_date else "",
            "referenceDecision": rec.number or rec.service_code() or "",
            "nomBeneficiaire": " ".join(a.beneficiary.split()),
            "idBeneficiaire": _siret(cells.get("beneficiary_id")),
            "rnaBeneficiaire": _match(cells.get("beneficiary_rna"), r"W\d{9}"),
            "objet": _object(a, rec),
            "montant": f"{a.cents / 100:.2f}",
            "nature": _nature(cells.get("nature")),
            "conditionsVersement": _conditions(cells.get("conditions")),
            "datesPeriodeVersement": _period(cells.get("payment_period")),
            "notificationUE": _yes_no(cells.get("eu_notification")),
            # each row is one beneficiary's grant: its share of the row's amount is the whole of it
            "pourcentageSubvention": _share(cells.get("share")) if cells.get("share") else "1.00",
        })
        rows.append(ExportRow(values=values, record_id=rec.id, source=rec.source))
    return rows


def _granted(rec: Deliberation) -> list[Amount]:
    """The amounts a deliberation grants to a named beneficiary (its articles' when it has any)."""
    amounts = [a for a in rec.amounts if a.article is not None] or list(rec.amounts)
    return [a for a in amounts if a.beneficiary]


def _object(a: Amount, rec: Deliberation) -> str:
    text = " ".join((a.purpose or rec.object_line or "").split())
    return text if len(text) <= MAX_OBJECT else text[:MAX_OBJECT - 1] + "…"


def _nature(cell: str | None) -> str:
    value = " ".join((cell or "").lower().split())
    natures = next(f for f in schema("scdl-subventions")["fields"] if f["name"] == "nature")["constraints"]["enum"]
    return value if value in natures else NATURE_MONEY


def _conditions(cell: str | None) -> str:
    value = textnorm.fold((cell or "").strip()).lower()
    return {"unique": "unique", "echelonne": "échelonné"}.get(value, (cell or "").strip()[:MAX_OBJECT])


def _period(cell: str | None) -> str:
    # SCDL Subventions 2.0 files joined the two dates with "_", 2.1 with "/"
    return _match((cell or "").replace("_", "/"), r"[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?")


def _yes_no(cell: str | None) -> str:
    value = (cell or "").strip().lower()
    return value if value in ("oui", "non") else ""


def _share(cell: str) -> str:
    try:
        value = float(cell.replace(",", "."))
    except ValueError:
        return ""
    return f"{value:.2f}" if 0.01 <= value <= 1 else ""


# -- shared ------------------------------------------------------------------------------------------


def _authority(rec: Deliberation) -> str:
    return " ".join(rec.authority.text.split()) if rec.authority else ""


def _siret(cell: str | None) -> str:
    """A SIRET as files write it ("21860194600000.0", "218 601 946 00013") -> 14 digits, else empty."""
    digits = re.sub(r"\.0+$", "", (cell or "").strip()).replace(" ", "")
    return digits if re.fullmatch(r"\d{14}", digits) else ""


def _match(cell: str | None, pattern: str) -> str:
    value = (cell or "").strip()
    return value if re.fullmatch(pattern, value) else ""


def _iso(cell: str | None) -> str:
    date = read_date(cell) if cell and cell.strip() else None
    return date.isoformat() if date else ""


def _count(value: int | None) -> str:
    return "" if value is None else str(value)
