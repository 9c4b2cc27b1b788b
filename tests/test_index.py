"""Dense index (Chroma) and hybrid retrieval over a small real registry.

The registry is built from extracts composed here (each with its parts' character spans), so these
tests do not depend on the parser. Fast tests use real SQLite and a real embedded Chroma with a
small deterministic bag-of-words embedder; the tests marked `model` use the shipped
all-MiniLM-L6-v2 weights.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import bag_of_stems

from assistant import textnorm
from assistant.config import Settings
from assistant.formats import MOIS
from assistant.index import (
    DEFAULT_MODEL_NAME,
    DenseIndex,
    Embedder,
    HybridRetriever,
    HybridSearch,
    chroma_where,
    chunk_metadata,
    deliberation_ids,
    fusion_weight,
    resolve_filters,
    rrf,
)
from assistant.models import Article, Code, Deliberation, Member, Person, Signatory, Span, Vote
from assistant.registry import Registry

# -- records --------------------------------------------------------------------------------------

BODY_TITLES = {"bureau": "DU BUREAU DE LA METROPOLE", "conseil": "DU CONSEIL DE LA METROPOLE"}
BODY_NAMES = {"bureau": "Bureau de la Métropole", "conseil": "Conseil de la Métropole"}


class _Text:
    """Appends pieces of text and returns their spans."""

    def __init__(self) -> None:
        self.text = ""

    def add(self, piece: str, sep: str = "\n\n") -> tuple[int, int]:
        start = len(self.text)
        self.text += piece + sep
        return start, start + len(piece)


def make_record(
    rid: str,
    *,
    date: str,
    body: str,
    act_type: str,
    code: str,
    title: str,
    expose: list[str],
    articles: list[str],
    beneficiaries: list[str] = (),
) -> Deliberation:
    day = dt.date.fromisoformat(date)
    t = _Text()
    t.add(f"Métropole Aix-Marseille-Provence\n\nEXTRAIT DES REGISTRES DES DELIBERATIONS\n{BODY_TITLES[body]}")
    session = t.add(f"Séance du {day.day} {MOIS[day.month - 1]} {day.year}")
    president = t.add(
        "Madame Martine VASSAL, Présidente de la Métropole Aix-Marseille-Provence, a ouvert la séance à "
        "laquelle ont été présents 30 membres.",
        sep="\n\nEtaient présents Mesdames et Messieurs :\n\n",
    )
    members = [t.add(name, sep=" - ") for name in ("Béatrice ALIPHAT", "Martial ALVAREZ", "Roland BLUM")]
    code_span = t.add(code, sep="\n")
    obj = t.add(title)
    t.add(f"Madame la Présidente soumet au {BODY_NAMES[body]} le rapport suivant :")
    expose_span = t.add("\n\n".join(expose))
    t.add(
        f"Telles sont les raisons qui nous incitent à proposer au {BODY_NAMES[body]} de prendre la "
        "délibération ci-après :"
    )
    visa = t.add("Vu\n• Le Code Général des Collectivités Territoriales ;")
    t.add("Ouï le rapport ci-dessus,\n\nDélibère")
    arts = [(i, t.add(f"Article {i} :\n{text}")) for i, text in enumerate(articles, 1)]
    vote = t.add("Cette proposition mise aux voix est adoptée.")
    sign = t.add("Certifié conforme,\nLe Vice-Président Délégué\nJean DUPONT", sep="\n")
    raw = t.text
    return Deliberation(
        id=rid,
        source=f"{rid}.txt",
        path=f"/corpus/{rid}.txt",
        content_hash=hashlib.sha256(raw.encode()).hexdigest(),
        raw_text=raw,
        body=body,
        body_label=BODY_NAMES[body],
        session_date=day,
        session_span=Span(text=raw[session[0] : session[1]], start=session[0], end=session[1]),
        president=Person(name="Martine VASSAL", civility="Madame", start=president[0], end=president[1]),
        present_count=30,
        present=[Member(name=raw[s:e], start=s, end=e) for s, e in members],
        codes=[Code(code=code, kind="service", start=code_span[0], end=code_span[1], year=day.year % 100)],
        object=Span(text=raw[obj[0] : obj[1]], start=obj[0], end=obj[1]),
        act_type=act_type,
        expose=Span(text=raw[expose_span[0] : expose_span[1]], start=expose_span[0], end=expose_span[1]),
        visas=[Span(text=raw[visa[0] : visa[1]], start=visa[0], end=visa[1])],
        articles=[Article(number=i, text=raw[s:e].split(":\n", 1)[1], start=s, end=e) for i, (s, e) in arts],
        beneficiaries=list(beneficiaries),
        vote=Vote(adopted=True, start=vote[0], end=vote[1]),
        signatory=Signatory(name="Jean DUPONT", title="Vice-Président Délégué", start=sign[0], end=sign[1]),
    )


CITE = "Cité des Métiers de Marseille et de Provence-Alpes-Côte d'Azur"

RECORDS = [
    make_record(
        "cite-2019",
        date="2019-06-20",
        body="bureau",
        act_type="subvention",
        code="EMP 004-6064/19/BM",
        title=f"Attribution d'une subvention à l'association {CITE} pour son projet ACTE'INOV 2019-2021 - "
        "Approbation d'une convention",
        expose=[
            (
                "La Métropole ambitionne un développement économique destiné à faciliter l'accès à "
                "l'emploi et "
                "l'inclusion sociale des populations les plus fragiles."
            ),
            (
                "La Cité des Métiers accueille les demandeurs d'emploi, les jeunes et les salariés "
                "pour les aider "
                "à construire leur projet professionnel, à trouver une formation et un métier."
            ),
        ],
        articles=[
            (
                f"Est attribuée une subvention de 20 000 euros à l'association {CITE} pour son projet "
                "ACTE'INOV "
                "au titre de l'année 2019."
            ),
            "Est approuvée la convention ci-annexée conclue avec l'association.",
            (
                "Les crédits nécessaires sont inscrits au budget fonctionnement 2019 de la "
                "Métropole, fonction 65, "
                "nature 65748."
            ),
        ],
        beneficiaries=[CITE],
    ),
    make_record(
        "cite-2020",
        date="2020-07-10",
        body="bureau",
        act_type="subvention",
        code="EMP 004-7120/20/BM",
        title=f"Attribution d'une subvention de fonctionnement à l'association {CITE} "
        "au titre de l'année 2020",
        expose=[
            (
                "L'association accompagne l'orientation professionnelle, l'emploi et la formation "
                "des habitants "
                "du territoire métropolitain, notamment des jeunes sans qualification."
            ),
        ],
        articles=[
            f"Est attribuée une subvention de 25 000 euros à l'association {CITE} au titre de l'année 2020.",
            "Les crédits nécessaires sont inscrits au budget fonctionnement 2020 de la Métropole.",
        ],
        beneficiaries=[CITE],
    ),
    make_record(
        "voirie-2019",
        date="2019-10-17",
        body="conseil",
        act_type="marche",
        code="VOI 012-7001/19/CM",
        title="Attribution du marché de travaux de réfection de la voirie et des trottoirs du boulevard "
        "National à la société Provence Travaux",
        expose=[
            (
                "La chaussée du boulevard National est très dégradée : nids-de-poule, fissures et trottoirs "
                "abîmés rendent la circulation des véhicules et des piétons dangereuse."
            ),
            (
                "Après appel d'offres, la commission a retenu l'offre de la société Provence Travaux "
                "pour les "
                "travaux de resurfaçage de la route et de reprise des trottoirs."
            ),
        ],
        articles=[
            (
                "Est attribué à la société Provence Travaux le marché de réfection de la voirie du boulevard "
                "National pour un montant de 450 000 euros HT."
            ),
            "Madame la Présidente ou son représentant est autorisé à signer le marché.",
        ],
        beneficiaries=["Provence Travaux"],
    ),
    make_record(
        "foncier-2021",
        date="2021-03-25",
        body="conseil",
        act_type="acquisition",
        code="FON 003-9120/21/CM",
        title="Acquisition d'une parcelle de terrain cadastrée section AB n°12 sur la commune de Gémenos",
        expose=[
            (
                "La Métropole souhaite acquérir une parcelle de terrain nu d'une superficie de 5 000 "
                "m² afin d'y "
                "aménager une zone d'activités économiques."
            ),
            "Le propriétaire a accepté de céder le terrain au prix estimé par le service des Domaines.",
        ],
        articles=[
            "Est approuvée l'acquisition de la parcelle cadastrée section AB n°12 au prix de 300 000 euros.",
            "Le notaire de la Métropole est chargé de rédiger l'acte de vente.",
        ],
    ),
    make_record(
        "piscine-2021",
        date="2021-06-24",
        body="conseil",
        act_type="tarifs",
        code="SPO 001-9500/21/CM",
        title="Fixation des tarifs d'entrée des piscines métropolitaines pour la saison estivale 2021",
        expose=[
            (
                "Les piscines métropolitaines accueillent les nageurs, les familles et les clubs "
                "sportifs. Il "
                "convient de fixer les prix des entrées et des abonnements pour la saison d'été."
            ),
        ],
        articles=[
            (
                "Les tarifs d'entrée des piscines sont fixés à 3 euros pour les adultes et 1,50 euro "
                "pour les "
                "enfants de moins de 12 ans."
            ),
        ],
    ),
    make_record(
        "logement-2020",
        date="2020-02-13",
        body="bureau",
        act_type="garantie_emprunt",
        code="HAB 002-6600/20/BM",
        title="Garantie d'emprunt accordée à la société Logirem pour la construction de 40 logements sociaux",
        expose=[
            (
                "La société Logirem construit 40 logements locatifs sociaux à Aubagne et sollicite "
                "la garantie "
                "de la Métropole pour le prêt contracté auprès de la Caisse des Dépôts."
            ),
        ],
        articles=[
            (
                "La Métropole accorde sa garantie à hauteur de 55 % pour le remboursement du prêt de "
                "4 000 000 "
                "euros souscrit par la société Logirem."
            ),
        ],
        beneficiaries=["Logirem"],
    ),
    make_record(
        "solidaire-2019",
        date="2019-06-20",
        body="bureau",
        act_type="subvention",
        code="EMP 004-6070/19/BM",
        title="Attribution d'une subvention à l'association Marseille Solutions pour l'économie sociale et "
        "solidaire",
        expose=[
            (
                "L'association Marseille Solutions repère et accompagne les entrepreneurs sociaux "
                "qui créent des "
                "emplois et des activités d'utilité sociale sur le territoire."
            ),
        ],
        articles=[
            "Est attribuée une subvention de 15 000 euros à l'association Marseille Solutions.",
        ],
        beneficiaries=["Marseille Solutions"],
    ),
]


def fill(registry: Registry, records=RECORDS) -> Registry:
    for rec in records:
        assert registry.save(rec) == "added"
    return registry


@pytest.fixture
def registry(tmp_path: Path):
    with Registry(tmp_path / "registry.sqlite") as reg:
        yield fill(reg)


# -- a small deterministic embedder for the fast tests (the model tests use the real one) ----------


class BagOfStems(Embedder):
    """Hashed bag of French stems, L2-normalised: deterministic and instant, for reconciliation tests."""

    DIM = 256

    def __init__(self) -> None:
        super().__init__("bag-of-stems", name="bag-of-stems", batch_size=4)
        self.embedded: list[str] = []  # every text embedded, to check what sync re-embeds

    def _encode(self, texts: list[str], *, query: bool) -> list[list[float]]:
        if not query:
            self.embedded.extend(texts)
        return bag_of_stems(texts, self.DIM)


def embedded_index(settings: Settings, registry: Registry, embedder: Embedder, **kw) -> DenseIndex:
    return DenseIndex.from_settings(settings, registry, embedder=embedder, **kw)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(env={}, data_dir=tmp_path)


def ranked(results) -> list[str]:
    return [c.id for c, _ in results]


# -- pure functions ---------------------------------------------------------------------------------


def test_rrf_rewards_agreement_between_lists():
    scores = rrf([["a", "b", "c"], ["c", "a", "d"]])
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert sorted(scores, key=lambda k: -scores[k]) == ["a", "c", "b", "d"]


def test_weighted_rrf_and_the_default_weight_of_the_shipped_model():
    scores = rrf([["a", "b"], ["b", "c"]], weights=(1.0, 0.0))
    assert scores == {"a": 1 / 61, "b": 1 / 62, "c": 0.0}
    assert rrf([["a"], ["a"]], weights=(1.0, 0.5))["a"] == pytest.approx(1.5 / 61)
    # The shipped English model only completes lexical lists; a configured model gets plain RRF.
    assert Embedder.from_settings(Settings.load(env={})).name == DEFAULT_MODEL_NAME
    assert fusion_weight(DEFAULT_MODEL_NAME) == 0.0
    assert fusion_weight("intfloat/multilingual-e5-small") == 1.0
    assert Embedder.from_settings(Settings.load(env={}, embedding_model="/models/e5")).name == "/models/e5"


def test_chroma_where_combines_filters():
    assert chroma_where({}) is None
    assert chroma_where({"year": 2019}) == {"year": 2019}
    where = chroma_where(
        {
            "year_from": 2019,
            "year_to": 2020,
            "body": "bureau",
            "act_type": "subvention",
            "date_from": "2019-06-01",
            "deliberation_ids": ["x", "y"],
        }
    )
    assert where == {
        "$and": [
            {"year": {"$gte": 2019}},
            {"year": {"$lte": 2020}},
            {"date_num": {"$gte": 20190601}},
            {"body": "bureau"},
            {"act_type": "subvention"},
            {"deliberation_id": {"$in": ["x", "y"]}},
        ]
    }


def test_resolve_filters_turns_a_beneficiary_into_ids(registry):
    assert resolve_filters(registry, {"beneficiary": "cite des metiers"})["deliberation_ids"] == [
        "cite-2019",
        "cite-2020",
    ]
    # Intersected with ids already given; nothing left means "nothing can match".
    assert resolve_filters(
        registry, {"beneficiary": "Cité des Métiers", "deliberation_ids": ["cite-2020"]}
    ) == {"deliberation_ids": ["cite-2020"]}
    assert resolve_filters(registry, {"beneficiary": "Personne Inconnue"}) is None
    assert resolve_filters(registry, {"date_from": dt.date(2019, 1, 1), "body": ""}) == {
        "date_from": "2019-01-01"
    }


def test_chunk_metadata_is_scalar_and_keeps_the_citation_fields(registry):
    chunk = registry.chunk("cite-2019:article-1")
    meta = chunk_metadata(chunk)
    assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    assert meta["beneficiaries"] == CITE and meta["codes"] == "EMP 004-6064/19/BM"
    assert (meta["start"], meta["end"], meta["date_num"]) == (chunk.start, chunk.end, 20190620)
    assert meta["content_hash"] == chunk.content_hash


# -- lexical retriever (no Chroma) -------------------------------------------------------------------


def test_lexical_retriever_returns_citable_documents(registry):
    retriever = HybridRetriever(registry=registry, dense=None, k=5)
    docs = retriever.invoke("subvention Cité des Métiers")
    assert docs and {d.metadata["deliberation_id"] for d in docs[:2]} <= {"cite-2019", "cite-2020"}
    for doc in docs:
        m = doc.metadata
        rec = registry.get(m["deliberation_id"])
        assert rec.raw_text[m["start"] : m["end"]] == doc.page_content  # the span quotes the source
        assert m["lexical_rank"] is not None and m["dense_rank"] is None
        assert m["source"] == f"{rec.id}.txt" and m["part_label"]
    assert [d.metadata["score"] for d in docs] == sorted((d.metadata["score"] for d in docs), reverse=True)


def test_lexical_filters_year_body_beneficiary_and_dates(registry):
    retriever = HybridRetriever(registry=registry, dense=None, k=20)

    def ids(docs) -> set[str]:
        return set(deliberation_ids(docs))

    assert ids(retriever.invoke("subvention", filters={"year": 2020})) == {"cite-2020"}
    assert ids(retriever.invoke("subvention", filters={"beneficiary": "Cite des Metiers"})) == {
        "cite-2019",
        "cite-2020",
    }
    assert ids(retriever.invoke("Métropole", filters={"body": "conseil", "act_type": "tarifs"})) == {
        "piscine-2021"
    }
    assert ids(
        retriever.invoke("Métropole", filters={"date_from": "2019-06-21", "date_to": "2020-07-09"})
    ) == {"voirie-2019", "logement-2020"}
    assert retriever.invoke("subvention", filters={"beneficiary": "Inconnu du registre"}) == []
    with pytest.raises(ValueError, match="dense"):
        retriever.invoke("subvention", mode="dense")


# -- embedded Chroma, reconciliation (fast embedder) -----------------------------------------------


def test_sync_reconciles_by_chunk_id_and_hash(registry, settings):
    embedder = BagOfStems()
    index = embedded_index(settings, registry, embedder, sync=False)
    total = len(registry.chunks())
    calls: list[tuple[int, int]] = []
    assert index.sync(progress=lambda done, n, _label: calls.append((done, n))) == {
        "added": total,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
    }
    assert index.count() == total and calls[0] == (0, total) and calls[-1] == (total, total)
    assert (settings.chroma_path / "chroma.sqlite3").is_file()
    # Each distinct text embedded once (the vote formula, visas and signature repeat across records).
    distinct = set(registry.chunk_hashes().values())
    assert len(embedder.embedded) == len(distinct) < total

    # Nothing changed: nothing embedded again.
    embedder.embedded.clear()
    assert index.sync() == {"added": 0, "updated": 0, "deleted": 0, "unchanged": total}
    assert embedder.embedded == []

    # A record updated in the registry (one article reworded) and another deleted.
    old = registry.get("cite-2020")
    changed = make_record(
        "cite-2020",
        date="2020-07-10",
        body="bureau",
        act_type="subvention",
        code="EMP 004-7120/20/BM",
        title=old.object.text,
        expose=[old.expose.text],
        articles=[
            f"Est attribuée une subvention de 30 000 euros à l'association {CITE} au titre de l'année 2020.",
            "Les crédits nécessaires sont inscrits au budget fonctionnement 2020 de la Métropole.",
        ],
        beneficiaries=[CITE],
    )
    assert registry.save(changed) == "updated"
    deleted_chunks = sum(1 for c in registry.chunks() if c.deliberation_id == "piscine-2021")
    assert registry.delete("piscine-2021")
    embedder.embedded.clear()
    # Same-length amount: only the text of article 1 changed, every other span is identical.
    assert index.sync() == {
        "added": 0,
        "updated": 1,
        "deleted": deleted_chunks,
        "unchanged": total - 1 - deleted_chunks,
    }
    assert len(embedder.embedded) == 1 and "30 000 euros" in embedder.embedded[0]
    assert index.count() == len(registry.chunks())
    assert set(index.indexed()) == set(registry.chunk_hashes())
    assert all(m["content_hash"] == registry.chunk_hashes()[cid] for cid, m in index.indexed().items())
    hits = index.search("subvention 30 000 euros Cité des Métiers", k=3)
    assert hits[0][0].id == "cite-2020:article-1" and "30 000 euros" in hits[0][0].text

    # Back again: only its own texts are embedded; the shared ones reuse the vectors already stored.
    piscine = next(r for r in RECORDS if r.id == "piscine-2021")
    registry.save(piscine)
    embedder.embedded.clear()
    assert index.sync()["added"] == deleted_chunks
    assert embedder.embedded and len(embedder.embedded) < deleted_chunks
    assert not any("mise aux voix" in t for t in embedder.embedded)
    stored = index.collection.get(ids=["piscine-2021:vote", "cite-2019:vote"], include=["embeddings"])
    assert list(stored["embeddings"][0]) == list(stored["embeddings"][1])
    index.close()


def test_sync_updates_metadata_when_only_the_record_fields_changed(registry, settings):
    index = embedded_index(settings, registry, BagOfStems())
    rec = registry.get("voirie-2019")
    # Same text, reclassified (e.g. a better parser): the content hash of the record is unchanged, so
    # the registry is rewritten by deleting and saving it again.
    registry.delete(rec.id)
    registry.save(rec.model_copy(update={"act_type": "avenant"}))
    embedder = index.embedder
    embedder.embedded.clear()
    report = index.sync()
    assert report["updated"] == len([c for c in registry.chunks() if c.deliberation_id == rec.id])
    assert embedder.embedded == []  # metadata only: no embedding
    assert {c.deliberation_id for c, _ in index.search("voirie boulevard", 10, {"act_type": "avenant"})} == {
        "voirie-2019"
    }
    index.close()


def test_reopening_the_folder_finds_the_vectors_and_a_stale_model_is_rebuilt(registry, settings):
    def matches(index):  # chunks sharing a stem with the query (the rest all tie at zero similarity)
        return [(c.id, round(s, 5)) for c, s in index.search("terrain parcelle acquisition", 50) if s > 0]

    index = embedded_index(settings, registry, BagOfStems())
    first = matches(index)
    assert len(first) >= 3 and first[0][0].startswith("foncier-2021:")
    index.close()
    again = embedded_index(settings, registry, BagOfStems(), sync=False)
    assert again.count() == len(registry.chunks())
    assert matches(again) == first
    again.close()

    other = BagOfStems()
    other.name = "another-model"  # vectors of another model are not comparable: start again
    third = embedded_index(settings, registry, other)
    assert len(other.embedded) == len(set(registry.chunk_hashes().values()))  # all, each text once
    assert third.count() == len(registry.chunks())
    third.close()


def test_hybrid_fusion_weights(registry, settings):
    index = embedded_index(settings, registry, BagOfStems())
    query = "subvention association emploi Métropole"
    lexical = [d.id for d in HybridRetriever(registry=registry, k=8, mode="lexical").invoke(query)]
    plain = HybridRetriever(registry=registry, dense=index, k=8)  # bag-of-stems: weight 1, plain RRF
    fused = plain.invoke(query)
    assert all(d.metadata["lexical_rank"] and d.metadata["dense_rank"] for d in fused[:3])
    assert [d.id for d in fused] != lexical  # agreement between the lists reorders them
    for doc in fused:
        m = doc.metadata
        expected = sum(1 / (60 + r) for r in (m["lexical_rank"], m["dense_rank"]) if r)
        assert m["score"] == pytest.approx(expected)

    complement = HybridRetriever(registry=registry, dense=index, k=8, dense_weight=0.0)
    assert [d.id for d in complement.invoke(query)] == lexical  # enough lexical hits: lexical order
    # No lexical hit at all: the dense candidates complete the list.
    docs = complement.invoke("zzzz qqqq")
    assert len(docs) == 8 and all(d.metadata["lexical_rank"] is None for d in docs)
    assert [d.metadata["dense_rank"] for d in docs] == list(range(1, 9))
    dense = complement.invoke(query, mode="dense")
    assert dense[0].metadata["score"] == pytest.approx(1 / 61)  # alone, the dense list keeps weight 1
    index.close()


def test_dense_filters_in_chroma(registry, settings):
    index = embedded_index(settings, registry, BagOfStems())

    def ids(filters: dict) -> set[str]:  # k large enough for every chunk: the filter alone decides
        return {c.deliberation_id for c, _ in index.search("subvention association", 500, filters)}

    def expected(pred) -> set[str]:
        return {r.id for r in RECORDS if pred(r)}

    assert ids({}) == expected(lambda r: True)
    assert ids({"year": 2019}) == expected(lambda r: r.year == 2019)
    assert ids({"year_from": 2020, "year_to": 2020}) == expected(lambda r: r.year == 2020)
    assert ids({"beneficiary": "CITE DES METIERS"}) == {"cite-2019", "cite-2020"}
    assert ids({"body": "conseil", "act_type": "marche"}) == {"voirie-2019"}
    assert ids({"date_from": "2019-06-21", "date_to": "2020-07-09"}) == {"voirie-2019", "logement-2020"}
    assert ids({"beneficiary": "Inconnu"}) == set()
    index.close()


# -- the real model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder.from_settings(Settings.load(env={}))


@pytest.mark.slow
@pytest.mark.model
def test_model_embeddings_are_normalised(minilm):
    vectors = minilm.embed_documents(["Attribution d'une subvention", "Travaux de voirie"])
    assert len(vectors) == 2 and len(vectors[0]) == minilm.dimension == 384
    assert all(abs(sum(v * v for v in vec) - 1.0) < 1e-4 for vec in vectors)


@pytest.mark.slow
@pytest.mark.model
def test_dense_and_hybrid_retrieval_with_the_model(registry, settings, minilm):
    index = embedded_index(settings, registry, minilm)
    # An English model: French paraphrases and plain English still land on the right record.
    for query, expected in [
        ("road resurfacing works", "voirie-2019"),
        ("prix d'entrée de la piscine", "piscine-2021"),
        ("achat d'un terrain", "foncier-2021"),
    ]:
        hits = index.search(query, 3)
        assert hits[0][0].deliberation_id == expected, (query, hits)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    retriever = HybridRetriever(registry=registry, dense=index, k=5)
    docs = retriever.invoke("subvention emploi Cité des Métiers 2019")
    assert docs[0].metadata["deliberation_id"] in {"cite-2019", "cite-2020"}
    assert any(d.metadata["lexical_rank"] and d.metadata["dense_rank"] for d in docs)  # fused
    dense_only = retriever.invoke("prix d'entrée de la piscine", mode="dense")
    assert dense_only[0].metadata["deliberation_id"] == "piscine-2021"
    assert all(d.metadata["lexical_rank"] is None for d in dense_only)
    filtered = retriever.invoke("subvention", filters={"beneficiary": "Cité des Métiers", "year": 2020})
    assert filtered and set(deliberation_ids(filtered)) == {"cite-2020"}
    index.close()


@pytest.mark.slow
@pytest.mark.model
def test_deleting_the_chroma_folder_then_rebuild_restores_identical_results(registry, settings, minilm):
    queries = [
        "subvention emploi Cité des Métiers",
        "road works",
        "garantie d'emprunt logements sociaux",
        "acquisition terrain",
    ]
    index = embedded_index(settings, registry, minilm)
    retriever = HybridRetriever(registry=registry, dense=index, k=8)
    before = {q: [(d.id, d.metadata["dense_rank"]) for d in retriever.invoke(q)] for q in queries}
    dense_before = {q: ranked(index.search(q, 10)) for q in queries}
    index.close()

    shutil.rmtree(settings.chroma_path)
    index = embedded_index(settings, registry, minilm, sync=False)
    assert index.count() == 0
    report = index.rebuild()
    assert report["added"] == len(registry.chunks())
    retriever = HybridRetriever(registry=registry, dense=index, k=8)
    assert {q: [(d.id, d.metadata["dense_rank"]) for d in retriever.invoke(q)] for q in queries} == before
    assert {q: ranked(index.search(q, 10)) for q in queries} == dense_before
    index.close()


@pytest.mark.slow
@pytest.mark.model
def test_retrieval_over_the_parsed_seed_and_handwritten_extracts(tmp_path, minilm):
    from assistant.ingest.parser import parse

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    files = [corpus / "000_47990de55f73b628.txt", *sorted((corpus / "handwritten").glob("*.txt"))]
    settings = Settings.load(env={}, data_dir=tmp_path / "data")
    with Registry(settings.registry_path) as registry:
        for f in files:
            registry.save(parse(f.read_text(encoding="utf-8"), id=f.stem, source=f.name, path=str(f)))
        index = embedded_index(settings, registry, minilm)
        retriever = HybridRetriever(registry=registry, dense=index, k=5)
        cases = {
            "Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?": "000_47990de55f73b628",
            "What was granted to Cité des Métiers in 2019?": "000_47990de55f73b628",
            "garantie d'emprunt logements sociaux": "aix_cm_garantie_emprunt",
            "tarifs de la cantine scolaire": "aubagne_cm_tarifs",
            "acquisition d'une parcelle": "cd13_cp_acquisition",
        }
        for query, expected in cases.items():
            docs = retriever.invoke(query)
            assert deliberation_ids(docs)[0] == expected, query
            for doc in docs:
                rec = registry.get(doc.metadata["deliberation_id"])
                assert rec.raw_text[doc.metadata["start"] : doc.metadata["end"]] == doc.page_content
        # Nothing lexical in English words: the dense side alone answers, still with citable spans.
        docs = retriever.invoke("road works contract amendment")
        assert docs and all(d.metadata["lexical_rank"] is None and d.metadata["dense_rank"] for d in docs)
        filtered = retriever.invoke("subvention", filters={"body": "conseil_municipal", "year_from": 2022})
        assert filtered and {d.metadata["deliberation_id"] for d in filtered} <= {
            r.id for r in registry.all() if r.body == "conseil_municipal" and r.year >= 2022
        }
        index.close()


def test_by_default_nothing_is_embedded_and_no_model_is_loaded(tmp_path):
    """The shipped model lowers recall on every question set (README): the default keeps no dense index."""
    import subprocess
    import sys

    seed = Path(__file__).resolve().parents[1] / "corpus" / "000_47990de55f73b628.txt"
    script = (
        "import sys; from pathlib import Path; from assistant.config import Settings; from assistant.core import Assistant\n"
        f"a = Assistant(Settings.load(env={{}}, data_dir=Path({str(tmp_path / 'data')!r})))\n"
        f"a.ingest([Path({str(seed)!r})])\n"
        "answer = a.ask(\"Qu'est-ce qui a été accordé à la Cité des Métiers en 2019 ?\")\n"
        "docs = a.retriever.invoke('Cité des Métiers ACTE INOV')\n"
        "print(answer.found, bool(docs), a.retriever.dense is None, 'torch' in sys.modules, "
        "'sentence_transformers' in sys.modules, 'chromadb' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "False", "False", "False"], done.stderr[-2000:]
    assert not (tmp_path / "data" / "chroma").exists()


@pytest.mark.slow
@pytest.mark.model
def test_ingest_embeds_with_progress_and_the_facade_reuses_the_index(tmp_path):
    """A configured dense index (here the shipped model with a weight > 0) is kept in step at ingestion."""
    from assistant.core import Assistant

    seed = Path(__file__).resolve().parents[1] / "corpus" / "000_47990de55f73b628.txt"
    assistant = Assistant(Settings.load(env={}, data_dir=tmp_path / "data", dense_weight=0.5))
    calls: list[tuple[int, int, str]] = []
    report = assistant.ingest([seed], progress=lambda done, total, label: calls.append((done, total, label)))
    assert report.changed
    n = len(assistant.registry.chunks())
    embedding = [(d, t) for d, t, label in calls if label == "Calcul des embeddings"]
    assert embedding[0] == (0, n) and embedding[-1] == (n, n)  # the bar saw the embedding
    assert assistant.index.count() == n
    docs = assistant.retriever.invoke("Cité des Métiers ACTE'INOV")
    assert docs and docs[0].metadata["deliberation_id"] == "000_47990de55f73b628"
    assistant.index.close()
    assistant.close()


# -- the command line ---------------------------------------------------------------------------------


def _delib(*args: str):
    import json

    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, list(args))
    return result, (json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None)


@pytest.fixture
def cli_data(tmp_path: Path) -> Path:
    data = tmp_path / "cli-data"
    with Registry(Settings.load(env={}, data_dir=data).registry_path) as reg:
        fill(reg)
    return data


def test_cli_lexical_search_with_filters(cli_data):
    result, rows = _delib(
        "--data-dir",
        str(cli_data),
        "search",
        "subvention",
        "--mode",
        "lexical",
        "--beneficiary",
        "Cite des Metiers",
        "--year",
        "2020",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert rows and {r["deliberation_id"] for r in rows} == {"cite-2020"}
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    first = rows[0]
    assert first["text"] == RECORDS[1].raw_text[first["start"] : first["end"]]
    assert first["dense_rank"] is None and first["lexical_rank"] == 1
    assert not (cli_data / "chroma").exists()  # lexical search never touches the dense index

    result, _ = _delib("--data-dir", str(cli_data), "search", "voirie", "--mode", "lexical", "-k", "2")
    assert result.exit_code == 0 and "voirie-2019" in result.stdout and "Article 1" in result.stdout


def test_cli_search_refuses_bad_options_and_an_empty_registry(cli_data, tmp_path):
    result, _ = _delib("--data-dir", str(cli_data), "search", "x", "--mode", "semantic")
    assert result.exit_code == 2 and "Mode inconnu" in result.output
    result, _ = _delib("--data-dir", str(cli_data), "search", "x", "--from", "20/06/2019")
    assert result.exit_code == 2 and "Date invalide" in result.output
    result, _ = _delib("--data-dir", str(tmp_path / "empty"), "search", "subvention")
    assert result.exit_code == 1 and "vide" in result.output


@pytest.mark.slow
@pytest.mark.model
def test_cli_deleting_the_chroma_folder_then_reindex_restores_identical_results(cli_data, monkeypatch):
    monkeypatch.setenv("DELIB_DENSE_WEIGHT", "0.5")  # a dense index configured (none by default)
    def search(query: str, *extra: str) -> list[tuple]:
        result, rows = _delib("--data-dir", str(cli_data), "search", query, "--json", *extra)
        assert result.exit_code == 0, result.output
        return [(r["chunk_id"], r["lexical_rank"], r["dense_rank"]) for r in rows]

    queries = [
        ("road resurfacing works",),
        ("subvention emploi", "--year", "2019"),
        ("achat d'un terrain", "--mode", "dense"),
    ]
    result, _ = _delib("--data-dir", str(cli_data), "search", "voirie")
    assert result.exit_code == 0 and "Index sémantique incomplet (0 / " in result.stderr  # a search does not embed
    result, _ = _delib("--data-dir", str(cli_data), "reindex")
    assert result.exit_code == 0, result.output
    before = [search(*q) for q in queries]
    assert any(dense for _, _, dense in before[0])  # the dense side took part
    shutil.rmtree(cli_data / "chroma")
    result, report = _delib("--data-dir", str(cli_data), "reindex", "--json")
    assert result.exit_code == 0, result.output
    assert report["added"] == report["chunks"] > 0 and report["deleted"] == 0
    assert [search(*q) for q in queries] == before


# -- an embedding interrupted by a crash is completed at the next ingestion or start, not by a search -------


class CrashingAfter(BagOfStems):
    """Dies after `batches` batches, as a process killed while embedding."""

    def __init__(self, batches: int) -> None:
        super().__init__()
        self.left = batches

    def _encode(self, texts: list[str], *, query: bool) -> list[list[float]]:
        if not query:
            if self.left == 0:
                raise KeyboardInterrupt("killed while embedding")
            self.left -= 1
        return super()._encode(texts, query=query)


def _interrupted(tmp_path: Path):
    """A registry filled with the seed and a dense index (weight > 0) left half-embedded by a crash."""
    from assistant.core import Assistant

    seed = Path(__file__).resolve().parents[1] / "corpus" / "000_47990de55f73b628.txt"
    settings = Settings.load(env={}, data_dir=tmp_path / "data", dense_weight=0.5)
    assistant = Assistant(settings)
    assistant.__dict__["index"] = DenseIndex.from_settings(settings, assistant.registry,
                                                           embedder=CrashingAfter(1), sync=False)
    with pytest.raises(KeyboardInterrupt):
        assistant.ingest([seed])
    total = len(assistant.registry.chunks())
    assert 0 < assistant.index.count() < total
    return assistant, seed, total


def test_an_interrupted_embedding_is_completed_by_the_next_ingestion(tmp_path):
    assistant, seed, total = _interrupted(tmp_path)
    held = assistant.index.count()
    assistant.retriever.invoke("Cité des Métiers")  # a search uses what is there and embeds nothing
    assert assistant.index.count() == held
    assistant.index.embedder = BagOfStems()  # the process restarted: the model works again
    report = assistant.ingest([seed])  # the file is unchanged…
    assert report.counts["unchanged"] == 1 and not report.changed
    assert assistant.index.count() == total  # …and the index is completed all the same
    assistant.close()


def test_an_interrupted_embedding_is_completed_at_the_apps_start(tmp_path):
    import app as app_module
    from assistant.ui.context import UIContext

    assistant, _seed, total = _interrupted(tmp_path)
    assistant.index.embedder = BagOfStems()
    ctx = UIContext(assistant)
    phase = app_module.needs_preparation(assistant, tmp_path / "no-corpus", embed=True)
    assert phase and "Index sémantique" in phase
    ctx.preparation.start(phase)
    app_module.prepare(assistant, tmp_path / "no-corpus", ctx).join(timeout=120)
    assert ctx.preparation.finished and ctx.preparation.error is None
    assert assistant.index.count() == total
    assistant.close()


# -- near twins: what the question names ranks the right deliberation first ------------------------------


def _grant(rid: str, year: int, name: str, thousands: int) -> Deliberation:
    return make_record(rid, date=f"{year}-03-12", body="bureau" if year % 2 else "conseil", act_type="subvention",
                       code=f"EMP {thousands:03d}/BM",
                       title=f"Attribution d'une subvention à l'association {name}",
                       expose=[f"L'association {name} anime des ateliers de lecture."],
                       articles=[f"Est attribuée une subvention de {thousands} 000 euros à l'association {name}."],
                       beneficiaries=[name])


def _twins(n: int = 12) -> list[Deliberation]:
    """Deliberations that share their beneficiary and every formula, told apart only by year and amount,
    among others of the same sessions (whose session passage prints the same year)."""
    twins = [_grant(f"twin-{year}", year, "Les Amis de l'Exemple", 10 + year - 2010) for year in range(2010, 2010 + n)]
    others = [_grant(f"other-{year}-{i}", year, f"Club Numéro {i} de Villemodèle", 50 + i)
              for year in range(2010, 2010 + n) for i in range(4)]
    return twins + others


def test_named_facets_of_a_question():
    from assistant.index import named_facets

    assert named_facets("Qu'est-ce qui a été accordé aux Amis de l'Exemple en 2019 ?") == {"years": {"2019"}}
    assert named_facets("Who was excused at the Bureau session of 20 June 2019?") == {
        "years": {"2019"}, "dates": {"2019-06-20"}, "bodies": {"bureau"}}
    assert named_facets("séance du 14 février 2019")["dates"] == {"2019-02-14"}
    assert named_facets("What did the Bureau grant (EUR 20,000) in 2020?") == {
        "years": {"2020"}, "amounts": {"20000"}, "bodies": {"bureau"}}
    assert named_facets("la subvention de 1 500 000 € du conseil municipal") == {
        "amounts": {"1500000"}, "bodies": {"conseil_municipal"}}
    assert named_facets("Quel bureau d'études a été retenu ?") == {}  # not the body
    assert named_facets("Qui a signé ?") == {}


def test_the_year_or_amount_named_ranks_the_right_twin_first(registry):
    fill(registry, _twins())
    search = HybridSearch(registry, None, k=5)

    def first(question: str) -> str:
        return search.retrieve(question)[0].metadata["deliberation_id"]

    for year in (2011, 2016, 2021):
        assert first(f"Subvention accordée à l'association Les Amis de l'Exemple en {year}") == f"twin-{year}"
    assert first("Qui a reçu 17 000 euros, les Amis de l'Exemple ?") == "twin-2017"
    assert first("What did the council grant Les Amis de l'Exemple in 2014?") == "twin-2014"


def test_a_deliberation_number_named_ranks_its_deliberation_first(registry):
    """A registry number is a deliberation's own: named, it wins over twins whose numbers hold the same
    digits ("007/2019" against "2019/007"), wherever bm25 ranks them."""
    def numbered(rid: str, code: str, words: str) -> Deliberation:
        return make_record(rid, date="2019-03-12", body="bureau", act_type="subvention", code=code,
                           title="Attribution d'une subvention à l'association Les Amis de l'Exemple",
                           expose=[words], articles=["Est attribuée une subvention de 7 000 euros."],
                           beneficiaries=["Les Amis de l'Exemple"])

    fill(registry, [numbered("asked", "2019/007", "L'association anime des ateliers de lecture pour tous les "
                                                  "enfants de la commune, toute l'année.")]
         + [numbered(f"twin-{i}", "007/2019", f"Ateliers {i}.") for i in range(8)])
    search = HybridSearch(registry, None, k=5)
    for question in ("Délibération n° 2019/007", "Que décide la délibération 2019/007 ?"):
        assert search.retrieve(question)[0].metadata["deliberation_id"] == "asked"
    assert search.retrieve("Délibération n° 007/2019")[0].metadata["deliberation_id"].startswith("twin-")


def test_code_candidates_of_a_question():
    from assistant.index import code_candidates

    assert code_candidates("Délibération n° 2021/039 ?") == {"2021/039", "Délibération 2021/039"}
    assert code_candidates("Que décide la délibération EMP 004-6064/19/BM ?") >= {"EMP 004-6064/19/BM"}
    assert code_candidates("Qu'a décidé le Bureau en 2019 ?") == set()


def test_a_search_past_the_budget_scores_rare_terms_in_sql_and_common_ones_the_same_way(registry, monkeypatch):
    """Over a large registry the passages holding a question's common terms are too many to score in
    SQL: candidates come from its rare terms, the common ones add their bm25 share. The ranking is the
    one a search of every passage gives."""
    import assistant.registry as registry_module

    fill(registry, _twins())
    questions = ["Subvention accordée à l'association Les Amis de l'Exemple en 2016",
                 "Qui a reçu 17 000 euros, les Amis de l'Exemple ?", "ateliers de lecture Villemodèle"]
    for q in questions:
        exact = registry.search_lexical(q, k=10)
        counts, _ = registry._term_counts(sorted(set(textnorm.stems(q))))
        # A budget that leaves the most common term out of SQL.
        monkeypatch.setattr(registry_module, "LEXICAL_BUDGET", sum(counts.values()) - max(counts.values()))
        assert 0 < len(registry_module._rare_terms(counts)) < len(counts)
        cut = registry.search_lexical(q, k=10)
        assert [c.id for c, _ in cut][:3] == [c.id for c, _ in exact][:3]
        assert [s for _, s in cut][:3] == pytest.approx([s for _, s in exact][:3], rel=0.05)


def test_term_counts_follow_the_registry(registry):
    counts, passages = registry._term_counts(["logirem", "absent"])
    assert counts["logirem"] > 0 and counts["absent"] == 0
    fill(registry, [_grant("new-2030", 2030, "Logirem", 30)])
    again, more = registry._term_counts(["logirem"])
    assert again["logirem"] > counts["logirem"] and more > passages
