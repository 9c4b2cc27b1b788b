"""The vote: its result (adopted, unanimous), its counts and the names of those who voted against or
abstained, read after the last article heading or, failing that, in the decision line.
"""

from __future__ import annotations

import re

from assistant.ingest.attendance import _name_item
from assistant.ingest.text import (
    CERTIFICATION,
    NOT_ABBREVIATION_DOT,
    SENTENCE_BREAK,
    _Doc,
    sentence_around,
    split_ranges,
)
from assistant.models import Vote

I, M = re.IGNORECASE, re.MULTILINE

INLINE_SEPARATOR = re.compile(r"\s*(?:,|;|\bet\b|\s-\s)\s*")

# "ACCEPTE CETTE PROPOSITION", also as OCR reads it (a "T" read as "Ï")
ACCEPTS = r"\baccep\w{1,3}\s+\w{3,5}\s+propos"
VOTE_LINE = re.compile(
    r"^[ \t]*(?:cette\s+proposition|(?:la|le)\s+(?:presente?\s+)?(?:proposition|deliberation|rapport)\s+"
    r"(?:mise?\s+aux\s+voix\s+)?(?:est|a\s+ete)|mise?\s+aux\s+voix|adopte|rejete|a\s+[lI1]'unanimite|[lI1]'unanimite|unanimite"
    r"|a\s+la\s+majorite|pour\s*:|contre\s*:|abstentions?\b|se\s+sont\s+abstenus|s'est\s+abstenu|ont\s+vote"
    # "APPROUVÉE" (the result), "APPROUVE" alone or with its majority; not the verb of "APPROUVE les termes"
    r"|approuvees?\b|approuves?[ \t.]*$|approuves?\s+(?:a\s+l'unanimite|a\s+la\s+majorite|par\b)"
    r"|\d+\s+(?:voix\s+)?(?:contre|pour|abstentions?)\b"
    r"|votes?\s*(?:contre|pour)?\s*:|vote\s+contre|resultat\s+du\s+vote|votants?\s*:|suffrages"
    r"|pour\s*:?\s*\d+\s*[-,/;]\s*contre"
    r"|le\s+(?:conseil|bureau|commission)[^\n]{0,60}\badopte|ne\s+prend\s+pas\s+part|n'a\s+pas\s+pris\s+part"
    # "LE CONSEIL MUNICIPAL, A L'UNANIMITE, ACCEPTE CETTE PROPOSITION" (OCR: "Ï" for "T"), "… qui votent contre"
    rf"|le\s+(?:conseil|bureau|commission)[\s\S]{{0,300}}?{ACCEPTS}"
    r"|n'ont\s+pas\s+pris\s+part|\d+\s+voix)",
    I | M,
)
# "unanim": OCR reads "UNANIMITÉ" as "UNANIMIÏE" too
VOTE_ANYWHERE = re.compile(r"mise?\s+aux\s+voix|\badopte+e?s?\b|unanim|a\s+la\s+majorite|\b\d+\s+voix\b"
                           rf"|\bvotent\s+contre|{ACCEPTS}", I)
VOTE_NAMES = re.compile(
    r"(?:\b(?P<pre>\d+)\s+(?:voix\s+)?)?"  # "1 contre : M. X", "3 abstentions : Mme Y, M. Z"
    r"(?P<kind>se\s+sont\s+abstenus?|s'est\s+abstenue?|abstentions?(?:\(s\))?(?:\s+de)?|ont\s+vote\s+contre|a\s+vote\s+contre"
    r"|votes?\s+contre|contre)\s*(?:\(\s*(?P<n>\d+)\s*\))?\s*:\s*(?:(?P<count>\d+)\s*)?",
    I,
)
# Names after "Ont voté contre :" run to the end of the sentence, across lines ("Monsieur\nPhilippe VIDAL.").
VOTE_NAMES_END = re.compile(
    NOT_ABBREVIATION_DOT + r"(?=\s|$)|" + SENTENCE_BREAK.pattern + r"|\s/\s|\n(?=[ \t]*(?i:se\s+sont|abstention|contre|vote|ont\s+vote|\d+\s+(?:voix\s+)?(?:contre|abstention)"
    r"|pour\s*:|adopt))"
    r"|\s(?=(?i:adopte|voix\s+contre|pour\s*:))"  # a form's next box on the same line: "…, Mme Y Adopté à…"
)
# "3 contre (M. X, Mme Y, M. Z)", "2 abstentions (Mme A, M. B)": the count, then the names in brackets.
VOTE_COUNT_NAMES = re.compile(
    r"\b(?P<count>\d+)\s+(?:voix\s+|votes?\s+)?(?P<kind>contre|abstentions?)\s*\(", I
)
# "22 voix pour", "Pour : 22", and in a vote line "0 contre, 0 abstention, 11 pour" (not "5 pour cent").
FOR_COUNT = re.compile(r"(?P<n>\d+)\s+(?:(?:voix|votes?)\s+)?pour\b(?!\s+cent)|\bpour\s*:\s*(?P<n2>\d+)", I)
# "12 voix contre 15" is 12 for and 15 against: no count of votes against is read from it.
AGAINST_COUNT = re.compile(r"(?P<n>\d+)\s+(?:voix\s+|votes?\s+)?contre\b(?!\s*\d)|\bcontre\s*:\s*(?P<n2>\d+)", I)
ABSTENTION_COUNT = re.compile(r"(?P<n>\d+)\s+abstentions?\b|\babstentions?\s*:\s*(?P<n2>\d+)", I)


