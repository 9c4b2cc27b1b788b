"""Shared fixtures. Every test runs offline with its own data directory (no ./data, no user settings).

Document makers build real test files from text: a PDF with a text layer (matplotlib), a scanned PDF
and images without any text layer (Pillow, a real TrueType font at 300 dpi), a .docx (python-docx).
"""

from __future__ import annotations

import os
import socket
import subprocess
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED_ID = "000_47990de55f73b628"
SEED = CORPUS / f"{SEED_ID}.txt"
# The corpus the shipped question set (eval/questions.yaml) and the large-answer tests were written over: the
# seed, the hand-written extracts and the synthetic set. The real documents (corpus/real) have their own
# tests (test_parser_real.py); answers over them are measured by their own question set.
SHIPPED_SETS = [SEED, CORPUS / "handwritten", CORPUS / "synthetic"]

A4_INCHES = (8.27, 11.69)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """Offline, and a fresh data directory: no test reads or writes ./data or a user's settings."""
    for var in [v for v in os.environ if v.startswith("DELIB_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("DELIB_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir):
    from assistant.config import Settings

    return Settings.load(data_dir=data_dir)


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def registry(settings):
    """A real SQLite registry in the test's data directory (the file `Assistant` would open)."""
    from assistant.registry import Registry

    reg = Registry(settings.registry_path)
    yield reg
    reg.close()


@pytest.fixture
def assistant(settings, registry):
    from assistant.core import Assistant

    a = Assistant(settings, registry=registry)
    yield a
    a.close()


@pytest.fixture
def ingest_text(assistant, tmp_path):
    """ingest_text(name, text): the text written as a file of that name and ingested (no dense index);
    returns the assistant."""
    def ingest(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assistant.ingest([path], embed=False)
        return assistant
    return ingest


# -- servers on the loopback ----------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(
    host: str,
    port: int,
    proc: subprocess.Popen,
    timeout: float,
    *,
    log: Path | None = None,
    url: str | None = None,
    hints: dict[int, str] | None = None,
) -> float:
    """Wait until the server `proc` accepts connections on host:port and, when `url` is given, answers
    it with HTTP 200. Fails the test, with the last lines of the server's output (`log`, the file its
    stdout and stderr go to), when the process exits first or nothing answers within `timeout`
    seconds; `hints` adds a line for known exit codes. Returns the seconds waited."""
    args = [str(a) for a in proc.args] if isinstance(proc.args, list | tuple) else [str(proc.args)]
    name = args[2] if len(args) > 2 and args[1] == "-m" else Path(args[0]).name  # "llama_cpp.server", "chroma"
    started = time.monotonic()

    def tail() -> str:
        return log.read_text(encoding="utf-8", errors="replace")[-2000:] if log and log.is_file() else "(pas de journal)"

    while True:
        if proc.poll() is not None:
            hint = (hints or {}).get(proc.returncode, "")
            pytest.fail(f"{name} exited with code {proc.returncode}{f' ({hint})' if hint else ''}:\n{tail()}")
        if _answers(host, port, url):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            pytest.fail(f"{name} did not answer on {host}:{port}{f' ({url})' if url else ''} "
                        f"in {timeout:g} s:\n{tail()}")
        time.sleep(0.2)


def _answers(host: str, port: int, url: str | None) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
        if url is None:
            return True
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except OSError:  # refused, reset, timed out, HTTP error while the server starts
        return False


# -- document makers -------------------------------------------------------------------------------


def font_path() -> Path:
    """DejaVu Sans: the Debian package's file, else the copy matplotlib ships (a dependency).
    A real TrueType font matters: Pillow's default bitmap font OCRs badly."""
    system = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if system.is_file():
        return system
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def render_pages(text: str, *, dpi: int = 300, points: float = 10.0, margin_in: float = 0.8) -> list:
    """Render text as A4 page images (grey, white background) like a clean office scan."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    margin = int(margin_in * dpi)
    font = ImageFont.truetype(str(font_path()), int(points * dpi / 72))
    line_height = int(font.size * 1.35)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > width - 2 * margin:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    per_page = (height - 2 * margin) // line_height
    pages = []
    for first in range(0, len(lines), per_page):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines[first:first + per_page]):
            draw.text((margin, margin + i * line_height), line, font=font, fill=0)
        pages.append(page)
    return pages


class DocMaker:
    """Writes test documents; each method returns the path it wrote."""

    @staticmethod
    def scanned_pdf(text: str, path: Path, dpi: int = 300) -> Path:
        """A PDF of page images only (no text layer), as a scanner makes it."""
        pages = render_pages(text, dpi=dpi)
        pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
        return path

    @staticmethod
    def image(text: str, path: Path, dpi: int = 300) -> Path:
        render_pages(text, dpi=dpi)[0].save(path, dpi=(dpi, dpi))
        return path

    @staticmethod
    def text_pdf(text: str, path: Path, lines_per_page: int = 60) -> Path:
        """A PDF with a real text layer (TrueType fonts embedded, so the text extracts back)."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_pdf import PdfPages
        from matplotlib.figure import Figure

        lines = [w for line in text.split("\n") for w in (textwrap.wrap(line, 95) or [""])]
        with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
            for first in range(0, len(lines), lines_per_page):
                fig = Figure(figsize=A4_INCHES)
                for i, line in enumerate(lines[first:first + lines_per_page]):
                    fig.text(0.06, 0.96 - i * 0.0155, line, fontsize=8, family="DejaVu Sans")
                pdf.savefig(fig)
        return path

    @staticmethod
    def docx(text: str, path: Path, table: list[list[str]] | None = None) -> Path:
        import docx

        document = docx.Document()
        for line in text.split("\n"):
            document.add_paragraph(line)
        if table:
            t = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    t.cell(r, c).text = value
        document.save(str(path))
        return path


@pytest.fixture(scope="session")
def docs() -> DocMaker:
    return DocMaker()


def bag_of_stems(texts: list[str], dim: int) -> list[list[float]]:
    """Stand-in embeddings for index tests that are not about the model: a hashed bag of French stems,
    L2-normalised (deterministic and instant; the real model is tested in the `model` tests)."""
    import hashlib

    from assistant.textnorm import stems

    out = []
    for text in texts:
        vec = [0.0] * dim
        for stem in stems(text):
            vec[int(hashlib.md5(stem.encode()).hexdigest(), 16) % dim] += 1.0
        norm = sum(v * v for v in vec) ** 0.5 or 1.0
        out.append([v / norm for v in vec])
    return out
