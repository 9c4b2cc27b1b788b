"""Answers read from a deliberation's own passages when the registry's fields do not hold what is asked: the
sentence quoted must name what the question names, the figure asked, in the words a clerk uses (French or
English).

Real SQLite registry, real ingestion of a fictitious procès-verbal (no dense index: lexical retrieval)."""

from __future__ import annotations

import pytest

PV = """COMMUNE DE VILLEMODÈLE
PROCÈS-VERBAL DU CONSEIL MUNICIPAL
Séance du 14 octobre 2021

L'an deux mille vingt et un, le quatorze octobre, le Conseil Municipal de la Commune de Villemodèle, dûment
convoqué le 8 octobre 2021, s'est réuni sous la présidence de Paul MARTIN, Maire.
Secrétaire de séance : Anne DURAND

N° 2021-051 - Office de tourisme de Villemodèle - Subvention pour l'année 2021
Le conseil municipal, après en avoir délibéré à l'unanimité :
- attribue à l'Office de Tourisme de Villemodèle une subvention de 30 000 € pour l'année 2021 ;
- approuve le deuxième versement de subvention 2021 à l'Office de Tourisme de Villemodèle, pour un montant
de 12 400 € ;
- dit que la taxe de séjour 2020, encaissée par la commune en 2020, sera payée en novembre 2021 pour un
montant de 8 350 €.

N° 2021-052 - Animation - Attribution de la subvention 2021 à l'association « Les Amis de l'Exemple »
Le conseil municipal, après en avoir délibéré à l'unanimité :
- attribue une subvention de 2 750 € à l'association « Les Amis de l'Exemple », pour la fête du village ;
- autorise le Maire à signer la convention avec l'association « Les Amis de l'Exemple ».

N° 2021-053 - Bilan des acquisitions et cessions immobilières de l'année 2020
Madame l'adjointe rappelle que l'article L 2241-1 du code général des collectivités territoriales prévoit que le
bilan des acquisitions et cessions opérées sur le territoire de la commune donne lieu chaque année à une
délibération du conseil municipal. Le tableau ci-dessous présente les opérations de l'année écoulée,
avec pour chacune la désignation du bien, son acquéreur ou son vendeur, le montant et la date de l'acte.
Acquisition – année 2020
Désignation et
localisation du bien Terrain parcelle D 88
Vendeur Consorts Lambert
Montant 1 200,00 €
Date de l'acte 12/03/2020
Cession – année 2020
Désignation et
localisation du bien Terrain parcelle A 17
Acquéreur Jean Dupont
Montant 4 100,00 €
Date de l'acte 08/02/2020
Désignation et
localisation du bien Bâtiment parcelle C 12
Acquéreur SCI Les Tilleuls
Montant 185 000,00 €
Date de l'acte 05/06/2020
Désignation et
localisation du bien Terrain parcelle E 40
Acquéreur Marie Petit
Montant 750,00 €
Date de l'acte 25/11/2020

Le Conseil municipal, après en avoir délibéré, à l'unanimité :
- APPROUVE le bilan des acquisitions et cessions immobilières de l'année 2020.

N° 2021-054 - Espaces verts - Tempête de mars 2021 - Attribution d'une subvention exceptionnelle à l'association
« Les Jardins de l'Exemple »
Le conseil municipal, après en avoir délibéré à l'unanimité :

- attribue une subvention de 3 300 € à l'association « Les Jardins de l'Exemple », pour la remise en état des
parcelles ;
- dit que les crédits sont prévus au budget général.

N° 2021-055 - Finances - Fixation du montant maximum de la ligne de trésorerie
Par délibération en date du 7 avril 2014, le conseil municipal a donné délégation au Maire pour réaliser les
lignes de crédit de trésorerie sur la base d'un montant maximum autorisé par le conseil municipal.
Le contrat souscrit auprès de la caisse d'épargne le 29 août 2020 prend fin le 28 août 2021.
Après avis favorable de la commission des finances, il est proposé au conseil municipal d'autoriser le Maire à
réaliser les lignes de crédit, pour un montant maximum de 300 000 €.
Le conseil municipal, à l'unanimité, accepte cette proposition.

N° 2021-056 - Vie associative - Avenant à la convention d'objectifs
Vu la délibération n° 2019-012 du 4 mars 2019 relative à la convention d'objectifs avec l'association « Le Cercle
de l'Exemple » et à son avenant ;
Vu la délibération n° 2020-033 du 2 juin 2020 approuvant la convention d'objectifs avec l'association « Les Amis
du Parc » ;
Le conseil municipal, après en avoir délibéré à l'unanimité :
Article 1 : Approuve l'avenant n°1 à la convention d'objectifs avec l'association « Les Amis du Parc ».
Article 2 : Autorise le Maire à le signer.
Article 3 : Affecte un montant de 12 000 € à cette convention sur le budget 2021.

N° 2021-057 - Construction d'une salle des sports - Demande de subvention à l'agence régionale de l'exemple pour la
mise en œuvre d'un éclairage solaire
Le conseil municipal, après en avoir délibéré à l'unanimité, sollicite la subvention et autorise le Maire à signer
le dossier.

N° 2021-058 - Subventions 2021 aux associations
Madame l'adjointe présente les demandes de subventions 2021 :

Tiers 2020 2021 Subventions votées VOTE Perçues Demandées Proposées
Club de l'Exemple 900 € 1 500 € 1 100 € 1 100 € Unanimité
Chorale de Villemodèle 300 € 400 € 350 € 350 € Unanimité

Le conseil municipal, après en avoir délibéré, attribue les subventions proposées.

N° 2021-059 - Syndicat des eaux - Élection d'un délégué suppléant
Considérant la démission de Mme Claire LEROUX, déléguée suppléante, de tous ses mandats ;
Considérant qu'il convient d'élire un délégué suppléant pour remplacer Mme Claire LEROUX ;
Le conseil municipal, après en avoir délibéré à l'unanimité, élit Jean-Marc PETIT en tant que membre suppléant
au comité du syndicat des eaux.

N° 2021-060 - Tourisme - Désignation des représentants
Le conseil municipal, après en avoir délibéré à l'unanimité :
- désigne trois représentants de la commune auprès de l'association Villemodèle Tourisme :
   . Louis BERNARD
   . Marie THOMAS
   . Luc ROBERT
- dit que ces trois personnes représenteront la commune à compter du 1er janvier 2022.

N° 2021-061 - Reversement de la taxe d'aménagement communale à la CCEX
Reversement à la CCEX de 10% des sommes perçues par la commune au titre de la taxe d'aménagement.
Adopté à l'unanimité.

N° 2021-062 - Administration générale
Approbation du compte rendu du 09/09/2021

Aucune observation n'étant faite, il est approuvé à l'unanimité des présents.

N° 2021-064 - Culture - Subvention 2021 à la Compagnie du Théâtre de l'Exemple
Le conseil municipal, après en avoir délibéré à l'unanimité :
Article 1 : Attribue une subvention de 4 500 € à la Compagnie du Théâtre de l'Exemple pour l'année 2021.
Article 2 : Compte tenu de l'avance de 2 000 € déjà versée, le solde de 2 500 € sera versé en décembre 2021.

N° 2021-065 - Culture - Fixation des tarifs de la salle Paul Martin pour la saison 2022
Article 1 : Les tarifs de la salle Paul Martin sont fixés comme suit à compter du 1er janvier 2022 : - plein tarif :
15 € par spectacle ; - tarif réduit : 9,50 € par spectacle.

N° 2021-066 - Tarifs du restaurant scolaire à compter du 1er janvier 2022
Article 1 : Les tarifs du repas sont fixés comme suit :
Quotient familial                  Repas
QF inférieur à 600                 2,10 € TTC
QF supérieur à 600                 3,40 € TTC

N° 2021-063 - Exercice des pouvoirs délégués au Maire – Compte-rendu
Monsieur le Maire présente le compte rendu des pouvoirs délégués au Maire.
Le Conseil municipal prend acte du compte-rendu des pouvoirs délégués au Maire comprenant 12 décisions du Maire.

M. le Maire informe que la prochaine séance du Conseil municipal est fixée au 18 novembre 2021.
La séance est levée à 21 h 10.

Pour extrait conforme,
Le Maire,
Paul MARTIN
"""

