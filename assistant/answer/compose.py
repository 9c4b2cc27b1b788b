"""Phrasing, in French or English, of the items an answer is made of.

Every value shown comes from an item (read from the registry with its span) or is computed from
items (totals, counts); French formats for money and dates ("20 000 €", "20 juin 2019"), English
ones in English ("EUR 20,000", "20 June 2019"). Names, titles and purposes are quoted as printed.
"""

from __future__ import annotations

import re

from ..formats import MOIS, MONTHS, format_date, format_money
from ..models import BODY_LABELS, Deliberation
from .items import Item, session_key
from .understand import Query

_FEMININE_BODIES = ("commission_permanente",)
_OBJECT_SHOWN = 200  # characters of an object quoted before a decision (an object read too long is cut)


def _body(rec: Deliberation | None, lang: str) -> str:
    if rec is None or not rec.body_label:
        return "l'assemblée" if lang == "fr" else "the assembly"
    label = rec.body_label
    if lang == "en":
        return f"the {label}"
    return ("la " if rec.body in _FEMININE_BODIES else "le ") + label


def _code(rec: Deliberation) -> str | None:
    return rec.service_code() or (rec.codes[0].code if rec.codes else None) or rec.number


def _delib(rec: Deliberation, lang: str) -> str:
    code = _code(rec)
    word = "délibération" if lang == "fr" else "deliberation"
    return f"{word} {code}" if code else word


def _date(rec: Deliberation, lang: str) -> str | None:
    return format_date(rec.session_date, lang) if rec.session_date else None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(names: list[str], lang: str) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    last = " et " if lang == "fr" else " and "
    return ", ".join(names[:-1]) + last + names[-1]


def _ref_tail(item: Item, lang: str) -> str:
    """ "(délibération EMP 004-6064/19/BM, article 1)" """
    rec = item.rec
    # An open-data row without a decision's reference names none (its citation names the file and the row).
    bits = [_delib(rec, lang)] if rec and (_code(rec) or not rec.open_data) else []
    article = item.data.get("article")
    if article:
        bits.append(f"article {article}" if lang == "fr" else f"Article {article}")
    return f" ({', '.join(bits)})" if bits else ""


def _money(d: dict, lang: str) -> str:
    text = format_money(d["cents"], lang, d.get("qualifier"))
    if d.get("per_year"):
        text += " par an" if lang == "fr" else " per year"
    return text


def _purpose(p: str | None, lang: str) -> str:
    if not p:
        return ""
    if lang == "en":
        return f" (purpose: « {p} »)"
    starts = ("pour ", "afin ", "au titre ", "dans le cadre ", "en vue ", "en faveur ", "destin")
    return f" {p}" if p.lower().startswith(starts) else f" pour {p}"


# (verb phrase, preposition before the beneficiary) per act type; {m} is the amount.
_GRANTS = {
    "fr": {
        "subvention": ("a attribué une subvention de {m}", "à"),
        "marche": ("a attribué un marché de {m}", "à"),
        "avenant": ("a approuvé un avenant portant sur {m}", "avec"),
        "acquisition": ("a approuvé une acquisition de {m}", "auprès de"),
        "garantie_emprunt": ("a accordé une garantie d'emprunt portant sur {m}", "à"),
        "convention": ("a approuvé une convention prévoyant {m}", "pour"),
        "tarifs": ("a fixé un tarif de {m}", "pour"),
    },
    "en": {
        "subvention": ("granted a subsidy of {m}", "to"),
        "marche": ("awarded a contract of {m}", "to"),
        "avenant": ("approved an amendment involving {m}", "with"),
        "acquisition": ("approved a purchase of {m}", "from"),
        "garantie_emprunt": ("granted a loan guarantee on {m}", "to"),
        "convention": ("approved an agreement providing {m}", "for"),
        "tarifs": ("set a price of {m}", "for"),
    },
}
_GRANT_DEFAULT = {"fr": ("a approuvé un montant de {m}", "pour"), "en": ("approved an amount of {m}", "for")}


