"""`delib lint`: the problems of a draft or of any extract, on raw text, tolerant of OCR noise.

Patterns run on a same-length folded copy of the text (lower case, accents stripped character by
character), so every match is a span of the raw text: "Délibére", "Oui le rapport", "Meétropole",
"ao(t" are all recognised. Each finding has a rule, a severity, a French message and a position.

Rules: partie-manquante, budget-manquant, numerotation, montant-incoherent, beneficiaire-incoherent,
date-impossible, date-ordre, budget-incomplet, imputation-recette, accord-president, accord-participe,
signataire-incomplet, autre-collectivite, registre-incomplet.

Lint knows whose act a text is (`AuthorityCheck`: given with a draft, else read from the text's own
header): another authority's or another body's words in its frame (header, session, formulas,
signature), a Métropole code on another authority's act, a number outside the authority's scheme are
errors; a commune council's draft lacking a mention its register always carries is a warning. The
phrases are data (prompts/draft/authorities.yaml).

Receipts are told from expenses: a budget line on chapitre 024 (produits des cessions), 013, 70-77 or a
7xxx nature, or worded "la recette sera…", needs no expense nature; an article whose amounts the
authority receives (a sale price, a fee, a rent, "redevance versée à la Métropole") needs no budget line.

Registers differ ("Réunion du …", a date in words, "Pour copie conforme", dashed decisions): presence
checks first ask the ingest parser's record (session date, articles, vote, signatory), then fall back to
text patterns, so a draft the parser cannot read is still checked.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from rapidfuzz import fuzz

from ..formats import format_date, format_money
from ..models import Deliberation
from ..textnorm import match_key
from .facts import DATE_RE, NUM_DATE_RE, parse_fr_date
from .precedents import same_name
from .templates import FEMININE, Part, part_label

Severity = Literal["erreur", "avertissement", "info"]
SEVERITY_ORDER = {"erreur": 0, "avertissement": 1, "info": 2}


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str  # French, for a clerk
    start: int  # span in the linted text (start == end: where something is missing)
    end: int
    line: int  # 1-based line of `start`
    part: str | None = None  # part of the document the finding is in, when known


# -- same-length folding -------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # a text is folded character by character: each character's fold is computed once
def _fold_char(ch: str) -> str:
    if ch in "’‘`´ʼ":
        return "'"
    if ch in "\u00a0\u202f\u2009\u2007":
        return " "
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else ch.lower()[:1] or ch


def fold_same_length(text: str) -> str:
    """Lower case without accents, one character for one character (offsets stay valid)."""
    return "".join(_fold_char(c) for c in text)


# -- parts ---------------------------------------------------------------------------------------

# (name, pattern on the folded text, where the part's head ends: "line", "sentence", "rapporteur", "block")
_CODE_SERVICE = r"^[ \t]*[a-z]{2,5}[ \t]+[^\s/]+/\d{2}/[a-z]{1,3}[ \t]*$"
_CODE_REGISTRE = r"^[ \t]*[a-z]{2,5}[ \t]+\d{2}/[^\s/]+/[a-z]{1,3}[ \t]*$"
_SEQUENCE: list[tuple[str, re.Pattern, str]] = [
    (name, re.compile(pattern, re.MULTILINE), mode)
    for name, pattern, mode in [
        ("titre", r"extrait\s+d[ue]s?\s+registres?", "block"),
        ("seance", r"^[ \t]*(?:se+ance|reunion)\s+(?:publique\s+|ordinaire\s+)?du\b", "line"),
        ("presences", r"a\s+ouvert\s+la\s+seance|^[ \t]*etaient\s+presents|^[ \t]*presents?\s*:", "block"),
        ("proposition", r"a\s+propose+\s+(?:au|a\s+la)\b[^.]{0,160}?d\W?accepter\s+les\s+conclusions", "sentence"),
        ("code", _CODE_SERVICE, "line"),
        ("objet", r"^[ \t]*objet\s*:", "block"),
        ("code-registre", _CODE_REGISTRE, "line"),
        ("rapporteur", r"soumet\s+au\b[^.]{0,160}?rapport\s+suivant", "rapporteur"),
        ("raisons", r"^[ \t]*telles\s+sont\s+les\s+raisons", "sentence"),
        ("assemblee", r"^[ \t]*l[ea]\s+(?:bureau|conseil|commission)\b[^\n]{0,120},[ \t]*$", "line"),
        ("visas", r"^[ \t]*vu\b", "block"),
        ("oui", r"^[ \t]*ou\S?\s+le\s+rapport", "line"),
        ("conclusions", r"^[ \t]*entendues?\s+les\s+conclusions", "line"),
        ("delibere", r"^[ \t]*(?:de+\W?li\W?be+\W?re+|decide|arrete)\b", "line"),
    ]
]
_ARTICLE = re.compile(r"^[ \t]*(?:\*\*|__)?article\s+(\d+|1\s*er|premier)\b[ \t]*(?:er\b)?[ \t]*[:.\-–]?", re.MULTILINE)
_VOTE = re.compile(r"^[^\n]*(?:mise?s?\s+aux\s+voix|adoptee?s?\s+a\s+l\W?unanimite)", re.MULTILINE)
_CERTIFIE = re.compile(
    r"^[ \t]*(?:(?:pour\s+)?(?:extrait\s+)?cer\w{0,3}fie+\S?\s+co\w{0,3}forme|pour\s+(?:extrait|copie)\s+conforme)",
    re.MULTILINE,
)
_GAP_AFTER = {"code": "objet", "code-registre": "objet", "proposition": "objet", "rapporteur": "expose",
              "certifie": "signataire"}


def _is_heading(f: str, m: re.Match) -> bool:
    """"chapitre 65,\narticle 6574." is a budget account, not an article heading."""
    raw = m.group(1).replace(" ", "")
    if raw.isdigit() and int(raw) > 99:
        return False
    if re.match(r"\s*[:\-–]", f[m.end(1):]):
        return True
    start = _line_start(f, m.start())
    previous = f[_line_start(f, start - 1):start - 1] if start else ""
    return not previous.rstrip().endswith(",")  # "chapitre 65,\narticle 12." goes on the line above


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def _para_start(text: str, i: int) -> int:
    m = None
    for m in re.finditer(r"\n[ \t]*\n", text[:i]):
        pass
    return m.end() if m else 0


def find_parts(text: str) -> list[Part]:
    """The parts of an extract or a draft, in order, with their spans (tolerant patterns)."""
    f = fold_same_length(text)
    anchors: list[tuple[str, int, int | None]] = []  # (name, start, end of head or None = block)
    cursor = 0
    for name, pattern, mode in _SEQUENCE:
        m = pattern.search(f, cursor)
        if not m:
            continue
        if mode == "rapporteur":
            start = max(_para_start(f, m.start()), cursor)
            head = _line_end(f, m.end())
        elif mode == "sentence":  # up to the end of the line that closes the sentence
            start = _line_start(f, m.start())
            stop = re.compile(r"[.:](?=\s|$)").search(f, m.end())
            head = _line_end(f, stop.end() if stop else m.end())
        else:
            start = _line_start(f, m.start())
            head = _line_end(f, m.end()) if mode == "line" else None
        if name == "titre" and f[:start].strip():
            anchors.append(("en-tete", 0, None))
        anchors.append((name, start, head))
        cursor = head if head is not None else m.end()
    articles = [m for m in _ARTICLE.finditer(f, cursor) if _is_heading(f, m)]
    for i, m in enumerate(articles, 1):
        anchors.append((f"article-{i}", _line_start(f, m.start()), None))
    tail_from = articles[-1].end() if articles else cursor
    vote = _VOTE.search(f, tail_from)
    if vote:
        anchors.append(("vote", vote.start(), None))
        tail_from = vote.end()
    cert = _CERTIFIE.search(f, tail_from)
    if cert:
        anchors.append(("certifie", cert.start(), _line_end(f, cert.end())))
    anchors.sort(key=lambda a: a[1])

    has_objet = any(a[0] == "objet" for a in anchors)
    parts: list[Part] = []
    for i, (name, start, head) in enumerate(anchors):
        nxt = anchors[i + 1][1] if i + 1 < len(anchors) else len(text)
        end = min(head, nxt) if head is not None else nxt
        _add(parts, text, name, start, end)
        gap_name = _GAP_AFTER.get(name)
        if head is not None and head < nxt and text[head:nxt].strip() and gap_name:
            if gap_name == "objet":
                if has_objet or (anchors[i + 1][0] if i + 1 < len(anchors) else "") in ("en-tete", "titre"):
                    continue
                has_objet = True
            _add(parts, text, gap_name, head, nxt)
    return parts


def _add(parts: list[Part], text: str, name: str, start: int, end: int) -> None:
    piece = text[start:end]
    if not piece.strip():
        return
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    parts.append(Part(name=name, label=part_label(name), start=start, end=end))


# -- money, names, dates ---------------------------------------------------------------------------

MONEY = re.compile(
    r"(?<![\d,])(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(?:€|euros?\b|eur\b)(?:\s*(ht|ttc)\b)?"
)


def money_cents(m: re.Match) -> int:
    return int(re.sub(r"[ .]", "", m.group(1))) * 100 + int((m.group(2) or "0").ljust(2, "0"))


_FORMS = (r"association|societe|sas|sarl|commune\s+d[e']|ville\s+d[e']|syndicat(?:\s+mixte)?|fondation|"
          r"etablissement\s+public|groupement\s+d\Winteret\s+public|gip|office|entreprise|cooperative|"
          r"universite|chambre(?:\s+consulaire)?")
_BENEFICIARY = re.compile(
    rf"\b(?:[li1|]\W{{1,2}}|la\s+|le\s+|au\s+)(?P<form>{_FORMS})\s*(?P<name>[^,.;:()\[\]]{{2,160}}?)"
    r"(?=\s+(?:d\W{1,3}un\b|une\b|pour\b|relati|concern|ci-annex|au\s+titre|dans\s+le\s+cadre|en\s+vue|"
    r"afin|et\s+tous|portant|sis\b|situee?|dont|representee?|domicili|conclu|a\s+hauteur|au\s+profit|aupres|"
    r"sollicit|garantiss|s\Wengage|beneficiant|agissant)"
    r"|\s*[,.;:(]|\s*$)"
)
_PROPOSED = re.compile(r"propos")  # "Il est aujourd'hui proposé d'attribuer …", not a past contract's amount
_PROPOSAL = re.compile(r"propos|attribu|accord|octroi|subvention|montant|avenant|participation")


def _sentences(f: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r"[.!?](?=\s)|\n[ \t]*\n", f[start:end]):
        out.append((pos, start + m.end()))
        pos = start + m.end()
    if f[pos:end].strip():
        out.append((pos, end))
    return out


def _beneficiaries(text: str, f: str, start: int, end: int) -> list[tuple[str, int, int, str]]:
    """(name, start, end, legal form) of the beneficiaries named in f[start:end]."""
    out = []
    for m in _BENEFICIARY.finditer(f, start, end):
        name = " ".join(text[m.start("name"): m.end("name")].split())
        # A name is capitalised: "l'association une subven- tion …" is a sentence going on.
        if not (name[:1].isupper() or name[:1].isdigit() or name[:1] in "«\"'"):
            continue
        if len(name) >= 3 and not name.lower().startswith(("de la metropole", "metropole")):
            out.append((name, m.start("name"), m.end("name"), re.sub(r"\W+", " ", m.group("form"))))
    return out


# -- the linter ----------------------------------------------------------------------------------


class AuthorityCheck(BaseModel):
    """Whose act a text is, for the rules autre-collectivite and registre-incomplet."""

    authority_type: str | None = None
    authority_name: str | None = None
    body: str | None = None
    numbering: str | None = None  # the authority's learned scheme of numbers ("DAAAA-NNN")
    session_date: dt.date | None = None
    mentions: list[str] = []  # fields of the session its register always carries (session_mentions)


class _Ctx:
    def __init__(self, text: str, parts: list[Part], record: Deliberation | None = None,
                 authority: AuthorityCheck | None = None):
        self.text = text
        self.authority = authority
        self.f = fold_same_length(text)
        self.record = record
        self.parts = parts
        self.by_name = {p.name: p for p in parts}
        self.articles = [p for p in parts if p.name.startswith("article-")]
        if not self.articles and record and record.articles:  # "- approuve …": the parser's articles
            self.articles = [Part(name=f"article-{a.number}", label=part_label(f"article-{a.number}"),
                                  start=a.start, end=a.end) for a in record.articles]
        self.findings: list[Finding] = []

    def part_at(self, i: int) -> str | None:
        for p in self.parts:
            if p.start <= i < p.end:
                return p.name
        return None

    def add(self, rule: str, severity: Severity, message: str, start: int, end: int | None = None) -> None:
        end = start if end is None else end
        self.findings.append(Finding(
            rule=rule, severity=severity, message=message, start=start, end=end,
            line=self.text.count("\n", 0, start) + 1, part=self.part_at(start),
        ))

    def expected_at(self, *after: str) -> int:
        """Where a missing part should be: right after the last present part among `after`."""
        ends = [self.by_name[n].end for n in after if n in self.by_name]
        return max(ends) if ends else 0


def _parsed(text: str) -> Deliberation | None:
    """The ingest parser's record of the text, when it reads as an extract (spans valid in `text`)."""
    from ..ingest.parser import parse

    try:
        record = parse(text, id="lint", source="lint")
    except ValueError:  # NotAnExtract (a draft cut short, a letter): lint goes on with text patterns alone
        return None
    return record if record.raw_text == text else None


