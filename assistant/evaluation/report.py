"""Reports of an evaluation: results.json, report.md and PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

import json
from pathlib import Path

from .questions import SET_LABELS
from .runner import RunResult, compare

# Metrics shown in tables, in order, with their French label and format.
METRICS: list[tuple[str, str, str]] = [
    ("questions", "Questions", "int"),
    ("pass_rate", "Taux de réussite", "pct"),
    ("expected_recall", "Rappel des chaînes attendues", "pct"),
    ("forbidden_violations", "Chaînes interdites présentes", "int"),
    ("recall_at_k", "Rappel@k des sources", "pct"),
    ("mrr", "MRR des sources", "num"),
    ("search_recall_at_k", "Rappel@k de la recherche seule", "pct"),
    ("search_mrr", "MRR de la recherche seule", "num"),
    ("citation_precision", "Précision des citations", "pct"),
    ("citation_recall", "Rappel des citations", "pct"),
    ("invalid_citations", "Citations non conformes au texte", "int"),
    ("refusal_accuracy", "Refus justes (questions sans réponse)", "pct"),
    ("false_answers", "Réponses inventées (questions sans réponse)", "int"),
    ("false_refusals", "Refus à tort", "int"),
    ("unsupported_numbers", "Nombres absents des sources", "int"),
    ("errors", "Erreurs", "int"),
    ("latency_p50_ms", "Latence p50 (ms)", "ms"),
    ("latency_p95_ms", "Latence p95 (ms)", "ms"),
    ("search_p50_ms", "Latence de la recherche p50 (ms)", "ms"),
    ("search_p95_ms", "Latence de la recherche p95 (ms)", "ms"),
]
DEFINITIONS = [
    ("- Réussite : la réponse contient toutes les chaînes attendues (ou une alternative complète), aucune "
    "chaîne interdite, aucun nombre absent des sources citées, des citations conformes au texte ; sur une "
    "question sans réponse dans le corpus, l'assistant doit le dire."),
    ("- Rappel@k / MRR : documents attendus parmi les k premiers documents retrouvés / inverse du rang du "
    "premier document attendu."),
    ("- Précision des citations : part des documents cités qui sont attendus ou qui contiennent une chaîne "
    "attendue dans la citation ; rappel des citations : part des documents attendus cités."),
    ("- Nombres absents des sources : nombres de la réponse absents de la question, des citations, du texte "
    "des documents cités, et qui ne sont ni un total des montants cités ni un nombre de citations."),
    "- Latence : temps de `ask` pour la question elle-même (le contexte rejoué n'est pas compté).",
]
# Short labels for terminal tables.
SHORT = {
    "questions": "questions", "pass_rate": "réussite", "expected_recall": "rappel attendus",
    "forbidden_violations": "interdits", "recall_at_k": "rappel@k", "mrr": "MRR",
    "citation_precision": "précision cit.", "citation_recall": "rappel cit.", "invalid_citations": "cit. fausses",
    "refusal_accuracy": "refus justes", "false_answers": "réponses inventées", "false_refusals": "refus à tort",
    "unsupported_numbers": "nombres sans source", "errors": "erreurs", "latency_p50_ms": "latence p50 ms",
    "latency_p95_ms": "latence p95 ms", "search_recall_at_k": "recherche rappel@k", "search_mrr": "recherche MRR",
    "search_p50_ms": "recherche p50 ms", "search_p95_ms": "recherche p95 ms",
}
# Rate metrics plotted on one 0-1 scale.
PLOTTED = ["pass_rate", "expected_recall", "recall_at_k", "mrr", "search_recall_at_k", "search_mrr",
           "citation_precision", "citation_recall", "refusal_accuracy"]


def fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * value:.1f} %".replace(".", ",")
    if kind == "num":
        return f"{value:.3f}".replace(".", ",")
    if kind == "ms":
        return f"{value:.0f}"
    return str(value)


def fmt_delta(value, kind: str) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "="
    sign = "+" if value > 0 else "−"
    if kind == "pct":
        return f"{sign}{abs(100 * value):.1f} pt".replace(".", ",")
    return sign + fmt(abs(value), kind)


def to_json(runs: list[RunResult], *, question_set: str) -> dict:
    return {
        "question_set": question_set,
        "runs": [r.model_dump(mode="json") for r in runs],
        "comparison": compare(runs) if len(runs) > 1 else None,
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_table(runs: list[RunResult]) -> str:
    """Metrics side by side; with several runs, each one's difference to the first (reference)."""
    names = [r.config.name for r in runs]
    header = ["Mesure", *names]
    if len(runs) > 1:
        header += [f"Δ {n} − {names[0]}" for n in names[1:]]
    rows = []
    for key, label, kind in METRICS:
        values = [r.metrics.get(key) for r in runs]
        row = [label.replace("@k", f"@{runs[0].k}"), *(fmt(v, kind) for v in values)]
        for v in values[1:]:
            ref = values[0]
            row.append(fmt_delta(None if v is None or ref is None else v - ref, kind))
        rows.append(row)
    return _table(header, rows)