_SALES = {"fr": ("a approuvé une cession au prix de {m}", "à"), "en": ("approved a sale for {m}", "to")}


def _grant_phrase(d: dict, lang: str) -> str:
    verb, prep = _GRANTS[lang].get(d.get("act_type"), _GRANT_DEFAULT[lang])
    if d.get("act_type") == "acquisition" and d.get("direction") == "sale":
        verb, prep = _SALES[lang]
    verb = verb.format(m=_money(d, lang))
    to = f" {prep} {d['beneficiary']}" if d.get("beneficiary") else ""
    text = verb + to + _purpose(d.get("purpose"), lang)
    year = d.get("year")
    if year and str(year) not in (d.get("purpose") or ""):
        text += f", pour l'année {year}" if lang == "fr" else f", for the year {year}"
    if d.get("context"):
        text += f" (« {d['context']} »)"
    elif d.get("object") and not d.get("purpose"):
        text += f" (objet : « {d['object']} »)" if lang == "fr" else f" (subject: « {d['object']} »)"
    return text


def render_item(item: Item, lang: str) -> str:
    """One sentence (or line) for one item."""
    rec, d = item.rec, item.data
    date = _date(rec, lang) if rec else None
    if item.kind == "amount":
        who = _body(rec, lang)
        if lang == "fr":
            head = f"Le {date}, {who}" if date else _cap(who)
        else:
            head = f"On {date}, {who}" if date else _cap(who)
        return f"{head} {_grant_phrase(d, lang)}{_ref_tail(item, lang)}."
    if item.kind == "date":
        if d.get("cents") is not None:
            grant = rec.act_type == "subvention"  # a sale or a purchase is no grant: its amount is said
            if lang == "fr":
                what = f"{'La subvention' if grant else 'Le montant'} de {_money(d, lang)}"
            else:
                what = f"{'The grant' if grant else 'The amount'} of {_money(d, lang)}"
            if d.get("beneficiary"):
                what += f" à {d['beneficiary']}" if lang == "fr" else f" to {d['beneficiary']}"
            if lang == "fr":
                return (f"{what} a été décidé{'e' if grant else ''} par {_body(rec, 'fr')} lors de la séance du "
                        f"{date}{_ref_tail(item, lang)}.")
            return f"{what} was decided by {_body(rec, 'en')} at its session of {date}{_ref_tail(item, lang)}."
        obj = f" (« {d['object']} »)" if d.get("object") else ""
        if lang == "fr":
            return f"La {_delib(rec, 'fr')}{obj} a été prise par {_body(rec, 'fr')} lors de la séance du {date}."
        return f"{_cap(_delib(rec, 'en'))}{obj} was taken by {_body(rec, 'en')} at its session of {date}."
    if item.kind == "signatory":
        who = ", ".join(x for x in (d.get("name"), d.get("title")) if x)
        when = f" ({date})" if date else ""
        if d.get("object"):
            when += f" (« {d['object']} »)"
        if d.get("minutes"):  # the procès-verbal of the whole session, signed after its last item
            if lang == "fr":
                return f"Le procès-verbal de la séance{' du ' + date if date else ''} est signé par {who}."
            return f"The minutes of the session{' of ' + date if date else ''} were signed by {who}."
        if lang == "fr":
            return f"La {_delib(rec, 'fr')}{when} est signée par {who}."
        return f"{_cap(_delib(rec, 'en'))}{when} was signed by {who}."
    if item.kind == "members":
        return _members_sentence(item, lang)
    if item.kind == "member_status":
        return _member_status_sentence(item, lang)
    if item.kind == "present_count":
        where = _session_phrase(rec, lang)
        if lang == "fr":
            return f"{_cap(where)}, {d['count']} membres étaient présents."
        return f"{_cap(where)}, {d['count']} members were present."
    if item.kind == "vote":
        return _vote_sentence(item, lang)
    if item.kind == "session_fact":
        return _session_fact_sentence(item, lang)
    if item.kind == "decision":
        obj = d.get("object") or ""
        obj = f" (« {obj[:_OBJECT_SHOWN]} »{'…' if len(obj) > _OBJECT_SHOWN else ''})" if obj else ""
        when = f", {date}" if date else ""
        if lang == "fr":
            return f"{_cap(_delib(rec, 'fr'))}{obj}{when} : « {d['text']} »"
        return f"{_cap(_delib(rec, 'en'))}{obj}{when}: « {d['text']} »"
    if item.kind == "budget":
        parts = []
        if d.get("budget"):
            parts.append(f"budget {d['budget']}" + (f" {d['year']}" if d.get("year") else ""))
        for key in ("chapitre", "fonction", "sous_politique", "nature"):
            if d.get(key):
                parts.append(f"{key.replace('_', '-')} {d[key]}")
        text = ", ".join(parts) if len(parts) >= 2 else f"« {d['text']} »"
        if lang == "fr":
            return f"Imputation budgétaire de la {_delib(rec, 'fr')} ({date or '—'}) : {text}."
        return f"Budget imputation of {_delib(rec, 'en')} ({date or '—'}): {text}."
    if item.kind == "cofinancers":
        names = _names(d["names"], lang)
        if lang == "fr":
            return f"Co-financeurs mentionnés dans la {_delib(rec, 'fr')} ({date or '—'}) : {names}."
        return f"Co-financers named in {_delib(rec, 'en')} ({date or '—'}): {names}."
    if item.kind == "record":
        bits = [x for x in (date, _code(rec)) if x]
        if not d.get("object"):
            return " — ".join(bits) or rec.id
        return f"{' — '.join(bits)} : {d['object']}" if lang == "fr" else f"{' — '.join(bits)}: {d['object']}"
    if item.kind == "passage":
        return _passage_sentence(item, lang)
    raise ValueError(f"unknown item kind {item.kind}")


