"""The document readers one by one, on short texts in the forms real registers print: vote forms, a date
in words, a convocation date kept apart, "X à Y" proxies, a plain "Absents :" list, a text whose line
breaks were lost, a plain text with no-break spaces, a procès-verbal split into its items."""

from __future__ import annotations

import pytest

from assistant.ingest.document import read_document
from assistant.ingest.loaders import load

HEADER = """COMMUNE DE SAINT-EXEMPLE
COMPTE-RENDU DU CONSEIL MUNICIPAL
DU 13 DECEMBRE 2018
L'an deux mille dix-huit, le treize décembre, le Conseil municipal de la commune, dûment
convoqué le 6 décembre 2018, s'est réuni à la Mairie, sous la présidence de Monsieur
Paul MARTIN, Maire.
Nombre de conseillers en exercice : 19 - Présents : 15 - Votants : 17
Présents : Paul MARTIN, Anne DURAND, Luc PETIT
Pouvoirs : Marie ROUX à Anne DURAND, Jean BLANC à Luc PETIT
Absents : Louis NOIR, Claire VERT
Secrétaire de séance : Anne DURAND
"""


def _one(body: str):
    text = HEADER + body
    [rec] = read_document(text, id="t", source="t.txt")
    return rec


def _session_of(text: str):
    return read_document(text, id="t", source="t.txt")[0]


@pytest.mark.parametrize("line, adopted, unanimous, against, abstention", [
    ("Pour 28 – Contre 3 – Abstention 2", True, False, 3, 2),
    ("Adoptée par 22 voix pour et 3 abstentions.", True, False, None, 3),
    ("Adopté à l'unanimité.", True, True, None, None),
    ("Adopté à l'unanimité des membres présents.", True, True, None, None),
    ("Délibération adoptée par 14 voix POUR", True, False, None, None),
    ("La proposition est rejetée par 12 voix contre et 5 voix pour.", False, False, 12, None),
])
def test_vote_forms(line, adopted, unanimous, against, abstention):
    rec = _one("OBJET : Achat d'un tracteur\nLe Conseil municipal, après en avoir délibéré,\n"
               f"DECIDE d'acheter un tracteur pour 20 000 € HT.\n{line}\n")
    assert rec.vote is not None
    assert (rec.vote.adopted, rec.vote.unanimous) == (adopted, unanimous)
    assert rec.vote.against_count == against
    assert rec.vote.abstention_count == abstention


def test_named_abstainers():
    rec = _one("OBJET : Tarifs\nLe Conseil municipal, après en avoir délibéré, DECIDE de fixer les tarifs.\n"
               "Adopté par 12 voix pour, 2 abstentions : M. Jean BLANC, Mme Claire VERT\n")
    assert rec.vote.abstention_count == 2
    assert rec.vote.abstentions == ["Jean BLANC", "Claire VERT"]


def test_no_vote_stays_unknown():
    rec = _one("OBJET : Information\nLe Maire présente le rapport annuel du délégataire.\n")
    assert rec.vote is None
    assert any("vote" in w.lower() for w in rec.warnings)


def test_session_facts_of_the_header():
    rec = _one("OBJET : Tarifs\nLe Conseil municipal, après en avoir délibéré, DECIDE.\nAdopté à l'unanimité.\n")
    assert str(rec.session_date) == "2018-12-13"  # the date in words, not the convocation's
    assert str(rec.convocation_date) == "2018-12-06"
    assert rec.secretary.name == "Anne DURAND"
    assert (rec.members_in_office.value, rec.present_count, rec.voting_count.value) == (19, 15, 17)
    assert (rec.authority_type, rec.authority_name) == ("commune", "Saint-Exemple")
    assert rec.body == "conseil_municipal"
    assert [(m.name, m.proxy) for m in rec.represented] == [("Marie ROUX", "Anne DURAND"), ("Jean BLANC", "Luc PETIT")]
    assert [m.name for m in rec.absent] == ["Louis NOIR", "Claire VERT"]
    for field in (rec.convocation_span, rec.secretary, rec.members_in_office):
        assert rec.raw_text[field.start:field.end]