def lint_text(text: str, parts: list[Part] | None = None, *, authority: AuthorityCheck | None = None
              ) -> list[Finding]:
    """All findings for a text (a draft or any extract), sorted by position. `authority`: whose act it is
    (a draft's request); else the authority the text's own header names, when the parser reads one."""
    record = _parsed(text)
    if authority is None:
        authority = _authority_of(text, record)
    ctx = _Ctx(text, parts if parts is not None else find_parts(text), record, authority)
    for rule in (_missing_parts, _numbering, _budget, _amounts, _beneficiary, _dates, _president,
                 _participles, _signatory, _other_authority, _register_mentions):
        rule(ctx)
    return sorted(ctx.findings, key=lambda x: (x.start, SEVERITY_ORDER[x.severity], x.rule))


_MANDATORY = [
    (("en-tete", "titre"), "l'en-tête (« EXTRAIT DES REGISTRES DES DELIBERATIONS… »)", ()),
    (("seance",), "la séance (« Séance du … »)", ("titre", "en-tete")),
    (("objet",), "l'objet de la délibération", ("code", "proposition", "presences", "seance")),
    (("visas",), "les visas (« Vu … »)", ("assemblee", "raisons", "expose")),
    (("delibere",), "la formule « Délibère »", ("conclusions", "oui", "visas")),
    (("vote",), "le résultat du vote (« Cette proposition mise aux voix est adoptée »)", ("article-", "delibere")),
    (("signataire",), "le signataire (nom et qualité, après « Certifié conforme »)", ("certifie", "vote")),
]
# Other wordings of a part, anywhere in the text (the parts' sequence only knows the seed's layout).
_ELSEWHERE = {
    "titre": re.compile(r"extrait\s+d[ue]s?\s+(?:registres?|proces[\s-]*verba)|registres?\s+des\s+deliberations|"
                        r"proces[\s-]*verbal\s+des\s+deliberations|^[ \t]*deliberation\s+(?:du|de\s+la|n\W)",
                        re.MULTILINE),
    "delibere": re.compile(r"apres\s+en\s+avoir\s+de+libere|^[ \t]*(?:de+libere+|decide|arrete)\b", re.MULTILINE),
}


