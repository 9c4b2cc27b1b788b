"""The parser on extracts written by hand (corpus/handwritten/), in layouts unlike the seed.

Each `NAME.txt` has a sibling `NAME.expected.json` with the values a clerk reads in it. Only the keys
present in the JSON are checked; names of organisations are compared with `match_key` (OCR-robust),
everything else exactly. These files are the parser's independent judge: the synthetic generator's
own ground truth is not.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.ingest import NotAnExtract, parse
from assistant.ingest.loaders import load
from assistant.ingest.parser import MANDATORY_WARNINGS
from assistant.models import Deliberation
from assistant.textnorm import match_key

HERE = Path(__file__).resolve().parents[1] / "corpus" / "handwritten"
CASES = sorted(p.name.removesuffix(".expected.json") for p in HERE.glob("*.expected.json"))
SUFFIXES = (".txt", ".docx")  # a .docx is read by the real loader, as `delib ingest` reads it


def _source(name: str) -> Path | None:
    return next((p for p in (HERE / f"{name}{s}" for s in SUFFIXES) if p.is_file()), None)


def test_there_are_enough_handwritten_extracts() -> None:
    assert len(CASES) >= 8
    for name in CASES:
        assert _source(name) is not None, name


@pytest.fixture(scope="module", params=CASES)
def case(request) -> tuple[Deliberation, dict]:
    source = _source(request.param)
    raw = load(source).text
    expected = json.loads((HERE / f"{request.param}.expected.json").read_text(encoding="utf-8"))
    return parse(raw, id=request.param, source=source.name), expected


def _keys(names) -> list[str]:
    return [match_key(n) for n in names]


def test_header(case) -> None:
    rec, exp = case
    if "body" in exp:
        assert rec.body == exp["body"]
    if "body_label" in exp:
        assert rec.body_label == exp["body_label"]
    if "body_label_startswith" in exp:
        assert rec.body_label and rec.body_label.startswith(exp["body_label_startswith"])
    if "authority" in exp:
        assert (rec.authority.text if rec.authority else None) == exp["authority"]
    if "session_date" in exp:
        assert rec.session_date == (dt.date.fromisoformat(exp["session_date"]) if exp["session_date"] else None)
    if "president" in exp:
        if exp["president"] is None:
            assert rec.president is None
        else:
            assert rec.president is not None
            for key, value in exp["president"].items():
                assert getattr(rec.president, key) == value, key


def test_attendance(case) -> None:
    rec, exp = case
    if "present_count" in exp:
        assert rec.present_count == exp["present_count"]
    if "present" in exp:
        assert [m.name for m in rec.present] == exp["present"]
    if "represented" in exp:
        assert [[m.name, m.proxy] for m in rec.represented] == exp["represented"]
    if "excused" in exp:
        assert [m.name for m in rec.excused] == exp["excused"]


def test_codes_object_report(case) -> None:
    rec, exp = case
    if "codes" in exp:
        assert [[c.code, c.kind] for c in rec.codes] == exp["codes"]
    if "object_startswith" in exp:
        assert rec.object is not None and " ".join(rec.object.text.split()).startswith(exp["object_startswith"])
    if "object_endswith" in exp:
        assert rec.object is not None and " ".join(rec.object.text.split()).endswith(exp["object_endswith"])
    if "act_type" in exp:
        assert rec.act_type == exp["act_type"]
    if "rapporteur_startswith" in exp:
        assert rec.rapporteur is not None and rec.rapporteur.text.startswith(exp["rapporteur_startswith"])
    if "visas" in exp:
        assert len(rec.visas) == exp["visas"]
    if "articles" in exp:
        assert [a.number for a in rec.articles] == exp["articles"]


def test_amounts_and_beneficiaries(case) -> None:
    rec, exp = case
    if "amounts" in exp:
        assert len(rec.amounts) == len(exp["amounts"]), [rec.quote(a.start, a.end) for a in rec.amounts]
        for got, want in zip(rec.amounts, exp["amounts"], strict=True):
            for key, value in want.items():
                actual = getattr(got, key)
                if key == "beneficiary" and value is not None:
                    assert actual is not None and match_key(actual) == match_key(value), (key, actual)
                elif key == "purpose" and value is not None:
                    assert actual is not None and " ".join(actual.split()) == value, (key, actual)
                else:
                    assert actual == value, (key, want, got)
    if "beneficiaries" in exp:
        assert _keys(rec.beneficiaries) == _keys(exp["beneficiaries"]), rec.beneficiaries
    if "cofinancers" in exp:
        assert [c.text for c in rec.cofinancers] == exp["cofinancers"]
    if "budget" in exp:
        assert len(rec.budget) == len(exp["budget"])
        for got, want in zip(rec.budget, exp["budget"], strict=True):
            for key, value in want.items():
                assert getattr(got, key) == value, (key, got)


def test_vote_and_signatory(case) -> None:
    rec, exp = case
    if "vote" in exp:
        if exp["vote"] is None:
            assert rec.vote is None
        else:
            assert rec.vote is not None
            for key, value in exp["vote"].items():
                assert getattr(rec.vote, key) == value, (key, rec.vote)
    if "signatory" in exp:
        if exp["signatory"] is None:
            assert rec.signatory is None
        else:
            assert rec.signatory is not None
            for key, value in exp["signatory"].items():
                assert getattr(rec.signatory, key) == value, key


def test_warnings_name_exactly_the_missing_parts(case) -> None:
    rec, exp = case
    if "warnings" in exp:
        assert rec.warnings == [MANDATORY_WARNINGS[field] for field in exp["warnings"]]
        for warning in rec.warnings:
            assert warning.endswith(".") and warning[0].isupper()


def test_every_span_is_an_exact_quote(case) -> None:
    rec, _ = case
    raw = rec.raw_text
    spans = [rec.authority, rec.session_span, rec.present_count_span, rec.object, rec.rapporteur, rec.expose,
             *rec.visas, *rec.cofinancers]
    for span in filter(None, spans):
        assert raw[span.start:span.end] == span.text
        assert span.text == span.text.strip()
    parts = [rec.president, rec.vote, rec.signatory, *rec.articles, *rec.budget, *rec.amounts, *rec.codes,
             *rec.present, *rec.represented, *rec.excused]
    for part in filter(None, parts):
        quote = raw[part.start:part.end]
        assert quote and quote == quote.strip(), part
    for member in [*rec.present, *rec.represented, *rec.excused]:
        assert " ".join(raw[member.start:member.end].split()) == member.name
    for amount in rec.amounts:
        assert amount.sentence_start <= amount.start < amount.end <= amount.sentence_end
        assert any(ch.isdigit() for ch in raw[amount.start:amount.end])
    for article in rec.articles:
        assert article.text in raw[article.start:article.end]


NOT_EXTRACTS = {
    "empty": "",
    "blank": "   \n\n\t  \n",
    "recipe": """Tarte aux pommes de ma grand-mère

