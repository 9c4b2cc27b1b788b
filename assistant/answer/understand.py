"""Understand a question without a model: language, intent and entities.

Rules over French/English words for the language and the intent; the registry's own names for the
entities (a beneficiary is matched fuzzily and OCR-insensitively against what the registry holds, so
"Cité des Métiers" finds "Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur"); regexes
for years, codes and amounts; dateparser for session dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from .. import textnorm
from ..formats import QUESTION_DATES, parse_question_date

Intent = str  # one of INTENTS
INTENTS = (
    "amount", "beneficiary", "purpose", "date", "signatory", "members", "present_count", "vote",
    "budget", "cofinancers", "total", "count", "general", "secretary", "president", "convocation", "counts",
    "decision", "duration", "history",
)

# -- language ------------------------------------------------------------------------------------

_FR_WORDS_TEXT = """le la les des du de un une et est a à au aux qui que quoi quel quelle quels quelles combien
    quand pourquoi comment été était étaient ont pour par sur dans en avec cette ce ces son sa ses leur
    qu l d il elle ils elles on y t-il t-elle a-t-il a-t-elle ont-ils est-ce qu'est-ce lors séance
    accordé accordée attribué attribuée signé signée présents absents excusés représentés"""
_FR_WORDS = frozenset(_FR_WORDS_TEXT.split())
_EN_WORDS_TEXT = """the what who whom whose which when why how many much was were is are did does do has have had
    to of in on at for by from with it its this that these those there their granted awarded given
    signed present absent excused represented members amount total sum session meeting and any also
    deliberation grant grants subsidy subsidies against votes voted"""
_EN_WORDS = frozenset(_EN_WORDS_TEXT.split())
_FR_ELISION = re.compile(r"\b(?:l|d|qu|j|n|s|c)['’]\w", re.IGNORECASE)


def language_scores(text: str) -> tuple[int, int]:
    """(French, English) evidence: function words of each language, French elisions."""
    words = re.findall(r"[\w'’-]+", text.lower())
    fr = sum(w in _FR_WORDS for w in words) + len(_FR_ELISION.findall(text))
    en = sum(w in _EN_WORDS for w in words)
    return fr, en


def detect_language(text: str) -> str:
    """"fr" or "en" from function words (elisions count for French); ties go to French.

    Call it on the question with proper names blanked out: "Cité des Métiers" is French whatever the
    question's language.
    """
    fr, en = language_scores(text)
    return "en" if en > fr else "fr"


# -- intent --------------------------------------------------------------------------------------

# Tried in order on the folded question (accents removed, lower case); the first match wins.
_INTENT_RULES: list[tuple[Intent, re.Pattern]] = [
    # A beneficiary's grants year by year: "Historique des subventions à X", "les subventions à X par année".
    ("history", re.compile(r"\bhistorique\b|\bhistory\b|\bpar (annee|an|exercice)\b|\bby year\b|\bper year\b|"
                           r"year (by|after) year|d.annee en annee|annee par annee")),
    # The session's own facts: its secretary, who presided, when it was convened, how many sat and voted.
    ("secretary", re.compile(r"secretaire|secretary")),
    # The next session, as a session's closing announces it: a sentence answers, not the session's records.
    ("general", re.compile(r"\b(?:prochaine|suivante) seance|seance (?:suivante|prochaine)|"
                           r"\b(?:next|following) (?:session|meeting)")),
    ("convocation", re.compile(r"convoqu|convocation|convened|summoned")),
    # How many things a text lists ("combien de décisions figuraient dans le compte-rendu"): a number it gives.
    ("general", re.compile(r"\b(?:combien|how many)\b.*\b(?:figur\w*|mentionn\w*|recense\w*|listed|cited|contained|"
                           r"included) (?:dans|in)\b")),
    ("president", re.compile(
        r"qui (a |avait )?presid|presidait|presidee? par|sous la presidence|qui etait (le |la )?president|"
        r"who (chaired|presided)|\bchaired\b|\bpresided\b|who was (the )?(president|chair)\b")),
    ("counts", re.compile(
        r"en exercice|in office|\bvotants?\b|(combien|nombre|how many)\b.*\b(ont vote|voted|voting|procurations?|"
        r"pouvoirs|represente|represented)")),
    ("cofinancers", re.compile(
        r"co-?financ|co-?fund|financeurs|funders|partenaires financiers|qui d.autre finance|"
        r"financ\w* (aussi|egalement|par qui)|also fund|other (funders|financers|partners)")),
    ("signatory", re.compile(r"\bsign|certifi")),
    ("date", re.compile(
        r"\bquand\b|\bwhen\b|quelles? dates?\b|what date|which date|a quelle seance|which (session|meeting)|"
        r"on what day|\bdate (de|of)\b|\ben quelle annee\b|what year|which year")),
    ("vote", re.compile(
        r"abstention|abstenu|abstain|unanim|\badopt|votes? contre|voix (contre|pour)|vote against|voted against|against\b|"
        r"\bopposed|resultat du vote|vote result|\b(le|du|au|the|a) vote\b|how did .* vote|how was .* voted|"
        r"comment .* vote(e|es|s)?\b|mise aux voix")),
    ("present_count", re.compile(
        r"combien (de |d.)(membres|elus|presents|personnes|conseillers)|"
        r"nombre (de |d.)(membres|presents|elus|conseillers)|"
        r"how many (members|people|councillors|councilors|were present)|number of (members|people)|quorum")),
    ("members", re.compile(
        r"\bpresent(e|es|s)?\b|\babsent(e|es|s)?\b|\bexcuse(e|es|s|d)?\b|\brepresente(e|es|s|d)?\b|procuration|"
        r"\bpouvoir|proxy|proxies|\battend(ed|ance|ing|ees)\b|\bmembres?\b|"  # French "attend" expects
        r"qui (etait|etaient) la|who was there|\bsiegeai")),
    ("budget", re.compile(
        r"imput|budget|credits|\bchapitre|\bnature\b|\bfonction\b|charged to|\bcharged\b|budget line")),
    ("count", re.compile(
        r"quel(le)?s (sont les )?deliberations|which deliberations|ordre du jour|\bagenda\b|"
        r"liste des deliberations|list (of )?(the )?deliberations|"
        r"combien (de |d.)(deliberations|subventions|actes|decisions|marches|conventions|dossiers|avenants|"
        r"acquisitions|seances)|nombre (de |d.)(deliberations|subventions|actes|decisions|marches|"
        r"conventions|avenants|seances)|how many (deliberations|grants|subsidies|decisions|acts|"
        r"contracts|conventions|sessions|amendments|acquisitions)|number of (deliberations|grants|subsidies|"
        r"decisions|acts|contracts)")),
    # "Combien de licenciés ?", "How many performances?": a number the text gives, not money.
    ("general", re.compile(r"combien (de |d.)(?!euros?\b|argent)\w+|how many (?!euros?\b)\w+")),
    ("total", re.compile(
        r"\btota(l|ux|le)|somme (totale|des)|\bsum\b|cumul|altogether|overall|combined")),
    ("beneficiary", re.compile(
        r"\ba qui\b|to whom|aupres de (qui|quel)|from whom|which (agency|organisation|organization|body)\b|qui a (recu|beneficie|obtenu|touche)|who (received|got|was granted|benefit|"
        r"obtained)|beneficiaire|beneficiar|recipient|quel(le)?s? (associations?|structures?|organismes?|beneficiaires?|entreprises?|societes?|agences?|banques?|etablissements?)|"
        r"which (association|organisation|organization|body received)|qui porte|who (runs|carries)")),
    # How long (a contract, a convention): a figure the passages give ("pour une durée de 24 mois").
    ("duration", re.compile(r"\bduree\b|\bduration\b|how long|combien de temps|pour combien d.(annees|ans|mois)")),
    # What a named deliberation decided ("Qu'a décidé la délibération n°2023-17 ?").
    ("decision", re.compile(
        r"qu.(a|ont|avait) (decide|approuve|adopte|arrete|accepte)|que decide|qu.est-ce qui a ete decide|"
        r"qu.a-t-(il|elle|on) (ete )?decide|what (did|does) .*(decide|approve|adopt)|what was (decided|approved)")),
    ("purpose", re.compile(
        r"pourquoi|pour quoi|quel projet|quels projets|what project|which project|for what|what for|"
        r"purpose|\bobjet\b|dans quel but|a quoi|destinee?s? a|what (is|was) it for|quelle action|"
        r"which action|what .* (fund|finance|pay) for")),
    ("amount", re.compile(
        r"combien|montant|how much|amount|subvention|accord|attribu|grant|award|given|\bdonne|\brecu|\bprix\b|"
        r"\bprice|\bcost|\bcout|"
        r"received|euros?\b|€|financ|allou|vers[ee]")),
]

_ROLE_RULES: list[tuple[str, re.Pattern]] = [
    ("represented", re.compile(r"\brepresente(e|es|s|d)?\b|procuration|pouvoir|proxy|proxies")),
    ("excused", re.compile(r"\bexcuse")),
    ("absent", re.compile(r"absent|missing|not present|pas present|n.etai(t|ent) pas")),
]

_ACT_TYPES: list[tuple[str, re.Pattern]] = [
    ("subvention", re.compile(r"subvention|\bgrants?\b|subsid")),
    ("marche", re.compile(r"\bmarches?\b|contracts?\b|procurement")),
    ("avenant", re.compile(r"\bavenants?\b|amendments?\b")),
    ("convention", re.compile(r"\bconventions?\b|agreements?\b")),
    ("acquisition", re.compile(r"acquisition|cession|purchase")),
    ("tarifs", re.compile(r"\btarifs?\b|\bfees\b|prices")),
    ("garantie_emprunt", re.compile(r"garantie|guarantee")),
]

_BODIES: list[tuple[str, re.Pattern]] = [
    ("conseil_municipal", re.compile(r"conseils? municipa\w*|city council|municipal council|town council",
                                     re.IGNORECASE)),
    ("commission_permanente", re.compile(r"commission permanente|standing committee", re.IGNORECASE)),
    ("conseil_communautaire", re.compile(r"conseils? communautaires?|community council", re.IGNORECASE)),
    ("comite_syndical", re.compile(r"comit[ée]s? syndica\w*|syndicate committee", re.IGNORECASE)),
    ("conseil_administration", re.compile(r"conseils? d.administration|board of directors", re.IGNORECASE)),
    ("bureau", re.compile(r"bureau communautaire|bureau( de la m[ée]tropole)?|\bboard\b|\bexecutive\b",
                          re.IGNORECASE)),
    ("conseil", re.compile(r"conseil (de la )?m[ée]tropol\w*|conseil m[ée]tropolitain|metropolitan council|"
                           r"\bconseil\b|\bcouncil\b", re.IGNORECASE)),
]
# "le conseil", "the council" name no particular kind of body: any conseil of the authority asked about.
GENERIC_BODY = "conseil"

# The words that say what kind of authority a question is about ("la commune de X", "l'Agglo de X").
_AUTHORITY_WORDS = re.compile(
    r"\b(?:(?:la |the )?(?:commune|ville|mairie|municipalit[ée]|town|city|village)|communaut[ée] (?:de communes|"
    r"d.agglom[ée]ration|urbaine)|agglo(?:m[ée]ration)?|m[ée]tropole|d[ée]partement|department|r[ée]gion|region|"
    r"ccas|c\.c\.a\.s\.?|syndicat(?: intercommunal| mixte)?|syndicate|conseils? municipa\w*|conseil communautaire)\b(?:\s+(?:de la|de l.|des|du|de|d.|of))?\s*",
    re.IGNORECASE)
_AUTHORITY_TYPE_WORDS = [
    ("ccas", r"\bccas\b|c\.c\.a\.s|centre communal"),
    ("syndicat", r"\bsyndica"),
    ("communaute_agglomeration", r"\bagglo"),
    ("communaute_communes", r"communaute de communes"),
    ("metropole", r"\bmetropol"),
    ("departement", r"\bdepartement|\bdepartment"),
    ("region", r"\bregion"),
    ("commune", r"\bcommune|\bville\b|\bmairie|conseil municipal|municipal council|town|city|village"),
]

# -- entity regexes ------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d/])(19[5-9]\d|20\d\d)(?![\d/])")
_CODE = re.compile(
    r"\b[A-Z]{2,5}\s*\d{1,3}\s*-\s*\d{2,6}\s*/\s*\d{2}\s*/\s*[A-Z]{1,4}\b"  # EMP 004-6064/19/BM
    r"|\b[A-Z]{2,5}\s*\d{2}\s*/\s*\d{3,6}\s*/\s*[A-Z]{1,4}\b",  # MET 19/11402/BM
)
# A deliberation's number as staff type it: "2021-045", "n°2023-17", "DELBU2023-02-012", "D2025-012",
# "CP 2023-017", "DP 2021-322", "1DEL2018_0013", "2022-12-21/16", "PACU/17-2023", "2018.04.09-11".
_ITEM_NUMBER = re.compile(
    r"(?<![\w/.-])(?:[A-Z]{1,8}[ /]?)?\d[\dA-Z]*(?:[ ]?[-/._][ ]?[\dA-Z]+)+(?![\w/-])"
    r"|(?<=n°)[ ]?\d{1,4}(?![\w/-])|(?<=n° )\d{1,4}(?![\w/-])")
_AMOUNT = re.compile(
    r"(?:(?:EUR|€)\s*(\d[\d\s\u00a0\u202f.,]*\d|\d))"
    r"|(?:(\d[\d\s\u00a0\u202f.,]*\d|\d)\s*(?:€|euros?\b|EUR\b))",
    re.IGNORECASE,
)
_RANGE = [
    (re.compile(r"(?:entre|between)\s+(\d{4})\s+(?:et|and)\s+(\d{4})", re.IGNORECASE), "between"),
    (re.compile(r"(?:de|from)\s+(\d{4})\s+(?:a|à|to|until|jusqu.en)\s+(\d{4})", re.IGNORECASE), "between"),
    (re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b"), "between"),
    (re.compile(r"(?:depuis|since|a partir de|à partir de|after|apres|après)\s+(\d{4})", re.IGNORECASE), "from"),
    (re.compile(r"(?:avant|before)\s+(\d{4})", re.IGNORECASE), "before"),
    (re.compile(r"(?:jusqu.en|until|up to)\s+(\d{4})", re.IGNORECASE), "to"),
]

# Words that never belong to a name asked about: function words, question words, the vocabulary of
# the intents and generic domain words. Folded (no accents), compared to folded tokens.
_STOP_TEXT = """a au aux avec ce ces cet cette comment combien dans de des du elle elles en est et ete etait
    etaient eu il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par
    pas pour qu que quel quelle quelles quels qui quoi sa se ses son sur ta te tes toi ton tu un une vos
    votre vous y l d s n c j m t ont avait avaient sont fut lors lequel laquelle dont cela ca ceci
    pourquoi quand donc alors aussi egalement autre autres quelqu
    an the of to in on at for by from with what who whom whose which when where why how many much was
    were is are be been did do does has have had it its this that these those there their they he she
    and or any all also about please tell me give show list
    subvention subventions accorde accordee accordes accordees accorder attribue attribuee attribuees
    attribues attribution attributions attribuer montant montants somme sommes total totale totaux
    cumul cumule recu recue recus recues recevoir obtenu obtenue beneficiaire beneficiaires beneficie
    deliberation deliberations seance seances date dates signe signee signes signees signataire
    signataires present presents presente presentes absent absents absente absentes excuse excuses
    excusee excusees represente representes representee representees procuration procurations membre
    membres elu elus nombre vote votes votee votees voter abstention abstentions abstenu abstenus
    contre unanimite adopte adoptee adoptees adoptes imputation imputations budgetaire budget budgets
    credit credits ligne nature fonction chapitre cofinanceur cofinanceurs cofinance cofinancee
    cofinancement financeur financeurs finance financee financement projet projets objet annee annees
    ans verse versee versees alloue allouee donne donnee euros euro eur association associations
    structure organisme organismes assemblee decision decisions acte actes signature signatures
    metropole metropolitain marseille-provence aix-marseille-provence partenaires partenaire financiers
    granted grant grants given awarded award awards amount amounts sum received receive recipient
    recipients beneficiary beneficiaries session sessions meeting meetings signed sign signatory
    signatories excused represented proxy proxies members member number voted against abstained
    unanimous unanimously adopted line function chapter cofinancers co financers funders funded
    cofunded project purpose object year years subsidy subsidies act acts decided pay paid funding
    fund fonds whom attended attendance received there got obtained benefited benefit council
    conseil bureau board committee commission permanente municipal municipale metropolitan city
    consiste consistait concerne concernait porte portait portee agit traite vise visait prevoit prevu
    prevue decide decidee decidees approuve approuvee autorise autorisee passe passee fait faite
    avoir etre parmi lieu tenu tenue ouvert ouverte preside presidee
    consist concern concerns approve approved authorised authorized held chaired opened
    result resultat resultats nom noms name names liste
    marche marches prise prises pris vendu vendue vend achete achetee granting spent spend given gave receive receives
    pass passed take taken took make made does did please dis moi donne-moi
    tous toutes tout liste lister quels quelles ensemble nombre total prix price cost cout
    ordre jour agenda sein
