"""One deliberation's parts per act type (object, exposé, visas, articles, budget), vote and signature."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from .layout import DEFAULT_NOISE, Doc, F, P, Seg, _segs, f, x
from .prose import (
    ACTION_ITEMS,
    AVENANT_REASONS,
    DOMAIN_PROSE,
    GENERIC_PROSE,
    LIEUX,
    MARCHE_SUBJECTS,
    OPERATIONS,
    ORGANISMES,
    PLACES,
    RESIDENCES,
    TARIF_SUBJECTS,
    THEMES,
)
from .sessions import Session
from .world import (
    BORROWER_FORMS,
    BORROWERS,
    COFINANCERS,
    COMMUNES,
    COMPANIES,
    COMPANY_FORMS,
    DOMAINS,
    MUNICIPAL_DELEGATIONS,
    SELLERS,
    Org,
    World,
    de_,
    format_amount,
    fr_date,
)

# --------------------------------------------------------------------------------------------------
# Text helpers for entities
# --------------------------------------------------------------------------------------------------

_LEADS = {  # lead -> (nominative, à, de)
    "assoc": ("l'association ", "à l'association ", "de l'association "),
    "f": ("la ", "à la ", "de la "),
    "m": ("le ", "au ", "du "),
    "v": ("l'", "à l'", "de l'"),
    "soc": ("la société ", "à la société ", "de la société "),
    "none": ("", "à ", "de "),
}


def lead(org: Org, case: int = 0) -> str:
    """The words before a name: "le", "au", "du"..., elided before a vowel ("à l'Incubateur")."""
    kind = "v" if org.lead in ("m", "f") and org.name[:1] in "AEIOUÉÈÊŒ" else org.lead
    return _LEADS[kind][case]


def ref(org: Org, case: int = 0) -> list[Seg]:
    """ "l'association X" (case 0), "à l'association X" (1), "de l'association X" (2)."""
    return [(lead(org, case), P), f(org.name)]


_TPL = re.compile(r"\{(\w+)\}")


def tpl(template: str, **kw) -> list[Seg]:
    """Fill a template whose values may be strings (prose) or segments (fields, amounts)."""
    out: list[Seg] = []
    pieces = _TPL.split(template)
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            if piece:
                out.append((piece, P))
        else:
            val = kw[piece]
            out.extend(_segs([val]) if not isinstance(val, (int, float)) else [(str(val), P)])
    return out


def _up(text: str) -> str:
    return text[:1].upper() + text[1:]


def cap(segs: list[Seg]) -> list[Seg]:
    if segs and segs[0][0]:
        t, z = segs[0]
        segs = [(t[0].upper() + t[1:], z)] + segs[1:]
    return segs


# --------------------------------------------------------------------------------------------------
# One deliberation
# --------------------------------------------------------------------------------------------------

ACT_TYPES = [
    "subvention",
    "convention",
    "avenant",
    "marche",
    "acquisition",
    "tarifs",
    "garantie_emprunt",
    "designation",
]
ACT_WEIGHTS = [0.36, 0.08, 0.08, 0.12, 0.1, 0.08, 0.1, 0.08]
BODIES = ["bureau", "conseil", "conseil_municipal"]
BODY_WEIGHTS = [0.48, 0.3, 0.22]
VOTE_STYLES = ["adoptee", "unanimite", "abstentions_noms", "contre_compte", "contre_noms", "mixte"]
VOTE_WEIGHTS = [0.3, 0.35, 0.12, 0.08, 0.08, 0.07]


@dataclass
class Ctx:
    """What one deliberation is being built with, and the truth it accumulates."""

    rng: random.Random
    w: World
    session: Session
    act: str
    vote_style: str
    authority: str
    body_label: str
    unit: str = "euros"
    show_cents: bool = False
    space_unit: bool = True
    amounts: list[dict] = field(default_factory=list)
    beneficiaries: list[str] = field(default_factory=list)
    cofinancers: list[str] = field(default_factory=list)
    budget: list[dict] = field(default_factory=list)
    article: int | None = None  # article being written (None: exposé)
    noise: float = DEFAULT_NOISE

    @property
    def metro(self) -> bool:
        return self.session.body != "conseil_municipal"

    @property
    def year(self) -> int:
        return self.session.date.year

    @property
    def collectivity(self) -> str:
        """ "la Métropole" / "la Ville"."""
        return "la Métropole" if self.metro else "la Commune" if "Commune" in self.authority else "la Ville"

    def amt(
        self,
        cents: int,
        *,
        qualifier: str | None = None,
        per_year: bool = False,
        beneficiary: str | None = None,
        year: int | None = None,
        unit: str | None = None,
    ) -> Seg:
        q = qualifier
        if qualifier == "HT":
            q = self.rng.choices(["HT", "H.T.", "hors taxes"], [0.8, 0.1, 0.1])[0]
        text = format_amount(
            cents,
            unit=unit or self.unit,
            show_cents=self.show_cents,
            qualifier=q,
            space_before_unit=self.space_unit or (unit or self.unit) != "€",
        )
        self.amounts.append(
            {
                "cents": cents,
                "qualifier": qualifier,
                "per_year": per_year,
                "beneficiary": beneficiary,
                "year": year,
                "article": self.article,
                "text": text,
            }
        )
        return x(text)

    def benef(self, name: str) -> None:
        if name not in self.beneficiaries:
            self.beneficiaries.append(name)


def _years(k: int) -> str:
    return "d'un an" if k == 1 else f"de {k} ans"


def _round(cents: float, step_euros: int) -> int:
    step = step_euros * 100
    return max(step, round(cents / step) * step)


def _odd_cents(rng: random.Random, lo: int, hi: int) -> int:
    """A contract-like amount in cents, sometimes with cents, sometimes round."""
    euros = rng.randint(lo, hi)
    r = rng.random()
    if r < 0.45:
        return euros * 100 + rng.randint(1, 99)
    if r < 0.75:
        return euros * 100
    return _round(euros * 100, 1000)


class Builder:
    """Builds the parts of one deliberation for an act type; each act fills exposé, articles and budget."""

    def __init__(self, ctx: Ctx, spec: dict) -> None:
        self.c = ctx
        self.rng = ctx.rng
        self.spec = spec
        self.domain = spec.get("domain", "finances")
        self.object = ""
        self.expose: list[list[Seg]] = []
        self.vu: list[list[Seg]] = []
        self.considerant: list[list[Seg]] = []
        self.articles: list[list[list[Seg]]] = []  # article -> paragraphs -> segments

    # -- shared pieces -------------------------------------------------------------------------------

    def who_signs_for(self) -> str:
        """ "Madame la Présidente de la Métropole Aix-Marseille-Provence" / "Monsieur le Maire"."""
        p = self.c.session.president
        if self.c.metro:
            return "Madame la Présidente" if p.female else "Monsieur le Président"
        return "Monsieur le Maire" if not p.female else "Madame le Maire"

    def signing_article(self, what: str) -> list[Seg]:
        who = self.who_signs_for()
        if self.c.metro:
            de = self.rng.choice(
                [
                    "de la Métropole Aix-Marseille-Provence",
                    "de la Métropole d'Aix-Marseille-Provence",
                    "de la Métropole",
                ]
            )
            who = f"{who} {de}"
        e = "e" if self.c.session.president.female and not self.c.metro else ""
        return [
            f"{who} ou son représentant est autorisé{e} à signer {what} et tous les documents y afférents."
        ]

    def article(self, *paras: list[Seg]) -> None:
        self.articles.append(list(paras))

    def begin_article(self) -> None:
        self.c.article = len(self.articles) + 1

    def budget_article(
        self, kind: str, *, nature: str, fonction: str, recette: bool = False, budget_name: str | None = None
    ) -> None:
        """The imputation article: several house styles, recorded in the truth."""
        self.begin_article()
        c, rng = self.c, self.rng
        year = c.year + (1 if c.session.date.month == 12 and rng.random() < 0.5 else 0)
        budget = budget_name or kind
        verb = (
            "Les recettes correspondantes seront constatées"
            if recette
            else rng.choice(
                [
                    "Les crédits nécessaires sont inscrits",
                    "Les crédits nécessaires seront inscrits",
                    "La dépense correspondante est imputée",
                ]
            )
        )
        sous = None
        chapitre = None
        if c.metro:
            style = rng.choices(["seed", "sous", "multi"], [0.55, 0.35, 0.1])[0]
            if style == "sous":
                sous = rng.choice(["A110", "B230", "C140", "D310", "E220", "F120", "B550", "C330"])
                chapitre = nature[:2]  # the chapter is the nature's first two digits
                segs = [
                    f"{verb} au budget {budget} ",
                    x(str(year)),
                    " de la Métropole – Sous-Politique ",
                    x(sous),
                    " – Chapitre ",
                    x(chapitre),
                    " – Nature ",
                    x(nature),
                    " – Fonction ",
                    x(fonction),
                    ".",
                ]
                c.budget.append(self._bud(budget, year, fonction, nature, sous, chapitre))
            elif style == "multi" and not recette:
                segs = [
                    f"{verb} au budget {budget} ",
                    x(str(year)),
                    " de la Métropole, fonction ",
                    x(fonction),
                    ", nature ",
                    x(nature),
                    ", et seront inscrits au budget ",
                    f(budget),
                    " ",
                    x(str(year + 1)),
                    ", fonction ",
                    x(fonction),
                    ", nature ",
                    x(nature),
                    ".",
                ]
                c.budget.append(self._bud(budget, year, fonction, nature, None, None))
                c.budget.append(self._bud(budget, year + 1, fonction, nature, None, None))
            else:
                segs = [
                    f"{verb} au budget {budget} ",
                    x(str(year)),
                    " de la Métropole, fonction ",
                    x(fonction),
                    ", nature ",
                    x(nature),
                    ".",
                ]
                c.budget.append(self._bud(budget, year, fonction, nature, None, None))
        else:
            chapitre = nature[:2]
            segs = [
                f"{verb} au budget {budget} {c.collectivity.replace('la ', 'de la ', 1)}, exercice ",
                x(str(year)),
                ", chapitre ",
                x(chapitre),
                ", fonction ",
                x(fonction),
                ", nature ",
                x(nature),
                ".",
            ]
            c.budget.append(self._bud(budget, year, fonction, nature, None, chapitre))
        self.article(_segs(segs, F))

    @staticmethod
    def _bud(budget, year, fonction, nature, sous, chapitre) -> dict:
        return {
            "budget": budget,
            "year": year,
            "fonction": fonction,
            "nature": nature,
            "sous_politique": sous,
            "chapitre": chapitre,
        }

    def fill(self, template: str, org: Org | None = None, **kw) -> list[Seg]:
        rng = self.rng
        if not self.c.metro:  # the banks speak for the Métropole; a town speaks for itself
            coll = self.c.collectivity
            template = (
                template.replace("La Métropole", _up(coll))
                .replace("la Métropole", coll)
                .replace("métropolitain", "communal")
            )
        vals = {
            "n": rng.randint(3, 40) * 10,
            "m": rng.randint(2, 30) * 10,
            "year": self.c.year,
            "prev": self.c.year - 1,
            "city": org.city if org and org.city else rng.choice(COMMUNES),
        }
        vals["de_city"] = de_(vals["city"])
        if org:
            vals["B"] = ref(org)
        vals.update(kw)
        return cap(tpl(template, **vals))

    def domain_paragraphs(self, org: Org | None, k: int, generic: int = 0) -> None:
        rng = self.rng
        bank = DOMAIN_PROSE.get(self.domain, DOMAIN_PROSE["economie"])
        paras = [p for p in bank if (org or "{B}" not in p) and (self.c.metro or "Aix-Marseille" not in p)]
        for p in rng.sample(paras, min(k, len(paras))):
            self.expose.append(self.fill(p, org))
        if org and generic:
            kw = {
                "coll": self.c.collectivity,
                "interet": "métropolitain" if self.c.metro else "local",
                "dB": ref(org, 2),
                "aB": ref(org, 1),
            }
            for p in rng.sample(GENERIC_PROSE, generic):
                self.expose.append(self.fill(p, org, **kw))
        if org and rng.random() < 0.35:
            self.expose.append(
                [f"Le programme d'actions {self.c.year} s'articule autour des axes suivants :"]
            )
            numbered = rng.random() < 0.5
            for i, item in enumerate(rng.sample(ACTION_ITEMS, rng.randint(3, 5)), start=1):
                self.expose.append([f"{i}) {item}," if numbered else f"• {item} ;"])

    # -- act types -----------------------------------------------------------------------------------

    def build(self) -> None:
        getattr(self, "act_" + self.c.act)()

    def act_subvention(self) -> None:
        c, rng = self.c, self.rng
        org: Org = self.spec["org"]
        year = self.spec["year_funded"]
        cents = self.spec["cents"]
        variant = self.spec["variant"]
        purpose = rng.choice(org.projects)
        coll = c.collectivity
        if variant == "multi":
            others: list[tuple[Org, int]] = self.spec["others"]
            sector = rng.choice(["Domaine", "Secteur"])
            part = " - " + rng.choice(["1ère", "2ème", "3ème"]) + " répartition" if rng.random() < 0.5 else ""
            self.object = (
                f"Attribution de subventions aux associations au titre de l'année {year} - "
                f"{sector} {self._domain_label()}{part}"
            )
        elif variant == "convention":
            self.object = (
                f"Attribution d'une subvention {lead(org, 1)}{org.name} pour {purpose} {year}"
                f" - Approbation d'une convention"
            )
        elif variant == "split":
            self.object = (
                f"Attribution d'une subvention pluriannuelle {lead(org, 1)}{org.name} pour "
                f"{purpose} - Approbation d'une convention pluriannuelle d'objectifs"
            )
        else:
            self.object = (
                f"Attribution d'une subvention de fonctionnement {lead(org, 1)}{org.name} "
                f"au titre de l'année {year}"
            )
        self.domain_paragraphs(org, rng.randint(2, 4), generic=rng.randint(1, 3))
        if variant != "multi" and rng.random() < 0.55:
            yr = rng.random() < 0.6
            self.expose.append(
                cap(
                    tpl(
                        "Il est aujourd'hui proposé d'attribuer {aB} une subvention d'un montant de {a}"
                        + (" au titre de l'année {year}" if yr else "")
                        + " pour {purpose}.",
                        aB=ref(org, 1),
                        a=c.amt(
                            cents if variant != "split" else cents * 3,
                            beneficiary=org.name,
                            year=year if yr else None,
                        ),
                        year=year,
                        purpose=purpose,
                    )
                )
            )
        if rng.random() < 0.35 and variant != "multi":
            fin = rng.sample(COFINANCERS, rng.randint(1, 3))
            for name in fin:
                c.cofinancers.append(re.sub(r"^(le |la |l')", "", name))
            listed = fin[0] if len(fin) == 1 else ", ".join(fin[:-1]) + " et " + fin[-1]
            self.expose.append(["Ce projet est cofinancé, entre autres, par ", f(listed), "."])
        if rng.random() < 0.4:
            self.expose.append(
                self.fill(
                    "Il est précisé que {B} s'engage à faire mention du soutien de {coll} dans l'ensemble "
                    "de ses supports de communication.",
                    org,
                    coll=coll,
                )
            )
        self.vu.append(
            [
                (
                    "La loi n° 2000-321 du 12 avril 2000 relative aux droits des citoyens dans leurs "
                    "relations avec les administrations ;"
                )
            ]
        )
        if rng.random() < 0.5:
            self.vu.append([f"Le règlement budgétaire et financier de {coll} ;"])
        # articles
        self.begin_article()
        if variant == "multi":
            others = self.spec["others"]
            total = sum(a for _, a in others)
            intro = rng.choice(
                [
                    f"Sont attribuées, au titre de l'année {year}, les subventions suivantes :",
                    f"Sont attribuées les subventions suivantes pour l'année {year} :",
                ]
            )
            lines: list[list[Seg]] = [[intro]]
            for o, a in others:
                c.benef(o.name)
                lines.append(["- ", f(o.name), " : ", c.amt(a, beneficiary=o.name, year=year)])
            self.article(*lines)
            if rng.random() < 0.6:
                self.begin_article()
                self.article(["Le montant total des subventions attribuées s'élève à ", c.amt(total), "."])
        elif variant == "split":
            c.benef(org.name)
            if rng.random() < 0.5:
                para = tpl(
                    "Est attribuée {aB} une subvention d'un montant total de {t} pour les années {y1} à "
                    "{y3}, soit {a} par an, pour {purpose}.",
                    aB=ref(org, 1),
                    t=c.amt(cents * 3, beneficiary=org.name),
                    y1=x(str(year)),
                    y3=x(str(year + 2)),
                    a=c.amt(cents, per_year=True, beneficiary=org.name),
                    purpose=purpose,
                )
            else:
                para = tpl(
                    "Est attribuée {aB} une subvention d'un montant total de {t}, soit {a1} pour l'année "
                    "{y1}, {a2} pour l'année {y2} et {a3} pour l'année {y3}.",
                    aB=ref(org, 1),
                    t=c.amt(cents * 3, beneficiary=org.name),
                    a1=c.amt(cents, beneficiary=org.name, year=year),
                    y1=x(str(year)),
                    a2=c.amt(cents, beneficiary=org.name, year=year + 1),
                    y2=x(str(year + 1)),
                    a3=c.amt(cents, beneficiary=org.name, year=year + 2),
                    y3=x(str(year + 2)),
                )
            self.article(para)
        else:
            c.benef(org.name)
            t = rng.choice(
                [
                    "Est attribuée une subvention {aB} d'un montant de {a} pour l'année {y} pour {purpose}.",
                    (
                        "Est attribuée une subvention de fonctionnement d'un montant de {a} {aB} au titre de "
                        "l'année {y}."
                    ),
                    (
                        "Est attribuée {aB} une subvention d'un montant de {a} au titre de l'exercice {y} "
                        "pour {purpose}."
                    ),
                ]
            )
            self.article(
                cap(
                    tpl(
                        t,
                        aB=ref(org, 1),
                        a=c.amt(cents, beneficiary=org.name, year=year),
                        y=x(str(year)),
                        purpose=purpose,
                    )
                )
            )
        if variant in ("convention", "split"):
            self.begin_article()
            coll_full = f"{coll} Aix-Marseille-Provence" if c.metro and rng.random() < 0.7 else coll
            self.article(
                cap(
                    tpl(
                        "Est approuvée la convention ci-annexée entre {coll} et {B} relative à "
                        "l'octroi d'une subvention pour l'exercice {y}.",
                        coll=coll_full,
                        B=ref(org),
                        y=x(str(year)),
                    )
                )
            )
            self.begin_article()
            self.article(self.signing_article("cette convention"))
        nature = "65748" if c.metro else "6574"
        self.budget_article(
            "fonctionnement" if c.metro else "principal",
            nature=nature,
            fonction=rng.choice(["65", "90", "30", "40", "025", "61"]),
        )

    def _domain_label(self) -> str:
        return {
            "emploi": "Emploi et insertion",
            "economie": "Développement économique",
            "culture": "Culture",
            "sport": "Sport",
            "environnement": "Environnement",
            "solidarite": "Solidarités",
            "agriculture": "Agriculture",
            "recherche": "Enseignement supérieur et recherche",
        }.get(self.domain, "Divers")

    def act_convention(self) -> None:
        c, rng = self.c, self.rng
        org: Org = self.spec["org"]
        k = rng.randint(2, 4)
        theme, matiere = THEMES.get(org.domain, THEMES["economie"])
        self.object = (
            f"Approbation d'une convention de partenariat entre {c.collectivity} et "
            f"{lead(org, 0)}{org.name} relative {theme}"
        )
        self.domain_paragraphs(org, rng.randint(1, 3), generic=rng.randint(0, 1))
        self.expose.append(
            cap(
                tpl(
                    "{B} et {coll} partagent des objectifs communs en matière {theme}.",
                    B=ref(org),
                    coll=c.collectivity,
                    theme=matiere,
                )
            )
        )
        self.expose.append(
            [
                (
                    f"La convention de partenariat ci-annexée définit les engagements réciproques des "
                    f"parties pour une durée de {k} ans à compter de sa notification."
                )
            ]
        )
        self.begin_article()
        self.article(
            cap(
                tpl(
                    "Est approuvée la convention de partenariat ci-annexée entre {coll} et {B} "
                    "relative {theme}.",
                    coll=c.collectivity,
                    B=ref(org),
                    theme=theme,
                )
            )
        )
        c.benef(org.name)
        has_money = rng.random() < 0.6
        if has_money:
            cents = _round(rng.randint(2000, 60000) * 100, 500)
            self.begin_article()
            self.article(
                cap(
                    tpl(
                        "Est approuvée la participation financière de {coll} au profit {dB} d'un "
                        "montant de {a} par an.",
                        coll=c.collectivity,
                        dB=ref(org, 2),
                        a=c.amt(cents, per_year=True, beneficiary=org.name),
                    )
                )
            )
        self.begin_article()
        self.article(self.signing_article("cette convention"))
        if has_money:
            self.budget_article(
                "fonctionnement" if c.metro else "principal",
                nature=rng.choice(["6281", "65738", "6574"]),
                fonction=rng.choice(["01", "90", "023"]),
            )

    def _company(self) -> Org:
        name = self.rng.choice(COMPANIES)
        form = self.rng.choice(COMPANY_FORMS)
        return Org(f"{name} {form}".strip(), "soc")

    def _subject(self) -> str:
        dom = self.domain if self.domain in MARCHE_SUBJECTS else "voirie"
        commune = self.rng.choice(COMMUNES)
        return self.rng.choice(MARCHE_SUBJECTS[dom]).format(
            place=self.rng.choice(PLACES), commune=commune, de_commune=de_(commune)
        )

    def _vu_marches(self) -> None:
        if self.c.session.date >= dt.date(2019, 4, 1):
            self.vu.append(["Le Code de la commande publique ;"])
        else:
            self.vu.append(["L'ordonnance n° 2015-899 du 23 juillet 2015 relative aux marchés publics ;"])
            self.vu.append(["Le décret n° 2016-360 du 25 mars 2016 relatif aux marchés publics ;"])

    def act_marche(self) -> None:
        c, rng = self.c, self.rng
        subject = self._subject()
        lots = rng.random() < 0.3
        accord = not lots and rng.random() < 0.4
        kind = "l'accord-cadre à bons de commande" if accord else "le marché"
        what = "des lots du marché" if lots else "de " + kind
        launch = "Lancement et attribution" if rng.random() < 0.15 else "Attribution"
        self.object = f"{launch} {what} relatif à {subject}"
        cao = c.session.date - dt.timedelta(days=rng.randint(10, 40))
        launched = cao - dt.timedelta(days=rng.randint(60, 200))
        opening = f"Par délibération du {fr_date(launched)}, la" if rng.random() < 0.5 else "La"
        passation = "d'un accord-cadre à bons de commande" if accord else "du marché"
        self.expose.append(
            [
                (
                    f"{opening} procédure d'appel d'offres ouvert a été lancée en vue de la passation "
                    f"{passation} relatif à {subject}."
                )
            ]
        )
        retained = "attribué les lots" if lots else "retenu l'offre économiquement la plus avantageuse"
        self.expose.append(
            [
                (
                    f"La Commission d'Appel d'Offres, réunie le {fr_date(cao)}, a {retained} au regard "
                    "des critères de jugement des offres énoncés dans le règlement de la consultation."
                )
            ]
        )
        if rng.random() < 0.5:
            self.expose.append(
                [
                    (
                        f"Le marché est conclu pour une durée {_years(rng.randint(1, 4))} à compter de sa "
                        f"notification{', reconductible une fois' if rng.random() < 0.5 else ''}."
                    )
                ]
            )
        self._vu_marches()
        self.vu.append([f"La décision de la Commission d'Appel d'Offres du {fr_date(cao)} ;"])
        self.begin_article()
        if lots:
            paras: list[list[Seg]] = [
                ["Sont attribués les lots suivants du marché relatif à " + subject + " :"]
            ]
            for i in range(1, rng.randint(2, 4) + 1):
                comp = self._company()
                c.benef(comp.name)
                cents = _odd_cents(rng, 15000, 900000)
                paras.append(
                    [
                        f"- Lot n° {i} : ",
                        f(comp.name),
                        ", pour un montant de ",
                        c.amt(cents, qualifier="HT", beneficiary=comp.name),
                        " ;",
                    ]
                )
            self.article(*paras)
        else:
            comp = self._company()
            c.benef(comp.name)
            if accord:
                cents = _round(rng.randint(50000, 2000000) * 100, 10000)
                segs = cap(
                    tpl(
                        "Est attribué {kind} relatif à {subject} {aB}, pour un montant maximum de {a} "
                        "par an.",
                        kind=kind,
                        subject=subject,
                        aB=ref(comp, 1),
                        a=c.amt(cents, qualifier="HT", per_year=True, beneficiary=comp.name),
                    )
                )
            else:
                cents = _odd_cents(rng, 20000, 5000000)
                ttc = rng.random() < 0.3
                segs = cap(
                    tpl(
                        "Est attribué le marché relatif à {subject} {aB} pour un montant de {a}"
                        + (", soit {t}" if ttc else "")
                        + ".",
                        subject=subject,
                        aB=ref(comp, 1),
                        a=c.amt(cents, qualifier="HT", beneficiary=comp.name),
                        t=c.amt(cents * 6 // 5, qualifier="TTC", beneficiary=comp.name) if ttc else "",
                    )
                )
            self.article(segs)
        self.begin_article()
        self.article(self.signing_article("le marché" if not lots else "les marchés correspondants"))
        inv = rng.random() < 0.5
        self.budget_article(
            "investissement" if inv else "fonctionnement",
            nature=rng.choice(["2315", "2313", "21538"]) if inv else rng.choice(["611", "615231", "6188"]),
            fonction=rng.choice(["822", "811", "815", "020", "831"]),
            budget_name=None if c.metro else "principal",
        )

    def act_avenant(self) -> None:
        c, rng = self.c, self.rng
        comp = self._company()
        subject = self._subject()
        k = rng.randint(1, 4)
        awarded = c.session.date - dt.timedelta(days=400 + rng.randint(0, 300))
        if c.metro:  # the Métropole exists since 2016
            awarded = max(awarded, dt.date(2016, 4, 7) + dt.timedelta(days=rng.randint(0, 60)))
        mno = f"{awarded.year % 100:02d}/{rng.randint(10, 999):04d}"
        init = _odd_cents(rng, 100000, 4000000)
        pct = rng.randint(2, 14)
        new = init + init * pct // 100
        self.object = (
            f"Approbation de l'avenant n° {k} au marché n° {mno} relatif à {subject} conclu avec la société "
            f"{comp.name}"
        )
        self.expose.append(
            cap(
                tpl(
                    "Par délibération du {d}, le marché n° {mno} relatif à {subject} a été attribué "
                    "{aB} pour un montant de {a}.",
                    d=fr_date(awarded),
                    mno=x(mno),
                    subject=subject,
                    aB=ref(comp, 1),
                    a=c.amt(init, qualifier="HT", beneficiary=comp.name),
                )
            )
        )
        self.expose.append(
            [
                (
                    f"En cours d'exécution, il est apparu nécessaire de réaliser des prestations "
                    f"complémentaires, non prévues initialement, liées à {rng.choice(AVENANT_REASONS)}."
                )
            ]
        )
        self.expose.append(
            [
                (
                    f"Le présent avenant a pour objet de prendre en compte ces prestations, qui représentent "
                    f"une augmentation de {pct} % du montant initial du marché."
                )
            ]
        )
        self._vu_marches()
        if pct > 5 and rng.random() < 0.7:
            self.vu.append(
                [
                    (
                        f"L'avis favorable de la Commission d'Appel d'Offres du "
                        f"{fr_date(c.session.date - dt.timedelta(days=rng.randint(7, 30)))} ;"
                    )
                ]
            )
        self.begin_article()
        c.benef(comp.name)
        if rng.random() < 0.5:
            segs = cap(
                tpl(
                    "Est approuvé l'avenant n° {k} au marché n° {mno} conclu avec {B}, portant le montant du "
                    "marché de {a} à {b}.",
                    k=x(str(k)),
                    mno=x(mno),
                    B=ref(comp),
                    a=c.amt(init, qualifier="HT", beneficiary=comp.name),
                    b=c.amt(new, qualifier="HT", beneficiary=comp.name),
                )
            )
        else:
            segs = cap(
                tpl(
                    "Est approuvé l'avenant n° {k} au marché n° {mno} conclu avec {B}, d'un montant de {a}.",
                    k=x(str(k)),
                    mno=x(mno),
                    B=ref(comp),
                    a=c.amt(new - init, qualifier="HT", beneficiary=comp.name),
                )
            )
        self.article(segs)
        self.begin_article()
        self.article(self.signing_article("cet avenant"))
        if rng.random() < 0.7:
            self.budget_article(
                "investissement" if c.metro else "principal",
                nature=rng.choice(["2315", "2313"]),
                fonction=rng.choice(["822", "811", "020"]),
            )

    def act_acquisition(self) -> None:
        c, rng = self.c, self.rng
        seller_name = rng.choice(SELLERS + [f"Commune {de_(rng.choice(COMMUNES))}"])
        seller = Org(seller_name, "f")
        commune = rng.choice(COMMUNES)
        section = rng.choice(["AB", "BK", "CD", "AL", "E", "H", "BR", "AM"])
        num = rng.randint(12, 980)
        area = rng.randint(80, 25000)
        lieu = rng.choice(LIEUX)
        price = _round(area * rng.randint(15, 400) * 100, 100)
        op = rng.choice(OPERATIONS).format(
            name=rng.choice(
                ["des Paluds", "de la Plaine", "des Florides", "du Pôle Alpha", "de la Tourtelle"]
            )
        )
        self.object = (
            f"Approbation de l'acquisition à l'amiable auprès de la {seller_name} de la parcelle cadastrée "
            f"section {section} n° {num} sise {lieu} à {commune}"
        )
        self.expose.append(
            [
                (
                    f"Dans le cadre de l'opération {op}, {c.collectivity} doit assurer la maîtrise "
                    "foncière des terrains nécessaires à la réalisation du projet."
                )
            ]
        )
        self.expose.append(
            cap(
                tpl(
                    "{S}, propriétaire de la parcelle cadastrée section {sec} n° {num}, d'une superficie "
                    "de {area} m², sise {lieu} à {commune}, a accepté de céder ce bien à {coll}.",
                    S=ref(seller),
                    sec=section,
                    num=x(str(num)),
                    area=x(f"{area:,}".replace(",", " ")),
                    lieu=lieu,
                    commune=commune,
                    coll=c.collectivity,
                )
            )
        )
        self.expose.append(
            [
                "Les parties se sont accordées sur un prix de ",
                c.amt(price),
                ", conforme à l'avis de la Direction de l'Immobilier de l'Etat.",
            ]
        )
        self.vu.append(["Le Code Général de la Propriété des Personnes Publiques ;"])
        self.vu.append(
            [
                (
                    f"L'avis de la Direction de l'Immobilier de l'Etat du "
                    f"{fr_date(c.session.date - dt.timedelta(days=rng.randint(30, 200)))} ;"
                )
            ]
        )
        self.begin_article()
        c.benef(seller_name)
        self.article(
            cap(
                tpl(
                    "Est approuvée l'acquisition auprès {dS} de la parcelle cadastrée section {sec} "
                    "n° {num}, d'une superficie de {area} m², sise {lieu} à {commune}, au prix de {a}.",
                    dS=ref(seller, 2),
                    sec=section,
                    num=x(str(num)),
                    area=x(f"{area:,}".replace(",", " ")),
                    lieu=lieu,
                    commune=commune,
                    a=c.amt(price, beneficiary=seller_name),
                )
            )
        )
        if rng.random() < 0.4:
            self.begin_article()
            self.article(
                [
                    "Les frais d'acte, estimés à ",
                    c.amt(_round(price * 0.03 + 50000, 50)),
                    f", seront à la charge de {c.collectivity}.",
                ]
            )
        self.begin_article()
        self.article(self.signing_article("l'acte authentique"))
        self.budget_article(
            "investissement" if c.metro else "principal",
            nature=rng.choice(["2111", "2112", "2115"]),
            fonction=rng.choice(["515", "824", "01", "820"]),
        )

    def act_tarifs(self) -> None:
        c, rng = self.c, self.rng
        subject, budget, items = rng.choice(TARIF_SUBJECTS["metro" if c.metro else "municipal"])
        start = c.year + (1 if c.session.date.month >= 9 else 0)
        self.object = f"Fixation des tarifs {subject} à compter du 1er janvier {start}"
        self.expose.append(
            [
                (
                    f"{_up(c.collectivity)} assure la gestion du service ou de l'équipement "
                    f"concerné. Il convient de fixer les tarifs {subject} applicables à compter du 1er "
                    f"janvier {start}."
                )
            ]
        )
        self.expose.append(
            [
                (
                    "Les tarifs proposés tiennent compte de l'évolution des charges de fonctionnement et du "
                    "souci de maintenir l'accessibilité du service au plus grand nombre."
                )
            ]
        )
        ttc = rng.random() < 0.3
        self.begin_article()
        paras: list[list[Seg]] = [
            [
                f"Sont fixés comme suit les tarifs {subject}, applicables à compter du ",
                x(f"1er janvier {start}"),
                " :",
            ]
        ]
        growth = 1 + 0.02 * (start - 2016)
        for label, cents in items:
            val = round(cents * growth / 10) * 10
            paras.append([f"- {label} : ", c.amt(val, qualifier="TTC" if ttc else None)])
        self.article(*paras)
        self.begin_article()
        abrogation = f"Les délibérations antérieures fixant les tarifs {subject} sont abrogées"
        self.article([abrogation + " à compter de la même date."])
        self.budget_article(
            budget,
            nature=rng.choice(["70631", "7062", "70688", "7336"]),
            fonction=rng.choice(["413", "311", "812", "01"]),
            recette=True,
        )

    def act_garantie_emprunt(self) -> None:
        c, rng = self.c, self.rng
        base: Org = rng.choice(BORROWERS)
        form = rng.choice([b for b in BORROWER_FORMS if "Habitat" not in b or "Habitat" not in base.name])
        name = f"{form} {base.name}"
        org = Org(name, "v" if form.startswith("Office") else "f", city=base.city)
        n_log = rng.randint(12, 120)
        res = rng.choice(RESIDENCES)
        commune = rng.choice(COMMUNES)
        loan = _round(n_log * rng.randint(60000, 160000) * 100, 1)
        pct = rng.choice([50, 55, 100, 30, 45])
        op = f"l'opération de construction de {n_log} logements sociaux « {res} » située à {commune}"
        self.object = f"Garantie d'emprunt accordée {lead(org, 1)}{name} pour {op}"
        self.expose.append(
            cap(
                tpl(
                    "{B} sollicite la garantie de {coll} pour le remboursement d'un prêt destiné à "
                    "financer {op}.",
                    B=ref(org),
                    coll=c.collectivity,
                    op=op,
                )
            )
        )
        solde = f", la Commune {de_(commune)} garantissant le solde" if pct < 100 else ""
        self.expose.append(
            [
                (
                    "Conformément au règlement d'octroi des garanties d'emprunt, la garantie est accordée "
                    f"à hauteur de {pct} %{solde}."
                )
            ]
        )
        if rng.random() < 0.6:
            self.expose.append(
                cap(
                    tpl(
                        "En contrepartie, {B} s'engage à réserver à {coll} un contingent de {k} logements.",
                        B=ref(org),
                        coll=c.collectivity,
                        k=max(1, n_log // 5),
                    )
                )
            )
        contract = rng.randint(10000, 199999)
        if c.metro:
            self.vu.append(
                ["Les articles L.5111-4 et L.5217-2 du Code Général des Collectivités Territoriales ;"]
            )
        else:
            self.vu.append(
                ["Les articles L.2252-1 et L.2252-2 du Code Général des Collectivités Territoriales ;"]
            )
        self.vu.append(["L'article 2305 du Code civil ;"])
        self.vu.append(
            cap(
                tpl(
                    "Le Contrat de Prêt n° {k} en annexe signé entre {B}, ci-après l'Emprunteur, et la "
                    "Caisse des dépôts et consignations ;",
                    k=x(str(contract)),
                    B=ref(org),
                )
            )
        )
        self.begin_article()
        c.benef(name)
        who = (
            "Le Bureau de la Métropole"
            if c.session.body == "bureau"
            else ("Le Conseil de la Métropole" if c.metro else "Le Conseil Municipal")
        )
        guaranteed = loan * pct // 100
        show = pct < 100 and rng.random() < 0.6
        self.article(
            tpl(
                who
                + " accorde sa garantie à hauteur de {pct} % pour le remboursement d'un prêt d'un montant "
                "total de {a} souscrit par {B} auprès de la Caisse des dépôts et consignations"
                + (", soit un montant garanti de {g}" if show else "")
                + ", selon les caractéristiques "
                "financières et aux charges et conditions du Contrat de Prêt n° {k}.",
                pct=x(str(pct)),
                a=c.amt(loan, beneficiary=name),
                B=ref(org),
                g=c.amt(guaranteed, beneficiary=name) if show else "",
                k=x(str(contract)),
            )
        )
        self.begin_article()
        self.article(
            [
                (
                    "La garantie est apportée pour la durée totale du prêt et jusqu'au complet remboursement "
                    f"de celui-ci. {_up(c.collectivity)} s'engage à se substituer à l'Emprunteur en cas de "
                    "défaillance de ce dernier."
                )
            ]
        )
        self.begin_article()
        self.article(self.signing_article("la convention de garantie"))

    def act_designation(self) -> None:
        c, rng = self.c, self.rng
        org = rng.choice(ORGANISMES)
        k = rng.randint(1, 3)
        self.object = f"Désignation des représentants de {c.collectivity} au sein {org}"
        self.expose.append(
            [
                (
                    f"{_up(c.collectivity)} est représentée au sein {org}. Les statuts prévoient que "
                    f"{c.collectivity} y est représentée par {k} membre{'s' if k > 1 else ''} "
                    f"titulaire{'s' if k > 1 else ''}"
                    f"{' et autant de suppléants' if rng.random() < 0.5 else ''}."
                )
            ]
        )
        self.expose.append(
            [
                rng.choice(
                    [
                        (
                            "Suite au renouvellement général des assemblées, il convient de procéder à "
                            "la désignation de ces représentants."
                        ),
                        (
                            "Suite à la démission d'un des représentants, il convient de procéder à une "
                            "nouvelle désignation."
                        ),
                    ]
                )
            ]
        )
        self.expose.append(
            [
                (
                    "Conformément à l'article L.2121-21 du Code Général des Collectivités Territoriales, le "
                    "vote a lieu au scrutin secret, sauf si l'assemblée décide à l'unanimité de ne pas y "
                    "recourir."
                )
            ]
        )
        self.begin_article()
        self.article(
            ["Est décidé, à l'unanimité, de ne pas recourir au scrutin secret pour cette désignation."]
        )
        self.begin_article()
        chosen = rng.sample([p for p in c.session.present if p != c.session.president], k)
        paras: list[list[Seg]] = [[f"Sont désignés pour représenter {c.collectivity} au sein {org} :"]]
        for p in chosen:
            paras.append(["- ", f(f"{p.civility} {p.name}")])
        self.article(*paras)


# --------------------------------------------------------------------------------------------------
# Vote and signature
# --------------------------------------------------------------------------------------------------


def _names(ctx: Ctx, k: int, civility: bool, short: bool = False) -> tuple[list[Seg], list[str]]:
    s = ctx.session
    pool = [p for p in s.present if p != s.president]
    chosen = sorted(ctx.rng.sample(pool, min(k, len(pool))), key=lambda p: (p.last, p.first))
    segs: list[Seg] = []
    for i, p in enumerate(chosen):
        if i:
            segs.append((", ", P))
        civ = (p.short_civ if short else p.civility) + " " if civility else ""
        segs.append(f(civ + p.name))
    return segs, [p.name for p in chosen]


def vote_part(ctx: Ctx) -> tuple[list[list[Seg]], dict]:
    rng, style = ctx.rng, ctx.vote_style
    truth = {
        "adopted": True,
        "unanimous": False,
        "abstentions": [],
        "abstention_count": None,
        "against": [],
        "against_count": None,
    }
    civ = rng.random() < 0.6
    big = ctx.session.body == "conseil"
    n_small = rng.randint(1, 4)
    n_count = rng.randint(5, 40) if big else rng.randint(2, 8)
    paras: list[list[Seg]] = []
    if ctx.metro:
        head = "Cette proposition mise aux voix est adoptée"
        if style == "adoptee":
            paras.append([head + "."])
        elif style == "unanimite":
            paras.append([head + " à l'unanimité."])
            truth["unanimous"] = True
        elif style == "abstentions_noms":
            una = rng.random() < 0.5
            truth["unanimous"] = una
            paras.append([head + (" à l'unanimité des suffrages exprimés." if una else ".")])
            segs, names = _names(ctx, n_small, civ)
            count_printed = rng.random() < 0.3
            label = (
                ("S'est abstenue" if segs and "Madame" in segs[0][0] else "S'est abstenu")
                if len(names) == 1
                else "Se sont abstenus"
            )
            paras.append([label, x(f" ({len(names)})") if count_printed else "", " : ", segs, "."])
            truth.update(abstentions=names, abstention_count=len(names))
        elif style == "contre_compte":
            paras.append([head + " à la majorité des suffrages exprimés."])
            if rng.random() < 0.5:
                paras.append(["Votes contre : ", x(str(n_count))])
            else:
                paras.append(["Ont voté contre : ", x(str(n_count)), " membres."])
            truth["against_count"] = n_count
        elif style == "contre_noms":
            paras.append([head + "."])
            segs, names = _names(ctx, n_small, civ)
            count_printed = rng.random() < 0.4
            paras.append(
                ["Ont voté contre", x(f" ({len(names)})") if count_printed else "", " : ", segs, "."]
            )
            truth.update(against=names, against_count=len(names))
        else:  # mixte
            paras.append([head + "."])
            if rng.random() < 0.5:
                n_abs = rng.randint(1, 10)
                paras.append(["Votes contre : ", x(str(n_count)), " - Abstentions : ", x(str(n_abs))])
                truth.update(against_count=n_count, abstention_count=n_abs)
            else:
                segs_c, names_c = _names(ctx, n_small, civ)
                segs_a, names_a = _names(ctx, rng.randint(1, 3), civ)
                names_a = [n for n in names_a if n not in names_c]
                segs_a = _segs_for(names_a, ctx, civ)
                paras.append(["Ont voté contre : ", segs_c, "."])
                if names_a:
                    paras.append(
                        ["Se sont abstenus : " if len(names_a) > 1 else "Abstention : ", segs_a, "."]
                    )
                truth.update(
                    against=names_c,
                    against_count=len(names_c),
                    abstentions=names_a,
                    abstention_count=len(names_a) if names_a else None,
                )
    else:
        voters = len(ctx.session.present) + len(ctx.session.represented)
        if style == "adoptee":
            paras.append([rng.choice(["Mise aux voix, la délibération est adoptée.", "ADOPTÉ"])])
        elif style == "unanimite":
            paras.append(
                [
                    rng.choice(
                        [
                            "ADOPTÉ À L'UNANIMITÉ",
                            ("Mise aux voix, la délibération est adoptée à l'unanimité."),
                        ]
                    )
                ]
            )
            truth["unanimous"] = True
        elif style == "abstentions_noms":
            segs, names = _names(ctx, n_small, True, short=True)
            paras.append(["Adopté à l'unanimité des suffrages exprimés."])
            paras.append(["Abstentions : ", x(str(len(names))), " (", segs, ")"])
            truth.update(unanimous=True, abstentions=names, abstention_count=len(names))
        elif style == "contre_compte":
            paras.append(["Adopté à la majorité."])
            paras.append(
                [
                    "Pour : ",
                    x(str(voters - n_count)),
                    " - Contre : ",
                    x(str(n_count)),
                    " - Abstentions : ",
                    x("0"),
                ]
            )
            truth.update(against_count=n_count, abstention_count=0)
        elif style == "contre_noms":
            segs, names = _names(ctx, n_small, True, short=True)
            paras.append(["Adopté à la majorité."])
            paras.append(["Contre : ", x(str(len(names))), " (", segs, ")"])
            truth.update(against=names, against_count=len(names))
        else:
            segs_c, names_c = _names(ctx, n_small, True, short=True)
            n_abs = rng.randint(1, 5)
            paras.append(["Adopté à la majorité."])
            paras.append(
                [
                    "Pour : ",
                    x(str(voters - len(names_c) - n_abs)),
                    " - Contre : ",
                    x(str(len(names_c))),
                    " (",
                    segs_c,
                    ") - Abstentions : ",
                    x(str(n_abs)),
                ]
            )
            truth.update(against=names_c, against_count=len(names_c), abstention_count=n_abs)
    return [_segs(p, F) for p in paras], truth


def _segs_for(names: list[str], ctx: Ctx, civ: bool) -> list[Seg]:
    people = {p.name: p for p in ctx.session.present}
    segs: list[Seg] = []
    for i, n in enumerate(names):
        if i:
            segs.append((", ", P))
        segs.append(f((people[n].civility + " " if civ else "") + n))
    return segs


def signature_part(ctx: Ctx, domain: str, doc: Doc) -> dict | None:
    rng, s, w = ctx.rng, ctx.session, ctx.w
    if rng.random() < 0.03:
        return None
    if ctx.metro:
        doc.fixed(
            rng.choice(
                [
                    "Certifié Conforme,",
                    "Certifié Conforme,",
                    "Certifié conforme,",
                    "Pour extrait certifié conforme,",
                ]
            )
        )
        if rng.random() < 0.15:
            p = s.president
            head = "La Présidente de la Métropole" if p.female else "Le Président de la Métropole"
            doc.fixed(f(head), gap=0)
            doc.fixed(f("Aix-Marseille-Provence"))
            title = head.split(" ", 1)[1] + " Aix-Marseille-Provence"
        else:
            p = w.vps[w.mandate(s.date)][domain]
            head = "La Vice-Présidente Déléguée" if p.female else "Le Vice-Président Délégué"
            deleg = DOMAINS[domain][1]
            parts = [t.strip() for t in re.split(r"(?<=,) ", deleg)]
            if len(parts) > 1 and rng.random() < 0.5:
                parts = [" ".join(parts[:2])] + parts[2:]
            doc.fixed(f(head), gap=0)
            for i, line in enumerate(parts):
                doc.fixed(f(line), gap=(1 if i == len(parts) - 1 else (1 if rng.random() < 0.3 else 0)))
            title = head.split(" ", 1)[1] + " " + deleg
    else:
        doc.fixed("Fait et délibéré en séance les jour, mois et an susdits.")
        doc.fixed(rng.choice(["Pour extrait certifié conforme,", "Certifié conforme,"]), gap=0)
        mandate = w.mandate(s.date)
        if rng.random() < 0.7:
            p = s.president
            line = "Le Maire,"
            title = "Maire"
        else:
            p = w.deputies[(s.city, mandate)][domain]
            adj = "L'Adjointe déléguée" if p.female else "L'Adjoint délégué"
            title = f"{adj[2:]} {MUNICIPAL_DELEGATIONS[domain]}"
            line = f"{adj} {MUNICIPAL_DELEGATIONS[domain]},"
        doc.fixed(f(line))
    doc.fixed(f(p.name), gap=0)
    return {"name": p.name, "title": title}
