"""The whole extract, in the register's order: header, session, attendance, codes, object, rapporteur,
exposé, visas, "Délibère", articles, vote, signature."""

from __future__ import annotations

import datetime as dt
import re

from .acts import Builder, Ctx, signature_part, vote_part
from .layout import Doc, P, Seg, _segs, f, x
from .world import CITIES, DELEGATIONS_TO_BUREAU, DOMAINS, MONTHS, fr_date, fr_words

# --------------------------------------------------------------------------------------------------
# Assembling one extract
# --------------------------------------------------------------------------------------------------

VU_COMMON = [
    "Le Code Général des Collectivités Territoriales ;",
    (
        "La loi n° 2014-58 du 27 janvier 2014 de modernisation de l'action publique territoriale et "
        "d'affirmation des métropoles ;"
    ),
    "La loi n° 2015-991 du 7 août 2015 portant nouvelle organisation territoriale de la République ;",
]


def _heading(style: str, n: int) -> str:
    if style == "er":
        return "Article 1er :" if n == 1 else f"Article {n} :"
    if style == "caps":
        return f"ARTICLE {n} :"
    if style == "dash":
        return f"Article {n} -"
    if style == "premier":
        return "Article premier :" if n == 1 else f"Article {n} :"
    return f"Article {n} :"


def _municipal_vu(segs: list[Seg]) -> list[Seg]:
    """ "Le Code ... ;" -> "Vu le Code ...,"."""
    segs = _segs(segs)
    t, z = segs[0]
    segs[0] = ("Vu " + t[0].lower() + t[1:], z)
    t, z = segs[-1]
    segs[-1] = (re.sub(r"\s*;$", ",", t), z)
    return segs


