"""French (and English) formats for amounts and dates shown to users, and the forms of a date a
question writes."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def format_money(cents: int, lang: str = "fr", qualifier: str | None = None) -> str:
    """2_000_000 -> "20 000 €" (fr) / "EUR 20,000" (en); cents only when there are some."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    q = f" {qualifier}" if qualifier else ""
    if lang == "en":
        body = _group(euros, ",") + (f".{rest:02d}" if rest else "")
        return f"{sign}EUR {body}{q}"
    body = _group(euros, " ") + (f",{rest:02d}" if rest else "")
    return f"{sign}{body} €{q}"


def format_date(value: dt.date | str, lang: str = "fr") -> str:
    """2019-06-20 -> "20 juin 2019" (fr) / "20 June 2019" (en); "1er" for the first of the month."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if lang == "en":
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MOIS[value.month - 1]} {value.year}"


# A day as a question writes it: "20 juin 2019", "1er mars 2021", "June 20, 2019", "20/06/2019", "2019-06-20".
_MONTH_WORDS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|"
    r"january|february|march|april|may|june|july|august|september|october|november|december"
)
QUESTION_DATES = [
    re.compile(rf"\b(?:1er|\d{{1,2}})(?:st|nd|rd|th)?\s+(?:{_MONTH_WORDS})\s+\d{{4}}\b", re.IGNORECASE),
    re.compile(rf"\b(?:{_MONTH_WORDS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
]


def prepare_dates() -> None:
    """Load dateparser and its French and English data now (half a second of patterns compiled at the
    first date a question carries otherwise): the app does it at its start."""
    import dateparser

    for text in ("1er janvier 2000", "January 1, 2000"):
        dateparser.parse(text, languages=["fr", "en"])


@lru_cache(maxsize=256)
def parse_question_date(text: str) -> dt.date | None:
    """The date of a span matched by QUESTION_DATES (French or English), or None."""
    import dateparser  # slow import: only when a question carries a date

    value = dateparser.parse(text, languages=["fr", "en"],
                             settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    return value.date() if value else None
