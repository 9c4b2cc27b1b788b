"""Session facts: what a document says once about its sitting, shared by every deliberation in it.

Each reader takes the document and the end of its header (the text before the first item) and returns
what it found with its span, or None: the authority's type and name, the session date (in figures, in
words, with a weekday), the date of convocation (kept apart from the session's), the secretary of the
session, the counts of members (in office, present, voting, proxies) and the absent members. The readers
of `header` (body, president) and the list helpers of `attendance` serve here too.
"""

from __future__ import annotations

import datetime as dt
import re

from assistant.ingest.attendance import ATTENDANCE_HEAD, _list_end, _list_items, _name_item
from assistant.ingest.ocrfix import fold
from assistant.ingest.text import (
    CIVILITY,
    DATE_TEXT,
    FRENCH_MONTHS,
    MONTH_WORD,
    NUMBER_WORDS,
    WEEKDAY,
    WORDS_DATE,
    _display,
    _Doc,
    to_date,
    words_date,
    words_to_int,
)
from assistant.models import Count, Member, Person, Span

I, M = re.IGNORECASE, re.MULTILINE

# -- authority ------------------------------------------------------------------------------------

# The type words, most specific first; the name follows them ("Commune de X", "CCAS de X") or, for an
# intercommunality named after its type ("X Agglomération"), precedes them.
AUTHORITY_TYPES = [
    ("ccas", r"centre\s+communal\s+d'action\s+sociale|\bc\.?c\.?a\.?s\.?\b"),
    ("syndicat", (r"syndicat\s+(?:mixte|intercommunal|departemental)[^\n,.]{0,40}?"
                  r"|\bsivom\b|\bsivu\b|\bsmictom\b|\bsyndicat\b")),
    ("ept", r"etablissement\s+public\s+territorial"),
    ("metropole", r"\bmetropole\b"),
    ("communaute_urbaine", r"communaute\s+urbaine"),
    ("communaute_agglomeration", r"communaute\s+d'agglomeration|\bagglomeration\b|\bagglo\b"),
    ("communaute_communes", r"communaute\s+de\s+communes"),
    ("departement", r"\bdepartement\b|conseil\s+departemental|conseil\s+general"),
    ("region", r"\bregion\b|conseil\s+regional"),
    ("commune", r"\bcommune\b|\bville\b|\bmairie\b|\bmaire(?=\s+(?:de|d')\s*[A-Z])"),  # "Maire de X"
]
# Which bodies each type has: a commune's header often names its département, a CCAS its commune.
BODY_TYPES = {
    "conseil_municipal": ("commune",),
    "conseil_communautaire": ("communaute_agglomeration", "communaute_communes", "communaute_urbaine",
                              "metropole"),
    "bureau": ("communaute_agglomeration", "communaute_communes", "communaute_urbaine", "metropole", "ept"),
    "conseil": ("metropole",),
    "commission_permanente": ("departement", "region"),
    "comite_syndical": ("syndicat",),
    "conseil_administration": ("ccas", "syndicat"),
}
NAME = r"(?P<name>[A-Z][\w'’-]*(?:[ \t-]+(?:de\s+la|de\s+l'|d'|de|du|des|sur|en|les|le|la|l')?[ \t]*[A-Z][\w'’-]*)*)"
NAME_AFTER = r"[ \t]+(?P<prep>de\s+la|de\s+l'|d'|des|du|de|DE\s+LA|DE\s+L'|D'|DES|DU|DE)?[ \t]*" + NAME  # "des" before "de"
# A commune's name keeps its article: "Ville de La Ciotat", "Commune du Bourget" (Le Bourget), "Mairie des
# Mureaux" (Les Mureaux); other types' articles belong to the preposition ("Département de la Somme").
COMMUNE_ARTICLES = {"de la": "La ", "de l'": "L'", "du": "Le ", "des": "Les "}


