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
- approuve le deuxième versement de subvention 2021 à l'Office de Tourisme de Villemodèle, pour un montant
de 12 400 € ;
- dit que la taxe de séjour 2020, encaissée par la commune en 2020, sera payée en novembre 2021 pour un
montant de 8 350 €.

N° 2021-052 - Animation - Attribution de la subvention 2021 à l'association « Les Amis de l'Exemple »
Le conseil municipal, après en avoir délibéré à l'unanimité :
- attribue une subvention de 2 750 € à l'association « Les Amis de l'Exemple », pour la fête du village ;
- autorise le Maire à signer la convention avec l'association « Les Amis de l'Exemple ».

Pour extrait conforme,
Le Maire,
Paul MARTIN
"""


@pytest.fixture
def commune(assistant, tmp_path):
    path = tmp_path / "villemodele_2021_pv.txt"
    path.write_text(PV, encoding="utf-8")
    assistant.ingest([path], embed=False)
    return assistant


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
