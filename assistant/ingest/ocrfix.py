"""OCR-noise normalisation that keeps track of character offsets.

The parser matches its patterns against a *plain* copy of the raw text: accents stripped
("Métropole" -> "Metropole", "Délibére" -> "Delibere", "Céte" -> "Cete"), typographic quotes and
dashes unified, odd spaces made plain, ligatures opened ("œuvre" -> "oeuvre"), stray combining
accents, OCR's doubled accents ("Meétropole" -> "Metropole") and doubled apostrophes dropped, words cut
at a line end joined. `Plain` remembers where each of its characters came from, so a match in the plain
copy maps back to an exact span of the raw text. Values shown to people are taken from the raw text
and only tidied (`clean`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

_REPLACE = {
    "\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'",
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\t": " ", "\r": " ",
    "\f": "\n",  # a page break starts a line
    "\u0153": "oe", "\u0152": "OE", "\u00e6": "ae", "\u00c6": "AE", "\u00df": "ss",
    "\ufb01": "fi", "\ufb02": "fl",
}


@lru_cache(maxsize=4096)
def _plain_char(ch: str) -> str:
    if ch in _REPLACE:
        return _REPLACE[ch]
    if ch.isascii():
        return ch
    if unicodedata.combining(ch):
        return ""
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)) or ch


# A word cut at a line end ("dévelop-\npement"): a lower-case letter on both sides. "Provence-\nAlpes"
# keeps its hyphen (a capital follows: a compound name broken at its hyphen).
_WORD_BREAK = re.compile(r"(?<=[a-zà-ÿ])-[ \t]*\n(?:[ \t]*\n)?[ \t]*(?=[a-zà-ÿ])")


# OCR doubles an accented e with a plain one: "Meétropole", "preésents" (French never writes "eé").
_DOUBLED_ACCENT = re.compile(r"[eE](?=[éèêëÉÈÊË])")

# ... and reads one apostrophe as two: "d’'un", "S’'est".
_DOUBLED_APOSTROPHE = re.compile(r"(?<=['’`´])['’`´]")


class Plain:
    """An accent-free copy of a raw text (case kept) with a map back to raw offsets."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        parts: list[str] = []
        starts: list[int] = []
        skip = {i for pattern in (_WORD_BREAK, _DOUBLED_ACCENT, _DOUBLED_APOSTROPHE) for m in pattern.finditer(raw)
                for i in range(m.start(), m.end())}
        for i, ch in enumerate(raw):
            if i in skip:
                continue  # "asso-\nciation" reads "association"
            rep = _plain_char(ch)
            parts.append(rep)
            starts.extend([i] * len(rep))
        self.text = "".join(parts)
        self._starts = starts

    def __len__(self) -> int:
        return len(self.text)

    def to_raw(self, i: int) -> int:
        """Raw offset of plain offset `i` (plain end offsets map to the end of the last character)."""
        return self._starts[i] if i < len(self._starts) else len(self.raw)

    def from_raw(self, raw_offset: int) -> int:
        """Plain offset of a raw offset (the first plain character at or after it)."""
        return bisect.bisect_left(self._starts, raw_offset)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        return self.to_raw(start), self.to_raw(end)

    def raw_slice(self, start: int, end: int) -> str:
        s, e = self.raw_span(start, end)
        return self.raw[s:e]


_WS = re.compile(r"\s+")
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n\s*(\w)")
_SPACED_HYPHEN = re.compile(r"(\w)- (?=[A-ZÀ-Ý])")


def clean(text: str) -> str:
    """A tidy one-line version of a raw piece, for display and values ("Xavier\\nMERY" -> "Xavier MERY").

    A word cut at a line end is joined ("asso-\\nciation"); before a capital the hyphen is kept (in names
    and places it is a real one: "Provence-\\nAlpes"); whitespace runs become one space.
    """
    text = _WORD_BREAK.sub("", text)
    text = _HYPHEN_BREAK.sub(r"\1-\2", text)
    text = _SPACED_HYPHEN.sub(r"\1-", text)
    return _WS.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case accent-free version of `text` (for keyword tests, not for offsets)."""
    return Plain(text).text.lower()
