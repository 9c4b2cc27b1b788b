"""Money: every sum with its beneficiary, purpose and year, the beneficiaries, the co-financers and the
budget imputation.

An amount is read in its sentence, its list line or its table row (`tables` reads the grant tables whose
amounts print no currency). All ranges are plain offsets of a `_Doc`; the records hold raw spans.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.ingest.text import (
    BLANK_LINE,
    SENTENCE_BREAK,
    _Doc,
    ocr_word,
    sentence_around,
    split_ranges,
)
from assistant.models import Amount, Budget, Span
from assistant.textnorm import match_key

I, M = re.IGNORECASE, re.MULTILINE


# ---------------------------------------------------------------------------------------------
# Amounts, with their beneficiary, purpose and year
# ---------------------------------------------------------------------------------------------

AMOUNT = re.compile(
    # "465 000.00 €" and "2 429, 60 € HT" (a text layer's space) are decimals too; OCR may lose the first
    # space ("1000 000 €", read unless its first group looks like a year); a number never starts "00".
    r"(?<![\d.,])(?!0\d)(?P<num>(?:\d{1,3}|(?!19|20)[1-9]\d{3})(?:[ .]\d{3})+(?:,[ ]?\d{1,2}|\.\d{2}(?!\d))?"
    r"|\d+(?:[.,]\d{1,2})?)"
    r"(?P<mult>\s*millions?\s+d')?[ \t]*\n?[ \t]*(?P<cur>€|(?i:euros?)\b|EUR\b)"
    r"(?P<qual>[ \t]*(?:HT\b|H\.T\.?|(?i:hors\s+taxes?)\b|TTC\b|T\.T\.C\.?|(?i:toutes\s+taxes\s+comprises)"
    r"|(?i:net)\b))?"
    r"(?P<per>\s*(?:(?i:par\s+an)\b|/\s*an\b|(?i:annuels?)\b|(?i:par\s+annee)\b))?"
)

ORGANISATION_NOUNS = "|".join(ocr_word(w) for w in (
    "association", "entreprise", "etablissement", "organisme", "societe", "structure", "groupement"))
# Company forms printed before the name, part of it: "à la SARL Les Jardins du Moulin", "la SCI LES PINS".
LEGAL_FORMS = r"(?:SARL|SCI|SAS|SASU|SA|EURL|SEM|SEML|SPL|SCOP|SCIC|SNC|GIE|EPIC|OPH|SCCV)(?=\s)"
BENEFICIARY_NOUN = re.compile(
    r"\b(?i:a|au|aux|au\s+profit\s+de|en\s+faveur\s+de|aupres\s+de|et|avec|entre|de)\s+"
    r"(?:[lI1|]?'+\s*|l(?=[a-z])|(?i:la|le|les)\s+)?"  # "l'", "I'", "'" (lost l), "l" (lost apostrophe)
    rf"(?P<noun>(?i:{ORGANISATION_NOUNS})(?:\s+public)?|{LEGAL_FORMS})s?\s+"
    r"(?=[A-Z0-9«\"'])"
)
BENEFICIARY_GENERIC = re.compile(
    rf"(?:\b(?:au\s+profit\s+(?:de|du|des)|en\s+faveur\s+(?:de|du|des)|{ocr_word('attribu')}\w*\s+(?:a|au|aux)"
    r"|verse\w*\s+(?:a|au|aux)|allou\w*\s+(?:a|au|aux)|accord\w*\s+(?:a|au|aux)"
    r"|(?:souscrit|contracte)e?s?\s+par|(?P<weak>aupres\s+(?:de|du|des))"
    r"|(?:subvention|participation|aide|contribution|avance)s?(?:\s+(?:de\s+fonctionnement|d'investissement"
    r"|d'equipement|exceptionnelle))?\s+(?:a|au|aux))"
    r"|(?:\b(?i:euros?)\b|€|\bEUR\b)\s+(?:a|au|aux))\s+"  # "20 000 euros à la Compagnie X"
    r"(?:(?:la|le|les|[lI1|]?'+)\s*|l(?=[A-Z]))?(?![lI1|]?'+[a-z])(?=[A-Z«\"]|\d+\s+[A-Z])"
)
# A partner: "la convention ... entre la Métropole et la Caisse d'Allocations Familiales ... relative à ..."
BENEFICIARY_PARTNER = re.compile(
    r"\bentre\s+(?:la|le|l')\s*[^,;.\n]{0,60}?\s+et\s+(?:(?:la|le|les|[lI1|]?'+)\s*|l(?=[A-Z]))?(?![lI1|]?'+[a-z])"
    r"(?=[A-Z])"
)
SUBVENTION, MONTANT, RELATIVE = ocr_word("subvention"), ocr_word("montant"), ocr_word("relati")
BENEFICIARY_STOP = re.compile(
    rf"\s+(?:d'+\s*'?une?\s+(?:{MONTANT}|somme|{SUBVENTION}|valeur|aide|participation)|une?\s+(?:{SUBVENTION}|{MONTANT}"
    r"|somme|aide|participation|avance|contribution)|(?:d'un|d'une|de|du)\s+(?:montant|somme)"
    r"|pour\b(?!\s+(?:[lI1]?'+|la\s|le\s|les\s)?[A-Z])"  # but "Association Régionale pour l'Insertion ..."
    rf"|{RELATIVE}(?:ve|f)s?\b|au\s+titre\b|dans\s+le\s+cadre\b|afin\b|sise?s?\b|situee?s?\b|domicili|represente"
    r"|en\s+vue\b|correspondant|portant\b|a\s+hauteur\b|dont\b|qui\b|ayant\b|concernant\b|visant\b"
    r"|moyennant\b|selon\b|conformement\b|sur\s+(?:la|le|les)\b|de\s+\d|en\s+(?:date|application)\b"
    r"|est\b|sont\b|ci-annexee?|aupres\b|soit\b|une?\s+(?:convention|avenant|contrat|bail)\b)"
    r"|\s+(?:de\s+la|des|du|d'une?|de\s+l')\s+(?:parcelles?|terrains?|biens?|immeubles?|lots?|proprietes?"
    r"|locaux|local|batiments?|emprises?|tenements?|delaisses?|volumes?|fonds|droits?)\b"  # a seller: "la SCI X de la parcelle ..."
    r"|\s*[,;:(]|\.(?=\s|$)|\s+-\s|\s*»\s*(?:[,;.]|$)|" + SENTENCE_BREAK.pattern
)
# A name in capitals ends where lower-case words start: "SCI LES OLIVIERS de la parcelle ...".
CAPITALS_NAME = re.compile(r"(?:[A-Z][A-Z'&-]*\s+)+[A-Z][A-Z'&-]*(?=\s+[a-z])")
PURPOSE = re.compile(
    r"\b(?:(?:pour|dans\s+le\s+cadre\s+d[eu]|afin\s+de)\s+|dans\s+le\s+cadre\s+d'|afin\s+d')"
    r"(?!(?:[lI1]'\s*(?:annee|exercice)|l'annee|un\s+montant|une\s+somme|un\s+total|la\s+periode|une\s+duree"
    r"|la\s+duree|\d|un\s+an)\b)"
)
PURPOSE_END = re.compile(
    r"\s+(?:pour|au\s+titre\s+de)\s+[lI1]'\s*(?:annee|exercice)|[.;](?=\s|$)|\s*\(|,\s|" + SENTENCE_BREAK.pattern
)


def _parse_cents(m: re.Match) -> int:
    num = m.group("num").replace(" ", "")
    if re.search(r"\.\d{2}$", num) and not re.search(r"\.\d{3}\.", num):  # "465000.00": a decimal point
        num = num.replace(",", "")
    elif "," in num:
        num = num.replace(".", "").replace(",", ".")
    elif re.search(r"\.\d{3}(?:\.|$)", num):
        num = num.replace(".", "")
    value = Decimal(num)
    if m.group("mult"):
        value *= 1_000_000
    return int((value * 100).to_integral_value())


def _qualifier(m: re.Match) -> str | None:
    q = (m.group("qual") or "").strip().lower()
    if not q:
        return None
    if q.startswith(("ht", "h.t", "hors")):
        return "HT"
    if q.startswith(("ttc", "t.t.c", "toutes")):
        return "TTC"
    return "net"


# Legal forms that are part of the name: "la Société Anonyme d'HLM X" keeps "Société".
NAME_WITH_NOUN = re.compile(r"(?:Anonyme|Civile|Cooperative|Publique|Nationale|Immobiliere|d'|du\s|des\s)", I)
# The authority itself ("à la Métropole", "la Commune") is no beneficiary; "la Commune de Fos-sur-Mer" can be.
NOT_A_BENEFICIARY = re.compile(
    r"(?:Me+tropole|Ville|Commune|Departement|Region)\b(?!\s+(?:de|d'|du|des)\s*[A-Z])|(?:Budget|Etat)\b", I
)


def beneficiary_mentions(doc: _Doc, lo: int, hi: int, *, generic: bool = True) -> list[tuple[int, int, int, bool]]:
    """(mention start, name start, name end, weak) of every beneficiary mention in [lo, hi): "à l'association
    X", "à la société X", "entre la Métropole et X" (these three only when `generic` is false), "au profit de
    X", "attribuée à X", "une subvention au X", "souscrit par X", and, weak (a seller or a lender, used when
    nothing else is named), "auprès de la SCI X". The name runs to the first stop word ("d'un montant",
    "pour", "relative", ",", ...). Overlapping mentions keep the longest name."""
    found: dict[int, tuple[int, int, int, bool]] = {}
    patterns = (BENEFICIARY_NOUN, BENEFICIARY_PARTNER, BENEFICIARY_GENERIC)
    for pattern in patterns if generic else patterns[:2]:
        for m in pattern.finditer(doc.text, lo, hi):
            name_start = m.end()
            noun = m.groupdict().get("noun") and m.start("noun")
            if noun and (doc.text[noun].isupper() or NAME_WITH_NOUN.match(doc.text, m.end())):
                name_start = noun  # "l'Association Régionale ...", "la société Anonyme d'HLM ..." are names
            stop = BENEFICIARY_STOP.search(doc.text, m.end())
            name_end = min(stop.start() if stop else hi, hi, m.end() + 160)
            capitals = CAPITALS_NAME.match(doc.text, name_start, name_end)
            if capitals:
                name_end = capitals.end()
            s, e = doc.trim(name_start, name_end, " \t\r\n«»\"',.")
            if e - s < 2 or NOT_A_BENEFICIARY.match(doc.text, s):
                continue
            weak = bool(m.groupdict().get("weak"))
            if e not in found or s < found[e][1]:
                found[e] = (m.start(), s, e, weak)
    return sorted(found.values())


def beneficiary_in(doc: _Doc, lo: int, hi: int, near: int | None = None) -> tuple[int, int] | None:
    """Plain range of the beneficiary of [lo, hi): the strong mention nearest before `near`, else the first
    strong one, else the first weak one."""
    mentions = beneficiary_mentions(doc, lo, hi)
    strong = [x for x in mentions if not x[3]] or mentions
    if not strong:
        return None
    before = [x for x in strong if near is not None and x[0] < near]
    return (before[-1] if before else strong[0])[1:3]


# "- Comité des Fêtes de Salon-de-Provence : 31 500 euros", "- Lot n° 1 : SOMEDAS, pour un montant de ..."
BULLET = re.compile(r"^[ \t]*(?:[-•*»]|e(?=[ \t]+[A-Z]))[ \t]+", M)
LIST_ITEM_NAME = re.compile(
    r"(?:Lot\s+n\s*[°o]?\s*\d+\s*(?:\([^)\n]*\)\s*)?:\s*)?"  # "Lot n° 1 (réseaux électriques) :"
    r"(?:(?:la\s+)?(?i:societe|entreprise|groupement)\s+(?=[A-Z]))?"  # "société SPIE ..." keeps the name
    r"(?P<name>[A-Z0-9«][^:\n;]*?)\s*(?::\s*(?=\d)|,\s*pour\b|,\s*(?=\d)|\s-\s+(?=\d))"
)


def list_item_at(doc: _Doc, pos: int, lo: int) -> tuple[int, int] | None:
    """(bullet start, text start) of the list item holding `pos`, if `pos` is in one."""
    bullets = list(BULLET.finditer(doc.text, lo, pos))
    if not bullets or BLANK_LINE.search(doc.text, bullets[-1].start(), pos):
        return None
    if doc.text.count("\n", bullets[-1].start(), pos) > 2:
        return None
    return bullets[-1].start(), bullets[-1].end()


# Table rows: cells apart by a column gap (two spaces or more, as a PDF's text layer lays them out) or by
# " | " (the loader's .docx tables). "2022_01611   LES SUDS A ARLES   Festival 2022   52 500,00 €".
CELL_GAP = re.compile(r"[ \t]{2,}|[ \t]*\|[ \t]*")
# The column that names who gets the money, in a table's heading row.
NAME_COLUMN = re.compile(r"benefici|association|organisme|structure|attributaire|titulaire|societe|entreprise"
                         r"|\bnom\b|raison\s+sociale|porteur|commune", I)
TOTAL_CELL = re.compile(r"(?:sous-?\s*)?total\b|montant\b", I)


def _cells(doc: _Doc, ls: int, le: int) -> list[tuple[int, int]]:
    return [r for r in (doc.trim(a, b) for a, b in split_ranges(doc.text, CELL_GAP, ls, le)) if r[0] < r[1]]


def table_row_at(doc: _Doc, amount: re.Match, lo: int) -> tuple[int, int] | None:
    """(line start, line end) of the table row holding `amount`: a line of two cells or more whose amount
    is a cell of its own ("95 000,00 €", "4,20 € TTC")."""
    ls, le = doc.line_start(amount.start()), doc.line_end(amount.start())
    if ls < lo:
        return None
    cells = _cells(doc, ls, le)
    own = any(a <= amount.start() and doc.trim(amount.start(), amount.end())[1] >= b - 1 for a, b in cells)
    if len(cells) < 2 or not own:
        return None
    return ls, le


def table_name(doc: _Doc, row: tuple[int, int], amount: re.Match, lo: int) -> tuple[int, int] | None:
    """Plain range of the name cell of a table row: the column headed "Bénéficiaire" / "Association" /
    ... in the heading row above (the nearest line without an amount), else the first cell with words.
    A "Total" row names nobody."""
    cells = [c for c in _cells(doc, *row) if not (c[0] <= amount.start() < c[1])]
    worded = [c for c in cells if re.search(r"[A-Za-z]{3}", doc.text[c[0]:c[1]])]
    if not worded or TOTAL_CELL.match(doc.text, worded[0][0]):
        return None
    pos = row[0]
    while pos > lo:  # up to the heading row
        ls = doc.line_start(pos - 1)
        line = doc.text[ls:pos - 1]
        if not line.strip() or not AMOUNT.search(line):
            heading = _cells(doc, ls, pos - 1)
            columns = [i for i, (a, b) in enumerate(heading) if NAME_COLUMN.search(doc.text, a, b)]
            full = _cells(doc, *row)
            if columns and len(heading) == len(full) and line.strip():
                cell = full[columns[0]]
                return cell if not (cell[0] <= amount.start() < cell[1]) else None
            break
        pos = ls
    return worded[0]


# A row whose cells lost their gaps: "Paul MARTIN 696,66 € 15 janvier 2021 au 14 janvier 2022", the name first.
# (one space between the name's words: a column gap would put another column in the name)
ROW_NAME = re.compile(r"[ \t]*(?P<name>[A-Z][\w'’.&-]*(?: (?:de|du|des|d'|la|le|les|et|[A-Z0-9][\w'’.&-]*)){0,7})[ \t]+$")


def name_row_at(doc: _Doc, amount: re.Match, lo: int, hi: int) -> tuple[int, int, tuple[int, int] | None] | None:
    """(line start, line end, name range or None) of a table row whose cells lost their gaps: its line
    holds one amount after nothing but a name (or "Total"), and a line next to it is such a row too."""

    def row_name(ls: int) -> tuple[int, int] | None | bool:
        """The name range of the row at `ls`, None for a total, False when the line is no such row."""
        le = doc.line_end(ls)
        found = list(AMOUNT.finditer(doc.text, ls, le))
        if len(found) != 1 or not lo <= ls < hi:
            return False
        named = ROW_NAME.fullmatch(doc.text, ls, found[0].start())
        if not named:
            return False
        return None if TOTAL_CELL.match(doc.text, named.start("name")) else doc.trim(*named.span("name"))

    ls = doc.line_start(amount.start())
    name = row_name(ls)
    if name is False:
        return None
    above = row_name(doc.line_start(ls - 1)) if ls > lo else False
    below_start = doc.line_end(ls) + 1
    below = row_name(below_start) if below_start < hi else False
    if above is False and below is False:
        return None
    return ls, doc.line_end(ls), name


ELIDED_L = r"(?:[lI1]'?|')?\s*"  # "l'", OCR's "I'", a lost "l" ("'année") or a lost apostrophe ("lannée")
# A list of grants, not of prices: "Sont attribuées les subventions suivantes :", "... les lots suivants :".
GRANTS = re.compile(r"attribu|subvention|\blots?\b|\bverse|allou|repartition|beneficiaire|\baccord", I)
LIST_INTRO_END = re.compile(r":[ \t]*\n")


def list_intro(doc: _Doc, item_start: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence that introduces the list holding the item at `item_start` (it ends with a colon)."""
    colons = list(LIST_INTRO_END.finditer(doc.text, lo, item_start))
    if not colons:
        return lo, item_start
    return sentence_around(doc, colons[-1].start(), lo, hi)


