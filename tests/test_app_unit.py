"""The app's pieces without a browser: safe rendering, login, the form <-> request mapping, filters,
uploads, registry table, evaluation tables, and the Blocks it builds (real registry, no model)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.ui import render
from assistant.ui.auth import AuthError, checker, load_users, load_users_file, parse_auth

ROOT = Path(__file__).resolve().parents[1]
SEED_ID = "000_47990de55f73b628"
SEED_REQUEST = ROOT / "eval" / "draft_requests" / "seed.yaml"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def seeded(assistant, seed_path):
    report = assistant.ingest([seed_path], embed=False)
    assert report.counts["added"] == 1
    return assistant


@pytest.fixture
def ctx(seeded):
    from assistant.ui.context import UIContext

    return UIContext(seeded)


def seed_answer(assistant):
    answer = assistant.ask("Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?", filters={"mode": "lexical"})
    assert answer.found and answer.citations
    return answer


# -- rendering ---------------------------------------------------------------------------------------------


def test_chat_text_shows_html_and_markdown_as_typed():
    out = render.chat_text(f"Question {XSS} avec *gras* et [lien](javascript:alert(1))")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in out
    assert "\\*gras\\*" in out
    assert "\\[lien\\]\\(javascript:alert\\(1\\)\\)" in out
    # answers' own lists stay lists
    assert render.chat_text("- un\n- deux") == "- un\n- deux"


def test_esc_escapes_quotes_for_attributes():
    assert render.esc('a"b<c>&') == "a&quot;b&lt;c&gt;&amp;"
    assert render.esc(None) == ""


def test_highlight_escapes_and_marks_spans_even_overlapping():
    text = "avant <b>gras</b> après"
    out = render.highlight(text, [(6, 17, 'tip "x"'), (10, 12)])
    assert out == ('avant <mark class="hl" title="tip &quot;x&quot;">&lt;b&gt;gras&lt;/b&gt;</mark> après')
    # offset: spans are absolute positions of a slice
    assert render.highlight("abcdef", [(12, 14)], offset=10) == 'ab<mark class="hl">cd</mark>ef'


def test_paragraph_span_is_the_paragraph_around_the_quote(seed_text):
    start = seed_text.index("Est attribuée une subvention")
    end = seed_text.index("ACTE’INOV.", start) + len("ACTE’INOV.")
    p0, p1 = render.paragraph_span(seed_text, start + 10, end - 10)
    assert (p0, p1) == (start, end)
    # a very long paragraph is cut around the quote, on spaces
    long = "mot " * 2000 + "CIBLE" + " mot" * 2000
    i = long.index("CIBLE")
    q0, q1 = render.paragraph_span(long, i, i + 5, max_chars=200)
    assert q0 <= i and q1 >= i + 5 and q1 - q0 <= 220
    assert long[q0 - 1] == " " and long[q1] == " "


def test_sources_panel_highlights_the_quote_in_its_paragraph_and_opens_the_extract(seeded):
    answer = seed_answer(seeded)
    records = {c.id: seeded.registry.get(c.id) for c in answer.citations}
    html = render.sources_html(answer, records, turn=3)
    c = answer.citations[0]
    assert 'data-turn="3"' in html
    assert "Bureau de la Métropole" in html and "20 juin 2019" in html and "EMP 004-6064/19/BM" in html
    assert c.part in html and "Attribution d&#x27;une subvention" in html
    marked = html.split('<div class="src-para">')[1].split("</div>")[0]
    assert '<mark class="hl">' in marked and "20 000 euros" in marked.split('<mark class="hl">')[1]
    assert "Ouvrir l'extrait complet" in html and "Certifié Conforme" in html


def test_sources_panel_escapes_a_script_inside_a_document(seeded, seed_text):
    answer = seed_answer(seeded)
    rec = seeded.registry.get(SEED_ID)
    c = answer.citations[0]
    # the same record with a script just before the quote: the quote still matches its span
    evil = rec.model_copy(update={"raw_text": rec.raw_text[:c.start - 1] + "\n" + rec.raw_text[c.start:]
                                  .replace("Certifié Conforme", f"Certifié Conforme {XSS}")})
    html = render.sources_html(answer, {c.id: evil})
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_sources_panel_without_answer_or_sources_and_with_many(seeded):
    assert 'data-turn="0"' in render.sources_html(None, {})
    answer = seed_answer(seeded)
    empty = answer.model_copy(update={"citations": [], "found": False})
    assert "ne contient pas de réponse" in render.sources_html(empty, {}, turn=1)
    many = answer.model_copy(update={"citations": answer.citations * 15})
    html = render.sources_html(many, {})
    assert html.count('class="src-card"') == 12
    assert f"… et {15 * len(answer.citations) - 12} autre(s) source(s)" in html
    assert "et 9 autre(s)" in render.answer_markdown(many.model_copy(update={"citations": answer.citations[:1] * 15}))


def test_record_view_shows_fields_and_raw_text_escaped(seeded):
    rec = seeded.registry.get(SEED_ID)
    fields, raw = render.record_html(rec)
    assert "20 000 €" in fields and "Martial ALVAREZ" in fields and "EMP 004-6064/19/BM" in fields
    assert 'title="Montant"' in raw and "Séance du 20 juin 2019" in raw
    evil = rec.model_copy(update={"raw_text": rec.raw_text + XSS, "beneficiaries": [XSS]})
    fields, raw = render.record_html(evil)
    assert "<script" not in fields + raw and "<img" not in fields + raw
    assert render.record_html(None)[0].startswith('<div class="record empty">')


def test_registry_row_formats_french_values():
    row = render.record_row({"id": "x", "session_date": "2019-06-01", "body": "bureau", "body_label": None,
                             "code": None, "object": XSS, "beneficiary": None, "amount_cents": 2_000_050,
                             "act_type": "subvention"})
    assert row == ["1er juin 2019", "Bureau de la Métropole", "—", XSS, "—", "20 000,50 €", "Subvention", "x"]


def test_draft_preview_findings_and_precedents_are_escaped(seeded):
    from assistant.draft import load_request
    from assistant.draft.lint import Finding

    req = load_request(SEED_REQUEST).model_copy(update={"object": f"Objet {XSS}"})
    draft = seeded.draft(req, llm=None)
    draft.findings.append(Finding(rule="essai", severity="erreur", message=f"Message {XSS}", start=0, end=10,
                                  line=1))
    page = render.draft_html(draft)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'class="part part-article"' in page and '<mark class="hl-lint"' in page
    found = render.findings_html(draft.findings)
    assert "<script" not in found and 'class="sev-erreur"' in found
    assert "Aucun problème" in render.findings_html([])
    prec = render.precedents_html(draft.precedents, {p["id"]: seeded.registry.get(p["id"]) for p in draft.precedents})
    assert f'data-id="{SEED_ID}"' in prec and "<pre class=\"raw\">" in prec


# -- login -------------------------------------------------------------------------------------------------


def test_auth_from_the_environment_is_hashed_and_checked():
    users = parse_auth("greffe:Registre-2019, archives:a:b:c", rounds=4)
    assert set(users) == {"greffe", "archives"}
    assert all(h.startswith("$2b$04$") and "Registre" not in h for h in users.values())
    check = checker(users)
    assert check("greffe", "Registre-2019")
    assert check("archives", "a:b:c")  # a password may hold ':'
    assert not check("greffe", "registre-2019")
    assert not check("inconnu", "Registre-2019")
    assert not check("", "")
    assert checker({}) is None  # nobody configured: no login


@pytest.mark.parametrize("spec", ["greffe", "greffe:", ":motdepasse", "a:b,greffe"])
def test_malformed_auth_is_refused_in_french(spec):
    with pytest.raises(AuthError, match="utilisateur:motdepasse"):
        parse_auth(spec, rounds=4)


def test_users_file_holds_bcrypt_hashes_only(tmp_path, settings):
    import bcrypt

    good = tmp_path / "users.json"
    good.write_text(json.dumps({"greffe": bcrypt.hashpw(b"s3cret", bcrypt.gensalt(4)).decode()}), encoding="utf-8")
    assert checker(load_users_file(good))("greffe", "s3cret")
    clear = tmp_path / "clear.json"
    clear.write_text(json.dumps({"greffe": "s3cret"}), encoding="utf-8")
    with pytest.raises(AuthError, match="empreinte bcrypt"):
        load_users_file(clear)
    bad = tmp_path / "bad.json"
    bad.write_text("{greffe:", encoding="utf-8")
    with pytest.raises(AuthError, match="pas du JSON valide"):
        load_users_file(bad)
    with pytest.raises(AuthError, match="illisible"):
        load_users_file(tmp_path / "absent.json")
    both = settings.model_copy(update={"auth": "archives:x", "users_file": good})
    assert set(load_users(both)) == {"archives", "greffe"}
    assert load_users(settings) == {}


# -- chat --------------------------------------------------------------------------------------------------


def test_filters_of_the_chat():
    from assistant.ui.chat import filters_of

    assert filters_of("Toutes", "Toutes", "", "") == {}
    assert filters_of("2019", "2019", "bureau", "") == {"year": 2019, "body": "bureau"}
    assert filters_of("2021", "2018", "", "subvention") == {"year_from": 2018, "year_to": 2021, "act_type": "subvention"}
    assert filters_of("2020", None, "", "") == {"year_from": 2020}
    assert filters_of("n'importe", "2022", "", "") == {"year_to": 2022}


def test_ask_streaming_gives_the_answer_and_keeps_the_session(ctx):
    from assistant.ui.chat import ask_streaming, new_session_id

    sid = new_session_id()
    events = list(ask_streaming(ctx, "Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?", sid,
                                {"mode": "lexical"}))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and "token" in kinds
    assert "20 000 €" in events[-1][1].answer
    follow = list(ask_streaming(ctx, "Et qui l'a signée ?", sid, {"mode": "lexical"}))[-1][1]
    assert "Martial ALVAREZ" in follow.answer
    other = list(ask_streaming(ctx, "Et qui l'a signée ?", new_session_id(), {"mode": "lexical"}))[-1][1]
    assert other.answer != follow.answer  # another session has no previous turn to follow


def test_the_chat_filters_restrict_the_answer(ctx):
    from assistant.ui.chat import ask_streaming, filters_of, new_session_id

    def answer(*widgets):
        filters = {**filters_of(*widgets), "mode": "lexical"}
        question = "Qu'est-ce qui a été accordé à la Cité des Métiers ?"
        return list(ask_streaming(ctx, question, new_session_id(), filters))[-1][1]

    assert "20 000 €" in answer("Toutes", "Toutes", "", "").answer
    assert "20 000 €" in answer("2018", "2019", "bureau", "").answer
    assert not answer("2020", "2024", "", "").found  # a year range without the seed's year
    assert not answer("Toutes", "Toutes", "conseil", "").found  # the seed is the Bureau's


def test_ask_streaming_reports_an_error_as_a_sentence(ctx):
    from assistant.ui.chat import ask_streaming

    class Broken:
        settings = ctx.settings

        def ask(self, *a, **k):
            raise RuntimeError("base verrouillée")

    broken = type(ctx)(Broken())
    kind, message = list(ask_streaming(broken, "Q ?", "s", {}))[-1]
    assert kind == "error" and "base verrouillée" in message


def test_ask_streaming_passes_an_llm_stream_on_as_it_comes(ctx):
    from assistant.models import Answer
    from assistant.ui.chat import ask_streaming

    class Streaming:
        settings = ctx.settings

        def ask(self, question, *, session, filters, stream, on_token):
            assert stream and session == "s" and filters is None
            for piece in ("Le Bureau ", "a attribué ", "20 000 €."):
                on_token(piece)
            return Answer(question=question, language="fr", answer="Le Bureau a attribué 20 000 €.", found=True)

    events = list(ask_streaming(type(ctx)(Streaming()), "Q ?", "s", {}))
    assert events[:3] == [("token", "Le Bureau "), ("token", "Le Bureau a attribué "),
                          ("token", "Le Bureau a attribué 20 000 €.")]
    assert events[3][0] == "answer" and events[3][1].found


def test_the_backend_indicator_names_the_model_without_loading_it(ctx):
    from assistant.core import Assistant
    from assistant.ui.context import UIContext

    assert ctx.backend_label().startswith("Sans LLM")
    llm = ctx.settings.model_copy(update={"llm_backend": "openai", "llm_base_url": "http://127.0.0.1:9/v1",
                                          "llm_model": "mistral-small"})
    assert UIContext(Assistant(llm)).backend_label() == "LLM openai:mistral-small"


def test_one_question_at_a_time_per_session():
    from assistant.ui.chat import session_lock

    a = session_lock("s1")
    assert session_lock("s1") is a and session_lock("s2") is not a
    with a:
        got = []
        t = threading.Thread(target=lambda: got.append(session_lock("s1").acquire(timeout=0.05)))
        t.start()
        t.join()
        assert got == [False]


# -- draft form --------------------------------------------------------------------------------------------


def test_the_form_holds_the_seed_request_and_gives_it_back():
    from assistant.draft import load_request, request_from_dict
    from assistant.ui.draft import FIELDS, form_values, request_dict

    req = load_request(SEED_REQUEST)
    values = form_values(req)
    assert set(values) == set(FIELDS)
    back = request_from_dict(request_dict(values))
    keep = {"department", "authority"}  # not on the form: the defaults
    req = req.model_copy(update={"signatory_title": req.signatory_title.strip()})  # the form trims
    assert back.model_dump(exclude=keep) == req.model_dump(exclude=keep)


def test_the_act_type_chooses_the_fields_sent():
    from assistant.ui.draft import request_dict

    base = {"session_date": "11 février 2021", "president_name": "Jean DUPUIS", "president_civility": "Monsieur",
            "beneficiary_name": "Ascenseurs du Midi", "legal_form": "société", "amount": "12 350", "qualifier": "HT",
            "project_name": "Ignoré", "contract_number": "2018/0457", "avenant_number": "2",
            "articles": "Article libre", "points": "Un point\n- un détail\nUn autre point"}
    avenant = request_dict({**base, "act_type": "avenant"})
    assert avenant["contract"]["number"] == "2018/0457" and avenant["contract"]["avenant_number"] == 2
    assert "project" not in avenant and "articles" not in avenant
    assert avenant["amounts"] == [{"amount": "12 350", "qualifier": "HT"}]
    assert avenant["points"] == [{"text": "Un point", "items": ["un détail"]}, {"text": "Un autre point", "items": []}]
    autre = request_dict({**base, "act_type": "autre"})
    assert autre["articles"] == ["Article libre"] and "beneficiary" not in autre and "amounts" not in autre


def test_the_form_offers_the_registrys_authorities_and_a_typed_one(ctx, tmp_path):
    from assistant.draft import request_from_dict
    from assistant.ui.draft import authority_choices, request_dict

    commune = tmp_path / "saint-exemple.txt"
    commune.write_text(
        "COMMUNE DE SAINT-EXEMPLE\nEXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL\n"
        "Séance du 3 avril 2025\nDélibération n° 2025-17\nObjet : Subvention à l'association Les Amis de "
        "l'Exemple\nLe Conseil municipal,\nVu le Code général des collectivités territoriales,\n"
        "Après en avoir délibéré,\nDÉCIDE :\nArticle 1 : Une subvention de 500 euros est attribuée.\n"
        "Adopté à l'unanimité.\nLe Maire,\nPaul MARTIN\n", encoding="utf-8")
    ctx.assistant.ingest([commune], embed=False)
    choices, known = authority_choices(ctx)
    assert [value for _, value in choices] == ["Commune de Saint-Exemple", "Métropole Aix-Marseille-Provence"]
    assert choices[1][0] == "Métropole Aix-Marseille-Provence (1 délib.)"  # most records first, then by name
    assert known["Métropole Aix-Marseille-Provence"]["bodies"] == ["bureau"]
    assert known["Commune de Saint-Exemple"] == {"type": "commune", "bodies": ["conseil_municipal"], "count": 1}
    base = {"act_type": "subvention", "session_date": "12 juin 2025", "president_name": "Anne DURAND",
            "president_civility": "Madame", "beneficiary_name": "Les Amis de l'Exemple", "amount": "1 500 €"}
    req = request_from_dict(request_dict({**base, "authority": "Commune de Saint-Exemple", "authority_type": "commune",
                                          "body": "conseil_municipal", "secretary_name": "Paul MARTIN",
                                          "secretary_civility": "Monsieur", "convocation_date": "5 juin 2025"}))
    assert (req.authority_type, req.body, req.secretary.name) == ("commune", "conseil_municipal", "Paul MARTIN")
    draft = ctx.assistant.draft(req)
    assert draft.part("numero") == "Délibération n° 2025-[NN]"  # the commune's scheme, learned
    assert "Secrétaire de séance : Monsieur Paul MARTIN" in draft.text and "5 juin 2025" in draft.text
    # A typed authority the registry does not hold: its type and body from its words.
    typed = request_from_dict(request_dict({**base, "authority": "Syndicat mixte de Villemodèle"}))
    assert (typed.authority_type, typed.body) == ("syndicat", "comite_syndical")


# -- corpus ------------------------------------------------------------------------------------------------


def test_uploads_are_staged_under_their_names_and_refused_by_type_or_size(ctx, tmp_path, seed_path):
    from assistant.ui.corpus import stage_uploads

    exe = tmp_path / "outil.exe"
    exe.write_bytes(b"MZ")
    big = tmp_path / "gros.txt"
    big.write_bytes(b"a" * 30_000)
    ctx.max_upload_bytes = 20_000  # the seed is about 10 kB
    staged, refused = stage_uploads(ctx, [str(seed_path), str(exe), str(big)])
    assert staged == [ctx.uploads_dir / seed_path.name]
    assert (ctx.uploads_dir / seed_path.name).read_bytes() == seed_path.read_bytes()
    reasons = {r[0]: r[3] for r in refused}
    assert "format non pris en charge (.exe)" in reasons["outil.exe"]
    assert "trop volumineux" in reasons["gros.txt"]


def test_corpus_tab_offers_both_scdl_files(ctx):
    from assistant.ingest.pipeline import ingest_paths
    from assistant.ui.corpus import export_file

    ingest_paths([Path(__file__).resolve().parents[1] / "corpus" / "real" / "scdl"], ctx.registry)
    path, note = export_file(ctx, "scdl-deliberations")
    assert path.endswith("scdl-deliberations.csv") and Path(path).read_text(encoding="utf-8").startswith("COLL_NOM,")
    assert note.startswith("**80 ligne(s) exportée(s)**, 1 non exportée(s)")  # the seed: its SIRET is unknown
    path, note = export_file(ctx, "scdl-subventions")
    assert Path(path).read_text(encoding="utf-8").startswith("nomAttribuant,idAttribuant,")


def test_registry_table_search_and_filters(ctx, docs, tmp_path, seed_text):
    from assistant.ui.corpus import registry_rows

    other = seed_text.replace("20 juin 2019", "14 mars 2022").replace("Cité des Métiers", "Maison des Lanternes")
    (tmp_path / "lanternes.txt").write_text(other, encoding="utf-8")
    ctx.assistant.ingest([tmp_path / "lanternes.txt"], embed=False)
    assert len(registry_rows(ctx)) == 2
    assert registry_rows(ctx)[0][0] == "14 mars 2022"  # newest first
    assert [r[-1] for r in registry_rows(ctx, "metiers")] == [SEED_ID]  # accents and case ignored
    assert [r[-1] for r in registry_rows(ctx, "LANTERNES 2022")] == ["lanternes"]
    assert [r[-1] for r in registry_rows(ctx, year="2019")] == [SEED_ID]
    assert registry_rows(ctx, body="conseil") == []
    assert len(registry_rows(ctx, act_type="subvention", year="Toutes")) == 2


# -- evaluation --------------------------------------------------------------------------------------------


def test_evaluation_tables_show_metrics_and_what_was_expected(ctx, tmp_path):
    from assistant.evaluation import EvalConfig, load_questions
    from assistant.evaluation.metrics import RegistryDocs
    from assistant.evaluation.runner import AssistantAnswerer, run
    from assistant.ui.evaluation import failed_rows, metric_rows

    qs = tmp_path / "q.yaml"
    qs.write_text("- id: ok\n  question: Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?\n"
                  "  expected: ['20 000']\n- id: ko\n  question: Qui a signé la délibération EMP 004-6064/19/BM ?\n"
                  "  expected: ['Jean INCONNU']\n- id: rien\n  question: Qu'a-t-on accordé au Club des Astronomes ?\n"
                  "  none: true\n", encoding="utf-8")
    questions = load_questions(qs)
    result = run(questions, AssistantAnswerer(ctx.assistant, mode="lexical"), RegistryDocs(ctx.registry),
                 EvalConfig(name="app"), k=5)
    rows = dict(metric_rows(result))
    assert rows["Questions"] == "3" and rows["Taux de réussite"] == "66,7 %" and "Rappel@5 des sources" in rows
    failed = failed_rows(result, questions)
    assert len(failed) == 1
    assert failed[0][0].startswith("ko : Qui a signé") and failed[0][3] == "Jean INCONNU"
    assert "ALVAREZ" in failed[0][4] and "Jean INCONNU" in failed[0][5]
    # a follow-up shows its context; expected sources and "no answer" questions say so
    ko = result.results[1].model_copy(update={"context": ["Qu'a reçu la Cité des Métiers ?"]})
    q = questions[1].model_copy(update={"sources": ["000_47990de55f73b628.txt"]})
    nothing = result.results[2].model_copy(update={"passed": False})
    rows = failed_rows(result.model_copy(update={"results": [ko, nothing]}), [q, questions[2]])
    assert rows[0][0] == "ko : Qu'a reçu la Cité des Métiers ? → Qui a signé la délibération EMP 004-6064/19/BM ?"
    assert rows[0][3] == "Jean INCONNU (sources : 000_47990de55f73b628.txt)"
    assert rows[1][3] == "aucune réponse dans le corpus"


def test_evaluation_shows_the_sets_apart_the_real_set_first(tmp_path):
    from assistant.evaluation import EvalConfig, load_questions
    from assistant.evaluation.runner import run
    from assistant.models import Answer
    from assistant.ui.evaluation import set_rows, shipped_sets

    sets = shipped_sets(ROOT / "eval" / "questions.yaml")
    assert [p.name for p in sets] == ["questions-real.yaml", "questions-handwritten.yaml", "questions.yaml"]
    questions = [q for p in sets for q in load_questions(p)]

    class Refuses:  # every answer "not found": the sets' sizes and refusal rates, without a registry
        def ask(self, question, *, session=None, filters=None):
            return Answer(question=question, answer="Je ne trouve rien.", found=False)

    class NoDocs:
        def text(self, doc_id):
            return None

        def source(self, doc_id):
            return None

    result = run(questions, Refuses(), NoDocs(), EvalConfig(name="t"), k=5, warmup=False)
    rows = set_rows(result)
    assert [r[0].split(" ")[0] for r in rows] == ["réel", "extraits", "graine", "synthétique"]
    counts = {r[0].split(" ")[0]: int(r[1]) for r in rows}
    assert counts["réel"] == len(load_questions(sets[0])) and sum(counts.values()) == len(questions)


# -- the app -----------------------------------------------------------------------------------------------


def test_build_app_has_the_four_tabs_and_the_named_endpoints(seeded):
    import gradio as gr

    from assistant.ui import build_app

    demo = build_app(seeded)
    assert isinstance(demo, gr.Blocks)
    tabs = [b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)]
    assert tabs == ["Questions", "Rédaction", "Corpus", "Évaluation"]
    names = {fn.api_name for fn in demo.fns.values() if fn.api_name}
    assert {"ask", "draft", "ingest", "evaluate"} <= names
    assert "Sans LLM" in demo.ctx.backend_label()


# -- the app's start: serve at once, prepare in the background --------------------------------------------


def test_an_empty_registry_is_filled_in_the_background_and_the_app_says_so(settings, tmp_path, seed_path):
    import shutil

    import app as app_module
    from assistant.core import Assistant
    from assistant.ui.chat import ask_streaming, new_session_id
    from assistant.ui.context import UIContext

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seed_path, corpus)
    for path in sorted((ROOT / "corpus" / "handwritten").glob("*.txt"))[:3]:
        shutil.copy(path, corpus)
    assistant = Assistant(settings)
    ctx = UIContext(assistant)
    assert ctx.preparation.message() == ""  # nothing prepared: nothing shown
    phase = app_module.needs_preparation(assistant, corpus, embed=True)
    assert phase and "ingestion" in phase
    ctx.preparation.start(phase)
    assert ctx.preparation.message().startswith("⏳ Construction du registre")

    # While it runs, an answer says the registry is being built.
    ctx.preparation.progress(1, 4)
    [*_, (kind, answer)] = ask_streaming(ctx, "Combien de délibérations ?", new_session_id(), {})
    assert kind == "answer" and any("Registre en construction (1 / 4 fichiers)" in n for n in answer.notes)

    app_module.prepare(assistant, corpus, ctx).join(timeout=300)
    assert ctx.preparation.finished and ctx.preparation.error is None
    assert assistant.registry.count() >= 4
    assert ctx.preparation.message().startswith("Registre prêt : 4 ajouté(s)")
    assert not settings.chroma_path.exists()  # no dense index by default: nothing embedded
    [*_, (kind, answer)] = ask_streaming(ctx, "Combien de délibérations ?", new_session_id(), {})
    assert not any("construction" in n for n in answer.notes)
    assert app_module.needs_preparation(assistant, corpus, embed=True) is None  # the next start serves at once
    assistant.close()
