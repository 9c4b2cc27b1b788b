"""The Gradio app in a real browser: Chromium (Debian's, headless) driven by Playwright.

The app runs as `python app.py` in a subprocess on a free port of 127.0.0.1, on a data folder built
once for the session from corpus/ (registry and dense index). Each test saves a screenshot under
tests/artefacts/app/; the one of each tab is also copied to docs/screenshots/ for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import SHIPPED_SETS, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED = CORPUS / "000_47990de55f73b628.txt"
SEED_ID = "000_47990de55f73b628"
ARTEFACTS = ROOT / "tests" / "artefacts" / "app"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1440, "height": 1000}
MAX_UPLOAD_MB = 2
SEED_QUESTION = "Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?"
ANSWER_TIMEOUT = 120_000  # ms: the first answers may wait for the embedding model on a busy machine
XSS = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"


# -- the app in a subprocess ------------------------------------------------------------------------------


def _env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DELIB_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               GRADIO_ANALYTICS_ENABLED="False", DELIB_DATA_DIR=str(data_dir), **extra)
    return env


class AppServer:
    def __init__(self, data_dir: Path, log: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(self.port),
             "--max-upload-mb", str(MAX_UPLOAD_MB)],
            cwd=ROOT, env=_env(data_dir, **env), stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        self._wait(started)

    def _wait(self, started: float, timeout: float = 240) -> None:
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited ({self.proc.returncode}):\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        print(f"\n[app] ready in {time.perf_counter() - started:.1f} s on {self.url}")
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the app did not start in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def built_data(tmp_path_factory) -> Path:
    """A data folder with corpus/ ingested (registry and dense index), built once for the session.
    APP_TEST_DATA=<folder> copies a folder built earlier instead (quick reruns while working on the UI)."""
    data = tmp_path_factory.mktemp("app") / "data"
    if os.environ.get("APP_TEST_DATA"):
        shutil.copytree(os.environ["APP_TEST_DATA"], data)
        return data
    started = time.perf_counter()
    # `delib ingest` exits 1 when a file fails: corpus/ holds deliberately broken extracts
    done = subprocess.run([str(Path(sys.executable).parent / "delib"), "--data-dir", str(data), "ingest", "--json",
                           *map(str, SHIPPED_SETS)], check=False, cwd=ROOT, env=_env(data), capture_output=True, text=True)
    try:
        counts = json.loads(done.stdout)["counts"]
    except (ValueError, KeyError):
        pytest.fail(f"delib ingest failed ({done.returncode}):\n{done.stderr[-3000:]}")
    assert counts["added"] > 100, counts
    print(f"\n[app] corpus ingested with its dense index in {time.perf_counter() - started:.1f} s: {counts}")
    return data


@pytest.fixture(scope="session")
def app_url(built_data, tmp_path_factory):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    server = AppServer(built_data, ARTEFACTS / "app.log")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def auth_url(built_data, tmp_path_factory):
    """A second app with login required, on its own copy of the data (Chroma is not process-safe)."""
    data = tmp_path_factory.mktemp("auth") / "data"
    shutil.copytree(built_data, data)
    server = AppServer(data, ARTEFACTS / "app-auth.log", DELIB_AUTH="greffe:Registre-2019,archives:autre:mot")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(locale="fr-FR", viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def shot(page, name: str, *, tab: str | None = None, full_page: bool = True, scroll_to: str | None = None) -> Path:
    """Save a screenshot under tests/artefacts/app/ (the whole page); for a tab, also what the window
    shows (from the top, or from `scroll_to`), in docs/screenshots/ for the README."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if tab:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if scroll_to:
            page.locator(scroll_to).evaluate("e => e.scrollIntoView({block: 'start'})")
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{tab}.png"))
    return path


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def ask(page, question: str, expected: str, turn: int = 1) -> float:
    """Type a question, send it, wait until the sources of answer number `turn` are shown and check
    `expected` is in the conversation; returns the seconds it took."""
    page.fill("#question textarea", question)
    started = time.perf_counter()
    page.press("#question textarea", "Enter")
    page.wait_for_selector(f"#sources-panel [data-turn='{turn}']", timeout=ANSWER_TIMEOUT)
    seconds = time.perf_counter() - started
    expect(page.locator("#chatbot")).to_contain_text(expected)
    return seconds


