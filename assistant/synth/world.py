"""The fixed world of the synthetic registers: formatting helpers, people, organisations, places."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..formats import MOIS as MONTHS  # one list of French month names for the whole package

# --------------------------------------------------------------------------------------------------
# Small French formatting helpers
# --------------------------------------------------------------------------------------------------


def _wordlist(text: str) -> list[str]:
    return text.split()




def de_(name: str) -> str:
    """ "de Marseille", "d'Istres"."""
    return ("d'" if name[0] in "AEIOUÉÈ" else "de ") + name


def fr_date(d: dt.date) -> str:
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


_UNITS = _wordlist(
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
)
_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}


def fr_words(n: int) -> str:
    """0..99 in French words (for "L'an deux mille dix-neuf, le vingt juin")."""
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 70:
        tens, unit = n // 10 * 10, n % 10
        if unit == 0:
            return _TENS[tens]
        return _TENS[tens] + (" et un" if unit == 1 else "-" + _UNITS[unit])
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + fr_words(n - 60)
    return "quatre-vingts" if n == 80 else "quatre-vingt-" + fr_words(n - 80)


def format_amount(
    cents: int,
    *,
    unit: str = "euros",
    show_cents: bool = False,
    sep: str = " ",
    qualifier: str | None = None,
    space_before_unit: bool = True,
) -> str:
    """French amount: 2000000 -> "20 000 euros"; 1234567 -> "12 345,67 euros HT"."""
    euros, rest = divmod(cents, 100)
    num = f"{euros:,}".replace(",", sep)
    if rest or show_cents:
        num += f",{rest:02d}"
    text = num + (" " if space_before_unit else "") + unit
    if qualifier:
        text += " " + qualifier
    return text


# --------------------------------------------------------------------------------------------------
# The world: people, associations, companies, places (fixed, the same whatever the seed)
# --------------------------------------------------------------------------------------------------

FIRST_F = _wordlist("""
    Béatrice Sylvia Danièle Arlette Maryse Danielle Hélène Catherine Sophie Nathalie Valérie Sandrine
    Christine Isabelle Marie-Pierre Josiane Monique Véronique Joëlle Cécile Laure Anne-Marie Sabine
    Marion Karima Samia Michèle Françoise Geneviève Solange Eliane Agnès Brigitte Corinne Laurence
    Muriel Pascale Mireille Nicole Sylvie Marie-José Odile Régine Aurélie Emilie Chantal Lucienne Annick
    Ghislaine
""")
FIRST_M = _wordlist("""
    Martial Christophe François Roland Patrick Gérard Christian Gaby Frédéric Georges Daniel Alexandre
    Nicolas Didier Richard Xavier Jean Pascal Henri Michel Eric Jean-Pierre Jean-Marc Bernard Philippe
    Lionel Serge Yves Jérôme Thierry Stéphane Olivier Laurent Sébastien Rémi Hervé Maurice Gilbert
    Marcel Karim Mohamed Saïd Jacques Antoine Benoît Loïc Noël Raphaël André Claude Guy Lucien René
    Jean-Luc Gilles Jean-François
