"""The parser on the real OCR'd seed extract (Bureau de la Métropole, 20 juin 2019)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.ingest import parse
from assistant.models import Deliberation, Span
from assistant.textnorm import match_key

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_47990de55f73b628.txt"

PRESENT = """Béatrice ALIPHAT - Martial ALVAREZ - Christophe AMALRIC - Sylvia BARTHELEMY - Frangois BERNARDINI -
Roland BLUM - Patrick BORE - Gérard BRAMOULLE - Christian BURLE - Gaby CHARROUX - Frédéric COLLART -
Georges CRISTIANI - Arlette FRUCTUS - Daniel GAGNON - Alexandre GALLESE - Daniéle GARCIA - Gérard GAZAY -
Nicolas ISNARD - Maryse JOISSAINS MASINI - Didier KHELFA - Richard MALLIE - Xavier MERY - Danielle MILON -
Jean MONTAGNAC - Pascal MONTECOT - Roland MOUREN - Henri PONS - Georges ROSSO - Michel ROUX -
Martine VASSAL"""


@pytest.fixture(scope="module")
def raw() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rec(raw: str) -> Deliberation:
    return parse(raw, id="000_47990de55f73b628", source=SEED.name, path=str(SEED))


def test_identity(rec: Deliberation, raw: str) -> None:
    import hashlib

    assert rec.id == "000_47990de55f73b628"
    assert rec.source == SEED.name
    assert rec.raw_text == raw
    assert rec.content_hash == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    assert rec.warnings == []


def test_header(rec: Deliberation) -> None:
    assert rec.body == "bureau"
    assert rec.body_label == "Bureau de la Métropole"
    assert rec.authority is not None and rec.authority.text == "Métropole Aix-Marseille-Provence"
    assert rec.session_date == dt.date(2019, 6, 20)
    assert rec.session_span is not None and rec.session_span.text == "Séance du 20 juin 2019"
    assert rec.president is not None
    assert rec.president.name == "Martine VASSAL"
    assert rec.president.civility == "Madame"
    assert rec.president.title == "Présidente de la Métropole Aix-Marseille-Provence"


def test_attendance(rec: Deliberation) -> None:
    assert rec.present_count == 30
    assert rec.present_count_span is not None and "30" in rec.present_count_span.text
    expected = [name.strip() for name in PRESENT.replace("\n", " ").split(" - ")]
    assert len(expected) == 30
    assert [m.name for m in rec.present] == expected
    assert [(m.name, m.proxy) for m in rec.represented] == [
        ("Martine CESARI", "Daniele GARCIA"),
        ("Roland GIBERTI", "Roland MOUREN"),
    ]
    assert [m.name for m in rec.excused] == ["Eric LE DISSES"]


def test_codes_object_and_act_type(rec: Deliberation) -> None:
    assert [(c.code, c.kind) for c in rec.codes] == [("EMP 004-6064/19/BM", "service"), ("MET 19/11402/BM", "registre")]
    service = rec.codes[0]
    assert (service.prefix, service.number, service.year, service.body_suffix) == ("EMP", "004-6064", 2019, "BM")
    # the code quoted in the visas belongs to the delegation deliberation, not to this one
    assert all("FAG" not in c.code for c in rec.codes)
    assert rec.service_code() == "EMP 004-6064/19/BM"
    assert rec.object is not None
    assert rec.object.text.startswith("Attribution d'une subvention")
    assert rec.object.text.endswith("d'une convention")
    assert rec.act_type == "subvention"


def test_report_parts(rec: Deliberation) -> None:
    assert rec.rapporteur is not None and rec.rapporteur.text.endswith("le rapport suivant :")
    assert rec.expose is not None
    assert rec.expose.text.startswith("La Meétropole Aix-Marseille-Provence est forte")
    assert "Telles sont les raisons" not in rec.expose.text
    assert len(rec.visas) == 4
    assert rec.visas[0].text.startswith("Le Code Général des Collectivités Territoriales")
    assert "FAG 21-5718/19/CM" in rec.visas[3].text


def test_articles(rec: Deliberation) -> None:
    assert [a.number for a in rec.articles] == [1, 2, 3, 4]
    assert rec.articles[0].text.startswith("Est attribuée une subvention")
    assert rec.articles[3].text.endswith("65748.")
    assert "adoptée" not in rec.articles[3].text


def test_subsidy(rec: Deliberation) -> None:
    granted = [a for a in rec.amounts if a.article == 1]
    assert len(granted) == 1
    amount = granted[0]
    assert amount.cents == 2_000_000
    assert amount.currency == "EUR"
    assert amount.qualifier is None and not amount.per_year
    assert rec.raw_text[amount.start:amount.end] == "20 000 euros"
    assert match_key(amount.beneficiary) == match_key("Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur")
    assert amount.purpose is not None and "ACTE’INOV" in amount.purpose
    assert amount.year == 2019
    sentence = rec.raw_text[amount.sentence_start:amount.sentence_end]
    assert sentence.startswith("Est attribuée une subvention") and sentence.endswith("ACTE’INOV.")
    # the same 20 000 € is announced in the exposé (no article)
    assert any(a.article is None and a.cents == 2_000_000 for a in rec.amounts)
    assert [match_key(b) for b in rec.beneficiaries] == [
        match_key("Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur")
    ]


def test_cofinancers_and_budget(rec: Deliberation) -> None:
    names = [" ".join(c.text.split()) for c in rec.cofinancers]
    assert names == ["Fonds Social Européen", "Ville de Marseille", "Région Sud — Provence-Alpes-Cote d’Azur"]
    assert len(rec.budget) == 1
    budget = rec.budget[0]
    assert (budget.budget, budget.year, budget.fonction, budget.nature) == ("fonctionnement", 2019, "65", "65748")
    assert budget.chapitre is None and budget.sous_politique is None


def test_vote_and_signatory(rec: Deliberation) -> None:
    assert rec.vote is not None
    assert rec.vote.adopted is True
    assert rec.vote.unanimous is False
    assert rec.vote.abstentions == [] and rec.vote.against == []
    assert rec.raw_text[rec.vote.start:rec.vote.end] == "Cette proposition mise aux voix est adoptée."
    assert rec.signatory is not None
    assert rec.signatory.name == "Martial ALVAREZ"
    assert rec.signatory.title == "Vice-Président Délégué Emploi, Insertion, Economie sociale et solidaire"


def _spans(rec: Deliberation):
    """Every (label, start, end, text-or-None) the record holds."""
    for name in ("authority", "session_span", "present_count_span", "object", "rapporteur", "expose"):
        span = getattr(rec, name)
        if span is not None:
            yield name, span.start, span.end, span.text
    for name in ("visas", "cofinancers"):
        for span in getattr(rec, name):
            yield name, span.start, span.end, span.text
    for member in [*rec.present, *rec.represented, *rec.excused]:
        yield "member", member.start, member.end, member.name
    for code in rec.codes:
        yield "code", code.start, code.end, code.code
    for part in [rec.president, rec.vote, rec.signatory, *rec.articles, *rec.budget, *rec.amounts]:
        if part is not None:
            yield type(part).__name__, part.start, part.end, None
    for amount in rec.amounts:
        yield "sentence", amount.sentence_start, amount.sentence_end, None


def test_every_span_quotes_the_raw_text(rec: Deliberation, raw: str) -> None:
    spans = list(_spans(rec))
    assert len(spans) > 50
    for label, start, end, text in spans:
        assert 0 <= start < end <= len(raw), label
        quote = raw[start:end]
        assert quote == quote.strip(), (label, quote)
        if text is not None and label in {"authority", "session_span", "present_count_span", "object",
                                          "rapporteur", "expose", "visas", "cofinancers", "code"}:
            assert text == quote or label == "code", (label, text, quote)
        if label == "member":
            assert " ".join(quote.split()) == text
    # Span objects are self-checking
    for name in ("authority", "session_span", "object", "rapporteur", "expose"):
        span: Span = getattr(rec, name)
        assert raw[span.start:span.end] == span.text
    for article in rec.articles:
        assert raw[article.start:article.end].startswith("Article")
        assert article.text in raw[article.start:article.end]
    assert raw[rec.president.start:rec.president.end].startswith("Madame Martine VASSAL")
    assert raw[rec.signatory.start:rec.signatory.end].endswith("Martial ALVAREZ")
    assert raw[rec.budget[0].start:rec.budget[0].end].startswith("Les crédits nécessaires")


def test_parse_is_pure_and_deterministic(raw: str, rec: Deliberation) -> None:
    again = parse(raw, id="000_47990de55f73b628", source=SEED.name, path=str(SEED))
    assert again.model_dump() == rec.model_dump()


@pytest.mark.parametrize("variant", ["nfd", "crlf"])
def test_same_facts_from_decomposed_accents_and_crlf(raw: str, rec: Deliberation, variant: str) -> None:
    """Offsets map back through the plain copy even when it is shorter or longer than the raw text."""
    import unicodedata

    other = unicodedata.normalize("NFD", raw) if variant == "nfd" else raw.replace("\n", "\r\n")
    assert other != raw
    again = parse(other, id="x", source="x.txt")
    assert again.session_date == rec.session_date
    assert [c.code for c in again.codes] == [c.code for c in rec.codes]
    assert [m.name for m in again.present] == [unicodedata.normalize("NFD", m.name) if variant == "nfd"
                                               else m.name for m in rec.present]
    assert [(a.cents, a.article, a.year) for a in again.amounts] == [(a.cents, a.article, a.year) for a in rec.amounts]
    assert again.signatory is not None and again.signatory.name == rec.signatory.name
    assert again.vote is not None and again.vote.adopted
    for span in [again.authority, again.session_span, again.object, *again.visas, *again.cofinancers]:
        assert other[span.start:span.end] == span.text
    for amount in again.amounts:
        assert other[amount.start:amount.end].replace("\r", "").startswith("20 000")
