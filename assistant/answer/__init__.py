"""Ask the registry: exact, cited answers without an LLM (and the hook for one).

    understand (language, intent, entities; follow-ups resolved against the session)
    -> facts from the registry (exact values, aggregates)     -> items with spans
    -> else the best retrieved sentences (hybrid or lexical)  -> items with spans
    -> verify each item (citations, numbers, dates), drop the failures, compose the answer again
    -> an LLM, when configured, phrases it from the same facts and passages (answer.grounded)

`ask(assistant, question, session=, filters=, stream=, on_token=, mode=) -> Answer`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from .. import textnorm
from ..models import Answer, Citation
from . import compose as composer
from . import extractive, facts, sessions
from .items import Item
from .understand import Query, understand
from .verify import Checker

__all__ = ["answer_from_items", "ask"]

MAX_READ_WHOLE = 12  # deliberations read sentence by sentence when the question names them
NARROW_COVERAGE = 0.3  # share of the question a sentence must carry within the authority or deliberation named
MAX_NARROW = 200  # records of the authority named read one by one for their dates
MAX_READ_NARROW = 80  # the items of one authority's procès-verbal, read whole
MAX_CLOSE_NAMES = 4  # more names close to a short word are no real alternatives: no question back
_NO_LLM_FOR_REFUSAL = {
    "fr": "Le registre ne contient pas la réponse à cette question précise : le modèle n'a pas été sollicité.",
    "en": "The registry holds no answer to this precise question: the model was not asked.",
}


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def _llm(assistant):
    """The configured LLM backend or None, without importing anything when none is configured."""
    if "llm" in assistant.__dict__:
        return assistant.__dict__["llm"]
    if getattr(assistant.settings, "llm_backend", "none") in (None, "none"):
        return None
    return assistant.llm


def _apply_filters(q: Query, filters: dict) -> None:
    """Explicit filters (CLI --year/--body, app) win over what the words say."""
    if filters.get("year") is not None:
        q.year = int(filters["year"])
        q.year_from = q.year_to = None
        if q.session_date and q.session_date.year != q.year:
            q.session_date = None
    if filters.get("body"):
        q.body = str(filters["body"])
    # A year range (the app's filters): replaces the question's own period.
    if filters.get("year") is None and (filters.get("year_from") is not None or filters.get("year_to") is not None):
        q.year = None
        q.year_from = int(filters["year_from"]) if filters.get("year_from") is not None else None
        q.year_to = int(filters["year_to"]) if filters.get("year_to") is not None else None
        if q.session_date and not ((q.year_from or 0) <= q.session_date.year <= (q.year_to or 9999)):
            q.session_date = None
    if filters.get("act_type"):
        q.act_type = q.act_type_filter = str(filters["act_type"])


def _retrieval_filters(q: Query, considered: list[str] | None) -> dict:
    out: dict = {}
    if q.intent == "general":  # its years are words of the question, not the session's
        out = {"body": q.body, "act_type": q.act_type_filter, "deliberation_ids": considered}
        return {k: v for k, v in out.items() if v is not None}
    if q.session_date:
        out["date_from"] = out["date_to"] = q.session_date.isoformat()
    elif q.year is not None:
        out["year"] = q.year
    if q.year_from is not None:
        out["year_from"] = q.year_from
    if q.year_to is not None:
        out["year_to"] = q.year_to
    if q.body:
        out["body"] = q.body
    if q.act_type_filter:
        out["act_type"] = q.act_type_filter
    if considered is not None:
        out["deliberation_ids"] = considered
    return out


def _without_period(filters: dict) -> dict:
    """Retrieval filters without the period (the records to read are already chosen for it)."""
    return {k: v for k, v in filters.items() if k not in ("year", "year_from", "year_to", "date_from", "date_to")}


def _extract(cat, q: Query, retrieved: list, ids: list[str] | None, narrow: bool, year: int | None = None
             ) -> tuple[list[Item], list]:
    """The sentences answering `q` among the retrieved passages and, when few deliberations are named (`ids`),
    every passage of theirs. `narrow`: within one authority or deliberation, the best sentences are taken,
    all the question's words or not, when none carries them all. `year`: a year each sentence must name.
    Returns the sentences and the passages read."""
    passages = list(retrieved)
    if ids and len(ids) <= (MAX_READ_NARROW if narrow else MAX_READ_WHOLE):  # a few named: read them whole
        passages += extractive.record_passages([cat.by_id[i] for i in ids if i in cat.by_id])
    items = extractive.extract(cat, q, passages, year=year)
    if not items and narrow:  # within one authority's documents, the best sentences, all words or not
        items = extractive.extract(cat, q, passages, required=[], min_coverage=NARROW_COVERAGE, every_word=True,
                                   year=year)
    return items, passages


def _amounts_with_sentences(cat, q: Query, items: list[Item], aggregate: str | None
                            ) -> tuple[list[Item], str | None]:
    """The registry's amounts, completed or replaced from their deliberations' sentences where the question
    asks what they do not say: "le troisième versement de la subvention à X" (words the amounts do not carry
    pick the sentence that says which sum is asked), "…, et quel solde reste à verser ?" (a later part asking
    another sum gets its sentence). Unchanged otherwise (a beneficiary "Les Amis de l'Exemple à Villemodèle"
    carries "Villemodèle")."""
    if not items or not all(i.kind == "amount" for i in items):
        return items, aggregate
    said = " ".join(composer.render_item(i, q.language) for i in items)
    if q.intent == "amount" and q.unmatched and not (  # words the amounts do not carry
            set(extractive.content_stems(q.unmatched)) <= set(extractive.content_stems(said))):
        recs = list({i.rec.id: i.rec for i in items}.values())[:MAX_READ_WHOLE]
        found = extractive.extract(cat, q, extractive.record_passages(recs))
        if found and not _other_rows(found, items):
            return found, None
    if aggregate is None:
        items = extractive.registry_parts(cat, q, items, said)
    return items, aggregate


def _other_rows(sentences: list[Item], items: list[Item]) -> bool:
    """Whether a sentence holds amounts the registry read for other beneficiaries than the items' (a table whose
    line breaks were lost, read as one sentence: its rows, read apart, answer better)."""
    named = {i.data.get("beneficiary") for i in items}
    return any(a.beneficiary and a.beneficiary not in named and s.refs[-1].start <= a.start and a.end <= s.refs[-1].end
               for s in sentences for a in s.rec.amounts)


def _citations(items: list[Item]) -> list[Citation]:
    seen: dict[tuple, Citation] = {}
    for item in items:
        for ref in item.refs:
            c = ref.citation()
            seen.setdefault((c.id, c.start, c.end), c)
    return list(seen.values())


def _derived_numbers(q: Query, items: list[Item], max_lines: int, aggregate: str | None = None) -> list[str]:
    """Numbers the answer computes (totals, counts) or restates from the question (its years)."""
    out = [str(len(items)), str(max(0, len(items) - max_lines))] + [n for i in items for n in i.derived]
    out += [str(c) for c in (q.year, q.year_from, q.year_to) if c is not None]
    totals = composer.totals_by_qualifier(items)
    out += [f"{c // 100}" + (f".{c % 100:02d}" if c % 100 else "") for c in totals.values()]
    if aggregate == "sessions":  # a person's sessions, per attendance list
        out += [str(n) for n in composer.session_counts(items).values()]
    if aggregate == "history":  # totals per year, years, the sources' labels
        out += composer.history_numbers(items)
    return out


def history(assistant, name: str, *, authority: str | None = None, lang: str = "fr") -> Answer:
    """A beneficiary's grants year by year (table in `answer`, bars in `chart`), as the chat gives it for
    "Historique des subventions à <name>" (`delib history`)."""
    if lang == "en":
        question = f"History of the grants to {name}" + (f" by {authority}" if authority else "")
    else:
        question = "Historique des subventions" + (f" de {authority}" if authority else "") + f" à {name}"
    return ask(assistant, question)


def history_chart(items: list[Item], lang: str) -> dict:
    """The data of a history's bar chart: the sum granted per year (euros), from the verified rows."""
    totals = composer.history_totals(items)
    names = list(dict.fromkeys(i.data["beneficiary"] for i in items if i.data.get("beneficiary")))
    title = ("Subventions par année" if lang == "fr" else "Grants per year") + (
        (" : " if lang == "fr" else ": ") + names[0] if names else "")
    return {"title": title, "years": list(totals), "euros": [c / 100 for c in totals.values()]}


