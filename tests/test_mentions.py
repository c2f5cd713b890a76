"""Place-like names the gazetteer does not resolve (pipeline/mentions.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.gazetteer import Matcher, load_gazetteer
from pipeline.mentions import find_place_names, find_unresolved, load_lexicon
from pipeline.model import Article

SMALL = Path(__file__).parent / "data" / "gazetteer" / "small.yaml"


def make_article(text: str, article_id: str = "a1") -> Article:
    path = f"seeds/{article_id}.txt"
    return Article(id=article_id, path=path, published=dt.date(2016, 12, 5), text=text)


def names(text: str) -> list[str]:
    return [text[start:end] for start, end in find_place_names(text)]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_gazetteer(SMALL))


def test_names_after_cues_and_in_lists() -> None:
    text = "les quartiers d'Amiriya, de Soukkari et de Cheikh Saïd"
    assert names(text) == ["Amiriya", "Soukkari", "Cheikh Saïd"]
    assert names("dans le quartier de Bab al-Hadid, au nord") == ["Bab al-Hadid"]
    assert names("des combats dans la Ghouta orientale") == ["Ghouta"]
    assert names("le secteur d'Ard al-Hamra et celui de Jandoul") == ["Ard al-Hamra"]
    assert names("à Genève puis à Hambourg") == ["Genève", "Hambourg"]


def test_names_opened_by_a_place_word_need_no_cue() -> None:
    assert names("Les rebelles ont repris Karm al-Beik hier.") == ["Karm al-Beik"]
    # a place word alone is not a name
    assert names("Bab est fermé.") == []


def test_sentence_openers_acronyms_and_lower_case_are_not_names() -> None:
    assert names("Dans un communiqué, l'OSDH a dit que dans Les heures") == []
    assert names("selon l'AFP à l'ONU et à M. Kerry") == []
    assert names("dans le sud de la ville") == []


def test_unresolved_names_with_counts_and_suggestions(matcher: Matcher) -> None:
    articles = [
        make_article(
            "Les quartiers de Boustan al-Qasr et de Chaar sont bombardés. "
            "Le quartier de Boustan al-Qasr brûle."
        ),
        make_article(
            "Dans le quartier de Bustan al-Qasr, à Homs et à Alep-Est; le quartier de Qadi Askr.",
            "a2",
        ),
    ]
    rows = find_unresolved(articles, matcher)
    assert rows == [
        # three spellings of one key; the most frequent names the row
        ("Boustan al-Qasr", 3, ["bustan-al-basha"]),
        ("Qadi Askr", 1, ["qadi-askar"]),
    ]


def test_known_names_and_names_that_run_into_them_are_left_out(matcher: Matcher) -> None:
    text = "le quartier de Tariq al-Bab, la ville d'Al-Bab, à Alep et le quartier de Waer à Homs"
    assert find_unresolved([make_article(text)], matcher) == []


def test_rows_are_sorted_by_count_then_name(matcher: Matcher) -> None:
    text = "à Genève, à Zurich, à Genève, à Berne"
    rows = find_unresolved([make_article(text)], matcher)
    assert [(name, count) for name, count, _ in rows] == [
        ("Genève", 2), ("Berne", 1), ("Zurich", 1),
    ]


def test_the_lexicon_is_data() -> None:
    lexicon = load_lexicon()
    assert ("quartier", "de") in lexicon.cues
    assert ("quartiers", "d'") in lexicon.cues
    assert ("jusqu'", "à") in lexicon.cues
    # longest cues are tried first
    sizes = [len(cue) for cue in lexicon.cues]
    assert sizes == sorted(sizes, reverse=True)
    assert "selon" in lexicon.stopwords