def read_authority(doc: _Doc, body: str | None, header_end: int, authority: Span | None
                   ) -> tuple[str | None, str | None]:
    """The authority's type and name. The parser's authority span is read first (its type words give the
    type); then the header's mentions, the type that fits the body winning."""
    header = doc.text[:max(header_end, min(len(doc.text), 1500))]
    fitting = BODY_TYPES.get(body or "", ())
    found: list[tuple[int, int, str, str | None]] = []  # (not fitting, position, type, name)
    for kind, pattern in AUTHORITY_TYPES:
        for m in re.finditer(pattern, header, I):
            name = _name_after(doc, m.end(), kind) or _name_before(doc, m.start(), kind)
            if kind == "commune" and not name:
                continue
            found.append((kind not in fitting, m.start(), kind, name))
    if authority is not None:
        s = doc.from_raw(authority.start)
        for kind, pattern in AUTHORITY_TYPES:
            if m := re.compile(rf"\s*(?:{pattern})", I).match(doc.text, s, doc.from_raw(authority.end)):
                found.append((kind not in fitting, -1, kind, _name_after(doc, m.end(), kind)))
                break
    # "Séance publique du Conseil Municipal d'X": the body names its authority.
    for m in BODY_OF.finditer(header):
        kind = BODY_TYPES.get(_body_key(m.group("body")), ("",))[0]
        if kind and (name := _name_after(doc, m.end())):
            found.append((kind not in fitting, m.start(), kind, name))
    found.sort(key=lambda f: (f[0], f[3] is None, f[1]))
    kind, name = (found[0][2], found[0][3]) if found else (None, None)
    if len(fitting) == 1 and kind != fitting[0]:
        # A conseil municipal is a commune's, a comité syndical a syndicat's: the body says the type even where
        # the header names only the département or the région around it.
        kind, name = fitting[0], None
    if kind == "ccas" and name is None:  # a CCAS bears its commune's name
        name = next((f[3] for f in found if f[2] == "commune" and f[3]), None)
    return kind, name


BODY_OF = re.compile(r"\b(?P<body>conseil\s+municipal|conseil\s+communautaire|comite\s+syndical)", I)


def _body_key(words: str) -> str:
    return "_".join(fold(words).split())


REGISTER_WORD = re.compile(
    r"(?:extrait|registre|seance|reunion|deliberation|proces|compte|conseil|bureau|commission|comite"
    r"|session|convocation|ordre|objet|present)")


def _name_after(doc: _Doc, pos: int, kind: str | None = None) -> str | None:
    m = re.compile(NAME_AFTER).match(doc.text, pos)
    if not m or len(m.group("name")) < 3:
        return None
    name = doc.value(m.start("name"), m.end("name"))
    if REGISTER_WORD.match(fold(name)):  # "CONSEIL DÉPARTEMENTAL Extrait des délibérations": no name
        return None
    name = _clean_name(name)
    article = COMMUNE_ARTICLES.get(" ".join((m.group("prep") or "").lower().split())) if kind == "commune" else None
    return f"{article}{name}" if name and article else name


# What follows a name on a title line is no part of it: "Saint-Exemple - Conseil Municipal", "X — Extrait du
# registre", "Val-Exemple Séance du…", "X Accusé de réception"; a weekday is no name ("CONSEIL
# MUNICIPAL DU MARDI 7 FÉVRIER").
NAME_TAIL = re.compile(r"\s+[-–—]\s.*$|\s+(?:seance|conseil|extrait|accuse|registre|reunion|session|proces|compte)\b.*$", I)
WEEKDAY_WORD = re.compile(rf"^{WEEKDAY}$", I)


def _clean_name(name: str) -> str | None:
    if tail := NAME_TAIL.search(fold(name)):  # folding keeps the length: the offsets hold
        name = name[:tail.start()]
    words = name.split()
    while words and fold(words[-1]).lower() in {"de", "du", "des", "la", "le", "les", "d", "l", "sur", "en"}:
        words.pop()
    if not words or WEEKDAY_WORD.match(fold(words[0])):
        return None
    return _display(" ".join(words))


