"""A document -> its deliberation records.

`read_document` accepts what a person would recognise as a deliberation, a procès-verbal, a compte
rendu or a list of deliberations, and refuses only a text that is plainly none of these. A document
holding several deliberations (see `segment`) becomes one record per item: the session's facts are read
once from the header and shared, each item is parsed within its own span. Every record keeps the whole
document as its raw text, so that every span of every record quotes the document itself.
"""

from __future__ import annotations

import re

from assistant.ingest import session as sess
from assistant.ingest.parser import (
    EXTRACT_MARKERS,
    NotAnExtract,
    classify,
    parse_doc,
    read_header,
)
from assistant.ingest.segment import Segment, read_number, segment, title_after
from assistant.ingest.signature import find_signatory
from assistant.ingest.text import _Doc
from assistant.ingest.votes import find_vote
from assistant.models import Code, Deliberation, Item, Signatory, Span

__all__ = ["NotAnExtract", "read_document"]

# Words that make a text a register's document (a deliberation, or an assembly that deliberates: a "compte
# rendu de réunion" alone is no such document): one of them and two signs of a sitting or a decision.
REGISTER_WORDS = re.compile(
    r"\bdelib[eé]r|\bconseil\s+(?:municipal|communautaire"
    r"|d'administration|departemental|regional|de\s+la\s+metropole|metropolitain)|\bbureau\s+(?:communautaire"
    r"|de\s+la\s+metropole)|\bcommission\s+permanente|\bcomite\s+syndical|\brecueil\s+des\s+actes"
    # or an authority that deliberates, naming itself: the report of its meeting is its register's
    r"|\bsyndicat\s+(?:intercommunal|mixte|departemental)|\bcommunaute\s+(?:de\s+communes|d'agglomeration|urbaine)"
    r"|\bmetropole\b|\bcentre\s+communal\s+d'action\s+sociale|\bmairie\s+d|\bcommune\s+d", re.IGNORECASE)
SITTING_OR_DECISION = re.compile(
    r"\bseance\b|\breunion\b|\bconvoqu|\bpresents?\b|\bdecide\b|\bdecident\b|\badopte|\bapprouve|\bunanimite"
    r"|\bvu\b|\bconsiderant\b|\barticle\s+1|\bordre\s+du\s+jour|\bdeliberations?\b", re.IGNORECASE)
SESSION_WARNINGS = {
    "session_date": "Date de séance introuvable.",
    "body": "Assemblée délibérante (Conseil, Bureau…) introuvable.",
}
ITEM_WARNINGS = {
    "object": "Objet de la délibération introuvable.",
    "vote": "Résultat du vote introuvable : il reste inconnu.",
}


def check_document(doc: _Doc) -> None:
    """Raise NotAnExtract for a text that is plainly no register's document (with what was looked for)."""
    text = doc.text
    if len(text.strip()) < 40:
        raise NotAnExtract("Texte vide ou trop court : ce n'est pas un document de registre des délibérations.")
    words = {m.group().lower() for m in REGISTER_WORDS.finditer(text)}
    signs = SITTING_OR_DECISION.findall(text)
    markers = {name for name, pattern in EXTRACT_MARKERS.items() if pattern.search(text)}
    if (words and len(signs) >= 2) or len(markers) >= 3:
        return
    raise NotAnExtract(
        "Ce texte ne ressemble ni à une délibération ou un extrait de registre, ni à un procès-verbal ou un "
        "compte rendu de séance d'une assemblée, ni à une liste de délibérations (aucune assemblée ni "
        "délibération nommée)."
    )


def read_document(raw_text: str, *, id: str, source: str, path: str | None = None) -> list[Deliberation]:
    """The records of one document: one for a single deliberation, one per item otherwise. Ids: `id` for a
    single deliberation, `id-01`, `id-02`… for the items of a document that holds several."""
    doc = _Doc(raw_text or "")
    check_document(doc)
    segments = segment(doc)
    if not segments:
        rec, header_end = parse_doc(doc, id=id, source=source, path=path)
        _add_session_facts(rec, doc, header_end, single=True)
        number = read_number(doc)
        if number:
            rec.number = number[0]
            if not rec.codes:  # the codes' readers found nothing: the number is the code to look it up by
                s, e = doc.raw_span(number[1], number[2])
                rec.codes.append(Code(code=number[0], kind="registre", start=s, end=e))
            if rec.object is None:  # no "Objet :": the title is the numbered heading's ("DCM/17-2023 Étude …")
                rec.object = _heading_title(doc, number[2])
                rec.act_type = classify(rec.object.text, rec.articles) if rec.object else rec.act_type
        if not rec.articles and rec.vote is None and rec.signatory is None:
            rec.warnings.append("Document incomplet ou tronqué : ni article, ni vote, ni signature trouvés ; "
                                "ses passages restent consultables.")
        return [rec]
    header_end = segments[0].start
    facts = _session(doc, header_end, id=id, source=source, path=path)
    facts.minutes_signatory = _minutes_signatory(doc, segments[-1].end)
    return [_item(doc, seg, i, len(segments), facts, id=id) for i, seg in enumerate(segments, 1)]


