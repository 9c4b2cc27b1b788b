"""Write eval/questions.yaml: every expectation read from the seed or from the generator's ground truth
(corpus/synthetic/NAME.truth.json, corpus/handwritten/NAME.expected.json), never typed by hand.

    .venv/bin/python eval/make_questions.py eval/questions.yaml

Re-run it when the synthetic corpus is regenerated; then run tests/test_questions.py.
"""
import glob
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from assistant.formats import format_date
from assistant.textnorm import match_key

SEED = "000_47990de55f73b628.txt"
T = {}
for p in sorted(glob.glob(str(ROOT / "corpus/synthetic/*.truth.json"))):
    t = json.loads(Path(p).read_text(encoding="utf-8"))
    T[t["file"][:10]] = t


def f(key):  # file name of a synthetic doc
    return T[key]["file"]


def money(cents):
    euros, rest = divmod(cents, 100)
    s = f"{euros:,}".replace(",", " ")
    return s + (f",{rest:02d}" if rest else "")


def amounts(key, benef=None, year=None, article=True):
    t = T[key]
    out = []
    for a in t["amounts"]:
        if article and not a.get("article"):
            continue
        if benef and match_key(a.get("beneficiary") or "") != match_key(benef):
            continue
        if year is not None and a.get("year") != year:
            continue
        out.append(a)
    return out


def one_amount(key, benef, year=None):
    got = amounts(key, benef, year)
    assert len(got) == 1, (key, benef, year, got)
    return money(got[0]["cents"])


def docs_with(benef, year=None):
    """Docs granting `benef` an amount for `year` (amount year, or the session's when none)."""
    out = []
    for key, t in T.items():
        for a in t["amounts"]:
            if not a.get("article") or match_key(a.get("beneficiary") or "") != match_key(benef):
                continue
            y = a.get("year") or int(t["session_date"][:4])
            if year is None or y == year:
                out.append((key, a))
    return out


# Every extract of corpus/ counts in totals and counts: the synthetic truth, the hand-written extracts'
# expected values, and the seed (read from the seed itself: Bureau, 20 juin 2019, 20 000 euros, article 1).
ALL = dict(T)
for p in sorted(glob.glob(str(ROOT / "corpus/handwritten/*.expected.json"))):
    name = Path(p).name
    ALL["hw:" + name] = {**json.loads(Path(p).read_text(encoding="utf-8")), "file": name.replace(".expected.json", "")}
ALL["seed"] = {"file": SEED, "body": "bureau", "session_date": "2019-06-20", "act_type": "subvention",
               "amounts": [{"cents": 2000000, "article": 1, "year": 2019, "beneficiary": "Cité des Métiers"}]}

Q = []


def q(id, question, *, expected=None, sources=None, intent, lang, context=None, forbidden=None, none=False,
      alternatives=None):
    item = {"id": id, "question": question}
    if context:
        item["context"] = context
    if none:
        item["none"] = True
    else:
        item["expected"] = expected
    if alternatives:
        item["alternatives"] = alternatives
    if forbidden:
        item["forbidden"] = forbidden
    if sources:
        item["sources"] = sources
    item["tags"] = {"intent": intent, "language": lang}
    Q.append(item)


# A yes to "was X present?" may be phrased "X figure parmi les présents" or "X était présent" (an LLM);
# never with a negation or as absent.
PRESENT_NOT = ["pas présent", "absent", "excusé"]

# -- the seed ------------------------------------------------------------------------------------
CDM_FR = "Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?"
CDM_EN = "What was granted to Cité des Métiers in 2019?"
q("seed-amount-fr", CDM_FR, expected=["20 000 €", "ACTE'INOV"], sources=[SEED], intent="amount", lang="fr",
  forbidden=["2020"])
q("seed-amount-en", CDM_EN, expected=["EUR 20,000", "ACTE'INOV"], sources=[SEED], intent="amount", lang="en",
  forbidden=["2020"])
q("seed-followup-2020", "Et en 2020 ?", context=[CDM_FR], none=True, intent="amount", lang="fr",
  forbidden=["20 000"])
q("seed-followup-signed-fr", "Qui l'a signée ?", context=[CDM_FR], expected=["Martial ALVAREZ"],
  sources=[SEED], intent="signatory", lang="fr")
q("seed-followup-signed-en", "Who signed it?", context=[CDM_EN], expected=["Martial ALVAREZ"], sources=[SEED],
  intent="signatory", lang="en")
