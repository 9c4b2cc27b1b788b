"""Answers over the registers of several authorities: the authority and the number a question names narrow
the search, a fuzzy name is said, two close names get a question back, lists keep the person asked.

Real SQLite registry, real ingestion of fictitious commune extracts (no dense index: lexical retrieval)."""

from __future__ import annotations

import pytest

EXTRACT = """COMMUNE DE {upper}
EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL
Séance du {day} mars 2021

L'an deux mille vingt et un, le {day_words} mars, le Conseil Municipal de la Commune de {name}, dûment convoqué
le 5 mars 2021, s'est réuni sous la présidence de {mayor}, Maire.
Secrétaire de séance : {secretary}

Délibération n° {number}
Objet : Subvention au {beneficiary}

Le Conseil municipal, après en avoir délibéré, décide d'attribuer une subvention de {amount} au
{beneficiary} pour l'organisation de la fête communale.

Adopté à l'unanimité.

Pour extrait conforme,
Le Maire,
{mayor}
"""

COMMUNES = [
    {"name": "Saint-Exemple", "upper": "SAINT-EXEMPLE", "day": "12", "day_words": "douze", "mayor": "Paul MARTIN",
     "secretary": "Anne DURAND", "number": "2021-045", "beneficiary": "Comité des fêtes de Kerdrein",
     "amount": "1 200 €"},
    {"name": "Villemodèle", "upper": "VILLEMODÈLE", "day": "19", "day_words": "dix-neuf", "mayor": "Jean-Marc PETIT",
     "secretary": "Claire LEROUX", "number": "2021-045", "beneficiary": "Comité des fêtes de Kerdreux",
     "amount": "800 €"},
]


@pytest.fixture
def two_communes(assistant, tmp_path):
    paths = []
    for c in COMMUNES:
        path = tmp_path / f"{c['name'].lower()}_2021-045.txt"
        path.write_text(EXTRACT.format(**c), encoding="utf-8")
        paths.append(path)
    assistant.ingest(paths, embed=False)
    return assistant


def test_a_commune_number_names_one_deliberation_of_the_authority_asked(two_communes):
    a = two_communes.ask("Qui a signé la délibération n° 2021-045 de la commune de Villemodèle ?")
    assert a.found and "Jean-Marc PETIT" in a.answer and "Paul MARTIN" not in a.answer
    assert {c.source for c in a.citations} == {"villemodèle_2021-045.txt"}


def test_an_unknown_number_is_not_answered_with_every_deliberation(two_communes):
    a = two_communes.ask("Qui a signé la délibération n° 2021-099 de la commune de Saint-Exemple ?")
    assert not a.found and "MARTIN" not in a.answer


def test_a_question_naming_one_authority_is_never_answered_from_another(two_communes):
    a = two_communes.ask("Quelle subvention la commune de Villemodèle a-t-elle accordée pour la fête communale ?")
    assert a.found and "800" in a.answer and "1 200" not in a.answer
    assert all(c.source == "villemodèle_2021-045.txt" for c in a.citations)
    a = two_communes.ask("Qui était secrétaire de séance du conseil municipal de Saint-Exemple ?")
    assert a.found and "Anne DURAND" in a.answer and "LEROUX" not in a.answer


def test_session_facts_are_answered_from_the_record(two_communes):
    a = two_communes.ask("Quand les conseillers de la commune de Saint-Exemple ont-ils été convoqués ?")
    assert a.found and "5 mars 2021" in a.answer and "saint-exemple" in a.citations[0].source
    a = two_communes.ask("Who chaired the Villemodèle municipal council?")
    assert a.found and "Jean-Marc PETIT" in a.answer


def test_a_fuzzy_name_is_said_in_the_answer(two_communes):
    a = two_communes.ask("Quelle subvention la commune de Saint-Exemple a-t-elle versée au Comité des fêtes de Kerdrain ?")
    assert a.found and "1 200 €" in a.answer
    assert "Kerdrein" in a.answer and "« Kerdrain »" in a.answer.replace("Comité des fêtes de ", "")


def test_two_close_names_get_a_question_back(two_communes):
    a = two_communes.ask("Quelle subvention a reçu le Comité des fêtes de Kerdreix ?")
    assert not a.found
    assert "Kerdrein" in a.answer and "Kerdreux" in a.answer and "?" in a.answer
    assert "1 200" not in a.answer and "800" not in a.answer


def test_a_list_of_signed_deliberations_keeps_only_the_person_asked(two_communes):
    a = two_communes.ask("Quelles délibérations Paul MARTIN a-t-il signées en 2021 ?")
    assert a.found and "Kerdrein" in a.answer
    assert "Kerdreux" not in a.answer and "PETIT" not in a.answer


def test_a_place_named_in_a_clause_is_the_authority_and_a_body_addressed_is_not():
    """"… à Villemodèle, et combien est demandé à la Région ?": the commune is asked about, the Région is
    the one asked for money (a counterparty), so the answer stays within the commune's documents."""
    from assistant.answer.understand import understand

    authorities = [("Villemodèle", ["villemodele"], "commune"), ("Région Exemple", ["exemple"], "region")]
    q = understand("Quel est le coût de la salle Paul Martin à Villemodèle, et combien est demandé à la Région ?",
                   authorities=authorities)
    assert q.authority == "Villemodèle"
    q = understand("Quelle subvention la Région a-t-elle votée pour la salle de Villemodèle ?", authorities=authorities)
    assert q.authority_type == "region"  # the Région is the subject here


MINUTES = """COMMUNE DE SAINT-EXEMPLE
PROCÈS-VERBAL DU CONSEIL MUNICIPAL DU 9 AVRIL 2018
L'an deux mille dix-huit, le neuf avril, le Conseil municipal de la Commune de Saint-Exemple s'est réuni sous la
présidence de Paul MARTIN, Maire.
Secrétaire de séance : Anne DURAND

2018-11 Tarifs de la cantine
Le Conseil municipal fixe le repas à 3,50 €. Adopté à l'unanimité.

2018-12 Subvention au comité des fêtes
Le Conseil municipal attribue 500 € au Comité des fêtes. Adopté à l'unanimité.

Fin de séance à 21 heures 40.

Le Maire

Paul MARTIN
"""


def test_who_signed_the_minutes_of_a_session(assistant, tmp_path):
    path = tmp_path / "saint-exemple_pv.txt"
    path.write_text(MINUTES, encoding="utf-8")
    assistant.ingest([path], embed=False)
    a = assistant.ask("Qui a signé le procès-verbal du conseil municipal de Saint-Exemple du 9 avril 2018 ?")
    assert a.found and "procès-verbal" in a.answer and "Paul MARTIN" in a.answer
    assert len(a.citations) == 1 and "Paul MARTIN" in a.citations[0].quote
