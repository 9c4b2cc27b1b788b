"""`delib eval`: run a question set through `ask`, score it, compare configurations, write reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err = Console(stderr=True)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Every shipped set, the real documents' first: asked as one run, reported set by set.
DEFAULT_SETS = [Path("eval/questions-real.yaml"), Path("eval/questions-handwritten.yaml"), Path("eval/questions.yaml")]


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _resolve(path: Path) -> Path:
    """A path as given, or relative to the project (so `delib eval` works from any folder)."""
    return path if path.exists() or path.is_absolute() else (REPO_ROOT / path if (REPO_ROOT / path).exists() else path)


def _split_args(args: list[str], compare: list[str]) -> tuple[list[Path], list[str]]:
    """The question sets (one or more files, asked as one run) and extra configuration names: `--compare A B`
    leaves B as a positional."""
    sets: list[Path] = []
    extra: list[str] = []
    for a in args:
        p = Path(a)
        if p.suffix.lower() in (".yaml", ".yml", ".jsonl") or p.exists():
            sets.append(_resolve(p))
        elif compare:
            extra.append(a)
        else:
            err.print(f"Argument inattendu : « {a} ». Pour comparer des configurations : --compare A B.")
            raise typer.Exit(2)
    return sets or [p for p in map(_resolve, DEFAULT_SETS) if p.is_file()], extra


def _names(paths: list[Path]) -> str:
    return " + ".join(str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p) for p in paths)


def _ensure_corpus(settings, corpus: Path | None) -> None:
    """Ingest `corpus` (or the shipped corpus/ when the registry is empty): the set's sources must exist."""
    from ..core import Assistant

    a = Assistant(settings)
    try:
        if corpus is None:
            if a.registry.count():
                return
            corpus = REPO_ROOT / "corpus"
            if not corpus.is_dir():
                err.print(f"Le registre {settings.registry_path} est vide : lancez d'abord `delib ingest`.")
                raise typer.Exit(1)
            err.print(f"Registre vide : ingestion de {corpus} avant l'évaluation.")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                      transient=True) as progress:
            task = progress.add_task("ingestion", total=None)
            report = a.ingest([corpus], lambda done, total, _=None: progress.update(task, completed=done,
                                                                                       total=total))
        err.print(report.summary() if hasattr(report, "summary") else str(report))
    finally:
        a.close()


def metrics_table(runs) -> Table:
    from ..evaluation.report import METRICS, SHORT, fmt, fmt_delta

    names = [r.config.name for r in runs]
    table = Table(title=f"Évaluation — {runs[0].metrics['questions']} questions, k = {runs[0].k}")
    table.add_column("mesure", no_wrap=True)
    for n in names:
        table.add_column(n, justify="right")
    for n in names[1:]:
        table.add_column(f"Δ {n}", justify="right")
    for key, _label, kind in METRICS:
        values = [r.metrics.get(key) for r in runs]
        deltas = [fmt_delta(None if v is None or values[0] is None else v - values[0], kind) for v in values[1:]]
        table.add_row(SHORT[key].replace("@k", f"@{runs[0].k}"), *(fmt(v, kind) for v in values), *deltas)
    return table


