"""Safe HTML for the app: answers, sources, records, drafts and findings.

Every piece of text that comes from a document, a question or a form goes through `esc` (HTML) or
`chat_text` (the chat's Markdown): a `<script>` in an extract or a question is shown as text, never
run. Only this module builds HTML; the tabs pass it to `gr.HTML` as is. Pure functions, no Gradio.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..formats import format_date, format_money
from ..models import BODY_LABELS, Answer, Deliberation

# Inline Markdown (emphasis, code, links, tables, headings, maths): escaped with a backslash so that the
# chat shows these characters as typed. "- " lists stay lists: the answers use them.
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#|~$^=])")
_PARA_BREAK = re.compile(r"\n\s*\n")

ACT_LABELS = {
    "subvention": "Subvention", "convention": "Convention", "avenant": "Avenant", "marche": "Marché",
    "acquisition": "Acquisition / cession", "tarifs": "Tarifs", "garantie_emprunt": "Garantie d'emprunt",
    "designation": "Désignation", "autre": "Autre",
}
SEVERITY_LABELS = {"erreur": "Erreur", "avertissement": "Avertissement", "info": "Info"}
STATUS_LABELS = {"added": "ajouté", "updated": "mis à jour", "unchanged": "inchangé", "failed": "erreur"}


def esc(value: Any) -> str:
    """HTML-escaped text (quotes included: safe in attributes too); None -> ""."""
    return "" if value is None else html.escape(str(value), quote=True)


def chat_text(text: str) -> str:
    """Text for a chat bubble (rendered as Markdown then sanitised by Gradio): HTML escaped, Markdown
    punctuation backslash-escaped, so that what was typed or quoted is what is shown."""
    return _MD_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def date_fr(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return format_date(iso)
    except ValueError:
        return iso


def money_fr(cents: int | None) -> str:
    return "—" if cents is None else format_money(cents)


def body_label(body: str | None, label: str | None = None) -> str:
    return label or BODY_LABELS.get(body or "", body or "—")


# -- spans -----------------------------------------------------------------------------------------


def paragraph_span(text: str, start: int, end: int, max_chars: int = 1200) -> tuple[int, int]:
    """The paragraph(s) around [start, end): from the blank line before to the blank line after,
    trimmed to about `max_chars` around the span (on spaces) when the paragraph is very long."""
    p_start = 0
    for m in _PARA_BREAK.finditer(text, 0, start):
        p_start = m.end()
    m = _PARA_BREAK.search(text, end)
    p_end = m.start() if m else len(text)
    room = max(0, max_chars - (end - start)) // 2
    if start - p_start > room:
        cut = text.rfind(" ", p_start, start - room)
        p_start = cut + 1 if cut > p_start else start - room
    if p_end - end > room:
        cut = text.find(" ", end + room, p_end)
        p_end = cut if cut != -1 else p_end
    return max(0, p_start), min(len(text), p_end)


def highlight(text: str, spans: Iterable[tuple[int, int] | tuple[int, int, str]], offset: int = 0,
              css: str = "hl") -> str:
    """`text` escaped, with each span (absolute offsets; `offset` is where `text` starts) wrapped in
    <mark>. A third item in a span is a tooltip. Overlapping spans: the first one wins."""
    marks = sorted((s[0] - offset, s[1] - offset, s[2] if len(s) > 2 else "") for s in spans)
    out, pos = [], 0
    for start, end, title in marks:
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        out.append(esc(text[pos:start]))
        tip = f' title="{esc(title)}"' if title else ""
        out.append(f'<mark class="{css}"{tip}>{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


# -- answers and sources -----------------------------------------------------------------------------


def table_aware_text(text: str) -> str:
    """`chat_text` of an answer whose lines starting with "|" are a Markdown table (a history): each cell
    escaped, the table's own pipes kept."""
    out = []
    for line in text.split("\n"):
        if line.startswith("|") and line.endswith("|"):
            cells = line[1:-1].split("|")
            out.append("|" + "|".join(c if set(c) <= {"-"} else f" {chat_text(c.strip())} " for c in cells) + "|")
        else:
            out.append(chat_text(line))
    return "\n".join(out)


def answer_markdown(answer: Answer, max_refs: int = 6) -> str:
    """The chat bubble of an answer: its text, then a short line naming its first sources."""
    text = table_aware_text(answer.answer) if answer.chart else chat_text(answer.answer)
    if answer.citations:
        refs = []
        for n, c in enumerate(answer.citations[:max_refs], 1):
            label = " — ".join(x for x in (c.code or c.id, c.part) if x)
            refs.append(f"\\[{n}\\] {chat_text(label)}")
        more = len(answer.citations) - max_refs
        tail = f" · et {more} autre(s)" if more > 0 else ""
        text += "\n\n<small>Sources : " + " · ".join(refs) + tail + "</small>"
    return text