q("seed-aubagne-2018", "Quelle subvention a été accordée au club de football d'Aubagne en 2018 ?", none=True,
  intent="amount", lang="fr", forbidden=["€"])
q("seed-purpose-fr", "Pour quel projet la Cité des Métiers a-t-elle reçu une subvention ?",
  expected=["ACTE'INOV"], sources=[SEED], intent="purpose", lang="fr")
q("seed-date-fr", "Quand la subvention à la Cité des Métiers a-t-elle été accordée ?",
  expected=["20 juin 2019"], sources=[SEED], intent="date", lang="fr")
q("seed-beneficiary-fr", "À qui la Métropole a-t-elle attribué 20 000 € pour le projet ACTE'INOV ?",
  expected=["Cité des Métiers"], sources=[SEED], intent="beneficiary", lang="fr")
q("seed-absent-fr", "Qui était absent à la séance du Bureau du 20 juin 2019 ?",
  expected=["Martine CESARI", "Roland GIBERTI", "Eric LE DISSES"], sources=[SEED], intent="members", lang="fr",
  forbidden=["Martial ALVAREZ"])
q("seed-excused-en", "Who was absent and excused at the Bureau session of 20 June 2019?",
  expected=["Eric LE DISSES"], sources=[SEED], intent="members", lang="en", forbidden=["Martine CESARI"])
q("seed-proxy-fr", "Par qui Martine CESARI était-elle représentée le 20 juin 2019 ?",
  expected=["Daniele GARCIA"], sources=[SEED], intent="members", lang="fr")
q("seed-present-person-fr", "Martial ALVAREZ était-il présent à la séance du 20 juin 2019 ?",
  expected=["Martial ALVAREZ", "présents"], alternatives=[["Martial ALVAREZ", "était présent"]],
  forbidden=list(PRESENT_NOT), sources=[SEED], intent="members", lang="fr")
q("seed-count-fr", "Combien de membres étaient présents à la séance du Bureau du 20 juin 2019 ?",
  expected=["30"], sources=[SEED], intent="present_count", lang="fr")
q("seed-count-en", "How many members were present at the Bureau meeting on June 20, 2019?",
  expected=["30"], sources=[SEED], intent="present_count", lang="en")
q("seed-vote-fr", "La délibération EMP 004-6064/19/BM a-t-elle été adoptée ?", expected=["adoptée"],
  sources=[SEED], intent="vote", lang="fr")
q("seed-budget-fr", "Quelle est l'imputation budgétaire de la subvention à la Cité des Métiers ?",
  expected=["fonction 65", "nature 65748"], sources=[SEED], intent="budget", lang="fr")
q("seed-cofin-fr", "Qui cofinance le projet ACTE'INOV ?",
  expected=["Fonds Social Européen", "Ville de Marseille", "Région Sud"], sources=[SEED],
  intent="cofinancers", lang="fr")
q("seed-general-fr", "Quel label la Cité des Métiers de Marseille a-t-elle obtenu en 2005 ?",
  expected=["fonctionnement"], sources=[SEED], intent="general", lang="fr")
q("seed-general-en", "Which label did the Cité des Métiers obtain in 2002?", expected=["projet"],
  sources=[SEED], intent="general", lang="en")

# -- amounts (synthetic) -------------------------------------------------------------------------
q("mistral-2021-fr", "Quel montant a été attribué à la Compagnie Mistral Danse en 2021 ?",
  expected=[one_amount("synth_0108", "Compagnie Mistral Danse", 2021)], sources=[f("synth_0108")],
  intent="amount", lang="fr")
mistral_2019 = docs_with("Compagnie Mistral Danse", 2019)
q("mistral-followup-2019", "Et en 2019 ?", context=["Quel montant a été attribué à la Compagnie Mistral Danse en 2021 ?"],
  expected=[money(a["cents"]) for _, a in mistral_2019], sources=sorted({f(k) for k, _ in mistral_2019}),
  intent="amount", lang="fr", forbidden=[one_amount("synth_0108", "Compagnie Mistral Danse", 2021)])
q("istreen-2022-en", "How much did the Athlétic Club Istréen receive in 2022?",
  expected=[one_amount("synth_0090", "Athlétic Club Istréen", 2022)], sources=[f("synth_0090")],
  intent="amount", lang="en")
istreen_2016 = docs_with("Athlétic Club Istréen", 2016)
q("istreen-followup-2016-en", "And in 2016?", context=["How much did the Athlétic Club Istréen receive in 2022?"],
  expected=[money(a["cents"]) for _, a in istreen_2016], sources=sorted({f(k) for k, _ in istreen_2016}),
  intent="amount", lang="en")
