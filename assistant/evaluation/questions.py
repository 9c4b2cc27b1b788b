"""Question sets (YAML or JSONL, format in eval/README.md): model, loader and validation.

The loader refuses a malformed set with the file, the line and the reason, in French, so that the
person who wrote the set can fix it without reading code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class QuestionSetError(ValueError):
    """A malformed question set: `str(err)` is "file, ligne N : reason"."""

    def __init__(self, path: str | Path, line: int | None, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}, ligne {line}" if line else str(path)
        super().__init__(f"{where} : {reason}")


# The question sets, in the order reports show them: the real documents' set first (hand-written from
# published documents), then the hand-written extracts', the seed's and the generated corpus'.
SETS = ("real", "handwritten", "seed", "synthetic")
SET_LABELS = {
    "real": "réel (documents publiés, questions écrites à la main)",
    "handwritten": "extraits écrits à la main",
    "seed": "graine (extrait de la Métropole)",
    "synthetic": "synthétique (généré)",
}


class Tags(BaseModel):
    model_config = ConfigDict(extra="allow")

    intent: str = "general"
    language: Literal["fr", "en"] = "fr"
    set: Literal["real", "handwritten", "seed", "synthetic"] | None = None  # else read from the sources


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    context: list[str] = Field(default_factory=list)  # previous turns, asked first in the same session
    expected: list[str] = Field(default_factory=list)  # all must appear in the answer
    alternatives: list[list[str]] = Field(default_factory=list)  # each: an acceptable replacement list
    forbidden: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # expected source documents (file names)
    none: bool = False  # the corpus holds no answer: the assistant must say so
    tags: Tags = Field(default_factory=Tags)
    line: int | None = Field(default=None, exclude=True)  # where it starts in its file

    @field_validator("id", "question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("ne doit pas être vide")
        return v.strip()

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("context", "expected", "forbidden", "sources")
    @classmethod
    def _no_blank_items(cls, v: list[str]) -> list[str]:
        if any(not s.strip() for s in v):
            raise ValueError("contient une chaîne vide")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if not self.none and not self.expected and not any(self.alternatives):
            raise ValueError("une question qui a une réponse (none absent ou false) doit lister des "
                             "chaînes attendues (expected)")
        if self.none and self.sources:
            raise ValueError("une question sans réponse (none: true) ne peut pas avoir de sources attendues")
        return self

    @property
    def intent(self) -> str:
        return self.tags.intent

    @property
    def language(self) -> str:
        return self.tags.language

    @property
    def set(self) -> str:
        """Which set the question belongs to: its tag, else where its sources lie (corpus/real/rNN_…,
        the seed 000_…, generated synth_…, any other: a hand-written extract), else its id ("seed-…")."""
        if self.tags.set:
            return self.tags.set
        for name in self.sources:
            stem = Path(name).name
            if re.match(r"r\d\d_", stem):
                return "real"
            if stem.startswith("000_"):
                return "seed"
            return "synthetic" if stem.startswith("synth_") else "handwritten"
        return "seed" if self.id.startswith("seed") else "real" if self.id.startswith("r-") else "synthetic"


_FIELD_NAMES = {
    "id": "id", "question": "question", "context": "context", "expected": "expected",
    "alternatives": "alternatives", "forbidden": "forbidden", "sources": "sources", "none": "none",
    "tags": "tags",
}


def _reason(exc: ValidationError) -> tuple[str | None, str]:
    """(top-level field, French reason) of the first pydantic error."""
    e = exc.errors()[0]
    loc = [str(p) for p in e["loc"]]
    field = loc[0] if loc else None
    kind = e["type"]
    if kind == "missing":
        msg = "champ obligatoire manquant"
    elif kind == "extra_forbidden":
        msg = f"champ inconnu (champs permis : {', '.join(_FIELD_NAMES)})"
    elif kind in ("list_type", "string_type", "bool_type", "bool_parsing"):
        msg = {"list_type": "doit être une liste", "string_type": "doit être une chaîne de caractères",
               "bool_type": "doit valoir true ou false", "bool_parsing": "doit valoir true ou false"}[kind]
    elif kind == "literal_error":
        msg = f"valeur non permise ({e['msg'].replace('Input should be', 'attendu :')})"
    elif kind == "value_error":
        msg = str(e["ctx"]["error"]) if "ctx" in e else e["msg"]
    else:
        msg = e["msg"]
    if field and field != "__root__":
        where = "/".join(loc)
        return field, f"champ « {where} » : {msg}"
    return None, msg


def _validate(data: Any, path: Path, line: int | None, key_lines: dict[str, int]) -> Question:
    if not isinstance(data, dict):
        raise QuestionSetError(path, line, "chaque question doit être un dictionnaire (id, question, expected…)")
    try:
        q = Question.model_validate(data)
    except ValidationError as exc:
        field, reason = _reason(exc)
        qid = data.get("id")
        prefix = f"question « {qid} » : " if qid else ""
        raise QuestionSetError(path, key_lines.get(field or "", line), prefix + reason) from None
    q.line = line
    return q


def _check_ids(questions: list[Question], path: Path) -> None:
    seen: dict[str, int | None] = {}
    for q in questions:
        if q.id in seen:
            raise QuestionSetError(path, q.line, f"identifiant « {q.id} » en double (déjà ligne {seen[q.id]})")
        seen[q.id] = q.line


def _load_yaml(text: str, path: Path) -> list[Question]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise QuestionSetError(path, None, "le fichier est vide")
        if not isinstance(root, yaml.SequenceNode):
            raise QuestionSetError(path, root.start_mark.line + 1,
                                   "le fichier doit être une liste de questions (« - id: … »)")
        out = []
        for node in root.value:
            line = node.start_mark.line + 1
            key_lines = {}
            if isinstance(node, yaml.MappingNode):
                key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
            data = loader.construct_object(node, deep=True)
            out.append(_validate(data, path, line, key_lines))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise QuestionSetError(path, mark.line + 1 if mark else None,
                               f"YAML invalide : {exc.problem or exc.context}") from None
    finally:
        loader.dispose()
    return out


def _load_jsonl(text: str, path: Path) -> list[Question]:
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(path, n, f"JSON invalide : {exc.msg} (colonne {exc.colno})") from None
        out.append(_validate(data, path, n, {}))
    return out


def load_questions(path: str | Path) -> list[Question]:
    """Load and validate a question set (.yaml/.yml or .jsonl). Raises QuestionSetError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionSetError(path, None, "fichier introuvable") from None
    except UnicodeDecodeError as exc:
        raise QuestionSetError(path, None, f"le fichier n'est pas en UTF-8 ({exc.reason})") from None
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        questions = _load_jsonl(text, path)
    elif path.suffix.lower() in (".yaml", ".yml"):
        questions = _load_yaml(text, path)
    else:
        raise QuestionSetError(path, None, "extension inconnue : attendu .yaml, .yml ou .jsonl")
    if not questions:
        raise QuestionSetError(path, None, "aucune question dans le fichier")
    _check_ids(questions, path)
    return questions
