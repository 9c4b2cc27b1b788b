"""`delib ingest PATH...`: load, parse and store extracts, with a progress bar and a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
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
        prune: Annotated[
            bool,
            typer.Option(
                "--prune",
                help="Retirer du registre (et de l'index) les délibérations dont le fichier, situé dans un "
                "des dossiers donnés, n'existe plus ; vider le cache OCR des fichiers absents du registre.",
            ),
        ] = False,
        workers: Annotated[
            int | None,
            typer.Option("--workers", min=1, help="Processus qui lisent les fichiers (OCR, analyse) quand ils sont "
                         "nombreux ; défaut : un par cœur."),
        ] = None,
    ) -> None:
        """Ingérer des extraits de registres : lecture (OCR en français pour les scans), analyse,
        enregistrement. Un fichier SCDL (CSV Délibérations ou Subventions) donne une fiche par ligne ; une
        ligne illisible est signalée avec son numéro. Un contenu déjà ingéré n'est pas refait ; un fichier
        modifié met à jour sa fiche. Code de sortie 1 si un fichier a échoué."""
        a = assistant_from(ctx)
        # The bar goes to stderr so that --json output stays clean on stdout.
        bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), TextColumn("reste"), TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", style="dim"), console=err, transient=True,
        )

        def progress(done: int, total: int, path: str) -> None:
            # The same callback serves ingestion then the index sync: a new total starts a new phase.
            if not bar.tasks or bar.tasks[-1].total != total or bar.tasks[-1].finished:
                label = "Indexation" if bar.tasks else "Ingestion"
                bar.add_task(label, total=total, current="", rate="")
            task = bar.tasks[-1]
            rate = f"{done / task.elapsed:.1f}/s" if done and task.elapsed else ""
            bar.update(task.id, completed=done, current=Path(path).name if path else "", rate=rate)

        with bar:
            report = a.ingest(paths, progress=progress, embed=not no_embed,
                              max_bytes=int(max_size * 1024 * 1024), prune=prune, workers=workers)
        if as_json:
            print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _print_report(report, verbose=verbose)
        if report.failed or not (report.results or report.pruned):
            raise typer.Exit(1)

    @app.command("forget")
    def forget(
        ctx: typer.Context,
        targets: Annotated[
            list[str],
            typer.Argument(
                help="Identifiants de délibérations, fichiers (même supprimés) ou dossiers : toutes les "
                "délibérations dont le fichier s'y trouvait.",
                metavar="CHEMIN_OU_ID",
            ),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Rapport JSON sur la sortie standard.")] = False,
    ) -> None:
        """Oublier des délibérations : retirer leur fiche du registre, leurs passages de la recherche
        lexicale et de l'index sémantique, et les entrées du cache OCR devenues inutiles. Les fichiers
        eux-mêmes ne sont pas touchés. Code de sortie 1 si un argument ne désigne aucune délibération."""
        from ..ingest.pipeline import forget as forget_records

        a = assistant_from(ctx)
        index = _dense_index_if_any(a)
        try:
            report = forget_records(a.registry, targets, index=index)
        finally:
            if index is not None:
                index.close()
        if as_json:
            print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            for r in report.forgotten:
                console.print(f"Oubliée : {r.id}" + (f" ({escape(r.path)})" if r.path else ""), soft_wrap=True)
            for t in report.unknown:
                err.print(f"[red]Erreur[/red] : « {escape(t)} » ne désigne aucune délibération du registre "
                          f"(ni identifiant, ni fichier, ni dossier).", soft_wrap=True)
            n = len(report.forgotten)
            line = f"{n} délibération{'s' if n > 1 else ''} {'oubliées' if n > 1 else 'oubliée'}"
            if report.vectors_deleted:
                line += f" ; {plural(report.vectors_deleted, 'vecteur supprimé', 'vecteurs supprimés')}"
                line += " de l'index sémantique"
            if report.cache.files:
                line += f" ; cache OCR : {_freed(report.cache)}"
            console.print(line + ".")
        if report.unknown:
            raise typer.Exit(1)

    cache = typer.Typer(
        help="Cache OCR : les textes lus par tesseract dans les scans, gardés pour ne pas refaire l'OCR.",
        no_args_is_help=True,
    )

    @cache.command("clear")
    def cache_clear(
        ctx: typer.Context,
        unused: Annotated[
            bool,
            typer.Option("--unused", help="Ne supprimer que les entrées des fichiers absents du registre."),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Vider le cache OCR (dans le dossier des données) et dire la place libérée. Le prochain
        `delib ingest` d'un scan refera l'OCR."""
        from ..ingest.pipeline import clear_ocr_cache, ocr_cache_dir, prune_ocr_cache

        a = assistant_from(ctx)
        folder = ocr_cache_dir(a.settings.registry_path)
        freed = prune_ocr_cache(folder, a.registry) if unused else clear_ocr_cache(folder)
        if as_json:
            print(json.dumps({"path": str(folder), **freed.model_dump()}, ensure_ascii=False, indent=2))
            return
        console.print(f"Cache OCR {escape(str(folder))} : {_freed(freed)}.", soft_wrap=True)

    app.add_typer(cache, name="cache")