def test_date_in_words_with_a_figure_day_and_a_weekday():
    rec = _session_of("DELIBERATION BUREAU COMMUNAUTAIRE\nL'an deux mille vingt-trois, le mardi 07 février, le "
                      "Bureau communautaire de X Agglomération dûment convoqué le 31 janvier 2023 s'est assemblé.\n"
                      "OBJET : Cession d'un terrain\nLe Bureau, après en avoir délibéré, DECIDE de céder.\n"
                      "Adopté à l'unanimité.\n")
    assert str(rec.session_date) == "2023-02-07"
    assert str(rec.convocation_date) == "2023-01-31"


def test_convocation_date_is_never_the_session_date():
    rec = _session_of("Commune de Pierreville\nDate de convocation : 26 mars 2025\nConseil municipal du 3 avril 2025\n"
                      "OBJET : Subventions\nLe Conseil municipal, après en avoir délibéré, DECIDE.\nAdopté à l'unanimité.\n")
    assert str(rec.session_date) == "2025-04-03"
    assert str(rec.convocation_date) == "2025-03-26"


def test_a_proces_verbal_becomes_one_record_per_item():
    text = HEADER + """ORDRE DU JOUR
1) Tarifs de la cantine
2) Subvention au comité des fêtes
DÉLIBÉRATIONS
1) Tarifs de la cantine
Le Conseil municipal, après en avoir délibéré, fixe le repas à 3,50 €.
Adopté par 15 voix pour et 2 contre.
2) Subvention au comité des fêtes
Le Conseil municipal décide d'attribuer une subvention de 500 € au Comité des fêtes.
Adopté à l'unanimité.
QUESTIONS DIVERSES
Néant.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [r.id for r in records] == ["pv-01", "pv-02"]
    first, second = records
    assert first.number == "1)" and first.object_line == "Tarifs de la cantine"
    assert (first.vote.adopted, first.vote.unanimous, first.vote.against_count) == (True, False, 2)
    assert second.vote.unanimous and [a.cents for a in second.amounts] == [50000]
    for rec in records:  # session facts shared, every span inside the item or the header
        assert str(rec.session_date) == "2018-12-13" and rec.secretary.name == "Anne DURAND"
        assert rec.item.start < rec.vote.start < rec.item.end
        assert rec.raw_text == text
    assert "QUESTIONS DIVERSES" not in second.own_text


def test_a_postponed_point_is_no_deliberation():
    text = HEADER + """1. Tarifs de la cantine
Le Conseil municipal, après en avoir délibéré, fixe le repas à 3,50 €.
Adopté à l'unanimité.
2. Convention avec l'office de tourisme
Ce projet de délibération est reporté au prochain conseil, faute d'éléments.
3. Subvention au comité des fêtes
Le Conseil municipal décide d'attribuer une subvention de 500 € au Comité des fêtes.
Adopté à l'unanimité.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [r.number for r in records] == ["1.", "3."]
    assert not any("reporté" in r.own_text for r in records)


def test_a_one_line_document_is_read():
    text = " ".join(("DELIBERATION DU CONSEIL MUNICIPAL SEANCE du 9 décembre 2022 L'an deux mille vingt-deux, "
                     "le neuf décembre, le Conseil Municipal de la Ville de Mazerolles dûment convoqué le 2 décembre "
                     "2022 s'est réuni sous la présidence de Monsieur Louis MARTIN, Maire. Nombre de conseillers en "
                     "exercice : 27 Présents : 20 Votants : 23 Secrétaire de séance : Louis DURAND "
                     "OBJET : Mesures de sobriété énergétique " + "Le Maire rappelle les enjeux. " * 60 +
                     "Le Conseil Municipal, après en avoir délibéré, DECIDE d'adopter les mesures. "
                     "Adopté à l'unanimité. Fait et délibéré les jour, mois et an susdits.").split())
    assert "\n" not in text
    [rec] = read_document(text, id="one", source="one.txt")
    assert str(rec.session_date) == "2022-12-09" and str(rec.convocation_date) == "2022-12-02"
    assert rec.secretary.name == "Louis DURAND"
    assert (rec.members_in_office.value, rec.voting_count.value) == (27, 23)
    assert rec.vote.unanimous