def _present(ctx: _Ctx, names: tuple[str, ...]) -> bool:
    if any(n in ctx.by_name for n in names):
        return True
    rec = ctx.record
    if rec is not None:
        if names == ("seance",) and rec.session_date:
            return True
        if names == ("vote",) and rec.vote:
            return True
        if names == ("signataire",) and rec.signatory and rec.signatory.name:
            return True
    return any(n in _ELSEWHERE and _ELSEWHERE[n].search(ctx.f) for n in names)


def _missing_parts(ctx: _Ctx) -> None:
    for names, what, after in _MANDATORY:
        if not _present(ctx, names):
            if "article-" in after:
                after = tuple(a.name for a in ctx.articles) + after
            ctx.add("partie-manquante", "erreur", f"Partie obligatoire absente : {what}.", ctx.expected_at(*after))
    if not ctx.articles:
        ctx.add("partie-manquante", "erreur", "Aucun article (« Article 1 : … ») après « Délibère ».",
                ctx.expected_at("delibere", "conclusions", "visas"))


_ARTICLE_HEAD = re.compile(r"[ \t]*(?:\*\*|__)?article\s+(\d+|1\s*er|premier)\b")


def _article_number(ctx: _Ctx, p: Part) -> int | None:
    m = _ARTICLE_HEAD.match(ctx.f, p.start)
    if not m:
        return None
    raw = m.group(1).replace(" ", "")
    return 1 if raw in ("1er", "premier") else int(raw)


