"""Draft tab: the draft-request form (the act type chooses the fields), the preview, the lint findings,
the precedents used and the .docx. The form only builds the request `delib draft` reads from YAML."""

from __future__ import annotations

import re

import gradio as gr

from . import render
from .context import DRAFT_EXAMPLE, UIContext

ACT_TYPES = [("Subvention", "subvention"), ("Convention", "convention"), ("Avenant", "avenant"),
             ("Autre acte (articles libres)", "autre")]
LEGAL_FORMS = ["association", "société", "commune", "établissement public", "syndicat mixte", "fondation",
               "groupement d'intérêt public", "université", ""]
CIVILITIES = ["Madame", "Monsieur"]
QUALIFIERS = [("—", ""), ("TTC", "TTC"), ("HT", "HT"), ("net", "net")]
# Bodies and types of authority, as the form offers them ("" : deduced from the authority).
BODIES = [("Selon la collectivité", ""), ("Conseil municipal", "conseil_municipal"),
          ("Conseil communautaire", "conseil_communautaire"), ("Bureau", "bureau"), ("Conseil (métropole)", "conseil"),
          ("Commission permanente", "commission_permanente"), ("Comité syndical", "comite_syndical"),
          ("Conseil d'administration", "conseil_administration")]
AUTHORITY_TYPES = [("D'après le nom", ""), ("Commune", "commune"), ("Communauté de communes", "communaute_communes"),
                   ("Communauté d'agglomération", "communaute_agglomeration"),
                   ("Communauté urbaine", "communaute_urbaine"), ("Métropole", "metropole"),
                   ("Établissement public territorial", "ept"), ("Département", "departement"),
                   ("Région", "region"), ("Syndicat", "syndicat"), ("CCAS", "ccas")]

# Which groups of fields each act type shows.
SHOWN = {
    "subvention": {"beneficiary", "amount", "project", "budget"},
    "convention": {"beneficiary", "amount", "project", "budget"},
    "avenant": {"beneficiary", "amount", "contract", "budget"},
    "autre": {"articles"},
}
# The form's fields, in the order the handlers receive them.
FIELDS = [
    "act_type", "authority", "authority_type", "body", "session_date", "president_name", "president_civility",
    "convocation_date", "secretary_name", "secretary_civility", "object",
    "beneficiary_name", "legal_form", "short_name", "amount", "qualifier", "year",
    "project_name", "project_purpose", "convention", "cofinancers",
    "contract_number", "contract_object", "contract_notified", "avenant_number",
    "articles", "points", "visas", "commission",
    "budget_budget", "budget_year", "budget_fonction", "budget_nature",
    "signatory_name", "signatory_civility", "signatory_title", "service_prefix",
]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _points(text: str | None) -> list[dict]:
    """One point per line; lines starting with "-" or "•" are the items of the point above."""
    points: list[dict] = []
    for line in _lines(text):
        item = re.match(r"^[-•*]\s*(.+)$", line)
        if item and points:
            points[-1]["items"].append(item.group(1))
        else:
            points.append({"text": item.group(1) if item else line, "items": []})
    return points


def _int(value) -> int | None:
    try:
        return int(str(value).strip()) if str(value or "").strip() else None
    except ValueError:
        return None


