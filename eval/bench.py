"""Benchmark (a script, not a test; `make bench` runs it).

Prints, for the shipped corpus and optionally for N generated extracts added to it (`--synthetic 10000`):
lexical / dense / hybrid recall@k and MRR of the retriever on the question set (and, with --synthetic, on
a scale question set drawn from the generated truths: assistant/evaluation/scale.py), p50/p95 latency of a
search in each mode and of `ask`, the ingestion throughput (files are read in a pool of processes, one
per core), its peak memory, and the embedding throughput when a dense index is built. Writes the figures
to eval/reports/bench.json.

    .venv/bin/python eval/bench.py [--synthetic 10000] [--k 5] [--set eval/questions.yaml]
    .venv/bin/python eval/bench.py --synthetic 10000 --no-dense --work-dir /tmp/bench10k --reuse

`ask` is also timed, asked twice, on the questions whose answers grow with the registry (`LARGE_QUESTIONS`:
every deliberation, every grant, a person's sessions, a person in no list).

No dense index is built unless the settings keep one (DELIB_DENSE_WEIGHT > 0 or DELIB_EMBEDDING_MODEL,
as for the app) or `--dense` asks for the shipped model's (to measure what it would cost and bring);
`--no-dense` never builds one (its report then carries the figures behind the dense-index decision
from eval/reports/bench-10000-dense.json, the run that measured them). `--reuse` keeps a registry
already built in the work dir instead of ingesting again (and reports the figures of the run that built
it, kept in bench-build.json beside it).

Follow-up questions (with a `context`) are left out of the retrieval figures: alone, their text does not
say what they ask. Questions whose sources are not in the registry are left out too (and counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.config import Settings
from assistant.core import Assistant
from assistant.evaluation import load_questions, metrics

console = Console()
MODES = ("lexical", "dense", "hybrid")


def callback(progress: Progress, description: str):
    """A callable(done, total, description) driving one task of a rich Progress (what ingest_paths takes)."""
    task = progress.add_task(description, total=None)

    def update(done: int, total: int, _what: str = "") -> None:
        progress.update(task, completed=done, total=total)

    return update


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def build(data_dir: Path, paths: list[Path], *, dense: bool = True) -> dict:
    """Ingest `paths` into a registry in `data_dir` and embed it (unless not `dense`); returns the timings."""
    a = Assistant(Settings.load(data_dir=data_dir))
    try:
        with _progress() as progress:
            t0 = time.perf_counter()
            report = a.ingest(paths, callback(progress, "ingestion"), embed=False)
            t1 = time.perf_counter()
            rss_ingest = peak_rss_mb()
            if dense:
                a.index.sync(progress=progress)
            t2 = time.perf_counter()
        stats = a.registry.stats()
    finally:
        a.close()
    docs = stats["deliberations"]
    return {
        "files": len(report.results), "files_per_s": len(report.results) / (t1 - t0) if t1 > t0 else None,
        "peak_rss_mb": rss_ingest, "peak_rss_mb_with_embedding": peak_rss_mb() if dense else None,
        "documents": docs, "chunks": stats["chunks"], "ingest_s": t1 - t0, "embed_s": t2 - t1 if dense else None,
        "ingest_docs_per_s": docs / (t1 - t0) if t1 > t0 else None,
        "embed_chunks_per_s": stats["chunks"] / (t2 - t1) if dense and t2 > t1 else None,
        "ingest_summary": report.summary() if hasattr(report, "summary") else str(report),
    }


def peak_rss_mb() -> dict:
    """Peak resident memory so far (MB): this process (it writes the registry) and its largest reader
    process (ru_maxrss of the children is the largest one's, not a sum)."""
    import resource

    return {"main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


# The build's figures, kept beside the registry so that a later --reuse run reports them.
BUILD_FILE = "bench-build.json"


def reused(data_dir: Path) -> dict | None:
    """The figures of a registry already built in `data_dir` (--reuse), or None when there is none."""
    settings = Settings.load(data_dir=data_dir)
    if not settings.registry_path.exists():
        return None
    a = Assistant(settings)
    try:
        stats = a.registry.stats()
    finally:
        a.close()
    if not stats["deliberations"]:
        return None
    saved = data_dir / BUILD_FILE
    if saved.exists():  # the figures of the run that built it
        return {**json.loads(saved.read_text(encoding="utf-8")), "build_reused": True}
    return {"documents": stats["deliberations"], "chunks": stats["chunks"], "ingest_s": None, "embed_s": None,
            "ingest_docs_per_s": None, "embed_chunks_per_s": None, "ingest_summary": "registre réutilisé"}


def retrieval_figures(retriever, docs, questions, k: int, mode: str, detail: bool = False) -> dict:
    """Recall@k, MRR and search latency of the retriever alone on `questions` (with `detail`, each
    question's rank of its source: 0 when not in the first 20)."""
    from assistant.index import deliberation_ids

    recalls, rrs, lat, ranks = [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        hits = retriever.retrieve(q.question, k=max(k, 20), mode=mode)
        lat.append((time.perf_counter() - t0) * 1000)
        names = [docs.source(i) or i for i in deliberation_ids(hits)]
        recall, rr = metrics.retrieval_scores(names, q.sources, k)
        recalls.append(recall)
        rrs.append(rr)
        ranks.append({"id": q.id, "question": q.question, "rank": round(1 / rr) if rr else 0})
    out = {
        f"recall@{k}": sum(recalls) / len(recalls) if recalls else None,
        "mrr": sum(rrs) / len(rrs) if rrs else None,
        "search_p50_ms": metrics.percentile(lat, 50),
        "search_p95_ms": metrics.percentile(lat, 95),
    }
    if detail:
        out["missed"] = [r for r in ranks if r["rank"] != 1]
    return out


def scale_figures(retriever, docs, questions, k: int) -> dict:
    """The lexical retriever on the scale question set: overall, and by what the questions name."""
    kinds = sorted({q.tags.intent for q in questions})
    return {"label": "synthétique, généré depuis la vérité du générateur", "questions": len(questions),
            **retrieval_figures(retriever, docs, questions, k, "lexical", detail=True),
            "by_kind": {kind: {"questions": sum(q.tags.intent == kind for q in questions),
                               **retrieval_figures(retriever, docs, [q for q in questions if q.tags.intent == kind],
                                                   k, "lexical")}
                        for kind in kinds}}


def bench(data_dir: Path, set_path: Path, k: int, ask_runs: bool, *, dense: bool = True,
          scale: list | None = None) -> dict:
    from assistant.index import HybridRetriever

    questions = load_questions(set_path)
    settings = Settings.load(data_dir=data_dir)
    if not dense and settings.chroma_path.exists():  # ask would take it for an index to reconcile (embed)
        raise SystemExit(f"--no-dense : {settings.chroma_path} existe ; choisir un autre --work-dir.")
    # Without the dense index, the retriever is lexical only (and `ask` finds no Chroma folder: lexical).
    a = Assistant(settings) if dense else Assistant(settings, index=None)
    if not dense:
        a.__dict__["retriever"] = HybridRetriever(registry=a.registry, dense=None)
    out: dict = {"modes": {}}
    try:
        docs = metrics.RegistryDocs(a.registry)
        present = {metrics.source_key(docs.source(i) or i) for i in a.registry.ids()}
        usable = [q for q in questions if q.sources and not q.context
                  and all(metrics.source_key(s) in present for s in q.sources)]
        out["questions_used"] = len(usable)
        out["questions_skipped"] = len(questions) - len(usable)
        retriever = a.retriever
        retriever.retrieve(usable[0].question if usable else "subvention", k=k, mode="hybrid")  # warm-up
        for mode in (MODES if dense else ("lexical",)):
            out["modes"][mode] = retrieval_figures(retriever, docs, usable, k, mode)
        if scale:
            out["scale"] = scale_figures(retriever, docs, scale, k)
        if ask_runs:
            if not dense:  # a fresh facade: `ask` finds no Chroma folder and answers as the app does without one
                a.close()
                a = Assistant(settings)
            out["ask"] = _bench_ask(a, questions)
    finally:
        a.close()
    return out


def _bench_ask(a: Assistant, questions) -> dict:
    try:
        from assistant.answer import ask  # noqa: F401
    except ImportError as exc:
        return {"error": f"ask indisponible : {exc}"}
    standalone = [q for q in questions if not q.context]
    t0 = time.perf_counter()
    a.prepare_answers()  # what the app builds at its start, in the background (the answers' catalog)
    prepare_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    a.ask(standalone[0].question)  # warm-up: model loading is no answer's latency
    first_ms = (time.perf_counter() - t0) * 1000
    lat, steps = [], []
    for q in standalone:
        t0 = time.perf_counter()
        answer = a.ask(q.question)
        lat.append((time.perf_counter() - t0) * 1000)
        steps.append(answer.timings_ms)
    slowest = sorted(zip(lat, (q.id for q in standalone), steps), key=lambda s: s[0], reverse=True)[:5]
    return {"questions": len(lat), "ask_p50_ms": metrics.percentile(lat, 50),
            "ask_p95_ms": metrics.percentile(lat, 95), "ask_max_ms": max(lat) if lat else None,
            "prepare_answers_ms": prepare_ms, "first_ask_ms": first_ms,
            "slowest": [{"id": qid, "ms": round(ms, 1), "steps_ms": st} for ms, qid, st in slowest],
            "large": _bench_large(a)}


# Questions whose answers grow with the registry (every deliberation, every grant, a person's sessions):
# the answer verifies every item it counts or sums. Asked twice: first, then again (memoised checks).
LARGE_QUESTIONS = ("Combien de délibérations ?", "Total des subventions ?", "Martial ALVAREZ était-il présent ?",
                   "Was Daniel ANTONINI present?", "Jean DUPONT était-il présent ?")


def _bench_large(a: Assistant) -> list[dict]:
    out = []
    for question in LARGE_QUESTIONS:
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            answer = a.ask(question)
            runs.append((time.perf_counter() - t0) * 1000)
        out.append({"question": question, "ms": round(runs[0], 1), "again_ms": round(runs[1], 1),
                    "citations": len(answer.citations), "lines": answer.answer.count("\n") + 1,
                    "found": answer.found, "steps_ms": answer.timings_ms})
    return out


def synthetic_corpus(out_dir: Path, n: int, seed: int) -> Path:
    """N generated extracts in out_dir: generated, or kept when the folder already holds N extracts and
    their truths (the generator is deterministic for a seed: 100,000 take about 10 minutes to write)."""
    from assistant.synth import write_corpus

    if out_dir.is_dir() and len(list(out_dir.glob("*.txt"))) == n and len(list(out_dir.glob("*.truth.json"))) == n:
        console.print(f"{n} extraits synthétiques déjà écrits dans {out_dir} : réutilisés.")
        return out_dir
    with console.status(f"Génération de {n} extraits synthétiques…"):
        write_corpus(out_dir, n, seed)
    return out_dir


def scale_set(truths: Path, n: int, seed: int) -> list:
    """The scale question set (assistant/evaluation/scale.py) over every generated extract's truth."""
    from assistant.evaluation.scale import load_truths, scale_questions

    with console.status("Jeu de questions à l'échelle (vérité des extraits générés)…"):
        return scale_questions(load_truths(truths), n, seed)


# Where the figures behind "no dense index by default" were measured (README): carried into a --no-dense
# report, which measures no dense list itself.
DENSE_DECISION = ROOT / "eval" / "reports" / "bench-10000-dense.json"


def dense_decision(path: Path = DENSE_DECISION) -> dict | None:
    """Recall@k / MRR by mode and the embedding cost of the run behind the dense-index decision."""
    if not path.exists():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    return {"source": str(path.relative_to(ROOT)), "dense_model": "all-MiniLM-L6-v2 (livré)", "scenarios": {
        name: {"modes": {mode: {key: m[key] for key in (f"recall@{report['k']}", "mrr")} for mode, m in sc["modes"].items()},
               "embed_s": sc["build"].get("embed_s"), "embed_chunks_per_s": sc["build"].get("embed_chunks_per_s"),
               "chunks": sc["build"].get("chunks")}
        for name, sc in report["scenarios"].items()}}


def print_table(name: str, build_info: dict, result: dict, k: int) -> None:
    table = Table(title=f"{name} — {build_info['documents']} délibérations, {build_info['chunks']} passages "
                        f"({result['questions_used']} questions)")
    for col in ("mode", f"rappel@{k}", "MRR", "recherche p50 (ms)", "recherche p95 (ms)"):
        table.add_column(col, justify="right")

    def f(v, pattern="{:.3f}"):
        return "—" if v is None else pattern.format(v)

    for mode, m in result["modes"].items():
        table.add_row(mode, f(m[f"recall@{k}"]), f(m["mrr"]), f(m["search_p50_ms"], "{:.1f}"),
                      f(m["search_p95_ms"], "{:.1f}"))
    console.print(table)
    scale = result.get("scale")
    if scale:
        console.print(f"Jeu à l'échelle ({scale['label']}, {scale['questions']} questions) : rappel@{k} "
                      f"{f(scale[f'recall@{k}'])}, MRR {f(scale['mrr'])}, recherche p50 "
                      f"{f(scale['search_p50_ms'], '{:.1f}')} ms, p95 {f(scale['search_p95_ms'], '{:.1f}')} ms ; "
                      + ", ".join(f"{kind} {f(m[f'recall@{k}'])} / {f(m['mrr'])} ({m['questions']})"
                                  for kind, m in scale["by_kind"].items()))
    ask = result.get("ask") or {}
    if "ask_p50_ms" in ask:
        console.print(f"préparation des réponses (au démarrage de l'application) : "
                      f"{ask['prepare_answers_ms'] / 1000:.1f} s ; première question {ask['first_ask_ms']:.0f} ms")
        console.print(f"ask : p50 {ask['ask_p50_ms']:.0f} ms, p95 {ask['ask_p95_ms']:.0f} ms "
                      f"sur {ask['questions']} questions ; les plus lentes : "
                      + ", ".join(f"{s['id']} ({s['ms']:.0f} ms)" for s in ask["slowest"]))
        for r in ask.get("large", []):
            console.print(f"  « {r['question']} » : {r['ms']:.0f} ms, à nouveau {r['again_ms']:.0f} ms "
                          f"({r['citations']} citations, {r['lines']} lignes ; vérification "
                          f"{r['steps_ms'].get('compose_verify', 0):.0f} ms)")
    elif ask:
        console.print(ask.get("error", ""))
    rss = build_info.get("peak_rss_mb") or {}
    if rss:
        console.print(f"Mémoire de pointe : {rss['main']:.0f} Mo (processus principal), {rss['largest_worker']:.0f} Mo "
                      f"(plus gros lecteur) ; {f(build_info.get('files_per_s'), '{:.1f}')} fichiers/s")
    console.print(f"Ingestion : {f(build_info['ingest_s'], '{:.1f}')} s "
                  f"({f(build_info['ingest_docs_per_s'], '{:.1f}')} doc/s) ; embeddings : "
                  f"{f(build_info['embed_s'], '{:.1f}')} s ({f(build_info['embed_chunks_per_s'], '{:.1f}')} passages/s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--set", type=Path, default=ROOT / "eval" / "questions.yaml")
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--synthetic", type=int, default=0, help="ajouter N extraits générés (ex. 10000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=int, default=200,
                   help="questions du jeu « à l'échelle » tirées de la vérité des extraits générés (0 : aucune)")
    p.add_argument("--no-ask", action="store_true", help="ne pas mesurer ask")
    p.add_argument("--no-dense", action="store_true",
                   help="sans index dense (pas d'embeddings) : recherche lexicale et ask seulement")
    p.add_argument("--dense", action="store_true",
                   help="construire et mesurer l'index dense du modèle livré (désactivé par défaut, voir README)")
    p.add_argument("--reuse", action="store_true",
                   help="réutiliser les registres déjà construits dans --work-dir (pas de nouvelle ingestion)")
    p.add_argument("--only-synthetic", action="store_true", help="mesurer seulement le scénario --synthetic")
    p.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench.json")
    p.add_argument("--work-dir", type=Path, help="garder les registres construits dans ce dossier (sinon temporaire)")
    p.add_argument("--data-dir", type=Path, help="registre du corpus livré à réutiliser (ingestion incrémentale) "
                                                 "au lieu d'un dossier temporaire")
    args = p.parse_args(argv)

    report: dict = {
        "k": args.k, "set": str(args.set), "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "scenarios": {},
    }
    with tempfile.TemporaryDirectory(prefix="delib-bench-") as tmp:
        if args.work_dir:
            tmp = str(args.work_dir)
        scenarios = [(0, "corpus livré", lambda: [args.corpus])]
        if args.synthetic:
            scenarios.append((1, f"corpus livré + {args.synthetic} synthétiques",
                              lambda: [args.corpus, synthetic_corpus(Path(tmp) / "synth", args.synthetic, args.seed)]))
            if args.only_synthetic:
                scenarios = scenarios[1:]
        # The dense index is built and measured only when the settings keep one (DELIB_DENSE_WEIGHT > 0 or
        # DELIB_EMBEDDING_MODEL), or with --dense; never with --no-dense.
        dense = not args.no_dense and (args.dense or Settings.load().dense_enabled)
        for i, name, paths in scenarios:
            data_dir = args.data_dir if (args.data_dir and i == 0) else Path(tmp) / f"data{i}"
            info = reused(data_dir) if args.reuse else None
            if info is None:
                info = build(data_dir, paths(), dense=dense)
                (data_dir / BUILD_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
            info["reused_registry"] = bool(args.data_dir and i == 0)  # then the build timings are incremental
            info["dense_index"] = dense
            truths = Path(tmp) / "synth"
            scale = scale_set(truths, args.scale, args.seed) if i == 1 and args.scale and truths.exists() else None
            result = bench(data_dir, args.set, args.k, not args.no_ask, dense=dense, scale=scale)
            print_table(name, info, result, args.k)
            report["scenarios"][name] = {"build": info, **result}
    if not dense:
        report["dense_decision"] = dense_decision()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"Écrit : {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
