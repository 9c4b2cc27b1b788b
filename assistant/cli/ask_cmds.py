"""`delib ask`: a question to the registry, answered with verified citations."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..formats import format_date

console = Console()
err = Console(stderr=True)

BODIES = ["bureau", "conseil", "conseil_municipal", "commission_permanente", "autre"]
MODES = ["lexical", "dense", "hybrid"]
QUOTE_CHARS = 400  # a longer quote is cut on screen (never in --json)


def _sources(answer) -> None:
    if not answer.citations:
        return
    console.print("\n[bold]Sources[/bold]")
    for n, c in enumerate(answer.citations, 1):
        quote = " ".join(c.quote.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[:QUOTE_CHARS].rstrip() + " …"
        when = format_date(c.session_date, answer.language) if c.session_date else "—"
        head = " — ".join(x for x in (c.body_label, when, c.code, c.part) if x)
        console.print(f"[{n}] {escape(head)} ({escape(c.source)}, {c.start}-{c.end})")
        console.print(f"    « {escape(quote)} »", style="dim")


def register(app: typer.Typer) -> None:
    from . import assistant_from

    @app.command("ask")
    def ask(
        ctx: typer.Context,
        question: Annotated[str, typer.Argument(help="La question, en français ou en anglais.")],
        as_json: Annotated[bool, typer.Option("--json", help="La réponse complète en JSON (citations, intention, "
                                                             "entités, temps).")] = False,
        session: Annotated[
            str | None,
            typer.Option("--session", help="Nom de conversation : les questions de suivi (« Et en 2020 ? ») "
                                           "reprennent le contexte de la précédente."),
        ] = None,
        year: Annotated[int | None, typer.Option("--year", help="Limiter à une année de séance.")] = None,
        body: Annotated[str | None, typer.Option("--body", help=f"Assemblée : {', '.join(BODIES)}.")] = None,
        act_type: Annotated[str | None, typer.Option("--act-type", help="Limiter à un type d'acte (subvention, "
                                                                        "marche, avenant…).")] = None,
        stream: Annotated[bool, typer.Option("--stream", help="Afficher la réponse au fil de sa production "
                                                              "(avec un modèle de langage).")] = False,
        mode: Annotated[
            str | None,
            typer.Option("--mode", help="Recherche des passages : lexical, dense ou hybrid (défaut : hybride si "
                                        "l'index dense est disponible)."),
        ] = None,
    ) -> None:
        """Poser une question au registre : réponse exacte, dans la langue de la question, avec ses citations."""
        if body and body not in BODIES:
            err.print(f"Assemblée inconnue : « {body} ». Valeurs possibles : {', '.join(BODIES)}.")
            raise typer.Exit(2)
        if mode and mode not in MODES:
            err.print(f"Mode de recherche inconnu : « {mode} ». Valeurs possibles : {', '.join(MODES)}.")
            raise typer.Exit(2)
        if not question.strip():
            err.print("La question est vide.")
            raise typer.Exit(2)
        a = assistant_from(ctx)
        try:
            if a.registry.count() == 0:
                err.print(f"Le registre {a.settings.registry_path} est vide : ingérez d'abord des extraits "
                          "(delib ingest corpus/).")
                raise typer.Exit(1)
            given = (("year", year), ("body", body), ("act_type", act_type), ("mode", mode))
            filters = {k: v for k, v in given if v is not None}
            streamed: list[str] = []

            def on_token(text: str) -> None:
                streamed.append(text)
                if stream and not as_json:
                    console.print(escape(text), end="", soft_wrap=True)

            answer = a.ask(question, session=session, filters=filters or None, stream=stream, on_token=on_token)
        finally:
            a.close()
        if as_json:
            print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        if stream and streamed:
            console.print()
            # What streamed was verified sentence by sentence, but the final answer is the word that
            # counts: after a fallback to the registry answer, show that one too.
            if " ".join("".join(streamed).split()) != " ".join(answer.answer.split()):
                console.print("\n[bold]Réponse vérifiée :[/bold]" if answer.language == "fr"
                              else "\n[bold]Verified answer:[/bold]")
                console.print(escape(answer.answer), soft_wrap=True)
        else:
            console.print(escape(answer.answer), soft_wrap=True)
        _sources(answer)
        for note in answer.notes:
            err.print(f"[yellow]Note :[/yellow] {escape(note)}")
