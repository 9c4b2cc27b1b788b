"""Layout and OCR noise: paragraphs of zoned segments, wrapped to a page width, then noised."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from assistant.textnorm import match_key

DEFAULT_NOISE = 1.0
P, F, X = "p", "f", "x"  # zones: prose (all noise), field (key-safe noise), protected (no noise)

# --------------------------------------------------------------------------------------------------
# Document builder: paragraphs made of zoned segments, then layout and noise
# --------------------------------------------------------------------------------------------------

Seg = tuple[str, str]


def f(text: str) -> Seg:
    return (text, F)


def x(text: str) -> Seg:
    return (text, X)


def _segs(parts, default: str = P) -> list[Seg]:
    """Parts to zoned segments: plain strings take the default zone (prose unless said otherwise)."""
    out: list[Seg] = []
    for part in parts:
        if isinstance(part, tuple):
            out.append(part)
        elif isinstance(part, list):
            out.extend(_segs(part, default))
        elif part:
            out.append((part, default))
    return out


@dataclass
class Block:
    kind: str  # "wrap" (re-flowed to the page width) or "fixed" (printed as is)
    segs: list[Seg]
    gap: int  # blank lines after
    extra_width: int = 0


@dataclass
class Doc:
    rng: random.Random
    blocks: list[Block] = field(default_factory=list)
    dense: float = 0.1  # probability that a paragraph is not followed by a blank line

    def _gap(self, gap: int | None) -> int:
        if gap is not None:
            return gap
        r = self.rng.random()
        return 0 if r < self.dense else (2 if r > 0.97 else 1)

    def para(self, *parts, gap: int | None = None, extra_width: int = 0, zone: str = P) -> None:
        segs = [sg for sg in _segs(parts, zone) if sg[0]]
        for i in range(1, len(segs)):  # "12 000 euros H.T." + "." -> a single full stop
            if segs[i][0].startswith(".") and segs[i - 1][0].endswith("."):
                segs[i] = (segs[i][0][1:], segs[i][1])
        self.blocks.append(Block("wrap", [sg for sg in segs if sg[0]], self._gap(gap), extra_width))

    def fixed(self, *parts, gap: int | None = None) -> None:
        """Lines printed as they are: headers and formulas (key-safe noise only)."""
        self.blocks.append(Block("fixed", _segs(parts, F), self._gap(gap)))

    def formula(self, *parts, gap: int | None = None, extra_width: int = 0) -> None:
        """A wrapped paragraph of the register's fixed wording (what readers key on): key-safe noise only."""
        self.para(*parts, gap=gap, extra_width=extra_width, zone=F)


def _split_word(w: str, wz: str, room: int, rng: random.Random, hyph_p: float) -> tuple[Seg, Seg] | None:
    """Break a word at the end of a line: at its own hyphen, or hyphenate it (soft hyphen)."""
    if X in wz or room < 4:
        return None
    cuts = [i for i, ch in enumerate(w) if ch == "-" and 2 <= i < room and len(w) - i > 3]
    if cuts and rng.random() < 0.85:
        i = cuts[-1] + 1
        return (w[:i], wz[:i]), (w[i:], wz[i:])
    if len(w) >= 8 and w.isalpha() and rng.random() < hyph_p:
        vowels = "aeiouyéèêàâîôû"
        cands = [
            k
            for k in range(3, min(room - 1, len(w) - 3) + 1)
            if w[k - 1] in vowels and w[k] not in vowels and w[k + 1] in vowels
        ]
        if cands:
            k = cands[-1]
            return (w[:k] + "-", wz[:k] + wz[0]), (w[k:], wz[k:])
    return None


_GLUE_LEFT = {":", ";", "»", "%", "!", "?"}  # French typography keeps these with the word before


