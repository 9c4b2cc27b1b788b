"""Authority profiles: how each authority of the registry writes its deliberations, learned from its records.

A profile is one authority and one of its bodies ("Commune de Saint-Exemple, conseil municipal"): its
name and type, the body's labels, the president's title, the scheme of its deliberation numbers
("D2025-008" -> "DAAAA-NNN"), its header lines and its recurring formulas (opening of the session,
"après en avoir délibéré", vote line, "Fait et délibéré…", "Pour extrait conforme", signature block).
Each is the most frequent form among the authority's records, kept with the ids of the records it
comes from. A form is the printed text with its session-specific words turned into slots ("L'an
{annee_lettres}, le {jour_lettres} {mois}…"), which a draft fills from its request (`fill`).

The words (type designations, body names, formula patterns, slot labels) are data:
prompts/draft/authorities.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ..formats import MOIS, format_date
from ..models import Deliberation
from ..textnorm import match_key
from .lint import fold_same_length
from .templates import PROMPTS_DIR

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

HEADER_LINES = 6  # a register's header: the authority, its department, the register's title, the session
LINE_MAX = 160  # a longer "line" is running text (or a text whose line breaks were lost), no formula
_SLOT = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def wording() -> dict:
    import yaml

    return yaml.safe_load((PROMPTS_DIR / "authorities.yaml").read_text(encoding="utf-8"))


class Form(BaseModel):
    """A learned form: the most frequent generalised text, an example as printed, and its records."""

    text: str  # with slots: "L'an {annee_lettres}, le {jour} {mois}, le Conseil municipal…"
    example: str  # as printed in the first record listed
    sources: list[str] = Field(default_factory=list)  # record ids that print this form
    documents: int = 0  # how many distinct documents print it


class Profile(BaseModel):
    """An authority and one of its bodies, as its own records write."""

    key: str  # "commune:saint-exemple:conseil_municipal"
    authority_type: str | None
    authority_name: str
    body: str | None
    body_labels: list[str] = Field(default_factory=list)  # most frequent first
    records: list[str] = Field(default_factory=list)
    documents: int = 0
    president_title: Form | None = None
    numbering: Form | None = None  # text: "DAAAA-NNN"
    header: Form | None = None  # lines joined by "\n"
    formulas: dict[str, Form] = Field(default_factory=dict)  # ouverture, delibere, vote, fait, extrait, signature
    always: list[str] = Field(default_factory=list)  # session fields every one of its documents prints (lint)

    @property
    def count(self) -> int:
        return len(self.records)

    def learned(self) -> list[str]:
        """French names of what was learned: "en-tête", "numérotation", the formulas' labels."""
        labels = {"signature": "bloc de signature", "vote": "ligne de vote",
                  **{k: v["label"] for k, v in wording()["formulas"].items()}}
        out = [name for name, form in (("en-tête", self.header), ("numérotation", self.numbering),
                                       ("titre du président", self.president_title)) if form]
        return out + [labels.get(k, k) for k in self.formulas]

    def label(self) -> str:
        body = body_words(self.body)["name"] if self.body in wording()["bodies"] else (self.body or "—")
        return f"{designation(self.authority_type, self.authority_name)} — {body}"


# -- names ----------------------------------------------------------------------------------------

_VOWEL = re.compile(r"^[aeiouyhàâéèêëîïôöûüœ]", re.IGNORECASE)


def designation(authority_type: str | None, name: str) -> str:
    """"Commune de Saint-Exemple", "Communauté d'agglomération Exemple Agglomération"; the bare name
    for an unknown type, or when the name already holds the type's word."""
    spec = wording()["types"].get(authority_type or "") or {}
    word = spec.get("word")
    if not word or match_key(word) in match_key(name):
        return name
    if spec.get("of_name"):
        if m := re.match(r"(Les?) (?=\S)", name):  # "Le Bourget" -> "Commune du Bourget", "Les Mureaux" -> "des"
            return f"{word} {'du' if m.group(1) == 'Le' else 'des'} {name[m.end():]}"
        return f"{word} {'d’' if _VOWEL.match(name) else 'de '}{name}".replace("’", "'")
    return f"{word} {name}"


