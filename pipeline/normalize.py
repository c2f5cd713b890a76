"""Spelling variants of a place name -> one key, and raw text -> tokens with keys and offsets.

The press writes one Arabic name in many Latin spellings (``Boustan al Bacha``,
``Bustan al-Basha``, ``Bostan Pasha``) and in Arabic script (``بستان الباشا``).
``name_key`` maps each spelling to one key, so that the gazetteer can list a few spellings
and still recognise the others; ``tokenize`` cuts running text into words that keep their character
offsets, so a name found by its key maps back to the exact span of the text.

The key of a name is the keys of its words, joined by single spaces. A word's key comes
from context-free rewrites (``word_key``) that are applied until nothing changes, so that
``name_key(name_key(x)) == name_key(x)``. Which words drop out depends on their neighbours:
the Arabic article (``al-``, ``ash-``, ...) before another word and the French elision
(``d'``, ``l'``). Every rewrite is data, in ``RULES`` below.

Two helpers keep the gazetteer pass cheap (see ``gazetteer.Matcher``): ``loose_signature``,
a set of consonant classes that every rewrite preserves, and ``WordScreen``, which finds in
C (numpy), for a whole batch of texts at once, the few words whose classes in order are
those of a wanted key: only there does the matcher look at the words themselves.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline._yamlio import safe_data

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

# the screen of the gazetteer pass (normalize.WordScreen): letters that a rewrite above turns
# into one another share a class, so that a word and its key show the same classes in order
# once repeats are merged; h shows none, and a word's last run of the class of "a" is
# dropped (the final -a, -ah, -é, -iya). Every Arabic letter is one more class, every digit
# another. At most 13 classes here.
screen_classes: [ckqs, dj, bfp, g, l, m, n, r, t, v, xz, aeiy, ouw]
"""

RULES: dict[str, Any] = safe_data(RULES_YAML)


def _replacement(repl: str) -> str | Callable[[re.Match[str]], str]:
    """What ``re.sub`` is given for ``repl``: the string itself, or for a template that names
    groups (``\\1``) a function that reads them, which ``re.sub`` calls only on a match
    (a template costs a parse on every call)."""
    parts = re.split(r"\\([1-9])", repl)
    literals, groups = parts[0::2], [int(number) for number in parts[1::2]]
    if not groups or any("\\" in literal or literal[:1].isdigit() for literal in literals[1:]):
        return repl
    if "\\" in literals[0]:
        return repl

    def expand(match: re.Match[str]) -> str:
        found = [literals[0]]
        for group, literal in zip(groups, literals[1:]):
            found += (match.group(group) or "", literal)
        return "".join(found)

    return expand


def _is_plain(pattern: str, repl: str) -> bool:
    """True for a rewrite of letters to letters, with nothing a pattern would read."""
    plain_repl = repl == "" or (repl.isascii() and repl.isalnum())
    return pattern.isascii() and pattern.isalnum() and plain_repl


_APOSTROPHES = RULES["apostrophes"]
_HYPHENS = RULES["hyphens"]
_LETTERS = str.maketrans(RULES["letters"])
# a rewrite of plain letters is done by ``str.replace`` (the same, and cheaper); the others
# by their pattern
_REWRITES: list[tuple[str, Any, re.Pattern[str] | None]] = [
    (pattern, repl, None) if _is_plain(pattern, repl)
    else (pattern, _replacement(repl), re.compile(pattern))
    for pattern, repl in RULES["rewrites"]
]
_WORDS: dict[str, str] = RULES["words"]
_ROMAN = re.compile(RULES["roman"] + r"\Z")
_ARTICLES = frozenset(RULES["articles"])
_FREE_ARTICLES = frozenset(RULES["free_articles"])
_ELISIONS = frozenset(RULES["elisions"])
_ARABIC_LETTERS = str.maketrans(
    RULES["arabic"]["letters"] | {c: None for c in RULES["arabic"]["delete"]}
)
_ARABIC_ARTICLE = RULES["arabic"]["article"]

