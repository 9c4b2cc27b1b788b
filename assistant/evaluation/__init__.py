"""Evaluation: question sets, matching rules, metrics, runs under named configurations, reports.

Library first: `delib eval` (assistant/cli/eval_cmds.py), eval/bench.py and the tests call these.
"""

from __future__ import annotations

from .matching import canonical, contains
from .metrics import QuestionResult, aggregate, check_thresholds, score
from .questions import Question, QuestionSetError, load_questions
from .runner import EvalConfig, RunResult, compare, load_config, run, run_config

__all__ = [
    "EvalConfig",
    "Question",
    "QuestionResult",
    "QuestionSetError",
    "RunResult",
    "aggregate",
    "canonical",
    "check_thresholds",
    "compare",
    "contains",
    "load_config",
    "load_questions",
    "run",
    "run_config",
    "score",
]