def request_dict(values: dict) -> dict:
    """The form's values as a draft request (the YAML keys of eval/draft_requests/*.yaml)."""
    v = {k: (x.strip() if isinstance(x, str) else x) for k, x in values.items()}
    act = v.get("act_type") or "subvention"
    shown = SHOWN.get(act, set())
    data: dict = {
        "session_date": v.get("session_date") or None,
        "act_type": act,
        "president": {"name": v.get("president_name") or "", "civility": v.get("president_civility") or "Madame"},
        "points": _points(v.get("points")),
        "visas": _lines(v.get("visas")),
        "service_prefix": v.get("service_prefix") or "EMP",
    }
    for key in ("authority", "authority_type", "body", "convocation_date"):
        if v.get(key):
            data[key] = v[key]
    if v.get("secretary_name"):
        data["secretary"] = {"name": v["secretary_name"], "civility": v.get("secretary_civility") or "Madame"}
    if v.get("object"):
        data["object"] = " ".join(v["object"].split())
    if v.get("commission"):
        data["commission"] = v["commission"]
    if "beneficiary" in shown and v.get("beneficiary_name"):
        data["beneficiary"] = {"name": v["beneficiary_name"], "legal_form": v.get("legal_form") or None,
                               "short_name": v.get("short_name") or None}
    if "amount" in shown and v.get("amount"):
        data["amounts"] = [{"amount": v["amount"], "qualifier": v.get("qualifier") or None}]
    if "amount" in shown and _int(v.get("year")):
        data["year"] = _int(v["year"])
    if "project" in shown:
        if v.get("project_name") or v.get("project_purpose"):
            data["project"] = {"name": v.get("project_name") or None, "purpose": v.get("project_purpose") or None}
        data["convention"] = bool(v.get("convention"))
        data["cofinancers"] = _lines(v.get("cofinancers"))
    if "contract" in shown:
        data["contract"] = {"number": v.get("contract_number") or None, "object": v.get("contract_object") or None,
                            "notified": v.get("contract_notified") or None,
                            "avenant_number": _int(v.get("avenant_number"))}
    if "articles" in shown:
        data["articles"] = _lines(v.get("articles"))
    budget = {"budget": v.get("budget_budget") or None, "year": _int(v.get("budget_year")),
              "fonction": v.get("budget_fonction") or None, "nature": v.get("budget_nature") or None}
    if "budget" in shown and any(x is not None for x in budget.values()):
        data["budget"] = budget
    if v.get("signatory_name"):
        data["signatory"] = {"name": v["signatory_name"], "civility": v.get("signatory_civility") or "Monsieur"}
        if v.get("signatory_title"):
            data["signatory_title"] = v["signatory_title"]
    return data


def form_values(req) -> dict:
    """A DraftRequest as the form's values (to fill the form from an example request)."""
    from ..formats import format_date

    b, c, bud, proj = req.beneficiary, req.contract, req.budget, req.project
    first = req.amounts[0] if req.amounts else None
    points = []
    for p in req.points:
        points.append(p.text)
        points += [f"- {i}" for i in p.items]
    return {
        "act_type": req.act_type, "authority": req.authority, "authority_type": req.authority_type or "",
        "body": req.body or "", "session_date": format_date(req.session_date),
        "convocation_date": format_date(req.convocation_date) if req.convocation_date else "",
        "secretary_name": req.secretary.name if req.secretary else "",
        "secretary_civility": req.secretary.civility if req.secretary else "Madame",
        "president_name": req.president.name, "president_civility": req.president.civility,
        "object": req.object or "", "beneficiary_name": b.name if b else "",
        "legal_form": (b.legal_form or "") if b else "", "short_name": (b.short_name or "") if b else "",
        "amount": render.money_fr(first.cents) if first else "", "qualifier": (first.qualifier or "") if first else "",
        "year": str(req.year or ""), "project_name": (proj.name or "") if proj else "",
        "project_purpose": (proj.purpose or "") if proj else "", "convention": req.convention,
        "cofinancers": "\n".join(req.cofinancers),
        "contract_number": (c.number or "") if c else "", "contract_object": (c.object or "") if c else "",
        "contract_notified": format_date(c.notified) if c and c.notified else "",
        "avenant_number": str(c.avenant_number or "") if c else "",
        "articles": "\n".join(req.articles), "points": "\n".join(points), "visas": "\n".join(req.visas),
        "commission": req.commission or "",
        "budget_budget": (bud.budget or "") if bud else "", "budget_year": str(bud.year or "") if bud else "",
        "budget_fonction": (bud.fonction or "") if bud else "", "budget_nature": (bud.nature or "") if bud else "",
        "signatory_name": req.signatory.name if req.signatory else "",
        "signatory_civility": req.signatory.civility if req.signatory else "Monsieur",
        "signatory_title": req.signatory_title or "", "service_prefix": req.service_prefix,
    }


def _slug(text: str) -> str:
    from ..textnorm import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text or "projet")).strip("-")[:40] or "projet"


def authority_choices(ctx: UIContext) -> tuple[list[tuple[str, str]], dict[str, dict]]:
    """The registry's authorities, most records first: dropdown choices (label with the count, designation)
    and, per designation, its type and its bodies (most records first). Names equal up to case, accents and
    spacing are one authority, as in the profiles."""
    from ..draft.profiles import authority_key, designation

    by_key: dict[str, dict] = {}
    for kind, name, body, count in sorted(ctx.registry.authority_bodies(), key=lambda r: -r[3]):
        entry = by_key.setdefault(authority_key(kind, name), {"name": name, "type": kind or "", "bodies": {},
                                                               "count": 0})
        entry["count"] += count
        if body:
            entry["bodies"][body] = entry["bodies"].get(body, 0) + count
    known: dict[str, dict] = {}
    for entry in by_key.values():
        bodies = sorted(entry["bodies"], key=lambda b: -entry["bodies"][b])
        known[designation(entry["type"] or None, entry["name"])] = {"type": entry["type"], "bodies": bodies,
                                                                     "count": entry["count"]}
    ordered = sorted(known, key=lambda n: (-known[n]["count"], n))
    return [(f"{n} ({known[n]['count']} délib.)", n) for n in ordered], known


