"""Spelling variants -> one key; text -> tokens with offsets (pipeline/normalize.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from builders import can_build_extension
from pipeline.normalize import (
    SCREEN_INTERFACE,
    WordScreen,
    compiled_screen,
    is_article,
    joins_name,
    loose_signature,
    loose_signatures,
    name_key,
    tokenize,
    word_key,
)

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "gazetteer" / "aleppo.yaml"

# spellings of one place, as the press and the reference lists write them
SAME_PLACE = [
    # the seeds and the reference list
    ("Boustan al Bacha", "Bustan al-Basha"),
    ("Boustan al-Bacha", "Bostan Pasha"),
    ("بستان الباشا", "بستان الباشا"),
    ("Chaar", "al-Shaar"),
    ("Chaar", "ash-Sha'ar"),
    ("Chaar", "ash-Sha’ar"),
    ("Cheikh Saïd", "Sheikh Saeed"),
    ("Cheikh Saïd", "Sheikh Sa’eed"),
    ("Karam al-Myessar", "Karm al-Myassar"),
    ("Karam al-Tahhan", "Karm al-Tahhan"),
    ("Karam al-Qatarji", "Karm al-Qaterji"),
    ("Kallassé", "al-Kallaseh"),
    ("Soukkari", "as-Sukkari"),
    ("Ramoussa", "Ramouseh"),
    ("Ramoussa", "Ad-Ramouseh"),
    ("Haïdariyé", "al-Haydariyeh"),
    ("Amiriya", "al-‘Amiriyeh"),
    ("Maadi", "al-Maadi"),
    ("Qadi Askar", "Kadi Askar"),
    # issue 2, item 5: case, accents, hyphens and apostrophes
    ("QADI ASKAR", "qadi askar"),
    ("Salaheddine", "Salâheddîne"),
    ("Qal’et ash-Sharif", "Qal'et ash-Sharif"),
    ("Qal‘et ash-Sharif", "Qalet al Sharif"),
    # the article, joined by a hyphen, or written apart (al, el)
    ("al-Farafra", "el-Farafra"),
    ("as-Salheen", "es-Salheen"),
    ("ash-Sheikh Maqsoud", "ech-Cheikh Maqsoud"),
    ("at-Tal", "Tal"),
    ("ad-Dudu", "Dudu"),
    ("az-Zebdiyeh", "Zebdiyeh"),
    ("an-Nayrab", "Nayrab"),
    ("aj-Jalloum", "Jalloum"),
    ("Bab al Maqam", "Bab el-Maqam"),
    # ou/u, ch/sh, doubled letters
    ("Soukkari", "Sukari"),
    ("Machhad", "Mashhad"),
    ("Hazzazeh", "Hazazeh"),
    # final -é/-eh/-e/-a/-ah/-iya/-iyah/-iyeh/-ieh/-iyé
    ("Marjeh", "Marja"),
    ("Marjé", "Marjah"),
    ("Tichrine", "Tishreen"),
    ("Hamdaniya", "Hamdaniyeh"),
    ("Hamdaniyah", "Hamdaniyé"),
    ("Hamdanieh", "al-Hamdaniyeh"),
    # Karam/Karm, Cheikh/Sheikh/Shaykh/Sheik, y/i, q/k
    ("Karam Homad", "Karm Homad"),
    ("Cheikh Khodr", "Shaykh Khodr"),
    ("Sheik Najjar", "Sheikh Najjar"),
    ("Cheik Najjar", "Shaikh Najjar"),
    ("Haydar", "Haidar"),
    ("Qarleq", "Karleq"),
    # Arabic script: alef variants, ta marbuta, alef maqsura, tatweel, harakat
    ("الأنصاري", "الانصاري"),
    ("إدلب", "ادلب"),
    ("الكلاسة", "الكلاسه"),
    ("مصطفى", "مصطفي"),
    ("حلـــب", "حلب"),
    ("حَلَب", "حلب"),
    ("الصاخور", "صاخور"),
]

# names that must stay apart
DIFFERENT_PLACES = [
    ("Al-Bab", "Tariq al-Bab"),
    ("Sakhour", "Sakhour I"),
    ("Hanano", "Hanano Barrack"),
    ("Hamdaniyeh I", "Hamdaniyeh II"),
    ("Ramouseh Industrial District II", "Ramouseh Industrial District III"),
    ("az-Zahra", "az-Zuhour"),
    ("al-Hamidiyeh", "al-Hamdaniyeh"),
    ("Ansari", "Ansari Sharqi"),
    ("Jibreen", "Industrial Area Jibreen"),
    ("Alep", "Alep-Est"),
    ("Sheikh Saeed", "Sheikh Taha"),
]


@pytest.mark.parametrize(("a", "b"), SAME_PLACE)
def test_spellings_of_one_place_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert name_key(a) != ""


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PLACES)
def test_different_places_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_key_is_the_words_keys_joined_by_spaces() -> None:
    assert name_key("Boustan al Bacha") == "bustan bash"
    assert name_key("  Cheikh   Saïd ") == "shaikh said"
    assert name_key("بستان الباشا") == "بستان باشا"
    assert name_key("") == ""
    assert name_key("-- ' --") == ""


def test_article_alone_is_kept_as_a_word() -> None:
    # "al" before another word is the article; at the end it is a word of its own
    assert name_key("Bab al") == "bab al"
    assert name_key("al") == "al"


def test_french_article_words_are_not_dropped_without_a_hyphen() -> None:
    # "et", "en", "as" are French words; only a hyphen makes them the Arabic article
    assert name_key("Soukkari et Chaar") == "sukari at shar"
    assert name_key("Soukkari et-Chaar") == "sukari shar"


def test_roman_numerals_keep_their_letters() -> None:
    assert word_key("III") == "iii"
    assert word_key("II") == "ii"
    assert name_key("Sakhour I") == "sakhur i"


def test_elision_is_a_word_of_its_own() -> None:
    text = "les quartiers d'Amiriya et l’Amiriya"
    tokens = tokenize(text)
    elided = [t for t in tokens if t.elision]
    assert [t.text for t in elided] == ["d", "l"]
    amiriya = [t for t in tokens if t.key == name_key("Amiriya")]
    assert [text[t.start : t.end] for t in amiriya] == ["Amiriya", "Amiriya"]
    # an apostrophe inside a word is not an elision
    assert [t.text for t in tokenize("ash-Sha'ar aujourd'hui")] == ["ash", "Sha'ar", "aujourd'hui"]


def test_tokens_map_back_to_exact_spans() -> None:
    text = "«Boustan al Bacha», près d'Alep-Est; بستان الباشا."
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.text for t in tokens] == [
        "Boustan", "al", "Bacha", "près", "d", "Alep", "Est", "بستان", "الباشا",
    ]
    assert [t.article for t in tokens][:3] == [False, True, False]


def test_tokens_of_decomposed_accents_stay_whole() -> None:
    # macOS writes é as e + U+0301: one word, and the same key
    decomposed = "Kallasse\u0301"
    assert [t.text for t in tokenize(decomposed)] == [decomposed]
    assert name_key(decomposed) == name_key("Kallassé")


def test_articles_need_a_following_word_and_a_joining_gap() -> None:
    assert is_article("al", "-")
    assert is_article("al", " ")
    assert not is_article("al", ". ")
    assert is_article("ash", "-")
    assert not is_article("ash", " ")  # "as" written apart is a French word
    assert not is_article("bab", "-")


def test_names_join_across_spaces_hyphens_and_one_line_break() -> None:
    assert joins_name(" ")
    assert joins_name("-")
    assert joins_name(" \n")
    assert not joins_name("\n\n")
    assert not joins_name(", ")
    assert not joins_name("")


# any text at all: the key never fails and normalising twice changes nothing
@settings(max_examples=300, deadline=None)
@given(st.text())
@example("ale Bab")
@example("alla")
@example("İstanbul")
@example("½ ﷺ ﬁn")
@example("Baiah ahaha")
@example("ddj")
def test_name_key_is_idempotent(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key


TRANSLITERATION_LETTERS = "abcdehijklmnopqrstuwyzéèïôç'’- ALBSHKQ"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRANSLITERATION_LETTERS), max_size=30))
def test_name_key_is_idempotent_on_transliterations(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key


# the cheap signature must never reject a word whose key is wanted
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
@example("Soukkari")
@example("Ḥalab")
@example("ß")
@example("Œuvre")
def test_loose_signature_agrees_with_the_key(word: str) -> None:
    signatures = loose_signatures(word)
    if signatures is None:
        return  # the matcher computes the keys then
    for token in tokenize(word):
        signature = loose_signature(token.key)
        # an all-vowel key has no signature: the matcher never skips when one is wanted
        assert not signature or signature in signatures


def test_loose_signature_classes() -> None:
    # ch/sh/k/q share a class, d/j, b/f/p; vowels, h, w, y vanish
    assert loose_signature(word_key("Cheikh")) == loose_signature("Sheikh") == frozenset("K")
    assert loose_signatures("«Alep-Est»,") == [frozenset("LB"), frozenset("KT")]
    assert loose_signatures("d'Alep") is None  # an apostrophe: the full check decides


# --- the screen's places ----------------------------------------------------------------------


def places_by_definition(text: str, starts: list[int]) -> tuple[list[int], list[int], list[int]]:
    """The first start in each piece of ``text`` (as ``\\S+`` reads it), the piece's end, and
    the end of the next piece (-1 when none follows)."""
    kept: tuple[list[int], list[int], list[int]] = ([], [], [])
    reach = -1
    for at in starts:
        if at < reach:
            continue
        piece = re.compile(r"\S+").match(text, at)
        assert piece is not None
        reach = piece.end()
        following = re.compile(r"\S+").search(text, reach)
        kept[0].append(at)
        kept[1].append(reach)
        kept[2].append(following.end() if following else -1)
    return kept


_PIECES = [
    "Alep", "Karm", "al-Jabal", "(Hanano)", "d'Alep", "Sha'ar", "ville", "la", "𝔄lep", "Zé", "-",
]
_SPACES = [" ", "  ", "\n", "\xa0", "\u2009", "\u3000", "\t", "\x1c", "\u2028"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SPACES)), max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_places_are_the_first_start_of_each_piece(parts: list[list[tuple[str, str]]]) -> None:
    texts = ["".join(piece + space for piece, space in text) for text in parts]
    screen = WordScreen(["alab", "karm", "hananu", "shar", "jabal"], ["ville"])
    for text, starts, places in zip(texts, screen.starts(texts), screen.places(texts)):
        assert places == places_by_definition(text, starts)


@pytest.mark.parametrize("text", ["ال00", "ال1070 شقة", "الباشا", "Alep"])
def test_the_screen_keeps_a_key_written_after_the_arabic_article(text: str) -> None:
    # the key of "ال1070" is "1070": the article leaves it, and so one class of the word
    first = tokenize(text)[0]
    assert WordScreen([first.key], []).starts([text]) == [[0]]
    assert WordScreen(["alab"], []).starts(["ال00"]) == [[]]


# --- the compiled screen: the same places as numpy's ---------------------------------------

# the screen of the real gazetteer's first words, built once (its tables take a second)
_REAL_SCREENS: list[tuple[WordScreen, WordScreen]] = []


def _real_screens() -> tuple[WordScreen, WordScreen]:
    if not _REAL_SCREENS:
        from pipeline.gazetteer import Matcher, load_gazetteer

        matcher = Matcher(load_gazetteer(GAZETTEER))
        keys, literals = matcher._firsts, matcher._literals
        _REAL_SCREENS.append(
            (WordScreen(keys, literals), WordScreen(keys, literals, compiled=False))
        )
    return _REAL_SCREENS[0]


def test_the_compiled_screen_is_built() -> None:
    # ``make`` builds it wherever a C compiler and Python's headers are found; numpy's walk
    # is the fallback only
    if not can_build_extension():
        pytest.skip("no C compiler or no Python headers: the package screens with numpy")
    compiled, plain = _real_screens()
    assert compiled._walk is not None
    assert plain._walk is None


def test_a_compiled_screen_built_from_other_sources_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a build left from older sources may take other arguments: numpy's walk is used instead
    module = compiled_screen()
    if module is None:
        pytest.skip("the compiled screen was not built")
    assert WordScreen(["alab"], [])._walk is not None
    monkeypatch.setattr(module, "INTERFACE", SCREEN_INTERFACE + 1)
    assert compiled_screen() is None
    screen = WordScreen(["alab"], [])
    assert screen._walk is None
    assert screen.starts(["la ville d'Alep"]) == [[11]]


# characters of every kind the walk tells apart: capitals, classes, apostrophes (inside a
# word, after an elision), spaces of several kinds, Arabic, and beyond the plane
_SCREEN_TEXT = st.text(
    alphabet=st.sampled_from(
        list("aAbBcCkKlLsShHzZéÉçÇœŒ'’ʼ-_.,( \n\t\xa0\u2028ـالشيخ019")
        + ["\U0001d504", "\U0001f600", "\U00020000", "Ⅳ", "ﬁ", "\u0301", "ß"]
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCREEN_TEXT, min_size=1, max_size=4))
@example(["d'Alep L'armée Sha'ar qu'Alep", "Karm al-Jabal, (Hanano) ville"])
@example(["Alep\U0001d504 \U0001d504lep Alep"])  # beyond the plane: numpy reads UTF-32
def test_the_compiled_screen_finds_what_numpy_finds(texts: list[str]) -> None:
    compiled, plain = _real_screens()
    assert compiled.starts(texts) == plain.starts(texts)
    assert compiled.places(texts) == plain.places(texts)


def test_the_compiled_screen_finds_what_numpy_finds_in_the_seeds_and_dispatches() -> None:
    compiled, plain = _real_screens()
    folders = [ROOT / "seeds", ROOT / "tests" / "data" / "dispatches"]
    texts = [path.read_text(encoding="utf-8") for f in folders for path in sorted(f.glob("*.txt"))]
    assert len(texts) > 10
    places = compiled.places(texts)
    assert sum(len(starts) for starts, _ends, _nexts in places) > 100
    assert places == plain.places(texts)
    assert compiled.starts(texts) == plain.starts(texts)
