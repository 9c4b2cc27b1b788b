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


def test_an_amount_the_scan_misprints_is_restated_in_french_format_beside_its_quote(assistant, tmp_path):
    path = tmp_path / "saint-exemple_2018_pv.txt"
    path.write_text(LOAN, encoding="utf-8")
    assistant.ingest([path], embed=False)
    a = assistant.ask("Pour quel montant maximum le maire de Saint-Exemple est-il autorisé à réaliser les emprunts "
                      "du budget 2018 ?")
    assert a.found and "1000 000 €" in a.answer and "(soit 1 000 000 €)" in a.answer, a.answer
    assert any("1000 000 €" in c.quote for c in a.citations)