def sources_html(answer: Answer | None, records: dict[str, Deliberation | None], *, turn: int = 0,
                 max_cards: int = 12) -> str:
    """The sources panel of an answer: one card per citation with the quote highlighted inside its
    paragraph and the whole extract one click away (beyond `max_cards`, one line per source).
    `turn` (the answer's number in the conversation) is set on the panel for scripts and tests."""
    if answer is None:
        return (f'<div class="sources empty" data-turn="{turn}">Les sources de la réponse s\'affichent ici : '
                "assemblée, date, code, objet, partie, et la citation surlignée dans son paragraphe.</div>")
    if not answer.citations:
        why = ("Aucune source : le registre ne contient pas de réponse à cette question."
               if not answer.found else "Réponse sans citation.")
        return f'<div class="sources empty" data-turn="{turn}">{esc(why)}</div>'
    cards = []
    for n, c in enumerate(answer.citations[:max_cards], 1):
        rec = records.get(c.id)
        head = " · ".join(esc(x) for x in (c.body_label, date_fr(c.session_date), c.code) if x)
        obj = f'<div class="src-object">{esc(c.object)}</div>' if c.object else ""
        if rec is not None and rec.raw_text[c.start:c.end] == c.quote:
            p0, p1 = paragraph_span(rec.raw_text, c.start, c.end)
            para = highlight(rec.raw_text[p0:p1], [(c.start, c.end)], offset=p0)
            whole = highlight(rec.raw_text, [(c.start, c.end)])
            extract = (f'<details class="src-extract"><summary>Ouvrir l\'extrait complet '
                       f'({esc(rec.source)})</summary><pre class="raw">{whole}</pre></details>')
        else:  # the record changed since the answer: show the quote alone
            para = f'<mark class="hl">{esc(c.quote)}</mark>'
            extract = ""
        cards.append(
            f'<div class="src-card" data-citation="{n}">'
            f'<div class="src-head"><span class="src-num">[{n}]</span> {head}</div>'
            f"{obj}"
            f'<div class="src-part">{esc(c.part)} <span class="src-file">— {esc(c.source)}, '
            f"caractères {c.start}–{c.end}</span></div>"
            f'<div class="src-para">{para}</div>'
            f"{extract}</div>"
        )
    rest = answer.citations[max_cards:]
    if rest:
        lines = "".join(
            f"<li>[{n}] {esc(' · '.join(x for x in (c.body_label, date_fr(c.session_date), c.code, c.part) if x))}"
            f" — « {esc(_short(c.quote, 160))} »</li>" for n, c in enumerate(rest, max_cards + 1))
        cards.append(f'<details class="src-more"><summary>… et {len(rest)} autre(s) source(s)</summary>'
                     f"<ol>{lines}</ol></details>")
    return f'<div class="sources" data-turn="{turn}">' + "".join(cards) + "</div>"


def notes_html(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return f'<details class="notes"><summary>Notes ({len(notes)})</summary><ul>{items}</ul></details>'


# -- records -------------------------------------------------------------------------------------------


def record_row(summary: dict) -> list:
    """A registry table row from `Deliberation.summary()`: the values the table shows, as text."""
    return [
        date_fr(summary.get("session_date")),
        body_label(summary.get("body"), summary.get("body_label")),
        summary.get("code") or "—",
        summary.get("object") or "—",
        summary.get("beneficiary") or "—",
        money_fr(summary.get("amount_cents")),
        ACT_LABELS.get(summary.get("act_type") or "", summary.get("act_type") or "—"),
        summary.get("id"),
    ]


RECORD_HEADERS = ["Date", "Assemblée", "Code", "Objet", "Bénéficiaire", "Montant", "Type", "Identifiant"]


def _field_rows(rec: Deliberation) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [
        ("Identifiant", esc(rec.id)),
        ("Fichier", esc(rec.source)),
        ("Collectivité", esc(rec.authority.text if rec.authority else "—")),
        ("Assemblée", esc(body_label(rec.body, rec.body_label))),
        ("Séance", esc(date_fr(rec.session_date.isoformat() if rec.session_date else None))),
        ("Président(e)", esc(rec.president.name if rec.president else "—")),
        ("Membres présents", esc(rec.present_count if rec.present_count is not None else len(rec.present) or "—")),
        ("Codes", esc(", ".join(c.code for c in rec.codes) or "—")),
        ("Objet", esc(rec.object.text if rec.object else "—")),
        ("Type d'acte", esc(ACT_LABELS.get(rec.act_type, rec.act_type))),
        ("Bénéficiaires", esc(", ".join(rec.beneficiaries) or "—")),
    ]
    if rec.amounts:
        items = "".join(
            f"<li>{esc(format_money(a.cents, qualifier=a.qualifier))}"
            f"{esc(' — ' + a.beneficiary) if a.beneficiary else ''}"
            f"{esc(f' (article {a.article})') if a.article else ''}</li>" for a in rec.amounts)
        rows.append(("Montants", f"<ul>{items}</ul>"))
    if rec.articles:
        items = "".join(f"<li><b>Article {a.number}</b> : {esc(_short(a.text, 220))}</li>" for a in rec.articles)
        rows.append(("Articles", f"<ul>{items}</ul>"))
    for b in rec.budget:
        bits = [f"budget {b.budget}" if b.budget else "", str(b.year or ""),
                f"fonction {b.fonction}" if b.fonction else "", f"nature {b.nature}" if b.nature else ""]
        rows.append(("Imputation", esc(", ".join(x for x in bits if x))))
    if rec.vote:
        v = rec.vote
        state = {True: "adoptée", False: "rejetée", None: "—"}[v.adopted]
        rows.append(("Vote", esc(state + (" à l'unanimité" if v.unanimous else ""))))
    if rec.signatory:
        rows.append(("Signataire", esc(" — ".join(x for x in (rec.signatory.name, rec.signatory.title) if x))))
    absent = [m.name for m in rec.excused] + [f"{m.name} (représenté·e)" for m in rec.represented]
    if absent:
        rows.append(("Absents", esc(", ".join(absent))))
    if rec.warnings:
        rows.append(("Avertissements", "<ul>" + "".join(f"<li>{esc(w)}</li>" for w in rec.warnings) + "</ul>"))
    return rows


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def record_spans(rec: Deliberation) -> list[tuple[int, int, str]]:
    """The spans the parser recognised, with a label, to highlight them in the raw text."""
    spans: list[tuple[int, int, str]] = []
    if rec.session_span:
        spans.append((rec.session_span.start, rec.session_span.end, "Séance"))
    spans += [(c.start, c.end, f"Code ({c.kind})") for c in rec.codes]
    if rec.object:
        spans.append((rec.object.start, rec.object.end, "Objet"))
    spans += [(a.start, a.end, "Montant") for a in rec.amounts]
    if rec.vote:
        spans.append((rec.vote.start, rec.vote.end, "Vote"))
    if rec.signatory:
        spans.append((rec.signatory.start, rec.signatory.end, "Signataire"))
    return spans


def record_html(rec: Deliberation | None) -> tuple[str, str]:
    """(parsed fields, raw text with the recognised parts highlighted) of a record."""
    if rec is None:
        empty = '<div class="record empty">Choisissez une délibération dans le tableau.</div>'
        return empty, ""
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in _field_rows(rec))
    fields = f'<table class="fields">{rows}</table>'
    raw = f'<pre class="raw record-raw">{highlight(rec.raw_text, record_spans(rec), css="hl-field")}</pre>'
    return fields, raw