"""
_STOP = frozenset(_STOP_TEXT.split())
# Allowed inside a name, never at its edges ("Cité des Métiers", "club de football d'Aubagne").
_CONNECTORS = frozenset(["de", "des", "du", "d", "la", "le", "les", "l", "et", "en", "sur", "pour", "of", "the",
                         "and", "for"])


@dataclass
class Query:
    """A question understood: what is asked and about what."""

    question: str
    language: str = "fr"
    intent: Intent = "general"
    role: str | None = None  # members intent: present | represented | excused | absent
    beneficiary_query: str | None = None  # the words of the question naming someone
    beneficiaries: list[str] = field(default_factory=list)  # registry names matched (as printed)
    beneficiary_score: float | None = None
    person: str | None = None  # an elected member asked about (as printed in the registry)
    persons: list[str] = field(default_factory=list)  # members intent: every member named, `person` first
    topic: str | None = None  # words naming a project/object (matched against purposes and objects)
    unmatched: str | None = None  # words that look like a name but match nothing in the registry
    keywords: list[str] = field(default_factory=list)  # other content words ("culture")
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    session_date: dt.date | None = None
    body: str | None = None
    authority: str | None = None  # the authority asked about, as the registry prints its name
    authority_type: str | None = None  # the kind of authority the question names ("la commune de X")
    authority_words: str | None = None  # the words naming it, as typed (also when the registry lacks it)
    number: str | None = None  # a deliberation's number named in the question, as typed
    code: str | None = None
    amount_cents: int | None = None
    act_type: str | None = None
    act_type_filter: str | None = None  # an explicit filter (CLI, app): every answer keeps to that type
    deliberation_ids: list[str] = field(default_factory=list)  # from a follow-up's previous turn
    follow_up: bool = False
    previous_ids: list[str] = field(default_factory=list)  # what the previous turn cited (a follow-up's)
    language_evidence: int = 0  # function words seen; 0 = the language is a guess ("2020 ?")

    def has_subject(self) -> bool:
        """True when the question names what it is about (beyond the intent)."""
        return bool(self.beneficiaries or self.person or self.topic or self.unmatched or self.code
                    or self.number or self.session_date or self.amount_cents)

    def entities(self) -> dict:
        out = {
            "beneficiary": self.beneficiaries[0] if self.beneficiaries else None,
            "beneficiary_query": self.beneficiary_query,
            "beneficiaries": self.beneficiaries or None,
            "beneficiary_score": self.beneficiary_score,
            "person": self.person,
            "role": self.role,
            "topic": self.topic,
            "unmatched": self.unmatched,
            "keywords": self.keywords or None,
            "year": self.year,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "session_date": self.session_date.isoformat() if self.session_date else None,
            "body": self.body,
            "authority": self.authority,
            "authority_type": self.authority_type,
            "authority_words": self.authority_words,
            "number": self.number,
            "code": self.code,
            "amount_cents": self.amount_cents,
            "act_type": self.act_type,
            "deliberation_ids": self.deliberation_ids or None,
            "follow_up": self.follow_up or None,
        }
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_entities(cls, question: str, language: str, intent: str, ents: dict) -> Query:
        q = cls(question=question, language=language, intent=intent)
        for key in ("beneficiary_query", "beneficiary_score", "person", "role", "topic", "unmatched", "keywords",
                    "year", "year_from", "year_to", "body", "authority", "authority_type", "authority_words",
                    "number", "code", "amount_cents", "act_type"):
            if ents.get(key) is not None:
                setattr(q, key, ents[key])
        q.beneficiaries = list(ents.get("beneficiaries") or ([ents["beneficiary"]] if ents.get("beneficiary")
                                                             else []))
        if ents.get("session_date"):
            q.session_date = dt.date.fromisoformat(ents["session_date"])
        q.deliberation_ids = list(ents.get("deliberation_ids") or [])
        return q


# -- entity extraction ---------------------------------------------------------------------------


def number_to_cents(raw: str) -> int | None:
    """A French or English written number to cents: "20 000", "20,000", "1 234,50", "1,234.50"."""
    s = re.sub(r"[\s\u00a0\u202f]", "", raw)
    dec = re.search(r"[.,](\d{1,2})$", s)
    cents = 0
    if dec:
        cents = int(dec.group(1).ljust(2, "0"))
        s = s[: dec.start()]
    s = re.sub(r"[.,]", "", s)
    if not s.isdigit():
        return None
    return int(s) * 100 + cents


_WORD = re.compile(r"\w+(?:['’]\w+)*")
_PLAIN_WORD = re.compile(r"\w+")
_ELIDED = re.compile(r"(?i)(?:l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu)['’]")


def _word_spans(text: str) -> list[re.Match]:
    """Words, keeping "ACTE'INOV" and "aujourd'hui" whole but splitting elisions ("d'Aubagne")."""
    out = []
    for m in _WORD.finditer(text):
        pos = m.start()
        while True:
            e = _ELIDED.match(text, pos, m.end())
            if not e:
                break
            out.append(_PLAIN_WORD.match(text, pos, e.end() - 1))
            pos = e.end()
        out.append(_WORD.match(text, pos, m.end()))
    return [x for x in out if x]


@dataclass
class _Token:
    text: str
    folded: str
    start: int
    end: int
    stop: bool


def _tokens(question: str, blocked: list[tuple[int, int]]) -> list[_Token]:
    out = []
    for m in _word_spans(question):
        folded = textnorm.repair_word(textnorm.fold(m.group()))
        inside = any(s <= m.start() < e for s, e in blocked)
        stop = inside or folded in _STOP or folded.isdigit() or (len(folded) == 1 and folded not in "ay")
        out.append(_Token(m.group(), folded, m.start(), m.end(), stop))
    return out


def candidate_phrases(question: str, blocked: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Runs of content words (connectors allowed inside) that may name someone or something."""
    toks = _tokens(question, blocked)
    phrases: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks):
        if toks[i].stop or toks[i].folded in _CONNECTORS:
            i += 1
            continue
        j = i
        last = i
        while j + 1 < len(toks):
            nxt = toks[j + 1]
            if not nxt.stop and nxt.folded not in _CONNECTORS:
                j += 1
                last = j
            elif nxt.folded in _CONNECTORS and not any(s <= nxt.start < e for s, e in blocked):
                j += 1
            else:
                break
        start, end = toks[i].start, toks[last].end
        phrases.append((question[start:end], start, end))
        i = last + 1
    return phrases


