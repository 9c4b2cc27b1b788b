"""Answers from retrieved sentences, when the registry's fields do not answer the question.

Passages come from the hybrid retriever (lexical FTS5 + dense Chroma, RRF) or, when the dense index is
unavailable or `mode="lexical"`, from the registry's lexical search alone. Each passage is cut into
sentences (with their spans); a sentence answers when it carries most of the question's content words
(weighted by rarity among the candidates), and every word naming something the registry does not know.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .. import textnorm
from ..formats import MOIS, MONTHS, QUESTION_DATES, parse_question_date
from .facts import Catalog
from .items import Item, Ref, norm_quote
from .understand import _AUTHORITY_WORDS, _STOP, Query
from .verify import canonical_number, number_set

MODES = ("lexical", "dense", "hybrid")
MIN_COVERAGE = 0.6  # share of the question's content (idf-weighted) a sentence must carry
MAX_SENTENCES = 2
HEADING_CHARS = 300  # an item's opening (its number and title), read with each of its sentences


@dataclass
class Passage:
    """A retrieved chunk: where it is and how it ranked."""

    deliberation_id: str
    part: str
    part_label: str
    start: int
    end: int
    text: str
    source: str | None = None
    score: float = 0.0
    metadata: dict = field(default_factory=dict)


@dataclass
class Retrieval:
    passages: list[Passage]
    mode: str
    documents: list = field(default_factory=list)  # LangChain Documents when the retriever made them
    notes: list[str] = field(default_factory=list)


def _from_documents(docs) -> list[Passage]:
    return [Passage(d.metadata["deliberation_id"], d.metadata.get("part", ""), d.metadata.get("part_label", ""),
                    int(d.metadata["start"]), int(d.metadata["end"]), d.page_content, d.metadata.get("source"),
                    float(d.metadata.get("score") or 0.0), dict(d.metadata)) for d in docs]


def retrieve(assistant, text: str, *, filters: dict | None = None, mode: str | None = None,
             k: int = 10) -> Retrieval:
    """Passages for `text`. mode: lexical | dense | hybrid; None = hybrid when a dense index was built,
    else lexical (with a note). An explicit dense/hybrid that fails falls back to lexical too."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"Mode de recherche inconnu : « {mode} » (lexical, dense ou hybrid).")
    notes: list[str] = []
    if mode is None and not dense_available(assistant):
        mode = "lexical"
        notes.append("index sémantique absent (delib reindex pour le construire) : recherche lexicale seule")
    if mode != "lexical":
        try:
            retriever = assistant.retriever
            docs = retriever.retrieve(text, k=k, filters=filters, mode=mode or "hybrid")
            return Retrieval(_from_documents(docs), mode or "hybrid", docs, notes)
        except Exception as exc:  # noqa: BLE001 - no model, no Chroma: the lexical index still answers
            notes.append(f"recherche dense indisponible ({type(exc).__name__}: {exc}) : recherche lexicale seule")
    hits = assistant.registry.search_lexical(text, k=k, filters=filters)
    passages = [Passage(c.deliberation_id, c.part, c.part_label, c.start, c.end, c.text, c.source, s,
                        {"chunk_id": c.id}) for c, s in hits]
    return Retrieval(passages, "lexical", [], notes)


def record_passages(recs) -> list[Passage]:
    """Every chunk of the given records, as passages ranked after the retrieved ones, then each record's own
    text whole (its chunks are the parts the parser found: a sentence between them is in none)."""
    from ..chunks import chunk_record

    out = []
    for rec in recs:
        out += [Passage(c.deliberation_id, c.part, c.part_label, c.start, c.end, c.text, c.source, 0.0,
                        {"chunk_id": c.id}) for c in chunk_record(rec)]
        start, end = rec.own_span
        out.append(Passage(rec.id, "texte", "Texte", start, end, rec.raw_text[start:end], rec.source))
    return out


def dense_available(assistant) -> bool:
    """True when a dense index was built (or is being served): by default `ask` never starts embedding
    the whole registry, which `delib ingest` or `delib reindex` do with a progress bar."""
    if "retriever" in assistant.__dict__ or "index" in assistant.__dict__:
        return True
    settings = assistant.settings
    return bool(settings.chroma_url) or settings.chroma_path.exists()


