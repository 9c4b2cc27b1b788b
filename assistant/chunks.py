"""Cut a record along its structure into chunks for the lexical and dense indexes.

Parts: the session (date, president, attendance), the object, the exposé (one chunk per paragraph
group), the visas, each article, the vote and the signature. Each chunk keeps its span in the raw text.
"""

from __future__ import annotations

import hashlib
import re

from .models import Chunk, Deliberation

# Paragraphs are grouped up to about this many characters: small enough to quote, big enough for context.
_EXPOSE_TARGET = 900
_PARA_BREAK = re.compile(r"\n\s*\n")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _paragraph_groups(text: str, offset: int) -> list[tuple[int, int]]:
    """Spans (absolute) of consecutive paragraphs grouped up to _EXPOSE_TARGET characters."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in list(_PARA_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        if text[pos:end].strip():
            spans.append((pos, end))
        if m:
            pos = m.end()
    groups: list[tuple[int, int]] = []
    for start, end in spans:
        if groups and end - groups[-1][0] <= _EXPOSE_TARGET:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return [(offset + s, offset + e) for s, e in groups]


def _session_span(rec: Deliberation) -> tuple[int, int] | None:
    """From the session date to the end of the attendance lists (whatever of them exists)."""
    starts = [s.start for s in (rec.session_span, rec.president) if s]
    ends = [s.end for s in (rec.session_span, rec.president, rec.present_count_span) if s]
    ends += rec.member_ends("present", "represented", "excused")
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def record_parts(rec: Deliberation) -> list[tuple[str, str, int, int]]:
    """The record's parts, as its chunks cut it: (part, label, start, end). What a citation's part label
    reads, without making the chunks (their texts and hashes)."""
    parts: list[tuple[str, str, int, int]] = []
    session = _session_span(rec)
    if session:
        parts.append(("seance", "Séance et présences", *session))
    if rec.object:
        codes_spans = [(c.start, c.end) for c in rec.codes]
        start = min([rec.object.start] + [s for s, _ in codes_spans])
        end = max([rec.object.end] + [e for _, e in codes_spans])
        parts.append(("objet", "Objet", start, end))
    if rec.expose:
        for i, (s, e) in enumerate(_paragraph_groups(rec.expose.text, rec.expose.start), 1):
            parts.append((f"expose-{i}", "Exposé des motifs", s, e))
    if rec.visas:
        parts.append(("visas", "Visas", rec.visas[0].start, rec.visas[-1].end))
    for art in rec.articles:
        parts.append((f"article-{art.number}", f"Article {art.number}", art.start, art.end))
    if rec.vote:
        parts.append(("vote", "Vote", rec.vote.start, rec.vote.end))
    if rec.signatory:
        parts.append(("signature", "Signature", rec.signatory.start, rec.signatory.end))
    kept: list[tuple[str, str, int, int]] = []
    seen: set[str] = set()
    for part, label, start, end in parts:
        if not rec.raw_text[start:end].strip() or part in seen:
            continue
        seen.add(part)
        kept.append((part, label, start, end))
    # A deliberation read from a procès-verbal, or one whose decision has no numbered articles, keeps all its
    # own text searchable: the passages (paragraph groups of its span) beside the parts found.
    if rec.item is not None or not rec.articles or not kept:
        start, end = rec.own_span
        label = rec.open_data.label() if rec.open_data else "Texte"  # an open-data file's row: its line
        kept += [(f"texte-{i}", label, s, e) for i, (s, e) in enumerate(_passages(rec.raw_text, start, end), 1)]
    # What precedes the first item of a document whose session was not read (its heading: "Conseils
    # d'Administration du CCAS du 12/02 et du 27/03") belongs to every item: searchable with the first one.
    if rec.item is not None and rec.item.index == 1 and session is None and rec.item.start > 0:
        kept += [(f"entete-{i}", "En-tête", s, e) for i, (s, e) in enumerate(_passages(rec.raw_text, 0, rec.item.start), 1)
                 if rec.raw_text[s:e].strip()]
    # What follows the last item ("Questions diverses", announcements, the closing) belongs to no deliberation
    # but is still the session's text: searchable with the last item, under its own label.
    if rec.item is not None and rec.item.index == rec.item.total and rec.item.end < len(rec.raw_text):
        kept += [(f"suite-{i}", "Suite de la séance", s, e)
                 for i, (s, e) in enumerate(_passages(rec.raw_text, rec.item.end, len(rec.raw_text)), 1)
                 if rec.raw_text[s:e].strip()]
    return kept


def chunk_record(rec: Deliberation) -> list[Chunk]:
    meta = {
        "body": rec.body,
        "session_date": rec.session_date.isoformat() if rec.session_date else None,
        "year": rec.year,
        "act_type": rec.act_type,
        "beneficiaries": rec.beneficiaries,
        "codes": [c.code for c in rec.codes],
        "source": rec.source,
    }
    chunks: list[Chunk] = []
    for part, label, start, end in record_parts(rec):
        text = rec.raw_text[start:end]
        chunks.append(Chunk(id=f"{rec.id}:{part}", deliberation_id=rec.id, part=part, part_label=label,
                            start=start, end=end, text=text, content_hash=_hash(text), **meta))
    return chunks


_LINE_OR_SENTENCE = re.compile(r"\n|(?<=[.;:!?])[ \t]+(?=[A-Z0-9«])")


def _passages(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of about _EXPOSE_TARGET characters covering raw[start:end], cut at line or sentence ends (a
    text whose line breaks were lost is cut at its sentences)."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        stop = min(end, pos + _EXPOSE_TARGET)
        if stop < end:
            cuts = [m.end() for m in _LINE_OR_SENTENCE.finditer(raw, pos + _EXPOSE_TARGET // 3, stop)]
            stop = cuts[-1] if cuts else stop
        if raw[pos:stop].strip():
            out.append((pos, stop))
        pos = stop
    return out