def body_words(body: str | None) -> dict:
    return wording()["bodies"].get(body or "", {"name": body or "", "the": body or "", "au": body or ""})


def type_words(authority_type: str | None) -> dict:
    return wording()["types"].get(authority_type or "", {})


def type_of(authority: str) -> str | None:
    """The type an authority's designation names: "Commune de Saint-Exemple" -> "commune" (None if unknown)."""
    folded = fold_same_length(" ".join(authority.split()))
    found = [(len(w), t) for t, spec in wording()["types"].items()
             for w in (fold_same_length(x) for x in [spec["word"], *spec.get("aliases", [])])
             if re.match(rf"{re.escape(w)}(?![a-z])", folded)]
    return max(found)[1] if found else None


def bare_name(authority: str, authority_type: str | None) -> str:
    """"Saint-Exemple" in "Commune de Saint-Exemple", "Aix-Marseille-Provence" in "Métropole Aix-Marseille-Provence"."""
    spec = type_words(authority_type)
    for word in sorted([spec.get("word", ""), *spec.get("aliases", [])], key=len, reverse=True):
        if word and fold_same_length(authority).startswith(fold_same_length(word)):
            rest = authority[len(word):].strip()
            return re.sub(r"^(?:de\s+la\s+|de\s+l['’]|de\s+|d['’]|du\s+|des\s+)", "", rest) or authority
    return authority


def with_article(authority: str, authority_type: str | None) -> str:
    """"la Commune de Saint-Exemple", "le Syndicat mixte …": the type's article before the designation."""
    spec = type_words(authority_type)
    the, word = spec.get("the", ""), spec.get("word", "")
    article = the[:len(the) - len(word)] if word and the.endswith(word) else ""
    words = [fold_same_length(w) for w in [word, *spec.get("aliases", [])] if w]
    if not article or not any(fold_same_length(authority).startswith(w) for w in words):
        return authority  # a designation that does not start with the type's words keeps its own
    return f"{article}{authority}"


def authority_key(authority_type: str | None, name: str | None) -> str:
    return f"{authority_type or '?'}:{match_key(name or '')}"


# -- generalising a printed formula into a form with slots -------------------------------------------


def _words_variants(n: int) -> list[str]:
    """French words of a number as printed: "deux mille dix-huit", "deux mil dix huit", "vingt et un"."""
    from num2words import num2words

    base = num2words(n, lang="fr")
    variants = {base, base.replace("mille", "mil")}
    if n == 1:
        variants.add("premier")
    return sorted(variants, key=len, reverse=True)


def _pattern_of_words(words: str) -> str:
    return r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", fold_same_length(words)))


def _name_pattern(name: str | None) -> str | None:
    """A person's name as it may be printed: "Paul MARTIN", "P. MARTIN", "MARTIN" (folded)."""
    parts = fold_same_length(name or "").replace(".", " ").split()
    if not parts or len(parts[-1]) < 3:
        return None
    first = r"[\s-]+".join(re.escape(p) for p in parts[:-1])
    initials = r"[\s-]*".join(re.escape(p[0]) + r"\." for p in parts[:-1])
    given = f"(?:(?:{first}|{initials})\\s*)?" if parts[:-1] else ""
    return given + re.escape(parts[-1])


def _month(d: dt.date) -> str:
    return fold_same_length(MOIS[d.month - 1])