# "Le conseil municipal, à l'exception de Madame X, Messieurs Y, Z qui votent contre, accepte …", "à l'exception
# de M. X qui s'abstient", in capitals too and through OCR's lost apostrophe, "Ï" for "T" and "o" for "q";
# "qui ne prennent pas part au vote" is neither.
EXCEPT_NAMES = re.compile(
    r"\ba\s+l'?\s*exce\w{3,6}\s+d(?:e\s+|')(?P<names>[\s\S]{3,300}?)[ \t,]+[qo]ui\s+"
    r"(?:(?P<against>vo\w{2,5}\s+co[nu]\w{3}\b)|(?P<abstain>s'abst\w+|se\s+sont\s+abst\w+))", I)
# Civilities before the names of a vote line, in capitals too, singular or plural: "MESDAMES X, Y".
VOTE_CIVILITY = re.compile(r"(?i:m|mme|mlle|mm|madame|monsieur|mesdames|messieurs|mes\w{3,5}s)\.?[ \t\n]+(?=\S)")


FOR_AGAINST_ABSTENTION = re.compile(
    r"\bpour\s*:?\s*(?P<for>\d+)\s*[-,/;]\s*contre\s*:?\s*(?P<against>\d+)"
    r"(?:\s*[-,/;]\s*abstentions?\s*:?\s*(?P<abst>\d+))?", I)


def _names(doc: _Doc, start: int, end: int) -> list[str]:
    """Names in a vote line: "Jean DUPONT, Mme Anne MARTIN et M. Luc ROUX"."""
    items = []
    for s, e in split_ranges(doc.text, INLINE_SEPARATOR, start, end):
        s, e = doc.trim(s, e)
        civility = VOTE_CIVILITY.match(doc.text, s, e)
        items.append(_name_item(doc, civility.end() if civility else s, e))
    return [doc.value(*item) for item in items if item]


