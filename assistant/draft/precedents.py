"""Precedents: the past deliberations a draft leans on (same act type, same beneficiary, close object).

A draft takes from them what the register repeats from one act to the next — the visas, the budget
line, the signatory's title, earlier grants to the same beneficiary — and lists them (id, date,
object) so every such piece can be checked against its source.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from .. import textnorm
from ..formats import format_money
from ..models import Deliberation

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry
    from .request import DraftRequest

# Weights of the similarity signals (a precedent needs at least MIN_SCORE to be used).
W_BENEFICIARY = 3.0
W_LEXICAL = 2.0
W_ACT_TYPE = 1.5
W_DENSE = 1.0
W_BODY = 0.5
W_AUTHORITY = 3.0  # the authority's own deliberations first, then others of its type (never another type)
MIN_SCORE = 1.5


class Precedent(BaseModel):
    id: str
    session_date: str | None = None  # ISO
    object: str | None = None
    code: str | None = None
    body: str | None = None
    act_type: str | None = None
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list)  # French: "même bénéficiaire", ...
    other_authority: bool = False  # a record of another named authority (its visas cite its own acts)
    record: Deliberation | None = Field(default=None, exclude=True, repr=False)

    def ref(self) -> dict:
        return {"id": self.id, "session_date": self.session_date, "object": self.object}


class Suggestion(BaseModel):
    kind: str  # "visas", "budget", "signataire", "beneficiaire", "cofinanceurs", "expose"
    text: str
    source: str  # precedent id
    used: bool = False  # taken into the draft (else offered only)


# -- OCR repairs for text copied from a precedent into a new draft ---------------------------------

_OCR_FIXES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bao[(\[{]?[tû]t\b|\bao\(t\b|\baout\b"), "août"),
    (re.compile(r"\bI(?=['’][a-zàâéèêîôûh])"), "l"),
    (re.compile(r"(?<=[A-Za-z])eé"), "é"),
    (re.compile(r"\bceuvr"), "œuvr"),
    (re.compile(r"\bFrangois\b"), "François"),
    (re.compile(r"\bfagon\b"), "façon"),
    (re.compile(r"\bD[ée]lib[ée]re\b"), "Délibère"),
    (re.compile(r"\bOui le rapport\b"), "Ouï le rapport"),
    (re.compile(r"\bC[ée]te d['’]Azur\b"), "Côte d'Azur"),
    (re.compile(r"\bRh[ée]ne\b"), "Rhône"),
    (re.compile(r"\bn\s*[°*º]\s*(?=\d)"), "n°"),
    (re.compile(r"\s+"), " "),
]


def clean_ocr(text: str) -> str:
    """Repair the OCR confusions the register is known for, for text copied into a new draft."""
    for pattern, repl in _OCR_FIXES:
        text = pattern.sub(repl, text)
    return text.strip()


def visa_text(raw: str) -> str:
    """A visa as a template item: OCR-cleaned, without its leading "Vu" and trailing " ;" or "."."""
    text = clean_ocr(raw)
    text = re.sub(r"^(?:Vu\s+)", "", text, flags=re.IGNORECASE)
    return text.rstrip(" ;.,")


# -- retrieval --------------------------------------------------------------------------------------


def find_precedents(
    registry: Registry, request: DraftRequest, *, k: int = 3, retriever: Any = None
) -> list[Precedent]:
    """The k most similar past deliberations (not later than the session), best first."""
    scores: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}

    def add(ident: str, weight: float, reason: str) -> None:
        scores[ident] = scores.get(ident, 0.0) + weight
        if reason not in reasons.setdefault(ident, []):
            reasons[ident].append(reason)

    if request.beneficiary:
        for ident in registry.match_beneficiary(request.beneficiary.name):
            add(ident, W_BENEFICIARY, "même bénéficiaire")
    query = _query(request)
    best: dict[str, float] = {}
    for chunk, score in registry.search_lexical(query, k=40):
        best[chunk.deliberation_id] = max(best.get(chunk.deliberation_id, 0.0), score)
    top = max(best.values(), default=0.0)
    for ident, score in best.items():
        if top > 0 and score / top >= 0.3:
            add(ident, W_LEXICAL * score / top, "objet proche")
    for row in registry.list(act_type=request.act_type):
        add(row["id"], W_ACT_TYPE, "même type d'acte")
    for ident in _dense_ids(retriever, query):
        add(ident, W_DENSE, "sens proche")

    own, other_type = _authority_ids(registry, request)
    for ident in list(scores):
        if ident in other_type:
            del scores[ident]  # another type of authority writes otherwise (its bodies, titles, codes)
        elif ident in own:
            add(ident, W_AUTHORITY, "même collectivité")

    out: list[Precedent] = []
    for ident in sorted(scores, key=lambda i: (-scores[i], i)):
        rec = registry.get(ident)
        if rec is None or (rec.session_date and rec.session_date > request.session_date):
            continue  # a precedent is a past deliberation
        score = scores[ident] + (W_BODY if rec.body == request.body else 0.0)
        if score < MIN_SCORE:
            continue
        if rec.body == request.body:
            reasons[ident].append("même assemblée")
        out.append(
            Precedent(
                id=rec.id,
                session_date=rec.session_date.isoformat() if rec.session_date else None,
                object=clean_ocr(rec.object.text) if rec.object else None,
                code=rec.service_code(),
                body=rec.body,
                act_type=rec.act_type,
                score=round(score, 3),
                reasons=reasons[ident],
                other_authority=bool(rec.authority_name) and ident not in own,
                record=rec,
            )
        )
    out.sort(key=lambda p: (-p.score, p.id))
    return out[:k]


def _authority_ids(registry: Registry, request: DraftRequest) -> tuple[set[str], set[str]]:
    """Ids of the request's authority's records, and of records of another known type than the request's."""
    key = textnorm.match_key(request.authority_name)
    own, other_type = set(), set()
    for ident, kind, name, _number in registry.identity_rows():
        if kind and request.authority_type and kind != request.authority_type:
            other_type.add(ident)
        elif name and textnorm.match_key(name) == key:
            own.add(ident)
    return own, other_type