def test_plain_text_with_no_break_spaces_is_not_binary(tmp_path):
    """A PDF's text copied with a no-break space between every word was refused as "fichier binaire"."""
    path = tmp_path / "cr.txt"
    path.write_text(("Compte rendu du conseil municipal du 28 octobre 2022\u00a0:\u00a0" * 20).replace(" ", "\u00a0"),
                    encoding="utf-8")
    assert load(path).text.count("\u00a0") > 100


def test_plainly_no_register_document_is_refused():
    from assistant.ingest.document import NotAnExtract

    with pytest.raises(NotAnExtract, match="ne ressemble ni"):
        read_document("Facture n° 2023-114\nArticle 1 : tondeuse 300 €\nTotal TTC : 360 €\n" * 3, id="f", source="f")


def test_an_unread_vote_is_quoted_never_asserted():
    """A vote line whose result the parser cannot read gives no "adoptée" in an answer: it is quoted."""
    from assistant.answer import compose, facts

    rec = _one("OBJET : Tarifs\nLe Conseil municipal, après en avoir délibéré, fixe les tarifs.\n"
               "Mise aux voix : Contre 3 - Abstention 2\n")
    assert rec.vote is not None and rec.vote.adopted is None
    [item] = facts.vote_items([rec])
    for lang in ("fr", "en"):
        text = compose._vote_sentence(item, lang)
        assert "adopt" not in text.lower().replace("not adopted", "")
        assert "Contre 3 - Abstention 2" in text
    assert "ni abstention" not in compose._vote_sentence(item, "fr")
    no_vote = _one("OBJET : Information\nLe Maire présente le rapport annuel.\n")
    assert no_vote.vote is None and facts.vote_items([no_vote]) == []


def test_a_grant_table_without_currency_split_by_a_stamp():
    """Amounts under a "Montant" head, a row's name over several lines, a stamp in the middle of the table; a
    word before the amount on several rows ("Projet", "Fonctionnement") is a column, not part of the name."""
    rec = _one("""OBJET : Subventions aux associations culturelles
Il est proposé d'attribuer les subventions du tableau ci-après.
Code association  Nom association Nature Montant
 MUSIQUE
101 LES VOIX DU PORT Projet 2 000
Accusé de réception en préfecture
012-345678901-20190101-0001-DE
102 CINE CLUB Fonctionnement  750
104 CHORALE DU LAC Fonctionnement  250
103
ATELIER DES ARTS
ET DES LETTRES
Projet 1 250
 TOTAL 4 250
Le Conseil municipal, après en avoir délibéré, DECIDE d'attribuer ces subventions.
Adopté à l'unanimité.
""")
    rows = [(a.cents, a.beneficiary) for a in rec.amounts if a.beneficiary]
    assert rows == [(200000, "LES VOIX DU PORT"), (75000, "CINE CLUB"), (25000, "CHORALE DU LAC"),
                    (125000, "ATELIER DES ARTS ET DES LETTRES")]
    for a in rec.amounts:  # each amount quotes its row
        assert rec.raw_text[a.start:a.end] in rec.raw_text[a.sentence_start:a.sentence_end]
    assert 425000 not in {a.cents for a in rec.amounts}  # the total is no grant


def test_a_year_before_an_amount_is_not_its_thousands():
    rec = _one("OBJET : Emprunts\nLe Conseil municipal autorise le Maire à emprunter en 2018 250 000 €.\n"
               "Adopté à l'unanimité.\n")
    assert [a.cents for a in rec.amounts] == [25000000]