def fill(page, elem_id: str, value: str) -> None:
    page.locator(f"#{elem_id}").locator("textarea, input").first.fill(value)


def data_rows(table):
    """The body rows of a Gradio dataframe (a virtualised ARIA grid)."""
    return table.locator("[role=row]:has([role=gridcell])")


def downloaded_draft(page, folder: Path) -> str:
    """Click the draft's download button, keep the file in `folder` and return its paragraphs' text."""
    import docx

    with page.expect_download() as info:
        page.click("#d-download")
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".docx"
    return "\n".join(p.text for p in docx.Document(str(target)).paragraphs)


def open_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()


# -- chat --------------------------------------------------------------------------------------------------


def test_chat_answers_the_seed_question_with_its_sources_and_a_follow_up(page):
    expect(page.locator("#backend-indicator")).to_contain_text("Sans LLM")
    seconds = ask(page, SEED_QUESTION, "20 000 €")
    print(f"\n[app] seed question answered in the browser in {seconds:.2f} s")
    panel = page.locator("#sources-panel")
    expect(panel).to_contain_text("EMP 004-6064/19/BM")
    expect(panel).to_contain_text("20 juin 2019")
    expect(panel).to_contain_text("Bureau de la Métropole")
    expect(panel).to_contain_text("Article 1")
    expect(panel).to_contain_text(f"{SEED_ID}.txt")
    expect(panel.locator("mark.hl").first).to_contain_text("20 000 euros")
    # the whole extract opens from the panel, the quote highlighted in it
    panel.get_by_text("Ouvrir l'extrait complet").first.click()
    expect(panel.locator("details[open] pre.raw")).to_contain_text("Certifié Conforme")

    seconds = ask(page, "Et qui l'a signée ?", "Martial ALVAREZ", turn=2)
    print(f"[app] follow-up answered in {seconds:.2f} s")
    expect(panel).to_contain_text("Signature")
    expect(page.locator("#chatbot")).not_to_contain_text("Jean SALVADOR")  # only the seed's signatory
    # the first answer's sources come back when it is clicked
    page.locator("#chatbot").get_by_text("20 000 €").first.click()
    expect(panel).to_contain_text("Article 1")
    shot(page, "chat", tab="chat")


def test_filters_apply_to_the_conversation(page):
    page.locator("#filters").get_by_text("Filtres").click()
    body = page.locator("#body-filter input")
    body.click()
    page.get_by_role("option", name="Conseil municipal").click()
    ask(page, SEED_QUESTION, "ne trouve aucune")  # the seed is the Bureau's: nothing in the municipal councils
    expect(page.locator("#sources-panel")).not_to_contain_text("EMP 004-6064/19/BM")
    shot(page, "chat-filters")


def test_script_in_a_question_is_shown_as_text(page):
    page.evaluate("window.__xss = 0")
    ask(page, f"Qui a signé la délibération EMP 004-6064/19/BM ? {XSS}", "ALVAREZ")
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("<script>window.__xss = 1</script>")
    expect(chat).to_contain_text('<img src=x onerror="window.__xss = 2">')
    assert chat.locator("script").count() == 0
    assert chat.locator("img[src=x]").count() == 0
    assert page.evaluate("window.__xss") == 0
    shot(page, "chat-script-as-text")


