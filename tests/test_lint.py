"""`delib lint`: parts of a real extract, and one deliberately broken draft per rule.

Each broken draft is the seed request's draft with one defect planted; the test checks that the rule
fires, that its position points at the planted defect, and (control) that the intact draft is clean.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.draft import load_request, make_draft
from assistant.draft.lint import find_parts, fold_same_length, lint_file, lint_text, to_fix

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "000_47990de55f73b628.txt"
SEED_REQUEST = ROOT / "eval" / "draft_requests" / "seed.yaml"

SEED_PARTS = [
    "en-tete", "titre", "seance", "presences", "proposition", "code", "objet", "code-registre", "rapporteur",
    "expose", "raisons", "assemblee", "visas", "oui", "conclusions", "delibere",
    "article-1", "article-2", "article-3", "article-4", "vote", "certifie", "signataire",
]


@pytest.fixture(scope="module")
def draft_text() -> str:
    return make_draft(None, load_request(SEED_REQUEST), llm=None).text


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, f"planting failed: {old!r} not in the draft"
    return text.replace(old, new, count)


def _rule(findings, rule):
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"rule {rule} did not fire; findings: {[(f.rule, f.message) for f in findings]}"
    return hits


# -- the real extract --------------------------------------------------------------------------------


def test_fold_keeps_offsets():
    text = "Délibére — Meétropole ; l’association ; ao(t ; œuvre"
    folded = fold_same_length(text)
    assert len(folded) == len(text)
    assert folded.startswith("delibere")
    assert "l'association" in folded


def test_seed_extract_parts_in_order():
    seed = SEED.read_text(encoding="utf-8")
    parts = find_parts(seed)
    assert [p.name for p in parts] == SEED_PARTS
    by = {p.name: seed[p.start:p.end] for p in parts}
    # OCR noise recognised: "Délibére", "Oui le rapport", "Meétropole".
    assert by["delibere"] == "Délibére"
    assert by["oui"] == "Oui le rapport ci-dessus,"
    assert by["code"] == "EMP 004-6064/19/BM" and by["code-registre"] == "MET 19/11402/BM"
    assert "ACTE’INOV 2019-2021" in by["objet"]
    assert by["expose"].startswith("La Meétropole Aix-Marseille-Provence est forte")
    assert by["signataire"].endswith("Martial ALVAREZ")
    assert by["article-4"].endswith("nature\n65748.")


def test_seed_extract_lints_clean():
    assert lint_text(SEED.read_text(encoding="utf-8")) == []


def _assert_findings_true(name: str, text: str, truth: dict) -> None:
    """Every finding on a synthetic extract must be true against the generator's ground truth."""
    for f in lint_text(text):
        if f.rule == "partie-manquante" and "signataire" in f.message:
            assert truth.get("signatory") is None, (name, f.message)
        elif f.rule == "partie-manquante" and "vote" in f.message:
            assert truth.get("vote") is None, (name, f.message)
        elif f.rule == "budget-manquant":
            assert f.severity == "avertissement" and truth.get("act_type") in ("avenant", "marche"), (name, f.message)
        else:
            pytest.fail(f"{name} : constat non fondé {f.rule} : {f.message}")


def test_shipped_synthetic_extracts_lint_clean_or_true():
    files = sorted((ROOT / "corpus" / "synthetic").glob("*.txt"))
    if not files:
        pytest.skip("pas d'extraits synthétiques dans corpus/synthetic")
    for path in files:
        truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
        _assert_findings_true(path.name, path.read_text(encoding="utf-8"), truth)


HANDWRITTEN = ROOT / "corpus" / "handwritten"
RECEIPT_CHAPTERS = {"024", "013", "70", "73", "74", "75", "76", "77"}  # a receipt's line has no expense nature


