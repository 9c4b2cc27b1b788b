"""The Deliberation record and its parts.

Every extracted value keeps the character span (start, end) it came from in the record's raw text,
so that any fact shown to a user can be quoted back. Missing parts are None or empty lists, never
guessed. Offsets are Python string indices into `Deliberation.raw_text` (end exclusive).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, TypeAdapter
from pydantic_core import from_json

# Bodies we know how to name; anything else is "autre" with its label kept verbatim.
# "bureau" and "conseil" without more are a métropole's (the seed's); a bureau communautaire is "bureau" too,
# its label keeps the printed words.
Body = Literal["bureau", "conseil", "conseil_municipal", "conseil_communautaire", "commission_permanente",
               "comite_syndical", "conseil_administration", "autre"]

# Act types the parser classifies an object into (from the object/title and the articles).
ActType = Literal[
    "subvention",  # attribution of a subsidy, with or without a convention
    "convention",  # convention de partenariat / d'objectifs without a subsidy
    "avenant",  # amendment to a contract or convention
    "marche",  # attribution of a public contract (amounts usually HT)
    "acquisition",  # acquisition foncière / cession
    "tarifs",  # fixing prices / fees
    "garantie_emprunt",  # loan guarantee
    "designation",  # appointment of representatives
    "autre",
]

Qualifier = Literal["TTC", "HT", "net"]

AuthorityType = Literal[
    "commune", "communaute_communes", "communaute_agglomeration", "communaute_urbaine", "metropole", "ept",
    "departement", "region", "syndicat", "ccas",
]

BODY_LABELS: dict[str, str] = {
    "bureau": "Bureau de la Métropole",
    "conseil": "Conseil de la Métropole",
    "conseil_municipal": "Conseil municipal",
    "conseil_communautaire": "Conseil communautaire",
    "commission_permanente": "Commission permanente",
    "comite_syndical": "Comité syndical",
    "conseil_administration": "Conseil d'administration",
    "autre": "Autre assemblée",
}


class Span(BaseModel):
    """A piece of the raw text: `raw_text[start:end] == text` (before any normalisation)."""

    text: str
    start: int
    end: int


class Member(BaseModel):
    name: str  # as printed, OCR errors included ("Frangois BERNARDINI")
    start: int
    end: int


class Represented(Member):
    proxy: str | None = None  # "représentée par Daniele GARCIA" -> "Daniele GARCIA"


class Code(BaseModel):
    """A deliberation code, e.g. service code `EMP 004-6064/19/BM` or registry code `MET 19/11402/BM`."""

    code: str  # normalised spacing, e.g. "EMP 004-6064/19/BM"
    kind: Literal["service", "registre", "autre"]
    prefix: str | None = None  # "EMP", "MET", "FAG"
    number: str | None = None  # "004-6064", "11402"
    year: int | None = None  # 2019 (from "/19/")
    body_suffix: str | None = None  # "BM" (Bureau), "CM" (Conseil), ...
    start: int
    end: int


class Article(BaseModel):
    number: int
    text: str  # the article's body, without the "Article 1 :" heading
    start: int  # span of the whole article, heading included
    end: int


class Amount(BaseModel):
    """A sum of money in the text. Integers of cents: no float rounding, ever."""

    cents: int
    currency: str = "EUR"
    qualifier: Qualifier | None = None  # TTC / HT when stated
    per_year: bool = False  # "par an"
    beneficiary: str | None = None  # as printed in the sentence that grants it
    purpose: str | None = None  # "pour son projet ACTE'INOV"
    year: int | None = None  # "pour l'année 2019"
    article: int | None = None  # article number where it appears, None for the exposé
    start: int  # span of the amount expression ("20 000 euros")
    end: int
    sentence_start: int | None = None  # span of the sentence that carries it (the quote)
    sentence_end: int | None = None
    # Whether the deliberation grants it: True in an article, after the decision marker or in a row of
    # a grant table; False in a sentence of the exposé when the decision part is known (a sum recalled,
    # a cost, or words inserted to mislead); None when the text's parts are not recognised.
    granted: bool | None = None


class Budget(BaseModel):
    """Budget imputation: "budget fonctionnement 2019 de la Métropole, fonction 65, nature 65748"."""

    budget: str | None = None  # "fonctionnement", "investissement", "principal", "annexe ..."
    year: int | None = None
    fonction: str | None = None
    nature: str | None = None
    sous_politique: str | None = None
    chapitre: str | None = None
    start: int
    end: int


class Vote(BaseModel):
    adopted: bool | None = None
    unanimous: bool = False
    majority: bool = False  # "à la majorité" printed (the result said, without the counts)
    for_count: int | None = None  # votes for, when printed as a number (an open-data file's VOTE_POUR)
    abstentions: list[str] = Field(default_factory=list)  # names when printed
    abstention_count: int | None = None
    against: list[str] = Field(default_factory=list)
    against_count: int | None = None
    start: int
    end: int


class Signatory(BaseModel):
    name: str | None = None
    title: str | None = None  # "Vice-Président Délégué Emploi, Insertion, Economie sociale et solidaire"
    start: int
    end: int


class Count(BaseModel):
    """A number printed in the text: "en exercice : 27", "votants : 23"."""

    value: int
    start: int
    end: int


class Item(BaseModel):
    """Where a deliberation sits in a document that holds several (a procès-verbal, a list…)."""

    index: int  # 1-based, in document order
    total: int  # how many items the document holds
    kind: Literal["deliberation", "decision"] = "deliberation"
    start: int  # the item's span in the document's raw text
    end: int


class Person(BaseModel):
    name: str
    civility: Literal["Madame", "Monsieur"] | None = None
    title: str | None = None  # "Présidente de la Métropole Aix-Marseille-Provence"
    start: int
    end: int


class OpenDataRow(BaseModel):
    """Where a record read from an open-data file (an SCDL CSV) comes from: one row of the file.

    The record's raw text is the file's header line and this row's lines as written, so that every
    citation quotes the row's cells; `cells` holds each field's cell as written, by field name
    (`assistant/opendata/columns.yaml`), for what the record has no field for (SIRET, RNA, nature...)."""

    schema_name: Literal["scdl-deliberations", "scdl-subventions"]
    line: int  # the file's line where the row starts (the header is line 1)
    cells: dict[str, str] = Field(default_factory=dict)

    def label(self) -> str:
        """How a citation names the row: the file's line, as a spreadsheet shows it."""
        return f"Ligne {self.line}"