def _query(request: DraftRequest) -> str:
    bits = [request.object or "", request.beneficiary.name if request.beneficiary else ""]
    if request.project:
        bits += [request.project.name or "", request.project.purpose or ""]
    if request.contract:
        bits += [request.contract.object or ""]
    return " ".join(b for b in bits if b) or request.act_type


def _dense_ids(retriever: Any, query: str) -> list[str]:
    """Deliberation ids from the hybrid retriever, when one is available (optional, never required)."""
    if retriever is None:
        return []
    try:
        docs = retriever.invoke(query)
    except Exception:  # noqa: BLE001 - the dense side is a complement; lexical results stand alone
        return []
    ids: list[str] = []
    for doc in docs or []:
        meta = getattr(doc, "metadata", {}) or {}
        ident = meta.get("deliberation_id") or meta.get("id")
        if ident and ident not in ids:
            ids.append(str(ident))
    return ids[:10]


# -- what a draft takes from its precedents ---------------------------------------------------------


def same_name(a: str | None, b: str | None, threshold: float = 88.0) -> bool:
    """Names equal up to accents, case, OCR noise and layout ("Cote" = "Côte"); a part matches the whole."""
    ka, kb = textnorm.match_key(a or ""), textnorm.match_key(b or "")
    if not ka or not kb:
        return False
    return ka in kb or kb in ka or fuzz.ratio(ka, kb) >= threshold


def precedent_visas(precedents: list[Precedent], body: str) -> tuple[list[str], str | None, bool]:
    """Visas to reuse: those of the most recent precedent of the same authority and body (its delegation
    deliberation is the one in force), cleaned. Else the best precedent's, offered only: (visas, id, usable)."""
    same = sorted((p for p in precedents if p.body == body and not p.other_authority and p.record and p.record.visas),
                  key=lambda p: p.session_date or "", reverse=True)
    other = [p for p in precedents if p not in same and p.record and p.record.visas]
    for p, usable in [(p, True) for p in same] + [(p, False) for p in other]:
        visas = [visa_text(v.text) for v in p.record.visas if visa_text(v.text)]
        if visas:
            return visas, p.id, usable
    return [], None, False


def precedent_budgets(precedents: list[Precedent]) -> list[tuple[dict, str]]:
    """Distinct budget lines of the precedents, best precedent first: ({budget, year, ...}, id)."""
    seen: set[tuple] = set()
    out: list[tuple[dict, str]] = []
    for p in precedents:
        for b in p.record.budget if p.record else []:
            line = {k: getattr(b, k) for k in ("budget", "year", "fonction", "nature", "sous_politique", "chapitre")}
            key = tuple(line.values())
            if key not in seen:
                seen.add(key)
                out.append((line, p.id))
    return out


def precedent_signatory_title(precedents: list[Precedent], name: str | None) -> tuple[str | None, str | None]:
    """The title a precedent gives the same signatory (titles change; names identify)."""
    for p in precedents:
        sig = p.record.signatory if p.record else None
        if sig and sig.title and name and same_name(sig.name, name):
            return clean_ocr(sig.title), p.id
    return None, None


def earlier_grants(precedents: list[Precedent], request: DraftRequest) -> list[dict]:
    """Earlier subsidies to the same beneficiary, from the precedents' structured amounts."""
    if not request.beneficiary:
        return []
    out: list[dict] = []
    for p in precedents:
        rec = p.record
        if not rec or not rec.session_date or rec.session_date >= request.session_date:
            continue
        for amt in rec.amounts:
            if amt.article is None or not same_name(amt.beneficiary, request.beneficiary.name):
                continue
            out.append({
                "id": rec.id, "code": rec.service_code(), "date": rec.session_date,
                "body_label": rec.body_label or "", "money": format_money(amt.cents, qualifier=amt.qualifier),
                "year": amt.year, "cents": amt.cents,
            })
            break
    out.sort(key=lambda h: h["date"])
    return out


def precedent_texts(precedents: list[Precedent]) -> list[str]:
    """The raw texts of the listed precedents, and their OCR-cleaned copies (facts may be quoted from either)."""
    texts: list[str] = []
    for p in precedents:
        if p.record:
            texts += [p.record.raw_text, clean_ocr(p.record.raw_text)]
            if p.record.body_label:
                texts.append(p.record.body_label)
    return texts


def iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None