def _true_errors(f, truth: dict) -> bool:
    """An error finding that the hand-written truth confirms (what is really missing from the file)."""
    if f.rule == "partie-manquante":
        return (("signataire" in f.message and truth.get("signatory") is None)
                or ("vote" in f.message and truth.get("vote") is None)
                or ("visas" in f.message and truth.get("visas") == 0))
    if f.rule == "budget-incomplet":  # only an expense's nature may be missing, where the truth has none
        missing = f.message.split("il manque ", 1)[1].rstrip(".")
        return missing == "la nature" and any(b.get("nature") is None and b.get("chapitre") not in RECEIPT_CHAPTERS
                                              for b in truth.get("budget", []))
    return False


def test_handwritten_extracts_have_no_false_error():
    files = sorted(p for p in HANDWRITTEN.iterdir() if p.suffix in (".txt", ".docx"))
    assert len(files) >= 18
    for path in files:
        truth = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        _, findings = lint_file(path)
        wrong = [(f.rule, f.message) for f in findings if f.severity == "erreur" and not _true_errors(f, truth)]
        assert not wrong, f"{path.name} : constats non fondés {wrong}"


def test_truncated_page_misses_its_vote_and_signatory():
    """Page 1 of 2 of a Martigues extract: the vote and the signature are on page 2 (true findings)."""
    _, findings = lint_file(HANDWRITTEN / "qa_martigues_cm_page1_ocr.txt")
    missing = sorted(f.message for f in findings if f.rule == "partie-manquante")
    assert len(missing) == 2
    assert "vote" in missing[0] and "signataire" in missing[1]
    assert not [f for f in findings if f.rule == "beneficiaire-incoherent"]  # "une subven- tion …" is no name


def test_other_layouts_still_show_their_defects():
    """On layouts unlike the seed, a removed signature or a budget line cut short is still found."""
    syndicat = (HANDWRITTEN / "qa_syndicat_comite_accord_cadre.txt").read_text(encoding="utf-8")
    assert not [f for f in lint_text(syndicat) if f.severity == "erreur"]
    unsigned = syndicat[: syndicat.index("Pour copie conforme")]
    assert any("signataire" in f.message for f in _rule(lint_text(unsigned), "partie-manquante"))
    region = (HANDWRITTEN / "qa_region_cp_festivals.txt").read_text(encoding="utf-8")
    hit = _rule(lint_text(_replace(region, ", nature 6574.", ".")), "budget-incomplet")
    assert hit[0].message.endswith("il manque la nature.")
    ciotat = (HANDWRITTEN / "ciotat_cm_subventions.txt").read_text(encoding="utf-8")
    assert [p.name for p in find_parts(ciotat) if p.name.startswith("article-")] == [f"article-{i}" for i in range(1, 5)]


def test_intact_draft_is_clean(draft_text):
    assert lint_text(draft_text) == []


def test_markdown_draft_is_clean():
    """`delib draft --format md` bolds the article heads ("**Article 1 :**"): still articles."""
    markdown = make_draft(None, load_request(SEED_REQUEST), llm=None).to_markdown()
    assert "**Article 1 :**" in markdown
    assert lint_text(markdown) == []
    broken = _replace(markdown, "**Article 3 :**", "**Article 5 :**")
    assert broken[_rule(lint_text(broken), "numerotation")[0].start:].startswith("**Article 5")


# -- one broken draft per rule -------------------------------------------------------------------------


def test_missing_delibere(draft_text):
    broken = _replace(draft_text, "\nDélibère\n", "\n")
    hit = _rule(lint_text(broken), "partie-manquante")
    assert any("Délibère" in f.message for f in hit)


def test_missing_vote(draft_text):
    vote = next(line for line in draft_text.splitlines() if "mise aux voix" in line)
    broken = _replace(draft_text, vote + "\n", "")
    hit = [f for f in _rule(lint_text(broken), "partie-manquante") if "vote" in f.message]
    assert hit and broken[: hit[0].start].endswith("nature 65748.")  # where it belongs: after the articles


def test_missing_visas(draft_text):
    broken = re.sub(r"\nVu\n\n.*?\n\n(?=Ouï)", "\n", draft_text, flags=re.DOTALL)
    assert "Vu\n" not in broken
    hit = _rule(lint_text(broken), "partie-manquante")
    assert any("visas" in f.message for f in hit)


