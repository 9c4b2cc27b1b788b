"""Answers to questions staff ask of real registers, over shapes their documents take: an amount the scan
misprints, a year the text names that is not the session's, decisions whose session date the text does
not give, several members asked about at once.

Real SQLite registry, real ingestion of fictitious extracts (no dense index: lexical retrieval)."""

from __future__ import annotations

LOAN = """COMMUNE DE SAINT-EXEMPLE
PROCÈS-VERBAL DU CONSEIL MUNICIPAL
Séance du 9 avril 2018

L'an deux mille dix-huit, le neuf avril, le Conseil Municipal de la Commune de Saint-Exemple s'est réuni sous
la présidence de Paul MARTIN, Maire.
Secrétaire de séance : Anne DURAND

2018-05 BUDGET PRINCIPAL 2018 : AUTORISATION A REALISER LES EMPRUNTS

Il est proposé au Conseil municipal d'autoriser le Maire à réaliser les emprunts de
l'exercice 201 8, pour un montant maximum de 1000 000 €.

LE CONSEIL MUNICIPAL, après en avoir délibéré, à l'unanimité, autorise le Maire à réaliser les emprunts
de l'exercice 201 8 pour un montant maximum de 1000 000 €.
"""


def test_an_amount_the_scan_misprints_is_restated_in_french_format_beside_its_quote(ingest_text):
    assistant = ingest_text("saint-exemple_2018_pv.txt", LOAN)
    a = assistant.ask("Pour quel montant maximum le maire de Saint-Exemple est-il autorisé à réaliser les emprunts "
                      "du budget 2018 ?")
    assert a.found and "1000 000 €" in a.answer and "(soit 1 000 000 €)" in a.answer, a.answer
    assert any("1000 000 €" in c.quote for c in a.citations)


SESSION = """VILLEMODÈLE AGGLOMÉRATION
PROCÈS-VERBAL DU CONSEIL COMMUNAUTAIRE
Séance du {day}

Le Conseil communautaire de Villemodèle Agglomération s'est réuni sous la présidence de Jean-Marc PETIT.
Secrétaire de séance : Claire LEROUX

1. {title}

{text}

Le Conseil communautaire, après en avoir délibéré, à l'unanimité, approuve {decision}.
"""


