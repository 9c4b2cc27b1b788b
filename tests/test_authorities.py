"""Drafting for any authority: profiles learned from the registry (header, numbering, formulas, signature),
`delib authorities`, drafts in each authority's own style, and neutral drafts for an authority the registry
does not hold. The real documents are read from corpus/real/ by path (their names stay in the data files)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from assistant.draft import lint_text, make_draft
from assistant.draft.lint import fold_same_length
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
from assistant.draft.request import request_from_dict
from assistant.draft.templates import prep_de
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
    # a commune's article: kept with "La" and "L'", contracted with "Le" and "Les"
    assert [designation("commune", n) for n in ("La Ciotat-Exemple", "Le Bourg-Exemple", "Les Moulins", "Lesneven",
                                                "Illexemple")] == [
        "Commune de La Ciotat-Exemple", "Commune du Bourg-Exemple", "Commune des Moulins", "Commune de Lesneven",
        "Commune d'Illexemple"]


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


# -- drafting in an authority's own style ------------------------------------------------------------


def _draft_for(registry, profile, **extra):
    from assistant.draft.profiles import filled_forms

    req = request_from_dict(_request(designation(profile.authority_type, profile.authority_name),
                                     profile.authority_type, profile.body, **extra))
    return req, make_draft(None, req, llm=None, registry=registry), filled_forms(profile, req)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold_same_length(text))


def _ngrams(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _closeness(draft, learned, registry, *, whole_frame: bool = False) -> dict[str, float]:
    """Per authority of the registry: the share of the draft's formula word 3-grams its records print.

    The draft's formulas are the parts its authority's style wrote: those that differ from the same request
    drafted with neutral wording (no profile, no precedent); `whole_frame`: every formula part (a frame that is
    the authority's own)."""
    from assistant.draft import render_draft

    neutral = render_draft(draft.request, [], llm=None)
    own = [p for p in draft.parts if p.name in FORMULA_PARTS
           and (whole_frame or draft.part(p.name) != neutral.part(p.name))]
    assert len(own) >= 3, [p.name for p in own]
    formulas = _ngrams("\n".join(draft.text[p.start:p.end] for p in own))
    printed: dict[str, set] = {}
    for p in learned:
        authority = p.key.rsplit(":", 1)[0]
        for rec in registry.get_many(p.records).values():
            printed.setdefault(authority, set()).update(_ngrams(rec.raw_text))
    return {a: len(formulas & grams) / len(formulas) for a, grams in printed.items()}


@pytest.mark.parametrize("types", [{"commune"}, INTERCOMMUNAL, {"departement", "region"}],
                         ids=["commune", "intercommunalite", "departement-ou-region"])
def test_drafts_for_real_authorities_use_their_own_style(corpus_registry, learned, types):
    profile = _richest(corpus_registry, types)
    req, draft, forms = _draft_for(corpus_registry, profile)
    assert draft.profile == profile.key
    # Its own header, session formula, numbering and signature block, where its records print them.
    if profile.header:
        assert draft.part("en-tete") == forms["header"]
    if "ouverture" in profile.formulas:
        assert draft.part("ouverture") == forms["ouverture"]
        assert "deux mille vingt-cinq" in draft.part("ouverture")  # the session's year, in words
    assert profile.numbering, "a real authority's numbers follow a scheme"
    assert draft.part("numero") == f"Délibération n° {number_placeholder(profile.numbering.text, req.session_date)}"
    if "signature" in profile.formulas:
        assert draft.part("signataire") == forms["signature"]
    else:
        assert re.match(r"^(?:Le|La) \w+", draft.part("signataire"))
    assert "Anne DURAND" in draft.part("signataire")
    if "vote" in profile.formulas:  # its vote line is offered, its result left to the session
        offered = next(s for s in draft.suggestions if s.kind == "vote")
        assert offered.source in profile.formulas["vote"].sources and not offered.used
    # Its precedents are its own first, never another type's.
    assert draft.precedents and "même collectivité" in draft.precedents[0]["reasons"]
    by_id = corpus_registry.get_many(p["id"] for p in draft.precedents)
    assert {r.authority_type for r in by_id.values()} <= {profile.authority_type, None}
    assert [f for f in lint_text(draft.text) if f.severity == "erreur"] == []
    assert [f for f in draft.findings if f.rule in ("autre-collectivite", "registre-incomplet")] == []
    # Its formulas are closer to its own records than to any other authority's.
    scores = _closeness(draft, learned, corpus_registry)
    own = profile.key.rsplit(":", 1)[0]
    assert scores[own] == max(scores.values()) and sorted(scores.values())[-2] < scores[own], (own, scores)


def test_metropole_draft_keeps_the_seed_frame_and_is_closest_to_its_records(corpus_registry, learned):
    from assistant.draft import load_request

    req = load_request(ROOT / "eval" / "draft_requests" / "seed.yaml")
    draft = make_draft(None, req, llm=None, registry=corpus_registry)
    assert draft.part("titre") == "EXTRAIT DES REGISTRES DES DELIBERATIONS\nDU BUREAU DE LA METROPOLE\nAIX-MARSEILLE-PROVENCE"
    assert draft.part("code") == "EMP [n°]/19/BM" and draft.part("certifie") == "Certifié Conforme,"
    assert draft.findings == []
    scores = _closeness(draft, learned, corpus_registry, whole_frame=True)
    own = next(p.key.rsplit(":", 1)[0] for p in learned if p.authority_type == "metropole")
    assert scores[own] == max(scores.values()) and sorted(scores.values())[-2] < scores[own], scores


def test_a_body_the_authority_does_not_have_is_refused_in_french():
    with pytest.raises(ValueError, match="ne délibère pas en « Bureau » : son assemblée est le Conseil municipal"):
        request_from_dict(_request("Commune de Saint-Exemple", None, "bureau"))
    assert request_from_dict(_request("Exemple", None, "bureau")).authority_type is None  # unknown type: no check


_BODIES = [
    ("Commune de Saint-Exemple", "commune", "conseil_municipal", "Conseil municipal", "Le Maire,"),
    ("Communauté d'agglomération Exemple Agglomération", "communaute_agglomeration", "conseil_communautaire",
     "Conseil communautaire", "La Présidente,"),
    ("Communauté d'agglomération Exemple Agglomération", "communaute_agglomeration", "bureau", "Bureau",
     "La Présidente,"),
    ("Département de l'Exemple", "departement", "commission_permanente", "Commission permanente",
     "La Présidente du Conseil départemental,"),
    ("Syndicat mixte de Villemodèle", "syndicat", "comite_syndical", "Comité syndical", "La Présidente,"),
    ("CCAS de Villemodèle", "ccas", "conseil_administration", "Conseil d'administration", "La Présidente,"),
]


@pytest.mark.parametrize(("authority", "kind", "body", "body_name", "signature"), _BODIES,
                         ids=[b[2] for b in _BODIES])
def test_unknown_authority_gets_a_neutral_french_deliberation(corpus_registry, authority, kind, body, body_name,
                                                             signature):
    req = request_from_dict(_request(authority, None, body))
    assert req.authority_type == kind  # read from the designation the clerk typed
    draft = make_draft(None, req, llm=None, registry=corpus_registry)
    assert draft.profile is None and any("absente du registre" in n for n in draft.notes)
    text = draft.text
    of_body = "DE LA" if body == "commission_permanente" else "DU"
    assert draft.part("titre") == f"EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS\n{of_body} {body_name.upper()}"
    assert draft.part("seance") == "Séance du 12 juin 2025"
    opening = draft.part("ouverture")
    assert opening.startswith("L'an deux mille vingt-cinq, le douze juin, ")
    assert body_name in opening and authority in opening
    assert opening.endswith(f"sous la présidence de Madame Anne DURAND, {signature.split(' ', 1)[1].rstrip(',')}.")
    assert draft.part("numero") == "Délibération n° [n°]"
    assert "Secrétaire de séance : [secrétaire de séance]" in draft.part("presences")
    assert draft.part("delibere") == "Après en avoir délibéré,\nDÉCIDE :"
    assert draft.part("fait") == "Fait et délibéré les jour, mois et an susdits."
    assert draft.part("certifie") == "Pour extrait conforme,"
    assert draft.part("signataire") == f"{signature}\n\nAnne DURAND"
    assert draft.part("article-2").endswith(
        f"Les crédits nécessaires sont inscrits au budget principal 2025 {prep_de(req.the_kind)}, fonction 025, "
        "nature 6574.")
    # No word of the Métropole's frame.
    folded = fold_same_length(text)
    for word in ("metropole", "commissaire rapporteur", "bureau de la metropole", "/bm", "emp ", "ouï le rapport"):
        assert word not in folded, word
    assert [f for f in lint_text(text) if f.severity == "erreur"] == []
    assert draft.untraceable() == []
