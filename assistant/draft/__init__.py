"""Drafting: a new report and deliberation in the register's own style, from a short request.

`make_draft(assistant, request)` picks the template of the act type (prompts/draft/*.j2), retrieves
similar past deliberations (precedents) and takes their visas, budget line and signatory's title,
composes the exposé (from the request's points; with an LLM when one is configured, grounded), then
lints the result. The deterministic parts — articles, amounts, visas, budget — never come from an LLM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from .expose import Expose, compose_expose
from .facts import Allowed, Fact, request_values, untraceable
from .lint import Finding, find_parts, lint_file, lint_text, to_fix
from .precedents import (
    Precedent,
    Suggestion,
    find_precedents,
    precedent_budgets,
    precedent_signatory_title,
    precedent_texts,
    precedent_visas,
)
from .profiles import (
    Profile,
    authority_check,
    fill,
    filled_forms,
    find_profile,
    frame_of,
    number_placeholder,
    president_title,
    title_article,
)
from .request import BudgetLine, DraftRequest, load_request, request_from_dict
from .templates import DEFAULT_VISAS, TEMPLATES, Part, render, render_parts

__all__ = [
    "Draft", "DraftRequest", "Finding", "Part", "Precedent", "Profile", "Suggestion", "compose_expose", "find_parts",
    "lint_file", "lint_text", "load_request", "make_draft", "render_draft", "to_fix",
]

Format = Literal["docx", "md", "txt"]


class Draft(BaseModel):
    request: DraftRequest
    text: str
    parts: list[Part]
    precedents: list[dict] = Field(default_factory=list)  # {id, session_date, object, score, reasons}
    findings: list[Finding] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    backend: str = "none"  # "none" or the LLM that wrote the exposé's context paragraphs
    notes: list[str] = Field(default_factory=list)
    template: str = ""
    profile: str | None = None  # the authority profile whose forms the draft uses (its key), None: neutral wording
    _sources: list[str] = PrivateAttr(default_factory=list)  # precedents' texts, for traceability

    def part(self, name: str) -> str:
        p = next((p for p in self.parts if p.name == name), None)
        return self.text[p.start:p.end] if p else ""

    def to_text(self) -> str:
        return self.text

    def to_markdown(self, notes: bool = True) -> str:
        """The draft in Markdown: bold title and object, article headings; precedents and findings after."""
        lines: list[str] = []
        for p in self.parts:
            body = self.text[p.start:p.end]
            if p.name in ("titre", "objet"):
                body = "\n".join(f"**{line}**" if line.strip() else line for line in body.split("\n"))
            elif p.name.startswith("article-"):
                head, _, rest = body.partition("\n")
                body = f"**{head}**\n{rest}"
            lines.append(body.replace("\n", "  \n").replace("  \n  \n", "\n\n"))
        out = "\n\n".join(lines) + "\n"
        if notes:
            out += "\n---\n\n## Précédents utilisés\n\n"
            out += "".join(f"- {p['id']} — {p['session_date'] or 's.d.'} — {p['object'] or ''}\n"
                           for p in self.precedents) or "Aucun.\n"
            if self.findings:
                out += "\n## Points à vérifier\n\n" + "".join(
                    f"- ligne {f.line} ({f.severity}) : {f.message}\n" for f in self.findings)
        return out

    def to_docx(self, path: Path | str) -> Path:
        from .docx_export import write_docx

        return write_docx(self.text, self.parts, path, title=self.part("objet") or None)

    def write(self, path: Path | str, fmt: Format | None = None) -> Path:
        path = Path(path)
        fmt = fmt or {".docx": "docx", ".md": "md"}.get(path.suffix.lower(), "txt")
        if fmt == "docx":
            return self.to_docx(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_markdown() if fmt == "md" else self.text, encoding="utf-8")
        return path

    def untraceable(self) -> list[Fact]:
        """Numbers, dates and names of the text found neither in the request nor in a listed precedent."""
        return untraceable(self.text, Allowed(self._sources, request_values(self.request)))


def _as_request(request: Any) -> DraftRequest:
    if isinstance(request, DraftRequest):
        return request
    if isinstance(request, dict):
        return request_from_dict(request)
    return load_request(request)


def _llm_of(assistant: Any, notes: list[str]) -> Any:
    if assistant is None:
        return None
    try:
        return assistant.llm
    except ImportError:
        return None
    except Exception as exc:  # noqa: BLE001 - a misconfigured backend must not block a draft
        notes.append(f"LLM non disponible ({exc}) : exposé composé sans LLM.")
        return None


def make_draft(
    assistant: Any,
    request: DraftRequest | dict | str | Path,
    *,
    llm: Any = "auto",
    k: int = 3,
    registry: Any = None,
) -> Draft:
    """Draft a deliberation. `llm`: "auto" (the assistant's backend), None (deterministic) or a chat model."""
    req = _as_request(request)
    notes: list[str] = []
    registry = registry if registry is not None else (assistant.registry if assistant is not None else None)
    retriever = assistant.__dict__.get("retriever") if assistant is not None else None  # only if already built
    precedents = find_precedents(registry, req, k=k, retriever=retriever) if registry is not None else []
    profile = find_profile(registry, req.authority_type, req.authority_name, req.body)
    if llm == "auto":
        llm = _llm_of(assistant, notes)
    return render_draft(req, precedents, llm=llm, notes=notes, profile=profile)


def render_draft(
    req: DraftRequest, precedents: list[Precedent], *, llm: Any = None, notes: list[str] | None = None,
    profile: Profile | None = None,
) -> Draft:
    notes = list(notes or [])
    suggestions: list[Suggestion] = []
    if profile is not None and req.seed_layout:
        notes.append(f"Cadre du bureau ou du conseil d'une métropole (celui de ses extraits) ; "
                     f"{profile.count} délibération(s) de {profile.label()} dans le registre.")
    elif profile is not None:
        notes.append(f"Style appris de {profile.count} délibération(s) du registre ({profile.label()}) : "
                     f"{', '.join(profile.learned()) or 'aucune formule'}.")
        vote = profile.formulas.get("vote")
        if vote:  # its result belongs to the session: offered, not written
            suggestions.append(Suggestion(kind="vote", text=fill(vote.text, {}), source=vote.sources[0]))
            notes.append(f"Ligne de vote de ce registre, à compléter en séance : « {fill(vote.text, {})} » "
                         f"(délibération {vote.sources[0]}).")
    elif not req.seed_layout:
        notes.append("Collectivité ou assemblée absente du registre : formules juridiques neutres.")

    visas, visas_from = list(req.visas), None
    prec_visas, prec_id, usable = precedent_visas(precedents, req.body)
    if prec_visas:
        suggestions.append(Suggestion(kind="visas", text=" ; ".join(prec_visas), source=prec_id,
                                      used=usable and not visas))
    if not visas:
        visas, visas_from = (prec_visas, prec_id) if prec_visas and usable else (list(DEFAULT_VISAS), None)
    if visas_from:
        notes.append(f"Visas repris de la délibération {visas_from}.")
    if req.commission:
        visas.append(f"L'avis de la commission {req.commission}")

    budget = _budget(req, precedents, suggestions, notes)
    title_lines = _signatory_title(req, precedents, suggestions, notes, profile)
    designation = req.beneficiary.designation() if req.beneficiary else ""
    frame = {"frame": frame_of(req), "f": filled_forms(profile, req), "profile": profile}
    # The object is rendered by the act's template; the LLM prompt needs it before the exposé exists.
    first_text, first_parts = render_parts(
        render(TEMPLATES[req.act_type], **_context(req, designation, [], visas, budget, title_lines, **frame)))
    objet = " ".join(next((first_text[p.start:p.end] for p in first_parts if p.name == "objet"), "").split())
    expose: Expose = compose_expose(req, precedents, llm, objet=objet)
    notes += expose.notes

    raw = render(TEMPLATES[req.act_type],
                 **_context(req, designation, expose.paragraphs, visas, budget, title_lines, **frame))
    text, parts = render_parts(raw)
    draft = Draft(
        request=req, text=text, parts=parts,
        precedents=[{**p.ref(), "score": p.score, "reasons": p.reasons} for p in precedents],
        findings=lint_text(text, authority=authority_check(req, profile)), suggestions=suggestions, backend=expose.backend, notes=notes,
        template=TEMPLATES[req.act_type], profile=profile.key if profile else None,
    )
    draft._sources = precedent_texts(precedents)
    return draft


def _placeholder(what: str) -> str:
    return f"[{what}]"


def _context(req: DraftRequest, designation: str, expose: list[str], visas: list[str], budget, title_lines,
             *, frame: str, f: dict, profile: Profile | None) -> dict:
    from .profiles import body_words, slot_values

    fem = req.president.feminine
    c = req.contract
    title = president_title(req, profile)
    rapporteur = "du Commissaire Rapporteur"
    if req.rapporteur:
        rapporteur = f"de {req.rapporteur.civility} {req.rapporteur.name}, Commissaire Rapporteur,"
    return {
        "r": req, "b": designation, "c": c, "expose": expose, "visas": visas, "budget": budget,
        "signatory_title": title_lines, "placeholder": _placeholder, "rapporteur": rapporteur,
        "avenant_ref": f"n° {c.avenant_number}" if c and c.avenant_number else _placeholder("n° de l'avenant"),
        "frame": frame, "f": f, "body": body_words(req.body), "v": _values(req, slot_values),
        "number": req.number or number_placeholder(profile.numbering.text if profile and profile.numbering else None,
                                                   req.session_date),
        "p": {
            "title": title if not req.seed_layout else ("Présidente" if fem else "Président"),
            "la_presidente": "Madame la Présidente" if fem else "Monsieur le Président",
            "signer": _signer(req, title),
        },
    }


def _values(req: DraftRequest, slot_values) -> dict:
    return slot_values(req.session_date, president=f"{req.president.civility} {req.president.name}",
                       convocation=req.convocation_date)


def _signer(req: DraftRequest, title: str) -> str:
    """Who signs for the authority, in running text: "Madame la Présidente de la Métropole X", "Monsieur le Maire"."""
    from .templates import prep_de

    if req.seed_layout or title in ("Président", "Présidente"):
        la = "Madame la Présidente" if req.president.feminine else "Monsieur le Président"
        return f"{la} {prep_de(req.the_authority)}"
    return f"{req.president.civility} {title_article(title, req.president.feminine)} {title}"


def _budget(req: DraftRequest, precedents: list[Precedent], suggestions: list[Suggestion],
            notes: list[str]) -> BudgetLine | None:
    """The request's budget line, its gaps filled from the best precedent's (noted, never silent)."""
    lines = precedent_budgets(precedents)
    if not (req.spending or req.budget):
        return None
    budget = (req.budget.model_copy() if req.budget else BudgetLine())
    if budget.year is None:
        budget.year = req.aid_year
    filled: dict[str, str] = {}
    for line, source in lines:
        if budget.budget and line.get("budget") and line["budget"] != budget.budget:
            continue
        for field in ("budget", "fonction", "nature", "sous_politique", "chapitre"):
            if getattr(budget, field) in (None, "") and line.get(field) and not filled.get(field):
                if field in ("sous_politique", "chapitre") and (budget.fonction or line.get("fonction")):
                    continue
                setattr(budget, field, str(line[field]))
                filled[field] = source
        break
    for line, source in lines:
        suggestions.append(Suggestion(kind="budget", text=budget_text(line), source=source,
                                      used=source in filled.values()))
    for source in dict.fromkeys(filled.values()):
        taken = {k: getattr(budget, k) for k, s in filled.items() if s == source}
        notes.append(f"Imputation budgétaire complétée d'après la délibération {source} : {budget_text(taken)}.")
    return budget


_BUDGET_LABELS = {"budget": "budget", "year": "exercice", "fonction": "fonction", "nature": "nature",
                  "sous_politique": "sous-politique", "chapitre": "chapitre"}


def budget_text(line: dict) -> str:
    """{"budget": "fonctionnement", "fonction": "65"} -> "budget fonctionnement, fonction 65"."""
    return ", ".join(f"{_BUDGET_LABELS.get(k, k)} {v}" for k, v in line.items() if v not in (None, ""))


def _signatory_title(req: DraftRequest, precedents: list[Precedent], suggestions: list[Suggestion],
                     notes: list[str], profile: Profile | None = None) -> list[str]:
    title = req.signatory_title
    prec_title, source = precedent_signatory_title(precedents, req.signatory.name if req.signatory else None)
    if prec_title:
        suggestions.append(Suggestion(kind="signataire", text=prec_title, source=source, used=not title))
        if not title:
            title = prec_title
            notes.append(f"Qualité du signataire reprise de la délibération {source}.")
    if not title and not req.seed_layout and not req.signatory:  # the president signs: "Le Maire,"
        title = f"{title_article(president_title(req, profile), req.president.feminine).capitalize()} " \
                f"{president_title(req, profile)},"
    if not title:
        return [_placeholder("qualité du signataire")]
    return [line.strip() for line in title.strip().splitlines() if line.strip()]
