"""Matching rules for evaluation: accent-, case- and space-insensitive, numbers without separators.

"20 000 €" = "20000 euros" = "EUR 20,000"; "Cité des Métiers" = "cite des metiers"; "ACTE’INOV" =
"ACTE'INOV". A number never matches inside a longer number ("20 000" is not in "120 000").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import textnorm

# A thousands-grouped number: 1-3 digits then groups of exactly 3 ("20 000", "1.234.567", "20,000").
_GROUPED = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u00a0\u202f.,]\d{3})+)(?![\d])")
_SEP = re.compile(r"[ \u00a0\u202f.,]")
_EURO = re.compile(r"€|\beuros?\b|\beur\b", re.IGNORECASE)
_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")
_NUMBER = re.compile(r"\d+")


def join_thousands(text: str) -> str:
    """Remove thousands separators: "20 000 €" -> "20000 €" (a decimal part ",50" is left alone)."""
    return _GROUPED.sub(lambda m: m.group(1) + _SEP.sub("", m.group(2)), text)


def canonical(text: str) -> str:
    """The matching key of a text: folded, OCR-repaired tokens; spaces kept only between numbers."""
    # The currency word is dropped: "20 000 €" = "EUR 20,000" = "20000 euros" = "20000".
    text = _EURO.sub(" ", join_thousands(text))
    joined = " ".join(textnorm.tokens(text))
    return _SPACE_NOT_BETWEEN_DIGITS.sub("", joined)


def contains(text: str, needle: str, *, text_key: str | None = None) -> bool:
    """True when `needle` occurs in `text` under the matching rules (numbers matched whole)."""
    key = canonical(needle)
    if not key:  # only a currency or punctuation: "€" forbids any sum of money
        bare = needle.strip()
        if _EURO.fullmatch(bare):
            return bool(_EURO.search(text))
        return bool(bare) and textnorm.fold(bare) in textnorm.fold(text)
    hay = canonical(text) if text_key is None else text_key
    for m in re.finditer(re.escape(key), hay):
        before = hay[m.start() - 1] if m.start() else ""
        after = hay[m.end()] if m.end() < len(hay) else ""
        if key[0].isdigit() and before.isdigit():
            continue
        if key[-1].isdigit() and after.isdigit():
            continue
        return True
    return False


def found_strings(text: str, needles: Iterable[str]) -> list[bool]:
    key = canonical(text)
    return [contains(text, n, text_key=key) for n in needles]


def best_expected(text: str, expected: list[str], alternatives: list[list[str]]) -> tuple[bool, float, list[str]]:
    """Match `expected` or any alternative list; returns (all found, recall, missing strings).

    The best-scoring option wins (a full match first, then the highest share of strings found).
    """
    options = [expected] + [alt for alt in alternatives if alt]
    options = [o for o in options if o] or [[]]
    best: tuple[bool, float, list[str]] | None = None
    for option in options:
        if not option:
            result = (True, 1.0, [])
        else:
            hits = found_strings(text, option)
            missing = [s for s, ok in zip(option, hits) if not ok]
            result = (not missing, sum(hits) / len(option), missing)
        if best is None or (result[0], result[1]) > (best[0], best[1]):
            best = result
    assert best is not None
    return best


def forbidden_hits(text: str, forbidden: Iterable[str]) -> list[str]:
    forbidden = list(forbidden)
    return [s for s, ok in zip(forbidden, found_strings(text, forbidden)) if ok]


# -- numbers ---------------------------------------------------------------------------------------

# A decimal part after a comma (French) or a dot (English, and sources printed that way: "376.47 €").
_ANSWER_NUMBER = re.compile(r"(?<![\w])\d+(?:[ \u00a0\u202f.,]\d{3}(?!\d))*(?:[.,]\d{1,2}(?!\d))?")
_ORDINAL_SUFFIX = re.compile(r"^(?:er|ere|e|eme|nd|nde|st|th|rd)$")


def _norm_number(raw: str) -> str:
    """"20 000" -> "20000"; "004" -> "4"; "20 000,00" -> "20000"; "12,5" -> "12,5"."""
    cut = re.search(r"[.,](\d{1,2})$", raw)
    whole, dec = (raw[:cut.start()], cut.group(1)) if cut else (raw, "")
    whole = _SEP.sub("", whole).lstrip("0") or "0"
    dec = dec.rstrip("0")
    return f"{whole},{dec}" if dec else whole


def answer_numbers(text: str) -> list[str]:
    """Numbers stated in an answer, normalised ("20 000 €" -> "20000"), in order, distinct."""
    out: list[str] = []
    for m in _ANSWER_NUMBER.finditer(text):
        n = _norm_number(m.group(0).rstrip(" ,."))
        if n not in out:
            out.append(n)
    return out


def source_numbers(text: str) -> set[str]:
    """Every reading of the numbers in a source: grouped ("20 000" -> 20000) and digit runs alone.

    Sources are OCR text, where "2019 200" may be two numbers or one: accept both readings.
    """
    found = {_norm_number(m.group(0).rstrip(" ,.")) for m in _ANSWER_NUMBER.finditer(text)}
    found |= {m.group(0).lstrip("0") or "0" for m in _NUMBER.finditer(text)}
    return found