YEAR = re.compile(
    rf"(?:pour\s+{ELIDED_L}annee|au\s+titre\s+de\s+(?:{ELIDED_L}(?:annee|exercice)\s+)?|{ELIDED_L}exercice"
    r"|\bannee)\s*(?P<year>(?:19|20)\d{2})\b",
    I,
)


def year_of(doc: _Doc, amount: re.Match, lo: int, hi: int) -> int | None:
    """The year a phrase ("pour l'année 2019", "au titre de l'exercice 2019") gives the amount in [lo, hi).
    With several amounts and years ("soit 7 500 euros pour l'année 2019, 7 500 euros pour l'année 2020"),
    each amount takes the year that follows it before the next amount; a total before them takes none."""
    years = list(YEAR.finditer(doc.text, lo, hi))
    if not years:
        return None
    following = AMOUNT.search(doc.text, amount.end(), hi)
    next_amount = following.start() if following else hi
    after = [y for y in years if amount.end() <= y.start() < next_amount]
    if after:
        return int(after[0].group("year"))
    if len(years) == 1 and (years[0].start() < amount.start() or not following):
        return int(years[0].group("year"))
    return None


def purpose_in(doc: _Doc, lo: int, hi: int, beneficiary: tuple[int, int] | None) -> str | None:
    """"pour son projet ACTE'INOV", "dans le cadre de ...", outside the beneficiary's name."""
    for p in PURPOSE.finditer(doc.text, lo, hi):
        if beneficiary and beneficiary[0] <= p.start() < beneficiary[1]:
            continue
        stop = PURPOSE_END.search(doc.text, p.end(), hi)
        end = stop.start() if stop else hi
        if end - p.end() >= 3:
            return doc.value(p.start(), end)
    return None