def test_five_simultaneous_chat_sessions_all_get_their_answers(browser, app_url):
    questions = [
        (SEED_QUESTION, "20 000 €"),
        ("Qui était absent à la séance du 20 juin 2019 ?", "LE DISSES"),
        ("Qui a signé la délibération EMP 004-6064/19/BM ?", "ALVAREZ"),
        ("Combien de membres étaient présents à la séance du 20 juin 2019 ?", "30 membres"),
        ("What was granted to Cité des Métiers in 2019?", "EUR 20,000"),
    ]
    contexts = [browser.new_context(locale="fr-FR", viewport=VIEWPORT) for _ in questions]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.goto(app_url)
            p.wait_for_selector("#question textarea")
        for p, (q, _) in zip(pages, questions):
            p.fill("#question textarea", q)
        started = time.perf_counter()
        for p in pages:  # all sent before any answer is awaited
            p.press("#question textarea", "Enter")
        for p, (_, expected) in zip(pages, questions):
            p.wait_for_selector("#sources-panel [data-turn='1']", timeout=ANSWER_TIMEOUT)
            expect(p.locator("#chatbot")).to_contain_text(expected)
        print(f"\n[app] 5 simultaneous sessions answered in {time.perf_counter() - started:.2f} s")
        # each session kept its own conversation: no other session's question in it
        for i, p in enumerate(pages):
            for j, (other, _) in enumerate(questions):
                if j != i:
                    expect(p.locator("#chatbot")).not_to_contain_text(other)
        shot(pages[1], "five-sessions")
    finally:
        for c in contexts:
            c.close()


# -- draft -------------------------------------------------------------------------------------------------


def test_draft_form_for_the_seed_request_gives_a_docx(page, tmp_path):
    open_tab(page, "Rédaction")
    fill(page, "d-date", "20 juin 2019")
    fill(page, "d-president", "Martine VASSAL")
    fill(page, "d-benef", "Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur")
    fill(page, "d-short", "la Cité des Métiers")
    fill(page, "d-amount", "20 000 €")
    fill(page, "d-year", "2019")
    fill(page, "d-project", "ACTE'INOV")
    page.locator("#d-convention input").check()
    fill(page, "d-purpose", "traduire concrètement les engagements de la Cité des Métiers en faveur de "
                            "l'égalité professionnelle et de la diversité")
    fill(page, "d-cofin", "le Fonds Social Européen\nla Ville de Marseille")
    fill(page, "d-points", "La Métropole ambitionne un développement économique destiné à faciliter l'accès à "
                           "l'emploi\nLe projet a pour ambition de conduire des actions annuelles\n"
                           "- concevoir un lieu immersif et numérique\n- proposer un temps fort partenarial annuel")
    page.locator("#d-more").get_by_text("Visas, commission").click()
    fill(page, "d-budget", "fonctionnement")
    fill(page, "d-budget-year", "2019")
    fill(page, "d-fonction", "65")
    fill(page, "d-nature", "65748")
    fill(page, "d-signatory", "Martial ALVAREZ")
    fill(page, "d-sig-title", "Le Vice-Président Délégué\nEmploi, Insertion,\nEconomie sociale et solidaire")
    page.click("#d-go")

    preview = page.locator("#d-preview")
    expect(preview).to_contain_text("20 000 euros", timeout=ANSWER_TIMEOUT)
    expect(preview).to_contain_text("Article 1")
    expect(preview).to_contain_text("Cité des Métiers de Marseille")
    expect(preview).to_contain_text("fonction 65")
    expect(page.locator("#d-status")).to_contain_text("Projet rédigé")
    expect(page.locator("#d-findings")).not_to_be_empty()
    precedent = page.locator(f"#d-precedents details[data-id='{SEED_ID}']")
    expect(precedent).to_contain_text("20 juin 2019")
    precedent.locator("summary").click()
    expect(precedent.locator("pre.raw")).to_contain_text("ACTE’INOV")

    text = downloaded_draft(page, tmp_path)
    assert "20 000 euros" in text
    assert "Martial ALVAREZ" in text
    precedent.locator("summary").click()  # closed again for the screenshot
    shot(page, "draft", tab="draft")


