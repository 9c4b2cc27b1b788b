"""`delib export`: the registry as SCDL open data (Délibérations, Subventions); `delib history`: a
beneficiary's grants year by year."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
err = Console(stderr=True)

ROWS_SHOWN = 20  # the table shows the first rows; --json gives them all


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _declared(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            err.print(f"--valeur attend CHAMP=VALEUR (par exemple COLL_SIRET=21000000000017), pas « {escape(pair)} ».")
            raise typer.Exit(2)
        out[name.strip()] = value.strip()
    return out


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("export")
    def export_(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(help="scdl-deliberations ou scdl-subventions.")],
        out: Annotated[Path, typer.Option("--out", help="Fichier CSV à écrire.")],
        authority: Annotated[
            str | None, typer.Option("--authority", help="Seulement cette collectivité (mots de son nom).")
        ] = None,
        year: Annotated[int | None, typer.Option("--year", help="Seulement cette année (date de la décision).")] = None,
        values: Annotated[
            list[str] | None,
            typer.Option("--valeur", help="CHAMP=VALEUR pour un champ que le registre ne connaît pas (SIRET de la "
                                          "collectivité, conditionsVersement…) ; jamais à la place d'une valeur lue."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON (toutes les lignes, avec leur règle).")] = False,
    ) -> None:
        """Exporter le registre au format SCDL Délibérations 2.1 ou Subventions 2.1 (CSV).

        Chaque délibération reçoit son code matière ACTES, déduit de son objet par les règles de
        assistant/opendata/matieres.yaml (la règle appliquée est affichée). Une ligne dont un champ
        obligatoire est inconnu n'est pas écrite : elle est signalée avec ce qui manque."""
        from ..opendata.export import KINDS, export, write_csv

        if kind not in KINDS:
            err.print(f"Format inconnu : « {escape(kind)} ». Formats : {', '.join(KINDS)}.")
            raise typer.Exit(2)
        a = assistant_from(ctx)
        result = export(a.registry.all(), kind, authority=authority, year=year, values=_declared(values or []))
        write_csv(result, out)
        if as_json:
            _print_json({"kind": kind, "out": str(out), "rows": [r.model_dump() for r in result.rows],
                         "skipped": result.skipped})
            return
        if kind == "scdl-deliberations":
            table = Table(title=f"Code matière ACTES de chaque délibération (les {ROWS_SHOWN} premières)")
            for col in ("DELIB_ID", "date", "code", "règle", "objet"):
                table.add_column(col, overflow="fold")
            for row in result.rows[:ROWS_SHOWN]:
                v = row.values
                table.add_row(v["DELIB_ID"], v["DELIB_DATE"], v["DELIB_MATIERE_CODE"], row.rule or "—",
                              escape(v["DELIB_OBJET"][:80]))
            console.print(table)
        for line in result.skipped[:ROWS_SHOWN]:
            console.print(f"non exportée : {escape(line)}", style="yellow")
        if len(result.skipped) > ROWS_SHOWN:
            console.print(f"… et {len(result.skipped) - ROWS_SHOWN} autre(s) ligne(s) non exportée(s) (--json pour "
                          "toutes)", style="yellow")
        console.print(f"{len(result.rows)} ligne(s) écrite(s) dans {escape(str(out))}, {len(result.skipped)} non "
                      "exportée(s) faute d'un champ obligatoire (--valeur CHAMP=VALEUR pour le déclarer).")

    @app.command("history")
    def history_(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="Le bénéficiaire (association, commune…), tel qu'on le dit.")],
        authority: Annotated[
            str | None, typer.Option("--authority", help="Seulement les subventions de cette collectivité.")
        ] = None,
        english: Annotated[bool, typer.Option("--en", help="Réponse en anglais.")] = False,
        chart: Annotated[Path | None, typer.Option("--chart", help="Écrire le graphique (PNG) dans ce fichier.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON (réponse, lignes citées, totaux).")] = False,
    ) -> None:
        """Historique des subventions à un bénéficiaire : année, collectivité, décision, montant, objet,
        source (chaque ligne citée), et le total par année (--chart : en barres, PNG)."""
        from ..answer import history

        a = assistant_from(ctx)
        answer = history(a, name, authority=authority, lang="en" if english else "fr")
        if chart is not None and answer.chart:
            from ..ui.charts import history_png

            history_png(answer.chart, chart)
        if as_json:
            _print_json(answer.model_dump(mode="json"))
        else:
            console.print(escape(answer.answer), soft_wrap=True)
            for n, c in enumerate(answer.citations, 1):
                console.print(f"[{n}] {escape(c.source)}, {escape(c.part)} : « {escape(' '.join(c.quote.split()))} »",
                              style="dim", soft_wrap=True)
        if not answer.found:
            raise typer.Exit(1)