def test_missing_header_and_session(draft_text):
    broken = draft_text[draft_text.index("Madame Martine VASSAL"):]
    messages = [f.message for f in _rule(lint_text(broken), "partie-manquante")]
    assert any("en-tête" in m for m in messages) and any("séance" in m for m in messages)


def test_missing_object(draft_text):
    objet = next(line for line in draft_text.splitlines() if line.startswith("Attribution d'une subvention"))
    broken = _replace(draft_text, objet + "\n", "")
    assert any("objet" in f.message for f in _rule(lint_text(broken), "partie-manquante"))


def test_missing_articles(draft_text):
    broken = draft_text[: draft_text.index("Article 1 :")] + draft_text[draft_text.index("Cette proposition"):]
    assert any("article" in f.message.lower() for f in _rule(lint_text(broken), "partie-manquante"))


def test_missing_budget_article(draft_text):
    start = draft_text.index("Article 4 :")
    broken = draft_text[:start] + draft_text[draft_text.index("Cette proposition"):]
    hit = _rule(lint_text(broken), "budget-manquant")
    assert hit[0].severity == "erreur"


def test_article_numbering_gap(draft_text):
    broken = _replace(draft_text, "Article 3 :", "Article 5 :")
    broken = _replace(broken, "Article 4 :", "Article 6 :")
    hit = _rule(lint_text(broken), "numerotation")
    assert broken[hit[0].start:hit[0].end].startswith("Article 5")
    assert "l'article 3" in hit[0].message or "articles 3 à 4" in hit[0].message


def test_article_numbered_twice(draft_text):
    broken = _replace(draft_text, "Article 3 :", "Article 2 :")
    assert any("deux fois" in f.message for f in _rule(lint_text(broken), "numerotation"))


def test_amount_in_expose_differs_from_articles(draft_text):
    broken = _replace(draft_text, "d'un montant de 20 000 € pour", "d'un montant de 25 000 € pour")
    hit = _rule(lint_text(broken), "montant-incoherent")
    assert broken[hit[0].start:hit[0].end] == "20 000 euros"
    assert "25 000 €" in hit[0].message and hit[0].part == "article-1"


def test_beneficiary_named_differently(draft_text):
    old = "proposé d'attribuer à l'association Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur"
    broken = _replace(draft_text, old, "proposé d'attribuer à l'association Maison de l'Emploi de Marseille")
    hit = _rule(lint_text(broken), "beneficiaire-incoherent")
    assert broken[hit[0].start:hit[0].end] == "Maison de l'Emploi de Marseille"
    assert hit[0].part == "expose"


def test_impossible_date(draft_text):
    broken = _replace(draft_text, "Le Code Général des Collectivités Territoriales.",
                      "Le Code Général des Collectivités Territoriales ;\n\nLa délibération du 30 février 2019.")
    hit = _rule(lint_text(broken), "date-impossible")
    assert broken[hit[0].start:hit[0].end] == "30 février 2019"


def test_visa_dated_after_the_session(draft_text):
    broken = _replace(draft_text, "Le Code Général des Collectivités Territoriales.",
                      "Le Code Général des Collectivités Territoriales ;\n\nLa délibération du 28 mars 2020.")
    hit = _rule(lint_text(broken), "date-ordre")
    assert broken[hit[0].start:hit[0].end] == "28 mars 2020" and hit[0].part == "visas"


def test_code_year_differs_from_session(draft_text):
    broken = _replace(draft_text, "EMP [n°]/19/BM", "EMP [n°]/18/BM")
    assert any("code" in f.message for f in _rule(lint_text(broken), "date-ordre"))


def test_budget_line_incomplete(draft_text):
    broken = _replace(draft_text, ", nature 65748.", ".")
    hit = _rule(lint_text(broken), "budget-incomplet")
    assert "la nature" in hit[0].message and hit[0].part == "article-4"


def test_president_title_wrong_gender(draft_text):
    broken = _replace(draft_text, "Madame la Présidente a proposé", "Madame le Président a proposé")
    hit = _rule(lint_text(broken), "accord-president")
    assert broken[hit[0].start:hit[0].end] == "Madame le Président"


