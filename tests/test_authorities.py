"""Drafting for any authority: profiles learned from the registry (header, numbering, formulas, signature),
`delib authorities`, drafts in each authority's own style, and neutral drafts for an authority the registry
does not hold. The real documents are read from corpus/real/ by path (their names stay in the data files)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.draft.profiles import (
    designation,
    fill,
    find_profile,
    generalise,
    learn_profiles,
    number_placeholder,
    numbering_scheme,
    profiles,
    slot_values,
)
from assistant.ingest.document import read_document
from assistant.models import Deliberation, Person
from assistant.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "corpus" / "real"
SEED = ROOT / "corpus" / "000_47990de55f73b628.txt"
HANDWRITTEN = ROOT / "corpus" / "handwritten"
INTERCOMMUNAL = {"communaute_communes", "communaute_agglomeration", "communaute_urbaine", "ept"}
# The parts of a draft that carry the register's formulas (not the request's facts).
FORMULA_PARTS = {"en-tete", "titre", "seance", "numero", "ouverture", "presences", "proposition", "rapporteur",
                 "raisons", "assemblee", "oui", "conclusions", "delibere", "fait", "certifie", "signataire"}


def _ingest(registry: Registry, path: Path) -> None:
    records = read_document(path.read_text(encoding="utf-8"), id=path.stem, source=path.name, path=str(path))
    registry.save_document(records)


@pytest.fixture(scope="module")
def corpus_registry(tmp_path_factory):
    """A real registry holding the real documents, the seed and the hand-written text extracts."""
    registry = Registry(tmp_path_factory.mktemp("authorities") / "registry.sqlite")
    for path in [*sorted(REAL.glob("*.txt")), SEED, *sorted(HANDWRITTEN.glob("*.txt"))]:
        _ingest(registry, path)
    yield registry
    registry.close()


@pytest.fixture(scope="module")
def learned(corpus_registry):
    return profiles(corpus_registry)


def _request(authority: str, authority_type: str | None, body: str | None, **extra) -> dict:
    """A subsidy request with fictitious people and beneficiary."""
    return {
        "authority": authority, "authority_type": authority_type, "body": body, "session_date": "2025-06-12",
        "president": {"name": "Anne DURAND", "civility": "Madame"}, "act_type": "subvention",
        "beneficiary": {"name": "Les Amis de l'Exemple", "legal_form": "association"}, "amount": "1 500 €",
        "budget": {"budget": "principal", "fonction": "025", "nature": "6574"}, **extra,
    }


def _truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(REAL.glob("*.truth.json"))]


def _profile_for(registry, truth: dict):
    authority = truth.get("authority") or {}
    return find_profile(registry, authority.get("type"), authority.get("name"), truth.get("body"))


def _richest(registry, types: set[str]):
    """Of the real documents' authorities of these types, the one whose profile learned most (no name in code)."""
    found = [(p, t) for t in _truths() if (t.get("authority") or {}).get("type") in types
             and (p := _profile_for(registry, t)) is not None]
    assert found, f"no real document of type {sorted(types)} in corpus/real"
    return max(found, key=lambda pt: (len(pt[0].learned()), pt[0].count, pt[0].key))[0]


# -- learning ----------------------------------------------------------------------------------------


def test_numbering_schemes_name_the_session_year_month_and_day():
    rec = Deliberation(id="x", source="x", content_hash="x", raw_text="", session_date=dt.date(2023, 2, 7))
    assert numbering_scheme("2023-17", rec) == "AAAA-NN"
    assert numbering_scheme("D2023-008", rec) == "DAAAA-NNN"
    assert numbering_scheme("CP 2023-017", rec) == "CP AAAA-NNN"
    assert numbering_scheme("DEL2023-02-012", rec) == "DELAAAA-MM-NNN"
    assert numbering_scheme("2023-02-07/16", rec) == "AAAA-MM-JJ/NN"
    assert numbering_scheme("EMP 004-6064/23/BM", rec) == "EMP NNN-NNNN/AA/BM"
    assert numbering_scheme("1)", rec) == "N)"
    assert numbering_scheme("sans numéro", rec) is None
    assert number_placeholder("DAAAA-NNN", dt.date(2025, 6, 12)) == "D2025-[NNN]"
    assert number_placeholder("AAAA-MM-JJ/NN", dt.date(2025, 6, 12)) == "2025-06-12/[NN]"
    assert number_placeholder(None, dt.date(2025, 6, 12)) == "[n°]"


