"""Conversation state for follow-up questions, one JSON file per named session.

A turn keeps the question, its language, intent, entities and the deliberations the answer cited.
An elliptic question ("Et en 2020 ?", "Qui l'a signée ?", "And for the Council?") is resolved against
the previous turn: what it does not say is taken from there; what it says replaces it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

from .. import textnorm
from .understand import Query

MAX_TURNS = 50

# Elliptic openings and pronouns that refer to the previous answer (matched on folded text).
_FOLLOW_UP = re.compile(
    r"^\s*(et|and|what about|how about|idem|same|et pour|and for|et si|et le|et la|et les|et au|et a)\b"
    r"|\bl'(a|ont|avait|avaient)\b|\bles (a|ont|avait)\b"
    r"|\b(it|they|them|this one|that one|celle-ci|celle-la|celui-ci|cette deliberation|cette subvention"
    r"|ce vote|cette seance|this deliberation|that deliberation|this grant|that grant|that session"
    r"|this session|la meme|the same)\b"
)
_SUBJECT_KEYS = ("beneficiaries", "beneficiary_query", "beneficiary_score", "topic", "person", "code",
                 "session_date", "amount_cents", "unmatched", "keywords")


def _path(sessions_dir: Path, name: str) -> Path:
    slug = re.sub(r"[^\w.-]+", "_", name.strip(), flags=re.UNICODE).strip("._") or "session"
    return Path(sessions_dir) / f"{slug[:80]}.json"


def load(sessions_dir: Path, name: str) -> list[dict]:
    """The turns of session `name` (oldest first); [] for a new session or an unreadable file."""
    path = _path(sessions_dir, name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(data.get("turns", [])) if isinstance(data, dict) else []


def append(sessions_dir: Path, name: str, turn: dict) -> Path:
    """Add a turn, atomically (a crash never leaves half a file)."""
    path = _path(sessions_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    turns = (load(sessions_dir, name) + [turn])[-MAX_TURNS:]
    data = {"name": name, "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "turns": turns}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".session-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, path)
    return path


def turn_of(q: Query, answer) -> dict:
    cited = list(dict.fromkeys(c.id for c in answer.citations))
    return {"question": q.question, "language": q.language, "intent": q.intent, "entities": q.entities(),
            "cited": cited, "found": answer.found, "answer": answer.answer,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


# "Combien a-t-elle reçu ?" refers back only when the question names nothing itself.
_WEAK_FOLLOW_UP = re.compile(r"-t-(elle|il|ils|elles)\b|\b(elle|il|ils|elles|she|he)\b")


def is_follow_up(q: Query) -> bool:
    folded = " ".join(textnorm.fold(q.question).split())
    short = len(re.findall(r"\w+", folded)) <= 4
    weak = bool(_WEAK_FOLLOW_UP.search(folded)) and not (q.has_subject() or q.body or q.keywords)
    return bool(_FOLLOW_UP.search(folded)) or short or weak or q.language_evidence == 0 or _pronoun_asks(q)


def _pronoun_asks(q: Query) -> bool:
    """"Quelle société dirige-t-il ?", "Qui remplace-t-il ?": a pronoun stands for the one the previous answer
    named, and the question's other words are common ones (no name, no number, no authority) saying what is
    asked about him: they are looked for in the deliberations that answer cited."""
    if not _WEAK_FOLLOW_UP.search(" ".join(textnorm.fold(q.question).split())):
        return False
    if q.beneficiaries or q.person or q.code or q.number or q.topic or q.authority or q.authority_words or q.year:
        return False
    words = re.findall(r"[\w'’-]+", " ".join([q.unmatched or ""] + q.keywords))
    return bool(words) and not any(w[:1].isupper() and not q.question.startswith(w) for w in words)


def resolve(q: Query, previous: dict) -> Query:
    """`q` completed from the previous turn when it is a follow-up; unchanged otherwise."""
    if not previous or not is_follow_up(q):
        return q
    pronoun = _pronoun_asks(q)
    own_subject = q.has_subject() and not pronoun
    if own_subject and q.intent != "general":  # a new question about something named: nothing to inherit
        return q
    prev = Query.from_entities(previous.get("question", ""), previous.get("language", "fr"),
                               previous.get("intent", "general"), previous.get("entities") or {})
    if q.language_evidence == 0:
        q.language = prev.language
    if q.intent == "general" and not pronoun:  # (a pronoun's question asks something new of the same one)
        q.intent = prev.intent
        if q.role is None:
            q.role = prev.role
    if pronoun and q.intent == "beneficiary":  # "Quelle société dirige-t-il ?": not who received, but what of him
        q.intent = "general"
    if not own_subject and not pronoun:
        for key in _SUBJECT_KEYS:
            setattr(q, key, getattr(prev, key))
        if q.intent == prev.intent and q.act_type is None:
            q.act_type = prev.act_type
    if q.body is None:
        q.body = prev.body
    if q.authority is None and q.authority_words is None:  # "Et à l'association X ?": still the same authority
        q.authority, q.authority_words, q.authority_type = prev.authority, prev.authority_words, prev.authority_type
    new_period = q.year is not None or q.year_from is not None or q.year_to is not None
    if new_period:
        if q.session_date is not None and q.session_date.year != q.year and q.session_date == prev.session_date:
            q.session_date = None
    else:
        q.year, q.year_from, q.year_to = prev.year, prev.year_from, prev.year_to
        if q.session_date is None:  # the session is the period too: "Et Martial ALVAREZ ?"
            q.session_date = prev.session_date
    # "Qui l'a signée ?": the deliberations the previous answer cited, unless the period changed.
    if not own_subject and not new_period and previous.get("cited"):
        q.deliberation_ids = list(previous["cited"])
    q.follow_up = True
    q.previous_ids = list(previous.get("cited") or [])
    return q