def _numbering(ctx: _Ctx) -> None:
    expected = 1
    seen: set[int] = set()
    for p in ctx.articles:
        n = _article_number(ctx, p)
        if n is None:
            continue
        head_end = _line_end(ctx.f, p.start)
        if n in seen:
            ctx.add("numerotation", "erreur", f"L'article {n} est numéroté deux fois.", p.start, head_end)
        elif n > expected:
            missing = f"l'article {expected}" if n == expected + 1 else f"les articles {expected} à {n - 1}"
            ctx.add("numerotation", "erreur",
                    f"Numérotation des articles interrompue : {missing} manque (article {n} après "
                    f"l'article {expected - 1 if expected > 1 else 'de tête'}).", p.start, head_end)
        elif n < expected:
            ctx.add("numerotation", "erreur",
                    f"Article {n} hors d'ordre : il suit l'article {expected - 1}.", p.start, head_end)
        seen.add(n)
        expected = max(expected, n + 1)


_BUDGET_WORDS = re.compile(r"credits|budget|imput|nature\s+\d|chapitre\s+\d")

# Receipts and expenses (M14/M57): a receipt is imputed on chapitre 024 (produits des cessions, no nature
# in the vote), 013 or 70-77, or on a 7xxx nature; an expense on 011/012/65…, 20-23 or a 6xxx/2xxx nature.
_ACCOUNT = r"(?:nature|compte|article)\s*:?\s*"
_RECEIPT_CODE = re.compile(rf"chapitre\s*:?\s*(?:024|0?13|7[0-7])\b|{_ACCOUNT}7\d{{2,}}")
_EXPENSE_CODE = re.compile(rf"chapitre\s*:?\s*(?:011|012|6[0-8]|20|204|21|23)\b|{_ACCOUNT}[62]\d{{2,}}")
_RECEIPT_WORDS = re.compile(r"\brecettes?\b|\bproduits?\b|encaiss|\bpercu|percevoir|perception")
_EXPENSE_WORDS = re.compile(r"\bdepenses?\b|credits\s+necessaires|\bmandat")
# Articles where the authority receives the money: a sale, a fee, a rent, a grant it asks for.
_AUTHORITY = (r"(?:la\s+|le\s+|l\W)?(?:commune|ville|metropole|communaute|region|departement|c\.?c\.?a\.?s|"
              r"syndicat|caisse|centre\s+communal|collectivite)")
_RECEIVES = re.compile(
    r"\brecettes?\b|encaiss|\bpercu|percevoir|perception|\bredevances?\b|\btarifs?\b|\bloyers?\b|"
    r"droits?\s+(?:d\W|de\s+)(?:occupation|place|entree|stationnement|inscription|voirie|terrasse)|"
    r"\bcession|\bvente\b|\bced(?:e|er|ee|es|ons)\b|\bproduits?\s+d[eu]|"
    rf"au\s+profit\s+d[eu]\s+{_AUTHORITY}|versee?s?\s+(?:a|au)\s+{_AUTHORITY}"
)
_PAYS = re.compile(
    r"subvention|participation\s+financiere|acquisition|acquerir|\bachat|avenant|indemni|"
    r"\b(?:cession|vente|cede\w{0,2}|vendu\w{0,2})\s+(?:consentie?s?\s+)?par\b|"  # "la cession par la SCI X à la Commune"
    r"marche\s+(?:n\W|public|de\s+(?:travaux|services|fournitures|maitrise))|accord[\s-]+cadre|"
    rf"(?:versee?s?|payee?s?|due?s?|acquittee?s?|prise?s?\s+en\s+charge)\s+par\s+{_AUTHORITY}|"
    rf"a\s+la\s+charge\s+d[eu]\s+{_AUTHORITY}|"
    rf"{_AUTHORITY}\s+(?:verse|versera|paie|paiera|payera|s\Wacquitte|s\Wacquittera|prend|prendra)\b"
)
_ASKS_FOR_AID = re.compile(r"sollicit|percevoir|recevoir|recue?s?\s+(?:de|du|des)\b|demande\s+d[e\W]\s*(?:aide|subvention)")
_GRANT = re.compile(r"subvention|participation\s+financiere")


