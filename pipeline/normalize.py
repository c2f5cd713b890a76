"""Spelling variants of a place name -> one key, and raw text -> tokens with keys and offsets.

The press writes one Arabic name in many Latin spellings (``Boustan al Bacha``,
``Bustan al-Basha``, ``Bostan Pasha``) and in Arabic script (``بستان الباشا``). ``name_key``
maps each spelling to one key, so that the gazetteer can list a few spellings and still
recognise the others; ``tokenize`` cuts running text into words that keep their character
offsets, so a name found by its key maps back to the exact span of the text.

The key of a name is the keys of its words, joined by single spaces. A word's key comes
from context-free rewrites (``word_key``) that are applied until nothing changes, so that
``name_key(name_key(x)) == name_key(x)``. Which words drop out depends on their neighbours:
the Arabic article (``al-``, ``ash-``, ...) before another word and the French elision
(``d'``, ``l'``). Every rewrite is data, in ``RULES`` below.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

import yaml

# the transliteration knowledge, as data an editor can read and extend
RULES_YAML = r"""
# characters that write an apostrophe, an ayn or a hamza; inside a word they vanish
apostrophes: "'’‘ʿʾʼ`´′"
# characters that join the words of a name (the article's hyphen)
hyphens: "-‐‑‒–"
# letters that Unicode decomposition leaves whole
letters: {œ: oe, æ: ae, ß: ss, ø: o, ł: l, đ: d, ı: i, þ: th, ð: d, ħ: h}

# Latin rewrites of one word, in order (regular expressions over lowercase ASCII)
rewrites:
  - [sch, sh]          # German transliteration
  - [ch, sh]           # French: Chaar, Cheikh, Bacha
  - [dj, j]            # French: Djebel
  - [ee, i]            # English long i: Saeed, Tishreen
  - [ou, u]            # French: Boustan, Soukkari, Ramoussa
  - [ph, f]
  - [ck, k]
  - [q, k]             # Qadi / Kadi, Qaterji / Katerji
  - [c, k]
  - [p, b]             # Arabic has no p: Pasha / Basha
  - [e, a]             # short vowels: Myessar / Myassar, Qaterji / Qatarji
  - [o, u]             # Bostan / Bustan
  - [y, i]             # Haydariyeh / Haidariyeh, Shaykh / Shaikh
  - [w, u]             # Awwad / Aouad
  - ['([a-z])\1+', '\1']   # doubled letters: Kallasseh / Kalaseh, Sha'ar / Shar
  - ['(?<=[a-z0-9]{2})ah?$', '']  # final -a, -ah, -e, -eh, -é (and -iya, -iyeh: -i)

# whole words that are the same word once rewritten
words:
  karam: karm          # Karam al-Myessar / Karm al-Myassar
  shaik: shaikh        # Sheik, Cheik
  shakh: shaikh        # Shekh
  shik: shaikh

# roman numerals stay as written (Sakhour I is not Sakhour, Hamdaniyeh III is not II)
roman: '(?:i{1,3}|iv|vi{0,3}|ix|x{1,3})'

# the Arabic article written as a word before another word, as rewritten keys
# (al, el; as, es; ash, esh, ach, ech; ...): dropped when a hyphen joins it to the next word
articles: [al, il, ul, ad, adh, aj, an, ar, as, ash, at, ath, az, ag, ak]
# the article also when a space separates it from the next word (Boustan al Bacha)
free_articles: [al]
# French elisions before a name (d'Amiriya, l'Amiriya, qu'Alep); never part of a name
elisions: [d, l, qu, jusqu, lorsqu, puisqu]

# Arabic script
arabic:
  letters: {ٱ: ا, ة: ه, ى: ي, ک: ك, ی: ي, ۀ: ه, ھ: ه}
  delete: "ـ\u200c\u200d"        # tatweel and zero-width joiners
  article: ال                     # the article, written as the prefix of each word
