"""The compiled lexicon's matching and the tokenizer (pipeline/_lexicon.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline._lexicon import Lexicon, PhraseSet, Tok, load_lexicon, tokenize_text

LEXICON: Lexicon = load_lexicon()


def plain_match_at(phrases: PhraseSet, folds: list[str], i: int) -> tuple[int, int] | None:
    """The definition: of every phrase whose tokens all match from ``i``, the longest (the
    first listed among the longest)."""
    found = [
        (number, len(phrase.items))
        for number, phrase in enumerate(phrases.phrases)
        if i + len(phrase.items) <= len(folds)
        and all(folds[i + k] in item for k, item in enumerate(phrase.items))
    ]
    return min(found, key=lambda hit: (-hit[1], hit[0])) if found else None


def plain_find_all(phrases: PhraseSet, folds: list[str]) -> list[tuple[int, int, int]]:
    found, i = [], 0
    while i < len(folds):
        hit = plain_match_at(phrases, folds, i)
        if hit is None:
            i += 1
        else:
            found.append((i, i + hit[1], hit[0]))
            i += hit[1]
    return found


def words_of(phrases: PhraseSet) -> list[str]:
    return sorted({word for phrase in phrases.phrases for item in phrase.items for word in item})


SETS = {
    "cues": LEXICON.cues,
    "clause_openers": LEXICON.clause_openers,
    "shares": LEXICON.shares,
    "intention": LEXICON.intention,
}


@pytest.mark.parametrize("name", sorted(SETS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_phrases_match_as_defined(name: str, data: st.DataObject) -> None:
    phrases = SETS[name]
    # sentences of the set's own words (and one stranger), so that phrases do occur
    vocabulary = [*words_of(phrases)[:400], "quartier"]
    folds = data.draw(st.lists(st.sampled_from(vocabulary), max_size=12))
    for i in range(len(folds)):
        assert phrases.match_at(folds, i) == plain_match_at(phrases, folds, i)
    assert phrases.find_all(folds) == plain_find_all(phrases, folds)


def test_the_longest_phrase_wins() -> None:
    folds = ["pris", "le", "controle", "total", "de"]
    hit = LEXICON.cues.match_at(folds, 0)
    assert hit is not None
    assert LEXICON.cues.phrases[hit[0]].text == "<prendre> le controle total"
    assert hit[1] == 4
    # cut by the end of the words, the long phrases do not match
    short = LEXICON.cues.match_at(folds[:3], 0)
    assert short is not None and short[1] == 3


def test_tokens_keep_offsets_and_spans_are_one_token() -> None:
    text = "L’armée a repris Cheikh Saïd, jeudi."
    span = (text.index("Cheikh"), text.index(","))
    tokens = tokenize_text(text, [span])
    assert [t.text for t in tokens] == [
        "L’", "armée", "a", "repris", "Cheikh Saïd", ",", "jeudi", ".",
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.fold for t in tokens][:2] == ["l'", "armee"]
    assert [t.mention for t in tokens if t.mention >= 0] == [0]
    assert tokens[4] == Tok(span[0], span[1], "Cheikh Saïd", "cheikh said", 0)


def test_a_word_that_runs_into_a_span_is_cut_there() -> None:
    tokens = tokenize_text("pré-Alep tombe", [(4, 8)])
    assert [(t.text, t.mention) for t in tokens] == [("pré-", -1), ("Alep", 0), ("tombe", -1)]


def test_tokens_cannot_be_changed() -> None:
    token = tokenize_text("Alep")[0]
    with pytest.raises(AttributeError):
        token.start = 2  # type: ignore[misc]