_SESSION_FACT_LABELS = {
    "fr": {"secretary": "Secrétaire de séance", "president": "Présidence de la séance"},
    "en": {"secretary": "Secretary of the session", "president": "Chair of the session"},
}
_COUNT_LABELS = {
    "fr": {"members_in_office": "membres en exercice", "present_count": "présents",
           "represented_count": "représentés", "voting_count": "votants"},
    "en": {"members_in_office": "members in office", "present_count": "present",
           "represented_count": "represented", "voting_count": "voting"},
}


def _session_fact_sentence(item: Item, lang: str) -> str:
    d, where = item.data, _session_phrase(item.rec, lang)
    if d["field"] in _SESSION_FACT_LABELS[lang]:
        sep = " : " if lang == "fr" else ": "
        return f"{_SESSION_FACT_LABELS[lang][d['field']]} {where}{sep}{d['name']}."
    if d["field"] == "convocation":
        date, rec = format_date(d["date"], lang), item.rec
        session, body = _date(rec, lang), rec.body_label or ("assemblée" if lang == "fr" else "assembly")
        if lang == "fr":
            return f"Les membres ont été convoqués le {date} pour la séance du {session} ({body})."
        return f"The members were convened on {date} for the session of {session} ({body})."
    counts = ", ".join(f"{d[k]} {label}" for k, label in _COUNT_LABELS[lang].items() if k in d)
    return f"{_cap(where)} : {counts}." if lang == "fr" else f"{_cap(where)}: {counts}."


def _session_phrase(rec: Deliberation, lang: str) -> str:
    date = _date(rec, lang)
    if lang == "fr":
        return f"à la séance du {date} ({rec.body_label or 'assemblée'})" if date else "à cette séance"
    return f"at the session of {date} ({rec.body_label or 'assembly'})" if date else "at that session"


_ROLE_LABELS = {
    "fr": {"present": "présents", "represented": "absents et représentés", "excused": "absents et excusés"},
    "en": {"present": "present", "represented": "absent and represented", "excused": "absent and excused"},
}


# A person's list, as a sentence names it: "X figure parmi les absents représentés", "X is listed as present".
_LIST_NAMES = {
    "fr": {"present": "les présents", "represented": "les absents représentés", "excused": "les absents excusés"},
    "en": _ROLE_LABELS["en"],
}