def test_president_title_disagrees_with_the_session(draft_text):
    broken = _replace(draft_text, "Madame la Présidente de la Métropole Aix-Marseille-Provence ou",
                      "Monsieur le Président de la Métropole Aix-Marseille-Provence ou")
    hit = _rule(lint_text(broken), "accord-president")
    assert broken[hit[0].start:hit[0].end] == "Monsieur le Président" and hit[0].part == "article-3"


def test_participle_agreement(draft_text):
    broken = _replace(draft_text, "Est approuvée la convention", "Est approuvé la convention")
    hit = _rule(lint_text(broken), "accord-participe")
    assert broken[hit[0].start:hit[0].end] == "approuvé" and "féminin" in hit[0].message


def test_signatory_incomplete(draft_text):
    broken = _replace(draft_text, "Martial ALVAREZ", "[nom du signataire]")
    _rule(lint_text(broken), "signataire-incomplet")


def test_to_fix_keeps_errors_and_warnings(draft_text):
    broken = _replace(draft_text, "Est approuvée la convention", "Est approuvé la convention")
    assert [f.rule for f in to_fix(lint_text(broken))] == ["accord-participe"]


def test_findings_carry_line_numbers(draft_text):
    broken = _replace(draft_text, ", nature 65748.", ".")
    finding = _rule(lint_text(broken), "budget-incomplet")[0]
    assert broken.splitlines()[finding.line - 1].startswith("Article 4")


# -- receipts are not expenses -------------------------------------------------------------------------

COMMUNE = """EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL

Séance du 24 mars 2022

Objet : {objet}

{expose}

Le Conseil Municipal,

Vu le Code Général des Collectivités Territoriales ;

Après en avoir délibéré, à l'unanimité,

DECIDE :

{articles}

Adopté à l'unanimité.

Pour extrait certifié conforme,
Le Maire,
Jean DUPONT
"""

CESSION = COMMUNE.format(
    objet="Cession d'un délaissé communal à la SARL Les Jardins du Moulin",
    expose="La SARL Les Jardins du Moulin a sollicité l'acquisition de ce terrain. Un accord a été "
           "trouvé au prix de 40 000 €, conforme à l'avis du Domaine.",
    articles="Article 1 : D'approuver la cession à la SARL Les Jardins du Moulin de la parcelle AK n° 245 "
             "au prix de 40 000 €.\n\n"
             "Article 2 : D'autoriser Monsieur le Maire à signer l'acte authentique.\n\n"
             "Article 3 : De dire que la recette sera inscrite au budget principal de la Commune, "
             "exercice 2022, chapitre 024.",
)

FEES = COMMUNE.format(
    objet="Droits d'occupation du domaine public pour l'année 2022",
    expose="Il est proposé de fixer les droits d'occupation du domaine public perçus par la Commune.",
    articles="Article 1 : Les droits d'occupation du domaine public perçus par la Commune sont fixés "
             "comme suit :\n"
             "Terrasse ouverte          12,50 € le m² par an\n"
             "Terrasse fermée           25,00 € le m² par an\n"
             "Étalage                    8,00 € le m² par an\n\n"
             "Article 2 : La redevance d'occupation du kiosque, versée à la Commune par son exploitant, "
             "est fixée à 1 200 € par an.",
)


def test_sale_on_chapter_024_needs_no_nature():
    """A land sale's receipt is voted on chapitre 024 (produits des cessions), which has no nature."""
    assert lint_text(CESSION) == []
    for wording in (("Article 3 : De dire que le produit de la cession sera encaissé au budget principal, "
                     "exercice 2022, fonction 01."),  # no account: the wording says it is a receipt
                    ("Article 3 : La recette correspondante sera imputée au budget principal 2022, "
                     "chapitre 77, nature 775.")):
        text = CESSION[: CESSION.index("Article 3 :")] + wording + CESSION[CESSION.index("\n\nAdopté"):]
        assert lint_text(text) == [], wording


