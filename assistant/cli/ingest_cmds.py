"""`delib ingest PATH...`: load, parse and store extracts, with a progress bar and a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err = Console(stderr=True)

STYLES = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        paths: Annotated[
            list[Path],
            typer.Argument(help="Fichiers ou dossiers (parcourus récursivement) : .txt, .pdf, .docx, scans."),
        ],
        no_embed: Annotated[
            bool, typer.Option("--no-embed", help="Ne pas mettre à jour l'index sémantique (embeddings).")
        ] = False,
        max_size: Annotated[
            float, typer.Option("--max-size", help="Taille maximale d'un fichier, en Mo.", min=0.001)
        ] = 20,
        as_json: Annotated[bool, typer.Option("--json", help="Rapport JSON sur la sortie standard.")] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Une ligne par fichier, même pour les gros lots.")
        ] = False,
    ) -> None:
        """Ingérer des extraits de registres : lecture (OCR en français pour les scans), analyse,
        enregistrement. Un contenu déjà ingéré n'est pas refait ; un fichier modifié met à jour sa fiche.
        Code de sortie 1 si un fichier a échoué."""
        a = assistant_from(ctx)
        # The bar goes to stderr so that --json output stays clean on stdout.
        bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[current]}", style="dim"), console=err, transient=True,
        )

        def progress(done: int, total: int, path: str) -> None:
            # The same callback serves ingestion then the index sync: a new total starts a new phase.
            if not bar.tasks or bar.tasks[-1].total != total or bar.tasks[-1].finished:
                label = "Indexation" if bar.tasks else "Ingestion"
                bar.add_task(label, total=total, current="")
            bar.update(bar.tasks[-1].id, completed=done, current=Path(path).name if path else "")

        with bar:
            report = a.ingest(paths, progress=progress, embed=not no_embed,
                              max_bytes=int(max_size * 1024 * 1024))
        if as_json:
            print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _print_report(report, verbose=verbose)
        if report.failed or not report.results:
            raise typer.Exit(1)


# Past this many files, the table lists only what needs a look (updates, remarks, failures).
_FULL_TABLE_MAX = 20


def _print_report(report, *, verbose: bool = False) -> None:
    from ..ingest.pipeline import STATUS_LABELS

    if not report.results:
        err.print("Aucun fichier à ingérer (formats acceptés : .txt, .pdf, .docx, .png, .jpg, .tif).")
        return
    full = verbose or len(report.results) <= _FULL_TABLE_MAX
    shown = [r for r in report.results
             if full and (r.status != "unchanged" or r.message) or r.status in ("updated", "failed")]
    if shown:
        table = Table(show_edge=False)
        for col in ("fichier", "état", "identifiant", "lecture", "remarque"):
            table.add_column(col, overflow="fold")
        for r in shown:
            # the table already names the file: keep the reason only
            note = r.message.removeprefix(f"{Path(r.path).name} : ") or "; ".join(r.warnings[:2])
            table.add_row(escape(Path(r.path).name), f"[{STYLES[r.status]}]{STATUS_LABELS[r.status]}[/]",
                          r.id or "—", r.method or "—", escape(note))
        console.print(table)
    for r in report.results:
        if r.status == "failed":
            err.print(f"[red]Erreur[/red] : {escape(r.message)}", soft_wrap=True)
    n = len(report.ignored)
    kinds = ", ".join(sorted({Path(p).suffix or Path(p).name for p in report.ignored}))
    ignored = f" ; {n} fichier(s) ignoré(s) (format non pris en charge : {kinds})" if n else ""
    console.print(f"{report.summary()}{ignored}.", soft_wrap=True)