# A single deliberation behind a long session header, all on one line as some websites publish it: the parser
# reads no object, the item's title follows its number.
SINGLE = (
    "Envoyé en préfecture le 16/02/2023 Reçu en préfecture le 16/02/2023 ID : 099-200000000-20230207-DELBU2023 "
    "02_07-DE Département de l'Exemple EXEMPLE AGGLOMERATION DELIBERATION BUREAU COMMUNAUTAIRE SEANCE du mardi 07 "
    "février 2023 L'an deux mille vingt-trois, le mardi 07 février, le Bureau communautaire d'Exemple Agglomération "
    "dûment convoqué, par M. Paul MARTIN Président, s'est assemblé, à 09 heures, salle des fêtes, siège à "
    "Villemodèle sous la présidence de M. Paul MARTIN. Etaient présents : MARTIN Paul ; DURAND Anne ; PETIT "
    "Jean-Marc ; LEROUX Claire ; BERNARD Louis ; THOMAS Marie ; ROBERT Luc ; RICHARD Julie ; MOREAU Pierre ; SIMON "
    "Alice ; LAURENT Marc ; LEFEBVRE Hélène ; MICHEL Paul ; GARCIA Rose ; DAVID Henri ; BERTRAND Lucie ; ROUX "
    "Jacques ; VINCENT Emma. Absents excusés : FOURNIER Louis ; GIRARD Nina DELBU2023-02-007 Economie - Cession "
    "d'un terrain - parc des Tilleuls VILLEMODELE Monsieur Jean DUPONT a fait connaître son intention d'acquérir un "
    "terrain situé dans le parc d'activités des Tilleuls : lot 7 d'une superficie d'environ 1 500 m². M. DUPONT est gérant "
    "de la société SARL Exemple Chauffage, déjà présente sur la zone. Il souhaite installer un atelier et envisage "
    "le recrutement de trois personnes. Ses clients seront des professionnels, qu'il accueillera dans un bâtiment "
    "d'environ 400 m². Le bâtiment sera chauffé par une pompe à chaleur et l'électricité sera produite par des "
    "panneaux photovoltaïques. Le prix de cession proposé est de 28 € HT le mètre carré (vingt-huit euros hors "
    "taxes). L'acquéreur supportera la T.V.A. Les frais d'actes seront à sa charge. Vu l'avis des Domaines émis en "
    "date du 2 décembre 2022 et établissant la valeur vénale du terrain à 42 000 € pour une surface de 1500 m². Au "
    "vu de ces éléments, les membres du Bureau communautaire, à l'unanimité décident : - De se prononcer "
    "favorablement sur la cession à M. Jean DUPONT du terrain désigné ci-dessus au prix de 28 € HT le m² ; - "
    "D'autoriser le Président à signer toutes pièces. Fait et délibéré, les jour, mois et an susdits. Le Président, "
    "Paul MARTIN "
)


