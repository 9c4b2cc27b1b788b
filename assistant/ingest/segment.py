"""Segmentation: where each deliberation of a document starts, for documents that hold several.

A procès-verbal, a compte rendu or a list of deliberations numbers its items, each with a scheme of its
own: "N°2014/26 -", "2018.04.09-3", "D2025-012- Objet :", "N° DBC 2021-082 -", "Délibération n°2022-061 -",
"1DEL2018_001", "1.", "2)", "03 Affiliation…". Candidate headings are read at line starts (in a text
whose line breaks were lost, `text._Doc` puts them back before the usual cues), grouped by scheme
(the number without its last figure: "DBC 2021-", "2014/", an ordinal), and a scheme counts when it
numbers at least two items. A number printed twice (an agenda at the top, a recapitulation at the end)
is the item whose text is the longest. What precedes the first item is the session's header.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from assistant.ingest.text import DATE_TEXT, MONTH_WORD, PARAGRAPH_BREAK, _Doc

I, M = re.IGNORECASE, re.MULTILINE

# A numbered act: "N°2014/26 - ", "2014/25 – ", "N° DP 2021-312 du 15 septembre 2021 - ", "D2025-008- Objet :",
# "Délibération n°2022-061 - ", "Décision n°2022-060 du 5 juillet 2022 :", "1DEL2018_001 ", "2018.04.09 - 12 ",
# "DCM/17-2023 ".
CODE_HEAD = re.compile(
    r"^[ \t]*(?:(?P<word>Deliberation|DELIBERATION|Decision|DECISION|Delib\.?)s?[ \t]*)?"
    r"(?:N|n)?[ \t]*[°o]?\.?[ \t]*"
    # atomic: "DELBU2023-02-012 innovation…" is that number, never its shorter start "DELBU2023-02"
    r"(?P<num>(?>(?:[A-Z]{1,6}[ \t]?)?\d?[A-Z]{0,4}(?:19|20)[\d'l]{2,3}(?:[ \t]?[-/._][ \t]?[\dIl]{1,4}){1,3}"
    r"|[A-Z]{1,6}[ \t/]?\d{1,4}[-/_]\d{1,4}))"
    r"(?P<sep>[ \t]*\n?[ \t]*(?:[-:]+|du\b)[ \t]*|[ \t]+(?=\S)|[ \t]*\n(?=[ \t]*(?:Objet|OBJET)\b)"
    r"|[ \t]*\n(?:[ \t]*\n)?(?=[ \t]*[A-Z]))",  # a code alone on its line, its title below
    M,
)
# An ordinal: "1. Exercice…", "2) Vote…", "1)Autorisation…", "03 Affiliation…" (the bare form only in a
# text whose line breaks were lost).
ORDINAL_HEAD = re.compile(r"^[ \t]*(?P<num>\d{1,2})[ \t]*(?P<sep>[.)][ \t]*|[ \t]+-[ \t]+)(?=[A-Z«\"])", M)
BARE_ORDINAL_HEAD = re.compile(r"^[ \t]*(?P<num>[0-9\[]\d)[ \t]+(?=[A-Z][a-z])", M)
LEGAL_CITATION = re.compile(r"\b(?:articles?|loi|decret|ordonnance|arrete)(?:\s+n\s*[°o])?\s*$", I)
MONTHS = re.compile(MONTH_WORD + r"\b", I)  # "07 Février 2023" is a date, not an item
AFTER_NUMBER_NOT_TITLE = re.compile(r"[ \t]*(?:€|euros?\b|%|heures?\b|h\b|ans?\b|m2|m²|ha\b|km\b)", I)
DECISION_WORD = re.compile(r"^[ \t]*(?:N[°o]?[ \t]*)?(?:Decision|DECISION|DP\b|Arrete|ARRETE)", M)
SESSION_DOCUMENT = re.compile(
    r"proces[- ]?verbal|compte[- ]?rendu|ordre\s+du\s+jour|liste\s+des\s+deliberations|sommaire"
    r"|recueil\s+des\s+actes|deliberations\s+examinees", I)
# After the last item: the end of the sitting.
SESSION_END = re.compile(
    r"^[ \t]*(?:questions\s+diverses\s*$|l'ordre\s+du\s+jour\s+etant\s+epuise|la\s+seance\s+est\s+levee"
    r"|plus\s+rien\s+n'etant|l'ordre\s+du\s+jour\s+est\s+epuise|fin\s+de\s+(?:la\s+)?seance\b)", I | M)
# What may stand between the number and the title: "Objet :", the act's own date ("N° DP 2021-312 du 15
# septembre 2021 - …", "Décision n°2022-060 du 5 juillet 2022 : …").
TITLE_LABEL = re.compile(rf"[ \t]*(?:(?:du[ \t]+)?(?:{DATE_TEXT})[ \t]*(?:[-:][ \t]*)?\n?[ \t]*)?(?:(?:Objet|OBJET)[ \t]*:[ \t]*)?")
# A heading that closes the items instead of opening one: "7. Questions diverses".
NOT_AN_ITEM = re.compile(r"[ \t]*(?:questions?\s+diverses|informations?\s+diverses|divers\b|questions\s+orales)", I)
TITLE_END = re.compile(r"[ \t]+(?:Rapporteur|RAPPORTEUR|ADOPTEE?S?|APPROUVEE?S?|PREND\s+ACTE)\b|\n")


@dataclass
class Segment:
    """One item of a document, in plain offsets of the `_Doc`."""

    start: int
    end: int
    number: str | None
    title: tuple[int, int] | None  # the title's range, after the number
    kind: str  # "deliberation" | "decision"


def _scheme(num: str) -> str:
    """"DBC 2021-082" -> "DBC2021-"; OCR's "20'l8.04.09- 10" is of the same scheme as "2018.04.09-2"."""
    key = re.sub(r"[\d'l]+", lambda m: m.group().replace("'", "").replace("l", "1"), re.sub(r"[ \t]", "", num))
    return re.sub(r"[\dI]+$", "", key)