# a word: letters, digits and combining marks, with apostrophes inside (Sha'ar, Qal’et)
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u200c\u200d"
)
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
    return [
        t for i, t in enumerate(tokens) if not (t.dropped or (i < last and t.key in _FREE_ARTICLES))
    ]


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
    hyphenated = not gap.strip(_HYPHENS + _APOSTROPHES) and gap.strip(_APOSTROPHES) != ""
    return key in _ARTICLES and hyphenated


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
    # accents off, case folded, apostrophes out (ASCII letters: only the case to fold)
    if word.isascii():
        word = word.lower()
    else:
        word = unicodedata.normalize("NFKD", word.casefold().translate(_LETTERS))
    if not (word.isascii() and word.isalnum()):
        word = "".join(
            c for c in word if not unicodedata.combining(c) and (c.isalnum() or c == "\u0640")
        )
        word = word.translate(_ARABIC_LETTERS)
    if _ASCII_WORD.match(word):
        if _ROMAN.match(word):
            return word
        for pattern, repl, compiled in _REWRITES:
            word = word.replace(pattern, repl) if compiled is None else compiled.sub(repl, word)
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


# --- the screen: where a wanted word may start, for many texts at once --------------------
#
# Looking at every word of a corpus in Python costs more than the rest of the gazetteer pass.
# ``WordScreen`` looks at every character with one table lookup instead, in C (the package's
# extension ``_screen.c``, or numpy's array code where it was not built): each
# character gets a small code (word character or not, capital, apostrophe, and its class of
# ``screen_classes`` in ``RULES``), the text is cut into runs of word characters, and a run
# is kept when it may begin a wanted word:
#
# - in capitals (or in a script without case): its classes in order, repeats merged and a
#   last run of the class of "a" dropped ("Kallassé": K a L a K), are those of a wanted key,
#   and so is whether it begins with h. Every rewrite of ``word_key`` keeps both (the
#   ``words`` rewrites aside: the screen also knows the words they rewrite), so a word whose
#   key is wanted always passes. A word that goes on past an apostrophe (Sha'ar) passes when
#   its first run begins the classes of a wanted key; an elision (L'armée) never passes;
# - as the gazetteer writes it (a first word in lower case): its length, first two
#   characters and last one hash like those of a wanted spelling.
#
# A character the tables are not sure of (a script they do not know, one character of two
# classes, a mark first) lets its run pass. The screen only narrows where the exact matcher
# looks: hash collisions only let more runs pass. ``tests/test_corpus.py`` holds it to that.

_SCREEN_LETTERS: dict[str, int] = {
    letter: number + 1
    for number, letters in enumerate(RULES["screen_classes"])
    for letter in letters
}
_ARABIC_DELETE = RULES["arabic"]["delete"]
_ARABIC_CLASS = len(RULES["screen_classes"]) + 1
_DIGIT_CLASS = _ARABIC_CLASS + 1
_FINAL_CLASS = _SCREEN_LETTERS["a"]  # the last run of this class is dropped
_CLASS_FIELD = 0x0F
_CAPITAL_BIT = 0x10
_UNSURE_BIT = 0x20
_APOSTROPHE_BIT = 0x40
_WORD_BIT = 0x80  # the top bit: a code of a word character is at least this
_SPACE_CODE = 0x01  # the code of a space (as ``\\s`` in a pattern reads it), in the tables
# the kinds of a word's first letter: h (which shows no class) or another
_H_KIND, _OTHER_KIND = 1, 2
_WORD_RE = re.compile(_WORD_CHAR)
_WORD_RUN = re.compile(rf"{_WORD_CHAR}+")
_LONGEST_ELISION = max(map(len, _ELISIONS))
# texts are screened in chunks of about this many characters (bounded memory)
SCREEN_CHUNK = 1 << 21
# sizes of the hash tables (bits of the hash)
_KEY_TABLE_BITS = 20
_LITERAL_TABLE_BITS = 16
# the hash of a run's classes: a polynomial over them in this (odd) number
_MULTIPLIER = 0x9E3779B97F4A7C15
_WORD_MASK = (1 << 64) - 1