Ingrédients : 1 pâte brisée, 6 pommes, 80 g de sucre, 50 g de beurre, 1 sachet de sucre vanillé.

1. Préchauffer le four à 180 °C.
2. Éplucher les pommes et les couper en fines lamelles.
3. Disposer les lamelles sur la pâte, saupoudrer de sucre et parsemer de beurre.
4. Enfourner 35 minutes. Servir tiède, avec une boule de glace à la vanille.
Coût total : environ 8 euros pour six personnes.""",
    "letter": """Marseille, le 3 avril 2021

Madame la Présidente,

Par la présente, je me permets de solliciter votre bienveillance au sujet de la délibération adoptée
lors de la dernière séance du Conseil de la Métropole concernant le réaménagement de la place de
l'église de mon quartier. Les riverains souhaiteraient être associés aux travaux.

Je vous prie d'agréer, Madame la Présidente, l'expression de mes salutations distinguées.

Jean DUPONT""",
    "lorem": """Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi
ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse
cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa
qui officia deserunt mollit anim id est laborum.""" * 3,
    "invoice": """FACTURE N° 2021-0042
Société BTP Sud — 12 avenue du Prado, 13008 Marseille
Article 1 : Fourniture de graviers, 12 tonnes ........ 1 250,00 € HT
Article 2 : Transport ................................   300,00 € HT
Total TTC : 1 860,00 €
Conditions de paiement : 30 jours fin de mois.""",
}


@pytest.mark.parametrize("name", sorted(NOT_EXTRACTS))
def test_non_extracts_are_refused(name: str) -> None:
    with pytest.raises(NotAnExtract) as err:
        parse(NOT_EXTRACTS[name], id=name, source=f"{name}.txt")
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert "extrait" in message and message[0].isupper()  # French, for a clerk


def test_a_minimal_extract_is_accepted_with_warnings() -> None:
    raw = """EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL
