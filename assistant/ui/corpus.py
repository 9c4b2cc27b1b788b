"""Corpus tab: upload extracts (progress bar, a result per file), the registry table with search and
filters, a record view (parsed fields next to the raw text), and the registry as SCDL open data to download. Ingestion is `Assistant.ingest`, the
code behind `delib ingest`."""

from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr

from ..textnorm import fold
from . import render
from .chat import ACTS, ALL, BODIES
from .context import UPLOAD_TYPES, UIContext

INGEST_HEADERS = ["Fichier", "Résultat", "Identifiant", "Raison / remarques"]


def registry_rows(ctx: UIContext, search: str = "", year=None, body: str = "", act_type: str = "") -> list[list]:
    """The registry table: `Registry.list` with its filters, then the words of `search` (accents and
    case ignored) that must all appear in the row."""
    try:
        y = int(year) if year not in (None, "", ALL) else None
    except (TypeError, ValueError):
        y = None
    rows = [render.record_row(s) for s in ctx.registry.list(year=y, body=body or None, act_type=act_type or None)]
    words = fold(search or "").split()
    if words:
        rows = [r for r in rows if all(w in fold(" ".join(str(c) for c in r)) for w in words)]
    rows.reverse()  # newest first
    return rows


def stage_uploads(ctx: UIContext, files: list[str]) -> tuple[list[Path], list[list[str]]]:
    """Copy the uploaded files into the data folder under their own names; refuse (with a reason)
    the types and sizes the app does not take. Returns (paths to ingest, rows of refused files)."""
    staged, refused = [], []
    for f in files or []:
        src = Path(f)
        name = src.name
        if src.suffix.lower() not in UPLOAD_TYPES:
            reason = (f"format non pris en charge ({src.suffix or 'sans extension'}) ; "
                      f"formats acceptés : {', '.join(UPLOAD_TYPES)}")
            refused.append([name, "erreur", "—", reason])
            continue
        size = src.stat().st_size
        if size > ctx.max_upload_bytes:
            reason = f"fichier trop volumineux ({size / 1e6:.1f} Mo ; maximum {ctx.max_upload_bytes / 1e6:.0f} Mo)"
            refused.append([name, "erreur", "—", reason])
            continue
        dest = ctx.uploads_dir / name
        shutil.copyfile(src, dest)
        staged.append(dest)
    return staged, refused


def export_file(ctx: UIContext, kind: str) -> tuple[str, str]:
    """The whole registry as an SCDL file to download (`delib export`), and a line saying how many rows it
    holds and how many could not be exported."""
    from ..opendata.export import export, write_csv

    result = export(ctx.registry.all(), kind)
    path = write_csv(result, ctx.work_dir("export") / f"{kind}.csv")
    note = (f"**{len(result.rows)} ligne(s) exportée(s)**, {len(result.skipped)} non exportée(s) faute d'un champ "
            "obligatoire (SIRET de la collectivité…), à déclarer avec `delib export --valeur`.")
    return str(path), note


