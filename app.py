"""Start the Gradio app: `python app.py --host 127.0.0.1 --port 7860`.

Settings come from the environment (DELIB_DATA_DIR, DELIB_LLM_BACKEND, DELIB_AUTH, …) and the data
folder's delib.toml, as for `delib`. An empty registry is first filled from corpus/ (with a progress bar).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def ensure_corpus(assistant, corpus: Path, *, embed: bool = True) -> None:
    """Ingest `corpus` when the registry is empty, showing progress on the terminal."""
    if assistant.registry.count() or not corpus.is_dir():
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    err.print(f"Registre vide : construction depuis {corpus} …")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        def progress(done: int, total: int, path: str = "") -> None:
            # one callback for the ingestion then the index: a new total starts a new phase
            if not bar.tasks or bar.tasks[-1].total != total or bar.tasks[-1].finished:
                bar.add_task("Ingestion" if not bar.tasks else "Index sémantique", total=total)
            bar.update(bar.tasks[-1].id, completed=done)

        report = assistant.ingest([corpus], progress=progress, embed=embed)
    err.print(f"Registre prêt : {report.summary()}.")


def warm_up(assistant) -> None:
    """Load the embedding model and reconcile the dense index in the background, so that the first
    question that needs passages does not wait for it (the lexical index answers meanwhile)."""
    def work() -> None:
        try:
            assistant.index  # noqa: B018 - the lazy property builds and syncs the index
        except Exception as exc:  # noqa: BLE001 - the app still answers from the lexical index
            print(f"Index sémantique indisponible ({type(exc).__name__} : {exc}) : recherche lexicale seule.",
                  file=sys.stderr)

    threading.Thread(target=work, name="delib-warm-up", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Assistant des registres des délibérations (application web).")
    parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute (défaut 127.0.0.1).")
    parser.add_argument("--port", type=int, default=7860, help="Port (défaut 7860).")
    parser.add_argument("--data-dir", type=Path, default=None, help="Dossier des données (défaut ./data).")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus",
                        help="Extraits à ingérer si le registre est vide (défaut corpus/).")
    parser.add_argument("--no-embed", action="store_true",
                        help="Ne pas calculer l'index sémantique au démarrage (recherche lexicale d'abord).")
    parser.add_argument("--max-upload-mb", type=float, default=20, help="Taille maximale d'un fichier importé.")
    args = parser.parse_args(argv)

    from assistant.config import Settings
    from assistant.core import Assistant
    from assistant.ui import launch
    from assistant.ui.auth import AuthError, load_users

    started = time.perf_counter()
    settings = Settings.load(data_dir=args.data_dir)
    try:
        users = load_users(settings)
    except AuthError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    assistant = Assistant(settings)
    ensure_corpus(assistant, args.corpus, embed=not args.no_embed)
    print(f"Registre : {settings.registry_path} ({assistant.registry.count()} délibérations)"
          + (f" ; connexion requise ({len(users)} utilisateur(s))" if users else ""), file=sys.stderr)
    if not args.no_embed and assistant.registry.count():
        warm_up(assistant)
    demo = launch(assistant, host=args.host, port=args.port, users=users,
                  max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), prevent_thread_lock=True, quiet=True)
    print(f"Application prête en {time.perf_counter() - started:.1f} s : http://{args.host}:{args.port}/",
          file=sys.stderr, flush=True)
    try:
        demo.block_thread()
    finally:
        assistant.close()


if __name__ == "__main__":
    main()
