"""Vote counts in correct French and English ("1 abstention", "2 abstentions", "1 voix contre",
"1 vote against", "2 votes against") in answers and in `delib show`, over real synthetic extracts
parsed into a real registry; answers still pass verification against their sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.answer.compose import vote_label
from assistant.answer.verify import check_answer
from assistant.cli import app
from assistant.ingest.pipeline import ingest_paths

SYNTH = Path(__file__).resolve().parents[1] / "corpus" / "synthetic"
# MOB 039-5743/19/BM: 1 abstention (Gilles PASTOR), 2 against; FAG 038-5742/19/BM: 3 abstentions, 1 against.
ONE_ABSTENTION = SYNTH / "synth_0021_26c50eec.txt"
ONE_AGAINST = SYNTH / "synth_0009_9ab439c4.txt"


@pytest.fixture
def votes(assistant):
    report = ingest_paths([ONE_ABSTENTION, ONE_AGAINST], assistant.registry)
    assert report.counts["added"] == 2
    return assistant


def test_vote_label_agrees_with_the_count():
    assert [f"{n} {vote_label('abstentions', n, 'fr')}" for n in (1, 2)] == ["1 abstention", "2 abstentions"]
    assert [f"{n} {vote_label('against', n, 'fr')}" for n in (1, 2)] == ["1 voix contre", "2 voix contre"]
    assert [f"{n} {vote_label('abstentions', n, 'en')}" for n in (1, 2)] == ["1 abstention", "2 abstentions"]
    assert [f"{n} {vote_label('against', n, 'en')}" for n in (1, 2)] == ["1 vote against", "2 votes against"]
    assert vote_label("abstentions", 0, "fr") == "abstention" and vote_label("abstentions", 0, "en") == "abstentions"


@pytest.mark.parametrize(("question", "expected"), [
    ("Quel a été le vote sur la délibération MOB 039-5743/19/BM ?",
     "a été adoptée ; 1 abstention : Gilles PASTOR ; 2 voix contre : Marie-Pierre GAUTIER et Pascale PONS-VIALE."),
    ("Qui a voté contre la délibération FAG 038-5742/19/BM ?",
     "a été adoptée ; 3 abstentions : Gaby BOUCHET, Gilbert GRIMAUD et Philippe VIDAL ; 1 voix contre : Jean DAVIN."),
    ("Who abstained on deliberation MOB 039-5743/19/BM?",
     "was adopted; 1 abstention: Gilles PASTOR; 2 votes against: Marie-Pierre GAUTIER and Pascale PONS-VIALE."),
    ("Who voted against deliberation FAG 038-5742/19/BM?",
     "was adopted; 3 abstentions: Gaby BOUCHET, Gilbert GRIMAUD and Philippe VIDAL; 1 vote against: Jean DAVIN."),
])
def test_answers_word_vote_counts_in_the_questions_language(votes, question, expected):
    answer = votes.ask(question, mode="lexical")
    assert answer.found and answer.intent == "vote"
    assert expected in answer.answer, answer.answer
    assert "(s)" not in answer.answer
    # The counts pass the answer's verification: printed in the vote part, or the number of names quoted.
    [vote] = [c for c in answer.citations if c.part == "Vote"]
    rec = votes.registry.get(vote.id)
    assert rec.raw_text[vote.start:vote.end] == vote.quote
    derived = {str(len(rec.vote.abstentions)), str(len(rec.vote.against))}
    assert check_answer(answer, votes.registry, allowed=derived) == []


def test_delib_show_words_vote_counts(votes, data_dir):
    runner = CliRunner()
    shown = runner.invoke(app, ["--data-dir", str(data_dir), "show", ONE_ABSTENTION.stem])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert ("Vote : adoptée ; 1 abstention (Gilles PASTOR) ; 2 voix contre (Marie-Pierre GAUTIER, "
            "Pascale PONS-VIALE)") in text
    other = " ".join(runner.invoke(app, ["--data-dir", str(data_dir), "show", ONE_AGAINST.stem]).stdout.split())
    assert "3 abstentions (Gaby BOUCHET, Gilbert GRIMAUD, Philippe VIDAL) ; 1 voix contre (Jean DAVIN)" in other


def test_a_result_said_in_the_decision_line_is_said_in_the_answer(assistant, tmp_path):
    """"après en avoir délibéré, à la majorité :" then "Abstention : M. X" after the articles: the answer
    says "à la majorité" (read, not inferred) and names the abstainer; it passes verification."""
    extract = tmp_path / "saint-exemple_2025.txt"
    extract.write_text(
        "COMMUNE DE SAINT-EXEMPLE\nEXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL\nSéance du 3 avril 2025\n\n"
        "D2025-009 - Objet : Adhésion à la Fondation Exemple\n\nIl est proposé d'adhérer à la Fondation Exemple.\n\n"
        "Le Conseil municipal, après en avoir délibéré, à la majorité :\n- DÉCIDE d'adhérer à la Fondation Exemple ;\n"
        "- AUTORISE le Maire à signer tout document.\nAbstention : M. Paul MARTIN\n", encoding="utf-8")
    assert ingest_paths([extract], assistant.registry).counts["added"] == 1
    answer = assistant.ask("Comment a été votée la délibération D2025-009 ?")
    assert "a été adoptée à la majorité ; 1 abstention : Paul MARTIN" in answer.answer, answer.answer
    # every quote found in its source; the count is the number of names quoted
    assert check_answer(answer, assistant.registry, allowed={"1"}) == []
    english = assistant.ask("How was deliberation D2025-009 voted?")
    assert "was adopted by a majority" in english.answer, english.answer