@pytest.fixture
def commune(ingest_text):
    return ingest_text("villemodele_2021_pv.txt", PV)


@pytest.mark.parametrize("question", [
    "Quelle subvention la commune de Villemodèle a-t-elle accordée aux Amis de l'Exemple pour 2020 ?",
    "What subsidy did the commune of Villemodèle grant Les Amis de l'Exemple association for 2020?",
])
def test_a_beneficiary_named_is_never_answered_with_another_ones_sentence(commune, question):
    """The registry knows the association, but not for 2020: the sentence of another item that names 2020 and
    an amount (the Office de tourisme's) does not answer for it."""
    a = commune.ask(question)
    assert not a.found
    assert "8 350" not in a.answer and "12 400" not in a.answer


@pytest.fixture
def single(ingest_text):
    return ingest_text("exemple_agglo_2023.txt", SINGLE)


@pytest.mark.parametrize("question, expected", [
    ("À quel prix au mètre carré Exemple Agglomération cède-t-elle le terrain du parc des Tilleuls ?", "28 €"),
    ("What market value did the Domaines service give for the Tilleuls plot sold by Exemple Agglomération?",
     "42 000 €"),
    ("À qui l'Agglo d'Exemple a-t-elle décidé de céder le lot 7 du parc des Tilleuls ?", "DUPONT"),
])
def test_a_sentence_is_read_with_its_deliberations_title_after_its_number(single, question, expected):
    """The place named ("parc des Tilleuls") is in the title only; the sentence holding the figure is read with
    it, and the authority's type words ("l'Agglo de") are not words to look for."""
    a = single.ask(question)
    assert a.found and expected in a.answer
    assert all(c.source == "exemple_agglo_2023.txt" for c in a.citations)


def test_a_table_cut_between_two_passages_is_read_whole(commune):
    """The row asked about straddles the cut between two of the item's passages: it is read whole, the buyer
    and the amount with the parcel's designation."""
    a = commune.ask("À qui la commune de Villemodèle a-t-elle cédé le bâtiment de la parcelle C 12 en 2020, et pour "
                    "quel montant ?")
    assert a.found and "SCI Les Tilleuls" in a.answer and "185 000" in a.answer