@pytest.mark.parametrize("printed, cents", [
    ("465 000.00 €", 46500000),  # a decimal point after grouped thousands
    ("2 429, 60 € HT", 242960),  # a text layer's space after the comma
    ("1.500.000 €", 150000000),
    ("12 345,67 euros", 1234567),
    ("1000 000 €", 100000000),  # OCR lost the first space
])
def test_amount_forms(printed, cents):
    rec = _one(f"OBJET : Travaux\nLe Conseil municipal, après en avoir délibéré, DECIDE :\nArticle 1 : Le montant est "
               f"fixé à {printed}.\nAdopté à l'unanimité.\n")
    assert cents in {a.cents for a in rec.amounts}


def test_a_compte_rendu_sommaire_whose_items_end_with_their_result():
    """One line, results in capitals; two items whose numbers the OCR lost are cut after each result."""
    text = ("COMPTE-RENDU SOMMAIRE DU CONSEIL MUNICIPAL DU 07 FEVRIER 2023 L'an deux mille vingt-trois le sept "
            "février, le Conseil Municipal de la Ville de Saint-Exemple s'est réuni. " + "Présents : M. A, M. B. " * 80 +
            "01 Tarifs de la cantine Rapporteur : M. Paul MARTIN ADOPTEE A L'UNANIMITE "
            "02 Subvention au comité des fêtes Rapporteur : M. Paul MARTIN ADOPTEE A L'UNANIMITE "
            "Cession d'un terrain communal Rapporteur : Mme Anne DURAND ADOPTEE A LA MAJORITE "
            "04 Adhésion à l'association des maires Rapporteur : M. Paul MARTIN ADOPTEE A L'UNANIMITE")
    records = read_document(text, id="cr", source="cr.txt")
    assert [(r.number, r.object_line) for r in records] == [
        ("01", "Tarifs de la cantine"), ("02", "Subvention au comité des fêtes"),
        (None, "Cession d'un terrain communal"), ("04", "Adhésion à l'association des maires")]
    assert [r.vote.unanimous for r in records] == [True, True, False, True]


def test_the_unnumbered_approval_of_the_minutes_is_an_item():
    text = HEADER + """COMPTE RENDU
[ Approbation du procès-verbal de la séance du 20 décembre 2022
Rapporteur : Paul MARTIN, Maire
ADOPTEE A L'UNANIMITE
2. Tarifs de la cantine
Rapporteur : Paul MARTIN
ADOPTEE A L'UNANIMITE
3. Subvention au comité des fêtes
Rapporteur : Anne DURAND
ADOPTEE A L'UNANIMITE
"""
    records = read_document(text, id="cr", source="cr.txt")
    assert [(r.number, r.object_line) for r in records] == [
        (None, "Approbation du procès-verbal de la séance du 20 décembre 2022"),
        ("2.", "Tarifs de la cantine"), ("3.", "Subvention au comité des fêtes")]
    assert records[0].vote.unanimous


def test_an_agenda_approval_without_result_is_no_item():
    text = HEADER + """Ordre du jour : Approbation du procès-verbal de la séance précédente.
1. Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.
2. Subvention au comité des fêtes
Le Conseil municipal attribue 500 € au Comité des fêtes. Adopté à l'unanimité.
"""
    assert [r.number for r in read_document(text, id="pv", source="pv.txt")] == ["1.", "2."]


def test_the_contracts_notified_at_the_end_of_a_list_are_decisions():
    text = """Liste des délibérations du conseil municipal du 3 octobre 2022
Délibération n°2022-061 - Vente du lot G - APPROUVEE
Délibération n°2022-062 - Vente du lot F - APPROUVEE
Marchés publics :
- Notification le 10/08/2022 du marché de fourniture de repas à la société Exemple pour 4.16 € HT par repas
- Notification le 12/08/2022 du marché d'entretien des espaces verts à la société Verte
"""
    records = read_document(text, id="l", source="l.txt")
    assert [(r.number, r.item.kind) for r in records] == [
        ("2022-061", "deliberation"), ("2022-062", "deliberation"), (None, "decision"), (None, "decision")]
    assert records[2].object_line.startswith("Notification le 10/08/2022 du marché de fourniture")
    assert "Marchés publics" not in records[1].own_text


