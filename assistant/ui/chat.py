"""Chat tab: questions to the registry, streamed answers, follow-ups, the sources panel beside them.

The conversation is kept per browser session: a session id in `gr.State`, passed to `Assistant.ask`
(which keeps the turns for follow-ups, like `delib ask --session`), and the answers shown in another
`gr.State` so that clicking an earlier answer shows its sources again.
"""

from __future__ import annotations

import queue
import threading
import uuid
import weakref

import gradio as gr

from ..models import Answer
from . import render
from .context import UIContext

EXAMPLES = [
    "Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?",
    "Qui a signé la délibération EMP 004-6064/19/BM ?",
    "Qui était absent à la séance du 20 juin 2019 ?",
    "Total des subventions du Bureau en 2019 ?",
    "What was granted to Cité des Métiers in 2019?",
]
ALL = "Toutes"
BODIES = [(ALL, ""), *((label, key) for key, label in render.BODY_LABELS.items())]
ACTS = [(ALL, ""), *((label, key) for key, label in render.ACT_LABELS.items())]
_DONE = object()
# One question at a time per conversation: a follow-up must see the turn before it saved.
_SESSION_LOCKS: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_LOCKS_GUARD = threading.Lock()


def session_lock(session: str) -> threading.Lock:
    with _LOCKS_GUARD:
        lock = _SESSION_LOCKS.get(session)
        if lock is None:
            lock = _SESSION_LOCKS[session] = threading.Lock()
        return lock


def new_session_id(prefix: str = "app") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def filters_of(year_from, year_to, body, act_type) -> dict:
    """The filter widgets as `ask` filters: one year, or a range; body and act type when chosen."""
    def year(v):
        try:
            return int(v) if v not in (None, "", ALL) else None
        except (TypeError, ValueError):
            return None

    y0, y1 = year(year_from), year(year_to)
    if y0 is not None and y1 is not None and y0 > y1:
        y0, y1 = y1, y0
    out: dict = {}
    if y0 is not None and y0 == y1:
        out["year"] = y0
    else:
        if y0 is not None:
            out["year_from"] = y0
        if y1 is not None:
            out["year_to"] = y1
    if body:
        out["body"] = body
    if act_type:
        out["act_type"] = act_type
    return out


def ask_streaming(ctx: UIContext, question: str, session: str, filters: dict):
    """Run `ask` in a worker thread; yield ("token", text so far) while an LLM streams, then
    ("answer", Answer) or ("error", French message)."""
    pieces: queue.Queue = queue.Queue()
    result: dict = {}

    lock = session_lock(session)  # held by this reference until the worker is done

    def work() -> None:
        try:
            with lock:
                result["answer"] = ctx.assistant.ask(question, session=session, filters=filters or None,
                                                     stream=True, on_token=pieces.put)
        except Exception as exc:  # noqa: BLE001 - shown to the user as a sentence
            result["error"] = f"La question n'a pas pu être traitée ({type(exc).__name__} : {exc})."
        finally:
            pieces.put(_DONE)

    threading.Thread(target=work, name="delib-ask", daemon=True).start()
    text = ""
    while (piece := pieces.get()) is not _DONE:
        text += piece
        yield "token", text
    if "answer" in result:
        prep = ctx.preparation
        if not prep.finished:  # the registry is still being filled: the answer may lack what comes next
            result["answer"].notes.append(
                f"Registre en construction ({prep.done} / {prep.total} fichiers) : cette réponse ne porte "
                "que sur les documents déjà ingérés.")
        yield "answer", result["answer"]
    else:
        yield "error", result.get("error", "Erreur inconnue.")


def answer_content(answer: Answer) -> str | list:
    """An answer's chat bubble: its Markdown, and a history's bar chart (an image) below it."""
    text = render.answer_markdown(answer)
    if not answer.chart:
        return text
    from .charts import history_png

    return [text, {"path": str(history_png(answer.chart)), "alt_text": answer.chart.get("title", "")}]


