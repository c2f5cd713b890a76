"""The extraction as a Dask bag over article files gives the claims of the plain run."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_corpus import SEEDS, write_article, write_synthetic

from pipeline._errors import InputError
from pipeline.corpus import extract_corpus, extract_corpus_dask
from pipeline.gazetteer import load_gazetteer
from pipeline.model import Gazetteer

pytest.importorskip("dask.bag")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real() -> Gazetteer:
    return load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")


@pytest.fixture()
def corpus_paths(tmp_path: Path) -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) + write_synthetic(tmp_path / "synthetic", 12)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_the_bag_gives_the_claims_of_the_plain_run(
    real: Gazetteer, corpus_paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    npartitions: int,
) -> None:
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    plain = extract_corpus(corpus_paths, gazetteer=real, cache=False)
    assert len({claim.article for claim in plain}) > 8
    bagged = extract_corpus_dask(
        corpus_paths, gazetteer=real, npartitions=npartitions, scheduler="synchronous"
    )
    assert bagged == plain
    # again, from the cache the partitions filled
    assert (tmp_path / "cache").is_dir()
    assert extract_corpus_dask(
        corpus_paths, gazetteer=real, npartitions=npartitions, scheduler="synchronous"
    ) == plain


def test_the_bag_reports_every_bad_file(real: Gazetteer, tmp_path: Path) -> None:
    good = write_article(tmp_path, "good", "L'armée a pris lundi le quartier de Chaar.")
    bad = tmp_path / "bad.txt"
    bad.write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        extract_corpus_dask(
            [good, bad], gazetteer=real, npartitions=2, cache=False, scheduler="synchronous"
        )
    assert [problem.path for problem in caught.value.problems] == [str(bad)]


def test_no_files_no_claims(real: Gazetteer) -> None:
    assert extract_corpus_dask([], gazetteer=real, scheduler="synchronous") == []
