"""`delib corpus synth`: write a synthetic corpus of extracts with their ground truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    corpus = typer.Typer(
        help="Corpus : générer des extraits synthétiques avec leur vérité terrain.", no_args_is_help=True
    )

    @corpus.command("synth")
    def synth(
        out_dir: Annotated[Path, typer.Argument(help="Dossier où écrire les extraits (.txt + .truth.json).")],
        n: Annotated[int, typer.Option("--n", min=1, help="Nombre d'extraits.")] = 200,
        seed: Annotated[int, typer.Option("--seed", help="Graine : même graine, mêmes fichiers.")] = 2024,
        noise: Annotated[
            float,
            typer.Option("--noise", min=0.0, help="Bruit d'OCR : 0 = propre, 1 = comme l'extrait réel."),
        ] = 1.0,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Générer N extraits synthétiques (registre du Bureau, du Conseil, de conseils municipaux) et, pour
        chacun, un fichier NOM.truth.json des valeurs attendues. Les anciens fichiers synth_* du dossier sont
        remplacés."""
        from ..synth import write_corpus

        if out_dir.exists() and not out_dir.is_dir():
            err.print(f"« {out_dir} » existe et n'est pas un dossier.")
            raise typer.Exit(2)
        paths = write_corpus(out_dir, n, seed, noise)
        acts = Counter()
        bodies = Counter()
        for p in paths:
            truth = json.loads(p.with_name(p.stem + ".truth.json").read_text(encoding="utf-8"))
            acts[truth["act_type"]] += 1
            bodies[truth["body"]] += 1
        if as_json:
            print(
                json.dumps(
                    {
                        "out_dir": str(out_dir),
                        "n": len(paths),
                        "seed": seed,
                        "noise": noise,
                        "files": [p.name for p in paths],
                        "act_types": dict(acts),
                        "bodies": dict(bodies),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        console.print(f"{len(paths)} extrait(s) écrits dans {out_dir} (graine {seed}, bruit {noise:g}).")
        console.print("Assemblées : " + ", ".join(f"{k} {v}" for k, v in bodies.most_common()))
        console.print("Types d'actes : " + ", ".join(f"{k} {v}" for k, v in acts.most_common()))

    app.add_typer(corpus, name="corpus")