def _person(m: dict, lang: str) -> str:
    if m.get("proxy"):
        return f"{m['name']} (procuration à {m['proxy']})" if lang == "fr" else f"{m['name']} (proxy: {m['proxy']})"
    return m["name"]


def _members_sentence(item: Item, lang: str) -> str:
    where = _cap(_session_phrase(item.rec, lang))
    parts = []
    for role, people in item.data["roles"].items():
        label = _ROLE_LABELS[lang][role]
        if people:
            parts.append(f"{label} : " + ", ".join(_person(m, lang) for m in people) if lang == "fr"
                         else f"{label}: " + ", ".join(_person(m, lang) for m in people))
        else:
            parts.append(f"aucun membre {label} n'est mentionné" if lang == "fr"
                         else f"no member is listed as {label}")
    return f"{where} — " + " ; ".join(parts) + "."


def _member_status_sentence(item: Item, lang: str) -> str:
    d, where = item.data, _session_phrase(item.rec, lang)
    role = d.get("role")
    if lang == "fr":
        if role is None:
            return f"{d['name']} ne figure pas dans les listes de présence {where.replace('à la', 'de la', 1)}."
        proxy = f" (procuration à {d['proxy']})" if d.get("proxy") else ""
        return f"{d['name']} figure parmi {_LIST_NAMES['fr'][role]}{proxy} {where}."
    if role is None:
        return f"{d['name']} does not appear in the attendance lists {where}."
    proxy = f" (proxy: {d['proxy']})" if d.get("proxy") else ""
    return f"{d['name']} is listed as {_LIST_NAMES['en'][role]}{proxy} {where}."


def vote_label(kind: str, n: int, lang: str) -> str:
    """The word for `n` abstentions or votes against ("abstentions" or "against"), agreeing with n:
    "1 abstention", "2 abstentions", "1 voix contre", "2 voix contre"; "1 vote against", "2 votes
    against". In French 0 and 1 take the singular, in English only 1."""
    many = n > 1 if lang == "fr" else n != 1
    if kind == "abstentions":
        return "abstentions" if many else "abstention"
    if kind == "for":
        return "voix pour" if lang == "fr" else ("votes for" if many else "vote for")
    if lang == "fr":
        return "voix contre"  # the registers' own word, invariable
    return "votes against" if many else "vote against"


def _vote_sentence(item: Item, lang: str) -> str:
    d, rec = item.data, item.rec
    date = _date(rec, lang)
    when = f" ({date})" if date else ""
    fr = lang == "fr"
    said = " ".join(rec.raw_text[item.refs[0].start:item.refs[0].end].split()) if item.refs else ""
    if d.get("adopted") is None:  # a vote the parser did not read: quoted, never asserted
        return (f"Le résultat du vote de la {_delib(rec, 'fr')}{when} n'a pas pu être lu avec certitude ; "
                f"le registre indique : « {said} »." if fr else
                f"The result of the vote on {_delib(rec, 'en')}{when} could not be read with certainty; "
                f"the register says: “{said}”.")
    if d.get("adopted") is False:
        head = f"La {_delib(rec, 'fr')}{when} n'a pas été adoptée" if fr else f"{_cap(_delib(rec, 'en'))}{when} was not adopted"
    else:
        head = f"La {_delib(rec, 'fr')}{when} a été adoptée" if fr else f"{_cap(_delib(rec, 'en'))}{when} was adopted"
    if d.get("unanimous"):
        head += " à l'unanimité" if fr else " unanimously"
    elif d.get("majority") and d.get("adopted"):
        head += " à la majorité" if fr else " by a majority"
    extra = []
    counted = d.get("for_count") is not None  # every count printed (an open-data row): zeros are said too
    if counted:
        extra.append(f"{d['for_count']} {vote_label('for', d['for_count'], lang)}")
    kinds = (("abstentions", "abstention_count"), ("against", "against_count"))
    for key, count_key in (kinds[::-1] if counted else kinds):  # counted: for, against, abstentions
        names, count = d.get(key) or [], d.get(count_key)
        if names or count or (counted and count == 0):
            label = vote_label(key, count or len(names), lang)
            text = f"{count} {label}" if count or counted else label
            if names:
                text += " : " + _names(names, lang) if fr else ": " + _names(names, lang)
            extra.append(text)
    if extra:
        head += (" ; " + " ; ".join(extra)) if fr else ("; " + "; ".join(extra))
    elif not d.get("unanimous") and not re.search(r"(?i)contre|abstention|abstenu", said):
        head += (" (le registre ne mentionne ni abstention ni vote contre)" if fr
                 else " (no abstention or vote against is recorded)")
    if _SAYS_MORE.search(said) and len(said) <= _VOTE_QUOTED:  # "par 76 voix pour", "à la majorité": its words
        head += f" ; le registre indique : « {said} »" if fr else f"; the register says: “{said}”"
    return head + "."