def _value(num: str) -> int | None:
    m = re.search(r"([\dIl]+)\W*$", num.strip())
    return int(m.group(1).replace("I", "1").replace("l", "1")) if m else None


def _candidates(doc: _Doc, collapsed: bool) -> list[tuple[int, int, str, str]]:
    """(start, title start, number, scheme) of every heading-like line."""
    text = doc.text
    out = []
    for m in CODE_HEAD.finditer(text):
        num = m.group("num")
        after = text[m.end():m.end() + 12]
        if AFTER_NUMBER_NOT_TITLE.match(text, m.end("num")) or re.fullmatch(r"[0-3]?\d[/.][01]?\d[/.]\d{4}", num):
            continue
        if not m.group("word") and not re.search(r"[-/._]", num):
            continue
        if "\n" in m.group("sep") and not re.match(r"\s*(?:Objet|OBJET)", text[m.end():]) and not re.search(r"[A-Z]", num):
            continue  # a bare number alone on its line is no heading; a lettered code is
        if LEGAL_CITATION.search(text, max(0, m.start() - 30), m.start()):  # "l'article\nL2253-1": a law's article
            continue
        # A bare number before a lower-case word is prose ("2014 les travaux"); a lettered code is not.
        if m.group("sep").strip() == "" and not re.match(r"[A-Z]", after) and not re.match(r"\d?[A-Z]", num):
            continue
        out.append((m.start(), m.end(), num.strip(), "code:" + _scheme(num)))
    ordinals = BARE_ORDINAL_HEAD if collapsed else ORDINAL_HEAD
    for pattern in {ORDINAL_HEAD, ordinals}:
        for m in pattern.finditer(text):
            if MONTHS.match(text, m.end()) or AFTER_NUMBER_NOT_TITLE.match(text, m.end("num")):
                continue
            num = m.group("num")
            sep = m.group("sep").strip() if pattern is ORDINAL_HEAD else ""
            # One scheme per separator: "1.", "2." are not continued by a table's "10 - Dotations" lines.
            out.append((m.start("num"), m.end(), num + sep, "ordinal" + sep))
    return sorted(set(out))