def test_draft_form_for_a_commune_in_its_own_style_gives_a_docx(page, tmp_path):
    """The authority list holds the registry's communes: drafting for the first one gives its council's
    deliberation (no Métropole wording), the .docx, and the screenshot the README shows."""
    open_tab(page, "Rédaction")
    page.locator("#d-authority input").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    labels = options.all_inner_texts()
    commune = next(label for label in labels if label.strip().startswith("Commune "))
    assert labels.index(commune) > 0  # the Métropole holds the most records of the app's corpus
    page.get_by_role("option", name=commune.strip(), exact=True).click()
    expect(page.locator("#d-body input")).to_have_value("Conseil municipal")
    fill(page, "d-date", "12 juin 2025")
    fill(page, "d-president", "Anne DURAND")
    page.locator("#d-president-civ").get_by_text("Madame").click()
    fill(page, "d-secretary", "Paul MARTIN")
    page.locator("#d-secretary-civ").get_by_text("Monsieur").click()
    fill(page, "d-benef", "Les Amis de l'Exemple")
    fill(page, "d-amount", "1 500 €")
    fill(page, "d-points", "L'association anime la vie du village toute l'année")
    page.click("#d-go")

    preview = page.locator("#d-preview")
    expect(preview).to_contain_text("1 500 euros", timeout=ANSWER_TIMEOUT)
    expect(preview).to_contain_text("Délibération n°")
    expect(preview).to_contain_text("Secrétaire de séance : Monsieur Paul MARTIN")
    expect(preview).to_contain_text("Maire")
    expect(preview).not_to_contain_text("Métropole")
    expect(page.locator("#d-status")).to_contain_text("Style appris")

    text = downloaded_draft(page, tmp_path)
    assert "1 500 euros" in text and "Anne DURAND" in text and "Métropole" not in text
    shot(page, "draft-commune", tab="draft-commune")


def test_draft_form_shows_the_fields_of_the_act_type_and_refuses_an_incomplete_request(page):
    open_tab(page, "Rédaction")
    expect(page.locator("#d-benef")).to_be_visible()
    expect(page.locator("#d-articles")).to_be_hidden()
    page.locator("#d-act").get_by_text("Autre acte").click()
    expect(page.locator("#d-articles")).to_be_visible()
    expect(page.locator("#d-benef")).to_be_hidden()
    page.locator("#d-act").get_by_text("Avenant").click()
    expect(page.locator("#d-contract")).to_be_visible()
    page.click("#d-go")
    expect(page.locator("#d-status")).to_contain_text("Demande incomplète")


# -- evaluation --------------------------------------------------------------------------------------------

QUESTION_SET = """\
- id: cite-2019
  question: Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?
  expected: ["20 000"]
  sources: [000_47990de55f73b628.txt]
  tags: {intent: amount, language: fr}
- id: absents
  question: Qui était absent à la séance du 20 juin 2019 ?
  expected: ["LE DISSES"]
  sources: [000_47990de55f73b628.txt]
  tags: {intent: attendance, language: fr}
- id: mauvaise-attente
  question: Qui a signé la délibération EMP 004-6064/19/BM ?
  expected: ["Jean INCONNU"]
  tags: {intent: signatory, language: fr}
"""


def test_evaluation_runs_an_uploaded_set_and_shows_metrics_failures_and_plots(page, tmp_path):
    qs = tmp_path / "questions-test.yaml"
    qs.write_text(QUESTION_SET, encoding="utf-8")
    open_tab(page, "Évaluation")
    page.set_input_files("#e-upload input[type=file]", str(qs))
    expect(page.locator("#e-upload")).to_contain_text("questions-test")
    expect(page.locator("#e-choice input[value='Fichier importé']")).to_be_checked()
    page.click("#e-run")
    expect(page.locator("#e-status")).to_contain_text("2 / 3 questions réussies", timeout=ANSWER_TIMEOUT)
    metrics = page.locator("#e-metrics")
    expect(metrics).to_contain_text("Taux de réussite")
    expect(metrics).to_contain_text("66,7 %")
    failed = page.locator("#e-failed")
    expect(failed).to_contain_text("mauvaise-attente")
    expect(failed).to_contain_text("Jean INCONNU")
    expect(failed).to_contain_text("ALVAREZ")
    expect(page.locator("#e-intents img")).to_be_visible()
    expect(page.locator("#e-latency img")).to_be_visible()
    with page.expect_download() as info:
        page.click("#e-report")
    target = tmp_path / "rapport.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as z:
        names = set(z.namelist())
        assert {"report.md", "results.json", "intents.png", "latency.png"} <= names
        results = json.loads(z.read("results.json"))
    assert results["runs"][0]["metrics"]["passed"] == 2
    shot(page, "evaluation-uploaded-set")