# A vote line that says more than adopted/against/abstentions (the votes for, the majority): quoted too.
_SAYS_MORE = re.compile(r"(?i)\bpour\b|majorit|votants|exprim")
_VOTE_QUOTED = 240


def _passage_sentence(item: Item, lang: str) -> str:
    rec, d = item.rec, item.data
    date = _date(rec, lang)
    if lang == "fr":
        where = f"{_cap(_delib(rec, 'fr'))} ({rec.body_label or 'assemblée'}" + (f", séance du {date}" if date else "")
        return f"{where}, {d['part']}) : {_quoted(d, lang)}"
    where = f"{_cap(_delib(rec, 'en'))} ({rec.body_label or 'assembly'}" + (f", session of {date}" if date else "")
    return f"{where}, {d['part']}): {_quoted(d, lang)}"


def _quoted(d: dict, lang: str = "fr") -> str:
    """The quote; a table row after its column titles: « titles » … « row »; then the amounts whose figures
    the text misprints, as the registry read them: « … 1000 000 € » (soit 1 000 000 €)."""
    text = (f"« {d['header']} » … " if d.get("header") else "") + f"« {d['quote']} »"
    if d.get("amounts"):
        sums = _names([format_money(c, lang) for c in d["amounts"]], lang)
        text += f" (soit {sums})" if lang == "fr" else f" (i.e. {sums})"
    if d.get("days"):  # "12/02": the day and month in words, the year the text does not give left unknown
        if lang == "fr":
            days = _names([f"le {'1er' if day == 1 else day} {MOIS[month - 1]}" for day, month in d["days"]], lang)
            text += f" (soit {days}, l'année n'étant pas précisée)"
        else:
            days = _names([f"{day} {MONTHS[month - 1]}" for day, month in d["days"]], lang)
            text += f" (i.e. {days}, the year not given)"
    return text


# -- whole answers -------------------------------------------------------------------------------


def _scope(q: Query, lang: str, *, subject: bool = True, quoted: bool = True) -> str:
    """What was asked about, restated: " concernant « X » du Bureau en 2019". `quoted`: the asked
    words between « » (not-found sentences); in an answer « » hold quotes of the sources only."""
    fr = lang == "fr"
    bits = []
    name = q.beneficiary_query or q.unmatched or q.topic or q.person
    if subject and q.code:
        bits.append(f" portant le code {q.code}" if fr else f" with code {q.code}")
    elif subject and name and quoted:
        bits.append(f" concernant « {name} »" if fr else f" concerning « {name} »")
    elif subject and name:
        bits.append(f" pour {name}" if fr else f" for {name}")
    if q.body:
        label = BODY_LABELS.get(q.body, q.body)
        bits.append(f" du {label}" if fr and q.body != "commission_permanente" else
                    f" de la {label}" if fr else f" for the {label}")
    if q.session_date:
        date = format_date(q.session_date, lang)
        bits.append(f" à la séance du {date}" if fr else f" at the session of {date}")
    elif q.year is not None:
        bits.append(f" en {q.year}" if fr else f" in {q.year}")
    elif q.year_from is not None and q.year_to is not None:
        bits.append(f" entre {q.year_from} et {q.year_to}" if fr else f" between {q.year_from} and {q.year_to}")
    elif q.year_from is not None:
        bits.append(f" depuis {q.year_from}" if fr else f" since {q.year_from}")
    elif q.year_to is not None:
        bits.append(f" jusqu'en {q.year_to}" if fr else f" up to {q.year_to}")
    return "".join(bits)


