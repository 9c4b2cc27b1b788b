"""The signatory: the title and name lines after "Certifié conforme" (or, without it, a title with a role
word followed by a name, near the end).
"""

from __future__ import annotations

import re

from assistant.ingest.text import CIVILITY_PREFIX, DATE_TEXT, _Doc
from assistant.ingest.votes import VOTE_LINE
from assistant.models import Signatory

I, M = re.IGNORECASE, re.MULTILINE

SIGNATURE_SKIP = re.compile(
    r"^[ \t]*(?:Fait\s+a|Le\s+\d|Pour\s+extrait|Pour\s+copie|Certifi|Acte\s+rendu|Publi|Transmis|Recu|Affich"
    r"|Signe\b|Ont\s+signe|Fait\s+et|Ainsi\s+fait"
    r"|[^\n]{0,40}\bcertifie\b[^\n]*\bexecutoire)"  # "Le Maire certifie le caractère exécutoire ..."
    rf"|^[^\n]{{0,60}},\s+le\s+(?:{DATE_TEXT})\s*$",  # "Aix-en-Provence, le 12 juillet 2021"
    I,
)
NAME_LINE = re.compile(
    r"^(?:(?:M\.|Mme|Monsieur|Madame)\s+)?(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)*\s+)+[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+)*$"
    r"|^[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+)*\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)*$"
    r"|^(?:M\.\s+|MME\s+)?[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+){1,3}$"
)
TITLE_WORDS = re.compile(
    r"\b(?:maire|president|presidente|adjoint|adjointe|vice|delegue|deleguee|conseiller|conseillere|directeur"
    r"|directrice|secretaire|le|la|pour|et|aux|des|du|en)\b",
    I,
)
ROLE_WORDS = re.compile(r"\b(?:maire|president|presidente|adjoint|adjointe|vice|delegue|conseill)", I)


def find_signatory(doc: _Doc, certification: re.Match | None, after: int) -> Signatory | None:
    """After "Certifié conforme": title lines ("Le Vice-Président Délégué", "Emploi, Insertion,"...) then
    the name line in NAME style ("Martial ALVAREZ"). Without the certification line, a title line with a
    role word ("Le Maire,") followed by a name line near the end also counts."""
    start = certification.end() if certification else after
    lines = []
    for m in re.finditer(r"[^\n]+", doc.text[start:]):
        ls, le = doc.trim(start + m.start(), start + m.end())
        if ls < le:
            lines.append((ls, le))
        if len(lines) >= 10:
            break
    title_lines: list[tuple[int, int]] = []
    in_skipped = False  # a skipped sentence goes on over its lines, up to its full stop
    for ls, le in lines:
        line = doc.text[ls:le]
        bare = line.rstrip(" .,")
        if not title_lines and (in_skipped or SIGNATURE_SKIP.match(line)):
            in_skipped = not line.endswith((".", ",", ":")) and len(line) > 60
            continue
        if NAME_LINE.match(bare) and not TITLE_WORDS.search(bare):
            if not certification and not any(ROLE_WORDS.search(doc.text[s:e]) for s, e in title_lines):
                return None
            name_s, name_e = ls, ls + len(bare)
            name_m = CIVILITY_PREFIX.match(doc.text[name_s:name_e])
            if name_m:
                name_s += name_m.end()
            title = _signatory_title(doc, title_lines)
            first = title_lines[0][0] if title_lines else name_s
            s, e = doc.raw_span(first, name_e)
            return Signatory(name=doc.value(name_s, name_e), title=title, start=s, end=e)
        if len(line) > 120 or VOTE_LINE.match(line):
            break
        title_lines.append((ls, le))
        if len(title_lines) > 5:
            break
    if certification and title_lines and ROLE_WORDS.search(doc.text[title_lines[0][0]:title_lines[-1][1]]):
        s, e = doc.raw_span(title_lines[0][0], title_lines[-1][1])
        return Signatory(name=None, title=_signatory_title(doc, title_lines), start=s, end=e)
    return None


def _signatory_title(doc: _Doc, title_lines: list[tuple[int, int]]) -> str | None:
    if not title_lines:
        return None
    title = doc.value(title_lines[0][0], title_lines[-1][1])
    # "Pour le Maire et par délégation, L'Adjoint délégué" -> "Adjoint délégué"
    title = re.sub(r"^Pour\s+l[ea]\s+[^,]*?\s+par\s+d\S*l\S*gation\s*,?\s*", "", title, flags=I)
    title = re.sub(r"^(?:Le|La|L['’])\s*", "", title, flags=I).strip(" ,.")
    return title or None