def _name_before(doc: _Doc, pos: int, kind: str) -> str | None:
    """"X Agglomération", "Pays-de-Y Agglomération": the name printed before the type."""
    if kind not in ("communaute_agglomeration", "metropole"):
        return None
    line = doc.text[doc.line_start(pos):pos]
    m = re.search(r"([A-Z][\w'’-]+(?:[ \t-]+[A-Z][\w'’-]+)*)[ \t]*$", line)
    if not m:
        return None
    word_end = re.compile(r"\w+").match(doc.text, pos)
    name_end = word_end.end() if word_end else pos
    return _clean_name(doc.value(doc.line_start(pos) + m.start(1), name_end))


# -- dates ----------------------------------------------------------------------------------------

CONVOCATION_CUE = re.compile(r"convoca|convoque", I)
# A title: "SEANCE DU 6 NOVEMBRE 2014", "Séance publique du jeudi 28 octobre 2021", "CONSEIL MUNICIPAL DU
# MARDI 07 FEVRIER 2023", "COMPTE-RENDU DU CONSEIL MUNICIPAL\nDU 13 DECEMBRE 2018", "REUNION DU 10/12/2019", a
# deliberation's title line "DÉLIBÉRATION N°CP 2023-017 DU 25 JANVIER 2023" (a deliberation cited in a visa
# does not start its line).
TITLE_DATE = re.compile(
    r"\b(?:seance|reunion|session|conseil\s+municipal|conseil\s+communautaire|comite\s+syndical|bureau"
    r"|commission\s+permanente|conseil\s+d'administration|assemblee|deliberations?\s+examinees\s+par[^\n]{0,40}?"
    r"|(?m:^)[ \t]*deliberation\s+n[ \t]*[°o][ \t]*[A-Z]{0,6}[ \t]?\d[\w/.-]*)"
    r"(?:\s+(?:publique|ordinaire|extraordinaire|pleniere))?[ \t]*\n?[ \t]*(?:(?:du|le|en\s+date\s+du)\s+)?"
    rf"(?:{WEEKDAY}\s+)?(?P<date>{DATE_TEXT})",
    I,
)


def read_session_date(doc: _Doc, header_end: int) -> tuple[dt.date | None, Span | None]:
    """The session date: the formula "L'an …, le …" first (it is the act's own), then a title. A date
    in a convocation's sentence ("dûment convoqué le 22 octobre", "Date de convocation : …") is not it."""
    limit = max(header_end, 0)
    for m in WORDS_DATE.finditer(doc.text, 0, limit):
        date = words_date(m)
        if date:
            return date, doc.span(m.start(), m.end())
    for m in TITLE_DATE.finditer(doc.text, 0, limit):
        if _in_convocation(doc, m.start()):
            continue
        date = to_date(doc.plain.raw_slice(m.start("date"), m.end("date")))
        if date:
            return date, doc.span(m.start(), m.end())
    return None, None


def _in_convocation(doc: _Doc, pos: int) -> bool:
    return bool(CONVOCATION_CUE.search(doc.text, max(0, pos - 80), pos))


CONVOCATION = re.compile(
    rf"convoca\w*[^\n]{{0,80}}?(?:\n[^\n]{{0,40}}?)?(?:le|du|:)\s*\n?\s*(?:{WEEKDAY}\s+)?(?P<date>{DATE_TEXT})"
    rf"|convoque\w*\s+(?:[^\n.]{{0,40}}?\s)?le\s+(?:{WEEKDAY}\s+)?(?P<date2>{DATE_TEXT})",
    I,
)


# "convoqués … par écrit le huit décembre deux mil vingt-deux", "dûment convoqué le 26 mars", "sur la convocation
# qui leur a été adressée le dix février deux mille [column] vingt-trois" (the year is the session's: a
# convocation precedes its session by days).
CONVOCATION_WORDS = re.compile(
    rf"convo(?:qu|cation)\w*[^.\n]{{0,60}}?\ble\s+(?:{WEEKDAY}\s+)?(?P<day>{NUMBER_WORDS}|[0-3]?\d(?:er)?)\s+"
    rf"(?P<month>{MONTH_WORD})\b(?:\s+(?P<year>{NUMBER_WORDS}|(?:19|20)\d\d)\b)?",
    I,
)