q("belle-de-mai-2019-fr", "Quelle subvention l'Incubateur Belle de Mai a-t-il obtenue en 2019 ?",
  expected=[one_amount("synth_0195", "Incubateur Belle de Mai", 2019)], sources=[f("synth_0195")],
  intent="amount", lang="fr")
q("jazz-2025-en", "What amount was granted to the Festival de Jazz des Calanques in 2025?",
  expected=[one_amount("synth_0007", "Festival de Jazz des Calanques", 2025)], sources=[f("synth_0007")],
  intent="amount", lang="en")
assert not docs_with("Festival de Jazz des Calanques", 2017)
q("jazz-followup-2017-en", "And in 2017?", context=["What amount was granted to the Festival de Jazz des Calanques in 2025?"],
  none=True, intent="amount", lang="en")
maison_2017 = docs_with("Maison de l'Emploi Ouest Provence", 2017)
q("maison-emploi-2017-fr", "Combien la Maison de l'Emploi Ouest Provence a-t-elle reçu pour l'année 2017 ?",
  expected=[money(a["cents"]) for _, a in maison_2017], sources=sorted({f(k) for k, _ in maison_2017}),
  intent="amount", lang="fr")
q("sporting-2019-fr", "Quelle subvention le Sporting Club Aubagnais a-t-il reçue en 2019 ?",
  expected=[one_amount("synth_0028", "Sporting Club Aubagnais", 2019)], sources=[f("synth_0028")],
  intent="amount", lang="fr")
assert not any(match_key("Vieux Port") in match_key(json.dumps(t, ensure_ascii=False)) for t in T.values())
q("unknown-assoc-fr", "Quelle subvention a été versée à l'association Les Amis du Vieux Port en 2021 ?", none=True,
  intent="amount", lang="fr", forbidden=["€"])
q("unknown-assoc-en", "How much did Olympique de Marseille receive in 2020?", none=True, intent="amount",
  lang="en", forbidden=["EUR"])
q("durance-marche-fr", "Quel est le montant du marché attribué à DURANCE ENROBES en 2019 pour le nettoiement des plages ?",
  expected=[one_amount("synth_0126", "DURANCE ENROBES")], sources=[f("synth_0126")], intent="amount", lang="fr")

# -- to whom ---------------------------------------------------------------------------------------
q("whom-93000-fr", "À qui a été attribuée une subvention de 93 000 € en 2019 ?",
  expected=["Incubateur Belle de Mai"], sources=[f("synth_0195")], intent="beneficiary", lang="fr")
benefs_0191 = [a["beneficiary"] for a in amounts("synth_0191")]
q("whom-emploi-2019-fr", "Quelles associations ont reçu une subvention du Bureau le 14 février 2019 ?",
  expected=benefs_0191, sources=[f("synth_0191")], intent="beneficiary", lang="fr")
q("whom-en", "Who received the subsidy of EUR 11,000 in 2022?", expected=["Athlétic Club Istréen"],
  sources=[f("synth_0090")], intent="beneficiary", lang="en")

# -- when ------------------------------------------------------------------------------------------
t = T["synth_0030"]
q("date-mission-locale-fr", "Quand la subvention à la Mission Locale du Pays d'Aubagne et de l'Etoile a-t-elle été votée en 2016 ?",
  expected=[format_date(t["session_date"])], sources=[f("synth_0030")], intent="date", lang="fr")
t = T["synth_0019"]
q("date-pole-mer-en", "When was the subsidy to Pôle Mer Méditerranée decided?",
  expected=[format_date(t["session_date"], "en")], sources=[f("synth_0019")], intent="date", lang="en")

# -- signatory -------------------------------------------------------------------------------------
q("sig-sporting-fr", "Qui a signé la délibération attribuant une subvention au Sporting Club Aubagnais en 2019 ?",
  expected=[T["synth_0028"]["signatory"]["name"]], sources=[f("synth_0028")], intent="signatory", lang="fr")
q("sig-belle-en", "Who signed the deliberation granting a subsidy to the Incubateur Belle de Mai in 2019?",
  expected=[T["synth_0195"]["signatory"]["name"]], sources=[f("synth_0195")], intent="signatory", lang="en")
q("sig-followup-fr", "Qui l'a signée ?", context=["Quel montant a été attribué à la Compagnie Mistral Danse en 2021 ?"],
  expected=[T["synth_0108"]["signatory"]["name"]], sources=[f("synth_0108")], intent="signatory", lang="fr")