def test_evaluation_of_the_shipped_set(page):
    from assistant.evaluation import load_questions
    from assistant.ui.evaluation import shipped_sets

    total = sum(len(load_questions(p)) for p in shipped_sets(ROOT / "eval" / "questions.yaml"))
    open_tab(page, "Évaluation")
    expect(page.locator("#e-choice input[value='Jeux fournis']")).to_be_checked()
    started = time.perf_counter()
    page.click("#e-run")
    status = page.locator("#e-status")
    expect(status).to_contain_text(f"/ {total} questions réussies", timeout=300_000)
    print(f"\n[app] shipped set ({total} questions) evaluated in the browser in "
          f"{time.perf_counter() - started:.1f} s: {status.inner_text()}")
    expect(page.locator("#e-metrics")).to_contain_text("Latence p95 (ms)")
    sets = page.locator("#e-sets")  # each set apart, the real documents' set first
    expect(sets).to_contain_text("réel (documents publiés")
    expect(sets).to_contain_text("synthétique (généré)")
    expect(page.locator("#e-intents img")).to_be_visible()
    expect(page.locator("#e-latency img")).to_be_visible()
    shot(page, "evaluation", tab="evaluation")


def test_a_malformed_question_set_is_refused_with_its_line(page, tmp_path):
    qs = tmp_path / "casse.yaml"
    qs.write_text("- id: a\n  question: Q ?\n  expected: [x]\n- id: a\n  question: R ?\n  expected: [y]\n",
                  encoding="utf-8")
    open_tab(page, "Évaluation")
    page.set_input_files("#e-upload input[type=file]", str(qs))
    expect(page.locator("#e-upload")).to_contain_text("casse")
    expect(page.locator("#e-choice input[value='Fichier importé']")).to_be_checked()
    page.click("#e-run")
    expect(page.locator("#e-status")).to_contain_text("refusé")
    expect(page.locator("#e-status")).to_contain_text("ligne 4")


# -- corpus ------------------------------------------------------------------------------------------------