def answer_from_items(assistant_or_registry, q: Query, items: list[Item], aggregate: str | None = None,
                      *, max_lines: int = 50, matched: bool = False, records: dict | None = None
                      ) -> tuple[str, list[Citation], list[str], list[Item]]:
    """Verify each item, drop the failures, compose the answer from the rest and check it whole.

    Every item is verified, shown or not: the counts and totals of an answer are computed over all the
    kept items. The composed text is then checked against the citations of the items it shows (its other
    figures being those counts and totals). `matched`: deliberations matched the question (for the
    not-found wording); `records`: the registry's records by id, already read (the catalog). Returns
    (text, citations, notes, kept items); no kept item means the not-found text."""
    registry = getattr(assistant_or_registry, "registry", assistant_or_registry)
    checker = Checker(registry, records)
    lang = q.language
    kept: list[Item] = []
    notes: list[str] = []
    for item in items:
        problems = checker.check_text(composer.render_item(item, lang), [r.citation() for r in item.refs],
                                      item.derived)
        if problems:
            notes.append("Élément écarté à la vérification : " + " ; ".join(problems))
        else:
            kept.append(item)
    if kept:
        text = composer.compose(q, kept, lang, aggregate, max_lines)
        citations = _citations(kept)
        shown = _citations(composer.shown(kept, max_lines))
        problems = checker.check_text(text, shown, _derived_numbers(q, kept, max_lines, aggregate))
        if not problems:
            return text, citations, notes, kept
        notes.append("Réponse écartée à la vérification : " + " ; ".join(problems))
    if aggregate == "sessions" and not items:  # the person is in no attendance list (nothing was dropped)
        return composer.person_absent(q, lang), [], notes, []
    return composer.not_found(q, lang, records=matched), [], notes, []


