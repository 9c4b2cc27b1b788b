"""Attendance: the lists of members present, absent and represented (with their proxies), and excused.

`find_attendance` reads the header's lists; its list helpers (`_list_items`, `_name_item`, `_list_end`)
serve `session` (absentees) and `votes` (names in a vote line) too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.ingest.text import BLANK_LINE, CIVILITY_PREFIX, _Doc, ocr_word, split_ranges
from assistant.models import Member, Represented

I, M = re.IGNORECASE, re.MULTILINE

CIVILITY_END = re.compile(r"\b(?:M|MM|Mme|Mlle)\.$")

ETAIENT = ocr_word("etaient")
PRESENTS, ABSENTS = ocr_word("present") + "(?:e)?s?", ocr_word("absent") + "(?:e)?s?"
REPRESENTES, EXCUSES = ocr_word("represente") + "(?:e)?s?", ocr_word("excuse") + "(?:e)?s?"
ATTENDANCE_HEAD = re.compile(
    r"^[ \t]*(?:"
    rf"(?P<represented>(?:{ETAIENT}\s+)?{ABSENTS}\s+(?:et\s+)?{REPRESENTES}|(?:{ETAIENT}\s+)?{REPRESENTES}"
    rf"|Pouvoirs?|Procurations?|{ABSENTS}\s+ayant\s+donne\s+(?:pouvoir|procuration))"
    rf"|(?P<excused>(?:{ETAIENT}\s+)?{ABSENTS}\s+(?:et\s+)?{EXCUSES}|{EXCUSES})"
    rf"|(?P<absent>(?:{ETAIENT}\s+)?{ABSENTS})"
    rf"|(?P<present>(?:{ETAIENT}|Etait)\s+{PRESENTS}|{PRESENTS}|Membres\s+{PRESENTS})"
    r")\b[^\n:]*:?",
    I | M,
)
ATTENDANCE_STOP = re.compile(
    r"^[ \t]*(?:[A-Z]{2,5}\s+\d"  # a code line
    r"|(?i:secretaire|le\s+quorum|madame\s+la|monsieur\s+le|le\s+(?:conseil|bureau|maire|president)"
    r"|la\s+(?:presidente|seance)|objet|rapporteur|nombre|conseillers|membres\s+en\s+exercice|deliberation"
    r"|date\s+de|n\s*[°o]\s*\d))",
    M,
)
COURTESY = re.compile(r"(?:Mesdames|Mmes)\s+et\s+(?:Messieurs|MM\.?)\s*:?\s*")
LIST_SEPARATOR_DASH = re.compile(r"\s+-\s+|\s+-(?=\s*\n)|(?<=\n)\s*-\s+")
# "Mme X, pouvoir à M. Y": the comma before the proxy does not end the item.
LIST_SEPARATOR_COMMA = re.compile(
    r"\s*(?:;|,(?!\s*(?:pouvoir|procuration|represente|ayant\s+donne|donne)\b))\s*|\s+et\s+(?=[A-Z])", I
)
LINE_BREAK = re.compile(r"\n")

PROXY = re.compile(
    r"\s+(?:represente(?:e)?s?\s+par|\(?\s*(?:a\s+|ayant\s+)?donne\s+(?:pouvoir|procuration)\s+a"
    r"|\(?\s*pouvoir\s+a|\(?\s*procuration\s+a|a|par)\s+(?=(?:M\.|Mme|Monsieur|Madame|[A-Z]))",
    I,
)


def _list_items(doc: _Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Items of a list of names: " - " separated (the registers' style), else commas, else lines."""
    block = doc.text[start:end]
    if LIST_SEPARATOR_DASH.search(block):
        separator = LIST_SEPARATOR_DASH
    elif re.search(r"[,;]", block):
        separator = LIST_SEPARATOR_COMMA
    else:
        separator = LINE_BREAK
    return split_ranges(doc.text, separator, start, end)


