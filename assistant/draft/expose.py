"""The exposé des motifs: from the request's points and the register's phrasing, optionally an LLM.

Without an LLM the exposé is deterministic (prompts/draft/expose.j2). With one, the LLM writes the
context paragraphs from the request's points and the precedents' exposés; every sentence that states
an amount, or a number, date or name found neither in the request nor in a cited precedent, is
dropped. The sentences that carry amounts (the proposal, earlier grants) always come from the template.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from .facts import Allowed, request_values, sentences, untraceable
from .precedents import Precedent, clean_ocr, earlier_grants
from .request import DraftRequest
from .templates import enumerate_items, render, sentence

_MONEY = re.compile(r"\d[\d\s\u00a0\u202f.,]*\s*(?:€|euros?\b|EUR\b)", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


class Expose(BaseModel):
    paragraphs: list[str]
    backend: str = "none"  # "none" or the LLM's model name
    notes: list[str] = Field(default_factory=list)  # French: what was dropped and why
    history: list[dict] = Field(default_factory=list)  # earlier grants quoted from precedents


def point_paragraphs(request: DraftRequest) -> list[str]:
    """Each point a paragraph; a point with items ends with " :" and is followed by "1) …," lines."""
    out: list[str] = []
    for point in request.points:
        if point.items:
            out.append(sentence(point.text.rstrip(" :.") + " :", end=""))
            out += enumerate_items(point.items)
        elif point.text.strip():
            out.append(sentence(point.text))
    return out


def _purpose(request: DraftRequest) -> str | None:
    purpose = (request.project.purpose or "").strip().rstrip(".") if request.project else ""
    return purpose[:1].lower() + purpose[1:] if purpose else None


def _tail(request: DraftRequest, precedents: list[Precedent], designation: str) -> tuple[list[str], list[dict]]:
    """The template paragraphs: project, earlier grants, proposal with its amount, co-financing, convention."""
    history = earlier_grants(precedents, request)
    c = request.contract
    avenant = f"n° {c.avenant_number}" if c and c.avenant_number else "[n° de l'avenant]"
    text = render(
        "expose.j2", r=request, b=designation, short=request.beneficiary.short() if request.beneficiary else "",
        points=[], history=history, purpose=_purpose(request), c=c, avenant_ref=avenant,
    )
    return [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()], history


def compose_expose(
    request: DraftRequest, precedents: list[Precedent] | None = None, llm: Any = None, *, objet: str = ""
) -> Expose:
    """The exposé's paragraphs. `llm`: None (deterministic), a backend with `.chat`, or a LangChain chat model."""
    precedents = precedents or []
    designation = request.beneficiary.designation() if request.beneficiary else ""
    tail, history = _tail(request, precedents, designation)
    points = point_paragraphs(request)
    if llm is None:
        return Expose(paragraphs=points + tail, history=history)
    return _with_llm(request, precedents, llm, designation, objet, points, tail, history)


def _with_llm(request, precedents, llm, designation, objet, points, tail, history) -> Expose:
    from langchain_core.messages import HumanMessage, SystemMessage

    excerpts = [
        {"id": p.id, "object": p.object, "session_date": p.session_date,
         "excerpt": clean_ocr(p.record.expose.text)[:1500] if p.record and p.record.expose else ""}
        for p in precedents
    ]
    n = max(1, len(points))
    messages = [
        SystemMessage(render("expose_system.j2", r=request, min_paragraphs=min(2, n), max_paragraphs=max(2, n))),
        HumanMessage(render("expose_user.j2", r=request, b=designation, objet=objet, precedents=excerpts)),
    ]
    try:
        chat = getattr(llm, "chat", None) or llm  # a Backend builds its chat model on first use
        reply = chat.invoke(messages)
    except Exception as exc:  # noqa: BLE001 - any backend failure falls back to the deterministic exposé
        return Expose(paragraphs=points + tail, history=history, notes=[
            f"LLM indisponible ({type(exc).__name__} : {exc}) : exposé composé sans LLM."])
    backend = str(getattr(llm, "label", None) or getattr(chat, "model_name", None) or type(chat).__name__)
    content = reply.content if isinstance(reply.content, str) else " ".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in reply.content
    )
    allowed = Allowed(
        [p.record.raw_text for p in precedents if p.record] + [clean_ocr(p.record.raw_text) for p in precedents
                                                              if p.record],
        request_values(request),
    )
    kept, notes = grounded_paragraphs(content, allowed)
    if not kept:
        notes.append("Aucune phrase du LLM n'a pu être vérifiée : exposé composé sans LLM.")
        return Expose(paragraphs=points + tail, history=history, notes=notes)
    return Expose(paragraphs=kept + tail, backend=backend, history=history, notes=notes)


def grounded_paragraphs(content: str, allowed: Allowed) -> tuple[list[str], list[str]]:
    """Keep the sentences whose facts are all allowed and that state no amount; note the others."""
    kept: list[str] = []
    notes: list[str] = []
    for paragraph in _PARAGRAPHS.split(content.strip()):
        paragraph = re.sub(r"^\s*(?:[-*•]\s+|#+\s*)", "", " ".join(paragraph.split()))
        good = []
        for s in sentences(paragraph):
            if _MONEY.search(s):
                notes.append(f"Phrase du LLM écartée (montant : les montants viennent de la demande) : « {s} »")
                continue
            bad = untraceable(s, allowed)
            if bad:
                what = ", ".join(sorted({f.text for f in bad}))
                notes.append(f"Phrase du LLM écartée (non traçable : {what}) : « {s} »")
                continue
            good.append(s)
        if good:
            kept.append(" ".join(good))
    return kept, notes
