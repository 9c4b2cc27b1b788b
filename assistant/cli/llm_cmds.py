"""`delib llm check`: which LLM backend is configured, and does it answer."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    llm_app = typer.Typer(help="Le modèle de langue optionnel (DELIB_LLM_BACKEND : none, openai, local).",
                          no_args_is_help=True)
    app.add_typer(llm_app, name="llm")

    @llm_app.command("check")
    def check(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Dire quel backend LLM est configuré et s'il répond (une question d'un mot)."""
        from ..llm import LLMError, make_backend

        settings = ctx.obj
        if settings is None:
            from ..config import Settings

            settings = Settings.load()
        try:
            backend = make_backend(settings)
        except LLMError as exc:
            info = {"backend": settings.llm_backend, "ok": False, "error": str(exc)}
            backend = None
        else:
            if backend is None:
                info = {"backend": "none", "model": None, "where": None, "ok": True, "latency_ms": None,
                        "reply": None, "error": None}
            else:
                info = backend.check()
        if as_json:
            print(json.dumps(info, ensure_ascii=False, indent=2))
        elif info["backend"] == "none":
            console.print("Backend LLM : [bold]none[/bold] — réponses composées sans modèle "
                          "(DELIB_LLM_BACKEND=openai ou local pour en configurer un).")
        elif info["ok"]:
            console.print(f"Backend LLM : [bold]{info['backend']}[/bold], modèle {info['model']}"
                          f"{' (' + info['where'] + ')' if info.get('where') else ''} — "
                          f"[green]répond[/green] en {info['latency_ms']:.0f} ms : « {info['reply'][:80]} »")
        else:
            err.print(f"Backend LLM : [bold]{info['backend']}[/bold]"
                      f"{', modèle ' + info['model'] if info.get('model') else ''} — "
                      f"[red]ne répond pas[/red] : {info['error']}")
        if not info["ok"]:
            raise typer.Exit(1)