def _base_letters(char: str) -> str:
    """The letters ``word_key`` makes of one character (accents off, case folded)."""
    base = unicodedata.normalize("NFKD", char.casefold().translate(_LETTERS))
    return "".join(c for c in base if not unicodedata.combining(c))


def screen_code(char: str) -> int:
    """The screen's code of one character (see the note above)."""
    if char in _APOSTROPHES:
        return _APOSTROPHE_BIT
    if not _WORD_RE.match(char):
        return 0
    code = _WORD_BIT | (_CAPITAL_BIT if starts_capital(char) else 0)
    if "\u0600" <= char <= "\u06ff":
        # Arabic: letters and digits one class; marks, tatweel and joiners none
        return code | (_ARABIC_CLASS if char.isalnum() and char not in _ARABIC_DELETE else 0)
    if char in _ARABIC_DELETE:
        return code
    classes = []
    for letter in _base_letters(char):
        if letter.isascii() and letter.isdigit():
            classes.append(_DIGIT_CLASS)
        elif letter in _SCREEN_LETTERS:
            classes.append(_SCREEN_LETTERS[letter])
        elif letter != "h":
            return code | _UNSURE_BIT  # a letter of another script
    if len(set(classes)) > 1:
        return code | _UNSURE_BIT  # one character, two classes (œ, ĳ)
    return code | (classes[0] if classes else 0)


def first_kind(char: str) -> int:
    """Whether a word's first character makes its key begin with h: ``_H_KIND``,
    ``_OTHER_KIND``, or 0 when the screen cannot tell. ``word_key`` never changes it."""
    base = _base_letters(char)
    if not base or (char in _ARABIC_DELETE):
        return 0
    return _H_KIND if base[0] == "h" else _OTHER_KIND


# the blocks whose letters the screen knows one by one (Latin, Greek, Cyrillic, Arabic,
# Latin Extended Additional, the punctuation with apostrophes, the Latin ligatures); every
# other word character is unsure, which is always safe
_SCREEN_BLOCKS = ((0x0000, 0x0800), (0x1E00, 0x1F00), (0x2000, 0x2070), (0xFB00, 0xFB07))


@functools.cache
def _screen_tables() -> tuple[Any, Any]:
    """The code and the first kind of every character of the Basic Multilingual Plane (a
    space's code says so: no character beyond that plane is a space)."""
    import numpy as np

    codes = np.zeros(0x10000, dtype=np.uint8)
    kinds = np.zeros(0x10000, dtype=np.uint8)  # 0 (unsure) outside the known blocks
    plane = "".join(chr(n) for n in range(0x10000) if not 0xD800 <= n < 0xE000)
    for match in re.finditer(rf"{_WORD_CHAR}+", plane):
        for char in match.group():
            codes[ord(char)] = _WORD_BIT | _UNSURE_BIT
    for char in re.findall(r"[^\W\d_]", plane):
        if starts_capital(char):
            codes[ord(char)] |= _CAPITAL_BIT
    for start, stop in _SCREEN_BLOCKS:
        for number in range(start, stop):
            char = chr(number)
            codes[number] = screen_code(char)
            if codes[number] & _WORD_BIT:
                kinds[number] = first_kind(char)
    # a space is no word character and no apostrophe: its code says only that
    for match in re.finditer(r"\s", plane):
        assert codes[ord(match.group())] == 0
        codes[ord(match.group())] = _SPACE_CODE
    return codes, kinds