def _chain(cands: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Ordinals that count up from 1 (or 0), in document order: "1.", "2.", "3." … A gap of one or two
    numbers is allowed (a heading lost to OCR); an ordinal that does not follow is not a heading."""
    out: list[tuple[int, int, str, str]] = []
    last = 0
    for c in cands:
        value = _value(c[2].rstrip(".)").replace("[", "1"))
        if value is None:
            continue
        if (not out and value <= 2) or (out and last < value <= last + 3):
            out.append(c)
            last = value
        elif out and value == 1:  # an agenda, then the items: start again
            out.append(c)
            last = 1
    return out


def segment(doc: _Doc) -> list[Segment]:
    """The items of a document holding several deliberations, or [] for a single deliberation."""
    text = doc.text
    collapsed = getattr(doc, "collapsed", False)
    cands = _candidates(doc, collapsed)
    schemes: dict[str, list] = {}
    for c in cands:
        schemes.setdefault(c[3], []).append(c)
    heads = []
    # Ordinals alone ("1)", "2)") are items only in a document of a session: elsewhere they number a list of
    # the exposé. A code printed once (the deliberation's own number, a law's) makes no list of items.
    only_ordinals = not any(len({_value(m[2]) for m in members}) >= 2
                            for scheme, members in schemes.items() if not scheme.startswith("ordinal"))
    for scheme, members in schemes.items():
        if scheme.startswith("ordinal"):
            if not SESSION_DOCUMENT.search(text[:3000]) and only_ordinals:
                continue
            members = _chain(members)
        if len({_value(m[2].replace("[", "1")) for m in members}) >= 2:
            heads += members
    heads.sort()
    closing = [h for h in heads if NOT_AN_ITEM.match(text, h[1])]
    heads = [h for h in heads if h not in closing]
    if len(heads) < 2:
        return []
    # Where a later item starts, the earlier ends; the last ends with the sitting.
    ends = [h[0] for h in heads[1:]]
    stop = SESSION_END.search(text, heads[-1][1])
    last_end = min([stop.start() if stop else len(text)] + [c[0] for c in closing if c[0] > heads[-1][0]])
    ends.append(last_end)
    # One item per number: a number printed twice (agenda, recapitulation) is the longest occurrence.
    kinds = [_kind(text, h[0], h[2]) for h in heads]
    best: dict[str, tuple[int, int]] = {}
    for i, h in enumerate(heads):
        key = kinds[i] + h[3] + ":" + re.sub(r"\W", "", h[2])  # a decision may bear a deliberation's number
        length = ends[i] - h[0]
        if key not in best or length > best[key][1]:
            best[key] = (i, length)
    keep = sorted(i for i, _ in best.values())
    segments = []
    for n, i in enumerate(keep):
        start, title_start, number, _ = heads[i]
        end = heads[keep[n + 1]][0] if n + 1 < len(keep) else ends[i]
        title = title_after(doc, title_start, end)
        kind = kinds[i]
        if _postponed(text, title[1] if title else title_start, end):
            continue  # no decision: no deliberation (its text stays in the document, in no item)
        segments.append(Segment(start=start, end=end, number=_number_label(number), title=title, kind=kind))
    segments = _minutes_approval(doc, segments) + segments
    segments = [part for seg in segments for part in _delegated_decisions(doc, seg)]
    return _split_at_results(doc, _contracts_lists(doc, segments))


# The approval of the previous sitting's minutes, often the one unnumbered point before item 2: an item
# when a result follows it ("[ Approbation du procès-verbal des débats du 20 décembre\nADOPTÉE À L'UNANIMITÉ").
MINUTES_APPROVAL = re.compile(
    r"(?:^|(?<=[\s\[|]))(?:Approbation|Adoption|APPROBATION|ADOPTION)[ \t]+(?:du|des|DU|DES)[ \t]+"
    r"(?:proces[- ]?verba(?:l|ux)|comptes?[- ]?rendus?)\b", I | M)
APPROVED = re.compile(r"\b(?:adopte|approuve)e?s?\b", I)


def _minutes_approval(doc: _Doc, segments: list[Segment]) -> list[Segment]:
    """The unnumbered approval of the minutes before the first numbered item, with its result."""
    if not segments:
        return []
    first = segments[0].start
    found = list(MINUTES_APPROVAL.finditer(doc.text, 0, first))
    if not found or not APPROVED.search(doc.text, found[-1].end(), min(first, found[-1].end() + 600)):
        return []
    start = found[-1].start()
    return [Segment(start=start, end=first, number=None, title=title_after(doc, start, first), kind="deliberation")]


# A list of acts may end with the contracts notified, one dash per contract ("Marchés publics :\n- Notification
# le 10/08/2022 du marché de … à la société …"): each is a decision of the executive, without a number.
CONTRACTS_HEADING = re.compile(r"(?:March[ée]s[ \t]+publics|MARCHES[ \t]+PUBLICS|Contrats)[ \t]*:[ \t]*\n(?=[ \t]*-[ \t])")
BULLET = re.compile(r"^[ \t]*-[ \t]+(?=\S)", M)


def _contracts_lists(doc: _Doc, segments: list[Segment]) -> list[Segment]:
    text = doc.text
    if not segments or not SESSION_DOCUMENT.search(text[:3000]):
        return segments
    out: list[Segment] = []
    for seg in segments:
        heading = CONTRACTS_HEADING.search(text, seg.start, seg.end)
        if not heading:
            out.append(seg)
            continue
        out.append(Segment(start=seg.start, end=heading.start(), number=seg.number, title=seg.title, kind=seg.kind))
        bullets = [m.start() for m in BULLET.finditer(text, heading.end(), seg.end)]
        for k, s in enumerate(bullets):
            e = bullets[k + 1] if k + 1 < len(bullets) else seg.end
            title = doc.trim(BULLET.match(text, s).end(), text.find("\n", s, e) if "\n" in text[s:e] else e)
            out.append(Segment(start=s, end=e, number=None, title=title, kind="decision"))
    return out


# A report of the executive's decisions taken under delegation, its acts listed by date: "les arrêtés suivants
# ont été pris :", "Compte rendu des décisions prises par délégation", "Décisions du Maire".
DELEGATED_REPORT = re.compile(
    r"\b(?:arretes|decisions|actes)\s+suivant(?:e?s)?\s+(?:ont\s+ete\s+|sont\s+)?pris"
    r"|\bdecisions?\s+(?:prises?\s+(?:par|en\s+vertu|dans\s+le\s+cadre)|du\s+(?:maire|president))"
    r"|\bcompte[- ]?rendu\s+des\s+(?:decisions|pouvoirs\s+delegues)"
    r"|\bdelegation\s+(?:au\s+(?:maire|president)|du\s+conseil|accordee|consentie)", I)  # not "délégation de service public"
# An act's date at a line start: alone on its line (a table whose columns OCR flattened), or before its text
# ("23 février 2018 : …", "- 05/03/2018 - …"). OCR may glue the words ("23février20l8").
DATED_LINE = re.compile(
    r"^[ \t]*(?:[-•–][ \t]*)?(?:(?:le|du)[ \t]+)?(?P<date>(?P<day>[0-3]?\d)(?:er)?[ \t]*(?P<month>" + MONTH_WORD
    + r")[ \t]*(?P<year>(?:19|20|2O)[\dlIO]{2})|[0-3]?\d[/.][01]?\d[/.](?:19|20)\d{2})"
    r"[ \t]*(?:$|[-:–][ \t]*(?=\S))", I | M)
CONTENT_WORD = re.compile(r"[a-z]{4,}")
FUNCTION_WORDS = frozenset({
    "dans", "pour", "avec", "sans", "sous", "elle", "elles", "leur", "leurs", "cette", "ceux", "celle", "celles",
    "sont", "etait", "etre", "avoir", "plus", "tout", "tous", "toute", "toutes", "comme", "ainsi", "aussi",
    "entre", "apres", "avant", "depuis", "lors", "dont"})


def _delegated_decisions(doc: _Doc, seg: Segment) -> list[Segment]:
    """An item reporting the decisions taken under delegation becomes one decision per dated act.

    Two layouts: each act after its date ("23 février 2018 : …"), or a two-column table that OCR flattened
    into k dates, then the acts' paragraphs. The paragraphs are shared among the k dates in order, cut where
    two neighbours share the fewest words (an act's second paragraph goes on about the same thing: "Cet
    avenant…" after "Il est conclu un avenant…"); when that is ambiguous, or there are fewer paragraphs than
    dates, the item is left whole rather than pair an act with another's date.
    """
    text = doc.text
    if not DELEGATED_REPORT.search(text, seg.start, min(seg.end, seg.start + 800)):
        return [seg]
    dated = list(DATED_LINE.finditer(text, seg.start, seg.end))
    if len(dated) < 2:  # one date is no list of acts (a signature's date, a date recalled)
        return [seg]
    runs: list[list[re.Match]] = []
    for m in dated:
        if runs and not text[runs[-1][-1].end():m.start()].strip() and not text[m.end():doc.line_end(m.end())].strip():
            runs[-1].append(m)
        else:
            runs.append([m])
    if all(len(r) == 1 for r in runs):  # each act after its date
        starts = [seg.start] + [m.start() for m in dated[1:]]
        ends = [m.start() for m in dated[1:]] + [seg.end]
        titles = [m.end() for m in dated]
        return [Segment(start=s, end=e, number=None, title=title_after(doc, t, e), kind="decision")
                for s, e, t in zip(starts, ends, titles, strict=True)]
    if len(runs) != 1 or len(dated) < 2 or text[dated[-1].end():doc.line_end(dated[-1].end())].strip():
        return [seg]
    groups = _share_paragraphs(doc, _paragraphs(doc, dated[-1].end(), seg.end), len(dated))
    if groups is None:
        return [seg]
    out = []
    for k, (s, e) in enumerate(groups):
        out.append(Segment(start=seg.start if k == 0 else s, end=groups[k + 1][0] if k + 1 < len(groups) else seg.end,
                           number=None, title=title_after(doc, s, e), kind="decision"))
    return out


def _paragraphs(doc: _Doc, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in list(PARAGRAPH_BREAK.finditer(doc.text, start, end)) + [None]:
        stop = m.start() if m else end
        span = doc.trim(pos, stop)
        if span[0] < span[1]:
            out.append(span)
        if m:
            pos = m.end()
    return out


def _share_paragraphs(doc: _Doc, paragraphs: list[tuple[int, int]], k: int) -> list[tuple[int, int]] | None:
    """k groups of consecutive paragraphs, cut at the k-1 boundaries where neighbours share the fewest words;
    None when there are fewer than k paragraphs or the weakest boundaries are tied."""
    if len(paragraphs) < k:
        return None
    words = [{w[:5] for w in CONTENT_WORD.findall(doc.text[s:e].lower()) if w not in FUNCTION_WORDS}
             for s, e in paragraphs]
    shared = sorted((len(words[i] & words[i + 1]), i) for i in range(len(paragraphs) - 1))
    if len(shared) > k - 1 and shared[k - 2][0] == shared[k - 1][0]:
        return None
    cuts = sorted(i for _, i in shared[:k - 1])
    bounds = [0, *(i + 1 for i in cuts), len(paragraphs)]
    return [(paragraphs[a][0], paragraphs[b - 1][1]) for a, b in itertools.pairwise(bounds)]


# "DECISION" (or "DÉCISIONS DU PRÉSIDENT") on the line before a number: what follows are decisions.
DECISIONS_HEADING = re.compile(r"(?:^|\n)[ \t]*(?:DECISIONS?|Decisions?)\b[^\n]{0,60}\n(?:[ \t]*\n)*[ \t]*$")


def _kind(text: str, start: int, number: str) -> str:
    """A decision of the executive ("Décision n°…", "N° DP 2021-312", under a "DECISION" heading), else a
    deliberation."""
    if DECISION_WORD.match(text, start) or re.match(r"DP\b", number):
        return "decision"
    return "decision" if DECISIONS_HEADING.search(text, max(0, start - 80), start) else "deliberation"


LOWER_CASE_AFTER_BLANK = re.compile(r"(?:[ \t]*\n)+(?=[ \t]*[a-z])")


def title_after(doc: _Doc, title_start: int, end: int) -> tuple[int, int] | None:
    """The title after an item's number: its line (after "Objet :" or the act's date), up to "Rapporteur" or
    a result; a title in capitals, or cut at a dangling word, goes on over a second line."""
    text = doc.text
    label = TITLE_LABEL.match(text, title_start)
    ts = label.end() if label else title_start
    te = TITLE_END.search(text, ts, min(end, ts + 400))
    te_pos = te.start() if te else min(end, ts + 400)
    if te and text[te.start()] == "\n" and te_pos - ts < 90 and not text[ts:te_pos].rstrip().endswith("."):
        # OCR's blank line inside a phrase: "… pour une facture\n\nd'assainissement"
        gap = LOWER_CASE_AFTER_BLANK.match(text, te_pos + 1)
        line2_start = gap.end() if gap else te_pos + 1
        nxt = TITLE_END.search(text, line2_start, min(end, line2_start + 200))
        line2 = text[line2_start:nxt.start() if nxt else line2_start]
        line1 = text[ts:te_pos].strip()
        goes_on = (line1.isupper() and line2.strip().isupper()) or re.search(
            r"(?:\b(?:de|du|des|la|le|les|a|au|aux|et|en|sur|pour|d'|l')|[-,])$", line1, I
        ) or line2.strip()[:1].islower()
        if line2.strip() and goes_on and len(line2) < 100:
            te_pos = nxt.start() if nxt else te_pos
    return doc.trim(ts, te_pos) if ts < te_pos else None


# A result printed on its own line, in capitals, as a compte rendu sommaire ends each item with it.
RESULT_LINE = re.compile(r"^[ \t]*(?:ADOPTEE?S?|APPROUVEE?S?|REJETEE?S?)\b(?:[ \t]+A[ \t]+(?:L'UNANIMITE|LA[ \t]+MAJORITE)\b)?", M)


def _split_at_results(doc: _Doc, segments: list[Segment]) -> list[Segment]:
    """Where items end with their result line, an item holding several results holds several items (whose
    numbers were lost): it is cut after each result but the last."""
    text = doc.text
    results = [list(RESULT_LINE.finditer(text, seg.start, seg.end)) for seg in segments]
    if sum(1 for r in results if r) * 2 < len(segments):
        return segments
    out: list[Segment] = []
    for seg, found in zip(segments, results, strict=True):
        cuts = [m.end() for m in found[:-1]]  # the next item's title may follow on the line
        starts, ends = [seg.start, *cuts], [*cuts, seg.end]
        for k, (s, e) in enumerate(zip(starts, ends, strict=True)):
            if k == 0:
                out.append(Segment(start=s, end=e, number=seg.number, title=seg.title, kind=seg.kind))
            elif text[s:e].strip():
                out.append(Segment(start=s, end=e, number=None, title=title_after(doc, s, e), kind="deliberation"))
    return out


POSTPONED = re.compile(r"\b(?:est|sont)\s+(?:reporte|ajourne|retire)e?s?\b|\b(?:report|ajournement|retrait)\s+(?:du|de\s+ce)\s+"
                       r"(?:point|projet|dossier)", I)


def _postponed(text: str, body_start: int, end: int) -> bool:
    """A point whose few lines say only that it is postponed or withdrawn ("Ce projet de délibération est
    reporté au conseil du 25 novembre")."""
    body = text[body_start:end]
    return len(body.strip()) < 300 and bool(POSTPONED.search(body))


def _number_label(num: str) -> str:
    return re.sub(r"[ \t]+", " ", num).strip()


# "Délibération n° 2023-17", "N° 2022 7 4", "Délib. n°01-02", "DELIBERATION N°PACU/17-2023"
NUMBER_CUE = re.compile(
    r"(?:\bdeliberation|\bdelib\.?|^|(?<=\s))[ \t]*n[ \t]*[°o]\.?[ \t]*"
    r"(?P<num>[A-Z]{0,6}[ /]?\d[\w]*(?:[ \t]?[-/._ ][ \t]?\d+){0,3})",
    I | M,
)


# "… Séance du 05 Janvier 2024 03-2024 OBJET : …": a number printed just before the object's label
NUMBER_BEFORE_OBJECT = re.compile(r"(?<![\w/-])(?P<num>[A-Z]{0,6}/?\d{1,4}[-/]\d{2,4})\s+(?=(?:OBJET|Objet)\b)")


def read_number(doc: _Doc, limit: int = 4000) -> tuple[str, int, int] | None:
    """The number of a single deliberation, with its plain range: a numbered heading, else "n° …" outside
    the visas (which cite other deliberations' numbers)."""
    for start, _, number, scheme in _candidates(doc, getattr(doc, "collapsed", False)):
        if not scheme.startswith("ordinal") and start < limit:
            pos = doc.text.find(number, start)
            return _number_label(number), pos, pos + len(number)
    for m in NUMBER_CUE.finditer(doc.text, 0, min(limit, len(doc.text))):
        line = doc.text[doc.line_start(m.start()):m.start()]
        if re.match(r"[ \t]*(?:vu|considerant)\b", line, I) or re.search(r"\b(?:loi|article|decret|arrete)\s*$", line, I):
            continue
        return _number_label(m.group("num")).strip(" .-"), m.start("num"), m.end("num")
    m = NUMBER_BEFORE_OBJECT.search(doc.text, 0, min(limit, len(doc.text)))
    return (m.group("num"), m.start("num"), m.end("num")) if m else None