def read_convocation(doc: _Doc, header_end: int, session_date: dt.date | None = None
                     ) -> tuple[dt.date | None, Span | None]:
    """"Date de convocation : 6 décembre 2018", "dûment convoqué le 22 octobre 2014", "La convocation … a été
    faite le 22 octobre 2021", "Date de l'avis de convocation :\n\n03 avril 2018", a date in words, or a day
    and month whose year is the session's (the year before, for a session early in January)."""
    limit = max(header_end, min(len(doc.text), 3000))
    for m in CONVOCATION.finditer(doc.text, 0, limit):
        group = "date" if m.group("date") else "date2"
        date = to_date(doc.plain.raw_slice(m.start(group), m.end(group)))
        if date:
            return date, doc.span(m.start(), m.end())
    for m in CONVOCATION_WORDS.finditer(doc.text, 0, limit):
        day, month = words_to_int(m.group("day")), FRENCH_MONTHS.index(m.group("month").lower()) + 1
        year = words_to_int(m.group("year")) if m.group("year") else None
        if session_date and (year is None or abs(year - session_date.year) > 1):
            year = session_date.year - ((month, day or 0) > (session_date.month, session_date.day))
        try:
            date = dt.date(year, month, day) if year and day else None
        except ValueError:
            date = None
        if date:
            end = m.end("year") if m.group("year") and year == words_to_int(m.group("year")) else m.end("month")
            return date, doc.span(m.start(), end)
    return None, None


# -- people ---------------------------------------------------------------------------------------

PERSON = r"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,4}"
SECRETARY = [
    # "Secrétaire de séance : Anne DURAND", "Secrétaire : Mme Anne DURAND", "Secrétaire de séance\nMadame A."
    re.compile(rf"secretaire(?:\s+de\s+(?:la\s+)?seance)?\s*:?[ \t]*\n?[ \t]*(?:{CIVILITY}\s+)?(?P<name>{PERSON})"
               r"(?=[ \t]*(?:[,.;\n(]|est\b|a\s+ete|$)|[ \t]+\S*[\d/])", I),  # "… : Anne DURAND PACU/17-2023"
    # "Madame A. DURAND est désignée comme secrétaire", "M. X a été élu secrétaire de séance"
    re.compile(rf"(?:{CIVILITY}\s+)?(?P<name>{PERSON}),?\s+(?:est|a\s+ete)\s+(?:designee?|elue?|nommee?)"
               r"\s+(?:comme\s+|en\s+qualite\s+de\s+)?secretaire", I),
    # "… la nomination d'un secrétaire … . Monsieur Paul MARTIN est désigné pour remplir cette fonction."
    re.compile(rf"secretaire[^.]{{0,150}}\.\s*(?:{CIVILITY}\s+)?(?P<name>{PERSON})\s+(?:est|a\s+ete)\s+"
               r"(?:designee?|elue?|nommee?)\s+pour\s+remplir", I),
    # "Madame Anne DURAND, désignée, prend place au Bureau" (after the call to name a secretary)
    re.compile(rf"(?:{CIVILITY})\s+(?P<name>{PERSON}),\s+designee?,\s+prend\s+place", I),
]
NOT_A_NAME = re.compile(r"^(?:de|du|des|la|le|les|l'|pour|est|a|au|general|generale|administrati\w*)$", I)


def read_secretary(doc: _Doc, header_end: int) -> Person | None:
    limit = max(header_end, min(len(doc.text), 4000))
    for pattern in SECRETARY:
        for m in pattern.finditer(doc.text, 0, limit):
            name = doc.value(m.start("name"), m.end("name")).strip(" ,.")
            if not name or NOT_A_NAME.match(name.split()[0]) or not re.search(r"[A-Z]{2}|[A-Z][a-z]", name):
                continue
            if re.match(r"(?i)(?:general|de\s+seance|des\s+assemblees|administrati|pendant)", name):
                continue
            s, e = doc.raw_span(m.start(), m.end("name"))
            return Person(name=name, start=s, end=e)
    return None


# -- counts ---------------------------------------------------------------------------------------

