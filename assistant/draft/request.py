"""What a clerk asks for: the draft request (a YAML/JSON file for the CLI, a form in the app).

Every fact a draft states comes from here or from a listed precedent, so the request is the only
place where names, amounts and dates enter a draft. Amounts are integers of cents; dates are ISO
dates, given as "2019-06-20" or "20 juin 2019".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..formats import format_money
from ..models import AuthorityType

DraftActType = Literal["subvention", "convention", "avenant", "autre"]
# Any body a French authority deliberates in ("bureau" and "conseil" alone are a métropole's, as in models.Body).
DraftBody = Literal["bureau", "conseil", "conseil_municipal", "conseil_communautaire", "commission_permanente",
                    "comite_syndical", "conseil_administration"]

# How a legal form is introduced in running text: "à l'association X", "à la société X".
LEGAL_FORMS: dict[str, str] = {
    "association": "l'association",
    "société": "la société",
    "societe": "la société",
    "sas": "la société",
    "sarl": "la société",
    "sa": "la société",
    "commune": "la commune de",
    "ville": "la Ville de",
    "syndicat": "le syndicat",
    "syndicat mixte": "le syndicat mixte",
    "groupement d'intérêt public": "le groupement d'intérêt public",
    "gip": "le groupement d'intérêt public",
    "établissement public": "l'établissement public",
    "etablissement public": "l'établissement public",
    "fondation": "la fondation",
    "office": "l'office",
    "chambre consulaire": "la chambre consulaire",
    "coopérative": "la coopérative",
    "scic": "la société coopérative d'intérêt collectif",
    "université": "l'université",
}

_MONEY = re.compile(r"^\s*(-?[\d\s\u00a0\u202f.]*\d)(?:,(\d{1,2}))?\s*(?:€|euros?|eur)?\s*(?:HT|TTC)?\s*$", re.IGNORECASE)


def parse_cents(value: object) -> int:
    """20000, "20000", "20 000 €", "20 000,50 euros" -> cents. Raises ValueError in French."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    if isinstance(value, float):
        return round(value * 100)
    m = _MONEY.match(str(value))
    if not m:
        raise ValueError(f"montant illisible : « {value} » (exemple : « 20 000 € »)")
    euros = int(re.sub(r"[\s\u00a0\u202f.]", "", m.group(1)))
    cents = int((m.group(2) or "0").ljust(2, "0"))
    return euros * 100 + (cents if euros >= 0 else -cents)


