"""Run a question set through the same code path as `delib ask`, under one or more configurations.

A configuration (eval/configs/NAME.yaml) = settings overrides + retrieval mode + LLM on/off, or the
naive LangChain RAG baseline. Each gets its own `Assistant` built from `Settings.load(**overrides)`,
so two embedding models or two backends are compared in one process on the same set.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import Settings
from ..models import Answer
from . import metrics
from .metrics import QuestionResult
from .questions import SETS, Question

CONFIGS_DIR = Path(__file__).resolve().parents[2] / "eval" / "configs"
DEFAULT_CONFIG = "default"


class EvalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    system: Literal["assistant", "naive-rag"] = "assistant"
    mode: Literal["lexical", "dense", "hybrid"] | None = None  # None: the assistant's own default
    llm: bool = False  # False forces llm_backend=none; True keeps/uses the configured backend
    settings: dict[str, Any] = Field(default_factory=dict)  # Settings overrides
    k: int | None = None  # chunks the naive baseline retrieves (default: the run's k)


class Answerer(Protocol):
    def ask(self, question: str, *, session: str | None = None, filters: dict | None = None) -> Answer: ...


def load_config(name_or_path: str | Path, configs_dir: Path = CONFIGS_DIR) -> EvalConfig:
    """A named configuration (eval/configs/NAME.yaml) or a YAML file path; "default" needs no file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = configs_dir / f"{name_or_path}.yaml"
    if not path.is_file():
        if str(name_or_path) == DEFAULT_CONFIG:
            return EvalConfig(name=DEFAULT_CONFIG, description="Réglages courants, sans surcharge")
        known = sorted(p.stem for p in configs_dir.glob("*.yaml"))
        raise ValueError(f"Configuration inconnue : « {name_or_path} » (connues : {', '.join(known) or 'aucune'}).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        data.setdefault("name", path.stem)
        return EvalConfig.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path} : configuration invalide — {exc}") from None


def settings_for(config: EvalConfig, base: Settings | None = None) -> Settings:
    """The base settings (CLI's --data-dir, environment) with the configuration's overrides."""
    base = base or Settings.load()
    values = base.model_dump()
    values.update(config.settings)
    if not config.llm:
        values["llm_backend"] = "none"
    return Settings(**values)


class AssistantAnswerer:
    """`ask` through the real `Assistant`, in the configuration's retrieval mode."""

    def __init__(self, assistant, mode: str | None = None):
        self.assistant, self.mode = assistant, mode

    @property
    def registry(self):
        return self.assistant.registry

    def ask(self, question: str, *, session: str | None = None, filters: dict | None = None) -> Answer:
        filters = dict(filters or {})
        if self.mode:
            filters["mode"] = self.mode
        return self.assistant.ask(question, session=session, filters=filters or None)

    def search(self, question: str, k: int) -> list[str]:
        """Deliberation ids the retriever alone ranks for the question (same mode), best first."""
        from ..index import deliberation_ids

        return deliberation_ids(self.assistant.retriever.retrieve(question, k=max(k, 20), mode=self.mode or "hybrid"))

    def forget_sessions(self, prefix: str) -> None:
        """Remove the session files a run created (one per question) from the data directory."""
        folder = self.assistant.settings.sessions_dir
        for path in folder.glob(f"{prefix}*.json") if folder.is_dir() else []:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self.assistant.close()


def build_answerer(config: EvalConfig, base: Settings | None = None, *, k: int = 5):
    """The answerer a configuration describes (closed by the caller with `.close()`)."""
    settings = settings_for(config, base)
    if config.system == "naive-rag":
        from ..registry import Registry
        from .baseline import NaiveRAG

        return NaiveRAG.from_registry(Registry(settings.registry_path), settings, k=config.k or k)
    from ..core import Assistant

    assistant = Assistant(settings)
    if settings.dense_enabled or config.mode == "dense":  # reconciled up front, as at the app's start
        assistant.index.sync()
    return AssistantAnswerer(assistant, config.mode)