def test_the_parts_of_a_question_asking_two_things():
    from assistant.answer.extractive import question_parts

    assert question_parts("À qui la commune a-t-elle cédé la parcelle C 12, et pour quel montant ?") == [
        "À qui la commune a-t-elle cédé la parcelle C 12", "pour quel montant"]
    assert question_parts("Which commune's contract receives amendment no. 1, and what amount is allocated?") == [
        "Which commune's contract receives amendment no. 1", "what amount is allocated"]
    assert question_parts("Qui a voté pour et contre la motion ?") == ["Qui a voté pour et contre la motion ?"]


@pytest.mark.parametrize("question, expected, not_expected", [
    (("À quelle association la commune de Villemodèle a-t-elle accordé une subvention exceptionnelle après la tempête "
     "de mars 2021, et de combien ?"), ["Les Jardins de l'Exemple", "3 300 €"], []),
    (("Auprès de quelle banque la commune de Villemodèle avait-elle souscrit sa ligne de trésorerie, et quel montant "
     "maximum le conseil a-t-il fixé ?"), ["caisse d'épargne", "300 000 €"], []),
    (("In the Villemodèle council deliberation 2021-056, which association's agreement receives amendment no. 1, and "
     "what amount is allocated for it?"), ["Amis du Parc", "12"], ["Cercle"]),
])
def test_a_question_asking_two_things_gets_both(commune, question, expected, not_expected):
    """Each part is answered by its own sentence of the deliberation found: the name (or bank) asked, then the
    sum stated after it; a visa citing another act on the same subject does not answer."""
    a = commune.ask(question)
    assert a.found
    for text in expected:
        assert text in a.answer
    for text in not_expected:
        assert text not in a.answer


def test_an_english_question_is_read_in_the_registers_words():
    """"contract" is looked for as "marché contrat", never as itself (it would match "contractuelle")."""
    from assistant.answer.extractive import in_french

    text = in_french("Which contract receives the amendment above 600?")
    assert "contrat" in text and "avenant" in text and "supérieur" in text and "contract " not in text


def test_an_authority_named_before_its_english_type_word():
    from assistant.answer.understand import understand

    authorities = [("Exemple", ("exemple",), "region"), ("Villemodèle", ("villemodele",), "commune")]
    q = understand("In the Exemple Region deliberation CP 2023-017, which commune receives amendment no. 1?",
                   authorities=authorities)
    assert q.authority == "Exemple" and q.number == "CP 2023-017"


@pytest.mark.parametrize("question", [
    "Which agency was asked for a grant for the éclairage solaire of the salle des sports?",
    "À quelle agence la commune de Villemodèle a-t-elle demandé une subvention pour l'éclairage solaire ?",
])
def test_the_one_asked_for_a_grant_is_answered_without_a_sum(commune, question):
    """"Which agency did X ask for a grant": the answer names the one asked; no sum is required of it."""
    a = commune.ask(question)
    assert a.found and "agence régionale de l'exemple" in a.answer


def test_a_follow_up_on_another_year_reads_the_previous_answers_table(commune):
    """"Et combien avait-il perçu en 2020 ?" after the 2021 grant: the table of the previous answer gives last
    year's sum too (its header names the year), though the session is of 2021."""
    session = "follow-up-year"
    first = commune.ask("Quelle subvention la commune de Villemodèle a-t-elle votée pour le Club de l'Exemple en "
                        "2021 ?", session=session)
    assert first.found and "1 100" in first.answer
    a = commune.ask("Et combien avait-il perçu en 2020 ?", session=session)
    assert a.found and "900 €" in a.answer


@pytest.mark.parametrize("fixture, first, follow_up, expected", [
    ("single", "À qui l'Agglo d'Exemple a-t-elle décidé de céder le lot 7 du parc des Tilleuls ?",
     "Quelle société dirige-t-il ?", "SARL Exemple Chauffage"),
    ("commune", "Qui la commune de Villemodèle a-t-elle élu comme membre suppléant au syndicat des eaux ?",
     "Qui remplace-t-il ?", "LEROUX"),
])
def test_a_pronoun_asks_something_new_of_the_one_just_named(request, fixture, first, follow_up, expected):
    """"Quelle société dirige-t-il ?": the pronoun is the one the previous answer named; the question's own words
    are looked for in the deliberation that answer cited (not its recorded buyer or members again)."""
    assistant = request.getfixturevalue(fixture)
    session = "pronoun-" + fixture
    assert assistant.ask(first, session=session).found
    a = assistant.ask(follow_up, session=session)
    assert a.found and expected in a.answer