def to_documents(retrieval: Retrieval) -> list:
    """LangChain Documents for the LLM path (made here when the lexical fallback produced passages)."""
    if retrieval.documents:
        return retrieval.documents
    from langchain_core.documents import Document

    return [Document(page_content=p.text, metadata={
        "deliberation_id": p.deliberation_id, "part": p.part, "part_label": p.part_label, "start": p.start,
        "end": p.end, "source": p.source, "score": p.score, **p.metadata}) for p in retrieval.passages]


# -- sentences -----------------------------------------------------------------------------------

# A sentence ends after . ; ! ? (not after "M." or "MM." before a name: "la cession à M. Paul MARTIN").
_SENT_END = re.compile(r"(?:(?<=\S\.)|(?<=[;!?]))(?<!\bM\.)(?<!\bMM\.)(?<!\bMr\.)\s+(?=[«\"(A-ZÀ-Ý0-9])|\n\s*\n"
                       r"|(?<=:)\s*\n(?=\s*[A-ZÀ-Ý0-9])")


def sentences(text: str, offset: int) -> list[tuple[int, int]]:
    """Absolute spans of the sentences of a passage (whitespace trimmed, tiny pieces dropped)."""
    return [(s, e) for s, e, _ in units(text, offset)]


# Columns: a wide gap (a table printed in columns) or a cell separator (a Word table's " | ", a tab).
_COLUMN_GAP = re.compile(r"\S(?:[ \t]{3,}|[ \t]+\|[ \t]+|[ \t]*\t[ \t]*)\S")


def _table_rows(text: str, s: int, e: int) -> list[tuple[int, int, tuple[int, int] | None]] | None:
    """The rows of a table (lines in columns: wide gaps, or cells joined by " | " as the .docx loader
    renders Word tables), each with the header line before them when the block opens with one (a line
    without figures): the row holding an answer is quoted, not the whole table. A line out of columns
    (a sentence after the table) is a unit of its own, without the header. None when text[s:e] is not
    such a table."""
    lines, pos = [], s
    for line in text[s:e].split("\n"):
        lead = len(line) - len(line.lstrip())
        if line.strip():
            lines.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    columned = [ls for ls in lines if _COLUMN_GAP.search(text, ls[0], ls[1])]
    if len(lines) < 2 or len(columned) < 2 or len(columned) < len(lines) - 1:
        return None
    header = lines[0] if not re.search(r"\d", text[lines[0][0]:lines[0][1]]) else None
    return [(ls, le, header if (ls, le) in columned else None) for ls, le in lines if (ls, le) != header]