def build(ctx: UIContext) -> dict:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            gr.Markdown(f"**Moteur :** {render.esc(ctx.backend_label())}", elem_id="backend-indicator")
            chatbot = gr.Chatbot(label="Conversation", height=470, elem_id="chatbot", latex_delimiters=[],
                                 buttons=["copy"], feedback_options=None, autoscroll=True,
                                 placeholder="Posez une question sur les délibérations du registre.")
            with gr.Row():
                msg = gr.Textbox(show_label=False, scale=5, elem_id="question", autofocus=True, max_length=2000,
                                 placeholder="Ex. : Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?")
                send = gr.Button("Envoyer", variant="primary", scale=1, elem_id="send", min_width=100)
            examples = gr.Dataset(components=[msg], samples=[[q] for q in EXAMPLES], label="Exemples",
                                  elem_id="examples", samples_per_page=len(EXAMPLES))
            with (gr.Accordion("Filtres (s'appliquent à toute la conversation)", open=False, elem_id="filters"),
                  gr.Row()):
                year_from = gr.Dropdown([ALL], value=ALL, label="De l'année", allow_custom_value=True,
                                        elem_id="year-from")
                year_to = gr.Dropdown([ALL], value=ALL, label="À l'année", allow_custom_value=True,
                                      elem_id="year-to")
                body = gr.Dropdown(BODIES, value="", label="Assemblée", elem_id="body-filter")
                act = gr.Dropdown(ACTS, value="", label="Type d'acte", elem_id="act-filter")
            new = gr.Button("Nouvelle conversation", size="sm", elem_id="new-chat")
        with gr.Column(scale=2, min_width=340):
            gr.Markdown("### Sources")
            sources = gr.HTML(render.sources_html(None, {}), elem_id="sources-panel", js_on_load=None)
            notes = gr.HTML("", elem_id="answer-notes", js_on_load=None)

    # The conversation's id, made by the first question (an id made at page load can race with a
    # question sent at once) and kept by being an output of every answer.
    session = gr.State(None)
    history = gr.State([])  # the chat messages, as shown
    answers = gr.State([])  # one Answer (dict) per assistant message

    def respond(message, hist, answered, sid, y0, y1, b, a, request: gr.Request):
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        user = getattr(request, "username", None)
        sid = sid or new_session_id(user or "app")
        hist = [*hist, {"role": "user", "content": render.chat_text(message)},
                {"role": "assistant", "content": "…"}]
        yield hist, "", hist, answered, '<div class="sources empty">Recherche dans le registre…</div>', "", sid
        for kind, value in ask_streaming(ctx, message, sid, filters_of(y0, y1, b, a)):
            if kind == "token":
                hist[-1] = {"role": "assistant", "content": render.chat_text(value)}
                yield hist, gr.skip(), hist, answered, gr.skip(), gr.skip(), sid
            elif kind == "answer":
                answer: Answer = value
                hist[-1] = {"role": "assistant", "content": answer_content(answer)}
                answered = [*answered, answer.model_dump(mode="json")]
                records = ctx.records(c.id for c in answer.citations[:12])
                yield (hist, gr.skip(), hist, answered, render.sources_html(answer, records, turn=len(answered)),
                       render.notes_html(answer.notes), sid)
            else:
                hist[-1] = {"role": "assistant", "content": render.chat_text(value)}
                answered = [*answered, None]
                yield hist, gr.skip(), hist, answered, render.sources_html(None, {}, turn=len(answered)), "", sid

    def show_sources(answered, evt: gr.SelectData):
        """Clicking an answer shows its sources (a question shows the sources of its answer)."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        n = int(index) // 2
        if not (0 <= n < len(answered)) or answered[n] is None:
            return gr.skip(), gr.skip()
        answer = Answer.model_validate(answered[n])
        return (render.sources_html(answer, ctx.records(c.id for c in answer.citations[:12]), turn=n + 1),
                render.notes_html(answer.notes))

    def reset():
        return [], [], [], None, render.sources_html(None, {}), ""

    def years():
        found = sorted(int(y) for y in ctx.registry.stats()["by_year"] if y not in ("None", ""))
        choices = [ALL, *map(str, found)]
        return gr.update(choices=choices), gr.update(choices=choices)

    inputs = [msg, history, answers, session, year_from, year_to, body, act]
    outputs = [chatbot, msg, history, answers, sources, notes, session]
    msg.submit(respond, inputs, outputs, concurrency_id="chat", api_name="ask")
    send.click(respond, inputs, outputs, concurrency_id="chat", api_visibility="private")
    examples.click(lambda sample: sample[0], examples, msg, queue=False, api_visibility="private").then(
        respond, inputs, outputs, concurrency_id="chat", api_visibility="private")
    chatbot.select(show_sources, [answers], [sources, notes], queue=False, api_visibility="private")
    for clear in (new.click, chatbot.clear):  # the chat's own bin starts a new conversation too
        clear(reset, None, [chatbot, history, answers, session, sources, notes], queue=False,
              api_visibility="private")
    return {"load": (years, [year_from, year_to]), "chatbot": chatbot}
