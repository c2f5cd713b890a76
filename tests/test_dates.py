"""Event dates from French expressions (pipeline/dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import day
from pipeline.dates import DateWords, find_dates, fold, load_date_words, resolve_event_date

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
