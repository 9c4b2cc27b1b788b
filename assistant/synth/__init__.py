"""Synthetic extracts of registers of deliberations, with their ground truth.

`generate(n, seed)` writes extracts in the style of the real seed (corpus/000_*.txt): the same header,
attendance formulas, codes, rapporteur formula, exposé, *Vu* list, "Délibère", articles, budget
imputation, vote formula, "Certifié Conforme" and signatory. It varies what real registers vary:
bodies (Bureau / Conseil de la Métropole, conseils municipaux), dates 2016-2026, act types,
beneficiaries (recurring over consecutive years), amounts, attendance lists, proxies, vote formulas,
budget lines, signatories and layout; then it applies OCR noise of the kinds seen in the seed.

Each extract comes with a truth dict of the CLEAN values (before noise), keyed like `Deliberation`.
Conventions the truth follows (what a parser is measured against):

- `authority` "Métropole Aix-Marseille-Provence", "Ville d'Aubagne", "Commune de Martigues";
  `body_label` "Bureau de la Métropole", "Conseil de la Métropole", "Conseil municipal de la Ville
  d'Aubagne"; `president` is the person who opened the session, when printed;

- names are printed without civility ("Martine CESARI"); titles without the leading article
  ("Vice-Président Délégué Emploi, Insertion, Economie sociale et solidaire", "Maire");
- `codes` are the deliberation's own codes only (service code, registry code), not those quoted in the
  *Vu* list; municipal registry numbers are printed "N° 087-200619" or "DELIBERATION N° 2019/087";
- `amounts` lists every sum of money in the text (exposé: article=None; articles: their number), in
  text order. `beneficiary` is the beneficiary named in the same sentence (or list line), else None;
  `year` is the year a phrase "pour l'année / au titre de l'année / pour l'exercice / au titre de
  l'exercice YYYY" gives that amount in its sentence (in a split "soit X pour l'année A et Y pour
  l'année B" each amount takes the year that follows it; list lines take the year of the sentence that
  introduces the list), else None; `per_year` is "par an"; qualifier "HT" (also "H.T.", "hors taxes")
  or "TTC";
- `beneficiaries`: distinct beneficiaries named in the articles (association, attributaire, seller,
  borrower, partner), in order, without "l'association"/"la société" lead words; none for tarifs and
  désignations;
- `vote.unanimous` is true for any "à l'unanimité" (also "des suffrages exprimés"); counts are the
  printed counts, or the number of printed names when only names are printed.

Noise: `noise=1.0` is the seed's level, 0 is clean. Digits, amounts and codes are never altered; names,
titles, dates and the object only get noise that leaves `textnorm.match_key` unchanged (lost or doubled
accents, l' read as I', ç read as g in "Frangois"); prose gets all kinds (ô read as é, û as "(",
œ as "ce", glued or lost l', stray letters, bullets read as "e", hyphenated line breaks, blank lines).
A stray bullet letter may precede the object line ("m Attribution ..."), as in the seed.

Modules: `world` (people, organisations, places: fixed whatever the seed), `prose` (sentence banks),
`sessions` (calendars, attendance), `acts` (one deliberation's parts per act type, vote, signature),
`extract` (the whole extract in the register's order), `layout` (wrapping and OCR noise).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .acts import ACT_TYPES, ACT_WEIGHTS, BODIES, BODY_WEIGHTS, VOTE_STYLES, VOTE_WEIGHTS, Ctx, _round
from .extract import build_extract
from .layout import DEFAULT_NOISE, render
from .prose import MARCHE_SUBJECTS
from .sessions import Session, _attendance, session_dates
from .world import ASSOCIATIONS, CITIES, PARTNERS, Org, World, de_, format_amount, fr_date, get_world

__all__ = ["ACT_TYPES", "DEFAULT_NOISE", "Synthetic", "format_amount", "fr_date", "generate", "write_corpus"]

VERSION = 1

# --------------------------------------------------------------------------------------------------
# Planning a corpus and the public API
# --------------------------------------------------------------------------------------------------


@dataclass
class Synthetic:
    filename: str
    text: str
    truth: dict


def _cover(rng: random.Random, n: int, options: list[str], weights: list[float]) -> list[str]:
    """n weighted choices in which every option appears at least once (when n allows)."""
    out = rng.choices(options, weights, k=n)
    if n >= len(options):
        slots = rng.sample(range(n), len(options))
        for slot, opt in zip(slots, options):
            if opt not in out:
                out[slot] = opt
    return out


class Planner:
    """Chooses sessions and beneficiaries so that the same associations are funded in consecutive years."""

    def __init__(self, seed: int, rng: random.Random) -> None:
        self.seed = seed
        self.rng = rng
        self.w = get_world()
        self.cursor: dict[tuple[str, str], int] = {}
        self.sessions: dict[tuple[str, dt.date], Session] = {}

    def next_year(self, org: Org, funder: str) -> int:
        lo, hi = max(org.span[0], 2016), min(org.span[1], 2026)
        key = (org.name, funder)
        year = self.cursor.get(key) or self.rng.randint(lo, hi)
        self.cursor[key] = year + 1 if year < hi else lo
        return year

    def session(self, body: str, city: str | None, year: int) -> Session:
        key = body if city is None else f"cm:{city}"
        date = self.rng.choice(session_dates(self.seed, key, year))
        if (key, date) not in self.sessions:
            r = random.Random(f"{self.seed}:{key}:{date.isoformat()}")
            mandate = World.mandate(date)
            if body == "conseil_municipal":
                members = self.w.municipal[(city, mandate)]
                president = self.w.mayors[(city, mandate)]
            else:
                members = self.w.bureau[mandate] if body == "bureau" else self.w.council[mandate]
                president = self.w.president(date)
            present, rep, exc = _attendance(r, members, president, body)
            hour = (r.choice([17, 18, 18, 19]), r.choice([0, 0, 30])) if city else (r.choice([9, 10, 14]), 0)
            self.sessions[(key, date)] = Session(
                body, city, date, president, members, present, rep, exc, hour, order=r.randint(0, 40)
            )
        return self.sessions[(key, date)]

    def amount(self, org: Org, year: int) -> int:
        cents = org.base_cents * (1 + 0.03 * (year - 2016)) * self.rng.uniform(0.85, 1.15)
        cents = _round(cents, 500 if org.base_cents >= 1000000 else 100)
        return min(max(cents, 100000), 50000000)

    def spec(self, act: str, body: str, variant: str) -> tuple[dict, Session]:
        rng = self.rng
        city = rng.choice(list(CITIES)) if body == "conseil_municipal" else None
        funder = city or "metro"
        spec: dict = {"variant": variant}
        if act in ("subvention", "convention"):
            local = [a for a in ASSOCIATIONS if a.city == city] if city else ASSOCIATIONS
            weights = [4 if i % 3 == 0 else 1 for i in range(len(local))]
            if act == "convention" and city is None and rng.random() < 0.7:
                org = rng.choice(PARTNERS)
                year = rng.randint(2016, 2026)
            else:
                org = rng.choices(local, weights)[0]
                year = self.next_year(org, funder)
            spec.update(
                org=org, domain=org.domain or "economie", year_funded=year, cents=self.amount(org, year)
            )
            if variant == "multi":
                same = [a for a in local if a.domain == org.domain and a != org] or [
                    a for a in local if a != org
                ]
                others = rng.sample(same, min(len(same), rng.randint(2, 5)))
                spec["others"] = [(org, spec["cents"])] + [
                    (o, _round(self.amount(o, year) * rng.uniform(0.3, 0.8), 100)) for o in others
                ]
        else:
            year = rng.randint(2016, 2026)
            spec["domain"] = {
                "marche": rng.choice(list(MARCHE_SUBJECTS)),
                "avenant": rng.choice(list(MARCHE_SUBJECTS)),
                "acquisition": "foncier",
                "tarifs": "finances",
                "garantie_emprunt": "habitat",
                "designation": "finances",
            }[act]
        return spec, self.session(body, city, year)


def _authority(session: Session) -> tuple[str, str]:
    if session.body == "bureau":
        return "Métropole Aix-Marseille-Provence", "Bureau de la Métropole"
    if session.body == "conseil":
        return "Métropole Aix-Marseille-Provence", "Conseil de la Métropole"
    city = session.city or ""
    auth = ("Commune " if city in ("Martigues", "Istres") else "Ville ") + de_(city)
    return auth, "Conseil municipal de la " + auth


def generate(n: int, seed: int, noise: float = DEFAULT_NOISE) -> list[Synthetic]:
    """n synthetic extracts, deterministic for (n, seed, noise)."""
    return list(iter_synthetic(n, seed, noise))


def iter_synthetic(n: int, seed: int, noise: float = DEFAULT_NOISE) -> Iterator[Synthetic]:
    """The extracts of `generate`, one at a time: writing 100,000 of them never holds them all in memory."""
    rng = random.Random(seed)
    planner = Planner(seed, rng)
    acts = _cover(rng, n, ACT_TYPES, ACT_WEIGHTS)
    bodies = _cover(rng, n, BODIES, BODY_WEIGHTS)
    votes = _cover(rng, n, VOTE_STYLES, VOTE_WEIGHTS)
    n_sub = acts.count("subvention")
    variants = iter(_cover(rng, n_sub, ["simple", "convention", "multi", "split"], [0.35, 0.4, 0.12, 0.13]))
    for i in range(n):
        act, body = acts[i], bodies[i]
        variant = next(variants) if act == "subvention" else ""
        spec, session = planner.spec(act, body, variant)
        authority, label = _authority(session)
        doc_rng = random.Random(f"{seed}:{i}")
        ctx = Ctx(
            doc_rng,
            planner.w,
            session,
            act,
            votes[i],
            authority,
            label,
            unit=doc_rng.choices(["euros", "€", "Euros"], [0.7, 0.25, 0.05])[0],
            show_cents=doc_rng.random() < 0.1,
            space_unit=doc_rng.random() < 0.8,
            noise=noise,
        )
        width = doc_rng.randint(92, 116)
        doc, partial = build_extract(ctx, spec, width)
        text = render(doc, doc_rng, width, noise)
        if not text.endswith("\n"):
            text += "\n"
        name = f"synth_{i + 1:04d}_{hashlib.sha256(text.encode()).hexdigest()[:8]}"
        truth = {
            "file": name + ".txt",
            "generator": {"seed": seed, "index": i + 1, "noise": noise, "version": VERSION, "width": width},
            "authority": authority,
            "body": session.body,
            "body_label": label,
            "session_date": session.date.isoformat(),
            "president": partial["president"],
            "present_count": partial["present_count"],
            "present": partial["present"],
            "represented": partial["represented"],
            "excused": partial["excused"],
            "codes": partial["codes"],
            "object": partial["object"],
            "act_type": act,
            "articles": partial["articles"],
            "amounts": ctx.amounts,
            "beneficiaries": [] if act in ("tarifs", "designation") else ctx.beneficiaries,
            "cofinancers": ctx.cofinancers,
            "budget": ctx.budget,
            "vote": partial["vote"],
            "signatory": partial["signatory"],
        }
        yield Synthetic(name + ".txt", text, truth)


def write_corpus(out_dir: Path | str, n: int, seed: int, noise: float = DEFAULT_NOISE) -> list[Path]:
    """Write NAME.txt and NAME.truth.json for each extract; earlier synth_* files there are replaced."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("synth_*.txt")) + list(out.glob("synth_*.truth.json")):
        old.unlink()
    paths: list[Path] = []
    for item in iter_synthetic(n, seed, noise):
        path = out / item.filename
        path.write_text(item.text, encoding="utf-8")
        truth_path = path.with_name(path.stem + ".truth.json")
        truth_path.write_text(json.dumps(item.truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