def generalise(text: str, rec: Deliberation) -> str:
    """The printed text with the session's own words as slots: dates, times, names, counts."""
    rules: list[tuple[str, str]] = []
    c = rec.convocation_date  # first: its year is no session year
    if c:
        rules += [(rf"\b(?:1er|0?{c.day})\s+{_month(c)}(?:\s+{c.year})?\b", "{convocation}"),
                  (rf"\b0?{c.day}[/.]0?{c.month}[/.](?:{c.year}|{c.year % 100:02d})\b", "{convocation}")]
    d = rec.session_date
    if d:
        day, month = rf"(?:1er|0?{d.day})", _month(d)
        rules += [
            (rf"\b{day}\s+{month}\s+{d.year}\b", "{date}"),
            (rf"\b0?{d.day}[/.]0?{d.month}[/.]{d.year}\b", "{date_chiffres}"),
        ]
        rules += [(rf"\b{_pattern_of_words(w)}\b", "{annee_lettres}") for w in _words_variants(d.year)]
        rules += [(rf"\b{_pattern_of_words(w)}\b(?=[\s,]+(?:du\s+mois\s+d\W?)?{month})", "{jour_lettres}")
                  for w in _words_variants(d.day)]
        rules += [(rf"\b{day}\b(?=\s+{month})", "{jour}"), (rf"\b{month}\b", "{mois}"),
                  (rf"\b{d.year}\b", "{annee}")]
    rules.append((r"\b\d{1,2}\s*(?:h|heures?)\s*\d{0,2}\b", "{heure}"))
    months = "|".join(fold_same_length(m) for m in MOIS)
    rules.append((rf"\b(?:1er|\d{{1,2}})\s+(?:{months})(?:\s+\d{{4}})?\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b", "{autre_date}"))
    for name, slot in ((rec.president and rec.president.name, "{president}"),
                       (rec.secretary and rec.secretary.name, "{secretaire}"),
                       (rec.signatory and rec.signatory.name, "{signataire}")):
        pattern = _name_pattern(name)
        if pattern:
            rules.append((rf"(?:(?:madame|monsieur|mme|m\.)\s+)?\b{pattern}\b", slot))
    # Anyone else named with a civility (voters, absentees): a draft never repeats them.
    rules.append((r"\b(?:mme|m\.|madame|monsieur)\s+(?!le\b|la\b|les\b)[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?", "{nom}"))
    rules.append((r"\b\d+\b", "{nombre}"))
    out = " ".join(text.split()) if "\n" not in text else "\n".join(" ".join(x.split()) for x in text.split("\n"))
    for pattern, slot in rules:
        out = _replace_folded(out, pattern, slot)
    return out


def _replace_folded(text: str, pattern: str, slot: str) -> str:
    folded = fold_same_length(text)
    pieces, pos = [], 0
    for m in re.finditer(pattern, folded):
        if "{" in text[m.start():m.end()]:
            continue  # never inside a slot already placed
        pieces += [text[pos:m.start()], slot]
        pos = m.end()
    return "".join(pieces) + text[pos:]


def numbering_scheme(number: str, rec: Deliberation) -> str | None:
    """"D2025-008" -> "DAAAA-NNN", "2022-12-21/16" -> "AAAA-MM-JJ/NN", "1)" -> "N)": the session's
    year, month and day by their letters, the other digits by N."""
    number = " ".join(number.split())
    if not re.search(r"\d", number):
        return None
    d = rec.session_date
    out = number
    if d:
        out = re.sub(rf"(?<!\d){d.year}(?!\d)", "AAAA", out, count=1)
        if "AAAA" in out:
            out = re.sub(rf"(?<=AAAA)([-/._ ]){d.month:02d}(?!\d)", r"\1MM", out, count=1)
            out = re.sub(rf"(?<=MM)([-/._ ]){d.day:02d}(?!\d)", r"\1JJ", out, count=1)
        else:
            out = re.sub(rf"(?:(?<=^)|(?<=[/\-. ])){d.year % 100:02d}(?=[/\-. ]|$)", "AA", out, count=1)
    else:  # no session date read: a year-like group of four digits is the year
        out = re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", "AAAA", out, count=1)
    return re.sub(r"\d", "N", out)


def number_placeholder(scheme: str | None, session: dt.date) -> str:
    """The scheme with the session's year, month and day, its serial left to fill: "D2025-[NNN]"."""
    if not scheme:
        return "[n°]"
    out = scheme.replace("AAAA", str(session.year)).replace("MM", f"{session.month:02d}").replace(
        "JJ", f"{session.day:02d}").replace("AA", f"{session.year % 100:02d}")
    return re.sub(r"N+", lambda m: f"[{m.group(0)}]", out)


# -- filling a form -------------------------------------------------------------------------------


