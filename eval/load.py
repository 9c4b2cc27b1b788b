"""Load test (a script, not a test): N concurrent chat sessions on the app, over loopback.

Each session is its own Gradio client (its own browser tab, as far as the app knows) and holds one
conversation of the shipped question sets: a question, then its follow-up when it has one ("Et qui l'a
signée ?"), whose answer depends on the session's previous turn. Checked for every session: no error, the
conversation the app sends back is the session's own (its questions, in its order: answers not mixed
between sessions) and the last answer holds what the question set expects. Prints and writes the p50 /
p95 / max latency of a turn and the wall time.

    .venv/bin/python eval/load.py --sessions 100                       # starts the app on data/
    .venv/bin/python eval/load.py --url http://127.0.0.1:7860/ --sessions 100

Bounded: at most --sessions sessions, each turn at most --timeout seconds; the app answers 2 requests
at a time (2 cores) and its queue (256 places) holds the others, who wait their turn.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.evaluation import load_questions
from assistant.evaluation.matching import best_expected
from assistant.evaluation.metrics import percentile

SETS = [ROOT / "eval" / "questions-real.yaml", ROOT / "eval" / "questions.yaml"]


def conversations(n: int) -> list[tuple[list[str], object]]:
    """n conversations (turns, question), follow-ups first, taken in turn from the shipped sets."""
    pool = [q for path in SETS for q in load_questions(path) if not q.none and q.expected and len(q.context) <= 1]
    pool.sort(key=lambda q: (not q.context, q.id))
    return [([*pool[i % len(pool)].context, pool[i % len(pool)].question], pool[i % len(pool)]) for i in range(n)]


def _text(message: dict) -> str:
    """A chat message's text, with the app's escapes undone (Markdown "\\(", HTML "&amp;")."""
    content = message.get("content")
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return html.unescape(re.sub(r"\\(.)", r"\1", str(content or "")))


def run_session(url: str, turns: list[str], question, timeout: float) -> dict:
    from gradio_client import Client

    out = {"id": question.id, "turns": [], "error": None, "mixed": False, "passed": False}
    try:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": timeout})
        history: list = []
        for turn in turns:
            t0 = time.perf_counter()
            job = client.submit(turn, "Toutes", "Toutes", "", "", api_name="/ask")
            history = job.result(timeout=timeout)[0]
            out["turns"].append(round((time.perf_counter() - t0) * 1000, 1))
        users = [_text(m) for m in history if m.get("role") == "user"]
        out["mixed"] = users != turns or len(history) != 2 * len(turns)
        if out["mixed"]:
            out["history"] = [(m.get("role"), _text(m)[:80]) for m in history]
        ok, _score, _missing = best_expected(_text(history[-1]), question.expected, question.alternatives)
        out["passed"] = bool(ok)
    except Exception as exc:  # noqa: BLE001 - counted and reported, the others go on
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return out


def start_app(data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--data-dir", str(data_dir), "--port", str(port)],
                            cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"L'application n'a pas démarré : voir {log}")


def wait_until_prepared(data_dir: Path, timeout: float = 900) -> None:
    """An empty data folder is filled in the background: wait for the registry to stop growing."""
    from assistant.config import Settings
    from assistant.registry import Registry

    path = Settings.load(data_dir=data_dir).registry_path
    last, still = -1, 0
    deadline = time.time() + timeout
    while time.time() < deadline and still < 6:
        time.sleep(1)
        count = Registry(path).count() if path.exists() else 0
        still = still + 1 if count == last and count else 0
        last = count


def main() -> None:
    p = argparse.ArgumentParser(description="Sessions de chat simultanées sur l'application (charge bornée).")
    p.add_argument("--sessions", type=int, default=100, help="sessions simultanées (défaut 100)")
    p.add_argument("--timeout", type=float, default=300, help="délai maximal d'un tour, en secondes")
    p.add_argument("--url", help="application déjà lancée (sinon : app.py sur --data-dir, port libre)")
    p.add_argument("--data-dir", type=Path, default=ROOT / "data")
    p.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "load.json")
    args = p.parse_args()

    proc = None
    url = args.url
    if not url:
        proc, url = start_app(args.data_dir, Path("/tmp/delib-load-app.log"))
        wait_until_prepared(args.data_dir)
    try:
        convs = conversations(args.sessions)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            results = list(pool.map(lambda c: run_session(url, c[0], c[1], args.timeout), convs))
        wall = time.perf_counter() - started
    finally:
        if proc:
            proc.terminate()
    turns = [ms for r in results for ms in r["turns"]]
    errors = [r for r in results if r["error"]]
    summary = {
        "sessions": len(results), "turns": len(turns), "errors": len(errors),
        "mixed": sum(r["mixed"] for r in results), "passed": sum(r["passed"] for r in results),
        "turn_p50_ms": percentile(turns, 50), "turn_p95_ms": percentile(turns, 95),
        "turn_max_ms": max(turns) if turns else None, "wall_s": round(wall, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cœurs", "errors_first": [e["error"] for e in errors[:5]],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "sessions": results}, ensure_ascii=False, indent=2))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"Écrit : {args.out}")
    if errors or summary["mixed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