def _budget_articles(ctx: _Ctx) -> list[Part]:
    return [p for p in ctx.articles if _BUDGET_WORDS.search(ctx.f, p.start, p.end)]


def is_receipt_account(chapitre: str | None, nature: str | None) -> bool:
    """The accounts of a receipt (chapitre 024, 013, 70-77, a 7xxx nature): the rule `_receipt_line`
    applies to a budget line's text, for a request's codes (drafts write "La recette sera inscrite…")."""
    return bool(_RECEIPT_CODE.search(f"chapitre {(chapitre or '').strip()}, nature {(nature or '').strip()}"))


def _receipt_line(seg: str) -> bool:
    """A budget line for a receipt ("la recette sera inscrite … chapitre 024"), not an expense.

    The accounts decide when they are given (024 and 7x are receipts only), else the wording."""
    receipt_code, expense_code = _RECEIPT_CODE.search(seg), _EXPENSE_CODE.search(seg)
    if receipt_code or expense_code:
        return bool(receipt_code) and not expense_code
    return bool(_RECEIPT_WORDS.search(seg)) and not _EXPENSE_WORDS.search(seg)


def _receives(seg: str) -> bool:
    """An article whose amounts the authority receives (sale price, fee, rent, aid it asks for)."""
    if _GRANT.search(seg):
        return bool(_ASKS_FOR_AID.search(seg))
    return bool(_RECEIVES.search(seg)) and not _PAYS.search(seg)


def _receipt_worded_as_expense(ctx: _Ctx, p: Part, seg: str) -> None:
    """"Les crédits nécessaires sont inscrits … chapitre 024": a receipt written as an expense."""
    worded, code = _EXPENSE_WORDS.search(seg), _RECEIPT_CODE.search(seg)
    if not (worded and code) or _RECEIPT_WORDS.search(seg):
        return
    account = " ".join(ctx.text[p.start + code.start():p.start + code.end()].split())
    words = ctx.text[p.start + worded.start():p.start + worded.end()]
    ctx.add("imputation-recette", "avertissement",
            f"Imputation d'une recette ({account}) rédigée comme une dépense (« {words} ») : "
            "écrire « La recette sera inscrite au budget … ».", p.start + worded.start(), p.start + worded.end())


def _budget(ctx: _Ctx) -> None:
    budget_parts = _budget_articles(ctx)
    articles = " ".join(ctx.f[p.start:p.end] for p in ctx.articles)
    segs = [ctx.f[p.start:p.end] for p in ctx.articles if p not in budget_parts]
    grant = any(_GRANT.search(s) and not _receives(s) for s in segs)
    pays = any(MONEY.search(s) and not _receives(s) for s in segs)
    spending = (grant or pays) and not re.search(r"garantie|emprunt", articles)
    if spending and not budget_parts and ctx.articles:  # a guarantee, a sale or fees spend nothing
        if grant:
            ctx.add("budget-manquant", "erreur",
                    "Acte de dépense sans article d'imputation budgétaire (« Les crédits nécessaires sont "
                    "inscrits au budget … , fonction …, nature … »).", ctx.articles[-1].end)
        else:
            ctx.add("budget-manquant", "avertissement",
                    "Les articles engagent des montants sans article d'imputation budgétaire : à vérifier "
                    "(« Les crédits nécessaires sont inscrits au budget … »).", ctx.articles[-1].end)
    session = _session_date(ctx)
    for p in budget_parts:
        head = _ARTICLE_HEAD.match(ctx.f, p.start)  # "Article 4 :" is no budget "article 4"
        seg = ctx.f[p.start:p.end]
        body = seg[head.end() - p.start:] if head else seg
        missing = []
        if not re.search(r"budget\s+(?:\w+\s+){0,3}?(?:19|20)\d\d|exercice\s+(?:19|20)\d\d|(?:19|20)\d\d", seg):
            missing.append("l'année (exercice)")
        nature = re.search(r"nature\s*:?\s*[a-z]?\d{2,}|(?:article|compte)\s*:?\s*\d{3,}", body)
        fonction = re.search(r"(?:fonction|sous[\s-]*politique|chapitre|programme|operation|article)\s*:?\s*"
                             r"[a-z]{0,2}\d{1,}", body)
        if _receipt_line(seg):  # a receipt: its chapitre (024, 70-77) or its 7xxx nature is enough
            if not (nature or fonction):
                missing.append("le chapitre (ou la nature) de la recette")
            _receipt_worded_as_expense(ctx, p, seg)
        else:
            if not nature:
                missing.append("la nature")
            if not fonction:
                missing.append("la fonction (ou sous-politique, chapitre)")
        if not re.search(r"budget\s+(?:de\s+l\W|du\s+|des\s+)?(?:princip|annex|general|fonction|invest|primitif|"
                         r"supplementaire|\w+\s+(?:principal|annexe))|section\s+d\W{0,2}\s*(?:fonction|invest)|"
                         r"budget\s+(?:19|20)\d\d|budget\s+de\s+l\Wexercice|"
                         r"budget\s+(?:regional|departemental|communal|communautaire|metropolitain|syndical)|"
                         r"budget\s+d[ue]s?\s+(?:l\W)?(?:ccas|c\.c\.a\.s|syndicat|ville|commune|region|departement|"
                         r"centre\s+communal|communaute|metropole|caisse)", seg):
            missing.append("le budget (principal, annexe, fonctionnement, investissement)")
        if missing:
            ctx.add("budget-incomplet", "erreur",
                    f"Imputation budgétaire incomplète : il manque {', '.join(missing)}.", p.start, p.end)
        year = re.search(r"(?:budget|exercice)\D{0,40}?((?:19|20)\d\d)", seg)
        if year and session and int(year.group(1)) < session.year:
            s = p.start + year.start(1)
            ctx.add("date-ordre", "avertissement",
                    f"Crédits imputés sur le budget {year.group(1)}, antérieur à la séance "
                    f"({format_date(session)}).", s, s + 4)


