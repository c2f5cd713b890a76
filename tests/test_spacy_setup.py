"""How the extraction loads spaCy: numpy's OpenBLAS for the matrices, one BLAS thread, and
the same parses as spaCy's default (BLIS) on every candidate sentence of the real texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.articles import read_articles
from pipeline.control import (
    SPACY_EXCLUDE,
    SPACY_MODEL,
    candidate_sentences,
    load_lexicon,
    load_nlp,
    parse_sentences,
)
from pipeline.gazetteer import Matcher, load_gazetteer

ROOT = Path(__file__).resolve().parents[1]


def _candidate_inputs() -> list[Any]:
    gazetteer = load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")
    matcher, lexicon = Matcher(gazetteer), load_lexicon()
    inputs = []
    for folder in (ROOT / "seeds", ROOT / "tests" / "data" / "dispatches"):
        for article in read_articles(folder):
            found = candidate_sentences(article, matcher=matcher, lexicon=lexicon)
            inputs += [candidate.input for candidate in found]
    return inputs


def _analysis(doc: Any) -> list[tuple[str, str, str, int, str]]:
    return [(t.text, t.pos_, t.dep_, t.head.i, str(t.morph)) for t in doc]


def test_the_networks_multiply_with_numpy_not_blis() -> None:
    nlp = load_nlp()
    for name in ("tok2vec", "morphologizer", "parser"):
        ops = nlp.get_pipe(name).model.ops
        assert type(ops).__name__ == "NumpyOps" and ops.use_blis is False, name


def test_blas_keeps_to_one_thread_once_spacy_is_loaded() -> None:
    from threadpoolctl import threadpool_info

    load_nlp()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS is not loaded"
    assert {pool["num_threads"] for pool in blas} == {1}


def test_openblas_parses_every_real_candidate_sentence_as_blis_does() -> None:
    """Switching the matrix library must not change a tag or an arc: checked on the seeds'
    and the dispatches' candidate sentences against spaCy as it loads by default."""
    spacy = pytest.importorskip("spacy")
    from thinc.api import use_ops

    inputs = _candidate_inputs()
    assert len(inputs) > 100
    with use_ops("numpy"):  # thinc's default: BLIS
        default = spacy.load(SPACY_MODEL, exclude=list(SPACY_EXCLUDE))
    assert default.get_pipe("tok2vec").model.ops.use_blis is True
    ours = parse_sentences(inputs, nlp=load_nlp())
    theirs = parse_sentences(inputs, nlp=default)
    differing = [
        doc.text for doc, other in zip(ours, theirs) if _analysis(doc) != _analysis(other)
    ]
    assert differing == []
