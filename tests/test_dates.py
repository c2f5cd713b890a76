"""Event dates from French expressions (pipeline/dates.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.dates as dates
from builders import day
from pipeline.dates import (
    DateWords,
    default_date_words,
    find_dates,
    fold,
    fold_with_offsets,
    load_date_words,
    resolve_event_date,
)

# Monday 5 December 2016, the day Qadi Askar fell
MONDAY = day("2016-12-05")
THURSDAY = day("2016-12-08")


def resolved(text: str, published: dt.date = MONDAY) -> tuple[str, str]:
    when, precision = resolve_event_date(text, published)
    return when.isoformat(), precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # weekdays: the latest such day on or before publication
        ("L'armée a pris jeudi le quartier.", "2016-12-01"),
        ("Les rebelles ont reculé lundi.", "2016-12-05"),
        ("jeudi soir", "2016-12-01"),
        ("Jeudi matin, les combats ont repris.", "2016-12-01"),
        ("dimanche après-midi", "2016-12-04"),
        ("jeudi dernier", "2016-12-01"),
        ("lundi dernier", "2016-11-28"),
        ("ce jeudi", "2016-12-01"),
        # relative days
        ("hier", "2016-12-04"),
        ("hier soir", "2016-12-04"),
        ("avant-hier", "2016-12-03"),
        ("aujourd'hui", "2016-12-05"),
        ("aujourd’hui", "2016-12-05"),
        ("ce matin", "2016-12-05"),
        ("il y a trois jours", "2016-12-02"),
        # the night: alone the published day, "de X à Y" the second day
        ("ont pris dans la nuit la totalité du quartier", "2016-12-05"),
        ("dans la nuit de samedi à dimanche", "2016-12-04"),
        ("Dans la nuit du samedi au dimanche", "2016-12-04"),
        ("dans la nuit de dimanche à lundi", "2016-12-05"),
        ("dans la soirée de samedi", "2016-12-03"),
        # explicit days take the year of publication and never fall after it
        ("le 15 novembre", "2016-11-15"),
        ("le 1er décembre", "2016-12-01"),
        ("le 25 décembre", "2015-12-25"),
        ("mercredi 30 novembre", "2016-11-30"),
        ("le 19 septembre 2015", "2015-09-19"),
        # la veille: the day before the date named earlier, else before publication
        ("la veille", "2016-12-04"),
        ("le lendemain", "2016-12-05"),
        # no expression: the publication day
        ("Les combats continuent dans le quartier.", "2016-12-05"),
    ],
)
def test_resolves_each_day_form(text: str, expected: str) -> None:
    assert resolved(text) == (expected, "day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ces derniers jours", "2016-12-05"),
        ("Ces dernières semaines", "2016-12-05"),
        ("récemment", "2016-12-05"),
        ("au cours des derniers jours", "2016-12-05"),
        ("la semaine dernière", "2016-11-28"),
        ("il y a deux semaines", "2016-11-21"),
        ("en novembre", "2016-11-15"),
    ],
)
def test_vague_expressions_are_approximate(text: str, expected: str) -> None:
    assert resolved(text) == (expected, "approximate")


def test_la_veille_counts_from_the_day_named_before_it() -> None:
    text = "Mercredi, l'armée a repris Bab al-Nayrab; la veille, elle s'était emparée de Marjé."
    mentions = find_dates(text, THURSDAY)
    assert [(m.text, m.date.isoformat()) for m in mentions] == [
        ("Mercredi", "2016-12-07"),
        ("la veille", "2016-12-06"),
    ]


def test_la_veille_counts_from_an_anchor_given_by_the_sentence_before() -> None:
    # « Lundi, l'armée a pris Sakhour. La veille, ... »: the anchor is Monday the 5th
    (alone,) = find_dates("La veille, elle s'était emparée de Marjé.", THURSDAY, anchor=MONDAY)
    assert alone.date.isoformat() == "2016-12-04"
    # a day named in the sentence itself takes over from the anchor
    both = find_dates("Mercredi, puis la veille au soir.", THURSDAY, anchor=MONDAY)
    assert [m.date.isoformat() for m in both] == ["2016-12-07", "2016-12-06"]


@pytest.mark.parametrize(
    "text",
    [
        "depuis le 15 novembre",
        "à partir de jeudi",
        "jusqu'au 3 décembre",
        "depuis 2012",
        "Depuis la mi-novembre",
    ],
)
def test_a_start_is_not_the_event(text: str) -> None:
    mentions = find_dates(text, MONDAY)
    assert [m.role for m in mentions] == ["start"]
    assert resolved(text) == ("2016-12-05", "day")


def test_a_past_year_is_background() -> None:
    mentions = find_dates("la partie que les insurgés avaient conquise en 2012", MONDAY)
    assert [(m.text, m.role) for m in mentions] == [("2012", "background")]


def test_a_coming_weekday_is_future() -> None:
    mentions = find_dates("des discussions se tiendront samedi prochain à Genève", MONDAY)
    assert [
        (m.text, m.role, m.date.isoformat()) for m in mentions
    ] == [("samedi prochain", "future", "2016-12-10")]


def test_focus_picks_the_expression_nearest_the_claim() -> None:
    text = "Lundi, l'armée a annoncé que ses troupes avaient pris jeudi le quartier."
    assert resolve_event_date(text, MONDAY) == (day("2016-12-05"), "day")
    focus = text.index("pris")
    assert resolve_event_date(text, MONDAY, focus=focus) == (day("2016-12-01"), "day")


def test_spans_point_into_the_original_text() -> None:
    text = "Les forces de l’armée ont reconquis, dans la nuit de mardi à mercredi, le quartier."
    (mention,) = find_dates(text, day("2016-12-07"))
    assert text[mention.start : mention.end] == "dans la nuit de mardi à mercredi"
    assert mention.date == day("2016-12-07")


def test_uppercase_and_unaccented_text_is_read() -> None:
    assert resolved("DANS LA NUIT DE DIMANCHE A LUNDI") == ("2016-12-05", "day")
    assert resolved("le 1er decembre") == ("2016-12-01", "day")


def test_words_inside_other_words_are_not_dates() -> None:
    # "hier" inside "avant-hier" and "mardi" inside a name are not separate expressions
    assert [m.text for m in find_dates("avant-hier", MONDAY)] == ["avant-hier"]
    assert find_dates("la place Mardistan et le quartier Hierapolis", MONDAY) == []


def test_impossible_dates_are_skipped() -> None:
    assert find_dates("le 31 novembre", MONDAY) == []


def test_date_words_come_from_the_lexicon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lexicon = tmp_path / "xx.yaml"
    lexicon.write_text(
        "dates:\n  weekdays: [lun, mar, mer, jeu, ven, sam, dim]\n  relative_days: {hier: -1}\n",
        encoding="utf-8",
    )
    words = load_date_words(lexicon)
    assert isinstance(words, DateWords)
    assert resolve_event_date("jeu", MONDAY, lexicon=words) == (day("2016-12-01"), "day")
    assert resolve_event_date("jeudi", MONDAY, lexicon=words) == (MONDAY, "day")


def test_fold_keeps_offsets_one_to_one_for_french() -> None:
    assert fold("Élysée’s DÉCEMBRE") == "elysee's decembre"
    assert len(fold("àéèêëîïôöùûüç’")) == len("àéèêëîïôöùûüç’")


# --- the fast paths read the same as the plain definitions -------------------------------------

DISPATCHES = sorted((Path(__file__).parent / "data" / "dispatches").glob("d0*.txt"))[:12]
# characters that fold to several (…, ﬁ, ½), to an apostrophe, to nothing but themselves
_ODD = "…ﬁ½`’é\u0301İ日 \n-'"


def plain_fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The definition: each character folded alone, its offset repeated for each result."""
    pieces = [dates._fold_char(char) for char in text]
    offsets = [index for index, piece in enumerate(pieces) for _ in piece]
    return "".join(pieces), [*offsets, len(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcXYZ éèÀç.,-" + _ODD), max_size=40))
def test_fold_with_offsets_is_each_character_folded(text: str) -> None:
    folded, offsets = fold_with_offsets(text)
    assert (folded, list(offsets)) == plain_fold_with_offsets(text)


def test_fold_with_offsets_maps_a_wide_character_back_to_itself() -> None:
    folded, offsets = fold_with_offsets("Alep… jeudi")
    assert folded == "alep... jeudi"
    assert [offsets[k] for k in range(4, 7)] == [4, 4, 4]
    assert offsets[folded.index("jeudi")] == "Alep… jeudi".index("jeudi")


def dispatch_text(path: Path) -> tuple[str, dt.date]:
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    published = re.search(r"published: (\S+)", head)
    assert published is not None
    return body, day(published.group(1))


@pytest.mark.parametrize("path", DISPATCHES, ids=lambda p: p.stem)
def test_dates_before_an_offset_are_those_of_the_whole_text(path: Path) -> None:
    text, published = dispatch_text(path)
    whole = find_dates(text, published)
    assert whole, "a dispatch names at least one day"
    for offset in range(0, len(text) + 1, 5):
        expected = [m for m in whole if m.start < offset]
        assert find_dates(text, published, before=offset) == expected, offset


def phrases_of(words: DateWords) -> list[str]:
    return [
        str(phrase)
        for value in vars(words).values()
        for phrase in (value if isinstance(value, (tuple, dict)) else ())
    ]


_WORDS = default_date_words()
_PIECES = [*phrases_of(_WORDS), *dates._MONTH_PREFIXES, "15", "1er", "2016", "x", "la", "de"]


@st.composite
def date_like(draw: st.DrawFn) -> str:
    """Texts made of the lexicon's date words, glued or spaced in every way."""
    pieces = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6))
    glues = draw(st.lists(st.sampled_from([" ", "  ", "", "-", "'", "\n", ". "]), min_size=6))
    return "".join(piece + glue for piece, glue in zip(pieces, glues))


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [(m.span(), m.lastgroup, tuple(m.groupdict().items())) for m in pattern.finditer(text)]