"""

RULES: dict[str, Any] = yaml.safe_load(RULES_YAML)

_APOSTROPHES = RULES["apostrophes"]
_HYPHENS = RULES["hyphens"]
_LETTERS = str.maketrans(RULES["letters"])
_REWRITES = [(re.compile(pattern), repl) for pattern, repl in RULES["rewrites"]]
_WORDS: dict[str, str] = RULES["words"]
_ROMAN = re.compile(RULES["roman"] + r"\Z")
_ARTICLES = frozenset(RULES["articles"])
_FREE_ARTICLES = frozenset(RULES["free_articles"])
_ELISIONS = frozenset(RULES["elisions"])
_ARABIC_LETTERS = str.maketrans(RULES["arabic"]["letters"] | {c: None for c in RULES["arabic"]["delete"]})
_ARABIC_ARTICLE = RULES["arabic"]["article"]

# a word: letters, digits and combining marks, with apostrophes inside (Sha'ar, Qal’et)
_MARKS = "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u200c\u200d"
_WORD_CHAR = rf"(?:[^\W_]|[{_MARKS}])"
_TOKEN = re.compile(rf"{_WORD_CHAR}+(?:[{re.escape(_APOSTROPHES)}]{_WORD_CHAR}+)*")
_ELISION = re.compile(
    rf"({'|'.join(sorted(_ELISIONS, key=len, reverse=True))})[{re.escape(_APOSTROPHES)}](?=\w)",
    re.IGNORECASE,
)
_ASCII_WORD = re.compile(r"[a-z0-9]+\Z")
# characters that may separate two words of one name: spaces, hyphens, apostrophes
_JOINERS = " \t\r\n\xa0\u2009\u202f" + _HYPHENS + _APOSTROPHES
# a guard against a rewrite cycle; every rewrite shortens a word or shrinks its alphabet
_MAX_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its exact span, its key and its role before the next word."""

    start: int
    end: int
    text: str
    key: str
    elision: bool = False  # French d', l', qu' before the next word
    article: bool = False  # the Arabic article before the next word of a name

    @property
    def dropped(self) -> bool:
        """True for words that a name's key leaves out (articles, elisions, empty keys)."""
        return self.elision or self.article or not self.key


def name_key(name: str) -> str:
    """The transliteration-tolerant key of a name: its words' keys, articles dropped."""
    return " ".join(t.key for t in name_tokens(name))


def name_tokens(name: str) -> list[Token]:
    """The words of a name that make its key (articles, elisions and empty words left out)."""
    tokens = tokenize(name)
    # a free article (al, el) before any other word of a name is the article, whatever
    # stands between: the key, whose words are joined by spaces, must say the same
    last = len(tokens) - 1
    return [t for i, t in enumerate(tokens) if not (t.dropped or (i < last and t.key in _FREE_ARTICLES))]


def tokenize(text: str) -> list[Token]:
    """Cuts ``text`` into words with character offsets, keys and article/elision roles."""
    tokens = list(_raw_tokens(text))
    # a word is an article when it leads into the next word of a name
    for i in range(len(tokens) - 1):
        token, after = tokens[i], tokens[i + 1]
        if not token.elision and is_article(token.key, text[token.end : after.start]):
            tokens[i] = Token(token.start, token.end, token.text, token.key, article=True)
    return tokens


def is_article(key: str, gap: str) -> bool:
    """True when a word of this key, followed by ``gap`` and another word, is the article."""
    if key in _FREE_ARTICLES:
        return joins_name(gap)
    # the other articles (as-, ash-, ad-, ...) are French words too: only with a hyphen
    return key in _ARTICLES and not gap.strip(_HYPHENS + _APOSTROPHES) and gap.strip(_APOSTROPHES) != ""


def joins_name(gap: str) -> bool:
    """True when ``gap`` (the characters between two words) may sit inside one name."""
    return bool(gap) and not gap.strip(_JOINERS) and gap.count("\n") <= 1


@functools.lru_cache(maxsize=1 << 18)
def word_key(word: str) -> str:
    """The key of one word: rewrites applied until the word no longer changes."""
    # roman numerals keep their letters
    lowered = word.casefold()
    if _ROMAN.match(lowered):
        return lowered
    key = word
    for _ in range(_MAX_ROUNDS):
        new = _rewrite_word(key)
        if new == key:
            break
        key = new
    return key


def _rewrite_word(word: str) -> str:
    # accents off, case folded, apostrophes out
    word = unicodedata.normalize("NFKD", word.casefold().translate(_LETTERS))
    word = "".join(c for c in word if not unicodedata.combining(c) and (c.isalnum() or c in "\u0640"))
    word = word.translate(_ARABIC_LETTERS)
    if _ASCII_WORD.match(word):
        if _ROMAN.match(word):
            return word
        for pattern, repl in _REWRITES:
            word = pattern.sub(repl, word)
        return _WORDS.get(word, word)
    # the Arabic article is the prefix of the word itself
    if word.startswith(_ARABIC_ARTICLE) and len(word) > len(_ARABIC_ARTICLE) + 1:
        word = word[len(_ARABIC_ARTICLE) :]
    return word