# "montant annuel de", "montant annuel maximum de", "participation annuelle à", "par an de".
PER_YEAR_BEFORE = re.compile(
    r"(?:annuel(?:le)?|par\s+an)\s+(?:(?:maxim|minim|estimati|previsionnel|global)\w*\s+)?"
    r"(?:(?:est|sont)\s+(?:fixee?s?|portee?s?)\s+)?(?:de\s+|a\s+|d'un\s+montant\s+de\s+)?$",  # "loyer annuel est fixé à"
    I,
)


def find_amounts(
    doc: _Doc, raw_articles: list[tuple[int, int, int, int]], parts: list[Span | None] | None = None
) -> list[Amount]:
    """Every sum of money ("20 000 euros", "20 000€", "12 345,67 euros HT", "1.500.000 €", "1,5 million
    d'euros", "... par an", "montant annuel de ...") with the beneficiary, purpose and year stated in its
    sentence, or in its list line ("- Lot n° 1 : SOMEDAS, pour un montant de ...", the year then coming
    from the sentence that introduces the list), or in its table row (the name from the "Bénéficiaire"
    column). A sentence never runs out of its part (article, exposé, object...: `parts`), so that in a Word
    document, whose paragraphs are lines, the exposé's first sentence does not take in the title."""
    bounds = sorted((doc.from_raw(p.start), doc.from_raw(p.end)) for p in parts or [] if p)
    amounts = []
    for m in AMOUNT.finditer(doc.text):
        article = next((a for a in raw_articles if a[1] <= m.start() < a[3]), None)
        part = next(((a, b) for a, b in bounds if a <= m.start() < b), (0, len(doc.text)))
        lo, hi = (article[2], article[3]) if article else part
        item = list_item_at(doc, m.start(), lo)
        named_row = None if item else name_row_at(doc, m, lo, hi)
        row = None if item or named_row else table_row_at(doc, m, lo)
        if named_row:
            ss, se, name = named_row
            intro = list_intro(doc, ss, lo, hi)
            grants = GRANTS.search(doc.text, *intro)
            beneficiary = name if grants else None
            year = year_of(doc, m, ss, se) or year_of(doc, m, *intro)
        elif row:
            ss, se = row
            intro = list_intro(doc, row[0], lo, hi)
            grants = GRANTS.search(doc.text, *intro)
            beneficiary = table_name(doc, row, m, lo) if grants else None
            year = year_of(doc, m, ss, se) or year_of(doc, m, *intro)
        elif item:
            ss, se = item[0], doc.line_end(m.end())
            intro = list_intro(doc, item[0], lo, hi)
            grants = GRANTS.search(doc.text, *intro) or re.match(r"Lot\b", doc.text[item[1]:item[1] + 3], I)
            named = LIST_ITEM_NAME.match(doc.text, item[1], m.end()) if grants else None
            beneficiary = doc.trim(*named.span("name")) if named else beneficiary_in(doc, ss, se, near=m.start())
            year = year_of(doc, m, ss, se) or year_of(doc, m, *intro)
        else:
            grants = None
            ss, se = sentence_around(doc, m.start(), lo, hi)
            beneficiary = beneficiary_in(doc, ss, se, near=m.start())
            year = year_of(doc, m, ss, se)
        per_year = bool(m.group("per")) or bool(PER_YEAR_BEFORE.search(doc.text, max(ss, m.start() - 40), m.start()))
        s, e = doc.raw_span(m.start(), m.end())
        sent_s, sent_e = doc.raw_span(*doc.trim(ss, se))
        amounts.append(Amount(
            cents=_parse_cents(m), qualifier=_qualifier(m), per_year=per_year,
            beneficiary=doc.value(*beneficiary) if beneficiary else None,
            purpose=purpose_in(doc, ss, se, beneficiary), year=year,
            article=article[0] if article else None, start=s, end=e,
            sentence_start=sent_s, sentence_end=sent_e, granted=True if article or grants else None,
        ))
    return amounts