def fill(form: str, values: dict[str, str]) -> str:
    """A form's slots replaced by the request's values; a slot without one becomes its placeholder."""
    labels = wording()["slots"]
    return _SLOT.sub(lambda m: values.get(m.group(1)) or f"[{labels.get(m.group(1), m.group(1))}]", form)


def slot_values(session: dt.date, *, president: str | None = None, secretary: str | None = None,
                signatory: str | None = None, convocation: dt.date | None = None) -> dict[str, str]:
    from num2words import num2words

    values = {
        "annee_lettres": num2words(session.year, lang="fr"),
        "jour_lettres": "premier" if session.day == 1 else num2words(session.day, lang="fr"),
        "jour": "1er" if session.day == 1 else str(session.day),
        "mois": MOIS[session.month - 1],
        "date": format_date(session),
        "date_chiffres": session.strftime("%d/%m/%Y"),
        "annee": str(session.year),
    }
    for key, value in (("president", president), ("secretaire", secretary), ("signataire", signatory)):
        if value:
            values[key] = value
    if convocation:
        values["convocation"] = format_date(convocation)
    return values


# -- learning -------------------------------------------------------------------------------------


def _header_lines(rec: Deliberation) -> str | None:
    """The lines the document prints before its session formula (authority, register, session)."""
    text = rec.raw_text
    f = _folded(text)
    ends = [len(text)]
    opening = re.search(wording()["formulas"]["ouverture"]["pattern"], f)
    if opening:
        ends.append(opening.start())
    for pattern in (r"^[ \t]*(?:etaient\s+)?presents?\b", r"^[ \t]*objet\s*:", r"^[ \t]*ordre\s+du\s+jour"):
        m = re.search(pattern, f, re.MULTILINE)
        if m:
            ends.append(m.start())
    if rec.item:
        ends.append(rec.item.start)
    head = text[:min(ends)]
    if "\n" not in head[:LINE_MAX]:  # line breaks lost: the authority's name, before the register's words
        m = re.search(r"\b(?:deliberation|extrait|seance|proces[\s-]*verbal|compte[\s-]*rendu|reunion)\b", f[10:LINE_MAX])
        return re.sub(r"[\s\d]+$", "", " ".join(head[:m.start() + 10].split())) or None if m else None
    lines = []
    for line in head.splitlines():
        folded = fold_same_length(line)
        if not line.strip() or re.search(r"\bpage\s+\d|envoye\s+en\s+prefecture|recu\s+en\s+prefecture|"
                                          r"^\s*id\s*:|affiche\s+le|publie\s+le|^[\s_=*-]+$", folded):
            continue
        if len(line.strip()) > LINE_MAX:
            break
        lines.append(" ".join(line.split()))
        if len(lines) == HEADER_LINES:
            break
    return "\n".join(lines) or None


def _formula(rec: Deliberation, kind: str) -> str | None:
    spec = wording()["formulas"][kind]
    start, end = (0, len(rec.raw_text)) if spec["scope"] == "document" else rec.own_span
    m = re.compile(spec["pattern"], re.MULTILINE).search(_folded(rec.raw_text), start, end)
    found = " ".join(rec.raw_text[m.start():m.end()].split()) if m else None
    return found if found and len(found) <= LINE_MAX * (4 if spec["scope"] == "document" else 1) else None


@lru_cache(maxsize=64)
def _folded(text: str) -> str:
    return fold_same_length(text)


def _vote_line(rec: Deliberation) -> str | None:
    if not rec.vote:
        return None
    text = rec.raw_text
    start = text.rfind("\n", 0, rec.vote.start) + 1
    end = text.find("\n", rec.vote.end)
    line = " ".join(text[start:len(text) if end < 0 else end].split())
    return line if 0 < len(line) <= LINE_MAX else None