def breakdown_table(runs: list[RunResult], attr: str, labels: dict[str, str] | None = None) -> str:
    """One row per group; the groups in the first run's order (the real set first, for sets)."""
    groups = list(dict.fromkeys(g for r in runs for g in getattr(r, attr)))
    if attr != "by_set":
        groups.sort()
    header = ["Groupe", "Questions"] + [f"Réussite {r.config.name}" for r in runs] + \
             [f"Rappel@{runs[0].k} {r.config.name}" for r in runs]
    rows = []
    for g in groups:
        stats = [getattr(r, attr).get(g, {}) for r in runs]
        rows.append([(labels or {}).get(g, g), str(stats[0].get("questions", 0))]
                    + [fmt(s.get("pass_rate"), "pct") for s in stats]
                    + [fmt(s.get("recall_at_k"), "pct") for s in stats])
    return _table(header, rows)


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def failures_section(run: RunResult) -> str:
    failed = [r for r in run.results if not r.passed]
    if not failed:
        return f"Aucun échec pour « {run.config.name} »."
    rows = [[r.id, _short(r.question, 80), "; ".join(r.reasons), _short(r.answer or r.error or "")]
            for r in failed]
    return _table(["id", "question", "raisons", "réponse"], rows)


def to_markdown(runs: list[RunResult], *, question_set: str, plots: list[str]) -> str:
    ref = runs[0]
    parts = [
        "# Rapport d'évaluation",
        "",
        (f"Jeu de questions : `{question_set}` — {ref.metrics['questions']} questions, k = {ref.k}, "
         f"lancé le {ref.started}."),
        "",
        "Configurations : " + "; ".join(f"**{r.config.name}** ({r.config.description or r.config.system})"
                                        for r in runs) + ".",
        "",
        "## Par jeu de questions",
        "",
        ("Chaque jeu à part, le jeu réel d'abord : questions écrites à la main en lisant des documents publiés par "
        "d'autres collectivités (`corpus/real/`) ; extraits écrits à la main ; graine ; corpus généré (questions "
        "écrites par `eval/make_questions.py` depuis la vérité du générateur)."),
        "",
        breakdown_table(runs, "by_set", SET_LABELS),
        "",
        "## Mesures (tous jeux confondus)",
        "",
        metrics_table(runs),
        "",
    ]
    if plots:
        parts += ["## Graphiques", ""] + [f"![{p}]({p})" for p in plots] + [""]
    parts += ["## Par intention", "", breakdown_table(runs, "by_intent"), "",
              "## Par langue", "", breakdown_table(runs, "by_language"), ""]
    for r in runs:
        parts += [f"## Échecs — {r.config.name}", "", failures_section(r), ""]
    parts += [
        "## Définitions",
        "",
        *DEFINITIONS,
        "",
    ]
    return "\n".join(parts)


def plot_metrics(runs: list[RunResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {k: label for k, label, _ in METRICS}
    keys = [k for k in PLOTTED if any(r.metrics.get(k) is not None for r in runs)]
    fig, ax = plt.subplots(figsize=(min(16, max(8, 0.45 * len(keys) * max(1, len(runs)) + 2)), 5))
    width = 0.8 / max(1, len(runs))
    for i, r in enumerate(runs):
        xs = [j + i * width - 0.4 + width / 2 for j in range(len(keys))]
        bars = ax.bar(xs, [r.metrics.get(k) or 0 for k in keys], width, label=r.config.name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([labels[k].replace("@k", f"@{runs[0].k}") for k in keys], rotation=25, ha="right",
                       fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title("Mesures par configuration")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(runs: list[RunResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = [[r.latency_ms for r in run.results if r.latency_ms is not None] or [0.0] for run in runs]
    fig, ax = plt.subplots(figsize=(max(6, 1.5 * len(runs) + 2), 4))
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(range(1, len(runs) + 1))
    ax.set_xticklabels([r.config.name for r in runs])
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    ax.set_title("Latence de `ask` par question")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_intents(runs: list[RunResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    intents = sorted({g for r in runs for g in r.by_intent})
    fig, ax = plt.subplots(figsize=(min(16, max(7, 0.3 * len(intents) * max(1, len(runs)) + 2)), 4.5))
    width = 0.8 / max(1, len(runs))
    for i, r in enumerate(runs):
        xs = [j + i * width - 0.4 + width / 2 for j in range(len(intents))]
        bars = ax.bar(xs, [r.by_intent.get(g, {}).get("pass_rate") or 0 for g in intents], width,
                      label=r.config.name)
        if len(intents) * len(runs) <= 24:  # beyond, the labels overlap
            ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(range(len(intents)))
    ax.set_xticklabels(intents, rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title("Taux de réussite par intention")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(runs: list[RunResult], out_dir: Path | str, *, question_set: str) -> dict[str, Path]:
    """results.json, report.md, metrics.png, latency.png, intents.png in `out_dir`; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "metrics_plot": out / "metrics.png",
        "latency_plot": out / "latency.png",
        "intents_plot": out / "intents.png",
    }
    plot_metrics(runs, paths["metrics_plot"])
    plot_latency(runs, paths["latency_plot"])
    plot_intents(runs, paths["intents_plot"])
    paths["json"] = out / "results.json"
    paths["json"].write_text(json.dumps(to_json(runs, question_set=question_set), ensure_ascii=False, indent=2),
                             encoding="utf-8")
    paths["markdown"] = out / "report.md"
    plots = [p.name for k, p in paths.items() if k.endswith("_plot")]
    paths["markdown"].write_text(to_markdown(runs, question_set=question_set, plots=plots), encoding="utf-8")
    return paths