def not_found(q: Query, lang: str, *, records: bool = False) -> str:
    """The plain "not found"; `records`: deliberations matched but none holds the answer."""
    if records:  # name only what matched, not the words that did not
        scope = _scope(q, lang, subject=bool(q.beneficiary_query or q.topic or q.code or q.person))
        if lang == "fr":
            return f"Je ne trouve, dans les délibérations{scope}, aucun passage qui réponde à cette question."
        return f"I found no passage answering this question in the deliberations{scope}."
    scope = _scope(q, lang)
    if lang == "fr":
        if scope:
            return f"Je ne trouve aucune délibération{scope} qui réponde à cette question dans le registre."
        return "Je ne trouve aucune délibération qui réponde à cette question dans le registre."
    if scope:
        return f"I found no deliberation{scope} answering this question in the registry."
    return "I found no deliberation answering this question in the registry."


def _aggregate_line(item: Item, lang: str) -> str:
    """A short line for a summed amount: date — beneficiary : amount (code, article)."""
    d, rec = item.data, item.rec
    date = _date(rec, lang)
    who = d.get("beneficiary") or (rec.body_label or "")
    bits = [x for x in (date, who) if x]
    sep = " : " if lang == "fr" else ": "
    return f"{' — '.join(bits)}{sep}{_money(d, lang)}{_ref_tail(item, lang)}"


def totals_by_qualifier(items: list[Item]) -> dict[str | None, int]:
    totals: dict[str | None, int] = {}
    for i in items:
        if i.cents is not None:
            totals[i.data.get("qualifier")] = totals.get(i.data.get("qualifier"), 0) + i.cents
    return totals


def _totals_text(items: list[Item], lang: str) -> str:
    totals = totals_by_qualifier(items)
    parts = [format_money(c, lang, qual) for qual, c in sorted(totals.items(), key=lambda kv: str(kv[0]))]
    return (" et " if lang == "fr" else " and ").join(parts)


# -- a beneficiary's history (grants year by year) -------------------------------------------------

HISTORY_COLUMNS = {"fr": ["Année", "Collectivité", "Décision", "Montant", "Objet", "Source"],
                   "en": ["Year", "Authority", "Decision", "Amount", "Purpose", "Source"]}
_HISTORY_OBJECT = 90  # characters of the object shown in a table cell (the citation holds it whole)


def item_year(item: Item) -> int | None:
    """The year a grant is for: its own ("pour l'année 2017", a file's ANNEE), else its decision's."""
    return item.data.get("year") or item.rec.year


def history_totals(items: list[Item]) -> dict[int, int]:
    """Cents granted per year, in year order (grants whose year is unknown are left out)."""
    totals: dict[int, int] = {}
    for i in items:
        if (year := item_year(i)) is not None and i.cents is not None:
            totals[year] = totals.get(year, 0) + i.cents
    return dict(sorted(totals.items()))


def history_source(item: Item) -> str:
    """Where a row comes from: the file and the part cited ("….csv, Ligne 12", "….txt, Article 1")."""
    return f"{item.rec.source}, {item.refs[0].citation().part}" if item.refs else item.rec.source


def _cell(text: str | None) -> str:
    return " ".join((text or "—").replace("|", "/").split())