def mark_granted(amounts: list[Amount], expose: Span | None, decision_from: int | None) -> list[Amount]:
    """Say which amounts the deliberation grants, once its parts are known (raw offsets): those after
    the decision marker are granted; a sentence of the exposé is not, when a decision part exists to
    grant instead (a sum the exposé recalls, a cost, or a sentence telling the reader what to answer)."""
    for a in amounts:
        if a.granted:
            continue
        if decision_from is not None and a.start >= decision_from:
            a.granted = True
        elif decision_from is not None and expose and expose.start <= a.start < expose.end:
            a.granted = False
    return amounts


def table_amounts(doc: _Doc, raw_articles: list[tuple[int, int, int, int]], found: list[Amount]) -> list[Amount]:
    """The rows of grant tables whose amounts print no currency (`tables`), each with its row as its quote."""
    from assistant.ingest.tables import grant_rows

    taken = {(a.start, a.end) for a in found}
    out = []
    for row in grant_rows(doc):
        s, e = doc.raw_span(*row.number)
        if (s, e) in taken:
            continue
        article = next((a for a in raw_articles if a[1] <= row.number[0] < a[3]), None)
        ss, se = doc.raw_span(*row.row)
        out.append(Amount(cents=row.cents, beneficiary=doc.value(*row.name) if row.name else None,
                          article=article[0] if article else None, start=s, end=e, sentence_start=ss, sentence_end=se,
                          granted=True))
    return out