def test_a_formula_keeps_its_words_and_slots_the_sessions():
    text = ("L'an deux mille vingt-cinq, le trois avril à 19h00, le Conseil municipal de Saint-Exemple, dûment "
            "convoqué le 26 mars 2025, s'est réuni sous la présidence de Monsieur Paul MARTIN, Maire, en présence "
            "de Mme Anne DURAND.")
    rec = Deliberation(id="x", source="x", content_hash="x", raw_text=text, session_date=dt.date(2025, 4, 3),
                       convocation_date=dt.date(2025, 3, 26),
                       president=Person(name="Paul MARTIN", civility="Monsieur", start=0, end=1))
    form = generalise(text, rec)
    assert form == ("L'an {annee_lettres}, le {jour_lettres} {mois} à {heure}, le Conseil municipal de "
                    "Saint-Exemple, dûment convoqué le {convocation}, s'est réuni sous la présidence de "
                    "{president}, Maire, en présence de {nom}.")
    values = slot_values(dt.date(2026, 1, 1), president="Madame Anne DURAND")
    assert fill(form, values).startswith(
        "L'an deux mille vingt-six, le premier janvier à [heure], le Conseil municipal de Saint-Exemple, dûment "
        "convoqué le [date de convocation], s'est réuni sous la présidence de Madame Anne DURAND, Maire")


def test_profiles_come_from_each_authoritys_own_records(corpus_registry, learned):
    assert len(learned) >= 12
    assert [p.count for p in learned] == sorted((p.count for p in learned), reverse=True)
    by_id = corpus_registry.get_many(i for p in learned for i in p.records)
    for p in learned:
        recs = [by_id[i] for i in p.records]
        assert {(r.authority_type, r.body) for r in recs} == {(p.authority_type, p.body)}
        for form in [p.header, p.numbering, *p.formulas.values()]:
            if form is None:
                continue
            assert set(form.sources) <= set(p.records) and form.sources
            # The example is printed by the first record it comes from, line by line (spacing aside).
            printed = " ".join(by_id[form.sources[0]].raw_text.split())
            for line in form.example.splitlines():
                assert " ".join(line.split()) in printed, (p.key, line)
    # Most real authorities have a learned header, session formula or numbering.
    real = [p for p in (_profile_for(corpus_registry, t) for t in _truths()) if p]
    assert len(real) >= 12
    assert sum(bool(p.numbering) for p in real) >= 10
    assert sum("ouverture" in p.formulas for p in real) >= 6


def test_learning_is_per_authority_and_body():
    base = {"source": "x", "content_hash": "h", "raw_text": "Le Maire,\nPaul MARTIN", "authority_type": "commune",
                "session_date": dt.date(2024, 5, 2)}
    recs = [Deliberation(id="a1", authority_name="Saint-Exemple", body="conseil_municipal", number="2024-01", **base),
            Deliberation(id="a2", authority_name="SAINT EXEMPLE", body="conseil_municipal", number="2024-02", **base),
            Deliberation(id="b1", authority_name="Villemodèle", body="conseil_municipal", number="24/3", **base),
            Deliberation(id="c1", authority_name=None, body="conseil_municipal", **base)]
    found = learn_profiles(recs)
    assert [(p.authority_name, p.count, p.numbering.text) for p in found] == [
        ("Saint-Exemple", 2, "AAAA-NN"), ("Villemodèle", 1, "AA/N")]
    assert found[0].numbering.sources == ["a1", "a2"]
    assert designation("commune", "Saint-Exemple") == "Commune de Saint-Exemple"


def test_cli_authorities_lists_most_records_first(tmp_path, data_dir):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.config import Settings

    data_dir.mkdir(parents=True, exist_ok=True)
    with Registry(Settings.load(data_dir=data_dir).registry_path) as registry:
        for path in sorted(REAL.glob("*.txt"))[:3]:
            _ingest(registry, path)
    runner = CliRunner()
    result = runner.invoke(app, ["--data-dir", str(data_dir), "authorities", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert all(r["records"] and r["label"] for r in rows)
    table = runner.invoke(app, ["--data-dir", str(data_dir), "authorities"])
    assert table.exit_code == 0 and rows[0]["authority_name"].split()[0] in table.stdout