class Deliberation(BaseModel):
    """One extract from a register of deliberations, parsed."""

    id: str
    source: str  # file name, e.g. "000_47990de55f73b628.txt"
    path: str | None = None  # where it was ingested from
    content_hash: str  # sha256 of the raw text
    raw_text: str
    parser_version: str = ""  # which parser made this record: a new parser re-parses unchanged files

    authority: Span | None = None  # "Métropole Aix-Marseille-Provence"
    body: Body | None = None
    body_label: str | None = None  # "Bureau de la Métropole", "Conseil municipal de la Ville d'Aubagne"
    session_date: dt.date | None = None
    session_span: Span | None = None
    president: Person | None = None
    present_count: int | None = None
    present_count_span: Span | None = None
    present: list[Member] = Field(default_factory=list)
    represented: list[Represented] = Field(default_factory=list)
    excused: list[Member] = Field(default_factory=list)
    # Session facts read once per document and shared by its items (None: not printed).
    authority_type: AuthorityType | None = None
    authority_name: str | None = None  # without the type words: "Saint-Exemple", "Exemple Agglomération"
    convocation_date: dt.date | None = None
    convocation_span: Span | None = None
    secretary: Person | None = None
    members_in_office: Count | None = None
    voting_count: Count | None = None
    represented_count: Count | None = None  # "procurations : 3", "pouvoirs : 3"
    absent: list[Member] = Field(default_factory=list)
    item: Item | None = None  # set when the document holds several deliberations
    number: str | None = None  # the deliberation's number as printed, without "N°": "2014/26", "DBC 2021-082", "1)"

    codes: list[Code] = Field(default_factory=list)
    object: Span | None = None  # the title as printed (line breaks kept); `object_line` for display
    act_type: ActType = "autre"
    rapporteur: Span | None = None  # "... soumet au Bureau de la Métropole le rapport suivant :"
    expose: Span | None = None  # exposé des motifs, up to "Telles sont les raisons"
    visas: list[Span] = Field(default_factory=list)  # each "Vu" item
    articles: list[Article] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    beneficiaries: list[str] = Field(default_factory=list)  # distinct, as printed in the articles
    cofinancers: list[Span] = Field(default_factory=list)
    budget: list[Budget] = Field(default_factory=list)
    vote: Vote | None = None
    signatory: Signatory | None = None
    # Who signs the procès-verbal of the whole session, after its last item (a fact of the session, not the
    # item's own signature block): "Fin de séance à 21 h 40. Le Maire, Paul MARTIN".
    minutes_signatory: Signatory | None = None
    open_data: OpenDataRow | None = None  # set for a row of an open-data file

    warnings: list[str] = Field(default_factory=list)  # parts the parser could not find, in French

    # Attendance lists of a record read by `from_stored_json`, validated when first read (`__getattr__`).
    _deferred: dict[str, list] | None = PrivateAttr(default=None)

    @classmethod
    def from_stored_json(cls, text: str) -> Deliberation:
        """The record of `model_dump_json`'s text, its attendance lists validated when first read: they are
        three quarters of the time taken to read a record (a hundred names, each with its span), and most
        answers read none of them (a count or a list over 2,500 deliberations)."""
        data = from_json(text)  # pydantic's parser (Rust): a fifth faster than json.loads here
        deferred = {name: data.pop(name) for name in ATTENDANCE_LISTS if data.get(name)}
        rec = cls.model_validate(data)
        if deferred:
            rec._deferred = deferred
            for name in deferred:
                del rec.__dict__[name]
        return rec

    def __getattr__(self, name: str):  # only for what is not in __dict__
        if name in ATTENDANCE_LISTS and (deferred := (self.__pydantic_private__ or {}).get("_deferred")):
            value = _ATTENDANCE[name].validate_python(deferred[name])
            self.__dict__[name] = value
            deferred.pop(name, None)  # another thread may have read it too: the same value
            if not deferred:
                self._deferred = None  # as a record read whole (records compare their private parts)
            return value
        return super().__getattr__(name)

    def member_ends(self, *names: str) -> list[int]:
        """Where each member of these attendance lists ends, read from the stored text when the lists are not
        validated yet (a citation's part label needs where the lists end, not the lists)."""
        deferred = self._deferred or {}
        ends: list[int] = []
        for name in names:
            raw = deferred.get(name)
            ends += [m["end"] for m in raw] if raw is not None else [m.end for m in getattr(self, name)]
        return ends

    def undefer(self) -> Deliberation:
        """Every field in place and in order (before the record is written, copied or compared)."""
        for name in list(self._deferred or ()):
            getattr(self, name)
        fields, now = type(self).model_fields, self.__dict__
        ordered = {name: now[name] for name in fields if name in now}
        if list(ordered) != list(now)[:len(ordered)]:  # read late, put last: JSON is written in this order
            object.__setattr__(self, "__dict__", {**ordered, **now})  # one swap: a reader sees either
        return self

    def model_dump(self, **kwargs):
        return super(Deliberation, self.undefer()).model_dump(**kwargs)

    def model_dump_json(self, **kwargs):
        return super(Deliberation, self.undefer()).model_dump_json(**kwargs)

    def model_copy(self, **kwargs):
        return super(Deliberation, self.undefer()).model_copy(**kwargs)

    def __copy__(self):
        return super(Deliberation, self.undefer()).__copy__()

    def __deepcopy__(self, memo=None):
        return super(Deliberation, self.undefer()).__deepcopy__(memo)

    def __getstate__(self):
        return super(Deliberation, self.undefer()).__getstate__()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Deliberation):
            other.undefer()
        return super(Deliberation, self.undefer()).__eq__(other)

    def __repr_args__(self):
        return super(Deliberation, self.undefer()).__repr_args__()

    @property
    def own_span(self) -> tuple[int, int]:
        """The record's own text in `raw_text`: its item's span, or the whole text."""
        return (self.item.start, self.item.end) if self.item else (0, len(self.raw_text))

    @property
    def own_text(self) -> str:
        return self.raw_text[slice(*self.own_span)]

    def found_fields(self) -> list[str]:
        """The fields the parser read in this record (for the ingestion report)."""
        names = ["authority", "body", "session_date", "convocation_date", "president", "secretary",
                 "members_in_office", "present_count", "voting_count", "object", "articles", "amounts",
                 "vote", "signatory"]
        return [n for n in names if getattr(self, n) not in (None, [], "")]

    @property
    def year(self) -> int | None:
        return self.session_date.year if self.session_date else None

    def quote(self, start: int, end: int) -> str:
        return self.raw_text[start:end]

    @property
    def object_line(self) -> str | None:
        """The object on one line, for display (the span keeps the raw text)."""
        return " ".join(self.object.text.split()) if self.object else None

    def service_code(self) -> str | None:
        return next((c.code for c in self.codes if c.kind == "service"), None)

    def summary(self) -> dict:
        """A short dict for listings."""
        first = self.amounts[0] if self.amounts else None
        return {
            "id": self.id,
            "source": self.source,
            "session_date": self.session_date.isoformat() if self.session_date else None,
            "body": self.body,
            "body_label": self.body_label,
            "code": self.service_code(),
            "object": self.object_line,
            "act_type": self.act_type,
            "beneficiary": self.beneficiaries[0] if self.beneficiaries else None,
            "amount_cents": first.cents if first else None,
        }


