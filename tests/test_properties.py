"""Properties (hypothesis) of the date resolver, the front-matter reader and the normaliser.

What no example list can promise: the resolver never raises and never dates an event after
its article; an article's front matter reads back what was written, whatever the title, the
BOM or the line ends; a name's key is a fixed point. Example counts stay modest.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline._errors import InputError
from pipeline.articles import parse_article
from pipeline.dates import load_date_words, resolve_event_date
from pipeline.normalize import name_key

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2020, 1, 1)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the date resolver ---------------------------------------------------------------------


def _date_phrases() -> list[str]:
    """Every phrase of the lexicon's date section (the words a real article uses)."""
    words = load_date_words()
    phrases: list[str] = []
    for value in vars(words).values():
        phrases.extend(value if isinstance(value, tuple) else value.keys())
    return sorted(set(phrases))


_PHRASES = _date_phrases()
_NUMBERS = st.integers(min_value=0, max_value=10**12).map(str)
_YEARS = st.integers(min_value=1, max_value=9999).map(str)
_FRAGMENTS = st.one_of(
    st.sampled_from(_PHRASES),
    st.sampled_from(_PHRASES).map(str.capitalize),
    st.sampled_from(["le", "du", "au", "à", "1er", "de", ",", ".", "l'armée a pris Chaar"]),
    _NUMBERS,
    _YEARS,
    st.text(max_size=8),
)
_WORDS = load_date_words()
# the shapes of a date expression, filled at random: an explicit date, "il y a N jours"
_SHAPES = st.one_of(
    st.tuples(
        st.sampled_from(["le", "", "lundi"]),
        st.one_of(st.integers(min_value=0, max_value=40).map(str), st.just("1er")),
        st.sampled_from(sorted(_WORDS.months)),
        st.one_of(st.just(""), _YEARS),
    ).map(" ".join),
    st.tuples(
        st.sampled_from(_WORDS.ago),
        st.one_of(_NUMBERS, st.sampled_from(sorted(_WORDS.numbers))),
        st.sampled_from(sorted(_WORDS.ago_units)),
    ).map(" ".join),
)
texts = st.lists(st.one_of(_FRAGMENTS, _SHAPES), max_size=12).map(" ".join)
published_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@FAST
@given(texts, published_dates, st.one_of(st.none(), st.integers(min_value=0, max_value=200)))
@example("le 15 décembre 2017", dt.date(2016, 12, 5), None)
@example("il y a 800000 semaines", dt.date(2016, 12, 5), None)
@example("il y a 99999999999 jours", dt.date(2016, 12, 5), None)
@example("dans la nuit de dimanche à lundi", dt.date(1900, 1, 1), 3)
def test_the_event_date_never_raises_and_never_follows_the_article(
    text: str, published: dt.date, focus: int | None
) -> None:
    day, precision = resolve_event_date(text, published, focus=focus)
    assert isinstance(day, dt.date)
    assert day <= published
    assert precision in ("day", "approximate")


@FAST
@given(published_dates, st.sampled_from(load_date_words().weekdays))
def test_a_weekday_is_the_latest_such_day_within_a_week_of_the_article(
    published: dt.date, weekday: str
) -> None:
    day, precision = resolve_event_date(f"Les combats ont repris {weekday}.", published)
    assert (precision, day.weekday()) == ("day", load_date_words().weekdays.index(weekday))
    assert published - dt.timedelta(days=6) <= day <= published


# --- the front-matter reader ---------------------------------------------------------------

# text an editor may paste in a title or a source: quotes, colons, hashes, any script
_FIELD = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\ufeff"
    ),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() == t and t != "")
_BODY = st.lists(
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=30),
    min_size=1,
    max_size=4,
).map("\n".join).filter(lambda t: t.strip() != "")


def make_article_file(published: dt.date, title: str, body: str) -> str:
    # the title as YAML writes it, quoted where needed
    fields = {"published": published.isoformat(), "title": title}
    header = yaml.safe_dump(fields, allow_unicode=True, width=10**6)
    return f"---\n{header}---\n{body}\n"


@FAST
@given(st.dates(max_value=TODAY), _FIELD, _BODY)
@example(dt.date(2016, 12, 5), "Alep: « la chute » # 1", "Texte.")
@example(dt.date(2016, 12, 5), "---", "---")
@example(dt.date(2016, 12, 5), "\u2028", "x")
def test_front_matter_reads_back_what_was_written(
    published: dt.date, title: str, body: str
) -> None:
    text = make_article_file(published, title, body)
    variants = [text.encode(), b"\xef\xbb\xbf" + text.encode(), text.replace("\n", "\r\n").encode()]
    try:
        articles = [parse_article(data, path="seeds/a.txt", today=TODAY) for data in variants]
    except InputError as error:
        # YAML reads some characters as line breaks inside the header (U+0085, U+2028...):
        # then the reader may refuse the file, but with a line inside it
        assert all(1 <= p.line <= text.count("\n") + 1 for p in error.problems)
        return
    first = articles[0]
    assert (first.published, first.title) == (published, title)
    assert first.text == body + "\n"
    assert first.body_line == 5
    # a BOM or Windows line ends change nothing but the hash
    for other in articles[1:]:
        assert (other.published, other.title, other.body_line) == (published, title, 5)
        assert other.text.replace("\r", "") == first.text


_HEADER_LINES = ["---", "published: 2016-12-05", "title: x", "", "...", "a: [", "x"]


@FAST
@given(st.lists(st.sampled_from(_HEADER_LINES), max_size=8), _BODY)
def test_every_problem_names_a_line_of_the_file(lines: list[str], body: str) -> None:
    text = "\n".join([*lines, body])
    try:
        parse_article(text.encode(), path="seeds/a.txt", today=TODAY)
    except InputError as error:
        count = text.count("\n") + 1
        assert error.problems and all(1 <= p.line <= count for p in error.problems)


# --- the normaliser ------------------------------------------------------------------------


def _gazetteer_names() -> list[str]:
    """Every name and alias of the project's gazetteer: real spellings in three scripts."""
    data = yaml.safe_load((ROOT / "gazetteer" / "aleppo.yaml").read_text(encoding="utf-8"))
    names: list[str] = []
    for entry in [data["city"], *data.get("groups", []), *data["districts"]]:
        names.extend(str(n) for n in (entry.get("names") or {}).values())
        names.extend(str(a) for a in entry.get("aliases") or [])
    return sorted(set(names))


_NAMES = _gazetteer_names()
_JOINERS = st.sampled_from([" ", "-", " - ", "’", "'", "\u00a0", " al-", " d'", ", ", "\t"])
name_like = st.lists(
    st.one_of(st.sampled_from(_NAMES), st.text(max_size=6)), min_size=1, max_size=4
).flatmap(lambda parts: st.lists(_JOINERS, min_size=len(parts), max_size=len(parts)).map(
    lambda gaps: "".join(p + g for p, g in zip(parts, gaps, strict=True))
))


@FAST
@given(name_like)
def test_a_key_is_a_fixed_point_of_the_normaliser(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert key == key.strip() and "  " not in key


@pytest.mark.parametrize("name", _NAMES[:: max(1, len(_NAMES) // 60)])
def test_surrounding_spaces_and_case_do_not_change_a_real_name_key(name: str) -> None:
    assert name_key(f"  {name}\n") == name_key(name)
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(name)
    assert json.dumps(name_key(name))  # a plain string, no lone surrogate