def _raw_tokens(text: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        surface = match.group()
        # a French elision (d'Amiriya) is a word of its own before the name
        elided = _ELISION.match(surface)
        if elided:
            cut = elided.end(1)
            yield Token(start, start + cut, surface[:cut], word_key(surface[:cut]), elision=True)
            start, surface = start + cut + 1, surface[cut + 1 :]
        yield Token(start, end, surface, word_key(surface))


# --- a cheap signature, for skipping most words without computing their key ---------------
#
# ``loose_signature`` maps a word to the set of its consonant classes: vowels, h, w, y and
# apostrophes vanish, and letters that a rewrite turns into one another share a class
# (c, k, q, s: ch/sh/k; d, j: dj/j; b, f, p: p/b, ph/f). Every rewrite of ``word_key`` keeps
# this set, so a word whose signature is not the signature of any wanted key cannot have a
# wanted key; it is rejected with one ``str.translate`` call instead of a dozen rewrites.

_CLASSES = {
    **dict.fromkeys("aehiouwy", ""),
    **dict.fromkeys("ckqs", "K"),
    **dict.fromkeys("dj", "D"),
    **dict.fromkeys("bfp", "B"),
    **{c: c.upper() for c in "glmnrtvxz"},
}
_APOSTROPHE_MARK = "'"


def _loose_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # ASCII: letters to their class, digits kept, everything else separates words
    for code in range(128):
        char = chr(code)
        if char.isdigit():
            table[code] = char
        elif char.isalpha():
            table[code] = _CLASSES[char.lower()]
        else:
            table[code] = " "
    # Latin letters with accents: the class of their base letters; combining marks vanish
    latin = [*range(0x80, 0x370), *range(0x1E00, 0x1F00), *range(0xFB00, 0xFB07)]
    for code in latin:
        char = chr(code)
        if not char.isalnum() and not unicodedata.combining(char):
            table[code] = " "
            continue
        base = unicodedata.normalize("NFKD", char.casefold().translate(_LETTERS))
        base = "".join(c for c in base if not unicodedata.combining(c))
        if base.isascii() and (base.isalnum() or not base):
            table[code] = "".join(_CLASSES.get(c, c) for c in base)
    # Arabic script: one class for every letter and digit (the key keeps them apart)
    for code in range(0x0600, 0x0700):
        char = chr(code)
        if unicodedata.combining(char) or char in RULES["arabic"]["delete"]:
            table[code] = ""
        elif char.isalnum():
            table[code] = "A"
        else:
            table[code] = " "
    for char in RULES["arabic"]["delete"]:
        table[ord(char)] = ""
    # spaces and hyphens separate; apostrophes are marked (they may join or split words)
    for char in _HYPHENS + "\xa0\u2009\u202f\u2013\u2014\u00ab\u00bb\u2026\u201c\u201d":
        table[ord(char)] = " "
    for char in _APOSTROPHES:
        table[ord(char)] = _APOSTROPHE_MARK
    return table


_LOOSE = _loose_table()


def loose_signature(key: str) -> frozenset[str]:
    """The consonant classes of a word key (see the note above)."""
    return frozenset(key.translate(_LOOSE).replace(" ", "").replace(_APOSTROPHE_MARK, ""))


def loose_signatures(chunk: str) -> list[frozenset[str]] | None:
    """The signature of each word of ``chunk`` (a piece of text between spaces), or None
    when a cheap answer is not safe (apostrophes, scripts other than Latin and Arabic)."""
    mapped = chunk.translate(_LOOSE)
    if _APOSTROPHE_MARK in mapped or not mapped.isascii():
        return None
    return [frozenset(part) for part in mapped.split()]


def may_drop(key: str) -> bool:
    """True when a word of this key may be an article or an elision before another word."""
    return key in _ARTICLES or key in _FREE_ARTICLES or key in _ELISIONS


# --- where a capitalised word starts ------------------------------------------------------


@functools.cache
def capital_tail_pattern() -> re.Pattern[str]:
    """A pattern for a letter that is upper case or has no case (Arabic), and the rest of
    its piece of text up to the next space: the only places a proper name can start."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        char = chr(code)
        if not (0xD800 <= code < 0xE000) and starts_capital(char):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )
    return re.compile(rf"[{members}]\S*")


def starts_capital(char: str) -> bool:
    """True for a letter in upper case or in a script without case."""
    return char.isalpha() and not char.islower()


# a word of a text (for looking back from a name to the word before it)
TOKEN_PATTERN = _TOKEN.pattern
WORD_CHAR_PATTERN = _WORD_CHAR
JOINERS = _JOINERS
APOSTROPHES = _APOSTROPHES
HYPHENS = _HYPHENS