ATTENDANCE_LISTS = ("present", "represented", "excused", "absent")
_ATTENDANCE = {name: TypeAdapter(Deliberation.model_fields[name].annotation) for name in ATTENDANCE_LISTS}


class Chunk(BaseModel):
    """A piece of a record cut along its structure, for the lexical and dense indexes."""

    id: str  # f"{deliberation_id}:{part}" e.g. "000_47...:article-1"
    deliberation_id: str
    part: str  # "seance", "objet", "expose-3", "visas", "article-1", "vote", "signature"
    part_label: str  # "Article 1", "Exposé", ... (French, for citations)
    start: int
    end: int
    text: str  # raw text of the span
    content_hash: str
    # metadata copied from the record so filters need no join
    body: str | None = None
    session_date: str | None = None  # ISO
    year: int | None = None
    act_type: str | None = None
    beneficiaries: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)
    source: str | None = None


class Citation(BaseModel):
    """A verified quote: `raw_text[start:end]` of deliberation `id` equals `quote`."""

    id: str  # deliberation id
    source: str  # source file name
    part: str  # "Article 1", "Exposé des motifs", "Séance et présences", ...
    quote: str
    start: int
    end: int
    # Shown in the sources panel; filled from the record.
    body_label: str | None = None
    session_date: str | None = None  # ISO
    code: str | None = None
    object: str | None = None


class Answer(BaseModel):
    """What `Assistant.ask` returns; `delib ask --json` prints it (minus nothing)."""

    question: str
    language: Literal["fr", "en"]
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    intent: str = "general"
    entities: dict = Field(default_factory=dict)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    backend: str = "none"  # "none" or the LLM model that phrased the answer
    notes: list[str] = Field(default_factory=list)  # e.g. "LLM answer replaced by the registry answer: ..."
    retrieved: list[str] = Field(default_factory=list)  # deliberation ids retrieved, best first (eval)
    chart: dict | None = None  # a history's bars: {"title", "years", "euros"} (the table is in `answer`)