def _signature(rec: Deliberation) -> str | None:
    sig = rec.signatory
    if not sig or not (sig.name or sig.title):
        return None
    lines = [" ".join(line.split()) for line in rec.raw_text[sig.start:sig.end].splitlines() if line.strip()]
    if not lines or len(lines) > HEADER_LINES or any(len(line) > LINE_MAX // 2 for line in lines):
        return None  # a signature block is a few short lines; more is text the reader took along
    return "\n".join(lines)


def readings(rec: Deliberation) -> dict[str, str]:
    """What one record prints of each learned part, as printed (header, formulas, vote, signature)."""
    out = {"header": _header_lines(rec), "vote": _vote_line(rec), "signature": _signature(rec),
           "numbering": rec.service_code() or rec.number, "president_title": rec.president.title if rec.president else None}
    for kind in wording()["formulas"]:
        out[kind] = _formula(rec, kind)
    return {k: v for k, v in out.items() if v}


def _most_frequent(found: list[tuple[str, str, Deliberation]]) -> Form | None:
    """The form printed by most documents (then most records), with its records: (form, printed, record)."""
    if not found:
        return None
    docs: dict[str, set[str]] = defaultdict(set)
    records: dict[str, list[str]] = defaultdict(list)
    example: dict[str, str] = {}
    for form, printed, rec in found:
        docs[form].add(rec.content_hash)
        records[form].append(rec.id)
        example.setdefault(form, printed)
    best = max(docs, key=lambda f: (len(docs[f]), len(records[f]), -len(f)))
    return Form(text=best, example=example[best], sources=records[best], documents=len(docs[best]))


def learn_profiles(records: Iterable[Deliberation]) -> list[Profile]:
    """One profile per (authority, body) holding a named authority, most records first."""
    groups: dict[str, list[Deliberation]] = defaultdict(list)
    for rec in records:
        if rec.authority_name and match_key(rec.authority_name):
            groups[f"{authority_key(rec.authority_type, rec.authority_name)}:{rec.body or '?'}"].append(rec)
    profiles = [_learn(key, recs) for key, recs in groups.items()]
    profiles.sort(key=lambda p: (-p.count, p.authority_name, p.body or ""))
    return profiles


def _learn(key: str, recs: list[Deliberation]) -> Profile:
    recs = sorted(recs, key=lambda r: r.id)
    names = Counter(r.authority_name for r in recs)
    labels = Counter(" ".join(r.body_label.split()) for r in recs if r.body_label)
    found: dict[str, list[tuple[str, str, Deliberation]]] = defaultdict(list)
    for rec in recs:
        for kind, printed in readings(rec).items():
            if kind == "numbering":
                form = numbering_scheme(printed, rec)
            elif kind == "president_title":
                form = " ".join(printed.split())
            else:
                form = generalise(printed, rec)
            if form:
                found[kind].append((form, printed, rec))
    learned = {kind: _most_frequent(items) for kind, items in found.items()}
    return Profile(
        key=key, authority_type=recs[0].authority_type, authority_name=names.most_common(1)[0][0],
        body=recs[0].body, body_labels=[label for label, _ in labels.most_common()],
        records=[r.id for r in recs], documents=len({r.content_hash for r in recs}),
        president_title=learned.pop("president_title", None), numbering=learned.pop("numbering", None),
        header=learned.pop("header", None), formulas={k: v for k, v in learned.items() if v},
        always=_always_printed(recs),
    )


def _always_printed(recs: list[Deliberation]) -> list[str]:
    """The session fields (secretary, convocation, counts) that every document of these records prints."""
    fields = [spec["field"] for spec in wording()["session_mentions"]]
    docs: dict[str, set[str]] = defaultdict(set)
    for rec in recs:
        docs[rec.content_hash].update(f for f in fields if getattr(rec, f, None) is not None)
    return [f for f in fields if docs and all(f in found for found in docs.values())]


def profiles(registry: Registry) -> list[Profile]:
    """The registry's authority profiles, most records first (learned on each call: the registry is the truth)."""
    return learn_profiles(registry.all())


def find_profile(registry: Registry | None, authority_type: str | None, authority_name: str | None,
                 body: str | None) -> Profile | None:
    """The profile of that authority and body; None for an authority (or body) the registry does not hold."""
    if registry is None or not authority_name:
        return None
    wanted = authority_key(authority_type, authority_name)
    name_key = match_key(authority_name)
    ids = [i for i, t, n, _ in registry.identity_rows()
           if n and (authority_key(t, n) == wanted or (authority_type is None and match_key(n) == name_key))]
    if not ids:
        return None
    recs = [r for r in registry.get_many(ids).values() if (r.body or None) == body]
    return learn_profiles(recs)[0] if recs else None


# -- what a draft takes from a profile ---------------------------------------------------------------

_TITLE_WORDS = re.compile(r"^(?:le\s+|la\s+)?(?:maire|presidente?|vice-presidente?)\b", re.IGNORECASE)
_REGISTER_WORDS = re.compile(r"extrait|registre|deliberation|proces[\s-]*verbal|compte[\s-]*rendu")
_SESSION_WORDS = re.compile(r"\bseance\b|\breunion\b|\{date")


def frame_of(request) -> str:
    """The frame template: the seed's for a métropole's bureau or conseil, the one for any body otherwise."""
    return "base.j2" if request.seed_layout else "seance.j2"


def president_title(request, profile: Profile | None) -> str:
    """"Maire", "Présidente du Conseil départemental": the profile's learned title when it reads as one
    (agreed with the request's president), else the type's."""
    fem = request.president.feminine
    learned = profile.president_title.text if profile and profile.president_title else ""
    learned = learned.strip(" ,.")
    if learned and len(learned) <= 60 and _TITLE_WORDS.match(fold_same_length(learned)):
        learned = re.sub(r"^(?:le|la)\s+", "", learned, flags=re.IGNORECASE)
        learned = learned[0].upper() + learned[1:]
        learned = re.sub(r"^(Vice-)?Présidente?\b", lambda m: f"{m.group(1) or ''}Président{'e' if fem else ''}", learned)
        return learned
    titles = type_words(request.authority_type).get("president") or ["Président", "Présidente"]
    return titles[1] if fem else titles[0]


def title_article(title: str, feminine: bool) -> str:
    """"la" before "Présidente du Conseil départemental", "le" before "Maire" (Madame le Maire) or "Président"."""
    first = title.split()[0] if title else ""
    return "la" if feminine and first.endswith("e") and first != "Maire" else "le"


def filled_forms(profile: Profile | None, request) -> dict:
    """The profile's learned forms filled for this request (None where nothing was learned), and what the
    learned header already holds (the register's title, the session), so the frame does not repeat it."""
    out: dict = {k: None for k in ("header", "ouverture", "assemblee", "delibere", "fait", "extrait", "signature")}
    out.update(header_has_title=False, header_has_session=False)
    if profile is None or request.seed_layout:
        return out
    pres = request.president
    values = slot_values(request.session_date, president=f"{pres.civility} {pres.name}",
                         secretary=f"{request.secretary.civility} {request.secretary.name}" if request.secretary else None,
                         signatory=(request.signatory or pres).name, convocation=request.convocation_date)
    if profile.header:
        out["header"] = fill(profile.header.text, values)
        folded = fold_same_length(profile.header.text)
        out["header_has_title"] = bool(_REGISTER_WORDS.search(folded))
        out["header_has_session"] = bool(_SESSION_WORDS.search(folded))
    for kind in ("ouverture", "assemblee", "delibere", "fait", "extrait"):
        if kind in profile.formulas:
            out[kind] = fill(profile.formulas[kind].text, values)
    if "signature" in profile.formulas:
        out["signature"] = fill(profile.formulas["signature"].text, {**values, "president": pres.name})
    return out


def authority_check(request, profile: Profile | None):
    """What lint checks of a draft's authority: its type, body, numbering, and, for a commune's council, the
    session mentions its register always carries (all the CGCT's for a commune the registry does not hold)."""
    from .lint import AuthorityCheck

    mentions: list[str] = []
    if request.authority_type == "commune" and request.body == "conseil_municipal":
        mentions = profile.always if profile else [spec["field"] for spec in wording()["session_mentions"]]
    return AuthorityCheck(
        authority_type=request.authority_type, authority_name=request.authority_name, body=request.body,
        numbering=profile.numbering.text if profile and profile.numbering else None,
        session_date=request.session_date, mentions=mentions,
    )
