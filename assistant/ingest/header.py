"""The document's and the session's header: the assembly (body), the authority, the session date, the
president and the count of members present.

Each reader takes the document and the end of its header (plain offset) and returns what it found with its
span, or None. `session` reads the other facts of a sitting (convocation, secretary, counts, absentees).
"""

from __future__ import annotations

import datetime as dt
import re

from assistant.ingest.ocrfix import fold
from assistant.ingest.text import (
    CIVILITY,
    DATE_TEXT,
    PERSON_NAME,
    WORDS_DATE,
    _display,
    _Doc,
    to_date,
    words_date,
)
from assistant.models import BODY_LABELS, Person, Span

I, M = re.IGNORECASE, re.MULTILINE


# ---------------------------------------------------------------------------------------------
# Body and authority
# ---------------------------------------------------------------------------------------------

REGISTER_HEADER = re.compile(
    r"(?:extrait|registre)s?\s+(?:du|des)\s+(?:registres?|proces[- ]verba\w*|deliberations?)", I
)
BODY_PHRASES = [
    ("bureau", r"bureau\s+de\s+la\s+me+tropole|bureau\s+metropolitain"),
    ("conseil", r"conseil\s+de\s+la\s+me+tropole|conseil\s+metropolitain"),
    ("conseil_municipal", r"conseil\s+municipal"),
    ("commission_permanente", r"commission\s+permanente"),
    ("conseil_communautaire", r"conseil\s+communautaire"),
    ("comite_syndical", r"comite\s+syndical"),
    ("conseil_administration", r"conseil\s+d'administration"),
    ("bureau_communautaire", r"bureau\s+communautaire"),
    ("autre", r"conseil\s+departemental|conseil\s+regional|conseil\s+d'exploitation"),
]
BODY = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in BODY_PHRASES), I)


def find_body(doc: _Doc, header_end: int | None = None) -> tuple[str | None, str | None]:
    """Body kind and its label.

    Looks first right after the register header ("EXTRAIT DES REGISTRES DES DELIBERATIONS DU
    BUREAU DE LA METROPOLE", "... DE LA COMMISSION PERMANENTE"), then anywhere ("soumet au Bureau
    de la Métropole", "Le Conseil Municipal,"). A header that names a Conseil départemental or régional
    and its Commission permanente ("CONSEIL DÉPARTEMENTAL / COMMISSION PERMANENTE") is the commission's.
    """
    header = REGISTER_HEADER.search(doc.text)
    m = None
    if header:
        m = BODY.search(doc.text, header.end(), min(len(doc.text), header.end() + 200))
    m = m or BODY.search(doc.text)
    if not m:
        return None, None
    if m.lastgroup == "autre" and re.match(r"conseil\s+(?:departemental|regional)", m.group(), I):
        limit = max(header_end or 0, m.end())
        commission = re.compile(BODY_PHRASES[3][1], I).search(doc.text, m.end(), limit)
        if commission:
            return "commission_permanente", BODY_LABELS["commission_permanente"]
    body = m.lastgroup
    if body == "bureau_communautaire":
        return "bureau", "Bureau communautaire"
    label = BODY_LABELS[body] if body != "autre" else doc.value(m.start(), m.end()).lower().capitalize()
    return body, label


def municipal_label(body: str | None, authority: Span | None) -> str | None:
    """"Conseil municipal de la Ville d'Aubagne" when the authority is a commune."""
    if body != "conseil_municipal" or not authority or not fold(authority.text).startswith(("ville", "commune")):
        return None
    return f"Conseil municipal de la {_display(authority.text)}"


AUTHORITY = re.compile(
    r"\b(?P<kind>Me+tropole|METROPOLE|Ville|VILLE|Commune|COMMUNE|Departement|DEPARTEMENT|Region|REGION"
    r"|Communaute\s+(?:d'agglomeration|de\s+communes|urbaine)|COMMUNAUTE\s+(?:D'AGGLOMERATION|DE\s+COMMUNES)"
    r"|Conseil\s+departemental|CONSEIL\s+DEPARTEMENTAL|Syndicat\s+(?:mixte|intercommunal)"
    r"|SYNDICAT\s+(?:MIXTE|INTERCOMMUNAL)|(?i:centre\s+(?:communal|intercommunal)\s+d'action\s+sociale)"
    r"|(?i:etablissement\s+public)|(?i:office\s+public))"
    r"[ ]+(?:(?:de\s+la|de\s+l'|d'|de|du|des|DE\s+LA|DE\s+L'|D'|DE|DU|DES)[ ]*)?"
    r"(?P<name>[A-Z][A-Za-z'-]*(?:[ ][A-Z][A-Za-z'-]*)*?)"
    r"(?=[ ]*(?:[,.;:)(]|-\s|$)|[ ]+[a-z]|[ ]*\n|[ ]{2,})",  # two spaces: the next column of a header
    M,
)
# Which authority kinds best fit each body (a commune's header often names its Département too).
AUTHORITY_PREFERENCE = {
    "conseil_municipal": ("ville", "commune"),
    "bureau": ("metropole",),
    "conseil": ("metropole",),
    "commission_permanente": ("departement", "conseil departemental", "region"),
}


