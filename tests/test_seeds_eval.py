"""The real seeds scored against their hand annotations (tests/data/seeds_gold.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.articles import read_articles
from pipeline.control import extract_claims, load_nlp
from pipeline.evaluate import Report, format_report, load_gold, score_claims
from pipeline.gazetteer import Matcher, load_gazetteer

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def report() -> Report:
    gazetteer = load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")
    claims = extract_claims(read_articles(ROOT / "seeds"), gazetteer=gazetteer, nlp=load_nlp())
    gold = load_gold(ROOT / "tests" / "data" / "seeds_gold.yaml")
    result = score_claims(claims, gold, gazetteer=gazetteer, matcher=Matcher(gazetteer))
    print(format_report(result))
    return result


def test_precision_on_the_seeds(report: Report) -> None:
    assert report.overall.precision >= 0.95, format_report(report)


def test_recall_on_the_seeds(report: Report) -> None:
    assert report.overall.recall >= 0.9, format_report(report)


def test_dates_on_the_seeds(report: Report) -> None:
    assert report.overall.date_accuracy >= 0.9, format_report(report)


def test_no_forbidden_claim_and_every_gold_name_placed(report: Report) -> None:
    assert report.forbidden == ()
    assert report.unresolved == ()


def test_places_elsewhere_resolve_to_no_district() -> None:
    gazetteer = load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")
    matcher = Matcher(gazetteer)
    gold: Any = load_gold(ROOT / "tests" / "data" / "seeds_gold.yaml")
    for place in gold.not_districts:
        found = matcher.resolve(place.name)
        assert found is None or found.kind not in ("district", "group"), place.name