def test_words_the_amounts_do_not_carry_pick_the_sentence_of_the_sum_asked(commune):
    """The registry holds the Office's grants of the deliberation; "le deuxième versement" says which one is
    asked, and only a sentence of that deliberation says it."""
    a = commune.ask("Quel est le montant du deuxième versement de la subvention 2021 de la commune de Villemodèle à "
                    "son Office de tourisme ?")
    assert a.found and "12 400 €" in a.answer
    assert all("deuxième versement" in c.quote for c in a.citations)


def test_a_list_of_names_in_bullets_is_one_sentence(commune):
    """". Louis BERNARD" on its own line is a bullet, not the start of a sentence: the list is quoted whole."""
    a = commune.ask("Qui la commune de Villemodèle a-t-elle désigné pour la représenter au sein de Villemodèle "
                    "Tourisme ?")
    assert a.found
    for name in ("Louis BERNARD", "Marie THOMAS", "Luc ROBERT"):
        assert name in a.answer


def test_a_share_asked_is_answered_by_a_rate(commune):
    """"Quelle part … reverse-t-elle ?" asks a rate: the sentence holding it has no sum of money."""
    a = commune.ask("Quelle part de la taxe d'aménagement la commune de Villemodèle reverse-t-elle à la CCEX ?")
    assert a.found and "10%" in a.answer


def test_a_day_that_is_no_session_is_looked_for_in_the_sentences_and_a_vote_asked_is_given(commune):
    """"Le compte rendu du 9 septembre 2021" was approved at the session of 14 octobre: the day asked is read in
    the sentences, not as the session's; "comment … approuvé" is answered with the vote that follows."""
    a = commune.ask("Comment a été approuvé le compte rendu du 9 septembre 2021 par la commune de Villemodèle ?")
    assert a.found and "09/09/2021" in a.answer and "unanimité" in a.answer


def test_the_next_session_is_read_in_the_closing_not_the_sessions_records(commune):
    a = commune.ask("À quelle date était fixée la séance suivante du conseil municipal de Villemodèle après celle du "
                    "14 octobre 2021 ?")
    assert a.found and "18 novembre 2021" in a.answer


def test_how_many_things_a_text_lists_is_a_number_it_gives(commune):
    """"Combien de décisions … figuraient dans le compte-rendu … le 14 octobre 2021 ?": not a count of the
    registry's deliberations, nor the session's header (which names the day), but the sentence giving the number."""
    a = commune.ask("Combien de décisions du Maire figuraient dans le compte-rendu des pouvoirs délégués présenté au "
                    "conseil municipal de Villemodèle le 14 octobre 2021 ?")
    assert a.found and "12 décisions" in a.answer


def test_a_deliberations_number_named_in_an_answer_is_verified_by_its_record():
    """"Délibération ABCD/17-2023 (…) : « … »": the number's digits are the record's, not the quote's."""
    from assistant.answer.verify import Checker
    from assistant.models import Citation, Deliberation

    raw = "ABCD/17-2023 Étude de faisabilité. L'enveloppe de l'étude est estimée à 10 400 € TTC."
    rec = Deliberation(id="exemple-1", source="exemple.txt", content_hash="x", raw_text=raw, number="ABCD/17-2023")
    start = raw.index("L'enveloppe")
    citation = Citation(id=rec.id, source=rec.source, part="Texte", quote=raw[start:], start=start, end=len(raw))
    checker = Checker(None, {rec.id: rec})
    assert checker.check_text(f"Délibération ABCD/17-2023 : « {raw[start:]} »", [citation]) == []
    assert checker.check_text(f"Délibération ABCD/18-2023 : « {raw[start:]} »", [citation]) != []


def test_a_second_part_the_registrys_amounts_do_not_say_gets_its_sentence(commune):
    """"Quelle subvention …, et quel solde reste à verser ?": the registry gives the grant, the sentence of its
    deliberation gives the balance."""
    a = commune.ask("Quelle subvention la commune de Villemodèle a-t-elle attribuée à la Compagnie du Théâtre de "
                    "l'Exemple pour 2021, et quel solde reste à verser ?")
    assert a.found and "4 500 €" in a.answer and "2 500 €" in a.answer


