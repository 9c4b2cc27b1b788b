"""What the answer is made of: items (one fact or one passage each) and the spans they cite.

Facts and passages produce items; compose renders each item to a sentence in the question's language;
verify checks each item's citations and numbers and drops the ones that fail, then the answer is
composed again from what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..chunks import record_parts
from ..models import Citation, Deliberation


def norm_quote(text: str) -> str:
    """The normalisation under which a quote is checked (and shown on one line): whitespace runs (the
    scan's line breaks) become one space. Citations carry the exact raw text."""
    return " ".join(text.split())


@dataclass
class Ref:
    """A span of a record to cite."""

    rec: Deliberation
    start: int
    end: int
    part: str | None = None  # label ("Article 1"); found from the record's structure when None
    _citation: Citation | None = field(default=None, init=False, repr=False, compare=False)

    def citation(self) -> Citation:
        """The citation of the span (made once: an answer's items are checked, then cited)."""
        if self._citation is None:
            self._citation = self._make_citation()
        return self._citation

    def _make_citation(self) -> Citation:
        rec = self.rec
        return Citation(
            id=rec.id,
            source=rec.source,
            part=rec.open_data.label() if rec.open_data else self.part or part_label(rec, self.start, self.end),
            quote=rec.raw_text[self.start:self.end],  # exact: raw_text[start:end] == quote
            start=self.start,
            end=self.end,
            body_label=rec.body_label,
            session_date=rec.session_date.isoformat() if rec.session_date else None,
            code=rec.service_code() or (rec.codes[0].code if rec.codes else None),
            object=norm_quote(rec.object.text) if rec.object else None,
        )


@dataclass
class Item:
    """One fact (an amount, a signatory, a list of members...) or one retrieved passage."""

    kind: str  # amount | beneficiary | purpose | date | signatory | members | present_count | vote |
    #            budget | cofinancers | passage | record
    rec: Deliberation | None
    data: dict = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)  # numbers computed from the cited text (counts)

    @property
    def cents(self) -> int | None:
        return self.data.get("cents")


@dataclass
class Facts:
    """What the registry says about a query: items, plus how they were selected."""

    items: list[Item] = field(default_factory=list)
    aggregate: str | None = None  # "total" | "count": items summed / counted; "sessions": a person's sessions
    considered: list[str] = field(default_factory=list)  # deliberation ids looked at, best first
    final: bool = False  # True when the registry settles the question (even with no item)


def session_key(rec: Deliberation | None) -> tuple:
    """What identifies a record's session: its date and body (the record itself when undated)."""
    if rec is None:
        return (None,)
    return (rec.session_date, rec.body) if rec.session_date else (rec.id,)


def part_label(rec: Deliberation, start: int, end: int) -> str:
    """The label of the record's part holding the span ("Article 1", "Exposé des motifs"...)."""
    best = None
    for s, e, label in _chunk_parts(rec):
        if s <= start and end <= e and (best is None or e - s < best[1] - best[0]):
            best = (s, e, label)
    if best:
        return best[2]
    for s, e, label in _chunk_parts(rec):  # overlapping only (a span across two parts)
        if s < end and start < e:
            return label
    return "Texte"


_PARTS: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
_PARTS_MAX = 50_000  # more than the records one answer cites (a total over a large registry cites thousands)


def _chunk_parts(rec: Deliberation) -> list[tuple[int, int, str]]:
    key = (rec.id, rec.content_hash)
    if key not in _PARTS:
        if len(_PARTS) > _PARTS_MAX:
            _PARTS.clear()
        _PARTS[key] = [(start, end, label) for _, label, start, end in record_parts(rec)]
    return _PARTS[key]