def class_hash(classes: Sequence[int], kind: int) -> int:
    """The hash of a word's classes (``word_classes``) and first kind."""
    value = 0
    for position, klass in enumerate(classes):
        value += klass * pow(_MULTIPLIER, position, 1 << 64)
    # the kind mixed in, then every bit carried up to the top bits that pick a slot
    return (((value & _WORD_MASK) * _MULTIPLIER + kind) * _MULTIPLIER) & _WORD_MASK


def word_classes(word: str) -> tuple[list[int], bool]:
    """The screen classes of a word in order (repeats merged, the last run of the class of
    "a" dropped), and whether the screen is unsure of one of its characters."""
    classes: list[int] = []
    unsure = False
    for char in word:
        code = screen_code(char)
        unsure = unsure or bool(code & _UNSURE_BIT)
        klass = code & _CLASS_FIELD
        if klass and (not classes or classes[-1] != klass):
            classes.append(klass)
    if classes and classes[-1] == _FINAL_CLASS:
        classes.pop()
    return classes, unsure


def key_spellings(key: str) -> set[str]:
    """``key`` and the words that the ``words`` rewrites turn into it (karam for karm): the
    screen must know each, since those rewrites do not keep a word's classes."""
    found = {key}
    while True:
        more = {word for word, target in _WORDS.items() if target in found} - found
        if not more:
            return found
        found |= more


def _literal_hash(length: Any, first: Any, second: Any, last: Any) -> Any:
    """A hash of a run's length and characters (numpy arrays or ints alike)."""
    value = length * 0x2545F491 + first * 0x9E3779B1 + second * 0x85EBCA77 + last * 0xC2B2AE3D
    return (value >> 11) & ((1 << _LITERAL_TABLE_BITS) - 1)