# ---------------------------------------------------------------------------------------------
# Beneficiaries and co-financers
# ---------------------------------------------------------------------------------------------


def find_beneficiaries(
    doc: _Doc, amounts: list[Amount], raw_articles: list[tuple[int, int, int, int]], act_type: str
) -> list[str]:
    """Distinct beneficiaries as printed in the articles: those granted an amount first, then the
    organisations named with their legal noun ("la convention avec l'association X") or as partners
    ("entre la Métropole et X"). Tarifs and désignations have none (the bodies they name get nothing)."""
    if act_type in ("tarifs", "designation"):
        return []
    names = [a.beneficiary for a in amounts if a.beneficiary and (a.article is not None or not raw_articles)]
    for _, _, body, stop in raw_articles:
        names.extend(doc.value(s, e) for _, s, e, _ in beneficiary_mentions(doc, body, stop, generic=False))
    distinct: dict[str, str] = {}
    for name in names:
        distinct.setdefault(match_key(name), name)
    return list(distinct.values())


COFINANCING = re.compile(r"\bco-?\s*f\w{0,2}nanc\w*|\bautres\s+financeurs|\bpartenaires\s+financiers", I)
COFINANCER_SPLIT = re.compile(r"\s*,\s*|\s+et\s+(?=(?:le|la|les|[lI]?')?\s*[A-Z])")
COFINANCER_TRIM = re.compile(r"\s*\(|\s*:\s*\d")
COFINANCERS_INTRO = re.compile(r"\bpar\b|:|\bde\s+(?=(?:la|le|l')\s*[A-Z])")
LEADING_ARTICLE = re.compile(r"(?:entre\s+autres?\s+)?(?:(?:par\s+)?(?:le|la|les|[lI]?'|du|des|de\s+la)\s*)?", I)