def build(ctx: UIContext) -> None:
    w: dict = {}
    choices, known = authority_choices(ctx)
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=360, elem_id="draft-form"):
            with gr.Row(equal_height=True):
                gr.Markdown("### Demande de rédaction")
                example = gr.Button("Remplir avec l'exemple", size="sm", elem_id="d-example", scale=0,
                                    min_width=180)
            w["act_type"] = gr.Radio(ACT_TYPES, value="subvention", label="Type d'acte", elem_id="d-act")
            w["authority"] = gr.Dropdown(
                choices, value=choices[0][1] if choices else None, allow_custom_value=True, elem_id="d-authority",
                label="Collectivité (celles du registre, la plus fournie d'abord ; ou saisir « Commune de … »)")
            with gr.Row():
                w["authority_type"] = gr.Dropdown(AUTHORITY_TYPES, value=known[choices[0][1]]["type"] if choices else "",
                                                  label="Type de collectivité", elem_id="d-authority-type")
                w["body"] = gr.Dropdown(BODIES, value="", label="Assemblée", elem_id="d-body")
            with gr.Row():
                w["session_date"] = gr.Textbox(label="Date de séance", placeholder="20 juin 2019", elem_id="d-date")
                w["convocation_date"] = gr.Textbox(label="Date de convocation", elem_id="d-convocation")
            with gr.Row():
                w["president_name"] = gr.Textbox(label="Président(e) de séance", placeholder="Martine VASSAL",
                                                  elem_id="d-president")
                w["president_civility"] = gr.Radio(CIVILITIES, value="Madame", label="Civilité",
                                                   elem_id="d-president-civ")
            with gr.Row():
                w["secretary_name"] = gr.Textbox(label="Secrétaire de séance", elem_id="d-secretary")
                w["secretary_civility"] = gr.Radio(CIVILITIES, value="Madame", label="Civilité",
                                                   elem_id="d-secretary-civ")
            w["object"] = gr.Textbox(label="Objet (facultatif : composé d'après le type d'acte)", lines=2,
                                     elem_id="d-object")
            with gr.Group(visible=True) as g_benef:
                with gr.Row():
                    w["beneficiary_name"] = gr.Textbox(label="Bénéficiaire", elem_id="d-benef", scale=3)
                    w["legal_form"] = gr.Dropdown(LEGAL_FORMS, value="association", label="Forme",
                                                  allow_custom_value=True, elem_id="d-form", scale=1)
                w["short_name"] = gr.Textbox(label="Nom court dans l'exposé", placeholder="la Cité des Métiers",
                                             elem_id="d-short")
            with gr.Row(visible=True) as g_amount:
                w["amount"] = gr.Textbox(label="Montant", placeholder="20 000 €", elem_id="d-amount")
                w["qualifier"] = gr.Dropdown(QUALIFIERS, value="", label="HT / TTC", elem_id="d-qualifier")
                w["year"] = gr.Textbox(label="Exercice de l'aide", placeholder="2019", elem_id="d-year")
            with gr.Group(visible=True) as g_project:
                with gr.Row():
                    w["project_name"] = gr.Textbox(label="Projet", placeholder="ACTE'INOV", elem_id="d-project")
                    w["convention"] = gr.Checkbox(label="Approbation d'une convention", elem_id="d-convention")
                w["project_purpose"] = gr.Textbox(label="But du projet (à l'infinitif)", lines=2,
                                                  elem_id="d-purpose")
                w["cofinancers"] = gr.Textbox(label="Cofinanceurs (un par ligne)", lines=2, elem_id="d-cofin")
            with gr.Group(visible=False) as g_contract:
                with gr.Row():
                    w["contract_number"] = gr.Textbox(label="N° du marché", elem_id="d-contract")
                    w["avenant_number"] = gr.Textbox(label="N° de l'avenant", elem_id="d-avenant")
                    w["contract_notified"] = gr.Textbox(label="Notifié le", elem_id="d-notified")
                w["contract_object"] = gr.Textbox(label="Objet du marché", elem_id="d-contract-object")
            with gr.Group(visible=False) as g_articles:
                w["articles"] = gr.Textbox(label="Articles (un par ligne)", lines=4, elem_id="d-articles")
            w["points"] = gr.Textbox(label="Points de l'exposé (un par ligne ; « - » pour une liste)", lines=4,
                                     elem_id="d-points")
            with gr.Accordion("Visas, commission, imputation, signataire", open=False, elem_id="d-more"):
                w["visas"] = gr.Textbox(label="Visas (un par ligne ; repris des précédents si vide)", lines=2,
                                        elem_id="d-visas")
                w["commission"] = gr.Textbox(label="Commission (avis)", elem_id="d-commission")
                with gr.Row(visible=True) as g_budget:
                    w["budget_budget"] = gr.Textbox(label="Budget", placeholder="fonctionnement", elem_id="d-budget")
                    w["budget_year"] = gr.Textbox(label="Année", elem_id="d-budget-year")
                    w["budget_fonction"] = gr.Textbox(label="Fonction", elem_id="d-fonction")
                    w["budget_nature"] = gr.Textbox(label="Nature", elem_id="d-nature")
                with gr.Row():
                    w["signatory_name"] = gr.Textbox(label="Signataire", elem_id="d-signatory")
                    w["signatory_civility"] = gr.Radio(CIVILITIES, value="Monsieur", label="Civilité",
                                                       elem_id="d-signatory-civ")
                w["signatory_title"] = gr.Textbox(label="Qualité du signataire", lines=2, elem_id="d-sig-title")
                w["service_prefix"] = gr.Textbox(value="EMP", label="Préfixe du service", elem_id="d-prefix")
            go = gr.Button("Rédiger le projet", variant="primary", elem_id="d-go")
        with gr.Column(scale=5, min_width=420):
            status = gr.Markdown("", elem_id="d-status")
            preview = gr.HTML('<div class="draft-page empty">Le projet s\'affichera ici.</div>',
                              elem_id="d-preview", js_on_load=None)
        with gr.Column(scale=3, min_width=280):
            download = gr.DownloadButton("Télécharger le .docx", value=None, interactive=False,
                                         variant="primary", elem_id="d-download")
            gr.Markdown("### Relecture")
            findings = gr.HTML("", elem_id="d-findings", js_on_load=None)
            gr.Markdown("### Précédents utilisés")
            precedents = gr.HTML("", elem_id="d-precedents", js_on_load=None)

    groups = {"beneficiary": g_benef, "amount": g_amount, "project": g_project, "contract": g_contract,
              "articles": g_articles, "budget": g_budget}
    fields = [w[name] for name in FIELDS]

    def show_fields(act):
        shown = SHOWN.get(act, set())
        return [gr.update(visible=name in shown) for name in groups]

    def draft(*values):
        from ..draft import request_from_dict

        try:
            req = request_from_dict(request_dict(dict(zip(FIELDS, values))), source="Formulaire")
        except ValueError as exc:
            return (f"**Demande incomplète :** {render.esc(exc)}", gr.skip(), gr.skip(), gr.skip(),
                    gr.update(value=None, interactive=False))
        result = ctx.assistant.draft(req)
        out = ctx.work_dir("draft") / f"projet-{_slug(req.beneficiary.name if req.beneficiary else req.object)}.docx"
        result.to_docx(out)
        to_fix = sum(f.severity != "info" for f in result.findings)
        notes = "".join(f"\n- {render.esc(n)}" for n in result.notes)
        state = (f"**Projet rédigé** ({len(result.precedents)} précédent(s), {to_fix} point(s) à vérifier)."
                 + (f"\n{notes}" if notes else ""))
        records = ctx.records(p["id"] for p in result.precedents)
        return (state, render.draft_html(result), render.findings_html(result.findings),
                render.precedents_html(result.precedents, records), gr.update(value=str(out), interactive=True))

    def fill_example():
        from ..draft import load_request

        values = form_values(load_request(DRAFT_EXAMPLE))
        return [values[name] for name in FIELDS]

    def authority_chosen(name):
        """A registry authority: its type and its most frequent body; a typed one: deduced from its words."""
        entry = known.get(name or "")
        if entry is None:
            return gr.update(value=""), gr.update(value="")
        return gr.update(value=entry["type"]), gr.update(value=entry["bodies"][0] if entry["bodies"] else "")

    w["act_type"].change(show_fields, w["act_type"], list(groups.values()), queue=False, api_visibility="private")
    w["authority"].change(authority_chosen, w["authority"], [w["authority_type"], w["body"]], queue=False,
                          api_visibility="private")
    example.click(fill_example, None, fields, queue=False, api_visibility="private")
    go.click(draft, fields, [status, preview, findings, precedents, download], concurrency_id="draft",
             api_name="draft")