def new_extract() -> str:
    """The seed turned into another deliberation (another date, beneficiary, amount, codes), with a
    script in its object: it must show as text in the table and the record view."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in [("20 juin 2019", "14 mars 2022"), ("20 000", "12 345"), ("Cité des Métiers", "Maison des Lanternes"),
                     ("Cité des Meétiers", "Maison des Lanternes"), ("004-6064/19/BM", "011-7777/22/BM"),
                     ("MET 19/11402/BM", "MET 22/22222/BM"), ("ACTE’INOV", f"LUMIERES {XSS}"), ("ACTE'INOV", "LUMIERES")]:
        text = text.replace(old, new)
    return text


def test_upload_extracts_shows_a_result_per_file_and_the_new_record(page, tmp_path, docs):
    good = tmp_path / "lanternes_2022.txt"
    good.write_text(new_extract(), encoding="utf-8")
    word = docs.docx(new_extract().replace("Maison des Lanternes", "Atelier des Cartographes")
                     .replace("12 345", "7 500").replace("011-7777/22", "012-8888/22"), tmp_path / "cartographes.docx")
    bad = tmp_path / "compte_rendu.txt"
    bad.write_text("Compte rendu de la réunion de quartier : propreté, stationnement, médiathèque.\n" * 3,
                   encoding="utf-8")
    page.evaluate("window.__xss = 0")
    open_tab(page, "Corpus")
    page.set_input_files("#c-upload input[type=file]", [str(good), str(word), str(bad)])
    expect(page.locator("#c-upload")).to_contain_text("compte_rendu")
    page.click("#c-ingest")
    expect(page.locator("#c-summary")).to_contain_text("2 ajouté(s)", timeout=ANSWER_TIMEOUT)
    results = page.locator("#c-results")
    rows = data_rows(results)
    expect(rows).to_have_count(3)
    by_file = {rows.nth(i).locator("[role=gridcell]").nth(0).inner_text().strip(): rows.nth(i).inner_text()
               for i in range(3)}
    assert "ajouté" in by_file["lanternes_2022.txt"]
    assert "ajouté" in by_file["cartographes.docx"]
    assert "erreur" in by_file["compte_rendu.txt"]
    assert "extrait" in by_file["compte_rendu.txt"]  # the reason says it is not an extract

    fill(page, "c-search", "lanternes")
    page.press("#c-search textarea, #c-search input", "Enter")
    table = page.locator("#c-table")
    expect(table).to_contain_text("14 mars 2022")
    expect(table).to_contain_text("EMP 011-7777/22/BM")
    expect(table).to_contain_text("12 345 €")
    expect(table).to_contain_text("<script>window.__xss = 1</script>")
    expect(data_rows(table)).to_have_count(1)
    data_rows(table).first.locator("[role=gridcell]").nth(2).click()
    fields = page.locator("#c-fields")
    expect(fields).to_contain_text("lanternes_2022", timeout=30_000)
    expect(fields).to_contain_text("Maison des Lanternes")
    expect(page.locator("#c-raw")).to_contain_text("<script>window.__xss = 1</script>")
    assert page.locator("#c-fields script, #c-raw script, #c-table script").count() == 0
    assert page.evaluate("window.__xss") == 0
    shot(page, "corpus")
    # the whole registry again, the record still open: the README's picture of this tab
    fill(page, "c-search", "")
    page.press("#c-search textarea, #c-search input", "Enter")
    expect(data_rows(table).nth(5)).to_be_visible()
    shot(page, "corpus-registry", tab="corpus", scroll_to="#c-search")

    # the new record answers questions at once
    open_tab(page, "Questions")
    ask(page, "Qu'est-ce qui a été accordé à la Maison des Lanternes en 2022 ?", "12 345")
    expect(page.locator("#sources-panel")).to_contain_text("lanternes_2022.txt")


def test_uploads_are_limited_in_type_and_size(page, app_url, tmp_path):
    import httpx
    from gradio_client import Client, handle_file

    odd = tmp_path / "notes.exe"
    odd.write_bytes(b"MZ\x90\x00 not an extract")
    big = tmp_path / "gros.txt"
    big.write_bytes(b"a" * (MAX_UPLOAD_MB * 1024 * 1024 + 1))
    open_tab(page, "Corpus")
    toasts = page.locator("[data-testid=toast-body]")
    page.set_input_files("#c-upload input[type=file]", [str(odd)])
    expect(toasts.last).to_contain_text("Invalid file type")
    page.set_input_files("#c-upload input[type=file]", [str(big)])
    expect(toasts.last).to_contain_text("exceed the maximum allowed size")
    page.click("#c-ingest")
    expect(page.locator("#c-summary")).to_contain_text("Choisissez d'abord")
    shot(page, "corpus-upload-refused", full_page=False)
    # the server refuses too, whatever the client: too big at the upload, wrong type at the event
    response = httpx.post(app_url + "gradio_api/upload", files={"files": ("gros.txt", big.read_bytes())})
    assert response.status_code == 413
    with pytest.raises(Exception, match="Invalid file type"):
        Client(app_url, verbose=False).predict([handle_file(str(odd))], "", "Toutes", "", "", api_name="/ingest")


# -- access ------------------------------------------------------------------------------------------------


def test_login_is_required_when_auth_is_set(browser, auth_url):
    # without a session: the page is the login form, and the API refuses
    for path in ("config", "gradio_api/info"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(auth_url + path, timeout=10)
        assert refused.value.code == 401
    context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 700})
    try:
        page = context.new_page()
        page.goto(auth_url)
        user, password = page.locator("input[data-testid=textbox]"), page.locator("input[data-testid=password]")
        expect(password).to_be_visible()
        assert page.locator("#question").count() == 0
        user.fill("greffe")
        password.fill("mauvais-mot-de-passe")
        page.get_by_role("button", name="Connexion").click()
        expect(page.locator("body")).to_contain_text("Identifiants incorrects")
        assert page.locator("#question").count() == 0
        shot(page, "login", tab="login", full_page=False)

        user.fill("greffe")
        password.fill("Registre-2019")
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_selector("#question textarea")
        ask(page, SEED_QUESTION, "20 000 €")
        expect(page.locator("#sources-panel")).to_contain_text("EMP 004-6064/19/BM")
    finally:
        context.close()


# -- open data: a subsidies file, its history, the SCDL downloads -------------------------------------------


def _subsidies_file() -> tuple[Path, str, int]:
    """The shipped SCDL Subventions file (current columns) and, read from it by the csv module, the
    beneficiary granted in the most years, with its number of rows (no name written in this code)."""
    import csv
    from collections import defaultdict

    for path in sorted((CORPUS / "real" / "scdl").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=";"))
        if rows and "nomBeneficiaire" in rows[0]:
            years: dict[str, set] = defaultdict(set)
            for row in rows:
                years[row["nomBeneficiaire"]].add(row["dateConvention"][:4])
            name = max(years, key=lambda n: (len(years[n]), n))
            return path, name, sum(1 for row in rows if row["nomBeneficiaire"] == name)
    raise AssertionError("no SCDL Subventions file in corpus/real/scdl/")


def test_history_of_a_beneficiary_shows_a_table_and_a_chart_and_both_scdl_files_download(page):
    path, name, rows = _subsidies_file()
    open_tab(page, "Corpus")
    page.set_input_files("#c-upload input[type=file]", [str(path)])
    page.click("#c-ingest")
    # run alone, this upload is the first to need the dense index: it embeds the whole registry first
    expect(page.locator("#c-summary")).to_contain_text("1 ajouté(s)", timeout=10 * ANSWER_TIMEOUT)
    page.get_by_text("Données ouvertes (SCDL)").click()
    for button, header in (("#c-export-delib", "COLL_NOM"), ("#c-export-sub", "nomAttribuant")):
        page.click(button)
        expect(page.locator("#c-export-note")).to_contain_text("ligne(s) exportée(s)", timeout=60_000)
        link = page.locator("#c-export-file a").first
        expect(link).to_be_visible()
        with page.expect_download() as download:
            link.click()
        assert Path(download.value.path()).read_text(encoding="utf-8").startswith(header)

    open_tab(page, "Questions")
    ask(page, f"Historique des subventions à {name}", "Total par année")
    chat = page.locator("#chatbot")
    table = chat.locator("table").last
    expect(table.locator("tbody tr")).to_have_count(rows)
    expect(table.locator("thead")).to_contain_text("Source")
    expect(table).to_contain_text(f"{path.name}, Ligne")
    chart = chat.locator(".image-container img").last  # the bars, in the same answer, under the table
    expect(chart).to_be_visible(timeout=30_000)
    assert chart.evaluate("img => img.complete && img.naturalWidth > 300")
    expect(page.locator("#sources-panel")).to_contain_text(path.name)
    # the README's picture: a window tall enough for the question, the table and the chart together
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 1350})
    chat.evaluate("e => { e.style.height = '1150px'; }")
    page.wait_for_timeout(500)
    chat.locator("[data-testid=user]").last.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "history", tab="history")
