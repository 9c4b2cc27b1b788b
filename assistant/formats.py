"""French (and English) formats for amounts and dates shown to users."""

from __future__ import annotations

import datetime as dt

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