class WordScreen:
    """Where a word with one of ``keys`` (written in capitals) or one of ``literals`` (as
    written) may start in each of many texts: a superset of those places, found in C.

    The walk over the texts is the compiled ``pipeline._screen`` when it was built (the
    package's one C extension), else numpy's (``compiled=False`` asks for numpy): the same
    tables, the same places."""

    def __init__(
        self, keys: Iterable[str], literals: Iterable[str], *, compiled: bool = True
    ) -> None:
        import numpy as np

        self._np = np
        self._codes, self._kinds = _screen_tables()
        self._whole = np.zeros(1 << _KEY_TABLE_BITS, dtype=bool)
        self._begun = np.zeros(1 << _KEY_TABLE_BITS, dtype=bool)
        self._literals = np.zeros(1 << _LITERAL_TABLE_BITS, dtype=bool)
        self._literal_heads = np.zeros(0x10000, dtype=bool)
        self._pass_all = False  # a wanted key the screen is unsure of: every capital passes
        for key in keys:
            for spelling in key_spellings(key):
                # a word may also write the key after the Arabic article (ال), which its key
                # leaves out: that adds the article's class when the key has another (ال1070)
                for written in (spelling, _ARABIC_ARTICLE + spelling):
                    classes, unsure = word_classes(written)
                    kind = first_kind(written[0]) if written else 0
                    self._pass_all = self._pass_all or unsure or kind == 0
                    self._whole[self._slot(class_hash(classes, kind))] = True
                    # a word cut by an apostrophe: the classes of its first part begin the key's
                    for count in range(len(classes) + 1):
                        self._begun[self._slot(class_hash(classes[:count], kind))] = True
        for literal in literals:
            run = _WORD_RUN.match(literal)
            if run is not None:
                word = run.group()
                second = ord(word[1]) if len(word) > 1 else 0
                slot = _literal_hash(len(word), ord(word[0]), second, ord(word[-1]))
                self._literals[slot] = True
                self._literal_heads[min(ord(word[0]), 0xFFFF)] = True
        self._up = self._down = np.ones(1, dtype=np.uint64)
        # the compiled walk reads the same tables, as bytes
        self._walk = _compiled_walk() if compiled else None
        self._tables: tuple[Any, ...] = ()
        if self._walk is not None:
            self._tables = (
                self._codes.tobytes(), self._kinds.tobytes(), self._whole.tobytes(),
                self._begun.tobytes(), self._literals.tobytes(), self._literal_heads.tobytes(),
                _KEY_TABLE_BITS, _LITERAL_TABLE_BITS, _MULTIPLIER, _FINAL_CLASS,
                self._pass_all, _LONGEST_ELISION, _ELISIONS, _code_of_number, _kind_of_number,
            )

    def _power_tables(self, size: int) -> tuple[Any, Any]:
        """P^j and P^-j modulo 2^64 for j below ``size`` (grown by doubling, kept)."""
        np = self._np
        if self._up.size < size:
            grown = max(size, 2 * self._up.size)
            steps = np.full(grown, _MULTIPLIER, dtype=np.uint64)
            steps[0] = 1
            inverse = np.full(grown, pow(_MULTIPLIER, -1, 1 << 64), dtype=np.uint64)
            inverse[0] = 1
            self._up = np.multiply.accumulate(steps)
            self._down = np.multiply.accumulate(inverse)
        return self._up, self._down

    @staticmethod
    def _slot(value: Any) -> Any:
        return (value >> (64 - _KEY_TABLE_BITS)) & ((1 << _KEY_TABLE_BITS) - 1)

    def compiled_tables(self) -> tuple[Any, ...] | None:
        """The tables the compiled walk reads (``pipeline._screen``), or None when the walk
        is numpy's."""
        return self._tables if self._walk is not None else None

    def starts(self, texts: Sequence[str]) -> list[list[int]]:
        """For each text, the offsets (ascending) of the runs of word characters that may
        begin a wanted word."""
        if self._walk is not None:
            return self._walk(self._tables, texts, False)  # type: ignore[no-any-return]
        return _in_chunks(texts, self._screen)

    def places(self, texts: Sequence[str]) -> list[tuple[list[int], list[int], list[int]]]:
        """For each text, the places ``starts`` gives, but one for each piece of text (a run
        of characters other than spaces, as ``\\S+`` reads it): the first place in it. With
        them, the end of each place's piece and the end of the piece after it in the same
        text (-1 when none follows)."""
        if self._walk is not None:
            return self._walk(self._tables, texts, True)  # type: ignore[no-any-return]
        return _in_chunks(texts, self._places)

    def _screen(self, texts: list[str]) -> list[list[int]]:
        np = self._np
        offsets, _codes, bounds = self._kept(texts)
        # back to each text's own offsets
        cuts = np.searchsorted(offsets, bounds)
        return [
            (offsets[cuts[i] : cuts[i + 1]] - bounds[i]).tolist() for i in range(len(texts))
        ]

    def _places(self, texts: list[str]) -> list[tuple[list[int], list[int], list[int]]]:
        np = self._np
        offsets, codes, bounds = self._kept(texts)
        # the ends of the pieces of text (no text's piece runs into the next: a line apart)
        spaces = codes == _SPACE_CODE
        stops = np.flatnonzero(spaces[1:] & ~spaces[:-1]) + 1
        if spaces.size and not spaces[-1]:
            stops = np.append(stops, spaces.size)
        # a place is a word character, inside a piece: the first place of each piece is kept
        piece = np.searchsorted(stops, offsets, side="right")
        first = np.ones(piece.size, dtype=bool)
        first[1:] = piece[1:] != piece[:-1]
        offsets, piece = offsets[first], piece[first]
        # back to each text's own offsets
        text_of = np.searchsorted(bounds, offsets, side="right") - 1
        base, limit = bounds[text_of], bounds[text_of + 1] - 1
        following = np.minimum(piece + 1, stops.size - 1)
        afters = np.where(
            (piece + 1 < stops.size) & (stops[following] <= limit), stops[following] - base, -1
        )
        starts, ends = (offsets - base).tolist(), (stops[piece] - base).tolist()
        nexts = afters.tolist()
        cuts = np.searchsorted(offsets, bounds).tolist()
        return [(starts[a:b], ends[a:b], nexts[a:b]) for a, b in zip(cuts, cuts[1:])]

    def _kept(self, texts: list[str]) -> tuple[Any, Any, Any]:
        """The offsets of the runs kept in ``texts`` put one after the other, a line apart;
        the characters' codes; and where each text begins there (and the end)."""
        np = self._np
        # one text after the other, a line apart (a newline is no word character)
        joined = "\n".join(texts)
        numbers = np.frombuffer(joined.encode("utf-16-le"), dtype=np.uint16)
        if numbers.size != len(joined):
            # characters beyond the Basic Multilingual Plane: one number each, and looked up
            numbers = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        codes = np.take(self._codes, numbers, mode="clip")
        if numbers.dtype == np.uint32:
            for at in np.flatnonzero(numbers > 0xFFFF).tolist():
                codes[at] = screen_code(chr(int(numbers[at])))
        # the runs of word characters, [begins[i], ends[i]): where word and non-word meet
        word = codes >= _WORD_BIT
        edges = np.flatnonzero(word[1:] != word[:-1]) + 1
        if word.size and word[0]:
            edges = np.concatenate(([0], edges))
        if word.size and word[-1]:
            edges = np.concatenate((edges, [word.size]))
        begins, ends = edges[0::2], edges[1::2]
        heads = numbers[begins]
        kept = np.zeros(begins.size, dtype=bool)
        # words as the gazetteer writes them: a first character of theirs, then the hash
        maybe = np.flatnonzero(np.take(self._literal_heads, heads, mode="clip"))
        if maybe.size:
            starts, stops = begins[maybe], ends[maybe]
            lengths = stops - starts
            second = np.where(lengths > 1, numbers[np.minimum(starts + 1, numbers.size - 1)], 0)
            hashes = _literal_hash(
                lengths, heads[maybe].astype(np.int64), second.astype(np.int64),
                numbers[stops - 1].astype(np.int64),
            )
            kept[maybe] = self._literals[hashes]
        # words in capitals, by their classes
        capital = np.flatnonzero((codes[begins] & _CAPITAL_BIT) != 0)
        if capital.size:
            kept[capital] |= self._capital_runs(
                joined, numbers, codes, begins[capital], ends[capital]
            )
        bounds = np.cumsum([0] + [len(text) + 1 for text in texts])
        return begins[kept], codes, bounds

    def _capital_runs(self, text: str, numbers: Any, codes: Any, begins: Any, ends: Any) -> Any:
        """Which of these runs (in capitals) may begin a word of a wanted key."""
        np = self._np
        if self._pass_all:
            return np.ones(begins.size, dtype=bool)
        count = begins.size
        lengths = ends - begins
        # every character of the runs, and the run it belongs to
        firsts = np.cumsum(lengths) - lengths
        where = np.repeat(begins - firsts, lengths) + np.arange(int(lengths.sum()))
        run = np.repeat(np.arange(count), lengths)
        inside = codes[where]
        unsure = np.zeros(count, dtype=bool)
        unsure[run[(inside & _UNSURE_BIT) != 0]] = True
        # the consonant classes in order, a repeat within a run merged
        classes = (inside & _CLASS_FIELD).astype(np.uint64)
        consonant = np.flatnonzero(classes)
        classes, run = classes[consonant], run[consonant]
        fresh = np.ones(classes.size, dtype=bool)
        fresh[1:] = (classes[1:] != classes[:-1]) | (run[1:] != run[:-1])
        classes, run = classes[fresh], run[fresh]
        # a run's last class dropped when it is the class of "a" (merged: one at most)
        last = np.ones(classes.size, dtype=bool)
        last[:-1] = run[1:] != run[:-1]
        kept = ~(last & (classes == _FINAL_CLASS))
        classes, run = classes[kept], run[kept]
        # the polynomial of each run's classes: with P^j the power of each class's place in
        # the whole array, the sum over a run times P^-(place of its first) (P is odd: it has
        # an inverse modulo 2^64) is the run's own polynomial
        hashes = np.zeros(count, dtype=np.uint64)
        if classes.size:
            heads = np.flatnonzero(np.concatenate(([True], run[1:] != run[:-1])))
            up, down = self._power_tables(classes.size)
            sums = np.add.reduceat(classes * up[: classes.size], heads)
            hashes[run[heads]] = sums * down[heads]
        # the kind of each run's first letter
        first = numbers[begins]
        kinds = np.take(self._kinds, first, mode="clip").astype(np.uint64)
        if first.dtype == np.uint32:
            for i in np.flatnonzero(first > 0xFFFF).tolist():
                kinds[i] = first_kind(chr(int(first[i])))
        multiplier = np.uint64(_MULTIPLIER)
        slots = self._slot((hashes * multiplier + kinds) * multiplier)
        # a word that goes on past an apostrophe: its first run begins a wanted key
        last = codes.size - 1
        after, next_after = codes[np.minimum(ends, last)], codes[np.minimum(ends + 1, last)]
        going_on = (
            (ends < last) & ((after & _APOSTROPHE_BIT) != 0) & ((next_after & _WORD_BIT) != 0)
        )
        passed = np.where(going_on, self._begun[slots], self._whole[slots])
        passed |= unsure | (kinds == 0)
        # an elision (L'armée) is no word of a name: the word after it is screened on its own
        for i in np.flatnonzero(passed & going_on & (lengths <= _LONGEST_ELISION)).tolist():
            if text[begins[i] : ends[i]].casefold() in _ELISIONS:
                passed[i] = False
        return passed