""")
SURNAMES = _wordlist("""
    ALBERTINI ANDREANI ARNAUD AUDIBERT BARTOLI BAUDOIN BELTRAMI BENSAID BERENGER BLANCARD BONIFAY
    BOUCHET BRUNETTI CAMOIN CAPPELLI CASTELLI CHABAUD COSTANTINI DAUMAS DELOYE DURBEC ESPANET FABRE
    FERAUD FLORI GARCIN GASQUET GHIBAUDO GIRAUD GUIGOU IMBERT JAUFFRET KHALDI LAUGIER MAGNAN MARTINEZ
    MASSON MEDINA MICHELIS MOLLE NAHON OLIVIERI PAOLI PELLEGRIN PEYRON PIETRI RAYBAUD REBOUL RICCI
    ROUBAUD SANTUCCI SICARD TASSY TOMASINI VERNET ZERBIB AGOPIAN KASPARIAN MOURADIAN CHAUVIN ROUSTAN
    GIORDANO AILLAUD ALLEGRE AMIEL ANTONINI AYME BARBIER BERTRAND BIANCHI BOYER BREMOND CARLIN CAVALLO
    CERMOLACCE CHIAPPE COLOMBANI CORNILLE DALMAS DAVIN DERAI EYRAUD FAURE FIGUIERE FRANCESCHI GAUTIER
    GIANNOTTI GRIMAUD GUEIRARD HONORAT ISOARD JOURDAN LAMBERT LEONETTI LIEUTAUD LOMBARD MAUREL MEIFFREN
    MILLE MOUTTE NEGREL ORSINI PAGES PASTOR PERRIN PLANTIER PONS-VIALE QUILICI REYNAUD ROLLAND ROUVIER
    SABATIER SALVADOR SAUVAIRE SERRA SIMONI TEISSEIRE TRUC VIAL VIDAL VILLECROZE
""")
COMPOUND_SURNAMES = [
    "LE GOFF",
    "DI MEGLIO",
    "DE ROCCA",
    "JOUVE MASINI",
    "SAINT-JEAN",
    "DEL RIO",
    "BONNET-GUIEU",
    "LA ROCCA",
]

COMMUNES = [
    c.strip()
    for c in """
    Aubagne | Marseille | Aix-en-Provence | La Ciotat | Martigues | Istres | Salon-de-Provence |
    Vitrolles | Marignane | Gardanne | Allauch | Plan-de-Cuques | Gémenos | Cassis | Carry-le-Rouet |
    Sausset-les-Pins | Châteauneuf-les-Martigues | Fos-sur-Mer | Miramas | Pertuis | Trets | Rousset |
    Septèmes-les-Vallons | Bouc-Bel-Air | Cabriès | Roquevaire | Auriol | La Penne-sur-Huveaune |
    Ceyreste | Port-de-Bouc | Berre-l'Etang | Rognac | Velaux | Lambesc | Eguilles | Venelles | Meyreuil
    | Fuveau | Peynier | Cuges-les-Pins | Saint-Chamas | Gignac-la-Nerthe
""".replace("\n", " ").split("|")
]


@dataclass(frozen=True)
class Org:
    """A beneficiary or counterparty: `lead` is how the text introduces it (assoc, f, m, v, soc, none)."""

    name: str
    lead: str
    domain: str = ""
    city: str = ""
    base_cents: int = 0
    span: tuple[int, int] = (2016, 2026)
    projects: tuple[str, ...] = ()


def _orgs(table: str) -> list[Org]:
    """Rows "name | lead | domain | city | base amount in euros | years funded", then an indented line of
    projects separated by " ; "."""
    out = []
    lines = table.strip("\n").splitlines()
    for line, projects in zip(lines[::2], lines[1::2]):
        name, lead, domain, city, base, span = (v.strip() for v in line.split("|"))
        first, last = span.split("-")
        out.append(
            Org(
                name,
                lead,
                domain,
                city,
                int(base) * 100,
                (int(first), int(last)),
                tuple(p.strip() for p in projects.split(";")),
            )
        )
    return out


ASSOCIATIONS: list[Org] = _orgs("""
Maison de l'Emploi Ouest Provence | f | emploi | Istres | 85000 | 2016-2023
    le fonctionnement de son Point Information Emploi ; son programme d'actions
Mission Locale du Pays d'Aubagne et de l'Etoile | f | emploi | Aubagne | 120000 | 2016-2025
    l'accompagnement des jeunes vers l'emploi ; le dispositif Garantie Jeunes
Ecole de la Deuxième Chance de Marseille | v | emploi | Marseille | 250000 | 2017-2024
    son programme de formation ; l'ouverture d'un site à Vitrolles
Réseau Entreprendre Provence | m | economie | Aix-en-Provence | 40000 | 2016-2022
    l'accompagnement des créateurs d'entreprises ; son programme d'actions