def test_expense_without_nature_is_still_flagged():
    """Buying the same parcel is an expense: chapitre 21 without its nature is incomplete."""
    achat = (CESSION.replace("D'approuver la cession à la SARL Les Jardins du Moulin de",
                             "D'approuver l'acquisition auprès de la SARL Les Jardins du Moulin de")
             .replace("la recette sera inscrite au budget principal de la Commune, exercice 2022, chapitre 024",
                      "la dépense sera imputée au budget principal de la Commune, exercice 2022, chapitre 21"))
    hit = _rule(lint_text(achat), "budget-incomplet")
    assert hit[0].message == "Imputation budgétaire incomplète : il manque la nature."
    assert achat[hit[0].start:hit[0].end].startswith("Article 3 : De dire que la dépense")
    assert hit[0].line == achat[: hit[0].start].count("\n") + 1 and hit[0].part == "article-3"
    # Bought from a seller ("la cession par …"): without its budget article, the price is to be checked.
    bought = CESSION.replace("la cession à la SARL Les Jardins du Moulin de", "la cession par la SARL Les Jardins "
                             "du Moulin à la Commune de")
    bought = bought[: bought.index("\n\nArticle 3 :")] + bought[bought.index("\n\nAdopté"):]
    assert _rule(lint_text(bought), "budget-manquant")[0].severity == "avertissement"
    sold = CESSION[: CESSION.index("\n\nArticle 3 :")] + CESSION[CESSION.index("\n\nAdopté"):]
    assert lint_text(sold) == []
    # A receipt's line without chapitre nor nature is incomplete too, in receipt terms.
    bare = CESSION.replace(", chapitre 024.", ".")
    hit = _rule(lint_text(bare), "budget-incomplet")
    assert hit[0].message.endswith("il manque le chapitre (ou la nature) de la recette.")


def test_fees_received_need_no_budget_line():
    """A fee table and a redevance paid to the Commune: the authority receives the money."""
    assert lint_text(FEES) == []
    paid = FEES.replace("versée à la Commune par son exploitant", "versée par la Commune au Syndicat")
    hit = _rule(lint_text(paid), "budget-manquant")
    assert hit[0].severity == "avertissement" and paid[: hit[0].start].endswith("1 200 € par an.")
    # A grant the Commune pays is still an expense without its budget line (an error).
    grant = FEES.replace("La redevance d'occupation du kiosque, versée à la Commune par son exploitant, "
                         "est fixée à 1 200 € par an.",
                         "Une subvention de 1 200 € est attribuée à l'association des commerçants.")
    assert _rule(lint_text(grant), "budget-manquant")[0].severity == "erreur"
    asked = grant.replace("Une subvention de 1 200 € est attribuée à l'association des commerçants.",
                          "Monsieur le Maire est autorisé à solliciter une subvention de 1 200 € "
                          "auprès du Département.")
    assert lint_text(asked) == []


def test_handwritten_receipts_lint_clean():
    """The real-layout receipts of the corpus: a cession (chapitre 024), a redevance, fee tables."""
    for name in ("qa_velaux_cm_cession_ocr.txt", "qa_agglo_cc_convention.docx", "aubagne_cm_tarifs.txt",
                 "qa_ccas_ca_tarifs_repas.txt"):
        _, findings = lint_file(HANDWRITTEN / name)
        assert not [f for f in findings if f.rule.startswith("budget")], (name, findings)