def test_a_sommaire_of_lettered_codes_and_a_decision_with_the_same_number():
    text = """SOMMAIRE
DELIBERATIONS
Conseil d'administration du CCAS de Saint-Exemple, séance du 12 février 2018
1DEL2018_001 Débat d'orientation budgétaire 1DEL2018_002 Aide financière de 100 € pour des frais d'obsèques
1DEL2018_003 Contribution au fonds de solidarité logement

DECISION

1DEL2018_001

Aide financière d'un montant de 50 euros pour une facture d'eau
"""
    records = read_document(text, id="s", source="s.txt")
    assert [(r.number, r.item.kind) for r in records] == [
        ("1DEL2018_001", "deliberation"), ("1DEL2018_002", "deliberation"), ("1DEL2018_003", "deliberation"),
        ("1DEL2018_001", "decision")]


@pytest.mark.parametrize("header, president", [
    ("sous la présidence de son Maire, Paul MARTIN.", "Paul MARTIN"),
    ("sous la présidence de Monsieur le Maire, Paul Martin.", "Paul Martin"),
    ("Présents : Monsieur le Maire Paul MARTIN, Anne DURAND. Le Maire déclare la séance ouverte.", "Paul MARTIN"),
    ("La convocation a été faite le 2 mars 2021 par Paul Martin, Président.", "Paul Martin"),
    ("La Présidente déclare la séance ouverte.", None),  # a title, no one named: unknown
])
def test_president_forms(header, president):
    rec = _session_of(f"Commune de Saint-Exemple\nConseil municipal du 9 mars 2021\n{header}\n"
                      "OBJET : Tarifs\nLe Conseil municipal, après en avoir délibéré, DECIDE.\nAdopté à l'unanimité.\n")
    assert (rec.president.name if rec.president else None) == president
    if rec.president:
        assert president in rec.raw_text[rec.president.start:rec.president.end]


DELEGATION_ITEM = """1. Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.
2. Délégation au Maire (article L 2122-22 du code général des collectivités territoriales)
Conformément à la délibération du conseil municipal lui accordant délégation, les arrêtés suivants ont été pris :
"""


