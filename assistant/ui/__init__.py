"""The Gradio app: a thin shell over `Assistant` (ask, draft, ingest, evaluation), one module per tab.

`build_app(assistant)` returns the `gr.Blocks`; `launch(assistant, host=, port=)` adds the queue, the
login (DELIB_AUTH or a users file) and the upload limits. Gradio is imported here only, never by the
rest of the package.
"""

from __future__ import annotations

from pathlib import Path

from .context import SHIPPED_QUESTIONS, Preparation, UIContext

__all__ = ["CSS", "Preparation", "build_app", "launch", "theme"]

# Requests processed at once per event (2 cores); heavy jobs (ingestion, evaluation) one at a time.
CONCURRENCY = 2
QUEUE_SIZE = 256  # 100 sessions at once wait here rather than get "queue full"

CSS = """
.gradio-container { max-width: 1500px !important; }
#app-title h1 { margin-bottom: 0; }
#app-title p { margin-top: 2px; color: var(--body-text-color-subdued); }
#backend-indicator p { font-size: 0.9em; margin: 0; }
#prep-status p { font-size: 0.9em; margin: 0; color: var(--body-text-color-subdued); }
.sources { display: flex; flex-direction: column; gap: 10px; max-height: 560px; overflow-y: auto; }
.sources.empty, .record.empty, .precedents.empty, .draft-page.empty { color: var(--body-text-color-subdued);
  font-style: italic; padding: 8px 0; max-height: none; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  background: var(--block-background-fill); }
.src-head { font-weight: 600; }
.src-num { color: var(--color-accent); }
.src-object { font-size: 0.92em; margin: 2px 0 4px; }
.src-part { font-size: 0.85em; color: var(--body-text-color-subdued); }
.src-para { margin: 6px 0; padding: 6px 10px; border-left: 3px solid var(--color-accent);
  white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; }
mark.hl { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.hl-field { background: #dbeafe; color: inherit; border-radius: 2px; }
mark.hl-lint { background: #fecaca; color: inherit; border-bottom: 2px solid #dc2626; }
pre.raw { white-space: pre-wrap; font-size: 0.82em; line-height: 1.4; max-height: 520px; overflow-y: auto;
  background: var(--background-fill-secondary); padding: 8px; border-radius: 6px; }
details > summary { cursor: pointer; color: var(--link-text-color); font-size: 0.9em; }
.notes { font-size: 0.85em; color: var(--body-text-color-subdued); }
table.fields { width: 100%; border-collapse: collapse; font-size: 0.9em; }
table.fields th, table.fields td { border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; }
table.fields th { text-align: left; vertical-align: top; padding: 4px 8px 4px 0; white-space: nowrap;
  color: var(--body-text-color-subdued); font-weight: 500; width: 9em; }
table.fields td { padding: 4px 0; vertical-align: top; }
table.fields ul { margin: 0; padding-left: 1.1em; }
.draft-page { white-space: pre-wrap; font-family: "Liberation Serif", "Times New Roman", serif; font-size: 0.95em;
  line-height: 1.45; border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 16px 20px;
  background: white; color: #111; max-height: 780px; overflow-y: auto; }
.draft-page .part { margin-bottom: 0.8em; }
.draft-page .part-titre, .draft-page .part-objet { font-weight: 700; }
.draft-page .part-article { margin-left: 0.5em; }
ul.findings { list-style: none; padding: 0; margin: 0; font-size: 0.9em; }
ul.findings li { border-left: 4px solid #9ca3af; padding: 4px 8px; margin-bottom: 6px; }
ul.findings li.sev-erreur { border-color: #dc2626; }
ul.findings li.sev-avertissement { border-color: #f59e0b; }
ul.findings .sev { font-weight: 600; }
ul.findings .rule, ul.findings .where { color: var(--body-text-color-subdued); font-size: 0.9em; }
.findings.ok { color: #15803d; }
.precedent { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 8px; margin-bottom: 6px;
  font-size: 0.9em; }
#c-table, #c-results, #e-metrics, #e-failed { --font-mono: var(--font); font-size: 0.92em; }
.precedent .why { display: block; color: var(--body-text-color-subdued); font-size: 0.85em; }
"""


def theme():
    import gradio as gr

    # Local fonts only: the app works offline (no font downloaded from the web).
    return gr.themes.Default(primary_hue="indigo", neutral_hue="slate",
                             font=["system-ui", "Segoe UI", "DejaVu Sans", "sans-serif"],
                             font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"])


def build_app(assistant, *, question_set: Path | None = None, max_upload_bytes: int | None = None,
              preparation: Preparation | None = None):
    import gradio as gr

    from . import chat, corpus, draft, evaluation

    ctx = UIContext(assistant, question_set=question_set or SHIPPED_QUESTIONS)
    if preparation is not None:
        ctx.preparation = preparation
    if max_upload_bytes:
        ctx.max_upload_bytes = max_upload_bytes
    with gr.Blocks(title="Registre des délibérations — assistant", analytics_enabled=False) as demo:
        gr.Markdown("# Registre des délibérations\nQuestions, rédaction, corpus et évaluation — chaque réponse "
                    "est citée depuis les extraits du registre.", elem_id="app-title")
        status = gr.Markdown(ctx.preparation.message(), elem_id="prep-status")
        # Polled while the background preparation runs, then stopped (the last tick shows the summary).
        timer = gr.Timer(1.0, active=not ctx.preparation.finished)
        timer.tick(lambda: (ctx.preparation.message(), gr.Timer(active=not ctx.preparation.finished)),
                   None, [status, timer], queue=False, api_visibility="private", show_progress="hidden")
        loads = []
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Questions", id="chat", elem_id="tab-chat"):
                loads.append(chat.build(ctx)["load"])
            with gr.Tab("Rédaction", id="draft", elem_id="tab-draft"):
                draft.build(ctx)
            with gr.Tab("Corpus", id="corpus", elem_id="tab-corpus"):
                loads.append(corpus.build(ctx)["load"])
            with gr.Tab("Évaluation", id="evaluation", elem_id="tab-evaluation"):
                evaluation.build(ctx)
        for fn, *io in loads:
            inputs, outputs = (None, io[0]) if len(io) == 1 else io
            demo.load(fn, inputs, outputs, queue=False, api_visibility="private")
        demo.load(lambda: (ctx.preparation.message(), gr.Timer(active=not ctx.preparation.finished)),
                  None, [status, timer], queue=False, api_visibility="private")
    demo.ctx = ctx
    return demo


def launch(assistant, *, host: str = "127.0.0.1", port: int = 7860, users: dict[str, str] | None = None,
           max_upload_bytes: int | None = None, prevent_thread_lock: bool = False, quiet: bool = False,
           preparation: Preparation | None = None):
    """Start the app and return the Blocks (serving in a thread when `prevent_thread_lock`, else
    blocking). `users`: name -> bcrypt hash (default: from the settings); none = no login.
    `preparation`: the background work the app shows while it runs (see app.py)."""
    from .auth import checker, load_users

    demo = build_app(assistant, max_upload_bytes=max_upload_bytes, preparation=preparation)
    users = load_users(assistant.settings) if users is None else users
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    demo.launch(
        server_name=host, server_port=port, auth=checker(users),
        auth_message="Connectez-vous pour consulter le registre." if users else None,
        max_file_size=demo.ctx.max_upload_bytes, prevent_thread_lock=prevent_thread_lock, quiet=quiet,
        show_error=False, theme=theme(), css=CSS, footer_links=["settings"], ssr_mode=False,
        share=False, enable_monitoring=False, mcp_server=False, pwa=False,
    )
    return demo