def _amounts(ctx: _Ctx) -> None:
    """The exposé proposes amounts, and none of them is in the articles: one of them was changed.

    Only the proposal's sentences count (not a contract's initial amount), and only no overlap at all is
    reported: articles also hold totals and splits ("45 000 euros, soit 15 000 euros par an")."""
    expose = ctx.by_name.get("expose")
    if not expose or not ctx.articles:
        return
    budget_ids = {p.name for p in _budget_articles(ctx)}
    expose_cents = {
        money_cents(m)
        for s, e in _sentences(ctx.f, expose.start, expose.end) if _PROPOSED.search(ctx.f, s, e)
        for m in MONEY.finditer(ctx.f, s, e)
    }
    found = [(p, m) for p in ctx.articles if p.name not in budget_ids for m in MONEY.finditer(ctx.f, p.start, p.end)]
    if not expose_cents or not found or expose_cents & {money_cents(m) for _, m in found}:
        return
    p, m = found[0]
    shown = ", ".join(format_money(c) for c in sorted(expose_cents))
    ctx.add("montant-incoherent", "erreur",
            f"Le montant de l'{p.label.lower()} ({format_money(money_cents(m))}) ne figure pas dans l'exposé, "
            f"qui annonce {shown}.", m.start(), m.end())


def _beneficiary(ctx: _Ctx) -> None:
    article_names = [n for p in ctx.articles for n in _beneficiaries(ctx.text, ctx.f, p.start, p.end)]
    if not article_names:
        return
    forms = {a[3] for a in article_names}
    others: list[tuple[str, int, int, str, str]] = []
    o = ctx.by_name.get("objet")
    if o and re.search(r"subvention|convention|avenant|participation", ctx.f[o.start:o.end]):
        others += [(*n, "l'objet") for n in _beneficiaries(ctx.text, ctx.f, o.start, o.end)]
    if "expose" in ctx.by_name:
        e = ctx.by_name["expose"]
        for s, t in _sentences(ctx.f, e.start, e.end):
            if _PROPOSAL.search(ctx.f, s, t) and re.search(r"propos|attribu", ctx.f[s:t]):
                others += [(*n, "l'exposé") for n in _beneficiaries(ctx.text, ctx.f, s, t)]
    for name, start, end, form, where in others:
        # "la Ville d'Aix" in an object about an association is a place, not another beneficiary.
        if form not in forms or any(_same_beneficiary(name, a[0]) for a in article_names):
            continue
        ctx.add("beneficiaire-incoherent", "erreur",
                f"Bénéficiaire nommé différemment dans {where} (« {name} ») et dans les articles "
                f"(« {article_names[0][0]} »).", start, end)


def _same_beneficiary(a: str, b: str) -> bool:
    """Same name up to OCR noise, a stray letter or a trailing complement ("X auprès de la Caisse…")."""
    ka, kb = match_key(a), match_key(b)
    return same_name(a, b, threshold=85.0) or (min(len(ka), len(kb)) >= 6 and fuzz.partial_ratio(ka, kb) >= 90)


def _session_date(ctx: _Ctx) -> dt.date | None:
    p = ctx.by_name.get("seance")
    if not p:
        return None
    m = DATE_RE.search(ctx.f, p.start, p.end) or NUM_DATE_RE.search(ctx.f, p.start, p.end)
    if not m:
        return None
    if m.re is DATE_RE:
        return parse_fr_date(*m.groups())
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


_AFTER_SESSION = re.compile(
    r"(?:re[cç]u|envoye|transmis)\s+(?:au\s+controle\s+de\s+legalite|en\s+prefecture)\s+le\s*$|"
    r"(?:affiche|publie|certifie\s+conforme)\S*\s+le\s*$"
)


def _dates(ctx: _Ctx) -> None:
    session = _session_date(ctx)
    visas = ctx.by_name.get("visas")
    found: list[tuple[int, int, dt.date | None, str]] = []
    for m in DATE_RE.finditer(ctx.f):
        found.append((m.start(), m.end(), parse_fr_date(*m.groups()), ctx.text[m.start():m.end()]))
    for m in NUM_DATE_RE.finditer(ctx.f):
        try:
            d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            d = None
        found.append((m.start(), m.end(), d, ctx.text[m.start():m.end()]))
    for start, end, d, raw in sorted(found):
        if d is None:
            ctx.add("date-impossible", "erreur", f"Date impossible : « {' '.join(raw.split())} ».", start, end)
            continue
        if not session:
            continue
        if visas and visas.start <= start < visas.end and d > session:
            ctx.add("date-ordre", "erreur",
                    f"Un visa cite un acte du {format_date(d)}, postérieur à la séance du "
                    f"{format_date(session)}.", start, end)
        elif _AFTER_SESSION.search(ctx.f[max(0, start - 60):start]) and d < session:
            ctx.add("date-ordre", "erreur",
                    f"Date du {format_date(d)} antérieure à la séance du {format_date(session)} : "
                    "une formalité postérieure ne peut la précéder.", start, end)
    for code in (ctx.by_name.get("code"), ctx.by_name.get("code-registre")):
        if not code or not session:
            continue
        m = re.search(r"/(\d{2})/|\s(\d{2})/", ctx.f[code.start:code.end])
        yy = m and (m.group(1) or m.group(2))
        if yy and int(yy) != session.year % 100:
            s = code.start + m.start()
            ctx.add("date-ordre", "avertissement",
                    f"L'année du code ({yy}) ne correspond pas à celle de la séance ({session.year}).", s, m.end()
                    + code.start)


