"""Parse the text of an extract of a register of deliberations into a `Deliberation` record.

`parse(raw_text, id=..., source=...)` finds each part of the document with its own small function,
in document order: header (authority, body, session, president, attendance), codes, object,
rapporteur, exposé, visas, decision marker, articles, amounts, co-financers, budget imputation,
vote, signatory. Patterns are matched against an accent-free copy of the text (`ocrfix.Plain`) that
maps back to raw offsets, so every span is an exact quote of the raw text. OCR noise is expected:
patterns tolerate lost or doubled accents, "I'" for "l'", "a" for "à", stray characters and broken
lines. What is not found stays None / [] and, for mandatory parts, a French warning says so.

This module checks that the text is an extract, finds the landmarks that bound the parts, reads the
codes, object, rapporteur, exposé, visas and articles, classifies the act, and puts the record together
(`read_header`, `parse_doc`). The other readers live one concern a module:
- `text`: the document wrapper `_Doc` (raw text, plain copy, offsets), the shared vocabulary (civilities,
  dates in figures and in words, paragraph and sentence breaks, the certification line), `_display`;
- `header`: body, authority, session date, president, count of members present;
- `attendance`: the lists of members present, represented (with their proxies) and excused;
- `amounts`: sums of money with their beneficiary, purpose and year, beneficiaries, co-financers,
  budget imputation (`tables` reads the grant tables whose amounts print no currency);
- `votes`: the vote, its counts, the names of those who voted against or abstained;
- `signature`: the signatory after "Certifié conforme".
"""

from __future__ import annotations

import hashlib
import re

from assistant.ingest.amounts import (
    find_amounts,
    find_beneficiaries,
    find_budget,
    find_cofinancers,
    mark_granted,
    table_amounts,
)
from assistant.ingest.attendance import find_attendance
from assistant.ingest.header import (
    find_authority,
    find_body,
    find_present_count,
    find_president,
    find_session,
    municipal_label,
)
from assistant.ingest.ocrfix import Plain, clean
from assistant.ingest.signature import find_signatory
from assistant.ingest.text import BLANK_LINE, CERTIFICATION, DANGLING, PARAGRAPH_BREAK, _Doc, split_ranges
from assistant.ingest.votes import find_vote
from assistant.models import Article, Code, Deliberation, Span

__all__ = ["NotAnExtract", "parse"]


class NotAnExtract(ValueError):
    """The text is not an extract of a register of deliberations (message in French)."""


I, M = re.IGNORECASE, re.MULTILINE


# ---------------------------------------------------------------------------------------------
# Is it an extract at all?
# ---------------------------------------------------------------------------------------------

DELIBERATION_WORD = re.compile(r"\bd[eé]lib[eé]r", I)
EXTRACT_MARKERS = {
    "header": re.compile(r"extrait\s+(?:du|des)\s+(?:registres?|proces[- ]verba)|registre\s+des\s+delib", I),
    "seance": re.compile(r"\b(?:seance|reunion)\s+(?:publique\s+|ordinaire\s+)?(?:du|le)\s+\S+", I),
    "article": re.compile(r"^[ \t]*(?:article|art\.)[ \t]*(?:1|premier|unique|l)\b", I | M),
    "decision": re.compile(r"^[ \t]*(?:delibere+|decide|arrete)\b|apres\s+en\s+avoir\s+delibere", I | M),
    "visa": re.compile(r"^[ \t]*vu\b", I | M),
    "vote": re.compile(r"mise?\s+aux\s+voix|\badopte+e?s?\b|unanimite|\bvotants?\b", I),
    "certification": re.compile(r"certifi\w*\s+conforme|extrait\s+conforme", I),
    "assembly": re.compile(r"\b(?:conseil\s+(?:municipal|de\s+la\s+me+tropole|metropolitain|communautaire|"
                           r"departemental|regional)|bureau\s+de\s+la\s+me+tropole|commission\s+permanente|"
                           r"comite\s+syndical)\b", I),
}


