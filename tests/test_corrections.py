"""The editor's corrections: manual claims and rejections (pipeline/corrections.py)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from pipeline._errors import InputError
from pipeline.corrections import load_corrections
from pipeline.gazetteer import load_gazetteer
from pipeline.model import Claim, Corrections, Gazetteer, Rejection

SMALL = Path(__file__).parent / "data" / "gazetteer" / "small.yaml"
ARTICLES = {"003_8db79db811459940", "004_4619473787047ac2"}
TODAY = dt.date(2020, 1, 1)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(SMALL)


def write_corrections(folder: Path, text: str) -> Path:
    path = folder / "corrections.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, gazetteer: Gazetteer) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_corrections(path, gazetteer=gazetteer, article_ids=ARTICLES, today=TODAY)
    return [str(p) for p in caught.value.problems]


def test_a_missing_file_is_no_correction(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "corrections.yaml"
    loaded = load_corrections(path, gazetteer=gazetteer, article_ids=ARTICLES)
    assert loaded == Corrections(path=None)


def test_an_empty_file_is_no_correction(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = write_corrections(tmp_path, "# nothing yet\n")
    loaded = load_corrections(path, gazetteer=gazetteer, article_ids=ARTICLES)
    assert loaded == Corrections(path=str(path))


def test_manual_claims_and_rejections(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = write_corrections(
        tmp_path,
        """
        claims:
          - {district: al-shaar, side: government, status: captured, share: 1.0, date: 2016-12-06,
             source: "AFP 2016-12-07", note: "Chaar fell on 6 Dec"}
          - {district: al-kallaseh, status: shelled, date: 2016-12-08, source: "AFP"}
        rejections:
          - {article: 003_8db79db811459940, district: al-shaar, status: captured,
             reason: "a hypothesis"}
          - {article: 004_4619473787047ac2, district: ramouseh, reason: "fighting at its edge"}
        """,
    )
    loaded = load_corrections(path, gazetteer=gazetteer, article_ids=ARTICLES, today=TODAY)
    assert loaded.path == str(path)
    assert loaded.claims == (
        Claim(
            article="corrections",
            district="al-shaar",
            side="government",
            status="captured",
            share=1.0,
            date=dt.date(2016, 12, 6),
            date_precision="day",
            quote="Chaar fell on 6 Dec (AFP 2016-12-07)",
            confidence=1.0,
            name="Chaar",
            correction=True,
            note="Chaar fell on 6 Dec",
        ),
        Claim(
            article="corrections",
            district="al-kallaseh",
            side=None,
            status="shelled",
            share=None,
            date=dt.date(2016, 12, 8),
            date_precision="day",
            quote="AFP",
            confidence=1.0,
            name="Kallassé",
            correction=True,
        ),
    )
    assert loaded.rejections == (
        Rejection("003_8db79db811459940", "al-shaar", "a hypothesis", status="captured", line=6),
        Rejection("004_4619473787047ac2", "ramouseh", "fighting at its edge", line=8),
    )


def test_every_problem_with_its_line(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = write_corrections(
        tmp_path,
        """
        claims:
          - {district: al-chaar, side: government, status: captured, date: 2016-12-06, note: x}
          - {district: Chaar, side: governement, status: taken, date: 2016-12-06, note: x}
          - {district: ramouseh, side: rebels, status: held, share: 1.5, date: 06/12/2016, note: x}
          - {district: qadi-askar, side: rebels, status: held, date: 2016-01-01, source: x}
          - {district: qadi-askar, side: rebels, status: held, date: 2016-12-01}
          - {distrcit: qadi-askar, status: shelled, date: 2016-12-01, note: x}
          - just a line
        rejections:
          - {article: 003_8db79db81145994, district: al-shaar, reason: x}
          - {article: 003_8db79db811459940, district: al-shaar, status: sieged}
        claim: []
        """,
    )
    # sorted by line, then by message
    assert problems_of(path, gazetteer) == [
        f"{path}:2: claim #1: district names an unknown district id 'al-chaar' "
        "(it names district 'al-shaar': write the id)",
        f"{path}:3: claim #2: district names an unknown district id 'Chaar' "
        "(it names district 'al-shaar': write the id)",
        f"{path}:3: claim #2: side names an unknown side 'governement' "
        "(sides: government, rebels, kurdish)",
        f"{path}:3: claim #2: status must be one of captured, partial, held, lost, contested, "
        "besieged, targeted, shelled, got 'taken'",
        f"{path}:4: claim #3: date must be an ISO date YYYY-MM-DD, got '06/12/2016'",
        f"{path}:4: claim #3: share must be a share between 0 and 1, got 1.5",
        f"{path}:5: claim #4: date 2016-01-01 is before the gazetteer's baseline date 2016-09-21",
        f"{path}:6: claim #5: needs a source or a note (they become the claim's quote on the map)",
        f"{path}:7: claim #6: distrcit is not a known key (expected one of: date, district, "
        "gainer, note, share, side, source, status)",
        f"{path}:7: claim #6: district is missing",
        f"{path}:8: claim #7: must be a mapping, got 'just a line'",
        f"{path}:10: rejection #1: article names an unknown article '003_8db79db81145994' "
        "(did you mean: 003_8db79db811459940?)",
        f"{path}:11: rejection #2: reason is missing",
        f"{path}:11: rejection #2: status must be one of captured, partial, held, lost, contested, "
        "besieged, targeted, shelled, got 'sieged'",
        f"{path}:12: claim is not a known key (expected one of: claims, rejections)",
    ]


def test_a_typo_in_a_district_id_gets_suggestions(tmp_path: Path, gazetteer: Gazetteer) -> None:
    claim = "{district: qadi-askr, side: government, status: captured, date: 2016-12-05, note: x}"
    path = write_corrections(tmp_path, f"claims:\n  - {claim}\n")
    assert problems_of(path, gazetteer) == [
        f"{path}:2: claim #1: district names an unknown district id 'qadi-askr' "
        "(did you mean: qadi-askar?)"
    ]


def test_articles_are_not_checked_without_a_list(tmp_path: Path, gazetteer: Gazetteer) -> None:
    rejection = "{article: anything, district: al-shaar, reason: x}"
    path = write_corrections(tmp_path, f"rejections:\n  - {rejection}\n")
    loaded = load_corrections(path, gazetteer=gazetteer, article_ids=None)
    assert [r.article for r in loaded.rejections] == ["anything"]


def test_malformed_and_misshapen_files(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = write_corrections(tmp_path, "claims:\n  - {district: al-shaar\n")
    assert problems_of(path, gazetteer) == [
        f"{path}:3: invalid YAML: did not find expected ',' or '}}', while parsing a flow mapping "
        "that starts at line 2"
    ]
    path = write_corrections(tmp_path, "- a\n- b\n")
    assert problems_of(path, gazetteer) == [
        f"{path}:1: the corrections must be a mapping with 'claims' and 'rejections', "
        "got ['a', 'b']"
    ]
    path = write_corrections(tmp_path, "claims: {district: al-shaar}\n")
    assert problems_of(path, gazetteer) == [
        f"{path}:1: claims must be a list, got {{'district': 'al-shaar'}}"
    ]