def sets_table(runs) -> Table:
    """Pass rate and questions per question set, the real set first."""
    from ..evaluation.questions import SET_LABELS
    from ..evaluation.report import fmt

    table = Table(title="Par jeu de questions (le jeu réel d'abord)")
    table.add_column("jeu", no_wrap=True)
    table.add_column("questions", justify="right")
    for r in runs:
        table.add_column(f"réussite {r.config.name}", justify="right")
    for name, stats in runs[0].by_set.items():
        table.add_row(SET_LABELS.get(name, name), str(stats.get("questions", 0)),
                      *(fmt(r.by_set.get(name, {}).get("pass_rate"), "pct") for r in runs))
    return table


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_(
        ctx: typer.Context,
        args: Annotated[
            list[str] | None,
            typer.Argument(help="Jeux de questions (.yaml ou .jsonl), un ou plusieurs, posés en une seule évaluation "
                                "et rapportés jeu par jeu ; défaut : eval/questions-real.yaml, "
                                "eval/questions-handwritten.yaml et eval/questions.yaml.",
                           show_default=False),
        ] = None,
        compare: Annotated[
            list[str] | None,
            typer.Option("--compare", help="Configurations à comparer (eval/configs/NOM.yaml) : "
                                           "--compare lexical dense hybrid naive-rag (ou séparées par des virgules)."),
        ] = None,
        config: Annotated[
            str, typer.Option("--config", help="Configuration d'une évaluation simple (défaut : réglages courants).")
        ] = "default",
        out: Annotated[
            Path | None, typer.Option("--out", help="Dossier du rapport : results.json, report.md, graphiques PNG.")
        ] = None,
        k: Annotated[int, typer.Option("--k", min=1, help="Rang k du rappel@k des sources.")] = 5,
        thresholds: Annotated[
            Path | None,
            typer.Option("--thresholds", help="Seuils (YAML min/max) : code de sortie 1 si la 1re configuration "
                                              "ne les tient pas (ex. eval/thresholds.yaml)."),
        ] = None,
        corpus: Annotated[
            Path | None, typer.Option("--corpus", help="Ingérer ce dossier avant l'évaluation (défaut : "
                                                          "corpus/ seulement si le registre est vide).")
        ] = None,
        drafts: Annotated[
            Path | None, typer.Option("--drafts", help="Évaluer aussi les brouillons de ce jeu (eval/drafts.yaml).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON (mesures et résultats par question).")] = False,
    ) -> None:
        """Évaluer l'assistant sur un jeu de questions : réussite, rappel, citations, refus, latence."""
        from ..config import Settings
        from ..evaluation import load_config, load_questions, metrics, report, runner
        from ..evaluation.questions import QuestionSetError

        names = [n.strip() for c in (compare or []) for n in c.split(",") if n.strip()]
        question_set, extra = _split_args(args or [], names)
        names += extra
        try:
            questions = [q for path in question_set for q in load_questions(path)]
            if len({q.id for q in questions}) < len(questions):
                raise ValueError("identifiant de question en double d'un jeu à l'autre")
            configs = [load_config(n) for n in (names or [config])]
        except (QuestionSetError, ValueError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        base = ctx.obj if isinstance(ctx.obj, Settings) else Settings.load()
        _ensure_corpus(base, corpus)

        runs = []
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[qid]}"), TimeElapsedColumn(), console=err) as progress:
            for cfg in configs:
                task = progress.add_task(f"{cfg.name}", total=len(questions), qid="chargement…")

                def tick(done: int, total: int, qid: str, task=task) -> None:
                    progress.update(task, completed=done, qid=qid)

                try:
                    runs.append(runner.run_config(questions, cfg, base, k=k, progress=tick))
                except Exception as exc:  # noqa: BLE001 - a configuration that cannot start is named, not a traceback
                    err.print(f"[red]Configuration « {cfg.name} » impossible : {type(exc).__name__}: {exc}[/red]")
                    raise typer.Exit(1) from None

        draft_summary = None
        if drafts:
            draft_summary = _run_drafts(base, _resolve(drafts), out)
        if out:
            paths = report.write_reports(runs, out, question_set=_names(question_set))
            err.print(f"Rapport écrit : {paths['markdown']} ({', '.join(p.name for p in paths.values())})")
        failures = []
        if thresholds:
            import yaml

            limits = yaml.safe_load(_resolve(thresholds).read_text(encoding="utf-8")) or {}
            failures = metrics.check_thresholds(runs[0].metrics, limits)
            failures += metrics.check_set_thresholds(runs[0].by_set, limits)
        if as_json:
            data = report.to_json(runs, question_set=_names(question_set))
            data["drafts"] = draft_summary
            data["threshold_failures"] = failures
            _print_json(data)
        else:
            console.print(sets_table(runs))
            console.print(metrics_table(runs))
            for r in runs:
                failed = [q for q in r.results if not q.passed]
                if failed:
                    console.print(f"[bold]{r.config.name}[/bold] : {len(failed)} échec(s) — "
                                  + ", ".join(q.id for q in failed[:20]) + (" …" if len(failed) > 20 else ""))
            if draft_summary:
                console.print("Brouillons : " + ", ".join(f"{k} = {v}" for k, v in draft_summary.items()))
        if failures:
            err.print("[red]Seuils non tenus :[/red]\n  " + "\n  ".join(failures))
            raise typer.Exit(1)


def _run_drafts(settings, path: Path, out: Path | None) -> dict:
    from ..core import Assistant
    from ..evaluation import drafting

    items = drafting.load_draft_set(path, REPO_ROOT)
    a = Assistant(settings)
    try:
        scores = drafting.run_draft_set(a, items, REPO_ROOT)
    finally:
        a.close()
    summary = drafting.summarise(scores)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "drafts.json").write_text(
            json.dumps({"summary": summary, "drafts": [s.model_dump() for s in scores]}, ensure_ascii=False,
                       indent=2), encoding="utf-8")
        (out / "drafts.md").write_text(drafting.to_markdown(scores), encoding="utf-8")
    return summary
