"""A question set for a large generated registry, made from the generator's ground truth.

At 10,000 generated extracts the shipped question set cannot measure ranking: the generator's world is
small, so many deliberations grant the same beneficiary a subsidy the same year, and a question naming
only those facts has many right answers. This set asks, for a sample of generated deliberations, in the
words staff use, for what singles one out: its beneficiary, year and amount granted; its registry
number; or its body, session day and the first words of its object. A question is kept only when the
facts it names match exactly one deliberation among all the truths (synthetic: generated from the
truth, it measures ranking among near twins, not understanding of real questions).

    truths = load_truths(Path("/tmp/bench10k/synth"))
    questions = scale_questions(truths, n=200, seed=0)
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..formats import format_date, format_money
from ..textnorm import match_key
from .questions import Question, Tags

TEMPLATES_FILE = Path(__file__).resolve().parents[2] / "prompts" / "eval" / "scale_questions.yaml"
KINDS = ("grant", "code", "session")
OBJECT_WORDS = 12  # the object's first words a "session" question quotes


@dataclass(frozen=True)
class Named:
    """What a question names, by kind: the facts a truth must match to answer it."""

    kind: str
    facts: dict


def load_truths(folder: Path) -> list[dict]:
    """The generator's truths (`*.truth.json`) in `folder`, in file order."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.truth.json"))]


def candidates(truth: dict) -> dict[str, Named]:
    """For each kind that applies to this deliberation, the facts a question of that kind would name."""
    out: dict[str, Named] = {}
    grants = [a for a in truth.get("amounts", []) if a.get("article") and a.get("beneficiary")]
    if grants:
        a = grants[0]
        out["grant"] = Named("grant", {"beneficiary": a["beneficiary"], "cents": a["cents"],
                                       "year": int(truth["session_date"][:4])})
    registry_codes = [c["code"] for c in truth.get("codes", []) if c.get("kind") == "registre"]
    if registry_codes:
        out["code"] = Named("code", {"code": registry_codes[0]})
    words = (truth.get("object") or "").split()
    if words:
        out["session"] = Named("session", {"body": truth["body_label"], "date": truth["session_date"],
                                           "object": " ".join(words[:OBJECT_WORDS])})
    return out


class Uniqueness:
    """How many deliberations among all the truths match what a question names."""

    def __init__(self, truths: Iterable[dict]):
        self.grants: Counter = Counter()
        self.codes: Counter = Counter()
        self.objects: dict[tuple[str, str], list[str]] = {}
        for t in truths:
            year = int(t["session_date"][:4])
            self.grants.update({(match_key(a["beneficiary"]), a["cents"], year)
                                for a in t.get("amounts", []) if a.get("beneficiary")})
            self.codes.update({c["code"] for c in t.get("codes", [])})
            self.objects.setdefault((t["body_label"], t["session_date"]), []).append(match_key(t.get("object") or ""))

    def count(self, named: Named) -> int:
        f = named.facts
        if named.kind == "grant":
            return self.grants[(match_key(f["beneficiary"]), f["cents"], f["year"])]
        if named.kind == "code":
            return self.codes[f["code"]]
        words = match_key(f["object"])
        return sum(words in obj for obj in self.objects.get((f["body"], f["date"]), []))


def load_templates(path: Path = TEMPLATES_FILE) -> dict[str, list[str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def phrase(named: Named, template: str) -> str:
    f = named.facts
    if named.kind == "grant":
        return template.format(beneficiary=f["beneficiary"], amount=format_money(f["cents"]), year=f["year"])
    if named.kind == "code":
        return template.format(code=f["code"])
    return template.format(body=f["body"], date=format_date(f["date"]), object=f["object"])


def expected(named: Named) -> str:
    """What an answer must show (the set is for retrieval; `expected` is what a question set requires)."""
    f = named.facts
    if named.kind == "grant":
        return format_money(f["cents"])
    return f["code"] if named.kind == "code" else format_date(f["date"])


def scale_questions(truths: list[dict], n: int = 200, seed: int = 0,
                    templates: dict[str, list[str]] | None = None) -> list[Question]:
    """Questions on `n` deliberations drawn with `seed`, each naming facts that only it matches.

    The kinds take turns (grant, registry number, session and object); a deliberation the turn's kind
    cannot single out is asked by the next kind that can, and left out when none can."""
    templates = templates or load_templates()
    unique = Uniqueness(truths)
    rng = random.Random(seed)
    out = []
    for i, truth in enumerate(rng.sample(truths, min(n, len(truths)))):
        options = candidates(truth)
        turn = KINDS[i % len(KINDS):] + KINDS[:i % len(KINDS)]
        named = next((options[k] for k in turn if k in options and unique.count(options[k]) == 1), None)
        if named is None:
            continue
        out.append(Question(id=f"scale-{i + 1:03d}-{named.kind}",
                            question=phrase(named, rng.choice(templates[named.kind])),
                            expected=[expected(named)], sources=[truth["file"]], tags=Tags(intent=named.kind, set="synthetic")))
    return out