Séance du 2 mai 2022
Vu le Code Général des Collectivités Territoriales ;
DECIDE :
Article 1 : Le règlement intérieur des cimetières communaux est modifié."""
    rec = parse(raw, id="mini", source="mini.txt")
    assert rec.body == "conseil_municipal"
    assert rec.session_date == dt.date(2022, 5, 2)
    assert [a.number for a in rec.articles] == [1]
    assert rec.vote is None and rec.signatory is None and rec.object is None
    assert rec.warnings == [MANDATORY_WARNINGS[f] for f in ("object", "vote", "signatory")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 juin 2019", dt.date(2019, 6, 20)),
        ("1er mars 2021", dt.date(2021, 3, 1)),
        ("20 ao(t 2015", dt.date(2015, 8, 20)),  # OCR: "û" read as "("
        ("7 aout 2015", dt.date(2015, 8, 7)),
        ("20 juln 2019", dt.date(2019, 6, 20)),
        ("12 décernbre 2020", dt.date(2020, 12, 12)),  # "m" read as "rn"
        ("15/03/2021", dt.date(2021, 3, 15)),
        ("31 février 2021", None),  # no such day: nothing is guessed
    ],
)
def test_dates_tolerate_ocr_in_month_names(text: str, expected) -> None:
    from assistant.ingest.text import to_date

    assert to_date(text) == expected


MINI = """EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL
Séance du 2 mai 2022
Vu le Code Général des Collectivités Territoriales ;
DECIDE :
Article 1 : {sentence}
ADOPTÉ À L'UNANIMITÉ"""


@pytest.mark.parametrize(
    ("sentence", "cents", "qualifier", "per_year", "beneficiary", "year"),
    [
        ("Est attribuée à l'association Les Amis du Vieux Cassis une subvention de 20 000 euros pour l'année 2022.",
         2_000_000, None, False, "Les Amis du Vieux Cassis", 2022),
        ("Est attribuée une subvention de 20 000€ au profit du Comité des Fêtes au titre de 2022.",
         2_000_000, None, False, "Comité des Fêtes", 2022),
        ("Le marché est attribué à la société BTP SUD pour un montant de 12 345,67 euros HT.",
         1_234_567, "HT", False, "BTP SUD", None),
        ("Est approuvée l'acquisition auprès de la SCI LES PINS de la parcelle AB 12 au prix de 1.500.000 €.",
         150_000_000, None, False, "SCI LES PINS", None),
        ("La redevance d'occupation est fixée à 1 200 € TTC par an pour l'exercice 2022.",
         120_000, "TTC", True, None, 2022),
        ("Est attribuée à la Fondation Abbé Pierre une subvention de 1,5 million d'euros.",
         150_000_000, None, False, "Fondation Abbé Pierre", None),
    ],
)
def test_amount_formulas(sentence, cents, qualifier, per_year, beneficiary, year) -> None:
    rec = parse(MINI.format(sentence=sentence), id="mini", source="mini.txt")
    assert len(rec.amounts) == 1
    amount = rec.amounts[0]
    assert (amount.cents, amount.qualifier, amount.per_year, amount.year, amount.article) == (
        cents, qualifier, per_year, year, 1)
    assert amount.beneficiary == beneficiary
    assert rec.raw_text[amount.sentence_start:amount.sentence_end] == sentence
    assert rec.vote is not None and rec.vote.unanimous and rec.vote.adopted


def test_a_truncated_extract_is_still_an_extract_with_warnings() -> None:
    seed = (HERE.parent / "000_47990de55f73b628.txt").read_text(encoding="utf-8")
    rec = parse(seed[: len(seed) // 3], id="cut", source="cut.txt")
    assert rec.session_date == dt.date(2019, 6, 20) and len(rec.present) == 30
    assert rec.articles == [] and rec.vote is None and rec.signatory is None
    assert rec.warnings == [MANDATORY_WARNINGS[f] for f in ("articles", "vote", "signatory")]
