"""The dense index against a real Chroma server (`chroma run`) started on 127.0.0.1 by the test.

DELIB_CHROMA_URL points the settings at it; results must be those of the embedded Chroma.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, wait_for_port
from test_index import RECORDS, fill

from assistant.config import Settings
from assistant.core import Assistant
from assistant.index import DenseIndex, Embedder, HybridRetriever
from assistant.registry import Registry

QUERIES = [
    "subvention emploi Cité des Métiers",
    "road resurfacing works",
    "prix d'entrée de la piscine",
    "garantie d'emprunt logements sociaux",
    "achat d'un terrain",
]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = Path(sys.executable).parent / "chroma"
    assert exe.exists(), f"chroma executable not found next to {sys.executable}"
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder / "server.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port("127.0.0.1", port, proc, 60, log=folder / "server.log", url=f"{url}/api/v2/heartbeat")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder.from_settings(Settings.load(env={}))


def _results(index: DenseIndex, registry: Registry) -> dict:
    retriever = HybridRetriever(registry=registry, dense=index, k=8)
    return {
        q: {
            "dense": [c.id for c, _ in index.search(q, 10)],
            "hybrid": [
                (d.id, d.metadata["lexical_rank"], d.metadata["dense_rank"]) for d in retriever.invoke(q)
            ],
        }
        for q in QUERIES
    }


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.model
def test_server_gives_the_results_of_the_embedded_chroma(chroma_server, tmp_path, monkeypatch, minilm):
    with Registry(tmp_path / "registry.sqlite") as registry:
        fill(registry)

        embedded_settings = Settings.load(env={}, data_dir=tmp_path / "embedded")
        embedded = DenseIndex.from_settings(embedded_settings, registry, embedder=minilm)
        expected = _results(embedded, registry)
        embedded.close()

        monkeypatch.setenv("DELIB_CHROMA_URL", chroma_server)
        monkeypatch.setenv("DELIB_DENSE_WEIGHT", "1")  # a dense index configured (none by default)
        settings = Settings.load(data_dir=tmp_path / "server")
        assert settings.chroma_url == chroma_server and settings.dense_enabled
        assistant = Assistant(settings, registry=registry)
        index = assistant.index  # the facade: HttpClient, opened as it is…
        assert index.location == chroma_server
        assert index.client.heartbeat() > 0
        assert index.count() == 0
        index.sync()  # …and reconciled where ingestion and the app's start do it
        assert index.count() == len(registry.chunks())
        assert not settings.chroma_path.exists()  # nothing written locally
        assert _results(index, registry) == expected
        docs = assistant.retriever.invoke(
            "subvention", filters={"beneficiary": "Cité des Métiers", "year": 2019}
        )
        assert docs and {d.metadata["deliberation_id"] for d in docs} == {"cite-2019"}

        # Reconciliation over HTTP: a deleted record leaves the server on the next sync.
        n = sum(1 for c in registry.chunks() if c.deliberation_id == "piscine-2021")
        registry.delete("piscine-2021")
        assert index.sync() == {"added": 0, "updated": 0, "deleted": n, "unchanged": len(registry.chunks())}
        assert all(c.deliberation_id != "piscine-2021" for c, _ in index.search("piscine", 20))

        # A new client on the same server finds the collection as it was left (server-side persistence).
        registry.save(next(r for r in RECORDS if r.id == "piscine-2021"))
        again = DenseIndex.from_settings(settings, registry, embedder=minilm, sync=False)
        assert again.count() == len(registry.chunks()) - n
        assert again.sync()["added"] == n
        assert _results(again, registry) == expected
        again.rebuild()
        assert _results(again, registry) == expected


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with (
        Registry(tmp_path / "registry.sqlite") as registry,
        pytest.raises(RuntimeError, match="ne répond pas"),
    ):
        DenseIndex.from_settings(settings, registry, embedder=Embedder("unused"))