def test_sale_draft_is_written_as_a_receipt():
    """A generic draft for a sale on chapitre 024: the template writes a receipt (no expense nature
    asked for), and lint finds nothing to say about its budget. Worded as an expense, it is flagged."""
    request = {
        "body": "conseil", "session_date": "2022-03-24", "act_type": "autre",
        "president": {"name": "Martine VASSAL", "civility": "Madame"},
        "object": "Cession à la SARL Les Jardins du Moulin de la parcelle AK 245",
        "points": ["La SARL Les Jardins du Moulin a sollicité l'acquisition de ce délaissé"],
        "articles": [("Est approuvée la cession à la SARL Les Jardins du Moulin de la parcelle AK 245 au prix "
                      "de 40 000 euros")],
        "budget": {"budget": "principal", "year": 2022, "chapitre": "024"},
        "signatory": {"name": "Martine VASSAL", "civility": "Madame", "title": "La Présidente de la Métropole"},
    }
    draft = make_draft(None, request, llm=None)
    text = draft.text
    assert "La recette sera inscrite au budget principal 2022 de la Métropole, chapitre 024." in text
    assert "nature" not in text.split("La recette sera inscrite")[1].split("\n")[0]
    findings = lint_text(text)
    assert not [f for f in findings if f.rule in ("budget-incomplet", "imputation-recette", "budget-manquant")]
    text = text.replace("La recette sera inscrite", "Les crédits nécessaires sont inscrits")
    findings = lint_text(text)
    assert not [f for f in findings if f.rule == "budget-incomplet"]
    hit = _rule(findings, "imputation-recette")
    assert text[hit[0].start:hit[0].end] == "crédits nécessaires" and "chapitre 024" in hit[0].message


# -- CLI -----------------------------------------------------------------------------------------------