class NamePool(list):
    """(name, match key) pairs to match questions against (a list), with the keys kept apart for
    rapidfuzz's batch scoring: a large registry holds thousands of names."""

    @property
    def keys(self) -> list[str]:
        if "_keys" not in self.__dict__:
            self.__dict__["_keys"] = [k for _, k in self]
        return self.__dict__["_keys"]


def pool_keys(pool: list[tuple[str, str]]) -> dict[str, str]:
    """Text -> match key of a pool's pairs (kept on a NamePool or TopicPool: a topic names thousands)."""
    if not isinstance(pool, (NamePool, TopicPool)):
        return {text: key for text, key in pool}
    if "_by_text" not in pool.__dict__:  # not dict(pool): a NamePool's `keys` would make it a mapping
        pool.__dict__["_by_text"] = {text: key for text, key in pool}
    return pool.__dict__["_by_text"]


class TopicPool(list):
    """(text, match key) pairs of objects and purposes (a list), with an index from each content stem to
    the texts holding it: `match_topics` intersects lists instead of stemming every title each time."""

    @property
    def index(self) -> dict[str, list[int]]:
        if "_index" not in self.__dict__:
            index: dict[str, list[int]] = {}
            for i, (text, _) in enumerate(self):
                for st in _topic_stems(text):
                    index.setdefault(st, []).append(i)
            self.__dict__["_index"] = index
        return self.__dict__["_index"]