def build_extract(ctx: Ctx, spec: dict, width: int) -> tuple[Doc, dict]:
    rng, s, w = ctx.rng, ctx.session, ctx.w
    b = Builder(ctx, spec)
    b.build()
    doc = Doc(rng, dense=rng.choice([0.0, 0.05, 0.12]))
    truth: dict = {}
    attendance = rng.choices(["full", "count", "none"], [0.72, 0.14, 0.14])[0]
    p = s.president
    body_phrase = {"bureau": "Bureau de la Métropole", "conseil": "Conseil de la Métropole"}.get(
        s.body, "Conseil Municipal"
    )
    sep = " - " if rng.random() < 0.75 else ", "

    # -- header, session, attendance ------------------------------------------------------------------
    if ctx.metro:
        h = rng.choices(["seed", "caps", "plain"], [0.5, 0.25, 0.25])[0]
        if h == "seed":
            doc.fixed(f("Métropole Aix-Marseille- République Département des"), gap=0)
            doc.fixed(f("Provence Française Bouches du Rhône"))
        elif h == "caps":
            doc.fixed(f("METROPOLE AIX-MARSEILLE-PROVENCE"))
        else:
            doc.fixed(f("République Française"), gap=0)
            doc.fixed(f("Métropole Aix-Marseille-Provence"))
        what = "DU BUREAU DE LA METROPOLE" if s.body == "bureau" else "DU CONSEIL DE LA METROPOLE"
        if rng.random() < 0.7:
            doc.fixed(f("EXTRAIT DES REGISTRES DES DELIBERATIONS"), gap=0)
            doc.fixed(f(what), gap=0)
            doc.fixed(f("AIX-MARSEILLE-PROVENCE"))
        else:
            doc.fixed(f(f"EXTRAIT DES REGISTRES DES DELIBERATIONS {what} AIX-MARSEILLE-PROVENCE"))
    else:
        doc.fixed(f("REPUBLIQUE FRANCAISE"), gap=0)
        doc.fixed(f("DEPARTEMENT DES BOUCHES-DU-RHONE"))
        doc.fixed(f(ctx.authority.upper()))
        doc.fixed(f("EXTRAIT DU REGISTRE DES DELIBERATIONS"), gap=0)
        doc.fixed(f("DU CONSEIL MUNICIPAL"))
    doc.fixed("Séance du ", f(fr_date(s.date)))

    present_names = [m.name for m in s.present]
    truth["president"] = None
    truth["present_count"] = None
    truth["present"], truth["represented"], truth["excused"] = [], [], []
    if ctx.metro:
        if attendance != "none":
            role = "Présidente" if p.female else "Président"
            doc.formula(
                f(f"{p.civility} {p.name}"),
                f", {role} de la Métropole Aix-Marseille-Provence, a ouvert la "
                "séance à laquelle ont été présents ",
                x(str(len(s.present))),
                " membres.",
            )
            truth["president"] = {"name": p.name, "civility": p.civility}
            truth["present_count"] = len(s.present)
        if attendance == "full":
            _metro_lists(doc, ctx, sep, truth)
        doc.formula(
            f"{'Madame la Présidente' if p.female else 'Monsieur le Président'} a proposé au {body_phrase} "
            "d'accepter les conclusions exposées ci-après et de les convertir en délibération."
        )
    else:
        if attendance != "none":
            hh, mm = s.hour
            day = "premier" if s.date.day == 1 else fr_words(s.date.day)
            an = f"L'an deux mille {fr_words(s.date.year - 2000)}, le {day} {MONTHS[s.date.month - 1]}"
            heure = f"à {fr_words(hh)} heures{' ' + fr_words(mm) if mm else ''}"
            doc.formula(
                an,
                f", {heure}, le Conseil Municipal de la ",
                f(ctx.authority),
                ", régulièrement convoqué, s'est réuni en séance publique dans la salle de ses "
                "délibérations, sous la présidence de ",
                f(f"{p.civility} {p.name}"),
                ", Maire.",
            )
            truth["president"] = {"name": p.name, "civility": p.civility}
            truth["present_count"] = len(s.present)
            counts = [
                ("Nombre de conseillers en exercice : ", len(s.members)),
                ("Présents : ", len(s.present)),
                ("Représentés : ", len(s.represented)),
                ("Absents : ", len(s.excused)),
            ]
            if rng.random() < 0.5:
                for i, (lab, v) in enumerate(counts):
                    doc.fixed(lab, x(str(v)), gap=0 if i < 3 else 1)
            else:
                segs: list = []
                for i, (lab, v) in enumerate(counts):
                    segs += [(" - " if i else "") + lab, x(str(v))]
                doc.formula(*segs)
        if attendance == "full":
            _municipal_lists(doc, ctx, sep, truth)
    truth["present"] = present_names if attendance == "full" else []

    # -- codes and object -----------------------------------------------------------------------------
    s.order += 1
    days = (s.date - dt.date(2016, 1, 1)).days
    yy = f"{s.date.year % 100:02d}"
    stray, bullet = (
        rng.random() < 0.12 * ctx.noise,
        rng.choice(["m ", "e ", "« ", "■ "]),
    )  # same draws at any noise
    # a bullet before the object line, read as a letter (the seed's "m Attribution"); "OBJET :" has none
    obj_segs = ([(bullet, P)] if stray and ctx.metro else []) + [f(b.object)]
    if ctx.metro:
        suffix = "BM" if s.body == "bureau" else "CM"
        service = f"{DOMAINS[b.domain][0]} {s.order:03d}-{500 + days * 4 + s.order}/{yy}/{suffix}"
        registre = f"MET {yy}/{1000 + days * 8 + s.order}/{suffix}"
        truth["codes"] = [{"code": service, "kind": "service"}, {"code": registre, "kind": "registre"}]
        doc.fixed(x(service), gap=0)
        if rng.random() < 0.2:
            doc.fixed(x(registre), gap=0)
            doc.para(*obj_segs, gap=1)
        else:
            doc.para(*obj_segs, gap=0)
            doc.fixed(x(registre))
        who = "Madame la Présidente" if p.female else "Monsieur le Président"
        comma = "," if rng.random() < 0.4 else ""
        doc.formula(
            f"{who} de la Métropole Aix-Marseille-Provence{comma} sur proposition du Commissaire Rapporteur"
            f"{comma} soumet au {body_phrase} le rapport suivant :"
        )
    else:
        if CITIES[s.city]["code"] == "dash":
            code = f"{s.order:03d}-{s.date:%d%m%y}"
            doc.fixed(x(f"N° {code}"))
        else:
            code = f"{s.date.year}/{s.order:03d}"
            doc.fixed(x(f"DELIBERATION N° {code}"))
        truth["codes"] = [{"code": code, "kind": "registre"}]
        doc.formula("OBJET : ", *obj_segs)
        rap = w.deputies[(s.city, w.mandate(s.date))][b.domain]
        doc.formula(
            "Rapporteur : ",
            f(f"{rap.civility} {rap.name}"),
            ", Adjoint" + ("e" if rap.female else "") + " au Maire",
        )
        if rng.random() < 0.6:
            doc.fixed("Mesdames, Messieurs,")

    # -- exposé ---------------------------------------------------------------------------------------
    for para in b.expose:
        doc.para(*para)

    # -- Vu, Délibère ---------------------------------------------------------------------------------
    if ctx.metro:
        doc.formula(
            f"Telles sont les raisons qui nous incitent à proposer au {body_phrase} de prendre la "
            "délibération ci-après :"
        )
        doc.fixed(f"Le {body_phrase} Aix-Marseille-Provence,")
        doc.fixed("Vu", gap=rng.choice([0, 1]))
        vus: list[list[Seg]] = [[v] for v in VU_COMMON]
        if s.body == "bureau":
            code, date = next((c, d) for start, c, d in reversed(DELEGATIONS_TO_BUREAU) if s.date >= start)
            vus.append(
                [
                    "La délibération ",
                    x(code),
                    (
                        f" du Conseil de la Métropole du {fr_date(date)} portant "
                        "délégation de compétences du Conseil au Bureau de la Métropole ;"
                    ),
                ]
            )
        else:
            if rng.random() < 0.5:
                vus.append(
                    [
                        (
                            f"La lettre de saisine de {'la Présidente' if p.female else 'le Président'} "
                            "de la Métropole ;"
                        )
                    ]
                )
            if rng.random() < 0.4:
                vus.append(
                    [
                        (
                            f"L'avis du Conseil de Territoire du Pays d'Aubagne et de l'Etoile du "
                            f"{fr_date(s.date - dt.timedelta(days=rng.randint(5, 20)))} ;"
                        )
                    ]
                )
        vus += b.vu
        for v in vus:
            doc.para(*v, gap=rng.choice([0, 1, 1]))
        doc.fixed("Ouï le rapport ci-dessus,")
        doc.fixed("Entendues les conclusions du Commissaire Rapporteur,")
        if rng.random() < 0.3:
            doc.fixed("Considérant")
            doc.para(
                "• Que ",
                ctx.collectivity,
                " souhaite soutenir les actions qui contribuent au développement "
                "et à l'attractivité du territoire ;",
            )
        doc.fixed(rng.choice(["Délibère", "Délibère", "DELIBERE", "Délibère :"]), gap=rng.choice([0, 1]))
    else:
        doc.fixed("Le Conseil Municipal,")
        doc.fixed("Ouï l'exposé du Rapporteur,", gap=0)
        vus = [["Vu le Code Général des Collectivités Territoriales,"]] + [_municipal_vu(v) for v in b.vu]
        for v in vus:
            doc.para(*v, gap=0)
        doc.fixed("Après en avoir délibéré,")
        doc.fixed(rng.choice(["DECIDE", "DÉCIDE :", "DELIBERE"]))

    # -- articles ---------------------------------------------------------------------------------------
    hstyle = rng.choices(["plain", "er", "caps", "dash", "premier"], [0.6, 0.15, 0.1, 0.1, 0.05])[0]
    inline = rng.random() < 0.2
    for n, paras in enumerate(b.articles, start=1):
        head = _heading(hstyle, n)
        if inline:
            doc.para(x(head), " ", *paras[0])
            rest = paras[1:]
        else:
            doc.fixed(x(head), gap=rng.choice([0, 1]))
            rest = paras
        for i, para in enumerate(rest):
            listy = para and para[0][0].startswith("- ")
            doc.para(*para, gap=0 if listy and i < len(rest) - 1 else None)

    # -- vote and signature -----------------------------------------------------------------------------
    vparas, vtruth = vote_part(ctx)
    for para in vparas:
        doc.formula(*para, gap=None)
    sign_domain = b.domain if b.domain in DOMAINS else "finances"
    truth["signatory"] = signature_part(ctx, sign_domain, doc)
    truth["vote"] = vtruth
    truth["object"] = b.object
    truth["articles"] = {"count": len(b.articles), "numbers": list(range(1, len(b.articles) + 1))}
    return doc, truth