def find_authority(doc: _Doc, body: str | None, header_end: int) -> Span | None:
    """The authority: "Métropole Aix-Marseille-Provence", "VILLE DE LA CIOTAT", "Département des ...".

    The kind that fits the body wins (a commune's header often names its Département first), then
    a mention in the header, then the first one. Two-column headers merged by OCR ("Métropole
    Aix-Marseille- République Département des") give broken names, which are skipped; the president's
    title or a later mention then serves.
    """
    candidates = [m for m in AUTHORITY.finditer(doc.text)
                  if not (m.group("name").endswith("-") or "- " in m.group("name") or len(m.group("name")) < 3)]
    preferred = AUTHORITY_PREFERENCE.get(body or "", ())
    fitting = [m for m in candidates if preferred and re.sub("e+", "e", fold(m.group("kind"))).startswith(preferred)]
    pool = fitting or candidates
    in_header = [m for m in pool if m.start() < header_end]
    best = (in_header or pool or [None])[0]
    return doc.span(best.start(), best.end()) if best else None


# ---------------------------------------------------------------------------------------------
# Session date
# ---------------------------------------------------------------------------------------------

SESSION = re.compile(
    r"\b(?:seance|reunion|session)\s+(?:publique\s+|ordinaire\s+|extraordinaire\s+|pleniere\s+)?"
    r"(?:du|le|en\s+date\s+du)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    rf"(?P<date>{DATE_TEXT})",
    I,
)
SESSION_FALLBACK = re.compile(
    r"(?:\bl'an\b[^\n]{0,120}?\ble|(?:conseil|bureau|commission)[^\n]{0,60}?\b(?:du|le))\s+"
    rf"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(?P<date>{DATE_TEXT})",
    I,
)


def find_session(doc: _Doc, header_end: int) -> tuple[dt.date | None, Span | None]:
    """Session date from "Séance du 20 juin 2019", "SEANCE PUBLIQUE DU LUNDI 15 MARS 2021",
    "Réunion du 1er mars 2021", or (fallback, header only) "L'an deux mille vingt et un, le 15 mars 2021"
    / "CONSEIL MUNICIPAL DU 15/03/2021", or a date in words ("L'an deux mille vingt-deux, le vingt-cinq
    mars"; the dates of convocation or of posting, "Date de convocation : 18/03/2022", are not it)."""
    for pattern, limit in ((SESSION, len(doc.text)), (SESSION_FALLBACK, header_end)):
        for m in pattern.finditer(doc.text, 0, limit):
            date = to_date(doc.plain.raw_slice(m.start("date"), m.end("date")))
            if date:
                return date, doc.span(m.start(), m.end())
    for m in WORDS_DATE.finditer(doc.text, 0, header_end):
        date = words_date(m)
        if date:
            return date, doc.span(m.start(), m.end())
    return None, None


# ---------------------------------------------------------------------------------------------
# President
# ---------------------------------------------------------------------------------------------

PRESIDENT_PATTERNS = [
    # "Madame Martine VASSAL, Présidente de la Métropole Aix-Marseille-Provence, a ouvert la séance"
    re.compile(
        rf"(?P<civ>{CIVILITY})\s+(?P<name>{PERSON_NAME})\s*,\s*(?P<title>[^,\n]{{3,120}}?(?:\n[^,\n]{{1,80}}?)?)"
        r"\s*,\s*(?:a\s+ouvert|ouvre|preside|a\s+preside)"
    ),
    # "sous la présidence de Monsieur le Maire, Paul Martin", "sous la présidence de son Maire, Paul MARTIN"
    re.compile(
        r"sous\s+la\s+presidence\s+de\s+(?:(?P<civ>Madame|Monsieur)\s+)?(?:son|sa|l[ea])\s+"
        r"(?P<title>Maire|President|Presidente)\s*,?\s+(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})",
        I,
    ),
    # "sous la présidence de Monsieur Patrick BORE, Maire de la Ville" (OCR may leave a stray "2g" before "de")
    re.compile(
        rf"(?:sous\s+la\s+presidence\s*(?:\S{{1,3}}\s+)?de|preside\w*\s+par)\s+(?P<civ>{CIVILITY})\s+(?P<name>{PERSON_NAME})"
        r"(?:\s*,\s*(?P<title>[^,\n.]{3,80}))?",
        I,
    ),
    # "Présidence : M. Jean DUPONT, Maire" / "Président de séance : Mme Anne MARTIN"
    re.compile(
        rf"Presiden(?:ce|te?)(?:\s+de\s+(?:la\s+)?seance)?\s*:\s*(?:(?P<civ>{CIVILITY})\s+)?(?P<name>{PERSON_NAME})"
        r"(?:\s*,\s*(?P<title>[^,\n.]{3,80}))?"
    ),
    # "sous la présidence de Monsieur le Maire" / "Monsieur le Maire ouvre la séance"
    re.compile(
        r"(?:(?:sous\s+la\s+presidence\s+de|preside\w*\s+par)\s+(?P<civ>Madame|Monsieur)\s+"
        r"(?P<name>l[ea]\s+(?:Maire|President|Presidente)\b)"
        r"|(?:(?P<civ2>Madame|Monsieur)\s+)?(?P<name2>\bl[ea]\s+(?:Maire|President|Presidente))\s*,?\s+(?:a\s+)?"
        r"(?:ouv|declare\s+la\s+seance\s+ouverte))",
        I,
    ),
]