# -- drafts ----------------------------------------------------------------------------------------------


def draft_html(draft) -> str:
    """The draft as a page: parts in order, headings styled, lint findings marked in the text."""
    spans = [(f.start, f.end, f"{SEVERITY_LABELS.get(f.severity, f.severity)} : {f.message}")
             for f in draft.findings if f.end > f.start]
    blocks = []
    for p in draft.parts:
        body = highlight(draft.text[p.start:p.end], [s for s in spans if p.start <= s[0] < p.end],
                         offset=p.start, css="hl-lint")
        blocks.append(f'<div class="part part-{esc(p.name.split("-")[0])}" data-part="{esc(p.name)}">{body}</div>')
    return '<div class="draft-page">' + "".join(blocks) + "</div>"


def findings_html(findings: Sequence[Any]) -> str:
    if not findings:
        return '<div class="findings ok">Aucun problème détecté par la relecture automatique.</div>'
    items = []
    for f in findings:
        where = f"ligne {f.line}" + (f" · {f.part}" if f.part else "")
        items.append(f'<li class="sev-{esc(f.severity)}"><span class="sev">{esc(SEVERITY_LABELS.get(f.severity, f.severity))}'
                     f'</span> <span class="rule">{esc(f.rule)}</span> <span class="where">{esc(where)}</span>'
                     f"<div>{esc(f.message)}</div></li>")
    return f'<ul class="findings">{"".join(items)}</ul>'


def precedents_html(precedents: Sequence[dict], records: dict[str, Deliberation | None]) -> str:
    """Each precedent as a line that opens on click to show the whole extract."""
    if not precedents:
        return '<div class="precedents empty">Aucun précédent trouvé : visas et imputation à vérifier.</div>'
    items = []
    for p in precedents:
        rec = records.get(p["id"])
        reasons = ", ".join(p.get("reasons") or [])
        head = (f'<b>{esc(date_fr(p.get("session_date")))}</b> — {esc(p.get("object") or p["id"])}'
                f'<span class="why">{esc(reasons)}</span>')
        body = f'<pre class="raw">{esc(rec.raw_text)}</pre>' if rec else "<p>Extrait introuvable dans le registre.</p>"
        items.append(f'<details class="precedent" data-id="{esc(p["id"])}"><summary>{head}</summary>{body}</details>')
    return '<div class="precedents">' + "".join(items) + "</div>"


def ingest_rows(report) -> list[list[str]]:
    """One row per file of an ingestion report: file, state, id, reason or warnings."""
    from pathlib import Path

    rows = []
    for r in report.results:
        name = Path(r.path).name
        note = r.message.removeprefix(f"{name} : ") if r.message else "; ".join(r.warnings[:3])
        rows.append([name, STATUS_LABELS.get(r.status, r.status), r.id or "—", note or ""])
    return rows
