"""The shared helper that waits for a loopback server (tests/conftest.py: wait_for_port)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import free_port, wait_for_port


def test_a_server_that_dies_fails_with_its_output_tail(tmp_path):
    log = tmp_path / "server.log"
    script = "import sys; print('démarrage'); sys.exit('port déjà pris : boom')"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=subprocess.STDOUT)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)exited with code 1 \(hint one\).*boom"):
        wait_for_port("127.0.0.1", free_port(), proc, 60, log=log, hints={1: "hint one"})


def test_a_silent_server_fails_after_the_timeout(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        port = free_port()
        with pytest.raises(pytest.fail.Exception, match=rf"did not answer on 127.0.0.1:{port} in 1 s"):
            wait_for_port("127.0.0.1", port, proc, 1, log=tmp_path / "absent.log")
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
@pytest.mark.server
def test_waits_until_the_server_answers_the_url(tmp_path):
    port = free_port()
    (tmp_path / "ok").write_text("ok", encoding="utf-8")
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(tmp_path)], stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for_port("127.0.0.1", port, proc, 60, log=log, url=f"http://127.0.0.1:{port}/ok") >= 0
        assert proc.poll() is None
        # A URL that never answers 200 is a failure, with the server's log (its request lines).
        with pytest.raises(pytest.fail.Exception, match=r"(?s)http.server did not answer.*/absent.*404"):
            wait_for_port("127.0.0.1", port, proc, 1, log=log, url=f"http://127.0.0.1:{port}/absent")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
