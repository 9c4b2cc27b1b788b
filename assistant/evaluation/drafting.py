"""Draft evaluation: a set of draft requests, each with a reference extract (eval/drafts.yaml).

Metrics per draft: structural conformity (the register's parts present and in order), lint findings,
facts traceable (every number, date and person's name of the draft found in the request, a precedent
or the templates' fixed wording) and similarity to the reference (chrF, sacrebleu).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from . import matching

# The parts of an extract, in the register's order (regexes over accent-folded, lower-cased text).
PARTS: list[tuple[str, str]] = [
    ("titre", r"extrait des registres des deliberations"),
    ("seance", r"seance du"),
    ("rapporteur", r"soumet au (?:bureau|conseil)[^\n]*rapport suivant"),
    ("raisons", r"telles sont les raisons"),
    ("visas", r"(?m)^\s*vu\b"),
    ("oui", r"ou[iï] le rapport"),
    ("delibere", r"(?m)^\s*delib[eè]re\b"),
    ("article-1", r"article 1\b"),
    ("certifie", r"certifie conforme"),
]

# "Martial ALVAREZ", "Daniéle GARCIA", "Maryse JOISSAINS MASINI": first name(s) then upper-case surname.
_NAME = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?(?: [A-ZÀ-Ý][A-ZÀ-Ý'’-]{1,}){1,3}\b")
_ARTICLE_NO = re.compile(r"\barticle\s+\d+", re.IGNORECASE)


class DraftItem(BaseModel):
    id: str
    request: dict[str, Any] | str  # the request's fields, or the path of a request file (YAML/JSON)
    reference: str  # path of the reference extract (relative to the set's repository root)
    tags: dict[str, str] = Field(default_factory=dict)


class DraftScore(BaseModel):
    id: str
    parts_found: list[str] = Field(default_factory=list)
    parts_missing: list[str] = Field(default_factory=list)
    in_order: bool = False
    structure: float = 0.0  # longest in-order run of expected parts / number of parts
    lint_findings: int = 0
    facts: int = 0
    untraced: list[str] = Field(default_factory=list)
    traceable: float | None = None  # traced facts / facts
    chrf: float | None = None  # 0-100
    reference_in_precedents: bool | None = None  # True: the similarity is flattered by a copy
    error: str | None = None


def _fold(text: str) -> str:
    from ..textnorm import fold

    return fold(text)


def _lis_length(values: list[int]) -> int:
    """Length of the longest strictly increasing subsequence (parts found in the right order)."""
    import bisect

    tails: list[int] = []
    for v in values:
        i = bisect.bisect_left(tails, v)
        tails[i:i + 1] = [v]
    return len(tails)


def structure(text: str) -> tuple[list[str], list[str], bool, float]:
    """(parts found, parts missing, found parts in order, conformity score)."""
    folded = _fold(text)
    positions: list[int] = []
    found, missing = [], []
    for name, pattern in PARTS:
        m = re.search(pattern, folded)
        if m:
            found.append(name)
            positions.append(m.start())
        else:
            missing.append(name)
    in_order = positions == sorted(positions)
    return found, missing, in_order, _lis_length(positions) / len(PARTS)


def draft_facts(text: str) -> list[str]:
    """Numbers (article numbers aside: they are structure) and persons' names stated by a draft."""
    facts = matching.answer_numbers(_ARTICLE_NO.sub(" ", text))
    for m in _NAME.finditer(text):
        if m.group(0) not in facts:
            facts.append(m.group(0))
    return facts


def untraced_facts(text: str, sources: list[str]) -> tuple[int, list[str]]:
    """(number of facts, facts found in none of the sources: request, precedents, templates)."""
    facts = draft_facts(text)
    joined = "\n".join(sources)
    numbers = matching.source_numbers(joined)
    key = matching.canonical(joined)
    missing = []
    for fact in facts:
        is_number = bool(re.fullmatch(r"[\d,]+", fact))
        ok = fact in numbers if is_number else matching.contains(joined, fact, text_key=key)
        if not ok:
            missing.append(fact)
    return len(facts), missing


def chrf(hypothesis: str, reference: str) -> float:
    import sacrebleu

    return float(sacrebleu.sentence_chrf(" ".join(hypothesis.split()), [" ".join(reference.split())]).score)


def request_text(request: Any) -> str:
    """The request's facts as text, with amounts and dates also in the register's French format."""
    from ..formats import format_date, format_money

    data = request.model_dump(mode="json") if hasattr(request, "model_dump") else dict(request)
    out = [json.dumps(data, ensure_ascii=False)]

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key == "cents" and isinstance(value, int):
            out.append(format_money(value))
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            out.append(format_date(value) + f" {value[2:4]}")

    walk(data)
    return "\n".join(out)


def score_draft(item_id: str, text: str, *, request: Any, reference: str, precedents: list[str] | None = None,
                boilerplate: str = "", lint_findings: int = 0) -> DraftScore:
    found, missing, in_order, conformity = structure(text)
    n_facts, untraced = untraced_facts(text, [request_text(request), *(precedents or []), boilerplate])
    return DraftScore(
        id=item_id, parts_found=found, parts_missing=missing, in_order=in_order, structure=conformity,
        lint_findings=lint_findings, facts=n_facts, untraced=untraced,
        traceable=(n_facts - len(untraced)) / n_facts if n_facts else None,
        chrf=chrf(text, reference) if reference.strip() else None,
    )