# the version of ``pipeline._screen``'s calls that this code makes (its ``INTERFACE``)
SCREEN_INTERFACE = 4


def compiled_screen() -> Any:
    """The compiled module ``pipeline._screen``, or None when it was not built, or was built
    from other sources than these (then numpy and Python do its work)."""
    try:
        from pipeline import _screen  # type: ignore[attr-defined]
    except ImportError:
        return None
    if getattr(_screen, "INTERFACE", None) != SCREEN_INTERFACE:
        return None
    return _screen


def _compiled_walk() -> Callable[..., Any] | None:
    """The compiled screen's walk, or None."""
    module = compiled_screen()
    return None if module is None else module.screen


def _code_of_number(number: int) -> int:
    """``screen_code`` of a character beyond the Basic Multilingual Plane, by its number."""
    return screen_code(chr(number))


def _kind_of_number(number: int) -> int:
    """``first_kind`` of a character beyond the Basic Multilingual Plane, by its number."""
    return first_kind(chr(number))


def starts_capital(char: str) -> bool:
    """True for a letter in upper case or in a script without case."""
    return char.isalpha() and not char.islower()


# a word of a text (for looking back from a name to the word before it)
TOKEN_PATTERN = _TOKEN.pattern
WORD_CHAR_PATTERN = _WORD_CHAR
# the marks that are word characters beside letters and digits (``str.isalnum``)
WORD_MARKS = frozenset(re.findall(f"[{_MARKS}]", "".join(map(chr, range(0x0300, 0x2100)))))
JOINERS = _JOINERS
APOSTROPHES = _APOSTROPHES
HYPHENS = _HYPHENS
ELISIONS = _ELISIONS


def _in_chunks(texts: Sequence[str], screen: Callable[[list[str]], list[Any]]) -> list[Any]:
    """``screen`` over the texts in batches of about ``SCREEN_CHUNK`` characters, one result
    per text, in order."""
    found: list[Any] = []
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text) + 1
        if size >= SCREEN_CHUNK:
            found.extend(screen(batch))
            batch, size = [], 0
    if batch:
        found.extend(screen(batch))
    return found
