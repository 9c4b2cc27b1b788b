"""Evaluation tab: run a question set (the shipped one or an uploaded YAML/JSONL) through the app's own
assistant, with a progress bar; the metrics, the failed questions (expected vs. answered), plots and
the report to download. Runner, metrics, plots and report are `delib eval`'s own (assistant.evaluation)."""

from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr

from . import render
from .context import UIContext

SHIPPED, UPLOADED = "Jeux fournis", "Fichier importé"
FAILED_HEADERS = ["Question", "Jeu", "Intention", "Attendu", "Réponse obtenue", "Raisons"]
METRIC_HEADERS = ["Mesure", "Valeur"]
SET_HEADERS = ["Jeu de questions", "Questions", "Réussite", "Refus justes", "Nombres sans source"]
# Beside the shipped set (eval/questions.yaml), the other shipped sets, asked in the same run: the real
# documents' set first.
OTHER_SETS = ("questions-real.yaml", "questions-handwritten.yaml")


def shipped_sets(main: Path) -> list[Path]:
    """The shipped question sets, the real one first (those present next to `main`)."""
    return [p for p in [*(main.parent / n for n in OTHER_SETS), main] if p.is_file()]


def set_rows(run) -> list[list[str]]:
    """Each question set apart, in the run's order (the real set first)."""
    from ..evaluation.questions import SET_LABELS
    from ..evaluation.report import fmt

    return [[SET_LABELS.get(name, name), str(m.get("questions", 0)), fmt(m.get("pass_rate"), "pct"),
             fmt(m.get("refusal_accuracy"), "pct"), fmt(m.get("unsupported_numbers"), "int")]
            for name, m in run.by_set.items()]


def metric_rows(run) -> list[list[str]]:
    from ..evaluation.report import METRICS, fmt

    return [[label.replace("@k", f"@{run.k}"), fmt(run.metrics.get(key), kind)] for key, label, kind in METRICS]


def failed_rows(run, questions) -> list[list[str]]:
    by_id = {q.id: q for q in questions}
    rows = []
    for r in run.results:
        if r.passed:
            continue
        q = by_id.get(r.id)
        if q is not None and q.none:
            expected = "aucune réponse dans le corpus"
        elif q is not None:
            expected = " ; ".join(q.expected) or " | ".join(" ; ".join(a) for a in q.alternatives)
            if q.sources:
                expected += f" (sources : {', '.join(q.sources)})"
        else:
            expected = "—"
        asked = r.question if not r.context else " → ".join([*r.context, r.question])
        rows.append([f"{r.id} : {asked}", r.set, r.intent, expected, r.answer or r.error or "", " ; ".join(r.reasons)])
    return rows


def build(ctx: UIContext) -> None:
    shipped = shipped_sets(ctx.question_set)
    names = ", ".join(p.name for p in shipped) or "absents"
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            gr.Markdown("### Jeu de questions")
            choice = gr.Radio([SHIPPED, UPLOADED], value=SHIPPED if shipped else UPLOADED,
                              label="Questions", elem_id="e-choice",
                              info=f"Jeux fournis (rapportés à part, le réel d'abord) : {names}")
            upload = gr.File(file_count="single", file_types=[".yaml", ".yml", ".jsonl"], type="filepath",
                             label="Jeu au format YAML ou JSONL (voir eval/README.md)", elem_id="e-upload", height=120)
            k = gr.Slider(1, 20, value=5, step=1, label="k (rappel des sources)", elem_id="e-k")
            go = gr.Button("Lancer l'évaluation", variant="primary", elem_id="e-run")
            report = gr.DownloadButton("Télécharger le rapport (.zip)", value=None, interactive=False,
                                       elem_id="e-report")
        with gr.Column(scale=3, min_width=480):
            status = gr.Markdown("", elem_id="e-status")
            with gr.Row(equal_height=False):
                metrics = gr.Dataframe(headers=METRIC_HEADERS, value=[], interactive=False, label="Mesures",
                                       column_widths=["68%", "32%"],
                                       elem_id="e-metrics", max_height=520, scale=2)
                with gr.Column(scale=3):
                    # the plots carry their own titles
                    intents = gr.Image(label="Taux de réussite par intention", show_label=False, type="filepath",
                                       height=250, elem_id="e-intents", interactive=False, buttons=["download"])
                    latency = gr.Image(label="Latence par question", show_label=False, type="filepath", height=250,
                                       elem_id="e-latency", interactive=False, buttons=["download"])
    by_set = gr.Dataframe(headers=SET_HEADERS, value=[], interactive=False, label="Par jeu de questions",
                          elem_id="e-sets")
    failed = gr.Dataframe(headers=FAILED_HEADERS, value=[], interactive=False, wrap=True, max_height=420,
                          label="Questions en échec", elem_id="e-failed",
                          column_widths=["22%", "7%", "8%", "19%", "28%", "16%"])

    def run(which, path, k_value, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        from ..evaluation import EvalConfig, load_questions
        from ..evaluation import metrics as m
        from ..evaluation import report as rep
        from ..evaluation.questions import QuestionSetError
        from ..evaluation.runner import AssistantAnswerer
        from ..evaluation.runner import run as run_set

        sources = shipped if which == SHIPPED else ([Path(path)] if path else [])
        if not sources or not all(p.is_file() for p in sources):
            msg = ("Les jeux fournis sont absents." if which == SHIPPED else "Importez d'abord un jeu de questions.")
            return (f"**{msg}**", gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())
        try:
            questions = [q for p in sources for q in load_questions(p)]
        except QuestionSetError as exc:
            return (f"**Jeu de questions refusé :** {render.esc(exc)}", [], [], [], None, None,
                    gr.update(value=None, interactive=False))
        source_name = " + ".join(p.name for p in sources)
        config = EvalConfig(name="app", description=f"l'application ({ctx.backend_label()})")
        answerer = AssistantAnswerer(ctx.assistant)  # the app's own assistant: same models, no reload
        progress(0, desc="Évaluation")

        def tick(done: int, total: int, qid: str) -> None:
            progress((done, total), desc=f"Question {qid}" if qid else "Évaluation")

        result = run_set(questions, answerer, m.RegistryDocs(ctx.registry), config, k=int(k_value), progress=tick)
        out = ctx.work_dir("eval")
        paths = rep.write_reports([result], out / "rapport", question_set=source_name)
        archive = shutil.make_archive(str(out / "rapport-evaluation"), "zip", out / "rapport")
        passed = result.metrics.get("passed", 0)
        failed = failed_rows(result, questions)
        text = (f"**{passed} / {len(questions)} questions réussies** en {result.seconds:.1f} s "
                f"(jeux : {render.esc(source_name)})." + ("" if failed else " Aucune question en échec."))
        return (text, metric_rows(result), set_rows(result), failed, str(paths["intents_plot"]),
                str(paths["latency_plot"]), gr.update(value=archive, interactive=True))

    go.click(run, [choice, upload, k], [status, metrics, by_set, failed, intents, latency, report],
             concurrency_id="jobs",
             concurrency_limit=1, api_name="evaluate")
    upload.upload(lambda _: UPLOADED, upload, choice, queue=False, api_visibility="private")