def build(ctx: UIContext) -> dict:
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Ajouter des extraits")
            upload = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, type="filepath", height=150,
                             label=f"Extraits (.txt, .pdf, .docx, scans, CSV SCDL ; {ctx.max_upload_bytes // 10**6} Mo au plus)",
                             elem_id="c-upload")
            go = gr.Button("Ajouter au registre", variant="primary", elem_id="c-ingest")
            with gr.Accordion("Données ouvertes (SCDL)", open=False, elem_id="c-opendata"):
                with gr.Row():
                    export_delib = gr.Button("Délibérations (SCDL 2.1)", size="sm", elem_id="c-export-delib")
                    export_sub = gr.Button("Subventions (SCDL 2.1)", size="sm", elem_id="c-export-sub")
                exported = gr.File(label="Fichier CSV", interactive=False, elem_id="c-export-file")
                export_note = gr.Markdown("", elem_id="c-export-note")
        with gr.Column(scale=3, min_width=420):
            summary = gr.Markdown("", elem_id="c-summary")
            results = gr.Dataframe(headers=INGEST_HEADERS, value=[], interactive=False, wrap=True,
                                   column_widths=["24%", "13%", "21%", "42%"],
                                   label="Résultat par fichier", elem_id="c-results", max_height=220)
    gr.Markdown("### Registre")
    with gr.Row():
        search = gr.Textbox(label="Rechercher", placeholder="bénéficiaire, objet, code…", scale=3, elem_id="c-search")
        year = gr.Dropdown([ALL], value=ALL, label="Année", scale=1, elem_id="c-year")
        body = gr.Dropdown(BODIES, value="", label="Assemblée", scale=1, elem_id="c-body")
        act = gr.Dropdown(ACTS, value="", label="Type d'acte", scale=1, elem_id="c-act")
    table = gr.Dataframe(headers=render.RECORD_HEADERS, value=[], interactive=False, wrap=True, max_height=480,
                         column_widths=["9%", "10%", "12%", "30%", "14%", "8%", "9%", "8%"],
                         label="Délibérations (cliquez une ligne pour l'ouvrir)", elem_id="c-table")
    gr.Markdown("### Fiche")
    record_id = gr.Dropdown([], value=None, label="Délibération", filterable=True, elem_id="c-record-id")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            fields = gr.HTML(render.record_html(None)[0], elem_id="c-fields", js_on_load=None)
        with gr.Column(scale=3, min_width=420):
            raw = gr.HTML("", elem_id="c-raw", js_on_load=None)

    filters = [search, year, body, act]

    def refresh(s, y, b, a):
        ids = ctx.registry.ids()
        years = sorted(int(k) for k in ctx.registry.stats()["by_year"] if k not in ("None", ""))
        return (registry_rows(ctx, s, y, b, a), gr.update(choices=[ALL, *map(str, years)]),
                gr.update(choices=ids))

    def ingest(files, s, y, b, a, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        if not files:
            return ("Choisissez d'abord un ou plusieurs fichiers.", gr.skip(), gr.skip(), gr.skip(), gr.skip())
        def tick(done: int, total: int, path: str = "") -> None:
            label = f"Ingestion : {Path(path).name}" if path else "Ingestion"
            progress((done, total), desc=label)

        progress(0, desc="Ingestion")
        with ctx.write_lock:  # two users uploading the same name: one after the other
            staged, refused = stage_uploads(ctx, files)
            report = ctx.assistant.ingest(staged, progress=tick, max_bytes=ctx.max_upload_bytes) if staged else None
        rows = (render.ingest_rows(report) if report else []) + list(refused)
        text = report.summary() if report else ""
        if refused:
            text = (text + " ; " if text else "") + f"{len(refused)} fichier(s) refusé(s)"
        return (f"**{render.esc(text)}.**", rows, *refresh(s, y, b, a))

    def open_record(rid):
        return render.record_html(ctx.registry.get(rid) if rid else None)

    def pick(evt: gr.SelectData):
        row = evt.row_value or []
        return row[-1] if row else gr.skip()

    go.click(ingest, [upload, *filters], [summary, results, table, year, record_id], concurrency_id="jobs",
             concurrency_limit=1, api_name="ingest")
    for f in filters:
        trigger = f.submit if f is search else f.change
        trigger(lambda *v: registry_rows(ctx, *v), filters, table, queue=False, api_visibility="private")
    search.change(lambda *v: registry_rows(ctx, *v), filters, table, queue=False, api_visibility="private",
                  trigger_mode="always_last")
    export_delib.click(lambda: export_file(ctx, "scdl-deliberations"), None, [exported, export_note],
                       api_visibility="private")
    export_sub.click(lambda: export_file(ctx, "scdl-subventions"), None, [exported, export_note],
                     api_visibility="private")
    table.select(pick, None, record_id, queue=False, api_visibility="private")
    record_id.change(open_record, record_id, [fields, raw], queue=False, api_visibility="private")
    return {"load": (refresh, filters, [table, year, record_id])}