Initiative Pays d'Aix | assoc | economie | Aix-en-Provence | 60000 | 2018-2026
    les prêts d'honneur aux créateurs ; son programme d'actions
Technopôle de l'Arbois-Méditerranée | f | recherche | Aix-en-Provence | 180000 | 2016-2021
    l'animation du technopôle ; son programme d'animation
Incubateur Belle de Mai | m | recherche | Marseille | 95000 | 2019-2026
    l'accompagnement des jeunes pousses ; son programme d'incubation
Pôle Mer Méditerranée | m | economie | Marseille | 70000 | 2016-2020
    l'animation de la filière maritime ; son programme d'actions
Club des Entreprises de la Vallée de l'Huveaune | m | economie | Aubagne | 15000 | 2017-2025
    l'animation du réseau des entreprises ; son programme d'actions
Association Régionale pour l'Insertion Professionnelle | v | emploi | Marseille | 30000 | 2016-2019
    ses ateliers d'insertion ; son programme d'actions
Plateforme Emploi Solidarité de l'Etang de Berre | f | emploi | Martigues | 25000 | 2019-2026
    ses chantiers d'insertion ; son programme d'actions
Festival de la Côte Bleue | m | culture | Carry-le-Rouet | 45000 | 2016-2026
    l'édition du festival ; sa programmation estivale
Théâtre du Petit Matin | assoc | culture | Marseille | 12000 | 2016-2024
    sa saison artistique ; ses actions de médiation
Orchestre des Jeunes de Provence | assoc | culture | Salon-de-Provence | 20000 | 2018-2026
    sa tournée métropolitaine ; ses concerts pédagogiques
Rencontres Photographiques de l'Etoile | assoc | culture | Aubagne | 8000 | 2016-2022
    l'édition des Rencontres ; son exposition annuelle
Compagnie Mistral Danse | f | culture | Istres | 10000 | 2017-2025
    sa création chorégraphique ; ses ateliers de danse
Festival de Jazz des Calanques | m | culture | La Ciotat | 35000 | 2016-2026
    l'édition du festival ; ses concerts gratuits
Ciné-Club du Pays Salonais | m | culture | Salon-de-Provence | 4000 | 2016-2021
    sa programmation ; ses séances en plein air
Sporting Club Aubagnais | m | sport | Aubagne | 18000 | 2016-2026
    sa saison sportive ; son école de football
Union Nautique de Martigues | f | sport | Martigues | 22000 | 2016-2024
    la régate internationale ; sa saison sportive
Marseille Provence Cyclisme | assoc | sport | Marseille | 50000 | 2018-2026
    l'organisation du Grand Prix cycliste ; sa saison sportive
Athlétic Club Istréen | v | sport | Istres | 9000 | 2016-2023
    le meeting d'athlétisme ; sa saison sportive
Handball Club de la Ciotat | m | sport | La Ciotat | 14000 | 2017-2026
    sa saison sportive ; le tournoi des jeunes
Collectif Calanques Propres | m | environnement | Marseille | 6000 | 2018-2026
    ses opérations de nettoyage ; son programme de sensibilisation
Association de Sauvegarde de l'Etang de Berre | v | environnement | Berre-l'Etang | 11000 | 2016-2023
    le suivi écologique de l'étang ; son programme d'actions
Conservatoire des Restanques et Vergers de l'Etoile | m | environnement | Aubagne | 7500 | 2016-2025
    la sauvegarde des variétés fruitières ; ses ateliers pédagogiques
Energies Citoyennes Provence | assoc | environnement | Aix-en-Provence | 16000 | 2019-2026
    son programme de rénovation énergétique ; ses actions de sensibilisation
Foyer Solidarité Marseille Nord | assoc | solidarite | Marseille | 40000 | 2016-2026
    l'accueil de jour ; son épicerie solidaire
Œuvre des Jeunes de Saint-Henri | f | solidarite | Marseille | 13000 | 2016-2022
    ses activités éducatives ; son centre de loisirs