code = T["synth_0090"]["codes"][0]
code = code[0] if isinstance(code, list) else code["code"]
q("sig-code-fr", f"Quel est le signataire de la délibération {code} ?",
  expected=[T["synth_0090"]["signatory"]["name"]], sources=[f("synth_0090")], intent="signatory", lang="fr")

# -- members ---------------------------------------------------------------------------------------
t = T["synth_0191"]
exc = t["excused"]
q("excused-2019-02-14-fr", "Quels membres étaient absents et excusés à la séance du Bureau du 14 février 2019 ?",
  expected=exc, sources=[f("synth_0191"), f("synth_0126")], intent="members", lang="fr")
rep = t["represented"][0]
q("proxy-2019-02-14-en", f"Who held the proxy of {rep['name']} at the Bureau session of 14 February 2019?",
  expected=[rep["proxy"]], sources=[f("synth_0191"), f("synth_0126")], intent="members", lang="en")
t = T["synth_0108"]
member = t["present"][3]
q("present-person-fr", f"{member} était-il présent à la séance du Bureau du 7 janvier 2021 ?",
  expected=[member, "présents"], alternatives=[[member, "était présent"]], forbidden=list(PRESENT_NOT),
  sources=[f("synth_0108")], intent="members", lang="fr")
q("excused-2021-01-07-en", "Who was excused at the Bureau meeting of 7 January 2021?",
  expected=t["excused"], sources=[f("synth_0108")], intent="members", lang="en")
q("unknown-session-fr", "Qui était présent à la séance du Bureau du 3 mars 2015 ?", none=True, intent="members",
  lang="fr")

# -- number present --------------------------------------------------------------------------------
q("count-2019-02-14-fr", "Combien de membres étaient présents à la séance du Bureau du 14 février 2019 ?",
  expected=[str(T["synth_0191"]["present_count"])], sources=[f("synth_0191"), f("synth_0126")],
  intent="present_count", lang="fr")
t = T["synth_0090"]
q("count-2022-02-03-en", "How many members were present at the Conseil de la Métropole session of 3 February 2022?",
  expected=[str(t["present_count"])], sources=[f("synth_0090"), f("synth_0172")], intent="present_count",
  lang="en")

# -- vote ------------------------------------------------------------------------------------------
t = T["synth_0009"]
q("vote-abst-fr", "Qui s'est abstenu sur la fixation des tarifs des piscines du Pays d'Aubagne en 2019 ?",
  expected=t["vote"]["abstentions"], sources=[f("synth_0009")], intent="vote", lang="fr")
t = T["synth_0003"]
q("vote-against-en", "Who voted against the subsidy to the Compagnie Mistral Danse in 2019?",
  expected=t["vote"]["against"], sources=[f("synth_0003")], intent="vote", lang="en")
t = T["synth_0108"]
q("vote-unanimous-fr", "Comment a été votée la subvention à la Compagnie Mistral Danse en 2021 ?",
  expected=["adoptée"] + (["unanimité"] if t["vote"]["unanimous"] else []), sources=[f("synth_0108")],
  intent="vote", lang="fr")
t = T["synth_0021"]
q("vote-count-fr", "Combien de votes contre pour l'avenant avec INFOGESTION 13 en 2019 ?",
  expected=[str(t["vote"]["against_count"])] + t["vote"]["against"], sources=[f("synth_0021")], intent="vote",
  lang="fr")

# -- budget ----------------------------------------------------------------------------------------
b = T["synth_0108"]["budget"][0]
q("budget-mistral-fr", "Sur quelle ligne budgétaire est imputée la subvention à la Compagnie Mistral Danse en 2021 ?",
  expected=[f"nature {b['nature']}", f"fonction {b['fonction']}"], sources=[f("synth_0108")], intent="budget",
  lang="fr")
b = T["synth_0090"]["budget"][0]
q("budget-istreen-en", "Which budget line is the 2022 subsidy to the Athlétic Club Istréen charged to?",
  expected=[f"nature {b['nature']}", f"fonction {b['fonction']}"], sources=[f("synth_0090")], intent="budget",
  lang="en")

# -- co-financers ----------------------------------------------------------------------------------
q("cofin-mistral-en", "Who co-finances the Compagnie Mistral Danse project funded in 2019?",
  expected=T["synth_0003"]["cofinancers"], sources=[f("synth_0003")], intent="cofinancers", lang="en")