# "Excusés : Mesdames Durand, Petit, Messieurs Martin, Bernard": the first name of each group.
PLURAL_CIVILITY = re.compile(r"(?:Mesdames|Messieurs)\s+(?=[A-Z])(?!Messieurs|Mesdames)")


def _name_item(doc: _Doc, start: int, end: int) -> tuple[int, int] | None:
    """Trim an item to the name itself: no civility, no trailing dot, something name-like."""
    start, end = doc.trim(start, end, " \t\r\n.;,-:()")
    m = CIVILITY_PREFIX.match(doc.text[start:end]) or PLURAL_CIVILITY.match(doc.text[start:end])
    if m:
        start += m.end()
    piece = doc.text[start:end]
    if (not piece or not re.search(r"[A-Z]", piece) or len(piece.split()) > 8 or ":" in piece
            or re.fullmatch(r"[\d\s]+", piece)):
        return None
    if re.match(r"(?:Mesdames|Messieurs|neant|aucun)", piece, I):
        return None
    return start, end


def _list_end(doc: _Doc, start: int, limit: int) -> int:
    """Where a list of names that starts at `start` ends: at a line that starts prose or a heading, or at
    a blank line after a final "." (OCR also puts blank lines in the middle of a list: "Gérard\n\nCASTELLI")."""
    stop = ATTENDANCE_STOP.search(doc.text, start, limit)
    end = stop.start() if stop else limit
    for blank in BLANK_LINE.finditer(doc.text, start, end):
        before = doc.text[start:blank.start()].rstrip()
        if not before or before.endswith(":") or before.endswith(".") and not CIVILITY_END.search(before):
            return blank.start()
    return end


def find_attendance(doc: _Doc, header_end: int) -> tuple[list[Member], list[Represented], list[Member]]:
    """Present / absent-and-represented / absent-and-excused lists.

    Headings: "Etaient présents Mesdames et Messieurs :", "Présents :", "Etaient absents et
    représentés", "Pouvoirs :", "Absents excusés :", "Excusés :"; names separated by " - " across
    lines (the registers' layout), by commas, or one a line; "X représentée par Y", "X (pouvoir à Y)",
    "X à Y" for proxies. A list ends at a blank line, the next heading or a line that starts prose.
    """
    present: list[Member] = []
    represented: list[Represented] = []
    excused: list[Member] = []
    # A bare heading ("Représentés", "Excusés") needs its colon: "X\nreprésenté par Y" is not a heading.
    heads = [h for h in ATTENDANCE_HEAD.finditer(doc.text, 0, header_end)
             if ":" in h.group() or re.match(rf"\s*(?:{ETAIENT}|Etait|Membres)", h.group(), I)]
    for i, head in enumerate(heads):
        kind = head.lastgroup
        limit = heads[i + 1].start() if i + 1 < len(heads) else header_end
        start = head.end()
        while start < limit and doc.text[start] in " \t\r\n":
            start += 1
        courtesy = COURTESY.match(doc.text, start, limit)
        start = courtesy.end() if courtesy else start
        end = _list_end(doc, start, limit)
        if kind == "absent" or start >= end:
            continue
        for s, e in _list_items(doc, start, end):
            if kind == "represented":
                proxy_m = PROXY.search(doc.text, s, e)
                name_range = _name_item(doc, s, proxy_m.start() if proxy_m else e)
                if not name_range:
                    continue
                proxy_range = _name_item(doc, proxy_m.end(), e) if proxy_m else None
                rs, re_ = doc.raw_span(*name_range)
                represented.append(Represented(
                    name=doc.value(*name_range), start=rs, end=re_,
                    proxy=doc.value(*proxy_range) if proxy_range else None,
                ))
                continue
            name_range = _name_item(doc, s, e)
            if not name_range:
                continue
            rs, re_ = doc.raw_span(*name_range)
            member = Member(name=doc.value(*name_range), start=rs, end=re_)
            (present if kind == "present" else excused).append(member)
    return present, represented, excused