def test_decisions_taken_under_delegation_after_their_dates():
    text = HEADER + DELEGATION_ITEM + """
12 janvier 2018 : Il est conclu un bail avec Paul MARTIN pour le local de la rue Haute.

3 février 2018 : La régie de recettes de la piscine est close.

La séance est levée à 22 heures.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [(r.number, r.item.kind) for r in records] == [("1.", "deliberation"), (None, "decision"), (None, "decision")]
    assert records[1].object_line.startswith("Il est conclu un bail")
    assert records[2].object_line.startswith("La régie de recettes")
    assert records[2].vote is None and "séance est levée" not in records[2].own_text


def test_decisions_of_a_flattened_two_column_table_are_paired_with_their_dates():
    """OCR flattened the table (dates, then the acts' paragraphs): the second paragraph of an act goes on
    about the same thing, so the acts are cut where two neighbouring paragraphs share no word."""
    text = HEADER + DELEGATION_ITEM + """
23 février 2018

05mars20l8

Le sol du gymnase a été abîmé lors d'un tournoi. La compagnie d'assurances du tiers responsable
a proposé un premier remboursement de 1 022,72 €.

La compagnie propose le remboursement du solde, soit 100,00 €.

Il est conclu un avenant n°3 à la convention d'occupation de locaux avec l'association Exemple.

Cet avenant est conclu aux mêmes conditions financières que la convention initiale.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [r.item.kind for r in records] == ["deliberation", "decision", "decision"]
    first, second = records[1:]
    assert "remboursement du solde" in first.own_text and "avenant" not in first.own_text
    assert second.object_line.startswith("Il est conclu un avenant") and "Cet avenant" in second.own_text


def test_delegated_decisions_that_cannot_be_paired_stay_one_item():
    """Three dates, two paragraphs: no act is given another's date; the report stays one item."""
    text = HEADER + DELEGATION_ITEM + """
2 mars 2018

5 mars 2018

9 mars 2018

Il est conclu un bail pour le local de la rue Haute.

La régie de recettes de la piscine est close.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [(r.number, r.item.kind) for r in records] == [("1.", "deliberation"), ("2.", "deliberation")]


def test_a_one_line_document_with_columns_cut_into_its_sentences():
    """A one-line copy of a two-column header: the convocation's date in words is cut by the other column's
    label ("deux mille Procurations : 5 Vingt-trois"): its year is the session's. A lettered code with a slash
    ("DCM/17-2023") opens the deliberation."""
    text = " ".join(("EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL DE SAINT-EXEMPLE Séance du 16 février "
                     "2023 Nombre de conseillers en exercice : 29 Les membres du Conseil Municipal se sont Présents : 21 "
                     "réunis le seize février deux mille vingt-trois, sur la convocation qui leur a été adressée le dix "
                     "février deux mille Procurations : 5 Vingt-trois par Monsieur Paul MARTIN, Maire Votants : 26 "
                     "Secrétaire de séance : Anne DURAND DCM/17-2023 Convention d'études avec Exemple Agglomération "
                     + "Le Maire rappelle les enjeux. " * 60 + "Après en avoir délibéré, le Conseil Municipal, à "
                     "l'unanimité : - approuve la convention.").split())
    assert "\n" not in text
    [rec] = read_document(text, id="one", source="one.txt")
    assert str(rec.session_date) == "2023-02-16" and str(rec.convocation_date) == "2023-02-10"
    assert rec.number == "DCM/17-2023"
    assert rec.object_line.startswith("Convention d'études avec Exemple Agglomération")


def test_a_deliberations_title_dates_it_a_cited_deliberation_does_not():
    rec = _session_of("CONSEIL RÉGIONAL D'EXEMPLE\nDÉLIBÉRATION N°CP 2023-017 DU 25 JANVIER 2023\nCONTRATS D'AMÉNAGEMENT\n"
                      "La commission permanente,\nVU la délibération n° CP 2022-101 du 3 mars 2022 ;\n"
                      "Après en avoir délibéré,\nARTICLE 1 : approuve les contrats.\n")
    assert str(rec.session_date) == "2023-01-25"
    rec = _session_of("CONSEIL RÉGIONAL D'EXEMPLE\nCONTRATS D'AMÉNAGEMENT\nLa commission permanente,\n"
                      "VU la délibération n° CP 2022-101 du 3 mars 2022 ;\nAprès en avoir délibéré,\n"
                      "ARTICLE 1 : approuve les contrats.\n")
    assert rec.session_date is None


def test_a_title_goes_on_after_ocrs_blank_line_before_a_lower_case_word():
    text = """SOMMAIRE
DELIBERATIONS
Conseil d'administration du CCAS de Saint-Exemple, séance du 12 février 2018
1DEL2018_001 Débat d'orientation budgétaire
1DEL2018_002 Aide financière d'un montant de 100 euros pour une facture

d'assainissement

1DEL2018_003 Contribution au fonds de solidarité logement
"""
    records = read_document(text, id="s", source="s.txt")
    assert records[1].object.text.endswith("d'assainissement")
    assert records[0].object.text == "Débat d'orientation budgétaire"


def test_the_proposals_accepted_by_the_council_are_the_decision():
    text = HEADER + """1. Création d'un poste d'agent de voirie
Un agent part à la retraite. Il convient de créer un poste temporaire.

Après avis favorable de la commission du personnel, il est proposé au conseil municipal :

de créer 1 poste temporaire d'agent de voirie ;

de modifier ainsi le tableau des effectifs.

LE CONSEIL MUNICIPAL, A L'UNANIMITE, ACCEPTE CES PROPOSITIONS

2. Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.
"""
    first = read_document(text, id="pv", source="pv.txt")[0]
    assert [a.text for a in first.articles] == ["de créer 1 poste temporaire d'agent de voirie ;",
                                                 "de modifier ainsi le tableau des effectifs."]
    assert first.vote.unanimous


def test_a_table_whose_cells_lost_their_gaps_names_each_row():
    rec = _one("""OBJET : Aide économique aux viticulteurs
Le Conseil municipal, après en avoir délibéré à l'unanimité :
- accorde une aide économique aux viticulteurs locataires, correspondant à leur redevance, comme suit :

Locataire Redevance exonérée Période concernée
Paul MARTIN 696,66 €  15 janvier 2021 au 14 janvier 2022
Anne DURAND 1 315,77 € 15 décembre 2020 au 14 décembre 2021
TOTAL 2 012,43 €

- précise que cette aide est attribuée au titre des calamités agricoles.
""")
    assert [a.text[:9] for a in rec.articles] == ["accorde u", "précise q"]
    rows = {a.cents: (a.beneficiary, rec.raw_text[a.sentence_start:a.sentence_end]) for a in rec.amounts}
    assert {a.article for a in rec.amounts} == {1}  # the table announced by the dashed decision is its own
    assert rows[69666] == ("Paul MARTIN", "Paul MARTIN 696,66 €  15 janvier 2021 au 14 janvier 2022")
    assert rows[131577] == ("Anne DURAND", "Anne DURAND 1 315,77 € 15 décembre 2020 au 14 décembre 2021")
    assert rows[201243][0] is None


def test_the_signature_after_the_last_item_signs_the_minutes_not_the_item():
    text = HEADER + """1. Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.
2. Subvention au comité des fêtes
Le Conseil municipal attribue 500 € au Comité des fêtes. Adopté à l'unanimité.

Fin de séance à 21 heures 40.

Le Maire

Paul MARTIN
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [r.signatory for r in records] == [None, None]
    for rec in records:
        assert rec.minutes_signatory.name == "Paul MARTIN" and rec.minutes_signatory.title == "Maire"
    assert "Paul MARTIN" not in records[-1].own_text


def test_a_delegation_of_public_service_with_a_date_stays_a_deliberation():
    text = HEADER + """1. Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.
2. Délégation du service public de l'eau
Le contrat arrive à échéance le :

31 décembre 2024

Le Conseil municipal approuve le principe de la délégation du service public. Adopté à l'unanimité.
"""
    records = read_document(text, id="pv", source="pv.txt")
    assert [(r.number, r.item.kind) for r in records] == [("1.", "deliberation"), ("2.", "deliberation")]


def test_a_numbered_list_in_a_single_deliberations_expose_is_no_list_of_items():
    """"1) … 2) … 3)" in the exposé of a deliberation that prints its own number once (and cites a law's) are
    the points of a programme, not the items of a session: one record."""
    text = """COMMUNE DE VILLEMODÈLE
EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL
Séance du 12 janvier 2022

DELIBERATION N° 2022/012

OBJET : Attribution d'une subvention à l'association Les Amis de l'Exemple

Le programme d'actions 2022 s'articule autour des axes suivants :

1) Communiquer et valoriser les résultats obtenus auprès des partenaires,

2) Accueillir et informer le public sur l'ensemble du territoire,

3) Organiser des rencontres avec les entreprises et les acteurs locaux,

Le Conseil Municipal,
Vu la loi n° 2000-321 du 12 avril 2000 relative aux droits des citoyens,
Après en avoir délibéré,
DECIDE :
Article 1 - Est attribuée à l'association Les Amis de l'Exemple une subvention de 8 000 euros.

Mise aux voix, la délibération est adoptée.
Le Maire,
Paul MARTIN
"""
    records = read_document(text, id="d", source="d.txt")
    assert len(records) == 1
    assert [a.cents for a in records[0].amounts] == [800000]
