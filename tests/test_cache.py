"""The claim cache: an unchanged article is never parsed again; any change that could change
its claims (its text, the gazetteer, the lexicon, the code) reads it again."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_article, make_claim

from pipeline import cache as cache_module
from pipeline import corpus
from pipeline.cache import DATABASE, ClaimCache, claim_from_json, claims_to_text
from pipeline.corpus import extract_corpus
from pipeline.gazetteer import load_gazetteer
from pipeline.model import Article, Gazetteer

ROOT = Path(__file__).resolve().parents[1]

BODIES = {
    "a1": "Les forces gouvernementales ont repris mardi le quartier de Qadi Askar.",
    "a2": "De violents combats se déroulaient dans le quartier de Boustan al Bacha.",
    "a3": "L'émissaire de l'ONU a appelé à une trêve humanitaire depuis Genève.",
}


@pytest.fixture(scope="module")
def real() -> Gazetteer:
    return load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache folder of one test, named by the environment as a user would."""
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the articles that go through the extraction (the cache missed them)."""
    seen: list[str] = []
    real_run = corpus._Extraction.run

    def run(self: corpus._Extraction, chunk: list[corpus._Entry]) -> list[corpus._Done]:
        seen.extend(corpus._article_of(entry.source).id for entry in chunk)
        return real_run(self, chunk)

    monkeypatch.setattr(corpus._Extraction, "run", run)
    return seen


def write_articles(folder: Path, bodies: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, body in bodies.items():
        path = folder / f"{name}.txt"
        path.write_text(f"---\npublished: 2016-12-05\n---\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_a_hit_returns_identical_claims(
    real: Gazetteer, folder: Path, tmp_path: Path, extracted: list[str]
) -> None:
    paths = write_articles(tmp_path / "seeds", BODIES)
    cold = extract_corpus(paths, gazetteer=real)
    assert extracted == ["a1", "a2", "a3"] and cold
    warm = extract_corpus(paths, gazetteer=real)
    assert extracted == ["a1", "a2", "a3"]  # nothing read again
    assert warm == cold
    assert warm == extract_corpus(paths, gazetteer=real, cache=False)


def test_articles_in_memory_are_cached_by_their_content(
    real: Gazetteer, folder: Path, extracted: list[str]
) -> None:
    articles = [make_article(body, article_id=name) for name, body in BODIES.items()]
    first = extract_corpus(articles, gazetteer=real)
    edited = dataclasses.replace(articles[1], text=articles[1].text + " Les combats continuent.")
    second = extract_corpus([articles[0], edited, articles[2]], gazetteer=real)
    assert extracted == ["a1", "a2", "a3", "a2"]
    assert [c for c in second if c.article != "a2"] == [c for c in first if c.article != "a2"]


def test_an_edited_article_misses_alone(
    real: Gazetteer, folder: Path, tmp_path: Path, extracted: list[str]
) -> None:
    paths = write_articles(tmp_path / "seeds", BODIES)
    extract_corpus(paths, gazetteer=real)
    write_articles(tmp_path / "seeds", {"a2": BODIES["a2"].replace("Boustan al Bacha", "Chaar")})
    claims = extract_corpus(paths, gazetteer=real)
    assert extracted == ["a1", "a2", "a3", "a2"]
    assert {c.district for c in claims if c.article == "a2"} == {"ash-shaar"}


def test_a_changed_gazetteer_misses(
    real: Gazetteer, folder: Path, tmp_path: Path, extracted: list[str]
) -> None:
    paths = write_articles(tmp_path / "seeds", BODIES)
    extract_corpus(paths, gazetteer=real)
    edited = dataclasses.replace(real, version=real.version + "-edited")
    extract_corpus(paths, gazetteer=edited)
    assert extracted == ["a1", "a2", "a3"] * 2


@pytest.mark.parametrize("version", ["lexicon_version", "code_version", "parser_version"])
def test_a_changed_lexicon_code_or_model_misses(
    real: Gazetteer,
    folder: Path,
    tmp_path: Path,
    extracted: list[str],
    monkeypatch: pytest.MonkeyPatch,
    version: str,
) -> None:
    paths = write_articles(tmp_path / "seeds", BODIES)
    extract_corpus(paths, gazetteer=real)
    monkeypatch.setattr(cache_module, version, lambda: "another version")
    extract_corpus(paths, gazetteer=real)
    assert extracted == ["a1", "a2", "a3"] * 2


def test_the_versions_hash_the_files_that_shape_claims() -> None:
    package = ROOT / "pipeline"
    assert cache_module.lexicon_version() != ""
    # every module the extraction runs counts; the stages after it do not
    counted = {p.name for p in package.glob("*.py")} - cache_module._OUTSIDE_EXTRACTION
    assert {"control.py", "dates.py", "normalize.py", "gazetteer.py", "articles.py"} <= counted
    assert {"corpus.py", "model.py", "cache.py"} <= counted
    assert {"render.py", "timeline.py", "cli.py"}.isdisjoint(counted)


def test_the_cache_folder_comes_from_the_environment(
    real: Gazetteer, folder: Path, tmp_path: Path
) -> None:
    assert cache_module.cache_dir() == folder
    extract_corpus(write_articles(tmp_path / "seeds", BODIES), gazetteer=real)
    assert (folder / DATABASE).is_file()


def test_without_the_variable_the_cache_is_in_dot_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIPELINE_CACHE_DIR", raising=False)
    assert cache_module.cache_dir() == Path(".cache/pipeline")


def test_claims_round_trip_exactly(tmp_path: Path) -> None:
    claims = [
        make_claim("qadi-askar", "captured", "government", "2016-12-05", confidence=0.8123),
        make_claim("al-shaar", "shelled", None, "2016-12-04", share=None),
        dataclasses.replace(
            make_claim(
                "bustan-al-basha", "lost", "rebels", "2016-10-06", share=0.5, gainer="government"
            ),
            via="old-city", name="Boustan « al » Bacha", note="note",
        ),
    ]
    assert [claim_from_json(row) for row in json.loads(claims_to_text(claims))] == claims
    with ClaimCache(gazetteer_version="g", folder=tmp_path) as store:
        store.put_many([("k1", claims), ("k2", [])])
        assert store.get_many(["k1", "k2", "k3"]) == {"k1": claims, "k2": []}
        assert store.get("k3") is None


def test_a_damaged_row_is_a_miss(tmp_path: Path) -> None:
    with ClaimCache(gazetteer_version="g", folder=tmp_path) as store:
        store.put("k", [make_claim("qadi-askar", "captured", "government", "2016-12-05")])
        with store.connection:
            store.connection.execute("UPDATE claims SET rows = '[{\"article\": 1}]'")
        assert store.get("k") is None


NO_OP = """
import json, sys
from pipeline.corpus import extract_corpus
from pipeline.gazetteer import load_gazetteer
claims = extract_corpus(sys.argv[2:], gazetteer=load_gazetteer(sys.argv[1]))
print(json.dumps({"claims": len(claims), "spacy": "spacy" in sys.modules}))
"""


def test_a_run_where_nothing_changed_does_not_import_spacy(folder: Path, tmp_path: Path) -> None:
    paths = [str(p) for p in write_articles(tmp_path / "seeds", BODIES)]
    command = [sys.executable, "-c", NO_OP, str(ROOT / "gazetteer" / "aleppo.yaml"), *paths]
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(folder)}

    def run() -> dict[str, object]:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    cold, warm = run(), run()
    assert cold["spacy"] is True and cold["claims"]
    assert warm == {"claims": cold["claims"], "spacy": False}


def test_an_article_built_in_memory_has_a_content_hash() -> None:
    one = make_article("Texte.", article_id="x")
    assert corpus.content_hash(one) == corpus.content_hash(make_article("Texte.", article_id="x"))
    assert corpus.content_hash(one) != corpus.content_hash(make_article("Texte!", article_id="x"))
    later = dataclasses.replace(one, published=one.published.replace(day=6))
    assert corpus.content_hash(one) != corpus.content_hash(later)
    filed = Article(id="x", path="x.txt", published=one.published, text="T", sha256="abc")
    assert corpus.content_hash(filed) == "abc"