Secours Solidaire de l'Etoile | m | solidarite | Gardanne | 9500 | 2017-2026
    l'aide alimentaire ; son programme d'actions
Habitat Alternatif Social Provence | assoc | solidarite | Marseille | 55000 | 2016-2024
    l'hébergement d'urgence ; son programme d'accompagnement
Association des Producteurs du Pays d'Aubagne | v | agriculture | Aubagne | 12000 | 2016-2026
    la promotion des produits locaux ; le marché paysan
Marché Paysan de la Côte Bleue | m | agriculture | Sausset-les-Pins | 5000 | 2019-2026
    l'organisation du marché ; ses actions de promotion
Syndicat des Vignerons de Cassis | m | agriculture | Cassis | 8000 | 2016-2021
    la fête des vendanges ; la promotion de l'appellation
Fondation Universitaire Provence Méditerranée | f | recherche | Marseille | 150000 | 2016-2026
    ses chaires de recherche ; son programme de bourses
Association Etudiante Aix-Marseille Solidaire | v | recherche | Aix-en-Provence | 5000 | 2020-2026
    son épicerie étudiante ; ses actions de solidarité
Centre Social La Garance | m | solidarite | Vitrolles | 26000 | 2016-2026
    son projet social ; l'accompagnement scolaire
Office de Tourisme de Martigues | v | culture | Martigues | 90000 | 2016-2026
    la promotion touristique ; son programme d'animations
Comité des Fêtes de Salon-de-Provence | m | culture | Salon-de-Provence | 30000 | 2016-2026
    les fêtes de la Saint-Jean ; son programme d'animations
Amicale Laïque d'Istres | f | solidarite | Istres | 12500 | 2016-2026
    ses activités périscolaires ; son programme d'actions
Ecole de Musique de La Ciotat | v | culture | La Ciotat | 19000 | 2016-2026
    son fonctionnement ; ses classes orchestres
