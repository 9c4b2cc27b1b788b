"""`delib draft`, `delib lint`, `delib authorities`: draft a deliberation from a request file; check a
draft or an extract; list the authorities the registry can draft for, with the style learned from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

FORMATS = ["docx", "md", "txt"]
_STYLE = {"erreur": "red", "avertissement": "yellow", "info": "cyan"}


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _print_findings(findings, source: str) -> None:
    if not findings:
        err.print(f"[green]{source} : rien à corriger.[/green]")
        return
    for f in findings:
        style = _STYLE.get(f.severity, "white")
        where = f"ligne {f.line}" + (f" ({f.part})" if f.part else "")
        err.print(f"{source}:{f.line}: [{style}]{f.severity}[/{style}] [{f.rule}] {where} — {f.message}",
                  highlight=False)


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("draft")
    def draft(
        ctx: typer.Context,
        request: Annotated[Path, typer.Argument(help="Demande de rédaction (YAML ou JSON), voir eval/draft_requests/.")],
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Fichier à écrire (.docx, .md, .txt).")] = None,
        fmt: Annotated[
            str | None, typer.Option("--format", "-f", help="docx, md ou txt (défaut : d'après --out, sinon txt).")
        ] = None,
        no_llm: Annotated[bool, typer.Option("--no-llm", help="Exposé composé sans LLM, même si un LLM est configuré.")] = False,
        precedents: Annotated[int, typer.Option("--precedents", help="Nombre de précédents à utiliser.")] = 3,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON : texte, parties, précédents, constats.")] = False,
    ) -> None:
        """Rédiger un projet de délibération dans le style du registre, d'après une demande et des précédents."""
        from ..draft import load_request, make_draft

        if fmt and fmt not in FORMATS:
            err.print(f"Format inconnu : « {fmt} ». Valeurs possibles : {', '.join(FORMATS)}.")
            raise typer.Exit(2)
        if fmt == "docx" and out is None:
            err.print("Le format docx demande un fichier de sortie : --out projet.docx.")
            raise typer.Exit(2)
        try:
            req = load_request(request)
        except ValueError as exc:
            err.print(str(exc))
            raise typer.Exit(2) from exc
        a = assistant_from(ctx)
        try:
            result = make_draft(a, req, llm=None if no_llm else "auto", k=precedents)
        finally:
            a.close()
        written = result.write(out, fmt) if out else None
        if as_json:
            data = result.model_dump(mode="json")
            data["written"] = str(written) if written else None
            _print_json(data)
            return
        if written is None:
            print(result.to_markdown(notes=False) if fmt == "md" else result.text, end="")
        else:
            err.print(f"Projet écrit dans {written}.")
        if result.precedents:
            err.print("Précédents utilisés :")
            for p in result.precedents:
                err.print(f"  {p['id']} — {p['session_date'] or 's.d.'} — {p['object'] or ''}", highlight=False)
        else:
            err.print("Aucun précédent trouvé dans le registre : visas et imputation à vérifier.")
        for note in result.notes:
            err.print(f"[cyan]Note :[/cyan] {note}", highlight=False)
        _print_findings(result.findings, str(written or "projet"))

    @app.command("authorities")
    def authorities(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON : chaque profil, ses formules et leurs sources.")] = False,
    ) -> None:
        """Lister les collectivités et assemblées du registre (la plus fournie d'abord), avec le style appris de leurs
        délibérations : intitulé, titre du président, numérotation, formules, bloc de signature."""
        from ..draft.profiles import profiles

        a = assistant_from(ctx)
        try:
            found = profiles(a.registry)
        finally:
            a.close()
        if as_json:
            _print_json([{**p.model_dump(mode="json"), "label": p.label(), "count": p.count} for p in found])
            return
        if not found:
            err.print("Aucune collectivité nommée dans le registre : ingérez d'abord des délibérations (delib ingest).")
            return
        from rich.table import Table

        table = Table("Collectivité — assemblée", "Délib.", "Numérotation", "Titre du président", "Formules apprises")
        for p in found:
            table.add_row(p.label(), str(p.count), p.numbering.text if p.numbering else "—",
                          p.president_title.text if p.president_title else "—",
                          ", ".join(sorted(p.formulas)) or "—")
        console.print(table)

    @app.command("lint")
    def lint(
        file: Annotated[Path, typer.Argument(help="Projet ou extrait à vérifier (.txt, .md, .docx, .pdf).")],
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON : la liste des constats.")] = False,
    ) -> None:
        """Vérifier un projet ou un extrait : parties obligatoires, numérotation, montants, dates, accords, formules
        d'une autre collectivité ou d'une autre assemblée (la collectivité est celle que nomme l'en-tête).

        Code de sortie 1 s'il y a quelque chose à corriger (erreur ou avertissement)."""
        from ..draft import lint_file, to_fix

        if not file.is_file():
            err.print(f"Fichier introuvable : {file}.")
            raise typer.Exit(2)
        try:
            _, findings = lint_file(file)
        except (ValueError, OSError) as exc:
            err.print(f"{file} : lecture impossible ({exc}).")
            raise typer.Exit(2) from exc
        if as_json:
            _print_json({"file": str(file), "findings": [f.model_dump() for f in findings],
                         "to_fix": len(to_fix(findings))})
        else:
            _print_findings(findings, str(file))
        if to_fix(findings):
            raise typer.Exit(1)