NEXT_YEAR = """COMMUNE DE VILLEMODÈLE
EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL
Séance du 10 mars 2022

L'an deux mille vingt-deux, le dix mars, le Conseil Municipal de la Commune de Villemodèle, dûment convoqué le
4 mars 2022, s'est réuni sous la présidence de Paul MARTIN, Maire.

Délibération n° 2022-012
Objet : Voirie - Réfection du chemin des Vignes

Le Conseil municipal, après en avoir délibéré, approuve la réfection du chemin des Vignes.

Adopté à l'unanimité.
"""


def test_a_year_that_is_the_events_is_read_in_the_previous_years_session(commune, tmp_path):
    """"Le tarif … pour la saison 2022", fixed at a session of 2021: the 2022 session has no such sentence, the
    2021 one does, and names the year."""
    path = tmp_path / "villemodele_2022.txt"
    path.write_text(NEXT_YEAR, encoding="utf-8")
    commune.ingest([path], embed=False)
    a = commune.ask("Quel est le tarif réduit de la salle Paul Martin fixé par le conseil municipal de Villemodèle "
                    "pour la saison 2022 ?")
    assert a.found and "9,50 €" in a.answer


def test_a_day_named_in_the_title_holds_for_its_table_rows(commune):
    """"… tariffs from 1 January 2022": the day is the tariffs' (in the deliberation's title), not a session's; the
    row that answers ("above" is "supérieur") does not repeat it."""
    a = commune.ask("What does a school meal cost for a family quotient above 600 under the commune of Villemodèle's "
                    "tariffs from 1 January 2022?")
    assert a.found and "3,40 €" in a.answer and "2,10" not in a.answer


@pytest.mark.parametrize("act_type, fr, en", [
    ("subvention", "La subvention de 1 450 000 € à SCI Exemple a été décidée", "The grant of"),
    ("acquisition", "Le montant de 1 450 000 € à SCI Exemple a été décidé", "The amount of"),
])
def test_the_date_of_a_sum_says_grant_only_for_a_grant(act_type, fr, en):
    import datetime as dt

    from assistant.answer.compose import render_item
    from assistant.answer.items import Item
    from assistant.models import Deliberation

    rec = Deliberation(id="exemple-2", source="exemple.txt", content_hash="x", raw_text="Séance du 24 septembre 2021",
                       session_date=dt.date(2021, 9, 24), act_type=act_type)
    item = Item("date", rec, {"cents": 145_000_000, "beneficiary": "SCI Exemple"}, [])
    assert render_item(item, "fr").startswith(fr)
    assert render_item(item, "en").startswith(en)


def test_an_authority_named_before_its_french_type_word_in_english():
    from assistant.answer.understand import understand

    q = understand("On what date did the Exemple Département's commission permanente approve the purchase?",
                   authorities=[("Exemple", ("exemple",), "departement")])
    assert q.authority == "Exemple"


@pytest.mark.parametrize("question, place", [
    ("When was the La Villemodèle school canteen contract notified?", "La Villemodèle"),
    ("What did the Les Amis de l'Exemple association receive?", None),
    ("What did the Le Cercle association receive?", None),
])
def test_a_french_place_name_qualifying_an_english_noun_names_the_commune(question, place):
    from assistant.answer.understand import understand

    assert understand(question).authority_words == place


VITICULTEURS = """COMMUNE DE VILLEMODÈLE
Séance du conseil municipal du 28 octobre 2021

N° 2021-093 - Agriculture - Aide économique aux viticulteurs après le gel
Le Conseil municipal, après en avoir délibéré à l'unanimité :
- accorde une aide économique aux viticulteurs locataires, correspondant à leur redevance, comme suit :

Locataire viticulteur Redevance exonérée Période concernée
Paul MARTIN 696,66 €  15 janvier 2021 au 14 janvier 2022
Anne DURAND 1 315,77 € 15 décembre 2020 au 14 décembre 2021
TOTAL 2 012,43 €

- précise que cette aide est attribuée au titre des calamités agricoles.
"""


def test_words_the_amounts_do_not_carry_never_trade_a_tables_row_for_the_whole_table(ingest_text):
    """"exonéré pour le viticulteur" is said by the table's header, not by the registry's amount: the sentence
    found is the whole table, which holds another beneficiary's row; the row read apart answers, alone."""
    assistant = ingest_text("villemodele_2021_viticulteurs.txt", VITICULTEURS)
    a = assistant.ask("Quel montant de redevance la commune de Villemodèle a-t-elle exonéré pour le viticulteur "
                      "Paul MARTIN après le gel de 2021 ?")
    assert a.found and "696,66 €" in a.answer
    assert "1 315,77" not in a.answer