def plural(n: int, one: str, many: str) -> str:
    """"1 fichier", "0 fichier", "2 fichiers": in French, 0 and 1 take the singular."""
    return f"{n} {one if n < 2 else many}"


def format_size(n: int) -> str:
    """Bytes in French units: "0 o", "850 o", "12 ko", "3,4 Mo"."""
    for unit, size in (("Go", 1 << 30), ("Mo", 1 << 20), ("ko", 1 << 10)):
        if n >= size:
            value = n / size
            return (f"{value:.1f}".replace(".", ",") if value < 10 else f"{value:.0f}") + f" {unit}"
    return f"{n} o"


def _freed(cleanup) -> str:
    if not cleanup.files:
        return "rien à supprimer"
    return f"{plural(cleanup.files, 'entrée supprimée', 'entrées supprimées')}, {format_size(cleanup.bytes)} libérés"


def _dense_index_if_any(a):
    """The dense index without reconciling it (no model loaded), or None when there is none yet."""
    settings = a.settings
    if not settings.chroma_url and not settings.chroma_path.is_dir():
        return None
    from ..index import DenseIndex

    try:
        return DenseIndex.from_settings(settings, a.registry, sync=False)
    except RuntimeError as exc:  # Chroma server down: forget nothing rather than leave stale vectors
        err.print(str(exc))
        raise typer.Exit(1) from None


# The record fields named in the ingestion table, in French.
FIELD_LABELS = {
    "authority": "collectivité", "body": "assemblée", "session_date": "date", "convocation_date": "convocation",
    "president": "président", "secretary": "secrétaire", "members_in_office": "en exercice",
    "present_count": "présents", "voting_count": "votants", "object": "objet", "articles": "articles",
    "amounts": "montants", "vote": "vote", "signatory": "signataire",
}
# Past this many files, the table lists only what needs a look (updates, remarks, failures).
_FULL_TABLE_MAX = 20


def _print_report(report, *, verbose: bool = False) -> None:
    from ..ingest.pipeline import STATUS_LABELS

    if report.pruned:
        n = len(report.pruned)
        console.print(f"{n} délibération{'s' if n > 1 else ''} {'retirées' if n > 1 else 'retirée'} du "
                      f"registre (fichier disparu) : " + ", ".join(r.id for r in report.pruned), soft_wrap=True)
    if report.cache and report.cache.files:
        console.print(f"Cache OCR : {_freed(report.cache)}.")
    if not report.results:
        err.print("Aucun fichier à ingérer (formats acceptés : .txt, .pdf, .docx, .png, .jpg, .tif).")
        return
    full = verbose or len(report.results) <= _FULL_TABLE_MAX
    shown = [r for r in report.results
             if full and (r.status != "unchanged" or r.message) or r.status in ("updated", "failed")]
    if shown:
        table = Table(show_edge=False)
        for col in ("fichier", "état", "identifiant", "lecture", "délib.", "champs trouvés", "remarque"):
            table.add_column(col, overflow="fold")
        for r in shown:
            # the table already names the file: keep the reason only
            note = r.message.removeprefix(f"{Path(r.path).name} : ") or "; ".join(r.warnings[:3])
            ident = r.id if r.items <= 1 else f"{r.ids[0]} … {r.ids[-1]}"
            table.add_row(escape(Path(r.path).name), f"[{STYLES[r.status]}]{STATUS_LABELS[r.status]}[/]",
                          ident or "—", r.method or "—", str(r.items or "—"),
                          escape(", ".join(FIELD_LABELS.get(f, f) for f in r.fields)) or "—", escape(note))
        console.print(table)
    for r in report.results:
        if r.status == "failed":
            err.print(f"[red]Erreur[/red] : {escape(r.message)}", soft_wrap=True)
    n = len(report.ignored)
    kinds = ", ".join(sorted({Path(p).suffix or Path(p).name for p in report.ignored}))
    ignored = f" ; {n} fichier(s) ignoré(s) (format non pris en charge : {kinds})" if n else ""
    console.print(f"{report.summary()}{ignored}.", soft_wrap=True)
