"""`delib search` (lexical, dense or hybrid passages, with filters) and `delib reindex` (rebuild Chroma)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..formats import format_date

console = Console()
err = Console(stderr=True)

BODIES = ["bureau", "conseil", "conseil_municipal", "commission_permanente", "autre"]
MODES = ["lexical", "dense", "hybrid"]


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _bar() -> Progress:
    # On stderr, so that --json output stays clean on stdout.
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _date(value: str | None, option: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        err.print(f"Date invalide pour {option} : « {value} » (format attendu : AAAA-MM-JJ, ex. 2019-06-20).")
        raise typer.Exit(2) from None


def _dense_index(a, *, sync: bool = True):
    """The dense index, reconciled with the registry (with a progress bar when embeddings are computed)."""
    from ..index import DenseIndex

    try:
        with _bar() as bar:
            return DenseIndex.from_settings(a.settings, a.registry, sync=sync, progress=bar)
    except RuntimeError as exc:  # model or server unavailable: our messages are already in French
        err.print(str(exc))
        raise typer.Exit(1) from None


def _row(rank: int, doc) -> dict:
    m = doc.metadata
    return {
        "rank": rank,
        "chunk_id": m["chunk_id"],
        "deliberation_id": m["deliberation_id"],
        "part": m["part"],
        "part_label": m["part_label"],
        "start": m["start"],
        "end": m["end"],
        "score": m["score"],
        "lexical_rank": m["lexical_rank"],
        "dense_rank": m["dense_rank"],
        "lexical_score": m["lexical_score"],
        "dense_score": m["dense_score"],
        "body": m["body"],
        "session_date": m["session_date"],
        "year": m["year"],
        "act_type": m["act_type"],
        "beneficiaries": m["beneficiaries"],
        "codes": m["codes"],
        "source": m["source"],
        "text": doc.page_content,
    }


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("search")
    def search(
        ctx: typer.Context,
        query: Annotated[str, typer.Argument(help="Texte recherché (français ou anglais).")],
        k: Annotated[int, typer.Option("--k", "-k", min=1, help="Nombre de passages.")] = 10,
        year: Annotated[int | None, typer.Option("--year", help="Année de la séance.")] = None,
        date_from: Annotated[
            str | None, typer.Option("--from", help="Séances à partir du (AAAA-MM-JJ).")
        ] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Séances jusqu'au (AAAA-MM-JJ).")] = None,
        body: Annotated[str | None, typer.Option("--body", help=f"Assemblée : {', '.join(BODIES)}.")] = None,
        act_type: Annotated[
            str | None, typer.Option("--act-type", help="Type d'acte (subvention, marche…).")
        ] = None,
        beneficiary: Annotated[
            str | None,
            typer.Option("--beneficiary", help="Bénéficiaire (insensible aux accents et aux erreurs d'OCR)."),
        ] = None,
        mode: Annotated[
            str,
            typer.Option(
                "--mode", help="lexical (mots, FTS5), dense (sens, embeddings) ou hybrid (les deux, RRF ; "
                "lexical seul quand l'index sémantique est désactivé, le défaut : voir DELIB_DENSE_WEIGHT)."
            ),
        ] = "hybrid",
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Chercher des passages : recherche lexicale, sémantique ou hybride, avec filtres.

        Chaque passage donne sa délibération, sa partie et sa position dans le texte source."""
        from ..index import HybridSearch

        if mode not in MODES:
            err.print(f"Mode inconnu : « {mode} ». Valeurs possibles : {', '.join(MODES)}.")
            raise typer.Exit(2)
        if body and body not in BODIES:
            err.print(f"Assemblée inconnue : « {body} ». Valeurs possibles : {', '.join(BODIES)}.")
            raise typer.Exit(2)
        filters = {
            "year": year,
            "date_from": _date(date_from, "--from"),
            "date_to": _date(date_to, "--to"),
            "body": body,
            "act_type": act_type,
            "beneficiary": beneficiary,
        }
        a = assistant_from(ctx)
        if a.registry.count() == 0:
            err.print(
                f"Le registre {a.settings.registry_path} est vide : ingérez d'abord des extraits "
                "(delib ingest corpus/)."
            )
            raise typer.Exit(1)
        # Hybrid searches the dense index as the last ingestion left it, and only when the settings keep
        # one (no model loaded otherwise); an explicit dense search first completes it.
        if mode == "dense":
            dense = _dense_index(a)
        elif mode == "hybrid" and a.settings.dense_enabled:
            dense = _dense_index(a, sync=False)
            held, chunks = dense.count(), a.registry.stats()["chunks"]
            if held < chunks:
                err.print(f"Index sémantique incomplet ({held} / {chunks} passages) : « delib reindex » ou la "
                          "prochaine ingestion le complète ; la recherche porte sur ce qu'il contient.")
        else:
            dense = None
        retriever = HybridSearch(a.registry, dense, k=k, mode=mode)
        docs = retriever.invoke(query, filters={k_: v for k_, v in filters.items() if v is not None})
        rows = [_row(i, d) for i, d in enumerate(docs, 1)]
        if dense is not None:
            dense.close()
        if as_json:
            _print_json(rows)
            return
        if not rows:
            console.print("Aucun passage ne correspond à cette recherche et à ces filtres.")
            return
        table = Table(title=f"{len(rows)} passage(s) — mode {mode}")
        for col in ("rang", "délibération", "partie", "séance", "score", "passage"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                str(r["rank"]),
                escape(r["deliberation_id"]),
                r["part_label"],
                format_date(r["session_date"]) if r["session_date"] else "—",
                f"{r['score']:.4f}",
                escape(" ".join(r["text"].split())[:160]),
            )
        console.print(table)

    @app.command("reindex")
    def reindex(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Reconstruire l'index sémantique (Chroma) à partir du registre.

        Tous les passages sont recalculés : utile après un changement de modèle ou si le dossier de
        l'index a été supprimé. Les recherches hybrides ne s'en servent que s'il est configuré
        (DELIB_DENSE_WEIGHT > 0 ou DELIB_EMBEDDING_MODEL) ; sinon seule « delib search --mode dense » l'utilise."""
        a = assistant_from(ctx)
        if not a.settings.dense_enabled:
            err.print("Index sémantique non configuré (poids 0, le défaut) : il est construit, mais les recherches "
                      "hybrides et les réponses restent lexicales ; voir DELIB_DENSE_WEIGHT.")
        index = _dense_index(a, sync=False)
        t0 = time.perf_counter()
        try:
            with _bar() as bar:
                report = index.rebuild(progress=bar)
        except RuntimeError as exc:
            err.print(str(exc))
            raise typer.Exit(1) from None
        out = {
            **report,
            "chunks": index.count(),
            "seconds": round(time.perf_counter() - t0, 2),
            "model": index.embedder.name,
            "location": index.location,
        }
        index.close()
        if as_json:
            _print_json(out)
            return
        console.print(
            f"Index reconstruit : {out['chunks']} passages en {out['seconds']} s "
            f"(modèle {escape(out['model'])}, {escape(out['location'])})."
        )