def ask_one(answerer: Answerer, q: Question, run_id: str) -> tuple[Answer | None, float | None, str | None]:
    """Replay the context in a fresh session, then ask and time the question itself."""
    session = f"eval-{run_id}-{q.id}"
    try:
        for previous in q.context:
            answerer.ask(previous, session=session)
        t0 = time.perf_counter()
        answer = answerer.ask(q.question, session=session)
        return answer, (time.perf_counter() - t0) * 1000, None
    except Exception as exc:  # noqa: BLE001 - one failing question must not stop the run; it is reported
        return None, None, f"{type(exc).__name__}: {exc}"


def search_one(answerer, q: Question, k: int) -> tuple[list[str] | None, float | None]:
    """The retriever's own ranking for a standalone question with expected sources (None otherwise)."""
    search = getattr(answerer, "search", None)
    if search is None or q.context or not q.sources:
        return None, None
    try:
        t0 = time.perf_counter()
        ids = search(q.question, k)
        return ids, (time.perf_counter() - t0) * 1000
    except Exception:  # noqa: BLE001 - the answer's own error, if any, is what gets reported
        return None, None


class RunResult(BaseModel):
    config: EvalConfig
    k: int
    results: list[QuestionResult]
    metrics: dict
    by_intent: dict[str, dict]
    by_language: dict[str, dict]
    by_set: dict[str, dict] = {}  # per question set, the real one first (questions.SETS)
    started: str
    seconds: float


Progress = Callable[[int, int, str], None]


def run(questions: list[Question], answerer: Answerer, docs: metrics.Documents, config: EvalConfig,
        *, k: int = 5, progress: Progress | None = None, warmup: bool = True) -> RunResult:
    """Ask every question and score it. The first question is asked once untimed first, so that
    loading models does not count as the latency of one answer."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex[:8]
    if warmup and questions:
        ask_one(answerer, questions[0], f"{run_id}-warmup")
    results = []
    for i, q in enumerate(questions):
        if progress:
            progress(i, len(questions), q.id)
        answer, latency, error = ask_one(answerer, q, run_id)
        searched, search_ms = search_one(answerer, q, k)
        results.append(metrics.score(q, answer, docs, k=k, latency_ms=latency, error=error, searched=searched,
                                     search_ms=search_ms))
    if progress:
        progress(len(questions), len(questions), "")
    forget = getattr(answerer, "forget_sessions", None)
    if forget:
        forget(f"eval-{run_id}")
    return RunResult(
        config=config, k=k, results=results, metrics=metrics.aggregate(results),
        by_intent=metrics.breakdown(results, lambda r: r.intent),
        by_language=metrics.breakdown(results, lambda r: r.language),
        by_set=metrics.breakdown(results, lambda r: r.set, order=SETS),
        started=started, seconds=time.perf_counter() - t0,
    )


def run_config(questions: list[Question], config: EvalConfig, base: Settings | None = None, *, k: int = 5,
               progress: Progress | None = None) -> RunResult:
    answerer = build_answerer(config, base, k=k)
    try:
        return run(questions, answerer, metrics.RegistryDocs(answerer.registry), config, k=k, progress=progress)
    finally:
        answerer.close()


def compare(runs: list[RunResult]) -> dict:
    """Metrics side by side, with each run's difference to the first one (the reference)."""
    if not runs:
        return {"configs": [], "metrics": {}}
    names = [r.config.name for r in runs]
    table: dict[str, dict] = {}
    for key in runs[0].metrics:
        values = [r.metrics.get(key) for r in runs]
        ref = values[0]
        deltas = [None if v is None or ref is None else v - ref for v in values]
        table[key] = {"values": dict(zip(names, values)), "delta": dict(zip(names, deltas))}
    return {"reference": names[0], "configs": names, "metrics": table}