def check_extract(doc: _Doc) -> None:
    """Raise NotAnExtract unless the text shows the structure of an extract.

    The register's header ("Extrait du registre des délibérations") with a session or an assembly is
    enough (a truncated extract is still one: the caller decides what to do with it). Otherwise the
    text needs the word "délibération", at least three of the markers below and two of them structural
    (article heading, decision marker, visas, certification). A letter about a deliberation names a
    session, a vote and an assembly, but has none of the structure; an invoice has "Article 1" lines
    but nothing else.
    """
    text = doc.text
    if len(text.strip()) < 40:
        raise NotAnExtract("Texte vide ou trop court : ce n'est pas un extrait de registre des délibérations.")
    found = {name for name, pattern in EXTRACT_MARKERS.items() if pattern.search(text)}
    if "header" in found and found & {"seance", "assembly"}:
        return
    structural = found & {"article", "decision", "visa", "certification"}
    if not DELIBERATION_WORD.search(text) or len(found) < 3 or len(structural) < 2:
        raise NotAnExtract(
            "Ce texte ne ressemble pas à un extrait de registre des délibérations "
            f"(repères trouvés : {', '.join(sorted(found)) or 'aucun'})."
        )


# ---------------------------------------------------------------------------------------------
# Landmarks that bound the other parts
# ---------------------------------------------------------------------------------------------

DECISION = re.compile(
    r"^[ \t]*(?:DELIBERE+|Delibere+|DECIDE|Decide|ARRETE|Arrete)\b[ \t:.,]*$"
    r"|^[^\n]*\bapres\s+(?:en\s+)?avoir\s+delibere[^\n]*$"
    r"|^[^\n]*\bdecident\s*:[ \t]*$",  # "les membres du Bureau communautaire, à l'unanimité décident :"
    I | M,
)
ARTICLE_HEAD = re.compile(
    r"^[ \t]*(?:ARTICLE|Article|Art\.)[ \t]*"
    r"(?P<num>\d{1,2}|[lI](?=[ \t]*(?:er)?[ \t]*[:.\-]|[ \t]*$)|premier|PREMIER|Premier|unique|UNIQUE|Unique)"
    r"(?:[ \t]*(?:er|ER|°))?[ \t]*(?:[:.\-)][ \t]*|$|(?=[ \t]+[A-Z]))",
    M,
)

TELLES = re.compile(r"telles\s+sont\s+les\s+raisons", I)
VISA_LINE = re.compile(r"^[ \t]*(?:Vu|VU|vu)\b", M)
VISAS_END = re.compile(
    r"^[ \t]*(?:Ou'?i\b|Ou\.?i\b|Entendu|ENTENDU|Consid[ée]rant|CONSIDERANT|Apres\s+en\s+avoir|"
    r"Sur\s+(?:la\s+)?proposition|Ayant\s+entendu)",
    I | M,
)
ASSEMBLY_LINE = re.compile(
    r"^[ \t]*(?:Le|LE|La|LA)\s+(?:Bureau|BUREAU|Conseil|CONSEIL|Commission|COMMISSION)[^\n]{0,70}[,:][ \t]*$", M
)


# A procès-verbal's item may decide by accepting the proposals put to the assembly: "il est proposé au conseil
# municipal :\n\nde créer 1 poste … ;\n\nde supprimer … ;" then "LE CONSEIL MUNICIPAL … ACCEPTE CES PROPOSITIONS".
PROPOSALS = re.compile(
    r"^[^\n]*\b(?:il\s+est\s+propose|(?:je\s+vous\s+)?propose)\s+(?:au|a\s+la|a\s+l')\s*"
    r"(?:conseil|bureau|comite|commission|assemblee)[^\n]*:[ \t]*$", I | M)
PROPOSAL_ITEM = re.compile(r"[ \t]*(?:[-•–][ \t]+|(?=(?:de|d'|DE|D')[ \t]*[a-zA-Z]))")


