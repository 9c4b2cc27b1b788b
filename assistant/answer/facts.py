"""Answers from the registry: exact values with the spans they were read from.

The registry holds, for each deliberation, the amounts (with beneficiary, purpose, year, article and
the sentence that grants them), the attendance lists, the vote, the budget imputation, the
co-financers and the signatory, each with its character span. A factual question is answered by
selecting the deliberations the question is about, then reading the asked field; aggregates list
every amount they sum.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import gc
import re
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from .. import textnorm
from ..models import Amount, Deliberation
from ..registry import Registry, decided_text
from .items import Facts, Item, Ref, norm_quote, session_key
from .understand import (
    GENERIC_BODY,
    NamePool,
    Query,
    TopicPool,
    authority_words,
    match_topics,
    number_key,
    pool_keys,
)
from .verify import loose as verify_loose


class Records(dict):
    """The registry's records by id, each read when first asked for, then kept for this registry state.

    A dict to its users: `in`, `[]` and `get` see every record of the registry; iterating (or copying)
    sees the ones read so far, which is what a cache of already read records needs."""

    def __init__(self, registry: Registry, ids: Iterable[str]):
        super().__init__()
        self._registry = registry
        self._ids = frozenset(ids)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __missing__(self, key: str) -> Deliberation:
        if key not in self._ids or not self.load([key]):
            raise KeyError(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:  # not in the registry (or deleted since the catalog was made)
            return default

    def load(self, ids: Iterable[str]) -> list[Deliberation]:
        """The records of `ids` (unknown ones left out), read in one go for those not read yet."""
        ids = list(ids)
        missing = [i for i in ids if i in self._ids and not dict.__contains__(self, i)]
        if len(missing) >= BULK_READ:
            with _kept_out_of_gc():
                self.update(self._registry.get_many(missing))
        elif missing:
            self.update(self._registry.get_many(missing))
        return [dict.__getitem__(self, i) for i in ids if dict.__contains__(self, i)]


BULK_READ = 100  # records read at once from which the cyclic garbage collector is kept off them


@contextmanager
def _kept_out_of_gc():
    """Reading thousands of records makes millions of long-lived objects (kept until the registry
    changes): the cyclic collector would scan them again and again while they are made (3 of the 6 s
    of reading 10,000 records) and at every later full collection. Off while reading, then frozen
    (out of its scans; refcounting still frees them when the catalog is dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class MatchTexts:
    """Every record's match text (`registry.match_text`) in one string, so that finding the records
    whose text holds a key is one scan of that string, not a loop over 100,000 texts."""

    SEPARATOR = "\n"  # never in a match key

    def __init__(self, texts: dict[str, str]):
        self.ids = list(texts)
        self.index = {rid: n for n, rid in enumerate(self.ids)}
        self.starts, pos = [], 0
        for rid in self.ids:
            self.starts.append(pos)
            pos += len(texts[rid]) + 1
        self.text = self.SEPARATOR.join(texts[rid] for rid in self.ids) + self.SEPARATOR

    def __contains__(self, rid: str) -> bool:
        return rid in self.index

    def get(self, rid: str) -> str:
        n = self.index[rid]
        end = self.starts[n + 1] - 1 if n + 1 < len(self.starts) else len(self.text) - 1
        return self.text[self.starts[n]:end]

    def holding(self, keys: Iterable[str]) -> set[str]:
        """Ids of the records whose match text holds one of the keys. A key holding another is not looked
        for (a text holding it holds the other): a question's OCR variants of a name ("X une subvenetion")
        each cost a scan of every text."""
        found: set[str] = set()
        for key in sorted(innermost(keys)):
            pos = self.text.find(key)
            while pos != -1:
                n = bisect.bisect_right(self.starts, pos) - 1
                found.add(self.ids[n])
                pos = self.text.find(key, self.starts[n + 1]) if n + 1 < len(self.starts) else -1
        return found

    def holding_each(self, automaton: ahocorasick.Automaton) -> dict[str, set[str]]:
        """For each key of `automaton` (its words are their own values), the ids of the records whose match
        text holds it: one pass over every text for all the keys, read in slices of whole texts."""
        found: dict[str, set[str]] = {}
        pos = 0
        while pos < len(self.text):
            end = self.text.find(self.SEPARATOR, min(pos + self.SLICE, len(self.text) - 1)) + 1
            for last, key in automaton.iter(self.text[pos:end]):
                found.setdefault(key, set()).add(self.ids[bisect.bisect_right(self.starts, pos + last) - 1])
            pos = end
        return found

    SLICE = 1 << 20  # characters read at once by holding_each (the automaton copies what it reads)


def innermost(keys: Iterable[str]) -> set[str]:
    """The non-empty keys that hold no other one: a text holding a longer key holds the one inside it."""
    keys = {k for k in keys if k}
    return {k for k in keys if not any(o != k and o in k for o in keys)}


@dataclass(eq=False)
class Catalog:
    """What answers need to know of the whole registry, built once per registry state from SQL: the
    names understand() matches a question against, and lookups that narrow a selection to a few ids
    before any record is read. Records are read lazily (`by_id`)."""

    names: list[tuple[str, str]]  # beneficiaries (as printed, match key)
    persons: list[tuple[str, str]]  # members, presidents and signatories
    topics: list[tuple[str, str]]  # amounts' purposes and objects
    by_id: Records
    registry: Registry
    ordered_ids: list[str] = field(default_factory=list)  # every id, oldest session first
    object_keys: dict[str, str] = field(default_factory=dict)  # id -> match key of the object
    topic_records: dict[str, set[str]] = field(default_factory=dict)  # topic text -> ids
    code_records: dict[str, set[str]] = field(default_factory=dict)  # code key -> ids
    # (name, telling words, type) of each authority, and its records; the records of no named authority
    authorities: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)
    authority_records: dict[str, set[str]] = field(default_factory=dict)
    unnamed_records: set[str] = field(default_factory=set)
    numbers: dict[str, str] = field(default_factory=dict)  # number key -> the number as printed
    number_records: dict[str, set[str]] = field(default_factory=dict)  # number key -> ids
    _match_texts: MatchTexts | None = None
    # Names' keys -> ids of the records whose match text holds them (`named_texts`), and the other keys
    # looked for since (a person's, a question's words), kept for this registry state.
    _named: tuple[ahocorasick.Automaton, dict[str, set[str]]] | None = None
    _looked_for: dict[str, set[str]] = field(default_factory=dict)
    _textless: set[str] | None = None
    _positions: dict[str, int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def records(self) -> list[Deliberation]:
        """Every record, oldest first (reads the whole registry: selections use `select`)."""
        return self.by_id.load(self.ordered_ids)

    @property
    def match_texts(self) -> MatchTexts:
        """Every record's match text, read when a question first names something (or by `prepare`)."""
        if self._match_texts is None:
            self._match_texts = MatchTexts(self.registry.match_texts())
        return self._match_texts

    def prepare(self) -> Catalog:
        """Build now what the first questions would otherwise build (the name pools' keys, the topics'
        index, the match texts and where each name is written: seconds at 100,000 records), e.g. at the
        app's start."""
        _ = self.names.keys, self.persons.keys, self.topics.index, self.named_texts, self.textless, self.in_order(())
        _ = pool_keys(self.names), pool_keys(self.persons), pool_keys(self.topics)
        return self

    @property
    def named_texts(self) -> tuple[ahocorasick.Automaton, dict[str, set[str]]]:
        """The beneficiaries' match keys (an automaton) and, for each, the records whose text holds it:
        found for all the names in one pass over the texts (4 s at 100,000 records), so that a question
        naming one of them reads a set instead of scanning every text."""
        with self._lock:
            if self._named is None:
                automaton = ahocorasick.Automaton()
                for key in {k for k in self.names.keys if k}:
                    automaton.add_word(key, key)
                if len(automaton):
                    automaton.make_automaton()
                    self._named = automaton, self.match_texts.holding_each(automaton)
                else:
                    self._named = automaton, {}
        return self._named

    @property
    def textless(self) -> set[str]:
        """Ids of the records without a match text: any of them may name anything."""
        if self._textless is None:
            texts = self.match_texts
            self._textless = {i for i in self.ordered_ids if i not in texts}
        return self._textless

    def naming(self, keys: set[str]) -> set[str]:
        """Ids of the records that may name one of `keys` (match keys): as a beneficiary, or anywhere
        in their text. A superset: `select` checks each on the record itself."""
        found = self.registry.ids_by_name_keys({k for k in keys if k}) | self.textless
        for key in innermost(keys):
            found |= self._holding(key)
        return found

    LOOKED_FOR = 512  # keys other than the names' whose records are kept

    def _holding(self, key: str) -> set[str]:
        """Ids of the records whose match text holds `key`: a name's are known; another key is looked for
        among the records holding a name it holds, else in every text, once per registry state."""
        automaton, named = self.named_texts
        if automaton.exists(key):
            return named.get(key, set())
        hits = self._looked_for.get(key)
        if hits is None:
            inner = [named.get(k, set()) for _, k in automaton.iter(key)] if len(automaton) else []
            texts = self.match_texts
            if inner:
                hits = {i for i in min(inner, key=len) if key in texts.get(i)}
            else:
                hits = texts.holding([key])
            with self._lock:  # answering threads share the catalog
                while self._looked_for and len(self._looked_for) >= self.LOOKED_FOR:  # the oldest first
                    self._looked_for.pop(next(iter(self._looked_for)))
                self._looked_for[key] = hits
        return hits

    def in_order(self, ids: Iterable[str]) -> list[str]:
        """`ids` oldest session first, then by id (`ordered_ids`' order, as `select` sorts records)."""
        if self._positions is None:
            self._positions = {rid: n for n, rid in enumerate(self.ordered_ids)}
        return sorted(ids, key=self._positions.__getitem__)

    def about_topic(self, topic: str) -> set[str]:
        """Ids of the records whose object or an amount's purpose holds every word of `topic`."""
        hits, _ = match_topics(topic, self.topics)
        return {i for text in hits for i in self.topic_records.get(text, ())}


_CATALOGS: dict[str, tuple[str, Catalog]] = {}


_BUILDING = threading.Lock()


def catalog(registry: Registry) -> Catalog:
    """The catalog of `registry`, rebuilt when the registry changed (`Registry.state`: one read). Built by
    one thread at a time: a question asked while it is built (at the app's start) waits for it, rather
    than building a second one (seconds and hundreds of MB at 100,000 records)."""
    signature = registry.state()
    if (cat := _cached(registry, signature)) is not None:
        return cat
    with _BUILDING:
        if (cat := _cached(registry, signature)) is not None:
            return cat
        return _build(registry, signature)


def _cached(registry: Registry, signature: str) -> Catalog | None:
    cached = _CATALOGS.get(str(registry.path))
    if not (cached and cached[0] == signature):
        return None
    cat = cached[1]
    cat.registry = cat.by_id._registry = registry  # the same content, read through the caller's connection
    return cat


def _build(registry: Registry, signature: str) -> Catalog:
    ordered = registry.ids()
    names = {(n, k) for n, k in registry.beneficiary_names()}
    persons: set[tuple[str, str]] = set()
    topics: set[tuple[str, str]] = set()
    topic_records: dict[str, set[str]] = {}
    object_keys: dict[str, str] = {}
    seen: dict[str, str] = {}  # texts repeat (purposes, names): each keyed once

    def key(text: str) -> str:
        if text not in seen:
            seen[text] = textnorm.match_key(text)
        return seen[text]

    def topic(rec_id: str, text: str) -> None:
        shown = clean(text)
        topics.add((shown, key(text)))
        topic_records.setdefault(shown, set()).add(rec_id)

    for rec_id, beneficiary, purpose, article in registry.amount_names():
        if beneficiary and article is not None:
            names.add((beneficiary, key(beneficiary)))
        if purpose:
            topic(rec_id, purpose)
    for name, proxy in registry.member_names():
        persons.add((name, key(name)))
        if proxy:
            persons.add((proxy, key(proxy)))
    for rec_id, obj, signatory, president in registry.catalog_rows():
        for person in (signatory or None, president):
            if person is not None:
                persons.add((person, key(person)))
        if obj is not None:
            topic(rec_id, obj)
            object_keys[rec_id] = key(obj)
    codes: dict[str, set[str]] = {}
    for rec_id, code in registry.codes_by_record():
        codes.setdefault(_code_key(code), set()).add(rec_id)
    cat = Catalog(names=NamePool(sorted(names)), persons=NamePool(sorted(persons)),
                  topics=TopicPool(sorted(topics)), by_id=Records(registry, ordered), registry=registry,
                  ordered_ids=ordered, object_keys=object_keys, topic_records=topic_records, code_records=codes)
    kinds: dict[str, str | None] = {}
    for rec_id, kind, name, number in registry.identity_rows():
        if name:
            kinds[name] = kinds.get(name) or kind
            cat.authority_records.setdefault(name, set()).add(rec_id)
        else:
            cat.unnamed_records.add(rec_id)
        # A number names a deliberation when it cannot be a mere ordinal ("1)", "13."): figures and a separator.
        if number and re.search(r"\d", number) and (re.search(r"\w[-/._ ]\w", number) or len(number_key(number)) >= 4):
            key = number_key(number)
            cat.numbers.setdefault(key, number)
            cat.number_records.setdefault(key, set()).add(rec_id)
    cat.authorities = [(name, authority_words(name), kind) for name, kind in sorted(kinds.items())
                       if authority_words(name)]
    _CATALOGS[str(registry.path)] = (signature, cat)
    return cat


_LEAD_WORD = re.compile(r"^(?:[lI1|]\W{1,3}association|la société|la societe)\s+", re.IGNORECASE)


def clean(text: str) -> str:
    """A value as printed, for display: line breaks joined (keeping hyphens), typographic apostrophes."""
    text = re.sub(r"-\s*\n\s*", "-", text)
    return " ".join(text.replace("’", "'").split())


def clean_name(text: str) -> str:
    """A beneficiary's name for display, without the lead words OCR mangles ("I''association X" -> "X")."""
    return _LEAD_WORD.sub("", clean(text))


# -- selecting the deliberations a question is about ---------------------------------------------


def _code_key(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()


def _name_keys(names: list[str]) -> set[str]:
    return {key_of(n) for n in names}


_LIST_LINE = re.compile(r"(?:^|\n)\s*[-–•]")


def amount_context(rec: Deliberation, amount: Amount) -> tuple[str, str]:
    """(segment, sentence): the sentence granting the amount, and its part that belongs to this amount
    alone (from the previous amount of the same sentence): "- Ecole de Musique : 7 200 euros"."""
    if amount.sentence_start is not None and amount.sentence_end is not None:
        s, e = amount.sentence_start, amount.sentence_end
    else:
        s, e = sentence_around(rec.raw_text, amount.start, amount.end)
    prev = [b.end for b in rec.amounts if b is not amount and s <= b.end <= amount.start]
    return rec.raw_text[max(prev) if prev else s:amount.end], rec.raw_text[s:e]


@lru_cache(maxsize=65536)
def key_of(text: str) -> str:
    """textnorm.match_key, memoised: the same objects and sentences are keyed for every question."""
    return textnorm.match_key(text)


def _names_in(text: str, keys: set[str]) -> bool:
    key = key_of(text)
    return any(k and k in key and _at_word_start(text, k) for k in keys)


@lru_cache(maxsize=65536)
def _at_word_start(text: str, k: str) -> bool:
    """`k` (a match key) opens the key of the text from one of its words on: "arles" is in "Les Suds à
    Arles", not in "SARL Les Jardins"."""
    words = textnorm.tokens(text)
    for i in range(len(words)):
        head = ""
        for w in words[i:]:  # as many words as the key needs
            head += w
            if len(head) >= len(k) + 4:
                break
        if textnorm.match_key(head).startswith(k):
            return True
    return False


def _amount_matches_beneficiary(rec: Deliberation, amount: Amount, keys: set[str]) -> bool:
    """The amount's own beneficiary, else the words of its sentence: its own segment, or the whole
    sentence when it is not a list ("une subvention de 112 500 euros, soit 37 500 euros pour 2018...");
    an amount printed without any name belongs to the record's beneficiary only when no amount of the
    record names one (else it is a fee, a total, a price...)."""
    if amount.beneficiary and key_of(amount.beneficiary) in keys:
        return True
    segment, sentence = amount_context(rec, amount)
    if _names_in(segment, keys) or (not _LIST_LINE.search(sentence) and _names_in(sentence, keys)):
        return True
    if amount.beneficiary or any(a.beneficiary for a in rec.amounts):
        return False
    return any(key_of(b) in keys for b in rec.beneficiaries)


def _beneficiary_shown(rec: Deliberation, amount: Amount, names: list[tuple[str, str]] | None,
                       asked: list[str]) -> str | None:
    """The name to show with an amount: its own, else a registry name its segment holds (the asked one
    first), else the record's only beneficiary when no amount of the record names one."""
    if amount.beneficiary:
        return amount.beneficiary
    segment, sentence = amount_context(rec, amount)
    seg_key = key_of(segment)
    sent_key = key_of(sentence) if not _LIST_LINE.search(sentence) else seg_key
    for name in asked:
        if key_of(name) in sent_key:
            return name
    found = [n for n, k in (names or []) if len(k) >= 6 and k in seg_key]
    if found:
        return max(found, key=len)
    if len(rec.beneficiaries) == 1 and not any(b.beneficiary for b in rec.amounts):
        return rec.beneficiaries[0]
    return None


def _topic_matches(rec: Deliberation, topic: str) -> bool:
    texts = [(clean(a.purpose), key_of(a.purpose)) for a in rec.amounts if a.purpose]
    if rec.object:
        texts.append((clean(rec.object.text), key_of(rec.object.text)))
    return bool(match_topics(topic, texts)[0])


_decided_text = decided_text  # the object and the articles: where a deliberation names whom it concerns


def _year_ok(rec: Deliberation, q: Query, amount_years: bool = True) -> bool:
    """The session's year, or (for money) the year an amount is granted for ("pour l'année 2020")."""
    years = {rec.year} | ({a.year for a in rec.amounts if a.year} if amount_years else set())
    if q.year is not None and q.year not in years:
        return False
    if q.year_from is not None and (rec.year is None or rec.year < q.year_from):
        return False
    return not (q.year_to is not None and (rec.year is None or rec.year > q.year_to))


def in_period(rec: Deliberation, q: Query) -> bool:
    """The record's session is in the question's date, year or years."""
    if q.session_date:
        return rec.session_date == q.session_date
    return _year_ok(rec, q, amount_years=_money_years(q))


def _money_years(q: Query) -> bool:
    """Money is asked: an amount's own year ("pour l'année 2020") counts as well as the session's."""
    return q.intent in ("amount", "beneficiary", "purpose", "total") or (
        q.intent == "count" and q.act_type == "subvention")


def candidates(cat: Catalog, q: Query, *, use_years: bool = True) -> list[str]:
    """Ids of the records `select` may keep, narrowed in SQL and by the catalog's lookups: a superset
    of its result (each is checked on the record itself)."""
    sets: list[set[str]] = []
    if q.code:
        sets.append(cat.code_records.get(_code_key(q.code), set()))
    if q.number:
        sets.append(cat.number_records.get(number_key(q.number), set()))
    if (scope := authority_scope(cat, q)) is not None:
        sets.append(scope)
    if q.topic:
        sets.append(cat.about_topic(q.topic))
    if q.beneficiaries:
        sets.append(cat.naming(_beneficiary_keys(q)))
    sql: dict = {"body": None if q.body == GENERIC_BODY and q.authority else q.body, "act_type": q.act_type_filter}
    if q.session_date:
        sql["session_date"] = q.session_date.isoformat()
    elif use_years:
        sql.update(year=q.year, amount_year=_money_years(q), year_from=q.year_from, year_to=q.year_to)
    if any(v is not None and k != "amount_year" for k, v in sql.items()):
        # Last: among the records the rest leaves (a year holds thousands of ids).
        sets.append(cat.registry.find_ids(**sql, among=min(sets, key=len) if sets else None))
    if not sets:
        return list(cat.ordered_ids)
    return list(set.intersection(*sorted(sets, key=len)))  # `select` sorts what it keeps


def authority_scope(cat: Catalog, q: Query) -> set[str] | None:
    """The records an answer may come from when the question names an authority: that authority's; for a
    name the registry does not know, the records of no named authority and those whose text names it (an
    answer never crosses from one named authority to another). None: no authority named."""
    if q.authority:
        return set(cat.authority_records.get(q.authority, ()))
    if not q.authority_words:
        return None
    keys = {textnorm.match_key(q.authority_words)}
    return set(cat.unnamed_records) | (cat.naming(keys) - cat.unnamed_records if keys - {""} else set())


def body_fits(body: str | None, q: Query) -> bool:
    """A record's body fits the question's: the same, or any conseil of the authority asked about ("le conseil
    d'Exemple Agglomération" is its conseil communautaire)."""
    if body == q.body:
        return True
    return q.body == GENERIC_BODY and q.authority is not None and bool(body) and body.startswith("conseil")


def select(cat: Catalog, q: Query, *, use_years: bool = True, among: set[str] | None = None,
           of_type: str | None = None) -> list[Deliberation]:
    """The deliberations matching every entity of the question (and in `among`, of the type `of_type`,
    when given), oldest first."""
    return _checked(cat, q, _narrowed(cat, q, use_years, among, of_type), use_years, of_type)


def select_ids(cat: Catalog, q: Query, *, use_years: bool = True, among: set[str] | None = None,
               of_type: str | None = None) -> list[str]:
    """The ids of `select`'s deliberations, in its order, reading only the records whose checks the
    registry's tables leave open. When the ids come from `candidates`, its SQL filters and lookups settle
    every check but a topic's, an authority's conseil and a name printed elsewhere than among the
    beneficiaries (a question naming a beneficiary of 2,000 deliberations reads none of them)."""
    ids = _narrowed(cat, q, use_years, among, of_type)
    if q.deliberation_ids or q.topic or (q.body == GENERIC_BODY and q.authority):
        return [r.id for r in _checked(cat, q, ids, use_years, of_type)]
    if not q.beneficiaries:
        return cat.in_order(ids)
    named = cat.registry.ids_with_beneficiary_keys(_beneficiary_keys(q))
    unsettled = [i for i in ids if i not in named]
    return cat.in_order([i for i in ids if i in named] + [r.id for r in _checked(cat, q, unsettled, use_years, of_type)])


def _narrowed(cat: Catalog, q: Query, use_years: bool, among: set[str] | None, of_type: str | None) -> list[str]:
    if q.deliberation_ids:
        ids = [i for i in q.deliberation_ids if i in cat.by_id]
    else:
        ids = candidates(cat, q, use_years=use_years)
    if among is not None:
        ids = [i for i in ids if i in among]
    if of_type is not None:
        ids = list(cat.registry.find_ids(act_type=of_type, among=ids))
    return ids


def _beneficiary_keys(q: Query) -> set[str]:
    return _name_keys(q.beneficiaries) | _name_keys([q.beneficiary_query or ""])


def _checked(cat: Catalog, q: Query, ids: list[str], use_years: bool, of_type: str | None) -> list[Deliberation]:
    """The records of `ids` that pass every check of the question on the record itself, oldest first."""
    recs = cat.by_id.load(ids)
    if q.code:
        key = _code_key(q.code)
        recs = [r for r in recs if any(_code_key(c.code) == key for c in r.codes)]
    if q.beneficiaries:
        keys = _beneficiary_keys(q)
        recs = [r for r in recs if _name_keys(r.beneficiaries) & keys
                or any(_amount_matches_beneficiary(r, a, keys) for a in r.amounts)
                or _names_in(_decided_text(r), keys)]
    if q.topic:
        recs = [r for r in recs if _topic_matches(r, q.topic)]
    if q.session_date:
        recs = [r for r in recs if r.session_date == q.session_date]
    elif use_years:
        recs = [r for r in recs if _year_ok(r, q, amount_years=_money_years(q))]
    if q.body:
        recs = [r for r in recs if body_fits(r.body, q)]
    for act_type in {q.act_type_filter, of_type} - {None}:
        recs = [r for r in recs if r.act_type == act_type]
    return sorted(recs, key=lambda r: (r.session_date.isoformat() if r.session_date else "", r.id))


# -- reading fields ------------------------------------------------------------------------------


def sentence_around(raw: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end): from after the previous full stop (or blank line) to the next
    full stop, so that a quote reads as a sentence."""
    left = max(raw.rfind(". ", 0, start), raw.rfind(".\n", 0, start), raw.rfind("\n\n", 0, start),
               raw.rfind(":\n", 0, start))
    s = left + 2 if left >= 0 else 0
    while s < start and raw[s].isspace():
        s += 1
    m = re.compile(r"\.(\s|$)|\n\s*\n").search(raw, end)
    e = m.start() + (1 if raw[m.start()] == "." else 0) if m else len(raw)
    return s, e


_CLAUSE_END = re.compile(r"[,;.]|\s+et\s")


def _amount_ref(rec: Deliberation, a: Amount) -> Ref:
    """The sentence that grants the amount; for a later yearly part of a sentence that splits a sum
    ("… de 30 000 euros, soit 10 000 euros pour l'année 2022, 10 000 euros pour l'année 2023…"), the
    clause of that part alone, so that the quote shows which part is meant."""
    if a.sentence_start is not None and a.sentence_end is not None:
        s, e = a.sentence_start, a.sentence_end
        sentence = rec.raw_text[s:e]
        before = [b for b in rec.amounts if b is not a and s <= b.start < a.start]
        if a.year and before and not _LIST_LINE.search(sentence):
            m = _CLAUSE_END.search(rec.raw_text, a.end, e)
            return Ref(rec, a.start, m.start() if m else e)
        return Ref(rec, s, e)
    art = next((x for x in rec.articles if x.number == a.article), None)
    if art:
        return Ref(rec, art.start, art.end, f"Article {art.number}")
    return Ref(rec, *sentence_around(rec.raw_text, a.start, a.end))


def _restated_totals(amounts: list[Amount]) -> set[int]:
    """ids of amounts that restate the sum of others ("un montant total de 112 500 euros, soit 37 500
    euros pour l'année 2018, ..."; "Le montant total des subventions attribuées s'élève à 50 500 euros")."""
    out = set()
    for a in amounts:
        others = [b for b in amounts if b is not a and b.start != a.start and b.cents < a.cents
                  and b.qualifier == a.qualifier]
        if len(others) >= 2 and sum(b.cents for b in others) == a.cents:
            out.add(id(a))
    return out


_YEAR_PHRASE = re.compile(r"^\W*(pour|au titre de)\W+\w*\W*(ann[ée]e|exercice)\W+\d{4}\W*$", re.IGNORECASE)


def _purpose_shown(rec: Deliberation, a: Amount, ref: Ref) -> str | None:
    """The purpose as printed, when the quote shows it (a year phrase is a year, not a purpose)."""
    if not a.purpose or _YEAR_PHRASE.match(a.purpose):
        return None
    purpose = clean(a.purpose)
    quote = rec.raw_text[ref.start:ref.end]
    return purpose if verify_loose(purpose) in verify_loose(quote) else None


# Which way a transfer of property goes, as the text says it (folded text): the authority sells
# ("la cession à la SARL X", "la vente au profit de") or buys ("l'acquisition auprès de", "cédé par").
_SALE = re.compile(r"\b(?:cession|vente|ceder|cede[es]{0,2}|vendre|vendu[es]{0,2})\s+(?:au profit\s+)?(?:a|au|aux|de)\b"
                   r"|\b(?:ceder|vendre)\b")
_PURCHASE = re.compile(r"\b(?:acquisition|acquerir|acquiert|achat|acheter|achete[es]{0,2})\b"
                       r"|\b(?:cession|vente|cede[es]{0,2}|vendu[es]{0,2})\s+(?:consentie?s?\s+)?par\b")


def transfer_direction(*texts: str) -> str | None:
    """ "sale" or "purchase" from the first text that says which (the first phrase in it wins), else None."""
    for text in texts:
        folded = textnorm.fold(text or "")
        hits = [(m.start(), kind) for kind, pat in (("sale", _SALE), ("purchase", _PURCHASE))
                for m in [pat.search(folded)] if m]
        if hits:
            return min(hits)[1]
    return None


def amount_items(rec: Deliberation, q: Query, *, aggregate: bool = False,
                 names: list[tuple[str, str]] | None = None) -> list[Item]:
    """The amounts a deliberation decides (its articles'; else those not known to lie outside its
    decision: never a sentence of the exposé when a decision part exists), filtered by the question's
    beneficiary, year and amount."""
    amounts = [a for a in rec.amounts if a.article is not None] or [a for a in rec.amounts if a.granted is not False]
    totals = _restated_totals(amounts)
    if aggregate or q.year is not None:  # summing, or one year asked: the parts, never their total too
        # (unless the total is the one granted for the asked year: "1.135.000 € au titre de l'année 2022",
        # then paid as an advance and a balance)
        amounts = [a for a in amounts if id(a) not in totals or (not aggregate and a.year == q.year)]
    if q.beneficiaries:
        keys = _name_keys(q.beneficiaries) | _name_keys([q.beneficiary_query or ""])
        # A grant table of the exposé names each beneficiary whose total the articles decide.
        amounts = [a for a in amounts if _amount_matches_beneficiary(rec, a, keys)] or [
            a for a in rec.amounts if a.article is None and a.beneficiary and _amount_matches_beneficiary(rec, a, keys)]
    if q.year is not None and not q.session_date:
        explicit = [a for a in amounts if a.year == q.year]  # "pour l'année 2019" beats the session's year
        amounts = explicit or [a for a in amounts if a.year is None and rec.year == q.year]
    if q.amount_cents is not None:
        amounts = [a for a in amounts if a.cents == q.amount_cents]
    seen: set[tuple] = set()
    items = []
    for a in sorted(amounts, key=lambda a: (a.article or 0, a.start)):
        key = (a.cents, key_of(a.beneficiary or ""), a.qualifier, a.purpose, a.year)
        if key in seen:  # the same grant restated in another article (the convention's)
            continue
        seen.add(key)
        beneficiary = _beneficiary_shown(rec, a, names, q.beneficiaries)
        titled = not a.purpose and rec.item is not None and rec.object is not None  # a procès-verbal's item: its title
        context = None
        if not beneficiary:  # no name known: the words of the register say to whom
            segment, sentence = amount_context(rec, a)
            context = norm_quote(segment if _LIST_LINE.search(sentence) else sentence)
        ref = _amount_ref(rec, a)
        refs = [ref] + ([_object_ref(rec)] if titled else [])
        items.append(Item("amount", rec, {
            "context": context,
            "cents": a.cents, "qualifier": a.qualifier, "per_year": a.per_year, "currency": a.currency,
            "beneficiary": clean_name(beneficiary) if beneficiary else None,
            "purpose": _purpose_shown(rec, a, ref), "year": a.year, "article": a.article,
            "act_type": rec.act_type,
            "direction": transfer_direction(rec.raw_text[ref.start:ref.end],
                                            rec.object.text if rec.object else "")
            if rec.act_type == "acquisition" else None,
            "object": clean(rec.object.text) if titled else None,
        }, refs))
    return items


def _session_ref(rec: Deliberation) -> Ref | None:
    return Ref(rec, rec.session_span.start, rec.session_span.end, "Séance") if rec.session_span else None


def _object_ref(rec: Deliberation) -> Ref | None:
    return Ref(rec, rec.object.start, rec.object.end, "Objet") if rec.object else None


def _extend_list_end(raw: str, end: int) -> int:
    """A members list's quote ends at its full stop (after "représenté par X"), if close."""
    m = re.compile(r"\.|\n\s*\n").search(raw, end, min(len(raw), end + 120))
    return m.start() + 1 if m and raw[m.start()] == "." else end


def member_groups(rec: Deliberation) -> dict[str, tuple[list[dict], Ref | None]]:
    """role -> (members [{name, proxy}], ref spanning the list)."""
    out: dict[str, tuple[list[dict], Ref | None]] = {}
    for role, members in (("present", rec.present), ("represented", rec.represented),
                          ("excused", rec.excused)):
        people = [{"name": clean(m.name), "proxy": clean(getattr(m, "proxy", None) or "") or None}
                  for m in members]
        ref = None
        if members:
            start = min(m.start for m in members)
            end = _extend_list_end(rec.raw_text, max(m.end for m in members))
            ref = Ref(rec, start, end, "Séance et présences")
        out[role] = (people, ref)
    return out


def _attendance_signature(rec: Deliberation) -> tuple:
    return (rec.session_date, rec.body, rec.present_count, tuple(m.name for m in rec.present),
            tuple(m.name for m in rec.represented), tuple(m.name for m in rec.excused))


def _one_per_session(recs: list[Deliberation]) -> list[Deliberation]:
    """Deliberations of one session usually share their attendance: answer it once per session."""
    seen: set[tuple] = set()
    out = []
    for r in recs:
        sig = _attendance_signature(r)
        if sig not in seen:
            seen.add(sig)
            out.append(r)
    return out


def _statuses(rec: Deliberation, pkey: str) -> list[Item]:
    """The person of match key `pkey` in the record's attendance lists (present, represented, excused):
    one item per list naming them, citing the name (with the proxy, for a represented member)."""
    items = []
    for role, members in (("present", rec.present), ("represented", rec.represented), ("excused", rec.excused)):
        m = next((m for m in members if key_of(m.name) == pkey), None)
        if m is not None:
            end = _extend_list_end(rec.raw_text, m.end) if role == "represented" else m.end
            proxy = clean(getattr(m, "proxy", None) or "") or None
            items.append(Item("member_status", rec, {"name": clean(m.name), "role": role, "proxy": proxy},
                              [Ref(rec, m.start, end)]))
    return items


def members_items(recs: list[Deliberation], q: Query) -> list[Item]:
    items = []
    roles = {"absent": ["represented", "excused"]}.get(q.role or "present", [q.role or "present"])
    for rec in _one_per_session(recs):
        if not (rec.present or rec.represented or rec.excused):
            continue
        groups = member_groups(rec)
        if q.person:  # each member named, in the order asked
            for person in dict.fromkeys(q.persons or [q.person]):
                if status := next(iter(_statuses(rec, key_of(person))), None):
                    items.append(status)
                else:
                    refs = [g[1] for g in groups.values() if g[1]]
                    items.append(Item("member_status", rec, {"name": person, "role": None}, refs))
            continue
        data = {"roles": {role: groups[role][0] for role in roles}}
        refs = [groups[role][1] for role in roles if groups[role][1]]
        if not refs:  # nobody in the asked lists: say so, citing the session the lists belong to
            refs = [r for r in (_session_ref(rec),) if r]
        items.append(Item("members", rec, data, refs))
    return items


# A name as people write one ("Jean DUPONT", "Jean Dupont", "DUPONT Jean"), and a question asking who.
_PERSON_NAME = re.compile(r"^[A-ZÀ-Þ][\w'’-]*(?:\s+[A-ZÀ-Þ][\w'’-]*){1,3}$")
_WHO = re.compile(r"^\W*(?:qui|who|whom)\b")


def person_asked(q: Query) -> str | None:
    """The person a members question asks about without naming a session or a deliberation ("Martial
    ALVAREZ était-il présent ?"): their sessions are the answer, not every session's lists. A name the
    registry does not know counts when it looks like a person's and the question is not "who…"."""
    if q.intent != "members" or q.session_date or q.deliberation_ids or q.code or q.beneficiaries or q.topic \
            or q.amount_cents:
        return None
    if q.person:
        return q.person
    if q.unmatched and _PERSON_NAME.match(q.unmatched.strip()) and not _WHO.match(textnorm.fold(q.question)):
        return q.unmatched.strip()
    return None


def person_sessions(cat: Catalog, q: Query, name: str) -> Facts:
    """The sessions where `name` is in an attendance list (present, represented, excused), latest first:
    one item per session and list, citing the name in the list. No item: in no list (final either way).
    Only the records whose text holds the name are read."""
    pkey = key_of(name)
    among = cat.naming({pkey})
    recs = select(cat, dataclasses.replace(q, person=None, unmatched=None), among=among)
    found = [item for rec in recs for item in _statuses(rec, pkey)]
    found.sort(key=lambda i: (i.rec.session_date.isoformat() if i.rec.session_date else "", i.rec.id), reverse=True)
    items, seen = [], set()
    for item in found:
        key = (session_key(item.rec), item.data["role"], item.data["proxy"])  # one session shares its lists
        if key not in seen:
            seen.add(key)
            items.append(item)
    return Facts(items=items, aggregate="sessions", considered=[r.id for r in recs], final=True)


def present_count_items(recs: list[Deliberation]) -> list[Item]:
    items = []
    for rec in _one_per_session(recs):
        if rec.present_count is not None and rec.present_count_span:
            span = rec.present_count_span
            items.append(Item("present_count", rec, {"count": rec.present_count}, [Ref(rec, span.start, span.end)]))
    return items


# The counts of a session, in the order a register prints them.
SESSION_COUNTS = ("members_in_office", "present_count", "represented_count", "voting_count")


def session_fact_items(recs: list[Deliberation], intent: str) -> list[Item]:
    """The session's secretary, president, convocation date or counts, each with the span it was read
    from (a convocation also cites the session's date, which its sentence names)."""
    items = []
    for rec in _one_per_session(recs):
        data: dict = {"field": intent}
        refs: list[Ref | None] = []
        if intent in ("secretary", "president"):
            person = rec.secretary if intent == "secretary" else rec.president
            if person is None or not person.name:
                continue
            data["name"] = clean(person.name)
            refs.append(Ref(rec, person.start, person.end, "Séance"))
        elif intent == "convocation":
            if rec.convocation_date is None or rec.convocation_span is None:
                continue
            data["date"] = rec.convocation_date
            refs += [Ref(rec, rec.convocation_span.start, rec.convocation_span.end, "Séance"), _session_ref(rec)]
        else:
            for name in SESSION_COUNTS:
                count = getattr(rec, name)
                if name == "present_count":
                    span = rec.present_count_span
                    count = count if span else None
                else:
                    span = count
                    count = count.value if count else None
                if count is not None:
                    data[name] = count
                    refs.append(Ref(rec, span.start, span.end, "Séance"))
            if len(data) == 1:
                continue
        items.append(Item("session_fact", rec, data, [r for r in refs if r]))
    return items


def _shown_count(count: int | None, names: list[str], printed: set[str]) -> int | None:
    return count if count is not None and (str(count) in printed or count == len(names)) else None


def vote_items(recs: list[Deliberation]) -> list[Item]:
    items = []
    for rec in recs:
        v = rec.vote
        if v is None:
            continue
        # A count is shown when the register prints it, or when it is the number of names it prints
        # (then it is computed from the quote, and verified as such).
        printed = set(re.findall(r"\d+", rec.raw_text[v.start:v.end]))
        derived = [str(len(names)) for names in (v.abstentions, v.against) if names]
        items.append(Item("vote", rec, {
            "adopted": v.adopted, "unanimous": v.unanimous, "majority": v.majority,
            "abstentions": [clean(n) for n in v.abstentions],
            "abstention_count": _shown_count(v.abstention_count, v.abstentions, printed),
            "against": [clean(n) for n in v.against],
            "against_count": _shown_count(v.against_count, v.against, printed),
            "for_count": v.for_count if v.for_count is not None and str(v.for_count) in printed else None,
        }, [Ref(rec, v.start, v.end, "Vote")], derived))
    return items


def signatory_items(recs: list[Deliberation], *, with_object: bool = False) -> list[Item]:
    items = []
    for rec in recs:
        if not (rec.signatory and (rec.signatory.name or rec.signatory.title)):
            continue
        item = Item("signatory", rec, {"name": clean(rec.signatory.name) if rec.signatory.name else None,
                                       "title": clean(rec.signatory.title) if rec.signatory.title else None},
                    [Ref(rec, rec.signatory.start, rec.signatory.end, "Signature")])
        if with_object and rec.object:
            item.data["object"] = clean(rec.object.text)
            item.refs.append(_object_ref(rec))
        items.append(item)
    return items


# Where a deliberation says what it decides: its verb ("décide", "DÉCIDE :", "approuve", "émet un avis").
DECIDES = re.compile(r"\b(?:d[ée]cide(?:nt)?|D[ÉE]CIDE(?:NT)?|approuve(?:nt)?|APPROUVE(?:NT)?|[ée]met(?:tent)?\s+un\s+avis"
                     r"|autorise(?:nt)?|AUTORISE(?:NT)?|fixe(?:nt)?|FIXE(?:NT)?|accepte(?:nt)?|ACCEPTE(?:NT)?)\b")
DECISION_CHARS = 1000  # the deciding sentence and what follows it (a list of "- de …"), at most


def _decision_span(rec: Deliberation) -> tuple[int, int] | None:
    """What a deliberation decides: its first article; else, for a short text, all of it after the object;
    else from its deciding sentence ("Le Président décide : - de céder …") on, cut after a whole clause."""
    start, end = rec.own_span
    if rec.articles:
        first = rec.articles[0]
        return first.start, min(first.end, first.start + DECISION_CHARS)
    after = rec.object.end if rec.object and start <= rec.object.start < end else start
    m = DECIDES.search(rec.raw_text, after, end)
    if m is None or end - after <= DECISION_CHARS:
        s, e = after, min(end, after + DECISION_CHARS)
    else:
        # from the sentence's start, or the verb's line when the sentence opens far before (a title)
        s = max(sentence_around(rec.raw_text, m.start(), m.end())[0], start,
                rec.raw_text.rfind("\n", start, max(start, m.start() - 150)) + 1)
        e = min(end, s + DECISION_CHARS)
    if e < end:  # cut after the last complete clause ("… ;", "… .") that fits
        cuts = [c.end() for c in re.finditer(r"[.;](?=\s)", rec.raw_text[s:e])]
        e = s + cuts[-1] if cuts and cuts[-1] > (e - s) // 3 else e
    while s < e and rec.raw_text[s].isspace():
        s += 1
    return (s, e) if rec.raw_text[s:e].strip() else None


def decision_items(recs: list[Deliberation]) -> list[Item]:
    """Each deliberation's object and what it decides, quoted."""
    items = []
    for rec in recs:
        span = _decision_span(rec)
        if span is None:
            continue
        refs = [r for r in [_object_ref(rec)] if r] + [Ref(rec, span[0], span[1], "Décision")]
        items.append(Item("decision", rec, {"object": clean(rec.object.text) if rec.object else None,
                                            "text": norm_quote(rec.raw_text[span[0]:span[1]])}, refs))
    return items


def minutes_signatory_items(recs: list[Deliberation]) -> list[Item]:
    """Who signed the procès-verbal of the session (one item per signature, its items sharing it)."""
    items, seen = [], set()
    for rec in recs:
        sig = rec.minutes_signatory
        if sig is None or not sig.name or (rec.source, sig.start) in seen:
            continue
        seen.add((rec.source, sig.start))
        items.append(Item("signatory", rec, {"name": clean(sig.name), "title": clean(sig.title) if sig.title else None,
                                             "minutes": True}, [Ref(rec, sig.start, sig.end, "Signature")]))
    return items


def names_in_scope(cat: Catalog, names: list[str], scope: set[str]) -> list[str]:
    """The names some record of `scope` holds (the authority asked about)."""
    return [n for n in names if cat.naming(_name_keys([n])) & scope]


def budget_items(recs: list[Deliberation]) -> list[Item]:
    items = []
    for rec in recs:
        for b in rec.budget:
            items.append(Item("budget", rec, {
                "budget": b.budget, "year": b.year, "fonction": b.fonction, "nature": b.nature,
                "sous_politique": b.sous_politique, "chapitre": b.chapitre,
                "text": clean(rec.raw_text[b.start:b.end]),
            }, [Ref(rec, b.start, b.end)]))
    return items


def cofinancer_items(recs: list[Deliberation]) -> list[Item]:
    items = []
    for rec in recs:
        if not rec.cofinancers:
            continue
        spans = sorted({sentence_around(rec.raw_text, c.start, c.end) for c in rec.cofinancers})
        items.append(Item("cofinancers", rec, {"names": [clean(c.text) for c in rec.cofinancers]},
                          [Ref(rec, s, e) for s, e in spans]))
    return items


def date_items(recs: list[Deliberation], q: Query, names: list[tuple[str, str]] | None = None) -> list[Item]:
    items = []
    for rec in recs:
        if not (rec.session_date and rec.session_span):
            continue
        amounts = amount_items(rec, q, names=names) if (q.beneficiaries or q.amount_cents) else []
        refs = [_session_ref(rec)] + [r for a in amounts[:1] for r in a.refs]
        data = {"object": clean(rec.object.text) if rec.object else None}
        if amounts:
            data.update(amounts[0].data)
        elif rec.object:
            refs.append(_object_ref(rec))
        items.append(Item("date", rec, data, [r for r in refs if r]))
    return items


def record_items(recs: list[Deliberation]) -> list[Item]:
    """One line per deliberation (counts): date, code and object (or what identifies it)."""
    items = []
    for rec in recs:
        ref = _object_ref(rec) or next((Ref(rec, c.start, c.end, "Objet") for c in rec.codes), None) \
            or _session_ref(rec)
        if ref:
            items.append(Item("record", rec, {"object": clean(rec.object.text) if rec.object else None}, [ref]))
    return items


# -- the entry point -----------------------------------------------------------------------------

SESSION_INTENTS = ("secretary", "president", "convocation", "counts")
MAX_DECISIONS = 5  # deliberations whose decision is quoted in one answer
FIELD_INTENTS = ("signatory", "members", "present_count", "vote", "budget", "cofinancers", "date",
                 "decision") + SESSION_INTENTS
_AMOUNT_INTENTS = ("amount", "beneficiary", "purpose")


def history(cat: Catalog, q: Query) -> Facts:
    """A beneficiary's grants in every year the registry holds (or the period asked), by date: from
    deliberations' texts and open-data rows alike, the names matched as one (accents, case, OCR)."""
    if not q.beneficiaries:
        return Facts(final=bool(q.beneficiary_query or q.unmatched))
    recs = select(cat, q, use_years=False)
    asked = dataclasses.replace(q, intent="amount", year=None)
    items = [i for r in recs for i in amount_items(r, asked, aggregate=True, names=cat.names)
             if in_period(r, q) or (q.year is not None and i.data.get("year") == q.year)]
    items.sort(key=lambda i: (i.data.get("year") or i.rec.year or 0, i.rec.session_date or dt.date.min))
    return Facts(items=items, aggregate="history", considered=[r.id for r in recs], final=True)


# Words naming the document itself, not a subject of it.
DOCUMENT_KIND = re.compile(r"(?i)(?:le\s+|la\s+|the\s+)?(?:proc[èe]s[- ]verbal|compte[- ]rendu|minutes)")


def answer(cat: Catalog, q: Query) -> Facts:
    """Items answering `q` from the registry. `final` says the registry settles the question (found or
    not); otherwise the caller may look for passages."""
    subject = bool(q.beneficiaries or q.topic or q.code or q.number or q.session_date or q.deliberation_ids
                   or q.amount_cents or q.person or (q.intent in SESSION_INTENTS and (q.authority or q.authority_words)))
    if q.number:  # the number names the deliberation: the other words of the question only describe it
        q = dataclasses.replace(q, topic=None, unmatched=None, keywords=[])
    if q.topic and DOCUMENT_KIND.fullmatch(q.topic.strip()):  # "qui a signé le procès-verbal …": the document
        q = dataclasses.replace(q, topic=None)
    if person := person_asked(q):
        return person_sessions(cat, q, person)
    if q.intent == "history":
        return history(cat, q)
    # A name the registry's fields do not know: only passages holding all its words may answer, or, within
    # the authority asked about, a row of a grant table that names it ("771 CHAMP LIBRE Projet 10 000").
    if q.unmatched and not subject and q.intent in _AMOUNT_INTENTS + FIELD_INTENTS + ("total", "count"):
        scope = authority_scope(cat, q)
        if scope is not None and q.intent in _AMOUNT_INTENTS:
            named = dataclasses.replace(q, beneficiaries=[q.unmatched], beneficiary_query=q.unmatched, unmatched=None)
            recs = [r for r in select(cat, dataclasses.replace(named, beneficiaries=[]), among=scope)
                    if any(a.beneficiary and textnorm.match_key(q.unmatched) in key_of(a.beneficiary) for a in r.amounts)]
            items = [i for r in recs for i in amount_items(r, named, names=cat.names)]
            return Facts(items=items, considered=[r.id for r in recs], final=bool(items))
        return Facts()
    if q.intent in ("amount", "beneficiary") and not subject and q.keywords:
        # "Quel montant pour la culture en 2019 ?": the deliberations whose object names it, else passages
        wanted = [textnorm.match_key(k) for k in q.keywords]
        among = {i for i, key in cat.object_keys.items() if all(k in key for k in wanted)}
        recs = [r for r in select(cat, q, among=among) if r.object and all(
            key_of(k) in key_of(r.object.text) for k in q.keywords)]
        items = [i for r in recs for i in amount_items(r, q, aggregate=True, names=cat.names)]
        if not items:
            return Facts()
        return Facts(items=items, aggregate="total" if len(items) > 1 and q.intent == "amount" else None,
                     considered=[r.id for r in recs], final=True)
    if q.intent in ("total", "count") or (q.intent in ("amount",) and not subject):
        recs = select(cat, q, of_type=q.act_type)
        facts = Facts(considered=[r.id for r in recs], final=True)
        if q.intent == "count" and q.act_type != "subvention":
            facts.items, facts.aggregate = record_items(recs), "count"
        else:
            facts.items = [i for r in recs for i in amount_items(r, q, aggregate=True, names=cat.names)]
            facts.aggregate = "count" if q.intent == "count" else "total"
        return facts

    # "Who signed it?" with nothing before it: no deliberation is designated, none is listed.
    if q.intent in FIELD_INTENTS and not subject and not (q.year or q.year_from or q.year_to or q.body):
        return Facts()
    of_type = bool(q.act_type) and q.intent in _AMOUNT_INTENTS and not (q.beneficiaries or q.topic or q.code)
    if q.amount_cents is not None and q.intent in _AMOUNT_INTENTS:
        # Only a record holding the amount asked can give an item (amount_items keeps that amount alone): those
        # records, found in SQL, are read first; the others only when none answers (their ids then narrow the
        # passages looked for), so that the answer is the same without reading every record of the year.
        holding = cat.registry.ids_with_amount(q.amount_cents)
        found = designated(cat, q, subject, of_type, holding)
        if found.items:
            return found
    return designated(cat, q, subject, of_type, None)


def designated(cat: Catalog, q: Query, subject: bool, of_type: bool, among: set[str] | None) -> Facts:
    """The items of the deliberations the question designates (among `among` when given): the field asked."""
    if q.intent == "general":  # the deliberations only (their passages answer), not their records
        # A year in a general question is a word of it ("le label obtenu en 2005"), not the session's year.
        ids = select_ids(cat, q, use_years=False, among=among, of_type=q.act_type if of_type else None)
        return Facts(considered=ids, final=not ids and bool(subject))
    # "les subventions du 14 février": of that type only
    recs = select(cat, q, among=among, of_type=q.act_type if of_type else None)
    facts = Facts(considered=[r.id for r in recs])
    if not recs:
        facts.final = bool(subject) or q.intent in _AMOUNT_INTENTS
        return facts
    if q.intent in _AMOUNT_INTENTS:
        if not subject and q.intent != "beneficiary":
            return facts
        facts.items = [i for r in recs for i in amount_items(r, q, names=cat.names)]
        if q.intent == "purpose":  # no purpose printed with the amount: the object says what it is for
            for item in facts.items:
                if not item.data.get("purpose") and item.rec.object:
                    item.data["object"] = clean(item.rec.object.text)
                    item.refs.append(_object_ref(item.rec))
        facts.final = bool(facts.items)  # none read: the passages may still hold the sum
    elif q.intent == "signatory":
        if q.person:  # "Quelles délibérations X a-t-il signées ?": X's only, each with its object
            pkey = key_of(q.person)
            recs = [r for r in recs if r.signatory and r.signatory.name and pkey in key_of(r.signatory.name)]
            facts.final = True
        facts.items = signatory_items(recs, with_object=bool(q.person)) or minutes_signatory_items(recs)
    elif q.intent == "members":
        if q.unmatched and not q.person:  # "Jean DUPONT était-il présent ?": not in the lists
            q = dataclasses.replace(q, person=q.unmatched)
        facts.items = members_items(recs, q)
    elif q.intent == "present_count":
        facts.items = present_count_items(recs)
    elif q.intent in SESSION_INTENTS:
        facts.items = session_fact_items(recs, q.intent)
    elif q.intent == "decision":
        facts.items = decision_items(recs[:MAX_DECISIONS])
    elif q.intent == "vote":
        facts.items = vote_items(recs)
    elif q.intent == "budget":
        facts.items = budget_items(recs)
    elif q.intent == "cofinancers":
        facts.items = cofinancer_items(recs)
    elif q.intent == "date":
        facts.items = date_items(recs, q, cat.names)
    return facts


def undated_answer(cat: Catalog, q: Query) -> Facts:
    """The answer among the records whose session date the text does not give (any of them may be of the
    period asked), for a question naming what it is about: asked again without its period, only those
    records' items kept (a dated record of another year does not answer)."""
    if not q.has_subject() or q.session_date or not (q.year or q.year_from or q.year_to):
        return Facts()
    found = answer(cat, dataclasses.replace(q, year=None, year_from=None, year_to=None))
    items = [i for i in found.items if i.rec is not None and i.rec.session_date is None]
    if not items:
        return Facts()
    return Facts(items=items, aggregate=found.aggregate, considered=list(dict.fromkeys(i.rec.id for i in items)),
                 final=True)
