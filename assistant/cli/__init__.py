"""`delib`: the command line. This module only builds the app; each command group lives in its own
module (`*_cmds.py`) exposing `register(app)`, and calls the library through `Assistant`."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from ..config import Settings

app = typer.Typer(
    name="delib",
    help=(
        "Assistant des registres des délibérations : ingérer des extraits, chercher, poser des "
        "questions, rédiger et évaluer. Les données vont dans --data-dir (défaut ./data, ou DELIB_DATA_DIR)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

# Command groups, in the order they appear in --help.
COMMAND_MODULES = [
    "ingest_cmds",  # ingest, forget, cache clear
    "registry_cmds",  # list, show, stats
    "index_cmds",  # search, reindex
    "ask_cmds",  # ask
    "llm_cmds",  # llm check
    "draft_cmds",  # draft, lint, authorities
    "eval_cmds",  # eval
    "corpus_cmds",  # corpus synth
    "opendata_cmds",  # export (SCDL), history
    "bench_cmds",  # bench
]


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Dossier des données (registre SQLite, index). Défaut : ./data."),
    ] = None,
) -> None:
    ctx.obj = Settings.load(data_dir=data_dir)


def assistant_from(ctx: typer.Context):
    """The facade for a command, built from the settings the root callback loaded."""
    from ..core import Assistant

    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.load()
    return Assistant(settings)


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a group not written yet; never hide a broken import inside it
        if exc.name != f"{__name__}.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    app()
