"""Jinja2 templates of the register's acts (prompts/draft/*.j2) and French grammar helpers.

A template marks each part of the extract with a line `[[name]]` (`[[article]]` for an article,
`[[article:budget]]` for the budget article). `render_parts` removes the markers, numbers the articles
and records each part's span in the final text, so a draft knows where its header, object, visas and
articles are without parsing itself back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from ..formats import format_date

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts" / "draft"

# Parts written right under the previous one (no blank line), as in the register: the codes frame the object.
_TIGHT = {"objet", "code-registre", "conclusions", "delibere"}
_MARKER = re.compile(r"^\[\[([a-z0-9-]+)(?::([a-z]+))?\]\][ \t]*$", re.MULTILINE)

# Template per act type (the request's act_type).
TEMPLATES = {
    "subvention": "subvention.j2",
    "convention": "convention.j2",
    "avenant": "avenant.j2",
    "autre": "generique.j2",
}

# Gender of nouns the register's participles agree with ("Est approuvée la convention").
FEMININE = frozenset(
    ["convention", "subvention", "participation", "modification", "attribution", "cession", "acquisition", "délibération", "garantie", "avance", "aide", "dotation", "charte", "adhésion", "désignation", "prolongation", "résiliation", "vente", "indemnité", "annexe", "proposition"]
)


# Words the Python side adds to the templates' formulas (president's title, default visa, body suffix).
DEFAULT_VISAS = ["Le Code Général des Collectivités Territoriales"]
FIXED_WORDS = "Présidente Président BM CM " + " ".join(DEFAULT_VISAS)


class Part(BaseModel):
    name: str  # "en-tete", "objet", "expose", "visas", "article-1", ...
    label: str  # French label for people
    start: int
    end: int
    budget: bool = False  # the budget imputation article


PART_LABELS = {
    "en-tete": "En-tête",
    "titre": "Titre du registre",
    "seance": "Séance",
    "presences": "Présences",
    "proposition": "Proposition de la présidence",
    "code": "Code du service",
    "objet": "Objet",
    "code-registre": "Code du registre",
    "rapporteur": "Formule du rapporteur",
    "expose": "Exposé des motifs",
    "raisons": "« Telles sont les raisons… »",
    "assemblee": "Assemblée délibérante",
    "visas": "Visas",
    "oui": "« Ouï le rapport »",
    "conclusions": "« Entendues les conclusions »",
    "delibere": "« Délibère »",
    "vote": "Vote",
    "certifie": "« Certifié conforme »",
    "signataire": "Signataire",
}


def part_label(name: str) -> str:
    if name.startswith("article-"):
        return f"Article {name.split('-', 1)[1]}"
    return PART_LABELS.get(name, name)


# -- French grammar ------------------------------------------------------------------------------

_VOWEL = re.compile(r"^[aeiouyhàâéèêëîïôöûüœAEIOUYHÀÂÉÈÊËÎÏÔÖÛÜŒ]")


def prep_a(np: str) -> str:
    """"à" + noun phrase with contractions: "le syndicat" -> "au syndicat", "les" -> "aux"."""
    if np.startswith("le "):
        return "au " + np[3:]
    if np.startswith("les "):
        return "aux " + np[4:]
    return "à " + np


def prep_de(np: str) -> str:
    """"de" + noun phrase: "le marché" -> "du marché", "l'association" -> "de l'association"."""
    if np.startswith("le "):
        return "du " + np[3:]
    if np.startswith("les "):
        return "des " + np[4:]
    return ("d'" if _VOWEL.match(np) and not np.startswith(("la ", "l'")) else "de ") + np


def agree(participle: str, noun: str) -> str:
    """"approuvé" + "convention" -> "approuvée"; plural when the noun ends in s/x (les tarifs)."""
    head = noun.split()[0].lower() if noun else ""
    fem = head in FEMININE
    plural = head.endswith(("s", "x")) and head not in {"avis", "prix"}
    return participle + ("e" if fem else "") + ("s" if plural else "")


def join_fr(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b et c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def caps(text: str) -> str:
    """Upper case without accents, as the register prints its titles ("BUREAU DE LA METROPOLE")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


def sentence(text: str, end: str = ".") -> str:
    """Capitalise the first letter and close the sentence, leaving given punctuation alone."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".:;!?…" else text + end


def lowfirst(text: str) -> str:
    """"Le Code général…" -> "le Code général…" (after "Vu"); a name or an acronym keeps its capital."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and text.split()[0].lower() in (
            "le", "la", "les", "l'", "l’", "un", "une", "sa", "son", "ses"):
        return text[0].lower() + text[1:]
    return text


def enumerate_items(items: list[str]) -> list[str]:
    """The register's numbered lists: "1) item," ... last one closed by a full stop."""
    out = []
    for i, item in enumerate(items, 1):
        body = " ".join(item.split()).rstrip(".,;")
        body = body[0].upper() + body[1:] if body else body
        out.append(f"{i}) {body}{'.' if i == len(items) else ','}")
    return out


# -- environment and rendering -------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text, not HTML
    )
    env.filters.update(
        a=prep_a, de=prep_de, lowfirst=lowfirst, agree=agree, join_fr=join_fr, caps=caps, sentence=sentence, date_fr=format_date
    )
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def render_parts(raw: str) -> tuple[str, list[Part]]:
    """Remove the `[[part]]` markers, number the articles, and return (text, parts with spans)."""
    markers = list(_MARKER.finditer(raw))
    text = ""
    parts: list[Part] = []
    article = 0
    for i, m in enumerate(markers):
        name, kind = m.group(1), m.group(2)
        body = raw[m.end(): markers[i + 1].start() if i + 1 < len(markers) else len(raw)]
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in body.strip().splitlines()))
        if name == "article":
            article += 1
            name = f"article-{article}"
            body = f"Article {article} :\n\n{body}"
        if not body.strip():
            continue
        sep = "" if not text else ("\n" if name in _TIGHT else "\n\n")
        start = len(text) + len(sep)
        text += sep + body
        parts.append(Part(name=name, label=part_label(name), start=start, end=len(text), budget=kind == "budget"))
    return text + "\n", parts


def template_words() -> set[str]:
    """Every word the templates spell out: fixed formulas, not facts (used by the traceability check)."""
    words: set[str] = set(re.findall(r"[^\W\d_]+", FIXED_WORDS))
    for path in [*sorted(PROMPTS_DIR.glob("*.j2")), PROMPTS_DIR / "authorities.yaml"]:
        text = re.sub(r"\{[{%#].*?[}%#]\}", " ", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        words.update(re.findall(r"[^\W\d_]+", text))
    return words
