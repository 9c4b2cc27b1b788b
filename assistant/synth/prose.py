"""Sentence banks for exposés, subjects of contracts, tariffs, organisations."""

from __future__ import annotations

import re


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each joined into one line."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]


DOMAIN_PROSE: dict[str, list[str]] = {
    "emploi": _paragraphs("""
        La Métropole Aix-Marseille-Provence est forte d'atouts pour devenir une des métropoles les plus
        compétitives, notamment au regard des potentiels en matière d'emploi. Dans ce contexte, la
        Métropole ambitionne un développement économique destiné à faciliter l'accès à l'emploi et
        l'inclusion sociale des populations les plus fragiles.

        La situation de l'emploi sur le territoire métropolitain est un des sujets majeurs qui doit
        marquer le rôle important que la Métropole entend jouer dans le développement économique et
        social des territoires qui la composent, en prenant appui sur l'expertise des différents acteurs
        publics et privés du territoire.

        La politique soutenue dans le domaine de l'emploi et de l'insertion s'inscrit dans des processus
        de concertation avec les partenaires socio-économiques, afin de favoriser l'accès ou le retour à
        l'emploi des personnes les plus en difficulté.

        {B} accompagne chaque année plus de {n} personnes éloignées de l'emploi sur le territoire
        {de_city}, en lien étroit avec les entreprises locales et les acteurs du service public de
        l'emploi.
    """),
    "economie": _paragraphs("""
        Dans le cadre de sa compétence en matière de développement économique, la Métropole soutient les
        structures qui contribuent à la création, à l'implantation et au développement des entreprises
        sur son territoire.

        L'Agenda du développement économique métropolitain fixe comme priorités l'accompagnement des
        entreprises innovantes, le soutien à l'entrepreneuriat et l'attractivité internationale du
        territoire.

        {B} a accompagné en {prev} plus de {n} porteurs de projets et contribué à la création ou au
        maintien de près de {m} emplois sur le territoire métropolitain.
    """),
    "culture": _paragraphs("""
        La Métropole mène une politique culturelle ambitieuse qui vise à favoriser l'accès de tous à la
        culture, à soutenir la création et à renforcer le rayonnement du territoire.

        {B} organise chaque année à {city} une manifestation reconnue qui réunit un large public et
        contribue à l'animation du territoire et à son attractivité touristique.

        L'édition {year} proposera {n} représentations, des actions de médiation en direction des
        publics scolaires et des habitants des quartiers prioritaires, ainsi que des rencontres avec les
        artistes.

        Les œuvres présentées, accessibles au plus grand nombre, font une large place aux artistes du
        territoire et à la création contemporaine.
    """),
    "sport": _paragraphs("""
        Le sport constitue un vecteur essentiel de cohésion sociale, de santé publique et d'attractivité
        pour le territoire métropolitain.

        {B}, qui compte plus de {n} licenciés, développe une politique de formation des jeunes et
        participe à l'animation sportive {de_city}.

        La Métropole souhaite accompagner les clubs de haut niveau et les manifestations sportives qui
        participent au rayonnement du territoire, tout en favorisant la pratique du sport pour tous.
    """),
    "environnement": _paragraphs("""
        La Métropole s'est engagée dans une politique volontariste en faveur de la transition
        écologique, de la préservation des espaces naturels et de la qualité de l'air.

        {B} mène depuis plusieurs années des actions de sensibilisation et d'éducation à l'environnement
        auprès des scolaires et du grand public sur le territoire {de_city}.

        Le programme d'actions {year} comprend notamment des opérations de nettoyage des sites naturels,
        des animations pédagogiques et le suivi de la biodiversité du littoral et des massifs.
    """),
    "solidarite": _paragraphs("""
        Le champ de la lutte contre la pauvreté et pour l'inclusion sociale se caractérise par un
        spectre particulièrement étendu d'acteurs mobilisés, de natures diverses, avec des modes
        d'organisation et de gouvernance qui leur sont propres.

        {B} œuvre depuis de nombreuses années auprès des publics en grande fragilité, en proposant un
        accueil, un accompagnement social et une aide matérielle.

        L'enjeu majeur est bien l'articulation des acteurs locaux et la complémentarité des actions
        mises en œuvre en faveur de l'usager.
    """),
    "agriculture": _paragraphs("""
        La Métropole a adopté un Projet Alimentaire Territorial qui vise à développer une agriculture de
        proximité, à soutenir les circuits courts et à préserver le foncier agricole.

        {B} fédère les producteurs du territoire et organise des marchés paysans, des actions de
        promotion des produits locaux et des formations à destination des exploitants.
    """),
    "recherche": _paragraphs("""
        Le territoire métropolitain dispose d'un potentiel d'enseignement supérieur et de recherche de
        premier plan, que la Métropole entend valoriser au service du développement économique.

        {B} porte des projets qui favorisent les liens entre la recherche publique, les entreprises et
        les étudiants, et contribue ainsi à l'attractivité du territoire.
    """),
}