_WRONG_TITLES = [
    (re.compile(r"\bmadame\s+le\s+president\b(?!e)"), "« Madame le Président » : écrire « Madame la Présidente »."),
    (re.compile(r"\bmadame\s+la\s+president\b(?!e)"), "« Madame la Président » : écrire « Madame la Présidente »."),
    (re.compile(r"\bmonsieur\s+la\s+presidente?\b"), "« Monsieur la Présidente » : écrire « Monsieur le Président »."),
    (re.compile(r"\bmonsieur\s+le\s+presidente\b"), "« Monsieur le Présidente » : écrire « Monsieur le Président »."),
]
_OPENING = re.compile(r"^[ \t]*(madame|monsieur)\s+[^,\n]{2,60},\s*(presidente?)\b", re.MULTILINE)
_TITLE_USE = re.compile(r"\b(madame\s+la\s+presidente|monsieur\s+le\s+president)\b(?!e)")


def _president(ctx: _Ctx) -> None:
    for pattern, message in _WRONG_TITLES:
        for m in pattern.finditer(ctx.f):
            ctx.add("accord-president", "erreur", message, m.start(), m.end())
    opening = _OPENING.search(ctx.f)
    if not opening:
        return
    civility, title = opening.group(1), opening.group(2)
    if (civility == "madame") != (title == "presidente"):
        ctx.add("accord-president", "erreur",
                f"« {ctx.text[opening.start(1):opening.end(1)]} … {ctx.text[opening.start(2):opening.end(2)]} » : "
                "le titre ne s'accorde pas avec la civilité.", opening.start(2), opening.end(2))
        return
    for m in _TITLE_USE.finditer(ctx.f):
        if m.group(1).startswith(civility):
            continue
        expected = "Madame la Présidente" if civility == "madame" else "Monsieur le Président"
        ctx.add("accord-president", "erreur",
                f"« {ctx.text[m.start():m.end()]} » alors que la séance est présidée par "
                f"{ctx.text[opening.start(1):opening.end(1)]} … : écrire « {expected} ».", m.start(), m.end())


_PARTICIPLE = re.compile(
    r"(?:^|\n|:)\s*(est|sont)\s+(approuv|attribu|autoris|accord|design|fix|adopt|valid|arret|decid|accept)(ees|ee|es|e)\s+(?:(les|la|le|une|un)\s+|(l)')([a-z]+)"
)


def _participles(ctx: _Ctx) -> None:
    for p in ctx.articles:
        for m in _PARTICIPLE.finditer(ctx.f, p.start, p.end):
            verb, _stem, suffix, det, _elided, noun = m.groups()
            det = det or "l'"
            if det in ("la", "une"):
                fem = True
            elif det in ("le", "un"):
                fem = False
            else:
                fem = noun.removesuffix("s") in {fold_same_length(w) for w in FEMININE}
            plural = verb == "sont" or det == "les"
            if "eé" in ctx.text[m.start(3):m.end(3)]:
                continue  # OCR doubled the accent ("attribueé"): the ending cannot be read
            got_fem, got_plural = suffix.startswith("ee"), suffix.endswith("s")
            if (got_fem, got_plural) != (fem, plural):
                s, e = m.start(2), m.end(3)
                word = ctx.text[s:e]
                want = ("féminin" if fem else "masculin") + (" pluriel" if plural else " singulier")
                ctx.add("accord-participe", "avertissement",
                        f"Accord du participe : « {word} » devrait être au {want} "
                        f"(« {ctx.text[m.start(4) if m.group(4) else m.start(5):m.end(6)]} »).", s, e)


def _signatory(ctx: _Ctx) -> None:
    p = ctx.by_name.get("signataire")
    if not p:
        return
    seg = ctx.text[p.start:p.end]
    if "[" in seg or not re.search(r"\b[A-ZÀ-Ý][A-ZÀ-Ý'’-]{1,}\b", seg):
        ctx.add("signataire-incomplet", "erreur",
                "Signataire incomplet : le nom (en capitales) et la qualité du signataire sont attendus.",
                p.start, p.end)


# -- the authority ----------------------------------------------------------------------------------

# Parts that frame an act (its authority's own words); the exposé, visas and articles may cite others.
_FRAME_PARTS = {"en-tete", "titre", "seance", "numero", "ouverture", "presences", "proposition", "rapporteur",
                "raisons", "assemblee", "oui", "conclusions", "delibere", "fait", "certifie", "signataire"}


def _wording() -> dict:
    from .profiles import wording

    return wording()


