"""`delib list`, `delib show`, `delib stats`: read the registry."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..formats import format_date, format_money

console = Console()
err = Console(stderr=True)

BODIES = ["bureau", "conseil", "conseil_municipal", "commission_permanente", "autre"]


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _vote_line(vote) -> str:
    """"adoptée ; 2 abstentions (X, Y) ; 1 voix contre (Z)" from the parsed vote."""
    from ..answer.compose import vote_label

    parts = ["adoptée" if vote.adopted else "non adoptée" if vote.adopted is False else "résultat non lu"]
    if vote.unanimous:
        parts[0] += " à l'unanimité"
    for kind, names, count in (("abstentions", vote.abstentions, vote.abstention_count),
                               ("against", vote.against, vote.against_count)):
        n = count if count is not None else len(names) or None
        if n:
            parts.append(f"{n} {vote_label(kind, n, 'fr')}" + (f" ({', '.join(names)})" if names else ""))
    return " ; ".join(parts)


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("list")
    def list_(
        ctx: typer.Context,
        year: Annotated[int | None, typer.Option("--year", help="Année de la séance.")] = None,
        body: Annotated[str | None, typer.Option("--body", help=f"Assemblée : {', '.join(BODIES)}.")] = None,
        beneficiary: Annotated[
            str | None,
            typer.Option("--beneficiary", help="Bénéficiaire (insensible aux accents et aux erreurs d'OCR)."),
        ] = None,
        act_type: Annotated[str | None, typer.Option("--act-type", help="Type d'acte (subvention, marche…).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Lister les délibérations du registre, avec filtres."""
        if body and body not in BODIES:
            err.print(f"Assemblée inconnue : « {body} ». Valeurs possibles : {', '.join(BODIES)}.")
            raise typer.Exit(2)
        a = assistant_from(ctx)
        rows = a.registry.list(year=year, body=body, beneficiary=beneficiary, act_type=act_type)
        if as_json:
            _print_json(rows)
            return
        table = Table(title=f"{len(rows)} délibération(s)")
        for col in ("id", "séance", "assemblée", "code", "objet", "bénéficiaire", "montant"):
            table.add_column(col, overflow="fold", no_wrap=col in ("id", "montant"))
        for r in rows:
            table.add_row(
                r["id"],
                format_date(r["session_date"]) if r["session_date"] else "—",
                r["body_label"] or "—",
                r["code"] or "—",
                _cut(r["object"] or "—", 70),
                r["beneficiary"] or "—",
                format_money(r["amount_cents"]) if r["amount_cents"] is not None else "—",
            )
        console.print(table)

    @app.command("show")
    def show(
        ctx: typer.Context,
        id: Annotated[str, typer.Argument(help="Identifiant de la délibération (voir `delib list`).")],
        as_json: Annotated[bool, typer.Option("--json", help="L'enregistrement complet en JSON, avec les positions.")] = False,
        raw: Annotated[bool, typer.Option("--raw", help="Inclure le texte brut dans la sortie JSON.")] = False,
    ) -> None:
        """Afficher une délibération : tous les champs extraits et leurs positions dans le texte."""
        a = assistant_from(ctx)
        rec = a.registry.get(id)
        if rec is None:
            err.print(f"Aucune délibération « {id} » dans le registre {a.settings.registry_path}.")
            raise typer.Exit(1)
        data = rec.model_dump(mode="json", exclude=None if raw else {"raw_text"})
        if as_json:
            _print_json(data)
            return
        console.print(f"[bold]{rec.object_line or rec.id}[/bold]")
        console.print(f"{rec.body_label or '—'} — séance du {format_date(rec.session_date) if rec.session_date else '—'}")
        console.print(f"Codes : {', '.join(c.code for c in rec.codes) or '—'}   Type : {rec.act_type}")
        if rec.present_count is not None:
            console.print(
                f"Présents : {rec.present_count} ; représentés : {len(rec.represented)} ; excusés : {len(rec.excused)}"
            )
        for amt in rec.amounts:
            console.print(f"Montant : {format_money(amt.cents)} {amt.qualifier or ''} — {amt.beneficiary or '—'}")
        for art in rec.articles:
            console.print(f"[bold]Article {art.number}[/bold] : {' '.join(art.text.split())[:200]}")
        if rec.vote:
            console.print(f"Vote : {_vote_line(rec.vote)}")
        if rec.signatory:
            console.print(f"Signataire : {rec.signatory.name} — {rec.signatory.title}")
        for w in rec.warnings:
            console.print(f"[yellow]Attention :[/yellow] {w}")

    @app.command("stats")
    def stats(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Statistiques du registre : nombre de délibérations par année, assemblée et type d'acte."""
        a = assistant_from(ctx)
        s = a.registry.stats()
        if as_json:
            _print_json(s)
            return
        console.print(f"Registre : {s['path']} (schéma {s['schema']})")
        console.print(f"{s['deliberations']} délibérations, {s['chunks']} passages indexés, "
                      f"{s['amounts']} montants (total {format_money(s['total_amount_cents'])})")
        for key, label in (("by_year", "Par année"), ("by_body", "Par assemblée"), ("by_act_type", "Par type d'acte")):
            console.print(f"{label} : " + ", ".join(f"{k} : {v}" for k, v in sorted(s[key].items())))