# Who "le Maire" is: "Présents : Monsieur le Maire Paul MARTIN", "Madame la Présidente, Anne DURAND"
TITLE_THEN_NAME = re.compile(r"(?:Monsieur|Madame)\s+l[ea]\s+(?:Maire|President|Presidente)\s*,?\s+"
                             r"(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})")
# Failing a presidency, the member who called the session as its president: "La convocation … a été faite le 22
# octobre 2021 … par Paul Martin, Président."
CONVENER = re.compile(r"convo\w*[^.]{0,160}?\bpar\s+(?:(?:M\.|Mme|Monsieur|Madame)\s+)?"
                      r"(?P<name>[A-Z][\w'-]+(?:[ ][A-Z][\w'-]+){1,3})\s*,?\s*(?P<title>Presidente?|Maire)\b")


def find_president(doc: _Doc, header_end: int) -> Person | None:
    """The person presiding the session (header only); a title alone ("le Maire") takes the name the header
    gives that title."""
    person = _presiding(doc, header_end)
    if person is not None and re.match(r"l[ea]\s", person.name, I):
        named = TITLE_THEN_NAME.search(doc.text, 0, max(header_end, min(len(doc.text), 3000)))
        if named:  # the quote: where the title is given its name
            s, e = doc.raw_span(*named.span())
            person = person.model_copy(update={"name": doc.value(*named.span("name")), "start": s, "end": e})
        elif person.civility is None:  # "la Présidente déclare la séance ouverte": a title, no one named
            person = None
    if person is None and (m := CONVENER.search(doc.text, 0, header_end)):
        s, e = doc.raw_span(m.start("name"), m.end("title"))
        person = Person(name=doc.value(m.start("name"), m.end("name")), title=doc.value(*m.span("title")),
                        start=s, end=e)
    return person


def _presiding(doc: _Doc, header_end: int) -> Person | None:
    for pattern in PRESIDENT_PATTERNS:
        m = pattern.search(doc.text, 0, header_end)
        if not m:
            continue
        groups = {k: v for k, v in m.groupdict().items() if v}
        civ_key = "civ" if "civ" in groups else "civ2" if "civ2" in groups else None
        name_key = "name" if "name" in groups else "name2"
        civility = None
        if civ_key:
            civility = "Madame" if groups[civ_key].lower().startswith(("madame", "mme", "mlle")) else "Monsieur"
        name = doc.value(m.start(name_key), m.end(name_key))
        title = doc.value(m.start("title"), m.end("title")) if "title" in groups else None
        if title is None and re.match(r"l[ea]\s", name, I):
            title = name.split(None, 1)[1]
        # The quote runs from the first to the last of civility, name and title, in whatever order printed.
        keys = [k for k in (civ_key, name_key, "title") if k in groups]
        s, e = doc.raw_span(min(m.start(k) for k in keys), max(m.end(k) for k in keys))
        return Person(name=name, civility=civility, title=title, start=s, end=e)
    return None


# ---------------------------------------------------------------------------------------------
# Members present
# ---------------------------------------------------------------------------------------------

PRESENT_COUNT = re.compile(
    r"\bpresents?[ \t]*(?:[:=][ \t]*)?(?P<n>\d{1,3})\b(?![ \t]*[/.,]\d)(?:[ \t]+(?:membres|conseillers|elus))?"
    r"|\b(?P<n2>\d{1,3})[ \t]+(?:membres|conseillers|elus)[ \t]+(?:sont[ \t]+|etaient[ \t]+)?presents",
    I,
)


def find_present_count(doc: _Doc, header_end: int) -> tuple[int | None, Span | None]:
    """"ont été présents 30 membres", "Présents : 38", "38 conseillers présents"."""
    m = PRESENT_COUNT.search(doc.text, 0, header_end)
    if not m:
        return None, None
    return int(m.group("n") or m.group("n2")), doc.span(m.start(), m.end())