def find_cofinancers(doc: _Doc) -> list[Span]:
    """Co-financers named in "cofinancé ... par le Fonds Social Européen, la Ville de Marseille et la Région
    Sud — Provence-Alpes-Côte d'Azur" (names without their article) or "Autres financeurs : ..."."""
    spans: dict[str, Span] = {}
    for m in COFINANCING.finditer(doc.text):
        _, sentence_end = sentence_around(doc, m.start(), 0, len(doc.text))
        intro = COFINANCERS_INTRO.search(doc.text, m.end(), sentence_end)
        if not intro:
            continue
        for s, e in split_ranges(doc.text, COFINANCER_SPLIT, intro.end(), sentence_end):
            s, e = doc.trim(s, e, " \t\r\n.;")
            s = LEADING_ARTICLE.match(doc.text, s, e).end()
            cut = COFINANCER_TRIM.search(doc.text, s, e)
            s, e = doc.trim(s, cut.start() if cut else e, " \t\r\n.;")
            if e - s >= 3 and doc.text[s].isupper():
                span = doc.span(s, e)
                spans.setdefault(match_key(span.text), span)
    return list(spans.values())


# ---------------------------------------------------------------------------------------------
# Budget imputation
# ---------------------------------------------------------------------------------------------

BUDGET_CUE = re.compile(r"\bbudget\b|\bchapitre\s*:?\s*\d|\bnature\s*:?\s*\d|\bfonction\s*:?\s*\d"
                        r"|sous-?\s*politique|\bimput", I)