GENERIC_PROSE = _paragraphs("""
    Pour ce faire, {coll} souhaite apporter son soutien aux actions portées par {B}, dont le programme
    s'inscrit pleinement dans les orientations stratégiques définies par l'assemblée délibérante.

    {B} a présenté un bilan de son activité de l'année {prev} faisant apparaître des résultats conformes
    aux objectifs fixés, tant sur le plan qualitatif que sur le plan financier.

    Le budget prévisionnel de l'action s'équilibre en dépenses et en recettes ; il fait apparaître la
    participation de plusieurs partenaires publics et privés.

    Les actions proposées s'adressent prioritairement aux habitants des quartiers relevant de la
    politique de la ville ainsi qu'aux publics les plus éloignés des dispositifs de droit commun.

    Une convention fixe les modalités de versement de la subvention ainsi que les obligations {dB},
    notamment la production d'un bilan qualitatif et financier de l'action.

    Le versement de la subvention interviendra en deux fois : une avance de 50 % à la notification de la
    convention, le solde sur production des justificatifs de réalisation de l'action.

    Au regard de l'intérêt {interet} de ces actions, il est proposé de reconduire le soutien apporté
    {aB}.
""")
ACTION_ITEMS = [
    "Accueillir et informer le public sur l'ensemble du territoire",
    ("Organiser des rencontres avec les entreprises et les acteurs locaux"),
    "Mettre en place des ateliers collectifs thématiques",
    "Accompagner individuellement les participants dans leur parcours",
    ("Communiquer et valoriser les résultats obtenus auprès des partenaires"),
    "Mobiliser les bénévoles et les partenaires de proximité",
    "Evaluer les actions conduites et en rendre compte aux financeurs",
    ("Développer des outils numériques innovants à destination des publics"),
]
THEMES = {  # domain -> (after "relative", after "en matière")
    "emploi": ("au développement de l'emploi local", "de développement de l'emploi local"),
    "economie": ("à l'attractivité économique du territoire", "d'attractivité économique"),
    "culture": ("à la diffusion culturelle sur le territoire", "de diffusion culturelle"),
    "sport": ("au développement de la pratique sportive", "de pratique sportive"),
    "environnement": ("à la préservation des espaces naturels", "de préservation des espaces naturels"),
    "solidarite": ("à l'inclusion sociale", "d'inclusion sociale"),
    "agriculture": ("au développement de l'agriculture de proximité", "d'agriculture de proximité"),
    "recherche": ("à l'innovation et à la recherche", "d'innovation et de recherche"),
}