def match_names(phrase: str, names: list[tuple[str, str]], threshold: float = 88.0) -> tuple[list[str], float]:
    """Registry names (as printed) matching `phrase`, best score. Partial matching on OCR-robust keys:
    the phrase may be a part of the name, never a few letters of it."""
    key = textnorm.match_key(phrase)
    if len(key) < 4:
        return [], 0.0
    if isinstance(names, NamePool):
        # Only names whose partial ratio reaches the threshold can match (a name holding the phrase
        # scores 100): rapidfuzz finds them in one pass, in C; the rules below decide as for any list.
        found = process.extract(key, names.keys, scorer=fuzz.partial_ratio, score_cutoff=threshold, limit=None)
        names = [names[i] for i in sorted(i for _, _, i in found)]
    hits: list[tuple[float, str]] = []
    for name, nkey in names:
        if not nkey:
            continue
        short, long_ = (key, nkey) if len(key) <= len(nkey) else (nkey, key)
        # The shorter must cover most of the longer when it is the registry's name (a question with
        # extra words), and be a real word sequence when it is the question's.
        if short is nkey and len(short) < 0.7 * len(long_):
            continue
        if short in long_:
            # The question's words must start at a word of the name: "Arles" is not in "SARL Les ...".
            if short is key and not _starts_a_word(key, name):
                continue
            score = 100.0
        else:
            score = fuzz.partial_ratio(short, long_)
        if score >= threshold:
            hits.append((score, name))
    if not hits:
        return [], 0.0
    best = max(s for s, _ in hits)
    return [n for s, n in sorted(hits, key=lambda h: (-h[0], h[1])) if s >= best - 5], best