def _marks(authority_type: str | None) -> set[str]:
    return set((_wording()["marks"].get(authority_type or "") or {}).get("phrases", []))


def _other_authority(ctx: _Ctx) -> None:
    for never in _wording()["never"]:
        for m in re.finditer(never["pattern"], ctx.f):
            ctx.add("autre-collectivite", "erreur",
                    f"« {' '.join(ctx.text[m.start():m.end()].split())} » : {never['message']}.", m.start(), m.end())
    a = ctx.authority
    if a is None or not a.authority_type:
        return
    own = _marks(a.authority_type)
    for shared in (_wording()["marks"].get(a.authority_type) or {}).get("shares", []):
        own |= _marks(shared)
    others = {p for t in _wording()["marks"] if t != a.authority_type for p in _marks(t)} - own
    who = _designation(a)
    for part in (p for p in ctx.parts if p.name in _FRAME_PARTS):
        for phrase in others:
            for m in re.finditer(phrase, ctx.f[part.start:part.end]):
                s, e = part.start + m.start(), part.start + m.end()
                ctx.add("autre-collectivite", "erreur",
                        f"« {' '.join(ctx.text[s:e].split())} » ({part.label.lower()}) : formule d'une autre "
                        f"collectivité ou d'une autre assemblée dans un acte {who}.", s, e)
    if a.authority_type != "metropole":
        for name in ("code", "code-registre"):
            if name in ctx.by_name:
                p = ctx.by_name[name]
                ctx.add("autre-collectivite", "erreur",
                        f"Code « {ctx.text[p.start:p.end].strip()} » au format d'un bureau ou d'un conseil de "
                        f"métropole dans un acte {who}" + (f" (numérotation attendue : « {a.numbering} »)."
                                                           if a.numbering else "."), p.start, p.end)
    _number_scheme(ctx, a, who)


def _authority_of(text: str, record: Deliberation | None) -> AuthorityCheck | None:
    """The authority a text names: the parser's reading of its header, else the type of the body it read
    (a conseil municipal is a commune's), else the type its first line names ("COMMUNE DE SAINT-EXEMPLE";
    not a département, which a commune's header prints above its own name); None when none says."""
    from .profiles import body_words, type_of

    if record is not None and record.authority_type:
        return AuthorityCheck(authority_type=record.authority_type, authority_name=record.authority_name,
                              body=record.body, session_date=record.session_date)
    kind = body_words(record.body).get("type") if record is not None and record.body else None
    if kind is None:
        kind = type_of(next((line for line in text.splitlines() if line.strip()), ""))
    return AuthorityCheck(authority_type=kind) if kind and kind != "departement" else None


def _designation(a: AuthorityCheck) -> str:
    from .profiles import designation, type_words, with_article
    from .templates import prep_de

    if a.authority_name:
        return prep_de(with_article(designation(a.authority_type, a.authority_name), a.authority_type))
    return f"de type « {type_words(a.authority_type).get('word', a.authority_type)} »"


def _number_scheme(ctx: _Ctx, a: AuthorityCheck, who: str) -> None:
    """The draft's number ("Délibération n° D2025-[NNN]") follows the authority's learned scheme."""
    part = ctx.by_name.get("numero")
    m = part and re.search(r"\bn\s*[°º o]\.?\s*(\S.*)$", ctx.text[part.start:part.end].strip())
    if not (a.numbering and m):
        return
    from .profiles import numbering_scheme

    number = re.sub(r"\[(N+)\]", lambda g: "0" * len(g.group(1)), m.group(1).strip())
    probe = Deliberation(id="lint", source="lint", content_hash="", raw_text="", session_date=a.session_date)
    scheme = numbering_scheme(number, probe)
    if scheme and scheme != a.numbering:
        ctx.add("autre-collectivite", "erreur",
                f"Numéro « {m.group(1).strip()} » hors de la numérotation {who} (« {a.numbering} »).",
                part.start, part.end)


def _register_mentions(ctx: _Ctx) -> None:
    a = ctx.authority
    if a is None or not a.mentions:
        return
    for spec in _wording()["session_mentions"]:
        if spec["field"] in a.mentions and not re.search(spec["pattern"], ctx.f):
            ctx.add("registre-incomplet", "avertissement",
                    f"Il manque {spec['label']} : le registre {_designation(a)} le porte toujours.",
                    ctx.expected_at("presences", "ouverture", "seance", "titre", "en-tete"))


# -- files -----------------------------------------------------------------------------------------


def read_text(path: Path | str) -> str:
    """Text of a draft or an extract: .docx (paragraphs), .txt/.md, else the ingest loader (PDF, scans)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from docx import Document

        if Document(str(path)).tables:  # a signature in a table cell: the loader reads tables in order
            from ..ingest.loaders import load

            return load(path).text
        from .docx_export import docx_text

        return docx_text(path)
    if suffix in (".txt", ".md", ""):
        data = path.read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    try:
        from ..ingest.loaders import load
    except ImportError as exc:  # pragma: no cover - the loader ships with the package
        raise ValueError(f"{path} : format non pris en charge par la vérification.") from exc
    return load(path).text


def lint_file(path: Path | str) -> tuple[str, list[Finding]]:
    text = read_text(path)
    return text, lint_text(text)


def to_fix(findings: list[Finding]) -> list[Finding]:
    """Findings that call for a correction (errors and warnings; info is only information)."""
    return [f for f in findings if f.severity != "info"]