""")

COMPANIES = [
    "PROVENCE TRAVAUX PUBLICS",
    "ROUTES ET RESEAUX DU SUD",
    "BATIMENTS DE L'ETOILE",
    "NETTOIEMENT SERVICES PROVENCE",
    "ECLAIRAGES URBAINS MEDITERRANEE",
    "INFOGESTION 13",
    "TRANSPORTS AUTOCARS DU GARLABAN",
    "PAYSAGES ET JARDINS DE PROVENCE",
    "SIGNALISATION DU MIDI",
    "IMPRIMERIE DU VIEUX-PORT",
    "SOMEDAS",
    "HYDRAULIQUE ET CANALISATIONS DU SUD",
    "GENIE CLIMATIQUE PROVENCAL",
    "ASCENSEURS MEDITERRANEE",
    "SECURITE GARDIENNAGE PHOCEEN",
    "BUREAU D'ETUDES VERDON INGENIERIE",
    "ATELIER D'ARCHITECTURE LAUGIER ET ASSOCIES",
    "MEDITERRANEE ESPACES VERTS",
    "DURANCE ENROBES",
    "CABINET CONSEIL FINANCES LOCALES",
]
COMPANY_FORMS = ["SAS", "SARL", "SA", "", "", ""]

BORROWERS = [
    Org("Habitat Provençal", "f", city="Aubagne"),
    Org("Logis Méditerranée", "f", city="Marseille"),
    Org("Les Toits du Garlaban", "f", city="Aubagne"),
    Org("Provence Logement Social", "f", city="Istres"),
    Org("Habitat de l'Etoile", "v", city="Gardanne"),
    Org("Le Nouveau Logis Provençal", "m", city="Martigues"),
    Org("Foyers et Résidences du Sud", "f", city="Salon-de-Provence"),
]
BORROWER_FORMS = [
    "SA d'HLM",
    "Société Anonyme d'HLM",
    "Office Public de l'Habitat",
    "Société Coopérative d'HLM",
]

SELLERS = [
    "SCI LES OLIVIERS",
    "SCI DU VALLON DES AUFFES",
    "SCI LA BASTIDE BLANCHE",
    "SCI LES CIGALES",
    "SARL FONCIERE DU GARLABAN",
    "SCI DU DOMAINE DE LA TOUR",
    "SCI LES PINS D'ALEP",
]

PARTNERS = [
    Org("Aix-Marseille Université", "f", "recherche"),
    Org("Chambre de Commerce et d'Industrie Aix Marseille Provence", "f", "economie"),
    Org("Chambre des Métiers et de l'Artisanat de Région", "f", "economie"),
    Org("Office National des Forêts", "v", "environnement"),
    Org("Conservatoire du Littoral", "m", "environnement"),
    Org("Parc National des Calanques", "m", "environnement"),
    Org("Caisse d'Allocations Familiales des Bouches-du-Rhône", "f", "solidarite"),
    Org("Pôle Emploi Provence-Alpes-Côte d'Azur", "m", "emploi"),
    Org("Chambre d'Agriculture des Bouches-du-Rhône", "f", "agriculture"),
    Org("Agence d'Urbanisme de l'Agglomération Marseillaise", "f", "economie"),
]

COFINANCERS = [
    "le Fonds Social Européen",
    "la Région Sud – Provence-Alpes-Côte d'Azur",
    "le Département des Bouches-du-Rhône",
    "la Ville de Marseille",
    "l'Etat",
    "la Caisse des Dépôts",
    "la Banque Publique d'Investissement",
    "le Fonds Européen de Développement Régional",
    "la Ville d'Aix-en-Provence",
]

# Vice-presidencies: domain -> (service prefix, delegation title)
DOMAINS: dict[str, tuple[str, str]] = {
    "emploi": ("EMP", "Emploi, Insertion, Economie sociale et solidaire"),
    "economie": ("ECO", "Economie, Attractivité, Zones d'activités"),
    "culture": ("CULT", "Culture et Grands Equipements culturels"),
    "sport": ("SPO", "Sport, Grands Equipements sportifs"),
    "environnement": ("ENV", "Environnement, Transition énergétique, Qualité de l'air"),
    "solidarite": ("SOL", "Solidarités, Politique de la ville, Cohésion sociale"),
    "agriculture": ("AGRI", "Agriculture, Viticulture, Forêt"),
    "recherche": ("ESRI", "Enseignement supérieur, Recherche, Innovation"),
    "mobilite": ("MOB", "Transports, Mobilité, Déplacements"),
    "eau": ("DEA", "Eau, Assainissement, Pluvial"),
    "voirie": ("VOI", "Voirie, Espace public, Travaux"),
    "habitat": ("HAB", "Habitat, Logement, Politique foncière"),
    "foncier": ("URBA", "Stratégie foncière, Aménagement du territoire"),
    "finances": ("FAG", "Finances, Budget, Administration générale"),
}
MUNICIPAL_DELEGATIONS = {
    "emploi": "à l'Emploi et à l'Insertion",
    "economie": "au Développement économique",
    "culture": "à la Culture",
    "sport": "aux Sports",
    "environnement": "à l'Environnement",
    "solidarite": "à l'Action sociale",
    "agriculture": "à l'Agriculture",
    "recherche": "à la Jeunesse",
    "mobilite": "aux Transports",
    "eau": "aux Travaux",
    "voirie": "aux Travaux",
    "habitat": "au Logement",
    "foncier": "à l'Urbanisme",
    "finances": "aux Finances",
}

CITIES: dict[str, dict] = {  # municipal councils we generate, with their register style
    "Aubagne": {"seats": 45, "code": "dash"},
    "La Ciotat": {"seats": 39, "code": "slash"},
    "Martigues": {"seats": 45, "code": "dash"},
    "Istres": {"seats": 43, "code": "slash"},
    "Salon-de-Provence": {"seats": 45, "code": "dash"},
}

DELEGATIONS_TO_BUREAU = [  # (from, code, date) of the Conseil's delegation deliberation quoted in the Vu
    (dt.date(2016, 1, 1), "HN 004-016/16/CM", dt.date(2016, 3, 17)),
    (dt.date(2017, 4, 1), "HN 011-1452/17/CM", dt.date(2017, 3, 30)),
    (dt.date(2019, 4, 1), "FAG 21-5718/19/CM", dt.date(2019, 3, 28)),
    (dt.date(2020, 7, 20), "HN 001-8072/20/CM", dt.date(2020, 7, 17)),
    (dt.date(2023, 7, 1), "HN 002-14198/23/CM", dt.date(2023, 6, 29)),
]
MANDATE_SWITCH = dt.date(2020, 7, 1)
PRESIDENT_SWITCH = dt.date(2018, 9, 20)


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    female: bool

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def civility(self) -> str:
        return "Madame" if self.female else "Monsieur"

    @property
    def short_civ(self) -> str:
        return "Mme" if self.female else "M."


class World:
    """Fixed people and assemblies, the same for every seed (members recur across sessions and files)."""

    def __init__(self) -> None:
        rng = random.Random("delib-synth-world-v1")
        seen: set[str] = set()
        people: list[Person] = []
        surnames = SURNAMES + COMPOUND_SURNAMES
        while len(people) < 700:
            female = rng.random() < 0.45
            first = rng.choice(FIRST_F if female else FIRST_M)
            last = rng.choice(surnames)
            if rng.random() < 0.03:
                last = f"{last} {rng.choice(SURNAMES)}"
            if f"{first} {last}" in seen:
                continue
            seen.add(f"{first} {last}")
            people.append(Person(first, last, female))
        self.people = people
        pool = people[:]
        # Conseil de la Métropole: 240 seats per mandate, half of them re-elected in 2020.
        council_a = pool[:240]
        council_b = pool[:120] + pool[240:360]
        self.council = {"A": council_a, "B": council_b}
        self.bureau = {"A": council_a[:36], "B": council_b[100:136]}
        self.presidents = {
            "A1": council_a[3],
            "A2": Person("Catherine", "VALLIER", True),
            "B": None,
        }
        # the 2018 president was already a bureau member; keep her in both mandates' bureaux
        self.bureau["A"] = [p for p in self.bureau["A"]] + [self.presidents["A2"]]
        self.council["A"] = council_a + [self.presidents["A2"]]
        self.council["B"] = council_b + [self.presidents["A2"]]
        self.bureau["B"] = self.bureau["B"] + [self.presidents["A2"]]
        self.presidents["B"] = self.presidents["A2"]
        doms = list(DOMAINS)
        self.vps = {m: {d: self.bureau[m][i * 2 + 5] for i, d in enumerate(doms)} for m in ("A", "B")}
        # municipal councils
        self.municipal: dict[tuple[str, str], list[Person]] = {}
        self.mayors: dict[tuple[str, str], Person] = {}
        self.deputies: dict[tuple[str, str], dict[str, Person]] = {}
        start = 360
        for city, info in CITIES.items():
            for mandate in ("A", "B"):
                seats = info["seats"]
                if mandate == "B":  # a third of each council is renewed in 2020
                    keep = self.municipal[(city, "A")][: seats * 2 // 3]
                    members = keep + pool[start : start + seats - len(keep)]
                    start += seats - len(keep)
                else:
                    members = pool[start : start + seats]
                    start += seats
                self.municipal[(city, mandate)] = members
                self.mayors[(city, mandate)] = members[0] if mandate == "A" else members[1]
                self.deputies[(city, mandate)] = {d: members[2 + i % 12] for i, d in enumerate(doms)}

    def president(self, date: dt.date) -> Person:
        if date >= MANDATE_SWITCH:
            return self.presidents["B"]
        return self.presidents["A2"] if date >= PRESIDENT_SWITCH else self.presidents["A1"]

    @staticmethod
    def mandate(date: dt.date) -> str:
        return "B" if date >= MANDATE_SWITCH else "A"


_WORLD: World | None = None


def get_world() -> World:
    global _WORLD
    if _WORLD is None:
        _WORLD = World()
    return _WORLD