def match_person(phrase: str, names: list[tuple[str, str]], threshold: float = 90.0) -> tuple[list[str], float]:
    """Persons whose name holds the phrase as whole words ("ALVAREZ", "Martial Alvarez"), never as the start of
    a word ("Port" is not "PORTES")."""
    hits, score = match_names(phrase, names, threshold)
    key = textnorm.match_key(phrase)
    kept = [h for h in hits if _whole_words(key, h)]
    return (kept, score) if kept else ([], 0.0)


def _whole_words(key: str, name: str) -> bool:
    words = name.split()
    return any(fuzz.ratio(key, textnorm.match_key(" ".join(words[i:j]))) >= 90
               for i in range(len(words)) for j in range(i + 1, len(words) + 1))


@lru_cache(maxsize=65536)
def _starts_a_word(key: str, name: str) -> bool:
    """True when `key` (a match key) opens the key of `name` from one of its words on."""
    words = name.split()
    return any(textnorm.match_key(" ".join(words[i:])).startswith(key) for i in range(len(words)))


@lru_cache(maxsize=65536)
def _stem_word(word: str) -> str:
    return textnorm.stems(word, drop_stopwords=False)[0]


@lru_cache(maxsize=8192)
def topic_stems(text: str) -> frozenset[str]:
    """Content stems of a title or of the words naming it (function and question words dropped)."""
    return _topic_stems(text)


def _topic_stems(text: str) -> frozenset[str]:
    words = textnorm.tokens(text)
    # = textnorm.stems(" ".join(words), drop_stopwords=False) (tokens are their own tokens), with each
    # word's stem computed once: titles share most of their words, and Snowball (pure Python) is what
    # indexing thousands of titles costs.
    stems = [_stem_word(w) for w in words]
    return frozenset(st for w, st in zip(words, stems) if w not in _STOP and len(w) > 2)


def match_topics(phrase: str, topics: list[tuple[str, str]], threshold: float = 90.0) -> tuple[list[str], float]:
    """Objects/purposes holding every content word of `phrase` (by stem, in any order: "tarifs des
    piscines du Pays d'Aubagne" is in "Fixation des tarifs des piscines métropolitaines du Territoire du
    Pays d'Aubagne"). The threshold is unused (kept for a common signature)."""
    want = topic_stems(phrase)
    if not want:
        return [], 0.0
    if isinstance(topics, TopicPool):  # the texts holding every stem, from the index
        index = topics.index
        found = set.intersection(*(set(index.get(st, ())) for st in want))
        return ([topics[i][0] for i in sorted(found)], 100.0) if found else ([], 0.0)
    hits = [text for text, _ in topics if want <= topic_stems(text)]
    return (hits, 100.0) if hits else ([], 0.0)