def find_decision(doc: _Doc) -> re.Match | None:
    """The "Délibère" / "DÉCIDE" / "Après en avoir délibéré" line that opens the articles; failing that, in a
    text without article headings, the line putting proposals to the assembly when a list of them follows."""
    found = DECISION.search(doc.text)
    if found or ARTICLE_HEAD.search(doc.text):
        return found
    proposals = PROPOSALS.search(doc.text)
    return proposals if proposals and find_proposal_articles(doc, proposals.end(), len(doc.text)) else None


def find_proposal_articles(doc: _Doc, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The proposals after "il est proposé au conseil :", one a paragraph ("de créer … ;", "- d'approuver …"),
    numbered 1..n in the form of `find_articles`; they end at the first paragraph that is none."""
    out: list[tuple[int, int, int, int]] = []
    pos = start
    for block_start, block_end in split_ranges(doc.text, BLANK_LINE, start, end):
        head = PROPOSAL_ITEM.match(doc.text, block_start)
        if not doc.text[block_start:block_end].strip():
            continue
        if not head:
            break
        out.append((len(out) + 1, block_start, head.end(), block_end))
        pos = block_end
    return out if pos > start else []


def find_certification(doc: _Doc, after: int) -> re.Match | None:
    """The "Certifié conforme" / "Pour extrait conforme" / "Ainsi fait et délibéré" line."""
    return CERTIFICATION.search(doc.text, after)


# ---------------------------------------------------------------------------------------------
# Codes, object, rapporteur, exposé, visas
# ---------------------------------------------------------------------------------------------

DIGIT = r"[0-9OI]"  # OCR reads 0 as O and 1 as I inside codes
SERVICE_CODE = re.compile(
    rf"\b(?P<prefix>[A-Z]{{2,5}})[ \t]+(?P<number>{DIGIT}{{2,3}}[ \t]*-[ \t]*{DIGIT}{{3,6}})"
    rf"[ \t]*/[ \t]*(?P<year>{DIGIT}{{2}})[ \t]*/[ \t]*(?P<suffix>[A-Z]{{2,4}})\b"
)
REGISTRY_CODE = re.compile(
    rf"\b(?P<prefix>[A-Z]{{2,5}})[ \t]+(?P<year>{DIGIT}{{2}})[ \t]*/[ \t]*(?P<number>{DIGIT}{{3,6}})"
    r"[ \t]*/[ \t]*(?P<suffix>[A-Z]{2,4})\b"
)
# Marseille's registry numbers: "23/0145/VDV" (year / number / commission), no prefix.
CITY_REGISTRY_CODE = re.compile(
    rf"(?<![\w/-])(?P<year>{DIGIT}{{2}})/(?P<number>{DIGIT}{{4}})/(?P<suffix>[A-Z]{{2,5}})\b"
)
# A commune's registry number: "N° 087-200619", "DELIBERATION N° 2019/087", "Délibération n° 2021-045",
# or with the assembly's letters: "Délibération n° CS-2022-014" (comité syndical), "n° CC-2022-097".
NUMBER_CODE = re.compile(
    r"^[ \t]*(?:D[EÉ]LIB[EÉ]RATION|Deliberation|DCM|DEL|DELIB|Acte)?\s*(?:n|N)\s*[°o]\s*"
    r"(?P<number>(?:[A-Z]{1,5}[-_]?)?\d{2,4}[-/_.]\d{1,6}(?:[-/]\d{1,4})?)\b",
    M,
)
REFERENCE_BEFORE = re.compile(r"(?:deliberation|delib\.?|arrete|decision)\s*(?:n\s*[°o]\s*)?\s*$", I)


def _digits(s: str) -> str:
    return s.replace("O", "0").replace("I", "1").replace(" ", "").replace("\t", "")


def _code_year(two: str) -> int:
    yy = int(_digits(two))
    return 2000 + yy if yy < 70 else 1900 + yy


def _structured_code(m: re.Match, kind: str, s: int, e: int) -> Code:
    number = _digits(m.group("number"))
    year = _digits(m.group("year"))
    prefix = m.groupdict().get("prefix")
    if kind == "service":
        text = f"{prefix} {number}/{year}/{m.group('suffix')}"
    else:
        text = f"{prefix + ' ' if prefix else ''}{year}/{number}/{m.group('suffix')}"
    return Code(code=text, kind=kind, prefix=prefix, number=number, year=_code_year(year),
                body_suffix=m.group("suffix"), start=s, end=e)


def find_codes(doc: _Doc, header_end: int, visas_range: tuple[int, int] | None) -> list[Code]:
    """The deliberation's own codes: service code (`EMP 004-6064/19/BM`), registry code
    (`MET 19/11402/BM`, Marseille's `23/0145/VDV`), or a commune's number ("Délibération n° 2021-045").

    Codes quoted in the visas or after "délibération n°" elsewhere (`FAG 21-5718/19/CM`) belong to
    other deliberations and are left out. Codes in the header are preferred.
    """
    found: list[tuple[int, int, Code]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e, _ in found)

    for kind, pattern in (("service", SERVICE_CODE), ("registre", REGISTRY_CODE), ("registre", CITY_REGISTRY_CODE)):
        for m in pattern.finditer(doc.text):
            if visas_range and visas_range[0] <= m.start() < visas_range[1] or overlaps(m.start(), m.end()):
                continue
            before = doc.text[doc.line_start(m.start()):m.start()]
            if m.start() >= header_end and REFERENCE_BEFORE.search(before[-40:]):
                continue
            found.append((m.start(), m.end(), _structured_code(m, kind, *doc.raw_span(m.start(), m.end()))))
    for m in NUMBER_CODE.finditer(doc.text, 0, header_end):
        if overlaps(m.start("number"), m.end("number")):
            continue
        number = m.group("number")
        year = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", number)
        s, e = doc.raw_span(m.start("number"), m.end("number"))
        found.append((m.start(), m.end(), Code(code=number, kind="registre", number=number,
                                               year=int(year.group()) if year else None, start=s, end=e)))
    in_header = [item for item in found if item[0] < header_end]
    codes: list[Code] = []
    for _, _, code in sorted(in_header or found, key=lambda item: item[0]):
        if code.kind == "service" and any(c.kind == "service" for c in codes):
            continue  # one service code per deliberation; a second one is a quoted reference
        if code.code not in {c.code for c in codes}:
            codes.append(code)
    return codes


OBJECT_LABEL = re.compile(r"^[ \t]*(?:N[°o]\s*[\w/-]+\s*[-:]?\s*)?(?:OBJET|Objet|objet)\s*[:\-.]\s*", M)
LEADING_NOISE = re.compile(r"(?:[a-z]{1,2}\s+|[^\w«\"(]+\s*)(?=[A-Z])")
RAPPORTEUR = re.compile(
    r"soumet\s+(?:au|a\s+la|a\s+l')\s+[^:]{0,150}?rapport\s+suivant\s*:?"
    r"|^[ \t]*Rapporteur\s*:[^\n]*|^[ \t]*Sur\s+(?:le\s+)?rapport\s+d[e']\s*[^\n]{0,200}?:[ \t]*$"
    r"|^[^\n]{0,200}?\b(?:expose|rapporte|presente\s+le\s+rapport)\b[^\n]{0,120}:[ \t]*$",
    I | M,
)

RAPPORTEUR_OPENER = re.compile(r"^[ \t]*(?:Madame|Monsieur|Mme|M\.|Le|La|Sur)\b", M)


def find_rapporteur(doc: _Doc, after: int, before: int) -> Span | None:
    """"Madame la Présidente ... soumet au Bureau de la Métropole le rapport suivant :", "Rapporteur : M. X",
    "Monsieur le Maire expose au Conseil Municipal :" (whole paragraph)."""
    m = RAPPORTEUR.search(doc.text, after, before)
    if not m:
        return None
    line = doc.line_start(m.start())
    blank = list(BLANK_LINE.finditer(doc.text, after, line))
    paragraph = max(blank[-1].end() if blank else line, after)
    # The formula may start lines above the verb ("Madame la Présidente ... sur proposition du\nCommissaire
    # Rapporteur soumet ..."), but not before the object or the codes of the same paragraph.
    openers = [o.start() for o in RAPPORTEUR_OPENER.finditer(doc.text, paragraph, m.start()) if o.start() <= line]
    return doc.span(openers[-1] if openers else line, m.end())


def find_object(doc: _Doc, codes: list[Code], before: int) -> Span | None:
    """The title: after an "Objet :" label, else after the code line(s) (the Métropole layouts: service
    code, title, registry code, where a page break may split the title; or both codes, then the title).
    It ends at the next code, else at the end of its paragraph. Stray OCR marks before the first word
    ("m Attribution", an unclosed "« Attribution") are dropped."""
    code_ranges = sorted((doc.from_raw(c.start), doc.from_raw(c.end)) for c in codes)
    label = OBJECT_LABEL.search(doc.text, 0, before)
    if label:
        start = label.end()
    elif code_ranges:
        start = doc.line_end(code_ranges[0][1])
        for cs, ce in code_ranges[1:]:
            if not doc.text[start:cs].strip():  # a code line right below: skip it too
                start = doc.line_end(ce)
    else:
        return None
    start, _ = doc.trim(start, before)
    following = [cs for cs, _ in code_ranges if start < cs < before]
    end = following[0] if following else _object_end(doc, start, before)
    noise = LEADING_NOISE.match(doc.text, start, end)
    if noise:
        start = noise.end()
    if doc.text.startswith("«", start) and "»" not in doc.text[start:end]:
        start += 1
    return doc.span(start, end, " \t\r\n-")


# What follows a title: the rapporteur, the assembly, a code, a number, the first "Vu"...
AFTER_OBJECT = re.compile(
    r"[ \t]*(?:Rapporteur|RAPPORTEUR|Madame|Monsieur|Mme|M\.|Le|LE|La|LA|Les|Vu|VU|Sur|Par|N\s*[°o]|D[EeÉé]lib"
    r"|[A-Z]{2,5}\s+\d|Il\b|Consid)"
)


# What can only start a new paragraph, even after a single line break (a Word document's paragraphs are
# lines: "Objet : ...\nMonsieur le Maire rappelle que ...").
NEW_PARAGRAPH_LINE = re.compile(
    r"\n[ \t]*(?:(?:Madame|Monsieur|MADAME|MONSIEUR)\s+(?:l[ea]|L[EA])\s+(?:Maire|MAIRE|Pr[eé]sident|PR[EÉ]SIDENT)"
    r"|Rapporteur\b|RAPPORTEUR\b|(?:Vu|VU)\s|(?:Le|La|LE|LA)\s+(?:Conseil|CONSEIL|Commission|COMMISSION|Bureau"
    r"|BUREAU|Comit|COMIT))"
)
DANGLING_END = re.compile(r"(?:[,-]|\b(?:" + "|".join(re.escape(w) for w in DANGLING) + r"))[ \t]*$", I)


def _object_end(doc: _Doc, start: int, before: int) -> int:
    """A title runs over OCR's blank lines ("du Grand\n\nPort Maritime", "2019\n\n- Approbation") until a
    paragraph break followed by what comes after a title (AFTER_OBJECT), or a line that can only open a
    paragraph (NEW_PARAGRAPH_LINE) after a complete one, or `before`."""
    ends = [before]
    for m in PARAGRAPH_BREAK.finditer(doc.text, start):
        if m.start() >= before:
            break
        if AFTER_OBJECT.match(doc.text, m.end()):
            ends.append(m.start())
            break
    for m in NEW_PARAGRAPH_LINE.finditer(doc.text, start, before):
        if not DANGLING_END.search(doc.text, doc.line_start(m.start()), m.start()):
            ends.append(m.start())
            break
    return min(ends)


def find_expose(doc: _Doc, start: int | None, limit: int) -> Span | None:
    """Exposé des motifs: from the rapporteur formula to "Telles sont les raisons" (or, without it, to the
    assembly line "Le Conseil Municipal," / the first "Vu" / the decision)."""
    if start is None or start >= limit:
        return None
    ends = [limit]
    for pattern in (TELLES, ASSEMBLY_LINE, VISA_LINE):
        m = pattern.search(doc.text, start, limit)
        if m:
            ends.append(m.start())
    return doc.span(start, min(ends))


VISA_ITEM_END = re.compile(r"[;.][ \t]*\n|" + PARAGRAPH_BREAK.pattern + r"|\n(?=[ \t]*(?:Vu|VU)\b)")


def find_visas(doc: _Doc, start: int, limit: int) -> tuple[list[Span], tuple[int, int] | None]:
    """Each "Vu" item. Layouts: a lone "Vu" heading followed by items ending with ";" / "." (the
    Métropole layout), or one "Vu le ...;" per line (communes)."""
    head = VISA_LINE.search(doc.text, start, limit)
    if not head:
        return [], None
    stop = VISAS_END.search(doc.text, head.start(), limit)
    end = stop.start() if stop else limit
    items_start = head.start()
    if re.fullmatch(r"[ \t]*(?:Vu|VU|vu)[ \t]*[:,]?[ \t]*", doc.text[head.start():doc.line_end(head.start())]):
        items_start = doc.line_end(head.start()) + 1
    visas: list[Span] = []
    pos = items_start
    for m in VISA_ITEM_END.finditer(doc.text, items_start, end):
        span = doc.span(pos, m.start() + (1 if doc.text[m.start()] in ";." else 0))
        if span:
            visas.append(span)
        pos = m.end()
    span = doc.span(pos, end)
    if span:
        visas.append(span)
    return visas, (head.start(), end)


# ---------------------------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------------------------


def _article_number(token: str) -> int:
    return 1 if token.lower() in {"premier", "unique", "l", "i"} else int(token)


def find_articles(doc: _Doc, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(number, heading start, text start, end) in plain offsets, for "Article 1 :", "ARTICLE 1er -",
    "Art. 2.", "Article premier", "Article unique". An article runs to the next heading or `end`."""
    heads = list(ARTICLE_HEAD.finditer(doc.text, start, end))
    out = []
    for i, h in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        out.append((_article_number(h.group("num")), h.start(), h.end(), stop))
    return out


DASH_ITEM = re.compile(r"^[ \t]*[-•–][ \t]+(?=\S)", M)


def find_dash_articles(doc: _Doc, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """Decisions as a dashed list instead of numbered articles ("DÉCIDE :\n- d'attribuer ... ;\n- d'autoriser
    ... ;"), numbered 1..n in order, in the same form as `find_articles`. The list must follow the line
    that announces it (ending with ":") and ends at the first blank line after its last item."""
    items = list(DASH_ITEM.finditer(doc.text, start, end))
    if not items:
        return []
    before = doc.text[start:items[0].start()].rstrip()
    if before and not before.endswith(":"):
        return []
    out = []
    announcing = False  # the previous item ends with ":": the list or table below it is its own
    for i, item in enumerate(items):
        if i and not announcing and BLANK_LINE.search(doc.text, items[i - 1].end(), item.start()):
            break  # a later list is not part of the decisions
        stop = items[i + 1].start() if i + 1 < len(items) else end
        blank = BLANK_LINE.search(doc.text, item.end(), stop)
        announcing = bool(blank) and doc.text[item.end():blank.start()].rstrip().endswith(":")
        if announcing:  # "- accorde une aide … comme suit :\n\nLocataire  Redevance …\nPaul MARTIN 696,66 €"
            blank = BLANK_LINE.search(doc.text, blank.end(), stop)
        if blank:
            stop = blank.start()
        out.append((i + 1, item.start(), item.end(), stop))
    return out


def build_articles(doc: _Doc, raw_articles: list[tuple[int, int, int, int]]) -> list[Article]:
    articles = []
    for number, head, body, stop in raw_articles:
        hs, he = doc.trim(head, stop)
        bs, be = doc.trim(body, stop)
        s, e = doc.raw_span(hs, he)
        text = doc.plain.raw_slice(bs, be) if bs < be else ""
        articles.append(Article(number=number, text=text, start=s, end=e))
    return articles


# ---------------------------------------------------------------------------------------------
# Act type
# ---------------------------------------------------------------------------------------------

ACT_TYPES = [
    ("garantie_emprunt", re.compile(r"garantie\s+d'emprunt|garantie\s+(?:d'un|des?)\s+emprunts?|\bgarantie\b.*\bpret", I)),
    ("avenant", re.compile(r"\bavenant", I)),
    ("subvention", re.compile(r"\bsubvention|participation\s+financiere|\bsubventionn", I)),
    # lower-case "marché": "le Marché Paysan de la Côte Bleue" is a name
    ("marche", re.compile(r"\bmarches?\b(?!\s+(?:de\s+)?noel)|^March|(?i:accord-?\s*cadre|appel\s+d'offres)")),
    ("acquisition", re.compile(r"\bacqui(?:sition|erir)|\bcession\b|\bceder\b|echange\s+foncier|\bfonci", I)),
    ("tarifs", re.compile(r"\btarif|\bredevance|\bdroits\s+de\s+place|\bprix\s+(?:de|des)\b", I)),
    ("designation", re.compile(r"\bdesignation|\bdesigner\b|\brepresentants?\b", I)),
    ("convention", re.compile(r"\bconvention", I)),
]


def classify(object_text: str | None, articles: list[Article]) -> str:
    """Act type from the object (title) first, then from the articles. In a title that names two acts,
    the first named is the act ("Attribution d'une subvention ... - Avenant n° 1 à la convention" grants
    a subsidy; "Avenant n° 2 ... - Participation 2022" amends); a convention is the act only when
    nothing else is named."""
    for text in (object_text, " ".join(a.text for a in articles)):
        if not text:
            continue
        plain = Plain(clean(text)).text
        found = [(m.start(), rank, act) for rank, (act, pattern) in enumerate(ACT_TYPES)
                 if act != "convention" and (m := pattern.search(plain))]
        if found:
            return min(found)[2]
        if ACT_TYPES[-1][1].search(plain):
            return "convention"
    return "autre"


# ---------------------------------------------------------------------------------------------
# The whole document
# ---------------------------------------------------------------------------------------------

MANDATORY_WARNINGS = {
    "body": "Assemblée délibérante (Bureau, Conseil…) introuvable.",
    "session_date": "Date de séance introuvable.",
    "object": "Objet de la délibération introuvable.",
    "articles": "Aucun article trouvé dans le dispositif.",
    "vote": "Résultat du vote introuvable.",
    "signatory": "Signataire (« Certifié conforme ») introuvable.",
}


def parse(raw_text: str, *, id: str, source: str, path: str | None = None) -> Deliberation:
    """Parse one extract. Raises NotAnExtract when the text is not one. Pure: no I/O."""
    doc = _Doc(raw_text or "")
    check_extract(doc)
    return parse_doc(doc, id=id, source=source, path=path)[0]


def read_header(doc: _Doc, header_end: int) -> dict:
    """The header's fields of a record: body, authority, session, president, attendance."""
    body, body_label = find_body(doc, header_end)
    authority = find_authority(doc, body, header_end)
    session_date, session_span = find_session(doc, header_end)
    present_count, present_count_span = find_present_count(doc, header_end)
    present, represented, excused = find_attendance(doc, header_end)
    return {
        "authority": authority, "body": body, "body_label": municipal_label(body, authority) or body_label,
        "session_date": session_date, "session_span": session_span, "president": find_president(doc, header_end),
        "present_count": present_count, "present_count_span": present_count_span,
        "present": present, "represented": represented, "excused": excused,
    }


def parse_doc(doc: _Doc, *, id: str, source: str, path: str | None = None) -> tuple[Deliberation, int]:
    """The record of one deliberation's text, and where its header ends (plain offset)."""
    raw_text = doc.raw
    text, n = doc.text, len(doc.text)

    # Landmarks. The header ends where the report starts: the rapporteur formula, else the first of
    # "Telles sont les raisons", a visa, the decision marker or an article heading.
    decision = find_decision(doc)
    first_heading = ARTICLE_HEAD.search(text)
    first_visa, telles = VISA_LINE.search(text), TELLES.search(text)
    report_start = min([m.start() for m in (decision, first_heading, first_visa, telles) if m] or [n])
    rapporteur = find_rapporteur(doc, 0, report_start)
    header_end = doc.from_raw(rapporteur.start) if rapporteur else report_start
    decision_start = decision.start() if decision else (first_heading.start() if first_heading else n)

    header = read_header(doc, header_end)

    # Report: visas first, to keep the codes they quote out of ours.
    expose_start = doc.from_raw(rapporteur.end) if rapporteur else None
    visas, visas_range = find_visas(doc, expose_start or header_end, decision_start)
    if not visas and decision:  # "La Commission permanente, après en avoir délibéré,\nVu ...;\nARTICLE 1er"
        after = ARTICLE_HEAD.search(text, decision.end())
        visas, visas_range = find_visas(doc, decision.end(), after.start() if after else n)
    codes = find_codes(doc, header_end, visas_range)
    obj = find_object(doc, codes, header_end)
    if expose_start is None and obj:
        expose_start = doc.from_raw(obj.end)
    expose = find_expose(doc, expose_start, visas_range[0] if visas_range else decision_start)

    # Decision: the articles run from the decision marker to the vote (or the certification).
    articles_from = decision.end() if decision else (visas_range[1] if visas_range else header_end)
    certification = find_certification(doc, articles_from)
    tail_end = certification.start() if certification else n
    heads = [(h.start(), h.end()) for h in ARTICLE_HEAD.finditer(text, articles_from, tail_end)]
    dashed = [] if heads else (find_proposal_articles(doc, articles_from, tail_end) if decision and
                               PROPOSALS.match(doc.text, decision.start()) else find_dash_articles(doc, articles_from, tail_end))
    heads = heads or [(head, body) for _, head, body, _ in dashed]
    vote = find_vote(doc, heads[-1][1] if heads else articles_from, tail_end, decision)
    if vote is None and heads and heads[0][0] > articles_from:  # "DÉCIDE, à l'unanimité :" before the articles
        vote = find_vote(doc, articles_from, heads[0][0], None)
    vote_start = doc.from_raw(vote.start) if vote else n
    articles_end = vote_start if heads and vote_start > heads[-1][0] else tail_end
    raw_articles = dashed or find_articles(doc, articles_from, articles_end)
    articles = build_articles(doc, raw_articles)
    amounts = find_amounts(doc, raw_articles, [obj, rapporteur, expose, *visas])
    amounts += table_amounts(doc, raw_articles, amounts)
    decision_from = decision.end() if decision else (raw_articles[0][1] if raw_articles else None)
    amounts = mark_granted(amounts, expose, doc.raw_span(decision_from, decision_from)[0]
                           if decision_from is not None else None)
    act_type = classify(obj.text if obj else None, articles)
    article_bodies = [(start, stop) for _, _, start, stop in raw_articles]

    record = Deliberation(
        id=id, source=source, path=path, raw_text=raw_text,
        content_hash=hashlib.sha256(raw_text.encode("utf-8")).hexdigest(), **header,
        codes=codes, object=obj, act_type=act_type,
        rapporteur=rapporteur, expose=expose, visas=visas, articles=articles,
        amounts=amounts, beneficiaries=find_beneficiaries(doc, amounts, raw_articles, act_type),
        cofinancers=find_cofinancers(doc),
        budget=find_budget(doc, article_bodies or [(decision.end() if decision else 0, n)]),
        vote=vote,
        signatory=find_signatory(doc, certification, doc.from_raw(vote.end) if vote else articles_end),
    )
    record.warnings = [msg for field, msg in MANDATORY_WARNINGS.items() if not getattr(record, field)]
    return record, header_end
