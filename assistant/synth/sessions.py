"""Sessions: calendars per assembly and year, attendance (present, represented with proxies, excused)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .world import Person

# --------------------------------------------------------------------------------------------------
# Sessions and attendance
# --------------------------------------------------------------------------------------------------


@dataclass
class Session:
    body: str  # "bureau" | "conseil" | "conseil_municipal"
    city: str | None
    date: dt.date
    president: Person
    members: list[Person]
    present: list[Person]
    represented: list[tuple[Person, Person]]
    excused: list[Person]
    hour: tuple[int, int]
    order: int = 0  # deliberations already taken in this session


def _nth_weekday(rng: random.Random, year: int, month: int, weekdays: tuple[int, ...]) -> dt.date:
    days = [dt.date(year, month, d) for d in range(1, 29) if dt.date(year, month, d).weekday() in weekdays]
    return rng.choice(days)


def session_dates(seed: int, key: str, year: int) -> list[dt.date]:
    """The sessions one assembly holds in a year (deterministic for seed, assembly and year)."""
    rng = random.Random(f"{seed}:{key}:{year}")
    months = [m for m in range(1, 13) if m != 8]
    if year == 2016:
        months = [m for m in months if m >= 4]
    if year == 2026:
        months = [1, 2]
    count = {"bureau": 7, "conseil": 6}.get(key, 6)
    chosen = sorted(rng.sample(months, min(count, len(months))))
    weekdays = (3,) if key in ("bureau", "conseil") else (0, 1, 2, 3)
    return [_nth_weekday(rng, year, m, weekdays) for m in chosen]


def _attendance(rng: random.Random, members: list[Person], president: Person, body: str):
    others = [m for m in members if m != president]
    rng.shuffle(others)
    if body == "conseil":
        n_rep, n_exc = rng.randint(15, 45), rng.randint(8, 35)
    elif body == "bureau":
        n_rep, n_exc = rng.randint(0, 5), rng.randint(0, 4)
    else:
        n_rep, n_exc = rng.randint(1, 7), rng.randint(0, 4)
    rep = others[:n_rep]
    exc = others[n_rep : n_rep + n_exc]
    present = [president] + others[n_rep + n_exc :]
    proxies = rng.sample([p for p in present if p != president], len(rep))
    key = lambda p: (p.last, p.first)
    return (
        sorted(present, key=key),
        sorted(zip(rep, proxies), key=lambda t: key(t[0])),
        sorted(exc, key=key),
    )