def _heading_title(doc: _Doc, number_end: int) -> Span | None:
    """The title on a number's line, when a heading opens it (not a number cited in a sentence)."""
    title = title_after(doc, number_end, min(len(doc.text), number_end + 400))
    if title is None or not doc.text[title[0]:title[0] + 1].isupper():
        return None
    s, e = doc.raw_span(*title)
    return Span(text=doc.raw[s:e], start=s, end=e)


def _minutes_signatory(doc: _Doc, last_end: int) -> Signatory | None:
    """The signature after the last item ("Fin de séance à 21 heures 40.\n\nLe Maire\n\nPaul MARTIN"): the
    line that closes the sitting is skipped."""
    if last_end >= len(doc.text):
        return None
    return find_signatory(doc, None, doc.line_end(last_end))


def _session(doc: _Doc, header_end: int, *, id: str, source: str, path: str | None) -> Deliberation:
    """A record holding only the session's facts, read in the header (copied into every item)."""
    rec = Deliberation(id=id, source=source, path=path, raw_text=doc.raw, content_hash="",
                       **read_header(doc, header_end))
    date, span = sess.read_session_date(doc, header_end)  # a procès-verbal's title or formula first
    if date is not None:
        rec.session_date, rec.session_span = date, span
    _add_session_facts(rec, doc, header_end, single=False)
    return rec


def _add_session_facts(rec: Deliberation, doc: _Doc, header_end: int, *, single: bool) -> None:
    """The facts the single-extract parser does not read: authority type and name, convocation date,
    secretary, counts, absent members; and a session date that must not be the convocation's."""
    rec.authority_type, rec.authority_name = sess.read_authority(doc, rec.body, header_end, rec.authority)
    convocation = sess.read_convocation(doc, header_end, rec.session_date)
    if single:
        date, span = sess.read_session_date(doc, header_end)
        if date and (rec.session_date is None or rec.session_date == convocation[0]):
            rec.session_date, rec.session_span = date, span
            convocation = sess.read_convocation(doc, header_end, date)  # its year may be the session's
    rec.convocation_date, rec.convocation_span = convocation
    rec.secretary = sess.read_secretary(doc, header_end)
    counts = sess.read_counts(doc, header_end)
    if rec.present_count is None and "present_count" in counts:
        rec.present_count = counts["present_count"].value
        s, e = counts["present_count"].start, counts["present_count"].end
        rec.present_count_span = Span(text=doc.raw[s:e], start=s, end=e)
    rec.members_in_office = counts.get("members_in_office")
    rec.voting_count = counts.get("voting_count")
    rec.represented_count = counts.get("represented_count")
    rec.absent = sess.read_absent(doc, header_end)


SESSION_FIELDS = [
    "authority", "body", "body_label", "session_date", "session_span", "president", "present_count",
    "present_count_span", "present", "represented", "excused", "authority_type", "authority_name",
    "convocation_date", "convocation_span", "secretary", "members_in_office", "voting_count",
    "represented_count", "absent", "minutes_signatory",
]


def _item(doc: _Doc, seg: Segment, index: int, total: int, facts: Deliberation, *, id: str) -> Deliberation:
    """One item: parsed within its own span, with the session's facts and its heading's number and title."""
    s, e = doc.raw_span(seg.start, seg.end)
    sub = _Doc(doc.raw[s:e], collapsed=doc.collapsed)
    part, _ = parse_doc(sub, id=id, source=facts.source, path=facts.path)
    if part.vote is None:  # a compte rendu states the vote anywhere in the item ("ADOPTÉE À L'UNANIMITÉ")
        part.vote = find_vote(sub, 0, len(sub.text), None)
    rec = _shift(part, s, doc.raw)
    for field in SESSION_FIELDS:
        setattr(rec, field, getattr(facts, field))
    rec.id = f"{id}-{index:02d}"
    rec.item = Item(index=index, total=total, kind=seg.kind, start=s, end=e)
    rec.number = seg.number
    if seg.title:
        ts, te = doc.raw_span(*seg.title)
        rec.object = Span(text=doc.raw[ts:te], start=ts, end=te)
        rec.act_type = classify(rec.object.text, rec.articles)
    if seg.number:
        ns = s + doc.raw[s:e].find(seg.number)
        if ns >= s and not any(c.code == seg.number for c in rec.codes):
            rec.codes.insert(0, Code(code=seg.number, kind="registre", start=ns, end=ns + len(seg.number)))
    rec.warnings = [msg for field, msg in {**SESSION_WARNINGS, **ITEM_WARNINGS}.items() if not getattr(rec, field)]
    return rec


_OFFSETS = {"start", "end", "sentence_start", "sentence_end"}


def _shift(rec: Deliberation, offset: int, raw_text: str) -> Deliberation:
    """A record parsed from `raw_text[offset:…]`, with its spans moved into `raw_text`."""
    data = _moved(rec.model_dump(exclude={"raw_text"}), offset)
    return Deliberation.model_validate({**data, "raw_text": raw_text})


def _moved(value, offset: int):
    if isinstance(value, dict):
        return {k: (v + offset if k in _OFFSETS and isinstance(v, int) else _moved(v, offset))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, offset) for v in value]
    return value
