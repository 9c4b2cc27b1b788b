"""Start the Gradio app: `python app.py --host 127.0.0.1 --port 7860`.

Settings come from the environment (DELIB_DATA_DIR, DELIB_LLM_BACKEND, DELIB_AUTH, …) and the data
folder's delib.toml, as for `delib`. The app serves at once; an empty registry is filled from corpus/ in
the background (progress shown in the app), then the dense index is reconciled when one is configured.
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


EMBEDDING_PHASE = "Index sémantique : calcul des embeddings manquants"


def needs_preparation(assistant, corpus: Path, *, embed: bool) -> str | None:
    """The first phase of the background work, or None when there is nothing to prepare."""
    if not assistant.registry.count() and corpus.is_dir():
        return f"Construction du registre depuis {corpus.name}/ : ingestion des fichiers"
    if embed and assistant.settings.dense_enabled:
        return EMBEDDING_PHASE
    return None


def prepare(assistant, corpus: Path, ctx, *, embed: bool = True) -> threading.Thread:
    """In the background, while the app serves: fill an empty registry from `corpus` (answers cover
    what is already in, the app says so), build the answers' catalog of the registry (at 100,000 records,
    15 s that would otherwise be a user's first question), then reconcile the dense index when the
    settings keep one (an embedding a crash interrupted is completed here, never by a user's search)."""
    prep = ctx.preparation

    def work() -> None:
        try:
            if not assistant.registry.count() and corpus.is_dir():
                with ctx.write_lock:
                    report = assistant.ingest([corpus], progress=prep.progress, embed=False)
                prep.summary = report.summary()
                print(f"Registre construit depuis {corpus} : {prep.summary}.", file=sys.stderr, flush=True)
            started = time.perf_counter()
            assistant.prepare_answers()
            print(f"Réponses prêtes en {time.perf_counter() - started:.1f} s.", file=sys.stderr, flush=True)
            if embed and assistant.settings.dense_enabled:
                prep.start(EMBEDDING_PHASE)
                counts = assistant.index.sync(progress=prep.progress)
                print(f"Index sémantique à jour : {counts}.", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - the app still answers from what the registry holds
            prep.error = f"{type(exc).__name__} : {exc}"
            print(f"Préparation interrompue ({prep.error}).", file=sys.stderr, flush=True)
        finally:
            prep.summary = prep.summary or f"{assistant.registry.count()} délibérations"
            prep.finished = True

    thread = threading.Thread(target=work, name="delib-prepare", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Assistant des registres des délibérations (application web).")
    parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute (défaut 127.0.0.1).")
    parser.add_argument("--port", type=int, default=7860, help="Port (défaut 7860).")
    parser.add_argument("--data-dir", type=Path, default=None, help="Dossier des données (défaut ./data).")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus",
                        help="Extraits à ingérer si le registre est vide (défaut corpus/).")
    parser.add_argument("--no-embed", action="store_true",
                        help="Ne pas compléter l'index sémantique au démarrage, quand il est configuré "
                             "(DELIB_DENSE_WEIGHT > 0 ou DELIB_EMBEDDING_MODEL ; désactivé par défaut).")
    parser.add_argument("--max-upload-mb", type=float, default=20, help="Taille maximale d'un fichier importé.")
    args = parser.parse_args(argv)

    from assistant.config import Settings
    from assistant.core import Assistant
    from assistant.ui import Preparation, launch
    from assistant.ui.auth import AuthError, load_users

    started = time.perf_counter()
    settings = Settings.load(data_dir=args.data_dir)
    try:
        users = load_users(settings)
    except AuthError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    assistant = Assistant(settings)
    print(f"Registre : {settings.registry_path} ({assistant.registry.count()} délibérations)"
          + (f" ; connexion requise ({len(users)} utilisateur(s))" if users else ""), file=sys.stderr)
    preparation = Preparation()
    first_phase = needs_preparation(assistant, args.corpus, embed=not args.no_embed)
    if first_phase:  # set before serving: a page opened at once already polls the progress
        preparation.start(first_phase)
    demo = launch(assistant, host=args.host, port=args.port, users=users, preparation=preparation,
                  max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), prevent_thread_lock=True, quiet=True)
    print(f"Application prête en {time.perf_counter() - started:.1f} s : http://{args.host}:{args.port}/",
          file=sys.stderr, flush=True)
    prepare(assistant, args.corpus, demo.ctx, embed=not args.no_embed)  # at least the answers' catalog
    try:
        demo.block_thread()
    finally:
        assistant.close()


if __name__ == "__main__":
    main()