def test_cli_lint_exit_codes(tmp_path, draft_text):
    import json

    from typer.testing import CliRunner

    from assistant.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["lint", str(SEED), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["findings"] == []
    bad = tmp_path / "casse.txt"
    bad.write_text(draft_text.replace("Est approuvée la convention", "Est approuvé la convention"), encoding="utf-8")
    result = runner.invoke(app, ["lint", str(bad), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"]] == ["accord-participe"] and data["to_fix"] == 1
    missing = runner.invoke(app, ["lint", str(tmp_path / "absent.txt")])
    assert missing.exit_code == 2


# -- the authority: another authority's words, codes and numbers; a commune register's mentions ----------


@pytest.fixture(scope="module")
def commune_draft():
    """A commune council's draft (an authority the empty registry does not hold: neutral wording)."""
    from assistant.draft.request import request_from_dict

    return make_draft(None, request_from_dict({
        "authority": "Commune de Saint-Exemple", "session_date": "2025-06-12",
        "president": {"name": "Paul MARTIN", "civility": "Monsieur"}, "act_type": "subvention",
        "beneficiary": {"name": "Les Amis de l'Exemple", "legal_form": "association"}, "amount": "1 500 €",
        "budget": {"budget": "principal", "fonction": "025", "nature": "6574"}}), llm=None)


def _commune_check(**extra):
    from assistant.draft.lint import AuthorityCheck

    return AuthorityCheck(authority_type="commune", authority_name="Saint-Exemple", body="conseil_municipal",
                          **extra)


def test_commune_draft_is_clean_and_knows_its_authority(commune_draft):
    assert commune_draft.request.body == "conseil_municipal"
    assert commune_draft.findings == []
    # Read back from the text alone, the header names a commune: still clean.
    assert [f for f in lint_text(commune_draft.text) if f.severity == "erreur"] == []


def test_metropole_wording_in_a_commune_draft_is_an_error(commune_draft):
    text = _replace(commune_draft.text, "Le Conseil municipal,", "Le Bureau de la Métropole,")
    hits = _rule(lint_text(text, authority=_commune_check()), "autre-collectivite")
    assert hits[0].severity == "erreur" and "Bureau de la Métropole" in hits[0].message
    assert text[hits[0].start:hits[0].end] == "Bureau de la Métropole"
    # Without being told, lint reads the authority from the draft's own header.
    assert _rule(lint_text(text), "autre-collectivite")
    # In a visa, another authority may be cited.
    cited = _replace(commune_draft.text, "Vu le Code", "Vu la délibération du Bureau de la Métropole ;\n\nVu le Code")
    assert [f for f in lint_text(cited, authority=_commune_check()) if f.rule == "autre-collectivite"] == []


def test_a_title_or_body_the_authority_does_not_have_is_an_error(commune_draft):
    text = _replace(commune_draft.text, "sous la présidence de Monsieur Paul MARTIN, Maire.",
                    "sous la présidence de Monsieur Paul MARTIN, Président de la Commune.")
    text = _replace(text, "DU CONSEIL MUNICIPAL", "DU BUREAU DE LA COMMUNE")
    messages = [f.message for f in _rule(lint_text(text, authority=_commune_check()), "autre-collectivite")]
    assert any("présidée par son maire" in m for m in messages)
    assert any("délibère en conseil municipal" in m for m in messages)


def test_metropole_code_on_a_commune_act_is_an_error(commune_draft):
    text = _replace(commune_draft.text, "Objet :", "EMP [n°]/25/BM\nObjet :")
    hits = _rule(lint_text(text, authority=_commune_check(numbering="AAAA-NNN")), "autre-collectivite")
    assert any("EMP [n°]/25/BM" in h.message and "AAAA-NNN" in h.message for h in hits)


def test_a_number_outside_the_authoritys_scheme_is_an_error(commune_draft):
    import datetime as dt

    session = dt.date(2025, 6, 12)
    draft = commune_draft
    assert draft.part("numero") == "Délibération n° [n°]"
    ok = draft.text.replace("Délibération n° [n°]", "Délibération n° D2025-[NNN]")
    bad = draft.text.replace("Délibération n° [n°]", "Délibération n° 2025/[NN]")
    check = _commune_check(numbering="DAAAA-NNN", session_date=session)

    def with_number(text):  # the parts lint finds, and the number's line the draft declares
        from assistant.draft.templates import Part

        start = text.index("Délibération n°")
        number = Part(name="numero", label="Numéro", start=start, end=text.index("\n", start))
        return sorted([*find_parts(text), number], key=lambda p: p.start)

    assert [f for f in lint_text(ok, with_number(ok), authority=check) if f.rule == "autre-collectivite"] == []
    hits = _rule(lint_text(bad, with_number(bad), authority=check), "autre-collectivite")
    assert "2025/[NN]" in hits[0].message and "DAAAA-NNN" in hits[0].message


def test_commune_draft_lacking_its_registers_mentions_gets_warnings(commune_draft):
    text = commune_draft.text
    for line in text.splitlines():
        if line.startswith(("Membres en exercice", "Secrétaire de séance")):
            text = _replace(text, line + "\n", "")
    text = _replace(text, ", dûment convoqué le [date de convocation]", "")
    every = ["secretary", "convocation_date", "members_in_office", "present_count", "voting_count"]
    found = [f for f in lint_text(text, authority=_commune_check(mentions=every)) if f.rule == "registre-incomplet"]
    assert {f.severity for f in found} == {"avertissement"}
    labels = " ".join(f.message for f in found)
    assert "secrétaire de séance" in labels and "date de convocation" in labels and "votants" in labels
    assert "membres en exercice" in labels
    # Only what this commune's register always carries is asked for.
    only = [f for f in lint_text(text, authority=_commune_check(mentions=["secretary"]))
            if f.rule == "registre-incomplet"]
    assert len(only) == 1 and "secrétaire" in only[0].message


def test_what_a_register_always_carries_is_learned_per_document():
    import datetime as dt

    from assistant.draft.profiles import learn_profiles
    from assistant.models import Count, Deliberation, Person

    common = {"source": "x", "raw_text": "", "authority_type": "commune", "authority_name": "Saint-Exemple",
              "body": "conseil_municipal", "session_date": dt.date(2024, 5, 2)}
    secretary = Person(name="Anne DURAND", start=0, end=1)
    recs = [Deliberation(id="a", content_hash="1", secretary=secretary, members_in_office=Count(value=15, start=0, end=1),
                         **common),
            Deliberation(id="b", content_hash="2", secretary=secretary, **common)]
    assert learn_profiles(recs)[0].always == ["secretary"]


def test_no_real_or_handwritten_extract_speaks_of_another_authority():
    """Each extract's frame names its own authority and body: the authority rule finds nothing in them
    (a commune's header printing its département above its name is no other authority)."""
    paths = sorted((ROOT / "corpus" / "real").glob("*.txt")) + sorted((ROOT / "corpus" / "handwritten").glob("*.txt"))
    assert len(paths) >= 25
    found = {p.name: [f.message for f in lint_file(p)[1] if f.rule == "autre-collectivite"] for p in paths}
    assert {name: hits for name, hits in found.items() if hits} == {}