# Words of an authority's name that do not tell it from another ("Exemple Agglomération": "exemple").
_NAME_FILLERS_TEXT = """de du des la le les d l en sur et agglomeration agglo communaute communes commune ville
    metropole departement region syndicat intercommunal mixte ccas conseil municipal communautaire bureau seance
    commission permanente"""
_NAME_FILLERS = frozenset(_NAME_FILLERS_TEXT.split())


def authority_words(name: str) -> tuple[str, ...]:
    """The words that tell an authority's name from others', folded: "Val-de-Saint-Exemple" -> ("val", "saint", "exemple")."""
    return tuple(w for w in re.findall(r"[a-z0-9]+", textnorm.fold(name)) if w not in _NAME_FILLERS and len(w) > 1)


def number_key(text: str) -> str:
    """A deliberation number's identity: its letters and figures ("DBC 2021-092" = "dbc2021092")."""
    return re.sub(r"[^a-z0-9]", "", textnorm.fold(text))


# "la délibération n° X", "decision no. X": a reference the registry may not know (then nothing answers);
# a bare "n° 153" is a parcel's or an amendment's as often as a deliberation's.
_NUMBER_CUE = re.compile(r"(?:d[ée]lib[ée]ration|d[ée]cision|arr[êe]t[ée]|resolution|deliberation|decision)\s*"
                         r"(?:du président\s*)?(?:n°|no\.?|number|num[ée]ro)?\s*$", re.IGNORECASE)


def _find_number(q: Query, question: str, numbers: dict | None, blocked: list[tuple[int, int]]) -> None:
    """The deliberation number the question names: one of the registry's ("2021-045" = "2021-045"), or any
    reference after "délibération n°" (which then matches nothing: the answer says so)."""
    codes = [c.span() for c in _CODE.finditer(question)]  # the service codes have their own reader
    for m in _ITEM_NUMBER.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in codes):
            continue
        typed = m.group().strip()
        known = (numbers or {}).get(number_key(typed))
        cued = _NUMBER_CUE.search(question[max(0, m.start() - 20):m.start()])
        if known or (cued and re.search(r"[-/._]|\d{3}", typed)):
            q.number = known or typed
            blocked.append(m.span())
            return


# A place name is the authority asked about when the question says so: a type or body word before it ("la
# commune de X", "le conseil municipal d'X", "l'Agglo de X", "the CCAS of X") or after it ("X Agglomération",
# "the X municipal council"), or "de X" after a code or a common word ("la délibération D2025-009 de X", "the
# study of X"). After a capitalised word it is part of another name ("la Mission Locale du Pays d'X").
_TYPE_BEFORE = re.compile(
    r"(?:commune|ville|mairie|agglo\w*|communaut\w+(?: de communes| d.agglom\w+| urbaine)?|m[ée]tropole|"
    r"d[ée]partement|r[ée]gion|ccas|syndicat(?: intercommunal| mixte)?(?: des eaux| d.\w+)?|"
    r"conseils? (?:municipa\w+|communautaires?|d[ée]partemental|r[ée]gional)|bureau communautaire|"
    r"commission permanente|town|city|council|village)\s+(?:de la |de l.|des |du |de |d.|of )?$", re.IGNORECASE)
_TYPE_AFTER = re.compile(r"^(?:['’]s)?\s*(?:agglom\w*|m[ée]tropole|municipal|town|city|council|conseil|ccas|commune|county|"
                         r"r[ée]gion\b|d[ée]partement\b|department\b)",
                         re.IGNORECASE)


def _typed_next_to(question: str, start: int, end: int) -> bool:
    """A type or body word just before question[start:end] or just after it."""
    return bool(_TYPE_BEFORE.search(question[max(0, start - 60):start]) or _TYPE_AFTER.match(question[end:]))


def _type_of(words: str) -> str | None:
    """The kind of authority type words say ("la commune de" -> commune)."""
    folded = textnorm.fold(words)
    return next((k for k, pat in _AUTHORITY_TYPE_WORDS if re.search(pat, folded)), None)


_DATIVE = re.compile(r"(?:\bà\s+(?:la|l['’])|\bau|\baux|\bauprès\s+(?:de\s+la|de\s+l['’]|du|des))\s*$", re.IGNORECASE)


def _named_as_authority(question: str, start: int, end: int) -> bool:
    if _typed_next_to(question, start, end):
        return True
    if _isolated(question, start, end):  # "Auprès de quelle banque X avait-elle souscrit…"
        return True
    if _SUBJECT_ARTICLE.search(question[max(0, start - 4):start]) and _SUBJECT_VERB.match(question[end:]):
        return True  # "Combien le X a-t-il accordé…", "Quand X a-t-elle…": the subject of the verb
    if re.search(r"\s(?:à|in|at)\s+$", question[max(0, start - 5):start]) and re.match(r"\s*(?:[?.!]?\s*$|[,;])",
                                                                                     question[end:]):
        return True  # "… à l'association Les Amis de l'Exemple à X ?", "… l'espace Y à X, et …": the place that closes a clause
    before = re.search(r"(\S+)\s+(?:de |d['’]|of |à |in |at )$", question[max(0, start - 60):start])
    if before:
        word = before.group(1)  # "D2025-009 de X ?": a code or a common word before; "Deuxième Chance de X": a name
        return not (word[:1].isupper() and word[1:].islower())
    return False


_SUBJECT_ARTICLE = re.compile(r"(?:^|\s)(?:le|la|l['’]|quand|comment|combien|pourquoi|où)\s*$", re.IGNORECASE)
_SUBJECT_VERB = re.compile(r"\s+(?:a(?:-t-(?:il|elle))?|avait|ont|est|has|had|did)\b")