def units(text: str, offset: int) -> list[tuple[int, int, tuple[int, int] | None]]:
    """Sentences of a passage as (start, end, header): a table's rows are units of their own, with the
    span of the table's header line (their column titles); header is None for plain sentences."""
    out: list[tuple[int, int, tuple[int, int] | None]] = []
    pos = 0
    for m in list(_SENT_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail - lead >= 25:
            rows = _table_rows(text, pos + lead, pos + trail)
            if rows:
                out += [(offset + a, offset + b, (offset + h[0], offset + h[1]) if h else None)
                        for a, b, h in rows if b - a >= 12]
            else:
                out.append((offset + pos + lead, offset + pos + trail, None))
        if m:
            pos = m.end()
    return out


_ASKS_SHARE = re.compile(r"\bquel(?:le)? (?:part|proportion|pourcentage|taux)\b|\bpourcentage\b|"
                         r"\bwhat (?:share|percentage|proportion|rate)\b")
_PERCENT = re.compile(r"\d\s*%|\bpour\s*cent\b|\bpercent", re.IGNORECASE)
_ASKED_OF = re.compile(r"\b(?:asks?|asked|requests?|requested|appl(?:y|ied)|demand\w*|sollicit\w*)\b")
_MONEY = re.compile(r"\d[\d\s.,]*\s*(?:€|euros?\b|EUR\b)", re.IGNORECASE)
def content_stems(text: str) -> list[str]:
    """The stems that carry a question's meaning: no function, question or intent words, no numbers.
    Words are dropped by their own form ("représentés"), never by their stem ("représentations" stays)."""
    words = [w for w in textnorm.tokens(text) if w not in _STOP and not w.isdigit() and len(w) >= 2]
    return list(dict.fromkeys(textnorm.stems(" ".join(words), drop_stopwords=False)))


@lru_cache(maxsize=65536)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(textnorm.stems(text))


# Words of one act, verb and noun ("cédé" / "cession"): a question asks with the one, the text says the other.
_FAMILY_WORDS = (
    "céder cède cèdent cédé cédée cédés cédées cession cessions",
    "vendre vend vendu vendue vendus vendues vente ventes",
    "acquérir acquiert acquis acquise acquisition acquisitions acheter achète acheté achetée achat achats",
    "attribuer attribué attribuée attribution attributions",
    "louer loué louée location locations",
    "diriger dirige dirigé dirigée dirigeant dirigeante gérer gère gérant gérante",
    "remplacer remplace remplacé remplacée remplacement",
    "prochain prochaine prochains prochaines suivant suivante suivants suivantes",
)


@lru_cache(maxsize=1)
def _families() -> dict[str, int]:
    return {st: i for i, words in enumerate(_FAMILY_WORDS) for st in textnorm.stems(words, drop_stopwords=False)}


class _Stems(set):
    """A sentence's stems; `in` also accepts a stem of the same word cut one or two letters apart
    ("cédée" -> "cede", "céder" -> "ced"), or of the same act ("cédé" -> "cession")."""

    def __contains__(self, term: object) -> bool:
        if set.__contains__(self, term):
            return True
        if not isinstance(term, str) or len(term) < 3:
            return False
        family = _families().get(term)
        if family is not None and any(_families().get(s) == family for s in self):
            return True
        return any(_same_word(s, term) for s in self)


def _same_word(a: str, b: str) -> bool:
    """Stems of one word cut apart, or bent by OCR ("propos" / "proposesr" for "proposera")."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 3 or not long_.startswith(short):
        return False
    return len(long_) - len(short) <= (4 if len(short) >= 5 else 2)


def _context_text(rec) -> str:
    """What every sentence of a deliberation is about, though it does not repeat it: the authority that
    decides ("COMMUNE DE VELAUX") and the object ("Mise à disposition du bâtiment « La Fabrique »..."), or
    when the parser read none, the title that follows the deliberation's number."""
    head = _heading(rec)
    title = rec.object.text if rec.object is not None else (
        rec.raw_text[head:head + HEADING_CHARS] if head > rec.own_span[0] else "")
    return " ".join(x for x in (rec.authority.text if rec.authority else "", title) if x)


# English words of a question and the French words a register prints for them (prompts/answer/english_words.yaml)
ENGLISH_WORDS_FILE = Path(__file__).resolve().parents[2] / "prompts" / "answer" / "english_words.yaml"


@lru_cache(maxsize=1)
def _english_words() -> dict[str, str]:
    return yaml.safe_load(ENGLISH_WORDS_FILE.read_text(encoding="utf-8")) or {}


def french_words(question: str) -> str:
    """The register's words for an English question's words (" " when none)."""
    words = _english_words()
    return " ".join(words[w] for w in re.findall(r"[a-z]+", question.lower()) if w in words)


def in_french(question: str) -> str:
    """An English question with each word the register prints otherwise replaced by the register's words
    ("contract" -> "marché contrat"): the English word itself would match French words it does not mean
    ("contractuelle")."""
    words = _english_words()
    return re.sub(r"[A-Za-z]+", lambda m: words.get(m.group().lower(), m.group()), question)


# Function and question words: the only words a question within one document's scope does not look for
# (there, "prix", "vendu", "secrétaire" say which sentence answers).
_FUNCTION_WORDS_TEXT = """le la les l de du des d un une et ou est a au aux en pour par sur dans avec qui que qu quoi
    quel quelle quels quelles combien quand comment pourquoi ce cet cette ces son sa ses leur leurs il elle ils elles on
    ont ete etait etaient t elle il y ne pas se s the of to in for and or what which who whom how much many did does do
    was were is are be been an by on at with its it their from this that these those as has have had"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def question_stems(text: str) -> list[str]:
    """Every stem of a question but its function words: the intent's words too ("prix", "secrétaire")."""
    words = [w for w in textnorm.tokens(text) if w not in _FUNCTION_WORDS and not w.isdigit() and len(w) >= 2]
    return list(dict.fromkeys(textnorm.stems(" ".join(words), drop_stopwords=False)))


# What a sentence must hold to answer a session's fact: its word, and for counts a number beside it.
_ANSWER_SHAPES = {
    "secretary": re.compile(r"secretaire"),
    "president": re.compile(r"presid"),
    "convocation": re.compile(r"convo"),
    "vote": re.compile(r"abst?ention|\bcontre\b|unanimit|\bvoix\b|\bpour\s*:|ne prend pas part|adopte|rejete"),
    "counts": re.compile(r"\d+\s*(?:membres?|conseillers?|elus?)?\s*(?:en exercice|presents?|votants?|pouvoirs?|procurations?)"
                         r"|(?:en exercice|presents?|votants?|pouvoirs?|procurations?)\s*:?\s*\d+"),
}


_CIVILITIES = frozenset(["M", "Mme", "Mlle", "MM", "Madame", "Monsieur", "Mr", "Mrs", "Ms"])


def _question_words(question: str) -> set[str]:
    return set(textnorm.fold(question).replace("'", " ").replace("’", " ").split())


def _names_other_than(text: str, asked: set[str]) -> bool:
    """The text names someone or something (a capitalised word past its first) that the question (its words
    `asked`) does not."""
    words = [w for w in re.findall(r"\b[A-ZÉÈÀÂÎÔ][\w'’-]{2,}", text)[1:] if not _REGISTER_WORD.match(textnorm.fold(w))]
    return any(textnorm.fold(w).split("'")[-1].split("’")[-1] not in asked for w in words)


# Capitalised words that are the register's own, not names: results, parts, titles.
_REGISTER_WORD = re.compile(r"(?:approuv|adopt|rejet|unanim|deliber|decision|article|objet|vote|conseil|seance|"
                            r"monsieur|madame|maire|president|rapporteur|considerant|vu\b)")


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _debates(raw: str, start: int, end: int, limit: int, required: list[str], shape: re.Pattern
             ) -> list[tuple[int, int]]:
    """Spans of the paragraphs opening in raw[start:end] (read on to their own end, past the passage's) that
    open by naming what is asked about (every `required` stem in their opening clause) and then record a vote
    (`shape`): a procès-verbal's debate on one line of a table ("Pour l'association X, M. Y demande…
    Abstentions : … Contre : …"), quoted whole; `limit`: where the deliberation's own text ends."""
    if not required:
        return []
    out = []
    starts = [start] + [m.end() for m in _PARAGRAPH.finditer(raw, start, end)]
    for pos in starts:
        s = pos + len(raw[pos:pos + 200]) - len(raw[pos:pos + 200].lstrip())
        opening = _OPENING.match(raw, s, min(len(raw), s + 200))
        if s >= end or not opening or not all(r in _Stems(_stems(opening.group())) for r in required):
            continue
        stop = _PARAGRAPH.search(raw, s, min(limit, s + MAX_DEBATE))
        e = s + len(raw[s:stop.start() if stop else min(limit, s + MAX_DEBATE)].rstrip())
        if shape.search(textnorm.fold(raw[opening.end():e])):
            out.append((s, e))
    return out


MAX_DEBATE = 1500  # characters of a debate's paragraph read, at most
_OPENING = re.compile(r"[^,:;.\n]{1,120}[,:;.]")  # a paragraph's opening clause ("Pour l'association X,")

def _passage_units(rec, p: Passage) -> list[tuple[int, int, tuple[int, int] | None]]:
    """The sentences of the deliberation's own text (its passages are cut at a size, not at sentence ends: a
    table's rows or a sentence are read whole across a cut); a passage outside that text is read alone."""
    start, end = rec.own_span
    if not (start <= p.start and p.end <= end):
        return units(rec.raw_text[p.start:p.end], p.start)
    return _own_units(rec.id, rec.content_hash, rec.raw_text, start, end)


@lru_cache(maxsize=256)
def _own_units(_id: str, _hash: str, raw: str, start: int, end: int) -> list[tuple[int, int, tuple[int, int] | None]]:
    return units(raw[start:end], start)


def _heading(rec) -> int:
    """Where a deliberation's title starts: its own text's opening, or, when the parser read no object there
    (a single deliberation behind a long session header), the first mention of its number."""
    start, end = rec.own_span
    if rec.object is None and rec.number and len(rec.number) >= 4:
        at = rec.raw_text.find(rec.number, start, end)
        if at >= 0:
            return at
    return start


_VISA = re.compile(r"\s*vu\b", re.IGNORECASE)


def _date_elsewhere(rec, day, text: str) -> bool:
    """A day asked that is not the deliberation's session, and the text does not name it ("le compte rendu du
    29 octobre 2019" is read in the next session's record only where a sentence names that day)."""
    if rec.session_date is None or rec.session_date == day:
        return False
    return not any(parse_question_date(m.group()) == day for pat in QUESTION_DATES for m in pat.finditer(text))


def _year_elsewhere(rec, year: int, text: str) -> bool:
    """Money asked for another year than the session's, and the sentence does not name that year."""
    return rec.year is not None and rec.year != year and str(year) not in text


def extract(cat: Catalog, q: Query, passages: list[Passage], *, required: list[str] | None = None,
            max_sentences: int = MAX_SENTENCES, min_coverage: float = MIN_COVERAGE,
            every_word: bool = False, year: int | None = None) -> list[Item]:
    """The best sentences of the passages for `q` (items of kind "passage"), or [] when none carries
    enough of the question.

    A sentence is read with its deliberation's authority and object (and a table row with its header
    line), which it does not repeat; it must still carry one of the question's words itself, and among
    sentences as well covered, the ones carrying more themselves win. `year`: a year the sentence (with,
    when `every_word`, the sentences read with it) must name."""
    asked = in_french(q.question) if q.language == "en" else q.question
    naming = content_stems(asked)  # the words that name what is asked about
    terms = naming + ([t for t in question_stems(asked) if t not in naming] if every_word else [])
    if q.authority_words:  # the authority asked about is what every sentence of its documents is about
        # (its name, and the type words it was named with: "l'Agglo de", "la commune de")
        typed = " ".join(m.group() for m in _AUTHORITY_WORDS.finditer(q.question)
                         if q.question[m.end():].startswith(q.authority_words)
                         or q.question[:m.start()].rstrip().endswith(q.authority_words))
        authority = set(content_stems(q.authority_words + " " + typed))
        terms = [t for t in terms if t not in authority]
    if q.intent == "general":  # "obtenu en 2005", "inférieur à 600": the numbers are words of the question
        terms += [n for n in re.findall(r"\b\d{2,}\b", q.question) if n not in terms]
    if q.session_date:  # so does the session's day ("le 28 octobre 2021": its words are in its header only)
        day = q.session_date
        words = f"{day.day} {MOIS[day.month - 1]} {MONTHS[day.month - 1]} {day.year}"
        dated = set(words.split()) | set(textnorm.stems(words, drop_stopwords=False))
        rest = [t for t in terms if t not in dated]
        terms = rest if len(rest) >= 2 else terms
    if q.number:  # the deliberation's number named says where to look, not what to look for ("la délibération
        # CP 2023-017": nor is the word "délibération", which its sentences use for others), when more is asked
        number = set(re.findall(r"\d+", q.number)) | set(textnorm.stems(q.number + " délibération",
                                                                          drop_stopwords=False))
        rest = [t for t in terms if t not in number]
        terms = rest if len(rest) >= 2 else terms
    if required is None:  # words naming what the registry does not know must all be there
        named = q.unmatched or q.beneficiary_query or (" ".join(q.keywords) if q.intent in ("amount", "beneficiary")
                                                       else "")
        if q.language == "en":  # English words: the register's word for each when known, else the word itself
            named = " ".join(_english_words().get(w.lower(), w).split()[0] for w in re.findall(r"[\w'’-]+", named))
        required = content_stems(named) if named.strip() else []
    elif every_word:  # within one authority: the proper names typed (capitalised words) must still be there,
        # the registry's beneficiary named too (another beneficiary's sentence answers nothing about it)
        typed = " ".join([q.unmatched or ""] + ([q.beneficiary_query or ""] if q.beneficiaries else []))
        required = content_stems(" ".join(w for w in re.findall(r"\b[A-ZÉÈ][\w'’-]+", typed)
                                          if not q.question.startswith(w) and w not in _CIVILITIES))
    if not terms:
        return []
    # (a vote's words only for a name inside a deliberation: otherwise the passage finds the deliberation,
    # whose recorded vote answers)
    shape = _ANSWER_SHAPES.get(q.intent) if q.intent != "vote" or q.unmatched else None
    debates: set[tuple[str, int, int]] = set()  # paragraphs recording the vote on what is asked about
    cands: list[tuple[Passage, int, int, set[str], set[str], tuple[int, int] | None]] = []
    windows: dict[tuple[str, int, int], str] = {}  # a unit with the two before it (every_word)

    def rec_window(p: Passage, s: int, e: int) -> str:
        return windows.get((p.deliberation_id, s, e), "")
    seen: set[tuple[str, int, int]] = set()
    for p in passages:
        rec = cat.by_id.get(p.deliberation_id)
        if rec is None:
            continue
        context = _stems(_context_text(rec))
        found = _passage_units(rec, p)
        for k, (s, e, header) in enumerate(found):
            if e <= p.start or s >= p.end:  # a sentence of the passage's neighbours (read for its window only)
                continue
            if (p.deliberation_id, s, e) in seen:
                continue
            seen.add((p.deliberation_id, s, e))
            own = _stems(rec.raw_text[s:e]) + tuple(re.findall(r"\b\d{2,}\b", rec.raw_text[s:e]))
            around = context + (_stems(rec.raw_text[header[0]:header[1]]) if header else ())
            if every_word:  # within one document, a sentence is read with the two before it (its subject)
                around += tuple(st for a, b, _ in found[max(0, k - 2):k] for st in _stems(rec.raw_text[a:b]))
                head = _heading(rec)
                if s >= head + HEADING_CHARS:  # a sentence of the body is about its item's title
                    around += _stems(rec.raw_text[head:head + HEADING_CHARS])
                windows[(p.deliberation_id, s, e)] = rec.raw_text[found[max(0, k - 2)][0]:e]
            cands.append((p, s, e, _Stems(own), _Stems(own + around), header))
        if shape is not None and q.intent == "vote":
            for s, e in _debates(rec.raw_text, p.start, p.end, rec.own_span[1], required, shape):
                if (p.deliberation_id, s, e) not in seen:
                    seen.add((p.deliberation_id, s, e))
                    debates.add((p.deliberation_id, s, e))
                    own = _stems(rec.raw_text[s:e])
                    cands.append((p, s, e, _Stems(own), _Stems(own + context), None))
    if not cands:
        return []
    n = len(cands)
    df = {t: sum(t in c[4] for c in cands) for t in terms}
    if q.language == "en":  # English words absent from French text say nothing either way
        terms = [t for t in terms if df[t]] or terms
    elif every_word:  # nor do the asking words ("prix", "vendu") a document words otherwise; a name does
        terms = [t for t in terms if df[t] or t in naming] or terms
    idf = {t: math.log(1 + (n + 1) / (0.5 + df[t])) for t in terms}
    total = sum(idf.values())
    # An amount asked: the sentence must hold one ("à qui" too, but a sale's buyer may be named without it).
    # (not when the one asked for money is asked: "à qui a-t-elle demandé une subvention ?")
    money = q.intent in ("amount", "total") or (q.intent == "beneficiary" and not every_word
                                                and not _ASKED_OF.search(textnorm.fold(q.question)))
    share = bool(_ASKS_SHARE.search(textnorm.fold(q.question)))  # "quelle part … ?": a rate, not a sum
    counting = q.intent == "general" and bool(re.search(r"\b(?:combien|how many)\b", textnorm.fold(q.question)))
    money = money and not share
    asked_words = _question_words(q.question)
    context_texts = {i: _context_text(cat.by_id[i]) for i in {c[0].deliberation_id for c in cands}}
    scored = []
    for rank, (p, s, e, own, stems, header) in enumerate(cands):
        text = cat.by_id[p.deliberation_id].raw_text[s:e]
        if any(r not in stems for r in required):
            continue
        if money and not _MONEY.search(text):
            continue
        if share and not _PERCENT.search(text):
            continue
        if counting and not re.search(r"\d", text):  # "combien de décisions … ?": a sentence giving a number
            continue
        if shape is not None and not shape.search(textnorm.fold(text)):  # what the intent asks is not there
            continue
        if every_word and q.intent == "beneficiary" and not _names_other_than(text, asked_words):
            continue  # "à qui ?" within one authority: the sentence must name someone the question does not
        if q.session_date and _date_elsewhere(cat.by_id[p.deliberation_id], q.session_date,  # (or its title)
                                              (rec_window(p, s, e) or text) + " " + context_texts[p.deliberation_id]):
            continue
        if (money or every_word) and q.year and _year_elsewhere(  # (a year in the title holds for its sentences)
                cat.by_id[p.deliberation_id], q.year,
                (text if money else rec_window(p, s, e)) + " " + context_texts[p.deliberation_id]):
            continue
        if year is not None and str(year) not in (rec_window(p, s, e) if every_word else text):
            continue
        matched = [t for t in terms if t in stems]
        coverage = sum(idf[t] for t in matched) / total
        own_coverage = sum(idf[t] for t in terms if t in own) / total
        if coverage < min_coverage or (len(terms) >= 3 and len(matched) < 2) or own_coverage == 0:
            continue
        scored.append((coverage, own_coverage, -rank, p, s, e, header))
    # A debate's paragraph on what is asked about names who voted how: it comes first; equally good, the
    # decision's sentence before a visa (which cites another act on the same subject).
    scored.sort(key=lambda x: ((x[3].deliberation_id, x[4], x[5]) not in debates, -x[0], -x[1],
                               bool(_VISA.match(cat.by_id[x[3].deliberation_id].raw_text, x[4])), -x[2]))
    items: list[Item] = []
    for coverage, own_coverage, _, p, s, e, header in scored[:max_sentences]:
        if items and (coverage < 0.85 * scored[0][0] or own_coverage < 0.85 * scored[0][1]):
            break
        item = passage_item(cat.by_id[p.deliberation_id], s, e, header, p.part_label or None)
        item.data["coverage"] = round(coverage, 3)
        if q.intent == "date" and (days := days_without_year(item.data["quote"])):
            item.data["days"] = days
        items.append(item)
    return items


def passage_item(rec, s: int, e: int, header: tuple[int, int] | None, label: str | None = None) -> Item:
    """A sentence quoted as an answer (a table row with its header line: its column titles say what its
    figures are)."""
    ref = Ref(rec, s, e, label)
    data = {"quote": norm_quote(rec.raw_text[s:e]), "part": ref.citation().part}
    refs = [ref]
    if header:
        data["header"] = norm_quote(rec.raw_text[header[0]:header[1]])
        refs.insert(0, Ref(rec, header[0], header[1], ref.part))
    misread = misprinted_amounts(rec, s, e)
    if misread:
        data["amounts"] = misread
    return Item("passage", rec, data, refs, derived=[_euros(c) for c in misread])


def _euros(cents: int) -> str:
    """A number of cents as the verifier reads a computed value: "1000000", "102.92"."""
    return f"{cents // 100}" + (f".{cents % 100:02d}" if cents % 100 else "")


# A day and month printed in figures without their year ("du 12/02 et du 27/03").
_DAY_MONTH = re.compile(r"(?<![\d/.-])(0?[1-9]|[12]\d|3[01])/(0?[1-9]|1[0-2])(?![\d/.-])")


def days_without_year(text: str) -> list[tuple[int, int]]:
    """(day, month) of each date a text prints as "12/02" with no year: the answer restates them in words,
    the year left unknown."""
    return list(dict.fromkeys((int(m.group(1)), int(m.group(2))) for m in _DAY_MONTH.finditer(text)))


def misprinted_amounts(rec, start: int, end: int) -> list[int]:
    """Cents of the amounts the registry read in the record whose figures, as printed, do not read as that
    number ("1000 000 €": a space lost or added by the scan), and which rec.raw_text[start:end] prints the
    same way: the answer restates them in the usual format beside the quote (the registry's reading of the
    very words quoted)."""
    quote, out = f" {norm_quote(rec.raw_text[start:end])} ", []
    for a in rec.amounts:
        printed = norm_quote(rec.raw_text[a.start:a.end])
        value = canonical_number(str(a.cents // 100), f"{a.cents % 100:02d}" if a.cents % 100 else None)
        if a.cents > 0 and value not in number_set(printed) and a.cents not in out \
                and re.search(rf"(?<![\d,.]){re.escape(printed)}", quote):
            out.append(a.cents)
    return out


# -- questions asking two things --------------------------------------------------------------------

# "À qui … , et pour quel montant ?", "Which commune …, and what programme authorisation …?": the second part
# starts with its own question word after "et" / "and".
_SECOND_PART = re.compile(
    r",?\s+(?:et|and)\s+(?=(?:(?:de|pour|à|a|au|by|for|to)\s+)?(?:quel|quelle|quels|quelles|combien|qui|quand|"
    r"comment|où|what|which|how|who|when|where)\b)", re.IGNORECASE)
# A part that asks for a sum of money (and so must be answered by a sentence holding one).
_ASKS_MONEY = re.compile(r"\bde combien\b|^(?:et )?combien\b(?! de\b)|\bmontant|how much|\bprix\b|\bprice|\bco[uû]t|"
                         r"\bcost|\bvaleur\b|\bvalue\b|\bamount|autorisation de programme|programme authori[sz]ation|"
                         r"\bsolde\b|\bbalance\b",
                         re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks two things, or [question]."""
    parts = [p.strip(" ,?") for p in _SECOND_PART.split(question)]
    return [p for p in parts if p] if len(parts) > 1 else [question]


def answer_parts(cat: Catalog, q: Query, passages: list[Passage], items: list[Item]) -> list[Item]:
    """A question asking two things ("à qui …, et pour quel montant ?") answered by the sentences found for
    the whole: each part is looked for again within the deliberations they come from, and its best sentence
    added when it is not among them (the buyer's sentence, then the amount's)."""
    parts = question_parts(q.question)
    if len(parts) < 2 or not items:
        return items
    ids = {i.rec.id for i in items}
    own = [p for p in passages if p.deliberation_id in ids]
    out = list(items)

    def add(item: Item) -> None:
        if not any(i.rec.id == item.rec.id and i.refs[-1].start == item.refs[-1].start for i in out):
            out.append(item)
    asking = [p for p in parts if not _ASKS_MONEY.search(p)]
    anchors: list[Item] = []
    for part in asking:
        pq = dataclasses.replace(q, question=part, intent="general", unmatched=None, beneficiaries=[],
                                 beneficiary_query=None, keywords=[])
        for item in extract(cat, pq, own, required=[], max_sentences=1, min_coverage=0.3, every_word=True):
            anchors.append(item)
            add(item)
    if len(asking) < len(parts):  # the sum asked: the first one stated after what the other part found
        anchor = (anchors or items)[0]
        if not _MONEY.search(anchor.data.get("quote", "")):
            following = _following(anchor, _MONEY)
            if following is not None:
                add(following)
    return out


def registry_parts(cat: Catalog, q: Query, items: list[Item], said: str) -> list[Item]:
    """A question asking two things whose first the registry's items answer ("Quelle subvention …, et quel
    solde reste à verser ?"): a later part asking a sum in words the items do not say (`said`: their text) gets
    the sentence of their deliberations that holds one of those words and a sum."""
    parts = question_parts(q.question)
    if len(parts) < 2:
        return items
    recs = list({i.rec.id: i.rec for i in items}.values())
    out = list(items)
    said_stems = set(content_stems(said))
    for part in parts[1:]:
        words = [w for w in content_stems(part) if w not in said_stems]
        if not words or not _ASKS_MONEY.search(part):
            continue
        pq = dataclasses.replace(q, question=part, intent="amount", unmatched=None, beneficiaries=[],
                                 beneficiary_query=None, keywords=[])
        for word in words:  # one of them at least ("le solde … sera versé" for "quel solde reste à verser")
            found = extract(cat, pq, record_passages(recs), required=[word], max_sentences=1, min_coverage=0.3,
                            every_word=True)
            if found:
                out += found
                break
    return out


# "Comment a été approuvé le compte rendu ?", "How was the budget voted?": the result of a vote is asked.
_ASKS_VOTE = re.compile(r"\b(?:comment|how)\b.*\b(?:vot|approuv|adopt|approv)")


def vote_after(q: Query, items: list[Item]) -> list[Item]:
    """A question asking how something was voted, answered by the sentence naming it ("Approbation du compte
    rendu du …") but not its result: the first sentence stating a vote after it is added ("… il est approuvé à
    l'unanimité")."""
    shape = _ANSWER_SHAPES["vote"]
    if not items or not _ASKS_VOTE.search(textnorm.fold(q.question)):
        return items
    if any(shape.search(textnorm.fold(i.data.get("quote", ""))) for i in items):
        return items
    following = _following(items[0], shape, folded=True)
    return items + [following] if following is not None else items


MAX_FOLLOWING = 6  # sentences read after a part's answer for the sum the other part asks


def _following(anchor: Item, pattern: re.Pattern, *, folded: bool = False) -> Item | None:
    """The first sentence matching `pattern` (on its folded text when `folded`) within the few after the
    anchor's, in its deliberation."""
    rec, start = anchor.rec, anchor.refs[-1].start
    found = _own_units(rec.id, rec.content_hash, rec.raw_text, *rec.own_span)
    after = [u for u in found if u[0] > start][:MAX_FOLLOWING]
    for s, e, header in after:
        text = rec.raw_text[s:e]
        if pattern.search(textnorm.fold(text) if folded else text):
            return passage_item(rec, s, e, header)
    return None