# The printed names carry OCR noise ("Développement Reégional"): the stable part of each is expected.
q("cofin-belle-fr", "Quels sont les cofinanceurs du projet de l'Incubateur Belle de Mai soutenu en 2020 ?",
  expected=["Fonds Européen", "Caisse des Dépôts"], sources=[f("synth_0199")], intent="cofinancers", lang="fr")

# -- totals and counts -----------------------------------------------------------------------------
mistral = [(k, a) for k, a in docs_with("Compagnie Mistral Danse") if 2019 <= int(T[k]["session_date"][:4]) <= 2021]
total = sum(a["cents"] for k, a in mistral if a.get("year") or True)
q("total-mistral-fr", "Quel est le total des subventions accordées à la Compagnie Mistral Danse entre 2019 et 2021 ?",
  expected=[money(total)], sources=sorted({f(k) for k, _ in mistral}), intent="total", lang="fr")
n24 = sum(1 for t in ALL.values() if t.get("body") == "conseil" and (t.get("session_date") or "").startswith("2024"))
q("count-conseil-2024-fr", "Combien de délibérations le Conseil de la Métropole a-t-il prises en 2024 ?",
  expected=[f"{n24} délibérations"], intent="count", lang="fr")


# -- more: purposes, totals, counts, follow-ups, unanswerable, general -----------------------------
q("purpose-mistral-fr", "Pour quoi la Compagnie Mistral Danse a-t-elle reçu une subvention en 2021 ?",
  expected=["ateliers de danse"], sources=[f("synth_0108")], intent="purpose", lang="fr")
q("purpose-istreen-en", "What was the 2022 subsidy to the Athlétic Club Istréen for?",
  expected=["saison sportive"], sources=[f("synth_0090")], intent="purpose", lang="en")


def year_total(body, year, act="subvention"):
    """Sum as the registry answers it: article amounts of the body's `act` deliberations for `year`
    (the amount's year, else the session's), restated totals left out."""
    cents, n, files = 0, 0, set()
    for t in ALL.values():
        if t.get("body") != body or t.get("act_type") != act:
            continue
        arts = [a for a in t["amounts"] if a.get("article")]
        parts = {id(a) for a in arts if sum(b["cents"] for b in arts if b is not a and b["cents"] < a["cents"]) == a["cents"]
                 and len([b for b in arts if b is not a and b["cents"] < a["cents"]]) >= 2}
        arts = [a for a in arts if id(a) not in parts]
        explicit = [a for a in arts if a.get("year") == year]
        chosen = explicit or [a for a in arts if a.get("year") is None and int((t.get("session_date") or "0")[:4]) == year]
        for a in chosen:
            cents += a["cents"]; n += 1; files.add(t["file"])
    return cents, n, sorted(files)


c, n, files = year_total("conseil", 2023)
q("total-conseil-2023-en", "What was the total amount of grants awarded by the Conseil de la Métropole in 2023?",
  expected=[money(c)], sources=files, intent="total", lang="en")
q("count-grants-conseil-2023-en", "How many grants did the Conseil de la Métropole award in 2023?",
  expected=[f"{n} grants"], sources=files, intent="count", lang="en")
q("count-none-2030-fr", "Combien de délibérations le Conseil de la Métropole a-t-il prises en 2030 ?", none=True,
  intent="count", lang="fr")
q("followup-istreen-signed-en", "Who signed it?", context=["How much did the Athlétic Club Istréen receive in 2022?"],
  expected=[T["synth_0090"]["signatory"]["name"]], sources=[f("synth_0090")], intent="signatory", lang="en")
q("followup-excused-fr", "Et qui était excusé ?",
  context=["Combien de membres étaient présents à la séance du Bureau du 14 février 2019 ?"],
  expected=T["synth_0191"]["excused"], sources=[f("synth_0191"), f("synth_0126")], intent="members", lang="fr")
b = T["synth_0108"]["budget"][0]
q("followup-budget-fr", "Sur quelle ligne budgétaire ?",
  context=["Quel montant a été attribué à la Compagnie Mistral Danse en 2021 ?"],
  expected=[f"nature {b['nature']}"], sources=[f("synth_0108")], intent="budget", lang="fr")
t = T["synth_0108"]
q("present-list-en", "Who was present at the Bureau session of 7 January 2021?",
  expected=t["present"][:3], sources=[f("synth_0108")], intent="members", lang="en")
code = T["synth_0108"]["codes"][0]
code = code[0] if isinstance(code, list) else code["code"]
q("date-code-en", f"When was deliberation {code} adopted?", expected=[format_date(t["session_date"], "en")],
  sources=[f("synth_0108")], intent="date", lang="en")