def _answer_back(assistant, q: Query, question: str, session: str | None, text: str, timings: dict, t_all: float,
                 on_token) -> Answer:
    """An answer that asks the user a question back (nothing found, nothing cited)."""
    answer = Answer(question=question, language=q.language, answer=text, found=False, citations=[],
                    intent=q.intent, entities=q.entities(), timings_ms=timings, notes=[], retrieved=[])
    if on_token is not None:
        on_token(text)
    answer.timings_ms["total"] = _ms(t_all)
    if session:
        sessions.append(assistant.settings.sessions_dir, session, sessions.turn_of(q, answer))
    return answer


def ask(assistant, question: str, *, session: str | None = None, filters: dict | None = None,
        stream: bool = False, on_token: Callable[[str], None] | None = None, mode: str | None = None,
        k: int = 10) -> Answer:
    """Answer `question` from the registry, with verified citations.

    filters: year, body (win over the question's words), mode (lexical | dense | hybrid: the retrieval
    used for passages; default hybrid once a dense index was built, else lexical). session: a name under
    which the conversation is kept (settings.sessions_dir) so that follow-ups are understood.
    on_token: called with the answer's text as it is produced: sentence by sentence by an LLM, in one
    piece without one. stream: part of the facade's contract; the streaming itself goes through
    on_token (a caller that streams passes both)."""
    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    filters = dict(filters or {})
    mode = mode or filters.pop("mode", None)
    filters.pop("mode", None)

    t0 = time.perf_counter()
    cat = facts.catalog(assistant.registry)
    q = understand(question, names=cat.names, persons=cat.persons, topics=cat.topics,
                   authorities=cat.authorities, numbers=cat.numbers)
    history = sessions.load(assistant.settings.sessions_dir, session) if session else []
    if history:
        q = sessions.resolve(q, history[-1])
    _apply_filters(q, filters)
    timings["understand"] = _ms(t0)

    scope = facts.authority_scope(cat, q)
    if q.beneficiaries and scope is not None:  # the names of the authority asked about only
        kept = facts.names_in_scope(cat, q.beneficiaries, scope)
        if not kept:  # another authority's name: within this one, only its words in a sentence may answer
            q.unmatched, q.beneficiary_score = q.beneficiary_query, None
        q.beneficiaries = kept
    fuzzy = q.beneficiary_score is not None and q.beneficiary_score < 100 and bool(q.beneficiaries)
    close = {textnorm.match_key(n) for n in q.beneficiaries}
    if fuzzy and 2 <= len(close) <= MAX_CLOSE_NAMES and len(textnorm.match_key(q.beneficiary_query or "")) >= 8:
        # Two names are close to the one typed: which one is meant is asked, nothing is guessed.
        return _answer_back(assistant, q, question, session, composer.which_name(q, q.language), timings, t_all,
                            on_token)

    t0 = time.perf_counter()
    found_facts = facts.answer(cat, q)
    if not found_facts.items and scope is not None:  # the authority's undated records may be of the year asked
        undated_facts = facts.undated_answer(cat, q)
        found_facts = undated_facts if undated_facts.items else found_facts
    timings["facts"] = _ms(t0)

    llm = _llm(assistant)
    items, aggregate = found_facts.items, found_facts.aggregate
    items, aggregate = _amounts_with_sentences(cat, q, items, aggregate)
    # The question names an authority or a deliberation: its documents are read even where the registry's
    # fields settled nothing (a name they do not know may still be in a sentence).
    narrow = scope is not None or bool(q.number)
    extract = not items and (not found_facts.final or narrow)
    retrieval = None
    ids = None
    if extract or mode is not None or llm is not None:
        t0 = time.perf_counter()
        subject = q.has_subject() or bool(q.deliberation_ids)
        ids = found_facts.considered if (extract and subject and found_facts.considered) else None
        if q.number:  # the deliberation named, whatever else the question says
            ids = facts.select(cat, dataclasses.replace(q, beneficiaries=[], topic=None, unmatched=None, year=None,
                                                        session_date=None, body=None))
            ids = [r.id for r in ids]
        if scope is not None:  # an answer never comes from another authority's document
            ids = [i for i in (ids if ids is not None else cat.ordered_ids) if i in scope]
        undated = False
        other_years: list[str] = []  # the authority's records of other sessions, read if the year's answer nothing
        if narrow and ids and len(ids) <= MAX_NARROW and (q.year or q.session_date or q.year_from or q.year_to):
            # A record whose date the text does not give may still be the one asked about: it is kept, and
            # the period is checked here rather than by the index (which would drop it).
            recs = [cat.by_id[i] for i in ids if i in cat.by_id]
            ids = [r.id for r in recs if r.session_date is None or facts.in_period(r, q)]
            undated = any(r.session_date is None for r in recs)
            if not ids and (q.year or q.session_date):
                # No session of that year or day: the date is the event's ("l'avance obtenue en 2020", "le compte
                # rendu du 29 octobre 2019" approved at a later session), which a sentence must then name
                # (extractive checks it).
                ids, undated = [r.id for r in recs], True
            elif q.year and not q.session_date:
                other_years = [r.id for r in recs if r.id not in set(ids)]
                if q.previous_ids:
                    # "Et combien avait-il perçu en 2024 ?": the deliberations of the previous answer may give
                    # the other year too (a table of last year's and this year's grants); their sentence must
                    # name it.
                    ids += [i for i in q.previous_ids
                            if i not in ids and i in cat.by_id and (scope is None or i in scope)]
                    undated = True
        text = " ".join([question] + q.beneficiaries[:1] + ([extractive.french_words(question)] if q.language == "en"
                                                             else []))
        filters_ = _retrieval_filters(q, ids)
        if undated:
            filters_ = _without_period(filters_)
        retrieval = extractive.retrieve(assistant, text, filters=filters_, mode=mode, k=k)
        timings["retrieve"] = _ms(t0)
    if extract and retrieval is not None:
        t0 = time.perf_counter()
        (items, passages), aggregate = _extract(cat, q, retrieval.passages, ids, narrow), None
        if not items and other_years:
            # The year asked may be the one a deliberation is about ("l'avance obtenue en 2020", recalled at a
            # session of 2021): the authority's other sessions are read, where a sentence must name that year.
            filters_ = _without_period(_retrieval_filters(q, other_years))
            retrieval = extractive.retrieve(assistant, text, filters=filters_, mode=mode, k=k)
            items, passages = _extract(cat, q, retrieval.passages, other_years, narrow, year=q.year)
        # (a vote asked about a name inside a deliberation — a table's row, a debate — is the passage's own)
        if items and q.intent in facts.FIELD_INTENTS and not (q.intent == "vote" and q.unmatched):
            # The passages found the deliberation ("les tarifs des piscines"); its fields answer.
            ids = list(dict.fromkeys(i.rec.id for i in items))[:2]
            by_record = facts.answer(cat, dataclasses.replace(q, deliberation_ids=ids, unmatched=None))
            if by_record.items:
                items, aggregate = by_record.items, by_record.aggregate
        if items and all(i.kind == "passage" for i in items):  # "à qui …, et pour quel montant ?": each part
            items = extractive.vote_after(q, extractive.answer_parts(cat, q, passages, items))
        timings["extract"] = _ms(t0)

    t0 = time.perf_counter()
    matched = q.intent == "general" and bool(found_facts.considered)
    text, citations, notes, kept = answer_from_items(assistant, q, items, aggregate, matched=matched,
                                                     records=cat.by_id)
    timings["compose_verify"] = _ms(t0)
    if kept and fuzzy and any(i.kind in ("amount", "date") for i in kept):
        text = composer.closest_name_note(q, q.language) + "\n" + text
    if retrieval is not None:
        notes = retrieval.notes + notes
    # What the answer rests on first (the registry's selection), then what retrieval ranked.
    retrieved = list(dict.fromkeys([c.id for c in citations]
                                   + [p.deliberation_id for p in (retrieval.passages if retrieval else [])]))
    answer = Answer(
        question=question, language=q.language, answer=text, found=bool(kept), citations=citations,
        intent=q.intent, entities=q.entities(), timings_ms=timings, notes=notes, retrieved=retrieved,
    )
    if aggregate == "history" and kept:
        answer.chart = history_chart(kept, q.language)
    if llm is not None and not answer.found and q.intent != "general":
        # The registry has no answer to a precise question (an amount, a date, who…): a model given the
        # same passages could only guess. Open questions are still given to it.
        answer.notes.append(_NO_LLM_FOR_REFUSAL["en" if q.language == "en" else "fr"])
        if on_token is not None:
            on_token(answer.answer)
    elif llm is not None:
        from . import grounded

        t0 = time.perf_counter()
        passages = extractive.to_documents(retrieval) if retrieval else []
        answer = grounded.generate(llm, question, q.language, history, answer, passages, on_token,
                                   registry=assistant.registry)
        answer.timings_ms["llm"] = _ms(t0)
    elif on_token is not None:
        on_token(answer.answer)
    answer.timings_ms["total"] = _ms(t_all)
    if session:
        sessions.append(assistant.settings.sessions_dir, session, sessions.turn_of(q, answer))
    return answer