def find_vote(doc: _Doc, start: int, end: int, decision: re.Match | None) -> Vote | None:
    """The vote: "Cette proposition mise aux voix est adoptée.", "ADOPTÉ À L'UNANIMITÉ", "ADOPTÉ À LA
    MAJORITÉ", "Pour : 45 / Contre : 3 / Abstentions : 2", "Se sont abstenus : X, Y", "N voix contre",
    "Vote contre : ...". Searched in [start, end) (after the last article heading); failing that, in the
    decision line ("Après en avoir délibéré, à l'unanimité, DÉCIDE :")."""
    first = VOTE_LINE.search(doc.text, start, end)
    if first:
        vs = first.start()
        ve = doc.line_end(max(vs, first.end() - 1))  # a vote line may run over lines (the proposal, then who votes against)
        pos = ve
        while pos < end:
            nxt = re.compile(r"\n[ \t]*(?=\S)").search(doc.text, pos, end)
            if not nxt:
                break
            line_start = nxt.end()
            gap_has_blank = doc.text.count("\n", pos, line_start) > 1
            # A list of names cut by a blank line: "..., Monsieur Gilles\n\nPASTOR." goes on.
            cut_name = re.search(r"(?:,|\b[A-Z][a-z]+)[ \t]*$", doc.text[doc.line_start(pos):pos]) and re.match(
                r"[A-Z][A-Z'-]+\b", doc.text[line_start:])
            if gap_has_blank and not cut_name and not VOTE_LINE.match(doc.text, doc.line_start(line_start), end):
                break
            if CERTIFICATION.match(doc.text, doc.line_start(line_start), end):
                break
            ve = doc.line_end(line_start)
            pos = ve
        ve = min(ve, end)
    else:
        # The decision line that carries the vote ("après en avoir délibéré, avec 74 voix pour, 0 contre et 4
        # abstentions :") comes before a loose word in the articles ("- adopte la décision modificative").
        m = None if decision and VOTE_ANYWHERE.search(decision.group()) else VOTE_ANYWHERE.search(doc.text, start, end)
        if not m and decision and VOTE_ANYWHERE.search(decision.group()):
            m = decision
            vs, ve = decision.start(), decision.end()
        elif m:
            vs, ve = sentence_around(doc, m.start(), start, end)
        else:
            return None
    vs, ve = doc.trim(vs, ve)
    block = doc.text[vs:ve]
    low = block.lower()
    adopted = None
    if re.search(r"\b(?:n'est\s+pas|n'a\s+pas\s+ete|non)\s+adopte|\brejete", low):
        adopted = False
    elif re.search(rf"adopte|approuve|unanim|a\s+la\s+majorite|\bdecide\b|{ACCEPTS}", low):
        adopted = True
    unanimous, quote_start = "unanim" in low, vs
    majority = bool(re.search(r"a\s+la\s+majorite", low))
    if adopted is None and decision and decision.end() <= vs and VOTE_ANYWHERE.search(decision.group()):
        # Counts after the articles, the result in the decision line ("après en avoir délibéré, à la majorité :")
        said = decision.group().lower()
        if re.search(r"unanim|a\s+la\s+majorite|adopte|approuve", said):
            adopted, unanimous = True, "unanim" in said
            majority = bool(re.search(r"a\s+la\s+majorite", said))
            quote_start = decision.start()  # the quote holds the result it asserts
    vote = Vote(adopted=adopted, unanimous=unanimous, majority=majority and not unanimous, start=0, end=0)
    triple = FOR_AGAINST_ABSTENTION.search(block)  # "Pour 28 – Contre 3 – Abstention 2"
    if triple:
        vote.for_count = int(triple.group("for"))
        vote.against_count = int(triple.group("against"))
        vote.abstention_count = int(triple.group("abst")) if triple.group("abst") else None
        if adopted is None:
            vote.adopted = int(triple.group("for")) > vote.against_count
    for m in VOTE_NAMES.finditer(doc.text, vs, ve):
        count = m.group("n") or m.group("count") or m.group("pre")
        names_s = m.end()
        if doc.text.startswith("(", names_s):  # "Contre : 4 (M. X, Mme Y, ...)"
            close = doc.text.find(")", names_s, ve)
            names_s, names_e = names_s + 1, close if close > 0 else ve
        elif m.group("count"):  # "Pour : 12 / Contre : 3"
            names_e = names_s
        else:
            stop = VOTE_NAMES_END.search(doc.text, names_s, ve)
            names_e = stop.start() if stop else ve
        names = _names(doc, names_s, names_e) if names_e > names_s else []
        # Counting the names is exact only for people ("Jean DUPONT"), not for "le groupe X".
        if not count and names and all(n[0].isupper() for n in names):
            count = len(names)
        if "contre" in m.group("kind").lower():
            vote.against.extend(names)
            vote.against_count = int(count) if count else vote.against_count
        else:
            vote.abstentions.extend(names)
            vote.abstention_count = int(count) if count else vote.abstention_count
    for m in EXCEPT_NAMES.finditer(doc.text, vs, ve):
        names = _names(doc, m.start("names"), m.end("names"))
        if not names or not all(n[0].isupper() for n in names):
            continue
        if m.group("against") and not vote.against:
            vote.against, vote.against_count = names, vote.against_count or len(names)
        elif m.group("abstain") and not vote.abstentions:
            vote.abstentions, vote.abstention_count = names, vote.abstention_count or len(names)
    for m in VOTE_COUNT_NAMES.finditer(doc.text, vs, ve):
        close = doc.text.find(")", m.end(), ve)
        names = _names(doc, m.end(), close) if close > 0 else []
        if not names or not all(n[0].isupper() for n in names):
            continue
        if m.group("kind").lower() == "contre" and not vote.against:
            vote.against, vote.against_count = names, int(m.group("count"))
        elif m.group("kind").lower() != "contre" and not vote.abstentions:
            vote.abstentions, vote.abstention_count = names, int(m.group("count"))
    if vote.against_count is None:
        m = AGAINST_COUNT.search(block)
        if m:
            vote.against_count = int(m.group("n") or m.group("n2"))
    if vote.abstention_count is None:
        m = ABSTENTION_COUNT.search(block)
        if m:
            vote.abstention_count = int(m.group("n") or m.group("n2"))
    m = FOR_COUNT.search(block) if vote.for_count is None else None
    if m:  # "par 12 voix pour et 2 abstentions", "Pour : 12"
        vote.for_count = int(m.group("n") or m.group("n2"))
    if adopted is None and vote.for_count is not None:  # more for than against is adopted
        vote.adopted = vote.for_count > (vote.against_count or 0)
    vote.start, vote.end = doc.raw_span(quote_start, ve)
    return vote