BUDGET_FIELDS = {
    "budget": re.compile(
        r"budget\s+(?:de\s+)?(?P<v>fonctionnement|investissement|principal|primitif|supplementaire"
        r"|annexe(?:\s+(?:de\s+l'|du\s+|des\s+|de\s+la\s+)?[a-z]+)?)|section\s+d'(?P<v2>investissement|fonctionnement)",
        I),
    "year": re.compile(r"(?:budget|exercice)[^.;]{0,40}?\b(?P<v>(?:19|20)\d{2})\b", I),
    "fonction": re.compile(r"\bfonction\s*:?\s*(?P<v>\d[\d.]*\d|\d)", I),
    "nature": re.compile(r"\b(?:nature|compte)\s*:?\s*(?P<v>\d[\d.]*\d|\d)", I),
    "sous_politique": re.compile(r"sous-?\s*politique\s*:?\s*(?P<v>[A-Z]?\d+[A-Z0-9]*)", I),
    "chapitre": re.compile(r"\bchapitre\s*:?\s*(?P<v>[A-Z]?\d+[A-Z0-9]*)", I),
    "article": re.compile(r"\barticle\s*:?\s*(?P<v>\d{3,})\b", I),  # M14/M57 "chapitre 65, article 6574"
}


def _budget_line(doc: _Doc, start: int, end: int) -> Budget | None:
    """One imputation from [start, end), if it names at least one line of the budget."""
    values: dict[str, str] = {}
    for field, pattern in BUDGET_FIELDS.items():
        m = pattern.search(doc.text, start, end)
        if m:
            values[field] = (m.group("v") or m.groupdict().get("v2") or "").strip()
    if "article" in values:
        values.setdefault("nature", values.pop("article"))
    if not ({"fonction", "nature", "sous_politique", "chapitre"} & values.keys()
            or ("budget" in values and "year" in values)):
        return None
    s, e = doc.raw_span(*doc.trim(start, end, " \t\r\n,;"))
    return Budget(
        budget=re.sub(r"\s+", " ", values["budget"].lower()) if values.get("budget") else None,
        year=int(values["year"]) if "year" in values else None,
        fonction=values.get("fonction"), nature=values.get("nature"),
        sous_politique=values.get("sous_politique"), chapitre=values.get("chapitre"),
        start=s, end=e,
    )