def test_a_year_named_by_the_text_of_a_later_session_is_found(assistant, tmp_path):
    """The year of a question may be the year a deliberation is about, not its session's: when the sessions
    of that year answer nothing, the authority's other sessions are read for a sentence naming the year."""
    docs = {
        "villemodele_2020.txt": SESSION.format(
            day="15 juin 2020", title="Tarifs de la piscine communautaire",
            text="Il est proposé de reconduire les tarifs de la piscine communautaire.",
            decision="les tarifs de la piscine"),
        "villemodele_2021.txt": SESSION.format(
            day="28 octobre 2021", title="Décision modificative n° 1 du budget annexe des transports",
            text="Il est rappelé que Villemodèle Agglomération a bénéficié en 2020 d'une avance remboursable de "
                 "450 000 € de l'Etat pour le versement mobilité.",
            decision="la décision modificative n° 1"),
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assistant.ingest([tmp_path / n for n in docs], embed=False)
    a = assistant.ask("Quelle avance remboursable Villemodèle Agglomération a-t-elle obtenue en 2020 pour le "
                      "versement mobilité ?")
    assert a.found and "450 000 €" in a.answer and "de l'Etat" in a.answer, a.answer
    assert {c.source for c in a.citations} == {"villemodele_2021.txt"}
    # a year no sentence names still filters
    a = assistant.ask("Quelle avance remboursable Villemodèle Agglomération a-t-elle obtenue en 2019 pour le "
                      "versement mobilité ?")
    assert not a.found and "450" not in a.answer, a.answer


RECUEIL = """SOMMAIRE

DELIBERATIONS

Conseils d'Administration du CCAS du 14/01 et du 20/03

N° Acte Objet

1DEL2019_001 Débat sur les Orientations Budgétaires 2019 du CCAS 1DEL2019_002 Aide financière pour une facture de cantine d'un montant de 64,50 € 1DEL2019_003 Aide financière d'un montant de 300 € pour des frais d'obsèques

de la commune de Villemodèle

1DEL2019_004 Aide financière pour une facture de cantine d'un montant de 120 € 1DEL2019_005 Adoption du Budget Primitif 2019 du CCAS

DECISION

1DEL2019_006

Aide financière d'un montant de 75,40 euros pour une facture

de cantine

DELIBERATIONS

PROCES VERBAL

DU CONSEIL D'ADMINISTRATION DU CENTRE COMMUNAL D'ACTION SOCIALE

DE LA COMMUNE DE VILLEMODÈLE

Le conseil d'administration, après en avoir délibéré, à l'unanimité, accorde une aide financière d'un montant
de 75,40 euros pour une facture de cantine.
"""


def test_decisions_without_a_session_date_answer_a_question_naming_a_year(ingest_text):
    """A recueil whose sittings have no year: its decisions may be of the year asked, and each amount is given
    (not the first passages retrieved only)."""
    assistant = ingest_text("ccas-villemodele_2019.txt", RECUEIL)
    a = assistant.ask("Quelles aides financières pour des factures de cantine le CCAS de Villemodèle a-t-il "
                      "accordées en 2019 ?")
    assert a.found and all(m in a.answer for m in ("64,50 €", "120 €", "75,40 €")), a.answer
    assert "300 €" not in a.answer  # the funeral costs are another subject


MEETING = """SYNDICAT INTERCOMMUNAL DES EAUX DE VILLEMODÈLE

COMPTE RENDU DE LA REUNION DU 3 DECEMBRE 2019

Etaient présents : Messieurs Dupont, Bernard, Lefèvre, Madame Moreau

Pouvoirs : Monsieur Martin a donné pouvoir à Monsieur Dupont, Monsieur Petit a donné pouvoir à Madame Moreau

Excusés : Madame Durand, Monsieur Leroux

Secrétaire de séance : Monsieur Bernard

1. Approbation du compte rendu de la réunion précédente

Le compte rendu de la réunion du 29 octobre 2019 est approuvé à l'unanimité.
"""


def test_a_question_naming_two_members_answers_for_each(ingest_text):
    assistant = ingest_text("syndicat-eaux-villemodele_2019.txt", MEETING)
    a = assistant.ask("À qui M. Martin et M. Petit ont-ils donné pouvoir lors de la réunion du 3 décembre 2019 du "
                      "syndicat des eaux de Villemodèle ?")
    assert a.found, a.answer
    lines = a.answer.splitlines()
    assert any("Martin" in x and "procuration à Dupont" in x for x in lines), a.answer
    assert any("Petit" in x and "procuration à Moreau" in x for x in lines), a.answer


GRANTS_DEBATE = """COMMUNE DE SAINT-EXEMPLE
PROCÈS-VERBAL DU CONSEIL MUNICIPAL
Séance du 3 avril 2025

Le Conseil Municipal de la Commune de Saint-Exemple s'est réuni sous la présidence de Paul MARTIN, Maire.
Secrétaire de séance : Anne DURAND

D2025-012 SUBVENTIONS AUX ASSOCIATIONS 2025

Madame Claire LEROUX, adjointe au maire, présente les demandes de subventions 2025 :

Tiers 2024 2025 Votées Vote
Club de judo 500 € 500 € Unanimité
Les Amis de l'Exemple 500 € 2 800 € 2 abstentions 1 contre
Comité des fêtes 1 000 € 1 500 € Unanimité

Pour le Club de judo, Monsieur Jean PETIT demande le nombre de licenciés. Madame Claire LEROUX répond
qu'ils sont quatre-vingts.

Pour Les Amis de l'Exemple, Madame Anne DURAND demande pourquoi une telle augmentation. Madame Claire LEROUX
explique que l'association organise un festival sur deux jours.
Abstentions : M. Jean PETIT, Mme Anne DURAND.
Contre : M. Marc BLANC qui estime qu'il y a trop de week-ends avec du bruit.

Le Conseil municipal, après en avoir délibéré, attribue les subventions ci-dessus.
"""


def test_a_vote_on_one_grant_quotes_the_debate_naming_the_voters(ingest_text):
    """The named votes on one line of a grant table are in the debate's paragraph on it: quoted first."""
    assistant = ingest_text("saint-exemple_2025_pv.txt", GRANTS_DEBATE)
    a = assistant.ask("Comment a été votée la subvention 2025 à l'association Les Amis de l'Exemple à Saint-Exemple ?")
    assert a.found, a.answer
    first = a.answer.splitlines()[0]
    assert all(n in first for n in ("Jean PETIT", "Anne DURAND", "Marc BLANC")), a.answer
    assert "licenciés" not in a.answer  # the debate on another grant is not quoted


def test_sittings_printed_without_their_year_are_quoted_and_restated_in_words(ingest_text):
    """The recueil's heading names its sittings as "du 14/01 et du 20/03": quoted, restated in words, the
    year left unknown."""
    assistant = ingest_text("ccas-villemodele_2019.txt", RECUEIL)
    a = assistant.ask("À quelles dates se sont réunis les conseils d'administration du CCAS de Villemodèle "
                      "en 2019 ?")
    assert a.found and "« Conseils d'Administration du CCAS du 14/01 et du 20/03 »" in a.answer, a.answer
    assert "le 14 janvier et le 20 mars, l'année n'étant pas précisée" in a.answer
    assert a.citations[0].part == "En-tête"


def test_a_heading_is_searchable_only_when_the_session_was_not_read(assistant, tmp_path):
    from assistant.chunks import chunk_record

    docs = {"ccas-villemodele_2019.txt": RECUEIL, "villemodele_2021.txt": SESSION.format(
        day="28 octobre 2021", title="Tarifs de la piscine", text="Il est proposé de reconduire les tarifs.",
        decision="les tarifs") + "\n2. Rapport d'activités 2020\n\nLe rapport d'activités 2020 est présenté.\n"}
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assistant.ingest([tmp_path / n for n in docs], embed=False)
    parts = {rec.source: {c.part_label for c in chunk_record(rec)} for rec in assistant.registry.all()
             if rec.item is not None and rec.item.index == 1}
    assert "En-tête" in parts["ccas-villemodele_2019.txt"]
    assert "En-tête" not in parts["villemodele_2021.txt"]  # its session was read: the session's chunk has it