def request_from_truth(truth: dict) -> dict:
    """A draft request for a generated subsidy, from the generator's ground truth (*.truth.json)."""
    amount, budget = truth["amounts"][0], truth["budget"][0]
    return {
        "body": truth["body"], "session_date": truth["session_date"], "president": truth["president"],
        "act_type": "subvention", "object": truth["object"],
        "beneficiary": {"name": truth["beneficiaries"][0]},
        "amount": {"cents": amount["cents"], "qualifier": amount.get("qualifier")},
        "year": amount.get("year") or int(truth["session_date"][:4]),
        "budget": {k: v for k, v in budget.items() if v is not None},
        "signatory": {"name": truth["signatory"]["name"], "title": truth["signatory"]["title"]},
    }


def _synthetic_items(spec: dict, root: Path) -> list[DraftItem]:
    """`{synthetic: {dir, count, body}}`: the first `count` generated Bureau/Conseil subsidies with one
    amount, a budget line and a signatory (names change when the corpus is regenerated: select, don't list)."""
    folder = root / spec.get("dir", "corpus/synthetic")
    items = []
    for path in sorted(folder.glob("*.truth.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        if (t.get("act_type") != "subvention" or t.get("body") != spec.get("body", "bureau")
                or len(t.get("amounts") or []) != 1 or not t.get("signatory") or not t.get("budget")
                or not t.get("beneficiaries") or not t.get("president")):
            continue
        items.append(DraftItem(id=path.name.removesuffix(".truth.json"),
                               reference=str((folder / t["file"]).relative_to(root)),
                               request=request_from_truth(t), tags={"origin": "synthétique"}))
        if len(items) >= int(spec.get("count", 5)):
            break
    return items


def load_draft_set(path: str | Path, root: Path | None = None) -> list[DraftItem]:
    path = Path(path)
    root = root or path.resolve().parents[1]
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path} : le fichier doit être une liste de demandes (« - id: … »).")  # noqa: TRY004
    items: list[DraftItem] = []
    for d in data:
        if isinstance(d, dict) and "synthetic" in d:
            items += _synthetic_items(d["synthetic"] or {}, root)
        else:
            items.append(DraftItem.model_validate(d))
    return items


def summarise(scores: list[DraftScore]) -> dict:
    ok = [s for s in scores if s.error is None]

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    return {
        "drafts": len(scores),
        "errors": len(scores) - len(ok),
        "structure": mean(s.structure for s in ok),
        "in_order": sum(s.in_order for s in ok),
        "lint_findings": sum(s.lint_findings for s in ok),
        "traceable": mean(s.traceable for s in ok),
        "untraced_facts": sum(len(s.untraced) for s in ok),
        "chrf": mean(s.chrf for s in ok),
    }


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def run_draft_set(assistant, items: list[DraftItem], root: Path) -> list[DraftScore]:
    """Draft every request with `assistant.draft` and score it against its reference extract.

    Expects the draft result to expose `text`, its lint findings (`lint`/`findings`) and its
    precedents (`precedents`: ids or records with an `id`)."""
    from ..draft.request import load_request, request_from_dict

    scores = []
    for item in items:
        reference = (root / item.reference).read_text(encoding="utf-8")
        try:
            request = (load_request(root / item.request) if isinstance(item.request, str)
                       else request_from_dict(item.request, source=item.id))
            result = assistant.draft(request)
        except Exception as exc:  # noqa: BLE001 - reported per draft
            scores.append(DraftScore(id=item.id, error=f"{type(exc).__name__}: {exc}"))
            continue
        text = _attr(result, "text", default="")
        lint = _attr(result, "lint", "findings", default=[])
        precedent_ids = [p if isinstance(p, str) else _attr(p, "id", "deliberation_id")
                         for p in _attr(result, "precedents", default=[])]
        precedent_texts = [rec.raw_text for pid in precedent_ids if (rec := assistant.registry.get(pid))]
        from ..draft import templates

        s = score_draft(item.id, text, request=request, reference=reference, precedents=precedent_texts,
                        boilerplate=" ".join(sorted(templates.template_words())), lint_findings=len(lint))
        s.reference_in_precedents = any(
            rec.source == Path(item.reference).name for pid in precedent_ids if (rec := assistant.registry.get(pid))
        )
        scores.append(s)
    return scores


def to_markdown(scores: list[DraftScore]) -> str:
    """The draft evaluation as a Markdown section (summary, then one row per draft)."""
    summary = summarise(scores)

    def f(v, pattern="{:.2f}"):
        return "—" if v is None else pattern.format(v).replace(".", ",")

    lines = [
        "# Évaluation des brouillons", "",
        (f"{summary['drafts']} brouillons, {summary['errors']} en erreur ; conformité de structure moyenne "
        f"{f(summary['structure'])}, parties dans l'ordre : {summary['in_order']}, constats du contrôle : "
        f"{summary['lint_findings']}, faits traçables {f(summary['traceable'])} ({summary['untraced_facts']} non "
        f"traçables), chrF moyen {f(summary['chrf'], '{:.1f}')}."), "",
        ("| id | structure | ordre | parties manquantes | constats | faits | non traçables | chrF | "
        "référence parmi les précédents | erreur |"),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.id} | {f(s.structure)} | {'oui' if s.in_order else 'non'} | {', '.join(s.parts_missing) or '—'} | "
            f"{s.lint_findings} | {s.facts} | {', '.join(s.untraced) or '—'} | {f(s.chrf, '{:.1f}')} | "
            f"{'oui' if s.reference_in_precedents else 'non'} | {s.error or ''} |")
    return "\n".join(lines) + "\n"