def _metro_lists(doc: Doc, ctx: Ctx, sep: str, truth: dict) -> None:
    s, rng = ctx.session, ctx.rng
    wide = rng.randint(10, 25)
    doc.fixed("Etaient présents Mesdames et Messieurs :", gap=rng.choice([0, 1]))
    doc.formula(*_join([m.name for m in s.present], sep), ".", extra_width=wide)
    if s.represented:
        doc.fixed("Etaient absents et représentés Mesdames et Messieurs :", gap=0)
        segs: list = []
        for i, (a, proxy) in enumerate(s.represented):
            segs += [sep if i else "", f(a.name), f" représenté{'e' if a.female else ''} par ", f(proxy.name)]
        doc.formula(*segs, ".", extra_width=wide)
        truth["represented"] = [{"name": a.name, "proxy": pr.name} for a, pr in s.represented]
    if s.excused:
        doc.fixed("Etaient absents et excusés Mesdames et Messieurs :", gap=0)
        doc.formula(*_join([m.name for m in s.excused], sep), ".", extra_width=wide)
        truth["excused"] = [m.name for m in s.excused]


def _municipal_lists(doc: Doc, ctx: Ctx, sep: str, truth: dict) -> None:
    s, rng = ctx.session, ctx.rng
    civ = rng.random() < 0.5
    people = {p.name: p for p in s.members}

    def nm(n: str) -> str:
        return f"{people[n].short_civ} {n}" if civ else n

    doc.formula("ETAIENT PRESENTS : ", *_join([nm(m.name) for m in s.present], sep), ".")
    if s.represented:
        segs: list = ["ETAIENT ABSENTS ET REPRESENTES : "]
        pouvoir = rng.random() < 0.5
        for i, (a, proxy) in enumerate(s.represented):
            if pouvoir:
                segs += [sep if i else "", f(nm(a.name)), " (pouvoir à ", f(nm(proxy.name)), ")"]
            else:
                segs += [
                    sep if i else "",
                    f(nm(a.name)),
                    f" représenté{'e' if a.female else ''} par ",
                    f(nm(proxy.name)),
                ]
        doc.formula(*segs, ".")
        truth["represented"] = [{"name": a.name, "proxy": pr.name} for a, pr in s.represented]
    if s.excused:
        doc.formula("ETAIENT ABSENTS ET EXCUSES : ", *_join([nm(m.name) for m in s.excused], sep), ".")
        truth["excused"] = [m.name for m in s.excused]
    sec = rng.choice([p for p in s.present if p != s.president])
    doc.formula("SECRETAIRE DE SEANCE : ", f(nm(sec.name)))


def _join(names: list[str], sep: str) -> list[Seg]:
    out: list[Seg] = []
    for i, n in enumerate(names):
        if i:
            out.append((sep, P))
        out.append(f(n))
    return out