def _isolated(question: str, start: int, end: int) -> bool:
    """A capitalised name between two lower-case words (not prepositions): the subject of the sentence."""
    before = re.search(r"([\w'’]+)\s+$", question[:start])
    after = re.match(r"\s+([\w'’-]+)", question[end:])
    return bool(before and after and before.group(1).islower() and after.group(1).islower()
                and before.group(1) not in ("de", "du", "des", "à", "au", "aux", "la", "le", "les", "of", "in")
                and not re.search(r"['’]$", before.group(1)))


_PLACE_BEFORE_NOUN = re.compile(r"\bthe\s+((?:La|Le|Les|L['’])\s*[A-ZÉÈÎÔ][\w'’-]+(?:[ -][A-ZÉÈÎÔ][\w'’-]+)*)\s+[a-z]")
# (an organisation's name goes on: "the Les Amis de l'Exemple association")
_NOT_A_PLACE = re.compile(r"\s+(?:association|club|company|committee|foundation|festival|society|group|de|du|des|d['’]|"
                          r"la|le|les|et|en|sur|aux?)\b")


def _find_authority(q: Query, question: str, authorities, blocked: list[tuple[int, int]]) -> None:
    """The authority the question is about: the registry's name whose telling words it holds ("l'Agglo de
    Val-Exemple" names "Pays du Val-Exemple Agglomération"); else the name typed after a type word
    ("la commune de X"), kept as words when the registry does not know it."""
    folded = textnorm.fold(question)  # same length as the question: offsets hold
    best: tuple[int, float, str, tuple[int, int]] | None = None
    type_words = list(_AUTHORITY_WORDS.finditer(question))
    # A type word the question addresses something to ("demandé à la Région", "auprès du Département") names a
    # counterparty, not the authority asked about.
    subjects = [m for m in type_words if not _DATIVE.search(question[max(0, m.start() - 14):m.start()])]
    typed = {k for m in subjects for k, pat in _AUTHORITY_TYPE_WORDS if re.search(pat, textnorm.fold(m.group()))}
    for name, words, kind in authorities or ():
        spans = [m.span() for w in words if (m := re.search(rf"\b{re.escape(w)}\b", folded))]
        if not spans or len(spans) < min(len(words), 2) and len(words) > 1:
            continue
        window = (min(a for a, _ in spans), max(b for _, b in spans))
        strong = _typed_next_to(question, *window)
        if not (strong or _named_as_authority(question, *window)):
            continue
        if not strong and typed and kind not in typed:  # "la Métropole … à Saint-Exemple": a place, not its CCAS
            continue
        found = (len(spans), len(spans) / len(words), name, window)
        if best is None or found[:2] > best[:2]:
            best = found
    for m in type_words:
        blocked.append(m.span())
        if q.authority_type is None:
            q.authority_type = _type_of(m.group())
        after = re.match(r"([A-ZÉÈÎÔ][\w'’-]*(?:[ -](?:de |du |des |la |le |sur |en )?[A-ZÉÈÎÔ][\w'’-]*)*)",
                         question[m.end():])
        if after and q.authority_words is None and best is None:
            q.authority_words = after.group(1)
            blocked.append((m.end(), m.end() + after.end()))
    if best is None and q.authority_words is None:  # "the X municipal council", "X's council": a name unknown
        m = re.search(r"\b([A-ZÉÈÎÔ][\w'’-]+(?:[ -][A-ZÉÈÎÔ][\w'’-]+)*)(?:['’]s)?\s+(?:municipal\s+|town\s+|city\s+)?"
                      r"(?:council|standing committee)\b", question)
        if m:
            council = m.group(0).endswith("council")
            q.authority_words = m.group(1)
            q.authority_type = q.authority_type or ("commune" if council and "municipal" in m.group(0) else None)
            blocked.append(m.span(1))
    if best is None and q.authority_words is None:  # "the La Ferté-Exemple school canteen": a French place name (its
        # article kept) qualifying an English noun names the commune
        m = _PLACE_BEFORE_NOUN.search(question)
        if m and not _NOT_A_PLACE.match(question[m.end(1):]):
            q.authority_words = m.group(1)
            blocked.append(m.span(1))
    if best:
        q.authority, q.authority_words = best[2], question[best[3][0]:best[3][1]]
        blocked.append(best[3])