COUNT_LABELS = {
    # "Nombre de conseillers en exercice : 27", "Membres en exercice : 35", "en exercice : 39"
    "members_in_office": r"en\s+exercice",
    # "Présents : 15" where the header reader did not look (after the object)
    "present_count": r"presents",
    # "votants : 23", "Nombre de votants : 32", "Votants 23"
    "voting_count": r"votants",
    # "procurations : 3", "Pouvoirs : 5", "représentés : 2"
    "represented_count": r"procurations?|pouvoirs?|representes",
}


# A table's heads then its row: "Nombre de Conseillers en exercice Présents Procurations Votants 27 20 3 23".
COUNT_HEADS = {"members_in_office": r"en\s+exercice", "present_count": r"presents",
               "represented_count": r"procurations|pouvoirs|representes", "voting_count": r"votants",
               "": r"absents"}
COUNT_HEAD = re.compile("|".join(f"(?P<{k or 'absent'}>{v})" for k, v in COUNT_HEADS.items()), I)
COUNT_TABLE = re.compile(
    rf"(?:(?:nombre\s+de\s+)?(?:conseillers\s+|membres\s+)?(?:{'|'.join(COUNT_HEADS.values())})\s*){{2,6}}"
    r"(?P<row>(?:\d{1,3}\s+){1,5}\d{1,3})\b", I)


def read_counts(doc: _Doc, header_end: int) -> dict[str, Count]:
    """The counts a header prints after their label ("en exercice : 27"), before it ("27 en exercice") or in a
    table's row under its heads."""
    limit = max(header_end, min(len(doc.text), 3000))
    out: dict[str, Count] = {}
    table = COUNT_TABLE.search(doc.text, 0, limit)
    if table:
        heads = [h.lastgroup for h in COUNT_HEAD.finditer(doc.text, table.start(), table.start("row"))]
        values = table.group("row").split()
        if len(heads) == len(values):
            s, e = doc.raw_span(table.start(), table.end())
            out = {head: Count(value=int(v), start=s, end=e) for head, v in zip(heads, values, strict=True)
                   if head != "absent"}
    for field, label in COUNT_LABELS.items():
        if field in out:
            continue
        after = re.compile(rf"\b(?:{label})\b[ \t]*(?:[:=]|\bde\b)?[ \t]*\n?[ \t]*(?P<n>\d{{1,3}})\b(?![ \t]*[/.,]\d)", I)
        before = re.compile(rf"\b(?P<n>\d{{1,3}})[ \t]+(?:conseillers\s+|membres\s+)?(?:{label})\b", I)
        m = after.search(doc.text, 0, limit) or before.search(doc.text, 0, limit)
        if m:
            s, e = doc.raw_span(m.start(), m.end())
            out[field] = Count(value=int(m.group("n")), start=s, end=e)
    return out


# -- absent members -------------------------------------------------------------------------------

ABSENT_HEAD = re.compile(r"^[ \t]*(?:etaient\s+)?absents?(?:\s+non\s+excuses?)?[ \t]*:?", I | M)


def read_absent(doc: _Doc, header_end: int) -> list[Member]:
    """A plain "Absents :" / "ABSENT : F.NOIR" list (not "absents excusés", not "absents représentés")."""
    out: list[Member] = []
    for head in ABSENT_HEAD.finditer(doc.text, 0, header_end):
        rest = doc.text[head.end():head.end() + 30]
        # "Absents excusés", "absents représentés" are other lists; "Absents : 4" is a count, not a list.
        if re.match(r"\s*(?:et\s+)?(?:excuse|represente|ayant)|[ \t]*\d+\b", rest, I):
            continue
        start = head.end()
        limit = min(header_end, doc.line_end(start) + 400)
        following = ATTENDANCE_HEAD.search(doc.text, start, limit)  # the next list's heading ends this one
        end = _list_end(doc, start, following.start() if following else limit)
        for s, e in _list_items(doc, start, end):
            item = _name_item(doc, s, e)
            if item:
                rs, re_ = doc.raw_span(*item)
                out.append(Member(name=doc.value(*item), start=rs, end=re_))
    return out