q("unknown-stadium-fr", "Qui a signé la délibération sur le nouveau stade d'Aix-en-Provence ?", none=True,
  intent="signatory", lang="fr")
q("unknown-chess-en", "What budget line was the 2019 grant to the Gardanne Chess Club charged to?", none=True,
  intent="budget", lang="en")
q("unknown-session-count-fr", "Combien de membres étaient présents à la séance du Conseil de la Métropole du 5 mai 2018 ?",
  none=True, intent="present_count", lang="fr")
q("general-surface-fr", "Quelle est la superficie de la parcelle de Ceyreste cédée par la SCI LES PINS D'ALEP ?",
  expected=["8 070"], sources=[f("synth_0002")], intent="general", lang="fr")
q("general-licencies-fr", "Combien de licenciés compte le Sporting Club Aubagnais ?", expected=["290"],
  sources=[f("synth_0028")], intent="general", lang="fr")
q("general-representations-fr", "Combien de représentations propose l'édition 2021 de la Compagnie Mistral Danse ?",
  expected=["190"], sources=[f("synth_0108")], intent="general", lang="fr")

# -- written after the code, asked once without changing the code afterwards ------------------------
t = T["synth_0077"]
q("blind-petit-matin-2024-en", "How much was granted to the Théâtre du Petit Matin in 2024?",
  expected=[one_amount("synth_0077", "Théâtre du Petit Matin", 2024)], sources=[f("synth_0077")], intent="amount",
  lang="en")
q("blind-petit-matin-cofin-en", "Which co-financers are named for the Théâtre du Petit Matin project funded in 2024?",
  expected=t["cofinancers"][:1] + ["Fonds Social"], sources=[f("synth_0077")], intent="cofinancers", lang="en")
assert not docs_with("Théâtre du Petit Matin", 2020)
q("blind-petit-matin-2020-fr", "Quel montant a été attribué au Théâtre du Petit Matin en 2020 ?", none=True,
  intent="amount", lang="fr")
d2c = [k for k, t2 in T.items() if any(match_key(b) == match_key("Ecole de la Deuxième Chance de Marseille")
                                       for b in t2["beneficiaries"])]
assert len(d2c) == 1
q("blind-d2c-signed-fr", "Qui a signé la délibération attribuant une subvention à l'Ecole de la Deuxième Chance de Marseille ?",
  expected=[T[d2c[0]]["signatory"]["name"]], sources=[f(d2c[0])], intent="signatory", lang="fr")
same = {T[k]["present_count"] for k in T if T[k]["body"] == "conseil" and T[k]["session_date"] == "2019-12-12"}
assert len(same) == 1
q("blind-count-2019-12-12-fr", "Combien de membres étaient présents à la séance du Conseil de la Métropole du 12 décembre 2019 ?",
  expected=[str(same.pop())], sources=[f("synth_0003")], intent="present_count", lang="fr")
belle_2025 = docs_with("Incubateur Belle de Mai", 2025)
q("blind-belle-followup-2025-fr", "Et en 2025 ?", context=["Quelle subvention l'Incubateur Belle de Mai a-t-il obtenue en 2019 ?"],
  expected=[money(a["cents"]) for _, a in belle_2025], sources=sorted({f(k) for k, _ in belle_2025}), intent="amount",
  lang="fr")
t = T["synth_0030"]
q("blind-against-en", "Who voted against the 2016 subsidy to the Mission Locale du Pays d'Aubagne et de l'Etoile?",
  expected=t["vote"]["against"], sources=[f("synth_0030")], intent="vote", lang="en")
b = T["synth_0028"]["budget"][0]
q("blind-budget-sporting-fr", "Quelle est l'imputation budgétaire de la subvention au Sporting Club Aubagnais en 2019 ?",
  expected=[f"nature {b['nature']}", f"fonction {b['fonction']}"], sources=[f("synth_0028")], intent="budget",
  lang="fr")

with open(sys.argv[1], "w", encoding="utf-8") as fh:
    fh.write("# Question set over the seed (corpus/000_*.txt) and the shipped synthetic corpus (corpus/synthetic/).\n"
             "# Written by eval/make_questions.py from the ground truth (NAME.truth.json): edit the script, not this.\n"
             "# Format: eval/README.md. Run: .venv/bin/pytest tests/test_questions.py -s\n")
    yaml.safe_dump(Q, fh, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
print(len(Q), "questions")