def _history(q: Query, items: list[Item], lang: str, max_lines: int) -> str:
    """A table (year, authority, decision, amount, object, source) and the totals per year."""
    fr = lang == "fr"
    names = list(dict.fromkeys(i.data["beneficiary"] for i in items if i.data.get("beneficiary")))
    who = _names(names[:3], lang) or (q.beneficiary_query or "")
    totals = history_totals(items)
    first, last = (min(totals), max(totals)) if totals else (None, None)
    if first is None:
        span = ""
    elif first == last:
        span = f", en {first}" if fr else f", in {first}"
    else:
        span = f", de {first} à {last}" if fr else f", {first} to {last}"
    n = len(items)
    head = (f"Historique des subventions à {who} : {_totals_text(items, lang)} en {n} subvention{'s' if n > 1 else ''}"
            f"{span}" if fr else f"History of the grants to {who}: {_totals_text(items, lang)} in {n} grant"
            f"{'s' if n != 1 else ''}{span}")
    cols = HISTORY_COLUMNS[lang]
    lines = [f"| {' | '.join(cols)} |", "|" + "---|" * len(cols)]
    for i in shown(items, max_lines):
        rec, d = i.rec, i.data
        what = d.get("purpose") or d.get("object") or (rec.object_line or "")
        what = what if len(what) <= _HISTORY_OBJECT else what[:_HISTORY_OBJECT - 1].rstrip() + "…"
        year = item_year(i)
        cells = [str(year) if year else "—", rec.authority_name or (rec.authority.text if rec.authority else None),
                 _code(rec), _money(d, lang), what, history_source(i)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    sep = " : " if fr else ": "
    by_year = (" ; " if fr else "; ").join(f"{y}{sep}{format_money(c, lang)}" for y, c in totals.items())
    text = f"{head}.\n\n" + "\n".join(lines)
    if n > max_lines:
        text += (f"\n\n(… et {n - max_lines} autre(s), non affichée(s))" if fr else f"\n\n(… and {n - max_lines} more, not shown)")
    if by_year:
        text += f"\n\n{'Total par année' if fr else 'Total per year'}{sep}{by_year}"
    return text


def history_numbers(items: list[Item]) -> list[str]:
    """The numbers a history answer computes or labels with: totals per year, years, its sources' names."""
    out = [f"{c // 100}" + (f".{c % 100:02d}" if c % 100 else "") for c in history_totals(items).values()]
    out += [str(y) for y in history_totals(items)]
    out += [n for i in items for n in re.findall(r"\d+", history_source(i))]
    return out


# -- a person's sessions (a person asked about without a session) ---------------------------------



def session_counts(items: list[Item]) -> dict[str, int]:
    """For a person's sessions: the number of sessions, and of sessions per list (present, represented,
    excused), computed from the items (one per session and list)."""
    found = [i for i in items if i.kind == "member_status" and i.data.get("role")]
    out = {"sessions": len({session_key(i.rec) for i in found})}
    for role in _LIST_NAMES["fr"]:
        out[role] = len({session_key(i.rec) for i in found if i.data["role"] == role})
    return out


def _person_session_line(item: Item, lang: str) -> str:
    """ "20 juin 2019 (Bureau de la Métropole) : parmi les présents" """
    rec, d = item.rec, item.data
    date = _date(rec, lang) or ("séance sans date" if lang == "fr" else "undated session")
    where = f"{date} ({rec.body_label})" if rec.body_label else date
    label = ("parmi " if lang == "fr" else "") + _LIST_NAMES[lang][d["role"]]
    if d.get("proxy"):
        label += f" (procuration à {d['proxy']})" if lang == "fr" else f" (proxy: {d['proxy']})"
    return f"{where} : {label}" if lang == "fr" else f"{where}: {label}"


def _person_sessions_head(q: Query, items: list[Item], lang: str) -> str:
    n = session_counts(items)
    name = items[0].data.get("name") or q.person or q.unmatched
    scope = _scope(q, lang, subject=False, quoted=False)
    if lang == "fr":
        sessions = "d'une séance" if n["sessions"] == 1 else f"de {n['sessions']} séances"
        counts = " ; ".join(f"{_LIST_NAMES['fr'][r].removeprefix('les ')} : {n[r]}" for r in _LIST_NAMES["fr"])
        order = ", les plus récentes d'abord" if len(items) > 1 else ""
        return f"{name} figure dans les listes de présence {sessions}{scope or ' du registre'} ({counts}){order}"
    sessions = "one session" if n["sessions"] == 1 else f"{n['sessions']} sessions"
    counts = "; ".join(f"{_LIST_NAMES['en'][r]}: {n[r]}" for r in _LIST_NAMES["en"])
    order = ", latest first" if len(items) > 1 else ""
    return f"{name} appears in the attendance lists of {sessions}{scope} ({counts}){order}"


def person_absent(q: Query, lang: str) -> str:
    """The person asked about is in no attendance list (of the sessions the question names)."""
    name = q.person or q.unmatched
    scope = _scope(q, lang, subject=False, quoted=False)
    if lang == "fr":
        where = f" des séances{scope}" if scope else " du registre"
        return (f"{name} ne figure dans aucune liste de présence{where} "
                f"(présents, absents représentés, absents excusés).")
    where = f" of the sessions{scope}" if scope else " in the registry"
    return f"{name} appears in no attendance list{where} (present, absent and represented, absent and excused)."


def shown(items: list[Item], max_lines: int) -> list[Item]:
    """The items an answer shows a line for (the others are counted, or summed, only)."""
    return items[:max_lines]


def compose(q: Query, items: list[Item], lang: str, aggregate: str | None = None,
            max_lines: int = 50) -> str:
    """The answer's text from verified items (never empty items: that is `not_found`)."""
    if not items:
        return not_found(q, lang)
    fr = lang == "fr"
    scope = _scope(q, lang, quoted=False)
    cut = len(items) - max_lines
    if aggregate == "history":
        return _history(q, items, lang, max_lines)
    if aggregate in ("total", "count") and items[0].kind == "amount":
        n = len(items)
        grants = all(i.data.get("act_type") == "subvention" for i in items)
        noun = (("subvention" if grants else "montant") if fr else ("grant" if grants else "amount")) + (
            "s" if n > 1 else "")
        total = _totals_text(items, lang)
        if aggregate == "count":
            head = (f"{n} {noun} trouvée{'s' if n > 1 else ''}{scope}, pour un total de {total}" if fr
                    else f"{n} {noun} found{scope}, totalling {total}")
        elif fr:
            head = f"Total{scope} : {total} pour {n} {noun}"
        else:
            head = f"Total{scope}: {total} over {n} {noun}"
        lines = [_aggregate_line(i, lang) for i in shown(items, max_lines)]
    elif aggregate == "sessions":
        head = _person_sessions_head(q, items, lang)
        lines = [_person_session_line(i, lang) for i in shown(items, max_lines)]
    elif aggregate == "count":
        n = len(items)
        if fr:
            head = f"{n} délibération{'s' if n > 1 else ''} trouvée{'s' if n > 1 else ''}{scope}"
        else:
            head = f"{n} deliberation{'s' if n > 1 else ''} found{scope}"
        lines = [render_item(i, lang) for i in shown(items, max_lines)]
    else:
        lines = [render_item(i, lang) for i in shown(items, max_lines)]
        if len(lines) == 1 and cut <= 0:
            return lines[0]
        head = None
    text = (head + " :\n" if head and fr else head + ":\n" if head else "") + "\n".join(f"- {x}" for x in lines)
    if cut > 0:
        text += (f"\n(… et {cut} autre(s), non affiché(s))" if fr else f"\n(… and {cut} more, not shown)")
    return text


def closest_name_note(q: Query, lang: str) -> str:
    """Said before an answer given for a name matched fuzzily: what was typed, what was found."""
    names = _names(q.beneficiaries, lang)
    if lang == "fr":
        return f"Aucun nom du registre n'est exactement « {q.beneficiary_query} » : réponse pour {names}, nom le plus proche."
    return f"No name in the registry is exactly « {q.beneficiary_query} »: answer for {names}, the closest name."


def which_name(q: Query, lang: str) -> str:
    """The question back when several names are close to the one typed."""
    names = _names(q.beneficiaries, "fr" if lang == "fr" else "en")
    if lang == "fr":
        return f"Plusieurs noms du registre sont proches de « {q.beneficiary_query} » : {names}. Duquel s'agit-il ?"
    return f"Several names in the registry are close to « {q.beneficiary_query} »: {names}. Which one do you mean?"
