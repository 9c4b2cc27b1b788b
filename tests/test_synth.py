"""The synthetic corpus generator: reproducible, varied, and its truth agrees with its text."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from assistant.synth import ACT_TYPES, fr_date, generate, write_corpus
from assistant.textnorm import match_key

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "corpus" / "synthetic"
SHIPPED_N, SHIPPED_SEED = 200, 2024


@pytest.fixture(scope="module")
def shipped_like():
    """The shipped set, generated again in memory."""
    return generate(SHIPPED_N, SHIPPED_SEED)


# -- reproducibility -------------------------------------------------------------------------------


def test_same_seed_same_bytes(tmp_path):
    a = write_corpus(tmp_path / "a", 12, 7)
    b = write_corpus(tmp_path / "b", 12, 7)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()
        ta, tb = (p.with_name(p.stem + ".truth.json") for p in (pa, pb))
        assert ta.read_bytes() == tb.read_bytes()
    c = generate(12, 8)
    assert [x.text for x in c] != [p.read_text(encoding="utf-8") for p in a]


def test_write_corpus_replaces_old_synth_files_only(tmp_path):
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    write_corpus(tmp_path, 6, 1)
    write_corpus(tmp_path, 3, 2)
    assert len(list(tmp_path.glob("synth_*.txt"))) == 3
    assert len(list(tmp_path.glob("synth_*.truth.json"))) == 3
    assert (tmp_path / "keep.txt").exists()


def test_shipped_set_is_the_seeded_generation(shipped_like):
    files = sorted(SHIPPED.glob("synth_*.txt"))
    assert len(files) == SHIPPED_N, (
        "corpus/synthetic: run `delib corpus synth --n 200 --seed 2024 corpus/synthetic`"
    )
    assert [f.name for f in files] == [s.filename for s in shipped_like]
    for f, s in zip(files, shipped_like):
        assert f.read_text(encoding="utf-8") == s.text
        truth = json.loads(f.with_name(f.stem + ".truth.json").read_text(encoding="utf-8"))
        assert truth == s.truth


def test_truth_does_not_depend_on_noise():
    clean, noisy = generate(15, 11, noise=0.0), generate(15, 11, noise=1.0)
    for c, n in zip(clean, noisy):
        tc, tn = dict(c.truth), dict(n.truth)
        for t in (tc, tn):
            t.pop("file")
            t.pop("generator")
        assert tc == tn
    assert any(c.text != n.text for c, n in zip(clean, noisy))


# -- noise -------------------------------------------------------------------------------------------

_ARTEFACTS = re.compile(r"\bI['’]\w|\bceuvr|\bOui le rapport|\bao\(t\b|Frangois")


def test_noise_zero_is_clean_and_default_is_noisy():
    clean = generate(40, 5, noise=0.0)
    noisy = generate(40, 5)
    assert not any(_ARTEFACTS.search(s.text) for s in clean)
    assert all("Ouï le rapport" in s.text for s in clean if s.truth["body"] != "conseil_municipal")
    hits = sum(len(_ARTEFACTS.findall(s.text)) for s in noisy)
    assert hits > 40  # several per file on average, like the seed
    lone_a = sum(len(re.findall(r"(?<=\s)a(?=\s)", s.text)) for s in noisy)
    accent_a = sum(len(re.findall(r"(?<=\s)à(?=\s)", s.text)) for s in noisy)
    assert lone_a > accent_a  # "à" is mostly read "a", as in the seed


def test_noise_never_touches_amounts_codes_and_digits():
    clean, noisy = generate(30, 9, noise=0.0), generate(30, 9, noise=3.0)
    digits = re.compile(r"\d[\d ,./-]*\d|\d")
    for c, n in zip(clean, noisy):
        assert digits.findall(c.text) == digits.findall(n.text)


# -- variety -----------------------------------------------------------------------------------------


def test_variety_in_the_shipped_set(shipped_like):
    truths = [s.truth for s in shipped_like]
    assert set(Counter(t["act_type"] for t in truths)) == set(ACT_TYPES)
    assert set(Counter(t["body"] for t in truths)) == {"bureau", "conseil", "conseil_municipal"}
    assert len({t["authority"] for t in truths if t["body"] == "conseil_municipal"}) >= 3
    years = {int(t["session_date"][:4]) for t in truths}
    assert min(years) == 2016 and max(years) == 2026 and len(years) == 11
    votes = [t["vote"] for t in truths]
    plain = [
        v for v in votes if not (v["unanimous"] or v["against_count"] or v["abstention_count"] is not None)
    ]
    assert plain, "'adoptée' alone"
    assert any(v["unanimous"] and v["abstention_count"] is None for v in votes)
    assert any(v["abstentions"] for v in votes)
    assert any(v["against_count"] and not v["against"] for v in votes)
    assert any(v["against"] for v in votes)
    assert any(v["against_count"] and v["abstention_count"] for v in votes)
    assert any(t["present"] for t in truths) and any(not t["present"] for t in truths)
    assert any(t["present_count"] and not t["present"] for t in truths)
    assert any(t["represented"] for t in truths) and any(t["excused"] for t in truths)
    amounts = [a for t in truths for a in t["amounts"]]
    assert any(a["qualifier"] == "HT" for a in amounts) and any(a["qualifier"] == "TTC" for a in amounts)
    assert any(a["per_year"] for a in amounts)
    assert any(a["cents"] % 100 for a in amounts)
    assert any(len({a["beneficiary"] for a in t["amounts"] if a["beneficiary"]}) >= 3 for t in truths)
    subsidies = [a["cents"] for t in truths if t["act_type"] == "subvention" for a in t["amounts"]]
    assert 100_000 <= min(subsidies) and max(subsidies) <= 150_000_000
    assert any(b["sous_politique"] for t in truths for b in t["budget"])
    assert any(len(t["budget"]) > 1 for t in truths)
    assert any(t["cofinancers"] for t in truths)
    assert any(t["signatory"] is None for t in truths)  # rare by design (a truncated extract)
    assert len({t["signatory"]["title"] for t in truths if t["signatory"]}) >= 10
    assert any(t["president"] is None for t in truths)


def test_beneficiaries_recur_over_consecutive_years(shipped_like):
    years: dict[str, set[int]] = defaultdict(set)
    for s in shipped_like:
        t = s.truth
        if t["act_type"] == "subvention":
            for a in t["amounts"]:
                if a["beneficiary"] and a["year"]:
                    years[a["beneficiary"]].add(a["year"])
    runs = [name for name, ys in years.items() if any(y in ys and y + 1 in ys for y in ys)]
    assert len(runs) >= 8, years
    assert max(len(ys) for ys in years.values()) >= 4


# -- truth agrees with text ----------------------------------------------------------------------------


def _cents(printed: str) -> int:
    number = re.match(r"[\d .]+(?:,\d\d)?", printed).group().strip()
    euros, _, cents = number.partition(",")
    return int(re.sub(r"[ .]", "", euros)) * 100 + int(cents or 0)


def _names(t: dict) -> list[str]:
    names = list(t["present"]) + list(t["excused"])
    names += [r["name"] for r in t["represented"]] + [r["proxy"] for r in t["represented"]]
    names += t["vote"]["abstentions"] + t["vote"]["against"]
    if t["president"]:
        names.append(t["president"]["name"])
    if t["signatory"]:
        names.append(t["signatory"]["name"])
    return names


def _in_text(value: str, text_key: str, fuzzy: bool) -> bool:
    key = match_key(value)
    if key in text_key:
        return True
    if not fuzzy:
        return False
    return fuzz.partial_ratio(key, text_key) >= 90


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_truth_agrees_with_text(noise):
    for s in generate(120, 31, noise=noise):
        t, text = s.truth, s.text
        key = match_key(text)
        where = s.filename
        # amounts: printed in this order, and the printed value is the truth's value
        pos = 0
        for a in t["amounts"]:
            i = text.find(a["text"], pos)
            assert i >= 0, (where, a)
            pos = i + len(a["text"])
            assert _cents(a["text"]) == a["cents"], (where, a)
            assert (a["qualifier"] is not None) == bool(re.search(r"HT|H\.T\.|hors taxes|TTC", a["text"]))
        for c in t["codes"]:
            assert c["code"] in text, (where, c)
        for name in _names(t):
            assert _in_text(name, key, fuzzy=True), (where, name)
        for value in [t["object"], *t["beneficiaries"], *t["cofinancers"]]:
            assert _in_text(value, key, fuzzy=False), (where, value)
        if t["signatory"]:
            assert _in_text(t["signatory"]["title"], key, fuzzy=False), (where, t["signatory"])
        day, month, year = fr_date(dt.date.fromisoformat(t["session_date"])).split()
        assert match_key(f"Séance du {day} {month} {year}") in key, where
        heads = re.findall(r"^\s*(?:Article|ARTICLE)\s+(\d+|1er|premier)\b", text, flags=re.MULTILINE)
        assert len(heads) == t["articles"]["count"], where
        for b in t["budget"]:
            assert re.search(rf"[Nn]ature\s+{b['nature']}\b", text), (where, b)
            assert re.search(rf"[Ff]onction\s+{b['fonction']}\b", text), (where, b)
            assert str(b["year"]) in text
        if t["present_count"] is not None:
            assert str(t["present_count"]) in text
            if t["present"]:
                assert t["present_count"] == len(t["present"])
        v = t["vote"]
        if v["against"]:
            assert v["against_count"] == len(v["against"])
        assert v["adopted"] is True
        if t["body"] == "conseil_municipal":
            assert [c["kind"] for c in t["codes"]] == ["registre"]
        else:
            suffix = "/BM" if t["body"] == "bureau" else "/CM"
            assert [c["kind"] for c in t["codes"]] == ["service", "registre"]
            assert all(c["code"].endswith(suffix) for c in t["codes"])


def test_cli_corpus_synth(tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    out = tmp_path / "synth"
    result = CliRunner().invoke(app, ["corpus", "synth", "--n", "5", "--seed", "3", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 5 and len(data["files"]) == 5
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(data["files"])
    assert len(list(out.glob("*.truth.json"))) == 5