def understand(question: str, *, names=None, persons=None, topics=None, authorities=None, numbers=None) -> Query:
    """Language, intent and entities of `question`.

    names: (name, match key) pairs of the registry's beneficiaries; persons: (name, key) of members and
    signatories; topics: (text, key) of purposes and objects; authorities: (name, telling words, type) of
    the registry's authorities; numbers: number key -> deliberation number as printed. Any may be None.
    """
    q = Query(question=question)
    blocked: list[tuple[int, int]] = []
    _find_number(q, question, numbers, blocked)
    _find_authority(q, question, authorities, blocked)

    for pat in QUESTION_DATES:
        for m in list(pat.finditer(question)):
            if any(s <= m.start() < e for s, e in blocked):
                continue
            d = parse_question_date(m.group())
            if d:
                q.session_date = q.session_date or d
                q.year = q.year or d.year
                blocked.append(m.span())
    for m in _CODE.finditer(question):
        q.code = q.code or re.sub(r"\s+", " ", re.sub(r"\s*([-/])\s*", r"\1", m.group())).strip()
        blocked.append(m.span())
    m = _AMOUNT.search(question)
    if m:
        q.amount_cents = number_to_cents(m.group(1) or m.group(2))
        blocked.append(m.span())
    for pat, kind in _RANGE:
        m = pat.search(question)
        if m:
            a = int(m.group(1))
            if kind == "between":
                b = int(m.group(2))
                q.year_from, q.year_to = min(a, b), max(a, b)
            elif kind == "from":
                q.year_from = a
            elif kind == "before":
                q.year_to = a - 1
            else:
                q.year_to = a
            blocked.append(m.span())
            break
    if q.year_from is None and q.year_to is None and q.year is None:
        years = [m for m in _YEAR.finditer(question) if not any(s <= m.start() < e for s, e in blocked)]
        if years:
            q.year = int(years[0].group())
            blocked.extend(m.span() for m in years)
    for body, pat in _BODIES:
        m = pat.search(question)
        if m:
            q.body = body
            blocked.append(m.span())
            break
    if q.body == GENERIC_BODY and (q.authority_words or q.authority_type) and q.authority_type != "metropole":
        q.body = None  # "le conseil d'Exemple Agglomération": whichever conseil it has

    folded = " ".join(textnorm.fold(question).split())
    for intent, pat in _INTENT_RULES:
        if pat.search(folded):
            q.intent = intent
            break
    if q.intent == "members":
        q.role = next((role for role, pat in _ROLE_RULES if pat.search(folded)), "present")
    for act, pat in _ACT_TYPES:
        if pat.search(folded):
            q.act_type = act
            break

    # Names: in each phrase, the best-matching part names a beneficiary, else a person, else a
    # project/object; what is left of the phrase is looked at again.
    name_spans: list[tuple[int, int]] = []
    todo = sorted(candidate_phrases(question, blocked), key=lambda p: -(p[2] - p[1]))
    while todo:
        text, start, end = todo.pop(0)
        found = None
        for kind, pool, threshold in (("beneficiary", names, 88.0), ("person", persons, 90.0),
                                      ("topic", topics, 90.0)):
            # (a members question may name several people: "X et Y étaient-ils présents ?")
            if not pool or (kind == "beneficiary" and q.beneficiaries) or (kind == "topic" and q.topic) \
                    or (kind == "person" and q.person and q.intent != "members"):
                continue
            matcher = match_topics if kind == "topic" else match_person if kind == "person" else match_names
            best = _best_part(question, start, end, pool, threshold, matcher)
            if best:
                found = (kind, *best)
                break
        if found:
            kind, hits, score, s0, e0 = found
            if kind == "beneficiary":
                e0 = _rest_of_name(question, s0, e0, hits[0])
                todo = [p for p in todo if p[2] <= s0 or p[1] >= e0]  # the name's own words are no topic
                q.beneficiary_query, q.beneficiaries, q.beneficiary_score = question[s0:e0], hits, round(score, 1)
            elif kind == "person":
                q.person = q.person or hits[0]
                q.persons.append(hits[0])
            else:
                q.topic = question[s0:e0]
            name_spans.append((s0, e0))
            todo += [p for p in candidate_phrases(question, blocked + [(s0, e0)]) if start <= p[1] and p[2] <= end]
            continue
        named = _looks_like_name(text, start)
        if not q.unmatched and named:
            q.unmatched = text
            name_spans.append((start, end))
        elif not named:
            q.keywords.append(text)

    kept = question
    for s, e in sorted(name_spans + [m.span() for m in _CODE.finditer(question)], reverse=True):
        kept = kept[:s] + " " + kept[e:]
    fr, en = language_scores(kept)
    q.language, q.language_evidence = ("en" if en > fr else "fr"), fr + en
    return q


def _rest_of_name(question: str, start: int, end: int, name: str) -> int:
    """Where the beneficiary's name ends in the question: the part matched, and the name's words that
    follow it there ("TROUVER SONNETTE" then " A SON PIED", cut from the phrase by its small words)."""
    typed, full = textnorm.fold(question[start:end]).lower(), textnorm.fold(name).lower()
    at = full.find(typed)
    rest = full[at + len(typed):] if at >= 0 else ""
    if rest.strip() and textnorm.fold(question[end:end + len(rest)]).lower() == rest:
        return end + len(rest)
    return end


def _best_part(question: str, start: int, end: int, pool: list[tuple[str, str]], threshold: float,
               matcher) -> tuple[list[str], float, int, int] | None:
    """The part of question[start:end] (whole words, content words at both ends) that best matches a
    name of `pool`: (names, score, start, end); the longer part wins a tie."""
    toks = [t for t in _tokens(question, []) if start <= t.start and t.end <= end]
    edges = [i for i, t in enumerate(toks) if not t.stop and t.folded not in _CONNECTORS]
    best = None
    for a in edges:
        for b in (b for b in edges if b >= a):
            s0, e0 = toks[a].start, toks[b].end
            if question[s0 - 1:s0] == "-" or question[e0:e0 + 1] == "-":  # "Jean-Martin" is not "Martin"
                continue
            text = question[s0:e0]
            if not _looks_like_name(text, s0):  # "football" alone names no one
                continue
            hits, score = matcher(text, pool, threshold)
            # Words left out that name something themselves ("club de football d'Aubagne" is neither
            # "football" nor the "Pays d'Aubagne"): only a whole name of the registry may leave them.
            if hits and any(_looks_like_name(question[x:y], x) for x, y in ((start, s0), (e0, end)) if y > x):
                keys = pool_keys(pool)
                whole = len(textnorm.match_key(text)) >= 0.6 * min(len(keys.get(h) or textnorm.match_key(h))
                                                                     for h in hits)
                if matcher is match_topics or not whole:
                    continue
            if hits and (best is None or (score, e0 - s0) > (best[1], best[3] - best[2])):
                best = (hits, score, s0, e0)
    return best


def _looks_like_name(text: str, start: int = 1) -> bool:
    """Names something (a project, an organisation): two content words ("club de football d'Aubagne"),
    or a capitalised word that does not open the question ("Calanques", "ACTE'INOV")."""
    words = [m for m in _word_spans(text) if len(m.group()) >= 3 and textnorm.fold(m.group()) not in _STOP]
    if len(words) >= 2:
        return True
    return any(w.group()[0].isupper() and (start + w.start() > 0 or w.group().isupper()) for w in words)