MARCHE_SUBJECTS = {  # domain -> (object of the contract, kind)
    "voirie": [
        "les travaux de requalification de l'avenue {place} à {commune}",
        "l'entretien et la réparation des chaussées du territoire {de_commune}",
        "la fourniture et la pose de signalisation verticale",
    ],
    "eau": [
        "les travaux de renouvellement des réseaux d'eau potable à {commune}",
        "la réhabilitation de la station d'épuration {de_commune}",
        "l'exploitation des ouvrages de gestion des eaux pluviales",
    ],
    "mobilite": [
        "l'exploitation des lignes de transport scolaire du secteur {de_commune}",
        "la fourniture de vélos à assistance électrique",
        "l'aménagement du pôle d'échanges {de_commune}",
    ],
    "environnement": [
        "la collecte des déchets ménagers et assimilés sur la commune {de_commune}",
        "le nettoiement des plages {de_commune}",
        "l'entretien des espaces verts métropolitains",
    ],
    "finances": [
        "une mission d'assistance à maîtrise d'ouvrage financière",
        "la fourniture de matériel informatique",
        "l'impression des documents administratifs",
    ],
    "culture": [
        "la maintenance des équipements scéniques du théâtre {de_commune}",
        "la réalisation de l'exposition temporaire du musée {de_commune}",
    ],
}
PLACES = [
    "de la République",
    "Jean Jaurès",
    "des Pins",
    "du 8 mai 1945",
    "Frédéric Mistral",
    "de la Gare",
    "Marcel Pagnol",
    "des Calanques",
    "Paul Cézanne",
    "du Général de Gaulle",
    "Gambetta",
]
LIEUX = [
    "lieu-dit Les Paluds",
    "quartier de la Tourtelle",
    "chemin de la Bastide Neuve",
    "lieu-dit Saint-Pierre",
    "avenue des Templiers",
    "quartier des Aubes",
    "ZAC des Florides",
    "lieu-dit La Plaine",
    "chemin des Restanques",
    "quartier Saint-Mitre",
]
OPERATIONS = [
    "d'aménagement de la ZAC {name}",
    "de réalisation du Bus à Haut Niveau de Service",
    "d'élargissement de la route départementale",
    "de création d'un bassin de rétention",
    "de réalisation d'un parc relais",
    "d'extension de la zone d'activités {name}",
    "de création d'une voie verte",
]
RESIDENCES = [
    "Les Lavandes",
    "Le Clos des Oliviers",
    "Les Terrasses du Garlaban",
    "Le Domaine des Pins",
    "Les Jardins de l'Huveaune",
    "La Bastide Rose",
    "Les Hauts de Sainte-Victoire",
    "Le Mas des Cigales",
]
TARIF_SUBJECTS = {  # (subject, budget kind, items)
    "metro": [
        (
            "des piscines métropolitaines du Territoire du Pays d'Aubagne et de l'Etoile",
            "annexe Piscines",
            [
                ("Entrée plein tarif", 450),
                ("Entrée tarif réduit", 300),
                ("Carte 10 entrées", 3800),
                ("Abonnement annuel", 18000),
                ("Leçon de natation", 1200),
            ],
        ),
        (
            "du conservatoire à rayonnement intercommunal",
            "principal",
            [
                ("Droits d'inscription annuels - enfant", 9500),
                ("Droits d'inscription annuels - adulte", 21000),
                ("Location d'instrument (par trimestre)", 4500),
                ("Pratique collective seule", 6000),
            ],
        ),
        (
            "des parcs relais métropolitains",
            "annexe Transports",
            [
                ("Stationnement à la journée", 350),
                ("Abonnement mensuel", 3000),
                ("Abonnement annuel", 25000),
                ("Ticket perdu", 1500),
            ],
        ),
        (
            "de la redevance spéciale d'enlèvement des déchets assimilés",
            "principal",
            [
                ("Bac de 240 litres (par levée)", 312),
                ("Bac de 660 litres (par levée)", 858),
                ("Forfait annuel minimum", 15000),
            ],
        ),
    ],
    "municipal": [
        (
            "de la restauration scolaire",
            "principal",
            [
                ("Repas enfant - tranche 1", 150),
                ("Repas enfant - tranche 2", 280),
                ("Repas enfant - tranche 3", 410),
                ("Repas adulte", 620),
            ],
        ),
        (
            "de location des salles municipales",
            "principal",
            [
                ("Salle des fêtes - journée", 45000),
                ("Salle des fêtes - caution", 100000),
                ("Salle de quartier - demi-journée", 8000),
            ],
        ),
        (
            "d'occupation du domaine public",
            "principal",
            [
                ("Terrasse ouverte (le m² par an)", 2500),
                ("Terrasse fermée (le m² par an)", 6000),
                ("Etalage (le m² par an)", 1800),
            ],
        ),
        (
            "de l'école municipale des sports",
            "principal",
            [
                ("Inscription annuelle - 1er enfant", 6000),
                ("Inscription annuelle - 2e enfant", 4500),
                ("Stage vacances (la semaine)", 7500),
            ],
        ),
    ],
}
ORGANISMES = [
    "du conseil d'administration de l'Agence d'Urbanisme de l'Agglomération Marseillaise",
    "du Syndicat Mixte du Bassin Versant de l'Huveaune",
    "de la Commission Locale de l'Eau du SAGE de l'Arc",
    "du conseil d'administration de la Société Publique Locale Façonéo",
    "de l'assemblée générale de l'association Provence Promotion",
    "du conseil de surveillance du Grand Port Maritime de Marseille",
    "du conseil d'administration du Lycée Professionnel Louis Blériot",
    "du Comité Syndical du Parc Naturel Régional de la Sainte-Baume",
]
AVENANT_REASONS = [
    "la découverte de réseaux non répertoriés",
    ("des adaptations techniques demandées par les concessionnaires"),
    "la prolongation de la durée d'exécution des prestations",
    "l'intégration de prestations complémentaires de mise en sécurité",
]