def _glue(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep "« Nom »", "ci-après :" and "2 %" together on a line, as a non-breaking space would."""
    out: list[tuple[str, str]] = []
    pending: tuple[str, str] | None = None
    for w, wz in words:
        if pending:
            w, wz = pending[0] + " " + w, pending[1] + P + wz
            pending = None
        if w == "«":
            pending = (w, wz)
        elif w[0] in _GLUE_LEFT and len(w) <= 2 and out:
            pw, pz = out.pop()
            out.append((pw + " " + w, pz + P + wz))
        else:
            out.append((w, wz))
    if pending:
        out.append(pending)
    return out


def _wrap(s: str, z: str, width: int, rng: random.Random, hyph_p: float) -> tuple[str, str]:
    words: list[tuple[str, str]] = []
    start = 0
    for i, ch in enumerate(s):
        if ch == " " and z[i] != X:
            words.append((s[start:i], z[start:i]))
            start = i + 1
    words.append((s[start:], z[start:]))
    words = _glue(words)
    lines: list[tuple[str, str]] = []
    cur_s, cur_z = "", ""
    for w, wz in words:
        if not w:
            continue
        if not cur_s:
            cur_s, cur_z = w, wz
        elif len(cur_s) + 1 + len(w) <= width:
            cur_s, cur_z = cur_s + " " + w, cur_z + P + wz
        else:
            split = _split_word(w, wz, width - len(cur_s) - 1, rng, hyph_p)
            if split:
                (hs, hz), (ts, tz) = split
                lines.append((cur_s + " " + hs, cur_z + P + hz))
                cur_s, cur_z = ts, tz
            else:
                lines.append((cur_s, cur_z))
                cur_s, cur_z = w, wz
    if cur_s:
        lines.append((cur_s, cur_z))
    return "\n".join(ls for ls, _ in lines), X.join(lz for _, lz in lines)


# --------------------------------------------------------------------------------------------------
# OCR noise
# --------------------------------------------------------------------------------------------------

_CHAR_NOISE: dict[str, list[tuple[str, float]]] = {
    "è": [("e", 0.12), ("é", 0.08)],
    "ê": [("e", 0.15)],
    "ô": [("o", 0.35), ("é", 0.06)],
    "û": [("u", 0.3), ("(", 0.25)],
    "ï": [("i", 0.7)],
    "î": [("i", 0.4)],
    "â": [("a", 0.2)],
    "à": [("a", 0.5)],
    "é": [("e", 0.02), ("eé", 0.012)],
    "É": [("E", 0.3)],
    "È": [("E", 0.5)],
    "œ": [("ce", 0.9)],
    "Œ": [("CE", 0.7)],
    "ç": [("g", 0.35), ("c", 0.3)],
}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*['’]?|•")


def _noisy_token(tok: str, zone: str, prev: str, rng: random.Random, lvl: float) -> str:
    def hit(p: float) -> bool:
        return rng.random() < min(1.0, p * lvl)

    if tok == "•":
        return ("e" if hit(0.6) else "»" if hit(0.1) else tok) if zone == P else tok
    if tok == "er" and prev == "1" and zone == P and hit(0.3):
        return rng.choice(["%", "°°", "er"])
    if tok == "à":
        return "a" if hit(0.9) else tok
    if tok == "À":
        return "A" if hit(0.5) else tok
    out = tok
    if out[:2] in ("l'", "l’") and len(out) > 2:
        r = rng.random()
        if r < 0.65 * lvl:
            out = "I" + out[1:]
        elif r < 0.73 * lvl:
            out = out[1:]
        elif r < 0.77 * lvl and zone == P:
            out = "l" + out[2:]
    chars: list[str] = []
    for i, ch in enumerate(out):
        rep = ch
        for alt, p in _CHAR_NOISE.get(ch, ()):
            if alt == "eé" and (i == 0 or not out[i - 1].isalpha() or out[i - 1] in "eé"):
                continue
            if hit(p):
                rep = alt
                break
        if ch in "'’" and rep == ch:
            if hit(0.04):
                rep = "’'"
            elif ch == "'" and hit(0.35):
                rep = "’"
        chars.append(rep)
    out = "".join(chars)
    if zone == P and len(out) > 6 and hit(0.002):
        k = rng.randrange(2, len(out) - 1)
        out = out[:k] + rng.choice(out[k - 2 : k]) + out[k:]
    if zone == F and out != tok and match_key(out) != match_key(tok):
        return tok
    return out


def _apply_noise(s: str, z: str, rng: random.Random, lvl: float) -> str:
    if lvl <= 0:
        return s
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(s):
        zone = z[m.start()]
        out.append(s[last : m.start()])
        tok = m.group()
        out.append(tok if zone == X else _noisy_token(tok, zone, s[m.start() - 1 : m.start()], rng, lvl))
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def _line_noise(text: str, rng: random.Random, lvl: float) -> str:
    if lvl <= 0:
        return text
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if i and line.strip() and out and out[-1].strip() and rng.random() < 0.03 * lvl:
            out.append("")
        if i and line.strip() and rng.random() < 0.015 * lvl:
            line = " " + line
        out.append(line)
    return "\n".join(out)


def render(doc: Doc, rng: random.Random, width: int, lvl: float) -> str:
    parts_s: list[str] = []
    parts_z: list[str] = []
    hyph_p = 0.12 * lvl
    for b in doc.blocks:
        s = "".join(t for t, _ in b.segs)
        z = "".join(zone * len(t) for t, zone in b.segs)
        if b.kind == "wrap":
            s, z = _wrap(s, z, width + b.extra_width, rng, hyph_p)
        parts_s.append(s + "\n" * (1 + b.gap))
        parts_z.append(z + X * (1 + b.gap))
    s, z = "".join(parts_s), "".join(parts_z)
    text = _apply_noise(s, z, rng, lvl)
    text = _line_noise(text, rng, lvl)
    return text