def parse_date(value: object) -> dt.date:
    """ISO or French ("20 juin 2019", "20/06/2019") -> date. Raises ValueError in French."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    import dateparser  # slow to import: only for non-ISO dates

    parsed = dateparser.parse(
        text, languages=["fr", "en"], settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True}
    )
    if parsed is None:
        raise ValueError(f"date illisible : « {text} » (exemples : « 2019-06-20 », « 20 juin 2019 »)")
    return parsed.date()


class Person(BaseModel):
    name: str = Field(description="Prénom et NOM, ex. « Martine VASSAL ».")
    civility: Literal["Madame", "Monsieur"] = Field(description="Madame ou Monsieur (accords du titre).")

    @property
    def feminine(self) -> bool:
        return self.civility == "Madame"


class Beneficiary(BaseModel):
    name: str = Field(description="Nom complet, ex. « Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur ».")
    legal_form: str | None = Field(None, description="association, société, commune, établissement public…")
    short_name: str | None = Field(None, description="Nom court pour l'exposé, ex. « la Cité des Métiers ».")

    def designation(self) -> str:
        """"l'association Cité des Métiers…", "la société X"; the bare name for an unknown form
        (we do not guess a gender, the clerk adds the article)."""
        intro = LEGAL_FORMS.get((self.legal_form or "").strip().lower())
        return f"{intro} {self.name}" if intro else self.name

    def short(self) -> str:
        return self.short_name or self.designation()


class AmountLine(BaseModel):
    cents: int
    year: int | None = None
    qualifier: Literal["TTC", "HT", "net"] | None = None
    label: str | None = None  # what the sum is for, when there are several

    @model_validator(mode="before")
    @classmethod
    def _from_euros(cls, data):
        if isinstance(data, (int, float, str)):
            data = {"amount": data}
        if isinstance(data, dict) and "cents" not in data and "amount" in data:
            data = {**data, "cents": parse_cents(data.pop("amount"))}
        return data

    def euros_text(self) -> str:
        """"20 000 euros" (articles) — the register writes the word in articles."""
        return format_money(self.cents).replace(" €", " euros") + (f" {self.qualifier}" if self.qualifier else "")

    def money_text(self) -> str:
        """"20 000 €" (exposé)."""
        return format_money(self.cents, qualifier=self.qualifier)


class BudgetLine(BaseModel):
    """Codes are text: write them in quotes in YAML when they start with 0 ("020"), else YAML reads octal."""

    budget: str | None = Field(None, description="fonctionnement, investissement, principal, annexe…")
    year: int | None = None
    fonction: str | None = None
    nature: str | None = None
    sous_politique: str | None = None
    chapitre: str | None = None

    @field_validator("fonction", "nature", "sous_politique", "chapitre", mode="before")
    @classmethod
    def _str(cls, v):
        return None if v is None else str(v)

    @property
    def receipt(self) -> bool:
        """A receipt (cession on chapitre 024, revenues on 013 and 70-77, natures 7xxx), not an expense:
        it is written "La recette sera inscrite…" and needs no expense nature."""
        from .lint import is_receipt_account  # (lint reads drafts: one rule for both)

        return is_receipt_account(self.chapitre, self.nature)

    def missing(self) -> list[str]:
        if self.receipt:
            return [f for f in ("budget", "year") if getattr(self, f) in (None, "")]
        missing = [f for f in ("budget", "year", "nature") if getattr(self, f) in (None, "")]
        if not (self.fonction or self.sous_politique or self.chapitre):
            missing.append("fonction")
        return missing


class Project(BaseModel):
    name: str | None = None  # "ACTE'INOV"
    purpose: str | None = Field(
        None, description="Ce que vise le projet, à l'infinitif : « traduire concrètement… »."
    )


class Contract(BaseModel):
    """The contract an avenant amends."""

    kind: str = "marché"
    number: str | None = None  # "2017/123"
    object: str | None = None  # "la maintenance des ascenseurs"
    notified: dt.date | None = None
    avenant_number: int | None = None

    @field_validator("notified", mode="before")
    @classmethod
    def _date(cls, v):
        return None if v in (None, "") else parse_date(v)


class Point(BaseModel):
    """A point of the exposé: one paragraph, optionally followed by a numbered list."""

    text: str
    items: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, data):
        return {"text": data} if isinstance(data, str) else data


class DraftRequest(BaseModel):
    """A request for a draft deliberation. Field names are the YAML keys."""

    authority: str = Field("Métropole Aix-Marseille-Provence",
                           description="La collectivité, telle qu'elle se nomme : « Commune de Saint-Exemple ».")
    authority_type: AuthorityType | None = Field(
        None, description="commune, communaute_agglomeration, departement, region, syndicat, ccas… ; "
                          "déduit du premier mot de `authority` s'il manque.")
    department: str | None = None  # "Bouches-du-Rhône" for the header
    body: DraftBody | None = Field(None, description="L'assemblée ; celle du type de collectivité s'il manque "
                                                     "(conseil municipal pour une commune…).")
    session_date: dt.date
    convocation_date: dt.date | None = None
    president: Person
    secretary: Person | None = Field(None, description="Secrétaire de séance, s'il est connu.")
    number: str | None = Field(None, description="Numéro de la délibération ; sinon un modèle d'après la numérotation "
                                                 "de la collectivité (« D2025-[NNN] »).")
    act_type: DraftActType = "subvention"
    object: str | None = Field(None, description="Objet (titre). Composé d'après le type d'acte s'il manque.")
    beneficiary: Beneficiary | None = None
    amounts: list[AmountLine] = Field(default_factory=list)
    year: int | None = Field(None, description="Année (exercice) de l'aide ; par défaut l'année de la séance.")
    project: Project | None = None
    points: list[Point] = Field(default_factory=list, description="Points clés de l'exposé.")
    cofinancers: list[str] = Field(default_factory=list)
    convention: bool = False
    contract: Contract | None = None
    articles: list[str] = Field(default_factory=list, description="Acte générique : le texte de chaque article.")
    visas: list[str] = Field(default_factory=list, description="Visas ; repris des précédents s'il n'y en a pas.")
    budget: BudgetLine | None = None
    commission: str | None = None
    rapporteur: Person | None = None
    signatory: Person | None = None
    signatory_title: str | None = Field(None, description="Titre du signataire ; lignes séparées par des retours.")
    service_prefix: str = "EMP"
    registry_prefix: str = "MET"

    @model_validator(mode="before")
    @classmethod
    def _shortcuts(cls, data):
        """Accept `amount:` for a single sum and `signatory: {name, title, civility}`."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "amount" in data:
            single = data.pop("amount")
            if single not in (None, ""):
                line = single if isinstance(single, dict) else {"amount": single}
                data["amounts"] = [line, *data.get("amounts", [])]
        sig = data.get("signatory")
        if isinstance(sig, dict) and "title" in sig:
            sig = dict(sig)
            data.setdefault("signatory_title", sig.pop("title"))
            sig.setdefault("civility", "Monsieur")
            data["signatory"] = sig
        return data

    @field_validator("session_date", mode="before")
    @classmethod
    def _session_date(cls, v):
        return parse_date(v)

    @field_validator("convocation_date", mode="before")
    @classmethod
    def _convocation_date(cls, v):
        return None if v in (None, "") else parse_date(v)

    @model_validator(mode="after")
    def _defaults(self):
        from .profiles import type_of, type_words

        if self.authority_type is None:
            self.authority_type = type_of(self.authority)
        if self.body is None:
            self.body = type_words(self.authority_type).get("body", "conseil_municipal")
        allowed = type_words(self.authority_type).get("bodies")
        if allowed and self.body not in allowed:
            from .profiles import body_words

            names = " ou ".join(body_words(b)["the"] for b in allowed)
            raise ValueError(f"« {self.authority} » ne délibère pas en « {body_words(self.body)['name']} » : "
                             f"son assemblée est {names} (body : {', '.join(allowed)})")
        for line in self.amounts:
            if line.year is None:
                line.year = self.aid_year
        if self.act_type in ("subvention", "convention", "avenant") and self.beneficiary is None:
            raise ValueError(f"un acte de type « {self.act_type} » demande un bénéficiaire (beneficiary)")
        if self.act_type == "subvention" and not self.amounts:
            raise ValueError("une subvention demande un montant (amount)")
        if self.act_type == "autre" and not self.articles:
            raise ValueError("un acte générique demande au moins un article (articles)")
        if self.act_type == "autre" and not self.object:
            raise ValueError("un acte générique demande un objet (object)")
        return self

    # -- derived values used by the templates ----------------------------------------------------

    @property
    def aid_year(self) -> int:
        return self.year or self.session_date.year

    @property
    def spending(self) -> bool:
        return bool(self.amounts)

    @property
    def authority_kind(self) -> str:
        """"Métropole" in "Métropole Aix-Marseille-Provence", "Commune" for a commune."""
        from .profiles import type_words

        return type_words(self.authority_type).get("word") or self.authority.split()[0]

    @property
    def authority_name(self) -> str:
        """"Aix-Marseille-Provence" in "Métropole Aix-Marseille-Provence", "Saint-Exemple" in "Commune de Saint-Exemple"."""
        from .profiles import bare_name

        return bare_name(self.authority, self.authority_type)

    @property
    def the_authority(self) -> str:
        """"la Métropole Aix-Marseille-Provence", "la Commune de Saint-Exemple", "le Département de …"."""
        from .profiles import with_article

        return with_article(self.authority, self.authority_type)

    @property
    def the_kind(self) -> str:
        """"la Métropole", "la Commune", "le Département" (whose budget it is)."""
        from .profiles import type_words

        return type_words(self.authority_type).get("the") or f"la {self.authority_kind}"

    @property
    def seed_layout(self) -> bool:
        """A métropole's bureau or conseil: the seed's frame (prompts/draft/base.j2), its codes and its wording."""
        return self.authority_type == "metropole" and self.body in ("bureau", "conseil")

    @property
    def body_label(self) -> str:
        from .profiles import body_words

        if self.seed_layout:
            return f"{'Bureau' if self.body == 'bureau' else 'Conseil'} de la {self.authority_kind}"
        return body_words(self.body)["name"]

    @property
    def body_to(self) -> str:
        """"au Conseil municipal", "à la Commission permanente"."""
        from .profiles import body_words

        return f"au {self.body_label}" if self.seed_layout else body_words(self.body)["au"]

    @property
    def body_suffix(self) -> str:
        return "BM" if self.body == "bureau" else "CM"

    @property
    def yy(self) -> str:
        return f"{self.session_date.year % 100:02d}"


def load_request(path: Path | str) -> DraftRequest:
    """Read a request from YAML or JSON. Errors name the file and say what is wrong, in French."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path} : lecture impossible ({exc.strerror or exc}).") from exc
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:
        raise ValueError(f"{path} : ce n'est pas un fichier YAML/JSON valide ({exc}).") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} : la demande doit être un dictionnaire de champs (authority, body, …).")  # noqa: TRY004
    return request_from_dict(data, source=str(path))


def request_from_dict(data: dict, source: str = "demande") -> DraftRequest:
    from pydantic import ValidationError

    try:
        return DraftRequest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'demande'} : {_fr_error(err)}" for err in exc.errors()
        )
        raise ValueError(f"{source} : demande invalide — {problems}.") from exc


def _fr_error(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "literal_error":
        return f"valeur non admise ({err.get('ctx', {}).get('expected', '')})"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")