def sorted_alternation(phrases: object) -> str:
    """The plain alternation the tree stands for: every phrase, the longest first."""
    words = {str(p) for p in phrases}  # type: ignore[attr-defined]
    items = sorted(words, key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


@settings(max_examples=400, deadline=None)
@given(date_like())
def test_screened_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    folded = fold(text)
    screened = dates._compile(_WORDS)
    plain = dates._compile(_WORDS, screened=False)
    assert matches(screened, folded) == matches(plain, folded)


@settings(max_examples=400, deadline=None)
@given(date_like())
def test_tree_alternations_match_like_sorted_lists(text: str) -> None:
    folded = fold(text)
    tree = dates._compile.__wrapped__(_WORDS, screened=False)
    original = dates._alternation
    try:
        dates._alternation = sorted_alternation  # type: ignore[assignment]
        listed = dates._compile.__wrapped__(_WORDS, screened=False)
    finally:
        dates._alternation = original  # type: ignore[assignment]
    assert matches(tree, folded) == matches(listed, folded)


def test_every_pair_of_date_words_reads_the_same_with_the_screen() -> None:
    screened = dates._compile(_WORDS)
    plain = dates._compile(_WORDS, screened=False)
    texts = [f"{a} {b}" for a in _PIECES for b in _PIECES]
    texts += [
        f"{ago} {count} {unit}"
        for ago in _WORDS.ago
        for count in ("3", *_WORDS.numbers)
        for unit in _WORDS.ago_units
    ]
    texts += [fold_with_offsets(dispatch_text(path)[0])[0] for path in DISPATCHES]
    found = 0
    for text in texts:
        expected = matches(plain, text)
        assert matches(screened, text) == expected, text
        found += len(expected)
    assert found > len(texts) // 2  # the texts are full of dates