BUDGET_WORD = re.compile(r"\bbudget\b", I)


def find_budget(doc: _Doc, ranges: list[tuple[int, int]]) -> list[Budget]:
    """Budget imputations in the articles (`ranges`): "inscrits au budget fonctionnement 2019 de la
    Métropole, fonction 65, nature 65748", "Budget Principal 2020 – Sous-Politique C110 – Nature 6574",
    "chapitre 65, article 6574", "section d'investissement". One per sentence, or one per "budget" when a
    sentence spreads the credits over two ("... au budget 2021, ..., et seront inscrits au budget 2022, ...")."""
    budgets: list[Budget] = []
    seen: set[tuple[int, int]] = set()
    for lo, hi in ranges:
        for cue in BUDGET_CUE.finditer(doc.text, lo, hi):
            ss, se = sentence_around(doc, cue.start(), lo, hi)
            if (ss, se) in seen:
                continue
            seen.add((ss, se))
            cuts = [m.start() for m in BUDGET_WORD.finditer(doc.text, ss, se)][1:]
            pieces = [_budget_line(doc, a, b) for a, b in zip([ss, *cuts], [*cuts, se], strict=True)]
            lines = [b for b in pieces if b]
            budgets.extend(lines if len(lines) > 1 else filter(None, [_budget_line(doc, ss, se)]))
    return budgets
