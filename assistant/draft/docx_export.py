"""Export a draft to .docx with the register's layout (python-docx).

One Word paragraph per block of the text (blocks are separated by a blank line; lines inside a block
become line breaks), so the document holds exactly the draft's text. Header centred, title and object
bold, article headings bold, body justified, signature block indented.
"""

from __future__ import annotations

import re
from pathlib import Path

from .templates import Part

_CENTRED = {"en-tete", "titre", "seance"}
_BOLD = {"titre", "objet"}
_INDENTED = {"certifie", "signataire"}
_ARTICLE_HEAD = re.compile(r"^Article\s+\d+\s*:\s*$")


def _blocks(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in re.finditer(r"\n\n", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _part_at(parts: list[Part], i: int) -> str | None:
    return next((p.name for p in parts if p.start <= i < p.end), None)


def write_docx(text: str, parts: list[Part], path: Path | str, *, title: str | None = None) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    text = text.rstrip("\n")
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    if title:
        doc.core_properties.title = title[:250]
    doc.core_properties.language = "fr-FR"

    for start, end in _blocks(text):
        first = _part_at(parts, start)
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        if first in _CENTRED:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif first in _INDENTED:
            fmt.left_indent = Cm(8)
        elif first not in ("code", "code-registre", "objet") and "\n" not in text[start:end]:
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY  # never with line breaks: Word stretches the line
        pos = start
        for i, line in enumerate(text[start:end].split("\n")):
            part = _part_at(parts, pos)
            run = para.add_run(line)
            run.bold = part in _BOLD or bool(_ARTICLE_HEAD.match(line))
            if part == "titre":
                run.font.size = Pt(12)
            if i < text[start:end].count("\n"):
                run.add_break()
            pos += len(line) + 1
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def docx_text(path: Path | str) -> str:
    """The text of a .docx as the draft holds it: paragraphs separated by blank lines."""
    from docx import Document

    doc = Document(str(path))
    return "\n\n".join(p.text for p in doc.paragraphs if p.text.strip()) + "\n"
